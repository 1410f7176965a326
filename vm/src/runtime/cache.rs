//! The module cache: validated, instrumented, compiled modules keyed by code hash and rules hash
//! (`spec/abi.md#module-cache`).
//!
//! A cache belongs to one `Vm`, whose rules (and so rules hash) never change: entries are keyed by
//! their code alone, and the rules hash half of the spec's key is the cache's own.
//!
//! A wasmi `Engine` never frees the code it compiled, so the cache bounds it by generations: compiled
//! modules live in the current engine until the generation holds `max_modules` modules or
//! `max_code_bytes` bytes of code; then a fresh engine starts an empty generation and the old one is
//! freed once the last execution using it ends. The cache never changes what an execution computes,
//! only how fast: gas for loading is charged from the code size whatever the cache holds.
//!
//! A validated module the pinned engine cannot compile (a compile error, or a panic of its
//! translator, contained here) is cached like an invalid one, as [`Prepared::EngineRejected`]: the
//! outcome `engine_rejected` is deterministic and charged, and the generation is kept.

use super::{engine_config, RunInfo};
use crate::{instrument, validate, Rules, ValidationError, VmError};
use abi::Hash32;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use wasmi::{Config, Engine, Module};

/// Default bound on modules per engine generation.
pub const DEFAULT_CACHE_MODULES: usize = 1_024;
/// Default bound on (instrumented) code bytes per engine generation: 64 MiB.
pub const DEFAULT_CACHE_CODE_BYTES: usize = 64 * 1024 * 1024;

/// A module ready to instantiate, or the reason it never will be. A validated module keeps only
/// the part of its `ModuleInfo` an execution reads.
pub(crate) enum Prepared {
    Ready {
        module: Module,
        info: RunInfo,
    },
    Invalid(ValidationError),
    /// Validated, but the pinned engine failed to compile it (`spec/abi.md#execution`, step 3).
    /// The text is a diagnostic only.
    EngineRejected {
        reason: String,
        info: RunInfo,
    },
}

/// A cache entry: the exact code it was prepared from, its blake3 hash, and the result.
pub(crate) struct Entry {
    code: Box<[u8]>,
    pub(crate) code_hash: Hash32,
    pub(crate) prepared: Prepared,
}

impl Entry {
    /// Whether this entry was prepared from exactly `code`.
    pub(crate) fn is_of(&self, code: &[u8]) -> bool {
        *self.code == *code
    }
}

/// Entries by a fast non-cryptographic hash of the code; a hit is confirmed by comparing the code
/// byte for byte, so a collision costs a comparison, never a wrong module.
struct Generation {
    engine: Engine,
    modules: HashMap<u64, Vec<Arc<Entry>>>,
    len: usize,
    code_bytes: usize,
}

impl Generation {
    /// An empty generation with a fresh engine.
    fn new(config: &Config) -> Self {
        Self { engine: Engine::new(config), modules: HashMap::new(), len: 0, code_bytes: 0 }
    }
}

/// A fast hash of `code` for cache lookups only (never consensus-visible). Four independent lanes
/// over 32-byte blocks, folded at the end: one lane's chain of multiplies would make every session
/// execution wait about 4 cycles per 8 bytes of code (a transfer's 979 bytes: about 500 cycles).
fn lookup_hash(code: &[u8]) -> u64 {
    const K: u64 = 0x517c_c1b7_2722_0a95;
    let mix = |h: u64, word: u64| (h.rotate_left(5) ^ word).wrapping_mul(K);
    let mut lanes = [code.len() as u64, 1, 2, 3];
    let mut blocks = code.chunks_exact(32);
    for block in &mut blocks {
        for (lane, word) in lanes.iter_mut().zip(block.chunks_exact(8)) {
            let mut bytes = [0; 8];
            bytes.copy_from_slice(word);
            *lane = mix(*lane, u64::from_le_bytes(bytes));
        }
    }
    let h = lanes.iter().fold(0, |h, &lane| mix(h, lane));
    blocks.remainder().iter().fold(h, |h, &b| mix(h, u64::from(b)))
}

/// Bounded cache of prepared modules; shared across threads.
pub(crate) struct ModuleCache {
    config: Config,
    max_modules: usize,
    max_code_bytes: usize,
    current: Mutex<Generation>,
    /// Modules prepared (validated, instrumented, compiled) so far: one per cache miss.
    prepared: AtomicU64,
}

impl ModuleCache {
    pub(crate) fn new(rules: &Rules, max_modules: usize, max_code_bytes: usize) -> Self {
        let config = engine_config(rules);
        Self {
            current: Mutex::new(Generation::new(&config)),
            config,
            max_modules: max_modules.max(1),
            max_code_bytes,
            prepared: AtomicU64::new(0),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Generation> {
        // A panic while holding the lock cannot leave the map inconsistent (inserts are single
        // operations), so a poisoned lock is still usable.
        self.current.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Number of modules in the current generation.
    pub(crate) fn len(&self) -> usize {
        self.lock().len
    }

    /// Modules prepared since the cache was created (each cache miss prepares one).
    pub(crate) fn prepared(&self) -> u64 {
        self.prepared.load(Ordering::Relaxed)
    }

    /// The entry for `code` under `rules` (always the owning `Vm`'s), preparing (and caching) it on
    /// a miss.
    pub(crate) fn get_or_prepare(&self, code: &[u8], rules: &Rules) -> Result<Arc<Entry>, VmError> {
        let key = lookup_hash(code);
        let engine = {
            let generation = self.lock();
            let hit = generation
                .modules
                .get(&key)
                .and_then(|entries| entries.iter().find(|e| e.is_of(code)).cloned());
            if let Some(found) = hit {
                return Ok(found);
            }
            generation.engine.clone()
        };
        // Prepare outside the lock: hashing and compilation are the slow part.
        self.prepared.fetch_add(1, Ordering::Relaxed);
        let (prepared, size) = prepare(&engine, code, rules)?;
        let entry = Arc::new(Entry { code: code.into(), code_hash: abi::hash::content_hash(code), prepared });
        let mut generation = self.lock();
        if !Engine::same(&generation.engine, &engine) {
            // The generation rolled over meanwhile; the module belongs to the old engine. Use it
            // for this execution without caching it.
            return Ok(entry);
        }
        let bytes = size + code.len();
        if generation.len >= self.max_modules || generation.code_bytes + bytes > self.max_code_bytes {
            tracing::debug!(
                modules = generation.len,
                bytes = generation.code_bytes,
                "module cache: new generation"
            );
            *generation = Generation::new(&self.config);
            // This module was compiled by the old engine: return it uncached; the next miss compiles
            // into the new generation.
            return Ok(entry);
        }
        generation.code_bytes += bytes;
        generation.len += 1;
        generation.modules.entry(key).or_default().push(entry.clone());
        Ok(entry)
    }
}

/// Validates, instruments and compiles `code`. `Ok` holds every guest outcome, compile failures
/// of the engine included; `Err` is a host failure.
fn prepare(engine: &Engine, code: &[u8], rules: &Rules) -> Result<(Prepared, usize), VmError> {
    let info = match validate(code, &rules.limits) {
        Ok(info) => info,
        Err(e) => return Ok((Prepared::Invalid(e), code.len())),
    };
    let instrumented = instrument(code, &info, &rules.gas, &rules.limits)
        .map_err(|e| VmError::Engine(format!("instrumentation of a validated module failed: {e}")))?;
    let info = RunInfo::new(&info, &rules.gas);
    // spec/abi.md#execution, step 3: the profile is meant to keep every accepted module within what
    // the pinned engine compiles (spec/gas.md#wide-offset-stores, spec/determinism.md#limits); this is
    // the safety net for what it misses. A compile error or a translator panic of a validated module
    // is a property of the module and the exact engine version (in the rules hash), so every node
    // reaches it: the outcome `engine_rejected`, charged and cached like an invalid module.
    //
    // The engine stays usable after a contained panic, so the generation is kept. wasmi 2.0.0
    // translates eagerly on the calling thread with per-translation state (taken from and, on
    // success, returned to the engine's allocation pool: a panic drops it). What the engine shares is
    // behind `spin` locks, which do not poison and are released on unwinding, and none is held while a
    // function body is translated. The code map is append-only: the panicking module's function
    // entries were allocated but are never initialised, and only that module (dropped by the unwind)
    // refers to them. They leak until the generation is dropped, at most `max_functions` entries per
    // distinct rejected module, and the rejected module counts toward the generation's bounds.
    let compiled =
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| Module::new(engine, &instrumented)));
    let module = match compiled {
        Ok(Ok(module)) => module,
        Ok(Err(e)) if host_dependent(&e) => {
            return Err(VmError::Engine(format!("wasmi failed for lack of resources: {e}")))
        }
        Ok(Err(e)) => {
            let msg = format!("wasmi rejected a validated, instrumented module: {e}");
            return Ok((Prepared::EngineRejected { reason: msg, info }, instrumented.len()));
        }
        Err(panic) => {
            let msg = panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_default();
            let msg = format!("wasmi panicked compiling a validated module: {msg}");
            return Ok((Prepared::EngineRejected { reason: msg, info }, instrumented.len()));
        }
    };
    Ok((Prepared::Ready { module, info }, instrumented.len()))
}

/// Whether a compile error depends on the machine rather than the module: running out of memory
/// (wasmi's `TranslationError::OutOfSystemMemory`, not nameable outside wasmi, hence its `Debug`
/// name). Such an error is a host failure, never `engine_rejected`.
fn host_dependent(e: &wasmi::Error) -> bool {
    match e.kind() {
        wasmi::errors::ErrorKind::Translation(t) => format!("{t:?}").contains("OutOfSystemMemory"),
        wasmi::errors::ErrorKind::Memory(m) => format!("{m:?}").contains("OutOfSystemMemory"),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every byte counts in the lookup hash, in the lanes and in the tail, and so does the length
    /// (a collision would cost only a compare of the code, but should be rare).
    #[test]
    fn the_lookup_hash_sees_every_byte_and_the_length() {
        for len in 0..100 {
            let code: Vec<u8> = (0..len).map(|i| i as u8).collect();
            let base = lookup_hash(&code);
            for at in 0..len {
                let mut changed = code.clone();
                changed[at] ^= 0x40;
                assert_ne!(lookup_hash(&changed), base, "byte {at} of {len}");
            }
            let mut longer = code.clone();
            longer.push(0);
            assert_ne!(lookup_hash(&longer), base, "length {len}");
        }
    }

    /// The uninstrumented store that wasmi 2.0.0's translator panics on (`unreachable!()` in
    /// `choose_store_op_vt`): address and value are one register-linked local, the offset is wide.
    const PANICS: &str = r#"(module (memory 2) (func (export "f") (local i32)
        (i32.add (local.get 0) (i32.const 1)) (local.tee 0) (local.get 0) (i32.store offset=70000)))"#;

    #[test]
    fn an_engine_that_panicked_compiling_one_module_compiles_and_runs_others() {
        let engine = Engine::new(&engine_config(&Rules::default()));
        let bad = wat::parse_str(PANICS).unwrap();
        let compiled = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| Module::new(&engine, &bad)));
        assert!(compiled.is_err(), "the known translator panic no longer fires: update the spec's note");
        // The same store spilled as the instrumenter does (spec/gas.md#wide-offset-stores) compiles
        // on the engine that panicked, and runs.
        let good = wat::parse_str(
            r#"(module (memory 2) (func (export "f") (param i32) (result i32) (local i32 i32)
                (i32.add (local.get 0) (i32.const 1)) (local.tee 1) (local.get 1)
                (local.set 2) (local.get 2) (i32.store offset=70000)
                (i32.load offset=70000 (local.get 1))))"#,
        )
        .unwrap();
        let module = Module::new(&engine, &good).expect("the engine still compiles");
        let mut store = wasmi::Store::new(&engine, ());
        let instance = wasmi::Linker::<()>::new(&engine).instantiate_and_start(&mut store, &module).unwrap();
        let f = instance.get_typed_func::<i32, i32>(&store, "f").unwrap();
        assert_eq!(f.call(&mut store, 41).unwrap(), 42);
    }
}
