//! The product-key alphabet and the one table every key parser in volact reads.
//!
//! Keys use 24 symbols, `BCDFGHJKMPQRTVWXY2346789`, with the values 0..=23 in that order
//! (B = 0, 9 = 23), plus `N` in pkey2009 keys, which marks a position rather than a value.
//! Source: `slmgr.vbs` and every public DigitalProductId decoder (facts.md §1.1, S13/S15).

/// The 24 key symbols in value order (B = 0 … 9 = 23).
pub const ALPHABET: &[u8; 24] = b"BCDFGHJKMPQRTVWXY2346789";

/// Class of the letter `N`, one past the last alphabet value.
pub(crate) const N: u8 = 24;
/// Class of a separator the parser skips: `-` and ASCII whitespace.
pub(crate) const SEPARATOR: u8 = 0xFE;
/// Class of every other byte.
pub(crate) const INVALID: u8 = 0xFF;

/// Byte → class: 0..=23 for a symbol (either case), [`N`], [`SEPARATOR`] or [`INVALID`].
/// One lookup per byte keeps normalisation branch-light on the hot path.
pub(crate) static CLASS: [u8; 256] = build_class_table();

const fn build_class_table() -> [u8; 256] {
    let mut table = [INVALID; 256];
    let mut i = 0;
    while i < ALPHABET.len() {
        let c = ALPHABET[i];
        table[c as usize] = i as u8;
        table[c.to_ascii_lowercase() as usize] = i as u8;
        i += 1;
    }
    table[b'N' as usize] = N;
    table[b'n' as usize] = N;
    table[b'-' as usize] = SEPARATOR;
    // ASCII whitespace exactly as `u8::is_ascii_whitespace` defines it.
    table[b' ' as usize] = SEPARATOR;
    table[b'\t' as usize] = SEPARATOR;
    table[b'\n' as usize] = SEPARATOR;
    table[0x0C] = SEPARATOR;
    table[b'\r' as usize] = SEPARATOR;
    table
}

/// Class → character: the symbol for 0..=23, `N` for [`N`]. The table covers every byte so
/// that indexing it with a class needs no bounds check; entries past `N` are never read.
static SYMBOL: [u8; 256] = build_symbol_table();

const fn build_symbol_table() -> [u8; 256] {
    let mut table = [0u8; 256];
    let mut i = 0;
    while i < ALPHABET.len() {
        table[i] = ALPHABET[i];
        i += 1;
    }
    table[N as usize] = b'N';
    table
}

/// The character for a class value 0..=24.
#[inline]
pub(crate) fn symbol(class: u8) -> u8 {
    SYMBOL[usize::from(class)]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_symbol_maps_to_its_index_in_both_cases() {
        for (i, &c) in ALPHABET.iter().enumerate() {
            assert_eq!(CLASS[c as usize], i as u8);
            assert_eq!(CLASS[c.to_ascii_lowercase() as usize], i as u8);
            assert_eq!(symbol(i as u8), c);
        }
        assert_eq!(symbol(N), b'N');
    }

    #[test]
    fn vowels_and_lookalikes_are_not_symbols() {
        // The alphabet leaves out vowels and the digits that read like letters.
        for c in b"AEIOULSZ015" {
            assert_eq!(CLASS[*c as usize], INVALID, "{}", *c as char);
        }
    }

    #[test]
    fn separators_are_dash_and_ascii_whitespace_only() {
        let seps: Vec<u8> = (0..=255u8)
            .filter(|&b| CLASS[b as usize] == SEPARATOR)
            .collect();
        let mut expected: Vec<u8> = (0..=255u8).filter(|b| b.is_ascii_whitespace()).collect();
        expected.push(b'-');
        expected.sort();
        assert_eq!(seps, expected);
    }
}
