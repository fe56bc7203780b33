//! `volact catalog list` and `volact catalog gvlk`.

use crate::Verdict;
use crate::table::{Table, json_line, opt};
use serde::Serialize;
use std::io::{self, Write};
use volact_core::catalog::{self, GvlkRow};
use volact_core::key::ProductKey;

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
