//! Rewriting one function body: stack check at entry, the gas local loaded at entry and after
//! calls, a gas charge on it at the start of every metered block (written back to the gas global in
//! synced blocks), run-time charges for bulk memory, `memory.grow` made constant, the stack
//! global restored after calls, and the value of a wide-offset store spilled through a scratch local
//! (`spec/gas.md#instrumentation`).

use super::blocks::metered_blocks;
use super::remap::{reencode_err, Remap};
use super::sync;
use super::{InstrumentError, STACK_OVERFLOW_SENTINEL};
use crate::{FuncInfo, GasTable};
use wasm_encoder::reencode::Reencode;
use wasm_encoder::{Encode, ValType};
use wasmparser::{FunctionBody, Operator};

/// A function body being written: the binary encoding of the few operators the instrumenter
/// injects, written straight into one buffer (the input's own operators are copied as bytes).
struct Out(Vec<u8>);

/// An injected instruction with one immediate: a local, global or function index, or a constant.
/// Encoded once (per body for the indices the charge sequence repeats, per charge for its amount)
/// and copied as a fixed-size array, with no length-dependent copy.
#[derive(Clone, Copy)]
struct Insn {
    /// The opcode and the immediate's LEB128, `len` bytes of them.
    bytes: [u8; 11],
    len: u8,
}

impl Insn {
    /// `opcode` followed by `leb`, an immediate as `leb128fmt` encodes it (bytes, length).
    fn with<const N: usize>(opcode: u8, (leb, len): ([u8; N], usize)) -> Self {
        let mut bytes = [opcode, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
        // The whole array (a fixed-size copy); the bytes past `len` are never written out.
        bytes[1..=N].copy_from_slice(&leb);
        Self { bytes, len: len as u8 + 1 }
    }
    /// `opcode` with an unsigned LEB128 immediate.
    fn new(opcode: u8, immediate: u32) -> Self {
        Self::with(opcode, leb128fmt::encode_u32(immediate).expect("a u32 fits in 32 bits"))
    }
    /// `i32.const value` (signed LEB128).
    fn i32_const(value: i32) -> Self {
        Self::with(I32_CONST, leb128fmt::encode_s32(value).expect("an i32 fits in 32 bits"))
    }
    /// `i64.const value` (signed LEB128).
    fn i64_const(value: i64) -> Self {
        Self::with(I64_CONST, leb128fmt::encode_s64(value).expect("an i64 fits in 64 bits"))
    }
    #[cfg(test)]
    fn bytes(&self) -> &[u8] {
        &self.bytes[..usize::from(self.len)]
    }
}

impl Out {
    fn insn(&mut self, insn: Insn) {
        // The whole array, then the unused tail cut: a fixed-size copy the compiler inlines.
        let end = self.0.len() + usize::from(insn.len);
        self.0.extend_from_slice(&insn.bytes);
        self.0.truncate(end);
    }
    fn op(&mut self, opcode: u8) {
        self.0.push(opcode);
    }
    fn op_u32(&mut self, opcode: u8, immediate: u32) {
        self.insn(Insn::new(opcode, immediate));
    }
    fn local_get(&mut self, l: u32) {
        self.op_u32(LOCAL_GET, l);
    }
    fn local_set(&mut self, l: u32) {
        self.op_u32(LOCAL_SET, l);
    }
    fn local_tee(&mut self, l: u32) {
        self.op_u32(LOCAL_TEE, l);
    }
    fn global_get(&mut self, g: u32) {
        self.op_u32(GLOBAL_GET, g);
    }
    fn global_set(&mut self, g: u32) {
        self.op_u32(GLOBAL_SET, g);
    }
    fn call(&mut self, f: u32) {
        self.op_u32(CALL, f);
    }
    fn i32_const(&mut self, v: i32) {
        self.insn(Insn::i32_const(v));
    }
    fn i64_const(&mut self, v: i64) {
        self.insn(Insn::i64_const(v));
    }
    /// `if` with the empty block type.
    fn if_empty(&mut self) {
        self.0.extend([0x04, 0x40]);
    }
    fn raw(&mut self, bytes: &[u8]) {
        self.0.extend_from_slice(bytes);
    }
}

const UNREACHABLE: u8 = 0x00;
const CALL: u8 = 0x10;
const LOCAL_GET: u8 = 0x20;
const LOCAL_SET: u8 = 0x21;
const LOCAL_TEE: u8 = 0x22;
const GLOBAL_GET: u8 = 0x23;
const GLOBAL_SET: u8 = 0x24;
const I32_CONST: u8 = 0x41;
const I64_CONST: u8 = 0x42;
const END: u8 = 0x0b;
const DROP: u8 = 0x1a;
const I32_GT_U: u8 = 0x4b;
const I64_LT_U: u8 = 0x54;
const I32_ADD: u8 = 0x6a;
const I64_SUB: u8 = 0x7d;
const I64_MUL: u8 = 0x7e;
const I64_EXTEND_I32_U: u8 = 0xad;

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
    /// The profiling variant's hooks (`spec/profile.md#hooks`); `None` for consensus.
    pub hooks: Option<ProfileHooks>,
    /// The reference placement (tests only, `super::instrument_reference`): the previous
    /// injected code, every synced block of cost 0 written back, the stack global written at
    /// every entry.
    pub reference: bool,
}

/// Function indices of the profiling hooks in the rewritten module.
#[derive(Clone, Copy)]
pub(super) struct ProfileHooks {
    /// `__profile_enter(func_index) -> depth`.
    pub enter: u32,
    /// `__profile_resume(depth)`.
    pub resume: u32,
}

/// Indices of the scratch locals appended to every function (`spec/gas.md#scratch-locals`).
struct Scratch {
    /// `i32`: this activation's stack-units level (`sp` after its own frame).
    base: u32,
    /// `i32`: the length operand of a bulk memory operator.
    len: u32,
    /// `i64`: the run-time gas of a bulk memory operator.
    cost: u32,
    /// `i64`: `$g`, the function's working copy of the gas global (`spec/gas.md#gas-local`).
    gas: u32,
}

/// Buffers one module's bodies are rewritten in, kept from body to body so that rewriting does
/// not allocate per body.
#[derive(Default)]
pub(super) struct Buffers<'a> {
    /// The body's operators.
    ops: Vec<Operator<'a>>,
    /// The byte offset of each operator in the body's code, and one past the last.
    offsets: Vec<usize>,
    /// The rewritten body.
    out: Vec<u8>,
}

/// The injected instructions a body repeats at every metered block and call, encoded once.
struct Injected {
    get_g: Insn,
    set_g: Insn,
    tee_g: Insn,
    get_gas: Insn,
    set_gas: Insn,
    call_slow: Insn,
}

/// Rewrites one body into `buffers`, returning its encoding. `params` is the function's parameter
/// count, `func` what validation found of it (its frame units and result count), `index` its
/// function index in the input (reported by the profiling hooks only).
pub(super) fn rewrite_body<'a, 'b>(
    remap: &mut Remap,
    ctx: &BodyCtx,
    body: &FunctionBody<'a>,
    params: u32,
    func: &FuncInfo,
    index: u32,
    buffers: &'b mut Buffers<'a>,
) -> Result<&'b [u8], InstrumentError> {
    let overflow = || InstrumentError("too many locals".into());
    let mut locals = Vec::new();
    let mut count = params;
    for decl in body.get_locals_reader()? {
        let (n, ty) = decl?;
        count = count.checked_add(n).ok_or_else(overflow)?;
        locals.push((n, remap.val_type(ty).map_err(reencode_err)?));
    }
    // Each operator with its encoded bytes: operators that need no rewriting are copied verbatim.
    let mut reader = body.get_operators_reader()?;
    let mut bytes = reader.get_binary_reader();
    let body_start = bytes.original_position();
    let code = bytes.read_bytes(bytes.bytes_remaining())?;
    let offset = |r: &wasmparser::OperatorsReader| (r.original_position() - body_start) as usize;
    let Buffers { ops, offsets, out } = buffers;
    ops.clear();
    offsets.clear();
    while !reader.eof() {
        offsets.push(offset(&reader));
        ops.push(reader.read()?);
    }
    offsets.push(offset(&reader));
    reader.finish()?;
    let mut blocks = metered_blocks(ops, ctx.table)?;
    // spec/gas.md#cost-table: the first metered block also pays for zeroing the declared locals.
    if let Some(first) = blocks.first_mut() {
        first.cost = first.cost.saturating_add(ctx.table.entry_locals(count - params));
    }
    let plan = if ctx.reference {
        sync::plan_reference(ops, &blocks)
    } else {
        sync::plan(ops, &blocks, func.results)?
    };
    let has_calls = ctx.reference
        || ops.iter().any(|op| matches!(op, Operator::Call { .. } | Operator::CallIndirect { .. }));

    // spec/gas.md#scratch-locals: all four in every body, used or not (their number counts
    // towards the engine's limits on locals and frame size, so it is consensus-visible).
    let scratch = Scratch {
        base: count,
        len: count.checked_add(1).ok_or_else(overflow)?,
        cost: count.checked_add(2).ok_or_else(overflow)?,
        gas: count.checked_add(3).ok_or_else(overflow)?,
    };
    locals.extend([(2, ValType::I32), (2, ValType::I64)]);
    // spec/profile.md#hooks: one more i32 local, the activation's profile depth, after the others
    // (locals are not charged by what the instrumenter adds: `entry_locals` counts the input's).
    let depth = count.checked_add(4).ok_or_else(overflow)?;
    if ctx.hooks.is_some() {
        locals.push((1, ValType::I32));
    }
    let inj = Injected {
        get_g: Insn::new(LOCAL_GET, scratch.gas),
        set_g: Insn::new(LOCAL_SET, scratch.gas),
        tee_g: Insn::new(LOCAL_TEE, scratch.gas),
        get_gas: Insn::new(GLOBAL_GET, ctx.gas_global),
        set_gas: Insn::new(GLOBAL_SET, ctx.gas_global),
        call_slow: Insn::new(CALL, ctx.slow_func),
    };

    // The input body and about 28 bytes per charged block, so the buffer rarely grows.
    out.clear();
    out.reserve(code.len() + 28 * blocks.len() + 64);
    let mut f = Out(std::mem::take(out));
    (locals.len() as u32).encode(&mut f.0);
    for (n, ty) in &locals {
        n.encode(&mut f.0);
        ty.encode(&mut f.0);
    }
    let f = &mut f;

    // spec/profile.md#hooks: the entry hook runs before anything else, the gas global current.
    if let Some(hooks) = ctx.hooks {
        f.i32_const(index as i32);
        f.call(hooks.enter);
        f.local_set(depth);
    }
    stack_entry(f, ctx, &scratch, func.frame_units(), has_calls);
    // spec/gas.md#gas-local: the working copy starts from the global.
    f.insn(inj.get_gas);
    f.insn(inj.set_g);
    // The input's bytes are copied in runs: `copied` is where the run not yet copied starts, and
    // everything before an injection point is copied first.
    let mut copied = 0;
    let mut next_block = blocks.iter().zip(plan.synced.iter().zip(&plan.write_back)).peekable();
    for (i, op) in ops.iter().enumerate() {
        let (at, after) = (offsets[i], offsets[i + 1]);
        if let Some((b, (&sync, &back))) = next_block.next_if(|(b, _)| b.start == i) {
            if b.cost > 0 || back {
                f.raw(&code[copied..at]);
                copied = at;
            }
            if b.cost > 0 {
                charge(f, &inj, Amount::Static(b.cost), sync);
            } else if back {
                write_back(f, &inj);
            }
        }
        match op {
            // spec/gas.md#fixed-memory
            Operator::MemoryGrow { .. } => {
                f.raw(&code[copied..at]);
                copied = after;
                f.op(DROP);
                f.i32_const(-1);
            }
            // spec/gas.md#dynamic-costs
            Operator::MemoryCopy { .. } | Operator::MemoryFill { .. } => {
                let per_byte = if matches!(op, Operator::MemoryCopy { .. }) {
                    ctx.table.memory_copy_per_byte
                } else {
                    ctx.table.memory_fill_per_byte
                };
                if per_byte > 0 {
                    f.raw(&code[copied..at]);
                    copied = at;
                    dynamic_charge(f, &inj, &scratch, per_byte);
                }
            }
            // spec/gas.md#stack-limit: the callee's frames are released on return;
            // spec/gas.md#gas-local: the callee or the host may have charged gas.
            Operator::Call { .. } | Operator::CallIndirect { .. } => {
                if let Operator::Call { function_index } = op {
                    f.raw(&code[copied..at]);
                    f.call(remap.function_index(*function_index).map_err(reencode_err)?);
                } else {
                    f.raw(&code[copied..after]);
                }
                copied = after;
                f.local_get(scratch.base);
                f.global_set(ctx.sp_global);
                f.insn(inj.get_gas);
                f.insn(inj.set_g);
                if let Some(hooks) = ctx.hooks {
                    f.local_get(depth);
                    f.call(hooks.resume);
                }
            }
            // Every other operator of the profile holds no function index: copied as it is, after
            // spec/gas.md#wide-offset-stores.
            _ => {
                if let Some(ty) = wide_store(op) {
                    f.raw(&code[copied..at]);
                    copied = at;
                    let spill = if ty == ValType::I64 { scratch.cost } else { scratch.len };
                    f.local_set(spill);
                    f.local_get(spill);
                }
            }
        }
    }
    f.raw(&code[copied..]);
    *out = std::mem::take(&mut f.0);
    Ok(out)
}

/// The value type of an integer store whose offset needs more than 16 bits, `None` for any other
/// operator (`spec/gas.md#wide-offset-stores`).
///
/// wasmi 2.0.0 keeps one value in a register and has no encoding for a store with a wide offset
/// whose address and value are both that register: its translator reaches `unreachable!()` in
/// `choose_store_op_vt` (the `(Reg, Reg)` arm) when both operands are one register-linked local
/// (`local.tee X` or `local.set X` of a computed value, then `local.get X` twice, possibly through
/// a forwarding operator such as `i64.extend_i32_u` or `i32.add` of 0). Spilling the value through
/// a scratch local moves the register link to that local, which no address operand can be.
fn wide_store(op: &Operator) -> Option<ValType> {
    use Operator as O;
    let (memarg, ty) = match op {
        O::I32Store { memarg } | O::I32Store8 { memarg } | O::I32Store16 { memarg } => (memarg, ValType::I32),
        O::I64Store { memarg }
        | O::I64Store8 { memarg }
        | O::I64Store16 { memarg }
        | O::I64Store32 { memarg } => (memarg, ValType::I64),
        _ => return None,
    };
    (memarg.offset > u64::from(u16::MAX)).then_some(ty)
}

/// The stack check at function entry (`spec/gas.md#stack-limit`): traps with the sentinel in the
/// stack global iff `sp + frame_units > max_stack_units` (unsigned, without overflow); otherwise,
/// in a body with calls, `sp += frame_units` and the new level is kept in the `base` scratch local
/// (restored after each call). A body without calls only checks: no callee can see `sp`, and its
/// caller restores its own level after the call.
fn stack_entry(f: &mut Out, ctx: &BodyCtx, scratch: &Scratch, frame_units: u32, has_calls: bool) {
    let trap = |f: &mut Out| {
        f.i32_const(STACK_OVERFLOW_SENTINEL);
        f.global_set(ctx.sp_global);
        f.op(UNREACHABLE);
    };
    let Some(headroom) = ctx.max_stack_units.checked_sub(frame_units) else {
        // A frame larger than the whole limit: every activation overflows.
        trap(f);
        return;
    };
    // `sp > max - frame` is `sp + frame > max` computed without wrapping; `sp` is read once.
    f.global_get(ctx.sp_global);
    if has_calls {
        f.local_tee(scratch.base);
    }
    f.i32_const(headroom as i32);
    f.op(I32_GT_U);
    f.if_empty();
    trap(f);
    f.op(END);
    if has_calls {
        f.local_get(scratch.base);
        f.i32_const(frame_units as i32);
        f.op(I32_ADD);
        f.local_tee(scratch.base);
        f.global_set(ctx.sp_global);
    }
}

/// A charge: a constant, or the value of the `cost` scratch local.
#[derive(Clone, Copy)]
enum Amount {
    Static(u64),
    Local(u32),
}

/// `global.set $gas` from the gas local (`spec/gas.md#synced-blocks`).
fn write_back(f: &mut Out, inj: &Injected) {
    f.insn(inj.get_g);
    f.insn(inj.set_gas);
}

/// The charge sequence (`spec/gas.md#charge-sequence`), on the gas local; `sync` also writes the
/// result to the gas global.
fn charge(f: &mut Out, inj: &Injected, amount: Amount, sync: bool) {
    // The u64 amount travels as the i64 with the same bits; the comparison is unsigned. It is
    // encoded once and copied three times.
    let push = match amount {
        Amount::Static(c) => Insn::i64_const(c as i64),
        Amount::Local(l) => Insn::new(LOCAL_GET, l),
    };
    // Thirteen instructions, each written as its whole array before the tail is cut.
    f.0.reserve(13 * size_of::<Insn>());
    f.insn(inj.get_g);
    f.insn(push);
    f.op(I64_LT_U);
    f.if_empty();
    f.insn(inj.get_g);
    f.insn(push);
    f.insn(inj.call_slow);
    f.insn(inj.set_g);
    f.op(END);
    f.insn(inj.get_g);
    f.insn(push);
    f.op(I64_SUB);
    if sync {
        f.insn(inj.tee_g);
        f.insn(inj.set_gas);
    } else {
        f.insn(inj.set_g);
    }
}

/// The run-time charge before `memory.copy`/`memory.fill` (`spec/gas.md#dynamic-costs`):
/// `per_byte * len`, `len` the unsigned `i32` on top of the stack, left in place.
fn dynamic_charge(f: &mut Out, inj: &Injected, scratch: &Scratch, per_byte: u64) {
    f.local_tee(scratch.len);
    f.op(I64_EXTEND_I32_U);
    // per_byte < 2^32 (checked by `module::rewrite`), so the product cannot wrap.
    f.i64_const(per_byte as i64);
    f.op(I64_MUL);
    f.local_set(scratch.cost);
    f.local_get(scratch.len);
    charge(f, inj, Amount::Local(scratch.cost), true);
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An [`Insn`] is the opcode and wasm-encoder's LEB128 of its immediate, at every length.
    #[test]
    fn insn_encodes_as_wasm_encoder_does() {
        let mut values = vec![0, 1, 63, 64, 127, 128, 255, 300, 16_383, 16_384, 2_097_151, 2_097_152];
        values.extend([268_435_455, 268_435_456, u32::MAX - 1, u32::MAX]);
        for v in values {
            let mut expected = vec![LOCAL_TEE];
            v.encode(&mut expected);
            assert_eq!(Insn::new(LOCAL_TEE, v).bytes(), &expected[..], "{v}");
        }
    }

    /// An `i64.const` (and, where the value fits, an `i32.const`) [`Insn`] is the opcode and
    /// wasm-encoder's signed LEB128 of its value, at the boundaries of every length, both signs,
    /// and 20,000 more values of every size.
    #[test]
    fn i64_const_encodes_as_wasm_encoder_does() {
        let mut values = vec![0, 1, -1, 63, 64, -64, -65, 127, 128, -128, -129, i64::MAX, i64::MIN];
        for bits in (7..63).step_by(7) {
            let edge = 1i64 << (bits - 1);
            values.extend([edge - 1, edge, -edge, -edge - 1]);
        }
        let mut x = 0x9E37_79B9_7F4A_7C15u64;
        for i in 0..10_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            values.push((x >> (i % 64)) as i64);
            values.push(((x >> (i % 64)) as i64).wrapping_neg());
        }
        for v in values {
            let mut expected = vec![0x42];
            v.encode(&mut expected);
            assert_eq!(Insn::i64_const(v).bytes(), &expected[..], "{v}");
            // The same values as an `i32.const`, where they fit.
            if let Ok(v) = i32::try_from(v) {
                let mut expected = vec![0x41];
                v.encode(&mut expected);
                assert_eq!(Insn::i32_const(v).bytes(), &expected[..], "{v}");
            }
        }
    }
}
