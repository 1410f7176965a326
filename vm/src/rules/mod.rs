//! The rules an execution runs under, and their hash (`spec/abi.md#rules-hash`).
//!
//! The rules hash identifies everything consensus-relevant that is not the input: the ABI version
//! and host function table, the determinism profile version, the gas table, the limits and the
//! pinned engine with its exact version (its compile failures are outcomes: `engine_rejected`). It
//! is in every receipt; replay refuses a mismatch.
//!
//! Layout, and where a change goes:
//! - [`limits`]: the limits table (`limits!`): add or change a limit there;
//! - [`gas`]: the gas table (`gas_table!`) and the operator classes: add or change a cost there;
//! - this file: [`Rules`] and its hash, [`ENGINE`]. The hash contexts live in `abi::hash`.

/// Counts token trees: the length of the arrays the `limits!` and `gas_table!` tables generate.
macro_rules! count {
    () => { 0usize };
    ($head:tt $($tail:tt)*) => { 1usize + count!($($tail)*) };
}

pub(crate) mod gas;
pub(crate) mod limits;

pub use gas::{GasTable, GAS_TABLE_VERSION};

use crate::{Limits, PROFILE_VERSION};
use abi::hash::{keyed_hash, RULES_HASH_CONTEXT};
use abi::{Hash32, WasmType, ABI_VERSION, HOST_FUNCTIONS};
use borsh::BorshSerialize;

/// The pinned engine and its exact version, as the rules hash records it (`spec/abi.md#rules-hash`).
/// Which validated modules end in `engine_rejected` depends on it, so a node on another engine or
/// version has other rules. A test keeps it equal to the `wasmi` version in `Cargo.lock`.
pub const ENGINE: &str = "wasmi 2.0.0";

/// Limits and gas table: everything a node configures.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Rules {
    /// Static and host limits.
    pub limits: Limits,
    /// Gas costs.
    pub gas: GasTable,
}

#[derive(BorshSerialize)]
struct HostFnRecord<'a> {
    name: &'a str,
    params: Vec<u8>,
    results: Vec<u8>,
    base: u64,
    per_byte: u64,
}

#[derive(BorshSerialize)]
struct RulesRecord<'a> {
    abi_version: u32,
    profile_version: u32,
    gas_table_version: u32,
    host_functions: Vec<HostFnRecord<'a>>,
    gas: &'a GasTable,
    limits: &'a Limits,
    engine: &'a str,
}

fn type_code(t: &WasmType) -> u8 {
    match t {
        WasmType::I32 => 0x7f,
        WasmType::I64 => 0x7e,
    }
}

impl Rules {
    /// The rules hash: blake3 (`derive_key` with context [`RULES_HASH_CONTEXT`]) over the borsh
    /// encoding of (ABI version, profile version, gas table version, host function table, gas
    /// table, limits, [`ENGINE`]), as `spec/abi.md#rules-hash` specifies.
    pub fn hash(&self) -> Hash32 {
        let record = RulesRecord {
            abi_version: ABI_VERSION,
            profile_version: PROFILE_VERSION,
            gas_table_version: GAS_TABLE_VERSION,
            host_functions: HOST_FUNCTIONS
                .iter()
                .map(|f| HostFnRecord {
                    name: f.name,
                    params: f.params.iter().map(type_code).collect(),
                    results: f.results.iter().map(type_code).collect(),
                    base: f.base,
                    per_byte: f.per_byte,
                })
                .collect(),
            gas: &self.gas,
            limits: &self.limits,
            engine: ENGINE,
        };
        // Serializing into a Vec cannot fail.
        let bytes = borsh::to_vec(&record).unwrap_or_default();
        keyed_hash(RULES_HASH_CONTEXT, &bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_engine_string_is_the_locked_wasmi_version() {
        let lock = include_str!("../../../Cargo.lock");
        let version = lock
            .split("[[package]]")
            .find(|p| p.contains("\nname = \"wasmi\"\n"))
            .and_then(|p| p.lines().find_map(|l| l.strip_prefix("version = \"")))
            .map(|v| v.trim_end_matches('"'))
            .expect("wasmi in Cargo.lock");
        assert_eq!(ENGINE, format!("wasmi {version}"));
    }

    #[test]
    fn the_rules_hash_covers_the_engine() {
        let rules = Rules::default();
        let record = |engine| RulesRecord {
            abi_version: ABI_VERSION,
            profile_version: PROFILE_VERSION,
            gas_table_version: GAS_TABLE_VERSION,
            host_functions: Vec::new(),
            gas: &rules.gas,
            limits: &rules.limits,
            engine,
        };
        let a = borsh::to_vec(&record(ENGINE)).unwrap();
        let b = borsh::to_vec(&record("wasmi 2.0.1")).unwrap();
        assert_ne!(a, b);
        assert!(a.ends_with(&[&(ENGINE.len() as u32).to_le_bytes()[..], ENGINE.as_bytes()].concat()));
    }
}
