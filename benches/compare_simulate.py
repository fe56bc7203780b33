#!/usr/bin/env python3
"""Fleet simulation as a whole process: `volact simulate` on two generated large scenarios.

There is no real peer for a fleet simulation (no public tool simulates KMS hosts and clients
over months), so this reports volact's own numbers: wall time and peak RSS of one
`volact simulate --json` process per scenario, best of --runs.

  normal-100k:   100,000 Windows 10 clients, four hosts on one site, host caching on, 365 days:
                 every client renews every 7 days (about 5.2 M attempts).
  unreachable-10k: 10,000 clients whose only host is down from the first minute, 30 days:
                 every client retries every 2 hours (about 3.6 M attempts).

Run (after `cargo build --release -p volact-cli`):
    python3 benches/compare_simulate.py [--runs 3] [--volact target/release/volact]
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

NORMAL = """[simulation]
seed = 1
days = 365
{hosts}
[[clients]]
name = "desktops"
count = 100000
product = "windows10"
domain = "contoso.com"
"""

UNREACHABLE = """[simulation]
seed = 1
days = 30
[[kms]]
host = "kms-1.contoso.com"
keys = ["server2022"]
[[clients]]
name = "stranded"
count = 10000
product = "windows10"
domain = "contoso.com"
[[event]]
day = 0
kind = "host_down"
host = "kms-1.contoso.com"
"""


def scenarios():
    hosts = "".join(
        f'[[kms]]\nhost = "kms-{i}.contoso.com"\nkeys = ["server2022"]\n'
        f'publish = ["contoso.com, 0, 25"]\n'
        for i in range(1, 5)
    )
    return {"normal-100k": NORMAL.format(hosts=hosts), "unreachable-10k": UNREACHABLE}


def run_once(volact, path):
    start = time.perf_counter()
    proc = subprocess.Popen([volact, "simulate", str(path), "--json"], stdout=subprocess.PIPE)
    out = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    if status != 0:
        sys.exit(f"volact simulate {path} failed with status {status}")
    report = json.loads(out)
    # ru_maxrss is in KiB on Linux.
    return wall, usage.ru_maxrss / 1024, report


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--volact", default=str(ROOT / "target/release/volact"))
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        for name, text in scenarios().items():
            path = Path(tmp) / f"{name}.toml"
            path.write_text(text)
            best = None
            for _ in range(args.runs):
                r = run_once(args.volact, path)
                if best is None or r[0] < best[0]:
                    best = r
            wall, rss, report = best
            print(
                f"{name}: {report['clients']} clients x {report['days']} days, "
                f"{report['attempts']:,} attempts: {wall:.2f} s wall, {rss:.0f} MiB peak RSS, "
                f"{report['attempts'] / wall / 1e6:.2f} M attempts/s; end: "
                f"{report['end_status']}"
            )


if __name__ == "__main__":
    main()
