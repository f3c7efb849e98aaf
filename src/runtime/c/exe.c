/* The runtime of executables made by `bfjit build`: main, the tape, buffered
 * output, input with the EOF rule, the guard fallback (a reference
 * interpreter over the embedded source that reports the exact command that
 * leaves the tape), and the memchr scans. It plays the role
 * src/runtime/shims.rs plays for the JIT tiers, for the same generated code:
 * the shims have the same symbol names, signatures and conventions (a failing
 * shim records why in the context and returns -1; generated code then returns
 * -1 all the way out).
 *
 * Compiled once by build.rs (cc crate) for every program; what is particular
 * to a program comes from the data symbols `bfjit build` writes into the
 * program's object file (see src/build/object.rs), laid out as
 * src/runtime/layout.rs says. build.rs passes that file's constants as
 * BFJIT_* macros, asserted below.
 *
 * The C yardstick (src/emit_c.rs) embeds this file verbatim, followed by the
 * same data symbols and the program as a C `bfjit_program`: its fallback,
 * I/O and main are these, so there is one C copy of them. */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- What the program's object file provides. ---- */

/* The program's top level: (rt, tape, ptr) -> ptr, or -1 on failure. */
extern int64_t bfjit_program(void *rt, void *tape, int64_t ptr);
/* Build-time conventions, indexed by the BFJIT_CONFIG_* macros. */
extern const uint64_t bfjit_config[];
/* The program's source text (for the fallback) and its name, NUL-ended. */
extern const unsigned char bfjit_source[];
extern const char bfjit_name[];
/* The source ranges a guard's fallback runs: start, end byte pairs. */
extern const uint32_t bfjit_spans[];
/* What the program was built with, for --help; NUL-ended. */
extern const char bfjit_info[];

/* ---- The runtime context. ---- */

enum failure { OK = 0, OFF_LEFT, OFF_RIGHT, OUTPUT_CLOSED, IO_ERROR, INTERNAL };

struct rt {
    /* The header generated code reads and writes (src/runtime/layout.rs). */
    uint32_t fuel;
    uint32_t guard;
    int64_t result;
    int64_t guard_ptr;
    /* The runtime's own fields. */
    unsigned char *tape;
    uint64_t len;
    enum failure failure;
    /* The byte offset of the command that left the tape. */
    uint64_t failure_pos;
    /* errno of an I/O failure. */
    int failure_errno;
};

_Static_assert(offsetof(struct rt, fuel) == BFJIT_FUEL_OFFSET, "fuel offset");
_Static_assert(offsetof(struct rt, guard) == BFJIT_GUARD_OFFSET, "guard offset");
_Static_assert(offsetof(struct rt, result) == BFJIT_RESULT_OFFSET, "result offset");
_Static_assert(offsetof(struct rt, guard_ptr) == BFJIT_GUARD_PTR_OFFSET, "guard_ptr offset");

static int fail(struct rt *rt, enum failure f) {
    if (rt->failure == OK) rt->failure = f;
    return -1;
}

/* ---- Output: buffered like ir_passes::io::Io, flushed when full, before
 * blocking on input, at exit and before an error is reported. ---- */

#define OUT_CAPACITY (1 << 16)
static unsigned char out_buf[OUT_CAPACITY];
static size_t out_len;

/* Writes the pending output; 0, or -1 with the failure recorded. */
static int flush_out(struct rt *rt) {
    size_t done = 0;
    while (done < out_len) {
        ssize_t n = write(1, out_buf + done, out_len - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            out_len = 0;
            if (n < 0 && errno == EPIPE) return fail(rt, OUTPUT_CLOSED);
            rt->failure_errno = n < 0 ? errno : EIO;
            return fail(rt, IO_ERROR);
        }
        done += (size_t)n;
    }
    out_len = 0;
    return 0;
}

/* `.`: queues the low byte of `value`. 0, or -1 on failure. */
int32_t bfjit_put(struct rt *rt, uint32_t value) {
    out_buf[out_len++] = (unsigned char)value;
    if (out_len == OUT_CAPACITY) return flush_out(rt);
    return 0;
}

/* ---- Input. ---- */

static unsigned char in_buf[1 << 14];
static size_t in_pos, in_len;
static int in_done;

/* `,`: the value to store into a cell that held `old`, or -1 on failure. */
int64_t bfjit_get(struct rt *rt, uint32_t old) {
    if (in_pos == in_len) {
        if (in_done) goto eof;
        /* An interactive program's prompt must be visible before we block. */
        if (flush_out(rt) < 0) return -1;
        for (;;) {
            ssize_t n = read(0, in_buf, sizeof in_buf);
            if (n < 0 && errno == EINTR) continue;
            if (n < 0) {
                rt->failure_errno = errno;
                return fail(rt, IO_ERROR);
            }
            if (n == 0) {
                in_done = 1;
                goto eof;
            }
            in_pos = 0;
            in_len = (size_t)n;
            break;
        }
    }
    return in_buf[in_pos++];
eof:
    switch (bfjit_config[BFJIT_CONFIG_EOF]) {
    case 1: return 0;
    case 2: return (int64_t)(UINT32_MAX >> (32 - 8 * bfjit_config[BFJIT_CONFIG_CELL_BYTES]));
    default: return old;
    }
}

/* ---- The guard fallback: the reference interpreter of
 * ir-passes/src/reference.rs over the embedded source. ---- */

static uint32_t *partner;

/* The bracket partners, computed at the first fallback; 0 or -1. */
static int partners(struct rt *rt) {
    uint64_t n = bfjit_config[BFJIT_CONFIG_SOURCE_LEN], depth = 0;
    if (partner) return 0;
    partner = malloc(sizeof(uint32_t) * (n + 1));
    uint32_t *stack = malloc(sizeof(uint32_t) * (n + 1));
    if (!partner || !stack) {
        free(stack);
        free(partner);
        partner = NULL;
        rt->failure_errno = ENOMEM;
        return fail(rt, IO_ERROR);
    }
    for (uint64_t i = 0; i < n; i++) {
        if (bfjit_source[i] == '[') stack[depth++] = (uint32_t)i;
        /* The parser accepted the source, so brackets balance. */
        else if (bfjit_source[i] == ']') {
            uint32_t j = stack[--depth];
            partner[i] = j;
            partner[j] = (uint32_t)i;
        }
    }
    free(stack);
    return 0;
}

static int64_t off_tape(struct rt *rt, uint64_t pc, enum failure side) {
    rt->failure_pos = pc;
    return fail(rt, side);
}

/* Runs source bytes [pc, end) from cell p on cells of type T; returns the
 * pointer it ends at, or -1 on failure. */
#define RUN_RANGE(NAME, T)                                                      \
    static int64_t NAME(struct rt *rt, uint64_t pc, uint64_t end, uint64_t p) { \
        T *t = (T *)rt->tape;                                                   \
        for (; pc < end; pc++) {                                                \
            switch (bfjit_source[pc]) {                                         \
            case '+': t[p]++; break;                                            \
            case '-': t[p]--; break;                                            \
            case '>':                                                           \
                if (p + 1 == rt->len) return off_tape(rt, pc, OFF_RIGHT);       \
                p++;                                                            \
                break;                                                          \
            case '<':                                                           \
                if (p == 0) return off_tape(rt, pc, OFF_LEFT);                  \
                p--;                                                            \
                break;                                                          \
            case '.':                                                           \
                if (bfjit_put(rt, t[p]) < 0) return -1;                         \
                break;                                                          \
            case ',': {                                                         \
                int64_t v = bfjit_get(rt, t[p]);                                \
                if (v < 0) return -1;                                           \
                t[p] = (T)v;                                                    \
                break;                                                          \
            }                                                                   \
            case '[': if (!t[p]) pc = partner[pc]; break;                       \
            case ']': if (t[p]) pc = partner[pc]; break;                        \
            }                                                                   \
        }                                                                       \
        return (int64_t)p;                                                      \
    }
RUN_RANGE(run_range_u8, uint8_t)
RUN_RANGE(run_range_u16, uint16_t)
RUN_RANGE(run_range_u32, uint32_t)

static int64_t run_range(struct rt *rt, uint64_t start, uint64_t end, uint64_t p) {
    if (partners(rt) < 0) return -1;
    switch (bfjit_config[BFJIT_CONFIG_CELL_BYTES]) {
    case 1: return run_range_u8(rt, start, end, p);
    case 2: return run_range_u16(rt, start, end, p);
    default: return run_range_u32(rt, start, end, p);
    }
}

/* A guard failed: runs source range number `span` from cell `ptr`. The new
 * pointer, or -1 (the exact off-tape position among the failures). */
int64_t bfjit_fallback(struct rt *rt, uint32_t span, int64_t ptr) {
    if (span >= bfjit_config[BFJIT_CONFIG_SPANS]) return fail(rt, INTERNAL);
    return run_range(rt, bfjit_spans[2 * span], bfjit_spans[2 * span + 1], (uint64_t)ptr);
}

/* `Scan` with stride +-1 on 8-bit cells, as shims::scan_u8: memchr among the
 * cells where one step of the scan loop's source (visiting p+lo ..= p+hi)
 * stays on the tape; past them, the loop's source runs from the first cell
 * outside that window. The new pointer or -1. */
int64_t bfjit_scan_u8(struct rt *rt, int64_t ptr, int32_t stride, uint32_t span,
                      int32_t lo, int32_t hi) {
    int64_t len = (int64_t)rt->len;
    int64_t first = -(int64_t)lo > 0 ? -(int64_t)lo : 0;
    int64_t last = len - 1 - (hi > 0 ? hi : 0);
    int64_t resume;
    if (ptr > last || ptr < first) {
        resume = ptr;
    } else if (stride > 0) {
        unsigned char *z = memchr(rt->tape + ptr, 0, (size_t)(last - ptr + 1));
        if (z) return z - rt->tape;
        resume = last + 1;
    } else {
        unsigned char *z = memrchr(rt->tape + first, 0, (size_t)(ptr - first + 1));
        if (z) return z - rt->tape;
        /* first >= 1 here: a left scan has lo <= -1. */
        resume = first - 1;
    }
    return bfjit_fallback(rt, span, resume);
}

/* Budget checks: executables are built without limits (no back edge calls
 * this), so there is never a reason to stop. */
int32_t bfjit_budget(struct rt *rt) {
    (void)rt;
    return 0;
}

/* ---- main ---- */

static const char *self_name = "bf";

/* Reports the off-tape command as `bfjit run` does: FILE:LINE:COL, columns
 * counting characters. */
static void report_off_tape(const struct rt *rt) {
    uint64_t line = 1, col = 1;
    for (uint64_t i = 0; i < rt->failure_pos; i++) {
        if (bfjit_source[i] == '\n') {
            line++;
            col = 1;
        } else if ((bfjit_source[i] & 0xC0) != 0x80) {
            col++;
        }
    }
    fprintf(stderr, "%s: %s:%llu:%llu: pointer moved off the tape (%s)\n", self_name,
            bfjit_name, (unsigned long long)line, (unsigned long long)col,
            rt->failure == OFF_LEFT ? "left of cell 0" : "past the last cell");
}

/* The end of a run that stopped at `end` (the final pointer, or -1 with the
 * failure in `rt`): flushes the output and reports the failure. The exit
 * status. */
static int finish(struct rt *rt, int64_t end) {
    if (end < 0 && rt->failure == OK) rt->failure = INTERNAL;
    /* Output before an error is flushed, never lost; a flush failure only
     * matters if the run itself succeeded. */
    struct rt flush = *rt;
    flush.failure = OK;
    if (flush_out(&flush) < 0 && rt->failure == OK) {
        rt->failure = flush.failure;
        rt->failure_errno = flush.failure_errno;
    }
    switch (rt->failure) {
    case OK:
    case OUTPUT_CLOSED:
        return 0;
    case OFF_LEFT:
    case OFF_RIGHT:
        report_off_tape(rt);
        return 3;
    case IO_ERROR:
        fprintf(stderr, "%s: I/O error: %s\n", self_name, strerror(rt->failure_errno));
        return 1;
    default:
        fprintf(stderr, "%s: internal error: generated code failed without a reason\n",
                self_name);
        return 1;
    }
}

/* A shim failed (returned -1, the failure in `rt`): ends the process as
 * main does when the program returns -1. The C yardstick calls it where the
 * failure happens instead of returning -1 through every caller: gcc then
 * sees the failure paths as cold and never returning, so no call site tests
 * a result (src/emit_c.rs). Executables of `bfjit build` do not use it. */
__attribute__((noreturn, cold)) void bfjit_exit(struct rt *rt) {
    exit(finish(rt, -1));
}

int main(int argc, char **argv) {
    if (argc > 0 && argv[0][0]) {
        const char *slash = strrchr(argv[0], '/');
        self_name = slash ? slash + 1 : argv[0];
    }
    if (argc > 1) {
        if (argc == 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
            printf("%s: runs %s, reading stdin and writing stdout.\n%s", self_name,
                   bfjit_name, bfjit_info);
            return 0;
        }
        fprintf(stderr, "%s: unexpected argument '%s' (the program reads stdin; see --help)\n",
                self_name, argv[1]);
        return 1;
    }
    /* A closed stdout is an EPIPE error to handle quietly, not a signal. */
    signal(SIGPIPE, SIG_IGN);
    struct rt rt = {0};
    rt.len = bfjit_config[BFJIT_CONFIG_TAPE_SIZE];
    /* calloc: untouched cells of a huge tape cost no memory. */
    rt.tape = calloc(rt.len, bfjit_config[BFJIT_CONFIG_CELL_BYTES]);
    if (!rt.tape) {
        fprintf(stderr, "%s: cannot allocate a tape of %llu cells\n", self_name,
                (unsigned long long)rt.len);
        return 1;
    }
    return finish(&rt, bfjit_program(&rt, rt.tape, 0));
}
