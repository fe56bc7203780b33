"""Workflows across the binding: Python machines (ActivationTarget) and CID sources
(ConfirmationIdSource) driven by the core's workflow::api — survey, MAK independent and
proxy activation plans, renderings, runs with failures, CIL collect/acquire/merge/apply."""

import json
import subprocess
import sys

import pytest
import volact
from fakes import C004F04D, FakeMachine, digits, make_cid, make_iid, sku
from vectors import REPO, TWIN_B, secret_forms

EXAMPLE = REPO / "examples" / "python" / "mak_proxy.py"


def test_generated_ids_pass_volacts_check():
    for seed in range(20):
        iid, cid = volact.check_id(make_iid(seed)), volact.check_id(make_cid(seed))
        assert (iid.valid, iid.kind, iid.digits) == (True, "installation_id", 63)
        assert (cid.valid, cid.kind, cid.digits) == (True, "confirmation_id", 48)
    bad = make_iid(1)[:-1] + str((int(make_iid(1)[-1]) + 1) % 10)
    assert volact.check_id(bad).bad_groups == [8]


def lab():
    """Two Pro machines, a retail Home ("Core") on Windows 11, and one that is offline."""
    offline = FakeMachine("LAB-OFF", seed=4)
    offline.fail["machine_json"] = volact.TargetError.Unreachable("RPC server unavailable")
    return [
        FakeMachine("LAB-PC01", seed=1),
        FakeMachine("LAB-PC02", seed=2),
        FakeMachine("LAB-HOME", edition="Core", seed=3),
        offline,
    ]


@pytest.fixture
def store():
    s = volact.MakStore()
    s.add(TWIN_B, declared="mak", description="Lab MAK", now=0)
    return s


def machine_plan(plan, name):
    return next(m for m in json.loads(plan)["machines"] if m["machine"] == name)


def progress(run, name):
    return next(p for p in json.loads(run)["progress"] if p["machine"] == name)


def assert_no_key(text):
    for form in secret_forms(TWIN_B):
        assert form not in text


# --- survey ------------------------------------------------------------------------------


def test_survey_json_has_each_machine_or_its_error():
    machines = lab()
    survey = json.loads(volact.workflow_survey(machines))
    assert len(survey) == 4
    assert survey[0]["machine"]["name"] == "LAB-PC01"
    assert survey[0]["machine"]["network_type"] == "Workgroup"
    (p,) = survey[0]["products"]
    assert p["activation_id"] == sku("Professional")
    assert (p["channel"], p["license_status"], p["installation_id"]) == (
        "Retail",
        2,
        make_iid(1),
    )
    assert survey[2]["products"][0]["edition_id"] == "Core"
    assert survey[3] == {"error": {"kind": "unreachable", "detail": "RPC server unavailable"}}
    # Only reads happened.
    assert {m for t in machines for m, _ in t.calls} == {"machine_json", "products_json"}


def test_the_collection_script_writes_every_field_a_survey_has():
    script = volact.workflow_collect_script()
    survey = json.loads(volact.workflow_survey(lab()[:1]))[0]
    fields = set(survey["machine"]) | set(survey["products"][0])
    assert fields, survey
    for field in fields:
        assert field in script, field
    assert "SoftwareLicensingProduct" in script and "ConvertTo-Json" in script


def test_survey_takes_any_iterable_and_the_json_feeds_the_next_call():
    survey = volact.workflow_survey(iter(lab()[:1]))
    assert json.loads(volact.workflow_plan("preflight", json.loads(survey)))["kind"] == (
        "preflight"
    )


def test_unexpected_exceptions_and_bad_answers_fail_only_their_machine():
    boom = FakeMachine("BOOM", seed=5)
    boom.fail["machine_json"] = ValueError("wmi exploded")
    not_json = FakeMachine("NOTJSON", seed=6)
    not_json.machine_json = lambda: "{not json"
    wrong_type = FakeMachine("WRONGTYPE", seed=7)
    wrong_type.products_json = lambda: [{"activation_id": "x"}]  # a list, not its JSON text
    ok = FakeMachine("OK", seed=8)

    class Bare(volact.ActivationTarget):
        pass  # implements nothing: the generated base raises NotImplementedError

    survey = json.loads(volact.workflow_survey([boom, not_json, wrong_type, Bare(), ok]))
    errors = [s.get("error") for s in survey]
    assert errors[0]["kind"] == "other"
    assert "ValueError" in errors[0]["detail"] and "wmi exploded" in errors[0]["detail"]
    assert errors[1]["kind"] == "other" and "machine JSON is not valid" in errors[1]["detail"]
    # uniffi lowers the returned value without a type check: whatever it raises is contained.
    assert errors[2]["kind"] == "other" and "'list'" in errors[2]["detail"]
    assert errors[3]["kind"] == "other" and "NotImplementedError" in errors[3]["detail"]
    assert errors[4] is None and survey[4]["machine"]["name"] == "OK"


def test_targets_must_subclass_activation_target():
    class Duck:
        def machine_json(self):
            return "{}"

    with pytest.raises(TypeError, match="subclass volact.ActivationTarget"):
        volact.workflow_survey([Duck()])
    with pytest.raises(TypeError, match="subclass volact.ConfirmationIdSource"):
        volact.workflow_acquire(b"", Duck())


# --- MAK independent activation ----------------------------------------------------------


def test_mak_independent_plan_skips_the_retail_edition_with_the_rule(store):
    survey = volact.workflow_survey(lab())
    plan = volact.workflow_plan("mak-independent", survey, store=store, mak="6Q83G")
    doc = json.loads(plan)
    assert doc["kind"] == "mak-independent"
    pc1 = machine_plan(plan, "LAB-PC01")
    assert pc1["skipped"] is None
    assert [a["action"] for a in pc1["actions"]] == ["install_key", "activate"]
    assert pc1["actions"][0]["key_masked"] == "XXXXX-XXXXX-XXXXX-XXXXX-6Q83G"
    assert pc1["actions"][0]["key_id"] == store.get("6Q83G").id
    assert pc1["actions"][1]["activation_id"] == sku("Professional")
    home = machine_plan(plan, "LAB-HOME")
    assert home["actions"] == []
    assert home["skipped"]["rule"] == "mak-on-retail-edition"
    assert "Windows 11 Core is a retail edition" in home["skipped"]["reason"]
    assert machine_plan(plan, "#4")["skipped"]["rule"] == "status-unknown"
    assert_no_key(plan)


def test_renderings_hold_the_commands_and_never_the_key(store):
    survey = volact.workflow_survey(lab())
    plan = volact.workflow_plan("mak-independent", survey, store=store, mak="6Q83G")
    cmd = volact.workflow_render(plan, "slmgr")
    assert "%SLMGR% LAB-PC01 /ipk %VOLACT_KEY%" in cmd
    assert f"%SLMGR% LAB-PC01 /ato {sku('Professional')}" in cmd
    assert f"%SLMGR% LAB-PC02 /ato {sku('Professional')}" in cmd
    assert "rem LAB-HOME: skipped (mak-on-retail-edition)" in cmd
    assert "LAB-HOME /ipk" not in cmd
    ps = volact.workflow_render(plan, "powershell")
    assert "New-CimSession -ComputerName 'LAB-PC01'" in ps
    assert "-MethodName InstallProductKey -Arguments @{ProductKey = $env:VOLACT_KEY}" in ps
    assert f"-Filter \"ID='{sku('Professional')}'\"" in ps
    assert "-MethodName Activate" in ps
    assert "# LAB-HOME: skipped (mak-on-retail-edition)" in ps
    assert json.loads(volact.workflow_render(plan, "json")) == json.loads(plan)
    for text in (cmd, ps):
        assert_no_key(text)
    with pytest.raises(volact.VolactError.Workflow) as e:
        volact.workflow_render(plan, "bash")
    assert e.value.kind == "input" and "slmgr, powershell or json" in e.value.message


def test_run_installs_and_activates_and_the_key_reaches_only_install(store):
    machines = lab()
    survey = volact.workflow_survey(machines)
    plan = volact.workflow_plan("mak-independent", survey, store=store, mak="6Q83G")
    run = volact.workflow_run_new(plan)
    assert [p["state"] for p in json.loads(run)["progress"]] == [
        "pending",
        "pending",
        "skipped",
        "skipped",
    ]
    for m in machines:
        m.calls.clear()
    run = volact.workflow_run_execute(run, machines, store=store, mak="6Q83G")
    states = {p["machine"]: p["state"] for p in json.loads(run)["progress"]}
    assert states == {
        "LAB-PC01": "done",
        "LAB-PC02": "done",
        "LAB-HOME": "skipped",
        "#4": "skipped",
    }
    pc1, pc2, home, offline = machines
    for m in (pc1, pc2):
        acts = [(name, args) for name, args in m.calls if name not in ("products_json",)]
        assert acts == [
            ("install_product_key", (TWIN_B,)),
            ("activate", (sku("Professional"),)),
        ]
        assert m.product["license_status"] == 1
        assert progress(run, m.name)["license_status"] == 1
    assert home.calls == [] and offline.calls == []
    # The key crossed into Python only as install_product_key's argument.
    for m in machines:
        for name, args in m.calls:
            if name != "install_product_key":
                assert TWIN_B not in repr(args)
    assert_no_key(run)
    # Two online activations: the store's count snapshot follows them.
    assert volact.workflow_online_activations(run) == 2
    assert store.record_activations("6Q83G", 2, now=10) is None  # no count recorded yet
    store.record_count("6Q83G", 50, now=20)
    entry = store.record_activations("6Q83G", volact.workflow_online_activations(run), now=30)
    assert [(s.remaining, s.taken_at) for s in entry.snapshots] == [(50, 20), (48, 30)]


def test_a_licensing_error_fails_that_machine_with_its_code_and_the_run_resumes(store):
    machines = lab()
    pc1, pc2 = machines[:2]
    pc1.fail["activate"] = volact.TargetError.Licensing(code=C004F04D, detail="rejected")
    survey = volact.workflow_survey(machines)
    plan = volact.workflow_plan("mak-independent", survey, store=store, mak="6Q83G")
    run = volact.workflow_run_execute(volact.workflow_run_new(plan), machines, store, "6Q83G")
    p1 = progress(run, "LAB-PC01")
    assert (p1["state"], p1["action"], p1["done"]) == ("failed", 1, 1)
    assert p1["error"] == {"kind": "licensing", "code": C004F04D, "detail": "rejected"}
    assert progress(run, "LAB-PC02")["state"] == "done"
    assert pc2.product["license_status"] == 1
    # Resume from the saved JSON: only the failed action is retried.
    del pc1.fail["activate"]
    pc1.calls.clear()
    run = volact.workflow_run_execute(json.loads(run), machines, store, "6Q83G")
    assert progress(run, "LAB-PC01")["state"] == "done"
    assert [n for n, _ in pc1.calls if n != "products_json"] == ["activate"]


def test_an_unexpected_exception_in_a_run_is_contained(store):
    machines = lab()
    pc1 = machines[0]
    pc1.fail["install_product_key"] = RuntimeError("agent lost")
    survey = volact.workflow_survey(machines)
    plan = volact.workflow_plan("mak-independent", survey, store=store, mak="6Q83G")
    run = volact.workflow_run_execute(volact.workflow_run_new(plan), machines, store, "6Q83G")
    p1 = progress(run, "LAB-PC01")
    assert (p1["state"], p1["action"]) == ("failed", 0)
    assert p1["error"]["kind"] == "other"
    assert "RuntimeError" in p1["error"]["detail"] and "agent lost" in p1["error"]["detail"]
    assert progress(run, "LAB-PC02")["state"] == "done"
    assert_no_key(run)


def test_ctrl_c_in_a_target_fails_its_action_stops_the_run_and_is_raised_again(store):
    # ctypes would swallow a KeyboardInterrupt raised in a callback and Rust would read the
    # action as done; the package's guard makes it a failure and raises it afterwards.
    machines = lab()
    pc1, pc2 = machines[:2]
    pc1.fail["activate"] = KeyboardInterrupt()
    survey = volact.workflow_survey(machines)
    plan = volact.workflow_plan("mak-independent", survey, store=store, mak="6Q83G")
    with pytest.raises(KeyboardInterrupt) as e:
        volact.workflow_run_execute(volact.workflow_run_new(plan), machines, store, "6Q83G")
    run = e.value.volact_result
    p1, p2 = progress(run, "LAB-PC01"), progress(run, "LAB-PC02")
    assert (p1["state"], p1["action"], p1["error"]["kind"]) == ("failed", 1, "other")
    assert "interrupted by KeyboardInterrupt()" in p1["error"]["detail"]
    assert (p2["state"], p2["action"]) == ("failed", 0)
    assert "not run: interrupted" in p2["error"]["detail"]
    assert not any(n == "install_product_key" for n, _ in pc2.calls)
    assert pc2.product["license_status"] == 2
    # The saved result resumes the run.
    del pc1.fail["activate"]
    run = volact.workflow_run_execute(run, machines, store, "6Q83G")
    assert [p["state"] for p in json.loads(run)["progress"]][:2] == ["done", "done"]


def test_system_exit_in_a_survey_is_raised_with_the_survey():
    machines = lab()
    machines[1].fail["machine_json"] = SystemExit(3)
    with pytest.raises(SystemExit) as e:
        volact.workflow_survey(machines)
    survey = json.loads(e.value.volact_result)
    assert survey[0]["machine"]["name"] == "LAB-PC01"
    assert "interrupted by SystemExit(3)" in survey[1]["error"]["detail"]
    assert "not run: interrupted" in survey[2]["error"]["detail"]


def test_a_run_without_the_key_fails_the_install_not_the_call(store):
    machines = lab()
    survey = volact.workflow_survey(machines)
    plan = volact.workflow_plan("mak-independent", survey, store=store, mak="6Q83G")
    run = volact.workflow_run_execute(volact.workflow_run_new(plan), machines)
    assert "was not given" in progress(run, "LAB-PC01")["error"]["detail"]
    assert not any(n == "install_product_key" for m in machines for n, _ in m.calls)


def test_workflow_errors(store):
    survey = volact.workflow_survey(lab()[:1])
    with pytest.raises(volact.VolactError.Workflow) as e:
        volact.workflow_plan("mak-independent", survey)
    assert e.value.kind == "input" and "needs a key from the MAK store" in e.value.message
    with pytest.raises(volact.VolactError.Workflow) as e:
        volact.workflow_plan("nope", survey)
    assert "unknown plan" in e.value.message
    with pytest.raises(volact.VolactError.Workflow) as e:
        volact.workflow_plan("preflight", "[{")
    assert e.value.kind == "plan_json"
    with pytest.raises(volact.VolactError.InvalidArgument):
        volact.workflow_plan("mak-independent", survey, mak="6Q83G")
    with pytest.raises(volact.VolactError.MakRefused) as e:
        volact.workflow_plan("mak-independent", survey, store=store, mak="ZZZZZ")
    assert e.value.kind == "not_found"
    with pytest.raises(volact.VolactError.Workflow) as e:
        volact.workflow_plan("proxy-apply", survey)
    assert "needs the merged CIL" in e.value.message
    with pytest.raises(volact.VolactError.Workflow) as e:
        volact.workflow_plan("proxy-apply", survey, cil=b"not xml")
    assert "CIL:" in e.value.message
    plan = volact.workflow_plan("mak-independent", survey, store=store, mak="6Q83G")
    with pytest.raises(volact.VolactError.Workflow) as e:
        volact.workflow_run_execute(volact.workflow_run_new(plan), [], store, "6Q83G")
    assert e.value.kind == "input" and "is target #1, but 0 targets were given" in e.value.message
    assert issubclass(volact.VolactError.Workflow, volact.VolactError)


def test_preflight_plan_renders_kms_reachability():
    survey = volact.workflow_survey(lab()[:1])
    plan = volact.workflow_plan("preflight", survey, kms_hosts="kms1.lab.test")
    cmd = volact.workflow_render(plan, "slmgr")
    assert "Windows Management Instrumentation (WMI)" in cmd
    assert "LocalAccountTokenFilterPolicy" in cmd  # a workgroup machine
    assert "'kms1.lab.test' -Port 1688" in cmd


# --- MAK proxy activation ----------------------------------------------------------------


class IssuingSource(volact.ConfirmationIdSource):
    """Stands in for Microsoft's clearinghouse: a fixed CID per known IID (built with valid
    check digits), a refusal for ``refuse``, an unexpected exception for ``explode``."""

    def __init__(self, cids, refuse=(), explode=()):
        self.cids = {digits(i): c for i, c in cids.items()}
        self.refuse = {digits(i) for i in refuse}
        self.explode = {digits(i) for i in explode}
        self.asked = []

    def confirmation_id(self, installation_id, product_key_id, sku_id):
        self.asked.append((installation_id, product_key_id, sku_id))
        d = digits(installation_id)
        if d in self.refuse:
            raise volact.CidSourceError.Refused(code=0x7F, detail="MAK activation limit exceeded")
        if d in self.explode:
            raise KeyError("clearinghouse down")
        return self.cids.get(d)


def proxy_lab(store):
    """Steps 5 and 6: the MAK installed without activation, then the full CIL collected."""
    machines = lab()
    survey = volact.workflow_survey(machines)
    plan = volact.workflow_plan("proxy-install", survey, store=store, mak="6Q83G")
    assert machine_plan(plan, "LAB-HOME")["skipped"]["rule"] == "mak-on-retail-edition"
    run = volact.workflow_run_execute(volact.workflow_run_new(plan), machines, store, "6Q83G")
    p1 = progress(run, "LAB-PC01")
    assert p1["state"] == "done"
    assert p1["installation_ids"] == [[sku("Professional"), make_iid(1001)]]
    assert not any(n == "activate" for m in machines for n, _ in m.calls)
    survey = volact.workflow_survey(machines)  # step 3 again: the IIDs changed with the key
    return machines, survey


def test_collect_acquire_merge_and_apply(store):
    machines, survey = proxy_lab(store)
    pc1, pc2, home, _ = machines
    collected = volact.workflow_collect_cil(survey, "Isolated Lab Group")
    assert isinstance(collected, volact.CollectedCil)
    assert collected.left_out == [
        {"rule": "unreachable", "reason": "#4: unreachable: RPC server unavailable"}
    ]
    full = volact.CilDocument.parse(collected.cil)
    assert [c.name for c in full.computers()] == ["LAB-PC01", "LAB-PC02", "LAB-HOME"]
    assert full.computers()[0].groups == ["Isolated Lab Group"]
    assert b"PendingConfirmationId" not in collected.cil

    # Step 7: the proxy-only export crosses to the Internet host; step 9 fills it.
    export = full.export(volact.ExportMode.PROXY_ONLY).to_bytes()
    assert b"LAB-PC01" not in export
    cid1, cid2 = make_cid(1), make_cid(2)
    pc1.cids[digits(make_iid(1001))] = cid1
    pc2.cids[digits(make_iid(1002))] = cid2
    source = IssuingSource({make_iid(1001): cid1, make_iid(1002): cid2}, refuse=[make_iid(3)])
    acquired = volact.workflow_acquire(bytearray(export), source)
    assert isinstance(acquired, volact.AcquiredCil)
    assert b"PendingConfirmationId" in acquired.cil
    assert cid1.encode() in acquired.cil and cid2.encode() in acquired.cil
    rows = acquired.report["rows"]
    assert [r["outcome"] for r in rows] == ["written", "written", "refused"]
    assert (rows[2]["code"], rows[2]["detail"]) == (0x7F, "MAK activation limit exceeded")
    assert [a[2] for a in source.asked] == [sku("Professional")] * 2 + [sku("Core")]
    assert json.loads(acquired.report_json) == acquired.report

    # Step 11: merged into the full CIL; step 12: a proxy-apply plan from the merged bytes.
    decisions = full.merge(volact.CilDocument.parse(acquired.cil))
    assert [d.outcome for d in decisions] == ["applied", "applied"]
    merged = full.to_bytes()
    plan = volact.workflow_plan("proxy-apply", survey, cil=merged)
    cmd = volact.workflow_render(plan, "slmgr")
    assert f"%SLMGR% LAB-PC01 /atp {digits(cid1)} {sku('Professional')}" in cmd
    assert f"%SLMGR% LAB-PC02 /atp {digits(cid2)} {sku('Professional')}" in cmd
    assert "rem LAB-HOME: skipped (no-cid)" in cmd
    ps = volact.workflow_render(plan, "powershell")
    assert ps.count("-MethodName DepositOfflineConfirmationId") == 2

    for m in machines:
        m.calls.clear()
    run = volact.workflow_run_execute(volact.workflow_run_new(plan), machines)
    states = [p["state"] for p in json.loads(run)["progress"]]
    assert states == ["done", "done", "skipped", "skipped"]
    deposits = [args for n, args in pc1.calls if n == "deposit_confirmation_id"]
    assert [(a, digits(i), digits(c)) for a, i, c in deposits] == [
        (sku("Professional"), digits(make_iid(1001)), digits(cid1))
    ]
    assert pc1.product["license_status"] == pc2.product["license_status"] == 1
    assert home.calls == []
    assert not any(n in ("activate", "install_product_key") for m in machines for n, _ in m.calls)


def test_a_cid_for_another_iid_is_refused_by_the_machine_with_0xc004f04d(store):
    machines, survey = proxy_lab(store)
    pc1 = machines[0]
    full = volact.CilDocument.parse(volact.workflow_collect_cil(survey, "").cil)
    source = IssuingSource({make_iid(1001): make_cid(1), make_iid(1002): make_cid(2)})
    acquired = volact.workflow_acquire(full.to_bytes(), source)  # the full CIL works too
    pc1.cids[digits(make_iid(1001))] = make_cid(99)  # the machine expects another CID
    machines[1].cids[digits(make_iid(1002))] = make_cid(2)
    plan = volact.workflow_plan("proxy-apply", survey, cil=acquired.cil)
    run = volact.workflow_run_execute(volact.workflow_run_new(plan), machines)
    p1 = progress(run, "LAB-PC01")
    assert p1["state"] == "failed"
    assert p1["error"] == {
        "kind": "licensing",
        "code": C004F04D,
        "detail": "the CID does not match the IID",
    }
    assert progress(run, "LAB-PC02")["state"] == "done"


def test_cid_source_failures_are_per_product():
    machines = lab()[:3]
    survey = volact.workflow_survey(machines)
    cil = volact.workflow_collect_cil(survey).cil

    class Garbage(volact.ConfirmationIdSource):
        def confirmation_id(self, installation_id, product_key_id, sku_id):
            return "12345"

    rows = volact.workflow_acquire(cil, Garbage()).report["rows"]
    assert {r["outcome"] for r in rows} == {"invalid_cid"}

    source = IssuingSource({make_iid(1): make_cid(1)}, explode=[make_iid(2)])
    acquired = volact.workflow_acquire(memoryview(cil), source)
    rows = acquired.report["rows"]
    assert [r["outcome"] for r in rows] == ["written", "refused", "not_available"]
    assert rows[1]["code"] == 0
    assert "KeyError" in rows[1]["detail"] and "clearinghouse down" in rows[1]["detail"]
    # A second pass asks only for what is still missing.
    again = volact.workflow_acquire(acquired.cil, IssuingSource({})).report["rows"]
    assert [r["outcome"] for r in again] == ["already_has_cid", "not_available", "not_available"]


def test_proxy_steps_are_the_seeds_thirteen():
    steps = json.loads(volact.proxy_steps())
    assert [s["number"] for s in steps] == list(range(1, 14))
    assert steps[8]["title"] == "Request CIDs from Microsoft"
    assert steps[8]["runs_on"] == "internet" and "must be selected" in steps[8]["note"]
    assert steps[11]["runs_on"] == "lab"


def test_records_repr_shows_sizes_not_bytes():
    c = volact.workflow_collect_cil("[]")
    assert repr(c).startswith("CollectedCil(cil=<") and "bytes>" in repr(c)
    assert c.left_out == []


def test_example_walks_the_proxy_steps():
    out = subprocess.run(
        [sys.executable, str(EXAMPLE)], capture_output=True, text=True, check=True, timeout=120
    ).stdout
    assert "step 5: Install the MAK on the Isolated Lab computers" in out
    assert "step 6: Save the CIL" in out
    assert "step 9: Request CIDs from Microsoft" in out
    assert "step 12: Apply the CIDs, and activate the Isolated Lab computers" in out
    assert "LAB-HOME: skipped (mak-on-retail-edition)" in out
    assert "2 CIDs written, 0 refused" in out
    assert "LAB-PC01: done, license status 1 (Licensed)" in out
    assert "LAB-PC02: done, license status 1 (Licensed)" in out
    assert_no_key(out)
