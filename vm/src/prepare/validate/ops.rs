//! Which rule an instruction or value type breaks, if any (`spec/determinism.md#instructions`).
//!
//! Instructions are classified by the proposal wasmparser files them under (its
//! `for_each_operator!` list is the one source of truth), with floats picked out of the MVP by name.

use super::rule::Rule;
use wasmparser::{BlockType, Operator, ValType};

/// The proposal wasmparser files `op` under (`mvp`, `simd`, ...) and its visitor name without the
/// `visit_` prefix (`f32_const`), e.g. `("mvp", "f32_const")`.
fn proposal_and_name(op: &Operator<'_>) -> (&'static str, &'static str) {
    macro_rules! define_proposal_and_name {
        ($( @$proposal:ident $op:ident $({ $($arg:ident: $argty:ty),* })? => $visit:ident ($($ann:tt)*))*) => {
            match op {
                $(
                    Operator::$op { .. } => (stringify!($proposal), stringify!($visit)),
                )*
                _ => ("unknown", "visit_unknown"),
            }
        };
    }
    let (proposal, visit) = wasmparser::for_each_operator!(define_proposal_and_name);
    (proposal, visit.strip_prefix("visit_").unwrap_or(visit))
}

/// Whether `name` (a visitor name, `visit_f32_add`) names a float width, `f32` or `f64`: the MVP's
/// float instructions (`spec/determinism.md#floats`), as [`check_operator`] picks them out.
/// Evaluated at compile time by [`plainly_allowed`].
pub(super) const fn names_a_float(name: &str) -> bool {
    let name = name.as_bytes();
    let mut i = 0;
    while i + 3 <= name.len() {
        if name[i] == b'f'
            && ((name[i + 1] == b'3' && name[i + 2] == b'2') || (name[i + 1] == b'6' && name[i + 2] == b'4'))
        {
            return true;
        }
        i += 1;
    }
    false
}

/// Whether the profile allows every instruction of wasmparser's `proposal` with visitor name
/// `visit`, whatever its immediates: the MVP's integer instructions and sign extension
/// (`spec/determinism.md#instructions`), a constant expression.
macro_rules! allowed_whatever_immediates {
    (mvp, $visit:ident) => {
        !$crate::prepare::validate::ops::names_a_float(stringify!($visit))
    };
    (sign_extension, $visit:ident) => {
        true
    };
    ($proposal:ident, $visit:ident) => {
        false
    };
}
pub(super) use allowed_whatever_immediates;

/// Whether `op` is an instruction the profile allows whatever its immediates (see
/// [`allowed_whatever_immediates`]), decided by one `match` whose arms are constants: the common
/// case of [`check_operator`], without comparing names at run time. Block types are checked
/// before.
pub(super) fn plainly_allowed(op: &Operator<'_>) -> bool {
    macro_rules! define_plainly_allowed {
        ($( @$proposal:ident $op:ident $({ $($arg:ident: $argty:ty),* })? => $visit:ident ($($ann:tt)*))*) => {
            match op {
                $(
                    Operator::$op { .. } => const { allowed_whatever_immediates!($proposal, $visit) },
                )*
                _ => false,
            }
        };
    }
    wasmparser::for_each_operator!(define_plainly_allowed)
}

/// Every operator wasmparser knows, as its proposal, visitor name and what
/// [`allowed_whatever_immediates`] says of it at compile time (`("mvp", "visit_i32_add", true)`),
/// for the test that checks the classification over the whole list.
#[cfg(test)]
pub(super) fn every_operator_class() -> Vec<(&'static str, &'static str, bool)> {
    macro_rules! define_classes {
        ($( @$proposal:ident $op:ident $({ $($arg:ident: $argty:ty),* })? => $visit:ident ($($ann:tt)*))*) => {
            vec![$((stringify!($proposal), stringify!($visit), allowed_whatever_immediates!($proposal, $visit)),)*]
        };
    }
    wasmparser::for_each_operator!(define_classes)
}

/// The rule a value type breaks (`spec/determinism.md#value-types`): only `i32` and `i64` are
/// allowed.
pub(crate) fn check_valtype(ty: ValType) -> Option<(Rule, String)> {
    match ty {
        ValType::I32 | ValType::I64 => None,
        ValType::F32 => Some((Rule::Float, "value type f32".into())),
        ValType::F64 => Some((Rule::Float, "value type f64".into())),
        ValType::V128 => Some((Rule::Simd, "value type v128".into())),
        ValType::Ref(r) => Some((Rule::ReferenceTypes, format!("value type {r}"))),
    }
}

/// The rule a block type breaks: a block's single result is a value type; a type index
/// (multi-value) is checked where the type is defined.
pub(super) fn check_blocktype(ty: &BlockType) -> Option<(Rule, String)> {
    match ty {
        BlockType::Type(t) => check_valtype(*t).map(|(r, m)| (r, format!("block type: {m}"))),
        BlockType::Empty | BlockType::FuncType(_) => None,
    }
}

/// The rule `op` breaks and why, or `None` if the profile allows it
/// (`spec/determinism.md#instructions`). Whether the instruction is otherwise valid is left to the
/// strict validator.
pub(crate) fn check_operator(op: &Operator<'_>) -> Option<(Rule, String)> {
    match op {
        Operator::Block { blockty }
        | Operator::Loop { blockty }
        | Operator::If { blockty }
        | Operator::Try { blockty } => {
            if let Some(e) = check_blocktype(blockty) {
                return Some(e);
            }
        }
        // Typed select is reference-types syntax; a float or v128 type says more.
        Operator::TypedSelect { ty } => {
            return Some(match check_valtype(*ty) {
                Some((Rule::ReferenceTypes, _)) | None => {
                    (Rule::ReferenceTypes, format!("typed select ({ty})"))
                }
                Some(e) => e,
            });
        }
        _ => {}
    }
    if plainly_allowed(op) {
        return None;
    }
    let (proposal, name) = proposal_and_name(op);
    let rule = match proposal {
        // spec/determinism.md#floats: every MVP float instruction has f32/f64 in its name.
        "mvp" if name.contains("f32") || name.contains("f64") => Rule::Float,
        "mvp" | "sign_extension" => return None,
        "saturating_float_to_int" => Rule::Float,
        // spec/determinism.md#bulk-memory
        "bulk_memory" => match op {
            Operator::MemoryCopy { .. } | Operator::MemoryFill { .. } => return None,
            Operator::MemoryInit { .. } | Operator::DataDrop { .. } => Rule::BulkMemory,
            _ => Rule::ReferenceTypes,
        },
        "reference_types" | "function_references" => Rule::ReferenceTypes,
        "tail_call" => Rule::TailCall,
        "threads" | "shared_everything_threads" | "acquire_release_atomics" => Rule::Threads,
        "simd" | "relaxed_simd" => Rule::Simd,
        "exceptions" | "legacy_exceptions" => Rule::Exceptions,
        _ => Rule::OtherFeature,
    };
    let what = match rule {
        Rule::Float => "float instruction",
        Rule::OtherFeature => proposal,
        _ => "instruction",
    };
    Some((rule, format!("{what} `{name}`")))
}

/// The rule an instruction of a constant expression breaks (`spec/determinism.md#constant-expressions`):
/// [`check_operator`], plus the extended-const arithmetic.
pub(crate) fn check_const_operator(op: &Operator<'_>) -> Option<(Rule, String)> {
    match op {
        Operator::I32Add
        | Operator::I32Sub
        | Operator::I32Mul
        | Operator::I64Add
        | Operator::I64Sub
        | Operator::I64Mul => {
            let (_, name) = proposal_and_name(op);
            Some((
                Rule::OtherFeature,
                format!("extended-const instruction `{name}` in a constant expression"),
            ))
        }
        _ => check_operator(op),
    }
}
