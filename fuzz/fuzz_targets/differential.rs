//! Fuzz target `differential`: integer modules, original (with fixed memory) and instrumented, on plain
//! wasmi with fuel off: same results and traps.
//! The oracle is `tsvm_tests::oracles::check_differential`; CI runs it over `tests/corpus/differential/`.

#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    tsvm_tests::oracles::tolerate_known_engine_panics();
    tsvm_tests::oracles::check_differential(data);
});
