//! The values a script handles: [`Address`], [`TokenId`], [`Hash`], [`Amount`] and the decoded
//! [`Operation`] of a hook (`spec/abi.md#primitives`, `spec/abi.md#invocations`).

use crate::codec::{Decode, Encode, Reader, Writer};

/// An amount of a token: `u128` (`spec/abi.md#amounts`).
pub type Amount = u128;

macro_rules! bytes32 {
    ($($(#[$doc:meta])* $name:ident;)*) => {$(
        $(#[$doc])*
        #[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
        pub struct $name(pub [u8; 32]);

        impl $name {
            /// All 32 bytes zero.
            pub const ZERO: Self = Self([0; 32]);
        }

        impl Encode for $name {
            fn encode(&self, w: &mut Writer<'_>) {
                w.put(&self.0);
            }
        }

        impl Decode for $name {
            fn decode(r: &mut Reader<'_>) -> Option<Self> {
                Some(Self(r.array()?))
            }
        }

        impl core::fmt::Debug for $name {
            /// `0x` and 64 lowercase hex digits, as the JSON form.
            fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                f.write_str("0x")?;
                for b in self.0 {
                    let hex = b"0123456789abcdef";
                    let pair = [hex[usize::from(b >> 4)], hex[usize::from(b & 15)]];
                    f.write_str(core::str::from_utf8(&pair).unwrap_or("??"))?;
                }
                Ok(())
            }
        }
    )*};
}

bytes32! {
    /// An account: 32 bytes.
    Address;
    /// A token's id: 32 bytes.
    TokenId;
    /// A 32-byte hash (transaction, block, blake3).
    Hash;
}

/// A native token operation, as a hook receives it (borsh of `abi::Operation`: a `u8` variant
/// index, then the fields in order).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Operation {
    /// Move `amount` from `from` to `to`.
    Transfer {
        /// Debited account.
        from: Address,
        /// Credited account.
        to: Address,
        /// How much.
        amount: Amount,
    },
    /// Create `amount` new units for `to`.
    Mint {
        /// Credited account.
        to: Address,
        /// How much.
        amount: Amount,
    },
    /// Destroy `amount` units held by `from`.
    Burn {
        /// Debited account.
        from: Address,
        /// How much.
        amount: Amount,
    },
    /// `owner` allows `spender` to move up to `amount`.
    Approve {
        /// Owner of the funds.
        owner: Address,
        /// Who may spend.
        spender: Address,
        /// Up to how much.
        amount: Amount,
    },
}

impl Operation {
    /// The operation's amount.
    pub fn amount(&self) -> Amount {
        match *self {
            Self::Transfer { amount, .. }
            | Self::Mint { amount, .. }
            | Self::Burn { amount, .. }
            | Self::Approve { amount, .. } => amount,
        }
    }

    /// The account debited (a transfer's or burn's `from`, an approval's owner), if any.
    pub fn debited(&self) -> Option<Address> {
        match *self {
            Self::Transfer { from, .. } | Self::Burn { from, .. } => Some(from),
            Self::Approve { owner, .. } => Some(owner),
            Self::Mint { .. } => None,
        }
    }

    /// The account credited (a transfer's `to`, a mint's `to`), if any.
    pub fn credited(&self) -> Option<Address> {
        match *self {
            Self::Transfer { to, .. } | Self::Mint { to, .. } => Some(to),
            Self::Burn { .. } | Self::Approve { .. } => None,
        }
    }
}

impl Decode for Operation {
    fn decode(r: &mut Reader<'_>) -> Option<Self> {
        let [tag] = r.array::<1>()?;
        let a = Address::decode(r)?;
        Some(match tag {
            0 => Self::Transfer { from: a, to: Address::decode(r)?, amount: Amount::decode(r)? },
            1 => Self::Mint { to: a, amount: Amount::decode(r)? },
            2 => Self::Burn { from: a, amount: Amount::decode(r)? },
            3 => Self::Approve { owner: a, spender: Address::decode(r)?, amount: Amount::decode(r)? },
            _ => return None,
        })
    }
}

impl Encode for Operation {
    fn encode(&self, w: &mut Writer<'_>) {
        match self {
            Self::Transfer { from, to, amount } => (0u8, from, to, amount).encode(w),
            Self::Mint { to, amount } => (1u8, to, amount).encode(w),
            Self::Burn { from, amount } => (2u8, from, amount).encode(w),
            Self::Approve { owner, spender, amount } => (3u8, owner, spender, amount).encode(w),
        }
    }
}
