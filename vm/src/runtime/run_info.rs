//! What an execution reads of a validated module (`spec/abi.md#execution`, steps 3 to 5): the part
//! of its [`ModuleInfo`] the module cache keeps (`spec/abi.md#module-cache`).
//!
//! A `ModuleInfo` also holds what only the instrumenter and the profiler read: every function's
//! facts and the name section's names. For the example token that is about 1.7 KB in some 25
//! allocations a module, more than its code; a `RunInfo` is a few hundred bytes in three. The
//! profiler validates the code again for the rest (it instruments it again anyway).

use crate::{GasTable, ModuleInfo};
use abi::HostFnId;

/// What steps 3 to 5 of an execution read of a validated module, under the cache's gas table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct RunInfo {
    /// Host functions imported, in import order (`ModuleInfo::imports`): what the linker provides.
    pub(crate) imports: Box<[HostFnId]>,
    /// Gas for compiling the module (`GasTable::compile_cost`, `spec/gas.md#per-execution-costs`).
    pub(crate) compile_cost: u64,
    /// Initial (and fixed) memory size in 64 KiB pages, rounded up (`spec/determinism.md#memory`).
    pub(crate) memory_pages: u32,
    /// Total bytes of all active data segments.
    pub(crate) data_bytes: u64,
    /// The function exports' names, one after another: name `i` ends at `export_ends[i]`.
    export_names: Box<[u8]>,
    export_ends: Box<[u32]>,
}

impl RunInfo {
    /// The run-time part of `info`, its compile cost priced by `gas`.
    pub(crate) fn new(info: &ModuleInfo, gas: &GasTable) -> Self {
        let mut export_names = Vec::new();
        let mut export_ends = Vec::with_capacity(info.exports.len());
        for export in &info.exports {
            export_names.extend_from_slice(export.name.as_bytes());
            // The names are part of a module whose size is a u32 (`ModuleInfo::code_size`).
            export_ends.push(u32::try_from(export_names.len()).unwrap_or(u32::MAX));
        }
        Self {
            imports: info.imports.as_slice().into(),
            compile_cost: gas.compile_cost(info),
            memory_pages: info.memory_pages,
            data_bytes: info.data_bytes,
            export_names: export_names.into(),
            export_ends: export_ends.into(),
        }
    }

    /// Whether the module exports a function named `name` (as `ModuleInfo::export` is `Some`).
    pub(crate) fn exports(&self, name: &str) -> bool {
        let mut start = 0;
        self.export_ends.iter().any(|&end| {
            let found = self.export_names.get(start..end as usize) == Some(name.as_bytes());
            start = end as usize;
            found
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{ExportInfo, FuncInfo};

    fn info() -> ModuleInfo {
        let func = |locals| FuncInfo { type_index: 0, params: 0, results: 0, locals, max_operand_height: 1 };
        let export = |name: &str, func_index| ExportInfo { name: name.into(), func_index };
        ModuleInfo {
            code_size: 100,
            imports: vec![HostFnId::StorageRead, HostFnId::Transfer],
            functions: vec![func(3), func(20)],
            memory_pages: 2,
            data_bytes: 17,
            control_ops: 5,
            exports: vec![export("on_transfer", 2), export("", 3), export("m_a", 3), export("m_ab", 2)],
            func_names: [(2, "f".to_string())].into(),
        }
    }

    #[test]
    fn keeps_what_an_execution_reads_and_prices_the_compile_as_the_table_does() {
        let (info, gas) = (info(), GasTable::default());
        let run = RunInfo::new(&info, &gas);
        assert_eq!(*run.imports, info.imports[..]);
        assert_eq!(run.compile_cost, gas.compile_cost(&info));
        assert_ne!(run.compile_cost, gas.compile_cost(&ModuleInfo::default()), "the info is priced");
        assert_eq!((run.memory_pages, run.data_bytes), (2, 17));
    }

    #[test]
    fn finds_exactly_the_exports_the_module_info_finds() {
        let info = info();
        let run = RunInfo::new(&info, &GasTable::default());
        for name in ["on_transfer", "", "m_a", "m_ab", "m_", "m_abc", "on_transferm_a", "a", "f", "memory"] {
            assert_eq!(run.exports(name), info.export(name).is_some(), "{name:?}");
        }
        let none = RunInfo::new(&ModuleInfo::default(), &GasTable::default());
        assert!(!none.exports("") && !none.exports("on_transfer"));
    }
}
