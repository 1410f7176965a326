//! The scenario runner (`spec/scenario.md#running`): resolves every value of a file to bytes first
//! (so a bad value stops the file before anything runs), then runs the steps in order on a
//! [`TestChain`], checking each step's expectations and reporting every step.

use super::{ScenarioFile, Step, StepCall, TypedValues, ValueRole};
use crate::check::{self, Mismatch};
use crate::{Error, Result, TestChain};
use abi::{Call, Event, Fault, StatusCode};
use serde::Serialize;
use vm::InMemoryState;

/// One step's result.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct StepReport {
    /// 1 for the first step.
    pub index: usize,
    /// The step's name.
    pub name: String,
    /// Whether every expectation held.
    pub passed: bool,
    /// The status.
    pub status: StatusCode,
    /// The fault.
    pub fault: Fault,
    /// The revert reason as text (lossy UTF-8), if the step reverted.
    pub revert_reason: Option<String>,
    /// Gas used.
    pub gas_used: u64,
    /// The gas limit the step ran with.
    pub gas_limit: u64,
    /// The events.
    pub events: Vec<Event>,
    /// What differed from the expectations, in the order of `spec/scenario.md#expectations`.
    pub mismatches: Vec<Mismatch>,
}

/// Every step's result, in order.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct ScenarioReport {
    /// The steps.
    pub steps: Vec<StepReport>,
}

impl ScenarioReport {
    /// Whether every step passed.
    pub fn passed(&self) -> bool {
        self.steps.iter().all(|s| s.passed)
    }

    /// The steps that did not pass.
    pub fn failed(&self) -> impl Iterator<Item = &StepReport> {
        self.steps.iter().filter(|s| !s.passed)
    }
}

/// An expected storage entry: its key, its bytes (`None`: absent), and its typed value if given so.
type ExpectedEntry<'a> = (&'a [u8], Option<Vec<u8>>, Option<&'a serde_json::Value>);

/// A step with every value as bytes (and, for failed checks, where the typed ones stand).
struct Resolved<'a> {
    call: Call,
    return_role: ValueRole<'a>,
    return_data: Option<Vec<u8>>,
    events: Option<Vec<Event>>,
    storage: Vec<ExpectedEntry<'a>>,
}

/// A failed check of a typed expectation, with the typed values next to the hex.
fn with_types(
    mut m: Mismatch,
    typed: &dyn TypedValues,
    role: ValueRole<'_>,
    expected: Option<&serde_json::Value>,
    actual: Option<&[u8]>,
) -> Mismatch {
    if let Some(json) = expected {
        m.expected = format!("{json} ({})", m.expected);
        if let Some(shown) = actual.and_then(|b| typed.decode(role, b)) {
            m.actual = format!("{shown} ({})", m.actual);
        }
    }
    m
}

fn resolve<'a>(i: usize, step: &'a Step, typed: &dyn TypedValues) -> Result<Resolved<'a>> {
    let at = |field: &str| format!("steps[{i}] `{}`, {field}", step.name);
    let bytes = |field: &str, v: &super::Value, role: ValueRole<'_>| {
        v.resolve(role, typed).map_err(|why| Error::Value { at: at(field), why })
    };
    let (call, return_role) = match &step.call {
        StepCall::Native(call) => (call.clone(), ValueRole::HookReturn),
        StepCall::View(name, args) => {
            let args = bytes("call.args", args, ValueRole::ViewArgs(name))?;
            (Call::View { name: name.clone(), args }, ValueRole::ViewReturn(name))
        }
        StepCall::Method(name, args) => {
            let args = bytes("call.args", args, ValueRole::MethodArgs(name))?;
            (Call::Method { name: name.clone(), args }, ValueRole::MethodReturn(name))
        }
    };
    let expect = &step.expect;
    let return_data =
        expect.return_data.as_ref().map(|v| bytes("expect.return", v, return_role)).transpose()?;
    let events = expect
        .events
        .as_ref()
        .map(|list| {
            list.iter()
                .enumerate()
                .map(|(j, e)| {
                    let topic = e.topic.as_bytes();
                    let data =
                        bytes(&format!("expect.events[{j}].data"), &e.data, ValueRole::EventData(topic))?;
                    Ok(Event { topic: topic.to_vec(), data })
                })
                .collect::<Result<Vec<_>>>()
        })
        .transpose()?;
    let mut storage = Vec::new();
    for (key, value) in expect.storage.iter().flatten() {
        let k = key.as_bytes();
        let field = format!("expect.storage.{key}");
        let v = value.as_ref().map(|v| bytes(&field, v, ValueRole::StorageValue(k))).transpose()?;
        storage.push((k, v, value.as_ref().and_then(super::Value::typed)));
    }
    Ok(Resolved { call, return_role, return_data, events, storage })
}

/// Runs a scenario: `code` and `state` are the file's module and initial state, loaded by the
/// caller (the CLI reads files bounded and strict); `typed` encodes typed values ([`super::HexOnly`]
/// for a module without an ABI).
///
/// Every step runs, whatever the steps before it did; each is checked against its expectations in
/// the order of `spec/scenario.md#expectations`.
///
/// # Errors
/// A value that cannot be resolved to bytes (nothing has run then), or a failure of the VM itself.
pub fn run_scenario(
    file: &ScenarioFile,
    code: Vec<u8>,
    state: InMemoryState,
    typed: &dyn TypedValues,
) -> Result<ScenarioReport> {
    let resolved =
        file.steps.iter().enumerate().map(|(i, s)| resolve(i, s, typed)).collect::<Result<Vec<_>>>()?;
    let mut chain = TestChain::with_state(code, state, file.token)
        .with_context(file.context.clone())
        .with_gas_limit(file.gas_limit);
    let mut report = ScenarioReport::default();
    for (step, resolved) in file.steps.iter().zip(resolved) {
        if let Some(height) = step.height {
            chain.set_height(height);
        }
        if let Some(ts) = step.timestamp_ms {
            chain.set_timestamp_ms(ts);
        }
        chain.step(step.name.clone());
        if let Some(caller) = step.caller {
            chain.as_caller(caller);
        }
        let gas_limit = step.gas_limit.unwrap_or(file.gas_limit);
        let outcome = chain.gas(gas_limit).try_call(resolved.call.clone())?;
        let r = &outcome.receipt;
        let e = &step.expect;
        let (state, token) = (chain.state(), &file.token);
        let checks = [
            Some(check::status(r, e.status)),
            e.fault.map(|f| check::fault(r, f)),
            e.revert_reason.as_ref().map(|reason| check::revert_reason(r, reason.as_bytes())),
            resolved.return_data.as_ref().map(|d| {
                let typed_return = e.return_data.as_ref().and_then(super::Value::typed);
                check::return_data(r, d).map_err(|m| {
                    with_types(m, typed, resolved.return_role, typed_return, Some(&r.return_data))
                })
            }),
            resolved.events.as_ref().map(|list| check::events(r, list)),
            e.gas_used.map(|g| check::gas_used(r, g)),
            e.supply.map(|s| check::supply(state, token, s.0)),
        ];
        let balances = e.balances.iter().flatten().map(|(a, v)| check::balance(state, token, a, v.0));
        let storage = resolved.storage.iter().map(|&(k, ref v, json)| {
            check::storage(state, token, k, v.as_deref()).map_err(|m| {
                let actual = chain.storage(k);
                with_types(m, typed, ValueRole::StorageValue(k), json, actual.as_deref())
            })
        });
        let mismatches: Vec<Mismatch> =
            checks.into_iter().flatten().chain(balances).chain(storage).filter_map(|c| c.err()).collect();
        report.steps.push(StepReport {
            index: outcome.index,
            name: outcome.name.clone(),
            passed: mismatches.is_empty(),
            status: r.status,
            fault: r.fault,
            revert_reason: (r.status == StatusCode::Reverted).then(|| outcome.revert_reason()),
            gas_used: r.gas_used,
            gas_limit,
            events: r.events.clone(),
            mismatches,
        });
    }
    Ok(report)
}
