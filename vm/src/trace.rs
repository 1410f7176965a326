//! The execution trace recorder (`spec/trace.md`).
//!
//! Every consensus-visible event is borsh-encoded into a buffer that is folded into a running blake3
//! hash (`derive_key` with `abi::hash::TRACE_CONTEXT`). At [`TraceLevel::HashOnly`] nothing else is
//! kept; at [`TraceLevel::Full`] the events are kept too. The hash is the same at both levels.

use abi::{Hash32, TraceEvent};

/// How much of the trace an execution keeps.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum TraceLevel {
    /// No trace at all: the receipt's `trace_hash` is zero. For measurement only: such receipts do
    /// not match any node's and must never be used for consensus.
    Off,
    /// Fold the events into the hash as they happen; keep none (the default for nodes).
    #[default]
    HashOnly,
    /// Keep every event as well (replay, inspection, dispute bisection).
    Full,
}

/// Bytes buffered before they are folded into the hash: large updates let blake3 use SIMD.
const FLUSH_AT: usize = 4096;

/// Records one execution's trace.
pub(crate) struct Tracer {
    level: TraceLevel,
    hasher: blake3::Hasher,
    buf: Vec<u8>,
    events: Vec<TraceEvent>,
}

impl Tracer {
    pub(crate) fn new(level: TraceLevel) -> Self {
        Self {
            level,
            hasher: blake3::Hasher::new_derive_key(abi::hash::TRACE_CONTEXT),
            buf: Vec::with_capacity(if level == TraceLevel::Off { 0 } else { FLUSH_AT + 512 }),
            events: Vec::new(),
        }
    }

    /// Whether events are recorded at all (callers skip building events when not).
    pub(crate) fn on(&self) -> bool {
        self.level != TraceLevel::Off
    }

    /// Records `event`.
    pub(crate) fn record(&mut self, event: TraceEvent) {
        if !self.on() {
            return;
        }
        // Writing to a Vec cannot fail.
        let _ = borsh::to_writer(&mut self.buf, &event);
        if self.buf.len() >= FLUSH_AT {
            self.hasher.update(&self.buf);
            self.buf.clear();
        }
        if self.level == TraceLevel::Full {
            self.events.push(event);
        }
    }

    /// The trace hash over the events so far.
    pub(crate) fn hash_so_far(&self) -> Hash32 {
        if !self.on() {
            return Hash32::ZERO;
        }
        let mut h = self.hasher.clone();
        h.update(&self.buf);
        Hash32(*h.finalize().as_bytes())
    }

    /// The trace hash and, at [`TraceLevel::Full`], the events.
    pub(crate) fn finish(self) -> (Hash32, Vec<TraceEvent>) {
        (self.hash_so_far(), self.events)
    }
}
