//! `u128` arithmetic without the compiler's 128-bit division: [`mul_div`] for fees and shares.
//!
//! **Note:** a `u128` division or remainder in a script links compiler-builtins' `u128_div_rem`,
//! about 1.2 KiB of code, which is load gas on every call (`spec/gas.md#per-execution-costs`: 150
//! a byte). These helpers divide 32-bit limbs with `u64` arithmetic instead: about 200 bytes.

/// Divides the big-endian 32-bit limbs of a number by `d` in place; returns the remainder.
/// `d` must not be zero.
pub(crate) fn div_limbs(limbs: &mut [u32], d: u32) -> u32 {
    let mut rem = 0u64;
    for limb in limbs {
        // rem < d < 2^32, so the dividend fits a u64.
        let cur = (rem << 32) | u64::from(*limb);
        *limb = (cur / u64::from(d)) as u32;
        rem = cur % u64::from(d);
    }
    rem as u32
}

/// The big-endian 32-bit limbs of `x`.
pub(crate) fn limbs(x: u128) -> [u32; 4] {
    [(x >> 96) as u32, (x >> 64) as u32, (x >> 32) as u32, x as u32]
}

/// `a * num / den`, rounded down, computed exactly (the product may exceed `u128`): `None` if `den`
/// is zero or the quotient does not fit a `u128`.
///
/// A fee of `bps` basis points: `mul_div(amount, bps, 10_000)`.
pub fn mul_div(a: u128, num: u32, den: u32) -> Option<u128> {
    if den == 0 {
        return None;
    }
    // The product in five big-endian limbs.
    let a = limbs(a);
    let mut p = [0u32; 5];
    let mut carry = 0u64;
    for i in (0..4).rev() {
        // (2^32 - 1)^2 + (2^32 - 1) < 2^64.
        let cur = u64::from(a[i]) * u64::from(num) + carry;
        p[i + 1] = cur as u32;
        carry = cur >> 32;
    }
    p[0] = carry as u32;
    div_limbs(&mut p, den);
    if p[0] != 0 {
        return None;
    }
    let hi = (u64::from(p[1]) << 32) | u64::from(p[2]);
    let lo = (u64::from(p[3]) << 32) | u64::from(p[4]);
    Some((u128::from(hi) << 64) | u128::from(lo))
}
