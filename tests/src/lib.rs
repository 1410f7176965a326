//! Shared helpers for the integration tests: fixtures (accounts, tokens, states, contexts), the
//! example token script, and one-line execution helpers.

use abi::{Address, Call, Context, Hash32, Invocation, Operation, Receipt, TokenId, TokenInfo, TokenPolicy};
use std::collections::BTreeMap;
use vm::{InMemoryState, Rules, TokenState, Transaction, Vm};

/// The example token script (`examples/token.wat`) as WAT.
pub const TOKEN_WAT: &str = include_str!("../../examples/token.wat");

/// The example token script compiled to a WebAssembly binary.
///
/// # Panics
/// If the shipped WAT does not parse (a broken checkout).
pub fn token_wasm() -> Vec<u8> {
    wat::parse_str(TOKEN_WAT).expect("examples/token.wat parses")
}

/// Compiles inline WAT.
///
/// # Panics
/// On a WAT syntax error: fixtures are written by hand.
#[track_caller]
pub fn wasm(wat: &str) -> Vec<u8> {
    wat::parse_str(wat).unwrap_or_else(|e| panic!("fixture WAT does not parse: {e}"))
}

/// Account `n`: 32 bytes of `n`.
pub fn addr(n: u8) -> Address {
    Address([n; 32])
}

/// The token every fixture uses.
pub const TOKEN: TokenId = TokenId([0x70; 32]);

/// The owner of [`TOKEN`].
pub fn owner() -> Address {
    addr(0xee)
}

/// A state holding [`TOKEN`] with `balances` (supply is their sum) and the given policy.
pub fn state_with(balances: &[(Address, u128)], policy: TokenPolicy) -> InMemoryState {
    let balances: BTreeMap<Address, u128> = balances.iter().copied().collect();
    let supply = balances.values().sum();
    let token =
        TokenState { info: TokenInfo { owner: owner(), policy }, supply, balances, storage: BTreeMap::new() };
    InMemoryState { tokens: BTreeMap::from([(TOKEN, token)]) }
}

/// A policy that lets the script mint and burn up to `max_supply`.
pub fn permissive(max_supply: u128) -> TokenPolicy {
    TokenPolicy { script_can_mint: true, script_can_burn: true, max_supply }
}

/// A policy that forbids script mints and burns.
pub fn strict(max_supply: u128) -> TokenPolicy {
    TokenPolicy { script_can_mint: false, script_can_burn: false, max_supply }
}

/// The default state: accounts 1 and 2 hold 5,000 each; script minting allowed up to 1,000,000.
pub fn default_state() -> InMemoryState {
    state_with(&[(addr(1), 5_000), (addr(2), 5_000)], permissive(1_000_000))
}

/// A context at height 7 signed by `caller`.
pub fn context(caller: Address) -> Context {
    Context {
        height: 7,
        timestamp_ms: 1_700_000_000_000,
        tx_hash: Hash32([0x11; 32]),
        prev_block_hash: Hash32([0x22; 32]),
        caller,
    }
}

/// A VM with the default rules.
pub fn vm() -> Vm {
    Vm::new(Rules::default())
}

/// A transfer operation.
pub fn transfer(from: Address, to: Address, amount: u128) -> Operation {
    Operation::Transfer { from, to, amount }
}

/// Runs `call` on [`TOKEN`] with `code` against `state`, signed by account 1.
///
/// # Panics
/// If the host itself fails (tests expect receipts).
#[track_caller]
pub fn run(vm: &Vm, state: &InMemoryState, code: &[u8], call: Call, gas_limit: u64) -> Receipt {
    run_as(vm, state, code, call, gas_limit, addr(1))
}

/// As [`run`], signed by `caller`.
///
/// # Panics
/// If the host itself fails.
#[track_caller]
pub fn run_as(
    vm: &Vm,
    state: &InMemoryState,
    code: &[u8],
    call: Call,
    gas_limit: u64,
    caller: Address,
) -> Receipt {
    let invocation = Invocation { token: TOKEN, call };
    let context = context(caller);
    let tx = Transaction { code, invocation: &invocation, context: &context, gas_limit };
    vm.execute(state, &tx).unwrap_or_else(|e| panic!("host failure: {e}"))
}

/// A view call.
pub fn view(name: &str, args: &[u8]) -> Call {
    Call::View { name: name.into(), args: args.to_vec() }
}

/// A method call.
pub fn method(name: &str, args: &[u8]) -> Call {
    Call::Method { name: name.into(), args: args.to_vec() }
}

/// A whole operation pipeline.
pub fn operation(op: Operation) -> Call {
    Call::Operation { operation: op }
}

/// Ample gas for any fixture.
pub const GAS: u64 = 10_000_000;

/// Every host import, named `$<name>`, for inline fixtures (`format!("(module {IMPORTS} ...)")`):
/// generated from the host table ([`abi::wat_imports`]), so a new host function is importable as
/// soon as it is in `abi::HOST_FUNCTIONS`.
pub const IMPORTS: Imports = Imports;

/// The type of [`IMPORTS`]: displays as every host function's WAT import, one a line.
#[derive(Clone, Copy, Debug)]
pub struct Imports;

impl std::fmt::Display for Imports {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&abi::wat_imports())
    }
}

/// A module with every host import, one exported page of memory, and `body` (functions, data...).
#[track_caller]
pub fn module(body: &str) -> Vec<u8> {
    wasm(&format!("(module {IMPORTS} (memory (export \"memory\") 1) {body})"))
}

pub mod blocks;
pub mod c_header;
pub mod isolated;
pub mod oracles;
pub mod xarch_gen;
