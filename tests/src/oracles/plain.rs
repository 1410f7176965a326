//! The plain-engine side of the oracles: modules run on wasmi with fuel off, original and
//! instrumented side by side, with no tsvm host. Used by the differential fuzz target and the
//! spec-suite run (`spec/gas.md#instrumentation`: instrumentation must not change semantics).

use vm::{
    instrument, FuncInfo, GasTable, Limits, ModuleInfo, GAS_GLOBAL_EXPORT, GAS_SLOW_IMPORT,
    STACK_GLOBAL_EXPORT, STACK_OVERFLOW_SENTINEL,
};
use wasm_encoder::reencode::{utils, Reencode, RoundtripReencoder};
use wasmi::{Caller, Config, Engine, Instance, Linker, Module, Store, TrapCode, Val};
use wasmparser::{CompositeInnerType, Operator, Parser, Payload, TypeRef, ValidPayload, Validator};

/// How one call ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Returned these values (integers as bit patterns; floats never reach here: the instrumenter
    /// rejects them).
    Values(Vec<Val64>),
    /// A WebAssembly trap.
    Trap(TrapCode),
    /// Stack exhaustion: the engine's limit (original) or the specified limit (instrumented). The
    /// two limits differ by design, so exhaustion is compared only as a kind.
    Exhausted,
    /// The instrumented module's slow path ran out of gas.
    OutOfGas,
    /// A host or engine error that is none of the above.
    Other(String),
}

/// A value, compared bit for bit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Val64 {
    /// `i32`.
    I32(i32),
    /// `i64`.
    I64(i64),
    /// Any other type, by its bits (only originals can produce these).
    Bits(u128),
}

impl From<&Val> for Val64 {
    fn from(v: &Val) -> Self {
        match v {
            Val::I32(x) => Val64::I32(*x),
            Val::I64(x) => Val64::I64(*x),
            Val::F32(x) => Val64::Bits(u128::from(x.to_bits())),
            Val::F64(x) => Val64::Bits(u128::from(x.to_bits())),
            _ => Val64::Bits(u128::MAX),
        }
    }
}

/// Gas given to instrumented modules: effectively unlimited, far from wrapping.
pub const UNLIMITED_GAS: i64 = i64::MAX / 2;

/// `ModuleInfo` computed with wasmparser alone, without the profile's structural rules (any
/// imports, no exported memory, start functions...), so that the instrumenter can be checked on
/// modules tsvm would not accept as token scripts. Function imports all map to one placeholder
/// host id: the instrumenter only counts them.
///
/// # Errors
/// The module is not valid WebAssembly.
pub fn lenient_info(wasm: &[u8]) -> Result<ModuleInfo, String> {
    let e = |e: wasmparser::BinaryReaderError| e.to_string();
    let mut validator = Validator::new();
    let mut info = ModuleInfo { code_size: wasm.len() as u32, ..ModuleInfo::default() };
    let (mut types, mut func_types) = (Vec::new(), Vec::new());
    for payload in Parser::new(0).parse_all(wasm) {
        let payload = payload.map_err(e)?;
        match &payload {
            Payload::TypeSection(r) => {
                for group in r.clone() {
                    for sub in group.map_err(e)?.types() {
                        match &sub.composite_type.inner {
                            CompositeInnerType::Func(ft) => {
                                types.push((ft.params().len() as u32, ft.results().len() as u32))
                            }
                            _ => types.push((0, 0)),
                        }
                    }
                }
            }
            Payload::ImportSection(r) => {
                for import in r.clone().into_imports() {
                    if let TypeRef::Func(t) = import.map_err(e)?.ty {
                        info.imports.push(abi::HostFnId::InputSize);
                        func_types.push(t);
                    }
                }
            }
            Payload::FunctionSection(r) => {
                for t in r.clone() {
                    func_types.push(t.map_err(e)?);
                }
            }
            Payload::MemorySection(r) => {
                if let Some(m) = r.clone().into_iter().next() {
                    // In 64 KiB pages, rounded up for 1-byte pages (spec/determinism.md#memory).
                    let m = m.map_err(e)?;
                    let pages = vm::memory_pages(m.initial, m.page_size_log2);
                    info.memory_pages = pages.ok_or("unknown page size")? as u32;
                }
            }
            _ => {}
        }
        if let ValidPayload::Func(fv, body) = validator.payload(&payload).map_err(e)? {
            let mut v = fv.into_validator(Default::default());
            let mut locals = 0;
            for decl in body.get_locals_reader().map_err(e)? {
                let (n, ty) = decl.map_err(e)?;
                v.define_locals(0, n, ty).map_err(e)?;
                locals += n;
            }
            let mut r = body.get_operators_reader().map_err(e)?;
            let mut max_operand_height = 0;
            while !r.eof() {
                let (op, offset) = r.read_with_offset().map_err(e)?;
                v.op(offset, &op).map_err(e)?;
                max_operand_height = max_operand_height.max(v.operand_stack_height());
            }
            let type_index = func_types[info.imports.len() + info.functions.len()];
            let (params, results) = types[type_index as usize];
            info.functions.push(FuncInfo { type_index, params, results, locals, max_operand_height });
        }
    }
    Ok(info)
}

/// Instruments `wasm` with [`lenient_info`], the default gas table and limits.
///
/// # Errors
/// The module is invalid or uses something outside the profile's operator set.
pub fn instrument_lenient(wasm: &[u8]) -> Result<Vec<u8>, String> {
    let info = lenient_info(wasm)?;
    instrument(wasm, &info, &GasTable::default(), &Limits::default()).map_err(|e| e.to_string())
}

/// The reference semantics of fixed memory (`spec/gas.md#fixed-memory`), written independently of
/// the instrumenter: every `memory.grow` becomes `drop; i32.const -1`.
///
/// # Errors
/// The module does not parse.
pub fn fix_memory(wasm: &[u8]) -> Result<Vec<u8>, String> {
    struct FixMemory;
    impl Reencode for FixMemory {
        type Error = std::convert::Infallible;
        fn parse_function_body(
            &mut self,
            code: &mut wasm_encoder::CodeSection,
            func: wasmparser::FunctionBody<'_>,
        ) -> Result<(), wasm_encoder::reencode::Error<Self::Error>> {
            let mut f = self.new_function_with_parsed_locals(&func)?;
            let mut reader = func.get_operators_reader()?;
            while !reader.eof() {
                let op = reader.read()?;
                if let Operator::MemoryGrow { .. } = op {
                    f.instruction(&wasm_encoder::Instruction::Drop);
                    f.instruction(&wasm_encoder::Instruction::I32Const(-1));
                } else {
                    f.instruction(&self.instruction(op)?);
                }
            }
            code.function(&f);
            Ok(())
        }
    }
    let _ = RoundtripReencoder;
    let mut module = wasm_encoder::Module::new();
    utils::parse_core_module(&mut FixMemory, &mut module, Parser::new(0), wasm).map_err(|e| e.to_string())?;
    Ok(module.finish())
}

/// Host error of the oracle's slow path.
#[derive(Debug)]
struct OutOfGas;

impl std::fmt::Display for OutOfGas {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("out of gas")
    }
}

impl wasmi::errors::HostError for OutOfGas {}

/// One engine and store in which modules are instantiated and linked (`register`), either all
/// originals or all instrumented.
pub struct World {
    /// The store.
    pub store: Store<()>,
    /// The linker (spectest imports, registered instances, the slow path).
    pub linker: Linker<()>,
    instrumented: bool,
}

impl World {
    /// A world with the spec suite's `spectest` imports, fuel off and a recursion depth above the
    /// specified stack limit's (so that the instrumented side trips the specified limit first).
    pub fn new(instrumented: bool) -> Self {
        let mut config = Config::default();
        config.set_max_recursion_depth(20_000).compilation_mode(wasmi::CompilationMode::Eager);
        let engine = Engine::new(&config);
        let mut store = Store::new(&engine, ());
        let mut linker = Linker::new(&engine);
        spectest(&mut store, &mut linker);
        linker
            .func_wrap(
                "tsvm",
                GAS_SLOW_IMPORT,
                |_: Caller<'_, ()>, _gas: i64, c: i64| -> Result<i64, wasmi::Error> {
                    // spec/gas.md#slow-path: trap, or return a gas value >= C. Gas is unlimited
                    // here: top up (start functions and calls into other instances reach here first).
                    if (c as u64) > UNLIMITED_GAS as u64 {
                        return Err(wasmi::Error::host(OutOfGas));
                    }
                    Ok(UNLIMITED_GAS)
                },
            )
            .ok();
        Self { store, linker, instrumented }
    }

    /// Compiles and instantiates (running a start function, if any).
    ///
    /// # Errors
    /// Compilation, linking or instantiation failed; a trap during instantiation is an
    /// [`Outcome::Trap`] in the `Err`.
    pub fn instantiate(&mut self, wasm: &[u8]) -> Result<Instance, Outcome> {
        // wasmi 2.0.0's translator panics on some valid modules (see tests/battery/execution.rs);
        // both sides then panic alike, which the oracles compare as an outcome.
        let compiled =
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| Module::new(self.store.engine(), wasm)));
        let module = compiled
            .map_err(|_| Outcome::Other("engine panicked".into()))?
            .map_err(|e| Outcome::Other(e.to_string()))?;
        let instance =
            self.linker.instantiate_and_start(&mut self.store, &module).map_err(|e| classify(&e))?;
        if self.instrumented {
            if let Some(g) = instance.get_global(&self.store, GAS_GLOBAL_EXPORT) {
                g.set(&mut self.store, Val::I64(UNLIMITED_GAS)).ok();
            }
        }
        Ok(instance)
    }

    /// Calls export `name` of `instance` with `args`, the host's way for instrumented modules: gas
    /// topped up, the stack global reset.
    pub fn call(&mut self, instance: &Instance, name: &str, args: &[Val]) -> Outcome {
        let Some(f) = instance.get_func(&self.store, name) else {
            return Outcome::Other(format!("no function export {name}"));
        };
        let sp = instance.get_global(&self.store, STACK_GLOBAL_EXPORT);
        if self.instrumented {
            if let Some(g) = instance.get_global(&self.store, GAS_GLOBAL_EXPORT) {
                g.set(&mut self.store, Val::I64(UNLIMITED_GAS)).ok();
            }
            if let Some(sp) = sp {
                sp.set(&mut self.store, Val::I32(0)).ok();
            }
        }
        let ty = f.ty(&self.store);
        let mut results: Vec<Val> = ty.results().iter().map(|t| Val::default_for_ty(*t)).collect();
        match f.call(&mut self.store, args, &mut results) {
            Ok(()) => Outcome::Values(results.iter().map(Val64::from).collect()),
            Err(e) => {
                let overflowed =
                    sp.is_some_and(|sp| matches!(sp.get(&self.store), Val::I32(STACK_OVERFLOW_SENTINEL)));
                if self.instrumented && overflowed {
                    Outcome::Exhausted
                } else {
                    classify(&e)
                }
            }
        }
    }
}

fn classify(e: &wasmi::Error) -> Outcome {
    if e.downcast_ref::<OutOfGas>().is_some() {
        return Outcome::OutOfGas;
    }
    if let wasmi::errors::ErrorKind::Instantiation(
        wasmi::errors::InstantiationError::ElementSegmentDoesNotFit { .. },
    ) = e.kind()
    {
        // wasmi reports it as an instantiation error, not a trap code; the spec says trap.
        return Outcome::Trap(TrapCode::TableOutOfBounds);
    }
    match e.as_trap_code() {
        Some(TrapCode::StackOverflow) => Outcome::Exhausted,
        Some(code) => Outcome::Trap(code),
        // Engine messages name store handles; keep the kind only ("unknown import: ...").
        None => Outcome::Other(e.to_string().split(':').next().unwrap_or_default().to_string()),
    }
}

/// Whether any function body of `wasm` contains `memory.grow` (whose result tsvm fixes at -1).
pub fn has_memory_grow(wasm: &[u8]) -> bool {
    Parser::new(0).parse_all(wasm).any(|p| match p {
        Ok(Payload::CodeSectionEntry(body)) => body
            .get_operators_reader()
            .map(|mut r| {
                let mut found = false;
                while !r.eof() {
                    match r.read() {
                        Ok(Operator::MemoryGrow { .. }) => found = true,
                        Ok(_) => {}
                        Err(_) => break,
                    }
                }
                found
            })
            .unwrap_or(false),
        _ => false,
    })
}

/// The `spectest` module of the spec suite (`print*` functions, globals, a table, a memory).
fn spectest(store: &mut Store<()>, linker: &mut Linker<()>) {
    use wasmi::{Global, Memory, MemoryType, Mutability, Nullable, Ref, RefType, Table, TableType, ValType};
    let funcs: [(&str, &[ValType]); 4] = [
        ("print", &[]),
        ("print_i32", &[ValType::I32]),
        ("print_i64", &[ValType::I64]),
        ("print_i32_i32", &[ValType::I32, ValType::I32]),
    ];
    for (name, params) in funcs {
        let ty = wasmi::FuncType::new(params.iter().copied(), []);
        let f = wasmi::Func::new(&mut *store, ty, |_, _, _| Ok(()));
        linker.define("spectest", name, f).ok();
    }
    let globals = [
        ("global_i32", Val::I32(666)),
        ("global_i64", Val::I64(666)),
        ("global_f32", Val::F32(666.6f32.into())),
        ("global_f64", Val::F64(666.6f64.into())),
    ];
    for (name, v) in globals {
        let g = Global::new(&mut *store, v, Mutability::Const);
        linker.define("spectest", name, g).ok();
    }
    if let Ok(t) =
        Table::new(&mut *store, TableType::new(RefType::Func, 10, Some(20)), Ref::Func(Nullable::Null))
    {
        linker.define("spectest", "table", t).ok();
    }
    if let Ok(m) = Memory::new(&mut *store, MemoryType::new(1, Some(2))) {
        linker.define("spectest", "memory", m).ok();
    }
}
