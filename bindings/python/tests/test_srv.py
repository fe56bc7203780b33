"""KMS discovery over DNS: planning, ordering, and discovery/publishing against a real bind9.

The DNS tests start bind9's `named` with tests/dns/named.sh on a free loopback port (the
zones of tests/dns/zones/) and stop it in teardown. A missing `named` is a failure naming
the packages to install, never a skip: these tests are the proof the wire code works.
"""

import base64
import json
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
import volact
from vectors import REPO

TOPOLOGY = REPO / "examples" / "kms" / "contoso-global.toml"
NAMED_SH = REPO / "tests" / "dns" / "named.sh"
ZONES = REPO / "tests" / "dns" / "zones"
EXAMPLE = REPO / "examples" / "python" / "kms_discovery.py"

EAST = "east.contoso.com"
E1, E2 = "kms-e1.east.contoso.com", "kms-e2.east.contoso.com"
W1, W2 = "kms-w1.west.contoso.com", "kms-w2.west.contoso.com"
RECORD = "10 75 1688 kms-e1.east.contoso.com"


@pytest.fixture(scope="module")
def plan():
    return volact.plan_topology(TOPOLOGY.read_text(encoding="utf-8"))


def east_records(plan):
    return [
        volact.SrvRecord(priority=r.priority, weight=r.weight, port=r.port, target=r.host)
        for r in plan.domains()[EAST]
    ]


# --- planning -----------------------------------------------------------------------------


def test_global_scenario_rrsets(plan):
    def rrset(domain):
        return [(r.host, r.priority, r.weight, r.port) for r in plan.domains()[domain]]

    assert rrset(EAST) == [
        (E1, 10, 75, 1688),
        (E2, 10, 25, 1688),
        (W1, 90, 75, 1688),
        (W2, 90, 25, 1688),
    ]
    assert rrset("west.contoso.com") == [
        (W1, 10, 75, 1688),
        (W2, 10, 25, 1688),
        (E1, 90, 75, 1688),
        (E2, 90, 25, 1688),
    ]
    assert plan.zones() == {EAST: EAST, "west.contoso.com": "west.contoso.com"}
    assert plan.ttl() == 3600
    assert repr(plan) == "SrvPlan(domains=2, hosts=4, ttl=3600)"


def test_global_scenario_publish_lists(plan):
    hosts = plan.hosts()
    assert sorted(hosts) == [E1, E2, W1, W2]
    e1 = hosts[E1]  # the seed's KMS_E1
    assert e1.home_domain == EAST
    assert e1.dns_domain_publish_list == ["east.contoso.com, 10, 75", "west.contoso.com, 90, 75"]
    assert e1.disable_dns_publishing is False
    assert len(e1.explanation) == 2
    assert hosts[W2].dns_domain_publish_list == [
        "west.contoso.com, 10, 25",
        "east.contoso.com, 90, 25",
    ]
    assert "dns_domain_publish_list=['east.contoso.com, 10, 75'" in repr(e1)


def test_plan_json_is_the_core_document(plan):
    doc = json.loads(plan.json())
    assert set(doc) == {"domains", "hosts", "zones", "ttl", "scavenging", "notes"}
    assert doc["domains"][EAST][0] == {"host": E1, "port": 1688, "priority": 10, "weight": 75}
    assert doc["hosts"][E1]["dns_domain_publish_list"] == [
        "east.contoso.com, 10, 75",
        "west.contoso.com, 90, 75",
    ]
    assert doc["scavenging"]["host_refresh_hours"] == plan.scavenging().host_refresh_hours == 24
    assert doc["notes"] == plan.notes()


def test_renderings(plan):
    zone = plan.zone()
    assert "_vlmcs._tcp.east.contoso.com. 3600 IN SRV 10 75 1688 kms-e1.east.contoso.com." in zone
    assert "_vlmcs._tcp.west.contoso.com. 3600 IN SRV 90 25 1688 kms-e2.east.contoso.com." in zone
    ns = plan.nsupdate()
    east_block = ns[ns.index("zone east.contoso.com.") : ns.index("zone west.contoso.com.")]
    assert east_block.splitlines() == [
        "zone east.contoso.com.",
        "update delete _vlmcs._tcp.east.contoso.com. SRV",
        "update add _vlmcs._tcp.east.contoso.com. 3600 IN SRV 10 75 1688 kms-e1.east.contoso.com.",
        "update add _vlmcs._tcp.east.contoso.com. 3600 IN SRV 10 25 1688 kms-e2.east.contoso.com.",
        "update add _vlmcs._tcp.east.contoso.com. 3600 IN SRV 90 75 1688 kms-w1.west.contoso.com.",
        "update add _vlmcs._tcp.east.contoso.com. 3600 IN SRV 90 25 1688 kms-w2.west.contoso.com.",
        "send",
    ]
    ps = plan.powershell()
    assert (
        "Add-DnsServerResourceRecord -Srv -ZoneName 'east.contoso.com' -Name '_vlmcs._tcp' "
        "-DomainName 'kms-e1.east.contoso.com' -Priority 10 -Weight 75 -Port 1688" in ps
    )
    assert ps.count("Add-DnsServerResourceRecord") == 8
    reg = plan.registry()
    assert (
        '/v DnsDomainPublishList /t REG_MULTI_SZ /d "east.contoso.com, 10, 75\\0'
        'west.contoso.com, 90, 75" /f' in reg
    )


def test_bad_topology_names_the_line():
    text = TOPOLOGY.read_text(encoding="utf-8").replace(
        "{ host = \"kms-e2.east.contoso.com\", weight = 25 }",
        "{ host = \"kms-e9.east.contoso.com\", weight = 25 }",
    )
    line = next(
        i for i, l in enumerate(text.splitlines(), 1) if "kms-e9.east.contoso.com" in l
    )
    with pytest.raises(volact.VolactError.InvalidTopology) as e:
        volact.plan_topology(text)
    assert e.value.message.startswith(f"line {line}:"), e.value.message
    assert "kms-e9.east.contoso.com" in e.value.message
    with pytest.raises(volact.VolactError.InvalidTopology, match="line 3: unknown field"):
        volact.plan_topology('[[host]]\nname = "kms.contoso.com"\nbogus = 1\n')


# --- records and ordering -----------------------------------------------------------------


def test_srv_record_parse_print_and_errors():
    r = volact.SrvRecord.parse("10 75 1688 kms-e1.east.contoso.com.")
    assert (r.priority, r.weight, r.port, r.target) == (10, 75, 1688, E1)
    assert str(r) == "10 75 1688 kms-e1.east.contoso.com."
    assert repr(r) == "SrvRecord('10 75 1688 kms-e1.east.contoso.com.')"
    assert r == volact.parse_srv_record(" 10  75 1688 kms-e1.east.contoso.com ")
    assert len({r, volact.SrvRecord.parse(str(r))}) == 1  # hashable, equal by value
    with pytest.raises(volact.VolactError.InvalidSrvRecord, match="3 fields"):
        volact.SrvRecord.parse("10 75 1688")
    with pytest.raises(volact.VolactError.InvalidSrvRecord, match="weight"):
        volact.SrvRecord.parse("10 99999 1688 kms")


def test_order_is_reproducible_a_permutation_and_priority_sorted(plan):
    east = east_records(plan)
    key = lambda r: (r.priority, r.weight, r.target)  # noqa: E731
    seen_first = set()
    for seed in range(40):
        a = volact.order_srv_records(east, seed=seed)
        assert a == volact.order_srv_records(east, volact.OrderMode.RFC2782, seed)
        assert sorted(a, key=key) == sorted(east, key=key)
        assert [r.priority for r in a] == sorted(r.priority for r in a)
        seen_first.add(a[0].target)
    assert seen_first == {E1, E2}  # both priority-10 hosts lead sometimes, never a west one
    # Texts work too, and `.` ("no service") is never a host to try.
    texts = [str(r) for r in east] + ["0 0 1688 ."]
    assert volact.order_srv_records(texts, "rfc2782", seed=3) == volact.order_srv_records(
        east, seed=3
    )
    legacy = volact.order_srv_records(east, "legacy", seed=5)
    assert sorted(legacy, key=key) == sorted(east, key=key)
    # Unseeded: fresh randomness, still a permutation.
    assert sorted(volact.order_srv_records(east), key=key) == sorted(east, key=key)
    with pytest.raises(ValueError, match="mode must be one of"):
        volact.order_srv_records(east, "random")
    with pytest.raises(TypeError):
        volact.order_srv_records("10 75 1688 kms")


def test_first_counts_follow_the_weights(plan):
    east = east_records(plan)
    draws = 20000
    counts = volact.first_counts(east, draws=draws, seed=2024)
    assert counts == volact.first_counts(east, volact.OrderMode.RFC2782, draws, 2024)
    assert set(counts) == {E1, E2, W1, W2}
    assert counts[W1] == counts[W2] == 0  # priority 90 is only the fallback
    assert counts[E1] + counts[E2] == draws
    assert abs(counts[E1] / draws - 0.75) < 0.02, counts
    assert abs(counts[E2] / draws - 0.25) < 0.02, counts
    # Legacy clients ignore priority and weight: about a quarter each.
    legacy = volact.first_counts(east, "legacy", draws, 7)
    assert all(abs(n / draws - 0.25) < 0.02 for n in legacy.values()), legacy
    assert sum(volact.first_counts(east, draws=100).values()) == 100  # unseeded


# --- discovery configuration (no network) -------------------------------------------------


def test_client_config_forms():
    c = volact.ClientConfig.from_json('{"lookup_domain": "east.contoso.com", "order": "legacy"}')
    assert c.lookup_domain == EAST and c.order == volact.OrderMode.LEGACY
    assert c.host_caching is True and c.suffix_search_list == []
    assert "lookup_domain='east.contoso.com'" in repr(c)
    with pytest.raises(volact.VolactError.InvalidArgument, match="unknown field"):
        volact.ClientConfig.from_json('{"lookup_domian": "x"}')
    # A named KMS host is the only host tried: no DNS is asked, so no server is needed.
    d = volact.discover_kms({"global_kms": "kms.contoso.com:1700"}, servers=["127.0.0.1:9"])
    assert [(a.host, a.port, a.source) for a in d.attempts()] == [
        ("kms.contoso.com", 1700, "global_kms_name")
    ]
    assert d.queries() == []
    assert json.loads(d.json()) == {
        "attempts": [
            {
                "host": "kms.contoso.com",
                "port": 1700,
                "priority": None,
                "weight": None,
                "source": {"kind": "global_kms_name"},
            }
        ],
        "queries": [],
    }
    with pytest.raises(volact.VolactError.InvalidArgument, match="brackets"):
        volact.discover_kms(volact.ClientConfig(sku_kms="fd00::1"), servers=["127.0.0.1"])
    with pytest.raises(volact.VolactError.InvalidArgument, match="DNS server"):
        volact.discover_kms(volact.ClientConfig(lookup_domain=EAST), servers=["ns.contoso.com"])


def test_probe_open_refused_and_bad_input():
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)
        port = listener.getsockname()[1]
        assert volact.probe(f"127.0.0.1:{port}", 2000) is True
        assert volact.probe(f"localhost:{port}") is True
    assert volact.probe(f"127.0.0.1:{port}", 2000) is False  # closed: RST at once
    with pytest.raises(volact.VolactError.InvalidArgument):
        volact.probe(":1688")
    with pytest.raises(volact.VolactError.Network) as e:
        volact.probe("no-such-host.invalid:1688")
    assert e.value.kind == "resolve"


# --- against a real bind9 -----------------------------------------------------------------


def free_port():
    """A port free for both UDP and TCP on 127.0.0.1 right now (named needs both)."""
    for _ in range(50):
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
            udp.bind(("127.0.0.1", 0))
            port = udp.getsockname()[1]
            with socket.socket() as tcp:
                try:
                    tcp.bind(("127.0.0.1", port))
                except OSError:
                    continue
                return port
    raise RuntimeError("no port free for both UDP and TCP on 127.0.0.1")


def named_installed():
    return any(
        shutil.which("named", path=p) for p in (None, "/usr/sbin:/sbin:/usr/bin")
    )


class Named:
    def __init__(self, directory, port):
        self.dir = directory
        self.server = f"127.0.0.1:{port}"
        self.key_file = directory / "tsig.key"
        self.key = self.key_file.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def named():
    assert named_installed(), (
        "bind9's `named` is not installed; the DNS tests need a real DNS server. "
        "Install it: apt-get install bind9 bind9-utils dnsutils"
    )
    # Not pytest's tmp_path: its parents are mode 0700 for root, and named drops to the
    # `bind` user (Debian), which must reach DIR. named.sh chowns DIR itself.
    directory = Path(tempfile.mkdtemp(prefix="volact-named-py-"))
    last = ""
    for _ in range(3):  # a port can be taken between our probe and named's bind
        port = free_port()
        run = subprocess.run(
            ["sh", str(NAMED_SH), "start", str(directory), str(port), str(ZONES)],
            capture_output=True,
            text=True,
            timeout=60,
        )
        if run.returncode == 0:
            break
        last = run.stderr
        subprocess.run(["sh", str(NAMED_SH), "stop", str(directory)], timeout=60)
    else:
        shutil.rmtree(directory, ignore_errors=True)
        pytest.fail(f"named did not start: {last}")
    try:
        yield Named(directory, port)
    finally:
        subprocess.run(["sh", str(NAMED_SH), "stop", str(directory)], timeout=60)
        shutil.rmtree(directory, ignore_errors=True)


def east_client():
    return volact.ClientConfig(lookup_domain=EAST, host_caching=False)


def test_publish_discover_withdraw(named, plan):
    east = east_records(plan)
    before = volact.discover_kms(east_client(), servers=[named.server], seed=1)
    assert before.attempts() == []
    assert [q.outcome for q in before.queries()] == ["nx_domain"]  # no such name yet

    for r in east:
        volact.publish_srv(named.server, EAST, EAST, r, named.key, ttl=300)
    volact.publish_srv(named.server, EAST, EAST, str(east[0]), named.key_file)  # no-op again

    found = volact.discover_kms(east_client(), servers=[named.server], seed=1)
    attempts = found.attempts()
    assert sorted((a.host, a.port, a.priority, a.weight) for a in attempts) == sorted(
        (r.target, r.port, r.priority, r.weight) for r in east
    )
    assert [a.priority for a in attempts] == [10, 10, 90, 90]
    assert all(a.source == "dns" and a.domain == EAST for a in attempts)
    q = found.queries()
    assert [(x.name, x.outcome, x.records) for x in q] == [
        ("_vlmcs._tcp.east.contoso.com", "records", 4)
    ]
    doc = json.loads(found.json())
    assert doc["attempts"][0]["source"] == {"kind": "dns", "domain": EAST}
    # The JSON config form finds the same. (Not the same order: named rotates the RRset it
    # sends, so the same seed draws over a different wire order.)
    again = volact.discover_kms(
        json.dumps({"lookup_domain": EAST, "host_caching": False}), [named.server], 2000, 1
    )
    assert sorted(map(repr, again.attempts())) == sorted(map(repr, attempts))

    # Exactly one record, then everything left that targets a host.
    gone = volact.withdraw_srv(named.server, EAST, EAST, W2, named.key, priority=90, weight=25)
    assert gone == [volact.SrvRecord.parse("90 25 1688 kms-w2.west.contoso.com")]
    for host in (E1, E2, W1):
        removed = volact.withdraw_srv(named.server, EAST, EAST, host, named.key)
        assert [r.target for r in removed] == [host]
    assert volact.withdraw_srv(named.server, EAST, EAST, E1, named.key) == []  # nothing left

    after = volact.discover_kms(east_client(), servers=[named.server], seed=1)
    assert after.attempts() == []
    assert after.queries()[0].outcome == "nx_domain"  # the last record took the name


def wrong_key(key_text):
    """The same key name with another secret: the server answers NOTAUTH/BADSIG."""
    secret = key_text.split('secret "', 1)[1].split('"', 1)[0]
    other = base64.b64encode(bytes(32)).decode()
    assert other != secret
    return key_text.replace(secret, other), other


def test_wrong_key_is_badsig_and_never_shows_the_secret(named):
    text, secret = wrong_key(named.key)
    # A host no other test publishes, so "nothing was published" holds whatever ran before.
    record = volact.SrvRecord.parse("10 75 1688 kms-bad.east.contoso.com")
    with pytest.raises(volact.VolactError.Network) as e:
        volact.publish_srv(named.server, EAST, EAST, record, text)
    assert e.value.kind == "tsig"
    assert "BADSIG" in e.value.message and "volact-test" in e.value.message
    for shown in (str(e.value), repr(e.value), e.value.message):
        assert secret not in shown
        assert named.key.split('secret "', 1)[1].split('"', 1)[0] not in shown
    # Nothing was published.
    d = volact.discover_kms(east_client(), servers=[named.server])
    assert all(a.host != record.target for a in d.attempts())


def test_malformed_key_file_never_shows_the_secret(named):
    text = named.key.replace('secret "', 'secret "!!not-base64!!')
    with pytest.raises(volact.VolactError.InvalidTsigKey) as e:
        volact.publish_srv(named.server, EAST, EAST, "10 75 1688 kms-e1.east.contoso.com", text)
    assert "base64" in e.value.message and "not-base64" not in str(e.value)


def test_blackhole_and_closed_servers_fail_within_the_deadline():
    # A UDP socket that never answers: no ICMP unreachable, so only the deadline ends it.
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as hole:
        hole.bind(("127.0.0.1", 0))
        server = "127.0.0.1:%d" % hole.getsockname()[1]
        key = 'key "k" { algorithm hmac-sha256; secret "%s"; };' % base64.b64encode(
            bytes(range(32))
        ).decode()
        start = time.monotonic()
        with pytest.raises(volact.VolactError.Network) as e:
            volact.publish_srv(server, EAST, EAST, RECORD, key, timeout_ms=300)
        assert e.value.kind == "timeout", e.value.message
        assert time.monotonic() - start < 3
        start = time.monotonic()
        d = volact.discover_kms(east_client(), servers=[server], timeout_ms=200)
        elapsed = time.monotonic() - start
        assert d.attempts() == [] and d.queries()[0].outcome == "failed"
        assert "no answer" in d.queries()[0].notes[0]
        assert elapsed < 3, elapsed  # 2 tries x 200 ms, plus slack for a loaded machine
    # The socket is closed now: ICMP port unreachable ends the try at once.
    start = time.monotonic()
    with pytest.raises(volact.VolactError.Network) as e:
        volact.publish_srv(server, EAST, EAST, RECORD, key, timeout_ms=2000)
    assert e.value.kind == "connection_refused", e.value.message
    assert time.monotonic() - start < 1.5


def test_example_runs_against_bind9(named):
    out = subprocess.run(
        [sys.executable, str(EXAMPLE), "--server", named.server, "--key", str(named.key_file)],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    ).stdout
    lines = out.splitlines()
    assert lines[0] == (
        "kms-e1.east.contoso.com: DnsDomainPublishList = "
        "['east.contoso.com, 10, 75', 'west.contoso.com, 90, 75']"
    )
    assert lines[4].startswith("an east.contoso.com client tries: kms-e")
    assert "first contact over 20000 clients: kms-e1.east.contoso.com 7" in lines[5]
    assert lines[6].startswith("after publishing: kms-e") and lines[6].count(":1688") == 4
    assert lines[7] == "after withdrawing: 0 hosts (nx_domain)"
    secret = named.key.split('secret "', 1)[1].split('"', 1)[0]
    assert secret not in out
