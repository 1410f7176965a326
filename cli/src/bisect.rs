//! `tsvm bisect <bundle> --against <file>`: replays a bundle locally and locates where it departs
//! from another party's execution (`spec/trace.md#comparing-executions`): with their checkpoints,
//! the first divergent checkpoint window and the local events in it; with their full trace, the
//! first divergent event.

use crate::artefact::{self, Artefact};
use crate::diff::event_divergence;
use crate::exit::{self, Failure, Output};
use crate::render;
use abi::{Checkpoint, TraceEvent};
use anyhow::{anyhow, Context as _};
use serde_json::json;
use std::fmt::Write as _;
use std::path::PathBuf;
use vm::{ExecOptions, Rules, TraceLevel, Vm};

/// Locate the first divergence between a bundle's local replay and another party's execution.
#[derive(clap::Args, Debug, Default)]
pub struct BisectCmd {
    /// The bundle (JSON or borsh).
    pub bundle: PathBuf,
    /// The other party's checkpoints file, trace file, or receipt file with a trace.
    #[arg(long)]
    pub against: PathBuf,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

/// Refuses a checkpoint interval below `vm::MIN_CHECKPOINT_INTERVAL`
/// (`spec/trace.md#minimum-interval`), so that no checkpoints file can make a replay slow.
///
/// # Errors
/// The message says the interval and the minimum.
pub fn check_interval(k: u64) -> Result<(), String> {
    if k < vm::MIN_CHECKPOINT_INTERVAL {
        return Err(format!(
            "checkpoint interval {k} is below the minimum of {} gas (spec/trace.md#minimum-interval)",
            vm::MIN_CHECKPOINT_INTERVAL
        ));
    }
    Ok(())
}

enum Theirs {
    Checkpoints(u64, Vec<Checkpoint>),
    Trace(Vec<TraceEvent>),
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
        let mut report = json!({
            "bundle": self.bundle,
            "against": self.against,
            "local_matches_bundle": replayed.matched(),
            "local_mismatches": replayed.mismatches,
        });
        if !replayed.matched() {
            let _ = writeln!(
                text,
                "note: the local replay differs from the bundle's own receipt in: {}",
                replayed.mismatches.join(", ")
            );
        }
        let diverged = match theirs {
            Theirs::Trace(events) => match event_divergence(&local.trace, &events) {
                Some((t, j)) => {
                    let _ = writeln!(text, "left: local replay; right: {}", self.against.display());
                    text.push_str(&t);
                    report["first_divergent_event"] = j;
                    true
                }
                None => false,
            },
            Theirs::Checkpoints(_, checkpoints) => {
                match vm::first_divergent_window(&local.checkpoints, &checkpoints) {
                    Some(w) => {
                        let start = w.window_start();
                        // Up to and including the charge that fired the local checkpoint; to the end
                        // of the local trace when the local list ended first.
                        let end = w.left.as_ref().map_or(u64::MAX, |c| c.gas_used.saturating_add(1));
                        let events = vm::events_in_window(&local.trace, bundle.gas_limit, start, end);
                        let show = |c: &Option<Checkpoint>| {
                            c.as_ref().map_or_else(|| "(list ended)".to_string(), render::checkpoint)
                        };
                        let end_shown = if end == u64::MAX {
                            "the end".to_string()
                        } else {
                            format!("gas used {}", end - 1)
                        };
                        let _ = writeln!(
                            text,
                            "first divergent window: checkpoint position {}, gas used {start} to {end_shown} \
                             (interval {interval})",
                            w.position
                        );
                        let last =
                            w.last_agreed.as_ref().map_or_else(|| "(none)".to_string(), render::checkpoint);
                        let _ = writeln!(text, "  last agreed  {last}");
                        let _ = writeln!(text, "  local        {}", show(&w.left));
                        let _ = writeln!(text, "  theirs       {}", show(&w.right));
                        let _ = writeln!(text, "local events in the window ({}):", events.len());
                        for e in events {
                            let _ = writeln!(text, "  {}", render::event(e));
                        }
                        report["first_divergent_window"] = json!({
                            "position": w.position,
                            "window_start": start,
                            "window_end": (end != u64::MAX).then(|| end - 1),
                            "last_agreed": w.last_agreed,
                            "local": w.left,
                            "theirs": w.right,
                            "local_events": events,
                        });
                        true
                    }
                    None => false,
                }
            }
        };
        report["diverged"] = json!(diverged);
        if !diverged {
            text.push_str("no divergence: the local replay agrees with the other party");
        }
        let stdout = if self.json {
            serde_json::to_string_pretty(&report).context("encoding the report").map_err(Failure::host)?
        } else {
            text.trim_end().to_string()
        };
        Ok(Output::with_code(stdout, if diverged { exit::DIVERGED } else { exit::OK }))
    }
}
