//! The uniffi bindgen at exactly the workspace's uniffi version: the bindgen and the library
//! must match to the patch (a 0.32.2 bindgen rejects 0.31 metadata and the reverse).

fn main() {
    uniffi::uniffi_bindgen_main()
}
