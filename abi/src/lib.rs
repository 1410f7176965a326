//! # tsvm-abi
//!
//! The wire types shared by the tsvm host, guest tooling, the `tsvm` CLI and the spec. Each type has
//! a canonical [borsh] encoding (what is hashed) and a serde JSON form (what people read and write;
//! bytes as `0x`-prefixed hex, `u128` amounts as decimal strings). See `spec/abi.md`.
//!
//! The host function table ([`HOST_FUNCTIONS`]) lives here once: the VM's linker and its validator
//! both read it, so the two can never drift.
//!
//! The crate is `no_std` (with `alloc`) without its default `std` feature, so guest tooling can use it.
#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

pub mod amount;
#[cfg(feature = "std")]
mod archive;
mod block;
mod bundle;
mod context;
mod entry;
mod event;
mod fault;
pub mod hash;
pub mod hex;
mod host;
mod invocation;
pub mod names;
mod primitives;
mod receipt;
pub mod script_abi;
mod state;
mod status;
#[cfg(test)]
mod tests;
pub mod trace;
mod tx;

#[cfg(feature = "std")]
pub use archive::{
    is_bundle_archive, ArchiveBlocks, ArchiveError, ArchiveReader, ArchiveWriter,
    BUNDLE_ARCHIVE_FORMAT_VERSION, BUNDLE_ARCHIVE_HEADER_LEN, BUNDLE_ARCHIVE_MAGIC,
};
pub use block::{
    first_divergent_commitment, BlockBundle, BlockResult, TokenWitness, BLOCK_BUNDLE_FORMAT_VERSION,
};
pub use bundle::{Bundle, BundleHead, Witness, WitnessEntry, BUNDLE_FORMAT_VERSION};
pub use context::Context;
pub use entry::{entry_export_name, valid_entry_name, EntryKind, MAX_ENTRY_NAME_LEN};
pub use event::{Event, LogLevel, LogRecord};
pub use fault::{ArgumentKind, Fault, LimitKind, TrapKind};
pub use host::{host_function, wat_imports, HostFn, HostFnId, WasmType, HOST_FUNCTIONS, HOST_MODULE};
pub use invocation::{Call, HookKind, Invocation, Operation};
pub use primitives::{Address, Hash32, TokenId};
pub use receipt::Receipt;
pub use script_abi::{AbiError, AbiType, ScriptAbi};
pub use state::{DiffEntry, StateDiff, StateKey, TokenInfo, TokenPolicy};
pub use status::StatusCode;
pub use trace::{Checkpoint, MutationOrigin, TraceBytes, TraceCall, TraceEvent, TraceKey, TRACE_INLINE_MAX};
pub use tx::{Code, TxData};

/// Version of the ABI: the wire types, the host function table and the entry-point naming rule.
///
/// It is part of the rules hash; any change to this crate that changes an encoding, a host function
/// or its gas cost must bump it (`spec/abi.md#versioning`).
pub const ABI_VERSION: u32 = 3;

/// Amounts of a token: unsigned, 128 bits (`spec/abi.md#amounts`).
pub type Amount = u128;
