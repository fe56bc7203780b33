//! Product keys: the key object, inspection, DigitalProductId blobs and the batch check.

use super::*;

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
