//! Sealing an execution into its receipt (`spec/abi.md#receipt`, `spec/abi.md#faults`).

use super::Execution;
use crate::host::HostState;
use abi::{Fault, Hash32, Receipt, StatusCode};

/// The execution `host` ended with `status`: the `End` event, then the receipt (what a failed
/// status keeps and drops), the checkpoints, the witness (its entries only with `witness`: see
/// [`crate::state::overlay::Overlay::finish`]) and the trace.
pub(super) fn seal(host: HostState<'_>, status: StatusCode, rules_hash: Hash32, witness: bool) -> Execution {
    let HostState { overlay, mut observer, meter, events, logs, return_data, revert_reason, fault, .. } =
        host;
    let success = status.is_success();
    let gas_used = meter.gas_used();
    let (diff, witness) = overlay.finish(success, witness);
    let return_data = if success { return_data } else { Vec::new() };
    // spec/abi.md#faults: only these statuses carry a fault.
    let fault = match status {
        StatusCode::Trap
        | StatusCode::LimitExceeded
        | StatusCode::StackOverflow
        | StatusCode::InvalidArgument => fault,
        _ => Fault::None,
    };
    observer.end(status, fault, gas_used, &return_data);
    let recorded = observer.finish();
    let receipt = Receipt {
        status,
        fault,
        gas_used,
        return_data,
        revert_reason: if status == StatusCode::Reverted { revert_reason } else { Vec::new() },
        events: if success { events } else { Vec::new() },
        logs,
        diff,
        diff_hash: Hash32::ZERO,
        trace_hash: recorded.trace_hash,
        rules_hash,
        receipt_hash: Hash32::ZERO,
    }
    .seal();
    Execution { receipt, checkpoints: recorded.checkpoints, witness, trace: recorded.trace }
}
