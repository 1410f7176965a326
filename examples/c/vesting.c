/* vesting: the token's owner locks an account until a block timestamp (lock); transfers and burns
 * from a locked account are refused until the block's timestamp reaches it. Timestamps are the
 * block's (block_timestamp), the only clock. */
#include "tsvm_kit.h"

TSVM_ABI({
    "abi_version": 1,
    "name": "vesting",
    "hooks": ["before_transfer", "before_burn"],
    "views": [{"name": "locked_until", "args": [{"name": "account", "type": "address"}], "returns": "u64"}],
    "methods": [{"name": "lock", "args": [{"name": "account", "type": "address"},
                                          {"name": "until_ms", "type": "u64"}], "returns": null}],
    "events": [{"topic": "locked", "type": {"struct": [{"name": "account", "type": "address"},
                                                       {"name": "until_ms", "type": "u64"}]}}],
    "storage": [{"prefix": "lock/", "key_type": "address", "type": "u64"}]
});

#define PREFIX "lock/"
#define KEY_LEN (sizeof(PREFIX) - 1 + 32)

/* The timestamp (ms) until which `account` is locked, 0 if never locked. */
static uint64_t locked_until(const tsvm_address *account) {
    uint8_t key[KEY_LEN];
    tsvm_key(key, PREFIX, account, 32);
    return tsvm_get_u64(key, KEY_LEN, 0);
}

static void check_unlocked(const tsvm_address *from) {
    if ((uint64_t)block_timestamp() < locked_until(from)) tsvm_revert("account locked");
}

TSVM_HOOK(before_transfer) {
    tsvm_operation op = tsvm_read_operation();
    check_unlocked(&op.from);
}

TSVM_HOOK(before_burn) {
    tsvm_operation op = tsvm_read_operation();
    check_unlocked(&op.from);
}

/* lock(account: address, until_ms: u64), owner only; a later lock replaces an earlier one. */
TSVM_METHOD(lock) {
    uint8_t buf[32 + 8], key[KEY_LEN];
    tsvm_args args = tsvm_read_args(buf, sizeof buf);
    tsvm_address account = tsvm_arg_address(&args);
    uint64_t until_ms = tsvm_arg_u64(&args);
    tsvm_args_end(&args);
    tsvm_require_owner("not owner");
    tsvm_key(key, PREFIX, &account, 32);
    tsvm_set_u64(key, KEY_LEN, until_ms);
    tsvm_emit("locked", buf, sizeof buf);
}

/* locked_until(account: address) -> u64. */
TSVM_VIEW(locked_until) {
    uint8_t buf[32], out[8];
    tsvm_args args = tsvm_read_args(buf, sizeof buf);
    tsvm_address account = tsvm_arg_address(&args);
    tsvm_args_end(&args);
    tsvm_put_le64(out, locked_until(&account));
    tsvm_return(out, sizeof out);
}
