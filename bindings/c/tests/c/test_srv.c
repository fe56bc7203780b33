/*
 * C tests of KMS discovery over DNS in libvolact (volact_srv_*, volact_probe) through
 * include/volact.h.
 *
 * Built and run by bindings/c/tests/c_programs.rs (`cargo test -p volact-c`), against
 * libvolact.so (also under valgrind) and libvolact.a, with a real bind9 on loopback that the
 * Rust driver starts (tests/dns/named.sh, zones of tests/dns/zones). Arguments:
 *
 *   test_srv TOPOLOGY NAMED KEYFILE BLACKHOLE OPEN CLOSED
 *
 *   TOPOLOGY   examples/kms/contoso-global.toml (the seed's global scenario)
 *   NAMED      ip:port of named, serving east.contoso.com with updates signed by KEYFILE
 *   KEYFILE    the BIND key file of that TSIG key
 *   BLACKHOLE  ip:port of a UDP socket that never answers
 *   OPEN       ip:port of a TCP listener
 *   CLOSED     ip:port where nothing listens (TCP or UDP)
 *
 * The last line printed is `N passed, N failed`; the exit status is 1 on any failure.
 */

#define _POSIX_C_SOURCE 200809L

#include "volact.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "check_result.h"

static char *read_file(const char *path) {
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        fprintf(stderr, "cannot open %s\n", path);
        exit(2);
    }
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap);
    size_t got;
    while (buf != NULL && (got = fread(buf + n, 1, cap - n - 1, f)) > 0) {
        n += got;
        if (cap - n - 1 == 0) {
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
    if (buf == NULL) {
        fprintf(stderr, "out of memory reading %s\n", path);
        exit(2);
    }
    buf[n] = '\0';
    return buf;
}

static double now_seconds(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* The count after `"target":` in a first-counts JSON object, or -1. */
static long long count_of(const char *json, const char *target) {
    char key[256];
    snprintf(key, sizeof key, "\"%s\":", target);
    const char *at = strstr(json, key);
    return at == NULL ? -1 : strtoll(at + strlen(key), NULL, 10);
}

static const char *topology;
static const char *named;
static char *key_text;
static const char *blackhole;
static const char *open_port;
static const char *closed_port;

/* east.contoso.com's RRset in the seed's global scenario, deliberately not in order. */
static const char EAST[] = "90 25 1688 kms-w2.west.contoso.com.\n"
                           "10 25 1688 kms-e2.east.contoso.com.\n"
                           "\n"
                           "90 75 1688 kms-w1.west.contoso.com.\n"
                           "10 75 1688 kms-e1.east.contoso.com.\n";

static void test_plan_global_scenario(void) {
    static char out[65536];
    size_t n = 0;
    CHECK_RESULT(volact_srv_plan(TXT(topology), VOLACT_SRV_FORMAT_JSON, out, sizeof out, &n),
                 VOLACT_RESULT_OK);
    CHECK_EQ(n, strlen(out));
    /* Table 5: east clients prefer E1 (10/75) and E2 (10/25), then the west hosts at 90. */
    CHECK_HAS(out, "\"domains\":{\"east.contoso.com\":["
                   "{\"host\":\"kms-e1.east.contoso.com\",\"port\":1688,\"priority\":10,\"weight\":75},"
                   "{\"host\":\"kms-e2.east.contoso.com\",\"port\":1688,\"priority\":10,\"weight\":25},"
                   "{\"host\":\"kms-w1.west.contoso.com\",\"port\":1688,\"priority\":90,\"weight\":75},"
                   "{\"host\":\"kms-w2.west.contoso.com\",\"port\":1688,\"priority\":90,\"weight\":25}]");
    CHECK_HAS(out, "\"kms-e1.east.contoso.com\":{\"home_domain\":\"east.contoso.com\","
                   "\"dns_domain_publish_list\":[\"east.contoso.com, 10, 75\",\"west.contoso.com, 90, 75\"]");
    CHECK_HAS(out, "\"dns_domain_publish_list\":[\"west.contoso.com, 10, 25\",\"east.contoso.com, 90, 25\"]");
    CHECK_HAS(out, "\"ttl\":3600");
    CHECK_HAS(out, "\"scavenging\":{\"host_refresh_hours\":24");

    CHECK_RESULT(volact_srv_plan(TXT(topology), VOLACT_SRV_FORMAT_ZONE, out, sizeof out, NULL),
                 VOLACT_RESULT_OK);
    CHECK_HAS(out, "_vlmcs._tcp.east.contoso.com. 3600 IN SRV 10 75 1688 kms-e1.east.contoso.com.\n");
    CHECK_HAS(out, "_vlmcs._tcp.east.contoso.com. 3600 IN SRV 90 25 1688 kms-w2.west.contoso.com.\n");
    CHECK_HAS(out, "_vlmcs._tcp.west.contoso.com. 3600 IN SRV 10 75 1688 kms-w1.west.contoso.com.\n");

    CHECK_RESULT(volact_srv_plan(TXT(topology), VOLACT_SRV_FORMAT_NSUPDATE, out, sizeof out, NULL),
                 VOLACT_RESULT_OK);
    CHECK_HAS(out, "zone east.contoso.com.\nupdate delete _vlmcs._tcp.east.contoso.com. SRV\n");
    CHECK_RESULT(volact_srv_plan(TXT(topology), VOLACT_SRV_FORMAT_POWERSHELL, out, sizeof out, NULL),
                 VOLACT_RESULT_OK);
    CHECK_HAS(out, "-ZoneName 'east.contoso.com' -Name '_vlmcs._tcp' -DomainName 'kms-e1.east.contoso.com' "
                   "-Priority 10 -Weight 75 -Port 1688");
    CHECK_RESULT(volact_srv_plan(TXT(topology), VOLACT_SRV_FORMAT_REGISTRY, out, sizeof out, NULL),
                 VOLACT_RESULT_OK);
    CHECK_HAS(out, "/v DnsDomainPublishList /t REG_MULTI_SZ /d \"east.contoso.com, 10, 75\\0west.contoso.com, 90, 75\" /f");
    CHECK_RESULT(volact_srv_plan(TXT(topology), VOLACT_SRV_FORMAT_PUBLISH_LISTS, out, sizeof out, NULL),
                 VOLACT_RESULT_OK);
    CHECK_HAS(out, "[kms-e1.east.contoso.com]\neast.contoso.com, 10, 75\nwest.contoso.com, 90, 75\n");
}

static void test_plan_errors_and_sizing(void) {
    char out[256];
    size_t n = 0;
    /* The string protocol: ask the size, a buffer one short is refused untouched, then fits. */
    CHECK_RESULT(volact_srv_plan(TXT(topology), VOLACT_SRV_FORMAT_ZONE, NULL, 0, &n),
                 VOLACT_RESULT_BUFFER_TOO_SMALL);
    CHECK(n > 100);
    char *zone = malloc(n + 1);
    CHECK(zone != NULL);
    if (zone != NULL) {
        memset(zone, 'x', n + 1);
        size_t n2 = 0;
        CHECK_RESULT(volact_srv_plan(TXT(topology), VOLACT_SRV_FORMAT_ZONE, zone, n, &n2),
                     VOLACT_RESULT_BUFFER_TOO_SMALL);
        CHECK_EQ(n2, n);
        CHECK_EQ(zone[0], 'x');
        CHECK_RESULT(volact_srv_plan(TXT(topology), VOLACT_SRV_FORMAT_ZONE, zone, n + 1, &n2),
                     VOLACT_RESULT_OK);
        CHECK_EQ(strlen(zone), n);
        free(zone);
    }

    /* A site naming a host no [[host]] defines: the code, and the line in the message. */
    const char *bad = "[[host]]\nname = \"kms.contoso.com\"\n[[site]]\nname = \"hq\"\n"
                      "hosts = [{ host = \"other.contoso.com\", weight = 1 }]\n"
                      "[[domain]]\nname = \"contoso.com\"\nsite = \"hq\"\n";
    strcpy(out, "untouched");
    CHECK_RESULT(volact_srv_plan(TXT(bad), VOLACT_SRV_FORMAT_JSON, out, sizeof out, &n),
                 VOLACT_RESULT_SRV_TOPOLOGY);
    CHECK_STR(out, "untouched");
    CHECK_HAS(last_error(), "line 5");
    CHECK_HAS(last_error(), "other.contoso.com");
    CHECK_RESULT(volact_srv_plan(TXT("[[host]\n"), VOLACT_SRV_FORMAT_JSON, out, sizeof out, &n),
                 VOLACT_RESULT_SRV_TOPOLOGY);
    CHECK_HAS(last_error(), "line 1");
    CHECK_RESULT(volact_srv_plan(TXT(topology), 6, out, sizeof out, &n), VOLACT_RESULT_INVALID_ARGUMENT);
    CHECK_HAS(last_error(), "format 6");
    CHECK_RESULT(volact_srv_plan(NULL, 5, 0, out, sizeof out, &n), VOLACT_RESULT_NULL_PARAMETER);
    CHECK_RESULT(volact_srv_plan((const uint8_t *)"\xff", 1, 0, out, sizeof out, &n),
                 VOLACT_RESULT_INVALID_UTF8);

    char msg[128];
    CHECK_RESULT(volact_result_message(VOLACT_RESULT_NET_TSIG, msg, sizeof msg, NULL), VOLACT_RESULT_OK);
    CHECK_HAS(msg, "TSIG");
}

/* Checks one ordering of EAST: 4 lines, each an input record, priorities non-decreasing. */
static void check_rfc2782_order(const char *ordered) {
    const char *lines[] = {"10 75 1688 kms-e1.east.contoso.com.\n", "10 25 1688 kms-e2.east.contoso.com.\n",
                           "90 75 1688 kms-w1.west.contoso.com.\n", "90 25 1688 kms-w2.west.contoso.com.\n"};
    size_t total = 0;
    for (int i = 0; i < 4; i++) {
        CHECK_HAS(ordered, lines[i]);
        total += strlen(lines[i]);
    }
    CHECK_EQ(strlen(ordered), total);
    /* Both priority-10 lines come before both priority-90 lines. */
    const char *e1 = strstr(ordered, lines[0]), *e2 = strstr(ordered, lines[1]);
    const char *w1 = strstr(ordered, lines[2]), *w2 = strstr(ordered, lines[3]);
    CHECK(e1 && e2 && w1 && w2 && e1 < w1 && e1 < w2 && e2 < w1 && e2 < w2);
}

static void test_order_and_first_counts(void) {
    char a[512], b[512];
    int e1_first = 0, distinct_legacy = 0;
    for (uint64_t seed = 1; seed <= 40; seed++) {
        CHECK_RESULT(volact_srv_order(TXT(EAST), seed, VOLACT_SRV_ORDER_MODE_RFC2782, a, sizeof a, NULL),
                     VOLACT_RESULT_OK);
        check_rfc2782_order(a);
        CHECK_RESULT(volact_srv_order(TXT(EAST), seed, VOLACT_SRV_ORDER_MODE_RFC2782, b, sizeof b, NULL),
                     VOLACT_RESULT_OK);
        CHECK_STR(b, a); /* reproducible per seed */
        e1_first += strncmp(a, "10 75 1688 kms-e1", 17) == 0;
        CHECK_RESULT(volact_srv_order(TXT(EAST), seed, VOLACT_SRV_ORDER_MODE_LEGACY, b, sizeof b, NULL),
                     VOLACT_RESULT_OK);
        CHECK_EQ(strlen(b), strlen(a)); /* a permutation of the same lines */
        distinct_legacy += strncmp(b, "90", 2) == 0;
    }
    /* E1 takes about 75 % of first contacts; both hosts come first sometimes. */
    CHECK(e1_first > 20 && e1_first < 40);
    /* Legacy clients ignore priority: a priority-90 host comes first in some orders. */
    CHECK(distinct_legacy > 0);

    size_t n = 0;
    CHECK_RESULT(volact_srv_order(TXT(""), 1, 0, a, sizeof a, &n), VOLACT_RESULT_OK);
    CHECK_EQ(n, 0);
    CHECK_RESULT(volact_srv_order(TXT("10 75 1688 a.example\n10 x 1688 b.example\n"), 1, 0, a, sizeof a, &n),
                 VOLACT_RESULT_SRV_RECORD);
    CHECK_HAS(last_error(), "line 2");
    CHECK_HAS(last_error(), "weight \"x\"");
    CHECK_RESULT(volact_srv_order(TXT(EAST), 1, 2, a, sizeof a, &n), VOLACT_RESULT_INVALID_ARGUMENT);
    CHECK_RESULT(volact_srv_order(TXT(EAST), 1, 0, NULL, 0, &n), VOLACT_RESULT_BUFFER_TOO_SMALL);
    CHECK_EQ(n, strlen(EAST) - 1); /* the same lines without the blank one */

    char counts[512];
    CHECK_RESULT(volact_srv_first_counts(TXT(EAST), 7, VOLACT_SRV_ORDER_MODE_RFC2782, 10000, counts,
                                         sizeof counts, NULL),
                 VOLACT_RESULT_OK);
    long long c_e1 = count_of(counts, "kms-e1.east.contoso.com");
    long long c_e2 = count_of(counts, "kms-e2.east.contoso.com");
    CHECK(c_e1 > 7250 && c_e1 < 7750);
    CHECK_EQ(c_e1 + c_e2, 10000);
    CHECK_EQ(count_of(counts, "kms-w1.west.contoso.com"), 0);
    CHECK_EQ(count_of(counts, "kms-w2.west.contoso.com"), 0);
    char again[512];
    CHECK_RESULT(volact_srv_first_counts(TXT(EAST), 7, 0, 10000, again, sizeof again, NULL), VOLACT_RESULT_OK);
    CHECK_STR(again, counts);
    CHECK_RESULT(volact_srv_first_counts(TXT(EAST), 7, VOLACT_SRV_ORDER_MODE_LEGACY, 8000, counts,
                                         sizeof counts, NULL),
                 VOLACT_RESULT_OK);
    long long c_w2 = count_of(counts, "kms-w2.west.contoso.com");
    CHECK(c_w2 > 1700 && c_w2 < 2300); /* uniform: a quarter each */
    CHECK_RESULT(volact_srv_first_counts(TXT("1 2 3"), 7, 0, 1, counts, sizeof counts, NULL),
                 VOLACT_RESULT_SRV_RECORD);
    CHECK_HAS(last_error(), "line 1");
}

static const char WRONG_SECRET[] = "key \"volact-test\" {\n\talgorithm hmac-sha256;\n"
                                   "\tsecret \"BwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwc=\";\n};\n";

static void discover_east(char *out, size_t cap) {
    CHECK_RESULT(volact_srv_discover(TXT("{\"lookup_domain\": \"east.contoso.com\"}"), TXT(named), 2000, 1,
                                     out, cap, NULL),
                 VOLACT_RESULT_OK);
}

static void test_publish_discover_withdraw(void) {
    static char out[8192];
    const char *e1 = "10 75 1688 kms-e1.east.contoso.com.";
    const char *e2 = "10 25 1688 kms-e2.east.contoso.com.";
    CHECK_RESULT(volact_srv_publish(TXT(named), TXT("east.contoso.com"), TXT("east.contoso.com"), TXT(e1), 0,
                                    TXT(key_text), 3000),
                 VOLACT_RESULT_OK);
    CHECK_RESULT(volact_srv_publish(TXT(named), TXT("east.contoso.com"), TXT("east.contoso.com"), TXT(e2), 600,
                                    TXT(key_text), 3000),
                 VOLACT_RESULT_OK);
    discover_east(out, sizeof out);
    CHECK_HAS(out, "{\"host\":\"kms-e1.east.contoso.com\",\"port\":1688,\"priority\":10,\"weight\":75,"
                   "\"source\":{\"kind\":\"dns\",\"domain\":\"east.contoso.com\"}}");
    CHECK_HAS(out, "\"host\":\"kms-e2.east.contoso.com\"");
    CHECK_HAS(out, "\"queries\":[{\"name\":\"_vlmcs._tcp.east.contoso.com\",\"outcome\":\"records\",\"records\":2");

    /* Discovery walks the suffix list: NXDOMAIN in west, then east. */
    CHECK_RESULT(volact_srv_discover(TXT("{\"suffix_search_list\": [\"nothere.contoso.com\", \"east.contoso.com\"],"
                                         " \"order\": \"legacy\"}"),
                                     TXT(named), 2000, 3, out, sizeof out, NULL),
                 VOLACT_RESULT_OK);
    CHECK_HAS(out, "\"outcome\":\"nx_domain\"");
    CHECK_HAS(out, "\"source\":{\"kind\":\"dns\",\"domain\":\"east.contoso.com\"}");

    /* Withdraw exactly E2, then everything left for E1 (read from the server first). */
    size_t n = 0;
    CHECK_RESULT(volact_srv_withdraw(TXT(named), TXT("east.contoso.com"), TXT("east.contoso.com"),
                                     TXT("kms-e2.east.contoso.com"), TXT("10 25"), TXT(key_text), 3000, out,
                                     sizeof out, &n),
                 VOLACT_RESULT_OK);
    CHECK_STR(out, "10 25 1688 kms-e2.east.contoso.com.\n");
    CHECK_EQ(n, strlen(out));
    /* A buffer too small for the list: OK (the withdrawal happened once), empty string. */
    char tiny[4] = "abc";
    CHECK_RESULT(volact_srv_withdraw(TXT(named), TXT("east.contoso.com"), TXT("east.contoso.com"),
                                     TXT("kms-e1.east.contoso.com"), TXT(""), TXT(key_text), 3000, tiny,
                                     sizeof tiny, &n),
                 VOLACT_RESULT_OK);
    CHECK_STR(tiny, "");
    CHECK_EQ(n, strlen("10 75 1688 kms-e1.east.contoso.com.\n"));
    /* Nothing left to withdraw: OK and the empty list. */
    CHECK_RESULT(volact_srv_withdraw(TXT(named), TXT("east.contoso.com"), TXT("east.contoso.com"),
                                     TXT("kms-e1.east.contoso.com"), TXT(""), TXT(key_text), 3000, out,
                                     sizeof out, &n),
                 VOLACT_RESULT_OK);
    CHECK_STR(out, "");
    discover_east(out, sizeof out);
    CHECK_HAS(out, "\"attempts\":[]");
}

static void test_publish_errors(void) {
    const char *rec = "0 0 1688 kms-e1.east.contoso.com";
    const char *zone = "east.contoso.com";
    CHECK_RESULT(volact_srv_publish(TXT(named), TXT(zone), TXT(zone), TXT(rec), 0, TXT(WRONG_SECRET), 3000),
                 VOLACT_RESULT_NET_TSIG);
    CHECK_HAS(last_error(), "BADSIG");
    CHECK_HAS(last_error(), "volact-test");
    const char *nobody = "key \"nobody\" { algorithm hmac-sha256; secret \"AAECAw==\"; };";
    CHECK_RESULT(volact_srv_publish(TXT(named), TXT(zone), TXT(zone), TXT(rec), 0, TXT(nobody), 3000),
                 VOLACT_RESULT_NET_TSIG);
    CHECK_HAS(last_error(), "BADKEY");
    volact_result r = volact_srv_publish(TXT(named), TXT("fabrikam.com"), TXT("fabrikam.com"), TXT(rec), 0,
                                         TXT(key_text), 3000);
    CHECK(r == VOLACT_RESULT_NET_NOT_AUTHORITATIVE || r == VOLACT_RESULT_NET_REFUSED);
    CHECK_HAS(last_error(), "fabrikam.com");
    CHECK_RESULT(volact_srv_publish(TXT(named), TXT(zone), TXT("west.contoso.com"), TXT(rec), 0, TXT(key_text),
                                    3000),
                 VOLACT_RESULT_SRV_NAME);
    /* Checked before anything is sent. */
    CHECK_RESULT(volact_srv_publish(TXT(named), TXT(zone), TXT(zone), TXT("0 0 kms"), 0, TXT(key_text), 3000),
                 VOLACT_RESULT_SRV_RECORD);
    CHECK_HAS(last_error(), "3 fields");
    CHECK_RESULT(volact_srv_publish(TXT(named), TXT(zone), TXT(zone), TXT(rec), 0, TXT("key \"k\" {"), 3000),
                 VOLACT_RESULT_NET_KEY_FILE);
    CHECK_RESULT(volact_srv_publish(TXT("ns.contoso.com:53"), TXT(zone), TXT(zone), TXT(rec), 0, TXT(key_text),
                                    3000),
                 VOLACT_RESULT_SRV_SERVER_LIST);
    CHECK_HAS(last_error(), "\"ns.contoso.com:53\"");
    CHECK_RESULT(volact_srv_publish(TXT("127.0.0.1:53,127.0.0.2:53"), TXT(zone), TXT(zone), TXT(rec), 0,
                                    TXT(key_text), 3000),
                 VOLACT_RESULT_SRV_SERVER_LIST);
    char out[64];
    CHECK_RESULT(volact_srv_withdraw(TXT(named), TXT(zone), TXT(zone), TXT("kms-e1.east.contoso.com"),
                                     TXT("10"), TXT(key_text), 3000, out, sizeof out, NULL),
                 VOLACT_RESULT_SRV_PRIORITY_WEIGHT);
    CHECK_RESULT(volact_srv_withdraw(TXT(named), TXT(zone), TXT(zone), TXT("kms-e1.east.contoso.com"), TXT(""),
                                     TXT(key_text), 3000, NULL, 5, NULL),
                 VOLACT_RESULT_NULL_PARAMETER);

    /* A server that never answers: the timeout code, within the deadline. */
    double t0 = now_seconds();
    CHECK_RESULT(volact_srv_publish(TXT(blackhole), TXT(zone), TXT(zone), TXT(rec), 0, TXT(key_text), 300),
                 VOLACT_RESULT_NET_TIMEOUT);
    double took = now_seconds() - t0;
    CHECK(took >= 0.29 && took < 3.0);
    CHECK_HAS(last_error(), "no answer from");
    /* Withdrawing every record of a host reads the RRset first: that read times out too. */
    t0 = now_seconds();
    CHECK_RESULT(volact_srv_withdraw(TXT(blackhole), TXT(zone), TXT(zone), TXT("kms-e1.east.contoso.com"), TXT(""),
                                     TXT(key_text), 300, out, sizeof out, NULL),
                 VOLACT_RESULT_NET_TIMEOUT);
    CHECK(now_seconds() - t0 < 5.0);
    /* Nothing listening: ICMP port unreachable, at once. */
    t0 = now_seconds();
    CHECK_RESULT(volact_srv_publish(TXT(closed_port), TXT(zone), TXT(zone), TXT(rec), 0, TXT(key_text), 3000),
                 VOLACT_RESULT_NET_UNREACHABLE);
    CHECK(now_seconds() - t0 < 2.5);
    /* Discovery against a blackhole is an answer: the query failed, no host. */
    static char json[4096];
    t0 = now_seconds();
    CHECK_RESULT(volact_srv_discover(TXT("{\"lookup_domain\": \"east.contoso.com\"}"), TXT(blackhole), 200, 1,
                                     json, sizeof json, NULL),
                 VOLACT_RESULT_OK);
    CHECK(now_seconds() - t0 < 3.0);
    CHECK_HAS(json, "\"attempts\":[],\"queries\":[{\"name\":\"_vlmcs._tcp.east.contoso.com\",\"outcome\":\"failed\"");
    CHECK_HAS(json, "no answer from");

    CHECK_RESULT(volact_srv_discover(TXT("{\"lookup\": 1}"), TXT(named), 0, 1, json, sizeof json, NULL),
                 VOLACT_RESULT_SRV_CLIENT_CONFIG);
    CHECK_HAS(last_error(), "line 1 column");
    CHECK_RESULT(volact_srv_discover(TXT(""), TXT("127.0.0.1:53,nope"), 0, 1, json, sizeof json, NULL),
                 VOLACT_RESULT_SRV_SERVER_LIST);
    CHECK_HAS(last_error(), "DNS server 2");
}

static void test_probe(void) {
    bool open = false;
    CHECK_RESULT(volact_probe(TXT(open_port), 2000, &open), VOLACT_RESULT_OK);
    CHECK(open);
    CHECK_RESULT(volact_probe(TXT(closed_port), 2000, &open), VOLACT_RESULT_OK);
    CHECK(!open);
    open = true;
    CHECK_RESULT(volact_probe(TXT(":1700"), 2000, &open), VOLACT_RESULT_SRV_HOST_PORT);
    CHECK(open); /* untouched */
    CHECK_RESULT(volact_probe(TXT("fd00::1"), 2000, &open), VOLACT_RESULT_SRV_HOST_PORT);
    CHECK_HAS(last_error(), "brackets");
    CHECK_RESULT(volact_probe(TXT("no-such-host.invalid"), 2000, &open), VOLACT_RESULT_NET_RESOLVE);
    CHECK_HAS(last_error(), "no-such-host.invalid");
    CHECK_RESULT(volact_probe(TXT(open_port), 2000, NULL), VOLACT_RESULT_NULL_PARAMETER);
}

int main(int argc, char **argv) {
    if (argc != 7) {
        fprintf(stderr, "usage: test_srv TOPOLOGY NAMED KEYFILE BLACKHOLE OPEN CLOSED\n");
        return 2;
    }
    char *topology_text = read_file(argv[1]);
    topology = topology_text;
    named = argv[2];
    key_text = read_file(argv[3]);
    blackhole = argv[4];
    open_port = argv[5];
    closed_port = argv[6];
    test_plan_global_scenario();
    test_plan_errors_and_sizing();
    test_order_and_first_counts();
    test_publish_discover_withdraw();
    test_publish_errors();
    test_probe();
    free(topology_text);
    free(key_text);
    return check_summary();
}
