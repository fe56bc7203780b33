//! RFC 2136 dynamic UPDATE messages for a KMS host's `_vlmcs._tcp` SRV records.
//!
//! - Publish = "Add To An RRset" (RFC 2136 §2.5.1) with no prerequisite, so other hosts'
//!   records at the same owner stay (hickory's `append` with `must_exist = false`; its `create`
//!   would require the RRset to be absent and fail on the second host).
//! - Withdraw = "Delete An RR From An RRset" (§2.5.4), one update RR per record, matched by
//!   its full rdata. Removing every record whose target is a host needs the RRset first: read
//!   it with a query, pick the records with [`records_with_target`], then delete those.
//!
//! The zone check (the owner at or below the zone, §3.4.1.3) is done here first so a wrong
//! pair is a typed [`MessageError::OutsideZone`] and never reaches hickory's `assert!`.
//! Signing (TSIG, RFC 8945) is left to the caller on [`Update::message_mut`].

use hickory_proto::op::{Message, update_message};
use hickory_proto::rr::rdata::SRV;
use hickory_proto::rr::{Name, RData, Record, RecordSet, RecordType};

use super::{MessageError, encode, parse_name, same_name};
use crate::srv::SrvRecord;

/// A TTL volact uses for published records: one hour. Microsoft does not document the TTL a
/// KMS host uses (facts.md §4.2); this is volact's choice, short next to the 24 h
/// re-registration so a withdrawn host leaves caches within an hour.
pub const DEFAULT_TTL: u32 = 3600;

/// An UPDATE message ready to be signed and sent.
#[derive(Clone, Debug)]
pub struct Update {
    message: Message,
}

impl Update {
    /// Add `record` at `owner` in `zone` with `ttl` (RFC 2136 §2.5.1).
    ///
    /// ```
    /// use volact::srv::{message::update::Update, SrvRecord};
    /// let rec = SrvRecord { priority: 0, weight: 0, port: 1688, target: "kms1.contoso.com".into() };
    /// let u = Update::publish(7, "contoso.com", "_vlmcs._tcp.contoso.com", &rec, 3600)?;
    /// assert!(!u.to_bytes()?.is_empty());
    /// assert!(Update::publish(7, "fabrikam.com", "_vlmcs._tcp.contoso.com", &rec, 3600).is_err());
    /// # Ok::<(), volact::srv::message::MessageError>(())
    /// ```
    pub fn publish(
        id: u16,
        zone: &str,
        owner: &str,
        record: &SrvRecord,
        ttl: u32,
    ) -> Result<Self, MessageError> {
        let (zone_name, owner_name) = zone_and_owner(zone, owner)?;
        let rrset = RecordSet::from(srv_record(&owner_name, ttl, record)?);
        let mut message = update_message::append(rrset, zone_name, false, true);
        message.metadata.id = id;
        Ok(Self { message })
    }

    /// Delete each of `records` at `owner` in `zone`, matched by rdata (RFC 2136 §2.5.4).
    /// Records that do not exist are ignored by the server.
    pub fn withdraw(
        id: u16,
        zone: &str,
        owner: &str,
        records: &[SrvRecord],
    ) -> Result<Self, MessageError> {
        let (zone_name, owner_name) = zone_and_owner(zone, owner)?;
        let Some((first, rest)) = records.split_first() else {
            return Err(MessageError::NothingToDelete {
                owner: owner.to_owned(),
            });
        };
        let mut rrset = RecordSet::from(srv_record(&owner_name, 0, first)?);
        for r in rest {
            rrset.add_rdata(srv_rdata(r)?);
        }
        let mut message = update_message::delete_by_rdata(rrset, zone_name, true);
        message.metadata.id = id;
        Ok(Self { message })
    }

    /// The message id.
    pub fn id(&self) -> u16 {
        self.message.metadata.id
    }

    /// The hickory message, for inspection.
    pub fn message(&self) -> &Message {
        &self.message
    }

    /// The hickory message, to sign it (`Message::finalize` with a TSIG signer).
    pub fn message_mut(&mut self) -> &mut Message {
        &mut self.message
    }

    /// The wire form.
    pub fn to_bytes(&self) -> Result<Vec<u8>, MessageError> {
        encode(&self.message)
    }
}

/// The records whose target is `host` (case-insensitive, trailing dot ignored): what
/// "withdraw host H" deletes.
pub fn records_with_target(records: &[SrvRecord], host: &str) -> Vec<SrvRecord> {
    records
        .iter()
        .filter(|r| same_name(&r.target, host))
        .cloned()
        .collect()
}

fn zone_and_owner(zone: &str, owner: &str) -> Result<(Name, Name), MessageError> {
    let zone_name = parse_name(zone)?;
    let owner_name = parse_name(owner)?;
    if !zone_name.zone_of(&owner_name) {
        return Err(MessageError::OutsideZone {
            owner: owner.trim_end_matches('.').to_owned(),
            zone: zone.trim_end_matches('.').to_owned(),
        });
    }
    Ok((zone_name, owner_name))
}

fn srv_rdata(r: &SrvRecord) -> Result<RData, MessageError> {
    Ok(RData::SRV(SRV::new(
        r.priority,
        r.weight,
        r.port,
        parse_name(&r.target)?,
    )))
}

fn srv_record(owner: &Name, ttl: u32, r: &SrvRecord) -> Result<Record, MessageError> {
    let rec = Record::from_rdata(owner.clone(), ttl, srv_rdata(r)?);
    debug_assert_eq!(rec.record_type(), RecordType::SRV);
    Ok(rec)
}
