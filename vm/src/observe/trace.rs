//! The execution trace recorder (`spec/trace.md`).
//!
//! Every consensus-visible event is borsh-encoded into a buffer that is folded into a running blake3
//! hash (`derive_key` with `abi::hash::TRACE_CONTEXT`). At [`TraceLevel::HashOnly`] nothing else is
//! kept; at [`TraceLevel::Full`] the events are kept too. The hash is the same at both levels.
//!
//! A tracer that records nothing ([`Tracer::untraced`], trace hash zero) exists for measurement
//! only and is not a [`TraceLevel`]: its receipts match no node's, so no option of an ordinary
//! execution can ask for it (`Vm::execute_untraced_for_measurement`).

use abi::trace::compact;
use abi::{Hash32, LogLevel, StateKey, TraceBytes, TraceEvent, TraceKey, TRACE_INLINE_MAX};

/// How much of the trace an execution keeps.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum TraceLevel {
    /// Fold the events into the hash as they happen; keep none (the default for nodes).
    #[default]
    HashOnly,
    /// Keep every event as well (replay, inspection, dispute bisection).
    Full,
    /// Keep the first `events` events and hash them all: a bounded full trace, for showing one
    /// (`tsvm run --trace full`). A kept trace that does not end with `End` was cut.
    Prefix {
        /// How many events to keep.
        events: u32,
    },
}

/// Bytes buffered before they are folded into the hash: large updates let blake3 use SIMD.
const FLUSH_AT: usize = 4096;

/// Values (arguments and results together) of a hash-only `HostCall` event encoded in a stack
/// buffer: more than any host function has (four parameters and one result at most).
const STACK_VALUES: usize = 8;

/// The longest such event: tag, function, then the gas, two counts and the values in LEB128.
const STACK_EVENT: usize = 2 + compact::MAX_LEN * (3 + STACK_VALUES);

/// Records one execution's trace.
pub(crate) struct Tracer {
    /// False only for [`Tracer::untraced`].
    on: bool,
    level: TraceLevel,
    /// The hash of the bytes flushed so far; none until the first flush (a transfer's trace never
    /// reaches one). Boxed: a `blake3::Hasher` is about 1.9 KB, and the tracer moves with its
    /// host into and out of the store on every execution.
    hasher: Option<Box<blake3::Hasher>>,
    buf: Vec<u8>,
    events: Vec<TraceEvent>,
}

impl Tracer {
    pub(crate) fn new(level: TraceLevel) -> Self {
        Self { on: true, level, hasher: None, buf: spare_buffer(), events: Vec::new() }
    }

    /// A tracer that records nothing: the trace hash is zero. For measurement only.
    pub(crate) fn untraced() -> Self {
        Self { on: false, level: TraceLevel::HashOnly, hasher: None, buf: Vec::new(), events: Vec::new() }
    }

    /// Whether events are recorded at all (callers skip building events when not).
    #[inline]
    pub(crate) fn on(&self) -> bool {
        self.on
    }

    /// Records `event`.
    pub(crate) fn record(&mut self, event: TraceEvent) {
        if !self.on {
            return;
        }
        // Writing to a Vec cannot fail.
        let _ = borsh::to_writer(&mut self.buf, &event);
        self.maybe_flush();
        if self.keeping() {
            self.events.push(event);
        }
    }

    /// Whether the next event is kept (not only hashed).
    fn keeping(&self) -> bool {
        match self.level {
            TraceLevel::Full => true,
            TraceLevel::Prefix { events } => self.events.len() < events as usize,
            TraceLevel::HashOnly => false,
        }
    }

    /// Records a `HostCall` event (`spec/trace.md#events`). At the hash-only level it is encoded
    /// straight into the hash buffer, without building the event.
    pub(crate) fn host_call(&mut self, func: u8, gas_left: u64, args: &[i64], results: &[i64]) {
        if !self.on {
            return;
        }
        if self.keeping() {
            let (args, results) = (args.to_vec(), results.to_vec());
            return self.record(TraceEvent::HostCall { func, gas_left, args, results });
        }
        if args.len() + results.len() <= STACK_VALUES {
            // Every host function: encoded in a stack buffer, appended in one copy.
            let mut out = [0u8; STACK_EVENT];
            out[..2].copy_from_slice(&[2, func]);
            let mut at = compact::put_u64(&mut out, 2, gas_left);
            for values in [args, results] {
                at = compact::put_u64(&mut out, at, values.len() as u64);
                for &v in values {
                    at = compact::put_u64(&mut out, at, compact::zigzag(v));
                }
            }
            self.buf.extend_from_slice(&out[..at]);
        } else {
            self.buf.push(2);
            self.buf.push(func);
            compact::push_u64(&mut self.buf, gas_left);
            compact::push_i64s(&mut self.buf, args);
            compact::push_i64s(&mut self.buf, results);
        }
        self.maybe_flush();
    }

    /// Records an `Entry` event (`spec/trace.md#events`), encoded straight into the hash buffer at
    /// the hash-only level.
    pub(crate) fn entry(&mut self, export: &str, gas_left: u64) {
        if !self.on {
            return;
        }
        if self.keeping() {
            return self.record(TraceEvent::Entry { export: export.to_string(), gas_left });
        }
        self.buf.push(1);
        self.buf.extend_from_slice(&(export.len() as u32).to_le_bytes());
        self.buf.extend_from_slice(export.as_bytes());
        compact::push_u64(&mut self.buf, gas_left);
        self.maybe_flush();
    }

    /// Records an `Event` event, encoded straight into the hash buffer at the hash-only level.
    pub(crate) fn event(&mut self, topic: &[u8], data: &[u8]) {
        if !self.on {
            return;
        }
        if self.keeping() {
            let (topic, data) = (TraceBytes::of(topic), TraceBytes::of(data));
            return self.record(TraceEvent::Event { topic, data });
        }
        self.buf.push(6);
        encode_bytes(&mut self.buf, topic);
        encode_bytes(&mut self.buf, data);
        self.maybe_flush();
    }

    /// Records a `Log` event, encoded straight into the hash buffer at the hash-only level.
    pub(crate) fn log(&mut self, level: LogLevel, message: &[u8]) {
        if !self.on {
            return;
        }
        if self.keeping() {
            return self.record(TraceEvent::Log { level, message: TraceBytes::of(message) });
        }
        self.buf.push(7);
        // One byte, written to a Vec: cannot fail.
        let _ = borsh::to_writer(&mut self.buf, &level);
        encode_bytes(&mut self.buf, message);
        self.maybe_flush();
    }

    /// Records a `Read` (`write == false`) or `Write` event of `key` with `value`. At the hash-only
    /// level it is encoded straight into the hash buffer.
    pub(crate) fn access(&mut self, write: bool, key: &StateKey, value: Option<&[u8]>) {
        if !self.on {
            return;
        }
        if self.keeping() {
            let key = trace_key(key);
            let value = value.map(TraceBytes::of);
            return self.record(if write {
                TraceEvent::Write { key, value }
            } else {
                TraceEvent::Read { key, value }
            });
        }
        self.buf.push(if write { 4 } else { 3 });
        encode_key(&mut self.buf, key);
        match value {
            None => self.buf.push(0),
            Some(v) => {
                self.buf.push(1);
                encode_bytes(&mut self.buf, v);
            }
        }
        self.maybe_flush();
    }

    fn maybe_flush(&mut self) {
        if self.buf.len() >= FLUSH_AT {
            let hasher = self
                .hasher
                .get_or_insert_with(|| Box::new(abi::hash::derive_key_hasher(abi::hash::TRACE_CONTEXT)));
            hasher.update(&self.buf);
            self.buf.clear();
        }
    }

    /// The trace hash over the events so far.
    pub(crate) fn hash_so_far(&self) -> Hash32 {
        if !self.on() {
            return Hash32::ZERO;
        }
        match &self.hasher {
            None => abi::hash::keyed_hash(abi::hash::TRACE_CONTEXT, &self.buf),
            Some(hasher) => {
                let mut h = hasher.clone();
                h.update(&self.buf);
                Hash32(*h.finalize().as_bytes())
            }
        }
    }

    /// The trace hash and, at [`TraceLevel::Full`] (or `Prefix`), the events kept.
    pub(crate) fn finish(mut self) -> (Hash32, Vec<TraceEvent>) {
        (self.hash_so_far(), std::mem::take(&mut self.events))
    }
}

impl Drop for Tracer {
    /// Gives the hash buffer back to this thread for the next execution's tracer.
    fn drop(&mut self) {
        if self.buf.capacity() > 0 {
            SPARE_BUFFER.set(std::mem::take(&mut self.buf));
        }
    }
}

std::thread_local! {
    /// The hash buffer of this thread's last finished tracer: a buffer of [`FLUSH_AT`] bytes and
    /// more is large enough for every allocation of one to cost a pass of the allocator over its
    /// free lists, once per execution.
    static SPARE_BUFFER: std::cell::Cell<Vec<u8>> = const { std::cell::Cell::new(Vec::new()) };
}

/// An empty hash buffer: this thread's spare, or a new one.
fn spare_buffer() -> Vec<u8> {
    let mut buf = SPARE_BUFFER.take();
    buf.clear();
    buf.reserve(FLUSH_AT + 512);
    buf
}

/// The trace form of a key of the executing token (`spec/trace.md#events`).
fn trace_key(key: &StateKey) -> TraceKey {
    match key {
        StateKey::Balance { account, .. } => TraceKey::Balance { account: *account },
        StateKey::Supply { .. } => TraceKey::Supply,
        StateKey::Storage { key, .. } => TraceKey::Storage { key: TraceBytes::of(key) },
    }
}

// Hand encoders of the hottest events, byte-identical to borsh of `TraceEvent` (checked by
// `tests::hand_encoders_match_borsh`).

fn encode_bytes(buf: &mut Vec<u8>, bytes: &[u8]) {
    if bytes.len() <= TRACE_INLINE_MAX {
        buf.push(0);
        buf.extend_from_slice(&(bytes.len() as u32).to_le_bytes());
        buf.extend_from_slice(bytes);
    } else {
        buf.push(1);
        buf.extend_from_slice(&(bytes.len() as u32).to_le_bytes());
        buf.extend_from_slice(blake3::hash(bytes).as_bytes());
    }
}

fn encode_key(buf: &mut Vec<u8>, key: &StateKey) {
    match key {
        StateKey::Balance { account, .. } => {
            buf.push(0);
            buf.extend_from_slice(&account.0);
        }
        StateKey::Supply { .. } => buf.push(1),
        StateKey::Storage { key, .. } => {
            buf.push(2);
            encode_bytes(buf, key);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use abi::{Address, TokenId};
    use proptest::prelude::*;

    fn key() -> impl Strategy<Value = StateKey> {
        let token = TokenId([9; 32]);
        prop_oneof![
            any::<[u8; 32]>().prop_map(move |a| StateKey::Balance { token, account: Address(a) }),
            Just(StateKey::Supply { token }),
            proptest::collection::vec(any::<u8>(), 0..80)
                .prop_map(move |key| StateKey::Storage { token, key }),
        ]
    }

    /// The trace hash is `derive_key(TRACE_CONTEXT, the events' borsh bytes)` however the bytes
    /// were flushed: below the first flush (no hasher yet), at it (26 bytes an event here) and
    /// over several.
    #[test]
    fn the_hash_is_of_all_the_bytes_across_flushes() {
        for events in [0usize, 1, 50, 157, 158, 159, 700] {
            let mut tracer = Tracer::new(TraceLevel::HashOnly);
            let mut bytes = Vec::new();
            for i in 0..events {
                let event = TraceEvent::HostCall {
                    func: i as u8,
                    gas_left: i as u64,
                    args: vec![i as i64],
                    results: vec![],
                };
                bytes.extend(borsh::to_vec(&event).unwrap());
                tracer.host_call(i as u8, i as u64, &[i as i64], &[]);
            }
            let expected = abi::hash::keyed_hash(abi::hash::TRACE_CONTEXT, &bytes);
            assert_eq!(tracer.hash_so_far(), expected, "{events} events");
            assert_eq!(tracer.finish().0, expected, "{events} events");
        }
    }

    proptest! {
        #[test]
        fn hand_encoders_match_borsh(
            func in any::<u8>(), gas in any::<u64>(),
            // Past the stack buffer's 8 values too.
            args in proptest::collection::vec(any::<i64>(), 0..12),
            results in proptest::collection::vec(any::<i64>(), 0..2),
            k in key(), write in any::<bool>(),
            value in proptest::option::of(proptest::collection::vec(any::<u8>(), 0..80)),
            export in "[a-z_]{0,40}", topic in proptest::collection::vec(any::<u8>(), 0..80),
            level in prop_oneof![
                Just(LogLevel::Debug), Just(LogLevel::Info), Just(LogLevel::Warn), Just(LogLevel::Error)
            ],
        ) {
            let mut fast = Tracer::new(TraceLevel::HashOnly);
            let mut full = Tracer::new(TraceLevel::Full);
            for t in [&mut fast, &mut full] {
                t.host_call(func, gas, &args, &results);
                t.access(write, &k, value.as_deref());
                t.entry(&export, gas);
                t.event(&topic, value.as_deref().unwrap_or_default());
                t.log(level, &topic);
            }
            let (fast_hash, _) = fast.finish();
            let (full_hash, events) = full.finish();
            prop_assert_eq!(events.len(), 5);
            prop_assert_eq!(fast_hash, full_hash);
        }

        #[test]
        fn a_prefix_keeps_its_first_events_and_hashes_them_all(
            func in any::<u8>(), gas in any::<u64>(), k in key(), cap in 0u32..4,
        ) {
            let mut full = Tracer::new(TraceLevel::Full);
            let mut prefix = Tracer::new(TraceLevel::Prefix { events: cap });
            for t in [&mut full, &mut prefix] {
                t.host_call(func, gas, &[1], &[]);
                t.access(false, &k, Some(b"v"));
                t.record(TraceEvent::Entry { export: "e".into(), gas_left: gas });
            }
            let (full_hash, all) = full.finish();
            let (prefix_hash, kept) = prefix.finish();
            prop_assert_eq!(prefix_hash, full_hash);
            prop_assert_eq!(&kept[..], &all[..(cap as usize).min(3)]);
        }
    }
}
