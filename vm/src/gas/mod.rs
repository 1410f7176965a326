//! PLACEHOLDER: the gas table (owned by the instrumentation work; replaced wholesale).

/// Version of the gas table.
pub const GAS_TABLE_VERSION: u32 = 0;

/// The gas table.
#[derive(Clone, Debug, Default, PartialEq, Eq, borsh::BorshSerialize)]
pub struct GasTable {}
