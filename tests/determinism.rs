//! Determinism: the same execution gives byte-identical receipts, run after run, thread after
//! thread, cache state after cache state.

use abi::{Call, Operation, Receipt, StatusCode};
use std::sync::Arc;
use tsvm_tests::*;

fn calls() -> Vec<Call> {
    vec![
        operation(transfer(addr(1), addr(2), 10)),
        operation(transfer(addr(1), addr(2), 5_000)),
        operation(Operation::Mint { to: addr(3), amount: 9 }),
        view("count", &[]),
        method("set_limit", &7u64.to_le_bytes()),
        method("reward", &[0; 40]),
    ]
}

/// What each of [`calls`] must end in (`examples/token.wat`, signed by account 1, not the owner).
const OUTCOMES: [StatusCode; 6] = [
    StatusCode::Success,    // within the default limit of 1,000
    StatusCode::Reverted,   // above the limit: the before-hook reverts
    StatusCode::Success,    // the node's mint
    StatusCode::Success,    // a view
    StatusCode::Reverted,   // set_limit by someone other than the owner
    StatusCode::ZeroAmount, // reward of 0
];

fn receipts(vm: &vm::Vm) -> Vec<Vec<u8>> {
    let (state, code) = (default_state(), token_wasm());
    calls().into_iter().map(|c| borsh::to_vec(&run(vm, &state, &code, c, GAS)).unwrap()).collect()
}

#[test]
fn outcomes_are_the_scripts() {
    let got: Vec<StatusCode> =
        receipts(&vm()).iter().map(|b| borsh::from_slice::<Receipt>(b).expect("a receipt").status).collect();
    assert_eq!(got, OUTCOMES);
}

#[test]
fn twice_gives_identical_bytes() {
    let vm = vm();
    assert_eq!(receipts(&vm), receipts(&vm));
    assert_eq!(receipts(&vm), receipts(&tsvm_tests::vm()));
}

#[test]
fn threads_sharing_one_vm_give_identical_bytes() {
    let vm = Arc::new(vm());
    let expected = receipts(&vm);
    let handles: Vec<_> = (0..4)
        .map(|_| {
            let vm = Arc::clone(&vm);
            std::thread::spawn(move || (0..10).map(|_| receipts(&vm)).collect::<Vec<_>>())
        })
        .collect();
    for h in handles {
        for got in h.join().unwrap() {
            assert_eq!(got, expected);
        }
    }
}

#[test]
fn a_tiny_cache_that_keeps_rolling_over_changes_nothing() {
    let expected = receipts(&vm());
    let tiny = vm::Vm::with_cache_bounds(vm::Rules::default(), 1, 1);
    let other = module(r#"(func (export "method_t"))"#);
    for _ in 0..3 {
        assert_eq!(receipts(&tiny), expected);
        run(&tiny, &default_state(), &other, method("t", &[]), GAS);
    }
    assert!(tiny.cached_modules() <= 1);
}

#[test]
fn vm_is_send_and_sync() {
    fn check<T: Send + Sync>() {}
    check::<vm::Vm>();
}
