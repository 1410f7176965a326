//! The check of function bodies: locals and every instruction, dead code included
//! (`spec/determinism.md#validation`).

use super::{Checker, Result};
use crate::prepare::validate::ops::{check_operator, check_valtype};
use crate::prepare::validate::rule::{Rule, ValidationError};
use crate::Limit;
use wasmparser::{FunctionBody, OperatorsReader};

impl Checker<'_> {
    /// spec/determinism.md#validation: locals and instructions of one body, dead code included.
    /// At most one error per rule per function.
    pub(super) fn check_body(&mut self, body: &FunctionBody<'_>, func_index: u32) -> Result<()> {
        let mut seen: Vec<Rule> = Vec::new();
        let mut report = |errors: &mut Vec<ValidationError>, rule: Rule, offset: u64, msg: String| {
            if !seen.contains(&rule) {
                seen.push(rule);
                errors.push(ValidationError::in_func(func_index, rule, offset, msg));
            }
        };
        let start = body.range().start;
        let mut locals = body.get_locals_reader()?;
        let mut declared: u64 = 0;
        for _ in 0..locals.get_count() {
            let offset = locals.original_position();
            let (count, ty) = locals.read()?;
            declared += u64::from(count);
            if let Some((rule, msg)) = check_valtype(ty) {
                report(&mut self.errors, rule, offset, format!("local: {msg}"));
            }
        }
        let params = self
            .facts
            .func_types
            .get(func_index as usize)
            .and_then(|t| self.func_type(*t))
            .map_or(0, |f| f.params().len() as u64);
        if let Some(msg) = Limit::Locals.check(self.limits, params + declared) {
            report(&mut self.errors, Rule::Limit(Limit::Locals), start, msg);
        }
        let mut ops = OperatorsReader::new(locals.get_binary_reader());
        while !ops.eof() {
            let (op, offset) = ops.read_with_offset()?;
            if matches!(
                op,
                wasmparser::Operator::Block { .. }
                    | wasmparser::Operator::Loop { .. }
                    | wasmparser::Operator::If { .. }
                    | wasmparser::Operator::Else
            ) {
                self.facts.control_ops += 1;
            }
            if let wasmparser::Operator::BrTable { targets } = &op {
                if let Some(msg) = Limit::BrTableTargets.check(self.limits, targets.len().into()) {
                    report(&mut self.errors, Rule::Limit(Limit::BrTableTargets), offset, msg);
                }
            }
            if let Some((rule, msg)) = check_operator(&op) {
                report(&mut self.errors, rule, offset, msg);
            }
        }
        Ok(())
    }
}
