"""IDs, ePIDs and DigitalProductId blobs across the binding."""

import pytest
import volact
from vectors import DPID_KEY_BYTES, ENTERPRISE, EPIDS, OFFICE_IID, WIN10_IID, XP_CID, XP_IID


def test_check_id_valid_installation_id():
    r = volact.check_id(XP_IID.replace("-", " "))
    assert isinstance(r, volact.IdReport)
    assert r.valid is True
    assert (r.kind, r.digits, r.groups, r.group_len) == ("installation_id", 54, 9, 6)
    assert r.bad_groups == [] and r.rule_confirmed is True
    assert r.canonical == XP_IID and r.error is None


def test_check_id_bad_group_is_zero_based():
    r = volact.check_id(XP_IID[:-1] + "2")
    assert r.valid is False
    assert r.bad_groups == [8]
    assert r.canonical == XP_IID[:-1] + "2"
    assert "group 9 (of 9)" in r.error  # messages count from 1, indices from 0


def test_check_id_unknown_layout_has_no_format():
    r = volact.check_id("12345")
    assert (r.valid, r.kind, r.digits, r.groups, r.group_len) == (False, None, 5, None, None)
    assert r.rule_confirmed is None and r.canonical is None
    assert "5 digits" in r.error


def test_check_id_48_digit_cid_rule_unconfirmed():
    r = volact.check_id("000000-" * 7 + "000000")
    assert (r.valid, r.kind, r.groups, r.rule_confirmed) == (True, "confirmation_id", 8, False)


@pytest.mark.parametrize("text, group_len", [(XP_IID, 6), (OFFICE_IID, 6), (WIN10_IID, 7)])
def test_installation_id_object(text, group_len):
    iid = volact.InstallationId.parse(text)
    assert iid == volact.InstallationId(text)
    assert iid.digits() == text.replace("-", "")
    assert iid.canonical() == str(iid)
    assert str(iid).replace("-", "") == iid.digits()
    assert repr(iid) == f"InstallationId({iid.canonical()})"
    f = iid.format()
    assert isinstance(f, volact.IdFormat)
    assert (f.kind, f.groups, f.group_len, f.rule_confirmed) == (
        "installation_id",
        9,
        group_len,
        True,
    )


def test_installation_id_errors():
    with pytest.raises(volact.VolactError.InvalidId, match="check digit wrong in group 9"):
        volact.InstallationId.parse(XP_IID[:-1] + "2")
    with pytest.raises(volact.VolactError.InvalidId, match="expected installation_id"):
        volact.InstallationId.parse(XP_CID)
    with pytest.raises(volact.VolactError, match="invalid character"):
        volact.InstallationId("070846-98460x")


def test_confirmation_id_strict_and_lenient():
    cid = volact.ConfirmationId.parse(XP_CID)
    assert str(cid) == XP_CID and cid.digits() == XP_CID.replace("-", "")
    assert cid.format().groups == 7 and cid.format().rule_confirmed is True
    assert cid.unconfirmed_bad_groups() == []

    # A 48-digit CID (rule unconfirmed, facts.md §7) with a wrong check digit in group 2:
    groups = ["000000"] * 8
    groups[2] = "000001"
    text = "-".join(groups)
    with pytest.raises(volact.VolactError.InvalidId):
        volact.ConfirmationId.parse(text)
    lenient = volact.ConfirmationId.parse_lenient(text)
    assert lenient.unconfirmed_bad_groups() == [2]
    assert lenient.format().rule_confirmed is False
    # Lenience covers only the unconfirmed layout.
    with pytest.raises(volact.VolactError.InvalidId):
        volact.ConfirmationId.parse_lenient(XP_CID[:-1] + "3")


def test_parse_epid_fields():
    e = volact.parse_epid(EPIDS[0])
    assert isinstance(e, volact.Epid)
    assert (e.platform, e.group_id, e.serial, e.channel) == (5426, 206, 234_001_162, 3)
    assert (e.lcid, e.build, e.build_revision) == (1033, 9200, 0)
    assert (e.install_day, e.install_year) == (99, 2013)
    assert e.channel_name == "Volume"
    assert e.canonical == EPIDS[0]
    e = volact.parse_epid(EPIDS[2])
    assert (e.group_id, e.channel, e.channel_name) == (3305, 2, "OEM")
    assert "channel_name='OEM'" in repr(e)


@pytest.mark.parametrize("text", EPIDS)
def test_parse_epid_canonical_round_trip(text):
    assert volact.parse_epid("  " + text + "\n").canonical == text


def test_parse_epid_errors():
    with pytest.raises(volact.VolactError.InvalidEpid, match="7"):
        volact.parse_epid("05426-00206-234-001162-03-1033-9200.0000")
    with pytest.raises(volact.VolactError.InvalidEpid, match="character 7"):
        volact.parse_epid("05426-0020x-234-001162-03-1033-9200.0000-0992013")


def dpid_blob(length, offset):
    blob = bytearray(length)
    blob[offset : offset + 15] = DPID_KEY_BYTES
    return blob


def test_decode_digital_product_id_documented_bytes():
    blob = bytes(dpid_blob(164, 52))
    key = volact.decode_digital_product_id(blob, volact.DpidLayout.DIGITAL_PRODUCT_ID)
    assert isinstance(key, volact.ProductKey)
    assert key.reveal() == ENTERPRISE
    assert str(key) == "XXXXX-XXXXX-XXXXX-XXXXX-2YT43"
    # The glue's defaults and conveniences: layout by registry name or omitted, bytearray.
    assert volact.decode_digital_product_id(blob).reveal() == ENTERPRISE
    assert volact.decode_digital_product_id(bytearray(blob), "DigitalProductId") == key


def test_decode_digital_product_id4_offset():
    blob = dpid_blob(1272, 808)
    key = volact.decode_digital_product_id(blob, "DigitalProductId4")
    assert key.reveal() == ENTERPRISE
    key = volact.decode_digital_product_id(blob, volact.DpidLayout.DIGITAL_PRODUCT_ID4)
    assert key.pkey2009().group_id == 3290


def test_decode_digital_product_id_errors():
    with pytest.raises(volact.VolactError.InvalidDigitalProductId, match="too short"):
        volact.decode_digital_product_id(bytes(60))
    damaged = dpid_blob(164, 52)
    damaged[52] ^= 0x01  # one bit of the key: the checksum no longer holds
    with pytest.raises(volact.VolactError.InvalidDigitalProductId, match="checksum") as info:
        volact.decode_digital_product_id(damaged)
    assert "NPPR9" not in str(info.value)
    with pytest.raises(ValueError, match="layout"):
        volact.decode_digital_product_id(bytes(164), "ProductId")
