//! The value codec: a JSON value of an [`AbiType`] to its borsh encoding and back
//! (`spec/abi.md#abi-values`). Errors name the value's path (`$.args[1].amount`) and the type
//! expected; decoding refuses trailing bytes.

use super::parse::kind;
use super::{AbiType, Function};
use crate::hex;
use alloc::{format, string::String, string::ToString, vec::Vec};
use core::fmt;
use serde_json::{Map, Value};

/// A value that does not fit its type, or bytes that do not decode as it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ValueError {
    /// Where: `$` is the whole value, then `.field` and `[index]`.
    pub path: String,
    /// What was expected and found.
    pub message: String,
}

impl fmt::Display for ValueError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "at {}: {}", self.path, self.message)
    }
}

#[cfg(feature = "std")]
impl std::error::Error for ValueError {}

fn err(path: &str, message: String) -> ValueError {
    ValueError { path: path.to_string(), message }
}

fn expected(path: &str, t: &AbiType, v: &Value) -> ValueError {
    err(path, format!("expected {t}, found {} {}", kind(v), short(v)))
}

/// At most 40 characters of a value, for messages.
fn short(v: &Value) -> String {
    let s = v.to_string();
    match s.char_indices().nth(40) {
        Some((i, _)) => format!("{}...", &s[..i]),
        None => s,
    }
}

/// Parses a canonical decimal integer string (`0`, `-5`, `17`: no sign on non-negatives, no
/// leading zero, no `-0`) or an exact JSON integer.
fn integer(v: &Value, t: &AbiType, path: &str, signed: bool) -> Result<i128, ValueError> {
    match v {
        Value::Number(n) => {
            n.as_u64().map(i128::from).or_else(|| n.as_i64().map(i128::from)).ok_or_else(|| {
                err(path, format!("expected {t}: {n} is not an exact integer (write it as a string)"))
            })
        }
        Value::String(s) => {
            let (neg, digits) = match s.strip_prefix('-') {
                Some(d) if signed => (true, d),
                _ => (false, s.as_str()),
            };
            let canonical = !digits.is_empty()
                && digits.bytes().all(|b| b.is_ascii_digit())
                && (digits.len() == 1 || !digits.starts_with('0'))
                && !(neg && digits == "0");
            if !canonical {
                return Err(err(path, format!("expected {t} as a decimal string, found {s:?}")));
            }
            let mag: u128 =
                hex::parse_amount(digits).map_err(|_| err(path, format!("{s:?} is out of range for {t}")))?;
            if neg {
                // i64::MIN's magnitude fits; anything larger is out of range below.
                Ok(-(i128::try_from(mag).unwrap_or(i128::MAX)))
            } else {
                Ok(i128::try_from(mag).unwrap_or(i128::MAX))
            }
        }
        _ => Err(expected(path, t, v)),
    }
}

impl AbiType {
    /// Encodes a JSON value of this type (`spec/abi.md#abi-values`) in borsh.
    ///
    /// # Errors
    /// A value of the wrong shape or out of range, named by its path.
    pub fn encode_json(&self, value: &Value) -> Result<Vec<u8>, ValueError> {
        let mut out = Vec::new();
        self.encode_into(value, "$", &mut out)?;
        Ok(out)
    }

    fn encode_into(&self, v: &Value, path: &str, out: &mut Vec<u8>) -> Result<(), ValueError> {
        let range = |lo: i128, hi: i128, signed: bool| -> Result<i128, ValueError> {
            let n = integer(v, self, path, signed)?;
            if n < lo || n > hi {
                return Err(err(path, format!("{n} is out of range for {self}")));
            }
            Ok(n)
        };
        // Small integers must be JSON numbers; 64 and 128 bits accept both (spec/abi.md#abi-values).
        let small = |v: &Value| -> Result<(), ValueError> {
            if v.is_number() {
                Ok(())
            } else {
                Err(expected(path, self, v))
            }
        };
        match self {
            Self::Bool => out.push(u8::from(v.as_bool().ok_or_else(|| expected(path, self, v))?)),
            Self::U8 => {
                small(v)?;
                out.push(range(0, 0xff, false)? as u8);
            }
            Self::U16 => {
                small(v)?;
                out.extend_from_slice(&(range(0, 0xffff, false)? as u16).to_le_bytes());
            }
            Self::U32 => {
                small(v)?;
                out.extend_from_slice(&(range(0, u32::MAX.into(), false)? as u32).to_le_bytes());
            }
            Self::I8 => {
                small(v)?;
                out.extend_from_slice(&(range(i8::MIN.into(), i8::MAX.into(), true)? as i8).to_le_bytes());
            }
            Self::I16 => {
                small(v)?;
                out.extend_from_slice(&(range(i16::MIN.into(), i16::MAX.into(), true)? as i16).to_le_bytes());
            }
            Self::I32 => {
                small(v)?;
                out.extend_from_slice(&(range(i32::MIN.into(), i32::MAX.into(), true)? as i32).to_le_bytes());
            }
            Self::U64 => out.extend_from_slice(&(range(0, u64::MAX.into(), false)? as u64).to_le_bytes()),
            Self::I64 => {
                out.extend_from_slice(&(range(i64::MIN.into(), i64::MAX.into(), true)? as i64).to_le_bytes());
            }
            Self::U128 => {
                let n = match v {
                    Value::String(s) => hex::parse_amount(s)
                        .map_err(|e| err(path, format!("expected u128 as a decimal string: {e}")))?,
                    _ => range(0, i128::MAX, false)? as u128,
                };
                out.extend_from_slice(&n.to_le_bytes());
            }
            Self::Address | Self::TokenId | Self::Hash => {
                let b = hex_value(v, self, path)?;
                if b.len() != 32 {
                    return Err(err(path, format!("expected {self}: 32 bytes, found {}", b.len())));
                }
                out.extend_from_slice(&b);
            }
            Self::Bytes => {
                let b = hex_value(v, self, path)?;
                push_len(out, b.len(), path)?;
                out.extend_from_slice(&b);
            }
            Self::String => {
                let s = v.as_str().ok_or_else(|| expected(path, self, v))?;
                push_len(out, s.len(), path)?;
                out.extend_from_slice(s.as_bytes());
            }
            Self::Array(t, n) => {
                let items = v.as_array().ok_or_else(|| expected(path, self, v))?;
                if items.len() != *n as usize {
                    return Err(err(
                        path,
                        format!("expected {n} elements for {self}, found {}", items.len()),
                    ));
                }
                for (i, item) in items.iter().enumerate() {
                    t.encode_into(item, &format!("{path}[{i}]"), out)?;
                }
            }
            Self::Vec(t) => {
                let items = v.as_array().ok_or_else(|| expected(path, self, v))?;
                push_len(out, items.len(), path)?;
                for (i, item) in items.iter().enumerate() {
                    t.encode_into(item, &format!("{path}[{i}]"), out)?;
                }
            }
            Self::Option(t) => match v {
                Value::Null => out.push(0),
                v => {
                    out.push(1);
                    t.encode_into(v, path, out)?;
                }
            },
            Self::Struct(fields) => {
                let o = v.as_object().ok_or_else(|| expected(path, self, v))?;
                if let Some(k) = o.keys().find(|k| !fields.iter().any(|f| &f.name == *k)) {
                    return Err(err(path, format!("unknown field `{k}` for {self}")));
                }
                for f in fields {
                    let fv =
                        o.get(&f.name).ok_or_else(|| err(path, format!("missing field `{}`", f.name)))?;
                    f.ty.encode_into(fv, &format!("{path}.{}", f.name), out)?;
                }
            }
            Self::Enum(variants) => {
                let s = v.as_str().ok_or_else(|| expected(path, self, v))?;
                let i = variants
                    .iter()
                    .position(|x| x == s)
                    .ok_or_else(|| err(path, format!("{s:?} is not a variant of {self}")))?;
                out.push(i as u8);
            }
        }
        Ok(())
    }

    /// Decodes borsh bytes of this type to its JSON value (`spec/abi.md#abi-values`).
    ///
    /// # Errors
    /// Bytes too short, invalid (a bool other than 0/1, an unknown option or enum tag, a string
    /// that is not UTF-8), or left over after the value.
    pub fn decode_json(&self, bytes: &[u8]) -> Result<Value, ValueError> {
        let mut r = Reader { bytes, pos: 0 };
        let v = self.decode_from(&mut r, "$")?;
        if r.pos != bytes.len() {
            return Err(err(
                "$",
                format!("{} trailing bytes after the {self} value (of {})", bytes.len() - r.pos, bytes.len()),
            ));
        }
        Ok(v)
    }

    fn decode_from(&self, r: &mut Reader<'_>, path: &str) -> Result<Value, ValueError> {
        Ok(match self {
            Self::Bool => match r.take(1, self, path)?[0] {
                0 => Value::Bool(false),
                1 => Value::Bool(true),
                b => return Err(err(path, format!("bool byte {b}, expected 0 or 1"))),
            },
            Self::U8 => Value::from(r.take(1, self, path)?[0]),
            Self::U16 => Value::from(u16::from_le_bytes(r.array(self, path)?)),
            Self::U32 => Value::from(u32::from_le_bytes(r.array(self, path)?)),
            Self::I8 => Value::from(r.take(1, self, path)?[0] as i8),
            Self::I16 => Value::from(i16::from_le_bytes(r.array(self, path)?)),
            Self::I32 => Value::from(i32::from_le_bytes(r.array(self, path)?)),
            Self::U64 => Value::String(u64::from_le_bytes(r.array(self, path)?).to_string()),
            Self::I64 => Value::String(i64::from_le_bytes(r.array(self, path)?).to_string()),
            Self::U128 => Value::String(u128::from_le_bytes(r.array(self, path)?).to_string()),
            Self::Address | Self::TokenId | Self::Hash => Value::String(hex::encode(r.take(32, self, path)?)),
            Self::Bytes => {
                let n = r.len(self, path)?;
                Value::String(hex::encode(r.take(n, self, path)?))
            }
            Self::String => {
                let n = r.len(self, path)?;
                let s = core::str::from_utf8(r.take(n, self, path)?)
                    .map_err(|e| err(path, format!("string is not UTF-8: {e}")))?;
                Value::String(s.to_string())
            }
            Self::Array(t, n) => {
                let mut items = Vec::new();
                for i in 0..*n {
                    items.push(t.decode_from(r, &format!("{path}[{i}]"))?);
                }
                Value::Array(items)
            }
            Self::Vec(t) => {
                let n = r.len(self, path)?;
                // Every element takes at least one byte (the section refuses zero-sized elements),
                // so a count past the bytes left is refused before anything is allocated for it.
                if (n as u64).saturating_mul(t.min_encoded_len().max(1)) > r.left() as u64 {
                    return Err(err(
                        path,
                        format!("{self} of {n} elements is longer than the {} bytes left", r.left()),
                    ));
                }
                let mut items = Vec::with_capacity(n);
                for i in 0..n {
                    items.push(t.decode_from(r, &format!("{path}[{i}]"))?);
                }
                Value::Array(items)
            }
            Self::Option(t) => match r.take(1, self, path)?[0] {
                0 => Value::Null,
                1 => t.decode_from(r, path)?,
                b => return Err(err(path, format!("option tag {b}, expected 0 or 1"))),
            },
            Self::Struct(fields) => {
                let mut m = Map::new();
                for f in fields {
                    m.insert(f.name.clone(), f.ty.decode_from(r, &format!("{path}.{}", f.name))?);
                }
                Value::Object(m)
            }
            Self::Enum(variants) => {
                let tag = r.take(1, self, path)?[0];
                let name = variants.get(usize::from(tag)).ok_or_else(|| {
                    err(path, format!("enum tag {tag}, but {self} has {} variants", variants.len()))
                })?;
                Value::String(name.clone())
            }
        })
    }
}

fn hex_value(v: &Value, t: &AbiType, path: &str) -> Result<Vec<u8>, ValueError> {
    let s = v.as_str().ok_or_else(|| expected(path, t, v))?;
    hex::decode(s).map_err(|e| err(path, format!("expected {t} as 0x hex: {e}")))
}

fn push_len(out: &mut Vec<u8>, len: usize, path: &str) -> Result<(), ValueError> {
    let n = u32::try_from(len).map_err(|_| err(path, format!("length {len} does not fit a u32")))?;
    out.extend_from_slice(&n.to_le_bytes());
    Ok(())
}

/// A cursor over the bytes being decoded.
struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn left(&self) -> usize {
        self.bytes.len() - self.pos
    }

    fn take(&mut self, n: usize, t: &AbiType, path: &str) -> Result<&'a [u8], ValueError> {
        if n > self.left() {
            return Err(err(path, format!("{t} needs {n} bytes at byte {}, {} left", self.pos, self.left())));
        }
        let s = &self.bytes[self.pos..self.pos + n];
        self.pos += n;
        Ok(s)
    }

    fn array<const N: usize>(&mut self, t: &AbiType, path: &str) -> Result<[u8; N], ValueError> {
        let mut a = [0u8; N];
        a.copy_from_slice(self.take(N, t, path)?);
        Ok(a)
    }

    fn len(&mut self, t: &AbiType, path: &str) -> Result<usize, ValueError> {
        Ok(u32::from_le_bytes(self.array(t, path)?) as usize)
    }
}

impl Function {
    /// Encodes the arguments (`spec/abi.md#abi-values`): a JSON array (positional) or object (by
    /// name, every argument present, no other), to the concatenated borsh encodings.
    ///
    /// # Errors
    /// A wrong count, a missing or unknown name, or an argument that does not fit its type; paths
    /// read `$.args[1]` or `$.args.amount`.
    pub fn encode_args(&self, args: &Value) -> Result<Vec<u8>, ValueError> {
        let mut out = Vec::new();
        match args {
            Value::Array(items) => {
                if items.len() != self.args.len() {
                    return Err(err(
                        "$.args",
                        format!("`{}` takes {} arguments, found {}", self.name, self.args.len(), items.len()),
                    ));
                }
                for (i, (a, v)) in self.args.iter().zip(items).enumerate() {
                    a.ty.encode_into(v, &format!("$.args[{i}]"), &mut out)?;
                }
            }
            Value::Object(o) => {
                if let Some(k) = o.keys().find(|k| !self.args.iter().any(|a| &a.name == *k)) {
                    return Err(err("$.args", format!("`{}` has no argument `{k}`", self.name)));
                }
                for a in &self.args {
                    let v = o
                        .get(&a.name)
                        .ok_or_else(|| err("$.args", format!("missing argument `{}`", a.name)))?;
                    a.ty.encode_into(v, &format!("$.args.{}", a.name), &mut out)?;
                }
            }
            v => {
                return Err(err(
                    "$.args",
                    format!("expected an array or object of arguments, found {}", kind(v)),
                ))
            }
        }
        Ok(out)
    }

    /// Decodes an input to its arguments as a JSON object by name.
    ///
    /// # Errors
    /// Bytes that do not decode as the arguments in order, or bytes left over.
    pub fn decode_args(&self, bytes: &[u8]) -> Result<Value, ValueError> {
        let mut r = Reader { bytes, pos: 0 };
        let mut m = Map::new();
        for a in &self.args {
            m.insert(a.name.clone(), a.ty.decode_from(&mut r, &format!("$.args.{}", a.name))?);
        }
        if r.pos != bytes.len() {
            return Err(err("$.args", format!("{} trailing bytes after the arguments", bytes.len() - r.pos)));
        }
        Ok(Value::Object(m))
    }

    /// Decodes return data: `null` for a function declared to return nothing, if it returned
    /// nothing.
    ///
    /// # Errors
    /// As [`AbiType::decode_json`]; return data from a function declared to return nothing.
    pub fn decode_return(&self, bytes: &[u8]) -> Result<Value, ValueError> {
        match &self.returns {
            Some(t) => t.decode_json(bytes),
            None if bytes.is_empty() => Ok(Value::Null),
            None => Err(err(
                "$",
                format!("`{}` declares no return value, found {} bytes", self.name, bytes.len()),
            )),
        }
    }
}
