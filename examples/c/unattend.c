/*
 * unattend: put a product key into a Windows Setup answer file (Unattend.xml) and scrub it
 * afterwards, with libvolact's volact_unattend_* calls. Converting KMS clients to MAK during
 * setup means putting the MAK in the answer file; setup reads it from the windowsPE pass
 * (Microsoft-Windows-Setup, UserData/ProductKey/Key) and the specialize pass
 * (Microsoft-Windows-Shell-Setup, ProductKey), and replaces it with SENSITIVE*DATA*DELETED only
 * at the end of setup.
 *
 *   unattend ANSWER_FILE KEY KEYED_OUT SCRUBBED_OUT
 *
 * 1. show: the key places of ANSWER_FILE and what they hold (keys masked), with warnings;
 * 2. set-key: KEY in every place setup reads, written to KEYED_OUT (the key in clear: that is
 *    what setup reads; keep the file protected), then that file's places;
 * 3. scrub: every key of KEYED_OUT (the two places, and key-shaped text anywhere, such as a
 *    `slmgr /ipk` command) replaced by SENSITIVE*DATA*DELETED, written to SCRUBBED_OUT, then
 *    its places.
 *
 * Every other byte of the file stays as it was, in its encoding (UTF-8, or UTF-16 with a BOM).
 * The program prints keys masked only (XXXXX-XXXXX-XXXXX-XXXXX-T83GX). Exit status: 0 when
 * every step succeeded, 1 otherwise (the reason printed), 2 on a usage error. From the
 * repository root:
 *
 *   cargo build --release -p volact-c
 *   gcc -std=c11 -Wall -Wextra -I bindings/c/include examples/c/unattend.c \
 *       -L target/release -lvolact -Wl,-rpath,"$PWD/target/release" -o unattend
 *   ./unattend crates/volact/tests/data/unattend/mak-both-places.xml \
 *       W269N-WFGWX-YVC9B-4J6C9-T83GX keyed.xml scrubbed.xml
 *
 * `cargo test -p volact-c` runs it under valgrind and checks its output and files (test
 * `example_unattend` in bindings/c/tests/c_programs.rs).
 */

#include "volact.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TXT(s) (const uint8_t *)(s), strlen(s)

/* The last error message of this thread: positions and reasons, never a key. */
static const char *last_error(void) {
    static char buf[1024];
    if (volact_last_error_message(buf, sizeof buf, NULL) != VOLACT_RESULT_OK) {
        buf[0] = '\0';
    }
    return buf;
}

/* Prints why a call failed (the code's description and the details); returns 1. */
static int failed(const char *what, volact_result r) {
    char why[128];
    volact_result_message(r, why, sizeof why, NULL);
    fprintf(stderr, "%s: %s (%u): %s\n", what, why, (unsigned)r, last_error());
    return 1;
}

/* Overwrites a buffer that held a key before it is freed. */
static void wipe(void *p, size_t n) {
    volatile unsigned char *b = p;
    while (n--) {
        *b++ = 0;
    }
}

/* Reads a whole file into a malloc'd buffer; NULL when it cannot. */
static uint8_t *read_file(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        return NULL;
    }
    uint8_t *buf = malloc(1); /* an empty file is not a read failure */
    size_t n = 0;
    uint8_t chunk[4096];
    size_t got;
    while (buf != NULL && (got = fread(chunk, 1, sizeof chunk, f)) > 0) {
        uint8_t *grown = realloc(buf, n + got);
        if (grown == NULL) {
            free(buf);
            fclose(f);
            return NULL;
        }
        buf = grown;
        memcpy(buf + n, chunk, got);
        n += got;
    }
    fclose(f);
    *len = n;
    return buf;
}

static int write_file(const char *path, const uint8_t *bytes, size_t len) {
    FILE *f = fopen(path, "wb");
    if (f == NULL) {
        return -1;
    }
    int ok = fwrite(bytes, 1, len, f) == len;
    return fclose(f) == 0 && ok ? 0 : -1;
}

/* Step 1, and after each change: the report (its JSON: keys masked), sized first. */
static int show(const char *what, const uint8_t *file, size_t len) {
    size_t n = 0;
    volact_result r = volact_unattend_show(file, len, NULL, NULL, 0, &n);
    if (r != VOLACT_RESULT_BUFFER_TOO_SMALL) {
        return failed(what, r);
    }
    char *report = malloc(n + 1);
    if (report == NULL || (r = volact_unattend_show(file, len, NULL, report, n + 1, NULL)) !=
                              VOLACT_RESULT_OK) {
        free(report);
        return failed(what, r);
    }
    printf("%s:\n%s\n", what, report);
    free(report);
    return 0;
}

int main(int argc, char **argv) {
    if (argc != 5) {
        fprintf(stderr, "usage: unattend ANSWER_FILE KEY KEYED_OUT SCRUBBED_OUT\n");
        return 2;
    }
    const char *in_path = argv[1], *key = argv[2], *keyed_path = argv[3];
    const char *scrubbed_path = argv[4];
    char masked[64];
    volact_key_masked_text(TXT(key), masked, sizeof masked, NULL);

    size_t len = 0;
    uint8_t *file = read_file(in_path, &len);
    if (file == NULL) {
        fprintf(stderr, "%s: cannot read the file\n", in_path);
        return 1;
    }
    int status = 0;
    volact_result r;
    uint8_t *keyed = NULL, *scrubbed = NULL;
    size_t keyed_len = 0, scrubbed_len = 0;

    /* 1. What the file holds now. */
    printf("step 1, show %s\n", in_path);
    if (show("  places", file, len) != 0) {
        status = 1;
        goto done;
    }

    /* 2. The key into setup's places: ask the size, then a buffer of exactly that size. */
    printf("step 2, set-key %s\n", masked);
    r = volact_unattend_set_key(file, len, TXT(key), NULL, 0, &keyed_len);
    if (r != VOLACT_RESULT_BUFFER_TOO_SMALL) {
        status = failed("  set-key", r);
        goto done;
    }
    keyed = malloc(keyed_len);
    if (keyed == NULL ||
        (r = volact_unattend_set_key(file, len, TXT(key), keyed, keyed_len, NULL)) !=
            VOLACT_RESULT_OK) {
        status = failed("  set-key", r);
        goto done;
    }
    if (write_file(keyed_path, keyed, keyed_len) != 0) {
        fprintf(stderr, "%s: cannot write the file\n", keyed_path);
        status = 1;
        goto done;
    }
    printf("  %zu bytes written to %s (the key is in clear there, as setup reads it: keep the "
           "file protected and scrub it after use)\n",
           keyed_len, keyed_path);
    if (show("  places", keyed, keyed_len) != 0) {
        status = 1;
        goto done;
    }

    /* 3. Every key out, as setup does at its end. */
    printf("step 3, scrub %s\n", keyed_path);
    r = volact_unattend_scrub(keyed, keyed_len, NULL, 0, &scrubbed_len);
    if (r != VOLACT_RESULT_BUFFER_TOO_SMALL) {
        status = failed("  scrub", r);
        goto done;
    }
    scrubbed = malloc(scrubbed_len);
    if (scrubbed == NULL ||
        (r = volact_unattend_scrub(keyed, keyed_len, scrubbed, scrubbed_len, NULL)) !=
            VOLACT_RESULT_OK) {
        status = failed("  scrub", r);
        goto done;
    }
    if (write_file(scrubbed_path, scrubbed, scrubbed_len) != 0) {
        fprintf(stderr, "%s: cannot write the file\n", scrubbed_path);
        status = 1;
        goto done;
    }
    printf("  %zu bytes written to %s\n", scrubbed_len, scrubbed_path);
    status = show("  places", scrubbed, scrubbed_len);

done:
    if (keyed != NULL) {
        wipe(keyed, keyed_len);
    }
    wipe(file, len);
    free(scrubbed);
    free(keyed);
    free(file);
    return status;
}
