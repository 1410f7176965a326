//! The worker's side (`spec/executor.md#worker`): lock down, say hello, then serve requests on
//! stdin/stdout until the parent closes the pipe. State reads the prefetch did not cover go to the
//! parent as [`WorkerMsg::Read`] frames.
#![forbid(unsafe_code)]

use crate::protocol::{
    read_frame, write_frame, ParentMsg, ReadRequest, ReadValue, Request, WireExecution, WorkerMsg,
    MAX_REQUEST_FRAME, MAX_RESPONSE_FRAME, PROTOCOL_VERSION,
};
use crate::{lock_down, Ceilings};
use abi::{Address, StateKey, TokenId, TokenInfo};
use std::cell::RefCell;
use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufReader, Read, Write};
use std::os::fd::AsFd;
use vm::{Rules, Session, StateError, StateView, Transaction, Vm};

/// Environment variable that lets a debug build of the worker honour test faults.
pub const TEST_FAULTS_ENV: &str = "TSVM_WORKER_TEST_FAULTS";

/// Environment variable holding the address-space ceiling in bytes.
pub const MEMORY_CEILING_ENV: &str = "TSVM_WORKER_MEMORY_CEILING";

/// The default memory ceiling (`RLIMIT_AS`): 1 GiB, far above a 4 MiB linear memory and the module
/// cache, far below what would hurt the node.
pub const DEFAULT_MEMORY_CEILING: u64 = 1024 * 1024 * 1024;

/// The worker binary's main: returns the process exit code.
pub fn main() -> i32 {
    // Everything the worker needs from its environment is read before the lockdown.
    let faults = cfg!(debug_assertions) && std::env::var_os(TEST_FAULTS_ENV).is_some_and(|v| v == "1");
    let ceiling =
        std::env::var(MEMORY_CEILING_ENV).ok().and_then(|v| v.parse().ok()).unwrap_or(DEFAULT_MEMORY_CEILING);
    let vm = Vm::new(Rules::default());
    // The pipes as unbuffered files (`spec/executor.md#protocol`): a frame goes out in one
    // `write` (std's stdout is line-buffered and would split a binary frame at each 0x0a byte).
    let (Ok(input), Ok(output)) = (own(std::io::stdin().as_fd()), own(std::io::stdout().as_fd())) else {
        return 2;
    };
    let report = lock_down(Ceilings { address_space: ceiling });
    let io = RefCell::new(Io { input: BufReader::new(input), output });
    let hello = WorkerMsg::Hello { version: PROTOCOL_VERSION, rules_hash: vm.rules_hash(), lockdown: report };
    if io.borrow_mut().send(&hello).is_err() {
        return 2;
    }
    // One view and one session for the worker's life: each module's instance is kept and reset
    // between requests (spec/abi.md#instance-reuse); each request replaces what the view knows.
    let state = RemoteState { io: &io, known: RefCell::new(BTreeMap::new()) };
    let mut session = vm.session(&state);
    loop {
        let request = match io.borrow_mut().recv() {
            Ok(ParentMsg::Execute(r)) => *r,
            Ok(ParentMsg::ReadReply(_)) => return 3,
            Err(crate::protocol::FrameError::Closed) => return 0,
            Err(_) => return 3,
        };
        let reply = serve(&mut session, &state, request, faults);
        if io.borrow_mut().send(&reply).is_err() {
            return 2;
        }
    }
}

/// A descriptor of ours as a `File` of its own (a `dup`, made before the lockdown).
fn own(fd: std::os::fd::BorrowedFd<'_>) -> std::io::Result<File> {
    fd.try_clone_to_owned().map(File::from)
}

struct Io<R, W> {
    input: R,
    output: W,
}

impl<R: Read, W: Write> Io<R, W> {
    fn send(&mut self, msg: &WorkerMsg) -> Result<(), crate::protocol::FrameError> {
        write_frame(&mut self.output, msg, MAX_RESPONSE_FRAME)
    }
    fn recv(&mut self) -> Result<ParentMsg, crate::protocol::FrameError> {
        read_frame(&mut self.input, MAX_REQUEST_FRAME)
    }
}

/// The worker's view of the node's state: the prefetch, then the parent.
struct RemoteState<'a, R, W> {
    io: &'a RefCell<Io<R, W>>,
    known: RefCell<BTreeMap<ReadRequest, ReadValue>>,
}

impl<R: Read, W: Write> RemoteState<'_, R, W> {
    fn get(&self, req: ReadRequest) -> Result<ReadValue, StateError> {
        if let Some(v) = self.known.borrow().get(&req) {
            return Ok(v.clone());
        }
        let mut io = self.io.borrow_mut();
        io.send(&WorkerMsg::Read(req.clone())).map_err(|e| StateError::Failed(e.to_string()))?;
        match io.recv() {
            Ok(ParentMsg::ReadReply(Some(v))) => {
                self.known.borrow_mut().insert(req, v.clone());
                Ok(v)
            }
            Ok(ParentMsg::ReadReply(None)) => Err(StateError::Failed("the node's state failed".into())),
            Ok(_) => Err(StateError::Failed("unexpected message".into())),
            Err(e) => Err(StateError::Failed(e.to_string())),
        }
    }

    fn value(&self, key: StateKey) -> Result<Option<Vec<u8>>, StateError> {
        match self.get(ReadRequest::Key(key))? {
            ReadValue::Value(v) => Ok(v),
            ReadValue::Token(_) => Err(StateError::Failed("a token answer to a key read".into())),
        }
    }

    fn amount(&self, key: StateKey) -> Result<u128, StateError> {
        match self.value(key)? {
            None => Ok(0),
            Some(v) => abi::amount::decode(&v).ok_or_else(|| StateError::Failed("malformed amount".into())),
        }
    }
}

impl<R: Read, W: Write> StateView for RemoteState<'_, R, W> {
    fn token(&self, token: &TokenId) -> Result<Option<TokenInfo>, StateError> {
        match self.get(ReadRequest::Token(*token))? {
            ReadValue::Token(t) => Ok(t),
            ReadValue::Value(_) => Err(StateError::Failed("a key answer to a token read".into())),
        }
    }
    fn balance(&self, token: &TokenId, account: &Address) -> Result<u128, StateError> {
        self.amount(StateKey::Balance { token: *token, account: *account })
    }
    fn supply(&self, token: &TokenId) -> Result<u128, StateError> {
        self.amount(StateKey::Supply { token: *token })
    }
    fn storage(&self, token: &TokenId, key: &[u8]) -> Result<Option<Vec<u8>>, StateError> {
        self.value(StateKey::Storage { token: *token, key: key.to_vec() })
    }
    fn read(&self, key: &StateKey) -> Result<Option<Vec<u8>>, StateError> {
        self.value(key.clone())
    }
}

fn serve<R: Read, W: Write>(
    session: &mut Session<'_>,
    state: &RemoteState<'_, R, W>,
    req: Request,
    faults: bool,
) -> WorkerMsg {
    if let Some(fault) = req.fault {
        if !faults {
            return WorkerMsg::Refused("test faults are not enabled in this worker".into());
        }
        if let Some(msg) = crate::faults::before(fault, &mut state.io.borrow_mut().output) {
            return msg;
        }
    }
    let Some(options) = req.options.to_options() else {
        return WorkerMsg::Refused("unknown trace level".into());
    };
    let Some(tx) = Transaction::from_data(&req.tx) else {
        return WorkerMsg::Refused("code by hash".into());
    };
    *state.known.borrow_mut() = req.prefetch.into_iter().collect();
    match session.execute_with(&tx, &options) {
        Ok(exec) => {
            let mut wire = WireExecution::from(exec);
            if let Some(fault) = req.fault {
                crate::faults::after(fault, &mut wire);
            }
            WorkerMsg::Done(Box::new(wire))
        }
        Err(e) => WorkerMsg::HostError(e.to_string()),
    }
}
