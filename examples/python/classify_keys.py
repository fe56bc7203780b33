"""Classify product keys with the administrator's own Microsoft pkeyconfig files.

Microsoft publishes only the KMS client setup keys (GVLKs); MAK, retail, OEM and CSVLK keys
are known to volact only through the pkeyconfig files of your Windows machines
(%SystemRoot%\\System32\\spp\\tokens\\pkeyconfig\\*.xrm-ms), as VAMT learns them. This imports
the files given with --pkeyconfig into a user catalog (loaded from --catalog when that file
exists, and saved back to it), then prints each key masked (never the key itself) with its
source, channel, edition and description. With --json, the core's classification JSON (the
`classification` of `volact key inspect --json`), one a line.

Exit status: 0 when every key is valid, 1 when one is not or a file is refused.

Run (after `pip install ./bindings/python`):
    python examples/python/classify_keys.py \\
        --pkeyconfig crates/volact/tests/data/pkeyconfig/mak-retail-oem.xrm-ms \\
        VKCF7-HV62C-944TY-YJ9NF-6Q83G NPPR9-FWDCX-D2C8J-H872K-2YT43
"""

import argparse
import os
import sys

import volact


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("keys", nargs="+")
    ap.add_argument("--pkeyconfig", action="append", default=[], metavar="FILE")
    ap.add_argument("--catalog", metavar="FILE", help="load (if it exists) and save here")
    ap.add_argument("--json", action="store_true", help="classification JSON only")
    args = ap.parse_args()

    if args.catalog and os.path.exists(args.catalog):
        catalog = volact.UserCatalog.load(args.catalog)
    else:
        catalog = volact.UserCatalog()

    status = 0
    for path in args.pkeyconfig:
        with open(path, "rb") as f:
            data = f.read()
        try:
            r = catalog.import_pkeyconfig(data, os.path.basename(path))
        except volact.VolactError.InvalidPkeyconfig as e:
            print(f"{path}: not imported ({e.kind}): {e}", file=sys.stderr)
            status = 1
            continue
        if not args.json:
            channels = ", ".join(f"{k} {v}" for k, v in sorted(r.configurations_by_channel.items()))
            print(f"imported {r.file}: {r.configurations} configurations ({channels}), "
                  f"{r.key_ranges} key ranges, {len(r.replaced)} replaced")
    if args.catalog:
        catalog.save(args.catalog)

    for text in args.keys:
        try:
            key = volact.ProductKey(text)
        except volact.VolactError.InvalidKey as e:
            print(f"{volact.inspect_key(text).masked}  invalid: {e}")
            status = 1
            continue
        if args.json:
            print(catalog.classify_json(text))
            continue
        c = catalog.classify(text)
        print(key)
        if c.source == "unknown":
            print("  unknown: no catalog knows this key; declare its type")
        else:
            origin = f"user catalog ({c.file})" if c.file else "published GVLK"
            print(f"  {c.channel} ({c.channel_kind}) from {origin}")
            print(f"  edition: {c.edition}")
            print(f"  description: {c.description}")
            if c.part_number:
                print(f"  part number: {c.part_number}")
    return status


if __name__ == "__main__":
    sys.exit(main())
