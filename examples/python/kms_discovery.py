"""KMS discovery over DNS for the seed's global scenario (east and west contoso.com).

1. Plan the topology of examples/kms/contoso-global.toml: each domain's _vlmcs._tcp RRset and
   each KMS host's DnsDomainPublishList.
2. Show the order an east client tries the hosts in (RFC 2782: priority, then weight), and
   how first contacts split over many clients.
3. With a DNS server that takes TSIG-signed updates (--server IP:PORT --key KEYFILE): publish
   the east RRset as the hosts would, discover it as an east client would, withdraw it, and
   discover again (nothing left). bind9 with `allow-update { key ...; }` on the zone will do;
   the Python tests run this against tests/dns/named.sh.

Run (after `pip install ./bindings/python`):
    python examples/python/kms_discovery.py [--server 127.0.0.1:5353 --key tsig.key]
"""

import argparse
from pathlib import Path

import volact

TOPOLOGY = Path(__file__).resolve().parents[1] / "kms" / "contoso-global.toml"
EAST = "east.contoso.com"


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--server", help="DNS server IP:PORT that accepts signed updates")
    ap.add_argument("--key", type=Path, help="BIND key file (tsig-keygen output)")
    ap.add_argument("--seed", type=int, default=1, help="seed for the orderings shown")
    args = ap.parse_args()

    # 1. The plan.
    plan = volact.plan_topology(TOPOLOGY.read_text(encoding="utf-8"))
    for host, hp in sorted(plan.hosts().items()):
        print(f"{host}: DnsDomainPublishList = {hp.dns_domain_publish_list}")
    east = [
        volact.SrvRecord(priority=r.priority, weight=r.weight, port=r.port, target=r.host)
        for r in plan.domains()[EAST]
    ]

    # 2. Ordering.
    tried = volact.order_srv_records(east, seed=args.seed)
    print(f"an {EAST} client tries: " + ", ".join(r.target for r in tried))
    counts = volact.first_counts(east, draws=20000, seed=args.seed)
    shares = ", ".join(f"{t} {n / 20000:.1%}" for t, n in sorted(counts.items()))
    print(f"first contact over 20000 clients: {shares}")

    if not args.server:
        return
    if not args.key:
        ap.error("--server needs --key")

    # 3. Publish, discover, withdraw, discover.
    key = args.key  # a Path: volact reads the key file; the secret is never printed
    for r in east:
        volact.publish_srv(args.server, EAST, EAST, r, key, ttl=300)
    client = volact.ClientConfig(lookup_domain=EAST, host_caching=False)
    found = volact.discover_kms(client, servers=[args.server], seed=args.seed)
    print("after publishing: " + ", ".join(f"{a.host}:{a.port}" for a in found.attempts()))
    for r in east:
        volact.withdraw_srv(args.server, EAST, EAST, r.target, key)
    gone = volact.discover_kms(client, servers=[args.server], seed=args.seed)
    print(f"after withdrawing: {len(gone.attempts())} hosts ({gone.queries()[0].outcome})")


if __name__ == "__main__":
    main()
