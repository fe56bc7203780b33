//! `volact unattend show|set-key|scrub`: the product key in an answer file (Unattend.xml,
//! AutoUnattend.xml), where Windows Setup reads it, shown masked, set, and scrubbed, with
//! every other byte of the file kept (docs/unattend.md).
//!
//! Thin: the places and the edits are `volact::unattend::UnattendFile`, the files
//! `volact_io::{load_unattend, save_unattend, save_unattend_with_key}`. Keys are never
//! printed, only masked. Edits never replace their input unless `--in-place` says so; a
//! file holding a key is written owner-only.
//!
//! Exit status: 0 on success; 1 when the edit is refused (an invalid key, no place for it,
//! a value holding markup, `-o` naming the input, key-shaped text left after scrubbing); 2 for
//! usage errors; 3 when a file cannot be read or written, or is not an answer file volact
//! reads (not UTF-8/UTF-16, not well-formed, a DTD, another root element).

use crate::Verdict;
use crate::table::{Table, opt};
use clap::{Args, Subcommand};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use volact_core::catalog::UserCatalog;
use volact_core::key::ProductKey;
use volact_core::unattend::{Place, PlaceKind, Report, SCRUBBED, UnattendFile, Value};

#[derive(Subcommand, Debug)]
pub(crate) enum UnattendCommand {
    /// Show where the file holds a product key: setup's two places, other ProductKey
    /// elements and key-shaped text anywhere, with line numbers, masked keys, their type and
    /// warnings.
    ///
    /// Setup reads the key in the windowsPE pass (Microsoft-Windows-Setup,
    /// UserData/ProductKey/Key) and in the specialize pass (Microsoft-Windows-Shell-Setup,
    /// ProductKey). A key's type comes from Microsoft's published GVLKs and the user catalog
    /// (`volact catalog import-pkeyconfig`).
    Show {
        /// The answer file (UTF-8, or UTF-16 with a byte order mark).
        #[arg(value_name = "FILE")]
        file: PathBuf,
        /// The report as one JSON object (keys masked).
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        catalog: CatalogArg,
    },
    /// Put a key in every place setup reads one (both, when the file has both), changing
    /// nothing else.
    ///
    /// The key is validated first and never printed. "The MAK is stored in clear text in the
    /// Unattend.xml file" (the seed): the output is written owner-only (0600 on Unix); scrub
    /// it after use. Keys elsewhere in the file (a command line, a comment) are left alone
    /// and reported; `volact unattend scrub` removes them.
    SetKey(SetKeyArgs),
    /// Replace every key in the file (setup's places, other ProductKey elements, key-shaped
    /// text in commands and comments) with SENSITIVE*DATA*DELETED, as setup does at its end,
    /// changing nothing else.
    ///
    /// The result is read back and checked for key-shaped text, with and without dashes;
    /// when any is left, nothing is written and the exit status is 1.
    Scrub(ScrubArgs),
}

#[derive(Args, Debug)]
pub(crate) struct CatalogArg {
    /// The user catalog to classify keys with (default: $VOLACT_CATALOG, else
    /// $XDG_DATA_HOME/volact/catalog.json, when it exists).
    #[arg(long, value_name = "FILE")]
    catalog: Option<PathBuf>,
}

/// Where an edited file goes: `-o OUT` (never the input) or `--in-place`.
#[derive(Args, Debug)]
#[group(id = "destination", required = true, multiple = false)]
pub(crate) struct Destination {
    /// Write the edited file here (atomically). Refused when it names the input file: pass
    /// --in-place for that.
    #[arg(short = 'o', long = "output", value_name = "OUT")]
    output: Option<PathBuf>,
    /// Replace FILE itself (atomically: on any failure it stays as it was).
    #[arg(long)]
    in_place: bool,
}

#[derive(Args, Debug)]
pub(crate) struct SetKeyArgs {
    /// The answer file.
    #[arg(value_name = "FILE")]
    file: PathBuf,
    /// The key (read from standard input when `-`, so it stays out of shell history and
    /// the process list).
    #[arg(long, value_name = "KEY")]
    key: String,
    #[command(flatten)]
    destination: Destination,
    #[command(flatten)]
    catalog: CatalogArg,
}

#[derive(Args, Debug)]
pub(crate) struct ScrubArgs {
    /// The answer file.
    #[arg(value_name = "FILE")]
    file: PathBuf,
    #[command(flatten)]
    destination: Destination,
}

pub(crate) fn run(command: UnattendCommand, out: &mut dyn Write) -> io::Result<Verdict> {
    match command {
        UnattendCommand::Show {
            file,
            json,
            catalog,
        } => show(&file, json, catalog.catalog.as_deref(), out),
        UnattendCommand::SetKey(a) => set_key(&a, out),
        UnattendCommand::Scrub(a) => scrub(&a, out),
    }
}

fn refused(message: String) -> io::Result<Verdict> {
    eprintln!("volact: {message}");
    Ok(Verdict::SomeInvalid)
}

/// The file's bytes and the file read from them.
fn load(path: &Path) -> io::Result<(Vec<u8>, UnattendFile)> {
    volact_io::read_unattend(path)
        .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e.to_string()))
}

/// The output path, or why the destination is refused.
fn destination<'a>(input: &'a Path, d: &'a Destination) -> Result<&'a Path, String> {
    match &d.output {
        None => Ok(input),
        Some(output) if volact_io::same_file(input, output) => Err(format!(
            "{} is the input file: pass --in-place to replace it, or write elsewhere with -o",
            output.display()
        )),
        Some(output) => Ok(output),
    }
}

/// Whether a place holds a key.
fn holds_key(p: &Place) -> bool {
    matches!(p.value, Value::Key { .. })
}

/// A place's value and type as the table shows them.
fn describe(v: &Value) -> (String, String, String) {
    match v {
        Value::Empty => ("(empty)".into(), "-".into(), "-".into()),
        Value::Scrubbed => (SCRUBBED.into(), "scrubbed".into(), "-".into()),
        Value::Key {
            masked,
            kind,
            editions,
        } => (
            masked.clone(),
            kind.clone(),
            opt((!editions.is_empty()).then(|| editions.join(", "))),
        ),
        Value::NotAKey { masked } => (masked.clone(), "not a key".into(), "-".into()),
    }
}

/// A warning when the file holds a key other than a published GVLK and others can read it.
fn exposed_warning(path: &Path, report: &Report) -> Option<String> {
    let secret = report
        .places
        .iter()
        .any(|p| matches!(&p.value, Value::Key { kind, .. } if kind != "gvlk"));
    let mode = volact_io::readable_by_others(path)?;
    secret.then(|| {
        format!(
            "{} holds a key in clear text and its mode {mode:04o} lets others read it: `chmod 600 {}`, or scrub it",
            path.display(),
            path.display()
        )
    })
}

fn show(
    path: &Path,
    json: bool,
    catalog: Option<&Path>,
    out: &mut dyn Write,
) -> io::Result<Verdict> {
    let (_, file) = load(path)?;
    let catalog = crate::catalog_cmd::user_catalog(catalog)?;
    let mut report = file.report(&catalog);
    if let Some(w) = exposed_warning(path, &report) {
        report.warnings.push(w);
    }
    if json {
        writeln!(out, "{}", report.to_json())?;
        return Ok(Verdict::AllValid);
    }
    if report.places.is_empty() {
        writeln!(
            out,
            "{}: no product key and no place for one (setup reads it from {} or {})",
            path.display(),
            PlaceKind::SetupUserData.path(),
            PlaceKind::ShellSetup.path()
        )?;
    } else {
        let mut table = Table::new(vec!["LINE", "PLACE", "VALUE", "TYPE", "EDITIONS"]);
        for p in &report.places {
            let (value, kind, editions) = describe(&p.value);
            table.push(vec![
                p.line.to_string(),
                p.path.to_owned(),
                value,
                kind,
                editions,
            ]);
        }
        table.write(out)?;
        let keys = report.places.iter().filter(|p| holds_key(p)).count();
        writeln!(
            out,
            "\n{}: {} places, {keys} holding a key (shown masked).",
            path.display(),
            report.places.len()
        )?;
    }
    for w in &report.warnings {
        writeln!(out, "warning: {w}")?;
    }
    Ok(Verdict::AllValid)
}

/// The key from the argument, or one line of standard input for `-`.
fn read_key(text: &str) -> io::Result<String> {
    if text != "-" {
        return Ok(text.to_owned());
    }
    let mut line = String::new();
    io::stdin().read_line(&mut line)?;
    Ok(line.trim().to_owned())
}

fn set_key(a: &SetKeyArgs, out: &mut dyn Write) -> io::Result<Verdict> {
    let text = read_key(&a.key)?;
    // The error names a position or a count, never the text.
    let key = match ProductKey::parse(&text) {
        Ok(k) => k,
        Err(e) => return refused(format!("the key is not valid: {e}")),
    };
    let output = match destination(&a.file, &a.destination) {
        Ok(p) => p,
        Err(message) => return refused(message),
    };
    let (_, file) = load(&a.file)?;
    let catalog = crate::catalog_cmd::user_catalog(a.catalog.catalog.as_deref())?;
    let bytes = match file.set_key(&key) {
        Ok(b) => b,
        Err(e) => return refused(format!("{}: {e}", a.file.display())),
    };
    // What the written file holds, as `show` would report it.
    let report = UnattendFile::parse(&bytes)
        .map_err(|e| io::Error::other(format!("the edited file does not read back: {e}")))?
        .report(&catalog);
    // The key is in clear in the output: owner-only, like the MAK store.
    volact_io::save_unattend_with_key(output, &bytes)
        .map_err(|e| io::Error::other(e.to_string()))?;
    let set: Vec<&Place> = report
        .places
        .iter()
        .filter(|p| matches!(p.kind, PlaceKind::SetupUserData | PlaceKind::ShellSetup))
        .collect();
    let (masked, kind, editions) = set
        .first()
        .map(|p| describe(&p.value))
        .unwrap_or_else(|| (key.masked(), "-".into(), "-".into()));
    writeln!(
        out,
        "set {masked} ({kind}{}) in {} place{}:",
        if editions == "-" {
            String::new()
        } else {
            format!(": {editions}")
        },
        set.len(),
        if set.len() == 1 { "" } else { "s" }
    )?;
    for p in &set {
        writeln!(out, "  line {}: {}", p.line, p.path)?;
    }
    writeln!(
        out,
        "wrote {}{}",
        output.display(),
        if cfg!(unix) {
            " (owner-only, mode 0600: it holds the key in clear text)"
        } else {
            ""
        }
    )?;
    for w in &report.warnings {
        eprintln!("volact: warning: {w}");
    }
    Ok(Verdict::AllValid)
}

fn scrub(a: &ScrubArgs, out: &mut dyn Write) -> io::Result<Verdict> {
    let output = match destination(&a.file, &a.destination) {
        Ok(p) => p,
        Err(message) => return refused(message),
    };
    let (_, file) = load(&a.file)?;
    let before = file.report(&UserCatalog::new());
    let scrubbed: Vec<&Place> = before
        .places
        .iter()
        .filter(|p| matches!(p.value, Value::Key { .. } | Value::NotAKey { .. }))
        .collect();
    let bytes = match file.scrub() {
        Ok(b) => b,
        Err(e) => return refused(format!("{}: {e}", a.file.display())),
    };
    if let Some(left) = key_left(&bytes) {
        return refused(format!(
            "{}: key-shaped text is left at line {left} after scrubbing (volact recognises keys in setup's places and dashed keys elsewhere); remove it by hand. {} not written",
            a.file.display(),
            output.display()
        ));
    }
    if scrubbed.is_empty() {
        if a.destination.in_place {
            writeln!(
                out,
                "nothing to scrub: {} holds no key; left as it was",
                a.file.display()
            )?;
            return Ok(Verdict::AllValid);
        }
        writeln!(out, "nothing to scrub: {} holds no key", a.file.display())?;
    } else {
        writeln!(
            out,
            "scrubbed {} place{} (now {SCRUBBED}):",
            scrubbed.len(),
            if scrubbed.len() == 1 { "" } else { "s" }
        )?;
        for p in &scrubbed {
            let (value, kind, _) = describe(&p.value);
            writeln!(out, "  line {}: {} ({value}, {kind})", p.line, p.path)?;
        }
    }
    volact_io::save_unattend(output, &bytes).map_err(|e| io::Error::other(e.to_string()))?;
    writeln!(
        out,
        "wrote {}: no key left (checked with and without dashes)",
        output.display()
    )?;
    Ok(Verdict::AllValid)
}

/// The 1-based line of the first key left in a scrubbed file (the core lists key-shaped text
/// with and without dashes). A check on the result, not a second scrubber: what it finds is
/// refused, never edited.
fn key_left(bytes: &[u8]) -> Option<usize> {
    let Ok(file) = UnattendFile::parse(bytes) else {
        return Some(1);
    };
    let report = file.report(&UserCatalog::new());
    report.places.iter().find(|p| holds_key(p)).map(|p| p.line)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_left_finds_keys_without_dashes_and_not_other_runs() {
        let ok = b"<unattend><!-- SENSITIVE*DATA*DELETED ABCDEFGHIJKLMNOPQRSTUVWXY --></unattend>";
        assert_eq!(key_left(ok), None);
        let bare = b"<unattend>\n<!-- x VKCF7HV62C944TYYJ9NF6Q83G -->\n</unattend>";
        assert_eq!(key_left(bare), Some(2));
        let mut utf16 = vec![0xFF, 0xFE];
        for u in std::str::from_utf8(bare).unwrap().encode_utf16() {
            utf16.extend_from_slice(&u.to_le_bytes());
        }
        assert_eq!(key_left(&utf16), Some(2));
    }
}
