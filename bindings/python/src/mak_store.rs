//! The MAK store: the MAK, CSVLK and retail keys the administrator owns, classified by the
//! user catalog (or declared), with remaining-activation snapshots. Everything is
//! `volact_core::mak::MakStore`; files go through `volact-io` (owner-only 0600 writes, an
//! exposed file refused on load), as for `volact mak`.
//!
//! Nothing here hands out a key: entries are [`MakEntry`] records with the key masked, and
//! error messages are the core's, which mask keys. The one thing the binding adds is the
//! clock: `now=None` is the current time (the core reads no clock).

use super::*;
use std::path::Path;
use std::sync::{Mutex, MutexGuard};
use volact_core::mak::{self as core_mak, KeyKind, MakStoreError};
use volact_io::MakStoreFileError;

impl From<MakStoreError> for VolactError {
    fn from(e: MakStoreError) -> Self {
        let message = e.to_string();
        let refused = |kind: &str| VolactError::MakRefused {
            message: message.clone(),
            kind: kind.to_owned(),
        };
        match &e {
            MakStoreError::InvalidKey { source, .. } => VolactError::InvalidKey {
                position: source.position().map(to_u64),
                message,
            },
            MakStoreError::UnknownType { .. } => refused("unknown_type"),
            MakStoreError::Gvlk { .. } => refused("gvlk"),
            MakStoreError::Contradiction { .. } => refused("contradiction"),
            MakStoreError::UnsupportedChannel { .. } => refused("unsupported_channel"),
            MakStoreError::Duplicate { .. } => refused("duplicate"),
            MakStoreError::NotFound { .. } => refused("not_found"),
            MakStoreError::Ambiguous { .. } => refused("ambiguous"),
            MakStoreError::Version { .. } => VolactError::InvalidMakStore {
                message,
                kind: "version".to_owned(),
            },
            _ => VolactError::InvalidMakStore {
                message,
                kind: "format".to_owned(),
            },
        }
    }
}

impl From<MakStoreFileError> for VolactError {
    fn from(e: MakStoreFileError) -> Self {
        let message = e.to_string();
        match e {
            MakStoreFileError::Store { source, .. } => match VolactError::from(source) {
                VolactError::InvalidMakStore { kind, .. } => {
                    VolactError::InvalidMakStore { message, kind }
                }
                other => other,
            },
            MakStoreFileError::Exposed { .. } => VolactError::MakStoreExposed { message },
            _ => VolactError::Io { message },
        }
    }
}

/// One recorded remaining-activation count: a snapshot in time, not a live count.
#[derive(Clone, PartialEq, Eq, uniffi::Record)]
#[uniffi::export(Display, Debug)]
pub struct MakSnapshot {
    /// Activations left on the key when the count was taken.
    pub remaining: u32,
    /// When it was taken, in Unix seconds.
    pub taken_at: i64,
}

py_repr!(MakSnapshot {
    remaining,
    taken_at
});

/// One key of the store, **without the key**: `masked` is `XXXXX-XXXXX-XXXXX-XXXXX-6Q83G`.
#[derive(Clone, PartialEq, Eq, uniffi::Record)]
#[uniffi::export(Display, Debug)]
pub struct MakEntry {
    /// The first 12 hex digits of the key's SHA-256 fingerprint: stable and safe to show.
    pub id: String,
    /// The key, masked.
    pub masked: String,
    /// `mak`, `csvlk` or `retail`.
    pub kind: String,
    /// `user_catalog` (an imported pkeyconfig file classifies the key) or `declared`.
    pub source: String,
    /// For `user_catalog`: the pkeyconfig file.
    pub source_file: Option<String>,
    /// The edition (`EditionId`), when a catalog knows the key.
    pub edition: Option<String>,
    /// The product (`ProductDescription`), when a catalog knows the key.
    pub product: Option<String>,
    /// The administrator's description.
    pub description: String,
    /// When the key was added, in Unix seconds.
    pub added_at: i64,
    /// The recorded counts, oldest first.
    pub snapshots: Vec<MakSnapshot>,
}

py_repr!(MakEntry {
    id,
    masked,
    kind,
    source,
    source_file,
    edition,
    product,
    description,
    added_at,
    snapshots
});

impl From<&core_mak::MakEntry> for MakEntry {
    fn from(e: &core_mak::MakEntry) -> Self {
        MakEntry {
            id: e.id.clone(),
            masked: e.masked(),
            kind: e.kind.as_str().to_owned(),
            source: e.source.as_str().to_owned(),
            source_file: e.source.file().map(str::to_owned),
            edition: e.edition.clone(),
            product: e.product.clone(),
            description: e.description.clone(),
            added_at: e.added_at,
            snapshots: e
                .snapshots
                .iter()
                .map(|s| MakSnapshot {
                    remaining: s.remaining,
                    taken_at: s.taken_at,
                })
                .collect(),
        }
    }
}

/// The current time in Unix seconds, for `now=None`.
fn now_or_clock(now: Option<i64>) -> Result<i64, VolactError> {
    match now {
        Some(t) => Ok(t),
        None => std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .ok()
            .and_then(|d| i64::try_from(d.as_secs()).ok())
            .ok_or_else(|| VolactError::InvalidArgument {
                message: "the system clock is before 1970; pass now".to_owned(),
            }),
    }
}

/// The MAK store. `repr()` shows only the number of entries.
#[derive(uniffi::Object)]
#[uniffi::export(Display, Debug)]
pub struct MakStore(Mutex<core_mak::MakStore>);

impl fmt::Debug for MakStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "MakStore(entries={})", self.lock().list().len())
    }
}

impl fmt::Display for MakStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self, f)
    }
}

impl MakStore {
    // Core operations change the store only after every check passed: a poisoned lock
    // holds a consistent store.
    pub(crate) fn lock(&self) -> MutexGuard<'_, core_mak::MakStore> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[uniffi::export]
impl MakStore {
    /// An empty store.
    #[uniffi::constructor]
    pub fn new() -> Arc<Self> {
        Arc::new(MakStore(Mutex::new(core_mak::MakStore::new())))
    }

    /// Reads a store file; a missing file is an empty store. Raises
    /// `VolactError.MakStoreExposed` when its group or others can read it (`chmod 600` it),
    /// `VolactError.InvalidMakStore` (`kind` `format` or `version`), `VolactError.Io`.
    #[uniffi::constructor]
    pub fn load(path: String) -> Result<Arc<Self>, VolactError> {
        let store = volact_io::load_mak_store(Path::new(&path))?;
        Ok(Arc::new(MakStore(Mutex::new(store))))
    }

    /// Writes the store atomically as an owner-only file (0600, its directory created 0700).
    /// The file holds the keys in clear. Raises `VolactError.Io`.
    pub fn save(&self, path: String) -> Result<(), VolactError> {
        Ok(volact_io::save_mak_store(Path::new(&path), &self.lock())?)
    }

    /// Adds a key the administrator owns, classified with `catalog` (`None`: the published
    /// GVLKs only). `declared` (`"mak"`, `"csvlk"`, `"retail"`) is the kind of a key no
    /// catalog knows. `now`: Unix seconds recorded as `added_at` (`None`: the current time).
    /// Raises `VolactError.InvalidKey`, `VolactError.MakRefused` (`kind` `gvlk`,
    /// `unknown_type`, `contradiction`, `unsupported_channel`, `duplicate`),
    /// `VolactError.InvalidArgument` for another `declared`.
    #[uniffi::method(default(catalog = None, declared = None, description = "", now = None))]
    pub fn add(
        &self,
        key: String,
        catalog: Option<Arc<UserCatalog>>,
        declared: Option<String>,
        description: String,
        now: Option<i64>,
    ) -> Result<MakEntry, VolactError> {
        let declared = match declared {
            None => None,
            Some(text) => {
                Some(
                    KeyKind::parse(&text).ok_or_else(|| VolactError::InvalidArgument {
                        message: "declared must be \"mak\", \"csvlk\" or \"retail\"".to_owned(),
                    })?,
                )
            }
        };
        let now = now_or_clock(now)?;
        let empty;
        let guard;
        let catalog: &volact_core::catalog::UserCatalog = match &catalog {
            Some(c) => {
                guard = c.read();
                &guard
            }
            None => {
                empty = volact_core::catalog::UserCatalog::new();
                &empty
            }
        };
        let mut store = self.lock();
        let entry = store.add_text(&key, catalog, declared, &description, now)?;
        Ok(MakEntry::from(entry))
    }

    /// Removes the entry a selector names (its id, 4+ leading hex digits of it, the key's
    /// last five characters, its masked form or the key) and returns it. Raises
    /// `VolactError.MakRefused` (`kind` `not_found`, `ambiguous`).
    pub fn remove(&self, selector: String) -> Result<MakEntry, VolactError> {
        Ok(MakEntry::from(&self.lock().remove(&selector)?))
    }

    /// Records a remaining-activation count taken at `now` (Unix seconds; `None`: the
    /// current time) and returns the entry. Snapshots stay in time order.
    #[uniffi::method(default(now = None))]
    pub fn record_count(
        &self,
        selector: String,
        remaining: u32,
        now: Option<i64>,
    ) -> Result<MakEntry, VolactError> {
        let now = now_or_clock(now)?;
        Ok(MakEntry::from(
            self.lock().record_count(&selector, remaining, now)?,
        ))
    }

    /// Records that `used` activations were spent at `now` (a MAK independent run's
    /// `workflow_online_activations`): a new snapshot of the latest count less `used`.
    /// Returns the entry, or `None` when no count was ever recorded (nothing to decrement).
    #[uniffi::method(default(now = None))]
    pub fn record_activations(
        &self,
        selector: String,
        used: u32,
        now: Option<i64>,
    ) -> Result<Option<MakEntry>, VolactError> {
        let now = now_or_clock(now)?;
        Ok(self
            .lock()
            .record_activations(&selector, used, now)?
            .map(MakEntry::from))
    }

    /// The entry a selector names (see `remove`).
    pub fn get(&self, selector: String) -> Result<MakEntry, VolactError> {
        Ok(MakEntry::from(self.lock().get(&selector)?))
    }

    /// Every entry, in the order they were added.
    pub fn list(&self) -> Vec<MakEntry> {
        self.lock().list().iter().map(MakEntry::from).collect()
    }

    /// Every entry as the core's JSON array, keys masked (`docs/mak-store.md`, the masked
    /// view: `id`, `key`, `partial`, `kind`, …, `remaining`, `snapshots`).
    pub fn list_json(&self) -> String {
        self.lock().list_json()
    }

    /// How many entries the store holds.
    pub fn count(&self) -> u64 {
        to_u64(self.lock().list().len())
    }
}
