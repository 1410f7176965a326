//! Byte values in a scenario file (`spec/scenario.md#values`): `0x` hex, or a typed JSON value that a
//! module declaring its ABI (its `tsvm.abi` custom section) lets a [`TypedValues`] codec encode.
//! Without one ([`HexOnly`]) a typed value is refused with an error that names the field and says
//! how to write it.

use serde::{Deserialize, Deserializer};
use std::fmt;

/// A value a step gives as bytes: view/method `args`, an expected `return`, event `data`, a storage
/// value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Value {
    /// Raw bytes: a JSON string in the canonical hex form (`0x` and lowercase hex digits).
    Hex(Vec<u8>),
    /// Anything else: a typed value (contract 1's JSON form), to be encoded by the module's ABI.
    Typed(serde_json::Value),
}

impl Default for Value {
    /// No bytes (`"0x"`).
    fn default() -> Self {
        Self::Hex(Vec::new())
    }
}

impl<'de> Deserialize<'de> for Value {
    /// A string starting `0x` must be canonical hex (its error says why not); any other JSON value
    /// is kept as a typed value.
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        match serde_json::Value::deserialize(d)? {
            serde_json::Value::String(s) if s.starts_with("0x") => {
                abi::hex::decode(&s).map(Self::Hex).map_err(serde::de::Error::custom)
            }
            other => Ok(Self::Typed(other)),
        }
    }
}

/// Where a value stands, which tells a codec its type from the module's `tsvm.abi` section
/// (`spec/scenario.md#values`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ValueRole<'a> {
    /// The arguments of the view `name` (the borsh tuple of its `args`).
    ViewArgs(&'a str),
    /// The arguments of the method `name`.
    MethodArgs(&'a str),
    /// What the view `name` returns.
    ViewReturn(&'a str),
    /// What the method `name` returns.
    MethodReturn(&'a str),
    /// What a hook returns (hooks declare no return type).
    HookReturn,
    /// The data of events with this topic.
    EventData(&'a [u8]),
    /// The value stored under this key.
    StorageValue(&'a [u8]),
}

impl fmt::Display for ValueRole<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::ViewArgs(n) => write!(f, "the args of view `{n}`"),
            Self::MethodArgs(n) => write!(f, "the args of method `{n}`"),
            Self::ViewReturn(n) => write!(f, "the return of view `{n}`"),
            Self::MethodReturn(n) => write!(f, "the return of method `{n}`"),
            Self::HookReturn => write!(f, "a hook's return"),
            Self::EventData(t) => write!(f, "the data of event {}", crate::text::bytes(t)),
            Self::StorageValue(k) => write!(f, "storage value {}", crate::text::bytes(k)),
        }
    }
}

/// Encodes typed JSON values to bytes (borsh, as the module's `tsvm.abi` section declares them:
/// `spec/scenario.md#values`): the module's ABI codec.
/// The runner resolves every value of a file through one before running anything.
pub trait TypedValues {
    /// The bytes of `value` standing at `role`.
    ///
    /// # Errors
    /// Why the value cannot be encoded (no such entry, a wrong type): a message naming the cause,
    /// which the runner prefixes with the field.
    fn encode(&self, role: ValueRole<'_>, value: &serde_json::Value) -> Result<Vec<u8>, String>;

    /// The typed value of `bytes` standing at `role`, shown next to their hex when a check of a
    /// typed expectation fails; `None` when they do not decode as its type.
    fn decode(&self, role: ValueRole<'_>, bytes: &[u8]) -> Option<serde_json::Value> {
        let _ = (role, bytes);
        None
    }
}

/// No codec: every typed value is refused, naming what to write instead. What `tsvm test` uses
/// until a module's ABI section is read into a codec (`spec/scenario.md#values`), and then for a
/// module without one.
#[derive(Clone, Copy, Debug, Default)]
pub struct HexOnly;

impl TypedValues for HexOnly {
    fn encode(&self, role: ValueRole<'_>, value: &serde_json::Value) -> Result<Vec<u8>, String> {
        let mut shown = value.to_string();
        if shown.len() > 40 {
            shown = format!("{}...", shown.chars().take(40).collect::<String>());
        }
        Err(format!(
            "{role} is given as the typed value {shown}, which needs the types a module declares in \
             its `tsvm.abi` section, and this run has none to encode it by: write its bytes as `0x` \
             and lowercase hex digits"
        ))
    }
}

/// A module's script ABI (`spec/abi.md#script-abi`) as the codec of a scenario's typed values: each
/// role finds its type among the module's declarations (`spec/scenario.md#values`).
impl TypedValues for abi::script_abi::ScriptAbi {
    fn encode(&self, role: ValueRole<'_>, value: &serde_json::Value) -> Result<Vec<u8>, String> {
        let encoded = match role {
            ValueRole::ViewArgs(n) => self.view(n).map(|f| f.encode_args(value)),
            ValueRole::MethodArgs(n) => self.method(n).map(|f| f.encode_args(value)),
            ValueRole::ViewReturn(_)
            | ValueRole::MethodReturn(_)
            | ValueRole::HookReturn
            | ValueRole::EventData(_)
            | ValueRole::StorageValue(_) => self.value_type(role).map(|t| t.encode_json(value)),
        };
        match encoded {
            Some(result) => result.map_err(|e| format!("{role} does not fit its declared type: {e}")),
            None => {
                Err(format!("{role} is given as a typed value, but the module's ABI does not declare it"))
            }
        }
    }

    fn decode(&self, role: ValueRole<'_>, bytes: &[u8]) -> Option<serde_json::Value> {
        match role {
            ValueRole::ViewArgs(n) => self.view(n)?.decode_args(bytes).ok(),
            ValueRole::MethodArgs(n) => self.method(n)?.decode_args(bytes).ok(),
            _ => self.value_type(role)?.decode_json(bytes).ok(),
        }
    }
}

/// The declared type of the value at `role`, for the roles that hold one value.
trait DeclaredType {
    fn value_type(&self, role: ValueRole<'_>) -> Option<&abi::script_abi::AbiType>;
}

impl DeclaredType for abi::script_abi::ScriptAbi {
    fn value_type(&self, role: ValueRole<'_>) -> Option<&abi::script_abi::AbiType> {
        match role {
            ValueRole::ViewReturn(n) => self.view(n)?.returns.as_ref(),
            ValueRole::MethodReturn(n) => self.method(n)?.returns.as_ref(),
            ValueRole::EventData(topic) => Some(&self.event(topic)?.ty),
            ValueRole::StorageValue(key) => Some(self.storage_for(key)?.0.value_type()),
            ValueRole::HookReturn | ValueRole::ViewArgs(_) | ValueRole::MethodArgs(_) => None,
        }
    }
}

impl Value {
    /// The value's bytes: hex as it is, a typed value through `typed`.
    ///
    /// # Errors
    /// The codec's refusal.
    pub fn resolve(&self, role: ValueRole<'_>, typed: &dyn TypedValues) -> Result<Vec<u8>, String> {
        match self {
            Self::Hex(bytes) => Ok(bytes.clone()),
            Self::Typed(v) => typed.encode(role, v),
        }
    }

    /// The typed value, if this is one.
    pub fn typed(&self) -> Option<&serde_json::Value> {
        match self {
            Self::Hex(_) => None,
            Self::Typed(v) => Some(v),
        }
    }
}
