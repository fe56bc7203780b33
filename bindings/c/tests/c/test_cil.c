/*
 * C tests of the CIL calls of libvolact (volact_cil_*) through include/volact.h.
 *
 * Built and run by bindings/c/tests/c_programs.rs (`cargo test -p volact-c`): against
 * libvolact.so, under valgrind, and against libvolact.a. argv[1] is a scratch directory for
 * the files the test writes (default: the current directory). By hand:
 *
 *   cargo build -p volact-c
 *   gcc -std=c11 -Wall -Wextra -Werror -pedantic -Ibindings/c/include \
 *       bindings/c/tests/c/test_cil.c -Ltarget/debug -lvolact \
 *       -Wl,-rpath,"$PWD/target/debug" -o /tmp/test_cil && /tmp/test_cil /tmp
 *
 * The last line printed is `N passed, N failed`; the exit status is 1 on any failure.
 *
 * The documents are embedded, so the test does not depend on fixture files. Their IIDs and
 * CIDs are fictitious: random-looking digits whose check digits are computed here with the
 * published mod-7 rule (volact never generates real IDs; neither does this test).
 */

#include "volact.h"

#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_result.h"

/* A call's result, printing the last error message on a mismatch. */
/* A sentinel handle value: calls that fail must leave *out alone. */
#define UNTOUCHED ((volact_cil_document *)(uintptr_t)0x5a5a)

static const char *scratch_dir = ".";

/* A path in the scratch directory (static buffer per slot). */
static const char *scratch(const char *name) {
    static char paths[4][1024];
    static int slot;
    char *p = paths[slot++ % 4];
    snprintf(p, sizeof paths[0], "%s/%s", scratch_dir, name);
    return p;
}

/* --- bytes ------------------------------------------------------------------------- */

typedef struct {
    uint8_t *data;
    size_t len;
} bytes;

static void bytes_free(bytes *b) {
    free(b->data);
    b->data = NULL;
    b->len = 0;
}

static int bytes_eq(bytes a, bytes b) {
    return a.len == b.len && (a.len == 0 || memcmp(a.data, b.data, a.len) == 0);
}

/* The document's bytes through the size query and an exact buffer. */
static bytes doc_bytes(const volact_cil_document *doc) {
    bytes b = {NULL, 0};
    size_t n = 0;
    CHECK_RESULT(volact_cil_to_bytes(doc, NULL, 0, &n), VOLACT_RESULT_BUFFER_TOO_SMALL);
    b.data = malloc(n ? n : 1);
    size_t m = 0;
    CHECK_RESULT(volact_cil_to_bytes(doc, b.data, n, &m), VOLACT_RESULT_OK);
    CHECK_EQ(m, n);
    b.len = n;
    return b;
}

/* A NUL-terminated copy, for strstr (UTF-8 documents only). */
static char *doc_text(const volact_cil_document *doc) {
    bytes b = doc_bytes(doc);
    char *s = malloc(b.len + 1);
    memcpy(s, b.data, b.len);
    s[b.len] = 0;
    bytes_free(&b);
    return s;
}

static int write_file(const char *path, const void *data, size_t len) {
    FILE *f = fopen(path, "wb");
    if (f == NULL) {
        return 0;
    }
    size_t w = fwrite(data, 1, len, f);
    return fclose(f) == 0 && w == len;
}

static bytes read_file(const char *path) {
    bytes b = {NULL, 0};
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        return b;
    }
    size_t cap = 4096;
    b.data = malloc(cap);
    size_t n;
    while ((n = fread(b.data + b.len, 1, cap - b.len, f)) > 0) {
        b.len += n;
        if (b.len == cap) {
            cap *= 2;
            b.data = realloc(b.data, cap);
        }
    }
    fclose(f);
    return b;
}

/* UTF-8 to UTF-16LE with a BOM (well-formed input only). */
static bytes utf16le(const char *s) {
    size_t n = strlen(s);
    bytes b = {malloc(2 * n + 2), 0};
    b.data[b.len++] = 0xFF;
    b.data[b.len++] = 0xFE;
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        uint32_t c;
        if (*p < 0x80) {
            c = *p++;
        } else if ((*p & 0xE0) == 0xC0) {
            c = (uint32_t)(p[0] & 0x1F) << 6 | (p[1] & 0x3F);
            p += 2;
        } else if ((*p & 0xF0) == 0xE0) {
            c = (uint32_t)(p[0] & 0x0F) << 12 | (uint32_t)(p[1] & 0x3F) << 6 | (p[2] & 0x3F);
            p += 3;
        } else {
            c = (uint32_t)(p[0] & 0x07) << 18 | (uint32_t)(p[1] & 0x3F) << 12 |
                (uint32_t)(p[2] & 0x3F) << 6 | (p[3] & 0x3F);
            p += 4;
        }
        if (c >= 0x10000) {
            c -= 0x10000;
            uint16_t hi = (uint16_t)(0xD800 + (c >> 10)), lo = (uint16_t)(0xDC00 + (c & 0x3FF));
            b.data[b.len++] = (uint8_t)(hi & 0xFF);
            b.data[b.len++] = (uint8_t)(hi >> 8);
            b.data[b.len++] = (uint8_t)(lo & 0xFF);
            b.data[b.len++] = (uint8_t)(lo >> 8);
        } else {
            b.data[b.len++] = (uint8_t)(c & 0xFF);
            b.data[b.len++] = (uint8_t)(c >> 8);
        }
    }
    return b;
}

/* --- fictitious IDs ------------------------------------------------------------------ */

/* The mod-7 check digit: sum of data digits weighted 1, 2, 1, 2, ... (volact_core::ids). */
static char check_digit(const char *data, int n) {
    int sum = 0;
    for (int i = 0; i < n; i++) {
        sum += (data[i] - '0') * (i % 2 == 0 ? 1 : 2);
    }
    return (char)('0' + sum % 7);
}

/* An ID of `groups` groups of `group_len` digits (the last a check digit), dash-separated,
 * its data digits drawn from a seeded generator. `out` holds groups * (group_len + 1). */
static void make_id(unsigned seed, int groups, int group_len, char *out) {
    uint32_t x = seed * 2654435761u + 12345u;
    char *p = out;
    for (int g = 0; g < groups; g++) {
        char *start = p;
        for (int i = 0; i < group_len - 1; i++) {
            x = x * 1103515245u + 12345u;
            *p++ = (char)('0' + (x >> 16) % 10);
        }
        *p = check_digit(start, group_len - 1);
        p++;
        *p++ = g + 1 < groups ? '-' : '\0';
    }
}

/* Only the digits of an ID (what volact writes into PendingConfirmationId). */
static void digits_of(const char *id, char *out) {
    for (; *id; id++) {
        if (*id >= '0' && *id <= '9') {
            *out++ = *id;
        }
    }
    *out = 0;
}

static char IID1[80], IID2[80], IID_OTHER[80], IID_BAD[80], CID1[64], CID2[64];
static char CID1_DIGITS[64], CID2_DIGITS[64];

static void make_ids(void) {
    make_id(1, 9, 7, IID1);       /* 63-digit IIDs */
    make_id(2, 9, 7, IID2);
    make_id(3, 9, 7, IID_OTHER);  /* an IID no computer of the full file has */
    make_id(4, 9, 7, IID_BAD);
    IID_BAD[6] = IID_BAD[6] == '9' ? '0' : (char)(IID_BAD[6] + 1); /* group 1's check digit */
    make_id(5, 8, 6, CID1);       /* 48-digit CIDs */
    make_id(6, 8, 6, CID2);
    digits_of(CID1, CID1_DIGITS);
    digits_of(CID2, CID2_DIGITS);
}

/* --- documents ----------------------------------------------------------------------- */

#define NAME1 "LAB-Ünïcødé-01"
#define NAME2 "LAB-PC-02"
#define NETWORK "ISOLATED-LAB"
#define MAC1 "00-15-5D-0A-0B-0C"
#define MAC2 "00-15-5D-0D-0E-0F"
#define GROUP "Isolated Lab Group"
#define COMPUTER1 "{6F1A2B3C-0001-4D5E-8F90-A1B2C3D4E5F6}"
#define COMPUTER2 "{6F1A2B3C-0002-4D5E-8F90-A1B2C3D4E5F6}"
#define SKU "{830691d5-5f5a-448d-9259-9f8d38bd9335}"
#define PKID "03612-04172-339-118406-03-1033-19041.0000-2952025"

/* The full file of an isolated lab, with everything volact must keep: a declaration, a
 * comment with non-ASCII text (a supplementary-plane character too), a processing
 * instruction, a namespaced extension element with CDATA, a namespaced attribute, and
 * non-ASCII names. `%s`: encoding name, IID of computer 1, IID of computer 2. */
static const char FULL_TEMPLATE[] =
    "<?xml version=\"1.0\" encoding=\"%s\"?>\n"
    "<!-- Computer Information List: 実験室 \xF0\x9F\xA7\xAA (test data) -->\n"
    "<?volact-test keep=\"this\"?>\n"
    "<SoftwareLicensingData Version=\"2.0\" xmlns:x=\"urn:example:lab-inventory\">\n"
    "  <Computers>\n"
    "    <Computer Id=\"" COMPUTER1 "\" Name=\"" NAME1 "\" OSVersion=\"10.0.19045\" "
    "OSEdition=\"Enterprise\" NetworkType=\"Workgroup\" NetworkName=\"" NETWORK "\" "
    "x:rack=\"R7-secret-rack\">\n"
    "      <MacAddresses>\n"
    "        <MacAddress>" MAC1 "</MacAddress>\n"
    "      </MacAddresses>\n"
    "      <Groups>\n"
    "        <Group>" GROUP "</Group>\n"
    "      </Groups>\n"
    "      <x:asset tag=\"ASSET-4711\"><![CDATA[<not markup> & kept as is]]></x:asset>\n"
    "      <Products>\n"
    "        <Product>\n"
    "          <Sku Id=\"" SKU "\" Name=\"Windows(R), Enterprise edition\" "
    "ApplicationId=\"55c92734-d682-4d71-983e-d6ec3f16059f\" />\n"
    "          <LicenseStatus>5</LicenseStatus>\n"
    "          <ProductKeyType>Volume:MAK</ProductKeyType>\n"
    "          <PartialProductKey>8XJ3W</PartialProductKey>\n"
    "          <ProductKeyId>" PKID "</ProductKeyId>\n"
    "          <InstallationId>%s</InstallationId>\n"
    "        </Product>\n"
    "      </Products>\n"
    "    </Computer>\n"
    "    <Computer Id=\"" COMPUTER2 "\" Name=\"" NAME2 "\" OSVersion=\"10.0.19045\" "
    "OSEdition=\"Enterprise\" NetworkType=\"Workgroup\" NetworkName=\"" NETWORK "\">\n"
    "      <MacAddresses>\n"
    "        <MacAddress>" MAC2 "</MacAddress>\n"
    "      </MacAddresses>\n"
    "      <Products>\n"
    "        <Product>\n"
    "          <Sku Id=\"" SKU "\" Name=\"Windows(R), Enterprise edition\" />\n"
    "          <LicenseStatus>5</LicenseStatus>\n"
    "          <ProductKeyType>Volume:MAK</ProductKeyType>\n"
    "          <InstallationId>%s</InstallationId>\n"
    "        </Product>\n"
    "      </Products>\n"
    "    </Computer>\n"
    "  </Computers>\n"
    "</SoftwareLicensingData>\n";

/* Everything in FULL that identifies a computer or is not proxy data. */
static const char *const IDENTIFYING[] = {
    NAME1, NAME2, NETWORK, MAC1, MAC2, GROUP, "Workgroup", "10.0.19045", "Enterprise\"",
    "urn:example:lab-inventory", "R7-secret-rack", "ASSET-4711", "kept as is", "volact-test",
    "実験室", "Volume:MAK", "8XJ3W", "LicenseStatus",
};

static char FULL[8192];

static void build_full(char *out, size_t cap, const char *encoding, const char *iid1) {
    snprintf(out, cap, FULL_TEMPLATE, encoding, iid1, IID2);
}

/* FULL with <PendingConfirmationId> added after computer 1's IID, exactly as volact
 * indents it (like its neighbour). */
static void build_full_merged(char *out, size_t cap, const char *encoding) {
    char full[8192];
    build_full(full, sizeof full, encoding, IID1);
    const char *anchor = strstr(full, "</InstallationId>");
    size_t head = (size_t)(anchor - full) + strlen("</InstallationId>");
    snprintf(out, cap, "%.*s\n          <PendingConfirmationId>%s</PendingConfirmationId>%s",
             (int)head, full, CID1_DIGITS, full + head);
}

static volact_cil_document *parse_ok(const void *data, size_t len) {
    volact_cil_document *doc = UNTOUCHED;
    volact_result r = volact_cil_parse((const uint8_t *)data, len, &doc);
    CHECK_EQ(r, VOLACT_RESULT_OK);
    if (r != VOLACT_RESULT_OK) {
        fprintf(stderr, "  parsing failed: %s\n", last_error());
        return NULL;
    }
    CHECK(doc != NULL && doc != UNTOUCHED);
    return doc;
}

/* A text-out call's result through the size query and an exact buffer (caller frees). */
typedef volact_result (*text_fn)(const volact_cil_document *, char *, size_t, size_t *);

static char *read_text(text_fn fn, const volact_cil_document *doc) {
    size_t n = 0;
    CHECK_RESULT(fn(doc, NULL, 0, &n), VOLACT_RESULT_BUFFER_TOO_SMALL);
    char *buf = malloc(n + 1);
    size_t m = 0;
    CHECK_RESULT(fn(doc, buf, n + 1, &m), VOLACT_RESULT_OK);
    CHECK_EQ(m, n);
    CHECK_EQ(strlen(buf), n);
    return buf;
}

/* --- tests --------------------------------------------------------------------------- */

static void test_round_trip_utf8(void) {
    volact_cil_document *doc = parse_ok(FULL, strlen(FULL));
    if (doc == NULL) {
        return;
    }
    bytes in = {(uint8_t *)FULL, strlen(FULL)};
    bytes out = doc_bytes(doc);
    CHECK(bytes_eq(in, out)); /* byte-identical: comment, PI, CDATA, extensions, names */
    bytes_free(&out);

    /* A short buffer: nothing written, *out_n the size; exactly n bytes suffice (no NUL). */
    size_t n = 0;
    uint8_t *buf = malloc(in.len + 1);
    memset(buf, '#', in.len + 1);
    CHECK_RESULT(volact_cil_to_bytes(doc, buf, in.len - 1, &n), VOLACT_RESULT_BUFFER_TOO_SMALL);
    CHECK_EQ(n, in.len);
    CHECK_EQ(buf[0], '#');
    CHECK_RESULT(volact_cil_to_bytes(doc, buf, in.len, NULL), VOLACT_RESULT_OK);
    CHECK(memcmp(buf, FULL, in.len) == 0);
    CHECK_EQ(buf[in.len], '#'); /* no NUL after the bytes */
    free(buf);

    volact_cil_summary s;
    memset(&s, 0xAB, sizeof s);
    CHECK_RESULT(volact_cil_summarize(doc, &s), VOLACT_RESULT_OK);
    CHECK_EQ(s.computers, 2);
    CHECK_EQ(s.products, 2);
    CHECK_EQ(s.with_installation_id, 2);
    CHECK_EQ(s.pending_cids, 0);
    CHECK_EQ(s.applied_cids, 0);

    char *json = read_text(volact_cil_document_json, doc);
    CHECK_HAS(json, "\"encoding\":\"UTF-8\"");
    CHECK_HAS(json, "\"version\":\"2.0\"");
    CHECK_HAS(json, "\"name\":\"" NAME1 "\"");
    CHECK_HAS(json, "\"groups\":[\"" GROUP "\"]");
    CHECK_HAS(json, "\"computers\":2");
    CHECK_HAS(json, "\"has_product_key\":false");
    CHECK_HAS(json, IID1);
    free(json);

    /* save -> file bytes identical -> load -> identical again */
    const char *path = scratch("round-trip.cil");
    CHECK_RESULT(volact_cil_save(doc, TXT(path)), VOLACT_RESULT_OK);
    bytes file = read_file(path);
    CHECK(bytes_eq(in, file));
    bytes_free(&file);
    volact_cil_document *loaded = UNTOUCHED;
    CHECK_RESULT(volact_cil_load(TXT(path), &loaded), VOLACT_RESULT_OK);
    if (loaded != UNTOUCHED) {
        bytes again = doc_bytes(loaded);
        CHECK(bytes_eq(in, again));
        bytes_free(&again);
        volact_cil_free(loaded);
    }
    /* saving over an existing file replaces it */
    CHECK_RESULT(volact_cil_save(doc, TXT(path)), VOLACT_RESULT_OK);
    remove(path);
    volact_cil_free(doc);
}

static void test_round_trip_utf16(void) {
    char text[8192];
    build_full(text, sizeof text, "utf-16", IID1);
    bytes in = utf16le(text);
    volact_cil_document *doc = parse_ok(in.data, in.len);
    if (doc != NULL) {
        bytes out = doc_bytes(doc);
        CHECK(bytes_eq(in, out));
        CHECK(out.len > 2 && out.data[0] == 0xFF && out.data[1] == 0xFE);
        bytes_free(&out);

        char *json = read_text(volact_cil_document_json, doc);
        CHECK_HAS(json, "\"encoding\":\"UTF-16LE\"");
        CHECK_HAS(json, "\"name\":\"" NAME1 "\""); /* JSON is UTF-8 whatever the file */
        free(json);

        const char *path = scratch("utf16.cil");
        CHECK_RESULT(volact_cil_save(doc, TXT(path)), VOLACT_RESULT_OK);
        bytes file = read_file(path);
        CHECK(bytes_eq(in, file));
        bytes_free(&file);
        volact_cil_document *loaded = NULL;
        CHECK_RESULT(volact_cil_load(TXT(path), &loaded), VOLACT_RESULT_OK);
        if (loaded != NULL) {
            bytes again = doc_bytes(loaded);
            CHECK(bytes_eq(in, again));
            bytes_free(&again);
            volact_cil_free(loaded);
        }
        remove(path);

        /* The UTF-16 flow end to end: proxy-only export (UTF-16 too), CIDs, merge back;
         * only the CID changes. */
        volact_cil_document *proxy = NULL;
        CHECK_RESULT(volact_cil_export(doc, VOLACT_CIL_EXPORT_PROXY_ONLY, false, false, &proxy),
                     VOLACT_RESULT_OK);
        bytes pb = doc_bytes(proxy);
        CHECK(pb.len > 2 && pb.data[0] == 0xFF && pb.data[1] == 0xFE);
        bytes_free(&pb);
        char csv[256];
        snprintf(csv, sizeof csv, "%s,%s\n", IID1, CID1);
        CHECK_RESULT(volact_cil_add_cids(proxy, TXT(csv), false, NULL, 0, NULL), VOLACT_RESULT_OK);
        CHECK_RESULT(volact_cil_merge(doc, proxy, false, NULL, 0, NULL), VOLACT_RESULT_OK);
        char merged[8192];
        build_full_merged(merged, sizeof merged, "utf-16");
        bytes expected = utf16le(merged);
        bytes actual = doc_bytes(doc);
        CHECK(bytes_eq(expected, actual));
        bytes_free(&expected);
        bytes_free(&actual);
        volact_cil_free(proxy);
        volact_cil_free(doc);
    }
    bytes_free(&in);
}

static void test_export(void) {
    volact_cil_document *doc = parse_ok(FULL, strlen(FULL));
    if (doc == NULL) {
        return;
    }
    /* proxy-only: nothing that identifies a computer, no unknown content */
    volact_cil_document *proxy = UNTOUCHED;
    CHECK_RESULT(volact_cil_export(doc, VOLACT_CIL_EXPORT_PROXY_ONLY, false, false, &proxy),
                 VOLACT_RESULT_OK);
    CHECK(proxy != UNTOUCHED && proxy != NULL);
    char *text = doc_text(proxy);
    for (size_t i = 0; i < sizeof IDENTIFYING / sizeof IDENTIFYING[0]; i++) {
        CHECK_LACKS(text, IDENTIFYING[i]);
    }
    CHECK_LACKS(text, "00155D");
    CHECK_LACKS(text, " Name=\"LAB");
    CHECK_HAS(text, "<Computer Id=\"" COMPUTER1 "\">");
    CHECK_HAS(text, "<Computer Id=\"" COMPUTER2 "\">");
    CHECK_HAS(text, "<InstallationId>");
    CHECK_HAS(text, IID1);
    CHECK_HAS(text, IID2);
    CHECK_HAS(text, PKID);
    CHECK_HAS(text, SKU);
    free(text);
    char *json = read_text(volact_cil_document_json, proxy);
    CHECK_LACKS(json, NAME1);
    CHECK_LACKS(json, NETWORK);
    CHECK_LACKS(json, MAC1);
    free(json);
    volact_cil_summary s;
    CHECK_RESULT(volact_cil_summarize(proxy, &s), VOLACT_RESULT_OK);
    CHECK_EQ(s.computers, 2);
    CHECK_EQ(s.with_installation_id, 2);
    CHECK_RESULT(volact_cil_last_report(proxy, NULL, 0, NULL), VOLACT_RESULT_NOT_FOUND);
    volact_cil_free(proxy);

    /* standard: products, no identity; NetworkType None */
    volact_cil_document *standard = NULL;
    CHECK_RESULT(volact_cil_export(doc, VOLACT_CIL_EXPORT_STANDARD, false, false, &standard),
                 VOLACT_RESULT_OK);
    text = doc_text(standard);
    CHECK_LACKS(text, NAME1);
    CHECK_LACKS(text, NETWORK);
    CHECK_LACKS(text, MAC1);
    CHECK_LACKS(text, GROUP);
    CHECK_LACKS(text, "R7-secret-rack");
    CHECK_HAS(text, "NetworkType=\"None\"");
    CHECK_HAS(text, "Volume:MAK");
    CHECK_HAS(text, "<LicenseStatus>5</LicenseStatus>");
    free(text);
    volact_cil_free(standard);

    /* standard with sensitive data: names back, unknown content still dropped */
    volact_cil_document *sensitive = NULL;
    CHECK_RESULT(volact_cil_export(doc, VOLACT_CIL_EXPORT_STANDARD, true, false, &sensitive),
                 VOLACT_RESULT_OK);
    text = doc_text(sensitive);
    CHECK_HAS(text, NAME1);
    CHECK_HAS(text, NETWORK);
    CHECK_HAS(text, MAC1);
    CHECK_HAS(text, GROUP);
    CHECK_LACKS(text, "R7-secret-rack");
    CHECK_LACKS(text, "ASSET-4711");
    free(text);
    volact_cil_free(sensitive);

    /* refused: unknown mode, proxy-only with sensitive data; *out untouched */
    volact_cil_document *out = UNTOUCHED;
    CHECK_RESULT(volact_cil_export(doc, 2, false, false, &out), VOLACT_RESULT_INVALID_ARGUMENT);
    CHECK_HAS(last_error(), "unknown CIL export mode 2");
    CHECK_RESULT(volact_cil_export(doc, VOLACT_CIL_EXPORT_PROXY_ONLY, true, false, &out),
                 VOLACT_RESULT_INVALID_ARGUMENT);
    CHECK_HAS(last_error(), "include_sensitive");
    CHECK(out == UNTOUCHED);
    volact_cil_free(doc);
}

static void test_add_cids_and_merge(void) {
    volact_cil_document *full = parse_ok(FULL, strlen(FULL));
    if (full == NULL) {
        return;
    }
    volact_cil_document *returned = NULL;
    CHECK_RESULT(volact_cil_export(full, VOLACT_CIL_EXPORT_PROXY_ONLY, false, false, &returned),
                 VOLACT_RESULT_OK);

    /* On the connected side: CIDs from the administrator's source. A header line, one CID
     * for computer 1 (spaces instead of dashes), an unknown IID, a malformed line. */
    char csv[1024];
    char iid1_spaced[80];
    strcpy(iid1_spaced, IID1);
    for (char *p = iid1_spaced; *p; p++) {
        if (*p == '-') {
            *p = ' ';
        }
    }
    snprintf(csv, sizeof csv, "installation_id,confirmation_id\n%s,%s\n%s,%s\nnot a row\n",
             iid1_spaced, CID1, IID_OTHER, CID2);

    /* A report buffer too short: still OK (the CIDs are in), the empty string in the
     * buffer, the length in *report_n; the report itself from volact_cil_last_report. */
    char small[8];
    memset(small, '#', sizeof small);
    size_t n = 0;
    CHECK_RESULT(volact_cil_add_cids(returned, TXT(csv), false, small, sizeof small, &n),
                 VOLACT_RESULT_OK);
    CHECK(n >= sizeof small);
    CHECK_EQ(small[0], 0);
    CHECK_EQ(small[1], '#');
    volact_cil_summary s;
    CHECK_RESULT(volact_cil_summarize(returned, &s), VOLACT_RESULT_OK);
    CHECK_EQ(s.pending_cids, 1);
    char *report = read_text(volact_cil_last_report, returned);
    CHECK_EQ(strlen(report), n);
    CHECK_HAS(report, "{\"rows\":[");
    CHECK_HAS(report, "\"line\":2");
    CHECK_HAS(report, "\"outcome\":\"applied\"");
    CHECK_HAS(report, "\"outcome\":\"unknown_iid\"");
    CHECK_HAS(report, "\"outcome\":\"malformed\"");
    free(report);
    char *text = doc_text(returned);
    CHECK_HAS(text, CID1_DIGITS);
    free(text);

    /* The same CSV again, with a buffer that fits: already present, nothing changes. */
    char big[4096];
    n = 0;
    CHECK_RESULT(volact_cil_add_cids(returned, TXT(csv), false, big, sizeof big, &n),
                 VOLACT_RESULT_OK);
    CHECK_EQ(strlen(big), n);
    CHECK_HAS(big, "\"outcome\":\"already_present\"");
    CHECK_LACKS(big, "\"outcome\":\"applied\"");

    /* Back in the lab: merge. */
    memset(big, '#', sizeof big);
    n = 0;
    CHECK_RESULT(volact_cil_merge(full, returned, false, big, sizeof big, &n), VOLACT_RESULT_OK);
    CHECK_EQ(strlen(big), n);
    CHECK_HAS(big, "{\"decisions\":[");
    CHECK_HAS(big, "\"outcome\":\"applied\"");
    CHECK_HAS(big, "\"matched_by\":\"id\"");
    CHECK_HAS(big, "\"computer_id\":\"" COMPUTER1 "\"");
    CHECK_RESULT(volact_cil_summarize(full, &s), VOLACT_RESULT_OK);
    CHECK_EQ(s.pending_cids, 1);

    /* Nothing changed but the CID: everything else byte for byte. */
    char merged[8192];
    build_full_merged(merged, sizeof merged, "utf-8");
    text = doc_text(full);
    CHECK(strcmp(text, merged) == 0);
    free(text);
    char *last = read_text(volact_cil_last_report, full);
    CHECK(strcmp(last, big) == 0);
    free(last);

    /* A second merge: already present, still byte-identical. */
    CHECK_RESULT(volact_cil_merge(full, returned, false, NULL, 0, NULL), VOLACT_RESULT_OK);
    last = read_text(volact_cil_last_report, full);
    CHECK_HAS(last, "\"outcome\":\"already_present\"");
    CHECK_LACKS(last, "\"outcome\":\"applied\"");
    free(last);
    text = doc_text(full);
    CHECK(strcmp(text, merged) == 0);
    free(text);

    /* A returned file whose CID was issued for another IID: refused and reported. */
    char mismatch_text[8192];
    snprintf(mismatch_text, sizeof mismatch_text,
             "<SoftwareLicensingData Version=\"2.0\"><Computers>"
             "<Computer Id=\"" COMPUTER2 "\"><Products><Product><Sku Id=\"" SKU "\"/>"
             "<InstallationId>%s</InstallationId>"
             "<PendingConfirmationId>%s</PendingConfirmationId>"
             "</Product></Products></Computer>"
             "<Computer Id=\"{00000000-0000-0000-0000-000000000099}\"><Products><Product>"
             "<Sku Id=\"" SKU "\"/><InstallationId>%s</InstallationId>"
             "<ConfirmationId>%s</ConfirmationId></Product></Products></Computer>"
             "</Computers></SoftwareLicensingData>",
             IID_OTHER, CID2, IID2, CID2);
    volact_cil_document *mismatch = parse_ok(mismatch_text, strlen(mismatch_text));
    if (mismatch != NULL) {
        CHECK_RESULT(volact_cil_merge(full, mismatch, false, big, sizeof big, &n), VOLACT_RESULT_OK);
        CHECK_HAS(big, "\"outcome\":\"iid_mismatch\"");
        CHECK_HAS(big, "\"outcome\":\"no_such_computer\"");
        CHECK_LACKS(big, "\"outcome\":\"applied\"");
        text = doc_text(full);
        CHECK(strcmp(text, merged) == 0);
        CHECK_LACKS(text, CID2_DIGITS);
        free(text);
        volact_cil_free(mismatch);
    }

    /* A different CID for computer 1: a conflict without force, replaced with it. */
    char other_cid_csv[256];
    snprintf(other_cid_csv, sizeof other_cid_csv, "%s,%s\n", IID1, CID2);
    volact_cil_document *second = NULL;
    CHECK_RESULT(volact_cil_export(full, VOLACT_CIL_EXPORT_PROXY_ONLY, false, false, &second),
                 VOLACT_RESULT_OK);
    CHECK_RESULT(volact_cil_add_cids(second, TXT(other_cid_csv), false, big, sizeof big, NULL),
                 VOLACT_RESULT_OK);
    CHECK_HAS(big, "\"outcome\":\"conflict\""); /* the proxy export carries CID1 already */
    volact_cil_free(second);

    /* The same handle as both arguments: merged from a copy, all already present. */
    CHECK_RESULT(volact_cil_merge(full, full, false, big, sizeof big, NULL), VOLACT_RESULT_OK);
    CHECK_HAS(big, "\"outcome\":\"already_present\"");
    CHECK_LACKS(big, "\"outcome\":\"applied\"");

    /* strict refuses nothing valid: a CID with correct check digits is applied either way */
    volact_cil_document *fresh = parse_ok(FULL, strlen(FULL));
    if (fresh != NULL) {
        char csv2[256];
        snprintf(csv2, sizeof csv2, "%s,%s\n", IID2, CID2);
        CHECK_RESULT(volact_cil_add_cids(fresh, TXT(csv2), true, big, sizeof big, NULL),
                     VOLACT_RESULT_OK);
        CHECK_HAS(big, "\"outcome\":\"applied\"");
        CHECK_HAS(big, "\"unconfirmed_check_failed\":false");
        volact_cil_free(fresh);
    }

    volact_cil_free(returned);
    volact_cil_free(full);
}

static void test_validate(void) {
    /* The good file: valid, no findings. */
    volact_cil_document *doc = parse_ok(FULL, strlen(FULL));
    if (doc != NULL) {
        char *json = read_text(volact_cil_validate_json, doc);
        CHECK_HAS(json, "\"valid\":true");
        CHECK_HAS(json, "\"errors\":0");
        free(json);
        size_t errors = 99, warnings = 99;
        CHECK_RESULT(volact_cil_validate_counts(doc, &errors, &warnings), VOLACT_RESULT_OK);
        CHECK_EQ(errors, 0);
        CHECK_EQ(warnings, 0);
        volact_cil_free(doc);
    }

    /* A file whose IID fails a check digit, loaded from disk. */
    char bad[8192];
    build_full(bad, sizeof bad, "utf-8", IID_BAD);
    const char *path = scratch("bad-iid.cil");
    CHECK(write_file(path, bad, strlen(bad)));
    doc = UNTOUCHED;
    CHECK_RESULT(volact_cil_load(TXT(path), &doc), VOLACT_RESULT_OK);
    remove(path);
    if (doc == UNTOUCHED) {
        return;
    }
    char *json = read_text(volact_cil_validate_json, doc);
    CHECK_HAS(json, "\"valid\":false");
    CHECK_HAS(json, "\"errors\":1");
    CHECK_HAS(json, "\"severity\":\"error\"");
    CHECK_HAS(json, "\"computer\":0");
    CHECK_HAS(json, "\"computer_id\":\"" COMPUTER1 "\"");
    CHECK_HAS(json, "\"product\":0");
    CHECK_HAS(json, "InstallationId: check digit wrong in group 1");
    free(json);
    size_t errors = 0, warnings = 99;
    CHECK_RESULT(volact_cil_validate_counts(doc, &errors, &warnings), VOLACT_RESULT_OK);
    CHECK_EQ(errors, 1);
    CHECK_EQ(warnings, 0);
    volact_cil_free(doc);
}

/* A parse that must fail with `code`, leaving *out alone. */
static void check_parse_error(const char *what, const void *data, size_t len, volact_result code,
                              const char *message_part) {
    volact_cil_document *doc = UNTOUCHED;
    volact_result r = volact_cil_parse((const uint8_t *)data, len, &doc);
    if (r != code) {
        failed++;
        fprintf(stderr, "FAIL %s: got %u, expected %u (%s)\n", what, (unsigned)r, (unsigned)code,
                last_error());
    } else {
        passed++;
    }
    CHECK(doc == UNTOUCHED);
    CHECK_HAS(last_error(), message_part);
    if (r == VOLACT_RESULT_OK && doc != UNTOUCHED) {
        volact_cil_free(doc);
    }
}

static void test_errors(void) {
    check_parse_error("not a CIL", TXT("<?xml version=\"1.0\"?><Inventory><Computers/></Inventory>"),
                      VOLACT_RESULT_CIL_NOT_CIL, "not a CIL: the root element is <Inventory>");
    check_parse_error("malformed", TXT("<SoftwareLicensingData>\n  <Computers>\n</SoftwareLicensingData>"),
                      VOLACT_RESULT_CIL_XML, "line 3");
    check_parse_error("truncated", TXT("<SoftwareLicensingData><Computers>"),
                      VOLACT_RESULT_CIL_XML, "XML error");
    check_parse_error("empty", NULL, 0, VOLACT_RESULT_CIL_XML, "XML error");
    check_parse_error("not UTF-8", TXT("<SoftwareLicensingData>\xff</SoftwareLicensingData>"),
                      VOLACT_RESULT_CIL_ENCODING, "encoding error at byte 23");
    check_parse_error("undefined entity",
                      TXT("<SoftwareLicensingData><Computers><Computer Id=\"{1}\" Name=\"&e;\"/>"
                          "</Computers></SoftwareLicensingData>"),
                      VOLACT_RESULT_CIL_VALUE, "computer 1 (no Id): Computer attributes");

    /* 300 nested elements: the limit is 256. */
    static char deep[300 * 7 + 64];
    char *p = deep;
    p += sprintf(p, "<SoftwareLicensingData>");
    for (int i = 0; i < 300; i++) {
        p += sprintf(p, "<a>");
    }
    for (int i = 0; i < 300; i++) {
        p += sprintf(p, "</a>");
    }
    sprintf(p, "</SoftwareLicensingData>");
    check_parse_error("too deep", TXT(deep), VOLACT_RESULT_CIL_TOO_DEEP, "deeper than 256");

    /* An external entity is never resolved (no file is read, whatever it names). */
    check_parse_error("external entity",
                      TXT("<!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]>\n"
                          "<SoftwareLicensingData><Computers><Computer Id=\"{1}\"><Groups>"
                          "<Group>&e;</Group></Groups></Computer></Computers>"
                          "</SoftwareLicensingData>"),
                      VOLACT_RESULT_CIL_VALUE, "Group");
    CHECK_LACKS(last_error(), "root:");

    /* Files: a missing one is IO (the message names it); a bad one names it too. */
    volact_cil_document *doc = UNTOUCHED;
    const char *missing = scratch("no-such-dir/missing.cil");
    CHECK_RESULT(volact_cil_load(TXT(missing), &doc), VOLACT_RESULT_IO);
    CHECK_HAS(last_error(), "missing.cil");
    CHECK_RESULT(volact_cil_load(TXT(scratch_dir), &doc), VOLACT_RESULT_IO); /* a directory */
    const char *wrong = scratch("wrong-root.cil");
    CHECK(write_file(wrong, "<Other/>", 8));
    CHECK_RESULT(volact_cil_load(TXT(wrong), &doc), VOLACT_RESULT_CIL_NOT_CIL);
    CHECK_HAS(last_error(), "wrong-root.cil: not a CIL");
    remove(wrong);
    CHECK(doc == UNTOUCHED);

    /* A file over the 2 GiB limit is refused unread: a sparse file, no disk space used. */
#if LONG_MAX > 0x7FFFFFFFL
    const char *huge = scratch("huge.cil");
    FILE *f = fopen(huge, "wb");
    CHECK(f != NULL);
    if (f != NULL) {
        CHECK(fseek(f, 2L * 1024 * 1024 * 1024, SEEK_SET) == 0);
        CHECK(fputc('>', f) == '>');
        CHECK(fclose(f) == 0);
        CHECK_RESULT(volact_cil_load(TXT(huge), &doc), VOLACT_RESULT_CIL_TOO_LARGE);
        CHECK_HAS(last_error(), "huge.cil");
        CHECK(doc == UNTOUCHED);
        remove(huge);
    }
#else
    printf("note: 32-bit long, the 2 GiB file test is skipped\n");
#endif

    /* Saving where no file can be written: IO, naming the path. */
    volact_cil_document *ok = parse_ok(FULL, strlen(FULL));
    if (ok != NULL) {
        CHECK_RESULT(volact_cil_save(ok, TXT(missing)), VOLACT_RESULT_IO);
        CHECK_HAS(last_error(), "missing.cil");
        CHECK_RESULT(volact_cil_save(ok, TXT(scratch_dir)), VOLACT_RESULT_IO);
        CHECK_RESULT(volact_cil_save(ok, NULL, 0), VOLACT_RESULT_IO); /* the empty path */
        volact_cil_free(ok);
    }

    /* Every new code has its own description. */
    const volact_result codes[] = {
        VOLACT_RESULT_CIL_ENCODING, VOLACT_RESULT_CIL_XML, VOLACT_RESULT_CIL_TOO_LARGE,
        VOLACT_RESULT_CIL_TOO_DEEP, VOLACT_RESULT_CIL_NOT_CIL, VOLACT_RESULT_CIL_VALUE,
        VOLACT_RESULT_CIL_OTHER, VOLACT_RESULT_IO,
    };
    const unsigned numbers[] = {500, 501, 502, 503, 504, 505, 599, 600};
    char seen[8][128];
    for (size_t i = 0; i < 8; i++) {
        CHECK_EQ(codes[i], numbers[i]);
        CHECK_RESULT(volact_result_message(codes[i], seen[i], sizeof seen[i], NULL),
                     VOLACT_RESULT_OK);
        CHECK(strcmp(seen[i], "unknown result code") != 0);
        CHECK(strncmp(seen[i], i < 7 ? "CIL: " : "file: ", i < 7 ? 5 : 6) == 0);
        for (size_t j = 0; j < i; j++) {
            CHECK(strcmp(seen[i], seen[j]) != 0);
        }
    }
}

static void test_null_and_invalid_arguments(void) {
    volact_cil_document *doc = parse_ok(FULL, strlen(FULL));
    if (doc == NULL) {
        return;
    }
    volact_cil_document *out = UNTOUCHED;
    size_t n = 0, m = 0;
    char buf[64];
    volact_cil_summary s;

    CHECK_RESULT(volact_cil_parse(NULL, 5, &out), VOLACT_RESULT_NULL_PARAMETER);
    CHECK_RESULT(volact_cil_parse(TXT(FULL), NULL), VOLACT_RESULT_NULL_PARAMETER);
    CHECK_RESULT(volact_cil_load(NULL, 5, &out), VOLACT_RESULT_NULL_PARAMETER);
    CHECK_RESULT(volact_cil_load(TXT("x.cil"), NULL), VOLACT_RESULT_NULL_PARAMETER);
    CHECK_RESULT(volact_cil_load(TXT("bad\xff.cil"), &out), VOLACT_RESULT_INVALID_UTF8);
    CHECK(out == UNTOUCHED);
    volact_cil_free(NULL);

    CHECK_RESULT(volact_cil_save(NULL, TXT("x.cil")), VOLACT_RESULT_NULL_PARAMETER);
    CHECK_RESULT(volact_cil_save(doc, NULL, 5), VOLACT_RESULT_NULL_PARAMETER);
    CHECK_RESULT(volact_cil_save(doc, TXT("bad\xff.cil")), VOLACT_RESULT_INVALID_UTF8);

    CHECK_RESULT(volact_cil_to_bytes(NULL, NULL, 0, &n), VOLACT_RESULT_NULL_PARAMETER);
    CHECK_RESULT(volact_cil_to_bytes(doc, NULL, 1 << 20, &n), VOLACT_RESULT_NULL_PARAMETER);
    CHECK_RESULT(volact_cil_summarize(NULL, &s), VOLACT_RESULT_NULL_PARAMETER);
    CHECK_RESULT(volact_cil_summarize(doc, NULL), VOLACT_RESULT_NULL_PARAMETER);
    CHECK_RESULT(volact_cil_document_json(NULL, buf, sizeof buf, &n), VOLACT_RESULT_NULL_PARAMETER);
    CHECK_RESULT(volact_cil_document_json(doc, NULL, 1 << 20, &n), VOLACT_RESULT_NULL_PARAMETER);
    CHECK_RESULT(volact_cil_validate_json(NULL, buf, sizeof buf, &n), VOLACT_RESULT_NULL_PARAMETER);
    CHECK_RESULT(volact_cil_validate_counts(NULL, &n, &m), VOLACT_RESULT_NULL_PARAMETER);
    n = 7;
    CHECK_RESULT(volact_cil_validate_counts(doc, NULL, &n), VOLACT_RESULT_NULL_PARAMETER);
    CHECK_EQ(n, 7); /* nothing written on failure */
    CHECK_RESULT(volact_cil_validate_counts(doc, &n, NULL), VOLACT_RESULT_NULL_PARAMETER);
    CHECK_EQ(n, 7);
    CHECK_RESULT(volact_cil_export(NULL, 0, false, false, &out), VOLACT_RESULT_NULL_PARAMETER);
    CHECK_RESULT(volact_cil_export(doc, 0, false, false, NULL), VOLACT_RESULT_NULL_PARAMETER);
    CHECK(out == UNTOUCHED);
    CHECK_RESULT(volact_cil_last_report(NULL, buf, sizeof buf, &n), VOLACT_RESULT_NULL_PARAMETER);
    CHECK_RESULT(volact_cil_last_report(doc, buf, sizeof buf, &n), VOLACT_RESULT_NOT_FOUND);
    CHECK_HAS(last_error(), "no report");

    /* The changing calls refuse bad arguments before they change anything. */
    char csv[256];
    snprintf(csv, sizeof csv, "%s,%s\n", IID1, CID1);
    CHECK_RESULT(volact_cil_add_cids(NULL, TXT(csv), false, NULL, 0, NULL),
                 VOLACT_RESULT_NULL_PARAMETER);
    CHECK_RESULT(volact_cil_add_cids(doc, NULL, 10, false, NULL, 0, NULL),
                 VOLACT_RESULT_NULL_PARAMETER);
    CHECK_RESULT(volact_cil_add_cids(doc, TXT(csv), false, NULL, 10, &n),
                 VOLACT_RESULT_NULL_PARAMETER);
    char bad_csv[256];
    snprintf(bad_csv, sizeof bad_csv, "%s,%s\xff\n", IID1, CID1);
    CHECK_RESULT(volact_cil_add_cids(doc, TXT(bad_csv), false, NULL, 0, NULL),
                 VOLACT_RESULT_INVALID_UTF8);
    volact_cil_document *other = parse_ok(FULL, strlen(FULL));
    CHECK_RESULT(volact_cil_merge(NULL, other, false, NULL, 0, NULL), VOLACT_RESULT_NULL_PARAMETER);
    CHECK_RESULT(volact_cil_merge(doc, NULL, false, NULL, 0, NULL), VOLACT_RESULT_NULL_PARAMETER);
    CHECK_RESULT(volact_cil_merge(doc, other, false, NULL, 10, NULL), VOLACT_RESULT_NULL_PARAMETER);
    CHECK_RESULT(volact_cil_summarize(doc, &s), VOLACT_RESULT_OK);
    CHECK_EQ(s.pending_cids, 0);
    CHECK_RESULT(volact_cil_last_report(doc, NULL, 0, NULL), VOLACT_RESULT_NOT_FOUND);
    char *text = doc_text(doc);
    CHECK(strcmp(text, FULL) == 0);
    free(text);

    /* An empty CSV is fine: an empty report. */
    CHECK_RESULT(volact_cil_add_cids(doc, NULL, 0, false, buf, sizeof buf, &n), VOLACT_RESULT_OK);
    CHECK(strcmp(buf, "{\"rows\":[]}") == 0);
    CHECK_EQ(n, strlen("{\"rows\":[]}"));
    volact_cil_free(other);
    volact_cil_free(doc);
}

int main(int argc, char **argv) {
    if (argc > 1) {
        scratch_dir = argv[1];
    }
    make_ids();
    build_full(FULL, sizeof FULL, "utf-8", IID1);
    test_round_trip_utf8();
    test_round_trip_utf16();
    test_export();
    test_add_cids_and_merge();
    test_validate();
    test_errors();
    test_null_and_invalid_arguments();
    return check_summary();
}
