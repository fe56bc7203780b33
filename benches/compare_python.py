#!/usr/bin/env python3
"""Bulk key checks from Python: volact's batch call against a pure-Python checker.

Inputs: N dashed key texts (default 1,000,000), deterministic (fixed seed): Microsoft's 167
published GVLKs from crates/volact/data/gvlk.csv, some lowercased, and single-character
typos of them (another key symbol, an N, a character outside the alphabet, a dash or a
space in place of one character). No key is printed.

Sides:
  (a) volact.check_keys_batch on the newline-joined text (one FFI call, packed bytes back),
      also with the join, and volact.check_keys (join + call + a KeyCheck per key);
  (b) a pure-Python pkey2009 checker written below: normalise, fold the 25 base-24 digits
      into an int, take the bit fields, CRC-32/MPEG-2 over the 16 little-endian bytes with
      a 256-entry table, compare the 10-bit checksum (research/facts.md §1.1-§1.2).
Both must agree on every input's status and group id before any rate is printed.

Run (after `bash bindings/python/test.sh`, which installs the release wheel there):
    target/py-venv/bin/python benches/compare_python.py [--n 1000000] [--repeat 5]
"""

import argparse
import csv
import gc
import random
import struct
import sys
import time
from pathlib import Path

import volact

CSV = Path(__file__).resolve().parents[1] / "crates" / "volact" / "data" / "gvlk.csv"

# ---------------------------------------------------------------------------------------
# (b) The pure-Python checker, with the core's rules (crates/volact/src/key/mod.rs):
# separators are "-" and ASCII whitespace; any case; 25 symbols; no N = pkey2005 (valid,
# syntax only); one N, not last = pkey2009, checksummed; anything else invalid.
# Status codes as check_keys_batch: 0 invalid, 1 pkey2005, 2 pkey2009, 3 checksum mismatch.
# ---------------------------------------------------------------------------------------

ALPHABET = "BCDFGHJKMPQRTVWXY2346789"  # values 0..23 (facts.md §1.1)
_DIGITS24 = "0123456789abcdefghijklmn"  # int(..., 24) digit characters
_SEPARATORS = str.maketrans("", "", "- \t\n\x0c\r")  # Rust is_ascii_whitespace: no \v
_NOT_SYMBOL = str.maketrans("", "", ALPHABET + "N")  # what remains is not a key symbol
_TO_BASE24 = str.maketrans(ALPHABET, _DIGITS24)
_CHECKSUM_MASK = 0x3FF << 103


def _crc_table():
    """MSB-first CRC-32/MPEG-2 table, poly 0x04C11DB7 (facts.md §1.2)."""
    table = []
    for i in range(256):
        c = i << 24
        for _ in range(8):
            c = ((c << 1) ^ 0x04C11DB7) if c & 0x80000000 else (c << 1)
        table.append(c & 0xFFFFFFFF)
    return table


_CRC = _crc_table()
assert _CRC[1] == 0x04C11DB7


def crc32_mpeg2(data):
    crc = 0xFFFFFFFF
    table = _CRC
    for b in data:
        crc = ((crc << 8) & 0xFFFFFFFF) ^ table[(crc >> 24) ^ b]
    return crc


# CRC catalogue check value for "123456789" (facts.md §1.2).
assert crc32_mpeg2(b"123456789") == 0x0376E6E7


def py_check(text):
    """(status, group id) of one key text, like one line of check_keys_batch."""
    s = text.translate(_SEPARATORS)
    # Non-ASCII is invalid; checking first also keeps upper() from changing the length.
    if len(s) != 25 or not s.isascii():
        return (0, 0)
    s = s.upper()
    if s.translate(_NOT_SYMBOL):
        return (0, 0)
    n = s.count("N")
    if n == 0:
        return (1, 0)
    idx = s.find("N")
    if n > 1 or idx == 24:
        return (0, 0)
    # The index of N is the most significant base-24 digit, then the other 24 symbols.
    value = int(_DIGITS24[idx] + s.replace("N", "").translate(_TO_BASE24), 24)
    group = value & 0xFFFFF
    stored = (value >> 103) & 0x3FF
    crc = crc32_mpeg2((value & ~_CHECKSUM_MASK).to_bytes(16, "little"))
    return (2 if (~crc & 0x3FF) == stored else 3, group)


# ---------------------------------------------------------------------------------------
# Inputs
# ---------------------------------------------------------------------------------------

# Replacement characters for typos: mostly key symbols, plus the other failure classes.
_TYPO_CHARS = ALPHABET * 3 + "NNN" + "AEIO015" + "-" + " " + "é"


def make_inputs(n, seed):
    with CSV.open(newline="", encoding="utf-8") as f:
        keys = [row["gvlk"] for row in csv.DictReader(f)]
    assert len(keys) == 167, len(keys)
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        key = keys[rng.randrange(len(keys))]
        r = rng.random()
        if r < 0.30:
            out.append(key)
        elif r < 0.35:
            out.append(key.lower())
        else:
            pos = rng.randrange(len(key))
            out.append(key[:pos] + rng.choice(_TYPO_CHARS) + key[pos + 1 :])
    return out


def best_of(repeat, fn):
    best, result = float("inf"), None
    for _ in range(repeat):
        gc.collect()
        t0 = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - t0)
    return best, result


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, default=1_000_000, help="number of key texts")
    ap.add_argument("--seed", type=int, default=2026)
    ap.add_argument("--repeat", type=int, default=5, help="best of this many (volact side)")
    args = ap.parse_args()
    if args.n < 1:
        ap.error("--n must be at least 1")

    texts = make_inputs(args.n, args.seed)
    n = len(texts)
    joined = "\n".join(texts)
    assert "\n" not in "".join(texts)  # one text per line, so the raw batch lines up

    t_raw, raw = best_of(args.repeat, lambda: volact.check_keys_batch(joined))
    t_join, _ = best_of(args.repeat, lambda: volact.check_keys_batch("\n".join(texts)))
    t_list, checks = best_of(args.repeat, lambda: volact.check_keys(texts))
    t_py, py = best_of(1, lambda: [py_check(t) for t in texts])

    # Agreement first: every input, status and group id, both volact entry points.
    assert len(raw) == 5 * n and len(checks) == n and len(py) == n
    statuses = raw[:n]
    groups = struct.unpack_from(f"<{n}I", raw, n)
    names = ["invalid", "valid_pkey2005", "valid_pkey2009", "checksum_mismatch"]
    mismatches = 0
    for i, ((ps, pg), s, g, c) in enumerate(zip(py, statuses, groups, checks)):
        expected_group = pg if ps in (2, 3) else None
        if (ps, pg) != (s, g) or (c.status, c.valid, c.group_id) != (
            names[ps],
            ps in (1, 2),
            expected_group,
        ):
            mismatches += 1
            if mismatches <= 5:
                print(
                    f"MISMATCH at input {i}: python ({ps}, {pg}) volact ({s}, {g}) {c}",
                    file=sys.stderr,
                )
    if mismatches:
        sys.exit(f"{mismatches} of {n} inputs disagree")

    counts = [0, 0, 0, 0]
    for s, _ in py:
        counts[s] += 1
    print(f"{n:,} key texts (seed {args.seed}); both sides agree on every status and group id")
    print("  " + ", ".join(f"{names[i]} {counts[i]:,}" for i in range(4)))
    print(f"Python {sys.version.split()[0]}, volact wheel at {Path(volact.__file__).parent}")

    def row(label, seconds, note=""):
        print(f"  {label:<46} {seconds * 1e3:9.1f} ms  {n / seconds / 1e6:7.2f} M keys/s{note}")

    print(f"best of {args.repeat} (volact), single run (pure Python):")
    row("(a) volact.check_keys_batch(joined)", t_raw)
    row('(a) volact.check_keys_batch("\\n".join(keys))', t_join)
    row("(a) volact.check_keys(keys) -> list[KeyCheck]", t_list)
    row("(b) pure-Python decoder + CRC-32 checksum", t_py)
    print(
        f"  speed-up of the batch call over pure Python: {t_py / t_raw:.0f}x "
        f"(with the join: {t_py / t_join:.0f}x; check_keys: {t_py / t_list:.0f}x)"
    )


if __name__ == "__main__":
    main()
