//! Exact gas of metered code, out-of-gas at the limit, checkpoints and fixed memory (`spec/gas.md`).

use super::*;

pub(super) const STRAIGHT: &str = r#"(module (memory (export "memory") 1)
  (func (export "f") (param i32 i32) (result i32)
    local.get 0 local.get 1 i32.add i32.const 3 i32.mul local.get 1 i32.div_u))"#;

pub(super) fn straight_cost(t: &GasTable) -> u64 {
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

pub(super) const LOOP: &str = r#"(module (memory (export "memory") 1)
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

/// Gas of `sum(n)`: entry block `[block loop]` with the entry charge for its one declared local,
/// the loop body block charged on each of the `n + 1` entries (the last exits at `br_if`), and the
/// tail `[local.get end]` reached from the branch.
fn loop_cost(t: &GasTable, n: u64) -> u64 {
    let entry = 2 * t.block + t.entry_locals(1);
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

pub(super) const IF_ELSE: &str = r#"(module (memory (export "memory") 1)
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
        assert_eq!(gas_of(&mut vm, "sel", &i32s(&[1])), (vec![10], head + then_arm + tail));
        assert_eq!(gas_of(&mut vm, "sel", &i32s(&[0])), (vec![21], head + else_arm + tail));

        let then_arm = t.const_ + t.local + t.end;
        let tail = t.local + t.end;
        assert_eq!(gas_of(&mut vm, "one_arm", &i32s(&[7])), (vec![5], head + then_arm + tail));
        assert_eq!(gas_of(&mut vm, "one_arm", &i32s(&[0])), (vec![0], head + tail));
    }
}

pub(super) const BR_TABLE: &str = r#"(module (memory (export "memory") 1)
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
        assert_eq!(gas_of(&mut vm, "sw", &i32s(&[99])), (vec![300], head + tail));
    }
}

/// Two imports shift every defined function; the elem segment and the exports must follow.
pub(super) const CALLS: &str = r#"(module
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
        assert_eq!(gas_of(&mut vm, "direct", &i32s(&[21])), (vec![42], t.local + t.call + t.end + double));
        let ind = 2 * t.local + t.call_indirect + t.end;
        assert_eq!(gas_of(&mut vm, "indirect", &i32s(&[21, 0])), (vec![42], ind + double));
        assert_eq!(gas_of(&mut vm, "indirect", &i32s(&[21, 1])), (vec![22], ind + inc));
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
            // $t, () -> i64, (i32 i32) -> i32, then the appended (i64, i64) -> i64.
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
      (type $b (func (param i64 i64) (result i64)))
      (memory (export "memory") 1)
      (func $named (export "f") (type $b) local.get 0))"#;
    let (orig, wasm, _) = instrument_wat(wat, &GasTable::default(), &Limits::default());
    assert!(Parser::new(0).parse_all(&orig).any(|p| matches!(p.unwrap(), Payload::CustomSection(_))));
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
    let t = GasTable::default();
    assert_eq!(gas_of(&mut vm, "f", &[Val::I64(1), Val::I64(2)]), (vec![1], t.local + t.end));
}

#[test]
fn minimal_module_instruments() {
    let (_, wasm, _) =
        instrument_wat(r#"(module (memory (export "memory") 1))"#, &GasTable::default(), &Limits::default());
    let vm = Vm::new(&wasm);
    assert_eq!((vm.gas(), vm.sp()), (0, 0));
}

pub(super) const BULK: &str = r#"(module (memory (export "memory") 1)
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
            assert_eq!(used, 3 * t.local + t.memory_fill_base + t.end + n * t.memory_fill_per_byte);
            let (r, used) = vm.run("copy", &i32s(&[0, 0, n as i32]), AMPLE);
            r.unwrap();
            assert_eq!(used, 3 * t.local + t.memory_copy_base + t.end + n * t.memory_copy_per_byte);
        }
        vm.run("fill", &i32s(&[0, 0, 64]), AMPLE).0.unwrap();
        vm.run("fill", &i32s(&[10, 7, 3]), AMPLE).0.unwrap();
        vm.run("copy", &i32s(&[20, 9, 5]), AMPLE).0.unwrap();
        let bytes: Vec<i64> = (18..26).map(|a| vm.call("load8", &i32s(&[a])).unwrap()[0]).collect();
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
    assert_eq!(vm.gas(), 99, "the failing dynamic charge leaves the global alone");
    assert_eq!(vm.call("load8", &i32s(&[0])).unwrap(), [0], "memory untouched");
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
// The gas local and the global (spec/gas.md#synced-blocks)
// ---------------------------------------------------------------------------------------------

/// Quiet loop blocks keep gas in the local only; a trap, a branch out of the function and the
/// final `end` must still leave exactly the charged gas in the global.
const EXITS: &str = r#"(module (memory (export "memory") 1)
  (func (export "trap_after_loop") (param $n i32) (param $addr i32) (result i32)
    loop $l
      local.get $n i32.const 1 i32.sub local.tee $n br_if $l
    end
    local.get $addr i32.load)
  (func (export "br_out") (param $n i32) (result i32)
    block $b
      loop $l
        i32.const 9
        local.get $n i32.const 1 i32.sub local.tee $n
        i32.eqz br_if 2
        drop
        br $l
      end
    end
    i32.const 7))"#;

#[test]
fn global_is_exact_at_traps_and_exits_after_quiet_blocks() {
    for t in tables() {
        let mut vm = vm_for(EXITS, &t);
        let body = 2 * t.local + t.const_ + t.alu + t.br_if + t.end;
        let tail = t.local + t.load + t.end;
        for n in [1u64, 5] {
            let expected = t.block + n * body + tail;
            let (r, used) = vm.run("trap_after_loop", &i32s(&[n as i32, 0]), AMPLE);
            assert_eq!((r.unwrap(), used), (vec![0], expected));
            let (r, used) = vm.run("trap_after_loop", &i32s(&[n as i32, 65_536]), AMPLE);
            assert_eq!(r.unwrap_err().as_trap_code(), Some(wasmi::TrapCode::MemoryOutOfBounds));
            assert_eq!(used, expected, "a trap leaves the gas charged before it");
        }
        let body = 2 * t.local + 2 * t.const_ + 2 * t.alu + t.br_if + t.drop + t.br + t.end;
        for n in [1u64, 4] {
            let (r, used) = vm.run("br_out", &i32s(&[n as i32]), AMPLE);
            assert_eq!(used, 2 * t.block + n * body, "n = {n}");
            assert_eq!(r.unwrap(), [9]);
        }
    }
}
