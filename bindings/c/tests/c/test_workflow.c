/*
 * C tests of the workflow calls of libvolact (volact_workflow_*, volact_sink_write) through
 * include/volact.h, with the machines and the CID source implemented here as callback tables:
 * survey JSON, plans that skip a retail edition, renderings without the key, runs that call
 * the right callbacks with the right Activation IDs (the key reaching install_product_key
 * only), failures recorded against their machine and resumed, callbacks that answer garbage,
 * MAK proxy activation (install, full CIL, CIDs from a source, deposit), the KMS plans with
 * their options (kms-configure with the seed's Table 6 run through the KMS and registry
 * callbacks, kms-deploy of the seed's global topology with a CSVLK and a refused CSVLK group,
 * convert-to-mak), and the result codes of NULL and invalid arguments.
 *
 *   test_workflow examples/kms/contoso-global.toml
 *
 * Built and run by bindings/c/tests/c_programs.rs against libvolact.so (also under valgrind)
 * and libvolact.a, with the topology file as the argument. The last line printed is `N passed, N failed`; the exit status is 1 on
 * any failure.
 *
 * The machines are fakes. Their IIDs and CIDs are fictitious: digits from a fixed generator
 * whose check digits are computed here with the published mod-7 rule, so volact accepts them
 * as well-formed; they mean nothing to Windows. The Activation IDs are made up too.
 */

#define _POSIX_C_SOURCE 200809L
#include "volact.h"

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_result.h"

/* Group 3892, serial 1: declared a MAK in the store (no catalog knows it here). */
#define KEY "VKCF7-HV62C-944TY-YJ9NF-6Q83G"
#define WINDOWS_APP "55c92734-d682-4d71-983e-d6ec3f16059f"
#define SKU_PRO "0b1c4a5e-0000-4000-8000-000000000001"
#define SKU_CORE "0b1c4a5e-0000-4000-8000-000000000002"
/* 0xC004C003, the HRESULT the failing machine's activation returns. */
#define BLOCKED 0xC004C003u
/* The code the fake CID source refuses with (VAMT shows 0x7F: MAK limit exceeded). */
#define LIMIT 0x7Fu

static char out[1 << 17];

/* --- fictitious IDs ---------------------------------------------------------------------- */

/* `groups` groups of `group_len` digits from a seed; each group's last digit is the mod-7
 * check digit of the others (weights 1, 2, 1, 2, ...). */
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

/* A hash of the digits of a text (so IIDs compare whatever their grouping). */
static uint32_t digits_hash(const char *text, size_t len) {
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < len; i++) {
        if (text[i] >= '0' && text[i] <= '9') {
            h = (h ^ (uint8_t)text[i]) * 16777619u;
        }
    }
    return h;
}

/* The fake source's CID for an IID: 8 groups of 6, from the IID's digits. */
static void cid_for(char *buf, const char *iid, size_t len) {
    make_id(buf, digits_hash(iid, len), 8, 6);
}

/* --- the fake machines ------------------------------------------------------------------- */

typedef struct {
    const char *name;
    const char *family;
    const char *edition;
    const char *activation_id;
    int mac;
    int unreachable;
    int fail_activate;
    char channel[16];
    char partial[6];
    int status;
    uint32_t iid_seed;
    char iid[80];
    char calls[1024];  /* what was done, "ipk;ato ID;" */
    char key_seen[64]; /* the last key install_product_key got */
    char cid_seen[80];
    char value_seen[256]; /* the last write_value: "name=data" */
} fake;

/* Every text volact passed to any callback except install_product_key's key. */
static char seen_args[1 << 15];

static void note(fake *f, const char *call, const char *arg, size_t len) {
    size_t n = strlen(f->calls);
    snprintf(f->calls + n, sizeof f->calls - n, "%s%s%.*s;", call, arg ? " " : "",
             arg ? (int)len : 0, arg ? arg : "");
    n = strlen(seen_args);
    snprintf(seen_args + n, sizeof seen_args - n, "%.*s|", arg ? (int)len : 0, arg ? arg : "");
}

static void fake_init(fake *f, const char *name, const char *edition, const char *sku, int mac) {
    memset(f, 0, sizeof *f);
    f->name = name;
    f->family = "Windows 11";
    f->edition = edition;
    f->activation_id = sku;
    f->mac = mac;
    snprintf(f->channel, sizeof f->channel, "Retail");
    snprintf(f->partial, sizeof f->partial, "3V66T");
    f->status = 5; /* Notification */
    f->iid_seed = (uint32_t)mac;
    make_id(f->iid, f->iid_seed, 9, 7);
}

static int32_t put(volact_sink *sink, const char *text) {
    return volact_sink_write(sink, (const uint8_t *)text, strlen(text)) == VOLACT_RESULT_OK ? 0
                                                                                            : -1;
}

static int32_t fail_with(volact_target_error *err, uint32_t kind, uint32_t code,
                         const char *detail) {
    err->kind = kind;
    err->code = code;
    snprintf(err->detail, sizeof err->detail, "%s", detail);
    return 1;
}

static int same(const char *a, size_t a_len, const char *b) {
    return a_len == strlen(b) && memcmp(a, b, a_len) == 0;
}

static int32_t machine_json(void *user, volact_sink *sink, volact_target_error *err) {
    fake *f = user;
    if (f->unreachable) {
        return fail_with(err, VOLACT_TARGET_ERROR_UNREACHABLE, 0, "RPC server unavailable");
    }
    char json[512];
    snprintf(json, sizeof json,
             "{\"name\":\"%s\",\"network_type\":\"Workgroup\",\"network_name\":\"LAB\","
             "\"os_version\":\"10.0.22631\",\"mac_addresses\":[\"00-15-5D-00-00-%02X\"]}",
             f->name, f->mac);
    return put(sink, json);
}

static int32_t products_json(void *user, volact_sink *sink, volact_target_error *err) {
    fake *f = user;
    if (f->unreachable) {
        return fail_with(err, VOLACT_TARGET_ERROR_UNREACHABLE, 0, "RPC server unavailable");
    }
    char json[1024];
    snprintf(json, sizeof json,
             "[{\"activation_id\":\"%s\",\"application_id\":\"" WINDOWS_APP "\","
             "\"name\":\"Windows(R), %s edition\",\"family\":\"%s\","
             "\"edition_id\":\"%s\",\"channel\":\"%s\",\"license_status\":%d,"
             "\"grace_remaining\":0,\"installation_id\":\"%s\",\"product_key_id\":null,"
             "\"partial_product_key\":\"%s\"}]",
             f->activation_id, f->edition, f->family, f->edition, f->channel, f->status, f->iid,
             f->partial);
    return put(sink, json);
}

static int32_t install_product_key(void *user, const char *key, size_t len,
                                   volact_target_error *err) {
    fake *f = user;
    (void)err;
    note(f, "ipk", NULL, 0);
    snprintf(f->key_seen, sizeof f->key_seen, "%.*s", (int)len, key);
    CHECK_EQ(key[len], 0); /* also a C string */
    snprintf(f->channel, sizeof f->channel, "Volume:MAK");
    snprintf(f->partial, sizeof f->partial, "%s", len >= 5 ? key + len - 5 : "");
    f->iid_seed += 100; /* a new key, a new IID */
    make_id(f->iid, f->iid_seed, 9, 7);
    return 0;
}

static int32_t activate(void *user, const char *id, size_t len, volact_target_error *err) {
    fake *f = user;
    note(f, "ato", id, len);
    if (!same(id, len, f->activation_id)) {
        return fail_with(err, VOLACT_TARGET_ERROR_NO_SUCH_PRODUCT, 0, id);
    }
    if (f->fail_activate) {
        return fail_with(err, VOLACT_TARGET_ERROR_LICENSING, BLOCKED,
                         "the activation server refused the key");
    }
    f->status = 1;
    return 0;
}

static int32_t deposit(void *user, const char *id, size_t id_len, const char *iid,
                       size_t iid_len, const char *cid, size_t cid_len, volact_target_error *err) {
    fake *f = user;
    note(f, "atp", id, id_len);
    char expected[80];
    cid_for(expected, iid, iid_len);
    if (!same(id, id_len, f->activation_id)) {
        return fail_with(err, VOLACT_TARGET_ERROR_NO_SUCH_PRODUCT, 0, id);
    }
    if (digits_hash(iid, iid_len) != digits_hash(f->iid, strlen(f->iid)) ||
        digits_hash(cid, cid_len) != digits_hash(expected, strlen(expected))) {
        return fail_with(err, VOLACT_TARGET_ERROR_LICENSING, 0xC004F04Du, "CID does not fit");
    }
    snprintf(f->cid_seen, sizeof f->cid_seen, "%.*s", (int)cid_len, cid);
    f->status = 1;
    return 0;
}

static int32_t set_kms_host(void *user, const char *host, size_t len, volact_target_error *err) {
    (void)err;
    note(user, host ? "skms" : "ckms", host, len);
    return 0;
}

static int32_t set_kms_lookup_domain(void *user, const char *domain, size_t len,
                                     volact_target_error *err) {
    (void)err;
    note(user, domain ? "skms-domain" : "ckms-domain", domain, len);
    return 0;
}

static int32_t set_host_caching(void *user, bool enabled, volact_target_error *err) {
    (void)err;
    note(user, enabled ? "skhc" : "ckhc", NULL, 0);
    return 0;
}

static int32_t read_value(void *user, const char *name, size_t len, volact_sink *sink,
                          volact_target_error *err) {
    (void)err;
    (void)sink; /* nothing is set */
    note(user, "read", name, len);
    return 0;
}

static int32_t write_value(void *user, const char *name, size_t len, const char *data,
                           size_t data_len, volact_target_error *err) {
    fake *f = user;
    (void)err;
    note(f, "write", name, len);
    snprintf(f->value_seen, sizeof f->value_seen, "%.*s=%.*s", (int)len, name,
             data ? (int)data_len : 6, data ? data : "(NULL)");
    return 0;
}

static volact_target_vtable table_of(fake *f) {
    volact_target_vtable t = {
        .user = f,
        .machine_json = machine_json,
        .products_json = products_json,
        .install_product_key = install_product_key,
        .activate = activate,
        .deposit_confirmation_id = deposit,
        .set_kms_host = set_kms_host,
        .set_kms_lookup_domain = set_kms_lookup_domain,
        .set_host_caching = set_host_caching,
        .read_value = read_value,
        .write_value = write_value,
    };
    return t;
}

/* The lab: two Professional machines, a retail Home (Core) machine, one that is offline. */
#define N_LAB 4
static fake lab[N_LAB];
static volact_target_vtable tables[N_LAB];

static void lab_init(void) {
    fake_init(&lab[0], "LAB-PC01", "Professional", SKU_PRO, 1);
    fake_init(&lab[1], "LAB-PC02", "Professional", SKU_PRO, 2);
    fake_init(&lab[2], "LAB-HOME", "Core", SKU_CORE, 3);
    fake_init(&lab[3], "LAB-DOWN", "Professional", SKU_PRO, 4);
    lab[3].unreachable = 1;
    for (int i = 0; i < N_LAB; i++) {
        tables[i] = table_of(&lab[i]);
    }
    seen_args[0] = 0;
}

/* The key never shows, in clear or by its first groups. */
static void check_no_key(const char *text) {
    CHECK_LACKS(text, KEY);
    CHECK_LACKS(text, "VKCF7");
    CHECK_LACKS(text, "HV62C");
    CHECK_LACKS(text, "YJ9NF");
}

/* The helpers below return malloc'd copies of the texts (free them). */
static char *survey_text(void) {
    size_t n = 0;
    CHECK_RESULT(volact_workflow_survey(tables, N_LAB, out, sizeof out, &n), VOLACT_RESULT_OK);
    CHECK_EQ(n, strlen(out));
    return strdup(out);
}

static char *plan_text(const char *kind, const char *survey, const volact_mak_store *store,
                       const char *selector, const volact_cil_document *cil) {
    size_t n = 0;
    CHECK_RESULT(volact_workflow_plan(TXT(kind), TXT(survey), store, TXT(selector), cil, NULL,
                                      0, true, NULL, 0, NULL, 0, &n),
                 VOLACT_RESULT_BUFFER_TOO_SMALL);
    char *text = malloc(n + 1);
    CHECK_RESULT(volact_workflow_plan(TXT(kind), TXT(survey), store, TXT(selector), cil, NULL,
                                      0, true, NULL, 0, text, n + 1, NULL),
                 VOLACT_RESULT_OK);
    return text;
}

static char *run_new_text(const char *plan) {
    CHECK_RESULT(volact_workflow_run_new(TXT(plan), out, sizeof out, NULL), VOLACT_RESULT_OK);
    return strdup(out);
}

static char *execute(const char *run, const volact_mak_store *store, const char *selector) {
    size_t n = 0;
    CHECK_RESULT(volact_workflow_run_execute(TXT(run), store, TXT(selector), tables, N_LAB, out,
                                             sizeof out, &n),
                 VOLACT_RESULT_OK);
    CHECK_EQ(n, strlen(out));
    return strdup(out);
}

/* --- the tests --------------------------------------------------------------------------- */

static void test_survey(void) {
    lab_init();
    char *survey = survey_text();
    CHECK_HAS(survey, "\"name\": \"LAB-PC01\"");
    CHECK_HAS(survey, "\"network_type\": \"Workgroup\"");
    CHECK_HAS(survey, "\"edition_id\": \"Core\"");
    CHECK_HAS(survey, "\"channel\": \"Retail\"");
    CHECK_HAS(survey, lab[1].iid);
    CHECK_HAS(survey, "\"error\": {\n      \"kind\": \"unreachable\",\n"
                      "      \"detail\": \"RPC server unavailable\"");
    CHECK_STR(lab[0].calls, ""); /* a survey only reads */

    /* A short buffer: the survey still ran (OK), the buffer gets "", the size is given, and
     * the JSON is kept for volact_workflow_last_output. */
    char tiny[8] = "stale";
    size_t n = 0;
    CHECK_RESULT(volact_workflow_survey(tables, N_LAB, tiny, sizeof tiny, &n), VOLACT_RESULT_OK);
    CHECK_STR(tiny, "");
    CHECK_EQ(n, strlen(survey));
    CHECK_RESULT(volact_workflow_last_output(NULL, 0, &n), VOLACT_RESULT_BUFFER_TOO_SMALL);
    CHECK_EQ(n, strlen(survey));
    CHECK_RESULT(volact_workflow_last_output(out, sizeof out, NULL), VOLACT_RESULT_OK);
    CHECK_STR(out, survey);
    /* (NULL, 0, NULL): survey, no output wanted. No targets: an empty survey. */
    CHECK_RESULT(volact_workflow_survey(tables, N_LAB, NULL, 0, NULL), VOLACT_RESULT_OK);
    CHECK_RESULT(volact_workflow_survey(NULL, 0, out, sizeof out, NULL), VOLACT_RESULT_OK);
    CHECK_STR(out, "[]");

    /* The collection script writes every field name this survey holds. */
    size_t script_n = 0;
    CHECK_RESULT(volact_workflow_collect_script(NULL, 0, &script_n),
                 VOLACT_RESULT_BUFFER_TOO_SMALL);
    char *script = malloc(script_n + 1);
    CHECK_RESULT(volact_workflow_collect_script(script, script_n + 1, NULL), VOLACT_RESULT_OK);
    CHECK_EQ(strlen(script), script_n);
    const char *fields[] = {"name", "network_type", "network_name", "os_version",
                            "mac_addresses", "activation_id", "application_id", "family",
                            "edition_id", "channel", "license_status", "grace_remaining",
                            "installation_id", "product_key_id", "partial_product_key"};
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
        char quoted[64];
        snprintf(quoted, sizeof quoted, "\"%s\"", fields[i]);
        CHECK_HAS(survey, quoted); /* the survey has it ... */
        CHECK_HAS(script, fields[i]); /* ... and the script writes it */
    }
    CHECK_HAS(script, "SoftwareLicensingProduct");
    free(script);
    free(survey);
}

static void test_plan_render_and_run(volact_mak_store *store) {
    lab_init();
    lab[1].fail_activate = 1;
    char *survey = survey_text();
    char *plan = plan_text("mak-independent", survey, store, "6Q83G", NULL);
    CHECK_HAS(plan, "\"kind\": \"mak-independent\"");
    CHECK_HAS(plan, "\"machine\": \"LAB-HOME\",\n      \"actions\": [],\n      \"skipped\": {\n"
                    "        \"rule\": \"mak-on-retail-edition\"");
    CHECK_HAS(plan, "Windows 11 Core is a retail edition");
    CHECK_HAS(plan, "\"rule\": \"status-unknown\"");
    CHECK_HAS(plan, "\"key_masked\": \"XXXXX-XXXXX-XXXXX-XXXXX-6Q83G\"");
    check_no_key(plan);

    /* Renderings name the key by a variable, never hold it. */
    CHECK_RESULT(volact_workflow_render(TXT(plan), TXT("slmgr"), out, sizeof out, NULL),
                 VOLACT_RESULT_OK);
    CHECK_HAS(out, "%SLMGR% LAB-PC01 /ipk %VOLACT_KEY%");
    CHECK_HAS(out, "%SLMGR% LAB-PC01 /ato " SKU_PRO);
    CHECK_HAS(out, "rem LAB-HOME: skipped (mak-on-retail-edition)");
    check_no_key(out);
    CHECK_RESULT(volact_workflow_render(TXT(plan), TXT("powershell"), out, sizeof out, NULL),
                 VOLACT_RESULT_OK);
    CHECK_HAS(out, "ProductKey = $env:VOLACT_KEY");
    check_no_key(out);
    CHECK_RESULT(volact_workflow_render(TXT(plan), TXT("json"), out, sizeof out, NULL),
                 VOLACT_RESULT_OK);
    CHECK_STR(out, plan);

    /* The run: PC01 installs and activates; PC02's activation fails with the HRESULT; the
     * retail and offline machines are not touched. */
    char *run = run_new_text(plan);
    CHECK_HAS(run, "\"state\": \"pending\"");
    char *after = execute(run, store, "6Q83G");
    CHECK_STR(lab[0].calls, "ipk;ato " SKU_PRO ";");
    CHECK_STR(lab[1].calls, "ipk;ato " SKU_PRO ";");
    CHECK_STR(lab[2].calls, "");
    CHECK_STR(lab[3].calls, "");
    CHECK_STR(lab[0].key_seen, KEY);
    CHECK_STR(lab[1].key_seen, KEY);
    check_no_key(seen_args);
    check_no_key(after);
    char failure[256];
    snprintf(failure, sizeof failure,
             "\"state\": \"failed\",\n      \"action\": 1,\n      \"error\": {\n"
             "        \"kind\": \"licensing\",\n        \"code\": %u,\n"
             "        \"detail\": \"the activation server refused the key\"",
             BLOCKED);
    CHECK_HAS(after, failure);
    CHECK_HAS(after, "\"machine\": \"LAB-PC01\",\n      \"done\": 2,\n      \"state\": \"done\"");
    CHECK_HAS(after, "\"license_status\": 1");
    CHECK_RESULT(volact_workflow_last_output(out, sizeof out, NULL), VOLACT_RESULT_OK);
    CHECK_STR(out, after);

    /* Resumed from the saved state: only PC02's activation is retried. */
    lab[1].fail_activate = 0;
    char *resumed = execute(after, store, "6Q83G");
    CHECK_STR(lab[0].calls, "ipk;ato " SKU_PRO ";");
    CHECK_STR(lab[1].calls, "ipk;ato " SKU_PRO ";ato " SKU_PRO ";");
    CHECK_LACKS(resumed, "\"failed\"");

    /* Two online activations: they become the store's next count snapshot. */
    uint32_t used = 99;
    CHECK_RESULT(volact_workflow_online_activations(TXT(resumed), &used), VOLACT_RESULT_OK);
    CHECK_EQ(used, 2);
    CHECK_RESULT(volact_workflow_online_activations(TXT("{}"), &used),
                 VOLACT_RESULT_WORKFLOW_JSON);
    CHECK_EQ(used, 2);
    CHECK_RESULT(volact_workflow_online_activations(TXT(resumed), NULL),
                 VOLACT_RESULT_NULL_PARAMETER);
    uint32_t recorded = 9;
    CHECK_RESULT(volact_mak_store_record_activations(store, TXT("6Q83G"), used, 10, &recorded),
                 VOLACT_RESULT_OK);
    CHECK_EQ(recorded, 0); /* no count recorded yet: nothing to decrement */
    CHECK_RESULT(volact_mak_store_record_count(store, TXT("6Q83G"), 50, 20), VOLACT_RESULT_OK);
    CHECK_RESULT(volact_mak_store_record_activations(store, TXT("6Q83G"), used, 30, &recorded),
                 VOLACT_RESULT_OK);
    CHECK_EQ(recorded, 1);
    CHECK_RESULT(volact_mak_store_list(store, out, sizeof out, NULL), VOLACT_RESULT_OK);
    CHECK_HAS(out, "\"remaining\":48,\"remaining_taken_at\":\"1970-01-01T00:00:30Z\"");

    /* Without the key, the install fails on the machine, not the call. */
    lab_init();
    char *no_key = execute(run, NULL, "");
    CHECK_HAS(no_key, "the plan installs the key XXXXX-XXXXX-XXXXX-XXXXX-6Q83G; it was not given");
    CHECK_STR(lab[0].calls, "");
    free(no_key);
    free(resumed);
    free(after);
    free(run);
    free(plan);
    free(survey);
}

/* The fake CID source: a CID for the Professional SKU, except a refusal for one IID; nothing
 * for anything else. */
static const char *refused_iid;

static int32_t confirmation_id(void *user, const char *iid, size_t iid_len, const char *pkid,
                               size_t pkid_len, const char *sku, size_t sku_len,
                               volact_sink *sink, volact_cid_refusal *refusal) {
    int *asked = user;
    (*asked)++;
    (void)pkid;
    CHECK_EQ(pkid_len, 0); /* the fakes report no ePID */
    CHECK_EQ(iid[iid_len], 0);
    if (!same(sku, sku_len, SKU_PRO)) {
        return 0;
    }
    if (refused_iid != NULL && same(iid, iid_len, refused_iid)) {
        refusal->code = LIMIT;
        snprintf(refusal->detail, sizeof refusal->detail, "MAK activation limit exceeded");
        return 1;
    }
    char cid[80];
    cid_for(cid, iid, iid_len);
    return put(sink, cid);
}

static void test_proxy(volact_mak_store *store) {
    lab_init();
    /* Step 5: install, no activation; the IIDs after the key are read. */
    char *survey = survey_text();
    char *plan = plan_text("proxy-install", survey, store, "6Q83G", NULL);
    CHECK_HAS(plan, "\"action\": \"read_installation_id\"");
    CHECK_LACKS(plan, "\"action\": \"activate\"");
    char *run = run_new_text(plan);
    char *after = execute(run, store, "6Q83G");
    CHECK_STR(lab[0].calls, "ipk;");
    CHECK_STR(lab[2].calls, "");
    CHECK_HAS(after, lab[0].iid); /* the new IID */
    CHECK_EQ(lab[0].status, 5);   /* not activated */

    /* Step 6: the full CIL, the offline machine left out. */
    free(survey);
    survey = survey_text();
    volact_cil_document *cil = NULL;
    size_t n = 0;
    CHECK_RESULT(volact_workflow_collect_cil(TXT(survey), TXT("Isolated Lab Group"), &cil, NULL,
                                             0, &n),
                 VOLACT_RESULT_BUFFER_TOO_SMALL);
    CHECK(cil == NULL);
    char left[1024];
    CHECK_RESULT(volact_workflow_collect_cil(TXT(survey), TXT("Isolated Lab Group"), &cil, left,
                                             sizeof left, &n),
                 VOLACT_RESULT_OK);
    CHECK_HAS(left, "\"rule\":\"unreachable\"");
    CHECK_HAS(left, "#4: unreachable: RPC server unavailable");
    volact_cil_summary summary;
    CHECK_RESULT(volact_cil_summarize(cil, &summary), VOLACT_RESULT_OK);
    CHECK_EQ(summary.computers, 3);
    CHECK_EQ(summary.with_installation_id, 3);
    CHECK_EQ(summary.pending_cids, 0);

    /* Step 9: CIDs from the source; PC02's IID is refused, HOME's SKU has none. */
    refused_iid = lab[1].iid;
    int asked = 0;
    volact_cid_source_vtable source = {.user = &asked, .confirmation_id = confirmation_id};
    char report[4096];
    CHECK_RESULT(volact_workflow_acquire(cil, &source, report, sizeof report, &n),
                 VOLACT_RESULT_OK);
    CHECK_EQ(asked, 3);
    CHECK_HAS(report, "\"outcome\":\"written\"");
    char refused[128];
    snprintf(refused, sizeof refused,
             "\"outcome\":\"refused\",\"code\":%u,\"detail\":\"MAK activation limit exceeded\"",
             LIMIT);
    CHECK_HAS(report, refused);
    CHECK_HAS(report, "\"outcome\":\"not_available\"");
    CHECK_RESULT(volact_cil_summarize(cil, &summary), VOLACT_RESULT_OK);
    CHECK_EQ(summary.pending_cids, 1);
    CHECK_RESULT(volact_cil_last_report(cil, out, sizeof out, NULL), VOLACT_RESULT_OK);
    CHECK_STR(out, report);
    /* Again: PC01 already has its CID; the source is asked for the other two only. */
    asked = 0;
    CHECK_RESULT(volact_workflow_acquire(cil, &source, NULL, 0, NULL), VOLACT_RESULT_OK);
    CHECK_EQ(asked, 2);
    CHECK_RESULT(volact_cil_last_report(cil, out, sizeof out, NULL), VOLACT_RESULT_OK);
    CHECK_HAS(out, "\"outcome\":\"already_has_cid\"");

    /* Step 12: deposit on PC01 only, with its own IID and the CID the source issued. */
    char *apply = plan_text("proxy-apply", survey, NULL, "", cil);
    CHECK_HAS(apply, "\"action\": \"deposit_cid\"");
    CHECK_HAS(apply, "\"rule\": \"no-cid\"");
    char *apply_run = run_new_text(apply);
    char *applied = execute(apply_run, NULL, "");
    CHECK_STR(lab[0].calls, "ipk;atp " SKU_PRO ";");
    CHECK_STR(lab[1].calls, "ipk;");
    char cid[80];
    cid_for(cid, lab[0].iid, strlen(lab[0].iid));
    CHECK_STR(lab[0].cid_seen, cid);
    CHECK_EQ(lab[0].status, 1);
    CHECK_HAS(applied, "\"machine\": \"LAB-PC01\",\n      \"done\": 1,\n      \"state\": \"done\"");
    check_no_key(seen_args);

    volact_cil_free(cil);
    free(applied);
    free(apply_run);
    free(apply);
    free(after);
    free(run);
    free(plan);
    free(survey);
}

/* --- callbacks that misbehave ------------------------------------------------------------ */

static int32_t unknown_kind_no_nul(void *user, volact_sink *sink, volact_target_error *err) {
    (void)user;
    (void)sink;
    err->kind = 99;
    memset(err->detail, 'x', sizeof err->detail);
    return -7;
}

static int32_t not_utf8(void *user, volact_sink *sink, volact_target_error *err) {
    (void)user;
    (void)err;
    static const uint8_t bad[] = {'[', 0xC3, 0x28, ']'};
    return volact_sink_write(sink, bad, sizeof bad) == VOLACT_RESULT_OK ? 0 : 1;
}

static int32_t silent_failure(void *user, volact_sink *sink, volact_target_error *err) {
    (void)user;
    (void)sink;
    (void)err;
    return 1;
}

static int32_t not_json(void *user, volact_sink *sink, volact_target_error *err) {
    (void)user;
    (void)err;
    return put(sink, "{\"name\": 12");
}

static int32_t bad_detail(void *user, volact_sink *sink, volact_target_error *err) {
    (void)user;
    (void)sink;
    err->kind = VOLACT_TARGET_ERROR_ACCESS_DENIED;
    err->detail[0] = (char)0xFF;
    err->detail[1] = 0;
    return 1;
}

static void test_garbage(volact_mak_store *store) {
    lab_init();
    volact_target_vtable odd[6];
    for (int i = 0; i < 6; i++) {
        odd[i] = table_of(&lab[0]);
    }
    odd[0].machine_json = unknown_kind_no_nul;
    odd[1].products_json = not_utf8;
    odd[2].machine_json = silent_failure;
    odd[3].machine_json = not_json;
    odd[4].machine_json = bad_detail;
    memset(&odd[5], 0, sizeof odd[5]); /* no callbacks at all */
    CHECK_RESULT(volact_workflow_survey(odd, 6, out, sizeof out, NULL), VOLACT_RESULT_OK);
    char xs[300];
    memset(xs, 'x', 256);
    xs[256] = 0;
    char all_x[400];
    snprintf(all_x, sizeof all_x, "\"kind\": \"other\",\n      \"detail\": \"%s\"", xs);
    CHECK_HAS(out, all_x);
    CHECK_HAS(out, "the target's products_json answer is not UTF-8");
    CHECK_HAS(out, "the target's machine_json failed without a detail");
    CHECK_HAS(out, "the target's machine JSON is not valid");
    CHECK_HAS(out, "the target's machine_json failed with a detail that is not UTF-8");
    CHECK_HAS(out, "the target has no machine_json callback");

    /* A run on a table without install_product_key: that machine fails, the call does not. */
    lab_init();
    char *survey = survey_text();
    char *plan = plan_text("mak-independent", survey, store, "6Q83G", NULL);
    char *run = run_new_text(plan);
    tables[0].install_product_key = NULL;
    char *after = execute(run, store, "6Q83G");
    CHECK_HAS(after, "the target has no install_product_key callback");
    CHECK_STR(lab[0].calls, "");
    CHECK_STR(lab[1].calls, "ipk;ato " SKU_PRO ";");
    free(after);
    free(run);
    free(plan);
    free(survey);
}

static void test_errors(volact_mak_store *store) {
    lab_init();
    char *survey = survey_text();
    char *plan = plan_text("mak-independent", survey, store, "6Q83G", NULL);
    char *run = run_new_text(plan);
    size_t n = 12345;
    char keep[16] = "keep";

    /* NULL pointers. */
    CHECK_RESULT(volact_workflow_survey(NULL, 2, out, sizeof out, NULL),
                 VOLACT_RESULT_NULL_PARAMETER);
    CHECK_RESULT(volact_workflow_survey(tables, N_LAB, NULL, 5, NULL),
                 VOLACT_RESULT_NULL_PARAMETER);
    CHECK_RESULT(volact_sink_write(NULL, (const uint8_t *)"x", 1), VOLACT_RESULT_NULL_PARAMETER);
    CHECK_RESULT(volact_workflow_plan(NULL, 3, TXT(survey), NULL, NULL, 0, NULL, NULL, 0, true,
                                      NULL, 0, out, sizeof out, NULL),
                 VOLACT_RESULT_NULL_PARAMETER);
    CHECK_RESULT(volact_workflow_collect_cil(TXT(survey), TXT(""), NULL, NULL, 0, NULL),
                 VOLACT_RESULT_NULL_PARAMETER);
    volact_cid_source_vtable nothing = {NULL, NULL};
    CHECK_RESULT(volact_workflow_acquire(NULL, &nothing, NULL, 0, NULL),
                 VOLACT_RESULT_NULL_PARAMETER);
    CHECK_RESULT(volact_workflow_run_execute(TXT(run), store, TXT("6Q83G"), NULL, 3, keep,
                                             sizeof keep, &n),
                 VOLACT_RESULT_NULL_PARAMETER);
    CHECK_STR(keep, "keep");

    /* Invalid text and names. */
    static const uint8_t bad_utf8[] = {0xFF, 0xFE};
    CHECK_RESULT(volact_workflow_plan(bad_utf8, 2, TXT(survey), NULL, NULL, 0, NULL, NULL, 0,
                                      true, NULL, 0, out, sizeof out, NULL),
                 VOLACT_RESULT_INVALID_UTF8);
    CHECK_RESULT(volact_workflow_plan(TXT("kms-everything"), TXT(survey), NULL, NULL, 0, NULL,
                                      NULL, 0, true, NULL, 0, keep, sizeof keep, &n),
                 VOLACT_RESULT_WORKFLOW_INPUT);
    CHECK_HAS(last_error(), "unknown plan \"kms-everything\"");
    CHECK_STR(keep, "keep");
    CHECK_RESULT(volact_workflow_plan(TXT("mak-independent"), TXT(survey), NULL, NULL, 0, NULL,
                                      NULL, 0, true, NULL, 0, out, sizeof out, NULL),
                 VOLACT_RESULT_WORKFLOW_INPUT);
    CHECK_HAS(last_error(), "needs a key from the MAK store");
    CHECK_RESULT(volact_workflow_plan(TXT("proxy-apply"), TXT(survey), NULL, NULL, 0, NULL,
                                      NULL, 0, true, NULL, 0, out, sizeof out, NULL),
                 VOLACT_RESULT_WORKFLOW_INPUT);
    CHECK_RESULT(volact_workflow_plan(TXT("preflight"), TXT(survey), NULL, NULL, 0, NULL,
                                      TXT("kms1.lab.test:notaport"), true, NULL, 0, out,
                                      sizeof out, NULL),
                 VOLACT_RESULT_WORKFLOW_INPUT);
    CHECK_RESULT(volact_workflow_plan(TXT("preflight"), TXT("[{"), NULL, NULL, 0, NULL, NULL, 0,
                                      true, NULL, 0, out, sizeof out, NULL),
                 VOLACT_RESULT_WORKFLOW_JSON);
    CHECK_HAS(last_error(), "line 1");
    CHECK_RESULT(volact_workflow_plan(TXT("mak-independent"), TXT(survey), store, TXT("ZZZZZ"),
                                      NULL, NULL, 0, true, NULL, 0, out, sizeof out, NULL),
                 VOLACT_RESULT_NOT_FOUND);
    CHECK_RESULT(volact_workflow_render(TXT(plan), TXT("bash"), out, sizeof out, NULL),
                 VOLACT_RESULT_WORKFLOW_INPUT);
    CHECK_RESULT(volact_workflow_render(TXT("{}"), TXT("slmgr"), out, sizeof out, NULL),
                 VOLACT_RESULT_WORKFLOW_JSON);
    CHECK_RESULT(volact_workflow_run_new(TXT("not json"), out, sizeof out, NULL),
                 VOLACT_RESULT_WORKFLOW_JSON);
    CHECK_RESULT(volact_workflow_run_execute(TXT(plan), store, TXT("6Q83G"), tables, N_LAB,
                                             out, sizeof out, NULL),
                 VOLACT_RESULT_WORKFLOW_JSON);
    volact_cil_document *untouched = (volact_cil_document *)(uintptr_t)0x5a5a;
    CHECK_RESULT(volact_workflow_collect_cil(TXT("nope"), TXT(""), &untouched, NULL, 0, NULL),
                 VOLACT_RESULT_WORKFLOW_JSON);
    CHECK(untouched == (volact_cil_document *)(uintptr_t)0x5a5a);

    /* Fewer targets than machines: refused before any target is called. */
    CHECK_RESULT(volact_workflow_run_execute(TXT(run), store, TXT("6Q83G"), tables, 2, keep,
                                             sizeof keep, &n),
                 VOLACT_RESULT_WORKFLOW_INPUT);
    CHECK_HAS(last_error(), "is target #3, but 2 targets were given");
    CHECK_STR(lab[0].calls, "");
    CHECK_STR(keep, "keep");

    /* The buffer protocol of the pure calls: a size query, nothing written. */
    CHECK_RESULT(volact_workflow_proxy_steps(keep, sizeof keep, &n),
                 VOLACT_RESULT_BUFFER_TOO_SMALL);
    CHECK_STR(keep, "keep");
    char *steps = malloc(n + 1);
    CHECK_RESULT(volact_workflow_proxy_steps(steps, n + 1, NULL), VOLACT_RESULT_OK);
    CHECK_HAS(steps, "\"number\": 13");
    CHECK_HAS(steps, "Install the MAK on the Isolated Lab computers");
    free(steps);

    /* The result codes' descriptions. */
    CHECK_RESULT(volact_result_message(VOLACT_RESULT_WORKFLOW_INPUT, out, sizeof out, NULL),
                 VOLACT_RESULT_OK);
    CHECK_HAS(out, "workflow:");
    CHECK_RESULT(volact_result_message(VOLACT_RESULT_WORKFLOW_SINK_FULL, out, sizeof out, NULL),
                 VOLACT_RESULT_OK);
    CHECK_HAS(out, "sink");
    CHECK_EQ(VOLACT_RESULT_WORKFLOW_INPUT, 1200);
    CHECK_EQ(VOLACT_RESULT_WORKFLOW_JSON, 1201);
    CHECK_EQ(VOLACT_RESULT_WORKFLOW_CID_CSV, 1202);
    CHECK_EQ(VOLACT_RESULT_WORKFLOW_SINK_FULL, 1203);
    CHECK_EQ(VOLACT_RESULT_WORKFLOW_OTHER, 1299);

    free(run);
    free(plan);
    free(survey);
}

/* --- KMS: configure clients, deploy hosts, convert to MAK ------------------------------- */

#define GVLK_ENTERPRISE "NPPR9-FWDCX-D2C8J-H872K-2YT43"
#define SKU_ENT "0b1c4a5e-0000-4000-8000-000000000003"
#define SKU_DC "0b1c4a5e-0000-4000-8000-000000000004"
#define HELP_URL "http://contoso.com/help"
#define TABLE6 "{\"discovery\":\"auto\",\"host_caching\":false,\"alternate_url\":\"" HELP_URL "\"}"

/* A survey of `n` machines, as malloc'd text. */
static char *survey_of(volact_target_vtable *t, size_t n) {
    CHECK_RESULT(volact_workflow_survey(t, n, out, sizeof out, NULL), VOLACT_RESULT_OK);
    return strdup(out);
}

/* A plan with options, sized first, as malloc'd text; NULL when the call fails. */
static char *plan_with(const char *kind, const char *survey, const volact_mak_store *store,
                       const char *selector, const char *options) {
    size_t n = 0;
    volact_result r = volact_workflow_plan(TXT(kind), TXT(survey), store, TXT(selector), NULL,
                                           NULL, 0, true, TXT(options), NULL, 0, &n);
    CHECK_EQ(r, VOLACT_RESULT_BUFFER_TOO_SMALL);
    if (r != VOLACT_RESULT_BUFFER_TOO_SMALL) {
        fprintf(stderr, "  %s plan: %s\n", kind, last_error());
        return NULL;
    }
    char *text = malloc(n + 1);
    CHECK_RESULT(volact_workflow_plan(TXT(kind), TXT(survey), store, TXT(selector), NULL, NULL,
                                      0, true, TXT(options), text, n + 1, NULL),
                 VOLACT_RESULT_OK);
    return text;
}

/* The run of a plan on `n` machines, as malloc'd text. */
static char *run_plan(const char *plan, const volact_mak_store *store, const char *selector,
                      volact_target_vtable *t, size_t n) {
    char *run = run_new_text(plan);
    CHECK_RESULT(volact_workflow_run_execute(TXT(run), store, TXT(selector), t, n, out,
                                             sizeof out, NULL),
                 VOLACT_RESULT_OK);
    free(run);
    return strdup(out);
}

/* Table 6 (the seed's global scenario): the published GVLK, auto-discovery with the host and
 * the lookup domain cleared, host caching off, the help-desk URL; a retail edition skipped. */
static void test_kms_configure(void) {
    fake m[3];
    volact_target_vtable t[3];
    fake_init(&m[0], "PC-ENT", "Enterprise", SKU_ENT, 11);
    fake_init(&m[1], "PC-HOME", "Core", SKU_CORE, 12);
    fake_init(&m[2], "PC-ENT2", "Enterprise", SKU_ENT, 13);
    snprintf(m[0].channel, sizeof m[0].channel, "Volume:MAK");
    for (int i = 0; i < 3; i++) {
        t[i] = table_of(&m[i]);
    }
    seen_args[0] = 0;
    char *survey = survey_of(t, 2);
    char *plan = plan_with("kms-configure", survey, NULL, "", TABLE6);
    if (plan == NULL) {
        free(survey);
        return;
    }
    CHECK_HAS(plan, "\"kind\": \"kms-configure\"");
    CHECK_HAS(plan, "\"action\": \"install_gvlk\",\n          \"key\": \"" GVLK_ENTERPRISE "\",\n"
                    "          \"edition\": \"Windows 11 Enterprise\"");
    CHECK_HAS(plan, "\"action\": \"clear_kms_host\"");
    CHECK_HAS(plan, "\"action\": \"clear_kms_lookup_domain\"");
    CHECK_HAS(plan, "\"action\": \"set_host_caching\",\n          \"enabled\": false");
    CHECK_HAS(plan, HELP_URL);
    CHECK_HAS(plan, "\"machine\": \"PC-HOME\",\n      \"actions\": [],\n      \"skipped\": {\n"
                    "        \"rule\": \"no-gvlk\"");
    CHECK_HAS(plan, "host caching disabled (slmgr /ckhc)");
    CHECK_RESULT(volact_workflow_render(TXT(plan), TXT("slmgr"), out, sizeof out, NULL),
                 VOLACT_RESULT_OK);
    CHECK_HAS(out, "%SLMGR% PC-ENT /ipk " GVLK_ENTERPRISE);
    CHECK_HAS(out, "%SLMGR% PC-ENT /ckhc");
    CHECK_HAS(out, "/v AlternateURL /t REG_SZ /d \"" HELP_URL "\" /f");
    CHECK_HAS(out, "rem PC-HOME: skipped (no-gvlk)");

    /* The run: every target callback of the plan, the GVLK reaching install_product_key (no
     * store: the plan carries the published key), the Core machine untouched. */
    char *after = run_plan(plan, NULL, "", t, 2);
    CHECK_STR(m[0].calls, "ipk;ckms;ckms-domain;ckhc;write AlternateURL;ato " SKU_ENT ";");
    CHECK_STR(m[0].key_seen, GVLK_ENTERPRISE);
    CHECK_STR(m[0].value_seen, "AlternateURL={\"String\":\"" HELP_URL "\"}");
    CHECK_EQ(m[0].status, 1);
    CHECK_STR(m[1].calls, "");
    CHECK_HAS(after, "\"machine\": \"PC-ENT\",\n      \"done\": 6,\n      \"state\": \"done\"");
    CHECK_HAS(after, "\"machine\": \"PC-HOME\",\n      \"done\": 0,\n      \"state\": \"skipped\"");
    free(after);
    free(plan);
    free(survey);

    /* A lookup domain and caching on; no options at all: the GVLK, auto-discovery and
     * activation, caching and the URL left alone. */
    survey = survey_of(t + 2, 1);
    plan = plan_with("kms-configure", survey, NULL, "",
                     "{\"discovery\":{\"lookup_domain\":\"east.contoso.com\"},"
                     "\"host_caching\":true}");
    if (plan != NULL) {
        after = run_plan(plan, NULL, "", t + 2, 1);
        CHECK_STR(m[2].calls, "ipk;ckms;skms-domain east.contoso.com;skhc;ato " SKU_ENT ";");
        free(after);
        free(plan);
    }
    m[2].calls[0] = 0;
    plan = plan_with("kms-configure", survey, NULL, "", "");
    if (plan != NULL) {
        after = run_plan(plan, NULL, "", t + 2, 1);
        CHECK_STR(m[2].calls, "ipk;ckms;ckms-domain;ato " SKU_ENT ";");
        free(after);
        free(plan);
    }

    /* Options that are not the settings' JSON. */
    CHECK_RESULT(volact_workflow_plan(TXT("kms-configure"), TXT(survey), NULL, NULL, 0, NULL,
                                      NULL, 0, true, TXT("{\"host_cashing\":false}"), out,
                                      sizeof out, NULL),
                 VOLACT_RESULT_WORKFLOW_JSON);
    CHECK_HAS(last_error(), "kms-configure options");
    CHECK_HAS(last_error(), "host_cashing");
    CHECK_RESULT(volact_workflow_plan(TXT("kms-configure"), TXT(survey), NULL, NULL, 0, NULL,
                                      NULL, 0, true, TXT("{\"discovery\":"), out, sizeof out,
                                      NULL),
                 VOLACT_RESULT_WORKFLOW_JSON);
    static const uint8_t bad_utf8[] = {'{', 0xC3, 0x28, '}'};
    CHECK_RESULT(volact_workflow_plan(TXT("kms-configure"), TXT(survey), NULL, NULL, 0, NULL,
                                      NULL, 0, true, bad_utf8, sizeof bad_utf8, out, sizeof out,
                                      NULL),
                 VOLACT_RESULT_INVALID_UTF8);
    CHECK_RESULT(volact_workflow_plan(TXT("kms-configure"), TXT(survey), NULL, NULL, 0, NULL,
                                      NULL, 0, true, NULL, 3, out, sizeof out, NULL),
                 VOLACT_RESULT_NULL_PARAMETER);
    free(survey);
}

/* `text` as a JSON string literal (quotes, backslashes and control characters escaped), into
 * a malloc'd buffer. */
static char *json_string(const char *text) {
    size_t n = strlen(text);
    char *s = malloc(6 * n + 3);
    char *p = s;
    *p++ = '"';
    for (const char *c = text; *c; c++) {
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
    *p = 0;
    return s;
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
        text = realloc(text, len + got + 1);
        memcpy(text + len, chunk, got);
        len += got;
    }
    fclose(f);
    if (text != NULL) {
        text[len] = 0;
    }
    return text;
}

/* The seed's global scenario: four Windows Server 2022 Datacenter hosts get the CSVLK in the
 * seed's order (the first east host first), their publish lists from the planner, and the
 * record grants to KMS_E and KMS_W after the first activation; a CSVLK whose group does not
 * cover the clients is refused. */
static void test_kms_deploy(const char *topology_path, volact_mak_store *mak_store) {
    char *toml = read_file(topology_path);
    CHECK(toml != NULL);
    if (toml == NULL) {
        fprintf(stderr, "  cannot read %s\n", topology_path);
        return;
    }
    volact_mak_store *store = NULL;
    CHECK_RESULT(volact_mak_store_new(&store), VOLACT_RESULT_OK);
    CHECK_RESULT(volact_mak_store_add(store, TXT(KEY), VOLACT_KEY_KIND_CSVLK, TXT("KMS host key"),
                                      1700000000, NULL, out, sizeof out, NULL),
                 VOLACT_RESULT_OK);
    CHECK_HAS(out, "\"kind\":\"csvlk\"");

    /* Surveyed in another order than the seed's: the plan follows the topology. */
    const char *names[4] = {"KMS-W2", "kms-e1", "kms-e2.east.contoso.com", "KMS-W1"};
    fake m[4];
    volact_target_vtable t[4];
    for (int i = 0; i < 4; i++) {
        fake_init(&m[i], names[i], "ServerDatacenter", SKU_DC, 20 + i);
        m[i].family = "Windows Server 2022";
        t[i] = table_of(&m[i]);
    }
    seen_args[0] = 0;
    char *survey = survey_of(t, 4);
    char *topology = json_string(toml);
    char *options = malloc(strlen(topology) + 512);
    sprintf(options,
            "{\"topology\":%s,\"group\":\"server2022\",\"serves\":[\"windows10\",\"windows11\"],"
            "\"security_groups\":{\"east.contoso.com\":\"KMS_E\",\"west.contoso.com\":\"KMS_W\"}}",
            topology);
    char *plan = plan_with("kms-deploy", survey, store, "6Q83G", options);
    if (plan != NULL) {
        CHECK_HAS(plan, "\"kind\": \"kms-deploy\"");
        const char *e1 = strstr(plan, "\"machine\": \"kms-e1\"");
        const char *e2 = strstr(plan, "\"machine\": \"kms-e2.east.contoso.com\"");
        const char *w1 = strstr(plan, "\"machine\": \"KMS-W1\"");
        const char *w2 = strstr(plan, "\"machine\": \"KMS-W2\"");
        CHECK(e1 != NULL && e2 != NULL && w1 != NULL && w2 != NULL);
        CHECK(e1 < e2 && e2 < w1 && w1 < w2);
        CHECK_HAS(plan, "\"index\": 1,\n      \"machine\": \"kms-e1\"");
        CHECK_HAS(plan, "\"value\": \"DnsDomainPublishList\",\n          \"data\": {\n"
                        "            \"MultiString\": [\n"
                        "              \"east.contoso.com, 10, 75\",\n"
                        "              \"west.contoso.com, 90, 75\"");
        CHECK_HAS(plan, "\"action\": \"grant_srv_record\",\n"
                        "          \"domain\": \"east.contoso.com\",\n"
                        "          \"group\": \"KMS_E\"");
        CHECK_HAS(plan, "\"group\": \"KMS_W\"");
        CHECK_HAS(plan, "\"key_masked\": \"XXXXX-XXXXX-XXXXX-XXXXX-6Q83G\"");
        CHECK_HAS(plan, "4 of at most 6 hosts for this CSVLK");
        check_no_key(plan);
        CHECK_RESULT(volact_workflow_render(TXT(plan), TXT("slmgr"), out, sizeof out, NULL),
                     VOLACT_RESULT_OK);
        CHECK_HAS(out, "/v DnsDomainPublishList /t REG_MULTI_SZ /d \"east.contoso.com, 10, 75\\0"
                       "west.contoso.com, 90, 75\" /f");
        CHECK_HAS(out, "update-policy { grant kms-e1.east.contoso.com name "
                       "_vlmcs._tcp.east.contoso.com. SRV;");
        CHECK_HAS(out, "%SLMGR% kms-e1 /ipk %VOLACT_KEY%");
        check_no_key(out);

        /* The run installs the CSVLK (only install_product_key sees it) and writes the list;
         * the firewall exception and the grants are manual steps. */
        char *first = run_plan(plan, store, "6Q83G", t, 4);
        /* The run stops after the first host for the SRV record grants (the seed's order);
         * running the saved run again activates the others. */
        CHECK_HAS(first, "\"waiting\": \"grant KMS_E Read, Write and Delete on "
                         "_vlmcs._tcp.east.contoso.com");
        CHECK_STR(m[0].value_seen, "");
        CHECK_RESULT(volact_workflow_run_execute(TXT(first), store, TXT("6Q83G"), t, 4, out,
                                                 sizeof out, NULL),
                     VOLACT_RESULT_OK);
        char *after = strdup(out);
        CHECK_LACKS(after, "\"waiting\"");
        free(first);
        CHECK_STR(m[1].calls, "write DnsDomainPublishList;ipk;ato " SKU_DC ";");
        CHECK_STR(m[1].key_seen, KEY);
        CHECK_STR(m[1].value_seen, "DnsDomainPublishList={\"MultiString\":[\"east.contoso.com, "
                                   "10, 75\",\"west.contoso.com, 90, 75\"]}");
        CHECK_STR(m[0].value_seen, "DnsDomainPublishList={\"MultiString\":[\"west.contoso.com, "
                                   "10, 25\",\"east.contoso.com, 90, 25\"]}");
        CHECK_HAS(after, "grant KMS_E Read, Write and Delete on _vlmcs._tcp.east.contoso.com");
        CHECK_LACKS(after, "\"failed\"");
        check_no_key(after);
        check_no_key(seen_args);
        free(after);
        free(plan);
    }

    /* A Windows 10 CSVLK does not activate Windows Server 2022 clients: refused by name. */
    sprintf(options, "{\"topology\":%s,\"group\":\"windows10\",\"serves\":[\"server2022\"]}",
            topology);
    size_t n = 777;
    CHECK_RESULT(volact_workflow_plan(TXT("kms-deploy"), TXT(survey), store, TXT("6Q83G"), NULL,
                                      NULL, 0, true, TXT(options), out, sizeof out, &n),
                 VOLACT_RESULT_WORKFLOW_INPUT);
    CHECK_EQ(n, 777);
    CHECK_HAS(last_error(), "does not activate");
    CHECK_HAS(last_error(), "choose a CSVLK whose group covers every client served");
    check_no_key(last_error());

    /* No CSVLK, a MAK instead of a CSVLK, no options, an unknown group. */
    sprintf(options, "{\"topology\":%s,\"group\":\"server2022\",\"serves\":[\"windows10\"]}",
            topology);
    CHECK_RESULT(volact_workflow_plan(TXT("kms-deploy"), TXT(survey), NULL, NULL, 0, NULL, NULL,
                                      0, true, TXT(options), out, sizeof out, NULL),
                 VOLACT_RESULT_WORKFLOW_INPUT);
    CHECK_HAS(last_error(), "needs the CSVLK from the MAK store");
    CHECK_RESULT(volact_workflow_plan(TXT("kms-deploy"), TXT(survey), mak_store, TXT("6Q83G"),
                                      NULL, NULL, 0, true, TXT(options), out, sizeof out, NULL),
                 VOLACT_RESULT_WORKFLOW_INPUT);
    CHECK_HAS(last_error(), "KMS hosts take a CSVLK");
    check_no_key(last_error());
    CHECK_RESULT(volact_workflow_plan(TXT("kms-deploy"), TXT(survey), store, TXT("6Q83G"), NULL,
                                      NULL, 0, true, NULL, 0, out, sizeof out, NULL),
                 VOLACT_RESULT_WORKFLOW_JSON);
    CHECK_HAS(last_error(), "kms-deploy options");
    sprintf(options, "{\"topology\":%s,\"group\":\"server1999\",\"serves\":[]}", topology);
    CHECK_RESULT(volact_workflow_plan(TXT("kms-deploy"), TXT(survey), store, TXT("6Q83G"), NULL,
                                      NULL, 0, true, TXT(options), out, sizeof out, NULL),
                 VOLACT_RESULT_WORKFLOW_INPUT);
    CHECK_HAS(last_error(), "unknown CSVLK group \"server1999\"");

    free(options);
    free(topology);
    free(survey);
    free(toml);
    volact_mak_store_free(store);
}

/* After setup, KMS clients get the MAK and activate; a machine that is not a KMS client is
 * skipped. */
static void test_convert_to_mak(volact_mak_store *store) {
    fake m[2];
    volact_target_vtable t[2];
    fake_init(&m[0], "PC-KMS", "Enterprise", SKU_ENT, 31);
    fake_init(&m[1], "PC-RETAIL", "Enterprise", SKU_ENT, 32);
    snprintf(m[0].channel, sizeof m[0].channel, "Volume:GVLK");
    for (int i = 0; i < 2; i++) {
        t[i] = table_of(&m[i]);
    }
    seen_args[0] = 0;
    char *survey = survey_of(t, 2);
    char *plan = plan_with("convert-to-mak", survey, store, "6Q83G", "");
    if (plan == NULL) {
        free(survey);
        return;
    }
    CHECK_HAS(plan, "\"kind\": \"convert-to-mak\"");
    CHECK_HAS(plan, "\"machine\": \"PC-RETAIL\",\n      \"actions\": [],\n      \"skipped\": {\n"
                    "        \"rule\": \"not-kms-client\"");
    CHECK_HAS(plan, "slmgr /ipk installs the MAK without activating");
    check_no_key(plan);
    char *after = run_plan(plan, store, "6Q83G", t, 2);
    CHECK_STR(m[0].calls, "ipk;ato " SKU_ENT ";");
    CHECK_STR(m[0].key_seen, KEY);
    CHECK_STR(m[1].calls, "");
    check_no_key(after);
    check_no_key(seen_args);
    CHECK_RESULT(volact_workflow_plan(TXT("convert-to-mak"), TXT(survey), NULL, NULL, 0, NULL,
                                      NULL, 0, true, NULL, 0, out, sizeof out, NULL),
                 VOLACT_RESULT_WORKFLOW_INPUT);
    CHECK_HAS(last_error(), "needs a MAK from the MAK store");
    free(after);
    free(plan);
    free(survey);
}

/* The last output is per thread: a new thread has none. */
static void *fresh_thread(void *arg) {
    volact_result *r = arg;
    *r = volact_workflow_last_output(NULL, 0, NULL);
    return NULL;
}

static void test_threads(void) {
    volact_result r = VOLACT_RESULT_OK;
    pthread_t thread;
    CHECK_EQ(pthread_create(&thread, NULL, fresh_thread, &r), 0);
    CHECK_EQ(pthread_join(thread, NULL), 0);
    CHECK_EQ(r, VOLACT_RESULT_NOT_FOUND);
}

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: test_workflow examples/kms/contoso-global.toml\n");
        return 2;
    }
    volact_mak_store *store = NULL;
    CHECK_RESULT(volact_mak_store_new(&store), VOLACT_RESULT_OK);
    CHECK_RESULT(volact_mak_store_add(store, TXT(KEY), VOLACT_KEY_KIND_MAK, TXT("Lab MAK"),
                                      1700000000, NULL, NULL, 0, NULL),
                 VOLACT_RESULT_OK);

    test_survey();
    test_plan_render_and_run(store);
    test_proxy(store);
    test_garbage(store);
    test_errors(store);
    test_kms_configure();
    test_kms_deploy(argv[1], store);
    test_convert_to_mak(store);
    test_threads();

    volact_mak_store_free(store);
    return check_summary();
}
