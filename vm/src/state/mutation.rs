//! Token mutations, checked when they are made (`spec/abi.md#mutations`): the one place a mutation
//! is applied, whether a script asks for it (`transfer`, `mint`, `burn`) or it is the pipeline's
//! native step (`spec/abi.md#operation-pipeline`).
//!
//! Checks run in this order, and the first that fails decides the status: policy (scripts only),
//! zero amount, balances and supply. A self-transfer of a positive amount is a no-op. Nothing is
//! written unless every check passes.

use crate::observe::Observer;
use crate::state::overlay::Overlay;
use crate::StateError;
use abi::{Address, MutationOrigin, Operation, StatusCode, TokenPolicy};

/// Why a mutation did not happen.
#[derive(Debug)]
pub(crate) enum Rejected {
    /// A consensus outcome.
    Status(StatusCode),
    /// The state could not be read.
    State(StateError),
}

impl From<StateError> for Rejected {
    fn from(e: StateError) -> Self {
        Self::State(e)
    }
}

fn require(ok: bool, status: StatusCode) -> Result<(), Rejected> {
    if ok {
        Ok(())
    } else {
        Err(Rejected::Status(status))
    }
}

/// Whether `operation` has a native step in the operation pipeline: every operation but an approval,
/// whose allowance the node keeps itself (the script only sees it through `on_approve`,
/// `spec/abi.md#operation-pipeline`).
pub(crate) fn has_native_step(operation: &Operation) -> bool {
    !matches!(operation, Operation::Approve { .. })
}

/// Applies `operation` asked for by `origin`: reports it to the observer, then checks and applies it.
/// A script is bound by the token's `policy`; the node's own native operation is not (the node
/// authorised it). An operation without a native step (see [`has_native_step`]) changes nothing:
/// scripts cannot ask for one and the pipeline never applies one.
pub(crate) fn apply(
    ov: &mut Overlay<'_>,
    obs: &mut Observer,
    policy: &TokenPolicy,
    origin: MutationOrigin,
    operation: &Operation,
) -> Result<(), Rejected> {
    obs.mutation(origin, operation);
    let native = origin == MutationOrigin::Native;
    match operation {
        Operation::Transfer { from, to, amount } => transfer(ov, obs, from, to, *amount),
        Operation::Mint { to, amount } => {
            mint(ov, obs, native || policy.script_can_mint, policy, to, *amount)
        }
        Operation::Burn { from, amount } => burn(ov, obs, native || policy.script_can_burn, from, *amount),
        Operation::Approve { .. } => Ok(()),
    }
}

/// Moves `amount` from `from` to `to`.
fn transfer(
    ov: &mut Overlay<'_>,
    obs: &mut Observer,
    from: &Address,
    to: &Address,
    amount: u128,
) -> Result<(), Rejected> {
    require(amount > 0, StatusCode::ZeroAmount)?;
    let from_balance = ov.balance(obs, from)?;
    require(from_balance >= amount, StatusCode::InsufficientBalance)?;
    if from == to {
        return Ok(());
    }
    let to_balance = ov.balance(obs, to)?;
    let new_to = to_balance.checked_add(amount).ok_or(Rejected::Status(StatusCode::SupplyOverflow))?;
    ov.set_balance(obs, from, from_balance - amount)?;
    ov.set_balance(obs, to, new_to)?;
    Ok(())
}

/// Creates `amount` for `to` (`allowed`: the origin may mint).
fn mint(
    ov: &mut Overlay<'_>,
    obs: &mut Observer,
    allowed: bool,
    policy: &TokenPolicy,
    to: &Address,
    amount: u128,
) -> Result<(), Rejected> {
    require(allowed, StatusCode::MintForbidden)?;
    require(amount > 0, StatusCode::ZeroAmount)?;
    let supply = ov.supply(obs)?;
    let new_supply = supply
        .checked_add(amount)
        .filter(|s| *s <= policy.max_supply)
        .ok_or(Rejected::Status(StatusCode::SupplyOverflow))?;
    let balance = ov.balance(obs, to)?;
    let new_balance = balance.checked_add(amount).ok_or(Rejected::Status(StatusCode::SupplyOverflow))?;
    ov.set_supply(obs, new_supply)?;
    ov.set_balance(obs, to, new_balance)?;
    Ok(())
}

/// Destroys `amount` held by `from` (`allowed`: the origin may burn).
fn burn(
    ov: &mut Overlay<'_>,
    obs: &mut Observer,
    allowed: bool,
    from: &Address,
    amount: u128,
) -> Result<(), Rejected> {
    require(allowed, StatusCode::BurnForbidden)?;
    require(amount > 0, StatusCode::ZeroAmount)?;
    let balance = ov.balance(obs, from)?;
    require(balance >= amount, StatusCode::InsufficientBalance)?;
    let supply = ov.supply(obs)?;
    require(supply >= amount, StatusCode::InsufficientBalance)?;
    ov.set_balance(obs, from, balance - amount)?;
    ov.set_supply(obs, supply - amount)?;
    Ok(())
}
