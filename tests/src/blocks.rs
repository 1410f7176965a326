//! Blocks for the block tests, the `block` fuzz oracle and the benches (`spec/block.md`): a state
//! of several tokens running the example script, and transactions over them, built by hand or
//! derived from bytes.

use crate::{addr, context, owner, permissive, token_wasm, wasm};
use abi::{Address, Call, Code, Context, Invocation, Operation, TokenId, TokenInfo, TxData};
use std::collections::BTreeMap;
use vm::{InMemoryState, TokenState};

/// Gas for each block transaction: ample for the example script.
pub const BLOCK_GAS: u64 = 1_000_000;

/// Accounts that hold every block token: 1 to [`ACCOUNTS`].
pub const ACCOUNTS: u8 = 8;

/// Token `i` of a block state (`i` < 65,536).
pub fn block_token(i: usize) -> TokenId {
    let mut id = [0xb0; 32];
    id[..2].copy_from_slice(&(i as u16).to_le_bytes());
    TokenId(id)
}

/// `tokens` tokens, each with accounts 1 to [`ACCOUNTS`] holding 1,000 and script mints and burns
/// allowed up to 1,000,000.
pub fn block_state(tokens: usize) -> InMemoryState {
    let balances: BTreeMap<Address, u128> = (1..=ACCOUNTS).map(|n| (addr(n), 1_000)).collect();
    let supply = balances.values().sum();
    let token = TokenState {
        info: TokenInfo { owner: owner(), policy: permissive(1_000_000) },
        supply,
        balances,
        storage: BTreeMap::new(),
    };
    InMemoryState { tokens: (0..tokens).map(|i| (block_token(i), token.clone())).collect() }
}

/// The "upgraded" script of the block tests: no limit, no counter; `after_transfer` emits the
/// event `v2` with no data, `after_mint` the event `v2-mint`.
pub const UPGRADE_WAT: &str = r#"(module
  (import "tsvm" "emit_event" (func $emit (param i32 i32 i32 i32)))
  (memory (export "memory") 1)
  (data (i32.const 0) "v2-mint")
  (func (export "after_transfer") (call $emit (i32.const 0) (i32.const 2) (i32.const 0) (i32.const 0)))
  (func (export "after_mint") (call $emit (i32.const 0) (i32.const 7) (i32.const 0) (i32.const 0))))"#;

/// The two scripts a block's transactions run: the example token script and its upgrade.
#[derive(Clone)]
pub struct Scripts {
    /// `examples/token.wat`.
    pub token: Vec<u8>,
    /// [`UPGRADE_WAT`].
    pub upgrade: Vec<u8>,
}

impl Scripts {
    /// Both scripts, compiled.
    pub fn new() -> Self {
        Self { token: token_wasm(), upgrade: wasm(UPGRADE_WAT) }
    }
}

impl Default for Scripts {
    fn default() -> Self {
        Self::new()
    }
}

/// A block transaction: `call` on `token` with `code`, signed by `caller`, at block height 7.
pub fn block_tx(code: &[u8], token: TokenId, call: Call, caller: Address) -> TxData {
    let context = Context { caller, ..context(caller) };
    TxData {
        code: Code::Bytes(code.to_vec()),
        invocation: Invocation { token, call },
        context,
        gas_limit: BLOCK_GAS,
    }
}

/// A transfer of `amount` from account `from` to account `to` on token `token`, by the script.
pub fn transfer_tx(code: &[u8], token: usize, from: u8, to: u8, amount: u128) -> TxData {
    let operation = Operation::Transfer { from: addr(from), to: addr(to), amount };
    block_tx(code, block_token(token), Call::Operation { operation }, addr(from))
}

/// A block of `n` transfers cycling over `tokens` tokens and the accounts, each of 1 to 7 units
/// (so every one succeeds on [`block_state`]): the benches' block.
pub fn transfers(code: &[u8], tokens: usize, n: usize) -> Vec<TxData> {
    (0..n)
        .map(|i| {
            let from = (i % ACCOUNTS as usize) as u8 + 1;
            let to = from % ACCOUNTS + 1;
            transfer_tx(code, i % tokens, from, to, (i % 7) as u128 + 1)
        })
        .collect()
}

/// The dispute block of the tests, over 3 tokens: transactions 0 to 3 leave account 3 of token 1
/// alone, transaction 4 (a transfer from it, after the owner set token 1's limit to 9) is the first
/// to read its balance; transaction 1 runs the upgraded script on token 2.
pub fn dispute_block(scripts: &Scripts) -> Vec<TxData> {
    let code = &scripts.token;
    let set_limit = Call::Method { name: "set_limit".into(), args: 9u64.to_le_bytes().to_vec() };
    vec![
        transfer_tx(code, 0, 1, 2, 5),
        transfer_tx(&scripts.upgrade, 2, 3, 4, 5),
        transfer_tx(code, 1, 1, 2, 5),
        block_tx(code, block_token(1), set_limit, owner()),
        transfer_tx(code, 1, 3, 4, 5),
        transfer_tx(code, 0, 2, 1, 5),
    ]
}

/// A block derived from bytes: the first picks how many tokens (1 to 4), then every 4 bytes make
/// one transaction: token, kind (transfer, mint, burn, a method, a view, each by the example
/// script or, for an odd kind byte above 128, its upgrade), two accounts and an amount; amounts
/// reach past balances and limits so that some transactions fail.
pub fn block_from_bytes(scripts: &Scripts, data: &[u8]) -> (usize, Vec<TxData>) {
    let Some((first, rest)) = data.split_first() else { return (1, Vec::new()) };
    let tokens = usize::from(first % 4) + 1;
    let txs = rest.chunks_exact(4).take(64).map(|c| tx_from_bytes(scripts, tokens, [c[0], c[1], c[2], c[3]]));
    (tokens, txs.collect())
}

fn tx_from_bytes(scripts: &Scripts, tokens: usize, [t, kind, accounts, amount]: [u8; 4]) -> TxData {
    let code = if kind > 128 && kind % 2 == 1 { &scripts.upgrade } else { &scripts.token };
    let token = block_token(usize::from(t) % tokens);
    let (a, b) = (accounts % (ACCOUNTS + 1) + 1, accounts / 16 % (ACCOUNTS + 1) + 1);
    // Up to 255 * 8: past a balance of 1,000 and the script's limit of 1,000.
    let amount = u128::from(amount) * 8;
    let call = match kind % 8 {
        0..=2 => Call::Operation { operation: Operation::Transfer { from: addr(a), to: addr(b), amount } },
        3 => Call::Operation { operation: Operation::Mint { to: addr(a), amount } },
        4 => Call::Operation { operation: Operation::Burn { from: addr(a), amount } },
        5 => Call::Method { name: "set_limit".into(), args: (amount as u64).to_le_bytes().to_vec() },
        6 => {
            let mut args = addr(b).0.to_vec();
            args.extend_from_slice(&(amount as u64).to_le_bytes());
            Call::Method { name: "reward".into(), args }
        }
        _ => Call::View { name: "count".into(), args: Vec::new() },
    };
    // The owner signs a set_limit now and then, so that the limit changes within the block.
    let caller = if kind % 8 == 5 && accounts % 2 == 0 { owner() } else { addr(a) };
    block_tx(code, token, call, caller)
}
