//! `volact plan` and `volact proxy` against the built binary: plans rendered from survey
//! files (`tests/data/workflow/`, fictitious machines) with a MAK from a scratch store, and
//! the seed's proxy activation from the full CIL to the reapply plan.
//!
//! Every run is checked for the MAK: neither output, nor any file written, may hold it,
//! with or without dashes, nor any of its groups but the last.

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

mod common;
use common::{ok, path, stderr, stdout, test_id};

/// A MAK through `--type mak` only (the published "twin" test key of tests/mak.rs).
const TWIN: &str = "VKCF7-HV62C-944TY-YJ9NF-6Q83G";
const ENTERPRISE: &str = "73111121-5638-40f6-bc11-f1d7b0d64300";

fn data(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/workflow")
        .join(name)
        .display()
        .to_string()
}

/// Runs volact with the store and catalog locations cleared (the store is given with
/// --store), and checks that neither output holds the key.
fn volact(args: &[&str]) -> Output {
    let out = Command::new(env!("CARGO_BIN_EXE_volact"))
        .args(args)
        .env_remove("VOLACT_CATALOG")
        .env_remove("VOLACT_MAK_STORE")
        .env_remove("XDG_DATA_HOME")
        .env_remove("HOME")
        .output()
        .expect("spawn volact");
    assert_no_key(&String::from_utf8_lossy(&out.stdout), "stdout");
    assert_no_key(&String::from_utf8_lossy(&out.stderr), "stderr");
    out
}

/// Reads a file volact wrote, checking it does not hold the key.
fn read(p: &Path) -> String {
    let text = std::fs::read_to_string(p).unwrap();
    assert_no_key(&text, &p.display().to_string());
    text
}

/// A scratch MAK store holding the twin key, declared a MAK.
fn store(dir: &Path) -> String {
    let store = dir.join("maks.json");
    let s = path(&store).to_owned();
    ok(&volact(&[
        "mak",
        "add",
        TWIN,
        "--type",
        "mak",
        "--description",
        "Isolated lab",
        "--store",
        &s,
    ]));
    s
}

fn surveys() -> Vec<String> {
    vec![
        data("lab-01.json"),
        data("lab-02-home-01.json"),
        data("lab-03-unreachable.json"),
    ]
}

/// `volact plan KIND --survey … --format F` plus `extra`.
fn plan(kind: &str, format: &str, extra: &[&str]) -> Output {
    let files = surveys();
    let mut args = vec!["plan", kind, "--format", format];
    args.extend(extra);
    args.push("--survey");
    args.extend(files.iter().map(String::as_str));
    volact(&args)
}

#[test]
fn mak_plans_render_in_every_format_and_skip_the_retail_machine() {
    let dir = scratch("mak-plans");
    let s = store(&dir);
    let mak = ["--mak", "6Q83G", "--store", &s];

    // MAK independent activation: install, then activate now.
    let o = plan("mak-independent", "slmgr", &mak);
    let text = ok(&o);
    assert!(text.contains("%SLMGR% LAB-01 /ipk %VOLACT_KEY%"), "{text}");
    assert!(
        text.contains(&format!("%SLMGR% LAB-01 /ato {ENTERPRISE}")),
        "{text}"
    );
    assert!(
        text.contains(&format!("%SLMGR% LAB-02 /ato {ENTERPRISE}")),
        "{text}"
    );
    assert!(!text.contains("HOME-01 /ipk"), "{text}");
    assert!(
        text.contains("rem HOME-01: skipped (mak-on-retail-edition): Windows 11 Core"),
        "{text}"
    );
    assert!(text.contains("XXXXX-XXXXX-XXXXX-XXXXX-6Q83G"), "{text}");
    let err = stderr(&o);
    assert!(
        err.contains(
            "skipped HOME-01 (mak-on-retail-edition): Windows 11 Core is a retail edition"
        ),
        "{err}"
    );
    // The machine that did not answer is skipped too, not dropped.
    assert!(err.contains("skipped #4 (status-unknown)"), "{err}");

    let text = ok(&plan("mak-independent", "powershell", &mak));
    assert!(
        text.contains("New-CimSession -ComputerName 'LAB-01'"),
        "{text}"
    );
    assert!(
        text.contains("-MethodName InstallProductKey -Arguments @{ProductKey = $env:VOLACT_KEY}"),
        "{text}"
    );
    assert!(text.contains("-MethodName Activate"), "{text}");
    assert!(
        text.contains("# HOME-01: skipped (mak-on-retail-edition)"),
        "{text}"
    );

    let v: Value = serde_json::from_str(&ok(&plan("mak-independent", "json", &mak))).unwrap();
    assert_eq!(v["kind"], "mak-independent");
    let machines = v["machines"].as_array().unwrap();
    let names: Vec<&str> = machines
        .iter()
        .map(|m| m["machine"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["LAB-01", "LAB-02", "HOME-01", "#4"]);
    assert_eq!(machines[0]["actions"][0]["action"], "install_key");
    assert_eq!(
        machines[0]["actions"][0]["key_masked"],
        "XXXXX-XXXXX-XXXXX-XXXXX-6Q83G"
    );
    assert_eq!(machines[0]["actions"][1]["action"], "activate");
    assert_eq!(machines[0]["actions"][1]["activation_id"], ENTERPRISE);
    assert_eq!(machines[2]["skipped"]["rule"], "mak-on-retail-edition");
    assert_eq!(machines[3]["skipped"]["rule"], "status-unknown");

    // Proxy step 5: install and read the new IID; never activate.
    let text = ok(&plan("proxy-install", "slmgr", &mak));
    assert!(text.contains("%SLMGR% LAB-02 /ipk %VOLACT_KEY%"), "{text}");
    assert!(
        text.contains(&format!("%SLMGR% LAB-02 /dti {ENTERPRISE}")),
        "{text}"
    );
    assert!(!text.contains("/ato"), "{text}");
    let text = ok(&plan("proxy-install", "powershell", &mak));
    assert!(text.contains("$p.OfflineInstallationId"), "{text}");
    assert!(!text.contains("-MethodName Activate"), "{text}");
    let v: Value = serde_json::from_str(&ok(&plan("proxy-install", "json", &mak))).unwrap();
    assert_eq!(v["kind"], "proxy-install");
    assert_eq!(
        v["machines"][1]["actions"][1]["action"],
        "read_installation_id"
    );

    // To a file: written atomically, the summary on standard output.
    let out = dir.join("activate.cmd");
    let o = plan(
        "mak-independent",
        "slmgr",
        &[&mak[..], &["-o", path(&out)]].concat(),
    );
    assert!(
        ok(&o).contains("wrote the mak-independent plan (slmgr) for 4 machines, 2 skipped"),
        "{}",
        stdout(&o)
    );
    assert!(read(&out).contains("/ipk %VOLACT_KEY%"));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn preflight_and_the_collection_script() {
    let text = ok(&plan(
        "preflight",
        "slmgr",
        &["--kms", "kms1.lab.example", "kms2.lab.example:1700"],
    ));
    assert!(
        text.contains("Windows Management Instrumentation (WMI)"),
        "{text}"
    );
    assert!(text.contains("LocalAccountTokenFilterPolicy"), "{text}");
    assert!(text.contains("'kms2.lab.example' -Port 1700"), "{text}");
    let text = ok(&plan(
        "preflight",
        "powershell",
        &["--kms", "kms1.lab.example"],
    ));
    assert!(
        text.contains("Enable-NetFirewallRule -DisplayGroup 'Network Discovery'"),
        "{text}"
    );
    assert!(text.contains("-Port 1688"), "{text}");

    let script = ok(&volact(&["plan", "collect-script"]));
    assert_eq!(
        script.trim_end(),
        volact_core::workflow::inventory::collect_script().trim_end()
    );
    let dir = scratch("script");
    let file = dir.join("volact-collect.ps1");
    ok(&volact(&["plan", "collect-script", "-o", path(&file)]));
    assert!(read(&file).contains("ConvertTo-Json -InputObject $entry"));
    std::fs::remove_dir_all(&dir).unwrap();
}

/// The IIDs of a CIL, as `volact cil show --json` lists them.
fn installation_ids(cil: &Path) -> Vec<String> {
    let v: Value =
        serde_json::from_str(&ok(&volact(&["cil", "show", path(cil), "--json"]))).unwrap();
    v["computers"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|c| c["products"].as_array().unwrap())
        .filter_map(|p| p["installation_id"].as_str().map(str::to_owned))
        .collect()
}

/// The lines of a rendering that contain `needle`.
fn lines_with<'a>(text: &'a str, needle: &str) -> Vec<&'a str> {
    text.lines().filter(|l| l.contains(needle)).collect()
}

#[test]
fn the_proxy_flow_from_the_full_cil_to_reapply() {
    let dir = scratch("proxy");
    let s = store(&dir);
    let files = surveys();

    // Steps 3 and 6: the full CIL; the machine that did not answer is left out.
    let full = dir.join("IsolatedLabGroup.cil");
    let mut args = vec![
        "proxy",
        "collect",
        "--group",
        "Isolated Lab Group",
        "-o",
        path(&full),
        "--survey",
    ];
    args.extend(files.iter().map(String::as_str));
    let o = volact(&args);
    let text = ok(&o);
    assert!(
        text.contains("collected 3 computers (3 products, 3 with an Installation ID) in group \"Isolated Lab Group\""),
        "{text}"
    );
    assert!(text.contains("1 left out"), "{text}");
    let err = stderr(&o);
    assert!(
        err.contains("left out #4: unreachable: LAB-03 did not answer"),
        "{err}"
    );
    // HOME-01 still runs its retail key: surveyed before step 5, its IID will change.
    assert!(
        err.contains("warning: HOME-01: the Windows product's channel is Retail, not Volume:MAK"),
        "{err}"
    );
    let full_text = read(&full);
    for name in [
        "LAB-01",
        "LAB-02",
        "HOME-01",
        "ISOLATED",
        "00-15-5D-0A-00-02",
    ] {
        assert!(full_text.contains(name), "{name}");
    }
    let iids = installation_ids(&full);
    assert_eq!(iids.len(), 3);

    // Step 7: the secure export, checked.
    let secure = dir.join("IsolatedLabGroupSecureExport.cil");
    let text = ok(&volact(&[
        "proxy",
        "export",
        path(&full),
        "-o",
        path(&secure),
    ]));
    assert!(text.contains("proxy activation data only"), "{text}");
    assert!(
        text.contains("no computer names, domain or workgroup names, MAC addresses"),
        "{text}"
    );
    let secure_text = read(&secure);
    for secret in [
        "LAB-0",
        "HOME-01",
        "ISOLATED",
        "Isolated Lab",
        "00-15-5D",
        "10.0.22631",
    ] {
        assert!(
            !secure_text.contains(secret),
            "{secret} leaked: {secure_text}"
        );
    }
    assert_eq!(installation_ids(&secure), iids);
    // The export never replaces the full CIL.
    let o = volact(&["proxy", "export", path(&full), "-o", path(&full)]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("is the full CIL"), "{}", stderr(&o));
    assert_eq!(read(&full), full_text);

    // Step 9: CIDs from phone activation, one per collected IID.
    // Fictitious CIDs (8 groups of 6) whose check digits hold: test data only.
    let cids: Vec<String> = (0..iids.len() as u64)
        .map(|i| test_id(100 + i, 8, 6))
        .collect();
    let csv = dir.join("phone.csv");
    let mut rows = String::from("installation_id,confirmation_id\n");
    for (iid, cid) in iids.iter().zip(&cids) {
        rows.push_str(&format!("{iid},{cid}\n"));
    }
    std::fs::write(&csv, rows).unwrap();
    let with_cid = dir.join("IsolatedLabGroupSecureExportwithCID.cil");
    let o = volact(&[
        "proxy",
        "acquire",
        path(&secure),
        "--cids",
        path(&csv),
        "-o",
        path(&with_cid),
    ]);
    let text = ok(&o);
    assert_eq!(lines_with(&text, " written  -").len(), 3, "{text}");
    assert!(text.contains("3 products with an IID: 3 written"), "{text}");
    // The same CIDs read from a CIL VAMT returned, reported as JSON.
    let again = dir.join("again.cil");
    let o = volact(&[
        "proxy",
        "acquire",
        path(&secure),
        "--returned",
        path(&with_cid),
        "-o",
        path(&again),
        "--json",
    ]);
    let report: Value = serde_json::from_str(&ok(&o)).unwrap();
    let outcomes: Vec<&str> = report["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["outcome"].as_str().unwrap())
        .collect();
    assert_eq!(outcomes, ["written"; 3]);
    assert_eq!(read(&again), read(&with_cid));
    // A CSV missing a row leaves a product without a CID: exit 1, reported.
    std::fs::write(&csv, format!("{},{}\n", iids[0], cids[0])).unwrap();
    let partial = dir.join("partial.cil");
    let o = volact(&[
        "proxy",
        "acquire",
        path(&secure),
        "--cids",
        path(&csv),
        "-o",
        path(&partial),
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    assert!(stdout(&o).contains("2 not_available"), "{}", stdout(&o));

    // Step 11: merged into a new file, never over the full CIL or an existing file.
    let merged = dir.join("IsolatedLabGroupwithCID.cil");
    let merge = |output: &Path, extra: &[&str]| {
        let mut args = vec![
            "proxy",
            "merge",
            path(&full),
            path(&with_cid),
            "-o",
            path(output),
        ];
        args.extend(extra);
        volact(&args)
    };
    let o = merge(&full, &[]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("is the full CIL"), "{}", stderr(&o));
    let text = ok(&merge(&merged, &[]));
    assert!(text.contains("3 CIDs: 3 applied"), "{text}");
    assert!(text.contains("step 11.6: back up"), "{text}");
    let o = merge(&merged, &[]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("--force"), "{}", stderr(&o));
    ok(&merge(&merged, &["--force"]));
    assert_eq!(read(&full), full_text, "the full CIL is untouched");

    // Step 12: one /atp per machine, with that machine's CID.
    let digits = |cid: &str| cid.replace('-', "");
    let apply = |format: &str| {
        ok(&volact(&[
            "proxy",
            "apply",
            path(&merged),
            "--format",
            format,
            "--survey",
            &files[0],
            &files[1],
        ]))
    };
    let text = apply("slmgr");
    assert_eq!(lines_with(&text, "/atp ").len(), 3, "{text}");
    let home = "0f3a9f5c-4e0d-4b7a-9c1e-000000c0e001";
    for (i, (name, sku)) in [
        ("LAB-01", ENTERPRISE),
        ("LAB-02", ENTERPRISE),
        ("HOME-01", home),
    ]
    .into_iter()
    .enumerate()
    {
        assert_eq!(
            lines_with(&text, &format!("%SLMGR% {name} /atp ")),
            [format!("%SLMGR% {name} /atp {} {sku}", digits(&cids[i]))],
            "{text}"
        );
    }
    assert!(!text.contains("/ipk"), "{text}");
    let text = apply("powershell");
    assert_eq!(
        lines_with(&text, "-MethodName DepositOfflineConfirmationId").len(),
        3,
        "{text}"
    );
    let v: Value = serde_json::from_str(&apply("json")).unwrap();
    assert_eq!(v["kind"], "proxy-apply");
    assert_eq!(v["machines"][0]["actions"][0]["action"], "deposit_cid");
    assert_eq!(v["machines"][0]["actions"][0]["exact_iid"], true);
    // `proxy apply` is `plan proxy-apply`.
    let same = ok(&volact(&[
        "plan",
        "proxy-apply",
        "--cil",
        path(&merged),
        "--format",
        "slmgr",
        "--survey",
        &files[0],
        &files[1],
    ]));
    assert_eq!(same, apply("slmgr"));

    // Step 13: reinstall the MAK and reapply; the exact IID match is on unless turned off.
    let reapply = |extra: &[&str]| {
        let mut args = vec![
            "proxy",
            "reapply",
            path(&merged),
            "--mak",
            "6Q83G",
            "--store",
            &s,
            "--format",
            "slmgr",
        ];
        args.extend(extra);
        args.extend(["--survey", files[0].as_str(), files[1].as_str()]);
        ok(&volact(&args))
    };
    let exact = reapply(&[]);
    assert!(
        exact.contains("%SLMGR% LAB-01 /ipk %VOLACT_KEY%"),
        "{exact}"
    );
    assert!(exact.contains("rem exact IID match: run"), "{exact}");
    assert!(!exact.contains("exact IID match off"), "{exact}");
    let loose = reapply(&["--no-exact-iid"]);
    assert!(
        loose.contains("rem note: require exact IID match is off"),
        "{loose}"
    );
    assert_eq!(
        lines_with(
            &loose,
            "rem exact IID match off: the stored CID may not fit"
        )
        .len(),
        lines_with(&loose, "/atp ").len(),
        "{loose}"
    );
    assert!(lines_with(&loose, "/atp ").len() >= 2, "{loose}");
    assert!(
        !loose.contains("/ato"),
        "reapplying never activates online: {loose}"
    );
    let ps = ok(&volact(&[
        "plan",
        "reapply",
        "--cil",
        path(&merged),
        "--mak",
        "6Q83G",
        "--store",
        &s,
        "--no-exact-iid",
        "--format",
        "powershell",
        "--survey",
        &files[0],
    ]));
    assert!(
        ps.contains("Write-Warning 'IID changed: applying the stored CID anyway"),
        "{ps}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn proxy_steps_name_commands_that_exist() {
    let v: Value = serde_json::from_str(&ok(&volact(&["proxy", "steps", "--json"]))).unwrap();
    let steps = v.as_array().unwrap();
    assert_eq!(steps.len(), 13);
    assert!(
        steps[8]["note"].as_str().unwrap().contains("9.3"),
        "{}",
        steps[8]
    );
    let text = ok(&volact(&["proxy", "steps"]));
    assert!(
        text.contains(" 9. [internet] Request CIDs from Microsoft"),
        "{text}"
    );
    assert!(text.contains("note: the seed's step 9.3"), "{text}");
    assert!(text.contains("13. [lab]"), "{text}");
    // Every `volact …` command the table names is one this binary has (commands are one or
    // two words deep), and every `--option` named with it is one that command takes.
    let mut checked = 0;
    for step in steps {
        let said = step["volact"].as_str().unwrap();
        let starts: Vec<usize> = said.match_indices("volact ").map(|(i, _)| i).collect();
        for (n, &i) in starts.iter().enumerate() {
            let end = starts.get(n + 1).copied().unwrap_or(said.len());
            let rest = &said[i + "volact ".len()..end];
            let words: Vec<&str> = rest
                .split_whitespace()
                .take_while(|w| w.chars().all(|c| c.is_ascii_lowercase() || c == '-'))
                .filter(|w| !w.starts_with('-'))
                .take(2)
                .collect();
            assert!(!words.is_empty(), "step {}: {said}", step["number"]);
            let mut args = words.clone();
            args.push("--help");
            let o = volact(&args);
            let help = ok(&o);
            let segment = rest.split(['(', ';']).next().unwrap();
            for option in segment
                .split(|c: char| c.is_whitespace() || "|[]".contains(c))
                .filter(|t| t.starts_with("--"))
                .map(|t| t.trim_end_matches([':', ',', ')', '.']))
            {
                assert!(
                    help.contains(&format!("{option} ")) || help.contains(&format!("{option}\n")),
                    "step {}: volact {} has no {option}",
                    step["number"],
                    words.join(" ")
                );
            }
            checked += 1;
        }
    }
    assert!(checked >= 13, "{checked}");
}

#[test]
fn bad_inputs_fail_clearly() {
    let dir = scratch("errors");
    let s = store(&dir);

    // A survey file that is not valid: the file, the line and what is wrong.
    let o = volact(&[
        "plan",
        "proxy-install",
        "--mak",
        "6Q83G",
        "--store",
        &s,
        "--format",
        "slmgr",
        "--survey",
        &data("lab-01.json"),
        &data("bad-survey.json"),
    ]);
    assert_eq!(o.status.code(), Some(3));
    let err = stderr(&o);
    assert!(
        err.contains("bad-survey.json: survey JSON line 4, column") && err.contains("expected u32"),
        "{err}"
    );
    assert!(stdout(&o).is_empty());

    // An unknown kind: clap lists the valid ones.
    let o = volact(&["plan", "activate-everything", "--format", "slmgr"]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    for kind in [
        "preflight",
        "mak-independent",
        "proxy-install",
        "proxy-apply",
        "reapply",
        "collect-script",
    ] {
        assert!(err.contains(kind), "{kind}: {err}");
    }

    // A missing --mak, --cil, --format or --survey: named, exit 2.
    let survey = data("lab-01.json");
    for (args, wanted) in [
        (
            vec![
                "plan",
                "mak-independent",
                "--format",
                "slmgr",
                "--survey",
                &survey,
            ],
            "needs --mak ID",
        ),
        (
            vec![
                "plan",
                "proxy-apply",
                "--format",
                "slmgr",
                "--survey",
                &survey,
            ],
            "needs --cil FILE",
        ),
        (
            vec!["plan", "preflight", "--survey", &survey],
            "needs --format",
        ),
        (
            vec!["plan", "preflight", "--format", "json"],
            "needs --survey",
        ),
        (
            vec![
                "plan",
                "proxy-install",
                "--format",
                "json",
                "--survey",
                &survey,
                "--kms",
                "kms",
            ],
            "does not take --kms",
        ),
        (
            vec!["plan", "collect-script", "--format", "slmgr"],
            "PowerShell only",
        ),
    ] {
        let o = volact(&args);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
        assert!(stderr(&o).contains(wanted), "{args:?}: {}", stderr(&o));
        assert!(stdout(&o).is_empty(), "{args:?}");
    }

    // A key the store does not hold: exit 1, the store named.
    let o = volact(&[
        "plan",
        "mak-independent",
        "--mak",
        "ZZZZZ",
        "--store",
        &s,
        "--format",
        "slmgr",
        "--survey",
        &survey,
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("maks.json"), "{}", stderr(&o));

    // Nothing answered: no full CIL is written.
    let full = dir.join("full.cil");
    let o = volact(&[
        "proxy",
        "collect",
        "-o",
        path(&full),
        "--survey",
        &data("lab-03-unreachable.json"),
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("nothing to collect"), "{}", stderr(&o));
    assert!(!full.exists());

    // acquire needs a source; apply needs a format.
    let o = volact(&["proxy", "acquire", "x.cil", "-o", "y.cil"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("--cids"), "{}", stderr(&o));
    let o = volact(&["proxy", "apply", "x.cil", "--survey", &survey]);
    assert_eq!(o.status.code(), Some(2));
    std::fs::remove_dir_all(&dir).unwrap();
}

fn assert_no_key(text: &str, what: &str) {
    common::assert_no_key(text, TWIN, what);
}

fn scratch(name: &str) -> PathBuf {
    common::scratch("workflow", name)
}
