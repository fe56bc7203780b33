"""The user catalog across the binding: pkeyconfig import, classification, save/load.

The logic is tested in Rust (crates/volact/src/catalog); these check that each value reaches
Python intact, that errors arrive as the right VolactError, that keys stay masked, and that
the example runs. The pkeyconfig files are the fictitious test files of the core (their
README): group 3892 gets a fictitious Volume:MAK configuration so that the published "twin"
key classifies as a MAK through the catalog.
"""

import json
import subprocess
import sys
import threading

import pytest
import volact
from vectors import ENTERPRISE, REPO, TWIN_B

DATA = REPO / "crates" / "volact" / "tests" / "data" / "pkeyconfig"
EXAMPLE = REPO / "examples" / "python" / "classify_keys.py"
MAK_ID = "{0f1c7e57-0000-4000-8000-00000000a001}"


def load(name):
    return (DATA / name).read_bytes()


def test_empty_catalog_knows_gvlks_only():
    cat = volact.UserCatalog()
    assert cat.configuration_count() == 0
    g = cat.classify(ENTERPRISE.lower())
    assert (g.source, g.channel, g.channel_kind, g.file) == ("gvlk", "Volume:GVLK", "gvlk", None)
    assert g.edition == "Windows 11 Enterprise"
    u = cat.classify(TWIN_B)
    assert u == volact.Classification(
        source="unknown", file=None, channel=None, channel_kind=None, edition=None,
        description=None, act_config_id=None, part_number=None,
    )


def test_import_classifies_the_twin_as_mak():
    cat = volact.UserCatalog()
    r = cat.import_pkeyconfig(load("mak-retail-oem.xrm-ms"), "mak-retail-oem.xrm-ms")
    assert isinstance(r, volact.ImportReport)
    assert (r.file, r.configurations, r.key_ranges, r.orphan_ranges) == (
        "mak-retail-oem.xrm-ms", 3, 4, 1)
    assert r.configurations_by_channel == {"OEM:DM": 1, "Retail": 1, "Volume:MAK": 1}
    assert r.key_ranges_by_channel == {"OEM:DM": 1, "Retail": 1, "Volume:MAK": 2}
    assert r.replaced == []
    c = cat.classify(TWIN_B)
    assert (c.source, c.file, c.channel, c.channel_kind) == (
        "user_catalog", "mak-retail-oem.xrm-ms", "Volume:MAK", "mak")
    assert (c.edition, c.act_config_id, c.part_number) == ("EnterpriseTest", MAK_ID, "X00-00001")
    assert c.description == "Fictitious Enterprise Volume:MAK (test only)"
    # The JSON is the core's, the CLI's `classification`.
    j = json.loads(cat.classify_json(TWIN_B))
    assert j == {
        "source": "user_catalog", "source_file": "mak-retail-oem.xrm-ms",
        "channel": "Volume:MAK", "channel_kind": "mak", "edition": "EnterpriseTest",
        "description": c.description, "act_config_id": MAK_ID, "part_number": "X00-00001",
    }
    # A later file replaces the configuration; bytes-like data is accepted.
    r2 = cat.import_pkeyconfig(bytearray(load("mak-newer.xrm-ms")), "mak-newer.xrm-ms")
    assert r2.replaced == [MAK_ID]
    assert cat.import_pkeyconfig(memoryview(load("utf16.xrm-ms")), "utf16.xrm-ms").configurations >= 1


def test_repr_never_shows_keys():
    cat = volact.UserCatalog()
    cat.import_pkeyconfig(load("mak-retail-oem.xrm-ms"), "mak-retail-oem.xrm-ms")
    assert repr(cat) == str(cat) == "UserCatalog(configurations=3)"
    c = cat.classify(TWIN_B)
    text = repr(c) + str(c) + cat.classify_json(TWIN_B)
    assert text.startswith("Classification(source='user_catalog', file='mak-retail-oem.xrm-ms'")
    for part in TWIN_B.split("-"):
        assert part not in text
    r = cat.import_pkeyconfig(load("csvlk.xrm-ms"), "csvlk.xrm-ms")
    assert repr(r).startswith("ImportReport(file='csvlk.xrm-ms', configurations=1")


@pytest.mark.parametrize(
    "name,kind",
    [
        ("not-xml.xrm-ms", "xml"),
        ("dtd.xrm-ms", "dtd"),
        ("undeclared-entity.xrm-ms", "entity"),
        ("deep.xrm-ms", "too_deep"),
        ("no-payload.xrm-ms", "no_payload"),
        ("wrong-root.xrm-ms", "not_pkeyconfig"),
        ("bad-base64.xrm-ms", "base64"),
        ("truncated-base64.xrm-ms", "base64"),
        ("missing-group.xrm-ms", "missing_field"),
        ("end-before-start.xrm-ms", "bad_value"),
    ],
)
def test_hostile_files_raise_typed_errors_and_import_nothing(name, kind):
    cat = volact.UserCatalog()
    with pytest.raises(volact.VolactError.InvalidPkeyconfig) as e:
        cat.import_pkeyconfig(load("hostile/" + name), name)
    assert e.value.kind == kind
    assert isinstance(e.value, volact.VolactError)
    assert cat.configuration_count() == 0


def test_invalid_key_raises_without_the_key():
    cat = volact.UserCatalog()
    with pytest.raises(volact.VolactError.InvalidKey) as e:
        cat.classify("VKCF7-HV62C-944TY-YJ9NF-6Q83H")
    assert "HV62C" not in str(e.value)
    with pytest.raises(volact.VolactError.InvalidKey):
        cat.classify_json("nope")


def test_save_and_load_round_trip(tmp_path):
    cat = volact.UserCatalog()
    cat.import_pkeyconfig(load("mak-retail-oem.xrm-ms"), "mak-retail-oem.xrm-ms")
    path = tmp_path / "nested" / "catalog.json"
    cat.save(path)  # os.PathLike
    stored = json.loads(path.read_text())
    assert (stored["format"], stored["version"]) == ("volact-user-catalog", 1)
    loaded = volact.UserCatalog.load(str(path))
    assert loaded.configuration_count() == 3
    assert loaded.classify(TWIN_B) == cat.classify(TWIN_B)

    with pytest.raises(volact.VolactError.Io):
        volact.UserCatalog.load(tmp_path / "missing.json")
    bad = tmp_path / "bad.json"
    bad.write_text("[]")
    with pytest.raises(volact.VolactError.InvalidUserCatalog) as e:
        volact.UserCatalog.load(bad)
    assert e.value.kind == "format" and "bad.json" in str(e.value)
    bad.write_text('{"format":"volact-user-catalog","version":9,"configurations":[],"public_keys":[]}')
    with pytest.raises(volact.VolactError.InvalidUserCatalog) as e:
        volact.UserCatalog.load(bad)
    assert e.value.kind == "version"


def test_threads_share_a_catalog():
    cat = volact.UserCatalog()
    errors = []

    def work(i):
        try:
            for _ in range(20):
                cat.import_pkeyconfig(load("mak-retail-oem.xrm-ms"), "mak-retail-oem.xrm-ms")
                assert cat.classify(TWIN_B).channel_kind == "mak"
        except Exception as e:  # pragma: no cover - reported below
            errors.append(e)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert cat.configuration_count() == 3


def test_example_classifies_and_masks(tmp_path):
    catalog = tmp_path / "catalog.json"
    out = subprocess.run(
        [sys.executable, str(EXAMPLE), "--catalog", str(catalog),
         "--pkeyconfig", str(DATA / "mak-retail-oem.xrm-ms"), TWIN_B, ENTERPRISE],
        capture_output=True, text=True, check=True,
    ).stdout
    assert "imported mak-retail-oem.xrm-ms: 3 configurations" in out
    assert "XXXXX-XXXXX-XXXXX-XXXXX-6Q83G\n  Volume:MAK (mak) from user catalog (mak-retail-oem.xrm-ms)" in out
    assert "XXXXX-XXXXX-XXXXX-XXXXX-2YT43\n  Volume:GVLK (gvlk) from published GVLK" in out
    assert "VKCF7" not in out and "NPPR9" not in out
    assert catalog.exists()
    # The saved catalog is used on the next run; --json prints the core's JSON.
    out = subprocess.run(
        [sys.executable, str(EXAMPLE), "--catalog", str(catalog), "--json", TWIN_B],
        capture_output=True, text=True, check=True,
    ).stdout
    assert json.loads(out)["source_file"] == "mak-retail-oem.xrm-ms"
    # A hostile file and a mistyped key: status 1, nothing revealed.
    run = subprocess.run(
        [sys.executable, str(EXAMPLE), "--pkeyconfig", str(DATA / "hostile" / "dtd.xrm-ms"),
         "VKCF7-HV62C-944TY-YJ9NF-6Q83H"],
        capture_output=True, text=True,
    )
    assert run.returncode == 1
    assert "not imported (dtd)" in run.stderr
    assert "XXXXX-XXXXX-XXXXX-XXXXX-6Q83H  invalid:" in run.stdout
    assert "HV62C" not in run.stdout + run.stderr
