//! Module-level behaviour: results preserved, determinism, metered blocks, errors (`spec/gas.md#instrumentation`).

use super::gas::{straight_cost, BR_TABLE, BULK, CALLS, IF_ELSE, LOOP, STRAIGHT};
use super::stack::REC;
use super::*;

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
    for wat in [STRAIGHT, LOOP, IF_ELSE, BR_TABLE, CALLS, BULK, REC, PROGRAMS] {
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
    let huge = GasTable { memory_fill_per_byte: 1 << 32, ..GasTable::default() };
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

/// The operators and locals of the `index`-th body of a module.
fn body_of(wasm: &[u8], index: usize) -> (Vec<(u32, wasmparser::ValType)>, Vec<String>) {
    let body = Parser::new(0)
        .parse_all(wasm)
        .filter_map(|p| match p.unwrap() {
            Payload::CodeSectionEntry(b) => Some(b),
            _ => None,
        })
        .nth(index)
        .unwrap();
    let locals = body.get_locals_reader().unwrap().into_iter();
    let locals = locals.map(Result::unwrap).collect();
    let mut r = body.get_operators_reader().unwrap();
    let mut ops = Vec::new();
    while !r.eof() {
        ops.push(format!("{:?}", r.read().unwrap()));
    }
    (locals, ops)
}

#[test]
fn injected_code_is_the_spec_sequence() {
    use wasmparser::{BlockType::Empty, Operator as O, ValType as V};
    let t = GasTable::default();
    let (orig, wasm, info) = instrument_wat(STRAIGHT, &t, &Limits::default());
    let f = info.func(0).unwrap();
    let frame = f.frame_units() as i32;
    let headroom = Limits::default().max_stack_units as i32 - frame;
    let c = straight_cost(&t) as i64;
    // No imports and no globals: slow path is function 0, gas global 0, stack global 1; the two
    // parameters are locals 0-1, so the scratch locals are 2 ($base), 3 ($len), 4 ($cost), 5 ($g).
    // spec/gas.md#charge-sequence on $g (`g`: local 5 here, 4 in the second body).
    let charge = |g: u32, c: i64, sync: bool| {
        let mut seq = vec![
            O::LocalGet { local_index: g },
            O::I64Const { value: c },
            O::I64LtU,
            O::If { blockty: Empty },
            O::LocalGet { local_index: g },
            O::I64Const { value: c },
            O::Call { function_index: 0 },
            O::LocalSet { local_index: g },
            O::End,
            O::LocalGet { local_index: g },
            O::I64Const { value: c },
            O::I64Sub,
        ];
        if sync {
            seq.extend([O::LocalTee { local_index: g }, O::GlobalSet { global_index: 0 }]);
        } else {
            seq.push(O::LocalSet { local_index: g });
        }
        seq
    };
    // spec/gas.md#stack-limit: the check, with `local.tee $base` in a body with calls.
    let check = |headroom: i32, base: Option<u32>| {
        let mut seq = vec![O::GlobalGet { global_index: 1 }];
        seq.extend(base.map(|local_index| O::LocalTee { local_index }));
        seq.extend([
            O::I32Const { value: headroom },
            O::I32GtU,
            O::If { blockty: Empty },
            O::I32Const { value: STACK_OVERFLOW_SENTINEL },
            O::GlobalSet { global_index: 1 },
            O::Unreachable,
            O::End,
        ]);
        seq
    };
    // A body without calls only checks; spec/gas.md#gas-local: then the gas load.
    let mut injected = check(headroom, None);
    injected.extend([O::GlobalGet { global_index: 0 }, O::LocalSet { local_index: 5 }]);
    // The only block holds `i32.div_u` and the final `end`: synced (spec/gas.md#synced-blocks).
    injected.extend(charge(5, c, true));
    let (locals, ops) = body_of(&wasm, 0);
    let (_, orig_ops) = body_of(&orig, 0);
    let expected: Vec<String> = injected.iter().map(|o| format!("{o:?}")).chain(orig_ops).collect();
    assert_eq!(ops, expected);
    // spec/gas.md#scratch-locals
    assert_eq!(locals, [(2, V::I32), (2, V::I64)]);

    // A quiet loop body is charged on the local only; a call writes back before and reloads after.
    let wat = r#"(module (memory (export "memory") 1)
      (func $g)
      (func (export "f") (param i32)
        loop local.get 0 i32.const 1 i32.sub local.tee 0 br_if 0 end
        call $g))"#;
    let (_, wasm, info) = instrument_wat(wat, &t, &Limits::default());
    let (locals, ops) = body_of(&wasm, 1);
    // param 0; scratch 1 ($base), 2 ($len), 3 ($cost), 4 ($g).
    assert_eq!(locals, [(2, V::I32), (2, V::I64)]);
    let body_cost = (2 * t.local + t.const_ + t.alu + t.br_if + t.end) as i64;
    let tail_cost = (t.call + t.end) as i64;
    let frame = info.func(1).unwrap().frame_units() as i32;
    let headroom = Limits::default().max_stack_units as i32 - frame;
    // A body with calls keeps its level in $base and in `sp`.
    let mut expected = check(headroom, Some(1));
    expected.extend([
        O::LocalGet { local_index: 1 },
        O::I32Const { value: frame },
        O::I32Add,
        O::LocalTee { local_index: 1 },
        O::GlobalSet { global_index: 1 },
        O::GlobalGet { global_index: 0 },
        O::LocalSet { local_index: 4 },
        O::Loop { blockty: Empty },
    ]);
    expected.extend(charge(4, body_cost, false));
    expected.extend([
        O::LocalGet { local_index: 0 },
        O::I32Const { value: 1 },
        O::I32Sub,
        O::LocalTee { local_index: 0 },
        O::BrIf { relative_depth: 0 },
        O::End,
    ]);
    expected.extend(charge(4, tail_cost, true));
    expected.extend([
        O::Call { function_index: 1 },
        // spec/gas.md#stack-limit, spec/gas.md#gas-local
        O::LocalGet { local_index: 1 },
        O::GlobalSet { global_index: 1 },
        O::GlobalGet { global_index: 0 },
        O::LocalSet { local_index: 4 },
        O::End,
    ]);
    let expected: Vec<String> = expected.iter().map(|o| format!("{o:?}")).collect();
    assert_eq!(ops, expected);
}

/// spec/gas.md#write-backs: the final `end` of `if ... else ... call ... end` writes nothing (the
/// else arm reloaded after its call, the then arm, a tail block, is promoted), while a final `end`
/// reached from a loop still writes back.
#[test]
fn final_write_back_only_where_the_global_may_be_stale() {
    use wasmparser::Operator as O;
    let t = GasTable::default();
    let wat = r#"(module (memory (export "memory") 1)
      (func $fib (export "fib") (param i32) (result i32)
        (if (result i32) (i32.lt_u (local.get 0) (i32.const 2))
          (then (local.get 0))
          (else (i32.add (call $fib (i32.sub (local.get 0) (i32.const 1)))
                         (call $fib (i32.sub (local.get 0) (i32.const 2)))))))
      (func (export "spin") (param i32)
        (block (loop (br_if 1 (i32.eqz (local.get 0)))
                     (local.set 0 (i32.sub (local.get 0) (i32.const 1))) (br 0)))))"#;
    let (_, wasm, _) = instrument_wat(wat, &t, &Limits::default());
    // fib and spin: param 0, $base 1, $len 2, $cost 3, $g 4.
    let write_back =
        |g: u32| [O::LocalGet { local_index: g }, O::GlobalSet { global_index: 0 }].map(|o| format!("{o:?}"));
    let (_, fib) = body_of(&wasm, 0);
    assert!(!fib.ends_with(&[&write_back(4)[..], &["End".to_string()]].concat()), "{fib:?}");
    let tee =
        [format!("{:?}", O::LocalTee { local_index: 4 }), format!("{:?}", O::GlobalSet { global_index: 0 })];
    let promoted_then_arm = fib.windows(2).filter(|w| *w == tee).count();
    assert_eq!(promoted_then_arm, 2, "then arm and else arm both sync: {fib:?}");
    // spec/gas.md#gas-local: loaded at entry and after each of the two calls.
    let loads = fib.iter().filter(|o| **o == format!("{:?}", O::GlobalGet { global_index: 0 })).count();
    assert_eq!(loads, 3, "{fib:?}");
    let (_, spin) = body_of(&wasm, 1);
    assert!(spin.ends_with(&[&write_back(4)[..], &["End".to_string()]].concat()), "{spin:?}");
    let mut vm = Vm::new(&wasm);
    for n in 0..12 {
        let (r, used) = gas_of(&mut vm, "fib", &i32s(&[n]));
        let fib = |n: i64| (0..n).fold((0i64, 1i64), |(a, b), _| (b, a + b)).0;
        assert_eq!(r, [fib(i64::from(n))]);
        assert!(used > 0);
    }
}

#[test]
fn spec_names_the_constants_of_the_code() {
    const SPEC: &str = include_str!("../../../../../spec/gas.md");
    assert_eq!(FRAME_OVERHEAD_UNITS, 8);
    assert!(SPEC.contains("`FRAME_OVERHEAD_UNITS` is 8"));
    assert_eq!(crate::DEFAULT_MAX_STACK_UNITS, 65_536);
    assert!(SPEC.contains("default 65,536"));
    assert_eq!(STACK_OVERFLOW_SENTINEL, -1);
    assert!(SPEC.contains("`-1` (`STACK_OVERFLOW_SENTINEL`)"));
    assert!(SPEC.contains(&format!("exported as `{GAS_GLOBAL_EXPORT}`")));
    assert!(SPEC.contains(&format!("exported as `{STACK_GLOBAL_EXPORT}`")));
    assert!(SPEC.contains(&format!("`{}.{GAS_SLOW_IMPORT} : (i64, i64) -> i64`", abi::HOST_MODULE)));
    assert!(SPEC.contains("below `2^32`"));
}

#[test]
fn wide_offset_stores_spill_their_value_and_cost_nothing_more() {
    // spec/gas.md#wide-offset-stores: param 0, then $base 1, $len 2, $cost 3, $g 4.
    use wasmparser::Operator as O;
    let t = GasTable::default();
    let stores = [
        ("i32.store", false),
        ("i32.store8", false),
        ("i32.store16", false),
        ("i64.store", true),
        ("i64.store8", true),
        ("i64.store16", true),
        ("i64.store32", true),
    ];
    for (store, wide_value) in stores {
        let mut gas = Vec::new();
        for offset in [0xFFFFu32, 0x1_0000] {
            let convert = if wide_value { "(i64.extend_i32_u)" } else { "" };
            let wat = format!(
                r#"(module (memory 2) (func (export "f") (param i32) (result i32)
                     (local.set 0 (i32.add (local.get 0) (i32.const 1))) (local.get 0) (local.get 0)
                     {convert} ({store} offset={offset}) (i32.load8_u offset={offset} (local.get 0))))"#
            );
            let (_, wasm, _) = instrument_wat(&wat, &t, &Limits::default());
            let (_, ops) = body_of(&wasm, 0);
            let at = ops.iter().position(|o| o.contains("memarg")).unwrap();
            // No calls: param 0, then $len 1 (i32 value) or $cost 1 (i64 value), then $g 2.
            let spill = if wide_value { 3 } else { 2 };
            let spilled = [O::LocalSet { local_index: spill }, O::LocalGet { local_index: spill }]
                .map(|o| format!("{o:?}"));
            assert_eq!(ops[at - 2..at] == spilled, offset > 0xFFFF, "{store} offset={offset}: {ops:?}");
            let mut vm = Vm::new(&wasm);
            let (result, used) = gas_of(&mut vm, "f", &i32s(&[2]));
            assert_eq!(result, [3], "{store} offset={offset}");
            gas.push(used);
        }
        assert_eq!(gas[0], gas[1], "{store}: the spill must cost nothing");
    }
}
