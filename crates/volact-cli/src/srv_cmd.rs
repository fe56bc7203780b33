//! `volact srv …` (KMS discovery through `_vlmcs._tcp` SRV records) and `volact probe`.
//!
//! Thin: the planner, ordering and discovery rules are `volact::srv`, the wire is
//! `volact-net`. Exit status: 0 on success; 1 when discovery finds no host to try or a probe
//! finds the port closed; 3 when a file, the network or a DNS server fails.

use crate::Verdict;
use clap::{Args, Subcommand, ValueEnum};
use serde_json::json;
use std::io::{self, Write};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;
use volact_core::srv::discovery::{AttemptSource, ClientConfig, Discovery, HostPort, discover};
use volact_core::srv::order::{OrderMode, first_counts, order};
use volact_core::srv::plan::Plan;
use volact_core::srv::record::KMS_PORT;
use volact_core::srv::{SeededRandom, SrvRecord};
use volact_net::{Publisher, Resolver, TsigKey};

#[derive(Subcommand, Debug)]
pub(crate) enum SrvCommand {
    /// Plan KMS SRV publishing for a topology: each host's DnsDomainPublishList and each
    /// domain's records.
    Plan {
        /// The topology (TOML; see docs/kms-discovery.md and examples/kms/).
        topology: PathBuf,
        /// The whole plan as one JSON object.
        #[arg(long, conflicts_with = "format")]
        json: bool,
        /// Print the records as DNS input instead of the summary.
        #[arg(long, value_enum)]
        format: Option<PlanFormat>,
    },
    /// Order SRV records as a KMS client does (RFC 2782: priority, then a weighted draw).
    Order {
        /// A record value, `"PRIORITY WEIGHT PORT TARGET"`; repeat for each record.
        #[arg(
            long = "record",
            required = true,
            value_name = "PRIO WEIGHT PORT TARGET"
        )]
        records: Vec<SrvRecord>,
        /// Seed for the draws, for a reproducible order (default: a fresh random seed, printed
        /// with --json).
        #[arg(long)]
        seed: Option<u64>,
        /// Also order this many times and count how often each target comes first.
        #[arg(long, value_name = "M")]
        draws: Option<u64>,
        /// Ignore priority and weight, as clients before Windows 7 do (a uniform shuffle).
        #[arg(long)]
        legacy: bool,
        /// One JSON object.
        #[arg(long)]
        json: bool,
    },
    /// The KMS hosts a client would try, in order, asking real DNS servers.
    Discover(DiscoverArgs),
    /// Publish a KMS host's SRV record by RFC 2136 dynamic update (as a host does every 24 h).
    Publish(UpdateArgs),
    /// Withdraw a KMS host's SRV record(s) by RFC 2136 dynamic update.
    Withdraw(UpdateArgs),
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub(crate) enum PlanFormat {
    /// Zone-file lines.
    Zone,
    /// An `nsupdate` script.
    Nsupdate,
    /// `Add-DnsServerResourceRecord` lines for Windows DNS.
    Powershell,
    /// `reg add` lines for each host's registry values.
    Registry,
}

#[derive(Args, Debug)]
pub(crate) struct DiscoverArgs {
    /// The client's primary DNS suffix (AD domain, or DHCP option 15 for a workgroup machine).
    /// Without it, --search-list and --lookup-domain, the search list of /etc/resolv.conf.
    domain: Option<String>,
    /// DNS server to ask, `IP[:PORT]` (port 53 when absent); repeat for more (default: the
    /// nameservers of /etc/resolv.conf).
    #[arg(long = "server", value_name = "IP:PORT", value_parser = volact_net::addr::parse_server)]
    servers: Vec<SocketAddr>,
    /// The DNS suffix search list, after the primary suffix.
    #[arg(long, value_delimiter = ',', value_name = "a,b")]
    search_list: Vec<String>,
    /// `slmgr /skms-domain`: look up only in this domain.
    #[arg(long, value_name = "D")]
    lookup_domain: Option<String>,
    /// `slmgr /skms`: a KMS host set by name; the only host tried (auto-discovery off).
    #[arg(long, value_name = "HOST[:PORT]")]
    kms_name: Option<HostPort>,
    /// The host that last activated the client (tried first while host caching is on).
    #[arg(long, value_name = "HOST[:PORT]")]
    cached: Option<HostPort>,
    /// `slmgr /ckhc`: host caching off.
    #[arg(long)]
    no_host_caching: bool,
    /// Ignore priority and weight, as clients before Windows 7 do.
    #[arg(long)]
    legacy: bool,
    /// Seed for the weighted draws (default: a fresh random seed, printed with --json).
    #[arg(long)]
    seed: Option<u64>,
    /// Per-query timeout in milliseconds.
    #[arg(long, default_value_t = 2000, value_name = "MS")]
    timeout: u64,
    /// One JSON object: `attempts`, `queries`, `seed`.
    #[arg(long)]
    json: bool,
}

#[derive(Args, Debug)]
pub(crate) struct UpdateArgs {
    /// The DNS server that takes updates for the zone (its primary), `IP[:PORT]`.
    #[arg(long, value_name = "IP:PORT", value_parser = volact_net::addr::parse_server)]
    server: SocketAddr,
    /// The zone to update (the domain itself or a parent of it).
    #[arg(long, value_name = "Z")]
    zone: String,
    /// The domain whose `_vlmcs._tcp` records change.
    #[arg(long, value_name = "D")]
    domain: String,
    /// The KMS host (the record's target).
    #[arg(long, value_name = "H")]
    host: String,
    /// The port the host listens on.
    #[arg(long, default_value_t = KMS_PORT)]
    port: u16,
    /// SRV priority (publish: default 0, the KMS default; withdraw: with --weight, exactly
    /// that record, else every record of the host).
    #[arg(long, value_name = "P")]
    priority: Option<u16>,
    /// SRV weight (publish: default 0).
    #[arg(long, value_name = "W")]
    weight: Option<u16>,
    /// TTL of a published record, seconds. Microsoft does not document the TTL a KMS host
    /// uses; 3600 is volact's choice.
    #[arg(long, default_value_t = volact_net::publish::DEFAULT_TTL, value_name = "S")]
    ttl: u32,
    /// A BIND key file (`tsig-keygen`) to sign the update with (TSIG); unsigned without it.
    #[arg(long, value_name = "FILE")]
    tsig_key: Option<PathBuf>,
    /// Timeout for each answer, in milliseconds.
    #[arg(long, default_value_t = 5000, value_name = "MS")]
    timeout: u64,
}

/// `volact probe` arguments.
#[derive(Args, Debug)]
pub(crate) struct ProbeArgs {
    /// The KMS host, `HOST[:PORT]` (port 1688 by default; IPv6 as `[addr]:port`); a name goes
    /// through the system resolver and each of its addresses is tried.
    target: String,
    /// How long to wait for the connection, in milliseconds.
    #[arg(long, default_value_t = 3000, value_name = "MS")]
    timeout: u64,
}

fn invalid(e: impl std::fmt::Display) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, e.to_string())
}

fn failed(e: impl std::fmt::Display) -> io::Error {
    io::Error::other(e.to_string())
}

/// A seed when none is given: std's per-process random hash keys, so no extra dependency.
fn fresh_seed() -> u64 {
    use std::hash::BuildHasher;
    std::collections::hash_map::RandomState::new().hash_one(0x766f_6c61_6374_u64)
}

fn mode(legacy: bool) -> OrderMode {
    if legacy {
        OrderMode::Legacy
    } else {
        OrderMode::Rfc2782
    }
}

pub(crate) fn run(command: SrvCommand, out: &mut dyn Write) -> io::Result<Verdict> {
    match command {
        SrvCommand::Plan {
            topology,
            json,
            format,
        } => plan(&topology, json, format, out),
        SrvCommand::Order {
            records,
            seed,
            draws,
            legacy,
            json,
        } => order_cmd(&records, seed, draws, mode(legacy), json, out),
        SrvCommand::Discover(a) => discover_cmd(a, out),
        SrvCommand::Publish(a) => publish(a, out),
        SrvCommand::Withdraw(a) => withdraw(a, out),
    }
}

fn plan(
    path: &std::path::Path,
    json: bool,
    format: Option<PlanFormat>,
    out: &mut dyn Write,
) -> io::Result<Verdict> {
    let text = volact_io::read(path).map_err(failed)?;
    let text = String::from_utf8(text)
        .map_err(|e| invalid(format!("{}: not UTF-8 text: {e}", path.display())))?;
    let plan = Plan::from_toml(&text).map_err(|e| invalid(format!("{}: {e}", path.display())))?;
    if json {
        serde_json::to_writer_pretty(&mut *out, &plan).map_err(failed)?;
        writeln!(out)?;
        return Ok(Verdict::AllValid);
    }
    match format {
        Some(PlanFormat::Zone) => out.write_all(plan.zone_fragment().as_bytes())?,
        Some(PlanFormat::Nsupdate) => out.write_all(plan.nsupdate_script().as_bytes())?,
        Some(PlanFormat::Powershell) => out.write_all(plan.powershell().as_bytes())?,
        Some(PlanFormat::Registry) => out.write_all(plan.registry_commands().as_bytes())?,
        None => write_plan_summary(&plan, out)?,
    }
    Ok(Verdict::AllValid)
}

fn write_plan_summary(plan: &Plan, out: &mut dyn Write) -> io::Result<()> {
    writeln!(out, "SRV records each domain holds (_vlmcs._tcp.<domain>):")?;
    for (domain, records) in &plan.domains {
        writeln!(out, "  {domain}")?;
        for r in records {
            writeln!(
                out,
                "    priority {:>5}  weight {:>5}  port {:>5}  {}",
                r.priority, r.weight, r.port, r.host
            )?;
        }
    }
    writeln!(out, "\nEach host's registry values:")?;
    for (host, h) in &plan.hosts {
        if h.disable_dns_publishing {
            writeln!(out, "  {host}: DisableDnsPublishing = 1")?;
            continue;
        }
        writeln!(out, "  {host}: DnsDomainPublishList =")?;
        for line in &h.dns_domain_publish_list {
            writeln!(out, "    {line}")?;
        }
    }
    writeln!(out, "\nScavenging: {}", plan.scavenging.note)?;
    for note in &plan.notes {
        writeln!(out, "Note: {note}")?;
    }
    Ok(())
}

fn order_cmd(
    records: &[SrvRecord],
    seed: Option<u64>,
    draws: Option<u64>,
    mode: OrderMode,
    json: bool,
    out: &mut dyn Write,
) -> io::Result<Verdict> {
    let seed = seed.unwrap_or_else(fresh_seed);
    let mut rng = SeededRandom::new(seed);
    let ordered = order(records, mode, &mut rng);
    let counts = draws.map(|n| first_counts(records, mode, n, &mut rng));
    if json {
        let mut v = json!({ "seed": seed, "mode": mode, "order": ordered });
        if let Some(c) = &counts {
            v["first_counts"] = json!(c);
        }
        writeln!(out, "{v}")?;
        return Ok(Verdict::AllValid);
    }
    for r in &ordered {
        writeln!(out, "{r}")?;
    }
    if let (Some(c), Some(n)) = (&counts, draws) {
        writeln!(out, "\nfirst choice over {n} draws:")?;
        for (target, k) in c {
            let share = if n == 0 {
                0.0
            } else {
                100.0 * *k as f64 / n as f64
            };
            writeln!(out, "  {target}: {k} ({share:.1} %)")?;
        }
    }
    Ok(Verdict::AllValid)
}

fn discover_cmd(a: DiscoverArgs, out: &mut dyn Write) -> io::Result<Verdict> {
    let timeout = Duration::from_millis(a.timeout.max(1));
    let resolver = if a.servers.is_empty() {
        Resolver::from_system().map_err(failed)?
    } else {
        Resolver::new(a.servers)
    }
    .with_timeout(timeout);
    let mut search_list = a.search_list;
    if a.domain.is_none() && search_list.is_empty() && a.lookup_domain.is_none() {
        search_list = resolver.search().to_vec();
    }
    let config = ClientConfig {
        global_kms: a.kms_name,
        cached_host: a.cached,
        host_caching: !a.no_host_caching,
        lookup_domain: a.lookup_domain,
        primary_dns_suffix: a.domain,
        suffix_search_list: search_list,
        order: mode(a.legacy),
        ..ClientConfig::default()
    };
    let seed = a.seed.unwrap_or_else(fresh_seed);
    let mut lookup = resolver;
    let found = discover(&config, &mut lookup, &mut SeededRandom::new(seed));
    if a.json {
        let mut v = serde_json::to_value(&found).map_err(failed)?;
        v["seed"] = json!(seed);
        writeln!(out, "{v}")?;
    } else {
        write_discovery(&found, out)?;
    }
    Ok(if found.attempts.is_empty() {
        Verdict::SomeInvalid
    } else {
        Verdict::AllValid
    })
}

fn write_discovery(found: &Discovery, out: &mut dyn Write) -> io::Result<()> {
    for q in &found.queries {
        let outcome = serde_json::to_value(q.outcome).map_err(failed)?;
        let outcome = outcome.as_str().unwrap_or("?");
        writeln!(out, "query {}: {outcome} ({} used)", q.name, q.records)?;
        for n in &q.notes {
            writeln!(out, "  note: {n}")?;
        }
    }
    if found.attempts.is_empty() {
        writeln!(out, "no KMS host to try")?;
    }
    for (i, t) in found.attempts.iter().enumerate() {
        let source = match &t.source {
            AttemptSource::SkuKmsName => "KMS name (SKU)".to_owned(),
            AttemptSource::AppKmsName => "KMS name (application)".to_owned(),
            AttemptSource::GlobalKmsName => "KMS name".to_owned(),
            AttemptSource::Cached => "cached host".to_owned(),
            AttemptSource::Dns { domain } => format!("DNS {domain}"),
        };
        let pw = match (t.priority, t.weight) {
            (Some(p), Some(w)) => format!("  priority {p} weight {w}"),
            _ => String::new(),
        };
        writeln!(out, "{}. {}:{}{pw}  ({source})", i + 1, t.host, t.port)?;
    }
    Ok(())
}

fn publisher(a: &UpdateArgs) -> io::Result<Publisher> {
    let publisher = match &a.tsig_key {
        Some(path) => Publisher::new(a.server, TsigKey::from_file(path).map_err(failed)?),
        None => Publisher::unsigned(a.server),
    };
    Ok(publisher
        .with_timeout(Duration::from_millis(a.timeout.max(1)))
        .with_ttl(a.ttl))
}

fn publish(a: UpdateArgs, out: &mut dyn Write) -> io::Result<Verdict> {
    let record = SrvRecord {
        priority: a.priority.unwrap_or(0),
        weight: a.weight.unwrap_or(0),
        port: a.port,
        target: a.host.trim_end_matches('.').to_owned(),
    };
    publisher(&a)?
        .publish(&a.zone, &a.domain, &record)
        .map_err(failed)?;
    writeln!(
        out,
        "published _vlmcs._tcp.{} {} IN SRV {record}",
        a.domain.trim_end_matches('.'),
        a.ttl
    )?;
    Ok(Verdict::AllValid)
}

fn withdraw(a: UpdateArgs, out: &mut dyn Write) -> io::Result<Verdict> {
    let p = publisher(&a)?;
    let owner = volact_core::srv::record::owner_name(&a.domain);
    let removed = match (a.priority, a.weight) {
        (Some(priority), Some(weight)) => {
            let record = SrvRecord {
                priority,
                weight,
                port: a.port,
                target: a.host.trim_end_matches('.').to_owned(),
            };
            p.withdraw_record(&a.zone, &a.domain, &record)
                .map_err(failed)?;
            vec![record]
        }
        (None, None) => p
            .withdraw(&a.zone, &a.domain, &a.host, None)
            .map_err(failed)?,
        _ => {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "give both --priority and --weight (exactly that record), or neither (every \
                 record of the host)",
            ));
        }
    };
    if removed.is_empty() {
        writeln!(out, "{owner} holds no record for {}: nothing sent", a.host)?;
    }
    for r in &removed {
        writeln!(out, "withdrawn {owner} SRV {r}")?;
    }
    Ok(Verdict::AllValid)
}

/// `volact probe HOST[:PORT]`: exit 0 when the port accepts a connection, 1 otherwise.
pub(crate) fn probe(a: ProbeArgs, out: &mut dyn Write) -> io::Result<Verdict> {
    let timeout = Duration::from_millis(a.timeout.max(1));
    let open = match volact_net::probe::probe_target(&a.target, timeout) {
        Ok(true) => {
            writeln!(out, "{}: open", a.target)?;
            true
        }
        Ok(false) => {
            writeln!(out, "{}: closed (connection refused)", a.target)?;
            false
        }
        Err(e @ volact_net::probe::ProbeError::Target(_)) => {
            return Err(io::Error::new(io::ErrorKind::InvalidInput, e.to_string()));
        }
        Err(e) => {
            writeln!(out, "{}: {e}", a.target)?;
            false
        }
    };
    Ok(if open {
        Verdict::AllValid
    } else {
        Verdict::SomeInvalid
    })
}
