//! KMS discovery over DNS across the C ABI: planning a topology, ordering SRV records as a
//! client does, a client's discovery against real DNS servers, publishing and withdrawing a
//! host's record by TSIG-signed dynamic update, and the TCP probe of a KMS port.
//!
//! Every answer comes from `volact_core::srv` (planning, ordering, discovery, and the text
//! readers of `srv::input`) or `volact_net` (the wire, `addr` for server lists and
//! `host[:port]`), as for the CLI; the JSON texts are those types' serde JSON.

use crate::error::{boundary, fail, net_update_result, volact_result};
use crate::strings::{text_arg, to_json, write_out, write_str};
use std::ffi::c_char;
use std::time::Duration;
use volact_core::srv::discovery::{ClientConfig, discover};
use volact_core::srv::input::{parse_priority_weight, parse_records};
use volact_core::srv::order::{OrderMode, first_counts, order};
use volact_core::srv::plan::Plan;
use volact_core::srv::{SeededRandom, SrvRecord};
use volact_net::addr::parse_server_list;
use volact_net::probe::{ProbeError, probe_target};
use volact_net::{Publisher, Resolver, TsigKey};

/// What `volact_srv_plan` writes.
#[repr(u32)]
#[derive(Clone, Copy, Debug)]
pub enum volact_srv_format {
    /// The plan as JSON: `{"domains", "hosts", "zones", "ttl", "scavenging", "notes"}` (what
    /// `volact srv plan --json` prints).
    Json = 0,
    /// A zone-file fragment: each domain's `_vlmcs._tcp` SRV records.
    Zone = 1,
    /// An `nsupdate` script replacing each domain's RRset.
    Nsupdate = 2,
    /// PowerShell `Add-DnsServerResourceRecord -Srv` lines.
    Powershell = 3,
    /// `reg add` commands for each host.
    Registry = 4,
    /// Each host's `DnsDomainPublishList`: a `[host]` line, then one string a line.
    PublishLists = 5,
}

/// How `volact_srv_order` and `volact_srv_first_counts` order records.
#[repr(u32)]
#[derive(Clone, Copy, Debug)]
pub enum volact_srv_order_mode {
    /// RFC 2782: priority ascending, weighted random draw within a priority (Windows 7 /
    /// Server 2008 R2 and later clients).
    Rfc2782 = 0,
    /// A uniform shuffle ignoring priority and weight (older clients).
    Legacy = 1,
}

fn order_mode(mode: u32) -> Result<OrderMode, volact_result> {
    match mode {
        0 => Ok(OrderMode::Rfc2782),
        1 => Ok(OrderMode::Legacy),
        other => Err(fail(
            volact_result::InvalidArgument,
            format_args!("unknown SRV order mode {other} (0 = RFC 2782, 1 = legacy)"),
        )),
    }
}

fn records_arg(text: &str) -> Result<Vec<SrvRecord>, volact_result> {
    parse_records(text).map_err(|e| fail(volact_result::SrvRecord, e))
}

/// One record value a line, each ending in a newline.
fn lines(records: &[SrvRecord]) -> String {
    records.iter().map(|r| format!("{r}\n")).collect()
}

fn key_arg(text: &str) -> Result<TsigKey, volact_result> {
    TsigKey::parse(text).map_err(|e| fail(volact_result::NetKeyFile, e))
}

/// The one server an update goes to: `ip[:port]` (port 53 when absent).
fn server_arg(text: &str) -> Result<std::net::SocketAddr, volact_result> {
    match parse_server_list(text) {
        Ok(list) => match list[..] {
            [one] => Ok(one),
            _ => Err(fail(
                volact_result::SrvServerList,
                format_args!(
                    "DNS server {text:?}: give exactly one `ip[:port]`, the zone's primary (got {})",
                    list.len()
                ),
            )),
        },
        Err(e) => Err(fail(volact_result::SrvServerList, e)),
    }
}

/// `timeout_ms`, or `default` when it is 0.
fn timeout(timeout_ms: u32, default: Duration) -> Duration {
    match timeout_ms {
        0 => default,
        ms => Duration::from_millis(u64::from(ms)),
    }
}

/// The default wait for one answer to an update (volact-net's).
const UPDATE_TIMEOUT: Duration = Duration::from_secs(5);
/// The default wait for a probe's TCP handshake.
const PROBE_TIMEOUT: Duration = Duration::from_secs(2);

/// Plans a KMS topology (TOML, see `docs/kms-discovery.md`) and writes it as `format` (a
/// `volact_srv_format`) into `out` with the string protocol. An invalid topology is
/// `VOLACT_RESULT_SRV_TOPOLOGY`, the message naming the TOML line; an unknown format is
/// `VOLACT_RESULT_INVALID_ARGUMENT`.
///
/// # Safety
/// `topology` valid for `len` bytes; `out` valid for `cap` bytes (or NULL with `cap` 0);
/// `out_n` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn volact_srv_plan(
    topology: *const u8,
    len: usize,
    format: u32,
    out: *mut c_char,
    cap: usize,
    out_n: *mut usize,
) -> volact_result {
    boundary(|| {
        // SAFETY: caller contract.
        let text = text_arg!(topology, len);
        if format > volact_srv_format::PublishLists as u32 {
            return fail(
                volact_result::InvalidArgument,
                format_args!("unknown SRV plan format {format} (0 to 5)"),
            );
        }
        let plan = match Plan::from_toml(text) {
            Ok(p) => p,
            Err(e) => return fail(volact_result::SrvTopology, format_args!("topology: {e}")),
        };
        let rendered = match format {
            0 => match to_json(&plan) {
                Ok(j) => j,
                Err(r) => return r,
            },
            1 => plan.zone_fragment(),
            2 => plan.nsupdate_script(),
            3 => plan.powershell(),
            4 => plan.registry_commands(),
            _ => plan.publish_lists(),
        };
        // SAFETY: forwarded caller contract.
        unsafe { write_str(&rendered, out, cap, out_n) }
    })
}

/// Orders SRV records as a client in `mode` (a `volact_srv_order_mode`) tries them, drawing
/// from a generator seeded with `seed` (the same seed gives the same order). `records` holds
/// one `priority weight port target` a line (blank lines skipped); `out` gets the ordered
/// records in the same form, each line ending in `\n`. Records with target `.` are left out.
/// A bad line is `VOLACT_RESULT_SRV_RECORD`, the message naming it.
///
/// # Safety
/// `records` valid for `len` bytes; `out` valid for `cap` bytes (or NULL with `cap` 0);
/// `out_n` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn volact_srv_order(
    records: *const u8,
    len: usize,
    seed: u64,
    mode: u32,
    out: *mut c_char,
    cap: usize,
    out_n: *mut usize,
) -> volact_result {
    boundary(|| {
        // SAFETY: caller contract.
        let text = text_arg!(records, len);
        let records = match records_arg(text) {
            Ok(r) => r,
            Err(r) => return r,
        };
        let mode = match order_mode(mode) {
            Ok(m) => m,
            Err(r) => return r,
        };
        let ordered = order(&records, mode, &mut SeededRandom::new(seed));
        // SAFETY: forwarded caller contract.
        unsafe { write_str(&lines(&ordered), out, cap, out_n) }
    })
}

/// How often each target comes first over `draws` orderings (seeded with `seed`): the JSON
/// object `{"target": count, ...}` with every host target, 0 when never first. Records as
/// for `volact_srv_order`. The work is linear in `draws`.
///
/// # Safety
/// `records` valid for `len` bytes; `out` valid for `cap` bytes (or NULL with `cap` 0);
/// `out_n` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn volact_srv_first_counts(
    records: *const u8,
    len: usize,
    seed: u64,
    mode: u32,
    draws: u64,
    out: *mut c_char,
    cap: usize,
    out_n: *mut usize,
) -> volact_result {
    boundary(|| {
        // SAFETY: caller contract.
        let text = text_arg!(records, len);
        let records = match records_arg(text) {
            Ok(r) => r,
            Err(r) => return r,
        };
        let mode = match order_mode(mode) {
            Ok(m) => m,
            Err(r) => return r,
        };
        let counts = first_counts(&records, mode, draws, &mut SeededRandom::new(seed));
        match to_json(&counts) {
            // SAFETY: forwarded caller contract.
            Ok(json) => unsafe { write_str(&json, out, cap, out_n) },
            Err(r) => r,
        }
    })
}

/// The KMS hosts a client configured by `config_json` tries, in order, with every DNS query it
/// makes, asking the DNS servers `servers` (`ip[:port],ip[:port]`, port 53 when absent; the
/// empty text: those of `/etc/resolv.conf`). `config_json` is a client configuration object
/// (`{"lookup_domain": "east.contoso.com"}`, `{"primary_dns_suffix": ..., "suffix_search_list":
/// [...], "host_caching": false, "order": "legacy", "global_kms": "host:port", ...}`; the empty
/// text: the defaults). `timeout_ms` bounds each try (0: resolv.conf's, or 2 s); each server is
/// tried twice. `seed` seeds the ordering. `out` gets the JSON
/// `{"attempts": [{"host", "port", "priority", "weight", "source": {"kind", ...}}],
/// "queries": [{"name", "outcome", "records", "notes"}]}`.
///
/// A server that does not answer is not a failure: discovery goes on to the next domain and
/// the query's `outcome` is `"failed"`, its `notes` saying why (as a client does). Failures:
/// `VOLACT_RESULT_SRV_CLIENT_CONFIG`, `VOLACT_RESULT_SRV_SERVER_LIST`, `VOLACT_RESULT_IO`
/// (`/etc/resolv.conf` unreadable). Each call asks DNS afresh, also a retry after
/// `VOLACT_RESULT_BUFFER_TOO_SMALL`.
///
/// # Safety
/// `config_json` valid for `config_len` bytes, `servers` for `servers_len`; `out` valid for
/// `cap` bytes (or NULL with `cap` 0); `out_n` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn volact_srv_discover(
    config_json: *const u8,
    config_len: usize,
    servers: *const u8,
    servers_len: usize,
    timeout_ms: u32,
    seed: u64,
    out: *mut c_char,
    cap: usize,
    out_n: *mut usize,
) -> volact_result {
    boundary(|| {
        // SAFETY: caller contract.
        let config = text_arg!(config_json, config_len);
        // SAFETY: caller contract.
        let servers = text_arg!(servers, servers_len);
        let config = match ClientConfig::from_json(config) {
            Ok(c) => c,
            Err(e) => return fail(volact_result::SrvClientConfig, e),
        };
        let resolver = match parse_server_list(servers) {
            Ok(list) if list.is_empty() => match Resolver::from_system() {
                Ok(r) => r,
                Err(e) => return fail(volact_result::Io, e),
            },
            Ok(list) => Resolver::new(list),
            Err(e) => return fail(volact_result::SrvServerList, e),
        };
        let mut resolver = match timeout_ms {
            0 => resolver,
            ms => resolver.with_timeout(Duration::from_millis(u64::from(ms))),
        };
        let found = discover(&config, &mut resolver, &mut SeededRandom::new(seed));
        match to_json(&found) {
            // SAFETY: forwarded caller contract.
            Ok(json) => unsafe { write_str(&json, out, cap, out_n) },
            Err(r) => r,
        }
    })
}

/// Publishes `record` (`priority weight port target`) at `_vlmcs._tcp.<domain>` in `zone` on
/// the DNS server `server` (`ip[:port]`, the zone's primary) by RFC 2136 dynamic update signed
/// with the TSIG key in `tsig_key` (the text of a BIND key file, as `tsig-keygen` writes it).
/// Other records stay; publishing a record that exists changes nothing. `ttl` 0 means 3600 s;
/// `timeout_ms` 0 means 5 s. The server's answer must carry a valid signature of the key.
///
/// Failures: `VOLACT_RESULT_SRV_SERVER_LIST`, `_SRV_RECORD`, `_SRV_NAME`, `_NET_KEY_FILE`
/// (checked before anything is sent), then `_NET_TIMEOUT`, `_NET_UNREACHABLE`, `_NET_TSIG`
/// (BADSIG, BADKEY, BADTIME), `_NET_NOT_AUTHORITATIVE`, `_NET_REFUSED`, `_NET_OTHER`.
///
/// # Safety
/// Each text valid for its length.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn volact_srv_publish(
    server: *const u8,
    server_len: usize,
    zone: *const u8,
    zone_len: usize,
    domain: *const u8,
    domain_len: usize,
    record: *const u8,
    record_len: usize,
    ttl: u32,
    tsig_key: *const u8,
    tsig_key_len: usize,
    timeout_ms: u32,
) -> volact_result {
    boundary(|| {
        // SAFETY: caller contract (each text below).
        let server = text_arg!(server, server_len);
        // SAFETY: as above.
        let zone = text_arg!(zone, zone_len);
        // SAFETY: as above.
        let domain = text_arg!(domain, domain_len);
        // SAFETY: as above.
        let record = text_arg!(record, record_len);
        // SAFETY: as above.
        let key = text_arg!(tsig_key, tsig_key_len);
        let server = match server_arg(server) {
            Ok(s) => s,
            Err(r) => return r,
        };
        let record: SrvRecord = match record.parse() {
            Ok(r) => r,
            Err(e) => return fail(volact_result::SrvRecord, e),
        };
        let key = match key_arg(key) {
            Ok(k) => k,
            Err(r) => return r,
        };
        let mut publisher =
            Publisher::new(server, key).with_timeout(timeout(timeout_ms, UPDATE_TIMEOUT));
        if ttl != 0 {
            publisher = publisher.with_ttl(ttl);
        }
        match publisher.publish(zone, domain, &record) {
            Ok(()) => volact_result::Ok,
            Err(e) => fail(net_update_result(&e), e),
        }
    })
}

/// Withdraws `host`'s record(s) at `_vlmcs._tcp.<domain>` in `zone` on `server`, signed as for
/// `volact_srv_publish`. With `priority_weight` (`"priority weight"`), exactly
/// `priority weight 1688 host`; with the empty text, every record whose target is `host` (the
/// RRset is read from `server` first). `out` gets the records withdrawn, one
/// `priority weight port target` a line (empty when there was nothing to withdraw; nothing is
/// sent then).
///
/// The withdrawal happens once: `out` does **not** follow the retry protocol. `*out_n` (may be
/// NULL) gets the text's length; the text and a NUL are in `out` when `cap > *out_n`, else
/// `out` holds the empty string (when `cap > 0`), and the result is still `VOLACT_RESULT_OK`.
/// `(NULL, 0, NULL)` asks for no list. Failures as for `volact_srv_publish`, plus
/// `VOLACT_RESULT_SRV_PRIORITY_WEIGHT`; the argument failures come before anything is sent
/// (after `VOLACT_RESULT_NET_TIMEOUT` the server may have applied the update or not).
///
/// # Safety
/// Each text valid for its length; `out` valid for `cap` bytes (or NULL with `cap` 0);
/// `out_n` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn volact_srv_withdraw(
    server: *const u8,
    server_len: usize,
    zone: *const u8,
    zone_len: usize,
    domain: *const u8,
    domain_len: usize,
    host: *const u8,
    host_len: usize,
    priority_weight: *const u8,
    priority_weight_len: usize,
    tsig_key: *const u8,
    tsig_key_len: usize,
    timeout_ms: u32,
    out: *mut c_char,
    cap: usize,
    out_n: *mut usize,
) -> volact_result {
    boundary(|| {
        // SAFETY: caller contract (each text below).
        let server = text_arg!(server, server_len);
        // SAFETY: as above.
        let zone = text_arg!(zone, zone_len);
        // SAFETY: as above.
        let domain = text_arg!(domain, domain_len);
        // SAFETY: as above.
        let host = text_arg!(host, host_len);
        // SAFETY: as above.
        let pw = text_arg!(priority_weight, priority_weight_len);
        // SAFETY: as above.
        let key = text_arg!(tsig_key, tsig_key_len);
        // Every argument is checked before the update is sent, the buffer too.
        if out.is_null() && cap != 0 {
            return fail(volact_result::NullParameter, "out is NULL but cap is not 0");
        }
        let server = match server_arg(server) {
            Ok(s) => s,
            Err(r) => return r,
        };
        let pw = match parse_priority_weight(pw) {
            Ok(pw) => pw,
            Err(e) => return fail(volact_result::SrvPriorityWeight, e),
        };
        let key = match key_arg(key) {
            Ok(k) => k,
            Err(r) => return r,
        };
        let publisher =
            Publisher::new(server, key).with_timeout(timeout(timeout_ms, UPDATE_TIMEOUT));
        let withdrawn = match publisher.withdraw(zone, domain, host, pw) {
            Ok(w) => lines(&w),
            Err(e) => return fail(net_update_result(&e), e),
        };
        // SAFETY: forwarded caller contract.
        let written = unsafe { write_str(&withdrawn, out, cap, out_n) };
        if written == volact_result::BufferTooSmall && cap > 0 {
            // SAFETY: non-NULL (checked above) and at least one byte long.
            unsafe { *out = 0 };
        }
        volact_result::Ok
    })
}

/// Whether a KMS host accepts TCP connections: `host_port` is `host`, `host:port` or
/// `[IPv6]:port` (port 1688 when absent); a name is resolved with the system resolver
/// (`/etc/hosts`, then DNS through libc; the first address is probed). `*open` gets true when
/// the handshake completes within `timeout_ms` (0: 2 s), false when the host refuses it
/// (nothing listens). The probe only connects and closes: it never sends a byte.
///
/// Failures: `VOLACT_RESULT_SRV_HOST_PORT`, `_NET_RESOLVE`, `_NET_TIMEOUT` (no answer:
/// filtered or down), `_NET_UNREACHABLE`.
///
/// # Safety
/// `host_port` valid for `len` bytes; `open` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn volact_probe(
    host_port: *const u8,
    len: usize,
    timeout_ms: u32,
    open: *mut bool,
) -> volact_result {
    boundary(|| {
        // SAFETY: caller contract.
        let text = text_arg!(host_port, len);
        if open.is_null() {
            return fail(volact_result::NullParameter, "open is NULL");
        }
        match probe_target(text, timeout(timeout_ms, PROBE_TIMEOUT)) {
            // SAFETY: caller contract.
            Ok(is_open) => unsafe { write_out(open, is_open) },
            Err(e @ ProbeError::Timeout { .. }) => fail(volact_result::NetTimeout, e),
            Err(e @ ProbeError::Target(_)) => fail(volact_result::SrvHostPort, e),
            Err(e @ ProbeError::Resolve { .. }) => fail(volact_result::NetResolve, e),
            Err(e) => fail(volact_result::NetUnreachable, e),
        }
    })
}
