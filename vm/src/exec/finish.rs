//! Sealing an execution into its receipt (`spec/abi.md#receipt`, `spec/abi.md#faults`).

use super::pipeline::Outcome;
use super::Execution;
use crate::host::{Halt, HostState};
use crate::observe::profiler::Profiler;
use abi::{Fault, Hash32, Receipt, StatusCode};
use std::mem::take;

/// How an execution is sealed once its steps have ended.
pub(super) struct Seal<'p> {
    /// The rules hash every receipt carries.
    pub rules_hash: Hash32,
    /// Whether the witness's entries are gathered (see [`crate::state::overlay::Overlay::finish`]).
    pub witness: bool,
    /// Where the observer's profiler, if it has one, is left.
    pub profiler: &'p mut Option<Profiler>,
}

impl Seal<'_> {
    /// The execution `host` ended with `outcome`, sealed; a failure of the host is an `Err`, with
    /// no receipt. What the execution recorded is taken out of `host`, which is left spent: a
    /// kept instance's store holds it until the next execution replaces it whole.
    pub(super) fn seal(self, host: &mut HostState<'_>, outcome: Outcome) -> crate::Result<Execution> {
        let status = match outcome {
            Ok(()) => StatusCode::Success,
            Err(Halt::Status(status)) => status,
            Err(Halt::Failure(e)) => return Err(e),
        };
        *self.profiler = host.observer.take_profiler();
        Ok(seal(host, status, self.rules_hash, self.witness))
    }
}

/// The execution `host` ended with `status`: the `End` event, then the receipt (what a failed
/// status keeps and drops), the checkpoints, the witness (its entries only with `witness`: see
/// [`crate::state::overlay::Overlay::finish`]) and the trace.
fn seal(host: &mut HostState<'_>, status: StatusCode, rules_hash: Hash32, witness: bool) -> Execution {
    let success = status.is_success();
    let gas_used = host.meter.gas_used();
    let (diff, witness) = host.overlay.finish(success, witness);
    let return_data = if success { take(&mut host.return_data) } else { Vec::new() };
    // spec/abi.md#faults: only these statuses carry a fault.
    let fault = match status {
        StatusCode::Trap
        | StatusCode::LimitExceeded
        | StatusCode::StackOverflow
        | StatusCode::InvalidArgument => host.fault,
        _ => Fault::None,
    };
    host.observer.end(status, fault, gas_used, &return_data);
    let recorded = host.observer.finish();
    let events = take(&mut host.events);
    let receipt = Receipt {
        status,
        fault,
        gas_used,
        return_data,
        revert_reason: if status == StatusCode::Reverted {
            take(&mut host.revert_reason)
        } else {
            Vec::new()
        },
        events: if success { events } else { Vec::new() },
        logs: take(&mut host.logs),
        diff,
        diff_hash: Hash32::ZERO,
        trace_hash: recorded.trace_hash,
        rules_hash,
        receipt_hash: Hash32::ZERO,
    }
    .seal();
    Execution { receipt, checkpoints: recorded.checkpoints, witness, trace: recorded.trace }
}
