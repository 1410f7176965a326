//! The checks of the sections that define things: types, functions, tables, memory, globals,
//! element and data segments (`spec/determinism.md#rules`, `spec/determinism.md#limits`).

use super::{Checker, Result};
use crate::prepare::validate::ops::{check_const_operator, check_valtype};
use crate::prepare::validate::rule::Rule;
use crate::Limit;
use wasmparser::{
    CompositeInnerType, ConstExpr, DataKind, DataSectionReader, ElementItems, ElementKind,
    ElementSectionReader, FunctionSectionReader, GlobalSectionReader, MemorySectionReader, RefType,
    TableInit, TableSectionReader, TypeSectionReader,
};

impl Checker<'_> {
    /// spec/determinism.md#value-types: function types only, integer value types, bounded counts.
    pub(super) fn check_types(&mut self, s: TypeSectionReader<'_>) -> Result<()> {
        let ok = self.limit(Limit::Types, s.range().start, s.count().into());
        for group in s.into_iter_with_offsets() {
            let (offset, group) = group?;
            if group.is_explicit_rec_group() {
                self.err(Rule::OtherFeature, offset, "gc: explicit recursion group");
            }
            for ty in group.into_types() {
                if !ty.is_final || !ty.supertype_idxs.is_empty() {
                    self.err(Rule::OtherFeature, offset, "gc: subtype declaration");
                }
                let ct = ty.composite_type;
                if ct.shared {
                    self.err(Rule::Threads, offset, "shared type");
                }
                if ct.descriptor_idx.is_some() || ct.describes_idx.is_some() {
                    self.err(Rule::OtherFeature, offset, "custom-descriptors: descriptor type");
                }
                let func = match ct.inner {
                    CompositeInnerType::Func(f) => f,
                    other => {
                        let kind = match other {
                            CompositeInnerType::Array(_) => "array",
                            CompositeInnerType::Struct(_) => "struct",
                            _ => "non-function",
                        };
                        self.err(Rule::OtherFeature, offset, format!("gc: {kind} type"));
                        if ok {
                            self.facts.types.push(None);
                        }
                        continue;
                    }
                };
                for t in func.params().iter().chain(func.results()) {
                    if let Some((rule, msg)) = check_valtype(*t) {
                        self.err(rule, offset, format!("function type: {msg}"));
                        break;
                    }
                }
                self.limit(Limit::Params, offset, func.params().len() as u64);
                self.limit(Limit::Results, offset, func.results().len() as u64);
                if ok {
                    self.facts.types.push(Some(func));
                }
            }
        }
        Ok(())
    }

    /// spec/determinism.md#limits: imported plus defined functions.
    pub(super) fn check_functions(&mut self, s: FunctionSectionReader<'_>) -> Result<()> {
        self.num_funcs = u64::from(self.num_func_imports) + u64::from(s.count());
        self.funcs_ok = self.limit(Limit::Functions, s.range().start, self.num_funcs);
        if self.funcs_ok && self.facts.func_types.len() == self.num_func_imports as usize {
            for ty in s {
                self.facts.func_types.push(ty?);
            }
        }
        Ok(())
    }

    /// spec/determinism.md#reference-types: at most one table, of funcref, 32-bit, bounded.
    pub(super) fn check_tables(&mut self, s: TableSectionReader<'_>) -> Result<()> {
        if s.count() > 1 {
            self.err(
                Rule::ReferenceTypes,
                s.range().start,
                format!("{} tables; at most one is allowed", s.count()),
            );
        }
        for table in s.into_iter_with_offsets() {
            let (offset, table) = table?;
            let ty = table.ty;
            if ty.element_type != RefType::FUNCREF {
                self.err(
                    Rule::ReferenceTypes,
                    offset,
                    format!("table of {}; only funcref is allowed", ty.element_type),
                );
            }
            if ty.table64 {
                self.err(Rule::Memory64, offset, "64-bit table");
            }
            if ty.shared {
                self.err(Rule::Threads, offset, "shared table");
            }
            if let TableInit::Expr(_) = table.init {
                self.err(Rule::ReferenceTypes, offset, "table with an initializer expression");
            }
            self.limit(Limit::TableSize, offset, ty.initial);
        }
        Ok(())
    }

    /// spec/determinism.md#memory: one 32-bit, unshared memory of at most `max_memory_pages` 64 KiB
    /// pages, with the default page size or a page size of 1 byte (its size counted in 64 KiB
    /// pages, rounded up).
    pub(super) fn check_memories(&mut self, s: MemorySectionReader<'_>) -> Result<()> {
        self.memories = s.count();
        if s.count() > 1 {
            self.err(
                Rule::MultiMemory,
                s.range().start,
                format!("{} memories; exactly one is required", s.count()),
            );
        }
        for mem in s.into_iter_with_offsets() {
            let (offset, mem) = mem?;
            if mem.memory64 {
                self.err(Rule::Memory64, offset, "64-bit memory");
            }
            if mem.shared {
                self.err(Rule::Threads, offset, "shared memory");
            }
            let Some(pages) = super::super::memory_pages(mem.initial, mem.page_size_log2) else {
                // wasmparser reads no other page size; reported here rather than trusted.
                let log2 = mem.page_size_log2.unwrap_or_default();
                self.err(Rule::Malformed, offset, format!("page size 2^{log2}"));
                continue;
            };
            if self.limit(Limit::MemoryPages, offset, pages) {
                // Within a u32 limit, so it fits.
                self.facts.memory_pages = pages as u32;
            }
        }
        Ok(())
    }

    /// spec/determinism.md#value-types: integer globals with constant initializers, bounded.
    pub(super) fn check_globals(&mut self, s: GlobalSectionReader<'_>) -> Result<()> {
        self.limit(Limit::Globals, s.range().start, s.count().into());
        for global in s.into_iter_with_offsets() {
            let (offset, global) = global?;
            if let Some((rule, msg)) = check_valtype(global.ty.content_type) {
                // One error per global: its initializer would only repeat the type's.
                self.err(rule, offset, format!("global: {msg}"));
            } else {
                self.check_const_expr(&global.init_expr)?;
            }
            if global.ty.shared {
                self.err(Rule::Threads, offset, "shared global");
            }
        }
        Ok(())
    }

    /// spec/determinism.md#constant-expressions
    pub(super) fn check_const_expr(&mut self, expr: &ConstExpr<'_>) -> Result<()> {
        let mut ops = expr.get_operators_reader();
        while !ops.eof() {
            let (op, offset) = ops.read_with_offset()?;
            if let Some((rule, msg)) = check_const_operator(&op) {
                self.err(rule, offset, format!("constant expression: {msg}"));
                break;
            }
        }
        Ok(())
    }

    /// spec/determinism.md#reference-types: only active segments of function indices on table 0.
    pub(super) fn check_elements(&mut self, s: ElementSectionReader<'_>) -> Result<()> {
        self.limit(Limit::ElementSegments, s.range().start, s.count().into());
        for elem in s.into_iter_with_offsets() {
            let (offset, elem) = elem?;
            match &elem.kind {
                ElementKind::Active { table_index, offset_expr } => {
                    if table_index.is_some_and(|t| t != 0) {
                        self.err(Rule::ReferenceTypes, offset, "element segment for a table other than 0");
                    }
                    self.check_const_expr(offset_expr)?;
                }
                ElementKind::Passive => self.err(Rule::ReferenceTypes, offset, "passive element segment"),
                ElementKind::Declared => self.err(Rule::ReferenceTypes, offset, "declared element segment"),
            }
            if let ElementItems::Expressions(..) = elem.items {
                self.err(Rule::ReferenceTypes, offset, "element segment of expressions");
            }
        }
        Ok(())
    }

    /// spec/determinism.md#bulk-memory: active data segments on memory 0 only, bounded.
    pub(super) fn check_data(&mut self, s: DataSectionReader<'_>) -> Result<()> {
        self.limit(Limit::DataSegments, s.range().start, s.count().into());
        for data in s.into_iter_with_offsets() {
            let (offset, data) = data?;
            match &data.kind {
                DataKind::Passive => self.err(Rule::BulkMemory, offset, "passive data segment"),
                DataKind::Active { memory_index, offset_expr } => {
                    if *memory_index != 0 {
                        self.err(
                            Rule::MultiMemory,
                            offset,
                            format!("data segment for memory {memory_index}"),
                        );
                    }
                    self.check_const_expr(offset_expr)?;
                    self.facts.data_bytes = self.facts.data_bytes.saturating_add(data.data.len() as u64);
                }
            }
        }
        Ok(())
    }
}
