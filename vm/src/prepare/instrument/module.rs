//! Section-level rewriting: the injected type, import, globals and exports, the function index
//! shift, and custom sections dropped (`spec/gas.md#module-changes`).

use super::body::{rewrite_body, BodyCtx, Buffers, ProfileHooks};
use super::remap::{reencode_err, Remap};
use super::{InstrumentError, GAS_GLOBAL_EXPORT, GAS_SLOW_IMPORT, GLOBAL_EXPORT_PREFIX, STACK_GLOBAL_EXPORT};
use super::{PROFILE_ENTER_IMPORT, PROFILE_RESUME_IMPORT};
use crate::{GasTable, Limits, ModuleInfo};
use abi::HOST_MODULE;
use wasm_encoder::reencode::Reencode;
use wasm_encoder::{
    CodeSection, ConstExpr, DataCountSection, DataSection, ElementSection, EntityType, ExportKind,
    ExportSection, FunctionSection, GlobalSection, GlobalType, ImportSection, MemorySection, Module,
    StartSection, TableSection, TypeSection, ValType,
};
use wasmparser::{
    CompositeInnerType, DataSectionReader, ElementSectionReader, Encoding, ExportSectionReader, FunctionBody,
    FunctionSectionReader, GlobalSectionReader, ImportSectionReader, MemorySectionReader, Parser, Payload,
    TableSectionReader, TypeRef, TypeSectionReader,
};

/// The input's sections (custom sections are dropped).
#[derive(Default)]
struct Sections<'a> {
    types: Option<TypeSectionReader<'a>>,
    imports: Option<ImportSectionReader<'a>>,
    functions: Option<FunctionSectionReader<'a>>,
    tables: Option<TableSectionReader<'a>>,
    memories: Option<MemorySectionReader<'a>>,
    globals: Option<GlobalSectionReader<'a>>,
    exports: Option<ExportSectionReader<'a>>,
    start: Option<u32>,
    elements: Option<ElementSectionReader<'a>>,
    data_count: Option<u32>,
    bodies: Vec<FunctionBody<'a>>,
    data: Option<DataSectionReader<'a>>,
}

fn once<T>(slot: &mut Option<T>, value: T, name: &str) -> Result<(), InstrumentError> {
    if slot.replace(value).is_some() {
        return Err(InstrumentError(format!("duplicate {name} section")));
    }
    Ok(())
}

fn read_sections(wasm: &[u8]) -> Result<Sections<'_>, InstrumentError> {
    let mut s = Sections::default();
    for payload in Parser::new(0).parse_all(wasm) {
        match payload? {
            Payload::Version { encoding: Encoding::Module, .. } => {}
            Payload::TypeSection(r) => once(&mut s.types, r, "type")?,
            Payload::ImportSection(r) => once(&mut s.imports, r, "import")?,
            Payload::FunctionSection(r) => once(&mut s.functions, r, "function")?,
            Payload::TableSection(r) => once(&mut s.tables, r, "table")?,
            Payload::MemorySection(r) => once(&mut s.memories, r, "memory")?,
            Payload::GlobalSection(r) => once(&mut s.globals, r, "global")?,
            Payload::ExportSection(r) => once(&mut s.exports, r, "export")?,
            Payload::StartSection { func, .. } => once(&mut s.start, func, "start")?,
            Payload::ElementSection(r) => once(&mut s.elements, r, "element")?,
            Payload::DataCountSection { count, .. } => once(&mut s.data_count, count, "datacount")?,
            Payload::DataSection(r) => once(&mut s.data, r, "data")?,
            Payload::CodeSectionStart { .. } | Payload::End(_) => {}
            Payload::CodeSectionEntry(body) => s.bodies.push(body),
            // spec/gas.md#module-changes: custom sections (`name` included) are dropped.
            Payload::CustomSection(_) => {}
            other => {
                return Err(InstrumentError(format!(
                    "section outside the profile at offset {}",
                    other.as_section().map_or(0, |(_, r)| r.start)
                )))
            }
        }
    }
    Ok(s)
}

/// Parameter count of every type (`None` for non-function types), and the index of the first
/// plain `(i64, i64) -> i64` type (the slow path's) if there is one.
fn read_types(types: Option<&TypeSectionReader>) -> Result<(Vec<Option<u32>>, Option<u32>), InstrumentError> {
    let mut params = Vec::new();
    let mut slow = None;
    for group in types.cloned().into_iter().flatten() {
        let group = group?;
        let explicit = group.is_explicit_rec_group();
        for sub in group.types() {
            let index = u32::try_from(params.len()).map_err(|_| InstrumentError("too many types".into()))?;
            match &sub.composite_type.inner {
                CompositeInnerType::Func(ft) => {
                    let plain = !explicit
                        && sub.is_final
                        && sub.supertype_idxs.is_empty()
                        && !sub.composite_type.shared;
                    if slow.is_none()
                        && plain
                        && ft.params() == [wasmparser::ValType::I64, wasmparser::ValType::I64]
                        && ft.results() == [wasmparser::ValType::I64]
                    {
                        slow = Some(index);
                    }
                    params.push(u32::try_from(ft.params().len()).ok());
                }
                _ => params.push(None),
            }
        }
    }
    Ok((params, slow))
}

/// Rewrites the module (see [`super::instrument`]); `profiling`: the profiling variant
/// ([`super::instrument_profiling`]); `reference`: the test-only reference placement of the
/// injected code (see `BodyCtx::reference`).
pub(super) fn rewrite(
    wasm: &[u8],
    info: &ModuleInfo,
    table: &GasTable,
    limits: &Limits,
    profiling: bool,
    reference: bool,
) -> Result<Vec<u8>, InstrumentError> {
    // spec/gas.md#dynamic-costs: the run-time product per_byte * len must not wrap.
    if table.memory_copy_per_byte > u64::from(u32::MAX) || table.memory_fill_per_byte > u64::from(u32::MAX) {
        return Err(InstrumentError("per-byte cost must be below 2^32".into()));
    }
    let s = read_sections(wasm)?;
    let e = reencode_err;

    // Types: unchanged, plus `(i64, i64) -> i64` appended if absent.
    let (type_params, existing_slow) = read_types(s.types.as_ref())?;
    let mut types = TypeSection::new();
    let mut remap = Remap::default();
    if let Some(r) = s.types.clone() {
        remap.parse_type_section(&mut types, r).map_err(e)?;
    }
    let slow_type = match existing_slow {
        Some(t) => t,
        None => {
            types.ty().function([ValType::I64, ValType::I64], [ValType::I64]);
            u32::try_from(type_params.len()).map_err(|_| InstrumentError("too many types".into()))?
        }
    };
    // spec/profile.md#hooks: two more types after everything else, so no input index moves.
    let hook_types = if profiling {
        let first = u32::try_from(type_params.len() + usize::from(existing_slow.is_none()))
            .map_err(|_| InstrumentError("too many types".into()))?;
        types.ty().function([ValType::I32], [ValType::I32]);
        types.ty().function([ValType::I32], []);
        Some((first, first + 1))
    } else {
        None
    };

    // Imports: count them; the slow path is appended as the last import.
    let mut imported_funcs = 0u32;
    let mut imported_globals = 0u32;
    for import in s.imports.clone().into_iter().flat_map(|r| r.into_imports()) {
        match import?.ty {
            TypeRef::Func(_) | TypeRef::FuncExact(_) => imported_funcs += 1,
            TypeRef::Global(_) => imported_globals += 1,
            _ => {}
        }
    }
    if imported_funcs as usize != info.imports.len() {
        return Err(InstrumentError(format!(
            "module imports {imported_funcs} functions, ModuleInfo says {}",
            info.imports.len()
        )));
    }
    remap.imported_funcs = imported_funcs;
    remap.extra_imports = if profiling { 2 } else { 0 };
    let mut imports = ImportSection::new();
    if let Some(r) = s.imports.clone() {
        remap.parse_import_section(&mut imports, r).map_err(e)?;
    }
    // spec/gas.md#slow-path
    imports.import(HOST_MODULE, GAS_SLOW_IMPORT, EntityType::Function(slow_type));
    let slow_func = imported_funcs;
    let hooks = hook_types.map(|(enter_type, resume_type)| {
        imports.import(HOST_MODULE, PROFILE_ENTER_IMPORT, EntityType::Function(enter_type));
        imports.import(HOST_MODULE, PROFILE_RESUME_IMPORT, EntityType::Function(resume_type));
        ProfileHooks { enter: slow_func + 1, resume: slow_func + 2 }
    });

    // Functions: their types, to find parameter counts.
    let mut func_types = Vec::new();
    for t in s.functions.clone().into_iter().flatten() {
        func_types.push(t?);
    }
    if func_types.len() != s.bodies.len() || func_types.len() != info.functions.len() {
        return Err(InstrumentError(format!(
            "{} function declarations, {} bodies, ModuleInfo has {}",
            func_types.len(),
            s.bodies.len(),
            info.functions.len()
        )));
    }

    // Globals: unchanged, plus the gas and stack globals appended.
    let mut globals = GlobalSection::new();
    let mut defined_globals = 0u32;
    if let Some(r) = s.globals.clone() {
        defined_globals = r.count();
        remap.parse_global_section(&mut globals, r).map_err(e)?;
    }
    let gas_global = imported_globals
        .checked_add(defined_globals)
        .filter(|g| *g < u32::MAX)
        .ok_or_else(|| InstrumentError("too many globals".into()))?;
    let sp_global = gas_global + 1;
    // spec/gas.md#gas-global
    globals.global(
        GlobalType { val_type: ValType::I64, mutable: true, shared: false },
        &ConstExpr::i64_const(0),
    );
    // spec/gas.md#stack-limit
    globals.global(
        GlobalType { val_type: ValType::I32, mutable: true, shared: false },
        &ConstExpr::i32_const(0),
    );

    let mut exports = ExportSection::new();
    if let Some(r) = s.exports.clone() {
        remap.parse_export_section(&mut exports, r).map_err(e)?;
    }
    exports.export(GAS_GLOBAL_EXPORT, ExportKind::Global, gas_global);
    exports.export(STACK_GLOBAL_EXPORT, ExportKind::Global, sp_global);
    // spec/gas.md#module-changes: mutable globals are exported so checkpoints can commit to them.
    if let Some(r) = s.globals.clone() {
        for (j, global) in r.into_iter().enumerate() {
            if global.map_err(InstrumentError::from)?.ty.mutable {
                let index = imported_globals + j as u32;
                exports.export(&format!("{GLOBAL_EXPORT_PREFIX}{index}"), ExportKind::Global, index);
            }
        }
    }

    // Bodies.
    let ctx = BodyCtx {
        table,
        gas_global,
        sp_global,
        slow_func,
        max_stack_units: limits.max_stack_units,
        hooks,
        reference,
    };
    let mut code = CodeSection::new();
    let mut buffers = Buffers::default();
    for (j, ((body, ty), fi)) in s.bodies.iter().zip(&func_types).zip(&info.functions).enumerate() {
        let params = type_params
            .get(*ty as usize)
            .copied()
            .flatten()
            .ok_or_else(|| InstrumentError(format!("bad function type index {ty}")))?;
        // The input's index of this function, which the profiling hooks report.
        let index = imported_funcs + j as u32;
        code.raw(rewrite_body(&mut remap, &ctx, body, params, fi, index, &mut buffers)?);
    }

    // Emit in the binary format's section order.
    let mut out = Module::new();
    out.section(&types);
    out.section(&imports);
    if let Some(r) = s.functions {
        let mut sec = FunctionSection::new();
        remap.parse_function_section(&mut sec, r).map_err(e)?;
        out.section(&sec);
    }
    if let Some(r) = s.tables {
        let mut sec = TableSection::new();
        remap.parse_table_section(&mut sec, r).map_err(e)?;
        out.section(&sec);
    }
    if let Some(r) = s.memories {
        let mut sec = MemorySection::new();
        remap.parse_memory_section(&mut sec, r).map_err(e)?;
        out.section(&sec);
    }
    out.section(&globals);
    out.section(&exports);
    if let Some(func) = s.start {
        out.section(&StartSection { function_index: remap.start_section(func).map_err(e)? });
    }
    if let Some(r) = s.elements {
        let mut sec = ElementSection::new();
        remap.parse_element_section(&mut sec, r).map_err(e)?;
        out.section(&sec);
    }
    if let Some(count) = s.data_count {
        out.section(&DataCountSection { count });
    }
    if !s.bodies.is_empty() {
        out.section(&code);
    }
    if let Some(r) = s.data {
        let mut sec = DataSection::new();
        remap.parse_data_section(&mut sec, r).map_err(e)?;
        out.section(&sec);
    }
    Ok(out.finish())
}
