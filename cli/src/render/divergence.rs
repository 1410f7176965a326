//! How a divergence between two executions is shown (`spec/trace.md#comparing-executions`): the
//! first divergent event of two traces, the checkpoints around the first divergent window, and
//! fields two receipts or bundles disagree on. `diff`, `bisect` and `replay` all show them through
//! these functions, so one divergence reads the same whichever command found it.

use super::{checkpoint, event};
use abi::{Checkpoint, TraceEvent};
use serde::Serialize;
use serde_json::Value;
use std::fmt::Write as _;
use vm::WindowDivergence;

/// A labelled line of a divergence display: the labels (`last agreed`, `left`, `theirs`...) padded
/// to one width so the values line up.
fn labelled(label: &str, value: &str) -> String {
    format!("  {label:<13}{value}")
}

/// The first divergent event of two traces, as `--json` reports show it.
#[derive(Serialize, Debug, Clone, PartialEq, Eq)]
pub struct EventReport {
    /// Index of the first differing event (0-based).
    pub index: usize,
    /// The left trace's event there (`None`: the left trace ended first).
    pub left: Option<TraceEvent>,
    /// The right trace's event there.
    pub right: Option<TraceEvent>,
}

/// The first event at which `left` and `right` differ, as text (the last event both agree on, then
/// each side's) and as its report; `None` when the traces are identical.
pub fn first_divergent_event(left: &[TraceEvent], right: &[TraceEvent]) -> Option<(String, EventReport)> {
    let d = vm::first_divergent_event(left, right)?;
    let show = |e: &Option<TraceEvent>| e.as_ref().map_or_else(|| "(trace ended)".to_string(), event);
    let mut text = format!("first divergent event: #{}\n", d.index);
    if let Some(prev) = d.index.checked_sub(1).and_then(|i| left.get(i)) {
        let _ = writeln!(text, "{}", labelled("last agreed", &format!("#{}: {}", d.index - 1, event(prev))));
    }
    let _ = writeln!(text, "{}", labelled("left", &format!("#{}: {}", d.index, show(&d.left))));
    text.push_str(&labelled("right", &format!("#{}: {}", d.index, show(&d.right))));
    Some((text, EventReport { index: d.index, left: d.left, right: d.right }))
}

/// The checkpoints around a divergent window, three lines: the last checkpoint both lists agree
/// on, then each side's checkpoint at the divergent position, labelled `sides` (`["left", "right"]`
/// in `diff`, `["local", "theirs"]` in `bisect`).
pub fn window(w: &WindowDivergence, sides: [&str; 2]) -> String {
    let show = |c: &Option<Checkpoint>| c.as_ref().map_or_else(|| "(list ended)".to_string(), checkpoint);
    let last = w.last_agreed.as_ref().map_or_else(|| "(none)".to_string(), checkpoint);
    [labelled("last agreed", &last), labelled(sides[0], &show(&w.left)), labelled(sides[1], &show(&w.right))]
        .join("\n")
}

/// A field two receipts or bundles disagree on, with both values as JSON (`diff`).
pub fn field(name: &str, left: &Value, right: &Value) -> String {
    format!("{name}:\n  left  {left}\n  right {right}")
}

/// A receipt field a replay got otherwise than its bundle expected, each value on one line and cut
/// after 200 characters (`replay`).
pub fn mismatch(field: &str, expected: &Value, got: &Value) -> String {
    format!(
        "  {field}: expected {}\n  {:width$}  got      {}",
        one_line(expected),
        "",
        one_line(got),
        width = field.len()
    )
}

/// A JSON value on one line, cut after 200 characters with its full length.
fn one_line(v: &Value) -> String {
    let s = v.to_string();
    if s.len() > 200 {
        format!("{}... ({} chars)", &s[..s.char_indices().nth(200).map_or(s.len(), |(i, _)| i)], s.len())
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use abi::Hash32;

    fn cp(index: u64) -> Checkpoint {
        Checkpoint { index, gas_used: index * 10, state_hash: Hash32::ZERO, trace_hash: Hash32::ZERO }
    }

    #[test]
    fn a_window_shows_the_last_agreed_checkpoint_then_each_side() {
        let w = WindowDivergence { position: 1, last_agreed: Some(cp(1)), left: Some(cp(2)), right: None };
        let text = window(&w, ["local", "theirs"]);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 3);
        assert!(lines[0].starts_with("  last agreed  #1 at gas used 10: state 0x"), "{text}");
        assert!(lines[1].starts_with("  local        #2 at gas used 20"), "{text}");
        assert_eq!(lines[2], "  theirs       (list ended)");
        let none = WindowDivergence { position: 0, last_agreed: None, left: None, right: Some(cp(1)) };
        assert!(window(&none, ["left", "right"])
            .starts_with("  last agreed  (none)\n  left         (list ended)"));
    }

    #[test]
    fn the_first_divergent_event_follows_the_last_agreed_one() {
        let entry = |gas_left| TraceEvent::Entry { export: "method_a".into(), gas_left };
        let (text, report) = first_divergent_event(&[entry(9), entry(8)], &[entry(9)]).expect("diverges");
        assert_eq!(report, EventReport { index: 1, left: Some(entry(8)), right: None });
        assert_eq!(
            text,
            "first divergent event: #1\n  last agreed  #0: entry method_a [gas left 9]\n  left         #1: entry \
             method_a [gas left 8]\n  right        #1: (trace ended)"
        );
        assert!(first_divergent_event(&[entry(9)], &[entry(9)]).is_none());
    }

    #[test]
    fn long_values_are_cut() {
        let long = Value::String("x".repeat(300));
        let text = mismatch("gas_used", &Value::from(1), &long);
        assert!(text.starts_with("  gas_used: expected 1\n            got      \"xxx"), "{text}");
        assert!(text.ends_with("... (302 chars)"), "{text}");
    }
}
