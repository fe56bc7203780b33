/*
 * inspect_key: check product keys with libvolact and say what they are.
 *
 *   inspect_key KEY...
 *
 * For each argument it prints the masked key (never the key itself), then either the
 * algorithm, group id, channel and the published GVLK catalog rows the key stands in, or
 * why the text is not a valid key. Exit status: 0 when every key is valid, 1 when one is
 * not, 2 on a usage error. Build and run: see examples/c/README.md.
 */

#include "volact.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The last error message of this thread: positions and reasons, never a key. */
static const char *last_error(void) {
    static char buf[512];
    if (volact_last_error_message(buf, sizeof buf, NULL) != VOLACT_RESULT_OK) {
        buf[0] = '\0';
    }
    return buf;
}

/* The static description of a result code. */
static const char *result_text(volact_result r) {
    static char buf[128];
    if (volact_result_message(r, buf, sizeof buf, NULL) != VOLACT_RESULT_OK) {
        snprintf(buf, sizeof buf, "error %u", (unsigned)r);
    }
    return buf;
}

static const char *algorithm_name(volact_algorithm a) {
    switch (a) {
    case VOLACT_ALGORITHM_PKEY2005:
        return "pkey2005 (syntax only: no offline check exists)";
    case VOLACT_ALGORITHM_PKEY2009:
        return "pkey2009";
    default:
        return "unknown";
    }
}

/* Prints the catalog rows that publish `key`. The row count is not known in advance: try a
 * small array, and on VOLACT_RESULT_BUFFER_TOO_SMALL allocate *out_n entries and ask again. */
static int print_catalog_rows(const volact_product_key *key) {
    size_t small[4];
    size_t *rows = small;
    size_t n = 0;
    volact_result r = volact_product_key_catalog_rows(key, small, 4, &n);
    if (r == VOLACT_RESULT_BUFFER_TOO_SMALL) {
        rows = malloc(n * sizeof *rows);
        if (rows == NULL) {
            return -1;
        }
        r = volact_product_key_catalog_rows(key, rows, n, &n);
    }
    if (r != VOLACT_RESULT_OK) {
        fprintf(stderr, "catalog lookup failed: %s\n", last_error());
    } else if (n == 0) {
        printf("  catalog:   not a published GVLK\n");
    }
    for (size_t i = 0; r == VOLACT_RESULT_OK && i < n; i++) {
        volact_catalog_row row;
        if (volact_catalog_row_get(rows[i], &row) == VOLACT_RESULT_OK) {
            /* The row strings are static: no copy, no free. */
            printf("  catalog:   %s %s\n", row.family, row.edition);
        }
    }
    if (rows != small) {
        free(rows);
    }
    return r == VOLACT_RESULT_OK ? 0 : -1;
}

/* Inspects one text; returns 1 for a valid key, 0 otherwise. */
static int inspect(const char *text) {
    const uint8_t *bytes = (const uint8_t *)text;
    size_t len = strlen(text);
    char masked[30]; /* a masked key is 29 characters and the NUL */
    char buf[256];

    volact_product_key *key = NULL;
    volact_result r = volact_product_key_parse(bytes, len, &key);
    if (r != VOLACT_RESULT_OK) {
        /* Copy the details first: any later failing call replaces them. */
        char why[512];
        snprintf(why, sizeof why, "%s", last_error());
        /* Mask whatever was given: at most its last five symbols show. The usual size
         * fits in `small`; on VOLACT_RESULT_BUFFER_TOO_SMALL, *out_n says how much to
         * allocate (plus one for the NUL). */
        char small[32];
        char *shown = small;
        size_t n = 0;
        volact_result m = volact_key_masked_text(bytes, len, small, sizeof small, &n);
        if (m == VOLACT_RESULT_BUFFER_TOO_SMALL && (shown = malloc(n + 1)) != NULL) {
            m = volact_key_masked_text(bytes, len, shown, n + 1, &n);
        }
        printf("%s\n", m == VOLACT_RESULT_OK ? shown : "(text not UTF-8)");
        if (shown != small) {
            free(shown);
        }
        printf("  invalid:   %s (%s)\n", result_text(r), why);
        return 0;
    }

    volact_product_key_masked(key, masked, sizeof masked, NULL);
    printf("%s\n", masked);

    volact_algorithm algorithm = VOLACT_ALGORITHM_NONE;
    volact_product_key_algorithm(key, &algorithm);
    printf("  algorithm: %s\n", algorithm_name(algorithm));

    volact_pkey2009 fields;
    if (volact_product_key_pkey2009(key, &fields) == VOLACT_RESULT_OK) {
        printf("  group id:  %u", (unsigned)fields.group_id);
        if (volact_catalog_group_label(fields.group_id, buf, sizeof buf, NULL) ==
            VOLACT_RESULT_OK) {
            printf(" (%s)", buf);
        }
        printf("\n  serial:    %u\n", (unsigned)fields.serial);
    }

    if (volact_product_key_channel(key, buf, sizeof buf, NULL) == VOLACT_RESULT_OK) {
        printf("  channel:   %s\n", buf);
    } else {
        printf("  channel:   unknown (volact does not guess)\n");
    }

    print_catalog_rows(key);
    volact_product_key_free(key);
    return 1;
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: %s KEY...\n(libvolact %s)\n", argv[0], volact_version());
        return 2;
    }
    int all_valid = 1;
    for (int i = 1; i < argc; i++) {
        all_valid &= inspect(argv[i]);
    }
    return all_valid ? 0 : 1;
}
