//! The script's interface as data, and its JSON for the `tsvm.abi` custom section
//! (`spec/abi.md#script-abi`, contract 1), built at compile time by [`crate::script!`].
//!
//! Every type a script passes implements [`AbiType`], whose [`Ty`] the section names; [`Json`]
//! writes the section's JSON in a `const fn`, so the section is a constant byte array in the module
//! and costs nothing at run time. A section past [`ABI_CAP`] bytes is a compile error.

use crate::types::{Address, Hash, TokenId};

/// The `abi_version` the SDK writes.
pub const ABI_VERSION: u32 = 1;

/// The largest `tsvm.abi` section the SDK builds, in bytes.
pub const ABI_CAP: usize = 8192;

/// A type of contract 1.
#[derive(Clone, Copy, Debug)]
pub enum Ty {
    /// A primitive, by its name: `"bool"`, `"u8"` ... `"u128"`, `"i8"` ... `"i64"`, `"address"`,
    /// `"token_id"`, `"hash"`, `"string"`, `"bytes"`.
    Prim(&'static str),
    /// `{"array": [T, N]}`.
    Array(&'static Ty, usize),
    /// `{"option": T}`.
    Option(&'static Ty),
    /// `{"struct": [{"name", "type"}...]}`.
    Struct(&'static [Field]),
    /// `{"enum": ["A", ...]}`: unit variants, borsh tag `u8`.
    Enum(&'static [&'static str]),
}

/// A named, typed field (a struct's field or an entry point's argument).
#[derive(Clone, Copy, Debug)]
pub struct Field {
    /// The name.
    pub name: &'static str,
    /// The type.
    pub ty: &'static Ty,
}

/// A type with a contract-1 name.
pub trait AbiType {
    /// Its type in the ABI.
    const TY: Ty;
}

macro_rules! prim {
    ($($t:ty => $n:literal),*) => {$(
        impl AbiType for $t {
            const TY: Ty = Ty::Prim($n);
        }
    )*};
}
prim!(bool => "bool", u8 => "u8", u16 => "u16", u32 => "u32", u64 => "u64", u128 => "u128",
      i8 => "i8", i16 => "i16", i32 => "i32", i64 => "i64",
      Address => "address", TokenId => "token_id", Hash => "hash", str => "string", [u8] => "bytes");

impl<T: AbiType + ?Sized> AbiType for &T {
    const TY: Ty = T::TY;
}

impl<T: AbiType, const N: usize> AbiType for [T; N] {
    const TY: Ty = Ty::Array(&T::TY, N);
}

impl<T: AbiType> AbiType for Option<T> {
    const TY: Ty = Ty::Option(&T::TY);
}

/// A view or a method: its name, arguments and return type (`None`: `"returns": null`).
#[derive(Clone, Copy, Debug)]
pub struct Entry {
    /// The name (the export is `view_<name>` or `method_<name>`).
    pub name: &'static str,
    /// The arguments, in order.
    pub args: &'static [Field],
    /// The return type, if the entry returns data.
    pub returns: Option<&'static Ty>,
}

/// An event the script emits.
#[derive(Clone, Copy, Debug)]
pub struct EventDecl {
    /// Its topic.
    pub topic: &'static str,
    /// The type of its data.
    pub ty: &'static Ty,
}

/// A storage entry: one key, or every key under a prefix (`prefix ++ borsh(key)`).
#[derive(Clone, Copy, Debug)]
pub struct StorageDecl {
    /// The key, or the prefix when `key_type` is set.
    pub key: &'static str,
    /// For a prefix: the type of the key after it.
    pub key_type: Option<&'static Ty>,
    /// The type of the value.
    pub ty: &'static Ty,
}

/// A script's whole interface.
#[derive(Clone, Copy, Debug)]
pub struct Abi {
    /// The script's name.
    pub name: &'static str,
    /// The hooks it exports.
    pub hooks: &'static [&'static str],
    /// Its views.
    pub views: &'static [Entry],
    /// Its methods.
    pub methods: &'static [Entry],
    /// The events it emits.
    pub events: &'static [EventDecl],
    /// Its storage layout.
    pub storage: &'static [StorageDecl],
}

/// The hook names of `spec/abi.md#entry-points`.
pub const HOOKS: [&str; 7] = [
    "before_transfer",
    "after_transfer",
    "before_mint",
    "after_mint",
    "before_burn",
    "after_burn",
    "on_approve",
];

const fn str_eq(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

/// Whether `name` is a hook ([`HOOKS`]).
pub const fn is_hook(name: &str) -> bool {
    let mut i = 0;
    while i < HOOKS.len() {
        if str_eq(HOOKS[i], name) {
            return true;
        }
        i += 1;
    }
    false
}

/// Whether `name` is a valid view or method name: 1 to 64 of `[a-z0-9_]`, starting with a
/// lowercase letter (`spec/abi.md#entry-points`).
pub const fn is_entry_name(name: &str) -> bool {
    let b = name.as_bytes();
    if b.is_empty() || b.len() > 64 || !b[0].is_ascii_lowercase() {
        return false;
    }
    let mut i = 0;
    while i < b.len() {
        if !(b[i].is_ascii_lowercase() || b[i].is_ascii_digit() || b[i] == b'_') {
            return false;
        }
        i += 1;
    }
    true
}

/// The section's JSON, written at compile time into a fixed buffer.
#[derive(Debug)]
pub struct Json {
    buf: [u8; ABI_CAP],
    /// How many bytes of the buffer are the JSON.
    pub len: usize,
}

impl Json {
    /// The JSON of `abi` (keys in contract 1's order, no spaces).
    ///
    /// # Panics
    /// At compile time, if it is longer than [`ABI_CAP`].
    pub const fn of(abi: &Abi) -> Self {
        let mut j = Self { buf: [0; ABI_CAP], len: 0 };
        j.raw("{\"abi_version\":1,\"name\":");
        j.string(abi.name);
        j.raw(",\"hooks\":[");
        let mut i = 0;
        while i < abi.hooks.len() {
            j.comma(i);
            j.string(abi.hooks[i]);
            i += 1;
        }
        j.raw("],\"views\":");
        j.entries(abi.views);
        j.raw(",\"methods\":");
        j.entries(abi.methods);
        j.raw(",\"events\":[");
        i = 0;
        while i < abi.events.len() {
            j.comma(i);
            j.raw("{\"topic\":");
            j.string(abi.events[i].topic);
            j.raw(",\"type\":");
            j.ty(abi.events[i].ty);
            j.raw("}");
            i += 1;
        }
        j.raw("],\"storage\":[");
        i = 0;
        while i < abi.storage.len() {
            let s = &abi.storage[i];
            j.comma(i);
            match s.key_type {
                None => {
                    j.raw("{\"key\":");
                    j.string(s.key);
                }
                Some(k) => {
                    j.raw("{\"prefix\":");
                    j.string(s.key);
                    j.raw(",\"key_type\":");
                    j.ty(k);
                }
            }
            j.raw(",\"type\":");
            j.ty(s.ty);
            j.raw("}");
            i += 1;
        }
        j.raw("]}");
        j
    }

    /// The first `N` bytes (`N` = [`len`](Self::len)): the section's contents.
    ///
    /// # Panics
    /// At compile time, if `N` is not `len`.
    pub const fn bytes<const N: usize>(&self) -> [u8; N] {
        assert!(N == self.len, "the tsvm.abi array must be exactly the JSON's length");
        let mut out = [0u8; N];
        let mut i = 0;
        while i < N {
            out[i] = self.buf[i];
            i += 1;
        }
        out
    }

    const fn byte(&mut self, b: u8) {
        assert!(self.len < ABI_CAP, "the tsvm.abi section is longer than tsvm_sdk::abi::ABI_CAP");
        self.buf[self.len] = b;
        self.len += 1;
    }

    const fn raw(&mut self, s: &str) {
        let b = s.as_bytes();
        let mut i = 0;
        while i < b.len() {
            self.byte(b[i]);
            i += 1;
        }
    }

    const fn comma(&mut self, i: usize) {
        if i > 0 {
            self.byte(b',');
        }
    }

    /// A JSON string; names are identifiers, but `"`, `\` and control bytes are escaped anyway.
    const fn string(&mut self, s: &str) {
        self.byte(b'"');
        let b = s.as_bytes();
        let mut i = 0;
        while i < b.len() {
            match b[i] {
                b'"' | b'\\' => {
                    self.byte(b'\\');
                    self.byte(b[i]);
                }
                c if c < 0x20 => {
                    self.raw("\\u00");
                    self.byte(b"0123456789abcdef"[(c >> 4) as usize]);
                    self.byte(b"0123456789abcdef"[(c & 15) as usize]);
                }
                c => self.byte(c),
            }
            i += 1;
        }
        self.byte(b'"');
    }

    const fn number(&mut self, mut n: usize) {
        let mut digits = [0u8; 20];
        let mut k = 0;
        loop {
            digits[k] = b'0' + (n % 10) as u8;
            k += 1;
            n /= 10;
            if n == 0 {
                break;
            }
        }
        while k > 0 {
            k -= 1;
            self.byte(digits[k]);
        }
    }

    const fn fields(&mut self, fields: &[Field]) {
        self.byte(b'[');
        let mut i = 0;
        while i < fields.len() {
            self.comma(i);
            self.raw("{\"name\":");
            self.string(fields[i].name);
            self.raw(",\"type\":");
            self.ty(fields[i].ty);
            self.byte(b'}');
            i += 1;
        }
        self.byte(b']');
    }

    const fn entries(&mut self, entries: &[Entry]) {
        self.byte(b'[');
        let mut i = 0;
        while i < entries.len() {
            self.comma(i);
            self.raw("{\"name\":");
            self.string(entries[i].name);
            self.raw(",\"args\":");
            self.fields(entries[i].args);
            self.raw(",\"returns\":");
            match entries[i].returns {
                Some(t) => self.ty(t),
                None => self.raw("null"),
            }
            self.byte(b'}');
            i += 1;
        }
        self.byte(b']');
    }

    const fn ty(&mut self, t: &Ty) {
        match *t {
            Ty::Prim(name) => self.string(name),
            Ty::Array(t, n) => {
                self.raw("{\"array\":[");
                self.ty(t);
                self.byte(b',');
                self.number(n);
                self.raw("]}");
            }
            Ty::Option(t) => {
                self.raw("{\"option\":");
                self.ty(t);
                self.byte(b'}');
            }
            Ty::Struct(fields) => {
                self.raw("{\"struct\":");
                self.fields(fields);
                self.byte(b'}');
            }
            Ty::Enum(variants) => {
                self.raw("{\"enum\":[");
                let mut i = 0;
                while i < variants.len() {
                    self.comma(i);
                    self.string(variants[i]);
                    i += 1;
                }
                self.raw("]}");
            }
        }
    }
}
