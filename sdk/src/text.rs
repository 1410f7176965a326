//! Formatted text without an allocator or `core::fmt`: [`crate::revert!`], [`crate::require!`]
//! and [`crate::log!`] write their message into a [`TextBuf`] on the stack, replacing each `{}` of
//! the format string by the next argument ([`Arg`]: integers in decimal, `bool`, `&str`, 32-byte
//! values as `0x` hex).
//!
//! **Note:** `core::fmt` with `u128` added about 3.5 KiB to every script that formats a reason (its
//! tables and the `u128` division); this formatter adds a few hundred bytes, which keeps the
//! examples under a few KiB.

use crate::env::REASON_CAP;
use crate::types::{Address, Hash, TokenId};

/// A fixed buffer of UTF-8 text; what does not fit is dropped at a character boundary.
#[derive(Debug)]
pub struct TextBuf {
    buf: [u8; REASON_CAP],
    len: usize,
    /// Something was cut: nothing more is appended (the text stays a prefix of the message).
    cut: bool,
}

impl Default for TextBuf {
    fn default() -> Self {
        Self { buf: [0; REASON_CAP], len: 0, cut: false }
    }
}

/// One argument of a formatted message.
#[derive(Clone, Copy, Debug)]
pub enum Arg<'a> {
    /// An unsigned integer, in decimal.
    Unsigned(u128),
    /// A signed integer, in decimal.
    Signed(i64),
    /// Text, as it is.
    Str(&'a str),
    /// 32 bytes, as `0x` and 64 lowercase hex digits.
    Bytes32(&'a [u8; 32]),
}

macro_rules! arg_from {
    ($($t:ty => $v:ident),*) => {$(
        impl From<$t> for Arg<'_> {
            fn from(x: $t) -> Self {
                Arg::$v(x.into())
            }
        }
    )*};
}
arg_from!(u8 => Unsigned, u16 => Unsigned, u32 => Unsigned, u64 => Unsigned, u128 => Unsigned,
          i8 => Signed, i16 => Signed, i32 => Signed, i64 => Signed);

impl<'a> From<&'a str> for Arg<'a> {
    fn from(s: &'a str) -> Self {
        Arg::Str(s)
    }
}

impl From<bool> for Arg<'_> {
    fn from(b: bool) -> Self {
        Arg::Str(if b { "true" } else { "false" })
    }
}

macro_rules! arg_bytes32 {
    ($($t:ty),*) => {$(
        impl<'a> From<&'a $t> for Arg<'a> {
            fn from(x: &'a $t) -> Self {
                Arg::Bytes32(&x.0)
            }
        }
    )*};
}
arg_bytes32!(Address, Hash, TokenId);

impl TextBuf {
    /// The text written so far, as UTF-8 bytes (only whole `&str` prefixes cut at character
    /// boundaries, and ASCII, are ever copied in).
    pub fn as_bytes(&self) -> &[u8] {
        &self.buf[..self.len]
    }

    /// `fmt` with each `{}` replaced by the next of `args` (a `{}` past the last argument is kept
    /// as it is, and so are arguments past the last `{}`).
    pub fn format(fmt: &str, args: &[Arg<'_>]) -> Self {
        // Scanning bytes, not `str::find`: its searcher costs the module half a KiB.
        let mut t = Self::default();
        let mut args = args.iter();
        let fmt = fmt.as_bytes();
        let (mut i, mut text) = (0, 0);
        while i < fmt.len() {
            if fmt[i] == b'{' && fmt.get(i + 1) == Some(&b'}') {
                t.push_bytes(&fmt[text..i]);
                match args.next() {
                    Some(a) => t.push_arg(a),
                    None => t.push_bytes(b"{}"),
                }
                i += 2;
                text = i;
            } else {
                i += 1;
            }
        }
        t.push_bytes(&fmt[text..]);
        t
    }

    /// Appends `s`, cut at a character boundary if it does not all fit.
    pub fn push_str(&mut self, s: &str) {
        self.push_bytes(s.as_bytes());
    }

    /// Appends UTF-8 `bytes` (a whole string, or a part of one cut at character boundaries),
    /// cut at a character boundary if they do not all fit.
    fn push_bytes(&mut self, bytes: &[u8]) {
        if self.cut {
            return;
        }
        let room = REASON_CAP - self.len;
        self.cut = bytes.len() > room;
        let mut n = bytes.len().min(room);
        // A continuation byte (0b10xx_xxxx) is not a boundary.
        while n < bytes.len() && n > 0 && bytes[n] & 0xc0 == 0x80 {
            n -= 1;
        }
        self.buf[self.len..self.len + n].copy_from_slice(&bytes[..n]);
        self.len += n;
    }

    fn push_arg(&mut self, a: &Arg<'_>) {
        match *a {
            Arg::Unsigned(n) => self.push_unsigned(n),
            Arg::Signed(n) => {
                if n < 0 {
                    self.push_str("-");
                }
                self.push_unsigned(u128::from(n.unsigned_abs()));
            }
            Arg::Str(s) => self.push_str(s),
            Arg::Bytes32(b) => {
                let mut hex = [0u8; 66];
                hex[..2].copy_from_slice(b"0x");
                for (i, byte) in b.iter().enumerate() {
                    hex[2 + 2 * i] = HEX[usize::from(byte >> 4)];
                    hex[3 + 2 * i] = HEX[usize::from(byte & 15)];
                }
                self.push_bytes(&hex);
            }
        }
    }

    /// Decimal digits of `n`, dividing its 32-bit limbs by 10 in `u64` arithmetic (no `u128`
    /// division, which would bring in the compiler's `u128_div_rem`: [`crate::math`]).
    fn push_unsigned(&mut self, n: u128) {
        let mut limbs = crate::math::limbs(n);
        let mut digits = [0u8; 39];
        let mut k = digits.len();
        loop {
            let rem = crate::math::div_limbs(&mut limbs, 10);
            k -= 1;
            digits[k] = b'0' + rem as u8;
            if limbs == [0; 4] {
                break;
            }
        }
        self.push_bytes(&digits[k..]);
    }
}

const HEX: &[u8; 16] = b"0123456789abcdef";

/// Ends the execution with `reverted` and a reason: a string literal, or a format string whose
/// each `{}` is replaced by the next argument ([`text::Arg`](crate::text::Arg): integers, `bool`,
/// `&str`, `&Address`...), cut at [`REASON_CAP`] bytes.
///
/// `revert!("not owner")`, `revert!("amount {} above the limit {}", amount, limit)`.
#[macro_export]
macro_rules! revert {
    ($msg:literal $(,)?) => {
        $crate::env::revert($msg)
    };
    ($fmt:literal, $($arg:expr),+ $(,)?) => {
        $crate::env::revert_bytes($crate::text::TextBuf::format($fmt, &[$($crate::text::Arg::from($arg)),+]).as_bytes())
    };
}

/// Reverts with the reason (as [`revert!`]) unless `cond` holds.
///
/// `require!(caller() == token_owner(), "not owner")`.
#[macro_export]
macro_rules! require {
    ($cond:expr, $($reason:tt)+) => {
        if !$cond {
            $crate::revert!($($reason)+)
        }
    };
}

/// Logs a message at a level (`Debug`, `Info`, `Warn`, `Error`): a literal, or a format string and
/// its arguments (as [`revert!`]).
///
/// `log!(Info, "opened escrow {}", id)`.
#[macro_export]
macro_rules! log {
    ($level:ident, $msg:literal $(,)?) => {
        $crate::env::log($crate::env::Level::$level, $msg)
    };
    ($level:ident, $fmt:literal, $($arg:expr),+ $(,)?) => {
        $crate::env::log_bytes(
            $crate::env::Level::$level,
            $crate::text::TextBuf::format($fmt, &[$($crate::text::Arg::from($arg)),+]).as_bytes(),
        )
    };
}
