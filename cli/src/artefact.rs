//! The files the CLI reads and writes (`spec/bundle.md#other-artefacts`): bundles (JSON or borsh),
//! and receipt, trace and checkpoints files, each a JSON object whose `kind` field names it.
//!
//! Reading is strict: unknown fields are refused, and every error names the file, the field and the
//! line and column.

use crate::bundle_archive;
use crate::exit::Failure;
use crate::files::{is_json, parse_json, read_bounded};
use abi::{Bundle, Checkpoint, Receipt, TraceEvent, BUNDLE_FORMAT_VERSION};
use anyhow::anyhow;
use serde::{Deserialize, Serialize};
use std::path::Path;

macro_rules! kind_tag {
    ($name:ident, $tag:literal) => {
        #[doc = concat!("The `kind` field of a ", $tag, " file: always `\"", $tag, "\"`.")]
        #[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
        pub enum $name {
            #[doc = concat!("`\"", $tag, "\"`.")]
            #[default]
            #[serde(rename = $tag)]
            Tag,
        }
    };
}

kind_tag!(ReceiptKind, "receipt");
kind_tag!(TraceKind, "trace");
kind_tag!(CheckpointsKind, "checkpoints");

/// A full trace with the gas limit that places its events in gas windows.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TraceBody {
    /// The execution's gas limit (`Entry` and `HostCall` carry gas left; gas used is limit minus it).
    pub gas_limit: u64,
    /// The events, in order (`spec/trace.md#events`).
    pub events: Vec<TraceEvent>,
}

/// A receipt file: `{"kind": "receipt", "receipt": {...}, "trace": {...}?}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReceiptFile {
    /// `"receipt"`.
    pub kind: ReceiptKind,
    /// The receipt (`spec/abi.md#receipt`).
    pub receipt: Receipt,
    /// The execution's full trace, when it was recorded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trace: Option<TraceBody>,
    /// What the module's ABI decodes of the receipt (`spec/abi.md#script-abi`; written by `run`
    /// when the module has a `tsvm.abi` section): `{"abi", "args"?, "return_data"?, "events",
    /// "diff", "errors"?}`, the lists aligned with the receipt's. For people, not compared.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decoded: Option<serde_json::Value>,
}

/// A trace file: `{"kind": "trace", "gas_limit": N, "events": [...]}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TraceFile {
    /// `"trace"`.
    pub kind: TraceKind,
    /// The execution's gas limit.
    pub gas_limit: u64,
    /// The events, in order.
    pub events: Vec<TraceEvent>,
}

/// A checkpoints file: `{"kind": "checkpoints", "interval": K, "checkpoints": [...]}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CheckpointsFile {
    /// `"checkpoints"`.
    pub kind: CheckpointsKind,
    /// The checkpoint interval `K` they were recorded with (`spec/trace.md#checkpoints`).
    pub interval: u64,
    /// The checkpoints, in order.
    pub checkpoints: Vec<Checkpoint>,
}

/// Refuses a checkpoint interval below `vm::MIN_CHECKPOINT_INTERVAL`
/// (`spec/trace.md#minimum-interval`), so that no checkpoints file can make a replay slow.
///
/// # Errors
/// The message says the interval and the minimum.
pub fn check_interval(k: u64) -> Result<(), String> {
    if k < vm::MIN_CHECKPOINT_INTERVAL {
        return Err(format!(
            "checkpoint interval {k} is below the minimum of {} gas (spec/trace.md#minimum-interval)",
            vm::MIN_CHECKPOINT_INTERVAL
        ));
    }
    Ok(())
}

/// Which form a bundle was read in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BundleForm {
    /// The JSON form.
    Json,
    /// The canonical borsh form.
    Borsh,
}

/// Any file the CLI reads.
#[derive(Clone, Debug)]
pub enum Artefact {
    /// A replay bundle.
    Bundle(Box<Bundle>, BundleForm),
    /// A receipt, perhaps with its trace.
    Receipt(Box<ReceiptFile>),
    /// A full trace.
    Trace(TraceFile),
    /// A checkpoint list.
    Checkpoints(CheckpointsFile),
}

impl Artefact {
    /// What kind of artefact this is, in words.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Bundle(..) => "bundle",
            Self::Receipt(_) => "receipt",
            Self::Trace(_) => "trace",
            Self::Checkpoints(_) => "checkpoints",
        }
    }
}

/// The top-level fields that tell artefacts apart; everything else is skipped at this stage.
#[derive(Deserialize)]
struct Peek {
    kind: Option<serde_json::Value>,
    format_version: Option<serde::de::IgnoredAny>,
}

/// Reads any artefact: a JSON object with a `kind` field, a JSON bundle (it has `format_version`),
/// or a borsh bundle (anything that does not start with `{`).
///
/// # Errors
/// I/O, an oversized file, malformed JSON or borsh, an unknown `kind`, an unknown bundle version.
pub fn load(path: &Path) -> Result<Artefact, Failure> {
    let bytes = read_artefact(path)?;
    if !is_json(&bytes) {
        return Ok(Artefact::Bundle(
            Box::new(decode_borsh_bundle(path.display(), &bytes)?),
            BundleForm::Borsh,
        ));
    }
    let peek: Peek = parse_json(path, &bytes)?;
    match (peek.kind, peek.format_version) {
        (Some(kind), _) => match kind.as_str() {
            Some("receipt") => Ok(Artefact::Receipt(Box::new(parse_json(path, &bytes)?))),
            Some("trace") => Ok(Artefact::Trace(parse_json(path, &bytes)?)),
            Some("checkpoints") => Ok(Artefact::Checkpoints(parse_json(path, &bytes)?)),
            _ => Err(Failure::invalid(anyhow!(
                "{}: unknown artefact kind {kind} (expected \"receipt\", \"trace\" or \"checkpoints\")",
                path.display()
            ))),
        },
        (None, Some(_)) => Ok(Artefact::Bundle(Box::new(parse_json(path, &bytes)?), BundleForm::Json)),
        (None, None) => Err(Failure::invalid(anyhow!(
            "{}: not a tsvm artefact: a JSON artefact needs a `kind` field (\"receipt\", \"trace\", \
             \"checkpoints\") or, for a bundle, `format_version`",
            path.display()
        ))),
    }
}

/// Reads a bundle in either form.
///
/// # Errors
/// As [`load`], or a file that holds another kind of artefact.
pub fn load_bundle(path: &Path) -> Result<Bundle, Failure> {
    let bytes = read_artefact(path)?;
    decode_bundle(path, &bytes)
}

/// The bytes of the file at `path`, or, for `FILE#INDEX` where no file has that whole name and `FILE`
/// is a bundle archive (`spec/bundle.md#bundle-archives`), the canonical form of its bundle `INDEX`.
///
/// # Errors
/// As [`read_bounded`] or [`bundle_archive::read_entry`].
fn read_artefact(path: &Path) -> Result<Vec<u8>, Failure> {
    match bundle_archive::split_entry(path) {
        Some((file, index)) => bundle_archive::read_entry(&file, index),
        None => read_bounded(path),
    }
}

/// Decodes a bundle already read from `path`: JSON if it starts with `{`, else borsh.
///
/// # Errors
/// Malformed JSON or borsh, or an unknown format version.
pub fn decode_bundle(path: &Path, bytes: &[u8]) -> Result<Bundle, Failure> {
    if is_json(bytes) {
        let peek: Peek = parse_json(path, bytes)?;
        if peek.kind.is_some() {
            return Err(Failure::invalid(anyhow!(
                "{}: expected a bundle, found a `kind` field (a receipt, trace or checkpoints file)",
                path.display()
            )));
        }
        parse_json(path, bytes)
    } else {
        decode_borsh_bundle(path.display(), bytes)
    }
}

/// Decodes a bundle's canonical (borsh) form, checking its format version first. `name` (a path's
/// `display()`, or an archive entry's name) is written only into an error.
///
/// # Errors
/// Too short, another format version, malformed borsh (trailing bytes included), or a bundle archive
/// (whose bundles are named `FILE#INDEX`).
pub fn decode_borsh_bundle(name: impl std::fmt::Display, bytes: &[u8]) -> Result<Bundle, Failure> {
    check_borsh_bundle(&name, bytes)?;
    borsh::from_slice(bytes).map_err(|e| malformed(&name, e))
}

/// [`decode_borsh_bundle`] but for the expected receipt: the bundle's head, and the receipt's bytes,
/// to decode with [`decode_receipt`] (the two give what [`decode_borsh_bundle`] gives, errors
/// included).
///
/// # Errors
/// As [`decode_borsh_bundle`], for the head.
pub fn decode_borsh_head(
    name: impl std::fmt::Display,
    bytes: &[u8],
) -> Result<(abi::BundleHead, &[u8]), Failure> {
    check_borsh_bundle(&name, bytes)?;
    abi::BundleHead::split(bytes).map_err(|e| malformed(&name, e))
}

/// Decodes the expected receipt's bytes that [`decode_borsh_head`] left.
///
/// # Errors
/// Malformed borsh, trailing bytes included, worded as [`decode_borsh_bundle`] words it.
pub fn decode_receipt(name: impl std::fmt::Display, bytes: &[u8]) -> Result<abi::Receipt, Failure> {
    borsh::from_slice(bytes).map_err(|e| malformed(&name, e))
}

/// The error of a bundle whose borsh does not decode.
fn malformed(name: &impl std::fmt::Display, e: borsh::io::Error) -> Failure {
    Failure::invalid(anyhow::Error::new(e).context(format!("{name}: malformed borsh bundle")))
}

/// What [`decode_borsh_bundle`] checks before decoding: not an archive, and the format version.
fn check_borsh_bundle(name: &impl std::fmt::Display, bytes: &[u8]) -> Result<(), Failure> {
    if abi::is_bundle_archive(bytes) {
        let count =
            abi::ArchiveReader::new(bytes, 0).map_or(String::new(), |r| format!(" of {} bundles", r.count()));
        return Err(Failure::invalid(anyhow!(
            "{name}: a bundle archive{count}, not a single bundle: `tsvm replay` reads it whole; name \
             one of its bundles as {name}#INDEX (from 0)"
        )));
    }
    // Check the version first: another version may have another layout.
    let version = bytes.get(..4).map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]));
    match version {
        None => Err(Failure::invalid(anyhow!(
            "{name}: not a bundle: {} bytes, too short for borsh and not JSON",
            bytes.len()
        ))),
        Some(v) if v != BUNDLE_FORMAT_VERSION => Err(Failure::invalid(anyhow!(
            "{name}: not JSON, and not a borsh bundle: format version {v} (this tsvm reads version \
             {BUNDLE_FORMAT_VERSION})"
        ))),
        Some(_) => Ok(()),
    }
}
