//! Extended product IDs: WMI `ProductKeyID`, slmgr's "Extended PID", the KMS host ePID a
//! client reports.
//!
//! Layout `PPPPP-GGGGG-SSS-SSSSSS-CC-LLLL-B.B-DDDYYYY` (facts.md §2.3, samples from the
//! Office KMS host documentation and published `slmgr /dlv` outputs):
//!
//! | field | meaning |
//! |---|---|
//! | `PPPPP` | platform (host OS) id |
//! | `GGGGG` | key group id, zero-padded: the pkey2009 group of the installed key |
//! | `SSS-SSSSSS` | serial (3 + 6 digits) |
//! | `CC` | channel code: 02 OEM and 03 Volume are the ones seen |
//! | `LLLL` | locale id (LCID), decimal |
//! | `B.B` | build of the licensing component, e.g. `9200.0000` |
//! | `DDDYYYY` | day of the year and year the key was installed |
//!
//! ```
//! use volact::epid::Epid;
//! let e = Epid::parse("03612-03305-317-008912-02-1033-9200.0000-0662023")?;
//! assert_eq!((e.group_id, e.channel, e.lcid), (3305, 2, 1033));
//! assert_eq!((e.install_day, e.install_year), (66, 2023));
//! assert_eq!(e.to_string(), "03612-03305-317-008912-02-1033-9200.0000-0662023");
//! # Ok::<(), volact::epid::EpidError>(())
//! ```

use crate::key::ProductKey;
use std::fmt;

/// A parsed extended product ID.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct Epid {
    /// `PPPPP`: platform id.
    pub platform: u32,
    /// `GGGGG`: key group id.
    pub group_id: u32,
    /// `SSS-SSSSSS` as one 9-digit number.
    pub serial: u32,
    /// `CC`: channel code.
    pub channel: u8,
    /// `LLLL`: locale id.
    pub lcid: u32,
    /// `B` before the dot.
    pub build: u32,
    /// `B` after the dot.
    pub build_revision: u32,
    /// `DDD`: day of the year, 1..=366.
    pub install_day: u16,
    /// `YYYY`.
    pub install_year: u16,
}

/// The fields of an ePID, for error reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum EpidField {
    /// `PPPPP`
    Platform,
    /// `GGGGG`
    Group,
    /// `SSS`
    SerialHigh,
    /// `SSSSSS`
    SerialLow,
    /// `CC`
    Channel,
    /// `LLLL`
    Lcid,
    /// `B.B`
    Build,
    /// `DDDYYYY`
    InstallDate,
}

impl EpidField {
    fn name(self) -> &'static str {
        match self {
            EpidField::Platform => "platform (PPPPP)",
            EpidField::Group => "group (GGGGG)",
            EpidField::SerialHigh => "serial (SSS)",
            EpidField::SerialLow => "serial (SSSSSS)",
            EpidField::Channel => "channel (CC)",
            EpidField::Lcid => "LCID (LLLL)",
            EpidField::Build => "build (B.B)",
            EpidField::InstallDate => "install date (DDDYYYY)",
        }
    }
}

impl fmt::Display for EpidField {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Why a text is not an ePID.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum EpidError {
    /// Not eight dash-separated fields.
    #[error(
        "expected 8 dash-separated fields (PPPPP-GGGGG-SSS-SSSSSS-CC-LLLL-B.B-DDDYYYY), found {found}"
    )]
    FieldCount {
        /// How many fields the text has.
        found: usize,
    },
    /// A field with the wrong digits.
    #[error("{field} at character {}: expected {expected}", position + 1)]
    Field {
        /// Which field.
        field: EpidField,
        /// 0-based character index where the field starts.
        position: usize,
        /// What the field must hold.
        expected: &'static str,
    },
    /// A day of the year that the year does not have.
    #[error("install date: day {day} does not exist in {year}")]
    Day {
        /// `DDD`
        day: u16,
        /// `YYYY`
        year: u16,
    },
}

fn digits(s: &str, lengths: std::ops::RangeInclusive<usize>) -> Option<u32> {
    (lengths.contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit()))
        .then(|| s.parse().ok())
        .flatten()
}

fn is_leap(year: u16) -> bool {
    (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400)
}

impl Epid {
    /// Parses an ePID; surrounding whitespace is ignored.
    pub fn parse(input: &str) -> Result<Self, EpidError> {
        let lead = input.len() - input.trim_start().len();
        let text = input.trim();
        let parts: Vec<&str> = text.split('-').collect();
        if parts.len() != 8 {
            return Err(EpidError::FieldCount { found: parts.len() });
        }
        let mut starts = [0usize; 8];
        let mut at = lead;
        for (i, p) in parts.iter().enumerate() {
            starts[i] = input[..at].chars().count();
            at += p.len() + 1;
        }
        let field = |i: usize, field: EpidField, lengths, expected| {
            digits(parts[i], lengths).ok_or(EpidError::Field {
                field,
                position: starts[i],
                expected,
            })
        };
        let platform = field(0, EpidField::Platform, 5..=5, "5 digits")?;
        let group_id = field(1, EpidField::Group, 5..=5, "5 digits")?;
        let serial_hi = field(2, EpidField::SerialHigh, 3..=3, "3 digits")?;
        let serial_lo = field(3, EpidField::SerialLow, 6..=6, "6 digits")?;
        let channel = field(4, EpidField::Channel, 2..=2, "2 digits")? as u8;
        let lcid = field(5, EpidField::Lcid, 4..=5, "4 or 5 digits")?;
        let build_err = EpidError::Field {
            field: EpidField::Build,
            position: starts[6],
            expected: "digits.digits, e.g. 9200.0000",
        };
        let (b, r) = parts[6].split_once('.').ok_or(build_err.clone())?;
        let build = digits(b, 1..=6).ok_or(build_err.clone())?;
        let build_revision = digits(r, 1..=6).ok_or(build_err)?;
        let date = field(7, EpidField::InstallDate, 7..=7, "7 digits, DDDYYYY")?;
        let (install_day, install_year) = ((date / 10_000) as u16, (date % 10_000) as u16);
        let days = if is_leap(install_year) { 366 } else { 365 };
        if install_day == 0 || install_day > days {
            return Err(EpidError::Day {
                day: install_day,
                year: install_year,
            });
        }
        Ok(Epid {
            platform,
            group_id,
            serial: serial_hi * 1_000_000 + serial_lo,
            channel,
            lcid,
            build,
            build_revision,
            install_day,
            install_year,
        })
    }

    /// The channel's name for the codes seen in published ePIDs (02 OEM, 03 Volume) and the
    /// SMS `ChannelCode` analogue (0 retail/FPP, 1 CCP); `None` for others.
    pub fn channel_name(&self) -> Option<&'static str> {
        match self.channel {
            0 => Some("Retail"),
            1 => Some("CCP"),
            2 => Some("OEM"),
            3 => Some("Volume"),
            _ => None,
        }
    }

    /// Whether the ePID's group is the key's group: `None` for pkey2005 keys, whose group
    /// is not in the key.
    pub fn matches_key(&self, key: &ProductKey) -> Option<bool> {
        key.pkey2009().map(|f| f.group_id == self.group_id)
    }
}

impl fmt::Display for Epid {
    /// Canonical form: every field zero-padded to its width, the build revision to 4.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:05}-{:05}-{:03}-{:06}-{:02}-{:04}-{}.{:04}-{:03}{:04}",
            self.platform,
            self.group_id,
            self.serial / 1_000_000,
            self.serial % 1_000_000,
            self.channel,
            self.lcid,
            self.build,
            self.build_revision,
            self.install_day,
            self.install_year
        )
    }
}

impl std::str::FromStr for Epid {
    type Err = EpidError;
    fn from_str(s: &str) -> Result<Self, EpidError> {
        Epid::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn published_samples_parse() {
        let e = Epid::parse("05426-00206-234-001162-03-1033-9200.0000-0992013").unwrap();
        assert_eq!(
            (e.platform, e.group_id, e.serial, e.channel),
            (5426, 206, 234_001_162, 3)
        );
        assert_eq!((e.build, e.build_revision), (9200, 0));
        assert_eq!((e.install_day, e.install_year), (99, 2013));
        assert_eq!(e.channel_name(), Some("Volume"));
        let e = Epid::parse("03612-05150-000-025690-03-1033-19045.0000-2962025").unwrap();
        assert_eq!((e.group_id, e.build, e.install_day), (5150, 19045, 296));
    }

    #[test]
    fn group_is_cross_checked_against_a_key() {
        let key = ProductKey::parse("W269N-WFGWX-YVC9B-4J6C9-T83GX").unwrap(); // group 3311
        let e = Epid::parse("03612-03311-000-000001-03-1033-19045.0000-2962025").unwrap();
        assert_eq!(e.matches_key(&key), Some(true));
        let e = Epid::parse("03612-03305-317-008912-02-1033-9200.0000-0662023").unwrap();
        assert_eq!(e.matches_key(&key), Some(false));
        let old = ProductKey::parse("FJ82H-XT6CR-J8D7P-XQJJ2-GPDD4").unwrap();
        assert_eq!(e.matches_key(&old), None);
    }

    #[test]
    fn errors_name_the_field_and_where_it_starts() {
        assert_eq!(
            Epid::parse("05426-00206-234-001162-03-1033-9200.0000"),
            Err(EpidError::FieldCount { found: 7 })
        );
        let e = Epid::parse("05426-0020x-234-001162-03-1033-9200.0000-0992013").unwrap_err();
        assert!(matches!(
            e,
            EpidError::Field {
                field: EpidField::Group,
                position: 6,
                ..
            }
        ));
        assert!(e.to_string().contains("character 7"), "{e}");
        let e = Epid::parse("05426-00206-234-001162-03-1033-9200-0992013").unwrap_err();
        assert!(matches!(
            e,
            EpidError::Field {
                field: EpidField::Build,
                ..
            }
        ));
        assert_eq!(
            Epid::parse("05426-00206-234-001162-03-1033-9200.0000-3662023"),
            Err(EpidError::Day {
                day: 366,
                year: 2023
            })
        );
        assert!(Epid::parse("05426-00206-234-001162-03-1033-9200.0000-3662024").is_ok());
        assert!(Epid::parse("05426-00206-234-001162-03-1033-9200.0000-0002024").is_err());
    }

    proptest! {
        #[test]
        fn no_text_panics(text in "\\PC{0,60}|[0-9.\\-]{0,50}") {
            let _ = Epid::parse(&text);
        }

        #[test]
        fn canonical_parses_back(p in 0u32..100_000, g in 0u32..100_000, s in 0u32..1_000_000_000,
                                 c in 0u8..100, l in 0u32..100_000, b in 0u32..1_000_000,
                                 r in 0u32..10_000, d in 1u16..=365, y in 0u16..10_000) {
            let text = format!("{p:05}-{g:05}-{:03}-{:06}-{c:02}-{l:04}-{b}.{r:04}-{d:03}{y:04}",
                               s / 1_000_000, s % 1_000_000);
            let e = Epid::parse(&text).unwrap();
            prop_assert_eq!(e.to_string(), text);
            prop_assert_eq!(Epid::parse(&e.to_string()).unwrap(), e);
        }
    }
}
