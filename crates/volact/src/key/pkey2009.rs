//! The pkey2009 key layout ("Windows 8 and later"): the 25 symbols as one base-24 number,
//! its bit fields, and the 10-bit checksum.
//!
//! Source: facts.md §1.2, from awuctl/licensing-stuff `docs/product-keys.md` and
//! `keycutter.py` (decode only), checked locally against 142 Microsoft-published GVLKs.
//! Field layout, counting from the least significant bit of the 128-bit value:
//!
//! | field | bits | width |
//! |---|---|---|
//! | group id | 0–19 | 20 |
//! | serial | 20–49 | 30 |
//! | security value | 50–102 | 53 |
//! | checksum | 103–112 | 10 |
//! | upgrade | 113 | 1 |
//! | extra | 114 | 1 |
//!
//! The checksum is CRC-32/MPEG-2 (poly 0x04C11DB7, init 0xFFFFFFFF, no reflection, no final
//! xor) over the 16 little-endian bytes of the value with bits 103–112 cleared, inverted and
//! truncated to 10 bits.

use std::fmt;

/// The decoded fields of a pkey2009 key.
///
/// `Debug` hides `security`: together with the other fields it rebuilds the key.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Pkey2009 {
    /// The key group (pkeyconfig `RefGroupId`), which names the edition and channel.
    pub group_id: u32,
    /// The serial number within the group (pkeyconfig `KeyRange` start..end).
    pub serial: u32,
    /// The 53-bit security value, verifiable only by Microsoft (HMAC-SHA256 profile).
    pub security: u64,
    /// The 10-bit checksum the key carries.
    pub checksum: u16,
    /// The upgrade bit (reportedly unused today).
    pub upgrade: bool,
    /// Bit 114, an encoding artefact: "twin" keys differ only there and in the checksum.
    pub extra: bool,
}

impl fmt::Debug for Pkey2009 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Pkey2009")
            .field("group_id", &self.group_id)
            .field("serial", &self.serial)
            .field("security", &"<hidden>")
            .field("checksum", &self.checksum)
            .field("upgrade", &self.upgrade)
            .field("extra", &self.extra)
            .finish()
    }
}

const CHECKSUM_SHIFT: u32 = 103;
const CHECKSUM_MASK: u128 = 0x3FF << CHECKSUM_SHIFT;

impl Pkey2009 {
    /// Splits a key value into its fields.
    pub(crate) fn from_value(value: u128) -> Self {
        Pkey2009 {
            group_id: (value & 0xF_FFFF) as u32,
            serial: ((value >> 20) & 0x3FFF_FFFF) as u32,
            security: ((value >> 50) & ((1u128 << 53) - 1)) as u64,
            checksum: ((value >> CHECKSUM_SHIFT) & 0x3FF) as u16,
            upgrade: (value >> 113) & 1 == 1,
            extra: (value >> 114) & 1 == 1,
        }
    }
}

/// The checksum a key value should carry: the CRC of its bytes with the checksum cleared.
pub(crate) fn expected_checksum(value: u128) -> u16 {
    let bytes = (value & !CHECKSUM_MASK).to_le_bytes();
    (!crc32_mpeg2_16(&bytes) & 0x3FF) as u16
}

/// Folds 25 base-24 digits, most significant first, into one number: the pkey2005 case of
/// `Syntax::value`, which the tests check against a plain loop and against [`unfold`].
#[cfg(test)]
pub(crate) fn fold(d: &[u8; 25]) -> u128 {
    fold_words(d[0], drop_digit(d, 0))
}

/// The 24 bytes of `d` other than `d[cut]`, in order, as three little-endian words (byte
/// `j` of the result is `d[j]` before `cut` and `d[j + 1]` from it on).
///
/// For a pkey2009 key `cut` is the position of `N`: this is the data-dependent compaction
/// of decoding step 3 (facts.md §1.2) without a data-dependent loop. Each output word is a
/// byte-wise select between the words at offset 0 and at offset 1, under a mask of the
/// bytes before `cut`.
#[inline]
pub(crate) fn drop_digit(d: &[u8; 25], cut: usize) -> [u64; 3] {
    // Constant ranges: no bounds checks, and each load is a single 8-byte move.
    let word = |at: usize| u64::from_le_bytes(d[at..at + 8].try_into().unwrap_or([0; 8]));
    let (w0, w1, w2, w3) = (word(0), word(8), word(16), u64::from(d[24]));
    let shifted = [
        (w0 >> 8) | (w1 << 56),
        (w1 >> 8) | (w2 << 56),
        (w2 >> 8) | (w3 << 56),
    ];
    let mut out = [w0, w1, w2];
    for (k, (o, s)) in out.iter_mut().zip(shifted).enumerate() {
        // The low `kept` bytes of word k come before `cut`.
        let kept = cut.saturating_sub(8 * k).min(8) as u32;
        let mask = u64::MAX.checked_shr(64 - 8 * kept).unwrap_or(0);
        *o = (*o & mask) | (s & !mask);
    }
    out
}

/// 24^8 and 24^16: the weights of the words below the leading digit.
const P8: u64 = 24u64.pow(8);
const P16: u128 = 24u128.pow(16);

/// A leading digit and 24 more (three words of [`fold8`] digits) as one number:
/// `lead·24^24 + w0·24^16 + w1·24^8 + w2`.
///
/// Each word folds on its own in a few wide operations, so the 25 digits are three short,
/// independent computations rather than one 25-step multiply-add chain (the chain was the
/// limit of key parsing; see `benches/`).
#[inline]
pub(crate) fn fold_words(lead: u8, w: [u64; 3]) -> u128 {
    // lead·24^8 + w0 < 24^9 fits in a u64, and so does each word's value; only the
    // products by 24^16 and 24^8 need 128 bits.
    let hi = u64::from(lead) * P8 + fold8(w[0]);
    u128::from(hi) * P16 + u128::from(fold8(w[1])) * u128::from(P8) + u128::from(fold8(w[2]))
}

/// Eight base-24 digits, one per byte, the first (lowest) byte most significant, as one
/// number below 24^8 (SWAR, as in fast decimal parsing): adjacent digits combine into
/// base-576 pairs in 16-bit lanes, pairs into 24^4 quads in 32-bit lanes, then the two
/// quads. Every lane has room for its result, so no lane carries into the next.
#[inline]
fn fold8(w: u64) -> u64 {
    const B8: u64 = 0x00FF_00FF_00FF_00FF;
    const B16: u64 = 0x0000_FFFF_0000_FFFF;
    let pairs = (w & B8) * 24 + ((w >> 8) & B8);
    let quads = (pairs & B16) * 576 + ((pairs >> 16) & B16);
    (quads & 0xFFFF_FFFF) * 331_776 + (quads >> 32)
}

/// The inverse of folding 25 digits ([`fold_words`]): 25 base-24 digits, most significant first.
/// `None` when the value needs more than 25 digits.
pub(crate) fn unfold(mut value: u128) -> Option<[u8; 25]> {
    let mut d = [0u8; 25];
    for slot in d.iter_mut().rev() {
        *slot = (value % 24) as u8;
        value /= 24;
    }
    (value == 0).then_some(d)
}

/// Slicing-by-16 tables for MSB-first CRC-32/MPEG-2: `TABLES[k][b]` is the CRC register
/// after byte `b` followed by `k` zero bytes. A 16-byte message then costs 16 independent
/// lookups instead of a 16-step dependency chain.
static TABLES: [[u32; 256]; 16] = build_tables();

const POLY: u32 = 0x04C1_1DB7;

const fn build_tables() -> [[u32; 256]; 16] {
    let mut t = [[0u32; 256]; 16];
    let mut i = 0;
    while i < 256 {
        let mut c = (i as u32) << 24;
        let mut bit = 0;
        while bit < 8 {
            c = if c & 0x8000_0000 != 0 {
                (c << 1) ^ POLY
            } else {
                c << 1
            };
            bit += 1;
        }
        t[0][i] = c;
        i += 1;
    }
    let mut k = 1;
    while k < 16 {
        let mut i = 0;
        while i < 256 {
            let prev = t[k - 1][i];
            t[k][i] = (prev << 8) ^ t[0][(prev >> 24) as usize];
            i += 1;
        }
        k += 1;
    }
    t
}

/// CRC-32/MPEG-2 of exactly 16 bytes.
#[inline]
fn crc32_mpeg2_16(b: &[u8; 16]) -> u32 {
    // The initial register 0xFFFFFFFF is xored into the first four message bytes.
    let t = &TABLES;
    t[15][usize::from(b[0] ^ 0xFF)]
        ^ t[14][usize::from(b[1] ^ 0xFF)]
        ^ t[13][usize::from(b[2] ^ 0xFF)]
        ^ t[12][usize::from(b[3] ^ 0xFF)]
        ^ t[11][usize::from(b[4])]
        ^ t[10][usize::from(b[5])]
        ^ t[9][usize::from(b[6])]
        ^ t[8][usize::from(b[7])]
        ^ t[7][usize::from(b[8])]
        ^ t[6][usize::from(b[9])]
        ^ t[5][usize::from(b[10])]
        ^ t[4][usize::from(b[11])]
        ^ t[3][usize::from(b[12])]
        ^ t[2][usize::from(b[13])]
        ^ t[1][usize::from(b[14])]
        ^ t[0][usize::from(b[15])]
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The textbook bit-at-a-time CRC, as the reference the sliced one must match.
    fn crc32_mpeg2_bitwise(data: &[u8]) -> u32 {
        let mut crc = 0xFFFF_FFFFu32;
        for &byte in data {
            crc ^= u32::from(byte) << 24;
            for _ in 0..8 {
                crc = if crc & 0x8000_0000 != 0 {
                    (crc << 1) ^ POLY
                } else {
                    crc << 1
                };
            }
        }
        crc
    }

    #[test]
    fn crc_matches_the_published_check_values() {
        // CRC catalogue check values for "123456789" (facts.md §1.2).
        assert_eq!(crc32_mpeg2_bitwise(b"123456789"), 0x0376_E6E7);
        assert_eq!(!crc32_mpeg2_bitwise(b"123456789"), 0xFC89_1918); // CRC-32/BZIP2
    }

    #[test]
    fn fields_of_the_enterprise_gvlk_value() {
        // facts.md §1.3: NPPR9-FWDCX-D2C8J-H872K-2YT43 has this 128-bit value.
        let v = 0x0000_19be_6515_e067_6318_0000_0030_0cda_u128;
        let f = Pkey2009::from_value(v);
        assert_eq!(f.group_id, 3290);
        assert_eq!(f.serial, 3);
        assert_eq!(f.security, 0xF99457819D8C6);
        assert_eq!(f.checksum, 0x033);
        assert!(!f.upgrade && !f.extra);
        assert_eq!(expected_checksum(v), 0x033);
    }

    #[test]
    fn debug_hides_the_security_value() {
        let f = Pkey2009::from_value(0x0000_19be_6515_e067_6318_0000_0030_0cda_u128);
        let s = format!("{f:?}");
        assert!(
            s.contains("<hidden>") && !s.contains(&f.security.to_string()),
            "{s}"
        );
    }

    proptest! {
        #[test]
        fn sliced_crc_equals_bitwise(bytes in proptest::array::uniform16(any::<u8>())) {
            prop_assert_eq!(crc32_mpeg2_16(&bytes), crc32_mpeg2_bitwise(&bytes));
        }

        #[test]
        fn fold_and_unfold_are_inverse(d in proptest::array::uniform25(0u8..24)) {
            prop_assert_eq!(unfold(fold(&d)), Some(d));
        }

        #[test]
        fn drop_digit_equals_removing_the_byte(
            d in proptest::array::uniform25(0u8..=24), cut in 0usize..25
        ) {
            let mut expected: Vec<u8> = d.to_vec();
            expected.remove(cut);
            let words = drop_digit(&d, cut);
            let got: Vec<u8> = words.iter().flat_map(|w| w.to_le_bytes()).collect();
            prop_assert_eq!(got, expected);
        }

        #[test]
        fn fold8_equals_the_plain_loop(d in proptest::array::uniform8(0u8..24)) {
            let plain = d.iter().fold(0u64, |v, &x| v * 24 + u64::from(x));
            prop_assert_eq!(fold8(u64::from_le_bytes(d)), plain);
        }

        #[test]
        fn fold_equals_the_plain_u128_loop(d in proptest::array::uniform25(0u8..24)) {
            let plain = d.iter().fold(0u128, |v, &x| v * 24 + u128::from(x));
            prop_assert_eq!(fold(&d), plain);
        }
    }

    #[test]
    fn unfold_refuses_values_of_26_digits() {
        assert_eq!(unfold(24u128.pow(25)), None);
        assert!(unfold(24u128.pow(25) - 1).is_some());
    }
}
