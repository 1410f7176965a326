;; A memory of 1-byte pages (profile 3, determinism.md#memory): 1,000 bytes, fixed; memory.size
;; counts bytes; the last bytes are usable and the first byte past them traps, in guest code and
;; in a host range alike. A data segment fills the last four bytes.
(module
  (import "tsvm" "return_data" (func $return_data (param i32 i32)))
  (memory (export "memory") 1000 (pagesize 1))
  (data (i32.const 996) "tsvm")
  (func (export "method_t")
    (i32.store (i32.const 0) (memory.size))
    (i32.store (i32.const 4) (memory.grow (i32.const 1)))
    (i32.store (i32.const 8) (i32.load (i32.const 996)))
    (i64.store (i32.const 992) (i64.const 0x0102030405060708))
    (call $return_data (i32.const 0) (i32.const 12)))
  (func (export "method_last")
    (call $return_data (i32.const 992) (i32.const 8)))
  (func (export "method_oob")
    (i32.store (i32.const 997) (i32.const 1)))
  (func (export "method_host_oob")
    (call $return_data (i32.const 996) (i32.const 5))))
