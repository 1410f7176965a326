//! Loading workloads: worst-case modules for validation, instrumentation, compilation and
//! instantiation, each run once on a fresh `Vm` (a module-cache miss), plus per-execution
//! references (`benches/README.md#fairness`).

use super::{Kind, Workload};
use crate::generate::{large_module, large_module_ending_with};

/// Bytes the size-bound workloads aim at: just under `DEFAULT_MAX_CODE_SIZE` (512 KiB).
const NEAR_MAX: usize = 512 * 1024 - 1024;

const HEAD: &str = "(module (memory (export \"memory\") 1) (func (export \"method_run\"))\n";

fn load(name: &str, wasm: Vec<u8>) -> Workload {
    Workload {
        name: name.into(),
        kind: Kind::Load,
        build: Box::new(move |_| wasm.clone()),
        n: 1,
        args: Vec::new(),
    }
}

/// `count` copies of `item` inside a module that has an empty `method_run`.
fn repeated(item: &str, count: usize) -> Vec<u8> {
    let mut w = String::from(HEAD);
    for _ in 0..count {
        w.push_str(item);
    }
    w.push(')');
    super::wat(&w)
}

/// One function whose body is `open` `depth` times then `close` `depth` times.
fn one_body(open: &str, close: &str, depth: usize) -> Vec<u8> {
    let mut w = String::from(HEAD);
    w.push_str("(func ");
    w.push_str(&open.repeat(depth));
    w.push_str(&close.repeat(depth));
    w.push_str("))");
    super::wat(&w)
}

/// Every loading workload.
pub fn load_workloads() -> Vec<Workload> {
    let locals: String = format!("(func (local{}))\n", " i64".repeat(1024));
    let br_table = format!("(func (block (br_table{} (i32.const 0))))\n", " 0".repeat(1024));
    let data = format!("(data (i32.const 0) \"{}\")\n", "\\00".repeat(500));
    let mut data_module =
        String::from("(module (memory (export \"memory\") 64) (func (export \"method_run\"))\n");
    for _ in 0..1_024 {
        data_module.push_str(&data);
    }
    data_module.push(')');
    let ifs = NEAR_MAX / 5;
    let mut invalid = large_module(NEAR_MAX - 200);
    // A trailing custom section with a malformed name length: the whole module is parsed first.
    invalid.extend_from_slice(&[0x00, 0x02, 0xff, 0xff]);
    // A type error in the last body: the rule checks pass, and the strict pass fails only at the
    // end, so validation reads every body three times (once, then the two passes for the errors:
    // vm/src/prepare/validate/mod.rs, `run`).
    let invalid_late = large_module_ending_with(NEAR_MAX, "(func (result i32) (i64.const 0))");
    vec![
        load("load/empty_module", repeated("", 0)),
        load("load/token_script", crate::fixtures::token_wasm()),
        load("load/typical_100k", large_module(100 * 1024)),
        load("load/typical_512k", large_module(NEAR_MAX)),
        load("load/locals_4095x1024", repeated(&locals, 4_095)),
        load("load/functions_4095_empty", repeated("(func)\n", 4_095)),
        load("load/nested_ifs_512k", one_body("i32.const 0 if ", "end ", ifs)),
        load("load/sequential_ifs_512k", one_body("i32.const 0 if end ", "", ifs)),
        load("load/nested_blocks_512k", one_body("block ", "end ", NEAR_MAX / 3)),
        load("load/nested_loops_512k", one_body("loop ", "end ", NEAR_MAX / 3)),
        load("load/straight_line_512k", one_body("i64.const 1 drop ", "", NEAR_MAX / 3)),
        load("load/br_table_1024_x500", repeated(&br_table, NEAR_MAX / 1_040)),
        load("load/data_1024_segments_64_pages", super::wat(&data_module)),
        load("load/invalid_512k", invalid),
        load("load/invalid_late_512k", invalid_late),
    ]
}
