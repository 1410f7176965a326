//! Typed storage: the borsh of a value under a key (`spec/abi.md#host-functions`, contract 1's
//! `storage`). A key is bytes; [`key`] builds a prefixed one, `prefix ++ borsh(k)`, as contract 1
//! declares prefixed entries.

#![allow(unsafe_code)]

use crate::codec::{Decode, Encode, Writer};
use crate::env::{encode, revert, KEY_CAP, VALUE_CAP};
use crate::sys;

/// A storage key built by [`key`]: at most [`KEY_CAP`] bytes.
#[derive(Clone, Copy, Debug)]
pub struct Key {
    buf: [u8; KEY_CAP],
    len: usize,
}

impl AsRef<[u8]> for Key {
    fn as_ref(&self) -> &[u8] {
        &self.buf[..self.len]
    }
}

/// The key `prefix ++ borsh(k)`; reverts if it is longer than [`KEY_CAP`].
pub fn key<K: Encode + ?Sized>(prefix: &str, k: &K) -> Key {
    let mut buf = [0u8; KEY_CAP];
    let mut w = Writer::new(&mut buf);
    w.put(prefix.as_bytes());
    k.encode(&mut w);
    let Some(len) = w.finish().map(<[u8]>::len) else { revert("tsvm-sdk: storage key longer than KEY_CAP") };
    Key { buf, len }
}

fn len32(n: usize) -> u32 {
    n as u32
}

/// Reads the value at `key` into `buf`: its full length (which may exceed `buf`, of which
/// `min(len, buf.len())` bytes were copied), or `None` if absent.
pub fn read(key: impl AsRef<[u8]>, buf: &mut [u8]) -> Option<usize> {
    let k = key.as_ref();
    // SAFETY: reads a live key, writes at most `buf.len()` bytes to `buf`.
    let n = unsafe { sys::storage_read(k.as_ptr(), len32(k.len()), buf.as_mut_ptr(), len32(buf.len())) };
    usize::try_from(n).ok()
}

/// The value at `key`, decoded; `None` if absent. Reverts if the stored bytes are not one `T`.
pub fn get<T: Decode>(key: impl AsRef<[u8]>) -> Option<T> {
    let mut buf = [0u8; VALUE_CAP];
    let n = read(key, &mut buf)?;
    let Some(bytes) = buf.get(..n) else { revert("tsvm-sdk: stored value longer than VALUE_CAP") };
    match T::from_bytes(bytes) {
        Some(v) => Some(v),
        None => revert("tsvm-sdk: a stored value does not decode as its type"),
    }
}

/// The value at `key`, or `default` if absent.
pub fn get_or<T: Decode>(key: impl AsRef<[u8]>, default: T) -> T {
    get(key).unwrap_or(default)
}

/// Stores the borsh of `value` at `key`.
pub fn set<T: Encode + ?Sized>(key: impl AsRef<[u8]>, value: &T) {
    let mut buf = [0u8; VALUE_CAP];
    write(key, encode(value, &mut buf));
}

/// Stores raw bytes at `key`.
pub fn write(key: impl AsRef<[u8]>, value: &[u8]) {
    let k = key.as_ref();
    // SAFETY: reads two live slices.
    unsafe { sys::storage_write(k.as_ptr(), len32(k.len()), value.as_ptr(), len32(value.len())) }
}

/// Removes the value at `key` (nothing if absent).
pub fn remove(key: impl AsRef<[u8]>) {
    let k = key.as_ref();
    // SAFETY: reads a live key.
    unsafe { sys::storage_remove(k.as_ptr(), len32(k.len())) }
}
