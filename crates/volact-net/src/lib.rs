//! # volact-net — the network side of KMS discovery and publishing
//!
//! volact's core builds and reads DNS messages ([`volact_core::srv::message`]); this crate
//! moves them, with blocking `std::net` sockets and no async runtime:
//!
//! - [`resolver`]: a stub resolver for `_vlmcs._tcp` SRV records and their targets'
//!   addresses (RFC 1035, RFC 2782, EDNS0 per RFC 6891, TCP fallback per RFC 7766), which
//!   implements the core's [`SrvLookup`](volact_core::srv::SrvLookup).
//! - [`publish`]: a KMS host's SRV record added and removed by RFC 2136 dynamic update,
//!   signed with TSIG (RFC 8945), keys read by [`tsig_key`] from BIND key files.
//! - [`addr`]: DNS server addresses and lists as the CLI and the bindings take them.
//! - [`probe`]: is anything listening on a KMS host's TCP port? (connect only).
//!
//! Every socket operation has a deadline, every failure is a typed error, and nothing here
//! ever answers or sends a KMS request.
//!
//! ```no_run
//! use volact_net::resolver::Resolver;
//! let resolver = Resolver::from_system()?;
//! let found = resolver.resolve_srv("_vlmcs._tcp.contoso.com")?;
//! for t in &found.targets {
//!     println!("{} {} {}:{} {:?}", t.record.priority, t.record.weight, t.record.target, t.record.port, t.addresses);
//! }
//! # Ok::<(), volact_net::resolver::ResolveError>(())
//! ```
#![forbid(unsafe_code)]

pub mod addr;
pub mod probe;
pub mod publish;
pub mod resolver;
pub mod transport;
pub mod tsig_key;

pub use publish::{Publisher, UpdateError};
pub use resolver::{ResolveError, Resolver, SrvResolution, SrvTarget};
pub use tsig_key::{KeyFileError, TsigKey};
