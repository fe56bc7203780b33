#!/usr/bin/env python3
"""KMS discovery as whole processes: `volact srv discover` against `dig`, on one real bind9.

The peer an administrator reaches for is `dig` (or nslookup): `dig @server SRV
_vlmcs._tcp.<domain>`. It asks one question and prints the records. `volact srv discover`
does what a KMS client does (research/facts.md §4.3): it asks for the SRV RRset, takes the
targets' addresses from the additional section (or asks for them), orders the records by
RFC 2782 and prints the hosts in the order a client tries them. Both run as fresh processes
against the same named on 127.0.0.1, started here with tests/dns/named.sh and the zones in
tests/dns/zones; the runs alternate so both see the same machine.

Before timing, both must report the same set of targets for every domain measured.

Run (after `cargo build --release -p volact-cli`):
    python3 benches/compare_discover.py [--runs 200] [--volact target/release/volact]
"""

import argparse
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOMAINS = ["contoso.com", "big.test"]  # 2 records; 40 records (TCP fallback for both tools)


def free_port():
    for _ in range(50):
        u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        u.bind(("127.0.0.1", 0))
        port = u.getsockname()[1]
        t = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            t.bind(("127.0.0.1", port))
            return port
        except OSError:
            continue
        finally:
            t.close()
            u.close()
    sys.exit("no free port")


def volact_targets(volact, server, domain):
    out = subprocess.run(
        [volact, "srv", "discover", domain, "--server", server, "--json", "--seed", "1"],
        check=True, capture_output=True, text=True).stdout
    import json
    return sorted(a["host"] for a in json.loads(out)["attempts"])


def dig_targets(port, domain):
    out = subprocess.run(
        ["dig", "@127.0.0.1", "-p", str(port), "+short", "SRV", f"_vlmcs._tcp.{domain}"],
        check=True, capture_output=True, text=True).stdout
    return sorted(line.split()[3].rstrip(".") for line in out.splitlines() if line.strip())


def time_runs(cmds, runs):
    """Alternates the commands `runs` times; returns {name: [seconds...]}."""
    times = {name: [] for name, _ in cmds}
    for _ in range(runs):
        for name, argv in cmds:
            t0 = time.perf_counter()
            subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            times[name].append(time.perf_counter() - t0)
    return times


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=200)
    target = os.environ.get("CARGO_TARGET_DIR", str(ROOT / "target"))
    ap.add_argument("--volact", default=str(Path(target) / "release" / "volact"))
    args = ap.parse_args()
    if not Path(args.volact).exists():
        sys.exit(f"{args.volact} missing: cargo build --release -p volact-cli")
    if not shutil.which("dig"):
        sys.exit("dig missing: apt-get install dnsutils")

    work = Path(tempfile.mkdtemp(prefix="volact-bench-named-"))
    port = free_port()
    named = ROOT / "tests" / "dns" / "named.sh"
    subprocess.run([str(named), "start", str(work), str(port), str(ROOT / "tests" / "dns" / "zones")],
                   check=True, stdout=subprocess.DEVNULL)
    server = f"127.0.0.1:{port}"
    try:
        print(f"named on {server}; {args.runs} alternating runs of each command per domain\n")
        print("| domain | command | median (ms) | mean (ms) | p95 (ms) |")
        print("|---|---|---:|---:|---:|")
        for domain in DOMAINS:
            v, d = volact_targets(args.volact, server, domain), dig_targets(port, domain)
            if v != d:
                sys.exit(f"{domain}: volact {v} and dig {d} disagree")
            cmds = [
                ("volact srv discover", [args.volact, "srv", "discover", domain, "--server", server]),
                ("dig +short SRV", ["dig", "@127.0.0.1", "-p", str(port), "+short", "SRV",
                                    f"_vlmcs._tcp.{domain}"]),
            ]
            times = time_runs(cmds, args.runs)
            for name, ts in times.items():
                ts = sorted(ts)
                p95 = ts[int(0.95 * (len(ts) - 1))]
                print(f"| {domain} ({len(v)} records) | `{name}` | {statistics.median(ts) * 1e3:.2f} "
                      f"| {statistics.mean(ts) * 1e3:.2f} | {p95 * 1e3:.2f} |")
    finally:
        subprocess.run([str(named), "stop", str(work)], stdout=subprocess.DEVNULL)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
