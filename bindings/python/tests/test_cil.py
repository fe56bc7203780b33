"""CIL documents across the binding: load/save, records, export, CID import, merge, errors.

The documents are embedded; every IID and CID in them is fictitious, built by ``make_id``
with correct mod-7 check digits (they mean nothing to Windows).
"""

import json
import os
import random
import subprocess
import sys
import threading
from pathlib import Path

import pytest
import volact
from vectors import ENTERPRISE, REPO, secret_forms

EXAMPLE = REPO / "examples" / "python" / "cil_proxy_activation.py"
FIXTURES = REPO / "crates" / "volact" / "tests" / "data" / "cil"


def make_id(seed, groups, length):
    """An ID of ``groups`` dashed groups of ``length`` digits, each group's last digit the
    mod-7 check digit of the others (weights 1, 2, 1, 2, ...)."""
    rng = random.Random(seed)
    out = []
    for _ in range(groups):
        data = [rng.randrange(10) for _ in range(length - 1)]
        check = sum(d * (1 if i % 2 == 0 else 2) for i, d in enumerate(data)) % 7
        out.append("".join(map(str, data)) + str(check))
    return "-".join(out)


def iid(seed):
    return make_id(seed, 9, 7)


def cid(seed):
    return make_id(seed, 8, 6)


SKU_WIN = "830691d5-5f5a-448d-9259-9f8d38bd9335"
SKU_OFFICE = "9690b7fa-3036-40f1-8f47-f1e42d6b0d89"
IDENTIFYING = [
    "Ünïcødé-PC",
    "会議室-01",
    "会議室",
    "00-15-5D",
    "LABNET",
    "fabrikam.test",
    "Isolated Lab Group",
    "Workgroup",
    "10.0.19045",
    "rack",
    "keep <me>",
    "urn:example:ext",
]


def lab_text(encoding="utf-8", product_key=""):
    return f"""<?xml version="1.0" encoding="{encoding}"?>
<!-- exported by VAMT: keep this comment -->
<?vamt-export tool="lab"?>
<SoftwareLicensingData Version="2.0" xmlns:x="urn:example:ext" x:exportedBy="Lab &amp; Co.">
  <Computers>
    <Computer Id="{{A1}}" Name="Ünïcødé-PC" OSVersion="10.0.19045" OSEdition="Enterprise" NetworkType="Workgroup" NetworkName="LABNET" x:rack="R1">
      <MacAddresses>
        <MacAddress>00-15-5D-01-02-03</MacAddress>
        <MacAddress>00-15-5D-01-02-04</MacAddress>
      </MacAddresses>
      <Products>
        <Product>
          <Sku Id="{SKU_WIN}" Name="Windows(R), Enterprise edition" ApplicationId="55c92734-d682-4d71-983e-d6ec3f16059f"/>
          <LicenseStatus>2</LicenseStatus>
          <ProductKeyType>Volume:MAK</ProductKeyType>
          <InstallationId>{iid(1)}</InstallationId>
          <x:note><![CDATA[keep <me> & "this"]]></x:note>
        </Product>
        <Product>
          <Sku Id="{SKU_OFFICE}" Name="Office 16"/>
          <LicenseStatus>1</LicenseStatus>
          <ProductKeyType>Volume:MAK</ProductKeyType>
          <InstallationId>{iid(2)}</InstallationId>{product_key}
        </Product>
      </Products>
      <Groups><Group>Isolated Lab Group</Group></Groups>
    </Computer>
    <Computer Id="{{A2}}" Name="会議室-01" NetworkType="Domain" NetworkName="fabrikam.test">
      <MacAddresses><MacAddress>00-15-5D-0A-0B-0C</MacAddress></MacAddresses>
      <Products>
        <Product><Sku Id="{SKU_WIN}"/><LicenseStatus>5</LicenseStatus><InstallationId>{iid(3)}</InstallationId></Product>
      </Products>
      <Groups><Group>会議室</Group></Groups>
    </Computer>
  </Computers>
  <x:trailer/>
</SoftwareLicensingData>
<!-- end -->
"""


LAB = lab_text().encode("utf-8")
DEEP = b"<SoftwareLicensingData>" + b"<n>" * 300 + b"</n>" * 300 + b"</SoftwareLicensingData>"


def utf16le(text):
    return "\ufeff".encode("utf-16-le") + text.encode("utf-16-le")


def lab():
    return volact.CilDocument.parse(LAB)


def files_in(path):
    return sorted(p.name for p in Path(path).iterdir())


# --- load and save ---------------------------------------------------------------------


def test_parse_save_load_round_trip_is_byte_identical(tmp_path):
    doc = lab()
    assert doc.to_bytes() == LAB
    assert (doc.encoding(), doc.version()) == ("UTF-8", "2.0")
    target = tmp_path / "lab.cil"
    doc.save(str(target))
    assert target.read_bytes() == LAB
    assert volact.CilDocument.load(str(target)).to_bytes() == LAB
    assert files_in(tmp_path) == ["lab.cil"]


@pytest.mark.parametrize(
    "encode, name",
    [
        (utf16le, "UTF-16LE"),
        (lambda t: "\ufeff".encode("utf-16-be") + t.encode("utf-16-be"), "UTF-16BE"),
    ],
)
def test_utf16_round_trip_is_byte_identical(tmp_path, encode, name):
    data = encode(lab_text("utf-16"))
    doc = volact.CilDocument.parse(data)
    assert doc.encoding() == name
    assert doc.to_bytes() == data
    doc.save(tmp_path / "lab.cil")
    assert (tmp_path / "lab.cil").read_bytes() == data
    # The same computers as the UTF-8 file.
    assert doc.computers() == lab().computers()


def test_paths_and_bytes_like_inputs():
    doc = volact.CilDocument.parse(bytearray(LAB))
    assert doc.to_bytes() == LAB
    assert volact.CilDocument.parse(memoryview(LAB)).to_bytes() == LAB
    with pytest.raises(TypeError):
        volact.CilDocument.parse(5)  # not five zero bytes
    with pytest.raises(TypeError):
        volact.CilDocument.parse(LAB.decode())


def test_save_with_pathlib_and_bytes_paths(tmp_path):
    doc = lab()
    doc.save(tmp_path / "a.cil")
    doc.save(os.fsencode(tmp_path / "b.cil"))
    assert volact.CilDocument.load(tmp_path / "a.cil").to_bytes() == LAB
    assert volact.CilDocument.load(os.fsencode(tmp_path / "b.cil")).to_bytes() == LAB


def test_save_replaces_atomically_and_leaves_no_temporary_file(tmp_path):
    target = tmp_path / "lab.cil"
    target.write_bytes(b"old contents")
    lab().save(target)
    assert target.read_bytes() == LAB
    assert files_in(tmp_path) == ["lab.cil"]
    # A failed save leaves the directory as it was, and nothing behind.
    (tmp_path / "dir.cil").mkdir()
    with pytest.raises(volact.VolactError.Io, match="directory"):
        lab().save(tmp_path / "dir.cil")
    with pytest.raises(volact.VolactError.Io):
        lab().save(tmp_path / "missing" / "lab.cil")
    assert files_in(tmp_path) == ["dir.cil", "lab.cil"]
    assert target.read_bytes() == LAB


# --- records ---------------------------------------------------------------------------


def test_computers_are_typed_records():
    computers = lab().computers()
    assert [type(c) for c in computers] == [volact.CilComputer] * 2
    a, b = computers
    assert (a.id, a.name, a.os_version, a.os_edition) == (
        "{A1}",
        "Ünïcødé-PC",
        "10.0.19045",
        "Enterprise",
    )
    assert (a.network_type, a.network_name) == ("Workgroup", "LABNET")
    assert a.mac_addresses == ["00-15-5D-01-02-03", "00-15-5D-01-02-04"]
    assert a.groups == ["Isolated Lab Group"] and b.groups == ["会議室"]
    assert (b.name, b.os_version, b.network_type) == ("会議室-01", None, "Domain")
    p = a.products[0]
    assert isinstance(p, volact.CilProduct)
    assert (p.sku_id, p.sku_name, p.application_id) == (
        SKU_WIN,
        "Windows(R), Enterprise edition",
        "55c92734-d682-4d71-983e-d6ec3f16059f",
    )
    assert (p.license_status, p.product_key_type, p.installation_id) == (
        "2",
        "Volume:MAK",
        iid(1),
    )
    assert (p.pending_confirmation_id, p.confirmation_id, p.partial_product_key) == (
        None,
        None,
        None,
    )
    assert p.has_product_key is False
    assert repr(p).startswith(f"CilProduct(sku_id='{SKU_WIN}', sku_name='Windows(R), Enterp")
    assert repr(a).startswith("CilComputer(id='{A1}', name='Ünïcødé-PC', ")
    assert str(p) == repr(p)


def test_full_product_key_never_crosses_except_in_the_bytes():
    doc = volact.CilDocument.parse(
        lab_text(product_key=f"\n          <ProductKey>{ENTERPRISE}</ProductKey>").encode()
    )
    product = doc.computers()[0].products[1]
    assert product.has_product_key is True
    assert not hasattr(product, "product_key")
    shown = repr(doc.computers()) + doc.to_json() + repr(doc) + repr(doc.validate())
    for form in secret_forms(ENTERPRISE):
        assert form not in shown
    # Exports drop the key unless asked for it.
    assert ENTERPRISE not in doc.export(volact.ExportMode.STANDARD).to_bytes().decode()
    with_keys = doc.export(volact.ExportMode.STANDARD, include_product_keys=True)
    assert ENTERPRISE in with_keys.to_bytes().decode()
    assert with_keys.computers()[0].products[1].has_product_key is True


def test_summary():
    s = lab().summary()
    assert isinstance(s, volact.CilSummary)
    assert (s.computers, s.products, s.with_installation_id) == (2, 3, 3)
    assert s.by_license_status == {"1": 1, "2": 1, "5": 1}
    assert s.by_key_type == {"Volume:MAK": 2, "unknown": 1}
    assert (s.pending_cids, s.applied_cids) == (0, 0)
    assert repr(s) == (
        "CilSummary(computers=2, products=3, by_license_status={'1': 1, '2': 1, '5': 1}, "
        "by_key_type={'Volume:MAK': 2, 'unknown': 1}, with_installation_id=3, "
        "pending_cids=0, applied_cids=0)"
    )


def test_repr_of_the_document():
    assert repr(lab()) == "CilDocument(version='2.0', encoding='UTF-8', computers=2)"
    doc = volact.CilDocument.parse(utf16le(lab_text("utf-16")))
    assert str(doc) == "CilDocument(version='2.0', encoding='UTF-16LE', computers=2)"
    bare = volact.CilDocument.parse(b"<SoftwareLicensingData/>")
    assert repr(bare) == "CilDocument(version=None, encoding='UTF-8', computers=0)"


def test_to_json_is_the_cli_document_json():
    data = json.loads(lab().to_json())
    assert (data["encoding"], data["version"]) == ("UTF-8", "2.0")
    assert data["summary"]["computers"] == 2
    assert data["computers"][0]["name"] == "Ünïcødé-PC"
    assert data["computers"][0]["products"][0]["installation_id"] == iid(1)


# --- validate --------------------------------------------------------------------------


def test_validate_clean_document_has_no_findings():
    assert lab().validate() == []


def test_validate_finds_a_bad_iid():
    bad = iid(3)[:-1] + str((int(iid(3)[-1]) + 1) % 7)
    doc = volact.CilDocument.parse(LAB.replace(iid(3).encode(), bad.encode()))
    findings = doc.validate()
    assert len(findings) == 1
    f = findings[0]
    assert isinstance(f, volact.CilFinding)
    assert (f.severity, f.computer, f.computer_id, f.product) == ("error", 1, "{A2}", 0)
    assert f.message.startswith("InstallationId: ") and "group 9" in f.message
    assert repr(f).startswith("CilFinding(severity='error', computer=1, computer_id='{A2}'")


def test_validate_duplicate_ids_and_cid_without_iid():
    text = """<SoftwareLicensingData><Computers>
      <Computer Id="{X}"><Products><Product><Sku Id="s"/>
        <PendingConfirmationId>{cid}</PendingConfirmationId></Product></Products></Computer>
      <Computer Id="x"/>
    </Computers></SoftwareLicensingData>""".replace("{cid}", cid(1))
    findings = volact.CilDocument.parse(text.encode()).validate()
    got = [(f.severity, f.computer, f.product) for f in findings]
    assert ("error", 0, 0) in got  # a CID without an IID
    assert ("error", 1, None) in got  # the same Id, braces and case aside


# --- export ----------------------------------------------------------------------------


def test_proxy_only_export_holds_no_identifying_data():
    doc = lab()
    proxy = doc.export(volact.ExportMode.PROXY_ONLY)
    assert isinstance(proxy, volact.CilDocument)
    text = proxy.to_bytes().decode("utf-8")
    for s in IDENTIFYING + ["Volume:MAK", "LicenseStatus", "NetworkType"]:
        assert s not in text, s
    for c in proxy.computers():
        assert (c.name, c.os_version, c.os_edition, c.network_type, c.network_name) == (None,) * 5
        assert c.mac_addresses == [] and c.groups == []
    assert [c.id for c in proxy.computers()] == ["{A1}", "{A2}"]
    assert [p.installation_id for c in proxy.computers() for p in c.products] == [
        iid(1),
        iid(2),
        iid(3),
    ]
    # The source is unchanged.
    assert doc.to_bytes() == LAB


def test_proxy_only_export_of_utf16_stays_utf16():
    proxy = volact.CilDocument.parse(utf16le(lab_text("utf-16"))).export(
        volact.ExportMode.PROXY_ONLY
    )
    assert proxy.encoding() == "UTF-16LE"
    text = proxy.to_bytes().decode("utf-16")
    for s in IDENTIFYING:
        assert s not in text, s


def test_standard_export_hides_identity_unless_asked():
    plain = lab().export(volact.ExportMode.STANDARD)
    text = plain.to_bytes().decode()
    for s in IDENTIFYING:
        assert s not in text, s
    assert [c.network_type for c in plain.computers()] == ["None", "None"]
    assert plain.computers()[0].products[0].product_key_type == "Volume:MAK"
    sensitive = lab().export(volact.ExportMode.STANDARD, include_sensitive=True)
    a = sensitive.computers()[0]
    assert (a.name, a.network_name) == ("Ünïcødé-PC", "LABNET")
    assert a.groups == ["Isolated Lab Group"]
    # Allow-list: unknown content never survives an export.
    assert "keep <me>" not in sensitive.to_bytes().decode()


def test_proxy_only_refuses_include_sensitive():
    with pytest.raises(volact.VolactError.InvalidArgument, match="include_sensitive"):
        lab().export(volact.ExportMode.PROXY_ONLY, include_sensitive=True)


# --- add_cids and merge ----------------------------------------------------------------


def returned_with_cids():
    """The proxy-only export with CIDs for the first two products."""
    returned = lab().export(volact.ExportMode.PROXY_ONLY)
    rows = returned.add_cids(
        f"installation_id,confirmation_id\n{iid(1)},{cid(1)}\n"
        f"{iid(2).replace('-', ' ')},{cid(2).replace('-', '')}\n"
    )
    assert [r.outcome for r in rows] == ["applied", "applied"]
    return returned


def test_add_cids_reports_every_row():
    doc = lab()
    csv = "\n".join(
        [
            "installation_id,confirmation_id",
            f"{iid(1)},{cid(1)}",
            f"{iid(9)},{cid(2)}",  # an IID not in the file
            f"{iid(2)},{cid(2)[:-3]}",  # a CID too short
            f"{iid(3)[:-1]}x,{cid(3)}",  # a malformed IID
            "just one field",
            "",
            f"{iid(3)},{cid(3)}",
        ]
    )
    rows = doc.add_cids(csv)
    assert [type(r) for r in rows] == [volact.CidImportRow] * 6
    assert [(r.line, r.outcome) for r in rows] == [
        (2, "applied"),
        (3, "unknown_iid"),
        (4, "invalid_cid"),
        (5, "invalid_iid"),
        (6, "malformed"),
        (8, "applied"),
    ]
    assert rows[0].installation_id == iid(1) and rows[0].detail is None
    assert rows[2].detail and rows[3].detail
    assert rows[4].detail == "expected 2 comma-separated fields, found 1"
    assert not any(r.unconfirmed_check_failed for r in rows)
    products = [p for c in doc.computers() for p in c.products]
    assert [p.pending_confirmation_id for p in products] == [
        cid(1).replace("-", ""),
        None,
        cid(3).replace("-", ""),
    ]
    assert doc.add_cids(f"{iid(1)},{cid(1)}")[0].outcome == "already_present"
    assert doc.add_cids(f"{iid(1)},{cid(4)}")[0].outcome == "conflict"


def test_add_cids_strict_refuses_an_unconfirmed_check_failure():
    bad = cid(5)
    groups = bad.split("-")
    groups[2] = groups[2][:-1] + str((int(groups[2][-1]) + 1) % 7)
    bad = "-".join(groups)
    doc = lab()
    strict = doc.add_cids(f"{iid(1)},{bad}", strict=True)
    assert strict[0].outcome == "invalid_cid"
    assert doc.computers()[0].products[0].pending_confirmation_id is None
    lenient = doc.add_cids(f"{iid(1)},{bad}")
    assert (lenient[0].outcome, lenient[0].unconfirmed_check_failed) == ("applied", True)


def test_merge_applies_then_reports_already_present():
    full = lab()
    returned = returned_with_cids()
    decisions = full.merge(returned)
    assert [type(d) for d in decisions] == [volact.MergeDecision] * 2
    assert [(d.outcome, d.matched_computer, d.matched_by) for d in decisions] == [
        ("applied", 0, "id"),
        ("applied", 0, "id"),
    ]
    d = decisions[1]
    assert (d.returned_computer, d.returned_product, d.computer_id) == (0, 1, "{A1}")
    assert (d.sku_id, d.installation_id, d.detail) == (SKU_OFFICE, iid(2), None)
    products = full.computers()[0].products
    assert products[0].pending_confirmation_id == cid(1).replace("-", "")
    assert products[1].pending_confirmation_id == cid(2).replace("-", "")
    assert full.summary().pending_cids == 2
    # Nothing else changed: the original plus two PendingConfirmationId lines.
    text = full.to_bytes().decode()
    assert "<![CDATA[keep <me> & \"this\"]]>" in text and "<!-- end -->" in text
    assert len(text.splitlines()) == len(LAB.decode().splitlines()) + 2
    again = full.merge(returned)
    assert [d.outcome for d in again] == ["already_present", "already_present"]
    assert full.merge(full)[0].outcome == "already_present"  # into itself: no deadlock


def test_merge_refuses_a_cid_for_another_iid():
    full = lab()
    returned = volact.CilDocument.parse(
        f"""<SoftwareLicensingData Version="2.0"><Computers>
  <Computer Id="{{a1}}"><Products>
    <Product><Sku Id="{SKU_WIN}"/><InstallationId>{iid(7)}</InstallationId><PendingConfirmationId>{cid(1)}</PendingConfirmationId></Product>
  </Products></Computer>
  <Computer Id="{{A9}}"><Products>
    <Product><Sku Id="{SKU_WIN}"/><InstallationId>{iid(3)}</InstallationId><PendingConfirmationId>{cid(3)}</PendingConfirmationId></Product>
  </Products></Computer>
</Computers></SoftwareLicensingData>""".encode()
    )
    decisions = full.merge(returned)
    assert [(d.outcome, d.matched_computer) for d in decisions] == [
        ("iid_mismatch", 0),
        ("no_such_computer", None),
    ]
    assert full.to_bytes() == LAB


def test_merge_conflict_then_force_replaces():
    full = lab()
    full.merge(returned_with_cids())
    other = lab().export(volact.ExportMode.PROXY_ONLY)
    other.add_cids(f"{iid(1)},{cid(6)}")
    d = full.merge(other)[0]
    assert (d.outcome, d.detail) == ("conflict", f"existing CID {cid(1).replace('-', '')}")
    d = full.merge(other, force=True)[0]
    assert (d.outcome, d.detail) == ("replaced", f"replaced CID {cid(1).replace('-', '')}")
    assert full.computers()[0].products[0].pending_confirmation_id == cid(6).replace("-", "")


def test_concurrent_cross_merges_do_not_deadlock():
    a, b = returned_with_cids(), returned_with_cids()
    errors = []

    def run(x, y):
        try:
            for _ in range(200):
                x.merge(y)
        except Exception as e:  # pragma: no cover - reported below
            errors.append(e)

    threads = [threading.Thread(target=run, args=p) for p in ((a, b), (b, a))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not any(t.is_alive() for t in threads), "deadlock"
    assert errors == []


# --- errors ----------------------------------------------------------------------------


def test_not_a_cil():
    with pytest.raises(volact.VolactError.InvalidCil, match="not a CIL") as e:
        volact.CilDocument.parse(b"<ComputerInformationList/>")
    assert e.value.kind == "not_cil"
    assert isinstance(e.value, volact.VolactError)


@pytest.mark.parametrize(
    "data, kind",
    [
        (b"<SoftwareLicensingData><Computers></SoftwareLicensingData>", "xml"),
        (b"<SoftwareLicensingData><Computers>", "xml"),
        (b"", "xml"),
        ('<?xml version="1.0"?><SoftwareLicensingData Name="é"/>'.encode("latin-1"), "encoding"),
        (DEEP, "too_deep"),
    ],
)
def test_unreadable_documents(data, kind):
    with pytest.raises(volact.VolactError.InvalidCil) as e:
        volact.CilDocument.parse(data)
    assert e.value.kind == kind, e.value.message
    assert e.value.message in str(e.value)


def test_external_entities_are_never_resolved():
    data = (
        b'<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
        b"<SoftwareLicensingData><Computers><Computer Id='1'><Groups><Group>&e;</Group>"
        b"</Groups></Computer></Computers></SoftwareLicensingData>"
    )
    with pytest.raises(volact.VolactError.InvalidCil) as e:
        volact.CilDocument.parse(data)
    assert "root:" not in e.value.message


def test_load_errors_name_the_file(tmp_path):
    missing = tmp_path / "missing.cil"
    with pytest.raises(volact.VolactError.Io, match="missing.cil") as e:
        volact.CilDocument.load(missing)
    assert "cannot read" in e.value.message
    wrong = tmp_path / "wrong.cil"
    wrong.write_bytes(b"<Other/>")
    with pytest.raises(volact.VolactError.InvalidCil, match="wrong.cil: not a CIL") as e:
        volact.CilDocument.load(wrong)
    assert e.value.kind == "not_cil"
    with pytest.raises(volact.VolactError.Io):
        volact.CilDocument.load(tmp_path)  # a directory


# --- the shared fixtures (crates/volact/tests/data/cil/) -------------------------------

needs_fixtures = pytest.mark.skipif(
    not (FIXTURES / "lab-full.cil").exists(), reason="CIL fixtures not present"
)


def fixture(name):
    return volact.CilDocument.load(FIXTURES / name)


@needs_fixtures
@pytest.mark.parametrize(
    "name, encoding",
    [
        ("extensions-utf8.cil", "UTF-8"),
        ("extensions-utf16le.cil", "UTF-16LE"),
        ("extensions-utf16be.cil", "UTF-16BE"),
        ("utf16le-without-bom.cil", "UTF-16LE"),
        ("aliases-canonical.cil", "UTF-8"),
        ("lab-full.cil", "UTF-8"),
    ],
)
def test_fixture_load_save_is_byte_identical(tmp_path, name, encoding):
    doc = fixture(name)
    assert doc.encoding() == encoding
    doc.save(tmp_path / name)
    assert (tmp_path / name).read_bytes() == (FIXTURES / name).read_bytes()


@needs_fixtures
def test_fixture_aliases_are_written_canonically():
    assert fixture("aliases.cil").to_bytes() == (FIXTURES / "aliases-canonical.cil").read_bytes()


@needs_fixtures
def test_fixture_lab_flow(tmp_path):
    full = fixture("lab-full.cil")
    assert full.validate() == []
    s = full.summary()
    assert (s.computers, s.products, s.by_license_status) == (5, 6, {"2": 5, "5": 1})
    for mode, kwargs, expected in [
        (volact.ExportMode.PROXY_ONLY, {}, "lab-proxy-only.cil"),
        (volact.ExportMode.STANDARD, {}, "lab-export.cil"),
        (volact.ExportMode.STANDARD, {"include_sensitive": True}, "lab-full.cil"),
    ]:
        out = tmp_path / expected
        full.export(mode, **kwargs).save(out)
        assert out.read_bytes() == (FIXTURES / expected).read_bytes(), expected
    decisions = full.merge(fixture("lab-returned.cil"))
    assert [(d.outcome, d.matched_by) for d in decisions] == [("applied", "id")] * 6
    full.save(tmp_path / "merged.cil")
    assert (tmp_path / "merged.cil").read_bytes() == (FIXTURES / "lab-merged.cil").read_bytes()
    again = full.merge(fixture("lab-returned.cil"))
    assert [d.outcome for d in again] == ["already_present"] * 6
    mismatch = fixture("lab-full.cil")
    outcomes = [d.outcome for d in mismatch.merge(fixture("lab-returned-mismatch.cil"))]
    assert outcomes == ["applied"] * 4 + ["iid_mismatch", "applied"]
    assert mismatch.to_bytes() == (FIXTURES / "lab-merged-mismatch.cil").read_bytes()


@needs_fixtures
@pytest.mark.parametrize(
    "name, kind",
    [
        ("wrong-root.cil", "not_cil"),
        ("truncated.cil", "xml"),
        ("mismatched-end-tag.cil", "xml"),
        ("deep-nesting.cil", "too_deep"),
        ("latin1-declared.cil", "encoding"),
        ("external-entity.cil", "value"),
    ],
)
def test_fixture_invalid_files_raise_typed_errors(name, kind):
    with pytest.raises(volact.VolactError.InvalidCil) as e:
        fixture("invalid/" + name)
    assert e.value.kind == kind
    assert name in e.value.message and "root:" not in e.value.message


@needs_fixtures
@pytest.mark.parametrize("encoding", ["utf8", "utf16le", "utf16be"])
def test_fixture_extensions_merge(tmp_path, encoding):
    # The shadow computer (another default namespace), `x:Product` and the `x:Id` decoy are
    # not VAMT content.
    doc = fixture(f"extensions-{encoding}.cil")
    assert [len(c.products) for c in doc.computers()] == [2, 1, 1]
    decisions = doc.merge(fixture("extensions-returned.cil"))
    assert [d.outcome for d in decisions] == ["applied", "already_present", "already_present"]
    doc.save(tmp_path / "merged.cil")
    expected = FIXTURES / f"extensions-{encoding}-merged.cil"
    assert (tmp_path / "merged.cil").read_bytes() == expected.read_bytes()


@needs_fixtures
def test_fixture_lab_cid_import():
    doc = fixture("lab-full.cil")
    rows = doc.add_cids((FIXTURES / "lab-cids.csv").read_text(encoding="utf-8"))
    assert [(r.line, r.outcome) for r in rows] == [(n, "applied") for n in range(2, 7)] + [
        (7, "unknown_iid"),
        (8, "invalid_cid"),
    ]
    assert doc.to_bytes() == (FIXTURES / "lab-added.cil").read_bytes()


@needs_fixtures
def test_fixture_cid_import_check_warning_and_strict():
    csv = (FIXTURES / "lab-cids-check-warning.csv").read_text(encoding="utf-8")
    doc = fixture("lab-full.cil")
    rows = doc.add_cids(csv)
    assert [(r.line, r.outcome, r.unconfirmed_check_failed) for r in rows] == [
        (3, "applied", True),
        (4, "invalid_cid", False),
    ]
    assert doc.to_bytes() == (FIXTURES / "lab-added-check-warning.cil").read_bytes()
    assert [f.severity for f in doc.validate()] == ["warning"]
    strict = fixture("lab-full.cil")
    rows = strict.add_cids(csv, strict=True)
    assert [r.outcome for r in rows] == ["invalid_cid", "invalid_cid"]
    assert strict.to_bytes() == (FIXTURES / "lab-full.cil").read_bytes()


# --- the example -----------------------------------------------------------------------


def test_cil_example_runs_the_isolated_lab_flow(tmp_path):
    out = subprocess.run(
        [sys.executable, str(EXAMPLE), str(tmp_path)],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout
    lines = out.splitlines()
    assert lines[0] == "[1] saved lab-full.cil: 2 computers, 3 products, 3 IIDs, 0 findings"
    assert lines[1] == (
        "[2] exported lab-proxy.cil (proxy activation data only): 2 computers, "
        "identifying strings left: none"
    )
    assert lines[2:7] == [
        "[3] added CIDs to lab-returned.cil: 4 rows",
        "    line 2: applied",
        "    line 3: applied",
        "    line 4: applied",
        "    line 5: unknown_iid",
    ]
    assert lines[7] == "[4] merged into lab-merged.cil: 3 decisions"
    assert lines[8].startswith("    LAB-SPEC01 830691d5") and lines[8].endswith(
        "applied (matched by id)"
    )
    assert lines[-2:] == ["    pending CIDs: 3 of 3 products", "    merging again: already_present"]
    assert files_in(tmp_path) == [
        "lab-full.cil",
        "lab-merged.cil",
        "lab-proxy.cil",
        "lab-returned.cil",
    ]
    proxy = (tmp_path / "lab-proxy.cil").read_text(encoding="utf-8")
    assert "LAB-SPEC" not in proxy and "00-15-5D" not in proxy
    merged = volact.CilDocument.load(tmp_path / "lab-merged.cil")
    assert merged.validate() == []
    assert merged.summary().pending_cids == 3


def test_cil_example_runs_in_a_temporary_directory():
    out = subprocess.run(
        [sys.executable, str(EXAMPLE)], capture_output=True, text=True, check=True, timeout=60
    ).stdout
    assert "merging again: already_present" in out
