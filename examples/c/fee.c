/* fee: fee-on-transfer. The before-hook cancels the native transfer and replaces it with
 * transfer(from, to, amount - fee) and transfer(from, owner, fee), fee = amount * bps / 10,000
 * rounded down (spec/abi.md#operation-pipeline). The token's owner sets bps (at most 10,000). */
#include "tsvm_kit.h"

TSVM_ABI({
    "abi_version": 1,
    "name": "fee",
    "hooks": ["before_transfer"],
    "views": [{"name": "fee_bps", "args": [], "returns": "u16"}],
    "methods": [{"name": "set_fee_bps", "args": [{"name": "bps", "type": "u16"}], "returns": null}],
    "events": [{"topic": "fee", "type": "u128"}, {"topic": "fee_set", "type": "u16"}],
    "storage": [{"key": "fee_bps", "type": "u16"}]
});

#define BPS_DENOMINATOR 10000

static uint16_t fee_bps(void) {
    uint8_t b[2];
    return tsvm_get(TSVM_KEY("fee_bps"), b, 2) ? (uint16_t)(b[0] | (b[1] << 8)) : 0;
}

/* amount * bps / 10,000 without overflow: (q * d + r) * bps / d = q * bps + r * bps / d. */
static tsvm_u128 fee_of(tsvm_u128 amount, uint16_t bps) {
    tsvm_u128 q, r, fee, rest;
    u128_divmod(amount, u128_from_u64(BPS_DENOMINATOR), &q, &r);
    /* q < 2^128 / 10^4 and bps <= 10^4: cannot overflow; r * bps < 10^8. */
    u128_checked_mul(q, u128_from_u64(bps), &fee);
    u128_divmod(u128_from_u64(r.lo * bps), u128_from_u64(BPS_DENOMINATOR), &rest, &r);
    return u128_add_wrapping(fee, rest);
}

TSVM_HOOK(before_transfer) {
    tsvm_operation op = tsvm_read_operation();
    tsvm_u128 fee = fee_of(op.amount, fee_bps());
    if (u128_is_zero(fee)) return; /* the native transfer goes ahead */
    cancel_native();
    tsvm_address owner = tsvm_token_owner();
    tsvm_u128 net = u128_sub_wrapping(op.amount, fee); /* fee <= amount */
    if (!u128_is_zero(net)) tsvm_transfer(&op.from, &op.to, net);
    tsvm_transfer(&op.from, &owner, fee);
    uint8_t data[16];
    u128_store(data, fee);
    tsvm_emit("fee", data, sizeof data);
}

/* set_fee_bps(bps: u16), owner only, at most 10,000 (100%). */
TSVM_METHOD(set_fee_bps) {
    uint8_t buf[2];
    tsvm_args args = tsvm_read_args(buf, sizeof buf);
    uint16_t bps = tsvm_arg_u16(&args);
    tsvm_args_end(&args);
    tsvm_require_owner("not owner");
    tsvm_require(bps <= BPS_DENOMINATOR, "fee above 100%");
    tsvm_set(TSVM_KEY("fee_bps"), buf, 2);
    tsvm_emit("fee_set", buf, 2);
}

/* fee_bps() -> u16. */
TSVM_VIEW(fee_bps) {
    uint16_t bps = fee_bps();
    uint8_t out[2] = {(uint8_t)bps, (uint8_t)(bps >> 8)};
    tsvm_return(out, sizeof out);
}
