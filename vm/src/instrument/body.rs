//! Rewriting one function body: stack check at entry, a gas charge at the start of every metered
//! block, run-time charges for bulk memory, `memory.grow` made constant, and the stack global
//! restored after calls (`spec/gas.md#instrumentation`).

use super::blocks::metered_blocks;
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
    };
    locals.extend([(1, ValType::I32), (1, ValType::I32), (1, ValType::I64)]);
    let mut f = Function::new(locals);

    let mut reader = body.get_operators_reader()?;
    let mut ops = Vec::new();
    while !reader.eof() {
        ops.push(reader.read()?);
    }
    reader.finish()?;
    let blocks = metered_blocks(&ops, ctx.table)?;

    stack_entry(&mut f, ctx, &scratch, frame_units);
    let mut next_block = blocks.iter().peekable();
    for (i, op) in ops.into_iter().enumerate() {
        if let Some(b) = next_block.next_if(|b| b.start == i) {
            if b.cost > 0 {
                charge(&mut f, ctx, Amount::Static(b.cost));
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
                f.instruction(&reencode(remap, op)?);
            }
            // spec/gas.md#stack-limit: the callee's frames are released on return.
            Operator::Call { .. } | Operator::CallIndirect { .. } => {
                f.instruction(&reencode(remap, op)?);
                f.instruction(&I::LocalGet(scratch.base));
                f.instruction(&I::GlobalSet(ctx.sp_global));
            }
            op => {
                f.instruction(&reencode(remap, op)?);
            }
        }
    }
    Ok(f)
}

fn reencode<'a>(remap: &mut Remap, op: Operator<'a>) -> Result<I<'a>, InstrumentError> {
    remap.instruction(op).map_err(super::module::reencode_err)
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
    // `sp > max - frame` is `sp + frame > max` computed without wrapping.
    f.instruction(&I::GlobalGet(ctx.sp_global));
    f.instruction(&I::I32Const(headroom as i32));
    f.instruction(&I::I32GtU);
    f.instruction(&I::If(BlockType::Empty));
    trap(f);
    f.instruction(&I::End);
    f.instruction(&I::GlobalGet(ctx.sp_global));
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

/// The charge sequence (`spec/gas.md#charge-sequence`).
fn charge(f: &mut Function, ctx: &BodyCtx, amount: Amount) {
    // The u64 amount travels as the i64 with the same bits; the comparison is unsigned.
    let push = |f: &mut Function| {
        f.instruction(&match amount {
            Amount::Static(c) => I::I64Const(c as i64),
            Amount::Local(l) => I::LocalGet(l),
        });
    };
    f.instruction(&I::GlobalGet(ctx.gas_global));
    push(f);
    f.instruction(&I::I64LtU);
    f.instruction(&I::If(BlockType::Empty));
    push(f);
    f.instruction(&I::Call(ctx.slow_func));
    f.instruction(&I::End);
    f.instruction(&I::GlobalGet(ctx.gas_global));
    push(f);
    f.instruction(&I::I64Sub);
    f.instruction(&I::GlobalSet(ctx.gas_global));
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
    charge(f, ctx, Amount::Local(scratch.cost));
}
