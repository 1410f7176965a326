//! The final authority: wasmparser's full validator with the profile's feature set
//! (`spec/determinism.md#malformed`), driven operator by operator to measure each function's
//! operand stack (`spec/gas.md#stack-limit`) and, on the same reading, to check each body against
//! the profile's body rules ([`BodyScan`]), so that an accepted module's bodies are read once
//! (`super::run`).

use super::ops::{allowed_whatever_immediates, check_blocktype, check_valtype};
use super::rule::ValidationError;
use crate::{Limit, Limits};
use wasmparser::{
    BlockType, BrTable, FrameKind, FrameStack, FuncValidatorAllocations, Parser, ValidPayload, Validator,
    VisitOperator, WasmFeatures,
};

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

/// What the strict pass saw of the profile's body rules (`checks/code.rs`) on its own reading of
/// the bodies: whether anything in them may break one, and the control operators counted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct BodyScan {
    /// An operator, local or body limit the profile's body check may reject: only the two passes
    /// can then say what the module's errors are.
    pub doubt: bool,
    /// `block`, `loop`, `if` and `else` operators in all bodies (`ModuleInfo::control_ops`).
    pub control_ops: u64,
}

/// The profile's check of one operator, given its `Operator` variant, wasmparser's proposal and
/// visitor name for it, and the names of its immediates: sets `doubt` wherever `check_operator` or
/// `check_body` would report it, and counts control operators. Everything but block types and
/// `br_table`'s target count is decided at compile time.
macro_rules! profile_check {
    ($scan:ident, $proposal:ident, Block, $visit:ident, $blockty:ident) => {
        $scan.block(&$blockty)
    };
    ($scan:ident, $proposal:ident, Loop, $visit:ident, $blockty:ident) => {
        $scan.block(&$blockty)
    };
    ($scan:ident, $proposal:ident, If, $visit:ident, $blockty:ident) => {
        $scan.block(&$blockty)
    };
    ($scan:ident, $proposal:ident, Else, $visit:ident,) => {
        $scan.body.control_ops += 1
    };
    ($scan:ident, $proposal:ident, BrTable, $visit:ident, $targets:ident) => {
        $scan.br_table(&$targets)
    };
    // spec/determinism.md#bulk-memory: the two bulk-memory operators the profile keeps.
    ($scan:ident, $proposal:ident, MemoryCopy, $visit:ident, $($arg:ident)*) => {
        let _ = $scan;
    };
    ($scan:ident, $proposal:ident, MemoryFill, $visit:ident, $($arg:ident)*) => {
        let _ = $scan;
    };
    ($scan:ident, $proposal:ident, $op:ident, $visit:ident, $($arg:ident)*) => {
        $scan.body.doubt |= !const { allowed_whatever_immediates!($proposal, $visit) }
    };
}

/// The strict validator's visitor of one operator, with the profile's check of the operator first.
struct Profiled<'s, 'l, V> {
    inner: V,
    scan: &'s mut Scan<'l>,
}

/// [`BodyScan`] in the making, with the limits its checks need.
struct Scan<'l> {
    limits: &'l Limits,
    body: BodyScan,
}

impl Scan<'_> {
    fn block(&mut self, ty: &BlockType) {
        self.body.control_ops += 1;
        self.body.doubt |= check_blocktype(ty).is_some();
    }
    fn br_table(&mut self, targets: &BrTable<'_>) {
        self.body.doubt |= Limit::BrTableTargets.check(self.limits, targets.len().into()).is_some();
    }
}

macro_rules! define_profiled {
    ($( @$proposal:ident $op:ident $({ $($arg:ident: $argty:ty),* })? => $visit:ident ($($ann:tt)*))*) => {
        $(
            fn $visit(&mut self $($(,$arg: $argty)*)?) -> Self::Output {
                let scan = &mut *self.scan;
                profile_check!(scan, $proposal, $op, $visit, $($($arg)*)?);
                self.inner.$visit($($($arg),*)?)
            }
        )*
    };
}

impl<V: FrameStack> FrameStack for Profiled<'_, '_, V> {
    fn current_frame(&self) -> Option<FrameKind> {
        self.inner.current_frame()
    }
}

impl<'a, V: VisitOperator<'a, Output = wasmparser::Result<()>>> VisitOperator<'a> for Profiled<'_, '_, V> {
    type Output = wasmparser::Result<()>;
    wasmparser::for_each_visit_operator!(define_profiled);
}

/// Validates `wasm` strictly and measures every defined function, in order; on the same reading
/// of each body, checks it against the profile's body rules under `limits` (the [`BodyScan`]).
///
/// # Errors
/// The first wasmparser error, as [`super::Rule::Malformed`].
pub(crate) fn validate_strict(
    wasm: &[u8],
    limits: &Limits,
) -> Result<(Vec<Measure>, BodyScan), ValidationError> {
    let mut parser = Parser::new(0);
    parser.set_features(FEATURES);
    let mut validator = Validator::new_with_features(FEATURES);
    let mut allocs = FuncValidatorAllocations::default();
    let mut measures = Vec::new();
    let mut scan = Scan { limits, body: BodyScan { doubt: false, control_ops: 0 } };
    for payload in parser.parse_all(wasm) {
        let payload = payload.map_err(|e| ValidationError::malformed(&e, None))?;
        let valid = validator.payload(&payload).map_err(|e| ValidationError::malformed(&e, None))?;
        match valid {
            ValidPayload::Func(func, body) => {
                let mut fv = func.into_validator(std::mem::take(&mut allocs));
                let index = fv.index();
                let mut run = || -> wasmparser::Result<Measure> {
                    // The profile's local rules (`check_body`): value types and their count.
                    for local in body.get_locals_reader()? {
                        scan.body.doubt |= check_valtype(local?.1).is_some();
                    }
                    let mut reader = body.get_binary_reader();
                    fv.read_locals(&mut reader)?;
                    scan.body.doubt |= Limit::Locals.check(limits, u64::from(fv.len_locals())).is_some();
                    reader.set_features(FEATURES);
                    let mut max = fv.operand_stack_height();
                    while !reader.eof() {
                        let offset = reader.original_position();
                        reader
                            .visit_operator(&mut Profiled { inner: fv.visitor(offset), scan: &mut scan })??;
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
    Ok((measures, scan.body))
}
