/*
 * mak_proxy: MAK proxy activation of an isolated lab with libvolact's workflow calls, on
 * three fake machines implemented here as callback tables (volact_target_vtable) and a fake
 * Confirmation ID source (volact_cid_source_vtable). It walks the seed's steps 5 (install the
 * MAK, no activation), 6 (save the CIL), 9 (Confirmation IDs for the CIL's IIDs) and 12
 * (deposit them), printing what each step did.
 *
 *   mak_proxy [LAB.cil]
 *
 * With a path, step 6's CIL (with step 9's CIDs) is saved there. Exit status: 0 when every
 * call succeeded, 1 otherwise, 2 on a usage error. From the repository root:
 *
 *   cargo build --release -p volact-c
 *   gcc -std=c11 -Wall -Wextra -I bindings/c/include examples/c/mak_proxy.c \
 *       -L target/release -lvolact -Wl,-rpath,"$PWD/target/release" -o mak_proxy
 *   ./mak_proxy lab.cil
 *
 * `cargo test -p volact-c` runs it under valgrind and checks its output (test
 * `example_mak_proxy` in bindings/c/tests/c_programs.rs).
 *
 * In a real deployment the callbacks would call WMI (SoftwareLicensingService and
 * SoftwareLicensingProduct) on each machine, and the source would be the organization's own
 * way of getting CIDs from Microsoft (VAMT on an Internet-connected host, or the phone). The
 * fakes' IIDs and CIDs are fictitious digits with valid mod-7 check digits; they mean nothing
 * to Windows. volact never makes a CID.
 */

#include "volact.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TXT(s) (const uint8_t *)(s), strlen(s)

/* The MAK of this example: group 3892, serial 1 (a fictitious test key, declared a MAK). */
#define MAK "VKCF7-HV62C-944TY-YJ9NF-6Q83G"

static const char *last_error(void) {
    static char buf[1024];
    if (volact_last_error_message(buf, sizeof buf, NULL) != VOLACT_RESULT_OK) {
        buf[0] = '\0';
    }
    return buf;
}

/* --- fictitious IDs: digits from a seed, each group ending in its mod-7 check digit ------ */

static void make_id(char *buf, uint32_t seed, int groups, int group_len) {
    uint32_t x = seed * 2654435761u + 12345u;
    char *p = buf;
    for (int g = 0; g < groups; g++) {
        int sum = 0;
        for (int i = 0; i < group_len - 1; i++) {
            x = x * 1103515245u + 12345u;
            int d = (int)((x >> 16) % 10);
            sum += d * (i % 2 == 0 ? 1 : 2);
            *p++ = (char)('0' + d);
        }
        *p++ = (char)('0' + sum % 7);
        if (g + 1 < groups) {
            *p++ = '-';
        }
    }
    *p = 0;
}

static uint32_t digits_hash(const char *text, size_t len) {
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < len; i++) {
        if (text[i] >= '0' && text[i] <= '9') {
            h = (h ^ (uint8_t)text[i]) * 16777619u;
        }
    }
    return h;
}

/* --- the fake machines ------------------------------------------------------------------ */

typedef struct {
    const char *name;
    const char *edition; /* Windows 11 EditionID */
    const char *sku;     /* the Activation ID (made up) */
    char channel[16];
    int status; /* LicenseStatus: 5 Notification, 1 Licensed */
    uint32_t seed;
    char iid[80];
} machine;

static int32_t put(volact_sink *sink, const char *text) {
    return volact_sink_write(sink, (const uint8_t *)text, strlen(text)) == VOLACT_RESULT_OK ? 0
                                                                                            : -1;
}

static int32_t machine_json(void *user, volact_sink *out, volact_target_error *err) {
    machine *m = user;
    (void)err;
    char json[256];
    snprintf(json, sizeof json,
             "{\"name\":\"%s\",\"network_type\":\"Workgroup\",\"network_name\":\"ISOLATED\","
             "\"os_version\":\"10.0.22631\",\"mac_addresses\":[]}",
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
             "\"family\":\"Windows 11\",\"edition_id\":\"%s\",\"channel\":\"%s\","
             "\"license_status\":%d,\"grace_remaining\":0,\"installation_id\":\"%s\","
             "\"product_key_id\":null,\"partial_product_key\":null}]",
             m->sku, m->edition, m->edition, m->channel, m->status, m->iid);
    return put(out, json);
}

/* slmgr /ipk: the key's only way out of volact. The fake keeps nothing of it. */
static int32_t install_product_key(void *user, const char *key, size_t key_len,
                                   volact_target_error *err) {
    machine *m = user;
    (void)key;
    if (key_len != 29) {
        err->kind = VOLACT_TARGET_ERROR_LICENSING;
        err->code = 0xC004F050u;
        snprintf(err->detail, sizeof err->detail, "invalid product key");
        return 1;
    }
    snprintf(m->channel, sizeof m->channel, "Volume:MAK");
    m->seed += 1000; /* a new key gives a new IID */
    make_id(m->iid, m->seed, 9, 7);
    return 0;
}

/* slmgr /atp: accepted when it is the CID the source issued for this machine's IID. */
static int32_t deposit(void *user, const char *sku, size_t sku_len, const char *iid,
                       size_t iid_len, const char *cid, size_t cid_len,
                       volact_target_error *err) {
    machine *m = user;
    (void)sku;
    (void)sku_len;
    char expected[64];
    make_id(expected, digits_hash(iid, iid_len), 8, 6);
    if (digits_hash(iid, iid_len) != digits_hash(m->iid, strlen(m->iid)) ||
        digits_hash(cid, cid_len) != digits_hash(expected, strlen(expected))) {
        err->kind = VOLACT_TARGET_ERROR_LICENSING;
        err->code = 0xC004F04Du; /* the CID does not belong to the IID */
        snprintf(err->detail, sizeof err->detail, "offline activation failed");
        return 1;
    }
    m->status = 1;
    return 0;
}

/* --- the fake CID source ----------------------------------------------------------------- */

/* The Activation ID of the edition the MAK is for (the fakes' Professional; made up). */
#define MAK_SKU "0b1c4a5e-0000-4000-8000-000000000001"

/* Answers for the MAK's product only: nothing for anything else (here, the retail machine,
 * which step 5 skipped). A refusal would fill `refusal` and return non-zero. */
static int32_t confirmation_id(void *user, const char *iid, size_t iid_len, const char *pkid,
                               size_t pkid_len, const char *sku, size_t sku_len,
                               volact_sink *out, volact_cid_refusal *refusal) {
    int *asked = user;
    (void)pkid;
    (void)pkid_len;
    (void)refusal;
    (*asked)++;
    if (sku_len != strlen(MAK_SKU) || memcmp(sku, MAK_SKU, sku_len) != 0) {
        return 0;
    }
    char cid[64];
    make_id(cid, digits_hash(iid, iid_len), 8, 6);
    return put(out, cid);
}

/* --- output helpers ---------------------------------------------------------------------- */

/* Buffers for the JSON and texts: plenty for three machines. A call that is short of room
 * returns VOLACT_RESULT_BUFFER_TOO_SMALL with the size needed (see volact_workflow_proxy_steps
 * below for the size-then-allocate pattern). */
static char survey[1 << 16], plan[1 << 16], text[1 << 16], run[1 << 16];

static int ok(volact_result r, const char *what) {
    if (r != VOLACT_RESULT_OK) {
        fprintf(stderr, "%s: %s\n", what, last_error());
        return 0;
    }
    return 1;
}

/* The seed's title of a proxy step, from volact_workflow_proxy_steps' JSON. */
static void print_step(const char *steps, int number) {
    char key[32];
    snprintf(key, sizeof key, "\"number\": %d,", number);
    const char *at = strstr(steps, key);
    const char *title = at != NULL ? strstr(at, "\"title\": \"") : NULL;
    if (title == NULL) {
        printf("\nstep %d\n", number);
        return;
    }
    title += strlen("\"title\": \"");
    const char *end = strchr(title, '"');
    printf("\nstep %d: %.*s\n", number, (int)(end != NULL ? end - title : 0), title);
}

/* How many times `needle` occurs in `text`. */
static int count(const char *text, const char *needle) {
    int n = 0;
    for (const char *at = strstr(text, needle); at != NULL; at = strstr(at + 1, needle)) {
        n++;
    }
    return n;
}

/* Prints the lines of a text, indented, skipping the ones that start with `skip`. */
static void print_lines(const char *text, const char *skip) {
    while (*text != '\0') {
        const char *end = strchr(text, '\n');
        size_t n = end != NULL ? (size_t)(end - text) : strlen(text);
        if (n > 0 && strncmp(text, skip, strlen(skip)) != 0) {
            printf("    %.*s\n", (int)n, text);
        }
        text += n + (end != NULL);
    }
}

/* Survey the targets, plan `kind`, show the plan rendered, run it; 1 on success. */
static int plan_and_run(const volact_target_vtable *targets, size_t n, const char *kind,
                        volact_mak_store *store, const char *selector,
                        const volact_cil_document *cil) {
    /* The survey and the run call the targets once per call: OK means they ran. */
    if (!ok(volact_workflow_survey(targets, n, survey, sizeof survey, NULL), "survey") ||
        !ok(volact_workflow_plan(TXT(kind), TXT(survey), store, TXT(selector), cil, NULL, 0,
                                 true, NULL, 0, plan, sizeof plan, NULL),
            "plan") ||
        !ok(volact_workflow_render(TXT(plan), TXT("slmgr"), text, sizeof text, NULL), "render")) {
        return 0;
    }
    /* What an administrator reviews, or runs through their own agent: never the key. */
    printf("  the plan, as slmgr.vbs lines:\n");
    print_lines(text, "@echo off");
    return ok(volact_workflow_run_new(TXT(plan), run, sizeof run, NULL), "run") &&
           ok(volact_workflow_run_execute(TXT(run), store, TXT(selector), targets, n, run,
                                          sizeof run, NULL),
              "run");
}

int main(int argc, char **argv) {
    if (argc > 2) {
        fprintf(stderr, "usage: mak_proxy [LAB.cil]\n");
        return 2;
    }
    machine lab[3] = {
        {"LAB-PC01", "Professional", MAK_SKU, "Retail", 5, 1, ""},
        {"LAB-PC02", "Professional", MAK_SKU, "Retail", 5, 2, ""},
        {"LAB-HOME", "Core", "0b1c4a5e-0000-4000-8000-000000000002", "Retail", 5, 3, ""},
    };
    volact_target_vtable targets[3];
    for (int i = 0; i < 3; i++) {
        make_id(lab[i].iid, lab[i].seed, 9, 7);
        /* Only what these steps use; volact reports a missing callback as a target error. */
        memset(&targets[i], 0, sizeof targets[i]);
        targets[i].user = &lab[i];
        targets[i].machine_json = machine_json;
        targets[i].products_json = products_json;
        targets[i].install_product_key = install_product_key;
        targets[i].deposit_confirmation_id = deposit;
    }

    int status = 1;
    volact_mak_store *store = NULL;
    volact_cil_document *cil = NULL;
    char *steps = NULL;
    if (volact_mak_store_new(&store) != VOLACT_RESULT_OK ||
        volact_mak_store_add(store, TXT(MAK), VOLACT_KEY_KIND_MAK, TXT("Isolated lab MAK"), 0,
                             NULL, NULL, 0, NULL) != VOLACT_RESULT_OK) {
        fprintf(stderr, "MAK store: %s\n", last_error());
        goto done;
    }
    /* The seed's 13 steps as JSON: size first, then a buffer of that size plus the NUL. */
    size_t n = 0;
    if (volact_workflow_proxy_steps(NULL, 0, &n) != VOLACT_RESULT_BUFFER_TOO_SMALL ||
        (steps = malloc(n + 1)) == NULL ||
        !ok(volact_workflow_proxy_steps(steps, n + 1, NULL), "proxy steps")) {
        goto done;
    }

    /* Step 5: install the MAK (overwrite), no activation; retail editions are skipped. */
    print_step(steps, 5);
    if (!plan_and_run(targets, 3, "proxy-install", store, "6Q83G", NULL)) {
        goto done;
    }
    for (int i = 0; i < 3; i++) {
        printf("  %s: %s, IID %s\n", lab[i].name, lab[i].channel, lab[i].iid);
    }

    /* Step 6: the full CIL of the lab, IIDs after the key. */
    print_step(steps, 6);
    if (volact_workflow_survey(targets, 3, survey, sizeof survey, NULL) != VOLACT_RESULT_OK ||
        volact_workflow_collect_cil(TXT(survey), TXT("Isolated Lab Group"), &cil, NULL, 0,
                                    NULL) != VOLACT_RESULT_OK) {
        fprintf(stderr, "collect: %s\n", last_error());
        goto done;
    }
    volact_cil_summary s;
    volact_cil_summarize(cil, &s);
    printf("  %zu computers, %zu Installation IDs\n", s.computers, s.with_installation_id);

    /* Step 9 (on the Internet-connected host): CIDs for the CIL's IIDs, from the source. */
    print_step(steps, 9);
    int asked = 0;
    volact_cid_source_vtable source = {.user = &asked, .confirmation_id = confirmation_id};
    /* The CIL changes and the source is asked once per call: the report is kept on the
     * document (volact_cil_last_report), so a short buffer never means asking again. */
    if (!ok(volact_workflow_acquire(cil, &source, text, sizeof text, NULL), "acquire")) {
        goto done;
    }
    printf("  the source was asked %d times: %d CIDs written, %d not available\n", asked,
           count(text, "\"outcome\":\"written\""), count(text, "\"outcome\":\"not_available\""));
    if (argc == 2) {
        if (volact_cil_save(cil, TXT(argv[1])) != VOLACT_RESULT_OK) {
            fprintf(stderr, "save: %s\n", last_error());
            goto done;
        }
        printf("  saved %s\n", argv[1]);
    }

    /* Step 12 (back in the lab): deposit the CIDs; each machine's IID must still match. */
    print_step(steps, 12);
    if (!plan_and_run(targets, 3, "proxy-apply", NULL, "", cil)) {
        goto done;
    }
    for (int i = 0; i < 3; i++) {
        printf("  %s: LicenseStatus %d (%s)\n", lab[i].name, lab[i].status,
               lab[i].status == 1 ? "licensed" : "not activated");
    }
    status = 0;

done:
    free(steps);
    volact_cil_free(cil);
    volact_mak_store_free(store);
    return status;
}
