/* escrow: a state machine per escrow id. The buyer (the caller of open) opens an escrow for a
 * seller and an amount, funds it (the amount moves to the hold account: the 32 bytes of the
 * token's id), then either releases it to the seller (buyer) or the seller refunds it to the
 * buyer. Status: None (no such escrow), Open, Funded, Released, Refunded. The hooks refuse native
 * transfers and burns from the hold account: only release and refund move what it holds. */
#include "tsvm_kit.h"

TSVM_ABI({
    "abi_version": 1,
    "name": "escrow",
    "hooks": ["before_transfer", "before_burn"],
    "views": [{"name": "status", "args": [{"name": "id", "type": "u64"}],
               "returns": {"enum": ["None", "Open", "Funded", "Released", "Refunded"]}}],
    "methods": [
        {"name": "open", "args": [{"name": "id", "type": "u64"}, {"name": "seller", "type": "address"},
                                  {"name": "amount", "type": "u128"}], "returns": null},
        {"name": "fund", "args": [{"name": "id", "type": "u64"}], "returns": null},
        {"name": "release", "args": [{"name": "id", "type": "u64"}], "returns": null},
        {"name": "refund", "args": [{"name": "id", "type": "u64"}], "returns": null}],
    "events": [{"topic": "opened", "type": "u64"}, {"topic": "funded", "type": "u64"},
               {"topic": "released", "type": "u64"}, {"topic": "refunded", "type": "u64"}],
    "storage": [{"prefix": "escrow/", "key_type": "u64", "type": {"struct": [
        {"name": "buyer", "type": "address"}, {"name": "seller", "type": "address"},
        {"name": "amount", "type": "u128"},
        {"name": "status", "type": {"enum": ["None", "Open", "Funded", "Released", "Refunded"]}}]}}]
});

enum { NONE = 0, OPEN = 1, FUNDED = 2, RELEASED = 3, REFUNDED = 4 };

/* The stored record: its borsh encoding, 81 bytes. */
typedef struct TSVM_PACKED {
    tsvm_address buyer;
    tsvm_address seller;
    tsvm_u128 amount;
    uint8_t status;
} record;

#define PREFIX "escrow/"
#define KEY_LEN (sizeof(PREFIX) - 1 + 8)

/* Reads the args (exactly one u64 id) and the record; *key receives the record's key. */
static uint64_t read_id(uint8_t key[KEY_LEN]) {
    uint8_t buf[8];
    tsvm_args args = tsvm_read_args(buf, sizeof buf);
    uint64_t id = tsvm_arg_u64(&args);
    tsvm_args_end(&args);
    tsvm_key(key, PREFIX, buf, 8);
    return id;
}

static void emit_id(const char *topic, uint64_t id) {
    uint8_t data[8];
    tsvm_put_le64(data, id);
    tsvm_emit(topic, data, sizeof data);
}

/* Reads the id, loads its record and requires it to be in status `want` (else `not_want`). */
static uint64_t begin(uint8_t key[KEY_LEN], record *r, uint8_t want, const char *not_want) {
    uint64_t id = read_id(key);
    tsvm_require(tsvm_get(key, KEY_LEN, r, sizeof *r), "no escrow");
    tsvm_require(r->status == want, not_want);
    return id;
}

/* Stores the record in its new status and emits `topic` with the id. */
static void finish(const uint8_t key[KEY_LEN], record *r, uint8_t status, const char *topic, uint64_t id) {
    r->status = status;
    tsvm_set(key, KEY_LEN, r, sizeof *r);
    emit_id(topic, id);
}

/* open(id: u64, seller: address, amount: u128): the caller becomes the buyer. */
TSVM_METHOD(open) {
    uint8_t buf[8 + 32 + 16], key[KEY_LEN];
    tsvm_args args = tsvm_read_args(buf, sizeof buf);
    uint64_t id = tsvm_arg_u64(&args);
    record r;
    r.seller = tsvm_arg_address(&args);
    r.amount = tsvm_arg_u128(&args);
    tsvm_args_end(&args);
    tsvm_require(!u128_is_zero(r.amount), "zero amount");
    tsvm_key(key, PREFIX, buf, 8);
    record existing;
    tsvm_require(!tsvm_get(key, KEY_LEN, &existing, sizeof existing), "escrow exists");
    r.buyer = tsvm_caller();
    finish(key, &r, OPEN, "opened", id);
}

/* fund(id): the buyer moves the amount to the hold account. */
TSVM_METHOD(fund) {
    uint8_t key[KEY_LEN];
    record r;
    uint64_t id = begin(key, &r, OPEN, "not open");
    tsvm_address c = tsvm_caller(), hold = tsvm_token_id();
    tsvm_require(address_eq(&c, &r.buyer), "not buyer");
    tsvm_transfer(&r.buyer, &hold, r.amount);
    finish(key, &r, FUNDED, "funded", id);
}

/* Ends a funded escrow: the buyer pays the seller (by_buyer) or the seller refunds the buyer; the
 * other party is refused with `not_who`. */
static void settle(const char *not_who, int by_buyer, uint8_t status, const char *topic) {
    uint8_t key[KEY_LEN];
    record r;
    uint64_t id = begin(key, &r, FUNDED, "not funded");
    tsvm_address c = tsvm_caller(), hold = tsvm_token_id();
    tsvm_require(address_eq(&c, by_buyer ? &r.buyer : &r.seller), not_who);
    tsvm_transfer(&hold, by_buyer ? &r.seller : &r.buyer, r.amount);
    finish(key, &r, status, topic, id);
}

/* Refuses a native operation debiting the hold account. The debited account is the first field of
 * a transfer and of a burn (spec/abi.md#invocations): the tag and the next 32 bytes are enough. */
static void guard_hold(void) {
    uint8_t head[33];
    tsvm_require(input_size() >= (int32_t)sizeof head, "bad operation");
    input_read(head, 0, sizeof head);
    tsvm_address hold = tsvm_token_id();
    int debits = head[0] == TSVM_OP_TRANSFER || head[0] == TSVM_OP_BURN;
    if (debits && address_eq((const tsvm_address *)(head + 1), &hold)) tsvm_revert("escrow funds are held");
}

TSVM_HOOK(before_transfer) { guard_hold(); }
TSVM_HOOK(before_burn) { guard_hold(); }

/* release(id): the buyer pays the seller. */
TSVM_METHOD(release) { settle("not buyer", 1, RELEASED, "released"); }

/* refund(id): the seller gives the amount back to the buyer. */
TSVM_METHOD(refund) { settle("not seller", 0, REFUNDED, "refunded"); }

/* status(id: u64) -> enum (u8): None for an unknown id. */
TSVM_VIEW(status) {
    uint8_t key[KEY_LEN];
    read_id(key);
    record r;
    uint8_t status = tsvm_get(key, KEY_LEN, &r, sizeof r) ? r.status : NONE;
    tsvm_return(&status, 1);
}
