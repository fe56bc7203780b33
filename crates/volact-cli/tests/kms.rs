//! `volact plan kms-configure|kms-deploy|convert-to-mak` and `volact kms configure|deploy`
//! against the built binary, on fictitious survey files (`tests/data/kms/`, see its
//! README) and the seed's global topology (examples/kms/contoso-global.toml).
//!
//! The CSVLK and MAK here are the published "twin" test key of tests/mak.rs, declared with
//! `--type`; every output and written file is checked for it, with and without dashes.

mod common;
use common::{fails, ok, path, stderr, stdout};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const TWIN: &str = "VKCF7-HV62C-944TY-YJ9NF-6Q83G";
const ENTERPRISE_GVLK: &str = "NPPR9-FWDCX-D2C8J-H872K-2YT43";
const ENTERPRISE: &str = "73111121-5638-40f6-bc11-f1d7b0d64300";
const HELP: &str = "http://contoso.com/help";

fn manifest(rel: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join(rel)
        .display()
        .to_string()
}

fn data(name: &str) -> String {
    manifest(&format!("tests/data/kms/{name}"))
}

fn global() -> String {
    manifest("../../examples/kms/contoso-global.toml")
}

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

/// A scratch MAK store holding the twin key as `kind` (csvlk or mak).
fn store(dir: &Path, kind: &str) -> String {
    let store = dir.join(format!("{kind}.json"));
    let s = path(&store).to_owned();
    ok(&volact(&[
        "mak", "add", TWIN, "--type", kind, "--store", &s,
    ]));
    s
}

/// The clients: PC-E01 (Enterprise, a KMS client), PC-E02 (Enterprise, retail channel),
/// HOME-02 (Windows 11 Core), #4 (did not answer); then LAB-02 (Enterprise, MAK) and HOME-01
/// (Core) of the workflow tests.
fn clients() -> Vec<String> {
    vec![
        data("clients.json"),
        manifest("tests/data/workflow/lab-02-home-01.json"),
    ]
}

fn with_surveys<'a>(mut args: Vec<&'a str>, files: &'a [String]) -> Vec<&'a str> {
    args.push("--survey");
    args.extend(files.iter().map(String::as_str));
    args
}

/// The lines of `text` about `machine` (its `%SLMGR% M`, `\\M\` and `rem M` lines).
fn lines_of<'a>(text: &'a str, machine: &str) -> Vec<&'a str> {
    text.lines()
        .filter(|l| {
            l.contains(&format!("%SLMGR% {machine} "))
                || l.contains(&format!("\\\\{machine}\\"))
                || l.starts_with(&format!("rem {machine}"))
        })
        .collect()
}

#[test]
fn table6_configures_each_edition_with_its_gvlk_and_skips_core_before_anything() {
    let files = clients();
    let args = with_surveys(
        vec![
            "plan",
            "kms-configure",
            "--table6",
            HELP,
            "--format",
            "slmgr",
        ],
        &files,
    );
    let o = volact(&args);
    let text = ok(&o);
    for machine in ["PC-E01", "PC-E02", "LAB-02"] {
        let lines = lines_of(&text, machine);
        let expected = [
            format!("rem {machine}"),
            format!("%SLMGR% {machine} /ipk {ENTERPRISE_GVLK}"),
            format!("%SLMGR% {machine} /ckms"),
            format!("%SLMGR% {machine} /ckms-domain"),
            format!("%SLMGR% {machine} /ckhc"),
            format!(
                "reg add \"\\\\{machine}\\HKLM\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion\\SoftwareProtectionPlatform\\Activation\" /v AlternateURL /t REG_SZ /d \"{HELP}\" /f"
            ),
            format!("%SLMGR% {machine} /ato {ENTERPRISE}"),
        ];
        assert_eq!(lines, expected, "{text}");
    }
    // Windows 11 Core has no GVLK: skipped with the rule, nothing planned for it.
    for machine in ["HOME-02", "HOME-01"] {
        assert_eq!(
            lines_of(&text, machine),
            [format!(
                "rem {machine}: skipped (no-gvlk): Microsoft publishes no KMS client setup key for Windows 11 Core: not a volume edition"
            )],
            "{text}"
        );
    }
    let err = stderr(&o);
    assert!(err.contains("skipped HOME-02 (no-gvlk)"), "{err}");
    assert!(err.contains("skipped #4 (status-unknown)"), "{err}");
    assert!(text.contains("(the seed's Table 6)"), "{text}");

    // The JSON: the actions in order, and the skip before any action.
    let args = with_surveys(
        vec![
            "plan",
            "kms-configure",
            "--table6",
            HELP,
            "--format",
            "json",
        ],
        &files,
    );
    let v: Value = serde_json::from_str(&ok(&volact(&args))).unwrap();
    assert_eq!(v["kind"], "kms-configure");
    let m = &v["machines"];
    let actions: Vec<&str> = m[0]["actions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions,
        [
            "install_gvlk",
            "clear_kms_host",
            "clear_kms_lookup_domain",
            "set_host_caching",
            "set_value",
            "activate"
        ]
    );
    assert_eq!(m[0]["actions"][0]["key"], ENTERPRISE_GVLK);
    assert_eq!(m[0]["actions"][3]["enabled"], false);
    assert_eq!(m[0]["actions"][4]["value"], "AlternateUrl");
    assert_eq!(m[2]["machine"], "HOME-02");
    assert_eq!(m[2]["skipped"]["rule"], "no-gvlk");
    assert_eq!(m[2]["actions"].as_array().unwrap().len(), 0);

    // `volact kms configure` is the same command; so are the options spelled one by one.
    let alias = with_surveys(
        vec!["kms", "configure", "--table6", HELP, "--format", "slmgr"],
        &files,
    );
    assert_eq!(ok(&volact(&alias)), text);
    let spelled = with_surveys(
        vec![
            "plan",
            "kms-configure",
            "--discovery",
            "auto",
            "--host-caching",
            "off",
            "--alternate-url",
            HELP,
            "--format",
            "slmgr",
        ],
        &files,
    );
    assert_eq!(ok(&volact(&spelled)), text);
}

#[test]
fn discovery_caching_and_activation_options() {
    let files = vec![data("clients.json")];
    let run = |extra: &[&str]| {
        let mut args = vec!["kms", "configure", "--format", "slmgr"];
        args.extend(extra);
        ok(&volact(&with_surveys(args, &files)))
    };
    // The defaults: GVLK, auto-discovery, caching and URL left alone, activation.
    let text = run(&[]);
    assert!(text.contains("%SLMGR% PC-E01 /ckms\n"), "{text}");
    assert!(
        !text.contains("hc\n") && !text.contains("AlternateURL"),
        "{text}"
    );
    assert!(text.contains("/ato "), "{text}");
    // A specific host: /skms, nothing cleared.
    for spelling in [
        &["--discovery", "host=kms-e1.east.contoso.com:1700"][..],
        &["--kms-host", "kms-e1.east.contoso.com:1700"],
    ] {
        let text = run(spelling);
        assert!(
            text.contains("%SLMGR% PC-E01 /skms kms-e1.east.contoso.com:1700"),
            "{text}"
        );
        assert!(!text.contains("/ckms"), "{text}");
    }
    // A lookup domain: the host cleared, /skms-domain.
    for spelling in [
        &["--discovery", "dns-domain=east.contoso.com"][..],
        &["--lookup-domain", "east.contoso.com."],
    ] {
        let text = run(spelling);
        assert!(text.contains("%SLMGR% PC-E01 /ckms\n"), "{text}");
        assert!(
            text.contains("%SLMGR% PC-E01 /skms-domain east.contoso.com\n"),
            "{text}"
        );
    }
    let text = run(&["--host-caching", "on", "--no-gvlk", "--no-activate"]);
    assert!(text.contains("%SLMGR% PC-E01 /skhc"), "{text}");
    assert!(!text.contains("/ipk") && !text.contains("/ato"), "{text}");

    // Usage errors (exit 2): values, conflicts, options of another plan.
    let usage = |args: &[&str]| {
        let mut all = args.to_vec();
        all.extend(["--format", "slmgr", "--survey", files[0].as_str()]);
        fails(&volact(&all), 2)
    };
    for bad in [
        &["kms", "configure", "--discovery", "dhcp"][..],
        &["kms", "configure", "--discovery", "dns-domain=bad domain"],
        &["kms", "configure", "--discovery", "host=:1700"],
        &["kms", "configure", "--host-caching", "maybe"],
        &["kms", "configure", "--table6", "http://a b"],
        &["kms", "configure", "--table6", HELP, "--discovery", "auto"],
        &[
            "kms",
            "configure",
            "--table6",
            HELP,
            "--alternate-url",
            HELP,
        ],
        &[
            "kms",
            "configure",
            "--lookup-domain",
            "a.b",
            "--kms-host",
            "kms",
        ],
    ] {
        usage(bad);
    }
    let err = usage(&["plan", "mak-independent", "--table6", HELP]);
    assert!(
        err.contains("the mak-independent plan does not take --table6"),
        "{err}"
    );
    let err = usage(&["plan", "kms-configure", "--mak", "6Q83G"]);
    assert!(
        err.contains("the kms-configure plan does not take --mak"),
        "{err}"
    );
    let err = usage(&["plan", "kms-configure", "--group", "server2022"]);
    assert!(
        err.contains("the kms-configure plan does not take --group"),
        "{err}"
    );
}

/// `volact srv plan TOPOLOGY --json`: each host's DnsDomainPublishList, by FQDN.
fn planned_publish_lists(topology: &str) -> Value {
    let v: Value =
        serde_json::from_str(&ok(&volact(&["srv", "plan", topology, "--json"]))).unwrap();
    v["hosts"].clone()
}

/// The index of the first line containing `needle`.
fn line_index(text: &str, needle: &str) -> usize {
    text.lines()
        .position(|l| l.contains(needle))
        .unwrap_or_else(|| panic!("no {needle:?} in {text}"))
}

#[test]
fn the_global_deployment_follows_the_seeds_order() {
    let dir = scratch("deploy");
    let s = store(&dir, "csvlk");
    let topology = global();
    let hosts = vec![data("hosts.json")];
    let deploy = |format: &str, extra: &[&str]| {
        let mut args = vec![
            "plan",
            "kms-deploy",
            "--topology",
            topology.as_str(),
            "--csvlk",
            "6Q83G",
            "--store",
            s.as_str(),
            "--group",
            "server2022",
            "--serves",
            "windows7,windows10",
            "--serves",
            "windows11",
            "--security-group",
            "east.contoso.com=KMS_E",
            "--security-group",
            "west.contoso.com=KMS_W",
            "--format",
            format,
        ];
        args.extend(extra);
        volact(&with_surveys(args, &hosts))
    };
    let v: Value = serde_json::from_str(&ok(&deploy("json", &[]))).unwrap();
    assert_eq!(v["kind"], "kms-deploy");
    let machines = v["machines"].as_array().unwrap();
    let order: Vec<&str> = machines
        .iter()
        .map(|m| m["machine"].as_str().unwrap())
        .collect();
    // The survey lists them kms-w2, kms-e1, kms-w1, kms-e2: the plan follows the topology.
    assert_eq!(order, ["kms-e1", "kms-e2", "kms-w1", "kms-w2"]);
    let planned = planned_publish_lists(&topology);
    for m in machines {
        let name = m["machine"].as_str().unwrap();
        let fqdn = format!(
            "{name}.{}.contoso.com",
            if name.starts_with("kms-e") {
                "east"
            } else {
                "west"
            }
        );
        let list = m["actions"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["value"] == "DnsDomainPublishList")
            .unwrap_or_else(|| panic!("{m}"));
        assert_eq!(
            list["data"]["MultiString"], planned[&fqdn]["dns_domain_publish_list"],
            "{name}"
        );
    }
    assert_eq!(
        planned["kms-e1.east.contoso.com"]["dns_domain_publish_list"],
        serde_json::json!(["east.contoso.com, 10, 75", "west.contoso.com, 90, 75"])
    );
    let kinds = |m: &Value| -> Vec<String> {
        m["actions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["action"].as_str().unwrap().to_owned())
            .collect()
    };
    // kms-e1 activates first and publishes in both domains: both grants follow its
    // activation, before any other host's; no other host grants.
    assert_eq!(
        kinds(&machines[0]),
        [
            "preflight",
            "set_value",
            "install_key",
            "activate",
            "grant_srv_record",
            "grant_srv_record"
        ]
    );
    let e1 = &machines[0]["actions"];
    assert_eq!(e1[4]["domain"], "east.contoso.com");
    assert_eq!(e1[4]["group"], "KMS_E");
    assert_eq!(e1[5]["domain"], "west.contoso.com");
    assert_eq!(e1[5]["group"], "KMS_W");
    assert_eq!(e1[2]["key_masked"], "XXXXX-XXXXX-XXXXX-XXXXX-6Q83G");
    for m in &machines[1..] {
        assert_eq!(
            kinds(m),
            ["preflight", "set_value", "install_key", "activate"]
        );
    }

    // The slmgr rendering: the grant sits between the first activation and the second host.
    let text = ok(&deploy("slmgr", &[]));
    let first_ato = line_index(&text, "%SLMGR% kms-e1 /ato ");
    let grant = line_index(
        &text,
        "give KMS_E Read, Write and Delete on _vlmcs._tcp.east.contoso.com",
    );
    let second = line_index(&text, "%SLMGR% kms-e2 /ipk %VOLACT_KEY%");
    assert!(first_ato < grant && grant < second, "{text}");
    assert!(
        text.contains(
            "netsh advfirewall firewall set rule group=\"Key Management Service\" new enable=yes"
        ),
        "{text}"
    );
    assert!(
        text.contains("/v DnsDomainPublishList /t REG_MULTI_SZ /d \"west.contoso.com, 10, 25\\0east.contoso.com, 90, 25\" /f"),
        "{text}"
    );

    // `volact kms deploy` is the same command.
    let alias = ok(&volact(&with_surveys(
        vec![
            "kms",
            "deploy",
            topology.as_str(),
            "--csvlk",
            "6Q83G",
            "--store",
            s.as_str(),
            "--group",
            "server2022",
            "--serves",
            "windows7,windows10,windows11",
            "--security-group",
            "east.contoso.com=KMS_E",
            "--security-group",
            "west.contoso.com=KMS_W",
            "--format",
            "slmgr",
        ],
        &hosts,
    )));
    assert_eq!(alias, text);
    // Without security groups the seed's single-site name is used.
    let o = volact(&with_surveys(
        vec![
            "kms",
            "deploy",
            &topology,
            "--csvlk",
            "6Q83G",
            "--store",
            &s,
            "--group",
            "server2022",
            "--serves",
            "windows10",
            "--format",
            "slmgr",
        ],
        &hosts,
    ));
    assert!(ok(&o).contains("give KMS_Hosts Read, Write and Delete"));

    // To a file: atomically, the summary on standard output.
    let out = dir.join("deploy.cmd");
    let o = deploy("slmgr", &["-o", path(&out)]);
    assert!(
        ok(&o).contains("wrote the kms-deploy plan (slmgr) for 4 machines, 0 skipped"),
        "{}",
        stdout(&o)
    );
    let written = std::fs::read_to_string(&out).unwrap();
    assert_no_key(&written, "deploy.cmd");
    assert_eq!(written, text);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn deployments_the_csvlk_cannot_serve_are_refused() {
    let dir = scratch("refused");
    let s = store(&dir, "csvlk");
    let topology = global();
    let hosts = vec![data("hosts.json")];
    let deploy = |topology: &str, store: &str, group: &str, serves: &str| {
        volact(&with_surveys(
            vec![
                "kms", "deploy", topology, "--csvlk", "6Q83G", "--store", store, "--group", group,
                "--serves", serves, "--format", "slmgr",
            ],
            &hosts,
        ))
    };
    // A Windows 10 CSVLK activates clients only, not Windows Server 2022.
    let o = deploy(&topology, &s, "windows10", "windows10,server2022");
    let err = fails(&o, 1);
    assert!(err.contains("CSVLK does not activate"), "{err}");
    assert!(err.contains("Volume license for Windows 10"), "{err}");
    assert!(stdout(&o).is_empty(), "{}", stdout(&o));

    // Seven hosts for one CSVLK: refused before the survey is matched.
    let mut toml = String::new();
    for i in 1..=7 {
        toml += &format!("[[host]]\nname = \"kms-{i}.contoso.com\"\n");
    }
    toml += "[[site]]\nname = \"hq\"\nhosts = [";
    for i in 1..=7 {
        toml += &format!("{{ host = \"kms-{i}.contoso.com\", weight = 10 }},");
    }
    toml += "]\n[[domain]]\nname = \"contoso.com\"\nsite = \"hq\"\n";
    let seven = dir.join("seven.toml");
    std::fs::write(&seven, toml).unwrap();
    let err = fails(&deploy(path(&seven), &s, "server2022", "windows10"), 1);
    assert!(
        err.contains("7 KMS hosts planned: one CSVLK activates at most 6 hosts")
            && err.contains("host kms-7.contoso.com would be the 7th"),
        "{err}"
    );

    // A MAK is not a KMS host key.
    let mak = store(&dir, "mak");
    let err = fails(&deploy(&topology, &mak, "server2022", "windows10"), 1);
    assert!(err.contains("KMS hosts take a CSVLK"), "{err}");
    // No such key in the store.
    let err = fails(
        &volact(&with_surveys(
            vec![
                "kms",
                "deploy",
                &topology,
                "--csvlk",
                "ZZZZZ",
                "--store",
                &s,
                "--group",
                "server2022",
                "--serves",
                "windows10",
                "--format",
                "slmgr",
            ],
            &hosts,
        )),
        1,
    );
    assert!(err.contains(&s), "{err}");
    // A host the survey lacks.
    let err = fails(
        &volact(&[
            "kms",
            "deploy",
            &topology,
            "--csvlk",
            "6Q83G",
            "--store",
            &s,
            "--group",
            "server2022",
            "--serves",
            "windows10",
            "--format",
            "slmgr",
            "--survey",
            &data("clients.json"),
        ]),
        1,
    );
    assert!(err.contains("is not in the survey"), "{err}");

    // A broken topology file is named with its line (exit 3, as `volact srv plan`).
    let broken = dir.join("broken.toml");
    std::fs::write(&broken, "[[host]]\nname = \n").unwrap();
    let err = fails(&deploy(path(&broken), &s, "server2022", "windows10"), 3);
    assert!(
        err.contains("broken.toml") && err.contains("line 2"),
        "{err}"
    );

    // Missing and misspelt options: usage errors.
    let err = fails(
        &volact(&with_surveys(
            vec![
                "kms",
                "deploy",
                &topology,
                "--store",
                &s,
                "--group",
                "server2022",
                "--serves",
                "windows10",
                "--format",
                "slmgr",
            ],
            &hosts,
        )),
        2,
    );
    assert!(
        err.contains("the kms-deploy plan needs --csvlk ID"),
        "{err}"
    );
    let err = fails(
        &volact(&with_surveys(
            vec![
                "plan",
                "kms-deploy",
                "--csvlk",
                "6Q83G",
                "--store",
                &s,
                "--group",
                "server2022",
                "--serves",
                "windows10",
                "--format",
                "slmgr",
            ],
            &hosts,
        )),
        2,
    );
    assert!(
        err.contains("the kms-deploy plan needs --topology FILE"),
        "{err}"
    );
    for (flag, value) in [
        ("--group", "server2023"),
        ("--serves", "windows12"),
        ("--security-group", "east.contoso.com"),
    ] {
        let mut args = vec![
            "kms", "deploy", &topology, "--csvlk", "6Q83G", "--store", &s, "--format", "slmgr",
        ];
        if flag != "--group" {
            args.extend(["--group", "server2022"]);
        }
        if flag != "--serves" {
            args.extend(["--serves", "windows10"]);
        }
        args.extend([flag, value]);
        fails(&volact(&with_surveys(args, &hosts)), 2);
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn conversion_to_mak_skips_machines_that_are_not_kms_clients() {
    let dir = scratch("convert");
    let s = store(&dir, "mak");
    let files = vec![
        data("clients.json"),
        manifest("tests/data/workflow/lab-01.json"),
    ];
    let o = volact(&with_surveys(
        vec![
            "plan",
            "convert-to-mak",
            "--mak",
            "6Q83G",
            "--store",
            &s,
            "--format",
            "slmgr",
        ],
        &files,
    ));
    let text = ok(&o);
    assert_eq!(
        lines_of(&text, "PC-E01"),
        [
            "rem PC-E01".to_owned(),
            "%SLMGR% PC-E01 /ipk %VOLACT_KEY%".to_owned(),
            format!("%SLMGR% PC-E01 /ato {ENTERPRISE}"),
        ],
        "{text}"
    );
    for machine in ["PC-E02", "LAB-01"] {
        assert_eq!(
            lines_of(&text, machine),
            [format!(
                "rem {machine}: skipped (not-kms-client): the Windows product is not on the Volume:GVLK channel: not a KMS client"
            )],
            "{text}"
        );
    }
    assert!(
        text.contains("rem HOME-02: skipped (mak-on-retail-edition)"),
        "{text}"
    );
    assert!(text.contains("volact unattend set-key"), "{text}");
    let err = stderr(&o);
    assert!(err.contains("skipped PC-E02 (not-kms-client)"), "{err}");
    let v: Value = serde_json::from_str(&ok(&volact(&with_surveys(
        vec![
            "plan",
            "convert-to-mak",
            "--mak",
            "6Q83G",
            "--store",
            &s,
            "--format",
            "json",
        ],
        &files,
    ))))
    .unwrap();
    assert_eq!(v["kind"], "convert-to-mak");
    let rules: Vec<&str> = v["machines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["skipped"]["rule"].as_str().unwrap_or("-"))
        .collect();
    assert_eq!(
        rules,
        [
            "-",
            "not-kms-client",
            "mak-on-retail-edition",
            "status-unknown",
            "not-kms-client"
        ]
    );
    // It needs the MAK.
    let err = fails(
        &volact(&with_surveys(
            vec!["plan", "convert-to-mak", "--format", "slmgr"],
            &files,
        )),
        2,
    );
    assert!(
        err.contains("the convert-to-mak plan needs --mak ID"),
        "{err}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

fn assert_no_key(text: &str, what: &str) {
    common::assert_no_key(text, TWIN, what);
}

fn scratch(name: &str) -> PathBuf {
    common::scratch("kms", name)
}
