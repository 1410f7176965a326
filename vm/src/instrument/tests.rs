//! Tests of the instrumentation pass: instrumented modules run on wasmi, with a `__gas_slow` that
//! implements the host contract of `spec/gas.md#slow-path`, and exact gas checked against closed
//! formulas over the gas table.

use super::*;
use crate::{ExportInfo, FuncInfo, GasTable, Limits, ModuleInfo, FRAME_OVERHEAD_UNITS};
use proptest::prelude::*;
use std::fmt;
use wasmi::{Caller, Engine, Extern, Instance, Linker, Module, Store, Val};
use wasmparser::{
    CompositeInnerType, ExternalKind, Parser, Payload, TypeRef, ValidPayload, Validator,
};

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
    let mut info = ModuleInfo {
        code_size: wasm.len() as u32,
        ..ModuleInfo::default()
    };
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
                        info.imports
                            .push(abi::host_function(import.name).unwrap().id);
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
                        info.exports.push(ExportInfo {
                            name: e.name.into(),
                            func_index: e.index,
                        });
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
            info.functions.push(FuncInfo {
                type_index,
                params,
                results,
                locals,
                max_operand_height,
            });
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
                |mut caller: Caller<'_, Host>, c: i64| -> Result<(), wasmi::Error> {
                    let Some(Extern::Global(g)) = caller.get_export(GAS_GLOBAL_EXPORT) else {
                        panic!("no gas global");
                    };
                    let gas = g.get(&caller).i64().unwrap() as u64;
                    caller.data_mut().slow_calls += 1;
                    let available = gas.saturating_add(caller.data().reserve);
                    if available < c as u64 {
                        return Err(wasmi::Error::host(OutOfGas));
                    }
                    caller.data_mut().reserve = 0;
                    g.set(&mut caller, Val::I64(available as i64)).unwrap();
                    Ok(())
                },
            )
            .unwrap();
        linker
            .func_wrap("tsvm", "gas_left", |_: Caller<'_, Host>| -> i64 { 42 })
            .unwrap();
        linker
            .func_wrap("tsvm", "block_height", |_: Caller<'_, Host>| -> i64 { 7 })
            .unwrap();
        let instance = linker.instantiate_and_start(&mut store, &module).unwrap();
        Self { store, instance }
    }

    fn global(&self, name: &str) -> wasmi::Global {
        self.instance.get_global(&self.store, name).unwrap()
    }

    fn gas(&self) -> u64 {
        self.global(GAS_GLOBAL_EXPORT)
            .get(&self.store)
            .i64()
            .unwrap() as u64
    }

    fn set_gas(&mut self, gas: u64) {
        let g = self.global(GAS_GLOBAL_EXPORT);
        g.set(&mut self.store, Val::I64(gas as i64)).unwrap();
    }

    fn sp(&self) -> i32 {
        self.global(STACK_GLOBAL_EXPORT)
            .get(&self.store)
            .i32()
            .unwrap()
    }

    /// Calls an export of an uninstrumented or instrumented module; results as i64.
    fn call(&mut self, name: &str, args: &[Val]) -> Result<Vec<i64>, wasmi::Error> {
        let f = self.instance.get_func(&self.store, name).unwrap();
        let n = f.ty(&self.store).results().len();
        let mut results = vec![Val::I32(0); n];
        f.call(&mut self.store, args, &mut results)?;
        Ok(results
            .iter()
            .map(|v| v.i32().map_or_else(|| v.i64().unwrap(), i64::from))
            .collect())
    }

    /// Runs an export of an instrumented module with `budget` gas, the host's way: gas set, `sp`
    /// reset. Returns the outcome and the gas used.
    fn run(
        &mut self,
        name: &str,
        args: &[Val],
        budget: u64,
    ) -> (Result<Vec<i64>, wasmi::Error>, u64) {
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
    assert!(
        e.downcast_ref::<OutOfGas>().is_some(),
        "expected OutOfGas, got {e}"
    );
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
        },
    ]
}

fn vm_for(wat: &str, table: &GasTable) -> Vm {
    Vm::new(&instrument_wat(wat, table, &Limits::default()).1)
}

fn i32s(args: &[i32]) -> Vec<Val> {
    args.iter().map(|&a| Val::I32(a)).collect()
}

// ---------------------------------------------------------------------------------------------
// Exact gas
// ---------------------------------------------------------------------------------------------

const STRAIGHT: &str = r#"(module (memory (export "memory") 1)
  (func (export "f") (param i32 i32) (result i32)
    local.get 0 local.get 1 i32.add i32.const 3 i32.mul local.get 1 i32.div_u))"#;

fn straight_cost(t: &GasTable) -> u64 {
    3 * t.local + t.alu + t.const_ + t.mul + t.div + t.end
}

#[test]
fn straight_line_code_costs_the_sum_of_its_operators() {
    for t in tables() {
        let mut vm = vm_for(STRAIGHT, &t);
        let (r, used) = gas_of(&mut vm, "f", &i32s(&[5, 2]));
        assert_eq!(r, vec![(5 + 2) * 3 / 2]);
        assert_eq!(used, straight_cost(&t));
        assert_eq!(vm.store.data().slow_calls, 0);
    }
}

const LOOP: &str = r#"(module (memory (export "memory") 1)
  (func (export "sum") (param $n i32) (result i32) (local $acc i32)
    block $exit
      loop $top
        local.get $n i32.eqz br_if $exit
        local.get $acc local.get $n i32.add local.set $acc
        local.get $n i32.const 1 i32.sub local.set $n
        br $top
      end
    end
    local.get $acc))"#;

/// Gas of `sum(n)`: entry block `[block loop]`, the loop body block charged on each of the `n + 1`
/// entries (the last exits at `br_if`), and the tail `[local.get end]` reached from the branch.
fn loop_cost(t: &GasTable, n: u64) -> u64 {
    let entry = 2 * t.block;
    let body = 6 * t.local + 3 * t.alu + t.const_ + t.br_if + t.br + t.end;
    let tail = t.local + t.end;
    entry + (n + 1) * body + tail
}

#[test]
fn loop_costs_its_body_per_iteration() {
    for t in tables() {
        let mut vm = vm_for(LOOP, &t);
        for n in [0u64, 1, 10, 1000] {
            let (r, used) = gas_of(&mut vm, "sum", &i32s(&[n as i32]));
            assert_eq!(r, vec![(n * (n + 1) / 2) as i64]);
            assert_eq!(used, loop_cost(&t, n), "n = {n}");
        }
    }
}

const IF_ELSE: &str = r#"(module (memory (export "memory") 1)
  (func (export "sel") (param i32) (result i32)
    local.get 0
    if (result i32)
      i32.const 10
    else
      i32.const 20 i32.const 1 i32.add
    end)
  (func (export "one_arm") (param i32) (result i32)
    local.get 0
    if
      i32.const 5 local.set 0
    end
    local.get 0))"#;

#[test]
fn if_else_charges_the_arm_taken() {
    for t in tables() {
        let mut vm = vm_for(IF_ELSE, &t);
        let head = t.local + t.if_;
        let then_arm = t.const_ + t.else_;
        let else_arm = 2 * t.const_ + t.alu + t.end;
        let tail = t.end;
        assert_eq!(
            gas_of(&mut vm, "sel", &i32s(&[1])),
            (vec![10], head + then_arm + tail)
        );
        assert_eq!(
            gas_of(&mut vm, "sel", &i32s(&[0])),
            (vec![21], head + else_arm + tail)
        );

        let then_arm = t.const_ + t.local + t.end;
        let tail = t.local + t.end;
        assert_eq!(
            gas_of(&mut vm, "one_arm", &i32s(&[7])),
            (vec![5], head + then_arm + tail)
        );
        assert_eq!(
            gas_of(&mut vm, "one_arm", &i32s(&[0])),
            (vec![0], head + tail)
        );
    }
}

const BR_TABLE: &str = r#"(module (memory (export "memory") 1)
  (func (export "sw") (param i32) (result i32)
    block $d
      block $b
        block $a
          local.get 0
          br_table $a $b $d
        end
        i32.const 100 return
      end
      i32.const 200 return
    end
    i32.const 300))"#;

#[test]
fn br_table_charges_base_plus_targets() {
    for t in tables() {
        let mut vm = vm_for(BR_TABLE, &t);
        let head = 3 * t.block + t.local + t.br_table_base + 2 * t.br_table_per_target + t.end;
        let arm = t.const_ + t.return_ + t.end;
        let tail = t.const_ + t.end;
        assert_eq!(gas_of(&mut vm, "sw", &i32s(&[0])), (vec![100], head + arm));
        assert_eq!(gas_of(&mut vm, "sw", &i32s(&[1])), (vec![200], head + arm));
        assert_eq!(gas_of(&mut vm, "sw", &i32s(&[2])), (vec![300], head + tail));
        assert_eq!(
            gas_of(&mut vm, "sw", &i32s(&[99])),
            (vec![300], head + tail)
        );
    }
}

/// Two imports shift every defined function; the elem segment and the exports must follow.
const CALLS: &str = r#"(module
  (type $t (func (param i32) (result i32)))
  (import "tsvm" "gas_left" (func $gas_left (result i64)))
  (import "tsvm" "block_height" (func $height (result i64)))
  (memory (export "memory") 1)
  (table 2 funcref)
  (elem (i32.const 0) $double $inc)
  (func $double (type $t) local.get 0 i32.const 2 i32.mul)
  (func $inc (type $t) local.get 0 i32.const 1 i32.add)
  (func (export "direct") (param i32) (result i32) local.get 0 call $double)
  (func (export "indirect") (param i32 i32) (result i32)
    local.get 0 local.get 1 call_indirect (type $t))
  (func (export "host") (result i64) call $gas_left)
  (export "inc" (func $inc)))"#;

#[test]
fn calls_charge_caller_and_callee_and_indices_are_remapped() {
    for t in tables() {
        let (_, wasm, info) = instrument_wat(CALLS, &t, &Limits::default());
        let mut vm = Vm::with_engine(&Engine::default(), &wasm);
        let double = t.local + t.const_ + t.mul + t.end;
        let inc = t.local + t.const_ + t.alu + t.end;
        assert_eq!(
            gas_of(&mut vm, "direct", &i32s(&[21])),
            (vec![42], t.local + t.call + t.end + double)
        );
        let ind = 2 * t.local + t.call_indirect + t.end;
        assert_eq!(
            gas_of(&mut vm, "indirect", &i32s(&[21, 0])),
            (vec![42], ind + double)
        );
        assert_eq!(
            gas_of(&mut vm, "indirect", &i32s(&[21, 1])),
            (vec![22], ind + inc)
        );
        assert_eq!(gas_of(&mut vm, "inc", &i32s(&[1])), (vec![2], inc));
        assert_eq!(gas_of(&mut vm, "host", &[]), (vec![42], t.call + t.end));
        assert_eq!(info.imports.len(), 2);
    }
}

#[test]
fn slow_path_is_the_last_import_and_shifts_defined_functions() {
    let (_, wasm, _) = instrument_wat(CALLS, &GasTable::default(), &Limits::default());
    let module = Module::new(&Engine::default(), &wasm).unwrap();
    let imports: Vec<_> = module.imports().map(|i| i.name().to_string()).collect();
    assert_eq!(imports, ["gas_left", "block_height", GAS_SLOW_IMPORT]);
    for payload in Parser::new(0).parse_all(&wasm) {
        match payload.unwrap() {
            Payload::ExportSection(r) => {
                let exports: Vec<_> = r
                    .into_iter()
                    .map(|e| {
                        let e = e.unwrap();
                        (e.name.to_string(), e.kind, e.index)
                    })
                    .collect();
                assert_eq!(
                    exports,
                    [
                        ("memory".into(), ExternalKind::Memory, 0),
                        ("direct".into(), ExternalKind::Func, 5),
                        ("indirect".into(), ExternalKind::Func, 6),
                        ("host".into(), ExternalKind::Func, 7),
                        ("inc".into(), ExternalKind::Func, 4),
                        (GAS_GLOBAL_EXPORT.into(), ExternalKind::Global, 0),
                        (STACK_GLOBAL_EXPORT.into(), ExternalKind::Global, 1),
                    ]
                );
            }
            // $t, () -> i64, (i32 i32) -> i32, then the appended (i64) -> ().
            Payload::TypeSection(r) => assert_eq!(r.count(), 4, "slow type appended"),
            Payload::CustomSection(c) => panic!("custom section {} kept", c.name()),
            _ => {}
        }
    }
}

#[test]
fn existing_slow_type_is_reused_and_custom_sections_dropped() {
    let wat = r#"(module
      (type $a (func (param i32)))
      (type $b (func (param i64)))
      (memory (export "memory") 1)
      (func $named (export "f") (type $b)))"#;
    let (orig, wasm, _) = instrument_wat(wat, &GasTable::default(), &Limits::default());
    assert!(Parser::new(0)
        .parse_all(&orig)
        .any(|p| matches!(p.unwrap(), Payload::CustomSection(_))));
    for payload in Parser::new(0).parse_all(&wasm) {
        match payload.unwrap() {
            Payload::TypeSection(r) => assert_eq!(r.count(), 2),
            Payload::ImportSection(r) => {
                let i = r.into_imports().next().unwrap().unwrap();
                assert_eq!(i.ty, TypeRef::Func(1));
            }
            Payload::CustomSection(c) => panic!("custom section {} kept", c.name()),
            _ => {}
        }
    }
    let mut vm = Vm::new(&wasm);
    assert_eq!(
        gas_of(&mut vm, "f", &[Val::I64(1)]).1,
        GasTable::default().end
    );
}

#[test]
fn minimal_module_instruments() {
    let (_, wasm, _) = instrument_wat(
        r#"(module (memory (export "memory") 1))"#,
        &GasTable::default(),
        &Limits::default(),
    );
    let vm = Vm::new(&wasm);
    assert_eq!((vm.gas(), vm.sp()), (0, 0));
}

const BULK: &str = r#"(module (memory (export "memory") 1)
  (func (export "fill") (param $d i32) (param $v i32) (param $n i32)
    local.get $d local.get $v local.get $n memory.fill)
  (func (export "copy") (param $d i32) (param $s i32) (param $n i32)
    local.get $d local.get $s local.get $n memory.copy)
  (func (export "load8") (param i32) (result i32) local.get 0 i32.load8_u))"#;

#[test]
fn memory_fill_and_copy_charge_per_byte() {
    for t in tables() {
        let mut vm = vm_for(BULK, &t);
        for n in [0u64, 1, 100, 65_536] {
            let (r, used) = vm.run("fill", &i32s(&[0, 0xAB, n as i32]), AMPLE);
            r.unwrap();
            assert_eq!(
                used,
                3 * t.local + t.memory_fill_base + t.end + n * t.memory_fill_per_byte
            );
            let (r, used) = vm.run("copy", &i32s(&[0, 0, n as i32]), AMPLE);
            r.unwrap();
            assert_eq!(
                used,
                3 * t.local + t.memory_copy_base + t.end + n * t.memory_copy_per_byte
            );
        }
        vm.run("fill", &i32s(&[0, 0, 64]), AMPLE).0.unwrap();
        vm.run("fill", &i32s(&[10, 7, 3]), AMPLE).0.unwrap();
        vm.run("copy", &i32s(&[20, 9, 5]), AMPLE).0.unwrap();
        let bytes: Vec<i64> = (18..26)
            .map(|a| vm.call("load8", &i32s(&[a])).unwrap()[0])
            .collect();
        assert_eq!(bytes, [0, 0, 0, 7, 7, 7, 0, 0]);
    }
}

#[test]
fn bulk_memory_out_of_gas_is_charged_before_the_operation() {
    let t = GasTable::default();
    let mut vm = vm_for(BULK, &t);
    let static_part = 3 * t.local + t.memory_fill_base + t.end;
    let (r, _) = vm.run("fill", &i32s(&[0, 1, 100]), static_part + 99);
    assert_out_of_gas(r);
    assert_eq!(
        vm.gas(),
        99,
        "the failing dynamic charge leaves the global alone"
    );
    assert_eq!(
        vm.call("load8", &i32s(&[0])).unwrap(),
        [0],
        "memory untouched"
    );
    let (r, used) = vm.run("fill", &i32s(&[0, 1, 100]), static_part + 100);
    r.unwrap();
    assert_eq!((used, vm.gas()), (static_part + 100, 0));
}

// ---------------------------------------------------------------------------------------------
// Out of gas, checkpoints
// ---------------------------------------------------------------------------------------------

#[test]
fn out_of_gas_at_exactly_the_limit() {
    for t in tables() {
        // One block: the failing block is the only one, so the global keeps the whole budget.
        let mut vm = vm_for(STRAIGHT, &t);
        let exact = straight_cost(&t);
        let (r, used) = vm.run("f", &i32s(&[5, 2]), exact);
        assert_eq!((r.unwrap(), used, vm.gas()), (vec![7 * 3 / 2], exact, 0));
        let (r, _) = vm.run("f", &i32s(&[5, 2]), exact - 1);
        assert_out_of_gas(r);
        assert_eq!(vm.gas(), exact - 1);

        // Many blocks: everything before the last block (`[local.get end]`) is paid.
        let mut vm = vm_for(LOOP, &t);
        let exact = loop_cost(&t, 10);
        let (r, _) = vm.run("sum", &i32s(&[10]), exact);
        assert_eq!((r.unwrap(), vm.gas()), (vec![55], 0));
        let (r, _) = vm.run("sum", &i32s(&[10]), exact - 1);
        assert_out_of_gas(r);
        assert_eq!(vm.gas(), t.local + t.end - 1);
    }
}

#[test]
fn checkpoint_floor_does_not_change_gas() {
    let t = GasTable::default();
    let mut vm = vm_for(LOOP, &t);
    let exact = loop_cost(&t, 50);
    // Keep all but 10 gas out of the global: the slow path moves it in once.
    vm.set_gas(10);
    vm.store.data_mut().reserve = exact - 10;
    assert_eq!(vm.call("sum", &i32s(&[50])).unwrap(), [1275]);
    assert_eq!((vm.gas(), vm.store.data().reserve), (0, 0));
    assert_eq!(vm.store.data().slow_calls, 1);
}

// ---------------------------------------------------------------------------------------------
// Fixed memory
// ---------------------------------------------------------------------------------------------

#[test]
fn memory_grow_returns_minus_one_and_memory_stays() {
    let wat = r#"(module (memory (export "memory") 2)
      (func (export "grow") (param i32) (result i32 i32)
        local.get 0 memory.grow memory.size))"#;
    for t in tables() {
        let mut vm = vm_for(wat, &t);
        for delta in [0, 1, 100, -1] {
            let (r, used) = gas_of(&mut vm, "grow", &i32s(&[delta]));
            assert_eq!(r, [-1, 2]);
            assert_eq!(used, t.local + t.memory_grow + t.memory_size + t.end);
        }
        let mem = vm.instance.get_memory(&vm.store, "memory").unwrap();
        assert_eq!(mem.size(&vm.store), 2);
    }
}

// ---------------------------------------------------------------------------------------------
// Stack limit
// ---------------------------------------------------------------------------------------------

const REC: &str = r#"(module
  (import "tsvm" "gas_left" (func $gl (result i64)))
  (memory (export "memory") 1)
  (func $rec (export "rec") (param $n i32) (result i32)
    local.get $n i32.eqz
    if (result i32)
      i32.const 0
    else
      local.get $n i32.const 1 i32.sub call $rec
      call $gl drop
      i32.const 1 i32.add
    end)
  (func (export "twice") (param $n i32) (result i32)
    local.get $n call $rec local.get $n call $rec i32.add))"#;

#[test]
fn recursion_traps_at_the_specified_depth_every_run() {
    let limits = Limits {
        max_stack_units: 1_000,
        ..Limits::default()
    };
    let (_, wasm, info) = instrument_wat(REC, &GasTable::default(), &limits);
    let frame = info.func(1).unwrap().frame_units();
    assert_eq!(
        frame,
        FRAME_OVERHEAD_UNITS + 1 + info.func(1).unwrap().max_operand_height
    );
    // `rec(n)` needs n + 1 nested activations.
    let max_activations = limits.max_stack_units / frame;
    let deepest_ok = (max_activations - 1) as i32;
    let mut vm = Vm::new(&wasm);
    for _ in 0..3 {
        let (r, _) = vm.run("rec", &i32s(&[deepest_ok]), AMPLE);
        assert_eq!(r.unwrap(), [i64::from(deepest_ok)]);
        assert_eq!(vm.sp(), frame as i32, "callee frames released");
        let (r, _) = vm.run("rec", &i32s(&[deepest_ok + 1]), AMPLE);
        let e = r.unwrap_err();
        assert_eq!(
            e.as_trap_code(),
            Some(wasmi::TrapCode::UnreachableCodeReached)
        );
        assert_eq!(vm.sp(), STACK_OVERFLOW_SENTINEL);
    }
    // Sequential calls release their frames: two full-depth recursions from one frame fit if
    // one does, plus the caller's own frame.
    let twice_frame = info.func(2).unwrap().frame_units();
    let n = ((limits.max_stack_units - twice_frame) / frame - 1) as i32;
    let (r, _) = vm.run("twice", &i32s(&[n]), AMPLE);
    assert_eq!(r.unwrap(), [2 * i64::from(n)]);
    let (r, _) = vm.run("twice", &i32s(&[n + 1]), AMPLE);
    assert!(r.is_err());
    assert_eq!(vm.sp(), STACK_OVERFLOW_SENTINEL);
}

#[test]
fn default_stack_limit_is_reached_before_a_configured_engine_limit() {
    let limits = Limits::default();
    let (_, wasm, info) = instrument_wat(REC, &GasTable::default(), &limits);
    let frame = info.func(1).unwrap().frame_units();
    let deepest_ok = (limits.max_stack_units / frame - 1) as i32;
    let mut config = wasmi::Config::default();
    config.set_max_recursion_depth((limits.max_stack_units / FRAME_OVERHEAD_UNITS) as usize + 1);
    let engine = Engine::new(&config);
    let mut vm = Vm::with_engine(&engine, &wasm);
    let (r, _) = vm.run("rec", &i32s(&[deepest_ok]), AMPLE);
    assert_eq!(r.unwrap(), [i64::from(deepest_ok)]);
    let (r, _) = vm.run("rec", &i32s(&[deepest_ok + 1]), AMPLE);
    assert!(r.is_err());
    assert_eq!(vm.sp(), STACK_OVERFLOW_SENTINEL);
}

#[test]
fn frame_larger_than_the_limit_always_traps() {
    let limits = Limits {
        max_stack_units: FRAME_OVERHEAD_UNITS,
        ..Limits::default()
    };
    let (_, wasm, _) = instrument_wat(STRAIGHT, &GasTable::default(), &limits);
    let mut vm = Vm::new(&wasm);
    let (r, used) = vm.run("f", &i32s(&[1, 2]), AMPLE);
    assert!(r.is_err());
    assert_eq!(
        (vm.sp(), used),
        (STACK_OVERFLOW_SENTINEL, 0),
        "trap before any charge"
    );
}

// ---------------------------------------------------------------------------------------------
// Semantics preserved, determinism, errors
// ---------------------------------------------------------------------------------------------

const PROGRAMS: &str = r#"(module
  (type $bin (func (param i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 16) "\01\02\03\04\05\06\07\08\09\0a")
  (table 3 funcref)
  (elem (i32.const 0) $add $sub $mulp)
  (func $add (type $bin) local.get 0 local.get 1 i32.add)
  (func $sub (type $bin) local.get 0 local.get 1 i32.sub)
  (func $mulp (type $bin) local.get 0 local.get 1 i32.mul)
  (func $fact (export "fact") (param i64) (result i64)
    local.get 0 i64.const 2 i64.lt_u
    if (result i64) i64.const 1
    else local.get 0 local.get 0 i64.const 1 i64.sub call $fact i64.mul end)
  (func (export "fib") (param $n i32) (result i64) (local $a i64) (local $b i64) (local $t i64)
    i64.const 1 local.set $b
    block loop
      local.get $n i32.eqz br_if 1
      local.get $a local.get $b i64.add local.set $t
      local.get $b local.set $a local.get $t local.set $b
      local.get $n i32.const 1 i32.sub local.set $n
      br 0
    end end
    local.get $a)
  (func (export "sum_mem") (param $p i32) (param $n i32) (result i32) (local $s i32)
    block loop
      local.get $n i32.eqz br_if 1
      local.get $s local.get $p i32.load8_u i32.add local.set $s
      local.get $p i32.const 1 i32.add local.set $p
      local.get $n i32.const 1 i32.sub local.set $n
      br 0
    end end
    local.get $s)
  (func (export "divmod") (param i32 i32) (result i32 i32)
    local.get 0 local.get 1 i32.div_s local.get 0 local.get 1 i32.rem_s)
  (func (export "swap3") (param i64 i32 i64) (result i64 i64 i32)
    local.get 2 local.get 0 local.get 1)
  (func (export "sext") (param i64) (result i64)
    local.get 0 i64.extend8_s local.get 0 i64.extend16_s i64.add
    local.get 0 i64.extend32_s i64.add
    local.get 0 i32.wrap_i64 i32.extend8_s i64.extend_i32_s i64.add
    local.get 0 i32.wrap_i64 i32.extend16_s i64.extend_i32_u i64.add)
  (func (export "apply") (param i32 i32 i32) (result i32)
    local.get 1 local.get 2 local.get 0 call_indirect (type $bin))
  (func (export "blocks") (param i32) (result i32)
    block (result i32) block (result i32 i32)
      local.get 0 i32.const 1 local.get 0 br_if 0 drop drop i32.const 9 i32.const 9
    end i32.add end
    i32.const 100 local.get 0 select))"#;

#[test]
fn instrumentation_preserves_results() {
    let wasm = wat::parse_str(PROGRAMS).unwrap();
    let info = module_info(&wasm);
    let cases: Vec<(&str, Vec<Val>)> = vec![
        ("fact", vec![Val::I64(0)]),
        ("fact", vec![Val::I64(20)]),
        ("fib", i32s(&[0])),
        ("fib", i32s(&[1])),
        ("fib", i32s(&[90])),
        ("sum_mem", i32s(&[16, 10])),
        ("sum_mem", i32s(&[12, 8])),
        ("divmod", i32s(&[-7, 2])),
        ("divmod", i32s(&[7, 0])),
        ("divmod", i32s(&[i32::MIN, -1])),
        ("swap3", vec![Val::I64(-1), Val::I32(2), Val::I64(3)]),
        ("sext", vec![Val::I64(0x8081_8283_8485_8687u64 as i64)]),
        ("sext", vec![Val::I64(0x7f)]),
        ("apply", i32s(&[0, 6, 7])),
        ("apply", i32s(&[1, 6, 7])),
        ("apply", i32s(&[2, 6, 7])),
        ("apply", i32s(&[3, 6, 7])),
        ("blocks", i32s(&[0])),
        ("blocks", i32s(&[5])),
    ];
    for t in tables() {
        let out = instrument(&wasm, &info, &t, &Limits::default()).unwrap();
        let mut plain = Vm::new(&wasm);
        let mut metered = Vm::new(&out);
        for (name, args) in &cases {
            let expected = plain.call(name, args);
            let (got, used) = metered.run(name, args, AMPLE);
            match (expected, got) {
                (Ok(e), Ok(g)) => assert_eq!(e, g, "{name}{args:?}"),
                (Err(e), Err(g)) => assert_eq!(e.as_trap_code(), g.as_trap_code(), "{name}"),
                (e, g) => panic!("{name}{args:?}: {e:?} vs {g:?}"),
            }
            assert!(used > 0);
        }
    }
}

#[test]
fn instrumenting_twice_gives_identical_bytes() {
    for wat in [
        STRAIGHT, LOOP, IF_ELSE, BR_TABLE, CALLS, BULK, REC, PROGRAMS,
    ] {
        let wasm = wat::parse_str(wat).unwrap();
        let info = module_info(&wasm);
        for t in tables() {
            let a = instrument(&wasm, &info, &t, &Limits::default()).unwrap();
            let b = instrument(&wasm, &info, &t, &Limits::default()).unwrap();
            assert_eq!(a, b);
        }
    }
}

#[test]
fn metered_blocks_partition_the_body() {
    let wasm = wat::parse_str(LOOP).unwrap();
    for payload in Parser::new(0).parse_all(&wasm) {
        if let Payload::CodeSectionEntry(body) = payload.unwrap() {
            let mut r = body.get_operators_reader().unwrap();
            let mut ops = Vec::new();
            while !r.eof() {
                ops.push(r.read().unwrap());
            }
            let t = GasTable::default();
            let blocks = metered_blocks(&ops, &t).unwrap();
            let starts: Vec<_> = blocks.iter().map(|b| (b.start, b.end)).collect();
            // [block loop] [body .. end(loop)] [end(block)] [local.get end]
            assert_eq!(starts, [(0, 2), (2, 15), (15, 16), (16, 18)]);
            let total: u64 = blocks.iter().map(|b: &MeteredBlock| b.cost).sum();
            assert_eq!(total, ops.iter().map(|o| t.op_cost(o)).sum::<u64>());
        }
    }
}

#[test]
fn rejects_instead_of_panicking() {
    let t = GasTable::default();
    let l = Limits::default();
    let info = ModuleInfo::default();
    for bad in [&b""[..], b"\0asm", b"\0asm\x01\0\0\0\x01\xff", b"garbage"] {
        assert!(instrument(bad, &info, &t, &l).is_err());
    }
    // Floats are outside the profile.
    let wasm = wat::parse_str("(module (func (result f32) f32.const 1))").unwrap();
    let info = module_info(&wasm);
    let e = instrument(&wasm, &info, &t, &l).unwrap_err();
    assert!(e.0.contains("outside the profile"), "{e}");
    // Info that does not match the module.
    let wasm = wat::parse_str(STRAIGHT).unwrap();
    assert!(instrument(&wasm, &ModuleInfo::default(), &t, &l).is_err());
    // Per-byte costs that could wrap at run time.
    let huge = GasTable {
        memory_fill_per_byte: 1 << 32,
        ..GasTable::default()
    };
    assert!(instrument(&wasm, &module_info(&wasm), &huge, &l).is_err());
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Random truncated modules never make the instrumenter panic.
    #[test]
    fn truncated_input_never_panics(cut in 0usize..400, flip in 0usize..400, byte: u8) {
        let mut wasm = wat::parse_str(PROGRAMS).unwrap();
        let info = module_info(&wasm);
        let flip = flip % wasm.len();
        wasm[flip] = byte;
        wasm.truncate(cut.min(wasm.len()));
        let _ = instrument(&wasm, &info, &GasTable::default(), &Limits::default());
    }

    /// Straight-line i32 arithmetic costs exactly the sum of its operators' table costs, even
    /// when it traps (the block is charged up front).
    #[test]
    fn straight_line_arithmetic_costs_the_table_sum(
        steps in proptest::collection::vec((0usize..16, any::<i32>()), 1..60)
    ) {
        const BINARY: [&str; 12] = [
            "i32.add", "i32.sub", "i32.mul", "i32.div_u", "i32.rem_s", "i32.and",
            "i32.or", "i32.xor", "i32.shl", "i32.shr_s", "i32.rotl", "i32.lt_u",
        ];
        const UNARY: [&str; 3] = ["i32.eqz", "i32.clz", "i32.popcnt"];
        let t = GasTable::default();
        let cost_of = |op: &str| match op {
            "i32.mul" => t.mul,
            "i32.div_u" | "i32.rem_s" => t.div,
            "drop" => t.drop,
            _ => t.alu,
        };
        let mut body = String::new();
        let mut expected = t.end;
        let mut depth = 0;
        for (choice, k) in steps {
            if depth < 2 || choice < 4 {
                body += &format!(" i32.const {k}");
                expected += t.const_;
                depth += 1;
            } else if choice < 7 {
                let op = UNARY[choice - 4];
                body += &format!(" {op}");
                expected += cost_of(op);
            } else {
                let op = BINARY[(choice - 7 + k.unsigned_abs() as usize) % BINARY.len()];
                body += &format!(" {op}");
                expected += cost_of(op);
                depth -= 1;
            }
        }
        for _ in 1..depth {
            body += " drop";
            expected += t.drop;
        }
        let wat = format!(
            r#"(module (memory (export "memory") 1) (func (export "f") (result i32) {body}))"#
        );
        let mut vm = vm_for(&wat, &t);
        let (_, used) = vm.run("f", &[], AMPLE);
        prop_assert_eq!(used, expected);
    }
}
