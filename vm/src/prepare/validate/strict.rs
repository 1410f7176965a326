//! The final authority: wasmparser's full validator with the profile's feature set
//! (`spec/determinism.md#malformed`), driven operator by operator to measure each function's
//! operand stack (`spec/gas.md#stack-limit`).

use super::rule::ValidationError;
use wasmparser::{FuncValidatorAllocations, Parser, ValidPayload, Validator, WasmFeatures};

/// The WebAssembly features the profile allows (`spec/determinism.md#malformed`): the MVP without
/// floats, plus mutable globals, sign-extension, multi-value, bulk memory (of which the rule checks
/// keep only `memory.copy` and `memory.fill`) and custom page sizes (a memory of 1-byte pages,
/// `spec/determinism.md#memory`). `GC_TYPES` is part of wasmparser's MVP set; it admits no type on
/// its own (reference types stay off).
pub const FEATURES: WasmFeatures = WasmFeatures::GC_TYPES
    .union(WasmFeatures::MUTABLE_GLOBAL)
    .union(WasmFeatures::SIGN_EXTENSION)
    .union(WasmFeatures::MULTI_VALUE)
    .union(WasmFeatures::BULK_MEMORY)
    .union(WasmFeatures::CUSTOM_PAGE_SIZES);

/// What the strict pass measures of one defined function.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Measure {
    /// Parameters plus declared locals.
    pub locals_with_params: u32,
    /// Highest operand stack height before or after any operator.
    pub max_operand_height: u32,
    /// Index of the function in the function index space (imports first).
    pub func_index: u32,
    /// Byte offset of the body in the module.
    pub offset: u64,
}

/// Validates `wasm` strictly and measures every defined function, in order.
///
/// # Errors
/// The first wasmparser error, as [`super::Rule::Malformed`].
pub(crate) fn validate_strict(wasm: &[u8]) -> Result<Vec<Measure>, ValidationError> {
    let mut parser = Parser::new(0);
    parser.set_features(FEATURES);
    let mut validator = Validator::new_with_features(FEATURES);
    let mut allocs = FuncValidatorAllocations::default();
    let mut measures = Vec::new();
    for payload in parser.parse_all(wasm) {
        let payload = payload.map_err(|e| ValidationError::malformed(&e, None))?;
        let valid = validator.payload(&payload).map_err(|e| ValidationError::malformed(&e, None))?;
        match valid {
            ValidPayload::Func(func, body) => {
                let mut fv = func.into_validator(std::mem::take(&mut allocs));
                let index = fv.index();
                let mut run = || -> wasmparser::Result<Measure> {
                    let mut reader = body.get_binary_reader();
                    fv.read_locals(&mut reader)?;
                    reader.set_features(FEATURES);
                    let mut max = fv.operand_stack_height();
                    while !reader.eof() {
                        let offset = reader.original_position();
                        reader.visit_operator(&mut fv.visitor(offset))??;
                        max = max.max(fv.operand_stack_height());
                    }
                    reader.finish_expression(&fv.visitor(reader.original_position()))?;
                    Ok(Measure {
                        locals_with_params: fv.len_locals(),
                        max_operand_height: max,
                        func_index: index,
                        offset: body.range().start,
                    })
                };
                let measure = run().map_err(|e| ValidationError::malformed(&e, Some(index)))?;
                measures.push(measure);
                allocs = fv.into_allocations();
            }
            ValidPayload::End(_) => break,
            _ => {}
        }
    }
    Ok(measures)
}
