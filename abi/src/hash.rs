//! The hashes tsvm commits to (`spec/trace.md#hashes`).
//!
//! Content hashes (code, input, return data, large payloads) are plain blake3 of the bytes.
//! Structured hashes (trace, state diff, receipt) use blake3's `derive_key` mode with a context
//! string per kind, so that no two kinds of data can ever hash alike.

use crate::Hash32;

/// `derive_key` context of the trace hash.
pub const TRACE_CONTEXT: &str = "tsvm 2026-11 trace v1";
/// `derive_key` context of the state diff hash.
pub const DIFF_CONTEXT: &str = "tsvm 2026-11 state diff v1";
/// `derive_key` context of the receipt hash.
pub const RECEIPT_CONTEXT: &str = "tsvm 2026-11 receipt v1";
/// `derive_key` context of the memory-and-globals commitment of a checkpoint.
pub const STATE_COMMITMENT_CONTEXT: &str = "tsvm 2026-11 checkpoint state v1";

/// Plain blake3 of `bytes`.
pub fn content_hash(bytes: &[u8]) -> Hash32 {
    Hash32(*blake3::hash(bytes).as_bytes())
}

/// blake3 in `derive_key` mode with `context` over `bytes`.
pub fn keyed_hash(context: &str, bytes: &[u8]) -> Hash32 {
    Hash32(blake3::derive_key(context, bytes))
}

/// The canonical hash of a state diff: `derive_key(DIFF_CONTEXT, borsh(diff))`.
pub fn diff_hash(diff: &crate::StateDiff) -> Hash32 {
    keyed_hash(DIFF_CONTEXT, &borsh::to_vec(diff).unwrap_or_default())
}
