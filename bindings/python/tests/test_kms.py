"""The KMS workflows across the binding, on fake machines: kms-configure (the seed's Table 6
and the other discovery options), kms-deploy (the seed's global topology on four hosts, in
its order, with the planner's publish lists), convert-to-mak; and the options argument of
workflow_plan (text or dict)."""

import json
import subprocess
import sys

import pytest
import volact
from fakes import FakeMachine, sku
from vectors import ENTERPRISE, REPO, TWIN_A, TWIN_B, secret_forms

TOPOLOGY = REPO / "examples" / "kms" / "contoso-global.toml"
EXAMPLE = REPO / "examples" / "python" / "kms_deploy.py"
HELP_URL = "http://contoso.com/help"
TABLE6 = {"discovery": "auto", "host_caching": False, "alternate_url": HELP_URL}
WRITES = (
    "install_product_key",
    "activate",
    "deposit_confirmation_id",
    "set_kms_host",
    "set_kms_lookup_domain",
    "set_host_caching",
    "write_value",
)


def changes(machine):
    """The calls that change the machine (reads left out), in order."""
    return [(m, args) for m, args in machine.calls if m in WRITES]


def machine_plan(plan, name):
    return next(m for m in json.loads(plan)["machines"] if m["machine"] == name)


def progress(run, name):
    return next(p for p in json.loads(run)["progress"] if p["machine"] == name)


def assert_no_key(text, key):
    for form in secret_forms(key):
        assert form not in text


def clients():
    """A Windows 11 Enterprise and a Windows 11 Home ("Core") on the domain, and one that
    does not answer."""
    down = FakeMachine("PC-DOWN", edition="Enterprise", seed=3, network="Domain")
    down.fail["machine_json"] = volact.TargetError.Unreachable("RPC server unavailable")
    return [
        FakeMachine("PC-ENT", edition="Enterprise", seed=1, network="Domain"),
        FakeMachine("PC-HOME", edition="Core", seed=2, network="Domain"),
        down,
    ]


def configure(machines, options):
    """Survey, plan kms-configure with ``options``, run; the plan and the run."""
    survey = volact.workflow_survey(machines)
    plan = volact.workflow_plan("kms-configure", survey, options=options)
    for m in machines:
        m.calls.clear()
    return plan, volact.workflow_run_execute(volact.workflow_run_new(plan), machines)


# --- kms-configure -----------------------------------------------------------------------


def test_table6_installs_the_published_gvlk_and_sets_discovery_caching_and_the_url():
    machines = clients()
    ent, home, down = machines
    plan, run = configure(machines, TABLE6)
    doc = json.loads(plan)
    assert doc["kind"] == "kms-configure"
    assert any("host caching disabled" in n for n in doc["notes"])
    # The GVLK is public (Microsoft publishes it): the plan names it in clear.
    install = machine_plan(plan, "PC-ENT")["actions"][0]
    assert install == {
        "action": "install_gvlk",
        "key": ENTERPRISE,
        "edition": "Windows 11 Enterprise",
    }
    assert changes(ent) == [
        ("install_product_key", (ENTERPRISE,)),
        ("set_kms_host", (None,)),
        ("set_kms_lookup_domain", (None,)),
        ("set_host_caching", (False,)),
        ("write_value", ("AlternateURL", json.dumps({"String": HELP_URL}, separators=(",", ":")))),
        ("activate", (sku("Enterprise"),)),
    ]
    assert json.loads(ent.values["AlternateURL"]) == {"String": HELP_URL}
    assert ent.product["channel"] == "Volume:GVLK"
    assert progress(run, "PC-ENT")["state"] == "done"
    # Home has no GVLK: skipped with the rule before anything reached it.
    skipped = machine_plan(plan, "PC-HOME")
    assert skipped["actions"] == []
    assert skipped["skipped"]["rule"] == "no-gvlk"
    assert "Microsoft publishes no KMS client setup key for Windows 11 Core" in (
        skipped["skipped"]["reason"]
    )
    assert home.calls == []
    assert progress(run, "PC-HOME")["state"] == "skipped"
    assert machine_plan(plan, "#3")["skipped"]["rule"] == "status-unknown"
    assert down.calls == []


def test_table6_renders_as_slmgr_and_powershell():
    survey = volact.workflow_survey(clients())
    plan = volact.workflow_plan("kms-configure", survey, options=TABLE6)
    cmd = volact.workflow_render(plan, "slmgr")
    assert f"%SLMGR% PC-ENT /ipk {ENTERPRISE}" in cmd
    assert "%SLMGR% PC-ENT /ckms" in cmd and "%SLMGR% PC-ENT /ckhc" in cmd
    assert f"/v AlternateURL /t REG_SZ /d \"{HELP_URL}\" /f" in cmd
    assert "rem PC-HOME: skipped (no-gvlk)" in cmd
    ps = volact.workflow_render(plan, "powershell")
    assert "DisableKeyManagementServiceHostCaching -Arguments @{DisableCaching = $true}" in ps
    assert "ClearKeyManagementServiceMachine" in ps


def test_options_as_text_or_dict_give_the_same_plan():
    survey = volact.workflow_survey(clients())
    as_dict = volact.workflow_plan("kms-configure", survey, options=TABLE6)
    as_text = volact.workflow_plan("kms-configure", survey, options=json.dumps(TABLE6))
    assert as_dict == as_text


def test_a_specific_host_or_a_lookup_domain():
    machines = clients()[:1]
    _, run = configure(machines, {"discovery": {"host": "kms1.contoso.com:1688"}})
    assert changes(machines[0]) == [
        ("install_product_key", (ENTERPRISE,)),
        ("set_kms_host", ("kms1.contoso.com:1688",)),
        ("activate", (sku("Enterprise"),)),
    ]
    assert progress(run, "PC-ENT")["state"] == "done"

    machines = clients()[:1]
    configure(machines, {"discovery": {"lookup_domain": "contoso.com"}, "host_caching": True})
    assert changes(machines[0]) == [
        ("install_product_key", (ENTERPRISE,)),
        ("set_kms_host", (None,)),
        ("set_kms_lookup_domain", ("contoso.com",)),
        ("set_host_caching", (True,)),
        ("activate", (sku("Enterprise"),)),
    ]


def test_no_options_are_the_defaults_and_fields_can_be_turned_off():
    machines = clients()[:1]
    plan, _ = configure(machines, None)
    assert configure(clients()[:1], "")[0] == plan == configure(clients()[:1], {})[0]
    assert changes(machines[0]) == [
        ("install_product_key", (ENTERPRISE,)),
        ("set_kms_host", (None,)),
        ("set_kms_lookup_domain", (None,)),
        ("activate", (sku("Enterprise"),)),
    ]
    # Without the GVLK, only KMS clients are configured: nothing is installed, and a machine
    # that does not run a GVLK is skipped (discovery settings would do nothing there).
    kms_client = FakeMachine(
        "PC-KMS", edition="Enterprise", seed=4, network="Domain", channel="Volume:GVLK"
    )
    machines = [kms_client] + clients()[:2]
    plan, _ = configure(
        machines, {"install_gvlk": False, "activate": False, "host_caching": False}
    )
    assert changes(kms_client) == [
        ("set_kms_host", (None,)),
        ("set_kms_lookup_domain", (None,)),
        ("set_host_caching", (False,)),
    ]
    for m in machines[1:]:
        assert changes(m) == []
        assert machine_plan(plan, m.name)["skipped"]["rule"] == "not-kms-client"


@pytest.mark.parametrize(
    "options, detail",
    [
        ({"discovery": "dns"}, "unknown variant `dns`"),
        ({"colour": "blue"}, "unknown field `colour`"),
        ({"discovery": {"host": "kms1:99999"}}, "kms-configure options"),
        ("{not json", "kms-configure options"),
    ],
)
def test_options_that_do_not_read_are_refused(options, detail):
    survey = volact.workflow_survey(clients()[:1])
    with pytest.raises(volact.VolactError.Workflow) as e:
        volact.workflow_plan("kms-configure", survey, options=options)
    assert e.value.kind == "plan_json"
    assert detail in e.value.message


# --- kms-deploy --------------------------------------------------------------------------

HOSTS = ["kms-e1", "kms-e2", "kms-w1", "kms-w2"]
FQDN = {
    "kms-e1": "kms-e1.east.contoso.com",
    "kms-e2": "kms-e2.east.contoso.com",
    "kms-w1": "kms-w1.west.contoso.com",
    "kms-w2": "kms-w2.west.contoso.com",
}
GROUPS = {"east.contoso.com": "KMS_E", "west.contoso.com": "KMS_W"}


@pytest.fixture
def keys():
    """A store with a CSVLK (declared: no catalog knows it) and a MAK."""
    s = volact.MakStore()
    s.add(TWIN_A, declared="csvlk", description="KMS host key", now=0)
    s.add(TWIN_B, declared="mak", description="Lab MAK", now=0)
    return s


def kms_hosts(log):
    """The four hosts of the seed's global scenario, given in another order than the
    topology's, to show the plan's order is the seed's, not the caller's."""
    return [
        FakeMachine(
            name,
            family="Windows Server 2022",
            edition="ServerDatacenter",
            seed=10 + i,
            network="Domain",
            key_channel="Volume:CSVLK",
            log=log,
        )
        for i, name in enumerate(["kms-w2", "kms-e1", "kms-e2", "kms-w1"])
    ]


def deploy_options(**over):
    o = {
        "topology": TOPOLOGY.read_text(encoding="utf-8"),
        "group": "server2022",
        "serves": ["windows10", "windows11"],
        "security_groups": GROUPS,
    }
    o.update(over)
    return o


def test_kms_deploy_follows_the_seeds_order_with_the_planners_publish_lists(keys):
    log = []
    hosts = kms_hosts(log)
    survey = volact.workflow_survey(hosts)
    plan = volact.workflow_plan(
        "kms-deploy", survey, store=keys, mak="2YV66", options=deploy_options()
    )
    doc = json.loads(plan)
    assert doc["kind"] == "kms-deploy"
    assert [m["machine"] for m in doc["machines"]] == HOSTS
    # Each machine's index is its place in the targets given.
    assert [m["index"] for m in doc["machines"]] == [1, 2, 3, 0]
    e1 = doc["machines"][0]["actions"]
    assert [a["action"] for a in e1] == [
        "preflight",
        "set_value",
        "install_key",
        "activate",
        "grant_srv_record",
        "grant_srv_record",
    ]
    assert e1[2]["key_masked"] == "XXXXX-XXXXX-XXXXX-XXXXX-2YV66"
    grants = {a["domain"]: (a["group"], sorted(a["hosts"])) for a in e1[4:]}
    assert grants == {
        "east.contoso.com": ("KMS_E", sorted(FQDN.values())),
        "west.contoso.com": ("KMS_W", sorted(FQDN.values())),
    }
    for m in doc["machines"][1:]:
        assert "grant_srv_record" not in [a["action"] for a in m["actions"]]
    assert_no_key(plan, TWIN_A)

    for h in hosts:
        h.calls.clear()
    log.clear()
    run = volact.workflow_run_execute(volact.workflow_run_new(plan), hosts, keys, "2YV66")
    # The run stops after the first host for the SRV record grants (the seed's order) and
    # goes on when run again.
    first = json.loads(run)
    assert [p["state"] for p in first["progress"]] == ["done", "pending", "pending", "pending"]
    assert "grant KMS_E Read, Write and Delete" in first["waiting"]
    run = volact.workflow_run_execute(run, hosts, keys, "2YV66")
    assert [p["state"] for p in json.loads(run)["progress"]] == ["done"] * 4
    assert "waiting" not in json.loads(run)
    # One host after the other, in the seed's order; the CSVLK reaches install only.
    changed = [(name, m, args) for name, m, args in log if m in WRITES]
    assert [name for name, m, _ in changed if m == "activate"] == HOSTS
    assert [name for name, _, _ in changed] == [h for h in HOSTS for _ in range(3)]
    assert all(args == (TWIN_A,) for _, m, args in changed if m == "install_product_key")
    # The publish lists are the planner's, value for value.
    srv = volact.plan_topology(TOPOLOGY.read_text(encoding="utf-8")).hosts()
    by_name = {h.name: h for h in hosts}
    for name in HOSTS:
        host = by_name[name]
        (write,) = [args for m, args in changes(host) if m == "write_value"]
        assert write[0] == "DnsDomainPublishList"
        expected = srv[FQDN[name]].dns_domain_publish_list
        assert json.loads(write[1]) == {"MultiString": expected}
        assert changes(host) == [
            ("write_value", write),
            ("install_product_key", (TWIN_A,)),
            ("activate", (sku("ServerDatacenter"),)),
        ]
    assert srv["kms-e1.east.contoso.com"].dns_domain_publish_list == [
        "east.contoso.com, 10, 75",
        "west.contoso.com, 90, 75",
    ]
    # What volact cannot do through a target is left to the administrator, by name.
    manual = progress(run, "kms-e1")["manual"]
    assert "grant KMS_E Read, Write and Delete on _vlmcs._tcp.east.contoso.com" in manual
    assert "grant KMS_W Read, Write and Delete on _vlmcs._tcp.west.contoso.com" in manual
    assert any("Key Management Service" in m for m in manual)
    assert_no_key(run, TWIN_A)


def test_kms_deploy_renders_the_grant_and_never_the_csvlk(keys):
    survey = volact.workflow_survey(kms_hosts([]))
    plan = volact.workflow_plan(
        "kms-deploy", survey, store=keys, mak="2YV66", options=deploy_options()
    )
    cmd = volact.workflow_render(plan, "slmgr")
    assert (
        "update-policy { grant kms-e1.east.contoso.com name _vlmcs._tcp.east.contoso.com. SRV;"
        in cmd
    )
    assert "/v DnsDomainPublishList /t REG_MULTI_SZ" in cmd
    assert "%SLMGR% kms-e1 /ipk %VOLACT_KEY%" in cmd
    for text in (cmd, volact.workflow_render(plan, "powershell")):
        assert_no_key(text, TWIN_A)


def test_a_csvlk_group_that_does_not_cover_the_clients_is_refused(keys):
    survey = volact.workflow_survey(kms_hosts([]))
    with pytest.raises(volact.VolactError.Workflow) as e:
        volact.workflow_plan(
            "kms-deploy",
            survey,
            store=keys,
            mak="2YV66",
            options=deploy_options(group="windows10", serves=["server2022"]),
        )
    assert e.value.kind == "input"
    assert "does not activate" in e.value.message
    assert_no_key(e.value.message, TWIN_A)


@pytest.mark.parametrize(
    "mak, over, kind, detail",
    [
        ("6Q83G", {}, "input", "KMS hosts take a CSVLK"),
        (None, {}, "input", "needs the CSVLK from the MAK store"),
        ("2YV66", {"group": "server2099"}, "input", "unknown CSVLK group"),
        ("2YV66", {"serves": ["windows95"]}, "input", "unknown product"),
        ("2YV66", {"topology": "[[host]]\nname = 1\n"}, "input", "topology: "),
        ("2YV66", {"colour": "blue"}, "plan_json", "unknown field `colour`"),
    ],
)
def test_kms_deploy_input_errors(keys, mak, over, kind, detail):
    survey = volact.workflow_survey(kms_hosts([]))
    with pytest.raises(volact.VolactError.Workflow) as e:
        volact.workflow_plan(
            "kms-deploy", survey, store=keys, mak=mak, options=deploy_options(**over)
        )
    assert (e.value.kind, detail in e.value.message) == (kind, True), e.value.message
    for key in (TWIN_A, TWIN_B):
        assert_no_key(e.value.message, key)


def test_kms_deploy_needs_every_planned_host_in_the_survey(keys):
    survey = volact.workflow_survey(kms_hosts([])[:3])  # kms-w1 missing
    with pytest.raises(volact.VolactError.Workflow, match="kms-w1.west.contoso.com is not in"):
        volact.workflow_plan(
            "kms-deploy", survey, store=keys, mak="2YV66", options=deploy_options()
        )
    with pytest.raises(volact.VolactError.Workflow) as e:
        volact.workflow_plan("kms-deploy", survey, store=keys, mak="2YV66")
    assert e.value.kind == "plan_json" and "kms-deploy options" in e.value.message


# --- convert-to-mak ----------------------------------------------------------------------


def test_convert_to_mak_installs_and_activates_kms_clients_only(keys):
    kms_client = FakeMachine("PC-KMS", edition="Enterprise", seed=1, channel="Volume:GVLK")
    retail = FakeMachine("PC-RETAIL", edition="Enterprise", seed=2)
    machines = [kms_client, retail]
    survey = volact.workflow_survey(machines)
    plan = volact.workflow_plan("convert-to-mak", survey, store=keys, mak="6Q83G")
    doc = json.loads(plan)
    assert doc["kind"] == "convert-to-mak"
    assert "without activating" in doc["notes"][0]
    assert [a["action"] for a in machine_plan(plan, "PC-KMS")["actions"]] == [
        "install_key",
        "activate",
    ]
    assert machine_plan(plan, "PC-RETAIL")["skipped"]["rule"] == "not-kms-client"
    assert_no_key(plan, TWIN_B)
    cmd = volact.workflow_render(plan, "slmgr")
    assert "%SLMGR% PC-KMS /ipk %VOLACT_KEY%" in cmd
    assert f"%SLMGR% PC-KMS /ato {sku('Enterprise')}" in cmd

    for m in machines:
        m.calls.clear()
    run = volact.workflow_run_execute(volact.workflow_run_new(plan), machines, keys, "6Q83G")
    assert changes(kms_client) == [
        ("install_product_key", (TWIN_B,)),
        ("activate", (sku("Enterprise"),)),
    ]
    assert kms_client.product["channel"] == "Volume:MAK"
    assert retail.calls == []
    assert [p["state"] for p in json.loads(run)["progress"]] == ["done", "skipped"]
    assert volact.workflow_online_activations(run) == 1
    assert_no_key(run, TWIN_B)
    with pytest.raises(volact.VolactError.Workflow, match="needs a MAK from the MAK store"):
        volact.workflow_plan("convert-to-mak", survey)


def test_configure_then_convert_the_same_machine(keys):
    """A retail-channel Enterprise becomes a KMS client, then a MAK client."""
    machines = clients()[:1]
    configure(machines, TABLE6)
    survey = volact.workflow_survey(machines)
    assert json.loads(survey)[0]["products"][0]["channel"] == "Volume:GVLK"
    plan = volact.workflow_plan("convert-to-mak", survey, store=keys, mak="6Q83G")
    assert machine_plan(plan, "PC-ENT")["skipped"] is None


def test_plan_kinds_include_the_kms_workflows():
    with pytest.raises(volact.VolactError.Workflow) as e:
        volact.workflow_plan("nope", "[]")
    for kind in ("kms-configure", "kms-deploy", "convert-to-mak"):
        assert kind in e.value.message


# --- the example -------------------------------------------------------------------------


def test_example_deploys_the_global_topology_and_configures_clients():
    out = subprocess.run(
        [sys.executable, str(EXAMPLE)], capture_output=True, text=True, check=True, timeout=120
    ).stdout
    assert "CSVLK XXXXX-XXXXX-XXXXX-XXXXX-2YV66 (csvlk)" in out
    lines = out.splitlines()
    order = [line.split(":")[0].strip() for line in lines if line.startswith("  host ")]
    assert order == [f"host {h}" for h in HOSTS]
    assert (
        "  host kms-e1: DnsDomainPublishList = east.contoso.com, 10, 75 | "
        "west.contoso.com, 90, 75" in out
    )
    assert "    by hand: grant KMS_E Read, Write and Delete on _vlmcs._tcp.east.contoso.com" in out
    assert "a windows10 CSVLK refused: " in out and "does not activate" in out
    assert f"  PC-ENT01: done: /ipk {ENTERPRISE}, /ckms, /ckms-domain, /ckhc, AlternateURL" in out
    assert "  PC-HOME01: skipped (no-gvlk)" in out
    assert "4 KMS hosts activated, 2 KMS clients configured, 1 skipped" in out
    assert_no_key(out, TWIN_A)
