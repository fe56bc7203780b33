"""Deploy the KMS hosts of a topology and configure KMS clients, on simulated machines.

1. kms-deploy: the seed's global network (examples/kms/contoso-global.toml: east and west
   contoso.com, two hosts each). volact checks the CSVLK's group covers the clients served
   (a CSVLK of the wrong group is refused, shown below), then plans each host in the seed's
   order: the Key Management Service firewall exception, the host's DnsDomainPublishList
   from the SRV planner, the CSVLK, activation; after the first host activates (and so
   publishes the _vlmcs._tcp records), the grant of the records to the hosts' security
   group. The firewall and the DNS grant are done by hand: the run lists them.
2. kms-configure: the seed's Table 6 on clients: each edition's published GVLK, DNS
   auto-discovery, host caching off, the help-desk AlternateURL; a Windows 11 Home machine
   has no GVLK and is skipped before anything is installed.

The machines are Python objects implementing volact.ActivationTarget, as an embedder's
WMI/CIM or agent code would; here they are fakes in memory that record what they were asked.
The CSVLK is the published test key NJCF7-…-2YV66, declared a CSVLK in an in-memory store;
it is printed masked only (GVLKs are Microsoft's published keys and are printed in full).

Run (after `pip install ./bindings/python`):
    python examples/python/kms_deploy.py [--topology FILE] [--help-url URL]
"""

import argparse
import json
import sys
from pathlib import Path

import volact

TOPOLOGY = Path(__file__).resolve().parents[1] / "kms" / "contoso-global.toml"
CSVLK = "NJCF7-PW8QT-3324D-688JX-2YV66"
WINDOWS_APP = "55c92734-d682-4d71-983e-d6ec3f16059f"
SKU = {  # made-up Activation IDs for the simulation
    "ServerDatacenter": "00000000-0000-4000-8000-000000000010",
    "Enterprise": "00000000-0000-4000-8000-000000000011",
    "Professional": "00000000-0000-4000-8000-000000000012",
    "Core": "00000000-0000-4000-8000-000000000013",
}


def shown(key):
    """A key as the simulated machine logs it: a published GVLK in full, any other masked."""
    k = volact.ProductKey(key)
    return key if k.channel() == "Volume:GVLK" else str(k)


class SimulatedMachine(volact.ActivationTarget):
    """A domain machine in memory; ``log`` keeps what it was asked, as slmgr options."""

    def __init__(self, name, family, edition):
        self.name, self.log, self.values = name, [], {}
        self.product = {
            "activation_id": SKU[edition],
            "application_id": WINDOWS_APP,
            "name": f"Windows(R), {edition} edition",
            "family": family,
            "edition_id": edition,
            "channel": "Retail",
            "license_status": 2,
            "grace_remaining": 43200,
            "installation_id": None,
            "product_key_id": None,
            "partial_product_key": None,
        }

    def machine_json(self):
        return json.dumps(
            {
                "name": self.name,
                "network_type": "Domain",
                "network_name": "contoso.com",
                "os_version": "10.0.20348",
                "mac_addresses": [],
            }
        )

    def products_json(self):
        return json.dumps([self.product])

    def install_product_key(self, key):
        self.log.append(f"/ipk {shown(key)}")
        self.product["partial_product_key"] = key[-5:]
        self.product["channel"] = volact.ProductKey(key).channel() or "Volume:CSVLK"

    def activate(self, activation_id):
        self.log.append("/ato")
        self.product["license_status"] = 1

    def set_kms_host(self, host):
        self.log.append(f"/skms {host}" if host else "/ckms")

    def set_kms_lookup_domain(self, domain):
        self.log.append(f"/skms-domain {domain}" if domain else "/ckms-domain")

    def set_host_caching(self, enabled):
        self.log.append("/skhc" if enabled else "/ckhc")

    def read_value(self, name):
        return self.values.get(name)

    def write_value(self, name, data_json):
        self.log.append(name)
        self.values[name] = data_json


def deploy(topology_path, store):
    """Step 1: the KMS hosts. Returns how many were activated."""
    topology = Path(topology_path).read_text(encoding="utf-8")
    hosts = [
        SimulatedMachine(name, "Windows Server 2022", "ServerDatacenter")
        for name in ("kms-w2", "kms-e1", "kms-w1", "kms-e2")  # any order: the plan orders
    ]
    survey = volact.workflow_survey(hosts)
    options = {
        "topology": topology,
        "group": "server2022",
        "serves": ["windows10", "windows11"],
        "security_groups": {"east.contoso.com": "KMS_E", "west.contoso.com": "KMS_W"},
    }
    entry = store.get("2YV66")
    print(
        f"CSVLK {entry.masked} ({entry.kind}), group {options['group']}, "
        f"serving {', '.join(options['serves'])}"
    )
    try:
        wrong = dict(options, group="windows10", serves=["windows11", "server2022"])
        volact.workflow_plan("kms-deploy", survey, store=store, mak=entry.id, options=wrong)
    except volact.VolactError.Workflow as e:
        print(f"a windows10 CSVLK refused: {e.message}")

    plan = volact.workflow_plan("kms-deploy", survey, store=store, mak=entry.id, options=options)
    order = [m["machine"] for m in json.loads(plan)["machines"]]
    print(f"deploy {topology_path}: {len(order)} hosts in the seed's order")
    run = volact.workflow_run_execute(volact.workflow_run_new(plan), hosts, store, entry.id)
    # The run stops after the first host: the administrator grants the hosts' groups on the
    # _vlmcs._tcp records, then runs it again (the seed's order).
    print(f"  the run waits: {json.loads(run)['waiting']}")
    run = json.loads(volact.workflow_run_execute(run, hosts, store, entry.id))
    by_name = {h.name: h for h in hosts}
    for p in run["progress"]:
        host = by_name[p["machine"]]
        publish = json.loads(host.values["DnsDomainPublishList"])["MultiString"]
        print(f"  host {host.name}: DnsDomainPublishList = {' | '.join(publish)}")
        print(f"    {p['state']}: {', '.join(host.log)}")
        for step in p["manual"]:
            print(f"    by hand: {step}")
    return sum(p["state"] == "done" for p in run["progress"])


def configure(help_url):
    """Step 2: KMS clients with Table 6. Returns (configured, skipped)."""
    clients = [
        SimulatedMachine("PC-ENT01", "Windows 11", "Enterprise"),
        SimulatedMachine("PC-PRO01", "Windows 11", "Professional"),
        SimulatedMachine("PC-HOME01", "Windows 11", "Core"),
    ]
    table6 = {"discovery": "auto", "host_caching": False, "alternate_url": help_url}
    print("configure KMS clients (Table 6: GVLK, DNS auto-discovery, host caching off, "
          f"AlternateURL {help_url})")
    plan = volact.workflow_plan("kms-configure", volact.workflow_survey(clients), options=table6)
    for m in json.loads(plan)["machines"]:
        if m["skipped"]:
            print(f"  {m['machine']}: skipped ({m['skipped']['rule']}): {m['skipped']['reason']}")
    run = json.loads(volact.workflow_run_execute(volact.workflow_run_new(plan), clients))
    by_name = {c.name: c for c in clients}
    for p in run["progress"]:
        if p["state"] != "skipped":
            print(f"  {p['machine']}: {p['state']}: {', '.join(by_name[p['machine']].log)}")
    states = [p["state"] for p in run["progress"]]
    return states.count("done"), states.count("skipped")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--topology", default=TOPOLOGY, help="topology TOML (volact srv plan's)")
    ap.add_argument("--help-url", default="http://contoso.com/help", help="AlternateURL")
    args = ap.parse_args()

    store = volact.MakStore()
    store.add(CSVLK, declared="csvlk", description="KMS host key")
    try:
        hosts = deploy(args.topology, store)
    except volact.VolactError as e:
        print(f"refused: {e}", file=sys.stderr)
        return 1
    done, skipped = configure(args.help_url)
    print(f"{hosts} KMS hosts activated, {done} KMS clients configured, {skipped} skipped")
    return 0


if __name__ == "__main__":
    sys.exit(main())
