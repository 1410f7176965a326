//! `tsvm test <scenario file>...`: runs scenario files (`spec/scenario.md`) with the testkit, in the
//! real VM with state threaded from step to step, and reports every step: its status, its gas and
//! what differed from its expectations.

use crate::exit::{self, Failure, Output};
use crate::files::{read_json, read_module};
use crate::render;
use anyhow::anyhow;
use serde::Serialize;
use std::path::{Path, PathBuf};
use testkit::scenario::{
    run_scenario, HexOnly, ScenarioFile, ScenarioReport, StateSource, StepReport, TypedValues,
};

/// Run scenario files: sequences of calls with their expected outcomes.
#[derive(clap::Args, Debug, Default)]
pub struct TestCmd {
    /// Scenario files (JSON; see `examples/token.scenario.json` and `spec/scenario.md`).
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// Print a JSON report instead of text.
    #[arg(long)]
    pub json: bool,
}

/// Why a file did not run: its exit code and message.
#[derive(Serialize, Debug)]
pub struct FileError {
    /// The exit code it maps to (3 malformed, 4 unreadable, 5 VM failure, 6 unparsable module).
    pub code: u8,
    /// What went wrong, with the file and field named.
    pub message: String,
}

/// One scenario file's result.
#[derive(Serialize, Debug)]
pub struct FileReport {
    /// The file, as given.
    pub file: String,
    /// Whether it ran and every step passed.
    pub passed: bool,
    /// Every step's result (empty when the file did not run).
    pub steps: Vec<StepReport>,
    /// Why the file did not run, if it did not.
    pub error: Option<FileError>,
}

/// The report of `tsvm test` (`--json` prints it, keys sorted).
#[derive(Serialize, Debug)]
pub struct TestReport {
    /// Whether every file ran and passed.
    pub passed: bool,
    /// Every file, in the order given.
    pub files: Vec<FileReport>,
}

/// Loads a scenario file, its module and state, and runs it.
fn run_file(path: &Path) -> Result<ScenarioReport, Failure> {
    let file: ScenarioFile = read_json(path)?;
    let base = path.parent().unwrap_or(Path::new("."));
    let code = read_module(&base.join(&file.module))?;
    let state = match &file.state {
        StateSource::File(state) => read_json(&base.join(state))?,
        StateSource::Inline(state) => state.clone(),
    };
    // Typed JSON values (`spec/scenario.md#values`) are encoded by the module's script ABI
    // (`spec/abi.md#script-abi`); without one (or with a malformed one, a warning as for `run`:
    // `spec/abi.md#malformed-sections`), only hex is accepted.
    let (abi, warning) = crate::abi_view::module_abi(&code);
    if let Some(warning) = warning {
        tracing::warn!("{}: {warning}", path.display());
    }
    let codec: &dyn TypedValues = match &abi {
        Some(abi) => abi,
        None => &HexOnly,
    };
    run_scenario(&file, code, state, codec).map_err(|e| match e {
        testkit::Error::Value { .. } => Failure::invalid(anyhow!("{}: {e}", path.display())),
        other => Failure::host(anyhow!("{}: {other}", path.display())),
    })
}

impl TestCmd {
    /// Runs every file (a file that cannot run does not stop the others).
    ///
    /// Exit code: that of the first file (in the order given) that could not run (3 malformed, 4
    /// unreadable, 5 VM failure, 6 unparsable module), else 1 if a step's expectation failed, else 0.
    ///
    /// # Errors
    /// Only a report that cannot be encoded.
    pub fn run(&self) -> Result<Output, Failure> {
        let mut files = Vec::new();
        for path in &self.files {
            let file = path.display().to_string();
            files.push(match run_file(path) {
                Ok(report) => FileReport { file, passed: report.passed(), steps: report.steps, error: None },
                Err(f) => FileReport {
                    file,
                    passed: false,
                    steps: Vec::new(),
                    error: Some(FileError { code: f.code, message: format!("{:#}", f.error) }),
                },
            });
        }
        let report = TestReport { passed: files.iter().all(|f| f.passed), files };
        let first_error = report.files.iter().find_map(|f| f.error.as_ref());
        let code = match first_error {
            Some(e) => e.code,
            None if report.passed => exit::OK,
            None => exit::DIVERGED,
        };
        let stdout =
            if self.json { render::json_report(&report)? } else { render::scenario::report(&report) };
        let errors: Vec<&str> =
            report.files.iter().filter_map(|f| f.error.as_ref()).map(|e| &*e.message).collect();
        let failed: Vec<String> = report
            .files
            .iter()
            .flat_map(|f| f.steps.iter().filter(|s| !s.passed).map(move |s| (f, s)))
            .map(|(f, s)| format!("{}: step {} `{}` failed", f.file, s.index, s.name))
            .collect();
        let error = if !errors.is_empty() {
            Some(errors.join("\nerror: "))
        } else if !failed.is_empty() {
            Some(failed.join("\nerror: "))
        } else {
            None
        };
        Ok(Output { stdout, error, code })
    }
}
