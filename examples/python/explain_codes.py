"""Explain activation error codes, and show the license states and policy intervals.

For each code given (as administrators paste them: 0xC004F074, C004F074, 3221549172,
-1073418124): the message, who reports it, the likely cause and the fix to try, from
volact's table (the one `volact explain` prints). Then the seven LicenseStatus values with
what `slmgr /dli` shows for each, and a check of a few `slmgr /sai` / `/sri` intervals.
With --json, only the records `volact explain --json` prints, one a line.

Exit status: 0 when every code is explained, 1 when one is unknown or not a code.

Run (after `pip install ./bindings/python`):
    python examples/python/explain_codes.py 0xC004F074 -1073418184
"""

import argparse
import json
import sys

import volact


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("codes", nargs="*", default=["0xC004F038", "0xC004F074"])
    ap.add_argument("--json", action="store_true", help="the CLI's JSON records only")
    args = ap.parse_args()

    if args.json:
        records = [volact.explain_json(c) for c in args.codes]
        for r in records:
            print(json.dumps(r))
        return 0 if all(r["known"] for r in records) else 1

    status = 0
    for code in args.codes:
        try:
            e = volact.explain(code)
        except volact.VolactError.UnknownErrorCode as err:
            print(f"{code}  unknown: {err.message}")
            status = 1
            continue
        except volact.VolactError.InvalidErrorCode as err:
            print(f"{code}  not a code: {err.message}")
            status = 1
            continue
        print(f"{e.hex}  {e.applies_to}: {e.message}")
        print(f"  cause: {e.cause}")
        print(f"  fix:   {e.fix}")

    print()
    for s in volact.LicenseStatus:
        print(f"{s.wmi_name} ({s.value}): {s.dli_text}")

    print()
    for what, text in [("activation", "120"), ("renewal", "10080"), ("renewal", "7d")]:
        try:
            minutes = volact.parse_interval(text)
            print(f"{what} interval {minutes} minutes: ok")
        except volact.VolactError.InvalidPolicy as err:
            print(f"{what} interval {text!r}: {err.message} ({err.kind})")
    return status


if __name__ == "__main__":
    sys.exit(main())
