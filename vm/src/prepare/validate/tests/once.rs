//! The single reading of the bodies (`run_once`) against the two passes alone
//! ([`validate_two_passes_for_tests`]): the same modules accepted with the same [`ModuleInfo`],
//! every accepted module found without the second pass, and every body-rule violation sent to the
//! two passes.

use super::*;

/// `run_once` accepts `wasm` under `limits` exactly when the two passes do, with their
/// [`ModuleInfo`]; whatever it does not accept, `run` answers as the two passes do.
#[track_caller]
fn agree(wasm: &[u8], limits: &Limits) -> bool {
    let two = validate_two_passes_for_tests(wasm, limits);
    let once = run_once(wasm, limits);
    match &two {
        Ok(info) => assert_eq!(once.as_ref(), Some(info), "an accepted module takes the single reading"),
        Err(_) => assert!(once.is_none(), "a rejected module is never accepted by the single reading"),
    }
    assert_eq!(run(wasm, limits), two);
    two.is_ok()
}

/// Every module and corpus input of the repository: committed `.wasm` files and the `validate`
/// corpus, under the default limits and under tight ones.
#[test]
fn repository_modules_agree() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut dirs = vec![root];
    let mut files = Vec::new();
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).expect("readable") {
            let path = entry.expect("entry").path();
            let name = path.to_string_lossy();
            if name.contains("/target") || name.contains("/.git") || name.contains("/fuzz/corpus") {
                continue;
            }
            if path.is_dir() {
                dirs.push(path);
            } else if name.ends_with(".wasm") || name.contains("corpus/validate/") {
                files.push(path);
            }
        }
    }
    let tight = Limits { max_locals: 4, max_br_table_targets: 1, ..Limits::default() };
    let (mut accepted, mut tight_accepted) = (0, 0);
    for path in &files {
        let wasm = std::fs::read(path).expect("readable");
        accepted += usize::from(agree(&wasm, &Limits::default()));
        tight_accepted += usize::from(agree(&wasm, &tight));
    }
    assert!(files.len() >= 30 && accepted >= 10, "{} files, {accepted} accepted", files.len());
    assert!(tight_accepted < accepted, "the tight limits reject some: {tight_accepted} of {accepted}");
}

/// The instrumenter's random modules (loops, branches to every label, `br_table`, calls, bulk
/// memory): all accepted, by both, with the same control-operator count.
#[test]
fn random_structured_modules_agree() {
    for seed in 0..300 {
        let wasm = wat(&crate::prepare::instrument::tests::differential::random_module(seed));
        assert!(agree(&wasm, &Limits::default()), "seed {seed} is valid");
        agree(&wasm, &Limits { max_locals: 8, max_br_table_targets: 1, ..Limits::default() });
    }
}

/// Each body rule, broken once: the single reading sends the module to the two passes, which name
/// the rule; its allowed neighbours are accepted by the single reading.
#[test]
fn every_body_rule_goes_to_the_two_passes() {
    // One function of `body`, with the module's other sections `rest`.
    let func = |body: &str, rest: &str| {
        module(&format!("(table 1 funcref) (func (param i32) (result i32) {body}) {rest}"))
    };
    let rejected = [
        ("(drop (f32.const 1)) (local.get 0)", Rule::Float),
        ("(i32.trunc_f64_s (f64.const 1))", Rule::Float),
        ("(memory.init 0 (i32.const 0) (i32.const 0) (i32.const 0)) (local.get 0)", Rule::BulkMemory),
        ("(data.drop 0) (local.get 0)", Rule::BulkMemory),
        ("(table.copy (i32.const 0) (i32.const 0) (i32.const 0)) (local.get 0)", Rule::ReferenceTypes),
        ("(select (result i32) (local.get 0) (local.get 0) (local.get 0))", Rule::ReferenceTypes),
        ("(block (result f64) (f64.const 1)) (drop) (local.get 0)", Rule::Float),
    ];
    for (body, rule) in rejected {
        let data =
            if body.contains("memory.init") || body.contains("data.drop") { r#"(data "x")"# } else { "" };
        let wasm = func(body, data);
        assert!(!agree(&wasm, &Limits::default()), "{body}");
        assert_eq!(validate(&wasm, &Limits::default()).unwrap_err().rule, rule, "{body}");
    }
    let accepted = [
        "(local.get 0)",
        "(i32.extend8_s (local.get 0))",
        "(memory.copy (i32.const 0) (i32.const 1) (i32.const 2)) (local.get 0)",
        "(memory.fill (i32.const 0) (i32.const 1) (i32.const 2)) (local.get 0)",
        "(block (result i64) (i64.const 1)) (drop) (local.get 0)",
        "(if (result i32) (local.get 0) (then (i32.const 1)) (else (i32.const 2)))",
        "(block (block (br_table 0 1 (local.get 0)))) (local.get 0)",
    ];
    for body in accepted {
        assert!(agree(&func(body, ""), &Limits::default()), "{body}");
    }
    // The body limits, at and past them.
    let locals = |n: usize| module(&format!("(func {} )", "(local i32)".repeat(n)));
    let limits = Limits { max_locals: 3, ..Limits::default() };
    assert!(agree(&locals(3), &limits));
    assert!(!agree(&locals(4), &limits));
    let table =
        |n: usize| func(&format!("(block (br_table {} 0 (local.get 0))) (local.get 0)", "0 ".repeat(n)), "");
    let limits = Limits { max_br_table_targets: 2, ..Limits::default() };
    assert!(agree(&table(2), &limits));
    assert!(!agree(&table(3), &limits));
    // A local of a float type.
    assert!(!agree(&module("(func (local f64))"), &Limits::default()));
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    /// Random byte edits of the token script: whatever the edit gives, the two agree.
    #[test]
    fn mutated_modules_agree(
        edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..6)
    ) {
        let wasm = edited_token_script(edits);
        agree(&wasm, &Limits::default());
        agree(&wasm, &Limits { max_locals: 2, max_br_table_targets: 0, ..Limits::default() });
    }
}
