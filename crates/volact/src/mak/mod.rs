//! The MAK store: the Multiple Activation Keys (and CSVLK and retail keys) an administrator
//! owns, with what the catalogs say about them, a description, and the remaining-activation
//! counts the administrator recorded.
//!
//! This is the model behind VAMT's "Manage MAK Keys" dialog (the seed, "MAK independent
//! activation", step 5: add a MAK, validate it, the edition is filled in, give a meaningful
//! description, refresh the remaining count). volact never contacts Microsoft, so the
//! remaining count is what the administrator records from VAMT or the Volume Licensing
//! Service Center, with the time it was taken: as the seed says, "this count is a snapshot in
//! time, not a real-time count". The store keeps every snapshot, ordered by time.
//!
//! Classification: a key's kind comes from [`UserCatalog::classify`] (the administrator's
//! imported pkeyconfig files); where no source knows the key the administrator declares it
//! ([`KeyKind`]), and the store refuses the key until then — volact never guesses. A published
//! GVLK is refused (it is not a MAK and needs no store), and so is a declaration that
//! contradicts the catalog.
//!
//! The store holds keys in clear in its file (they have to be usable), which `volact-io`
//! writes owner-only; everything else — `Debug`, `Display`, errors, [`MakStore::list_json`] —
//! shows keys masked (`XXXXX-XXXXX-XXXXX-XXXXX-6Q83G`). The core reads no clock: every
//! operation that records a time takes `now` in Unix seconds.
//!
//! ```
//! use volact::catalog::UserCatalog;
//! use volact::mak::{KeyKind, MakStore, MakStoreError};
//! let catalog = UserCatalog::new(); // no pkeyconfig imported: only GVLKs are known
//! let mut store = MakStore::new();
//! let twin = "VKCF7-HV62C-944TY-YJ9NF-6Q83G";
//! // Unknown to every catalog: refused until its type is declared.
//! let e = store.add_text(twin, &catalog, None, "lab", 1_700_000_000).unwrap_err();
//! assert!(matches!(e, MakStoreError::UnknownType { .. }));
//! assert!(!e.to_string().contains(twin));
//! let id = store.add_text(twin, &catalog, Some(KeyKind::Mak), "lab", 1_700_000_000)?.id.clone();
//! store.record_count(&id, 42, 1_700_086_400)?;
//! let entry = store.get("6Q83G")?;
//! assert_eq!(entry.latest().map(|s| s.remaining), Some(42));
//! assert_eq!(entry.masked(), "XXXXX-XXXXX-XXXXX-XXXXX-6Q83G");
//! // A GVLK is not a MAK.
//! let gvlk = "NPPR9-FWDCX-D2C8J-H872K-2YT43";
//! assert!(matches!(
//!     store.add_text(gvlk, &catalog, None, "", 0),
//!     Err(MakStoreError::Gvlk { .. })
//! ));
//! # Ok::<(), MakStoreError>(())
//! ```

mod json;
mod time;

pub use time::format_utc;

use crate::catalog::{Channel, Classification, Source, UserCatalog};
use crate::key::{KeyError, ProductKey, masked_text};
use std::fmt;

/// The `format` value of a MAK store file.
pub const MAK_STORE_FORMAT: &str = "volact-mak-store";
/// The `version` of the MAK store file format this code writes and reads.
pub const MAK_STORE_VERSION: u32 = 1;
/// How many hex digits of the key's SHA-256 fingerprint make an entry's id.
pub const ID_LEN: usize = 12;

/// The kinds of key the store keeps: the ones VAMT manages and counts ("MAK, CSVLK or
/// retail", vamt.md §5).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum KeyKind {
    /// A Multiple Activation Key (`Volume:MAK`).
    Mak,
    /// A KMS host key (`Volume:CSVLK`).
    Csvlk,
    /// A retail key (`Retail`).
    Retail,
}

impl KeyKind {
    /// Every kind, in declaration order.
    pub const ALL: [KeyKind; 3] = [KeyKind::Mak, KeyKind::Csvlk, KeyKind::Retail];

    /// `mak`, `csvlk` or `retail` (the values of `--type`, and [`Channel::kind`]'s).
    pub fn as_str(self) -> &'static str {
        match self {
            KeyKind::Mak => "mak",
            KeyKind::Csvlk => "csvlk",
            KeyKind::Retail => "retail",
        }
    }

    /// Reads `mak`, `csvlk` or `retail` (any case).
    pub fn parse(text: &str) -> Option<KeyKind> {
        KeyKind::ALL
            .into_iter()
            .find(|k| k.as_str().eq_ignore_ascii_case(text.trim()))
    }

    /// The kind of a catalog channel, when the store keeps keys of that channel.
    pub fn of_channel(channel: &Channel) -> Option<KeyKind> {
        match channel {
            Channel::VolumeMak => Some(KeyKind::Mak),
            Channel::VolumeCsvlk => Some(KeyKind::Csvlk),
            Channel::Retail => Some(KeyKind::Retail),
            _ => None,
        }
    }
}

impl fmt::Display for KeyKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where an entry's kind comes from.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum KindSource {
    /// An imported pkeyconfig file (the name it was imported under) classifies the key.
    UserCatalog {
        /// The pkeyconfig file name.
        file: String,
    },
    /// No catalog knows the key; the administrator declared its kind.
    Declared,
}

impl KindSource {
    /// `user_catalog` or `declared`.
    pub fn as_str(&self) -> &'static str {
        match self {
            KindSource::UserCatalog { .. } => "user_catalog",
            KindSource::Declared => "declared",
        }
    }

    /// The pkeyconfig file name of a [`KindSource::UserCatalog`] source.
    pub fn file(&self) -> Option<&str> {
        match self {
            KindSource::UserCatalog { file } => Some(file),
            KindSource::Declared => None,
        }
    }
}

/// One remaining-activation count, as recorded, with the time it was taken. A snapshot in
/// time, not a live count (the seed).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Snapshot {
    /// Activations left on the key when the count was taken.
    pub remaining: u32,
    /// When it was taken, in Unix seconds.
    pub taken_at: i64,
}

/// One key in the store. `Debug` shows the key masked.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct MakEntry {
    /// The first [`ID_LEN`] hex digits of the key's SHA-256 fingerprint: stable, and safe to
    /// show.
    pub id: String,
    key: ProductKey,
    /// The key's kind.
    pub kind: KeyKind,
    /// Where the kind comes from.
    pub source: KindSource,
    /// The edition (pkeyconfig `EditionId`), when a catalog knows the key.
    pub edition: Option<String>,
    /// The product (pkeyconfig `ProductDescription`), when a catalog knows the key.
    pub product: Option<String>,
    /// The administrator's description.
    pub description: String,
    /// When the key was added, in Unix seconds.
    pub added_at: i64,
    /// The recorded remaining-activation counts, oldest first.
    pub snapshots: Vec<Snapshot>,
}

impl MakEntry {
    /// The key. Its `Display` masks it; [`ProductKey::reveal`] is the explicit way out (to
    /// install it on a machine).
    pub fn key(&self) -> &ProductKey {
        &self.key
    }

    /// The masked key, `XXXXX-XXXXX-XXXXX-XXXXX-` and its last five characters.
    pub fn masked(&self) -> String {
        self.key.masked()
    }

    /// The most recent snapshot, when any was recorded.
    pub fn latest(&self) -> Option<&Snapshot> {
        self.snapshots.last()
    }

    /// Whether a selector names this entry: its id or an id prefix of at least 4 hex digits,
    /// the key itself, its last five characters, or its masked form (any case).
    fn matches(&self, selector: &Selector) -> bool {
        match selector {
            Selector::Key(k) => *k == self.key,
            Selector::Text(t) => {
                let lower = t.to_ascii_lowercase();
                let upper = t.to_ascii_uppercase();
                (lower.len() >= 4 && self.id.starts_with(&lower))
                    || upper == self.key.partial()
                    || upper == self.key.masked()
            }
        }
    }
}

/// What a selector (`volact mak remove ID`) was parsed into.
enum Selector {
    Key(ProductKey),
    Text(String),
}

impl Selector {
    fn parse(text: &str) -> Selector {
        // The masked form is itself a syntactically valid pkey2005 text (`X` is a symbol).
        if text.trim().to_ascii_uppercase().starts_with(MASK_PREFIX) {
            return Selector::Text(text.trim().to_owned());
        }
        match ProductKey::parse(text) {
            Ok(k) => Selector::Key(k),
            Err(_) => Selector::Text(text.trim().to_owned()),
        }
    }
}

/// How a selector appears in messages: ids and suffixes as given, anything longer masked (it
/// may be a mistyped key).
fn shown(selector: &str) -> String {
    let s = selector.trim();
    if s.len() <= ID_LEN && s.chars().all(|c| c.is_ascii_alphanumeric()) {
        s.to_owned()
    } else {
        masked_text(s)
    }
}

/// Why the store refused an operation or a file. Keys are always masked.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum MakStoreError {
    /// The text is not a valid product key.
    #[error("{key}: not a valid product key: {source}")]
    InvalidKey {
        /// The text, masked.
        key: String,
        /// Why.
        source: KeyError,
    },
    /// The key is a published KMS client setup key: it is not a MAK.
    #[error(
        "{key}: a published KMS client setup key (GVLK) for {edition}, not a MAK; GVLKs are public and the store keeps only MAK, CSVLK and retail keys"
    )]
    Gvlk {
        /// The key, masked.
        key: String,
        /// The catalog's edition.
        edition: String,
    },
    /// No catalog knows the key and no kind was declared.
    #[error(
        "{key}: no catalog knows this key's type; declare it with --type mak|csvlk|retail (volact never guesses), or import the pkeyconfig file that covers it"
    )]
    UnknownType {
        /// The key, masked.
        key: String,
    },
    /// The declared kind contradicts the catalog.
    #[error("{key}: declared {declared}, but {file} classifies it as {channel}")]
    Contradiction {
        /// The key, masked.
        key: String,
        /// The declared kind.
        declared: KeyKind,
        /// The catalog's channel (`ProductKeyType`).
        channel: String,
        /// The pkeyconfig file that classifies it.
        file: String,
    },
    /// The catalog classifies the key as a channel the store does not keep (OEM, evaluation...).
    #[error(
        "{key}: {file} classifies it as {channel}; the store keeps only MAK, CSVLK and retail keys"
    )]
    UnsupportedChannel {
        /// The key, masked.
        key: String,
        /// The catalog's channel (`ProductKeyType`).
        channel: String,
        /// The pkeyconfig file that classifies it.
        file: String,
    },
    /// The key is in the store already.
    #[error("{key} is already in the store (id {id})")]
    Duplicate {
        /// The key, masked.
        key: String,
        /// The existing entry's id.
        id: String,
    },
    /// No entry matches the selector.
    #[error("no key in the store matches {selector}")]
    NotFound {
        /// The selector (masked when it is longer than an id).
        selector: String,
    },
    /// Several entries match the selector.
    #[error("{selector} matches several keys ({}); use the id", ids.join(", "))]
    Ambiguous {
        /// The selector (masked when it is longer than an id).
        selector: String,
        /// The ids of the matching entries.
        ids: Vec<String>,
    },
    /// The file is not JSON or not the store's shape.
    #[error("not a volact MAK store: line {line}, column {column}: {detail}")]
    Json {
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// What is wrong (quoted values left out: they may be keys).
        detail: String,
    },
    /// Another format or a newer version.
    #[error(
        "unsupported MAK store: format {format:?} version {version}; this volact reads {MAK_STORE_FORMAT:?} version {MAK_STORE_VERSION}"
    )]
    Version {
        /// The file's `format` (at most 64 characters).
        format: String,
        /// The file's `version`.
        version: u32,
    },
    /// An entry of the file is invalid (a bad key, an id that is not the key's, a duplicate).
    #[error("MAK store entry {index}: {detail}")]
    InvalidEntry {
        /// 0-based index of the entry.
        index: usize,
        /// What is wrong (keys masked).
        detail: String,
    },
}

/// The store: entries in the order they were added.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct MakStore {
    entries: Vec<MakEntry>,
}

impl MakStore {
    /// An empty store.
    pub fn new() -> Self {
        MakStore::default()
    }

    /// The entries, in the order they were added.
    pub fn list(&self) -> &[MakEntry] {
        &self.entries
    }

    /// Whether the store is empty.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Parses a key text, classifies it with `catalog` and adds it (see [`MakStore::add`]).
    pub fn add_text(
        &mut self,
        text: &str,
        catalog: &UserCatalog,
        declared: Option<KeyKind>,
        description: &str,
        now: i64,
    ) -> Result<&MakEntry, MakStoreError> {
        let key = ProductKey::parse(text).map_err(|source| MakStoreError::InvalidKey {
            key: masked_text(text),
            source,
        })?;
        let classification = catalog.classify(&key);
        self.add(key, &classification, declared, description, now)
    }

    /// Adds a key with its classification ([`UserCatalog::classify`]) and, where no catalog
    /// knows it, the declared kind. Refuses a GVLK, an unknown key without a declared kind, a
    /// declared kind that contradicts the catalog, a channel the store does not keep, and a
    /// key already in the store.
    pub fn add(
        &mut self,
        key: ProductKey,
        classification: &Classification,
        declared: Option<KeyKind>,
        description: &str,
        now: i64,
    ) -> Result<&MakEntry, MakStoreError> {
        let masked = key.masked();
        let (kind, source) = resolve_kind(&masked, classification, declared)?;
        if let Some(existing) = self.entries.iter().find(|e| e.key == key) {
            return Err(MakStoreError::Duplicate {
                key: masked,
                id: existing.id.clone(),
            });
        }
        let known = source != KindSource::Declared;
        let entry = MakEntry {
            id: id_of(&key),
            edition: classification.edition.clone().filter(|_| known),
            product: classification.description.clone().filter(|_| known),
            key,
            kind,
            source,
            description: description.to_owned(),
            added_at: now,
            snapshots: Vec::new(),
        };
        self.entries.push(entry);
        let last = self.entries.len() - 1;
        Ok(&self.entries[last])
    }

    /// The entry a selector names: its id (or an id prefix of at least four hex digits), the
    /// key, its last five characters or its masked form.
    pub fn get(&self, selector: &str) -> Result<&MakEntry, MakStoreError> {
        self.position(selector).map(|i| &self.entries[i])
    }

    fn position(&self, selector: &str) -> Result<usize, MakStoreError> {
        let parsed = Selector::parse(selector);
        let hits: Vec<usize> = (0..self.entries.len())
            .filter(|&i| self.entries[i].matches(&parsed))
            .collect();
        match hits.as_slice() {
            [i] => Ok(*i),
            [] => Err(MakStoreError::NotFound {
                selector: shown(selector),
            }),
            _ => Err(MakStoreError::Ambiguous {
                selector: shown(selector),
                ids: hits.iter().map(|&i| self.entries[i].id.clone()).collect(),
            }),
        }
    }

    /// Removes the entry a selector names (see [`MakStore::get`]) and returns it.
    pub fn remove(&mut self, selector: &str) -> Result<MakEntry, MakStoreError> {
        let i = self.position(selector)?;
        Ok(self.entries.remove(i))
    }

    /// Records a remaining-activation count taken at `now` (Unix seconds). Snapshots stay
    /// ordered by time; one recorded with an earlier time goes in its place.
    pub fn record_count(
        &mut self,
        selector: &str,
        remaining: u32,
        now: i64,
    ) -> Result<&MakEntry, MakStoreError> {
        let i = self.position(selector)?;
        let entry = &mut self.entries[i];
        let at = entry.snapshots.partition_point(|s| s.taken_at <= now);
        entry.snapshots.insert(
            at,
            Snapshot {
                remaining,
                taken_at: now,
            },
        );
        Ok(&self.entries[i])
    }
}

impl MakStore {
    /// Records that `used` activations were spent at `now` (a MAK independent run's
    /// [`Run::online_activations`](crate::workflow::Run::online_activations)): a new snapshot
    /// with the latest count less `used`, so the store's figure follows what volact did
    /// until the next "Refresh remaining count" replaces it. Still a snapshot, not a live
    /// count: activations made elsewhere are not seen. Without an earlier snapshot there is
    /// nothing to decrement and `Ok(None)` is returned.
    pub fn record_activations(
        &mut self,
        selector: &str,
        used: u32,
        now: i64,
    ) -> Result<Option<&MakEntry>, MakStoreError> {
        let i = self.position(selector)?;
        let Some(latest) = self.entries[i].latest().copied() else {
            return Ok(None);
        };
        if used == 0 {
            return Ok(Some(&self.entries[i]));
        }
        let remaining = latest.remaining.saturating_sub(used);
        let id = self.entries[i].id.clone();
        self.record_count(&id, remaining, now.max(latest.taken_at))
            .map(Some)
    }
}

/// What the masked form of every key starts with.
const MASK_PREFIX: &str = "XXXXX-XXXXX-XXXXX-XXXXX-";

/// The entry id of a key: a prefix of its fingerprint.
pub fn id_of(key: &ProductKey) -> String {
    let mut f = key.fingerprint();
    f.truncate(ID_LEN);
    f
}

/// The kind of a key from its classification and the declared kind, or why it is refused.
fn resolve_kind(
    masked: &str,
    classification: &Classification,
    declared: Option<KeyKind>,
) -> Result<(KeyKind, KindSource), MakStoreError> {
    match (&classification.source, &classification.channel) {
        (Source::Gvlk, _) | (_, Some(Channel::VolumeGvlk)) => Err(MakStoreError::Gvlk {
            key: masked.to_owned(),
            edition: classification
                .edition
                .clone()
                .unwrap_or_else(|| "a KMS client".to_owned()),
        }),
        (Source::UserCatalog { file }, Some(channel)) => {
            let Some(kind) = KeyKind::of_channel(channel) else {
                return Err(MakStoreError::UnsupportedChannel {
                    key: masked.to_owned(),
                    channel: channel.product_key_type(),
                    file: file.clone(),
                });
            };
            match declared {
                Some(d) if d != kind => Err(MakStoreError::Contradiction {
                    key: masked.to_owned(),
                    declared: d,
                    channel: channel.product_key_type(),
                    file: file.clone(),
                }),
                _ => Ok((kind, KindSource::UserCatalog { file: file.clone() })),
            }
        }
        _ => match declared {
            Some(kind) => Ok((kind, KindSource::Declared)),
            None => Err(MakStoreError::UnknownType {
                key: masked.to_owned(),
            }),
        },
    }
}

#[cfg(test)]
mod tests;
