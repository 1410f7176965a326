//! Where the gas local meets the gas global (`spec/gas.md#synced-blocks`, `#write-backs`): which
//! metered blocks are synced, and which synced blocks of cost 0 need their write-back, found by a
//! forward pass over the body that tracks whether the global already holds the local's value.

use super::blocks::MeteredBlock;
use super::InstrumentError;
use wasmparser::Operator;

/// What the body rewriter injects at each metered block, beyond the charge itself.
pub(super) struct SyncPlan {
    /// Per block: its charge also writes the gas global (`spec/gas.md#synced-blocks`).
    pub synced: Vec<bool>,
    /// Per block: a synced block of cost 0 that must write the local back to the global, because
    /// on some path into it the global may be stale (`spec/gas.md#write-backs`).
    pub write_back: Vec<bool>,
}

/// Plans the synced blocks and write-backs of one body (`spec/gas.md#write-backs`); `results` is
/// the function's result count.
///
/// # Errors
/// If a `br_table` cannot be read.
pub(super) fn plan(
    ops: &[Operator],
    blocks: &[MeteredBlock],
    results: u32,
) -> Result<SyncPlan, InstrumentError> {
    let mut synced = synced_blocks(ops, blocks);
    let mut states = entry_states(ops, blocks, &synced)?;
    // Only the last block's write-back may go, and only with at most one result on the stack:
    // then `local.get $g` there is no higher than the stack check, and the engine's frame (a
    // consensus-visible limit) keeps its size.
    let optional = |index: usize| index + 1 == blocks.len() && results <= 1;
    // spec/gas.md#write-backs: promoting the tail blocks of a body whose final `end` is charged
    // nothing, when that removes the final write-back (each runs at most once per activation).
    if let (Some(last), Some(state)) = (blocks.last(), states.last()) {
        if last.cost == 0 && *state == Gs::Dirty && optional(blocks.len() - 1) {
            let mut promoted = synced.clone();
            let mut any = false;
            for b in tail_blocks(ops, blocks, &synced) {
                promoted[b] = true;
                any = true;
            }
            if any {
                let again = entry_states(ops, blocks, &promoted)?;
                if again.last() != Some(&Gs::Dirty) {
                    synced = promoted;
                    states = again;
                }
            }
        }
    }
    let write_back = blocks
        .iter()
        .zip(&synced)
        .zip(&states)
        .enumerate()
        .map(|(index, ((b, sync), state))| b.cost == 0 && *sync && (*state == Gs::Dirty || !optional(index)))
        .collect();
    Ok(SyncPlan { synced, write_back })
}

/// The reference plan (`super::instrument_reference`): synced blocks without promotion, and a
/// write-back at every synced block of cost 0.
pub(super) fn plan_reference(ops: &[Operator], blocks: &[MeteredBlock]) -> SyncPlan {
    let synced = synced_blocks(ops, blocks);
    let write_back = blocks.iter().zip(&synced).map(|(b, sync)| b.cost == 0 && *sync).collect();
    SyncPlan { synced, write_back }
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
        op if crate::rules::gas::is_alu(op) => true,
        _ => false,
    }
}

/// For each metered block, whether it is **synced** (`spec/gas.md#synced-blocks`): it contains an
/// operator that is not [`quiet`] (one that may trap, call, or leave the function), or the body's
/// final `end`.
fn synced_blocks(ops: &[Operator], blocks: &[MeteredBlock]) -> Vec<bool> {
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
    synced
}

/// Whether the gas global holds the gas local's value at a point, on every path that reaches it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Gs {
    /// No path reaches the point (dead code).
    Unreachable,
    /// On every path, the global equals the local.
    Clean,
    /// On some path, the local may have been charged since the global was last written.
    Dirty,
}

fn join(a: Gs, b: Gs) -> Gs {
    match (a, b) {
        (Gs::Unreachable, x) | (x, Gs::Unreachable) => x,
        (Gs::Clean, Gs::Clean) => Gs::Clean,
        _ => Gs::Dirty,
    }
}

/// An open `block`, `loop` or `if` during [`entry_states`].
struct Frame {
    is_loop: bool,
    is_if: bool,
    /// The state after the `if` (where its else arm, or the path around a missing one, starts).
    at_if: Gs,
    /// The join of the states of every branch to this label and of an `else` arm's predecessor.
    end: Gs,
    has_else: bool,
}

/// The state at the start of each metered block, before its charge (`spec/gas.md#write-backs`).
///
/// The gas local is loaded from the global at entry and after every call (clean); a charge of a
/// synced block writes the global (clean), any other charge leaves it stale (dirty); a synced
/// block of cost 0 is clean after its write-back. Branches join their state into the target's
/// label; a loop header counts as dirty (its back edges are not followed), which is conservative.
fn entry_states(
    ops: &[Operator],
    blocks: &[MeteredBlock],
    synced: &[bool],
) -> Result<Vec<Gs>, InstrumentError> {
    let mut states = Vec::with_capacity(blocks.len());
    let mut frames: Vec<Frame> = Vec::new();
    let mut state = Gs::Clean;
    let mut next = blocks.iter().zip(synced).peekable();
    let branch = |frames: &mut Vec<Frame>, depth: u32, state: Gs| {
        // A branch to the function's own label leaves it: nothing to join.
        let Some(at) = frames.len().checked_sub(1 + depth as usize) else { return };
        let f = &mut frames[at];
        if !f.is_loop {
            f.end = join(f.end, state);
        }
    };
    for (i, op) in ops.iter().enumerate() {
        if let Some((b, sync)) = next.next_if(|(b, _)| b.start == i) {
            states.push(state);
            if state != Gs::Unreachable && (b.cost > 0 || *sync) {
                state = if *sync { Gs::Clean } else { Gs::Dirty };
            }
        }
        match op {
            Operator::Block { .. } | Operator::Loop { .. } | Operator::If { .. } => {
                let is_loop = matches!(op, Operator::Loop { .. });
                let is_if = matches!(op, Operator::If { .. });
                frames.push(Frame { is_loop, is_if, at_if: state, end: Gs::Unreachable, has_else: false });
                if is_loop && state != Gs::Unreachable {
                    state = Gs::Dirty;
                }
            }
            Operator::Else => {
                if let Some(f) = frames.last_mut() {
                    f.end = join(f.end, state);
                    f.has_else = true;
                    state = f.at_if;
                }
            }
            Operator::End => {
                if let Some(f) = frames.pop() {
                    if !f.is_loop {
                        state = join(state, f.end);
                    }
                    if f.is_if && !f.has_else {
                        state = join(state, f.at_if);
                    }
                }
            }
            Operator::Br { relative_depth } => {
                branch(&mut frames, *relative_depth, state);
                state = Gs::Unreachable;
            }
            Operator::BrIf { relative_depth } => branch(&mut frames, *relative_depth, state),
            Operator::BrTable { targets } => {
                for depth in targets.targets() {
                    branch(&mut frames, depth?, state);
                }
                branch(&mut frames, targets.default(), state);
                state = Gs::Unreachable;
            }
            Operator::Return | Operator::Unreachable => state = Gs::Unreachable,
            // The local is reloaded from the global after every call (spec/gas.md#gas-local).
            Operator::Call { .. } | Operator::CallIndirect { .. } if state != Gs::Unreachable => {
                state = Gs::Clean;
            }
            _ => {}
        }
    }
    Ok(states)
}

/// The index from which every operator of the body is an `end`.
fn tail_start(ops: &[Operator]) -> usize {
    ops.len() - ops.iter().rev().take_while(|op| matches!(op, Operator::End)).count()
}

/// For each operator, the matching `end` of an `else` (`None` for any other operator), and the
/// number of `loop`s enclosing each operator.
fn structure(ops: &[Operator]) -> (Vec<Option<usize>>, Vec<usize>) {
    let mut loop_depth = Vec::with_capacity(ops.len());
    let mut else_end = vec![None; ops.len()];
    let mut open: Vec<(bool, Option<usize>)> = Vec::new();
    let mut loops = 0usize;
    for (i, op) in ops.iter().enumerate() {
        loop_depth.push(loops);
        match op {
            Operator::Block { .. } | Operator::If { .. } => open.push((false, None)),
            Operator::Loop { .. } => {
                open.push((true, None));
                loops += 1;
            }
            Operator::Else => {
                if let Some(top) = open.last_mut() {
                    top.1 = Some(i);
                }
            }
            Operator::End => {
                if let Some((is_loop, else_at)) = open.pop() {
                    loops -= usize::from(is_loop);
                    if let Some(e) = else_at {
                        else_end[e] = Some(i);
                    }
                }
            }
            _ => {}
        }
    }
    (else_end, loop_depth)
}

/// The **tail blocks** of a body (`spec/gas.md#write-backs`): charged, not synced, outside every
/// loop, and ending in an `end` or an `else` after which (after the `if`'s `end`, for an `else`)
/// only `end` operators remain.
fn tail_blocks(ops: &[Operator], blocks: &[MeteredBlock], synced: &[bool]) -> Vec<usize> {
    let tail = tail_start(ops);
    let (else_end, loop_depth) = structure(ops);
    let mut out = Vec::new();
    for (index, (b, sync)) in blocks.iter().zip(synced).enumerate() {
        if *sync || b.cost == 0 || loop_depth[b.start] != 0 {
            continue;
        }
        let last = b.end - 1;
        let exit = match ops[last] {
            Operator::End => last + 1,
            Operator::Else => match else_end[last] {
                Some(e) => e + 1,
                None => continue,
            },
            _ => continue,
        };
        if exit >= tail {
            out.push(index);
        }
    }
    out
}
