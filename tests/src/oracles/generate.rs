//! Module generators for the fuzz targets and corpus tests: `wasm-smith` configured for everything
//! (the validator must survive it), for the determinism profile with tsvm's ABI shape (the VM must
//! run it), and for plain integer modules (the differential oracle).

use arbitrary::{Result, Unstructured};
use std::collections::HashSet;
use wasm_encoder::reencode::{utils, Reencode};
use wasm_smith::{Config, Module};
use wasmparser::{Parser, Payload};

/// Export-name prefix the profile reserves for the instrumenter's own exports
/// (`spec/determinism.md#exports`): the validator's own constant, from `abi::names`.
pub use abi::names::RESERVED_EXPORT_PREFIX;

/// An entry-point shape every generated profile module has: exported memory, two methods, a view
/// and a hook, all `() -> ()` (`spec/abi.md#entry-points`).
const PROFILE_EXPORTS: &str = r#"(module
  (memory (export "memory") 1)
  (func (export "method_a"))
  (func (export "method_b"))
  (func (export "view_v"))
  (func (export "before_transfer")))"#;

/// The tsvm host table as a module of imports wasm-smith may pick from.
fn host_imports() -> Vec<u8> {
    wat::parse_str(format!("(module\n{})", abi::wat_imports())).unwrap_or_default()
}

/// Integer-only features: no floats, SIMD, threads, references, exceptions, GC, tail calls.
fn integer_only(c: &mut Config) {
    c.allow_floats = false;
    c.simd_enabled = false;
    c.relaxed_simd_enabled = false;
    c.saturating_float_to_int_enabled = false;
    c.reference_types_enabled = false;
    c.gc_enabled = false;
    c.threads_enabled = false;
    c.exceptions_enabled = false;
    c.tail_call_enabled = false;
    c.wide_arithmetic_enabled = false;
    c.extended_const_enabled = false;
    c.compact_imports_enabled = false;
    c.custom_page_sizes_enabled = false;
    c.memory64_enabled = false;
    c.max_memories = 1;
    c.max_tables = 1;
    c.max_memory32_bytes = 4 * 65_536;
    c.max_table_elements = 64;
    c.max_funcs = 12;
    c.max_instructions = 120;
    c.max_data_segments = 4;
    c.max_element_segments = 4;
    c.max_globals = 8;
    c.max_types = 16;
    c.allow_start_export = false;
}

/// Any module, every feature on (floats, SIMD, references, GC...): for the validator. Custom page
/// sizes are on too (wasm-smith's arbitrary configuration leaves them off): the profile admits a
/// memory of 1-byte pages (`spec/determinism.md#memory`).
///
/// # Errors
/// The input ran out.
pub fn any_module(u: &mut Unstructured<'_>) -> Result<Vec<u8>> {
    let mut config: Config = u.arbitrary()?;
    config.custom_page_sizes_enabled = true;
    config.max_funcs = config.max_funcs.min(20);
    config.max_instructions = config.max_instructions.min(200);
    Ok(Module::new(config, u)?.to_bytes())
}

/// A module of the determinism profile with tsvm's entry points, calling host functions with
/// arbitrary arguments. Bulk memory is on for half of them (so some are rejected for
/// `memory.init`/`data.drop`: that is checked too).
///
/// # Errors
/// The input ran out.
pub fn profile_module(u: &mut Unstructured<'_>) -> Result<Vec<u8>> {
    let mut c = Config::default();
    integer_only(&mut c);
    c.bulk_memory_enabled = u.arbitrary()?;
    c.exports = Some(wat::parse_str(PROFILE_EXPORTS).unwrap_or_default());
    c.available_imports = Some(host_imports());
    c.max_imports = 8;
    // The exported memory comes from `exports`; wasm-smith adds any others on top of the maximum.
    c.max_memories = 0;
    c.max_memory32_bytes = 2 * 65_536;
    Ok(Module::new(c, u)?.to_bytes())
}

/// A self-contained integer module that terminates (wasm-smith's fuel on loops and calls), with
/// exported functions of integer types and no export name the profile reserves
/// ([`without_reserved_exports`]): for the differential oracle.
///
/// # Errors
/// The input ran out.
pub fn integer_module(u: &mut Unstructured<'_>) -> Result<Vec<u8>> {
    let mut c = Config::default();
    integer_only(&mut c);
    c.bulk_memory_enabled = u.arbitrary()?;
    c.max_imports = 0;
    c.export_everything = true;
    c.min_exports = 1;
    let mut module = Module::new(c, u)?;
    module.ensure_termination(1_000).map_err(|_| arbitrary::Error::IncorrectFormat)?;
    without_reserved_exports(&module.to_bytes()).map_err(|_| arbitrary::Error::IncorrectFormat)
}

/// `wasm` with its memory declared as `bytes` bytes of 1-byte pages (`spec/determinism.md#memory`),
/// everything else as it was.
///
/// # Errors
/// The module does not parse.
pub fn with_byte_memory(wasm: &[u8], bytes: u64) -> std::result::Result<Vec<u8>, String> {
    struct ByteMemory(u64);
    impl Reencode for ByteMemory {
        type Error = std::convert::Infallible;
        fn memory_type(
            &mut self,
            memory: wasmparser::MemoryType,
        ) -> std::result::Result<wasm_encoder::MemoryType, wasm_encoder::reencode::Error<Self::Error>>
        {
            Ok(wasm_encoder::MemoryType {
                minimum: self.0,
                maximum: None,
                page_size_log2: Some(0),
                ..memory.into()
            })
        }
    }
    let mut module = wasm_encoder::Module::new();
    utils::parse_core_module(&mut ByteMemory(bytes), &mut module, Parser::new(0), wasm)
        .map_err(|e| e.to_string())?;
    Ok(module.finish())
}

/// `wasm` with every export name that begins with [`RESERVED_EXPORT_PREFIX`] renamed (an `x` in
/// front, then a number if that name is taken too); a module without such names is returned
/// unchanged. wasm-smith picks export names from the input, so the fuzzer finds the reserved ones;
/// the profile rejects them (`forbidden_export`) and the instrumenter, relying on that, would add
/// a second export of the same name. Renaming keeps such a module comparable instead of dropping
/// it (fuzz finding `differential/regress-reserved-export-name`, issue 17).
///
/// # Errors
/// The module does not parse.
pub fn without_reserved_exports(wasm: &[u8]) -> std::result::Result<Vec<u8>, String> {
    struct Rename {
        taken: HashSet<String>,
    }
    impl Reencode for Rename {
        type Error = std::convert::Infallible;
        fn parse_export(
            &mut self,
            exports: &mut wasm_encoder::ExportSection,
            export: wasmparser::Export<'_>,
        ) -> std::result::Result<(), wasm_encoder::reencode::Error<Self::Error>> {
            let mut name = export.name.to_string();
            if name.starts_with(RESERVED_EXPORT_PREFIX) {
                let base = format!("x{name}");
                name.clone_from(&base);
                let mut n = 0u32;
                while self.taken.contains(&name) {
                    n += 1;
                    name = format!("{base}{n}");
                }
                self.taken.insert(name.clone());
            }
            let kind = self.export_kind(export.kind)?;
            let index = self.external_index(export.kind, export.index)?;
            exports.export(&name, kind, index);
            Ok(())
        }
    }
    let mut taken = HashSet::new();
    for payload in Parser::new(0).parse_all(wasm) {
        if let Payload::ExportSection(r) = payload.map_err(|e| e.to_string())? {
            for export in r {
                taken.insert(export.map_err(|e| e.to_string())?.name.to_string());
            }
        }
    }
    if !taken.iter().any(|n| n.starts_with(RESERVED_EXPORT_PREFIX)) {
        return Ok(wasm.to_vec());
    }
    let mut module = wasm_encoder::Module::new();
    utils::parse_core_module(&mut Rename { taken }, &mut module, Parser::new(0), wasm)
        .map_err(|e| e.to_string())?;
    Ok(module.finish())
}
