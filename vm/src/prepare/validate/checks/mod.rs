//! The rule checks: one `check_*` per section over a permissive parse, so that a forbidden feature
//! gets its own rule and the offset where it appears (`spec/determinism.md#rules`).
//!
//! The parse accepts every feature wasmparser knows; what it cannot parse is [`Rule::Malformed`].
//! Nothing here allocates in proportion to a count before checking it against its limit.
//!
//! Layout: this file holds the [`Checker`] and dispatches each payload; [`sections`] checks the
//! sections that define things, [`interface`] the imports and exports, [`code`] function bodies.

mod code;
mod interface;
mod sections;

use super::rule::{Rule, ValidationError};
use crate::{ExportInfo, Limit, Limits};
use abi::names::MEMORY_EXPORT;
use abi::HostFnId;
use std::collections::BTreeMap;
use wasmparser::{BinaryReaderError, FuncType, KnownCustom, Name, Payload};

type Result<T, E = BinaryReaderError> = std::result::Result<T, E>;

/// What the rule checks learn on the way, for [`crate::ModuleInfo`].
#[derive(Default)]
pub(crate) struct Facts {
    /// Function types by type index (`None` for non-function types).
    pub types: Vec<Option<FuncType>>,
    /// Type index of every function, imports first.
    pub func_types: Vec<u32>,
    /// Host function of every function import.
    pub imports: Vec<HostFnId>,
    /// Initial size of the defined memory in 64 KiB pages (rounded up for 1-byte pages).
    pub memory_pages: u32,
    /// Sum of active data segment lengths.
    pub data_bytes: u64,
    /// `block`, `loop`, `if` and `else` operators in all bodies (the load charge counts them).
    pub control_ops: u64,
    /// Function exports.
    pub exports: Vec<ExportInfo>,
    /// Names from the `name` section.
    pub func_names: BTreeMap<u32, String>,
}

/// The rule checks over one module: feed it every payload, then call [`Checker::finish`].
pub(crate) struct Checker<'l> {
    limits: &'l Limits,
    /// Violations found so far, in order.
    pub errors: Vec<ValidationError>,
    /// What was learnt.
    pub facts: Facts,
    num_func_imports: u32,
    /// Declared function count (imports plus function section), saturating.
    num_funcs: u64,
    /// Whether the function count is within its limit (so `func_types` is complete).
    funcs_ok: bool,
    next_body: u32,
    memories: u32,
    memory_imported: bool,
    memory_exported: bool,
    /// Whether function bodies are checked here (`false`: the strict pass checks them,
    /// `strict::BodyScan`).
    bodies: bool,
}

impl<'l> Checker<'l> {
    /// A checker for `limits`.
    pub fn new(limits: &'l Limits) -> Self {
        Self {
            limits,
            errors: Vec::new(),
            facts: Facts::default(),
            num_func_imports: 0,
            num_funcs: 0,
            funcs_ok: true,
            next_body: 0,
            memories: 0,
            memory_imported: false,
            memory_exported: false,
            bodies: true,
        }
    }

    /// A checker for `limits` that leaves function bodies to the strict pass (`strict::BodyScan`):
    /// `facts.control_ops` stays 0.
    pub fn without_bodies(limits: &'l Limits) -> Self {
        Self { bodies: false, ..Self::new(limits) }
    }

    fn err(&mut self, rule: Rule, offset: u64, message: impl Into<String>) {
        self.errors.push(ValidationError::new(rule, offset, message));
    }

    /// Adds a hint to the error just pushed (`spec/determinism.md#toolchain-hints`).
    fn hint(&mut self, hint: Option<&'static str>) {
        if let Some(e) = self.errors.pop() {
            self.errors.push(e.with_hint(hint));
        }
    }

    /// Checks `found` against `limit`; `true` if within it.
    fn limit(&mut self, limit: Limit, offset: u64, found: u64) -> bool {
        match limit.check(self.limits, found) {
            Some(msg) => {
                self.err(Rule::Limit(limit), offset, msg);
                false
            }
            None => true,
        }
    }

    /// Checks one payload. `Err` is a parse error: the caller stops there.
    pub fn payload(&mut self, payload: &Payload<'_>) -> Result<()> {
        match payload {
            Payload::Version { encoding, range, .. } if *encoding != wasmparser::Encoding::Module => {
                self.err(Rule::Malformed, range.start, "components are not supported");
            }
            Payload::TypeSection(s) => self.check_types(s.clone())?,
            Payload::ImportSection(s) => self.check_imports(s.clone())?,
            Payload::FunctionSection(s) => self.check_functions(s.clone())?,
            Payload::TableSection(s) => self.check_tables(s.clone())?,
            Payload::MemorySection(s) => self.check_memories(s.clone())?,
            Payload::TagSection(s) => {
                // spec/determinism.md#exceptions
                self.err(Rule::Exceptions, s.range().start, "tag section");
            }
            Payload::GlobalSection(s) => self.check_globals(s.clone())?,
            Payload::ExportSection(s) => self.check_exports(s.clone())?,
            Payload::StartSection { range, .. } => {
                // spec/determinism.md#start-function
                self.err(Rule::StartFunction, range.start, "start section");
                self.hint(Some(super::hints::START_FUNCTION));
            }
            Payload::ElementSection(s) => self.check_elements(s.clone())?,
            Payload::DataSection(s) => self.check_data(s.clone())?,
            Payload::CodeSectionEntry(body) => {
                let func_index = self.num_func_imports.saturating_add(self.next_body);
                self.next_body = self.next_body.saturating_add(1);
                if !self.bodies {
                    return Ok(());
                }
                if let Err(e) = self.check_body(body, func_index) {
                    // A body is framed by its size: report and go on with the next one.
                    self.errors.push(ValidationError::malformed(&e, Some(func_index)));
                }
            }
            Payload::CustomSection(c) => {
                if let KnownCustom::Name(names) = c.as_known() {
                    self.read_names(names);
                }
            }
            _ => {}
        }
        Ok(())
    }

    fn func_type(&self, type_index: u32) -> Option<&FuncType> {
        self.facts.types.get(type_index as usize)?.as_ref()
    }

    /// Reads function names; a malformed `name` section is ignored (it is only diagnostics).
    fn read_names(&mut self, names: wasmparser::NameSectionReader<'_>) {
        let max = if self.funcs_ok { self.num_funcs } else { 0 };
        for name in names {
            let Ok(Name::Function(map)) = name else {
                continue;
            };
            for naming in map {
                let Ok(naming) = naming else { break };
                // Bounded by the (checked) function count, whatever the section claims.
                if u64::from(naming.index) < max {
                    self.facts.func_names.insert(naming.index, naming.name.to_string());
                }
            }
        }
    }

    /// The checks that need the whole module (`spec/determinism.md#memory`), then function names
    /// on every error.
    pub fn finish(&mut self) {
        if self.memories == 0 && !self.memory_imported {
            self.err(Rule::Memory, 0, "the module must define a memory");
        } else if self.memories > 0 && !self.memory_exported {
            self.err(Rule::Memory, 0, format!("the memory must be exported as `{MEMORY_EXPORT}`"));
        }
        for e in &mut self.errors {
            if let Some(i) = e.func_index {
                e.func_name = self.facts.func_names.get(&i).cloned();
            }
        }
    }
}
