//! The user catalog: what the administrator's own pkeyconfig files teach volact, merged and
//! kept (by `volact-io`) as JSON, and the classification of a key against it.
//!
//! Microsoft publishes only the GVLKs; every other key (MAK, retail, OEM, CSVLK) is known to
//! volact only through a pkeyconfig file the administrator imports, the way VAMT learns them.
//! A pkey2009 key decodes to a group id and a serial (facts.md §1.2); the configuration whose
//! `RefGroupId` is that group and one of whose valid `KeyRange`s holds that serial names the
//! key's edition and channel. Where no source knows a key the answer is
//! [`Source::Unknown`]: volact never guesses a key's type.
//!
//! Merging: configurations are identified by `ActConfigId`. Importing a configuration that is
//! already in the catalog replaces it together with its ranges (the later import wins: a
//! newer Windows build's file supersedes an older one's), and the [`ImportReport`] names
//! every configuration it replaced.
//!
//! ```
//! use volact::catalog::{Channel, Source, UserCatalog};
//! use volact::key::ProductKey;
//! let catalog = UserCatalog::new();
//! let gvlk = ProductKey::parse("NPPR9-FWDCX-D2C8J-H872K-2YT43")?;
//! let c = catalog.classify(&gvlk);
//! assert_eq!(c.source, Source::Gvlk);
//! assert_eq!(c.channel, Some(Channel::VolumeGvlk));
//! // A valid key that no source knows stays unknown.
//! let twin = ProductKey::parse("VKCF7-HV62C-944TY-YJ9NF-6Q83G")?;
//! assert_eq!(catalog.classify(&twin).source, Source::Unknown);
//! # Ok::<(), volact::key::KeyError>(())
//! ```

use super::pkeyconfig::{self, Configuration, KeyRange, PkeyConfig, PkeyConfigError, PublicKey};
use crate::key::ProductKey;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;

/// The `format` value of a user catalog file.
pub const USER_CATALOG_FORMAT: &str = "volact-user-catalog";
/// The `version` of the user catalog file format this code writes and reads.
pub const USER_CATALOG_VERSION: u32 = 1;

/// A key's channel: pkeyconfig `ProductKeyType` (facts.md §1.5).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Channel {
    /// `Retail`.
    Retail,
    /// `OEM:<kind>`, e.g. `OEM:DM`, `OEM:NONSLP`; holds the part after `OEM:`.
    Oem(String),
    /// `Volume:GVLK`, the KMS client setup keys.
    VolumeGvlk,
    /// `Volume:MAK`, Multiple Activation Keys.
    VolumeMak,
    /// `Volume:CSVLK`, KMS host keys.
    VolumeCsvlk,
    /// Any other type, as written (e.g. `Retail:TB:Eval`, `VT:IA`).
    Other(String),
}

impl Channel {
    /// Reads a `ProductKeyType` (exact, case-sensitive, as Microsoft writes them).
    pub fn parse(product_key_type: &str) -> Channel {
        match product_key_type {
            "Retail" => Channel::Retail,
            "Volume:GVLK" => Channel::VolumeGvlk,
            "Volume:MAK" => Channel::VolumeMak,
            "Volume:CSVLK" => Channel::VolumeCsvlk,
            t => match t.strip_prefix("OEM:") {
                Some(kind) => Channel::Oem(kind.to_owned()),
                None => Channel::Other(t.to_owned()),
            },
        }
    }

    /// The `ProductKeyType` text, e.g. `Volume:MAK`.
    pub fn product_key_type(&self) -> String {
        match self {
            Channel::Retail => "Retail".to_owned(),
            Channel::Oem(kind) => format!("OEM:{kind}"),
            Channel::VolumeGvlk => super::GVLK_CHANNEL.to_owned(),
            Channel::VolumeMak => "Volume:MAK".to_owned(),
            Channel::VolumeCsvlk => "Volume:CSVLK".to_owned(),
            Channel::Other(t) => t.clone(),
        }
    }

    /// A short lowercase kind: `retail`, `oem`, `gvlk`, `mak`, `csvlk` or `other`.
    pub fn kind(&self) -> &'static str {
        match self {
            Channel::Retail => "retail",
            Channel::Oem(_) => "oem",
            Channel::VolumeGvlk => "gvlk",
            Channel::VolumeMak => "mak",
            Channel::VolumeCsvlk => "csvlk",
            Channel::Other(_) => "other",
        }
    }
}

impl fmt::Display for Channel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.product_key_type())
    }
}

/// Where a classification comes from.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Source {
    /// The key is one of Microsoft's published GVLKs (the embedded catalog).
    Gvlk,
    /// An imported pkeyconfig file (the name it was imported under) has a valid range for
    /// the key's group and serial.
    UserCatalog {
        /// The file name given at import.
        file: String,
    },
    /// No source knows the key: its type must be declared by the administrator.
    Unknown,
}

impl Source {
    /// `gvlk`, `user_catalog` or `unknown`.
    pub fn as_str(&self) -> &'static str {
        match self {
            Source::Gvlk => "gvlk",
            Source::UserCatalog { .. } => "user_catalog",
            Source::Unknown => "unknown",
        }
    }
}

/// What volact knows about a key's product and channel, and from where.
///
/// Its JSON form (serde `Serialize`), the one `volact key inspect --json` prints as
/// `classification` and the bindings hand out, always has every field:
/// `{"source", "source_file", "channel", "channel_kind", "edition", "description",
/// "act_config_id", "part_number"}` — `source` is `gvlk`, `user_catalog` or `unknown`,
/// `source_file` the pkeyconfig file name for `user_catalog` (else `null`), `channel` the
/// `ProductKeyType` text and `channel_kind` its [`Channel::kind`]. It never holds the key.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Classification {
    /// The source; [`Source::Unknown`] means every other field is `None`.
    pub source: Source,
    /// The channel.
    pub channel: Option<Channel>,
    /// The edition: pkeyconfig `EditionId`, or for a GVLK the catalog's "family edition".
    pub edition: Option<String>,
    /// pkeyconfig `ProductDescription`, or for a GVLK the group's label when volact has one.
    pub description: Option<String>,
    /// pkeyconfig `ActConfigId` of the matching configuration, when one matched.
    pub act_config_id: Option<String>,
    /// pkeyconfig `PartNumber` of the matching range, when one matched.
    pub part_number: Option<String>,
}

impl Serialize for Classification {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut s = serializer.serialize_struct("Classification", 8)?;
        s.serialize_field("source", self.source.as_str())?;
        s.serialize_field("source_file", &self.source_file())?;
        s.serialize_field(
            "channel",
            &self.channel.as_ref().map(Channel::product_key_type),
        )?;
        s.serialize_field("channel_kind", &self.channel.as_ref().map(Channel::kind))?;
        s.serialize_field("edition", &self.edition)?;
        s.serialize_field("description", &self.description)?;
        s.serialize_field("act_config_id", &self.act_config_id)?;
        s.serialize_field("part_number", &self.part_number)?;
        s.end()
    }
}

impl Classification {
    /// The pkeyconfig file name of a [`Source::UserCatalog`] classification.
    pub fn source_file(&self) -> Option<&str> {
        match &self.source {
            Source::UserCatalog { file } => Some(file),
            _ => None,
        }
    }

    /// The JSON form (see the type's documentation), on one line.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    fn unknown() -> Self {
        Classification {
            source: Source::Unknown,
            channel: None,
            edition: None,
            description: None,
            act_config_id: None,
            part_number: None,
        }
    }
}

/// One stored configuration with its ranges and the file it came from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredConfiguration {
    /// The configuration.
    #[serde(flatten)]
    pub configuration: Configuration,
    /// The name of the file it was imported from.
    pub source: String,
    /// Its key ranges.
    pub key_ranges: Vec<KeyRange>,
}

/// What one import added, replaced and dropped.
///
/// Its JSON form (serde `Serialize`, every field always present), which
/// `volact catalog import-pkeyconfig --json` prints (with `catalog` added) and the bindings
/// hand out: `{"file", "configurations", "key_ranges", "configurations_by_channel",
/// "key_ranges_by_channel", "replaced", "orphan_ranges"}`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct ImportReport {
    /// The file name given.
    #[serde(rename = "file")]
    pub source: String,
    /// Configurations imported.
    pub configurations: usize,
    /// Key ranges imported.
    pub key_ranges: usize,
    /// Configurations per `ProductKeyType`.
    pub configurations_by_channel: BTreeMap<String, usize>,
    /// Key ranges per `ProductKeyType` of their configuration.
    pub key_ranges_by_channel: BTreeMap<String, usize>,
    /// `ActConfigId`s that were already in the catalog and were replaced (from an earlier
    /// import, or earlier in the same file).
    pub replaced: Vec<String>,
    /// Key ranges whose `RefActConfigId` names no configuration of the file: not imported.
    pub orphan_ranges: usize,
}

impl ImportReport {
    /// The report as one line of JSON (see the type's documentation).
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }
}

/// Why a stored user catalog cannot be read.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum UserCatalogError {
    /// Not JSON, or not the catalog's shape.
    #[error("not a volact user catalog: line {line}, column {column}: {detail}")]
    Json {
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// What is wrong.
        detail: String,
    },
    /// Another format or a newer version.
    #[error(
        "unsupported user catalog: format {format:?} version {version}; this volact reads {USER_CATALOG_FORMAT:?} version {USER_CATALOG_VERSION}"
    )]
    Version {
        /// The file's `format`.
        format: String,
        /// The file's `version`.
        version: u32,
    },
}

/// The administrator's catalog of key configurations, learnt from pkeyconfig files.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserCatalog {
    format: String,
    version: u32,
    /// Configurations sorted by `ActConfigId`.
    configurations: Vec<StoredConfiguration>,
    /// Which algorithm each group's keys follow, sorted by group id.
    public_keys: Vec<PublicKey>,
}

impl Default for UserCatalog {
    fn default() -> Self {
        UserCatalog {
            format: USER_CATALOG_FORMAT.to_owned(),
            version: USER_CATALOG_VERSION,
            configurations: Vec::new(),
            public_keys: Vec::new(),
        }
    }
}

impl UserCatalog {
    /// An empty catalog: classification then knows the published GVLKs only.
    pub fn new() -> Self {
        UserCatalog::default()
    }

    /// The stored configurations, sorted by `ActConfigId`.
    pub fn configurations(&self) -> &[StoredConfiguration] {
        &self.configurations
    }

    /// The algorithm (`AlgorithmId`) of a group's keys, when an imported file named it.
    pub fn algorithm_of(&self, group_id: u32) -> Option<&str> {
        self.public_keys
            .binary_search_by_key(&group_id, |p| p.group_id)
            .ok()
            .map(|i| self.public_keys[i].algorithm_id.as_str())
    }

    /// Parses a pkeyconfig file and imports it under a name (usually the file name).
    pub fn import_pkeyconfig(
        &mut self,
        bytes: &[u8],
        source: &str,
    ) -> Result<ImportReport, PkeyConfigError> {
        let parsed = pkeyconfig::parse(bytes)?;
        Ok(self.import(&parsed, source))
    }

    /// Imports a parsed pkeyconfig file under a name. Later imports win (see the module doc).
    pub fn import(&mut self, config: &PkeyConfig, source: &str) -> ImportReport {
        let mut report = ImportReport {
            source: source.to_owned(),
            ..ImportReport::default()
        };
        let mut incoming: BTreeMap<&str, StoredConfiguration> = BTreeMap::new();
        for c in &config.configurations {
            let stored = StoredConfiguration {
                configuration: c.clone(),
                source: source.to_owned(),
                key_ranges: Vec::new(),
            };
            if incoming.insert(&c.act_config_id, stored).is_some() {
                report.replaced.push(c.act_config_id.clone());
            }
        }
        for r in &config.key_ranges {
            match incoming.get_mut(r.ref_act_config_id.as_str()) {
                Some(c) => c.key_ranges.push(r.clone()),
                None => report.orphan_ranges += 1,
            }
        }
        for (id, stored) in incoming {
            let channel = stored.configuration.product_key_type.clone();
            report.configurations += 1;
            report.key_ranges += stored.key_ranges.len();
            *report
                .configurations_by_channel
                .entry(channel.clone())
                .or_default() += 1;
            *report.key_ranges_by_channel.entry(channel).or_default() += stored.key_ranges.len();
            match self
                .configurations
                .binary_search_by(|c| c.configuration.act_config_id.as_str().cmp(id))
            {
                Ok(i) => {
                    report.replaced.push(id.to_owned());
                    self.configurations[i] = stored;
                }
                Err(i) => self.configurations.insert(i, stored),
            }
        }
        for p in &config.public_keys {
            match self
                .public_keys
                .binary_search_by_key(&p.group_id, |q| q.group_id)
            {
                Ok(i) => self.public_keys[i] = p.clone(),
                Err(i) => self.public_keys.insert(i, p.clone()),
            }
        }
        report.replaced.sort();
        report.replaced.dedup();
        report
    }

    /// The configuration and range holding a group id and serial: the first configuration
    /// (by `ActConfigId`) of that group with a valid range covering the serial.
    pub fn lookup(&self, group_id: u32, serial: u32) -> Option<(&StoredConfiguration, &KeyRange)> {
        self.configurations
            .iter()
            .filter(|c| c.configuration.ref_group_id == group_id)
            .find_map(|c| {
                c.key_ranges
                    .iter()
                    .find(|r| r.covers(serial))
                    .map(|r| (c, r))
            })
    }

    /// Classifies a key: a published GVLK first (the embedded catalog is exact), then a
    /// pkey2009 key's group and serial against the imported ranges; anything else is
    /// [`Source::Unknown`]. pkey2005 keys cannot be decoded, so only the GVLK catalog can
    /// know them.
    pub fn classify(&self, key: &ProductKey) -> Classification {
        let matched = key
            .pkey2009()
            .and_then(|f| self.lookup(f.group_id, f.serial));
        if let Some(row) = super::rows_for_key(key).first() {
            let group = key.pkey2009().map(|f| f.group_id);
            return Classification {
                source: Source::Gvlk,
                channel: Some(Channel::VolumeGvlk),
                edition: Some(format!("{} {}", row.family, row.edition)),
                description: matched
                    .map(|(c, _)| c.configuration.product_description.clone())
                    .or_else(|| group.and_then(super::group_label).map(str::to_owned)),
                act_config_id: matched.map(|(c, _)| c.configuration.act_config_id.clone()),
                part_number: matched.map(|(_, r)| r.part_number.clone()),
            };
        }
        match matched {
            Some((c, r)) => Classification {
                source: Source::UserCatalog {
                    file: c.source.clone(),
                },
                channel: Some(Channel::parse(&c.configuration.product_key_type)),
                edition: Some(c.configuration.edition_id.clone()),
                description: Some(c.configuration.product_description.clone()),
                act_config_id: Some(c.configuration.act_config_id.clone()),
                part_number: Some(r.part_number.clone()),
            },
            None => Classification::unknown(),
        }
    }

    /// The catalog as pretty JSON (the stored form), ending in a newline.
    pub fn to_json(&self) -> String {
        let mut s = serde_json::to_string_pretty(self).unwrap_or_default();
        s.push('\n');
        s
    }

    /// Reads a stored catalog.
    pub fn from_json(bytes: &[u8]) -> Result<Self, UserCatalogError> {
        let mut catalog: UserCatalog =
            serde_json::from_slice(bytes).map_err(|e| UserCatalogError::Json {
                line: e.line(),
                column: e.column(),
                detail: e.to_string(),
            })?;
        if catalog.format != USER_CATALOG_FORMAT || catalog.version != USER_CATALOG_VERSION {
            return Err(UserCatalogError::Version {
                format: catalog.format.chars().take(64).collect(),
                version: catalog.version,
            });
        }
        // A hand-edited file may be out of order: lookups rely on the sort.
        catalog.configurations.sort_by(|a, b| {
            a.configuration
                .act_config_id
                .cmp(&b.configuration.act_config_id)
        });
        catalog
            .configurations
            .dedup_by(|a, b| a.configuration.act_config_id == b.configuration.act_config_id);
        catalog.public_keys.sort_by_key(|p| p.group_id);
        catalog.public_keys.dedup_by_key(|p| p.group_id);
        Ok(catalog)
    }
}
