//! The GVLK catalog.

use super::*;

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

pub(crate) fn rows<'a>(rows: impl IntoIterator<Item = &'a catalog::GvlkRow>) -> Vec<GvlkRow> {
    rows.into_iter().map(GvlkRow::from).collect()
}

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
