//! `atomic::write` and `atomic::write_with`: the target is always the old file or the whole
//! new one, and no temporary file outlives a call.

mod support;

use std::fs;
use std::io;
use std::panic::{self, AssertUnwindSafe};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;

use support::{Rng, TempDir};
use volact_io::{IoError, atomic};

/// A scratch directory holding `lab.cil` with the contents `old`.
fn with_old_file(label: &str) -> (TempDir, PathBuf) {
    let dir = TempDir::new(label);
    let path = dir.join("lab.cil");
    fs::write(&path, b"old").unwrap();
    (dir, path)
}

#[test]
fn creates_a_new_file() {
    let dir = TempDir::new("create");
    let path = dir.join("lab.cil");
    atomic::write(&path, b"<SoftwareLicensingData/>").unwrap();
    assert_eq!(fs::read(&path).unwrap(), b"<SoftwareLicensingData/>");
    assert_eq!(dir.entries(), ["lab.cil"]);
}

#[test]
fn replaces_the_contents() {
    let dir = TempDir::new("replace");
    let path = dir.join("lab.cil");
    fs::write(&path, b"old contents, longer than the new ones").unwrap();
    atomic::write(&path, b"new").unwrap();
    assert_eq!(fs::read(&path).unwrap(), b"new");
    atomic::write(&path, b"").unwrap();
    assert_eq!(fs::read(&path).unwrap(), b"");
    assert_eq!(dir.entries(), ["lab.cil"], "no temporary file left behind");
}

#[test]
fn streams_a_large_output() {
    let dir = TempDir::new("stream");
    let path = dir.join("big.cil");
    let chunk: Vec<u8> = (0..=255).collect();
    atomic::write_with(&path, |out| {
        for _ in 0..8192 {
            out.write_all(&chunk)?;
        }
        Ok(())
    })
    .unwrap();
    let written = fs::read(&path).unwrap();
    assert_eq!(written.len(), 8192 * 256);
    assert!(written.chunks(256).all(|c| c == chunk.as_slice()));
    assert_eq!(dir.entries(), ["big.cil"]);
}

#[test]
fn the_temporary_file_is_hidden_beside_the_target() {
    let dir = TempDir::new("temp-name");
    let path = dir.join("lab.cil");
    let mut seen = Vec::new();
    atomic::write_with(&path, |out| {
        out.write_all(b"x")?;
        seen = dir.entries();
        Ok(())
    })
    .unwrap();
    assert_eq!(seen.len(), 1, "{seen:?}");
    let prefix = format!(".lab.cil.volact-{}-", std::process::id());
    let counter = seen[0]
        .strip_prefix(&prefix)
        .and_then(|rest| rest.strip_suffix(".tmp"))
        .unwrap_or_else(|| panic!("unexpected temporary name {:?}", seen[0]));
    assert!(counter.parse::<u64>().is_ok(), "{counter:?}");
    assert_eq!(dir.entries(), ["lab.cil"]);
}

#[test]
fn a_failing_writer_leaves_the_old_file() {
    let (dir, path) = with_old_file("writer-fails");
    let error = atomic::write_with(&path, |out| {
        // More than the buffer holds, so part of it has reached the temporary file.
        out.write_all(&[b'n'; 200_000])?;
        Err(io::Error::other("disk full"))
    })
    .unwrap_err();
    assert!(
        matches!(&error, IoError::Write { path: p, .. } if *p == path),
        "{error:?}"
    );
    assert_eq!(
        error.to_string(),
        format!("cannot write {}: disk full", path.display())
    );
    assert_eq!(fs::read(&path).unwrap(), b"old");
    assert_eq!(dir.entries(), ["lab.cil"], "the temporary file is removed");
}

#[test]
fn a_failing_writer_creates_nothing() {
    let dir = TempDir::new("writer-fails-new");
    let path = dir.join("lab.cil");
    let error = atomic::write_with(&path, |_| Err(io::Error::other("cancelled"))).unwrap_err();
    assert!(matches!(error, IoError::Write { .. }), "{error:?}");
    assert!(dir.entries().is_empty(), "{:?}", dir.entries());
}

#[test]
fn a_panicking_writer_leaves_the_old_file() {
    let (dir, path) = with_old_file("writer-panics");
    let outcome = panic::catch_unwind(AssertUnwindSafe(|| {
        atomic::write_with(&path, |out| {
            out.write_all(&[b'n'; 200_000])?;
            panic!("the writer panics halfway");
        })
    }));
    assert!(outcome.is_err());
    assert_eq!(fs::read(&path).unwrap(), b"old");
    assert_eq!(dir.entries(), ["lab.cil"], "the temporary file is removed");
}

// Unix only: renaming a file over a non-empty directory is defined to fail there (EISDIR).
#[cfg(unix)]
#[test]
fn a_failed_rename_removes_the_temporary_file() {
    let (dir, path) = with_old_file("rename-fails");
    // The target turns into a non-empty directory while the contents are written: the
    // rename cannot replace it.
    let error = atomic::write_with(&path, |out| {
        fs::remove_file(&path)?;
        fs::create_dir(&path)?;
        fs::write(path.join("inside"), b"")?;
        out.write_all(b"new")
    })
    .unwrap_err();
    let IoError::Rename { from, to, .. } = &error else {
        panic!("expected Rename, got {error:?}");
    };
    assert_eq!(to, &path);
    assert_eq!(from.parent(), Some(dir.path()));
    assert!(!from.exists(), "the temporary file is removed");
    assert!(
        error
            .to_string()
            .starts_with(&format!("cannot replace {} with ", path.display()))
    );
    assert_eq!(dir.entries(), ["lab.cil"]);
}

#[test]
fn a_missing_directory_is_a_create_error() {
    let dir = TempDir::new("no-dir");
    let path = dir.join("missing").join("lab.cil");
    let error = atomic::write(&path, b"x").unwrap_err();
    let IoError::Create {
        path: named,
        source,
    } = &error
    else {
        panic!("expected Create, got {error:?}");
    };
    assert_eq!(named, &path);
    assert_eq!(source.kind(), io::ErrorKind::NotFound);
    assert!(
        error
            .to_string()
            .starts_with(&format!("cannot create {}: ", path.display()))
    );
    assert!(dir.entries().is_empty());
}

#[test]
fn a_directory_is_refused() {
    let dir = TempDir::new("is-dir");
    let target = dir.join("lab.cil");
    fs::create_dir(&target).unwrap();
    let error = atomic::write(&target, b"x").unwrap_err();
    assert!(
        matches!(&error, IoError::IsDirectory { path } if *path == target),
        "{error:?}"
    );
    assert_eq!(
        error.to_string(),
        format!("cannot use {}: it is a directory", target.display())
    );
    assert!(target.is_dir());
    assert_eq!(dir.entries(), ["lab.cil"]);
    assert!(support::entries(&target).is_empty());
}

#[test]
fn a_read_only_file_is_refused() {
    let (dir, path) = with_old_file("read-only");
    let mut permissions = fs::metadata(&path).unwrap().permissions();
    permissions.set_readonly(true);
    fs::set_permissions(&path, permissions.clone()).unwrap();

    let error = atomic::write(&path, b"new").unwrap_err();
    assert!(
        matches!(&error, IoError::ReadOnly { path: p } if *p == path),
        "{error:?}"
    );
    assert_eq!(
        error.to_string(),
        format!("cannot write {}: the file is read-only", path.display())
    );
    assert_eq!(fs::read(&path).unwrap(), b"old");
    assert_eq!(dir.entries(), ["lab.cil"]);

    #[allow(clippy::permissions_set_readonly_false)] // so that the cleanup can delete it
    permissions.set_readonly(false);
    fs::set_permissions(&path, permissions).unwrap();
}

#[cfg(unix)]
#[test]
fn the_mode_of_the_old_file_is_kept() {
    use std::os::unix::fs::PermissionsExt;
    let dir = TempDir::new("mode");
    let path = dir.join("lab.cil");
    for mode in [0o600, 0o640, 0o644, 0o755, 0o2750] {
        fs::write(&path, b"old").unwrap();
        fs::set_permissions(&path, fs::Permissions::from_mode(mode)).unwrap();
        atomic::write(&path, b"new").unwrap();
        let kept = fs::metadata(&path).unwrap().permissions().mode() & 0o7777;
        assert_eq!(kept, mode, "{kept:o} != {mode:o}");
        assert_eq!(fs::read(&path).unwrap(), b"new");
    }
    assert_eq!(dir.entries(), ["lab.cil"]);
}

#[cfg(unix)]
#[test]
fn a_private_file_is_never_readable_by_others_while_written() {
    use std::os::unix::fs::PermissionsExt;
    let dir = TempDir::new("mode-private");
    let path = dir.join("store");
    fs::write(&path, b"old").unwrap();
    fs::set_permissions(&path, fs::Permissions::from_mode(0o600)).unwrap();
    let mut temp_mode = None;
    atomic::write_with(&path, |out| {
        let temp = dir
            .entries()
            .into_iter()
            .find(|name| name.ends_with(".tmp"))
            .unwrap();
        temp_mode = Some(fs::metadata(dir.join(&temp)).unwrap().permissions().mode() & 0o7777);
        out.write_all(b"new")
    })
    .unwrap();
    assert_eq!(temp_mode, Some(0o600));
}

#[cfg(unix)]
#[test]
fn a_new_file_gets_the_default_mode() {
    use std::os::unix::fs::PermissionsExt;
    let dir = TempDir::new("mode-new");
    fs::write(dir.join("plain"), b"x").unwrap();
    atomic::write(&dir.join("atomic"), b"x").unwrap();
    let mode = |name: &str| fs::metadata(dir.join(name)).unwrap().permissions().mode() & 0o7777;
    assert_eq!(mode("atomic"), mode("plain"), "the same as std::fs::write");
}

#[cfg(unix)]
#[test]
fn a_symbolic_link_is_followed_and_kept() {
    let dir = TempDir::new("symlink");
    fs::create_dir(dir.join("media")).unwrap();
    let real = dir.join("media").join("lab.cil");
    fs::write(&real, b"old").unwrap();
    let link = dir.join("lab.cil");
    std::os::unix::fs::symlink(std::path::Path::new("media").join("lab.cil"), &link).unwrap();

    atomic::write(&link, b"new").unwrap();
    assert!(
        fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert_eq!(fs::read(&real).unwrap(), b"new");
    assert_eq!(dir.entries(), ["lab.cil", "media"]);
    assert_eq!(support::entries(&dir.join("media")), ["lab.cil"]);
}

#[cfg(unix)]
#[test]
fn a_dangling_link_creates_the_file_it_names() {
    let dir = TempDir::new("symlink-dangling");
    let link = dir.join("lab.cil");
    std::os::unix::fs::symlink("real.cil", &link).unwrap();
    atomic::write(&link, b"new").unwrap();
    assert!(
        fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert_eq!(fs::read(dir.join("real.cil")).unwrap(), b"new");
}

#[cfg(unix)]
#[test]
fn a_link_loop_is_an_error() {
    let dir = TempDir::new("symlink-loop");
    std::os::unix::fs::symlink("b", dir.join("a")).unwrap();
    std::os::unix::fs::symlink("a", dir.join("b")).unwrap();
    let error = atomic::write(&dir.join("a"), b"x").unwrap_err();
    assert!(matches!(error, IoError::Metadata { .. }), "{error:?}");
    assert_eq!(dir.entries(), ["a", "b"]);
}

#[cfg(unix)]
#[test]
fn a_socket_is_not_replaced() {
    let dir = TempDir::new("socket");
    let path = dir.join("sock");
    let _listener = std::os::unix::net::UnixListener::bind(&path).unwrap();
    let error = atomic::write(&path, b"x").unwrap_err();
    assert!(
        matches!(&error, IoError::NotAFile { path: p } if *p == path),
        "{error:?}"
    );
    assert!(!fs::symlink_metadata(&path).unwrap().is_file());
    assert_eq!(dir.entries(), ["sock"]);
}

#[test]
fn a_long_name_gets_a_shortened_temporary_name() {
    let dir = TempDir::new("long-name");
    let name = format!("{}.cil", "a".repeat(240));
    let path = dir.join(&name);
    atomic::write(&path, b"x").unwrap();
    assert_eq!(fs::read(&path).unwrap(), b"x");
    assert_eq!(dir.entries(), [name]);
}

/// Each writer's contents are one byte value repeated, with a length of its own: a file that
/// mixes two writers, or is cut short, is recognisable.
fn contents_of(writer: u8) -> Vec<u8> {
    vec![writer; 50_000 + usize::from(writer) * 7_919]
}

fn is_whole(bytes: &[u8]) -> bool {
    bytes
        .first()
        .is_some_and(|&writer| bytes == contents_of(writer))
}

#[test]
fn concurrent_writers_each_leave_a_whole_file() {
    const WRITERS: u8 = 8;
    const ROUNDS: usize = 25;
    let dir = TempDir::new("concurrent");
    let path = dir.join("lab.cil");
    atomic::write(&path, &contents_of(WRITERS)).unwrap();
    let done = AtomicBool::new(false);

    thread::scope(|scope| {
        // A reader that never sees a mix or a truncated file while the writers race.
        let reader = scope.spawn(|| {
            let mut reads = 0;
            while !done.load(Ordering::Relaxed) {
                match fs::read(&path) {
                    Ok(bytes) => {
                        assert!(
                            is_whole(&bytes),
                            "a read saw a torn file of {} bytes",
                            bytes.len()
                        )
                    }
                    // Windows refuses to open a file while it is being renamed over.
                    Err(error) if cfg!(windows) => drop(error),
                    Err(error) => panic!("{error}"),
                }
                reads += 1;
            }
            reads
        });
        let writers: Vec<_> = (0..WRITERS)
            .map(|writer| {
                let path = &path;
                scope.spawn(move || {
                    let contents = contents_of(writer);
                    for round in 0..ROUNDS {
                        // Streamed in pieces on odd rounds, so writes interleave in time.
                        let result = if round % 2 == 0 {
                            atomic::write(path, &contents)
                        } else {
                            atomic::write_with(path, |out| {
                                contents
                                    .chunks(1000)
                                    .try_for_each(|chunk| out.write_all(chunk))
                            })
                        };
                        match result {
                            Ok(()) => {}
                            // Windows can refuse a rename over a file another thread is
                            // renaming over at the same moment.
                            Err(IoError::Rename { .. }) if cfg!(windows) => {}
                            Err(error) => panic!("{error}"),
                        }
                    }
                })
            })
            .collect();
        for writer in writers {
            writer.join().unwrap();
        }
        done.store(true, Ordering::Relaxed);
        assert!(reader.join().unwrap() > 0);
    });

    assert!(is_whole(&fs::read(&path).unwrap()));
    assert_eq!(dir.entries(), ["lab.cil"], "no temporary file left behind");
}

#[test]
fn random_contents_round_trip() {
    let dir = TempDir::new("random");
    let path = dir.join("lab.cil");
    let seed = 0x766f_6c61_6374; // "volact"
    let mut rng = Rng::new(seed);
    for case in 0..200 {
        // Lengths around the edges that matter: empty, tiny, the buffer size, several buffers.
        let len = match rng.below(4) {
            0 => rng.below(16),
            1 => 64 * 1024 - 8 + rng.below(16),
            2 => rng.below(8192),
            _ => rng.below(300_000),
        };
        let bytes = rng.bytes(len);
        if rng.below(2) == 0 {
            atomic::write(&path, &bytes).unwrap();
        } else {
            let mut cuts: Vec<usize> = (0..rng.below(6)).map(|_| rng.below(len + 1)).collect();
            cuts.sort_unstable();
            atomic::write_with(&path, |out| {
                let mut start = 0;
                for cut in cuts.iter().copied().chain([len]) {
                    out.write_all(&bytes[start..cut])?;
                    start = cut;
                }
                Ok(())
            })
            .unwrap();
        }
        let read = volact_io::read(&path).unwrap();
        assert!(
            read == bytes,
            "seed {seed:#x}, case {case}: {len} bytes written, {} read",
            read.len()
        );
    }
    assert_eq!(dir.entries(), ["lab.cil"]);
}
