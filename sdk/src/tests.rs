//! Host-side unit tests of the SDK's encoding, formatting and ABI JSON (the host calls themselves
//! are exercised by the example scripts against the real VM, `tests/examples.rs`).

extern crate std;

use std::format;

use crate::abi::{is_entry_name, is_hook, Abi, AbiType, Entry, EventDecl, Field, Json, StorageDecl};
use crate::codec::{Decode, Encode, Writer};
use crate::text::TextBuf;
use crate::{Address, Operation};

fn enc<T: Encode + ?Sized>(v: &T) -> ([u8; 128], usize) {
    let mut buf = [0u8; 128];
    let mut w = Writer::new(&mut buf);
    v.encode(&mut w);
    let n = w.finish().expect("fits").len();
    (buf, n)
}

#[test]
fn operations_decode_from_the_hosts_borsh() {
    let (a, b) = (abi::Address([1; 32]), abi::Address([2; 32]));
    let amount = u128::MAX - 7;
    let cases = [
        (
            abi::Operation::Transfer { from: a, to: b, amount },
            Operation::Transfer { from: Address([1; 32]), to: Address([2; 32]), amount },
        ),
        (abi::Operation::Mint { to: a, amount }, Operation::Mint { to: Address([1; 32]), amount }),
        (abi::Operation::Burn { from: a, amount }, Operation::Burn { from: Address([1; 32]), amount }),
        (
            abi::Operation::Approve { owner: a, spender: b, amount },
            Operation::Approve { owner: Address([1; 32]), spender: Address([2; 32]), amount },
        ),
    ];
    for (host, sdk) in cases {
        let bytes = borsh::to_vec(&host).unwrap();
        assert_eq!(Operation::from_bytes(&bytes), Some(sdk));
        let (buf, n) = enc(&sdk);
        assert_eq!(&buf[..n], &bytes[..], "encoding round-trips");
        assert_eq!(Operation::from_bytes(&bytes[..bytes.len() - 1]), None, "cut");
        let mut longer = bytes.clone();
        longer.push(0);
        assert_eq!(Operation::from_bytes(&longer), None, "trailing byte");
    }
    assert_eq!(Operation::from_bytes(&[4; 81]), None, "unknown variant");
    assert_eq!(cases_amount(), amount);
    fn cases_amount() -> u128 {
        Operation::Burn { from: Address::ZERO, amount: u128::MAX - 7 }.amount()
    }
}

#[test]
fn values_encode_as_borsh() {
    let v = (7u8, -2i32, true, Some(5u64), None::<u16>, [1u16, 2], u128::MAX);
    let (buf, n) = enc(&v);
    assert_eq!(&buf[..n], &borsh::to_vec(&v).unwrap()[..]);
    assert_eq!(<(u8, i32, bool, Option<u64>, Option<u16>, [u16; 2], u128)>::from_bytes(&buf[..n]), Some(v));
    assert_eq!(bool::from_bytes(&[2]), None);
    assert_eq!(Option::<u8>::from_bytes(&[2, 0]), None);
    assert_eq!(<()>::from_bytes(&[]), Some(()));
    assert_eq!(<()>::from_bytes(&[0]), None);
    let (buf, n) = enc("hé");
    assert_eq!(&buf[..n], &borsh::to_vec("hé").unwrap()[..]);
    let mut small = [0u8; 3];
    let mut w = Writer::new(&mut small);
    7u32.encode(&mut w);
    assert!(w.finish().is_none(), "a value past the buffer is refused, not cut");
}

#[test]
fn messages_format_without_core_fmt() {
    let a = Address([0xab; 32]);
    let t = TextBuf::format(
        "{} {} {} {} {} {}",
        &[u128::MAX.into(), 0u8.into(), (-42i64).into(), true.into(), "x".into(), (&a).into()],
    );
    let want = format!("{} 0 -42 true x 0x{}", u128::MAX, "ab".repeat(32));
    assert_eq!(t.as_bytes(), want.as_bytes());
    assert_eq!(TextBuf::format("a {} b {}", &[1u8.into()]).as_bytes(), b"a 1 b {}");
    assert_eq!(TextBuf::format("{", &[1u8.into()]).as_bytes(), b"{");
    // Cut at the buffer's end, on a character boundary.
    let long = "é".repeat(200);
    let t = TextBuf::format(&long, &[]);
    assert_eq!(t.as_bytes().len(), 256);
    assert!(core::str::from_utf8(t.as_bytes()).is_ok());
    let t = TextBuf::format(&format!("x{long}"), &[]);
    assert_eq!(t.as_bytes().len(), 255);
    assert!(core::str::from_utf8(t.as_bytes()).is_ok());
}

crate::unit_enum! { enum Status { Open, Closed } }
crate::record! { struct Deal { who: Address, amount: u128, status: Status, tags: [u8; 2], due: Option<u64> } }

#[test]
fn records_and_unit_enums_encode_and_name_their_types() {
    let d = Deal { who: Address([3; 32]), amount: 9, status: Status::Closed, tags: [1, 2], due: Some(4) };
    let (buf, n) = enc(&d);
    assert_eq!(&buf[..n], &borsh::to_vec(&([3u8; 32], 9u128, 1u8, [1u8, 2], Some(4u64))).unwrap()[..]);
    let back = Deal::from_bytes(&buf[..n]).unwrap();
    assert_eq!(
        (back.who, back.amount, back.status, back.tags, back.due),
        (d.who, 9, Status::Closed, [1, 2], Some(4))
    );
    assert_eq!(Status::from_bytes(&[2]), None);

    const ABI: Abi = Abi {
        name: "t",
        hooks: &["before_transfer"],
        views: &[Entry {
            name: "deal",
            args: &[Field { name: "id", ty: &u64::TY }],
            returns: Some(&Deal::TY),
        }],
        methods: &[Entry { name: "close", args: &[], returns: None }],
        events: &[EventDecl { topic: "closed", ty: &u64::TY }],
        storage: &[StorageDecl { key: "deal/", key_type: Some(&u64::TY), ty: &Status::TY }],
    };
    const JSON: Json = Json::of(&ABI);
    let bytes: [u8; JSON.len] = JSON.bytes();
    assert_eq!(
        core::str::from_utf8(&bytes).unwrap(),
        concat!(
            r#"{"abi_version":1,"name":"t","hooks":["before_transfer"],"#,
            r#""views":[{"name":"deal","args":[{"name":"id","type":"u64"}],"returns":{"struct":["#,
            r#"{"name":"who","type":"address"},{"name":"amount","type":"u128"},"#,
            r#"{"name":"status","type":{"enum":["Open","Closed"]}},{"name":"tags","type":{"array":["u8",2]}},"#,
            r#"{"name":"due","type":{"option":"u64"}}]}}],"#,
            r#""methods":[{"name":"close","args":[],"returns":null}],"events":[{"topic":"closed","type":"u64"}],"#,
            r#""storage":[{"prefix":"deal/","key_type":"u64","type":{"enum":["Open","Closed"]}}]}"#
        )
    );
}

#[test]
fn entry_and_hook_names_follow_the_spec() {
    assert!(is_hook("on_approve") && !is_hook("before_transfers") && !is_hook(""));
    assert!(is_entry_name("a") && is_entry_name("set_fee2") && is_entry_name(&"a".repeat(64)));
    for bad in ["", "A", "1a", "_a", "a-b", "é"] {
        assert!(!is_entry_name(bad), "{bad}");
    }
    assert!(!is_entry_name(&"a".repeat(65)));
}

#[test]
fn a_cut_message_stays_a_prefix() {
    let msg = format!("{}é{{}}", "a".repeat(255));
    let t = TextBuf::format(&msg, &[1u8.into()]);
    assert_eq!(t.as_bytes(), "a".repeat(255).as_bytes());
}

#[test]
fn mul_div_is_exact_past_u128() {
    use crate::math::mul_div;
    for a in [0u128, 1, 99, 10_000, 123_456_789_012_345_678_901_234_567, u128::MAX / 3, u128::MAX] {
        for (num, den) in [
            (0u32, 1u32),
            (1, 1),
            (100, 10_000),
            (9_999, 10_000),
            (10_000, 10_000),
            (7, 3),
            (u32::MAX, u32::MAX),
        ] {
            // a * num / den = (a / den) * num + (a % den) * num / den, each part exact in u128 when it fits.
            let (q, r) = (a / u128::from(den), a % u128::from(den));
            let want = q
                .checked_mul(u128::from(num))
                .and_then(|x| x.checked_add(r * u128::from(num) / u128::from(den)));
            assert_eq!(mul_div(a, num, den), want, "{a} * {num} / {den}");
        }
    }
    assert_eq!(mul_div(1, 1, 0), None);
    assert_eq!(mul_div(u128::MAX, 2, 1), None);
    assert_eq!(mul_div(u128::MAX, 3, 2), None);
    assert_eq!(mul_div(u128::MAX / 2, 2, 1), Some(u128::MAX - 1));
}
