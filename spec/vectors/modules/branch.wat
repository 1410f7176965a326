;; br_table (charged per target), if/else, and a trap.
(module
  (import "tsvm" "input_read" (func $input_read (param i32 i32 i32)))
  (import "tsvm" "return_data" (func $return_data (param i32 i32)))
  (memory (export "memory") 1)
  (func $pick (param $x i32) (result i32)
    (block $d (block $c (block $b (block $a
      (br_table $a $b $c $d (local.get $x)))
      (return (i32.const 10)))
      (return (i32.const 20)))
      (return (i32.const 30)))
    (if (result i32) (i32.gt_u (local.get $x) (i32.const 100)) (then (i32.const 99)) (else (i32.const 40))))
  (func (export "method_t")
    (call $input_read (i32.const 0) (i32.const 0) (i32.const 4))
    (i32.store (i32.const 8) (call $pick (i32.load (i32.const 0))))
    (call $return_data (i32.const 8) (i32.const 4)))
  (func (export "method_div0")
    (drop (i32.div_s (i32.const 1) (i32.const 0)))))
