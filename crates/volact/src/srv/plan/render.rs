//! A plan as text an administrator runs: a zone-file fragment (RFC 1035 master file, SRV
//! RDATA per RFC 2782), an `nsupdate` script (RFC 2136), PowerShell
//! `Add-DnsServerResourceRecord -Srv` lines (DnsServer module) and `reg add` commands for each
//! host. Every name in a plan passed the DNS name check (letters, digits, `-`, `_`, `.`), so
//! none needs quoting beyond what is written here.

use super::{Plan, PlannedRecord};
use crate::srv::record::owner_name;
use std::fmt::Write;

/// The registry key of the host values (facts.md §4.2, S9).
const SPP_KEY: &str =
    r"HKLM\SOFTWARE\Microsoft\Windows NT\CurrentVersion\SoftwareProtectionPlatform";

fn srv_rdata(r: &PlannedRecord) -> String {
    format!("{} {} {} {}.", r.priority, r.weight, r.port, r.host)
}

impl Plan {
    /// The RRsets as master-file lines, one block per domain.
    ///
    /// ```
    /// # use volact::srv::plan::Plan;
    /// let p = Plan::from_toml("[[host]]\nname = \"kms.contoso.com\"\n[[site]]\nname = \"hq\"\n\
    ///     hosts = [{ host = \"kms.contoso.com\", weight = 1 }]\n[[domain]]\nname = \"contoso.com\"\nsite = \"hq\"\n")?;
    /// assert!(p.zone_fragment().contains("_vlmcs._tcp.contoso.com. 3600 IN SRV 10 1 1688 kms.contoso.com."));
    /// # Ok::<(), volact::srv::plan::TopologyError>(())
    /// ```
    pub fn zone_fragment(&self) -> String {
        let mut out = String::from(
            "; _vlmcs._tcp SRV records planned by volact: priority weight port target (RFC 2782)\n",
        );
        for (domain, records) in &self.domains {
            let _ = writeln!(out, "; {domain}");
            for r in records {
                let _ = writeln!(
                    out,
                    "{}. {} IN SRV {}",
                    owner_name(domain),
                    self.ttl,
                    srv_rdata(r)
                );
            }
        }
        out
    }

    /// An `nsupdate` script that makes each domain's RRset exactly the plan: it deletes the
    /// existing `_vlmcs._tcp` SRV RRset, then adds the planned records, one `send` per zone.
    pub fn nsupdate_script(&self) -> String {
        let mut out = String::from(
            "; nsupdate script planned by volact (RFC 2136). Add `server <dns-server>` first;\n\
             ; with Microsoft DNS secure updates run `nsupdate -g` (GSS-TSIG).\n\
             ; Each block replaces the whole _vlmcs._tcp SRV RRset of its domain.\n",
        );
        for (domain, records) in &self.domains {
            let owner = owner_name(domain);
            let zone = self.zones.get(domain).unwrap_or(domain);
            let _ = writeln!(out, "zone {zone}.");
            let _ = writeln!(out, "update delete {owner}. SRV");
            for r in records {
                let _ = writeln!(
                    out,
                    "update add {owner}. {} IN SRV {}",
                    self.ttl,
                    srv_rdata(r)
                );
            }
            out.push_str("send\n");
        }
        out
    }

    /// PowerShell `Add-DnsServerResourceRecord -Srv` lines, one per record, in each
    /// domain's zone.
    pub fn powershell(&self) -> String {
        let mut out = String::from(
            "# DNS records planned by volact (DnsServer module, run on or against the DNS server)\n",
        );
        for (domain, records) in &self.domains {
            let zone = self.zones.get(domain).unwrap_or(domain);
            let owner = owner_name(domain);
            // The record name relative to the zone: `_vlmcs._tcp` plus the labels between.
            let name = owner
                .strip_suffix(zone.as_str())
                .map_or(owner.as_str(), |n| n.trim_end_matches('.'));
            for r in records {
                let _ = writeln!(
                    out,
                    "Add-DnsServerResourceRecord -Srv -ZoneName '{zone}' -Name '{name}' -DomainName '{}' \
                     -Priority {} -Weight {} -Port {} -TimeToLive ([TimeSpan]::FromSeconds({}))",
                    r.host, r.priority, r.weight, r.port, self.ttl
                );
            }
        }
        out
    }

    /// Each host's registry values as plain text: a `[host]` line, then its
    /// `DnsDomainPublishList` strings one a line (home domain first), or
    /// `; DisableDnsPublishing = 1` for a host that publishes nowhere. For programs that print
    /// or compare the per-host values without reading JSON (the C example does).
    ///
    /// ```
    /// # use volact::srv::plan::Plan;
    /// let p = Plan::from_toml("[[host]]\nname = \"kms.contoso.com\"\n[[site]]\nname = \"hq\"\n\
    ///     hosts = [{ host = \"kms.contoso.com\", weight = 1 }]\n[[domain]]\nname = \"contoso.com\"\nsite = \"hq\"\n")?;
    /// assert!(p.publish_lists().ends_with("[kms.contoso.com]\ncontoso.com, 10, 1\n"));
    /// # Ok::<(), volact::srv::plan::TopologyError>(())
    /// ```
    pub fn publish_lists(&self) -> String {
        let mut out = String::from(
            "; DnsDomainPublishList of each KMS host (REG_MULTI_SZ, one string a line), planned by volact\n",
        );
        for (host, h) in &self.hosts {
            let _ = writeln!(out, "[{host}]");
            if h.disable_dns_publishing {
                out.push_str("; DisableDnsPublishing = 1\n");
            }
            for entry in &h.dns_domain_publish_list {
                let _ = writeln!(out, "{entry}");
            }
        }
        out
    }

    /// `reg add` commands for each host (run on that host, elevated), then a restart of the
    /// Software Licensing service, which applies them (S6).
    pub fn registry_commands(&self) -> String {
        let mut out = String::new();
        for (host, h) in &self.hosts {
            let _ = writeln!(out, "rem on {host}");
            if h.disable_dns_publishing {
                let _ = writeln!(
                    out,
                    "reg add \"{SPP_KEY}\" /v DisableDnsPublishing /t REG_DWORD /d 1 /f"
                );
            } else {
                let _ = writeln!(
                    out,
                    "reg add \"{SPP_KEY}\" /v DisableDnsPublishing /t REG_DWORD /d 0 /f"
                );
                // reg.exe separates REG_MULTI_SZ strings with `\0` by default.
                let _ = writeln!(
                    out,
                    "reg add \"{SPP_KEY}\" /v DnsDomainPublishList /t REG_MULTI_SZ /d \"{}\" /f",
                    h.dns_domain_publish_list.join("\\0")
                );
            }
            out.push_str("net stop sppsvc && net start sppsvc\n");
        }
        out
    }
}
