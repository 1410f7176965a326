//! Test-only faults (`spec/executor.md#test-faults`): a debug build of the worker spawned with
//! `TSVM_WORKER_TEST_FAULTS=1` acts one out on request, so the tests exercise the parent's
//! handling of a worker that stalls, crashes, lies or tries to escape. A release build, or a worker
//! spawned without the variable, refuses any request that carries a fault.
//!
//! The escape attempts call the syscalls directly (`unsafe`), exactly as a compromised interpreter
//! would; the seccomp filter must kill the worker with SIGSYS before any of them does anything.
#![allow(unsafe_code)]

use crate::protocol::{Fault, WireExecution, WorkerMsg};
use abi::{DiffEntry, StateKey, TokenId};
use std::io::Write;

/// Acts out the faults that happen before the execution; `Some` is the reply to send instead.
pub fn before(fault: Fault, out: &mut impl Write) -> Option<WorkerMsg> {
    match fault {
        Fault::Spin => loop {
            std::hint::black_box(0u64);
        },
        Fault::Block | Fault::Stall => {
            if fault == Fault::Stall {
                let _ = out.write_all(&[100, 0, 0, 0, 1, 2, 3]);
                let _ = out.flush();
            }
            let lock = std::sync::Mutex::new(());
            let cv = std::sync::Condvar::new();
            let mut guard = lock.lock().unwrap_or_else(|e| e.into_inner());
            loop {
                guard = cv.wait(guard).unwrap_or_else(|e| e.into_inner());
            }
        }
        Fault::Abort => std::process::abort(),
        Fault::Exhaust => {
            let mut hoard: Vec<Vec<u8>> = Vec::new();
            loop {
                let chunk = vec![1u8; 64 * 1024 * 1024];
                hoard.push(std::hint::black_box(chunk));
            }
        }
        Fault::Garbage => raw(out, &[3, 0, 0, 0, 0xff, 0xff, 0xff]),
        Fault::Oversized => raw(out, &u32::MAX.to_le_bytes()),
        Fault::Truncated => raw(out, &[100, 0, 0, 0, 1, 2, 3]),
        Fault::Open => {
            let _ = std::fs::File::open("/etc/passwd");
            Some(WorkerMsg::Refused("open returned".into()))
        }
        Fault::Socket => {
            // SAFETY: socket takes integers; the result is ignored (and closed by exit).
            let _ = unsafe { libc::socket(libc::AF_INET, libc::SOCK_STREAM, 0) };
            Some(WorkerMsg::Refused("socket returned".into()))
        }
        Fault::Exec => {
            let prog = c"/bin/true";
            let argv = [prog.as_ptr(), std::ptr::null()];
            let envp = [std::ptr::null()];
            // SAFETY: NUL-terminated program path, argv and envp arrays ending in null.
            let _ = unsafe { libc::execve(prog.as_ptr(), argv.as_ptr(), envp.as_ptr()) };
            Some(WorkerMsg::Refused("execve returned".into()))
        }
        Fault::Fork => {
            // SAFETY: a raw clone with SIGCHLD and no stack is fork; if it ever returned 0 the child
            // exits at once.
            let rc = unsafe { libc::syscall(libc::SYS_clone, libc::SIGCHLD as libc::c_long, 0, 0, 0, 0) };
            if rc == 0 {
                std::process::exit(0);
            }
            Some(WorkerMsg::Refused("fork returned".into()))
        }
        Fault::Ptrace => {
            // SAFETY: PTRACE_TRACEME takes no pointers.
            let _ = unsafe { libc::ptrace(libc::PTRACE_TRACEME, 0, 0, 0) };
            Some(WorkerMsg::Refused("ptrace returned".into()))
        }
        Fault::WrongDiffHash | Fault::WrongReceiptHash | Fault::ForeignDiff | Fault::WrongWitness => None,
    }
}

/// Writes raw bytes and exits: the parent must reject what it got.
fn raw(out: &mut impl Write, bytes: &[u8]) -> ! {
    let _ = out.write_all(bytes);
    let _ = out.flush();
    std::process::exit(0)
}

/// Tampers with a finished execution.
pub fn after(fault: Fault, exec: &mut WireExecution) {
    let r = &mut exec.receipt;
    match fault {
        Fault::WrongDiffHash => r.diff_hash.0[0] ^= 1,
        Fault::WrongReceiptHash => r.receipt_hash.0[0] ^= 1,
        Fault::ForeignDiff => {
            let key = StateKey::Supply { token: TokenId([0xee; 32]) };
            r.diff.0.push(DiffEntry { key, old: None, new: Some(vec![1; 16]) });
            r.diff.0.sort_by(|a, b| a.key.cmp(&b.key));
            r.diff_hash = abi::hash::diff_hash(&r.diff);
            *r = r.clone().seal();
        }
        Fault::WrongWitness => match exec.witness.entries.first_mut() {
            Some(e) => e.value = Some(vec![0x5a; 16]),
            None => exec.witness.token = None,
        },
        _ => {}
    }
}
