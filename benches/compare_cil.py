#!/usr/bin/env python3
"""Whole-process comparison for CIL merge (issue 3, "Performance"), in one run.

    python3 benches/compare_cil.py [--computers 100000] [--products 2] [--dir DIR]

On the generated 100,000-computer, 200,000-product CIL and its returned file (made with the
`gen_cil` binary into DIR, by default a directory under the system temp dir, when missing), this
times, each once, as separate processes with their peak resident memory:

  (a) `target/release/volact cil merge full.cil --with returned.cil -o out.cil`;
  (b) the same merge as a plain Python `xml.etree.ElementTree` script (what a scripter would
      write instead: parse both files, index the full file's products by (computer Id, Sku Id,
      InstallationId), copy each PendingConfirmationId into the full tree, write it out);
      this file run as `compare_cil.py et-merge FULL RETURNED OUT`;
  (c) the baseline: a bare quick-xml event read-and-write pass over the same bytes (the
      `xml_copy` binary: both files read, every event re-written, the copies saved).

It checks that volact's output, the Python output and the returned file hold the same set of
(computer Id, Sku Id, IID, PendingConfirmationId), and that volact's output is the full file
plus exactly the added PendingConfirmationId lines, then prints times, MB/s, peak RSS and the
ratios the issue sets as targets. Peak RSS and user/system CPU time come from
`/usr/bin/time -v` when present, otherwise from `os.wait4`'s rusage of that one child; the page
cache is warmed and `sync` run before each process, but on a VM the system time of the short
baseline still varies (0.3 to 0.9 s here), so compare a few runs. Build first:

    cargo build --release -p volact-cli -p volact-benches

(with the same CARGO_TARGET_DIR, if any: the binaries are taken from there).
"""

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# The binaries of `cargo build --release`: under $CARGO_TARGET_DIR when set, as cargo does.
RELEASE = Path(os.environ.get("CARGO_TARGET_DIR") or ROOT / "target").resolve() / "release"
TIME = Path("/usr/bin/time")
MB = 1_000_000


def digits(text):
    return "".join(ch for ch in (text or "") if ch.isdigit())


# ---------------------------------------------------------------------------------------------
# (b) The ElementTree merge, as a scripter would write it. Run in its own process.
# ---------------------------------------------------------------------------------------------


def et_merge(full_path, returned_path, out_path):
    import xml.etree.ElementTree as ET

    full = ET.parse(full_path)
    returned = ET.parse(returned_path)
    index = {}
    for computer in full.getroot().iter("Computer"):
        cid = (computer.get("Id") or "").lower()
        for product in computer.iter("Product"):
            sku = product.find("Sku")
            sku_id = (sku.get("Id") if sku is not None else "") or ""
            key = (cid, sku_id.lower(), digits(product.findtext("InstallationId")))
            index[key] = product
    applied = 0
    for computer in returned.getroot().iter("Computer"):
        cid = (computer.get("Id") or "").lower()
        for product in computer.iter("Product"):
            confirmation = product.findtext("PendingConfirmationId")
            if not confirmation:
                continue
            sku = product.find("Sku")
            sku_id = (sku.get("Id") if sku is not None else "") or ""
            target = index.get(
                (cid, sku_id.lower(), digits(product.findtext("InstallationId")))
            )
            if target is None:
                continue
            element = target.find("PendingConfirmationId")
            if element is None:
                iid = target.find("InstallationId")
                element = ET.Element("PendingConfirmationId")
                element.tail = iid.tail
                target.insert(list(target).index(iid) + 1, element)
            element.text = digits(confirmation)
            applied += 1
    full.write(out_path, encoding="utf-8", xml_declaration=True)
    print(f"{applied} CIDs applied")


# ---------------------------------------------------------------------------------------------
# Measuring
# ---------------------------------------------------------------------------------------------


def run_measured(cmd, label):
    """Runs `cmd` once; returns (wall seconds, peak RSS in MB, user seconds, system seconds)."""
    print(f"running {label}: {' '.join(str(c) for c in cmd)}", flush=True)
    # Every run syncs its output; flush everyone else's dirty pages first, so that sync
    # waits only for the run's own writes (ext4 may otherwise flush a build's files too).
    os.sync()
    if TIME.exists():
        with tempfile.NamedTemporaryFile("r", suffix=".time") as report:
            start = time.perf_counter()
            proc = subprocess.run(
                [str(TIME), "-v", "-o", report.name, *map(str, cmd)],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            wall = time.perf_counter() - start
            text = report.read()
        if proc.returncode != 0:
            sys.exit(f"{label} failed ({proc.returncode}):\n{proc.stdout}{proc.stderr}")
        rss_kb = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", text).group(1))
        user = float(re.search(r"User time \(seconds\): ([\d.]+)", text).group(1))
        system = float(re.search(r"System time \(seconds\): ([\d.]+)", text).group(1))
    else:
        start = time.perf_counter()
        proc = subprocess.Popen(
            list(map(str, cmd)),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        out, err = proc.stdout.read(), proc.stderr.read()
        if proc.returncode != 0:
            sys.exit(f"{label} failed ({proc.returncode}):\n{out}{err}")
        rss_kb = usage.ru_maxrss  # kilobytes on Linux
        user, system = usage.ru_utime, usage.ru_stime
    print(
        f"  {wall:.2f} s (user {user:.2f} s, system {system:.2f} s), "
        f"peak RSS {rss_kb * 1024 / MB:.0f} MB",
        flush=True,
    )
    return wall, rss_kb * 1024 / MB, user, system


def cid_set(path):
    """{(computer Id, Sku Id, IID digits, PendingConfirmationId digits)} of a CIL, streamed."""
    import xml.etree.ElementTree as ET

    out = set()
    for _, element in ET.iterparse(path, events=("end",)):
        if element.tag != "Computer":
            continue
        cid = (element.get("Id") or "").lower()
        for product in element.iter("Product"):
            confirmation = product.findtext("PendingConfirmationId")
            if confirmation:
                sku = product.find("Sku")
                out.add(
                    (
                        cid,
                        (sku.get("Id") or "").lower(),
                        digits(product.findtext("InstallationId")),
                        digits(confirmation),
                    )
                )
        element.clear()
    return out


def only_cids_added(full_path, out_path):
    """Whether `out` is `full` plus PendingConfirmationId lines and nothing else."""
    added = re.compile(rb"\n *<PendingConfirmationId>\d+</PendingConfirmationId>(?=\n)")
    return added.sub(b"", Path(out_path).read_bytes()) == Path(full_path).read_bytes()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--computers", type=int, default=100_000)
    parser.add_argument("--products", type=int, default=2)
    parser.add_argument("--dir", type=Path, help="where full.cil and returned.cil are (made if missing)")
    args = parser.parse_args()
    data = args.dir or Path(tempfile.gettempdir()) / f"volact-cil-{args.computers}x{args.products}"
    full, returned = data / "full.cil", data / "returned.cil"

    volact, gen, copy = RELEASE / "volact", RELEASE / "gen_cil", RELEASE / "xml_copy"
    for binary in (volact, gen, copy):
        if not binary.exists():
            sys.exit(f"{binary} is missing: cargo build --release -p volact-cli -p volact-benches")
    if not (full.exists() and returned.exists()):
        print(f"generating {data} ...", flush=True)
        subprocess.run([str(gen), str(data), str(args.computers), str(args.products)], check=True)

    size_full, size_returned = full.stat().st_size, returned.stat().st_size
    size_in = size_full + size_returned
    print(
        f"inputs: full.cil {size_full / MB:.1f} MB, returned.cil {size_returned / MB:.1f} MB "
        f"({args.computers} computers x {args.products} products)"
    )
    # Warm the page cache, so every run reads its input from memory alike.
    for path in (full, returned):
        path.read_bytes()

    with tempfile.TemporaryDirectory(prefix="volact-cil-out-") as tmp:
        tmp = Path(tmp)
        (tmp / "copy").mkdir()
        out_volact, out_python = tmp / "out_volact.cil", tmp / "out_python.cil"
        t_copy, rss_copy, *cpu_copy = run_measured(
            [copy, tmp / "copy", full, returned], "quick-xml copy (xml_copy)"
        )
        t_volact, rss_volact, *cpu_volact = run_measured(
            [volact, "cil", "merge", full, "--with", returned, "-o", out_volact], "volact cil merge"
        )
        t_python, rss_python, *cpu_python = run_measured(
            [sys.executable, Path(__file__).resolve(), "et-merge", full, returned, out_python],
            "Python xml.etree merge",
        )

        print("checking the outputs ...", flush=True)
        expected = cid_set(returned)
        got_volact = cid_set(out_volact)
        got_python = cid_set(out_python)
        if not (got_volact == got_python == expected):
            sys.exit(
                f"outputs differ: returned {len(expected)}, volact {len(got_volact)}, "
                f"python {len(got_python)}, volact^python {len(got_volact ^ got_python)}"
            )
        lossless = only_cids_added(full, out_volact)
        print(
            f"  same {len(expected)} (computer Id, Sku Id, IID, PendingConfirmationId) in volact's "
            f"and Python's outputs and the returned file; volact output = full file + CID lines "
            f"only: {'yes' if lossless else 'NO'}"
        )

    mbps = lambda t: size_in / MB / t  # noqa: E731
    print()
    print(f"input: {size_in / MB:.1f} MB (full + returned)")
    print("| run | time (s) | user + system (s) | MB/s of input | peak RSS (MB) | RSS / input |")
    print("|---|---:|---:|---:|---:|---:|")
    for name, t, rss, (user, system) in (
        ("quick-xml copy (`xml_copy`)", t_copy, rss_copy, cpu_copy),
        ("`volact cil merge`", t_volact, rss_volact, cpu_volact),
        ("Python `xml.etree` merge", t_python, rss_python, cpu_python),
    ):
        print(
            f"| {name} | {t:.2f} | {user:.2f} + {system:.2f} | {mbps(t):.1f} | {rss:.0f} "
            f"| {rss * MB / size_in:.2f}x |"
        )
    print()
    targets = (
        ("volact time / quick-xml copy time", t_volact / t_copy, "<= 3", t_volact / t_copy <= 3),
        ("volact peak RSS / input size", rss_volact * MB / size_in, "< 3", rss_volact * MB / size_in < 3),
        ("Python time / volact time", t_python / t_volact, ">= 10", t_python / t_volact >= 10),
    )
    print("| ratio | measured | target | met |")
    print("|---|---:|---:|---|")
    for name, value, target, met in targets:
        print(f"| {name} | {value:.2f}x | {target}x | {'yes' if met else 'NO'} |")
    return 0 if lossless else 1


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "et-merge":
        et_merge(*sys.argv[2:])
        sys.exit(0)
    sys.exit(main())
