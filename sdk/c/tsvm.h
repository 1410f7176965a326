/* tsvm.h: the tsvm host functions for C token scripts (clang --target=wasm32).
 *
 * GENERATED from the host table abi::HOST_FUNCTIONS (abi/src/host.rs) by
 * tests/src/c_header.rs. Do not edit: `TSVM_BLESS=1 cargo test -p tsvm-tests --test main
 * c_kit::header_matches_the_host_table` rewrites it; the test fails on any drift.
 *
 * Semantics, limits and gas of each function: spec/abi.md#host-functions.
 * Pointers and lengths are 32-bit (wasm32); a range outside linear memory halts the call
 * with bad_pointer. An amount (u128) is passed as two int64_t halves, low then high.
 * Helpers over these (u128 arithmetic, operation decoding, typed storage): tsvm_kit.h.
 */
#ifndef TSVM_H
#define TSVM_H

#include <stdint.h>

#define TSVM_IMPORT(name) \
    __attribute__((import_module("tsvm"), import_name(#name)))

/** `input_size() -> len`: gas 100 + 0 per byte. spec/abi.md#host-functions */
TSVM_IMPORT(input_size) int32_t input_size(void);
/** `input_read(dst, offset, len)`: gas 100 + 1 per byte. spec/abi.md#host-functions */
TSVM_IMPORT(input_read) void input_read(void *dst, uint32_t offset, uint32_t len);
/** `return_data(ptr, len)`: gas 120 + 1 per byte. spec/abi.md#host-functions */
TSVM_IMPORT(return_data) void return_data(const void *ptr, uint32_t len);
/** `revert(ptr, len)`: gas 120 + 1 per byte. spec/abi.md#host-functions */
TSVM_IMPORT(revert) _Noreturn void revert(const void *ptr, uint32_t len);
/** `storage_read(key, key_len, dst, cap) -> len`: gas 2000 + 4 per byte. spec/abi.md#host-functions */
TSVM_IMPORT(storage_read) int32_t storage_read(const void *key, uint32_t key_len, void *dst, uint32_t cap);
/** `storage_write(key, key_len, val, val_len)`: gas 2000 + 20 per byte. spec/abi.md#host-functions */
TSVM_IMPORT(storage_write) void storage_write(const void *key, uint32_t key_len, const void *val, uint32_t val_len);
/** `storage_remove(key, key_len)`: gas 2000 + 2 per byte. spec/abi.md#host-functions */
TSVM_IMPORT(storage_remove) void storage_remove(const void *key, uint32_t key_len);
/** `balance_of(account, dst)`: gas 1500 + 1 per byte. spec/abi.md#host-functions */
TSVM_IMPORT(balance_of) void balance_of(const void *account, void *dst);
/** `total_supply(dst)`: gas 200 + 1 per byte. spec/abi.md#host-functions */
TSVM_IMPORT(total_supply) void total_supply(void *dst);
/** `transfer(from, to, amount_lo, amount_hi)`: gas 4000 + 1 per byte. spec/abi.md#host-functions */
TSVM_IMPORT(transfer) void transfer(const void *from, const void *to, int64_t amount_lo, int64_t amount_hi);
/** `mint(to, amount_lo, amount_hi)`: gas 4000 + 1 per byte. spec/abi.md#host-functions */
TSVM_IMPORT(mint) void mint(const void *to, int64_t amount_lo, int64_t amount_hi);
/** `burn(from, amount_lo, amount_hi)`: gas 4000 + 1 per byte. spec/abi.md#host-functions */
TSVM_IMPORT(burn) void burn(const void *from, int64_t amount_lo, int64_t amount_hi);
/** `emit_event(topic, topic_len, data, data_len)`: gas 400 + 4 per byte. spec/abi.md#host-functions */
TSVM_IMPORT(emit_event) void emit_event(const void *topic, uint32_t topic_len, const void *data, uint32_t data_len);
/** `log(level, msg, msg_len)`: gas 200 + 2 per byte. spec/abi.md#host-functions */
TSVM_IMPORT(log) void log(uint32_t level, const void *msg, uint32_t msg_len);
/** `block_height() -> height`: gas 100 + 0 per byte. spec/abi.md#host-functions */
TSVM_IMPORT(block_height) int64_t block_height(void);
/** `block_timestamp() -> timestamp_ms`: gas 100 + 0 per byte. spec/abi.md#host-functions */
TSVM_IMPORT(block_timestamp) int64_t block_timestamp(void);
/** `tx_hash(dst)`: gas 100 + 1 per byte. spec/abi.md#host-functions */
TSVM_IMPORT(tx_hash) void tx_hash(void *dst);
/** `prev_block_hash(dst)`: gas 100 + 1 per byte. spec/abi.md#host-functions */
TSVM_IMPORT(prev_block_hash) void prev_block_hash(void *dst);
/** `caller(dst)`: gas 100 + 1 per byte. spec/abi.md#host-functions */
TSVM_IMPORT(caller) void caller(void *dst);
/** `token_id(dst)`: gas 100 + 1 per byte. spec/abi.md#host-functions */
TSVM_IMPORT(token_id) void token_id(void *dst);
/** `token_owner(dst)`: gas 200 + 1 per byte. spec/abi.md#host-functions */
TSVM_IMPORT(token_owner) void token_owner(void *dst);
/** `gas_left() -> gas`: gas 100 + 0 per byte. spec/abi.md#host-functions */
TSVM_IMPORT(gas_left) int64_t gas_left(void);
/** `blake3(ptr, len, dst)`: gas 200 + 2 per byte. spec/abi.md#host-functions */
TSVM_IMPORT(blake3) void blake3(const void *ptr, uint32_t len, void *dst);
/** `cancel_native()`: gas 100 + 0 per byte. spec/abi.md#host-functions */
TSVM_IMPORT(cancel_native) void cancel_native(void);

#endif /* TSVM_H */
