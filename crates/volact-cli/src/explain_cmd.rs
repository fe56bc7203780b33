//! `volact explain CODE...`: what an activation error code means, its likely cause and the
//! fix to try. The table is `volact::license::error_code`.
//!
//! Exit status: 0 when every code is known; 1 when any is unknown or unparsable.

use crate::Verdict;
use crate::table::json_line;
use std::io::{self, Write};
use volact_core::license::error_code::Explanation;

pub(crate) fn explain_codes(
    codes: &[String],
    json: bool,
    out: &mut dyn Write,
) -> io::Result<Verdict> {
    // One record shape for every front end: the core's (the C ABI writes the same JSON).
    let records: Vec<Explanation> = codes.iter().map(|c| Explanation::of(c)).collect();
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
