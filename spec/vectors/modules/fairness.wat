;; Gas table version 2's charges that track time (spec/gas.md#host-calls, #cost-table): storage_read
;; with cap 0 pays for the whole value, a write or remove pays for the value it replaces, and a
;; callee pays for its declared locals at entry.
(module
  (import "tsvm" "storage_read" (func $storage_read (param i32 i32 i32 i32) (result i32)))
  (import "tsvm" "storage_write" (func $storage_write (param i32 i32 i32 i32)))
  (import "tsvm" "storage_remove" (func $storage_remove (param i32 i32)))
  (memory (export "memory") 1)
  (data (i32.const 0) "key")
  (func $frame (result i64) (local i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64)
    (local.get 16))
  (func (export "method_t")
    ;; A 1,000-byte value, read with cap 0, replaced by 10 bytes, then removed.
    (call $storage_write (i32.const 0) (i32.const 3) (i32.const 100) (i32.const 1000))
    (drop (call $storage_read (i32.const 0) (i32.const 3) (i32.const 2000) (i32.const 0)))
    (call $storage_write (i32.const 0) (i32.const 3) (i32.const 100) (i32.const 10))
    (call $storage_remove (i32.const 0) (i32.const 3))
    ;; 17 declared locals: 3 units of entry_locals_8.
    (drop (call $frame))))
