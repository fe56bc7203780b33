/*
 * C tests of the MAK store calls of libvolact (volact_mak_store_*) through include/volact.h:
 * classification through an imported pkeyconfig, declared kinds, refusals, snapshots,
 * owner-only save and load, and that no output holds a key unmasked.
 *
 *   test_mak_store DATA_DIR SCRATCH_DIR
 *
 * DATA_DIR is crates/volact/tests/data/pkeyconfig (fictitious files; its README), SCRATCH_DIR
 * an empty writable directory. Built and run by bindings/c/tests/c_programs.rs against
 * libvolact.so (also under valgrind) and libvolact.a.
 *
 * The last line printed is `N passed, N failed`; the exit status is 1 on any failure.
 */

#define _POSIX_C_SOURCE 200809L
#include "volact.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "check_result.h"

/* Group 3892, serial 1: a MAK only through the test pkeyconfig. */
#define TWIN "VKCF7-HV62C-944TY-YJ9NF-6Q83G"
#define GVLK "NPPR9-FWDCX-D2C8J-H872K-2YT43"
/* A syntax-only (pkey2005) test string no catalog knows; not a key of any product. */
#define UNKNOWN "BCDFG-HJKMP-QRTVW-XY234-6789B"

static const char *data_dir;
static const char *scratch_dir;

/* No group of any test key but the last may appear. */
static void check_masked(const char *text) {
    static const char *groups[] = {"VKCF7", "HV62C", "944TY", "YJ9NF", "NPPR9", "FWDCX",
                                   "D2C8J", "H872K", "BCDFG", "HJKMP", "QRTVW", "XY234"};
    for (size_t i = 0; i < sizeof groups / sizeof groups[0]; i++) {
        CHECK_LACKS(text, groups[i]);
    }
}

static volact_user_catalog *catalog_with_mak(void) {
    char path[4096];
    snprintf(path, sizeof path, "%s/mak-retail-oem.xrm-ms", data_dir);
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        fprintf(stderr, "cannot open %s\n", path);
        exit(2);
    }
    static uint8_t buf[1 << 16];
    size_t len = fread(buf, 1, sizeof buf, f);
    fclose(f);
    volact_user_catalog *cat = NULL;
    CHECK_RESULT(volact_user_catalog_new(&cat), VOLACT_RESULT_OK);
    CHECK_RESULT(volact_user_catalog_import_pkeyconfig(cat, buf, len, TXT("mak-retail-oem.xrm-ms"),
                                                       NULL, 0, NULL),
                 VOLACT_RESULT_OK);
    return cat;
}

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: test_mak_store DATA_DIR SCRATCH_DIR\n");
        return 2;
    }
    data_dir = argv[1];
    scratch_dir = argv[2];
    volact_user_catalog *cat = catalog_with_mak();
    volact_mak_store *store = NULL;
    CHECK_RESULT(volact_mak_store_new(&store), VOLACT_RESULT_OK);

    char json[4096];
    size_t n = 0;
    /* Unknown to the catalog: refused until declared; a GVLK refused; an invalid key refused. */
    CHECK_RESULT(volact_mak_store_add(store, TXT(UNKNOWN), VOLACT_KEY_KIND_NONE, TXT(""), 10, cat,
                                      NULL, 0, NULL),
                 VOLACT_RESULT_MAK_UNKNOWN_TYPE);
    CHECK_HAS(last_error(), "--type");
    check_masked(last_error());
    CHECK_RESULT(volact_mak_store_add(store, TXT(GVLK), VOLACT_KEY_KIND_MAK, TXT(""), 10, cat, NULL,
                                      0, NULL),
                 VOLACT_RESULT_MAK_GVLK);
    check_masked(last_error());
    CHECK_RESULT(volact_mak_store_add(store, TXT("VKCF7-HV62C-944TY-YJ9NF-6Q83H"),
                                      VOLACT_KEY_KIND_MAK, TXT(""), 10, cat, NULL, 0, NULL),
                 VOLACT_RESULT_KEY_CHECKSUM);
    check_masked(last_error());
    CHECK_RESULT(volact_mak_store_add(store, TXT(TWIN), VOLACT_KEY_KIND_RETAIL, TXT(""), 10, cat,
                                      NULL, 0, NULL),
                 VOLACT_RESULT_MAK_CONTRADICTION);
    CHECK_RESULT(volact_mak_store_add(store, TXT(TWIN), 9, TXT(""), 10, cat, NULL, 0, NULL),
                 VOLACT_RESULT_INVALID_ARGUMENT);
    CHECK_RESULT(volact_mak_store_add(NULL, TXT(TWIN), 0, TXT(""), 10, cat, NULL, 0, NULL),
                 VOLACT_RESULT_NULL_PARAMETER);

    /* Classified MAK through the imported pkeyconfig. */
    CHECK_RESULT(volact_mak_store_add(store, TXT(TWIN), VOLACT_KEY_KIND_NONE, TXT("Lab MAK"),
                                      1700000000, cat, json, sizeof json, &n),
                 VOLACT_RESULT_OK);
    CHECK_EQ(n, strlen(json));
    CHECK_HAS(json, "\"key\":\"XXXXX-XXXXX-XXXXX-XXXXX-6Q83G\"");
    CHECK_HAS(json, "\"kind\":\"mak\",\"source\":\"user_catalog\","
                    "\"source_file\":\"mak-retail-oem.xrm-ms\"");
    CHECK_HAS(json, "\"added_at\":\"2023-11-14T22:13:20Z\"");
    check_masked(json);
    CHECK_RESULT(volact_mak_store_add(store, TXT(TWIN), VOLACT_KEY_KIND_NONE, TXT(""), 10, cat,
                                      NULL, 0, NULL),
                 VOLACT_RESULT_MAK_DUPLICATE);
    check_masked(last_error());
    /* Declared, without a catalog; a short buffer still adds (empty string, size given). */
    char tiny[8] = "stale";
    CHECK_RESULT(volact_mak_store_add(store, TXT(UNKNOWN), VOLACT_KEY_KIND_CSVLK, TXT("KMS host"),
                                      5, NULL, tiny, sizeof tiny, &n),
                 VOLACT_RESULT_OK);
    CHECK_STR(tiny, "");
    CHECK(n > sizeof tiny);
    CHECK_RESULT(volact_mak_store_get(store, TXT("6789B"), json, sizeof json, NULL),
                 VOLACT_RESULT_OK);
    CHECK_HAS(json, "\"kind\":\"csvlk\",\"source\":\"declared\"");

    /* Snapshots, in time order whatever the order recorded. */
    CHECK_RESULT(volact_mak_store_record_count(store, TXT("6Q83G"), 97, 1700090000),
                 VOLACT_RESULT_OK);
    CHECK_RESULT(volact_mak_store_record_count(store, TXT("6Q83G"), 120, 1700000100),
                 VOLACT_RESULT_OK);
    CHECK_RESULT(volact_mak_store_record_count(store, TXT("ZZZZZ"), 1, 0), VOLACT_RESULT_NOT_FOUND);
    CHECK_RESULT(volact_mak_store_get(store, TXT("6Q83G"), json, sizeof json, NULL),
                 VOLACT_RESULT_OK);
    CHECK_HAS(json, "\"remaining\":97,\"remaining_taken_at\":\"2023-11-15T23:13:20Z\"");
    CHECK_HAS(json, "\"snapshots\":[{\"remaining\":120,");

    /* The list: size query, then the text; masked. */
    size_t need = 0;
    CHECK_RESULT(volact_mak_store_list(store, NULL, 0, &need), VOLACT_RESULT_BUFFER_TOO_SMALL);
    char *list = malloc(need + 1);
    CHECK_RESULT(volact_mak_store_list(store, list, need + 1, NULL), VOLACT_RESULT_OK);
    CHECK(list[0] == '[');
    CHECK_HAS(list, "XXXXX-XXXXX-XXXXX-XXXXX-6789B");
    check_masked(list);
    free(list);

    /* Save owner-only, load back, and refuse a store others can read. */
    char path[4096];
    snprintf(path, sizeof path, "%s/sub/maks.json", scratch_dir);
    CHECK_RESULT(volact_mak_store_save(store, TXT(path)), VOLACT_RESULT_OK);
    struct stat st;
    CHECK(stat(path, &st) == 0 && (st.st_mode & 0777) == 0600);
    volact_mak_store *loaded = NULL;
    CHECK_RESULT(volact_mak_store_load(TXT(path), &loaded), VOLACT_RESULT_OK);
    CHECK_RESULT(volact_mak_store_get(loaded, TXT("6Q83G"), json, sizeof json, NULL),
                 VOLACT_RESULT_OK);
    CHECK_HAS(json, "\"remaining\":97");
    CHECK_RESULT(volact_mak_store_remove(loaded, TXT("6Q83G")), VOLACT_RESULT_OK);
    CHECK_RESULT(volact_mak_store_remove(loaded, TXT("6Q83G")), VOLACT_RESULT_NOT_FOUND);
    volact_mak_store_free(loaded);
    chmod(path, 0644);
    volact_mak_store *exposed = (volact_mak_store *)0x1;
    CHECK_RESULT(volact_mak_store_load(TXT(path), &exposed), VOLACT_RESULT_MAK_STORE_EXPOSED);
    CHECK(exposed == (volact_mak_store *)0x1);
    CHECK_HAS(last_error(), "chmod 600");
    /* A missing file is an empty store. */
    snprintf(path, sizeof path, "%s/none.json", scratch_dir);
    volact_mak_store *empty = NULL;
    CHECK_RESULT(volact_mak_store_load(TXT(path), &empty), VOLACT_RESULT_OK);
    CHECK_RESULT(volact_mak_store_list(empty, json, sizeof json, NULL), VOLACT_RESULT_OK);
    CHECK_STR(json, "[]");
    volact_mak_store_free(empty);

    volact_mak_store_free(store);
    volact_mak_store_free(NULL);
    volact_user_catalog_free(cat);
    return check_summary();
}
