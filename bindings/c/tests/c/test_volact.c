/*
 * C tests of libvolact through include/volact.h.
 *
 * Built and run by bindings/c/tests/c_programs.rs (`cargo test -p volact-c`): against
 * libvolact.so, against libvolact.a, through pkg-config, and under valgrind. By hand:
 *
 *   cargo build -p volact-c
 *   gcc -std=c11 -Wall -Wextra -Werror -pedantic -pthread -Ibindings/c/include \
 *       bindings/c/tests/c/test_volact.c -Ltarget/debug -lvolact \
 *       -Wl,-rpath,"$PWD/target/debug" -o /tmp/test_volact && /tmp/test_volact
 *
 * The last line printed is `N passed, N failed`; the exit status is 1 on any failure.
 * Test vectors: Microsoft-published GVLKs, IIDs, CIDs and ePIDs (facts.md §1.3, §1.4, §2).
 */

#include "volact.h"

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"

#define NPPR9 "NPPR9-FWDCX-D2C8J-H872K-2YT43" /* Windows 10/11 Enterprise GVLK */
#define W269N "W269N-WFGWX-YVC9B-4J6C9-T83GX" /* Windows 10/11 Pro GVLK */
#define FJ82H "FJ82H-XT6CR-J8D7P-XQJJ2-GPDD4" /* Windows 7 Professional GVLK (pkey2005) */
#define VKCF7 "VKCF7-HV62C-944TY-YJ9NF-6Q83G" /* valid "twin" key, not in the catalog */
#define NPPR9_SHA256 "aa6ab25a2bb1c69f3cc2802003310af8015bce5b69e83c5e6d8367eb9ae368ab"

/* The last error message of this thread (static buffer). */
static const char *last_error(void) {
    static char buf[512];
    size_t n = 0;
    volact_result r = volact_last_error_message(buf, sizeof buf, &n);
    if (r != VOLACT_RESULT_OK) {
        snprintf(buf, sizeof buf, "(volact_last_error_message failed: %u)", (unsigned)r);
    }
    return buf;
}

/* Every byte of `buf[0..len)` still equals `fill`. */
static int untouched(const char *buf, size_t len, char fill) {
    for (size_t i = 0; i < len; i++) {
        if (buf[i] != fill) {
            return 0;
        }
    }
    return 1;
}

/* Parses a key that must be valid; NULL (and a failed check) otherwise. */
static volact_product_key *parse_ok(const char *text) {
    volact_product_key *key = NULL;
    volact_result r = volact_product_key_parse(TXT(text), &key);
    CHECK_EQ(r, VOLACT_RESULT_OK);
    CHECK(key != NULL);
    if (r != VOLACT_RESULT_OK) {
        fprintf(stderr, "  parsing a valid key failed: %s\n", last_error());
    }
    return key;
}

static void test_last_error_starts_empty(void) {
    char buf[8];
    memset(buf, '#', sizeof buf);
    size_t n = 99;
    CHECK_EQ(volact_last_error_message(buf, sizeof buf, &n), VOLACT_RESULT_OK);
    CHECK_EQ(n, 0);
    CHECK_STR(buf, "");
}

static void test_version(void) {
    char expected[64];
    snprintf(expected, sizeof expected, "%d.%d.%d", VOLACT_VERSION_MAJOR, VOLACT_VERSION_MINOR,
             VOLACT_VERSION_PATCH);
    CHECK_STR(volact_version(), expected);
    CHECK(volact_version() == volact_version()); /* static, not allocated per call */
}

/* facts.md §1.3 gives no security value for some keys. */
#define NO_CHECK UINT64_MAX

static void check_fields(const char *text, uint32_t group, uint32_t serial, uint64_t security,
                         uint16_t checksum) {
    volact_product_key *key = parse_ok(text);
    volact_algorithm algorithm = VOLACT_ALGORITHM_NONE;
    CHECK_EQ(volact_product_key_algorithm(key, &algorithm), VOLACT_RESULT_OK);
    CHECK_EQ(algorithm, VOLACT_ALGORITHM_PKEY2009);
    volact_pkey2009 f;
    memset(&f, 0, sizeof f);
    CHECK_EQ(volact_product_key_pkey2009(key, &f), VOLACT_RESULT_OK);
    CHECK_EQ(f.group_id, group);
    CHECK_EQ(f.serial, serial);
    if (security != NO_CHECK) {
        CHECK_EQ(f.security, security);
    }
    CHECK_EQ(f.checksum, checksum);
    CHECK(!f.upgrade);
    CHECK(!f.extra);
    volact_product_key_free(key);
}

static void test_parse_published_gvlks(void) {
    check_fields(NPPR9, 3290, 3, UINT64_C(0xF99457819D8C6), 0x33);
    check_fields(W269N, 3311, 1, UINT64_C(0x1BAF538E714F4D), 0x25E);
    check_fields("WX4NM-KYWYW-QJJR4-XV3QB-6VM33", 4546, 1, NO_CHECK, 0x1DA);

    /* Any case, dashes and ASCII whitespace anywhere; reveal gives the canonical form. */
    volact_product_key *key = parse_ok(" w269n WFGWX yvc9b\t4j6c9 t83gx\n");
    char buf[64];
    size_t n = 0;
    CHECK_EQ(volact_product_key_reveal(key, buf, sizeof buf, &n), VOLACT_RESULT_OK);
    CHECK_STR(buf, W269N);
    CHECK_EQ(n, 29);
    volact_product_key_free(key);

    /* The S14 twin: valid with the extra bit set. */
    key = parse_ok(VKCF7);
    volact_pkey2009 f;
    CHECK_EQ(volact_product_key_pkey2009(key, &f), VOLACT_RESULT_OK);
    CHECK_EQ(f.group_id, 3892);
    CHECK_EQ(f.serial, 1);
    CHECK_EQ(f.checksum, 0x188);
    CHECK(f.extra);
    volact_product_key_free(key);

    /* pkey2005: syntax only, no fields; the out-parameter stays untouched. */
    key = parse_ok(FJ82H);
    volact_algorithm algorithm = VOLACT_ALGORITHM_NONE;
    CHECK_EQ(volact_product_key_algorithm(key, &algorithm), VOLACT_RESULT_OK);
    CHECK_EQ(algorithm, VOLACT_ALGORITHM_PKEY2005);
    memset(&f, 0xAB, sizeof f);
    volact_pkey2009 before = f;
    CHECK_EQ(volact_product_key_pkey2009(key, &f), VOLACT_RESULT_NOT_FOUND);
    CHECK(memcmp(&f, &before, sizeof f) == 0);
    CHECK_STR(last_error(), "a pkey2005 key has no pkey2009 fields");
    volact_product_key_free(key);
}

/* Parse must fail with `code` and leave the handle alone; inspect must agree, with the
 * position; the last error message must hold `message` and never the key. */
static void check_key_error(const char *text, volact_result code, size_t position,
                            const char *message) {
    volact_product_key *sentinel = (volact_product_key *)(uintptr_t)0x1234;
    volact_product_key *key = sentinel;
    CHECK_EQ(volact_product_key_parse(TXT(text), &key), code);
    CHECK(key == sentinel);
    CHECK_HAS(last_error(), message);
    CHECK(strstr(last_error(), "FWDCX") == NULL);

    volact_key_info info;
    memset(&info, 0xAB, sizeof info);
    CHECK_EQ(volact_key_inspect(TXT(text), &info), VOLACT_RESULT_OK);
    CHECK_EQ(info.error, code);
    CHECK_EQ(info.error_position, position);
    CHECK_HAS(last_error(), message);
}

static void test_key_errors(void) {
    check_key_error("NPPR9-FWDCX-D2C8J-H872K-2YT4A", VOLACT_RESULT_KEY_INVALID_CHARACTER, 28,
                    "invalid character 'A' at character 29");
    check_key_error("  NPPR9-FWDCX-D2C8J-H872K-2Y@43", VOLACT_RESULT_KEY_INVALID_CHARACTER, 28,
                    "invalid character '@' at character 29");
    check_key_error("NPPR9-FWDCX-D2C8J-H872K-2YT4", VOLACT_RESULT_KEY_LENGTH, SIZE_MAX,
                    "wrong length: 24 key characters, expected 25");
    check_key_error("NPPR9-FWDCX-D2C8J-H872K-2YT433", VOLACT_RESULT_KEY_LENGTH, SIZE_MAX,
                    "wrong length: 26 key characters, expected 25");
    check_key_error("NPPR9-FWDCX-D2C8J-H872K-2YTN3", VOLACT_RESULT_KEY_MULTIPLE_N, 27,
                    "more than one N: another N at character 28");
    check_key_error("BPPR9-FWDCX-D2C8J-H872K-2YT4N", VOLACT_RESULT_KEY_N_IN_LAST_POSITION, 28,
                    "N cannot be the last key character (character 29)");
    check_key_error("NPPR9-FWDCX-D2C8J-H872K-2YT44", VOLACT_RESULT_KEY_CHECKSUM, SIZE_MAX,
                    "checksum mismatch: the key carries 0x033 but its contents give 0x309");

    /* A checksum mismatch still decodes: inspect reports the fields (facts: group 3291). */
    volact_key_info info;
    CHECK_EQ(volact_key_inspect(TXT("nppr9 fwdcx d2c8j h872k 2yt44"), &info), VOLACT_RESULT_OK);
    CHECK_EQ(info.algorithm, VOLACT_ALGORITHM_PKEY2009);
    CHECK(info.has_fields);
    CHECK_EQ(info.fields.group_id, 3291);
    CHECK_EQ(info.fields.checksum, 0x33);

    /* Syntax errors: no algorithm, no fields. */
    CHECK_EQ(volact_key_inspect(TXT("NPPR9-FWDCX-D2C8J-H872K-2YT4A"), &info), VOLACT_RESULT_OK);
    CHECK_EQ(info.algorithm, VOLACT_ALGORITHM_NONE);
    CHECK(!info.has_fields);

    /* A valid key: OK, no position. */
    CHECK_EQ(volact_key_inspect(TXT(NPPR9), &info), VOLACT_RESULT_OK);
    CHECK_EQ(info.error, VOLACT_RESULT_OK);
    CHECK_EQ(info.error_position, SIZE_MAX);
    CHECK_EQ(info.algorithm, VOLACT_ALGORITHM_PKEY2009);
    CHECK(info.has_fields);
    CHECK_EQ(info.fields.group_id, 3290);
    CHECK_EQ(info.fields.serial, 3);
    CHECK_EQ(info.fields.security, UINT64_C(0xF99457819D8C6));

    CHECK_EQ(volact_key_inspect(TXT(FJ82H), &info), VOLACT_RESULT_OK);
    CHECK_EQ(info.error, VOLACT_RESULT_OK);
    CHECK_EQ(info.algorithm, VOLACT_ALGORITHM_PKEY2005);
    CHECK(!info.has_fields);

    /* The empty text is a length error, not a NULL. */
    volact_product_key *key = NULL;
    CHECK_EQ(volact_product_key_parse((const uint8_t *)"", 0, &key), VOLACT_RESULT_KEY_LENGTH);
    CHECK(key == NULL);
}

static void test_key_strings(void) {
    volact_product_key *key = parse_ok(NPPR9);
    char buf[80];
    size_t n = 0;

    CHECK_EQ(volact_product_key_masked(key, buf, sizeof buf, &n), VOLACT_RESULT_OK);
    CHECK_STR(buf, "XXXXX-XXXXX-XXXXX-XXXXX-2YT43");
    CHECK_EQ(n, 29);
    CHECK_EQ(volact_product_key_reveal(key, buf, sizeof buf, &n), VOLACT_RESULT_OK);
    CHECK_STR(buf, NPPR9);
    CHECK_EQ(n, 29);
    CHECK_EQ(volact_product_key_partial(key, buf, sizeof buf, &n), VOLACT_RESULT_OK);
    CHECK_STR(buf, "2YT43");
    CHECK_EQ(n, 5);
    CHECK_EQ(volact_product_key_fingerprint(key, buf, sizeof buf, &n), VOLACT_RESULT_OK);
    CHECK_STR(buf, NPPR9_SHA256);
    CHECK_EQ(n, 64);
    CHECK_EQ(volact_product_key_channel(key, buf, sizeof buf, &n), VOLACT_RESULT_OK);
    CHECK_STR(buf, "Volume:GVLK");
    CHECK_EQ(n, 11);

    /* out_n may be NULL. */
    CHECK_EQ(volact_product_key_partial(key, buf, sizeof buf, NULL), VOLACT_RESULT_OK);
    CHECK_STR(buf, "2YT43");

    /* Exactly the documented sizes fit: 30, 30, 6 and 65 bytes with the NUL. */
    CHECK_EQ(volact_product_key_masked(key, buf, 30, &n), VOLACT_RESULT_OK);
    CHECK_EQ(volact_product_key_reveal(key, buf, 30, &n), VOLACT_RESULT_OK);
    CHECK_EQ(volact_product_key_partial(key, buf, 6, &n), VOLACT_RESULT_OK);
    CHECK_EQ(volact_product_key_fingerprint(key, buf, 65, &n), VOLACT_RESULT_OK);
    CHECK_STR(buf, NPPR9_SHA256);

    /* One byte short (no room for the NUL): nothing written, *out_n = the length needed,
     * and the last error message is left alone (a short buffer is the sizing protocol). */
    volact_product_key *none = NULL;
    CHECK_EQ(volact_product_key_parse(TXT("NPPR9"), &none), VOLACT_RESULT_KEY_LENGTH);
    memset(buf, '#', sizeof buf);
    n = 0;
    CHECK_EQ(volact_product_key_masked(key, buf, 29, &n), VOLACT_RESULT_BUFFER_TOO_SMALL);
    CHECK_EQ(n, 29);
    CHECK(untouched(buf, sizeof buf, '#'));
    CHECK_STR(last_error(), "wrong length: 5 key characters, expected 25");
    n = 0;
    CHECK_EQ(volact_product_key_reveal(key, buf, 29, &n), VOLACT_RESULT_BUFFER_TOO_SMALL);
    CHECK_EQ(n, 29);
    n = 0;
    CHECK_EQ(volact_product_key_partial(key, buf, 5, &n), VOLACT_RESULT_BUFFER_TOO_SMALL);
    CHECK_EQ(n, 5);
    n = 0;
    CHECK_EQ(volact_product_key_fingerprint(key, buf, 64, &n), VOLACT_RESULT_BUFFER_TOO_SMALL);
    CHECK_EQ(n, 64);
    n = 0;
    CHECK_EQ(volact_product_key_channel(key, buf, 3, &n), VOLACT_RESULT_BUFFER_TOO_SMALL);
    CHECK_EQ(n, 11);
    n = 0;
    CHECK_EQ(volact_product_key_masked(key, buf, 0, &n), VOLACT_RESULT_BUFFER_TOO_SMALL);
    CHECK_EQ(n, 29);
    CHECK(untouched(buf, sizeof buf, '#'));

    /* The size-then-allocate idiom: (NULL, 0) asks for the length. */
    n = 0;
    CHECK_EQ(volact_product_key_fingerprint(key, NULL, 0, &n), VOLACT_RESULT_BUFFER_TOO_SMALL);
    CHECK_EQ(n, 64);
    char *heap = malloc(n + 1);
    CHECK(heap != NULL);
    if (heap != NULL) {
        CHECK_EQ(volact_product_key_fingerprint(key, heap, n + 1, NULL), VOLACT_RESULT_OK);
        CHECK_STR(heap, NPPR9_SHA256);
        free(heap);
    }
    volact_product_key_free(key);

    /* Masking any text, valid or not: the key's mask with at most the last five symbols
     * (dashes and whitespace dropped, uppercased), whatever the length. */
    CHECK_EQ(volact_key_masked_text(TXT("nppr9 fwdcx d2c8j h872k 2yt4a"), buf, sizeof buf, &n),
             VOLACT_RESULT_OK);
    CHECK_STR(buf, "XXXXX-XXXXX-XXXXX-XXXXX-2YT4A");
    CHECK_EQ(n, 29);
    CHECK_EQ(volact_key_masked_text(TXT("NPPR9-FWDCX-D2C8J-H872K-2YT43-EXTRA-SYMBOLS"), buf,
                                    sizeof buf, &n),
             VOLACT_RESULT_OK);
    CHECK_STR(buf, "XXXXX-XXXXX-XXXXX-XXXXX-MBOLS");
    CHECK_EQ(volact_key_masked_text(TXT("a-b c"), buf, sizeof buf, &n), VOLACT_RESULT_OK);
    CHECK_STR(buf, "XXXXX-XXXXX-XXXXX-XXXXX-ABC");
    CHECK_EQ(n, 27);

    /* A valid key volact does not know the channel of: NOT_FOUND, buffer untouched. */
    key = parse_ok(VKCF7);
    memset(buf, '#', sizeof buf);
    n = 77;
    CHECK_EQ(volact_product_key_channel(key, buf, sizeof buf, &n), VOLACT_RESULT_NOT_FOUND);
    CHECK(untouched(buf, sizeof buf, '#'));
    CHECK_EQ(n, 77);
    CHECK_STR(last_error(), "channel unknown: not a published GVLK");
    size_t rows[4];
    n = 77;
    CHECK_EQ(volact_product_key_catalog_rows(key, rows, 4, &n), VOLACT_RESULT_OK);
    CHECK_EQ(n, 0);
    CHECK_EQ(volact_product_key_masked(key, buf, sizeof buf, &n), VOLACT_RESULT_OK);
    CHECK_STR(buf, "XXXXX-XXXXX-XXXXX-XXXXX-6Q83G");
    volact_product_key_free(key);
}

/* NULL pointers. Text in: (NULL, 0) is the empty text, NULL with a length is an error.
 * Text and arrays out: (NULL, 0) asks for the size (BUFFER_TOO_SMALL and *out_n), a NULL
 * buffer claiming room is an error. Every other required pointer: NULL_PARAMETER. */
static void test_null_parameters(void) {
    volact_product_key *key = parse_ok(NPPR9);
    volact_product_key *out_key = NULL;
    char buf[80];
    size_t n = 0;
    size_t idx[4];
    volact_algorithm algorithm;
    volact_key_info kinfo;
    volact_id_info iinfo;
    volact_epid epid;
    uint8_t statuses[4];
    uint32_t groups[4];

    /* Text in. */
    CHECK_EQ(volact_product_key_parse(NULL, 29, &out_key), VOLACT_RESULT_NULL_PARAMETER);
    CHECK_STR(last_error(), "text pointer is NULL");
    CHECK_EQ(volact_product_key_parse(NULL, 0, &out_key), VOLACT_RESULT_KEY_LENGTH);
    CHECK_STR(last_error(), "wrong length: 0 key characters, expected 25");
    CHECK_EQ(volact_product_key_parse(TXT(NPPR9), NULL), VOLACT_RESULT_NULL_PARAMETER);
    CHECK_STR(last_error(), "key_out is NULL");
    CHECK(out_key == NULL);
    CHECK_EQ(volact_key_inspect(NULL, 5, &kinfo), VOLACT_RESULT_NULL_PARAMETER);
    CHECK_EQ(volact_key_inspect(NULL, 0, &kinfo), VOLACT_RESULT_OK);
    CHECK_EQ(kinfo.error, VOLACT_RESULT_KEY_LENGTH);
    CHECK_EQ(volact_key_inspect(TXT(NPPR9), NULL), VOLACT_RESULT_NULL_PARAMETER);
    CHECK_EQ(volact_key_masked_text(NULL, 5, buf, sizeof buf, &n), VOLACT_RESULT_NULL_PARAMETER);
    CHECK_EQ(volact_key_masked_text(NULL, 0, buf, sizeof buf, &n), VOLACT_RESULT_OK);
    CHECK_STR(buf, "XXXXX-XXXXX-XXXXX-XXXXX-");
    CHECK_EQ(volact_catalog_gvlk(NULL, 5, idx, 4, &n), VOLACT_RESULT_NULL_PARAMETER);
    n = 77;
    CHECK_EQ(volact_catalog_gvlk(NULL, 0, idx, 4, &n), VOLACT_RESULT_OK);
    CHECK_EQ(n, 0);
    CHECK_EQ(volact_id_check(NULL, 5, &iinfo), VOLACT_RESULT_NULL_PARAMETER);
    CHECK_EQ(volact_id_check(NULL, 0, &iinfo), VOLACT_RESULT_OK);
    CHECK_EQ(iinfo.error, VOLACT_RESULT_ID_LENGTH);
    CHECK_EQ(iinfo.digits, 0);
    CHECK_EQ(volact_id_check(TXT("123"), NULL), VOLACT_RESULT_NULL_PARAMETER);
    CHECK_EQ(volact_id_canonical(NULL, 5, buf, sizeof buf, &n), VOLACT_RESULT_NULL_PARAMETER);
    CHECK_EQ(volact_id_canonical(NULL, 0, buf, sizeof buf, &n), VOLACT_RESULT_ID_LENGTH);
    CHECK_EQ(volact_epid_parse(NULL, 5, &epid), VOLACT_RESULT_NULL_PARAMETER);
    CHECK_EQ(volact_epid_parse(NULL, 0, &epid), VOLACT_RESULT_EPID_FIELD_COUNT);
    CHECK_EQ(volact_epid_parse(TXT("05426-00206-234-001162-03-1033-9200.0000-0992013"), NULL),
             VOLACT_RESULT_NULL_PARAMETER);
    CHECK_EQ(volact_keys_check_batch(NULL, 5, statuses, groups, 4, &n),
             VOLACT_RESULT_NULL_PARAMETER);
    n = 77;
    CHECK_EQ(volact_keys_check_batch(NULL, 0, NULL, NULL, 0, &n), VOLACT_RESULT_OK);
    CHECK_EQ(n, 0);
    CHECK_EQ(volact_decode_digital_product_id(NULL, 67, 0, &out_key),
             VOLACT_RESULT_NULL_PARAMETER);
    CHECK_STR(last_error(), "byte pointer is NULL");
    CHECK_EQ(volact_decode_digital_product_id(NULL, 0, 0, &out_key), VOLACT_RESULT_DPID_TOO_SHORT);
    uint8_t blob[67] = {0};
    CHECK_EQ(volact_decode_digital_product_id(blob, sizeof blob, 0, NULL),
             VOLACT_RESULT_NULL_PARAMETER);
    CHECK(out_key == NULL);

    /* Handles and plain out-pointers. */
    CHECK_EQ(volact_product_key_algorithm(NULL, &algorithm), VOLACT_RESULT_NULL_PARAMETER);
    CHECK_STR(last_error(), "key handle is NULL");
    CHECK_EQ(volact_product_key_algorithm(key, NULL), VOLACT_RESULT_NULL_PARAMETER);
    CHECK_STR(last_error(), "out pointer is NULL");
    CHECK_EQ(volact_product_key_pkey2009(NULL, NULL), VOLACT_RESULT_NULL_PARAMETER);
    CHECK_EQ(volact_product_key_pkey2009(key, NULL), VOLACT_RESULT_NULL_PARAMETER);
    CHECK_EQ(volact_product_key_masked(NULL, buf, sizeof buf, &n), VOLACT_RESULT_NULL_PARAMETER);
    CHECK_EQ(volact_product_key_reveal(NULL, buf, sizeof buf, &n), VOLACT_RESULT_NULL_PARAMETER);
    CHECK_EQ(volact_product_key_partial(NULL, buf, sizeof buf, &n), VOLACT_RESULT_NULL_PARAMETER);
    CHECK_EQ(volact_product_key_fingerprint(NULL, buf, sizeof buf, &n),
             VOLACT_RESULT_NULL_PARAMETER);
    CHECK_EQ(volact_product_key_channel(NULL, buf, sizeof buf, &n), VOLACT_RESULT_NULL_PARAMETER);
    CHECK_EQ(volact_product_key_catalog_rows(NULL, idx, 4, &n), VOLACT_RESULT_NULL_PARAMETER);
    CHECK_EQ(volact_product_key_catalog_rows(key, idx, 4, NULL), VOLACT_RESULT_NULL_PARAMETER);
    CHECK_STR(last_error(), "out_n is NULL");
    CHECK_EQ(volact_catalog_row_get(0, NULL), VOLACT_RESULT_NULL_PARAMETER);
    CHECK_EQ(volact_catalog_gvlk(TXT("Windows 11 Enterprise"), idx, 4, NULL),
             VOLACT_RESULT_NULL_PARAMETER);
    CHECK_EQ(volact_keys_check_batch(TXT(NPPR9), statuses, groups, 4, NULL),
             VOLACT_RESULT_NULL_PARAMETER);

    /* Text out: a NULL buffer that claims room is an error; (NULL, 0) asks for the size. */
    CHECK_EQ(volact_product_key_masked(key, NULL, 30, &n), VOLACT_RESULT_NULL_PARAMETER);
    CHECK_STR(last_error(), "output buffer is NULL");
    n = 0;
    CHECK_EQ(volact_product_key_masked(key, NULL, 0, &n), VOLACT_RESULT_BUFFER_TOO_SMALL);
    CHECK_EQ(n, 29);
    CHECK_STR(last_error(), "output buffer is NULL"); /* the size query is no failure */
    n = 0;
    CHECK_EQ(volact_key_masked_text(TXT(NPPR9), NULL, 0, &n), VOLACT_RESULT_BUFFER_TOO_SMALL);
    CHECK_EQ(n, 29);
    n = 0;
    CHECK_EQ(volact_catalog_group_label(3290, NULL, 0, &n), VOLACT_RESULT_BUFFER_TOO_SMALL);
    CHECK_EQ(n, strlen("Win 10 RTM Enterprise Volume:GVLK"));
    CHECK_EQ(volact_catalog_group_label(3290, NULL, 100, &n), VOLACT_RESULT_NULL_PARAMETER);
    n = 0;
    CHECK_EQ(volact_id_canonical(TXT("070846-984606-199354-110900-862045-444713-121295-109842-549701"),
                                 NULL, 0, &n),
             VOLACT_RESULT_BUFFER_TOO_SMALL);
    CHECK_EQ(n, 62);
    n = 0;
    CHECK_EQ(volact_result_message(VOLACT_RESULT_OK, NULL, 0, &n), VOLACT_RESULT_BUFFER_TOO_SMALL);
    CHECK_EQ(n, 2); /* "ok" */
    CHECK_EQ(volact_result_message(VOLACT_RESULT_OK, NULL, 10, &n), VOLACT_RESULT_NULL_PARAMETER);
    CHECK_EQ(volact_last_error_message(NULL, 0, &n), VOLACT_RESULT_BUFFER_TOO_SMALL);
    CHECK_EQ(n, strlen("output buffer is NULL"));
    /* The size query with no out_n is allowed (and tells nothing). */
    CHECK_EQ(volact_product_key_masked(key, NULL, 0, NULL), VOLACT_RESULT_BUFFER_TOO_SMALL);

    /* Arrays out: the same rules. */
    n = 0;
    CHECK_EQ(volact_product_key_catalog_rows(key, NULL, 0, &n), VOLACT_RESULT_BUFFER_TOO_SMALL);
    CHECK_EQ(n, 2);
    CHECK_EQ(volact_product_key_catalog_rows(key, NULL, 4, &n), VOLACT_RESULT_NULL_PARAMETER);
    CHECK_STR(last_error(), "index array is NULL");
    n = 0;
    CHECK_EQ(volact_catalog_gvlk(TXT("Windows 11 Pro"), NULL, 0, &n),
             VOLACT_RESULT_BUFFER_TOO_SMALL);
    CHECK_EQ(n, 6);
    CHECK_EQ(volact_catalog_gvlk(TXT("Windows 11 Pro"), NULL, 167, &n),
             VOLACT_RESULT_NULL_PARAMETER);
    n = 0;
    CHECK_EQ(volact_keys_check_batch(TXT(NPPR9 "\n" W269N), NULL, NULL, 0, &n),
             VOLACT_RESULT_BUFFER_TOO_SMALL);
    CHECK_EQ(n, 2);
    CHECK_EQ(volact_keys_check_batch(TXT(NPPR9), NULL, groups, 4, &n),
             VOLACT_RESULT_NULL_PARAMETER);
    CHECK_EQ(volact_keys_check_batch(TXT(NPPR9), statuses, NULL, 4, &n),
             VOLACT_RESULT_NULL_PARAMETER);
    CHECK_STR(last_error(), "statuses or group_ids is NULL");

    volact_product_key_free(NULL); /* allowed, does nothing */
    volact_product_key_free(key);
}

static void test_invalid_utf8(void) {
    /* "NPPR9" then a lone continuation byte, then an overlong encoding. */
    static const uint8_t bad[] = {'N', 'P', 'P', 'R', '9', 0x80, 0xC0, 0xAF};
    volact_product_key *sentinel = (volact_product_key *)(uintptr_t)0x1234;
    volact_product_key *key = sentinel;
    char buf[64];
    size_t n = 0, idx[2];
    volact_key_info kinfo;
    volact_id_info iinfo;
    volact_epid epid;
    uint8_t statuses[2];
    uint32_t groups[2];

    CHECK_EQ(volact_product_key_parse(bad, sizeof bad, &key), VOLACT_RESULT_INVALID_UTF8);
    CHECK(key == sentinel);
    CHECK_STR(last_error(), "text is not UTF-8: invalid byte at offset 5");
    CHECK_EQ(volact_key_inspect(bad, sizeof bad, &kinfo), VOLACT_RESULT_INVALID_UTF8);
    CHECK_EQ(volact_key_masked_text(bad, sizeof bad, buf, sizeof buf, &n),
             VOLACT_RESULT_INVALID_UTF8);
    CHECK_EQ(volact_keys_check_batch(bad, sizeof bad, statuses, groups, 2, &n),
             VOLACT_RESULT_INVALID_UTF8);
    CHECK_EQ(volact_catalog_gvlk(bad, sizeof bad, idx, 2, &n), VOLACT_RESULT_INVALID_UTF8);
    CHECK_EQ(volact_id_check(bad, sizeof bad, &iinfo), VOLACT_RESULT_INVALID_UTF8);
    CHECK_EQ(volact_id_canonical(bad, sizeof bad, buf, sizeof buf, &n),
             VOLACT_RESULT_INVALID_UTF8);
    CHECK_EQ(volact_epid_parse(bad, sizeof bad, &epid), VOLACT_RESULT_INVALID_UTF8);
    /* A truncated multi-byte sequence at the very end. */
    static const uint8_t cut[] = {'a', 0xE2, 0x82};
    CHECK_EQ(volact_id_check(cut, sizeof cut, &iinfo), VOLACT_RESULT_INVALID_UTF8);
    CHECK_STR(last_error(), "text is not UTF-8: invalid byte at offset 1");
    /* Valid UTF-8 that is no key character is a key error, with a character position. */
    CHECK_EQ(volact_key_inspect(TXT("NPPR9-FWDCX-D2C8J-H872K-2YT4\xC3\xA9"), &kinfo),
             VOLACT_RESULT_OK);
    CHECK_EQ(kinfo.error, VOLACT_RESULT_KEY_INVALID_CHARACTER);
    CHECK_EQ(kinfo.error_position, 28);
}

static void test_catalog(void) {
    CHECK_EQ(volact_catalog_len(), 167);

    /* Every row: strings present, the key parses, is published (channel GVLK) and maps back
     * to this row; 142 pkey2009 and 25 pkey2005 keys (facts.md §3). */
    size_t n_rows = volact_catalog_len();
    size_t bad_rows = 0, n2009 = 0, n2005 = 0;
    for (size_t i = 0; i < n_rows; i++) {
        volact_catalog_row row;
        memset(&row, 0, sizeof row);
        if (volact_catalog_row_get(i, &row) != VOLACT_RESULT_OK || row.family == NULL ||
            row.edition == NULL || row.key == NULL || row.family[0] == '\0' ||
            row.edition[0] == '\0' || strlen(row.key) != 29) {
            bad_rows++;
            continue;
        }
        volact_product_key *key = NULL;
        if (volact_product_key_parse(TXT(row.key), &key) != VOLACT_RESULT_OK) {
            fprintf(stderr, "  catalog row %zu: key does not parse: %s\n", i, last_error());
            bad_rows++;
            continue;
        }
        volact_algorithm algorithm = VOLACT_ALGORITHM_NONE;
        volact_product_key_algorithm(key, &algorithm);
        n2009 += algorithm == VOLACT_ALGORITHM_PKEY2009;
        n2005 += algorithm == VOLACT_ALGORITHM_PKEY2005;
        char channel[32] = "";
        size_t idx[8], n = 0, found = 0;
        if (volact_product_key_channel(key, channel, sizeof channel, NULL) != VOLACT_RESULT_OK ||
            strcmp(channel, "Volume:GVLK") != 0 ||
            volact_product_key_catalog_rows(key, idx, 8, &n) != VOLACT_RESULT_OK) {
            bad_rows++;
        } else {
            for (size_t j = 0; j < n; j++) {
                found += idx[j] == i;
            }
            if (found != 1) {
                fprintf(stderr, "  catalog row %zu: not among its key's rows\n", i);
                bad_rows++;
            }
        }
        volact_product_key_free(key);
    }
    CHECK_EQ(bad_rows, 0);
    CHECK_EQ(n2009, 142);
    CHECK_EQ(n2005, 25);

    /* Past the end: NOT_FOUND, row untouched. */
    volact_catalog_row row;
    memset(&row, 0xAB, sizeof row);
    volact_catalog_row before = row;
    CHECK_EQ(volact_catalog_row_get(167, &row), VOLACT_RESULT_NOT_FOUND);
    CHECK(memcmp(&row, &before, sizeof row) == 0);
    CHECK_STR(last_error(), "row 167 is past the end (167 rows)");
    CHECK_EQ(volact_catalog_row_get(SIZE_MAX, &row), VOLACT_RESULT_NOT_FOUND);

    /* The strings are static: the same pointers on every call. */
    volact_catalog_row a, b;
    CHECK_EQ(volact_catalog_row_get(0, &a), VOLACT_RESULT_OK);
    CHECK_EQ(volact_catalog_row_get(0, &b), VOLACT_RESULT_OK);
    CHECK(a.key == b.key && a.family == b.family && a.edition == b.edition);

    /* NPPR9 stands in two rows: Windows 11 Enterprise and Windows 10 Enterprise. */
    volact_product_key *key = parse_ok(NPPR9);
    size_t idx[8];
    size_t n = 0;
    CHECK_EQ(volact_product_key_catalog_rows(key, idx, 8, &n), VOLACT_RESULT_OK);
    CHECK_EQ(n, 2);
    if (n == 2) {
        volact_catalog_row r0, r1;
        CHECK_EQ(volact_catalog_row_get(idx[0], &r0), VOLACT_RESULT_OK);
        CHECK_EQ(volact_catalog_row_get(idx[1], &r1), VOLACT_RESULT_OK);
        CHECK_STR(r0.family, "Windows 11");
        CHECK_STR(r0.edition, "Enterprise");
        CHECK_STR(r0.key, NPPR9);
        CHECK_STR(r1.family, "Windows 10");
        CHECK_STR(r1.edition, "Enterprise");
        CHECK_STR(r1.key, NPPR9);
    }
    /* Too small an array: BUFFER_TOO_SMALL, *out_n = 2, nothing written. */
    idx[0] = 999;
    n = 0;
    CHECK_EQ(volact_product_key_catalog_rows(key, idx, 1, &n), VOLACT_RESULT_BUFFER_TOO_SMALL);
    CHECK_EQ(n, 2);
    CHECK_EQ(idx[0], 999);
    CHECK_STR(last_error(), "row 18446744073709551615 is past the end (167 rows)"); /* kept */
    /* (NULL, 0) asks for the count. */
    n = 0;
    CHECK_EQ(volact_product_key_catalog_rows(key, NULL, 0, &n), VOLACT_RESULT_BUFFER_TOO_SMALL);
    CHECK_EQ(n, 2);
    volact_product_key_free(key);

    /* gvlk query: every word matches (any case), exact names first. */
    n = 0;
    CHECK_EQ(volact_catalog_gvlk(TXT("windows 11 PRO"), idx, 8, &n), VOLACT_RESULT_OK);
    CHECK_EQ(n, 6); /* Pro, Pro N, Pro for Workstations (N), Pro Education (N) */
    if (n >= 1) {
        volact_catalog_row r;
        CHECK_EQ(volact_catalog_row_get(idx[0], &r), VOLACT_RESULT_OK);
        CHECK_STR(r.family, "Windows 11");
        CHECK_STR(r.edition, "Pro");
        CHECK_STR(r.key, W269N);
        size_t wrong = 0;
        for (size_t i = 0; i < n && i < 8; i++) {
            CHECK_EQ(volact_catalog_row_get(idx[i], &r), VOLACT_RESULT_OK);
            wrong += strcmp(r.family, "Windows 11") != 0 || strstr(r.edition, "Pro") == NULL;
        }
        CHECK_EQ(wrong, 0);
    }
    size_t all[167];
    n = 0;
    CHECK_EQ(volact_catalog_gvlk(TXT("Windows 10 Enterprise"), all, 167, &n), VOLACT_RESULT_OK);
    CHECK(n > 1); /* Enterprise first, then Enterprise N, G, LTSC... */
    if (n >= 1) {
        volact_catalog_row r;
        CHECK_EQ(volact_catalog_row_get(all[0], &r), VOLACT_RESULT_OK);
        CHECK_STR(r.family, "Windows 10");
        CHECK_STR(r.edition, "Enterprise");
        CHECK_STR(r.key, NPPR9);
    }
    idx[0] = 999;
    CHECK_EQ(volact_catalog_gvlk(TXT("windows 11 pro"), idx, 2, &n),
             VOLACT_RESULT_BUFFER_TOO_SMALL);
    CHECK_EQ(n, 6);
    CHECK_EQ(idx[0], 999);
    n = 77;
    CHECK_EQ(volact_catalog_gvlk(TXT("no such edition"), idx, 8, &n), VOLACT_RESULT_OK);
    CHECK_EQ(n, 0);
    n = 77;
    CHECK_EQ(volact_catalog_gvlk((const uint8_t *)"", 0, idx, 8, &n), VOLACT_RESULT_OK);
    CHECK_EQ(n, 0);

    /* Group labels. */
    char buf[128];
    CHECK_EQ(volact_catalog_group_label(3290, buf, sizeof buf, &n), VOLACT_RESULT_OK);
    CHECK_STR(buf, "Win 10 RTM Enterprise Volume:GVLK");
    CHECK_EQ(n, strlen("Win 10 RTM Enterprise Volume:GVLK"));
    CHECK_EQ(volact_catalog_group_label(3311, buf, sizeof buf, NULL), VOLACT_RESULT_OK);
    CHECK_STR(buf, "Win 10 RTM Professional Volume:GVLK");
    CHECK_EQ(volact_catalog_group_label(4546, buf, sizeof buf, NULL), VOLACT_RESULT_OK);
    CHECK_STR(buf, "Windows Server 2021 RTM ServerDatacenter Volume:GVLK");
    memset(buf, '#', sizeof buf);
    n = 77;
    CHECK_EQ(volact_catalog_group_label(999999, buf, sizeof buf, &n), VOLACT_RESULT_NOT_FOUND);
    CHECK(untouched(buf, sizeof buf, '#'));
    CHECK_EQ(n, 77);
    CHECK_STR(last_error(), "group 999999 is not one volact can name");
}

static void test_ids(void) {
    volact_id_info info;
    char buf[96];
    size_t n = 0;

    /* XP IID (9 x 6). */
    memset(&info, 0xAB, sizeof info);
    CHECK_EQ(volact_id_check(TXT("070846-984606-199354-110900-862045-444713-121295-109842-549701"),
                             &info),
             VOLACT_RESULT_OK);
    CHECK_EQ(info.error, VOLACT_RESULT_OK);
    CHECK_EQ(info.error_position, SIZE_MAX);
    CHECK_EQ(info.kind, VOLACT_ID_KIND_INSTALLATION_ID);
    CHECK_EQ(info.digits, 54);
    CHECK_EQ(info.groups, 9);
    CHECK_EQ(info.group_len, 6);
    CHECK_EQ(info.bad_groups_mask, 0);
    CHECK(info.rule_confirmed);

    /* Office KMS host IID, no separators (9 x 6). */
    static const char office[] = "020650770493837252929082195773527024195725809211989214";
    CHECK_EQ(volact_id_check(TXT(office), &info), VOLACT_RESULT_OK);
    CHECK_EQ(info.error, VOLACT_RESULT_OK);
    CHECK_EQ(info.digits, 54);
    CHECK_EQ(volact_id_canonical(TXT(office), buf, sizeof buf, &n), VOLACT_RESULT_OK);
    CHECK_STR(buf, "020650-770493-837252-929082-195773-527024-195725-809211-989214");
    CHECK_EQ(n, 62);

    /* Windows 10 IIDs (9 x 7). */
    static const char *const win10[] = {
        "253037440405119108201413961093786848722385303726677949056629205",
        "508760583450367066786558223034732344271525457574499727444472481",
    };
    for (size_t i = 0; i < 2; i++) {
        memset(&info, 0, sizeof info);
        CHECK_EQ(volact_id_check(TXT(win10[i]), &info), VOLACT_RESULT_OK);
        CHECK_EQ(info.error, VOLACT_RESULT_OK);
        CHECK_EQ(info.kind, VOLACT_ID_KIND_INSTALLATION_ID);
        CHECK_EQ(info.digits, 63);
        CHECK_EQ(info.groups, 9);
        CHECK_EQ(info.group_len, 7);
        CHECK_EQ(info.bad_groups_mask, 0);
        CHECK(info.rule_confirmed);
    }
    CHECK_EQ(volact_id_canonical(TXT(win10[0]), buf, sizeof buf, &n), VOLACT_RESULT_OK);
    CHECK_STR(buf, "2530374-4040511-9108201-4139610-9378684-8722385-3037266-7794905-6629205");

    /* XP CID (7 x 6): rule confirmed. */
    static const char xp_cid[] = "204455-473963-727110-378854-169136-901266-745572";
    CHECK_EQ(volact_id_check(TXT(xp_cid), &info), VOLACT_RESULT_OK);
    CHECK_EQ(info.error, VOLACT_RESULT_OK);
    CHECK_EQ(info.kind, VOLACT_ID_KIND_CONFIRMATION_ID);
    CHECK_EQ(info.digits, 42);
    CHECK_EQ(info.groups, 7);
    CHECK_EQ(info.group_len, 6);
    CHECK(info.rule_confirmed);

    /* A 48-digit (8 x 6) layout: the check-digit rule is not confirmed for it. */
    CHECK_EQ(volact_id_check(TXT("204455-473963-727110-378854-169136-901266-745572-000000"), &info),
             VOLACT_RESULT_OK);
    CHECK_EQ(info.error, VOLACT_RESULT_OK);
    CHECK_EQ(info.kind, VOLACT_ID_KIND_CONFIRMATION_ID);
    CHECK_EQ(info.digits, 48);
    CHECK_EQ(info.groups, 8);
    CHECK(!info.rule_confirmed);

    /* Wrong check digits in groups 2 and 4 (7 is never a mod-7 check digit). */
    static const char bad_iid[] = "070846-984607-199354-110907-862045-444713-121295-109842-549701";
    CHECK_EQ(volact_id_check(TXT(bad_iid), &info), VOLACT_RESULT_OK);
    CHECK_EQ(info.error, VOLACT_RESULT_ID_CHECK_DIGIT);
    CHECK_EQ(info.error_position, SIZE_MAX);
    CHECK_EQ(info.kind, VOLACT_ID_KIND_INSTALLATION_ID);
    CHECK_EQ(info.bad_groups_mask, (1u << 1) | (1u << 3));
    CHECK_STR(last_error(), "check digit wrong in group 2, 4 (of 9)");
    /* The canonical form is still given when the layout is known. */
    CHECK_EQ(volact_id_canonical(TXT(bad_iid), buf, sizeof buf, &n), VOLACT_RESULT_OK);
    CHECK_STR(buf, bad_iid);

    /* Invalid character, with its position. */
    CHECK_EQ(volact_id_check(TXT("070846-98x606"), &info), VOLACT_RESULT_OK);
    CHECK_EQ(info.error, VOLACT_RESULT_ID_INVALID_CHARACTER);
    CHECK_EQ(info.error_position, 9);
    CHECK_EQ(info.kind, VOLACT_ID_KIND_UNKNOWN);
    CHECK_EQ(info.digits, 11); /* every digit is counted, past the stray character too */
    CHECK_EQ(info.groups, 0);
    CHECK_HAS(last_error(), "invalid character 'x' at character 10");

    /* Length. */
    CHECK_EQ(volact_id_check(TXT("123 456"), &info), VOLACT_RESULT_OK);
    CHECK_EQ(info.error, VOLACT_RESULT_ID_LENGTH);
    CHECK_EQ(info.kind, VOLACT_ID_KIND_UNKNOWN);
    CHECK_EQ(info.digits, 6);
    CHECK_EQ(info.groups, 0);
    CHECK_EQ(info.group_len, 0);
    CHECK(!info.rule_confirmed);
    CHECK_STR(last_error(), "6 digits: Installation IDs have 54 or 63, Confirmation IDs 48 or 42");
    memset(buf, '#', sizeof buf);
    n = 77;
    CHECK_EQ(volact_id_canonical(TXT("123 456"), buf, sizeof buf, &n), VOLACT_RESULT_ID_LENGTH);
    CHECK(untouched(buf, sizeof buf, '#'));
    CHECK_EQ(n, 77);

    /* Canonical into too small a buffer. */
    n = 0;
    CHECK_EQ(volact_id_canonical(TXT(xp_cid), buf, 10, &n), VOLACT_RESULT_BUFFER_TOO_SMALL);
    CHECK_EQ(n, strlen(xp_cid));
    CHECK(untouched(buf, sizeof buf, '#'));
}

static void test_epid(void) {
    volact_epid e;
    memset(&e, 0, sizeof e);
    CHECK_EQ(volact_epid_parse(TXT("05426-00206-234-001162-03-1033-9200.0000-0992013"), &e),
             VOLACT_RESULT_OK);
    CHECK_EQ(e.platform, 5426);
    CHECK_EQ(e.group_id, 206);
    CHECK_EQ(e.serial, 234001162);
    CHECK_EQ(e.channel, 3);
    CHECK_EQ(e.lcid, 1033);
    CHECK_EQ(e.build, 9200);
    CHECK_EQ(e.build_revision, 0);
    CHECK_EQ(e.install_day, 99);
    CHECK_EQ(e.install_year, 2013);

    CHECK_EQ(volact_epid_parse(TXT("03612-03305-317-008912-02-1033-9200.0000-0662023"), &e),
             VOLACT_RESULT_OK);
    CHECK_EQ(e.group_id, 3305);
    CHECK_EQ(e.serial, 317008912);
    CHECK_EQ(e.channel, 2);
    CHECK_EQ(e.install_day, 66);
    CHECK_EQ(e.install_year, 2023);

    CHECK_EQ(volact_epid_parse(TXT("03612-05150-000-025690-03-1033-19045.0000-2962025"), &e),
             VOLACT_RESULT_OK);
    CHECK_EQ(e.group_id, 5150);
    CHECK_EQ(e.build, 19045);
    CHECK_EQ(e.install_day, 296);
    CHECK_EQ(e.install_year, 2025);

    /* Failures leave *out untouched. */
    memset(&e, 0xAB, sizeof e);
    volact_epid before = e;
    CHECK_EQ(volact_epid_parse(TXT("05426-00206-234-001162-03-1033-9200.0000"), &e),
             VOLACT_RESULT_EPID_FIELD_COUNT);
    CHECK_HAS(last_error(), "found 7");
    CHECK_EQ(volact_epid_parse(TXT("05426-0020X-234-001162-03-1033-9200.0000-0992013"), &e),
             VOLACT_RESULT_EPID_FIELD);
    CHECK_STR(last_error(), "group (GGGGG) at character 7: expected 5 digits");
    CHECK_EQ(volact_epid_parse(TXT("05426-00206-234-001162-03-1033-9200-0992013"), &e),
             VOLACT_RESULT_EPID_FIELD);
    CHECK_HAS(last_error(), "build (B.B) at character 32");
    CHECK_EQ(volact_epid_parse(TXT("05426-00206-234-001162-03-1033-9200.0000-3662025"), &e),
             VOLACT_RESULT_EPID_DAY);
    CHECK_STR(last_error(), "install date: day 366 does not exist in 2025");
    CHECK(memcmp(&e, &before, sizeof e) == 0);
    /* Day 366 of a leap year exists. */
    CHECK_EQ(volact_epid_parse(TXT("05426-00206-234-001162-03-1033-9200.0000-3662024"), &e),
             VOLACT_RESULT_OK);
    CHECK_EQ(e.install_day, 366);
}

static void test_batch(void) {
    static const char text[] = NPPR9 "\n"                /* valid pkey2009 */
        "NPPR9-FWDCX-D2C8J-H872K-2YT44\n"                  /* checksum mismatch */
        FJ82H "\r\n"                                       /* pkey2005; CR is whitespace */
        "not a key\n"                                      /* invalid */
        "\n"                                               /* an empty line is invalid */
        W269N;                                             /* valid, no final newline */
    uint8_t statuses[8];
    uint32_t groups[8];
    size_t n = 0;
    CHECK_EQ(volact_keys_check_batch(TXT(text), statuses, groups, 8, &n), VOLACT_RESULT_OK);
    CHECK_EQ(n, 6);
    if (n == 6) {
        static const uint8_t want_status[6] = {2, 3, 1, 0, 0, 2};
        static const uint32_t want_group[6] = {3290, 3291, 0, 0, 0, 3311};
        for (size_t i = 0; i < 6; i++) {
            CHECK_EQ(statuses[i], want_status[i]);
            CHECK_EQ(groups[i], want_group[i]);
        }
    }
    /* Too small: BUFFER_TOO_SMALL, the count, nothing written. */
    memset(statuses, 0xEE, sizeof statuses);
    memset(groups, 0xEE, sizeof groups);
    n = 0;
    CHECK_EQ(volact_keys_check_batch(TXT(text), statuses, groups, 5, &n),
             VOLACT_RESULT_BUFFER_TOO_SMALL);
    CHECK_EQ(n, 6);
    CHECK(untouched((const char *)statuses, sizeof statuses, (char)0xEE));
    CHECK(untouched((const char *)groups, sizeof groups, (char)0xEE));
    /* An empty text has no lines; the arrays may then be NULL. */
    n = 77;
    CHECK_EQ(volact_keys_check_batch((const uint8_t *)"", 0, NULL, NULL, 0, &n), VOLACT_RESULT_OK);
    CHECK_EQ(n, 0);
    /* One line, no newline. */
    CHECK_EQ(volact_keys_check_batch(TXT(VKCF7), statuses, groups, 1, &n), VOLACT_RESULT_OK);
    CHECK_EQ(n, 1);
    CHECK_EQ(statuses[0], 2);
    CHECK_EQ(groups[0], 3892);
}

static void test_digital_product_id(void) {
    /* facts.md §1.4: DigitalProductId bytes 52..66 of NPPR9-FWDCX-D2C8J-H872K-2YT43. */
    static const uint8_t key_bytes[15] = {0xda, 0x0c, 0x30, 0x00, 0x00, 0x00, 0x18, 0x63,
                                          0x67, 0xe0, 0x15, 0x65, 0xbe, 0x19, 0x08};
    uint8_t dpid[164];
    memset(dpid, 0, sizeof dpid);
    dpid[0] = 164; /* the blob's own length field; volact reads only the key bytes */
    memcpy(dpid + 52, key_bytes, sizeof key_bytes);
    uint8_t *dpid4 = calloc(1272, 1);
    CHECK(dpid4 != NULL);
    if (dpid4 == NULL) {
        return;
    }
    memcpy(dpid4 + 808, key_bytes, sizeof key_bytes);
    char buf[64];

    volact_product_key *key = NULL;
    CHECK_EQ(volact_decode_digital_product_id(dpid, sizeof dpid,
                                              VOLACT_DPID_LAYOUT_DIGITAL_PRODUCT_ID, &key),
             VOLACT_RESULT_OK);
    CHECK(key != NULL);
    CHECK_EQ(volact_product_key_reveal(key, buf, sizeof buf, NULL), VOLACT_RESULT_OK);
    CHECK_STR(buf, NPPR9);
    volact_pkey2009 f;
    CHECK_EQ(volact_product_key_pkey2009(key, &f), VOLACT_RESULT_OK);
    CHECK_EQ(f.group_id, 3290);
    volact_product_key_free(key);

    /* The shortest blob that holds the key: 67 bytes. */
    key = NULL;
    CHECK_EQ(volact_decode_digital_product_id(dpid, 67, 0, &key), VOLACT_RESULT_OK);
    volact_product_key_free(key);

    key = NULL;
    CHECK_EQ(volact_decode_digital_product_id(dpid4, 1272,
                                              VOLACT_DPID_LAYOUT_DIGITAL_PRODUCT_ID4, &key),
             VOLACT_RESULT_OK);
    CHECK_EQ(volact_product_key_reveal(key, buf, sizeof buf, NULL), VOLACT_RESULT_OK);
    CHECK_STR(buf, NPPR9);
    volact_product_key_free(key);

    /* Failures: the handle stays untouched. */
    volact_product_key *sentinel = (volact_product_key *)(uintptr_t)0x1234;
    key = sentinel;
    CHECK_EQ(volact_decode_digital_product_id(dpid, sizeof dpid, 2, &key),
             VOLACT_RESULT_INVALID_ARGUMENT);
    CHECK_STR(last_error(), "unknown DigitalProductId layout 2");
    CHECK_EQ(volact_decode_digital_product_id(dpid, sizeof dpid, UINT32_MAX, &key),
             VOLACT_RESULT_INVALID_ARGUMENT);
    CHECK_EQ(volact_decode_digital_product_id(dpid, 66, 0, &key), VOLACT_RESULT_DPID_TOO_SHORT);
    CHECK_HAS(last_error(), "blob too short: 66 bytes, the key ends at byte 67");
    /* DigitalProductId layout in a DigitalProductId4-sized read: too short. */
    CHECK_EQ(volact_decode_digital_product_id(dpid, sizeof dpid, 1, &key),
             VOLACT_RESULT_DPID_TOO_SHORT);
    CHECK_EQ(volact_decode_digital_product_id(dpid, 0, 0, &key), VOLACT_RESULT_DPID_TOO_SHORT);
    /* All ones: beyond 24^25. */
    uint8_t high[67];
    memset(high, 0xFF, sizeof high);
    CHECK_EQ(volact_decode_digital_product_id(high, sizeof high, 0, &key),
             VOLACT_RESULT_DPID_OUT_OF_RANGE);
    CHECK_STR(last_error(), "key bytes at offset 52 are out of range for a product key");
    /* One bit flipped: the checksum no longer holds. */
    dpid[52] ^= 0x01;
    CHECK_EQ(volact_decode_digital_product_id(dpid, sizeof dpid, 0, &key), VOLACT_RESULT_DPID_KEY);
    CHECK_HAS(last_error(), "the stored key is not valid: checksum mismatch");
    CHECK(key == sentinel);
    free(dpid4);
}

static void test_result_messages(void) {
    static const uint32_t codes[] = {
        VOLACT_RESULT_OK,
        VOLACT_RESULT_PANIC,
        VOLACT_RESULT_NULL_PARAMETER,
        VOLACT_RESULT_INVALID_UTF8,
        VOLACT_RESULT_BUFFER_TOO_SMALL,
        VOLACT_RESULT_INVALID_ARGUMENT,
        VOLACT_RESULT_NOT_FOUND,
        VOLACT_RESULT_KEY_INVALID_CHARACTER,
        VOLACT_RESULT_KEY_LENGTH,
        VOLACT_RESULT_KEY_MULTIPLE_N,
        VOLACT_RESULT_KEY_N_IN_LAST_POSITION,
        VOLACT_RESULT_KEY_CHECKSUM,
        VOLACT_RESULT_KEY_OTHER,
        VOLACT_RESULT_ID_INVALID_CHARACTER,
        VOLACT_RESULT_ID_LENGTH,
        VOLACT_RESULT_ID_CHECK_DIGIT,
        VOLACT_RESULT_ID_WRONG_KIND,
        VOLACT_RESULT_ID_OTHER,
        VOLACT_RESULT_EPID_FIELD_COUNT,
        VOLACT_RESULT_EPID_FIELD,
        VOLACT_RESULT_EPID_DAY,
        VOLACT_RESULT_EPID_OTHER,
        VOLACT_RESULT_DPID_TOO_SHORT,
        VOLACT_RESULT_DPID_OUT_OF_RANGE,
        VOLACT_RESULT_DPID_KEY,
        VOLACT_RESULT_DPID_OTHER,
    };
    enum { N_CODES = sizeof codes / sizeof codes[0] };
    static char messages[N_CODES][128];
    size_t problems = 0;
    for (size_t i = 0; i < N_CODES; i++) {
        size_t n = 0;
        if (volact_result_message(codes[i], messages[i], sizeof messages[i], &n) !=
                VOLACT_RESULT_OK ||
            n == 0 || n != strlen(messages[i]) ||
            strcmp(messages[i], "unknown result code") == 0) {
            fprintf(stderr, "  result %u: no message\n", (unsigned)codes[i]);
            problems++;
        }
        for (size_t j = 0; j < i; j++) {
            if (strcmp(messages[i], messages[j]) == 0) {
                fprintf(stderr, "  results %u and %u share a message\n", (unsigned)codes[i],
                        (unsigned)codes[j]);
                problems++;
            }
        }
    }
    CHECK_EQ(problems, 0);
    CHECK_STR(messages[0], "ok");
    CHECK_STR(messages[11], "product key: checksum mismatch");
    CHECK_STR(messages[4], "the output buffer is too small");

    char buf[64];
    size_t n = 0;
    CHECK_EQ(volact_result_message(12345, buf, sizeof buf, &n), VOLACT_RESULT_OK);
    CHECK_STR(buf, "unknown result code");
    CHECK_EQ(volact_result_message(7, buf, sizeof buf, &n), VOLACT_RESULT_OK);
    CHECK_STR(buf, "unknown result code");
    memset(buf, '#', sizeof buf);
    CHECK_EQ(volact_result_message(VOLACT_RESULT_KEY_CHECKSUM, buf, 4, &n),
             VOLACT_RESULT_BUFFER_TOO_SMALL);
    CHECK_EQ(n, strlen("product key: checksum mismatch"));
    CHECK(untouched(buf, sizeof buf, '#'));

    /* The last error message follows the same buffer rules... */
    volact_product_key *key = NULL;
    static const char msg[] = "N cannot be the last key character (character 29)";
    CHECK_EQ(volact_product_key_parse(TXT("BPPR9-FWDCX-D2C8J-H872K-2YT4N"), &key),
             VOLACT_RESULT_KEY_N_IN_LAST_POSITION);
    memset(buf, '#', sizeof buf);
    n = 0;
    CHECK_EQ(volact_last_error_message(buf, 5, &n), VOLACT_RESULT_BUFFER_TOO_SMALL);
    CHECK_EQ(n, strlen(msg));
    CHECK(untouched(buf, sizeof buf, '#'));
    /* ...and the short read does not replace the message it was asked for: (NULL, 0) gives
     * the size, then a buffer of that size + 1 gets the message. */
    n = 0;
    CHECK_EQ(volact_last_error_message(NULL, 0, &n), VOLACT_RESULT_BUFFER_TOO_SMALL);
    CHECK_EQ(n, strlen(msg));
    char *copy = malloc(n + 1);
    CHECK(copy != NULL);
    if (copy != NULL) {
        CHECK_EQ(volact_last_error_message(copy, n + 1, NULL), VOLACT_RESULT_OK);
        CHECK_STR(copy, msg);
        free(copy);
    }
    /* ...and is not reset by a successful call. */
    CHECK_EQ(volact_product_key_parse(TXT("BPPR9-FWDCX-D2C8J-H872K-2YT4N"), &key),
             VOLACT_RESULT_KEY_N_IN_LAST_POSITION);
    key = parse_ok(NPPR9);
    CHECK_STR(last_error(), msg);
    volact_product_key_free(key);
}

/* The last error message is per thread: a new thread starts empty, and its failures do not
 * reach the main thread. The checks run in main after the join (the counters are not atomic). */
struct thread_report {
    char initial[64];
    size_t initial_n;
    volact_result parse;
    char message[128];
};

static void *thread_body(void *arg) {
    struct thread_report *report = arg;
    volact_last_error_message(report->initial, sizeof report->initial, &report->initial_n);
    volact_product_key *key = NULL;
    report->parse = volact_product_key_parse(TXT("NPPR9-FWDCX-D2C8J-H872K-2YT44"), &key);
    volact_product_key_free(key);
    volact_last_error_message(report->message, sizeof report->message, NULL);
    return NULL;
}

static void test_threads(void) {
    volact_product_key *key = NULL;
    CHECK_EQ(volact_product_key_parse(TXT("NPPR9"), &key), VOLACT_RESULT_KEY_LENGTH);
    struct thread_report report;
    memset(&report, 0, sizeof report);
    report.initial_n = 99;
    pthread_t thread;
    CHECK_EQ(pthread_create(&thread, NULL, thread_body, &report), 0);
    CHECK_EQ(pthread_join(thread, NULL), 0);
    CHECK_EQ(report.initial_n, 0);
    CHECK_STR(report.initial, "");
    CHECK_EQ(report.parse, VOLACT_RESULT_KEY_CHECKSUM);
    CHECK_HAS(report.message, "checksum mismatch");
    CHECK_STR(last_error(), "wrong length: 5 key characters, expected 25");
}

int main(void) {
    test_last_error_starts_empty(); /* first: nothing has failed yet */
    test_version();
    test_parse_published_gvlks();
    test_key_errors();
    test_key_strings();
    test_null_parameters();
    test_invalid_utf8();
    test_catalog();
    test_ids();
    test_epid();
    test_batch();
    test_digital_product_id();
    test_result_messages();
    test_threads();
    return check_summary();
}
