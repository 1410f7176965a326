//! A fixed amount of work for instruction counting (`valgrind --tool=callgrind`, deterministic where
//! wall-clock time on a shared machine is not): `count kernel <name> <wasmi|fuel|instrumented> <runs>`
//! runs a metering kernel `runs` times; `count cold
//! <validate|instrument|prepare|module_new|compile|compile_lazy|prepare_lazy> <runs>` runs a
//! cold-path stage on the generated 100 KiB module (`compile`: wasmi's eager `Module::new` of the
//! instrumented module; `compile_lazy` and `prepare_lazy`: `compile` and `prepare` with
//! `CompilationMode::LazyTranslation`, which tsvm does not use, for comparison); `count transfer
//! <runs>` executes the example token's transfer operation through `vm::Vm::execute` (the module
//! cached after the first);
//! `count session <runs>` does it in one `vm::Session` (the instance kept and reset); `count
//! untraced <runs>` as `transfer` with no trace (`Vm::execute_untraced_for_measurement`, the `off`
//! of `benches/trace.rs`); `count transfer-small|session-small <runs>` as `transfer` and `session`
//! with the script declaring a 4 KiB memory (`fixtures::token_wasm_small_memory`).
//! Setup is the same for every `runs`, so the difference between two counts is the work of the
//! extra runs.

use std::hint::black_box;
use tsvm_benches::generate::large_module;
use tsvm_benches::kernels::{self, InstrumentedKernel, PlainKernel, KERNELS};
use tsvm_benches::plain_engine;
use vm::Rules;
use wasmi::Module;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let usage = "usage: count kernel <name> <wasmi|fuel|instrumented> <runs> | count cold <stage> <runs> \
                 | count <transfer|session|untraced|transfer-small|session-small> <runs>";
    let mode = match args.get(1).map(String::as_str) {
        Some("transfer") => Some((Transfer::Fresh, false)),
        Some("session") => Some((Transfer::Session, false)),
        Some("untraced") => Some((Transfer::Untraced, false)),
        Some("transfer-small") => Some((Transfer::Fresh, true)),
        Some("session-small") => Some((Transfer::Session, true)),
        _ => None,
    };
    if let (Some((mode, small)), 3) = (mode, args.len()) {
        return transfer(args[2].parse().expect("runs is a number"), mode, small);
    }
    let (what, name, runs) = match args.get(1).map(String::as_str) {
        Some("kernel") if args.len() == 5 => ("kernel", format!("{}/{}", args[2], args[3]), &args[4]),
        Some("cold") if args.len() == 4 => ("cold", args[2].clone(), &args[3]),
        _ => panic!("{usage}"),
    };
    let runs: u32 = runs.parse().expect("runs is a number");
    if what == "kernel" {
        let (kernel, variant) = name.split_once('/').expect("kernel/variant");
        let body = KERNELS.iter().find(|(k, _)| *k == kernel).expect("known kernel").1;
        let wasm = kernels::module(body);
        let run: Box<dyn Fn() -> u64> = match variant {
            "wasmi" => {
                let k = PlainKernel::new(&wasm, false);
                Box::new(move || k.run())
            }
            "fuel" => {
                let k = PlainKernel::new(&wasm, true);
                Box::new(move || k.run())
            }
            "instrumented" => {
                let k = InstrumentedKernel::new(&wasm);
                Box::new(move || k.run().0)
            }
            _ => panic!("{usage}"),
        };
        for _ in 0..runs {
            black_box(run());
        }
        return;
    }
    let wasm = large_module(100 * 1024);
    let rules = Rules::default();
    let info = vm::validate(&wasm, &rules.limits).expect("valid");
    let instrumented = vm::instrument(&wasm, &info, &rules.gas, &rules.limits).expect("instruments");
    eprintln!("input {} bytes, instrumented {} bytes", wasm.len(), instrumented.len());
    for _ in 0..runs {
        match name.as_str() {
            "validate" => drop(black_box(vm::validate(black_box(&wasm), &rules.limits).expect("valid"))),
            "instrument" => {
                drop(black_box(vm::instrument(&wasm, &info, &rules.gas, &rules.limits).expect("ok")))
            }
            "prepare" => {
                let engine = plain_engine(false);
                let info = vm::validate(black_box(&wasm), &rules.limits).expect("valid");
                let code = vm::instrument(&wasm, &info, &rules.gas, &rules.limits).expect("instruments");
                drop(black_box(Module::new(&engine, &code).expect("compiles")));
            }
            "compile" => {
                let engine = plain_engine(false);
                drop(black_box(Module::new(&engine, black_box(&instrumented)).expect("compiles")));
            }
            "compile_lazy" | "prepare_lazy" => {
                let mut config = tsvm_benches::tsvm_like_config(&rules, false);
                config.compilation_mode(wasmi::CompilationMode::LazyTranslation);
                let engine = wasmi::Engine::new(&config);
                // `compile_lazy` compiles the instrumented module made before the runs, uncopied.
                let prepared;
                let code: &[u8] = if name == "prepare_lazy" {
                    let info = vm::validate(black_box(&wasm), &rules.limits).expect("valid");
                    prepared = vm::instrument(&wasm, &info, &rules.gas, &rules.limits).expect("instruments");
                    &prepared
                } else {
                    &instrumented
                };
                drop(black_box(Module::new(&engine, black_box(code)).expect("compiles")));
            }
            "module_new" => {
                let engine = plain_engine(false);
                drop(black_box(Module::new(&engine, black_box(&wasm)).expect("compiles")));
            }
            _ => panic!("{usage}"),
        }
    }
}

/// How `count` executes the transfer.
#[derive(Clone, Copy)]
enum Transfer {
    /// `Vm::execute`: a fresh instance, hash-only trace.
    Fresh,
    /// In one `vm::Session`.
    Session,
    /// `Vm::execute_untraced_for_measurement`: a fresh instance, no trace.
    Untraced,
}

/// `runs` executions of the example token's transfer (`execute/transfer`'s work), as `mode` says;
/// in a session the instance is kept and reset (`spec/abi.md#instance-reuse`). `small`: the script
/// declares a 4 KiB memory.
fn transfer(runs: u32, mode: Transfer, small: bool) {
    use tsvm_benches::fixtures;
    let vm = vm::Vm::new(Rules::default());
    let code = if small { fixtures::token_wasm_small_memory() } else { fixtures::token_wasm() };
    let (invocation, context) = (fixtures::invocation(), fixtures::context());
    let state = fixtures::state();
    let tx = fixtures::transaction(&code, &invocation, &context);
    let mut kept = vm.session(&state);
    let first = vm.execute(&state, &tx).expect("runs");
    assert!(first.status.is_success(), "the transfer succeeds: {:?}", first.status);
    for _ in 0..runs {
        match mode {
            Transfer::Fresh => black_box(vm.execute(black_box(&state), black_box(&tx)).expect("runs")),
            Transfer::Session => black_box(kept.execute(black_box(&tx)).expect("runs")),
            Transfer::Untraced => {
                black_box(
                    vm.execute_untraced_for_measurement(black_box(&state), black_box(&tx)).expect("runs"),
                )
                .receipt
            }
        };
    }
}
