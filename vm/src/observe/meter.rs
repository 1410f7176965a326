//! The gas meter's host side and the checkpoint hook (`spec/gas.md#host-side-metering`).
//!
//! Whenever the host reads it (host-function entry, entry return or trap), the injected global
//! `__tsvm_gas` holds `remaining - floor`, where `floor` is the remaining-gas value at which the next
//! checkpoint fires (0 when none is pending). Guest code charges its metered blocks on a copy in a
//! local, writes it back only where it can be observed (`spec/gas.md#synced-blocks`), and calls
//! `__gas_slow(gas, cost)` only when the copy cannot pay: at a checkpoint or at out-of-gas. With no
//! checkpoint interval, `floor` is 0 and the slow path is reached only at out-of-gas, so checkpoints
//! cost nothing when unused.

use abi::StatusCode;

/// The checkpoints one charge crossed (`spec/trace.md#checkpoints`): `count` consecutive indices
/// from `first`, all at `gas_used`, the gas used before the charge. The observer records them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[must_use = "fired checkpoints must be recorded"]
pub(crate) struct Fired {
    pub first: u64,
    pub count: u64,
    pub gas_used: u64,
}

impl Fired {
    /// Whether the charge crossed any checkpoint.
    pub(crate) fn any(&self) -> bool {
        self.count > 0
    }
}

/// Gas accounting of one execution.
#[derive(Debug)]
pub(crate) struct GasMeter {
    limit: u64,
    /// Authoritative whenever guest code is not running (the global is synced in and out).
    remaining: u64,
    /// Remaining-gas value below which the next checkpoint fires; 0: none pending.
    floor: u64,
    interval: u64,
}

impl GasMeter {
    /// A meter for `limit` gas, with a checkpoint every `interval` gas (0: no checkpoints).
    pub(crate) fn new(limit: u64, interval: u64) -> Self {
        let floor = if interval == 0 { 0 } else { limit.saturating_sub(interval) };
        Self { limit, remaining: limit, floor, interval }
    }

    pub(crate) fn gas_used(&self) -> u64 {
        self.limit - self.remaining
    }

    pub(crate) fn remaining(&self) -> u64 {
        self.remaining
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

    /// The remaining gas the gas global's value `global` stands for, without taking it into the
    /// meter (what [`GasMeter::sync_from_global`] would set; the profiler reads it at its hooks).
    pub(crate) fn remaining_at(&self, global: u64) -> u64 {
        global.saturating_add(self.floor).min(self.limit)
    }

    /// Charges `amount`. Returns the checkpoints the charge crosses. Out of gas consumes everything
    /// that is left.
    ///
    /// # Errors
    /// [`StatusCode::OutOfGas`].
    #[must_use = "out of gas must halt"]
    pub(crate) fn charge(&mut self, amount: u64) -> Result<Fired, StatusCode> {
        let fired = self.reserve(amount)?;
        self.remaining -= amount;
        Ok(fired)
    }

    /// The slow path of a metered block costing `amount`: returns the checkpoints the block crosses
    /// and leaves `amount` for the guest to subtract from the global itself.
    ///
    /// # Errors
    /// [`StatusCode::OutOfGas`].
    #[must_use = "out of gas must halt"]
    pub(crate) fn reserve(&mut self, amount: u64) -> Result<Fired, StatusCode> {
        if self.remaining < amount {
            self.remaining = 0;
            return Err(StatusCode::OutOfGas);
        }
        let after = self.remaining - amount;
        let mut fired = Fired { first: 0, count: 0, gas_used: self.gas_used() };
        // Each crossing lowers the floor by one interval: the indices are consecutive.
        while self.floor > 0 && after < self.floor {
            if fired.count == 0 {
                fired.first = (self.limit - self.floor) / self.interval;
            }
            fired.count += 1;
            self.floor = self.floor.saturating_sub(self.interval);
        }
        Ok(fired)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `(index, gas_used)` of each checkpoint in `fired`.
    fn listed(fired: &[Fired]) -> Vec<(u64, u64)> {
        fired.iter().flat_map(|f| (f.first..f.first + f.count).map(|i| (i, f.gas_used))).collect()
    }

    #[test]
    fn charges_and_out_of_gas_consumes_all() {
        let mut m = GasMeter::new(100, 0);
        let _ = m.charge(40).unwrap();
        assert_eq!((m.gas_used(), m.global_value()), (40, 60));
        let _ = m.charge(60).unwrap();
        assert_eq!(m.remaining(), 0);
        let mut m = GasMeter::new(100, 0);
        let _ = m.charge(50).unwrap();
        assert_eq!(m.charge(51), Err(StatusCode::OutOfGas));
        assert_eq!(m.gas_used(), 100);
    }

    #[test]
    fn checkpoints_fire_when_gas_used_first_exceeds_each_multiple() {
        let mut m = GasMeter::new(100, 30);
        assert_eq!(m.global_value(), 30); // floor 70
        let mut fired = vec![m.charge(30).unwrap()]; // used 30: not above 30
        assert!(listed(&fired).is_empty());
        fired.push(m.charge(1).unwrap()); // used 31 > 30: checkpoint 1 at used 30
        fired.push(m.charge(40).unwrap()); // used 71 > 60: checkpoint 2 at used 31
        assert_eq!(m.global_value(), 19); // floor 10
        fired.push(m.charge(29).unwrap()); // used 100 > 90: checkpoint 3 at used 71
        let got = listed(&fired);
        assert_eq!(got, [(1, 30), (2, 31), (3, 71)]);
        // One charge crossing two multiples records both.
        let mut m = GasMeter::new(100, 10);
        let got = listed(&[m.charge(25).unwrap()]);
        assert_eq!(got, [(1, 0), (2, 0)]);
        // reserve leaves the amount in place for the guest.
        let mut m = GasMeter::new(100, 10);
        let _ = m.reserve(15).unwrap();
        assert_eq!((m.remaining(), m.global_value()), (100, 20));
    }
}
