"""volact: Windows volume activation (KMS/MAK) administration.

Product keys, Installation/Confirmation IDs, extended product IDs (ePIDs) and the catalog of
Microsoft's published KMS client setup keys (GVLKs), and CIL documents (VAMT's Computer
Information Lists, :class:`CilDocument`), and KMS discovery over DNS (:func:`plan_topology`,
:func:`order_srv_records`, :func:`discover_kms`, :func:`publish_srv`, :func:`probe`), and the
licensing model's values (:class:`LicenseStatus`, :func:`check_interval`,
:func:`parse_interval`, :func:`explain`, :func:`all_error_codes`), and the user catalog
(:class:`UserCatalog`: classify keys with the administrator's own pkeyconfig files), and
the MAK store (:class:`MakStore`: the keys the administrator owns, always shown masked),
and workflows (:func:`workflow_survey`, :func:`workflow_plan`, :func:`workflow_render`,
:func:`workflow_run_execute`, :func:`workflow_collect_cil`, :func:`workflow_acquire`: MAK
independent and proxy activation, KMS client configuration, KMS host deployment and conversion
to MAK of machines Python implements as :class:`ActivationTarget`), and Unattend.xml answer
files (:func:`unattend_show`, :func:`unattend_set_key`, :func:`unattend_scrub`).
Everything is computed by the Rust core (``volact._native`` is its uniffi module); this file
only re-exports it, adds :func:`check_keys`, a list-friendly wrapper around
:func:`check_keys_batch`, lets the :class:`CilDocument` file methods take ``os.PathLike``
paths, lets the srv functions take texts where the native ones take records, and lets
:func:`explain` take an ``int`` as well as a text.

Key material stays masked: ``str()``/``repr()`` of a :class:`ProductKey` show
``XXXXX-XXXXX-XXXXX-XXXXX-2YT43``; :meth:`ProductKey.reveal` is the one way to get the key.

>>> import volact
>>> key = volact.ProductKey("nppr9-fwdcx-d2c8j-h872k-2yt43")
>>> str(key), key.pkey2009().group_id
('XXXXX-XXXXX-XXXXX-XXXXX-2YT43', 3290)
"""

from __future__ import annotations

import functools
import json
import os
import struct
import sys
from typing import Any, Dict, Iterable, List, Mapping, NamedTuple, Optional, Union

from ._native import (
    AcquiredCil,
    ActivationTarget,
    CidImportRow,
    CidSourceError,
    CilComputer,
    CilDocument,
    CilFinding,
    CilProduct,
    CilSummary,
    Classification,
    ClientConfig,
    CollectedCil,
    ConfirmationId,
    ConfirmationIdSource,
    Discovery,
    DiscoveryAttempt,
    DiscoveryQuery,
    DpidLayout,
    Epid,
    ErrorExplanation,
    ExportMode,
    GvlkRow,
    HostPlan,
    IdFormat,
    IdReport,
    ImportReport,
    InstallationId,
    KeyReport,
    LicenseStatus,
    MakEntry,
    MakSnapshot,
    MakStore,
    MergeDecision,
    OrderMode,
    Pkey2009Fields,
    PlannedRecord,
    ProductKey,
    ScavengingCheck,
    SrvPlan,
    SrvRecord,
    TargetError,
    UserCatalog,
    VolactError,
    all_error_codes,
    catalog_gvlk,
    catalog_rows,
    check_id,
    check_interval,
    check_keys_batch,
    client_config_from_json,
    group_label,
    inspect_key,
    license_status_dli_text,
    license_status_from_wmi,
    license_status_name,
    parse_epid,
    parse_interval,
    parse_srv_record,
    plan_topology,
    probe,
    proxy_steps,
    workflow_collect_script,
    workflow_render,
)
from ._native import decode_digital_product_id as _decode_digital_product_id
from ._native import discover_kms as _discover_kms
from ._native import explain as _explain
from ._native import explain_json as _explain_json
from ._native import first_counts as _first_counts
from ._native import order_srv_records as _order_srv_records
from ._native import publish_srv as _publish_srv
from ._native import run_scenario as _run_scenario
from ._native import unattend_scrub as _unattend_scrub
from ._native import unattend_set_key as _unattend_set_key
from ._native import unattend_show as _unattend_show
from ._native import withdraw_srv as _withdraw_srv
from ._native import workflow_acquire as _workflow_acquire
from ._native import workflow_collect_cil as _workflow_collect_cil
from ._native import workflow_plan as _workflow_plan
from ._native import workflow_run_execute as _workflow_run_execute
from ._native import workflow_online_activations as _workflow_online_activations
from ._native import workflow_run_new as _workflow_run_new
from ._native import workflow_survey as _workflow_survey

__all__ = [
    "Classification",
    "ImportReport",
    "UserCatalog",
    "MakEntry",
    "MakSnapshot",
    "MakStore",
    "run_scenario",
    "CidImportRow",
    "CilComputer",
    "CilDocument",
    "CilFinding",
    "CilProduct",
    "CilSummary",
    "ClientConfig",
    "ConfirmationId",
    "Discovery",
    "DiscoveryAttempt",
    "DiscoveryQuery",
    "DpidLayout",
    "Epid",
    "ErrorExplanation",
    "ExportMode",
    "GvlkRow",
    "HostPlan",
    "IdFormat",
    "IdReport",
    "InstallationId",
    "KeyCheck",
    "KeyReport",
    "LicenseStatus",
    "MergeDecision",
    "OrderMode",
    "Pkey2009Fields",
    "PlannedRecord",
    "ProductKey",
    "ScavengingCheck",
    "SrvPlan",
    "SrvRecord",
    "VolactError",
    "all_error_codes",
    "catalog_gvlk",
    "catalog_rows",
    "check_id",
    "check_interval",
    "check_keys",
    "check_keys_batch",
    "client_config_from_json",
    "decode_digital_product_id",
    "discover_kms",
    "explain",
    "explain_json",
    "first_counts",
    "group_label",
    "inspect_key",
    "license_status_dli_text",
    "license_status_from_wmi",
    "license_status_name",
    "order_srv_records",
    "parse_epid",
    "parse_interval",
    "parse_srv_record",
    "plan_topology",
    "probe",
    "publish_srv",
    "withdraw_srv",
    "AcquiredCil",
    "ActivationTarget",
    "CidSourceError",
    "CollectedCil",
    "ConfirmationIdSource",
    "TargetError",
    "proxy_steps",
    "workflow_acquire",
    "workflow_collect_cil",
    "workflow_plan",
    "workflow_render",
    "workflow_online_activations",
    "workflow_run_execute",
    "workflow_run_new",
    "workflow_survey",
    "workflow_collect_script",
    "unattend_scrub",
    "unattend_set_key",
    "unattend_show",
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


def _user_catalog_paths(cls):
    """Lets ``UserCatalog.load``/``save`` take any ``os.PathLike``, and
    ``import_pkeyconfig`` any bytes-like object."""
    native_load = cls.load.__func__
    native_save = cls.save
    native_import = cls.import_pkeyconfig

    @functools.wraps(native_load)
    def load(cls, path):
        return native_load(cls, os.fsdecode(path))

    @functools.wraps(native_save)
    def save(self, path):
        return native_save(self, os.fsdecode(path))

    @functools.wraps(native_import)
    def import_pkeyconfig(self, data, name):
        return native_import(
            self, data if isinstance(data, bytes) else bytes(memoryview(data)), name
        )

    cls.load = classmethod(load)
    cls.save = save
    cls.import_pkeyconfig = import_pkeyconfig


_user_catalog_paths(UserCatalog)


def _mak_store_paths(cls):
    """Lets ``MakStore.load``/``save`` take any ``os.PathLike``."""
    native_load = cls.load.__func__
    native_save = cls.save

    @functools.wraps(native_load)
    def load(cls, path):
        return native_load(cls, os.fsdecode(path))

    @functools.wraps(native_save)
    def save(self, path):
        return native_save(self, os.fsdecode(path))

    cls.load = classmethod(load)
    cls.save = save


_mak_store_paths(MakStore)


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


# --- KMS discovery over DNS (srv) -------------------------------------------------------
# The native functions take records and enums; these wrappers only convert texts to them
# with the core's own parsers (SrvRecord.parse, ClientConfig.from_json). No DNS logic here.

SrvRecord.parse = staticmethod(parse_srv_record)
ClientConfig.from_json = staticmethod(client_config_from_json)

_MODES = {"rfc2782": OrderMode.RFC2782, "legacy": OrderMode.LEGACY}
SrvRecordLike = Union[SrvRecord, str]


def _record(r: SrvRecordLike) -> SrvRecord:
    return parse_srv_record(r) if isinstance(r, str) else r


def _records(records: Iterable[SrvRecordLike]) -> List[SrvRecord]:
    if isinstance(records, str):
        # A str is an iterable of characters; one record per call is not what was meant.
        raise TypeError("records must be a list of SrvRecord or 'prio weight port target' texts")
    return [_record(r) for r in records]


def _mode(mode: Union[OrderMode, str, None]) -> Optional[OrderMode]:
    if isinstance(mode, str):
        try:
            return _MODES[mode.lower()]
        except KeyError:
            raise ValueError(f"mode must be one of {sorted(_MODES)}, not {mode!r}") from None
    return mode


def order_srv_records(
    records: Iterable[SrvRecordLike],
    mode: Union[OrderMode, str, None] = None,
    seed: Optional[int] = None,
) -> List[SrvRecord]:
    """The order a client tries ``records`` in (``SrvRecord`` or ``"10 75 1688 host"``
    texts; ``.`` targets left out). ``mode``: ``OrderMode.RFC2782`` (default) or
    ``LEGACY``, or ``"rfc2782"``/``"legacy"``. The same ``seed`` gives the same order;
    ``None`` draws fresh randomness."""
    return _order_srv_records(_records(records), _mode(mode), seed)


def first_counts(
    records: Iterable[SrvRecordLike],
    mode: Union[OrderMode, str, None] = None,
    draws: int = 10000,
    seed: Optional[int] = None,
) -> Dict[str, int]:
    """How often each target comes first over ``draws`` orderings (every host target
    appears, with 0 if never first)."""
    return _first_counts(_records(records), _mode(mode), draws, seed)


def discover_kms(
    config: Union[ClientConfig, str, Mapping[str, Any]],
    servers: Optional[Iterable[str]] = None,
    timeout_ms: int = 2000,
    seed: Optional[int] = None,
) -> Discovery:
    """The KMS hosts a client with ``config`` tries, in order, asking real DNS.

    ``config``: a :class:`ClientConfig`, its JSON text, or a dict of the same keys.
    ``servers``: ``["127.0.0.1:5353", "192.0.2.53"]`` (port 53 by default), or ``None`` for
    ``/etc/resolv.conf``'s. ``timeout_ms`` bounds each try. Lookups that fail are
    ``failed`` queries in the result, not exceptions.
    """
    if isinstance(config, Mapping):
        config = json.dumps(dict(config))
    if isinstance(config, str):
        config = client_config_from_json(config)
    if isinstance(servers, str):
        servers = [servers]
    return _discover_kms(config, None if servers is None else list(servers), timeout_ms, seed)


def _key_text(tsig_key: Union[str, "os.PathLike[str]"]) -> str:
    # A str is the key file's text (what tsig-keygen prints); a path object is read.
    if isinstance(tsig_key, str):
        return tsig_key
    with open(os.fspath(tsig_key), encoding="utf-8") as f:
        return f.read()


def publish_srv(
    server: str,
    zone: str,
    domain: str,
    record: SrvRecordLike,
    tsig_key: Union[str, "os.PathLike[str]"],
    ttl: int = 3600,
    timeout_ms: int = 5000,
) -> None:
    """Add ``record`` at ``_vlmcs._tcp.<domain>`` in ``zone`` by a TSIG-signed RFC 2136
    update to ``server`` (``"ip[:port]"``). ``tsig_key``: the BIND key file's text, or its
    path as an ``os.PathLike``. Raises :class:`VolactError.Network` (``.kind`` ``tsig``,
    ``refused``, ``timeout``…), :class:`VolactError.InvalidTsigKey`."""
    _publish_srv(server, zone, domain, _record(record), _key_text(tsig_key), ttl, timeout_ms)


def withdraw_srv(
    server: str,
    zone: str,
    domain: str,
    host: str,
    tsig_key: Union[str, "os.PathLike[str]"],
    priority: Optional[int] = None,
    weight: Optional[int] = None,
    timeout_ms: int = 5000,
) -> List[SrvRecord]:
    """Remove ``host``'s record(s) at ``_vlmcs._tcp.<domain>``: exactly ``priority weight
    1688 host`` when both are given, else every record targeting ``host``. Returns what was
    deleted."""
    return _withdraw_srv(
        server, zone, domain, host, _key_text(tsig_key), priority, weight, timeout_ms
    )


# --- licensing --------------------------------------------------------------------------
# The native functions do the work (the core's LicenseStatus, Interval and error_code);
# these only attach them to the enum and accept an int where a text is read.

LicenseStatus.from_wmi = staticmethod(license_status_from_wmi)
LicenseStatus.wmi_name = property(license_status_name)
LicenseStatus.dli_text = property(license_status_dli_text)

ErrorCodeLike = Union[str, int]


def _code_text(code: ErrorCodeLike) -> str:
    # An int goes to the core's parser as its decimal text, so negative HRESULTs from
    # scripts and event logs (-1073418124) read as they do on the command line.
    if isinstance(code, bool) or not isinstance(code, (str, int)):
        raise TypeError(f"code must be a str or an int, not {type(code).__name__}")
    return code if isinstance(code, str) else str(code)


def explain(code: ErrorCodeLike) -> ErrorExplanation:
    """The table entry for an activation error code: ``0xC004F074``, ``C004F074``,
    ``3221549172``, ``-1073418124``, or the same as an ``int``.

    Raises :class:`VolactError.InvalidErrorCode` (not a code) or
    :class:`VolactError.UnknownErrorCode` (not in the table; ``.code`` holds it).
    """
    return _explain(_code_text(code))


def explain_json(code: ErrorCodeLike) -> Dict[str, Any]:
    """The record ``volact explain --json`` prints for ``code``, as a dict: ``input``,
    ``known``, ``code`` (``"0xC004F074"``), ``message``, ``applies_to``, ``cause``, ``fix``,
    ``source``, ``error``. Never raises for a bad code: ``known`` is ``False`` and ``error``
    says why."""
    return json.loads(_explain_json(_code_text(code)))


def run_scenario(toml: str) -> Dict[str, Any]:
    """Runs a KMS fleet scenario (the TOML of ``docs/fleet-simulation.md``) and returns its
    report as a dict, the JSON ``volact simulate --json`` prints: per-day clients by license
    state (``daily``), per-host requests and counts (``hosts``), ``wan_share``,
    ``first_activation``, and ``notification`` with the error codes that put clients there.
    Deterministic from the scenario's seed. Raises ``VolactError.InvalidScenario``."""
    return json.loads(_run_scenario(toml))


# --- workflows ----------------------------------------------------------------------------
# The native functions do the work (the core's workflow::api); these wrappers accept parsed
# JSON (a list or dict) where the native ones take its text, any bytes-like object for a
# CIL and any iterable of targets, and guard the callbacks (below). Results stay JSON texts:
# they are what the next step takes and what gets saved between steps.
#
# The guard: uniffi's generated callback code catches `Exception` only. A KeyboardInterrupt
# or SystemExit raised in a target's method escapes to ctypes, which prints it and returns
# to Rust as if the method had succeeded: Ctrl-C during `activate` would record the
# machine as activated. So each target and source is wrapped: such an exception fails
# that action (`other`, or a refusal with code 0), every later callback of the same call
# fails without reaching a machine, and when the native call returns the exception is
# raised again, carrying the call's result (the run JSON, say) as `.volact_result`.

JsonLike = Union[str, List[Any], Dict[str, Any]]
BytesLike = Union[bytes, bytearray, memoryview]

_TARGET_METHODS = (
    "machine_json",
    "products_json",
    "install_product_key",
    "activate",
    "deposit_confirmation_id",
    "set_kms_host",
    "set_kms_lookup_domain",
    "set_host_caching",
    "read_value",
    "write_value",
)


class _Stop:
    """The interruption (a BaseException that is not an Exception) of one native call."""

    __slots__ = ("exc",)

    def __init__(self):
        self.exc = None


def _guard(name, fail):
    def method(self, *args):
        stop = self._volact_stop
        if stop.exc is not None:
            raise fail(f"not run: interrupted by {stop.exc!r}")
        try:
            return getattr(self._volact_inner, name)(*args)
        except Exception:
            raise  # uniffi handles these: a TargetError as raised, others as `other`
        except BaseException as e:
            stop.exc = e
            raise fail(f"interrupted by {e!r}") from None

    method.__name__ = name
    return method


class _GuardedTarget(ActivationTarget):
    def __init__(self, inner, stop):
        self._volact_inner = inner
        self._volact_stop = stop


for _name in _TARGET_METHODS:
    setattr(_GuardedTarget, _name, _guard(_name, lambda d: TargetError.Other(d)))


class _GuardedSource(ConfirmationIdSource):
    def __init__(self, inner, stop):
        self._volact_inner = inner
        self._volact_stop = stop

    confirmation_id = _guard("confirmation_id", lambda d: CidSourceError.Refused(0, d))


def _guarded_call(stop, call):
    result = call()
    if stop.exc is not None:
        stop.exc.volact_result = result
        raise stop.exc
    return result


def _json_text(value: JsonLike) -> str:
    return value if isinstance(value, str) else json.dumps(value)


def _bytes(data: Optional[BytesLike]) -> Optional[bytes]:
    # memoryview: bytes(5) would be five zero bytes, not a TypeError.
    return data if data is None or isinstance(data, bytes) else bytes(memoryview(data))


def _targets(targets: Iterable[ActivationTarget], stop: _Stop) -> List[ActivationTarget]:
    out = []
    for t in targets:
        if not isinstance(t, ActivationTarget):
            raise TypeError(
                f"targets must subclass volact.ActivationTarget, not {type(t).__name__}"
            )
        out.append(_GuardedTarget(t, stop))
    return out


def workflow_survey(targets: Iterable[ActivationTarget]) -> str:
    """Asks every target for its machine and products (VAMT's "Refresh Computer Status");
    the survey's JSON, one entry per target in order: ``{"machine", "products"}``, or
    ``{"error": {"kind", ...}}`` for a target that raised."""
    stop = _Stop()
    guarded = _targets(targets, stop)
    return _guarded_call(stop, lambda: _workflow_survey(guarded))


def workflow_plan(
    kind: str,
    survey: JsonLike,
    store: Optional[MakStore] = None,
    mak: Optional[str] = None,
    cil: Optional[BytesLike] = None,
    kms_hosts: str = "",
    exact_iid: bool = True,
    options: Optional[JsonLike] = None,
) -> str:
    """Builds the plan ``kind`` (``preflight``, ``mak-independent``, ``proxy-install``,
    ``proxy-apply``, ``reapply``, ``kms-configure``, ``kms-deploy``, ``convert-to-mak``) from
    a survey (its JSON text or the parsed list) and returns its JSON. ``store`` and ``mak``
    (a selector: id, last five, masked key) name the key to install (the CSVLK for
    ``kms-deploy``); ``cil`` is the merged CIL's bytes; ``options`` the plan's options as
    JSON text or a dict (``None``: none): for ``kms-configure`` the client settings
    (``{"discovery": "auto", "host_caching": False, "alternate_url": "..."}``), for
    ``kms-deploy`` ``{"topology": toml_text, "group": "server2022", "serves":
    ["windows10"], "security_groups": {"east.contoso.com": "KMS_E"}}``. Raises
    :class:`VolactError.Workflow`, :class:`VolactError.MakRefused`."""
    return _workflow_plan(
        kind,
        _json_text(survey),
        store,
        mak,
        _bytes(cil),
        kms_hosts,
        exact_iid,
        None if options is None else _json_text(options),
    )


def workflow_run_new(plan: JsonLike) -> str:
    """A new run of a plan (its JSON text or the parsed dict), as JSON."""
    return _workflow_run_new(_json_text(plan))


def workflow_run_execute(
    run: JsonLike,
    targets: Iterable[ActivationTarget],
    store: Optional[MakStore] = None,
    mak: Optional[str] = None,
) -> str:
    """Runs a run's pending and failed actions on ``targets`` (the plan's, in order) and
    returns the updated run's JSON. ``store`` and ``mak`` give the key the plan installs;
    only the targets' ``install_product_key`` ever sees it. A KeyboardInterrupt in a
    target fails its action, stops the run and is raised again with the run's JSON as
    ``.volact_result`` (save it to resume)."""
    stop = _Stop()
    guarded = _targets(targets, stop)
    text = _json_text(run)
    return _guarded_call(stop, lambda: _workflow_run_execute(text, guarded, store, mak))


def workflow_online_activations(run: JsonLike) -> int:
    """The online activations a run has made (each uses one activation of the MAK): give it
    to :meth:`MakStore.record_activations` to keep the store's count snapshot current."""
    return _workflow_online_activations(_json_text(run))


def workflow_collect_cil(survey: JsonLike, group: str = "") -> CollectedCil:
    """Proxy steps 3 and 6: the full CIL of the surveyed machines (``.cil`` bytes) and the
    machines left out (``.left_out``)."""
    return _workflow_collect_cil(_json_text(survey), group)


def workflow_acquire(cil: BytesLike, source: ConfirmationIdSource) -> AcquiredCil:
    """Proxy step 9: fills ``PendingConfirmationId`` from ``source`` for every product with
    an IID and no CID; the new bytes (``.cil``) and the report (``.report``)."""
    if not isinstance(source, ConfirmationIdSource):
        raise TypeError(
            f"source must subclass volact.ConfirmationIdSource, not {type(source).__name__}"
        )
    stop = _Stop()
    guarded = _GuardedSource(source, stop)
    data = _bytes(cil)
    return _guarded_call(stop, lambda: _workflow_acquire(data, guarded))


CollectedCil.left_out = property(
    lambda self: json.loads(self.left_out_json),
    doc="The machines left out, parsed: a list of ``{'rule', 'reason'}``.",
)
AcquiredCil.report = property(
    lambda self: json.loads(self.report_json),
    doc="The acquire report, parsed: ``{'rows': [...]}``.",
)


# --- Unattend.xml answer files --------------------------------------------------------------
# The native functions do the work (the core's unattend module); these wrappers take any
# bytes-like object for the file, and refuse a str: the file's bytes carry its encoding
# (UTF-16 answer files are common), which a decoded text has lost.


def _file_bytes(file: BytesLike) -> bytes:
    if isinstance(file, str):
        raise TypeError(
            "file must be the answer file's bytes (open(path, 'rb').read()), not a str"
        )
    return _bytes(file)


def unattend_show(file: BytesLike, catalog: Optional[UserCatalog] = None) -> str:
    """Every place of an answer file a product key is or could be read from, and the
    warnings, as the core's report JSON text (``{"places": [...], "warnings": [...]}``).
    Keys appear masked only. ``catalog`` names the
    type of keys it knows (``mak``, ``csvlk``, ...); without one only published GVLKs are
    known. Raises :class:`VolactError.Unattend` (``.kind``: ``encoding``, ``xml``, ``dtd``,
    ``not_unattend``, ``too_large``)."""
    return _unattend_show(_file_bytes(file), catalog)


def unattend_set_key(file: BytesLike, key: str) -> bytes:
    """The file's bytes with ``key`` in every place setup reads a product key from (the
    windowsPE ``UserData/ProductKey/Key`` and the specialize ``ProductKey``), every other byte
    unchanged, in the file's encoding. Raises :class:`VolactError.InvalidKey` (its message
    never holds the key), :class:`VolactError.Unattend` (also ``no_key_place``,
    ``complex_value``)."""
    return _unattend_set_key(_file_bytes(file), key)


def unattend_scrub(file: BytesLike) -> bytes:
    """The file's bytes with every key in it (setup's places, other ``ProductKey`` elements,
    keys written with dashes in commands and comments) replaced by
    ``SENSITIVE*DATA*DELETED``, every other byte unchanged. Raises
    :class:`VolactError.Unattend`."""
    return _unattend_scrub(_file_bytes(file))
