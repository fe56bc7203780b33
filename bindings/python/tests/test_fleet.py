"""The fleet simulator from Python: thin glue over volact::fleet::run_toml."""

from pathlib import Path

import pytest

import volact

EXAMPLES = Path(__file__).resolve().parents[3] / "examples" / "kms"


def scenario(clients: int) -> str:
    return (
        "[simulation]\nseed = 5\ndays = 40\n"
        '[[kms]]\nhost = "kms-1.contoso.com"\nkeys = ["windows7-server-b"]\n'
        f'[[clients]]\nname = "c"\ncount = {clients}\nproduct = "windows7"\n'
        'domain = "contoso.com"\n'
    )


def test_the_twenty_fifth_client_brings_activation():
    at_24 = volact.run_scenario(scenario(24))
    at_25 = volact.run_scenario(scenario(25))
    assert at_24["end_status"]["notification"] == 24
    assert [r["code"] for r in at_24["notification"]["reasons"]] == ["0xC004F038"]
    assert at_25["end_status"]["licensed"] == 25
    assert len(at_25["daily"]) == 40
    assert all(sum(d["status"].values()) == 25 for d in at_25["daily"])


def test_same_seed_same_report():
    text = (EXAMPLES / "global.scenario.toml").read_text()
    assert volact.run_scenario(text) == volact.run_scenario(text)


def test_east_outage_raises_the_wan_share():
    base = volact.run_scenario((EXAMPLES / "global.scenario.toml").read_text())
    down = volact.run_scenario((EXAMPLES / "global-east-down.scenario.toml").read_text())
    assert down["wan_share"] > base["wan_share"]


def test_a_bad_scenario_names_the_line():
    with pytest.raises(volact.VolactError.InvalidScenario, match="line 3"):
        volact.run_scenario("[simulation]\nseed = 1\ndays = -3\n")
