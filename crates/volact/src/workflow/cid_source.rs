//! [`ConfirmationIdSource`]: how Confirmation IDs reach volact. volact never makes them: they
//! come from Microsoft through VAMT on an internet-connected host (a returned CIL), through
//! phone activation (a CSV of `IID,CID` lines), or through the embedder's own licensed
//! service (research/vamt.md §5; the seed's proxy steps 8–10).
//!
//! [`acquire`] is proxy step 9 done by volact: for every product of an exported CIL that has
//! an IID and no CID yet, ask the source and write what it answers into
//! `PendingConfirmationId`, with a report of every answer.

use super::WorkflowError;
use crate::cil::{CilDocument, Field};
use crate::ids;
use std::collections::HashMap;

/// What a source is asked for one product.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct CidRequest {
    /// The IID, as the file holds it.
    pub installation_id: String,
    /// The extended product ID, when the file holds it.
    pub product_key_id: Option<String>,
    /// The SKU (Activation ID), when the file holds it.
    pub sku_id: Option<String>,
}

/// What a source answers.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "answer", rename_all = "snake_case")]
pub enum CidAnswer {
    /// A CID for this IID.
    Issued {
        /// The CID, in any grouping.
        confirmation_id: String,
    },
    /// Refused, with the service's reason (e.g. 0x7F MAK limit exceeded, 0x67 key blocked,
    /// 0x90 invalid IID; research/vamt.md §5).
    Refused {
        /// The service's code.
        code: u32,
        /// Its text.
        detail: String,
    },
    /// The source has nothing for this IID (a CSV without the row, say).
    NotAvailable,
}

/// A supplier of Confirmation IDs. Implemented by the embedding product (and, for tests, by
/// `volact-sim`); volact's own implementations only look up CIDs Microsoft already issued.
pub trait ConfirmationIdSource {
    /// The answer for one IID.
    fn confirmation_id(&mut self, request: &CidRequest) -> CidAnswer;
}

/// CIDs read from a CIL that came back from an internet-connected VAMT host (its
/// `PendingConfirmationId`, else `ConfirmationId`, by IID digits).
#[derive(Clone, Debug, Default)]
pub struct ReturnedCil {
    by_iid: HashMap<String, String>,
}

impl ReturnedCil {
    /// Indexes a returned document.
    pub fn new(doc: &CilDocument) -> Self {
        let mut by_iid = HashMap::new();
        for p in doc.computers().iter().flat_map(|c| &c.products) {
            let cid = p
                .get(Field::PendingConfirmationId)
                .or_else(|| p.get(Field::ConfirmationId));
            if let (Some(iid), Some(cid)) = (p.get(Field::InstallationId), cid) {
                by_iid.insert(digits(iid), cid.to_owned());
            }
        }
        ReturnedCil { by_iid }
    }
}

impl ConfirmationIdSource for ReturnedCil {
    fn confirmation_id(&mut self, request: &CidRequest) -> CidAnswer {
        match self.by_iid.get(&digits(&request.installation_id)) {
            Some(cid) => CidAnswer::Issued {
                confirmation_id: cid.clone(),
            },
            None => CidAnswer::NotAvailable,
        }
    }
}

/// CIDs from phone activation: `installation_id,confirmation_id` lines (a header line, blank
/// lines and `#` lines are skipped, as `volact cil add-cids` reads them).
#[derive(Clone, Debug, Default)]
pub struct PhoneCsv {
    by_iid: HashMap<String, String>,
}

impl PhoneCsv {
    /// Reads the CSV text as `volact cil add-cids` does (quoted fields, a header, `#` lines).
    /// A row with other than two fields is an error naming the line.
    pub fn parse(csv: &str) -> Result<Self, WorkflowError> {
        let mut by_iid = HashMap::new();
        for (line, fields) in crate::cil::merge::cid_csv_rows(csv) {
            match fields.as_slice() {
                [iid, cid] if !iid.is_empty() && !cid.is_empty() => {
                    by_iid.insert(digits(iid), cid.clone());
                }
                _ => {
                    return Err(WorkflowError::CidCsv {
                        line,
                        detail: format!(
                            "{} fields: expected installation_id,confirmation_id",
                            fields.len()
                        ),
                    });
                }
            }
        }
        Ok(PhoneCsv { by_iid })
    }
}

impl ConfirmationIdSource for PhoneCsv {
    fn confirmation_id(&mut self, request: &CidRequest) -> CidAnswer {
        match self.by_iid.get(&digits(&request.installation_id)) {
            Some(cid) => CidAnswer::Issued {
                confirmation_id: cid.clone(),
            },
            None => CidAnswer::NotAvailable,
        }
    }
}

/// What happened to one product during [`acquire`].
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum AcquireOutcome {
    /// A CID was written into `PendingConfirmationId`.
    Written,
    /// The product already has a CID; not asked.
    AlreadyHasCid,
    /// The source refused.
    Refused {
        /// The service's code.
        code: u32,
        /// Its text.
        detail: String,
    },
    /// The source had nothing.
    NotAvailable,
    /// The source answered something that is not a Confirmation ID; nothing written.
    InvalidCid {
        /// Why (digit count or check digit; the value itself is not repeated).
        detail: String,
    },
    /// The product's IID is not a valid Installation ID; the source was not asked.
    InvalidIid {
        /// Why.
        detail: String,
    },
}

/// One product's line in an [`AcquireReport`].
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct AcquireRow {
    /// 0-based computer index in the document.
    pub computer: usize,
    /// 0-based product index in the computer.
    pub product: usize,
    /// The computer's `Id` (a secure export keeps only that).
    pub computer_id: Option<String>,
    /// The outcome.
    #[serde(flatten)]
    pub outcome: AcquireOutcome,
    /// Set when a 48-digit CID failed its check digits: that layout's rule has not been
    /// confirmed on a published CID (facts.md §2.2), so it is written, with this warning.
    pub warning: Option<String>,
}

/// The report of [`acquire`].
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct AcquireReport {
    /// One row per product that has an IID.
    pub rows: Vec<AcquireRow>,
}

impl AcquireReport {
    /// How many rows had `Written`.
    pub fn written(&self) -> usize {
        self.rows
            .iter()
            .filter(|r| r.outcome == AcquireOutcome::Written)
            .count()
    }
}

/// Proxy step 9: asks `source` for a CID for every product with an IID and no CID, and writes
/// each valid answer into `PendingConfirmationId`.
pub fn acquire(doc: &mut CilDocument, source: &mut dyn ConfirmationIdSource) -> AcquireReport {
    let mut rows = Vec::new();
    let mut writes = Vec::new();
    for (ci, c) in doc.computers().iter().enumerate() {
        for (pi, p) in c.products.iter().enumerate() {
            let Some(iid) = p.get(Field::InstallationId) else {
                continue;
            };
            let has_cid = p.get(Field::PendingConfirmationId).is_some()
                || p.get(Field::ConfirmationId).is_some();
            let mut warning = None;
            let outcome = if has_cid {
                AcquireOutcome::AlreadyHasCid
            } else if let Some(e) = id_error(iid, ids::IdKind::InstallationId) {
                AcquireOutcome::InvalidIid { detail: e }
            } else {
                let request = CidRequest {
                    installation_id: iid.to_owned(),
                    product_key_id: p.get(Field::ProductKeyId).map(str::to_owned),
                    sku_id: p.sku_id().map(str::to_owned),
                };
                match source.confirmation_id(&request) {
                    CidAnswer::Issued { confirmation_id } => {
                        match id_error(&confirmation_id, ids::IdKind::ConfirmationId) {
                            Some(detail) => AcquireOutcome::InvalidCid { detail },
                            None => {
                                warning = unconfirmed_warning(&confirmation_id);
                                writes.push((ci, pi, canonical(&confirmation_id)));
                                AcquireOutcome::Written
                            }
                        }
                    }
                    CidAnswer::Refused { code, detail } => AcquireOutcome::Refused { code, detail },
                    CidAnswer::NotAvailable => AcquireOutcome::NotAvailable,
                }
            };
            rows.push(AcquireRow {
                computer: ci,
                product: pi,
                computer_id: c.id.clone(),
                outcome,
                warning,
            });
        }
    }
    for (ci, pi, cid) in writes {
        doc.set_field(ci, pi, Field::PendingConfirmationId, &cid);
    }
    AcquireReport { rows }
}

/// Why a text is not a valid ID of this kind (without repeating it), or `None`. A check
/// digit failure in a layout whose rule is unconfirmed (48-digit CIDs, facts.md §2.2) is not
/// an error here: see [`unconfirmed_warning`].
pub(crate) fn id_error(text: &str, kind: ids::IdKind) -> Option<String> {
    let check = ids::check(text);
    match (&check.error, check.format) {
        (Some(ids::IdError::CheckDigit { .. }), Some(f)) if !f.rule_confirmed => {}
        (Some(e), _) => return Some(e.to_string()),
        (None, _) => {}
    }
    match check.format {
        Some(f) if f.kind == kind => None,
        Some(f) => Some(format!(
            "expected {}, found {} ({} digits)",
            kind.as_str(),
            f.kind.as_str(),
            f.digits()
        )),
        None => Some("not an ID".to_owned()),
    }
}

/// The warning for an ID whose check digits fail under a rule not yet confirmed.
pub(crate) fn unconfirmed_warning(text: &str) -> Option<String> {
    let check = ids::check(text);
    (!check.bad_groups.is_empty()).then(|| {
        "check digits fail under the unconfirmed 48-digit CID rule (facts.md §2.2); written as given"
            .to_owned()
    })
}

/// The canonical dashed form of a valid ID.
pub(crate) fn canonical(text: &str) -> String {
    ids::check(text)
        .canonical
        .unwrap_or_else(|| text.to_owned())
}

/// The digits of an ID text.
pub(crate) fn digits(text: &str) -> String {
    text.chars().filter(char::is_ascii_digit).collect()
}
