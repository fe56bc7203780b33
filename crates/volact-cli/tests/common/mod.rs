//! Helpers shared by the CLI's integration tests (each file under tests/ is its own crate;
//! `mod common;` brings these in, and not every file uses every helper).
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Output;

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

/// A fresh scratch directory for one test: `volact-cli-<suite>-<pid>-<name>` under the
/// system temporary directory.
pub fn scratch(suite: &str, name: &str) -> PathBuf {
    let dir =
        std::env::temp_dir().join(format!("volact-cli-{suite}-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Neither the key, nor its dashless form, nor any of its first four groups in `text` (any
/// case): volact shows keys masked only.
pub fn assert_no_key(text: &str, key: &str, what: &str) {
    let bare: String = key.chars().filter(|&c| c != '-').collect();
    let upper = text.to_ascii_uppercase();
    assert!(
        !upper.contains(key) && !upper.contains(&bare),
        "the key {key} in {what}: {text}"
    );
    for group in key.split('-').take(4) {
        assert!(!upper.contains(group), "{group} in {what}: {text}");
    }
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Standard output of a run that must succeed.
pub fn ok(o: &Output) -> String {
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(o), stderr(o));
    stdout(o)
}

/// Standard error of a run that must fail with `code`.
pub fn fails(o: &Output, code: i32) -> String {
    assert_eq!(o.status.code(), Some(code), "{}{}", stdout(o), stderr(o));
    stderr(o)
}

pub fn path(p: &Path) -> &str {
    p.to_str().unwrap()
}
