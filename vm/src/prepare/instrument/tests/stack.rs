//! The stack limit (`spec/gas.md#stack-limit`).

use super::gas::STRAIGHT;
use super::*;

pub(super) const REC: &str = r#"(module
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
    let limits = Limits { max_stack_units: 1_000, ..Limits::default() };
    let (_, wasm, info) = instrument_wat(REC, &GasTable::default(), &limits);
    let frame = info.func(1).unwrap().frame_units();
    assert_eq!(frame, FRAME_OVERHEAD_UNITS + 1 + info.func(1).unwrap().max_operand_height);
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
        assert_eq!(e.as_trap_code(), Some(wasmi::TrapCode::UnreachableCodeReached));
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
    let limits = Limits { max_stack_units: FRAME_OVERHEAD_UNITS, ..Limits::default() };
    let (_, wasm, _) = instrument_wat(STRAIGHT, &GasTable::default(), &limits);
    let mut vm = Vm::new(&wasm);
    let (r, used) = vm.run("f", &i32s(&[1, 2]), AMPLE);
    assert!(r.is_err());
    assert_eq!((vm.sp(), used), (STACK_OVERFLOW_SENTINEL, 0), "trap before any charge");
}
