#!/usr/bin/env python3
"""Whole-process comparison for the MAK proxy workflow's last lab step, in one run.

    python3 benches/compare_workflow.py [--machines 20000] [--dir DIR]

Proxy step 12 in a large lab: from the CIL that holds the CIDs (IsolatedLabGroupwithCID.cil)
and a fresh survey of the machines, write each machine's `slmgr /atp CID ActID` commands,
checking first that the machine still shows the Installation ID the CID was issued for. This
times, each once, as separate processes:

  (a) `target/release/volact plan proxy-apply --survey survey.json --cil withcid.cil
       --format slmgr -o volact.cmd`;
  (b) the same job as a plain Python script (what an administrator would write instead:
      `json` for the survey, `xml.etree.ElementTree` for the CIL, match computers by name,
      compare IIDs by digits, print the lines); this file run as
      `compare_workflow.py et-apply SURVEY CIL OUT`.

The inputs are made with volact itself, once per directory: a survey of N machines (fictitious
IIDs with valid check digits), `volact proxy collect` (the full CIL), a phone-activation CSV
of fictitious CIDs, `volact proxy acquire` into the full CIL. Both outputs must hold the same
set of (machine, CID digits, Activation ID) before any time is printed. Build first:

    cargo build --release -p volact-cli
"""

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SKU = "2de67392-b7a7-462a-b1ca-108dd189f588"
WINDOWS = "55c92734-d682-4d71-983e-d6ec3f16059f"


def target_dir() -> Path:
    return Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target"))


def check_digit(data):
    return sum(d * (1 if i % 2 == 0 else 2) for i, d in enumerate(data)) % 7


def id_text(seed, groups, width):
    out = []
    for g in range(groups):
        n = (seed * 7919 + g * 104729 + 13) % (10 ** width)
        data = [int(c) for c in f"{n:0{width}d}"]
        out.append("".join(map(str, data)) + str(check_digit(data)))
    return "-".join(out)


def make_inputs(d: Path, n: int, volact: Path):
    survey = d / "survey.json"
    withcid = d / "withcid.cil"
    if survey.exists() and withcid.exists():
        return survey, withcid
    entries = []
    for i in range(n):
        entries.append({
            "machine": {"name": f"LAB-PC{i:05d}", "network_type": "Workgroup",
                        "network_name": "LAB", "os_version": "10.0.22631",
                        "mac_addresses": [f"00-15-5D-{i >> 16:02X}-{(i >> 8) & 255:02X}-{i & 255:02X}"]},
            "products": [{"activation_id": SKU, "application_id": WINDOWS,
                          "name": "Windows(R), Enterprise edition", "family": "Windows 11",
                          "edition_id": "Enterprise", "channel": "Volume:MAK",
                          "license_status": 2, "grace_remaining": 43200,
                          "installation_id": id_text(i, 9, 6), "product_key_id": None,
                          "partial_product_key": "6Q83G"}],
        })
    survey.write_text(json.dumps(entries))
    full = d / "full.cil"
    subprocess.run([volact, "proxy", "collect", "--survey", survey, "-o", full],
                   check=True, stdout=subprocess.DEVNULL)
    csv = d / "cids.csv"
    csv.write_text("".join(f"{id_text(i, 9, 6)},{id_text(i + 1, 8, 5)}\n" for i in range(n)))
    subprocess.run([volact, "proxy", "acquire", full, "--cids", csv, "-o", withcid],
                   check=True, stdout=subprocess.DEVNULL)
    return survey, withcid


def et_apply(survey_path, cil_path, out_path):
    """The peer: what a scripter writes for step 12."""
    survey = json.loads(Path(survey_path).read_text())
    current = {}
    for e in survey:
        m = e.get("machine")
        if not m:
            continue
        for p in e.get("products") or []:
            current[(m["name"].lower(), p["activation_id"].lower())] = re.sub(
                r"\D", "", p.get("installation_id") or "")
    lines = ["@echo off", "set SLMGR=cscript //nologo %SystemRoot%\\System32\\slmgr.vbs"]
    root = ET.parse(cil_path).getroot()
    for c in root.iter("Computer"):
        name = c.get("Name") or ""
        for p in c.iter("Product"):
            sku = p.find("Sku")
            iid = p.findtext("InstallationId")
            cid = p.findtext("PendingConfirmationId") or p.findtext("ConfirmationId")
            if sku is None or not iid or not cid:
                continue
            act = sku.get("Id") or ""
            now = current.get((name.lower(), act.lower()))
            if now is None or now != re.sub(r"\D", "", iid):
                continue
            lines.append(f"%SLMGR% {name} /atp {re.sub(chr(92) + 'D', '', cid)} {act}")
    Path(out_path).write_text("\n".join(lines) + "\n")


def atp_set(path: Path):
    out = set()
    for line in path.read_text().splitlines():
        m = re.match(r"%SLMGR% (\S+) /atp (\d+) (\S+)$", line)
        if m:
            out.add(m.groups())
    return out


def timed(cmd):
    t0 = time.perf_counter()
    r = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    dt = time.perf_counter() - t0
    if r.returncode != 0:
        sys.exit(f"failed ({r.returncode}): {' '.join(map(str, cmd))}")
    return dt


def main():
    if len(sys.argv) == 5 and sys.argv[1] == "et-apply":
        et_apply(*sys.argv[2:])
        return
    ap = argparse.ArgumentParser()
    ap.add_argument("--machines", type=int, default=20000)
    ap.add_argument("--dir", type=Path)
    a = ap.parse_args()
    volact = target_dir() / "release" / "volact"
    if not volact.exists():
        sys.exit("build first: cargo build --release -p volact-cli")
    d = a.dir or Path(tempfile.gettempdir()) / f"volact-compare-workflow-{a.machines}"
    d.mkdir(parents=True, exist_ok=True)
    survey, withcid = make_inputs(d, a.machines, volact)
    v_out, p_out = d / "volact.cmd", d / "python.cmd"
    tv = timed([volact, "plan", "proxy-apply", "--survey", survey, "--cil", withcid,
                "--format", "slmgr", "-o", v_out])
    tp = timed([sys.executable, __file__, "et-apply", survey, withcid, p_out])
    vs, ps = atp_set(v_out), atp_set(p_out)
    if vs != ps or len(vs) != a.machines:
        sys.exit(f"outputs differ: volact {len(vs)} lines, python {len(ps)}, "
                 f"{len(vs ^ ps)} not in both")
    print(f"{a.machines} machines, survey {survey.stat().st_size / 1e6:.1f} MB, "
          f"CIL {withcid.stat().st_size / 1e6:.1f} MB; both wrote the same {len(vs)} /atp lines")
    print(f"volact plan proxy-apply : {tv:6.2f} s")
    print(f"python json+ElementTree : {tp:6.2f} s")
    print(f"ratio                   : {tp / tv:6.1f}x")


if __name__ == "__main__":
    main()
