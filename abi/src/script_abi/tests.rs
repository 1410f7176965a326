//! Tests of the script ABI: the section reader on hand-built modules, the schema's errors, the
//! value codec against the `borsh` crate, and encode/decode round trips of generated types and
//! values (`spec/abi.md#script-abi`).

use super::*;
use alloc::{format, string::ToString, vec};
use proptest::prelude::*;
use serde_json::{json, Value};

/// A module of the header, an empty type section and one custom section per `(name, payload)`.
fn module(customs: &[(&str, &[u8])]) -> Vec<u8> {
    let mut m = b"\0asm\x01\0\0\0".to_vec();
    // A type section with no types, to show other sections are skipped.
    m.extend_from_slice(&[1, 1, 0]);
    for (name, payload) in customs {
        m.extend_from_slice(&custom_section(name, payload));
    }
    m
}

const ESCROW: &str = r#"{ "abi_version": 1, "name": "escrow",
  "hooks": ["before_transfer", "after_transfer"],
  "views": [ { "name": "status", "args": [ { "name": "id", "type": "u64" } ], "returns": "u8" } ],
  "methods": [ { "name": "open", "args": [ { "name": "seller", "type": "address" },
                                          { "name": "amount", "type": "u128" } ], "returns": null } ],
  "events": [ { "topic": "opened", "type": "u64" } ],
  "storage": [ { "key": "count", "type": "u64" },
               { "prefix": "escrow/", "key_type": "u64", "type": { "struct": [ {"name": "buyer", "type": "address"} ] } } ] }"#;

#[test]
fn the_contract_example_reads_and_writes_back() {
    let abi = ScriptAbi::from_json_bytes(ESCROW.as_bytes()).unwrap();
    assert_eq!(abi.name, "escrow");
    assert_eq!(abi.hooks, vec![HookKind::BeforeTransfer, HookKind::AfterTransfer]);
    assert_eq!(abi.view("status").unwrap().returns, Some(AbiType::U8));
    assert_eq!(abi.method("open").unwrap().args[1].ty, AbiType::U128);
    assert_eq!(ScriptAbi::from_json(&abi.to_json()).unwrap(), abi);
    let mut key = b"escrow/".to_vec();
    key.extend_from_slice(&7u64.to_le_bytes());
    let (decl, k) = abi.storage_for(&key).unwrap();
    assert_eq!(k, Some(json!("7")));
    assert!(matches!(decl.value_type(), AbiType::Struct(_)));
    assert!(matches!(abi.storage_for(b"count"), Some((StorageDecl::Key { .. }, None))));
    assert!(abi.storage_for(b"other").is_none());
    assert_eq!(abi.event(b"opened").unwrap().ty, AbiType::U64);
}

#[test]
fn from_module_finds_the_section_or_none() {
    assert_eq!(ScriptAbi::from_module(&module(&[])).unwrap(), None);
    let small = br#"{"abi_version":1,"name":"x","hooks":[],"views":[],"methods":[]}"#;
    let m = module(&[("name", b"\0\0"), (ABI_SECTION, small)]);
    let abi = ScriptAbi::from_module(&m).unwrap().unwrap();
    assert_eq!(abi.name, "x");
    assert!(abi.events.is_empty() && abi.storage.is_empty());
    let two = module(&[(ABI_SECTION, small), (ABI_SECTION, small)]);
    assert!(matches!(ScriptAbi::from_module(&two), Err(AbiError::Duplicate { .. })));
}

#[test]
fn malformed_modules_and_sections_are_errors_not_panics() {
    let cases: Vec<(Vec<u8>, &str)> = vec![
        (b"\0asx\x01\0\0\0".to_vec(), "magic"),
        (b"\0asm\x0d\0\x01\0".to_vec(), "version 1"),
        (b"\0asm\x01\0\0\0\x01\x05\0".to_vec(), "past the end"),
        (b"\0asm\x01\0\0\0\x01\xff\xff\xff\xff\xff".to_vec(), "longer than 5 bytes"),
        (b"\0asm\x01\0\0\0\0\x02\x09a".to_vec(), "name past the end"),
        (module(&[(ABI_SECTION, b"\xff")]), "UTF-8"),
        (module(&[(ABI_SECTION, b"{")]), "invalid JSON"),
        (module(&[(ABI_SECTION, br#"{"abi_version":2}"#)]), "expected 1"),
        (module(&[(ABI_SECTION, br#"{"abi_version":1,"name":"x","hooks":[],"views":[],"methods":[],"x":1}"#)]), "unknown field `x`"),
        (module(&[(ABI_SECTION, br#"{"abi_version":1,"name":"x","hooks":["before_lunch"],"views":[],"methods":[]}"#)]), "not a hook"),
        (module(&[(ABI_SECTION, br#"{"abi_version":1,"name":"x","hooks":[],"views":[{"name":"A","args":[],"returns":null}],"methods":[]}"#)]), "not an entry name"),
        (module(&[(ABI_SECTION, br#"{"abi_version":1,"name":"x","hooks":[],"views":[],"methods":[{"name":"a","args":[],"returns":"u256"}]}"#)]), "unknown type \"u256\""),
        (module(&[(ABI_SECTION, br#"{"abi_version":1,"name":"x","hooks":[],"views":[],"methods":[{"name":"a","args":[],"returns":{"vec":{"struct":[]}}}]}"#)]), "zero bytes"),
        (module(&[(ABI_SECTION, br#"{"abi_version":1,"name":"x","hooks":[],"views":[],"methods":[{"name":"a","args":[],"returns":{"option":{"option":"u8"}}}]}"#)]), "option of an option"),
    ];
    for (m, want) in cases {
        let e = ScriptAbi::from_module(&m).unwrap_err().to_string();
        assert!(e.contains(want), "{e:?} should say {want:?}");
    }
    // Nesting: at the limit accepted, one past it refused.
    let nested = |levels: usize| {
        let mut t = String::from("\"u8\"");
        for i in 0..levels {
            // Alternate vec and option (an option of an option is refused on its own).
            t = if i % 2 == 0 { format!("{{\"vec\":{t}}}") } else { format!("{{\"option\":{t}}}") };
        }
        parse::parse_type(&serde_json::from_str(&t).unwrap(), "$", 0)
    };
    assert!(nested(MAX_TYPE_DEPTH - 1).is_ok(), "{:?}", nested(MAX_TYPE_DEPTH - 1));
    let e = nested(MAX_TYPE_DEPTH).unwrap_err();
    assert!(e.to_string().contains("deeper"), "{e}");
    // Array length: at the limit accepted, one past it refused.
    let array = |n: u64| parse::parse_type(&json!({"array": ["u8", n]}), "$", 0);
    assert!(array(u64::from(MAX_ARRAY_LEN)).is_ok());
    let e = array(u64::from(MAX_ARRAY_LEN) + 1).unwrap_err();
    assert!(e.to_string().contains("is not an integer"), "{e}");
    // Every cut of a valid module is an error or a result, never a panic.
    let m = module(&[(ABI_SECTION, ESCROW.as_bytes())]);
    assert!(ScriptAbi::from_module(&m).unwrap().is_some());
    for n in 0..m.len() {
        let _ = ScriptAbi::from_module(&m[..n]);
    }
}

#[test]
fn encodings_are_borsh() {
    let t = AbiType::Struct(vec![
        Field { name: "a".into(), ty: AbiType::U64 },
        Field { name: "b".into(), ty: AbiType::Bytes },
        Field { name: "c".into(), ty: AbiType::Option(Box::new(AbiType::U128)) },
        Field { name: "d".into(), ty: AbiType::String },
        Field { name: "e".into(), ty: AbiType::Vec(Box::new(AbiType::I16)) },
        Field { name: "f".into(), ty: AbiType::Array(Box::new(AbiType::Bool), 2) },
    ]);
    let v = json!({"a": "5", "b": "0x0102", "c": "340282366920938463463374607431768211455", "d": "hé",
                   "e": [-1, 2], "f": [true, false]});
    let want = borsh::to_vec(&(
        5u64,
        vec![1u8, 2],
        Some(u128::MAX),
        "hé".to_string(),
        vec![-1i16, 2],
        [true, false],
    ))
    .unwrap();
    assert_eq!(t.encode_json(&v).unwrap(), want);
    assert_eq!(t.decode_json(&want).unwrap(), v);
    // Exact numbers are accepted for 64-bit types; the output is a string.
    assert_eq!(AbiType::U64.encode_json(&json!(7)).unwrap(), 7u64.to_le_bytes());
    assert_eq!(AbiType::I64.decode_json(&(-3i64).to_le_bytes()).unwrap(), json!("-3"));
}

#[test]
fn value_errors_name_the_path_and_the_type() {
    let abi = ScriptAbi::from_json_bytes(ESCROW.as_bytes()).unwrap();
    let open = abi.method("open").unwrap();
    let seller = format!("0x{}", "01".repeat(32));
    let ok = open.encode_args(&json!([seller, "100"])).unwrap();
    assert_eq!(ok.len(), 48);
    assert_eq!(open.encode_args(&json!({"seller": seller, "amount": 100})).unwrap(), ok);
    assert_eq!(open.decode_args(&ok).unwrap(), json!({"seller": seller, "amount": "100"}));
    let cases = [
        (json!([seller]), "takes 2 arguments"),
        (json!({"seller": seller}), "missing argument `amount`"),
        (json!({"seller": seller, "amount": "1", "x": 1}), "no argument `x`"),
        (json!([seller, "-1"]), "at $.args[1]: expected u128"),
        (json!([seller, 1.5]), "not an exact integer"),
        (json!({"seller": "0x01", "amount": "1"}), "at $.args.seller: expected address: 32 bytes"),
        (json!("0x00"), "expected an array or object"),
    ];
    for (v, want) in cases {
        let e = open.encode_args(&v).unwrap_err().to_string();
        assert!(e.contains(want), "{e:?} should say {want:?}");
    }
    let bad = [
        (AbiType::U8, json!("1"), "expected u8"),
        (AbiType::U8, json!(256), "out of range"),
        (AbiType::I8, json!(-129), "out of range"),
        (AbiType::U64, json!("01"), "decimal string"),
        (AbiType::I64, json!("-0"), "decimal string"),
        (AbiType::Enum(vec!["A".into()]), json!("B"), "not a variant"),
        (AbiType::Array(Box::new(AbiType::U8), 2), json!([1]), "expected 2 elements"),
        (AbiType::Bytes, json!("0xABCD"), "lowercase"),
    ];
    for (t, v, want) in bad {
        let e = t.encode_json(&v).unwrap_err().to_string();
        assert!(e.contains(want), "{t}: {e:?} should say {want:?}");
    }
    let undecodable: [(AbiType, &[u8], &str); 6] = [
        (AbiType::U64, &[1, 2], "needs 8 bytes"),
        (AbiType::U8, &[1, 2], "1 trailing bytes"),
        (AbiType::Bool, &[2], "bool byte 2"),
        (AbiType::Option(Box::new(AbiType::U8)), &[3], "option tag 3"),
        (AbiType::String, &[1, 0, 0, 0, 0xff], "not UTF-8"),
        (AbiType::Vec(Box::new(AbiType::U8)), &[0xff, 0xff, 0xff, 0xff], "longer than the 0 bytes left"),
    ];
    for (t, b, want) in undecodable {
        let e = t.decode_json(b).unwrap_err().to_string();
        assert!(e.contains(want), "{t}: {e:?} should say {want:?}");
    }
}

/// Generated types, at most 4 levels deep, with no zero-sized element types.
fn any_type() -> impl Strategy<Value = AbiType> {
    let leaf =
        proptest::sample::select(AbiType::PRIMITIVES.iter().map(|(_, t)| t.clone()).collect::<Vec<_>>());
    leaf.prop_recursive(4, 32, 4, |inner| {
        prop_oneof![
            (inner.clone(), 1u32..4).prop_map(|(t, n)| AbiType::Array(Box::new(t), n)),
            inner.clone().prop_map(|t| AbiType::Vec(Box::new(t))),
            inner
                .clone()
                .prop_filter("no option of an option", |t| !matches!(t, AbiType::Option(_)))
                .prop_map(|t| AbiType::Option(Box::new(t))),
            proptest::collection::vec(inner, 1..4).prop_map(|ts| AbiType::Struct(
                ts.into_iter().enumerate().map(|(i, ty)| Field { name: format!("f{i}"), ty }).collect()
            )),
            (1usize..5).prop_map(|n| AbiType::Enum((0..n).map(|i| format!("V{i}")).collect())),
        ]
    })
}

/// Generated JSON values of a type, in the form decoding writes.
fn any_value(t: &AbiType) -> BoxedStrategy<Value> {
    let hex =
        |n: usize| proptest::collection::vec(any::<u8>(), n).prop_map(|b| json!(crate::hex::encode(&b)));
    match t {
        AbiType::Bool => any::<bool>().prop_map(Value::from).boxed(),
        AbiType::U8 => any::<u8>().prop_map(Value::from).boxed(),
        AbiType::U16 => any::<u16>().prop_map(Value::from).boxed(),
        AbiType::U32 => any::<u32>().prop_map(Value::from).boxed(),
        AbiType::I8 => any::<i8>().prop_map(Value::from).boxed(),
        AbiType::I16 => any::<i16>().prop_map(Value::from).boxed(),
        AbiType::I32 => any::<i32>().prop_map(Value::from).boxed(),
        AbiType::U64 => any::<u64>().prop_map(|n| json!(n.to_string())).boxed(),
        AbiType::I64 => any::<i64>().prop_map(|n| json!(n.to_string())).boxed(),
        AbiType::U128 => any::<u128>().prop_map(|n| json!(n.to_string())).boxed(),
        AbiType::Address | AbiType::TokenId | AbiType::Hash => hex(32).boxed(),
        AbiType::Bytes => (0usize..6).prop_flat_map(hex).boxed(),
        AbiType::String => "[a-zé ]{0,6}".prop_map(Value::from).boxed(),
        AbiType::Array(e, n) => {
            proptest::collection::vec(any_value(e), *n as usize).prop_map(Value::from).boxed()
        }
        AbiType::Vec(e) => proptest::collection::vec(any_value(e), 0..3).prop_map(Value::from).boxed(),
        AbiType::Option(e) => prop_oneof![Just(Value::Null), any_value(e)].boxed(),
        AbiType::Struct(fs) => {
            let names: Vec<String> = fs.iter().map(|f| f.name.clone()).collect();
            fs.iter()
                .map(|f| any_value(&f.ty))
                .collect::<Vec<_>>()
                .prop_map(move |vs| Value::Object(names.iter().cloned().zip(vs).collect()))
                .boxed()
        }
        AbiType::Enum(vs) => proptest::sample::select(vs.clone()).prop_map(Value::from).boxed(),
    }
}

proptest! {
    #[test]
    fn encode_then_decode_round_trips((t, v) in any_type().prop_flat_map(|t| (Just(t.clone()), any_value(&t)))) {
        let bytes = t.encode_json(&v).unwrap();
        prop_assert_eq!(t.decode_json(&bytes).unwrap(), v);
        prop_assert!(bytes.len() as u64 >= t.min_encoded_len());
        // The type's JSON reads back as the same type.
        let back = parse::parse_type(&parse::type_to_json(&t), "$", 0).unwrap();
        prop_assert_eq!(back, t.clone());
        // Every cut of the encoding is an error, never a panic.
        for n in 0..bytes.len() {
            prop_assert!(t.decode_json(&bytes[..n]).is_err());
        }
    }

    #[test]
    fn args_round_trip_by_position_and_by_name(
        (types, values) in proptest::collection::vec(any_type(), 0..4)
            .prop_flat_map(|ts| { let vs: Vec<_> = ts.iter().map(any_value).collect(); (Just(ts), vs) })
    ) {
        let f = Function {
            name: "f".into(),
            args: types.into_iter().enumerate().map(|(i, ty)| Field { name: format!("a{i}"), ty }).collect(),
            returns: None,
        };
        let bytes = f.encode_args(&Value::Array(values.clone())).unwrap();
        let by_name: serde_json::Map<String, Value> =
            f.args.iter().map(|a| a.name.clone()).zip(values).collect();
        let by_name = Value::Object(by_name);
        prop_assert_eq!(f.encode_args(&by_name).unwrap(), bytes.clone());
        prop_assert_eq!(f.decode_args(&bytes).unwrap(), by_name);
    }

    #[test]
    fn decoding_random_bytes_never_panics(t in any_type(), bytes in proptest::collection::vec(any::<u8>(), 0..64)) {
        if let Ok(v) = t.decode_json(&bytes) {
            prop_assert_eq!(t.encode_json(&v).unwrap(), bytes);
        }
    }
}
