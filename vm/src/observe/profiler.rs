//! The profiler: attributes each charge of the consensus meter to the stack current when it was
//! made (`spec/profile.md#attribution`).
//!
//! It never charges or reads gas itself: it is told the meter's remaining gas at each point it
//! observes (a charge outside guest code, an entry, a function entry, a return to a caller, a host
//! call, the end of an entry), and gives the gas used since the point before to the stack current
//! between the two. Every charge lies between two such points, so nothing is lost and nothing is
//! counted twice.

use super::profile::{Frame, HostPart, Profile, StackGas};
use std::collections::BTreeMap;

/// What one profiled execution collects.
#[derive(Debug)]
pub(crate) struct Profiler {
    /// Remaining gas at the last point observed.
    last: u64,
    /// The current stack, root first.
    stack: Vec<Frame>,
    gas: BTreeMap<Vec<Frame>, u64>,
    func_calls: BTreeMap<u32, u64>,
    host_calls: BTreeMap<String, u64>,
}

impl Profiler {
    /// A profiler for an execution with `gas_limit`.
    pub(crate) fn new(gas_limit: u64) -> Self {
        Self {
            last: gas_limit,
            stack: Vec::new(),
            gas: BTreeMap::new(),
            func_calls: BTreeMap::new(),
            host_calls: BTreeMap::new(),
        }
    }

    /// Gives the gas used since the last point (`remaining` now) to the current stack.
    fn attribute(&mut self, remaining: u64) {
        let used = self.last.saturating_sub(remaining);
        self.last = remaining;
        if used > 0 {
            *self.gas.entry(self.stack.clone()).or_default() += used;
        }
    }

    /// Gives the gas used since the last point to the stack `[root]`, which becomes current.
    pub(crate) fn charged_at_root(&mut self, root: Frame, remaining: u64) {
        self.stack.clear();
        self.stack.push(root);
        self.attribute(remaining);
    }

    /// An entry point `export` is called with `remaining` gas.
    pub(crate) fn entry(&mut self, export: &str, remaining: u64) {
        self.attribute(remaining);
        self.stack.clear();
        self.stack.push(Frame::Entry { export: export.to_string() });
    }

    /// Guest function `index` starts; returns the stack's depth with it, which the function passes
    /// back to [`Profiler::resume`] after each of its calls.
    pub(crate) fn enter(&mut self, index: u32, remaining: u64) -> u32 {
        self.attribute(remaining);
        self.stack.push(Frame::Func { index });
        *self.func_calls.entry(index).or_default() += 1;
        self.stack.len() as u32
    }

    /// A call returned to the function at stack depth `depth`.
    pub(crate) fn resume(&mut self, depth: u32, remaining: u64) {
        self.attribute(remaining);
        self.stack.truncate(depth as usize);
    }

    /// Host function `name` ran from `before` to `after` remaining gas; `base` is its base cost.
    pub(crate) fn host_call(&mut self, name: &str, base: u64, before: u64, after: u64) {
        self.attribute(before);
        *self.host_calls.entry(name.to_string()).or_default() += 1;
        let spent = before.saturating_sub(after);
        let base_part = spent.min(base);
        for (part, gas) in [(HostPart::Base, base_part), (HostPart::PerByte, spent - base_part)] {
            if gas > 0 {
                let mut stack = self.stack.clone();
                stack.push(Frame::Host { name: name.to_string(), part });
                *self.gas.entry(stack).or_default() += gas;
            }
        }
        self.last = after;
    }

    /// The entry point running ended (returned or halted) with `remaining` gas: what its innermost
    /// function paid last (up to a trap) goes to the stack it ran in.
    pub(crate) fn entry_end(&mut self, remaining: u64) {
        self.attribute(remaining);
    }

    /// The profile, the execution having used `gas_used` with `remaining` left.
    pub(crate) fn finish(
        mut self,
        remaining: u64,
        gas_used: u64,
        func_names: BTreeMap<u32, String>,
    ) -> Profile {
        self.attribute(remaining);
        let stacks = self.gas.into_iter().map(|(stack, gas)| StackGas { stack, gas }).collect();
        Profile { gas_used, func_names, stacks, func_calls: self.func_calls, host_calls: self.host_calls }
    }
}
