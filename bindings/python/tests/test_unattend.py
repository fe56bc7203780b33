"""Unattend.xml answer files across the binding: show (masked report JSON), set_key and
scrub on the core's fixtures, byte for byte outside the key spans, in UTF-8 and UTF-16;
hostile files and bad keys as typed errors that never hold the key; the example."""

import json
import os
import re
import stat
import subprocess
import sys

import pytest
import volact
from vectors import ENTERPRISE, REPO, TWIN_B, secret_forms

DATA = REPO / "crates" / "volact" / "tests" / "data"
MAK_FILE = (DATA / "unattend" / "mak-both-places.xml").read_bytes()
GVLK_FILE = (DATA / "unattend" / "gvlk-specialize-only.xml").read_bytes()
PKEYCONFIG = DATA / "pkeyconfig" / "mak-retail-oem.xrm-ms"
EXAMPLE = REPO / "examples" / "python" / "unattend.py"
PRO = "W269N-WFGWX-YVC9B-4J6C9-T83GX"  # Windows 10/11 Pro GVLK
SCRUBBED = b"SENSITIVE*DATA*DELETED"
SETUP = "windowsPE/Microsoft-Windows-Setup/UserData/ProductKey/Key"
SHELL = "specialize/Microsoft-Windows-Shell-Setup/ProductKey"


def only_replaced(before, after, edits):
    """``after`` is ``before`` with each (old, new) replaced once, in order, and not one other
    byte changed."""
    expected, at = bytearray(before), 0
    for old, new in edits:
        i = bytes(expected).index(old, at)
        expected[i : i + len(old)] = new
        at = i + len(new)
    assert after == bytes(expected)


def key_shaped(text):
    """Every piece of ``text`` that passes the key syntax rules (checksum or not), with or
    without dashes: 25 key symbols in a run of letters, digits and dashes. A masked key
    (``XXXXX-XXXXX-XXXXX-XXXXX-6Q83G``) passes them too, and is not one."""
    found = []
    for run in re.findall(r"[A-Za-z0-9-]+", text):
        symbols = run.replace("-", "")
        for i in range(len(symbols) - 24):
            window = symbols[i : i + 25]
            if window[:20].upper() == "X" * 20:
                continue
            if volact.inspect_key(window).fingerprint is not None:
                found.append(run)
                break
    return found


def assert_no_key(text, key=TWIN_B):
    for form in secret_forms(key):
        assert form not in text, form


def utf16(data, le):
    return (b"\xff\xfe" if le else b"\xfe\xff") + data.decode("utf-8").encode(
        "utf-16-le" if le else "utf-16-be"
    )


def places(file, catalog=None):
    return json.loads(volact.unattend_show(file, catalog))["places"]


# --- show --------------------------------------------------------------------------------


def test_show_reports_every_place_with_masked_keys_only():
    text = volact.unattend_show(MAK_FILE)
    assert isinstance(text, str)
    report = json.loads(text)
    assert [(p["kind"], p["path"], p["line"]) for p in report["places"]] == [
        ("setup_user_data", SETUP, 8),
        ("shell_setup", SHELL, 19),
        ("other_text", "key-shaped text", 27),
    ]
    for p in report["places"]:
        assert p["value"] == {
            "state": "key",
            "masked": "XXXXX-XXXXX-XXXXX-XXXXX-6Q83G",
            "kind": "unknown",
            "editions": [],
        }
    assert len(report["warnings"]) == 2
    assert "stored in clear text" in report["warnings"][0]
    assert "setup does not scrub them" in report["warnings"][1]
    assert_no_key(text)
    assert key_shaped(text) == []


def test_show_with_a_catalog_names_the_mak_and_gvlks_need_none():
    catalog = volact.UserCatalog()
    catalog.import_pkeyconfig(PKEYCONFIG.read_bytes(), PKEYCONFIG.name)
    assert {p["value"]["kind"] for p in places(MAK_FILE, catalog)} == {"mak"}
    assert places(GVLK_FILE) == [
        {"kind": "setup_user_data", "path": SETUP, "line": 7, "value": {"state": "empty"}},
        {
            "kind": "shell_setup",
            "path": SHELL,
            "line": 14,
            "value": {
                "state": "key",
                "masked": "XXXXX-XXXXX-XXXXX-XXXXX-2YT43",
                "kind": "gvlk",
                "editions": ["Windows 11 Enterprise", "Windows 10 Enterprise"],
            },
        },
    ]
    assert json.loads(volact.unattend_show(GVLK_FILE))["warnings"] == []
    assert ENTERPRISE not in volact.unattend_show(GVLK_FILE)  # masked, although public


# --- set_key -----------------------------------------------------------------------------


def test_set_key_changes_the_two_places_and_not_one_other_byte():
    out = volact.unattend_set_key(MAK_FILE, PRO)
    assert isinstance(out, bytes)
    mak, pro = TWIN_B.encode(), PRO.encode()
    # The command line's key is not a place setup reads the product key from: left alone.
    only_replaced(MAK_FILE, out, [(mak, pro), (mak, pro)])
    got = places(out)
    assert [p["value"]["kind"] for p in got] == ["gvlk", "gvlk", "unknown"]
    assert "Windows 11 Pro" in got[0]["value"]["editions"]


def test_set_key_fills_an_empty_element_and_keeps_the_whitespace_around_a_value():
    out = volact.unattend_set_key(GVLK_FILE, TWIN_B)
    key = TWIN_B.encode()
    only_replaced(
        GVLK_FILE, out, [(b"<Key/>", b"<Key>" + key + b"</Key>"), (ENTERPRISE.encode(), key)]
    )
    assert b"<ProductKey>\n        " + key + b"\n      </ProductKey>" in out


def test_set_key_writes_the_key_in_its_canonical_form():
    for spelling in (TWIN_B.lower(), TWIN_B.replace("-", ""), " ".join(TWIN_B.split("-"))):
        assert volact.unattend_set_key(GVLK_FILE, spelling) == volact.unattend_set_key(
            GVLK_FILE, TWIN_B
        )


# --- scrub -------------------------------------------------------------------------------


def test_scrub_leaves_no_key_shaped_text_and_nothing_else_changed():
    out = volact.unattend_scrub(MAK_FILE)
    mak = TWIN_B.encode()
    only_replaced(MAK_FILE, out, [(mak, SCRUBBED)] * 3)
    text = out.decode("utf-8")
    assert_no_key(text)
    assert key_shaped(text) == []
    report = json.loads(volact.unattend_show(out))
    assert {p["value"]["state"] for p in report["places"]} == {"scrubbed"}
    assert report["warnings"] == []
    assert volact.unattend_scrub(out) == out  # scrubbing again changes nothing
    # The GVLK is scrubbed too; the empty place stays empty.
    only_replaced(GVLK_FILE, volact.unattend_scrub(GVLK_FILE), [(ENTERPRISE.encode(), SCRUBBED)])


@pytest.mark.parametrize(
    "spelling",
    [TWIN_B.replace("-", ""), TWIN_B.lower(), TWIN_B.replace("-", "").lower()],
    ids=["no-dashes", "lowercase", "both"],
)
def test_scrub_catches_other_spellings_in_setups_places(spelling):
    # The elements hold the key without dashes or in lowercase; the command keeps the dashes.
    lines = MAK_FILE.split(b"\n")
    lines[7] = lines[7].replace(TWIN_B.encode(), spelling.encode())
    lines[18] = lines[18].replace(TWIN_B.encode(), spelling.encode())
    file = b"\n".join(lines)
    out = volact.unattend_scrub(file)
    assert out.count(SCRUBBED) == 3
    assert key_shaped(out.decode("utf-8")) == []
    assert_no_key(out.decode("utf-8"))


def test_scrub_catches_a_key_without_dashes_in_a_command_line():
    file = MAK_FILE.replace(
        b"/ipk " + TWIN_B.encode(), b"/ipk " + TWIN_B.replace("-", "").encode()
    )
    assert key_shaped(volact.unattend_scrub(file).decode("utf-8")) == []


# --- encodings ---------------------------------------------------------------------------


@pytest.mark.parametrize("le", [True, False], ids=["utf-16-le", "utf-16-be"])
def test_utf16_files_round_trip_in_utf16(le):
    for fixture in (MAK_FILE, GVLK_FILE):
        file = utf16(fixture, le)
        assert places(file) == places(fixture)
        for change in (volact.unattend_scrub, lambda f: volact.unattend_set_key(f, PRO)):
            out = change(file)
            assert out[:2] == file[:2]
            assert out == utf16(change(fixture), le)


def test_a_utf8_bom_is_kept():
    file = b"\xef\xbb\xbf" + MAK_FILE
    out = volact.unattend_scrub(file)
    assert out == b"\xef\xbb\xbf" + volact.unattend_scrub(MAK_FILE)


# --- errors ------------------------------------------------------------------------------

SHELL_COMPLEX = (
    b'<unattend><settings pass="specialize"><component name="Microsoft-Windows-Shell-Setup">'
    b"<ProductKey><!-- c -->" + PRO.encode() + b"</ProductKey></component></settings></unattend>"
)


@pytest.mark.parametrize(
    "call, file, kind, detail",
    [
        ("show", b'<!DOCTYPE u [<!ENTITY k "x">]><unattend>&k;</unattend>', "dtd", "DTDs"),
        ("scrub", b"<!DOCTYPE unattend SYSTEM 'http://x/u.dtd'><unattend/>", "dtd", "DTDs"),
        ("set_key", b"<!DOCTYPE unattend><unattend/>", "dtd", "DTDs"),
        ("show", b"\xff\xfe<", "encoding", "odd number of bytes"),
        ("show", b"<unattend>\x80</unattend>", "encoding", "invalid UTF-8"),
        ("show", b"<unattend><settings>", "xml", "is not closed"),
        ("show", b"<unattend><a></b></unattend>", "xml", "XML error at byte"),
        ("scrub", b"<SoftwareLicensingData/>", "not_unattend", "<SoftwareLicensingData>"),
        ("show", b"", "not_unattend", "not an answer file"),
        ("show", b" " * (8 * 1024 * 1024 + 1), "too_large", "refused"),
        ("set_key", b'<unattend><settings pass="specialize"/></unattend>', "no_key_place", ""),
        ("set_key", SHELL_COMPLEX, "complex_value", "holds markup"),
    ],
)
def test_files_volact_will_not_read_or_change_raise_typed_errors(call, file, kind, detail):
    fn = {
        "show": volact.unattend_show,
        "scrub": volact.unattend_scrub,
        "set_key": lambda f: volact.unattend_set_key(f, TWIN_B),
    }[call]
    with pytest.raises(volact.VolactError.Unattend) as e:
        fn(file)
    assert e.value.kind == kind
    assert detail in e.value.message
    assert_no_key(e.value.message + repr(e.value))
    assert isinstance(e.value, volact.VolactError)


def test_no_error_message_holds_the_key():
    # A bad key: the invalid-key error, as everywhere, without the key.
    typo = TWIN_B[:-1] + "H"
    for bad in (typo, TWIN_B[:-1], TWIN_B + "B", TWIN_B.replace("V", "A", 1)):
        with pytest.raises(volact.VolactError.InvalidKey) as e:
            volact.unattend_set_key(GVLK_FILE, bad)
        assert_no_key(e.value.message + repr(e.value), bad)
        assert_no_key(e.value.message + repr(e.value))
    # Names the core quotes from the file: a key as the root element or as an entity.
    for file in (
        f"<{TWIN_B}/>".encode(),
        f"<{TWIN_B.replace('-', '')}/>".encode(),
        f"<unattend>&{TWIN_B};</unattend>".encode(),
    ):
        for fn in (volact.unattend_show, volact.unattend_scrub):
            with pytest.raises(volact.VolactError.Unattend) as e:
                fn(file)
            assert "XXXXX-XXXXX-XXXXX-XXXXX-6Q83G" in e.value.message
            assert_no_key(e.value.message + repr(e.value))
    # A bad file with a good key: the file's error, never the key.
    with pytest.raises(volact.VolactError.Unattend) as e:
        volact.unattend_set_key(b"<unattend/>", TWIN_B)
    assert e.value.kind == "no_key_place"
    assert_no_key(e.value.message + repr(e.value))


def test_any_bytes_like_file_and_never_a_str():
    out = volact.unattend_scrub(MAK_FILE)
    assert volact.unattend_scrub(bytearray(MAK_FILE)) == out
    assert volact.unattend_scrub(memoryview(MAK_FILE)) == out
    assert volact.unattend_set_key(bytearray(GVLK_FILE), PRO) == volact.unattend_set_key(
        GVLK_FILE, PRO
    )
    assert json.loads(volact.unattend_show(memoryview(GVLK_FILE))) == json.loads(
        volact.unattend_show(GVLK_FILE)
    )
    for fn in (volact.unattend_show, volact.unattend_scrub):
        with pytest.raises(TypeError, match="answer file's bytes"):
            fn(MAK_FILE.decode("utf-8"))
    with pytest.raises(TypeError):
        volact.unattend_scrub(5)


# --- the example -------------------------------------------------------------------------


def run_example(*args, stdin=None):
    return subprocess.run(
        [sys.executable, str(EXAMPLE), *map(str, args)],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_example_shows_sets_and_scrubs(tmp_path):
    shown = run_example(DATA / "unattend" / "mak-both-places.xml", "--pkeyconfig", PKEYCONFIG)
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.splitlines()[:4] == [
        "mak-both-places.xml: 3 places",
        f"  line 8: {SETUP}: key XXXXX-XXXXX-XXXXX-XXXXX-6Q83G (mak)",
        f"  line 19: {SHELL}: key XXXXX-XXXXX-XXXXX-XXXXX-6Q83G (mak)",
        "  line 27: key-shaped text: key XXXXX-XXXXX-XXXXX-XXXXX-6Q83G (mak)",
    ]
    assert "  warning: a key other than a published GVLK is stored in clear text" in shown.stdout

    mak = tmp_path / "mak.xml"
    set_ = run_example(
        DATA / "unattend" / "gvlk-specialize-only.xml", "--set-key", "-", "--out", mak,
        stdin=TWIN_B + "\n",
    )
    assert set_.returncode == 0, set_.stderr
    assert f"set XXXXX-XXXXX-XXXXX-XXXXX-6Q83G where setup reads it: {mak}" in set_.stdout
    assert mak.read_bytes() == volact.unattend_set_key(GVLK_FILE, TWIN_B)
    assert stat.S_IMODE(os.stat(mak).st_mode) == 0o600

    scrubbed = tmp_path / "scrubbed.xml"
    scrub = run_example(mak, "--scrub", "--out", scrubbed)
    assert scrub.returncode == 0, scrub.stderr
    assert scrub.stdout.endswith(
        f"scrubbed: {scrubbed}\nscrubbed.xml: 2 places\n"
        f"  line 7: {SETUP}: scrubbed (SENSITIVE*DATA*DELETED)\n"
        f"  line 14: {SHELL}: scrubbed (SENSITIVE*DATA*DELETED)\n"
    )
    assert key_shaped(scrubbed.read_text(encoding="utf-8")) == []

    dtd = tmp_path / "dtd.xml"
    dtd.write_bytes(b"<!DOCTYPE unattend><unattend/>")
    refused = run_example(dtd)
    assert refused.returncode == 1
    assert refused.stderr == "refused (dtd): DTDs are not accepted (byte 0)\n"
    bad_key = run_example(mak, "--set-key", "-", "--out", tmp_path / "x.xml", stdin="nope\n")
    assert bad_key.returncode == 1 and bad_key.stderr.startswith("refused: invalid character")
    for r in (shown, set_, scrub, refused, bad_key):
        assert_no_key(r.stdout + r.stderr)
