;; The host-function step order (spec/abi.md#host-functions) and faults (spec/abi.md#faults):
;; every range is checked before any per-byte charge; storage_read pays for the whole value it reads
;; whatever its cap; a halt names the limit at fault.
(module
  (import "tsvm" "storage_read" (func $storage_read (param i32 i32 i32 i32) (result i32)))
  (import "tsvm" "storage_write" (func $storage_write (param i32 i32 i32 i32)))
  (memory (export "memory") 1)
  ;; storage_write with a 100-byte key in bounds and a value pointer past memory: base gas only.
  (func (export "method_bad_value_ptr")
    (call $storage_write (i32.const 0) (i32.const 100) (i32.const 65535) (i32.const 2)))
  ;; The same with a 1-byte key: the same host gas.
  (func (export "method_bad_value_ptr_short_key")
    (call $storage_write (i32.const 0) (i32.const 1) (i32.const 65535) (i32.const 2)))
  ;; Write a 16 KiB value, then read it with cap 0: the read pays per byte for all 16,384 bytes.
  (func (export "method_read_cap0")
    (call $storage_write (i32.const 0) (i32.const 1) (i32.const 1024) (i32.const 16384))
    (drop (call $storage_read (i32.const 0) (i32.const 1) (i32.const 0) (i32.const 0))))
  ;; A key one byte past max_key_len: limit_exceeded, fault max_key_len.
  (func (export "method_key_past_limit")
    (call $storage_write (i32.const 0) (i32.const 257) (i32.const 0) (i32.const 1))))
