//! Validation and summaries of a CIL: read-only.

use super::{CilDocument, Field, digits_of};
use crate::ids::{self, IdKind};
use std::collections::{BTreeMap, HashMap};

/// How serious a finding is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Severity {
    /// Worth a look; the file is usable.
    Warning,
    /// The data is wrong; an activation built on it will fail.
    Error,
}

/// What a finding is about.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum FindingKind {
    /// Two computers share an `Id`.
    DuplicateComputerId,
    /// A computer has no `Id` (merges fall back to names and MAC addresses).
    MissingComputerId,
    /// An `InstallationId` is malformed or fails a check digit.
    BadInstallationId(String),
    /// A CID is malformed, or fails a check digit.
    BadConfirmationId {
        /// Which field.
        field: Field,
        /// Why.
        detail: String,
        /// Whether the rule that failed is unconfirmed (48-digit CIDs): warn, don't refuse.
        unconfirmed_rule: bool,
    },
    /// A CID with no IID to check it against.
    CidWithoutIid(Field),
    /// `LicenseStatus` is not 0–6.
    UnknownLicenseStatus(String),
    /// `PartialProductKey` is not five key symbols, or not the last five of `ProductKey`.
    PartialKeyMismatch,
    /// The full key is a published GVLK but `ProductKeyType` says another channel.
    KeyTypeMismatch {
        /// The type the file gives.
        declared: String,
    },
    /// A product has no `Sku` id (CIDs cannot be matched to it).
    MissingSku,
    /// A field is given more than once; the first element (else the first attribute) is
    /// read and the others are kept verbatim.
    DuplicateField {
        /// Which field.
        field: Field,
        /// Whether every occurrence has the same value (a warning) or not (an error).
        agree: bool,
    },
}

/// One finding, with where it is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    /// Severity.
    pub severity: Severity,
    /// 0-based computer index.
    pub computer: usize,
    /// The computer's `Id`.
    pub computer_id: Option<String>,
    /// 0-based product index, when about a product.
    pub product: Option<usize>,
    /// What.
    pub kind: FindingKind,
}

impl Finding {
    /// A readable message (never shows a full key).
    pub fn message(&self) -> String {
        match &self.kind {
            FindingKind::DuplicateComputerId => "another computer has the same Id".into(),
            FindingKind::MissingComputerId => "computer has no Id".into(),
            FindingKind::BadInstallationId(d) => format!("InstallationId: {d}"),
            FindingKind::BadConfirmationId {
                field,
                detail,
                unconfirmed_rule,
            } => format!(
                "{}: {detail}{}",
                field.canonical(),
                if *unconfirmed_rule {
                    " (the check rule is unconfirmed for 48-digit CIDs: verify before refusing)"
                } else {
                    ""
                }
            ),
            FindingKind::CidWithoutIid(f) => format!("{} without an InstallationId", f.canonical()),
            FindingKind::UnknownLicenseStatus(v) => {
                format!("LicenseStatus {v:?} is not one of 0-6")
            }
            FindingKind::PartialKeyMismatch => {
                "PartialProductKey does not match the product key".into()
            }
            FindingKind::KeyTypeMismatch { declared } => format!(
                "the product key is a published KMS client setup key (Volume:GVLK) but ProductKeyType is {declared:?}"
            ),
            FindingKind::MissingSku => "product has no Sku Id".into(),
            FindingKind::DuplicateField { field, agree } => format!(
                "{} is given more than once{}; the first element is read",
                field.canonical(),
                if *agree {
                    " with the same value"
                } else {
                    " with different values"
                }
            ),
        }
    }
}

/// Checks a document: IDs and their check digits, duplicate computer Ids, CIDs without IIDs,
/// license status values, partial keys against full keys, key types against the catalog.
pub fn validate(doc: &CilDocument) -> Vec<Finding> {
    let mut out = Vec::new();
    let mut seen: HashMap<String, usize> = HashMap::new();
    for (ci, c) in doc.computers().iter().enumerate() {
        let mut push = |severity, product, kind| {
            out.push(Finding {
                severity,
                computer: ci,
                computer_id: c.id.clone(),
                product,
                kind,
            })
        };
        match &c.id {
            None => push(Severity::Warning, None, FindingKind::MissingComputerId),
            Some(id) => {
                let key = id.trim_matches(['{', '}']).to_ascii_lowercase();
                if seen.insert(key, ci).is_some() {
                    push(Severity::Error, None, FindingKind::DuplicateComputerId);
                }
            }
        }
        for (pi, p) in c.products.iter().enumerate() {
            let at = Some(pi);
            if p.sku_id().is_none() {
                push(Severity::Warning, at, FindingKind::MissingSku);
            }
            for &(field, agree) in p.duplicate_fields() {
                push(
                    if agree {
                        Severity::Warning
                    } else {
                        Severity::Error
                    },
                    at,
                    FindingKind::DuplicateField { field, agree },
                );
            }
            let iid = p.get(Field::InstallationId);
            if let Some(iid) = iid {
                let check = ids::check(iid);
                match (&check.error, check.format.map(|f| f.kind)) {
                    (Some(e), _) => push(
                        Severity::Error,
                        at,
                        FindingKind::BadInstallationId(e.to_string()),
                    ),
                    (None, Some(IdKind::ConfirmationId)) => push(
                        Severity::Error,
                        at,
                        FindingKind::BadInstallationId("this is a Confirmation ID's length".into()),
                    ),
                    _ => {}
                }
            }
            for field in [Field::PendingConfirmationId, Field::ConfirmationId] {
                let Some(cid) = p.get(field) else { continue };
                if iid.is_none() {
                    push(Severity::Error, at, FindingKind::CidWithoutIid(field));
                }
                let check = ids::check(cid);
                let wrong_kind = check
                    .format
                    .is_some_and(|f| f.kind != IdKind::ConfirmationId);
                if let Some(e) = check
                    .error
                    .as_ref()
                    .map(ToString::to_string)
                    .or(wrong_kind.then(|| "this is an Installation ID's length".to_owned()))
                {
                    let unconfirmed = check.format.is_some_and(|f| !f.rule_confirmed)
                        && !check.bad_groups.is_empty();
                    push(
                        if unconfirmed {
                            Severity::Warning
                        } else {
                            Severity::Error
                        },
                        at,
                        FindingKind::BadConfirmationId {
                            field,
                            detail: e,
                            unconfirmed_rule: unconfirmed,
                        },
                    );
                }
            }
            if let Some(status) = p.get(Field::LicenseStatus)
                && !matches!(status.parse::<u8>(), Ok(0..=6))
            {
                push(
                    Severity::Error,
                    at,
                    FindingKind::UnknownLicenseStatus(status.to_owned()),
                );
            }
            let key = p.product_key();
            if let Some(partial) = p.get(Field::PartialProductKey) {
                let symbols_ok = partial.len() == 5
                    && partial.bytes().all(|b| {
                        b == b'N' || crate::key::ALPHABET.contains(&b.to_ascii_uppercase())
                    });
                let matches_key = key.as_ref().is_none_or(|k| {
                    let canon: String = k
                        .reveal()
                        .chars()
                        .filter(|c| c.is_ascii_alphanumeric())
                        .collect();
                    canon
                        .to_ascii_uppercase()
                        .ends_with(&partial.to_ascii_uppercase())
                });
                if !symbols_ok || !matches_key {
                    push(Severity::Error, at, FindingKind::PartialKeyMismatch);
                }
            }
            if let (Some(k), Some(declared)) = (&key, p.get(Field::ProductKeyType))
                && let Ok(parsed) = crate::key::ProductKey::parse(k.reveal())
                && crate::catalog::channel(&parsed).is_some()
                && !declared.eq_ignore_ascii_case(crate::catalog::GVLK_CHANNEL)
            {
                push(
                    Severity::Warning,
                    at,
                    FindingKind::KeyTypeMismatch {
                        declared: declared.to_owned(),
                    },
                );
            }
        }
    }
    out
}

/// Counts over a document: what `volact cil show` prints.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Summary {
    /// Computers.
    pub computers: usize,
    /// Products.
    pub products: usize,
    /// Products by `LicenseStatus` value (`"unknown"` when absent).
    pub by_license_status: BTreeMap<String, usize>,
    /// Products by `ProductKeyType` (`"unknown"` when absent).
    pub by_key_type: BTreeMap<String, usize>,
    /// Products with an IID.
    pub with_installation_id: usize,
    /// Products with a pending (obtained, not deposited) CID.
    pub pending_cids: usize,
    /// Products with a deposited CID.
    pub applied_cids: usize,
}

/// Summarises a document.
pub fn summarize(doc: &CilDocument) -> Summary {
    let mut s = Summary {
        computers: doc.computers().len(),
        ..Summary::default()
    };
    for p in doc.computers().iter().flat_map(|c| &c.products) {
        s.products += 1;
        let status = p.get(Field::LicenseStatus).unwrap_or("unknown").to_owned();
        *s.by_license_status.entry(status).or_default() += 1;
        let kt = p.get(Field::ProductKeyType).unwrap_or("unknown").to_owned();
        *s.by_key_type.entry(kt).or_default() += 1;
        s.with_installation_id += usize::from(p.get(Field::InstallationId).is_some());
        s.pending_cids += usize::from(
            p.get(Field::PendingConfirmationId)
                .is_some_and(|c| !digits_of(c).is_empty()),
        );
        s.applied_cids += usize::from(p.get(Field::ConfirmationId).is_some());
    }
    s
}
