//! The wire protocol between the node and a worker (`spec/executor.md#protocol`).
//!
//! Frames are a 4-byte little-endian length followed by that many bytes of one borsh-encoded
//! message. Every read is bounded by a cap chosen by the reader before it allocates; a frame over
//! the cap, a stream that ends inside a frame and a body that does not decode to exactly one message
//! are distinct errors ([`FrameError`]), so the parent can name each protocol violation.
#![forbid(unsafe_code)]

use abi::{Checkpoint, StateKey, TokenId, TokenInfo, TraceEvent, TxData, Witness};
use borsh::{BorshDeserialize, BorshSerialize};
use std::io::{self, Read, Write};

/// The protocol version a worker announces in its [`WorkerMsg::Hello`]; the parent refuses others.
pub const PROTOCOL_VERSION: u32 = 1;

/// Largest frame the worker accepts from the parent: a module at the code-size limit (512 KiB), the
/// invocation's input (64 KiB) and the prefetched state, with room to spare.
pub const MAX_REQUEST_FRAME: u32 = 2 * 1024 * 1024;

/// Largest frame the parent accepts from a worker by default: an execution with a full trace and
/// checkpoints. A node that keeps only hashes lowers it ([`crate::PoolConfig::max_response_frame`]).
pub const MAX_RESPONSE_FRAME: u32 = 64 * 1024 * 1024;

/// Options that change what is recorded (the wire form of `vm::ExecOptions`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub struct WireOptions {
    /// `ExecOptions::checkpoint_interval`.
    pub checkpoint_interval: u64,
    /// 0: hash only, 1: full, 2: a prefix of `trace_events` events.
    pub trace: u8,
    /// Events kept for a prefix trace.
    pub trace_events: u32,
}

impl WireOptions {
    /// The wire form of `opts`.
    pub fn from_options(opts: &vm::ExecOptions) -> Self {
        let (trace, trace_events) = match opts.trace {
            vm::TraceLevel::HashOnly => (0, 0),
            vm::TraceLevel::Full => (1, 0),
            vm::TraceLevel::Prefix { events } => (2, events),
        };
        Self { checkpoint_interval: opts.checkpoint_interval, trace, trace_events }
    }

    /// The options this wire form stands for (`None` for an unknown trace level).
    pub fn to_options(self) -> Option<vm::ExecOptions> {
        let trace = match self.trace {
            0 => vm::TraceLevel::HashOnly,
            1 => vm::TraceLevel::Full,
            2 => vm::TraceLevel::Prefix { events: self.trace_events },
            _ => return None,
        };
        Some(vm::ExecOptions { checkpoint_interval: self.checkpoint_interval, trace })
    }
}

/// A test-only fault the worker injects (`spec/executor.md#test-faults`). A release build of the
/// worker, or one spawned without test faults allowed, answers a request carrying one with
/// [`WorkerMsg::Refused`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub enum Fault {
    /// Spin on the CPU forever after reading the request.
    Spin,
    /// Block forever without using CPU.
    Block,
    /// `abort()`.
    Abort,
    /// Allocate until the address-space ceiling is hit.
    Exhaust,
    /// Send a frame whose body is not a message.
    Garbage,
    /// Send a length prefix over the parent's cap.
    Oversized,
    /// Send half a frame, then exit.
    Truncated,
    /// Flip a byte of the diff hash.
    WrongDiffHash,
    /// Flip a byte of the receipt hash.
    WrongReceiptHash,
    /// Add a diff entry of another token (and reseal, so the hashes are right).
    ForeignDiff,
    /// Change a witness value (the receipt itself is left intact).
    WrongWitness,
    /// Try to open a file after lockdown.
    Open,
    /// Try to open a socket after lockdown.
    Socket,
    /// Try to execute a program after lockdown.
    Exec,
    /// Try to fork after lockdown.
    Fork,
    /// Try to ptrace after lockdown.
    Ptrace,
    /// Send half a frame, then block forever (the parent must not wait for the rest).
    Stall,
}

/// What the worker asks for or answers.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub enum WorkerMsg {
    /// The first frame, sent after the lockdown.
    Hello {
        /// [`PROTOCOL_VERSION`].
        version: u32,
        /// The rules hash of the worker's VM.
        rules_hash: abi::Hash32,
        /// What the lockdown achieved.
        lockdown: crate::LockdownReport,
    },
    /// A state read the prefetch did not cover.
    Read(ReadRequest),
    /// The execution's result.
    Done(Box<WireExecution>),
    /// The VM returned a host error (the message is for people, never compared).
    HostError(String),
    /// The request was refused (a fault in a build that refuses them, or an undecodable option).
    Refused(String),
}

/// One state read.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, BorshSerialize, BorshDeserialize)]
pub enum ReadRequest {
    /// A token's metadata.
    Token(TokenId),
    /// A key in the diff's value encoding.
    Key(StateKey),
}

/// What the parent sends.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub enum ParentMsg {
    /// Run one transaction.
    Execute(Box<Request>),
    /// The answer to a [`WorkerMsg::Read`]: `None` when the node's state failed (the worker's VM then
    /// fails with a host error, and the parent reports the state error it saw).
    ReadReply(Option<ReadValue>),
}

/// One execution request.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub struct Request {
    /// The owned transaction.
    pub tx: TxData,
    /// What to record.
    pub options: WireOptions,
    /// State the parent knows the execution reads, answered in advance.
    pub prefetch: Vec<(ReadRequest, ReadValue)>,
    /// A test-only fault.
    pub fault: Option<Fault>,
}

/// [`ParentMsg`] borrowed: what the node writes, so a request frame is serialised from the
/// caller's transaction without copying it first. Its frames are byte for byte those of the owned
/// form (the same variant first, the same fields in the same order), which is what the worker reads.
#[derive(Debug, BorshSerialize)]
pub enum ParentMsgRef<'a> {
    /// [`ParentMsg::Execute`].
    Execute(RequestRef<'a>),
}

/// [`Request`] borrowed.
#[derive(Debug, BorshSerialize)]
pub struct RequestRef<'a> {
    /// [`Request::tx`].
    pub tx: &'a TxData,
    /// [`Request::options`].
    pub options: WireOptions,
    /// [`Request::prefetch`].
    pub prefetch: &'a [(ReadRequest, ReadValue)],
    /// [`Request::fault`].
    pub fault: Option<Fault>,
}

/// A read's answer.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub enum ReadValue {
    /// Token metadata, `None` if the token does not exist.
    Token(Option<TokenInfo>),
    /// A key's value.
    Value(Option<Vec<u8>>),
}

/// The wire form of `vm::Execution`.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub struct WireExecution {
    /// The receipt.
    pub receipt: abi::Receipt,
    /// Checkpoints.
    pub checkpoints: Vec<Checkpoint>,
    /// The pre-state witness.
    pub witness: Witness,
    /// The kept trace.
    pub trace: Vec<TraceEvent>,
}

impl From<vm::Execution> for WireExecution {
    fn from(e: vm::Execution) -> Self {
        Self { receipt: e.receipt, checkpoints: e.checkpoints, witness: e.witness, trace: e.trace }
    }
}

impl From<WireExecution> for vm::Execution {
    fn from(e: WireExecution) -> Self {
        Self { receipt: e.receipt, checkpoints: e.checkpoints, witness: e.witness, trace: e.trace }
    }
}

/// Why a frame could not be read.
#[derive(Debug, thiserror::Error)]
pub enum FrameError {
    /// The stream ended at a frame boundary.
    #[error("stream closed")]
    Closed,
    /// The stream ended inside a frame.
    #[error("truncated frame")]
    Truncated,
    /// The length prefix is over the cap.
    #[error("frame of {len} bytes over the cap of {cap}")]
    Oversized {
        /// The announced length.
        len: u32,
        /// The cap.
        cap: u32,
    },
    /// The body is not exactly one message.
    #[error("undecodable frame: {0}")]
    Garbage(String),
    /// Reading or writing failed.
    #[error("i/o: {0}")]
    Io(#[from] io::Error),
}

/// Writes `msg` as one frame. A message over `cap` is refused before anything is written.
///
/// # Errors
/// The message is over the cap, or the write failed.
pub fn write_frame<T: BorshSerialize>(w: &mut impl Write, msg: &T, cap: u32) -> Result<(), FrameError> {
    // The body is serialised after a 4-byte placeholder for its length, so the frame goes out in
    // one write without a second copy of the body; sized for a typical request or reply, so
    // serialising does not grow it step by step.
    let mut frame = Vec::with_capacity(4096);
    frame.extend_from_slice(&[0u8; 4]);
    msg.serialize(&mut frame)?;
    let len = u32::try_from(frame.len() - 4).unwrap_or(u32::MAX);
    if len > cap {
        return Err(FrameError::Oversized { len, cap });
    }
    frame[..4].copy_from_slice(&len.to_le_bytes());
    w.write_all(&frame)?;
    w.flush()?;
    Ok(())
}

/// Reads one frame of at most `cap` bytes and decodes it.
///
/// # Errors
/// See [`FrameError`].
pub fn read_frame<T: BorshDeserialize>(r: &mut impl Read, cap: u32) -> Result<T, FrameError> {
    let mut len = [0u8; 4];
    match read_full(r, &mut len)? {
        0 => return Err(FrameError::Closed),
        4 => {}
        _ => return Err(FrameError::Truncated),
    }
    let len = u32::from_le_bytes(len);
    if len > cap {
        return Err(FrameError::Oversized { len, cap });
    }
    let mut body = vec![0u8; len as usize];
    if read_full(r, &mut body)? != body.len() {
        return Err(FrameError::Truncated);
    }
    T::try_from_slice(&body).map_err(|e| FrameError::Garbage(e.to_string()))
}

/// Reads until `buf` is full or the stream ends; returns how many bytes were read.
fn read_full(r: &mut impl Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match r.read(&mut buf[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_round_trip_and_each_error_is_named() {
        let msg = WorkerMsg::Refused("x".into());
        let mut buf = Vec::new();
        write_frame(&mut buf, &msg, 64).unwrap();
        assert_eq!(read_frame::<WorkerMsg>(&mut &buf[..], 64).unwrap(), msg);
        // At the cap and one past it.
        let len = buf.len() as u32 - 4;
        assert!(read_frame::<WorkerMsg>(&mut &buf[..], len).is_ok());
        assert!(matches!(read_frame::<WorkerMsg>(&mut &buf[..], len - 1), Err(FrameError::Oversized { .. })));
        assert!(matches!(write_frame(&mut Vec::new(), &msg, len - 1), Err(FrameError::Oversized { .. })));
        assert!(matches!(
            read_frame::<WorkerMsg>(&mut &buf[..buf.len() - 1], 64),
            Err(FrameError::Truncated)
        ));
        assert!(matches!(read_frame::<WorkerMsg>(&mut &buf[..2], 64), Err(FrameError::Truncated)));
        assert!(matches!(read_frame::<WorkerMsg>(&mut &[][..], 64), Err(FrameError::Closed)));
        let garbage = [3u8, 0, 0, 0, 0xff, 0xff, 0xff];
        assert!(matches!(read_frame::<WorkerMsg>(&mut &garbage[..], 64), Err(FrameError::Garbage(_))));
        // A valid message followed by a trailing byte inside the frame is garbage too.
        let mut long = buf.clone();
        long[0] += 1;
        long.push(0);
        assert!(matches!(read_frame::<WorkerMsg>(&mut &long[..], 64), Err(FrameError::Garbage(_))));
    }

    #[test]
    fn a_borrowed_request_is_the_owned_requests_frame() {
        let tx = TxData {
            code: abi::Code::Bytes(vec![0, 0x61, 0x73, 0x6d, 10, 10]),
            invocation: abi::Invocation {
                token: TokenId([7; 32]),
                call: abi::Call::Method { name: "m".into(), args: vec![10, 0, 10] },
            },
            context: Default::default(),
            gas_limit: 99,
        };
        let prefetch = vec![
            (ReadRequest::Token(TokenId([7; 32])), ReadValue::Token(None)),
            (
                ReadRequest::Key(StateKey::Supply { token: TokenId([7; 32]) }),
                ReadValue::Value(Some(vec![10])),
            ),
        ];
        let options = WireOptions { checkpoint_interval: 3, trace: 2, trace_events: 5 };
        for fault in [None, Some(Fault::Garbage)] {
            let owned = ParentMsg::Execute(Box::new(Request {
                tx: tx.clone(),
                options,
                prefetch: prefetch.clone(),
                fault,
            }));
            let borrowed = ParentMsgRef::Execute(RequestRef { tx: &tx, options, prefetch: &prefetch, fault });
            let (mut a, mut b) = (Vec::new(), Vec::new());
            write_frame(&mut a, &owned, MAX_REQUEST_FRAME).unwrap();
            write_frame(&mut b, &borrowed, MAX_REQUEST_FRAME).unwrap();
            assert_eq!(a, b);
            assert_eq!(read_frame::<ParentMsg>(&mut &b[..], MAX_REQUEST_FRAME).unwrap(), owned);
        }
    }

    #[test]
    fn options_round_trip() {
        for trace in [vm::TraceLevel::HashOnly, vm::TraceLevel::Full, vm::TraceLevel::Prefix { events: 9 }] {
            let o = vm::ExecOptions { checkpoint_interval: 7, trace };
            assert_eq!(WireOptions::from_options(&o).to_options(), Some(o));
        }
        assert_eq!(WireOptions { trace: 3, ..Default::default() }.to_options(), None);
    }
}
