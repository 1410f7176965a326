//! Malformed modules, truncations, huge counts and arbitrary bytes: rejected, never a panic
//! (`spec/determinism.md#malformed`).

use super::*;

// ---- malformed (spec/determinism.md#malformed) ----

#[test]
fn invalid_wasm_is_malformed() {
    let err = assert_rule(&module("(func $bad (result i32) i64.const 0)"), Rule::Malformed);
    assert_eq!(err.func_index, Some(0));
    assert_eq!(err.func_name.as_deref(), Some("bad"));
    assert_rule(&[], Rule::Malformed);
    assert_rule(b"\0asm\x02\0\0\0", Rule::Malformed);
    assert_rule(b"not wasm at all", Rule::Malformed);
    // An unknown section id.
    let mut wasm = module("");
    wasm.extend_from_slice(&[0x20, 0x00]);
    assert_rule(&wasm, Rule::Malformed);
}

#[test]
fn every_truncation_of_a_valid_module_is_rejected_without_panic() {
    let wasm = wat(TOKEN_SCRIPT);
    // Ends of sections: a cut there leaves a shorter but well-formed module (without the data or
    // name section, say), which may be valid. Any other cut must be rejected.
    let ends: Vec<usize> = wasmparser::Parser::new(0)
        .parse_all(&wasm)
        .filter_map(|p| p.unwrap().as_section().map(|(_, r)| r.end as usize))
        .collect();
    let mut accepted = 0;
    for len in 0..wasm.len() {
        let errors = validate_all(&wasm[..len], &Limits::default());
        if errors.is_empty() {
            assert!(ends.contains(&len), "truncated at {len} accepted");
            accepted += 1;
        }
        assert_eq!(validate(&wasm[..len], &Limits::default()).is_ok(), errors.is_empty());
    }
    // Before the data section and before the name section.
    assert_eq!(accepted, 2);
}

#[test]
fn huge_counts_do_not_allocate_or_panic() {
    // Header, then a type section claiming u32::MAX entries in 5 bytes.
    let mut wasm = b"\0asm\x01\0\0\0".to_vec();
    wasm.extend_from_slice(&[0x01, 0x05, 0xff, 0xff, 0xff, 0xff, 0x0f]);
    let errors = validate_all(&wasm, &Limits::default());
    assert_eq!(errors[0].rule, Rule::Limit(Limit::Types));
    // A function body declaring u32::MAX locals, twice (the sum overflows u32).
    let mut wasm = module("(func)");
    let body = find_unique(&wasm, &[0x0a, 0x04, 0x01, 0x02, 0x00, 0x0b]);
    wasm.truncate(body);
    let locals = [0x02, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x7f, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x7f];
    let body_len = (locals.len() + 1) as u8;
    wasm.extend_from_slice(&[0x0a, body_len + 2, 0x01, body_len]);
    wasm.extend_from_slice(&locals);
    wasm.push(0x0b);
    let err = validate(&wasm, &Limits::default()).unwrap_err();
    assert!(matches!(err.rule, Rule::Limit(Limit::Locals) | Rule::Malformed), "{err}");
    // One declaration of u32::MAX locals is a clean limit error.
    let mut wasm = module("(func)");
    wasm.truncate(body);
    wasm.extend_from_slice(&[0x0a, 0x0a, 0x01, 0x08, 0x01, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x7f, 0x0b]);
    let err = assert_rule(&wasm, Rule::Limit(Limit::Locals));
    assert!(err.message.contains("4294967295"), "{err}");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        let all = validate_all(&bytes, &Limits::default());
        prop_assert_eq!(validate(&bytes, &Limits::default()).err(), all.first().cloned());
    }

    #[test]
    fn mutated_modules_never_panic(
        edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..8)
    ) {
        let wasm = edited_token_script(edits);
        let all = validate_all(&wasm, &Limits::default());
        prop_assert_eq!(validate(&wasm, &Limits::default()).err(), all.first().cloned());
    }
}
