//! Comparing two executions of the same transaction (`spec/trace.md#comparing-executions`).
//!
//! The CLI and the tests share these: given two full traces, the first divergent event; given two
//! checkpoint lists, the first divergent gas window.

use abi::{Checkpoint, TraceEvent};

/// The first place two traces differ.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EventDivergence {
    /// Index of the first differing event (0-based).
    pub index: usize,
    /// The left trace's event there (`None`: the left trace ended first).
    pub left: Option<TraceEvent>,
    /// The right trace's event there.
    pub right: Option<TraceEvent>,
}

/// The first event at which `left` and `right` differ, or `None` if they are identical.
pub fn first_divergent_event(left: &[TraceEvent], right: &[TraceEvent]) -> Option<EventDivergence> {
    let n = left.len().max(right.len());
    (0..n).find(|&i| left.get(i) != right.get(i)).map(|index| EventDivergence {
        index,
        left: left.get(index).cloned(),
        right: right.get(index).cloned(),
    })
}

/// The first gas window in which two checkpoint lists differ.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WindowDivergence {
    /// Position in the lists of the first checkpoint that differs.
    pub position: usize,
    /// The last checkpoint both agree on (`None`: they differ from the first one on).
    pub last_agreed: Option<Checkpoint>,
    /// The left checkpoint there (`None`: the left list ended first).
    pub left: Option<Checkpoint>,
    /// The right checkpoint there.
    pub right: Option<Checkpoint>,
}

impl WindowDivergence {
    /// Gas used at the start of the divergent window: the executions agree up to here.
    pub fn window_start(&self) -> u64 {
        self.last_agreed.as_ref().map_or(0, |c| c.gas_used)
    }
}

/// The first checkpoint at which `left` and `right` differ (the divergence happened in the window
/// that ends there), or `None` if they agree everywhere.
pub fn first_divergent_window(left: &[Checkpoint], right: &[Checkpoint]) -> Option<WindowDivergence> {
    let n = left.len().max(right.len());
    (0..n).find(|&i| left.get(i) != right.get(i)).map(|position| WindowDivergence {
        position,
        last_agreed: position.checked_sub(1).and_then(|p| left.get(p).cloned()),
        left: left.get(position).cloned(),
        right: right.get(position).cloned(),
    })
}

/// The events of `trace` that fall in the gas window `[start, end)` of gas used: the events whose
/// recorded gas (`Entry` and `HostCall` carry gas left) lies in it, with the events between them.
/// Used to show the detail of a divergent checkpoint window.
pub fn events_in_window(trace: &[TraceEvent], gas_limit: u64, start: u64, end: u64) -> &[TraceEvent] {
    let used_at = |e: &TraceEvent| match e {
        TraceEvent::Entry { gas_left, .. } | TraceEvent::HostCall { gas_left, .. } => {
            Some(gas_limit.saturating_sub(*gas_left))
        }
        _ => None,
    };
    let first = trace.iter().position(|e| used_at(e).is_some_and(|u| u >= start)).unwrap_or(trace.len());
    let last = trace.iter().position(|e| used_at(e).is_some_and(|u| u >= end)).unwrap_or(trace.len());
    // Include the events a host call caused (they precede its `HostCall` record).
    let from = trace[..first]
        .iter()
        .rposition(|e| {
            matches!(e, TraceEvent::HostCall { .. } | TraceEvent::Entry { .. } | TraceEvent::Start { .. })
        })
        .map_or(0, |p| p + 1);
    &trace[from.min(last)..last]
}
