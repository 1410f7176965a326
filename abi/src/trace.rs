//! Trace events and checkpoints (`spec/trace.md`).
//!
//! A trace is the ordered list of consensus-visible events of one execution. Its hash is blake3
//! (`derive_key` with [`crate::hash::TRACE_CONTEXT`]) over the concatenated borsh encodings of the
//! events: a running hash that can be folded as events happen, without storing them.

use crate::{Address, Context, Fault, Hash32, HookKind, LogLevel, Operation, StatusCode};
use alloc::{string::String, vec::Vec};
use borsh::{BorshDeserialize, BorshSerialize};
use serde::{Deserialize, Serialize};

/// Compact integers of trace events (`spec/trace.md#events`, version 3): gas amounts as unsigned
/// LEB128, lists of host-call values as an unsigned LEB128 count and each value zigzag-encoded
/// then LEB128. Encoding is minimal and decoding accepts only the minimal form, so an event has
/// exactly one encoding.
pub mod compact {
    use alloc::vec::Vec;
    use borsh::io::{Error, ErrorKind, Read, Result, Write};

    /// The longest LEB128 encoding of a `u64`.
    pub const MAX_LEN: usize = 10;

    /// The unsigned LEB128 encoding of `v` (7 bits a byte, least significant first, the high bit
    /// set on every byte but the last) and its length.
    #[inline]
    pub fn encode_u64(mut v: u64) -> ([u8; MAX_LEN], usize) {
        let mut out = [0u8; MAX_LEN];
        let mut n = 0;
        while v >= 0x80 {
            out[n] = v as u8 | 0x80;
            v >>= 7;
            n += 1;
        }
        out[n] = v as u8;
        (out, n + 1)
    }

    /// Appends the unsigned LEB128 encoding of `v`, as [`encode_u64`] (byte by byte: most values
    /// of a trace take one or two).
    #[inline]
    pub fn push_u64(buf: &mut Vec<u8>, mut v: u64) {
        while v >= 0x80 {
            buf.push(v as u8 | 0x80);
            v >>= 7;
        }
        buf.push(v as u8);
    }

    /// Writes the unsigned LEB128 encoding of `v`, as [`encode_u64`], into `out` at `at`; returns
    /// where it ends. `out` must have room for [`MAX_LEN`] bytes from `at` (else it panics): for
    /// events encoded in a stack buffer and appended at once, without a capacity check per byte.
    #[inline]
    pub fn put_u64(out: &mut [u8], mut at: usize, mut v: u64) -> usize {
        while v >= 0x80 {
            out[at] = v as u8 | 0x80;
            v >>= 7;
            at += 1;
        }
        out[at] = v as u8;
        at + 1
    }

    /// Appends an unsigned LEB128 count, then each value zigzag-encoded (`0, -1, 1, -2, ...` to
    /// `0, 1, 2, 3, ...`) and in LEB128.
    #[inline]
    pub fn push_i64s(buf: &mut Vec<u8>, values: &[i64]) {
        push_u64(buf, values.len() as u64);
        for &v in values {
            push_u64(buf, zigzag(v));
        }
    }

    /// `v` with its sign moved to the lowest bit, so that small magnitudes encode short.
    pub fn zigzag(v: i64) -> u64 {
        ((v << 1) ^ (v >> 63)) as u64
    }

    /// The inverse of [`zigzag`].
    pub fn unzigzag(u: u64) -> i64 {
        (u >> 1) as i64 ^ -((u & 1) as i64)
    }

    /// Reads a minimal unsigned LEB128 `u64`; refuses a longer form (a final zero byte), more
    /// than 64 bits, and a truncated one.
    pub fn read_u64<R: Read>(reader: &mut R) -> Result<u64> {
        let mut value = 0u64;
        for i in 0..MAX_LEN {
            let mut byte = [0u8; 1];
            reader.read_exact(&mut byte)?;
            let b = byte[0];
            if i == MAX_LEN - 1 && b > 1 {
                return Err(Error::new(ErrorKind::InvalidData, "LEB128 value over 64 bits"));
            }
            value |= u64::from(b & 0x7f) << (7 * i);
            if b & 0x80 == 0 {
                if b == 0 && i > 0 {
                    return Err(Error::new(ErrorKind::InvalidData, "LEB128 value not in its shortest form"));
                }
                return Ok(value);
            }
        }
        Err(Error::new(ErrorKind::InvalidData, "LEB128 value over 64 bits"))
    }

    /// Writes the unsigned LEB128 encoding of `v`, as [`encode_u64`].
    fn write_u64<W: Write>(writer: &mut W, v: u64) -> Result<()> {
        let (bytes, n) = encode_u64(v);
        writer.write_all(&bytes[..n])
    }

    /// `serialize_with` of a gas amount (`deserialize_with`: [`read_u64`]).
    pub fn write_gas<W: Write>(v: &u64, writer: &mut W) -> Result<()> {
        write_u64(writer, *v)
    }

    /// `serialize_with` of a list of host-call values, as [`push_i64s`].
    #[allow(clippy::ptr_arg, reason = "serialize_with passes a reference to the field's type")]
    pub fn write_values<W: Write>(values: &Vec<i64>, writer: &mut W) -> Result<()> {
        write_u64(writer, values.len() as u64)?;
        values.iter().try_for_each(|&v| write_u64(writer, zigzag(v)))
    }

    /// `deserialize_with` of a list of host-call values. The count is checked against what is
    /// left only as values are read: each takes at least one byte.
    pub fn read_values<R: Read>(reader: &mut R) -> Result<Vec<i64>> {
        let count = read_u64(reader)?;
        let mut values = Vec::new();
        for _ in 0..count {
            values.push(unzigzag(read_u64(reader)?));
        }
        Ok(values)
    }
}

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
        #[borsh(serialize_with = "compact::write_gas", deserialize_with = "compact::read_u64")]
        gas_limit: u64,
    },
    /// 1: an entry point is called (each step of a pipeline has one).
    Entry {
        /// The export.
        export: String,
        /// Gas remaining before the call.
        #[borsh(serialize_with = "compact::write_gas", deserialize_with = "compact::read_u64")]
        gas_left: u64,
    },
    /// 2: a host function returned (or halted the execution: then `results` is empty and the next
    /// event is `End`). Emitted after the reads, writes and other events the call caused.
    HostCall {
        /// Index of the function in the host table.
        func: u8,
        /// Gas remaining when the call was made, before its own cost.
        #[borsh(serialize_with = "compact::write_gas", deserialize_with = "compact::read_u64")]
        gas_left: u64,
        /// Arguments, each sign-extended to 64 bits.
        #[borsh(serialize_with = "compact::write_values", deserialize_with = "compact::read_values")]
        args: Vec<i64>,
        /// Results, each sign-extended to 64 bits.
        #[borsh(serialize_with = "compact::write_values", deserialize_with = "compact::read_values")]
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
        #[borsh(serialize_with = "compact::write_gas", deserialize_with = "compact::read_u64")]
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
