//! The module cache: validated, instrumented, compiled modules keyed by code hash and rules hash
//! (`spec/abi.md#module-cache`).
//!
//! A wasmi `Engine` never frees the code it compiled, so the cache bounds it by generations: compiled
//! modules live in the current engine until the generation holds `max_modules` modules or
//! `max_code_bytes` bytes of code; then a fresh engine starts an empty generation and the old one is
//! freed once the last execution using it ends. The cache never changes what an execution computes,
//! only how fast: gas for loading is charged from the code size whatever the cache holds.

use crate::{instrument, validate, ModuleInfo, Rules, ValidationError, VmError};
use abi::Hash32;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use wasmi::{CompilationMode, Config, Engine, Module};

/// Default bound on modules per engine generation.
pub const DEFAULT_CACHE_MODULES: usize = 1_024;
/// Default bound on (instrumented) code bytes per engine generation: 64 MiB.
pub const DEFAULT_CACHE_CODE_BYTES: usize = 64 * 1024 * 1024;

/// A module ready to instantiate, or the reason it never will be.
pub(crate) enum Prepared {
    Ready { module: Module, info: ModuleInfo },
    Invalid(ValidationError),
}

/// A cache entry: the exact code it was prepared from, its blake3 hash, and the result.
pub(crate) struct Entry {
    code: Box<[u8]>,
    rules_hash: Hash32,
    pub(crate) code_hash: Hash32,
    pub(crate) prepared: Prepared,
}

/// Entries by a fast non-cryptographic hash of the code; a hit is confirmed by comparing the code
/// byte for byte, so a collision costs a comparison, never a wrong module.
struct Generation {
    engine: Engine,
    modules: HashMap<u64, Vec<Arc<Entry>>>,
    len: usize,
    code_bytes: usize,
}

/// A fast hash of `code` for cache lookups only (never consensus-visible).
fn lookup_hash(code: &[u8]) -> u64 {
    const K: u64 = 0x517c_c1b7_2722_0a95;
    let mut h = code.len() as u64;
    let mut chunks = code.chunks_exact(8);
    for c in &mut chunks {
        let word = u64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]);
        h = (h.rotate_left(5) ^ word).wrapping_mul(K);
    }
    for &b in chunks.remainder() {
        h = (h.rotate_left(5) ^ u64::from(b)).wrapping_mul(K);
    }
    h
}

/// Bounded cache of prepared modules; shared across threads.
pub(crate) struct ModuleCache {
    config: Config,
    max_modules: usize,
    max_code_bytes: usize,
    current: Mutex<Generation>,
}

/// The engine configuration: eager compilation (never lazy: lazy modes skip validation of uncalled
/// functions), no fuel (gas is ours), only the features the profile allows, no start functions, and
/// stacks large enough that the specified stack limit always trips first
/// (`spec/gas.md#stack-limit`).
pub fn engine_config(rules: &Rules) -> Config {
    let max_depth = (rules.limits.max_stack_units / crate::FRAME_OVERHEAD_UNITS) as usize + 64;
    let mut config = Config::default();
    config
        .compilation_mode(CompilationMode::Eager)
        .consume_fuel(false)
        .floats(false)
        .wasm_reference_types(false)
        .wasm_tail_call(false)
        .wasm_extended_const(false)
        .wasm_multi_memory(false)
        .wasm_wide_arithmetic(false)
        .wasm_custom_page_sizes(false)
        .allow_start_fn(false)
        .ignore_custom_sections(true)
        .set_max_recursion_depth(max_depth)
        // wasmi's value stack holds at most a small multiple of our stack units (8-byte cells);
        // 256 bytes per unit is far above that, and the stack only grows as used.
        .set_max_stack_height(rules.limits.max_stack_units as usize * 256);
    config
}

impl ModuleCache {
    pub(crate) fn new(rules: &Rules, max_modules: usize, max_code_bytes: usize) -> Self {
        let config = engine_config(rules);
        let engine = Engine::new(&config);
        Self {
            config,
            max_modules: max_modules.max(1),
            max_code_bytes,
            current: Mutex::new(Generation { engine, modules: HashMap::new(), len: 0, code_bytes: 0 }),
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

    /// The entry for `code` under `rules`, preparing (and caching) it on a miss.
    pub(crate) fn get_or_prepare(
        &self,
        code: &[u8],
        rules_hash: Hash32,
        rules: &Rules,
    ) -> Result<Arc<Entry>, VmError> {
        let key = lookup_hash(code);
        let engine = {
            let generation = self.lock();
            let hit = generation.modules.get(&key).and_then(|entries| {
                entries.iter().find(|e| e.rules_hash == rules_hash && *e.code == *code).cloned()
            });
            if let Some(found) = hit {
                return Ok(found);
            }
            generation.engine.clone()
        };
        // Prepare outside the lock: hashing and compilation are the slow part.
        let (prepared, size) = match prepare(&engine, code, rules) {
            Ok(p) => p,
            Err(Failure::EnginePanicked(e)) => {
                // The engine panicked mid-compilation and may hold half-registered code: retire it.
                let mut generation = self.lock();
                if Engine::same(&generation.engine, &engine) {
                    *generation = Generation {
                        engine: Engine::new(&self.config),
                        modules: HashMap::new(),
                        len: 0,
                        code_bytes: 0,
                    };
                }
                return Err(e);
            }
            Err(Failure::Error(e)) => return Err(e),
        };
        let entry = Arc::new(Entry {
            code: code.into(),
            rules_hash,
            code_hash: abi::hash::content_hash(code),
            prepared,
        });
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
            *generation = Generation {
                engine: Engine::new(&self.config),
                modules: HashMap::new(),
                len: 0,
                code_bytes: 0,
            };
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

/// Why [`prepare`] failed.
enum Failure {
    /// A host failure.
    Error(VmError),
    /// The engine panicked while compiling (a host failure too, but the engine must be retired).
    EnginePanicked(VmError),
}

fn prepare(engine: &Engine, code: &[u8], rules: &Rules) -> Result<(Prepared, usize), Failure> {
    let info = match validate(code, &rules.limits) {
        Ok(info) => info,
        Err(e) => return Ok((Prepared::Invalid(e), code.len())),
    };
    let instrumented = instrument(code, &info, &rules.gas, &rules.limits).map_err(|e| {
        Failure::Error(VmError::Engine(format!("instrumentation of a validated module failed: {e}")))
    })?;
    // wasmi 2.0.0's translator can panic on valid input (an `unreachable!()` for a store whose
    // address and value are one teed register and whose offset needs more than 16 bits; see
    // tests/battery/execution.rs). A guest must never crash the node: contain the panic and report
    // a host failure (deterministic: every node's translator panics on the same module).
    let compiled =
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| Module::new(engine, &instrumented)));
    let module = match compiled {
        Ok(Ok(module)) => module,
        Ok(Err(e)) => {
            return Err(Failure::Error(VmError::Engine(format!(
                "wasmi rejected a validated, instrumented module: {e}"
            ))))
        }
        Err(panic) => {
            let msg = panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_default();
            return Err(Failure::EnginePanicked(VmError::Engine(format!(
                "wasmi panicked compiling a validated module: {msg}"
            ))));
        }
    };
    Ok((Prepared::Ready { module, info }, instrumented.len()))
}
