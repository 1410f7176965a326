//! Hex and decimal-string helpers for the serde JSON forms (`spec/abi.md#json`).
//!
//! Each value has one textual form, written and read alike (`spec/abi.md#json`): bytes are `0x`
//! and lowercase hex digits; `u128` amounts are decimal strings (so that no JSON reader rounds them)
//! without sign or leading zeros. Anything else is refused, so that one value never has two
//! spellings.

use alloc::{format, string::String, vec::Vec};

/// Lowercase hex digits, by value.
const DIGITS: &[u8; 16] = b"0123456789abcdef";

/// Encodes bytes as `0x`-prefixed lowercase hex.
pub fn encode(bytes: &[u8]) -> String {
    let mut out = Vec::with_capacity(2 + bytes.len() * 2);
    out.extend_from_slice(b"0x");
    for &b in bytes {
        out.push(DIGITS[usize::from(b >> 4)]);
        out.push(DIGITS[usize::from(b & 0xf)]);
    }
    // Only ASCII digits were pushed.
    String::from_utf8(out).unwrap_or_default()
}

/// The value of each lowercase hex digit; [`NOT_HEX`] for every other byte.
const VALUES: [u8; 256] = {
    let mut t = [NOT_HEX; 256];
    let mut i = 0;
    while i < 10 {
        t[b'0' as usize + i] = i as u8;
        i += 1;
    }
    let mut i = 0;
    while i < 6 {
        t[b'a' as usize + i] = 10 + i as u8;
        i += 1;
    }
    t
};

/// Marks a byte that is not a lowercase hex digit in [`VALUES`].
const NOT_HEX: u8 = 0xff;

/// Decodes the canonical hex form: `0x`, then an even number of lowercase hex digits.
///
/// # Errors
/// A message naming a missing `0x`, the first bad character (uppercase digits included) or an odd
/// length.
pub fn decode(s: &str) -> Result<Vec<u8>, String> {
    let Some(digits) = s.strip_prefix("0x") else {
        return Err(format!("hex string {:?} must start with 0x (lowercase)", truncated(s)));
    };
    if !digits.len().is_multiple_of(2) {
        return Err(format!("hex string has an odd number of digits ({})", digits.len()));
    }
    // No branch per digit: a digit's value is at most 15, so `seen` stays below 16 unless some
    // byte was not a digit.
    let mut seen = 0u8;
    let mut out = alloc::vec![0u8; digits.len() / 2];
    for (byte, pair) in out.iter_mut().zip(digits.as_bytes().chunks_exact(2)) {
        let (hi, lo) = (VALUES[usize::from(pair[0])], VALUES[usize::from(pair[1])]);
        seen |= hi | lo;
        *byte = hi << 4 | lo;
    }
    if seen > 0xf {
        // Rare: find and name the first bad digit.
        return Err(bad_digit(digits));
    }
    Ok(out)
}

/// The error for the first byte of `digits` that is not a lowercase hex digit.
fn bad_digit(digits: &str) -> String {
    let (at, c) =
        digits.bytes().enumerate().find(|&(_, c)| VALUES[usize::from(c)] == NOT_HEX).unwrap_or((0, 0));
    if matches!(c, b'A'..=b'F') {
        format!("uppercase hex digit {:?} at position {at}: write hex in lowercase", c as char)
    } else {
        format!("invalid hex digit {:?} at position {at}", c as char)
    }
}

/// At most the first 20 characters of `s`, for error messages.
fn truncated(s: &str) -> &str {
    s.char_indices().nth(20).map_or(s, |(i, _)| &s[..i])
}

/// Parses the canonical decimal form of an amount: `0`, or a digit 1-9 followed by digits, at most
/// `u128::MAX`. No sign, no leading zero, no space, no other base.
///
/// # Errors
/// A message saying what was wrong with `s`.
pub fn parse_amount(s: &str) -> Result<u128, String> {
    let bad = |why: &str| format!("invalid amount {:?}: {why}", truncated(s));
    if s.is_empty() {
        return Err(bad("empty; expected a decimal u128"));
    }
    if !s.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad("expected decimal digits only (no sign, space or 0x)"));
    }
    if s.len() > 1 && s.starts_with('0') {
        return Err(bad("leading zero"));
    }
    s.parse::<u128>().map_err(|_| bad("above u128::MAX"))
}

/// Takes a hex string where the deserializer hands it over, borrowed when it can be (no copy of the
/// text), and decodes it. Decoding errors are returned as a value, to become the deserializer's error
/// only once it has returned: the very error (text and position) that deserializing a `String` and
/// then [`decode`] gave, since a format may place an error by where its parser stands.
pub(crate) struct HexVisitor;

impl serde::de::Visitor<'_> for HexVisitor {
    type Value = Result<Vec<u8>, String>;

    fn expecting(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        // What `String`'s visitor says, so a value of the wrong type is refused in the same words.
        f.write_str("a string")
    }

    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(decode(v))
    }

    fn visit_bytes<E: serde::de::Error>(self, v: &[u8]) -> Result<Self::Value, E> {
        // As `String`'s visitor: bytes are taken if they are UTF-8 text.
        match core::str::from_utf8(v) {
            Ok(s) => Ok(decode(s)),
            Err(_) => Err(E::invalid_value(serde::de::Unexpected::Bytes(v), &self)),
        }
    }
}

/// `#[serde(with = "crate::hex::bytes")]` for `Vec<u8>` fields.
pub mod bytes {
    use alloc::vec::Vec;
    use serde::{de::Error, Deserializer, Serializer};

    /// Serializes as hex.
    pub fn serialize<S: Serializer>(v: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&super::encode(v))
    }

    /// Deserializes from hex.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        d.deserialize_string(super::HexVisitor)?.map_err(D::Error::custom)
    }
}

/// `#[serde(with = "crate::hex::opt_bytes")]` for `Option<Vec<u8>>` fields (`null` when absent).
pub mod opt_bytes {
    use alloc::{string::String, vec::Vec};
    use serde::{de::Error, de::Visitor, Deserializer, Serializer};

    /// Serializes as hex or `null`.
    pub fn serialize<S: Serializer>(v: &Option<Vec<u8>>, s: S) -> Result<S::Ok, S::Error> {
        match v {
            Some(v) => s.serialize_str(&super::encode(v)),
            None => s.serialize_none(),
        }
    }

    /// Deserializes from hex or `null`.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Vec<u8>>, D::Error> {
        d.deserialize_option(OptHex)?.map_err(D::Error::custom)
    }

    /// `null` (or a unit) as `None`, else a hex string, as `Option<String>`'s visitor takes them;
    /// a decoding error returned as a value (see [`super::HexVisitor`]).
    struct OptHex;

    impl<'de> Visitor<'de> for OptHex {
        type Value = Result<Option<Vec<u8>>, String>;

        fn expecting(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
            // What `Option`'s visitor says.
            f.write_str("option")
        }

        fn visit_none<E: serde::de::Error>(self) -> Result<Self::Value, E> {
            Ok(Ok(None))
        }

        fn visit_unit<E: serde::de::Error>(self) -> Result<Self::Value, E> {
            Ok(Ok(None))
        }

        fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
            Ok(d.deserialize_string(super::HexVisitor)?.map(Some))
        }
    }
}

/// `#[serde(with = "crate::hex::amount")]` for `u128` fields: a decimal string.
pub mod amount {
    use alloc::string::{String, ToString};
    use serde::{de::Error, Deserialize, Deserializer, Serializer};

    /// Serializes as a decimal string.
    pub fn serialize<S: Serializer>(v: &u128, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&v.to_string())
    }

    /// Deserializes from a decimal string.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<u128, D::Error> {
        let s = String::deserialize(d)?;
        super::parse_amount(&s).map_err(D::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_round_trip_and_errors() {
        assert_eq!(encode(&[0, 0xab, 0xff]), "0x00abff");
        assert_eq!(decode("0x00abff").unwrap(), [0, 0xab, 0xff]);
        assert_eq!(decode("0x").unwrap(), Vec::<u8>::new());
        assert!(decode("0xabc").unwrap_err().contains("odd"));
        assert!(decode("0xzz").unwrap_err().contains("position 0"));
    }

    #[test]
    fn hex_has_one_form() {
        for (refused, why) in [
            ("", "must start with 0x"),
            ("00ab", "must start with 0x"),
            ("0X00ab", "must start with 0x"),
            ("0x00AB", "uppercase hex digit 'A' at position 2"),
            ("0x00aB", "uppercase hex digit 'B' at position 3"),
            (" 0x00", "must start with 0x"),
            ("0x00 ", "odd"),
            ("0x+0", "invalid hex digit '+'"),
        ] {
            let err = decode(refused).unwrap_err();
            assert!(err.contains(why), "{refused:?}: {err}");
        }
        for b in [&[][..], &[0], &[0xff, 0x10]] {
            assert_eq!(decode(&encode(b)).unwrap(), b);
        }
    }

    /// The decoder before the table-driven one: the reference for its results and errors.
    fn reference_decode(s: &str) -> Result<Vec<u8>, String> {
        let Some(digits) = s.strip_prefix("0x") else {
            return Err(format!("hex string {:?} must start with 0x (lowercase)", truncated(s)));
        };
        if !digits.len().is_multiple_of(2) {
            return Err(format!("hex string has an odd number of digits ({})", digits.len()));
        }
        let nibble = |c: u8, at: usize| -> Result<u8, String> {
            match c {
                b'0'..=b'9' => Ok(c - b'0'),
                b'a'..=b'f' => Ok(c - b'a' + 10),
                b'A'..=b'F' => Err(format!(
                    "uppercase hex digit {:?} at position {at}: write hex in lowercase",
                    c as char
                )),
                _ => Err(format!("invalid hex digit {:?} at position {at}", c as char)),
            }
        };
        digits
            .as_bytes()
            .chunks(2)
            .enumerate()
            .map(|(i, pair)| Ok(nibble(pair[0], 2 * i)? << 4 | nibble(pair[1], 2 * i + 1)?))
            .collect()
    }

    #[test]
    fn encode_and_decode_agree_with_the_reference_on_every_digit_pair() {
        for b in 0..=255u8 {
            assert_eq!(encode(&[b]), format!("0x{b:02x}"));
        }
        for a in 0..128u8 {
            for b in 0..128u8 {
                for s in [
                    format!("0x{}{}", a as char, b as char),
                    format!("0x00{}{}ff", a as char, b as char),
                    format!("0x{}{}0", a as char, b as char),
                    format!("{}{}00", a as char, b as char),
                ] {
                    assert_eq!(decode(&s), reference_decode(&s), "{s:?}");
                }
            }
        }
        for s in ["0x\u{e9}0", "0x0\u{e9}", "0x\u{20ac}00", "0x00\u{1f600}", "\u{e9}0x00", "0x", "0"] {
            assert_eq!(decode(s), reference_decode(s), "{s:?}");
        }
    }

    proptest::proptest! {
        #[test]
        fn decode_agrees_with_the_reference(s in "(0x)?[0-9a-fA-Gx \u{e9}]{0,12}") {
            proptest::prop_assert_eq!(decode(&s), reference_decode(&s));
        }
    }

    /// The same fields, with the deserializers before the visitor ones: a `String`, then decoded.
    #[derive(serde::Deserialize, Debug, PartialEq)]
    #[serde(deny_unknown_fields)]
    struct Reference {
        #[serde(deserialize_with = "reference_bytes")]
        a: Vec<u8>,
        #[serde(deserialize_with = "reference_opt_bytes")]
        b: Option<Vec<u8>>,
        inner: ReferenceInner,
    }

    #[derive(serde::Deserialize, Debug, PartialEq)]
    #[serde(deny_unknown_fields)]
    struct ReferenceInner {
        #[serde(deserialize_with = "reference_opt_bytes")]
        last: Option<Vec<u8>>,
    }

    fn reference_bytes<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        let s = <String as serde::Deserialize>::deserialize(d)?;
        reference_decode(&s).map_err(serde::de::Error::custom)
    }

    fn reference_opt_bytes<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Vec<u8>>, D::Error> {
        <Option<String> as serde::Deserialize>::deserialize(d)?
            .map(|s| reference_decode(&s).map_err(serde::de::Error::custom))
            .transpose()
    }

    #[derive(serde::Deserialize, Debug, PartialEq)]
    #[serde(deny_unknown_fields)]
    struct Visited {
        #[serde(with = "crate::hex::bytes")]
        a: Vec<u8>,
        #[serde(with = "crate::hex::opt_bytes")]
        b: Option<Vec<u8>>,
        inner: VisitedInner,
    }

    #[derive(serde::Deserialize, Debug, PartialEq)]
    #[serde(deny_unknown_fields)]
    struct VisitedInner {
        #[serde(with = "crate::hex::opt_bytes")]
        last: Option<Vec<u8>>,
    }

    #[test]
    fn json_fields_decode_and_fail_exactly_as_a_string_then_decode() {
        let values = [
            "\"0x00ab\"",
            "\"0x\"",
            "null",
            "\"0x00AB\"",
            "\"0xzz\"",
            "\"0xabc\"",
            "\"00ab\"",
            "\"\\u0030x0a\"",
            "\"0x0\\u0061\"",
            "\"0x\\u00e9\\u00e9\"",
            "5",
            "true",
            "[1, 2]",
            "{}",
            "\"0x00",
        ];
        let mut compared = 0;
        for a in values {
            for b in values {
                for last in values {
                    let json = format!(
                        "{{\n  \"a\": {a},\n  \"b\": {b},\n  \"inner\": {{\n    \"last\": {last}\n  }}\n}}\n"
                    );
                    let reference = serde_json::from_str::<Reference>(&json);
                    let visited = serde_json::from_str::<Visited>(&json);
                    match (reference, visited) {
                        (Ok(r), Ok(v)) => assert_eq!((r.a, r.b, r.inner.last), (v.a, v.b, v.inner.last)),
                        (Err(r), Err(v)) => assert_eq!(r.to_string(), v.to_string(), "{json}"),
                        (r, v) => panic!("{json}: reference {r:?}, visitor {v:?}"),
                    }
                    compared += 1;
                }
            }
        }
        assert_eq!(compared, values.len().pow(3));
    }

    #[test]
    fn amounts_have_one_form() {
        for (ok, v) in
            [("0", 0), ("1", 1), ("100", 100), ("340282366920938463463374607431768211455", u128::MAX)]
        {
            assert_eq!(parse_amount(ok), Ok(v), "{ok}");
            assert_eq!(alloc::string::ToString::to_string(&v), ok);
        }
        for (refused, why) in [
            ("+100", "decimal digits only"),
            ("-1", "decimal digits only"),
            ("0100", "leading zero"),
            ("00", "leading zero"),
            ("", "empty"),
            (" 1", "decimal digits only"),
            ("1 ", "decimal digits only"),
            ("1_000", "decimal digits only"),
            ("0x10", "decimal digits only"),
            ("1e3", "decimal digits only"),
            ("340282366920938463463374607431768211456", "above u128::MAX"),
        ] {
            let err = parse_amount(refused).unwrap_err();
            assert!(err.contains(why), "{refused:?}: {err}");
        }
    }
}
