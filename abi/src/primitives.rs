//! Fixed-size identifiers: [`Address`], [`TokenId`] and [`Hash32`] (`spec/abi.md#primitives`).
//!
//! Each is 32 bytes; borsh writes the bytes as they are (no length prefix), JSON writes `0x` + 64 hex
//! digits.

use alloc::string::String;
use borsh::{BorshDeserialize, BorshSerialize};
use core::fmt;

macro_rules! bytes32 {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(
            Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, BorshSerialize, BorshDeserialize,
        )]
        pub struct $name(pub [u8; 32]);

        impl $name {
            /// The all-zero value.
            pub const ZERO: Self = Self([0; 32]);

            /// The raw bytes.
            pub fn as_bytes(&self) -> &[u8; 32] {
                &self.0
            }

            /// Parses the one textual form: `0x` + 64 lowercase hex digits.
            ///
            /// # Errors
            /// A message saying what was wrong with `s`.
            pub fn from_hex(s: &str) -> Result<Self, String> {
                Self::from_decoded(crate::hex::decode(s)?)
            }

            /// The value of decoded hex, if it is 32 bytes.
            fn from_decoded(bytes: alloc::vec::Vec<u8>) -> Result<Self, String> {
                let arr: [u8; 32] = bytes.as_slice().try_into().map_err(|_| {
                    alloc::format!(
                        "{} must be 32 bytes (64 hex digits), got {}",
                        stringify!($name),
                        bytes.len()
                    )
                })?;
                Ok(Self(arr))
            }
        }

        impl From<[u8; 32]> for $name {
            fn from(bytes: [u8; 32]) -> Self {
                Self(bytes)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&crate::hex::encode(&self.0))
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}({})", stringify!($name), crate::hex::encode(&self.0))
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(&crate::hex::encode(&self.0))
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                // As a `String` then `from_hex`, without copying the text (`crate::hex::HexVisitor`).
                d.deserialize_string(crate::hex::HexVisitor)?
                    .and_then(Self::from_decoded)
                    .map_err(<D::Error as serde::de::Error>::custom)
            }
        }
    };
}

bytes32! {
    /// An account address (32 bytes).
    Address
}

bytes32! {
    /// A token's identifier (32 bytes); a script's storage is keyed by it.
    TokenId
}

bytes32! {
    /// A 32-byte hash (blake3 everywhere in tsvm).
    Hash32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_and_borsh_forms() {
        let a = Address([0xab; 32]);
        let json = serde_json::to_string(&a).unwrap();
        assert_eq!(json, format!("\"0x{}\"", "ab".repeat(32)));
        assert_eq!(serde_json::from_str::<Address>(&json).unwrap(), a);
        assert_eq!(borsh::to_vec(&a).unwrap(), vec![0xab; 32]);
        let err = serde_json::from_str::<TokenId>("\"0x01\"").unwrap_err().to_string();
        assert!(err.contains("32 bytes"), "{err}");
        // One form only: the 0x prefix, lowercase, 64 digits.
        let bare = "ab".repeat(32);
        for refused in
            [bare.clone(), format!("0X{bare}"), format!("0x{}", bare.to_uppercase()), format!("0x{bare}00")]
        {
            assert!(Address::from_hex(&refused).is_err(), "{refused}");
        }
        assert_eq!(Address::from_hex(&format!("0x{bare}")), Ok(a));
    }

    fn reference<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Hash32, D::Error> {
        let s = <String as serde::Deserialize>::deserialize(d)?;
        Hash32::from_hex(&s).map_err(serde::de::Error::custom)
    }

    /// As `Visited`, read as a `String` and then `from_hex` (the deserializer before the visitor).
    #[derive(serde::Deserialize, Debug, PartialEq)]
    struct Reference {
        #[serde(deserialize_with = "reference")]
        a: Hash32,
        inner: ReferenceInner,
    }

    #[derive(serde::Deserialize, Debug, PartialEq)]
    struct ReferenceInner {
        #[serde(deserialize_with = "reference")]
        last: Hash32,
    }

    #[derive(serde::Deserialize, Debug, PartialEq)]
    struct Visited {
        a: Hash32,
        inner: VisitedInner,
    }

    #[derive(serde::Deserialize, Debug, PartialEq)]
    struct VisitedInner {
        last: Hash32,
    }

    #[test]
    fn json_values_decode_and_fail_exactly_as_a_string_then_from_hex() {
        let good = format!("\"0x{}\"", "ab".repeat(32));
        let values = [
            good.clone(),
            format!("\"0x{}\"", "AB".repeat(32)),
            format!("\"0x{}\"", "ab".repeat(31)),
            format!("\"0x{}\"", "ab".repeat(33)),
            format!("\"{}\"", "ab".repeat(32)),
            format!("\"\\u0030x{}\"", "ab".repeat(32)),
            "\"0xabc\"".into(),
            "null".into(),
            "7".into(),
            "[]".into(),
        ];
        for a in &values {
            for last in &values {
                let json = format!("{{\n  \"a\": {a},\n  \"inner\": {{\n    \"last\": {last}\n  }}\n}}");
                match (serde_json::from_str::<Reference>(&json), serde_json::from_str::<Visited>(&json)) {
                    (Ok(r), Ok(v)) => assert_eq!((r.a, r.inner.last), (v.a, v.inner.last)),
                    (Err(r), Err(v)) => assert_eq!(r.to_string(), v.to_string(), "{json}"),
                    (r, v) => panic!("{json}: reference {r:?}, visitor {v:?}"),
                }
            }
        }
        let ok: Visited =
            serde_json::from_str(&format!("{{\"a\": {good}, \"inner\": {{\"last\": {good}}}}}")).unwrap();
        assert_eq!(ok.a, Hash32([0xab; 32]));
    }
}
