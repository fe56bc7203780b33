"""The MAK store across the binding: classification, refusals, snapshots, the 0600 file.

The logic is tested in Rust (crates/volact/src/mak, crates/volact-io); these check that each
value reaches Python intact, that refusals arrive as the right VolactError, that the file is
owner-only, and that the key never appears in any repr, str, exception or list output. The
pkeyconfig files are the fictitious test files of the core (their README): they classify the
published "twin" key as a MAK.
"""

import json
import os
import stat
import subprocess
import sys

import pytest
import volact
from vectors import ENTERPRISE, REPO, TWIN_B

DATA = REPO / "crates" / "volact" / "tests" / "data" / "pkeyconfig"
EXAMPLE = REPO / "examples" / "python" / "mak_store.py"
T0 = 1_700_000_000


def forbidden(key=TWIN_B):
    """Every text that would reveal the key: itself, without dashes, its first four groups."""
    groups = key.split("-")
    return [key, key.replace("-", ""), key.lower(), *groups[:4]]


def assert_masked(text, key=TWIN_B):
    for bad in forbidden(key):
        assert bad.upper() not in text.upper(), (bad, text)


def catalog():
    cat = volact.UserCatalog()
    cat.import_pkeyconfig((DATA / "mak-retail-oem.xrm-ms").read_bytes(), "mak-retail-oem.xrm-ms")
    return cat


def test_twin_is_a_mak_through_the_user_catalog():
    store = volact.MakStore()
    e = store.add(TWIN_B, catalog(), description="Lab MAK", now=T0)
    assert isinstance(e, volact.MakEntry)
    assert (e.kind, e.source, e.source_file) == ("mak", "user_catalog", "mak-retail-oem.xrm-ms")
    assert (e.edition, e.product) == ("EnterpriseTest", "Fictitious Enterprise Volume:MAK (test only)")
    assert (e.masked, e.description, e.added_at, e.snapshots) == (
        "XXXXX-XXXXX-XXXXX-XXXXX-6Q83G", "Lab MAK", T0, [])
    assert len(e.id) == 12
    assert store.get(e.id) == e == store.get("6q83g") == store.get(TWIN_B)
    assert store.list() == [e] and store.count() == 1
    assert repr(store) == str(store) == "MakStore(entries=1)"
    assert not hasattr(e, "key")


def test_unknown_type_refused_until_declared():
    store = volact.MakStore()
    with pytest.raises(volact.VolactError.MakRefused) as exc:
        store.add(TWIN_B, now=T0)
    assert exc.value.kind == "unknown_type"
    assert "XXXXX-XXXXX-XXXXX-XXXXX-6Q83G" in str(exc.value)
    assert_masked(str(exc.value) + repr(exc.value))
    assert store.count() == 0
    with pytest.raises(volact.VolactError.InvalidArgument):
        store.add(TWIN_B, declared="oem", now=T0)
    e = store.add(TWIN_B, None, "MAK", "declared", T0)
    assert (e.kind, e.source, e.source_file, e.edition, e.product) == (
        "mak", "declared", None, None, None)
    # A declaration that contradicts the catalog is refused.
    with pytest.raises(volact.VolactError.MakRefused) as exc:
        volact.MakStore().add(TWIN_B, catalog(), declared="retail", now=T0)
    assert exc.value.kind == "contradiction"
    assert_masked(str(exc.value))


def test_gvlk_duplicate_and_invalid_refused():
    store = volact.MakStore()
    with pytest.raises(volact.VolactError.MakRefused) as exc:
        store.add(ENTERPRISE, catalog(), declared="mak", now=T0)
    assert exc.value.kind == "gvlk"
    assert_masked(str(exc.value), ENTERPRISE)
    store.add(TWIN_B, catalog(), now=T0)
    with pytest.raises(volact.VolactError.MakRefused) as exc:
        store.add(TWIN_B.lower().replace("-", ""), catalog(), now=T0 + 1)
    assert exc.value.kind == "duplicate"
    assert_masked(str(exc.value))
    typo = TWIN_B[:-1] + ("H" if TWIN_B[-1] != "H" else "J")
    with pytest.raises(volact.VolactError.InvalidKey) as exc:
        store.add(typo, declared="mak", now=T0)
    assert_masked(str(exc.value), typo)
    for sel in ("ffff", "nothing"):
        with pytest.raises(volact.VolactError.MakRefused) as exc:
            store.get(sel)
        assert exc.value.kind == "not_found"
    assert store.count() == 1


def test_snapshots_in_time_order_and_remove():
    store = volact.MakStore()
    e = store.add(TWIN_B, catalog(), now=T0)
    store.record_count(e.id, 100, now=T0 + 200)
    store.record_count("6Q83G", 120, now=T0 + 100)
    e2 = store.record_count(e.masked, 90, now=T0 + 300)
    assert e2.snapshots == [
        volact.MakSnapshot(remaining=120, taken_at=T0 + 100),
        volact.MakSnapshot(remaining=100, taken_at=T0 + 200),
        volact.MakSnapshot(remaining=90, taken_at=T0 + 300),
    ]
    # now=None is the current time.
    before = int(__import__("time").time())
    latest = store.record_count(e.id[:4], 80).snapshots[-1]
    assert latest.remaining == 80 and latest.taken_at >= before
    view = json.loads(store.list_json())
    assert view[0]["key"] == e.masked and view[0]["remaining"] == 80
    assert [s["remaining"] for s in view[0]["snapshots"]] == [120, 100, 90, 80]
    assert store.remove(e.id) == store_list_entry(e2, latest)
    assert store.list() == [] and store.list_json() == "[]"


def store_list_entry(e, latest):
    return volact.MakEntry(
        id=e.id, masked=e.masked, kind=e.kind, source=e.source, source_file=e.source_file,
        edition=e.edition, product=e.product, description=e.description, added_at=e.added_at,
        snapshots=e.snapshots + [latest],
    )


def test_save_0600_load_round_trip(tmp_path):
    path = tmp_path / "sub" / "maks.json"
    assert volact.MakStore.load(path).count() == 0  # missing file: empty store
    store = volact.MakStore()
    store.add(TWIN_B, catalog(), description="Lab", now=T0)
    store.record_count("6Q83G", 42, now=T0 + 60)
    store.save(path)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert TWIN_B in path.read_text()  # the file is the one place the key is kept
    loaded = volact.MakStore.load(str(path))
    assert loaded.list() == store.list()
    assert loaded.list_json() == store.list_json()


def test_exposed_and_invalid_files_refused(tmp_path):
    path = tmp_path / "maks.json"
    store = volact.MakStore()
    store.add(TWIN_B, declared="mak", now=T0)
    store.save(path)
    os.chmod(path, 0o644)
    with pytest.raises(volact.VolactError.MakStoreExposed) as exc:
        volact.MakStore.load(path)
    assert "chmod 600" in str(exc.value)
    assert_masked(str(exc.value))
    os.chmod(path, 0o600)
    assert volact.MakStore.load(path).count() == 1
    bad = tmp_path / "bad.json"
    bad.write_text('{"format": "volact-mak-store", "version": 1, "entries": [{"key": "%s"}]}' % TWIN_B)
    os.chmod(bad, 0o600)
    with pytest.raises(volact.VolactError.InvalidMakStore) as exc:
        volact.MakStore.load(bad)
    assert exc.value.kind == "format"
    assert_masked(str(exc.value))
    bad.write_text('{"format": "volact-mak-store", "version": 9, "entries": []}')
    with pytest.raises(volact.VolactError.InvalidMakStore) as exc:
        volact.MakStore.load(bad)
    assert exc.value.kind == "version"


def test_no_output_reveals_the_key():
    store = volact.MakStore()
    cat = catalog()
    e = store.add(TWIN_B, cat, description="Lab", now=T0)
    store.record_count(e.id, 7, now=T0)
    texts = [repr(store), str(store), store.list_json(), repr(store.list()), str(store.list()[0]),
             repr(store.get(TWIN_B)), repr(store.get(e.id).snapshots)]
    for call in (lambda: store.add(TWIN_B, cat, now=T0),
                 lambda: store.add(TWIN_B, cat, declared="csvlk", now=T0),
                 lambda: store.get(TWIN_B.replace("6Q83G", "6Q83H")),
                 lambda: volact.MakStore().remove(TWIN_B)):
        with pytest.raises(volact.VolactError) as exc:
            call()
        texts += [str(exc.value), repr(exc.value), str(exc.value.args)]
    assert_masked("\n".join(texts))
    assert repr(e).startswith("MakEntry(id='%s', masked='XXXXX-XXXXX-XXXXX-XXXXX-6Q83G'" % e.id)


def test_example_runs(tmp_path):
    store = tmp_path / "maks.json"
    run = subprocess.run(
        [sys.executable, str(EXAMPLE), "--store", str(store), "--pkeyconfig",
         str(DATA / "mak-retail-oem.xrm-ms"), "--description", "Lab MAK", "--count", "120",
         "--now", str(T0), "-"],
        input=TWIN_B + "\n", capture_output=True, text=True, check=True,
    )
    assert "added XXXXX-XXXXX-XXXXX-XXXXX-6Q83G as mak (user_catalog)" in run.stdout
    assert "EnterpriseTest  120 remaining at %d  Lab MAK" % T0 in run.stdout
    assert_masked(run.stdout + run.stderr)
    assert stat.S_IMODE(os.stat(store).st_mode) == 0o600
    again = subprocess.run([sys.executable, str(EXAMPLE), "--store", str(store), TWIN_B],
                           capture_output=True, text=True)
    assert again.returncode == 1 and "refused:" in again.stderr
    assert_masked(again.stdout + again.stderr)
    gvlk = subprocess.run([sys.executable, str(EXAMPLE), "--store", str(store), "--type", "mak",
                           ENTERPRISE], capture_output=True, text=True)
    assert gvlk.returncode == 1 and "GVLK" in gvlk.stderr
    assert_masked(gvlk.stderr, ENTERPRISE)
