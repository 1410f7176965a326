//! Reserved names: the exports and imports whose names the profile, the instrumenter, the VM and
//! guest tooling must agree on (`spec/determinism.md#exports`, `spec/gas.md#module-changes`).
//!
//! The host functions' own names are in the host table ([`crate::HOST_FUNCTIONS`], module
//! [`crate::HOST_MODULE`]).

/// The name a module must export its one memory as (`spec/determinism.md#memory`); the VM reads
/// guest memory through this export.
pub const MEMORY_EXPORT: &str = "memory";

/// Export-name prefix reserved for the instrumenter: a module exporting a name that begins with it
/// is rejected (`spec/determinism.md#exports`).
pub const RESERVED_EXPORT_PREFIX: &str = "__tsvm";

/// Import-name prefix (in [`crate::HOST_MODULE`]) that is never a host function a module may import
/// (`spec/determinism.md#imports`); the instrumenter's own import uses it.
pub const RESERVED_IMPORT_PREFIX: &str = "__";

/// Export name of the injected gas global, a mutable `i64` (`spec/gas.md#gas-global`).
pub const GAS_GLOBAL_EXPORT: &str = "__tsvm_gas";

/// Export name of the injected stack-units global, a mutable `i32` (`spec/gas.md#stack-limit`).
pub const STACK_GLOBAL_EXPORT: &str = "__tsvm_sp";

/// Prefix of the exports the instrumenter adds for the module's mutable globals: global index `i`
/// is exported as `__tsvm_global_<i>` (`spec/gas.md#module-changes`).
pub const GLOBAL_EXPORT_PREFIX: &str = "__tsvm_global_";

/// Import name (module [`crate::HOST_MODULE`]) of the injected slow-path gas function
/// `(gas: i64, cost: i64) -> i64`, returning the new gas (`spec/gas.md#slow-path`).
pub const GAS_SLOW_IMPORT: &str = "__gas_slow";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_instrumenters_names_are_reserved() {
        for export in [GAS_GLOBAL_EXPORT, STACK_GLOBAL_EXPORT, GLOBAL_EXPORT_PREFIX] {
            assert!(export.starts_with(RESERVED_EXPORT_PREFIX), "{export}");
        }
        assert!(GAS_SLOW_IMPORT.starts_with(RESERVED_IMPORT_PREFIX));
        assert!(!MEMORY_EXPORT.starts_with(RESERVED_EXPORT_PREFIX));
        for f in crate::HOST_FUNCTIONS {
            assert!(!f.name.starts_with(RESERVED_IMPORT_PREFIX), "{}", f.name);
        }
    }
}
