//! Instantiating the module, calling one entry, and classifying what the engine reports
//! (`spec/abi.md#execution` steps 5 and 6, `spec/abi.md#faults`).

use crate::host::{imports, val_u64, Halt, HostState};
use crate::runtime::RunInfo;
use crate::STACK_OVERFLOW_SENTINEL;
use crate::{VmError, GAS_GLOBAL_EXPORT, GLOBAL_EXPORT_PREFIX, STACK_GLOBAL_EXPORT};
use abi::{Fault, LimitKind, StatusCode, TrapKind};
use std::borrow::Cow;
use wasmi::{Global, Memory, Module, Store, TrapCode, TypedFunc, Val};

/// An instance with the meter globals the instrumenter exports.
pub(super) struct Instance {
    pub(super) instance: wasmi::Instance,
    pub(super) gas: Global,
    sp: Global,
    pub(super) memory: Memory,
    /// The entries called so far, by export name: a kept instance (`crate::Session`) finds an entry
    /// here instead of looking up the export and checking its type on every execution.
    entries: Vec<(Cow<'static, str>, TypedFunc<(), ()>)>,
}

/// Step 5: instantiates `module` (memory at its declared minimum). An out-of-bounds data or
/// element segment is a trap of the script. `checkpoints`: collect the mutable globals checkpoints
/// commit to.
pub(super) fn instantiate(
    store: &mut Store<HostState<'_>>,
    module: &Module,
    info: &RunInfo,
    checkpoints: bool,
) -> Result<Instance, Halt> {
    let externs = imports(store, &info.imports);
    let instance = match wasmi::Instance::new(&mut *store, module, &externs) {
        Ok(instance) => instance,
        Err(err) => return Err(classify(err, false, &mut store.data_mut().fault, "instantiating")),
    };
    let memory = instance.get_memory(&*store, abi::names::MEMORY_EXPORT);
    let gas = instance.get_global(&*store, GAS_GLOBAL_EXPORT);
    let sp = instance.get_global(&*store, STACK_GLOBAL_EXPORT);
    let (Some(memory), Some(gas), Some(sp)) = (memory, gas, sp) else {
        return Err(Halt::Failure(VmError::Engine(
            "instrumented module lacks memory or meter globals".into(),
        )));
    };
    if checkpoints {
        store.data_mut().globals = mutable_globals(store, &instance);
    }
    store.data_mut().memory = Some(memory);
    store.data_mut().gas_global = Some(gas);
    Ok(Instance { instance, gas, sp, memory, entries: Vec::new() })
}

/// Calls one exported `() -> ()` entry; `Err` when it halted.
pub(super) fn call_entry(
    store: &mut Store<HostState<'_>>,
    instance: &mut Instance,
    export: Cow<'static, str>,
) -> Result<(), Halt> {
    let Instance { instance, gas, sp, entries, .. } = instance;
    let func = match entries.iter().find(|(name, _)| *name == export) {
        Some((_, func)) => *func,
        None => {
            let func = instance.get_typed_func::<(), ()>(&*store, &export).map_err(|e| {
                Halt::Failure(VmError::Engine(format!(
                    "entry {export} has the wrong type after validation: {e}"
                )))
            })?;
            entries.push((export, func));
            func
        }
    };
    let engine_err = |e: wasmi::errors::GlobalError| {
        Halt::Failure(VmError::Engine(format!("cannot set a meter global: {e}")))
    };
    let start = store.data().meter.global_value();
    gas.set(&mut *store, Val::I64(start as i64)).map_err(engine_err)?;
    sp.set(&mut *store, Val::I32(0)).map_err(engine_err)?;
    let Err(err) = func.call(&mut *store, ()) else {
        let g = val_u64(&gas.get(&*store));
        store.data_mut().meter.sync_from_global(g);
        return Ok(());
    };
    if err.downcast_ref::<Halt>().is_none() {
        // A trap of the guest: take the gas it had paid for (a host halt synced it already).
        let g = val_u64(&gas.get(&*store));
        store.data_mut().meter.sync_from_global(g);
    }
    let overflowed = matches!(sp.get(&*store), Val::I32(STACK_OVERFLOW_SENTINEL));
    Err(classify(err, overflowed, &mut store.data_mut().fault, "calling an entry"))
}

/// What a wasmi error ends the execution with: the one place an engine error becomes an outcome
/// (`spec/abi.md#faults`). A host function's halt passes through; when the stack meter tripped
/// (`overflowed`), `stack_overflow`; a trap of the script is `trap` with its kind; anything else is
/// a failure of the engine (`during` says where, for the message). Sets `fault` for each outcome.
fn classify(err: wasmi::Error, overflowed: bool, fault: &mut Fault, during: &str) -> Halt {
    if err.downcast_ref::<Halt>().is_some() {
        return err
            .downcast::<Halt>()
            .unwrap_or_else(|| Halt::Failure(VmError::Engine("a host halt vanished".into())));
    }
    if overflowed {
        *fault = Fault::Limit(LimitKind::MaxStackUnits);
        return Halt::Status(StatusCode::StackOverflow);
    }
    match trap_kind(&err) {
        Some(kind) => {
            *fault = Fault::Trap(kind);
            Halt::Status(StatusCode::Trap)
        }
        None => Halt::Failure(VmError::Engine(format!("engine failure outside the spec, {during}: {err}"))),
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

/// The module's mutable globals in index order (the instrumenter exports them).
pub(super) fn mutable_globals(store: &Store<HostState<'_>>, instance: &wasmi::Instance) -> Vec<Global> {
    let mut found: Vec<(u32, Global)> = instance
        .exports(store)
        .filter_map(|e| {
            let index = e.name().strip_prefix(GLOBAL_EXPORT_PREFIX)?.parse().ok()?;
            Some((index, e.into_global()?))
        })
        .collect();
    found.sort_by_key(|(i, _)| *i);
    found.into_iter().map(|(_, g)| g).collect()
}
