/*
 * classify_key: learn key configurations from Microsoft pkeyconfig files with libvolact, then
 * say what product keys are (MAK, retail, OEM, CSVLK, GVLK or unknown).
 *
 *   classify_key PKEYCONFIG... -- KEY...
 *
 * Each pkeyconfig file (%SystemRoot%\System32\spp\tokens\pkeyconfig\*.xrm-ms on a Windows
 * machine) is imported into an in-memory user catalog and its import report printed; then for
 * each key the masked key (never the key itself) and its classification JSON. Without files
 * before `--`, only the published GVLKs are known. Exit status: 0 when every file and key was
 * read, 1 when one was not, 2 on a usage error. Build and run: see examples/c/README.md.
 */

#include "volact.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The last error message of this thread: positions and reasons, never a key. */
static const char *last_error(void) {
    static char buf[1024];
    if (volact_last_error_message(buf, sizeof buf, NULL) != VOLACT_RESULT_OK) {
        buf[0] = '\0';
    }
    return buf;
}

/* The file's base name, as the catalog will name it. */
static const char *base_name(const char *path) {
    const char *slash = strrchr(path, '/');
    return slash != NULL ? slash + 1 : path;
}

/* Reads a whole file into a malloc'd buffer; NULL when it cannot. */
static unsigned char *read_file(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        return NULL;
    }
    unsigned char *buf = NULL;
    long size = -1;
    if (fseek(f, 0, SEEK_END) == 0 && (size = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0 &&
        (buf = malloc((size_t)size + 1)) != NULL &&
        fread(buf, 1, (size_t)size, f) != (size_t)size) {
        free(buf);
        buf = NULL;
    }
    fclose(f);
    *len = (size_t)size;
    return buf;
}

/* Imports one file; returns 0 on success. */
static int import(volact_user_catalog *catalog, const char *path) {
    size_t len = 0;
    unsigned char *bytes = read_file(path, &len);
    if (bytes == NULL) {
        fprintf(stderr, "%s: cannot read the file\n", path);
        return -1;
    }
    const char *name = base_name(path);
    char report[4096];
    size_t n = 0;
    /* The import changes the catalog: OK means done, even when the report did not fit (it
     * is then read with volact_user_catalog_last_report, never by importing again). */
    volact_result r = volact_user_catalog_import_pkeyconfig(
        catalog, bytes, len, (const unsigned char *)name, strlen(name), report, sizeof report,
        &n);
    free(bytes);
    if (r != VOLACT_RESULT_OK) {
        fprintf(stderr, "%s: not imported: %s\n", path, last_error());
        return -1;
    }
    if (n >= sizeof report) {
        char *big = malloc(n + 1);
        if (big != NULL &&
            volact_user_catalog_last_report(catalog, big, n + 1, NULL) == VOLACT_RESULT_OK) {
            printf("imported %s\n", big);
        }
        free(big);
    } else {
        printf("imported %s\n", report);
    }
    return 0;
}

/* Classifies one text; returns 1 when it is a valid key. */
static int classify(const volact_user_catalog *catalog, const char *text) {
    const unsigned char *bytes = (const unsigned char *)text;
    size_t len = strlen(text);
    char masked[64];
    if (volact_key_masked_text(bytes, len, masked, sizeof masked, NULL) != VOLACT_RESULT_OK) {
        snprintf(masked, sizeof masked, "(a long text)");
    }
    printf("%s\n", masked);
    char json[2048];
    volact_result r = volact_user_catalog_classify(catalog, bytes, len, json, sizeof json, NULL);
    if (r != VOLACT_RESULT_OK) {
        printf("  invalid: %s\n", last_error());
        return 0;
    }
    printf("  classification: %s\n", json);
    return 1;
}

int main(int argc, char **argv) {
    int sep = 1;
    while (sep < argc && strcmp(argv[sep], "--") != 0) {
        sep++;
    }
    if (sep >= argc - 1) {
        fprintf(stderr, "usage: %s PKEYCONFIG... -- KEY...\n(libvolact %s)\n", argv[0],
                volact_version());
        return 2;
    }
    volact_user_catalog *catalog = NULL;
    if (volact_user_catalog_new(&catalog) != VOLACT_RESULT_OK) {
        fprintf(stderr, "cannot create a catalog: %s\n", last_error());
        return 1;
    }
    int status = 0;
    for (int i = 1; i < sep; i++) {
        if (import(catalog, argv[i]) != 0) {
            status = 1;
        }
    }
    for (int i = sep + 1; i < argc; i++) {
        if (!classify(catalog, argv[i])) {
            status = 1;
        }
    }
    volact_user_catalog_free(catalog);
    return status;
}
