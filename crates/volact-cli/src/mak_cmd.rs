//! `volact mak add|list|remove|record-count`: the MAK store (the administrator's MAKs, CSVLKs
//! and retail keys with descriptions and remaining-activation snapshots).
//!
//! Keys are shown masked everywhere; a refused operation prints why on standard error and
//! exits 1; a store file that cannot be read or written exits 3.

use crate::Verdict;
use crate::table::{Table, json_line, opt};
use clap::{Args, Subcommand};
use std::io::{self, Write};
use std::path::PathBuf;
use volact_core::mak::{KeyKind, MakEntry, MakStore, MakStoreError, format_utc};
use volact_io::MakStoreFileError;

#[derive(Subcommand, Debug)]
pub(crate) enum MakCommand {
    /// Add a MAK (or CSVLK or retail key) you own. Its edition and kind come from the user
    /// catalog (`volact catalog import-pkeyconfig`); a key no catalog knows is refused until
    /// you declare its type with --type. GVLKs are refused.
    Add {
        /// The key (read from standard input when `-`, so it stays out of shell history).
        #[arg(value_name = "KEY")]
        key: String,
        /// A meaningful description (what the key is for).
        #[arg(long, default_value = "")]
        description: String,
        /// The key's type, for a key no catalog knows (volact never guesses).
        #[arg(long = "type", value_name = "mak|csvlk|retail", value_parser = parse_kind)]
        kind: Option<KeyKind>,
        #[command(flatten)]
        store: StoreArg,
        /// The user catalog to classify with (default: $VOLACT_CATALOG, else
        /// $XDG_DATA_HOME/volact/catalog.json, when it exists).
        #[arg(long, value_name = "FILE")]
        catalog: Option<PathBuf>,
    },
    /// List the stored keys, masked, with their latest remaining-activation snapshot.
    List {
        /// One JSON object per key (JSON Lines), keys masked.
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        store: StoreArg,
    },
    /// Remove a key: by id (or 4+ leading hex digits of it), its last five characters or its
    /// masked form.
    Remove {
        /// The entry (id, id prefix, last five characters).
        #[arg(value_name = "ID")]
        id: String,
        #[command(flatten)]
        store: StoreArg,
    },
    /// Record a remaining-activation count (from VAMT or VLSC) with the current time: a
    /// snapshot, not a live count.
    RecordCount {
        /// The entry (id, id prefix, last five characters).
        #[arg(value_name = "ID")]
        id: String,
        /// Activations remaining.
        #[arg(value_name = "REMAINING")]
        remaining: u32,
        #[command(flatten)]
        store: StoreArg,
    },
}

#[derive(Args, Debug, Default)]
pub(crate) struct StoreArg {
    /// The MAK store (default: $VOLACT_MAK_STORE, else $XDG_DATA_HOME/volact/maks.json, else
    /// ~/.local/share/volact/maks.json).
    #[arg(long = "store", value_name = "FILE")]
    path: Option<PathBuf>,
}

fn parse_kind(text: &str) -> Result<KeyKind, String> {
    KeyKind::parse(text).ok_or_else(|| "expected mak, csvlk or retail".to_owned())
}

fn io_error(e: MakStoreFileError) -> io::Error {
    io::Error::other(e.to_string())
}

/// The store's path (`--store`, else the default location) and the store read from it.
pub(crate) fn load_store(store: &StoreArg) -> io::Result<(PathBuf, MakStore)> {
    let path = volact_io::mak_store_path(store.path.as_deref()).map_err(io_error)?;
    let mak_store = volact_io::load_mak_store(&path).map_err(io_error)?;
    Ok((path, mak_store))
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

/// Loads the store, applies `change`, and saves it when the change succeeded; a refused
/// change is reported on standard error.
fn update(
    store: &StoreArg,
    change: impl FnOnce(&mut MakStore) -> Result<String, MakStoreError>,
    out: &mut dyn Write,
) -> io::Result<Verdict> {
    let (path, mut mak_store) = load_store(store)?;
    match change(&mut mak_store) {
        Ok(message) => {
            volact_io::save_mak_store(&path, &mak_store).map_err(io_error)?;
            writeln!(out, "{message}")?;
            Ok(Verdict::AllValid)
        }
        Err(e) => {
            eprintln!("volact: {e}");
            Ok(Verdict::SomeInvalid)
        }
    }
}

fn summary(e: &MakEntry) -> String {
    format!(
        "{} {} ({}, {}{})",
        e.id,
        e.masked(),
        e.kind,
        e.edition.as_deref().unwrap_or("edition unknown"),
        e.source
            .file()
            .map_or_else(|| ", declared".to_owned(), |f| format!(", from {f}"))
    )
}

fn read_key(text: &str) -> io::Result<String> {
    if text != "-" {
        return Ok(text.to_owned());
    }
    let mut line = String::new();
    io::stdin().read_line(&mut line)?;
    Ok(line.trim().to_owned())
}

pub(crate) fn run(command: MakCommand, out: &mut dyn Write) -> io::Result<Verdict> {
    match command {
        MakCommand::Add {
            key,
            description,
            kind,
            store,
            catalog,
        } => {
            let key = read_key(&key)?;
            let catalog = crate::catalog_cmd::user_catalog(catalog.as_deref())?;
            update(
                &store,
                |s| {
                    s.add_text(&key, &catalog, kind, &description, now())
                        .map(|e| format!("added {}", summary(e)))
                },
                out,
            )
        }
        MakCommand::List { json, store } => list(&store, json, out),
        MakCommand::Remove { id, store } => update(
            &store,
            |s| s.remove(&id).map(|e| format!("removed {}", summary(&e))),
            out,
        ),
        MakCommand::RecordCount {
            id,
            remaining,
            store,
        } => {
            let at = now();
            update(
                &store,
                |s| {
                    s.record_count(&id, remaining, at).map(|e| {
                        format!(
                            "{} {}: {remaining} activations remaining at {} (a snapshot, not a live count)",
                            e.id,
                            e.masked(),
                            format_utc(at)
                        )
                    })
                },
                out,
            )
        }
    }
}

fn list(store: &StoreArg, json: bool, out: &mut dyn Write) -> io::Result<Verdict> {
    let (path, mak_store) = load_store(store)?;
    if json {
        for e in mak_store.list() {
            let value: serde_json::Value = serde_json::from_str(&e.to_json())?;
            json_line(out, &value)?;
        }
        return Ok(Verdict::AllValid);
    }
    let mut table = Table::new(vec![
        "ID",
        "KEY",
        "KIND",
        "EDITION",
        "REMAINING",
        "TAKEN AT",
        "DESCRIPTION",
    ]);
    for e in mak_store.list() {
        let latest = e.latest();
        table.push(vec![
            e.id.clone(),
            e.masked(),
            format!(
                "{}{}",
                e.kind,
                if e.source.file().is_none() {
                    " (declared)"
                } else {
                    ""
                }
            ),
            opt(e.edition.as_deref()),
            opt(latest.map(|s| s.remaining)),
            opt(latest.map(|s| format_utc(s.taken_at))),
            e.description.clone(),
        ]);
    }
    table.write(out)?;
    writeln!(
        out,
        "\n{} keys in {}. Remaining counts are snapshots taken at the time shown, not live counts.",
        mak_store.list().len(),
        path.display()
    )?;
    Ok(Verdict::AllValid)
}
