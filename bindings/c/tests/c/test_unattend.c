/*
 * C tests of the Unattend.xml calls of libvolact (volact_unattend_show, _set_key, _scrub)
 * through include/volact.h, with the answer files of crates/volact/tests/data/unattend: the
 * report JSON (places, masked keys, their kind with and without a user catalog, warnings),
 * the key set and every key scrubbed with the output equal to the input byte for byte outside
 * the key spans, no key left after a scrub, UTF-16 LE and BE files written back in UTF-16,
 * the bytes-out sizing protocol, every UNATTEND_* code (a DTD refused with 1302), invalid
 * keys with the key codes and never the key in a message, NULL and non-UTF-8 arguments.
 *
 *   test_unattend UNATTEND_DATA_DIR PKEYCONFIG_DATA_DIR
 *
 * Built and run by bindings/c/tests/c_programs.rs against libvolact.so (also under valgrind)
 * and libvolact.a. The last line printed is `N passed, N failed`; the exit status is 1 on
 * any failure.
 */

#include "volact.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_result.h"

/* The fixtures' key (group 3892, serial 1: no catalog here knows it, the test pkeyconfig
 * file makes it a MAK) and two published GVLKs. */
#define MAK "VKCF7-HV62C-944TY-YJ9NF-6Q83G"
#define GVLK_ENTERPRISE "NPPR9-FWDCX-D2C8J-H872K-2YT43"
#define GVLK_PRO "W269N-WFGWX-YVC9B-4J6C9-T83GX"
#define SCRUBBED "SENSITIVE*DATA*DELETED"

static char report[1 << 16];

typedef struct {
    unsigned char *bytes;
    size_t len;
} blob;

static blob read_file(const char *dir, const char *name) {
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    blob b = {NULL, 0};
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        fprintf(stderr, "cannot read %s\n", path);
        return b;
    }
    unsigned char chunk[4096];
    size_t got;
    while ((got = fread(chunk, 1, sizeof chunk, f)) > 0) {
        b.bytes = realloc(b.bytes, b.len + got + 1);
        memcpy(b.bytes + b.len, chunk, got);
        b.len += got;
    }
    fclose(f);
    if (b.bytes != NULL) {
        b.bytes[b.len] = 0; /* also a C string (the fixtures are UTF-8) */
    }
    return b;
}

/* `text` with the first occurrence of each `old` after the previous edit replaced by `new`,
 * in order: the expected output, byte for byte. Malloc'd. */
static char *replaced(const char *text, const char *const *edits, int n_edits) {
    size_t cap = strlen(text) + 1;
    for (int i = 0; i < n_edits; i++) {
        cap += strlen(edits[2 * i + 1]);
    }
    char *out = malloc(cap);
    char *o = out;
    const char *at = text;
    for (int i = 0; i < n_edits; i++) {
        const char *old = edits[2 * i], *new_ = edits[2 * i + 1];
        const char *hit = strstr(at, old);
        if (hit == NULL) {
            fprintf(stderr, "replaced: \"%s\" not found\n", old);
            break;
        }
        memcpy(o, at, (size_t)(hit - at));
        o += hit - at;
        memcpy(o, new_, strlen(new_));
        o += strlen(new_);
        at = hit + strlen(old);
    }
    strcpy(o, at);
    return out;
}

/* UTF-16 (LE or BE) with a BOM of an ASCII text. Malloc'd; *len gets its byte count. */
static unsigned char *utf16(const char *ascii, int le, size_t *len) {
    size_t n = strlen(ascii);
    unsigned char *b = malloc(2 * n + 2);
    b[0] = le ? 0xFF : 0xFE;
    b[1] = le ? 0xFE : 0xFF;
    for (size_t i = 0; i < n; i++) {
        b[2 + 2 * i + (le ? 0 : 1)] = (unsigned char)ascii[i];
        b[2 + 2 * i + (le ? 1 : 0)] = 0;
    }
    *len = 2 * n + 2;
    return b;
}

/* No key of the fixtures, in clear or by a group. */
static void check_no_mak(const char *text) {
    CHECK_LACKS(text, MAK);
    CHECK_LACKS(text, "VKCF7");
    CHECK_LACKS(text, "HV62C");
    CHECK_LACKS(text, "944TY");
    CHECK_LACKS(text, "YJ9NF");
}

/* Runs a bytes-out call the documented way: ask the size, then a buffer of exactly that many
 * bytes. Returns a malloc'd, NUL-terminated copy (NULL on failure); *len gets the count. */
typedef volact_result (*bytes_call)(const blob *in, const char *key, uint8_t *buf, size_t len,
                                    size_t *out_n);

static volact_result call_set_key(const blob *in, const char *key, uint8_t *buf, size_t len,
                                  size_t *out_n) {
    return volact_unattend_set_key(in->bytes, in->len, TXT(key), buf, len, out_n);
}

static volact_result call_scrub(const blob *in, const char *key, uint8_t *buf, size_t len,
                                size_t *out_n) {
    (void)key;
    return volact_unattend_scrub(in->bytes, in->len, buf, len, out_n);
}

static unsigned char *bytes_out(bytes_call call, const blob *in, const char *key, size_t *len) {
    size_t n = 0;
    CHECK_RESULT(call(in, key, NULL, 0, &n), VOLACT_RESULT_BUFFER_TOO_SMALL);
    if (n == 0) {
        return NULL;
    }
    /* One byte short: nothing written, the size given again. */
    unsigned char *buf = malloc(n + 1);
    memset(buf, 0x5A, n + 1);
    size_t again = 0;
    CHECK_RESULT(call(in, key, buf, n - 1, &again), VOLACT_RESULT_BUFFER_TOO_SMALL);
    CHECK_EQ(again, n);
    CHECK_EQ(buf[0], 0x5A);
    /* Exactly n bytes: written, and nothing after them. */
    CHECK_RESULT(call(in, key, buf, n, &again), VOLACT_RESULT_OK);
    CHECK_EQ(again, n);
    CHECK_EQ(buf[n], 0x5A);
    buf[n] = 0;
    *len = n;
    return buf;
}

static void test_show(const blob *mak, const blob *gvlk, const char *pkeyconfig_dir) {
    size_t n = 0;
    CHECK_RESULT(volact_unattend_show(mak->bytes, mak->len, NULL, report, sizeof report, &n),
                 VOLACT_RESULT_OK);
    CHECK_EQ(n, strlen(report));
    CHECK_HAS(report, "\"kind\": \"setup_user_data\",\n"
                      "      \"path\": \"windowsPE/Microsoft-Windows-Setup/UserData/ProductKey/Key\",\n"
                      "      \"line\": 8,");
    CHECK_HAS(report, "\"kind\": \"shell_setup\",\n"
                      "      \"path\": \"specialize/Microsoft-Windows-Shell-Setup/ProductKey\"");
    CHECK_HAS(report, "\"kind\": \"other_text\"");
    CHECK_HAS(report, "\"line\": 27,");
    CHECK_HAS(report, "\"state\": \"key\",\n        \"masked\": \"XXXXX-XXXXX-XXXXX-XXXXX-6Q83G\",\n"
                      "        \"kind\": \"unknown\"");
    CHECK_HAS(report, "stored in clear text in this file");
    CHECK_HAS(report, "keys outside setup's two places");
    check_no_mak(report);

    /* The text protocol: a size query, nothing written to a short buffer. */
    char tiny[4] = "abc";
    size_t m = 0;
    CHECK_RESULT(volact_unattend_show(mak->bytes, mak->len, NULL, tiny, sizeof tiny, &m),
                 VOLACT_RESULT_BUFFER_TOO_SMALL);
    CHECK_EQ(m, n);
    CHECK_STR(tiny, "abc");
    CHECK_RESULT(volact_unattend_show(mak->bytes, mak->len, NULL, NULL, 0, &m),
                 VOLACT_RESULT_BUFFER_TOO_SMALL);
    CHECK_EQ(m, n);

    /* With a user catalog that knows the key: a MAK. */
    volact_user_catalog *catalog = NULL;
    CHECK_RESULT(volact_user_catalog_new(&catalog), VOLACT_RESULT_OK);
    blob pkc = read_file(pkeyconfig_dir, "mak-retail-oem.xrm-ms");
    CHECK(pkc.bytes != NULL);
    CHECK_RESULT(volact_user_catalog_import_pkeyconfig(catalog, pkc.bytes, pkc.len,
                                                       TXT("mak-retail-oem.xrm-ms"), NULL, 0,
                                                       NULL),
                 VOLACT_RESULT_OK);
    CHECK_RESULT(volact_unattend_show(mak->bytes, mak->len, catalog, report, sizeof report, NULL),
                 VOLACT_RESULT_OK);
    CHECK_HAS(report, "\"masked\": \"XXXXX-XXXXX-XXXXX-XXXXX-6Q83G\",\n        \"kind\": \"mak\"");
    check_no_mak(report);
    free(pkc.bytes);
    volact_user_catalog_free(catalog);

    /* The GVLK file: an empty Key element, a published GVLK with its editions. */
    CHECK_RESULT(volact_unattend_show(gvlk->bytes, gvlk->len, NULL, report, sizeof report, NULL),
                 VOLACT_RESULT_OK);
    CHECK_HAS(report, "\"kind\": \"setup_user_data\"");
    CHECK_HAS(report, "\"state\": \"empty\"");
    CHECK_HAS(report, "\"masked\": \"XXXXX-XXXXX-XXXXX-XXXXX-2YT43\",\n        \"kind\": \"gvlk\"");
    CHECK_HAS(report, "\"Windows 11 Enterprise\"");
    CHECK_HAS(report, "\"warnings\": []");
    CHECK_LACKS(report, "FWDCX");
}

static void test_set_key(const blob *mak, const blob *gvlk) {
    /* Both places get the key; the command line keeps its key (scrub it); every other byte
     * is the input's. */
    size_t n = 0;
    unsigned char *out = bytes_out(call_set_key, mak, GVLK_PRO, &n);
    const char *edits[] = {MAK, GVLK_PRO, MAK, GVLK_PRO};
    char *expected = replaced((const char *)mak->bytes, edits, 2);
    CHECK_EQ(n, strlen(expected));
    CHECK(out != NULL && memcmp(out, expected, n) == 0);
    free(expected);
    blob set = {out, n};
    CHECK_RESULT(volact_unattend_show(set.bytes, set.len, NULL, report, sizeof report, NULL),
                 VOLACT_RESULT_OK);
    CHECK_HAS(report, "\"masked\": \"XXXXX-XXXXX-XXXXX-XXXXX-T83GX\",\n        \"kind\": \"gvlk\"");
    CHECK_HAS(report, "\"Windows 11 Pro\"");
    free(out);

    /* An empty <Key/> is filled; the indented value keeps its whitespace. A key typed in lower
     * case with spaces is written in its canonical form. */
    out = bytes_out(call_set_key, gvlk, "w269n wfgwx yvc9b 4j6c9 t83gx", &n);
    const char *edits2[] = {"<Key/>", "<Key>" GVLK_PRO "</Key>", GVLK_ENTERPRISE, GVLK_PRO};
    expected = replaced((const char *)gvlk->bytes, edits2, 2);
    CHECK_EQ(n, strlen(expected));
    CHECK(out != NULL && memcmp(out, expected, n) == 0);
    CHECK_HAS((const char *)out, "      <ProductKey>\n        " GVLK_PRO "\n      </ProductKey>");
    free(expected);
    free(out);

    /* Invalid keys: the key codes, the buffer and size untouched, never the key in the
     * message. */
    static const struct {
        const char *key;
        volact_result code;
    } bad[] = {
        {"VKCF7-HV62C-944TY-YJ9NF-6Q83H", VOLACT_RESULT_KEY_CHECKSUM},
        {"VKCF7-HV62C-944TY-YJ9NF-6Q83", VOLACT_RESULT_KEY_LENGTH},
        {"VKCF7-HV62C-944TY-YJ9NF-6Q83A", VOLACT_RESULT_KEY_INVALID_CHARACTER},
        {"", VOLACT_RESULT_KEY_LENGTH},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        unsigned char keep[8] = "keep";
        size_t kept = 4242;
        CHECK_RESULT(volact_unattend_set_key(mak->bytes, mak->len, TXT(bad[i].key), keep,
                                             sizeof keep, &kept),
                     bad[i].code);
        CHECK_STR((const char *)keep, "keep");
        CHECK_EQ(kept, 4242);
        check_no_mak(last_error());
    }
    static const uint8_t not_utf8[] = {'V', 0xC3, 0x28};
    CHECK_RESULT(volact_unattend_set_key(mak->bytes, mak->len, not_utf8, sizeof not_utf8, NULL,
                                         0, NULL),
                 VOLACT_RESULT_INVALID_UTF8);
    CHECK_RESULT(volact_unattend_set_key(mak->bytes, mak->len, NULL, 29, NULL, 0, NULL),
                 VOLACT_RESULT_NULL_PARAMETER);

    /* No place to put it; a place with markup. */
    static const char none[] = "<unattend><settings pass=\"specialize\"/></unattend>";
    CHECK_RESULT(volact_unattend_set_key(TXT(none), TXT(GVLK_PRO), NULL, 0, &n),
                 VOLACT_RESULT_UNATTEND_NO_KEY_PLACE);
    CHECK_HAS(last_error(), "no product key place in the file");
    static const char complex[] =
        "<unattend><settings pass=\"specialize\"><component name=\"Microsoft-Windows-Shell-Setup\">"
        "\n<ProductKey><!-- c -->" MAK "</ProductKey></component></settings></unattend>";
    CHECK_RESULT(volact_unattend_set_key(TXT(complex), TXT(GVLK_PRO), NULL, 0, &n),
                 VOLACT_RESULT_UNATTEND_COMPLEX_VALUE);
    CHECK_HAS(last_error(), "line 2");
    check_no_mak(last_error());
    CHECK_RESULT(volact_unattend_scrub(TXT(complex), NULL, 0, &n),
                 VOLACT_RESULT_UNATTEND_COMPLEX_VALUE);
}

static void test_scrub(const blob *mak, const blob *gvlk) {
    size_t n = 0;
    unsigned char *out = bytes_out(call_scrub, mak, NULL, &n);
    const char *edits[] = {MAK, SCRUBBED, MAK, SCRUBBED, MAK, SCRUBBED};
    char *expected = replaced((const char *)mak->bytes, edits, 3);
    CHECK_EQ(n, strlen(expected));
    CHECK(out != NULL && memcmp(out, expected, n) == 0);
    check_no_mak((const char *)out);
    CHECK_LACKS((const char *)out, "6Q83G");
    free(expected);

    /* The scrubbed file: every place scrubbed, no warning; scrubbing again changes nothing. */
    blob scrubbed = {out, n};
    CHECK_RESULT(volact_unattend_show(scrubbed.bytes, scrubbed.len, NULL, report, sizeof report,
                                      NULL),
                 VOLACT_RESULT_OK);
    CHECK_HAS(report, "\"state\": \"scrubbed\"");
    CHECK_LACKS(report, "\"state\": \"key\"");
    CHECK_HAS(report, "\"warnings\": []");
    size_t n2 = 0;
    unsigned char *again = bytes_out(call_scrub, &scrubbed, NULL, &n2);
    CHECK(again != NULL && n2 == n && memcmp(again, out, n) == 0);
    free(again);
    free(out);

    /* The GVLK file: the empty Key stays empty. */
    out = bytes_out(call_scrub, gvlk, NULL, &n);
    const char *edits2[] = {GVLK_ENTERPRISE, SCRUBBED};
    expected = replaced((const char *)gvlk->bytes, edits2, 1);
    CHECK(out != NULL && n == strlen(expected) && memcmp(out, expected, n) == 0);
    CHECK_HAS((const char *)out, "<Key/>");
    free(expected);
    free(out);
}

/* UTF-16 files (with a BOM, LE and BE) are read and written back in UTF-16, byte for byte. */
static void test_utf16(const blob *mak) {
    for (int le = 0; le <= 1; le++) {
        size_t len = 0;
        unsigned char *in = utf16((const char *)mak->bytes, le, &len);
        blob b = {in, len};
        CHECK_RESULT(volact_unattend_show(in, len, NULL, report, sizeof report, NULL),
                     VOLACT_RESULT_OK);
        CHECK_HAS(report, "\"masked\": \"XXXXX-XXXXX-XXXXX-XXXXX-6Q83G\"");

        const char *scrub_edits[] = {MAK, SCRUBBED, MAK, SCRUBBED, MAK, SCRUBBED};
        char *text = replaced((const char *)mak->bytes, scrub_edits, 3);
        size_t want_len = 0;
        unsigned char *want = utf16(text, le, &want_len);
        size_t n = 0;
        unsigned char *out = bytes_out(call_scrub, &b, NULL, &n);
        CHECK(out != NULL && n == want_len && memcmp(out, want, n) == 0);
        free(out);
        free(want);
        free(text);

        const char *set_edits[] = {MAK, GVLK_PRO, MAK, GVLK_PRO};
        text = replaced((const char *)mak->bytes, set_edits, 2);
        want = utf16(text, le, &want_len);
        out = bytes_out(call_set_key, &b, GVLK_PRO, &n);
        CHECK(out != NULL && n == want_len && memcmp(out, want, n) == 0);
        free(out);
        free(want);
        free(text);
        free(in);
    }
}

/* Files volact refuses: every call gives the code and leaves the outputs alone. */
static void check_refused(const uint8_t *bytes, size_t len, volact_result code,
                          const char *message) {
    char text_keep[8] = "keep";
    unsigned char bytes_keep[8] = "keep";
    size_t n = 4242;
    CHECK_RESULT(volact_unattend_show(bytes, len, NULL, text_keep, sizeof text_keep, &n), code);
    CHECK_HAS(last_error(), message);
    CHECK_RESULT(volact_unattend_set_key(bytes, len, TXT(GVLK_PRO), bytes_keep, sizeof bytes_keep,
                                         &n),
                 code);
    CHECK_RESULT(volact_unattend_scrub(bytes, len, bytes_keep, sizeof bytes_keep, &n), code);
    CHECK_STR(text_keep, "keep");
    CHECK_STR((const char *)bytes_keep, "keep");
    CHECK_EQ(n, 4242);
}

static void test_refused(void) {
    /* A DTD is never processed: no entity is expanded or fetched. */
    static const char dtd[] =
        "<?xml version=\"1.0\"?>\n<!DOCTYPE unattend [<!ENTITY k \"" MAK "\">]>\n"
        "<unattend><settings pass=\"specialize\"><component name=\"Microsoft-Windows-Shell-Setup\">"
        "<ProductKey>&k;</ProductKey></component></settings></unattend>";
    check_refused((const uint8_t *)dtd, strlen(dtd), VOLACT_RESULT_UNATTEND_DTD,
                  "DTDs are not accepted");
    check_no_mak(last_error());
    static const char ext[] = "<!DOCTYPE unattend SYSTEM \"file:///etc/passwd\"><unattend/>";
    check_refused((const uint8_t *)ext, strlen(ext), VOLACT_RESULT_UNATTEND_DTD, "DTD");

    static const uint8_t odd_utf16[] = {0xFF, 0xFE, '<'};
    check_refused(odd_utf16, sizeof odd_utf16, VOLACT_RESULT_UNATTEND_ENCODING, "encoding error");
    static const uint8_t latin1[] = "<unattend>\xe9</unattend>";
    check_refused(latin1, sizeof latin1 - 1, VOLACT_RESULT_UNATTEND_ENCODING, "at byte 10");
    static const char unclosed[] = "<unattend><settings>";
    check_refused((const uint8_t *)unclosed, strlen(unclosed), VOLACT_RESULT_UNATTEND_XML,
                  "XML error");
    static const char cil[] = "<SoftwareLicensingData/>";
    check_refused((const uint8_t *)cil, strlen(cil), VOLACT_RESULT_UNATTEND_NOT_UNATTEND,
                  "<SoftwareLicensingData>");
    /* (NULL, 0) is the empty file: not an answer file. */
    check_refused(NULL, 0, VOLACT_RESULT_UNATTEND_NOT_UNATTEND, "not an answer file");

    /* Over 8 MiB: refused before it is read. */
    size_t big_len = (8u << 20) + 1;
    uint8_t *big = malloc(big_len);
    memset(big, ' ', big_len);
    check_refused(big, big_len, VOLACT_RESULT_UNATTEND_TOO_LARGE, "8388609 bytes");
    free(big);

    /* NULL with a length. */
    CHECK_RESULT(volact_unattend_show(NULL, 5, NULL, report, sizeof report, NULL),
                 VOLACT_RESULT_NULL_PARAMETER);
    CHECK_RESULT(volact_unattend_scrub(NULL, 5, NULL, 0, NULL), VOLACT_RESULT_NULL_PARAMETER);
    CHECK_RESULT(volact_unattend_set_key(NULL, 5, TXT(GVLK_PRO), NULL, 0, NULL),
                 VOLACT_RESULT_NULL_PARAMETER);
    /* A buffer NULL with a length large enough. */
    static const char ok[] = "<unattend/>";
    CHECK_RESULT(volact_unattend_scrub(TXT(ok), NULL, 1000, NULL), VOLACT_RESULT_NULL_PARAMETER);
    CHECK_RESULT(volact_unattend_show(TXT(ok), NULL, NULL, 1000, NULL),
                 VOLACT_RESULT_NULL_PARAMETER);
    /* out_n may be NULL. */
    uint8_t small[64];
    CHECK_RESULT(volact_unattend_scrub(TXT(ok), small, sizeof small, NULL), VOLACT_RESULT_OK);
    CHECK(memcmp(small, ok, strlen(ok)) == 0);
}

static void test_codes(void) {
    CHECK_EQ(VOLACT_RESULT_UNATTEND_ENCODING, 1300);
    CHECK_EQ(VOLACT_RESULT_UNATTEND_XML, 1301);
    CHECK_EQ(VOLACT_RESULT_UNATTEND_DTD, 1302);
    CHECK_EQ(VOLACT_RESULT_UNATTEND_NOT_UNATTEND, 1303);
    CHECK_EQ(VOLACT_RESULT_UNATTEND_TOO_LARGE, 1304);
    CHECK_EQ(VOLACT_RESULT_UNATTEND_NO_KEY_PLACE, 1305);
    CHECK_EQ(VOLACT_RESULT_UNATTEND_COMPLEX_VALUE, 1306);
    CHECK_EQ(VOLACT_RESULT_UNATTEND_OTHER, 1399);
    static const volact_result codes[] = {
        VOLACT_RESULT_UNATTEND_ENCODING,     VOLACT_RESULT_UNATTEND_XML,
        VOLACT_RESULT_UNATTEND_DTD,          VOLACT_RESULT_UNATTEND_NOT_UNATTEND,
        VOLACT_RESULT_UNATTEND_TOO_LARGE,    VOLACT_RESULT_UNATTEND_NO_KEY_PLACE,
        VOLACT_RESULT_UNATTEND_COMPLEX_VALUE, VOLACT_RESULT_UNATTEND_OTHER,
    };
    char seen[8][128];
    for (int i = 0; i < 8; i++) {
        CHECK_RESULT(volact_result_message(codes[i], seen[i], sizeof seen[i], NULL),
                     VOLACT_RESULT_OK);
        CHECK_HAS(seen[i], "Unattend.xml: ");
        for (int j = 0; j < i; j++) {
            CHECK(strcmp(seen[i], seen[j]) != 0);
        }
    }
}

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: test_unattend UNATTEND_DATA_DIR PKEYCONFIG_DATA_DIR\n");
        return 2;
    }
    blob mak = read_file(argv[1], "mak-both-places.xml");
    blob gvlk = read_file(argv[1], "gvlk-specialize-only.xml");
    CHECK(mak.bytes != NULL && gvlk.bytes != NULL);
    if (mak.bytes == NULL || gvlk.bytes == NULL) {
        return check_summary();
    }
    test_show(&mak, &gvlk, argv[2]);
    test_set_key(&mak, &gvlk);
    test_scrub(&mak, &gvlk);
    test_utf16(&mak);
    test_refused();
    test_codes();
    free(mak.bytes);
    free(gvlk.bytes);
    return check_summary();
}
