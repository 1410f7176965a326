//! Fuzz target `engine`: modules aimed at where the pinned engine and the profile have disagreed
//! (register-linked locals as store, load, select and bulk-memory operands at offsets around 16
//! bits; frames up to and past `max_frame_units`) and wasm-smith profile modules: every module the
//! profile accepts compiles on wasmi 2.0.0 and runs to a receipt, never `engine_rejected`.
//! The oracle is `tsvm_tests::oracles::check_engine`; CI runs it over `tests/corpus/engine/`.

#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // No `tolerate_known_engine_panics()`: a translator panic on an accepted module is a finding
    // here, even though the VM contains it.
    tsvm_tests::oracles::check_engine(data);
});
