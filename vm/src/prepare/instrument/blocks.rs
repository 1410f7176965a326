//! Metered blocks: how a function body is cut into runs charged up front
//! (`spec/gas.md#metered-blocks`).

use super::InstrumentError;
use crate::GasTable;
use wasmparser::Operator;

/// One metered block: operators `start..end` of a body (indices into its operator sequence,
/// final `end` included), charged `cost` before operator `start` runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct MeteredBlock {
    /// Index of the first operator.
    pub start: usize,
    /// One past the last operator.
    pub end: usize,
    /// Sum of the static costs of its operators (saturating).
    pub cost: u64,
}

/// Whether a metered block ends after `op` (`spec/gas.md#metered-blocks`): after `loop`, `if`,
/// `else` and `end`, the only operators after which control can arrive other than by falling
/// through from the previous operator (branch targets and arm starts).
pub(crate) fn ends_block(op: &Operator) -> bool {
    matches!(op, Operator::Loop { .. } | Operator::If { .. } | Operator::Else | Operator::End)
}

/// Cuts a body's operators into metered blocks (`spec/gas.md#metered-blocks`).
///
/// # Errors
/// If an operator has no cost in `table` (it is outside the profile).
pub(crate) fn metered_blocks(
    ops: &[Operator],
    table: &GasTable,
) -> Result<Vec<MeteredBlock>, InstrumentError> {
    let mut blocks = Vec::new();
    let mut start = 0;
    let mut cost = 0u64;
    for (i, op) in ops.iter().enumerate() {
        let c = table
            .static_cost(op)
            .ok_or_else(|| InstrumentError(format!("operator {i} outside the profile: {op:?}")))?;
        cost = cost.saturating_add(c);
        if ends_block(op) || i + 1 == ops.len() {
            blocks.push(MeteredBlock { start, end: i + 1, cost });
            start = i + 1;
            cost = 0;
        }
    }
    Ok(blocks)
}
