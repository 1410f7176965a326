//! A deliberately platform-dependent value, for testing only (`vm` feature `platform-canary`).
//!
//! The cross-architecture check (`.ci/cross-arch`, `spec/determinism.md#across-machines`) must fail
//! when a receipt depends on the machine; this feature makes one that does, so the check can prove
//! it would catch it. It must never be enabled in a node.

use crate::Execution;

/// Adds 1 to the gas used wherever the target is not x86-64 (aarch64 and i686 among them) and 1 more
/// where pointers are 32 bits, then reseals the receipt, as a real platform bug would.
pub(crate) fn skew(mut execution: Execution) -> Execution {
    let skew = u64::from(!cfg!(target_arch = "x86_64")) + u64::from(usize::BITS == 32);
    execution.receipt.gas_used += skew;
    execution.receipt = execution.receipt.seal();
    execution
}
