"""check_keys_batch and the check_keys glue: results line up with the inputs."""

import struct

import pytest
import volact
from vectors import ENTERPRISE, ENTERPRISE_TYPO, PKEY2005_WIN7_PRO, gvlk_csv_rows

VALID_2009 = ("valid_pkey2009", True, 3290)


def test_raw_batch_layout():
    out = volact.check_keys_batch("\n".join([ENTERPRISE, "not a key", ENTERPRISE_TYPO]))
    assert isinstance(out, bytes) and len(out) == 3 * 5
    assert list(out[:3]) == [2, 0, 3]
    assert struct.unpack("<3I", out[3:]) == (3290, 0, 3291)
    assert volact.check_keys_batch("") == b""


def test_empty_input():
    assert volact.check_keys([]) == []
    assert volact.check_keys(iter(())) == []


def test_one_blank_text_is_one_invalid_result():
    # The core reads "" as a batch of zero lines; the glue must still answer once.
    assert volact.check_keys([""]) == [("invalid", False, None)]
    assert volact.check_keys(["   "]) == [("invalid", False, None)]


def test_blank_lines_keep_their_place():
    texts = ["", ENTERPRISE, "", " ", ENTERPRISE, ""]
    got = volact.check_keys(texts)
    assert len(got) == len(texts)
    assert [c.valid for c in got] == [False, True, False, False, True, False]
    assert got[1] == VALID_2009 and got[4] == VALID_2009


def test_statuses_and_group_ids():
    got = volact.check_keys([ENTERPRISE, ENTERPRISE_TYPO, PKEY2005_WIN7_PRO, "NPPR9-FWDCX"])
    assert got == [
        VALID_2009,
        ("checksum_mismatch", False, 3291),  # the group survives a checksum mismatch
        ("valid_pkey2005", True, None),
        ("invalid", False, None),
    ]
    c = got[1]
    assert isinstance(c, volact.KeyCheck)
    assert (c.status, c.valid, c.group_id) == ("checksum_mismatch", False, 3291)


def test_newlines_inside_a_text_do_not_shift_the_results():
    # A newline is whitespace inside a key (as for inspect_key); it must not split the text.
    split = ENTERPRISE.replace("-", "\n", 2)
    got = volact.check_keys([split, ENTERPRISE_TYPO, "a\nb"])
    assert got == [VALID_2009, ("checksum_mismatch", False, 3291), ("invalid", False, None)]
    assert volact.inspect_key(split).valid
    # CRLF input: the "\r" left at a line end is whitespace.
    assert volact.check_keys([ENTERPRISE + "\r", ENTERPRISE_TYPO + "\r"])[0] == VALID_2009


def test_accepts_any_iterable_of_str():
    assert volact.check_keys(k for k in (ENTERPRISE,)) == [VALID_2009]
    assert volact.check_keys((ENTERPRISE, ENTERPRISE)) == [VALID_2009] * 2
    with pytest.raises(TypeError):
        volact.check_keys([ENTERPRISE, 42])
    with pytest.raises(TypeError, match="inspect_key"):
        volact.check_keys(ENTERPRISE)  # one str, not a list of them


def test_agrees_with_inspect_key_on_catalog_keys_and_mutations():
    keys = [row[2] for row in gvlk_csv_rows()]
    texts = list(keys)
    for i, key in enumerate(keys):
        # One symbol changed per key (a typo), at a position that moves with i.
        pos = (i * 7) % 29
        if key[pos] != "-":
            texts.append(key[:pos] + ("B" if key[pos] != "B" else "C") + key[pos + 1 :])
    got = volact.check_keys(texts)
    assert len(got) == len(texts)
    for text, check in zip(texts, got):
        r = volact.inspect_key(text)
        assert check.valid == r.valid
        assert check.group_id == r.group_id
        if r.valid:
            assert check.status == "valid_" + r.algorithm
        else:
            assert check.status == ("checksum_mismatch" if r.group_id is not None else "invalid")
    statuses = [c.status for c in got[: len(keys)]]
    # facts.md §3 / the CLI's catalog summary: 167 keys, 142 pkey2009, all valid.
    assert statuses.count("valid_pkey2009") == 142
    assert statuses.count("valid_pkey2005") == 25
    assert any(c.status == "checksum_mismatch" for c in got[len(keys) :])


def test_large_batch_lines_up():
    texts = [ENTERPRISE, ENTERPRISE_TYPO, "", PKEY2005_WIN7_PRO] * 25_000
    got = volact.check_keys(texts)
    assert len(got) == 100_000
    assert got[-4:] == volact.check_keys(texts[:4])
    assert sum(c.valid for c in got) == 50_000
