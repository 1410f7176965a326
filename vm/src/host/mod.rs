//! The token-script host: the state one execution's host functions work on, and the shape every
//! host function shares (`spec/abi.md#host-functions`).
//!
//! Every host function: charges its base gas, checks its inputs against their limits, checks every
//! guest range against linear memory, and only then charges per byte, touches state and writes its
//! result: a call that halts on a bad range or limit pays its base cost and nothing else. A failed check
//! halts the execution with a status code ([`Halt`]); a failure of the node's state is a host error
//! that aborts the execution with an `Err`.

mod functions;
mod profile_hooks;

pub(crate) use functions::imports;

use crate::observe::meter::{Fired, GasMeter};
use crate::observe::Frame;
use crate::observe::Observer;
use crate::state::mutation::{self, Rejected};
use crate::state::overlay::Overlay;
use crate::{Rules, StateError, StateView, Transaction, VmError};
use abi::{ArgumentKind, Context, Event, Fault, HostFn, HostFnId, LimitKind, LogRecord, StatusCode, TokenId};
use abi::{MutationOrigin, Operation, TokenInfo};
use std::fmt;
use wasmi::{Caller, Global, Memory, Val};

/// Why an execution stopped before its last step (`spec/abi.md#execution`): the outcome of a step
/// that ends it. Carried through wasmi as a host error from host functions.
#[derive(Debug)]
pub(crate) enum Halt {
    /// A consensus outcome (revert, out of gas, a rejected mutation, ...).
    Status(StatusCode),
    /// The host failed: the execution has no receipt.
    Failure(VmError),
}

impl fmt::Display for Halt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Status(s) => write!(f, "halted: {}", s.describe()),
            Self::Failure(e) => write!(f, "host failure: {e}"),
        }
    }
}

impl wasmi::errors::HostError for Halt {}

impl From<StatusCode> for Halt {
    fn from(s: StatusCode) -> Self {
        Self::Status(s)
    }
}

impl From<StateError> for Halt {
    fn from(e: StateError) -> Self {
        Self::Failure(e.into())
    }
}

impl From<Rejected> for Halt {
    fn from(r: Rejected) -> Self {
        match r {
            Rejected::Status(s) => Self::Status(s),
            Rejected::State(e) => e.into(),
        }
    }
}

impl From<Halt> for wasmi::Error {
    fn from(h: Halt) -> Self {
        wasmi::Error::host(h)
    }
}

/// Everything one execution's host functions read and write (the wasmi store's data).
pub(crate) struct HostState<'a> {
    pub rules: &'a Rules,
    /// Owned, so a kept instance's store outlives the transaction (`crate::Session`).
    pub ctx: Context,
    pub token: TokenId,
    pub token_info: TokenInfo,
    pub read_only: bool,
    /// The call's input, the same for every entry (borsh of the operation for hooks, args otherwise).
    pub input: Vec<u8>,
    /// Whether the running entry is an operation pipeline's before-hook (may call `cancel_native`).
    pub in_before_hook: bool,
    /// Whether the before-hook cancelled the native mutation.
    pub native_cancelled: bool,
    pub overlay: Overlay<'a>,
    /// Where the trace and the checkpoints are recorded.
    pub observer: Observer,
    pub meter: GasMeter,
    pub events: Vec<Event>,
    pub logs: Vec<LogRecord>,
    pub return_data: Vec<u8>,
    pub revert_reason: Vec<u8>,
    /// Set once the instance exists (no host function can run before: start functions are banned).
    pub memory: Option<Memory>,
    pub gas_global: Option<Global>,
    /// The module's mutable globals (collected only when checkpoints are on).
    pub globals: Vec<Global>,
    /// What caused a failed status, set where the execution halts (`spec/abi.md#faults`).
    pub fault: Fault,
}

impl<'a> HostState<'a> {
    /// The state of an execution of `tx` over `view` under `rules`, before its first step: `input`
    /// is what every entry reads, `meter` holds the gas limit and checkpoint interval.
    pub(crate) fn new(
        rules: &'a Rules,
        tx: &Transaction<'_>,
        view: &'a dyn StateView,
        input: Vec<u8>,
        observer: Observer,
        meter: GasMeter,
    ) -> Self {
        let call = (tx.context.clone(), tx.invocation.token, tx.invocation.call.is_read_only());
        Self::start(rules, view, call, input, observer, meter)
    }

    /// The state before the first step; `call`: the context, the token and whether the call is
    /// read-only.
    fn start(
        rules: &'a Rules,
        view: &'a dyn StateView,
        (ctx, token, read_only): (Context, TokenId, bool),
        input: Vec<u8>,
        observer: Observer,
        meter: GasMeter,
    ) -> Self {
        Self {
            rules,
            ctx,
            token,
            token_info: TokenInfo::default(),
            read_only,
            input,
            in_before_hook: false,
            native_cancelled: false,
            overlay: Overlay::new(view, token),
            observer,
            meter,
            events: Vec::new(),
            logs: Vec::new(),
            return_data: Vec::new(),
            revert_reason: Vec::new(),
            memory: None,
            gas_global: None,
            globals: Vec::new(),
            fault: Fault::None,
        }
    }

    /// Applies `operation` asked for by `origin` (`spec/abi.md#mutations`).
    pub(crate) fn mutate(&mut self, origin: MutationOrigin, operation: &Operation) -> Result<(), Halt> {
        let policy = &self.token_info.policy;
        mutation::apply(&mut self.overlay, &mut self.observer, policy, origin, operation).map_err(Halt::from)
    }

    /// Charges `amount` outside guest code for `what` (loading, compiling, instantiating): there is
    /// no memory yet, so the checkpoints it crosses commit to the empty state.
    pub(crate) fn charge_outside(&mut self, amount: u64, what: Frame) -> Result<(), Halt> {
        let charged = self.meter.charge(amount);
        if let Some(p) = self.observer.profiler() {
            p.charged_at_root(what, self.meter.remaining());
        }
        self.observer.checkpoints(charged?, &[], &[]);
        Ok(())
    }
}

/// A host function's access to the caller: gas, memory, state.
pub(crate) struct Host<'r, 'c, 'a> {
    caller: &'r mut Caller<'c, HostState<'a>>,
    spec: &'static HostFn,
    memory: Memory,
    gas: Global,
}

/// A host function's results as the trace records them: none or one, sign-extended to 64 bits.
pub(crate) enum Results {
    None,
    One([i64; 1]),
}

impl Results {
    fn as_slice(&self) -> &[i64] {
        match self {
            Self::None => &[],
            Self::One(v) => v,
        }
    }
}

/// The results of a host function's return type.
pub(crate) trait TraceValues {
    fn values(&self) -> Results;
}

impl TraceValues for () {
    fn values(&self) -> Results {
        Results::None
    }
}

impl TraceValues for i32 {
    fn values(&self) -> Results {
        Results::One([i64::from(*self)])
    }
}

impl TraceValues for i64 {
    fn values(&self) -> Results {
        Results::One([*self])
    }
}

/// Runs host function `id` with the shape every host function shares (`spec/abi.md#host-functions`):
/// take the gas global into the meter, charge `base`, run `body`, record the `HostCall` trace event
/// (also when the call halts), put the gas back into the global.
pub(crate) fn host_call<'c, 'a, T: TraceValues>(
    caller: &mut Caller<'c, HostState<'a>>,
    id: HostFnId,
    args: &[i64],
    body: impl FnOnce(&mut Host<'_, 'c, 'a>) -> Result<T, Halt>,
) -> Result<T, wasmi::Error> {
    let mut h = Host::new(caller, id)?;
    let gas_left = h.state().meter.remaining();
    let base = h.spec.base;
    let result = h.charge(base).and_then(|()| body(&mut h));
    let results = match &result {
        Ok(v) => v.values(),
        Err(_) => Results::None,
    };
    h.state().observer.host_call(id, gas_left, args, results.as_slice());
    let spec = h.spec;
    let state = h.state();
    if let Some(p) = state.observer.profiler() {
        p.host_call(spec.name, spec.base, gas_left, state.meter.remaining());
    }
    let value = result?;
    h.leave()?;
    Ok(value)
}

impl<'r, 'c, 'a> Host<'r, 'c, 'a> {
    /// Enters host function `id`: takes the gas global into the meter.
    fn new(caller: &'r mut Caller<'c, HostState<'a>>, id: HostFnId) -> Result<Self, Halt> {
        let (Some(memory), Some(gas)) = (caller.data().memory, caller.data().gas_global) else {
            return Err(Halt::Failure(VmError::Engine("host function called before instantiation".into())));
        };
        let global = val_u64(&gas.get(&*caller));
        caller.data_mut().meter.sync_from_global(global);
        Ok(Self { caller, spec: id.spec(), memory, gas })
    }

    pub(crate) fn state(&mut self) -> &mut HostState<'a> {
        self.caller.data_mut()
    }

    pub(crate) fn limits(&self) -> &crate::Limits {
        &self.caller.data().rules.limits
    }

    /// Charges `amount` gas, committing to the guest's state at every checkpoint it fires.
    pub(crate) fn charge(&mut self, amount: u64) -> Result<(), Halt> {
        let fired = self.caller.data_mut().meter.charge(amount)?;
        if fired.any() {
            commit_checkpoints(self.caller, self.memory, fired);
        }
        Ok(())
    }

    /// Charges this function's per-byte cost for `bytes` bytes.
    pub(crate) fn charge_bytes(&mut self, bytes: u64) -> Result<(), Halt> {
        self.charge(self.spec.per_byte.saturating_mul(bytes))
    }

    /// Checks a guest length against the limit `kind` (whose value is `max`); past it, the call
    /// halts with `LimitExceeded` naming `kind`.
    pub(crate) fn limit(&mut self, len: i32, max: u32, kind: LimitKind) -> Result<u32, Halt> {
        let len = len as u32;
        if len > max {
            return Err(self.exceeded(kind));
        }
        Ok(len)
    }

    /// Halts with `LimitExceeded`, naming the limit `kind`.
    pub(crate) fn exceeded(&mut self, kind: LimitKind) -> Halt {
        self.state().fault = Fault::Limit(kind);
        Halt::Status(StatusCode::LimitExceeded)
    }

    /// Halts with `InvalidArgument`, naming the argument `kind`.
    pub(crate) fn invalid(&mut self, kind: ArgumentKind) -> Halt {
        self.state().fault = Fault::Argument(kind);
        Halt::Status(StatusCode::InvalidArgument)
    }

    /// Checks that `[ptr, ptr + len)` is inside linear memory (step 4); past it, `BadPointer`.
    /// Charges nothing: every range of a call is checked before any per-byte charge.
    pub(crate) fn range(&self, ptr: i32, len: u32) -> Result<std::ops::Range<usize>, Halt> {
        let start = u64::from(ptr as u32);
        let end = start + u64::from(len);
        if end > self.memory.data_size(&*self.caller) as u64 {
            return Err(Halt::Status(StatusCode::BadPointer));
        }
        Ok(start as usize..end as usize)
    }

    /// Reads a checked guest range (step 5): per-byte charge for its length, then copy.
    pub(crate) fn read(&mut self, range: std::ops::Range<usize>) -> Result<Vec<u8>, Halt> {
        self.charge_bytes(range.len() as u64)?;
        Ok(self.memory.data(&*self.caller)[range].to_vec())
    }

    /// Reads a 32-byte value (address, hash) from a checked range of 32 bytes.
    /// Same charge as [`Host::read`], without allocating (addresses are read on every transfer).
    pub(crate) fn read32(&mut self, range: std::ops::Range<usize>) -> Result<[u8; 32], Halt> {
        self.charge_bytes(range.len() as u64)?;
        let mut out = [0; 32];
        out.copy_from_slice(&self.memory.data(&*self.caller)[range]);
        Ok(out)
    }

    /// Writes `bytes` to the start of a checked guest range (step 7): per-byte charge for
    /// `bytes.len()`, then copy. `bytes` must fit the range (callers guarantee it).
    pub(crate) fn write(&mut self, range: std::ops::Range<usize>, bytes: &[u8]) -> Result<(), Halt> {
        self.charge_bytes(bytes.len() as u64)?;
        self.copy_paid(range, bytes);
        Ok(())
    }

    /// Reads the executing token's storage entry named by the bytes of a checked guest range whose
    /// per-byte gas the caller has already charged (`storage_read`): the length of its value, if
    /// it has one. The key is looked up in place, not copied out of guest memory.
    pub(crate) fn storage_read(&mut self, key: std::ops::Range<usize>) -> Result<Option<usize>, Halt> {
        let (data, state) = self.memory.data_and_store_mut(&mut *self.caller);
        let value = state.overlay.storage(&mut state.observer, &data[key])?;
        Ok(value.map(<[u8]>::len))
    }

    /// Copies the value [`Host::storage_read`] found for the key at guest range `key` (at most
    /// `dst`'s length) to the start of the checked guest range `dst`, whose per-byte gas the caller
    /// has already charged: from the overlay straight into guest memory.
    pub(crate) fn copy_storage_value(&mut self, key: std::ops::Range<usize>, dst: std::ops::Range<usize>) {
        let (data, state) = self.memory.data_and_store_mut(&mut *self.caller);
        let value = state.overlay.storage_again(&data[key]).unwrap_or_default();
        let n = value.len().min(dst.len());
        data[dst.start..dst.start + n].copy_from_slice(&value[..n]);
    }

    /// Length of the current value of the executing token's storage entry named by the bytes of a
    /// checked guest range (0 if absent), without a trace event: what a write or remove replaces.
    pub(crate) fn storage_len(&mut self, key: std::ops::Range<usize>) -> Result<usize, Halt> {
        let (data, state) = self.memory.data_and_store_mut(&mut *self.caller);
        Ok(state.overlay.storage_len(&data[key])?)
    }

    /// Writes (`Some`) or removes (`None`) the executing token's storage entry named by the bytes
    /// of checked guest range `key`, to the bytes of checked guest range `value`, whose per-byte gas
    /// the caller has already charged: from guest memory straight into the overlay.
    pub(crate) fn storage_write(
        &mut self,
        key: std::ops::Range<usize>,
        value: Option<std::ops::Range<usize>>,
    ) -> Result<(), Halt> {
        let (data, state) = self.memory.data_and_store_mut(&mut *self.caller);
        let value = value.map(|value| &data[value]);
        Ok(state.overlay.write_storage(&mut state.observer, &data[key], value)?)
    }

    /// Copies `bytes` (at most the range's length) to the start of a checked guest range whose
    /// per-byte gas the caller has already charged.
    pub(crate) fn copy_paid(&mut self, range: std::ops::Range<usize>, bytes: &[u8]) {
        let n = bytes.len().min(range.len());
        self.memory.data_mut(&mut *self.caller)[range.start..range.start + n].copy_from_slice(&bytes[..n]);
    }

    /// Halts with `ReadOnlyViolation` inside a view.
    pub(crate) fn require_writable(&mut self) -> Result<(), Halt> {
        if self.state().read_only {
            return Err(Halt::Status(StatusCode::ReadOnlyViolation));
        }
        Ok(())
    }

    /// Leaves the host function: puts the remaining gas back into the global.
    fn leave(self) -> Result<(), wasmi::Error> {
        let value = self.caller.data().meter.global_value();
        self.gas
            .set(&mut *self.caller, Val::I64(value as i64))
            .map_err(|e| Halt::Failure(VmError::Engine(format!("cannot set the gas global: {e}"))).into())
    }
}

/// Records the checkpoints `fired`, committing to the guest's memory and mutable globals and to the
/// trace so far (`spec/trace.md#checkpoints`).
pub(crate) fn commit_checkpoints(caller: &mut Caller<'_, HostState<'_>>, memory: Memory, fired: Fired) {
    let globals: Vec<u64> = caller.data().globals.iter().map(|g| val_u64(&g.get(&*caller))).collect();
    let (data, state) = memory.data_and_store_mut(&mut *caller);
    state.observer.checkpoints(fired, data, &globals);
}

/// Reads an i64 global as the u64 it holds.
pub(crate) fn val_u64(v: &Val) -> u64 {
    match v {
        Val::I64(x) => *x as u64,
        Val::I32(x) => u64::from(*x as u32),
        _ => 0,
    }
}
