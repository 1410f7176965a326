//! The pool of workers (`spec/executor.md#pool`): pre-spawned, each with its own module cache,
//! respawned after any failure; a CPU-time and a wall-time budget per execution, measured by the
//! parent, after which the worker is killed. Gas remains the consensus bound; the budgets are a
//! safety net against an engine that stops counting.
#![forbid(unsafe_code)]

use crate::lockdown::CpuClock;
use crate::prefetch::{prefetch, Learned};
use crate::protocol::{
    read_frame, write_frame, Fault, FrameError, ParentMsg, ParentMsgRef, ReadRequest, ReadValue, RequestRef,
    WireOptions, WorkerMsg, MAX_REQUEST_FRAME, MAX_RESPONSE_FRAME, PROTOCOL_VERSION,
};
use crate::validate::{validate, Answered};
use crate::worker::{DEFAULT_MEMORY_CEILING, MEMORY_CEILING_ENV, TEST_FAULTS_ENV};
use crate::{ExecutorFailure, FailureClass, FailureKind, LockdownPolicy, LockdownReport};
use abi::TxData;
use std::io::{BufReader, Read};
use std::os::fd::AsRawFd;
use std::os::unix::process::ExitStatusExt;
use std::path::PathBuf;
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::sync::{Condvar, Mutex};
use std::time::{Duration, Instant};
use vm::{ExecOptions, Execution, Rules, StateView};

/// How a pool is built.
#[derive(Clone, Debug)]
pub struct PoolConfig {
    /// The worker binary ([`crate::find_worker`]).
    pub worker: PathBuf,
    /// Arguments the worker is started with (none for `tsvm-worker`; the `tsvm` binary standing in
    /// for a missing worker takes `__worker`, `spec/executor.md#worker`).
    pub worker_args: Vec<String>,
    /// Workers kept ready.
    pub workers: usize,
    /// Layers every worker must have applied.
    pub policy: LockdownPolicy,
    /// CPU time one execution may use.
    pub cpu_budget: Duration,
    /// Wall time one execution may take (catches a stopped or blocked worker, which uses no CPU).
    pub wall_budget: Duration,
    /// The worker's address-space ceiling in bytes.
    pub memory_ceiling: u64,
    /// The largest frame accepted from a worker.
    pub max_response_frame: u32,
    /// Spawn workers that honour test faults (debug builds only; `spec/executor.md#test-faults`).
    pub test_faults: bool,
    /// Run each worker on the CPU of the thread that hands it a request (the parent sets the
    /// worker's affinity when that CPU changes; `spec/executor.md#pool`): the caller sleeps while
    /// its worker runs, so they never need two CPUs at once, and a wake-up on the same CPU costs a
    /// context switch where one across CPUs costs an inter-processor interrupt.
    pub colocate: bool,
}

impl PoolConfig {
    /// Defaults: `workers` workers, every layer required, 2 s of CPU and 10 s of wall time, 1 GiB.
    pub fn new(worker: PathBuf, workers: usize) -> Self {
        Self {
            worker,
            worker_args: Vec::new(),
            workers: workers.max(1),
            policy: LockdownPolicy::RequireAll,
            cpu_budget: Duration::from_secs(2),
            wall_budget: Duration::from_secs(10),
            memory_ceiling: DEFAULT_MEMORY_CEILING,
            max_response_frame: MAX_RESPONSE_FRAME,
            test_faults: false,
            colocate: true,
        }
    }
}

/// One spawned worker.
struct Worker {
    child: Child,
    stdin: ChildStdin,
    /// Buffered, so a frame's length and a small body come in one `read`; kept with the worker so
    /// no byte it sent is lost between frames.
    stdout: BufReader<ChildStdout>,
    /// The worker's CPU-time clock, read once per request and on every poll timeout.
    clock: Option<CpuClock>,
    /// The CPU the worker was last restricted to ([`PoolConfig::colocate`]).
    cpu: Option<usize>,
    report: LockdownReport,
}

impl Worker {
    fn kill(mut self) -> Option<std::process::ExitStatus> {
        let _ = self.child.kill();
        self.child.wait().ok()
    }

    /// Waits for the worker's exit after its output ended, and names how it ended.
    fn death(mut self, otherwise: FailureKind) -> FailureKind {
        let deadline = Instant::now() + Duration::from_secs(2);
        loop {
            match self.child.try_wait() {
                Ok(Some(status))
                    if status.signal().is_some() || otherwise == FailureKind::Unexpected("exit") =>
                {
                    return FailureKind::Died { signal: status.signal(), code: status.code() };
                }
                Ok(Some(_)) => return otherwise,
                Ok(None) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(2)),
                _ => {
                    self.kill();
                    return otherwise;
                }
            }
        }
    }
}

/// The CPU and wall time one wait on a worker may take, measured from its creation.
struct Budget {
    clock: Option<CpuClock>,
    cpu_start: Duration,
    start: Instant,
    cpu: Duration,
    wall: Duration,
    slice: Duration,
}

impl Budget {
    fn new(w: &Worker, cpu: Duration, wall: Duration, slice: Duration) -> Self {
        let clock = if cpu == Duration::MAX { None } else { w.clock };
        let cpu_start = clock.map_or(Duration::ZERO, CpuClock::now);
        Self { clock, cpu_start, start: Instant::now(), cpu, wall, slice }
    }

    fn exceeded(&self) -> bool {
        self.start.elapsed() > self.wall
            || self.clock.is_some_and(|c| c.now().saturating_sub(self.cpu_start) > self.cpu)
    }

    /// Reads one frame from `w` on the calling thread, within the budget (`Timeout` past it, also
    /// inside a frame the worker stopped sending).
    fn read(&self, w: &mut Worker, cap: u32) -> Result<WorkerMsg, FailureKind> {
        let mut reader = TimedReader { stdout: &mut w.stdout, budget: self };
        read_frame::<WorkerMsg>(&mut reader, cap).map_err(|e| match &e {
            FrameError::Io(io) if io.kind() == std::io::ErrorKind::TimedOut => FailureKind::Timeout,
            _ => frame_kind(&e),
        })
    }
}

/// A non-blocking pipe read as a blocking one that gives up when its budget is spent.
struct TimedReader<'a> {
    stdout: &'a mut BufReader<ChildStdout>,
    budget: &'a Budget,
}

impl Read for TimedReader<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        // With nothing buffered the worker has usually not answered yet (it runs while the caller
        // sleeps): poll first rather than try a read that would fail.
        let mut ready = !self.stdout.buffer().is_empty();
        loop {
            if !ready {
                ready = crate::lockdown::poll_readable(self.stdout.get_ref().as_raw_fd(), self.budget.slice);
                if !ready && self.budget.exceeded() {
                    return Err(std::io::Error::new(std::io::ErrorKind::TimedOut, "budget spent"));
                }
                continue;
            }
            match self.stdout.read(buf) {
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => ready = false,
                other => return other,
            }
        }
    }
}

/// The pool: an [`crate::Executor`] that runs each transaction in a sandboxed worker.
pub struct Pool {
    config: PoolConfig,
    rules: Rules,
    rules_hash: abi::Hash32,
    idle: Mutex<Idle>,
    ready: Condvar,
    report: LockdownReport,
    incidents: Mutex<Vec<FailureKind>>,
    round_trips: std::sync::atomic::AtomicU64,
    learned: Learned,
}

/// The idle workers, and how many callers wait for one.
#[derive(Default)]
struct Idle {
    workers: Vec<Worker>,
    waiting: usize,
}

fn frame_kind(e: &FrameError) -> FailureKind {
    match e {
        FrameError::Closed => FailureKind::Unexpected("exit"),
        FrameError::Truncated => FailureKind::Truncated,
        FrameError::Oversized { .. } => FailureKind::Oversized,
        FrameError::Garbage(_) => FailureKind::Garbage,
        FrameError::Io(e) => FailureKind::Spawn(e.to_string()),
    }
}

impl Pool {
    /// Spawns `config.workers` workers under the default rules (the rules the worker runs).
    ///
    /// # Errors
    /// A worker could not be spawned, or its lockdown does not meet the policy.
    pub fn new(config: PoolConfig) -> Result<Self, ExecutorFailure> {
        let rules = Rules::default();
        let rules_hash = vm::Vm::new(rules.clone()).rules_hash();
        let mut pool = Self {
            config,
            rules,
            rules_hash,
            idle: Mutex::new(Idle::default()),
            ready: Condvar::new(),
            report: Default::default(),
            incidents: Mutex::new(Vec::new()),
            round_trips: Default::default(),
            learned: Default::default(),
        };
        let mut workers = Vec::new();
        for _ in 0..pool.config.workers {
            workers.push(pool.spawn().map_err(ExecutorFailure::once)?);
        }
        pool.report = workers[0].report.clone();
        pool.idle.lock().unwrap_or_else(|e| e.into_inner()).workers = workers;
        Ok(pool)
    }

    /// Takes the failures that were retried since the last call (a retry that succeeded hides its
    /// first failure from the result; the node may still want to log or count it).
    pub fn incidents(&self) -> Vec<FailureKind> {
        std::mem::take(&mut *self.incidents.lock().unwrap_or_else(|e| e.into_inner()))
    }

    /// Round trips with workers so far: one per request plus one per state read the prefetch did not
    /// cover (what `benches/README.md` quotes per transfer).
    pub fn round_trips(&self) -> u64 {
        self.round_trips.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// The lockdown report of the first worker.
    pub fn lockdown(&self) -> &LockdownReport {
        &self.report
    }

    /// Spawns one worker and reads its hello, without checking the policy: what
    /// `tsvm executor check` prints.
    ///
    /// # Errors
    /// The worker could not be spawned or did not say hello.
    pub fn probe(worker: PathBuf, worker_args: Vec<String>) -> Result<LockdownReport, ExecutorFailure> {
        let mut config = PoolConfig::new(worker, 1);
        config.worker_args = worker_args;
        config.policy = LockdownPolicy::Require(vec![]);
        Ok(Pool::new(config)?.report.clone())
    }

    fn spawn(&self) -> Result<Worker, FailureKind> {
        let mut cmd = Command::new(&self.config.worker);
        cmd.args(&self.config.worker_args)
            .env_clear()
            .env(MEMORY_CEILING_ENV, self.config.memory_ceiling.to_string())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null());
        if self.config.test_faults {
            cmd.env(TEST_FAULTS_ENV, "1");
        }
        let spawn_err =
            |e: std::io::Error| FailureKind::Spawn(format!("{}: {e}", self.config.worker.display()));
        let mut child = cmd.spawn().map_err(spawn_err)?;
        let (Some(stdin), Some(stdout)) = (child.stdin.take(), child.stdout.take()) else {
            return Err(FailureKind::Spawn("no pipes".into()));
        };
        crate::lockdown::set_nonblocking(stdout.as_raw_fd()).map_err(spawn_err)?;
        let clock = CpuClock::of(child.id());
        let stdout = BufReader::new(stdout);
        let mut worker = Worker { child, stdin, stdout, clock, cpu: None, report: Default::default() };
        let budget = Budget::new(&worker, Duration::MAX, self.config.wall_budget, Duration::from_millis(10));
        let hello = match budget.read(&mut worker, self.config.max_response_frame) {
            Ok(m) => m,
            Err(FailureKind::Timeout) => {
                worker.kill();
                return Err(FailureKind::Timeout);
            }
            Err(kind) => return Err(worker.death(kind)),
        };
        let failure = match hello {
            WorkerMsg::Hello { version, .. } if version != PROTOCOL_VERSION => FailureKind::Version(version),
            WorkerMsg::Hello { rules_hash, .. } if rules_hash != self.rules_hash => FailureKind::RulesHash,
            WorkerMsg::Hello { lockdown, .. } => {
                let unmet = self.config.policy.unmet(&lockdown);
                if unmet.is_empty() {
                    worker.report = lockdown;
                    return Ok(worker);
                }
                FailureKind::Lockdown(unmet)
            }
            _ => FailureKind::Unexpected("a first message other than hello"),
        };
        worker.kill();
        Err(failure)
    }

    /// An idle worker, waiting for one if none is; with placement, preferably one already on the
    /// caller's CPU (so two callers on two CPUs keep their workers instead of swapping them).
    fn take(&self) -> Result<Worker, FailureKind> {
        let cpu = if self.config.colocate { crate::lockdown::current_cpu() } else { None };
        let mut idle = self.idle.lock().unwrap_or_else(|e| e.into_inner());
        loop {
            let here = idle.workers.iter().rposition(|w| cpu.is_some() && w.cpu == cpu);
            if let Some(w) = here.map(|i| idle.workers.swap_remove(i)).or_else(|| idle.workers.pop()) {
                return Ok(w);
            }
            idle.waiting += 1;
            idle = self.ready.wait(idle).unwrap_or_else(|e| e.into_inner());
            idle.waiting -= 1;
        }
    }

    fn give_back(&self, w: Worker) {
        let mut idle = self.idle.lock().unwrap_or_else(|e| e.into_inner());
        idle.workers.push(w);
        // Notifying costs a futex syscall even with nobody waiting.
        if idle.waiting > 0 {
            self.ready.notify_one();
        }
    }

    /// Runs `tx` in a worker with an optional test fault: one retry on a fresh worker after a
    /// failure that is not deterministic (`spec/executor.md#failures`).
    ///
    /// # Errors
    /// No validated execution was produced.
    pub fn execute_with_fault(
        &self,
        state: &dyn StateView,
        tx: &TxData,
        opts: &ExecOptions,
        fault: Option<Fault>,
    ) -> Result<Execution, ExecutorFailure> {
        let first = match self.attempt(state, tx, opts, fault) {
            Ok(e) => return Ok(e),
            Err(kind) if kind.class() == FailureClass::Deterministic => {
                return Err(ExecutorFailure::once(kind))
            }
            Err(kind) => kind,
        };
        self.incidents.lock().unwrap_or_else(|e| e.into_inner()).push(first.clone());
        match self.attempt(state, tx, opts, fault) {
            Ok(e) => Ok(e),
            Err(kind) => Err(ExecutorFailure { kind, attempts: 2, first: Some(first) }),
        }
    }

    /// One attempt. A worker that failed is killed and replaced before this returns.
    fn attempt(
        &self,
        state: &dyn StateView,
        tx: &TxData,
        opts: &ExecOptions,
        fault: Option<Fault>,
    ) -> Result<Execution, FailureKind> {
        let Some(code) = tx.code_bytes() else {
            return Err(FailureKind::CodeByHash);
        };
        let mut answered = Answered::default();
        let hints = self.learned.hints(tx, code);
        let prefetch = prefetch(state, tx, &hints, &mut answered);
        let request = ParentMsgRef::Execute(RequestRef {
            tx,
            options: WireOptions::from_options(opts),
            prefetch: &prefetch,
            fault,
        });
        let mut worker = self.take()?;
        let outcome = self.converse(&mut worker, state, tx, &request, &mut answered);
        match outcome {
            Ok(exec) => {
                let exec = Execution::from(*exec);
                if let Err(kind) = validate(&exec, tx, &self.rules, &self.rules_hash, &answered, state) {
                    // A worker that sent an invalid execution is not trusted again.
                    worker.kill();
                    self.respawn();
                    return Err(kind);
                }
                self.give_back(worker);
                self.learned.learn(hints, &exec);
                Ok(exec)
            }
            Err((kind, healthy)) => {
                if healthy {
                    self.give_back(worker);
                } else {
                    let kind = match kind {
                        FailureKind::Unexpected("exit") | FailureKind::Truncated => worker.death(kind),
                        _ => {
                            worker.kill();
                            kind
                        }
                    };
                    self.respawn();
                    return Err(kind);
                }
                Err(kind)
            }
        }
    }

    /// Adds a fresh worker; if spawning fails the pool runs with one fewer (and the next attempt's
    /// spawn is retried when the pool is empty).
    fn respawn(&self) {
        if let Ok(w) = self.spawn() {
            self.give_back(w);
        } else if self.idle.lock().map(|i| i.workers.is_empty()).unwrap_or(true) {
            if let Ok(w) = self.spawn() {
                self.give_back(w);
            }
        }
    }

    /// With placement (`PoolConfig::colocate`), restricts `w` to the calling thread's CPU if it is
    /// not there already, and holds the caller on that CPU until the guard is dropped.
    fn place(&self, w: &mut Worker) -> Option<crate::lockdown::HeldOnCpu> {
        if !self.config.colocate {
            return None;
        }
        let cpu = crate::lockdown::current_cpu()?;
        if w.cpu != Some(cpu) {
            // A refusal (a CPU outside the worker's cpuset) leaves the worker where it was.
            crate::lockdown::pin_to_cpu(w.child.id(), cpu);
            w.cpu = Some(cpu);
        }
        crate::lockdown::hold_on_cpu(cpu)
    }

    /// Sends the request and answers reads until the worker is done. `Err((kind, healthy))`:
    /// `healthy` when the worker may serve again (a deterministic host error).
    fn converse(
        &self,
        w: &mut Worker,
        state: &dyn StateView,
        tx: &TxData,
        request: &ParentMsgRef<'_>,
        answered: &mut Answered,
    ) -> Result<Box<crate::protocol::WireExecution>, (FailureKind, bool)> {
        self.round_trips.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        // Held on the worker's CPU until the conversation ends (the caller's mask restored then).
        let _held = self.place(w);
        match write_frame(&mut w.stdin, request, MAX_REQUEST_FRAME) {
            Ok(()) => {}
            Err(FrameError::Oversized { .. }) => return Err((FailureKind::RequestTooLarge, true)),
            Err(_) => return Err((FailureKind::Unexpected("exit"), false)),
        }
        let slice = (self.config.cpu_budget / 8).clamp(Duration::from_millis(1), Duration::from_millis(50));
        let budget = Budget::new(w, self.config.cpu_budget, self.config.wall_budget, slice);
        let mut state_failed: Option<vm::StateError> = None;
        loop {
            let msg = budget.read(w, self.config.max_response_frame).map_err(|k| (k, false))?;
            match msg {
                WorkerMsg::Read(req) => {
                    self.round_trips.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    let token = match &req {
                        ReadRequest::Token(t) => t,
                        ReadRequest::Key(k) => crate::validate::token_of(k),
                    };
                    if *token != tx.invocation.token {
                        return Err((FailureKind::Unexpected("a read of another token"), false));
                    }
                    let value = match &req {
                        ReadRequest::Token(t) => state.token(t).map(ReadValue::Token),
                        ReadRequest::Key(k) => state.read(k).map(ReadValue::Value),
                    };
                    let reply = match value {
                        Ok(v) => {
                            answered.record(&req, &v);
                            Some(v)
                        }
                        Err(e) => {
                            state_failed = Some(e);
                            None
                        }
                    };
                    if write_frame(&mut w.stdin, &ParentMsg::ReadReply(reply), MAX_REQUEST_FRAME).is_err() {
                        return Err((FailureKind::Unexpected("exit"), false));
                    }
                }
                WorkerMsg::Done(exec) => {
                    if state_failed.is_some() {
                        return Err((FailureKind::Unexpected("a receipt after a failed read"), false));
                    }
                    return Ok(exec);
                }
                WorkerMsg::HostError(e) => {
                    return Err((state_failed.map_or(FailureKind::Host(e), FailureKind::State), true))
                }
                WorkerMsg::Refused(e) => return Err((FailureKind::Refused(e), true)),
                WorkerMsg::Hello { .. } => return Err((FailureKind::Unexpected("a second hello"), false)),
            }
        }
    }
}

impl Drop for Pool {
    fn drop(&mut self) {
        let idle = std::mem::take(&mut self.idle.lock().unwrap_or_else(|e| e.into_inner()).workers);
        for w in idle {
            w.kill();
        }
    }
}
