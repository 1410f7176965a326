//! The profile's rules and limits as data, and the error that names them (`spec/determinism.md`).
//!
//! Rule and limit names are stable: they appear in the spec, in CLI output and in tests. Adding a
//! rule or changing what one accepts bumps [`super::PROFILE_VERSION`].

use crate::Limits;
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

/// A static limit the validator enforces: one field of [`Limits`] (`spec/determinism.md#limits`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Limit {
    /// [`Limits::max_code_size`]: module length in bytes.
    CodeSize,
    /// [`Limits::max_functions`]: imported plus defined functions.
    Functions,
    /// [`Limits::max_locals`]: parameters plus declared locals of one function.
    Locals,
    /// [`Limits::max_params`]: parameters of one function type.
    Params,
    /// [`Limits::max_results`]: results of one function type.
    Results,
    /// [`Limits::max_globals`]: defined globals.
    Globals,
    /// [`Limits::max_types`]: entries of the type section.
    Types,
    /// [`Limits::max_table_size`]: initial size of the table.
    TableSize,
    /// [`Limits::max_data_segments`]: data segments.
    DataSegments,
    /// [`Limits::max_element_segments`]: element segments.
    ElementSegments,
    /// [`Limits::max_exports`]: exports.
    Exports,
    /// [`Limits::max_imports`]: imports.
    Imports,
    /// [`Limits::max_br_table_targets`]: targets of one `br_table` (default excluded).
    BrTableTargets,
    /// [`Limits::max_memory_pages`]: initial memory size in 64 KiB pages.
    MemoryPages,
    /// [`Limits::max_frame_units`]: frame units of one defined function
    /// ([`crate::FuncInfo::frame_units`]).
    FrameUnits,
}

impl Limit {
    /// Every limit, in spec order.
    pub const ALL: [Limit; 15] = [
        Self::CodeSize,
        Self::Functions,
        Self::Locals,
        Self::Params,
        Self::Results,
        Self::Globals,
        Self::Types,
        Self::TableSize,
        Self::DataSegments,
        Self::ElementSegments,
        Self::Exports,
        Self::Imports,
        Self::BrTableTargets,
        Self::MemoryPages,
        Self::FrameUnits,
    ];

    /// The name of the [`Limits`] field.
    pub fn field(&self) -> &'static str {
        match self {
            Self::CodeSize => "max_code_size",
            Self::Functions => "max_functions",
            Self::Locals => "max_locals",
            Self::Params => "max_params",
            Self::Results => "max_results",
            Self::Globals => "max_globals",
            Self::Types => "max_types",
            Self::TableSize => "max_table_size",
            Self::DataSegments => "max_data_segments",
            Self::ElementSegments => "max_element_segments",
            Self::Exports => "max_exports",
            Self::Imports => "max_imports",
            Self::BrTableTargets => "max_br_table_targets",
            Self::MemoryPages => "max_memory_pages",
            Self::FrameUnits => "max_frame_units",
        }
    }

    /// What the limit counts, plural, for messages.
    pub fn unit(&self) -> &'static str {
        match self {
            Self::CodeSize => "bytes",
            Self::Functions => "functions",
            Self::Locals => "locals",
            Self::Params => "params",
            Self::Results => "results",
            Self::Globals => "globals",
            Self::Types => "types",
            Self::TableSize => "table elements",
            Self::DataSegments => "data segments",
            Self::ElementSegments => "element segments",
            Self::Exports => "exports",
            Self::Imports => "imports",
            Self::BrTableTargets => "br_table targets",
            Self::MemoryPages => "memory pages",
            Self::FrameUnits => "frame units",
        }
    }

    /// The limit's value in `limits`.
    pub fn value(&self, limits: &Limits) -> u32 {
        match self {
            Self::CodeSize => limits.max_code_size,
            Self::Functions => limits.max_functions,
            Self::Locals => limits.max_locals,
            Self::Params => limits.max_params,
            Self::Results => limits.max_results,
            Self::Globals => limits.max_globals,
            Self::Types => limits.max_types,
            Self::TableSize => limits.max_table_size,
            Self::DataSegments => limits.max_data_segments,
            Self::ElementSegments => limits.max_element_segments,
            Self::Exports => limits.max_exports,
            Self::Imports => limits.max_imports,
            Self::BrTableTargets => limits.max_br_table_targets,
            Self::MemoryPages => limits.max_memory_pages,
            Self::FrameUnits => limits.max_frame_units,
        }
    }

    /// `Some(message)` if `found` exceeds this limit in `limits`, e.g.
    /// `"max_functions: 5000 functions exceed the limit of 4096"`.
    pub fn check(&self, limits: &Limits, found: u64) -> Option<String> {
        let limit = self.value(limits);
        (found > u64::from(limit))
            .then(|| format!("{}: {found} {} exceed the limit of {limit}", self.field(), self.unit()))
    }
}

/// A violation of the profile: the first one for [`super::validate`], each one for
/// [`super::validate_all`].
///
/// Displayed as `"{rule name}: {message} (function {idx} `{name}`, offset {off})"`, leaving out
/// the function part outside functions and the name where the `name` section has none.
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
        }
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
        write!(f, "offset {})", self.offset)
    }
}
