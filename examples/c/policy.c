/* policy: a policy (max amount per operation, paused flag) that the token's owner updates with
 * set_policy, enforced by the before-hooks of transfers, mints and burns. Without a stored policy
 * nothing is limited (max = 2^128 - 1, not paused). */
#include "tsvm_kit.h"

TSVM_ABI({
    "abi_version": 1,
    "name": "policy",
    "hooks": ["before_transfer", "before_mint", "before_burn"],
    "views": [{"name": "policy", "args": [],
               "returns": {"struct": [{"name": "max", "type": "u128"}, {"name": "paused", "type": "bool"}]}}],
    "methods": [{"name": "set_policy", "args": [{"name": "max", "type": "u128"},
                                                {"name": "paused", "type": "bool"}], "returns": null}],
    "events": [{"topic": "policy", "type": {"struct": [{"name": "max", "type": "u128"},
                                                       {"name": "paused", "type": "bool"}]}}],
    "storage": [{"key": "policy", "type": {"struct": [{"name": "max", "type": "u128"},
                                                      {"name": "paused", "type": "bool"}]}}]
});

/* The stored policy: its borsh encoding, 17 bytes. */
typedef struct TSVM_PACKED {
    tsvm_u128 max;
    uint8_t paused;
} policy;

static policy load(void) {
    policy p;
    if (!tsvm_get(TSVM_KEY("policy"), &p, sizeof p)) {
        p.max = u128_max();
        p.paused = 0;
    }
    return p;
}

static void enforce(void) {
    tsvm_operation op = tsvm_read_operation();
    policy p = load();
    if (p.paused) tsvm_revert("paused");
    if (u128_gt(op.amount, p.max)) tsvm_revert("amount above policy max");
}

TSVM_HOOK(before_transfer) { enforce(); }
TSVM_HOOK(before_mint) { enforce(); }
TSVM_HOOK(before_burn) { enforce(); }

/* set_policy(max: u128, paused: bool), owner only. */
TSVM_METHOD(set_policy) {
    uint8_t buf[17];
    tsvm_args args = tsvm_read_args(buf, sizeof buf);
    policy p;
    p.max = tsvm_arg_u128(&args);
    p.paused = (uint8_t)tsvm_arg_bool(&args);
    tsvm_args_end(&args);
    tsvm_require_owner("not owner");
    tsvm_set(TSVM_KEY("policy"), &p, sizeof p);
    tsvm_emit("policy", &p, sizeof p);
}

/* policy() -> {max: u128, paused: bool}. */
TSVM_VIEW(policy) {
    policy p = load();
    tsvm_return(&p, sizeof p);
}
