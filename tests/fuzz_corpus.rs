//! The fuzz targets' oracles (`tsvm_tests::oracles`) over the checked-in seed corpus in
//! `tests/corpus/<target>/`, so CI exercises them on stable. Regression inputs from fuzzing go in
//! the same directories (named `crash-*` or `regress-*`).

use std::path::PathBuf;
use tsvm_tests::oracles;

fn corpus(target: &str) -> Vec<(String, Vec<u8>)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("corpus").join(target);
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("corpus entry").path())
        .collect();
    files.sort();
    assert!(!files.is_empty(), "empty corpus {}", dir.display());
    files
        .into_iter()
        .map(|p| (p.file_name().unwrap().to_string_lossy().into_owned(), std::fs::read(&p).unwrap()))
        .collect()
}

#[track_caller]
fn run_corpus(target: &str, oracle: fn(&[u8])) {
    for (name, data) in corpus(target) {
        if let Err(e) = std::panic::catch_unwind(|| oracle(&data)) {
            std::panic::resume_unwind(Box::new(format!("{target}/{name}: {e:?}")));
        }
    }
}

#[test]
fn validate_corpus() {
    run_corpus("validate", oracles::check_validate);
}

#[test]
fn execute_corpus() {
    run_corpus("execute", oracles::check_execute);
}

/// `spec/profile.md`: profiling the modules the execute, validate and engine seeds generate changes
/// nothing, and each profile adds up to its receipt's `gas_used`.
#[test]
fn profile_corpus() {
    for target in ["execute", "validate", "engine", "differential"] {
        run_corpus(target, oracles::profile::check_profile);
    }
}

#[test]
fn differential_corpus() {
    run_corpus("differential", oracles::check_differential);
}

#[test]
fn block_corpus() {
    run_corpus("block", oracles::check_block);
}

#[test]
fn engine_corpus() {
    run_corpus("engine", oracles::check_engine);
}

#[test]
fn the_engine_corpus_reaches_the_engines_weak_spots() {
    // The seeds must make the generator produce accepted modules with wide-offset stores of a
    // register-linked local and with frames at the limit, or the oracle tests nothing.
    let limits = vm::Limits::default();
    let (mut wide, mut at_limit, mut accepted) = (0, 0, 0);
    for (_, data) in corpus("engine") {
        let Some((first, rest)) = data.split_first() else { continue };
        if first % 2 == 1 {
            continue;
        }
        let Ok(wasm) = oracles::engine::engine_module(&mut arbitrary::Unstructured::new(rest)) else {
            continue;
        };
        let Ok(info) = vm::validate(&wasm, &limits) else { continue };
        accepted += 1;
        at_limit += info.functions.iter().filter(|f| f.frame_units() == limits.max_frame_units).count();
        let mut ops = Vec::new();
        for payload in wasmparser::Parser::new(0).parse_all(&wasm) {
            if let Ok(wasmparser::Payload::CodeSectionEntry(body)) = payload {
                let mut reader = body.get_operators_reader().unwrap();
                while !reader.eof() {
                    ops.push(reader.read().unwrap());
                }
            }
        }
        wide += ops
            .windows(3)
            .filter(|w| match (&w[0], &w[1], &w[2]) {
                (
                    wasmparser::Operator::LocalGet { local_index: a },
                    wasmparser::Operator::LocalGet { local_index: b },
                    wasmparser::Operator::I32Store { memarg }
                    | wasmparser::Operator::I32Store8 { memarg }
                    | wasmparser::Operator::I32Store16 { memarg },
                ) => a == b && memarg.offset > 0xFFFF,
                _ => false,
            })
            .count();
    }
    eprintln!("engine corpus: {accepted} accepted, {wide} wide stores, {at_limit} at limit");
    assert!(
        accepted >= 6 && wide >= 3 && at_limit >= 1,
        "{accepted} accepted, {wide} wide stores, {at_limit} at limit"
    );
}

#[test]
fn abi_corpus() {
    run_corpus("abi", oracles::check_abi);
}

#[test]
fn the_oracles_check_something() {
    // The example token script is accepted and runs; a module the profile accepts is instrumented
    // and compared on plain wasmi.
    oracles::check_module(&tsvm_tests::token_wasm());
    let wat = r#"(module (memory 1) (func (export "f") (param i32 i64) (result i64)
        (i64.store (local.get 0) (local.get 1)) (i64.div_s (i64.load (local.get 0)) (local.get 1))))"#;
    oracles::differential(&tsvm_tests::wasm(wat), &[8, 3, 65_536, 0, 0, 0]);
    // Canonical borsh inputs decode and re-encode exactly.
    let inv = abi::Invocation { token: tsvm_tests::TOKEN, call: tsvm_tests::method("m", &[1, 2]) };
    oracles::check_abi(&borsh::to_vec(&inv).unwrap());
    // A bundle archive read whole is written back byte for byte.
    let archive = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("corpus/abi/archive-two-bundles");
    oracles::check_abi(&std::fs::read(archive).unwrap());
}

#[test]
#[should_panic(expected = "differ")]
fn the_differential_oracle_catches_a_difference() {
    // A grow that succeeds in the original would differ from tsvm's fixed memory; the oracle's
    // reference applies fixed memory itself, so compare it against an unfixed original instead.
    let wasm = tsvm_tests::wasm(
        r#"(module (memory 1 2) (func (export "g") (result i32) (memory.grow (i32.const 1))))"#,
    );
    let mut w = oracles::plain::World::new(false);
    let inst = w.instantiate(&wasm).unwrap();
    let unfixed = w.call(&inst, "g", &[]);
    let fixed = oracles::plain::fix_memory(&wasm).unwrap();
    let mut w2 = oracles::plain::World::new(true);
    let inst2 = w2.instantiate(&oracles::plain::instrument_lenient(&fixed).unwrap()).unwrap();
    assert_eq!(unfixed, w2.call(&inst2, "g", &[]), "original and instrumented differ");
}

#[test]
fn generated_profile_modules_are_mostly_accepted() {
    // The `execute` generator must produce modules the profile accepts, or the target fuzzes only
    // the validator.
    let limits = vm::Limits::default();
    let accepted = corpus("execute")
        .iter()
        .filter(|(_, data)| {
            let mut u = arbitrary::Unstructured::new(&data[..]);
            let _gas = u.int_in_range(0..=oracles::FUZZ_GAS);
            oracles::generate::profile_module(&mut u).is_ok_and(|m| vm::validate(&m, &limits).is_ok())
        })
        .count();
    assert!(accepted >= 3, "only {accepted} generated modules accepted");
}

/// Export names of `wasm`, in order.
fn export_names(wasm: &[u8]) -> Vec<String> {
    let mut names = Vec::new();
    for payload in wasmparser::Parser::new(0).parse_all(wasm) {
        if let wasmparser::Payload::ExportSection(r) = payload.expect("module parses") {
            names.extend(r.into_iter().map(|e| e.expect("export parses").name.to_string()));
        }
    }
    names
}

#[test]
fn the_generators_reserved_prefix_is_the_validators() {
    // The generator uses the validator's prefix (`abi::names`): pin it by the validator's
    // behaviour, exactly at the prefix and one character short of it.
    use oracles::generate::RESERVED_EXPORT_PREFIX as P;
    let with_export = |name: &str| {
        tsvm_tests::wasm(&format!(r#"(module (memory (export "memory") 1) (func (export "{name}")))"#))
    };
    let limits = vm::Limits::default();
    for name in [P.to_string(), format!("{P}_gas")] {
        let err = vm::validate(&with_export(&name), &limits).expect_err(&name);
        assert_eq!(err.rule, vm::Rule::ForbiddenExport, "{name}: {err}");
    }
    for name in [&P[..P.len() - 1], &format!("x{P}")] {
        assert!(vm::validate(&with_export(name), &limits).is_ok(), "{name} rejected");
    }
    // Every name the instrumenter adds is under the prefix.
    for name in [vm::GAS_GLOBAL_EXPORT, vm::STACK_GLOBAL_EXPORT, vm::GLOBAL_EXPORT_PREFIX] {
        assert!(name.starts_with(P), "{name}");
    }
}

#[test]
fn reserved_export_names_are_renamed_uniquely() {
    let wasm = tsvm_tests::wasm(
        r#"(module (func $f) (global $g i32 (i32.const 7))
            (export "__tsvm_gas" (func $f)) (export "x__tsvm_gas" (func $f))
            (export "__tsvm_sp" (global $g)) (export "f" (func $f)))"#,
    );
    let renamed = oracles::generate::without_reserved_exports(&wasm).unwrap();
    wasmparser::Validator::new().validate_all(&renamed).expect("renamed module is valid");
    assert_eq!(export_names(&renamed), ["x__tsvm_gas1", "x__tsvm_gas", "x__tsvm_sp", "f"]);
    // The generated module is otherwise unchanged, and one without reserved names is untouched.
    let plain = tsvm_tests::wasm(r#"(module (func (export "x__tsvm_gas")) (func (export "g")))"#);
    assert_eq!(oracles::generate::without_reserved_exports(&plain).unwrap(), plain);
}

#[test]
fn the_reserved_name_regression_still_reaches_the_renaming() {
    // Issue 17's input made wasm-smith (pinned) export `__tsvm_gas`; the generator renames it, so
    // the corpus file keeps testing that path and the differential oracle compares the module.
    let (_, data) = corpus("differential")
        .into_iter()
        .find(|(name, _)| name == "regress-reserved-export-name")
        .expect("corpus file");
    let wasm = oracles::generate::integer_module(&mut arbitrary::Unstructured::new(&data)).unwrap();
    let names = export_names(&wasm);
    assert!(names.iter().any(|n| n == "x__tsvm_gas"), "{names:?}");
    assert!(!names.iter().any(|n| n.starts_with(oracles::generate::RESERVED_EXPORT_PREFIX)), "{names:?}");
    // Both sides instantiate, so the oracle gets as far as comparing calls.
    let instrumented = oracles::plain::instrument_lenient(&wasm).expect("instruments");
    let reference = oracles::plain::fix_memory(&wasm).unwrap();
    assert!(oracles::plain::World::new(false).instantiate(&reference).is_ok());
    assert!(oracles::plain::World::new(true).instantiate(&instrumented).is_ok());
}

/// The `execute` oracle's second module: the generated one with its memory declared in bytes
/// (`spec/determinism.md#memory`): accepted, that many bytes long, and a store past them traps.
#[test]
fn the_execute_oracle_also_runs_a_memory_of_one_byte_pages() {
    let wasm = tsvm_tests::wasm(
        r#"(module (memory (export "memory") 1)
             (func (export "method_a") (i32.store (i32.const 96) (i32.const 1))))"#,
    );
    for (bytes, status) in [(100, abi::StatusCode::Success), (99, abi::StatusCode::Trap)] {
        let small = oracles::generate::with_byte_memory(&wasm, bytes).expect("re-encodes");
        let info = vm::validate(&small, &vm::Limits::default()).expect("accepted");
        assert_eq!(info.memory_pages, 1);
        let r = tsvm_tests::run(
            &tsvm_tests::vm(),
            &tsvm_tests::default_state(),
            &small,
            tsvm_tests::method("a", &[]),
            tsvm_tests::GAS,
        );
        assert_eq!(r.status, status, "{bytes} bytes");
    }
}
