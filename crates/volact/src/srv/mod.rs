//! KMS discovery through DNS SRV records (`_vlmcs._tcp`): record values, a host's
//! `DnsDomainPublishList`, the topology planner, RFC 2782 ordering and the KMS client's
//! discovery order, and the DNS messages that carry them.
//!
//! Everything here is pure: no sockets, no clock, and randomness only through [`Random`], so
//! every ordering is reproducible from a seed. `volact-net` does the wire.
//!
//! Sources: facts.md §4.2 (host publishing), §4.3 (client discovery); RFC 2782 (SRV);
//! RFC 2136 (dynamic update).

pub mod discovery;
pub mod input;
pub mod message;
pub mod order;
pub mod plan;
pub mod publish_list;
pub mod random;
pub mod record;
pub mod resolv_conf;

pub use random::{Random, SeededRandom};
pub use record::{SrvAnswer, SrvLookup, SrvRecord, SrvRecordError};
