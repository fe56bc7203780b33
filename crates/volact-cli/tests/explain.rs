//! `volact explain` against the built binary.

use serde_json::Value;
use std::process::{Command, Output};

fn volact(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_volact"))
        .args(args)
        .output()
        .expect("run volact")
}

fn stdout(out: &Output) -> String {
    String::from_utf8(out.stdout.clone()).expect("UTF-8 stdout")
}

fn json_lines(out: &Output) -> Vec<Value> {
    stdout(out)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{l}: {e}")))
        .collect()
}

#[test]
fn every_spelling_explains_the_same_code() {
    let out = volact(&[
        "explain",
        "0xC004F074",
        "C004F074",
        "3221549172",
        "-1073418124",
        "--json",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let rows = json_lines(&out);
    assert_eq!(rows.len(), 4);
    for r in &rows {
        assert_eq!(r["code"], "0xC004F074");
        assert_eq!(r["known"], true);
        assert!(r["fix"].as_str().unwrap().contains("12288"));
        assert!(
            r["source"]
                .as_str()
                .unwrap()
                .starts_with("https://learn.microsoft.com/")
        );
    }
    assert_eq!(rows[3]["input"], "-1073418124");
}

#[test]
fn count_too_low_names_cloned_images_in_text() {
    let out = volact(&["explain", "0xc004f038"]);
    assert!(out.status.success());
    let text = stdout(&out);
    assert!(text.starts_with("0xC004F038  "), "{text}");
    assert!(text.contains("sysprep /generalize"), "{text}");
    assert!(text.contains("slmgr /dli"), "{text}");
    assert!(text.contains("source:"), "{text}");
}

#[test]
fn unknown_or_unparsable_codes_exit_1_and_say_why() {
    let out = volact(&[
        "explain",
        "0xC004F038",
        "0x12345678",
        "not-a-code",
        "--json",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let rows = json_lines(&out);
    assert_eq!(rows[0]["known"], true);
    assert_eq!(rows[1]["known"], false);
    assert_eq!(rows[1]["code"], "0x12345678");
    assert!(
        rows[1]["error"]
            .as_str()
            .unwrap()
            .contains("not in volact's table")
    );
    assert_eq!(rows[2]["code"], Value::Null);
    assert!(rows[2]["error"].as_str().unwrap().contains("not-a-code"));
    let text = volact(&["explain", "99999999999"]);
    assert_eq!(text.status.code(), Some(1));
    assert!(stdout(&text).contains("unknown"));
}

#[test]
fn no_code_is_a_usage_error() {
    assert_eq!(volact(&["explain"]).status.code(), Some(2));
}
