//! Unattend.xml answer files (`volact_core::unattend`): the product key where Windows Setup
//! reads it, shown (masked), set and scrubbed, every other byte of the file kept. Files cross
//! as bytes in both directions: the core keeps their encoding (UTF-8 with or without BOM,
//! UTF-16 LE/BE with a BOM), so a Python `str` would lose it.

use super::*;
use volact_core::unattend::{UnattendError, UnattendFile};

impl From<UnattendError> for VolactError {
    fn from(e: UnattendError) -> Self {
        let kind = match &e {
            UnattendError::Encoding { .. } => "encoding",
            UnattendError::Xml { .. } => "xml",
            UnattendError::Dtd { .. } => "dtd",
            UnattendError::NotUnattend { .. } => "not_unattend",
            UnattendError::TooLarge { .. } => "too_large",
            UnattendError::NoKeyPlace => "no_key_place",
            UnattendError::ComplexValue { .. } => "complex_value",
            _ => "other",
        };
        VolactError::Unattend {
            message: mask_key_shapes(&e.to_string()),
            kind: kind.to_owned(),
        }
    }
}

/// `message` with every run of letters, digits and dashes that holds key-shaped text (25 key
/// symbols passing the key syntax rules, checksum or not) masked as the core masks a key.
///
/// The core's unattend errors quote names from the file (the root element, an entity in an
/// XML error), and a name may be a key (`<VKCF7-HV62C-…>` is a valid XML name). A mistyped
/// key is hidden too: it is most of the key.
fn mask_key_shapes(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    let mut run = String::new();
    let flush = |run: &mut String, out: &mut String| {
        let symbols: Vec<char> = run.chars().filter(|c| *c != '-').collect();
        let keyish = symbols.len() >= 25
            && symbols.windows(25).any(|w| {
                key::inspect(&w.iter().collect::<String>())
                    .fingerprint
                    .is_some()
            });
        out.push_str(&if keyish {
            key::masked_text(run)
        } else {
            std::mem::take(run)
        });
        run.clear();
    };
    for c in message.chars() {
        if c.is_ascii_alphanumeric() || c == '-' {
            run.push(c);
        } else {
            flush(&mut run, &mut out);
            out.push(c);
        }
    }
    flush(&mut run, &mut out);
    out
}

/// Every place of an answer file a product key is or could be read from, and the warnings,
/// as the core's report JSON (`Report::to_json`): `{"places": [{"kind", "path",
/// "line", "value": {"state": "empty"|"scrubbed"|"key"|"not_a_key", "masked", "kind",
/// "editions"}}], "warnings": [...]}`. Keys appear masked only. `catalog` classifies keys
/// (`mak`, `csvlk`, …); without one only published GVLKs are known, others are `unknown`.
/// Raises `VolactError.Unattend` (`kind` `encoding`, `xml`, `dtd`, `not_unattend`,
/// `too_large`).
#[uniffi::export(default(catalog = None))]
pub fn unattend_show(
    file: Vec<u8>,
    catalog: Option<Arc<UserCatalog>>,
) -> Result<String, VolactError> {
    let parsed = UnattendFile::parse(&file)?;
    let report = match catalog {
        Some(c) => parsed.report(&c.read()),
        None => parsed.report(&volact_core::catalog::UserCatalog::new()),
    };
    Ok(report.to_json())
}

/// The file with `key` in every place setup reads a product key from (windowsPE
/// `Microsoft-Windows-Setup` `UserData/ProductKey/Key`, specialize
/// `Microsoft-Windows-Shell-Setup` `ProductKey`: both, when both exist), every other byte
/// unchanged, in the file's encoding. Keys elsewhere (a command line) are left alone: see
/// `unattend_scrub`. Raises `VolactError.InvalidKey` (never holding the key),
/// `VolactError.Unattend` (also `no_key_place`, `complex_value`).
#[uniffi::export]
pub fn unattend_set_key(file: Vec<u8>, key: String) -> Result<Vec<u8>, VolactError> {
    let key = key::ProductKey::parse(&key)?;
    Ok(UnattendFile::parse(&file)?.set_key(&key)?)
}

/// The file with every key in it — setup's two places, other `ProductKey` elements and
/// keys written with dashes anywhere else (commands, comments) — replaced by `SENSITIVE*DATA*DELETED`, as
/// setup does at its end; every other byte unchanged. Raises `VolactError.Unattend`
/// (`complex_value` when a place holds markup).
#[uniffi::export]
pub fn unattend_scrub(file: Vec<u8>) -> Result<Vec<u8>, VolactError> {
    Ok(UnattendFile::parse(&file)?.scrub()?)
}

#[cfg(test)]
mod tests {
    use super::mask_key_shapes;

    #[test]
    fn key_shaped_runs_are_masked_and_names_are_not() {
        let m = mask_key_shapes(
            "not an answer file: the root element is <VKCF7-HV62C-944TY-YJ9NF-6Q83G>, not <unattend>",
        );
        assert_eq!(
            m,
            "not an answer file: the root element is <XXXXX-XXXXX-XXXXX-XXXXX-6Q83G>, not <unattend>"
        );
        // Without dashes, lowercase, inside a longer name, or with a checksum that fails.
        for k in [
            "vkcf7hv62c944tyyj9nf6q83g",
            "xVKCF7HV62C944TYYJ9NF6Q83Gx",
            "VKCF7-HV62C-944TY-YJ9NF-6Q83H",
        ] {
            let m = mask_key_shapes(&format!("entity &{k};"));
            assert!(m.starts_with("entity &XXXXX-XXXXX-XXXXX-XXXXX-"), "{m}");
        }
        let path = "line 3: specialize/Microsoft-Windows-Shell-Setup/ProductKey holds markup";
        assert_eq!(mask_key_shapes(path), path);
    }
}
