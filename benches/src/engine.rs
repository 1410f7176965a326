//! The wasmi configuration the baselines run on.

use vm::Rules;
use wasmi::{Config, Engine};

/// The engine configuration tsvm uses ([`vm::engine_config`]), with fuel as asked. Baselines run on
/// it so that a ratio measures tsvm's own work (metering, host checks, receipts), not a different
/// engine setup.
pub fn tsvm_like_config(rules: &Rules, fuel: bool) -> Config {
    let mut config = vm::engine_config(rules);
    config.consume_fuel(fuel);
    config
}

/// An engine with [`tsvm_like_config`] under the default rules.
pub fn plain_engine(fuel: bool) -> Engine {
    Engine::new(&tsvm_like_config(&Rules::default(), fuel))
}
