//! The Rust example scripts (`examples/rust/`, built with `tsvm-sdk` by `examples/rust/build.sh`)
//! against the real VM: each committed module validates, declares its ABI (`spec/abi.md#script-abi`),
//! and runs its scenario's accept and reject paths with state threaded between calls.

use abi::{Address, Call, Context, Event, Hash32, Invocation, Receipt, StatusCode};
use borsh::BorshSerialize;
use tsvm_tests::*;
use vm::{InMemoryState, Transaction};

const LIMIT: &[u8] = include_bytes!("../examples/rust/limit.wasm");
const COUNTER: &[u8] = include_bytes!("../examples/rust/counter.wasm");
const ESCROW: &[u8] = include_bytes!("../examples/rust/escrow.wasm");
const VESTING: &[u8] = include_bytes!("../examples/rust/vesting.wasm");
const FEE: &[u8] = include_bytes!("../examples/rust/fee.wasm");
const POLICY: &[u8] = include_bytes!("../examples/rust/policy.wasm");

const EXAMPLES: [(&str, &[u8]); 6] = [
    ("limit", LIMIT),
    ("counter", COUNTER),
    ("escrow", ESCROW),
    ("vesting", VESTING),
    ("fee", FEE),
    ("policy", POLICY),
];

/// The escrow script's vault account.
const VAULT: Address = Address([0xe5; 32]);

/// A chain of one token running one script: every successful call's diff is applied before the next.
struct Chain {
    vm: vm::Vm,
    state: InMemoryState,
    code: &'static [u8],
    timestamp_ms: u64,
}

impl Chain {
    /// Accounts 1 and 2 hold 5,000 each; the script may mint and burn up to 1,000,000.
    fn new(code: &'static [u8]) -> Self {
        Self { vm: vm(), state: default_state(), code, timestamp_ms: 1_700_000_000_000 }
    }

    /// Runs `call` signed by `caller`; applies its diff if it succeeded.
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
        let tx = Transaction { code: self.code, invocation: &invocation, context: &context, gas_limit: GAS };
        let r = self.vm.execute(&self.state, &tx).unwrap_or_else(|e| panic!("host failure: {e}"));
        if r.status == StatusCode::Success {
            self.state.apply(&r.diff).unwrap();
        } else {
            assert!(r.diff.is_empty() && r.events.is_empty(), "a failed call applies nothing: {r:?}");
        }
        r
    }

    /// Runs `call` and expects success.
    #[track_caller]
    fn ok(&mut self, caller: Address, call: Call) -> Receipt {
        let r = self.call(caller, call);
        assert_eq!(r.status, StatusCode::Success, "{:?}", String::from_utf8_lossy(&r.revert_reason));
        r
    }

    /// Runs `call` and expects a revert with exactly `reason`.
    #[track_caller]
    fn reverts(&mut self, caller: Address, call: Call, reason: &str) {
        let r = self.call(caller, call);
        assert_eq!(
            (r.status, String::from_utf8_lossy(&r.revert_reason).as_ref()),
            (StatusCode::Reverted, reason)
        );
    }

    fn balance(&self, account: Address) -> u128 {
        self.state.tokens[&TOKEN].balances.get(&account).copied().unwrap_or(0)
    }

    fn supply(&self) -> u128 {
        self.state.tokens[&TOKEN].supply
    }
}

/// The borsh of `args`: a view's or method's arguments as a tuple (contract 1).
fn args(args: impl BorshSerialize) -> Vec<u8> {
    borsh::to_vec(&args).unwrap()
}

fn event(topic: &str, data: impl BorshSerialize) -> Event {
    Event { topic: topic.as_bytes().to_vec(), data: args(data) }
}

fn mint(to: Address, amount: u128) -> Call {
    operation(abi::Operation::Mint { to, amount })
}

fn burn(from: Address, amount: u128) -> Call {
    operation(abi::Operation::Burn { from, amount })
}

fn approve(owner: Address, spender: Address, amount: u128) -> Call {
    operation(abi::Operation::Approve { owner, spender, amount })
}

fn send(from: Address, to: Address, amount: u128) -> Call {
    operation(transfer(from, to, amount))
}

/// The payload of the module's `tsvm.abi` custom section, parsed.
fn abi_section(wasm: &[u8]) -> serde_json::Value {
    let mut found = Vec::new();
    for payload in wasmparser::Parser::new(0).parse_all(wasm) {
        if let Ok(wasmparser::Payload::CustomSection(s)) = payload {
            if s.name() == "tsvm.abi" {
                found.push(serde_json::from_slice(s.data()).expect("the tsvm.abi section is JSON"));
            }
        }
    }
    assert_eq!(found.len(), 1, "one tsvm.abi section");
    found.remove(0)
}

#[test]
fn every_example_validates_fits_one_page_and_declares_its_abi() {
    for (name, wasm) in EXAMPLES {
        let info = vm::validate(wasm, &vm::Limits::default()).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(info.memory_pages, 1, "{name}: one page of memory");
        assert!(wasm.len() < 10 * 1024, "{name}: {} bytes", wasm.len());
        let abi = abi_section(wasm);
        assert_eq!(abi["abi_version"], 1, "{name}");
        assert_eq!(abi["name"], name);
        // Every declared hook, view and method is exported, and nothing else is an entry point.
        let mut declared: Vec<String> =
            abi["hooks"].as_array().unwrap().iter().map(|h| h.as_str().unwrap().into()).collect();
        for (kind, prefix) in [("views", "view_"), ("methods", "method_")] {
            for e in abi[kind].as_array().unwrap() {
                declared.push(format!("{prefix}{}", e["name"].as_str().unwrap()));
            }
        }
        let mut exported: Vec<String> = info.exports.iter().map(|e| e.name.clone()).collect();
        declared.sort();
        exported.sort();
        assert_eq!(declared, exported, "{name}");
    }
    let escrow = abi_section(ESCROW);
    assert_eq!(
        escrow["methods"][0],
        serde_json::json!({"name": "open", "args": [
        {"name": "seller", "type": "address"}, {"name": "amount", "type": "u128"}], "returns": "u64"})
    );
    assert_eq!(
        escrow["views"][0]["returns"],
        serde_json::json!({"enum": ["Open", "Funded", "Released", "Refunded"]})
    );
    assert_eq!(escrow["storage"][1]["prefix"], "deal/");
    assert_eq!(abi_section(VESTING)["views"][0]["returns"], serde_json::json!({"option": "u64"}));
}

#[test]
fn limit_rejects_transfers_above_it_with_a_formatted_reason() {
    let mut c = Chain::new(LIMIT);
    c.ok(addr(1), send(addr(1), addr(2), 1_000));
    assert_eq!((c.balance(addr(1)), c.balance(addr(2))), (4_000, 6_000));
    c.reverts(addr(1), send(addr(1), addr(2), 1_001), "transfer of 1001 above the limit of 1000");
    assert_eq!((c.balance(addr(1)), c.balance(addr(2))), (4_000, 6_000));
    // Mints are not transfers: the hook does not run.
    c.ok(addr(1), mint(addr(1), 5_000));
    assert_eq!(c.ok(addr(1), view("limit", &[])).return_data, 1_000u128.to_le_bytes());
    // A view with no arguments refuses some.
    c.reverts(addr(1), view("limit", &[0]), "invalid arguments");
}

#[test]
fn counter_counts_every_hook_and_a_failed_operation_counts_nothing() {
    let mut c = Chain::new(COUNTER);
    let count =
        |c: &mut Chain| u64::from_le_bytes(c.ok(addr(1), view("count", &[])).return_data.try_into().unwrap());
    assert_eq!(count(&mut c), 0);
    c.ok(addr(1), send(addr(1), addr(2), 10)); // before + after
    c.ok(addr(1), mint(addr(1), 10)); // before + after
    c.ok(addr(1), burn(addr(1), 10)); // before + after
    c.ok(addr(1), approve(addr(1), addr(2), 10)); // on_approve
    assert_eq!(count(&mut c), 7);
    assert_eq!(c.state.tokens[&TOKEN].storage[&b"count".to_vec()], 7u64.to_le_bytes());
    // The native transfer fails after the before-hook wrote: nothing is applied.
    let r = c.call(addr(1), send(addr(1), addr(2), 1_000_000));
    assert_eq!(r.status, StatusCode::InsufficientBalance);
    assert_eq!(count(&mut c), 7);
    // A lone hook runs without the native operation.
    c.ok(addr(1), Call::Hook { hook: abi::HookKind::AfterMint, operation: transfer(addr(1), addr(2), 1) });
    assert_eq!(count(&mut c), 8);
    assert_eq!(c.supply(), 10_000);
}

#[test]
fn escrow_runs_its_state_machine_and_refuses_every_wrong_step() {
    let (buyer, seller, stranger) = (addr(1), addr(2), addr(3));
    let mut c = Chain::new(ESCROW);
    let status = |c: &mut Chain, id: u64| c.ok(stranger, view("status", &args(id))).return_data;

    // Open: returns the id, emits it, stores the deal (buyer, seller, amount, status).
    let r = c.ok(buyer, method("open", &args((seller, 300u128))));
    assert_eq!(r.return_data, 0u64.to_le_bytes());
    assert_eq!(r.events, vec![event("opened", 0u64)]);
    let message = format!("deal 0 opened by 0x{} for 300", "01".repeat(32)).into_bytes();
    assert_eq!(r.logs, vec![abi::LogRecord { level: abi::LogLevel::Info, message }]);
    let mut key = b"deal/".to_vec();
    key.extend(0u64.to_le_bytes());
    assert_eq!(c.state.tokens[&TOKEN].storage[&key], args((buyer, seller, 300u128, 0u8)));
    assert_eq!(status(&mut c, 0), [0]);
    c.reverts(buyer, method("open", &args((seller, 0u128))), "amount must be positive");
    c.reverts(buyer, method("open", &args(seller)), "invalid arguments");

    // Fund: only the buyer, only once; the amount moves to the vault.
    c.reverts(seller, method("fund", &args(0u64)), "only the buyer funds");
    c.reverts(buyer, method("release", &args(0u64)), "deal 0 is not funded");
    let r = c.ok(buyer, method("fund", &args(0u64)));
    assert_eq!(r.events, vec![event("funded", 0u64)]);
    assert_eq!((c.balance(buyer), c.balance(VAULT)), (4_700, 300));
    assert_eq!(status(&mut c, 0), [1]);
    c.reverts(buyer, method("fund", &args(0u64)), "deal 0 is not open");

    // The vault's funds cannot leave by a native transfer.
    let mut rich = Chain { state: state_with(&[(VAULT, 1)], permissive(10)), ..Chain::new(ESCROW) };
    rich.reverts(VAULT, send(VAULT, buyer, 1), "the escrow vault moves only by release or refund");

    // Release: only the buyer; the seller is paid.
    c.reverts(seller, method("release", &args(0u64)), "only the buyer may settle deal 0 this way");
    let r = c.ok(buyer, method("release", &args(0u64)));
    assert_eq!(r.events, vec![event("released", 0u64)]);
    assert_eq!((c.balance(seller), c.balance(VAULT)), (5_300, 0));
    assert_eq!(status(&mut c, 0), [2]);
    c.reverts(seller, method("refund", &args(0u64)), "deal 0 is not funded");

    // A second deal, refunded by the seller.
    assert_eq!(c.ok(buyer, method("open", &args((seller, 50u128)))).return_data, 1u64.to_le_bytes());
    c.ok(buyer, method("fund", &args(1u64)));
    c.reverts(buyer, method("refund", &args(1u64)), "only the seller may settle deal 1 this way");
    c.ok(seller, method("refund", &args(1u64)));
    assert_eq!((c.balance(buyer), c.balance(VAULT)), (4_700, 0));
    assert_eq!(status(&mut c, 1), [3]);
    c.reverts(stranger, view("status", &args(9u64)), "no deal 9");
}

#[test]
fn vesting_locks_an_account_until_the_block_timestamp() {
    let mut c = Chain::new(VESTING);
    let until = c.timestamp_ms + 60_000;
    c.reverts(addr(1), method("lock", &args((addr(1), until))), "only the token owner may lock");
    let r = c.ok(owner(), method("lock", &args((addr(1), until))));
    assert_eq!(r.events, vec![event("locked", until)]);
    assert_eq!(c.ok(addr(2), view("locked_until", &args(addr(1)))).return_data, args(Some(until)));
    assert_eq!(c.ok(addr(2), view("locked_until", &args(addr(2)))).return_data, args(None::<u64>));

    let reason = format!("account locked until {until} (now {})", c.timestamp_ms);
    c.reverts(addr(1), send(addr(1), addr(2), 1), &reason);
    c.reverts(addr(1), burn(addr(1), 1), &reason);
    // Others move freely, also to the locked account.
    c.ok(addr(2), send(addr(2), addr(1), 100));
    c.timestamp_ms = until - 1;
    assert_eq!(c.call(addr(1), send(addr(1), addr(2), 1)).status, StatusCode::Reverted);
    c.timestamp_ms = until;
    c.ok(addr(1), send(addr(1), addr(2), 5_100));
    assert_eq!((c.balance(addr(1)), c.balance(addr(2))), (0, 10_000));

    // Unlocking removes the entry.
    c.timestamp_ms = 0;
    c.ok(owner(), method("lock", &args((addr(2), until))));
    c.reverts(addr(2), send(addr(2), addr(1), 1), &format!("account locked until {until} (now 0)"));
    c.ok(owner(), method("lock", &args((addr(2), 0u64))));
    let storage = &c.state.tokens[&TOKEN].storage;
    let lock_key = |a: Address| [&b"lock/"[..], &a.0].concat();
    assert!(storage.contains_key(&lock_key(addr(1))) && !storage.contains_key(&lock_key(addr(2))));
    c.ok(addr(2), send(addr(2), addr(1), 1));
}

#[test]
fn fee_replaces_the_transfer_with_a_net_transfer_and_a_fee() {
    let mut c = Chain {
        state: state_with(&[(addr(1), 5_000), (addr(2), 5_000)], strict(1_000_000)),
        ..Chain::new(FEE)
    };
    assert_eq!(c.ok(addr(1), view("fee_bps", &[])).return_data, 100u16.to_le_bytes());
    let r = c.ok(addr(1), send(addr(1), addr(2), 1_000));
    assert_eq!(r.events, vec![event("fee", 10u128)]);
    assert_eq!((c.balance(addr(1)), c.balance(addr(2)), c.balance(owner())), (4_000, 5_990, 10));

    // Too small for a fee, or from the treasury: the native transfer goes ahead.
    let r = c.ok(addr(1), send(addr(1), addr(2), 99));
    assert!(r.events.is_empty());
    c.ok(owner(), send(owner(), addr(2), 10));
    assert_eq!((c.balance(addr(1)), c.balance(addr(2)), c.balance(owner())), (3_901, 6_099, 0));

    // The owner sets the fee; nobody else, and not above 100%.
    c.reverts(addr(1), method("set_fee", &args(250u16)), "only the token owner may set the fee");
    c.reverts(owner(), method("set_fee", &args(10_001u16)), "fee of 10001 basis points above 10000");
    c.ok(owner(), method("set_fee", &args(250u16)));
    c.ok(addr(2), send(addr(2), addr(1), 1_000));
    assert_eq!((c.balance(addr(1)), c.balance(addr(2)), c.balance(owner())), (4_876, 5_099, 25));
    // The net transfer is checked like any other: above the balance, nothing happens.
    let r = c.call(addr(1), send(addr(1), addr(2), 4_877));
    assert_eq!(r.status, StatusCode::InsufficientBalance);
    // 100%: everything goes to the treasury (the net transfer of 0 is refused as zero).
    c.ok(owner(), method("set_fee", &args(10_000u16)));
    assert_eq!(c.call(addr(1), send(addr(1), addr(2), 10)).status, StatusCode::ZeroAmount);
    assert_eq!(c.supply(), 10_000);
}

#[test]
fn policy_is_updated_by_the_owner_and_enforced_by_the_before_hooks() {
    let mut c = Chain::new(POLICY);
    let open = args((u128::MAX, false));
    assert_eq!(c.ok(addr(1), view("current", &[])).return_data, open);
    c.ok(addr(1), send(addr(1), addr(2), 5_000));

    c.reverts(
        addr(2),
        method("set_policy", &args((100u128, true))),
        "only the token owner may set the policy",
    );
    let r = c.ok(owner(), method("set_policy", &args((100u128, false))));
    assert_eq!(r.events, vec![event("policy", (100u128, false))]);
    c.reverts(addr(2), send(addr(2), addr(1), 101), "transfer of 101 above the maximum of 100");
    c.ok(addr(2), send(addr(2), addr(1), 100));
    c.ok(addr(2), mint(addr(2), 1_000));

    c.ok(owner(), method("set_policy", &args((100u128, true))));
    c.reverts(addr(2), send(addr(2), addr(1), 1), "token paused");
    c.reverts(addr(2), mint(addr(2), 1), "token paused");
    c.reverts(addr(2), burn(addr(2), 1), "token paused");
    assert_eq!(c.ok(addr(1), view("current", &[])).return_data, args((100u128, true)));
    // Approvals are not policed.
    c.ok(addr(2), approve(addr(2), addr(1), 1));
    c.ok(owner(), method("set_policy", &args((u128::MAX, false))));
    c.ok(addr(2), burn(addr(2), 1));
    assert_eq!((c.balance(addr(1)), c.balance(addr(2)), c.supply()), (100, 10_899, 10_999));
}
