//! The one mapping table between the fields volact understands and their names in a CIL.
//!
//! The VAMT 2.0 help gives the computer and SKU vocabulary (research/vamt.md §2); it does not
//! show how a product's IID, ePID, key or CIDs are stored. volact's canonical names are child
//! elements of `Product` named after what VAMT's PowerShell objects and WMI expose
//! (`InstallationId`, `ConfirmationId`, `ProductKeyType`, `ProductKeyId`, `PartialProductKey`,
//! `LicenseStatus`; vamt.md §2 and §6). **Whether real VAMT 3.x `.cilx` files use these names
//! is unverified**: when a real file is seen, this table is the one place to change. The
//! reader accepts every alias below, as a child element or as an attribute of `Product`,
//! case-insensitively, and rewrites it into the canonical child element.

/// A product field volact reads and writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Field {
    /// `LicenseStatus`: 0–6 (WMI `SoftwareLicensingProduct.LicenseStatus`).
    LicenseStatus,
    /// `ProductKeyType`: the channel, e.g. `Volume:MAK`.
    ProductKeyType,
    /// `PartialProductKey`: the last five key symbols.
    PartialProductKey,
    /// `ProductKeyId`: the extended product ID.
    ProductKeyId,
    /// `InstallationId`: the IID the product shows for offline activation.
    InstallationId,
    /// `PendingConfirmationId`: a CID obtained but not yet deposited on the machine.
    PendingConfirmationId,
    /// `ConfirmationId`: the CID deposited on the machine.
    ConfirmationId,
    /// `ProductKey`: the full key, only in files whose export asked for keys.
    ProductKey,
}

impl Field {
    /// Every field, in the canonical element order volact writes.
    pub const ALL: [Field; 8] = [
        Field::LicenseStatus,
        Field::ProductKeyType,
        Field::PartialProductKey,
        Field::ProductKeyId,
        Field::InstallationId,
        Field::PendingConfirmationId,
        Field::ConfirmationId,
        Field::ProductKey,
    ];

    /// The canonical element name.
    pub fn canonical(self) -> &'static str {
        self.names()[0]
    }

    /// Every name the reader accepts (canonical first), compared case-insensitively.
    pub fn names(self) -> &'static [&'static str] {
        match self {
            Field::LicenseStatus => &["LicenseStatus"],
            Field::ProductKeyType => &["ProductKeyType"],
            Field::PartialProductKey => &["PartialProductKey"],
            Field::ProductKeyId => &["ProductKeyId"],
            Field::InstallationId => &["InstallationId", "IID", "OfflineInstallationId"],
            Field::PendingConfirmationId => &["PendingConfirmationId", "PendingCID"],
            Field::ConfirmationId => &["ConfirmationId", "CID"],
            Field::ProductKey => &["ProductKey"],
        }
    }

    /// The field a name stands for, if any.
    pub fn from_name(name: &str) -> Option<Field> {
        Field::ALL
            .into_iter()
            .find(|f| f.names().iter().any(|n| n.eq_ignore_ascii_case(name)))
    }

    /// Position in the canonical order (the `Sku` element comes before all of them).
    pub(crate) fn rank(self) -> usize {
        Field::ALL.iter().position(|&f| f == self).unwrap_or(0) + 1
    }
}

/// The computer attributes of the VAMT 2.0 vocabulary (research/vamt.md §2), and whether a
/// secure export keeps them. `NetworkType` is kept but becomes `None`.
pub const COMPUTER_ATTRIBUTES: [(&str, bool); 6] = [
    ("Id", true),
    ("Name", false),
    ("OSVersion", false),
    ("OSEdition", false),
    ("NetworkType", true),
    ("NetworkName", false),
];

/// The `Sku` attributes (VAMT 2.0): all kept by every export.
pub const SKU_ATTRIBUTES: [&str; 3] = ["Id", "Name", "ApplicationId"];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_across_fields_and_case_insensitive() {
        let mut all: Vec<String> = Field::ALL
            .iter()
            .flat_map(|f| f.names().iter().map(|n| n.to_ascii_lowercase()))
            .collect();
        let n = all.len();
        all.sort();
        all.dedup();
        assert_eq!(all.len(), n);
        assert_eq!(Field::from_name("iid"), Some(Field::InstallationId));
        assert_eq!(
            Field::from_name("PENDINGCID"),
            Some(Field::PendingConfirmationId)
        );
        assert_eq!(Field::from_name("Sku"), None);
    }
}
