//! DNS wire messages for KMS discovery and publishing, built and read through `hickory-proto`.
//!
//! - Queries (RFC 1035 §4.1) for SRV (RFC 2782), A, AAAA and CNAME, with an EDNS0 OPT record
//!   (RFC 6891) advertising [`EDNS_PAYLOAD`] bytes so a large `_vlmcs._tcp` RRset fits in one
//!   UDP datagram where the path allows it.
//! - Responses decoded into a typed [`Response`]: the RCODE (with the EDNS extended bits and the
//!   TSIG error of RFC 8945 §5.3 kept apart), every section as [`ResourceRecord`]s, the
//!   truncation (TC) bit, and helpers for the CNAME chain on a name and the addresses of an
//!   SRV target found in the answer or additional section.
//! - [`Response::matches`]: a response is only an answer to our query when the id and the
//!   question are the same (RFC 5452 §4.1), so a resolver can drop stray or spoofed datagrams.
//! - RFC 2136 UPDATE messages ([`update`]) adding or deleting `_vlmcs._tcp` SRV records.
//!
//! Pure: no sockets, no clock, no randomness (the caller picks the message id). TSIG signing
//! needs a clock and a MAC implementation, so it happens in `volact-net` on the hickory
//! [`Message`] an [`update::Update`] exposes.
//!
//! Names are kept as absolute names without the trailing dot (`.` alone is the root), in the
//! case the server sent them, and compared case-insensitively (RFC 1035 §2.3.3, RFC 4343).

pub mod update;

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use hickory_proto::op::{Edns, Message, MessageType, OpCode, Query};
use hickory_proto::rr::{Name, RData, Record, RecordType};

use super::SrvRecord;

/// The EDNS0 UDP payload size volact advertises: 1232 bytes, the DNS Flag Day 2020 value that
/// avoids IP fragmentation on common paths (RFC 9715 §3); larger answers come over TCP.
pub const EDNS_PAYLOAD: u16 = 1232;

/// How many CNAME hops are followed on a queried name before giving up; glibc and most stub
/// resolvers stop around this depth, and a KMS record never needs more than one.
pub const MAX_CNAME_CHAIN: usize = 8;

/// The record types volact asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum QueryType {
    /// SRV (RFC 2782), type 33.
    Srv,
    /// IPv4 address, type 1.
    A,
    /// IPv6 address (RFC 3596), type 28.
    Aaaa,
    /// Canonical name, type 5.
    Cname,
    /// Any other type, by its number (seen only in responses).
    Other(u16),
}

impl QueryType {
    /// The type number on the wire.
    pub fn code(self) -> u16 {
        match self {
            QueryType::Srv => 33,
            QueryType::A => 1,
            QueryType::Aaaa => 28,
            QueryType::Cname => 5,
            QueryType::Other(c) => c,
        }
    }

    /// The type for a number; unknown numbers become [`QueryType::Other`].
    pub fn from_code(code: u16) -> Self {
        match code {
            33 => QueryType::Srv,
            1 => QueryType::A,
            28 => QueryType::Aaaa,
            5 => QueryType::Cname,
            c => QueryType::Other(c),
        }
    }

    fn record_type(self) -> RecordType {
        RecordType::from(self.code())
    }
}

impl fmt::Display for QueryType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            QueryType::Srv => f.write_str("SRV"),
            QueryType::A => f.write_str("A"),
            QueryType::Aaaa => f.write_str("AAAA"),
            QueryType::Cname => f.write_str("CNAME"),
            QueryType::Other(c) => write!(f, "TYPE{c}"),
        }
    }
}

/// One question: an absolute name (no trailing dot) and a type, class IN.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Question {
    /// The name asked about.
    pub name: String,
    /// The type asked for.
    pub qtype: QueryType,
}

impl Question {
    /// A question for `name` (with or without the trailing dot).
    pub fn new(name: &str, qtype: QueryType) -> Self {
        Self {
            name: trim_dot(name).to_owned(),
            qtype,
        }
    }

    /// Same name (ignoring ASCII case, RFC 4343) and same type.
    pub fn same_as(&self, other: &Question) -> bool {
        self.qtype == other.qtype && same_name(&self.name, &other.name)
    }
}

impl fmt::Display for Question {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.name, self.qtype)
    }
}

/// A response code: the 4 header bits plus the 8 EDNS extended bits (RFC 6891 §6.1.3).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Rcode {
    /// 0: no error.
    NoError,
    /// 1: the server could not interpret the query.
    FormErr,
    /// 2: server failure.
    ServFail,
    /// 3: the name does not exist.
    NxDomain,
    /// 4: not implemented.
    NotImp,
    /// 5: refused by policy (for an UPDATE: the client may not update this zone, RFC 2136 §2.2).
    Refused,
    /// 6: a name that must not exist does (RFC 2136).
    YxDomain,
    /// 7: an RRset that must not exist does (RFC 2136).
    YxRrSet,
    /// 8: an RRset that must exist does not (RFC 2136).
    NxRrSet,
    /// 9: not authoritative for the zone, or (with TSIG) not authorized (RFC 8945 §5.3).
    NotAuth,
    /// 10: a name in the update is outside the zone (RFC 2136).
    NotZone,
    /// Any other code.
    Other(u16),
}

impl Rcode {
    /// The code for a number.
    pub fn from_code(code: u16) -> Self {
        match code {
            0 => Rcode::NoError,
            1 => Rcode::FormErr,
            2 => Rcode::ServFail,
            3 => Rcode::NxDomain,
            4 => Rcode::NotImp,
            5 => Rcode::Refused,
            6 => Rcode::YxDomain,
            7 => Rcode::YxRrSet,
            8 => Rcode::NxRrSet,
            9 => Rcode::NotAuth,
            10 => Rcode::NotZone,
            c => Rcode::Other(c),
        }
    }

    /// The number.
    pub fn code(self) -> u16 {
        match self {
            Rcode::NoError => 0,
            Rcode::FormErr => 1,
            Rcode::ServFail => 2,
            Rcode::NxDomain => 3,
            Rcode::NotImp => 4,
            Rcode::Refused => 5,
            Rcode::YxDomain => 6,
            Rcode::YxRrSet => 7,
            Rcode::NxRrSet => 8,
            Rcode::NotAuth => 9,
            Rcode::NotZone => 10,
            Rcode::Other(c) => c,
        }
    }
}

impl fmt::Display for Rcode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = match self {
            Rcode::NoError => "NOERROR",
            Rcode::FormErr => "FORMERR",
            Rcode::ServFail => "SERVFAIL",
            Rcode::NxDomain => "NXDOMAIN",
            Rcode::NotImp => "NOTIMP",
            Rcode::Refused => "REFUSED",
            Rcode::YxDomain => "YXDOMAIN",
            Rcode::YxRrSet => "YXRRSET",
            Rcode::NxRrSet => "NXRRSET",
            Rcode::NotAuth => "NOTAUTH",
            Rcode::NotZone => "NOTZONE",
            Rcode::Other(c) => return write!(f, "RCODE{c}"),
        };
        f.write_str(name)
    }
}

/// The mnemonic of a TSIG error code (RFC 8945 §5.3 and the IANA registry).
pub fn tsig_error_name(code: u16) -> String {
    match code {
        0 => "NOERROR".into(),
        16 => "BADSIG".into(),
        17 => "BADKEY".into(),
        18 => "BADTIME".into(),
        22 => "BADTRUNC".into(),
        c => format!("TSIG error {c}"),
    }
}

/// The TSIG record a response carried (RFC 8945 §4.2), unverified.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TsigStatus {
    /// The key name.
    pub key_name: String,
    /// The TSIG error field: 0, or BADSIG (16), BADKEY (17), BADTIME (18)…
    pub error: u16,
}

/// A record's data, for the types volact reads.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum RecordData {
    /// An SRV record.
    Srv(SrvRecord),
    /// An IPv4 address.
    A(Ipv4Addr),
    /// An IPv6 address.
    Aaaa(Ipv6Addr),
    /// An alias: the canonical name, without the trailing dot.
    Cname(String),
    /// Any other type, by number; its data is not kept.
    Other(u16),
}

/// One resource record of a response.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResourceRecord {
    /// The owner name, without the trailing dot.
    pub owner: String,
    /// Time to live in seconds.
    pub ttl: u32,
    /// The data.
    pub data: RecordData,
}

/// A decoded DNS response.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Response {
    /// The message id.
    pub id: u16,
    /// The response code, including the EDNS extended bits.
    pub rcode: Rcode,
    /// TC: the answer did not fit and must be asked again over TCP (RFC 1035 §4.2.1, RFC 7766).
    pub truncated: bool,
    /// AA: the answer comes from an authoritative server.
    pub authoritative: bool,
    /// The question section (one question in practice).
    pub questions: Vec<Question>,
    /// The answer section (for an UPDATE: the prerequisites).
    pub answers: Vec<ResourceRecord>,
    /// The authority section.
    pub authorities: Vec<ResourceRecord>,
    /// The additional section, without the OPT and TSIG records.
    pub additionals: Vec<ResourceRecord>,
    /// The UDP payload size the server advertised in its OPT record, if it sent one.
    pub edns_payload: Option<u16>,
    /// The TSIG record, if the response was signed or reports a TSIG error.
    pub tsig: Option<TsigStatus>,
}

/// Why a message could not be built or read.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum MessageError {
    /// A name is not a valid DNS name (RFC 1035 §2.3.4: labels of 1–63 octets, 255 in all).
    #[error("`{name}` is not a valid DNS name: {reason}")]
    BadName {
        /// The name as given.
        name: String,
        /// What hickory-proto objected to.
        reason: String,
    },
    /// The message could not be encoded.
    #[error("cannot encode the DNS message: {0}")]
    Encode(String),
    /// The bytes are not a well-formed DNS message.
    #[error("malformed DNS message: {0}")]
    Decode(String),
    /// The bytes are a query, not a response (QR bit clear).
    #[error("the DNS message is a query, not a response")]
    NotAResponse,
    /// An UPDATE may only touch names at or below its zone (RFC 2136 §3.4.1.3).
    #[error(
        "`{owner}` is not in zone `{zone}`: an update can only change names at or below its zone"
    )]
    OutsideZone {
        /// The record owner.
        owner: String,
        /// The zone the update was for.
        zone: String,
    },
    /// A delete update was asked for with no record to delete.
    #[error("no SRV record to delete at `{owner}`")]
    NothingToDelete {
        /// The record owner.
        owner: String,
    },
    /// A CNAME chain on a queried name loops or is longer than [`MAX_CNAME_CHAIN`].
    #[error("the CNAME chain from `{name}` {problem}")]
    CnameChain {
        /// The name the chain starts at.
        name: String,
        /// "loops" or "is longer than 8 aliases".
        problem: String,
    },
}

/// Why a well-formed response is not the answer to our query.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Mismatch {
    /// Another message id: a stray or spoofed response.
    #[error("response id {got} is not the query id {expected}")]
    Id {
        /// The query's id.
        expected: u16,
        /// The response's id.
        got: u16,
    },
    /// Same id, another question.
    #[error("response question {got} is not the query {expected}")]
    Question {
        /// The question asked.
        expected: Question,
        /// The question echoed ("none" when the section was empty or held several).
        got: String,
    },
}

/// A query message for `name`/`qtype`, class IN, recursion desired (we are a stub resolver,
/// RFC 1123 §6.1.3.1), with an EDNS0 OPT record when `edns_payload` is given.
///
/// ```
/// use volact::srv::message::{self, QueryType, EDNS_PAYLOAD};
/// let bytes = message::query(0x1234, "_vlmcs._tcp.contoso.com", QueryType::Srv, Some(EDNS_PAYLOAD))?;
/// assert_eq!(&bytes[..2], &[0x12, 0x34]);
/// # Ok::<(), message::MessageError>(())
/// ```
pub fn query(
    id: u16,
    name: &str,
    qtype: QueryType,
    edns_payload: Option<u16>,
) -> Result<Vec<u8>, MessageError> {
    let mut m = Message::new(id, MessageType::Query, OpCode::Query);
    m.metadata.recursion_desired = true;
    m.add_query(Query::query(parse_name(name)?, qtype.record_type()));
    if let Some(payload) = edns_payload {
        let mut edns = Edns::new();
        // RFC 6891 §6.2.5: values below 512 are treated as 512.
        edns.set_max_payload(payload.max(512)).set_version(0);
        m.set_edns(edns);
    }
    encode(&m)
}

/// Decode a response. Fails on malformed bytes and on a query (QR clear); never panics.
pub fn parse_response(bytes: &[u8]) -> Result<Response, MessageError> {
    let m = Message::from_vec(bytes).map_err(|e| MessageError::Decode(e.to_string()))?;
    if m.metadata.message_type != MessageType::Response {
        return Err(MessageError::NotAResponse);
    }
    Ok(Response {
        id: m.metadata.id,
        // hickory merges the EDNS high bits into response_code when it reads the OPT record.
        rcode: Rcode::from_code(u16::from(m.metadata.response_code)),
        truncated: m.metadata.truncation,
        authoritative: m.metadata.authoritative,
        questions: m
            .queries
            .iter()
            .map(|q| Question {
                name: name_text(&q.name),
                qtype: QueryType::from_code(u16::from(q.query_type)),
            })
            .collect(),
        answers: m.answers.iter().map(resource_record).collect(),
        authorities: m.authorities.iter().map(resource_record).collect(),
        additionals: m.additionals.iter().map(resource_record).collect(),
        edns_payload: m.edns.as_ref().map(Edns::max_payload),
        tsig: m.signature.as_ref().map(|sig| TsigStatus {
            key_name: name_text(&sig.name),
            error: sig.data.error.map_or(0, u16::from),
        }),
    })
}

impl Response {
    /// Whether this response answers the query `id`/`question`: same id, and exactly one
    /// question equal to ours (RFC 5452 §4.1). A resolver drops responses that do not.
    pub fn matches(&self, id: u16, question: &Question) -> Result<(), Mismatch> {
        if self.id != id {
            return Err(Mismatch::Id {
                expected: id,
                got: self.id,
            });
        }
        match self.questions.as_slice() {
            [q] if q.same_as(question) => Ok(()),
            [q] => Err(Mismatch::Question {
                expected: question.clone(),
                got: q.to_string(),
            }),
            _ => Err(Mismatch::Question {
                expected: question.clone(),
                got: "none".into(),
            }),
        }
    }

    /// The CNAME target of `name` in the answer section, if any.
    pub fn cname_of(&self, name: &str) -> Option<&str> {
        self.answers.iter().find_map(|r| match &r.data {
            RecordData::Cname(target) if same_name(&r.owner, name) => Some(target.as_str()),
            _ => None,
        })
    }

    /// Follow the CNAME chain from `name` through the answer section (RFC 1034 §3.6.2):
    /// returns the aliases passed through, in order, and the name at the end of the chain.
    /// An empty list means `name` is not an alias here. Loops and chains longer than
    /// [`MAX_CNAME_CHAIN`] are errors.
    pub fn cname_chain(&self, name: &str) -> Result<(Vec<String>, String), MessageError> {
        let mut aliases: Vec<String> = Vec::new();
        let mut current = trim_dot(name).to_owned();
        while let Some(next) = self.cname_of(&current) {
            if aliases.len() == MAX_CNAME_CHAIN {
                return Err(MessageError::CnameChain {
                    name: trim_dot(name).to_owned(),
                    problem: format!("is longer than {MAX_CNAME_CHAIN} aliases"),
                });
            }
            if same_name(next, name) || aliases.iter().any(|a| same_name(a, next)) {
                return Err(MessageError::CnameChain {
                    name: trim_dot(name).to_owned(),
                    problem: "loops".into(),
                });
            }
            aliases.push(current);
            current = next.to_owned();
        }
        Ok((aliases, current))
    }

    /// The SRV records owned by `owner` in the answer section, in wire order.
    pub fn srv_records(&self, owner: &str) -> Vec<SrvRecord> {
        self.answers
            .iter()
            .filter(|r| same_name(&r.owner, owner))
            .filter_map(|r| match &r.data {
                RecordData::Srv(s) => Some(s.clone()),
                _ => None,
            })
            .collect()
    }

    /// The A and AAAA addresses of `name` found in the answer and additional sections (RFC
    /// 2782 suggests servers add the targets' addresses to an SRV response).
    pub fn addresses(&self, name: &str) -> Vec<IpAddr> {
        let mut out = Vec::new();
        for r in self.answers.iter().chain(&self.additionals) {
            if !same_name(&r.owner, name) {
                continue;
            }
            let ip = match r.data {
                RecordData::A(a) => IpAddr::V4(a),
                RecordData::Aaaa(a) => IpAddr::V6(a),
                _ => continue,
            };
            if !out.contains(&ip) {
                out.push(ip);
            }
        }
        out
    }
}

/// Whether two names are the same, ignoring ASCII case and a trailing dot (RFC 4343).
pub fn same_name(a: &str, b: &str) -> bool {
    trim_dot(a).eq_ignore_ascii_case(trim_dot(b))
}

/// `name` without its trailing dot, except for the root `.`.
fn trim_dot(name: &str) -> &str {
    match name.strip_suffix('.') {
        Some("") | None => name,
        Some(rest) => rest,
    }
}

/// Parse a name as absolute (a trailing dot is optional: volact's names are always absolute).
fn parse_name(name: &str) -> Result<Name, MessageError> {
    let bad = |reason: String| MessageError::BadName {
        name: name.to_owned(),
        reason,
    };
    if name.is_empty() {
        return Err(bad("empty".into()));
    }
    let text = if name.ends_with('.') {
        name.to_owned()
    } else {
        format!("{name}.")
    };
    let parsed = Name::from_ascii(&text).map_err(|e| bad(e.to_string()))?;
    // hickory accepts some names it cannot encode (a label over 63 octets); refuse them here
    // so the error names the input rather than surfacing as an encoding failure.
    if parsed.len() > 255 || text.split('.').any(|l| l.len() > 63) {
        return Err(bad(
            "a label is longer than 63 octets or the name longer than 255".into(),
        ));
    }
    Ok(parsed)
}

/// A hickory name as volact text: ASCII form (IDNs stay as `xn--`), no trailing dot.
fn name_text(name: &Name) -> String {
    let s = name.to_ascii();
    trim_dot(&s).to_owned()
}

fn resource_record(r: &Record) -> ResourceRecord {
    let data = match &r.data {
        RData::SRV(s) => RecordData::Srv(SrvRecord {
            priority: s.priority,
            weight: s.weight,
            port: s.port,
            target: name_text(&s.target),
        }),
        RData::A(a) => RecordData::A(a.0),
        RData::AAAA(a) => RecordData::Aaaa(a.0),
        RData::CNAME(c) => RecordData::Cname(name_text(&c.0)),
        other => RecordData::Other(u16::from(other.record_type())),
    };
    ResourceRecord {
        owner: name_text(&r.name),
        ttl: r.ttl,
        data,
    }
}

fn encode(m: &Message) -> Result<Vec<u8>, MessageError> {
    m.to_vec().map_err(|e| MessageError::Encode(e.to_string()))
}

#[cfg(test)]
mod tests;
