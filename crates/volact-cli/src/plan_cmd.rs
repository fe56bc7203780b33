//! `volact plan KIND`: a workflow's plan for the surveyed machines, rendered as `slmgr.vbs`
//! lines, PowerShell (CIM) or JSON; `collect-script` prints the collection script whose
//! outputs are the surveys.
//!
//! Thin: the plans are `volact::workflow::api::plan` and `render`, the survey files are
//! read by `volact::workflow::inventory::read_survey`. Skipped machines are listed on
//! standard error with their rule and reason (the JSON holds them too). Exit status: 0 with
//! a plan (skipped machines included); 1 when the MAK store has no such key or the inputs
//! do not fit together; 2 for a missing or misplaced option; 3 when a file cannot be read
//! or written, or a survey or CIL file is not valid.

use crate::Verdict;
use crate::mak_cmd::StoreArg;
use clap::{Args, ValueEnum};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use volact_core::mak::MakEntry;
use volact_core::workflow::api::{self, PlanRequest};
use volact_core::workflow::{Plan, Surveyed, inventory};

#[derive(Args, Debug)]
pub(crate) struct PlanArgs {
    /// The plan to build.
    #[arg(value_enum, value_name = "KIND")]
    kind: PlanKind,
    /// Survey files: the collection script's outputs (`volact plan collect-script`), each
    /// holding one entry, an array or several; machines are planned in the order given.
    #[arg(long = "survey", value_name = "FILE", num_args = 1..)]
    survey: Vec<PathBuf>,
    #[command(flatten)]
    key: KeyArgs,
    /// The CIL with CIDs, merged back in the lab (proxy-apply, reapply):
    /// `volact proxy merge` writes it.
    #[arg(long, value_name = "FILE")]
    cil: Option<PathBuf>,
    /// A KMS host each machine must reach over TCP (preflight): `host`, `host:port` or
    /// `[v6]:port`; repeat or list several.
    #[arg(long = "kms", value_name = "HOST[:PORT]", num_args = 1..)]
    kms: Vec<String>,
    #[command(flatten)]
    exact: ExactArg,
    /// The rendering: `slmgr` (a .cmd of `cscript slmgr.vbs COMPUTER /option` lines),
    /// `powershell` (CIM sessions) or `json` (the plan, for programs and `volact` bindings).
    /// Required for every kind but collect-script.
    #[arg(long, value_enum, value_name = "FORMAT")]
    format: Option<RenderFormat>,
    #[command(flatten)]
    output: OutputArg,
}

/// The MAK to install, from the MAK store.
#[derive(Args, Debug, Default)]
pub(crate) struct KeyArgs {
    /// The key to install, from the MAK store: its id (or 4+ leading hex digits of it) or
    /// its last five characters, as `volact mak list` shows. Plans name it masked and read
    /// it from %VOLACT_KEY% / $env:VOLACT_KEY when they run; they never hold it.
    #[arg(long, value_name = "ID")]
    pub(crate) mak: Option<String>,
    #[command(flatten)]
    pub(crate) store: StoreArg,
}

/// The seed's "Require exact IID match" (step 13.7), on unless turned off.
#[derive(Args, Debug, Default)]
pub(crate) struct ExactArg {
    /// Reapply: deposit a stored CID even where the machine's Installation ID changed
    /// (hardware changed); Windows may not activate (the seed, step 13.7). By default a
    /// machine whose IID changed is refused.
    #[arg(long)]
    pub(crate) no_exact_iid: bool,
}

/// Where a rendering goes.
#[derive(Args, Debug, Default)]
pub(crate) struct OutputArg {
    /// Write to this file (atomically) instead of standard output.
    #[arg(short = 'o', long = "output", value_name = "OUT")]
    pub(crate) output: Option<PathBuf>,
}

/// The plans, as `volact::workflow::api::PLAN_KINDS` names them, and the collection script.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum PlanKind {
    /// What each machine needs before remote management (run on the machine itself): the
    /// WMI firewall exception; on workgroup machines LocalAccountTokenFilterPolicy and the
    /// network-discovery exception; TCP to each --kms host.
    Preflight,
    /// MAK independent activation: install the MAK (overwrite existing) and activate
    /// online; retail editions are skipped with the reason.
    MakIndependent,
    /// Proxy step 5: install the MAK and read the new Installation ID; no activation.
    ProxyInstall,
    /// Proxy step 12: deposit the CIDs of the merged CIL (--cil) on each machine.
    ProxyApply,
    /// Proxy step 13: reinstall the MAK on reimaged machines and reapply the stored CIDs
    /// of --cil, without online activation.
    Reapply,
    /// Print the PowerShell collection script whose output is a --survey file.
    CollectScript,
}

impl PlanKind {
    /// The kind's name as the command line spells it (and `api::PLAN_KINDS`).
    pub(crate) fn name(self) -> String {
        value_name(self)
    }

    /// Which of --mak, --cil, --kms and --no-exact-iid the plan takes.
    fn takes(self) -> Takes {
        let (mak, cil, kms, exact) = match self {
            PlanKind::Preflight => (false, false, true, false),
            PlanKind::MakIndependent | PlanKind::ProxyInstall => (true, false, false, false),
            PlanKind::ProxyApply => (false, true, false, false),
            PlanKind::Reapply => (true, true, false, true),
            PlanKind::CollectScript => (false, false, false, false),
        };
        Takes {
            mak,
            cil,
            kms,
            exact,
        }
    }
}

struct Takes {
    mak: bool,
    cil: bool,
    kms: bool,
    exact: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum RenderFormat {
    /// `cscript slmgr.vbs COMPUTER /option` lines (a .cmd file).
    Slmgr,
    /// PowerShell with CIM sessions (SoftwareLicensingService/SoftwareLicensingProduct).
    Powershell,
    /// The plan as JSON.
    Json,
}

/// A value's name as clap spells it.
fn value_name(v: impl ValueEnum) -> String {
    v.to_possible_value()
        .map(|p| p.get_name().to_owned())
        .unwrap_or_default()
}

/// One plan request as the CLI took it, from `volact plan` or a `volact proxy` alias.
#[derive(Debug)]
pub(crate) struct Request<'a> {
    pub(crate) kind: PlanKind,
    pub(crate) survey: &'a [PathBuf],
    pub(crate) key: &'a KeyArgs,
    pub(crate) cil: Option<&'a Path>,
    pub(crate) kms: &'a [String],
    pub(crate) no_exact_iid: bool,
    pub(crate) format: Option<RenderFormat>,
    pub(crate) output: Option<&'a Path>,
}

pub(crate) fn run(args: &PlanArgs, out: &mut dyn Write) -> io::Result<Verdict> {
    plan(
        &Request {
            kind: args.kind,
            survey: &args.survey,
            key: &args.key,
            cil: args.cil.as_deref(),
            kms: &args.kms,
            no_exact_iid: args.exact.no_exact_iid,
            format: args.format,
            output: args.output.output.as_deref(),
        },
        out,
    )
}

/// A usage error: the message on standard error, exit status 2 (as clap's own).
fn usage(message: String) -> io::Result<Verdict> {
    eprintln!("volact: {message}");
    Ok(Verdict::Usage)
}

/// Builds, reports and writes one plan.
pub(crate) fn plan(r: &Request<'_>, out: &mut dyn Write) -> io::Result<Verdict> {
    let kind = r.kind.name();
    let takes = r.kind.takes();
    for (given, taken, option) in [
        (r.key.mak.is_some(), takes.mak, "--mak"),
        (r.cil.is_some(), takes.cil, "--cil"),
        (!r.kms.is_empty(), takes.kms, "--kms"),
        (r.no_exact_iid, takes.exact, "--no-exact-iid"),
        (
            !r.survey.is_empty(),
            r.kind != PlanKind::CollectScript,
            "--survey",
        ),
    ] {
        if given && !taken {
            return usage(format!("the {kind} plan does not take {option}"));
        }
    }
    if r.kind == PlanKind::CollectScript {
        if r.format.is_some_and(|f| f != RenderFormat::Powershell) {
            return usage("the collection script is PowerShell only".into());
        }
        return write_out(r.output, inventory::collect_script(), out, || {
            "the collection script".to_owned()
        });
    }
    let Some(format) = r.format else {
        return usage(format!(
            "the {kind} plan needs --format slmgr, powershell or json"
        ));
    };
    if r.survey.is_empty() {
        return usage(format!(
            "the {kind} plan needs --survey FILE...: the outputs of `volact plan collect-script` run on each machine"
        ));
    }
    if takes.mak && r.key.mak.is_none() {
        return usage(format!(
            "the {kind} plan needs --mak ID: the key to install, from the MAK store (`volact mak list` shows the ids)"
        ));
    }
    if takes.cil && r.cil.is_none() {
        return usage(format!(
            "the {kind} plan needs --cil FILE: the CIL with CIDs merged back in the lab (`volact proxy merge`)"
        ));
    }

    let surveyed = read_surveys(r.survey)?;
    let entry = match r.key.mak.as_deref() {
        None => None,
        Some(selector) => match mak_entry(&r.key.store, selector)? {
            Ok(e) => Some(e),
            Err(message) => {
                eprintln!("volact: {message}");
                return Ok(Verdict::SomeInvalid);
            }
        },
    };
    let cil = match r.cil {
        None => None,
        Some(p) => Some(crate::cil_cmd::load(p)?.to_bytes()),
    };
    let kms_hosts = r.kms.join(",");
    let request = PlanRequest {
        surveyed_json: &Surveyed::list_to_json(&surveyed),
        key: entry.as_ref(),
        cil: cil.as_deref(),
        kms_hosts: &kms_hosts,
        exact_iid: !r.no_exact_iid,
        options_json: "",
    };
    let json = match api::plan(&kind, &request) {
        Ok(json) => json,
        Err(e) => {
            eprintln!("volact: {e}");
            return Ok(Verdict::SomeInvalid);
        }
    };
    let parsed = Plan::from_json(&json).map_err(|e| io::Error::other(e.to_string()))?;
    let skipped: Vec<_> = parsed
        .machines
        .iter()
        .filter_map(|m| m.skipped.as_ref().map(|s| (m, s)))
        .collect();
    for (m, s) in &skipped {
        eprintln!("volact: skipped {} ({}): {}", m.machine, s.rule, s.reason);
    }
    let text =
        api::render(&json, &value_name(format)).map_err(|e| io::Error::other(e.to_string()))?;
    write_out(r.output, &text, out, || {
        format!(
            "the {kind} plan ({}) for {} machines, {} skipped",
            value_name(format),
            parsed.machines.len(),
            skipped.len()
        )
    })
}

/// Writes a rendering to the file (atomically, then a line saying what was written) or to
/// standard output.
fn write_out(
    output: Option<&Path>,
    text: &str,
    out: &mut dyn Write,
    what: impl FnOnce() -> String,
) -> io::Result<Verdict> {
    let mut text = text.to_owned();
    if !text.ends_with('\n') {
        text.push('\n');
    }
    match output {
        None => out.write_all(text.as_bytes())?,
        Some(path) => {
            volact_io::atomic::write(path, text.as_bytes())
                .map_err(|e| io::Error::other(e.to_string()))?;
            writeln!(out, "wrote {} to {}", what(), path.display())?;
        }
    }
    Ok(Verdict::AllValid)
}

/// Reads survey files in order; an invalid one fails naming the file, line and column.
pub(crate) fn read_surveys(paths: &[PathBuf]) -> io::Result<Vec<Surveyed>> {
    let mut all = Vec::new();
    for path in paths {
        let bytes = volact_io::read(path).map_err(|e| io::Error::other(e.to_string()))?;
        let entries = inventory::read_survey(&bytes)
            .map_err(|e| io::Error::other(format!("{}: {e}", path.display())))?;
        all.extend(entries);
    }
    Ok(all)
}

/// The store entry a selector names, or why there is none (the store itself failing is an
/// I/O error).
fn mak_entry(store: &StoreArg, selector: &str) -> io::Result<Result<MakEntry, String>> {
    let (path, mak_store) = crate::mak_cmd::load_store(store)?;
    Ok(mak_store
        .get(selector)
        .cloned()
        .map_err(|e| format!("{e} (in {})", path.display())))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The CLI's kinds are the core's plan kinds, spelled the same, plus the script.
    #[test]
    fn the_kinds_are_the_cores() {
        let names: Vec<String> = PlanKind::value_variants()
            .iter()
            .map(|k| k.name())
            .filter(|n| n != "collect-script")
            .collect();
        assert_eq!(names, api::PLAN_KINDS);
        let formats: Vec<String> = RenderFormat::value_variants()
            .iter()
            .map(|f| value_name(*f))
            .collect();
        assert_eq!(formats, ["slmgr", "powershell", "json"]);
    }
}
