//! Status codes: the consensus-visible outcome of an execution (`spec/abi.md#status-codes`).
//!
//! Codes are stable numbers; an engine's error text is never consensus-visible.

use borsh::{BorshDeserialize, BorshSerialize};
use serde::{Deserialize, Serialize};

macro_rules! status_codes {
    ($( $(#[$doc:meta])* $name:ident = $code:literal, $text:literal; )*) => {
        /// The outcome of an execution. Everything but [`StatusCode::Success`] applies nothing.
        #[derive(
            Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash,
            BorshSerialize, BorshDeserialize, Serialize, Deserialize,
        )]
        #[borsh(use_discriminant = true)]
        #[serde(rename_all = "snake_case")]
        #[repr(u8)]
        pub enum StatusCode {
            $( $(#[$doc])* $name = $code, )*
        }

        impl StatusCode {
            /// Every status code, in numeric order.
            pub const ALL: &'static [StatusCode] = &[$(Self::$name),*];

            /// The code for a number, if there is one.
            pub fn from_u8(code: u8) -> Option<Self> {
                match code {
                    $( $code => Some(Self::$name), )*
                    _ => None,
                }
            }

            /// A short human description (not consensus-visible).
            pub fn describe(self) -> &'static str {
                match self {
                    $( Self::$name => $text, )*
                }
            }
        }
    };
}

status_codes! {
    /// The call completed; its diff, events and return data are the result.
    Success = 0, "success";
    /// The script called `revert`; the reason is in the receipt.
    Reverted = 1, "reverted by the script";
    /// Gas ran out; the whole gas limit is consumed.
    OutOfGas = 2, "out of gas";
    /// A WebAssembly trap: `unreachable`, integer division by zero or overflow, out-of-bounds memory or
    /// table access, an indirect call to a null entry or of the wrong type.
    Trap = 3, "WebAssembly trap";
    /// The specified stack limit (`spec/gas.md#stack-limit`) was exceeded.
    StackOverflow = 4, "stack limit exceeded";
    /// A view tried to change state.
    ReadOnlyViolation = 5, "a view tried to change state";
    /// A host function got a guest pointer or length outside linear memory.
    BadPointer = 6, "guest pointer or length out of bounds";
    /// A host input exceeded its limit (key, value, event, log, return data, or their counts).
    LimitExceeded = 7, "host limit exceeded";
    /// A mutation with a zero amount.
    ZeroAmount = 8, "mutation amount is zero";
    /// A transfer or burn above the debited balance.
    InsufficientBalance = 9, "insufficient balance";
    /// A mint past the maximum supply or a balance past `u128::MAX`.
    SupplyOverflow = 10, "supply overflow";
    /// The token's policy does not let its script mint.
    MintForbidden = 11, "minting is not allowed by the token's policy";
    /// The token's policy does not let its script burn.
    BurnForbidden = 12, "burning is not allowed by the token's policy";
    /// The invoked view or method is not exported (a missing hook is not an error: it is skipped).
    EntryNotFound = 13, "entry point not found";
    /// The module fails the determinism profile or a limit (`spec/determinism.md`).
    InvalidModule = 14, "module rejected by the determinism profile";
    /// A host function got a malformed argument (an unknown log level, an invalid view name, ...).
    InvalidArgument = 15, "invalid argument to a host function";
    /// The invocation names a token the state does not know.
    UnknownToken = 16, "unknown token";
    /// The pinned engine could not compile a module the profile accepts (a compile error or a
    /// contained engine panic): `spec/abi.md#execution`, step 3.
    EngineRejected = 17, "the pinned engine cannot compile this validated module";
}

impl StatusCode {
    /// The numeric code.
    pub fn code(self) -> u8 {
        self as u8
    }

    /// Whether the execution succeeded.
    pub fn is_success(self) -> bool {
        self == Self::Success
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_and_are_dense() {
        for (i, &s) in StatusCode::ALL.iter().enumerate() {
            assert_eq!(s.code() as usize, i);
            assert_eq!(StatusCode::from_u8(s.code()), Some(s));
            assert_eq!(borsh::to_vec(&s).unwrap(), vec![s.code()]);
            let json = serde_json::to_string(&s).unwrap();
            assert_eq!(serde_json::from_str::<StatusCode>(&json).unwrap(), s);
        }
        assert_eq!(StatusCode::from_u8(StatusCode::ALL.len() as u8), None);
        // Pinned: these numbers are consensus-visible and may never change.
        assert_eq!(StatusCode::OutOfGas.code(), 2);
        assert_eq!(StatusCode::UnknownToken.code(), 16);
        assert_eq!(StatusCode::EngineRejected.code(), 17);
    }
}
