//! Input sets for the criterion benchmarks in `benches/benches/`.
//!
//! Everything here is deterministic (a fixed-seed SplitMix64), so two runs, or two machines,
//! measure the same inputs. The key sets start from Microsoft's published GVLKs in
//! `volact::catalog` and derive typos from them; the ID sets are random digits with their
//! check digits appended by `volact::ids::check_digit`. Nothing here makes a key that was not
//! published: a substituted symbol in a pkey2009 key fails its checksum ~1023 times in 1024.

pub mod cil_gen;

use volact_core::catalog;
use volact_core::ids;
use volact_core::key::ALPHABET;

/// SplitMix64: a tiny, seedable generator, enough to pick positions and digits.
#[derive(Debug, Clone)]
pub struct SplitMix64(u64);

impl SplitMix64 {
    /// A generator from a fixed seed.
    pub fn new(seed: u64) -> Self {
        SplitMix64(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A value in `0..n` (the modulo bias is irrelevant here).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }
}

/// How many variants of each catalog key [`dashed_keys`] makes: 60 × 167 rows = 10,020 keys.
pub const VARIANTS_PER_ROW: usize = 60;

/// About 10k canonical dashed keys: for every catalog row, one in four variants is the
/// published key and three in four are that key with one symbol (never the `N`) replaced by
/// a different alphabet symbol, the commonest typo. The order is shuffled, so the pkey2005 /
/// pkey2009 and valid / invalid branches are not predictable from the position.
pub fn dashed_keys() -> Vec<String> {
    let mut rng = SplitMix64::new(0x766F_6C61_6374); // "volact"
    let mut out = Vec::with_capacity(catalog::rows().len() * VARIANTS_PER_ROW);
    for row in catalog::rows() {
        for v in 0..VARIANTS_PER_ROW {
            if v % 4 == 0 {
                out.push(row.key.to_owned());
            } else {
                out.push(substitute_one(row.key, &mut rng));
            }
        }
    }
    shuffle(&mut out, &mut rng);
    out
}

/// `key` with one non-`N` symbol replaced by a different alphabet symbol.
fn substitute_one(key: &str, rng: &mut SplitMix64) -> String {
    let mut bytes = key.as_bytes().to_vec();
    loop {
        let pos = rng.below(bytes.len());
        let old = bytes[pos];
        if old == b'-' || old == b'N' {
            continue;
        }
        let new = ALPHABET[rng.below(ALPHABET.len())];
        if new != old {
            bytes[pos] = new;
            return String::from_utf8(bytes).expect("ASCII");
        }
    }
}

/// Fisher–Yates.
fn shuffle<T>(v: &mut [T], rng: &mut SplitMix64) {
    for i in (1..v.len()).rev() {
        v.swap(i, rng.below(i + 1));
    }
}

/// The same keys as `keys`, written the ways people paste them when not copying the
/// canonical form: in turn lowercase and dashed, uppercase without dashes, lowercase without
/// dashes, and space-separated groups. All of them take the general (normalising) path.
pub fn loose_variants(keys: &[String]) -> Vec<String> {
    keys.iter()
        .enumerate()
        .map(|(i, k)| match i % 4 {
            0 => k.to_ascii_lowercase(),
            1 => k.replace('-', ""),
            2 => k.replace('-', "").to_ascii_lowercase(),
            _ => k.replace('-', " "),
        })
        .collect()
}

/// `count` well-formed IDs of `groups` groups of `group_len` digits (the last one of each
/// group its check digit), dashed between groups as `slmgr /dti` prints them.
pub fn well_formed_ids(groups: usize, group_len: usize, count: usize, seed: u64) -> Vec<String> {
    let mut rng = SplitMix64::new(seed);
    (0..count)
        .map(|_| {
            let mut text = String::with_capacity(groups * (group_len + 1));
            for g in 0..groups {
                if g > 0 {
                    text.push('-');
                }
                let data: Vec<u8> = (0..group_len - 1).map(|_| rng.below(10) as u8).collect();
                for &d in &data {
                    text.push(char::from(b'0' + d));
                }
                text.push(char::from(b'0' + ids::check_digit(&data)));
            }
            text
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use volact_core::key::{Algorithm, ProductKey, check_batch};

    #[test]
    fn the_key_mix_has_the_documented_shape() {
        let keys = dashed_keys();
        assert_eq!(keys.len(), catalog::rows().len() * VARIANTS_PER_ROW);
        assert!(keys.iter().all(|k| k.len() == 29));
        let valid = keys.iter().filter(|k| ProductKey::is_valid(k)).count();
        let pkey2005 = keys
            .iter()
            .filter_map(|k| ProductKey::parse(k).ok())
            .filter(|k| k.algorithm() == Algorithm::Pkey2005)
            .count();
        // A quarter are published keys; the pkey2005 typos also pass (syntax only), and a
        // few pkey2009 typos hit a matching checksum by chance.
        assert!(
            valid >= keys.len() / 4 && valid < keys.len() * 2 / 5,
            "{valid}"
        );
        assert!(pkey2005 > keys.len() / 10, "{pkey2005}");
    }

    #[test]
    fn loose_variants_mean_the_same_keys() {
        let keys = dashed_keys();
        let loose = loose_variants(&keys);
        for (k, l) in keys.iter().zip(&loose).take(500) {
            assert_eq!(ProductKey::parse(k).ok(), ProductKey::parse(l).ok());
        }
        assert_eq!(
            check_batch(&keys.join("\n")),
            check_batch(&loose.join("\n"))
        );
    }

    #[test]
    fn generated_ids_pass_their_check() {
        for (groups, len) in [(9, 6), (9, 7), (8, 6), (7, 6)] {
            for id in well_formed_ids(groups, len, 20, 1) {
                let c = ids::check(&id);
                assert!(c.error.is_none(), "{id}: {:?}", c.error);
                assert_eq!(c.digits, groups * len);
            }
        }
    }
}
