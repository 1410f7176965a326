//! What validation learns about a module and the instrumenter needs (`spec/determinism.md`,
//! `spec/gas.md#stack-limit`).

use abi::HostFnId;
use std::collections::BTreeMap;

/// Stack units every call frame costs on top of its slots (`spec/gas.md#stack-limit`). It bounds
/// the call depth at `max_stack_units / FRAME_OVERHEAD_UNITS` whatever the functions look like.
pub const FRAME_OVERHEAD_UNITS: u32 = 8;

/// Facts about one defined (non-imported) function.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FuncInfo {
    /// Index into the type section.
    pub type_index: u32,
    /// Number of parameters.
    pub params: u32,
    /// Number of results.
    pub results: u32,
    /// Declared locals, parameters excluded.
    pub locals: u32,
    /// Highest operand stack height reached anywhere in the body (wasmparser's validator height).
    pub max_operand_height: u32,
}

impl FuncInfo {
    /// Stack units one activation of this function costs (`spec/gas.md#stack-limit`):
    /// `FRAME_OVERHEAD_UNITS + params + locals + max_operand_height`.
    pub fn frame_units(&self) -> u32 {
        FRAME_OVERHEAD_UNITS
            .saturating_add(self.params)
            .saturating_add(self.locals)
            .saturating_add(self.max_operand_height)
    }
}

/// A function export.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExportInfo {
    /// Export name.
    pub name: String,
    /// Function index (imports first).
    pub func_index: u32,
}

/// The result of validating a module against the determinism profile.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct ModuleInfo {
    /// Length of the module in bytes.
    pub code_size: u32,
    /// Host functions imported, in import order: function index `i < imports.len()` is `imports[i]`.
    pub imports: Vec<HostFnId>,
    /// Defined functions in order: function index `imports.len() + i` is `functions[i]`.
    pub functions: Vec<FuncInfo>,
    /// Initial (and, in tsvm, fixed) memory size in 64 KiB pages (a memory of 1-byte pages counts
    /// its bytes / 65536, rounded up: `spec/determinism.md#memory`).
    pub memory_pages: u32,
    /// Total bytes of all (active) data segments.
    pub data_bytes: u64,
    /// `block`, `loop`, `if` and `else` operators in all bodies (`spec/gas.md#per-execution-costs`).
    pub control_ops: u64,
    /// Function exports (the memory export is implied: it is required).
    pub exports: Vec<ExportInfo>,
    /// Function names from the `name` custom section, where present (diagnostics only).
    pub func_names: BTreeMap<u32, String>,
}

impl ModuleInfo {
    /// Number of imported functions.
    pub fn num_imported_funcs(&self) -> u32 {
        self.imports.len() as u32
    }

    /// The exported function named `name`.
    pub fn export(&self, name: &str) -> Option<u32> {
        self.exports.iter().find(|e| e.name == name).map(|e| e.func_index)
    }

    /// Info of a function by its index (`None` for imports and out-of-range indices).
    pub fn func(&self, func_index: u32) -> Option<&FuncInfo> {
        func_index.checked_sub(self.num_imported_funcs()).and_then(|i| self.functions.get(i as usize))
    }
}
