//! [`TestChain`]: a token's state, its script and a context, with calls that run in the real VM and
//! thread state from one to the next as a node would (`spec/abi.md#execution`: a successful
//! receipt's diff is applied, a failed one applies nothing).

use crate::profile::{FunctionReport, StepProfile};
use crate::report::{GasReport, GasRow};
use crate::{text, Error, Outcome, Result};
use abi::{Address, Call, Context, Hash32, HookKind, Invocation, Operation, TokenId, TokenInfo, TokenPolicy};
use std::collections::BTreeMap;
use std::path::Path;
use vm::{InMemoryState, Rules, StateView as _, TokenState, Transaction, Vm};

/// The token a chain made by [`TestChain::new`] holds: `0x70` repeated (as in `examples/`).
pub const DEFAULT_TOKEN: TokenId = TokenId([0x70; 32]);
/// The owner of that token: `0xee` repeated (as in `examples/state.json`).
pub const DEFAULT_OWNER: Address = Address([0xee; 32]);
/// The caller of calls that name none: `0x01` repeated (`spec/scenario.md#defaults`).
pub const DEFAULT_CALLER: Address = Address([0x01; 32]);
/// Gas of a call that names no limit (`spec/scenario.md#defaults`): ten times the 1,000,000 of the
/// example transactions, ample for any example script.
pub const DEFAULT_GAS_LIMIT: u64 = 10_000_000;

/// The context of a new chain (`spec/scenario.md#defaults`): height 1, timestamp 1700000000000 ms,
/// transaction hash `0x11..`, previous block hash `0x22..`, caller [`DEFAULT_CALLER`].
pub fn default_context() -> Context {
    Context {
        height: 1,
        timestamp_ms: 1_700_000_000_000,
        tx_hash: Hash32([0x11; 32]),
        prev_block_hash: Hash32([0x22; 32]),
        caller: DEFAULT_CALLER,
    }
}

/// What the next call only is given: its step name, its caller, its gas limit.
#[derive(Debug, Default)]
struct NextCall {
    name: Option<String>,
    caller: Option<Address>,
    gas_limit: Option<u64>,
}

/// A chain with one token and its script, run in the real [`Vm`].
///
/// Calls panic when the VM itself fails (a test expects receipts); `try_call` returns that as an
/// [`Error`] instead. Every call is recorded as a step for [`TestChain::gas_report`].
pub struct TestChain {
    vm: Vm,
    code: Vec<u8>,
    state: InMemoryState,
    token: TokenId,
    context: Context,
    gas_limit: u64,
    next: NextCall,
    steps: Vec<GasRow>,
    /// `Some` when every call is profiled (`with_profiling`).
    profiles: Option<Vec<StepProfile>>,
}

impl TestChain {
    /// A chain running `code` (a WebAssembly binary) for [`DEFAULT_TOKEN`], owned by
    /// [`DEFAULT_OWNER`], with no balances, a supply of 0, a policy that lets the script neither mint
    /// nor burn and a maximum supply of `u128::MAX`, in the [`default_context`].
    pub fn new(code: impl Into<Vec<u8>>) -> Self {
        let token = TokenState {
            info: TokenInfo {
                owner: DEFAULT_OWNER,
                policy: TokenPolicy { script_can_mint: false, script_can_burn: false, max_supply: u128::MAX },
            },
            ..TokenState::default()
        };
        let state = InMemoryState { tokens: BTreeMap::from([(DEFAULT_TOKEN, token)]) };
        Self::with_state(code, state, DEFAULT_TOKEN)
    }

    /// A chain running `code` for `token` over a given state (which should hold the token: a call
    /// on a token the state does not know ends with status `unknown_token`).
    pub fn with_state(code: impl Into<Vec<u8>>, state: InMemoryState, token: TokenId) -> Self {
        Self {
            vm: Vm::new(Rules::default()),
            code: code.into(),
            state,
            token,
            context: default_context(),
            gas_limit: DEFAULT_GAS_LIMIT,
            next: NextCall::default(),
            steps: Vec::new(),
            profiles: None,
        }
    }

    /// As [`TestChain::new`], from WebAssembly text.
    ///
    /// # Errors
    /// The text does not parse.
    pub fn from_wat(wat: &str) -> Result<Self> {
        Ok(Self::new(wat::parse_str(wat).map_err(|e| Error::Wat(e.to_string()))?))
    }

    /// As [`TestChain::new`], from a file: `.wat` is WebAssembly text, anything else a binary
    /// (a built `.wasm`).
    ///
    /// # Errors
    /// The file cannot be read, or its text does not parse.
    pub fn load(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref();
        let bytes = std::fs::read(path).map_err(|source| Error::Io { path: path.into(), source })?;
        if path.extension().is_some_and(|e| e == "wat") {
            let code =
                wat::parse_bytes(&bytes).map_err(|e| Error::Wat(format!("{}: {e}", path.display())))?;
            return Ok(Self::new(code.into_owned()));
        }
        Ok(Self::new(bytes))
    }

    fn token_mut(&mut self) -> &mut TokenState {
        self.state.tokens.entry(self.token).or_default()
    }

    /// Sets the token's owner (what the script's `token_owner` returns).
    pub fn with_owner(mut self, owner: Address) -> Self {
        self.token_mut().info.owner = owner;
        self
    }

    /// Sets the token's policy.
    pub fn with_policy(mut self, policy: TokenPolicy) -> Self {
        self.token_mut().info.policy = policy;
        self
    }

    /// Sets an account's balance, moving the supply by the difference (so the supply stays the sum
    /// of the balances set this way).
    pub fn with_balance(mut self, account: Address, amount: u128) -> Self {
        let token = self.token_mut();
        let old = token.balances.get(&account).copied().unwrap_or(0);
        token.supply = token.supply.saturating_sub(old).saturating_add(amount);
        if amount == 0 {
            token.balances.remove(&account);
        } else {
            token.balances.insert(account, amount);
        }
        self
    }

    /// Sets a storage entry of the script.
    pub fn with_storage(mut self, key: impl AsRef<[u8]>, value: impl AsRef<[u8]>) -> Self {
        self.token_mut().storage.insert(key.as_ref().to_vec(), value.as_ref().to_vec());
        self
    }

    /// Sets the context (height, timestamp, hashes, default caller).
    pub fn with_context(mut self, context: Context) -> Self {
        self.context = context;
        self
    }

    /// Sets the gas limit of every call that names none.
    pub fn with_gas_limit(mut self, gas_limit: u64) -> Self {
        self.gas_limit = gas_limit;
        self
    }

    // ---- the context, from now on ----

    /// The caller of every later call that names none.
    pub fn set_caller(&mut self, caller: Address) -> &mut Self {
        self.context.caller = caller;
        self
    }

    /// Moves the chain to block `height`.
    pub fn set_height(&mut self, height: u64) -> &mut Self {
        self.context.height = height;
        self
    }

    /// Moves the chain's clock (the block timestamp, the only clock a script has) to `timestamp_ms`.
    pub fn set_timestamp_ms(&mut self, timestamp_ms: u64) -> &mut Self {
        self.context.timestamp_ms = timestamp_ms;
        self
    }

    /// Advances the chain by `blocks` blocks (height only).
    pub fn advance_blocks(&mut self, blocks: u64) -> &mut Self {
        self.context.height = self.context.height.saturating_add(blocks);
        self
    }

    /// Advances the chain's clock by `ms` milliseconds.
    pub fn advance_time_ms(&mut self, ms: u64) -> &mut Self {
        self.context.timestamp_ms = self.context.timestamp_ms.saturating_add(ms);
        self
    }

    /// Sets the gas limit of every later call that names none.
    pub fn set_gas_limit(&mut self, gas_limit: u64) -> &mut Self {
        self.gas_limit = gas_limit;
        self
    }

    // ---- the next call only ----

    /// Names the next call's step (in failure messages and the gas report); unnamed steps are named
    /// after their call.
    pub fn step(&mut self, name: impl Into<String>) -> &mut Self {
        self.next.name = Some(name.into());
        self
    }

    /// Signs the next call by `caller` (Foundry's `prank`): it overrides the operation's own signer.
    pub fn as_caller(&mut self, caller: Address) -> &mut Self {
        self.next.caller = Some(caller);
        self
    }

    /// Gives the next call `gas_limit` gas.
    pub fn gas(&mut self, gas_limit: u64) -> &mut Self {
        self.next.gas_limit = Some(gas_limit);
        self
    }

    // ---- calls ----

    /// Runs the whole transfer pipeline (before-hook, native transfer, after-hook), signed by `from`
    /// unless [`as_caller`](Self::as_caller) says otherwise.
    #[track_caller]
    pub fn transfer(&mut self, from: Address, to: Address, amount: u128) -> Outcome {
        self.signed(from, Call::Operation { operation: Operation::Transfer { from, to, amount } })
    }

    /// Runs the mint pipeline, signed by the token's owner unless [`as_caller`](Self::as_caller) says
    /// otherwise.
    #[track_caller]
    pub fn mint(&mut self, to: Address, amount: u128) -> Outcome {
        let owner = self.owner();
        self.signed(owner, Call::Operation { operation: Operation::Mint { to, amount } })
    }

    /// Runs the burn pipeline, signed by `from` unless [`as_caller`](Self::as_caller) says otherwise.
    #[track_caller]
    pub fn burn(&mut self, from: Address, amount: u128) -> Outcome {
        self.signed(from, Call::Operation { operation: Operation::Burn { from, amount } })
    }

    /// Runs an approval (`on_approve`), signed by `owner` unless [`as_caller`](Self::as_caller) says
    /// otherwise.
    #[track_caller]
    pub fn approve(&mut self, owner: Address, spender: Address, amount: u128) -> Outcome {
        self.signed(owner, Call::Operation { operation: Operation::Approve { owner, spender, amount } })
    }

    /// Runs one hook alone on `operation` (the native mutation is not applied).
    #[track_caller]
    pub fn hook(&mut self, hook: HookKind, operation: Operation) -> Outcome {
        self.call(Call::Hook { hook, operation })
    }

    /// Runs the view `name` (export `view_<name>`) with `args`.
    #[track_caller]
    pub fn view(&mut self, name: &str, args: impl AsRef<[u8]>) -> Outcome {
        self.call(Call::View { name: name.into(), args: args.as_ref().to_vec() })
    }

    /// Runs the method `name` (export `method_<name>`) with `args` (see [`crate::encode`]).
    #[track_caller]
    pub fn method(&mut self, name: &str, args: impl AsRef<[u8]>) -> Outcome {
        self.call(Call::Method { name: name.into(), args: args.as_ref().to_vec() })
    }

    /// Runs any call, signed by the context's caller unless [`as_caller`](Self::as_caller) says
    /// otherwise.
    ///
    /// # Panics
    /// If the VM itself fails (no receipt exists).
    #[track_caller]
    pub fn call(&mut self, call: Call) -> Outcome {
        self.try_call(call).unwrap_or_else(|e| panic!("{e}"))
    }

    #[track_caller]
    fn signed(&mut self, signer: Address, call: Call) -> Outcome {
        self.next.caller.get_or_insert(signer);
        self.call(call)
    }

    /// Runs any call, as [`call`](Self::call), returning a failure of the VM itself as an error.
    ///
    /// # Errors
    /// The VM failed (no receipt), or a successful receipt's diff did not apply.
    pub fn try_call(&mut self, call: Call) -> Result<Outcome> {
        let next = std::mem::take(&mut self.next);
        let mut context = self.context.clone();
        context.caller = next.caller.unwrap_or(context.caller);
        let gas_limit = next.gas_limit.unwrap_or(self.gas_limit);
        let name = next.name.unwrap_or_else(|| call_name(&call));
        let invocation = Invocation { token: self.token, call };
        let tx = Transaction { code: &self.code, invocation: &invocation, context: &context, gas_limit };
        let receipt = match self.profiles.as_mut() {
            None => self.vm.execute(&self.state, &tx)?,
            Some(profiles) => {
                let options = vm::ExecOptions::default();
                let (execution, profile) = self.vm.profile(&self.state, &tx, &options)?;
                let (index, status) = (self.steps.len() + 1, execution.receipt.status);
                profiles.push(StepProfile { index, name: name.clone(), status, profile });
                execution.receipt
            }
        };
        if receipt.status.is_success() {
            self.state.apply(&receipt.diff)?;
        }
        let index = self.steps.len() + 1;
        self.steps.push(GasRow {
            index,
            name: name.clone(),
            status: receipt.status,
            fault: receipt.fault,
            gas_used: receipt.gas_used,
            gas_limit,
        });
        Ok(Outcome { index, name, caller: context.caller, receipt })
    }

    // ---- reading the state ----

    /// The token.
    pub fn token(&self) -> TokenId {
        self.token
    }

    /// The token's owner.
    pub fn owner(&self) -> Address {
        self.state.tokens.get(&self.token).map_or(Address::ZERO, |t| t.info.owner)
    }

    /// An account's balance now.
    pub fn balance(&self, account: Address) -> u128 {
        self.state.balance(&self.token, &account).unwrap_or(0)
    }

    /// The token's supply now.
    pub fn supply(&self) -> u128 {
        self.state.supply(&self.token).unwrap_or(0)
    }

    /// A storage entry now (`None`: absent).
    pub fn storage(&self, key: impl AsRef<[u8]>) -> Option<Vec<u8>> {
        self.state.storage(&self.token, key.as_ref()).ok().flatten()
    }

    /// A storage entry now, decoded from borsh (`None`: absent).
    ///
    /// # Panics
    /// If the entry is not the borsh encoding of a `T`.
    #[track_caller]
    pub fn storage_as<T: borsh::BorshDeserialize>(&self, key: impl AsRef<[u8]>) -> Option<T> {
        let key = key.as_ref();
        self.storage(key).map(|v| {
            borsh::from_slice(&v).unwrap_or_else(|e| {
                panic!(
                    "storage {} = {} is not a {}: {e}",
                    text::bytes(key),
                    abi::hex::encode(&v),
                    std::any::type_name::<T>()
                )
            })
        })
    }

    /// The whole state now.
    pub fn state(&self) -> &InMemoryState {
        &self.state
    }

    /// The context calls run in now.
    pub fn context(&self) -> &Context {
        &self.context
    }

    /// The module's bytes.
    pub fn code(&self) -> &[u8] {
        &self.code
    }

    /// Every call so far with its status and gas, as a table (`Display`).
    pub fn gas_report(&self) -> GasReport {
        GasReport { rows: self.steps.clone() }
    }

    /// Profiles every later call (`spec/profile.md`): same receipts, and gas per function in
    /// [`TestChain::function_report`].
    pub fn with_profiling(mut self) -> Self {
        self.profiles.get_or_insert_with(Vec::new);
        self
    }

    /// The profile of every call made since [`TestChain::with_profiling`] (empty without it).
    pub fn profiles(&self) -> &[StepProfile] {
        self.profiles.as_deref().unwrap_or_default()
    }

    /// Gas per guest and host function over every profiled call.
    pub fn function_report(&self) -> FunctionReport {
        FunctionReport::new(self.profiles())
    }
}

/// The name of an unnamed step: its call in words.
fn call_name(call: &Call) -> String {
    match call {
        Call::Operation { operation } => text::operation(operation),
        Call::Hook { hook, operation } => format!("{} on {}", hook.export_name(), text::operation(operation)),
        Call::View { name, args } => format!("view {name}({})", abi::hex::encode(args)),
        Call::Method { name, args } => format!("method {name}({})", abi::hex::encode(args)),
    }
}
