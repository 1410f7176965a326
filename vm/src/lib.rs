//! # tsvm
//!
//! A deterministic, consensus-oriented WebAssembly VM for token scripts. Modules are validated
//! against a determinism profile (`spec/determinism.md`), instrumented with a gas meter and a stack
//! meter defined over the input Wasm (`spec/gas.md`), and run in wasmi against a read-only state view
//! through the token-script host (`spec/abi.md`). Every execution ends in a [`Receipt`]; only a failure
//! of the host itself is an `Err`.

mod bundle;
mod cache;
#[cfg(feature = "platform-canary")]
mod canary;
mod checkpoint;
mod compare;
mod error;
mod host;
mod meter;
mod mutation;
mod overlay;
mod prepare;
mod rules;
mod state;
mod trace;
mod vm;

pub use error::{Result, VmError};
pub use prepare::{
    instrument, validate, validate_all, ExportInfo, FuncInfo, InstrumentError, ModuleInfo, Rule,
    ValidationError, FRAME_OVERHEAD_UNITS, GAS_GLOBAL_EXPORT, GAS_SLOW_IMPORT, GLOBAL_EXPORT_PREFIX,
    PROFILE_VERSION, STACK_GLOBAL_EXPORT, STACK_OVERFLOW_SENTINEL,
};
pub use rules::limits::*;
pub use rules::{GasTable, Rules, ENGINE, GAS_TABLE_VERSION};
pub use state::{InMemoryState, StateError, StateView, TokenState};

pub use abi;
pub use abi::Hash32;
pub use abi::Receipt;
pub use bundle::{check_witness, receipt_mismatches, record_bundle, replay, Replayed, WitnessState};
pub use cache::{engine_config, DEFAULT_CACHE_CODE_BYTES, DEFAULT_CACHE_MODULES};
pub use checkpoint::{CHECKPOINT_PAGE_BYTES, MIN_CHECKPOINT_INTERVAL};
pub use compare::{
    events_in_window, first_divergent_event, first_divergent_window, EventDivergence, WindowDivergence,
};
pub use trace::TraceLevel;
pub use vm::{ExecOptions, Execution, Transaction, Vm};
