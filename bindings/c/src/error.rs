//! Result codes, the panic boundary and the per-thread last error message.

use std::cell::RefCell;
use std::panic::{AssertUnwindSafe, catch_unwind};
use volact_core::catalog::{PkeyConfigError, UserCatalogError};
use volact_core::unattend::UnattendError;
use volact_core::{
    cil::CilError, epid::EpidError, ids::IdError, key::DigitalProductIdError, key::KeyError,
};
use volact_io::{CilFileError, IoError, UserCatalogFileError};
use volact_net::publish::UpdateError;
use volact_net::resolver::ResolveError;
use volact_net::transport::TransportError;

/// The outcome of a call. Numbers are grouped by domain and never reused; a new error gets
/// a new number.
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum volact_result {
    Ok = 0,
    /// A bug in volact: a panic was caught at the boundary. Please report it.
    Panic = 1,
    /// A required pointer argument was NULL.
    NullParameter = 2,
    /// A text argument was not UTF-8.
    InvalidUtf8 = 3,
    /// The output buffer is too small; `*out_n` holds the length needed.
    BufferTooSmall = 4,
    /// An enum-like argument had an unknown value.
    InvalidArgument = 5,
    /// The thing asked for does not exist (no pkey2009 fields, unknown group, index past end).
    NotFound = 6,
    KeyInvalidCharacter = 100,
    KeyLength = 101,
    KeyMultipleN = 102,
    KeyNInLastPosition = 103,
    KeyChecksum = 104,
    KeyOther = 199,
    IdInvalidCharacter = 200,
    IdLength = 201,
    IdCheckDigit = 202,
    IdWrongKind = 203,
    IdOther = 299,
    EpidFieldCount = 300,
    EpidField = 301,
    EpidDay = 302,
    EpidOther = 399,
    DpidTooShort = 400,
    DpidOutOfRange = 401,
    DpidKey = 402,
    DpidOther = 499,
    /// CIL: the bytes are not UTF-8 or UTF-16 text.
    CilEncoding = 500,
    /// CIL: not well-formed XML (the message gives line and column).
    CilXml = 501,
    /// CIL: the document or file is larger than the limit (2 GiB).
    CilTooLarge = 502,
    /// CIL: elements nest deeper than the limit (256).
    CilTooDeep = 503,
    /// CIL: the root element is not `SoftwareLicensingData`.
    CilNotCil = 504,
    /// CIL: a value volact reads cannot be read (a bad escape, an undefined entity).
    CilValue = 505,
    /// CIL: invalid for another reason.
    CilOther = 599,
    /// A file could not be read or written (missing, a directory, no permission, disk full).
    Io = 600,
    /// SRV: the topology TOML is invalid (the message names the line).
    SrvTopology = 700,
    /// SRV: a record value is not `priority weight port target` (the message names the line).
    SrvRecord = 701,
    /// SRV: a KMS host is not `host[:port]` (or names only a port).
    SrvHostPort = 702,
    /// SRV: the client configuration JSON is invalid (line and column in the message).
    SrvClientConfig = 703,
    /// SRV: the DNS server list is not `ip[:port],ip[:port]`.
    SrvServerList = 704,
    /// SRV: the priority and weight are not `priority weight` or empty.
    SrvPriorityWeight = 705,
    /// SRV: a zone, domain or host name cannot go into a DNS message, or the domain is not in
    /// the zone.
    SrvName = 706,
    /// Network: no answer within the timeout.
    NetTimeout = 800,
    /// Network: the connection was refused or the host is unreachable.
    NetUnreachable = 801,
    /// Network: the server rejected the TSIG key (BADSIG, BADKEY, BADTIME), or its answer is
    /// not signed with the key.
    NetTsig = 802,
    /// Network: the server is not authoritative for the zone (NOTAUTH), or the name is not in
    /// its zone (NOTZONE).
    NetNotAuthoritative = 803,
    /// Network: the server refused the update (REFUSED): the key may not update the zone.
    NetRefused = 804,
    /// Network: the TSIG key file text is invalid.
    NetKeyFile = 805,
    /// Network: a host name could not be resolved to an address.
    NetResolve = 806,
    /// Network: failed for another reason (another RCODE, a malformed answer, no answer from
    /// any server while reading the records to withdraw).
    NetOther = 899,
    /// License: a `LicenseStatus` value outside 0–6.
    LicenseStatusValue = 900,
    /// License: an activation or renewal interval outside 15 to 43,200 minutes.
    LicenseIntervalRange = 901,
    /// License: an interval text that is not a whole number of minutes.
    LicenseIntervalText = 902,
    /// License: the text is not an error code (`0xC004F074`, `C004F074`, `3221549172`,
    /// `-1073418124`), or does not fit in 32 bits.
    LicenseErrorCodeText = 903,
    /// License: an error code that is not in volact's table.
    LicenseErrorCodeUnknown = 904,
    /// Fleet simulation: the scenario is invalid (the message names the line).
    FleetScenario = 905,
    /// License: invalid for another reason.
    LicenseOther = 999,
    /// pkeyconfig: not well-formed XML, or not UTF-8/UTF-16 text (the message gives the part
    /// and the byte offset).
    PkeyconfigXml = 1000,
    /// pkeyconfig: a DTD, or a reference to an entity other than XML's five (refused, never
    /// expanded).
    PkeyconfigDtd = 1001,
    /// pkeyconfig: the file is larger than the limit (64 MiB).
    PkeyconfigTooLarge = 1002,
    /// pkeyconfig: elements nested deeper than the limit (64).
    PkeyconfigTooDeep = 1003,
    /// pkeyconfig: no `infoBin name="pkeyConfigData"`, or its root is not
    /// `ProductKeyConfiguration`: not a pkeyconfig file.
    PkeyconfigNotPkeyconfig = 1004,
    /// pkeyconfig: the `pkeyConfigData` payload is not valid base64.
    PkeyconfigBase64 = 1005,
    /// pkeyconfig: a record lacks a required field (the message names record and field).
    PkeyconfigMissingField = 1006,
    /// pkeyconfig: a field's value is not what the format calls for (a number that is not a
    /// `u32`, a boolean that is not true/false, `End` before `Start`).
    PkeyconfigBadValue = 1007,
    /// User catalog file: not JSON, or not the shape of a volact user catalog (line and
    /// column in the message).
    UserCatalogFormat = 1050,
    /// User catalog file: another format, or a version this volact does not read.
    UserCatalogVersion = 1051,
    /// pkeyconfig or user catalog: invalid for another reason.
    CatalogOther = 1099,
    /// MAK store: no catalog knows the key's type; declare it (volact never guesses).
    MakUnknownType = 1100,
    /// MAK store: the key is a published GVLK, not a MAK.
    MakGvlk = 1101,
    /// MAK store: the declared kind contradicts the catalog's classification.
    MakContradiction = 1102,
    /// MAK store: the catalog classifies the key as a channel the store does not keep (OEM,
    /// evaluation, ...).
    MakUnsupportedChannel = 1103,
    /// MAK store: the key is in the store already.
    MakDuplicate = 1104,
    /// MAK store: the selector matches several entries; use the id.
    MakAmbiguous = 1105,
    /// MAK store file: not JSON, not the store's shape, or an invalid entry.
    MakStoreFormat = 1106,
    /// MAK store file: another format, or a version this volact does not read.
    MakStoreVersion = 1107,
    /// MAK store file: its group or others can read it (Unix); `chmod 600` it.
    MakStoreExposed = 1108,
    /// MAK store: invalid for another reason.
    MakStoreOther = 1199,
    /// Workflow: inputs that do not fit together or a name volact does not know (a plan
    /// kind or render format, a plan that needs a MAK or a CIL it was not given, a KMS host
    /// that is not `host[:port]`, fewer targets than the run's machines); the message says
    /// which.
    WorkflowInput = 1200,
    /// Workflow: a survey, plan or saved run that is not JSON of the right shape (line and
    /// column in the message).
    WorkflowJson = 1201,
    /// Workflow: a phone-activation CSV line that is not `installation_id,confirmation_id`
    /// (the message names the line).
    WorkflowCidCsv = 1202,
    /// Workflow: a callback wrote more into a `volact_sink` than it holds (64 MiB).
    WorkflowSinkFull = 1203,
    /// Workflow: invalid for another reason.
    WorkflowOther = 1299,
    /// Unattend.xml: the bytes are not UTF-8 text, or UTF-16 text with a byte order mark (the
    /// message gives the byte offset).
    UnattendEncoding = 1300,
    /// Unattend.xml: not well-formed XML (the message gives the byte offset).
    UnattendXml = 1301,
    /// Unattend.xml: a document type declaration (refused; nothing is expanded or fetched).
    UnattendDtd = 1302,
    /// Unattend.xml: well-formed XML whose root element is not `unattend`.
    UnattendNotUnattend = 1303,
    /// Unattend.xml: larger than the limit (8 MiB).
    UnattendTooLarge = 1304,
    /// Unattend.xml: no place setup reads a product key from, to set the key in.
    UnattendNoKeyPlace = 1305,
    /// Unattend.xml: a key place holds markup (a comment, CDATA, child elements), not just
    /// text; volact does not overwrite it (the message gives the line).
    UnattendComplexValue = 1306,
    /// Unattend.xml: invalid for another reason.
    UnattendOther = 1399,
}

impl volact_result {
    fn description(self) -> &'static str {
        use volact_result::*;
        match self {
            Ok => "ok",
            Panic => "internal error (a panic was caught); please report it",
            NullParameter => "a required pointer argument was NULL",
            InvalidUtf8 => "a text argument is not valid UTF-8",
            BufferTooSmall => "the output buffer is too small",
            InvalidArgument => "an argument has an unknown value",
            NotFound => "not found",
            KeyInvalidCharacter => "product key: invalid character",
            KeyLength => "product key: wrong length",
            KeyMultipleN => "product key: more than one N",
            KeyNInLastPosition => "product key: N in the last position",
            KeyChecksum => "product key: checksum mismatch",
            KeyOther => "product key: invalid",
            IdInvalidCharacter => "ID: invalid character",
            IdLength => "ID: no layout has this many digits",
            IdCheckDigit => "ID: check digit wrong",
            IdWrongKind => {
                "ID: Installation ID where a Confirmation ID was expected, or the reverse"
            }
            IdOther => "ID: invalid",
            EpidFieldCount => "ePID: wrong number of fields",
            EpidField => "ePID: malformed field",
            EpidDay => "ePID: install day out of range",
            EpidOther => "ePID: invalid",
            DpidTooShort => "DigitalProductId: blob too short",
            DpidOutOfRange => "DigitalProductId: key bytes out of range",
            DpidKey => "DigitalProductId: stored key is invalid",
            DpidOther => "DigitalProductId: invalid",
            CilEncoding => "CIL: not UTF-8 or UTF-16 text",
            CilXml => "CIL: malformed XML",
            CilTooLarge => "CIL: larger than the size limit",
            CilTooDeep => "CIL: elements nested deeper than the limit",
            CilNotCil => "CIL: the root element is not SoftwareLicensingData",
            CilValue => "CIL: a value cannot be read",
            CilOther => "CIL: invalid",
            Io => "file: cannot be read or written",
            SrvTopology => "SRV: invalid topology",
            SrvRecord => "SRV: invalid record value (priority weight port target)",
            SrvHostPort => "SRV: invalid KMS host (host[:port])",
            SrvClientConfig => "SRV: invalid client configuration JSON",
            SrvServerList => "SRV: invalid DNS server list (ip[:port],...)",
            SrvPriorityWeight => "SRV: invalid priority and weight (priority weight)",
            SrvName => "SRV: a name cannot be used in DNS, or the domain is outside the zone",
            NetTimeout => "network: no answer within the timeout",
            NetUnreachable => "network: connection refused or host unreachable",
            NetTsig => "network: TSIG key rejected (BADSIG, BADKEY or BADTIME) or answer unsigned",
            NetNotAuthoritative => {
                "network: server not authoritative for the zone (NOTAUTH/NOTZONE)"
            }
            NetRefused => "network: update refused by the server (REFUSED)",
            NetKeyFile => "network: invalid TSIG key file",
            NetResolve => "network: host name cannot be resolved",
            NetOther => "network: failed",
            LicenseStatusValue => "license: LicenseStatus value outside 0 to 6",
            LicenseIntervalRange => "license: interval outside 15 to 43200 minutes",
            LicenseIntervalText => "license: interval is not a whole number of minutes",
            LicenseErrorCodeText => "license: not an error code",
            LicenseErrorCodeUnknown => "license: error code not in volact's table",
            FleetScenario => "fleet simulation: invalid scenario",
            LicenseOther => "license: invalid",
            PkeyconfigXml => "pkeyconfig: malformed XML or not UTF-8/UTF-16 text",
            PkeyconfigDtd => "pkeyconfig: a DTD or an undeclared entity (refused)",
            PkeyconfigTooLarge => "pkeyconfig: larger than the size limit",
            PkeyconfigTooDeep => "pkeyconfig: elements nested deeper than the limit",
            PkeyconfigNotPkeyconfig => "pkeyconfig: not a pkeyconfig file",
            PkeyconfigBase64 => "pkeyconfig: invalid base64 payload",
            PkeyconfigMissingField => "pkeyconfig: a required field is missing",
            PkeyconfigBadValue => "pkeyconfig: a field has an invalid value",
            UserCatalogFormat => "user catalog: not a volact user catalog",
            UserCatalogVersion => "user catalog: unsupported format or version",
            CatalogOther => "pkeyconfig or user catalog: invalid",
            MakUnknownType => "MAK store: key type unknown; declare it",
            MakGvlk => "MAK store: a GVLK, not a MAK",
            MakContradiction => "MAK store: declared type contradicts the catalog",
            MakUnsupportedChannel => "MAK store: a channel the store does not keep",
            MakDuplicate => "MAK store: key already stored",
            MakAmbiguous => "MAK store: selector matches several keys",
            MakStoreFormat => "MAK store: not a volact MAK store",
            MakStoreVersion => "MAK store: unsupported format or version",
            MakStoreExposed => "MAK store: file readable by others",
            MakStoreOther => "MAK store: invalid",
            WorkflowInput => "workflow: inputs that do not fit together, or an unknown name",
            WorkflowJson => "workflow: invalid survey, plan or run JSON",
            WorkflowCidCsv => "workflow: invalid phone-activation CSV line",
            WorkflowSinkFull => "workflow: a callback's output is larger than the sink holds",
            WorkflowOther => "workflow: invalid",
            UnattendEncoding => "Unattend.xml: not UTF-8 or UTF-16 text with a BOM",
            UnattendXml => "Unattend.xml: malformed XML",
            UnattendDtd => "Unattend.xml: a DTD (refused)",
            UnattendNotUnattend => "Unattend.xml: the root element is not unattend",
            UnattendTooLarge => "Unattend.xml: larger than the size limit",
            UnattendNoKeyPlace => "Unattend.xml: no product key place to set the key in",
            UnattendComplexValue => "Unattend.xml: a key place holds markup, not just text",
            UnattendOther => "Unattend.xml: invalid",
        }
    }
}

pub(crate) fn key_result(e: &KeyError) -> volact_result {
    match e {
        KeyError::InvalidCharacter { .. } => volact_result::KeyInvalidCharacter,
        KeyError::Length { .. } => volact_result::KeyLength,
        KeyError::MultipleN { .. } => volact_result::KeyMultipleN,
        KeyError::NInLastPosition { .. } => volact_result::KeyNInLastPosition,
        KeyError::Checksum { .. } => volact_result::KeyChecksum,
        _ => volact_result::KeyOther,
    }
}

pub(crate) fn id_result(e: &IdError) -> volact_result {
    match e {
        IdError::InvalidCharacter { .. } => volact_result::IdInvalidCharacter,
        IdError::Length { .. } => volact_result::IdLength,
        IdError::CheckDigit { .. } => volact_result::IdCheckDigit,
        IdError::WrongKind { .. } => volact_result::IdWrongKind,
        _ => volact_result::IdOther,
    }
}

pub(crate) fn epid_result(e: &EpidError) -> volact_result {
    match e {
        EpidError::FieldCount { .. } => volact_result::EpidFieldCount,
        EpidError::Field { .. } => volact_result::EpidField,
        EpidError::Day { .. } => volact_result::EpidDay,
        _ => volact_result::EpidOther,
    }
}

pub(crate) fn dpid_result(e: &DigitalProductIdError) -> volact_result {
    match e {
        DigitalProductIdError::TooShort { .. } => volact_result::DpidTooShort,
        DigitalProductIdError::OutOfRange { .. } => volact_result::DpidOutOfRange,
        DigitalProductIdError::Key(_) => volact_result::DpidKey,
        _ => volact_result::DpidOther,
    }
}

pub(crate) fn cil_result(e: &CilError) -> volact_result {
    match e {
        CilError::Encoding { .. } => volact_result::CilEncoding,
        CilError::Xml { .. } => volact_result::CilXml,
        CilError::TooLarge { .. } => volact_result::CilTooLarge,
        CilError::TooDeep { .. } => volact_result::CilTooDeep,
        CilError::NotCil { .. } => volact_result::CilNotCil,
        CilError::Value { .. } => volact_result::CilValue,
        _ => volact_result::CilOther,
    }
}

/// An answer file's failure.
pub(crate) fn unattend_result(e: &UnattendError) -> volact_result {
    match e {
        UnattendError::Encoding { .. } => volact_result::UnattendEncoding,
        UnattendError::Xml { .. } => volact_result::UnattendXml,
        UnattendError::Dtd { .. } => volact_result::UnattendDtd,
        UnattendError::NotUnattend { .. } => volact_result::UnattendNotUnattend,
        UnattendError::TooLarge { .. } => volact_result::UnattendTooLarge,
        UnattendError::NoKeyPlace => volact_result::UnattendNoKeyPlace,
        UnattendError::ComplexValue { .. } => volact_result::UnattendComplexValue,
        _ => volact_result::UnattendOther,
    }
}

/// A CIL file's failure: the CIL codes for its contents; `CilTooLarge` for a file over the
/// read limit (it is not read at all); `Io` for everything else the file system says.
pub(crate) fn cil_file_result(e: &CilFileError) -> volact_result {
    match e {
        CilFileError::Cil { source, .. } => cil_result(source),
        CilFileError::Io(IoError::TooLarge { .. }) => volact_result::CilTooLarge,
        _ => volact_result::Io,
    }
}

/// A pkeyconfig file's failure.
pub(crate) fn pkeyconfig_result(e: &PkeyConfigError) -> volact_result {
    match e {
        PkeyConfigError::Xml { .. } | PkeyConfigError::Encoding { .. } => {
            volact_result::PkeyconfigXml
        }
        PkeyConfigError::Dtd { .. } | PkeyConfigError::Entity { .. } => {
            volact_result::PkeyconfigDtd
        }
        PkeyConfigError::TooLarge { .. } => volact_result::PkeyconfigTooLarge,
        PkeyConfigError::TooDeep { .. } => volact_result::PkeyconfigTooDeep,
        PkeyConfigError::NoPayload | PkeyConfigError::NotProductKeyConfiguration { .. } => {
            volact_result::PkeyconfigNotPkeyconfig
        }
        PkeyConfigError::Base64 { .. } => volact_result::PkeyconfigBase64,
        PkeyConfigError::MissingField { .. } => volact_result::PkeyconfigMissingField,
        PkeyConfigError::BadField { .. } => volact_result::PkeyconfigBadValue,
        _ => volact_result::CatalogOther,
    }
}

/// A stored user catalog's failure.
pub(crate) fn user_catalog_result(e: &UserCatalogError) -> volact_result {
    match e {
        UserCatalogError::Json { .. } => volact_result::UserCatalogFormat,
        UserCatalogError::Version { .. } => volact_result::UserCatalogVersion,
        _ => volact_result::CatalogOther,
    }
}

/// A user catalog file's failure: `NotFound` for a file that does not exist, the catalog and
/// pkeyconfig codes for contents, `Io` for everything else the file system says.
pub(crate) fn user_catalog_file_result(e: &UserCatalogFileError) -> volact_result {
    match e {
        UserCatalogFileError::Io(IoError::Read { source, .. })
            if source.kind() == std::io::ErrorKind::NotFound =>
        {
            volact_result::NotFound
        }
        UserCatalogFileError::Io(_) => volact_result::Io,
        UserCatalogFileError::Catalog { source, .. } => user_catalog_result(source),
        UserCatalogFileError::Pkeyconfig { source, .. } => pkeyconfig_result(source),
        _ => volact_result::CatalogOther,
    }
}

/// A failed exchange with a DNS server.
pub(crate) fn net_transport_result(e: &TransportError) -> volact_result {
    match e {
        TransportError::Timeout { .. } => volact_result::NetTimeout,
        // ICMP port unreachable, a TCP reset, or the OS saying the network is unreachable.
        TransportError::Refused { .. } | TransportError::Io { .. } => volact_result::NetUnreachable,
        _ => volact_result::NetOther,
    }
}

/// A failed publication or withdrawal.
pub(crate) fn net_update_result(e: &UpdateError) -> volact_result {
    match e {
        UpdateError::Lookup(ResolveError::NoAnswer {
            timed_out: true, ..
        }) => volact_result::NetTimeout,
        UpdateError::Message(_) | UpdateError::Lookup(ResolveError::Message(_)) => {
            volact_result::SrvName
        }
        UpdateError::Refused { .. } => volact_result::NetRefused,
        UpdateError::Tsig { .. } | UpdateError::BadResponseSignature { .. } => {
            volact_result::NetTsig
        }
        UpdateError::NotAuthoritative { .. } | UpdateError::NotZone { .. } => {
            volact_result::NetNotAuthoritative
        }
        // hickory cannot sign with the key: a key the file parser let through but HMAC refuses.
        UpdateError::Sign { .. } => volact_result::NetKeyFile,
        UpdateError::Transport { source, .. } => net_transport_result(source),
        _ => volact_result::NetOther,
    }
}

thread_local! {
    static LAST_ERROR: RefCell<String> = const { RefCell::new(String::new()) };
}

/// Records the detailed message of a failure and returns its code.
pub(crate) fn fail(code: volact_result, message: impl std::fmt::Display) -> volact_result {
    LAST_ERROR.with(|m| *m.borrow_mut() = message.to_string());
    code
}

/// Runs an export body, turning a panic into `VOLACT_RESULT_PANIC`.
pub(crate) fn boundary(body: impl FnOnce() -> volact_result) -> volact_result {
    catch_unwind(AssertUnwindSafe(body))
        .unwrap_or_else(|_| fail(volact_result::Panic, volact_result::Panic.description()))
}

/// Writes the static description of a result code into `buf` (see the string conventions
/// in `volact.h`). Unknown codes get "unknown result code".
///
/// # Safety
/// `buf` must be valid for `len` bytes (or NULL with `len` 0); `out_n` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn volact_result_message(
    result: u32,
    buf: *mut std::ffi::c_char,
    len: usize,
    out_n: *mut usize,
) -> volact_result {
    boundary(|| {
        let text = ALL
            .iter()
            .find(|r| **r as u32 == result)
            .map_or("unknown result code", |r| r.description());
        // SAFETY: forwarded caller contract.
        unsafe { crate::strings::write_str(text, buf, len, out_n) }
    })
}

/// Writes the detailed message of the last failed call on this thread (with positions and
/// reasons; never a key) into `buf`. Empty when nothing has failed yet.
///
/// # Safety
/// `buf` must be valid for `len` bytes (or NULL with `len` 0); `out_n` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn volact_last_error_message(
    buf: *mut std::ffi::c_char,
    len: usize,
    out_n: *mut usize,
) -> volact_result {
    boundary(|| {
        let text = LAST_ERROR.with(|m| m.borrow().clone());
        // SAFETY: forwarded caller contract.
        unsafe { crate::strings::write_str(&text, buf, len, out_n) }
    })
}

const ALL: [volact_result; 90] = {
    use volact_result::*;
    [
        Ok,
        Panic,
        NullParameter,
        InvalidUtf8,
        BufferTooSmall,
        InvalidArgument,
        NotFound,
        KeyInvalidCharacter,
        KeyLength,
        KeyMultipleN,
        KeyNInLastPosition,
        KeyChecksum,
        KeyOther,
        IdInvalidCharacter,
        IdLength,
        IdCheckDigit,
        IdWrongKind,
        IdOther,
        EpidFieldCount,
        EpidField,
        EpidDay,
        EpidOther,
        DpidTooShort,
        DpidOutOfRange,
        DpidKey,
        DpidOther,
        CilEncoding,
        CilXml,
        CilTooLarge,
        CilTooDeep,
        CilNotCil,
        CilValue,
        CilOther,
        Io,
        SrvTopology,
        SrvRecord,
        SrvHostPort,
        SrvClientConfig,
        SrvServerList,
        SrvPriorityWeight,
        SrvName,
        NetTimeout,
        NetUnreachable,
        NetTsig,
        NetNotAuthoritative,
        NetRefused,
        NetKeyFile,
        NetResolve,
        NetOther,
        LicenseStatusValue,
        LicenseIntervalRange,
        LicenseIntervalText,
        LicenseErrorCodeText,
        LicenseErrorCodeUnknown,
        FleetScenario,
        LicenseOther,
        PkeyconfigXml,
        PkeyconfigDtd,
        PkeyconfigTooLarge,
        PkeyconfigTooDeep,
        PkeyconfigNotPkeyconfig,
        PkeyconfigBase64,
        PkeyconfigMissingField,
        PkeyconfigBadValue,
        UserCatalogFormat,
        UserCatalogVersion,
        CatalogOther,
        MakUnknownType,
        MakGvlk,
        MakContradiction,
        MakUnsupportedChannel,
        MakDuplicate,
        MakAmbiguous,
        MakStoreFormat,
        MakStoreVersion,
        MakStoreExposed,
        MakStoreOther,
        WorkflowInput,
        WorkflowJson,
        WorkflowCidCsv,
        WorkflowSinkFull,
        WorkflowOther,
        UnattendEncoding,
        UnattendXml,
        UnattendDtd,
        UnattendNotUnattend,
        UnattendTooLarge,
        UnattendNoKeyPlace,
        UnattendComplexValue,
        UnattendOther,
    ]
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_has_a_distinct_description() {
        let mut seen: Vec<&str> = ALL.iter().map(|r| r.description()).collect();
        seen.sort();
        seen.dedup();
        assert_eq!(seen.len(), ALL.len());
    }

    #[test]
    fn codes_are_distinct_and_in_order() {
        let numbers: Vec<u32> = ALL.iter().map(|r| *r as u32).collect();
        assert!(numbers.windows(2).all(|w| w[0] < w[1]), "{numbers:?}");
        assert_eq!(numbers.last(), Some(&(volact_result::UnattendOther as u32)));
    }

    #[test]
    fn cil_errors_map_to_their_codes() {
        use volact_core::cil::CilDocument;
        let code = |bytes: &[u8]| cil_result(&CilDocument::parse(bytes).unwrap_err());
        assert_eq!(code(b"<Other/>"), volact_result::CilNotCil);
        assert_eq!(code(b"<SoftwareLicensingData>"), volact_result::CilXml);
        assert_eq!(code(b"<a>\xff</a>"), volact_result::CilEncoding);
        let deep = format!("{}{}", "<a>".repeat(300), "</a>".repeat(300));
        assert_eq!(code(deep.as_bytes()), volact_result::CilTooDeep);
        assert_eq!(
            code(b"<SoftwareLicensingData><Computers><Computer Id=\"&e;\"/></Computers></SoftwareLicensingData>"),
            volact_result::CilValue
        );
        let missing = std::env::temp_dir().join("volact-c-no-such-dir/none.cil");
        let e = volact_io::load_cil(&missing).unwrap_err();
        assert_eq!(cil_file_result(&e), volact_result::Io);
    }

    #[test]
    fn unattend_errors_map_to_their_codes() {
        use volact_core::key::ProductKey;
        use volact_core::unattend::UnattendFile;
        let code = |bytes: &[u8]| unattend_result(&UnattendFile::parse(bytes).unwrap_err());
        assert_eq!(code(&[0xFF, 0xFE, 0x3C]), volact_result::UnattendEncoding);
        assert_eq!(code(b"<unattend><settings>"), volact_result::UnattendXml);
        assert_eq!(
            code(b"<!DOCTYPE u [<!ENTITY a \"b\">]><unattend/>"),
            volact_result::UnattendDtd
        );
        assert_eq!(
            code(b"<SoftwareLicensingData/>"),
            volact_result::UnattendNotUnattend
        );
        let big = vec![b' '; volact_core::unattend::MAX_BYTES + 1];
        assert_eq!(code(&big), volact_result::UnattendTooLarge);
        let key = ProductKey::parse("W269N-WFGWX-YVC9B-4J6C9-T83GX").unwrap();
        let none = UnattendFile::parse(b"<unattend/>").unwrap();
        assert_eq!(
            unattend_result(&none.set_key(&key).unwrap_err()),
            volact_result::UnattendNoKeyPlace
        );
        let complex = UnattendFile::parse(
            b"<unattend><settings pass=\"specialize\"><component name=\"Microsoft-Windows-Shell-Setup\"><ProductKey><!-- c -->W269N-WFGWX-YVC9B-4J6C9-T83GX</ProductKey></component></settings></unattend>",
        )
        .unwrap();
        assert_eq!(
            unattend_result(&complex.set_key(&key).unwrap_err()),
            volact_result::UnattendComplexValue
        );
    }

    #[test]
    fn a_panic_becomes_a_result() {
        let r = boundary(|| panic!("boom"));
        assert_eq!(r, volact_result::Panic);
    }
}
