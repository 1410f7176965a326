//! The engine configuration the rules pin (`spec/gas.md#stack-limit`, `spec/determinism.md`).

use crate::Rules;
use wasmi::{CompilationMode, Config};

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
        // spec/determinism.md#memory: a memory may have 1-byte pages.
        .wasm_custom_page_sizes(true)
        .allow_start_fn(false)
        .ignore_custom_sections(true)
        .set_max_recursion_depth(max_depth)
        // wasmi's value stack holds at most a small multiple of our stack units (8-byte cells);
        // 256 bytes per unit is far above that, and the stack only grows as used.
        .set_max_stack_height(rules.limits.max_stack_units as usize * 256);
    config
}
