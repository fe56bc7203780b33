//! The seed's 13 steps of MAK proxy activation, each with what volact does for it. The CLI's
//! `volact proxy steps` prints this table; `docs/mak-workflows.md` walks through it.

/// One step of the seed's MAK proxy activation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub struct ProxyStep {
    /// 1–13.
    pub number: u8,
    /// The seed's title.
    pub title: &'static str,
    /// Where it runs: `lab` (the isolated workgroup's host) or `internet` (a host with
    /// Internet access); files cross on removable media.
    pub runs_on: &'static str,
    /// What volact does for it (the CLI command, or the library call).
    pub volact: &'static str,
    /// A correction or warning about the seed's text, when there is one.
    pub note: Option<&'static str>,
}

/// The 13 steps, as the seed numbers them.
pub const PROXY_STEPS: [ProxyStep; 13] = [
    ProxyStep {
        number: 1,
        title: "Install a VAMT on a workgroup computer in the Isolated Lab",
        runs_on: "lab",
        volact: "volact plan preflight --survey FILE... --format slmgr|powershell (the WMI firewall exception, step 1.3; run on each machine itself)",
        note: None,
    },
    ProxyStep {
        number: 2,
        title: "Add computers to the CIL",
        runs_on: "lab",
        volact: "volact plan preflight --survey FILE...: LocalAccountTokenFilterPolicy and the network-discovery exception on workgroup machines",
        note: None,
    },
    ProxyStep {
        number: 3,
        title: "Collect status from the discovered computers",
        runs_on: "lab",
        volact: "volact plan collect-script -o volact-collect.ps1, run on each machine (or through Invoke-Command or an agent): its outputs are the --survey files of every later command; workflow::survey does the same through ActivationTarget",
        note: None,
    },
    ProxyStep {
        number: 4,
        title: "Add a MAK",
        runs_on: "lab",
        volact: "volact mak add KEY --description D (Refresh Remaining Count needs the Internet: record it later with volact mak record-count)",
        note: None,
    },
    ProxyStep {
        number: 5,
        title: "Install the MAK on the Isolated Lab computers",
        runs_on: "lab",
        volact: "volact plan proxy-install --survey FILE... --mak ID --format slmgr|powershell|json (install, overwrite; no activation, no CID request); retail editions are skipped with the reason",
        note: None,
    },
    ProxyStep {
        number: 6,
        title: "Save the CIL",
        runs_on: "lab",
        volact: "volact proxy collect --survey FILE... --group \"Isolated Lab Group\" -o IsolatedLabGroup.cil, from surveys taken after step 5 (the MAK changes the IIDs); the full CIL: keep it, it maps CIDs back to computers",
        note: None,
    },
    ProxyStep {
        number: 7,
        title: "Export the CIL",
        runs_on: "lab",
        volact: "volact proxy export IsolatedLabGroup.cil -o IsolatedLabGroupSecureExport.cil (wraps volact cil export --proxy-only: an allow-list; the written file is checked for names, workgroups and MAC addresses)",
        note: None,
    },
    ProxyStep {
        number: 8,
        title: "Import the CIL on a VAMT host with Internet access",
        runs_on: "internet",
        volact: "volact cil show IsolatedLabGroupSecureExport.cil (step 8.5: confirm no computer, group or workgroup names)",
        note: None,
    },
    ProxyStep {
        number: 9,
        title: "Request CIDs from Microsoft",
        runs_on: "internet",
        volact: "volact proxy acquire IsolatedLabGroupSecureExport.cil --returned RETURNED.cil|--cids PHONE.csv -o IsolatedLabGroupSecureExportwithCID.cil (CIDs Microsoft issued, from VAMT's returned CIL or phone activation: they are never requested by volact)",
        note: Some(
            "the seed's step 9.3 says to clear \"Get Confirmation ID from Microsoft\", contradicting its own next line (\"contacts Microsoft and collects the CIDs\"): on the Internet host that box must be selected",
        ),
    },
    ProxyStep {
        number: 10,
        title: "Export the CIL from the Internet-connected VAMT host",
        runs_on: "internet",
        volact: "the file written by step 9; volact cil validate checks every PendingConfirmationId",
        note: None,
    },
    ProxyStep {
        number: 11,
        title: "Import the CIL on the original VAMT host within the Isolated Lab",
        runs_on: "lab",
        volact: "volact proxy merge IsolatedLabGroup.cil IsolatedLabGroupSecureExportwithCID.cil -o IsolatedLabGroupwithCID.cil (wraps volact cil merge; step 11.6: saved before anything is applied, never over the full CIL)",
        note: Some(
            "step 11.6: back up IsolatedLabGroupwithCID.cil and protect it from being overwritten: reimaging (step 13) needs it",
        ),
    },
    ProxyStep {
        number: 12,
        title: "Apply the CIDs, and activate the Isolated Lab computers",
        runs_on: "lab",
        volact: "volact proxy apply IsolatedLabGroupwithCID.cil --survey FILE... --format slmgr|powershell|json (= volact plan proxy-apply --cil ...; slmgr /atp per product), or workflow::apply_plan + Run::execute",
        note: None,
    },
    ProxyStep {
        number: 13,
        title: "Optionally, reactivate reimaged computers in the Isolated Lab",
        runs_on: "lab",
        volact: "volact proxy reapply IsolatedLabGroupwithCID.cil --survey FILE... --mak ID [--no-exact-iid] --format slmgr|powershell|json (= volact plan reapply --cil ...): computers matched by name first; the MAK count is untouched",
        note: None,
    },
];
