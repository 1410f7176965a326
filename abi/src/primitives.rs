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
                let bytes = crate::hex::decode(s)?;
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
                let s = <String as serde::Deserialize>::deserialize(d)?;
                Self::from_hex(&s).map_err(<D::Error as serde::de::Error>::custom)
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
}
