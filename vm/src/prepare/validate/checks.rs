//! The rule checks: one `check_*` per section over a permissive parse, so that a forbidden feature
//! gets its own rule and the offset where it appears (`spec/determinism.md#rules`).
//!
//! The parse accepts every feature wasmparser knows; what it cannot parse is [`Rule::Malformed`].
//! Nothing here allocates in proportion to a count before checking it against its limit.

use super::ops::{check_const_operator, check_operator, check_valtype};
use super::rule::{Rule, ValidationError};
use crate::{ExportInfo, Limit, Limits};
use abi::names::{MEMORY_EXPORT, RESERVED_EXPORT_PREFIX, RESERVED_IMPORT_PREFIX};
use abi::{EntryKind, HostFnId, WasmType, HOST_MODULE};
use std::collections::BTreeMap;
use wasmparser::{
    BinaryReaderError, CompositeInnerType, ConstExpr, DataKind, DataSectionReader, ElementItems, ElementKind,
    ElementSectionReader, ExportSectionReader, ExternalKind, FuncType, FunctionBody, FunctionSectionReader,
    GlobalSectionReader, ImportSectionReader, Imports, KnownCustom, MemorySectionReader, Name,
    OperatorsReader, Payload, RefType, TableInit, TableSectionReader, TypeRef, TypeSectionReader, ValType,
};

type Result<T, E = BinaryReaderError> = std::result::Result<T, E>;

/// What the rule checks learn on the way, for [`crate::ModuleInfo`].
#[derive(Default)]
pub(crate) struct Facts {
    /// Function types by type index (`None` for non-function types).
    pub types: Vec<Option<FuncType>>,
    /// Type index of every function, imports first.
    pub func_types: Vec<u32>,
    /// Host function of every function import.
    pub imports: Vec<HostFnId>,
    /// Initial pages of the defined memory.
    pub memory_pages: u32,
    /// Sum of active data segment lengths.
    pub data_bytes: u64,
    /// `block`, `loop`, `if` and `else` operators in all bodies (the load charge counts them).
    pub control_ops: u64,
    /// Function exports.
    pub exports: Vec<ExportInfo>,
    /// Names from the `name` section.
    pub func_names: BTreeMap<u32, String>,
}

/// The rule checks over one module: feed it every payload, then call [`Checker::finish`].
pub(crate) struct Checker<'l> {
    limits: &'l Limits,
    /// Violations found so far, in order.
    pub errors: Vec<ValidationError>,
    /// What was learnt.
    pub facts: Facts,
    num_func_imports: u32,
    /// Declared function count (imports plus function section), saturating.
    num_funcs: u64,
    /// Whether the function count is within its limit (so `func_types` is complete).
    funcs_ok: bool,
    next_body: u32,
    memories: u32,
    memory_imported: bool,
    memory_exported: bool,
}

impl<'l> Checker<'l> {
    /// A checker for `limits`.
    pub fn new(limits: &'l Limits) -> Self {
        Self {
            limits,
            errors: Vec::new(),
            facts: Facts::default(),
            num_func_imports: 0,
            num_funcs: 0,
            funcs_ok: true,
            next_body: 0,
            memories: 0,
            memory_imported: false,
            memory_exported: false,
        }
    }

    fn err(&mut self, rule: Rule, offset: u64, message: impl Into<String>) {
        self.errors.push(ValidationError::new(rule, offset, message));
    }

    /// Checks `found` against `limit`; `true` if within it.
    fn limit(&mut self, limit: Limit, offset: u64, found: u64) -> bool {
        match limit.check(self.limits, found) {
            Some(msg) => {
                self.err(Rule::Limit(limit), offset, msg);
                false
            }
            None => true,
        }
    }

    /// Checks one payload. `Err` is a parse error: the caller stops there.
    pub fn payload(&mut self, payload: &Payload<'_>) -> Result<()> {
        match payload {
            Payload::Version { encoding, range, .. } if *encoding != wasmparser::Encoding::Module => {
                self.err(Rule::Malformed, range.start, "components are not supported");
            }
            Payload::TypeSection(s) => self.check_types(s.clone())?,
            Payload::ImportSection(s) => self.check_imports(s.clone())?,
            Payload::FunctionSection(s) => self.check_functions(s.clone())?,
            Payload::TableSection(s) => self.check_tables(s.clone())?,
            Payload::MemorySection(s) => self.check_memories(s.clone())?,
            Payload::TagSection(s) => {
                // spec/determinism.md#exceptions
                self.err(Rule::Exceptions, s.range().start, "tag section");
            }
            Payload::GlobalSection(s) => self.check_globals(s.clone())?,
            Payload::ExportSection(s) => self.check_exports(s.clone())?,
            Payload::StartSection { range, .. } => {
                // spec/determinism.md#start-function
                self.err(Rule::StartFunction, range.start, "start section");
            }
            Payload::ElementSection(s) => self.check_elements(s.clone())?,
            Payload::DataSection(s) => self.check_data(s.clone())?,
            Payload::CodeSectionEntry(body) => {
                let func_index = self.num_func_imports.saturating_add(self.next_body);
                self.next_body = self.next_body.saturating_add(1);
                if let Err(e) = self.check_body(body, func_index) {
                    // A body is framed by its size: report and go on with the next one.
                    self.errors.push(ValidationError::malformed(&e, Some(func_index)));
                }
            }
            Payload::CustomSection(c) => {
                if let KnownCustom::Name(names) = c.as_known() {
                    self.read_names(names);
                }
            }
            _ => {}
        }
        Ok(())
    }

    /// spec/determinism.md#value-types: function types only, integer value types, bounded counts.
    fn check_types(&mut self, s: TypeSectionReader<'_>) -> Result<()> {
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

    fn func_type(&self, type_index: u32) -> Option<&FuncType> {
        self.facts.types.get(type_index as usize)?.as_ref()
    }

    /// spec/determinism.md#imports: host functions of the table only, with their signatures.
    fn check_imports(&mut self, s: ImportSectionReader<'_>) -> Result<()> {
        let ok = self.limit(Limit::Imports, s.range().start, s.count().into());
        for imports in s.into_iter_with_offsets() {
            let (offset, imports) = imports?;
            let Imports::Single(_, import) = imports else {
                self.err(Rule::OtherFeature, offset, "compact-imports: compact import group");
                continue;
            };
            let what = format!("import `{}.{}`", import.module, import.name);
            let ty = match import.ty {
                TypeRef::Func(ty) => ty,
                TypeRef::FuncExact(_) => {
                    self.err(Rule::OtherFeature, offset, format!("{what}: exact function import"));
                    continue;
                }
                TypeRef::Memory(_) => {
                    self.memory_imported = true;
                    self.err(Rule::ForbiddenImport, offset, format!("{what}: memory import"));
                    continue;
                }
                TypeRef::Table(_) | TypeRef::Global(_) | TypeRef::Tag(_) => {
                    self.err(
                        Rule::ForbiddenImport,
                        offset,
                        format!("{what}: only functions may be imported"),
                    );
                    continue;
                }
            };
            self.num_func_imports = self.num_func_imports.saturating_add(1);
            if ok {
                self.facts.func_types.push(ty);
            }
            // `__` names are reserved whatever the table holds.
            let host = (import.module == HOST_MODULE && !import.name.starts_with(RESERVED_IMPORT_PREFIX))
                .then(|| abi::host_function(import.name))
                .flatten();
            let Some(host) = host else {
                self.err(
                    Rule::ForbiddenImport,
                    offset,
                    format!("{what} is not a host function (module `{HOST_MODULE}`)"),
                );
                continue;
            };
            if ok {
                self.facts.imports.push(host.id);
            }
            // An unknown type index is left to the strict validator.
            if let Some(f) = self.func_type(ty) {
                if !same_signature(f, host.params, host.results) {
                    let msg = format!(
                        "{what} has type {}, the host function is {}",
                        FuncTypeDisplay(f),
                        HostSigDisplay(host.params, host.results)
                    );
                    self.err(Rule::ImportSignature, offset, msg);
                }
            }
        }
        Ok(())
    }

    /// spec/determinism.md#limits: imported plus defined functions.
    fn check_functions(&mut self, s: FunctionSectionReader<'_>) -> Result<()> {
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
    fn check_tables(&mut self, s: TableSectionReader<'_>) -> Result<()> {
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

    /// spec/determinism.md#memory: one 32-bit, unshared memory of at most `max_memory_pages`.
    fn check_memories(&mut self, s: MemorySectionReader<'_>) -> Result<()> {
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
            if mem.page_size_log2.is_some() {
                self.err(Rule::OtherFeature, offset, "custom-page-sizes: custom page size");
            }
            if self.limit(Limit::MemoryPages, offset, mem.initial) {
                // Within a u32 limit, so it fits.
                self.facts.memory_pages = mem.initial as u32;
            }
        }
        Ok(())
    }

    /// spec/determinism.md#value-types: integer globals with constant initializers, bounded.
    fn check_globals(&mut self, s: GlobalSectionReader<'_>) -> Result<()> {
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
    fn check_const_expr(&mut self, expr: &ConstExpr<'_>) -> Result<()> {
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

    /// spec/determinism.md#exports: functions (entry points with `() -> ()`) and the memory.
    fn check_exports(&mut self, s: ExportSectionReader<'_>) -> Result<()> {
        let ok = self.limit(Limit::Exports, s.range().start, s.count().into());
        for export in s.into_iter_with_offsets() {
            let (offset, export) = export?;
            let name = export.name;
            match export.kind {
                ExternalKind::Memory => {
                    if name == MEMORY_EXPORT {
                        self.memory_exported = true;
                    } else {
                        self.err(
                            Rule::ForbiddenExport,
                            offset,
                            format!("memory exported as `{name}`; it must be `{MEMORY_EXPORT}`"),
                        );
                    }
                    continue;
                }
                ExternalKind::Func => {}
                kind => {
                    let kind = match kind {
                        ExternalKind::Global => "global",
                        ExternalKind::Table => "table",
                        ExternalKind::Tag => "tag",
                        _ => "non-function",
                    };
                    self.err(
                        Rule::ForbiddenExport,
                        offset,
                        format!("export `{name}` is a {kind}; only functions and the memory may be exported"),
                    );
                    continue;
                }
            }
            if name.starts_with(RESERVED_EXPORT_PREFIX) {
                self.err(
                    Rule::ForbiddenExport,
                    offset,
                    format!("export name `{name}` uses the reserved prefix `{RESERVED_EXPORT_PREFIX}`"),
                );
                continue;
            }
            if ok {
                self.facts.exports.push(ExportInfo { name: name.to_string(), func_index: export.index });
            }
            let is_entry = EntryKind::classify(name).is_some();
            if !is_entry {
                if let Some(kind) =
                    [EntryKind::View, EntryKind::Method].into_iter().find(|k| name.starts_with(k.prefix()))
                {
                    self.err(
                        Rule::ForbiddenExport,
                        offset,
                        format!(
                            "export `{name}`: invalid {} name after `{}`",
                            if kind == EntryKind::View { "view" } else { "method" },
                            kind.prefix()
                        ),
                    );
                }
                continue;
            }
            // An out-of-range function index is left to the strict validator.
            let ty = self.facts.func_types.get(export.index as usize).copied();
            if let Some(f) = ty.and_then(|t| self.func_type(t)) {
                if !f.params().is_empty() || !f.results().is_empty() {
                    let msg =
                        format!("entry point `{name}` has type {}; it must be () -> ()", FuncTypeDisplay(f));
                    self.errors.push(ValidationError::in_func(
                        export.index,
                        Rule::EntrySignature,
                        offset,
                        msg,
                    ));
                }
            }
        }
        Ok(())
    }

    /// spec/determinism.md#reference-types: only active segments of function indices on table 0.
    fn check_elements(&mut self, s: ElementSectionReader<'_>) -> Result<()> {
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
    fn check_data(&mut self, s: DataSectionReader<'_>) -> Result<()> {
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

    /// spec/determinism.md#validation: locals and instructions of one body, dead code included.
    /// At most one error per rule per function.
    fn check_body(&mut self, body: &FunctionBody<'_>, func_index: u32) -> Result<()> {
        let mut seen: Vec<Rule> = Vec::new();
        let mut report = |errors: &mut Vec<ValidationError>, rule: Rule, offset: u64, msg: String| {
            if !seen.contains(&rule) {
                seen.push(rule);
                errors.push(ValidationError::in_func(func_index, rule, offset, msg));
            }
        };
        let start = body.range().start;
        let mut locals = body.get_locals_reader()?;
        let mut declared: u64 = 0;
        for _ in 0..locals.get_count() {
            let offset = locals.original_position();
            let (count, ty) = locals.read()?;
            declared += u64::from(count);
            if let Some((rule, msg)) = check_valtype(ty) {
                report(&mut self.errors, rule, offset, format!("local: {msg}"));
            }
        }
        let params = self
            .facts
            .func_types
            .get(func_index as usize)
            .and_then(|t| self.func_type(*t))
            .map_or(0, |f| f.params().len() as u64);
        if let Some(msg) = Limit::Locals.check(self.limits, params + declared) {
            report(&mut self.errors, Rule::Limit(Limit::Locals), start, msg);
        }
        let mut ops = OperatorsReader::new(locals.get_binary_reader());
        while !ops.eof() {
            let (op, offset) = ops.read_with_offset()?;
            if matches!(
                op,
                wasmparser::Operator::Block { .. }
                    | wasmparser::Operator::Loop { .. }
                    | wasmparser::Operator::If { .. }
                    | wasmparser::Operator::Else
            ) {
                self.facts.control_ops += 1;
            }
            if let wasmparser::Operator::BrTable { targets } = &op {
                if let Some(msg) = Limit::BrTableTargets.check(self.limits, targets.len().into()) {
                    report(&mut self.errors, Rule::Limit(Limit::BrTableTargets), offset, msg);
                }
            }
            if let Some((rule, msg)) = check_operator(&op) {
                report(&mut self.errors, rule, offset, msg);
            }
        }
        Ok(())
    }

    /// Reads function names; a malformed `name` section is ignored (it is only diagnostics).
    fn read_names(&mut self, names: wasmparser::NameSectionReader<'_>) {
        let max = if self.funcs_ok { self.num_funcs } else { 0 };
        for name in names {
            let Ok(Name::Function(map)) = name else {
                continue;
            };
            for naming in map {
                let Ok(naming) = naming else { break };
                // Bounded by the (checked) function count, whatever the section claims.
                if u64::from(naming.index) < max {
                    self.facts.func_names.insert(naming.index, naming.name.to_string());
                }
            }
        }
    }

    /// The checks that need the whole module (`spec/determinism.md#memory`), then function names
    /// on every error.
    pub fn finish(&mut self) {
        if self.memories == 0 && !self.memory_imported {
            self.err(Rule::Memory, 0, "the module must define a memory");
        } else if self.memories > 0 && !self.memory_exported {
            self.err(Rule::Memory, 0, format!("the memory must be exported as `{MEMORY_EXPORT}`"));
        }
        for e in &mut self.errors {
            if let Some(i) = e.func_index {
                e.func_name = self.facts.func_names.get(&i).cloned();
            }
        }
    }
}

fn same_signature(f: &FuncType, params: &[WasmType], results: &[WasmType]) -> bool {
    fn eq(a: &[ValType], b: &[WasmType]) -> bool {
        a.len() == b.len()
            && a.iter()
                .zip(b)
                .all(|(a, b)| matches!((a, b), (ValType::I32, WasmType::I32) | (ValType::I64, WasmType::I64)))
    }
    eq(f.params(), params) && eq(f.results(), results)
}

/// Displays a function type as `(i32, i64) -> (i32)`.
struct FuncTypeDisplay<'a>(&'a FuncType);

impl std::fmt::Display for FuncTypeDisplay<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let list = |ts: &[ValType]| ts.iter().map(|t| t.to_string()).collect::<Vec<_>>().join(", ");
        write!(f, "({}) -> ({})", list(self.0.params()), list(self.0.results()))
    }
}

/// Displays a host signature as `(i32, i64) -> (i32)`.
struct HostSigDisplay<'a>(&'a [WasmType], &'a [WasmType]);

impl std::fmt::Display for HostSigDisplay<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let list = |ts: &[WasmType]| {
            ts.iter()
                .map(|t| match t {
                    WasmType::I32 => "i32",
                    WasmType::I64 => "i64",
                })
                .collect::<Vec<_>>()
                .join(", ")
        };
        write!(f, "({}) -> ({})", list(self.0), list(self.1))
    }
}
