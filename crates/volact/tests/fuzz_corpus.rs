//! Replays the tracked fuzz inputs through the same checks the fuzz targets run
//! (`volact::fuzzing`), so every `cargo test` re-checks them without cargo-fuzz or nightly.
//!
//! For each target, every file in `fuzz/regressions/<target>/` (the minimised corpus plus any
//! crash once fixed) and `fuzz/seeds/<target>/` is run inside `catch_unwind`. A missing or
//! empty directory fails the test: a replay of nothing must not pass. See `fuzz/README.md`.

use std::fs;
use std::io::Write;
use std::panic;
use std::path::{Path, PathBuf};

/// The directories replayed for each target, relative to `fuzz/`.
const KINDS: [&str; 2] = ["regressions", "seeds"];

fn fuzz_root() -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz");
    root.canonicalize().unwrap_or(root)
}

/// The files of one input directory, sorted; panics if it is missing or holds none.
fn inputs(dir: &Path) -> Vec<PathBuf> {
    let entries = fs::read_dir(dir).unwrap_or_else(|e| {
        panic!(
            "fuzz input directory {} cannot be read ({e}): it must be checked in and non-empty",
            dir.display()
        )
    });
    let mut files: Vec<PathBuf> = entries
        .map(|e| e.expect("read fuzz input directory entry").path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    assert!(
        !files.is_empty(),
        "fuzz input directory {} holds no inputs: a replay of nothing must not pass",
        dir.display()
    );
    files
}

/// Up to 64 bytes of an input as hex, for the failure message.
fn hex_preview(data: &[u8]) -> String {
    let mut s: String = data.iter().take(64).map(|b| format!("{b:02x}")).collect();
    if data.len() > 64 {
        s.push_str(&format!("… ({} bytes)", data.len()));
    }
    s
}

fn replay(target: &str, check: fn(&[u8])) {
    let mut failures = Vec::new();
    let mut counts = Vec::new();
    for kind in KINDS {
        let dir = fuzz_root().join(kind).join(target);
        let files = inputs(&dir);
        for path in &files {
            let data = fs::read(path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
            // The default hook still prints each panic's message and location to stderr.
            if panic::catch_unwind(|| check(&data)).is_err() {
                failures.push(format!("{} [{}]", path.display(), hex_preview(&data)));
            }
        }
        counts.push(format!("{} {kind}", files.len()));
    }
    // Written to stderr directly rather than with `eprintln!`, which the test harness
    // captures: the counts show in every `cargo test` log.
    let _ = writeln!(
        std::io::stderr().lock(),
        "fuzz_corpus: {target}: replayed {}",
        counts.join(" + ")
    );
    assert!(
        failures.is_empty(),
        "{} fuzz input(s) for `{target}` panicked:\n  {}",
        failures.len(),
        failures.join("\n  ")
    );
}

#[test]
fn key() {
    replay("key", volact::fuzzing::key);
}

#[test]
fn id() {
    replay("id", volact::fuzzing::id);
}

#[test]
fn epid() {
    replay("epid", volact::fuzzing::epid);
}

#[test]
fn digital_product_id() {
    replay("digital_product_id", volact::fuzzing::digital_product_id);
}

#[test]
fn cil() {
    replay("cil", volact::fuzzing::cil);
}

#[test]
fn publish_list() {
    replay("publish_list", volact::fuzzing::publish_list);
}

#[test]
fn topology() {
    replay("topology", volact::fuzzing::topology);
}

#[test]
fn scenario() {
    replay("scenario", volact::fuzzing::scenario);
}

#[test]
fn dns_message() {
    replay("dns_message", volact::fuzzing::dns_message);
}

#[test]
fn resolv_conf() {
    replay("resolv_conf", volact::fuzzing::resolv_conf);
}

#[test]
fn error_code() {
    replay("error_code", volact::fuzzing::error_code);
}

#[test]
fn pkeyconfig() {
    replay("pkeyconfig", volact::fuzzing::pkeyconfig);
}

#[test]
fn mak_store() {
    replay("mak_store", volact::fuzzing::mak_store);
}

#[test]
fn workflow_plan() {
    replay("workflow_plan", volact::fuzzing::workflow_plan);
}

#[test]
fn survey() {
    replay("survey", volact::fuzzing::survey);
}

#[test]
fn unattend() {
    replay("unattend", volact::fuzzing::unattend);
}
