//! `volact explain CODE...`: what an activation error code means, its likely cause and the
//! fix to try. The table is `volact::license::error_code`.
//!
//! Exit status: 0 when every code is known; 1 when any is unknown or unparsable.

use crate::Verdict;
use crate::table::json_line;
use serde::Serialize;
use std::io::{self, Write};
use volact_core::license::error_code::{ErrorCode, explain, parse_code};

/// The JSON record of one input; `entry` fields are null when the code is not known.
#[derive(Serialize)]
struct ExplainRecord<'a> {
    input: &'a str,
    known: bool,
    code: Option<String>,
    message: Option<&'static str>,
    applies_to: Option<&'static str>,
    cause: Option<&'static str>,
    fix: Option<&'static str>,
    source: Option<&'static str>,
    error: Option<String>,
}

fn record(input: &str) -> ExplainRecord<'_> {
    let mut r = ExplainRecord {
        input,
        known: false,
        code: None,
        message: None,
        applies_to: None,
        cause: None,
        fix: None,
        source: None,
        error: None,
    };
    match parse_code(input) {
        Err(e) => r.error = Some(e.to_string()),
        Ok(code) => {
            r.code = Some(format!("0x{code:08X}"));
            match explain(code) {
                Some(e) => fill(&mut r, e),
                None => {
                    r.error = Some(format!(
                        "0x{code:08X} is not in volact's table of activation error codes"
                    ))
                }
            }
        }
    }
    r
}

fn fill(r: &mut ExplainRecord<'_>, e: &'static ErrorCode) {
    r.known = true;
    r.message = Some(e.message);
    r.applies_to = Some(e.applies_to);
    r.cause = Some(e.cause);
    r.fix = Some(e.fix);
    r.source = Some(e.source);
}

pub(crate) fn explain_codes(
    codes: &[String],
    json: bool,
    out: &mut dyn Write,
) -> io::Result<Verdict> {
    let records: Vec<ExplainRecord<'_>> = codes.iter().map(|c| record(c)).collect();
    for (i, r) in records.iter().enumerate() {
        if json {
            json_line(out, r)?;
            continue;
        }
        if i > 0 {
            writeln!(out)?;
        }
        match (&r.code, r.known) {
            (Some(code), true) => {
                writeln!(out, "{code}  {}", r.message.unwrap_or_default())?;
                writeln!(out, "  applies to: {}", r.applies_to.unwrap_or_default())?;
                writeln!(out, "  cause:      {}", r.cause.unwrap_or_default())?;
                writeln!(out, "  fix:        {}", r.fix.unwrap_or_default())?;
                writeln!(out, "  source:     {}", r.source.unwrap_or_default())?;
            }
            _ => writeln!(
                out,
                "{}  unknown: {}",
                r.input.trim(),
                r.error.as_deref().unwrap_or_default()
            )?,
        }
    }
    Ok(Verdict::of(records.iter().map(|r| r.known)))
}
