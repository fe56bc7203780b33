/*
 * C tests of the licensing calls of libvolact (volact_license_status_*, volact_policy_*,
 * volact_explain*) through include/volact.h.
 *
 * Built and run by bindings/c/tests/c_programs.rs (`cargo test -p volact-c`), against
 * libvolact.so (also under valgrind) and libvolact.a. No arguments.
 *
 * The last line printed is `N passed, N failed`; the exit status is 1 on any failure.
 */

#include "volact.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_result.h"

static void test_status_names(void) {
    static const char *names[] = {"Unlicensed", "Licensed", "OOBGrace", "OOTGrace",
                                  "NonGenuineGrace", "Notification", "ExtendedGrace"};
    char buf[256];
    size_t n = 0;
    for (uint32_t v = 0; v < 7; v++) {
        CHECK_RESULT(volact_license_status_name(v, buf, sizeof buf, &n), VOLACT_RESULT_OK);
        CHECK_STR(buf, names[v]);
        CHECK_EQ(n, strlen(names[v]));
        CHECK_RESULT(volact_license_status_dli_text(v, buf, sizeof buf, NULL), VOLACT_RESULT_OK);
    }
    CHECK_EQ(VOLACT_LICENSE_STATUS_OOB_GRACE, 2);
    CHECK_EQ(VOLACT_LICENSE_STATUS_EXTENDED_GRACE, 6);
    CHECK_RESULT(volact_license_status_dli_text(VOLACT_LICENSE_STATUS_OOB_GRACE, buf, sizeof buf, NULL),
                 VOLACT_RESULT_OK);
    CHECK_STR(buf, "Initial grace period");
    CHECK_RESULT(volact_license_status_dli_text(VOLACT_LICENSE_STATUS_OOT_GRACE, buf, sizeof buf, NULL),
                 VOLACT_RESULT_OK);
    CHECK_STR(buf, "Additional grace period (KMS license expired or hardware out of tolerance)");

    /* 7 and beyond: a typed error naming the value; nothing written. */
    strcpy(buf, "untouched");
    n = 12345;
    CHECK_RESULT(volact_license_status_name(7, buf, sizeof buf, &n), VOLACT_RESULT_LICENSE_STATUS_VALUE);
    CHECK_STR(buf, "untouched");
    CHECK_EQ(n, 12345);
    CHECK_HAS(last_error(), "license status 7 is not a LicenseStatus value (0 to 6)");
    CHECK_RESULT(volact_license_status_dli_text(UINT32_MAX, buf, sizeof buf, NULL),
                 VOLACT_RESULT_LICENSE_STATUS_VALUE);
    CHECK_HAS(last_error(), "4294967295");

    /* The buffer protocol: size, then read. */
    n = 0;
    CHECK_RESULT(volact_license_status_dli_text(VOLACT_LICENSE_STATUS_NON_GENUINE_GRACE, NULL, 0, &n),
                 VOLACT_RESULT_BUFFER_TOO_SMALL);
    CHECK_EQ(n, strlen("Non-genuine grace period"));
    char *exact = malloc(n + 1);
    CHECK_RESULT(volact_license_status_dli_text(VOLACT_LICENSE_STATUS_NON_GENUINE_GRACE, exact, n + 1, &n),
                 VOLACT_RESULT_OK);
    CHECK_STR(exact, "Non-genuine grace period");
    free(exact);
    CHECK_RESULT(volact_license_status_name(1, NULL, 64, NULL), VOLACT_RESULT_NULL_PARAMETER);
}

static void test_intervals(void) {
    CHECK_RESULT(volact_policy_check_interval(15), VOLACT_RESULT_OK);
    CHECK_RESULT(volact_policy_check_interval(43200), VOLACT_RESULT_OK);
    CHECK_RESULT(volact_policy_check_interval(14), VOLACT_RESULT_LICENSE_INTERVAL_RANGE);
    CHECK_HAS(last_error(), "interval of 14 minutes is outside 15..=43200 minutes");
    CHECK_RESULT(volact_policy_check_interval(43201), VOLACT_RESULT_LICENSE_INTERVAL_RANGE);
    CHECK_RESULT(volact_policy_check_interval(UINT64_MAX), VOLACT_RESULT_LICENSE_INTERVAL_RANGE);
    CHECK_RESULT(volact_policy_check_interval(0), VOLACT_RESULT_LICENSE_INTERVAL_RANGE);

    uint32_t m = 0;
    CHECK_RESULT(volact_policy_parse_interval(TXT(" 10080\n"), &m), VOLACT_RESULT_OK);
    CHECK_EQ(m, 10080);
    m = 7;
    CHECK_RESULT(volact_policy_parse_interval(TXT("2h"), &m), VOLACT_RESULT_LICENSE_INTERVAL_TEXT);
    CHECK_HAS(last_error(), "interval \"2h\" is not a whole number of minutes");
    CHECK_EQ(m, 7);
    CHECK_RESULT(volact_policy_parse_interval(TXT("-20"), &m), VOLACT_RESULT_LICENSE_INTERVAL_TEXT);
    CHECK_RESULT(volact_policy_parse_interval(NULL, 0, &m), VOLACT_RESULT_LICENSE_INTERVAL_TEXT);
    CHECK_RESULT(volact_policy_parse_interval(TXT("99999999999999999999999"), &m),
                 VOLACT_RESULT_LICENSE_INTERVAL_RANGE);
    CHECK_RESULT(volact_policy_parse_interval(TXT("14"), &m), VOLACT_RESULT_LICENSE_INTERVAL_RANGE);
    CHECK_EQ(m, 7);
    CHECK_RESULT(volact_policy_parse_interval(TXT("120"), NULL), VOLACT_RESULT_NULL_PARAMETER);
    CHECK_RESULT(volact_policy_parse_interval((const uint8_t *)"\xff", 1, &m), VOLACT_RESULT_INVALID_UTF8);
}

static void test_explain_json(void) {
    static char out[8192];
    size_t n = 0;
    /* Every spelling: the same record but its input. */
    CHECK_RESULT(volact_explain(TXT("-1073418124"), out, sizeof out, &n), VOLACT_RESULT_OK);
    CHECK_EQ(n, strlen(out));
    CHECK_HAS(out, "{\"input\":\"-1073418124\",\"known\":true,\"code\":\"0xC004F074\",\"message\":\"");
    CHECK_HAS(out, "\"applies_to\":\"KMS client\"");
    CHECK_HAS(out, "\"cause\":\"");
    CHECK_HAS(out, "\"fix\":\"");
    CHECK_HAS(out, "\"source\":\"https://learn.microsoft.com/");
    CHECK_HAS(out, "\"error\":null}");
    CHECK_RESULT(volact_explain(TXT("c004f038"), out, sizeof out, NULL), VOLACT_RESULT_OK);
    CHECK_HAS(out, "\"code\":\"0xC004F038\"");
    CHECK_HAS(out, "sysprep /generalize");

    /* Unknown and unparsable codes: typed errors, the CLI's reasons, nothing written. */
    strcpy(out, "untouched");
    n = 99;
    CHECK_RESULT(volact_explain(TXT("0x12345678"), out, sizeof out, &n),
                 VOLACT_RESULT_LICENSE_ERROR_CODE_UNKNOWN);
    CHECK_STR(last_error(), "0x12345678 is not in volact's table of activation error codes");
    CHECK_STR(out, "untouched");
    CHECK_EQ(n, 99);
    CHECK_RESULT(volact_explain(TXT("hello"), out, sizeof out, NULL), VOLACT_RESULT_LICENSE_ERROR_CODE_TEXT);
    CHECK_HAS(last_error(), "\"hello\" is not an error code");
    CHECK_RESULT(volact_explain(TXT("4294967296"), out, sizeof out, NULL), VOLACT_RESULT_LICENSE_ERROR_CODE_TEXT);
    CHECK_HAS(last_error(), "does not fit in a 32-bit error code");
    CHECK_RESULT(volact_explain(NULL, 0, out, sizeof out, NULL), VOLACT_RESULT_LICENSE_ERROR_CODE_TEXT);
    CHECK_STR(last_error(), "empty error code");
    CHECK_RESULT(volact_explain(NULL, 4, out, sizeof out, NULL), VOLACT_RESULT_NULL_PARAMETER);

    /* The buffer protocol. */
    n = 0;
    CHECK_RESULT(volact_explain(TXT("0xC004F074"), NULL, 0, &n), VOLACT_RESULT_BUFFER_TOO_SMALL);
    char *exact = malloc(n + 1);
    size_t again = 0;
    CHECK_RESULT(volact_explain(TXT("0xC004F074"), exact, n + 1, &again), VOLACT_RESULT_OK);
    CHECK_EQ(again, n);
    CHECK_EQ(strlen(exact), n);
    CHECK_RESULT(volact_explain(TXT("0xC004F074"), exact, n, NULL), VOLACT_RESULT_BUFFER_TOO_SMALL);
    free(exact);
}

static void test_explain_table(void) {
    size_t count = volact_explain_count();
    CHECK(count >= 30);
    volact_error_code e;
    uint32_t previous = 0;
    int sorted = 1;
    for (size_t i = 0; i < count; i++) {
        memset(&e, 0, sizeof e);
        CHECK_RESULT(volact_explain_get(i, &e), VOLACT_RESULT_OK);
        if (i > 0 && e.code <= previous) {
            sorted = 0;
        }
        previous = e.code;
        CHECK(e.hex != NULL && e.message != NULL && e.applies_to != NULL && e.cause != NULL &&
              e.fix != NULL && e.source != NULL);
        char hex[16];
        snprintf(hex, sizeof hex, "0x%08X", (unsigned)e.code);
        CHECK_STR(e.hex, hex);
        /* Every entry explains itself through the text call. */
        volact_error_code same;
        CHECK_RESULT(volact_explain_lookup(TXT(e.hex), &same), VOLACT_RESULT_OK);
        CHECK_EQ(same.code, e.code);
        CHECK(same.cause == e.cause);
    }
    CHECK(sorted);
    memset(&e, 0, sizeof e);
    CHECK_RESULT(volact_explain_get(count, &e), VOLACT_RESULT_NOT_FOUND);
    CHECK_EQ(e.code, 0);
    CHECK_HAS(last_error(), "past the end");
    CHECK_RESULT(volact_explain_get(0, NULL), VOLACT_RESULT_NULL_PARAMETER);

    CHECK_RESULT(volact_explain_lookup(TXT("3221549112"), &e), VOLACT_RESULT_OK);
    CHECK_EQ(e.code, 0xC004F038u);
    CHECK_HAS(e.fix, "slmgr /dli");
    CHECK_RESULT(volact_explain_lookup(TXT("0x5"), &e), VOLACT_RESULT_LICENSE_ERROR_CODE_UNKNOWN);
    CHECK_RESULT(volact_explain_lookup(TXT("0xG"), &e), VOLACT_RESULT_LICENSE_ERROR_CODE_TEXT);
    CHECK_RESULT(volact_explain_lookup(TXT("0xC004F074"), NULL), VOLACT_RESULT_NULL_PARAMETER);
}

static void test_result_messages(void) {
    char buf[256];
    CHECK_RESULT(volact_result_message(VOLACT_RESULT_LICENSE_INTERVAL_RANGE, buf, sizeof buf, NULL),
                 VOLACT_RESULT_OK);
    CHECK_STR(buf, "license: interval outside 15 to 43200 minutes");
    CHECK_RESULT(volact_result_message(VOLACT_RESULT_LICENSE_ERROR_CODE_UNKNOWN, buf, sizeof buf, NULL),
                 VOLACT_RESULT_OK);
    CHECK_STR(buf, "license: error code not in volact's table");
    CHECK_RESULT(volact_result_message(VOLACT_RESULT_LICENSE_OTHER, buf, sizeof buf, NULL), VOLACT_RESULT_OK);
    CHECK_STR(buf, "license: invalid");
}

/* A fresh host and N Windows 7 clients for 40 days: the threshold is 25 (S7). */
static const char *scenario_with(int clients, char *buf, size_t cap) {
    snprintf(buf, cap,
             "[simulation]\nseed = 5\ndays = 40\n"
             "[[kms]]\nhost = \"kms-1.contoso.com\"\nkeys = [\"windows7-server-b\"]\n"
             "[[clients]]\nname = \"c\"\ncount = %d\nproduct = \"windows7\"\ndomain = \"contoso.com\"\n",
             clients);
    return buf;
}

static void test_fleet_run(void) {
    char toml[512];
    static char json[65536];
    size_t n = 0;
    scenario_with(25, toml, sizeof toml);
    CHECK_RESULT(volact_fleet_run(TXT(toml), json, sizeof json, &n), VOLACT_RESULT_OK);
    CHECK(n == strlen(json));
    CHECK_HAS(json, "\"clients\":25");
    CHECK_HAS(json, "\"end_status\":{\"not_deployed\":0,\"licensed\":25,");

    /* 24 never reach the threshold: all end in Notification because of 0xC004F038. */
    scenario_with(24, toml, sizeof toml);
    CHECK_RESULT(volact_fleet_run(TXT(toml), json, sizeof json, NULL), VOLACT_RESULT_OK);
    CHECK_HAS(json, "\"notification\":24");
    CHECK_HAS(json, "\"code\":\"0xC004F038\"");

    /* Size query, then the same report (the run is fixed by its seed). */
    size_t need = 0;
    CHECK_RESULT(volact_fleet_run(TXT(toml), NULL, 0, &need), VOLACT_RESULT_BUFFER_TOO_SMALL);
    CHECK(need == strlen(json));
    char small[16];
    CHECK_RESULT(volact_fleet_run(TXT(toml), small, sizeof small, &n), VOLACT_RESULT_BUFFER_TOO_SMALL);
    CHECK(n == need);

    CHECK_RESULT(volact_fleet_run(TXT("[simulation]\nseed = 1\ndays = -3\n"), json, sizeof json, NULL),
                 VOLACT_RESULT_FLEET_SCENARIO);
    CHECK_HAS(last_error(), "line");
    CHECK_RESULT(volact_fleet_run(NULL, 5, json, sizeof json, NULL), VOLACT_RESULT_NULL_PARAMETER);
}

int main(void) {
    test_status_names();
    test_intervals();
    test_explain_json();
    test_explain_table();
    test_result_messages();
    test_fleet_run();
    return check_summary();
}
