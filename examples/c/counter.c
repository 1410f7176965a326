/* counter: every hook increments a counter in storage; the view count returns it. Scenario 2 of
 * the token-scripts devnet list: every node must reach the same count. */
#include "tsvm_kit.h"

TSVM_ABI({
    "abi_version": 1,
    "name": "counter",
    "hooks": ["before_transfer", "after_transfer", "before_mint", "after_mint",
              "before_burn", "after_burn", "on_approve"],
    "views": [{"name": "count", "args": [], "returns": "u64"}],
    "methods": [],
    "storage": [{"key": "count", "type": "u64"}]
});

static void bump(void) {
    uint64_t n = tsvm_get_u64(TSVM_KEY("count"), 0);
    tsvm_set_u64(TSVM_KEY("count"), n + 1);
}

TSVM_HOOK(before_transfer) { bump(); }
TSVM_HOOK(after_transfer) { bump(); }
TSVM_HOOK(before_mint) { bump(); }
TSVM_HOOK(after_mint) { bump(); }
TSVM_HOOK(before_burn) { bump(); }
TSVM_HOOK(after_burn) { bump(); }
TSVM_HOOK(on_approve) { bump(); }

/* count() -> u64. */
TSVM_VIEW(count) {
    uint8_t out[8];
    tsvm_put_le64(out, tsvm_get_u64(TSVM_KEY("count"), 0));
    tsvm_return(out, sizeof out);
}
