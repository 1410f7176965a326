//! Fuzz target `block`: blocks of transfers, mints, burns, methods and views over 1 to 4 tokens,
//! some by an upgraded script mid-block, executed one transaction at a time (the reference), in
//! sequence over pending diffs, and in lanes by token on four threads: identical receipts,
//! commitments and combined diff (`spec/block.md#lanes`).
//! The oracle is `tsvm_tests::oracles::check_block`; CI runs it over `tests/corpus/block/`.

#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    tsvm_tests::oracles::check_block(data);
});
