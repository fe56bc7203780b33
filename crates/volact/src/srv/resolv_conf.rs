//! `/etc/resolv.conf` text → the stub resolver's settings, read the way glibc's `res_init`
//! reads it (resolv.conf(5)):
//!
//! - `nameserver ADDR`: an IPv4 or IPv6 address, port 53; at most 3 (glibc's `MAXNS`), later
//!   ones are ignored. An IPv6 scope (`fe80::1%2`) is kept when it is numeric.
//! - `search D1 D2 …` and `domain D`: both set the search list and **the last of the two
//!   wins**; `domain D` is a one-entry list.
//! - `options timeout:N attempts:N ndots:N`, clamped as glibc does (30, 5, 15); other options
//!   are ignored.
//! - Lines starting with `#` or `;` are comments; unknown keywords and unparsable values are
//!   skipped, as glibc skips them, but each skip is reported in [`ResolvConf::skipped`] so a
//!   tool can say why a line had no effect.
//!
//! Parsing never fails: a resolver must start even with a damaged file. With no nameserver
//! line glibc queries the local host, which [`ResolvConf::servers_or_default`] reproduces.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, SocketAddrV6};

/// The DNS port (RFC 1035 §4.2).
pub const DNS_PORT: u16 = 53;
/// glibc's `MAXNS`: nameservers after the third are ignored.
pub const MAX_NAMESERVERS: usize = 3;
/// glibc's default per-try timeout, seconds (`RES_TIMEOUT`).
pub const DEFAULT_TIMEOUT_SECS: u32 = 5;
/// glibc's default number of tries per server (`RES_DFLRETRY`).
pub const DEFAULT_ATTEMPTS: u32 = 2;
/// glibc's default `ndots`.
pub const DEFAULT_NDOTS: u32 = 1;

/// The settings a stub resolver takes from `resolv.conf`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResolvConf {
    /// The nameservers, in file order, at most [`MAX_NAMESERVERS`].
    pub nameservers: Vec<SocketAddr>,
    /// The search list, without trailing dots.
    pub search: Vec<String>,
    /// Seconds to wait for one try (`options timeout:`), 1..=30.
    pub timeout_secs: u32,
    /// Tries per server (`options attempts:`), 1..=5.
    pub attempts: u32,
    /// Dots a name needs to be tried as is before the search list (`options ndots:`), 0..=15.
    pub ndots: u32,
    /// The lines that had no effect, with the reason.
    pub skipped: Vec<Skipped>,
}

/// A line (or a word of one) the parser skipped, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Skipped {
    /// 1-based line number.
    pub line: usize,
    /// Why it was skipped, one phrase.
    pub reason: String,
}

impl Default for ResolvConf {
    fn default() -> Self {
        Self {
            nameservers: Vec::new(),
            search: Vec::new(),
            timeout_secs: DEFAULT_TIMEOUT_SECS,
            attempts: DEFAULT_ATTEMPTS,
            ndots: DEFAULT_NDOTS,
            skipped: Vec::new(),
        }
    }
}

impl ResolvConf {
    /// Read `resolv.conf` text.
    ///
    /// ```
    /// use volact::srv::resolv_conf::ResolvConf;
    /// let c = ResolvConf::parse("nameserver 10.0.0.53\nsearch corp.contoso.com contoso.com\noptions timeout:2 ndots:2\n");
    /// assert_eq!(c.nameservers[0].to_string(), "10.0.0.53:53");
    /// assert_eq!(c.search, ["corp.contoso.com", "contoso.com"]);
    /// assert_eq!((c.timeout_secs, c.attempts, c.ndots), (2, 2, 2));
    /// ```
    pub fn parse(text: &str) -> Self {
        let mut conf = Self::default();
        for (i, raw) in text.lines().enumerate() {
            let line = i + 1;
            let mut words = raw.split_ascii_whitespace();
            let Some(keyword) = words.next() else {
                continue;
            };
            if keyword.starts_with('#') || keyword.starts_with(';') {
                continue;
            }
            match keyword {
                "nameserver" => conf.nameserver(line, words.next()),
                "search" => conf.search = domains(words),
                "domain" => conf.search = domains(words.take(1)),
                "options" => {
                    for option in words {
                        conf.option(line, option);
                    }
                }
                // sortlist orders addresses of a host lookup; nothing here uses it.
                "sortlist" => {}
                other => conf.skip(line, format!("unknown keyword `{other}`")),
            }
        }
        conf
    }

    /// The nameservers, or glibc's fallback (the local host, `127.0.0.1:53`) when none is set.
    pub fn servers_or_default(&self) -> Vec<SocketAddr> {
        if self.nameservers.is_empty() {
            vec![SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), DNS_PORT)]
        } else {
            self.nameservers.clone()
        }
    }

    fn skip(&mut self, line: usize, reason: String) {
        self.skipped.push(Skipped { line, reason });
    }

    fn nameserver(&mut self, line: usize, value: Option<&str>) {
        let Some(value) = value else {
            return self.skip(line, "`nameserver` without an address".into());
        };
        let Some(addr) = server_address(value) else {
            return self.skip(line, format!("`{value}` is not an IP address"));
        };
        if self.nameservers.len() == MAX_NAMESERVERS {
            return self.skip(
                line,
                format!("more than {MAX_NAMESERVERS} nameservers (glibc ignores the rest)"),
            );
        }
        self.nameservers.push(addr);
    }

    fn option(&mut self, line: usize, option: &str) {
        let Some((name, value)) = option.split_once(':') else {
            // Flag options (rotate, edns0, single-request…) do not change what volact does.
            return;
        };
        let (slot, max) = match name {
            "timeout" => (&mut self.timeout_secs, 30),
            "attempts" => (&mut self.attempts, 5),
            "ndots" => (&mut self.ndots, 15),
            _ => return,
        };
        // glibc reads the leading digits with atoi and clamps; a non-number leaves the default.
        let digits: String = value.chars().take_while(char::is_ascii_digit).collect();
        match digits.parse::<u64>() {
            Ok(v) => {
                let clamped = u32::try_from(v.min(max)).unwrap_or(max as u32);
                // A zero timeout or attempt count would never send anything; glibc treats
                // them as 1 as well.
                *slot = if name == "ndots" {
                    clamped
                } else {
                    clamped.max(1)
                };
            }
            Err(_) if digits.is_empty() => {
                self.skip(line, format!("`{option}`: no number after `{name}:`"));
            }
            // Overlong digit strings: as glibc's clamp, the maximum.
            Err(_) => *slot = max as u32,
        }
    }
}

fn domains<'a>(words: impl Iterator<Item = &'a str>) -> Vec<String> {
    words
        .map(|w| w.trim_end_matches('.'))
        .filter(|w| !w.is_empty())
        .map(str::to_owned)
        .collect()
}

fn server_address(value: &str) -> Option<SocketAddr> {
    if let Ok(ip) = value.parse::<IpAddr>() {
        return Some(SocketAddr::new(ip, DNS_PORT));
    }
    let (addr, scope) = value.split_once('%')?;
    let ip: Ipv6Addr = addr.parse().ok()?;
    // Interface names would need the OS to translate; numeric scope ids are kept.
    let scope: u32 = scope.parse().ok()?;
    Some(SocketAddr::V6(SocketAddrV6::new(ip, DNS_PORT, 0, scope)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn glibc_rules() {
        let c = ResolvConf::parse(
            "# comment\n; also\nnameserver 192.0.2.1\nnameserver 2001:db8::53\n\
             nameserver fe80::1%3\nnameserver 192.0.2.9\nnameserver bogus\n\
             search a.test. b.test\ndomain c.test\nsortlist 10.0.0.0/8\nfrobnicate yes\n\
             options rotate timeout:99 attempts:0 ndots:3x\n",
        );
        assert_eq!(
            c.nameservers
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>(),
            ["192.0.2.1:53", "[2001:db8::53]:53", "[fe80::1%3]:53"]
        );
        assert_eq!(c.search, ["c.test"], "domain after search wins");
        assert_eq!((c.timeout_secs, c.attempts, c.ndots), (30, 1, 3));
        let lines: Vec<usize> = c.skipped.iter().map(|s| s.line).collect();
        assert_eq!(lines, [6, 7, 11]);
    }

    #[test]
    fn search_after_domain_wins_and_defaults() {
        let c = ResolvConf::parse("domain a.test\nsearch b.test c.test\n");
        assert_eq!(c.search, ["b.test", "c.test"]);
        let empty = ResolvConf::parse("");
        assert_eq!(empty.servers_or_default()[0].to_string(), "127.0.0.1:53");
        assert_eq!((empty.timeout_secs, empty.attempts, empty.ndots), (5, 2, 1));
    }

    proptest! {
        #[test]
        fn never_panics_and_stays_in_bounds(text in "(?s).{0,400}") {
            let c = ResolvConf::parse(&text);
            prop_assert!(c.nameservers.len() <= MAX_NAMESERVERS);
            prop_assert!((1..=30).contains(&c.timeout_secs));
            prop_assert!((1..=5).contains(&c.attempts));
            prop_assert!(c.ndots <= 15);
            prop_assert!(c.search.iter().all(|d| !d.is_empty() && !d.ends_with('.')));
        }

        #[test]
        fn written_settings_read_back(
            servers in proptest::collection::vec(any::<IpAddr>(), 0..5),
            search in proptest::collection::vec("[a-z]{1,8}(\\.[a-z]{1,8}){0,2}", 0..4),
            timeout in 1u32..=30, attempts in 1u32..=5, ndots in 0u32..=15,
        ) {
            let mut text = String::new();
            for s in &servers { text.push_str(&format!("nameserver {s}\n")); }
            if !search.is_empty() { text.push_str(&format!("search {}\n", search.join(" "))); }
            text.push_str(&format!("options timeout:{timeout} attempts:{attempts} ndots:{ndots}\n"));
            let c = ResolvConf::parse(&text);
            let want: Vec<SocketAddr> = servers.iter().take(3).map(|ip| SocketAddr::new(*ip, 53)).collect();
            prop_assert_eq!(c.nameservers, want);
            prop_assert_eq!(c.search, search);
            prop_assert_eq!((c.timeout_secs, c.attempts, c.ndots), (timeout, attempts, ndots));
        }
    }
}
