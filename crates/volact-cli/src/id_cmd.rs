//! `volact id check`.

use crate::Verdict;
use crate::table::{Table, json_line, opt};
use serde::Serialize;
use std::io::{self, Write};
use volact_core::ids;

/// The JSON record of one input; every field is always present (the CLI contract).
#[derive(Serialize)]
struct IdRecord {
    valid: bool,
    kind: Option<&'static str>,
    digits: usize,
    groups: Option<usize>,
    group_len: Option<usize>,
    bad_groups: Vec<usize>,
    /// Whether the check-digit rule is confirmed for this layout; false when the layout is
    /// unknown (no rule applies).
    rule_confirmed: bool,
    canonical: Option<String>,
    error: Option<String>,
}

fn record(text: &str) -> IdRecord {
    let c = ids::check(text);
    IdRecord {
        valid: c.is_valid(),
        kind: c.format.map(|f| f.kind.as_str()),
        digits: c.digits,
        groups: c.format.map(|f| f.groups),
        group_len: c.format.map(|f| f.group_len),
        bad_groups: c.bad_groups.clone(),
        rule_confirmed: c.format.is_some_and(|f| f.rule_confirmed),
        canonical: c.canonical.clone(),
        error: c.error.as_ref().map(ToString::to_string),
    }
}

pub(crate) fn check(texts: &[String], json: bool, out: &mut dyn Write) -> io::Result<Verdict> {
    let records: Vec<IdRecord> = texts.iter().map(|t| record(t)).collect();
    if json {
        for r in &records {
            json_line(out, r)?;
        }
    } else {
        let mut table = Table::new(vec!["ID", "VALID", "KIND", "LAYOUT", "RULE", "NOTE"]);
        for (text, r) in texts.iter().zip(&records) {
            let layout = r.groups.zip(r.group_len).map(|(g, l)| format!("{g}x{l}"));
            let rule = match r.kind {
                None => "-",
                Some(_) if r.rule_confirmed => "confirmed",
                Some(_) => "unconfirmed",
            };
            let note = match (&r.error, r.rule_confirmed) {
                (Some(e), false) if r.kind.is_some() => {
                    format!("{e}; the rule is unconfirmed for this layout: re-read before refusing")
                }
                (Some(e), _) => e.clone(),
                (None, _) => "ok".to_owned(),
            };
            table.push(vec![
                r.canonical
                    .clone()
                    .unwrap_or_else(|| text.trim().to_owned()),
                if r.valid { "yes" } else { "no" }.to_owned(),
                opt(r.kind),
                opt(layout),
                rule.to_owned(),
                note,
            ]);
        }
        table.write(out)?;
    }
    Ok(Verdict::of(records.iter().map(|r| r.valid)))
}
