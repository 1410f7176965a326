//! Fuzz target `execute`: wasm-smith modules of the determinism profile, run as every kind of call
//! on a cached and a fresh VM: identical receipts, gas within the limit, failures apply nothing.
//! The oracle is `tsvm_tests::oracles::check_execute`; CI runs it over `tests/corpus/execute/`.

#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    tsvm_tests::oracles::tolerate_known_engine_panics();
    tsvm_tests::oracles::check_execute(data);
});
