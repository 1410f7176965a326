//! The scenario file as written (`spec/scenario.md#format`): strict JSON, every object refusing
//! unknown fields, paths relative to the file.

use super::Value;
use crate::{default_context, DEFAULT_GAS_LIMIT, DEFAULT_TOKEN};
use abi::{Address, Call, Context, Fault, StatusCode, TokenId};
use serde::{Deserialize, Deserializer};
use std::collections::BTreeMap;
use std::path::PathBuf;
use vm::InMemoryState;

/// A scenario file (`spec/scenario.md#format`).
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScenarioFile {
    /// The module, relative to the file: `.wat` text or a binary.
    pub module: PathBuf,
    /// The initial state: a state file's path (relative to the file) or an inline state object.
    pub state: StateSource,
    /// The token whose script runs (default [`DEFAULT_TOKEN`]).
    #[serde(default = "default_token")]
    pub token: TokenId,
    /// The initial context (default [`default_context`]).
    #[serde(default = "default_context")]
    pub context: Context,
    /// The gas limit of a step that names none (default [`DEFAULT_GAS_LIMIT`]).
    #[serde(default = "default_gas_limit")]
    pub gas_limit: u64,
    /// The steps, in order.
    pub steps: Vec<Step>,
}

fn default_token() -> TokenId {
    DEFAULT_TOKEN
}

fn default_gas_limit() -> u64 {
    DEFAULT_GAS_LIMIT
}

/// Where the initial state comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StateSource {
    /// A state file (the `tsvm run` state format), relative to the scenario file.
    File(PathBuf),
    /// The state itself.
    Inline(InMemoryState),
}

impl<'de> Deserialize<'de> for StateSource {
    /// A string is a path; an object is a state (its fields checked, and named on error, as in a
    /// state file).
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = StateSource;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a state file's path or a state object")
            }
            fn visit_str<E: serde::de::Error>(self, s: &str) -> Result<StateSource, E> {
                Ok(StateSource::File(s.into()))
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, map: A) -> Result<StateSource, A::Error> {
                InMemoryState::deserialize(serde::de::value::MapAccessDeserializer::new(map))
                    .map(StateSource::Inline)
            }
        }
        d.deserialize_any(Visitor)
    }
}

/// One step: a call, optional changes to its context, and what it must produce.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Step {
    /// Its name, shown in the report.
    pub name: String,
    /// What to run.
    pub call: StepCall,
    /// Who signs this step only (default: the context's caller).
    #[serde(default)]
    pub caller: Option<Address>,
    /// The chain moves to this height, from this step on.
    #[serde(default)]
    pub height: Option<u64>,
    /// The chain's clock moves to this timestamp, from this step on.
    #[serde(default)]
    pub timestamp_ms: Option<u64>,
    /// This step's gas limit only.
    #[serde(default)]
    pub gas_limit: Option<u64>,
    /// What the step must produce.
    pub expect: Expect,
}

/// A step's call: the call JSON of transaction files (`spec/abi.md#invocations`), except that the
/// `args` of a view or method are a [`Value`] (and optional: none are no bytes).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StepCall {
    /// An operation's pipeline or one hook: exactly as in a transaction file.
    Native(Call),
    /// A view: its name and arguments.
    View(String, Value),
    /// A method: its name and arguments.
    Method(String, Value),
}

/// A view or method call as written.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EntryCall {
    kind: String,
    name: String,
    #[serde(default)]
    args: Value,
}

impl<'de> Deserialize<'de> for StepCall {
    /// Told by `kind`: `view` and `method` read their `args` as a [`Value`]; anything else is read as
    /// a transaction file's call (whose error lists the kinds when `kind` is unknown).
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use serde::de::Error as _;
        let v = serde_json::Value::deserialize(d)?;
        match v.get("kind").and_then(serde_json::Value::as_str) {
            Some("view" | "method") => {
                let e: EntryCall = serde_json::from_value(v).map_err(D::Error::custom)?;
                Ok(if e.kind == "view" { Self::View(e.name, e.args) } else { Self::Method(e.name, e.args) })
            }
            _ => serde_json::from_value(v).map(Self::Native).map_err(D::Error::custom),
        }
    }
}

/// A decimal amount (`spec/abi.md#amounts`): a string of digits, no sign, no leading zero.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DecimalAmount(pub u128);

impl<'de> Deserialize<'de> for DecimalAmount {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        abi::hex::amount::deserialize(d).map(Self)
    }
}

/// What a step must produce (`spec/scenario.md#expectations`). Only `status` is required; each
/// other field, when given, is checked.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Expect {
    /// The status (its JSON name: `success`, `reverted`, `out_of_gas`, ...).
    pub status: StatusCode,
    /// The fault, in the receipt's JSON form (`{"trap": "unreachable"}`, `"none"`).
    #[serde(default)]
    pub fault: Option<Fault>,
    /// The revert reason, as UTF-8 text.
    #[serde(default)]
    pub revert_reason: Option<String>,
    /// The return data.
    #[serde(default, rename = "return")]
    pub return_data: Option<Value>,
    /// The exact list of events, in order.
    #[serde(default)]
    pub events: Option<Vec<ExpectEvent>>,
    /// Balances of these accounts after the step.
    #[serde(default)]
    pub balances: Option<BTreeMap<Address, DecimalAmount>>,
    /// The supply after the step.
    #[serde(default)]
    pub supply: Option<DecimalAmount>,
    /// Storage entries after the step: UTF-8 key to value (`null`: absent).
    #[serde(default)]
    pub storage: Option<BTreeMap<String, Option<Value>>>,
    /// The exact gas used.
    #[serde(default)]
    pub gas_used: Option<u64>,
}

/// An expected event.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExpectEvent {
    /// The topic, as UTF-8 text.
    pub topic: String,
    /// The data.
    pub data: Value,
}
