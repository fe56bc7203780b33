/*
 * explain: what activation error codes mean, their likely cause and the fix to try, from
 * libvolact's table (the one `volact explain` prints).
 *
 *   explain 0xC004F074 -1073418184
 *   explain --json C004F038
 *
 * Codes as administrators paste them: 0xC004F074, C004F074, 3221549172, -1073418124.
 * With --json, one JSON record a line (the shape of `volact explain --json`).
 *
 * Exit status: 0 when every code is explained, 1 when one is unknown or not a code, 2 without
 * arguments.
 */

#include "volact.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The last failure's message, into a static buffer. */
static const char *last_error(void) {
    static char buf[1024];
    if (volact_last_error_message(buf, sizeof buf, NULL) != VOLACT_RESULT_OK) {
        snprintf(buf, sizeof buf, "(no message)");
    }
    return buf;
}

/* Prints the JSON record of `code`: size the buffer, then read. 1 on failure. */
static int print_json(const char *code) {
    size_t n = 0;
    volact_result r = volact_explain((const uint8_t *)code, strlen(code), NULL, 0, &n);
    if (r != VOLACT_RESULT_BUFFER_TOO_SMALL) {
        fprintf(stderr, "%s: %s\n", code, last_error());
        return 1;
    }
    char *json = malloc(n + 1);
    if (json == NULL) {
        fprintf(stderr, "out of memory\n");
        return 1;
    }
    r = volact_explain((const uint8_t *)code, strlen(code), json, n + 1, &n);
    if (r == VOLACT_RESULT_OK) {
        printf("%s\n", json);
    } else {
        fprintf(stderr, "%s: %s\n", code, last_error());
    }
    free(json);
    return r == VOLACT_RESULT_OK ? 0 : 1;
}

/* Prints the table entry of `code` as text. 1 on failure. */
static int print_text(const char *code) {
    volact_error_code e;
    volact_result r = volact_explain_lookup((const uint8_t *)code, strlen(code), &e);
    if (r != VOLACT_RESULT_OK) {
        /* VOLACT_RESULT_LICENSE_ERROR_CODE_TEXT or _UNKNOWN: the message says which. */
        printf("%s  unknown: %s\n", code, last_error());
        return 1;
    }
    printf("%s  %s\n", e.hex, e.message);
    printf("  applies to: %s\n", e.applies_to);
    printf("  cause:      %s\n", e.cause);
    printf("  fix:        %s\n", e.fix);
    printf("  source:     %s\n", e.source);
    return 0;
}

int main(int argc, char **argv) {
    int json = argc > 1 && strcmp(argv[1], "--json") == 0;
    int first = json ? 2 : 1;
    if (argc <= first) {
        fprintf(stderr, "usage: explain [--json] CODE...   (%zu codes known)\n", volact_explain_count());
        return 2;
    }
    int status = 0;
    for (int i = first; i < argc; i++) {
        status |= json ? print_json(argv[i]) : print_text(argv[i]);
    }
    return status;
}
