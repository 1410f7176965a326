//! The steps of one execution, in the order `spec/abi.md#execution` numbers them, and the
//! operation pipeline's steps (`spec/abi.md#operation-pipeline`).
//!
//! Each step either continues or ends the execution with a [`Halt`]: a status (an outcome, sealed
//! into a receipt) or a failure of the host (an `Err`, no receipt).

use super::call;
use super::finish::Seal;
use super::session::Kept;
use super::{Execution, Transaction};
use crate::host::{Halt, HostState};
use crate::observe::Frame;
use crate::runtime::{Prepared, RunInfo};
use crate::state::mutation;
use crate::Rules;
use abi::{Call, EntryKind, Fault, Hash32, HookKind, LimitKind, MutationOrigin, Operation, StatusCode};
use std::borrow::Cow;
use wasmi::{Module, Store};

/// How the steps ended: `Ok` when every step ran (`Success`), else the [`Halt`] of the step that
/// ended them.
pub(super) type Outcome = Result<(), Halt>;

/// One step of a call: an entry point (a hook's name is static, a view's or method's is made),
/// or the pipeline's native mutation.
pub(super) enum Step {
    Entry { export: Cow<'static, str>, before_hook: bool },
    Native(Operation),
}

/// A call's steps in order: at most three (a before-hook, the native mutation, an after-hook), held
/// in place rather than in a vector allocated per execution.
pub(super) struct Steps([Option<Step>; 3]);

impl IntoIterator for Steps {
    type Item = Step;
    type IntoIter = std::iter::Flatten<std::array::IntoIter<Option<Step>, 3>>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter().flatten()
    }
}

impl Steps {
    /// The one step `step`.
    fn one(step: Option<Step>) -> Self {
        Self([step, None, None])
    }
}

/// Runs the steps of `spec/abi.md#execution` in order, on the host state `host` makes, and seals
/// the execution with `seal`. `checkpoints`: whether checkpoints are recorded (their commitments
/// need the globals). `kept`: the session's kept instances and the code's hash, when the execution
/// runs in a [`crate::Session`] (an instance is then taken from it, or made and kept,
/// `spec/abi.md#instance-reuse`).
pub(super) fn run<'h>(
    rules: &Rules,
    tx: &Transaction<'_>,
    prepared: &Prepared,
    checkpoints: bool,
    host: impl FnOnce() -> HostState<'h>,
    kept: Option<(&mut Kept<'h>, Hash32)>,
    seal: Seal<'_>,
) -> crate::Result<Execution> {
    if let Some((kept, code_hash)) = kept {
        return kept.run(code_hash, tx, prepared, checkpoints, host, seal);
    }
    let mut host = host();
    let (module, info, steps) = match before_instance(rules, tx, prepared, &mut host) {
        Ok(ready) => ready,
        Err(halt) => return seal.seal(&mut host, Err(halt)),
    };
    let mut store = Store::new(module.engine(), host);
    let outcome = call::instantiate(&mut store, module, info, checkpoints)
        .and_then(|mut instance| run_steps(&mut store, &mut instance, steps));
    seal.seal(store.data_mut(), outcome)
}

/// Steps 1 to 5 up to the instance: what can end the execution before any guest code runs.
pub(super) fn before_instance<'p>(
    rules: &Rules,
    tx: &Transaction<'_>,
    prepared: &'p Prepared,
    host: &mut HostState<'_>,
) -> Result<(&'p Module, &'p RunInfo, Steps), Halt> {
    // 1. The token must exist. Its metadata is state read: the trace commits to it
    // (spec/trace.md#events).
    let info = host.overlay.token_info(&mut host.observer)?;
    host.token_info = info.ok_or(StatusCode::UnknownToken)?;
    // 2. Loading code is charged from its size, whatever the cache holds.
    host.charge_outside(rules.gas.load_cost(len_u32(tx.code.len())), Frame::Load)?;
    // 3. Validate, instrument, compile (done before the steps, or found in the cache); compiling a
    // valid module is charged from its structure (spec/gas.md#per-execution-costs), priced once
    // when the cache prepared it.
    let (module, info) = match prepared {
        Prepared::Ready { module, info } => (Some(module), info),
        Prepared::Invalid(e) => {
            tracing::debug!(error = %e, "module rejected");
            return Err(StatusCode::InvalidModule.into());
        }
        Prepared::EngineRejected { reason, info } => {
            tracing::debug!(error = %reason, "engine rejected a validated module");
            (None, info)
        }
    };
    host.charge_outside(info.compile_cost, Frame::Compile)?;
    // spec/abi.md#execution step 3: the engine's refusal is an outcome, paid like a compile.
    let module = module.ok_or(StatusCode::EngineRejected)?;
    // 4. Resolve the entry points and the input.
    let steps = resolve(&tx.invocation.call, info)?;
    if let Call::View { args, .. } | Call::Method { args, .. } = &tx.invocation.call {
        if args.len() > rules.limits.max_input_len as usize {
            host.fault = Fault::Limit(LimitKind::MaxInputLen);
            return Err(StatusCode::LimitExceeded.into());
        }
    }
    // 5. Instantiation is charged per memory page and per data-segment byte (the instance is made
    // by `call::instantiate`).
    host.charge_outside(rules.gas.instantiate_cost(info.memory_pages, info.data_bytes), Frame::Instantiate)?;
    Ok((module, info, steps))
}

/// Step 6: runs the steps in order (the pipeline's native mutation between its hooks).
pub(super) fn run_steps(
    store: &mut Store<HostState<'_>>,
    instance: &mut call::Instance,
    steps: Steps,
) -> Outcome {
    for step in steps {
        match step {
            Step::Entry { export, before_hook } => {
                let host = store.data_mut();
                host.in_before_hook = before_hook;
                let gas_left = host.meter.remaining();
                host.observer.entry(&export, gas_left);
                let called = call::call_entry(store, instance, export);
                let host = store.data_mut();
                if let Some(p) = host.observer.profiler() {
                    p.entry_end(host.meter.remaining());
                }
                called?;
            }
            // spec/abi.md#operation-pipeline: a before-hook may cancel the native mutation.
            Step::Native(_) if store.data().native_cancelled => {}
            Step::Native(op) => {
                let host = store.data_mut();
                let mutated = host.mutate(MutationOrigin::Native, &op);
                if let Some(p) = host.observer.profiler() {
                    p.charged_at_root(Frame::Native, host.meter.remaining());
                }
                mutated?;
            }
        }
    }
    Ok(())
}

/// The input every entry of `call` reads: borsh of the operation for hooks, the args otherwise.
pub(super) fn call_input(call: &Call) -> Vec<u8> {
    match call {
        // Serializing into a Vec cannot fail.
        Call::Operation { operation } | Call::Hook { operation, .. } => {
            borsh::to_vec(operation).unwrap_or_default()
        }
        Call::View { args, .. } | Call::Method { args, .. } => args.clone(),
    }
}

fn len_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// The steps a call runs (`spec/abi.md#entry-points`).
fn resolve(call: &Call, info: &RunInfo) -> Result<Steps, StatusCode> {
    let hook_step = |hook: HookKind, before_hook: bool| {
        let export = hook.export_name();
        info.exports(export).then_some(Step::Entry { export: Cow::Borrowed(export), before_hook })
    };
    match call {
        Call::Operation { operation } => {
            let (before, after) = HookKind::pipeline(operation);
            let native = mutation::has_native_step(operation).then(|| Step::Native(operation.clone()));
            Ok(Steps([hook_step(before, true), native, after.and_then(|a| hook_step(a, false))]))
        }
        Call::Hook { hook, .. } => Ok(Steps::one(hook_step(*hook, false))),
        Call::View { name, .. } | Call::Method { name, .. } => {
            let kind = if call.is_read_only() { EntryKind::View } else { EntryKind::Method };
            let export = abi::entry_export_name(kind, name)
                .filter(|e| info.exports(e))
                .ok_or(StatusCode::EntryNotFound)?;
            Ok(Steps::one(Some(Step::Entry { export: Cow::Owned(export), before_hook: false })))
        }
    }
}
