//! Publishing and withdrawing a KMS host's `_vlmcs._tcp` SRV record by RFC 2136 dynamic
//! update, signed with TSIG (RFC 8945), as a KMS host registers itself every 24 h
//! (facts.md §4.2).
//!
//! The update goes to one server (the zone's primary, or any server that forwards updates)
//! over UDP, over TCP when the answer is truncated. The response's TSIG is verified, so a
//! NOERROR that does not come from a holder of the key is not believed. Refusals are typed:
//! REFUSED (the server does not let this key update the zone), NOTAUTH with a TSIG error
//! (BADSIG: wrong secret; BADKEY: unknown key name; BADTIME: clocks apart), NOTZONE.
//!
//! The TTL of published records defaults to [`DEFAULT_TTL`] (one hour). Microsoft does not
//! document the TTL a KMS host uses; one hour is volact's choice.

use std::net::SocketAddr;
use std::time::{Duration, SystemTime};

use hickory_proto::rr::rdata::tsig::TsigAlgorithm as HickoryAlgorithm;
use hickory_proto::rr::{Name, TSigner};
use volact_core::srv::SrvRecord;
use volact_core::srv::message::update::{Update, records_with_target};
use volact_core::srv::message::{MessageError, QueryType, Question, Rcode, tsig_error_name};
use volact_core::srv::record::{KMS_PORT, owner_name};

pub use volact_core::srv::message::update::DEFAULT_TTL;

use crate::resolver::{ResolveError, Resolver};
use crate::transport::{self, TransportError};
use crate::tsig_key::{TsigAlgorithm, TsigKey};

/// The TSIG fudge: how far apart our clock and the server's may be (RFC 8945 §10 suggests
/// 300 s).
const FUDGE_SECS: u16 = 300;

/// Why an update failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum UpdateError {
    /// The update could not be built (bad name, owner outside the zone…).
    #[error(transparent)]
    Message(#[from] MessageError),
    /// The server refused: it does not allow key `key` to update zone `zone`.
    #[error(
        "{server} refused the update of zone `{zone}` (REFUSED): key `{key}` may not update it"
    )]
    Refused {
        /// The server.
        server: SocketAddr,
        /// The zone.
        zone: String,
        /// The key name.
        key: String,
    },
    /// TSIG failed (NOTAUTH with BADSIG, BADKEY or BADTIME).
    #[error("{server} rejected TSIG key `{key}` for zone `{zone}` (NOTAUTH/{tsig}): {hint}")]
    Tsig {
        /// The server.
        server: SocketAddr,
        /// The zone.
        zone: String,
        /// The key name.
        key: String,
        /// The TSIG error mnemonic.
        tsig: String,
        /// What to check.
        hint: &'static str,
    },
    /// NOTAUTH without a TSIG error: the server is not authoritative for the zone.
    #[error(
        "{server} is not authoritative for zone `{zone}` (NOTAUTH): send the update to the zone's primary"
    )]
    NotAuthoritative {
        /// The server.
        server: SocketAddr,
        /// The zone.
        zone: String,
    },
    /// NOTZONE: the server's zone `zone` does not contain the owner (RFC 2136 §3.4.1.3).
    #[error("{server}: `{owner}` is not in zone `{zone}` (NOTZONE)")]
    NotZone {
        /// The server.
        server: SocketAddr,
        /// The zone.
        zone: String,
        /// The record owner.
        owner: String,
    },
    /// Any other error RCODE.
    #[error("{server} answered {rcode} to the update of zone `{zone}`")]
    Rcode {
        /// The server.
        server: SocketAddr,
        /// The zone.
        zone: String,
        /// The RCODE.
        rcode: Rcode,
    },
    /// The server's answer is not signed with our key: it cannot be trusted.
    #[error(
        "the answer from {server} for zone `{zone}` does not carry a valid TSIG signature of key `{key}`: {reason}"
    )]
    BadResponseSignature {
        /// The server.
        server: SocketAddr,
        /// The zone.
        zone: String,
        /// The key name.
        key: String,
        /// What failed.
        reason: String,
    },
    /// Signing failed (the key cannot be used with hickory's HMAC).
    #[error("cannot sign with TSIG key `{key}`: {reason}")]
    Sign {
        /// The key name.
        key: String,
        /// hickory's reason.
        reason: String,
    },
    /// The system clock is before 1970: TSIG needs the time.
    #[error("the system clock is before 1970; TSIG needs the current time")]
    Clock,
    /// No answer from the server.
    #[error("update of zone `{zone}`: {source}")]
    Transport {
        /// The zone.
        zone: String,
        /// What happened.
        source: TransportError,
    },
    /// Reading the RRset before a withdrawal failed.
    #[error("reading the SRV records before withdrawing: {0}")]
    Lookup(#[from] ResolveError),
}

/// Sends signed updates for one server and one key.
#[derive(Clone, Debug)]
pub struct Publisher {
    server: SocketAddr,
    /// `None`: unsigned updates, for zones that allow updates by address (BIND
    /// `allow-update { 127.0.0.1; }`). Windows DNS takes only secure (GSS-TSIG) updates from
    /// KMS hosts in AD-integrated zones; volact signs with TSIG whenever a key is given.
    key: Option<TsigKey>,
    timeout: Duration,
    ttl: u32,
}

impl Publisher {
    /// Updates go to `server`, signed with `key`; 5 s timeout, TTL [`DEFAULT_TTL`].
    pub fn new(server: SocketAddr, key: TsigKey) -> Self {
        Self {
            server,
            key: Some(key),
            timeout: Duration::from_secs(5),
            ttl: DEFAULT_TTL,
        }
    }

    /// Unsigned updates to `server` (a zone that allows updates by source address).
    pub fn unsigned(server: SocketAddr) -> Self {
        Self {
            server,
            key: None,
            timeout: Duration::from_secs(5),
            ttl: DEFAULT_TTL,
        }
    }

    /// Wait at most `timeout` for each answer (at least 1 ms).
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout.max(Duration::from_millis(1));
        self
    }

    /// The TTL of published records.
    pub fn with_ttl(mut self, ttl: u32) -> Self {
        self.ttl = ttl;
        self
    }

    /// Add `record` at `_vlmcs._tcp.<domain>` in `zone` (the zone is usually `domain` itself,
    /// or a parent of it). Other records there stay; adding a record that exists is a no-op.
    pub fn publish(&self, zone: &str, domain: &str, record: &SrvRecord) -> Result<(), UpdateError> {
        let update = Update::publish(
            transport::random_id(),
            zone,
            &owner_name(domain),
            record,
            self.ttl,
        )?;
        self.send(zone, &owner_name(domain), update)
    }

    /// Withdraw `host`'s record(s) at `_vlmcs._tcp.<domain>`: with `priority_weight`, exactly
    /// `priority weight 1688 host`; without, every record whose target is `host` (the RRset is
    /// read from the same server first, then each is deleted by rdata). Returns what was
    /// deleted (empty when there was nothing to delete; no update is sent then).
    pub fn withdraw(
        &self,
        zone: &str,
        domain: &str,
        host: &str,
        priority_weight: Option<(u16, u16)>,
    ) -> Result<Vec<SrvRecord>, UpdateError> {
        let owner = owner_name(domain);
        let records = match priority_weight {
            Some((priority, weight)) => vec![SrvRecord {
                priority,
                weight,
                port: KMS_PORT,
                target: host.trim_end_matches('.').to_owned(),
            }],
            None => {
                let resolver = Resolver::new(vec![self.server])
                    .with_timeout(self.timeout)
                    .with_attempts(1);
                let answer = resolver.query(&owner, QueryType::Srv)?;
                records_with_target(&answer.response.srv_records(&owner), host)
            }
        };
        if records.is_empty() {
            return Ok(records);
        }
        let update = Update::withdraw(transport::random_id(), zone, &owner, &records)?;
        self.send(zone, &owner, update)?;
        Ok(records)
    }

    /// Signs `update` with `key` at the current time; returns the verifier for the answer.
    fn sign(
        &self,
        key: &TsigKey,
        update: &mut Update,
        key_name: &str,
    ) -> Result<Option<hickory_proto::rr::TSigVerifier>, UpdateError> {
        let sign_err = |reason: String| UpdateError::Sign {
            key: key_name.to_owned(),
            reason,
        };
        let algorithm = match key.algorithm() {
            TsigAlgorithm::HmacSha256 => HickoryAlgorithm::HmacSha256,
            TsigAlgorithm::HmacSha384 => HickoryAlgorithm::HmacSha384,
            TsigAlgorithm::HmacSha512 => HickoryAlgorithm::HmacSha512,
        };
        let name = Name::from_ascii(format!("{key_name}.")).map_err(|e| sign_err(e.to_string()))?;
        let signer = TSigner::new(key.secret().to_vec(), algorithm, name, FUDGE_SECS)
            .map_err(|e| sign_err(e.to_string()))?;
        let now = SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .map_err(|_| UpdateError::Clock)?
            .as_secs();
        update
            .message_mut()
            .finalize(&signer, now)
            .map_err(|e| sign_err(e.to_string()))
    }

    /// Withdraw exactly `record` at `_vlmcs._tcp.<domain>` (any port), whether or not it is
    /// there: RFC 2136 §2.5.4 deletes by rdata, and deleting an absent record is a no-op.
    pub fn withdraw_record(
        &self,
        zone: &str,
        domain: &str,
        record: &SrvRecord,
    ) -> Result<(), UpdateError> {
        let owner = owner_name(domain);
        let update = Update::withdraw(
            transport::random_id(),
            zone,
            &owner,
            std::slice::from_ref(record),
        )?;
        self.send(zone, &owner, update)
    }

    fn send(&self, zone: &str, owner: &str, mut update: Update) -> Result<(), UpdateError> {
        let key_name = self.key.as_ref().map_or_else(
            || "(none: unsigned update)".to_owned(),
            |k| k.name().to_owned(),
        );
        let verifier = match &self.key {
            Some(key) => self.sign(key, &mut update, &key_name)?,
            None => None,
        };
        let bytes = update.to_bytes()?;
        let id = update.id();
        // The response echoes the zone section: the zone, type SOA (RFC 2136 §3.8).
        let question = Question::new(zone, QueryType::from_code(6));
        let x = transport::exchange(self.server, &bytes, id, &question, self.timeout).map_err(
            |source| UpdateError::Transport {
                zone: zone.to_owned(),
                source,
            },
        )?;
        let server = self.server;
        let zone = zone.trim_end_matches('.').to_owned();
        let tsig_error = x.response.tsig.as_ref().map_or(0, |t| t.error);
        match x.response.rcode {
            Rcode::NoError => {}
            Rcode::Refused => {
                return Err(UpdateError::Refused {
                    server,
                    zone,
                    key: key_name,
                });
            }
            Rcode::NotAuth if tsig_error != 0 => {
                let hint = match tsig_error {
                    16 => "the secret does not match the server's key of that name",
                    17 => "the server knows no key of that name",
                    18 => "our clock and the server's differ by more than 5 minutes",
                    _ => "check the key name, algorithm and secret",
                };
                return Err(UpdateError::Tsig {
                    server,
                    zone,
                    key: key_name,
                    tsig: tsig_error_name(tsig_error),
                    hint,
                });
            }
            Rcode::NotAuth => return Err(UpdateError::NotAuthoritative { server, zone }),
            Rcode::NotZone => {
                return Err(UpdateError::NotZone {
                    server,
                    zone,
                    owner: owner.to_owned(),
                });
            }
            rcode => {
                return Err(UpdateError::Rcode {
                    server,
                    zone,
                    rcode,
                });
            }
        }
        // A success must be signed by the server with our key (RFC 8945 §5.3).
        let Some(mut verifier) = verifier else {
            return Ok(());
        };
        verifier
            .verify(&x.bytes)
            .map(|_| ())
            .map_err(|e| UpdateError::BadResponseSignature {
                server,
                zone,
                key: key_name,
                reason: e.to_string(),
            })
    }
}
