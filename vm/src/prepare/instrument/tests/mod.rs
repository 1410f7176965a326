//! Tests of the instrumentation pass: instrumented modules run on wasmi, with a `__gas_slow` that
//! implements the host contract of `spec/gas.md#slow-path`, and exact gas checked against closed
//! formulas over the gas table. This file is the harness; the tests are in the submodules.

use super::*;
use crate::{ExportInfo, FuncInfo, GasTable, Limits, ModuleInfo, FRAME_OVERHEAD_UNITS};
use proptest::prelude::*;
use std::fmt;
use wasmi::{Caller, Engine, Extern, Instance, Linker, Module, Store, Val};
use wasmparser::{CompositeInnerType, ExternalKind, Parser, Payload, TypeRef, ValidPayload, Validator};

// ---------------------------------------------------------------------------------------------
// Harness
// ---------------------------------------------------------------------------------------------

/// The host error of an exhausted slow path.
#[derive(Debug)]
struct OutOfGas;

impl fmt::Display for OutOfGas {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("out of gas")
    }
}

impl wasmi::errors::HostError for OutOfGas {}

/// `ModuleInfo` computed with wasmparser alone (independent of the real validator).
fn module_info(wasm: &[u8]) -> ModuleInfo {
    let mut validator = Validator::new();
    let mut info = ModuleInfo { code_size: wasm.len() as u32, ..ModuleInfo::default() };
    let mut types = Vec::new();
    let mut func_types = Vec::new();
    for payload in Parser::new(0).parse_all(wasm) {
        let payload = payload.unwrap();
        match &payload {
            Payload::TypeSection(r) => {
                for group in r.clone() {
                    for sub in group.unwrap().types() {
                        let CompositeInnerType::Func(ft) = &sub.composite_type.inner else {
                            panic!("non-function type")
                        };
                        types.push((ft.params().len() as u32, ft.results().len() as u32));
                    }
                }
            }
            Payload::ImportSection(r) => {
                for import in r.clone().into_imports() {
                    let import = import.unwrap();
                    if let TypeRef::Func(_) = import.ty {
                        info.imports.push(abi::host_function(import.name).unwrap().id);
                    }
                }
            }
            Payload::FunctionSection(r) => {
                func_types = r.clone().into_iter().map(Result::unwrap).collect();
            }
            Payload::ExportSection(r) => {
                for e in r.clone() {
                    let e = e.unwrap();
                    if e.kind == ExternalKind::Func {
                        info.exports.push(ExportInfo { name: e.name.into(), func_index: e.index });
                    }
                }
            }
            Payload::MemorySection(r) => {
                info.memory_pages = r.clone().into_iter().next().unwrap().unwrap().initial as u32;
            }
            Payload::DataSection(r) => {
                for d in r.clone() {
                    info.data_bytes += d.unwrap().data.len() as u64;
                }
            }
            _ => {}
        }
        if let ValidPayload::Func(fv, body) = validator.payload(&payload).unwrap() {
            let mut v = fv.into_validator(Default::default());
            let mut locals = 0;
            for decl in body.get_locals_reader().unwrap() {
                let (n, ty) = decl.unwrap();
                v.define_locals(0, n, ty).unwrap();
                locals += n;
            }
            let mut r = body.get_operators_reader().unwrap();
            let mut max_operand_height = 0;
            while !r.eof() {
                let (op, offset) = r.read_with_offset().unwrap();
                v.op(offset, &op).unwrap();
                max_operand_height = max_operand_height.max(v.operand_stack_height());
            }
            let type_index = func_types[info.functions.len()];
            let (params, results) = types[type_index as usize];
            info.functions.push(FuncInfo { type_index, params, results, locals, max_operand_height });
        }
    }
    info
}

/// Instruments a WAT module with `table` and `limits`; returns (original, instrumented, info).
fn instrument_wat(wat: &str, table: &GasTable, limits: &Limits) -> (Vec<u8>, Vec<u8>, ModuleInfo) {
    let wasm = wat::parse_str(wat).unwrap();
    let info = module_info(&wasm);
    let out = instrument(&wasm, &info, table, limits).unwrap();
    wasmparser::Validator::new().validate_all(&out).unwrap();
    (wasm, out, info)
}

/// Store data: gas kept out of the global (a checkpoint floor) and slow-path statistics.
#[derive(Default)]
struct Host {
    reserve: u64,
    slow_calls: u32,
}

/// An instantiated module on wasmi with the default `Config` (fuel off).
struct Vm {
    store: Store<Host>,
    instance: Instance,
}

impl Vm {
    fn new(wasm: &[u8]) -> Self {
        Self::with_engine(&Engine::default(), wasm)
    }

    fn with_engine(engine: &Engine, wasm: &[u8]) -> Self {
        let module = Module::new(engine, wasm).unwrap();
        let mut store = Store::new(engine, Host::default());
        let mut linker = Linker::<Host>::new(engine);
        // spec/gas.md#slow-path, with an optional checkpoint floor in `reserve`.
        linker
            .func_wrap(
                "tsvm",
                GAS_SLOW_IMPORT,
                |mut caller: Caller<'_, Host>, gas: i64, c: i64| -> Result<i64, wasmi::Error> {
                    let gas = gas as u64;
                    caller.data_mut().slow_calls += 1;
                    let available = gas.saturating_add(caller.data().reserve);
                    if available < c as u64 {
                        // Keep what the host was given where the tests read gas: the global.
                        let Some(Extern::Global(g)) = caller.get_export(GAS_GLOBAL_EXPORT) else {
                            panic!("no gas global");
                        };
                        g.set(&mut caller, Val::I64(gas as i64)).unwrap();
                        return Err(wasmi::Error::host(OutOfGas));
                    }
                    caller.data_mut().reserve = 0;
                    Ok(available as i64)
                },
            )
            .unwrap();
        linker.func_wrap("tsvm", "gas_left", |_: Caller<'_, Host>| -> i64 { 42 }).unwrap();
        linker.func_wrap("tsvm", "block_height", |_: Caller<'_, Host>| -> i64 { 7 }).unwrap();
        let instance = linker.instantiate_and_start(&mut store, &module).unwrap();
        Self { store, instance }
    }

    fn global(&self, name: &str) -> wasmi::Global {
        self.instance.get_global(&self.store, name).unwrap()
    }

    fn gas(&self) -> u64 {
        self.global(GAS_GLOBAL_EXPORT).get(&self.store).i64().unwrap() as u64
    }

    fn set_gas(&mut self, gas: u64) {
        let g = self.global(GAS_GLOBAL_EXPORT);
        g.set(&mut self.store, Val::I64(gas as i64)).unwrap();
    }

    fn sp(&self) -> i32 {
        self.global(STACK_GLOBAL_EXPORT).get(&self.store).i32().unwrap()
    }

    /// Calls an export of an uninstrumented or instrumented module; results as i64.
    fn call(&mut self, name: &str, args: &[Val]) -> Result<Vec<i64>, wasmi::Error> {
        let f = self.instance.get_func(&self.store, name).unwrap();
        let n = f.ty(&self.store).results().len();
        let mut results = vec![Val::I32(0); n];
        f.call(&mut self.store, args, &mut results)?;
        Ok(results.iter().map(|v| v.i32().map_or_else(|| v.i64().unwrap(), i64::from)).collect())
    }

    /// Runs an export of an instrumented module with `budget` gas, the host's way: gas set, `sp`
    /// reset. Returns the outcome and the gas used.
    fn run(&mut self, name: &str, args: &[Val], budget: u64) -> (Result<Vec<i64>, wasmi::Error>, u64) {
        self.set_gas(budget);
        self.store.data_mut().reserve = 0;
        let sp = self.global(STACK_GLOBAL_EXPORT);
        sp.set(&mut self.store, Val::I32(0)).unwrap();
        let r = self.call(name, args);
        let used = budget - self.gas() - self.store.data().reserve;
        (r, used)
    }
}

const AMPLE: u64 = 1 << 40;

/// Runs `name(args)` with ample gas on an instrumented module; returns (results, gas used).
#[track_caller]
fn gas_of(vm: &mut Vm, name: &str, args: &[Val]) -> (Vec<i64>, u64) {
    let (r, used) = vm.run(name, args, AMPLE);
    (r.unwrap(), used)
}

#[track_caller]
fn assert_out_of_gas(r: Result<Vec<i64>, wasmi::Error>) {
    let e = r.unwrap_err();
    assert!(e.downcast_ref::<OutOfGas>().is_some(), "expected OutOfGas, got {e}");
}

/// The default table, and one where every cost is a distinct prime so that a misattributed
/// operator changes the total.
fn tables() -> [GasTable; 2] {
    [
        GasTable::default(),
        GasTable {
            nop: 3,
            block: 5,
            end: 7,
            if_: 11,
            else_: 13,
            br: 17,
            br_if: 19,
            br_table_base: 23,
            br_table_per_target: 29,
            return_: 31,
            call: 37,
            call_indirect: 41,
            unreachable: 43,
            drop: 47,
            select: 53,
            local: 59,
            global: 61,
            const_: 67,
            alu: 71,
            mul: 73,
            div: 79,
            load: 83,
            store: 89,
            memory_size: 97,
            memory_grow: 101,
            memory_copy_base: 103,
            memory_copy_per_byte: 107,
            memory_fill_base: 109,
            memory_fill_per_byte: 113,
            code_byte: 127,
            memory_page: 131,
            data_byte: 137,
            load_module: 139,
            load_function: 149,
            load_local: 151,
            load_control: 157,
            entry_locals_8: 163,
        },
    ]
}

fn vm_for(wat: &str, table: &GasTable) -> Vm {
    Vm::new(&instrument_wat(wat, table, &Limits::default()).1)
}

fn i32s(args: &[i32]) -> Vec<Val> {
    args.iter().map(|&a| Val::I32(a)).collect()
}

pub(crate) mod differential;
mod gas;
mod module;
mod stack;
