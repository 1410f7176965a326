//! PLACEHOLDER: the gas table (owned by the instrumentation work; replaced wholesale).

/// Version of the gas table.
pub const GAS_TABLE_VERSION: u32 = 0;

/// The gas table.
#[derive(Clone, Debug, Default, PartialEq, Eq, borsh::BorshSerialize)]
pub struct GasTable {}

impl GasTable {
    /// Placeholder.
    #[must_use]
    pub fn load_cost(&self, code_size: u32) -> u64 {
        u64::from(code_size)
    }

    /// Placeholder.
    #[must_use]
    pub fn instantiate_cost(&self, memory_pages: u32, data_bytes: u64) -> u64 {
        u64::from(memory_pages) * 1000 + data_bytes
    }
}
