//! The engine-agreement oracle (issue 9, part 1): a module the profile accepts always compiles on
//! the pinned engine and runs to a receipt, never `engine_rejected` and never a host error.
//!
//! Besides wasm-smith's profile modules, it generates modules aimed at where wasmi 2.0.0's
//! translator and the profile have disagreed: register-linked locals (`local.tee`/`local.set` of a
//! computed value, then `local.get`, directly or through forwarding operators) as the operands of
//! stores, loads, `select`, binary operators and bulk memory, offsets around 16 bits, many locals and
//! operand stacks up to and past `max_frame_units` (`spec/gas.md#wide-offset-stores`,
//! `spec/determinism.md#limits`).

use super::{check_receipt, generate, FUZZ_GAS};
use crate::{default_state, method, run, IMPORTS};
use abi::StatusCode;
use arbitrary::{Result, Unstructured};
use vm::{Limits, Rules, Vm};

/// Offsets worth trying: both sides of 16 and 17 bits, near the end of 2 pages, far past them.
const OFFSETS: [u32; 9] = [0, 1, 0xFFFF, 0x1_0000, 0x1_0001, 70_000, 0x1FFF8, 0x2_0000, u32::MAX];

/// Integer stores: operator and whether it stores an `i64`.
const STORES: [(&str, bool); 7] = [
    ("i32.store", false),
    ("i32.store8", false),
    ("i32.store16", false),
    ("i64.store", true),
    ("i64.store8", true),
    ("i64.store16", true),
    ("i64.store32", true),
];

/// Binary operators applied to one local twice (wasmi sees one register on both sides).
const BINARY: [&str; 10] = [
    "i32.add",
    "i32.sub",
    "i32.mul",
    "i32.and",
    "i32.shl",
    "i32.rotl",
    "i32.lt_u",
    "i32.eq",
    "i32.div_u",
    "i32.rem_s",
];

/// One function being generated: its `i32` locals (parameters first) and its body.
struct Func {
    i32_locals: u32,
    i64_local: u32,
    body: String,
}

impl Func {
    /// An `i32` local index.
    fn local(&self, u: &mut Unstructured<'_>) -> Result<u32> {
        u.int_in_range(0..=self.i32_locals - 1)
    }

    /// An `i32` operand that may be a register-linked local (or a forwarding of one).
    fn operand(&self, u: &mut Unstructured<'_>, x: u32) -> Result<String> {
        Ok(match u.int_in_range(0..=4)? {
            0 => format!("(i32.add (local.get {x}) (i32.const 0))"),
            1 => format!("(select (local.get {x}) (local.get {x}) (local.get {}))", self.local(u)?),
            2 => format!("(i32.const {})", u.int_in_range(0..=70_000)?),
            _ => format!("(local.get {x})"),
        })
    }

    /// Links `x` to wasmi's register: sets it from a computed value.
    fn link(&mut self, u: &mut Unstructured<'_>, x: u32) -> Result<()> {
        let y = self.local(u)?;
        let k = u.int_in_range(0..=64)?;
        let value = format!("(i32.add (local.get {y}) (i32.const {k}))");
        if u.arbitrary()? {
            self.body += &format!("(local.set {x} {value})");
        } else {
            self.body += &format!("(drop (local.tee {x} {value}))");
        }
        Ok(())
    }

    /// One stack-neutral snippet; `depth` bounds nesting and `height` is the deepest stack allowed.
    fn snippet(&mut self, u: &mut Unstructured<'_>, depth: u32, height: u32) -> Result<()> {
        let x = self.local(u)?;
        match u.int_in_range(0..=9)? {
            0..=2 => {
                // A store of the (linked) address local itself, at an interesting offset.
                self.link(u, x)?;
                let (store, wide) = *u.choose(&STORES)?;
                let offset = if u.arbitrary()? { *u.choose(&OFFSETS)? } else { u.arbitrary()? };
                let addr = self.operand(u, x)?;
                let mut value = self.operand(u, x)?;
                if wide {
                    value = if u.arbitrary()? {
                        format!("(i64.extend_i32_u {value})")
                    } else {
                        format!("(i64.extend_i32_s {value})")
                    };
                }
                self.body += &format!("({store} offset={offset} {addr} {value})");
            }
            3 => {
                self.link(u, x)?;
                let offset = *u.choose(&OFFSETS)?;
                let load = *u.choose(&["i32.load", "i32.load8_u", "i64.load16_s", "i64.load32_u"])?;
                self.body += &format!("(drop ({load} offset={offset} {}))", self.operand(u, x)?);
            }
            4 => {
                self.link(u, x)?;
                let op = *u.choose(&BINARY)?;
                let (a, b) = (self.operand(u, x)?, self.operand(u, x)?);
                self.body += &format!("(local.set {} ({op} {a} {b}))", self.local(u)?);
            }
            5 => {
                self.link(u, x)?;
                let (a, b) = (self.operand(u, x)?, self.operand(u, x)?);
                let cond = self.operand(u, x)?;
                self.body += &format!("(local.set {} (select {a} {b} {cond}))", self.local(u)?);
                let g = self.i64_local;
                self.body +=
                    &format!("(local.set {g} (i64.add (i64.extend_i32_u (local.get {x})) (local.get {g})))");
            }
            6 => {
                self.link(u, x)?;
                let op = *u.choose(&["memory.fill", "memory.copy"])?;
                let (a, b) = (self.operand(u, x)?, self.operand(u, x)?);
                self.body += &format!("({op} {a} {b} (i32.and (local.get {x}) (i32.const 15)))");
            }
            7 => {
                // A deep operand stack, up to the allowed height.
                let h = if u.ratio(1, 8)? { height } else { u.int_in_range(0..=height.min(64))? };
                self.body += &"(i32.const 1)".repeat(h as usize);
                self.body += &"(drop)".repeat(h as usize);
            }
            _ if depth > 0 => {
                let kind = *u.choose(&["block", "loop", "if"])?;
                let head =
                    if kind == "if" { format!("(if (local.get {x}) (then") } else { format!("({kind}") };
                self.body += &head;
                for _ in 0..u.int_in_range(1..=3)? {
                    self.snippet(u, depth - 1, height)?;
                }
                if kind != "loop" && u.arbitrary()? {
                    self.body += &format!("(br_if 0 (local.get {x}))");
                }
                self.body += if kind == "if" { "))" } else { ")" };
            }
            _ => self.link(u, x)?,
        }
        Ok(())
    }
}

/// A module of 1-3 functions aimed at the engine's weak spots, `method_t` calling the first; the
/// last is never called when there are several.
///
/// # Errors
/// The input ran out.
pub fn engine_module(u: &mut Unstructured<'_>) -> Result<Vec<u8>> {
    let limits = Limits::default();
    let mut funcs = Vec::new();
    for _ in 0..u.int_in_range(1..=3)? {
        let params = u.int_in_range(0..=4)?;
        let locals = if u.ratio(1, 4)? {
            u.int_in_range(1..=limits.max_locals - params - 1)?
        } else {
            u.int_in_range(1..=8)?
        };
        let i32_locals = params + locals;
        // The deepest operand stack that keeps the frame at the limit, sometimes one past it.
        let at_limit = limits.max_frame_units - vm::FRAME_OVERHEAD_UNITS - i32_locals - 1;
        let height = at_limit + u32::from(u.ratio(1, 16)?);
        let mut f = Func { i32_locals, i64_local: i32_locals, body: String::new() };
        for _ in 0..u.int_in_range(1..=12)? {
            f.snippet(u, 2, height)?;
        }
        funcs.push((params, locals, f.body));
    }
    let mut text = format!(r#"(module {IMPORTS} (memory (export "memory") 2)"#);
    for (i, (params, locals, body)) in funcs.iter().enumerate() {
        let p =
            if *params > 0 { format!("(param{})", " i32".repeat(*params as usize)) } else { String::new() };
        text += &format!("(func $f{i} {p} (local{} i64) {body})", " i32".repeat(*locals as usize));
    }
    let args = "(i32.const 7)".repeat(funcs[0].0 as usize);
    text += &format!(r#"(func (export "method_t") (call $f0 {args})))"#);
    wat::parse_str(&text).map_err(|_| arbitrary::Error::IncorrectFormat)
}

/// `engine`: a targeted module (first byte even) or a wasm-smith profile module (odd). If the
/// profile accepts it, every call runs to a receipt (never a host error) that is not
/// `engine_rejected`, with every property of [`check_receipt`].
pub fn check_engine(data: &[u8]) {
    let Some((first, rest)) = data.split_first() else { return };
    let mut u = Unstructured::new(rest);
    let wasm = if first % 2 == 0 { engine_module(&mut u) } else { generate::profile_module(&mut u) };
    let Ok(wasm) = wasm else { return };
    check_module_compiles(&wasm);
}

/// The `engine` property for one module.
///
/// # Panics
/// If a module the profile accepts does not compile on the pinned engine or ends in a host error.
pub fn check_module_compiles(wasm: &[u8]) {
    if vm::validate(wasm, &Limits::default()).is_err() {
        return;
    }
    let vm = Vm::new(Rules::default());
    for call in [method("t", &[]), method("a", &[])] {
        let r = run(&vm, &default_state(), wasm, call, FUZZ_GAS);
        assert_ne!(r.status, StatusCode::EngineRejected, "a profile-accepted module did not compile");
        assert_ne!(r.status, StatusCode::InvalidModule, "validated, then rejected at execution");
        check_receipt(&r, FUZZ_GAS);
    }
}
