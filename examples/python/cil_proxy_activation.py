"""MAK proxy activation of an isolated lab, with CIL files on removable media.

The lab's computers cannot reach Microsoft. The administrator:

1. saves the lab's full Computer Information List (CIL) inside the lab;
2. exports "proxy activation data only" for the USB stick: Installation IDs, no computer
   names, MAC addresses or network names, because those must not leave the lab;
3. on a connected machine, adds the Confirmation IDs that VAMT or phone activation returned
   (a CSV of ``installation_id,confirmation_id``);
4. back in the lab, merges the returned file into the full one: each CID lands on the
   product with the same SKU and the same Installation ID, and every decision is reported.

The IDs below are fictitious (their check digits hold; they mean nothing to Windows).

Run (after `pip install ./bindings/python`):
    python examples/python/cil_proxy_activation.py [WORK_DIR]
Files go to WORK_DIR, or to a temporary directory that is removed afterwards.
"""

import sys
import tempfile
from pathlib import Path

import volact

WIN_SKU = "830691d5-5f5a-448d-9259-9f8d38bd9335"
OFFICE_SKU = "9690b7fa-3036-40f1-8f47-f1e42d6b0d89"

IID_SPEC01 = "2914172-7763176-0669071-4391505-0080636-6083776-8353370-4068123-4158680"
IID_SPEC02 = "0115242-4939095-2668581-7840052-7566825-8233024-5228853-8827686-5955720"
IID_OFFICE = "3982590-7919072-4833783-8762324-8601290-0404796-6669724-5102733-4646863"

FULL_CIL = f"""<?xml version="1.0" encoding="utf-8"?>
<!-- Isolated Lab Group, discovered by VAMT -->
<SoftwareLicensingData Version="2.0">
  <Computers>
    <Computer Id="{{20FD2E1B-925B-42C4-897A-1804093E1AE4}}" Name="LAB-SPEC01" OSVersion="10.0.19045" OSEdition="Enterprise" NetworkType="Workgroup" NetworkName="LAB">
      <MacAddresses><MacAddress>00-15-5D-0A-11-01</MacAddress></MacAddresses>
      <Products>
        <Product>
          <Sku Id="{WIN_SKU}" Name="Windows(R), Enterprise edition" ApplicationId="55c92734-d682-4d71-983e-d6ec3f16059f"/>
          <LicenseStatus>2</LicenseStatus>
          <ProductKeyType>Volume:MAK</ProductKeyType>
          <PartialProductKey>8XJ3W</PartialProductKey>
          <InstallationId>{IID_SPEC01}</InstallationId>
        </Product>
        <Product>
          <Sku Id="{OFFICE_SKU}" Name="Office 16, Office16ProPlusVL_MAK edition" ApplicationId="0ff1ce15-a989-479d-af46-f275c6370663"/>
          <LicenseStatus>2</LicenseStatus>
          <ProductKeyType>Volume:MAK</ProductKeyType>
          <InstallationId>{IID_OFFICE}</InstallationId>
        </Product>
      </Products>
      <Groups><Group>Isolated Lab Group</Group></Groups>
    </Computer>
    <Computer Id="{{F129153D-24CF-4EDC-BD15-859A9034EEB0}}" Name="LAB-SPEC02" OSVersion="10.0.19045" OSEdition="Enterprise" NetworkType="Workgroup" NetworkName="LAB">
      <MacAddresses><MacAddress>00-15-5D-0A-11-02</MacAddress></MacAddresses>
      <Products>
        <Product>
          <Sku Id="{WIN_SKU}" Name="Windows(R), Enterprise edition" ApplicationId="55c92734-d682-4d71-983e-d6ec3f16059f"/>
          <LicenseStatus>5</LicenseStatus>
          <ProductKeyType>Volume:MAK</ProductKeyType>
          <PartialProductKey>8XJ3W</PartialProductKey>
          <InstallationId>{IID_SPEC02}</InstallationId>
        </Product>
      </Products>
      <Groups><Group>Isolated Lab Group</Group></Groups>
    </Computer>
  </Computers>
</SoftwareLicensingData>
"""

# What VAMT or phone activation returned: IIDs and CIDs in any grouping. The last row's IID
# is not in the file (a typo in a phone session); it is reported, never guessed at.
CIDS_CSV = """installation_id,confirmation_id
2914172 7763176 0669071 4391505 0080636 6083776 8353370 4068123 4158680,787783-932875-921744-218090-679290-081003-339074-579380
011524249390952668581784005275668258233024522885388276865955720,748520 605741 793802 927524 530934 185610 008311 671620
3982590-7919072-4833783-8762324-8601290-0404796-6669724-5102733-4646863,442321-322185-340624-904214-476244-537891-656515-594780
3416720-1106843-0388541-2143041-4324456-1956831-2374185-4049484-3669466,198342-441743-766143-355453-822846-201190-501433-669791
"""


def step(n, text):
    print(f"[{n}] {text}")


def run(work: Path) -> None:
    full = volact.CilDocument.parse(FULL_CIL.encode("utf-8"))
    findings = full.validate()
    summary = full.summary()
    full.save(work / "lab-full.cil")
    step(
        1,
        f"saved lab-full.cil: {summary.computers} computers, {summary.products} products, "
        f"{summary.with_installation_id} IIDs, {len(findings)} findings",
    )

    proxy = full.export(volact.ExportMode.PROXY_ONLY)
    proxy.save(work / "lab-proxy.cil")
    text = proxy.to_bytes().decode("utf-8")
    leaked = [s for s in ("LAB-SPEC01", "LAB-SPEC02", "00-15-5D", "Isolated Lab") if s in text]
    step(
        2,
        f"exported lab-proxy.cil (proxy activation data only): "
        f"{len(proxy.computers())} computers, identifying strings left: {leaked or 'none'}",
    )

    # On the connected machine: the stick's file gets the CIDs.
    returned = volact.CilDocument.load(work / "lab-proxy.cil")
    rows = returned.add_cids(CIDS_CSV)
    returned.save(work / "lab-returned.cil")
    step(3, f"added CIDs to lab-returned.cil: {len(rows)} rows")
    for row in rows:
        print(f"    line {row.line}: {row.outcome}")

    # Back in the lab.
    returned = volact.CilDocument.load(work / "lab-returned.cil")
    decisions = full.merge(returned)
    full.save(work / "lab-merged.cil")
    step(4, f"merged into lab-merged.cil: {len(decisions)} decisions")
    computers = full.computers()
    for d in decisions:
        name = computers[d.matched_computer].name if d.matched_computer is not None else "?"
        print(f"    {name} {d.sku_id}: {d.outcome} (matched by {d.matched_by})")
    s = full.summary()
    print(f"    pending CIDs: {s.pending_cids} of {s.products} products")

    again = full.merge(returned)
    print(f"    merging again: {', '.join(sorted({d.outcome for d in again}))}")


def main(argv):
    if len(argv) > 1:
        work = Path(argv[1])
        work.mkdir(parents=True, exist_ok=True)
        run(work)
    else:
        with tempfile.TemporaryDirectory(prefix="volact-cil-") as tmp:
            run(Path(tmp))


if __name__ == "__main__":
    main(sys.argv)
