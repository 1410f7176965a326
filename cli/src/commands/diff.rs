//! `tsvm diff <a> <b>`: the first divergence between two executions, given as two traces, two
//! receipts, two checkpoint lists, or two bundles (every field: module, invocation, context, gas
//! limit, witness and expected receipt; a bundle against a receipt compares its expected receipt).

use crate::artefact::{self, check_interval, Artefact, TraceBody};
use crate::exit::{self, Failure, Output};
use crate::render::{self, divergence, divergence::EventReport};
use abi::{Bundle, Checkpoint, Hash32, Receipt, StateKey};
use anyhow::{anyhow, Context as _};
use serde::Serialize;
use serde_json::Value;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

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

/// What `--json` prints: the two files, what kind they are, whether they diverged, and where.
#[derive(Serialize, Debug)]
struct DiffReport<'a> {
    left: &'a Path,
    right: &'a Path,
    /// `trace`, `receipt`, `bundle` or `checkpoints`.
    kind: &'static str,
    diverged: bool,
    /// Receipts and bundles: every field that differs (empty when they agree).
    #[serde(skip_serializing_if = "Option::is_none")]
    fields: Option<Vec<FieldDiff>>,
    /// Traces, and receipts that both carry one.
    #[serde(skip_serializing_if = "Option::is_none")]
    first_divergent_event: Option<EventReport>,
    /// Checkpoint lists.
    #[serde(skip_serializing_if = "Option::is_none")]
    first_divergent_window: Option<WindowReport>,
}

/// The first divergent checkpoint window as `--json` shows it.
#[derive(Serialize, Debug)]
struct WindowReport {
    position: usize,
    window_start: u64,
    last_agreed: Option<Checkpoint>,
    left: Option<Checkpoint>,
    right: Option<Checkpoint>,
}

/// A field two receipts or bundles disagree on, with both values.
#[derive(Serialize, Debug)]
struct FieldDiff {
    field: String,
    left: Value,
    right: Value,
}

/// A bundle's module as `diff` compares it: by hash and length, not byte by byte.
#[derive(Serialize, Debug)]
struct ModuleId {
    blake3: Hash32,
    len: usize,
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

/// Differing fields, each with its left and right value, as text and a list.
#[derive(Default)]
struct Fields {
    text: String,
    list: Vec<FieldDiff>,
}

impl Fields {
    fn push(&mut self, field: &str, left: Value, right: Value) {
        let _ = writeln!(self.text, "{}", divergence::field(field, &left, &right));
        self.list.push(FieldDiff { field: field.to_string(), left, right });
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

    fn finish(self) -> (String, Vec<FieldDiff>) {
        (self.text.trim_end().to_string(), self.list)
    }
}

fn to_json<T: serde::Serialize>(v: &T) -> Result<Value, Failure> {
    serde_json::to_value(v).context("encoding a field").map_err(Failure::host)
}

fn receipt_divergence(left: &Receipt, right: &Receipt) -> Result<(String, Vec<FieldDiff>), Failure> {
    let mut fields = Fields::default();
    fields.receipts("", left, right)?;
    Ok(fields.finish())
}

/// Every field of two bundles that differs (`spec/bundle.md#contents`): the module by its blake3
/// hash and length, witness entries key by key, the expected receipts field by field.
fn bundle_divergence(l: &Bundle, r: &Bundle) -> Result<(String, Vec<FieldDiff>), Failure> {
    let mut f = Fields::default();
    if l.format_version != r.format_version {
        f.push("format_version", Value::from(l.format_version), Value::from(r.format_version));
    }
    if l.rules_hash != r.rules_hash {
        f.push("rules_hash", to_json(&l.rules_hash)?, to_json(&r.rules_hash)?);
    }
    if l.module != r.module {
        let show = |m: &[u8]| to_json(&ModuleId { blake3: abi::hash::content_hash(m), len: m.len() });
        f.push("module", show(&l.module)?, show(&r.module)?);
    }
    if l.invocation != r.invocation {
        f.push("invocation", to_json(&l.invocation)?, to_json(&r.invocation)?);
    }
    if l.context != r.context {
        f.push("context", to_json(&l.context)?, to_json(&r.context)?);
    }
    if l.gas_limit != r.gas_limit {
        f.push("gas_limit", Value::from(l.gas_limit), Value::from(r.gas_limit));
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
            None => Value::from("(not in the witness)"),
            Some(None) => Value::Null,
            Some(Some(v)) => Value::from(abi::hex::encode(v)),
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
            let keys =
                |b: &Bundle| b.witness.entries.iter().map(|e| Value::from(e.key.to_string())).collect();
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
        // Two block results (`spec/block.md#files`): the first transaction whose commitment differs.
        if crate::block_file::is_block_result(&self.left)? && crate::block_file::is_block_result(&self.right)?
        {
            return super::block::diff(&self.left, &self.right, self.json);
        }
        let (la, ra) = (artefact::load(&self.left)?, artefact::load(&self.right)?);
        let (lk, rk) = (la.kind(), ra.kind());
        let mut report = DiffReport {
            left: &self.left,
            right: &self.right,
            kind: lk,
            diverged: false,
            fields: None,
            first_divergent_event: None,
            first_divergent_window: None,
        };
        // A bundle against a receipt: its expected receipt.
        let sides = match (side(la), side(ra)) {
            (Side::Bundle(b), r @ Side::Receipt(..)) => (Side::Receipt(Box::new(b.expected), None), r),
            (l @ Side::Receipt(..), Side::Bundle(b)) => (l, Side::Receipt(Box::new(b.expected), None)),
            sides => sides,
        };
        // What differs, in words: empty when the two agree.
        let text = match sides {
            (Side::Trace(l), Side::Trace(r)) => {
                let (text, event) = divergence::first_divergent_event(&l.events, &r.events).unzip();
                report.first_divergent_event = event;
                text.unwrap_or_default()
            }
            (Side::Bundle(l), Side::Bundle(r)) => {
                let (text, fields) = bundle_divergence(&l, &r)?;
                report.fields = Some(fields);
                text
            }
            (Side::Receipt(l, lt), Side::Receipt(r, rt)) => {
                report.kind = "receipt";
                let (mut text, fields) = receipt_divergence(&l, &r)?;
                report.fields = Some(fields);
                if let (Some(lt), Some(rt)) = (lt, rt) {
                    if let Some((t, event)) = divergence::first_divergent_event(&lt.events, &rt.events) {
                        text = format!("{text}\n{t}").trim_start().to_string();
                        report.first_divergent_event = Some(event);
                    }
                }
                text
            }
            (Side::Checkpoints(lk, l), Side::Checkpoints(rk, r)) => {
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
                        let text = format!(
                            "first divergent window: from gas used {} to checkpoint position {}\n{}",
                            w.window_start(),
                            w.position,
                            divergence::window(&w, ["left", "right"]),
                        );
                        report.first_divergent_window = Some(WindowReport {
                            position: w.position,
                            window_start: w.window_start(),
                            last_agreed: w.last_agreed,
                            left: w.left,
                            right: w.right,
                        });
                        text
                    }
                    None => String::new(),
                }
            }
            _ => {
                return Err(Failure::usage(anyhow!(
                    "cannot compare a {lk} file ({}) with a {rk} file ({}): give two traces, two receipts, \
                     two bundles (or a bundle and a receipt) or two checkpoint lists",
                    self.left.display(),
                    self.right.display()
                )))
            }
        };
        report.diverged = !text.is_empty();
        let code = if report.diverged { exit::DIVERGED } else { exit::OK };
        let stdout = if self.json {
            render::json_report(&report)?
        } else if report.diverged {
            text
        } else {
            format!("the two {lk}s agree")
        };
        Ok(Output::with_code(stdout, code))
    }
}
