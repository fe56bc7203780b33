//! uniffi bindings of volact for Python (`import volact`).
//!
//! Thin by design: every value is computed by the core crate (`volact_core`); this crate
//! only converts core types into uniffi records, objects and one error enum. The Python
//! package in `python/volact/__init__.py` re-exports these and adds the list helper
//! `check_keys` over [`check_keys_batch`].
//!
//! Key material stays masked across the boundary: [`ProductKey`] exports `Display`/`Debug`
//! (Python `str`/`repr`) as the core's masked forms, the records that carry the pkey2009
//! security value print it as `<hidden>` (with the other fields it rebuilds the key, which is
//! why the core's `Pkey2009` Debug hides it too), and error messages are the core errors'
//! `Display`, which never contain the key.

uniffi::setup_scaffolding!();

use std::fmt;
use std::sync::Arc;
use volact_core::{catalog, epid, ids, key};

#[macro_use]
mod repr;

/// Every error the bindings raise. In Python: `volact.VolactError.InvalidKey` and so on,
/// all subclasses of `volact.VolactError`.
#[derive(Debug, thiserror::Error, uniffi::Error)]
pub enum VolactError {
    /// The text is not a valid product key.
    #[error("{message}")]
    InvalidKey {
        /// The core's message (never contains the key).
        message: String,
        /// 0-based character index into the text, where the error points at one. Python
        /// indexes `str` by code point and the core counts `char`s, so `text[position]` is
        /// the offending character.
        position: Option<u64>,
    },
    /// The text is not a valid Installation or Confirmation ID.
    #[error("{message}")]
    InvalidId {
        /// The core's message.
        message: String,
    },
    /// The text is not a valid extended product ID.
    #[error("{message}")]
    InvalidEpid {
        /// The core's message.
        message: String,
    },
    /// The blob holds no readable product key.
    #[error("{message}")]
    InvalidDigitalProductId {
        /// The core's message (a key error inside it is masked like any key error).
        message: String,
    },
}

impl From<key::KeyError> for VolactError {
    fn from(e: key::KeyError) -> Self {
        VolactError::InvalidKey {
            position: e.position().map(to_u64),
            message: e.to_string(),
        }
    }
}

impl From<ids::IdError> for VolactError {
    fn from(e: ids::IdError) -> Self {
        VolactError::InvalidId {
            message: e.to_string(),
        }
    }
}

impl From<epid::EpidError> for VolactError {
    fn from(e: epid::EpidError) -> Self {
        VolactError::InvalidEpid {
            message: e.to_string(),
        }
    }
}

impl From<key::DigitalProductIdError> for VolactError {
    fn from(e: key::DigitalProductIdError) -> Self {
        VolactError::InvalidDigitalProductId {
            message: e.to_string(),
        }
    }
}

/// `usize` to the `u64` uniffi carries; lossless on every target Rust supports today.
fn to_u64(n: usize) -> u64 {
    u64::try_from(n).unwrap_or(u64::MAX)
}

/// `usize` counts that are small by construction (ID groups, digits, group indices).
fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

// ---------------------------------------------------------------------------------------
// Product keys
// ---------------------------------------------------------------------------------------

/// A valid product key (pkey2009 checksum verified). `str()` and `repr()` are masked;
/// `reveal()` is the one way to get the key itself.
#[derive(Clone, PartialEq, Eq, Hash, uniffi::Object)]
#[uniffi::export(Display, Debug, Eq, Hash)]
pub struct ProductKey(key::ProductKey);

impl fmt::Display for ProductKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f) // the core's masked form
    }
}

impl fmt::Debug for ProductKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.0, f) // `ProductKey(XXXXX-…-2YT43, pkey2009)`
    }
}

/// The decoded fields of a pkey2009 key. `str()`/`repr()` hide `security`.
#[derive(Clone, Copy, PartialEq, Eq, uniffi::Record)]
#[uniffi::export(Display, Debug)]
pub struct Pkey2009Fields {
    /// Key group (pkeyconfig `RefGroupId`).
    pub group_id: u32,
    /// Serial within the group.
    pub serial: u32,
    /// The 53-bit security value.
    pub security: u64,
    /// The 10-bit checksum the key carries.
    pub checksum: u16,
    /// The upgrade bit.
    pub upgrade: bool,
    /// Bit 114 (the "twin key" bit).
    pub extra: bool,
}

impl From<key::Pkey2009> for Pkey2009Fields {
    fn from(p: key::Pkey2009) -> Self {
        Pkey2009Fields {
            group_id: p.group_id,
            serial: p.serial,
            security: p.security,
            checksum: p.checksum,
            upgrade: p.upgrade,
            extra: p.extra,
        }
    }
}

py_repr!(Pkey2009Fields {
    group_id,
    serial,
    security: hidden,
    checksum,
    upgrade,
    extra
});

/// One published GVLK (these keys are public: Microsoft publishes them).
#[derive(Clone, PartialEq, Eq, uniffi::Record)]
#[uniffi::export(Display, Debug)]
pub struct GvlkRow {
    /// Product family, e.g. `Windows 11`.
    pub family: String,
    /// Edition, e.g. `Enterprise`.
    pub edition: String,
    /// The key, canonical.
    pub key: String,
}

py_repr!(GvlkRow {
    family,
    edition,
    key
});

impl From<&catalog::GvlkRow> for GvlkRow {
    fn from(r: &catalog::GvlkRow) -> Self {
        GvlkRow {
            family: r.family.to_owned(),
            edition: r.edition.to_owned(),
            key: r.key.to_owned(),
        }
    }
}

fn rows<'a>(rows: impl IntoIterator<Item = &'a catalog::GvlkRow>) -> Vec<GvlkRow> {
    rows.into_iter().map(GvlkRow::from).collect()
}

#[uniffi::export]
impl ProductKey {
    /// `ProductKey(text)`: the same as [`ProductKey::parse`].
    #[uniffi::constructor]
    pub fn new(text: String) -> Result<Arc<Self>, VolactError> {
        Self::parse(text)
    }

    /// Parses a key in any case, with or without dashes or whitespace; verifies the
    /// pkey2009 checksum. Raises `VolactError.InvalidKey`.
    #[uniffi::constructor]
    pub fn parse(text: String) -> Result<Arc<Self>, VolactError> {
        Ok(Arc::new(ProductKey(key::ProductKey::parse(&text)?)))
    }

    /// `"pkey2009"` or `"pkey2005"`.
    pub fn algorithm(&self) -> String {
        self.0.algorithm().as_str().to_owned()
    }

    /// The decoded fields; `None` for pkey2005 keys.
    pub fn pkey2009(&self) -> Option<Pkey2009Fields> {
        self.0.pkey2009().map(Pkey2009Fields::from)
    }

    /// `XXXXX-XXXXX-XXXXX-XXXXX-` and the last five symbols.
    pub fn masked(&self) -> String {
        self.0.masked()
    }

    /// The last five symbols (Windows' `PartialProductKey`).
    pub fn partial(&self) -> String {
        self.0.partial().to_owned()
    }

    /// The key itself, canonical. The one way key material leaves a `ProductKey`.
    pub fn reveal(&self) -> String {
        self.0.reveal()
    }

    /// SHA-256 of the canonical key, lowercase hex.
    pub fn fingerprint(&self) -> String {
        self.0.fingerprint()
    }

    /// Every catalog row that publishes this key (empty when it is not a GVLK).
    pub fn catalog_rows(&self) -> Vec<GvlkRow> {
        rows(catalog::rows_for_key(&self.0))
    }

    /// `"Volume:GVLK"` for catalog keys; `None` when volact does not know the channel.
    pub fn channel(&self) -> Option<String> {
        catalog::channel(&self.0).map(str::to_owned)
    }
}

/// Everything volact says about one key text (the `volact key inspect` record).
/// `str()`/`repr()` hide `security`.
#[derive(Clone, PartialEq, Eq, uniffi::Record)]
#[uniffi::export(Display, Debug)]
pub struct KeyReport {
    /// Whether the text is a valid key.
    pub valid: bool,
    /// `"pkey2009"` or `"pkey2005"` when the syntax holds.
    pub algorithm: Option<String>,
    /// pkey2009 fields, also when the checksum fails.
    pub group_id: Option<u32>,
    /// pkey2009 serial.
    pub serial: Option<u32>,
    /// pkey2009 security value.
    pub security: Option<u64>,
    /// pkey2009 checksum the key carries.
    pub checksum: Option<u16>,
    /// pkey2009 upgrade bit.
    pub upgrade: Option<bool>,
    /// pkey2009 bit 114.
    pub extra: Option<bool>,
    /// The masked text.
    pub masked: String,
    /// SHA-256 of the canonical form, when the syntax holds.
    pub fingerprint: Option<String>,
    /// Catalog rows publishing the key (valid keys only).
    pub catalog: Vec<GvlkRow>,
    /// `"Volume:GVLK"` for catalog keys.
    pub channel: Option<String>,
    /// Why the text is not a valid key.
    pub error: Option<String>,
    /// 0-based character index the error points at, if it points at one.
    pub error_position: Option<u64>,
}

py_repr!(KeyReport {
    valid,
    algorithm,
    group_id,
    serial,
    security: hidden,
    checksum,
    upgrade,
    extra,
    masked,
    fingerprint,
    catalog,
    channel,
    error,
    error_position,
});

/// Inspects a key text; never raises.
#[uniffi::export]
pub fn inspect_key(text: String) -> KeyReport {
    let r = key::inspect(&text);
    let fields = r.fields;
    KeyReport {
        valid: r.is_valid(),
        algorithm: r.algorithm.map(|a| a.as_str().to_owned()),
        group_id: fields.map(|f| f.group_id),
        serial: fields.map(|f| f.serial),
        security: fields.map(|f| f.security),
        checksum: fields.map(|f| f.checksum),
        upgrade: fields.map(|f| f.upgrade),
        extra: fields.map(|f| f.extra),
        masked: r.masked,
        fingerprint: r.fingerprint,
        catalog: r
            .key
            .as_ref()
            .map(|k| rows(catalog::rows_for_key(k)))
            .unwrap_or_default(),
        channel: r.key.as_ref().and_then(catalog::channel).map(str::to_owned),
        error_position: r
            .error
            .as_ref()
            .and_then(key::KeyError::position)
            .map(to_u64),
        error: r.error.map(|e| e.to_string()),
    }
}

/// Which registry value a `DigitalProductId` blob came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, uniffi::Enum)]
pub enum DpidLayout {
    /// `DigitalProductId`: key bytes at 52..67.
    DigitalProductId,
    /// `DigitalProductId4`: key bytes at 808..823 (third-party sources only).
    DigitalProductId4,
}

impl From<DpidLayout> for key::DpidLayout {
    fn from(l: DpidLayout) -> Self {
        match l {
            DpidLayout::DigitalProductId => key::DpidLayout::DigitalProductId,
            DpidLayout::DigitalProductId4 => key::DpidLayout::DigitalProductId4,
        }
    }
}

/// Decodes the product key stored in a `DigitalProductId`/`DigitalProductId4` blob.
/// Raises `VolactError.InvalidDigitalProductId`.
#[uniffi::export]
pub fn decode_digital_product_id(
    blob: Vec<u8>,
    layout: DpidLayout,
) -> Result<Arc<ProductKey>, VolactError> {
    let k = key::decode_digital_product_id(&blob, layout.into())?;
    Ok(Arc::new(ProductKey(k)))
}

/// Checks one key per `\n`-separated line; returns `n` status bytes (0 invalid, 1 valid
/// pkey2005, 2 valid pkey2009, 3 checksum mismatch) then `n` little-endian `u32` group ids.
/// One string in, one `bytes` out: uniffi lowers list elements one by one in Python,
/// about 300× slower than this (research/toolchain.md §5, python-packaging.md §5).
#[uniffi::export]
pub fn check_keys_batch(joined: String) -> Vec<u8> {
    key::check_batch(&joined)
}

// ---------------------------------------------------------------------------------------
// Installation and Confirmation IDs
// ---------------------------------------------------------------------------------------

/// The check of one ID text (the `volact id check` record).
#[derive(Clone, PartialEq, Eq, uniffi::Record)]
#[uniffi::export(Display, Debug)]
pub struct IdReport {
    /// A known layout with every check digit right.
    pub valid: bool,
    /// `"installation_id"` or `"confirmation_id"` when the layout is known.
    pub kind: Option<String>,
    /// How many digits the text holds (0 when a stray character stops the read).
    pub digits: u32,
    /// Number of groups of the layout.
    pub groups: Option<u32>,
    /// Digits per group, check digit included.
    pub group_len: Option<u32>,
    /// 0-based indices of groups whose check digit fails.
    pub bad_groups: Vec<u32>,
    /// Whether the check rule is confirmed on a published ID of this layout; `None` when
    /// the layout is unknown.
    pub rule_confirmed: Option<bool>,
    /// Groups joined by `-`, whenever the layout is known.
    pub canonical: Option<String>,
    /// Why the text is not a valid ID.
    pub error: Option<String>,
}

py_repr!(IdReport {
    valid,
    kind,
    digits,
    groups,
    group_len,
    bad_groups,
    rule_confirmed,
    canonical,
    error
});

/// Checks an Installation or Confirmation ID text; never raises.
#[uniffi::export]
pub fn check_id(text: String) -> IdReport {
    let c = ids::check(&text);
    let format = c.format;
    IdReport {
        valid: c.is_valid(),
        kind: format.map(|f| f.kind.as_str().to_owned()),
        digits: to_u32(c.digits),
        groups: format.map(|f| to_u32(f.groups)),
        group_len: format.map(|f| to_u32(f.group_len)),
        bad_groups: c.bad_groups.into_iter().map(to_u32).collect(),
        rule_confirmed: format.map(|f| f.rule_confirmed),
        canonical: c.canonical,
        error: c.error.map(|e| e.to_string()),
    }
}

/// An ID layout.
#[derive(Clone, PartialEq, Eq, uniffi::Record)]
#[uniffi::export(Display, Debug)]
pub struct IdFormat {
    /// `"installation_id"` or `"confirmation_id"`.
    pub kind: String,
    /// Number of groups.
    pub groups: u32,
    /// Digits per group, check digit included.
    pub group_len: u32,
    /// Whether the check rule is confirmed on a published ID of this layout.
    pub rule_confirmed: bool,
}

py_repr!(IdFormat {
    kind,
    groups,
    group_len,
    rule_confirmed
});

impl From<ids::IdFormat> for IdFormat {
    fn from(f: ids::IdFormat) -> Self {
        IdFormat {
            kind: f.kind.as_str().to_owned(),
            groups: to_u32(f.groups),
            group_len: to_u32(f.group_len),
            rule_confirmed: f.rule_confirmed,
        }
    }
}

/// A valid Installation ID (54 or 63 digits). `str()` is the dashed canonical form.
#[derive(Clone, PartialEq, Eq, Hash, uniffi::Object)]
#[uniffi::export(Display, Debug, Eq, Hash)]
pub struct InstallationId(ids::InstallationId);

impl fmt::Display for InstallationId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

impl fmt::Debug for InstallationId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.0, f)
    }
}

#[uniffi::export]
impl InstallationId {
    /// `InstallationId(text)`: the same as [`InstallationId::parse`].
    #[uniffi::constructor]
    pub fn new(text: String) -> Result<Arc<Self>, VolactError> {
        Self::parse(text)
    }

    /// Parses digits with optional spaces or dashes; verifies every group. Raises
    /// `VolactError.InvalidId`.
    #[uniffi::constructor]
    pub fn parse(text: String) -> Result<Arc<Self>, VolactError> {
        Ok(Arc::new(InstallationId(ids::InstallationId::parse(&text)?)))
    }

    /// The layout (9 × 6 or 9 × 7).
    pub fn format(&self) -> IdFormat {
        self.0.format().into()
    }

    /// The digits without separators, as `slmgr /dti` prints them.
    pub fn digits(&self) -> String {
        self.0.digits()
    }

    /// Groups joined by `-`.
    pub fn canonical(&self) -> String {
        self.0.as_str().to_owned()
    }
}

/// A Confirmation ID (48 or 42 digits). `str()` is the dashed canonical form.
#[derive(Clone, PartialEq, Eq, Hash, uniffi::Object)]
#[uniffi::export(Display, Debug, Eq, Hash)]
pub struct ConfirmationId(ids::ConfirmationId);

impl fmt::Display for ConfirmationId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

impl fmt::Debug for ConfirmationId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.0, f)
    }
}

#[uniffi::export]
impl ConfirmationId {
    /// `ConfirmationId(text)`: the same as [`ConfirmationId::parse`].
    #[uniffi::constructor]
    pub fn new(text: String) -> Result<Arc<Self>, VolactError> {
        Self::parse(text)
    }

    /// Parses and verifies every group's check digit. Raises `VolactError.InvalidId`.
    #[uniffi::constructor]
    pub fn parse(text: String) -> Result<Arc<Self>, VolactError> {
        Ok(Arc::new(ConfirmationId(ids::ConfirmationId::parse(&text)?)))
    }

    /// Like `parse`, but a 48-digit CID (whose check rule is unconfirmed, facts.md §7)
    /// with failing check digits is accepted and the groups are reported in
    /// `unconfirmed_bad_groups()`.
    #[uniffi::constructor]
    pub fn parse_lenient(text: String) -> Result<Arc<Self>, VolactError> {
        Ok(Arc::new(ConfirmationId(
            ids::ConfirmationId::parse_lenient(&text)?,
        )))
    }

    /// The layout (8 × 6 or 7 × 6).
    pub fn format(&self) -> IdFormat {
        self.0.format().into()
    }

    /// 0-based groups whose check digit failed under an unconfirmed rule.
    pub fn unconfirmed_bad_groups(&self) -> Vec<u32> {
        self.0
            .unconfirmed_bad_groups()
            .iter()
            .copied()
            .map(to_u32)
            .collect()
    }

    /// The digits without separators, as `slmgr /atp` takes them.
    pub fn digits(&self) -> String {
        self.0.digits()
    }

    /// Groups joined by `-`.
    pub fn canonical(&self) -> String {
        self.0.as_str().to_owned()
    }
}

// ---------------------------------------------------------------------------------------
// Extended product IDs
// ---------------------------------------------------------------------------------------

/// A parsed extended product ID (`PPPPP-GGGGG-SSS-SSSSSS-CC-LLLL-B.B-DDDYYYY`).
#[derive(Clone, PartialEq, Eq, uniffi::Record)]
#[uniffi::export(Display, Debug)]
pub struct Epid {
    /// `PPPPP`: platform id.
    pub platform: u32,
    /// `GGGGG`: key group id.
    pub group_id: u32,
    /// `SSS-SSSSSS` as one number.
    pub serial: u32,
    /// `CC`: channel code.
    pub channel: u8,
    /// The channel's name for known codes (`Retail`, `CCP`, `OEM`, `Volume`).
    pub channel_name: Option<String>,
    /// `LLLL`: locale id.
    pub lcid: u32,
    /// Build, before the dot.
    pub build: u32,
    /// Build revision, after the dot.
    pub build_revision: u32,
    /// `DDD`: day of the year.
    pub install_day: u16,
    /// `YYYY`.
    pub install_year: u16,
    /// The canonical, zero-padded text.
    pub canonical: String,
}

py_repr!(Epid {
    platform,
    group_id,
    serial,
    channel,
    channel_name,
    lcid,
    build,
    build_revision,
    install_day,
    install_year,
    canonical
});

/// Parses an extended product ID. Raises `VolactError.InvalidEpid`.
#[uniffi::export]
pub fn parse_epid(text: String) -> Result<Epid, VolactError> {
    let e = epid::Epid::parse(&text)?;
    Ok(Epid {
        platform: e.platform,
        group_id: e.group_id,
        serial: e.serial,
        channel: e.channel,
        channel_name: e.channel_name().map(str::to_owned),
        lcid: e.lcid,
        build: e.build,
        build_revision: e.build_revision,
        install_day: e.install_day,
        install_year: e.install_year,
        canonical: e.to_string(),
    })
}

// ---------------------------------------------------------------------------------------
// Catalog
// ---------------------------------------------------------------------------------------

/// Every published GVLK row, in catalog order.
#[uniffi::export]
pub fn catalog_rows() -> Vec<GvlkRow> {
    rows(catalog::rows())
}

/// GVLK rows matching an edition query (every word must appear; exact matches first).
#[uniffi::export]
pub fn catalog_gvlk(query: String) -> Vec<GvlkRow> {
    rows(catalog::gvlk(&query))
}

/// The label volact knows for a key group id.
#[uniffi::export]
pub fn group_label(group_id: u32) -> Option<String> {
    catalog::group_label(group_id).map(str::to_owned)
}
