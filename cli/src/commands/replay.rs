//! `tsvm replay <bundle|archive|dir>...`: re-executes bundles against their witnesses and compares
//! each with its expected receipt (`spec/bundle.md#replay`), in parallel, with a summary. A bundle
//! archive (`spec/bundle.md#bundle-archives`) is read in bounded batches, each bundle replayed and
//! reported on its own as `FILE#INDEX`.

use super::run::MAX_TRACE_EVENTS;
use crate::artefact::{decode_borsh_bundle, decode_borsh_head, decode_bundle, decode_receipt};
use crate::bundle_archive::{self, Archive, Batch};
use crate::exit::{self, Failure, Output};
use crate::files::{bundle_paths, is_json, read_bounded};
use crate::render::{self, divergence};
use anyhow::{anyhow, Context as _};
use rayon::prelude::*;
use serde::Serialize;
use std::fmt::Write as _;
use std::io::IsTerminal as _;
use std::path::{Path, PathBuf};
use std::time::Instant;
use vm::{ExecOptions, Rules, TraceLevel, Vm, VmError};

/// Replay bundles and compare them with their expected receipts.
#[derive(clap::Args, Debug, Default)]
pub struct ReplayCmd {
    /// Bundle files (JSON or borsh), bundle archives, or directories of them (`*.json`, `*.bundle`
    /// and `*.bundles`, not recursive). A file not named `*.json` or `*.bundle` is an archive if it
    /// starts as one (`spec/bundle.md#bundle-archives`).
    pub inputs: Vec<PathBuf>,
    /// A file listing bundle paths, one a line (relative to the list's directory; `#` comments).
    #[arg(long, value_name = "FILE")]
    pub list: Option<PathBuf>,
    /// Worker threads (default: all cores).
    #[arg(long, short = 'j', value_parser = clap::value_parser!(u64).range(1..1025))]
    pub jobs: Option<u64>,
    /// Print a JSON summary and per-bundle results.
    #[arg(long)]
    pub json: bool,
    /// Replay in sandboxed worker processes (`spec/executor.md`), one per job; the receipts are the
    /// same. The worker is `$TSVM_WORKER`, else `tsvm-worker` next to `tsvm`.
    #[arg(long)]
    pub isolate: bool,
}

/// A differing receipt field with both values.
#[derive(Serialize, Debug, Clone)]
pub struct FieldDiff {
    /// The receipt field.
    pub field: &'static str,
    /// The bundle's value.
    pub expected: serde_json::Value,
    /// The replay's value.
    pub got: serde_json::Value,
}

/// What happened to one bundle.
#[derive(Serialize, Debug, Clone)]
#[serde(tag = "result", rename_all = "snake_case")]
pub enum BundleOutcome {
    /// The replay reproduced the expected receipt.
    Matched {
        /// Status of the receipt.
        status: abi::StatusCode,
        /// Gas used.
        gas_used: u64,
    },
    /// The replay produced another receipt, or read outside the witness.
    Diverged {
        /// The receipt fields that differ.
        mismatches: Vec<FieldDiff>,
        /// Why, when it is not a receipt difference (a read outside the witness).
        #[serde(skip_serializing_if = "Option::is_none")]
        error: Option<String>,
        /// The last lines of the replay's rendered trace (from a second run keeping the trace, made
        /// only on divergence): how the replay ended.
        #[serde(skip_serializing_if = "Vec::is_empty")]
        trace_tail: Vec<String>,
    },
    /// The bundle could not be replayed.
    Failed {
        /// The exit code this failure maps to.
        exit_code: u8,
        /// What went wrong.
        error: String,
    },
}

/// One bundle's result.
#[derive(Serialize, Debug, Clone)]
pub struct BundleResult {
    /// The bundle file, or `ARCHIVE#INDEX` for a bundle of an archive (an archive that cannot be
    /// read on is named whole, or by the bundle it stopped at).
    pub path: PathBuf,
    /// What happened.
    #[serde(flatten)]
    pub outcome: BundleOutcome,
}

/// Totals of a replay run.
#[derive(Serialize, Debug, Clone, Default)]
pub struct Summary {
    /// Bundles replayed.
    pub bundles: usize,
    /// Matched their receipt.
    pub matched: usize,
    /// Diverged from it.
    pub diverged: usize,
    /// Could not be replayed.
    pub failed: usize,
    /// Wall-clock seconds (reading, decoding, replaying, comparing).
    pub seconds: f64,
    /// Bundles per second.
    pub tx_per_sec: f64,
    /// Worker threads.
    pub jobs: usize,
}

/// What `--json` prints: the totals, then every bundle's result in input order.
#[derive(Serialize, Debug)]
struct ReplayReport<'a> {
    summary: &'a Summary,
    results: &'a [BundleResult],
}

/// Lines of the replay's trace shown with a divergence.
pub const TRACE_TAIL_LINES: usize = 12;

/// The last [`TRACE_TAIL_LINES`] lines of `bundle`'s replay trace, from a second run keeping at most
/// [`MAX_TRACE_EVENTS`] events (so a divergent bundle is bounded in memory too).
fn trace_tail(vm: &Vm, bundle: &abi::Bundle) -> Vec<String> {
    let cap = MAX_TRACE_EVENTS;
    let options = ExecOptions { trace: TraceLevel::Prefix { events: cap }, ..ExecOptions::default() };
    let Ok(r) = vm::replay(vm, bundle, &options) else { return Vec::new() };
    let text = render::trace(&r.execution.trace);
    let lines: Vec<&str> = text.lines().collect();
    let mut tail: Vec<String> =
        lines[lines.len().saturating_sub(TRACE_TAIL_LINES)..].iter().map(|l| l.to_string()).collect();
    if !matches!(r.execution.trace.last(), Some(abi::TraceEvent::End { .. })) {
        tail.push(format!("... cut after its first {cap} events"));
    }
    tail
}

/// Reads a bundle in either form, as [`crate::artefact::load_bundle`] does, with a JSON bundle parsed
/// once and without tracking the field path; a file that does not parse so (or is not UTF-8) is
/// decoded again by [`decode_bundle`], for its error (an object that parses as a bundle has no `kind` field: the
/// bundle's fields are closed).
fn read_bundle(path: &Path) -> Result<abi::Bundle, Failure> {
    let bytes = read_bounded(path)?;
    if is_json(&bytes) {
        // The text is checked to be UTF-8 once, not string by string as the parser meets them.
        if let Ok(Ok(bundle)) = std::str::from_utf8(&bytes).map(serde_json::from_str) {
            return Ok(bundle);
        }
    }
    decode_bundle(path, &bytes)
}

/// A bundle to replay: a file, or a bundle read from an archive.
enum Item<'a> {
    /// A bundle file, read by the thread that replays it.
    File(PathBuf),
    /// A bundle of an archive, in its canonical form, decoded by the thread that replays it.
    Entry {
        /// The archive.
        archive: &'a Path,
        /// The bundle's index in it.
        index: u32,
        /// Its canonical form, in the batch it was read in.
        bytes: &'a [u8],
    },
}

impl Item<'_> {
    /// The file, or `ARCHIVE#INDEX` (made when asked: once for the result, and for an error).
    fn name(&self) -> PathBuf {
        match self {
            Self::File(path) => path.clone(),
            Self::Entry { archive, index, .. } => bundle_archive::entry_name(archive, *index),
        }
    }

    /// Reads and decodes the bundle.
    fn read(&self) -> Result<abi::Bundle, Failure> {
        match self {
            Self::File(path) => read_bundle(path),
            // The name is written only into an error: it is made once per bundle, for its result.
            Self::Entry { archive, index, bytes } => {
                decode_borsh_bundle(bundle_archive::EntryName(archive, *index), bytes)
            }
        }
    }
}

/// Replays one bundle with `vm`: hash-only (no event is kept, whatever the bundle's gas), and again
/// keeping the trace (bounded) only when it diverges, to show how the replay ended. With `pool`, the
/// hash-only replay runs in a sandboxed worker (`--isolate`, `spec/executor.md`).
fn replay_item(vm: &Vm, pool: Option<&executor::Pool>, item: &Item) -> BundleOutcome {
    replay_item_with(vm, item, |bundle, options| match pool {
        Some(pool) => executor::replay::replay(pool, &vm.rules_hash(), bundle, options),
        None => vm::replay(vm, bundle, options),
    })
}

/// [`replay_item`] in process, in `session` over `slot` (each module's instance kept from one
/// bundle to the next, `spec/abi.md#instance-reuse`): the same outcome. A bundle of an archive has
/// its expected receipt decoded only when its bytes are not the new receipt's encoding (equal bytes
/// are equal fields, `spec/bundle.md#replay`): to show the differing fields, or the receipt's error.
fn replay_item_in(session: &mut vm::Session<'_>, slot: &vm::WitnessSlot, item: &Item) -> BundleOutcome {
    let Item::Entry { archive, index, bytes } = *item else {
        let vm = session.vm();
        return replay_item_with(vm, item, |bundle, options| vm::replay_in(session, slot, bundle, options));
    };
    let name = bundle_archive::EntryName(archive, index);
    let (mut head, expected) = match decode_borsh_head(&name, bytes) {
        Ok(split) => split,
        Err(f) => return failed(f),
    };
    let run = vm::replay_head_in(session, slot, &mut head, &HASH_ONLY);
    if let Ok(execution) = &run {
        if borsh::to_vec(&execution.receipt).is_ok_and(|got| got == expected) {
            let receipt = &execution.receipt;
            return BundleOutcome::Matched { status: receipt.status, gas_used: receipt.gas_used };
        }
    }
    // As if the whole bundle had been decoded before the replay: a receipt that does not decode is
    // the bundle's error, whatever the replay gave.
    let bundle = match decode_receipt(&name, expected) {
        Ok(expected) => head.with_expected(expected),
        Err(f) => return failed(f),
    };
    let replayed = run.map(|execution| {
        let mismatches = vm::receipt_mismatches(&bundle.expected, &execution.receipt);
        vm::Replayed { execution, mismatches }
    });
    word(session.vm(), item, &bundle, replayed)
}

/// How a bundle is replayed first: hash-only, no event kept whatever the bundle's gas.
const HASH_ONLY: ExecOptions = ExecOptions { trace: TraceLevel::HashOnly, checkpoint_interval: 0 };

/// The outcome of a bundle that could not be replayed.
fn failed(f: Failure) -> BundleOutcome {
    BundleOutcome::Failed { exit_code: f.code, error: format!("{:#}", f.error) }
}

/// Reads `item`'s bundle, replays it hash-only with `replay` and words the outcome.
fn replay_item_with(
    vm: &Vm,
    item: &Item,
    replay: impl FnOnce(&abi::Bundle, &ExecOptions) -> Result<vm::Replayed, VmError>,
) -> BundleOutcome {
    let bundle = match item.read() {
        Ok(b) => b,
        Err(f) => return failed(f),
    };
    let replayed = replay(&bundle, &HASH_ONLY);
    word(vm, item, &bundle, replayed)
}

/// The outcome of replaying `item`'s `bundle` hash-only with `vm`.
fn word(
    vm: &Vm,
    item: &Item,
    bundle: &abi::Bundle,
    replayed: Result<vm::Replayed, VmError>,
) -> BundleOutcome {
    match replayed {
        Ok(r) if r.matched() => BundleOutcome::Matched {
            status: r.execution.receipt.status,
            gas_used: r.execution.receipt.gas_used,
        },
        Ok(r) => {
            let expected = serde_json::to_value(&bundle.expected).unwrap_or_default();
            let got = serde_json::to_value(&r.execution.receipt).unwrap_or_default();
            let mismatches = r
                .mismatches
                .iter()
                .map(|&field| FieldDiff { field, expected: expected[field].clone(), got: got[field].clone() })
                .collect();
            BundleOutcome::Diverged { mismatches, error: None, trace_tail: trace_tail(vm, bundle) }
        }
        Err(e @ VmError::OutsideWitness(_)) => BundleOutcome::Diverged {
            mismatches: Vec::new(),
            error: Some(format!("{}: {e}", item.name().display())),
            trace_tail: Vec::new(),
        },
        Err(e) => {
            let f = Failure::from_vm(e);
            failed(Failure { error: f.error.context(item.name().display().to_string()), ..f })
        }
    }
}

/// Replays `items` on the threads of `pool`, in input order. The threads share `vm`, so a module is
/// compiled once for all of them (by a thread that misses the cache while another compiles it, at
/// most once per thread), not once per thread or per bundle; in process, each chunk of bundles
/// runs in one session, so a module is also instantiated once per chunk.
fn replay_all(
    pool: &rayon::ThreadPool,
    vm: &Vm,
    isolated: Option<&executor::Pool>,
    items: &[Item],
    bar: Option<&indicatif::ProgressBar>,
) -> Vec<BundleResult> {
    let done = |item: &Item, outcome| {
        if let Some(bar) = bar {
            bar.inc(1);
        }
        BundleResult { path: item.name(), outcome }
    };
    if isolated.is_some() {
        return pool
            .install(|| items.par_iter().map(|item| done(item, replay_item(vm, isolated, item))).collect());
    }
    // In process, each chunk of bundles runs in one session (spec/abi.md#instance-reuse); chunks
    // are small enough for the threads to share the work evenly.
    let chunk = (items.len() / (pool.current_num_threads() * 8)).clamp(1, 256);
    pool.install(|| {
        items
            .par_chunks(chunk)
            .flat_map_iter(|chunk| {
                let slot = vm::WitnessSlot::default();
                let mut session = vm.session(&slot);
                chunk
                    .iter()
                    .map(|item| done(item, replay_item_in(&mut session, &slot, item)))
                    .collect::<Vec<_>>()
            })
            .collect()
    })
}

/// Replays the bundles of the archive at `path`, a batch at a time (`bundle_archive::BATCH_BUNDLES`),
/// each with its own result. An archive that cannot be opened is one failed result; one that ends
/// early (truncated, padded, a bundle over the size limit) gives the results of the bundles before
/// the fault and a failed result naming where it was met. A thread reads the next batch while the
/// pool replays one: two batch buffers take turns.
fn replay_archive(
    pool: &rayon::ThreadPool,
    vm: &Vm,
    isolated: Option<&executor::Pool>,
    path: &Path,
    bar: Option<&indicatif::ProgressBar>,
) -> Vec<BundleResult> {
    match Archive::open(path) {
        Ok(archive) => replay_opened(pool, vm, isolated, path, archive, bar),
        Err(f) => vec![BundleResult { path: path.to_path_buf(), outcome: failed(f) }],
    }
}

/// [`replay_archive`] of an archive opened at `path`.
fn replay_opened(
    pool: &rayon::ThreadPool,
    vm: &Vm,
    isolated: Option<&executor::Pool>,
    path: &Path,
    mut archive: Archive,
    bar: Option<&indicatif::ProgressBar>,
) -> Vec<BundleResult> {
    if let Some(bar) = bar {
        bar.inc_length(u64::from(archive.count()));
    }
    // The count is the archive's word, not yet checked: it sizes nothing beyond a batch.
    let mut results = Vec::with_capacity((archive.count() as usize).min(bundle_archive::BATCH_BUNDLES));
    std::thread::scope(|scope| {
        let (fill, filled) = std::sync::mpsc::sync_channel::<(Batch, Option<(PathBuf, Failure)>)>(1);
        let (give_back, empty) = std::sync::mpsc::channel::<Batch>();
        for _ in 0..2 {
            let _ = give_back.send(Batch::default());
        }
        scope.spawn(move || {
            // Ends when the archive does, or when the replay stops taking batches.
            while let Ok(mut batch) = empty.recv() {
                let fault = archive.next_batch(&mut batch);
                let last = batch.is_empty() || fault.is_some();
                if fill.send((batch, fault)).is_err() || last {
                    return;
                }
            }
        });
        // The batches are taken on a thread of the pool, so one starts as soon as the last ended,
        // without waking a thread outside the pool in between.
        pool.install(|| {
            for (batch, fault) in filled {
                let items: Vec<Item> = batch
                    .bundles()
                    .map(|(index, bytes)| Item::Entry { archive: path, index, bytes })
                    .collect();
                results.extend(replay_all(pool, vm, isolated, &items, bar));
                drop(items);
                if let Some((name, f)) = fault {
                    results.push(BundleResult { path: name, outcome: failed(f) });
                }
                let _ = give_back.send(batch);
            }
        });
    });
    results
}

/// Human-readable lines for one result.
pub fn describe(r: &BundleResult) -> String {
    let mut out = String::new();
    let path = r.path.display();
    match &r.outcome {
        BundleOutcome::Matched { status, gas_used } => {
            let _ = writeln!(out, "{path}: matched ({}, gas used {gas_used})", render::json_name(status));
        }
        BundleOutcome::Diverged { mismatches, error, trace_tail } => {
            let _ = writeln!(out, "{path}: DIVERGED");
            if let Some(e) = error {
                let _ = writeln!(out, "  {e}");
            }
            for m in mismatches {
                let _ = writeln!(out, "{}", divergence::mismatch(m.field, &m.expected, &m.got));
            }
            if !trace_tail.is_empty() {
                let _ = writeln!(out, "  the replay's trace ends:");
                for l in trace_tail {
                    let _ = writeln!(out, "    {l}");
                }
            }
            let _ = writeln!(
                out,
                "  the first divergent event needs the other execution's trace or checkpoints: \
                 tsvm bisect {path} --against <file>"
            );
        }
        BundleOutcome::Failed { error, .. } => {
            let _ = writeln!(out, "{path}: FAILED: {error}");
        }
    }
    out
}

impl ReplayCmd {
    /// Replays every bundle and summarises.
    ///
    /// Exit code: 0 if every bundle matched; else the code of the first bundle (in input order)
    /// that could not be replayed (`INVALID_INPUT`, `IO`, `RULES_MISMATCH`, `HOST_FAILURE`); else
    /// `DIVERGED`.
    ///
    /// # Errors
    /// No bundle given, or an unreadable directory or list.
    pub fn run(&self) -> Result<Output, Failure> {
        // One block bundle (`spec/bundle.md#block-bundles`): replayed on its own. An archive is told
        // by its first bytes, before the whole file would be read to look for a block bundle.
        if let ([path], None) = (self.inputs.as_slice(), &self.list) {
            if path.is_file() && !bundle_archive::is_archive(path) {
                if let Some(bundle) = crate::block_file::block_bundle(path)? {
                    return super::block::replay(path, &bundle, self.json);
                }
            }
        }
        let paths = bundle_paths(&self.inputs, self.list.as_deref())?;
        if paths.is_empty() {
            return Err(Failure::usage(anyhow!("no bundles to replay (give files, directories or --list)")));
        }
        let archive: Vec<bool> = paths.iter().map(|p| bundle_archive::is_archive(p)).collect();
        let archives = archive.iter().filter(|&&a| a).count();
        let jobs = self
            .jobs
            .map_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()), |j| j as usize);
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(jobs)
            .build()
            .context("starting worker threads")
            .map_err(Failure::host)?;
        // Only on a terminal: a hidden bar would still be counted (a shared atomic and a clock read
        // per bundle).
        let bar =
            ((paths.len() > 1 || archives > 0) && std::io::stderr().is_terminal() && !self.json).then(|| {
                // An archive adds its count when it is opened.
                let bar = indicatif::ProgressBar::new((paths.len() - archives) as u64);
                if let Ok(style) =
                    indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} bundles, eta {eta}")
                {
                    bar.set_style(style);
                }
                bar
            });
        let vm = Vm::new(Rules::default());
        // One worker per job, but no more than there are bundles (an archive's count is not known yet).
        let workers = if archives > 0 { jobs } else { jobs.min(paths.len()) };
        let isolated = if self.isolate { Some(crate::commands::executor::pool(workers)?) } else { None };
        let start = Instant::now();
        // Files are replayed together up to each archive, and each archive batch by batch, so the
        // results keep the input order.
        let mut results = Vec::with_capacity(paths.len());
        let mut files = Vec::new();
        for (path, archive) in paths.into_iter().zip(archive) {
            if !archive {
                files.push(Item::File(path));
                continue;
            }
            results.extend(replay_all(&pool, &vm, isolated.as_ref(), &files, bar.as_ref()));
            files.clear();
            results.extend(replay_archive(&pool, &vm, isolated.as_ref(), &path, bar.as_ref()));
        }
        results.extend(replay_all(&pool, &vm, isolated.as_ref(), &files, bar.as_ref()));
        if let Some(bar) = &bar {
            bar.finish_and_clear();
        }
        let seconds = start.elapsed().as_secs_f64();
        let mut summary = Summary { bundles: results.len(), seconds, jobs, ..Summary::default() };
        for r in &results {
            match r.outcome {
                BundleOutcome::Matched { .. } => summary.matched += 1,
                BundleOutcome::Diverged { .. } => summary.diverged += 1,
                BundleOutcome::Failed { .. } => summary.failed += 1,
            }
        }
        summary.tx_per_sec = if seconds > 0.0 { summary.bundles as f64 / seconds } else { 0.0 };
        let code = results
            .iter()
            .find_map(|r| match r.outcome {
                BundleOutcome::Failed { exit_code, .. } => Some(exit_code),
                _ => None,
            })
            .unwrap_or(if summary.diverged > 0 { exit::DIVERGED } else { exit::OK });
        let stdout = if self.json {
            render::json_report(&ReplayReport { summary: &summary, results: &results })?
        } else {
            let mut out = String::new();
            for r in &results {
                // With many bundles only the ones that did not match are listed.
                if results.len() == 1 || !matches!(r.outcome, BundleOutcome::Matched { .. }) {
                    out.push_str(&describe(r));
                }
            }
            let _ = write!(
                out,
                "{} bundle{}: {} matched, {} diverged, {} failed in {:.3} s ({:.0} tx/s, {} job{})",
                summary.bundles,
                if summary.bundles == 1 { "" } else { "s" },
                summary.matched,
                summary.diverged,
                summary.failed,
                summary.seconds,
                summary.tx_per_sec,
                jobs,
                if jobs == 1 { "" } else { "s" },
            );
            out
        };
        let error = match (code, results.as_slice()) {
            (exit::OK, _) => None,
            (_, [BundleResult { outcome: BundleOutcome::Failed { error, .. }, .. }]) => Some(error.clone()),
            (exit::DIVERGED, _) => {
                Some(format!("{} of {} bundles diverged", summary.diverged, summary.bundles))
            }
            _ => Some(format!("{} of {} bundles could not be replayed", summary.failed, summary.bundles)),
        };
        Ok(Output { stdout, error, code })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::commands::gen_bundles::GenBundlesCmd;

    /// `tsvm gen-bundles` of `count` bundles into `dir`, listed.
    fn generated(dir: &Path, count: u32, borsh: bool, memory_bytes: Option<u32>) -> Vec<PathBuf> {
        let out = dir.join("bundles");
        let cmd = GenBundlesCmd { count, out: out.clone(), borsh, archive: false, memory_bytes };
        assert_eq!(cmd.run().expect("generated").code, exit::OK);
        bundle_paths(&[out], None).expect("listed")
    }

    /// The files at `paths`, to replay.
    fn files(paths: &[PathBuf]) -> Vec<Item<'static>> {
        paths.iter().cloned().map(Item::File).collect()
    }

    #[test]
    fn threads_share_compiled_modules() {
        let dir = tempfile::tempdir().expect("temp dir");
        let paths = generated(dir.path(), 40, false, None);
        assert_eq!(paths.len(), 40);
        for jobs in [1, 2] {
            let pool = rayon::ThreadPoolBuilder::new().num_threads(jobs).build().expect("threads");
            let vm = Vm::new(Rules::default());
            let results = replay_all(&pool, &vm, None, &files(&paths), None);
            assert!(results.iter().all(|r| matches!(r.outcome, BundleOutcome::Matched { .. })));
            assert_eq!(results.iter().map(|r| &r.path).collect::<Vec<_>>(), paths.iter().collect::<Vec<_>>());
            // 40 bundles of one module: compiled by at most one thread each (two threads may both
            // miss the cache on their first bundle), never once per bundle.
            let prepared = vm.prepared_modules();
            assert!((1..=jobs as u64).contains(&prepared), "{jobs} jobs prepared {prepared} modules");
        }
    }

    /// An archive read a few bundles a batch, or in batches that grow, gives what it gives in one
    /// batch: every bundle's result in archive order across the batches, a bundle that does not
    /// decode in a later batch, and the truncation met in the last.
    #[test]
    fn archives_replay_alike_across_batches() {
        let dir = tempfile::tempdir().expect("temp dir");
        let whole = dir.path().join("whole.bundles");
        let cmd =
            GenBundlesCmd { count: 6, out: whole.clone(), borsh: false, archive: true, memory_bytes: None };
        assert_eq!(cmd.run().expect("generated").code, exit::OK);
        // Bundle 4 replaced by bytes that do not decode; the archive cut inside bundle 6 of 7.
        let mut reader = abi::ArchiveReader::new(std::fs::File::open(&whole).expect("opened"), u32::MAX)
            .expect("an archive");
        let mut bundles: Vec<Vec<u8>> = std::iter::from_fn(|| reader.next_bundle().expect("read")).collect();
        bundles[4] = vec![1, 0, 0, 0, 9];
        bundles.push(bundles[0].clone());
        let mut writer = abi::ArchiveWriter::new(Vec::new(), 7).expect("header");
        for b in &bundles {
            writer.push_encoded(b).expect("pushed");
        }
        let bytes = writer.finish().expect("written");
        let damaged = dir.path().join("damaged.bundles");
        std::fs::write(&damaged, &bytes[..bytes.len() - 3]).expect("written");
        // One thread too: the batches are taken on the pool's only thread, which also replays them.
        let pools: Vec<rayon::ThreadPool> =
            [1, 2].map(|n| rayon::ThreadPoolBuilder::new().num_threads(n).build().expect("threads")).into();
        let vm = Vm::new(Rules::default());
        let replay = |(first, most): (usize, usize), pool: &rayon::ThreadPool| {
            let archive = Archive::open(&damaged).expect("opened").with_batches_of(first, most);
            let results = replay_opened(pool, &vm, None, &damaged, archive, None);
            results
                .iter()
                .map(|r| {
                    let kind = match r.outcome {
                        BundleOutcome::Matched { .. } => "matched",
                        BundleOutcome::Diverged { .. } => "diverged",
                        BundleOutcome::Failed { .. } => "failed",
                    };
                    (r.path.file_name().expect("a name").to_string_lossy().into_owned(), kind)
                })
                .collect::<Vec<_>>()
        };
        let one_batch =
            replay((bundle_archive::FIRST_BATCH_BUNDLES, bundle_archive::BATCH_BUNDLES), &pools[1]);
        let expected: Vec<(String, &str)> = (0..7)
            .map(|i| (format!("damaged.bundles#{i}"), if i == 4 || i == 6 { "failed" } else { "matched" }))
            .collect();
        assert_eq!(one_batch, expected);
        // Batches of 1, 2 or 3 bundles, and growing ones (1, 2, 4; 2, 3, 3).
        for batches in [(1, 1), (2, 2), (3, 3), (1, 4), (2, 3)] {
            for pool in &pools {
                let threads = pool.current_num_threads();
                assert_eq!(
                    replay(batches, pool),
                    one_batch,
                    "batches of {batches:?} bundles, {threads} threads"
                );
            }
        }
    }

    /// An archive's bundle, replayed in a session with its receipt compared as bytes first, has
    /// the outcome of the whole bundle decoded first and replayed alone, whatever its receipt's
    /// bytes hold: each byte changed, cut short, a byte more, and with the rules hash changed too
    /// (a refused bundle whose receipt does not decode is a decoding error, as before).
    #[test]
    fn a_receipt_compared_as_bytes_gives_the_decoded_outcome() {
        let example = include_str!("../../../examples/transfer.bundle.json");
        let bundle: abi::Bundle = serde_json::from_str(example).expect("the example bundle");
        let bytes = borsh::to_vec(&bundle).expect("encoded");
        let receipt_at = bytes.len() - borsh::to_vec(&bundle.expected).expect("encoded").len();
        let mut cases: Vec<Vec<u8>> = vec![bytes.clone()];
        for at in receipt_at..bytes.len() {
            for flip in [0x01, 0x80] {
                let mut b = bytes.clone();
                b[at] ^= flip;
                cases.push(b);
            }
        }
        for cut in [receipt_at, receipt_at + 1, (receipt_at + bytes.len()) / 2, bytes.len() - 1] {
            cases.push(bytes[..cut].to_vec());
        }
        cases.push([&bytes[..], &[0]].concat());
        let rules_at = 4; // After the format version.
        let refused: Vec<Vec<u8>> = cases.iter().take(1).chain(cases.iter().rev().take(3)).cloned().collect();
        for mut b in refused {
            b[rules_at] ^= 1;
            cases.push(b);
        }
        let vm = Vm::new(Rules::default());
        let slot = vm::WitnessSlot::default();
        let mut session = vm.session(&slot);
        let archive = Path::new("a.bundles");
        let json = |o: &BundleOutcome| serde_json::to_value(o).expect("JSON");
        let mut kinds = std::collections::BTreeSet::new();
        for (index, b) in cases.iter().enumerate() {
            let item = Item::Entry { archive, index: index as u32, bytes: b };
            let alone = replay_item_with(&vm, &item, |bundle, options| vm::replay(&vm, bundle, options));
            let compared = replay_item_in(&mut session, &slot, &item);
            assert_eq!(json(&compared), json(&alone), "case {index}");
            kinds.insert(json(&alone)["result"].as_str().expect("a result").to_owned());
        }
        let all: std::collections::BTreeSet<String> =
            ["matched", "diverged", "failed"].iter().map(|k| k.to_string()).collect();
        assert_eq!(kinds, all, "the cases reach every outcome");
    }

    /// `gen-bundles --memory-bytes`: the script's memory declared in bytes; the bundles replay, and
    /// the script uses them (its transfers succeed at 4 KiB and end in `bad_pointer` at 2,000 bytes:
    /// the host writes its scratch words at 2,048 and above).
    #[test]
    fn generated_bundles_of_a_small_memory_replay() {
        for (bytes, status) in [(4096, abi::StatusCode::Success), (2000, abi::StatusCode::BadPointer)] {
            let dir = tempfile::tempdir().expect("temp dir");
            let paths = generated(dir.path(), 3, true, Some(bytes));
            let pool = rayon::ThreadPoolBuilder::new().num_threads(1).build().expect("threads");
            let results = replay_all(&pool, &Vm::new(Rules::default()), None, &files(&paths), None);
            assert_eq!(results.len(), 3);
            for r in &results {
                match &r.outcome {
                    BundleOutcome::Matched { status: got, .. } => assert_eq!(*got, status, "{bytes} bytes"),
                    other => panic!("{bytes} bytes: {other:?}"),
                }
            }
        }
    }

    /// A change to the example bundle's JSON.
    type Edit = dyn Fn(&mut serde_json::Value);

    /// `read_bundle` must give what `load_bundle` gives: the same bundle, or the same exit code and
    /// message, whatever the file holds.
    #[test]
    fn read_bundle_is_load_bundle() {
        let example = include_str!("../../../examples/transfer.bundle.json");
        let value: serde_json::Value = serde_json::from_str(example).expect("the example is JSON");
        let with = |edit: &Edit| {
            let mut v = value.clone();
            edit(&mut v);
            serde_json::to_string_pretty(&v).expect("JSON")
        };
        let bundle: abi::Bundle = serde_json::from_str(example).expect("the example is a bundle");
        let borsh = borsh::to_vec(&bundle).expect("borsh");
        let mut files: Vec<(&str, Vec<u8>)> = vec![
            ("example", example.into()),
            ("compact", serde_json::to_vec(&value).expect("JSON")),
            ("borsh", borsh.clone()),
            ("borsh_version_2", [&2u32.to_le_bytes()[..], &borsh[4..]].concat()),
            ("borsh_truncated", borsh[..borsh.len() / 2].to_vec()),
            ("borsh_trailing", [&borsh[..], &[0]].concat()),
            ("short", vec![1, 0]),
            ("empty", Vec::new()),
            ("blank_object", b"  \n{}".to_vec()),
            ("truncated", example.as_bytes()[..example.len() / 2].to_vec()),
            ("trailing", format!("{example}\n}}").into_bytes()),
            ("not_an_object", b"{\"format_version\": 1".to_vec()),
            ("not_utf8", [&example.as_bytes()[..40], &[0xff, 0xfe], &example.as_bytes()[40..]].concat()),
            ("non_ascii_in_hex", example.replacen("\"0x00", "\"0x\u{e9}\u{ff}", 1).into_bytes()),
        ];
        let edits: [(&str, &Edit); 9] = [
            ("kind", &|v| v["kind"] = "receipt".into()),
            ("kind_only", &|v| *v = serde_json::json!({"kind": "trace", "events": []})),
            ("unknown_field", &|v| v["extra"] = 1.into()),
            ("version_2", &|v| v["format_version"] = 2.into()),
            ("module_uppercase", &|v| v["module"] = "0x0061736D".into()),
            ("module_odd", &|v| v["module"] = "0x006".into()),
            ("module_number", &|v| v["module"] = 7.into()),
            ("rules_hash_short", &|v| v["rules_hash"] = "0x1d11".into()),
            ("witness_value_bad_hex", &|v| {
                let entries = v["witness"]["entries"].as_array_mut().expect("entries");
                let last = entries.last_mut().expect("an entry");
                last["value"] = "0xzz".into();
            }),
        ];
        for (name, edit) in edits {
            files.push((name, with(edit).into_bytes()));
        }
        let dir = tempfile::tempdir().expect("temp dir");
        for (name, bytes) in files {
            let path = dir.path().join(format!("{name}.json"));
            std::fs::write(&path, &bytes).expect("written");
            match (read_bundle(&path), crate::artefact::load_bundle(&path)) {
                (Ok(fast), Ok(slow)) => assert_eq!(fast, slow, "{name}"),
                (Err(fast), Err(slow)) => {
                    assert_eq!(fast.code, slow.code, "{name}");
                    assert_eq!(format!("{:#}", fast.error), format!("{:#}", slow.error), "{name}");
                }
                (fast, slow) => {
                    panic!("{name}: read_bundle {:?}, load_bundle {:?}", fast.is_ok(), slow.is_ok())
                }
            }
        }
    }
}
