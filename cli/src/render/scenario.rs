//! The text report of `tsvm test`: per file, one line a step (pass or fail, number, name, status
//! with its fault and revert reason, gas), and under a failed step what differed.

use crate::commands::test::TestReport;
use std::fmt::Write as _;
use testkit::text;

/// The whole report: every file, then a summary line.
pub fn report(r: &TestReport) -> String {
    let mut out = String::new();
    let (mut steps, mut failed) = (0, 0);
    for f in &r.files {
        if let Some(e) = &f.error {
            let _ = writeln!(out, "{}: not run (exit {})\n  {}", f.file, e.code, e.message);
            continue;
        }
        let bad = f.steps.iter().filter(|s| !s.passed).count();
        steps += f.steps.len();
        failed += bad;
        let verdict = if bad == 0 { "passed".to_string() } else { format!("{bad} failed") };
        let _ = writeln!(out, "{}: {} steps, {verdict}", f.file, f.steps.len());
        let width = f.steps.iter().map(|s| s.name.chars().count()).max().unwrap_or(0);
        for s in &f.steps {
            let mut status = text::status(s.status, s.fault);
            if let Some(reason) = &s.revert_reason {
                let _ = write!(status, ", reason {reason:?}");
            }
            let mark = if s.passed { "ok  " } else { "FAIL" };
            let _ =
                writeln!(out, "  {mark} {:>3}  {:<width$}  {status}, gas {}", s.index, s.name, s.gas_used);
            for m in &s.mismatches {
                let _ = writeln!(out, "             {m}");
            }
            if !s.passed {
                let _ = writeln!(out, "             events: {}", text::events(&s.events));
            }
        }
    }
    let not_run = r.files.iter().filter(|f| f.error.is_some()).count();
    let _ = write!(out, "{} of {steps} steps passed", steps - failed);
    if not_run > 0 {
        let _ = write!(out, "; {not_run} of {} files not run", r.files.len());
    }
    out
}
