//! `tsvm diff <a> <b>`: the first divergence between two executions, given as two traces, two
//! receipts (or bundles, for their expected receipts) or two checkpoint lists.

use crate::artefact::{self, Artefact, TraceBody};
use crate::bisect::check_interval;
use crate::exit::{self, Failure, Output};
use crate::render;
use abi::{Checkpoint, Receipt, TraceEvent};
use anyhow::{anyhow, Context as _};
use serde_json::{json, Value};
use std::fmt::Write as _;
use std::path::PathBuf;

/// Show the first divergence between two traces, receipts or checkpoint lists.
#[derive(clap::Args, Debug, Default)]
pub struct DiffCmd {
    /// The first (left) artefact.
    pub left: PathBuf,
    /// The second (right) artefact, of the same kind.
    pub right: PathBuf,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

/// What a side offers to compare.
enum Side {
    Receipt(Box<Receipt>, Option<TraceBody>),
    Trace(TraceBody),
    Checkpoints(u64, Vec<Checkpoint>),
}

fn side(a: Artefact) -> Side {
    match a {
        Artefact::Bundle(b, _) => Side::Receipt(Box::new(b.expected), None),
        Artefact::Receipt(r) => Side::Receipt(Box::new(r.receipt), r.trace),
        Artefact::Trace(t) => Side::Trace(TraceBody { gas_limit: t.gas_limit, events: t.events }),
        Artefact::Checkpoints(c) => Side::Checkpoints(c.interval, c.checkpoints),
    }
}

/// The first divergent event of two traces, as text and JSON.
pub fn event_divergence(left: &[TraceEvent], right: &[TraceEvent]) -> Option<(String, Value)> {
    let d = vm::first_divergent_event(left, right)?;
    let show = |e: &Option<TraceEvent>| e.as_ref().map_or_else(|| "(trace ended)".to_string(), render::event);
    let mut text = format!("first divergent event: #{}\n", d.index);
    if let Some(prev) = d.index.checked_sub(1).and_then(|i| left.get(i)) {
        let _ = writeln!(text, "  last agreed  #{}: {}", d.index - 1, render::event(prev));
    }
    let _ = writeln!(text, "  left         #{}: {}", d.index, show(&d.left));
    let _ = write!(text, "  right        #{}: {}", d.index, show(&d.right));
    Some((text, json!({ "index": d.index, "left": d.left, "right": d.right })))
}

fn receipt_divergence(left: &Receipt, right: &Receipt) -> Result<(String, Value), Failure> {
    let fields = vm::receipt_mismatches(left, right);
    let l = serde_json::to_value(left).context("encoding a receipt").map_err(Failure::host)?;
    let r = serde_json::to_value(right).context("encoding a receipt").map_err(Failure::host)?;
    let mut text = String::new();
    let mut list = Vec::new();
    for f in &fields {
        let _ = writeln!(text, "{f}:\n  left  {}\n  right {}", l[f], r[f]);
        list.push(json!({ "field": f, "left": l[f], "right": r[f] }));
    }
    Ok((text.trim_end().to_string(), Value::Array(list)))
}

impl DiffCmd {
    /// Compares the two artefacts: exit code 0 when they agree, `DIVERGED` when they do not.
    ///
    /// # Errors
    /// An unreadable or malformed file, or two artefacts of kinds that cannot be compared (`USAGE`).
    pub fn run(&self) -> Result<Output, Failure> {
        let (la, ra) = (artefact::load(&self.left)?, artefact::load(&self.right)?);
        let (lk, rk) = (la.kind(), ra.kind());
        let mut text = String::new();
        let mut report = json!({ "left": self.left, "right": self.right });
        let diverged = match (side(la), side(ra)) {
            (Side::Trace(l), Side::Trace(r)) => {
                report["kind"] = json!("trace");
                match event_divergence(&l.events, &r.events) {
                    Some((t, j)) => {
                        text = t;
                        report["first_divergent_event"] = j;
                        true
                    }
                    None => false,
                }
            }
            (Side::Receipt(l, lt), Side::Receipt(r, rt)) => {
                report["kind"] = json!("receipt");
                let (t, j) = receipt_divergence(&l, &r)?;
                let mut diverged = !t.is_empty();
                text = t;
                report["fields"] = j;
                if let (Some(lt), Some(rt)) = (lt, rt) {
                    if let Some((t, j)) = event_divergence(&lt.events, &rt.events) {
                        text = format!("{text}\n{t}").trim_start().to_string();
                        report["first_divergent_event"] = j;
                        diverged = true;
                    }
                }
                diverged
            }
            (Side::Checkpoints(lk, l), Side::Checkpoints(rk, r)) => {
                report["kind"] = json!("checkpoints");
                for (k, path) in [(lk, &self.left), (rk, &self.right)] {
                    check_interval(k).map_err(|e| Failure::invalid(anyhow!("{}: {e}", path.display())))?;
                }
                if lk != rk {
                    return Err(Failure::usage(anyhow!(
                        "cannot compare checkpoints recorded every {lk} gas ({}) with checkpoints recorded \
                         every {rk} gas ({})",
                        self.left.display(),
                        self.right.display()
                    )));
                }
                match vm::first_divergent_window(&l, &r) {
                    Some(w) => {
                        let show = |c: &Option<Checkpoint>| {
                            c.as_ref().map_or_else(|| "(list ended)".to_string(), render::checkpoint)
                        };
                        text = format!(
                            "first divergent window: from gas used {} to checkpoint position {}\n  last agreed  {}\n  left         {}\n  right        {}",
                            w.window_start(),
                            w.position,
                            w.last_agreed.as_ref().map_or_else(|| "(none)".to_string(), render::checkpoint),
                            show(&w.left),
                            show(&w.right),
                        );
                        report["first_divergent_window"] = json!({
                            "position": w.position,
                            "window_start": w.window_start(),
                            "last_agreed": w.last_agreed,
                            "left": w.left,
                            "right": w.right,
                        });
                        true
                    }
                    None => false,
                }
            }
            _ => {
                return Err(Failure::usage(anyhow!(
                "cannot compare a {lk} file ({}) with a {rk} file ({}): give two traces, two receipts (or \
                     bundles) or two checkpoint lists",
                self.left.display(),
                self.right.display()
            )))
            }
        };
        report["diverged"] = json!(diverged);
        let code = if diverged { exit::DIVERGED } else { exit::OK };
        let stdout = if self.json {
            serde_json::to_string_pretty(&report).context("encoding the report").map_err(Failure::host)?
        } else if diverged {
            text
        } else {
            format!("the two {lk}s agree")
        };
        Ok(Output::with_code(stdout, code))
    }
}
