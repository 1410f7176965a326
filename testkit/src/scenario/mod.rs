//! Scenario files (`spec/scenario.md`): a module, a state and a sequence of steps, each a call with
//! its expected outcome, run on a [`TestChain`](crate::TestChain) with state threaded. `tsvm test`
//! reads the files (bounded, strict JSON) and renders the [`ScenarioReport`]; this module defines the
//! format ([`ScenarioFile`]), the byte values a file may hold ([`Value`], with the seam for typed
//! JSON values: [`TypedValues`]) and the runner ([`run_scenario`]).

mod file;
mod run;
mod value;

pub use file::{DecimalAmount, Expect, ExpectEvent, ScenarioFile, StateSource, Step, StepCall};
pub use run::{run_scenario, ScenarioReport, StepReport};
pub use value::{HexOnly, TypedValues, Value, ValueRole};

#[cfg(test)]
mod tests;
