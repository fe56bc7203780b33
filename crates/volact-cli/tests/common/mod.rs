//! Helpers shared by the CLI's integration tests (each file under tests/ is its own crate;
//! `mod common;` brings these in).

use volact_core::ids::check_digit;

/// A fictitious ID with correct check digits (test data only).
pub fn test_id(seed: u64, groups: usize, len: usize) -> String {
    let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15).wrapping_add(7);
    (0..groups)
        .map(|_| {
            let data: Vec<u8> = (0..len - 1)
                .map(|_| {
                    x = x
                        .wrapping_mul(6364136223846793005)
                        .wrapping_add(1442695040888963407);
                    ((x >> 33) % 10) as u8
                })
                .collect();
            let mut g: String = data.iter().map(|d| char::from(b'0' + d)).collect();
            g.push(char::from(b'0' + check_digit(&data)));
            g
        })
        .collect::<Vec<_>>()
        .join("-")
}
