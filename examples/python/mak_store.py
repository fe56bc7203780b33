"""Keep the MAK, CSVLK and retail keys you own in volact's MAK store.

Like VAMT's "Manage MAK Keys": a key is added only when its type is known — from your own
Microsoft pkeyconfig files (--pkeyconfig, imported into a user catalog) or declared with
--type — and never a published GVLK. --count records a remaining-activation count (a snapshot
in time, not a live count) for the key just added. The store file (--store) is written
owner-only (0600) and refused on load when others can read it. Every line printed shows the
key masked, never the key itself; the key is read from standard input with `-`, to keep it
out of shell history.

Exit status: 0 on success, 1 when the store refuses the key or the file.

Run (after `pip install ./bindings/python`):
    python examples/python/mak_store.py --store /tmp/maks.json \\
        --pkeyconfig crates/volact/tests/data/pkeyconfig/mak-retail-oem.xrm-ms \\
        --description "Lab MAK" --count 120 VKCF7-HV62C-944TY-YJ9NF-6Q83G
"""

import argparse
import os
import sys

import volact


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("key", nargs="?", help="the key to add, or - to read it from stdin")
    ap.add_argument("--store", required=True, metavar="FILE")
    ap.add_argument("--pkeyconfig", action="append", default=[], metavar="FILE")
    ap.add_argument("--type", choices=["mak", "csvlk", "retail"], help="declare the kind")
    ap.add_argument("--description", default="")
    ap.add_argument("--count", type=int, metavar="REMAINING")
    ap.add_argument("--now", type=int, help="Unix seconds to record (default: now)")
    args = ap.parse_args()

    catalog = volact.UserCatalog()
    for path in args.pkeyconfig:
        with open(path, "rb") as f:
            catalog.import_pkeyconfig(f.read(), os.path.basename(path))

    try:
        store = volact.MakStore.load(args.store)
        if args.key:
            key = sys.stdin.readline().strip() if args.key == "-" else args.key
            entry = store.add(key, catalog, args.type, args.description, args.now)
            print(f"added {entry.masked} as {entry.kind} ({entry.source}), id {entry.id}")
            if args.count is not None:
                store.record_count(entry.id, args.count, args.now)
            store.save(args.store)
    except volact.VolactError as e:
        print(f"refused: {e}", file=sys.stderr)
        return 1

    for e in store.list():
        latest = e.snapshots[-1] if e.snapshots else None
        count = f"{latest.remaining} remaining at {latest.taken_at}" if latest else "no count"
        print(f"{e.id}  {e.masked}  {e.kind:6}  {e.edition or '-'}  {count}  {e.description}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
