//! The cold path for a generated ~100 KiB integer-only module (`tsvm_benches::generate`):
//! - `instantiate/cold_100k/tsvm_prepare`: validate + instrument + compile (eager `Module::new`),
//!   what a module-cache miss costs, side by side with
//! - `instantiate/cold_100k/wasmi_module_new`: wasmi's eager `Module::new` on the input alone;
//! - `validate/module_100k` and `instrument/module_100k`: the first two stages alone.

// criterion_group! generates an undocumented public function.
#![allow(missing_docs)]

use criterion::{criterion_group, criterion_main, BatchSize, Criterion};
use std::hint::black_box;
use std::time::Duration;
use tsvm_benches::generate::large_module;
use tsvm_benches::plain_engine;
use vm::Rules;
use wasmi::Module;

fn bench_cold(c: &mut Criterion) {
    let wasm = large_module(100 * 1024);
    let rules = Rules::default();
    let info = vm::validate(&wasm, &rules.limits).expect("generated module is in the profile");
    let instrumented = vm::instrument(&wasm, &info, &rules.gas, &rules.limits).expect("instruments");
    eprintln!("cold path: input {} bytes, instrumented {} bytes", wasm.len(), instrumented.len());

    let mut group = c.benchmark_group("instantiate/cold_100k");
    group.sample_size(30).measurement_time(Duration::from_secs(5));
    // A wasmi engine never frees the code it compiled, so every iteration compiles into a fresh
    // engine, made and dropped (with the module) outside the timed routine.
    group.bench_function("tsvm_prepare", |b| {
        b.iter_batched(
            || plain_engine(false),
            |engine| {
                let info = vm::validate(black_box(&wasm), &rules.limits).expect("valid");
                let code = vm::instrument(&wasm, &info, &rules.gas, &rules.limits).expect("instruments");
                let module = Module::new(&engine, &code).expect("compiles");
                (engine, module)
            },
            BatchSize::PerIteration,
        )
    });
    group.bench_function("wasmi_module_new", |b| {
        b.iter_batched(
            || plain_engine(false),
            |engine| {
                let module = Module::new(&engine, black_box(&wasm)).expect("compiles");
                (engine, module)
            },
            BatchSize::PerIteration,
        )
    });
    group.finish();

    let mut group = c.benchmark_group("validate");
    group.sample_size(30);
    group.bench_function("module_100k", |b| {
        b.iter(|| vm::validate(black_box(&wasm), &rules.limits).expect("valid"))
    });
    group.finish();
    let mut group = c.benchmark_group("instrument");
    group.sample_size(30);
    group.bench_function("module_100k", |b| {
        b.iter(|| vm::instrument(black_box(&wasm), &info, &rules.gas, &rules.limits).expect("instruments"))
    });
    group.finish();
}

criterion_group!(benches, bench_cold);
criterion_main!(benches);
