//! Blocks on the command line (`spec/block.md`): `tsvm run` of a block file, `tsvm replay` of a
//! block bundle and `tsvm diff` of two block results. The subcommands' `run()` hand these files
//! here, so the single-transaction paths stay as they were.

use super::run::{RunCmd, TraceArg};
use crate::artefact::TraceBody;
use crate::block_file::{BlockFile, BlockResultFile, BlockResultKind};
use crate::exit::{self, Failure, Output};
use crate::files::{read_json, write_file, write_json};
use crate::render::{self, divergence};
use abi::{first_divergent_commitment, BlockBundle, Receipt};
use anyhow::Context as _;
use serde::Serialize;
use std::fmt::Write as _;
use std::path::Path;
use vm::{events_in_window, receipt_mismatches, ExecOptions, Rules, TraceLevel, Vm};

/// Receipts as JSON values, for showing a field both sides have.
fn field_json(receipt: &Receipt, field: &str) -> serde_json::Value {
    serde_json::to_value(receipt).ok().and_then(|v| v.get(field).cloned()).unwrap_or_default()
}

/// `tsvm run <block file>`: executes the block (in lanes with `--lanes`), prints each receipt with
/// the commitment after it, then the final state; `--json` prints a block result file instead;
/// `--bundle` records a block bundle, `--state-out` writes the final state.
///
/// # Errors
/// Unreadable input, an unwritable output, a host failure.
pub fn run(cmd: &RunCmd, path: &Path) -> Result<Output, Failure> {
    let loaded = BlockFile::load(path)?;
    let vm = Vm::new(Rules::default());
    let full = cmd.trace == TraceArg::Full;
    let options = ExecOptions {
        checkpoint_interval: cmd.checkpoints.unwrap_or(0),
        trace: if full { TraceLevel::Full } else { TraceLevel::HashOnly },
    };
    let block = if cmd.lanes {
        vm.execute_block_in_lanes(&loaded.state, &loaded.transactions, &options)
    } else {
        vm.execute_block(&loaded.state, &loaded.transactions, &options)
    }
    .map_err(Failure::from_vm)?;
    if let Some(out) = &cmd.bundle {
        let interval = options.checkpoint_interval;
        let (bundle, _) = vm::record_block_bundle(&vm, &loaded.state, &loaded.transactions, interval)
            .map_err(Failure::from_vm)?;
        write_block_bundle(out, &bundle)?;
    }
    let mut post = loaded.state.clone();
    post.apply(&block.diff).context("applying the block's diff").map_err(Failure::host)?;
    if let Some(out) = &cmd.state_out {
        write_json(out, &post)?;
    }
    let result = block.result();
    if cmd.json {
        let traces = full.then(|| {
            loaded
                .transactions
                .iter()
                .zip(&block.executions)
                .map(|(tx, e)| TraceBody { gas_limit: tx.gas_limit, events: e.trace.clone() })
                .collect()
        });
        let file = BlockResultFile {
            kind: BlockResultKind::Tag,
            receipts: result.receipts,
            commitments: result.commitments,
            diff: result.diff,
            traces,
        };
        return Ok(Output::ok(render::json_report(&file)?));
    }
    let mut out = String::new();
    for (i, (tx, execution)) in loaded.transactions.iter().zip(&block.executions).enumerate() {
        let _ =
            writeln!(out, "tx {i}: {} on token {}", render::call(&tx.invocation.call), tx.invocation.token);
        if full {
            let _ = writeln!(out, "{}", render::trace(&execution.trace).trim_end());
        }
        let _ = writeln!(out, "{}", render::receipt(&execution.receipt).trim_end());
        let _ = writeln!(out, "commitment   {}\n", block.commitments[i]);
    }
    let _ = writeln!(
        out,
        "block commitment {} after {} transactions",
        block.commitment(),
        block.executions.len()
    );
    let state = serde_json::to_string_pretty(&post).context("encoding the state").map_err(Failure::host)?;
    let _ = write!(out, "final state:\n{state}");
    Ok(Output::ok(out))
}

fn write_block_bundle(path: &Path, bundle: &BlockBundle) -> Result<(), Failure> {
    if path.extension().is_some_and(|e| e == "json") {
        write_json(path, bundle)
    } else {
        let bytes = borsh::to_vec(bundle).context("encoding the block bundle").map_err(Failure::host)?;
        write_file(path, &bytes)
    }
}

/// What `tsvm replay --json` prints for a block bundle.
#[derive(Serialize, Debug)]
struct BlockReplayReport<'a> {
    bundle: &'a Path,
    transactions: usize,
    matched: bool,
    /// The first transaction whose commitment differs.
    #[serde(skip_serializing_if = "Option::is_none")]
    first_divergent_transaction: Option<usize>,
    /// Its receipt fields that differ.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    mismatches: Vec<&'static str>,
    /// Its first divergent checkpoint window: position in its checkpoint list.
    #[serde(skip_serializing_if = "Option::is_none")]
    first_divergent_window: Option<usize>,
}

/// `tsvm replay <block bundle>`: replays it from its witness; on a divergence names the first
/// divergent transaction, its differing receipt fields, and its first divergent checkpoint window
/// with the replay's events in it. Exit code `DIVERGED` then.
///
/// # Errors
/// A bundle that cannot be replayed (version, rules, not canonical, a read outside the witness
/// naming its transaction, a host failure).
pub fn replay(path: &Path, bundle: &BlockBundle, json: bool) -> Result<Output, Failure> {
    let vm = Vm::new(Rules::default());
    let replayed = vm::replay_block(&vm, bundle, TraceLevel::Full).map_err(Failure::from_vm)?;
    let n = bundle.transactions.len();
    let Some(d) = replayed.divergence else {
        let report = BlockReplayReport {
            bundle: path,
            transactions: n,
            matched: true,
            first_divergent_transaction: None,
            mismatches: vec![],
            first_divergent_window: None,
        };
        let text = format!(
            "{}: matched, {n} transactions, block commitment {}",
            path.display(),
            replayed.block.commitment()
        );
        return Ok(Output::ok(if json { render::json_report(&report)? } else { text }));
    };
    let got = &replayed.block.executions[d.index];
    let expected = &bundle.expected[d.index];
    let mut text = format!(
        "{}: diverged at transaction {} of {n}: {}\n",
        path.display(),
        d.index,
        render::call(&bundle.transactions[d.index].invocation.call)
    );
    for field in &d.mismatches {
        let _ = writeln!(
            text,
            "{}",
            divergence::mismatch(field, &field_json(expected, field), &field_json(&got.receipt, field))
        );
    }
    if let Some(w) = &d.window {
        let _ = writeln!(
            text,
            "first divergent checkpoint window:\n{}",
            divergence::window(w, ["expected", "replay"])
        );
        let gas_limit = bundle.transactions[d.index].gas_limit;
        let end = w.window_start() + bundle.checkpoint_interval;
        let events = events_in_window(&got.trace, gas_limit, w.window_start(), end);
        let _ = writeln!(text, "the replay's events in it:\n{}", render::trace(events).trim_end());
    }
    let report = BlockReplayReport {
        bundle: path,
        transactions: n,
        matched: false,
        first_divergent_transaction: Some(d.index),
        mismatches: d.mismatches.clone(),
        first_divergent_window: d.window.as_ref().map(|w| w.position),
    };
    let stdout = if json { render::json_report(&report)? } else { text.trim_end().to_string() };
    Ok(Output::with_code(stdout, exit::DIVERGED))
}

/// `tsvm diff <a> <b>` of two block result files: the first transaction whose commitment differs,
/// its receipt fields that differ and, when both files carry traces, its first divergent event.
/// Exit code `DIVERGED` when they differ.
///
/// # Errors
/// Unreadable or malformed files.
pub fn diff(left: &Path, right: &Path, json: bool) -> Result<Output, Failure> {
    let (a, b): (BlockResultFile, BlockResultFile) = (read_json(left)?, read_json(right)?);
    let Some(i) = first_divergent_commitment(&a.commitments, &b.commitments) else {
        let text = format!("identical: {} transactions, same commitments", a.commitments.len());
        let report = serde_json::json!({ "kind": "block_result", "diverged": false });
        return Ok(Output::ok(if json { render::json_report(&report)? } else { text }));
    };
    let mut text = format!("first divergent transaction: #{i}\n");
    let mut fields = Vec::new();
    match (a.receipts.get(i), b.receipts.get(i)) {
        (Some(ra), Some(rb)) => {
            fields = receipt_mismatches(ra, rb);
            for field in &fields {
                let _ = writeln!(
                    text,
                    "{}",
                    divergence::field(field, &field_json(ra, field), &field_json(rb, field))
                );
            }
        }
        _ => text.push_str("(one block ends before it)\n"),
    }
    let event = match (a.traces.as_ref().and_then(|t| t.get(i)), b.traces.as_ref().and_then(|t| t.get(i))) {
        (Some(l), Some(r)) => divergence::first_divergent_event(&l.events, &r.events),
        _ => None,
    };
    if let Some((shown, _)) = &event {
        let _ = writeln!(text, "{shown}");
    }
    let report = serde_json::json!({
        "kind": "block_result",
        "diverged": true,
        "first_divergent_transaction": i,
        "fields": fields,
        "first_divergent_event": event.map(|(_, r)| r),
    });
    let stdout = if json { render::json_report(&report)? } else { text.trim_end().to_string() };
    Ok(Output::with_code(stdout, exit::DIVERGED))
}
