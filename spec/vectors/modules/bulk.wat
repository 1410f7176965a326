;; memory.fill and memory.copy are charged per byte of their length.
(module
  (import "tsvm" "return_data" (func $return_data (param i32 i32)))
  (memory (export "memory") 1)
  (func (export "method_t")
    (memory.fill (i32.const 100) (i32.const 0xab) (i32.const 1000))
    (memory.copy (i32.const 2000) (i32.const 600) (i32.const 500))
    (memory.fill (i32.const 0) (i32.const 1) (i32.const 0))
    (call $return_data (i32.const 2496) (i32.const 8)))
  (func (export "method_oob")
    (memory.fill (i32.const 65000) (i32.const 1) (i32.const 537))))
