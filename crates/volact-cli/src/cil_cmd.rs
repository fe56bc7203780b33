//! `volact cil show | validate | export | add-cids | merge`.

use crate::Verdict;
use crate::table::{Table, opt};
use std::io::{self, Write};
use std::path::Path;
use volact_core::cil::{
    self, CilDocument, ExportMode, ExportOptions, Field, MergeOptions, Severity,
};
use volact_io::{load_cil, save_cil, save_cil_bytes};

pub(crate) fn load(path: &Path) -> io::Result<CilDocument> {
    load_cil(path).map_err(|e| io::Error::other(e.to_string()))
}

fn save_bytes(path: &Path, bytes: &[u8]) -> io::Result<()> {
    save_cil_bytes(path, bytes).map_err(|e| io::Error::other(e.to_string()))
}

/// Writes a report when one was asked for; the JSON is built only then (a merge of 200,000
/// CIDs makes a large one).
fn save_report(path: Option<&Path>, report: impl FnOnce() -> String) -> io::Result<()> {
    match path {
        None => Ok(()),
        Some(p) => {
            let mut text = report().into_bytes();
            text.push(b'\n');
            volact_io::atomic::write(p, &text).map_err(|e| io::Error::other(e.to_string()))
        }
    }
}

pub(crate) fn show(path: &Path, json: bool, out: &mut dyn Write) -> io::Result<Verdict> {
    let doc = load(path)?;
    let s = cil::summarize(&doc);
    if json {
        writeln!(out, "{}", cil::json::document_json(&doc))?;
        return Ok(Verdict::AllValid);
    }
    writeln!(
        out,
        "{}: CIL version {}, {}, {} computers, {} products ({} with an IID, {} pending CIDs, {} applied CIDs)",
        path.display(),
        doc.version().unwrap_or("?"),
        doc.encoding().name(),
        s.computers,
        s.products,
        s.with_installation_id,
        s.pending_cids,
        s.applied_cids
    )?;
    let counts = |m: &std::collections::BTreeMap<String, usize>| {
        m.iter()
            .map(|(k, v)| format!("{k}: {v}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    writeln!(out, "license status: {}", counts(&s.by_license_status))?;
    writeln!(out, "key types: {}\n", counts(&s.by_key_type))?;
    let mut table = Table::new(vec![
        "COMPUTER", "ID", "PRODUCT", "STATUS", "KEY TYPE", "IID", "CID",
    ]);
    for c in doc.computers() {
        for p in &c.products {
            table.push(vec![
                opt(c.name.as_deref()),
                opt(c.id.as_deref()),
                opt(p
                    .sku
                    .as_ref()
                    .and_then(|s| s.name.as_deref())
                    .or(p.sku_id())),
                opt(p.get(Field::LicenseStatus)),
                opt(p.get(Field::ProductKeyType)),
                if p.get(Field::InstallationId).is_some() {
                    "yes"
                } else {
                    "-"
                }
                .to_owned(),
                match (
                    p.get(Field::ConfirmationId),
                    p.get(Field::PendingConfirmationId),
                ) {
                    (Some(_), _) => "applied",
                    (None, Some(_)) => "pending",
                    (None, None) => "-",
                }
                .to_owned(),
            ]);
        }
    }
    table.write(out)?;
    Ok(Verdict::AllValid)
}

pub(crate) fn validate(path: &Path, json: bool, out: &mut dyn Write) -> io::Result<Verdict> {
    let doc = load(path)?;
    let findings = cil::validate(&doc);
    let errors = findings
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .count();
    if json {
        writeln!(out, "{}", cil::json::findings_json(&findings))?;
    } else {
        let mut table = Table::new(vec!["SEVERITY", "COMPUTER", "PRODUCT", "FINDING"]);
        for f in &findings {
            table.push(vec![
                match f.severity {
                    Severity::Error => "error",
                    Severity::Warning => "warning",
                }
                .to_owned(),
                format!(
                    "{} {}",
                    f.computer + 1,
                    f.computer_id.as_deref().unwrap_or("")
                ),
                opt(f.product.map(|p| p + 1)),
                f.message(),
            ]);
        }
        if !findings.is_empty() {
            table.write(out)?;
        }
        writeln!(
            out,
            "{}: {} errors, {} warnings",
            path.display(),
            errors,
            findings.len() - errors
        )?;
    }
    Ok(Verdict::of([errors == 0]))
}

pub(crate) fn export(
    input: &Path,
    output: &Path,
    options: ExportOptions,
    out: &mut dyn Write,
) -> io::Result<Verdict> {
    let doc = load(input)?;
    let bytes = cil::export(&doc, options);
    save_bytes(output, &bytes)?;
    let what = match (options.mode, options.include_sensitive) {
        (ExportMode::ProxyOnly, _) => "proxy activation data only",
        (ExportMode::Standard, true) => "products with computer-identifying data",
        (ExportMode::Standard, false) => "products without computer-identifying data",
    };
    writeln!(
        out,
        "exported {} computers ({what}{}) to {}",
        doc.computers().len(),
        if options.include_product_keys {
            ", with product keys"
        } else {
            ""
        },
        output.display()
    )?;
    Ok(Verdict::AllValid)
}

pub(crate) fn add_cids(
    input: &Path,
    csv: &Path,
    output: &Path,
    report: Option<&Path>,
    strict: bool,
    out: &mut dyn Write,
) -> io::Result<Verdict> {
    let mut doc = load(input)?;
    let csv_bytes = volact_io::read(csv).map_err(|e| io::Error::other(e.to_string()))?;
    let csv_text = String::from_utf8_lossy(&csv_bytes);
    let r = cil::add_cids(&mut doc, &csv_text, strict);
    save_cil(output, &doc).map_err(|e| io::Error::other(e.to_string()))?;
    save_report(report, || cil::json::cid_report_json(&r))?;
    let refused = r.rows.len() - r.count("applied") - r.count("already_present");
    let warned = r.rows.iter().filter(|x| x.unconfirmed_check_failed).count();
    writeln!(
        out,
        "{} rows: {} applied, {} already present, {} refused ({} unknown IIDs, {} conflicts); {} imported with an unconfirmed check-digit warning; wrote {}",
        r.rows.len(),
        r.count("applied"),
        r.count("already_present"),
        refused,
        r.count("unknown_iid"),
        r.count("conflict"),
        warned,
        output.display()
    )?;
    for row in r
        .rows
        .iter()
        .filter(|x| !matches!(x.outcome.name(), "applied" | "already_present"))
    {
        writeln!(out, "  line {}: {}", row.line, row.outcome.name())?;
    }
    Ok(Verdict::of([refused == 0]))
}

pub(crate) fn merge(
    full: &Path,
    returned: &Path,
    output: &Path,
    report: Option<&Path>,
    force: bool,
    out: &mut dyn Write,
) -> io::Result<Verdict> {
    // Streamed where it can be exact (the model otherwise): about the memory of the two
    // files and the time of one pass over them, with the model's output and report.
    let r = volact_io::merge_cil_files(full, returned, output, MergeOptions { force })
        .map_err(|e| io::Error::other(e.to_string()))?;
    save_report(report, || cil::json::merge_report_json(&r))?;
    let refused = r
        .decisions
        .iter()
        .filter(|d| !d.outcome.is_applied())
        .count();
    writeln!(
        out,
        "{} CIDs: {} applied, {} already present, {} replaced, {} refused; wrote {}",
        r.decisions.len(),
        r.count("applied"),
        r.count("already_present"),
        r.count("replaced"),
        refused,
        output.display()
    )?;
    for d in r.decisions.iter().filter(|d| !d.outcome.is_applied()) {
        writeln!(
            out,
            "  computer {} product {}: {}",
            d.computer_id.as_deref().unwrap_or("(no Id)"),
            d.returned_product + 1,
            d.outcome.name()
        )?;
    }
    Ok(Verdict::of([refused == 0]))
}
