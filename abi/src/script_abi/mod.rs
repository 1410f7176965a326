//! The script ABI: the interface a token script may declare in its `tsvm.abi` custom section, so
//! that tools can take typed arguments and show decoded results (`spec/abi.md#script-abi`).
//!
//! The VM never reads it: a custom section is code bytes, charged as such, and dropped by the
//! instrumenter. Tools find it with [`ScriptAbi::from_module`], encode arguments with
//! [`Function::encode_args`] and decode return data, events and storage values with
//! [`AbiType::decode_json`] (the codec is in `value.rs`, the section reader in `parse.rs`).

mod parse;
#[cfg(test)]
mod tests;
mod value;

use crate::HookKind;
use alloc::{boxed::Box, string::String, vec::Vec};
use core::fmt;

pub use parse::custom_section;
pub use value::ValueError;

/// The name of the custom section holding the ABI (`spec/abi.md#script-abi`).
pub const ABI_SECTION: &str = "tsvm.abi";

/// The only `abi_version` this crate reads (`spec/abi.md#script-abi`).
pub const SCRIPT_ABI_VERSION: u32 = 1;

/// Deepest nesting of types accepted in a section (`spec/abi.md#abi-types`): bounds every
/// recursion over a type, whatever the section says.
pub const MAX_TYPE_DEPTH: usize = 32;

/// Largest `N` of an `{"array": [T, N]}` (`spec/abi.md#abi-types`).
pub const MAX_ARRAY_LEN: u32 = 65_536;

/// A declared script interface (`spec/abi.md#script-abi`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScriptAbi {
    /// Always [`SCRIPT_ABI_VERSION`].
    pub abi_version: u32,
    /// The script's name (free text, for people).
    pub name: String,
    /// The hooks the script exports.
    pub hooks: Vec<HookKind>,
    /// Read-only views, by name (without the `view_` prefix).
    pub views: Vec<Function>,
    /// State-changing methods, by name (without the `method_` prefix).
    pub methods: Vec<Function>,
    /// Events the script emits: their data's type by topic.
    pub events: Vec<EventDecl>,
    /// The storage layout: a value's type by key or key prefix.
    pub storage: Vec<StorageDecl>,
}

/// A view or method: its arguments and what it returns.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Function {
    /// The entry name (`[a-z][a-z0-9_]*`, at most 64 characters).
    pub name: String,
    /// The arguments, in order: the input is the borsh encoding of each, concatenated.
    pub args: Vec<Field>,
    /// The type of the return data; `None` when the entry returns nothing.
    pub returns: Option<AbiType>,
}

/// A named, typed value: an argument or a struct field.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Field {
    /// The name.
    pub name: String,
    /// The type.
    pub ty: AbiType,
}

/// An event: its topic (UTF-8 bytes) and the type of its data.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EventDecl {
    /// The topic, as the bytes of this string.
    pub topic: String,
    /// The type of the event's data.
    pub ty: AbiType,
}

/// A storage entry or family of entries and the type of their values.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StorageDecl {
    /// One key (its UTF-8 bytes).
    Key {
        /// The key.
        key: String,
        /// The value's type.
        ty: AbiType,
    },
    /// Every key that is `prefix` (UTF-8 bytes) followed by the borsh encoding of a `key_type`.
    Prefix {
        /// The key prefix.
        prefix: String,
        /// The type of what follows the prefix.
        key_type: AbiType,
        /// The values' type.
        ty: AbiType,
    },
}

/// A type of the ABI's type language (`spec/abi.md#abi-types`); values are encoded in borsh.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AbiType {
    /// One byte, 0 or 1.
    Bool,
    /// Unsigned 8 bits.
    U8,
    /// Unsigned 16 bits, little-endian.
    U16,
    /// Unsigned 32 bits, little-endian.
    U32,
    /// Unsigned 64 bits, little-endian.
    U64,
    /// Unsigned 128 bits, little-endian.
    U128,
    /// Signed 8 bits.
    I8,
    /// Signed 16 bits, little-endian two's complement.
    I16,
    /// Signed 32 bits, little-endian two's complement.
    I32,
    /// Signed 64 bits, little-endian two's complement.
    I64,
    /// 32 raw bytes.
    Address,
    /// 32 raw bytes.
    TokenId,
    /// 32 raw bytes.
    Hash,
    /// `u32` length, then UTF-8 bytes.
    String,
    /// `u32` length, then bytes.
    Bytes,
    /// Exactly `N` values, no length prefix.
    Array(Box<AbiType>, u32),
    /// `u32` count, then the values.
    Vec(Box<AbiType>),
    /// `0`, or `1` then the value.
    Option(Box<AbiType>),
    /// The fields in order, no prefix.
    Struct(Vec<Field>),
    /// Unit variants: the variant's index as a `u8`.
    Enum(Vec<String>),
}

impl AbiType {
    /// The names of the primitive types and the types they stand for, in spec order.
    pub const PRIMITIVES: [(&'static str, AbiType); 15] = [
        ("bool", Self::Bool),
        ("u8", Self::U8),
        ("u16", Self::U16),
        ("u32", Self::U32),
        ("u64", Self::U64),
        ("u128", Self::U128),
        ("i8", Self::I8),
        ("i16", Self::I16),
        ("i32", Self::I32),
        ("i64", Self::I64),
        ("address", Self::Address),
        ("token_id", Self::TokenId),
        ("hash", Self::Hash),
        ("string", Self::String),
        ("bytes", Self::Bytes),
    ];

    /// The name of a primitive type (`"u64"`), `None` for a composite one.
    pub fn primitive_name(&self) -> Option<&'static str> {
        Self::PRIMITIVES.iter().find(|(_, t)| t == self).map(|(n, _)| *n)
    }

    /// The fewest bytes a value of this type encodes to (0 only for empty structs and arrays).
    pub fn min_encoded_len(&self) -> u64 {
        match self {
            Self::Bool | Self::U8 | Self::I8 | Self::Enum(_) | Self::Option(_) => 1,
            Self::U16 | Self::I16 => 2,
            Self::U32 | Self::I32 | Self::String | Self::Bytes | Self::Vec(_) => 4,
            Self::U64 | Self::I64 => 8,
            Self::U128 => 16,
            Self::Address | Self::TokenId | Self::Hash => 32,
            Self::Array(t, n) => t.min_encoded_len().saturating_mul(u64::from(*n)),
            Self::Struct(fs) => fs.iter().fold(0u64, |a, f| a.saturating_add(f.ty.min_encoded_len())),
        }
    }
}

/// A primitive by its name (`u64`), a composite as the section writes it, in compact JSON
/// (`{"vec":"u8"}`).
impl fmt::Display for AbiType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.primitive_name() {
            Some(name) => f.write_str(name),
            None => write!(f, "{}", parse::type_to_json(self)),
        }
    }
}

impl ScriptAbi {
    /// The view called `name`.
    pub fn view(&self, name: &str) -> Option<&Function> {
        self.views.iter().find(|f| f.name == name)
    }

    /// The method called `name`.
    pub fn method(&self, name: &str) -> Option<&Function> {
        self.methods.iter().find(|f| f.name == name)
    }

    /// The event declared for `topic` (compared as bytes).
    pub fn event(&self, topic: &[u8]) -> Option<&EventDecl> {
        self.events.iter().find(|e| e.topic.as_bytes() == topic)
    }

    /// The storage declaration that covers `key`: an exact key first, else the first prefix whose
    /// remainder decodes as its `key_type`, with that key decoded to JSON.
    pub fn storage_for(&self, key: &[u8]) -> Option<(&StorageDecl, Option<serde_json::Value>)> {
        if let Some(d) =
            self.storage.iter().find(|d| matches!(d, StorageDecl::Key { key: k, .. } if k.as_bytes() == key))
        {
            return Some((d, None));
        }
        self.storage.iter().find_map(|d| match d {
            StorageDecl::Prefix { prefix, key_type, .. } => {
                let rest = key.strip_prefix(prefix.as_bytes())?;
                key_type.decode_json(rest).ok().map(|k| (d, Some(k)))
            }
            StorageDecl::Key { .. } => None,
        })
    }
}

impl StorageDecl {
    /// The type of the values stored under this declaration.
    pub fn value_type(&self) -> &AbiType {
        match self {
            Self::Key { ty, .. } | Self::Prefix { ty, .. } => ty,
        }
    }
}

/// Why a module's `tsvm.abi` section could not be read (`spec/abi.md#malformed-sections`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AbiError {
    /// The bytes are not a WebAssembly module's section sequence (header, section framing, name).
    Module {
        /// Byte offset in the module.
        offset: usize,
        /// What is wrong.
        message: String,
    },
    /// More than one `tsvm.abi` section.
    Duplicate {
        /// Offset of the second one.
        offset: usize,
    },
    /// The section's payload is not UTF-8 JSON of the schema.
    Section {
        /// Where in the JSON (`$.views[0].args[1].type`).
        path: String,
        /// What is wrong.
        message: String,
    },
}

impl fmt::Display for AbiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Module { offset, message } => {
                write!(f, "not a WebAssembly module: {message} (offset {offset})")
            }
            Self::Duplicate { offset } => {
                write!(f, "a second `{ABI_SECTION}` custom section (offset {offset}); a module may have one")
            }
            Self::Section { path, message } => write!(f, "`{ABI_SECTION}` section, at {path}: {message}"),
        }
    }
}

#[cfg(feature = "std")]
impl std::error::Error for AbiError {}
