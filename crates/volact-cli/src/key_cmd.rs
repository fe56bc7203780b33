//! `volact key inspect`.

use crate::Verdict;
use crate::table::{Table, json_line, opt};
use serde::Serialize;
use std::io::{self, Write};
use volact_core::catalog::{self, Classification, Source, UserCatalog};
use volact_core::key::{self, KeyReport};

/// One catalog row as `key inspect` shows it (the key itself is the input).
#[derive(Serialize)]
struct CatalogRef {
    family: &'static str,
    edition: &'static str,
}

/// The JSON record of one input; every field is always present (the CLI contract).
#[derive(Serialize)]
struct KeyRecord {
    valid: bool,
    algorithm: Option<&'static str>,
    group_id: Option<u32>,
    serial: Option<u32>,
    security: Option<u64>,
    checksum: Option<u16>,
    upgrade: Option<bool>,
    extra: Option<bool>,
    masked: String,
    fingerprint: Option<String>,
    catalog: Vec<CatalogRef>,
    channel: Option<&'static str>,
    /// Edition and channel from the GVLK catalog or the user catalog (the core's JSON form of
    /// a `Classification`); null for invalid keys.
    classification: Option<Classification>,
    error: Option<String>,
    /// Only with `--reveal`: the canonical key, null when the text does not parse.
    #[serde(skip_serializing_if = "Option::is_none")]
    key: Option<Option<String>>,
}

fn record(text: &str, user: &UserCatalog, reveal: bool) -> KeyRecord {
    let r: KeyReport = key::inspect(text);
    let (catalog, channel) = match &r.key {
        Some(k) => (
            catalog::rows_for_key(k)
                .into_iter()
                .map(|row| CatalogRef {
                    family: row.family,
                    edition: row.edition,
                })
                .collect(),
            catalog::channel(k),
        ),
        None => (Vec::new(), None),
    };
    let f = r.fields;
    KeyRecord {
        valid: r.is_valid(),
        algorithm: r.algorithm.map(|a| a.as_str()),
        group_id: f.map(|f| f.group_id),
        serial: f.map(|f| f.serial),
        security: f.map(|f| f.security),
        checksum: f.map(|f| f.checksum),
        upgrade: f.map(|f| f.upgrade),
        extra: f.map(|f| f.extra),
        masked: r.masked.clone(),
        fingerprint: r.fingerprint.clone(),
        catalog,
        channel,
        classification: r.key.as_ref().map(|k| user.classify(k)),
        error: r.error.as_ref().map(ToString::to_string),
        // A checksum-mismatched text still has a canonical form worth showing on request.
        key: reveal.then(|| r.reveal()),
    }
}

pub(crate) fn inspect(
    texts: &[String],
    user: &UserCatalog,
    json: bool,
    reveal: bool,
    out: &mut dyn Write,
) -> io::Result<Verdict> {
    let records: Vec<KeyRecord> = texts.iter().map(|t| record(t, user, reveal)).collect();
    if json {
        for r in &records {
            json_line(out, r)?;
        }
    } else {
        let mut table = Table::new(vec![
            "KEY",
            "VALID",
            "ALGORITHM",
            "GROUP",
            "SERIAL",
            "CHANNEL",
            "CATALOG / ERROR",
        ]);
        for r in &records {
            let shown = match &r.key {
                Some(Some(k)) => k.clone(),
                _ => r.masked.clone(),
            };
            let classified = r.classification.as_ref();
            let note = match &r.error {
                Some(e) => e.clone(),
                None if r.catalog.is_empty() => match classified {
                    Some(c) if matches!(c.source, Source::UserCatalog { .. }) => format!(
                        "{} ({})",
                        c.description.as_deref().unwrap_or("-"),
                        c.source_file().unwrap_or("-")
                    ),
                    Some(_) => "unknown: no catalog knows this key".to_owned(),
                    None => "-".to_owned(),
                },
                None => r
                    .catalog
                    .iter()
                    .map(|c| format!("{} {}", c.family, c.edition))
                    .collect::<Vec<_>>()
                    .join("; "),
            };
            table.push(vec![
                shown,
                if r.valid { "yes" } else { "no" }.to_owned(),
                opt(r.algorithm),
                opt(r.group_id),
                opt(r.serial),
                opt(classified
                    .and_then(|c| c.channel.as_ref())
                    .map(|ch| ch.product_key_type())
                    .or(r.channel.map(str::to_owned))),
                note,
            ]);
        }
        table.write(out)?;
    }
    Ok(Verdict::of(records.iter().map(|r| r.valid)))
}
