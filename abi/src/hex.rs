//! Hex and decimal-string helpers for the serde JSON forms (`spec/abi.md#json`).
//!
//! Bytes are written as `0x`-prefixed lowercase hex and read in either case; `u128` amounts are
//! decimal strings so that no JSON reader rounds them.

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

/// Decodes `0x`-prefixed (or bare) hex.
///
/// # Errors
/// A message naming the first bad character or an odd length.
pub fn decode(s: &str) -> Result<Vec<u8>, String> {
    let digits = s.strip_prefix("0x").unwrap_or(s);
    if !digits.len().is_multiple_of(2) {
        return Err(format!("hex string has an odd number of digits ({})", digits.len()));
    }
    let nibble = |c: u8, at: usize| -> Result<u8, String> {
        match c {
            b'0'..=b'9' => Ok(c - b'0'),
            b'a'..=b'f' => Ok(c - b'a' + 10),
            b'A'..=b'F' => Ok(c - b'A' + 10),
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
        s.parse::<u128>()
            .map_err(|_| D::Error::custom(alloc::format!("invalid amount {s:?}: expected a decimal u128")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_round_trip_and_errors() {
        assert_eq!(encode(&[0, 0xab, 0xff]), "0x00abff");
        assert_eq!(decode("0x00ABff").unwrap(), [0, 0xab, 0xff]);
        assert_eq!(decode("").unwrap(), Vec::<u8>::new());
        assert!(decode("0xabc").unwrap_err().contains("odd"));
        assert!(decode("0xzz").unwrap_err().contains("position 0"));
    }
}
