//! The runtime layer: what executions share and what only makes them fast, never what they compute.
//!
//! - [`engine`]: the wasmi engine configuration the rules pin;
//! - [`cache`]: the module cache, bounded by engine generations (`spec/abi.md#module-cache`);
//! - [`run_info`]: what the cache keeps of a module's info, what an execution reads.
//!
//! The speed and executor issues add here a `Linker` per engine generation and an instance pool.

pub(crate) mod cache;
mod engine;
mod run_info;

pub(crate) use cache::{ModuleCache, Prepared};
pub use cache::{DEFAULT_CACHE_CODE_BYTES, DEFAULT_CACHE_MODULES};
pub use engine::engine_config;
pub(crate) use run_info::RunInfo;
