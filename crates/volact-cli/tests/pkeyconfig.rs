//! `volact catalog import-pkeyconfig` and `volact key inspect --catalog`, against the built
//! binary and the fictitious test pkeyconfig files of `crates/volact/tests/data/pkeyconfig/`.

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The published "twin" of the Enterprise GVLK: valid, not a GVLK, group 3892 serial 1,
/// which the test files give a fictitious Volume:MAK configuration.
const TWIN: &str = "VKCF7-HV62C-944TY-YJ9NF-6Q83G";
const GVLK: &str = "NPPR9-FWDCX-D2C8J-H872K-2YT43";

fn data(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../volact/tests/data/pkeyconfig")
        .join(name)
        .display()
        .to_string()
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "volact-cli-pkeyconfig-{}-{name}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Runs volact with a clean environment for the catalog location.
fn volact(args: &[&str], env: &[(&str, &Path)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_volact"));
    cmd.args(args)
        .env_remove("VOLACT_CATALOG")
        .env_remove("XDG_DATA_HOME")
        .env_remove("HOME");
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().unwrap()
}

fn json_lines(out: &Output) -> Vec<Value> {
    String::from_utf8(out.stdout.clone())
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn import_then_inspect_classifies_a_mak_known_only_through_pkeyconfig() {
    let dir = scratch("mak");
    let catalog = dir.join("catalog.json");
    let c = catalog.to_str().unwrap();
    let before = volact(
        &["key", "inspect", "--json", TWIN],
        &[("VOLACT_CATALOG", &catalog)],
    );
    assert!(before.status.success());
    assert_eq!(
        json_lines(&before)[0]["classification"]["source"],
        "unknown"
    );

    let out = volact(
        &[
            "catalog",
            "import-pkeyconfig",
            "--json",
            "--catalog",
            c,
            &data("mak-retail-oem.xrm-ms"),
            &data("csvlk.xrm-ms"),
            &data("utf16.xrm-ms"),
        ],
        &[],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let reports = json_lines(&out);
    assert_eq!(reports.len(), 3);
    assert_eq!(reports[0]["file"], "mak-retail-oem.xrm-ms");
    assert_eq!(reports[0]["configurations"], 3);
    assert_eq!(reports[0]["key_ranges_by_channel"]["Volume:MAK"], 2);
    assert_eq!(reports[0]["orphan_ranges"], 1);
    assert_eq!(reports[1]["configurations_by_channel"]["Volume:CSVLK"], 1);

    let out = volact(
        &["key", "inspect", "--json", "--catalog", c, TWIN, GVLK],
        &[],
    );
    assert!(out.status.success());
    let r = json_lines(&out);
    let twin = &r[0]["classification"];
    assert_eq!(twin["source"], "user_catalog");
    assert_eq!(twin["source_file"], "mak-retail-oem.xrm-ms");
    assert_eq!(twin["channel"], "Volume:MAK");
    assert_eq!(twin["channel_kind"], "mak");
    assert_eq!(twin["edition"], "EnterpriseTest");
    // Existing fields keep their meaning: `channel` is the GVLK catalog's only.
    assert_eq!(r[0]["channel"], Value::Null);
    assert_eq!(r[0]["masked"], "XXXXX-XXXXX-XXXXX-XXXXX-6Q83G");
    assert!(!String::from_utf8_lossy(&out.stdout).contains("VKCF7"));
    assert_eq!(r[1]["classification"]["source"], "gvlk");
    assert_eq!(
        r[1]["classification"]["act_config_id"],
        "{73111121-5638-40f6-bc11-f1d7b0d64300}"
    );
    assert_eq!(r[1]["channel"], "Volume:GVLK");

    // The same catalog found through $VOLACT_CATALOG, and the table names the source.
    let out = volact(&["key", "inspect", TWIN], &[("VOLACT_CATALOG", &catalog)]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("Volume:MAK") && text.contains("mak-retail-oem.xrm-ms"),
        "{text}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn the_default_location_is_under_xdg_data_home_then_home() {
    let dir = scratch("xdg");
    let out = volact(
        &["catalog", "import-pkeyconfig", &data("csvlk.xrm-ms")],
        &[
            ("XDG_DATA_HOME", &dir.join("xdg")),
            ("HOME", &dir.join("home")),
        ],
    );
    assert!(out.status.success());
    assert!(dir.join("xdg/volact/catalog.json").is_file());
    let out = volact(
        &["catalog", "import-pkeyconfig", &data("csvlk.xrm-ms")],
        &[("HOME", &dir.join("home"))],
    );
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("Volume:CSVLK"), "{text}");
    assert!(dir.join("home/.local/share/volact/catalog.json").is_file());
    // Nowhere to keep it: a clear error, exit 3.
    let out = volact(
        &["catalog", "import-pkeyconfig", &data("csvlk.xrm-ms")],
        &[],
    );
    assert_eq!(out.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--catalog"));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_bad_file_imports_nothing_and_names_the_problem() {
    let dir = scratch("bad");
    let catalog = dir.join("catalog.json");
    let c = catalog.to_str().unwrap();
    let out = volact(
        &[
            "catalog",
            "import-pkeyconfig",
            "--catalog",
            c,
            &data("mak-retail-oem.xrm-ms"),
            &data("hostile/dtd.xrm-ms"),
        ],
        &[],
    );
    assert_eq!(out.status.code(), Some(3));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("dtd.xrm-ms") && err.contains("DTD"), "{err}");
    assert!(!catalog.exists(), "nothing written");
    // An explicit catalog that does not exist is an error for inspection.
    let out = volact(&["key", "inspect", "--catalog", c, GVLK], &[]);
    assert_eq!(out.status.code(), Some(3));
    std::fs::remove_dir_all(&dir).unwrap();
}
