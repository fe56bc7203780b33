/*
 * The checks shared by the C test programs of libvolact: each counts passes and failures,
 * prints what failed with its file and line, and the program ends with the plain line
 * `N passed, N failed`.
 */
#ifndef VOLACT_TEST_CHECK_H
#define VOLACT_TEST_CHECK_H

#include <stdio.h>
#include <string.h>

static int passed;
static int failed;

#define CHECK(cond)                                                                    \
    do {                                                                               \
        if (cond) {                                                                    \
            passed++;                                                                  \
        } else {                                                                       \
            failed++;                                                                  \
            fprintf(stderr, "FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond);            \
        }                                                                              \
    } while (0)

/* Integer equality, printing both values on failure. */
#define CHECK_EQ(actual, expected)                                                     \
    do {                                                                               \
        unsigned long long a_ = (unsigned long long)(actual);                          \
        unsigned long long e_ = (unsigned long long)(expected);                        \
        if (a_ == e_) {                                                                \
            passed++;                                                                  \
        } else {                                                                       \
            failed++;                                                                  \
            fprintf(stderr, "FAIL %s:%d: %s == %s: got %llu (0x%llx), expected %llu (0x%llx)\n", \
                    __FILE__, __LINE__, #actual, #expected, a_, a_, e_, e_);           \
        }                                                                              \
    } while (0)

/* String equality, printing both strings on failure. */
#define CHECK_STR(actual, expected)                                                    \
    do {                                                                               \
        const char *a_ = (actual);                                                     \
        const char *e_ = (expected);                                                   \
        if (a_ != NULL && strcmp(a_, e_) == 0) {                                       \
            passed++;                                                                  \
        } else {                                                                       \
            failed++;                                                                  \
            fprintf(stderr, "FAIL %s:%d: %s: got \"%s\", expected \"%s\"\n", __FILE__,  \
                    __LINE__, #actual, a_ ? a_ : "(null)", e_);                        \
        }                                                                              \
    } while (0)

/* `haystack` contains `needle` (long haystacks are cut in the message). */
#define CHECK_HAS(haystack, needle)                                                    \
    do {                                                                               \
        const char *h_ = (haystack);                                                   \
        const char *n_ = (needle);                                                     \
        if (h_ != NULL && strstr(h_, n_) != NULL) {                                    \
            passed++;                                                                  \
        } else {                                                                       \
            failed++;                                                                  \
            fprintf(stderr, "FAIL %s:%d: \"%.2000s\" does not contain \"%s\"\n",        \
                    __FILE__, __LINE__, h_ ? h_ : "(null)", n_);                       \
        }                                                                              \
    } while (0)

/* A string literal or char array as the (ptr, len) pair the API takes. */
#define TXT(s) (const uint8_t *)(s), strlen(s)

/* `haystack` does not contain `needle`. */
#define CHECK_LACKS(haystack, needle)                                                  \
    do {                                                                               \
        const char *h_ = (haystack);                                                   \
        const char *n_ = (needle);                                                     \
        if (h_ != NULL && strstr(h_, n_) == NULL) {                                    \
            passed++;                                                                  \
        } else {                                                                       \
            failed++;                                                                  \
            fprintf(stderr, "FAIL %s:%d: \"%.2000s\" contains \"%s\"\n", __FILE__,      \
                    __LINE__, h_ ? h_ : "(null)", n_);                                 \
        }                                                                              \
    } while (0)

/* Ends a test program: the closing line, and the exit status. */
static int check_summary(void) {
    printf("%d passed, %d failed\n", passed, failed);
    return failed == 0 ? 0 : 1;
}

#endif
