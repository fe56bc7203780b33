//! `volact`: the command line of volact. Thin: parse arguments, call the core, print.
//!
//! Exit status: 0 when every input is valid, 1 when any is not, 2 for usage errors
//! (clap's own), 3 when output or input fails.

mod catalog_cmd;
mod cil_cmd;
mod epid_cmd;
mod explain_cmd;
mod id_cmd;
mod input;
mod key_cmd;
mod kms_cmd;
mod mak_cmd;
mod plan_cmd;
mod proxy_cmd;
mod simulate_cmd;
mod srv_cmd;
mod table;
mod unattend_cmd;

use clap::{Args, Parser, Subcommand};
use std::io::{self, Write};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser, Debug)]
#[command(
    name = "volact",
    version,
    about = "Windows volume activation (KMS and MAK) administration from any platform",
    long_about = "Windows volume activation (KMS and MAK) administration from any platform.\n\n\
                  volact inspects product keys, Installation and Confirmation IDs and extended \
                  product IDs, knows Microsoft's published KMS client setup keys, reads and \
                  merges VAMT CIL files, plans KMS and MAK workflows and checks KMS discovery through \
                  DNS, and shows, sets and scrubs the product key of answer files. It never \
                  generates keys or Confirmation IDs and never answers activation requests."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Product keys.
    #[command(subcommand)]
    Key(KeyCommand),
    /// Installation IDs and Confirmation IDs.
    #[command(subcommand)]
    Id(IdCommand),
    /// Extended product IDs (ePIDs).
    #[command(subcommand)]
    Epid(EpidCommand),
    /// Microsoft's published KMS client setup keys (GVLKs), and the user catalog learnt from
    /// pkeyconfig files.
    #[command(subcommand)]
    Catalog(CatalogCommand),
    /// The MAK store: your MAKs (and CSVLK and retail keys), masked, with remaining-activation
    /// snapshots.
    #[command(subcommand)]
    Mak(mak_cmd::MakCommand),
    /// VAMT Computer Information List (CIL) files: show, validate, export, add CIDs, merge.
    #[command(subcommand)]
    Cil(CilCommand),
    /// Plans for surveyed machines as slmgr.vbs lines, PowerShell or JSON; the survey script.
    #[command(
        long_about = "Plans for the surveyed machines, rendered as slmgr.vbs lines, PowerShell (CIM) \
                      or JSON, for you or your agent to run: volact never contacts the machines.\n\n\
                      Survey each machine first: `volact plan collect-script -o volact-collect.ps1`, \
                      run it on every machine (or through Invoke-Command or your agent) and give \
                      its outputs to --survey. Machines a plan does not apply to (a retail edition \
                      for a MAK, a machine that did not answer) are listed on standard error with \
                      the rule and the reason, and kept in the JSON. Plans never hold a key: they \
                      name it masked and read it from %VOLACT_KEY% or $env:VOLACT_KEY."
    )]
    Plan(Box<plan_cmd::PlanArgs>),
    /// MAK proxy activation for an isolated lab, step by step: collect, export, acquire, merge.
    #[command(subcommand)]
    Proxy(proxy_cmd::ProxyCommand),
    /// KMS clients and hosts: configure clients (Table 6), deploy hosts from a topology.
    #[command(subcommand)]
    Kms(kms_cmd::KmsCommand),
    /// Answer files (Unattend.xml): show, set and scrub the product key, nothing else changed.
    #[command(subcommand)]
    Unattend(unattend_cmd::UnattendCommand),
    /// KMS discovery through DNS SRV records: plan, order, discover, publish, withdraw.
    #[command(subcommand)]
    Srv(srv_cmd::SrvCommand),
    /// Check that a KMS host's port accepts TCP connections (connects only; never speaks KMS).
    Probe(srv_cmd::ProbeArgs),
    /// Simulate a KMS fleet from a scenario file: license states per day, host counts, WAN share.
    Simulate(simulate_cmd::SimulateArgs),
    /// Explain activation error codes: meaning, likely cause, the fix to try, the source.
    Explain {
        /// One JSON object per code, in input order (JSON Lines).
        #[arg(long)]
        json: bool,
        /// Codes: 0xC004F074, C004F074, 3221549172 or -1073418124.
        #[arg(required = true, value_name = "CODE", allow_negative_numbers = true)]
        codes: Vec<String>,
    },
}

#[derive(Subcommand, Debug)]
enum CilCommand {
    /// Summarise a CIL: computers, products, license states, key types, CIDs.
    Show {
        /// The CIL file.
        file: PathBuf,
        /// One JSON object.
        #[arg(long)]
        json: bool,
    },
    /// Check IDs, duplicate computers, CIDs without IIDs, license states, keys; exit 1 on errors.
    Validate {
        /// The CIL file.
        file: PathBuf,
        /// One JSON object.
        #[arg(long)]
        json: bool,
    },
    /// Write an allow-list export: by default without computer-identifying data or keys.
    Export {
        /// The CIL to export.
        input: PathBuf,
        /// Where to write the export (atomically).
        #[arg(short = 'o', long = "output", value_name = "OUT")]
        output: PathBuf,
        /// Only what Confirmation ID acquisition needs (computer Id, Sku, ePID, IID, CIDs).
        #[arg(long, conflicts_with = "include_sensitive")]
        proxy_only: bool,
        /// Keep computer names, OS, network names, MAC addresses and groups.
        #[arg(long)]
        include_sensitive: bool,
        /// Keep full product keys.
        #[arg(long)]
        include_product_keys: bool,
    },
    /// Import CIDs from CSV `installation_id,confirmation_id` as pending CIDs.
    AddCids {
        /// The CIL to update.
        input: PathBuf,
        /// The CSV file of IIDs and CIDs.
        #[arg(long = "from", value_name = "CSV")]
        from: PathBuf,
        /// Where to write the updated CIL (atomically).
        #[arg(short = 'o', long = "output", value_name = "OUT")]
        output: PathBuf,
        /// Write a JSON report of every row.
        #[arg(long, value_name = "R.json")]
        report: Option<PathBuf>,
        /// Refuse 48-digit CIDs whose check digits fail (their rule is unconfirmed).
        #[arg(long)]
        strict: bool,
    },
    /// Merge the CIDs of a returned CIL into the full one, reporting every decision.
    Merge {
        /// The full CIL (kept in the lab).
        full: PathBuf,
        /// The CIL that came back with CIDs.
        #[arg(long = "with", value_name = "RETURNED")]
        with: PathBuf,
        /// Where to write the merged CIL (atomically).
        #[arg(short = 'o', long = "output", value_name = "OUT")]
        output: PathBuf,
        /// Write a JSON report of every decision.
        #[arg(long, value_name = "R.json")]
        report: Option<PathBuf>,
        /// Replace a different CID already present.
        #[arg(long)]
        force: bool,
    },
}

#[derive(Subcommand, Debug)]
enum KeyCommand {
    /// Validate and decode keys: algorithm, pkey2009 fields and checksum, catalog rows.
    Inspect(KeyInspectArgs),
}

#[derive(Args, Debug)]
struct KeyInspectArgs {
    /// One JSON object per input, in input order (JSON Lines).
    #[arg(long)]
    json: bool,
    /// Show the keys themselves; without it every key is masked.
    #[arg(long)]
    reveal: bool,
    /// The user catalog to classify with (default: $VOLACT_CATALOG, else
    /// $XDG_DATA_HOME/volact/catalog.json, when it exists).
    #[arg(long, value_name = "FILE")]
    catalog: Option<PathBuf>,
    /// Keys, or `-` to read one key per line from standard input (blank lines skipped).
    #[arg(required = true, value_name = "KEY")]
    keys: Vec<String>,
}

#[derive(Subcommand, Debug)]
enum IdCommand {
    /// Check Installation IDs and Confirmation IDs: length, layout and check digits.
    Check(TextArgs),
}

#[derive(Subcommand, Debug)]
enum EpidCommand {
    /// Split extended product IDs into their fields.
    Parse(TextArgs),
}

#[derive(Args, Debug)]
struct TextArgs {
    /// One JSON object per input, in input order (JSON Lines).
    #[arg(long)]
    json: bool,
    /// Texts, or `-` to read one per line from standard input (blank lines skipped).
    #[arg(required = true, value_name = "TEXT")]
    texts: Vec<String>,
}

#[derive(Subcommand, Debug)]
enum CatalogCommand {
    /// List every published GVLK, decoded and verified.
    List(JsonFlag),
    /// Find the GVLK for an edition: every word must match, exact names first.
    Gvlk {
        #[command(flatten)]
        json: JsonFlag,
        /// Edition query, e.g. "Windows 11 Enterprise" or "server 2022 datacenter".
        #[arg(required = true, num_args = 1.., value_name = "QUERY")]
        query: Vec<String>,
    },
    /// Learn key configurations (group id and serial ranges -> edition and channel) from
    /// Microsoft pkeyconfig files (%SystemRoot%\System32\spp\tokens\pkeyconfig\*.xrm-ms)
    /// into the user catalog. All files or none; the catalog is replaced atomically.
    ImportPkeyconfig {
        /// One JSON object per file (JSON Lines).
        #[arg(long)]
        json: bool,
        /// The user catalog to update (default: $VOLACT_CATALOG, else
        /// $XDG_DATA_HOME/volact/catalog.json, else ~/.local/share/volact/catalog.json).
        #[arg(long, value_name = "FILE")]
        catalog: Option<PathBuf>,
        /// pkeyconfig files.
        #[arg(required = true, value_name = "FILE")]
        files: Vec<PathBuf>,
    },
}

#[derive(Args, Debug)]
struct JsonFlag {
    /// One JSON object per row (JSON Lines).
    #[arg(long)]
    json: bool,
}

/// What a command found: whether every input was valid.
pub(crate) enum Verdict {
    AllValid,
    SomeInvalid,
    /// A missing or misplaced option that clap cannot see (it depends on another's value):
    /// exit status 2, as clap's own usage errors.
    Usage,
}

impl Verdict {
    /// `AllValid` when every input was valid (also when there were none).
    pub(crate) fn of(valid: impl IntoIterator<Item = bool>) -> Self {
        if valid.into_iter().all(|v| v) {
            Verdict::AllValid
        } else {
            Verdict::SomeInvalid
        }
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let stdout = io::stdout();
    let mut out = io::BufWriter::new(stdout.lock());
    let result = run(cli.command, &mut out).and_then(|v| out.flush().map(|()| v));
    match result {
        Ok(Verdict::AllValid) => ExitCode::SUCCESS,
        Ok(Verdict::SomeInvalid) => ExitCode::from(1),
        Ok(Verdict::Usage) => ExitCode::from(2),
        // A closed pipe (`volact ... | head`) is the reader's choice, not a failure.
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("volact: {e}");
            ExitCode::from(3)
        }
    }
}

fn run_cil(command: CilCommand, out: &mut dyn Write) -> io::Result<Verdict> {
    use volact_core::cil::{ExportMode, ExportOptions};
    match command {
        CilCommand::Show { file, json } => cil_cmd::show(&file, json, out),
        CilCommand::Validate { file, json } => cil_cmd::validate(&file, json, out),
        CilCommand::Export {
            input,
            output,
            proxy_only,
            include_sensitive,
            include_product_keys,
        } => {
            let mode = if proxy_only {
                ExportMode::ProxyOnly
            } else {
                ExportMode::Standard
            };
            // clap refuses the pair already; the core's check keeps one rule for every front end.
            let options = ExportOptions::new(mode, include_sensitive, include_product_keys)
                .map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, e.to_string()))?;
            cil_cmd::export(&input, &output, options, out)
        }
        CilCommand::AddCids {
            input,
            from,
            output,
            report,
            strict,
        } => cil_cmd::add_cids(&input, &from, &output, report.as_deref(), strict, out),
        CilCommand::Merge {
            full,
            with,
            output,
            report,
            force,
        } => cil_cmd::merge(&full, &with, &output, report.as_deref(), force, out),
    }
}

fn run(command: Command, out: &mut dyn Write) -> io::Result<Verdict> {
    match command {
        Command::Key(KeyCommand::Inspect(a)) => {
            let keys = input::texts(&a.keys)?;
            let catalog = catalog_cmd::user_catalog(a.catalog.as_deref())?;
            key_cmd::inspect(&keys, &catalog, a.json, a.reveal, out)
        }
        Command::Id(IdCommand::Check(a)) => id_cmd::check(&input::texts(&a.texts)?, a.json, out),
        Command::Epid(EpidCommand::Parse(a)) => {
            epid_cmd::parse(&input::texts(&a.texts)?, a.json, out)
        }
        Command::Catalog(CatalogCommand::List(f)) => catalog_cmd::list(f.json, out),
        Command::Catalog(CatalogCommand::Gvlk { json, query }) => {
            catalog_cmd::gvlk(&query.join(" "), json.json, out)
        }
        Command::Catalog(CatalogCommand::ImportPkeyconfig {
            json,
            catalog,
            files,
        }) => catalog_cmd::import_pkeyconfig(catalog.as_deref(), &files, json, out),
        Command::Mak(c) => mak_cmd::run(c, out),
        Command::Cil(c) => run_cil(c, out),
        Command::Plan(a) => plan_cmd::run(&a, out),
        Command::Proxy(c) => proxy_cmd::run(c, out),
        Command::Kms(c) => kms_cmd::run(c, out),
        Command::Unattend(c) => unattend_cmd::run(c, out),
        Command::Srv(c) => srv_cmd::run(c, out),
        Command::Probe(a) => srv_cmd::probe(a, out),
        Command::Explain { json, codes } => explain_cmd::explain_codes(&codes, json, out),
        Command::Simulate(a) => simulate_cmd::run(a, out),
    }
}
