//! The two JSON forms of the store: the file (keys in clear, written owner-only by
//! `volact-io`) and the masked view that lists, `--json` output and the bindings hand out.

use super::{
    ID_LEN, KeyKind, KindSource, MAK_STORE_FORMAT, MAK_STORE_VERSION, MakEntry, MakStore,
    MakStoreError, Snapshot, format_utc, id_of,
};
use crate::key::{ProductKey, masked_text};
use serde::{Deserialize, Serialize};

/// The file: `{"format", "version", "entries": [...]}`.
#[derive(Serialize, Deserialize)]
struct File {
    format: String,
    version: u32,
    entries: Vec<FileEntry>,
}

/// One entry as stored. `key` is in clear: the file is the one place it is kept.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileEntry {
    id: String,
    key: String,
    kind: String,
    source: String,
    source_file: Option<String>,
    edition: Option<String>,
    product: Option<String>,
    description: String,
    added_at_unix: i64,
    snapshots: Vec<FileSnapshot>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileSnapshot {
    remaining: u32,
    taken_at_unix: i64,
}

/// One entry as shown: the key masked, times as RFC 3339 UTC and Unix seconds.
#[derive(Serialize)]
struct View<'a> {
    id: &'a str,
    key: String,
    partial: &'a str,
    kind: &'static str,
    source: &'static str,
    source_file: Option<&'a str>,
    edition: Option<&'a str>,
    product: Option<&'a str>,
    description: &'a str,
    added_at: String,
    added_at_unix: i64,
    remaining: Option<u32>,
    remaining_taken_at: Option<String>,
    snapshots: Vec<SnapshotView>,
}

#[derive(Serialize)]
struct SnapshotView {
    remaining: u32,
    taken_at: String,
    taken_at_unix: i64,
}

impl SnapshotView {
    fn of(s: &Snapshot) -> Self {
        SnapshotView {
            remaining: s.remaining,
            taken_at: format_utc(s.taken_at),
            taken_at_unix: s.taken_at,
        }
    }
}

impl<'a> View<'a> {
    fn of(e: &'a MakEntry) -> Self {
        View {
            id: &e.id,
            key: e.masked(),
            partial: e.key.partial(),
            kind: e.kind.as_str(),
            source: e.source.as_str(),
            source_file: e.source.file(),
            edition: e.edition.as_deref(),
            product: e.product.as_deref(),
            description: &e.description,
            added_at: format_utc(e.added_at),
            added_at_unix: e.added_at,
            remaining: e.latest().map(|s| s.remaining),
            remaining_taken_at: e.latest().map(|s| format_utc(s.taken_at)),
            snapshots: e.snapshots.iter().map(SnapshotView::of).collect(),
        }
    }
}

impl MakEntry {
    /// The entry as one line of JSON, key masked: `{"id", "key" (masked), "partial",
    /// "kind", "source" (`user_catalog` or `declared`), "source_file", "edition", "product",
    /// "description", "added_at" (RFC 3339 UTC), "added_at_unix", "remaining" and
    /// "remaining_taken_at" (the latest snapshot, or null), "snapshots": [{"remaining",
    /// "taken_at", "taken_at_unix"}]}`. Every field is always present.
    pub fn to_json(&self) -> String {
        serde_json::to_string(&View::of(self)).unwrap_or_default()
    }
}

impl MakStore {
    /// Every entry as a JSON array of [`MakEntry::to_json`] objects (keys masked).
    pub fn list_json(&self) -> String {
        let views: Vec<View<'_>> = self.entries.iter().map(View::of).collect();
        serde_json::to_string(&views).unwrap_or_default()
    }

    /// The file form, pretty JSON ending in a newline. **It holds the keys in clear**: write
    /// it only to an owner-only file (`volact_io::save_mak_store`).
    pub fn to_file_json(&self) -> String {
        let file = File {
            format: MAK_STORE_FORMAT.to_owned(),
            version: MAK_STORE_VERSION,
            entries: self
                .entries
                .iter()
                .map(|e| FileEntry {
                    id: e.id.clone(),
                    key: e.key.reveal(),
                    kind: e.kind.as_str().to_owned(),
                    source: e.source.as_str().to_owned(),
                    source_file: e.source.file().map(str::to_owned),
                    edition: e.edition.clone(),
                    product: e.product.clone(),
                    description: e.description.clone(),
                    added_at_unix: e.added_at,
                    snapshots: e
                        .snapshots
                        .iter()
                        .map(|s| FileSnapshot {
                            remaining: s.remaining,
                            taken_at_unix: s.taken_at,
                        })
                        .collect(),
                })
                .collect(),
        };
        let mut s = serde_json::to_string_pretty(&file).unwrap_or_default();
        s.push('\n');
        s
    }

    /// Reads the file form. Every key is validated again, every id must be its key's, no key
    /// may appear twice; snapshots are put in time order. Errors never quote the file's
    /// values (they may be keys).
    pub fn from_file_json(bytes: &[u8]) -> Result<Self, MakStoreError> {
        let file: File = serde_json::from_slice(bytes).map_err(|e| MakStoreError::Json {
            line: e.line(),
            column: e.column(),
            detail: without_quoted(&e.to_string()),
        })?;
        if file.format != MAK_STORE_FORMAT || file.version != MAK_STORE_VERSION {
            return Err(MakStoreError::Version {
                format: shown_format(&file.format),
                version: file.version,
            });
        }
        let mut store = MakStore::new();
        for (index, f) in file.entries.into_iter().enumerate() {
            let invalid = |detail: String| MakStoreError::InvalidEntry { index, detail };
            let key = ProductKey::parse(&f.key).map_err(|e| {
                invalid(format!(
                    "{}: not a valid product key: {e}",
                    masked_text(&f.key)
                ))
            })?;
            let masked = key.masked();
            if f.id != id_of(&key) {
                return Err(invalid(format!(
                    "{masked}: the id is not the key's (the first {ID_LEN} hex digits of its SHA-256 fingerprint)"
                )));
            }
            if store.entries.iter().any(|e| e.key == key) {
                return Err(invalid(format!("{masked}: the key is stored twice")));
            }
            let kind = KeyKind::parse(&f.kind)
                .ok_or_else(|| invalid(format!("{masked}: kind must be mak, csvlk or retail")))?;
            let source = match (f.source.as_str(), f.source_file) {
                ("user_catalog", Some(file)) => KindSource::UserCatalog { file },
                ("declared", None) => KindSource::Declared,
                _ => {
                    return Err(invalid(format!(
                        "{masked}: source must be \"user_catalog\" with a source_file, or \"declared\" with none"
                    )));
                }
            };
            let mut snapshots: Vec<Snapshot> = f
                .snapshots
                .iter()
                .map(|s| Snapshot {
                    remaining: s.remaining,
                    taken_at: s.taken_at_unix,
                })
                .collect();
            snapshots.sort_by_key(|s| s.taken_at);
            store.entries.push(MakEntry {
                id: f.id,
                key,
                kind,
                source,
                edition: f.edition,
                product: f.product,
                description: f.description,
                added_at: f.added_at_unix,
                snapshots,
            });
        }
        Ok(store)
    }
}

/// A serde message without the values it quotes: in a store file any string may be a key,
/// and serde quotes the value (`"..."`, Rust `Debug` form) or the field name (`` `...` ``) it
/// could not use. Values are always replaced by `…`; names only when they are not a short
/// identifier (every field of the format is one) that serde wrote (`missing field`,
/// `expected one of`, an integer). The file's own names (`unknown field`, `unknown variant`)
/// may hold backticks (serde does not escape them), so they, and any quoted text that is not
/// an identifier, run to the last `` `, expected`` or else the last backtick; an unclosed quote
/// drops the rest of the message.
fn without_quoted(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    let mut rest = message;
    while let Some(open) = rest.find(['"', '`']) {
        out.push_str(&rest[..open]);
        let quote = &rest[open..open + 1];
        let after = &rest[open + 1..];
        let close = if quote == "\"" {
            debug_string_end(after)
        } else if out.ends_with("unknown field ") || out.ends_with("unknown variant ") {
            // The file's own name, which may hold backticks: kept only when it is a short
            // identifier through to serde's closing backtick.
            let close = after.rfind("`, expected").or_else(|| after.rfind('`'));
            if let Some(c) = close.filter(|&c| is_short_identifier(&after[..c])) {
                out.push('`');
                out.push_str(&after[..c]);
                out.push('`');
                rest = &after[c + 1..];
                continue;
            }
            close
        } else {
            match after.find('`') {
                Some(c) if is_short_identifier(&after[..c]) => {
                    out.push('`');
                    out.push_str(&after[..c]);
                    out.push('`');
                    rest = &after[c + 1..];
                    continue;
                }
                Some(_) => after.rfind("`, expected").or_else(|| after.rfind('`')),
                None => None,
            }
        };
        let Some(close) = close else {
            // An unclosed quote: drop what follows it.
            return out;
        };
        out.push_str(quote);
        out.push('…');
        out.push_str(quote);
        rest = &after[close + 1..];
    }
    out.push_str(rest);
    out
}

/// Letters, digits and `_`, no longer than the longest field of the format (`added_at_unix`).
fn is_short_identifier(text: &str) -> bool {
    const LONGEST_FIELD: usize = 13;
    !text.is_empty()
        && text.len() <= LONGEST_FIELD
        && text.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// The index of the `"` that closes a Rust `Debug` string whose opening quote came just
/// before `text` (`\\` and `\"` are escapes inside it).
fn debug_string_end(text: &str) -> Option<usize> {
    let mut escaped = false;
    for (i, c) in text.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' => escaped = true,
            '"' => return Some(i),
            _ => {}
        }
    }
    None
}

/// The file's `format` as an error shows it: at most 64 characters, and `…` when it could
/// hide a key (25 or more letters and digits in a row once dashes and spaces are left out),
/// so that a key pasted into the wrong field is not printed.
fn shown_format(format: &str) -> String {
    let mut run = 0usize;
    for c in format.chars() {
        if c.is_ascii_alphanumeric() {
            run += 1;
            if run >= 25 {
                return "…".to_owned();
            }
        } else if !(c == '-' || c.is_whitespace()) {
            run = 0;
        }
    }
    format.chars().take(64).collect()
}
