//! The `volact` command-line contract, run against the built binary.

use serde_json::Value;
use std::io::Write;
use std::process::{Command, Output, Stdio};

fn volact(args: &[&str], stdin: Option<&[u8]>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_volact"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn volact");
    {
        let mut pipe = child.stdin.take().unwrap();
        if let Some(data) = stdin {
            pipe.write_all(data).unwrap();
        }
    }
    child.wait_with_output().unwrap()
}

fn json_lines(out: &Output) -> Vec<Value> {
    String::from_utf8(out.stdout.clone())
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{l}: {e}")))
        .collect()
}

fn catalog_keys() -> Vec<String> {
    let out = volact(&["catalog", "list", "--json"], None);
    assert!(out.status.success());
    json_lines(&out)
        .iter()
        .map(|r| r["key"].as_str().unwrap().to_owned())
        .collect()
}

const KEY_FIELDS: [&str; 13] = [
    "valid",
    "algorithm",
    "group_id",
    "serial",
    "security",
    "checksum",
    "upgrade",
    "extra",
    "masked",
    "fingerprint",
    "catalog",
    "channel",
    "error",
];

#[test]
fn every_catalog_key_inspects_valid_with_its_rows_and_stays_masked() {
    let keys = catalog_keys();
    assert_eq!(keys.len(), 167);
    let mut unique = keys.clone();
    unique.dedup();
    let input = keys.join("\n");
    let out = volact(&["key", "inspect", "--json", "-"], Some(input.as_bytes()));
    assert_eq!(out.status.code(), Some(0));
    let stdout = String::from_utf8(out.stdout.clone()).unwrap();
    let records = json_lines(&out);
    assert_eq!(records.len(), 167);
    for (key, r) in keys.iter().zip(&records) {
        for field in KEY_FIELDS {
            assert!(r.get(field).is_some(), "{field} missing");
        }
        assert_eq!(r["valid"], true);
        assert_eq!(r["channel"], "Volume:GVLK");
        assert!(!r["catalog"].as_array().unwrap().is_empty());
        assert_eq!(r["masked"].as_str().unwrap()[24..], key[24..]);
        assert!(r.get("key").is_none(), "no key field without --reveal");
        // The first four groups never appear anywhere in the output.
        assert!(!stdout.contains(&key[..23]), "unmasked key in output");
    }
    let families: Vec<&str> =
        records[keys.iter().position(|k| k.starts_with("NPPR9")).unwrap()]["catalog"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["family"].as_str().unwrap())
            .collect();
    assert_eq!(families, ["Windows 11", "Windows 10"]);
}

#[test]
fn key_inspect_json_fields_follow_the_contract() {
    let out = volact(
        &[
            "key",
            "inspect",
            "--json",
            "NPPR9-FWDCX-D2C8J-H872K-2YT43",
            "NPPR9-FWDCX-D2C8J-H872K-2YT44",
            "FJ82H-XT6CR-J8D7P-XQJJ2-GPDD4",
            "NPPR9-FWDCX",
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(1), "one invalid input → exit 1");
    let r = json_lines(&out);
    assert_eq!(r.len(), 4);
    // facts.md §1.3.
    assert_eq!(r[0]["group_id"], 3290);
    assert_eq!(r[0]["serial"], 3);
    assert_eq!(r[0]["security"], 0xF99457819D8C6u64);
    assert_eq!(r[0]["checksum"], 0x033);
    assert_eq!(r[0]["upgrade"], false);
    assert_eq!(r[0]["error"], Value::Null);
    assert_eq!(r[0]["fingerprint"].as_str().unwrap().len(), 64);
    // A checksum mismatch still decodes.
    assert_eq!(r[1]["valid"], false);
    assert_eq!(r[1]["algorithm"], "pkey2009");
    assert_eq!(r[1]["group_id"], 3291);
    assert!(r[1]["fingerprint"].is_string());
    assert!(r[1]["error"].as_str().unwrap().contains("checksum"));
    assert_eq!(r[1]["channel"], Value::Null);
    // pkey2005: valid, no fields.
    assert_eq!(r[2]["algorithm"], "pkey2005");
    assert_eq!(r[2]["group_id"], Value::Null);
    assert_eq!(r[2]["valid"], true);
    // Unparseable: algorithm and fingerprint null, error names the reason.
    assert_eq!(r[3]["algorithm"], Value::Null);
    assert_eq!(r[3]["fingerprint"], Value::Null);
    assert!(
        r[3]["error"]
            .as_str()
            .unwrap()
            .contains("10 key characters")
    );
}

#[test]
fn reveal_is_the_only_way_to_see_a_key() {
    let key = "W269N-WFGWX-YVC9B-4J6C9-T83GX";
    for args in [
        &["key", "inspect", key][..],
        &["key", "inspect", "--json", key],
    ] {
        let out = volact(args, None);
        let text = String::from_utf8(out.stdout).unwrap();
        assert!(!text.contains("W269N") && text.contains("T83GX"), "{text}");
    }
    let out = volact(&["key", "inspect", "--json", "--reveal", key], None);
    assert_eq!(json_lines(&out)[0]["key"], key);
    let out = volact(
        &["key", "inspect", "--reveal", "w269nwfgwxyvc9b4j6c9t83gx"],
        None,
    );
    assert!(String::from_utf8(out.stdout).unwrap().contains(key));
}

#[test]
fn stdin_skips_blank_lines_and_survives_bad_bytes() {
    let input = b"\nNPPR9-FWDCX-D2C8J-H872K-2YT43\r\n   \n\xff\xfeKEY\n";
    let out = volact(&["key", "inspect", "--json", "-"], Some(input));
    let r = json_lines(&out);
    assert_eq!(r.len(), 2);
    assert_eq!(r[0]["valid"], true);
    assert_eq!(r[1]["valid"], false);
    assert!(r[1]["error"].as_str().unwrap().contains("character 1"));
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn usage_errors_exit_2() {
    assert_eq!(volact(&["key", "inspect"], None).status.code(), Some(2));
    assert_eq!(volact(&["nonsense"], None).status.code(), Some(2));
    assert_eq!(
        volact(&["key", "inspect", "--bogus", "x"], None)
            .status
            .code(),
        Some(2)
    );
}

#[test]
fn id_check_json_fields_follow_the_contract() {
    let out = volact(
        &[
            "id",
            "check",
            "--json",
            "070846-984606-199354-110900-862045-444713-121295-109842-549701",
            "253037440405119108201413961093786848722385303726677949056629204",
            "204455 473963 727110 378854 169136 901266 745572",
            "12345",
            "12a",
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(1));
    let r = json_lines(&out);
    assert_eq!(r[0]["valid"], true);
    assert_eq!(r[0]["kind"], "installation_id");
    assert_eq!(r[0]["digits"], 54);
    assert_eq!(r[0]["groups"], 9);
    assert_eq!(r[0]["group_len"], 6);
    assert_eq!(r[0]["rule_confirmed"], true);
    assert_eq!(r[1]["valid"], false);
    assert_eq!(r[1]["group_len"], 7);
    assert_eq!(r[1]["bad_groups"], serde_json::json!([8]));
    assert_eq!(
        r[1]["canonical"],
        "2530374-4040511-9108201-4139610-9378684-8722385-3037266-7794905-6629204"
    );
    assert_eq!(r[2]["kind"], "confirmation_id");
    assert_eq!(
        r[2]["canonical"],
        "204455-473963-727110-378854-169136-901266-745572"
    );
    assert_eq!(r[3]["kind"], Value::Null);
    assert_eq!(r[3]["digits"], 5);
    assert_eq!(r[3]["rule_confirmed"], false);
    assert!(r[4]["error"].as_str().unwrap().contains("character 3"));
}

#[test]
fn epid_and_catalog_commands() {
    let out = volact(
        &[
            "epid",
            "parse",
            "--json",
            "03612-03305-317-008912-02-1033-9200.0000-0662023",
        ],
        None,
    );
    assert!(out.status.success());
    let r = &json_lines(&out)[0];
    assert_eq!(r["group_id"], 3305);
    assert_eq!(r["channel_name"], "OEM");
    assert_eq!(r["group_label"], "Win 10 RTM Professional OEM:DM");
    let out = volact(
        &[
            "catalog",
            "gvlk",
            "--json",
            "Windows",
            "Server",
            "2022",
            "Datacenter",
        ],
        None,
    );
    assert!(out.status.success());
    assert_eq!(json_lines(&out)[0]["key"], "WX4NM-KYWYW-QJJR4-XV3QB-6VM33");
    let out = volact(&["catalog", "gvlk", "no such edition"], None);
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn closed_stdout_is_not_an_error() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_volact"))
        .args(["catalog", "list"])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    assert_eq!(child.wait().unwrap().code(), Some(0));
}
