//! # tsvm
//!
//! A deterministic, consensus-oriented WebAssembly VM for token scripts. Modules are validated
//! against a determinism profile (`spec/determinism.md`), instrumented with a gas meter and a stack
//! meter defined over the input Wasm (`spec/gas.md`), and run in wasmi against a read-only state view
//! through the token-script host (`spec/abi.md`). Every execution ends in a [`Receipt`]; only a failure
//! of the host itself is an `Err`.
//!
//! What runs an execution: `exec/` (the [`Vm`] and the steps of `spec/abi.md#execution`), `host/`
//! (the host functions), `state/` (the view, the overlay, the witness, mutations), `observe/` (the
//! observer seam: trace, gas meter, checkpoints), `runtime/` (engine configuration, module cache),
//! `replay/` (bundles, comparing executions).

#[cfg(feature = "platform-canary")]
mod canary;
mod error;
mod exec;
mod host;
mod observe;
mod prepare;
mod replay;
mod rules;
mod runtime;
mod state;

pub use error::{Result, VmError};
pub use prepare::{
    instrument, memory_pages, validate, validate_all, validate_two_passes_for_tests, ExportInfo, FuncInfo,
    InstrumentError, ModuleInfo, Rule, ValidationError, FRAME_OVERHEAD_UNITS, GAS_GLOBAL_EXPORT,
    GAS_SLOW_IMPORT, GLOBAL_EXPORT_PREFIX, PROFILE_VERSION, STACK_GLOBAL_EXPORT, STACK_OVERFLOW_SENTINEL,
    WASM_PAGE_BYTES,
};
pub use rules::limits::*;
pub use rules::{GasTable, Rules, ENGINE, GAS_TABLE_VERSION};
pub use state::{
    check_witness, InMemoryState, PendingState, StateError, StateView, TokenState, WitnessState,
};

pub use abi;
pub use abi::Hash32;
pub use abi::Receipt;
pub use exec::{
    block_commitments, BlockExecution, ExecOptions, Execution, Session, Transaction, Vm, KEEP_MAX_MODULES,
    KEEP_MAX_PAGES,
};
pub use observe::{
    Frame, FuncGas, HostGas, HostPart, Profile, StackGas, TraceLevel, CHECKPOINT_PAGE_BYTES,
    MIN_CHECKPOINT_INTERVAL,
};
pub use replay::{
    events_in_window, first_divergent_event, first_divergent_window, profile_bundle, receipt_mismatches,
    record_block_bundle, record_bundle, replay, replay_block, replay_head_in, replay_in, BlockDivergence,
    EventDivergence, Replayed, ReplayedBlock, WindowDivergence, WitnessSlot,
};
pub use runtime::{engine_config, DEFAULT_CACHE_CODE_BYTES, DEFAULT_CACHE_MODULES};
