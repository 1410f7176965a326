//! The gas report: every step of a chain with its status and gas, as a table.

use crate::text;
use abi::{Fault, StatusCode};
use serde::Serialize;
use std::fmt;

/// One step of a chain.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct GasRow {
    /// 1 for the first call of the chain.
    pub index: usize,
    /// The step's name.
    pub name: String,
    /// Its status.
    pub status: StatusCode,
    /// Its fault.
    pub fault: Fault,
    /// Gas used (the chain's gas: the real meter).
    pub gas_used: u64,
    /// The gas limit it ran with.
    pub gas_limit: u64,
}

/// Every step of a chain with its gas; `Display` is a table with a total.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct GasReport {
    /// The steps, in order.
    pub rows: Vec<GasRow>,
}

impl GasReport {
    /// Gas used by all the steps.
    pub fn total(&self) -> u64 {
        self.rows.iter().map(|r| r.gas_used).sum()
    }
}

impl fmt::Display for GasReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let width = self.rows.iter().map(|r| r.name.chars().count()).max().unwrap_or(0).max(4);
        writeln!(f, "{:>3}  {:<width$}  {:<12}  {:>12}", "#", "step", "status", "gas used")?;
        for r in &self.rows {
            let status = text::status_name(r.status);
            writeln!(f, "{:>3}  {:<width$}  {:<12}  {:>12}", r.index, r.name, status, r.gas_used)?;
        }
        write!(f, "{:>3}  {:<width$}  {:<12}  {:>12}", "", "total", "", self.total())
    }
}
