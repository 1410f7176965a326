//! The profile's rules as data, and the error that names them (`spec/determinism.md`). The static
//! limits ([`Limit`]) are generated from the limits table in `rules/limits.rs`.
//!
//! Rule and limit names are stable: they appear in the spec, in CLI output and in tests. Adding a
//! rule or changing what one accepts bumps [`super::PROFILE_VERSION`].

use crate::Limit;
use std::fmt;

/// A rule of the determinism profile (`spec/determinism.md#rules`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Rule {
    /// Not valid WebAssembly under the profile's feature set (`#malformed`).
    Malformed,
    /// A floating-point type or instruction (`#floats`).
    Float,
    /// A SIMD type or instruction (`#simd`).
    Simd,
    /// Shared memory or an atomic instruction (`#threads`).
    Threads,
    /// Anything of reference types beyond the MVP's one funcref table (`#reference-types`).
    ReferenceTypes,
    /// A tail call (`#tail-calls`).
    TailCall,
    /// More than one memory (`#multi-memory`).
    MultiMemory,
    /// A 64-bit memory or table (`#memory64`).
    Memory64,
    /// Exception handling (`#exceptions`).
    Exceptions,
    /// Any other post-MVP feature: GC, extended-const, wide arithmetic, ... (`#other-features`).
    OtherFeature,
    /// `memory.init`, `data.drop` or a passive data segment (`#bulk-memory`).
    BulkMemory,
    /// A start section (`#start-function`).
    StartFunction,
    /// An import that is not a host function of the table (`#imports`).
    ForbiddenImport,
    /// A host function imported with the wrong signature (`#imports`).
    ImportSignature,
    /// The module's memory is missing, imported, not exported as `memory` (`#memory`).
    Memory,
    /// An export that is not a function or the memory, or uses a reserved name (`#exports`).
    ForbiddenExport,
    /// An entry-point export whose signature is not `() -> ()` (`#exports`).
    EntrySignature,
    /// A static limit exceeded (`#limits`).
    Limit(Limit),
}

impl Rule {
    /// The rule's stable name (`spec/determinism.md#rules`). All limits share the name `limit`;
    /// [`Limit::field`] names which one.
    pub fn name(&self) -> &'static str {
        match self {
            Self::Malformed => "malformed",
            Self::Float => "float",
            Self::Simd => "simd",
            Self::Threads => "threads",
            Self::ReferenceTypes => "reference_types",
            Self::TailCall => "tail_call",
            Self::MultiMemory => "multi_memory",
            Self::Memory64 => "memory64",
            Self::Exceptions => "exceptions",
            Self::OtherFeature => "other_feature",
            Self::BulkMemory => "bulk_memory",
            Self::StartFunction => "start_function",
            Self::ForbiddenImport => "forbidden_import",
            Self::ImportSignature => "import_signature",
            Self::Memory => "memory",
            Self::ForbiddenExport => "forbidden_export",
            Self::EntrySignature => "entry_signature",
            Self::Limit(_) => "limit",
        }
    }

    /// Every rule other than [`Rule::Limit`] (see [`Limit::ALL`] for those), in spec order.
    pub const ALL_BUT_LIMITS: [Rule; 17] = [
        Self::Malformed,
        Self::Float,
        Self::Simd,
        Self::Threads,
        Self::ReferenceTypes,
        Self::TailCall,
        Self::MultiMemory,
        Self::Memory64,
        Self::Exceptions,
        Self::OtherFeature,
        Self::BulkMemory,
        Self::StartFunction,
        Self::ForbiddenImport,
        Self::ImportSignature,
        Self::Memory,
        Self::ForbiddenExport,
        Self::EntrySignature,
    ];
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Limit(l) => write!(f, "limit {}", l.field()),
            _ => f.write_str(self.name()),
        }
    }
}

/// A violation of the profile: the first one for [`super::validate`], each one for
/// [`super::validate_all`].
///
/// Displayed as `"{rule name}: {message} (function {idx} `{name}`, offset {off})"`, leaving out
/// the function part outside functions and the name where the `name` section has none, then, if
/// there is a hint, a second line `"  hint: {hint}"`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ValidationError {
    /// The rule broken.
    pub rule: Rule,
    /// The function (index in the function index space, imports first), if inside one.
    pub func_index: Option<u32>,
    /// Its name, where the `name` section has it.
    pub func_name: Option<String>,
    /// Byte offset in the module.
    pub offset: usize,
    /// What is wrong, in words (not consensus data: wording may change).
    pub message: String,
    /// What most likely caused it and how to build without it, for what toolchains emit by
    /// default (`spec/determinism.md#toolchain-hints`; display text only, like `message`).
    pub hint: Option<&'static str>,
}

impl ValidationError {
    /// An error outside any function.
    pub(crate) fn new(rule: Rule, offset: u64, message: impl Into<String>) -> Self {
        Self {
            rule,
            func_index: None,
            func_name: None,
            offset: usize::try_from(offset).unwrap_or(usize::MAX),
            message: message.into(),
            hint: None,
        }
    }

    /// The same error with a hint (`spec/determinism.md#toolchain-hints`).
    pub(crate) fn with_hint(self, hint: Option<&'static str>) -> Self {
        Self { hint, ..self }
    }

    /// An error inside function `func_index`.
    pub(crate) fn in_func(func_index: u32, rule: Rule, offset: u64, message: impl Into<String>) -> Self {
        Self { func_index: Some(func_index), ..Self::new(rule, offset, message) }
    }

    /// Maps a wasmparser error to [`Rule::Malformed`].
    pub(crate) fn malformed(e: &wasmparser::BinaryReaderError, func_index: Option<u32>) -> Self {
        Self { func_index, ..Self::new(Rule::Malformed, e.offset(), e.message()) }
    }
}

impl std::error::Error for ValidationError {}

impl fmt::Display for ValidationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {} (", self.rule.name(), self.message)?;
        if let Some(idx) = self.func_index {
            write!(f, "function {idx}")?;
            if let Some(name) = &self.func_name {
                write!(f, " `{name}`")?;
            }
            f.write_str(", ")?;
        }
        write!(f, "offset {})", self.offset)?;
        if let Some(hint) = self.hint {
            write!(f, "\n  hint: {hint}")?;
        }
        Ok(())
    }
}
