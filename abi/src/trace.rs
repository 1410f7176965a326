//! Trace events and checkpoints (`spec/trace.md`).
//!
//! A trace is the ordered list of consensus-visible events of one execution. Its hash is blake3
//! (`derive_key` with [`crate::hash::TRACE_CONTEXT`]) over the concatenated borsh encodings of the
//! events: a running hash that can be folded as events happen, without storing them.

use crate::{Address, Context, Fault, Hash32, HookKind, LogLevel, Operation, StatusCode};
use alloc::{string::String, vec::Vec};
use borsh::{BorshDeserialize, BorshSerialize};
use serde::{Deserialize, Serialize};

/// Byte strings up to this length appear in a trace as they are; longer ones by length and hash.
pub const TRACE_INLINE_MAX: usize = 32;

/// A byte string in a trace: inline when short, else its length and blake3 hash.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TraceBytes {
    /// At most [`TRACE_INLINE_MAX`] bytes.
    Inline(#[serde(with = "crate::hex::bytes")] Vec<u8>),
    /// Longer: the length and plain blake3 of the bytes.
    Hashed {
        /// Length in bytes.
        len: u32,
        /// blake3 of the bytes.
        hash: Hash32,
    },
}

impl TraceBytes {
    /// The trace form of `bytes`.
    pub fn of(bytes: &[u8]) -> Self {
        if bytes.len() <= TRACE_INLINE_MAX {
            Self::Inline(bytes.to_vec())
        } else {
            Self::Hashed { len: bytes.len() as u32, hash: crate::hash::content_hash(bytes) }
        }
    }
}

/// A state key relative to the executing token (the token is in the trace's start).
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum TraceKey {
    /// An account's balance.
    Balance {
        /// The account.
        account: Address,
    },
    /// The total supply.
    Supply,
    /// A script storage key.
    Storage {
        /// The key.
        key: TraceBytes,
    },
}

/// Who made a mutation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[borsh(use_discriminant = true)]
#[serde(rename_all = "snake_case")]
#[repr(u8)]
pub enum MutationOrigin {
    /// The script, through `transfer`, `mint` or `burn`.
    Script = 0,
    /// The pipeline's native operation.
    Native = 1,
}

/// What was invoked, as the trace's start records it.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum TraceCall {
    /// An operation pipeline.
    Operation,
    /// One hook.
    Hook {
        /// Which.
        hook: HookKind,
    },
    /// A view.
    View {
        /// Its name.
        name: String,
    },
    /// A method.
    Method {
        /// Its name.
        name: String,
    },
}

/// One consensus-visible event. The borsh variant index is the event's tag.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum TraceEvent {
    /// 0: the execution starts.
    Start {
        /// Rules hash of the VM.
        rules_hash: Hash32,
        /// blake3 of the module bytes.
        code_hash: Hash32,
        /// The token whose script runs.
        token: crate::TokenId,
        /// What was invoked.
        call: TraceCall,
        /// blake3 of the invocation's input: borsh of the operation, or the args.
        input_hash: Hash32,
        /// The context.
        context: Context,
        /// The gas limit.
        gas_limit: u64,
    },
    /// 1: an entry point is called (each step of a pipeline has one).
    Entry {
        /// The export.
        export: String,
        /// Gas remaining before the call.
        gas_left: u64,
    },
    /// 2: a host function returned (or halted the execution: then `results` is empty and the next
    /// event is `End`). Emitted after the reads, writes and other events the call caused.
    HostCall {
        /// Index of the function in the host table.
        func: u8,
        /// Gas remaining when the call was made, before its own cost.
        gas_left: u64,
        /// Arguments, each sign-extended to 64 bits.
        args: Vec<i64>,
        /// Results, each sign-extended to 64 bits.
        results: Vec<i64>,
    },
    /// 3: a state read; `None` when absent.
    Read {
        /// The key.
        key: TraceKey,
        /// The value read.
        value: Option<TraceBytes>,
    },
    /// 4: a state write; `None` for a removal.
    Write {
        /// The key.
        key: TraceKey,
        /// The value written.
        value: Option<TraceBytes>,
    },
    /// 5: a mutation was requested (its reads and writes follow).
    Mutation {
        /// Who asked.
        origin: MutationOrigin,
        /// What.
        operation: Operation,
    },
    /// 6: an event was emitted.
    Event {
        /// Topic.
        topic: TraceBytes,
        /// Payload.
        data: TraceBytes,
    },
    /// 7: a log record.
    Log {
        /// Level.
        level: LogLevel,
        /// Message.
        message: TraceBytes,
    },
    /// 8: the execution ends.
    End {
        /// The receipt's status.
        status: StatusCode,
        /// The receipt's fault (`spec/abi.md#faults`).
        fault: Fault,
        /// The receipt's gas used.
        gas_used: u64,
        /// blake3 of the receipt's return data.
        return_data_hash: Hash32,
    },
    /// 9: the token's metadata was read (step 1 of every execution, right after `Start`).
    Token {
        /// The metadata read; `None` when the token does not exist.
        info: Option<crate::TokenInfo>,
    },
}

/// A checkpoint commitment (`spec/trace.md#checkpoints`).
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Checkpoint {
    /// `n`: the first charge that made gas used exceed `n * interval`.
    pub index: u64,
    /// Gas used before that charge.
    pub gas_used: u64,
    /// Commitment to linear memory and the module's mutable globals at that point.
    pub state_hash: Hash32,
    /// The trace hash over the events so far.
    pub trace_hash: Hash32,
}
