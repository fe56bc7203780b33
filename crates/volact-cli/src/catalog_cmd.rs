//! `volact catalog list`, `volact catalog gvlk` and `volact catalog import-pkeyconfig`.

use crate::Verdict;
use crate::table::{Table, json_line, opt};
use serde::Serialize;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use volact_core::catalog::{self, GvlkRow, ImportReport, UserCatalog};
use volact_core::key::ProductKey;
use volact_io::UserCatalogFileError;

/// One catalog row with what volact decodes from its key. GVLKs are public (Microsoft
/// publishes them for exactly this use), so the key is shown.
#[derive(Serialize)]
struct RowRecord {
    family: &'static str,
    edition: &'static str,
    key: &'static str,
    algorithm: Option<&'static str>,
    group_id: Option<u32>,
    group_label: Option<&'static str>,
    channel: &'static str,
    checksum_ok: bool,
}

fn record(row: &'static GvlkRow) -> RowRecord {
    let key = ProductKey::parse(row.key);
    let group_id = key
        .as_ref()
        .ok()
        .and_then(|k| k.pkey2009())
        .map(|f| f.group_id);
    RowRecord {
        family: row.family,
        edition: row.edition,
        key: row.key,
        algorithm: key.as_ref().ok().map(|k| k.algorithm().as_str()),
        group_id,
        group_label: group_id.and_then(catalog::group_label),
        channel: catalog::GVLK_CHANNEL,
        checksum_ok: key.is_ok(),
    }
}

fn write_rows(rows: &[&'static GvlkRow], json: bool, out: &mut dyn Write) -> io::Result<()> {
    let records: Vec<RowRecord> = rows.iter().map(|r| record(r)).collect();
    if json {
        for r in &records {
            json_line(out, r)?;
        }
        return Ok(());
    }
    let mut table = Table::new(vec![
        "FAMILY",
        "EDITION",
        "GVLK",
        "ALGORITHM",
        "GROUP",
        "CHECK",
    ]);
    for r in &records {
        table.push(vec![
            r.family.to_owned(),
            r.edition.to_owned(),
            r.key.to_owned(),
            opt(r.algorithm),
            opt(r.group_id),
            match (r.checksum_ok, r.group_id) {
                (true, Some(_)) => "checksum ok",
                (true, None) => "syntax ok",
                (false, _) => "INVALID",
            }
            .to_owned(),
        ]);
    }
    table.write(out)
}

pub(crate) fn list(json: bool, out: &mut dyn Write) -> io::Result<Verdict> {
    let rows: Vec<&'static GvlkRow> = catalog::rows().iter().collect();
    write_rows(&rows, json, out)?;
    if !json {
        let n2009 = rows
            .iter()
            .filter_map(|r| ProductKey::parse(r.key).ok())
            .filter(|k| k.pkey2009().is_some())
            .count();
        writeln!(
            out,
            "\n{} published KMS client setup keys: {} pkey2009 (checksum verified offline), {} pkey2005 (syntax only).",
            rows.len(),
            n2009,
            rows.len() - n2009
        )?;
    }
    Ok(Verdict::AllValid)
}

pub(crate) fn gvlk(query: &str, json: bool, out: &mut dyn Write) -> io::Result<Verdict> {
    let rows = catalog::gvlk(query);
    if rows.is_empty() {
        if !json {
            writeln!(out, "no published GVLK matches {query:?}")?;
        }
        return Ok(Verdict::SomeInvalid);
    }
    write_rows(&rows, json, out)?;
    Ok(Verdict::AllValid)
}

fn io_error(e: UserCatalogFileError) -> io::Error {
    io::Error::other(e.to_string())
}

/// The user catalog for classification: an explicit `--catalog` file must exist; the default
/// location is used when there is a file there, else the catalog is empty (GVLKs only).
pub(crate) fn user_catalog(explicit: Option<&Path>) -> io::Result<UserCatalog> {
    match explicit {
        Some(path) => volact_io::load_user_catalog(path).map_err(io_error),
        None => match volact_io::user_catalog_path(None) {
            Ok(path) => volact_io::load_user_catalog_or_empty(&path).map_err(io_error),
            Err(_) => Ok(UserCatalog::new()),
        },
    }
}

/// What one file added to the user catalog: the core's JSON form of an `ImportReport`
/// (`file`, the counts, `replaced`, `orphan_ranges`) and the catalog file it went into.
#[derive(Serialize)]
struct ImportRecord<'a> {
    #[serde(flatten)]
    report: &'a ImportReport,
    catalog: String,
}

pub(crate) fn import_pkeyconfig(
    catalog: Option<&Path>,
    files: &[PathBuf],
    json: bool,
    out: &mut dyn Write,
) -> io::Result<Verdict> {
    let path = volact_io::user_catalog_path(catalog).map_err(io_error)?;
    let reports: Vec<ImportReport> =
        volact_io::import_pkeyconfig_files(&path, files).map_err(io_error)?;
    for r in &reports {
        let record = ImportRecord {
            report: r,
            catalog: path.display().to_string(),
        };
        if json {
            json_line(out, &record)?;
            continue;
        }
        writeln!(
            out,
            "{}: {} configurations, {} key ranges ({} replaced an earlier import{})",
            r.source,
            r.configurations,
            r.key_ranges,
            r.replaced.len(),
            if r.orphan_ranges > 0 {
                format!(
                    "; {} ranges without a configuration skipped",
                    r.orphan_ranges
                )
            } else {
                String::new()
            }
        )?;
        let mut table = Table::new(vec!["CHANNEL", "CONFIGURATIONS", "KEY RANGES"]);
        for (channel, n) in &r.configurations_by_channel {
            table.push(vec![
                channel.clone(),
                n.to_string(),
                r.key_ranges_by_channel
                    .get(channel)
                    .copied()
                    .unwrap_or(0)
                    .to_string(),
            ]);
        }
        table.write(out)?;
    }
    if !json {
        writeln!(out, "user catalog: {}", path.display())?;
    }
    Ok(Verdict::AllValid)
}
