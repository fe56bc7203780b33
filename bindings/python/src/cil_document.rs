//! CIL documents (VAMT's Computer Information Lists): load, inspect, validate, export, import
//! Confirmation IDs, merge a returned file and save. The core's `cil` module does all of it;
//! files go through `volact-io` (bounded reads, atomic writes), like the CLI's.
//!
//! uniffi objects are shared (`Arc`) and their methods take `&self`, so the document sits in
//! an `RwLock`: `add_cids` and `merge` take the write lock, everything else the read lock.
//! ctypes releases the GIL around native calls, so two Python threads can really call in at
//! once; the lock makes that safe.

use super::*;
use std::collections::HashMap;
use std::path::Path;
use std::sync::{RwLock, RwLockReadGuard, RwLockWriteGuard};
use volact_core::cil;

impl From<cil::CilError> for VolactError {
    fn from(e: cil::CilError) -> Self {
        VolactError::InvalidCil {
            kind: cil_error_kind(&e).to_owned(),
            message: e.to_string(),
        }
    }
}

impl From<volact_io::CilFileError> for VolactError {
    fn from(e: volact_io::CilFileError) -> Self {
        match &e {
            volact_io::CilFileError::Cil { source, .. } => VolactError::InvalidCil {
                kind: cil_error_kind(source).to_owned(),
                message: e.to_string(),
            },
            _ => VolactError::Io {
                message: e.to_string(),
            },
        }
    }
}

/// The `kind` of [`VolactError::InvalidCil`].
fn cil_error_kind(e: &cil::CilError) -> &'static str {
    match e {
        cil::CilError::Encoding { .. } => "encoding",
        cil::CilError::Xml { .. } => "xml",
        cil::CilError::TooLarge { .. } => "too_large",
        cil::CilError::TooDeep { .. } => "too_deep",
        cil::CilError::NotCil { .. } => "not_cil",
        cil::CilError::Value { .. } => "value",
        _ => "other",
    }
}

/// One product of a computer. Never carries the full product key: `has_product_key` says
/// whether the file holds one (only exports asked for keys do).
#[derive(Clone, PartialEq, Eq, uniffi::Record)]
#[uniffi::export(Display, Debug)]
pub struct CilProduct {
    /// `Sku@Id`: the SKU (activation) GUID.
    pub sku_id: Option<String>,
    /// `Sku@Name`.
    pub sku_name: Option<String>,
    /// `Sku@ApplicationId`: Windows or Office.
    pub application_id: Option<String>,
    /// `LicenseStatus`, as written (`"0"`–`"6"` in a valid file).
    pub license_status: Option<String>,
    /// `ProductKeyType`: the channel, e.g. `Volume:MAK`.
    pub product_key_type: Option<String>,
    /// `PartialProductKey`: the key's last five characters.
    pub partial_product_key: Option<String>,
    /// `ProductKeyId`: the extended product ID.
    pub product_key_id: Option<String>,
    /// `InstallationId`, as written.
    pub installation_id: Option<String>,
    /// `PendingConfirmationId`: obtained, not yet deposited on the computer.
    pub pending_confirmation_id: Option<String>,
    /// `ConfirmationId`: deposited.
    pub confirmation_id: Option<String>,
    /// Whether the file holds the full product key.
    pub has_product_key: bool,
}

py_repr!(CilProduct {
    sku_id,
    sku_name,
    application_id,
    license_status,
    product_key_type,
    partial_product_key,
    product_key_id,
    installation_id,
    pending_confirmation_id,
    confirmation_id,
    has_product_key
});

impl From<&cil::Product> for CilProduct {
    fn from(p: &cil::Product) -> Self {
        let get = |field| p.get(field).map(str::to_owned);
        let sku = p.sku.as_ref();
        CilProduct {
            sku_id: sku.and_then(|s| s.id.clone()),
            sku_name: sku.and_then(|s| s.name.clone()),
            application_id: sku.and_then(|s| s.application_id.clone()),
            license_status: get(cil::Field::LicenseStatus),
            product_key_type: get(cil::Field::ProductKeyType),
            partial_product_key: get(cil::Field::PartialProductKey),
            product_key_id: get(cil::Field::ProductKeyId),
            installation_id: get(cil::Field::InstallationId),
            pending_confirmation_id: get(cil::Field::PendingConfirmationId),
            confirmation_id: get(cil::Field::ConfirmationId),
            has_product_key: p.product_key().is_some(),
        }
    }
}

/// One computer of a CIL.
#[derive(Clone, PartialEq, Eq, uniffi::Record)]
#[uniffi::export(Display, Debug)]
pub struct CilComputer {
    /// `Id`: VAMT's GUID for the computer.
    pub id: Option<String>,
    /// `Name`.
    pub name: Option<String>,
    /// `OSVersion`.
    pub os_version: Option<String>,
    /// `OSEdition`.
    pub os_edition: Option<String>,
    /// `NetworkType`: `Domain`, `Workgroup` or `None`.
    pub network_type: Option<String>,
    /// `NetworkName`: the domain or workgroup.
    pub network_name: Option<String>,
    /// `MacAddresses/MacAddress`.
    pub mac_addresses: Vec<String>,
    /// `Groups/Group` (e.g. "Isolated Lab Group").
    pub groups: Vec<String>,
    /// `Products/Product`.
    pub products: Vec<CilProduct>,
}

py_repr!(CilComputer {
    id,
    name,
    os_version,
    os_edition,
    network_type,
    network_name,
    mac_addresses,
    groups,
    products
});

impl From<&cil::Computer> for CilComputer {
    fn from(c: &cil::Computer) -> Self {
        CilComputer {
            id: c.id.clone(),
            name: c.name.clone(),
            os_version: c.os_version.clone(),
            os_edition: c.os_edition.clone(),
            network_type: c.network_type.clone(),
            network_name: c.network_name.clone(),
            mac_addresses: c.mac_addresses.clone(),
            groups: c.groups.clone(),
            products: c.products.iter().map(CilProduct::from).collect(),
        }
    }
}

/// Counts over a document (what `volact cil show` prints).
#[derive(Clone, PartialEq, Eq, uniffi::Record)]
#[uniffi::export(Display, Debug)]
pub struct CilSummary {
    /// Computers.
    pub computers: u64,
    /// Products.
    pub products: u64,
    /// Products by `LicenseStatus` value (`"unknown"` when absent).
    pub by_license_status: HashMap<String, u64>,
    /// Products by `ProductKeyType` (`"unknown"` when absent).
    pub by_key_type: HashMap<String, u64>,
    /// Products with an Installation ID.
    pub with_installation_id: u64,
    /// Products with a pending (obtained, not deposited) Confirmation ID.
    pub pending_cids: u64,
    /// Products with a deposited Confirmation ID.
    pub applied_cids: u64,
}

py_repr!(CilSummary {
    computers,
    products,
    by_license_status,
    by_key_type,
    with_installation_id,
    pending_cids,
    applied_cids
});

/// A Python dict's repr, keys sorted (a `HashMap` iterates in no fixed order).
impl repr::PyRepr for HashMap<String, u64> {
    fn py_repr(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut entries: Vec<_> = self.iter().collect();
        entries.sort();
        f.write_str("{")?;
        for (i, (k, v)) in entries.into_iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            k.py_repr(f)?;
            f.write_str(": ")?;
            v.py_repr(f)?;
        }
        f.write_str("}")
    }
}

fn counts(map: std::collections::BTreeMap<String, usize>) -> HashMap<String, u64> {
    map.into_iter().map(|(k, v)| (k, to_u64(v))).collect()
}

impl From<cil::Summary> for CilSummary {
    fn from(s: cil::Summary) -> Self {
        CilSummary {
            computers: to_u64(s.computers),
            products: to_u64(s.products),
            by_license_status: counts(s.by_license_status),
            by_key_type: counts(s.by_key_type),
            with_installation_id: to_u64(s.with_installation_id),
            pending_cids: to_u64(s.pending_cids),
            applied_cids: to_u64(s.applied_cids),
        }
    }
}

/// One validation finding, with where it is.
#[derive(Clone, PartialEq, Eq, uniffi::Record)]
#[uniffi::export(Display, Debug)]
pub struct CilFinding {
    /// `"error"` (an activation built on this data fails) or `"warning"`.
    pub severity: String,
    /// 0-based index of the computer.
    pub computer: u64,
    /// The computer's `Id`.
    pub computer_id: Option<String>,
    /// 0-based index of the product in that computer, when the finding is about one.
    pub product: Option<u64>,
    /// What is wrong (never shows a full key).
    pub message: String,
}

py_repr!(CilFinding {
    severity,
    computer,
    computer_id,
    product,
    message
});

impl From<&cil::Finding> for CilFinding {
    fn from(f: &cil::Finding) -> Self {
        CilFinding {
            severity: match f.severity {
                cil::Severity::Error => "error",
                cil::Severity::Warning => "warning",
            }
            .to_owned(),
            computer: to_u64(f.computer),
            computer_id: f.computer_id.clone(),
            product: f.product.map(to_u64),
            message: f.message(),
        }
    }
}

/// What an export keeps.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, uniffi::Enum)]
pub enum ExportMode {
    /// Products and their licensing data; computer-identifying data only with
    /// `include_sensitive` (VAMT's `Export-VamtData`).
    Standard,
    /// Only what Confirmation ID acquisition needs: computer `Id`, `Sku`, `ProductKeyId`,
    /// `InstallationId` and the CIDs (VAMT's "Export proxy activation data only").
    ProxyOnly,
}

impl From<ExportMode> for cil::ExportMode {
    fn from(m: ExportMode) -> Self {
        match m {
            ExportMode::Standard => cil::ExportMode::Standard,
            ExportMode::ProxyOnly => cil::ExportMode::ProxyOnly,
        }
    }
}

/// What happened to one CSV row of [`CilDocument::add_cids`].
#[derive(Clone, PartialEq, Eq, uniffi::Record)]
#[uniffi::export(Display, Debug)]
pub struct CidImportRow {
    /// 1-based line number in the CSV.
    pub line: u64,
    /// The IID as given.
    pub installation_id: String,
    /// `applied`, `already_present`, `conflict`, `unknown_iid`, `invalid_iid`, `invalid_cid`
    /// or `malformed` (the `--report` JSON's names).
    pub outcome: String,
    /// Why, for `invalid_iid`, `invalid_cid` and `malformed`.
    pub detail: Option<String>,
    /// The CID's check digits failed under the unconfirmed 48-digit rule: imported, with
    /// this warning (`strict=True` refuses it instead).
    pub unconfirmed_check_failed: bool,
}

py_repr!(CidImportRow {
    line,
    installation_id,
    outcome,
    detail,
    unconfirmed_check_failed
});

impl From<&cil::CidImportRow> for CidImportRow {
    fn from(r: &cil::CidImportRow) -> Self {
        let detail = r.outcome.detail();
        CidImportRow {
            line: to_u64(r.line),
            installation_id: r.installation_id.clone(),
            outcome: r.outcome.name().to_owned(),
            detail,
            unconfirmed_check_failed: r.unconfirmed_check_failed,
        }
    }
}

/// One decision of [`CilDocument::merge`]: one returned product that carried a CID.
#[derive(Clone, PartialEq, Eq, uniffi::Record)]
#[uniffi::export(Display, Debug)]
pub struct MergeDecision {
    /// 0-based index of the computer in the returned document.
    pub returned_computer: u64,
    /// 0-based index of the product in that computer.
    pub returned_product: u64,
    /// The returned computer's `Id`.
    pub computer_id: Option<String>,
    /// 0-based index of the full document's computer that matched.
    pub matched_computer: Option<u64>,
    /// The rule that matched it: `id`, `name` (name plus network name) or `mac`.
    pub matched_by: Option<String>,
    /// The SKU id.
    pub sku_id: Option<String>,
    /// The IID the CID was issued for.
    pub installation_id: Option<String>,
    /// `applied`, `already_present`, `replaced`, `conflict`, `iid_mismatch`, `no_iid`,
    /// `no_such_computer`, `ambiguous`, `no_such_product` or `invalid_cid`.
    pub outcome: String,
    /// The existing CID (`conflict`), the replaced one (`replaced`), the number of matching
    /// computers (`ambiguous`) or why the CID is invalid (`invalid_cid`).
    pub detail: Option<String>,
    /// The CID's check digits failed under the unconfirmed 48-digit rule (applied, with this
    /// warning).
    pub unconfirmed_check_failed: bool,
}

py_repr!(MergeDecision {
    returned_computer,
    returned_product,
    computer_id,
    matched_computer,
    matched_by,
    sku_id,
    installation_id,
    outcome,
    detail,
    unconfirmed_check_failed
});

impl From<&cil::MergeDecision> for MergeDecision {
    fn from(d: &cil::MergeDecision) -> Self {
        let detail = d.outcome.detail();
        MergeDecision {
            returned_computer: to_u64(d.returned_computer),
            returned_product: to_u64(d.returned_product),
            computer_id: d.computer_id.clone(),
            matched_computer: d.matched.map(|(i, _)| to_u64(i)),
            matched_by: d.matched.map(|(_, rule)| rule.to_owned()),
            sku_id: d.sku_id.clone(),
            installation_id: d.installation_id.clone(),
            outcome: d.outcome.name().to_owned(),
            detail,
            unconfirmed_check_failed: d.unconfirmed_check_failed,
        }
    }
}

/// A CIL document, kept losslessly: what volact does not understand (extensions,
/// comments, processing instructions, CDATA, the encoding) is written back unchanged.
#[derive(uniffi::Object)]
#[uniffi::export(Display, Debug)]
pub struct CilDocument(RwLock<cil::CilDocument>);

impl fmt::Debug for CilDocument {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let doc = self.read();
        f.write_str("CilDocument(version=")?;
        repr::PyRepr::py_repr(&doc.version().map(str::to_owned), f)?;
        write!(
            f,
            ", encoding='{}', computers={})",
            doc.encoding().name(),
            doc.computers().len()
        )
    }
}

impl fmt::Display for CilDocument {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self, f)
    }
}

impl CilDocument {
    fn wrap(doc: cil::CilDocument) -> Arc<Self> {
        Arc::new(CilDocument(RwLock::new(doc)))
    }

    // A poisoned lock means a panic inside the core while it held the document; uniffi has
    // already raised that panic in Python as an InternalError. The core's mutations finish
    // each element they touch before the next, so the document is still whole: go on.
    fn read(&self) -> RwLockReadGuard<'_, cil::CilDocument> {
        self.0.read().unwrap_or_else(|e| e.into_inner())
    }

    fn write(&self) -> RwLockWriteGuard<'_, cil::CilDocument> {
        self.0.write().unwrap_or_else(|e| e.into_inner())
    }
}

#[uniffi::export]
impl CilDocument {
    /// Reads a CIL from its bytes (UTF-8 or UTF-16, detected by BOM or declaration).
    /// Raises `VolactError.InvalidCil`.
    #[uniffi::constructor]
    pub fn parse(data: Vec<u8>) -> Result<Arc<Self>, VolactError> {
        Ok(Self::wrap(cil::CilDocument::parse(&data)?))
    }

    /// Reads a CIL file (at most 2 GiB). Raises `VolactError.Io` when the file cannot be
    /// read, `VolactError.InvalidCil` when it is not a readable CIL.
    #[uniffi::constructor]
    pub fn load(path: String) -> Result<Arc<Self>, VolactError> {
        Ok(Self::wrap(volact_io::load_cil(Path::new(&path))?))
    }

    /// Writes the document to a file atomically (a temporary file beside it, then a rename),
    /// in the encoding it was read in. Raises `VolactError.Io`.
    pub fn save(&self, path: String) -> Result<(), VolactError> {
        Ok(volact_io::save_cil(Path::new(&path), &self.read())?)
    }

    /// The document's bytes, in the encoding it was read in (BOM kept).
    pub fn to_bytes(&self) -> Vec<u8> {
        self.read().to_bytes()
    }

    /// `"UTF-8"`, `"UTF-16LE"` or `"UTF-16BE"`.
    pub fn encoding(&self) -> String {
        self.read().encoding().name().to_owned()
    }

    /// `SoftwareLicensingData@Version`.
    pub fn version(&self) -> Option<String> {
        self.read().version().map(str::to_owned)
    }

    /// The computers, in document order.
    pub fn computers(&self) -> Vec<CilComputer> {
        self.read()
            .computers()
            .iter()
            .map(CilComputer::from)
            .collect()
    }

    /// Counts by license status and key type, IIDs, pending and deposited CIDs.
    pub fn summary(&self) -> CilSummary {
        cil::summarize(&self.read()).into()
    }

    /// Checks the document: IID/CID check digits, duplicate computer Ids, CIDs without
    /// IIDs, license status values, partial keys, key types. Empty when nothing is wrong.
    pub fn validate(&self) -> Vec<CilFinding> {
        cil::validate(&self.read())
            .iter()
            .map(CilFinding::from)
            .collect()
    }

    /// A secure export, as a new document (this one is unchanged). An allow-list: unknown
    /// content never survives it. `STANDARD` leaves out computer-identifying data unless
    /// `include_sensitive`; `PROXY_ONLY` keeps only what CID acquisition needs and refuses
    /// `include_sensitive` (`VolactError.InvalidArgument`). Full product keys only with
    /// `include_product_keys`.
    #[uniffi::method(default(include_sensitive = false, include_product_keys = false))]
    pub fn export(
        &self,
        mode: ExportMode,
        include_sensitive: bool,
        include_product_keys: bool,
    ) -> Result<Arc<CilDocument>, VolactError> {
        let options = cil::ExportOptions::new(mode.into(), include_sensitive, include_product_keys)
            .map_err(|e| VolactError::InvalidArgument {
                message: e.to_string(),
            })?;
        let bytes = cil::export(&self.read(), options);
        Ok(Self::wrap(cil::CilDocument::parse_with_limits(
            &bytes,
            cil::Limits {
                // An export of a document that was loaded is smaller than it.
                max_bytes: usize::try_from(volact_io::CIL_READ_LIMIT).unwrap_or(usize::MAX),
                ..cil::Limits::default()
            },
        )?))
    }

    /// Imports Confirmation IDs from CSV text, one `installation_id,confirmation_id` per
    /// line (any grouping; a header line and blank lines are skipped), setting
    /// `PendingConfirmationId` on every product with that IID. One row per data line.
    /// `strict=True` refuses a 48-digit CID whose check digits fail instead of importing it
    /// with `unconfirmed_check_failed`.
    #[uniffi::method(default(strict = false))]
    pub fn add_cids(&self, csv: String, strict: bool) -> Vec<CidImportRow> {
        cil::add_cids(&mut self.write(), &csv, strict)
            .rows
            .iter()
            .map(CidImportRow::from)
            .collect()
    }

    /// Merges the CIDs of a returned document into this one (VAMT's rules: computer by Id,
    /// then name plus network name, then MAC address; a CID only onto the product with the
    /// same SKU and IID). A different CID already present is kept unless `force=True`.
    /// One decision per returned product that carries a CID; merging again reports
    /// `already_present`.
    #[uniffi::method(default(force = false))]
    pub fn merge(&self, returned: Arc<CilDocument>, force: bool) -> Vec<MergeDecision> {
        let options = cil::MergeOptions { force };
        let report = if std::ptr::eq(self, Arc::as_ptr(&returned)) {
            // Merging a document into itself: the core needs two documents.
            let copy = self.read().clone();
            cil::merge(&mut self.write(), &copy, options)
        } else if (self as *const Self) < Arc::as_ptr(&returned) {
            // Locks taken in address order, so that a.merge(b) and b.merge(a) on two threads
            // cannot deadlock.
            let mut full = self.write();
            cil::merge(&mut full, &returned.read(), options)
        } else {
            let other = returned.read();
            cil::merge(&mut self.write(), &other, options)
        };
        report.decisions.iter().map(MergeDecision::from).collect()
    }

    /// The document as JSON: `volact cil show --json` (encoding, version, summary, every
    /// computer; never a full key).
    pub fn to_json(&self) -> String {
        cil::json::document_json(&self.read())
    }
}
