//! The in-repo uniffi bindgen that maturin runs to generate `volact_uniffi.py`, built from
//! the workspace's pinned uniffi (=0.32.2): the bindgen and the library must match to the
//! patch (a 0.32 bindgen rejects 0.31 metadata). Built only with `--features bindgen`,
//! which maturin passes, so no other build compiles uniffi's `cli` (see Cargo.toml).

fn main() {
    uniffi::uniffi_bindgen_main()
}
