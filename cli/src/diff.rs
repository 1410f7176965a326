//! `tsvm diff <a> <b>`: the first divergence between two executions, given as two traces, two
//! receipts, two checkpoint lists, or two bundles (every field: module, invocation, context, gas
//! limit, witness and expected receipt; a bundle against a receipt compares its expected receipt).

use crate::artefact::{self, Artefact, TraceBody};
use crate::bisect::check_interval;
use crate::exit::{self, Failure, Output};
use crate::render;
use abi::{Bundle, Checkpoint, Receipt, StateKey, TraceEvent};
use anyhow::{anyhow, Context as _};
use serde_json::{json, Value};
use std::collections::BTreeMap;
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
    Bundle(Box<Bundle>),
    Receipt(Box<Receipt>, Option<TraceBody>),
    Trace(TraceBody),
    Checkpoints(u64, Vec<Checkpoint>),
}

fn side(a: Artefact) -> Side {
    match a {
        Artefact::Bundle(b, _) => Side::Bundle(b),
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

/// Differing fields, each with its left and right value, as text and a JSON list.
#[derive(Default)]
struct Fields {
    text: String,
    list: Vec<Value>,
}

impl Fields {
    fn push(&mut self, field: &str, left: Value, right: Value) {
        let _ = writeln!(self.text, "{field}:\n  left  {left}\n  right {right}");
        self.list.push(json!({ "field": field, "left": left, "right": right }));
    }

    /// Adds the receipt fields that differ, each named `{prefix}{field}`.
    fn receipts(&mut self, prefix: &str, left: &Receipt, right: &Receipt) -> Result<(), Failure> {
        let l = to_json(left)?;
        let r = to_json(right)?;
        for f in vm::receipt_mismatches(left, right) {
            self.push(&format!("{prefix}{f}"), l[f].clone(), r[f].clone());
        }
        Ok(())
    }

    fn finish(self) -> (String, Value) {
        (self.text.trim_end().to_string(), Value::Array(self.list))
    }
}

fn to_json<T: serde::Serialize>(v: &T) -> Result<Value, Failure> {
    serde_json::to_value(v).context("encoding a field").map_err(Failure::host)
}

fn receipt_divergence(left: &Receipt, right: &Receipt) -> Result<(String, Value), Failure> {
    let mut fields = Fields::default();
    fields.receipts("", left, right)?;
    Ok(fields.finish())
}

/// Every field of two bundles that differs (`spec/bundle.md#contents`): the module by its blake3
/// hash and length, witness entries key by key, the expected receipts field by field.
fn bundle_divergence(l: &Bundle, r: &Bundle) -> Result<(String, Value), Failure> {
    let mut f = Fields::default();
    if l.format_version != r.format_version {
        f.push("format_version", json!(l.format_version), json!(r.format_version));
    }
    if l.rules_hash != r.rules_hash {
        f.push("rules_hash", to_json(&l.rules_hash)?, to_json(&r.rules_hash)?);
    }
    if l.module != r.module {
        let show = |m: &[u8]| json!({ "blake3": abi::hash::content_hash(m), "len": m.len() });
        f.push("module", show(&l.module), show(&r.module));
    }
    if l.invocation != r.invocation {
        f.push("invocation", to_json(&l.invocation)?, to_json(&r.invocation)?);
    }
    if l.context != r.context {
        f.push("context", to_json(&l.context)?, to_json(&r.context)?);
    }
    if l.gas_limit != r.gas_limit {
        f.push("gas_limit", json!(l.gas_limit), json!(r.gas_limit));
    }
    if l.witness.token != r.witness.token {
        f.push("witness.token", to_json(&l.witness.token)?, to_json(&r.witness.token)?);
    }
    if l.witness.entries != r.witness.entries {
        let map = |b: &Bundle| -> BTreeMap<StateKey, Option<Vec<u8>>> {
            b.witness.entries.iter().map(|e| (e.key.clone(), e.value.clone())).collect()
        };
        let (lm, rm) = (map(l), map(r));
        let value = |m: &BTreeMap<StateKey, Option<Vec<u8>>>, k: &StateKey| match m.get(k) {
            None => json!("(not in the witness)"),
            Some(None) => Value::Null,
            Some(Some(v)) => json!(abi::hex::encode(v)),
        };
        let keys: std::collections::BTreeSet<&StateKey> = lm.keys().chain(rm.keys()).collect();
        let mut any = false;
        for k in keys {
            if lm.get(k) != rm.get(k) {
                any = true;
                f.push(&format!("witness[{k}]"), value(&lm, k), value(&rm, k));
            }
        }
        if !any {
            // Same keys and values, other order or duplicates.
            let keys = |b: &Bundle| b.witness.entries.iter().map(|e| json!(e.key.to_string())).collect();
            f.push("witness.entries (order)", Value::Array(keys(l)), Value::Array(keys(r)));
        }
    }
    f.receipts("expected.", &l.expected, &r.expected)?;
    Ok(f.finish())
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
        // A bundle against a receipt: its expected receipt.
        let sides = match (side(la), side(ra)) {
            (Side::Bundle(b), r @ Side::Receipt(..)) => (Side::Receipt(Box::new(b.expected), None), r),
            (l @ Side::Receipt(..), Side::Bundle(b)) => (l, Side::Receipt(Box::new(b.expected), None)),
            sides => sides,
        };
        let diverged = match sides {
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
            (Side::Bundle(l), Side::Bundle(r)) => {
                report["kind"] = json!("bundle");
                let (t, j) = bundle_divergence(&l, &r)?;
                text = t;
                report["fields"] = j;
                !text.is_empty()
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
                "cannot compare a {lk} file ({}) with a {rk} file ({}): give two traces, two receipts, two \
                     bundles (or a bundle and a receipt) or two checkpoint lists",
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
