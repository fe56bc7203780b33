"""ProductKey, inspect_key and key errors across the binding: every field arrives under its
own name, errors become exceptions, and keys stay masked unless reveal() is called."""

import hashlib

import pytest
import volact
from vectors import (
    ENTERPRISE,
    ENTERPRISE_TYPO,
    PKEY2005_WIN7_PRO,
    PKEY2009,
    TWIN_A,
    TWIN_B,
    secret_forms,
)


def assert_hidden(key, *texts):
    for text in texts:
        for form in secret_forms(key):
            assert form not in text, f"key material {form[:3]}... leaked into {text[:40]!r}..."


@pytest.mark.parametrize("key", sorted(PKEY2009))
def test_pkey2009_fields_map_by_name(key):
    group, serial, checksum, security = PKEY2009[key]
    fields = volact.ProductKey.parse(key).pkey2009()
    assert isinstance(fields, volact.Pkey2009Fields)
    assert (fields.group_id, fields.serial, fields.checksum) == (group, serial, checksum)
    if security is not None:
        assert fields.security == security  # a u64 wider than 32 bits survives
    assert fields.upgrade is False
    assert fields.extra is (key == TWIN_B)


def test_constructor_forms_and_accessors():
    k = volact.ProductKey(" nppr9 fwdcx-d2c8j H872K 2yt43 ")
    assert k == volact.ProductKey.parse(ENTERPRISE)
    assert k.algorithm() == "pkey2009"
    assert k.reveal() == ENTERPRISE
    assert k.masked() == "XXXXX-XXXXX-XXXXX-XXXXX-2YT43"
    assert k.partial() == "2YT43"
    assert k.fingerprint() == hashlib.sha256(ENTERPRISE.encode()).hexdigest()
    assert k.channel() == "Volume:GVLK"
    rows = k.catalog_rows()
    assert {(r.family, r.edition, r.key) for r in rows} == {
        ("Windows 10", "Enterprise", ENTERPRISE),
        ("Windows 11", "Enterprise", ENTERPRISE),
    }


def test_pkey2005_has_no_fields():
    k = volact.ProductKey.parse(PKEY2005_WIN7_PRO)
    assert k.algorithm() == "pkey2005"
    assert k.pkey2009() is None
    assert [(r.family, r.edition) for r in k.catalog_rows()] == [("Windows 7", "Professional")]


def test_key_outside_the_catalog_has_unknown_channel():
    k = volact.ProductKey.parse(TWIN_B)
    assert k.channel() is None
    assert k.catalog_rows() == []


def test_equality_and_hash_follow_the_key():
    a = volact.ProductKey.parse(ENTERPRISE)
    b = volact.ProductKey.parse(ENTERPRISE.lower().replace("-", " "))
    c = volact.ProductKey.parse(TWIN_A)
    assert a == b and a != c
    assert len({a, b, c}) == 2


def test_str_repr_and_formatting_are_masked():
    k = volact.ProductKey.parse(ENTERPRISE)
    texts = [str(k), repr(k), f"{k}", "%s" % k, "%r" % k, repr([k]), str({"k": k})]
    assert str(k) == "XXXXX-XXXXX-XXXXX-XXXXX-2YT43"
    assert repr(k) == "ProductKey(XXXXX-XXXXX-XXXXX-XXXXX-2YT43, pkey2009)"
    assert_hidden(ENTERPRISE, *texts)


def test_fields_record_hides_security():
    fields = volact.ProductKey.parse(TWIN_B).pkey2009()
    for text in (str(fields), repr(fields)):
        assert "security=<hidden>" in text
        assert str(fields.security) not in text
        assert "group_id=3892" in text and "extra=True" in text


def test_invalid_character_maps_to_invalid_key_with_its_position():
    text = "NPPR9-FWDCX-D2C8J-H8O2K-2YT43"  # letter O for zero
    with pytest.raises(volact.VolactError.InvalidKey) as info:
        volact.ProductKey.parse(text)
    e = info.value
    assert isinstance(e, volact.VolactError)
    assert text[e.position] == "O"  # Python indexes code points, the core counts chars
    assert "character 21" in e.message


def test_checksum_mismatch_raises_without_the_key():
    with pytest.raises(volact.VolactError.InvalidKey) as info:
        volact.ProductKey.parse(ENTERPRISE_TYPO)
    e = info.value
    assert e.position is None
    assert "checksum mismatch" in e.message
    assert_hidden(ENTERPRISE_TYPO, str(e), repr(e), e.message, repr(e.args))


@pytest.mark.parametrize(
    "text, needle",
    [
        ("", "wrong length: 0"),
        ("NPPR9-FWDCX-D2C8J-H872K", "wrong length: 20"),
        ("NPPR9-FWDCN-D2C8J-H872K-2YT43", "more than one N"),
        ("BBBBB-BBBBB-BBBBB-BBBBB-BBBBN", "N cannot be the last"),
    ],
)
def test_each_key_error_is_an_invalid_key(text, needle):
    with pytest.raises(volact.VolactError.InvalidKey, match=needle):
        volact.ProductKey(text)


def test_wrong_argument_type_is_a_type_error():
    with pytest.raises(TypeError):
        volact.ProductKey.parse(12345)


def test_inspect_valid_gvlk():
    r = volact.inspect_key(ENTERPRISE.lower())
    assert isinstance(r, volact.KeyReport)
    assert r.valid is True
    assert (r.algorithm, r.group_id, r.serial, r.checksum) == ("pkey2009", 3290, 3, 0x033)
    assert (r.security, r.upgrade, r.extra) == (0xF99457819D8C6, False, False)
    assert r.masked == "XXXXX-XXXXX-XXXXX-XXXXX-2YT43"
    assert r.fingerprint == hashlib.sha256(ENTERPRISE.encode()).hexdigest()
    assert sorted(row.family for row in r.catalog) == ["Windows 10", "Windows 11"]
    assert r.channel == "Volume:GVLK"
    assert r.error is None and r.error_position is None


def test_inspect_checksum_mismatch_still_decodes():
    r = volact.inspect_key(ENTERPRISE_TYPO)
    assert r.valid is False
    assert (r.algorithm, r.group_id, r.serial) == ("pkey2009", 3291, 3)
    assert r.fingerprint is not None
    assert r.catalog == [] and r.channel is None
    assert "checksum mismatch" in r.error and r.error_position is None
    assert "security=<hidden>" in repr(r)
    assert_hidden(ENTERPRISE_TYPO, str(r), repr(r))


def test_inspect_syntax_error_reports_position_and_nothing_decoded():
    text = "NPPR9-FWDCX-D2C8J-H872K-2YT4!"
    r = volact.inspect_key(text)
    assert r.valid is False
    assert r.algorithm is None and r.fingerprint is None
    fields = (r.group_id, r.serial, r.security, r.checksum, r.upgrade, r.extra)
    assert fields == (None,) * 6
    assert text[r.error_position] == "!"
    assert r.masked.startswith("XXXXX-XXXXX-XXXXX-XXXXX-")
    assert_hidden(ENTERPRISE, repr(r), str(r))


def test_inspect_pkey2005():
    r = volact.inspect_key(PKEY2005_WIN7_PRO)
    assert (r.valid, r.algorithm, r.group_id, r.security) == (True, "pkey2005", None, None)
    assert [(row.family, row.edition) for row in r.catalog] == [("Windows 7", "Professional")]


def test_inspect_never_raises_on_odd_text():
    for text in ["", "\x00", "N" * 40, "é" * 30, "-" * 29]:
        r = volact.inspect_key(text)
        assert r.valid is False and r.error
