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
use std::collections::hash_map::Entry;
use std::hash::{Hash, Hasher};
use std::ops::Range;

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

/// A GUID as merge compares it: trimmed, without braces, ASCII case ignored.
fn guid_core(s: &str) -> &str {
    s.trim().trim_start_matches('{').trim_end_matches('}')
}

fn guid_eq(a: &str, b: &str) -> bool {
    guid_core(a).eq_ignore_ascii_case(guid_core(b))
}

/// Whether two ID texts have the same digits (IIDs and CIDs, whatever their grouping).
/// Compared without allocating: this runs for every candidate product of a large merge.
fn digits_eq(a: &str, b: &str) -> bool {
    a.bytes()
        .filter(u8::is_ascii_digit)
        .eq(b.bytes().filter(u8::is_ascii_digit))
}

/// Keys of the computer index that compare (and hash) as the rules normalise them, so that
/// indexing 100,000 computers allocates no normalised copies.
#[derive(Clone, Copy)]
struct GuidKey<'a>(&'a str);

impl PartialEq for GuidKey<'_> {
    fn eq(&self, other: &Self) -> bool {
        guid_eq(self.0, other.0)
    }
}
impl Eq for GuidKey<'_> {}
impl Hash for GuidKey<'_> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        hash_lower(guid_core(self.0), state);
    }
}

/// Name plus network name, compared case-insensitively (VAMT 2.0's workgroup rule).
#[derive(Clone, Copy)]
struct NameKey<'a>(&'a str, Option<&'a str>);

impl PartialEq for NameKey<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.0.eq_ignore_ascii_case(other.0)
            && match (self.1, other.1) {
                (None, None) => true,
                (Some(a), Some(b)) => a.eq_ignore_ascii_case(b),
                _ => false,
            }
    }
}
impl Eq for NameKey<'_> {}
impl Hash for NameKey<'_> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        hash_lower(self.0, state);
        state.write_u8(0xFF); // not a byte of UTF-8 text: ends the name
        if let Some(network) = self.1 {
            hash_lower(network, state);
        }
    }
}

/// A MAC address by its hex digits, case ignored (`00-15-5D-01-02-03` is `00155d010203`).
#[derive(Clone, Copy)]
struct MacKey<'a>(&'a str);

impl MacKey<'_> {
    fn digits(&self) -> impl Iterator<Item = u8> + '_ {
        self.0
            .bytes()
            .filter(u8::is_ascii_hexdigit)
            .map(|b| b.to_ascii_uppercase())
    }
}
impl PartialEq for MacKey<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.digits().eq(other.digits())
    }
}
impl Eq for MacKey<'_> {}
impl Hash for MacKey<'_> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.digits().for_each(|b| state.write_u8(b));
    }
}

fn hash_lower<H: Hasher>(s: &str, state: &mut H) {
    // In chunks, not byte by byte: SipHash is much faster fed slices.
    let mut buf = [0u8; 64];
    for chunk in s.as_bytes().chunks(buf.len()) {
        let lower = &mut buf[..chunk.len()];
        lower.copy_from_slice(chunk);
        lower.make_ascii_lowercase();
        state.write(lower);
    }
}

/// The computers one key matches, without an allocation for the usual single match.
#[derive(Debug)]
struct Hits {
    first: usize,
    more: Vec<usize>,
}

impl Hits {
    fn last(&self) -> usize {
        self.more.last().copied().unwrap_or(self.first)
    }
    fn len(&self) -> usize {
        1 + self.more.len()
    }
    fn iter(&self) -> impl Iterator<Item = usize> + '_ {
        std::iter::once(self.first).chain(self.more.iter().copied())
    }
}

fn add_hit<K: Hash + Eq>(map: &mut HashMap<K, Hits>, key: K, i: usize) {
    match map.entry(key) {
        Entry::Occupied(mut hits) => {
            if hits.get().last() != i {
                hits.get_mut().more.push(i);
            }
        }
        Entry::Vacant(slot) => {
            slot.insert(Hits {
                first: i,
                more: Vec::new(),
            });
        }
    }
}

/// What the merge rules read of one computer, borrowed from a parsed model or straight from
/// a file's bytes (the streaming merge). Both paths decide through [`decide`] over these,
/// so the rules exist once.
#[derive(Clone, Debug, Default)]
pub(crate) struct ComputerView<'a> {
    pub(crate) id: Option<&'a str>,
    pub(crate) name: Option<&'a str>,
    pub(crate) network_name: Option<&'a str>,
    /// This computer's MAC addresses in [`CilView::macs`].
    pub(crate) macs: Range<usize>,
    /// This computer's products in [`CilView::products`].
    pub(crate) products: Range<usize>,
}

/// What the merge rules read of one product (each value trimmed, `None` when empty or
/// missing, exactly as [`super::Product::get`] gives it).
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct ProductView<'a> {
    pub(crate) sku_id: Option<&'a str>,
    pub(crate) installation_id: Option<&'a str>,
    pub(crate) pending: Option<&'a str>,
    pub(crate) deposited: Option<&'a str>,
}

/// The computers and products of one document as the merge sees them, in document order;
/// flat vectors rather than one allocation per computer.
#[derive(Clone, Debug, Default)]
pub(crate) struct CilView<'a> {
    pub(crate) computers: Vec<ComputerView<'a>>,
    pub(crate) products: Vec<ProductView<'a>>,
    pub(crate) macs: Vec<&'a str>,
}

impl<'a> CilView<'a> {
    /// The view of a parsed model's computers.
    pub(crate) fn of_computers(computers: &'a [Computer]) -> Self {
        let mut view = CilView {
            computers: Vec::with_capacity(computers.len()),
            products: Vec::with_capacity(computers.iter().map(|c| c.products.len()).sum()),
            macs: Vec::new(),
        };
        for c in computers {
            let macs = view.macs.len();
            view.macs.extend(c.mac_addresses.iter().map(String::as_str));
            let products = view.products.len();
            view.products.extend(c.products.iter().map(|p| ProductView {
                sku_id: p.sku_id(),
                installation_id: p.get(Field::InstallationId),
                pending: p.get(Field::PendingConfirmationId),
                deposited: p.get(Field::ConfirmationId),
            }));
            view.computers.push(ComputerView {
                id: c.id.as_deref(),
                name: c.name.as_deref(),
                network_name: c.network_name.as_deref(),
                macs: macs..view.macs.len(),
                products: products..view.products.len(),
            });
        }
        view
    }
}

/// The full file's computer a returned one matches and by which rule, or how many match
/// when a rule matches more than one.
type Match = Result<Option<(usize, &'static str)>, usize>;

/// The full file's computers indexed by each matching rule, built once per merge so matching
/// is a lookup, not a scan (100,000 computers would make a scan quadratic).
struct ComputerIndex<'a> {
    by_id: HashMap<GuidKey<'a>, Hits>,
    by_name: HashMap<NameKey<'a>, Hits>,
    by_mac: HashMap<MacKey<'a>, Hits>,
}

impl<'a> ComputerIndex<'a> {
    fn new(full: &CilView<'a>) -> Self {
        let mut index = ComputerIndex {
            by_id: HashMap::with_capacity(full.computers.len()),
            by_name: HashMap::with_capacity(full.computers.len()),
            by_mac: HashMap::with_capacity(full.macs.len()),
        };
        for (i, c) in full.computers.iter().enumerate() {
            if let Some(id) = c.id {
                add_hit(&mut index.by_id, GuidKey(id), i);
            }
            if let Some(name) = c.name {
                add_hit(&mut index.by_name, NameKey(name, c.network_name), i);
            }
            for mac in &full.macs[c.macs.clone()] {
                add_hit(&mut index.by_mac, MacKey(mac), i);
            }
        }
        index
    }

    /// Finds the full file's computer for a returned one: by Id, then name + network name,
    /// then any MAC address. `Err(n)` when a rule matches `n > 1` computers.
    fn find(&self, c: &ComputerView<'_>, macs: &[&str]) -> Match {
        let decide = |rule: &'static str, hits: Option<&Hits>| match hits {
            None => None,
            Some(h) if h.len() == 1 => Some(Ok(Some((h.first, rule)))),
            Some(h) => Some(Err(h.len())),
        };
        if let Some(id) = c.id
            && let Some(found) = decide("id", self.by_id.get(&GuidKey(id)))
        {
            return found;
        }
        if let Some(name) = c.name
            && let Some(found) = decide("name", self.by_name.get(&NameKey(name, c.network_name)))
        {
            return found;
        }
        let mut by_mac: Vec<usize> = macs
            .iter()
            .filter_map(|m| self.by_mac.get(&MacKey(m)))
            .flat_map(Hits::iter)
            .collect();
        by_mac.sort_unstable();
        by_mac.dedup();
        match by_mac.len() {
            0 => Ok(None),
            1 => Ok(Some((by_mac[0], "mac"))),
            n => Err(n),
        }
    }
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

/// The overwrite rule for one CID and one product holding `pending` / `deposited`:
/// the outcome, and the value to set as `PendingConfirmationId` when it changes. Shared by
/// merge (model and streaming) and CSV import.
fn apply_rule(
    pending: Option<&str>,
    deposited: Option<&str>,
    cid: &str,
    force: bool,
) -> (MergeOutcome, Option<String>) {
    // Already there, pending or deposited: nothing to do (merges are idempotent).
    if [pending, deposited]
        .into_iter()
        .flatten()
        .any(|e| digits_eq(e, cid))
    {
        return (MergeOutcome::AlreadyPresent, None);
    }
    let incoming = digits_of(cid);
    match pending.or(deposited) {
        Some(existing) if !force => (
            MergeOutcome::Conflict {
                existing: existing.to_owned(),
            },
            None,
        ),
        Some(previous) => (
            MergeOutcome::Replaced {
                previous: previous.to_owned(),
            },
            Some(incoming),
        ),
        None => (MergeOutcome::Applied, Some(incoming)),
    }
}

/// Applies one CID to the full file's product `(ci, pi)` (CSV import).
fn apply(full: &mut CilDocument, ci: usize, pi: usize, cid: &str, force: bool) -> MergeOutcome {
    let product = &full.computers[ci].products[pi];
    let (outcome, set) = apply_rule(
        product.get(Field::PendingConfirmationId),
        product.get(Field::ConfirmationId),
        cid,
        force,
    );
    if let Some(value) = set {
        full.set_field(ci, pi, Field::PendingConfirmationId, &value);
    }
    outcome
}

/// The part of each decision that depends on the returned file alone: which products
/// carry a CID, what the report says about them, and whether the CID is well-formed. Kept
/// apart from [`decide`] so the streaming merge can make it on the returned file's thread
/// while the full file is still being read.
pub(crate) struct Prepared {
    /// One per returned product with a CID, in order, the outcome not yet decided.
    decisions: Vec<MergeDecision>,
    /// For each: the product's index in the returned view, and the CID's check.
    checks: Vec<(usize, Result<bool, String>)>,
}

/// The returned-file half of the merge rules (see [`Prepared`]).
pub(crate) fn prepare(returned: &CilView<'_>) -> Prepared {
    // Exact capacities: 200,000 decisions grown by doubling would copy and waste megabytes.
    let n = returned
        .products
        .iter()
        .filter(|p| p.pending.or(p.deposited).is_some())
        .count();
    let mut prepared = Prepared {
        decisions: Vec::with_capacity(n),
        checks: Vec::with_capacity(n),
    };
    for (rc, computer) in returned.computers.iter().enumerate() {
        for (rp, i) in computer.products.clone().enumerate() {
            let product = &returned.products[i];
            let Some(cid) = product.pending.or(product.deposited) else {
                continue; // nothing to bring home for this product
            };
            prepared.decisions.push(MergeDecision {
                returned_computer: rc,
                returned_product: rp,
                computer_id: computer.id.map(str::to_owned),
                matched: None,
                sku_id: product.sku_id.map(str::to_owned),
                installation_id: product.installation_id.map(str::to_owned),
                unconfirmed_check_failed: false,
                outcome: MergeOutcome::NoSuchComputer,
            });
            prepared.checks.push((i, check_cid(cid, false)));
        }
    }
    prepared
}

/// The merge rules, once for both paths: every decision, and the final
/// `PendingConfirmationId` of each full-file product the merge changes (indexed like
/// `full.products`; `None` where nothing changes). Setting a field twice leaves what setting
/// only its final value leaves, so the caller applies these at the end.
pub(crate) fn decide(
    full: &CilView<'_>,
    returned: &CilView<'_>,
    prepared: Prepared,
    options: MergeOptions,
) -> (MergeReport, Vec<Option<String>>) {
    let Prepared {
        mut decisions,
        checks,
    } = prepared;
    let mut set: Vec<Option<String>> = vec![None; full.products.len()];
    let index = ComputerIndex::new(full);
    // Each returned computer is matched once, for its first product with a CID.
    let mut matched: Option<(usize, Match)> = None;
    for (decision, (ri, check)) in decisions.iter_mut().zip(checks) {
        let rc = decision.returned_computer;
        let found = match matched {
            Some((c, found)) if c == rc => found,
            _ => {
                let computer = &returned.computers[rc];
                let found = index.find(computer, &returned.macs[computer.macs.clone()]);
                matched = Some((rc, found));
                found
            }
        };
        let product = &returned.products[ri];
        let Some(cid) = product.pending.or(product.deposited) else {
            continue; // (prepared only products with a CID)
        };
        decision.matched = found.ok().flatten();
        decision.outcome = match (found, check) {
            (_, Err(detail)) => MergeOutcome::InvalidCid { detail },
            (Err(n), _) => MergeOutcome::Ambiguous { candidates: n },
            (Ok(None), _) => MergeOutcome::NoSuchComputer,
            (Ok(Some((ci, _))), Ok(unconfirmed)) => {
                decision.unconfirmed_check_failed = unconfirmed;
                match product.installation_id {
                    None => MergeOutcome::NoIid,
                    Some(iid) => {
                        let mut same_sku = false;
                        let mut target = None;
                        for i in full.computers[ci].products.clone() {
                            let p = &full.products[i];
                            let sku_matches = match (p.sku_id, product.sku_id) {
                                (None, None) => true,
                                (Some(a), Some(b)) => guid_eq(a, b),
                                _ => false,
                            };
                            if !sku_matches {
                                continue;
                            }
                            same_sku = true;
                            if p.installation_id.is_some_and(|own| digits_eq(own, iid)) {
                                target = Some(i);
                                break;
                            }
                        }
                        match (same_sku, target) {
                            (false, _) => MergeOutcome::NoSuchProduct,
                            (true, None) => MergeOutcome::IidMismatch,
                            (true, Some(i)) => {
                                let p = &full.products[i];
                                // What an earlier decision of this merge set wins over what
                                // the file held (the model's `set_field` order).
                                let pending = set[i].as_deref().or(p.pending);
                                let (outcome, value) =
                                    apply_rule(pending, p.deposited, cid, options.force);
                                if value.is_some() {
                                    set[i] = value;
                                }
                                outcome
                            }
                        }
                    }
                }
            }
        };
    }
    (MergeReport { decisions }, set)
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
    let returned = CilView::of_computers(returned);
    let prepared = prepare(&returned);
    let (report, set) = decide(
        &CilView::of_computers(full.computers()),
        &returned,
        prepared,
        options,
    );
    apply_decided(full, set);
    report
}

/// Sets the values [`decide`] chose on the model.
pub(crate) fn apply_decided(full: &mut CilDocument, set: Vec<Option<String>>) {
    let mut values = set.into_iter();
    for ci in 0..full.computers.len() {
        for pi in 0..full.computers[ci].products.len() {
            if let Some(Some(value)) = values.next() {
                full.set_field(ci, pi, Field::PendingConfirmationId, &value);
            }
        }
    }
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
    for (line, fields) in cid_csv_rows(csv) {
        let mut row = CidImportRow {
            line,
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
/// The data rows of an `installation_id,confirmation_id` CSV (phone activation, PowerShell's
/// `Export-Csv`): 1-based line numbers and fields. Blank lines and `#` lines (`#TYPE …`) are
/// skipped, a byte-order mark dropped, and the first remaining line is a header when it holds
/// no digit. `volact cil add-cids` and `workflow::PhoneCsv` both read CSVs through it.
pub(crate) fn cid_csv_rows(csv: &str) -> impl Iterator<Item = (usize, Vec<String>)> + '_ {
    let mut header_checked = false;
    csv.lines().enumerate().filter_map(move |(n, raw)| {
        let line = raw.trim().trim_start_matches('\u{FEFF}');
        if line.is_empty() || line.starts_with('#') {
            return None;
        }
        if !header_checked {
            header_checked = true;
            if !line.chars().any(|c| c.is_ascii_digit()) {
                return None;
            }
        }
        Some((n + 1, csv_fields(line)))
    })
}

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
