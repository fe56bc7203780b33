//! Everything volact can say about one key text, valid or not: the record behind
//! `volact key inspect`, the C ABI's key info and the Python and C# inspect calls.

use super::{Algorithm, KeyError, Pkey2009, ProductKey, Syntax, fingerprint_of};

/// The inspection of one key text. Built by [`inspect`]; never holds the key unmasked
/// except inside [`KeyReport::key`], which masks itself.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct KeyReport {
    /// The algorithm, when the text passes the syntax rules.
    pub algorithm: Option<Algorithm>,
    /// The decoded fields of a pkey2009 key, also when its checksum fails.
    pub fields: Option<Pkey2009>,
    /// The masked form (see [`masked_text`] for texts that are not keys).
    pub masked: String,
    /// SHA-256 of the canonical form, when the text passes the syntax rules.
    pub fingerprint: Option<String>,
    /// The key, when it is valid.
    pub key: Option<ProductKey>,
    /// Why the text is not a valid key.
    pub error: Option<KeyError>,
    /// The text in key form whenever it passes the syntax rules, checksum or not.
    parsed: Option<ProductKey>,
}

impl KeyReport {
    /// Whether the text is a valid key.
    pub fn is_valid(&self) -> bool {
        self.error.is_none()
    }

    /// The canonical form of the text whenever it passes the syntax rules, also when its
    /// checksum fails (to show the user what was typed). An explicit reveal, like
    /// [`ProductKey::reveal`].
    pub fn reveal(&self) -> Option<String> {
        self.parsed.as_ref().map(ProductKey::reveal)
    }
}

/// Inspects a key text: syntax, algorithm, pkey2009 fields and checksum, masked form and
/// fingerprint. A pkey2009 key whose checksum fails still reports its fields.
///
/// ```
/// let r = volact::key::inspect("NPPR9-FWDCX-D2C8J-H872K-2YT44");
/// assert!(!r.is_valid());
/// assert_eq!(r.fields.unwrap().group_id, 3291); // decodes, but the checksum fails
/// assert_eq!(r.masked, "XXXXX-XXXXX-XXXXX-XXXXX-2YT44");
/// ```
pub fn inspect(input: &str) -> KeyReport {
    let syntax = match Syntax::parse(input) {
        Ok(syntax) => syntax,
        Err(error) => {
            return KeyReport {
                algorithm: None,
                fields: None,
                masked: masked_text(input),
                fingerprint: None,
                key: None,
                error: Some(error),
                parsed: None,
            };
        }
    };
    let decoded = syntax.decode();
    let error = decoded.and_then(|(fields, computed)| {
        (fields.checksum != computed).then_some(KeyError::Checksum {
            stored: fields.checksum,
            computed,
        })
    });
    let key = syntax.into_key();
    KeyReport {
        algorithm: Some(syntax.algorithm()),
        fields: decoded.map(|(fields, _)| fields),
        masked: key.masked(),
        fingerprint: Some(fingerprint_of(&key.reveal())),
        key: error.is_none().then(|| key.clone()),
        error,
        parsed: Some(key),
    }
}

/// Masks any text the way a key is masked: `XXXXX-XXXXX-XXXXX-XXXXX-` followed by the last
/// five characters of the text once dashes and whitespace are dropped and it is uppercased
/// (fewer when the text is shorter). Never shows more than five characters, whatever the
/// text's length, so a mangled key is hidden as well as a valid one.
pub fn masked_text(input: &str) -> String {
    let chars: Vec<char> = input
        .chars()
        .filter(|&c| !(c == '-' || c.is_ascii_whitespace()))
        .map(|c| c.to_ascii_uppercase())
        .collect();
    let tail: String = chars[chars.len().saturating_sub(5)..].iter().collect();
    format!("XXXXX-XXXXX-XXXXX-XXXXX-{tail}")
}
