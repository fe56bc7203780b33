"""Inspect product keys and IDs the way an administrator triaging a batch of machines would:
which keys are published KMS client setup keys, which are mistyped, and whether an
Installation ID read over the phone is intact. Keys print masked.

Run (after `pip install ./bindings/python`): python examples/python/inspect_keys.py [KEY...]
"""

import sys

import volact

DEFAULT_KEYS = [
    "NPPR9-FWDCX-D2C8J-H872K-2YT43",  # Windows 10/11 Enterprise GVLK
    "nppr9 fwdcx d2c8j h872k 2yt44",  # the same key, last symbol mistyped
    "FJ82H-XT6CR-J8D7P-XQJJ2-GPDD4",  # Windows 7 Professional (pkey2005)
]


def main(keys):
    for text in keys:
        report = volact.inspect_key(text)
        if not report.valid:
            print(f"{report.masked}  INVALID: {report.error}")
            continue
        group = "no group (pkey2005)" if report.group_id is None else f"group {report.group_id}"
        rows = "; ".join(f"{r.family} {r.edition}" for r in report.catalog)
        print(
            f"{report.masked}  valid {report.algorithm}, {group}, "
            f"channel {report.channel or 'unknown'}, {rows or 'not a published GVLK'}"
        )

    iid = "070846-984606-199354-110900-862045-444713-121295-109842-549701"
    check = volact.check_id(iid)
    verdict = "every check digit holds" if check.valid else check.error
    print(f"IID {check.canonical}: {verdict}")

    # Bulk: one native call for the whole list; results line up with the inputs.
    results = volact.check_keys(keys + ["", "not a key"])
    counts = {}
    for r in results:
        counts[r.status] = counts.get(r.status, 0) + 1
    summary = ", ".join(f"{n} {status}" for status, n in sorted(counts.items()))
    print(f"batch of {len(results)}: {summary}")


if __name__ == "__main__":
    main(sys.argv[1:] or DEFAULT_KEYS)
