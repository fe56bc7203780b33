"""Licensing across the binding: license states, policy intervals, error-code explanations.

The logic is tested in Rust (crates/volact/src/license); these check that each value reaches
Python intact, that errors arrive as the right VolactError, and that the example runs.
"""

import json
import subprocess
import sys

import pytest
import volact
from vectors import REPO

EXAMPLE = REPO / "examples" / "python" / "explain_codes.py"

NAMES = [
    "Unlicensed",
    "Licensed",
    "OOBGrace",
    "OOTGrace",
    "NonGenuineGrace",
    "Notification",
    "ExtendedGrace",
]


def test_license_status_has_the_wmi_values():
    assert [s.value for s in volact.LicenseStatus] == list(range(7))
    assert volact.LicenseStatus.OOB_GRACE.value == 2
    for v, name in enumerate(NAMES):
        s = volact.license_status_from_wmi(v)
        assert s is volact.LicenseStatus(v)
        assert s is volact.LicenseStatus.from_wmi(v)
        assert s.wmi_name == volact.license_status_name(s) == name
    assert volact.LicenseStatus.OOB_GRACE.dli_text == "Initial grace period"
    assert volact.license_status_dli_text(volact.LicenseStatus.OOT_GRACE) == (
        "Additional grace period (KMS license expired or hardware out of tolerance)"
    )
    assert volact.LicenseStatus.NOTIFICATION.dli_text == "Notification"


@pytest.mark.parametrize("value", [7, 8, 255, 2**32 - 1])
def test_license_status_out_of_range(value):
    with pytest.raises(volact.VolactError.InvalidLicenseStatus) as e:
        volact.license_status_from_wmi(value)
    assert str(value) in e.value.message and "0 to 6" in e.value.message


def test_intervals():
    assert volact.check_interval(15) == 15
    assert volact.check_interval(43200) == 43200
    assert volact.parse_interval(" 10080\n") == 10080
    for bad in [0, 14, 43201, 2**64 - 1]:
        with pytest.raises(volact.VolactError.InvalidPolicy) as e:
            volact.check_interval(bad)
        assert e.value.kind == "out_of_range"
        assert f"interval of {bad} minutes is outside 15..=43200" in e.value.message
    for text in ["2h", "", "-20", "1.5"]:
        with pytest.raises(volact.VolactError.InvalidPolicy) as e:
            volact.parse_interval(text)
        assert e.value.kind == "not_minutes", text
    with pytest.raises(volact.VolactError.InvalidPolicy) as e:
        volact.parse_interval("99999999999999999999999")
    assert e.value.kind == "out_of_range"


@pytest.mark.parametrize(
    "spelling", ["0xC004F074", "c004f074", "3221549172", "-1073418124", 0xC004F074, -1073418124]
)
def test_explain_every_spelling(spelling):
    e = volact.explain(spelling)
    assert isinstance(e, volact.ErrorExplanation)
    assert e.code == 0xC004F074 and e.hex == "0xC004F074"
    assert e.applies_to == "KMS client"
    assert "No Key Management Service (KMS) could be contacted" in e.message
    assert e.source.startswith("https://learn.microsoft.com/")
    assert repr(e).startswith("ErrorExplanation(code=3221549172, hex='0xC004F074', message='")


def test_explain_count_stuck():
    e = volact.explain("-1073418184")
    assert e.hex == "0xC004F038"
    assert "sysprep /generalize" in e.cause and "slmgr /dli" in e.fix


def test_explain_errors():
    with pytest.raises(volact.VolactError.UnknownErrorCode) as e:
        volact.explain("0x12345678")
    assert e.value.code == 0x12345678
    assert e.value.message == "0x12345678 is not in volact's table of activation error codes"
    with pytest.raises(volact.VolactError.UnknownErrorCode):
        volact.explain(5)
    for bad in ["hello", "", "4294967296", 2**32, -(2**31) - 1]:
        with pytest.raises(volact.VolactError.InvalidErrorCode):
            volact.explain(bad)
    for wrong in [True, 1.5, None, b"0x5"]:
        with pytest.raises(TypeError):
            volact.explain(wrong)


def test_explain_json_is_the_clis_record():
    r = volact.explain_json("c004f038")
    assert list(r) == [
        "input",
        "known",
        "code",
        "message",
        "applies_to",
        "cause",
        "fix",
        "source",
        "error",
    ]
    assert r["input"] == "c004f038" and r["known"] is True and r["code"] == "0xC004F038"
    assert r["error"] is None
    unknown = volact.explain_json("0x12345678")
    assert unknown["known"] is False and unknown["code"] == "0x12345678"
    assert unknown["message"] is None and "not in volact's table" in unknown["error"]
    bad = volact.explain_json("nope")
    assert bad["code"] is None and "is not an error code" in bad["error"]


def test_all_error_codes():
    codes = volact.all_error_codes()
    assert len(codes) >= 30
    assert [c.code for c in codes] == sorted({c.code for c in codes})
    for c in codes:
        assert volact.explain(c.hex) == c
        assert c.cause and c.fix
    assert {0xC004F038, 0xC004F074, 0xC004F06C, 0x8007232B} <= {c.code for c in codes}


def test_example_explains_codes():
    out = subprocess.run(
        [sys.executable, str(EXAMPLE), "0xC004F074", "-1073418184", "0x12345678", "nope"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == 1, out.stderr
    lines = out.stdout.splitlines()
    assert lines[0].startswith("0xC004F074  KMS client: The Software Protection Service")
    assert any(l.startswith("0xC004F038  KMS client:") for l in lines)
    assert "0x12345678  unknown: 0x12345678 is not in volact's table" in out.stdout
    assert 'nope  not a code: "nope" is not an error code' in out.stdout
    assert "OOBGrace (2): Initial grace period" in out.stdout
    assert "renewal interval 10080 minutes: ok" in out.stdout
    assert "renewal interval '7d': interval \"7d\" is not a whole number of minutes (not_minutes)" in (
        out.stdout
    )


def test_example_json():
    out = subprocess.run(
        [sys.executable, str(EXAMPLE), "--json", "C004F038"],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout
    assert json.loads(out.splitlines()[0])["code"] == "0xC004F038"
