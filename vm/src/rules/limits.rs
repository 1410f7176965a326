//! Static and host limits: one table, documented defaults (`spec/determinism.md#limits`,
//! `spec/abi.md#host-limits`).
//!
//! Every field is part of the rules hash. Each default says where its number comes from; the
//! landscape figures are CosmWasm's, NEAR's and Arbitrum Stylus's own limits (2026).
//!
//! The `limits!` table below is the only list of limits: it generates the `DEFAULT_*`
//! constants, the [`Limits`] struct (in table order, which is its borsh order and so part of the
//! rules hash: never reorder), its `Default`, [`Limits::FIELDS`] and, for the static limits the
//! validator enforces, the [`Limit`] enum with its names and units. Adding a limit is:
//! 1. one entry in the table (at the end; a static limit gets `static Variant "unit", "counts"`);
//! 2. the check itself (a static limit in `prepare/validate`, a host limit in the host);
//! 3. its row in the spec section the entry links to (`tests/spec_sync.rs` checks it is there).

use borsh::BorshSerialize;

/// `Some` of the static limit an entry names, or `None`.
macro_rules! some_limit {
    () => {
        None
    };
    ($limit:expr) => {
        Some($limit)
    };
}

/// Generates everything that lists limits from one table. Each entry is
/// `/// rationale` `field = DEFAULT_CONST: value, "spec/...#section"` and, for a static limit,
/// `, static Variant "unit", "what it counts"`, ended by `;`.
macro_rules! limits {
    ($(
        $(#[doc = $doc:literal])*
        $field:ident = $default:ident : $value:expr, $spec:literal
        $(, static $variant:ident $unit:literal, $counts:literal)? ;
    )*) => {
        $(
            $(#[doc = $doc])*
            #[doc = ""]
            #[doc = concat!("Spec: `", $spec, "`.")]
            pub const $default: u32 = $value;
        )*

        /// Every limit tsvm enforces. All fields are consensus rules and part of the rules hash.
        #[derive(Clone, Debug, PartialEq, Eq, BorshSerialize)]
        pub struct Limits {
            $(
                #[doc = concat!("See [`", stringify!($default), "`] (`", $spec, "`).")]
                pub $field: u32,
            )*
        }

        impl Default for Limits {
            fn default() -> Self {
                Self { $( $field: $default, )* }
            }
        }

        impl Limits {
            /// Every field, in declaration order (the borsh order the rules hash covers).
            pub const FIELDS: [LimitField; count!($($field)*)] = [
                $( LimitField {
                    name: stringify!($field),
                    default: $default,
                    spec: $spec,
                    limit: some_limit!($(Limit::$variant)?),
                }, )*
            ];

            /// The value of the field named `name`, if there is one.
            pub fn get(&self, name: &str) -> Option<u32> {
                match name {
                    $( stringify!($field) => Some(self.$field), )*
                    _ => None,
                }
            }
        }

        /// A static limit the validator enforces: one field of [`Limits`]
        /// (`spec/determinism.md#limits`).
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum Limit {
            $( $(
                #[doc = concat!("[`Limits::", stringify!($field), "`]: ", $counts, ".")]
                $variant,
            )? )*
        }

        impl Limit {
            /// Every limit, in spec order.
            pub const ALL: [Limit; count!($($($variant)?)*)] = [ $( $( Self::$variant, )? )* ];

            /// The name of the [`Limits`] field.
            pub fn field(&self) -> &'static str {
                match self {
                    $( $( Self::$variant => stringify!($field), )? )*
                }
            }

            /// What the limit counts, plural, for messages.
            pub fn unit(&self) -> &'static str {
                match self {
                    $( $( Self::$variant => $unit, )? )*
                }
            }

            /// The limit's value in `limits`.
            pub fn value(&self, limits: &Limits) -> u32 {
                match self {
                    $( $( Self::$variant => limits.$field, )? )*
                }
            }
        }
    };
}

/// One field of [`Limits`], described (see [`Limits::FIELDS`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LimitField {
    /// The field's name.
    pub name: &'static str,
    /// Its default (the `DEFAULT_*` constant).
    pub default: u32,
    /// The spec section that states it, as `spec/<doc>.md#<anchor>`.
    pub spec: &'static str,
    /// The static limit it is, if the validator enforces it.
    pub limit: Option<Limit>,
}

limits! {
    /// Largest module accepted, in bytes. Stylus allows 128 KiB, NEAR 4 MiB; token scripts compiled
    /// from C with a small runtime are 10-200 KiB, and code is charged per byte on every load.
    max_code_size = DEFAULT_MAX_CODE_SIZE: 512 * 1024, "spec/determinism.md#limits",
        static CodeSize "bytes", "module length in bytes";
    /// Defined plus imported functions. Stylus 4,096, NEAR 10,000, CosmWasm 20,000; 4,096 is far
    /// above what a token script needs and bounds compile time and the per-function tables.
    max_functions = DEFAULT_MAX_FUNCTIONS: 4_096, "spec/determinism.md#limits",
        static Functions "functions", "imported plus defined functions";
    /// Locals per function, parameters included. CosmWasm allows 100 params/locals, which
    /// unoptimised C exceeds; 1,024 keeps frames (and the stack limit's accounting) small.
    max_locals = DEFAULT_MAX_LOCALS: 1_024, "spec/determinism.md#limits",
        static Locals "locals", "parameters plus declared locals of one function";
    /// Parameters per function type. CosmWasm 100; no script needs more than a handful.
    max_params = DEFAULT_MAX_PARAMS: 32, "spec/determinism.md#limits",
        static Params "params", "parameters of one function type";
    /// Results per function type (multi-value is allowed).
    max_results = DEFAULT_MAX_RESULTS: 8, "spec/determinism.md#limits",
        static Results "results", "results of one function type";
    /// Globals (the instrumentation adds its own on top). C uses one (the stack pointer).
    max_globals = DEFAULT_MAX_GLOBALS: 256, "spec/determinism.md#limits",
        static Globals "globals", "defined globals";
    /// Function types in the type section.
    max_types = DEFAULT_MAX_TYPES: 1_024, "spec/determinism.md#limits",
        static Types "types", "entries of the type section";
    /// Initial size of the one table (C function pointers). Same order as the function count.
    max_table_size = DEFAULT_MAX_TABLE_SIZE: 4_096, "spec/determinism.md#limits",
        static TableSize "table elements", "initial size of the table";
    /// Data segments. clang emits a few; 1,024 bounds instantiation work.
    max_data_segments = DEFAULT_MAX_DATA_SEGMENTS: 1_024, "spec/determinism.md#limits",
        static DataSegments "data segments", "data segments";
    /// Element segments.
    max_element_segments = DEFAULT_MAX_ELEMENT_SEGMENTS: 64, "spec/determinism.md#limits",
        static ElementSegments "element segments", "element segments";
    /// Exports (entry points, `memory`, helpers).
    max_exports = DEFAULT_MAX_EXPORTS: 256, "spec/determinism.md#limits",
        static Exports "exports", "exports";
    /// Imports (all from the host table; repeats are allowed but bounded).
    max_imports = DEFAULT_MAX_IMPORTS: 64, "spec/determinism.md#limits",
        static Imports "imports", "imports";
    /// Targets of one `br_table` (charged per target too). Stylus charges per target and caps by
    /// code size; 1,024 covers any `switch` a script needs.
    max_br_table_targets = DEFAULT_MAX_BR_TABLE_TARGETS: 1_024, "spec/determinism.md#limits",
        static BrTableTargets "br_table targets", "targets of one `br_table` (default excluded)";
    /// Linear memory cap in 64 KiB pages: 4 MiB, half of Stylus's 128 pages, an eighth of
    /// CosmWasm's 512. Memory is fixed at its declared minimum, which must not exceed this.
    max_memory_pages = DEFAULT_MAX_MEMORY_PAGES: 64, "spec/determinism.md#limits",
        static MemoryPages "memory pages", "initial memory size in 64 KiB pages";
    /// The specified stack limit, in stack units (`spec/gas.md#stack-limit`). NEAR specifies
    /// 262,144; with a frame costing at least 8 units this allows recursion at least 8,192 deep.
    max_stack_units = DEFAULT_MAX_STACK_UNITS: 65_536, "spec/gas.md#stack-limit";
    /// Frame units of one defined function, `FRAME_OVERHEAD_UNITS + params + declared locals +
    /// max_operand_height` (`spec/gas.md#stack-limit`). Half the default stack limit, so every
    /// accepted function can run at least twice nested. It also keeps every function within the
    /// pinned engine's frame: wasmi 2.0.0 sizes a frame as `2 * (locals + 4 scratch locals) +
    /// operand cells`, where the instrumented operand height is at most the input's plus 2, and
    /// rejects frames above 65,535 slots; a frame of at most 32,768 units needs at most
    /// `2 * 32,760 + 10 = 65,530` slots (wasmi also caps locals at 30,000, which makes it at most
    /// 62,766; `max_locals` is far below that).
    max_frame_units = DEFAULT_MAX_FRAME_UNITS: 32_768, "spec/determinism.md#limits",
        static FrameUnits "frame units",
        "frame units of one defined function ([`crate::FuncInfo::frame_units`])";

    /// Longest storage key in bytes.
    max_key_len = DEFAULT_MAX_KEY_LEN: 256, "spec/abi.md#host-limits";
    /// Longest storage value in bytes.
    max_value_len = DEFAULT_MAX_VALUE_LEN: 16 * 1024, "spec/abi.md#host-limits";
    /// Longest return data in bytes.
    max_return_data_len = DEFAULT_MAX_RETURN_DATA_LEN: 16 * 1024, "spec/abi.md#host-limits";
    /// Longest revert reason in bytes.
    max_revert_reason_len = DEFAULT_MAX_REVERT_REASON_LEN: 1024, "spec/abi.md#host-limits";
    /// Longest event topic in bytes.
    max_event_topic_len = DEFAULT_MAX_EVENT_TOPIC_LEN: 64, "spec/abi.md#host-limits";
    /// Longest event payload in bytes.
    max_event_data_len = DEFAULT_MAX_EVENT_DATA_LEN: 4 * 1024, "spec/abi.md#host-limits";
    /// Events per execution.
    max_events = DEFAULT_MAX_EVENTS: 64, "spec/abi.md#host-limits";
    /// Longest log message in bytes.
    max_log_len = DEFAULT_MAX_LOG_LEN: 1024, "spec/abi.md#host-limits";
    /// Log records per execution.
    max_logs = DEFAULT_MAX_LOGS: 64, "spec/abi.md#host-limits";
    /// Longest invocation input (view or method args) in bytes.
    max_input_len = DEFAULT_MAX_INPUT_LEN: 64 * 1024, "spec/abi.md#host-limits";
}

impl Limit {
    /// `Some(message)` if `found` exceeds this limit in `limits`, e.g.
    /// `"max_functions: 5000 functions exceed the limit of 4096"`.
    pub fn check(&self, limits: &Limits, found: u64) -> Option<String> {
        let limit = self.value(limits);
        (found > u64::from(limit))
            .then(|| format!("{}: {found} {} exceed the limit of {limit}", self.field(), self.unit()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_describe_the_struct() {
        let limits = Limits::default();
        for f in Limits::FIELDS {
            assert_eq!(limits.get(f.name), Some(f.default), "{}", f.name);
            if let Some(l) = f.limit {
                assert_eq!(l.field(), f.name);
                assert_eq!(f.spec, "spec/determinism.md#limits");
            }
        }
        let statics: Vec<Limit> = Limits::FIELDS.iter().filter_map(|f| f.limit).collect();
        assert_eq!(statics, Limit::ALL);
        assert_eq!(limits.get("nope"), None);
    }

    /// A run-time limit (host or stack) is reported as the fault kind of the same name
    /// (`spec/abi.md#faults`); a static one is a validation error instead.
    #[test]
    fn every_run_time_limit_has_its_fault_kind() {
        let mut run_time: Vec<&str> =
            Limits::FIELDS.iter().filter(|f| f.limit.is_none()).map(|f| f.name).collect();
        let mut kinds: Vec<&str> = abi::LimitKind::ALL.iter().map(|k| k.name()).collect();
        run_time.sort_unstable();
        kinds.sort_unstable();
        assert_eq!(run_time, kinds);
    }
}
