//! The determinism profile (`spec/determinism.md`): which modules tsvm accepts, checked eagerly and
//! completely before anything runs.
//!
//! Validation is a pipeline:
//! 1. the code size limit, before anything is parsed;
//! 2. the rule checks ([`checks`]), one `check_*` per section over a permissive parse, so a
//!    forbidden feature is reported under its own [`Rule`] with its function and offset;
//! 3. if they all pass, wasmparser's strict validator with the profile's feature set
//!    ([`strict::FEATURES`]) as the final authority, which also measures each function's operand
//!    stack for [`ModuleInfo`];
//! 4. the frame limit on each defined function's frame units, from those measures.

mod checks;
mod hints;
mod ops;
mod rule;
mod strict;

#[cfg(test)]
mod tests;

pub use rule::{Rule, ValidationError};

use crate::{FuncInfo, Limit, Limits, ModuleInfo};
use checks::Checker;
use wasmparser::Parser;

/// Version of the determinism profile; part of the rules hash. Bump it whenever a rule or the
/// feature set changes what is accepted (`spec/determinism.md#versioning`).
pub const PROFILE_VERSION: u32 = 3;

/// Bytes in a WebAssembly page of the default size: the unit of `max_memory_pages` and of the
/// instantiation charge, whatever page size a memory declares (`spec/determinism.md#memory`).
pub const WASM_PAGE_BYTES: u64 = 65_536;

/// A memory's initial size in pages of [`WASM_PAGE_BYTES`], from its declared size and page size
/// (`page_size_log2`: `None` for the default, `Some(0)` for 1-byte pages, rounded up; `Some(16)`
/// written out); `None` for a page size the profile does not know (`spec/determinism.md#memory`).
pub fn memory_pages(initial: u64, page_size_log2: Option<u32>) -> Option<u64> {
    match page_size_log2 {
        None | Some(16) => Some(initial),
        Some(0) => Some(initial.div_ceil(WASM_PAGE_BYTES)),
        Some(_) => None,
    }
}

/// Validates a module against the profile and returns what the VM needs to know about it.
///
/// # Errors
/// The first violation in pipeline order (see [`validate_all`]).
pub fn validate(wasm: &[u8], limits: &Limits) -> Result<ModuleInfo, ValidationError> {
    match run(wasm, limits) {
        Ok(info) => Ok(info),
        Err(mut errors) => Err(errors.swap_remove(0)),
    }
}

/// Every violation the validator can find, in pipeline order: section by section, in byte order
/// within a section, then the whole-module checks. Empty if and only if [`validate`] succeeds.
///
/// Within one function at most one error per rule is reported. A module over `max_code_size` is not
/// parsed at all; a parse error ends the section-level checks (a malformed function body only ends
/// that body's). The strict validator runs only when every rule check passed, so its
/// [`Rule::Malformed`] never duplicates a rule-specific error.
pub fn validate_all(wasm: &[u8], limits: &Limits) -> Vec<ValidationError> {
    run(wasm, limits).err().unwrap_or_default()
}

/// The two passes alone, without the single reading that answers for accepted modules (see `run`):
/// the reference [`validate`] and [`validate_all`] must agree with, for the `validate` fuzz oracle.
/// Slower, and says nothing more: not for nodes.
#[doc(hidden)]
pub fn validate_two_passes_for_tests(
    wasm: &[u8],
    limits: &Limits,
) -> Result<ModuleInfo, Vec<ValidationError>> {
    check_code_size(wasm, limits)?;
    run_two_passes(wasm, limits)
}

/// The pipeline; `Err` holds at least one error.
///
/// An accepted module is found by [`run_once`], which reads the function bodies once; any module
/// it does not accept, or is not sure of, goes through [`run_two_passes`], which says what its
/// errors are. Both accept exactly the same modules with the same [`ModuleInfo`].
fn run(wasm: &[u8], limits: &Limits) -> Result<ModuleInfo, Vec<ValidationError>> {
    check_code_size(wasm, limits)?;
    match run_once(wasm, limits) {
        Some(info) => Ok(info),
        None => run_two_passes(wasm, limits),
    }
}

/// spec/determinism.md#limits: the size is checked before anything is parsed.
fn check_code_size(wasm: &[u8], limits: &Limits) -> Result<(), Vec<ValidationError>> {
    match Limit::CodeSize.check(limits, wasm.len() as u64) {
        Some(msg) => Err(vec![ValidationError::new(Rule::Limit(Limit::CodeSize), 0, msg)]),
        None => Ok(()),
    }
}

/// The common case, an accepted module, with the bodies read once: the rule checks of every section
/// but the bodies, then the strict pass, which also checks each operator, local and body limit
/// against the profile's body rules (`strict::BodyScan`). `None` at any error, and wherever the
/// body rules may reject something: [`run_two_passes`] then runs from the start.
fn run_once(wasm: &[u8], limits: &Limits) -> Option<ModuleInfo> {
    let checker = rule_checks(Checker::without_bodies(limits), wasm);
    if !checker.errors.is_empty() {
        return None;
    }
    let (measures, scan) = strict::validate_strict(wasm, limits).ok()?;
    if scan.doubt {
        return None;
    }
    let mut facts = checker.facts;
    facts.control_ops = scan.control_ops;
    module_info(wasm, limits, facts, &measures).ok()
}

/// The rule checks over the whole module, bodies included, and the strict pass only if they all
/// passed: every violation, in pipeline order (within the size limit, which [`run`] checks).
fn run_two_passes(wasm: &[u8], limits: &Limits) -> Result<ModuleInfo, Vec<ValidationError>> {
    let checker = rule_checks(Checker::new(limits), wasm);
    if !checker.errors.is_empty() {
        return Err(checker.errors);
    }
    let facts = checker.facts;
    let (measures, _) = strict::validate_strict(wasm, limits).map_err(|mut e| {
        if let Some(i) = e.func_index {
            e.func_name = facts.func_names.get(&i).cloned();
        }
        vec![e]
    })?;
    module_info(wasm, limits, facts, &measures)
}

/// `checker` fed every payload of `wasm`, then finished: a parse error is recorded as
/// [`Rule::Malformed`] and ends the section-level checks.
fn rule_checks<'l>(mut checker: Checker<'l>, wasm: &[u8]) -> Checker<'l> {
    for payload in Parser::new(0).parse_all(wasm) {
        let parsed = payload.and_then(|payload| checker.payload(&payload));
        if let Err(e) = parsed {
            checker.errors.push(ValidationError::malformed(&e, None));
            break;
        }
    }
    checker.finish();
    checker
}

/// The [`ModuleInfo`] of a module both passes accepted, from what they learnt; the frame limit's
/// errors (spec/determinism.md#validation, step 4), one per function, if any.
fn module_info(
    wasm: &[u8],
    limits: &Limits,
    facts: checks::Facts,
    measures: &[strict::Measure],
) -> Result<ModuleInfo, Vec<ValidationError>> {
    // The strict pass accepted the module, so every index below is in range.
    let num_imports = facts.imports.len();
    let functions = measures
        .iter()
        .enumerate()
        .map(|(i, m)| {
            let type_index = facts.func_types.get(num_imports + i).copied().unwrap_or(0);
            let (params, results) = facts
                .types
                .get(type_index as usize)
                .and_then(Option::as_ref)
                .map_or((0, 0), |f| (f.params().len() as u32, f.results().len() as u32));
            FuncInfo {
                type_index,
                params,
                results,
                locals: m.locals_with_params.saturating_sub(params),
                max_operand_height: m.max_operand_height,
            }
        })
        .collect::<Vec<FuncInfo>>();
    // spec/determinism.md#validation, step 4: the frame limit, one error per function.
    let errors: Vec<ValidationError> = functions
        .iter()
        .zip(measures)
        .filter_map(|(f, m)| {
            let msg = Limit::FrameUnits.check(limits, u64::from(f.frame_units()))?;
            let mut e = ValidationError::in_func(m.func_index, Rule::Limit(Limit::FrameUnits), m.offset, msg);
            e.func_name = facts.func_names.get(&m.func_index).cloned();
            Some(e)
        })
        .collect();
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(ModuleInfo {
        code_size: wasm.len() as u32,
        imports: facts.imports,
        functions,
        memory_pages: facts.memory_pages,
        data_bytes: facts.data_bytes,
        control_ops: facts.control_ops,
        exports: facts.exports,
        func_names: facts.func_names,
    })
}
