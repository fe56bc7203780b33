//! Checks run on arbitrary bytes by the fuzz targets (`fuzz/`) and by the corpus replay in
//! `tests/fuzz_corpus.rs`. Each panics only when an invariant breaks.

use crate::{epid, ids, key, srv};

fn text(data: &[u8]) -> std::borrow::Cow<'_, str> {
    String::from_utf8_lossy(data)
}

/// Key parsing: inspect agrees with parse, and a valid key's canonical form parses back.
pub fn key(data: &[u8]) {
    let t = text(data);
    let report = key::inspect(&t);
    let parsed = key::ProductKey::parse(&t);
    assert_eq!(report.error, parsed.clone().err());
    assert_eq!(key::ProductKey::is_valid(&t), parsed.is_ok());
    if let Ok(k) = parsed {
        assert_eq!(key::ProductKey::parse(&k.reveal()).as_ref(), Ok(&k));
        assert_eq!(report.masked, k.masked());
    }
    batch_agrees_with_inspect(&t);
}

/// `check_batch` says of every line what `inspect` says of it alone.
fn batch_agrees_with_inspect(t: &str) {
    let batch = key::check_batch(t);
    let lines: Vec<&str> = if t.is_empty() {
        Vec::new()
    } else {
        t.split('\n').collect()
    };
    assert_eq!(batch.len(), lines.len() * 5);
    let (statuses, groups) = batch.split_at(lines.len());
    for (i, line) in lines.iter().enumerate() {
        let r = key::inspect(line);
        let expected = match (r.algorithm, r.is_valid()) {
            (None, _) => key::BatchStatus::Invalid,
            (Some(key::Algorithm::Pkey2005), true) => key::BatchStatus::ValidPkey2005,
            (Some(key::Algorithm::Pkey2009), true) => key::BatchStatus::ValidPkey2009,
            (Some(_), false) => key::BatchStatus::ChecksumMismatch,
        };
        assert_eq!(
            key::BatchStatus::from_byte(statuses[i]),
            Some(expected),
            "line {i}"
        );
        let group = u32::from_le_bytes(groups[i * 4..i * 4 + 4].try_into().unwrap_or([0; 4]));
        assert_eq!(group, r.fields.map_or(0, |f| f.group_id), "line {i}");
    }
}

/// ID checks: a recognised layout's canonical form checks the same way.
pub fn id(data: &[u8]) {
    let t = text(data);
    let c = ids::check(&t);
    if let Some(canonical) = &c.canonical {
        let again = ids::check(canonical);
        assert_eq!(again.bad_groups, c.bad_groups);
        assert_eq!(again.canonical.as_ref(), Some(canonical));
    }
    let _ = ids::InstallationId::parse(&t);
    let _ = ids::ConfirmationId::parse_lenient(&t);
}

/// ePID parsing: the canonical form parses back to the same value.
pub fn epid(data: &[u8]) {
    if let Ok(e) = epid::Epid::parse(&text(data)) {
        assert_eq!(epid::Epid::parse(&e.to_string()), Ok(e));
    }
}

/// DigitalProductId decoding at both layouts: a decoded key is a valid key.
pub fn digital_product_id(data: &[u8]) {
    for layout in [
        key::DpidLayout::DigitalProductId,
        key::DpidLayout::DigitalProductId4,
    ] {
        if let Ok(k) = key::decode_digital_product_id(data, layout) {
            assert!(key::ProductKey::is_valid(&k.reveal()));
        }
    }
    // Short fuzz inputs rarely reach offset 52: also read them as the 15 key bytes alone.
    let mut blob = vec![0u8; 67];
    let n = data.len().min(15);
    blob[52..52 + n].copy_from_slice(&data[..n]);
    if let Ok(k) = key::decode_digital_product_id(&blob, key::DpidLayout::DigitalProductId) {
        assert!(key::ProductKey::is_valid(&k.reveal()));
    }
}

/// CIL reading: a document that loads saves to bytes that load to the same model and save
/// to the same bytes; its exports load; merging it into itself changes nothing twice.
pub fn cil(data: &[u8]) {
    use crate::cil;
    let Ok(doc) = cil::CilDocument::parse(data) else {
        return;
    };
    let saved = doc.to_bytes();
    let again = cil::CilDocument::parse(&saved).expect("a saved document loads");
    assert_eq!(again.computers(), doc.computers());
    assert_eq!(again.to_bytes(), saved);
    for mode in [cil::ExportMode::Standard, cil::ExportMode::ProxyOnly] {
        let out = cil::export(
            &doc,
            cil::ExportOptions {
                mode,
                ..Default::default()
            },
        );
        cil::CilDocument::parse(&out).expect("an export loads");
    }
    // The same bytes as a CID import CSV: whatever it holds, the document stays loadable.
    let mut imported = doc.clone();
    cil::add_cids(&mut imported, &String::from_utf8_lossy(data), false);
    cil::CilDocument::parse(&imported.to_bytes()).expect("a document after a CID import loads");
    let mut full = doc.clone();
    cil::merge(&mut full, &doc, cil::MergeOptions::default());
    let once = full.to_bytes();
    cil::merge(&mut full, &doc, cil::MergeOptions::default());
    assert_eq!(full.to_bytes(), once, "merge is idempotent");
    // The streaming merge (what `volact cil merge` runs) gives the model's bytes and report,
    // or declines to the model: with the document itself as the returned file, and with the
    // document after the CID import above (which may carry pending CIDs to apply).
    for returned in [doc.clone(), imported] {
        for force in [false, true] {
            let options = cil::MergeOptions { force };
            let mut model = doc.clone();
            let report = cil::merge(&mut model, &returned, options);
            let returned_bytes = returned.to_bytes();
            if let Ok(streamed) =
                cil::merge_bytes(data, &returned_bytes, options, cil::Limits::default())
            {
                assert_eq!(
                    streamed.to_bytes(),
                    model.to_bytes(),
                    "streamed merge bytes"
                );
                assert_eq!(streamed.report(), &report, "streamed merge report");
            }
        }
    }
}

/// `DnsDomainPublishList` parsing: the canonical print parses back to the same list.
pub fn publish_list(data: &[u8]) {
    if let Ok(list) = srv::publish_list::PublishList::parse(&text(data)) {
        let again = srv::publish_list::PublishList::parse(&list.to_string());
        assert_eq!(again.as_ref(), Ok(&list));
        assert_eq!(list.lines().len(), list.entries().len());
    }
}

/// Topology planning never panics, and a plan is consistent: every host's publish list
/// parses and is the transposition of the domains' RRsets; every rendering mentions every
/// record.
pub fn topology(data: &[u8]) {
    let Ok(t) = srv::plan::Topology::parse(&text(data)) else {
        return;
    };
    let p = srv::plan::plan(&t);
    let mut from_hosts = Vec::new();
    for (host, hp) in &p.hosts {
        let list = hp.publish_list();
        assert!(list.is_ok(), "{host}: {list:?}");
        let list = list.unwrap_or_default();
        assert_eq!(list.lines(), hp.dns_domain_publish_list);
        assert_eq!(hp.disable_dns_publishing, list.entries().is_empty());
        for e in list.entries() {
            from_hosts.push((e.domain.clone(), host.clone(), e.priority, e.weight));
        }
    }
    let mut from_domains = Vec::new();
    for (d, records) in &p.domains {
        assert!(!records.is_empty(), "{d} has no records");
        assert!(records.windows(2).all(|w| w[0].priority <= w[1].priority));
        for r in records {
            from_domains.push((d.clone(), r.host.clone(), r.priority, r.weight));
        }
    }
    from_hosts.sort();
    from_domains.sort();
    assert_eq!(from_hosts, from_domains);
    let records = from_domains.len();
    assert_eq!(p.zone_fragment().matches(" IN SRV ").count(), records);
    assert_eq!(p.nsupdate_script().matches("update add ").count(), records);
    assert_eq!(
        p.powershell()
            .matches("Add-DnsServerResourceRecord")
            .count(),
        records
    );
    let _ = p.registry_commands();
}

/// DNS response parsing: never panics; a parsed response that hickory re-encodes parses back
/// to the same typed response, and the helpers discovery uses run on it.
pub fn dns_message(data: &[u8]) {
    use crate::srv::message;
    let Ok(r) = message::parse_response(data) else {
        return;
    };
    if let Some(q) = r.questions.first() {
        let _ = r.matches(r.id, q);
        if let Ok((_, canonical)) = r.cname_chain(&q.name) {
            let _ = r.srv_records(&canonical);
            let _ = r.addresses(&canonical);
        }
    }
    let reencoded = hickory_proto::op::Message::from_vec(data)
        .ok()
        .and_then(|m| m.to_vec().ok());
    // hickory can decode some messages it refuses to encode; only an encoding it produced
    // must read back the same.
    if let Some(bytes) = reencoded {
        assert_eq!(message::parse_response(&bytes).as_ref(), Ok(&r));
    }
}

/// resolv.conf reading: values stay in glibc's bounds, and the settings written back as
/// resolv.conf text read back the same.
pub fn resolv_conf(data: &[u8]) {
    use crate::srv::resolv_conf::{MAX_NAMESERVERS, ResolvConf};
    let c = ResolvConf::parse(&text(data));
    assert!(c.nameservers.len() <= MAX_NAMESERVERS);
    assert!((1..=30).contains(&c.timeout_secs) && (1..=5).contains(&c.attempts) && c.ndots <= 15);
    let mut out = String::new();
    for s in &c.nameservers {
        let ip = s.ip();
        match s {
            std::net::SocketAddr::V6(v6) if v6.scope_id() != 0 => {
                out.push_str(&format!("nameserver {ip}%{}\n", v6.scope_id()));
            }
            _ => out.push_str(&format!("nameserver {ip}\n")),
        }
    }
    if !c.search.is_empty() {
        out.push_str(&format!("search {}\n", c.search.join(" ")));
    }
    out.push_str(&format!(
        "options timeout:{} attempts:{} ndots:{}\n",
        c.timeout_secs, c.attempts, c.ndots
    ));
    let again = ResolvConf::parse(&out);
    assert_eq!(again.nameservers, c.nameservers);
    assert_eq!(again.search, c.search);
    assert_eq!(
        (again.timeout_secs, again.attempts, again.ndots),
        (c.timeout_secs, c.attempts, c.ndots)
    );
}

/// Error-code and interval parsing: a parsed code prints back as `0x%08X` and as a signed
/// integer that parse to the same code; `explain` agrees with the table; an accepted interval
/// is in range and its minutes parse back.
pub fn error_code(data: &[u8]) {
    use crate::license::{error_code as ec, policy};
    let t = text(data);
    if let Ok(code) = ec::parse_code(&t) {
        assert_eq!(ec::parse_code(&format!("0x{code:08X}")), Ok(code));
        assert_eq!(ec::parse_code(&format!("{code:08X}")), Ok(code));
        if let Some(e) = ec::explain(code) {
            assert_eq!(e.code, code);
        }
    }
    if let Ok(i) = policy::Interval::parse(&t) {
        let m = i.minutes().0;
        assert!((15..=43_200).contains(&m));
        assert_eq!(policy::Interval::parse(&m.to_string()), Ok(i));
    }
    if let Some(v) = data.first().map(|&b| u32::from(b) % 10) {
        let _ = crate::license::LicenseStatus::from_wmi(v);
    }
}

/// pkeyconfig files: parsing never panics; an imported file's catalog survives JSON, and every
/// valid range's first and last serial look up to a configuration of its group covering them.
pub fn pkeyconfig(data: &[u8]) {
    use crate::catalog::{UserCatalog, pkeyconfig};
    let Ok(parsed) = pkeyconfig::parse(data) else {
        return;
    };
    let mut catalog = UserCatalog::new();
    let report = catalog.import(&parsed, "fuzz");
    assert_eq!(
        report.key_ranges + report.orphan_ranges,
        parsed.key_ranges.len()
    );
    let json = catalog.to_json();
    assert_eq!(
        UserCatalog::from_json(json.as_bytes()).as_ref(),
        Ok(&catalog)
    );
    for stored in catalog.configurations() {
        for r in stored.key_ranges.iter().filter(|r| r.is_valid) {
            for serial in [r.start, r.end] {
                let found = catalog.lookup(stored.configuration.ref_group_id, serial);
                assert!(found.is_some_and(|(c, r)| {
                    c.configuration.ref_group_id == stored.configuration.ref_group_id
                        && r.covers(serial)
                }));
            }
        }
    }
}

/// Fleet scenarios: parsing never panics; a scenario small enough to run quickly is
/// simulated, and every day's status counts sum to the client count.
pub fn scenario(data: &[u8]) {
    let t = text(data);
    let Ok(s) = crate::fleet::Scenario::parse(&t) else {
        return;
    };
    // Keep each run short: the simulation's cost grows with clients × days.
    if s.client_count() * u64::from(s.days) > 20_000 {
        return;
    }
    let r = crate::fleet::simulate(&s);
    assert_eq!(r.daily.len(), s.days as usize);
    for row in &r.daily {
        assert_eq!(row.status.total(), r.clients, "day {}", row.day);
    }
    assert_eq!(r.clients, s.client_count());
}

/// MAK store files: parsing never panics; a parsed store writes a file that parses back to
/// the same store (and to the same file); its masked views are produced; and no error message
/// contains a key-shaped text of the input (25 key symbols in a row, dashes left out), since
/// any string in a store file may be a key.
pub fn mak_store(data: &[u8]) {
    use crate::mak::{MakStore, id_of};
    match MakStore::from_file_json(data) {
        Ok(store) => {
            let file = store.to_file_json();
            let again = MakStore::from_file_json(file.as_bytes());
            assert_eq!(again.as_ref(), Ok(&store));
            assert_eq!(
                again.map(|s| s.to_file_json()).as_deref(),
                Ok(file.as_str())
            );
            for e in store.list() {
                assert_eq!(e.id, id_of(e.key()));
                assert!(e.to_json().contains(&e.masked()));
                assert!(
                    e.snapshots
                        .windows(2)
                        .all(|w| w[0].taken_at <= w[1].taken_at)
                );
            }
            let _ = store.list_json();
        }
        Err(e) => {
            let message: String = e
                .to_string()
                .chars()
                .filter(|&c| c != '-')
                .map(|c| c.to_ascii_uppercase())
                .collect();
            for shape in key_shapes(&text(data)) {
                assert!(
                    !message.contains(&shape),
                    "a key-shaped text of the input is in the error: {e}"
                );
            }
        }
    }
}

/// Every run of 25 key symbols (any case, dashes between them left out) in `text`, upper
/// case, except the masked form's `XXXXX…` (what errors show instead of a key).
fn key_shapes(text: &str) -> Vec<String> {
    const SYMBOLS: &str = "BCDFGHJKMNPQRTVWXY2346789";
    let mut shapes = Vec::new();
    let mut run: Vec<char> = Vec::new();
    for c in text.chars().chain(std::iter::once('\0')) {
        if c == '-' {
            continue;
        }
        let upper = c.to_ascii_uppercase();
        if SYMBOLS.contains(upper) && upper.is_ascii() {
            run.push(upper);
            continue;
        }
        for w in run.windows(25) {
            if !w[..20].iter().all(|&x| x == 'X') {
                shapes.push(w.iter().collect());
            }
        }
        run.clear();
    }
    shapes
}

/// The prefixes every non-blank line of a `slmgr` rendering starts with: anything else would
/// be a command a hostile plan (a computer name, an Activation ID, a reason with a line
/// break) smuggled in.
const SLMGR_LINES: [&str; 10] = [
    "rem ",
    "@echo off",
    "if not defined VOLACT_KEY ",
    "set SLMGR=",
    "%SLMGR% ",
    "reg add \"\\\\",
    "reg delete \"\\\\",
    "reg add HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Policies\\System /v LocalAccountTokenFilterPolicy ",
    "netsh advfirewall firewall set rule group=",
    "powershell -NoProfile -Command \"if (-not (Test-NetConnection -ComputerName '",
];

/// The same for a PowerShell rendering.
const POWERSHELL_LINES: [&str; 16] = [
    "#",
    "$ErrorActionPreference = 'Stop'",
    "if (-not $env:VOLACT_KEY) ",
    "$s = New-CimSession -ComputerName '",
    "$svc = Get-CimInstance ",
    "Invoke-CimMethod -InputObject $",
    "$p = Get-CimInstance -CimSession $s -ClassName SoftwareLicensingProduct -Filter \"ID='",
    "$p.OfflineInstallationId",
    "if ($p.OfflineInstallationId -ne '",
    "Remove-CimSession $s",
    "Invoke-Command -ComputerName $s.ComputerName -ScriptBlock { ",
    "Enable-NetFirewallRule -DisplayGroup '",
    "New-ItemProperty -Path 'HKLM:\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Policies\\System' ",
    "if (-not (Test-NetConnection -ComputerName '",
    "Enable-NetFirewallRule -DisplayGroup 'Key Management Service'",
    "Invoke-Command -ComputerName (Resolve-DnsName -Type SOA -Name '",
];

/// Renderings of any plan: every line is one of the known command shapes (no injected
/// command), `%SLMGR%` lines carry no `&`, `|`, `<` or `>`, PowerShell code (not comments) has
/// no `$(` subexpression, and JSON reads back to the same plan.
fn check_renderings(plan: &crate::workflow::Plan) {
    use crate::workflow::Format;
    let cmd = plan.render(Format::Slmgr);
    for line in cmd.lines().filter(|l| !l.is_empty()) {
        assert!(
            SLMGR_LINES.iter().any(|p| line.starts_with(p)),
            "unexpected slmgr line: {line:?}"
        );
        if line.starts_with("%SLMGR% ") {
            assert!(!line.contains(['&', '|', '<', '>']), "{line:?}");
        }
        // cmd expands `%` even in comments, and `^` ends a line by joining the next.
        if let Some(rest) = line.strip_prefix("rem ") {
            assert!(!rest.contains(['%', '^']), "{line:?}");
        }
    }
    let ps = plan.render(Format::PowerShell);
    for line in ps.lines().filter(|l| !l.is_empty()) {
        assert!(
            POWERSHELL_LINES.iter().any(|p| line.starts_with(p)),
            "unexpected PowerShell line: {line:?}"
        );
        // Comments may say anything on their one line; code may not evaluate a
        // subexpression.
        assert!(line.starts_with('#') || !line.contains("$("), "{line:?}");
    }
    let json = plan.render(Format::Json);
    assert_eq!(crate::workflow::Plan::from_json(&json).as_ref(), Ok(plan));
}

/// Plan and saved-run JSON (`volact plan render`, a resumed run): reading never panics; a
/// plan's renderings hold only known command shapes; a plan or run reads back from its JSON
/// unchanged.
pub fn workflow_plan(data: &[u8]) {
    use crate::workflow::{Plan, Run};
    let t = text(data);
    if let Ok(plan) = Plan::from_json(&t) {
        check_renderings(&plan);
        let run = Run::new(plan);
        assert_eq!(Run::from_json(&run.to_json()).as_ref(), Ok(&run));
    }
    if let Ok(run) = Run::from_json(&t) {
        assert_eq!(Run::from_json(&run.to_json()).as_ref(), Ok(&run));
        check_renderings(&run.plan);
    }
}

/// Surveys (inventory JSON from the collection script or a foreign target) and phone CSVs:
/// reading never panics; every plan built from a survey has one entry per machine, installs
/// only on machines it does not skip, renders only known command shapes and never the key;
/// the full CIL of a survey reads back with one computer per answering machine.
pub fn survey(data: &[u8]) {
    use crate::workflow::{
        KeyToInstall, PhoneCsv, Surveyed, collect_cil, mak_plan, preflight_plan,
    };
    let t = text(data);
    let _ = PhoneCsv::parse(&t);
    let Ok(list) = Surveyed::list_from_json(&t) else {
        return;
    };
    let key = key::ProductKey::parse("VKCF7-HV62C-944TY-YJ9NF-6Q83G")
        .unwrap_or_else(|_| unreachable!("a constant valid key"));
    let mut store = crate::mak::MakStore::new();
    let catalog = crate::catalog::UserCatalog::new();
    let Ok(entry) = store.add(
        key.clone(),
        &catalog.classify(&key),
        Some(crate::mak::KeyKind::Mak),
        "",
        0,
    ) else {
        unreachable!("an empty store takes a declared MAK")
    };
    let k = KeyToInstall::from_entry(entry);
    for activate in [true, false] {
        let plan = mak_plan(&k, Some(&entry.id), &list, activate);
        assert_eq!(plan.machines.len(), list.len());
        for m in &plan.machines {
            assert_eq!(m.skipped.is_some(), m.actions.is_empty());
        }
        check_renderings(&plan);
        // The key must not come from the plan; a survey that itself holds it (in a computer
        // name, say, even split by characters the renderings drop) may see its text echoed.
        let forms = [key.reveal(), key.reveal().replace('-', "")];
        let joined: String = t.chars().filter(char::is_ascii_alphanumeric).collect();
        if !joined.contains(forms[1].as_str()) {
            for f in [
                crate::workflow::Format::Slmgr,
                crate::workflow::Format::PowerShell,
            ] {
                let r = plan.render(f);
                assert!(
                    !forms.iter().any(|k| r.contains(k.as_str())),
                    "the key in {f:?}"
                );
            }
        }
    }
    if let Ok(plan) = preflight_plan(&list, &[]) {
        check_renderings(&plan);
    }
    let (doc, left) = collect_cil(&list, "group").expect("a collected CIL always reads back");
    let answered = list.iter().filter(|s| s.answer().is_ok()).count();
    assert_eq!(doc.computers().len(), answered);
    assert_eq!(left.len(), list.len() - answered);
}

/// Answer files (`volact unattend`): reading never panics; no error quotes a key-shaped text
/// of the input; a scrubbed file reads back with no key anywhere and scrubs to itself; a set
/// key reads back in every documented place, and the file outside those places is unchanged.
pub fn unattend(data: &[u8]) {
    use crate::unattend::{PlaceKind, UnattendFile, Value, key_shapes};
    let file = match UnattendFile::parse(data) {
        Ok(f) => f,
        Err(e) => {
            let message = e.to_string();
            // The masked form (`XXXXX-…-6Q83G`) is what errors show instead of a key.
            let keys = key_shapes(&message)
                .into_iter()
                .filter(|&(at, _)| !message[at..].to_ascii_uppercase().starts_with("XXXXX"))
                .count();
            assert_eq!(keys, 0, "a key in the error: {message}");
            return;
        }
    };
    let catalog = crate::catalog::UserCatalog::new();
    let _ = file.report(&catalog).to_json();
    if let Ok(scrubbed) = file.scrub() {
        let again = UnattendFile::parse(&scrubbed).expect("a scrubbed file reads back");
        let report = again.report(&catalog);
        assert!(
            report
                .places
                .iter()
                .all(|p| !matches!(p.value, Value::Key { .. })),
            "a key survived scrubbing"
        );
        assert_eq!(again.scrub().as_deref(), Ok(scrubbed.as_slice()));
    }
    let gvlk = key::ProductKey::parse("NPPR9-FWDCX-D2C8J-H872K-2YT43")
        .unwrap_or_else(|_| unreachable!("a published GVLK"));
    if let Ok(set) = file.set_key(&gvlk) {
        let again = UnattendFile::parse(&set).expect("a file with a key set reads back");
        for p in again.report(&catalog).places {
            if matches!(p.kind, PlaceKind::SetupUserData | PlaceKind::ShellSetup) {
                assert!(
                    matches!(&p.value, Value::Key { masked, .. } if masked.ends_with("2YT43")),
                    "{p:?}"
                );
            }
        }
    }
}
