//! `volact mak`: the MAK store, against the built binary and the fictitious test pkeyconfig
//! files of `crates/volact/tests/data/pkeyconfig/` (which classify the published "twin" key
//! as a MAK; see that README).

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// Valid, not a GVLK, group 3892 serial 1: a MAK through the test pkeyconfig only.
const TWIN: &str = "VKCF7-HV62C-944TY-YJ9NF-6Q83G";
const GVLK: &str = "NPPR9-FWDCX-D2C8J-H872K-2YT43";
/// A syntax-only (pkey2005) test string no catalog knows; not a key of any product.
const UNKNOWN: &str = "BCDFG-HJKMP-QRTVW-XY234-6789B";

fn data(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../volact/tests/data/pkeyconfig")
        .join(name)
        .display()
        .to_string()
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("volact-cli-mak-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Runs volact with a clean environment for the store and catalog locations, and checks
/// that neither output shows any key unmasked: not whole, not without dashes, and no
/// five-character group but the last.
fn volact(args: &[&str], env: &[(&str, &Path)]) -> Output {
    volact_stdin(args, env, None)
}

fn volact_stdin(args: &[&str], env: &[(&str, &Path)], stdin: Option<&str>) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_volact"));
    cmd.args(args)
        .env_remove("VOLACT_CATALOG")
        .env_remove("VOLACT_MAK_STORE")
        .env_remove("XDG_DATA_HOME")
        .env_remove("HOME")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().unwrap();
    if let Some(text) = stdin {
        use std::io::Write;
        child
            .stdin
            .take()
            .unwrap()
            .write_all(text.as_bytes())
            .unwrap();
    }
    drop(child.stdin.take());
    let out = child.wait_with_output().unwrap();
    // Commands that are given a key on the command line may not echo it either.
    for text in [&out.stdout, &out.stderr] {
        let text = String::from_utf8_lossy(text);
        for key in [TWIN, GVLK, UNKNOWN] {
            let bare: String = key.chars().filter(|&c| c != '-').collect();
            assert!(!text.contains(key) && !text.contains(&bare), "{text}");
            for group in key.split('-').take(4) {
                assert!(!text.contains(group), "{group} in {text}");
            }
        }
    }
    out
}

fn stdout(out: &Output) -> String {
    String::from_utf8(out.stdout.clone()).unwrap()
}

fn stderr(out: &Output) -> String {
    String::from_utf8(out.stderr.clone()).unwrap()
}

fn list_json(store: &str) -> Vec<Value> {
    let out = volact(&["mak", "list", "--json", "--store", store], &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    stdout(&out)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn a_mak_known_only_through_an_imported_pkeyconfig_is_classified_mak() {
    let dir = scratch("classified");
    let catalog = dir.join("catalog.json");
    let c = catalog.to_str().unwrap();
    let store = dir.join("store").join("maks.json");
    let s = store.to_str().unwrap();
    // Before the import no catalog knows it: refused until declared.
    let out = volact(&["mak", "add", TWIN, "--catalog", c, "--store", s], &[]);
    assert!(!out.status.success());
    let out = volact(
        &[
            "catalog",
            "import-pkeyconfig",
            "--catalog",
            c,
            &data("mak-retail-oem.xrm-ms"),
        ],
        &[],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    // A contradicting declaration is refused.
    let out = volact(
        &[
            "mak",
            "add",
            TWIN,
            "--type",
            "retail",
            "--catalog",
            c,
            "--store",
            s,
        ],
        &[],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("Volume:MAK"), "{}", stderr(&out));
    let out = volact(
        &[
            "mak",
            "add",
            TWIN,
            "--description",
            "Lab MAK",
            "--catalog",
            c,
            "--store",
            s,
        ],
        &[],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("XXXXX-XXXXX-XXXXX-XXXXX-6Q83G"),
        "{}",
        stdout(&out)
    );
    let rows = list_json(s);
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0]["kind"], "mak");
    assert_eq!(rows[0]["source"], "user_catalog");
    assert_eq!(rows[0]["source_file"], "mak-retail-oem.xrm-ms");
    assert_eq!(rows[0]["key"], "XXXXX-XXXXX-XXXXX-XXXXX-6Q83G");
    assert_eq!(rows[0]["description"], "Lab MAK");
    assert!(rows[0]["edition"].is_string());
    // Adding it again is refused, naming the masked key.
    let out = volact(&["mak", "add", TWIN, "--catalog", c, "--store", s], &[]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("already in the store"),
        "{}",
        stderr(&out)
    );
    // The file is owner-only and holds the key (it has to be usable).
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&store).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }
    assert!(std::fs::read_to_string(&store).unwrap().contains(TWIN));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_key_of_unknown_type_is_refused_until_declared_and_gvlks_are_refused() {
    let dir = scratch("declared");
    let store = dir.join("maks.json");
    let env: &[(&str, &Path)] = &[("VOLACT_MAK_STORE", &store), ("HOME", &dir)];
    let out = volact(&["mak", "add", UNKNOWN], env);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("--type"), "{}", stderr(&out));
    assert!(!store.exists());
    let out = volact(&["mak", "add", GVLK, "--type", "mak"], env);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("not a MAK"), "{}", stderr(&out));
    // An invalid key: refused, masked.
    let out = volact(
        &[
            "mak",
            "add",
            "VKCF7-HV62C-944TY-YJ9NF-6Q83H",
            "--type",
            "mak",
        ],
        env,
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("checksum"), "{}", stderr(&out));
    // Declared, read from standard input.
    let out = volact_stdin(
        &[
            "mak",
            "add",
            "-",
            "--type",
            "csvlk",
            "--description",
            "KMS host",
        ],
        env,
        Some(&format!("{UNKNOWN}\n")),
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let rows = list_json(store.to_str().unwrap());
    assert_eq!(
        (rows[0]["kind"].as_str(), rows[0]["source"].as_str()),
        (Some("csvlk"), Some("declared"))
    );
    assert!(rows[0]["edition"].is_null());
    let out = volact(&["mak", "list"], env);
    assert!(out.status.success());
    assert!(
        stdout(&out).contains("csvlk (declared)"),
        "{}",
        stdout(&out)
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn snapshots_keep_their_times_and_remove_forgets_the_key() {
    let dir = scratch("snapshots");
    let store = dir.join("maks.json");
    let s = store.to_str().unwrap();
    let out = volact(&["mak", "add", TWIN, "--type", "mak", "--store", s], &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    let id = list_json(s)[0]["id"].as_str().unwrap().to_owned();
    assert_eq!(id.len(), 12);
    let before = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    for (sel, n) in [(id.as_str(), "120"), ("6Q83G", "97")] {
        let out = volact(&["mak", "record-count", sel, n, "--store", s], &[]);
        assert!(out.status.success(), "{}", stderr(&out));
        assert!(stdout(&out).contains("snapshot"), "{}", stdout(&out));
    }
    let row = &list_json(s)[0];
    let snaps = row["snapshots"].as_array().unwrap();
    assert_eq!(snaps.len(), 2);
    assert_eq!(snaps[0]["remaining"], 120);
    assert_eq!(row["remaining"], 97);
    for snap in snaps {
        let at = snap["taken_at_unix"].as_i64().unwrap();
        assert!(at >= before && at <= before + 60, "{snap}");
        assert!(snap["taken_at"].as_str().unwrap().ends_with('Z'));
    }
    assert_eq!(row["remaining_taken_at"], snaps[1]["taken_at"]);
    let out = volact(&["mak", "list", "--store", s], &[]);
    let text = stdout(&out);
    assert!(
        text.contains("XXXXX-XXXXX-XXXXX-XXXXX-6Q83G") && text.contains("97"),
        "{text}"
    );
    let out = volact(&["mak", "record-count", "ZZZZ", "5", "--store", s], &[]);
    assert_eq!(out.status.code(), Some(1));
    let out = volact(&["mak", "remove", &id[..6], "--store", s], &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(list_json(s).is_empty());
    assert!(!std::fs::read_to_string(&store).unwrap().contains(TWIN));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[cfg(unix)]
#[test]
fn a_store_others_can_read_is_refused_and_its_error_shows_no_key() {
    use std::os::unix::fs::PermissionsExt;
    let dir = scratch("exposed");
    let store = dir.join("maks.json");
    let s = store.to_str().unwrap();
    assert!(
        volact(&["mak", "add", TWIN, "--type", "mak", "--store", s], &[])
            .status
            .success()
    );
    std::fs::set_permissions(&store, std::fs::Permissions::from_mode(0o644)).unwrap();
    let out = volact(&["mak", "list", "--store", s], &[]);
    assert_eq!(out.status.code(), Some(3));
    assert!(stderr(&out).contains("chmod 600"), "{}", stderr(&out));
    std::fs::remove_dir_all(&dir).unwrap();
}
