"""volact: Windows volume activation (KMS/MAK) administration.

Product keys, Installation/Confirmation IDs, extended product IDs (ePIDs) and the catalog of
Microsoft's published KMS client setup keys (GVLKs), and CIL documents (VAMT's Computer
Information Lists, :class:`CilDocument`). Everything is computed by the Rust core
(``volact._native`` is its uniffi module); this file only re-exports it, adds
:func:`check_keys`, a list-friendly wrapper around :func:`check_keys_batch`, and lets the
:class:`CilDocument` file methods take ``os.PathLike`` paths.

Key material stays masked: ``str()``/``repr()`` of a :class:`ProductKey` show
``XXXXX-XXXXX-XXXXX-XXXXX-2YT43``; :meth:`ProductKey.reveal` is the one way to get the key.

>>> import volact
>>> key = volact.ProductKey("nppr9-fwdcx-d2c8j-h872k-2yt43")
>>> str(key), key.pkey2009().group_id
('XXXXX-XXXXX-XXXXX-XXXXX-2YT43', 3290)
"""

from __future__ import annotations

import functools
import os
import struct
import sys
from typing import Iterable, List, NamedTuple, Optional, Union

from ._native import (
    CidImportRow,
    CilComputer,
    CilDocument,
    CilFinding,
    CilProduct,
    CilSummary,
    ConfirmationId,
    DpidLayout,
    Epid,
    ExportMode,
    GvlkRow,
    IdFormat,
    IdReport,
    InstallationId,
    KeyReport,
    MergeDecision,
    Pkey2009Fields,
    ProductKey,
    VolactError,
    catalog_gvlk,
    catalog_rows,
    check_id,
    check_keys_batch,
    group_label,
    inspect_key,
    parse_epid,
)
from ._native import decode_digital_product_id as _decode_digital_product_id

__all__ = [
    "CidImportRow",
    "CilComputer",
    "CilDocument",
    "CilFinding",
    "CilProduct",
    "CilSummary",
    "ConfirmationId",
    "DpidLayout",
    "Epid",
    "ExportMode",
    "GvlkRow",
    "IdFormat",
    "IdReport",
    "InstallationId",
    "KeyCheck",
    "KeyReport",
    "MergeDecision",
    "Pkey2009Fields",
    "ProductKey",
    "VolactError",
    "catalog_gvlk",
    "catalog_rows",
    "check_id",
    "check_keys",
    "check_keys_batch",
    "decode_digital_product_id",
    "group_label",
    "inspect_key",
    "parse_epid",
]

_LAYOUTS = {
    "DigitalProductId": DpidLayout.DIGITAL_PRODUCT_ID,
    "DigitalProductId4": DpidLayout.DIGITAL_PRODUCT_ID4,
}


def decode_digital_product_id(
    blob: bytes,
    layout: Union[DpidLayout, str] = DpidLayout.DIGITAL_PRODUCT_ID,
) -> ProductKey:
    """Decode the product key in a ``DigitalProductId`` (default) or ``DigitalProductId4``
    registry blob. ``layout`` is a :class:`DpidLayout` or its registry value name.

    Raises :class:`VolactError.InvalidDigitalProductId`.
    """
    if isinstance(layout, str):
        try:
            layout = _LAYOUTS[layout]
        except KeyError:
            raise ValueError(
                f"layout must be one of {sorted(_LAYOUTS)}, not {layout!r}"
            ) from None
    # bytes() also takes bytearray/memoryview, which the generated converter does not.
    return _decode_digital_product_id(bytes(blob), layout)


def _cil_paths(cls):
    """Lets ``CilDocument.load``/``save`` take any ``os.PathLike`` (``pathlib.Path``), and
    ``CilDocument.parse`` any bytes-like object; the generated methods take ``str`` and
    ``bytes`` only."""
    native_parse = cls.parse.__func__
    native_load = cls.load.__func__
    native_save = cls.save

    @functools.wraps(native_parse)
    def parse(cls, data):
        # memoryview: bytes(5) would be five zero bytes, not a TypeError.
        return native_parse(cls, data if isinstance(data, bytes) else bytes(memoryview(data)))

    @functools.wraps(native_load)
    def load(cls, path):
        return native_load(cls, os.fsdecode(path))

    @functools.wraps(native_save)
    def save(self, path):
        return native_save(self, os.fsdecode(path))

    cls.parse = classmethod(parse)
    cls.load = classmethod(load)
    cls.save = save


_cil_paths(CilDocument)


class KeyCheck(NamedTuple):
    """The bulk check of one key text (see :func:`check_keys`)."""

    status: str
    """``"invalid"``, ``"valid_pkey2005"``, ``"valid_pkey2009"`` or ``"checksum_mismatch"``."""
    valid: bool
    """Whether the text is a valid key."""
    group_id: Optional[int]
    """The pkey2009 key group, also for checksum mismatches; ``None`` otherwise."""


# Status bytes of check_keys_batch (the core's `BatchStatus`): name, valid, decodes.
_STATUSES = {
    0: ("invalid", False, False),
    1: ("valid_pkey2005", True, False),
    2: ("valid_pkey2009", True, True),
    3: ("checksum_mismatch", False, True),
}


class _Memo(dict):
    """(status byte, group id) -> shared KeyCheck. A batch holds few distinct pairs, and a
    dict hit is several times cheaper than building a tuple per key."""

    def __missing__(self, pair):
        status, group = pair
        try:
            name, valid, decodes = _STATUSES[status]
        except KeyError:
            # The wheel ships native code and this file together, so this is a bug.
            raise RuntimeError(f"check_keys_batch returned unknown status {status}") from None
        check = self[pair] = KeyCheck(name, valid, group if decodes else None)
        return check


if struct.calcsize("I") != 4:  # pragma: no cover - no CPython platform has this
    raise ImportError("volact needs a 4-byte C unsigned int for memoryview.cast('I')")


def check_keys(keys: Iterable[str]) -> List[KeyCheck]:
    """Check many key texts in one native call; one :class:`KeyCheck` per input, in order.

    Blank texts are invalid. Texts are joined with newlines for :func:`check_keys_batch`
    (one string across the FFI instead of a list, which uniffi lowers item by item in
    pure Python, hundreds of times slower).
    """
    if isinstance(keys, (str, bytes)):
        # A str is an iterable of characters: 29 "invalid" results instead of one check.
        raise TypeError("check_keys takes an iterable of key texts; for one text use inspect_key")
    items = keys if isinstance(keys, (list, tuple)) else list(keys)
    n = len(items)
    if n == 0:
        return []
    joined = "\n".join(items)
    if joined.count("\n") != n - 1:
        # A text with a newline inside would split into two lines. The core treats "\n"
        # like a space inside a key, so replacing it keeps every verdict and the alignment.
        joined = "\n".join(item.replace("\n", " ") for item in items)
    if not joined:
        # One blank text: the core reads an empty batch as zero lines; a space is the
        # same blank line without that ambiguity.
        joined = " "
    out = check_keys_batch(joined)
    if len(out) != 5 * n:
        raise RuntimeError(f"check_keys_batch returned {len(out)} bytes for {n} keys")
    # n status bytes, then n little-endian u32 group ids.
    statuses = out[:n]
    if sys.byteorder == "little":
        groups = memoryview(out)[n:].cast("I")
    else:  # pragma: no cover - no big-endian CI machine
        groups = struct.unpack_from(f"<{n}I", out, n)
    return list(map(_Memo().__getitem__, zip(statuses, groups)))
