//! The six C example scripts (`examples/c/*.c`, built with `sdk/c/Makefile`, committed as `.wasm`)
//! against the real VM: the accept and reject paths of each scenario of
//! `../shared/docs/token-scripts.md`, state threaded between calls (a successful receipt's diff is
//! applied before the next call), asserting statuses, return data, events and balances.

use abi::{Address, Call, Context, Event, Hash32, HookKind, Invocation, Operation, Receipt, StatusCode};
use std::path::Path;
use tsvm_tests::{addr, default_state, method, operation, owner, transfer, view, GAS, TOKEN};
use vm::{InMemoryState, Transaction, Vm};

/// A chain of calls to one C example: the state after every successful call, and the block
/// timestamp the next call runs at.
struct Chain {
    vm: Vm,
    state: InMemoryState,
    code: Vec<u8>,
    timestamp_ms: u64,
}

impl Chain {
    /// `examples/c/<name>.wasm` over the default state (accounts 1 and 2 hold 5,000 each).
    fn new(name: &str) -> Self {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("../examples/c/{name}.wasm"));
        let code = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        Self { vm: tsvm_tests::vm(), state: default_state(), code, timestamp_ms: 1_700_000_000_000 }
    }

    /// Runs `call` signed by `caller`; applies the diff if it succeeded.
    #[track_caller]
    fn call(&mut self, caller: Address, call: Call) -> Receipt {
        let invocation = Invocation { token: TOKEN, call };
        let context = Context {
            height: 7,
            timestamp_ms: self.timestamp_ms,
            tx_hash: Hash32([0x11; 32]),
            prev_block_hash: Hash32([0x22; 32]),
            caller,
        };
        let tx = Transaction { code: &self.code, invocation: &invocation, context: &context, gas_limit: GAS };
        let receipt = self.vm.execute(&self.state, &tx).unwrap_or_else(|e| panic!("host failure: {e}"));
        // spec/profile.md: every call of the example profiles to its receipt's gas, unchanged.
        tsvm_tests::oracles::profile::check_profiled(&self.vm, &self.state, &tx, &receipt);
        if receipt.status.is_success() {
            self.state.apply(&receipt.diff).expect("a receipt's diff applies to its pre-state");
        }
        receipt
    }

    /// As [`Chain::call`], and asserts success.
    #[track_caller]
    fn ok(&mut self, caller: Address, call: Call) -> Receipt {
        let r = self.call(caller, call);
        assert_eq!(r.status, StatusCode::Success, "{r:?}");
        r
    }

    /// As [`Chain::call`], and asserts a revert with `reason` that changed nothing.
    #[track_caller]
    fn reverts(&mut self, caller: Address, call: Call, reason: &str) {
        let before = self.state.clone();
        let r = self.call(caller, call);
        assert_eq!(r.status, StatusCode::Reverted, "{r:?}");
        assert_eq!(String::from_utf8_lossy(&r.revert_reason), reason);
        assert!(r.diff.is_empty() && r.events.is_empty());
        assert_eq!(self.state, before);
    }

    fn balance(&self, account: Address) -> u128 {
        self.state.tokens[&TOKEN].balances.get(&account).copied().unwrap_or(0)
    }

    fn supply(&self) -> u128 {
        self.state.tokens[&TOKEN].supply
    }
}

fn event(topic: &str, data: &[u8]) -> Event {
    Event { topic: topic.as_bytes().to_vec(), data: data.to_vec() }
}

fn u128le(v: u128) -> Vec<u8> {
    v.to_le_bytes().to_vec()
}

/// Borsh of a tuple: the concatenation of its fields' encodings.
fn args(parts: &[&[u8]]) -> Vec<u8> {
    parts.concat()
}

#[test]
fn limit_rejects_above_the_limit_and_the_owner_raises_it() {
    let mut c = Chain::new("limit");
    assert_eq!(c.ok(addr(1), view("limit", &[])).return_data, u128le(1_000));
    c.reverts(addr(1), operation(transfer(addr(1), addr(2), 1_001)), "transfer above limit");
    c.ok(addr(1), operation(transfer(addr(1), addr(2), 1_000)));
    assert_eq!((c.balance(addr(1)), c.balance(addr(2))), (4_000, 6_000));
    // Only the owner sets the limit; malformed args are refused before anything else.
    c.reverts(addr(1), method("set_limit", &u128le(3_000)), "not owner");
    c.reverts(owner(), method("set_limit", &[1, 2, 3]), "bad args");
    let r = c.ok(owner(), method("set_limit", &u128le(3_000)));
    assert_eq!(r.events, [event("limit_set", &u128le(3_000))]);
    assert_eq!(c.ok(addr(1), view("limit", &[])).return_data, u128le(3_000));
    c.ok(addr(1), operation(transfer(addr(1), addr(2), 2_500)));
    assert_eq!((c.balance(addr(1)), c.balance(addr(2))), (1_500, 8_500));
    // A limit above 2^64 compares on both halves.
    c.ok(owner(), method("set_limit", &u128le(1 << 64)));
    c.ok(addr(2), operation(transfer(addr(2), addr(1), 8_500)));
}

#[test]
fn counter_counts_every_hook_and_a_failed_operation_counts_nothing() {
    let mut c = Chain::new("counter");
    assert_eq!(c.ok(addr(1), view("count", &[])).return_data, 0u64.to_le_bytes());
    c.ok(addr(1), operation(transfer(addr(1), addr(2), 10))); // before + after
    c.ok(owner(), operation(Operation::Mint { to: addr(3), amount: 5 })); // before + after
    c.ok(addr(3), operation(Operation::Burn { from: addr(3), amount: 5 })); // before + after
    let approve = Operation::Approve { owner: addr(1), spender: addr(2), amount: 1 };
    c.ok(addr(1), operation(approve.clone())); // on_approve
    c.ok(addr(1), Call::Hook { hook: HookKind::AfterMint, operation: approve }); // one hook alone
    assert_eq!(c.ok(addr(1), view("count", &[])).return_data, 8u64.to_le_bytes());
    // The native transfer fails after the before-hook counted: nothing is applied.
    let r = c.call(addr(1), operation(transfer(addr(1), addr(2), 1_000_000)));
    assert_eq!(r.status, StatusCode::InsufficientBalance);
    assert_eq!(c.ok(addr(1), view("count", &[])).return_data, 8u64.to_le_bytes());
    assert_eq!(c.supply(), 10_000);
}

fn escrow_open(id: u64, seller: Address, amount: u128) -> Call {
    method("open", &args(&[&id.to_le_bytes(), &seller.0, &amount.to_le_bytes()]))
}

fn status(c: &mut Chain, id: u64) -> u8 {
    let r = c.ok(addr(9), view("status", &id.to_le_bytes()));
    assert_eq!(r.return_data.len(), 1);
    r.return_data[0]
}

#[test]
fn escrow_runs_open_fund_release_and_refund_and_refuses_the_wrong_steps() {
    let (buyer, seller, hold) = (addr(1), addr(2), Address(TOKEN.0));
    let mut c = Chain::new("escrow");
    assert_eq!(status(&mut c, 7), 0); // None
    c.reverts(buyer, escrow_open(7, seller, 0), "zero amount");
    let r = c.ok(buyer, escrow_open(7, seller, 1_200));
    assert_eq!(r.events, [event("opened", &7u64.to_le_bytes())]);
    assert_eq!(status(&mut c, 7), 1); // Open
    c.reverts(buyer, escrow_open(7, seller, 5), "escrow exists");
    c.reverts(buyer, method("release", &7u64.to_le_bytes()), "not funded");
    c.reverts(seller, method("fund", &7u64.to_le_bytes()), "not buyer");
    c.reverts(buyer, method("fund", &8u64.to_le_bytes()), "no escrow");
    let r = c.ok(buyer, method("fund", &7u64.to_le_bytes()));
    assert_eq!(r.events, [event("funded", &7u64.to_le_bytes())]);
    assert_eq!((c.balance(buyer), c.balance(hold)), (3_800, 1_200));
    assert_eq!(status(&mut c, 7), 2); // Funded

    // Nobody moves the held funds natively, whoever signs.
    c.reverts(hold, operation(transfer(hold, addr(3), 1_200)), "escrow funds are held");
    c.reverts(owner(), operation(Operation::Burn { from: hold, amount: 1 }), "escrow funds are held");
    c.ok(addr(2), operation(transfer(addr(2), addr(3), 1))); // other transfers pass the hook
    c.ok(addr(3), operation(transfer(addr(3), addr(2), 1)));
    c.reverts(buyer, method("fund", &7u64.to_le_bytes()), "not open");
    c.reverts(seller, method("release", &7u64.to_le_bytes()), "not buyer");
    c.reverts(buyer, method("refund", &7u64.to_le_bytes()), "not seller");
    let r = c.ok(buyer, method("release", &7u64.to_le_bytes()));
    assert_eq!(r.events, [event("released", &7u64.to_le_bytes())]);
    assert_eq!((c.balance(seller), c.balance(hold)), (6_200, 0));
    assert_eq!(status(&mut c, 7), 3); // Released
    c.reverts(buyer, method("release", &7u64.to_le_bytes()), "not funded");

    // A second escrow, refunded by the seller.
    c.ok(buyer, escrow_open(8, seller, 300));
    c.ok(buyer, method("fund", &8u64.to_le_bytes()));
    let r = c.ok(seller, method("refund", &8u64.to_le_bytes()));
    assert_eq!(r.events, [event("refunded", &8u64.to_le_bytes())]);
    assert_eq!((c.balance(buyer), c.balance(hold)), (3_800, 0));
    assert_eq!(status(&mut c, 8), 4); // Refunded
                                      // Funding more than the buyer holds fails with the transfer's status, nothing applied.
    c.ok(buyer, escrow_open(9, seller, 1_000_000));
    let r = c.call(buyer, method("fund", &9u64.to_le_bytes()));
    assert_eq!(r.status, StatusCode::InsufficientBalance);
    assert_eq!(status(&mut c, 9), 1);
    // The record is the borsh of {buyer, seller, amount, status}: 81 bytes.
    let record = &c.state.tokens[&TOKEN].storage[&b"escrow/\x08\0\0\0\0\0\0\0".to_vec()];
    assert_eq!(record, &args(&[&buyer.0, &seller.0, &300u128.to_le_bytes(), &[4]]));
    c.reverts(buyer, method("fund", &[1, 2]), "bad args");
}

fn lock(account: Address, until_ms: u64) -> Call {
    method("lock", &args(&[&account.0, &until_ms.to_le_bytes()]))
}

#[test]
fn vesting_refuses_transfers_from_a_locked_account_until_the_timestamp() {
    let mut c = Chain::new("vesting");
    let until = c.timestamp_ms + 60_000;
    c.reverts(addr(1), lock(addr(1), until), "not owner");
    let r = c.ok(owner(), lock(addr(1), until));
    assert_eq!(r.events, [event("locked", &args(&[&addr(1).0, &until.to_le_bytes()]))]);
    assert_eq!(c.ok(addr(9), view("locked_until", &addr(1).0)).return_data, until.to_le_bytes());
    assert_eq!(c.ok(addr(9), view("locked_until", &addr(2).0)).return_data, 0u64.to_le_bytes());
    c.reverts(addr(1), operation(transfer(addr(1), addr(2), 10)), "account locked");
    c.reverts(addr(1), operation(Operation::Burn { from: addr(1), amount: 10 }), "account locked");
    // Others transfer freely, also to the locked account.
    c.ok(addr(2), operation(transfer(addr(2), addr(1), 10)));
    c.timestamp_ms = until - 1;
    c.reverts(addr(1), operation(transfer(addr(1), addr(2), 10)), "account locked");
    c.timestamp_ms = until; // the lock ends at its timestamp
    c.ok(addr(1), operation(transfer(addr(1), addr(2), 10)));
    assert_eq!((c.balance(addr(1)), c.balance(addr(2))), (5_000, 5_000));
}

#[test]
fn fee_replaces_the_transfer_with_a_net_transfer_and_a_fee_to_the_owner() {
    let mut c = Chain::new("fee");
    // No fee set: the native transfer goes through unchanged.
    c.ok(addr(1), operation(transfer(addr(1), addr(2), 100)));
    assert_eq!((c.balance(addr(1)), c.balance(addr(2)), c.balance(owner())), (4_900, 5_100, 0));
    c.reverts(addr(1), method("set_fee_bps", &250u16.to_le_bytes()), "not owner");
    c.reverts(owner(), method("set_fee_bps", &10_001u16.to_le_bytes()), "fee above 100%");
    let r = c.ok(owner(), method("set_fee_bps", &250u16.to_le_bytes()));
    assert_eq!(r.events, [event("fee_set", &250u16.to_le_bytes())]);
    assert_eq!(c.ok(addr(9), view("fee_bps", &[])).return_data, 250u16.to_le_bytes());
    // 2.5% of 1,000 is 25.
    let r = c.ok(addr(1), operation(transfer(addr(1), addr(2), 1_000)));
    assert_eq!(r.events, [event("fee", &u128le(25))]);
    assert_eq!((c.balance(addr(1)), c.balance(addr(2)), c.balance(owner())), (3_900, 6_075, 25));
    assert_eq!(c.supply(), 10_000);
    // A fee that rounds to zero leaves the native transfer alone.
    let r = c.ok(addr(1), operation(transfer(addr(1), addr(2), 39)));
    assert!(r.events.is_empty());
    assert_eq!(c.balance(addr(2)), 6_114);
    // The replacement is checked like any transfer: too little balance fails, nothing applied.
    let r = c.call(addr(1), operation(transfer(addr(1), addr(2), 1_000_000)));
    assert_eq!(r.status, StatusCode::InsufficientBalance);
    assert_eq!(c.balance(addr(1)), 3_861);
}

fn policy_args(max: u128, paused: bool) -> Vec<u8> {
    args(&[&max.to_le_bytes(), &[u8::from(paused)]])
}

#[test]
fn policy_is_owner_only_and_enforced_on_transfers_mints_and_burns() {
    let mut c = Chain::new("policy");
    assert_eq!(c.ok(addr(9), view("policy", &[])).return_data, policy_args(u128::MAX, false));
    c.ok(addr(1), operation(transfer(addr(1), addr(2), 4_000)));
    c.reverts(addr(1), method("set_policy", &policy_args(500, false)), "not owner");
    c.reverts(owner(), method("set_policy", &args(&[&u128le(500), &[2]])), "bad args");
    let r = c.ok(owner(), method("set_policy", &policy_args(500, false)));
    assert_eq!(r.events, [event("policy", &policy_args(500, false))]);
    assert_eq!(c.ok(addr(9), view("policy", &[])).return_data, policy_args(500, false));
    c.reverts(addr(2), operation(transfer(addr(2), addr(1), 501)), "amount above policy max");
    c.reverts(owner(), operation(Operation::Mint { to: addr(3), amount: 501 }), "amount above policy max");
    c.ok(addr(2), operation(transfer(addr(2), addr(1), 500)));
    c.ok(owner(), operation(Operation::Mint { to: addr(3), amount: 500 }));
    c.ok(owner(), method("set_policy", &policy_args(500, true)));
    c.reverts(addr(2), operation(transfer(addr(2), addr(1), 1)), "paused");
    c.reverts(addr(3), operation(Operation::Burn { from: addr(3), amount: 1 }), "paused");
    c.ok(owner(), method("set_policy", &policy_args(u128::MAX, false)));
    c.ok(addr(3), operation(Operation::Burn { from: addr(3), amount: 500 }));
    assert_eq!((c.balance(addr(1)), c.balance(addr(2)), c.supply()), (1_500, 8_500, 10_000));
}
