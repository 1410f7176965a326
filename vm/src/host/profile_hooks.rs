//! The profiling variant's hooks (`spec/profile.md#hooks`): `tsvm.__profile_enter` at every guest
//! function entry and `tsvm.__profile_resume` after every call. They charge nothing and touch no
//! state or trace: they read the gas global (current at both points, `spec/gas.md#synced-blocks`)
//! and tell the profiler.

use super::{val_u64, Halt, HostState};
use crate::VmError;
use wasmi::{Caller, Extern, Func, Store};

/// The remaining gas the gas global stands for, read without syncing the meter.
fn remaining(c: &Caller<'_, HostState<'_>>) -> Result<u64, wasmi::Error> {
    let Some(gas) = c.data().gas_global else {
        return Err(Halt::Failure(VmError::Engine("profile hook before instantiation".into())).into());
    };
    Ok(c.data().meter.remaining_at(val_u64(&gas.get(c))))
}

/// `__profile_enter(func_index) -> depth`: guest function `func_index` starts.
fn enter(mut c: Caller<'_, HostState<'_>>, func: i32) -> Result<i32, wasmi::Error> {
    let remaining = remaining(&c)?;
    let depth = c.data_mut().observer.profiler().map_or(0, |p| p.enter(func as u32, remaining));
    Ok(depth as i32)
}

/// `__profile_resume(depth)`: a call returned to the activation at `depth`.
fn resume(mut c: Caller<'_, HostState<'_>>, depth: i32) -> Result<(), wasmi::Error> {
    let remaining = remaining(&c)?;
    if let Some(p) = c.data_mut().observer.profiler() {
        p.resume(depth as u32, remaining);
    }
    Ok(())
}

/// Appends the hooks to an instance's externs when the execution is profiled (the profiling
/// variant imports them after `__gas_slow`; the consensus module does not import them).
pub(crate) fn push_imports(store: &mut Store<HostState<'_>>, externs: &mut Vec<Extern>) {
    if store.data_mut().observer.profiler().is_some() {
        externs.push(Extern::Func(Func::wrap(&mut *store, enter)));
        externs.push(Extern::Func(Func::wrap(&mut *store, resume)));
    }
}
