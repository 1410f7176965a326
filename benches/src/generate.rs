//! Generated modules: a large integer-only module for the cold path, and many distinct small
//! modules for the memory bench.

use std::fmt::Write;

/// One generated function `$f{k}`: a loop over memory with arithmetic, an `if`, a `br_table`, and a
/// call to the previous function (never run: the cold path only prepares the module).
fn function(k: usize) -> String {
    let c = |salt: usize| (k.wrapping_mul(2_654_435_761).wrapping_add(salt * 40_503)) % 1_000_003;
    let off = (k % 16) * 4096;
    let call = if k == 0 {
        "(i64.const 0)".to_string()
    } else {
        format!("(call $f{} (i32.shr_u (local.get $a) (i32.const 1)) (local.get $x))", k - 1)
    };
    format!(
        r#"
  (func $f{k} (param $a i32) (param $b i64) (result i64) (local $i i32) (local $x i64) (local $y i32)
    (local.set $x (local.get $b))
    (loop $l
      (local.set $x (i64.add (i64.mul (local.get $x) (i64.const {c1})) (i64.extend_i32_u (local.get $i))))
      (local.set $y (i32.xor (i32.load offset={off} (i32.and (local.get $i) (i32.const 1020))) (local.get $a)))
      (i32.store offset={off} (i32.and (local.get $i) (i32.const 1020)) (i32.add (local.get $y) (i32.const {c2})))
      (if (i32.gt_u (local.get $y) (i32.const {c3}))
        (then (local.set $x (i64.rotl (local.get $x) (i64.const 13))))
        (else (local.set $x (i64.xor (local.get $x) (i64.const {c4})))))
      (block $b2 (block $b1 (block $b0
        (br_table $b0 $b1 $b2 (i32.and (local.get $y) (i32.const 3))))
        (local.set $y (i32.rotl (local.get $y) (i32.const 5))))
        (local.set $y (i32.div_u (local.get $y) (i32.const {c5}))))
      (br_if $l (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 4))) (local.get $a))))
    (i64.add (i64.add (local.get $x) (i64.extend_i32_s (local.get $y))) {call}))"#,
        c1 = c(1),
        c2 = c(2),
        c3 = c(3),
        c4 = c(4),
        c5 = c(5) | 1,
    )
}

fn module_with(functions: usize, tail: &str) -> Vec<u8> {
    let mut wat = String::from("(module\n  (memory (export \"memory\") 1)");
    for k in 0..functions {
        wat.push_str(&function(k));
    }
    let last = functions.saturating_sub(1);
    let _ = write!(
        wat,
        "\n  (func (export \"method_run\") (drop (call $f{last} (i32.const 64) (i64.const 1))))\n  {tail})"
    );
    wat::parse_str(&wat).unwrap_or_else(|e| panic!("generated WAT: {e}"))
}

/// An integer-only module inside the determinism profile of about `target` bytes (within one
/// function's size, about 200 bytes): many functions of loops, memory access, branches and calls.
///
/// # Panics
/// If the generated WAT does not parse (a bug in this file).
pub fn large_module(target: usize) -> Vec<u8> {
    large_module_ending_with(target, "")
}

/// [`large_module`] with `tail`, WAT module fields (one more function, say), after its functions.
/// The generated part is sized so that the whole is about `target` bytes.
///
/// # Panics
/// If the generated WAT does not parse (a bug in this file, or in `tail`).
pub fn large_module_ending_with(target: usize, tail: &str) -> Vec<u8> {
    // Sizes grow almost linearly with the function count (LEB128 indices aside): estimate, then
    // correct twice from the real size.
    let mut count = target / module_with(16, tail).len().div_ceil(16).max(1);
    let mut wasm = module_with(count, tail);
    for _ in 0..2 {
        let per_function = wasm.len().div_ceil(count.max(1)).max(1);
        let error = wasm.len() as isize - target as isize;
        count = (count as isize - error / per_function as isize).max(1) as usize;
        wasm = module_with(count, tail);
    }
    wasm
}

/// `n` distinct token scripts: `examples/token.wat` with one extra function returning its index.
/// They differ in their code hash, so each is a separate module-cache entry.
pub fn distinct_tokens(n: usize) -> impl Iterator<Item = Vec<u8>> {
    let wat = crate::fixtures::TOKEN_WAT.trim_end();
    let head = wat.strip_suffix(')').expect("token.wat ends its module with `)`").to_string();
    (0..n).map(move |i| {
        let mut text = head.clone();
        let _ = write!(text, "  (func $id (result i64) (i64.const {i})))");
        wat::parse_str(&text).expect("token variant parses")
    })
}
