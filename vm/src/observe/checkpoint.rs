//! Checkpoint state commitments (`spec/trace.md#checkpoints`).
//!
//! A checkpoint commits to linear memory as one blake3 hash per 64 KiB page, folded with the page
//! count and the mutable globals into one `derive_key` hash. The commitment keeps a copy of memory
//! as of the previous checkpoint and rehashes only the pages that differ from it: comparing a page
//! costs a `memcmp`, several times cheaper than hashing it, so a checkpoint costs one comparison of
//! memory plus a hash of each changed page. wasmi 2.0 exposes no dirty-page tracking (memory is a
//! plain byte slice to the host), so comparison is the cheapest exact change detection available
//! without instrumenting every store.

use abi::Hash32;
use std::sync::OnceLock;

/// Bytes per page of the commitment: one WebAssembly page of the default size (the last page of a
/// memory of 1-byte pages may be shorter, `spec/trace.md#checkpoints`).
pub const CHECKPOINT_PAGE_BYTES: usize = 65_536;

/// The smallest checkpoint interval an execution accepts (`spec/trace.md#minimum-interval`), in
/// gas. 2^22: committing the largest memory the default rules allow (64 pages, every page changed)
/// takes about as long as executing this much gas of the cheapest operators (measured: 1.8-1.9x the
/// time without checkpoints; 4.5-4.8x at 2^20), so checkpoints at most about double an
/// execution's time, however hostile the script or the checkpoints file.
pub const MIN_CHECKPOINT_INTERVAL: u64 = 1 << 22;

fn zero_page_hash() -> [u8; 32] {
    static HASH: OnceLock<[u8; 32]> = OnceLock::new();
    *HASH.get_or_init(|| *blake3::hash(&[0; CHECKPOINT_PAGE_BYTES]).as_bytes())
}

/// The memory commitment of one execution, updated at each checkpoint.
#[derive(Debug, Default)]
pub(crate) struct MemoryCommitment {
    /// Memory as of the last commitment (pages never seen count as zero pages).
    copy: Vec<u8>,
    /// Plain blake3 of each page of `copy`.
    hashes: Vec<[u8; 32]>,
}

impl MemoryCommitment {
    /// [`abi::hash::state_commitment`] of `memory` and `globals`, rehashing only the pages of
    /// `memory` that changed since the last call.
    pub(crate) fn commit(&mut self, memory: &[u8], globals: &[u64]) -> Hash32 {
        let pages = memory.len().div_ceil(CHECKPOINT_PAGE_BYTES);
        if self.hashes.len() < pages {
            // Memory is zeroed when it is created or grown: start new pages from the zero page (or,
            // for a shorter last page, from the hash of that many zero bytes).
            self.copy.resize(memory.len(), 0);
            self.hashes.resize(pages, zero_page_hash());
            let last = memory.len() % CHECKPOINT_PAGE_BYTES;
            if last != 0 {
                self.hashes[pages - 1] = *blake3::hash(&vec![0; last]).as_bytes();
            }
        }
        for (i, page) in memory.chunks(CHECKPOINT_PAGE_BYTES).enumerate() {
            let start = i * CHECKPOINT_PAGE_BYTES;
            let old = &mut self.copy[start..start + page.len()];
            if old != page {
                old.copy_from_slice(page);
                self.hashes[i] = *blake3::hash(page).as_bytes();
            }
        }
        abi::hash::state_commitment(&self.hashes[..pages], globals)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The commitment straight from the spec, hashing every page.
    fn from_spec(memory: &[u8], globals: &[u64]) -> Hash32 {
        let mut bytes = (memory.len().div_ceil(CHECKPOINT_PAGE_BYTES) as u32).to_le_bytes().to_vec();
        for page in memory.chunks(CHECKPOINT_PAGE_BYTES) {
            bytes.extend(blake3::hash(page).as_bytes());
        }
        for g in globals {
            bytes.extend(g.to_le_bytes());
        }
        Hash32(blake3::derive_key("tsvm 2026-11 checkpoint state v2", &bytes))
    }

    #[test]
    fn incremental_commitments_equal_full_ones() {
        let mut c = MemoryCommitment::default();
        assert_eq!(c.commit(&[], &[]), from_spec(&[], &[]));
        let mut memory = vec![0u8; 3 * CHECKPOINT_PAGE_BYTES];
        assert_eq!(c.commit(&memory, &[7]), from_spec(&memory, &[7]));
        memory[CHECKPOINT_PAGE_BYTES + 5] = 1;
        assert_eq!(c.commit(&memory, &[7]), from_spec(&memory, &[7]));
        // A change back to an earlier value is a change too.
        memory[CHECKPOINT_PAGE_BYTES + 5] = 0;
        memory[3 * CHECKPOINT_PAGE_BYTES - 1] = 9;
        let h = c.commit(&memory, &[8, 1]);
        assert_eq!(h, from_spec(&memory, &[8, 1]));
        // Growth: the new pages start as zero pages.
        memory.resize(5 * CHECKPOINT_PAGE_BYTES, 0);
        memory[4 * CHECKPOINT_PAGE_BYTES] = 3;
        assert_eq!(c.commit(&memory, &[]), from_spec(&memory, &[]));
    }

    /// A memory of 1-byte pages: its last 64 KiB page is shorter, and hashed as it is, zero or not.
    #[test]
    fn a_short_last_page_is_hashed_at_its_length() {
        for len in [0, 1, 100, CHECKPOINT_PAGE_BYTES - 1, CHECKPOINT_PAGE_BYTES + 1] {
            let mut c = MemoryCommitment::default();
            let mut memory = vec![0u8; len];
            assert_eq!(c.commit(&memory, &[1]), from_spec(&memory, &[1]), "{len} zero bytes");
            if let Some(last) = memory.last_mut() {
                *last = 7;
                assert_eq!(c.commit(&memory, &[1]), from_spec(&memory, &[1]), "{len} bytes, last set");
            }
        }
        assert_ne!(from_spec(&[0; 100], &[]), from_spec(&[0; CHECKPOINT_PAGE_BYTES], &[]));
    }
}
