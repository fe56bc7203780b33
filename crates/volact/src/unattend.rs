//! Unattend.xml: the product key where Windows Setup reads it, shown, set and scrubbed while
//! every other byte of the file stays as it was.
//!
//! Converting KMS clients to MAK during setup means putting the MAK in the answer file (the
//! seed, "Installing a MAK during operating system installation"). Setup reads a key in two
//! places (Unattended Windows Setup Reference, `Microsoft-Windows-Setup` and
//! `Microsoft-Windows-Shell-Setup`):
//!
//! - the `windowsPE` pass, component `Microsoft-Windows-Setup`: `UserData/ProductKey/Key`
//!   ("specifies the Windows image to install": the key picks the edition);
//! - the `specialize` pass, component `Microsoft-Windows-Shell-Setup`: `ProductKey` ("the
//!   product key to use for Windows activation"; "If you use a Volume License Multiple
//!   Activation Key (MAK), you must specify it in the ProductKey setting"). The two keys may
//!   differ; `show` warns when a MAK sits only in the windowsPE place.
//!
//! "The MAK is stored in clear text in the Unattend.xml file … at the end of the Setup
//! process, the Setup program replaces it with `SENSITIVE*DATA*DELETED`" (the seed, note to
//! that section). [`UnattendFile::scrub`] does the same to a file volact is given, and also to
//! every other key-shaped text in it (a `slmgr /ipk` in `FirstLogonCommands`, a comment), so
//! none is left behind.
//!
//! The file is edited as text: the value between the element's tags is replaced and nothing
//! else is touched (no re-serialisation). UTF-8 (with or without BOM) and UTF-16 with a BOM are
//! read and written back in their encoding. DTDs are refused.

use crate::catalog::{self, UserCatalog};
use crate::cil::Encoding;
use crate::key::{ProductKey, masked_text};
use quick_xml::events::Event;
use quick_xml::reader::Reader;

/// What setup's scrubbing writes in place of a key (the seed).
pub const SCRUBBED: &str = "SENSITIVE*DATA*DELETED";

/// The largest answer file volact reads (real ones are a few kilobytes).
pub const MAX_BYTES: usize = 8 << 20;

/// Why an answer file cannot be read or changed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum UnattendError {
    /// Not UTF-8 / UTF-16 text.
    #[error("encoding error at byte {offset}: {detail}")]
    Encoding {
        /// Byte offset.
        offset: usize,
        /// What is wrong.
        detail: String,
    },
    /// Not well-formed XML.
    #[error("XML error at byte {offset}: {detail}")]
    Xml {
        /// Byte offset in the UTF-8 text.
        offset: usize,
        /// What is wrong.
        detail: String,
    },
    /// A document type declaration: never processed (entity expansion attacks).
    #[error("DTDs are not accepted (byte {offset})")]
    Dtd {
        /// Byte offset.
        offset: usize,
    },
    /// The root element is not `unattend`.
    #[error("not an answer file: the root element is <{root}>, not <unattend>")]
    NotUnattend {
        /// The root's name.
        root: String,
    },
    /// Larger than [`MAX_BYTES`].
    #[error("{size} bytes: answer files over {MAX_BYTES} bytes are refused")]
    TooLarge {
        /// The size.
        size: usize,
    },
    /// `set_key` found no place setup reads a key from.
    #[error(
        "no product key place in the file: add <ProductKey> to Microsoft-Windows-Shell-Setup in the specialize pass, or <UserData><ProductKey><Key> to Microsoft-Windows-Setup in the windowsPE pass"
    )]
    NoKeyPlace,
    /// A place's value holds markup (child elements, comments, CDATA) volact will not
    /// overwrite.
    #[error("line {line}: {path} holds markup, not just text; edit it by hand")]
    ComplexValue {
        /// 1-based line.
        line: usize,
        /// The place.
        path: String,
    },
}

/// Where a key sits.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PlaceKind {
    /// `windowsPE` › `Microsoft-Windows-Setup` › `UserData/ProductKey/Key`.
    SetupUserData,
    /// `specialize` › `Microsoft-Windows-Shell-Setup` › `ProductKey`.
    ShellSetup,
    /// A `ProductKey`/`Key` element setup does not read for the product key (another pass or
    /// component): still a key in clear text.
    OtherElement,
    /// Key-shaped text anywhere else (a command line, a comment, an attribute).
    OtherText,
}

impl PlaceKind {
    /// The place as a path, e.g. `windowsPE/Microsoft-Windows-Setup/UserData/ProductKey/Key`.
    pub fn path(self) -> &'static str {
        match self {
            PlaceKind::SetupUserData => "windowsPE/Microsoft-Windows-Setup/UserData/ProductKey/Key",
            PlaceKind::ShellSetup => "specialize/Microsoft-Windows-Shell-Setup/ProductKey",
            PlaceKind::OtherElement => "ProductKey element setup does not read",
            PlaceKind::OtherText => "key-shaped text",
        }
    }
}

/// What one place holds.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum Value {
    /// Nothing (an empty element).
    Empty,
    /// Setup's scrubbed marker.
    Scrubbed,
    /// A key, masked, with its type when a catalog knows it (`gvlk`, `mak`, …).
    Key {
        /// The masked key.
        masked: String,
        /// `gvlk`, `mak`, `csvlk`, `retail`, `oem`, `other`, or `unknown`.
        kind: String,
        /// For a GVLK, the editions it installs (`Windows 11 Enterprise`, …).
        editions: Vec<String>,
    },
    /// Text that is not a key (masked, in case it is a mistyped one).
    NotAKey {
        /// The text, masked.
        masked: String,
    },
}

/// One place in the file.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Place {
    /// Which place.
    pub kind: PlaceKind,
    /// Its path.
    pub path: &'static str,
    /// 1-based line of the value.
    pub line: usize,
    /// What it holds.
    pub value: Value,
}

/// A span of the UTF-8 text to replace, and how.
#[derive(Clone, Debug)]
struct Site {
    kind: PlaceKind,
    /// The element's own content span (or, for an empty element, the whole tag).
    start: usize,
    end: usize,
    /// An empty element `<Key/>`: the tag is rewritten as `<Key>…</Key>`.
    empty_tag: Option<String>,
    /// The content is plain text (no markup).
    plain: bool,
    /// The unescaped text.
    text: String,
}

/// An answer file, read.
#[derive(Clone, Debug)]
pub struct UnattendFile {
    text: String,
    enc: Encoding,
    sites: Vec<Site>,
}

/// The report `show` gives, with the warnings an administrator must see.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Report {
    /// Every place a key is or could be read from, and all other key-shaped text.
    pub places: Vec<Place>,
    /// Warnings (a MAK in clear text, two places disagreeing, keys outside setup's places).
    pub warnings: Vec<String>,
}

impl Report {
    /// The report as JSON: `{"places": [{"kind", "path", "line", "value": {"state":
    /// "empty"|"scrubbed"|"key"|"not_a_key", "masked", "kind", "editions"}}], "warnings"}`.
    /// Keys appear masked only.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }
}

/// Text by byte-order mark, as CIL files are read (one decoder for every XML file volact
/// reads): UTF-8 with or without a mark, UTF-16 with one.
fn decode(bytes: &[u8]) -> Result<(String, Encoding), UnattendError> {
    crate::cil::xml::decode(bytes.to_vec()).map_err(|e| match e {
        crate::cil::CilError::Encoding { offset, detail } => {
            UnattendError::Encoding { offset, detail }
        }
        other => UnattendError::Encoding {
            offset: 0,
            detail: other.to_string(),
        },
    })
}

/// An open element on the way down.
struct Open {
    name: String,
    /// `pass` of a `settings`, `name` of a `component`.
    attr: Option<String>,
    /// Content start (after the start tag).
    content_start: usize,
    /// Whether markup appeared inside.
    markup: bool,
    text: String,
}

fn local(name: &str) -> Option<String> {
    // Unprefixed names only: a prefixed element is in another namespace, not setup's.
    (!name.contains(':')).then(|| name.to_owned())
}

fn xml_error(offset: u64, e: impl std::fmt::Display) -> UnattendError {
    UnattendError::Xml {
        offset: usize::try_from(offset).unwrap_or(usize::MAX),
        detail: mask_keys(&e.to_string()),
    }
}

/// Which documented place a `ProductKey`/`Key` element at this stack is, if any.
fn classify_place(stack: &[Open], name: &str) -> Option<PlaceKind> {
    let names: Vec<&str> = stack.iter().map(|o| o.name.as_str()).collect();
    let setting = stack
        .iter()
        .find(|o| o.name == "settings")
        .and_then(|o| o.attr.as_deref());
    let component = stack
        .iter()
        .find(|o| o.name == "component")
        .and_then(|o| o.attr.as_deref());
    let under_component: Vec<&str> = names
        .iter()
        .skip_while(|n| **n != "component")
        .skip(1)
        .copied()
        .collect();
    match (name, under_component.as_slice()) {
        ("Key", ["UserData", "ProductKey"]) => Some(
            if setting == Some("windowsPE") && component == Some("Microsoft-Windows-Setup") {
                PlaceKind::SetupUserData
            } else {
                PlaceKind::OtherElement
            },
        ),
        ("ProductKey", []) => Some(
            if setting == Some("specialize") && component == Some("Microsoft-Windows-Shell-Setup") {
                PlaceKind::ShellSetup
            } else {
                PlaceKind::OtherElement
            },
        ),
        _ => None,
    }
}

impl UnattendFile {
    /// Reads an answer file.
    pub fn parse(bytes: &[u8]) -> Result<UnattendFile, UnattendError> {
        if bytes.len() > MAX_BYTES {
            return Err(UnattendError::TooLarge { size: bytes.len() });
        }
        let (text, enc) = decode(bytes)?;
        let mut reader = Reader::from_str(&text);
        reader.config_mut().trim_text(false);
        let mut stack: Vec<Open> = Vec::new();
        let mut sites = Vec::new();
        let mut root_seen = false;
        loop {
            let before = usize::try_from(reader.buffer_position()).unwrap_or(usize::MAX);
            let event = reader
                .read_event()
                .map_err(|e| xml_error(reader.error_position(), e))?;
            let after = usize::try_from(reader.buffer_position()).unwrap_or(usize::MAX);
            match event {
                Event::Eof => break,
                Event::DocType(_) => return Err(UnattendError::Dtd { offset: before }),
                Event::Start(e) | Event::Empty(e) if !root_seen => {
                    root_seen = true;
                    let root = e.local_name().as_ref().to_owned();
                    if root != "unattend" {
                        return Err(UnattendError::NotUnattend {
                            root: mask_keys(&root),
                        });
                    }
                    if text[before..after].ends_with("/>") {
                        continue;
                    }
                    stack.push(Open {
                        name: root,
                        attr: None,
                        content_start: after,
                        markup: false,
                        text: String::new(),
                    });
                }
                Event::Start(e) => {
                    if let Some(top) = stack.last_mut() {
                        top.markup = true;
                    }
                    let name = local(e.name().as_ref()).unwrap_or_default();
                    let attr_name = match name.as_str() {
                        "settings" => "pass",
                        "component" => "name",
                        _ => "",
                    };
                    let mut attr = None;
                    crate::cil::xml::for_each_attribute(&e, |k, v| {
                        if !attr_name.is_empty() && k == attr_name {
                            attr = Some(v.into_owned());
                        }
                    })
                    .map_err(|err| xml_error(before as u64, err))?;
                    stack.push(Open {
                        name,
                        attr,
                        content_start: after,
                        markup: false,
                        text: String::new(),
                    });
                }
                Event::Empty(e) => {
                    if let Some(top) = stack.last_mut() {
                        top.markup = true;
                    }
                    let name = local(e.name().as_ref()).unwrap_or_default();
                    if let Some(kind) = classify_place(&stack, &name) {
                        sites.push(Site {
                            kind,
                            start: before,
                            end: after,
                            empty_tag: Some(text[before..after].to_owned()),
                            plain: true,
                            text: String::new(),
                        });
                    }
                }
                Event::End(_) => {
                    let Some(open) = stack.pop() else {
                        return Err(xml_error(before as u64, "end tag without a start"));
                    };
                    if let Some(kind) = classify_place(&stack, &open.name) {
                        sites.push(Site {
                            kind,
                            start: open.content_start,
                            end: before,
                            empty_tag: None,
                            plain: !open.markup,
                            text: open.text,
                        });
                    } else if let Some(top) = stack.last_mut() {
                        top.markup = true;
                    }
                }
                Event::Text(_) | Event::GeneralRef(_) => {
                    // Text and references, from their raw span (DTD entities are never
                    // expanded: only XML's own five and character references).
                    let unescaped = quick_xml::escape::unescape(&text[before..after])
                        .map_err(|e| xml_error(before as u64, e))?
                        .into_owned();
                    if let Some(top) = stack.last_mut() {
                        top.text.push_str(&unescaped);
                    }
                }
                Event::CData(_) | Event::Comment(_) | Event::PI(_) => {
                    if let Some(top) = stack.last_mut() {
                        top.markup = true;
                    }
                }
                Event::Decl(_) => {}
            }
        }
        if !root_seen {
            return Err(UnattendError::NotUnattend {
                root: String::new(),
            });
        }
        if let Some(open) = stack.last() {
            return Err(xml_error(
                text.len() as u64,
                format!("<{}> is not closed", open.name),
            ));
        }
        // Key-shaped text outside the element places (commands, comments, attributes).
        let element_spans: Vec<(usize, usize)> = sites.iter().map(|s| (s.start, s.end)).collect();
        for (start, end) in key_shapes(&text) {
            let inside = element_spans.iter().any(|&(a, b)| start >= a && end <= b);
            let known = sites
                .iter()
                .any(|s| s.kind == PlaceKind::OtherText && s.start == start);
            if !inside && !known {
                sites.push(Site {
                    kind: PlaceKind::OtherText,
                    start,
                    end,
                    empty_tag: None,
                    plain: true,
                    text: text[start..end].to_owned(),
                });
            }
        }
        sites.sort_by_key(|s| s.start);
        Ok(UnattendFile { text, enc, sites })
    }

    fn line_of(&self, offset: usize) -> usize {
        self.text[..offset.min(self.text.len())]
            .matches('\n')
            .count()
            + 1
    }

    /// Every place, what it holds, and the warnings.
    pub fn report(&self, catalog: &UserCatalog) -> Report {
        let mut places = Vec::new();
        let mut warnings = Vec::new();
        let mut keys = Vec::new();
        for s in &self.sites {
            let v = s.text.trim();
            let value = if v.is_empty() {
                Value::Empty
            } else if v == SCRUBBED {
                Value::Scrubbed
            } else {
                match ProductKey::parse(v) {
                    Ok(k) => {
                        let kind = if catalog::channel(&k).is_some() {
                            "gvlk".to_owned()
                        } else {
                            catalog
                                .classify(&k)
                                .channel
                                .map_or_else(|| "unknown".to_owned(), |c| c.kind().to_owned())
                        };
                        let editions = catalog::rows_for_key(&k)
                            .iter()
                            .map(|r| format!("{} {}", r.family, r.edition))
                            .collect();
                        keys.push((s.kind, k.clone(), kind.clone()));
                        Value::Key {
                            masked: k.masked(),
                            kind,
                            editions,
                        }
                    }
                    Err(_) => Value::NotAKey {
                        masked: masked_text(v),
                    },
                }
            };
            places.push(Place {
                kind: s.kind,
                path: s.kind.path(),
                line: self.line_of(s.start),
                value,
            });
        }
        if keys.iter().any(|(_, _, kind)| kind != "gvlk") {
            warnings.push(
                "a key other than a published GVLK is stored in clear text in this file; setup copies it to %SystemRoot%\\Panther and replaces it with SENSITIVE*DATA*DELETED only at the end of setup (the seed): keep the file protected and scrub it after use".into(),
            );
        }
        let documented: Vec<&ProductKey> = keys
            .iter()
            .filter(|(k, _, _)| matches!(k, PlaceKind::SetupUserData | PlaceKind::ShellSetup))
            .map(|(_, key, _)| key)
            .collect();
        if documented.windows(2).any(|w| w[0] != w[1]) {
            warnings.push(
                "the windowsPE and specialize places hold different keys: the specialize key is the one installed".into(),
            );
        }
        // Microsoft's reference (Microsoft-Windows-Shell-Setup | ProductKey): "If you use a
        // Volume License Multiple Activation Key (MAK), you must specify it in the ProductKey
        // setting"; UserData/ProductKey/Key "specifies the Windows image to install".
        let mak_in_pe = keys
            .iter()
            .any(|(k, _, kind)| *k == PlaceKind::SetupUserData && kind == "mak");
        let shell_place = self.sites.iter().any(|s| s.kind == PlaceKind::ShellSetup);
        if mak_in_pe && !shell_place {
            warnings.push(
                "a MAK is in windowsPE UserData/ProductKey/Key only: Microsoft's reference requires a MAK in Microsoft-Windows-Shell-Setup ProductKey (specialize); the windowsPE key only selects the image to install".into(),
            );
        }
        if keys
            .iter()
            .any(|(k, _, _)| matches!(k, PlaceKind::OtherElement | PlaceKind::OtherText))
        {
            warnings.push(
                "keys outside setup's two places (another pass, a command line, a comment): setup does not scrub them".into(),
            );
        }
        Report { places, warnings }
    }

    /// The file with `key` in every documented place it has (both, when both exist), the rest
    /// byte for byte. Other keys elsewhere are left alone (see [`UnattendFile::scrub`]).
    pub fn set_key(&self, key: &ProductKey) -> Result<Vec<u8>, UnattendError> {
        let value = key.reveal();
        self.rewrite(
            |k| matches!(k, PlaceKind::SetupUserData | PlaceKind::ShellSetup),
            &value,
        )
        .and_then(|(bytes, n)| {
            if n == 0 {
                Err(UnattendError::NoKeyPlace)
            } else {
                Ok(bytes)
            }
        })
    }

    /// The file with every key-bearing place — setup's two places, other `ProductKey`
    /// elements, and key-shaped text anywhere — replaced by `SENSITIVE*DATA*DELETED`, the rest
    /// byte for byte. Empty places stay empty.
    pub fn scrub(&self) -> Result<Vec<u8>, UnattendError> {
        self.rewrite(|_| true, SCRUBBED).map(|(b, _)| b)
    }

    fn rewrite(
        &self,
        which: impl Fn(PlaceKind) -> bool,
        value: &str,
    ) -> Result<(Vec<u8>, usize), UnattendError> {
        let scrubbing = value == SCRUBBED;
        let mut out = String::with_capacity(self.text.len() + 64);
        let mut at = 0;
        let mut n = 0;
        for s in &self.sites {
            if !which(s.kind) || s.start < at {
                continue;
            }
            // Scrubbing leaves empty places and non-keys alone; setting fills every place.
            if scrubbing && (s.text.trim().is_empty() || s.text.trim() == SCRUBBED) {
                continue;
            }
            if !s.plain {
                return Err(UnattendError::ComplexValue {
                    line: self.line_of(s.start),
                    path: s.kind.path().to_owned(),
                });
            }
            out.push_str(&self.text[at..s.start]);
            match &s.empty_tag {
                Some(tag) => {
                    let open = tag.trim_end_matches("/>").trim_end();
                    let name: String = open[1..]
                        .chars()
                        .take_while(|c| !c.is_whitespace() && *c != '/' && *c != '>')
                        .collect();
                    out.push_str(open);
                    out.push('>');
                    out.push_str(value);
                    out.push_str(&format!("</{name}>"));
                }
                None if s.kind == PlaceKind::OtherText => out.push_str(value),
                None => {
                    // Keep the whitespace around the value (an indented multi-line value).
                    let raw = &self.text[s.start..s.end];
                    let lead = raw.len() - raw.trim_start().len();
                    let trail = raw.len() - raw.trim_end().len();
                    if raw.trim().is_empty() {
                        out.push_str(value);
                    } else {
                        out.push_str(&raw[..lead]);
                        out.push_str(value);
                        out.push_str(&raw[raw.len() - trail..]);
                    }
                }
            }
            at = s.end;
            n += 1;
        }
        out.push_str(&self.text[at..]);
        Ok((crate::cil::xml::encode(&out, self.enc), n))
    }
}

/// Spans of key-shaped text: five groups of five letters or digits joined by dashes, or 25
/// key symbols in a row, not part of a longer run of letters, digits or dashes, that read
/// as a product key.
pub(crate) fn key_shapes(text: &str) -> Vec<(usize, usize)> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let is_sym = |c: u8| c.is_ascii_alphanumeric();
    let bounded = |start: usize, end: usize| {
        (start == 0 || !is_sym(b[start - 1]) && b[start - 1] != b'-')
            && (end == b.len() || !is_sym(b[end]) && b[end] != b'-')
    };
    let mut i = 0;
    while i < b.len() {
        let mut found = None;
        for len in [29, 25] {
            if i + len > b.len() {
                continue;
            }
            let candidate = &b[i..i + len];
            let shaped = if len == 29 {
                candidate
                    .iter()
                    .enumerate()
                    .all(|(j, &c)| if j % 6 == 5 { c == b'-' } else { is_sym(c) })
            } else {
                candidate.iter().all(|&c| is_sym(c))
            };
            // All ASCII, so the span is on character boundaries.
            if shaped && bounded(i, i + len) && ProductKey::parse(&text[i..i + len]).is_ok() {
                found = Some(len);
                break;
            }
        }
        match found {
            Some(len) => {
                out.push((i, i + len));
                i += len;
            }
            None => i += 1,
        }
    }
    out
}

/// `text` with every key-shaped part masked: what error messages quote from a file (an
/// element name can be a key).
fn mask_keys(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for (a, b) in key_shapes(text) {
        out.push_str(&text[at..a]);
        out.push_str(&masked_text(&text[a..b]));
        at = b;
    }
    out.push_str(&text[at..]);
    out
}

#[cfg(test)]
mod tests;
