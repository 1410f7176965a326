//! The amount codec (`spec/abi.md#amounts`): an amount in a state value (balance, supply) and in
//! guest memory (`balance_of`, `total_supply`) is its 16-byte little-endian encoding; a host function
//! argument passes it as two `i64` halves, low first (`spec/abi.md#host-functions`).

use crate::Amount;
use alloc::vec::Vec;

/// Bytes of an encoded amount.
pub const ENCODED_LEN: usize = 16;

/// The 16-byte little-endian encoding of `amount`.
pub fn encode(amount: Amount) -> [u8; ENCODED_LEN] {
    amount.to_le_bytes()
}

/// `amount` as a state value (balances and supply are always present: an account that never held
/// the token holds 0, `spec/abi.md#state`).
pub fn to_value(amount: Amount) -> Option<Vec<u8>> {
    Some(encode(amount).to_vec())
}

/// The amount `bytes` encode, if they are exactly 16 bytes.
pub fn decode(bytes: &[u8]) -> Option<Amount> {
    <[u8; ENCODED_LEN]>::try_from(bytes).ok().map(Amount::from_le_bytes)
}

/// The amount a host function receives as its `lo` and `hi` `i64` arguments
/// (`spec/abi.md#host-functions`).
pub fn from_halves(lo: i64, hi: i64) -> Amount {
    (Amount::from(hi as u64) << 64) | Amount::from(lo as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_are_16_bytes_little_endian_and_halves_are_low_first() {
        let a: Amount = (7 << 64) | 5;
        assert_eq!(encode(a)[..9], [5, 0, 0, 0, 0, 0, 0, 0, 7]);
        assert_eq!(decode(&encode(a)), Some(a));
        assert_eq!(to_value(a), Some(encode(a).to_vec()));
        assert_eq!(decode(&[0; 15]), None);
        assert_eq!(decode(&[0; 17]), None);
        assert_eq!(from_halves(5, 7), a);
        assert_eq!(from_halves(-1, -1), Amount::MAX);
    }
}
