//! Rewriting one function body: stack check at entry, a gas charge at the start of every metered
//! block, run-time charges for bulk memory, `memory.grow` made constant, and the stack global
//! restored after calls (`spec/gas.md#instrumentation`).

use super::blocks::{metered_blocks, MeteredBlock};
use super::module::Remap;
use super::{InstrumentError, STACK_OVERFLOW_SENTINEL};
use crate::GasTable;
use wasm_encoder::reencode::Reencode;
use wasm_encoder::{BlockType, Function, Instruction as I, ValType};
use wasmparser::{FunctionBody, Operator};

/// What every body needs to know about the rewritten module.
pub(super) struct BodyCtx<'a> {
    /// The cost table.
    pub table: &'a GasTable,
    /// Index of the gas global.
    pub gas_global: u32,
    /// Index of the stack-units global.
    pub sp_global: u32,
    /// Function index of `tsvm.__gas_slow`.
    pub slow_func: u32,
    /// `Limits::max_stack_units`.
    pub max_stack_units: u32,
}

/// Indices of the scratch locals appended to every function (`spec/gas.md#scratch-locals`).
struct Scratch {
    /// `i32`: this activation's stack-units level (`sp` after its own frame).
    base: u32,
    /// `i32`: the length operand of a bulk memory operator.
    len: u32,
    /// `i64`: the run-time gas of a bulk memory operator.
    cost: u32,
    /// `i64`: the function's working copy of the gas global (`spec/gas.md#gas-local`).
    gas: u32,
}

/// Rewrites one body. `params` is the function's parameter count, `frame_units` its
/// `FuncInfo::frame_units()`.
pub(super) fn rewrite_body(
    remap: &mut Remap,
    ctx: &BodyCtx,
    body: &FunctionBody,
    params: u32,
    frame_units: u32,
) -> Result<Function, InstrumentError> {
    let overflow = || InstrumentError("too many locals".into());
    let mut locals = Vec::new();
    let mut count = params;
    for decl in body.get_locals_reader()? {
        let (n, ty) = decl?;
        count = count.checked_add(n).ok_or_else(overflow)?;
        locals.push((n, remap.val_type(ty).map_err(super::module::reencode_err)?));
    }
    // spec/gas.md#scratch-locals
    let scratch = Scratch {
        base: count,
        len: count.checked_add(1).ok_or_else(overflow)?,
        cost: count.checked_add(2).ok_or_else(overflow)?,
        gas: count.checked_add(3).ok_or_else(overflow)?,
    };
    locals.extend([(2, ValType::I32), (2, ValType::I64)]);
    let mut f = Function::new(locals);

    // Each operator with its encoded bytes: operators that need no rewriting are copied verbatim.
    let mut reader = body.get_operators_reader()?;
    let mut bytes = reader.get_binary_reader();
    let body_start = bytes.original_position();
    let code = bytes.read_bytes(bytes.bytes_remaining())?;
    let offset = |r: &wasmparser::OperatorsReader| (r.original_position() - body_start) as usize;
    let mut ops = Vec::new();
    let mut offsets = Vec::new();
    while !reader.eof() {
        offsets.push(offset(&reader));
        ops.push(reader.read()?);
    }
    offsets.push(offset(&reader));
    reader.finish()?;
    let blocks = metered_blocks(&ops, ctx.table)?;
    let synced = synced_blocks(&ops, &blocks)?;

    stack_entry(&mut f, ctx, &scratch, frame_units);
    // spec/gas.md#gas-local: the working copy starts from the global.
    f.instruction(&I::GlobalGet(ctx.gas_global));
    f.instruction(&I::LocalSet(scratch.gas));
    let mut next_block = blocks.iter().zip(synced).peekable();
    for (i, op) in ops.into_iter().enumerate() {
        if let Some((b, sync)) = next_block.next_if(|(b, _)| b.start == i) {
            if b.cost > 0 {
                charge(&mut f, ctx, &scratch, Amount::Static(b.cost), sync);
            } else if sync {
                write_back(&mut f, ctx, &scratch);
            }
        }
        match op {
            // spec/gas.md#fixed-memory
            Operator::MemoryGrow { .. } => {
                f.instruction(&I::Drop);
                f.instruction(&I::I32Const(-1));
            }
            // spec/gas.md#dynamic-costs
            Operator::MemoryCopy { .. } | Operator::MemoryFill { .. } => {
                let per_byte = if matches!(op, Operator::MemoryCopy { .. }) {
                    ctx.table.memory_copy_per_byte
                } else {
                    ctx.table.memory_fill_per_byte
                };
                if per_byte > 0 {
                    dynamic_charge(&mut f, ctx, &scratch, per_byte);
                }
                f.raw(code[offsets[i]..offsets[i + 1]].iter().copied());
            }
            // spec/gas.md#stack-limit: the callee's frames are released on return;
            // spec/gas.md#gas-local: the callee or the host may have charged gas.
            Operator::Call { .. } | Operator::CallIndirect { .. } => {
                if matches!(op, Operator::Call { .. }) {
                    f.instruction(&reencode(remap, op)?);
                } else {
                    f.raw(code[offsets[i]..offsets[i + 1]].iter().copied());
                }
                f.instruction(&I::LocalGet(scratch.base));
                f.instruction(&I::GlobalSet(ctx.sp_global));
                f.instruction(&I::GlobalGet(ctx.gas_global));
                f.instruction(&I::LocalSet(scratch.gas));
            }
            // Every other operator of the profile holds no function index: copied as it is.
            _ => {
                f.raw(code[offsets[i]..offsets[i + 1]].iter().copied());
            }
        }
    }
    Ok(f)
}

fn reencode<'a>(remap: &mut Remap, op: Operator<'a>) -> Result<I<'a>, InstrumentError> {
    remap.instruction(op).map_err(super::module::reencode_err)
}

/// Whether `op`, at label depth `depth` (0: directly in the function's outermost label), can
/// neither trap, nor call, nor leave the function: the operators after which nobody can observe the
/// gas global (`spec/gas.md#synced-blocks`). Anything not listed counts as observable.
fn quiet(op: &Operator, depth: u32) -> bool {
    use Operator as O;
    match op {
        O::Br { relative_depth } | O::BrIf { relative_depth } => *relative_depth < depth,
        // The body's final `end` is handled by the caller.
        O::Nop
        | O::Block { .. }
        | O::Loop { .. }
        | O::If { .. }
        | O::Else
        | O::End
        | O::Drop
        | O::Select
        | O::TypedSelect { .. }
        | O::LocalGet { .. }
        | O::LocalSet { .. }
        | O::LocalTee { .. }
        | O::GlobalGet { .. }
        | O::GlobalSet { .. }
        | O::I32Const { .. }
        | O::I64Const { .. }
        | O::MemorySize { .. }
        | O::MemoryGrow { .. }
        | O::I32Mul
        | O::I64Mul => true,
        // The integer ALU class of the cost table: none of these traps.
        O::I32Eqz
        | O::I32Eq
        | O::I32Ne
        | O::I32LtS
        | O::I32LtU
        | O::I32GtS
        | O::I32GtU
        | O::I32LeS
        | O::I32LeU
        | O::I32GeS
        | O::I32GeU
        | O::I64Eqz
        | O::I64Eq
        | O::I64Ne
        | O::I64LtS
        | O::I64LtU
        | O::I64GtS
        | O::I64GtU
        | O::I64LeS
        | O::I64LeU
        | O::I64GeS
        | O::I64GeU
        | O::I32Clz
        | O::I32Ctz
        | O::I32Popcnt
        | O::I32Add
        | O::I32Sub
        | O::I32And
        | O::I32Or
        | O::I32Xor
        | O::I32Shl
        | O::I32ShrS
        | O::I32ShrU
        | O::I32Rotl
        | O::I32Rotr
        | O::I64Clz
        | O::I64Ctz
        | O::I64Popcnt
        | O::I64Add
        | O::I64Sub
        | O::I64And
        | O::I64Or
        | O::I64Xor
        | O::I64Shl
        | O::I64ShrS
        | O::I64ShrU
        | O::I64Rotl
        | O::I64Rotr
        | O::I32WrapI64
        | O::I64ExtendI32S
        | O::I64ExtendI32U
        | O::I32Extend8S
        | O::I32Extend16S
        | O::I64Extend8S
        | O::I64Extend16S
        | O::I64Extend32S => true,
        _ => false,
    }
}

/// For each metered block, whether it is **synced** (`spec/gas.md#synced-blocks`): it contains an
/// operator that is not [`quiet`] (one that may trap, call, or leave the function), or the body's
/// final `end`.
fn synced_blocks(ops: &[Operator], blocks: &[MeteredBlock]) -> Result<Vec<bool>, InstrumentError> {
    let mut synced = Vec::with_capacity(blocks.len());
    let mut depth = 0u32;
    for b in blocks {
        let mut sync = false;
        for (i, op) in ops.iter().enumerate().take(b.end).skip(b.start) {
            sync |= i + 1 == ops.len() || !quiet(op, depth);
            match op {
                Operator::Block { .. } | Operator::Loop { .. } | Operator::If { .. } => depth += 1,
                Operator::End => depth = depth.saturating_sub(1),
                _ => {}
            }
        }
        synced.push(sync);
    }
    Ok(synced)
}

/// The stack check at function entry (`spec/gas.md#stack-limit`): traps with the sentinel in the
/// stack global iff `sp + frame_units > max_stack_units` (unsigned, without overflow); otherwise
/// `sp += frame_units` and the new level is kept in the `base` scratch local.
fn stack_entry(f: &mut Function, ctx: &BodyCtx, scratch: &Scratch, frame_units: u32) {
    let trap = |f: &mut Function| {
        f.instruction(&I::I32Const(STACK_OVERFLOW_SENTINEL));
        f.instruction(&I::GlobalSet(ctx.sp_global));
        f.instruction(&I::Unreachable);
    };
    let Some(headroom) = ctx.max_stack_units.checked_sub(frame_units) else {
        // A frame larger than the whole limit: every activation overflows.
        trap(f);
        return;
    };
    // `sp > max - frame` is `sp + frame > max` computed without wrapping; `sp` is read once.
    f.instruction(&I::GlobalGet(ctx.sp_global));
    f.instruction(&I::LocalTee(scratch.base));
    f.instruction(&I::I32Const(headroom as i32));
    f.instruction(&I::I32GtU);
    f.instruction(&I::If(BlockType::Empty));
    trap(f);
    f.instruction(&I::End);
    f.instruction(&I::LocalGet(scratch.base));
    f.instruction(&I::I32Const(frame_units as i32));
    f.instruction(&I::I32Add);
    f.instruction(&I::LocalTee(scratch.base));
    f.instruction(&I::GlobalSet(ctx.sp_global));
}

/// A charge: a constant, or the value of the `cost` scratch local.
#[derive(Clone, Copy)]
enum Amount {
    Static(u64),
    Local(u32),
}

/// `global.set $gas` from the gas local (`spec/gas.md#synced-blocks`).
fn write_back(f: &mut Function, ctx: &BodyCtx, scratch: &Scratch) {
    f.instruction(&I::LocalGet(scratch.gas));
    f.instruction(&I::GlobalSet(ctx.gas_global));
}

/// The charge sequence (`spec/gas.md#charge-sequence`), on the gas local; `sync` also writes the
/// result to the gas global.
fn charge(f: &mut Function, ctx: &BodyCtx, scratch: &Scratch, amount: Amount, sync: bool) {
    // The u64 amount travels as the i64 with the same bits; the comparison is unsigned.
    let push = |f: &mut Function| {
        f.instruction(&match amount {
            Amount::Static(c) => I::I64Const(c as i64),
            Amount::Local(l) => I::LocalGet(l),
        });
    };
    f.instruction(&I::LocalGet(scratch.gas));
    push(f);
    f.instruction(&I::I64LtU);
    f.instruction(&I::If(BlockType::Empty));
    f.instruction(&I::LocalGet(scratch.gas));
    push(f);
    f.instruction(&I::Call(ctx.slow_func));
    f.instruction(&I::LocalSet(scratch.gas));
    f.instruction(&I::End);
    f.instruction(&I::LocalGet(scratch.gas));
    push(f);
    f.instruction(&I::I64Sub);
    if sync {
        f.instruction(&I::LocalTee(scratch.gas));
        f.instruction(&I::GlobalSet(ctx.gas_global));
    } else {
        f.instruction(&I::LocalSet(scratch.gas));
    }
}

/// The run-time charge before `memory.copy`/`memory.fill` (`spec/gas.md#dynamic-costs`):
/// `per_byte * len`, `len` the unsigned `i32` on top of the stack, left in place.
fn dynamic_charge(f: &mut Function, ctx: &BodyCtx, scratch: &Scratch, per_byte: u64) {
    f.instruction(&I::LocalTee(scratch.len));
    f.instruction(&I::I64ExtendI32U);
    // per_byte < 2^32 (checked by `module::rewrite`), so the product cannot wrap.
    f.instruction(&I::I64Const(per_byte as i64));
    f.instruction(&I::I64Mul);
    f.instruction(&I::LocalSet(scratch.cost));
    f.instruction(&I::LocalGet(scratch.len));
    charge(f, ctx, scratch, Amount::Local(scratch.cost), true);
}
