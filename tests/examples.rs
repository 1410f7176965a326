//! The twelve example scripts: the six scenarios of `../shared/docs/token-scripts.md`, each written
//! in C (`examples/c/<name>.c`, built with `sdk/c/Makefile`) and in Rust (`examples/rust/<name>/`,
//! built with `tsvm-sdk` by `examples/rust/build.sh`), both committed as `.wasm`. The two languages
//! are held to one behaviour: one `tsvm.abi` interface (`spec/abi.md#script-abi`), one scenario file
//! apart from its `module` and `state` (`spec/scenario.md`), and every test below runs its accept and
//! reject paths against both modules through the testkit's `TestChain`, in the real VM with state
//! threaded between calls. The C modules' imports are checked in `c_kit.rs`.

use abi::{Address, HookKind, Operation, StatusCode};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use testkit::{encode, Outcome, TestChain};
use tsvm_tests::{addr, default_state, owner, TOKEN};

const NAMES: [&str; 6] = ["limit", "counter", "escrow", "vesting", "fee", "policy"];

/// The language an example module is written in: its directory under `examples/`.
#[derive(Clone, Copy, Debug)]
enum Lang {
    C,
    Rust,
}

const LANGS: [Lang; 2] = [Lang::C, Lang::Rust];

impl Lang {
    fn dir(self) -> PathBuf {
        let dir = match self {
            Lang::C => "c",
            Lang::Rust => "rust",
        };
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples").join(dir)
    }

    /// The committed module `examples/<lang>/<name>.wasm`.
    fn wasm(self, name: &str) -> Vec<u8> {
        let path = self.dir().join(format!("{name}.wasm"));
        std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
    }
}

/// Runs `test` on a chain of each language's `name` module over the default state (accounts 1 and 2
/// hold 5,000 each, the script may mint and burn up to a supply of 1,000,000, the owner is `0xee..`).
/// A failure names the language after the testkit's own message.
fn for_both(name: &str, test: impl Fn(&mut TestChain)) {
    for lang in LANGS {
        let mut chain = TestChain::with_state(lang.wasm(name), default_state(), TOKEN);
        if let Err(e) = catch_unwind(AssertUnwindSafe(|| test(&mut chain))) {
            let msg = e.downcast_ref::<String>().map(String::as_str).or(e.downcast_ref::<&str>().copied());
            panic!("{lang:?} {name}: {}", msg.unwrap_or("panicked"));
        }
    }
}

/// No events (`assert_events` of an empty list).
const NONE: &[(&str, &[u8])] = &[];

/// Asserts a revert with `reason` that emitted nothing (a failed call applies nothing: the chain
/// keeps its state).
#[track_caller]
fn refused(o: Outcome, reason: &str) {
    o.assert_reverted_with(reason).assert_events(NONE);
}

/// The payload of the module's one `tsvm.abi` custom section, parsed.
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
fn every_example_validates_fits_one_page_and_exports_what_its_abi_declares() {
    for lang in LANGS {
        for name in NAMES {
            let wasm = lang.wasm(name);
            let what = format!("{lang:?} {name}");
            let info = vm::validate(&wasm, &vm::Limits::default()).unwrap_or_else(|e| panic!("{what}: {e}"));
            assert_eq!(info.memory_pages, 1, "{what}: one page of memory");
            assert!(wasm.len() < 10 * 1024, "{what}: {} bytes", wasm.len());
            let abi = abi_section(&wasm);
            assert_eq!((&abi["abi_version"], &abi["name"]), (&1.into(), &name.into()), "{what}");
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
            assert_eq!(declared, exported, "{what}");
        }
    }
}

/// An ABI with `events` and `storage` present (both are optional: absent is none).
fn with_optional_lists(mut abi: serde_json::Value) -> serde_json::Value {
    for field in ["events", "storage"] {
        abi.as_object_mut().unwrap().entry(field).or_insert_with(|| serde_json::json!([]));
    }
    abi
}

#[test]
fn each_rust_example_declares_the_interface_of_its_c_twin() {
    for name in NAMES {
        let c = with_optional_lists(abi_section(&Lang::C.wasm(name)));
        let rust = with_optional_lists(abi_section(&Lang::Rust.wasm(name)));
        assert_eq!(rust, c, "{name}: the tsvm.abi sections differ");
    }
}

#[test]
fn each_rust_scenario_is_its_c_twins_but_for_module_and_state() {
    let read = |lang: Lang, name: &str| -> serde_json::Value {
        let path = lang.dir().join(format!("{name}.scenario.json"));
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
    };
    for name in NAMES {
        let (mut c, mut rust) = (read(Lang::C, name), read(Lang::Rust, name));
        for (lang, file) in [(Lang::C, &mut c), (Lang::Rust, &mut rust)] {
            let file = file.as_object_mut().unwrap();
            assert_eq!(file.remove("module"), Some(format!("{name}.wasm").into()), "{lang:?} {name}");
            let state = file.remove("state").and_then(|s| s.as_str().map(String::from));
            let state = state.unwrap_or_else(|| panic!("{lang:?} {name}: the state is a path"));
            let shared = Lang::C.dir().join("state.json").canonicalize().unwrap();
            assert_eq!(lang.dir().join(state).canonicalize().unwrap(), shared, "{lang:?} {name}: one state");
        }
        assert_eq!(rust, c, "{name}: the Rust and C scenarios differ");
    }
}

#[test]
fn limit_rejects_above_the_limit_and_the_owner_raises_it() {
    for_both("limit", |c| {
        c.view("limit", []).assert_return(encode(&1_000u128));
        refused(c.transfer(addr(1), addr(2), 1_001), "transfer above limit");
        c.transfer(addr(1), addr(2), 1_000).assert_success();
        assert_eq!((c.balance(addr(1)), c.balance(addr(2))), (4_000, 6_000));
        // Mints are not transfers: the hook does not run.
        c.mint(addr(1), 5_000).assert_success();
        // Only the owner sets the limit; malformed args are refused before anything else.
        refused(c.as_caller(addr(1)).method("set_limit", encode(&3_000u128)), "not owner");
        refused(c.as_caller(owner()).method("set_limit", [1, 2, 3]), "bad args");
        let set = c.as_caller(owner()).method("set_limit", encode(&3_000u128));
        set.assert_success().assert_events(&[("limit_set", encode(&3_000u128))]);
        assert_eq!(c.storage("limit"), Some(encode(&3_000u128)));
        c.view("limit", []).assert_return(encode(&3_000u128));
        c.transfer(addr(1), addr(2), 2_500).assert_success();
        assert_eq!((c.balance(addr(1)), c.balance(addr(2))), (6_500, 8_500));
        // A limit above 2^64 compares on both halves.
        c.as_caller(owner()).method("set_limit", encode(&(1u128 << 64))).assert_success();
        c.transfer(addr(2), addr(1), 8_500).assert_success();
    });
}

#[test]
fn counter_counts_every_hook_and_a_failed_operation_counts_nothing() {
    for_both("counter", |c| {
        c.view("count", []).assert_return(encode(&0u64));
        c.transfer(addr(1), addr(2), 10).assert_success(); // before + after
        c.mint(addr(3), 5).assert_success(); // before + after
        c.burn(addr(3), 5).assert_success(); // before + after
        let approve = Operation::Approve { owner: addr(1), spender: addr(2), amount: 1 };
        c.approve(addr(1), addr(2), 1).assert_success(); // on_approve
        c.hook(HookKind::AfterMint, approve).assert_success(); // one hook alone
        c.view("count", []).assert_return(encode(&8u64));
        assert_eq!(c.storage("count"), Some(encode(&8u64)));
        // The native transfer fails after the before-hook counted: nothing is applied.
        c.transfer(addr(1), addr(2), 1_000_000).assert_status(StatusCode::InsufficientBalance);
        c.view("count", []).assert_return(encode(&8u64));
        assert_eq!(c.supply(), 10_000);
    });
}

fn escrow_status(c: &mut TestChain, id: u64) -> u8 {
    c.as_caller(addr(9)).view("status", encode(&id)).assert_success().decode_return()
}

#[test]
fn escrow_runs_open_fund_release_and_refund_and_refuses_the_wrong_steps() {
    let (buyer, seller, hold) = (addr(1), addr(2), Address(TOKEN.0));
    let open = |id: u64, amount: u128| encode(&(id, seller, amount));
    let id = |id: u64| encode(&id);
    for_both("escrow", |c| {
        assert_eq!(escrow_status(c, 7), 0); // None
        refused(c.as_caller(buyer).method("open", open(7, 0)), "zero amount");
        let r = c.as_caller(buyer).method("open", open(7, 1_200));
        r.assert_success().assert_return(b"").assert_events(&[("opened", id(7))]);
        assert_eq!(escrow_status(c, 7), 1); // Open
        refused(c.as_caller(buyer).method("open", open(7, 5)), "escrow exists");
        refused(c.as_caller(buyer).method("release", id(7)), "not funded");
        refused(c.as_caller(seller).method("fund", id(7)), "not buyer");
        refused(c.as_caller(buyer).method("fund", id(8)), "no escrow");
        c.as_caller(buyer).method("fund", id(7)).assert_success().assert_events(&[("funded", id(7))]);
        assert_eq!((c.balance(buyer), c.balance(hold)), (3_800, 1_200));
        assert_eq!(escrow_status(c, 7), 2); // Funded

        // Nobody moves the held funds natively, whoever signs.
        refused(c.transfer(hold, addr(3), 1_200), "escrow funds are held");
        refused(c.as_caller(owner()).burn(hold, 1), "escrow funds are held");
        c.transfer(addr(2), addr(3), 1).assert_success(); // other transfers pass the hook
        c.transfer(addr(3), addr(2), 1).assert_success();
        refused(c.as_caller(buyer).method("fund", id(7)), "not open");
        refused(c.as_caller(seller).method("release", id(7)), "not buyer");
        refused(c.as_caller(buyer).method("refund", id(7)), "not seller");
        let r = c.as_caller(buyer).method("release", id(7));
        r.assert_success().assert_events(&[("released", id(7))]);
        assert_eq!((c.balance(seller), c.balance(hold)), (6_200, 0));
        assert_eq!(escrow_status(c, 7), 3); // Released
        refused(c.as_caller(buyer).method("release", id(7)), "not funded");

        // A second escrow, refunded by the seller.
        c.as_caller(buyer).method("open", open(8, 300)).assert_success();
        c.as_caller(buyer).method("fund", id(8)).assert_success();
        let r = c.as_caller(seller).method("refund", id(8));
        r.assert_success().assert_events(&[("refunded", id(8))]);
        assert_eq!((c.balance(buyer), c.balance(hold)), (3_800, 0));
        assert_eq!(escrow_status(c, 8), 4); // Refunded
                                            // Funding more than the buyer holds fails with the transfer's status, nothing applied.
        c.as_caller(buyer).method("open", open(9, 1_000_000)).assert_success();
        c.as_caller(buyer).method("fund", id(9)).assert_status(StatusCode::InsufficientBalance);
        assert_eq!(escrow_status(c, 9), 1);
        // The record is the borsh of {buyer, seller, amount, status}: 81 bytes at escrow/<id>.
        let key = [&b"escrow/"[..], &id(8)].concat();
        assert_eq!(c.storage(key), Some(encode(&(buyer, seller, 300u128, 4u8))));
        refused(c.as_caller(buyer).method("fund", [1, 2]), "bad args");
    });
}

#[test]
fn vesting_refuses_transfers_from_a_locked_account_until_the_timestamp() {
    for_both("vesting", |c| {
        let now = c.context().timestamp_ms;
        let until = now + 60_000;
        let lock = |account: Address, until_ms: u64| encode(&(account, until_ms));
        refused(c.as_caller(addr(1)).method("lock", lock(addr(1), until)), "not owner");
        let r = c.as_caller(owner()).method("lock", lock(addr(1), until));
        r.assert_success().assert_events(&[("locked", lock(addr(1), until))]);
        c.view("locked_until", encode(&addr(1))).assert_return(encode(&until));
        c.view("locked_until", encode(&addr(2))).assert_return(encode(&0u64));
        refused(c.transfer(addr(1), addr(2), 10), "account locked");
        refused(c.burn(addr(1), 10), "account locked");
        // Others transfer freely, also to the locked account.
        c.transfer(addr(2), addr(1), 10).assert_success();
        c.set_timestamp_ms(until - 1);
        refused(c.transfer(addr(1), addr(2), 10), "account locked");
        c.set_timestamp_ms(until); // the lock ends at its timestamp
        c.transfer(addr(1), addr(2), 10).assert_success();
        assert_eq!((c.balance(addr(1)), c.balance(addr(2))), (5_000, 5_000));

        // A later lock replaces an earlier one; a lock of 0 is stored and locks nothing.
        c.set_timestamp_ms(now);
        c.as_caller(owner()).method("lock", lock(addr(1), 0)).assert_success();
        let key = [&b"lock/"[..], &addr(1).0].concat();
        assert_eq!(c.storage(key), Some(encode(&0u64)));
        c.transfer(addr(1), addr(2), 1).assert_success();
    });
}

#[test]
fn fee_replaces_the_transfer_with_a_net_transfer_and_a_fee_to_the_owner() {
    for_both("fee", |c| {
        // No fee set: the native transfer goes through unchanged.
        c.view("fee_bps", []).assert_return(encode(&0u16));
        c.transfer(addr(1), addr(2), 100).assert_success().assert_events(NONE);
        assert_eq!((c.balance(addr(1)), c.balance(addr(2)), c.balance(owner())), (4_900, 5_100, 0));
        refused(c.as_caller(addr(1)).method("set_fee_bps", encode(&250u16)), "not owner");
        refused(c.as_caller(owner()).method("set_fee_bps", encode(&10_001u16)), "fee above 100%");
        let r = c.as_caller(owner()).method("set_fee_bps", encode(&250u16));
        r.assert_success().assert_events(&[("fee_set", encode(&250u16))]);
        assert_eq!(c.storage("fee_bps"), Some(encode(&250u16)));
        c.view("fee_bps", []).assert_return(encode(&250u16));
        // 2.5% of 1,000 is 25.
        let r = c.transfer(addr(1), addr(2), 1_000);
        r.assert_success().assert_events(&[("fee", encode(&25u128))]);
        assert_eq!((c.balance(addr(1)), c.balance(addr(2)), c.balance(owner())), (3_900, 6_075, 25));
        assert_eq!(c.supply(), 10_000);
        // A fee that rounds to zero leaves the native transfer alone.
        c.transfer(addr(1), addr(2), 39).assert_success().assert_events(NONE);
        assert_eq!(c.balance(addr(2)), 6_114);
        // The replacement is checked like any transfer: too little balance fails, nothing applied.
        c.transfer(addr(1), addr(2), 1_000_000).assert_status(StatusCode::InsufficientBalance);
        assert_eq!(c.balance(addr(1)), 3_861);
        // 100%: everything goes to the owner, and no transfer of 0 is made.
        c.as_caller(owner()).method("set_fee_bps", encode(&10_000u16)).assert_success();
        c.transfer(addr(1), addr(2), 61).assert_success().assert_events(&[("fee", encode(&61u128))]);
        assert_eq!((c.balance(addr(1)), c.balance(addr(2)), c.balance(owner())), (3_800, 6_114, 86));
    });
}

#[test]
fn policy_is_owner_only_and_enforced_on_transfers_mints_and_burns() {
    let policy = |max: u128, paused: bool| encode(&(max, paused));
    for_both("policy", |c| {
        c.view("policy", []).assert_return(policy(u128::MAX, false));
        c.transfer(addr(1), addr(2), 4_000).assert_success();
        refused(c.as_caller(addr(1)).method("set_policy", policy(500, false)), "not owner");
        refused(
            c.as_caller(owner()).method("set_policy", [&encode(&500u128)[..], &[2]].concat()),
            "bad args",
        );
        let r = c.as_caller(owner()).method("set_policy", policy(500, false));
        r.assert_success().assert_events(&[("policy", policy(500, false))]);
        assert_eq!(c.storage("policy"), Some(policy(500, false)));
        c.view("policy", []).assert_return(policy(500, false));
        refused(c.transfer(addr(2), addr(1), 501), "amount above policy max");
        refused(c.mint(addr(3), 501), "amount above policy max");
        c.transfer(addr(2), addr(1), 500).assert_success();
        c.mint(addr(3), 500).assert_success();
        c.as_caller(owner()).method("set_policy", policy(500, true)).assert_success();
        refused(c.transfer(addr(2), addr(1), 1), "paused");
        refused(c.burn(addr(3), 1), "paused");
        // Approvals are not policed.
        c.approve(addr(2), addr(1), 1).assert_success();
        c.as_caller(owner()).method("set_policy", policy(u128::MAX, false)).assert_success();
        c.burn(addr(3), 500).assert_success();
        assert_eq!((c.balance(addr(1)), c.balance(addr(2)), c.supply()), (1_500, 8_500, 10_000));
    });
}
