//! `volact`: the command line of volact. Thin: parse arguments, call the core, print.
//!
//! Exit status: 0 when every input is valid, 1 when any is not, 2 for usage errors
//! (clap's own), 3 when output or input fails.

mod catalog_cmd;
mod epid_cmd;
mod id_cmd;
mod input;
mod key_cmd;
mod table;

use clap::{Args, Parser, Subcommand};
use std::io::{self, Write};
use std::process::ExitCode;

#[derive(Parser, Debug)]
#[command(
    name = "volact",
    version,
    about = "Windows volume activation (KMS and MAK) administration from any platform",
    long_about = "Windows volume activation (KMS and MAK) administration from any platform.\n\n\
                  volact inspects product keys, Installation and Confirmation IDs and extended \
                  product IDs, and knows Microsoft's published KMS client setup keys. It never \
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
    /// Microsoft's published KMS client setup keys (GVLKs).
    #[command(subcommand)]
    Catalog(CatalogCommand),
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
        // A closed pipe (`volact ... | head`) is the reader's choice, not a failure.
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("volact: {e}");
            ExitCode::from(3)
        }
    }
}

fn run(command: Command, out: &mut dyn Write) -> io::Result<Verdict> {
    match command {
        Command::Key(KeyCommand::Inspect(a)) => {
            let keys = input::texts(&a.keys)?;
            key_cmd::inspect(&keys, a.json, a.reveal, out)
        }
        Command::Id(IdCommand::Check(a)) => id_cmd::check(&input::texts(&a.texts)?, a.json, out),
        Command::Epid(EpidCommand::Parse(a)) => {
            epid_cmd::parse(&input::texts(&a.texts)?, a.json, out)
        }
        Command::Catalog(CatalogCommand::List(f)) => catalog_cmd::list(f.json, out),
        Command::Catalog(CatalogCommand::Gvlk { json, query }) => {
            catalog_cmd::gvlk(&query.join(" "), json.json, out)
        }
    }
}
