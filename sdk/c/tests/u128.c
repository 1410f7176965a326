/* The kit's u128 arithmetic under test (tests/c_kit.rs compares it with Rust's u128 on edge and
 * generated values): view arith(a: u128, b: u128) returns, in order, checked add (ok: u8, value),
 * checked sub, checked mul, divmod (ok, quotient, remainder), and compare (i8): 85 bytes. */
#include "tsvm_kit.h"

static uint8_t *put(uint8_t *out, int ok, tsvm_u128 v) {
    out[0] = (uint8_t)ok;
    u128_store(out + 1, v);
    return out + 17;
}

TSVM_VIEW(arith) {
    uint8_t buf[32], out[85];
    tsvm_args args = tsvm_read_args(buf, sizeof buf);
    tsvm_u128 a = tsvm_arg_u128(&args), b = tsvm_arg_u128(&args), v, r;
    tsvm_args_end(&args);
    uint8_t *p = out;
    int ok = u128_checked_add(a, b, &v);
    p = put(p, ok, ok ? v : u128_from_u64(0));
    ok = u128_checked_sub(a, b, &v);
    p = put(p, ok, ok ? v : u128_from_u64(0));
    ok = u128_checked_mul(a, b, &v);
    p = put(p, ok, ok ? v : u128_from_u64(0));
    ok = u128_divmod(a, b, &v, &r);
    p = put(p, ok, v);
    u128_store(p, r);
    p += 16;
    *p = (uint8_t)(int8_t)u128_cmp(a, b);
    tsvm_return(out, sizeof out);
}
