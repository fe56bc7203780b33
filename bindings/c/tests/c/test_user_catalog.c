/*
 * C tests of the user catalog calls of libvolact (volact_user_catalog_*) through
 * include/volact.h: importing pkeyconfig files, classifying keys, hostile files, save/load.
 *
 *   test_user_catalog DATA_DIR SCRATCH_DIR
 *
 * DATA_DIR is crates/volact/tests/data/pkeyconfig (fictitious files in the real structure;
 * its README); SCRATCH_DIR an empty writable directory for the saved catalogs. Built and run
 * by bindings/c/tests/c_programs.rs (`cargo test -p volact-c`), against libvolact.so (also
 * under valgrind) and libvolact.a.
 *
 * The last line printed is `N passed, N failed`; the exit status is 1 on any failure.
 */

#include "volact.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_result.h"

/* The Enterprise GVLK's published "twin" (group 3892, serial 1): not a GVLK; the test files
 * give group 3892 a fictitious Volume:MAK configuration. */
#define TWIN "VKCF7-HV62C-944TY-YJ9NF-6Q83G"
#define GVLK "NPPR9-FWDCX-D2C8J-H872K-2YT43"

static const char *data_dir;
static const char *scratch_dir;

/* Reads DATA_DIR/name into a malloc'd buffer (exits on failure: a broken test setup). */
static uint8_t *read_data(const char *name, size_t *len) {
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", data_dir, name);
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        fprintf(stderr, "cannot open %s\n", path);
        exit(2);
    }
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *buf = malloc(size > 0 ? (size_t)size : 1);
    if (buf == NULL || fread(buf, 1, (size_t)size, f) != (size_t)size) {
        fprintf(stderr, "cannot read %s\n", path);
        exit(2);
    }
    fclose(f);
    *len = (size_t)size;
    return buf;
}

/* Imports DATA_DIR/name under name; the report (when it fits) goes to report. */
static volact_result import(volact_user_catalog *cat, const char *name, char *report,
                            size_t cap, size_t *report_n) {
    size_t len = 0;
    uint8_t *bytes = read_data(name, &len);
    volact_result r = volact_user_catalog_import_pkeyconfig(cat, bytes, len, TXT(name), report,
                                                            cap, report_n);
    free(bytes);
    return r;
}

static void scratch_path(char *out, size_t cap, const char *name) {
    snprintf(out, cap, "%s/%s", scratch_dir, name);
}

static void test_import_and_classify(void) {
    volact_user_catalog *cat = NULL;
    CHECK_RESULT(volact_user_catalog_new(&cat), VOLACT_RESULT_OK);
    CHECK(cat != NULL);

    char json[2048];
    size_t n = 0;
    /* Empty catalog: the GVLK is known, the twin is not. */
    CHECK_RESULT(volact_user_catalog_classify(cat, TXT(GVLK), json, sizeof json, &n),
                 VOLACT_RESULT_OK);
    CHECK_EQ(n, strlen(json));
    CHECK_HAS(json, "\"source\":\"gvlk\"");
    CHECK_HAS(json, "\"channel\":\"Volume:GVLK\"");
    CHECK_HAS(json, "\"channel_kind\":\"gvlk\"");
    CHECK_HAS(json, "\"edition\":\"Windows 11 Enterprise\"");
    CHECK_LACKS(json, "FWDCX");
    CHECK_RESULT(volact_user_catalog_classify(cat, TXT(TWIN), json, sizeof json, NULL),
                 VOLACT_RESULT_OK);
    CHECK_STR(json, "{\"source\":\"unknown\",\"source_file\":null,\"channel\":null,"
                    "\"channel_kind\":null,\"edition\":null,\"description\":null,"
                    "\"act_config_id\":null,\"part_number\":null}");
    /* No import yet: no report. */
    CHECK_RESULT(volact_user_catalog_last_report(cat, json, sizeof json, NULL),
                 VOLACT_RESULT_NOT_FOUND);

    /* Import: the report is written when it fits, and kept on the handle. */
    char report[2048];
    size_t report_n = 0;
    CHECK_RESULT(import(cat, "mak-retail-oem.xrm-ms", report, sizeof report, &report_n),
                 VOLACT_RESULT_OK);
    CHECK_EQ(report_n, strlen(report));
    CHECK_STR(report, "{\"file\":\"mak-retail-oem.xrm-ms\",\"configurations\":3,\"key_ranges\":4,"
                      "\"configurations_by_channel\":{\"OEM:DM\":1,\"Retail\":1,\"Volume:MAK\":1},"
                      "\"key_ranges_by_channel\":{\"OEM:DM\":1,\"Retail\":1,\"Volume:MAK\":2},"
                      "\"replaced\":[],\"orphan_ranges\":1}");
    size_t count = 0;
    CHECK_RESULT(volact_user_catalog_configurations(cat, &count), VOLACT_RESULT_OK);
    CHECK_EQ(count, 3);

    /* A report buffer too short: still OK (the import happened), empty string, size given;
     * the report is read back with last_report. Importing again replaces, never doubles. */
    char tiny[8] = "stale";
    CHECK_RESULT(import(cat, "csvlk.xrm-ms", tiny, sizeof tiny, &report_n), VOLACT_RESULT_OK);
    CHECK_STR(tiny, "");
    CHECK(report_n > sizeof tiny);
    CHECK_RESULT(volact_user_catalog_configurations(cat, &count), VOLACT_RESULT_OK);
    CHECK_EQ(count, 4);
    size_t need = 0;
    CHECK_RESULT(volact_user_catalog_last_report(cat, NULL, 0, &need),
                 VOLACT_RESULT_BUFFER_TOO_SMALL);
    CHECK_EQ(need, report_n);
    CHECK_RESULT(volact_user_catalog_last_report(cat, report, sizeof report, NULL),
                 VOLACT_RESULT_OK);
    CHECK_HAS(report, "\"file\":\"csvlk.xrm-ms\"");
    CHECK_HAS(report, "\"Volume:CSVLK\":1");
    /* No report asked for. */
    CHECK_RESULT(import(cat, "utf16.xrm-ms", NULL, 0, NULL), VOLACT_RESULT_OK);

    /* The twin: MAK, through the user catalog; masked. The size query agrees. */
    CHECK_RESULT(volact_user_catalog_classify(cat, TXT(TWIN), NULL, 0, &need),
                 VOLACT_RESULT_BUFFER_TOO_SMALL);
    CHECK_RESULT(volact_user_catalog_classify(cat, TXT("vkcf7 hv62c 944ty yj9nf 6q83g"), json,
                                              sizeof json, &n),
                 VOLACT_RESULT_OK);
    CHECK_EQ(n, need);
    CHECK_STR(json, "{\"source\":\"user_catalog\",\"source_file\":\"mak-retail-oem.xrm-ms\","
                    "\"channel\":\"Volume:MAK\",\"channel_kind\":\"mak\","
                    "\"edition\":\"EnterpriseTest\","
                    "\"description\":\"Fictitious Enterprise Volume:MAK (test only)\","
                    "\"act_config_id\":\"{0f1c7e57-0000-4000-8000-00000000a001}\","
                    "\"part_number\":\"X00-00001\"}");
    CHECK_LACKS(json, "VKCF7");
    CHECK_LACKS(json, "6Q83G");

    /* A later file replaces the configuration: the report names it. */
    CHECK_RESULT(import(cat, "mak-newer.xrm-ms", report, sizeof report, NULL), VOLACT_RESULT_OK);
    CHECK_HAS(report, "\"replaced\":[\"{0f1c7e57-0000-4000-8000-00000000a001}\"]");

    /* A mistyped key: its code; the message never holds the key. */
    CHECK_RESULT(volact_user_catalog_classify(cat, TXT("VKCF7-HV62C-944TY-YJ9NF-6Q83H"), json,
                                              sizeof json, NULL),
                 VOLACT_RESULT_KEY_CHECKSUM);
    CHECK_LACKS(last_error(), "HV62C");
    CHECK_RESULT(volact_user_catalog_classify(cat, TXT("BCDFG-HJKMP"), json, sizeof json, NULL),
                 VOLACT_RESULT_KEY_LENGTH);

    volact_user_catalog_free(cat);
}

static void test_hostile_files(void) {
    static const struct {
        const char *file;
        volact_result code;
    } cases[] = {
        {"hostile/not-xml.xrm-ms", VOLACT_RESULT_PKEYCONFIG_XML},
        {"hostile/dtd.xrm-ms", VOLACT_RESULT_PKEYCONFIG_DTD},
        {"hostile/entity-in-payload.xrm-ms", VOLACT_RESULT_PKEYCONFIG_DTD},
        {"hostile/undeclared-entity.xrm-ms", VOLACT_RESULT_PKEYCONFIG_DTD},
        {"hostile/deep.xrm-ms", VOLACT_RESULT_PKEYCONFIG_TOO_DEEP},
        {"hostile/no-payload.xrm-ms", VOLACT_RESULT_PKEYCONFIG_NOT_PKEYCONFIG},
        {"hostile/wrong-root.xrm-ms", VOLACT_RESULT_PKEYCONFIG_NOT_PKEYCONFIG},
        {"hostile/bad-base64.xrm-ms", VOLACT_RESULT_PKEYCONFIG_BASE64},
        {"hostile/truncated-base64.xrm-ms", VOLACT_RESULT_PKEYCONFIG_BASE64},
        {"hostile/missing-group.xrm-ms", VOLACT_RESULT_PKEYCONFIG_MISSING_FIELD},
        {"hostile/end-before-start.xrm-ms", VOLACT_RESULT_PKEYCONFIG_BAD_VALUE},
    };
    volact_user_catalog *cat = NULL;
    CHECK_RESULT(volact_user_catalog_new(&cat), VOLACT_RESULT_OK);
    char report[64] = "untouched";
    size_t report_n = 12345;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        volact_result r = import(cat, cases[i].file, report, sizeof report, &report_n);
        if (r != cases[i].code) {
            fprintf(stderr, "  %s: %s\n", cases[i].file, last_error());
        }
        CHECK_EQ(r, cases[i].code);
        /* The message names the file. */
        CHECK_HAS(last_error(), strchr(cases[i].file, '/') + 1);
    }
    /* Nothing written, nothing imported, no report. */
    CHECK_STR(report, "untouched");
    CHECK_EQ(report_n, 12345);
    size_t count = 99;
    CHECK_RESULT(volact_user_catalog_configurations(cat, &count), VOLACT_RESULT_OK);
    CHECK_EQ(count, 0);
    CHECK_RESULT(volact_user_catalog_last_report(cat, report, sizeof report, NULL),
                 VOLACT_RESULT_NOT_FOUND);
    char msg[128];
    CHECK_RESULT(volact_result_message(VOLACT_RESULT_PKEYCONFIG_DTD, msg, sizeof msg, NULL),
                 VOLACT_RESULT_OK);
    CHECK_STR(msg, "pkeyconfig: a DTD or an undeclared entity (refused)");
    volact_user_catalog_free(cat);
}

static void test_save_and_load(void) {
    volact_user_catalog *cat = NULL;
    CHECK_RESULT(volact_user_catalog_new(&cat), VOLACT_RESULT_OK);
    CHECK_RESULT(import(cat, "mak-retail-oem.xrm-ms", NULL, 0, NULL), VOLACT_RESULT_OK);
    char path[4096];
    scratch_path(path, sizeof path, "nested/dir/catalog.json");
    CHECK_RESULT(volact_user_catalog_save(cat, TXT(path)), VOLACT_RESULT_OK);
    volact_user_catalog_free(cat);

    volact_user_catalog *loaded = NULL;
    CHECK_RESULT(volact_user_catalog_load(TXT(path), &loaded), VOLACT_RESULT_OK);
    size_t count = 0;
    CHECK_RESULT(volact_user_catalog_configurations(loaded, &count), VOLACT_RESULT_OK);
    CHECK_EQ(count, 3);
    char json[1024];
    CHECK_RESULT(volact_user_catalog_classify(loaded, TXT(TWIN), json, sizeof json, NULL),
                 VOLACT_RESULT_OK);
    CHECK_HAS(json, "\"source_file\":\"mak-retail-oem.xrm-ms\"");
    CHECK_HAS(json, "\"channel_kind\":\"mak\"");
    /* The saved file holds no key either. */
    FILE *f = fopen(path, "rb");
    CHECK(f != NULL);
    if (f != NULL) {
        static char saved[65536];
        size_t got = fread(saved, 1, sizeof saved - 1, f);
        saved[got] = '\0';
        fclose(f);
        CHECK_HAS(saved, "\"format\": \"volact-user-catalog\"");
        CHECK_LACKS(saved, "VKCF7");
    }
    volact_user_catalog_free(loaded);

    /* Missing file: NOT_FOUND, out untouched. Not a catalog: FORMAT. Another version:
     * VERSION. A directory: IO. */
    volact_user_catalog *none = (volact_user_catalog *)&count;
    scratch_path(path, sizeof path, "missing.json");
    CHECK_RESULT(volact_user_catalog_load(TXT(path), &none), VOLACT_RESULT_NOT_FOUND);
    CHECK(none == (volact_user_catalog *)&count);
    CHECK_HAS(last_error(), "missing.json");

    scratch_path(path, sizeof path, "not-a-catalog.json");
    f = fopen(path, "wb");
    CHECK(f != NULL);
    if (f != NULL) {
        fputs("[1, 2]\n", f);
        fclose(f);
    }
    CHECK_RESULT(volact_user_catalog_load(TXT(path), &none), VOLACT_RESULT_USER_CATALOG_FORMAT);
    CHECK_HAS(last_error(), "not a volact user catalog");

    scratch_path(path, sizeof path, "newer.json");
    f = fopen(path, "wb");
    CHECK(f != NULL);
    if (f != NULL) {
        fputs("{\"format\":\"volact-user-catalog\",\"version\":99,\"configurations\":[],"
              "\"public_keys\":[]}",
              f);
        fclose(f);
    }
    CHECK_RESULT(volact_user_catalog_load(TXT(path), &none), VOLACT_RESULT_USER_CATALOG_VERSION);
    CHECK_RESULT(volact_user_catalog_load(TXT(scratch_dir), &none), VOLACT_RESULT_IO);
    CHECK(none == (volact_user_catalog *)&count);
}

static void test_arguments(void) {
    volact_user_catalog *cat = NULL;
    CHECK_RESULT(volact_user_catalog_new(NULL), VOLACT_RESULT_NULL_PARAMETER);
    CHECK_RESULT(volact_user_catalog_new(&cat), VOLACT_RESULT_OK);
    char json[512];
    CHECK_RESULT(volact_user_catalog_classify(NULL, TXT(GVLK), json, sizeof json, NULL),
                 VOLACT_RESULT_NULL_PARAMETER);
    CHECK_RESULT(volact_user_catalog_classify(cat, (const uint8_t *)"\xff", 1, json, sizeof json,
                                              NULL),
                 VOLACT_RESULT_INVALID_UTF8);
    CHECK_RESULT(volact_user_catalog_import_pkeyconfig(NULL, NULL, 0, TXT("x"), NULL, 0, NULL),
                 VOLACT_RESULT_NULL_PARAMETER);
    CHECK_RESULT(volact_user_catalog_import_pkeyconfig(cat, NULL, 0, TXT("x"), NULL, 5, NULL),
                 VOLACT_RESULT_NULL_PARAMETER);
    CHECK_RESULT(volact_user_catalog_import_pkeyconfig(cat, NULL, 0, TXT("empty"), NULL, 0, NULL),
                 VOLACT_RESULT_PKEYCONFIG_NOT_PKEYCONFIG);
    CHECK_RESULT(volact_user_catalog_save(NULL, TXT("x.json")), VOLACT_RESULT_NULL_PARAMETER);
    CHECK_RESULT(volact_user_catalog_configurations(cat, NULL), VOLACT_RESULT_NULL_PARAMETER);
    CHECK_RESULT(volact_user_catalog_load(TXT("x.json"), NULL), VOLACT_RESULT_NULL_PARAMETER);
    volact_user_catalog_free(cat);
    volact_user_catalog_free(NULL);
}

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: test_user_catalog DATA_DIR SCRATCH_DIR\n");
        return 2;
    }
    data_dir = argv[1];
    scratch_dir = argv[2];
    test_import_and_classify();
    test_hostile_files();
    test_save_and_load();
    test_arguments();
    return check_summary();
}
