//! `trace/`: the cost of the hashed execution trace (`spec/trace.md`), side by side in one run:
//! no trace (`off`, for measurement only), `hash_only` (what nodes run), `full` (events kept).
//!
//! - `trace/host_calls`: a host-call-heavy method: 40 storage writes and reads, 8 events, 8 logs;
//! - `trace/transfer`: the example token's transfer operation.

// criterion_group! generates an undocumented public function.
#![allow(missing_docs)]

use abi::{Call, Invocation};
use criterion::{criterion_group, criterion_main, Criterion};
use std::hint::black_box;
use tsvm_benches::fixtures;
use vm::{ExecOptions, Rules, TraceLevel, Transaction, Vm};

/// A method making 96 host calls: for i in 0..40 write key i then read it back; 8 events; 8 logs.
const HOST_CALLS: &str = r#"(module
  (import "tsvm" "storage_read" (func $read (param i32 i32 i32 i32) (result i32)))
  (import "tsvm" "storage_write" (func $write (param i32 i32 i32 i32)))
  (import "tsvm" "emit_event" (func $event (param i32 i32 i32 i32)))
  (import "tsvm" "log" (func $log (param i32 i32 i32)))
  (memory (export "memory") 1)
  (data (i32.const 0) "key-0123456789abcdefghijklmnopqrstuvwxyz value-of-sixteen")
  (func (export "method_work")
    (local $i i32)
    (loop $l
      (call $write (local.get $i) (i32.const 8) (i32.const 40) (i32.const 16))
      (drop (call $read (local.get $i) (i32.const 8) (i32.const 100) (i32.const 16)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (i32.const 40))))
    (local.set $i (i32.const 0))
    (loop $l
      (call $event (i32.const 0) (i32.const 4) (i32.const 40) (i32.const 16))
      (call $log (i32.const 1) (i32.const 40) (i32.const 16))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (i32.const 8))))))"#;

fn levels(c: &mut Criterion, group: &str, code: &[u8], invocation: &Invocation) {
    let vm = Vm::new(Rules::default());
    let state = fixtures::state();
    let context = fixtures::context();
    let tx = Transaction { code, invocation, context: &context, gas_limit: 10_000_000 };
    let mut g = c.benchmark_group(group);
    // `off`: the untraced path, for measurement only (its receipts match no node's).
    let e = vm.execute_untraced_for_measurement(&state, &tx).expect("runs");
    assert!(e.receipt.status.is_success(), "{group}/off: {:?}", e.receipt.status);
    g.bench_function("off", |b| {
        b.iter(|| vm.execute_untraced_for_measurement(black_box(&state), black_box(&tx)).expect("runs"))
    });
    for (name, level) in [("hash_only", TraceLevel::HashOnly), ("full", TraceLevel::Full)] {
        let options = ExecOptions { trace: level, ..ExecOptions::default() };
        let e = vm.execute_with(&state, &tx, &options).expect("runs");
        assert!(e.receipt.status.is_success(), "{group}/{name}: {:?}", e.receipt.status);
        g.bench_function(name, |b| {
            b.iter(|| vm.execute_with(black_box(&state), black_box(&tx), &options).expect("runs"))
        });
    }
    g.finish();
}

fn bench_trace(c: &mut Criterion) {
    let code = wat::parse_str(HOST_CALLS).expect("bench WAT parses");
    let call = Call::Method { name: "work".into(), args: Vec::new() };
    levels(c, "trace/host_calls", &code, &Invocation { token: fixtures::TOKEN, call });
    levels(c, "trace/transfer", &fixtures::token_wasm(), &fixtures::invocation());
}

criterion_group!(benches, bench_trace);
criterion_main!(benches);
