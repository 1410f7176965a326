//! Compute kernels for the metering-overhead bench, in WAT, integer-only, inside the determinism
//! profile. Each exports `method_run` (so tsvm runs it as a method), writes an 8-byte result at
//! address 0 and hands it to `return_data`; the runners below compare that result across engines.
//!
//! Runners, each with a fresh store and instance per call from a cached module (as tsvm does):
//! [`PlainKernel`] (plain wasmi, with or without wasmi's fuel) and [`InstrumentedKernel`] (the
//! module as `vm::instrument` rewrites it, on plain wasmi, with a `__gas_slow` that traps). Through
//! `vm::Vm` a kernel runs as `Call::Method { name: "run" }`.

use crate::plain_engine;
use vm::{Rules, GAS_GLOBAL_EXPORT, STACK_GLOBAL_EXPORT};
use wasmi::{Caller, Engine, Extern, Func, Instance, Module, Store, TypedFunc, Val};

const PRELUDE: &str = r#"
  (import "tsvm" "return_data" (func $return_data (param i32 i32)))
  (memory (export "memory") 1)
"#;

const RESULT: &str = "(call $return_data (i32.const 0) (i32.const 8))";

/// FNV-style multiply-xor hashing of 200,000 integers.
const HASH: &str = r#"
  (func (export "method_run") (local $i i32) (local $h i64)
    (local.set $h (i64.const 0xcbf29ce484222325))
    (loop $l
      (local.set $h (i64.mul (i64.xor (local.get $h) (i64.extend_i32_u (local.get $i))) (i64.const 0x100000001b3)))
      (local.set $h (i64.xor (local.get $h) (i64.shr_u (local.get $h) (i64.const 29))))
      (br_if $l (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (i32.const 200000))))
    (i64.store (i32.const 0) (local.get $h))
"#;

/// Naive recursive Fibonacci of 22 (57,313 calls).
const RECURSION: &str = r#"
  (func $fib (param $n i32) (result i64)
    (if (result i64) (i32.lt_u (local.get $n) (i32.const 2))
      (then (i64.extend_i32_u (local.get $n)))
      (else (i64.add (call $fib (i32.sub (local.get $n) (i32.const 1)))
                     (call $fib (i32.sub (local.get $n) (i32.const 2)))))))
  (func (export "method_run")
    (i64.store (i32.const 0) (call $fib (i32.const 22)))
"#;

/// A word-by-word memory copy loop (what a compiler emits without bulk memory): 32 KiB, 32 times.
const MEMCOPY: &str = r#"
  (func (export "method_run") (local $i i32) (local $r i32)
    (loop $fill
      (i64.store (local.get $i) (i64.mul (i64.extend_i32_u (local.get $i)) (i64.const 0x9e3779b97f4a7c15)))
      (br_if $fill (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 8))) (i32.const 32768))))
    (loop $round
      (local.set $i (i32.const 0))
      (loop $copy
        (i64.store offset=32768 (local.get $i) (i64.load (local.get $i)))
        (br_if $copy (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 8))) (i32.const 32768))))
      (i64.store (i32.const 8) (i64.add (i64.load (i32.const 8)) (i64.load offset=32768 (i32.const 16))))
      (br_if $round (i32.lt_u (local.tee $r (i32.add (local.get $r) (i32.const 1))) (i32.const 32))))
    (i64.store (i32.const 0) (i64.load offset=32768 (i32.const 8)))
"#;

/// Insertion sort of 1,024 pseudo-random i32.
const SORT: &str = r#"
  (func (export "method_run") (local $i i32) (local $j i32) (local $x i32) (local $seed i32)
    (local.set $seed (i32.const 12345))
    (loop $fill
      (local.set $seed (i32.add (i32.mul (local.get $seed) (i32.const 1103515245)) (i32.const 12345)))
      (i32.store offset=1024 (i32.shl (local.get $i) (i32.const 2)) (local.get $seed))
      (br_if $fill (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (i32.const 1024))))
    (local.set $i (i32.const 1))
    (loop $outer
      (local.set $x (i32.load offset=1024 (i32.shl (local.get $i) (i32.const 2))))
      (local.set $j (local.get $i))
      (block $done
        (loop $inner
          (br_if $done (i32.eqz (local.get $j)))
          (br_if $done (i32.le_s (i32.load offset=1020 (i32.shl (local.get $j) (i32.const 2))) (local.get $x)))
          (i32.store offset=1024 (i32.shl (local.get $j) (i32.const 2))
                     (i32.load offset=1020 (i32.shl (local.get $j) (i32.const 2))))
          (local.set $j (i32.sub (local.get $j) (i32.const 1)))
          (br $inner)))
      (i32.store offset=1024 (i32.shl (local.get $j) (i32.const 2)) (local.get $x))
      (br_if $outer (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (i32.const 1024))))
    (i32.store (i32.const 0) (i32.load offset=1024 (i32.const 0)))
    (i32.store (i32.const 4) (i32.load offset=1024 (i32.const 2048)))
"#;

/// Schoolbook multiply of two 2,048-bit integers (64 limbs of 32 bits), 32 times.
const BIGINT: &str = r#"
  (func (export "method_run")
    (local $i i32) (local $j i32) (local $k i32) (local $rep i32)
    (local $seed i64) (local $carry i64) (local $t i64) (local $ai i64)
    (local.set $seed (i64.const 0x243f6a8885a308d3))
    (loop $fill
      (local.set $seed (i64.add (i64.mul (local.get $seed) (i64.const 6364136223846793005))
                                (i64.const 1442695040888963407)))
      (i32.store offset=4096 (i32.shl (local.get $i) (i32.const 2))
                 (i32.wrap_i64 (i64.shr_u (local.get $seed) (i64.const 32))))
      (br_if $fill (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (i32.const 128))))
    (loop $repeat
      (local.set $k (i32.const 0))
      (loop $clear
        (i64.store offset=4608 (local.get $k) (i64.const 0))
        (br_if $clear (i32.lt_u (local.tee $k (i32.add (local.get $k) (i32.const 8))) (i32.const 512))))
      (local.set $i (i32.const 0))
      (loop $outer
        (local.set $ai (i64.load32_u offset=4096 (i32.shl (local.get $i) (i32.const 2))))
        (local.set $carry (i64.const 0))
        (local.set $j (i32.const 0))
        (loop $inner
          (local.set $k (i32.shl (i32.add (local.get $i) (local.get $j)) (i32.const 2)))
          (local.set $t (i64.add (i64.add (i64.mul (local.get $ai)
                                                   (i64.load32_u offset=4352 (i32.shl (local.get $j) (i32.const 2))))
                                          (i64.load32_u offset=4608 (local.get $k)))
                                 (local.get $carry)))
          (i64.store32 offset=4608 (local.get $k) (local.get $t))
          (local.set $carry (i64.shr_u (local.get $t) (i64.const 32)))
          (br_if $inner (i32.lt_u (local.tee $j (i32.add (local.get $j) (i32.const 1))) (i32.const 64))))
        (i64.store32 offset=4864 (i32.shl (local.get $i) (i32.const 2)) (local.get $carry))
        (br_if $outer (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (i32.const 64))))
      (br_if $repeat (i32.lt_u (local.tee $rep (i32.add (local.get $rep) (i32.const 1))) (i32.const 32))))
    (local.set $t (i64.const 0))
    (local.set $k (i32.const 0))
    (loop $fold
      (local.set $t (i64.xor (i64.rotl (local.get $t) (i64.const 7)) (i64.load offset=4608 (local.get $k))))
      (br_if $fold (i32.lt_u (local.tee $k (i32.add (local.get $k) (i32.const 8))) (i32.const 512))))
    (i64.store (i32.const 0) (local.get $t))
"#;

/// The kernels: (name, body). Every body ends inside `method_run`, before its result hand-off.
pub const KERNELS: [(&str, &str); 5] =
    [("hash", HASH), ("recursion", RECURSION), ("memcopy", MEMCOPY), ("sort", SORT), ("bigint", BIGINT)];

/// The kernel `body` as a complete module binary.
///
/// # Panics
/// If the WAT does not parse (a bug in this file).
pub fn module(body: &str) -> Vec<u8> {
    let wat = format!("(module {PRELUDE} {body} {RESULT}))");
    wat::parse_str(&wat).unwrap_or_else(|e| panic!("kernel WAT: {e}"))
}

fn result_of(store: &Store<()>, instance: &Instance) -> u64 {
    let memory = instance.get_memory(store, "memory").expect("kernels export memory");
    let mut word = [0; 8];
    word.copy_from_slice(&memory.data(store)[..8]);
    u64::from_le_bytes(word)
}

fn return_data(store: &mut Store<()>) -> Func {
    // Reads nothing: the runner reads the result from memory afterwards.
    Func::wrap(store, |_: Caller<'_, ()>, _: i32, _: i32| {})
}

/// A kernel on plain wasmi, uninstrumented, with or without wasmi's own fuel metering.
pub struct PlainKernel {
    engine: Engine,
    module: Module,
    fuel: bool,
}

impl PlainKernel {
    /// Compiles `wasm` on a [`plain_engine`].
    ///
    /// # Panics
    /// If wasmi rejects the kernel.
    pub fn new(wasm: &[u8], fuel: bool) -> Self {
        let engine = plain_engine(fuel);
        let module = Module::new(&engine, wasm).expect("kernel compiles");
        Self { engine, module, fuel }
    }

    /// Runs the kernel on a fresh store and instance; returns its result.
    ///
    /// # Panics
    /// If the kernel traps.
    pub fn run(&self) -> u64 {
        let mut store = Store::new(&self.engine, ());
        if self.fuel {
            store.set_fuel(u64::MAX / 2).expect("fuel is enabled");
        }
        let externs = [Extern::Func(return_data(&mut store))];
        let instance = Instance::new(&mut store, &self.module, &externs).expect("kernel instantiates");
        let run: TypedFunc<(), ()> = instance.get_typed_func(&store, "method_run").expect("method_run");
        run.call(&mut store, ()).expect("kernel runs");
        result_of(&store, &instance)
    }
}

/// A kernel as tsvm instruments it (gas and stack metering, `spec/gas.md`), on plain wasmi without
/// fuel, with the gas global set high so the slow path (which traps) is never reached. This is
/// tsvm's metering alone, without the rest of an execution (module-cache lookup, host state,
/// receipt), which `vm::Vm` adds.
pub struct InstrumentedKernel {
    engine: Engine,
    module: Module,
}

impl InstrumentedKernel {
    /// Validates and instruments `wasm` under the default rules, then compiles it.
    ///
    /// # Panics
    /// If the kernel is outside the profile.
    pub fn new(wasm: &[u8]) -> Self {
        let rules = Rules::default();
        let info = vm::validate(wasm, &rules.limits).expect("kernel is in the profile");
        let instrumented =
            vm::instrument(wasm, &info, &rules.gas, &rules.limits).expect("kernel instruments");
        let engine = plain_engine(false);
        let module = Module::new(&engine, &instrumented).expect("instrumented kernel compiles");
        Self { engine, module }
    }

    /// Runs the kernel on a fresh store and instance; returns its result and the gas it used.
    ///
    /// # Panics
    /// If the kernel traps.
    pub fn run(&self) -> (u64, u64) {
        const START: u64 = i64::MAX as u64;
        let mut store = Store::new(&self.engine, ());
        let slow = Func::wrap(&mut store, |_: Caller<'_, ()>, _: i64, _: i64| -> Result<i64, wasmi::Error> {
            Err(wasmi::Error::new("out of gas"))
        });
        let externs = [Extern::Func(return_data(&mut store)), Extern::Func(slow)];
        let instance = Instance::new(&mut store, &self.module, &externs).expect("kernel instantiates");
        let gas = instance.get_global(&store, GAS_GLOBAL_EXPORT).expect("gas global");
        let sp = instance.get_global(&store, STACK_GLOBAL_EXPORT).expect("stack global");
        gas.set(&mut store, Val::I64(START as i64)).expect("gas global is mutable");
        sp.set(&mut store, Val::I32(0)).expect("stack global is mutable");
        let run: TypedFunc<(), ()> = instance.get_typed_func(&store, "method_run").expect("method_run");
        run.call(&mut store, ()).expect("kernel runs");
        let left = match gas.get(&store) {
            Val::I64(v) => v as u64,
            _ => START,
        };
        (result_of(&store, &instance), START - left)
    }
}
