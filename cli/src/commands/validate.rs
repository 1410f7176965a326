//! `tsvm validate <module>...`: checks modules against the determinism profile and its limits
//! (`spec/determinism.md`), listing every violation with its rule, function and byte offset.

use crate::exit::{self, Failure, Output};
use crate::files::read_module;
use crate::render;
use serde::Serialize;
use std::fmt::Write as _;
use std::path::PathBuf;
use vm::{Rule, Rules, ValidationError};

/// Check modules (`.wasm` binary or `.wat` text) against the determinism profile.
#[derive(clap::Args, Debug, Default)]
pub struct ValidateCmd {
    /// The modules.
    #[arg(required = true)]
    pub modules: Vec<PathBuf>,
    /// Print JSON: `{"modules": [{"path", "valid", "violations": [...]}]}`.
    #[arg(long)]
    pub json: bool,
}

/// One violation as `--json` prints it.
#[derive(Serialize, Debug)]
struct Violation {
    rule: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    limit: Option<&'static str>,
    func_index: Option<u32>,
    func_name: Option<String>,
    offset: usize,
    message: String,
    /// What a toolchain most likely did (`spec/determinism.md#toolchain-hints`); absent if nothing.
    #[serde(skip_serializing_if = "Option::is_none")]
    hint: Option<&'static str>,
}

impl From<&ValidationError> for Violation {
    fn from(e: &ValidationError) -> Self {
        Self {
            rule: e.rule.name(),
            limit: match e.rule {
                Rule::Limit(l) => Some(l.field()),
                _ => None,
            },
            func_index: e.func_index,
            func_name: e.func_name.clone(),
            offset: e.offset,
            message: e.message.clone(),
            hint: e.hint,
        }
    }
}

/// One module's result as `--json` prints it.
#[derive(Serialize, Debug)]
struct ModuleReport {
    path: String,
    valid: bool,
    violations: Vec<Violation>,
}

/// What `--json` prints.
#[derive(Serialize, Debug)]
struct ValidateReport {
    modules: Vec<ModuleReport>,
}

impl ValidateCmd {
    /// Validates every module; exit code `INVALID_MODULE` if any has a violation (a `.wat` file that
    /// does not parse counts as one, rule `malformed`).
    ///
    /// # Errors
    /// A module that cannot be read (exit code `IO`) or is oversized (`INVALID_INPUT`).
    pub fn run(&self) -> Result<Output, Failure> {
        let limits = Rules::default().limits;
        let mut report = ValidateReport { modules: Vec::new() };
        for path in &self.modules {
            let violations = match read_module(path) {
                Ok(code) => vm::validate_all(&code, &limits).iter().map(Violation::from).collect(),
                Err(f) if f.code == exit::INVALID_MODULE => vec![Violation {
                    rule: Rule::Malformed.name(),
                    limit: None,
                    func_index: None,
                    func_name: None,
                    offset: 0,
                    message: format!("{:#}", f.error),
                    hint: None,
                }],
                Err(f) => return Err(f),
            };
            report.modules.push(ModuleReport {
                path: path.display().to_string(),
                valid: violations.is_empty(),
                violations,
            });
        }
        let code = if report.modules.iter().all(|r| r.valid) { exit::OK } else { exit::INVALID_MODULE };
        let stdout = if self.json {
            render::json_report(&report)?
        } else {
            let mut out = String::new();
            for r in &report.modules {
                if r.valid {
                    let _ = writeln!(out, "{}: ok", r.path);
                    continue;
                }
                let n = r.violations.len();
                let _ = writeln!(out, "{}: {n} violation{}", r.path, if n == 1 { "" } else { "s" });
                for v in &r.violations {
                    let rule = v.limit.map_or_else(|| v.rule.to_string(), |l| format!("limit {l}"));
                    let func = match (v.func_index, &v.func_name) {
                        (Some(i), Some(name)) => format!("function {i} `{name}`, "),
                        (Some(i), None) => format!("function {i}, "),
                        _ => String::new(),
                    };
                    let _ = writeln!(out, "  {rule}: {} ({func}offset {})", v.message, v.offset);
                    if let Some(hint) = v.hint {
                        let _ = writeln!(out, "    hint: {hint}");
                    }
                }
            }
            out.trim_end().to_string()
        };
        Ok(Output::with_code(stdout, code))
    }
}
