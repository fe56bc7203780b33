//! `volact unattend show|set-key|scrub` against the built binary, on the core's answer-file
//! fixtures (crates/volact/tests/data/unattend/) and variants made from them (UTF-16, a DTD,
//! a key without dashes).
//!
//! Every edit is compared byte for byte with its input outside the key spans; no output of
//! volact may hold a key in clear (with or without dashes, or any of its first four groups),
//! and a file holding a key must be owner-only.

mod common;
use common::{assert_no_key, fails, ok, path, stderr, stdout};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// The published "twin" test key (tests/mak.rs), a MAK as far as these files go.
const MAK: &str = "VKCF7-HV62C-944TY-YJ9NF-6Q83G";
const GVLK_ENTERPRISE: &str = "NPPR9-FWDCX-D2C8J-H872K-2YT43";
const GVLK_PRO: &str = "W269N-WFGWX-YVC9B-4J6C9-T83GX";
const SCRUBBED: &str = "SENSITIVE*DATA*DELETED";

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../volact/tests/data/unattend")
        .join(name)
}

/// Runs volact (with `stdin` fed when given) and checks that neither output holds any of
/// the keys these tests use: volact prints keys masked only.
fn run(args: &[&str], stdin: Option<&str>) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_volact"));
    cmd.args(args)
        .env_remove("VOLACT_CATALOG")
        .env_remove("XDG_DATA_HOME")
        .env_remove("HOME")
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("spawn volact");
    if let Some(text) = stdin {
        use std::io::Write;
        child
            .stdin
            .take()
            .unwrap()
            .write_all(text.as_bytes())
            .unwrap();
    }
    let out = child.wait_with_output().unwrap();
    for key in [MAK, GVLK_ENTERPRISE, GVLK_PRO] {
        assert_no_key(&String::from_utf8_lossy(&out.stdout), key, "stdout");
        assert_no_key(&String::from_utf8_lossy(&out.stderr), key, "stderr");
    }
    out
}

fn volact(args: &[&str]) -> Output {
    run(args, None)
}

fn text(p: &Path) -> String {
    String::from_utf8(std::fs::read(p).unwrap()).unwrap()
}

/// `after` is `before` with each (old, new) replaced in order, once each, and nothing else
/// changed: byte for byte outside the key spans.
fn only_replaced(before: &str, after: &str, edits: &[(&str, &str)]) {
    let mut expected = before.to_owned();
    let mut from = 0;
    for (old, new) in edits {
        let at = expected[from..]
            .find(old)
            .map(|i| i + from)
            .unwrap_or_else(|| panic!("{old} not found"));
        expected.replace_range(at..at + old.len(), new);
        from = at + new.len();
    }
    assert_eq!(after, expected);
}

#[cfg(unix)]
fn mode(p: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(p).unwrap().permissions().mode() & 0o777
}

#[test]
fn show_lists_the_places_masked_with_lines_types_and_warnings() {
    let mak_file = fixture("mak-both-places.xml");
    let o = volact(&["unattend", "show", path(&mak_file)]);
    let out = ok(&o);
    let rows: Vec<Vec<&str>> = out
        .lines()
        .skip(1)
        .take_while(|l| !l.is_empty())
        .map(|l| l.split_whitespace().collect())
        .collect();
    assert_eq!(
        rows,
        [
            vec![
                "8",
                "windowsPE/Microsoft-Windows-Setup/UserData/ProductKey/Key",
                "XXXXX-XXXXX-XXXXX-XXXXX-6Q83G",
                "unknown",
                "-"
            ],
            vec![
                "19",
                "specialize/Microsoft-Windows-Shell-Setup/ProductKey",
                "XXXXX-XXXXX-XXXXX-XXXXX-6Q83G",
                "unknown",
                "-"
            ],
            vec![
                "27",
                "key-shaped",
                "text",
                "XXXXX-XXXXX-XXXXX-XXXXX-6Q83G",
                "unknown",
                "-"
            ],
        ],
        "{out}"
    );
    assert!(
        out.contains("3 places, 3 holding a key (shown masked)"),
        "{out}"
    );
    assert!(
        out.contains("warning: a key other than a published GVLK is stored in clear text"),
        "{out}"
    );
    assert!(
        out.contains("warning: keys outside setup's two places"),
        "{out}"
    );

    // The JSON is the core's Report::to_json.
    let v: Value = serde_json::from_str(&ok(&volact(&[
        "unattend",
        "show",
        path(&mak_file),
        "--json",
    ])))
    .unwrap();
    let places = v["places"].as_array().unwrap();
    let kinds: Vec<&str> = places.iter().map(|p| p["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["setup_user_data", "shell_setup", "other_text"]);
    let lines: Vec<u64> = places.iter().map(|p| p["line"].as_u64().unwrap()).collect();
    assert_eq!(lines, [8, 19, 27]);
    assert_eq!(places[0]["value"]["state"], "key");
    assert_eq!(
        places[0]["value"]["masked"],
        "XXXXX-XXXXX-XXXXX-XXXXX-6Q83G"
    );
    assert!(v["warnings"].as_array().unwrap().len() >= 2);

    // A GVLK is typed from Microsoft's list, with its editions; an empty place is shown.
    let out = ok(&volact(&[
        "unattend",
        "show",
        path(&fixture("gvlk-specialize-only.xml")),
    ]));
    let lines: Vec<&str> = out.lines().collect();
    assert!(
        lines[1].starts_with("7 ") && lines[1].contains("(empty)"),
        "{out}"
    );
    assert!(
        lines[2].starts_with("14 ")
            && lines[2].contains("XXXXX-XXXXX-XXXXX-XXXXX-2YT43")
            && lines[2].contains("gvlk")
            && lines[2].contains("Windows 11 Enterprise"),
        "{out}"
    );
    assert!(!out.contains("warning:"), "{out}");
}

#[cfg(unix)]
#[test]
fn show_warns_about_a_key_in_a_file_others_can_read() {
    use std::os::unix::fs::PermissionsExt;
    let dir = scratch("exposed");
    let file = dir.join("Unattend.xml");
    std::fs::copy(fixture("mak-both-places.xml"), &file).unwrap();
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap();
    let out = ok(&volact(&["unattend", "show", path(&file)]));
    assert!(out.contains("its mode 0644 lets others read it"), "{out}");
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600)).unwrap();
    let out = ok(&volact(&["unattend", "show", path(&file)]));
    assert!(!out.contains("lets others read it"), "{out}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn set_key_then_scrub_round_trip_changes_only_the_key_spans() {
    let dir = scratch("round-trip");
    let input = fixture("mak-both-places.xml");
    let before = text(&input);

    // set-key: both of setup's places, the command line's key left alone (and reported).
    let with_key = dir.join("with-key.xml");
    let o = volact(&[
        "unattend",
        "set-key",
        path(&input),
        "--key",
        GVLK_PRO,
        "-o",
        path(&with_key),
    ]);
    let out = ok(&o);
    assert!(
        out.contains("set XXXXX-XXXXX-XXXXX-XXXXX-T83GX (gvlk: Windows 11 Pro"),
        "{out}"
    );
    assert!(out.contains("in 2 places:"), "{out}");
    assert!(
        out.contains("  line 8: windowsPE/Microsoft-Windows-Setup/UserData/ProductKey/Key\n"),
        "{out}"
    );
    assert!(
        out.contains("  line 19: specialize/Microsoft-Windows-Shell-Setup/ProductKey\n"),
        "{out}"
    );
    assert!(
        out.contains(&format!("wrote {}", with_key.display())),
        "{out}"
    );
    // The MAK left on the command line is still in clear: warned.
    assert!(
        stderr(&o).contains("keys outside setup's two places"),
        "{}",
        stderr(&o)
    );
    only_replaced(
        &before,
        &text(&with_key),
        &[(MAK, GVLK_PRO), (MAK, GVLK_PRO)],
    );
    #[cfg(unix)]
    assert_eq!(mode(&with_key), 0o600);

    // scrub: every key, the command line's too, and nothing else.
    let scrubbed = dir.join("scrubbed.xml");
    let out = ok(&volact(&[
        "unattend",
        "scrub",
        path(&with_key),
        "-o",
        path(&scrubbed),
    ]));
    assert!(out.contains("scrubbed 3 places"), "{out}");
    assert!(
        out.contains("  line 27: key-shaped text (XXXXX-XXXXX-XXXXX-XXXXX-6Q83G, unknown)"),
        "{out}"
    );
    let after = text(&scrubbed);
    only_replaced(
        &text(&with_key),
        &after,
        &[(GVLK_PRO, SCRUBBED), (GVLK_PRO, SCRUBBED), (MAK, SCRUBBED)],
    );
    only_replaced(
        &before,
        &after,
        &[(MAK, SCRUBBED), (MAK, SCRUBBED), (MAK, SCRUBBED)],
    );
    for key in [MAK, GVLK_PRO] {
        assert_no_key(&after, key, "the scrubbed file");
    }
    // Read back: every place scrubbed, no warning.
    let v: Value = serde_json::from_str(&ok(&volact(&[
        "unattend",
        "show",
        path(&scrubbed),
        "--json",
    ])))
    .unwrap();
    assert!(
        v["places"]
            .as_array()
            .unwrap()
            .iter()
            .all(|p| p["value"]["state"] == "scrubbed"),
        "{v}"
    );
    assert_eq!(v["warnings"], serde_json::json!([]));
    // Scrubbing again changes nothing.
    let again = dir.join("again.xml");
    let out = ok(&volact(&[
        "unattend",
        "scrub",
        path(&scrubbed),
        "-o",
        path(&again),
    ]));
    assert!(out.contains("nothing to scrub"), "{out}");
    assert_eq!(
        std::fs::read(&again).unwrap(),
        std::fs::read(&scrubbed).unwrap()
    );
    // The input fixture was never touched.
    assert_eq!(text(&input), before);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn set_key_from_standard_input_fills_an_empty_element_and_warns_about_clear_text() {
    let dir = scratch("stdin");
    let input = fixture("gvlk-specialize-only.xml");
    let out_file = dir.join("Unattend.xml");
    let o = run(
        &[
            "unattend",
            "set-key",
            path(&input),
            "--key",
            "-",
            "-o",
            path(&out_file),
        ],
        Some(&format!("{MAK}\n")),
    );
    let out = ok(&o);
    assert!(
        out.contains("set XXXXX-XXXXX-XXXXX-XXXXX-6Q83G (unknown) in 2 places:"),
        "{out}"
    );
    assert!(out.contains("  line 7: windowsPE/"), "{out}");
    assert!(out.contains("  line 14: specialize/"), "{out}");
    let err = stderr(&o);
    assert!(
        err.contains("warning: a key other than a published GVLK is stored in clear text")
            && err.contains(SCRUBBED),
        "{err}"
    );
    only_replaced(
        &text(&input),
        &text(&out_file),
        &[
            ("<Key/>", &format!("<Key>{MAK}</Key>")),
            (GVLK_ENTERPRISE, MAK),
        ],
    );
    #[cfg(unix)]
    assert_eq!(mode(&out_file), 0o600);

    // Scrubbed in place: the key gone, with and without dashes.
    let out = ok(&volact(&[
        "unattend",
        "scrub",
        path(&out_file),
        "--in-place",
    ]));
    assert!(out.contains("scrubbed 2 places"), "{out}");
    let after = text(&out_file);
    assert_no_key(&after, MAK, "the scrubbed file");
    only_replaced(
        &text(&input),
        &after,
        &[
            ("<Key/>", &format!("<Key>{SCRUBBED}</Key>")),
            (GVLK_ENTERPRISE, SCRUBBED),
        ],
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn the_input_is_never_replaced_by_accident() {
    let dir = scratch("in-place");
    let file = dir.join("Unattend.xml");
    std::fs::copy(fixture("mak-both-places.xml"), &file).unwrap();
    let before = std::fs::read(&file).unwrap();
    // -o naming the input, directly or through another path: refused, the file untouched.
    let same = dir.join(".").join("Unattend.xml");
    for args in [
        &["unattend", "scrub", path(&file), "-o", path(&same)][..],
        &[
            "unattend",
            "set-key",
            path(&file),
            "--key",
            GVLK_PRO,
            "-o",
            path(&file),
        ],
    ] {
        let err = fails(&volact(args), 1);
        assert!(err.contains("is the input file: pass --in-place"), "{err}");
        assert_eq!(std::fs::read(&file).unwrap(), before);
    }
    // Neither -o nor --in-place, or both: usage errors.
    fails(&volact(&["unattend", "scrub", path(&file)]), 2);
    fails(
        &volact(&[
            "unattend",
            "scrub",
            path(&file),
            "--in-place",
            "-o",
            "x.xml",
        ]),
        2,
    );
    // --in-place says so.
    ok(&volact(&[
        "unattend",
        "set-key",
        path(&file),
        "--key",
        GVLK_PRO,
        "--in-place",
    ]));
    only_replaced(
        &String::from_utf8(before).unwrap(),
        &text(&file),
        &[(MAK, GVLK_PRO), (MAK, GVLK_PRO)],
    );
    #[cfg(unix)]
    assert_eq!(mode(&file), 0o600);
    std::fs::remove_dir_all(&dir).unwrap();
}

/// The fixture's text as UTF-16 with a byte order mark.
fn utf16(text: &str, le: bool) -> Vec<u8> {
    let mut bytes = if le {
        vec![0xFF, 0xFE]
    } else {
        vec![0xFE, 0xFF]
    };
    for u in text.encode_utf16() {
        bytes.extend_from_slice(&if le { u.to_le_bytes() } else { u.to_be_bytes() });
    }
    bytes
}

#[test]
fn utf16_files_round_trip_in_utf16() {
    let dir = scratch("utf16");
    let original = text(&fixture("mak-both-places.xml"));
    for le in [true, false] {
        let input = dir.join(if le { "le.xml" } else { "be.xml" });
        std::fs::write(&input, utf16(&original, le)).unwrap();
        let out = ok(&volact(&["unattend", "show", path(&input)]));
        assert!(out.contains("3 places, 3 holding a key"), "{out}");

        let with_key = dir.join("with-key.xml");
        ok(&volact(&[
            "unattend",
            "set-key",
            path(&input),
            "--key",
            GVLK_PRO,
            "-o",
            path(&with_key),
        ]));
        let expected = original.replacen(MAK, GVLK_PRO, 2);
        assert_eq!(std::fs::read(&with_key).unwrap(), utf16(&expected, le));

        let scrubbed = dir.join("scrubbed.xml");
        ok(&volact(&[
            "unattend",
            "scrub",
            path(&with_key),
            "-o",
            path(&scrubbed),
        ]));
        let expected = original.replace(MAK, SCRUBBED);
        assert_eq!(std::fs::read(&scrubbed).unwrap(), utf16(&expected, le));
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn hostile_and_unfit_files_are_refused_with_a_clear_error() {
    let dir = scratch("refused");
    let out_file = dir.join("out.xml");
    // A DTD: never processed (entity expansion), exit 3, nothing written.
    let dtd = dir.join("dtd.xml");
    std::fs::write(
        &dtd,
        "<?xml version=\"1.0\"?>\n<!DOCTYPE unattend [<!ENTITY k \"VKCF7-HV62C-944TY-YJ9NF-6Q83G\">]>\n<unattend><settings pass=\"specialize\"><component name=\"Microsoft-Windows-Shell-Setup\"><ProductKey>&k;</ProductKey></component></settings></unattend>\n",
    )
    .unwrap();
    for args in [
        &["unattend", "show", path(&dtd)][..],
        &["unattend", "scrub", path(&dtd), "-o", path(&out_file)],
        &[
            "unattend",
            "set-key",
            path(&dtd),
            "--key",
            GVLK_PRO,
            "-o",
            path(&out_file),
        ],
    ] {
        let err = fails(&volact(args), 3);
        assert!(
            err.contains("dtd.xml") && err.contains("DTDs are not accepted"),
            "{err}"
        );
        assert!(!out_file.exists());
    }
    // Not an answer file; not well-formed.
    let cil = dir.join("lab.cil");
    std::fs::write(&cil, "<SoftwareLicensingData/>").unwrap();
    let err = fails(&volact(&["unattend", "show", path(&cil)]), 3);
    assert!(err.contains("not an answer file"), "{err}");
    let broken = dir.join("broken.xml");
    std::fs::write(&broken, "<unattend><settings>").unwrap();
    fails(&volact(&["unattend", "show", path(&broken)]), 3);

    // An invalid key: refused without echoing it.
    let input = fixture("gvlk-specialize-only.xml");
    let typo = "VKCF7-HV62C-944TY-YJ9NF-6Q83H";
    let o = volact(&[
        "unattend",
        "set-key",
        path(&input),
        "--key",
        typo,
        "-o",
        path(&out_file),
    ]);
    let err = fails(&o, 1);
    assert!(err.contains("the key is not valid"), "{err}");
    assert!(
        !err.contains("YJ9NF") && !stdout(&o).contains("YJ9NF"),
        "{err}"
    );
    assert!(!out_file.exists());
    // A file without a place for the key.
    let none = dir.join("none.xml");
    std::fs::write(
        &none,
        "<unattend><settings pass=\"oobeSystem\"/></unattend>",
    )
    .unwrap();
    let err = fails(
        &volact(&[
            "unattend",
            "set-key",
            path(&none),
            "--key",
            GVLK_PRO,
            "-o",
            path(&out_file),
        ]),
        1,
    );
    assert!(err.contains("no product key place in the file"), "{err}");
    assert!(!out_file.exists());
    let out = ok(&volact(&["unattend", "show", path(&none)]));
    assert!(out.contains("no product key and no place for one"), "{out}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_key_without_dashes_is_scrubbed_in_a_place_and_never_left_behind_elsewhere() {
    let dir = scratch("dashless");
    let bare: String = MAK.chars().filter(|&c| c != '-').collect();
    let place = format!(
        "<unattend>\n<settings pass=\"specialize\">\n<component name=\"Microsoft-Windows-Shell-Setup\">\n<ProductKey>{bare}</ProductKey>\n</component>\n</settings>\n</unattend>\n"
    );
    let input = dir.join("place.xml");
    std::fs::write(&input, &place).unwrap();
    let out_file = dir.join("out.xml");
    ok(&volact(&[
        "unattend",
        "scrub",
        path(&input),
        "-o",
        path(&out_file),
    ]));
    assert_eq!(text(&out_file), place.replace(&bare, SCRUBBED));
    assert_no_key(&text(&out_file), MAK, "the scrubbed file");

    // In a command line and a comment, dashed or not: `show` lists both, `scrub` replaces both.
    let command = format!(
        "<unattend>\n<!-- {MAK} -->\n<settings pass=\"oobeSystem\"><component name=\"Microsoft-Windows-Shell-Setup\"><FirstLogonCommands><SynchronousCommand><CommandLine>slmgr.vbs /ipk {bare}</CommandLine></SynchronousCommand></FirstLogonCommands></component></settings>\n</unattend>\n"
    );
    let input = dir.join("command.xml");
    std::fs::write(&input, &command).unwrap();
    let out = ok(&volact(&["unattend", "show", "--json", path(&input)]));
    assert_eq!(out.matches("\"kind\": \"other_text\"").count(), 2, "{out}");
    let out_file = dir.join("command-out.xml");
    ok(&volact(&[
        "unattend",
        "scrub",
        path(&input),
        "-o",
        path(&out_file),
    ]));
    assert_eq!(
        text(&out_file),
        command.replace(MAK, SCRUBBED).replace(&bare, SCRUBBED)
    );
    assert_no_key(&text(&out_file), MAK, "the scrubbed file");
    assert_eq!(text(&input), command);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn crlf_line_endings_and_a_utf8_bom_are_kept() {
    let dir = scratch("crlf");
    let original = text(&fixture("mak-both-places.xml"));
    let crlf = format!("\u{feff}{}", original.replace('\n', "\r\n"));
    let input = dir.join("crlf.xml");
    std::fs::write(&input, &crlf).unwrap();
    let out = ok(&volact(&["unattend", "show", path(&input)]));
    assert!(out.starts_with("LINE") && out.contains("\n19 "), "{out}");
    let scrubbed = dir.join("scrubbed.xml");
    ok(&volact(&[
        "unattend",
        "scrub",
        path(&input),
        "-o",
        path(&scrubbed),
    ]));
    assert_eq!(text(&scrubbed), crlf.replace(MAK, SCRUBBED));
    std::fs::remove_dir_all(&dir).unwrap();
}

fn scratch(name: &str) -> PathBuf {
    common::scratch("unattend", name)
}
