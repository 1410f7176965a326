//! Encoding tests: every type round-trips through borsh and JSON, and the canonical bytes of a
//! receipt are pinned byte for byte (`spec/abi.md#encodings`).

use crate::*;
use alloc::{vec, vec::Vec};
use proptest::prelude::*;

fn bytes32() -> impl Strategy<Value = [u8; 32]> {
    any::<[u8; 32]>()
}

fn operation() -> impl Strategy<Value = Operation> {
    prop_oneof![
        (bytes32(), bytes32(), any::<u128>()).prop_map(|(f, t, amount)| Operation::Transfer {
            from: Address(f),
            to: Address(t),
            amount
        }),
        (bytes32(), any::<u128>()).prop_map(|(t, amount)| Operation::Mint { to: Address(t), amount }),
        (bytes32(), any::<u128>()).prop_map(|(f, amount)| Operation::Burn { from: Address(f), amount }),
        (bytes32(), bytes32(), any::<u128>()).prop_map(|(o, s, amount)| Operation::Approve {
            owner: Address(o),
            spender: Address(s),
            amount
        }),
    ]
}

fn call() -> impl Strategy<Value = Call> {
    prop_oneof![
        operation().prop_map(|operation| Call::Operation { operation }),
        (0..7usize, operation()).prop_map(|(h, operation)| Call::Hook { hook: HookKind::ALL[h], operation }),
        ("[a-z][a-z0-9_]{0,10}", any::<Vec<u8>>()).prop_map(|(name, args)| Call::View { name, args }),
        ("[a-z][a-z0-9_]{0,10}", any::<Vec<u8>>()).prop_map(|(name, args)| Call::Method { name, args }),
    ]
}

fn state_key() -> impl Strategy<Value = StateKey> {
    prop_oneof![
        (bytes32(), bytes32())
            .prop_map(|(t, a)| StateKey::Balance { token: TokenId(t), account: Address(a) }),
        bytes32().prop_map(|t| StateKey::Supply { token: TokenId(t) }),
        (bytes32(), any::<Vec<u8>>()).prop_map(|(t, key)| StateKey::Storage { token: TokenId(t), key }),
    ]
}

fn receipt() -> impl Strategy<Value = Receipt> {
    (
        0..StatusCode::ALL.len(),
        any::<u64>(),
        any::<Vec<u8>>(),
        any::<Vec<u8>>(),
        proptest::collection::vec((any::<Vec<u8>>(), any::<Vec<u8>>()), 0..3),
        proptest::collection::vec((0..4u32, any::<Vec<u8>>()), 0..3),
        proptest::collection::vec(
            (state_key(), proptest::option::of(any::<Vec<u8>>()), proptest::option::of(any::<Vec<u8>>())),
            0..3,
        ),
        bytes32(),
    )
        .prop_map(|(s, gas_used, return_data, revert_reason, events, logs, diff, rules)| {
            Receipt {
                status: StatusCode::ALL[s],
                fault: if s == 3 { Fault::Trap(TrapKind::ALL[s % TrapKind::ALL.len()]) } else { Fault::None },
                gas_used,
                return_data,
                revert_reason,
                events: events.into_iter().map(|(topic, data)| Event { topic, data }).collect(),
                logs: logs
                    .into_iter()
                    .map(|(l, message)| LogRecord { level: LogLevel::from_u32(l).unwrap(), message })
                    .collect(),
                diff: StateDiff(
                    diff.into_iter().map(|(key, old, new)| DiffEntry { key, old, new }).collect(),
                ),
                diff_hash: Hash32::ZERO,
                trace_hash: Hash32([rules[0]; 32]),
                rules_hash: Hash32(rules),
                receipt_hash: Hash32::ZERO,
            }
            .seal()
        })
}

fn round_trip<T>(v: &T)
where
    T: borsh::BorshSerialize + borsh::BorshDeserialize + serde::Serialize + serde::de::DeserializeOwned,
    T: PartialEq + core::fmt::Debug,
{
    let bytes = borsh::to_vec(v).unwrap();
    assert_eq!(&borsh::from_slice::<T>(&bytes).unwrap(), v);
    let json = serde_json::to_string(v).unwrap();
    assert_eq!(&serde_json::from_str::<T>(&json).unwrap(), v, "{json}");
}

proptest! {
    #[test]
    fn invocations_round_trip(token in bytes32(), call in call()) {
        round_trip(&Invocation { token: TokenId(token), call });
    }

    #[test]
    fn receipts_round_trip(r in receipt()) {
        round_trip(&r);
        prop_assert!(r.is_sealed());
        let mut tampered = r.clone();
        tampered.gas_used ^= 1;
        prop_assert!(!tampered.is_sealed());
    }

    #[test]
    fn contexts_round_trip(h in any::<u64>(), t in any::<u64>(), a in bytes32(), b in bytes32(), c in bytes32()) {
        round_trip(&Context { height: h, timestamp_ms: t, tx_hash: Hash32(a), prev_block_hash: Hash32(b), caller: Address(c) });
    }

    /// A borsh bundle is its head's encoding followed by its receipt's: `BundleHead::split` gives
    /// the head and exactly the receipt's bytes, and a cut bundle's head is refused or leaves a
    /// receipt that does not decode.
    #[test]
    fn a_bundle_is_its_head_then_its_receipt(
        call in call(),
        module in any::<Vec<u8>>(),
        gas_limit in any::<u64>(),
        entries in proptest::collection::vec((state_key(), proptest::option::of(any::<Vec<u8>>())), 0..3),
        expected in receipt(),
        cut in any::<prop::sample::Index>(),
    ) {
        let bundle = Bundle {
            format_version: BUNDLE_FORMAT_VERSION,
            rules_hash: expected.rules_hash,
            module,
            invocation: Invocation { token: TokenId([9; 32]), call },
            context: Context { height: gas_limit / 3, ..Context::default() },
            gas_limit,
            witness: Witness {
                token: None,
                entries: entries.into_iter().map(|(key, value)| WitnessEntry { key, value }).collect(),
            },
            expected,
        };
        let bytes = borsh::to_vec(&bundle).unwrap();
        let (head, rest) = BundleHead::split(&bytes).unwrap();
        prop_assert_eq!(rest, &borsh::to_vec(&bundle.expected).unwrap()[..]);
        prop_assert_eq!(borsh::to_vec(&head).unwrap(), &bytes[..bytes.len() - rest.len()]);
        prop_assert_eq!(&head.clone().with_expected(bundle.expected.clone()), &bundle);
        let short = &bytes[..cut.index(bytes.len())];
        if let Ok((head, rest)) = BundleHead::split(short) {
            prop_assert!(borsh::from_slice::<Receipt>(rest).is_err());
            prop_assert_eq!(head.with_expected(bundle.expected.clone()), bundle);
        }
    }

    #[test]
    fn decoding_arbitrary_bytes_never_panics(bytes in any::<Vec<u8>>()) {
        let _ = borsh::from_slice::<Receipt>(&bytes);
        let _ = borsh::from_slice::<Invocation>(&bytes);
        let _ = borsh::from_slice::<StateDiff>(&bytes);
        let _ = serde_json::from_slice::<Receipt>(&bytes);
        let _ = serde_json::from_slice::<Invocation>(&bytes);
    }
}

#[test]
fn receipt_bytes_are_pinned() {
    let r = Receipt {
        status: StatusCode::Trap,
        fault: Fault::Trap(TrapKind::IntegerDivisionByZero),
        gas_used: 0x0102,
        return_data: vec![],
        revert_reason: b"no".to_vec(),
        events: vec![Event { topic: vec![7], data: vec![] }],
        logs: vec![LogRecord { level: LogLevel::Warn, message: vec![9] }],
        diff: StateDiff(vec![DiffEntry {
            key: StateKey::Supply { token: TokenId([1; 32]) },
            old: None,
            new: Some(vec![5]),
        }]),
        diff_hash: Hash32([3; 32]),
        trace_hash: Hash32([4; 32]),
        rules_hash: Hash32([2; 32]),
        receipt_hash: Hash32([5; 32]),
    };
    // Hand-assembled from spec/abi.md#encodings: field order, u8 enum tags, u32 length prefixes.
    let mut want: Vec<u8> = vec![3]; // status: trap
    want.extend([1, 2]); // fault: trap, integer_division_by_zero
    want.extend(0x0102u64.to_le_bytes()); // gas_used
    want.extend([0, 0, 0, 0]); // return_data: empty
    want.extend([2, 0, 0, 0, b'n', b'o']); // revert_reason
    want.extend([1, 0, 0, 0, 1, 0, 0, 0, 7, 0, 0, 0, 0]); // events: [{topic [7], data []}]
    want.extend([1, 0, 0, 0, 2, 1, 0, 0, 0, 9]); // logs: [{warn, [9]}]
    want.extend([1, 0, 0, 0, 1]); // diff: one entry, key Supply
    want.extend([1; 32]); // token
    want.extend([0, 1, 1, 0, 0, 0, 5]); // old None, new Some([5])
    want.extend([3; 32]); // diff_hash
    want.extend([4; 32]); // trace_hash
    want.extend([2; 32]); // rules_hash
    want.extend([5; 32]); // receipt_hash
    assert_eq!(borsh::to_vec(&r).unwrap(), want);
    // The receipt hash (v3) is over every field but the diff (44 bytes from offset 44) and itself.
    let diff = 44..88;
    assert_eq!(&want[diff.clone()], &borsh::to_vec(&r.diff).unwrap()[..]);
    let body: Vec<u8> = want[..diff.start].iter().chain(&want[diff.end..want.len() - 32]).copied().collect();
    assert_eq!(r.compute_hash().0, blake3::derive_key("tsvm 2026-12 receipt v3", &body));
    let json = serde_json::to_value(&r).unwrap();
    assert_eq!(json["status"], "trap");
    assert_eq!(json["fault"]["trap"], "integer_division_by_zero");
    assert_eq!(json["revert_reason"], "0x6e6f");
    assert_eq!(json["diff"][0]["key"]["kind"], "supply");
    assert_eq!(json["diff"][0]["old"], serde_json::Value::Null);
}

#[test]
fn operation_bytes_are_what_hooks_read() {
    let op = Operation::Transfer { from: Address([1; 32]), to: Address([2; 32]), amount: 100 };
    let bytes = borsh::to_vec(&op).unwrap();
    assert_eq!(bytes.len(), 81);
    assert_eq!(bytes[0], 0);
    assert_eq!(&bytes[65..81], &100u128.to_le_bytes());
    let json = serde_json::to_string(&op).unwrap();
    assert!(json.contains("\"op\":\"transfer\"") && json.contains("\"amount\":\"100\""), "{json}");
}

#[test]
fn json_rejects_unknown_fields_and_bad_amounts() {
    let err = serde_json::from_str::<Context>(
        r#"{"height":1,"timestamp_ms":2,"tx_hash":"0x00","prev_block_hash":"0x00","caller":"0x00"}"#,
    );
    assert!(err.is_err());
    let bad = r#"{"op":"mint","to":"0x0101010101010101010101010101010101010101010101010101010101010101","amount":"-1"}"#;
    let err = serde_json::from_str::<Operation>(bad).unwrap_err().to_string();
    assert!(err.contains("invalid amount"), "{err}");
    let extra = r#"{"op":"mint","to":"0x0101010101010101010101010101010101010101010101010101010101010101","amount":"1","x":1}"#;
    assert!(serde_json::from_str::<Operation>(extra).is_err());
}

#[test]
fn trace_bytes_are_inline_at_the_limit_and_hashed_past_it() {
    let at = vec![7u8; TRACE_INLINE_MAX];
    assert_eq!(TraceBytes::of(&at), TraceBytes::Inline(at.clone()));
    let past = vec![7u8; TRACE_INLINE_MAX + 1];
    assert_eq!(
        TraceBytes::of(&past),
        TraceBytes::Hashed { len: past.len() as u32, hash: crate::hash::content_hash(&past) }
    );
}

/// Trace v3's compact integers (`spec/trace.md#events`): the shortest LEB128 at both ends of the
/// range and at each byte boundary, zigzag, and a decoder that refuses every other form.
#[test]
fn compact_integers_have_one_encoding() {
    use crate::trace::compact::{push_i64s, push_u64, put_u64, read_u64, unzigzag, zigzag, MAX_LEN};
    let leb = |v: u64| {
        let mut buf = Vec::new();
        push_u64(&mut buf, v);
        let mut out = [0xee; 1 + MAX_LEN + 1];
        let end = put_u64(&mut out, 1, v);
        assert_eq!(&out[1..end], &buf[..], "put_u64 writes what push_u64 appends: {v}");
        assert_eq!((out[0], out[end]), (0xee, 0xee), "and nothing around it: {v}");
        buf
    };
    assert_eq!(leb(0), [0]);
    assert_eq!(leb(127), [0x7f]);
    assert_eq!(leb(128), [0x80, 0x01]);
    assert_eq!(leb(300), [0xac, 0x02]);
    let mut max = vec![0xff; 9];
    max.push(0x01);
    assert_eq!(leb(u64::MAX), max, "the longest form: 10 bytes");
    for shift in 0..64 {
        for v in [1u64 << shift, (1u64 << shift) - 1] {
            let bytes = leb(v);
            assert_eq!(bytes.len(), (64 - v.leading_zeros() as usize).div_ceil(7).max(1));
            assert_eq!(read_u64(&mut &bytes[..]).unwrap(), v);
        }
    }
    let refused = [
        &[0x80, 0x00][..],                                                   // 0 in two bytes
        &[0xff, 0x80, 0x00],                                                 // 127 in three
        &[0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02],       // 2^64
        &[0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x81, 0x00], // 11 bytes
        &[0x80],                                                             // cut short
        &[],
    ];
    for bytes in refused {
        assert!(read_u64(&mut &bytes[..]).is_err(), "{bytes:?}");
    }
    for (v, z) in [(0i64, 0u64), (-1, 1), (1, 2), (-2, 3), (i64::MAX, u64::MAX - 1), (i64::MIN, u64::MAX)] {
        assert_eq!(zigzag(v), z);
        assert_eq!(unzigzag(z), v);
    }
    let mut buf = Vec::new();
    push_i64s(&mut buf, &[1040, -1, 0]);
    assert_eq!(buf, [3, 0xa0, 0x10, 1, 0]);
}

proptest! {
    /// A `HostCall` event round-trips through its compact form, and its encoding is what the
    /// spec's field list gives.
    #[test]
    fn host_call_events_round_trip(
        func in any::<u8>(), gas in any::<u64>(),
        args in proptest::collection::vec(any::<i64>(), 0..6),
        results in proptest::collection::vec(any::<i64>(), 0..2),
    ) {
        use crate::trace::compact::{push_i64s, push_u64};
        let event = TraceEvent::HostCall { func, gas_left: gas, args: args.clone(), results: results.clone() };
        let bytes = borsh::to_vec(&event).unwrap();
        let mut want = vec![2, func];
        push_u64(&mut want, gas);
        push_i64s(&mut want, &args);
        push_i64s(&mut want, &results);
        prop_assert_eq!(&bytes, &want);
        prop_assert_eq!(borsh::from_slice::<TraceEvent>(&bytes).unwrap(), event);
    }

    #[test]
    fn decoding_arbitrary_trace_events_never_panics(bytes in any::<Vec<u8>>()) {
        let _ = borsh::from_slice::<TraceEvent>(&bytes);
    }
}
