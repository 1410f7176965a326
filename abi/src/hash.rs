//! The hashes tsvm commits to (`spec/trace.md#hashes`).
//!
//! Content hashes (code, input, return data, large payloads) are plain blake3 of the bytes.
//! Structured hashes (trace, state diff, receipt, checkpoint state, rules) use blake3's `derive_key` mode with a context
//! string per kind, so that no two kinds of data can ever hash alike.

use crate::Hash32;

/// `derive_key` context of the trace hash.
pub const TRACE_CONTEXT: &str = "tsvm 2026-12 trace v3";
/// `derive_key` context of the state diff hash.
pub const DIFF_CONTEXT: &str = "tsvm 2026-11 state diff v1";
/// `derive_key` context of the receipt hash.
pub const RECEIPT_CONTEXT: &str = "tsvm 2026-12 receipt v3";
/// `derive_key` context of the memory-and-globals commitment of a checkpoint.
pub const STATE_COMMITMENT_CONTEXT: &str = "tsvm 2026-11 checkpoint state v2";
/// `derive_key` context of the rules hash (`spec/abi.md#rules-hash`).
pub const RULES_HASH_CONTEXT: &str = "tsvm 2026-11 rules hash v1";
/// `derive_key` context of the running block commitment (`spec/block.md#block-commitment`).
pub const BLOCK_COMMITMENT_CONTEXT: &str = "tsvm 2026-12 block commitment v1";

/// Plain blake3 of `bytes`.
pub fn content_hash(bytes: &[u8]) -> Hash32 {
    if bytes.is_empty() {
        #[cfg(feature = "std")]
        return empty_hash_cached();
    }
    Hash32(*blake3::hash(bytes).as_bytes())
}

#[cfg(feature = "std")]
fn empty_hash_cached() -> Hash32 {
    static EMPTY: std::sync::OnceLock<Hash32> = std::sync::OnceLock::new();
    *EMPTY.get_or_init(|| Hash32(*blake3::hash(&[]).as_bytes()))
}

/// blake3 in `derive_key` mode with `context` over `bytes`.
pub fn keyed_hash(context: &str, bytes: &[u8]) -> Hash32 {
    let mut h = derive_key_hasher(context);
    h.update(bytes);
    Hash32(*h.finalize().as_bytes())
}

/// A blake3 hasher in `derive_key` mode for `context`, ready for input. With `std`, the context
/// key of each of this module's contexts is derived once per process (blake3's
/// `hash_derive_key_context`, what `Hasher::new_derive_key` does first) and the hasher is started
/// from it: the same hasher, without deriving or cloning one per hash.
pub fn derive_key_hasher(context: &str) -> blake3::Hasher {
    #[cfg(feature = "std")]
    {
        use blake3::hazmat::{hash_derive_key_context, ContextKey, HasherExt};
        use std::sync::OnceLock;
        static CACHED: [OnceLock<ContextKey>; 4] =
            [OnceLock::new(), OnceLock::new(), OnceLock::new(), OnceLock::new()];
        let slot = [TRACE_CONTEXT, DIFF_CONTEXT, RECEIPT_CONTEXT, STATE_COMMITMENT_CONTEXT]
            .iter()
            .position(|c| *c == context);
        if let Some(i) = slot {
            let key = CACHED[i].get_or_init(|| hash_derive_key_context(context));
            return blake3::Hasher::new_from_context_key(key);
        }
    }
    blake3::Hasher::new_derive_key(context)
}

/// The state commitment of a checkpoint (`spec/trace.md#checkpoints`): `derive_key(STATE_COMMITMENT_CONTEXT,
/// u32 page count LE ++ each 64 KiB page's plain blake3 ++ each mutable global as 8 bytes LE)`.
pub fn state_commitment(page_hashes: &[[u8; 32]], globals: &[u64]) -> Hash32 {
    let mut h = derive_key_hasher(STATE_COMMITMENT_CONTEXT);
    h.update(&(page_hashes.len() as u32).to_le_bytes());
    for hash in page_hashes {
        h.update(hash);
    }
    for g in globals {
        h.update(&g.to_le_bytes());
    }
    Hash32(*h.finalize().as_bytes())
}

/// The running block commitment after a transaction (`spec/block.md#block-commitment`):
/// `derive_key(BLOCK_COMMITMENT_CONTEXT, previous ++ receipt_hash)`, where `previous` is the
/// commitment after the transaction before (32 zero bytes before the first).
pub fn block_commitment(previous: &Hash32, receipt_hash: &Hash32) -> Hash32 {
    let mut h = derive_key_hasher(BLOCK_COMMITMENT_CONTEXT);
    h.update(&previous.0);
    h.update(&receipt_hash.0);
    Hash32(*h.finalize().as_bytes())
}

/// The canonical hash of a state diff: `derive_key(DIFF_CONTEXT, borsh(diff))`.
pub fn diff_hash(diff: &crate::StateDiff) -> Hash32 {
    diff_hash_in(diff, &mut alloc::vec::Vec::new())
}

/// [`diff_hash`], encoding the diff into `buf` (cleared first), so a caller hashing more than one
/// thing can reuse one buffer.
pub(crate) fn diff_hash_in(diff: &crate::StateDiff, buf: &mut alloc::vec::Vec<u8>) -> Hash32 {
    // One update over the whole encoding: borsh writes field by field, and feeding those small
    // writes to the hasher one at a time costs several times more than the copy.
    buf.clear();
    // Writing to a Vec fails only for a length over u32::MAX, which no diff can hold.
    let _ = borsh::BorshSerialize::serialize(diff, buf);
    keyed_hash(DIFF_CONTEXT, buf)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every context, as the spec lists them (`spec/trace.md#hashes`).
    const CONTEXTS: [&str; 6] = [
        TRACE_CONTEXT,
        DIFF_CONTEXT,
        RECEIPT_CONTEXT,
        STATE_COMMITMENT_CONTEXT,
        RULES_HASH_CONTEXT,
        BLOCK_COMMITMENT_CONTEXT,
    ];

    #[test]
    fn contexts_are_distinct_and_in_the_spec() {
        let spec = include_str!("../../spec/trace.md");
        for (i, c) in CONTEXTS.iter().enumerate() {
            assert!(!CONTEXTS[..i].contains(c), "{c} repeats");
            assert!(spec.contains(&format!("context `\"{c}\"`")), "spec/trace.md#hashes lacks {c}");
        }
    }

    #[test]
    fn a_hasher_from_a_cached_context_key_is_blake3_derive_key() {
        for context in CONTEXTS {
            for len in [0, 1, 64, 1024, 1025, 5000] {
                let input: Vec<u8> = (0..len).map(|i| (i * 7 + 3) as u8).collect();
                let mut expected = blake3::Hasher::new_derive_key(context);
                expected.update(&input);
                assert_eq!(keyed_hash(context, &input).0, *expected.finalize().as_bytes(), "{context} {len}");
            }
        }
    }

    #[test]
    fn the_block_commitment_chains_and_depends_on_order() {
        let (a, b) = (Hash32([1; 32]), Hash32([2; 32]));
        let ab = block_commitment(&block_commitment(&Hash32::ZERO, &a), &b);
        let ba = block_commitment(&block_commitment(&Hash32::ZERO, &b), &a);
        assert_ne!(ab, ba);
        let mut bytes = [0u8; 64];
        bytes[32..].copy_from_slice(&a.0);
        assert_eq!(block_commitment(&Hash32::ZERO, &a), keyed_hash(BLOCK_COMMITMENT_CONTEXT, &bytes));
    }
}
