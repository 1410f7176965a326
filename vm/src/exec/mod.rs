//! The execution API for nodes: [`Vm`] (`spec/abi.md#execution`).
//!
//! One call of [`Vm::execute`] is one atomic execution: a view, a method, one hook, or an
//! operation's whole pipeline (before-hook, native mutation, after-hook). It reads state only
//! through the node's [`StateView`] and returns a [`Receipt`]; nothing is applied unless the status is
//! `Success`, and then only through the receipt's diff.

use crate::host::{imports, Halt, HostState};
use crate::observe::meter::GasMeter;
use crate::observe::trace::{TraceLevel, Tracer};
use crate::runtime::{ModuleCache, Prepared};
use crate::state::mutation::{self, Origin};
use crate::state::overlay::Overlay;
use crate::STACK_OVERFLOW_SENTINEL;
use crate::{Rules, StateView, VmError, GAS_GLOBAL_EXPORT, GLOBAL_EXPORT_PREFIX, STACK_GLOBAL_EXPORT};
use crate::{DEFAULT_CACHE_CODE_BYTES, DEFAULT_CACHE_MODULES};
use abi::{
    entry_export_name, Call, Checkpoint, Context, EntryKind, Fault, Hash32, HookKind, Invocation, LimitKind,
    MutationOrigin, Operation, Receipt, StateDiff, StatusCode, TokenInfo, TraceCall, TraceEvent, TrapKind,
    Witness, WitnessEntry,
};
use wasmi::{Instance, Store, TrapCode, Val};

/// Everything one execution needs besides the VM.
#[derive(Clone, Copy)]
pub struct Transaction<'a> {
    /// The token script's module bytes (WebAssembly binary).
    pub code: &'a [u8],
    /// What to run.
    pub invocation: &'a Invocation,
    /// Block and transaction context.
    pub context: &'a Context,
    /// Gas available.
    pub gas_limit: u64,
}

/// Options that change what is recorded, never what is computed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ExecOptions {
    /// Record a [`Checkpoint`] each time gas used first exceeds a multiple of this (0: never).
    pub checkpoint_interval: u64,
    /// How much of the trace to keep.
    pub trace: TraceLevel,
}

/// A receipt with what was recorded on the way.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Execution {
    /// The consensus result.
    pub receipt: Receipt,
    /// Checkpoints, when [`ExecOptions::checkpoint_interval`] is set.
    pub checkpoints: Vec<Checkpoint>,
    /// Every piece of state read from the view, with its value: the pre-state witness a replay needs.
    pub witness: Witness,
    /// The trace's events, at [`TraceLevel::Full`].
    pub trace: Vec<TraceEvent>,
}

/// The VM: rules plus a module cache. `Send + Sync`: share one across threads.
pub struct Vm {
    rules: Rules,
    rules_hash: Hash32,
    cache: ModuleCache,
}

impl Vm {
    /// A VM with `rules` and the default cache bounds.
    pub fn new(rules: Rules) -> Self {
        Self::with_cache_bounds(rules, DEFAULT_CACHE_MODULES, DEFAULT_CACHE_CODE_BYTES)
    }

    /// A VM whose cache keeps at most `max_modules` modules and `max_code_bytes` bytes of compiled
    /// code per engine generation (see `spec/abi.md#module-cache`).
    pub fn with_cache_bounds(rules: Rules, max_modules: usize, max_code_bytes: usize) -> Self {
        let cache = ModuleCache::new(&rules, max_modules, max_code_bytes);
        let rules_hash = rules.hash();
        Self { rules, rules_hash, cache }
    }

    /// The rules.
    pub fn rules(&self) -> &Rules {
        &self.rules
    }

    /// The rules hash every receipt carries.
    pub fn rules_hash(&self) -> Hash32 {
        self.rules_hash
    }

    /// Modules in the cache's current generation.
    pub fn cached_modules(&self) -> usize {
        self.cache.len()
    }

    /// Modules this VM has prepared (validated, instrumented, compiled) so far: one per cache miss,
    /// so a call served from the cache leaves it unchanged.
    pub fn prepared_modules(&self) -> u64 {
        self.cache.prepared()
    }

    /// Executes `tx` against `state` with a hash-only trace.
    ///
    /// # Errors
    /// Only failures of the host: the state view failed, or the engine did something the spec does
    /// not allow (a bug). Every guest failure is a receipt.
    pub fn execute(&self, state: &dyn StateView, tx: &Transaction<'_>) -> crate::Result<Receipt> {
        Ok(self.execute_with(state, tx, &ExecOptions::default())?.receipt)
    }

    /// Executes `tx` against `state`, recording what `options` asks for.
    ///
    /// # Errors
    /// As [`Vm::execute`], and [`VmError::CheckpointInterval`] for a checkpoint interval below
    /// [`crate::MIN_CHECKPOINT_INTERVAL`] (other than 0).
    pub fn execute_with(
        &self,
        state: &dyn StateView,
        tx: &Transaction<'_>,
        options: &ExecOptions,
    ) -> crate::Result<Execution> {
        let interval = options.checkpoint_interval;
        if interval != 0 && interval < crate::MIN_CHECKPOINT_INTERVAL {
            return Err(VmError::CheckpointInterval { interval, min: crate::MIN_CHECKPOINT_INTERVAL });
        }
        let token = tx.invocation.token;
        let mut tracer = Tracer::new(options.trace);
        // The cache gives the code's blake3 hash without rehashing the code on every call.
        let entry = self.cache.get_or_prepare(tx.code, self.rules_hash, &self.rules)?;
        let code_hash = entry.code_hash;
        // Every entry of a call sees the same input (`spec/abi.md#entry-points`): encode it once.
        let input = call_input(&tx.invocation.call);
        if tracer.on() {
            tracer.record(start_event(self.rules_hash, code_hash, tx, &input));
        }
        let host = HostState {
            rules: &self.rules,
            ctx: tx.context,
            token,
            token_info: TokenInfo::default(),
            read_only: tx.invocation.call.is_read_only(),
            input,
            in_before_hook: false,
            native_cancelled: false,
            overlay: Overlay::new(state, token, tracer),
            meter: GasMeter::new(tx.gas_limit, options.checkpoint_interval),
            events: Vec::new(),
            logs: Vec::new(),
            return_data: Vec::new(),
            revert_reason: Vec::new(),
            memory: None,
            gas_global: None,
            globals: Vec::new(),
            fault: Fault::None,
        };
        let (host, status, token_info) = self.run(state, tx, &entry.prepared, options, host)?;
        let execution = self.finish(host, status, token_info);
        #[cfg(feature = "platform-canary")]
        let execution = crate::canary::skew(execution);
        Ok(execution)
    }

    fn finish(&self, host: HostState<'_>, status: StatusCode, token: Option<TokenInfo>) -> Execution {
        let success = status.is_success();
        let gas_used = host.meter.gas_used();
        let checkpoints = host.meter.into_checkpoints();
        let (mut tracer, base, diff) = host.overlay.into_parts();
        let return_data = if success { host.return_data } else { Vec::new() };
        // spec/abi.md#faults: only these statuses carry a fault.
        let fault = match status {
            StatusCode::Trap
            | StatusCode::LimitExceeded
            | StatusCode::StackOverflow
            | StatusCode::InvalidArgument => host.fault,
            _ => Fault::None,
        };
        if tracer.on() {
            let return_data_hash = abi::hash::content_hash(&return_data);
            tracer.record(TraceEvent::End { status, fault, gas_used, return_data_hash });
        }
        let (trace_hash, trace) = tracer.finish();
        let receipt = Receipt {
            status,
            fault,
            gas_used,
            return_data,
            revert_reason: if status == StatusCode::Reverted { host.revert_reason } else { Vec::new() },
            events: if success { host.events } else { Vec::new() },
            logs: host.logs,
            diff: if success { diff } else { StateDiff::default() },
            diff_hash: Hash32::ZERO,
            trace_hash,
            rules_hash: self.rules_hash,
            receipt_hash: Hash32::ZERO,
        }
        .seal();
        let entries = base.into_iter().map(|(key, value)| WitnessEntry { key, value }).collect();
        Execution { receipt, checkpoints, witness: Witness { token, entries }, trace }
    }

    /// The steps of `spec/abi.md#execution`, in order. Returns the host state, the status, and the
    /// token metadata read.
    fn run<'a>(
        &'a self,
        state: &'a dyn StateView,
        tx: &Transaction<'a>,
        prepared: &'a Prepared,
        options: &ExecOptions,
        mut host: HostState<'a>,
    ) -> crate::Result<(HostState<'a>, StatusCode, Option<TokenInfo>)> {
        // 1. The token must exist. Its metadata is state read: the trace commits to it
        // (spec/trace.md#events).
        let token_info = state.token(&tx.invocation.token).map_err(VmError::from)?;
        if host.overlay.trace.on() {
            host.overlay.trace.record(TraceEvent::Token { info: token_info.clone() });
        }
        let Some(info) = token_info.clone() else {
            return Ok((host, StatusCode::UnknownToken, None));
        };
        host.token_info = info;
        macro_rules! early {
            ($status:expr) => {
                return Ok((host, $status, token_info))
            };
        }
        // 2. Loading code is charged from its size, whatever the cache holds.
        if let Err(s) = charge_outside(&mut host, self.rules.gas.load_cost(len_u32(tx.code.len()))) {
            early!(s);
        }
        // 3. Validate, instrument, compile (done above, or found in the cache); compiling a valid
        // module is charged from its structure (spec/gas.md#per-execution-costs).
        let (module, info) = match prepared {
            Prepared::Ready { module, info } => (Some(module), info),
            Prepared::Invalid(e) => {
                tracing::debug!(error = %e, "module rejected");
                early!(StatusCode::InvalidModule);
            }
            Prepared::EngineRejected { reason, info } => {
                tracing::debug!(error = %reason, "engine rejected a validated module");
                (None, info)
            }
        };
        if let Err(s) = charge_outside(&mut host, self.rules.gas.compile_cost(info)) {
            early!(s);
        }
        // spec/abi.md#execution step 3: the engine's refusal is an outcome, paid like a compile.
        let Some(module) = module else {
            early!(StatusCode::EngineRejected);
        };
        // 4. Resolve the entry points and the input.
        let entries = match resolve(&tx.invocation.call, info) {
            Ok(r) => r,
            Err(s) => early!(s),
        };
        if let Call::View { args, .. } | Call::Method { args, .. } = &tx.invocation.call {
            if args.len() > self.rules.limits.max_input_len as usize {
                host.fault = Fault::Limit(LimitKind::MaxInputLen);
                early!(StatusCode::LimitExceeded);
            }
        }
        // 5. Instantiation is charged per memory page and per data-segment byte.
        let cost = self.rules.gas.instantiate_cost(info.memory_pages, info.data_bytes);
        if let Err(s) = charge_outside(&mut host, cost) {
            early!(s);
        }
        let mut store = Store::new(module.engine(), host);
        let externs = imports(&mut store, &info.imports);
        let instance = match Instance::new(&mut store, module, &externs) {
            Ok(i) => i,
            Err(e) => {
                // Data or element segments out of bounds: a trap of the script.
                return match trap_kind(&e) {
                    Some(kind) => {
                        let mut host = store.into_data();
                        host.fault = Fault::Trap(kind);
                        Ok((host, StatusCode::Trap, token_info))
                    }
                    None => Err(VmError::Engine(format!("instantiation failed: {e}"))),
                };
            }
        };
        let memory = instance.get_memory(&store, "memory");
        let gas = instance.get_global(&store, GAS_GLOBAL_EXPORT);
        let sp = instance.get_global(&store, STACK_GLOBAL_EXPORT);
        let (Some(memory), Some(gas), Some(sp)) = (memory, gas, sp) else {
            return Err(VmError::Engine("instrumented module lacks memory or meter globals".into()));
        };
        if options.checkpoint_interval > 0 {
            store.data_mut().globals = mutable_globals(&store, &instance);
        }
        store.data_mut().memory = Some(memory);
        store.data_mut().gas_global = Some(gas);
        // 6. Run the entries in order (the pipeline's native mutation between its hooks).
        for step in entries {
            let status = match step {
                Step::Entry { export, before_hook } => {
                    let data = store.data_mut();
                    data.in_before_hook = before_hook;
                    if data.overlay.trace.on() {
                        let gas_left = data.meter.remaining();
                        data.overlay.trace.record(TraceEvent::Entry { export: export.clone(), gas_left });
                    }
                    call_entry(&mut store, &instance, &export, gas, sp)?
                }
                // spec/abi.md#operation-pipeline: a before-hook may cancel the native mutation.
                Step::Native(_) if store.data().native_cancelled => None,
                Step::Native(op) => native(store.data_mut(), &op)?,
            };
            if let Some(status) = status {
                return Ok((store.into_data(), status, token_info));
            }
        }
        Ok((store.into_data(), StatusCode::Success, token_info))
    }
}

/// The input every entry of `call` reads: borsh of the operation for hooks, the args otherwise.
fn call_input(call: &Call) -> Vec<u8> {
    match call {
        // Serializing into a Vec cannot fail.
        Call::Operation { operation } | Call::Hook { operation, .. } => {
            borsh::to_vec(operation).unwrap_or_default()
        }
        Call::View { args, .. } | Call::Method { args, .. } => args.clone(),
    }
}

/// The trace's first event (`spec/trace.md#events`).
fn start_event(rules_hash: Hash32, code_hash: Hash32, tx: &Transaction<'_>, input: &[u8]) -> TraceEvent {
    let call = match &tx.invocation.call {
        Call::Operation { .. } => TraceCall::Operation,
        Call::Hook { hook, .. } => TraceCall::Hook { hook: *hook },
        Call::View { name, .. } => TraceCall::View { name: name.clone() },
        Call::Method { name, .. } => TraceCall::Method { name: name.clone() },
    };
    let input_hash = abi::hash::content_hash(input);
    TraceEvent::Start {
        rules_hash,
        code_hash,
        token: tx.invocation.token,
        call,
        input_hash,
        context: tx.context.clone(),
        gas_limit: tx.gas_limit,
    }
}

/// A charge made outside guest code (loading, instantiation): no memory yet, so checkpoints commit
/// to the empty state.
fn charge_outside(host: &mut HostState<'_>, amount: u64) -> Result<(), StatusCode> {
    let fired = host.meter.charge(amount)?;
    if fired > 0 {
        let trace_hash = host.overlay.trace.hash_so_far();
        host.meter.commit(fired, &[], &[], trace_hash);
    }
    Ok(())
}

/// The module's mutable globals in index order (the instrumenter exports them).
fn mutable_globals(store: &Store<HostState<'_>>, instance: &Instance) -> Vec<wasmi::Global> {
    let mut found: Vec<(u32, wasmi::Global)> = instance
        .exports(store)
        .filter_map(|e| {
            let index = e.name().strip_prefix(GLOBAL_EXPORT_PREFIX)?.parse().ok()?;
            Some((index, e.into_global()?))
        })
        .collect();
    found.sort_by_key(|(i, _)| *i);
    found.into_iter().map(|(_, g)| g).collect()
}

enum Step {
    Entry { export: String, before_hook: bool },
    Native(Operation),
}

fn len_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// The steps a call runs (`spec/abi.md#entry-points`).
fn resolve(call: &Call, info: &crate::ModuleInfo) -> Result<Vec<Step>, StatusCode> {
    let hook_step = |hook: HookKind, before_hook: bool| {
        let export = hook.export_name();
        info.export(export).map(|_| Step::Entry { export: export.to_string(), before_hook })
    };
    match call {
        Call::Operation { operation } => {
            let (before, after) = HookKind::pipeline(operation);
            let mut steps: Vec<Step> = hook_step(before, true).into_iter().collect();
            if !matches!(operation, Operation::Approve { .. }) {
                steps.push(Step::Native(operation.clone()));
            }
            steps.extend(after.and_then(|a| hook_step(a, false)));
            Ok(steps)
        }
        Call::Hook { hook, .. } => Ok(hook_step(*hook, false).into_iter().collect()),
        Call::View { name, .. } | Call::Method { name, .. } => {
            let kind = if call.is_read_only() { EntryKind::View } else { EntryKind::Method };
            let export = entry_export_name(kind, name)
                .filter(|e| info.export(e).is_some())
                .ok_or(StatusCode::EntryNotFound)?;
            Ok(vec![Step::Entry { export, before_hook: false }])
        }
    }
}

/// Calls one exported `() -> ()` entry. `Ok(Some(status))` when it halted.
fn call_entry(
    store: &mut Store<HostState<'_>>,
    instance: &Instance,
    export: &str,
    gas: wasmi::Global,
    sp: wasmi::Global,
) -> crate::Result<Option<StatusCode>> {
    let func = instance
        .get_typed_func::<(), ()>(&*store, export)
        .map_err(|e| VmError::Engine(format!("entry {export} has the wrong type after validation: {e}")))?;
    let engine_err =
        |e: wasmi::errors::GlobalError| VmError::Engine(format!("cannot set a meter global: {e}"));
    let start = store.data().meter.global_value();
    gas.set(&mut *store, Val::I64(start as i64)).map_err(engine_err)?;
    sp.set(&mut *store, Val::I32(0)).map_err(engine_err)?;
    let result = func.call(&mut *store, ());
    match result {
        Ok(()) => {
            let g = crate::host::val_u64(&gas.get(&*store));
            store.data_mut().meter.sync_from_global(g);
            Ok(None)
        }
        Err(err) => {
            if err.downcast_ref::<Halt>().is_some() {
                return match err.downcast::<Halt>() {
                    Some(Halt::Status(s)) => Ok(Some(s)),
                    Some(Halt::Failure(e)) => Err(e),
                    None => Err(VmError::Engine("a host halt vanished".into())),
                };
            }
            // A trap of the guest: take the gas it had paid for.
            let g = crate::host::val_u64(&gas.get(&*store));
            store.data_mut().meter.sync_from_global(g);
            if matches!(sp.get(&*store), Val::I32(STACK_OVERFLOW_SENTINEL)) {
                store.data_mut().fault = Fault::Limit(LimitKind::MaxStackUnits);
                return Ok(Some(StatusCode::StackOverflow));
            }
            match trap_kind(&err) {
                Some(kind) => {
                    store.data_mut().fault = Fault::Trap(kind);
                    Ok(Some(StatusCode::Trap))
                }
                None => Err(VmError::Engine(format!("engine failure outside the spec: {err}"))),
            }
        }
    }
}

/// The WebAssembly trap `err` is, by the kind the WebAssembly specification gives it
/// (`spec/abi.md#faults`): the one place the engine's trap codes are mapped. `None` for what is no
/// trap of the script: the engine's own stack overflow (the specified limit must trip first,
/// `spec/gas.md#stack-limit`), fuel, the host running out of memory, or not a trap at all.
fn trap_kind(err: &wasmi::Error) -> Option<TrapKind> {
    // wasmi reports an element segment that does not fit as an instantiation error without a trap
    // code; a data segment that does not fit is `MemoryOutOfBounds`.
    if matches!(
        err.kind(),
        wasmi::errors::ErrorKind::Instantiation(
            wasmi::errors::InstantiationError::ElementSegmentDoesNotFit { .. }
        )
    ) {
        return Some(TrapKind::TableOutOfBounds);
    }
    Some(match err.as_trap_code()? {
        TrapCode::UnreachableCodeReached => TrapKind::Unreachable,
        TrapCode::IntegerDivisionByZero => TrapKind::IntegerDivisionByZero,
        TrapCode::IntegerOverflow => TrapKind::IntegerOverflow,
        TrapCode::BadConversionToInteger => TrapKind::InvalidConversionToInteger,
        TrapCode::MemoryOutOfBounds => TrapKind::MemoryOutOfBounds,
        TrapCode::TableOutOfBounds => TrapKind::TableOutOfBounds,
        TrapCode::IndirectCallToNull => TrapKind::UninitializedElement,
        TrapCode::BadSignature => TrapKind::IndirectCallTypeMismatch,
        TrapCode::StackOverflow
        | TrapCode::OutOfFuel
        | TrapCode::GrowthOperationLimited
        | TrapCode::OutOfSystemMemory => return None,
    })
}

/// The pipeline's native mutation (`spec/abi.md#operation-pipeline`).
fn native(host: &mut HostState<'_>, op: &Operation) -> crate::Result<Option<StatusCode>> {
    let policy = host.token_info.policy.clone();
    if host.overlay.trace.on() {
        host.overlay
            .trace
            .record(TraceEvent::Mutation { origin: MutationOrigin::Native, operation: op.clone() });
    }
    let result = match op {
        Operation::Transfer { from, to, amount } => mutation::transfer(&mut host.overlay, from, to, *amount),
        Operation::Mint { to, amount } => {
            mutation::mint(&mut host.overlay, &policy, Origin::Native, to, *amount)
        }
        Operation::Burn { from, amount } => {
            mutation::burn(&mut host.overlay, &policy, Origin::Native, from, *amount)
        }
        Operation::Approve { .. } => Ok(()),
    };
    match result {
        Ok(()) => Ok(None),
        Err(mutation::Rejected::Status(s)) => Ok(Some(s)),
        Err(mutation::Rejected::State(e)) => Err(e.into()),
    }
}
