//! `tsvm bisect <bundle> --against <file>`: replays a bundle locally and locates where it departs
//! from another party's execution (`spec/trace.md#comparing-executions`): with their checkpoints,
//! the first divergent checkpoint window and the local events in it; with their full trace, the
//! first divergent event.

use crate::artefact::{self, check_interval, Artefact};
use crate::exit::{self, Failure, Output};
use crate::render::{self, divergence, divergence::EventReport};
use abi::{Checkpoint, TraceEvent};
use anyhow::anyhow;
use serde::Serialize;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use vm::{ExecOptions, Rules, TraceLevel, Vm};

/// Locate the first divergence between a bundle's local replay and another party's execution.
#[derive(clap::Args, Debug, Default)]
pub struct BisectCmd {
    /// The bundle (JSON or borsh; `ARCHIVE#INDEX` for bundle INDEX of a bundle archive, from 0).
    pub bundle: PathBuf,
    /// The other party's checkpoints file, trace file, or receipt file with a trace.
    #[arg(long)]
    pub against: PathBuf,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

/// What the other party gave: their checkpoints (with the interval), or their full trace.
enum Theirs {
    Checkpoints(u64, Vec<Checkpoint>),
    Trace(Vec<TraceEvent>),
}

/// What `--json` prints: the two files, whether the local replay reproduced the bundle's own
/// receipt, whether it diverged from the other party's execution, and where.
#[derive(Serialize, Debug)]
struct BisectReport<'a> {
    bundle: &'a Path,
    against: &'a Path,
    local_matches_bundle: bool,
    local_mismatches: &'a [&'static str],
    diverged: bool,
    /// Against a trace.
    #[serde(skip_serializing_if = "Option::is_none")]
    first_divergent_event: Option<EventReport>,
    /// Against checkpoints.
    #[serde(skip_serializing_if = "Option::is_none")]
    first_divergent_window: Option<WindowReport<'a>>,
}

/// The first divergent checkpoint window, with the local events in it, as `--json` shows it.
#[derive(Serialize, Debug)]
struct WindowReport<'a> {
    position: usize,
    window_start: u64,
    /// Gas used at the local checkpoint that ends the window; `null` when the local list ended first.
    window_end: Option<u64>,
    last_agreed: Option<Checkpoint>,
    local: Option<Checkpoint>,
    theirs: Option<Checkpoint>,
    local_events: &'a [TraceEvent],
}

impl BisectCmd {
    /// Runs the bisection: exit code `DIVERGED` when a divergence is found, 0 when the executions
    /// agree.
    ///
    /// # Errors
    /// Unreadable or malformed files, an `--against` file that is neither checkpoints nor a trace
    /// (`USAGE`), a bundle recorded under other rules (`RULES_MISMATCH`), or a host failure.
    pub fn run(&self) -> Result<Output, Failure> {
        let bundle = artefact::load_bundle(&self.bundle)?;
        let theirs = match artefact::load(&self.against)? {
            Artefact::Checkpoints(c) => Theirs::Checkpoints(c.interval, c.checkpoints),
            Artefact::Trace(t) => Theirs::Trace(t.events),
            Artefact::Receipt(r) if r.trace.is_some() => {
                Theirs::Trace(r.trace.map(|t| t.events).unwrap_or_default())
            }
            other => {
                return Err(Failure::usage(anyhow!(
                    "{}: --against needs a checkpoints or trace file, found a {}{}",
                    self.against.display(),
                    other.kind(),
                    if other.kind() == "receipt" { " without a trace" } else { "" }
                )))
            }
        };
        let interval = match &theirs {
            Theirs::Checkpoints(k, _) => *k,
            Theirs::Trace(_) => 0,
        };
        if let Theirs::Checkpoints(k, _) = theirs {
            check_interval(k).map_err(|e| Failure::invalid(anyhow!("{}: {e}", self.against.display())))?;
        }
        let vm = Vm::new(Rules::default());
        let options = ExecOptions { checkpoint_interval: interval, trace: TraceLevel::Full };
        let replayed = vm::replay(&vm, &bundle, &options).map_err(|e| {
            let f = Failure::from_vm(e);
            Failure { error: f.error.context(self.bundle.display().to_string()), ..f }
        })?;
        let local = &replayed.execution;
        let mut text = String::new();
        let mut report = BisectReport {
            bundle: &self.bundle,
            against: &self.against,
            local_matches_bundle: replayed.matched(),
            local_mismatches: &replayed.mismatches,
            diverged: false,
            first_divergent_event: None,
            first_divergent_window: None,
        };
        if !replayed.matched() {
            let _ = writeln!(
                text,
                "note: the local replay differs from the bundle's own receipt in: {}",
                replayed.mismatches.join(", ")
            );
        }
        match theirs {
            Theirs::Trace(events) => {
                if let Some((t, event)) = divergence::first_divergent_event(&local.trace, &events) {
                    let _ = writeln!(text, "left: local replay; right: {}", self.against.display());
                    text.push_str(&t);
                    report.first_divergent_event = Some(event);
                }
            }
            Theirs::Checkpoints(_, checkpoints) => {
                if let Some(w) = vm::first_divergent_window(&local.checkpoints, &checkpoints) {
                    let start = w.window_start();
                    // Up to and including the charge that fired the local checkpoint; to the end
                    // of the local trace when the local list ended first.
                    let end = w.left.as_ref().map_or(u64::MAX, |c| c.gas_used.saturating_add(1));
                    let events = vm::events_in_window(&local.trace, bundle.gas_limit, start, end);
                    let window_end = (end != u64::MAX).then(|| end - 1);
                    let end_shown =
                        window_end.map_or_else(|| "the end".to_string(), |e| format!("gas used {e}"));
                    let _ = writeln!(
                        text,
                        "first divergent window: checkpoint position {}, gas used {start} to {end_shown} \
                         (interval {interval})",
                        w.position
                    );
                    let _ = writeln!(text, "{}", divergence::window(&w, ["local", "theirs"]));
                    let _ = writeln!(text, "local events in the window ({}):", events.len());
                    for e in events {
                        let _ = writeln!(text, "  {}", render::event(e));
                    }
                    report.first_divergent_window = Some(WindowReport {
                        position: w.position,
                        window_start: start,
                        window_end,
                        last_agreed: w.last_agreed,
                        local: w.left,
                        theirs: w.right,
                        local_events: events,
                    });
                }
            }
        }
        report.diverged = report.first_divergent_event.is_some() || report.first_divergent_window.is_some();
        if !report.diverged {
            text.push_str("no divergence: the local replay agrees with the other party");
        }
        let stdout = if self.json { render::json_report(&report)? } else { text.trim_end().to_string() };
        let diverged = report.diverged;
        Ok(Output::with_code(stdout, if diverged { exit::DIVERGED } else { exit::OK }))
    }
}
