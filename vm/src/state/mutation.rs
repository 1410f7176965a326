//! Token mutations, checked when they are made (`spec/abi.md#mutations`).
//!
//! Checks run in this order, and the first that fails decides the status: policy (scripts only),
//! zero amount, balances and supply. A self-transfer of a positive amount is a no-op. Nothing is
//! written unless every check passes.

use crate::state::overlay::Overlay;
use crate::StateError;
use abi::{Address, StatusCode, TokenPolicy};

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

/// Who asks for a mint or burn: the script is bound by the token's policy, the node's own native
/// operation is not (the node authorised it).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Origin {
    Script,
    Native,
}

/// Moves `amount` from `from` to `to`.
pub(crate) fn transfer(
    ov: &mut Overlay<'_>,
    from: &Address,
    to: &Address,
    amount: u128,
) -> Result<(), Rejected> {
    require(amount > 0, StatusCode::ZeroAmount)?;
    let from_balance = ov.balance(from)?;
    require(from_balance >= amount, StatusCode::InsufficientBalance)?;
    if from == to {
        return Ok(());
    }
    let to_balance = ov.balance(to)?;
    let new_to = to_balance.checked_add(amount).ok_or(Rejected::Status(StatusCode::SupplyOverflow))?;
    ov.set_balance(from, from_balance - amount)?;
    ov.set_balance(to, new_to)?;
    Ok(())
}

/// Creates `amount` for `to`.
pub(crate) fn mint(
    ov: &mut Overlay<'_>,
    policy: &TokenPolicy,
    origin: Origin,
    to: &Address,
    amount: u128,
) -> Result<(), Rejected> {
    require(origin == Origin::Native || policy.script_can_mint, StatusCode::MintForbidden)?;
    require(amount > 0, StatusCode::ZeroAmount)?;
    let supply = ov.supply()?;
    let new_supply = supply
        .checked_add(amount)
        .filter(|s| *s <= policy.max_supply)
        .ok_or(Rejected::Status(StatusCode::SupplyOverflow))?;
    let balance = ov.balance(to)?;
    let new_balance = balance.checked_add(amount).ok_or(Rejected::Status(StatusCode::SupplyOverflow))?;
    ov.set_supply(new_supply)?;
    ov.set_balance(to, new_balance)?;
    Ok(())
}

/// Destroys `amount` held by `from`.
pub(crate) fn burn(
    ov: &mut Overlay<'_>,
    policy: &TokenPolicy,
    origin: Origin,
    from: &Address,
    amount: u128,
) -> Result<(), Rejected> {
    require(origin == Origin::Native || policy.script_can_burn, StatusCode::BurnForbidden)?;
    require(amount > 0, StatusCode::ZeroAmount)?;
    let balance = ov.balance(from)?;
    require(balance >= amount, StatusCode::InsufficientBalance)?;
    let supply = ov.supply()?;
    require(supply >= amount, StatusCode::InsufficientBalance)?;
    ov.set_balance(from, balance - amount)?;
    ov.set_supply(supply - amount)?;
    Ok(())
}
