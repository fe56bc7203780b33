"""The installed package: public names, the example script, no build output in the tree."""

import subprocess
import sys
from pathlib import Path

import volact
from vectors import ENTERPRISE, REPO, secret_forms

EXAMPLE = REPO / "examples" / "python" / "inspect_keys.py"


def test_public_names_resolve():
    for name in volact.__all__:
        assert getattr(volact, name) is not None, name
    # The generated module lives underneath, as python-packaging.md §1b lays out.
    assert volact.ProductKey.__module__.startswith("volact._native")
    assert issubclass(volact.VolactError.InvalidEpid, volact.VolactError)


def test_installed_from_a_wheel_not_the_source_tree():
    # test.sh installs a wheel; the source tree must not hold generated build output.
    assert not (REPO / "bindings" / "python" / "python" / "volact" / "_native").exists()
    assert Path(volact.__file__).resolve().parent != (
        REPO / "bindings" / "python" / "python" / "volact"
    )


def test_example_runs_and_masks_keys():
    out = subprocess.run(
        [sys.executable, str(EXAMPLE)], capture_output=True, text=True, check=True, timeout=60
    ).stdout
    lines = out.splitlines()
    assert lines[0] == (
        "XXXXX-XXXXX-XXXXX-XXXXX-2YT43  valid pkey2009, group 3290, channel Volume:GVLK, "
        "Windows 11 Enterprise; Windows 10 Enterprise"
    )
    assert lines[1].startswith("XXXXX-XXXXX-XXXXX-XXXXX-2YT44  INVALID: checksum mismatch")
    assert "valid pkey2005, no group (pkey2005)" in lines[2]
    assert "every check digit holds" in lines[3]
    assert lines[4] == (
        "batch of 5: 1 checksum_mismatch, 2 invalid, 1 valid_pkey2005, 1 valid_pkey2009"
    )
    for form in secret_forms(ENTERPRISE):
        assert form not in out


def test_example_takes_keys_from_the_command_line():
    out = subprocess.run(
        [sys.executable, str(EXAMPLE), "W269N-WFGWX-YVC9B-4J6C9-T83GX"],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout
    assert "group 3311" in out and "Windows 11 Pro; Windows 10 Pro" in out
    assert "W269N" not in out
