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

struct Generation {
    engine: Engine,
    modules: HashMap<(Hash32, Hash32), Arc<Prepared>>,
    code_bytes: usize,
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
pub(crate) fn engine_config(rules: &Rules) -> Config {
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
            current: Mutex::new(Generation { engine, modules: HashMap::new(), code_bytes: 0 }),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Generation> {
        // A panic while holding the lock cannot leave the map inconsistent (inserts are single
        // operations), so a poisoned lock is still usable.
        self.current.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Number of modules in the current generation.
    pub(crate) fn len(&self) -> usize {
        self.lock().modules.len()
    }

    /// The prepared module for `code`, preparing (and caching) it on a miss.
    pub(crate) fn get_or_prepare(
        &self,
        code_hash: Hash32,
        rules_hash: Hash32,
        code: &[u8],
        rules: &Rules,
    ) -> Result<Arc<Prepared>, VmError> {
        let key = (code_hash, rules_hash);
        let engine = {
            let generation = self.lock();
            if let Some(found) = generation.modules.get(&key) {
                return Ok(found.clone());
            }
            generation.engine.clone()
        };
        // Prepare outside the lock: compilation is the slow part.
        let (prepared, size) = match prepare(&engine, code, rules) {
            Ok(p) => p,
            Err(Failure::EnginePanicked(e)) => {
                // The engine panicked mid-compilation and may hold half-registered code: retire it.
                let mut generation = self.lock();
                if Engine::same(&generation.engine, &engine) {
                    *generation = Generation {
                        engine: Engine::new(&self.config),
                        modules: HashMap::new(),
                        code_bytes: 0,
                    };
                }
                return Err(e);
            }
            Err(Failure::Error(e)) => return Err(e),
        };
        let prepared = Arc::new(prepared);
        let mut generation = self.lock();
        if !Engine::same(&generation.engine, &engine) {
            // The generation rolled over meanwhile; the module belongs to the old engine. Use it
            // for this execution without caching it.
            return Ok(prepared);
        }
        if generation.modules.len() >= self.max_modules || generation.code_bytes + size > self.max_code_bytes
        {
            tracing::debug!(
                modules = generation.modules.len(),
                bytes = generation.code_bytes,
                "module cache: new engine generation"
            );
            *generation =
                Generation { engine: Engine::new(&self.config), modules: HashMap::new(), code_bytes: 0 };
            // This module was compiled by the old engine: return it uncached; the next miss compiles
            // into the new generation.
            return Ok(prepared);
        }
        generation.code_bytes += size;
        generation.modules.insert(key, prepared.clone());
        Ok(prepared)
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
