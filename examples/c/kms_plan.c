/*
 * kms_plan: plans a KMS topology (TOML, see docs/kms-discovery.md) with libvolact and prints
 * each KMS host's DnsDomainPublishList, then the SRV records every domain ends up with.
 *
 *   kms_plan examples/kms/contoso-global.toml
 *
 * Exit status: 0 on success, 1 when the topology is invalid (the reason, with its line, on
 * stderr), 2 on a usage or file error.
 */

#include "volact.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Reads a whole file into a NUL-terminated buffer (the caller frees it), or NULL. */
static char *read_file(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        return NULL;
    }
    size_t cap = 4096, n = 0, got;
    char *buf = malloc(cap);
    while (buf != NULL && (got = fread(buf + n, 1, cap - n, f)) > 0) {
        n += got;
        if (n == cap) {
            char *bigger = realloc(buf, cap * 2);
            if (bigger == NULL) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = bigger;
            cap *= 2;
        }
    }
    fclose(f);
    *len = n;
    return buf;
}

/* Plans `topology` as `format` into a new buffer (the caller frees it): asks the size first,
 * then allocates it, the library's buffer protocol. NULL on failure, with the reason printed. */
static char *plan(const char *topology, size_t len, volact_srv_format format) {
    size_t n = 0;
    volact_result r = volact_srv_plan((const uint8_t *)topology, len, format, NULL, 0, &n);
    if (r == VOLACT_RESULT_BUFFER_TOO_SMALL) {
        char *out = malloc(n + 1);
        if (out == NULL) {
            fprintf(stderr, "out of memory\n");
            return NULL;
        }
        r = volact_srv_plan((const uint8_t *)topology, len, format, out, n + 1, NULL);
        if (r == VOLACT_RESULT_OK) {
            return out;
        }
        free(out);
    }
    char why[1024];
    volact_last_error_message(why, sizeof why, NULL);
    fprintf(stderr, "invalid topology: %s\n", why);
    return NULL;
}

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: kms_plan TOPOLOGY.toml\n");
        return 2;
    }
    size_t len = 0;
    char *topology = read_file(argv[1], &len);
    if (topology == NULL) {
        fprintf(stderr, "cannot read %s\n", argv[1]);
        return 2;
    }
    char *lists = plan(topology, len, VOLACT_SRV_FORMAT_PUBLISH_LISTS);
    char *zone = lists == NULL ? NULL : plan(topology, len, VOLACT_SRV_FORMAT_ZONE);
    free(topology);
    if (lists == NULL || zone == NULL) {
        free(lists);
        return 1;
    }
    /* "[host]" starts a host; the lines after it are its DnsDomainPublishList strings. */
    for (char *line = strtok(lists, "\n"); line != NULL; line = strtok(NULL, "\n")) {
        if (line[0] == ';' && strstr(line, "DisableDnsPublishing") == NULL) {
            continue; /* the heading comment */
        }
        if (line[0] == '[') {
            line[strlen(line) - 1] = '\0';
            printf("%s\n", line + 1);
        } else if (line[0] == ';') {
            printf("  DisableDnsPublishing = 1 (publishes nowhere)\n");
        } else {
            printf("  DnsDomainPublishList: %s\n", line);
        }
    }
    printf("\n%s", zone);
    free(lists);
    free(zone);
    return 0;
}
