//! Fuzz target `validate`: arbitrary bytes and wasm-smith modules with every feature on: the
//! validator and instrumenter never panic; accepted modules instrument deterministically and
//! execute to a receipt.
//! The oracle is `tsvm_tests::oracles::check_validate`; CI runs it over `tests/corpus/validate/`.

#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    tsvm_tests::oracles::tolerate_known_engine_panics();
    tsvm_tests::oracles::check_validate(data);
});
