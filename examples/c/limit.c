/* limit: before_transfer rejects transfers above a limit (default 1,000) that the token's owner
 * sets with the method set_limit. Scenario 1 of the token-scripts devnet list. */
#include "tsvm_kit.h"

TSVM_ABI({
    "abi_version": 1,
    "name": "limit",
    "hooks": ["before_transfer"],
    "views": [{"name": "limit", "args": [], "returns": "u128"}],
    "methods": [{"name": "set_limit", "args": [{"name": "limit", "type": "u128"}], "returns": null}],
    "events": [{"topic": "limit_set", "type": "u128"}],
    "storage": [{"key": "limit", "type": "u128"}]
});

#define DEFAULT_LIMIT 1000

static tsvm_u128 current_limit(void) { return tsvm_get_u128(TSVM_KEY("limit"), u128_from_u64(DEFAULT_LIMIT)); }

TSVM_HOOK(before_transfer) {
    tsvm_operation op = tsvm_read_operation();
    if (u128_gt(op.amount, current_limit())) tsvm_revert("transfer above limit");
}

/* set_limit(limit: u128), owner only. */
TSVM_METHOD(set_limit) {
    uint8_t buf[16];
    tsvm_args args = tsvm_read_args(buf, sizeof buf);
    tsvm_u128 limit = tsvm_arg_u128(&args);
    tsvm_args_end(&args);
    tsvm_require_owner("not owner");
    tsvm_set_u128(TSVM_KEY("limit"), limit);
    tsvm_emit("limit_set", buf, 16);
}

/* limit() -> u128. */
TSVM_VIEW(limit) {
    uint8_t out[16];
    u128_store(out, current_limit());
    tsvm_return(out, sizeof out);
}
