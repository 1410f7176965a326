//! The execution API for nodes: [`Vm`] (`spec/abi.md#execution`).
//!
//! One call of [`Vm::execute`] is one atomic execution: a view, a method, one hook, or an
//! operation's whole pipeline (before-hook, native mutation, after-hook). It reads state only
//! through the node's [`StateView`] and returns a [`Receipt`]; nothing is applied unless the status is
//! `Success`, and then only through the receipt's diff.
//!
//! - this file: the API ([`Vm`], [`Transaction`], [`ExecOptions`], [`Execution`]);
//! - [`pipeline`]: the numbered steps of `spec/abi.md#execution` and the native step;
//! - [`call`]: instantiating, calling an entry, and classifying what the engine reports;
//! - [`finish`]: sealing the receipt;
//! - [`block`]: blocks of transactions, in sequence or in lanes by token (`spec/block.md`).
//! - [`profile`]: profiled execution ([`Vm::profile`], `spec/profile.md`);
//! - [`session`]: many executions over one view, instances kept and reset ([`Session`]).

mod block;
mod call;
mod finish;
mod pipeline;
mod profile;
mod session;

pub use block::{block_commitments, BlockExecution};
pub use session::{Session, KEEP_MAX_MODULES, KEEP_MAX_PAGES};

use crate::host::HostState;
use crate::observe::meter::GasMeter;
use crate::observe::profiler::Profiler;
use crate::observe::{Observer, TraceLevel};
use crate::runtime::{ModuleCache, Prepared};
use crate::{Rules, StateView, VmError, DEFAULT_CACHE_CODE_BYTES, DEFAULT_CACHE_MODULES};
use abi::{Checkpoint, Context, Hash32, Invocation, Receipt, TraceEvent, TxData, Witness};

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

impl<'a> Transaction<'a> {
    /// The transaction `data` holds, when its code is given as bytes (`None` for a code hash: the
    /// executor resolves it to bytes first).
    pub fn from_data(data: &'a TxData) -> Option<Self> {
        Some(Self {
            code: data.code_bytes()?,
            invocation: &data.invocation,
            context: &data.context,
            gas_limit: data.gas_limit,
        })
    }
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
        // Only the receipt is returned: the witness is not gathered.
        let options = ExecOptions::default();
        Ok(self.run(state, tx, options.checkpoint_interval, Some(options.trace), None, false)?.receipt)
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
        self.run(state, tx, options.checkpoint_interval, Some(options.trace), None, true)
    }

    /// Executes `tx` against `state` recording no trace at all: the receipt's `trace_hash` is zero,
    /// so it matches no node's receipt. **For measuring the trace's cost only; never for
    /// consensus.**
    ///
    /// # Errors
    /// As [`Vm::execute`].
    #[doc(hidden)]
    pub fn execute_untraced_for_measurement(
        &self,
        state: &dyn StateView,
        tx: &Transaction<'_>,
    ) -> crate::Result<Execution> {
        self.run(state, tx, 0, None, None, true)
    }

    /// One execution, traced at `trace` (`None`: untraced), on an instance of `kept` when in a
    /// session; the witness's entries gathered only with `witness` (a caller that keeps only the
    /// receipt does without them).
    fn run<'h>(
        &'h self,
        state: &'h dyn StateView,
        tx: &Transaction<'_>,
        interval: u64,
        trace: Option<TraceLevel>,
        mut kept: Option<&mut session::Kept<'h>>,
        witness: bool,
    ) -> crate::Result<Execution> {
        check_interval(interval)?;
        // The cache gives the code's blake3 hash without rehashing the code on every call. A
        // session's next execution of the same code takes the module it kept, without the cache's
        // lock (what the cache holds never changes a result, spec/abi.md#module-cache).
        let entry = match kept.as_deref_mut().and_then(|k| k.take_last(tx.code)) {
            Some(entry) => entry,
            None => self.cache.get_or_prepare(tx.code, &self.rules)?,
        };
        let observer = Observer::new(trace);
        let prepared = (entry.code_hash, &entry.prepared);
        let kept_now = kept.as_deref_mut();
        let run = self.run_prepared(state, tx, interval, observer, prepared, &mut None, kept_now, witness);
        if let Some(kept) = kept {
            kept.remember(entry);
        }
        run
    }

    /// One execution of `code`'s prepared module (with the code's hash) recorded by `observer`; the
    /// observer's profiler, if it has one, is left in `profiler` (an out-parameter: the execution is
    /// returned as it is, without a tuple to move it through).
    ///
    /// `kept`: a session's kept instances (`spec/abi.md#instance-reuse`), `None` for a fresh one.
    #[allow(clippy::too_many_arguments)]
    fn run_prepared<'h>(
        &'h self,
        state: &'h dyn StateView,
        tx: &Transaction<'_>,
        interval: u64,
        mut observer: Observer,
        (code_hash, prepared): (Hash32, &Prepared),
        profiler: &mut Option<Profiler>,
        kept: Option<&mut session::Kept<'h>>,
        witness: bool,
    ) -> crate::Result<Execution> {
        // Every entry of a call sees the same input (`spec/abi.md#entry-points`): encode it once.
        let input = pipeline::call_input(&tx.invocation.call);
        observer.start(self.rules_hash, code_hash, tx, &input);
        let meter = GasMeter::new(tx.gas_limit, interval);
        // The host state is made where it stays for the execution, in its store: it is large
        // enough for each move to show in a profile.
        let host = || HostState::new(&self.rules, tx, state, input, observer, meter);
        let kept = kept.map(|k| (k, code_hash));
        let seal = finish::Seal { rules_hash: self.rules_hash, witness, profiler };
        let execution = pipeline::run(&self.rules, tx, prepared, interval > 0, host, kept, seal)?;
        #[cfg(feature = "platform-canary")]
        let execution = crate::canary::skew(execution);
        Ok(execution)
    }
}

/// A checkpoint interval must be 0 or at least [`crate::MIN_CHECKPOINT_INTERVAL`].
fn check_interval(interval: u64) -> crate::Result<()> {
    if interval != 0 && interval < crate::MIN_CHECKPOINT_INTERVAL {
        return Err(VmError::CheckpointInterval { interval, min: crate::MIN_CHECKPOINT_INTERVAL });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use abi::{Call, Code, TokenId};

    #[test]
    fn a_transaction_borrows_from_tx_data_with_code_bytes_only() {
        let invocation =
            Invocation { token: TokenId([1; 32]), call: Call::View { name: "v".into(), args: vec![] } };
        let data =
            TxData { code: Code::Bytes(vec![1, 2]), invocation, context: Context::default(), gas_limit: 9 };
        let tx = Transaction::from_data(&data).expect("code bytes");
        assert_eq!(
            (tx.code, tx.invocation, tx.context, tx.gas_limit),
            (&[1u8, 2][..], &data.invocation, &data.context, 9)
        );
        let by_hash = TxData { code: Code::Hash(Hash32::ZERO), ..data.clone() };
        assert!(Transaction::from_data(&by_hash).is_none());
    }
}
