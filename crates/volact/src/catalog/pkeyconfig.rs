//! Microsoft `pkeyconfig` files: the XrML licenses Windows keeps in
//! `%SystemRoot%\System32\spp\tokens\pkeyconfig\*.xrm-ms` (and Office and Visual Studio
//! beside their own licenses), which map a key's group id and serial to an edition and a
//! channel. VAMT reads the same files to learn keys that are not GVLKs.
//!
//! Structure (facts.md §1.2 step 6, from the Microsoft files collected in
//! awuctl/licensing-stuff `pkeyconfigs/`, S14): an XrML `licenseGroup` whose license carries,
//! under `otherInfo/infoTables/infoList`, an `infoBin name="pkeyConfigData"` element holding
//! base64. The base64 decodes to a second XML document, `ProductKeyConfiguration`
//! (namespace `http://www.microsoft.com/DRM/PKEY/Configuration/2.0`), with three lists:
//!
//! ```text
//! Configurations/Configuration  ActConfigId RefGroupId EditionId ProductDescription
//!                               ProductKeyType IsRandomized
//! KeyRanges/KeyRange            RefActConfigId PartNumber EulaType IsValid Start End
//! PublicKeys/PublicKey          GroupId AlgorithmId PublicKeyValue
//! ```
//!
//! volact reads those fields and nothing else (not the signature, not `PublicKeyValue`).
//! Elements are matched by local name, so namespace prefixes do not matter. Both documents
//! may be UTF-8 or UTF-16 (by byte-order mark). DTDs are refused, never processed, and a
//! reference to any entity other than XML's five predefined ones is an error.
//!
//! The data classifies keys the administrator already has; volact never makes keys from it.
//!
//! ```
//! use volact::catalog::pkeyconfig;
//! let payload = "<ProductKeyConfiguration><Configurations><Configuration>\
//!     <ActConfigId>{00000000-0000-0000-0000-000000000001}</ActConfigId>\
//!     <RefGroupId>3892</RefGroupId><EditionId>Example</EditionId>\
//!     <ProductDescription>Example Volume:MAK</ProductDescription>\
//!     <ProductKeyType>Volume:MAK</ProductKeyType><IsRandomized>false</IsRandomized>\
//!     </Configuration></Configurations><KeyRanges/><PublicKeys/></ProductKeyConfiguration>";
//! let file = format!(
//!     "<licenseGroup><license><otherInfo><infoTables><infoList>\
//!      <infoBin name=\"pkeyConfigData\">{}</infoBin>\
//!      </infoList></infoTables></otherInfo></license></licenseGroup>",
//!     pkeyconfig::encode_base64_for_tests(payload.as_bytes())
//! );
//! let parsed = pkeyconfig::parse(file.as_bytes())?;
//! assert_eq!(parsed.configurations[0].ref_group_id, 3892);
//! assert_eq!(parsed.configurations[0].product_key_type, "Volume:MAK");
//! # Ok::<(), pkeyconfig::PkeyConfigError>(())
//! ```

use quick_xml::events::{BytesStart, Event};
use serde::{Deserialize, Serialize};
use std::fmt;

/// The `infoBin` `name` that holds the configuration.
const PAYLOAD_NAME: &str = "pkeyConfigData";

/// Limits that turn hostile input into typed errors.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Largest file accepted, in bytes. Windows 11's largest pkeyconfig is about 2 MB.
    pub max_bytes: usize,
    /// Deepest element nesting accepted, in either document.
    pub max_depth: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_bytes: 64 << 20,
            max_depth: 64,
        }
    }
}

/// Which of the two documents an error is in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Part {
    /// The XrML file itself.
    File,
    /// The decoded `pkeyConfigData` payload with this 0-based index (a file normally has one).
    Payload(usize),
}

impl fmt::Display for Part {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Part::File => f.write_str("the file"),
            Part::Payload(i) => write!(f, "pkeyConfigData payload {}", i + 1),
        }
    }
}

/// Why a pkeyconfig file cannot be read. Offsets are 0-based bytes into the named part (for a
/// payload: into its decoded text).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PkeyConfigError {
    /// The file is larger than the limit.
    #[error("{part} is {size} bytes, more than the limit of {limit}")]
    TooLarge {
        /// The file or a payload.
        part: Part,
        /// Its size.
        size: usize,
        /// The limit.
        limit: usize,
    },
    /// Not UTF-8 or UTF-16 text.
    #[error("{part}: encoding error at byte {offset}: {detail}")]
    Encoding {
        /// Where.
        part: Part,
        /// Byte offset.
        offset: usize,
        /// What is wrong.
        detail: String,
    },
    /// Not well-formed XML.
    #[error("{part}: XML error at byte {offset}: {detail}")]
    Xml {
        /// Where.
        part: Part,
        /// Byte offset.
        offset: usize,
        /// What is wrong.
        detail: String,
    },
    /// A document type declaration: pkeyconfig files have none, and volact processes none.
    #[error("{part}: a DTD at byte {offset}; pkeyconfig files have none and volact refuses them")]
    Dtd {
        /// Where.
        part: Part,
        /// Byte offset.
        offset: usize,
    },
    /// A reference to an entity other than XML's predefined five.
    #[error("{part}: reference to entity &{name}; at byte {offset}; entities are never expanded")]
    Entity {
        /// Where.
        part: Part,
        /// Byte offset.
        offset: usize,
        /// The entity name (at most 64 characters).
        name: String,
    },
    /// Elements nested deeper than the limit.
    #[error("{part}: elements nested deeper than {limit} at byte {offset}")]
    TooDeep {
        /// Where.
        part: Part,
        /// Byte offset.
        offset: usize,
        /// The limit.
        limit: usize,
    },
    /// No `infoBin name="pkeyConfigData"` element: not a pkeyconfig file.
    #[error(
        "no <infoBin name=\"pkeyConfigData\"> element: not a pkeyconfig file (they live in %SystemRoot%\\System32\\spp\\tokens\\pkeyconfig)"
    )]
    NoPayload,
    /// The payload is not valid base64.
    #[error("pkeyConfigData payload {}: invalid base64 at character {}: {detail}", payload + 1, offset + 1)]
    Base64 {
        /// 0-based payload index.
        payload: usize,
        /// 0-based character offset in the element's text.
        offset: usize,
        /// What is wrong.
        detail: &'static str,
    },
    /// The payload's root element is not `ProductKeyConfiguration`, or it has none.
    #[error("{part}: the root element is <{found}>, expected <ProductKeyConfiguration>")]
    NotProductKeyConfiguration {
        /// Where.
        part: Part,
        /// The root element's local name (at most 64 characters; empty when there is none).
        found: String,
    },
    /// A required field is missing from a record.
    #[error("{part}: {record} {} has no <{field}>", index + 1)]
    MissingField {
        /// Where.
        part: Part,
        /// `Configuration`, `KeyRange` or `PublicKey`.
        record: &'static str,
        /// 0-based index among the records of its kind in the payload.
        index: usize,
        /// The field.
        field: &'static str,
    },
    /// A field's value is not what the format calls for.
    #[error("{part}: {record} {} has <{field}>{value}</{field}>: expected {expected}", index + 1)]
    BadField {
        /// Where.
        part: Part,
        /// `Configuration`, `KeyRange` or `PublicKey`.
        record: &'static str,
        /// 0-based index among the records of its kind in the payload.
        index: usize,
        /// The field.
        field: &'static str,
        /// The value found (at most 64 characters).
        value: String,
        /// What was expected.
        expected: &'static str,
    },
}

/// One `Configuration`: a group of keys for one edition and channel.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Configuration {
    /// `ActConfigId`, a braced GUID, lowercased (the key the ranges refer to).
    pub act_config_id: String,
    /// `RefGroupId`: the group id a pkey2009 key decodes to (facts.md §1.2).
    pub ref_group_id: u32,
    /// `EditionId`, e.g. `Enterprise` (several, `;`-separated, for CSVLKs).
    pub edition_id: String,
    /// `ProductDescription`, e.g. `Win 10 RTM Enterprise Volume:GVLK`.
    pub product_description: String,
    /// `ProductKeyType`: the channel, e.g. `Volume:MAK` (facts.md §1.5).
    pub product_key_type: String,
    /// `IsRandomized`.
    pub is_randomized: bool,
}

/// One `KeyRange`: serials of a configuration's group.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct KeyRange {
    /// `RefActConfigId`, lowercased: the configuration this range belongs to.
    pub ref_act_config_id: String,
    /// `PartNumber`, e.g. `X18-10776`.
    pub part_number: String,
    /// `EulaType`, e.g. `Volume`, `Retail`, `OEM`.
    pub eula_type: String,
    /// `IsValid`: an invalid range classifies nothing.
    pub is_valid: bool,
    /// `Start`: the first serial.
    pub start: u32,
    /// `End`: the last serial (inclusive).
    pub end: u32,
}

impl KeyRange {
    /// Whether a serial is in this valid range.
    pub fn covers(&self, serial: u32) -> bool {
        self.is_valid && self.start <= serial && serial <= self.end
    }
}

/// One `PublicKey`, without its value: which algorithm a group's keys follow.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct PublicKey {
    /// `GroupId`.
    pub group_id: u32,
    /// `AlgorithmId`, e.g. `msft:rm/algorithm/pkey/2009`.
    pub algorithm_id: String,
}

/// What a pkeyconfig file holds (every payload of it, in order).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct PkeyConfig {
    /// The configurations.
    pub configurations: Vec<Configuration>,
    /// The key ranges.
    pub key_ranges: Vec<KeyRange>,
    /// The public keys' group ids and algorithms.
    pub public_keys: Vec<PublicKey>,
}

/// Parses a pkeyconfig file with the default [`Limits`].
pub fn parse(bytes: &[u8]) -> Result<PkeyConfig, PkeyConfigError> {
    parse_with_limits(bytes, Limits::default())
}

/// Parses a pkeyconfig file.
pub fn parse_with_limits(bytes: &[u8], limits: Limits) -> Result<PkeyConfig, PkeyConfigError> {
    let text = decode(bytes, Part::File, limits)?;
    let payloads = payloads(&text, limits)?;
    if payloads.is_empty() {
        return Err(PkeyConfigError::NoPayload);
    }
    let mut out = PkeyConfig::default();
    for (i, b64) in payloads.iter().enumerate() {
        let raw = base64_decode(b64).map_err(|(offset, detail)| PkeyConfigError::Base64 {
            payload: i,
            offset,
            detail,
        })?;
        let part = Part::Payload(i);
        let inner = decode(&raw, part, limits)?;
        read_payload(&inner, part, limits, &mut out)?;
    }
    Ok(out)
}

/// Text of a document by byte-order mark (UTF-8 or UTF-16), within the size limit.
fn decode(bytes: &[u8], part: Part, limits: Limits) -> Result<String, PkeyConfigError> {
    if bytes.len() > limits.max_bytes {
        return Err(PkeyConfigError::TooLarge {
            part,
            size: bytes.len(),
            limit: limits.max_bytes,
        });
    }
    crate::cil::xml::decode(bytes.to_vec())
        .map(|(text, _)| text)
        .map_err(|e| match e {
            crate::cil::CilError::Encoding { offset, detail } => PkeyConfigError::Encoding {
                part,
                offset,
                detail,
            },
            other => PkeyConfigError::Encoding {
                part,
                offset: 0,
                detail: other.to_string(),
            },
        })
}

/// Truncates a value for an error message.
fn clip(s: &str) -> String {
    s.chars().take(64).collect()
}

/// What the walker reports.
enum Visit<'a, 'e> {
    /// An element opened; `path` holds the local names from the root to it.
    Open {
        path: &'a [String],
        start: &'a BytesStart<'e>,
    },
    /// Text (unescaped) directly inside the element at the end of `path`.
    Text { path: &'a [String], text: &'a str },
    /// The element at the end of `path` closed.
    Close { path: &'a [String] },
}

/// Runs a strict reader over a document: no DTD, no entities beyond the predefined ones,
/// bounded depth, checked end tags.
fn walk(
    text: &str,
    part: Part,
    limits: Limits,
    mut visit: impl FnMut(Visit<'_, '_>, usize) -> Result<(), PkeyConfigError>,
) -> Result<(), PkeyConfigError> {
    let mut reader = quick_xml::Reader::from_str(text);
    let config = reader.config_mut();
    config.trim_text(false);
    config.check_end_names = true;
    config.expand_empty_elements = false;
    let mut path: Vec<String> = Vec::new();
    loop {
        let offset = reader.buffer_position() as usize;
        let event = reader.read_event().map_err(|e| PkeyConfigError::Xml {
            part,
            offset: reader.error_position() as usize,
            detail: e.to_string(),
        })?;
        let xml_error = |detail: String| PkeyConfigError::Xml {
            part,
            offset,
            detail,
        };
        match event {
            Event::Eof => break,
            Event::DocType(_) => return Err(PkeyConfigError::Dtd { part, offset }),
            Event::Start(ref e) | Event::Empty(ref e) => {
                if path.len() >= limits.max_depth {
                    return Err(PkeyConfigError::TooDeep {
                        part,
                        offset,
                        limit: limits.max_depth,
                    });
                }
                let name = e.local_name().as_ref().to_owned();
                path.push(name);
                visit(
                    Visit::Open {
                        path: &path,
                        start: e,
                    },
                    offset,
                )?;
                if matches!(event, Event::Empty(_)) {
                    visit(Visit::Close { path: &path }, offset)?;
                    path.pop();
                }
            }
            Event::End(_) => {
                visit(Visit::Close { path: &path }, offset)?;
                path.pop();
            }
            Event::Text(ref t) => {
                let s = t.xml10_content();
                visit(
                    Visit::Text {
                        path: &path,
                        text: &s,
                    },
                    offset,
                )?;
            }
            Event::CData(ref c) => {
                let s = c.xml10_content();
                visit(
                    Visit::Text {
                        path: &path,
                        text: &s,
                    },
                    offset,
                )?;
            }
            Event::GeneralRef(ref r) => {
                let name = r.xml10_content();
                let resolved = match r.resolve_char_ref() {
                    Ok(Some(c)) => c.to_string(),
                    Ok(None) => match quick_xml::escape::resolve_predefined_entity(&name) {
                        Some(s) => s.to_owned(),
                        None => {
                            return Err(PkeyConfigError::Entity {
                                part,
                                offset,
                                name: clip(&name),
                            });
                        }
                    },
                    Err(e) => return Err(xml_error(e.to_string())),
                };
                visit(
                    Visit::Text {
                        path: &path,
                        text: &resolved,
                    },
                    offset,
                )?;
            }
            Event::Comment(_) | Event::PI(_) | Event::Decl(_) => {}
        }
    }
    Ok(())
}

/// The base64 texts of every `infoBin name="pkeyConfigData"` element, wherever it stands.
fn payloads(text: &str, limits: Limits) -> Result<Vec<String>, PkeyConfigError> {
    let mut found = Vec::new();
    let mut open: Option<(usize, String)> = None;
    walk(text, Part::File, limits, |visit, _| {
        match visit {
            Visit::Open { path, start } => {
                if open.is_none() && path.last().is_some_and(|n| n == "infoBin") {
                    let named = start.attributes().any(|a| {
                        a.is_ok_and(|a| {
                            a.key.local_name().as_ref() == "name"
                                && a.value.as_ref() == PAYLOAD_NAME
                        })
                    });
                    if named {
                        open = Some((path.len(), String::new()));
                    }
                }
            }
            Visit::Text { path, text } => {
                if let Some((depth, buf)) = open.as_mut()
                    && path.len() == *depth
                {
                    if buf.len() + text.len() > limits.max_bytes {
                        return Err(PkeyConfigError::TooLarge {
                            part: Part::Payload(found.len()),
                            size: buf.len() + text.len(),
                            limit: limits.max_bytes,
                        });
                    }
                    buf.push_str(text);
                }
            }
            Visit::Close { path } => {
                if open.as_ref().is_some_and(|(d, _)| *d == path.len())
                    && let Some((_, buf)) = open.take()
                {
                    found.push(buf);
                }
            }
        }
        Ok(())
    })?;
    Ok(found)
}

/// The three record kinds and the list element each lives in.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Record {
    Configuration,
    KeyRange,
    PublicKey,
}

impl Record {
    fn of(list: &str, item: &str) -> Option<Record> {
        match (list, item) {
            ("Configurations", "Configuration") => Some(Record::Configuration),
            ("KeyRanges", "KeyRange") => Some(Record::KeyRange),
            ("PublicKeys", "PublicKey") => Some(Record::PublicKey),
            _ => None,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Record::Configuration => "Configuration",
            Record::KeyRange => "KeyRange",
            Record::PublicKey => "PublicKey",
        }
    }
}

/// The fields of one record being read: (local name, text).
struct Fields {
    record: Record,
    index: usize,
    part: Part,
    values: Vec<(String, String)>,
}

impl Fields {
    fn get(&self, field: &'static str) -> Option<&str> {
        self.values
            .iter()
            .find(|(n, _)| n == field)
            .map(|(_, v)| v.trim())
    }

    fn required(&self, field: &'static str) -> Result<&str, PkeyConfigError> {
        self.get(field).ok_or(PkeyConfigError::MissingField {
            part: self.part,
            record: self.record.name(),
            index: self.index,
            field,
        })
    }

    fn optional(&self, field: &'static str) -> String {
        self.get(field).unwrap_or("").to_owned()
    }

    fn bad(&self, field: &'static str, value: &str, expected: &'static str) -> PkeyConfigError {
        PkeyConfigError::BadField {
            part: self.part,
            record: self.record.name(),
            index: self.index,
            field,
            value: clip(value),
            expected,
        }
    }

    fn number(&self, field: &'static str) -> Result<u32, PkeyConfigError> {
        let v = self.required(field)?;
        v.parse::<u32>()
            .map_err(|_| self.bad(field, v, "a decimal number below 2^32"))
    }

    fn flag(&self, field: &'static str, value: &str) -> Result<bool, PkeyConfigError> {
        match value.to_ascii_lowercase().as_str() {
            "true" => Ok(true),
            "false" | "" => Ok(false),
            _ => Err(self.bad(field, value, "true or false")),
        }
    }

    fn guid(&self, field: &'static str) -> Result<String, PkeyConfigError> {
        let v = self.required(field)?;
        if v.is_empty() || v.len() > 64 {
            return Err(self.bad(field, v, "a GUID"));
        }
        Ok(v.to_ascii_lowercase())
    }

    fn finish(self, out: &mut PkeyConfig) -> Result<(), PkeyConfigError> {
        match self.record {
            Record::Configuration => out.configurations.push(Configuration {
                act_config_id: self.guid("ActConfigId")?,
                ref_group_id: self.number("RefGroupId")?,
                edition_id: self.optional("EditionId"),
                product_description: self.optional("ProductDescription"),
                product_key_type: self.required("ProductKeyType")?.to_owned(),
                is_randomized: self.flag("IsRandomized", &self.optional("IsRandomized"))?,
            }),
            Record::KeyRange => {
                let start = self.number("Start")?;
                let end = self.number("End")?;
                if end < start {
                    return Err(self.bad("End", &end.to_string(), "an End not below Start"));
                }
                out.key_ranges.push(KeyRange {
                    ref_act_config_id: self.guid("RefActConfigId")?,
                    part_number: self.optional("PartNumber"),
                    eula_type: self.optional("EulaType"),
                    is_valid: self.flag("IsValid", self.required("IsValid")?)?,
                    start,
                    end,
                });
            }
            Record::PublicKey => out.public_keys.push(PublicKey {
                group_id: self.number("GroupId")?,
                algorithm_id: self.required("AlgorithmId")?.to_owned(),
            }),
        }
        Ok(())
    }
}

/// Reads one `ProductKeyConfiguration` document into `out`.
fn read_payload(
    text: &str,
    part: Part,
    limits: Limits,
    out: &mut PkeyConfig,
) -> Result<(), PkeyConfigError> {
    let mut record: Option<Fields> = None;
    let mut counts = [0usize; 3];
    let mut rooted = false;
    walk(text, part, limits, |visit, _| {
        match visit {
            Visit::Open { path, .. } => match path {
                [root] if root != "ProductKeyConfiguration" => {
                    return Err(PkeyConfigError::NotProductKeyConfiguration {
                        part,
                        found: clip(root),
                    });
                }
                [_] => rooted = true,
                [_, list, item] => {
                    if let Some(kind) = Record::of(list, item) {
                        let slot = &mut counts[kind as usize];
                        record = Some(Fields {
                            record: kind,
                            index: *slot,
                            part,
                            values: Vec::new(),
                        });
                        *slot += 1;
                    }
                }
                [_, _, _, field] => {
                    if let Some(r) = record.as_mut() {
                        r.values.push((field.clone(), String::new()));
                    }
                }
                _ => {}
            },
            Visit::Text { path, text } => {
                if path.len() == 4
                    && let Some((_, v)) = record.as_mut().and_then(|r| r.values.last_mut())
                {
                    v.push_str(text);
                }
            }
            Visit::Close { path } => {
                if path.len() == 3
                    && let Some(r) = record.take()
                {
                    r.finish(out)?;
                }
            }
        }
        Ok(())
    })?;
    if rooted {
        Ok(())
    } else {
        Err(PkeyConfigError::NotProductKeyConfiguration {
            part,
            found: String::new(),
        })
    }
}

/// The standard base64 alphabet's value of a byte, or 0xFF.
fn b64_value(b: u8) -> u8 {
    match b {
        b'A'..=b'Z' => b - b'A',
        b'a'..=b'z' => b - b'a' + 26,
        b'0'..=b'9' => b - b'0' + 52,
        b'+' => 62,
        b'/' => 63,
        _ => 0xFF,
    }
}

/// Strict standard base64 (RFC 4648 §4) with `=` padding; XML whitespace between characters
/// is skipped (XrML writers may wrap the text). Errors are (character offset, detail).
fn base64_decode(text: &str) -> Result<Vec<u8>, (usize, &'static str)> {
    let mut out = Vec::with_capacity(text.len() / 4 * 3);
    let mut quad = [0u8; 4];
    let mut n = 0usize;
    let mut padding = 0usize;
    let mut last = 0usize;
    for (i, b) in text.bytes().enumerate() {
        if matches!(b, b' ' | b'\t' | b'\r' | b'\n') {
            continue;
        }
        last = i;
        if b == b'=' {
            if n < 2 {
                return Err((i, "padding too early"));
            }
            padding += 1;
            quad[n] = 0;
            n += 1;
        } else {
            if padding > 0 {
                return Err((i, "data after padding"));
            }
            let v = b64_value(b);
            if v == 0xFF {
                return Err((i, "not a base64 character"));
            }
            quad[n] = v;
            n += 1;
        }
        if n == 4 {
            let bits = u32::from(quad[0]) << 18
                | u32::from(quad[1]) << 12
                | u32::from(quad[2]) << 6
                | u32::from(quad[3]);
            let bytes = [(bits >> 16) as u8, (bits >> 8) as u8, bits as u8];
            let keep = 3 - padding;
            // Non-canonical encodings (bits set in the padding) are refused: strict.
            if padding > 0 && bits & ((1 << (8 * padding)) - 1) != 0 {
                return Err((i, "non-zero bits before padding"));
            }
            out.extend_from_slice(&bytes[..keep]);
            n = 0;
            if padding > 0 {
                padding = 3; // any later data character is "data after padding"
            }
        }
    }
    if n != 0 {
        return Err((last, "length is not a multiple of 4"));
    }
    Ok(out)
}

/// Standard base64 with padding, for building test documents (not used by volact itself).
#[doc(hidden)]
pub fn encode_base64_for_tests(bytes: &[u8]) -> String {
    const ALPHA: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut s = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let bits = u32::from(b[0]) << 16 | u32::from(b[1]) << 8 | u32::from(b[2]);
        for j in 0..4 {
            if j <= chunk.len() {
                s.push(char::from(ALPHA[(bits >> (18 - 6 * j)) as usize & 63]));
            } else {
                s.push('=');
            }
        }
    }
    s
}

#[cfg(test)]
mod tests;
