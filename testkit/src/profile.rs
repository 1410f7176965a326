//! Gas per function: a [`TestChain`](crate::TestChain) built `with_profiling` profiles every call
//! (`spec/profile.md`) and reports, over all its steps, each guest function's self and inclusive
//! gas and each host function's gas. Profiling changes no receipt: the chain's gas is the same.

use abi::StatusCode;
use std::collections::BTreeMap;
use std::fmt;
use vm::{Frame, Profile};

/// One profiled step of a chain.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StepProfile {
    /// The step's index in the gas report (1 for the first call).
    pub index: usize,
    /// The step's name.
    pub name: String,
    /// Its status.
    pub status: StatusCode,
    /// Its gas profile; its total is the step's `gas_used`.
    pub profile: Profile,
}

/// One function's gas over every profiled step.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FunctionRow {
    /// A guest function's name (`func[N]` without a name section), or `host:NAME`.
    pub function: String,
    /// Calls over all steps.
    pub calls: u64,
    /// Self gas (for a host function: all its gas).
    pub self_gas: u64,
    /// Inclusive gas (for a host function: all its gas).
    pub inclusive: u64,
}

/// Gas per function over a chain's profiled steps; `Display` is a table, most self gas first.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FunctionReport {
    /// The functions, most self gas first (then by name).
    pub rows: Vec<FunctionRow>,
    /// Gas of all the profiled steps.
    pub total: u64,
}

impl FunctionReport {
    /// The report over `steps`.
    pub fn new(steps: &[StepProfile]) -> Self {
        let mut by: BTreeMap<String, FunctionRow> = BTreeMap::new();
        let mut add = |function: String, calls, self_gas, inclusive| {
            let row = by.entry(function.clone()).or_insert(FunctionRow {
                function,
                calls: 0,
                self_gas: 0,
                inclusive: 0,
            });
            row.calls += calls;
            row.self_gas += self_gas;
            row.inclusive += inclusive;
        };
        for s in steps {
            let p = &s.profile;
            for f in p.functions() {
                add(p.frame_name(&Frame::Func { index: f.index }), f.calls, f.self_gas, f.inclusive);
            }
            for h in p.hosts() {
                let gas = h.base + h.per_byte;
                add(format!("host:{}", h.name), h.calls, gas, gas);
            }
        }
        let mut rows: Vec<FunctionRow> = by.into_values().collect();
        rows.sort_by(|a, b| b.self_gas.cmp(&a.self_gas).then_with(|| a.function.cmp(&b.function)));
        Self { rows, total: steps.iter().map(|s| s.profile.total()).sum() }
    }
}

impl fmt::Display for FunctionReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let width = self.rows.iter().map(|r| r.function.chars().count()).max().unwrap_or(0).max(8);
        writeln!(f, "{:<width$}  {:>7}  {:>12}  {:>12}", "function", "calls", "self", "inclusive")?;
        for r in &self.rows {
            writeln!(f, "{:<width$}  {:>7}  {:>12}  {:>12}", r.function, r.calls, r.self_gas, r.inclusive)?;
        }
        write!(f, "{:<width$}  {:>7}  {:>12}", "total", "", self.total)
    }
}
