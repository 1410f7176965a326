//! A gas profile: where one execution's `gas_used` went, by call stack (`spec/profile.md`).
//!
//! A [`Profile`] is a list of stacks, each with the gas charged while it was the current stack.
//! Every unit of the receipt's `gas_used` is in exactly one stack, so [`Profile::total`] equals it.
//! The stacks' roots are the categories of `spec/profile.md#categories`.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One frame of a profile stack (`spec/profile.md#categories`).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Frame {
    /// Loading the code (a root).
    Load,
    /// Compiling: validating, instrumenting, compiling the module (a root).
    Compile,
    /// Instantiating: memory pages and data-segment bytes (a root).
    Instantiate,
    /// The operation pipeline's native mutation (a root).
    Native,
    /// An entry point called by the VM (a root): the guest functions it runs are under it.
    Entry {
        /// The export called.
        export: String,
    },
    /// A guest function, by its index in the input module.
    Func {
        /// Function index (imports first, as in the input module).
        index: u32,
    },
    /// A host function, called by the guest function above it (always a leaf).
    Host {
        /// The host function's import name.
        name: String,
        /// Which of its charges.
        part: HostPart,
    },
}

/// Which charge of a host function (`spec/gas.md`, the host table's `base` and `per_byte`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HostPart {
    /// The base cost charged on entry.
    Base,
    /// Everything charged after the base: per byte read, written, hashed or stored.
    PerByte,
}

/// Gas charged while `stack` was the current stack.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StackGas {
    /// Root first.
    pub stack: Vec<Frame>,
    /// Gas charged (never 0 in a profile).
    pub gas: u64,
}

/// The gas profile of one execution (`spec/profile.md`).
#[derive(Clone, Debug, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Profile {
    /// The receipt's `gas_used`: always [`Profile::total`].
    pub gas_used: u64,
    /// Names of guest functions from the module's `name` section.
    pub func_names: BTreeMap<u32, String>,
    /// Every stack that was charged, in the order of [`Frame`]'s `Ord` (root first).
    pub stacks: Vec<StackGas>,
    /// Calls of each guest function, by index.
    pub func_calls: BTreeMap<u32, u64>,
    /// Calls of each host function, by name.
    pub host_calls: BTreeMap<String, u64>,
}

/// One guest function's gas (`spec/profile.md#self-and-inclusive`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FuncGas {
    /// Function index.
    pub index: u32,
    /// Gas charged while it was the innermost guest function, host calls excluded.
    pub self_gas: u64,
    /// Gas charged while it was on the stack (once per stack, recursion included), host calls
    /// included.
    pub inclusive: u64,
    /// Times it was called.
    pub calls: u64,
}

/// One host function's gas.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HostGas {
    /// Import name.
    pub name: String,
    /// Base gas over all its calls.
    pub base: u64,
    /// Per-byte gas over all its calls.
    pub per_byte: u64,
    /// Times it was called.
    pub calls: u64,
}

impl Profile {
    /// The sum of every stack's gas: equal to [`Profile::gas_used`].
    pub fn total(&self) -> u64 {
        self.stacks.iter().map(|s| s.gas).sum()
    }

    /// Gas of the stacks whose root is `root` (a category).
    pub fn category(&self, root: &Frame) -> u64 {
        self.stacks.iter().filter(|s| s.stack.first() == Some(root)).map(|s| s.gas).sum()
    }

    /// Gas of every category: load, compile, instantiate, native, and each entry point.
    pub fn categories(&self) -> Vec<(Frame, u64)> {
        let mut out: BTreeMap<Frame, u64> = BTreeMap::new();
        for s in &self.stacks {
            if let Some(root) = s.stack.first() {
                *out.entry(root.clone()).or_default() += s.gas;
            }
        }
        out.into_iter().collect()
    }

    /// Every guest function that was charged or called, by self gas (most first, then by index).
    pub fn functions(&self) -> Vec<FuncGas> {
        let mut by: BTreeMap<u32, FuncGas> = BTreeMap::new();
        let entry = |index: u32| {
            let calls = self.func_calls.get(&index).copied().unwrap_or(0);
            FuncGas { index, self_gas: 0, inclusive: 0, calls }
        };
        for &index in self.func_calls.keys() {
            by.insert(index, entry(index));
        }
        for s in &self.stacks {
            let funcs = || {
                s.stack.iter().filter_map(|f| if let Frame::Func { index } = f { Some(*index) } else { None })
            };
            let mut seen = Vec::new();
            for index in funcs() {
                if !seen.contains(&index) {
                    seen.push(index);
                    by.entry(index).or_insert_with(|| entry(index)).inclusive += s.gas;
                }
            }
            if let Some(Frame::Func { index }) = s.stack.last() {
                by.entry(*index).or_insert_with(|| entry(*index)).self_gas += s.gas;
            }
        }
        let mut out: Vec<FuncGas> = by.into_values().collect();
        out.sort_by(|a, b| b.self_gas.cmp(&a.self_gas).then(a.index.cmp(&b.index)));
        out
    }

    /// Every host function that was called, by total gas (most first, then by name).
    pub fn hosts(&self) -> Vec<HostGas> {
        let mut by: BTreeMap<&str, HostGas> = BTreeMap::new();
        let new = |name: &str| HostGas {
            name: name.to_string(),
            base: 0,
            per_byte: 0,
            calls: self.host_calls.get(name).copied().unwrap_or(0),
        };
        for name in self.host_calls.keys() {
            by.insert(name, new(name));
        }
        for s in &self.stacks {
            if let Some(Frame::Host { name, part }) = s.stack.last() {
                let h = by.entry(name).or_insert_with(|| new(name));
                match part {
                    HostPart::Base => h.base += s.gas,
                    HostPart::PerByte => h.per_byte += s.gas,
                }
            }
        }
        let mut out: Vec<HostGas> = by.into_values().collect();
        out.sort_by(|a, b| (b.base + b.per_byte).cmp(&(a.base + a.per_byte)).then(a.name.cmp(&b.name)));
        out
    }

    /// How `frame` is shown: a category in parentheses, an entry by its export, a guest function by
    /// its name or `func[N]`, a host function as `host:NAME` (`spec/profile.md#folded-stacks`).
    pub fn frame_name(&self, frame: &Frame) -> String {
        match frame {
            Frame::Load => "(load)".into(),
            Frame::Compile => "(compile)".into(),
            Frame::Instantiate => "(instantiate)".into(),
            Frame::Native => "(native mutation)".into(),
            Frame::Entry { export } => export.clone(),
            Frame::Func { index } => match self.func_names.get(index) {
                Some(name) => name.clone(),
                None => format!("func[{index}]"),
            },
            Frame::Host { name, part } => match part {
                HostPart::Base => format!("host:{name}"),
                HostPart::PerByte => format!("host:{name} (per byte)"),
            },
        }
    }

    /// The folded stacks (`spec/profile.md#folded-stacks`): one line `root;...;leaf GAS` per
    /// stack, for inferno or flamegraph.pl. A `;` or a line break in a name becomes `_`.
    pub fn folded(&self) -> String {
        let mut out = String::new();
        for s in &self.stacks {
            let names: Vec<String> =
                s.stack.iter().map(|f| self.frame_name(f).replace([';', '\n', '\r'], "_")).collect();
            out.push_str(&names.join(";"));
            out.push(' ');
            out.push_str(&s.gas.to_string());
            out.push('\n');
        }
        out
    }
}

#[cfg(test)]
#[path = "profile_tests.rs"]
mod tests;
