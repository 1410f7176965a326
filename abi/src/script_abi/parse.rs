//! Reading the `tsvm.abi` section: finding it in a module by walking the section framing by hand,
//! and its JSON schema to the model and back (`spec/abi.md#script-abi`). Every malformed input is an
//! [`AbiError`] naming where and what, never a panic.

use super::{AbiError, AbiType, EventDecl, Field, Function, ScriptAbi, StorageDecl};
use super::{ABI_SECTION, MAX_ARRAY_LEN, MAX_TYPE_DEPTH, SCRIPT_ABI_VERSION};
use crate::{valid_entry_name, HookKind};
use alloc::{boxed::Box, format, string::String, string::ToString, vec, vec::Vec};
use serde_json::{Map, Value};

/// Reads an unsigned LEB128 `u32` at `*pos`, advancing it.
fn leb_u32(bytes: &[u8], pos: &mut usize) -> Result<u32, AbiError> {
    let start = *pos;
    let mut result: u64 = 0;
    for i in 0..5 {
        let Some(&b) = bytes.get(*pos) else {
            return Err(module_err(start, "unexpected end of the module in a LEB128 number"));
        };
        *pos += 1;
        result |= u64::from(b & 0x7f) << (7 * i);
        if b & 0x80 == 0 {
            return u32::try_from(result).map_err(|_| module_err(start, "LEB128 number above u32"));
        }
    }
    Err(module_err(start, "LEB128 number longer than 5 bytes"))
}

/// The bytes of a custom section `name` holding `payload`: id 0, the LEB128 size, the name (LEB128
/// length and bytes), the payload. Append it to a module to give it an ABI: `custom_section(
/// ABI_SECTION, json)` (`spec/abi.md#script-abi`; compact JSON, since every byte costs gas).
pub fn custom_section(name: &str, payload: &[u8]) -> Vec<u8> {
    fn leb(mut n: usize, out: &mut Vec<u8>) {
        loop {
            let byte = (n & 0x7f) as u8;
            n >>= 7;
            out.push(if n > 0 { byte | 0x80 } else { byte });
            if n == 0 {
                break;
            }
        }
    }
    let mut body = Vec::with_capacity(name.len() + payload.len() + 5);
    leb(name.len(), &mut body);
    body.extend_from_slice(name.as_bytes());
    body.extend_from_slice(payload);
    let mut out = vec![0u8];
    leb(body.len(), &mut out);
    out.extend_from_slice(&body);
    out
}

fn module_err(offset: usize, message: &str) -> AbiError {
    AbiError::Module { offset, message: message.to_string() }
}

impl ScriptAbi {
    /// Finds and reads the module's `tsvm.abi` custom section: `Ok(None)` if it has none.
    ///
    /// Only the framing is read (the 8-byte header, then each section's id and LEB128 size; a
    /// custom section's name), not the sections' contents, so this works on modules the profile
    /// refuses.
    ///
    /// # Errors
    /// Bytes that are not a module's section sequence, two `tsvm.abi` sections, or a section whose
    /// payload is not the schema (`spec/abi.md#malformed-sections`).
    pub fn from_module(wasm: &[u8]) -> Result<Option<ScriptAbi>, AbiError> {
        if wasm.get(..4) != Some(b"\0asm".as_slice()) {
            return Err(module_err(0, "missing the `\\0asm` magic number"));
        }
        if wasm.get(4..8) != Some([1u8, 0, 0, 0].as_slice()) {
            return Err(module_err(4, "not a version 1 WebAssembly module"));
        }
        let mut pos = 8;
        let mut found: Option<ScriptAbi> = None;
        while pos < wasm.len() {
            let section_at = pos;
            let id = wasm[pos];
            pos += 1;
            let size = leb_u32(wasm, &mut pos)? as usize;
            let end = pos
                .checked_add(size)
                .filter(|&e| e <= wasm.len())
                .ok_or_else(|| module_err(section_at, "section size past the end of the module"))?;
            if id == 0 {
                let mut p = pos;
                let name_len = leb_u32(&wasm[..end], &mut p)? as usize;
                let name_end = p
                    .checked_add(name_len)
                    .filter(|&e| e <= end)
                    .ok_or_else(|| module_err(pos, "custom section name past the end of its section"))?;
                if &wasm[p..name_end] == ABI_SECTION.as_bytes() {
                    if found.is_some() {
                        return Err(AbiError::Duplicate { offset: section_at });
                    }
                    found = Some(Self::from_json_bytes(&wasm[name_end..end])?);
                }
            }
            pos = end;
        }
        Ok(found)
    }

    /// Reads the section's payload: UTF-8 JSON, one object of the schema.
    ///
    /// # Errors
    /// Invalid UTF-8 or JSON, a missing, unknown or mistyped field, an unknown type, a bad or
    /// duplicated name, an `abi_version` other than 1, or a type past the bounds.
    pub fn from_json_bytes(payload: &[u8]) -> Result<ScriptAbi, AbiError> {
        let text = core::str::from_utf8(payload)
            .map_err(|e| section_err("$", format!("the payload is not UTF-8: {e}")))?;
        let value: Value =
            serde_json::from_str(text).map_err(|e| section_err("$", format!("invalid JSON: {e}")))?;
        Self::from_json(&value)
    }

    /// Reads the schema from a JSON value (see [`ScriptAbi::from_json_bytes`]).
    ///
    /// # Errors
    /// As [`ScriptAbi::from_json_bytes`].
    pub fn from_json(value: &Value) -> Result<ScriptAbi, AbiError> {
        let o =
            object(value, "$", &["abi_version", "name", "hooks", "views", "methods", "events", "storage"])?;
        let version = req(o, "$", "abi_version")?;
        if version.as_u64() != Some(u64::from(SCRIPT_ABI_VERSION)) {
            return Err(section_err(
                "$.abi_version",
                format!("expected {SCRIPT_ABI_VERSION}, found {version}"),
            ));
        }
        let name = string(req(o, "$", "name")?, "$.name")?;
        let mut hooks = Vec::new();
        for (i, h) in list(req(o, "$", "hooks")?, "$.hooks")?.iter().enumerate() {
            let path = format!("$.hooks[{i}]");
            let hook: HookKind = serde_json::from_value(h.clone())
                .map_err(|_| section_err(&path, format!("{h} is not a hook name (before_transfer, ...)")))?;
            if hooks.contains(&hook) {
                return Err(section_err(&path, format!("hook {h} listed twice")));
            }
            hooks.push(hook);
        }
        let views = functions(req(o, "$", "views")?, "$.views")?;
        let methods = functions(req(o, "$", "methods")?, "$.methods")?;
        let mut events: Vec<EventDecl> = Vec::new();
        if let Some(v) = o.get("events") {
            for (i, e) in list(v, "$.events")?.iter().enumerate() {
                let path = format!("$.events[{i}]");
                let eo = object(e, &path, &["topic", "type"])?;
                let topic = string(req(eo, &path, "topic")?, &format!("{path}.topic"))?;
                if events.iter().any(|x| x.topic == topic) {
                    return Err(section_err(&path, format!("topic {topic:?} declared twice")));
                }
                let ty = parse_type(req(eo, &path, "type")?, &format!("{path}.type"), 0)?;
                events.push(EventDecl { topic, ty });
            }
        }
        let mut storage = Vec::new();
        if let Some(v) = o.get("storage") {
            for (i, s) in list(v, "$.storage")?.iter().enumerate() {
                let path = format!("$.storage[{i}]");
                storage.push(storage_decl(s, &path)?);
            }
        }
        Ok(ScriptAbi { abi_version: SCRIPT_ABI_VERSION, name, hooks, views, methods, events, storage })
    }

    /// The schema's JSON form (what the section holds; `events` and `storage` always written).
    pub fn to_json(&self) -> Value {
        let hooks = self.hooks.iter().map(|h| serde_json::to_value(h).unwrap_or(Value::Null)).collect();
        let funcs = |fs: &[Function]| -> Value {
            fs.iter()
                .map(|f| {
                    let mut m = Map::new();
                    m.insert("name".into(), Value::String(f.name.clone()));
                    m.insert("args".into(), fields_to_json(&f.args));
                    m.insert("returns".into(), f.returns.as_ref().map_or(Value::Null, type_to_json));
                    Value::Object(m)
                })
                .collect()
        };
        let events = self
            .events
            .iter()
            .map(|e| {
                let mut m = Map::new();
                m.insert("topic".into(), Value::String(e.topic.clone()));
                m.insert("type".into(), type_to_json(&e.ty));
                Value::Object(m)
            })
            .collect();
        let storage = self
            .storage
            .iter()
            .map(|s| {
                let mut m = Map::new();
                match s {
                    StorageDecl::Key { key, ty } => {
                        m.insert("key".into(), Value::String(key.clone()));
                        m.insert("type".into(), type_to_json(ty));
                    }
                    StorageDecl::Prefix { prefix, key_type, ty } => {
                        m.insert("prefix".into(), Value::String(prefix.clone()));
                        m.insert("key_type".into(), type_to_json(key_type));
                        m.insert("type".into(), type_to_json(ty));
                    }
                }
                Value::Object(m)
            })
            .collect();
        let mut m = Map::new();
        m.insert("abi_version".into(), Value::from(self.abi_version));
        m.insert("name".into(), Value::String(self.name.clone()));
        m.insert("hooks".into(), Value::Array(hooks));
        m.insert("views".into(), funcs(&self.views));
        m.insert("methods".into(), funcs(&self.methods));
        m.insert("events".into(), Value::Array(events));
        m.insert("storage".into(), Value::Array(storage));
        Value::Object(m)
    }
}

fn section_err(path: &str, message: String) -> AbiError {
    AbiError::Section { path: path.to_string(), message }
}

/// `v` as an object whose keys are all in `allowed`.
fn object<'a>(v: &'a Value, path: &str, allowed: &[&str]) -> Result<&'a Map<String, Value>, AbiError> {
    let o =
        v.as_object().ok_or_else(|| section_err(path, format!("expected an object, found {}", kind(v))))?;
    if let Some(k) = o.keys().find(|k| !allowed.contains(&k.as_str())) {
        return Err(section_err(
            path,
            format!("unknown field `{k}` (expected one of {})", allowed.join(", ")),
        ));
    }
    Ok(o)
}

fn req<'a>(o: &'a Map<String, Value>, path: &str, field: &str) -> Result<&'a Value, AbiError> {
    o.get(field).ok_or_else(|| section_err(path, format!("missing field `{field}`")))
}

fn list<'a>(v: &'a Value, path: &str) -> Result<&'a Vec<Value>, AbiError> {
    v.as_array().ok_or_else(|| section_err(path, format!("expected an array, found {}", kind(v))))
}

fn string(v: &Value, path: &str) -> Result<String, AbiError> {
    v.as_str()
        .map(String::from)
        .ok_or_else(|| section_err(path, format!("expected a string, found {}", kind(v))))
}

/// A short name of a JSON value's kind, for messages.
pub(super) fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn functions(v: &Value, path: &str) -> Result<Vec<Function>, AbiError> {
    let mut out: Vec<Function> = Vec::new();
    for (i, f) in list(v, path)?.iter().enumerate() {
        let path = format!("{path}[{i}]");
        let fo = object(f, &path, &["name", "args", "returns"])?;
        let name = string(req(fo, &path, "name")?, &format!("{path}.name"))?;
        if !valid_entry_name(&name) {
            return Err(section_err(
                &format!("{path}.name"),
                format!("{name:?} is not an entry name (1 to 64 of [a-z0-9_], starting with a letter)"),
            ));
        }
        if out.iter().any(|x| x.name == name) {
            return Err(section_err(&path, format!("{name:?} declared twice")));
        }
        let args = fields(req(fo, &path, "args")?, &format!("{path}.args"), 0)?;
        let returns = match req(fo, &path, "returns")? {
            Value::Null => None,
            t => Some(parse_type(t, &format!("{path}.returns"), 0)?),
        };
        out.push(Function { name, args, returns });
    }
    Ok(out)
}

fn fields(v: &Value, path: &str, depth: usize) -> Result<Vec<Field>, AbiError> {
    let mut out: Vec<Field> = Vec::new();
    for (i, f) in list(v, path)?.iter().enumerate() {
        let path = format!("{path}[{i}]");
        let fo = object(f, &path, &["name", "type"])?;
        let name = string(req(fo, &path, "name")?, &format!("{path}.name"))?;
        if name.is_empty() || out.iter().any(|x| x.name == name) {
            return Err(section_err(&path, format!("name {name:?} is empty or used twice")));
        }
        let ty = parse_type(req(fo, &path, "type")?, &format!("{path}.type"), depth)?;
        out.push(Field { name, ty });
    }
    Ok(out)
}

fn storage_decl(s: &Value, path: &str) -> Result<StorageDecl, AbiError> {
    let so = object(s, path, &["key", "prefix", "key_type", "type"])?;
    let ty = parse_type(req(so, path, "type")?, &format!("{path}.type"), 0)?;
    match (so.get("key"), so.get("prefix"), so.get("key_type")) {
        (Some(k), None, None) => Ok(StorageDecl::Key { key: string(k, &format!("{path}.key"))?, ty }),
        (None, Some(p), Some(kt)) => Ok(StorageDecl::Prefix {
            prefix: string(p, &format!("{path}.prefix"))?,
            key_type: parse_type(kt, &format!("{path}.key_type"), 0)?,
            ty,
        }),
        _ => Err(section_err(path, "expected either `key`, or `prefix` with `key_type`".to_string())),
    }
}

/// Reads a type (`spec/abi.md#abi-types`), refusing nesting deeper than [`MAX_TYPE_DEPTH`].
pub(super) fn parse_type(v: &Value, path: &str, depth: usize) -> Result<AbiType, AbiError> {
    if depth >= MAX_TYPE_DEPTH {
        return Err(section_err(path, format!("types nest deeper than {MAX_TYPE_DEPTH}")));
    }
    if let Value::String(s) = v {
        return AbiType::PRIMITIVES
            .iter()
            .find(|(n, _)| n == s)
            .map(|(_, t)| t.clone())
            .ok_or_else(|| section_err(path, format!("unknown type {s:?}")));
    }
    let o = object(v, path, &["array", "vec", "option", "struct", "enum"])?;
    let mut entries = o.iter();
    let (Some((k, inner)), None) = (entries.next(), entries.next()) else {
        return Err(section_err(path, "a composite type is an object with exactly one field".to_string()));
    };
    let ipath = format!("{path}.{k}");
    let element = |t: &Value, p: &str| -> Result<Box<AbiType>, AbiError> {
        let t = parse_type(t, p, depth + 1)?;
        if t.min_encoded_len() == 0 {
            return Err(section_err(p, "an element type must not encode to zero bytes".to_string()));
        }
        Ok(Box::new(t))
    };
    Ok(match k.as_str() {
        "array" => {
            let pair = list(inner, &ipath)?;
            let [t, n] = pair.as_slice() else {
                return Err(section_err(&ipath, "expected [type, length]".to_string()));
            };
            let n = n.as_u64().filter(|&n| n <= u64::from(MAX_ARRAY_LEN)).ok_or_else(|| {
                section_err(&ipath, format!("length {n} is not an integer 0-{MAX_ARRAY_LEN}"))
            })?;
            AbiType::Array(element(t, &format!("{ipath}[0]"))?, n as u32)
        }
        "vec" => AbiType::Vec(element(inner, &ipath)?),
        "option" => {
            let t = parse_type(inner, &ipath, depth + 1)?;
            // JSON's one `null` could not tell `None` from `Some(None)`.
            if matches!(t, AbiType::Option(_)) {
                return Err(section_err(&ipath, "an option of an option is not allowed".to_string()));
            }
            AbiType::Option(Box::new(t))
        }
        "struct" => AbiType::Struct(fields(inner, &ipath, depth + 1)?),
        _ => {
            let names = list(inner, &ipath)?;
            if names.is_empty() || names.len() > 256 {
                return Err(section_err(&ipath, "an enum has 1 to 256 variants".to_string()));
            }
            let mut out: Vec<String> = Vec::new();
            for (i, n) in names.iter().enumerate() {
                let n = string(n, &format!("{ipath}[{i}]"))?;
                if n.is_empty() || out.contains(&n) {
                    return Err(section_err(&ipath, format!("variant {n:?} is empty or used twice")));
                }
                out.push(n);
            }
            AbiType::Enum(out)
        }
    })
}

fn fields_to_json(fs: &[Field]) -> Value {
    fs.iter()
        .map(|f| {
            let mut m = Map::new();
            m.insert("name".into(), Value::String(f.name.clone()));
            m.insert("type".into(), type_to_json(&f.ty));
            Value::Object(m)
        })
        .collect()
}

/// A type's JSON form, as the section writes it.
pub(super) fn type_to_json(t: &AbiType) -> Value {
    if let Some(n) = t.primitive_name() {
        return Value::String(n.to_string());
    }
    let (k, v) = match t {
        AbiType::Array(t, n) => ("array", Value::Array(vec![type_to_json(t), Value::from(*n)])),
        AbiType::Vec(t) => ("vec", type_to_json(t)),
        AbiType::Option(t) => ("option", type_to_json(t)),
        AbiType::Struct(fs) => ("struct", fields_to_json(fs)),
        AbiType::Enum(vs) => ("enum", vs.iter().map(|s| Value::String(s.clone())).collect()),
        _ => return Value::Null,
    };
    let mut m = Map::new();
    m.insert(k.into(), v);
    Value::Object(m)
}
