//! Bringing Confirmation IDs home: merging a returned CIL into the full one, and importing
//! CIDs from the administrator's own source (VAMT, phone activation, their service) as CSV.
//!
//! Matching follows VAMT 2.0's merge rules (research/vamt.md §5): a computer by its `Id`
//! GUID, then by name plus network name, then by MAC address. A CID is applied only to the
//! product with the same SKU and the same Installation ID it was issued for, because a CID is
//! bound to one IID; a different CID already present is never overwritten unless forced.
//! Every decision is reported, so nothing is lost silently.

use super::{CilDocument, Computer, Field, digits_of};
use crate::ids::{self, ConfirmationId, IdKind};
use std::collections::HashMap;

/// Merge options.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct MergeOptions {
    /// Replace a different CID already present (`--force`).
    pub force: bool,
}

/// What happened to one returned CID.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum MergeOutcome {
    /// Set as the product's `PendingConfirmationId`.
    Applied,
    /// The product already holds this CID.
    AlreadyPresent,
    /// A different CID was replaced (`force`).
    Replaced {
        /// The CID that was there.
        previous: String,
    },
    /// A different CID is present and `force` was not given: nothing changed.
    Conflict {
        /// The CID that is there.
        existing: String,
    },
    /// The computer has the SKU, but not with the IID this CID was issued for.
    IidMismatch,
    /// The returned product carries a CID but no IID to check it against.
    NoIid,
    /// No computer in the full file matches.
    NoSuchComputer,
    /// More than one computer matches by the same rule.
    Ambiguous {
        /// How many matched.
        candidates: usize,
    },
    /// The matched computer has no product with this SKU.
    NoSuchProduct,
    /// The CID is malformed (wrong length, non-digits, or a failed confirmed check rule).
    InvalidCid {
        /// Why.
        detail: String,
    },
}

impl MergeOutcome {
    /// Whether the full document now holds the CID.
    pub fn is_applied(&self) -> bool {
        matches!(
            self,
            MergeOutcome::Applied | MergeOutcome::AlreadyPresent | MergeOutcome::Replaced { .. }
        )
    }

    /// A stable snake_case name for reports.
    pub fn name(&self) -> &'static str {
        match self {
            MergeOutcome::Applied => "applied",
            MergeOutcome::AlreadyPresent => "already_present",
            MergeOutcome::Replaced { .. } => "replaced",
            MergeOutcome::Conflict { .. } => "conflict",
            MergeOutcome::IidMismatch => "iid_mismatch",
            MergeOutcome::NoIid => "no_iid",
            MergeOutcome::NoSuchComputer => "no_such_computer",
            MergeOutcome::Ambiguous { .. } => "ambiguous",
            MergeOutcome::NoSuchProduct => "no_such_product",
            MergeOutcome::InvalidCid { .. } => "invalid_cid",
        }
    }

    /// The outcome's detail for reports, where it has one.
    pub fn detail(&self) -> Option<String> {
        match self {
            MergeOutcome::InvalidCid { detail } => Some(detail.clone()),
            MergeOutcome::Conflict { existing } => Some(format!("existing CID {existing}")),
            MergeOutcome::Replaced { previous } => Some(format!("replaced CID {previous}")),
            MergeOutcome::Ambiguous { candidates } => Some(format!("{candidates} computers match")),
            _ => None,
        }
    }
}

/// One decision of a merge.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MergeDecision {
    /// 0-based index of the computer in the returned file.
    pub returned_computer: usize,
    /// 0-based index of the product in that computer.
    pub returned_product: usize,
    /// The returned computer's `Id`.
    pub computer_id: Option<String>,
    /// The full file's computer that matched, and by which rule (`id`, `name`, `mac`).
    pub matched: Option<(usize, &'static str)>,
    /// The SKU id.
    pub sku_id: Option<String>,
    /// The IID the CID was issued for.
    pub installation_id: Option<String>,
    /// Whether the CID's check digits failed under the unconfirmed 48-digit rule (applied
    /// with a warning).
    pub unconfirmed_check_failed: bool,
    /// The outcome.
    pub outcome: MergeOutcome,
}

/// Every decision of a merge, in returned-file order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MergeReport {
    /// The decisions.
    pub decisions: Vec<MergeDecision>,
}

impl MergeReport {
    /// How many decisions had this outcome name.
    pub fn count(&self, name: &str) -> usize {
        self.decisions
            .iter()
            .filter(|d| d.outcome.name() == name)
            .count()
    }
}

fn norm_guid(s: &str) -> String {
    s.trim()
        .trim_start_matches('{')
        .trim_end_matches('}')
        .to_ascii_lowercase()
}

fn norm_mac(s: &str) -> String {
    s.chars()
        .filter(char::is_ascii_hexdigit)
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

/// The full file's computers indexed by each matching rule, built once per merge so matching
/// is a lookup, not a scan (100,000 computers would make a scan quadratic).
struct ComputerIndex {
    by_id: HashMap<String, Vec<usize>>,
    by_name: HashMap<(String, Option<String>), Vec<usize>>,
    by_mac: HashMap<String, Vec<usize>>,
}

impl ComputerIndex {
    fn new(full: &[Computer]) -> Self {
        let mut index = ComputerIndex {
            by_id: HashMap::new(),
            by_name: HashMap::new(),
            by_mac: HashMap::new(),
        };
        for (i, c) in full.iter().enumerate() {
            if let Some(id) = &c.id {
                index.by_id.entry(norm_guid(id)).or_default().push(i);
            }
            if let Some(name) = &c.name {
                index
                    .by_name
                    .entry(name_key(name, c.network_name.as_deref()))
                    .or_default()
                    .push(i);
            }
            for mac in &c.mac_addresses {
                let hits = index.by_mac.entry(norm_mac(mac)).or_default();
                if hits.last() != Some(&i) {
                    hits.push(i);
                }
            }
        }
        index
    }

    /// Finds the full file's computer for a returned one: by Id, then name + network name,
    /// then any MAC address. `Err(n)` when a rule matches `n > 1` computers.
    fn find(&self, c: &Computer) -> Result<Option<(usize, &'static str)>, usize> {
        let mut rules: Vec<(&'static str, Vec<usize>)> = Vec::new();
        if let Some(id) = &c.id {
            rules.push((
                "id",
                self.by_id.get(&norm_guid(id)).cloned().unwrap_or_default(),
            ));
        }
        if let Some(name) = &c.name {
            let key = name_key(name, c.network_name.as_deref());
            rules.push(("name", self.by_name.get(&key).cloned().unwrap_or_default()));
        }
        let mut by_mac: Vec<usize> = c
            .mac_addresses
            .iter()
            .flat_map(|m| self.by_mac.get(&norm_mac(m)).cloned().unwrap_or_default())
            .collect();
        by_mac.sort_unstable();
        by_mac.dedup();
        rules.push(("mac", by_mac));
        for (rule, hits) in rules {
            match hits.len() {
                0 => continue,
                1 => return Ok(Some((hits[0], rule))),
                n => return Err(n),
            }
        }
        Ok(None)
    }
}

/// Name plus network name, compared case-insensitively (VAMT 2.0's workgroup rule).
fn name_key(name: &str, network: Option<&str>) -> (String, Option<String>) {
    (
        name.to_ascii_lowercase(),
        network.map(str::to_ascii_lowercase),
    )
}

/// Checks a CID text: `Ok(unconfirmed_check_failed)` or why it is refused. A 48-digit CID
/// whose check digits fail is accepted with a warning unless `strict` (the rule is
/// unconfirmed for that layout, facts.md §7).
fn check_cid(text: &str, strict: bool) -> Result<bool, String> {
    let parsed = if strict {
        ConfirmationId::parse(text)
    } else {
        ConfirmationId::parse_lenient(text)
    };
    parsed
        .map(|cid| !cid.unconfirmed_bad_groups().is_empty())
        .map_err(|e| e.to_string())
}

/// Applies one CID to the full file's product `(ci, pi)`.
fn apply(full: &mut CilDocument, ci: usize, pi: usize, cid: &str, force: bool) -> MergeOutcome {
    let product = &full.computers[ci].products[pi];
    let incoming = digits_of(cid);
    let pending = product.get(Field::PendingConfirmationId).map(str::to_owned);
    let deposited = product.get(Field::ConfirmationId).map(str::to_owned);
    // Already there, pending or deposited: nothing to do (merges are idempotent).
    if [&pending, &deposited]
        .into_iter()
        .flatten()
        .any(|e| digits_of(e) == incoming)
    {
        return MergeOutcome::AlreadyPresent;
    }
    match pending.or(deposited) {
        Some(existing) if !force => MergeOutcome::Conflict { existing },
        previous => {
            full.set_field(ci, pi, Field::PendingConfirmationId, &incoming);
            match previous {
                Some(previous) => MergeOutcome::Replaced { previous },
                None => MergeOutcome::Applied,
            }
        }
    }
}

/// Merges the CIDs of a returned CIL into the full one (which is changed only where a CID
/// is applied). Idempotent: merging the same file again changes nothing and reports
/// `already_present`.
pub fn merge(full: &mut CilDocument, returned: &CilDocument, options: MergeOptions) -> MergeReport {
    merge_computers(full, returned.computers(), options)
}

/// [`merge`] from the computers of a returned file, for callers that read the returned file
/// first and keep only its computers ([`CilDocument::into_computers`]): a large file's
/// text and arena need not stay in memory while the full file is loaded.
pub fn merge_computers(
    full: &mut CilDocument,
    returned: &[Computer],
    options: MergeOptions,
) -> MergeReport {
    let mut report = MergeReport::default();
    let index = ComputerIndex::new(full.computers());
    for (rc, computer) in returned.iter().enumerate() {
        let matched = index.find(computer);
        for (rp, product) in computer.products.iter().enumerate() {
            let Some(cid) = product
                .get(Field::PendingConfirmationId)
                .or(product.get(Field::ConfirmationId))
                .map(str::to_owned)
            else {
                continue; // nothing to bring home for this product
            };
            let mut decision = MergeDecision {
                returned_computer: rc,
                returned_product: rp,
                computer_id: computer.id.clone(),
                matched: matched.ok().flatten(),
                sku_id: product.sku_id().map(str::to_owned),
                installation_id: product.get(Field::InstallationId).map(str::to_owned),
                unconfirmed_check_failed: false,
                outcome: MergeOutcome::NoSuchComputer,
            };
            decision.outcome = match (&matched, check_cid(&cid, false)) {
                (_, Err(detail)) => MergeOutcome::InvalidCid { detail },
                (Err(n), _) => MergeOutcome::Ambiguous { candidates: *n },
                (Ok(None), _) => MergeOutcome::NoSuchComputer,
                (Ok(Some((ci, _))), Ok(unconfirmed)) => {
                    decision.unconfirmed_check_failed = unconfirmed;
                    match product.get(Field::InstallationId).map(digits_of) {
                        None => MergeOutcome::NoIid,
                        Some(iid) => {
                            let sku = product.sku_id().map(norm_guid);
                            let same_sku: Vec<usize> = full.computers()[*ci]
                                .products
                                .iter()
                                .enumerate()
                                .filter(|(_, p)| p.sku_id().map(norm_guid) == sku)
                                .map(|(i, _)| i)
                                .collect();
                            let target = same_sku.iter().copied().find(|&i| {
                                full.computers()[*ci].products[i]
                                    .get(Field::InstallationId)
                                    .map(digits_of)
                                    .as_ref()
                                    == Some(&iid)
                            });
                            match (same_sku.is_empty(), target) {
                                (true, _) => MergeOutcome::NoSuchProduct,
                                (false, None) => MergeOutcome::IidMismatch,
                                (false, Some(pi)) => apply(full, *ci, pi, &cid, options.force),
                            }
                        }
                    }
                }
            };
            report.decisions.push(decision);
        }
    }
    report
}

/// What happened to one CSV row.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum CidOutcome {
    /// Set on this many products (every product with that IID).
    Applied {
        /// Products changed.
        products: usize,
    },
    /// Every product with that IID already holds this CID.
    AlreadyPresent,
    /// Some product with that IID holds a different CID; those were left alone.
    Conflict {
        /// Products that hold another CID.
        products: usize,
        /// Products changed.
        applied: usize,
    },
    /// No product has that IID.
    UnknownIid,
    /// The IID is malformed.
    InvalidIid {
        /// Why.
        detail: String,
    },
    /// The CID is malformed or (strict) fails its check digits.
    InvalidCid {
        /// Why.
        detail: String,
    },
    /// The row is not `installation_id,confirmation_id`.
    Malformed {
        /// Why.
        detail: String,
    },
}

impl CidOutcome {
    /// A stable snake_case name for reports.
    pub fn name(&self) -> &'static str {
        match self {
            CidOutcome::Applied { .. } => "applied",
            CidOutcome::AlreadyPresent => "already_present",
            CidOutcome::Conflict { .. } => "conflict",
            CidOutcome::UnknownIid => "unknown_iid",
            CidOutcome::InvalidIid { .. } => "invalid_iid",
            CidOutcome::InvalidCid { .. } => "invalid_cid",
            CidOutcome::Malformed { .. } => "malformed",
        }
    }

    /// The outcome's detail for reports, where it has one.
    pub fn detail(&self) -> Option<String> {
        match self {
            CidOutcome::InvalidIid { detail }
            | CidOutcome::InvalidCid { detail }
            | CidOutcome::Malformed { detail } => Some(detail.clone()),
            CidOutcome::Conflict { products, applied } => Some(format!(
                "{products} products hold another CID; applied to {applied}"
            )),
            _ => None,
        }
    }
}

/// One row of a CID import.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CidImportRow {
    /// 1-based line number in the CSV.
    pub line: usize,
    /// The IID as given.
    pub installation_id: String,
    /// Whether the CID's check digits failed under the unconfirmed 48-digit rule.
    pub unconfirmed_check_failed: bool,
    /// The outcome.
    pub outcome: CidOutcome,
}

/// The report of a CID import.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CidImportReport {
    /// One entry per data row.
    pub rows: Vec<CidImportRow>,
}

impl CidImportReport {
    /// How many rows had this outcome name.
    pub fn count(&self, name: &str) -> usize {
        self.rows
            .iter()
            .filter(|r| r.outcome.name() == name)
            .count()
    }
}

/// Imports CIDs from CSV text, one `installation_id,confirmation_id` per line (IIDs and CIDs
/// in any grouping; blank lines and a header line are skipped), setting
/// `PendingConfirmationId` on every product with that IID. With `strict`, a 48-digit CID
/// whose check digits fail is refused instead of imported with a warning.
pub fn add_cids(doc: &mut CilDocument, csv: &str, strict: bool) -> CidImportReport {
    let mut report = CidImportReport::default();
    // IID digits → every product holding it; IIDs do not change while CIDs are added.
    let mut by_iid: HashMap<String, Vec<(usize, usize)>> = HashMap::new();
    for (ci, c) in doc.computers().iter().enumerate() {
        for (pi, p) in c.products.iter().enumerate() {
            if let Some(iid) = p.get(Field::InstallationId) {
                by_iid.entry(digits_of(iid)).or_default().push((ci, pi));
            }
        }
    }
    let mut header_checked = false;
    for (n, raw) in csv.lines().enumerate() {
        let line = raw.trim().trim_start_matches('\u{FEFF}');
        // Blank lines, and `#` lines such as PowerShell's `#TYPE …` from Export-Csv.
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        // The first remaining line is a header when it holds no digit.
        if !header_checked {
            header_checked = true;
            if !line.chars().any(|c| c.is_ascii_digit()) {
                continue;
            }
        }
        let fields = csv_fields(line);
        let mut row = CidImportRow {
            line: n + 1,
            installation_id: fields.first().cloned().unwrap_or_default(),
            unconfirmed_check_failed: false,
            outcome: CidOutcome::UnknownIid,
        };
        row.outcome = match fields.as_slice() {
            [iid, cid] => import_one(
                doc,
                &by_iid,
                iid,
                cid,
                strict,
                &mut row.unconfirmed_check_failed,
            ),
            _ => CidOutcome::Malformed {
                detail: format!("expected 2 comma-separated fields, found {}", fields.len()),
            },
        };
        report.rows.push(row);
    }
    report
}

/// The fields of one CSV line: comma-separated, optionally double-quoted (`""` inside
/// quotes is a quote), trimmed.
fn csv_fields(line: &str) -> Vec<String> {
    let mut fields = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                field.push('"');
                chars.next();
            }
            (true, '"') => quoted = false,
            (false, '"') if field.trim().is_empty() => {
                field.clear();
                quoted = true;
            }
            (false, ',') => fields.push(std::mem::take(&mut field).trim().to_owned()),
            (_, c) => field.push(c),
        }
    }
    fields.push(field.trim().to_owned());
    fields
}

fn import_one(
    doc: &mut CilDocument,
    by_iid: &HashMap<String, Vec<(usize, usize)>>,
    iid: &str,
    cid: &str,
    strict: bool,
    unconfirmed: &mut bool,
) -> CidOutcome {
    let check = ids::check(iid);
    if let Some(e) = check.error {
        return CidOutcome::InvalidIid {
            detail: e.to_string(),
        };
    }
    if check.format.map(|f| f.kind) != Some(IdKind::InstallationId) {
        return CidOutcome::InvalidIid {
            detail: "not an Installation ID".into(),
        };
    }
    match check_cid(cid, strict) {
        Err(detail) => return CidOutcome::InvalidCid { detail },
        Ok(u) => *unconfirmed = u,
    }
    let targets: Vec<(usize, usize)> = by_iid.get(&digits_of(iid)).cloned().unwrap_or_default();
    if targets.is_empty() {
        return CidOutcome::UnknownIid;
    }
    let (mut applied, mut present, mut conflicts) = (0, 0, 0);
    for (ci, pi) in targets {
        match apply(doc, ci, pi, cid, false) {
            MergeOutcome::Applied => applied += 1,
            MergeOutcome::AlreadyPresent => present += 1,
            _ => conflicts += 1,
        }
    }
    match (conflicts, applied, present) {
        (0, 0, _) => CidOutcome::AlreadyPresent,
        (0, a, _) => CidOutcome::Applied { products: a },
        (c, a, _) => CidOutcome::Conflict {
            products: c,
            applied: a,
        },
    }
}
