//! Activation error codes: what each means, its likely cause, and what an administrator tries.
//!
//! Source for every row but one: Microsoft's "Resolving common activation error codes"
//! (facts.md S8; `WindowsServerDocs/get-started/activation-error-codes.md`, now at
//! <https://learn.microsoft.com/troubleshoot/windows-server/deployment/troubleshoot-activation-error-codes>),
//! each row citing its section. 0xC004F04D (IID and CID do not match) comes from the
//! `SLDepositOfflineConfirmationIdEx` documentation (research/vamt.md §5). 0xC004F200 comes
//! from the `LicenseStatusReason` values
//! slmgr.vbs prints (facts.md §5.1, S13). The cloned-image cause of 0xC004F038 comes from
//! KB 929829 (cited by S7) and "Windows activation - duplicate Client Machine ID".
//!
//! [`parse_code`] reads a code the way administrators paste it: `0xC004F074`, `C004F074`,
//! decimal `3221549172`, or the negative 32-bit integer a script or event log shows,
//! `-1073418124`.
//!
//! ```
//! use volact::license::error_code::{explain, parse_code};
//! let code = parse_code("-1073418184")?;
//! assert_eq!(code, 0xC004F038);
//! let e = explain(code).unwrap();
//! assert!(e.cause.contains("sysprep /generalize"));
//! # Ok::<(), volact::license::error_code::CodeParseError>(())
//! ```

/// One activation error code.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
pub struct ErrorCode {
    /// The HRESULT.
    pub code: u32,
    /// The message Windows shows (S8's wording).
    pub message: &'static str,
    /// Who reports it: MAK, KMS client, KMS host.
    pub applies_to: &'static str,
    /// The likely cause.
    pub cause: &'static str,
    /// What to try, with the slmgr commands.
    pub fix: &'static str,
    /// Where this comes from.
    pub source: &'static str,
}

/// Why a text is not an error code.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CodeParseError {
    /// Nothing but whitespace.
    #[error("empty error code")]
    Empty,
    /// Not hexadecimal after `0x`, nor decimal, nor a bare 8-digit hexadecimal code.
    #[error(
        "{input:?} is not an error code: expected 0xC004F074, C004F074, 3221549172 or -1073418124"
    )]
    NotANumber {
        /// The text given.
        input: String,
    },
    /// A number that does not fit in 32 bits (or, negative, in a signed 32-bit integer).
    #[error("{input:?} does not fit in a 32-bit error code")]
    OutOfRange {
        /// The text given.
        input: String,
    },
}

/// Reads an error code. Accepted, after trimming whitespace:
/// - `0x` or `0X` followed by 1 to 8 hexadecimal digits;
/// - exactly 8 hexadecimal digits without a prefix (`C004F074`, and also `80070005`: an
///   8-digit decimal number cannot be a failure HRESULT, whose decimal form has 10 digits);
/// - a decimal number up to 4294967295;
/// - a negative decimal down to -2147483648, read as a signed 32-bit integer.
pub fn parse_code(text: &str) -> Result<u32, CodeParseError> {
    let t = text.trim();
    let not_a_number = || CodeParseError::NotANumber {
        input: text.to_string(),
    };
    let out_of_range = || CodeParseError::OutOfRange {
        input: text.to_string(),
    };
    if t.is_empty() {
        return Err(CodeParseError::Empty);
    }
    let hex = |digits: &str| -> Result<u32, CodeParseError> {
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(not_a_number());
        }
        let significant = digits.trim_start_matches('0');
        if significant.len() > 8 {
            return Err(out_of_range());
        }
        u32::from_str_radix(digits, 16).map_err(|_| out_of_range())
    };
    if let Some(digits) = t.strip_prefix("0x").or_else(|| t.strip_prefix("0X")) {
        return hex(digits);
    }
    if let Some(digits) = t.strip_prefix('-') {
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(not_a_number());
        }
        let magnitude: u64 = digits.parse().map_err(|_| out_of_range())?;
        if magnitude > 1 << 31 {
            return Err(out_of_range());
        }
        // Two's complement: -m as a 32-bit pattern.
        return Ok((magnitude as u32).wrapping_neg());
    }
    if t.len() == 8 && t.bytes().all(|b| b.is_ascii_hexdigit()) {
        return hex(t);
    }
    if t.bytes().all(|b| b.is_ascii_digit()) {
        return t.parse::<u32>().map_err(|_| out_of_range());
    }
    Err(not_a_number())
}

/// The table entry for `code`, if volact knows it.
pub fn explain(code: u32) -> Option<&'static ErrorCode> {
    TABLE
        .binary_search_by_key(&code, |e| e.code)
        .ok()
        .and_then(|i| TABLE.get(i))
}

/// Every code volact knows, in numeric order.
pub fn all() -> &'static [ErrorCode] {
    TABLE
}

/// The spelling every front end shows a code in: `0x` and 8 upper-case hexadecimal digits.
///
/// ```
/// assert_eq!(volact::license::error_code::format_code(0xc004f074), "0xC004F074");
/// assert_eq!(volact::license::error_code::format_code(5), "0x00000005");
/// ```
pub fn format_code(code: u32) -> String {
    format!("0x{code:08X}")
}

/// Why a text cannot be explained.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum LookupError {
    /// The text is not an error code.
    #[error(transparent)]
    Parse(#[from] CodeParseError),
    /// A well-formed code that is not in the table.
    #[error("{} is not in volact's table of activation error codes", format_code(*.code))]
    Unknown {
        /// The code read from the text.
        code: u32,
    },
}

/// Reads a code as [`parse_code`] does and finds it in the table.
///
/// ```
/// use volact::license::error_code::{LookupError, lookup};
/// assert_eq!(lookup("C004F074").map(|e| e.code), Ok(0xC004F074));
/// assert_eq!(lookup("0x5"), Err(LookupError::Unknown { code: 5 }));
/// assert!(matches!(lookup("nope"), Err(LookupError::Parse(_))));
/// ```
pub fn lookup(text: &str) -> Result<&'static ErrorCode, LookupError> {
    let code = parse_code(text)?;
    explain(code).ok_or(LookupError::Unknown { code })
}

/// What one text comes to: the record every front end shows for it (`volact explain --json`
/// prints one a line; the C ABI's `volact_explain` writes it). `code` is set when the text
/// is a code ([`format_code`]'s spelling); the table's fields when it is known; `error` when
/// it is not.
///
/// ```
/// use volact::license::error_code::Explanation;
/// let e = Explanation::of("-1073418124");
/// assert!(e.known);
/// assert_eq!(e.code.as_deref(), Some("0xC004F074"));
/// let json = serde_json::to_string(&Explanation::of("0x5"))?;
/// assert!(json.starts_with(r#"{"input":"0x5","known":false,"code":"0x00000005","message":null"#));
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Explanation {
    /// The text as given.
    pub input: String,
    /// Whether the code is in the table.
    pub known: bool,
    /// The code, `0xC004F074`, when the text is one.
    pub code: Option<String>,
    /// [`ErrorCode::message`], when known.
    pub message: Option<&'static str>,
    /// [`ErrorCode::applies_to`], when known.
    pub applies_to: Option<&'static str>,
    /// [`ErrorCode::cause`], when known.
    pub cause: Option<&'static str>,
    /// [`ErrorCode::fix`], when known.
    pub fix: Option<&'static str>,
    /// [`ErrorCode::source`], when known.
    pub source: Option<&'static str>,
    /// Why the text is not explained ([`LookupError`]'s message), when it is not.
    pub error: Option<String>,
}

impl Explanation {
    /// The record for `input`.
    pub fn of(input: &str) -> Self {
        let mut r = Explanation {
            input: input.to_owned(),
            known: false,
            code: parse_code(input).ok().map(format_code),
            message: None,
            applies_to: None,
            cause: None,
            fix: None,
            source: None,
            error: None,
        };
        match lookup(input) {
            Ok(e) => {
                r.known = true;
                r.message = Some(e.message);
                r.applies_to = Some(e.applies_to);
                r.cause = Some(e.cause);
                r.fix = Some(e.fix);
                r.source = Some(e.source);
            }
            Err(e) => r.error = Some(e.to_string()),
        }
        r
    }
}

impl From<&'static ErrorCode> for Explanation {
    /// The record of a table entry, as if its code had been given as [`format_code`] spells it.
    fn from(e: &'static ErrorCode) -> Self {
        Explanation::of(&format_code(e.code))
    }
}

/// Microsoft's "Resolving common activation error codes" (facts.md S8), the source of the table.
pub const SOURCE: &str = "https://learn.microsoft.com/troubleshoot/windows-server/deployment/troubleshoot-activation-error-codes";

macro_rules! row {
    ($code:expr, $anchor:expr, $applies:expr, $message:expr, $cause:expr, $fix:expr $(,)?) => {
        ErrorCode {
            code: $code,
            message: $message,
            applies_to: $applies,
            cause: $cause,
            fix: $fix,
            source: concat!(
                "https://learn.microsoft.com/troubleshoot/windows-server/deployment/troubleshoot-activation-error-codes#",
                $anchor
            ),
        }
    };
}

/// Sorted by code: [`explain`] searches it.
static TABLE: &[ErrorCode] = &[
    row!(
        0x8004_FE21,
        "0x8004fe21-this-computer-is-not-running-genuine-windows",
        "MAK/KMS client",
        "This computer is not running genuine Windows.",
        "Most likely language packs (MUI) installed on an edition not licensed for them; also \
         malware that modified Windows, or corrupted system files.",
        "Reinstall the operating system.",
    ),
    row!(
        0x8007_0005,
        "0x80070005-access-denied",
        "KMS client/MAK/KMS host",
        "Access denied. The requested action requires elevated privileges.",
        "User Account Control keeps activation from running in a non-elevated command prompt.",
        "Run slmgr.vbs from an elevated command prompt (Run as administrator).",
    ),
    row!(
        0x8007_007B,
        "0x8007007b-dns-name-does-not-exist",
        "KMS client",
        "DNS name does not exist.",
        "The KMS client cannot find the KMS SRV records (_vlmcs._tcp) in DNS; a workgroup \
         client without a primary DNS suffix is a reported case (facts.md §4.3, folklore).",
        "Check the records: nslookup -type=srv _vlmcs._tcp.<domain>; set the lookup domain \
         with slmgr /skms-domain <domain> or name the host with slmgr /skms <host>[:port]; \
         see \"Common troubleshooting procedures for KMS and DNS issues\".",
    ),
    row!(
        0x8007_0490,
        "0x80070490-the-product-key-you-entered-didnt-work",
        "MAK",
        "The product key you entered didn't work. Check the product key and try again, or \
         enter a different one.",
        "The MAK entered is not valid, or a known issue in Windows Server 2019.",
        "Install the key from an elevated command prompt: slmgr /ipk <5x5 key>.",
    ),
    row!(
        0x8007_06BA,
        "0x800706ba-the-rpc-server-is-unavailable",
        "KMS client",
        "The RPC server is unavailable.",
        "The firewall on the KMS host is not configured, or the DNS SRV records are stale.",
        "Enable the Key Management Service firewall exception (TCP 1688) on the host; make \
         sure the SRV records point to a live KMS host; troubleshoot the network.",
    ),
    row!(
        0x8007_232A,
        "0x8007232a-dns-server-failure",
        "KMS host",
        "DNS server failure.",
        "The system has network or DNS issues.",
        "Troubleshoot the network and DNS.",
    ),
    row!(
        0x8007_232B,
        "0x8007232b-dns-name-does-not-exist",
        "KMS client",
        "DNS name does not exist.",
        "The KMS client cannot find KMS SRV resource records in DNS.",
        "Check that a KMS host is installed and DNS publishing is on (slmgr /sdns on the \
         host, the default); without DNS, point the client at the host with slmgr /skms \
         <kms_host_name>; without a KMS host, install a MAK (slmgr /ipk) and activate \
         (slmgr /ato).",
    ),
    row!(
        0x8007_251D,
        "0x8007251d-no-records-found-for-dns-query",
        "KMS client",
        "No records found for DNS query.",
        "The KMS client cannot find KMS SRV records in DNS.",
        "Troubleshoot the network and DNS (nslookup -type=srv _vlmcs._tcp.<domain>).",
    ),
    row!(
        0x8009_2328,
        "0x80092328-dns-name-does-not-exist",
        "KMS client",
        "DNS name does not exist.",
        "The KMS client cannot find the KMS SRV resource records in DNS.",
        "See \"Common troubleshooting procedures for KMS and DNS issues\"; slmgr /skms \
         <host> bypasses DNS.",
    ),
    row!(
        0xC004_B100,
        "0xc004b100-the-activation-server-determined-that-the-computer-could-not-be-activated",
        "MAK",
        "The activation server determined that the computer could not be activated.",
        "The MAK is not supported.",
        "Check that the MAK is the one Microsoft provided; the Microsoft Licensing \
         Activation Centers can confirm it.",
    ),
    row!(
        0xC004_C001,
        "0xc004c001-the-activation-server-determined-the-specified-product-key-is-invalid",
        "MAK",
        "The activation server determined the specified product key is invalid.",
        "The MAK entered is not valid.",
        "Check that the key is the MAK Microsoft provided (volact key inspect checks its \
         form); contact the Microsoft Licensing Activation Centers.",
    ),
    row!(
        0xC004_C003,
        "0xc004c003-the-activation-server-determined-the-specified-product-key-is-blocked",
        "MAK",
        "The activation server determined the specified product key is blocked.",
        "The MAK is blocked on the activation server.",
        "Get a new MAK from the Microsoft Licensing Activation Centers, then install it \
         (slmgr /ipk) and activate (slmgr /ato).",
    ),
    row!(
        0xC004_C008,
        "0xc004c008-the-activation-server-determined-that-the-specified-product-key-could-not-be-used",
        "KMS",
        "The activation server determined that the specified product key could not be used.",
        "The KMS host key (CSVLK) has exceeded its activation limit: it activates up to 10 \
         times on up to six different computers.",
        "For more activations, contact the Microsoft Licensing Activation Centers.",
    ),
    row!(
        0xC004_C020,
        "0xc004c020-the-activation-server-reported-that-the-multiple-activation-key-has-exceeded-its-limit",
        "MAK",
        "The activation server reported that the Multiple Activation Key has exceeded its limit.",
        "The MAK has used up its activations: MAKs activate a limited number of times.",
        "For more activations, contact the Microsoft Licensing Activation Centers; VAMT \
         shows a MAK's remaining count.",
    ),
    row!(
        0xC004_C021,
        "0xc004c021-the-activation-server-reported-that-the-multiple-activation-key-extension-limit-has-been-exceeded",
        "MAK",
        "The activation server reported that the Multiple Activation Key extension limit has \
         been exceeded.",
        "The MAK has used up its activations.",
        "For more activations, contact the Microsoft Licensing Activation Centers.",
    ),
    row!(
        0xC004_F009,
        "0xc004f009-the-software-protection-service-reported-that-the-grace-period-expired",
        "MAK",
        "The Software Protection Service reported that the grace period expired.",
        "The grace period ran out before the system was activated; it is now in the \
         Notifications state (LicenseStatus 5).",
        "Activate: a KMS client with slmgr /ato against a reachable KMS host, a MAK client \
         with slmgr /ato or by phone (slmgr /dti, then slmgr /atp <CID>); the Microsoft \
         Licensing Activation Centers can help.",
    ),
    row!(
        0xC004_F00F,
        "0xc004f00f-the-software-licensing-server-reported-that-the-hardware-id-binding-is-beyond-level-of-tolerance",
        "MAK/KMS client/KMS host",
        "The Software Licensing Server reported that the hardware ID binding is beyond level of \
         tolerance.",
        "The hardware changed or drivers were updated.",
        "MAK: reactivate online or by phone during the OOT grace period. KMS: restart \
         Windows or run slmgr.vbs /ato.",
    ),
    row!(
        0xC004_F014,
        "0xc004f014-the-software-protection-service-reported-that-the-product-key-is-not-available",
        "MAK/KMS client",
        "The Software Protection Service reported that the product key is not available.",
        "No product key is installed.",
        "MAK: install the MAK (slmgr /ipk <MAK>). KMS: install the KMS client setup key \
         (GVLK; volact catalog gvlk <edition>, or Pid.txt in the media's \\sources) with \
         slmgr /ipk.",
    ),
    row!(
        0xC004_F02C,
        "0xc004f02c-the-software-protection-service-reported-that-the-format-for-the-offline-activation-data-is-incorrect",
        "MAK/KMS client",
        "The Software Protection Service reported that the format for the offline activation \
         data is incorrect.",
        "The Confirmation ID entered during phone (or proxy) activation is not valid.",
        "Check the CID was entered correctly (volact id check <CID>), then slmgr /atp <CID> \
         again.",
    ),
    row!(
        0xC004_F035,
        "0xc004f035-invalid-volume-license-key",
        "KMS client/KMS host",
        "The Software Protection Service reported that the computer could not be activated \
         with a Volume license product key (Invalid Volume License Key).",
        "Windows 7 volume editions are licensed for upgrade only: the BIOS lacks the Windows \
         marker of an OEM system with a qualifying edition, which KMS client activation needs.",
        "Install a qualifying operating system and activate with a MAK (slmgr /ipk <MAK>, \
         slmgr /ato), or by phone (slmgr /dti, then slmgr /atp <CID>).",
    ),
    row!(
        0xC004_F038,
        "0xc004f038-the-count-reported-by-your-key-management-service-kms-is-insufficient",
        "KMS client",
        "The Software Protection Service reported that the computer could not be activated. \
         The count reported by your Key Management Service (KMS) is insufficient.",
        "The KMS host's count is below the threshold: 25 for Windows client, 5 for Windows \
         Server (and Office). The count is of distinct client machine IDs (CMIDs) from the \
         past 30 days, so machines cloned from an image that was not generalized with \
         sysprep /generalize (or was generalized with SkipRearm=1) share one CMID and count \
         once: the count stays stuck (KB 929829; \"Windows activation - duplicate Client \
         Machine ID\"). Clients spread over too many KMS hosts also split the count (S7).",
        "Check the count on the host: slmgr /dli. Compare the CMIDs of the clients \
         (slmgr /dlv, \"Client Machine ID\"); on duplicates run slmgr /rearm and restart, then \
         slmgr /ato, and rebuild the image with sysprep /generalize. Otherwise add clients \
         or point them at fewer hosts.",
    ),
    row!(
        0xC004_F039,
        "0xc004f039-the-key-management-service-kms-is-not-enabled",
        "KMS client",
        "The Software Protection Service reported that the computer could not be activated. \
         The Key Management Service (KMS) is not enabled.",
        "The KMS host did not respond to the request.",
        "Troubleshoot the network between client and host; make sure TCP 1688 (the default \
         port) is not blocked or filtered (volact probe <host>).",
    ),
    row!(
        0xC004_F041,
        "0xc004f041-the-software-protection-service-determined-that-the-key-management-server-kms-is-not-activated",
        "KMS client",
        "The Software Protection Service determined that the Key Management Server (KMS) is \
         not activated. KMS needs to be activated.",
        "The KMS host itself is not activated.",
        "Activate the KMS host online (slmgr /ato on the host) or by phone (slmgr /dti, then \
         slmgr /atp <CID>).",
    ),
    row!(
        0xC004_F042,
        "0xc004f042-the-software-protection-service-determined-that-the-specified-key-management-service-kms-cannot-be-used",
        "KMS client",
        "The Software Protection Service determined that the specified Key Management Service \
         (KMS) cannot be used.",
        "The client reached a KMS host that cannot activate its product: common in mixed \
         environments with application- and OS-specific hosts, or a host key (CSVLK) older \
         than the client OS.",
        "Point clients at the right host (slmgr /skms <host>, or fix the SRV records); \
         install a CSVLK that covers the client's version on the host, with the updates \
         the host OS needs.",
    ),
    ErrorCode {
        code: 0xC004_F04D,
        message: "The Installation ID (IID) and the Confirmation ID (CID) do not match.",
        applies_to: "MAK (proxy or phone activation)",
        cause: "The CID deposited was issued for another IID: the hardware changed since the \
                IID was collected, another key was installed, or the CID was mistyped or \
                applied to the wrong computer (MAK proxy activation step 13 with \"Require \
                exact IID match\" cleared).",
        fix: "Collect the current IID (slmgr /dti), get a CID for it (VAMT proxy activation or \
              phone activation) and deposit it (slmgr /atp <CID> <ActID>).",
        source: "SLDepositOfflineConfirmationIdEx, Microsoft Learn (Win32 Software Licensing \
                 API); volact research/vamt.md §5",
    },
    row!(
        0xC004_F050,
        "0xc004f050-the-software-protection-service-reported-that-the-product-key-is-invalid",
        "KMS, KMS client, MAK",
        "The Software Protection Service reported that the product key is invalid.",
        "A typo in the key, a beta key on a released version, or em-dashes pasted in place \
         of hyphens.",
        "Install the right key for this version (slmgr /ipk <key>); check its spelling \
         (volact key inspect <key>).",
    ),
    row!(
        0xC004_F051,
        "0xc004f051-the-software-protection-service-reported-that-the-product-key-is-blocked",
        "MAK/KMS",
        "The Software Protection Service reported that the product key is blocked.",
        "Microsoft has blocked the product key.",
        "Get a new MAK or KMS key, install it (slmgr /ipk) and activate (slmgr /ato).",
    ),
    row!(
        0xC004_F064,
        "0xc004f064-the-software-protection-service-reported-that-the-non-genuine-grace-period-expired",
        "MAK",
        "The Software Protection Service reported that the non-genuine grace period expired.",
        "Windows Activation Technologies found the system not genuine.",
        "Contact the Microsoft Licensing Activation Centers.",
    ),
    row!(
        0xC004_F065,
        "0xc004f065-the-software-protection-service-reported-that-the-application-is-running-within-the-valid-non-genuine-period",
        "MAK/KMS client",
        "The Software Protection Service reported that the application is running within the \
         valid non-genuine period.",
        "The system was found not genuine and runs in the non-genuine grace period \
         (LicenseStatus 4).",
        "Install a genuine key and activate during the grace period (slmgr /ipk, slmgr \
         /ato); otherwise it goes to Notification when the period ends.",
    ),
    row!(
        0xC004_F06C,
        "0xc004f06c-the-request-timestamp-is-invalid",
        "KMS client",
        "The Software Protection Service reported that the computer could not be activated. \
         The Key Management Service (KMS) determined that the request timestamp is invalid.",
        "The client's system time is too different from the KMS host's (UTC; the time zone \
         does not matter). Microsoft gives no limit; \"4 hours\" is folklore.",
        "Synchronize the client's clock with the host (NTP or the Active Directory time \
         hierarchy, e.g. w32tm /resync), then slmgr /ato.",
    ),
    row!(
        0xC004_F074,
        "0xc004f074-no-key-management-service-kms-could-be-contacted",
        "KMS client",
        "The Software Protection Service reported that the computer could not be activated. \
         No Key Management Service (KMS) could be contacted.",
        "No KMS host answered, or every host tried returned an error.",
        "Read the Application event log for event 12288 of each attempt and troubleshoot \
         those errors; check discovery (volact srv discover <domain>, or slmgr /skms \
         <host>) and the port (volact probe <host>).",
    ),
    ErrorCode {
        code: 0xC004_F200,
        message: "The Software Protection Service reported that the current state is not genuine.",
        applies_to: "MAK/KMS client",
        cause: "The reason slmgr /dli shows for LicenseStatus 5 (Notification) on a copy found \
                not genuine, as opposed to 0xC004F009, a grace period that expired.",
        fix: "Install a genuine key (slmgr /ipk) and activate it (slmgr /ato).",
        source: "volact research/facts.md §5.1 (slmgr.vbs LicenseStatusReason, S13; \
                 published slmgr outputs, S18)",
    },
];

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn table_is_sorted_unique_and_sourced() {
        assert!(TABLE.windows(2).all(|w| w[0].code < w[1].code));
        for e in TABLE {
            assert!(
                e.source.starts_with(SOURCE)
                    || e.source.contains("facts.md")
                    || e.source.contains("vamt.md"),
                "{:#X}",
                e.code
            );
            assert!(!e.cause.is_empty() && !e.fix.is_empty());
            assert_eq!(explain(e.code), Some(e));
        }
        assert_eq!(explain(0), None);
        assert!(all().len() >= 30);
    }

    #[test]
    fn issue_codes_are_all_known() {
        for code in [
            0xC004F038u32,
            0xC004F074,
            0xC004F06C,
            0xC004F009,
            0xC004F200,
            0xC004F02C,
            0x8007232B,
            0x8007007B,
            0xC004C003,
            0xC004C008,
            0xC004B100,
            0xC004C020,
            0xC004C021,
            0xC004F035,
            0xC004F039,
            0xC004F041,
            0xC004F042,
            0xC004F04D,
            0xC004F050,
            0xC004F051,
            0xC004F064,
            0xC004F065,
            0x8007232A,
            0x80070005,
            0x8004FE21,
        ] {
            assert!(explain(code).is_some(), "{code:#X}");
        }
    }

    #[test]
    fn count_stuck_names_cloned_images() {
        let e = explain(0xC004F038).unwrap();
        assert!(e.cause.contains("CMID") && e.cause.contains("sysprep /generalize"));
        assert!(e.fix.contains("slmgr /dli"));
    }

    #[test]
    fn parses_every_spelling() {
        for t in [
            "0xC004F074",
            "0xc004f074",
            "C004F074",
            "c004f074",
            "3221549172",
            "-1073418124",
            "  0XC004F074\n",
        ] {
            assert_eq!(parse_code(t), Ok(0xC004F074), "{t:?}");
        }
        assert_eq!(parse_code("80070005"), Ok(0x80070005));
        assert_eq!(parse_code("0x5"), Ok(5));
        assert_eq!(parse_code("5"), Ok(5));
        assert_eq!(parse_code("0x00000000C004F074"), Ok(0xC004F074));
        assert_eq!(parse_code("-2147483648"), Ok(0x8000_0000));
        assert_eq!(parse_code("-0"), Ok(0));
        assert_eq!(parse_code("4294967295"), Ok(u32::MAX));
    }

    #[test]
    fn refuses_with_typed_errors() {
        assert_eq!(parse_code("  "), Err(CodeParseError::Empty));
        for t in [
            "0x", "0xG", "C004F07", "hello", "-", "-0x5", "--1", "1.5", "0x-1",
        ] {
            assert!(
                matches!(parse_code(t), Err(CodeParseError::NotANumber { .. })),
                "{t:?}"
            );
        }
        for t in [
            "0x1C004F074",
            "4294967296",
            "-2147483649",
            "99999999999999999999999",
        ] {
            assert_eq!(
                parse_code(t),
                Err(CodeParseError::OutOfRange { input: t.into() }),
                "{t:?}"
            );
        }
        assert!(parse_code("xyz").unwrap_err().to_string().contains("xyz"));
    }

    #[test]
    fn lookup_and_the_record_agree() {
        assert_eq!(lookup(" c004f038 "), Ok(explain(0xC004F038).unwrap()));
        assert_eq!(lookup(""), Err(LookupError::Parse(CodeParseError::Empty)));
        let unknown = lookup("0x12345678").unwrap_err();
        assert_eq!(unknown, LookupError::Unknown { code: 0x1234_5678 });
        assert_eq!(
            unknown.to_string(),
            "0x12345678 is not in volact's table of activation error codes"
        );
        let bad = Explanation::of("xyz");
        assert!(!bad.known && bad.code.is_none() && bad.message.is_none());
        assert_eq!(bad.error, Some(parse_code("xyz").unwrap_err().to_string()));
        for e in all() {
            let r = Explanation::from(e);
            assert!(r.known && r.error.is_none(), "{:#X}", e.code);
            assert_eq!((r.message, r.fix), (Some(e.message), Some(e.fix)));
            assert_eq!(r.input, format_code(e.code));
        }
        let json = serde_json::to_value(Explanation::of("0xC004F074")).unwrap();
        let keys: Vec<&str> = json
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(keys.len(), 9, "{keys:?}");
    }

    proptest! {
        #[test]
        fn every_spelling_of_a_code_reads_back(code in any::<u32>()) {
            prop_assert_eq!(parse_code(&format!("{code:#X}")), Ok(code));
            prop_assert_eq!(parse_code(&format!("{code:08X}")), Ok(code));
            // Decimal is read as decimal unless it has exactly 8 digits (then it is hex).
            let signed = (code as i32).to_string();
            if signed.len() != 8 {
                prop_assert_eq!(parse_code(&signed), Ok(code));
            }
            if code.to_string().len() != 8 {
                prop_assert_eq!(parse_code(&code.to_string()), Ok(code));
            }
        }

        #[test]
        fn no_text_panics(t in "\\PC{0,24}|[-0-9a-fA-FxX ]{0,24}") {
            let _ = parse_code(&t);
        }
    }
}
