//! Profiled execution (`spec/profile.md`): the same execution as [`Vm::execute_with`], run on the
//! profiling variant of the instrumented module, with the gas profile it collects.

use super::{check_interval, ExecOptions, Execution, Transaction, Vm};
use crate::observe::{Observer, Profile};
use crate::prepare::instrument::instrument_profiling;
use crate::runtime::{engine_config, Prepared, RunInfo};
use crate::{validate, ModuleInfo, Rules, StateView, VmError};
use wasmi::{Engine, Module};

impl Vm {
    /// Executes `tx` against `state` as [`Vm::execute_with`] does, and profiles its gas: the
    /// execution (receipt, checkpoints, witness, trace) is the one `execute_with` gives, and the
    /// profile's total is its `gas_used` (`spec/profile.md#attribution`).
    ///
    /// # Errors
    /// As [`Vm::execute_with`], and [`VmError::Engine`] if the profiling variant of a module the
    /// engine compiles fails to compile.
    pub fn profile(
        &self,
        state: &dyn StateView,
        tx: &Transaction<'_>,
        options: &ExecOptions,
    ) -> crate::Result<(Execution, Profile)> {
        check_interval(options.checkpoint_interval)?;
        let entry = self.cache.get_or_prepare(tx.code, &self.rules)?;
        // The cache keeps only what an execution reads of a valid module's info; the profiling
        // variant and the function names need all of it: validation gives it again, the same.
        let info = match &entry.prepared {
            Prepared::Ready { .. } | Prepared::EngineRejected { .. } => {
                Some(validate(tx.code, &self.rules.limits).map_err(|e| {
                    VmError::Engine(format!("a module the cache holds as valid fails validation: {e}"))
                })?)
            }
            Prepared::Invalid(_) => None,
        };
        // An invalid or engine-rejected module runs no guest code: it is profiled as it is.
        let profiled = match (&entry.prepared, &info) {
            (Prepared::Ready { .. }, Some(info)) => Some(prepare_profiling(tx.code, info, &self.rules)?),
            _ => None,
        };
        let prepared = profiled.as_ref().unwrap_or(&entry.prepared);
        let observer = Observer::new(Some(options.trace)).with_profiler(tx.gas_limit);
        let interval = options.checkpoint_interval;
        let mut profiler = None;
        let execution = self.run_prepared(
            state,
            tx,
            interval,
            observer,
            (entry.code_hash, prepared),
            &mut profiler,
            None,
            true,
        )?;
        let profiler =
            profiler.ok_or_else(|| VmError::Engine("the profiler vanished during execution".into()))?;
        let names = info.map(|info| info.func_names).unwrap_or_default();
        let gas_used = execution.receipt.gas_used;
        let profile = profiler.finish(tx.gas_limit - gas_used, gas_used, names);
        Ok((execution, profile))
    }
}

/// The profiling variant of a module the cache prepared as `Ready` with `info`, compiled in an
/// engine of its own (never cached: profiling is not on the consensus path).
fn prepare_profiling(code: &[u8], info: &ModuleInfo, rules: &Rules) -> crate::Result<Prepared> {
    let wasm = instrument_profiling(code, info, &rules.gas, &rules.limits)
        .map_err(|e| VmError::Engine(format!("profiling instrumentation failed: {e}")))?;
    let engine = Engine::new(&engine_config(rules));
    // As in the cache (vm/src/runtime/cache.rs): a translator panic is contained, never passed on.
    let compiled = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| Module::new(&engine, &wasm)));
    let module = match compiled {
        Ok(Ok(module)) => module,
        Ok(Err(e)) => return Err(VmError::Engine(format!("the engine rejected the profiling variant: {e}"))),
        Err(_) => return Err(VmError::Engine("the engine panicked compiling the profiling variant".into())),
    };
    Ok(Prepared::Ready { module, info: RunInfo::new(info, &rules.gas) })
}
