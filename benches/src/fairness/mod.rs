//! The fairness benchmark's workloads (issue 9, "gas must track time"): for every operator class of
//! the gas table, every host function with worst-case inputs, calls, loading of worst-case modules
//! and checkpoints, a workload run through the real [`vm::Vm`], so that `src/bin/fairness.rs` can
//! report wall nanoseconds per gas and the worst-to-median ratio (`benches/README.md#fairness`).
//!
//! Execution workloads are a loop of `n` iterations whose body repeats one operation; the bin runs
//! them at `n` and `2n` on a warm module cache and divides the difference in time by the difference
//! in gas, so fixed per-execution work cancels out. Loading workloads are one execution of a
//! worst-case module on a fresh [`vm::Vm`] (a cache miss: validate, instrument, compile,
//! instantiate), measured whole.

mod exec;
mod load;

pub use exec::exec_workloads;
pub use load::load_workloads;

use abi::{Address, Call, Context, Hash32, Invocation, TokenId, TokenInfo, TokenPolicy};
use std::collections::BTreeMap;
use vm::{InMemoryState, TokenState};

/// How a workload is measured.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// Warm module, marginal time per marginal gas between `n` and `2n` iterations.
    Exec,
    /// Warm module, one whole execution with a checkpoint interval (marginal, as [`Kind::Exec`]).
    Checkpoints(u64),
    /// Warm module, one whole execution: time over gas (per-execution costs).
    Whole,
    /// Cold: a fresh `Vm` per run; whole time over whole gas.
    Load,
}

/// One workload.
pub struct Workload {
    /// Name, `class/variant`.
    pub name: String,
    /// How it is measured.
    pub kind: Kind,
    /// The module for `n` iterations (loading workloads ignore `n`).
    pub build: Box<dyn Fn(u32) -> Vec<u8>>,
    /// Iterations of the smaller run (the larger runs `2n`).
    pub n: u32,
    /// Method arguments (the input `input_size`/`input_read` see).
    pub args: Vec<u8>,
}

/// The token every workload runs on.
pub const TOKEN: TokenId = TokenId([0x70; 32]);

/// Storage keys of the state: [`KEY_LEN`]-byte keys, `KEY_PREFIX` bytes of `b'k'` then a
/// little-endian `u32` index, each holding a [`VALUE_LEN`]-byte value.
pub const KEY_LEN: u32 = 256;
/// The maximal value length (`DEFAULT_MAX_VALUE_LEN`).
pub const VALUE_LEN: usize = 16 * 1024;
/// Stored keys: enough for the largest distinct-key read workload.
pub const STORED_KEYS: u32 = 4_096;
/// Accounts holding a balance: `account(i)` for `i < FUNDED`.
pub const FUNDED: u32 = 4_096;

/// The storage key of index `i`.
pub fn key(i: u32) -> Vec<u8> {
    let mut k = vec![b'k'; KEY_LEN as usize - 4];
    k.extend_from_slice(&i.to_le_bytes());
    k
}

/// Account `i`: 28 bytes of `0xaa` then a little-endian `u32` index.
pub fn account(i: u32) -> Address {
    let mut a = [0xaa; 32];
    a[28..].copy_from_slice(&i.to_le_bytes());
    Address(a)
}

/// A state with [`STORED_KEYS`] maximal storage entries, [`FUNDED`] funded accounts, and a policy
/// letting the script mint and burn.
pub fn state() -> InMemoryState {
    state_with(STORED_KEYS)
}

/// As [`state`] with only `keys` storage entries (loading workloads read none).
pub fn state_with(keys: u32) -> InMemoryState {
    let storage = (0..keys).map(|i| (key(i), vec![(i % 251) as u8; VALUE_LEN])).collect();
    let balances: BTreeMap<Address, u128> = (0..FUNDED).map(|i| (account(i), 1u128 << 100)).collect();
    let supply = balances.values().sum();
    let policy = TokenPolicy { script_can_mint: true, script_can_burn: true, max_supply: u128::MAX };
    let info = TokenInfo { owner: account(0), policy };
    let token = TokenState { info, supply, balances, storage };
    InMemoryState { tokens: BTreeMap::from([(TOKEN, token)]) }
}

/// The invocation of a workload: `method_run` with `args`.
pub fn invocation(args: Vec<u8>) -> Invocation {
    Invocation { token: TOKEN, call: Call::Method { name: "run".into(), args } }
}

/// The block context, signed by account 0.
pub fn context() -> Context {
    Context {
        height: 7,
        timestamp_ms: 1_700_000_000_000,
        tx_hash: Hash32([0x11; 32]),
        prev_block_hash: Hash32([0x22; 32]),
        caller: account(0),
    }
}

/// Compiles WAT, panicking on a generator bug.
///
/// # Panics
/// If `wat` does not parse.
pub fn wat(wat: &str) -> Vec<u8> {
    wat::parse_str(wat).unwrap_or_else(|e| panic!("fairness WAT: {e}"))
}
