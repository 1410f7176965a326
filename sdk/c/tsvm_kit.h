/* tsvm_kit.h: helpers for C token scripts over the host functions of tsvm.h (header-only).
 *
 * - u128: amounts as two uint64_t halves, with add/sub (checked), compare, multiply and divide
 *   written on 64-bit halves, so that clang never calls compiler-rt (__multi3, __udivti3), which
 *   a token script cannot import (spec/determinism.md#imports).
 * - the operation a hook reads (borsh, spec/abi.md#invocations): tag, 32-byte addresses, u128;
 * - borsh readers for view/method args (a cursor that reverts "bad args" on short input);
 * - addresses, typed storage (u64, u128, address, fixed structs), events, return data, revert;
 * - entry-point macros (TSVM_HOOK, TSVM_VIEW, TSVM_METHOD: spec/abi.md#entry-points) and
 *   TSVM_ABI, which emits the `tsvm.abi` custom section (spec/abi.md#script-abi).
 * Every helper that fails reverts with a short reason ("bad args", "bad operation",
 * "corrupt storage"); none returns an error code to forget.
 *
 * Build with sdk/c/Makefile (its flags are required: one memory page, stack first, bulk memory).
 */
#ifndef TSVM_KIT_H
#define TSVM_KIT_H

#include <stdint.h>
#include <stddef.h>
#include "tsvm.h"

/* ---- entry points and the ABI section ------------------------------------------------------- */

/* A hook: the export `before_transfer`, `after_mint`, ... (type () -> ()). */
#define TSVM_HOOK(name) __attribute__((export_name(#name))) void name(void)
/* A read-only view NAME: the export `view_NAME`. */
#define TSVM_VIEW(name) __attribute__((export_name("view_" #name))) void tsvm_view_##name(void)
/* A state-changing method NAME: the export `method_NAME`. */
#define TSVM_METHOD(name) __attribute__((export_name("method_" #name))) void tsvm_method_##name(void)

/* Emits the script's ABI as the custom section `tsvm.abi` (contract: spec/abi.md#script-abi).
 * The argument is the JSON itself, unquoted: TSVM_ABI({"abi_version": 1, "name": "limit", ...});
 * the preprocessor turns it into the section's bytes (whitespace between tokens becomes one space).
 * It goes through top-level assembly because clang before 15 ignores
 * __attribute__((section(".custom_section.*"))) on data. The VM ignores the section; it is charged
 * as code bytes (spec/gas.md). */
#define TSVM_ABI(...)                                                                             \
    __asm__(".section .custom_section.tsvm.abi,\"\",@\n.ascii " TSVM_STR2_(__VA_ARGS__) "\n.text\n")
#define TSVM_STR1_(x) #x
#define TSVM_STR2_(...) TSVM_STR1_(#__VA_ARGS__)

/* ---- memory: clang lowers these to memory.copy / memory.fill with -mbulk-memory --------------- */

static inline void tsvm_copy(void *dst, const void *src, size_t n) { __builtin_memcpy(dst, src, n); }
static inline void tsvm_zero(void *dst, size_t n) { __builtin_memset(dst, 0, n); }

static inline size_t tsvm_strlen(const char *s) {
    size_t n = 0;
    while (s[n]) n++;
    return n;
}

/* ---- revert, return data, events, logs -------------------------------------------------------- */

/* Halts with status `reverted` and `msg` (a C string) as the reason. */
static inline _Noreturn void tsvm_revert(const char *msg) { revert(msg, (uint32_t)tsvm_strlen(msg)); }

/* Reverts with `msg` unless `cond` holds. */
static inline void tsvm_require(int cond, const char *msg) {
    if (!cond) tsvm_revert(msg);
}

static inline void tsvm_return(const void *data, uint32_t len) { return_data(data, len); }

/* Emits an event whose topic is a C string. */
static inline void tsvm_emit(const char *topic, const void *data, uint32_t len) {
    emit_event(topic, (uint32_t)tsvm_strlen(topic), data, len);
}

/* Logs a C string at level 0 debug, 1 info, 2 warn, 3 error. */
static inline void tsvm_log(uint32_t level, const char *msg) { log(level, msg, (uint32_t)tsvm_strlen(msg)); }

/* ---- little-endian loads and stores (borsh integers are little-endian) ------------------------ */

static inline uint64_t tsvm_le64(const uint8_t *p) {
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--) v = (v << 8) | p[i];
    return v;
}

static inline void tsvm_put_le64(uint8_t *p, uint64_t v) {
    for (int i = 0; i < 8; i++) p[i] = (uint8_t)(v >> (8 * i));
}

/* ---- u128 ------------------------------------------------------------------------------------- */

/* An unsigned 128-bit amount: lo + hi * 2^64. */
typedef struct {
    uint64_t lo;
    uint64_t hi;
} tsvm_u128;

static inline tsvm_u128 u128_from_u64(uint64_t v) { return (tsvm_u128){v, 0}; }
static inline tsvm_u128 u128_max(void) { return (tsvm_u128){UINT64_MAX, UINT64_MAX}; }
static inline int u128_is_zero(tsvm_u128 a) { return (a.lo | a.hi) == 0; }
static inline int u128_eq(tsvm_u128 a, tsvm_u128 b) { return a.lo == b.lo && a.hi == b.hi; }

/* -1, 0 or 1 as a <, ==, > b. */
static inline int u128_cmp(tsvm_u128 a, tsvm_u128 b) {
    if (a.hi != b.hi) return a.hi < b.hi ? -1 : 1;
    if (a.lo != b.lo) return a.lo < b.lo ? -1 : 1;
    return 0;
}
static inline int u128_lt(tsvm_u128 a, tsvm_u128 b) { return u128_cmp(a, b) < 0; }
static inline int u128_gt(tsvm_u128 a, tsvm_u128 b) { return u128_cmp(a, b) > 0; }

/* a + b modulo 2^128. */
static inline tsvm_u128 u128_add_wrapping(tsvm_u128 a, tsvm_u128 b) {
    tsvm_u128 r = {a.lo + b.lo, a.hi + b.hi};
    r.hi += r.lo < a.lo;
    return r;
}

/* a - b modulo 2^128. */
static inline tsvm_u128 u128_sub_wrapping(tsvm_u128 a, tsvm_u128 b) {
    tsvm_u128 r = {a.lo - b.lo, a.hi - b.hi};
    r.hi -= a.lo < b.lo;
    return r;
}

/* *out = a + b; returns 0 on overflow (then *out is unspecified), else 1. */
static inline int u128_checked_add(tsvm_u128 a, tsvm_u128 b, tsvm_u128 *out) {
    *out = u128_add_wrapping(a, b);
    return !u128_lt(*out, a);
}

/* *out = a - b; returns 0 if b > a, else 1. */
static inline int u128_checked_sub(tsvm_u128 a, tsvm_u128 b, tsvm_u128 *out) {
    *out = u128_sub_wrapping(a, b);
    return !u128_lt(a, b);
}

/* The full 128-bit product of two u64s, from 32-bit partial products. */
static inline tsvm_u128 u128_mul64(uint64_t a, uint64_t b) {
    uint64_t a0 = a & 0xffffffffu, a1 = a >> 32, b0 = b & 0xffffffffu, b1 = b >> 32;
    uint64_t p00 = a0 * b0, p01 = a0 * b1, p10 = a1 * b0, p11 = a1 * b1;
    uint64_t mid = (p00 >> 32) + (p01 & 0xffffffffu) + (p10 & 0xffffffffu);
    tsvm_u128 r;
    r.lo = (mid << 32) | (p00 & 0xffffffffu);
    r.hi = p11 + (p01 >> 32) + (p10 >> 32) + (mid >> 32);
    return r;
}

/* *out = a * b; returns 0 on overflow, else 1. */
static inline int u128_checked_mul(tsvm_u128 a, tsvm_u128 b, tsvm_u128 *out) {
    if (a.hi != 0 && b.hi != 0) return 0;
    tsvm_u128 r = u128_mul64(a.lo, b.lo);
    /* At most one of the cross terms is non-zero; it must fit in 64 bits shifted by 64. */
    tsvm_u128 c1 = u128_mul64(a.hi, b.lo), c2 = u128_mul64(a.lo, b.hi);
    if (c1.hi != 0 || c2.hi != 0) return 0;
    uint64_t cross = c1.lo + c2.lo; /* one of the two is 0: no carry */
    uint64_t hi = r.hi + cross;
    if (hi < r.hi) return 0;
    out->lo = r.lo;
    out->hi = hi;
    return 1;
}

static inline tsvm_u128 u128_shl1(tsvm_u128 a) { return (tsvm_u128){a.lo << 1, (a.hi << 1) | (a.lo >> 63)}; }

/* Number of leading zero bits (128 for zero). */
static inline int u128_clz(tsvm_u128 a) {
    if (a.hi) return __builtin_clzll(a.hi);
    if (a.lo) return 64 + __builtin_clzll(a.lo);
    return 128;
}

/* a / b and a % b by shift-subtract on 64-bit halves (at most 128 steps); b must not be zero
 * (returns 0 then, after setting *q and *r to zero). */
static inline int u128_divmod(tsvm_u128 a, tsvm_u128 b, tsvm_u128 *q, tsvm_u128 *r) {
    tsvm_u128 quot = {0, 0}, rem = {0, 0};
    if (u128_is_zero(b)) {
        *q = quot;
        *r = rem;
        return 0;
    }
    if (a.hi == 0 && b.hi == 0) { /* 64-bit division: a native i64.div_u */
        *q = u128_from_u64(a.lo / b.lo);
        *r = u128_from_u64(a.lo % b.lo);
        return 1;
    }
    for (int i = 127 - u128_clz(a); i >= 0; i--) {
        rem = u128_shl1(rem);
        rem.lo |= (i >= 64 ? a.hi >> (i - 64) : a.lo >> i) & 1;
        if (!u128_lt(rem, b)) {
            rem = u128_sub_wrapping(rem, b);
            if (i >= 64) quot.hi |= 1ull << (i - 64);
            else quot.lo |= 1ull << i;
        }
    }
    *q = quot;
    *r = rem;
    return 1;
}

static inline tsvm_u128 u128_load(const uint8_t *p) { return (tsvm_u128){tsvm_le64(p), tsvm_le64(p + 8)}; }
static inline void u128_store(uint8_t *p, tsvm_u128 v) {
    tsvm_put_le64(p, v.lo);
    tsvm_put_le64(p + 8, v.hi);
}

/* ---- addresses -------------------------------------------------------------------------------- */

/* A 32-byte account address (also the shape of a token id and a hash). */
typedef struct {
    uint8_t bytes[32];
} tsvm_address;

static inline int address_eq(const tsvm_address *a, const tsvm_address *b) {
    uint8_t diff = 0;
    for (int i = 0; i < 32; i++) diff |= a->bytes[i] ^ b->bytes[i];
    return diff == 0;
}
static inline void address_copy(tsvm_address *dst, const tsvm_address *src) { tsvm_copy(dst, src, 32); }

static inline tsvm_address tsvm_caller(void) {
    tsvm_address a;
    caller(&a);
    return a;
}
static inline tsvm_address tsvm_token_owner(void) {
    tsvm_address a;
    token_owner(&a);
    return a;
}
static inline tsvm_address tsvm_token_id(void) {
    tsvm_address a;
    token_id(&a);
    return a;
}

/* Reverts with `msg` unless the transaction's signer is the token's owner. */
static inline void tsvm_require_owner(const char *msg) {
    tsvm_address c = tsvm_caller(), o = tsvm_token_owner();
    tsvm_require(address_eq(&c, &o), msg);
}

static inline tsvm_u128 tsvm_balance_of(const tsvm_address *account) {
    uint8_t b[16];
    balance_of(account, b);
    return u128_load(b);
}
static inline tsvm_u128 tsvm_total_supply(void) {
    uint8_t b[16];
    total_supply(b);
    return u128_load(b);
}

/* Mutations (spec/abi.md#mutations): a failed check ends the execution with its status. */
static inline void tsvm_transfer(const tsvm_address *from, const tsvm_address *to, tsvm_u128 amount) {
    transfer(from, to, (int64_t)amount.lo, (int64_t)amount.hi);
}
static inline void tsvm_mint(const tsvm_address *to, tsvm_u128 amount) {
    mint(to, (int64_t)amount.lo, (int64_t)amount.hi);
}
static inline void tsvm_burn(const tsvm_address *from, tsvm_u128 amount) {
    burn(from, (int64_t)amount.lo, (int64_t)amount.hi);
}

/* ---- the operation a hook sees (borsh of abi::Operation, spec/abi.md#invocations) ------------- */

enum { TSVM_OP_TRANSFER = 0, TSVM_OP_MINT = 1, TSVM_OP_BURN = 2, TSVM_OP_APPROVE = 3 };

/* A decoded operation. `from` is the debited account (transfer, burn) or the approving owner;
 * `to` the credited account (transfer, mint) or the spender; the other is zero. */
typedef struct {
    uint8_t kind; /* TSVM_OP_* */
    tsvm_address from;
    tsvm_address to;
    tsvm_u128 amount;
} tsvm_operation;

/* Reads and decodes the hook's input; reverts "bad operation" if it is not one. */
static inline tsvm_operation tsvm_read_operation(void) {
    uint8_t buf[81]; /* tag + 2 addresses + u128: the largest operation */
    tsvm_operation op;
    tsvm_zero(&op, sizeof op);
    int32_t n = input_size();
    tsvm_require(n >= 1 && n <= (int32_t)sizeof buf, "bad operation");
    input_read(buf, 0, (uint32_t)n);
    op.kind = buf[0];
    int two = op.kind == TSVM_OP_TRANSFER || op.kind == TSVM_OP_APPROVE;
    tsvm_require(op.kind <= TSVM_OP_APPROVE && n == (two ? 81 : 49), "bad operation");
    if (two) {
        tsvm_copy(&op.from, buf + 1, 32);
        tsvm_copy(&op.to, buf + 33, 32);
    } else {
        tsvm_copy(op.kind == TSVM_OP_MINT ? &op.to : &op.from, buf + 1, 32);
    }
    op.amount = u128_load(buf + n - 16);
    return op;
}

/* ---- borsh args of a view or method ----------------------------------------------------------- */

/* The args, read whole into `buf`; each tsvm_arg_* consumes from the front. */
typedef struct {
    const uint8_t *p;
    uint32_t len;
} tsvm_args;

/* Reads at most `cap` bytes of args into `buf`; reverts "bad args" if they are longer. */
static inline tsvm_args tsvm_read_args(uint8_t *buf, uint32_t cap) {
    int32_t n = input_size();
    tsvm_require(n >= 0 && (uint32_t)n <= cap, "bad args");
    input_read(buf, 0, (uint32_t)n);
    return (tsvm_args){buf, (uint32_t)n};
}

static inline const uint8_t *tsvm_arg_take(tsvm_args *a, uint32_t n) {
    tsvm_require(a->len >= n, "bad args");
    const uint8_t *p = a->p;
    a->p += n;
    a->len -= n;
    return p;
}
static inline uint64_t tsvm_arg_u64(tsvm_args *a) { return tsvm_le64(tsvm_arg_take(a, 8)); }
static inline uint16_t tsvm_arg_u16(tsvm_args *a) {
    const uint8_t *p = tsvm_arg_take(a, 2);
    return (uint16_t)(p[0] | (p[1] << 8));
}
static inline tsvm_u128 tsvm_arg_u128(tsvm_args *a) { return u128_load(tsvm_arg_take(a, 16)); }
static inline tsvm_address tsvm_arg_address(tsvm_args *a) {
    tsvm_address r;
    tsvm_copy(&r, tsvm_arg_take(a, 32), 32);
    return r;
}
/* A borsh bool: exactly 0 or 1, else "bad args". */
static inline int tsvm_arg_bool(tsvm_args *a) {
    uint8_t b = *tsvm_arg_take(a, 1);
    tsvm_require(b <= 1, "bad args");
    return b;
}
/* Reverts "bad args" unless every byte was consumed. */
static inline void tsvm_args_end(const tsvm_args *a) { tsvm_require(a->len == 0, "bad args"); }

/* ---- typed storage (values are borsh: integers little-endian) --------------------------------- */

/* A fixed struct stored as its borsh bytes must have no padding: declare it TSVM_PACKED with
 * fields in borsh order (uint8_t arrays, tsvm_address, tsvm_u128, uint64_t...: wasm32 is
 * little-endian like borsh), and store it with tsvm_get/tsvm_set and sizeof. */
#define TSVM_PACKED __attribute__((packed))

/* Reads exactly `len` bytes at `key` (a `key_len`-byte key) into `dst`: 1 if present, 0 if absent;
 * reverts "corrupt storage" if the stored value has another length. */
static inline int tsvm_get(const void *key, uint32_t key_len, void *dst, uint32_t len) {
    int32_t n = storage_read(key, key_len, dst, len);
    if (n < 0) return 0;
    tsvm_require((uint32_t)n == len, "corrupt storage");
    return 1;
}
static inline void tsvm_set(const void *key, uint32_t key_len, const void *val, uint32_t len) {
    storage_write(key, key_len, val, len);
}
static inline void tsvm_remove(const void *key, uint32_t key_len) { storage_remove(key, key_len); }

/* The same with a C string key. */
#define TSVM_KEY(s) (s), (uint32_t)(sizeof(s) - 1)

static inline uint64_t tsvm_get_u64(const void *key, uint32_t key_len, uint64_t dflt) {
    uint8_t b[8];
    return tsvm_get(key, key_len, b, 8) ? tsvm_le64(b) : dflt;
}
static inline void tsvm_set_u64(const void *key, uint32_t key_len, uint64_t v) {
    uint8_t b[8];
    tsvm_put_le64(b, v);
    tsvm_set(key, key_len, b, 8);
}
static inline tsvm_u128 tsvm_get_u128(const void *key, uint32_t key_len, tsvm_u128 dflt) {
    uint8_t b[16];
    return tsvm_get(key, key_len, b, 16) ? u128_load(b) : dflt;
}
static inline void tsvm_set_u128(const void *key, uint32_t key_len, tsvm_u128 v) {
    uint8_t b[16];
    u128_store(b, v);
    tsvm_set(key, key_len, b, 16);
}
/* 1 and *out set if present, else 0. */
static inline int tsvm_get_address(const void *key, uint32_t key_len, tsvm_address *out) {
    return tsvm_get(key, key_len, out, 32);
}
static inline void tsvm_set_address(const void *key, uint32_t key_len, const tsvm_address *v) {
    tsvm_set(key, key_len, v, 32);
}

/* A key `prefix ++ suffix` built in `buf` (prefixed keys of spec/abi.md#script-abi: the suffix is
 * the borsh of the key); returns its length. `buf` must hold both. */
static inline uint32_t tsvm_key(uint8_t *buf, const char *prefix, const void *suffix, uint32_t suffix_len) {
    uint32_t n = (uint32_t)tsvm_strlen(prefix);
    tsvm_copy(buf, prefix, n);
    tsvm_copy(buf + n, suffix, suffix_len);
    return n + suffix_len;
}

#endif /* TSVM_KIT_H */
