//! The observer seam: the one place execution reports what happens, and where the trace, the
//! checkpoints and the coming gas profiler plug in (revm's `Inspector`, kept concrete).
//!
//! Execution calls one method per point of `spec/trace.md#events`, in execution order: start, token
//! read, entry, host call, state read and write, mutation, event, log, end; and
//! [`Observer::checkpoints`] when a charge crosses checkpoints (`spec/trace.md#checkpoints`). Each
//! method builds its event only when the trace records events, so the hash-only trace stays the
//! cheap default: the hottest events (host calls, reads, writes) are encoded straight into the
//! hash without being built.

use crate::observe::checkpoint::MemoryCommitment;
use crate::observe::meter::Fired;
use crate::observe::profiler::Profiler;
use crate::observe::trace::{TraceLevel, Tracer};
use crate::Transaction;
use abi::{
    Call, Checkpoint, Fault, Hash32, HostFnId, LogLevel, MutationOrigin, Operation, StateKey, StatusCode,
    TokenInfo, TraceCall, TraceEvent,
};

/// What one execution records on the way: its trace and its checkpoints.
pub(crate) struct Observer {
    tracer: Tracer,
    checkpoints: Vec<Checkpoint>,
    /// Page hashes of the last checkpoint's memory.
    memory: MemoryCommitment,
    /// The gas profiler, when profiling (`spec/profile.md`).
    profiler: Option<Box<Profiler>>,
}

/// What an [`Observer`] recorded.
pub(crate) struct Recorded {
    /// The trace hash (zero only for an untraced execution).
    pub trace_hash: Hash32,
    /// The trace's kept events.
    pub trace: Vec<TraceEvent>,
    /// The checkpoints, their commitments filled in.
    pub checkpoints: Vec<Checkpoint>,
}

impl Observer {
    /// An observer tracing at `level`, or recording no trace at all for `None` (measurement only).
    pub(crate) fn new(level: Option<TraceLevel>) -> Self {
        let tracer = level.map_or_else(Tracer::untraced, Tracer::new);
        Self { tracer, checkpoints: Vec::new(), memory: MemoryCommitment::default(), profiler: None }
    }

    /// Also profiles gas (`spec/profile.md`), for an execution with `gas_limit`.
    pub(crate) fn with_profiler(mut self, gas_limit: u64) -> Self {
        self.profiler = Some(Box::new(Profiler::new(gas_limit)));
        self
    }

    /// The profiler, when profiling.
    pub(crate) fn profiler(&mut self) -> Option<&mut Profiler> {
        self.profiler.as_deref_mut()
    }

    /// Takes the profiler out (`None` when not profiling).
    pub(crate) fn take_profiler(&mut self) -> Option<Profiler> {
        self.profiler.take().map(|p| *p)
    }

    /// The execution starts: its rules, code, call, input, context and gas limit.
    pub(crate) fn start(
        &mut self,
        rules_hash: Hash32,
        code_hash: Hash32,
        tx: &Transaction<'_>,
        input: &[u8],
    ) {
        if !self.tracer.on() {
            return;
        }
        let call = match &tx.invocation.call {
            Call::Operation { .. } => TraceCall::Operation,
            Call::Hook { hook, .. } => TraceCall::Hook { hook: *hook },
            Call::View { name, .. } => TraceCall::View { name: name.clone() },
            Call::Method { name, .. } => TraceCall::Method { name: name.clone() },
        };
        self.tracer.record(TraceEvent::Start {
            rules_hash,
            code_hash,
            token: tx.invocation.token,
            call,
            input_hash: abi::hash::content_hash(input),
            context: tx.context.clone(),
            gas_limit: tx.gas_limit,
        });
    }

    /// The token's metadata was read (`None`: the token does not exist).
    pub(crate) fn token(&mut self, info: &Option<TokenInfo>) {
        if self.tracer.on() {
            self.tracer.record(TraceEvent::Token { info: info.clone() });
        }
    }

    /// An entry point is called with `gas_left`.
    pub(crate) fn entry(&mut self, export: &str, gas_left: u64) {
        if let Some(p) = self.profiler.as_deref_mut() {
            p.entry(export, gas_left);
        }
        self.tracer.entry(export, gas_left);
    }

    /// Host function `id` returned (`results`) or halted (no results); `gas_left` before its call.
    pub(crate) fn host_call(&mut self, id: HostFnId, gas_left: u64, args: &[i64], results: &[i64]) {
        self.tracer.host_call(id as u8, gas_left, args, results);
    }

    /// A state read of `key` found `value`.
    pub(crate) fn read(&mut self, key: &StateKey, value: Option<&[u8]>) {
        self.tracer.access(false, key, value);
    }

    /// A state write sets `key` to `value`.
    pub(crate) fn write(&mut self, key: &StateKey, value: Option<&[u8]>) {
        self.tracer.access(true, key, value);
    }

    /// A mutation is requested, before it is checked.
    pub(crate) fn mutation(&mut self, origin: MutationOrigin, operation: &Operation) {
        if self.tracer.on() {
            self.tracer.record(TraceEvent::Mutation { origin, operation: operation.clone() });
        }
    }

    /// The script emitted an event.
    pub(crate) fn event(&mut self, topic: &[u8], data: &[u8]) {
        self.tracer.event(topic, data);
    }

    /// The script logged a message.
    pub(crate) fn log(&mut self, level: LogLevel, message: &[u8]) {
        self.tracer.log(level, message);
    }

    /// The execution ends with `status`.
    pub(crate) fn end(&mut self, status: StatusCode, fault: Fault, gas_used: u64, return_data: &[u8]) {
        if self.tracer.on() {
            let return_data_hash = abi::hash::content_hash(return_data);
            self.tracer.record(TraceEvent::End { status, fault, gas_used, return_data_hash });
        }
    }

    /// Records the checkpoints a charge crossed, committing to `memory` and `globals` (empty
    /// before instantiation) and to the trace so far.
    pub(crate) fn checkpoints(&mut self, fired: Fired, memory: &[u8], globals: &[u64]) {
        if !fired.any() {
            return;
        }
        let state_hash = self.memory.commit(memory, globals);
        let trace_hash = self.tracer.hash_so_far();
        self.checkpoints.extend((fired.first..fired.first + fired.count).map(|index| Checkpoint {
            index,
            gas_used: fired.gas_used,
            state_hash,
            trace_hash,
        }));
    }

    /// Ends the observation: what it recorded is taken out, and the observer records nothing more
    /// (it is left untraced).
    pub(crate) fn finish(&mut self) -> Recorded {
        let (trace_hash, trace) = std::mem::replace(&mut self.tracer, Tracer::untraced()).finish();
        Recorded { trace_hash, trace, checkpoints: std::mem::take(&mut self.checkpoints) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fired(first: u64, count: u64, gas_used: u64) -> Fired {
        Fired { first, count, gas_used }
    }

    #[test]
    fn checkpoints_commit_to_the_state_and_the_trace_so_far() {
        let mut traced = Observer::new(Some(TraceLevel::HashOnly));
        traced.entry("e", 5);
        traced.checkpoints(fired(3, 2, 40), &[], &[7]);
        traced.checkpoints(fired(9, 0, 50), &[], &[]);
        let recorded = traced.finish();
        let got: Vec<_> = recorded.checkpoints.iter().map(|c| (c.index, c.gas_used)).collect();
        assert_eq!(got, [(3, 40), (4, 40)]);
        let state_hash = abi::hash::state_commitment(&[], &[7]);
        assert!(recorded.checkpoints.iter().all(|c| c.state_hash == state_hash));
        let mut entry_only = Observer::new(Some(TraceLevel::HashOnly));
        entry_only.entry("e", 5);
        let trace_hash = entry_only.finish().trace_hash;
        assert!(recorded.checkpoints.iter().all(|c| c.trace_hash == trace_hash));
        assert_ne!(trace_hash, Hash32::ZERO);
    }

    #[test]
    fn an_untraced_observer_records_no_trace_but_still_checkpoints() {
        let mut untraced = Observer::new(None);
        untraced.entry("e", 5);
        untraced.log(LogLevel::Info, b"m");
        untraced.checkpoints(fired(1, 1, 0), &[], &[]);
        let recorded = untraced.finish();
        assert_eq!(recorded.trace_hash, Hash32::ZERO);
        assert!(recorded.trace.is_empty());
        assert_eq!(recorded.checkpoints.len(), 1);
        assert_eq!(recorded.checkpoints[0].trace_hash, Hash32::ZERO);
    }
}
