//! Hex and decimal-string helpers for the serde JSON forms (`spec/abi.md#json`).
//!
//! Each value has one textual form, written and read alike (`spec/abi.md#json`): bytes are `0x`
//! and lowercase hex digits; `u128` amounts are decimal strings (so that no JSON reader rounds them)
//! without sign or leading zeros. Anything else is refused, so that one value never has two
//! spellings.

use alloc::{format, string::String, vec::Vec};
use core::fmt::Write;

/// Encodes bytes as `0x`-prefixed lowercase hex.
pub fn encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(2 + bytes.len() * 2);
    out.push_str("0x");
    for b in bytes {
        // Writing to a String cannot fail.
        let _ = write!(out, "{b:02x}");
    }
    out
}

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
    let nibble = |c: u8, at: usize| -> Result<u8, String> {
        match c {
            b'0'..=b'9' => Ok(c - b'0'),
            b'a'..=b'f' => Ok(c - b'a' + 10),
            b'A'..=b'F' => {
                Err(format!("uppercase hex digit {:?} at position {at}: write hex in lowercase", c as char))
            }
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

/// `#[serde(with = "crate::hex::bytes")]` for `Vec<u8>` fields.
pub mod bytes {
    use alloc::{string::String, vec::Vec};
    use serde::{de::Error, Deserialize, Deserializer, Serializer};

    /// Serializes as hex.
    pub fn serialize<S: Serializer>(v: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&super::encode(v))
    }

    /// Deserializes from hex.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        let s = String::deserialize(d)?;
        super::decode(&s).map_err(D::Error::custom)
    }
}

/// `#[serde(with = "crate::hex::opt_bytes")]` for `Option<Vec<u8>>` fields (`null` when absent).
pub mod opt_bytes {
    use alloc::{string::String, vec::Vec};
    use serde::{de::Error, Deserialize, Deserializer, Serializer};

    /// Serializes as hex or `null`.
    pub fn serialize<S: Serializer>(v: &Option<Vec<u8>>, s: S) -> Result<S::Ok, S::Error> {
        match v {
            Some(v) => s.serialize_str(&super::encode(v)),
            None => s.serialize_none(),
        }
    }

    /// Deserializes from hex or `null`.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Vec<u8>>, D::Error> {
        Option::<String>::deserialize(d)?.map(|s| super::decode(&s).map_err(D::Error::custom)).transpose()
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
