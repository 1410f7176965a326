;; Straight-line integer arithmetic, one metered block.
(module
  (import "tsvm" "return_data" (func $return_data (param i32 i32)))
  (memory (export "memory") 1)
  (func (export "method_t")
    (i64.store (i32.const 0)
      (i64.add
        (i64.mul (i64.const 7) (i64.const 6))
        (i64.div_u (i64.const 100) (i64.const 3))))
    (i32.store (i32.const 8) (i32.extend8_s (i32.const 0x80)))
    (call $return_data (i32.const 0) (i32.const 12))))
