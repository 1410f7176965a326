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
use super::finish::Seal;
use super::pipeline;
use super::{ExecOptions, Execution, Transaction, Vm};
use crate::host::HostState;
use crate::runtime::{cache, Prepared};
use crate::{Rules, StateView};
use abi::{Hash32, Receipt};
use std::collections::btree_map::{BTreeMap, Entry};
use std::sync::Arc;
use wasmi::{Global, Memory, Store, Val};

/// Instances are kept only for memories of at most this many pages: the reset reads the whole
/// memory, which costs about what zeroing a fresh one does, so a large memory gains nothing.
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
        let kept = Kept { rules: &self.rules, instances: BTreeMap::new(), last: None };
        Session { vm: self, view, kept }
    }
}

impl<'v> Session<'v> {
    /// Executes `tx` with a hash-only trace, as [`Vm::execute`].
    ///
    /// # Errors
    /// As [`Vm::execute`].
    pub fn execute(&mut self, tx: &Transaction<'_>) -> crate::Result<Receipt> {
        // Only the receipt is returned: the witness is not gathered.
        let options = ExecOptions::default();
        let (interval, trace) = (options.checkpoint_interval, Some(options.trace));
        Ok(self.vm.run(self.view, tx, interval, trace, Some(&mut self.kept), false)?.receipt)
    }

    /// Executes `tx` recording what `options` asks for, as [`Vm::execute_with`].
    ///
    /// # Errors
    /// As [`Vm::execute_with`].
    pub fn execute_with(&mut self, tx: &Transaction<'_>, options: &ExecOptions) -> crate::Result<Execution> {
        let (interval, trace) = (options.checkpoint_interval, Some(options.trace));
        self.vm.run(self.view, tx, interval, trace, Some(&mut self.kept), true)
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
    instances: BTreeMap<Hash32, KeptInstance<'h>>,
    /// The module of the session's last execution, taken for the next one of the same code without
    /// the cache's lock and lookup.
    last: Option<Arc<cache::Entry>>,
}

/// An instance, its store, and what resetting it restores.
struct KeptInstance<'h> {
    store: Store<HostState<'h>>,
    instance: Instance,
    memory: Memory,
    /// The linear memory right after instantiation.
    image: Box<[u8]>,
    /// For each [`RESET_CHUNK`] of `image`, whether it is all zero bytes.
    zero_chunks: Box<[bool]>,
    /// Every mutable global of the module with its value right after instantiation.
    globals: Vec<(Global, Val)>,
}

impl<'h> Kept<'h> {
    /// The last execution's module, if `code` is its code: taken out, to be given back with
    /// [`Kept::remember`] after the execution.
    pub(crate) fn take_last(&mut self, code: &[u8]) -> Option<Arc<cache::Entry>> {
        self.last.take_if(|entry| entry.is_of(code))
    }

    /// Remembers `entry`, the module just run, for the next execution.
    pub(crate) fn remember(&mut self, entry: Arc<cache::Entry>) {
        self.last = Some(entry);
    }

    /// Runs the execution of `tx` (whose code's hash is `code_hash`) on its kept instance, or on a
    /// new one, kept afterwards if its memory is small enough and there is room; seals it with
    /// `seal`. The host state `host` makes is put straight into the instance's store.
    pub(super) fn run(
        &mut self,
        code_hash: Hash32,
        tx: &Transaction<'_>,
        prepared: &Prepared,
        checkpoints: bool,
        host: impl FnOnce() -> HostState<'h>,
        seal: Seal<'_>,
    ) -> crate::Result<Execution> {
        let room = self.instances.len() < KEEP_MAX_MODULES;
        // Used in place, never moved out of the map and back: a store is large enough for the
        // moves to show in a profile.
        let (kept, steps) = match self.instances.entry(code_hash) {
            Entry::Occupied(entry) => {
                let kept = entry.into_mut();
                // The previous execution's spent host state is replaced whole: nothing of it is
                // left for this one.
                *kept.store.data_mut() = host();
                let host = kept.store.data_mut();
                let steps = match pipeline::before_instance(self.rules, tx, prepared, host) {
                    Ok((_, _, steps)) => steps,
                    // No guest code ran: the instance is as the last reset left it.
                    Err(halt) => return seal.seal(host, Err(halt)),
                };
                host.memory = Some(kept.memory);
                host.gas_global = Some(kept.instance.gas);
                if checkpoints {
                    host.globals = kept.globals.iter().map(|(g, _)| *g).collect();
                }
                (kept, steps)
            }
            Entry::Vacant(entry) => {
                let mut host = host();
                let (module, info, steps) =
                    match pipeline::before_instance(self.rules, tx, prepared, &mut host) {
                        Ok(ready) => ready,
                        Err(halt) => return seal.seal(&mut host, Err(halt)),
                    };
                let mut store = Store::new(module.engine(), host);
                let mut instance = match call::instantiate(&mut store, module, info, checkpoints) {
                    Ok(instance) => instance,
                    Err(halt) => return seal.seal(store.data_mut(), Err(halt)),
                };
                if info.memory_pages > KEEP_MAX_PAGES || !room {
                    let outcome = pipeline::run_steps(&mut store, &mut instance, steps);
                    return seal.seal(store.data_mut(), outcome);
                }
                (entry.insert(KeptInstance::new(store, instance)), steps)
            }
        };
        let outcome = pipeline::run_steps(&mut kept.store, &mut kept.instance, steps);
        let execution = seal.seal(kept.store.data_mut(), outcome);
        // An instance that cannot be reset exactly is dropped, never kept.
        if !kept.reset() {
            self.instances.remove(&code_hash);
        }
        execution
    }
}

impl<'h> KeptInstance<'h> {
    /// Takes the image of a new instance's memory and mutable globals.
    fn new(store: Store<HostState<'h>>, instance: Instance) -> Self {
        let memory = instance.memory;
        let image: Box<[u8]> = memory.data(&store).into();
        let zero_chunks = image.chunks(RESET_CHUNK).map(all_zero).collect();
        let globals = call::mutable_globals(&store, &instance.instance)
            .into_iter()
            .map(|g| {
                let value = g.get(&store);
                (g, value)
            })
            .collect();
        Self { store, instance, memory, image, zero_chunks, globals }
    }

    /// Restores the memory image and the globals; false if that cannot be done exactly.
    ///
    /// Memory is restored chunk by chunk, writing only chunks that differ from the image
    /// (`spec/abi.md#instance-reuse`): a chunk that is zero in the image is scanned for a non-zero
    /// byte (one stream of reads, none of the image), any other is compared with the image. Most of
    /// a script's memory is zero in the image and untouched, and a scan reads half the bytes a copy
    /// moves.
    fn reset(&mut self) -> bool {
        let data = self.memory.data_mut(&mut self.store);
        if data.len() != self.image.len() {
            return false;
        }
        let chunks = data.chunks_mut(RESET_CHUNK).zip(self.image.chunks(RESET_CHUNK));
        for ((now, image), &zero) in chunks.zip(self.zero_chunks.iter()) {
            if zero {
                if !all_zero(now) {
                    now.fill(0);
                }
            } else if now != image {
                now.copy_from_slice(image);
            }
        }
        self.globals.iter().all(|(g, v)| g.set(&mut self.store, v.clone()).is_ok())
    }
}

/// The unit in which [`KeptInstance::reset`] compares and restores memory.
const RESET_CHUNK: usize = 1024;

/// Whether every byte of `bytes` is zero: OR-folded into four 64-bit accumulators with no early
/// exit, which the compiler turns into wide loads (about twice as fast as a byte-wise fold).
fn all_zero(bytes: &[u8]) -> bool {
    let blocks = bytes.chunks_exact(32);
    let tail = blocks.remainder().iter().fold(0, |acc, &b| acc | b);
    let mut acc = [0u64; 4];
    for block in blocks {
        for (acc, word) in acc.iter_mut().zip(block.chunks_exact(8)) {
            let mut bytes = [0; 8];
            bytes.copy_from_slice(word);
            *acc |= u64::from_ne_bytes(bytes);
        }
    }
    acc == [0; 4] && tail == 0
}

#[cfg(test)]
mod tests {
    use super::all_zero;

    #[test]
    fn all_zero_sees_a_non_zero_byte_anywhere() {
        for len in 0..100 {
            let mut bytes = vec![0u8; len];
            assert!(all_zero(&bytes), "{len} zero bytes");
            for at in 0..len {
                bytes[at] = 0x80;
                assert!(!all_zero(&bytes), "byte {at} of {len}");
                bytes[at] = 0;
            }
        }
    }
}
