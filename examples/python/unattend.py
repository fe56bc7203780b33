"""Show, set and scrub the product key of an Unattend.xml answer file.

Installing a MAK during Windows setup means putting it in the answer file (the seed,
"Installing a MAK during operating system installation"): setup reads a key from the
windowsPE pass (Microsoft-Windows-Setup, UserData/ProductKey/Key) and the specialize pass
(Microsoft-Windows-Shell-Setup, ProductKey). The key is in clear text in the file; setup
replaces it with SENSITIVE*DATA*DELETED at its end, and --scrub does the same to a copy
(also to keys in command lines and comments, which setup leaves).

- show (default): every place a key is or could be read from, masked, with its type
  (--pkeyconfig files tell MAKs and CSVLKs apart; published GVLKs are always known) and
  the warnings.
- --set-key KEY (or - to read it from standard input, out of shell history): the key in
  every place setup reads, written to --out (owner-only: it holds the key).
- --scrub: every key replaced, written to --out.

Every other byte of the file stays as it was, in its encoding (UTF-8 or UTF-16). Keys are
printed masked only. Exit status: 0, or 1 when the file or the key is refused.

Run (after `pip install ./bindings/python`):
    python examples/python/unattend.py crates/volact/tests/data/unattend/mak-both-places.xml \\
        --pkeyconfig crates/volact/tests/data/pkeyconfig/mak-retail-oem.xrm-ms
    echo VKCF7-HV62C-944TY-YJ9NF-6Q83G | python examples/python/unattend.py \\
        crates/volact/tests/data/unattend/gvlk-specialize-only.xml --set-key - --out mak.xml
    python examples/python/unattend.py mak.xml --scrub --out scrubbed.xml
"""

import argparse
import json
import os
import sys

import volact


def describe(value):
    state = value["state"]
    if state == "key":
        editions = f": {', '.join(value['editions'])}" if value["editions"] else ""
        return f"key {value['masked']} ({value['kind']}{editions})"
    if state == "not_a_key":
        return f"not a key: {value['masked']}"
    return {"empty": "empty", "scrubbed": "scrubbed (SENSITIVE*DATA*DELETED)"}[state]


def show(name, data, catalog):
    report = json.loads(volact.unattend_show(data, catalog))
    print(f"{name}: {len(report['places'])} places")
    for p in report["places"]:
        print(f"  line {p['line']}: {p['path']}: {describe(p['value'])}")
    for w in report["warnings"]:
        print(f"  warning: {w}")


def write_private(path, data):
    """Writes the file readable by its owner only, as the key in it deserves."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    if os.name == "posix":
        os.fchmod(fd, 0o600)  # the mode above applies to a new file only
    with os.fdopen(fd, "wb") as f:
        f.write(data)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("file", help="the answer file")
    ap.add_argument("--pkeyconfig", action="append", default=[], metavar="FILE")
    change = ap.add_mutually_exclusive_group()
    change.add_argument("--set-key", metavar="KEY", help="the key to put in, or - for stdin")
    change.add_argument("--scrub", action="store_true", help="replace every key")
    ap.add_argument("--out", metavar="FILE", help="where --set-key and --scrub write")
    args = ap.parse_args()
    if (args.set_key or args.scrub) and not args.out:
        ap.error("--set-key and --scrub need --out")

    catalog = volact.UserCatalog()
    for path in args.pkeyconfig:
        with open(path, "rb") as f:
            catalog.import_pkeyconfig(f.read(), os.path.basename(path))
    with open(args.file, "rb") as f:
        data = f.read()

    try:
        show(os.path.basename(args.file), data, catalog)
        if args.set_key:
            key = sys.stdin.readline().strip() if args.set_key == "-" else args.set_key
            out = volact.unattend_set_key(data, key)
            print(f"set {volact.ProductKey(key)} where setup reads it: {args.out}")
        elif args.scrub:
            out = volact.unattend_scrub(data)
            print(f"scrubbed: {args.out}")
        else:
            return 0
        write_private(args.out, out)
        show(os.path.basename(args.out), out, catalog)
    except volact.VolactError as e:
        kind = getattr(e, "kind", None)
        print(f"refused{f' ({kind})' if kind else ''}: {e.message}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
