//! The rules an execution runs under, and their hash (`spec/abi.md#rules-hash`).
//!
//! The rules hash identifies everything consensus-relevant that is not the input: the ABI version
//! and host function table, the determinism profile version, the gas table and the limits. It is in
//! every receipt; replay refuses a mismatch.

use crate::{GasTable, Limits, GAS_TABLE_VERSION, PROFILE_VERSION};
use abi::{Hash32, WasmType, ABI_VERSION, HOST_FUNCTIONS};
use borsh::BorshSerialize;

/// Domain separation for the rules hash (blake3 `derive_key` context).
const RULES_HASH_CONTEXT: &str = "tsvm 2026-11 rules hash v1";

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
}

fn type_code(t: &WasmType) -> u8 {
    match t {
        WasmType::I32 => 0x7f,
        WasmType::I64 => 0x7e,
    }
}

impl Rules {
    /// The rules hash: blake3 (`derive_key` with context `"tsvm 2026-11 rules hash v1"`) over the borsh
    /// encoding of (ABI version, profile version, gas table version, host function table, gas
    /// table, limits), as `spec/abi.md#rules-hash` specifies.
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
        };
        // Serializing into a Vec cannot fail.
        let bytes = borsh::to_vec(&record).unwrap_or_default();
        Hash32(blake3::derive_key(RULES_HASH_CONTEXT, &bytes))
    }
}
