"""MAK proxy activation of an isolated lab, walked on simulated machines.

The seed's proxy steps 5 (install the MAK, no activation), 6 (save the full CIL), 9 (CIDs
into the proxy-only export) and 12 (apply the CIDs), with 7 and 11 (export, merge) between
them: volact plans and runs each step; the machines are Python objects implementing
volact.ActivationTarget, as an embedder's WMI/CIM or agent code would. Here they are fakes
in memory, and so is the CID source: volact never makes Confirmation IDs, and the
stand-in for Microsoft's clearinghouse below exists only for this example.

The MAK is the published test key VKCF7-…-6Q83G, declared a MAK in an in-memory store; it
is printed masked only. --out DIR writes the CIL files under the seed's names.

Run (after `pip install ./bindings/python`):
    python examples/python/mak_proxy.py [--out DIR]
"""

import argparse
import hashlib
import json
import os
import sys

import volact

MAK = "VKCF7-HV62C-944TY-YJ9NF-6Q83G"
WINDOWS_APP = "55c92734-d682-4d71-983e-d6ec3f16059f"
SKU = {  # made-up Activation IDs for the simulation
    "Professional": "00000000-0000-4000-8000-000000000001",
    "Core": "00000000-0000-4000-8000-000000000002",
}


def with_checks(seed, groups, group_len):
    """Digits in groups, each ending in its mod-7 check digit (volact's ids module)."""
    out = []
    for g in range(groups):
        h = hashlib.sha256(f"{seed}/{g}".encode()).digest()
        data = [b % 10 for b in h[: group_len - 1]]
        check = sum(d * (1 if i % 2 == 0 else 2) for i, d in enumerate(data)) % 7
        out.append("".join(map(str, data)) + str(check))
    return "-".join(out)


class SimulatedMachine(volact.ActivationTarget):
    """One lab machine in memory: installing a key changes its IID, as on Windows; a CID
    deposit succeeds when it is the one the simulated clearinghouse issued for the IID."""

    def __init__(self, name, edition, online=True):
        self.name, self.online = name, online
        self.product = {
            "activation_id": SKU[edition],
            "application_id": WINDOWS_APP,
            "name": f"Windows(R), {edition} edition",
            "family": "Windows 11",
            "edition_id": edition,
            "channel": "Retail",
            "license_status": 2,
            "grace_remaining": 43200,
            "installation_id": with_checks(f"{name}/retail", 9, 7),
            "product_key_id": None,
            "partial_product_key": "3V66T",
        }

    def machine_json(self):
        if not self.online:
            raise volact.TargetError.Unreachable("RPC server unavailable (WMI blocked?)")
        return json.dumps(
            {
                "name": self.name,
                "network_type": "Workgroup",
                "network_name": "ISOLATEDLAB",
                "os_version": "10.0.22631",
                "mac_addresses": [],
            }
        )

    def products_json(self):
        return json.dumps([self.product])

    def install_product_key(self, key):
        self.product.update(
            channel="Volume:MAK",
            partial_product_key=key[-5:],
            installation_id=with_checks(f"{self.name}/{key[-5:]}", 9, 7),
        )

    def activate(self, activation_id):
        raise volact.TargetError.Unreachable("isolated lab: no Internet")

    def deposit_confirmation_id(self, activation_id, installation_id, confirmation_id):
        # Compared as digits: the CIL and slmgr may group them differently.
        if digits(confirmation_id) != digits(simulated_cid(installation_id)):
            raise volact.TargetError.Licensing(0xC004F04D, "the CID does not fit the IID")
        self.product["license_status"] = 1


def digits(text):
    return "".join(c for c in text if c.isdigit())


def simulated_cid(iid):
    return with_checks(f"cid/{digits(iid)}", 8, 6)


class SimulatedClearinghouse(volact.ConfirmationIdSource):
    """Stands in for Microsoft on the Internet host: issues a CID for MAK installations."""

    def __init__(self, mak_iids):
        self.mak_iids = set(mak_iids)

    def confirmation_id(self, installation_id, product_key_id, sku_id):
        return simulated_cid(installation_id) if installation_id in self.mak_iids else None


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", metavar="DIR", help="write the CIL files here")
    args = ap.parse_args()

    def save(name, data):
        if args.out:
            os.makedirs(args.out, exist_ok=True)
            with open(os.path.join(args.out, name), "wb") as f:
                f.write(data)

    steps = {s["number"]: s for s in json.loads(volact.proxy_steps())}
    machines = [
        SimulatedMachine("LAB-PC01", "Professional"),
        SimulatedMachine("LAB-PC02", "Professional"),
        SimulatedMachine("LAB-HOME", "Core"),
        SimulatedMachine("LAB-OFF", "Professional", online=False),
    ]
    store = volact.MakStore()
    mak = store.add(MAK, declared="mak", description="Lab MAK").id
    print(f"{len(machines)} simulated lab machines; MAK {store.get(mak).masked}")

    print(f"step 5: {steps[5]['title']}")
    survey = volact.workflow_survey(machines)
    plan = volact.workflow_plan("proxy-install", survey, store=store, mak=mak)
    for m in json.loads(plan)["machines"]:
        if m["skipped"]:
            print(f"  {m['machine']}: skipped ({m['skipped']['rule']}): {m['skipped']['reason']}")
    run = json.loads(
        volact.workflow_run_execute(volact.workflow_run_new(plan), machines, store, mak)
    )
    done = [p["machine"] for p in run["progress"] if p["state"] == "done"]
    print(f"  MAK installed, not activated: {', '.join(done)}")

    print(f"step 6: {steps[6]['title']}")
    survey = volact.workflow_survey(machines)  # the IIDs changed with the key
    collected = volact.workflow_collect_cil(survey, "Isolated Lab Group")
    full = volact.CilDocument.parse(collected.cil)
    save("IsolatedLabGroup.cil", collected.cil)
    print(f"  IsolatedLabGroup.cil: {full.summary().computers} computers")
    for left in collected.left_out:
        print(f"  left out: {left['reason']}")

    export = full.export(volact.ExportMode.PROXY_ONLY).to_bytes()
    save("IsolatedLabGroupSecureExport.cil", export)
    print(f"  step 7: proxy-only export, {len(export)} bytes, no computer names")

    print(f"step 9: {steps[9]['title']}")
    mak_iids = [
        p["installation_id"]
        for s in json.loads(survey)
        for p in s.get("products") or []
        if p["channel"] == "Volume:MAK"
    ]
    acquired = volact.workflow_acquire(export, SimulatedClearinghouse(mak_iids))
    save("IsolatedLabGroupSecureExportwithCID.cil", acquired.cil)
    outcomes = [r["outcome"] for r in acquired.report["rows"]]
    print(
        f"  {outcomes.count('written')} CIDs written, {outcomes.count('refused')} refused, "
        f"{outcomes.count('not_available')} not available (simulated clearinghouse)"
    )

    decisions = full.merge(volact.CilDocument.parse(acquired.cil))
    merged = full.to_bytes()
    save("IsolatedLabGroupwithCID.cil", merged)
    applied = sum(d.outcome == "applied" for d in decisions)
    print(f"  step 11: {applied} CIDs merged into IsolatedLabGroupwithCID.cil (keep it: step 13)")

    print(f"step 12: {steps[12]['title']}")
    plan = volact.workflow_plan("proxy-apply", survey, cil=merged)
    atp = [line for line in volact.workflow_render(plan, "slmgr").splitlines() if "/atp" in line]
    print(f"  slmgr rendering: {len(atp)} /atp lines")
    run = json.loads(volact.workflow_run_execute(volact.workflow_run_new(plan), machines))
    for p in run["progress"]:
        if p["state"] == "skipped":
            continue
        status = p["license_status"]
        name = volact.LicenseStatus.from_wmi(status).wmi_name if status is not None else "?"
        print(f"  {p['machine']}: {p['state']}, license status {status} ({name})")
    return 0 if all(p["state"] in ("done", "skipped") for p in run["progress"]) else 1


if __name__ == "__main__":
    sys.exit(main())
