//! `read`, `read_limited` and `same_file`.

mod support;

use std::fs;
use std::io;

use support::TempDir;
use volact_io::{IoError, read, read_limited, same_file};

#[test]
fn reads_a_file_within_the_limit() {
    let dir = TempDir::new("read-within");
    let path = dir.join("lab.cil");
    fs::write(&path, [7u8; 100]).unwrap();
    assert_eq!(read(&path).unwrap(), [7u8; 100]);
    assert_eq!(
        read_limited(&path, 100).unwrap(),
        [7u8; 100],
        "exactly at the limit"
    );
    assert_eq!(read_limited(&path, 1000).unwrap(), [7u8; 100]);
}

#[test]
fn an_empty_file_fits_a_zero_limit() {
    let dir = TempDir::new("read-empty");
    let path = dir.join("empty.cil");
    fs::write(&path, b"").unwrap();
    assert_eq!(read_limited(&path, 0).unwrap(), b"");
}

#[test]
fn a_file_over_the_limit_is_too_large() {
    let dir = TempDir::new("read-too-large");
    let path = dir.join("big.cil");
    fs::write(&path, [0u8; 100]).unwrap();
    let error = read_limited(&path, 99).unwrap_err();
    assert!(
        matches!(&error, IoError::TooLarge { path: p, size: 100, limit: 99 } if *p == path),
        "{error:?}"
    );
    assert_eq!(
        error.to_string(),
        format!(
            "cannot read {}: at least 100 bytes, more than the limit of 99",
            path.display()
        )
    );
    assert!(matches!(
        read_limited(&path, 0),
        Err(IoError::TooLarge {
            size: 100,
            limit: 0,
            ..
        })
    ));
}

#[cfg(unix)]
#[test]
fn an_endless_device_stops_one_byte_past_the_limit() {
    let error = read_limited(std::path::Path::new("/dev/zero"), 4096).unwrap_err();
    assert!(
        matches!(
            error,
            IoError::TooLarge {
                size: 4097,
                limit: 4096,
                ..
            }
        ),
        "{error:?}"
    );
}

#[test]
fn a_directory_is_refused() {
    let dir = TempDir::new("read-dir");
    let error = read(dir.path()).unwrap_err();
    assert!(
        matches!(&error, IoError::IsDirectory { path } if path == dir.path()),
        "{error:?}"
    );
    assert_eq!(
        error.to_string(),
        format!("cannot use {}: it is a directory", dir.path().display())
    );
}

#[test]
fn a_missing_file_names_the_path_and_the_cause() {
    let dir = TempDir::new("read-missing");
    let path = dir.join("missing.cil");
    let error = read(&path).unwrap_err();
    let IoError::Read {
        path: named,
        source,
    } = &error
    else {
        panic!("expected Read, got {error:?}");
    };
    assert_eq!(named, &path);
    assert_eq!(source.kind(), io::ErrorKind::NotFound);
    assert!(
        error
            .to_string()
            .starts_with(&format!("cannot read {}: ", path.display()))
    );
    let cause = std::error::Error::source(&error).expect("the io::Error is the source");
    assert!(cause.downcast_ref::<io::Error>().is_some());
}

#[test]
fn same_file_sees_through_dot_dot() {
    let dir = TempDir::new("same-dotdot");
    fs::create_dir(dir.join("sub")).unwrap();
    let input = dir.join("lab.cil");
    fs::write(&input, b"x").unwrap();
    assert!(same_file(&input, &input));
    assert!(same_file(
        &input,
        &dir.join("sub").join("..").join("lab.cil")
    ));
}

#[test]
fn same_file_tells_different_files_apart() {
    let dir = TempDir::new("same-different");
    let a = dir.join("a.cil");
    let b = dir.join("b.cil");
    fs::write(&a, b"same contents").unwrap();
    fs::write(&b, b"same contents").unwrap();
    assert!(!same_file(&a, &b));
}

#[test]
fn same_file_is_false_when_a_path_does_not_exist() {
    let dir = TempDir::new("same-missing");
    let input = dir.join("lab.cil");
    fs::write(&input, b"x").unwrap();
    let missing = dir.join("out.cil");
    assert!(!same_file(&input, &missing));
    assert!(!same_file(&missing, &input));
    assert!(!same_file(&missing, &missing), "nothing to compare");
}

#[cfg(unix)]
#[test]
fn same_file_sees_through_links() {
    let dir = TempDir::new("same-links");
    let input = dir.join("lab.cil");
    fs::write(&input, b"x").unwrap();
    std::os::unix::fs::symlink("lab.cil", dir.join("symlink.cil")).unwrap();
    fs::hard_link(&input, dir.join("hardlink.cil")).unwrap();
    assert!(same_file(&input, &dir.join("symlink.cil")));
    assert!(same_file(&input, &dir.join("hardlink.cil")));
}
