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
    // Always inlined: with the general path and the error reports kept out of line, what is
    // left is short, and inlining it into each caller lets the classes stay in registers
    // through the decoding instead of going through memory.
    #[inline(always)]
    pub(crate) fn parse(input: &str) -> Result<Self, KeyError> {
        let classes = classes_of(input)?;
        let n_bits = n_positions(&classes);
        // At most one N, and not in the last place.
        if n_bits & n_bits.wrapping_sub(1) != 0 || n_bits == 1 << 24 {
            return Err(n_placement_error(input, n_bits));
        }
        let n_index = (n_bits != 0).then(|| n_bits.trailing_zeros() as usize);
        Ok(Syntax { classes, n_index })
    }

    pub(crate) fn algorithm(&self) -> Algorithm {
        match self.n_index {
            Some(_) => Algorithm::Pkey2009,
            None => Algorithm::Pkey2005,
        }
    }

    /// The key as one base-24 number. For pkey2009 the most significant digit is the index
    /// of `N`, followed by the other 24 symbols (facts.md §1.2 step 3); for pkey2005 it is
    /// the 25 symbols as they stand.
    #[inline]
    pub(crate) fn value(&self) -> u128 {
        let c = &self.classes;
        // Both cases are "a leading digit, then the 24 symbols other than one": the one
        // dropped is the `N` for pkey2009 and the first symbol (which leads) for pkey2005.
        let (lead, cut) = match self.n_index {
            Some(idx) => (idx as u8, idx),
            None => (c[0], 0),
        };
        pkey2009::fold_words(lead, pkey2009::drop_digit(c, cut))
    }

    /// The decoded fields and the checksum the contents call for (pkey2009 only).
    #[inline(always)]
    pub(crate) fn decode(&self) -> Option<(Pkey2009, u16)> {
        self.n_index?;
        let value = self.value();
        Some((
            Pkey2009::from_value(value),
            pkey2009::expected_checksum(value),
        ))
    }

    pub(crate) fn into_key(self) -> ProductKey {
        ProductKey {
            chars: self.classes.map(alphabet::symbol),
            algorithm: self.algorithm(),
        }
    }
}

/// The 25 class values of a key text, or the first syntax error in it.
#[inline(always)]
fn classes_of(input: &str) -> Result<[u8; 25], KeyError> {
    match dashed_classes(input.as_bytes()) {
        Some(classes) => Ok(classes),
        None => classes_general(input),
    }
}

/// The fast path: the classes of a key in the canonical dashed shape, which is how keys
/// are almost always written, or `None` when the text is anything else.
#[inline(always)]
fn dashed_classes(b: &[u8]) -> Option<[u8; 25]> {
    let b: &[u8; 29] = b.try_into().ok()?;
    if b[5] != b'-' || b[11] != b'-' || b[17] != b'-' || b[23] != b'-' {
        return None;
    }
    // Symbol i is byte i + i/5 (one dash per full group before it). The classes are
    // gathered into little-endian words, which the check below and the decoder
    // (`n_positions`, `pkey2009::drop_digit`) read eight at a time.
    #[inline(always)]
    fn word(b: &[u8; 29], first: usize) -> u64 {
        let mut w = 0u64;
        for j in 0..8 {
            let i = first + j;
            w |= u64::from(CLASS[usize::from(b[i + i / 5])]) << (8 * j);
        }
        w
    }
    let w = [word(b, 0), word(b, 8), word(b, 16)];
    let last = CLASS[usize::from(b[28])];
    // Valid classes are 0..=24 and the others are 0xFE and 0xFF, so one OR and a test of
    // the top bit check all 25 at once.
    if (w[0] | w[1] | w[2] | u64::from(last)) & 0x8080_8080_8080_8080 != 0 {
        return None;
    }
    let mut v = [0u8; 25];
    v[..8].copy_from_slice(&w[0].to_le_bytes());
    v[8..16].copy_from_slice(&w[1].to_le_bytes());
    v[16..24].copy_from_slice(&w[2].to_le_bytes());
    v[24] = last;
    Some(v)
}

/// The general path: any case, dashes and ASCII whitespace anywhere, and the errors with
/// their positions.
///
/// The loop has no data-dependent branch (where the separators fall varies from key to
/// key, so branching on them mispredicts): every class is stored at the next free slot and
/// the slot advances only for symbols. Errors are sorted out after the scan.
#[inline(never)]
fn classes_general(input: &str) -> Result<[u8; 25], KeyError> {
    // Slot 25 absorbs what comes after the 25th symbol.
    let mut v = [0u8; 26];
    let mut n = 0usize;
    let mut invalid = false;
    for &byte in input.as_bytes() {
        // Bytes of non-ASCII characters are all INVALID in the table.
        let class = CLASS[usize::from(byte)];
        v[n.min(25)] = class;
        n += usize::from(class < SEPARATOR);
        invalid |= class == INVALID;
    }
    if invalid {
        return Err(first_invalid_character(input));
    }
    if n != 25 {
        return Err(KeyError::Length { found: n });
    }
    let mut classes = [0u8; 25];
    classes.copy_from_slice(&v[..25]);
    Ok(classes)
}

/// The error for the first character that is neither a symbol nor a separator.
#[cold]
fn first_invalid_character(input: &str) -> KeyError {
    // Every byte before the first invalid one is ASCII, so its byte index is also its
    // character index, and a non-ASCII character is invalid from its first byte on.
    let position = input
        .bytes()
        .position(|b| CLASS[usize::from(b)] == INVALID)
        .unwrap_or(0);
    KeyError::InvalidCharacter {
        position,
        found: input
            .get(position..)
            .and_then(|s| s.chars().next())
            .unwrap_or('\0'),
    }
}

/// The error for a misplaced `N`, given the mask of [`n_positions`]: a second `N`, or one
/// as the last symbol.
#[cold]
#[inline(never)]
fn n_placement_error(input: &str, n_bits: u32) -> KeyError {
    let rest = n_bits & n_bits.wrapping_sub(1);
    if rest != 0 {
        KeyError::MultipleN {
            position: input_position(input, rest.trailing_zeros() as usize),
        }
    } else {
        KeyError::NInLastPosition {
            position: input_position(input, 24),
        }
    }
}

/// A mask with bit `i` set where `classes[i]` is `N`, without a loop over the symbols.
///
/// Classes are at most 24 here, and 24 (`N`) is the only one with both bits 3 and 4 set,
/// so `c & (c << 1)` has bit 4 set exactly for `N`. The multiply gathers bit 4 of each of
/// the eight bytes of a word into the top byte (all partial products are distinct powers
/// of two, so nothing carries).
#[inline]
fn n_positions(classes: &[u8; 25]) -> u32 {
    const GATHER: u64 = 0x0102_0408_1020_4080;
    let flags = |w: u64| (((w & (w << 1)) >> 4) & 0x0101_0101_0101_0101).wrapping_mul(GATHER) >> 56;
    let word = |at: usize| u64::from_le_bytes(classes[at..at + 8].try_into().unwrap_or([0; 8]));
    let last = u32::from(classes[24] == N) << 24;
    (flags(word(0)) | flags(word(8)) << 8 | flags(word(16)) << 16) as u32 | last
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

/// The fast paths against straightforward versions of the same rules.
#[cfg(test)]
mod fast_path_tests {
    use super::*;
    use proptest::prelude::*;

    /// The syntax rules as plainly as they can be written: one character at a time.
    fn reference_syntax(input: &str) -> Result<([u8; 25], Option<usize>), KeyError> {
        let mut symbols = Vec::new();
        for (position, ch) in input.chars().enumerate() {
            if ch == '-' || ch.is_ascii_whitespace() {
                continue;
            }
            let upper = ch.to_ascii_uppercase();
            if upper == 'N' {
                symbols.push((N, position));
            } else if let Some(v) = ALPHABET.iter().position(|&a| char::from(a) == upper) {
                symbols.push((v as u8, position));
            } else {
                return Err(KeyError::InvalidCharacter {
                    position,
                    found: ch,
                });
            }
        }
        if symbols.len() != 25 {
            return Err(KeyError::Length {
                found: symbols.len(),
            });
        }
        let mut n_index = None;
        for (i, &(c, position)) in symbols.iter().enumerate() {
            if c == N {
                if n_index.is_some() {
                    return Err(KeyError::MultipleN { position });
                }
                if i == 24 {
                    return Err(KeyError::NInLastPosition { position });
                }
                n_index = Some(i);
            }
        }
        let mut classes = [0u8; 25];
        for (slot, &(c, _)) in classes.iter_mut().zip(&symbols) {
            *slot = c;
        }
        Ok((classes, n_index))
    }

    /// Decoding step 3 of facts.md §1.2, literally.
    fn reference_value(classes: &[u8; 25], n_index: Option<usize>) -> u128 {
        let digits: Vec<u8> = match n_index {
            Some(idx) => std::iter::once(idx as u8)
                .chain(classes.iter().copied().filter(|&c| c != N))
                .collect(),
            None => classes.to_vec(),
        };
        digits.iter().fold(0u128, |v, &d| v * 24 + u128::from(d))
    }

    fn check_against_reference(text: &str) -> Result<(), TestCaseError> {
        let fast = Syntax::parse(text).map(|s| (s.classes, s.n_index, s.value()));
        let reference = reference_syntax(text).map(|(c, n)| (c, n, reference_value(&c, n)));
        prop_assert_eq!(fast, reference, "{:?}", text);
        Ok(())
    }

    /// Characters a key text is made of, with upper and lower case, separators, `N`s and
    /// characters that are not allowed (ASCII and not).
    fn key_char() -> impl Strategy<Value = char> {
        prop_oneof![
            12 => proptest::sample::select(ALPHABET.to_vec()).prop_map(char::from),
            4 => proptest::sample::select(ALPHABET.to_vec())
                .prop_map(|c| char::from(c.to_ascii_lowercase())),
            1 => proptest::sample::select(vec!['N', 'n']),
            1 => proptest::sample::select(vec!['-', ' ', '\t', '\r', '\n', '\x0C']),
            1 => proptest::sample::select(vec!['A', 'o', '0', '1', '_', '\x0B', '\u{e9}', '\u{2014}', '\u{1F511}']),
        ]
    }

    proptest! {
        #[test]
        fn dashed_shapes_agree_with_the_reference(chars in proptest::collection::vec(key_char(), 25)) {
            // The canonical shape, so the fast path is taken whenever the symbols allow.
            let mut text = String::new();
            for (i, c) in chars.into_iter().enumerate() {
                if i > 0 && i % 5 == 0 {
                    text.push('-');
                }
                text.push(c);
            }
            check_against_reference(&text)?;
        }

        #[test]
        fn any_text_agrees_with_the_reference(chars in proptest::collection::vec(key_char(), 0..40)) {
            check_against_reference(&chars.into_iter().collect::<String>())?;
        }

        #[test]
        fn n_positions_marks_every_n(classes in proptest::array::uniform25(0u8..=24)) {
            let expected = classes
                .iter()
                .enumerate()
                .fold(0u32, |m, (i, &c)| m | (u32::from(c == N) << i));
            prop_assert_eq!(n_positions(&classes), expected);
        }
    }

    #[test]
    fn errors_point_at_characters_not_bytes() {
        // A non-ASCII character is reported whole, at its character index.
        assert_eq!(
            Syntax::parse("NPPR9-FWDCX-D2C8J-H872K-2YT4\u{e9}").err(),
            Some(KeyError::InvalidCharacter {
                position: 28,
                found: '\u{e9}'
            })
        );
        assert_eq!(
            Syntax::parse("N-N\u{e9}").err(),
            Some(KeyError::InvalidCharacter {
                position: 3,
                found: '\u{e9}'
            })
        );
    }
}
