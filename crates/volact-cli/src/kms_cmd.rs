//! `volact kms configure|deploy`: the KMS plans under their own names, thin aliases over
//! `volact plan kms-configure` and `volact plan kms-deploy` (the same code, the same output,
//! the same exit statuses: see `plan_cmd`).

use crate::Verdict;
use crate::mak_cmd::StoreArg;
use crate::plan_cmd::{self, ClientArgs, DeploySpec, KeyArgs, OutputArg, PlanKind, RenderFormat};
use clap::{Args, Subcommand};
use std::io::{self, Write};
use std::path::PathBuf;

#[derive(Subcommand, Debug)]
pub(crate) enum KmsCommand {
    /// Configure KMS clients: `volact plan kms-configure`.
    ///
    /// Per surveyed machine: the published GVLK of its edition (a machine whose edition has
    /// none, a retail edition, is skipped before anything is installed), how it finds its
    /// host (--discovery), host caching, Activation\AlternateURL, then an activation attempt.
    /// `--table6 URL` is the seed's Table 6: auto-discovery, host caching off, the help-desk
    /// URL.
    Configure(ConfigureArgs),
    /// Deploy KMS hosts from a topology: `volact plan kms-deploy --topology TOPOLOGY.toml`.
    ///
    /// In the seed's order: the Key Management Service firewall exception, each host's
    /// DnsDomainPublishList (as `volact srv plan` computes it) and listening port, the CSVLK,
    /// activation, and after the first activation that publishes in a domain, the grant of
    /// Read, Write and Delete on its _vlmcs._tcp record to the hosts' security group, before
    /// the other hosts activate. Refused (exit 1) when --group does not activate every
    /// --serves product, or for more than 6 hosts (one CSVLK activates at most 6).
    Deploy(DeployArgs),
}

#[derive(Args, Debug)]
pub(crate) struct ConfigureArgs {
    /// Survey files of the clients (`volact plan collect-script`).
    #[arg(long = "survey", value_name = "FILE", num_args = 1.., required = true)]
    survey: Vec<PathBuf>,
    /// The rendering: slmgr, powershell or json (see `volact plan --help`).
    #[arg(long, value_enum, value_name = "FORMAT", required = true)]
    format: RenderFormat,
    #[command(flatten)]
    output: OutputArg,
    #[command(flatten)]
    client: ClientArgs,
}

#[derive(Args, Debug)]
pub(crate) struct DeployArgs {
    /// The KMS hosts' topology, in `volact srv plan`'s TOML (e.g.
    /// examples/kms/contoso-global.toml).
    #[arg(value_name = "TOPOLOGY.toml")]
    topology: PathBuf,
    /// Survey files of the KMS hosts (`volact plan collect-script`): every host of the
    /// topology must be there, by its FQDN or its first label.
    #[arg(long = "survey", value_name = "FILE", num_args = 1.., required = true)]
    survey: Vec<PathBuf>,
    /// The MAK store holding the CSVLK.
    #[command(flatten)]
    store: StoreArg,
    /// The rendering: slmgr, powershell or json (see `volact plan --help`).
    #[arg(long, value_enum, value_name = "FORMAT", required = true)]
    format: RenderFormat,
    #[command(flatten)]
    output: OutputArg,
    /// --csvlk, --group and --serves are required.
    #[command(flatten)]
    deploy: DeploySpec,
}

pub(crate) fn run(command: KmsCommand, out: &mut dyn Write) -> io::Result<Verdict> {
    match command {
        KmsCommand::Configure(a) => plan_cmd::plan(
            &plan_cmd::Request {
                kind: PlanKind::KmsConfigure,
                survey: &a.survey,
                key: &KeyArgs::default(),
                cil: None,
                kms: &[],
                no_exact_iid: false,
                client: &a.client,
                topology: None,
                deploy: &DeploySpec::default(),
                format: Some(a.format),
                output: a.output.output.as_deref(),
            },
            out,
        ),
        KmsCommand::Deploy(a) => plan_cmd::plan(
            &plan_cmd::Request {
                kind: PlanKind::KmsDeploy,
                survey: &a.survey,
                key: &KeyArgs {
                    mak: None,
                    store: a.store,
                },
                cil: None,
                kms: &[],
                no_exact_iid: false,
                client: &ClientArgs::default(),
                topology: Some(&a.topology),
                deploy: &a.deploy,
                format: Some(a.format),
                output: a.output.output.as_deref(),
            },
            out,
        ),
    }
}
