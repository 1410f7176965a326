//! The transfer fixture every transfer bench shares: the example token script, a state in which its
//! storage already holds a counter and a limit (so every read hits), and a transfer of 100 from
//! account 1 to account 2, signed by account 1.

use abi::{Address, Call, Context, Hash32, Invocation, Operation, TokenId, TokenInfo, TokenPolicy};
use std::collections::BTreeMap;
use vm::{InMemoryState, TokenState, Transaction};

/// The example token script (`examples/token.wat`).
pub const TOKEN_WAT: &str = include_str!("../../examples/token.wat");

/// Gas for one transfer: ample (a transfer uses about 210,000 under gas table 2, mostly loading).
pub const TRANSFER_GAS: u64 = 1_000_000;

/// The amount every bench transfers.
pub const AMOUNT: u128 = 100;

/// Initial value of the script's "count" storage entry.
pub const COUNT: u64 = 41;

/// Value of the script's "limit" storage entry.
pub const LIMIT: u64 = 1_000_000;

/// The example token script compiled to a binary.
///
/// # Panics
/// If the shipped WAT does not parse (a broken checkout).
pub fn token_wasm() -> Vec<u8> {
    wat::parse_str(TOKEN_WAT).expect("examples/token.wat parses")
}

/// Bytes of memory the small-memory variant of the script declares: what `examples/token.wat` uses
/// (its input, strings and scratch words lie below 2,200) rounded up to 4 KiB.
pub const SMALL_MEMORY_BYTES: u32 = 4096;

/// The example token script with its 64 KiB page replaced by [`SMALL_MEMORY_BYTES`] bytes of 1-byte
/// pages (`spec/determinism.md#memory`): the same transfer, on a memory a sixteenth the size.
///
/// # Panics
/// If the shipped WAT does not declare its memory as expected, or does not parse.
pub fn token_wasm_small_memory() -> Vec<u8> {
    let page = r#"(memory (export "memory") 1)"#;
    assert!(TOKEN_WAT.contains(page), "examples/token.wat declares one 64 KiB page");
    let small = format!(r#"(memory (export "memory") {SMALL_MEMORY_BYTES} (pagesize 1))"#);
    wat::parse_str(TOKEN_WAT.replace(page, &small)).expect("the small-memory token parses")
}

/// Account `n`: 32 bytes of `n`.
pub fn addr(n: u8) -> Address {
    Address([n; 32])
}

/// The token.
pub const TOKEN: TokenId = TokenId([0x70; 32]);

/// The sender.
pub fn from() -> Address {
    addr(1)
}

/// The recipient.
pub fn to() -> Address {
    addr(2)
}

/// Accounts 1 and 2 hold 1,000,000 each; storage holds `count` and `limit`.
pub fn state() -> InMemoryState {
    let balances = BTreeMap::from([(from(), 1_000_000u128), (to(), 1_000_000u128)]);
    let storage = BTreeMap::from([
        (b"count".to_vec(), COUNT.to_le_bytes().to_vec()),
        (b"limit".to_vec(), LIMIT.to_le_bytes().to_vec()),
    ]);
    let policy = TokenPolicy { script_can_mint: false, script_can_burn: false, max_supply: u128::MAX };
    let token =
        TokenState { info: TokenInfo { owner: addr(0xee), policy }, supply: 2_000_000, balances, storage };
    InMemoryState { tokens: BTreeMap::from([(TOKEN, token)]) }
}

/// The transfer operation.
pub fn operation() -> Operation {
    Operation::Transfer { from: from(), to: to(), amount: AMOUNT }
}

/// The whole pipeline for [`operation`] on [`TOKEN`].
pub fn invocation() -> Invocation {
    Invocation { token: TOKEN, call: Call::Operation { operation: operation() } }
}

/// A block context signed by the sender.
pub fn context() -> Context {
    Context {
        height: 7,
        timestamp_ms: 1_700_000_000_000,
        tx_hash: Hash32([0x11; 32]),
        prev_block_hash: Hash32([0x22; 32]),
        caller: from(),
    }
}

/// A transaction running `invocation` with `code`.
pub fn transaction<'a>(code: &'a [u8], invocation: &'a Invocation, context: &'a Context) -> Transaction<'a> {
    Transaction { code, invocation, context, gas_limit: TRANSFER_GAS }
}
