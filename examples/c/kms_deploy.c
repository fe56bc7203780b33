/*
 * kms_deploy: the KMS workflows of libvolact on fake machines implemented here as callback
 * tables (volact_target_vtable):
 *
 * 1. kms-deploy of a topology (the seed's global network, examples/kms/contoso-global.toml)
 *    on four KMS hosts (Windows Server 2022 Datacenter) with a CSVLK from a MAK store. The
 *    run stops after the first host: its activation publishes the _vlmcs._tcp records, and
 *    the run's "waiting" field names the grants to give the hosts' security groups on them.
 *    Running the saved run again (after the grants) activates the other hosts. Each host's
 *    DnsDomainPublishList is printed as the fake received it through write_value.
 * 2. kms-configure with the seed's Table 6 (DNS auto-discovery, host caching off, a help-desk
 *    AlternateURL) on two clients: the Windows 11 Core one is skipped (rule no-gvlk) before
 *    anything is installed; the Windows 11 Enterprise one gets the published GVLK.
 *
 *   kms_deploy TOPOLOGY.toml
 *
 * Exit status: 0 when every call succeeded, 1 otherwise (e.g. an invalid topology), 2 on a
 * usage error or an unreadable file. From the repository root:
 *
 *   cargo build --release -p volact-c
 *   gcc -std=c11 -Wall -Wextra -I bindings/c/include examples/c/kms_deploy.c \
 *       -L target/release -lvolact -Wl,-rpath,"$PWD/target/release" -o kms_deploy
 *   ./kms_deploy examples/kms/contoso-global.toml
 *
 * `cargo test -p volact-c` runs it under valgrind and checks its output (test
 * `example_kms_deploy` in bindings/c/tests/c_programs.rs).
 *
 * In a real deployment the callbacks would call WMI (SoftwareLicensingService and
 * SoftwareLicensingProduct) and the licensing registry on each machine. The CSVLK is a
 * fictitious test key declared a CSVLK; it is printed masked only. GVLKs are Microsoft's
 * published KMS client setup keys and are printed in full. The Activation IDs are made up.
 */

#include "volact.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TXT(s) (const uint8_t *)(s), strlen(s)

/* The KMS host key of this example: group 3892, serial 1 (a fictitious test key, declared a
 * CSVLK: volact never guesses a key's type). */
#define CSVLK "VKCF7-HV62C-944TY-YJ9NF-6Q83G"
#define HELP_URL "http://contoso.com/help"
/* The seed's Table 6 for the clients. */
#define TABLE6 "{\"discovery\":\"auto\",\"host_caching\":false,\"alternate_url\":\"" HELP_URL "\"}"

static const char *last_error(void) {
    static char buf[1024];
    if (volact_last_error_message(buf, sizeof buf, NULL) != VOLACT_RESULT_OK) {
        buf[0] = '\0';
    }
    return buf;
}

/* --- a little JSON reading (volact's JSON; enough for strings and string arrays) --------- */

/* Copies the JSON string starting at `at` (its opening quote) into `out`, unescaped (a \u
 * escape outside ASCII becomes '?'); returns the position after the closing quote, or NULL. */
static const char *json_string_at(const char *at, char *out, size_t cap) {
    size_t n = 0;
    if (at == NULL || *at != '"') {
        return NULL;
    }
    for (at++; *at != '\0' && *at != '"'; at++) {
        char c = *at;
        if (c == '\\') {
            at++;
            switch (*at) {
            case 'n':
                c = '\n';
                break;
            case 't':
                c = '\t';
                break;
            case 'u':
                c = '?';
                for (int i = 0; i < 4 && at[1] != '\0'; i++) {
                    at++;
                }
                break;
            case '\0':
                return NULL;
            default:
                c = *at; /* \" \\ \/ */
            }
        }
        if (n + 1 < cap) {
            out[n++] = c;
        }
    }
    if (cap > 0) {
        out[n] = '\0';
    }
    return *at == '"' ? at + 1 : NULL;
}

/* The string value of `"name":` at or after `from` (and before `limit` when not NULL) into
 * `out`; 1 when found. */
static int json_field(const char *from, const char *limit, const char *name, char *out,
                      size_t cap) {
    char key[64];
    snprintf(key, sizeof key, "\"%s\":", name);
    const char *at = strstr(from, key);
    if (at == NULL || (limit != NULL && at >= limit)) {
        return 0;
    }
    at += strlen(key);
    while (*at == ' ' || *at == '\n') {
        at++;
    }
    return json_string_at(at, out, cap) != NULL;
}

/* The strings of the array `"name": [...]` at or after `from` (before `limit`), joined with
 * `sep` into `out`; 1 when found. */
static int json_strings(const char *from, const char *limit, const char *name, const char *sep,
                        char *out, size_t cap) {
    char key[64];
    snprintf(key, sizeof key, "\"%s\":", name);
    const char *at = strstr(from, key);
    if (at == NULL || (limit != NULL && at >= limit) || cap == 0) {
        return 0;
    }
    at = strchr(at, '[');
    out[0] = '\0';
    for (;;) {
        while (at != NULL && *at != '\0' && *at != '"' && *at != ']') {
            at++;
        }
        if (at == NULL || *at != '"') {
            return at != NULL && *at == ']';
        }
        char item[512];
        at = json_string_at(at, item, sizeof item);
        size_t n = strlen(out);
        snprintf(out + n, cap - n, "%s%s", n > 0 ? sep : "", item);
    }
}

/* The object of machine `name` in a plan's "machines" or a run's "progress" (they are the
 * first `"machine": "NAME"` after `section`); `*end` gets where the next machine starts. */
static const char *machine_in(const char *json, const char *section, const char *name,
                              const char **end) {
    char key[128];
    snprintf(key, sizeof key, "\"machine\": \"%s\"", name);
    const char *from = strstr(json, section);
    const char *at = from != NULL ? strstr(from, key) : NULL;
    if (at != NULL) {
        *end = strstr(at + 1, "\"machine\": \"");
    }
    return at;
}

/* --- the fake machines ------------------------------------------------------------------ */

typedef struct {
    const char *name;
    const char *family;  /* Caption-style family */
    const char *edition; /* EditionID */
    const char *sku;     /* the Activation ID (made up) */
    char channel[16];
    int status; /* LicenseStatus: 1 Licensed, 2 OOBGrace */
    char key_shown[32]; /* what install_product_key got: a published GVLK in full, else masked */
    int host_caching;   /* -1 untouched, 0 off (/ckhc), 1 on (/skhc) */
    char calls[512];    /* what was done, as slmgr options and registry value names */
    char publish_list[256]; /* DnsDomainPublishList as written, "a, 10, 75 | b, 90, 75" */
    char alternate_url[256];
    char kms_host[128];      /* "" untouched, "cleared (DNS auto-discovery)" or the host */
    char lookup_domain[128]; /* "" untouched, "cleared" or the domain */
} machine;

static void note(machine *m, const char *fmt, const char *arg, size_t len) {
    size_t n = strlen(m->calls);
    snprintf(m->calls + n, sizeof m->calls - n, "%s", n > 0 ? ", " : "");
    n = strlen(m->calls);
    snprintf(m->calls + n, sizeof m->calls - n, fmt, (int)len, arg != NULL ? arg : "");
}

static int32_t put(volact_sink *sink, const char *text) {
    return volact_sink_write(sink, (const uint8_t *)text, strlen(text)) == VOLACT_RESULT_OK ? 0
                                                                                            : -1;
}

static int32_t machine_json(void *user, volact_sink *out, volact_target_error *err) {
    machine *m = user;
    (void)err;
    char json[256];
    snprintf(json, sizeof json,
             "{\"name\":\"%s\",\"network_type\":\"Domain\",\"network_name\":\"contoso.com\","
             "\"os_version\":\"10.0.20348\",\"mac_addresses\":[]}",
             m->name);
    return put(out, json);
}

static int32_t products_json(void *user, volact_sink *out, volact_target_error *err) {
    machine *m = user;
    (void)err;
    char json[1024];
    snprintf(json, sizeof json,
             "[{\"activation_id\":\"%s\",\"application_id\":"
             "\"55c92734-d682-4d71-983e-d6ec3f16059f\",\"name\":\"Windows(R), %s edition\","
             "\"family\":\"%s\",\"edition_id\":\"%s\",\"channel\":\"%s\","
             "\"license_status\":%d,\"grace_remaining\":43200,\"installation_id\":null,"
             "\"product_key_id\":null,\"partial_product_key\":null}]",
             m->sku, m->edition, m->family, m->edition, m->channel, m->status);
    return put(out, json);
}

/* slmgr /ipk: the key's only way out of volact. The fake keeps it as shown: a published GVLK
 * (Microsoft's own, public) in full, any other key masked. */
static int32_t install_product_key(void *user, const char *key, size_t key_len,
                                   volact_target_error *err) {
    machine *m = user;
    volact_product_key *parsed = NULL;
    if (volact_product_key_parse((const uint8_t *)key, key_len, &parsed) != VOLACT_RESULT_OK) {
        err->kind = VOLACT_TARGET_ERROR_LICENSING;
        err->code = 0xC004F050u;
        snprintf(err->detail, sizeof err->detail, "invalid product key");
        return 1;
    }
    char channel[32];
    int gvlk = volact_product_key_channel(parsed, channel, sizeof channel, NULL) ==
                   VOLACT_RESULT_OK &&
               strcmp(channel, "Volume:GVLK") == 0;
    if (gvlk) {
        snprintf(m->key_shown, sizeof m->key_shown, "%.*s", (int)key_len, key);
    } else {
        volact_product_key_masked(parsed, m->key_shown, sizeof m->key_shown, NULL);
    }
    volact_product_key_free(parsed);
    /* A KMS host key makes the host a KMS host; a GVLK makes the machine a KMS client. */
    snprintf(m->channel, sizeof m->channel, gvlk ? "Volume:GVLK" : "Volume:CSVLK");
    note(m, "/ipk %.*s", m->key_shown, strlen(m->key_shown));
    return 0;
}

static int32_t activate(void *user, const char *sku, size_t sku_len, volact_target_error *err) {
    machine *m = user;
    if (sku_len != strlen(m->sku) || memcmp(sku, m->sku, sku_len) != 0) {
        err->kind = VOLACT_TARGET_ERROR_NO_SUCH_PRODUCT;
        snprintf(err->detail, sizeof err->detail, "no product %.*s", (int)sku_len, sku);
        return 1;
    }
    note(m, "/ato", NULL, 0);
    m->status = 1;
    return 0;
}

static int32_t set_kms_host(void *user, const char *host, size_t len, volact_target_error *err) {
    machine *m = user;
    (void)err;
    note(m, host != NULL ? "/skms %.*s" : "/ckms", host, len);
    snprintf(m->kms_host, sizeof m->kms_host, "%.*s", host != NULL ? (int)len : 28,
             host != NULL ? host : "cleared (DNS auto-discovery)");
    return 0;
}

static int32_t set_kms_lookup_domain(void *user, const char *domain, size_t len,
                                     volact_target_error *err) {
    machine *m = user;
    (void)err;
    note(m, domain != NULL ? "/skms-domain %.*s" : "/ckms-domain", domain, len);
    snprintf(m->lookup_domain, sizeof m->lookup_domain, "%.*s", domain != NULL ? (int)len : 7,
             domain != NULL ? domain : "cleared");
    return 0;
}

static int32_t set_host_caching(void *user, bool enabled, volact_target_error *err) {
    machine *m = user;
    (void)err;
    m->host_caching = enabled ? 1 : 0;
    note(m, enabled ? "/skhc" : "/ckhc", NULL, 0);
    return 0;
}

/* Nothing is set on these fresh machines. */
static int32_t read_value(void *user, const char *name, size_t len, volact_sink *out,
                          volact_target_error *err) {
    (void)user;
    (void)name;
    (void)len;
    (void)out;
    (void)err;
    return 0;
}

/* A licensing registry value, its data as JSON: {"MultiString":[...]}, {"String":"..."}. */
static int32_t write_value(void *user, const char *name, size_t len, const char *data,
                           size_t data_len, volact_target_error *err) {
    machine *m = user;
    note(m, "reg %.*s", name, len);
    char json[1024];
    snprintf(json, sizeof json, "%.*s", data != NULL ? (int)data_len : 0, data != NULL ? data : "");
    if (len == strlen("DnsDomainPublishList") && memcmp(name, "DnsDomainPublishList", len) == 0) {
        if (!json_strings(json, NULL, "MultiString", " | ", m->publish_list,
                          sizeof m->publish_list)) {
            goto bad;
        }
    } else if (len == strlen("AlternateURL") && memcmp(name, "AlternateURL", len) == 0) {
        if (!json_field(json, NULL, "String", m->alternate_url, sizeof m->alternate_url)) {
            goto bad;
        }
    }
    return 0;
bad:
    err->kind = VOLACT_TARGET_ERROR_OTHER;
    snprintf(err->detail, sizeof err->detail, "unexpected data for %.*s", (int)len, name);
    return 1;
}

static void fake_init(machine *m, volact_target_vtable *t, const char *name, const char *family,
                      const char *edition, const char *sku) {
    memset(m, 0, sizeof *m);
    m->name = name;
    m->family = family;
    m->edition = edition;
    m->sku = sku;
    snprintf(m->channel, sizeof m->channel, "Retail");
    m->status = 2;
    m->host_caching = -1;
    memset(t, 0, sizeof *t);
    t->user = m;
    t->machine_json = machine_json;
    t->products_json = products_json;
    t->install_product_key = install_product_key;
    t->activate = activate;
    t->set_kms_host = set_kms_host;
    t->set_kms_lookup_domain = set_kms_lookup_domain;
    t->set_host_caching = set_host_caching;
    t->read_value = read_value;
    t->write_value = write_value;
}

/* --- the workflow ------------------------------------------------------------------------ */

/* Buffers for the JSON: plenty for four machines. A call that is short of room returns
 * VOLACT_RESULT_BUFFER_TOO_SMALL with the size needed (size first with (NULL, 0, &n), then a
 * buffer of n + 1 bytes, as kms_plan.c does); a run's output can be read again with
 * volact_workflow_last_output, since the targets are called once per call. */
static char survey[1 << 16], plan[1 << 18], run[1 << 18], next[1 << 18];

/* Runs the saved run's pending actions; `run` becomes the updated run (save it: it is the
 * run's state). 1 on success. */
static int execute(const volact_mak_store *store, const char *selector,
                   const volact_target_vtable *targets, size_t n) {
    if (volact_workflow_run_execute(TXT(run), store, TXT(selector), targets, n, next,
                                    sizeof next, NULL) != VOLACT_RESULT_OK) {
        fprintf(stderr, "run: %s\n", last_error());
        return 0;
    }
    memcpy(run, next, strlen(next) + 1);
    return 1;
}

static int ok(volact_result r, const char *what) {
    if (r != VOLACT_RESULT_OK) {
        fprintf(stderr, "%s: %s\n", what, last_error());
        return 0;
    }
    return 1;
}

/* A machine stops at its first failure, recorded in the run (state "failed"); the others go
 * on. Here every machine is expected to succeed: 1 when none failed. */
static int no_failure(void) {
    if (strstr(run, "\"state\": \"failed\"") != NULL) {
        fprintf(stderr, "run: a machine failed (see its state above)\n");
        return 0;
    }
    return 1;
}

static machine *by_name(machine *m, size_t n, const char *name) {
    for (size_t i = 0; i < n; i++) {
        if (strcmp(m[i].name, name) == 0) {
            return &m[i];
        }
    }
    return NULL;
}

/* A whole file as a malloc'd NUL-terminated text (NULL when it cannot be read). */
static char *read_file(const char *path) {
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        return NULL;
    }
    char *text = NULL;
    size_t len = 0;
    char chunk[4096];
    size_t got;
    while ((got = fread(chunk, 1, sizeof chunk, f)) > 0) {
        char *more = realloc(text, len + got + 1);
        if (more == NULL) {
            free(text);
            fclose(f);
            return NULL;
        }
        text = more;
        memcpy(text + len, chunk, got);
        len += got;
    }
    int failed = ferror(f);
    fclose(f);
    if (failed) {
        free(text);
        return NULL;
    }
    if (text == NULL) {
        text = calloc(1, 1);
    } else {
        text[len] = '\0';
    }
    return text;
}

/* `text` as a JSON string literal, malloc'd. */
static char *json_quote(const char *text) {
    char *s = malloc(6 * strlen(text) + 3);
    if (s == NULL) {
        return NULL;
    }
    char *p = s;
    *p++ = '"';
    for (const char *c = text; *c != '\0'; c++) {
        if (*c == '"' || *c == '\\') {
            *p++ = '\\';
            *p++ = *c;
        } else if ((unsigned char)*c < 0x20) {
            p += sprintf(p, "\\u%04x", (unsigned)(unsigned char)*c);
        } else {
            *p++ = *c;
        }
    }
    *p++ = '"';
    *p = '\0';
    return s;
}

/* Each machine of the run in the run's order (the plan's): its state (a skipped machine's rule
 * and reason from the plan), what it received, the steps left to do by hand. */
static void print_progress(const char *run_json, const char *plan_json, machine *m, size_t n) {
    const char *at = strstr(run_json, "\"progress\"");
    char name[128], state[32], rule[64], reason[512], item[1024];
    while (at != NULL && (at = strstr(at, "\"machine\": \"")) != NULL) {
        const char *end = NULL, *planned_end = NULL;
        if (!json_field(at, NULL, "machine", name, sizeof name) ||
            machine_in(run_json, "\"progress\"", name, &end) == NULL ||
            !json_field(at, end, "state", state, sizeof state)) {
            break;
        }
        machine *f = by_name(m, n, name);
        const char *planned = machine_in(plan_json, "\"machines\"", name, &planned_end);
        if (f == NULL || planned == NULL) {
            break;
        }
        printf("  %s: %s", name, state);
        if (json_field(planned, planned_end, "rule", rule, sizeof rule) &&
            json_field(planned, planned_end, "reason", reason, sizeof reason)) {
            printf(" (%s): %s", rule, reason);
        }
        if (f->status == 1) {
            printf(", LicenseStatus 1 (licensed)");
        }
        printf("\n");
        if (f->calls[0] == '\0') {
            printf("    nothing was called\n");
        } else {
            printf("    calls: %s\n", f->calls);
        }
        if (f->key_shown[0] != '\0') {
            printf("    product key:          %s (%s)\n", f->key_shown, f->channel);
        }
        if (f->publish_list[0] != '\0') {
            printf("    DnsDomainPublishList: %s\n", f->publish_list);
        }
        if (f->kms_host[0] != '\0') {
            printf("    KMS host:             %s, lookup domain %s\n", f->kms_host,
                   f->lookup_domain[0] != '\0' ? f->lookup_domain : "unchanged");
        }
        if (f->host_caching >= 0) {
            printf("    host caching:         %s\n", f->host_caching ? "on" : "off");
        }
        if (f->alternate_url[0] != '\0') {
            printf("    AlternateURL:         %s\n", f->alternate_url);
        }
        if (json_strings(at, end, "manual", "\n    by hand: ", item, sizeof item) &&
            item[0] != '\0') {
            printf("    by hand: %s\n", item);
        }
        at = end;
    }
}

/* Step 1: the KMS hosts of the topology, with the CSVLK from the store; 1 on success. */
static int deploy(const char *toml, volact_mak_store *store) {
    machine hosts[4];
    volact_target_vtable t[4];
    /* Surveyed in any order: the plan follows the topology (the seed's order). */
    const char *names[4] = {"kms-w2", "kms-e1", "kms-w1", "kms-e2"};
    for (int i = 0; i < 4; i++) {
        fake_init(&hosts[i], &t[i], names[i], "Windows Server 2022", "ServerDatacenter",
                  "0b1c4a5e-0000-4000-8000-000000000004");
    }
    char *topology = json_quote(toml);
    char *options = topology != NULL ? malloc(strlen(topology) + 256) : NULL;
    int done = 0;
    if (options == NULL) {
        fprintf(stderr, "out of memory\n");
        goto out;
    }
    sprintf(options,
            "{\"topology\":%s,\"group\":\"server2022\",\"serves\":[\"windows10\",\"windows11\"],"
            "\"security_groups\":{\"east.contoso.com\":\"KMS_E\",\"west.contoso.com\":\"KMS_W\"}}",
            topology);
    /* The selector names the CSVLK in the store by its last five characters. */
    if (!ok(volact_workflow_survey(t, 4, survey, sizeof survey, NULL), "survey") ||
        !ok(volact_workflow_plan(TXT("kms-deploy"), TXT(survey), store, TXT("6Q83G"), NULL,
                                 NULL, 0, true, TXT(options), plan, sizeof plan, NULL),
            "kms-deploy plan") ||
        !ok(volact_workflow_run_new(TXT(plan), run, sizeof run, NULL), "run")) {
        goto out;
    }
    char order[256] = "";
    for (const char *at = strstr(plan, "\"machine\": \""); at != NULL;
         at = strstr(at + 1, "\"machine\": \"")) {
        char name[64];
        json_field(at, NULL, "machine", name, sizeof name);
        size_t n = strlen(order);
        snprintf(order + n, sizeof order - n, "%s%s", n > 0 ? ", " : "", name);
    }
    printf("  plan: %s (the topology's order)\n", order);

    /* The first run activates the first host, which publishes the SRV records, and stops. */
    if (!execute(store, "6Q83G", t, 4)) {
        goto out;
    }
    char waiting[1024];
    if (!json_field(run, NULL, "waiting", waiting, sizeof waiting)) {
        fprintf(stderr, "run: expected the run to wait for the SRV record grants\n");
        goto out;
    }
    printf("  the run waits: %s\n", waiting);
    const char *progress = strstr(run, "\"progress\"");
    for (const char *at = progress != NULL ? strstr(progress, "\"machine\": \"") : NULL;
         at != NULL; at = strstr(at + 1, "\"machine\": \"")) {
        char name[64], state[32];
        const char *end = NULL;
        machine *h;
        if (json_field(at, NULL, "machine", name, sizeof name) &&
            machine_in(run, "\"progress\"", name, &end) != NULL &&
            json_field(at, end, "state", state, sizeof state) &&
            (h = by_name(hosts, 4, name)) != NULL) {
            printf("    %s: %s (%s)\n", name, state,
                   h->calls[0] != '\0' ? h->calls : "nothing done yet");
        }
    }

    /* The grants given (by hand, or by the organization's DNS tooling): run the saved run
     * again; it goes on with the pending hosts. */
    printf("  after the grants, the saved run again:\n");
    if (!execute(store, "6Q83G", t, 4)) {
        goto out;
    }
    if (json_field(run, NULL, "waiting", waiting, sizeof waiting)) {
        fprintf(stderr, "run: still waiting: %s\n", waiting);
        goto out;
    }
    print_progress(run, plan, hosts, 4);
    done = no_failure();
out:
    free(options);
    free(topology);
    return done;
}

/* Step 2: KMS clients with Table 6; 1 on success. */
static int configure(void) {
    machine clients[2];
    volact_target_vtable t[2];
    fake_init(&clients[0], &t[0], "PC-ENT01", "Windows 11", "Enterprise",
              "0b1c4a5e-0000-4000-8000-000000000003");
    fake_init(&clients[1], &t[1], "PC-HOME01", "Windows 11", "Core",
              "0b1c4a5e-0000-4000-8000-000000000002");
    /* No store: the plan carries each edition's published GVLK. A machine whose edition has
     * none is skipped before anything is installed (the rule and the reason are in the plan). */
    if (!ok(volact_workflow_survey(t, 2, survey, sizeof survey, NULL), "survey") ||
        !ok(volact_workflow_plan(TXT("kms-configure"), TXT(survey), NULL, NULL, 0, NULL, NULL,
                                 0, true, TXT(TABLE6), plan, sizeof plan, NULL),
            "kms-configure plan") ||
        !ok(volact_workflow_run_new(TXT(plan), run, sizeof run, NULL), "run") ||
        !execute(NULL, "", t, 2)) {
        return 0;
    }
    print_progress(run, plan, clients, 2);
    return no_failure();
}

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: kms_deploy TOPOLOGY.toml\n");
        return 2;
    }
    char *toml = read_file(argv[1]);
    if (toml == NULL) {
        fprintf(stderr, "kms_deploy: cannot read %s\n", argv[1]);
        return 2;
    }
    int status = 1;
    volact_mak_store *store = NULL;
    char entry[2048], masked[64], kind[16];
    if (volact_mak_store_new(&store) != VOLACT_RESULT_OK ||
        volact_mak_store_add(store, TXT(CSVLK), VOLACT_KEY_KIND_CSVLK, TXT("KMS host key"), 0,
                             NULL, entry, sizeof entry, NULL) != VOLACT_RESULT_OK) {
        fprintf(stderr, "MAK store: %s\n", last_error());
        goto done;
    }
    /* The store's entry holds the key masked: the only form of it this program prints. */
    json_field(entry, NULL, "key", masked, sizeof masked);
    json_field(entry, NULL, "kind", kind, sizeof kind);
    printf("CSVLK %s (%s), group server2022, serving windows10, windows11\n", masked, kind);

    printf("\nkms-deploy %s\n", argv[1]);
    if (!deploy(toml, store)) {
        goto done;
    }
    printf("\nkms-configure (Table 6: DNS auto-discovery, host caching off, AlternateURL "
           "%s)\n",
           HELP_URL);
    if (!configure()) {
        goto done;
    }
    status = 0;

done:
    volact_mak_store_free(store);
    free(toml);
    return status;
}
