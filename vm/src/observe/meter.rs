//! The gas meter's host side and the checkpoint hook (`spec/gas.md#host-side-metering`).
//!
//! Whenever the host reads it (host-function entry, entry return or trap), the injected global
//! `__tsvm_gas` holds `remaining - floor`, where `floor` is the remaining-gas value at which the next
//! checkpoint fires (0 when none is pending). Guest code charges its metered blocks on a copy in a
//! local, writes it back only where it can be observed (`spec/gas.md#synced-blocks`), and calls
//! `__gas_slow(gas, cost)` only when the copy cannot pay: at a checkpoint or at out-of-gas. With no
//! checkpoint interval, `floor` is 0 and the slow path is reached only at out-of-gas, so checkpoints
//! cost nothing when unused.

use crate::observe::checkpoint::MemoryCommitment;
use abi::{Checkpoint, Hash32, StatusCode};

/// Gas accounting of one execution.
#[derive(Debug)]
pub(crate) struct GasMeter {
    limit: u64,
    /// Authoritative whenever guest code is not running (the global is synced in and out).
    remaining: u64,
    /// Remaining-gas value below which the next checkpoint fires; 0: none pending.
    floor: u64,
    interval: u64,
    checkpoints: Vec<Checkpoint>,
    /// Page hashes of the last checkpoint's memory (`spec/trace.md#checkpoints`).
    memory: MemoryCommitment,
}

impl GasMeter {
    /// A meter for `limit` gas, with a checkpoint every `interval` gas (0: no checkpoints).
    pub(crate) fn new(limit: u64, interval: u64) -> Self {
        let floor = if interval == 0 { 0 } else { limit.saturating_sub(interval) };
        Self {
            limit,
            remaining: limit,
            floor,
            interval,
            checkpoints: Vec::new(),
            memory: MemoryCommitment::default(),
        }
    }

    pub(crate) fn gas_used(&self) -> u64 {
        self.limit - self.remaining
    }

    pub(crate) fn remaining(&self) -> u64 {
        self.remaining
    }

    pub(crate) fn into_checkpoints(self) -> Vec<Checkpoint> {
        self.checkpoints
    }

    /// The value the gas global must hold while guest code runs.
    pub(crate) fn global_value(&self) -> u64 {
        self.remaining - self.floor
    }

    /// Takes the gas global's value back after guest code ran (or on entry to a host function, or
    /// the slow path's `gas` argument).
    pub(crate) fn sync_from_global(&mut self, global: u64) {
        // The instrumented code never lets the global wrap: it checks before it subtracts.
        self.remaining = global.saturating_add(self.floor).min(self.limit);
    }

    /// Charges `amount`. Fires every checkpoint the charge crosses and returns how many fired (their
    /// commitments are zero until [`GasMeter::commit`] fills them in). Out of gas consumes
    /// everything that is left.
    ///
    /// # Errors
    /// [`StatusCode::OutOfGas`].
    #[must_use = "out of gas must halt"]
    pub(crate) fn charge(&mut self, amount: u64) -> Result<usize, StatusCode> {
        let fired = self.reserve(amount)?;
        self.remaining -= amount;
        Ok(fired)
    }

    /// Fills in the commitments of the last `fired` checkpoints: `memory` and `globals` (empty
    /// before instantiation) and the trace hash so far.
    pub(crate) fn commit(&mut self, fired: usize, memory: &[u8], globals: &[u64], trace_hash: Hash32) {
        let state_hash = self.memory.commit(memory, globals);
        let n = self.checkpoints.len();
        for c in &mut self.checkpoints[n - fired.min(n)..] {
            c.state_hash = state_hash;
            c.trace_hash = trace_hash;
        }
    }

    /// The slow path of a metered block costing `amount`: fires the checkpoints the block crosses
    /// (returning how many) and leaves `amount` for the guest to subtract from the global itself.
    ///
    /// # Errors
    /// [`StatusCode::OutOfGas`].
    #[must_use = "out of gas must halt"]
    pub(crate) fn reserve(&mut self, amount: u64) -> Result<usize, StatusCode> {
        if self.remaining < amount {
            self.remaining = 0;
            return Err(StatusCode::OutOfGas);
        }
        let after = self.remaining - amount;
        let mut fired = 0;
        while self.floor > 0 && after < self.floor {
            self.checkpoints.push(Checkpoint {
                index: (self.limit - self.floor) / self.interval,
                gas_used: self.gas_used(),
                state_hash: Hash32::ZERO,
                trace_hash: Hash32::ZERO,
            });
            self.floor = self.floor.saturating_sub(self.interval);
            fired += 1;
        }
        Ok(fired)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn charges_and_out_of_gas_consumes_all() {
        let mut m = GasMeter::new(100, 0);
        m.charge(40).unwrap();
        assert_eq!((m.gas_used(), m.global_value()), (40, 60));
        m.charge(60).unwrap();
        assert_eq!(m.remaining(), 0);
        let mut m = GasMeter::new(100, 0);
        m.charge(50).unwrap();
        assert_eq!(m.charge(51), Err(StatusCode::OutOfGas));
        assert_eq!(m.gas_used(), 100);
    }

    #[test]
    fn checkpoints_fire_when_gas_used_first_exceeds_each_multiple() {
        let mut m = GasMeter::new(100, 30);
        assert_eq!(m.global_value(), 30); // floor 70
        m.charge(30).unwrap(); // used 30: not above 30
        assert!(m.checkpoints.is_empty());
        m.charge(1).unwrap(); // used 31 > 30: checkpoint 1 at used 30
        m.charge(40).unwrap(); // used 71 > 60: checkpoint 2 at used 31
        assert_eq!(m.global_value(), 19); // floor 10
        m.charge(29).unwrap(); // used 100 > 90: checkpoint 3 at used 71
        let got: Vec<_> = m.checkpoints.iter().map(|c| (c.index, c.gas_used)).collect();
        assert_eq!(got, [(1, 30), (2, 31), (3, 71)]);
        // One charge crossing two multiples records both.
        let mut m = GasMeter::new(100, 10);
        m.charge(25).unwrap();
        let got: Vec<_> = m.checkpoints.iter().map(|c| (c.index, c.gas_used)).collect();
        assert_eq!(got, [(1, 0), (2, 0)]);
        // reserve leaves the amount in place for the guest.
        let mut m = GasMeter::new(100, 10);
        m.reserve(15).unwrap();
        assert_eq!((m.remaining(), m.global_value()), (100, 20));
    }
}
