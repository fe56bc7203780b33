//! `volact proxy …`: the steps of MAK proxy activation (the seed's 13) that volact performs,
//! each a wrapper over what `volact cil` and `volact plan` already do:
//!
//! | command | step | wraps |
//! |---|---|---|
//! | `steps` | all | `volact::workflow::proxy::PROXY_STEPS` |
//! | `collect` | 3 + 6 | `workflow::collect_cil` over survey files |
//! | `export` | 7 | `volact cil export --proxy-only` |
//! | `acquire` | 9 | `workflow::acquire` with `ReturnedCil` or `PhoneCsv` |
//! | `merge` | 11 | `volact cil merge`, never over its inputs |
//! | `apply` | 12 | `volact plan proxy-apply` |
//! | `reapply` | 13 | `volact plan reapply` |
//!
//! Exit status: 0 on success; 1 when a step is refused or left products without a CID; 2
//! for a missing or misplaced option; 3 when a file cannot be read, parsed or written.

use crate::Verdict;
use crate::plan_cmd::{
    self, ClientArgs, DeploySpec, ExactArg, KeyArgs, OutputArg, PlanKind, RenderFormat,
};
use crate::table::{Table, json_line, opt};
use clap::{ArgGroup, Args, Subcommand};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use volact_core::cil::{ExportMode, ExportOptions};
use volact_core::workflow::applicability::windows_product;
use volact_core::workflow::proxy::PROXY_STEPS;
use volact_core::workflow::{
    AcquireOutcome, ConfirmationIdSource, PhoneCsv, ReturnedCil, acquire, api, collect_cil,
};
use volact_core::{catalog::Channel, cil::Field};

#[derive(Subcommand, Debug)]
pub(crate) enum ProxyCommand {
    /// The seed's 13 steps of MAK proxy activation, where each runs and what volact does.
    Steps {
        /// The steps as one JSON array.
        #[arg(long)]
        json: bool,
    },
    /// Steps 3 and 6 (lab): save the full CIL of the surveyed machines.
    ///
    /// Survey the machines after the proxy-install plan has run (step 5): installing the
    /// MAK changes their Installation IDs. Keep the file: step 11 maps the CIDs back to the
    /// computers with it. Machines that did not answer are left out and listed.
    Collect {
        /// Survey files: the collection script's outputs (`volact plan collect-script`).
        #[arg(long = "survey", value_name = "FILE", num_args = 1.., required = true)]
        survey: Vec<PathBuf>,
        /// The computer group, e.g. "Isolated Lab Group" (the seed's step 2.2).
        #[arg(long, value_name = "NAME", default_value = "")]
        group: String,
        /// Where to save the full CIL (atomically), e.g. IsolatedLabGroup.cil.
        #[arg(short = 'o', long = "output", value_name = "FULL.cil")]
        output: PathBuf,
    },
    /// Step 7 (lab): the secure export to carry out of the lab on removable media.
    ///
    /// Only what Confirmation ID acquisition needs survives (computer Id, SKU, ePID, IID,
    /// CIDs): `volact cil export --proxy-only`, without sensitive data or product keys. The
    /// written file is read back and checked (step 8.5).
    Export {
        /// The full CIL (step 6).
        #[arg(value_name = "FULL.cil")]
        input: PathBuf,
        /// Where to write the export (atomically), e.g. IsolatedLabGroupSecureExport.cil;
        /// never the full CIL itself.
        #[arg(short = 'o', long = "output", value_name = "SECURE.cil")]
        output: PathBuf,
    },
    /// Step 9 (Internet host): write the CIDs Microsoft issued into the export.
    ///
    /// The CIDs come from VAMT's returned CIL or from phone activation and are written as
    /// pending CIDs, each checked as a Confirmation ID first. volact does not request CIDs:
    /// it reads the ones Microsoft issued. Exits 1 when a product is left without one.
    #[command(group(ArgGroup::new("source").required(true).args(["cids", "returned"])))]
    Acquire {
        /// The secure export (step 7).
        #[arg(value_name = "SECURE.cil")]
        input: PathBuf,
        /// CIDs from phone activation: `installation_id,confirmation_id` lines.
        #[arg(long, value_name = "PHONE.csv")]
        cids: Option<PathBuf>,
        /// The CIL VAMT returned with the CIDs it acquired.
        #[arg(long, value_name = "RETURNED.cil")]
        returned: Option<PathBuf>,
        /// Where to write the export with CIDs (atomically), e.g.
        /// IsolatedLabGroupSecureExportwithCID.cil.
        #[arg(short = 'o', long = "output", value_name = "WITHCID.cil")]
        output: PathBuf,
        /// The report as one JSON object.
        #[arg(long)]
        json: bool,
    },
    /// Step 11 (lab): merge the CIDs into the full CIL, saved as a new file.
    ///
    /// Wraps `volact cil merge`, never over either input, and not over an existing file
    /// without --force. Step 11.6: back the merged file up and protect it from being
    /// overwritten: reimaging (step 13) needs it.
    Merge {
        /// The full CIL (step 6).
        #[arg(value_name = "FULL.cil")]
        full: PathBuf,
        /// The export with CIDs (step 9).
        #[arg(value_name = "WITHCID.cil")]
        with_cid: PathBuf,
        /// Where to save the merged CIL (atomically), e.g. IsolatedLabGroupwithCID.cil.
        #[arg(short = 'o', long = "output", value_name = "LABWITHCID.cil")]
        output: PathBuf,
        /// Write a JSON report of every decision.
        #[arg(long, value_name = "R.json")]
        report: Option<PathBuf>,
        /// Replace an existing output file (never one of the inputs). CIDs that differ from
        /// ones already present are refused either way; `volact cil merge --force` replaces
        /// them.
        #[arg(long)]
        force: bool,
    },
    /// Step 12 (lab): the plan that deposits each machine's CIDs.
    ///
    /// The same as `volact plan proxy-apply --cil LABWITHCID.cil`: one `slmgr /atp CID
    /// ActID` (or DepositOfflineConfirmationId) per product, after checking the IID.
    Apply(ApplyArgs),
    /// Step 13 (lab): reinstall the MAK on reimaged machines and reapply their CIDs.
    ///
    /// The same as `volact plan reapply --cil LABWITHCID.cil`: computers are matched by
    /// name, then MAC address; no online activation, so the MAK's count is untouched.
    Reapply(ReapplyArgs),
}

#[derive(Args, Debug)]
pub(crate) struct ApplyArgs {
    /// The merged CIL (step 11).
    #[arg(value_name = "LABWITHCID.cil")]
    cil: PathBuf,
    /// Survey files of the lab's machines (`volact plan collect-script`).
    #[arg(long = "survey", value_name = "FILE", num_args = 1.., required = true)]
    survey: Vec<PathBuf>,
    /// The rendering: slmgr, powershell or json (see `volact plan --help`).
    #[arg(long, value_enum, value_name = "FORMAT", required = true)]
    format: RenderFormat,
    #[command(flatten)]
    output: OutputArg,
}

#[derive(Args, Debug)]
pub(crate) struct ReapplyArgs {
    /// The merged CIL saved in step 11.
    #[arg(value_name = "LABWITHCID.cil")]
    cil: PathBuf,
    /// Survey files of the reimaged machines (`volact plan collect-script`).
    #[arg(long = "survey", value_name = "FILE", num_args = 1.., required = true)]
    survey: Vec<PathBuf>,
    #[command(flatten)]
    key: KeyArgs,
    #[command(flatten)]
    exact: ExactArg,
    /// The rendering: slmgr, powershell or json (see `volact plan --help`).
    #[arg(long, value_enum, value_name = "FORMAT", required = true)]
    format: RenderFormat,
    #[command(flatten)]
    output: OutputArg,
}

pub(crate) fn run(command: ProxyCommand, out: &mut dyn Write) -> io::Result<Verdict> {
    match command {
        ProxyCommand::Steps { json } => steps(json, out),
        ProxyCommand::Collect {
            survey,
            group,
            output,
        } => collect(&survey, &group, &output, out),
        ProxyCommand::Export { input, output } => export(&input, &output, out),
        ProxyCommand::Acquire {
            input,
            cids,
            returned,
            output,
            json,
        } => acquire_cids(
            &input,
            cids.as_deref(),
            returned.as_deref(),
            &output,
            json,
            out,
        ),
        ProxyCommand::Merge {
            full,
            with_cid,
            output,
            report,
            force,
        } => merge(&full, &with_cid, &output, report.as_deref(), force, out),
        ProxyCommand::Apply(a) => plan_cmd::plan(
            &plan_cmd::Request {
                kind: PlanKind::ProxyApply,
                survey: &a.survey,
                key: &KeyArgs::default(),
                cil: Some(&a.cil),
                kms: &[],
                no_exact_iid: false,
                client: &ClientArgs::default(),
                topology: None,
                deploy: &DeploySpec::default(),
                format: Some(a.format),
                output: a.output.output.as_deref(),
            },
            out,
        ),
        ProxyCommand::Reapply(a) => plan_cmd::plan(
            &plan_cmd::Request {
                kind: PlanKind::Reapply,
                survey: &a.survey,
                key: &a.key,
                cil: Some(&a.cil),
                kms: &[],
                no_exact_iid: a.exact.no_exact_iid,
                client: &ClientArgs::default(),
                topology: None,
                deploy: &DeploySpec::default(),
                format: Some(a.format),
                output: a.output.output.as_deref(),
            },
            out,
        ),
    }
}

fn refused(message: String) -> io::Result<Verdict> {
    eprintln!("volact: {message}");
    Ok(Verdict::SomeInvalid)
}

fn steps(json: bool, out: &mut dyn Write) -> io::Result<Verdict> {
    if json {
        writeln!(out, "{}", api::proxy_steps_json())?;
        return Ok(Verdict::AllValid);
    }
    writeln!(
        out,
        "MAK proxy activation (the seed's 13 steps). lab: the isolated workgroup's host; internet: a host with Internet access; files cross on removable media."
    )?;
    for s in &PROXY_STEPS {
        writeln!(out, "\n{:>2}. [{}] {}", s.number, s.runs_on, s.title)?;
        writeln!(out, "    with volact: {}", s.volact)?;
        if let Some(note) = s.note {
            writeln!(out, "    note: {note}")?;
        }
    }
    Ok(Verdict::AllValid)
}

fn collect(
    survey: &[PathBuf],
    group: &str,
    output: &Path,
    out: &mut dyn Write,
) -> io::Result<Verdict> {
    let surveyed = plan_cmd::read_surveys(survey)?;
    let (doc, left_out) = match collect_cil(&surveyed, group) {
        Ok(x) => x,
        Err(e) => return refused(e.to_string()),
    };
    for skip in &left_out {
        eprintln!("volact: left out {}", skip.reason);
    }
    if doc.computers().is_empty() {
        return refused(format!(
            "no surveyed machine answered: nothing to collect; {} not written",
            output.display()
        ));
    }
    volact_io::save_cil(output, &doc).map_err(|e| io::Error::other(e.to_string()))?;
    // The usual slip: a survey taken before the MAK was installed (step 5) carries IIDs
    // that the key change made stale.
    for (i, s) in surveyed.iter().enumerate() {
        if let Ok((_, products)) = s.answer()
            && let Some(p) = windows_product(products)
            && p.channel != Channel::VolumeMak
        {
            eprintln!(
                "volact: warning: {}: the Windows product's channel is {}, not Volume:MAK: survey it again after the proxy-install plan has run (step 5); installing the MAK changes its Installation ID",
                s.name(i),
                p.channel.product_key_type()
            );
        }
    }
    let products: Vec<_> = doc.computers().iter().flat_map(|c| &c.products).collect();
    let with_iid = products
        .iter()
        .filter(|p| p.get(Field::InstallationId).is_some())
        .count();
    writeln!(
        out,
        "collected {} computers ({} products, {} with an Installation ID){} into {}; {} left out. Keep this file: it maps the CIDs back to the computers (step 6).",
        doc.computers().len(),
        products.len(),
        with_iid,
        if group.is_empty() {
            String::new()
        } else {
            format!(" in group {group:?}")
        },
        output.display(),
        left_out.len()
    )?;
    Ok(Verdict::AllValid)
}

fn export(input: &Path, output: &Path, out: &mut dyn Write) -> io::Result<Verdict> {
    if volact_io::same_file(input, output) {
        return refused(format!(
            "{} is the full CIL: write the export to another file (step 6: the full CIL must be kept)",
            output.display()
        ));
    }
    let options = ExportOptions::new(ExportMode::ProxyOnly, false, false)
        .map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, e.to_string()))?;
    let verdict = crate::cil_cmd::export(input, output, options, out)?;
    // Step 8.5 asks to confirm no computer, group or workgroup names are visible: read the
    // written file back and check it, rather than trust the allow-list.
    let written = crate::cil_cmd::load(output)?;
    let leaks = written
        .computers()
        .iter()
        .filter(|c| {
            c.name.is_some()
                || c.network_name.is_some()
                || c.network_type.is_some()
                || c.os_version.is_some()
                || c.os_edition.is_some()
                || !c.mac_addresses.is_empty()
                || !c.groups.is_empty()
                || c.products
                    .iter()
                    .any(|p| p.get(Field::ProductKey).is_some())
        })
        .count();
    if leaks > 0 {
        return refused(format!(
            "{}: {leaks} computers still carry identifying data; do not carry it out of the lab",
            output.display()
        ));
    }
    writeln!(
        out,
        "checked {}: no computer names, domain or workgroup names, MAC addresses, OS details, groups or product keys remain; each computer keeps only its Id (step 8.5)",
        output.display()
    )?;
    Ok(verdict)
}

fn acquire_cids(
    input: &Path,
    cids: Option<&Path>,
    returned: Option<&Path>,
    output: &Path,
    json: bool,
    out: &mut dyn Write,
) -> io::Result<Verdict> {
    let mut doc = crate::cil_cmd::load(input)?;
    let mut source: Box<dyn ConfirmationIdSource> = match (cids, returned) {
        (Some(csv), _) => {
            let bytes = volact_io::read(csv).map_err(|e| io::Error::other(e.to_string()))?;
            let phone = PhoneCsv::parse(&String::from_utf8_lossy(&bytes))
                .map_err(|e| io::Error::other(format!("{}: {e}", csv.display())))?;
            Box::new(phone)
        }
        (None, Some(cil)) => Box::new(ReturnedCil::new(&crate::cil_cmd::load(cil)?)),
        // clap requires one of the two.
        (None, None) => return refused("give --cids PHONE.csv or --returned RETURNED.cil".into()),
    };
    let report = acquire(&mut doc, source.as_mut());
    volact_io::save_cil(output, &doc).map_err(|e| io::Error::other(e.to_string()))?;
    let complete = report.rows.iter().all(|r| {
        matches!(
            r.outcome,
            AcquireOutcome::Written | AcquireOutcome::AlreadyHasCid
        )
    });
    if json {
        json_line(out, &report)?;
        return Ok(Verdict::of([complete]));
    }
    let mut table = Table::new(vec!["COMPUTER", "PRODUCT", "OUTCOME", "DETAIL"]);
    let mut counts = std::collections::BTreeMap::<&str, usize>::new();
    for r in &report.rows {
        let (name, detail) = match &r.outcome {
            AcquireOutcome::Written => ("written", None),
            AcquireOutcome::AlreadyHasCid => ("already_has_cid", None),
            AcquireOutcome::Refused { code, detail } => {
                ("refused", Some(format!("0x{code:X} {detail}")))
            }
            AcquireOutcome::NotAvailable => ("not_available", None),
            AcquireOutcome::InvalidCid { detail } => ("invalid_cid", Some(detail.clone())),
            AcquireOutcome::InvalidIid { detail } => ("invalid_iid", Some(detail.clone())),
        };
        *counts.entry(name).or_default() += 1;
        let detail = match (detail, &r.warning) {
            (Some(d), Some(w)) => Some(format!("{d}; {w}")),
            (d, w) => d.or_else(|| w.clone()),
        };
        table.push(vec![
            opt(r.computer_id.as_deref()),
            (r.product + 1).to_string(),
            name.to_owned(),
            opt(detail),
        ]);
    }
    if !report.rows.is_empty() {
        table.write(out)?;
    }
    writeln!(
        out,
        "{} products with an IID: {}; wrote {}",
        report.rows.len(),
        if counts.is_empty() {
            "none".to_owned()
        } else {
            counts
                .iter()
                .map(|(k, v)| format!("{v} {k}"))
                .collect::<Vec<_>>()
                .join(", ")
        },
        output.display()
    )?;
    Ok(Verdict::of([complete]))
}

fn merge(
    full: &Path,
    with_cid: &Path,
    output: &Path,
    report: Option<&Path>,
    force: bool,
    out: &mut dyn Write,
) -> io::Result<Verdict> {
    if volact_io::same_file(output, full) {
        return refused(format!(
            "{} is the full CIL: save the merged CIL as a new file, e.g. IsolatedLabGroupwithCID.cil (step 11.6)",
            output.display()
        ));
    }
    if volact_io::same_file(output, with_cid) {
        return refused(format!(
            "{} is the CIL with CIDs: save the merged CIL as a new file",
            output.display()
        ));
    }
    if output.exists() && !force {
        return refused(format!(
            "{} exists: it may be a CIL with CIDs that reimaging needs (step 11.6); choose another name, or --force to replace it",
            output.display()
        ));
    }
    let verdict = crate::cil_cmd::merge(full, with_cid, output, report, false, out)?;
    writeln!(
        out,
        "step 11.6: back up {} and protect it from being overwritten: reimaged computers are reactivated from it (volact proxy reapply, step 13)",
        output.display()
    )?;
    Ok(verdict)
}
