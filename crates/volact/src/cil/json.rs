//! The JSON forms of CIL reports and documents, shared by the CLI (`--json`, `--report`), the
//! C ABI and the C# binding, so every surface prints the same schema. Full product keys
//! never appear: a product says only whether it has one.

use super::{
    CidImportReport, CilDocument, Computer, Field, Finding, MergeReport, Severity, summarize,
};
use serde_json::{Value, json};

fn product_json(p: &super::Product) -> Value {
    json!({
        "sku_id": p.sku_id(),
        "sku_name": p.sku.as_ref().and_then(|s| s.name.as_deref()),
        "application_id": p.sku.as_ref().and_then(|s| s.application_id.as_deref()),
        "license_status": p.get(Field::LicenseStatus),
        "product_key_type": p.get(Field::ProductKeyType),
        "partial_product_key": p.get(Field::PartialProductKey),
        "product_key_id": p.get(Field::ProductKeyId),
        "installation_id": p.get(Field::InstallationId),
        "pending_confirmation_id": p.get(Field::PendingConfirmationId),
        "confirmation_id": p.get(Field::ConfirmationId),
        "has_product_key": p.product_key().is_some(),
    })
}

fn computer_json(c: &Computer) -> Value {
    json!({
        "id": c.id, "name": c.name, "os_version": c.os_version, "os_edition": c.os_edition,
        "network_type": c.network_type, "network_name": c.network_name,
        "mac_addresses": c.mac_addresses, "groups": c.groups,
        "products": c.products.iter().map(product_json).collect::<Vec<_>>(),
    })
}

/// The document as one JSON object: encoding, version, summary counts and every computer.
pub fn document_json(doc: &CilDocument) -> String {
    let s = summarize(doc);
    json!({
        "encoding": doc.encoding().name(),
        "version": doc.version(),
        "summary": {
            "computers": s.computers, "products": s.products,
            "by_license_status": s.by_license_status, "by_key_type": s.by_key_type,
            "with_installation_id": s.with_installation_id,
            "pending_cids": s.pending_cids, "applied_cids": s.applied_cids,
        },
        "computers": doc.computers().iter().map(computer_json).collect::<Vec<_>>(),
    })
    .to_string()
}

/// Validation findings as `{"valid", "errors", "findings": [...]}`.
pub fn findings_json(findings: &[Finding]) -> String {
    let errors = findings
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .count();
    let list: Vec<Value> = findings
        .iter()
        .map(|f| {
            json!({
                "severity": match f.severity { Severity::Error => "error", Severity::Warning => "warning" },
                "computer": f.computer, "computer_id": f.computer_id, "product": f.product,
                "message": f.message(),
            })
        })
        .collect();
    json!({ "valid": errors == 0, "errors": errors, "findings": list }).to_string()
}

/// A CID import report as `{"rows": [...]}`.
pub fn cid_report_json(r: &CidImportReport) -> String {
    let rows: Vec<Value> = r
        .rows
        .iter()
        .map(|row| {
            let detail = row.outcome.detail();
            json!({
                "line": row.line, "installation_id": row.installation_id,
                "outcome": row.outcome.name(), "detail": detail,
                "unconfirmed_check_failed": row.unconfirmed_check_failed,
            })
        })
        .collect();
    json!({ "rows": rows }).to_string()
}

/// A merge report as `{"decisions": [...]}`.
pub fn merge_report_json(r: &MergeReport) -> String {
    let decisions: Vec<Value> = r
        .decisions
        .iter()
        .map(|d| {
            let detail = d.outcome.detail();
            json!({
                "returned_computer": d.returned_computer, "returned_product": d.returned_product,
                "computer_id": d.computer_id,
                "matched_computer": d.matched.map(|(i, _)| i),
                "matched_by": d.matched.map(|(_, rule)| rule),
                "sku_id": d.sku_id, "installation_id": d.installation_id,
                "outcome": d.outcome.name(), "detail": detail,
                "unconfirmed_check_failed": d.unconfirmed_check_failed,
            })
        })
        .collect();
    json!({ "decisions": decisions }).to_string()
}
