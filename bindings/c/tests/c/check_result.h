/*
 * Result-code checks for the C test programs that exercise libvolact's error paths: the
 * thread's last error message, and CHECK_RESULT, which prints it when a call returns another
 * code than expected. Builds on check.h's counters.
 */
#ifndef VOLACT_TEST_CHECK_RESULT_H
#define VOLACT_TEST_CHECK_RESULT_H

#include <stdio.h>

#include "check.h"
#include "volact.h"

/* The calling thread's last error message (or a note that reading it failed). */
static const char *last_error(void) {
    static char buf[2048];
    if (volact_last_error_message(buf, sizeof buf, NULL) != VOLACT_RESULT_OK) {
        snprintf(buf, sizeof buf, "(volact_last_error_message failed)");
    }
    return buf;
}

/* `call` returns `expected`; on failure both codes and the last error are printed. */
#define CHECK_RESULT(call, expected)                                                   \
    do {                                                                               \
        volact_result r_ = (call);                                                     \
        if (r_ == (expected)) {                                                        \
            passed++;                                                                  \
        } else {                                                                       \
            failed++;                                                                  \
            fprintf(stderr, "FAIL %s:%d: %s: got %u, expected %u (%s)\n", __FILE__,     \
                    __LINE__, #call, (unsigned)r_, (unsigned)(expected), last_error()); \
        }                                                                              \
    } while (0)

#endif
