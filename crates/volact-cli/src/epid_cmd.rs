//! `volact epid parse`.

use crate::Verdict;
use crate::table::{Table, json_line, opt};
use serde::Serialize;
use std::io::{self, Write};
use volact_core::catalog;
use volact_core::epid::Epid;

/// The JSON record of one input; fields are null when the text does not parse.
#[derive(Serialize, Default)]
struct EpidRecord {
    valid: bool,
    platform: Option<u32>,
    group_id: Option<u32>,
    group_label: Option<&'static str>,
    serial: Option<u32>,
    channel: Option<u8>,
    channel_name: Option<&'static str>,
    lcid: Option<u32>,
    build: Option<String>,
    install_day: Option<u16>,
    install_year: Option<u16>,
    canonical: Option<String>,
    error: Option<String>,
}

fn record(text: &str) -> EpidRecord {
    match Epid::parse(text) {
        Ok(e) => EpidRecord {
            valid: true,
            platform: Some(e.platform),
            group_id: Some(e.group_id),
            group_label: catalog::group_label(e.group_id),
            serial: Some(e.serial),
            channel: Some(e.channel),
            channel_name: e.channel_name(),
            lcid: Some(e.lcid),
            build: Some(format!("{}.{:04}", e.build, e.build_revision)),
            install_day: Some(e.install_day),
            install_year: Some(e.install_year),
            canonical: Some(e.to_string()),
            error: None,
        },
        Err(err) => EpidRecord {
            error: Some(err.to_string()),
            ..EpidRecord::default()
        },
    }
}

pub(crate) fn parse(texts: &[String], json: bool, out: &mut dyn Write) -> io::Result<Verdict> {
    let records: Vec<EpidRecord> = texts.iter().map(|t| record(t)).collect();
    if json {
        for r in &records {
            json_line(out, r)?;
        }
    } else {
        let mut table = Table::new(vec![
            "EPID",
            "VALID",
            "PLATFORM",
            "GROUP",
            "CHANNEL",
            "LCID",
            "BUILD",
            "INSTALLED",
            "NOTE",
        ]);
        for (text, r) in texts.iter().zip(&records) {
            table.push(vec![
                r.canonical
                    .clone()
                    .unwrap_or_else(|| text.trim().to_owned()),
                if r.valid { "yes" } else { "no" }.to_owned(),
                opt(r.platform),
                opt(r.group_id),
                match (r.channel, r.channel_name) {
                    (Some(c), Some(n)) => format!("{c:02} {n}"),
                    (c, _) => opt(c),
                },
                opt(r.lcid),
                opt(r.build.clone()),
                opt(r
                    .install_day
                    .zip(r.install_year)
                    .map(|(d, y)| format!("day {d} of {y}"))),
                r.error
                    .clone()
                    .or(r.group_label.map(str::to_owned))
                    .unwrap_or_default(),
            ]);
        }
        table.write(out)?;
    }
    Ok(Verdict::of(records.iter().map(|r| r.valid)))
}
