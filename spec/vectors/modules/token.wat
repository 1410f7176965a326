;; An example token script: a fungible token whose transfers are limited, with a counter in storage.
;;
;; - before_transfer: rejects a transfer above the limit (storage "limit", u64 LE; 1000 when unset)
;;   with the reason "transfer above limit"; counts the hook in storage "count" (u64 LE).
;; - after_transfer: emits the event "transfer" with the amount (16 bytes LE); counts the hook.
;; - before_mint: counts the hook.
;; - view_count: returns "count" (8 bytes LE).
;; - method_set_limit(args: u64 LE): the token owner sets the limit; anyone else: "not owner".
;; - method_reward(args: to[32] ++ amount u64 LE): mints `amount` to `to` (if the policy allows).
;;
;; Hook input is the borsh encoding of the operation: Transfer = 0x00 ++ from[32] ++ to[32] ++ amount u128 LE.
(module
  (import "tsvm" "input_size" (func $input_size (result i32)))
  (import "tsvm" "input_read" (func $input_read (param i32 i32 i32)))
  (import "tsvm" "return_data" (func $return_data (param i32 i32)))
  (import "tsvm" "revert" (func $revert (param i32 i32)))
  (import "tsvm" "storage_read" (func $storage_read (param i32 i32 i32 i32) (result i32)))
  (import "tsvm" "storage_write" (func $storage_write (param i32 i32 i32 i32)))
  (import "tsvm" "emit_event" (func $emit_event (param i32 i32 i32 i32)))
  (import "tsvm" "caller" (func $caller (param i32)))
  (import "tsvm" "token_owner" (func $token_owner (param i32)))
  (import "tsvm" "mint" (func $mint (param i32 i64 i64)))

  (memory (export "memory") 1)
  (data (i32.const 1024) "count")
  (data (i32.const 1040) "limit")
  (data (i32.const 1100) "transfer above limit")
  (data (i32.const 1130) "not owner")
  (data (i32.const 1150) "transfer")
  (data (i32.const 1160) "bad args")

  ;; count += 1
  (func $bump
    (local $n i64)
    (if (i32.eq (call $storage_read (i32.const 1024) (i32.const 5) (i32.const 2048) (i32.const 8)) (i32.const 8))
      (then (local.set $n (i64.load (i32.const 2048)))))
    (i64.store (i32.const 2048) (i64.add (local.get $n) (i64.const 1)))
    (call $storage_write (i32.const 1024) (i32.const 5) (i32.const 2048) (i32.const 8)))

  ;; the transfer limit
  (func $limit (result i64)
    (if (result i64)
      (i32.eq (call $storage_read (i32.const 1040) (i32.const 5) (i32.const 2064) (i32.const 8)) (i32.const 8))
      (then (i64.load (i32.const 2064)))
      (else (i64.const 1000))))

  ;; reads exactly `len` bytes of input to `dst`, or reverts with "bad args"
  (func $args (param $dst i32) (param $len i32)
    (if (i32.ne (call $input_size) (local.get $len))
      (then (call $revert (i32.const 1160) (i32.const 8))))
    (call $input_read (local.get $dst) (i32.const 0) (local.get $len)))

  (func $eq32 (param $a i32) (param $b i32) (result i32)
    (i32.and
      (i32.and (i64.eq (i64.load (local.get $a)) (i64.load (local.get $b)))
               (i64.eq (i64.load offset=8 (local.get $a)) (i64.load offset=8 (local.get $b))))
      (i32.and (i64.eq (i64.load offset=16 (local.get $a)) (i64.load offset=16 (local.get $b)))
               (i64.eq (i64.load offset=24 (local.get $a)) (i64.load offset=24 (local.get $b))))))

  (func (export "before_transfer")
    (call $args (i32.const 0) (i32.const 81))
    ;; amount: lo at 65, hi at 73
    (if (i32.or (i64.ne (i64.load (i32.const 73)) (i64.const 0))
                (i64.gt_u (i64.load (i32.const 65)) (call $limit)))
      (then (call $revert (i32.const 1100) (i32.const 20))))
    (call $bump))

  (func (export "after_transfer")
    (call $args (i32.const 0) (i32.const 81))
    (call $emit_event (i32.const 1150) (i32.const 8) (i32.const 65) (i32.const 16))
    (call $bump))

  (func (export "before_mint")
    (call $bump))

  (func (export "view_count")
    (i64.store (i32.const 2048) (i64.const 0))
    (drop (call $storage_read (i32.const 1024) (i32.const 5) (i32.const 2048) (i32.const 8)))
    (call $return_data (i32.const 2048) (i32.const 8)))

  (func (export "method_set_limit")
    (call $caller (i32.const 2100))
    (call $token_owner (i32.const 2140))
    (if (i32.eqz (call $eq32 (i32.const 2100) (i32.const 2140)))
      (then (call $revert (i32.const 1130) (i32.const 9))))
    (call $args (i32.const 2064) (i32.const 8))
    (call $storage_write (i32.const 1040) (i32.const 5) (i32.const 2064) (i32.const 8))
    (call $bump))

  (func (export "method_reward")
    (call $args (i32.const 0) (i32.const 40))
    (call $mint (i32.const 0) (i64.load (i32.const 32)) (i64.const 0)))
)
