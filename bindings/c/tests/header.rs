//! The committed header is exactly what cbindgen 0.29.4 generates from the sources.
//! The build never writes into the source tree; this test only reads, unless asked:
//! `VOLACT_BLESS=1 cargo test -p volact-c --test header` rewrites include/volact.h.

use std::path::Path;

#[test]
fn header_is_current() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let config = cbindgen::Config::from_file(dir.join("cbindgen.toml")).expect("cbindgen.toml");
    let bindings = cbindgen::Builder::new()
        .with_crate(dir)
        .with_config(config)
        .generate()
        .expect("cbindgen failed on bindings/c");
    let mut fresh = Vec::new();
    bindings.write(&mut fresh);
    let path = dir.join("include/volact.h");
    if std::env::var_os("VOLACT_BLESS").is_some() {
        std::fs::write(&path, &fresh).expect("write include/volact.h");
        return;
    }
    let committed = std::fs::read(&path).unwrap_or_default();
    if committed != fresh {
        let committed = String::from_utf8_lossy(&committed);
        let fresh = String::from_utf8_lossy(&fresh);
        let first = committed
            .lines()
            .zip(fresh.lines())
            .position(|(a, b)| a != b)
            .unwrap_or(committed.lines().count().min(fresh.lines().count()));
        panic!(
            "include/volact.h is stale (first difference at line {}): run \
             `VOLACT_BLESS=1 cargo test -p volact-c --test header` and commit it",
            first + 1
        );
    }
}
