//! The worker's lockdown (`spec/executor.md#lockdown`): applied once, before the first request, in
//! this order: namespaces, Landlock, rlimits, `no_new_privs`, seccomp. Each layer reports whether it
//! holds; nothing is skipped silently, and the parent refuses a worker whose report does not meet
//! its [`LockdownPolicy`].
//!
//! This is the one module of the crate with `unsafe` (besides the test faults): `unshare`,
//! `setrlimit`, `prctl`, and for the parent `fcntl`, `poll`, the CPU-time clocks and CPU affinity, have no safe
//! wrapper in the dependencies; each block names why it is sound.
#![allow(unsafe_code)]

use borsh::{BorshDeserialize, BorshSerialize};

/// A sandbox layer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, BorshSerialize, BorshDeserialize)]
pub enum Layer {
    /// New user, mount, network, IPC, UTS and PID namespaces (`unshare(2)`).
    Namespaces,
    /// Landlock: no filesystem access, no TCP, no abstract sockets or signals outside the sandbox.
    Landlock,
    /// rlimits: address space (the memory ceiling), open files, processes, file size, core dumps.
    Rlimits,
    /// `PR_SET_NO_NEW_PRIVS`.
    NoNewPrivs,
    /// The seccomp-bpf allow-list ([`seccomp_allow_list`]); any other syscall kills the worker.
    Seccomp,
}

impl Layer {
    /// Every layer, in the order they are applied.
    pub const ALL: [Layer; 5] =
        [Layer::Namespaces, Layer::Landlock, Layer::Rlimits, Layer::NoNewPrivs, Layer::Seccomp];

    /// The layer's name as `tsvm executor check` prints it.
    pub fn name(self) -> &'static str {
        match self {
            Layer::Namespaces => "namespaces",
            Layer::Landlock => "landlock",
            Layer::Rlimits => "rlimits",
            Layer::NoNewPrivs => "no_new_privs",
            Layer::Seccomp => "seccomp",
        }
    }
}

/// One layer's outcome.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub struct LayerStatus {
    /// The layer.
    pub layer: Layer,
    /// Whether it holds in full.
    pub applied: bool,
    /// What was applied, or why not.
    pub detail: String,
}

/// What the lockdown achieved, one entry per layer of [`Layer::ALL`].
#[derive(Clone, Debug, Default, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub struct LockdownReport {
    /// The layers in order.
    pub layers: Vec<LayerStatus>,
}

impl LockdownReport {
    /// The layers that do not hold.
    pub fn missing(&self) -> Vec<Layer> {
        let mut missing: Vec<Layer> = Layer::ALL
            .into_iter()
            .filter(|l| !self.layers.iter().any(|s| s.layer == *l && s.applied))
            .collect();
        missing.dedup();
        missing
    }
}

/// Which layers a node requires of its workers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LockdownPolicy {
    /// Every layer must hold; a worker missing one is refused (`FailureKind::Lockdown`).
    RequireAll,
    /// These layers must hold; the others are reported.
    Require(Vec<Layer>),
}

impl LockdownPolicy {
    /// The required layers that `report` lacks.
    pub fn unmet(&self, report: &LockdownReport) -> Vec<Layer> {
        let missing = report.missing();
        match self {
            LockdownPolicy::RequireAll => missing,
            LockdownPolicy::Require(req) => missing.into_iter().filter(|l| req.contains(l)).collect(),
        }
    }
}

/// Limits the lockdown applies.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Ceilings {
    /// `RLIMIT_AS` in bytes: the worker's memory ceiling.
    pub address_space: u64,
}

/// Applies every layer, in order, and reports each.
pub fn lock_down(ceilings: Ceilings) -> LockdownReport {
    let layers = vec![namespaces(), landlock(), rlimits(ceilings), no_new_privs(), seccomp()];
    LockdownReport { layers }
}

fn status(layer: Layer, result: Result<String, String>) -> LayerStatus {
    match result {
        Ok(detail) => LayerStatus { layer, applied: true, detail },
        Err(detail) => LayerStatus { layer, applied: false, detail },
    }
}

fn errno() -> String {
    std::io::Error::last_os_error().to_string()
}

fn namespaces() -> LayerStatus {
    let flags = libc::CLONE_NEWUSER
        | libc::CLONE_NEWNS
        | libc::CLONE_NEWNET
        | libc::CLONE_NEWIPC
        | libc::CLONE_NEWUTS
        | libc::CLONE_NEWPID;
    // SAFETY: unshare takes flags by value and touches no memory of ours; the worker is
    // single-threaded here (a user namespace requires it, and the kernel checks).
    let rc = unsafe { libc::unshare(flags) };
    status(
        Layer::Namespaces,
        if rc == 0 {
            Ok("user, mount, net, ipc, uts, pid (pid applies to children, which seccomp forbids)".into())
        } else {
            Err(format!("unshare failed: {}", errno()))
        },
    )
}

fn landlock() -> LayerStatus {
    use landlock::{Access, AccessFs, AccessNet, Ruleset, RulesetAttr, RulesetStatus, Scope, ABI};
    let abi = ABI::V7;
    let result = Ruleset::default()
        .handle_access(AccessFs::from_all(abi))
        .and_then(|r| r.handle_access(AccessNet::from_all(abi)))
        .and_then(|r| r.scope(Scope::from_all(abi)))
        .and_then(|r| r.create())
        .and_then(|r| r.restrict_self());
    status(
        Layer::Landlock,
        match result {
            Ok(s) if s.ruleset == RulesetStatus::FullyEnforced => {
                Ok("no filesystem access, no TCP, scoped signals and abstract sockets (ABI 7)".into())
            }
            Ok(s) => Err(format!("not fully enforced by this kernel: {:?}", s.ruleset)),
            Err(e) => Err(format!("landlock failed: {e}")),
        },
    )
}

fn rlimits(c: Ceilings) -> LayerStatus {
    let limits: [(libc::__rlimit_resource_t, u64, &str); 6] = [
        (libc::RLIMIT_AS, c.address_space, "as"),
        (libc::RLIMIT_NOFILE, 0, "nofile"),
        (libc::RLIMIT_NPROC, 0, "nproc"),
        (libc::RLIMIT_CORE, 0, "core"),
        (libc::RLIMIT_FSIZE, 0, "fsize"),
        (libc::RLIMIT_MEMLOCK, 0, "memlock"),
    ];
    let mut failed = Vec::new();
    for (resource, value, name) in limits {
        let lim = libc::rlimit { rlim_cur: value as libc::rlim_t, rlim_max: value as libc::rlim_t };
        // SAFETY: `lim` is a valid rlimit on our stack for the duration of the call.
        if unsafe { libc::setrlimit(resource, &lim) } != 0 {
            failed.push(format!("{name}: {}", errno()));
        }
    }
    status(
        Layer::Rlimits,
        if failed.is_empty() {
            Ok(format!("as={} bytes, nofile=0, nproc=0, core=0, fsize=0, memlock=0", c.address_space))
        } else {
            Err(failed.join("; "))
        },
    )
}

fn no_new_privs() -> LayerStatus {
    // SAFETY: prctl with integer arguments only.
    let rc = unsafe { libc::prctl(libc::PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) };
    // SAFETY: as above.
    let on = unsafe { libc::prctl(libc::PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) } == 1;
    status(
        Layer::NoNewPrivs,
        if rc == 0 && on { Ok("set".into()) } else { Err(format!("prctl failed: {}", errno())) },
    )
}

/// The syscalls a locked-down worker may make (`spec/executor.md#seccomp`), found by tracing the
/// worker (`strace -f`) over the example bundle, the test corpora and the test faults: reading and
/// writing its two pipes; memory for the allocator (`brk`, `mmap` without `PROT_EXEC`, `munmap`,
/// `mremap`, `madvise`); `futex` for std's locks; `getrandom` for std's hash seeds; what `abort`
/// needs to raise SIGABRT (`rt_sigprocmask`, `getpid`, `gettid`, and `tgkill` with SIGABRT only);
/// `rt_sigreturn`, `sigaltstack`; `exit`, `exit_group`. No `open*`, `socket`, `execve*`, `fork`,
/// `clone*`, `ptrace`, `kill`, `ioctl`, `mprotect`.
pub fn seccomp_allow_list() -> Vec<(&'static str, i64)> {
    let mut list = vec![
        ("read", nr(libc::SYS_read)),
        ("write", nr(libc::SYS_write)),
        ("mmap", nr(libc::SYS_mmap)),
        ("munmap", nr(libc::SYS_munmap)),
        ("mremap", nr(libc::SYS_mremap)),
        ("madvise", nr(libc::SYS_madvise)),
        ("brk", nr(libc::SYS_brk)),
        ("futex", nr(libc::SYS_futex)),
        ("getrandom", nr(libc::SYS_getrandom)),
        ("rt_sigreturn", nr(libc::SYS_rt_sigreturn)),
        ("rt_sigprocmask", nr(libc::SYS_rt_sigprocmask)),
        ("sigaltstack", nr(libc::SYS_sigaltstack)),
        ("getpid", nr(libc::SYS_getpid)),
        ("gettid", nr(libc::SYS_gettid)),
        ("tgkill", nr(libc::SYS_tgkill)),
        ("exit", nr(libc::SYS_exit)),
        ("exit_group", nr(libc::SYS_exit_group)),
    ];
    list.sort_by_key(|(_, n)| *n);
    list
}

/// A syscall number as seccompiler takes it (`c_long` is 32 bits on i686).
#[allow(clippy::useless_conversion)]
fn nr(n: libc::c_long) -> i64 {
    i64::from(n)
}

/// The argument conditions on allowed syscalls: `mmap` never maps executable memory (argument 2,
/// `prot`, without `PROT_EXEC`), `tgkill` sends only SIGABRT (argument 2).
fn seccomp_rules() -> Result<std::collections::BTreeMap<i64, Vec<seccompiler::SeccompRule>>, String> {
    use seccompiler::{SeccompCmpArgLen as Len, SeccompCmpOp as Op, SeccompCondition as Cond, SeccompRule};
    let cond = |arg, op, v| Cond::new(arg, Len::Dword, op, v).map_err(|e| e.to_string());
    let rule = |c| SeccompRule::new(vec![c]).map_err(|e| e.to_string());
    let mut rules = std::collections::BTreeMap::new();
    for (_, n) in seccomp_allow_list() {
        let conditions = if n == nr(libc::SYS_mmap) {
            vec![rule(cond(2, Op::MaskedEq(libc::PROT_EXEC as u64), 0)?)?]
        } else if n == nr(libc::SYS_tgkill) {
            vec![rule(cond(2, Op::Eq, libc::SIGABRT as u64)?)?]
        } else {
            vec![]
        };
        rules.insert(n, conditions);
    }
    Ok(rules)
}

fn seccomp() -> LayerStatus {
    use seccompiler::{BpfProgram, SeccompAction, SeccompFilter, TargetArch};
    let result = (|| -> Result<String, String> {
        let arch = TargetArch::try_from(std::env::consts::ARCH).map_err(|e| e.to_string())?;
        let rules = seccomp_rules()?;
        let filter = SeccompFilter::new(rules, SeccompAction::KillProcess, SeccompAction::Allow, arch)
            .map_err(|e| e.to_string())?;
        let program: BpfProgram = filter.try_into().map_err(|e: seccompiler::BackendError| e.to_string())?;
        seccompiler::apply_filter(&program).map_err(|e| e.to_string())?;
        Ok(format!(
            "{} syscalls allowed (mmap without PROT_EXEC, tgkill with SIGABRT), any other kills the process",
            seccomp_allow_list().len()
        ))
    })();
    status(Layer::Seccomp, result)
}

/// A process's CPU-time clock (`clock_getcpuclockid`): read with one `clock_gettime` syscall at
/// nanosecond resolution, where `/proc/<pid>/stat` took an open, several reads and a parse at
/// clock-tick resolution (`spec/executor.md#pool`).
#[derive(Clone, Copy, Debug)]
pub struct CpuClock(libc::clockid_t);

impl CpuClock {
    /// The clock of process `pid`; `None` if there is no such process (or the kernel has no
    /// process CPU clocks).
    pub fn of(pid: u32) -> Option<Self> {
        let pid = libc::pid_t::try_from(pid).ok()?;
        let mut clock: libc::clockid_t = 0;
        // SAFETY: `clock` is a valid clockid_t on our stack for the duration of the call.
        (unsafe { libc::clock_getcpuclockid(pid, &mut clock) } == 0).then_some(Self(clock))
    }

    /// CPU time (user + system, every thread) the process has used; zero once it is gone.
    pub fn now(self) -> std::time::Duration {
        let mut ts = libc::timespec { tv_sec: 0, tv_nsec: 0 };
        // SAFETY: `ts` is a valid timespec on our stack for the duration of the call.
        if unsafe { libc::clock_gettime(self.0, &mut ts) } != 0 {
            return std::time::Duration::ZERO;
        }
        std::time::Duration::new(ts.tv_sec.max(0) as u64, ts.tv_nsec.clamp(0, 999_999_999) as u32)
    }
}

/// CPU time (user + system) process `pid` has used ([`CpuClock`]); zero when it cannot be read.
pub fn cpu_time(pid: u32) -> std::time::Duration {
    CpuClock::of(pid).map_or(std::time::Duration::ZERO, CpuClock::now)
}

/// The CPU the calling thread is running on (`sched_getcpu`), `None` if the kernel does not say.
pub fn current_cpu() -> Option<usize> {
    // SAFETY: sched_getcpu takes no arguments and reads no memory of ours.
    usize::try_from(unsafe { libc::sched_getcpu() }).ok()
}

/// Restricts process `pid` (a single-threaded worker) to run on `cpu` only (`sched_setaffinity`,
/// from the parent: the worker itself is not asked to do anything); `false` if the kernel refused.
pub fn pin_to_cpu(pid: u32, cpu: usize) -> bool {
    let Ok(pid) = libc::pid_t::try_from(pid) else { return false };
    if cpu >= libc::CPU_SETSIZE as usize {
        return false;
    }
    // SAFETY: an all-zero cpu_set_t is a valid empty set.
    let mut set: libc::cpu_set_t = unsafe { std::mem::zeroed() };
    // SAFETY: `cpu` is below CPU_SETSIZE, checked above; `set` is ours.
    unsafe { libc::CPU_SET(cpu, &mut set) };
    // SAFETY: `set` is a valid cpu_set_t of the size passed, on our stack for the call.
    unsafe { libc::sched_setaffinity(pid, std::mem::size_of::<libc::cpu_set_t>(), &set) == 0 }
}

/// The calling thread held on one CPU until this is dropped, when its previous CPU mask is restored
/// ([`hold_on_cpu`]).
pub struct HeldOnCpu {
    previous: libc::cpu_set_t,
}

/// Holds the calling thread on `cpu` (where it runs) for the length of one request to a worker
/// placed there (`spec/executor.md#pool`): while it sleeps on the worker's reply, the scheduler
/// would otherwise wake it on the other, idle CPU, and the next request would chase it there.
/// `None` if the kernel refused (the thread is left as it was).
pub fn hold_on_cpu(cpu: usize) -> Option<HeldOnCpu> {
    if cpu >= libc::CPU_SETSIZE as usize {
        return None;
    }
    let size = std::mem::size_of::<libc::cpu_set_t>();
    // SAFETY: an all-zero cpu_set_t is a valid empty set.
    let mut previous: libc::cpu_set_t = unsafe { std::mem::zeroed() };
    // SAFETY: pid 0 is the calling thread; `previous` is a cpu_set_t of `size` bytes we own.
    if unsafe { libc::sched_getaffinity(0, size, &mut previous) } != 0 {
        return None;
    }
    // SAFETY: as in `pin_to_cpu`: an empty set, then one CPU below CPU_SETSIZE (checked above).
    let mut one: libc::cpu_set_t = unsafe { std::mem::zeroed() };
    // SAFETY: `cpu` is below CPU_SETSIZE; `one` is ours.
    unsafe { libc::CPU_SET(cpu, &mut one) };
    // SAFETY: `one` is a valid cpu_set_t of `size` bytes on our stack for the call.
    (unsafe { libc::sched_setaffinity(0, size, &one) } == 0).then_some(HeldOnCpu { previous })
}

impl Drop for HeldOnCpu {
    fn drop(&mut self) {
        let size = std::mem::size_of::<libc::cpu_set_t>();
        // SAFETY: `previous` is the mask the kernel gave for this thread, `size` bytes we own.
        unsafe { libc::sched_setaffinity(0, size, &self.previous) };
    }
}

/// Puts `fd` in non-blocking mode (the parent's end of a worker's stdout, `crate::Pool`).
///
/// # Errors
/// `fcntl` failed.
pub fn set_nonblocking(fd: std::os::fd::RawFd) -> std::io::Result<()> {
    // SAFETY: fcntl on a descriptor the caller owns, integer arguments only.
    let flags = unsafe { libc::fcntl(fd, libc::F_GETFL) };
    // SAFETY: as above.
    if flags < 0 || unsafe { libc::fcntl(fd, libc::F_SETFL, flags | libc::O_NONBLOCK) } < 0 {
        return Err(std::io::Error::last_os_error());
    }
    Ok(())
}

/// Waits up to `timeout` for `fd` to be readable (or closed); `false` on timeout.
pub fn poll_readable(fd: std::os::fd::RawFd, timeout: std::time::Duration) -> bool {
    let mut pfd = libc::pollfd { fd, events: libc::POLLIN, revents: 0 };
    let ms = timeout.as_millis().clamp(1, i32::MAX as u128) as libc::c_int;
    // SAFETY: one valid pollfd on our stack for the duration of the call.
    let rc = unsafe { libc::poll(&mut pfd, 1, ms) };
    rc != 0
}

/// What the lockdown would find on this machine, without applying it: run in a throwaway worker
/// (`tsvm executor check` asks a real worker for its [`LockdownReport`]).
pub fn describe(report: &LockdownReport) -> String {
    let mut out = String::new();
    for s in &report.layers {
        let mark = if s.applied { "active" } else { "NOT AVAILABLE" };
        out.push_str(&format!("{:<13} {:<14} {}\n", s.layer.name(), mark, s.detail));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policy_names_what_is_missing() {
        let mut report = LockdownReport {
            layers: Layer::ALL
                .into_iter()
                .map(|layer| LayerStatus { layer, applied: true, detail: String::new() })
                .collect(),
        };
        assert!(LockdownPolicy::RequireAll.unmet(&report).is_empty());
        report.layers[1].applied = false;
        assert_eq!(LockdownPolicy::RequireAll.unmet(&report), vec![Layer::Landlock]);
        assert!(LockdownPolicy::Require(vec![Layer::Seccomp]).unmet(&report).is_empty());
        report.layers.pop();
        assert_eq!(LockdownPolicy::RequireAll.unmet(&report), vec![Layer::Landlock, Layer::Seccomp]);
        assert!(describe(&report).contains("landlock      NOT AVAILABLE"));
    }

    #[test]
    fn a_process_cpu_clock_counts_in_nanoseconds_and_only_goes_up() {
        let clock = CpuClock::of(std::process::id()).expect("this kernel has process CPU clocks");
        let before = clock.now();
        let mut x = 0u64;
        for i in 0..2_000_000u64 {
            x = std::hint::black_box(x.wrapping_mul(31).wrapping_add(i));
        }
        let after = clock.now();
        assert!(after > before, "{before:?} then {after:?}");
        assert!(cpu_time(std::process::id()) >= after);
        assert_eq!(cpu_time(u32::MAX), std::time::Duration::ZERO);
    }

    #[test]
    fn a_child_is_pinned_to_the_callers_cpu() {
        let mut child = std::process::Command::new("sleep").arg("5").spawn().expect("sleep runs");
        let cpu = current_cpu().expect("sched_getcpu works here");
        assert!(pin_to_cpu(child.id(), cpu));
        let status = std::fs::read_to_string(format!("/proc/{}/status", child.id())).unwrap();
        let allowed = status.lines().find_map(|l| l.strip_prefix("Cpus_allowed_list:")).unwrap();
        assert_eq!(allowed.trim(), cpu.to_string());
        assert!(!pin_to_cpu(child.id(), libc::CPU_SETSIZE as usize));
        let _ = child.kill();
        let _ = child.wait();
    }

    #[test]
    fn a_held_thread_runs_on_one_cpu_until_released() {
        std::thread::spawn(|| {
            let allowed = || {
                let tid = thread_id();
                let status = std::fs::read_to_string(format!("/proc/self/task/{tid}/status")).unwrap();
                status.lines().find_map(|l| l.strip_prefix("Cpus_allowed_list:")).unwrap().trim().to_string()
            };
            let before = allowed();
            let cpu = current_cpu().expect("sched_getcpu works here");
            let held = hold_on_cpu(cpu).expect("a thread may narrow its own mask");
            assert_eq!(allowed(), cpu.to_string());
            assert_eq!(current_cpu(), Some(cpu));
            drop(held);
            assert_eq!(allowed(), before, "the previous mask is restored");
            assert!(hold_on_cpu(libc::CPU_SETSIZE as usize).is_none());
        })
        .join()
        .expect("the test thread");
    }

    /// The calling thread's id, from procfs (no syscall wrapper needed).
    fn thread_id() -> String {
        std::fs::read_link("/proc/thread-self").unwrap().file_name().unwrap().to_string_lossy().into_owned()
    }

    #[test]
    fn the_allow_list_has_no_escape_hatch() {
        let names: Vec<&str> = seccomp_allow_list().iter().map(|(n, _)| *n).collect();
        for banned in
            ["open", "openat", "socket", "execve", "fork", "clone", "ptrace", "kill", "ioctl", "mprotect"]
        {
            assert!(!names.contains(&banned), "{banned} allowed");
        }
    }
}
