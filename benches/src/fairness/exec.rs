//! Execution workloads: one operator class, call shape or host function per workload, repeated in a
//! loop (`benches/README.md#fairness`).

use super::{key, Kind, Workload, STORED_KEYS};
use std::fmt::Write;

/// Byte string of `bytes` for a WAT data segment.
fn data_string(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("\\{b:02x}")).collect()
}

/// The shape every execution workload shares: `method_run` sets up locals, then loops `n` times
/// over `unroll` copies of `body`. `$i` is the iteration (0-based) inside the body.
struct Loop {
    body: &'static str,
    unroll: u32,
    extra: String,
    pages: u32,
}

impl Loop {
    fn new(body: &'static str, unroll: u32) -> Self {
        Self { body, unroll, extra: String::new(), pages: 2 }
    }

    fn module(&self, n: u32) -> Vec<u8> {
        let mut w = String::from("(module\n");
        // Every host function imported as `$name`, so every workload has the same instantiation cost.
        w.push_str(&abi::wat_imports());
        let _ = writeln!(w, r#"  (memory (export "memory") {})"#, self.pages);
        w.push_str("  (global $g (mut i64) (i64.const 1))\n");
        // Memory: a stored key at 0 (KEY_LEN bytes), account 0 at 512, an account at 640 whose last
        // four bytes the body may set, a topic/message area at 1024.
        let _ = writeln!(w, r#"  (data (i32.const 0) "{}")"#, data_string(&key(0)));
        let _ = writeln!(w, r#"  (data (i32.const 512) "{}")"#, data_string(&super::account(0).0));
        let _ = writeln!(w, r#"  (data (i32.const 640) "{}")"#, data_string(&super::account(0).0));
        w.push_str(&self.extra);
        w.push_str(
            r#"  (func (export "method_run") (local $i i32) (local $x i64) (local $y i64) (local $z i64)
    (local $p i32) (local $c i32) (local $k i32)
    (local.set $x (i64.const 0x7fedcba987654321)) (local.set $y (i64.const 3))
    (local.set $p (i32.const 2048)) (local.set $k (i32.const 1))
"#,
        );
        w.push_str("    (loop $l\n");
        for _ in 0..self.unroll {
            let _ = writeln!(w, "      {}", self.body);
        }
        let _ = writeln!(
            w,
            "      (br_if $l (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (i32.const {n})))))\n)"
        );
        super::wat(&w)
    }
}

fn exec(name: &str, n: u32, l: Loop) -> Workload {
    exec_args(name, n, l, Vec::new())
}

fn exec_args(name: &str, n: u32, l: Loop, args: Vec<u8>) -> Workload {
    Workload { name: name.into(), kind: Kind::Exec, build: Box::new(move |n| l.module(n)), n, args }
}

/// A function with 1,024 `i64` locals (the `max_locals` limit) that does nothing.
const BIG_FRAME: &str = "  (type $t0 (func))\n  (table 2 funcref)\n  (elem (i32.const 0) $f0 $big)\n  (func $f0)\n  (func $ret (return))\n  (func $big (local i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64";

fn calls_extra() -> String {
    // 1,024 locals: the line above declares 64; repeat the declaration 16 times.
    let mut s = String::from(BIG_FRAME);
    let decl = " i64".repeat(64);
    for _ in 1..16 {
        s.push_str(&decl);
    }
    s.push_str("))\n");
    s
}

/// Every execution workload.
pub fn exec_workloads() -> Vec<Workload> {
    let calls = |body, unroll| Loop { extra: calls_extra(), ..Loop::new(body, unroll) };
    let big_input = vec![7u8; 64 * 1024];
    let mut w = vec![
        exec("op/loop_iteration", 2_000_000, Loop::new("(nop)", 1)),
        exec(
            "op/alu_local",
            100_000,
            Loop::new("(local.set $x (i64.add (local.get $x) (local.get $y)))", 32),
        ),
        exec(
            "op/alu_unary",
            100_000,
            Loop::new("(local.set $x (i64.clz (i64.popcnt (i64.ctz (local.get $x)))))", 32),
        ),
        exec(
            "op/alu_eqz_chain",
            100_000,
            Loop::new("(local.set $c (i32.eqz (i32.eqz (i32.eqz (i32.eqz (local.get $c))))))", 32),
        ),
        exec("op/const", 100_000, Loop::new("(local.set $x (i64.const 0x7fffffffffff))", 32)),
        exec("op/local_copy", 100_000, Loop::new("(local.set $z (local.get $x))", 32)),
        exec("op/local_tee", 100_000, Loop::new("(local.set $x (local.tee $z (local.get $y)))", 32)),
        exec("op/drop", 100_000, Loop::new("(drop (local.get $x))", 32)),
        exec(
            "op/select",
            100_000,
            Loop::new("(local.set $z (select (local.get $x) (local.get $y) (local.get $c)))", 32),
        ),
        exec("op/global", 100_000, Loop::new("(global.set $g (global.get $g))", 32)),
        exec(
            "op/global_add",
            100_000,
            Loop::new("(global.set $g (i64.add (global.get $g) (local.get $y)))", 32),
        ),
        exec("op/mul", 100_000, Loop::new("(local.set $x (i64.mul (local.get $x) (local.get $y)))", 32)),
        exec("op/div_u64", 50_000, Loop::new("(local.set $z (i64.div_u (local.get $x) (local.get $y)))", 32)),
        exec("op/rem_s64", 50_000, Loop::new("(local.set $z (i64.rem_s (local.get $x) (local.get $y)))", 32)),
        exec("op/div_s32", 50_000, Loop::new("(local.set $c (i32.div_s (local.get $p) (local.get $k)))", 32)),
        exec("op/load", 100_000, Loop::new("(local.set $x (i64.load (local.get $p)))", 32)),
        exec(
            "op/load8_offset",
            100_000,
            Loop::new("(local.set $c (i32.load8_s offset=100 (local.get $p)))", 32),
        ),
        exec("op/store", 100_000, Loop::new("(i64.store (local.get $p) (local.get $x))", 32)),
        exec(
            "op/store8_offset",
            100_000,
            Loop::new("(i32.store8 offset=7 (local.get $p) (local.get $c))", 32),
        ),
        exec("op/memory_size", 100_000, Loop::new("(local.set $c (memory.size))", 32)),
        exec("op/memory_grow", 100_000, Loop::new("(local.set $c (memory.grow (local.get $c)))", 32)),
        exec(
            "op/memory_copy_1",
            50_000,
            Loop::new("(memory.copy (local.get $p) (i32.const 64) (local.get $k))", 32),
        ),
        exec(
            "op/memory_copy_64k",
            200,
            Loop::new("(memory.copy (i32.const 0) (i32.const 65536) (i32.const 65536))", 4),
        ),
        exec(
            "op/memory_fill_1",
            50_000,
            Loop::new("(memory.fill (local.get $p) (i32.const 9) (local.get $k))", 32),
        ),
        exec(
            "op/memory_fill_64k",
            200,
            Loop::new("(memory.fill (i32.const 0) (i32.const 9) (i32.const 65536))", 4),
        ),
        exec("op/br_if_not_taken", 100_000, Loop::new("(block (br_if 0 (local.get $c)))", 32)),
        exec("op/br_if_taken", 100_000, Loop::new("(block (br_if 0 (local.get $k)))", 32)),
        exec("op/br", 100_000, Loop::new("(block (br 0))", 32)),
        exec("op/if_empty", 100_000, Loop::new("(if (local.get $c) (then))", 32)),
        exec("op/if_else", 100_000, Loop::new("(if (local.get $k) (then (nop)) (else (nop)))", 32)),
        exec("op/if_taken", 100_000, Loop::new("(if (local.get $k) (then (nop)))", 32)),
        exec("op/br_table_2", 100_000, Loop::new("(block (block (br_table 0 1 (local.get $k))))", 32)),
        exec(
            "op/select_i32",
            100_000,
            Loop::new("(local.set $c (select (local.get $p) (local.get $k) (local.get $c)))", 32),
        ),
        exec("call/empty", 50_000, calls("(call $f0)", 16)),
        exec("call/return", 50_000, calls("(call $ret)", 16)),
        exec("call/locals_1024", 20_000, calls("(call $big)", 16)),
        exec("call_indirect/empty", 50_000, calls("(call_indirect (type $t0) (i32.const 0))", 16)),
        exec("call_indirect/locals_1024", 20_000, calls("(call_indirect (type $t0) (local.get $k))", 16)),
    ];
    let bt: &'static str =
        Box::leak(format!("(block (br_table{} (local.get $k)))", " 0".repeat(1025)).into_boxed_str());
    w.push(exec("op/br_table_1024", 20_000, Loop::new(bt, 4)));

    // Host functions. `$i` distinguishes keys and accounts: it is stored into their last four bytes.
    let host = |name: &str, n: u32, body: &'static str, unroll: u32| exec(name, n, Loop::new(body, unroll));
    w.extend([
        host("host/input_size", 20_000, "(local.set $c (call $input_size))", 16),
        host("host/gas_left", 20_000, "(local.set $x (call $gas_left))", 16),
        host("host/block_height", 20_000, "(local.set $x (call $block_height))", 16),
        host("host/block_timestamp", 20_000, "(local.set $x (call $block_timestamp))", 16),
        host("host/total_supply", 20_000, "(call $total_supply (i32.const 1024))", 16),
        host("host/tx_hash", 20_000, "(call $tx_hash (i32.const 1024))", 16),
        host("host/prev_block_hash", 20_000, "(call $prev_block_hash (i32.const 1024))", 16),
        host("host/caller", 20_000, "(call $caller (i32.const 1024))", 16),
        host("host/token_id", 20_000, "(call $token_id (i32.const 1024))", 16),
        host("host/token_owner", 20_000, "(call $token_owner (i32.const 1024))", 16),
        host("host/blake3_0", 20_000, "(call $blake3 (i32.const 0) (i32.const 0) (i32.const 1024))", 16),
        host("host/blake3_64k", 200, "(call $blake3 (i32.const 0) (i32.const 65536) (i32.const 70000))", 4),
        host("host/return_data_0", 20_000, "(call $return_data (i32.const 0) (i32.const 0))", 16),
        host("host/return_data_16k", 1_000, "(call $return_data (i32.const 0) (i32.const 16384))", 4),
        host("host/log_0", 32, "(call $log (i32.const 0) (i32.const 0) (i32.const 0))", 1),
        host("host/log_1k", 32, "(call $log (i32.const 0) (i32.const 0) (i32.const 1024))", 1),
        host("host/emit_event_0", 32, "(call $emit_event (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0))", 1),
        host(
            "host/emit_event_max",
            32,
            "(call $emit_event (i32.const 0) (i32.const 64) (i32.const 4096) (i32.const 4096))",
            1,
        ),
        host(
            "host/storage_read_same_16k_cap0",
            2_000,
            "(drop (call $storage_read (i32.const 0) (i32.const 256) (i32.const 1024) (i32.const 0)))",
            4,
        ),
        host(
            "host/storage_read_same_16k_full",
            1_000,
            "(drop (call $storage_read (i32.const 0) (i32.const 256) (i32.const 1024) (i32.const 16384)))",
            4,
        ),
        host(
            "host/storage_read_distinct_16k_cap0",
            STORED_KEYS / 2,
            "(i32.store (i32.const 252) (local.get $i)) (drop (call $storage_read (i32.const 0) (i32.const 256) (i32.const 1024) (i32.const 0)))",
            1,
        ),
        host(
            "host/storage_read_distinct_absent",
            STORED_KEYS / 2,
            "(i32.store (i32.const 252) (i32.add (local.get $i) (i32.const 1000000))) (drop (call $storage_read (i32.const 0) (i32.const 256) (i32.const 1024) (i32.const 0)))",
            1,
        ),
        host(
            "host/storage_read_distinct_absent_key4",
            STORED_KEYS / 2,
            "(i32.store (i32.const 252) (i32.add (local.get $i) (i32.const 1000000))) (drop (call $storage_read (i32.const 252) (i32.const 4) (i32.const 1024) (i32.const 0)))",
            1,
        ),
        host(
            "host/storage_write_distinct_16k",
            256,
            "(i32.store (i32.const 252) (i32.add (local.get $i) (i32.const 2000000))) (call $storage_write (i32.const 0) (i32.const 256) (i32.const 1024) (i32.const 16384))",
            1,
        ),
        host(
            "host/storage_write_distinct_key4",
            2_000,
            "(i32.store (i32.const 252) (i32.add (local.get $i) (i32.const 2000000))) (call $storage_write (i32.const 252) (i32.const 4) (i32.const 1024) (i32.const 0))",
            1,
        ),
        host(
            "host/storage_write_same_16k",
            256,
            "(call $storage_write (i32.const 0) (i32.const 256) (i32.const 1024) (i32.const 16384))",
            1,
        ),
        host(
            "host/storage_remove_distinct",
            STORED_KEYS / 2,
            "(i32.store (i32.const 252) (local.get $i)) (call $storage_remove (i32.const 0) (i32.const 256))",
            1,
        ),
        host(
            "host/storage_remove_absent_key4",
            2_000,
            "(i32.store (i32.const 252) (i32.add (local.get $i) (i32.const 3000000))) (call $storage_remove (i32.const 252) (i32.const 4))",
            1,
        ),
        host(
            "host/balance_of_distinct",
            2_048,
            "(i32.store (i32.const 668) (local.get $i)) (call $balance_of (i32.const 640) (i32.const 1024))",
            1,
        ),
        host(
            "host/balance_of_absent",
            2_048,
            "(i32.store (i32.const 668) (i32.add (local.get $i) (i32.const 1000000))) (call $balance_of (i32.const 640) (i32.const 1024))",
            1,
        ),
        host(
            "host/transfer_distinct",
            2_048,
            "(i32.store (i32.const 668) (i32.add (local.get $i) (i32.const 1000000))) (call $transfer (i32.const 512) (i32.const 640) (i64.const 1) (i64.const 0))",
            1,
        ),
        host(
            "host/mint_distinct",
            2_048,
            "(i32.store (i32.const 668) (i32.add (local.get $i) (i32.const 1000000))) (call $mint (i32.const 640) (i64.const 1) (i64.const 0))",
            1,
        ),
        host(
            "host/burn_distinct",
            2_048,
            "(i32.store (i32.const 668) (local.get $i)) (call $burn (i32.const 640) (i64.const 1) (i64.const 0))",
            1,
        ),
    ]);
    w.push(exec_args(
        "host/input_read_64k",
        200,
        Loop::new("(call $input_read (i32.const 0) (i32.const 0) (i32.const 65536))", 4),
        big_input.clone(),
    ));
    w.push(exec_args(
        "host/input_read_0",
        20_000,
        Loop::new("(call $input_read (i32.const 0) (i32.const 0) (i32.const 0))", 16),
        big_input,
    ));
    // Per-execution costs: a warm execution of an empty loop, whole.
    let l = Loop::new("(nop)", 1);
    w.push(Workload {
        name: "exec/empty_warm".into(),
        kind: Kind::Whole,
        build: Box::new(move |n| l.module(n)),
        n: 1,
        args: Vec::new(),
    });
    // Checkpoints at the specified minimum interval (`spec/trace.md#minimum-interval`) over a
    // 64-page memory: the ALU loop (memory unchanged between checkpoints), and stores that change
    // every page in every window (each checkpoint rehashes all 64 pages), the worst case.
    let k = vm::MIN_CHECKPOINT_INTERVAL;
    for (what, body, unroll, n) in [
        ("alu", "(local.set $x (i64.add (local.get $x) (local.get $y)))", 32, 100_000),
        (
            "all_pages",
            "(i64.store (i32.shl (i32.and (local.get $i) (i32.const 63)) (i32.const 16)) (local.get $x))",
            1,
            1_000_000,
        ),
    ] {
        let l = Loop { pages: 64, ..Loop::new(body, unroll) };
        w.push(Workload {
            name: format!("checkpoint/min_interval_{what}_64_pages"),
            kind: Kind::Checkpoints(k),
            build: Box::new(move |n| l.module(n)),
            n,
            args: Vec::new(),
        });
    }
    w
}
