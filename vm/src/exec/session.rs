//! Sessions: many executions over one state view, each module's instance kept and reset between
//! them instead of built anew (`spec/abi.md#instance-reuse`).
//!
//! A fresh instance costs a store, host functions, import resolution, exports and a zeroed linear
//! memory. The profile leaves an instance only two things an execution can change: its linear
//! memory (whose size `memory.grow` cannot change: the instrumenter makes it fail) and its mutable
//! globals (tables cannot change: no table instruction is allowed, `spec/determinism.md`). A kept
//! instance is reset to the image of both taken right after its instantiation, so the next
//! execution starts from exactly what a fresh instance would be. Gas is charged as for a fresh
//! instance: nothing consensus-visible depends on whether an instance was kept.

use super::call::{self, Instance};
use super::pipeline::{self, Outcome, Step};
use super::{ExecOptions, Execution, Transaction, Vm};
use crate::host::HostState;
use crate::{ModuleInfo, Rules, StateView};
use abi::{Hash32, Receipt};
use std::collections::BTreeMap;
use wasmi::{Global, Memory, Module, Store, Val};

/// Instances are kept only for memories of at most this many pages: the reset copies the whole
/// memory image, which costs about what zeroing a fresh one does, so a large memory gains nothing.
pub const KEEP_MAX_PAGES: u32 = 4;

/// Distinct modules a session keeps an instance of (one each); a module beyond them runs on a
/// fresh instance.
pub const KEEP_MAX_MODULES: usize = 64;

/// Executions over one state view (a block, a lane, a batch of replays), with the instance of each
/// module kept and reset between them (`spec/abi.md#instance-reuse`). Each execution's result is
/// byte for byte what [`Vm::execute_with`] returns for it.
///
/// The view is borrowed for the session's life: a view that changes between executions (a block's
/// pending state) changes behind a shared reference, e.g. through a `RefCell`.
pub struct Session<'v> {
    vm: &'v Vm,
    view: &'v dyn StateView,
    kept: Kept<'v>,
}

impl Vm {
    /// A session over `view` (`spec/abi.md#instance-reuse`).
    pub fn session<'v>(&'v self, view: &'v dyn StateView) -> Session<'v> {
        Session { vm: self, view, kept: Kept { rules: &self.rules, view, instances: BTreeMap::new() } }
    }
}

impl<'v> Session<'v> {
    /// Executes `tx` with a hash-only trace, as [`Vm::execute`].
    ///
    /// # Errors
    /// As [`Vm::execute`].
    pub fn execute(&mut self, tx: &Transaction<'_>) -> crate::Result<Receipt> {
        Ok(self.execute_with(tx, &ExecOptions::default())?.receipt)
    }

    /// Executes `tx` recording what `options` asks for, as [`Vm::execute_with`].
    ///
    /// # Errors
    /// As [`Vm::execute_with`].
    pub fn execute_with(&mut self, tx: &Transaction<'_>, options: &ExecOptions) -> crate::Result<Execution> {
        let (interval, trace) = (options.checkpoint_interval, Some(options.trace));
        self.vm.run(self.view, tx, interval, trace, Some(&mut self.kept))
    }

    /// The VM the session runs on.
    pub fn vm(&self) -> &'v Vm {
        self.vm
    }

    /// Modules this session keeps an instance of.
    pub fn kept_instances(&self) -> usize {
        self.kept.instances.len()
    }
}

/// A session's kept instances, by the code's hash.
pub(crate) struct Kept<'h> {
    rules: &'h Rules,
    view: &'h dyn StateView,
    instances: BTreeMap<Hash32, KeptInstance<'h>>,
}

/// An instance, its store, and what resetting it restores.
struct KeptInstance<'h> {
    store: Store<HostState<'h>>,
    instance: Instance,
    memory: Memory,
    /// The linear memory right after instantiation.
    image: Box<[u8]>,
    /// Every mutable global of the module with its value right after instantiation.
    globals: Vec<(Global, Val)>,
}

impl<'h> Kept<'h> {
    /// Runs `steps` on the kept instance of `code_hash`'s `module`, or on a new one (kept after
    /// the execution if its memory is small enough and there is room); gives `host` back with how
    /// the steps ended.
    pub(super) fn run(
        &mut self,
        code_hash: Hash32,
        module: &Module,
        info: &ModuleInfo,
        checkpoints: bool,
        mut host: HostState<'h>,
        steps: Vec<Step>,
    ) -> (HostState<'h>, Outcome) {
        let mut kept = match self.instances.remove(&code_hash) {
            Some(kept) => {
                host.memory = Some(kept.memory);
                host.gas_global = Some(kept.instance.gas);
                if checkpoints {
                    host.globals = kept.globals.iter().map(|(g, _)| *g).collect();
                }
                let mut kept = kept;
                *kept.store.data_mut() = host;
                kept
            }
            None => {
                let mut store = Store::new(module.engine(), host);
                let instance = match call::instantiate(&mut store, module, info, checkpoints) {
                    Ok(instance) => instance,
                    Err(halt) => return (store.into_data(), Err(halt)),
                };
                let keep = info.memory_pages <= KEEP_MAX_PAGES && self.instances.len() < KEEP_MAX_MODULES;
                if !keep {
                    let outcome = pipeline::run_steps(&mut store, &instance, steps);
                    return (store.into_data(), outcome);
                }
                KeptInstance::new(store, instance)
            }
        };
        let outcome = pipeline::run_steps(&mut kept.store, &kept.instance, steps);
        let host = std::mem::replace(kept.store.data_mut(), HostState::idle(self.rules, self.view));
        // An instance that cannot be reset exactly is dropped, never kept.
        if kept.reset() {
            self.instances.insert(code_hash, kept);
        }
        (host, outcome)
    }
}

impl<'h> KeptInstance<'h> {
    /// Takes the image of a new instance's memory and mutable globals.
    fn new(store: Store<HostState<'h>>, instance: Instance) -> Self {
        let memory = instance.memory;
        let image = memory.data(&store).into();
        let globals = call::mutable_globals(&store, &instance.instance)
            .into_iter()
            .map(|g| {
                let value = g.get(&store);
                (g, value)
            })
            .collect();
        Self { store, instance, memory, image, globals }
    }

    /// Restores the memory image and the globals; false if that cannot be done exactly.
    fn reset(&mut self) -> bool {
        let data = self.memory.data_mut(&mut self.store);
        if data.len() != self.image.len() {
            return false;
        }
        data.copy_from_slice(&self.image);
        self.globals.iter().all(|(g, v)| g.set(&mut self.store, v.clone()).is_ok())
    }
}
