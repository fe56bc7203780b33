//! `volact simulate` against the built binary.

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn example(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../examples/kms")
        .join(name)
}

fn volact(args: &[&std::ffi::OsStr]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_volact"))
        .args(args)
        .output()
        .expect("run volact")
}

fn temp_dir(tag: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("volact-simulate-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).expect("temp dir");
    d
}

#[test]
fn json_has_the_report_shape() {
    let path = example("image-not-generalized.scenario.toml");
    let out = volact(&["simulate".as_ref(), path.as_os_str(), "--json".as_ref()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).expect("one JSON object");
    for key in [
        "seed",
        "days",
        "clients",
        "attempts",
        "requests",
        "wan_share",
        "daily",
        "hosts",
        "first_activation",
        "notification",
        "shared_cmids",
        "end_status",
    ] {
        assert!(v.get(key).is_some(), "missing {key}");
    }
    assert_eq!(v["daily"].as_array().map(Vec::len), Some(60));
    assert_eq!(v["daily"][0]["status"]["oob_grace"], 100);
    assert_eq!(v["notification"]["reasons"][0]["code"], "0xC004F038");
    assert_eq!(v["hosts"][0]["daily_count"][59], 1);
}

#[test]
fn summary_names_the_notification_cause() {
    let path = example("image-not-generalized.scenario.toml");
    let out = volact(&["simulate".as_ref(), path.as_os_str()]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success());
    assert!(text.contains("100 clients end in Notification"), "{text}");
    assert!(text.contains("volact explain 0xC004F038"), "{text}");
    assert!(text.contains("shared CMID"), "{text}");
}

#[test]
fn csv_and_svg_files_are_written() {
    let dir = temp_dir("files");
    let path = example("global-east-down.scenario.toml");
    let svg = dir.join("chart.svg");
    let out = volact(&[
        "simulate".as_ref(),
        path.as_os_str(),
        "--csv".as_ref(),
        dir.as_os_str(),
        "--svg".as_ref(),
        svg.as_os_str(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let daily = std::fs::read_to_string(dir.join("daily_status.csv")).expect("daily");
    let mut lines = daily.lines();
    assert!(
        lines
            .next()
            .is_some_and(|h| h.starts_with("day,not_deployed,licensed"))
    );
    assert_eq!(lines.count(), 365);
    let hosts = std::fs::read_to_string(dir.join("hosts.csv")).expect("hosts");
    assert_eq!(hosts.lines().count(), 5);
    assert!(hosts.contains("kms-w1.west.contoso.com,west,"));
    for f in ["host_daily.csv", "notification.csv"] {
        assert!(dir.join(f).is_file(), "{f}");
    }
    let chart = std::fs::read_to_string(&svg).expect("svg");
    assert!(chart.contains("<svg") && chart.trim_end().ends_with("</svg>"));
    for legend in [
        "Licensed",
        "Notification",
        "Out-of-tolerance grace",
        "kms-e1.east.contoso.com",
    ] {
        assert!(chart.contains(legend), "legend {legend}");
    }
    // Well-formed enough: every opened tag is closed (no XML parser among the dependencies).
    assert_eq!(
        chart.matches("<text").count(),
        chart.matches("</text>").count()
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_bad_scenario_names_file_and_line() {
    let dir = temp_dir("bad");
    let path = dir.join("bad.toml");
    std::fs::write(&path, "[simulation]\ndays = 0\n").expect("write");
    let out = volact(&["simulate".as_ref(), path.as_os_str()]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("bad.toml") && err.contains("line 2"), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}
