//! The baselines compute what tsvm computes, so the benches compare like with like.

use crate::fixtures::{self, AMOUNT, TOKEN};
use crate::kernels::{self, InstrumentedKernel, PlainKernel, KERNELS};
use crate::native::{self, NativeState};
use crate::plain::PlainToken;
use abi::{Call, Invocation};
use vm::{Rules, Transaction, Vm};

#[test]
fn transfer_baselines_match_tsvm() {
    let vm = Vm::new(Rules::default());
    let state = fixtures::state();
    let code = fixtures::token_wasm();
    let (invocation, context) = (fixtures::invocation(), fixtures::context());
    let receipt = vm.execute(&state, &fixtures::transaction(&code, &invocation, &context)).unwrap();
    assert!(receipt.status.is_success());
    assert_eq!(receipt.events.len(), 1);
    assert_eq!(receipt.diff.0.len(), 3);

    let op = fixtures::operation();
    let plain = PlainToken::new();
    let outcome = plain.transfer(&state, TOKEN, fixtures::from(), &op).unwrap();
    assert_eq!((outcome.events, outcome.diff), (receipt.events.clone(), receipt.diff.clone()));

    let mut reused = plain.reused(&state, TOKEN, fixtures::from()).unwrap();
    for _ in 0..3 {
        let outcome = reused.transfer(&op).unwrap();
        assert_eq!((outcome.events, outcome.diff), (receipt.events.clone(), receipt.diff.clone()));
    }

    let native_state = NativeState::from_state(&state, TOKEN);
    let outcome = native::transfer(&native_state, &fixtures::from(), &fixtures::to(), AMOUNT).unwrap();
    assert_eq!((outcome.events, outcome.diff), (receipt.events, receipt.diff));
}

#[test]
fn kernels_agree_across_runners() {
    let vm = Vm::new(Rules::default());
    let state = fixtures::state();
    let context = fixtures::context();
    for (name, body) in KERNELS {
        let wasm = kernels::module(body);
        let plain = PlainKernel::new(&wasm, false).run();
        assert_eq!(PlainKernel::new(&wasm, true).run(), plain, "{name}: fuel");
        let (instrumented, gas) = InstrumentedKernel::new(&wasm).run();
        assert_eq!(instrumented, plain, "{name}: instrumented");
        assert!(gas > 100_000, "{name}: a kernel is substantial work ({gas} gas)");
        let invocation = Invocation { token: TOKEN, call: Call::Method { name: "run".into(), args: vec![] } };
        let tx = Transaction { code: &wasm, invocation: &invocation, context: &context, gas_limit: u64::MAX };
        let receipt = vm.execute(&state, &tx).unwrap();
        assert!(receipt.status.is_success(), "{name}: {:?}", receipt.status);
        assert_eq!(receipt.return_data, plain.to_le_bytes(), "{name}: through the Vm");
        if name == "recursion" {
            assert_eq!(plain, 17_711, "fib(22)");
        }
    }
}

#[test]
fn large_module_is_about_100_kib_and_valid() {
    let wasm = crate::generate::large_module(100 * 1024);
    assert!((100 * 1024 - 1024..=100 * 1024 + 1024).contains(&wasm.len()), "{} bytes", wasm.len());
    let rules = Rules::default();
    let info = vm::validate(&wasm, &rules.limits).unwrap();
    vm::instrument(&wasm, &info, &rules.gas, &rules.limits).unwrap();
}

#[test]
fn distinct_tokens_are_distinct_and_valid() {
    let modules: Vec<_> = crate::generate::distinct_tokens(3).collect();
    assert!(modules[0] != modules[1] && modules[1] != modules[2]);
    for m in &modules {
        vm::validate(m, &Rules::default().limits).unwrap();
    }
}
