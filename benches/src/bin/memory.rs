//! Memory bench (run by hand, not in CI; see `benches/README.md`): resident memory of a `Vm`
//! (1) after caching N distinct modules, then (2) over many executions cycling through them, read
//! from `/proc/self/status` (VmRSS: current, VmHWM: peak).
//!
//! Usage: `memory [MODULES] [EXECUTIONS] [CACHE_MODULES]`, defaults 10,000, 1,000,000 and the
//! Vm's default bound. A wasmi engine never frees compiled code, so (2) only stays flat if the
//! cache's engine generations bound it.

use abi::Receipt;
use std::time::Instant;
use tsvm_benches::fixtures;
use tsvm_benches::generate::distinct_tokens;
use tsvm_benches::rss::rss_kib;
use vm::{Rules, Vm, DEFAULT_CACHE_CODE_BYTES, DEFAULT_CACHE_MODULES};

fn arg(n: usize, default: usize) -> usize {
    std::env::args().nth(n).map(|a| a.replace('_', "").parse().expect("a number")).unwrap_or(default)
}

fn report(label: &str) {
    let (rss, hwm) = rss_kib().unwrap_or((0, 0));
    println!("{label}: VmRSS {:.1} MiB, VmHWM {:.1} MiB", rss as f64 / 1024.0, hwm as f64 / 1024.0);
}

fn main() {
    let modules = arg(1, 10_000);
    let executions = arg(2, 1_000_000);
    let cache_modules = arg(3, DEFAULT_CACHE_MODULES);
    println!(
        "modules {modules}, executions {executions}, cache bound {cache_modules} modules per generation"
    );
    report("start");
    let codes: Vec<Vec<u8>> = distinct_tokens(modules).collect();
    let code_bytes: usize = codes.iter().map(Vec::len).sum();
    report(&format!("after generating {modules} modules ({:.1} MiB of code)", code_bytes as f64 / 1048576.0));

    let vm = Vm::with_cache_bounds(Rules::default(), cache_modules, DEFAULT_CACHE_CODE_BYTES);
    let state = fixtures::state();
    let (invocation, context) = (fixtures::invocation(), fixtures::context());
    let run = |code: &[u8]| -> Receipt {
        let receipt = vm.execute(&state, &fixtures::transaction(code, &invocation, &context)).expect("runs");
        assert!(receipt.status.is_success());
        receipt
    };
    let start = Instant::now();
    for code in &codes {
        run(code);
    }
    println!(
        "cached {} modules in the current generation, {:.1} s",
        vm.cached_modules(),
        start.elapsed().as_secs_f64()
    );
    report(&format!("after caching {modules} distinct modules"));

    let start = Instant::now();
    let step = (executions / 10).max(1);
    for i in 0..executions {
        run(&codes[i % codes.len()]);
        if (i + 1) % step == 0 {
            report(&format!("after {} executions ({:.0} s)", i + 1, start.elapsed().as_secs_f64()));
        }
    }
}
