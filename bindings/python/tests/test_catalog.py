"""The GVLK catalog across the binding."""

import volact
from vectors import gvlk_csv_rows


def test_catalog_has_every_csv_row_in_order():
    rows = volact.catalog_rows()
    assert len(rows) == 167
    assert all(isinstance(r, volact.GvlkRow) for r in rows)
    # Field by field against the source CSV: no field swapped or truncated on the way.
    assert [(r.family, r.edition, r.key) for r in rows] == gvlk_csv_rows()


def test_catalog_gvlk_query():
    rows = volact.catalog_gvlk("windows server 2022 datacenter")
    assert rows[0] == volact.GvlkRow(
        family="Windows Server 2022", edition="Datacenter", key="WX4NM-KYWYW-QJJR4-XV3QB-6VM33"
    )
    assert repr(rows[0]).startswith("GvlkRow(family='Windows Server 2022'")
    assert volact.catalog_gvlk("") == []
    assert volact.catalog_gvlk("no such edition anywhere") == []


def test_group_label():
    assert volact.group_label(4546) == "Windows Server 2021 RTM ServerDatacenter Volume:GVLK"
    assert volact.group_label(3290) == "Win 10 RTM Enterprise Volume:GVLK"
    assert volact.group_label(0xFFFFF) is None
