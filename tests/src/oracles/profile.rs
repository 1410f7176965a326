//! The profile oracle (`spec/profile.md`): profiling changes nothing of an execution (receipt,
//! checkpoints, witness, trace), the profile's total is the receipt's `gas_used`, every unit of gas
//! has a category, and the profile regenerated from the execution's bundle is bit-identical.

use super::{generate, FUZZ_GAS};
use crate::{addr, default_state, method, operation, transfer, view};
use abi::{Call, Receipt};
use arbitrary::Unstructured;
use vm::{ExecOptions, Frame, InMemoryState, Profile, Rules, TraceLevel, Transaction, Vm};

/// Profiles `tx` and checks it against the unprofiled execution, whose receipt is `receipt` (from
/// [`Vm::execute`]); returns the profile.
///
/// # Panics
/// On any difference, a total other than `gas_used`, a stack without a category, or a host failure.
#[track_caller]
pub fn check_profiled(vm: &Vm, state: &InMemoryState, tx: &Transaction<'_>, receipt: &Receipt) -> Profile {
    let opts = ExecOptions { trace: TraceLevel::Full, checkpoint_interval: vm::MIN_CHECKPOINT_INTERVAL };
    let plain = vm.execute_with(state, tx, &opts).expect("no host failure");
    let (profiled, profile) = vm.profile(state, tx, &opts).expect("profiling: no host failure");
    assert_eq!(&plain.receipt, receipt, "the trace level changed the receipt");
    let bytes = |r: &Receipt| borsh::to_vec(r).expect("receipts serialize");
    assert_eq!(bytes(&profiled.receipt), bytes(receipt), "profiling changed the receipt");
    assert_eq!(profiled, plain, "profiling changed the checkpoints, witness or trace");
    check_totals(&profile, receipt.gas_used);
    let bundle = vm::record_bundle(vm, tx, &profiled);
    let (replayed, again) =
        vm::profile_bundle(vm, &bundle, &ExecOptions::default()).expect("bundle profiles");
    assert!(replayed.matched(), "bundle diverged: {:?}", replayed.mismatches);
    let json = |p: &Profile| serde_json::to_vec(p).expect("profiles serialize");
    assert_eq!(json(&again), json(&profile), "the bundle's profile differs from the live one");
    profile
}

/// The profile's own properties: total = `gas_used`, no empty stack and no zero entry, a category
/// at every root, host frames only as leaves.
#[track_caller]
pub fn check_totals(profile: &Profile, gas_used: u64) {
    assert_eq!(profile.gas_used, gas_used);
    assert_eq!(profile.total(), gas_used, "the profile does not add up to gas_used: {profile:?}");
    for s in &profile.stacks {
        assert!(s.gas > 0, "a zero entry: {s:?}");
        let (root, rest) = s.stack.split_first().expect("every unit of gas has a category");
        match root {
            Frame::Entry { .. } => {}
            Frame::Load | Frame::Compile | Frame::Instantiate | Frame::Native => assert!(rest.is_empty()),
            other => panic!("{other:?} as a root"),
        }
        for (i, f) in rest.iter().enumerate() {
            match f {
                Frame::Func { .. } => {}
                Frame::Host { .. } => assert_eq!(i + 1, rest.len(), "a host frame that is not a leaf"),
                other => panic!("{other:?} inside a stack"),
            }
        }
    }
}

/// `profile`: a generated profile module run as each kind of call, profiled and checked by
/// [`check_profiled`].
pub fn check_profile(data: &[u8]) {
    let mut u = Unstructured::new(data);
    let Ok(gas) = u.int_in_range(0..=FUZZ_GAS) else { return };
    let Ok(wasm) = generate::profile_module(&mut u) else { return };
    let calls: [Call; 4] = [
        method("a", &[]),
        view("v", &[]),
        operation(transfer(addr(1), addr(2), 10)),
        Call::Hook { hook: abi::HookKind::BeforeTransfer, operation: transfer(addr(2), addr(1), 1) },
    ];
    let vm = Vm::new(Rules::default());
    let state = default_state();
    for call in calls {
        let invocation = abi::Invocation { token: crate::TOKEN, call };
        let ctx = crate::context(addr(1));
        let tx = Transaction { code: &wasm, invocation: &invocation, context: &ctx, gas_limit: gas };
        let receipt = vm.execute(&state, &tx).expect("no host failure");
        check_profiled(&vm, &state, &tx, &receipt);
    }
}
