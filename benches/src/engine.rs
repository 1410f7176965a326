//! The wasmi configuration the baselines run on.

use vm::Rules;
use wasmi::{CompilationMode, Config, Engine};

/// The engine configuration tsvm uses (`vm/src/cache.rs`, `engine_config`), copied because it is
/// crate-private there, with fuel as asked. Baselines run on it so that a ratio measures tsvm's own
/// work (metering, host checks, receipts), not a different engine setup.
pub fn tsvm_like_config(rules: &Rules, fuel: bool) -> Config {
    let max_depth = (rules.limits.max_stack_units / vm::FRAME_OVERHEAD_UNITS) as usize + 64;
    let mut config = Config::default();
    config
        .compilation_mode(CompilationMode::Eager)
        .consume_fuel(fuel)
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
        .set_max_stack_height(rules.limits.max_stack_units as usize * 256);
    config
}

/// An engine with [`tsvm_like_config`] under the default rules.
pub fn plain_engine(fuel: bool) -> Engine {
    Engine::new(&tsvm_like_config(&Rules::default(), fuel))
}
