//! The user catalog: key configurations learnt from the administrator's own Microsoft
//! pkeyconfig files, and the classification of a key against them and the published GVLKs.
//! Everything is `volact_core::catalog::UserCatalog`; files go through `volact-io` (bounded
//! reads, atomic writes), as for `volact catalog import-pkeyconfig`.
//!
//! uniffi objects are shared (`Arc`) and their methods take `&self`, so the catalog sits in an
//! `RwLock`: `import_pkeyconfig` takes the write lock, everything else the read lock.

use super::*;
use std::collections::HashMap;
use std::path::Path;
use std::sync::{RwLock, RwLockReadGuard, RwLockWriteGuard};
use volact_core::catalog::{self as core_catalog, PkeyConfigError, UserCatalogError};
use volact_io::UserCatalogFileError;

impl From<PkeyConfigError> for VolactError {
    fn from(e: PkeyConfigError) -> Self {
        VolactError::InvalidPkeyconfig {
            kind: pkeyconfig_kind(&e).to_owned(),
            message: e.to_string(),
        }
    }
}

impl From<UserCatalogFileError> for VolactError {
    fn from(e: UserCatalogFileError) -> Self {
        let message = e.to_string();
        match &e {
            UserCatalogFileError::Catalog { source, .. } => VolactError::InvalidUserCatalog {
                kind: match source {
                    UserCatalogError::Version { .. } => "version",
                    _ => "format",
                }
                .to_owned(),
                message,
            },
            UserCatalogFileError::Pkeyconfig { source, .. } => VolactError::InvalidPkeyconfig {
                kind: pkeyconfig_kind(source).to_owned(),
                message,
            },
            _ => VolactError::Io { message },
        }
    }
}

/// The `kind` of [`VolactError::InvalidPkeyconfig`].
fn pkeyconfig_kind(e: &PkeyConfigError) -> &'static str {
    match e {
        PkeyConfigError::Xml { .. } => "xml",
        PkeyConfigError::Encoding { .. } => "encoding",
        PkeyConfigError::Dtd { .. } => "dtd",
        PkeyConfigError::Entity { .. } => "entity",
        PkeyConfigError::TooLarge { .. } => "too_large",
        PkeyConfigError::TooDeep { .. } => "too_deep",
        PkeyConfigError::NoPayload => "no_payload",
        PkeyConfigError::NotProductKeyConfiguration { .. } => "not_pkeyconfig",
        PkeyConfigError::Base64 { .. } => "base64",
        PkeyConfigError::MissingField { .. } => "missing_field",
        PkeyConfigError::BadField { .. } => "bad_value",
        _ => "other",
    }
}

fn count(n: usize) -> u64 {
    to_u64(n)
}

fn counts(m: &std::collections::BTreeMap<String, usize>) -> HashMap<String, u64> {
    m.iter().map(|(k, v)| (k.clone(), count(*v))).collect()
}

/// What one pkeyconfig import added, replaced and dropped (the core's `ImportReport`).
#[derive(Clone, PartialEq, Eq, uniffi::Record)]
#[uniffi::export(Display, Debug)]
pub struct ImportReport {
    /// The name the file was imported under.
    pub file: String,
    /// Configurations imported.
    pub configurations: u64,
    /// Key ranges imported.
    pub key_ranges: u64,
    /// Configurations per `ProductKeyType` (`Volume:MAK`, `Retail`, …).
    pub configurations_by_channel: HashMap<String, u64>,
    /// Key ranges per `ProductKeyType` of their configuration.
    pub key_ranges_by_channel: HashMap<String, u64>,
    /// `ActConfigId`s already in the catalog that this import replaced.
    pub replaced: Vec<String>,
    /// Key ranges whose configuration is not in the file: not imported.
    pub orphan_ranges: u64,
}

py_repr!(ImportReport {
    file,
    configurations,
    key_ranges,
    configurations_by_channel,
    key_ranges_by_channel,
    replaced,
    orphan_ranges
});

impl From<&core_catalog::ImportReport> for ImportReport {
    fn from(r: &core_catalog::ImportReport) -> Self {
        ImportReport {
            file: r.source.clone(),
            configurations: count(r.configurations),
            key_ranges: count(r.key_ranges),
            configurations_by_channel: counts(&r.configurations_by_channel),
            key_ranges_by_channel: counts(&r.key_ranges_by_channel),
            replaced: r.replaced.clone(),
            orphan_ranges: count(r.orphan_ranges),
        }
    }
}

/// What volact knows about a key's product and channel, and from where (the core's
/// `Classification`). Never holds the key.
#[derive(Clone, PartialEq, Eq, uniffi::Record)]
#[uniffi::export(Display, Debug)]
pub struct Classification {
    /// `gvlk` (a published GVLK), `user_catalog` (an imported pkeyconfig file knows it) or
    /// `unknown` (then every other field is `None`: volact never guesses a key's type).
    pub source: String,
    /// For `user_catalog`: the pkeyconfig file it was learnt from.
    pub file: Option<String>,
    /// pkeyconfig `ProductKeyType`, e.g. `Volume:MAK`.
    pub channel: Option<String>,
    /// `retail`, `oem`, `gvlk`, `mak`, `csvlk` or `other`.
    pub channel_kind: Option<String>,
    /// `EditionId`, or for a GVLK the catalog's family and edition.
    pub edition: Option<String>,
    /// `ProductDescription`, or for a GVLK the group's label.
    pub description: Option<String>,
    /// `ActConfigId` of the matching configuration.
    pub act_config_id: Option<String>,
    /// `PartNumber` of the matching key range.
    pub part_number: Option<String>,
}

py_repr!(Classification {
    source,
    file,
    channel,
    channel_kind,
    edition,
    description,
    act_config_id,
    part_number
});

impl From<&core_catalog::Classification> for Classification {
    fn from(c: &core_catalog::Classification) -> Self {
        Classification {
            source: c.source.as_str().to_owned(),
            file: c.source_file().map(str::to_owned),
            channel: c.channel.as_ref().map(|ch| ch.product_key_type()),
            channel_kind: c.channel.as_ref().map(|ch| ch.kind().to_owned()),
            edition: c.edition.clone(),
            description: c.description.clone(),
            act_config_id: c.act_config_id.clone(),
            part_number: c.part_number.clone(),
        }
    }
}

/// The administrator's catalog of key configurations, learnt from pkeyconfig files.
#[derive(uniffi::Object)]
#[uniffi::export(Display, Debug)]
pub struct UserCatalog(RwLock<core_catalog::UserCatalog>);

impl fmt::Debug for UserCatalog {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "UserCatalog(configurations={})",
            self.read().configurations().len()
        )
    }
}

impl fmt::Display for UserCatalog {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self, f)
    }
}

impl UserCatalog {
    // A poisoned lock means a panic in the core while importing; an import changes the
    // catalog only after the file has been parsed, one configuration at a time: go on.
    pub(crate) fn read(&self) -> RwLockReadGuard<'_, core_catalog::UserCatalog> {
        self.0.read().unwrap_or_else(|e| e.into_inner())
    }

    fn write(&self) -> RwLockWriteGuard<'_, core_catalog::UserCatalog> {
        self.0.write().unwrap_or_else(|e| e.into_inner())
    }

    fn classify_core(&self, key: &str) -> Result<core_catalog::Classification, VolactError> {
        let key = key::ProductKey::parse(key)?;
        Ok(self.read().classify(&key))
    }
}

#[uniffi::export]
impl UserCatalog {
    /// An empty catalog: classification then knows the published GVLKs only.
    #[uniffi::constructor]
    pub fn new() -> Arc<Self> {
        Arc::new(UserCatalog(RwLock::new(core_catalog::UserCatalog::new())))
    }

    /// Reads a catalog file (what `volact catalog import-pkeyconfig` and `save` write).
    /// Raises `VolactError.Io` when it cannot be read (also when it does not exist),
    /// `VolactError.InvalidUserCatalog` (`kind` `format` or `version`) when it is not one.
    #[uniffi::constructor]
    pub fn load(path: String) -> Result<Arc<Self>, VolactError> {
        let catalog = volact_io::load_user_catalog(Path::new(&path))?;
        Ok(Arc::new(UserCatalog(RwLock::new(catalog))))
    }

    /// Parses a pkeyconfig file's bytes and imports it under `name` (usually the file name).
    /// All or nothing: raises `VolactError.InvalidPkeyconfig` and changes nothing when the
    /// file cannot be read. A later import of an `ActConfigId` replaces it.
    pub fn import_pkeyconfig(
        &self,
        data: Vec<u8>,
        name: String,
    ) -> Result<ImportReport, VolactError> {
        let report = self.write().import_pkeyconfig(&data, &name)?;
        Ok(ImportReport::from(&report))
    }

    /// Writes the catalog atomically as JSON, creating its directory. Raises
    /// `VolactError.Io`.
    pub fn save(&self, path: String) -> Result<(), VolactError> {
        Ok(volact_io::save_user_catalog(
            Path::new(&path),
            &self.read(),
        )?)
    }

    /// Classifies a product key (as typed). Raises `VolactError.InvalidKey` for a text that
    /// is not a valid key (the message never holds the key).
    pub fn classify(&self, key: String) -> Result<Classification, VolactError> {
        Ok(Classification::from(&self.classify_core(&key)?))
    }

    /// The classification as the core's JSON (the `classification` of
    /// `volact key inspect --json`).
    pub fn classify_json(&self, key: String) -> Result<String, VolactError> {
        Ok(self.classify_core(&key)?.to_json())
    }

    /// How many configurations the catalog holds.
    pub fn configuration_count(&self) -> u64 {
        count(self.read().configurations().len())
    }
}
