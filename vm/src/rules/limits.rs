//! Static and host limits: one struct, documented defaults (`spec/determinism.md#limits`).
//!
//! Every field is part of the rules hash. Each default says where its number comes from; the
//! landscape figures are CosmWasm's, NEAR's and Arbitrum Stylus's own limits (2026).

use borsh::BorshSerialize;

/// Largest module accepted, in bytes. Stylus allows 128 KiB, NEAR 4 MiB; token scripts compiled from
/// C with a small runtime are 10-200 KiB, and code is charged per byte on every load.
pub const DEFAULT_MAX_CODE_SIZE: u32 = 512 * 1024;
/// Defined plus imported functions. Stylus 4,096, NEAR 10,000, CosmWasm 20,000; 4,096 is far above
/// what a token script needs and bounds compile time and the per-function tables.
pub const DEFAULT_MAX_FUNCTIONS: u32 = 4_096;
/// Locals per function, parameters included. CosmWasm allows 100 params/locals, which unoptimised
/// C exceeds; 1,024 keeps frames (and the stack limit's accounting) small.
pub const DEFAULT_MAX_LOCALS: u32 = 1_024;
/// Parameters per function type. CosmWasm 100; no script needs more than a handful.
pub const DEFAULT_MAX_PARAMS: u32 = 32;
/// Results per function type (multi-value is allowed).
pub const DEFAULT_MAX_RESULTS: u32 = 8;
/// Globals (the instrumentation adds its own on top). C uses one (the stack pointer).
pub const DEFAULT_MAX_GLOBALS: u32 = 256;
/// Function types in the type section.
pub const DEFAULT_MAX_TYPES: u32 = 1_024;
/// Initial size of the one table (C function pointers). Same order as the function count.
pub const DEFAULT_MAX_TABLE_SIZE: u32 = 4_096;
/// Data segments. clang emits a few; 1,024 bounds instantiation work.
pub const DEFAULT_MAX_DATA_SEGMENTS: u32 = 1_024;
/// Element segments.
pub const DEFAULT_MAX_ELEMENT_SEGMENTS: u32 = 64;
/// Exports (entry points, `memory`, helpers).
pub const DEFAULT_MAX_EXPORTS: u32 = 256;
/// Imports (all from the host table; repeats are allowed but bounded).
pub const DEFAULT_MAX_IMPORTS: u32 = 64;
/// Targets of one `br_table` (charged per target too). Stylus charges per target and caps by code
/// size; 1,024 covers any `switch` a script needs.
pub const DEFAULT_MAX_BR_TABLE_TARGETS: u32 = 1_024;
/// Linear memory cap in 64 KiB pages: 4 MiB, half of Stylus's 128 pages, an eighth of CosmWasm's 512.
/// Memory is fixed at its declared minimum, which must not exceed this.
pub const DEFAULT_MAX_MEMORY_PAGES: u32 = 64;
/// Frame units of one defined function, `FRAME_OVERHEAD_UNITS + params + declared locals +
/// max_operand_height` (`spec/gas.md#stack-limit`). Half the default stack limit, so every accepted
/// function can run at least twice nested. It also keeps every function within the pinned engine's
/// frame: wasmi 2.0.0 sizes a frame as `2 * (locals + 4 scratch locals) + operand cells`, where the
/// instrumented operand height is at most the input's plus 2, and rejects frames above 65,535
/// slots; a frame of at most 32,768 units needs at most `2 * 32,760 + 10 = 65,530` slots (wasmi
/// also caps locals at 30,000, which makes it at most 62,766; `max_locals` is far below that).
pub const DEFAULT_MAX_FRAME_UNITS: u32 = 32_768;
/// The specified stack limit, in stack units (`spec/gas.md#stack-limit`). NEAR specifies 262,144;
/// with a frame costing at least 8 units this allows recursion at least 8,192 deep.
pub const DEFAULT_MAX_STACK_UNITS: u32 = 65_536;

/// Longest storage key in bytes.
pub const DEFAULT_MAX_KEY_LEN: u32 = 256;
/// Longest storage value in bytes.
pub const DEFAULT_MAX_VALUE_LEN: u32 = 16 * 1024;
/// Longest return data in bytes.
pub const DEFAULT_MAX_RETURN_DATA_LEN: u32 = 16 * 1024;
/// Longest revert reason in bytes.
pub const DEFAULT_MAX_REVERT_REASON_LEN: u32 = 1024;
/// Longest event topic in bytes.
pub const DEFAULT_MAX_EVENT_TOPIC_LEN: u32 = 64;
/// Longest event payload in bytes.
pub const DEFAULT_MAX_EVENT_DATA_LEN: u32 = 4 * 1024;
/// Events per execution.
pub const DEFAULT_MAX_EVENTS: u32 = 64;
/// Longest log message in bytes.
pub const DEFAULT_MAX_LOG_LEN: u32 = 1024;
/// Log records per execution.
pub const DEFAULT_MAX_LOGS: u32 = 64;
/// Longest invocation input (view or method args) in bytes.
pub const DEFAULT_MAX_INPUT_LEN: u32 = 64 * 1024;

/// Every limit tsvm enforces. All fields are consensus rules and part of the rules hash.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize)]
pub struct Limits {
    /// See [`DEFAULT_MAX_CODE_SIZE`].
    pub max_code_size: u32,
    /// See [`DEFAULT_MAX_FUNCTIONS`].
    pub max_functions: u32,
    /// See [`DEFAULT_MAX_LOCALS`].
    pub max_locals: u32,
    /// See [`DEFAULT_MAX_PARAMS`].
    pub max_params: u32,
    /// See [`DEFAULT_MAX_RESULTS`].
    pub max_results: u32,
    /// See [`DEFAULT_MAX_GLOBALS`].
    pub max_globals: u32,
    /// See [`DEFAULT_MAX_TYPES`].
    pub max_types: u32,
    /// See [`DEFAULT_MAX_TABLE_SIZE`].
    pub max_table_size: u32,
    /// See [`DEFAULT_MAX_DATA_SEGMENTS`].
    pub max_data_segments: u32,
    /// See [`DEFAULT_MAX_ELEMENT_SEGMENTS`].
    pub max_element_segments: u32,
    /// See [`DEFAULT_MAX_EXPORTS`].
    pub max_exports: u32,
    /// See [`DEFAULT_MAX_IMPORTS`].
    pub max_imports: u32,
    /// See [`DEFAULT_MAX_BR_TABLE_TARGETS`].
    pub max_br_table_targets: u32,
    /// See [`DEFAULT_MAX_MEMORY_PAGES`].
    pub max_memory_pages: u32,
    /// See [`DEFAULT_MAX_STACK_UNITS`].
    pub max_stack_units: u32,
    /// See [`DEFAULT_MAX_FRAME_UNITS`].
    pub max_frame_units: u32,
    /// See [`DEFAULT_MAX_KEY_LEN`].
    pub max_key_len: u32,
    /// See [`DEFAULT_MAX_VALUE_LEN`].
    pub max_value_len: u32,
    /// See [`DEFAULT_MAX_RETURN_DATA_LEN`].
    pub max_return_data_len: u32,
    /// See [`DEFAULT_MAX_REVERT_REASON_LEN`].
    pub max_revert_reason_len: u32,
    /// See [`DEFAULT_MAX_EVENT_TOPIC_LEN`].
    pub max_event_topic_len: u32,
    /// See [`DEFAULT_MAX_EVENT_DATA_LEN`].
    pub max_event_data_len: u32,
    /// See [`DEFAULT_MAX_EVENTS`].
    pub max_events: u32,
    /// See [`DEFAULT_MAX_LOG_LEN`].
    pub max_log_len: u32,
    /// See [`DEFAULT_MAX_LOGS`].
    pub max_logs: u32,
    /// See [`DEFAULT_MAX_INPUT_LEN`].
    pub max_input_len: u32,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_code_size: DEFAULT_MAX_CODE_SIZE,
            max_functions: DEFAULT_MAX_FUNCTIONS,
            max_locals: DEFAULT_MAX_LOCALS,
            max_params: DEFAULT_MAX_PARAMS,
            max_results: DEFAULT_MAX_RESULTS,
            max_globals: DEFAULT_MAX_GLOBALS,
            max_types: DEFAULT_MAX_TYPES,
            max_table_size: DEFAULT_MAX_TABLE_SIZE,
            max_data_segments: DEFAULT_MAX_DATA_SEGMENTS,
            max_element_segments: DEFAULT_MAX_ELEMENT_SEGMENTS,
            max_exports: DEFAULT_MAX_EXPORTS,
            max_imports: DEFAULT_MAX_IMPORTS,
            max_br_table_targets: DEFAULT_MAX_BR_TABLE_TARGETS,
            max_memory_pages: DEFAULT_MAX_MEMORY_PAGES,
            max_stack_units: DEFAULT_MAX_STACK_UNITS,
            max_frame_units: DEFAULT_MAX_FRAME_UNITS,
            max_key_len: DEFAULT_MAX_KEY_LEN,
            max_value_len: DEFAULT_MAX_VALUE_LEN,
            max_return_data_len: DEFAULT_MAX_RETURN_DATA_LEN,
            max_revert_reason_len: DEFAULT_MAX_REVERT_REASON_LEN,
            max_event_topic_len: DEFAULT_MAX_EVENT_TOPIC_LEN,
            max_event_data_len: DEFAULT_MAX_EVENT_DATA_LEN,
            max_events: DEFAULT_MAX_EVENTS,
            max_log_len: DEFAULT_MAX_LOG_LEN,
            max_logs: DEFAULT_MAX_LOGS,
            max_input_len: DEFAULT_MAX_INPUT_LEN,
        }
    }
}
