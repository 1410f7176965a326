//! `execute/kernel/<name>`: metering overhead on compute kernels (`tsvm_benches::kernels`), side by
//! side in one run, each from a cached module with a fresh store and instance per run:
//! - `wasmi`: plain wasmi 2.0, uninstrumented, fuel off (the baseline);
//! - `wasmi_fuel`: the same with wasmi's own fuel metering;
//! - `tsvm_instrumented`: the module as `vm::instrument` rewrites it (gas and stack metering) on
//!   the same plain wasmi, fuel off: tsvm's metering alone;
//! - `tsvm_vm`: the kernel as a method through `vm::Vm::execute` (metering plus everything an
//!   execution does: cache lookup, host state, receipt).

// criterion_group! generates an undocumented public function.
#![allow(missing_docs)]

use abi::{Call, Invocation};
use criterion::{criterion_group, criterion_main, Criterion};
use std::hint::black_box;
use std::time::Duration;
use tsvm_benches::fixtures::{self, TOKEN};
use tsvm_benches::kernels::{self, InstrumentedKernel, PlainKernel, KERNELS};
use vm::{Rules, Transaction, Vm};

fn bench_kernels(c: &mut Criterion) {
    let vm = Vm::new(Rules::default());
    let state = fixtures::state();
    let context = fixtures::context();
    let invocation = Invocation { token: TOKEN, call: Call::Method { name: "run".into(), args: vec![] } };
    for (name, body) in KERNELS {
        let wasm = kernels::module(body);
        let mut group = c.benchmark_group(format!("execute/kernel/{name}"));
        group.sample_size(20).measurement_time(Duration::from_secs(4));

        let plain = PlainKernel::new(&wasm, false);
        let fuel = PlainKernel::new(&wasm, true);
        let instrumented = InstrumentedKernel::new(&wasm);
        let tx = Transaction { code: &wasm, invocation: &invocation, context: &context, gas_limit: u64::MAX };
        let expected = plain.run();
        assert_eq!(fuel.run(), expected);
        assert_eq!(instrumented.run().0, expected);
        let receipt = vm.execute(&state, &tx).expect("tsvm runs");
        assert!(receipt.status.is_success() && receipt.return_data == expected.to_le_bytes());

        group.bench_function("wasmi", |b| b.iter(|| plain.run()));
        group.bench_function("wasmi_fuel", |b| b.iter(|| fuel.run()));
        group.bench_function("tsvm_instrumented", |b| b.iter(|| instrumented.run()));
        group.bench_function("tsvm_vm", |b| {
            b.iter(|| vm.execute(black_box(&state), black_box(&tx)).expect("runs"))
        });
        group.finish();
    }
}

criterion_group!(benches, bench_kernels);
criterion_main!(benches);
