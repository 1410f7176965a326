//! Fuzz target `abi`: arbitrary bytes into every wire decoder (borsh and JSON invocations, calls,
//! receipts, diffs, the JSON state, bundle archives): a clean error or a canonical value, never a
//! panic. A counting allocator fails the run on any single allocation larger than the input can
//! justify.
//! The oracle is `tsvm_tests::oracles::check_abi`; CI runs it over `tests/corpus/abi/`.

#![no_main]

use libfuzzer_sys::fuzz_target;
use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

/// Largest allocation allowed for the current input (0: no input running, no bound).
static BOUND: AtomicUsize = AtomicUsize::new(0);

struct Bounded;

// SAFETY: forwards to the system allocator unchanged; only checks the requested size.
unsafe impl GlobalAlloc for Bounded {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let bound = BOUND.load(Ordering::Relaxed);
        if bound != 0 && layout.size() > bound {
            BOUND.store(0, Ordering::Relaxed); // the panic below allocates
            panic!("allocation of {} bytes for a small input", layout.size());
        }
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOC: Bounded = Bounded;

fuzz_target!(|data: &[u8]| {
    // Decoded values hold at most the input's bytes, a few times over (hex, JSON, value + re-encoding);
    // borsh and serde pre-allocate in bounded steps of 4 KiB or 1 MiB.
    BOUND.store(64 * data.len() + (1 << 20) + 4096, Ordering::Relaxed);
    tsvm_tests::oracles::check_abi(data);
    BOUND.store(0, Ordering::Relaxed);
});
