;; A counted loop: the loop body is one metered block charged per iteration.
(module
  (import "tsvm" "return_data" (func $return_data (param i32 i32)))
  (memory (export "memory") 1)
  (func (export "method_t")
    (local $i i32) (local $sum i64)
    (loop $l
      (local.set $sum (i64.add (local.get $sum) (i64.extend_i32_u (local.get $i))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (i32.const 100))))
    (i64.store (i32.const 0) (local.get $sum))
    (call $return_data (i32.const 0) (i32.const 8)))
  (func (export "method_forever") (loop $l (br $l))))
