/* A C stack overflow must trap, not overwrite static data (the Makefile's -Wl,--stack-first;
 * tests/c_kit.rs). View frame(big: bool) fills a stack frame of 1,000 bytes (false) or 16,600
 * (true: just more than the 16 KiB stack), then returns the static `canary`. With the stack
 * placed first, the big frame runs the stack pointer below address 0 and its first store traps.
 * Built without --stack-first (stack above static data), the same frame reaches down into the
 * static data, overwrites the canary, and the call succeeds returning 0xaaaa... */
#include "tsvm_kit.h"

static const char canary[8] = "canary!";

/* Not inlined: each buffer lives in its own frame on the C stack. */
__attribute__((noinline)) static void small_frame(void) {
    volatile uint8_t buf[1000];
    for (uint32_t i = 0; i < sizeof buf; i++) buf[i] = 0xaa;
}

__attribute__((noinline)) static void big_frame(void) {
    volatile uint8_t buf[16600];
    for (uint32_t i = 0; i < sizeof buf; i++) buf[i] = 0xaa;
}

TSVM_VIEW(frame) {
    uint8_t in[1];
    tsvm_args args = tsvm_read_args(in, sizeof in);
    int big = tsvm_arg_bool(&args);
    tsvm_args_end(&args);
    if (big) big_frame();
    else small_frame();
    tsvm_return(canary, sizeof canary - 1);
}
