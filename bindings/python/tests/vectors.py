"""Published test vectors (research/facts.md §1.3, §1.4, §2), shared by the tests."""

from pathlib import Path

REPO = Path(__file__).resolve().parents[3]
GVLK_CSV = REPO / "crates" / "volact" / "data" / "gvlk.csv"

ENTERPRISE = "NPPR9-FWDCX-D2C8J-H872K-2YT43"  # Win 10/11 Enterprise GVLK, group 3290
ENTERPRISE_TYPO = "NPPR9-FWDCX-D2C8J-H872K-2YT44"  # decodes to 3291, checksum fails
PKEY2005_WIN7_PRO = "FJ82H-XT6CR-J8D7P-XQJJ2-GPDD4"  # Windows 7 Professional GVLK
TWIN_A = "NJCF7-PW8QT-3324D-688JX-2YV66"  # S14 "twin" keys: group 3892, serial 1
TWIN_B = "VKCF7-HV62C-944TY-YJ9NF-6Q83G"  # the twin with extra=1

# key -> (group_id, serial, checksum, security or None)  (facts.md §1.3)
PKEY2009 = {
    ENTERPRISE: (3290, 3, 0x033, 0xF99457819D8C6),
    "W269N-WFGWX-YVC9B-4J6C9-T83GX": (3311, 1, 0x25E, 0x1BAF538E714F4D),
    "WX4NM-KYWYW-QJJR4-XV3QB-6VM33": (4546, 1, 0x1DA, None),
    "XJ2XN-FW8RK-P4HMP-DKDBV-GCVGB": (5024, 0, 0x261, None),
    "TVRH6-WHNXV-R9WG3-9XRFY-MY832": (4929, 1, 0x3DD, None),
    TWIN_A: (3892, 1, 0x021, None),
    TWIN_B: (3892, 1, 0x188, None),
}

# facts.md §2.1-§2.2
XP_IID = "070846-984606-199354-110900-862045-444713-121295-109842-549701"  # 9 x 6
OFFICE_IID = "020650770493837252929082195773527024195725809211989214"  # 9 x 6
WIN10_IID = "253037440405119108201413961093786848722385303726677949056629205"  # 9 x 7
XP_CID = "204455-473963-727110-378854-169136-901266-745572"  # 7 x 6

# facts.md §2.3
EPIDS = [
    "05426-00206-234-001162-03-1033-9200.0000-0992013",
    "03612-05150-000-025690-03-1033-19045.0000-2962025",
    "03612-03305-317-008912-02-1033-9200.0000-0662023",
]

# facts.md §1.4: bytes 52..66 of the Enterprise key's DigitalProductId
DPID_KEY_BYTES = bytes.fromhex("da0c30000000186367e01565be1908")


def gvlk_csv_rows():
    """(family, edition, key) rows of the catalog's source CSV."""
    import csv

    with GVLK_CSV.open(newline="", encoding="utf-8") as f:
        return [(r["product_family"], r["edition"], r["gvlk"]) for r in csv.DictReader(f)]


def secret_forms(key):
    """The spellings of a key that must never show up where it is masked."""
    bare = key.replace("-", "")
    return {key, key.lower(), bare, bare.lower(), bare[:20], key[:23]}
