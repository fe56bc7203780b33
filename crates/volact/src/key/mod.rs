//! Product keys: parsing, pkey2009 decoding and checksum, masking and fingerprints.
//!
//! A key is 25 symbols from `BCDFGHJKMPQRTVWXY2346789`, shown in five dashed groups. Keys
//! with exactly one `N` are **pkey2009** (Windows 8 and later, Office 2013 and later): they
//! decode into a group id, serial, security value and a checksum volact verifies offline.
//! Keys with no `N` are **pkey2005** (Vista/7/2008 era, and many CSVLKs): Microsoft
//! publishes no offline check for them, so only their syntax is validated.
//! Source: facts.md §1.1–§1.2.
//!
//! Key material never leaves a [`ProductKey`] by accident: `Debug` and `Display` show the
//! masked form `XXXXX-XXXXX-XXXXX-XXXXX-2YT43` (the last five symbols, which Windows itself
//! shows as `PartialProductKey`); [`ProductKey::reveal`] is the one explicit way out.
//!
//! ```
//! use volact::key::{Algorithm, KeyError, ProductKey};
//! let key = ProductKey::parse(" w269n WFGWX yvc9b 4j6c9 t83gx ")?;
//! assert_eq!(key.algorithm(), Algorithm::Pkey2009);
//! assert_eq!(key.reveal(), "W269N-WFGWX-YVC9B-4J6C9-T83GX");
//! assert!(matches!(
//!     ProductKey::parse("NPPR9-FWDCX-D2C8J-H872K-2YT44"),
//!     Err(KeyError::Checksum { .. })
//! ));
//! # Ok::<(), KeyError>(())
//! ```

mod alphabet;
mod batch;
mod dpid;
mod pkey2009;
mod report;

pub use alphabet::ALPHABET;
pub use batch::{BatchStatus, check_batch};
pub use dpid::{DigitalProductIdError, DpidLayout, decode_digital_product_id};
pub use pkey2009::Pkey2009;
pub use report::{KeyReport, inspect, masked_text};

use alphabet::{CLASS, INVALID, N, SEPARATOR};
use sha2::{Digest, Sha256};
use std::fmt;

/// Which key algorithm a key follows (pkeyconfig `<AlgorithmId>`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Algorithm {
    /// `msft:rm/algorithm/pkey/2005`: no `N`, syntax only.
    Pkey2005,
    /// `msft:rm/algorithm/pkey/2009`: one `N`, decodable, checksummed.
    Pkey2009,
}

impl Algorithm {
    /// `"pkey2005"` or `"pkey2009"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Algorithm::Pkey2005 => "pkey2005",
            Algorithm::Pkey2009 => "pkey2009",
        }
    }
}

impl fmt::Display for Algorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why a text is not a valid product key. Positions are 0-based character indices into the
/// text as given; messages count characters from 1. No variant carries the key itself.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum KeyError {
    /// A character that is neither a key symbol, `N`, a dash nor ASCII whitespace.
    #[error(
        "invalid character {found:?} at character {}: keys use BCDFGHJKMPQRTVWXY2346789 and one N",
        position + 1
    )]
    InvalidCharacter {
        /// 0-based character index in the input.
        position: usize,
        /// The character found there.
        found: char,
    },
    /// Not 25 key symbols once dashes and whitespace are removed.
    #[error("wrong length: {found} key characters, expected 25")]
    Length {
        /// How many symbols the input held.
        found: usize,
    },
    /// A second `N`: pkey2009 keys carry exactly one.
    #[error("more than one N: another N at character {}", position + 1)]
    MultipleN {
        /// 0-based character index of the second `N`.
        position: usize,
    },
    /// `N` as the 25th symbol: its index is a base-24 digit, so it can only be 0..=23.
    #[error("N cannot be the last key character (character {})", position + 1)]
    NInLastPosition {
        /// 0-based character index of that `N`.
        position: usize,
    },
    /// The pkey2009 checksum does not match the key's contents: a mistyped key.
    #[error(
        "checksum mismatch: the key carries {stored:#05x} but its contents give {computed:#05x}"
    )]
    Checksum {
        /// The 10-bit checksum in the key.
        stored: u16,
        /// The checksum its other bits call for.
        computed: u16,
    },
}

impl KeyError {
    /// The 0-based character index the error points at, where it points at one.
    pub fn position(&self) -> Option<usize> {
        match *self {
            KeyError::InvalidCharacter { position, .. }
            | KeyError::MultipleN { position }
            | KeyError::NInLastPosition { position } => Some(position),
            KeyError::Length { .. } | KeyError::Checksum { .. } => None,
        }
    }
}

/// A syntactically valid product key (and, for pkey2009, one whose checksum holds).
///
/// `Debug` and `Display` mask it; use [`ProductKey::reveal`] to get the key itself.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct ProductKey {
    /// The 25 symbols, uppercase, without dashes.
    chars: [u8; 25],
    algorithm: Algorithm,
}

/// A key that passed the syntax rules; pkey2009 keys are decoded but not yet checksummed.
#[derive(Clone, Copy)]
pub(crate) struct Syntax {
    /// Class values 0..=24 (24 = `N`) in key order.
    classes: [u8; 25],
    /// Where the `N` stands, for pkey2009.
    n_index: Option<usize>,
}

impl Syntax {
    /// Normalises and checks the syntax of a key text.
    pub(crate) fn parse(input: &str) -> Result<Self, KeyError> {
        let classes = classes_of(input)?;
        let mut n_index = None;
        for (i, &c) in classes.iter().enumerate() {
            if c == N {
                if n_index.is_some() {
                    return Err(KeyError::MultipleN {
                        position: input_position(input, i),
                    });
                }
                n_index = Some(i);
            }
        }
        if n_index == Some(24) {
            return Err(KeyError::NInLastPosition {
                position: input_position(input, 24),
            });
        }
        Ok(Syntax { classes, n_index })
    }

    pub(crate) fn algorithm(&self) -> Algorithm {
        match self.n_index {
            Some(_) => Algorithm::Pkey2009,
            None => Algorithm::Pkey2005,
        }
    }

    /// The key as one base-24 number. For pkey2009 the most significant digit is the index
    /// of `N`, followed by the other 24 symbols (facts.md §1.2 step 3).
    pub(crate) fn value(&self) -> u128 {
        match self.n_index {
            None => pkey2009::fold(&self.classes),
            Some(idx) => {
                let c = &self.classes;
                let mut d = [0u8; 25];
                d[0] = idx as u8;
                // Digit j (1..25) is the (j-1)th symbol before N, the jth after it: a select
                // per digit rather than a data-dependent copy, so it vectorises.
                for j in 1..25 {
                    d[j] = if j - 1 < idx { c[j - 1] } else { c[j] };
                }
                pkey2009::fold(&d)
            }
        }
    }

    /// The decoded fields and the checksum the contents call for (pkey2009 only).
    pub(crate) fn decode(&self) -> Option<(Pkey2009, u16)> {
        self.n_index?;
        let value = self.value();
        Some((
            Pkey2009::from_value(value),
            pkey2009::expected_checksum(value),
        ))
    }

    pub(crate) fn into_key(self) -> ProductKey {
        let mut chars = [0u8; 25];
        for (out, &c) in chars.iter_mut().zip(self.classes.iter()) {
            *out = alphabet::symbol(c);
        }
        ProductKey {
            chars,
            algorithm: self.algorithm(),
        }
    }
}

/// The 25 class values of a key text, or the first syntax error in it.
#[inline]
fn classes_of(input: &str) -> Result<[u8; 25], KeyError> {
    let b = input.as_bytes();
    // Fast path: the canonical dashed shape, which is how keys are almost always written.
    if b.len() == 29 && b[5] == b'-' && b[11] == b'-' && b[17] == b'-' && b[23] == b'-' {
        let mut v = [0u8; 25];
        for (i, slot) in v.iter_mut().enumerate() {
            *slot = CLASS[usize::from(b[i + i / 5])];
        }
        if v.iter().all(|&c| c <= N) {
            return Ok(v);
        }
    }
    let mut v = [0u8; 25];
    let mut n = 0usize;
    for (position, ch) in input.chars().enumerate() {
        let class = if ch.is_ascii() {
            CLASS[ch as usize]
        } else {
            INVALID
        };
        match class {
            SEPARATOR => {}
            INVALID => {
                return Err(KeyError::InvalidCharacter {
                    position,
                    found: ch,
                });
            }
            c => {
                if n < 25 {
                    v[n] = c;
                }
                n += 1;
            }
        }
    }
    if n != 25 {
        return Err(KeyError::Length { found: n });
    }
    Ok(v)
}

/// The character index in `input` of the `key_index`th key symbol (only for error reports).
fn input_position(input: &str, key_index: usize) -> usize {
    input
        .chars()
        .enumerate()
        .filter(|&(_, ch)| !(ch == '-' || ch.is_ascii_whitespace()))
        .nth(key_index)
        .map_or(0, |(pos, _)| pos)
}

impl ProductKey {
    /// Parses a key in any case, with or without dashes, with ASCII whitespace anywhere, and
    /// verifies the pkey2009 checksum.
    pub fn parse(input: &str) -> Result<Self, KeyError> {
        let syntax = Syntax::parse(input)?;
        if let Some((fields, computed)) = syntax.decode()
            && fields.checksum != computed
        {
            return Err(KeyError::Checksum {
                stored: fields.checksum,
                computed,
            });
        }
        Ok(syntax.into_key())
    }

    /// Whether the text is a valid key; the same rules as [`ProductKey::parse`], without
    /// building one. This is the hot path of bulk checks.
    pub fn is_valid(input: &str) -> bool {
        Syntax::parse(input).is_ok_and(|syntax| {
            syntax
                .decode()
                .is_none_or(|(fields, computed)| fields.checksum == computed)
        })
    }

    /// The key algorithm.
    pub fn algorithm(&self) -> Algorithm {
        self.algorithm
    }

    /// The decoded fields of a pkey2009 key; `None` for pkey2005.
    pub fn pkey2009(&self) -> Option<Pkey2009> {
        self.syntax().decode().map(|(fields, _)| fields)
    }

    fn syntax(&self) -> Syntax {
        let mut classes = [0u8; 25];
        for (out, &ch) in classes.iter_mut().zip(self.chars.iter()) {
            *out = CLASS[usize::from(ch)];
        }
        Syntax {
            classes,
            n_index: self.chars.iter().position(|&c| c == b'N'),
        }
    }

    /// The key itself, canonical: uppercase, five dashed groups. The one way key material
    /// leaves a `ProductKey`; call it only where the user asked to see the key.
    pub fn reveal(&self) -> String {
        let mut s = String::with_capacity(29);
        for (i, &c) in self.chars.iter().enumerate() {
            if i > 0 && i % 5 == 0 {
                s.push('-');
            }
            s.push(char::from(c));
        }
        s
    }

    /// The last five symbols, as Windows reports them (`PartialProductKey`).
    pub fn partial(&self) -> &str {
        // The symbols are ASCII by construction.
        std::str::from_utf8(&self.chars[20..]).unwrap_or("")
    }

    /// The masked form, `XXXXX-XXXXX-XXXXX-XXXXX-` followed by [`ProductKey::partial`].
    pub fn masked(&self) -> String {
        format!("XXXXX-XXXXX-XXXXX-XXXXX-{}", self.partial())
    }

    /// SHA-256 of the canonical form ([`ProductKey::reveal`]) as lowercase hex: a stable
    /// identifier to log, store or compare keys without holding them.
    pub fn fingerprint(&self) -> String {
        fingerprint_of(&self.reveal())
    }
}

pub(crate) fn fingerprint_of(canonical: &str) -> String {
    let digest = Sha256::digest(canonical.as_bytes());
    let mut hex = String::with_capacity(64);
    for byte in digest.iter() {
        hex.push(char::from(b"0123456789abcdef"[usize::from(byte >> 4)]));
        hex.push(char::from(b"0123456789abcdef"[usize::from(byte & 0xF)]));
    }
    hex
}

impl fmt::Display for ProductKey {
    /// The masked form; `{:#}` is not a way around it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.masked())
    }
}

impl fmt::Debug for ProductKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ProductKey({}, {})", self.masked(), self.algorithm)
    }
}

impl std::str::FromStr for ProductKey {
    type Err = KeyError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        ProductKey::parse(s)
    }
}

#[cfg(test)]
mod tests;
