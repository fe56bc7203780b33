//! The catalog: Microsoft's published KMS client setup keys (GVLKs), the key groups
//! volact can name, and what the administrator adds from Microsoft `pkeyconfig` files.
//!
//! The GVLK rows are generated from `data/gvlk.csv` (provenance in `data/README.md`). A
//! key's channel is `Volume:GVLK` when the key is one of these; other keys are classified
//! only through a [`UserCatalog`] built from the administrator's own [`pkeyconfig`] files
//! ([`UserCatalog::classify`]). Where no source knows a key, its channel is unknown, and
//! volact says so rather than guess.
//!
//! ```
//! use volact::catalog;
//! let rows = catalog::gvlk("windows server 2022 datacenter");
//! assert_eq!(rows[0].key, "WX4NM-KYWYW-QJJR4-XV3QB-6VM33");
//! assert_eq!(catalog::group_label(4546), Some("Windows Server 2021 RTM ServerDatacenter Volume:GVLK"));
//! ```

mod groups;
mod gvlk_table;
pub mod pkeyconfig;
mod user;

pub use groups::group_label;
pub use pkeyconfig::PkeyConfigError;
pub use user::{
    Channel, Classification, ImportReport, Source, StoredConfiguration, USER_CATALOG_FORMAT,
    USER_CATALOG_VERSION, UserCatalog, UserCatalogError,
};

use crate::key::ProductKey;
use std::sync::OnceLock;

/// One published GVLK row.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct GvlkRow {
    /// Product family as Microsoft's tables head it, e.g. `Windows 11`.
    pub family: &'static str,
    /// Edition, e.g. `Enterprise`.
    pub edition: &'static str,
    /// The key, canonical (public: Microsoft publishes GVLKs).
    pub key: &'static str,
}

/// The channel of every catalog key (pkeyconfig `ProductKeyType`, facts.md §1.5).
pub const GVLK_CHANNEL: &str = "Volume:GVLK";

/// Every row, in the order of `data/gvlk.csv`.
pub fn rows() -> &'static [GvlkRow] {
    gvlk_table::ROWS
}

/// (key, row index) sorted by key, built once. A sorted Vec rather than a hash map: lookups
/// are a binary search over 167 keys, and a plain allocation reads as reachable to leak
/// checkers (a hash table's interior pointer reads as "possibly lost" under valgrind).
fn by_key() -> &'static [(&'static str, usize)] {
    static INDEX: OnceLock<Vec<(&'static str, usize)>> = OnceLock::new();
    INDEX.get_or_init(|| {
        let mut index: Vec<(&'static str, usize)> =
            rows().iter().enumerate().map(|(i, r)| (r.key, i)).collect();
        index.sort();
        index
    })
}

/// Indices of the rows publishing a canonical key, in catalog order.
fn indices_of(canonical: &str) -> impl Iterator<Item = usize> {
    let index = by_key();
    let start = index.partition_point(|&(k, _)| k < canonical);
    index[start..]
        .iter()
        .take_while(move |&&(k, _)| k == canonical)
        .map(|&(_, i)| i)
}

/// Every row that publishes this key (one key may serve several families).
pub fn rows_for_key(key: &ProductKey) -> Vec<&'static GvlkRow> {
    indices_of(&key.reveal()).map(|i| &rows()[i]).collect()
}

/// The key's channel when volact knows it: `Volume:GVLK` for catalog keys, else `None`.
pub fn channel(key: &ProductKey) -> Option<&'static str> {
    indices_of(&key.reveal()).next().map(|_| GVLK_CHANNEL)
}

/// GVLK rows matching an edition query: every word of the query (case-insensitive) must
/// appear in `family edition`. Rows whose full name or edition equals the query come first,
/// then the rest in catalog order.
pub fn gvlk(query: &str) -> Vec<&'static GvlkRow> {
    let q = normalize(query);
    let words: Vec<&str> = q.split(' ').filter(|w| !w.is_empty()).collect();
    if words.is_empty() {
        return Vec::new();
    }
    let mut hits: Vec<(bool, &'static GvlkRow)> = rows()
        .iter()
        .filter_map(|row| {
            let full = normalize(&format!("{} {}", row.family, row.edition));
            let haystack: Vec<&str> = full.split(' ').collect();
            words.iter().all(|w| haystack.contains(w)).then(|| {
                let exact = full == q || normalize(row.edition) == q;
                (exact, row)
            })
        })
        .collect();
    hits.sort_by_key(|&(exact, _)| !exact); // stable: catalog order within each class
    hits.into_iter().map(|(_, row)| row).collect()
}

/// Lowercase, punctuation to spaces, single spaces.
fn normalize(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                ' '
            }
        })
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests;
