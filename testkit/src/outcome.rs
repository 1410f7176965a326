//! [`Outcome`]: one call's receipt, with fluent assertions whose failure messages name the step, the
//! expected and the actual status with its fault, the revert reason as text, and the events.

use crate::check::{self, Mismatch};
use crate::text;
use abi::{Address, Event, Fault, Receipt, StatusCode};
use std::fmt::Write as _;

/// What one call of a [`TestChain`](crate::TestChain) produced.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outcome {
    /// The step's number in its chain (1 for the first call).
    pub index: usize,
    /// The step's name.
    pub name: String,
    /// Who signed the call.
    pub caller: Address,
    /// The receipt (its diff is already applied to the chain when it succeeded).
    pub receipt: Receipt,
}

impl Outcome {
    /// Panics with the mismatch and the whole outcome in words.
    #[track_caller]
    fn holds(&self, check: Result<(), Mismatch>) -> &Self {
        if let Err(m) = check {
            panic!("step {} `{}`: {m}\n{}", self.index, self.name, self.describe());
        }
        self
    }

    /// The outcome in words: status (with fault and reason), gas, return data, events, logs, caller.
    pub fn describe(&self) -> String {
        let r = &self.receipt;
        let mut out = String::new();
        let _ = writeln!(out, "  status  {}", text::outcome(r));
        let _ = writeln!(out, "  gas     {}", r.gas_used);
        let _ = writeln!(out, "  return  {}", abi::hex::encode(&r.return_data));
        let _ = writeln!(out, "  events  {}", text::events(&r.events));
        let logs: Vec<String> = r.logs.iter().map(|l| text::bytes(&l.message)).collect();
        let _ =
            writeln!(out, "  logs    {}", if logs.is_empty() { "none".to_string() } else { logs.join(", ") });
        let _ = write!(out, "  caller  {}", self.caller);
        out
    }

    /// Asserts the status is `success`.
    ///
    /// # Panics
    /// Another status.
    #[track_caller]
    pub fn assert_success(&self) -> &Self {
        self.holds(check::status(&self.receipt, StatusCode::Success))
    }

    /// Asserts the status.
    ///
    /// # Panics
    /// Another status.
    #[track_caller]
    pub fn assert_status(&self, expected: StatusCode) -> &Self {
        self.holds(check::status(&self.receipt, expected))
    }

    /// Asserts the fault (the trap, limit or argument behind a failed status).
    ///
    /// # Panics
    /// Another fault.
    #[track_caller]
    pub fn assert_fault(&self, expected: Fault) -> &Self {
        self.holds(check::fault(&self.receipt, expected))
    }

    /// Asserts the call reverted with exactly this reason.
    ///
    /// # Panics
    /// Another status, or another reason.
    #[track_caller]
    pub fn assert_reverted_with(&self, reason: impl AsRef<[u8]>) -> &Self {
        self.holds(check::reverted_with(&self.receipt, reason.as_ref()))
    }

    /// Asserts the return data (see [`crate::encode`] for borsh values).
    ///
    /// # Panics
    /// Other return data.
    #[track_caller]
    pub fn assert_return(&self, expected: impl AsRef<[u8]>) -> &Self {
        self.holds(check::return_data(&self.receipt, expected.as_ref()))
    }

    /// Asserts that this event is among the receipt's events.
    ///
    /// # Panics
    /// No such event.
    #[track_caller]
    pub fn assert_event(&self, topic: impl AsRef<[u8]>, data: impl AsRef<[u8]>) -> &Self {
        let event = Event { topic: topic.as_ref().to_vec(), data: data.as_ref().to_vec() };
        self.holds(check::has_event(&self.receipt, &event))
    }

    /// Asserts the receipt's events are exactly these `(topic, data)`, in order.
    ///
    /// # Panics
    /// Other events.
    #[track_caller]
    pub fn assert_events<T: AsRef<[u8]>, D: AsRef<[u8]>>(&self, expected: &[(T, D)]) -> &Self {
        let events: Vec<Event> = expected
            .iter()
            .map(|(t, d)| Event { topic: t.as_ref().to_vec(), data: d.as_ref().to_vec() })
            .collect();
        self.holds(check::events(&self.receipt, &events))
    }

    /// Asserts the exact gas used.
    ///
    /// # Panics
    /// Other gas.
    #[track_caller]
    pub fn assert_gas(&self, expected: u64) -> &Self {
        self.holds(check::gas_used(&self.receipt, expected))
    }

    /// Whether the call succeeded (its diff was applied).
    pub fn is_success(&self) -> bool {
        self.receipt.status.is_success()
    }

    /// Gas used: the chain's gas.
    pub fn gas_used(&self) -> u64 {
        self.receipt.gas_used
    }

    /// The return data.
    pub fn return_data(&self) -> &[u8] {
        &self.receipt.return_data
    }

    /// The return data decoded from borsh.
    ///
    /// # Panics
    /// If it is not the borsh encoding of a `T`.
    #[track_caller]
    pub fn decode_return<T: borsh::BorshDeserialize>(&self) -> T {
        borsh::from_slice(&self.receipt.return_data).unwrap_or_else(|e| {
            panic!(
                "step {} `{}`: return {} is not a {}: {e}\n{}",
                self.index,
                self.name,
                abi::hex::encode(&self.receipt.return_data),
                std::any::type_name::<T>(),
                self.describe()
            )
        })
    }

    /// The revert reason as text (lossy UTF-8); empty unless the status is `reverted`.
    pub fn revert_reason(&self) -> String {
        String::from_utf8_lossy(&self.receipt.revert_reason).into_owned()
    }
}
