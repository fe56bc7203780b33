//! Installation IDs (IID) and Confirmation IDs (CID), the two halves of offline (phone or
//! proxy) activation: `slmgr /dti` shows the IID, Microsoft answers with a CID that
//! `slmgr /atp` deposits.
//!
//! Both are decimal digits in groups whose **last digit is a check digit**:
//! `check = (Σ d_i · w_i) mod 7` over the group's data digits, `w_i` = 1 for even and 2 for
//! odd 0-based positions (facts.md §2.1, from the UMSKT `confid` parser's check-digit loop).
//!
//! | format | digits | groups × length | check rule confirmed on a published sample |
//! |---|---|---|---|
//! | IID, pkey2005 era and Office CSVLK | 54 | 9 × 6 | yes (XP IID, Office doc sample) |
//! | IID, pkey2009 keys (Windows 8+) | 63 | 9 × 7 | yes (two Windows 10 IIDs) |
//! | CID, Vista and later | 48 | 8 × 6 | **no**: no modern CID has been published |
//! | CID, XP / Office 2003 | 42 | 7 × 6 | yes (XP CID) |
//!
//! Because the 48-digit rule is unconfirmed (facts.md §7), [`ConfirmationId::parse_lenient`]
//! accepts a 48-digit CID whose check digits fail and reports them, so a caller importing
//! CIDs from Microsoft can warn rather than refuse. volact checks IDs; it never makes them.
//!
//! ```
//! use volact::ids::{check, IdKind, InstallationId};
//! let iid = InstallationId::parse("070846 984606 199354 110900 862045 444713 121295 109842 549701")?;
//! assert_eq!(iid.to_string(), "070846-984606-199354-110900-862045-444713-121295-109842-549701");
//! let c = check("070846-984606-199354-110900-862045-444713-121295-109842-549702");
//! assert_eq!(c.format.map(|f| f.kind), Some(IdKind::InstallationId));
//! assert_eq!(c.bad_groups, vec![8]);
//! # Ok::<(), volact::ids::IdError>(())
//! ```

use std::fmt;

/// Installation or Confirmation ID.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum IdKind {
    /// What the machine shows (`slmgr /dti`, WMI `OfflineInstallationId`).
    InstallationId,
    /// What Microsoft returns for an Installation ID (`slmgr /atp`).
    ConfirmationId,
}

impl IdKind {
    /// `"installation_id"` or `"confirmation_id"`.
    pub fn as_str(self) -> &'static str {
        match self {
            IdKind::InstallationId => "installation_id",
            IdKind::ConfirmationId => "confirmation_id",
        }
    }
}

/// One of the four ID layouts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct IdFormat {
    /// IID or CID.
    pub kind: IdKind,
    /// Number of groups.
    pub groups: usize,
    /// Digits per group, check digit included.
    pub group_len: usize,
    /// Whether the check-digit rule has been confirmed on a published ID of this layout.
    pub rule_confirmed: bool,
}

impl IdFormat {
    /// Total digits.
    pub fn digits(&self) -> usize {
        self.groups * self.group_len
    }
}

/// The layouts volact knows, by digit count (facts.md §2.2).
pub const FORMATS: [IdFormat; 4] = [
    IdFormat {
        kind: IdKind::InstallationId,
        groups: 9,
        group_len: 6,
        rule_confirmed: true,
    },
    IdFormat {
        kind: IdKind::InstallationId,
        groups: 9,
        group_len: 7,
        rule_confirmed: true,
    },
    IdFormat {
        kind: IdKind::ConfirmationId,
        groups: 8,
        group_len: 6,
        rule_confirmed: false,
    },
    IdFormat {
        kind: IdKind::ConfirmationId,
        groups: 7,
        group_len: 6,
        rule_confirmed: true,
    },
];

/// The layout for a digit count.
pub fn format_for_digits(digits: usize) -> Option<IdFormat> {
    FORMATS.iter().copied().find(|f| f.digits() == digits)
}

/// Why a text is not a valid ID. Positions are 0-based character indices, groups 0-based
/// indices; messages count both from 1.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum IdError {
    /// A character other than a digit, a dash or ASCII whitespace.
    #[error("invalid character {found:?} at character {}: IDs are digits, with optional spaces or dashes", position + 1)]
    InvalidCharacter {
        /// 0-based character index.
        position: usize,
        /// The character found.
        found: char,
    },
    /// A digit count that no layout has.
    #[error("{digits} digits: Installation IDs have 54 or 63, Confirmation IDs 48 or 42")]
    Length {
        /// The number of digits found.
        digits: usize,
    },
    /// One or more groups whose check digit fails.
    #[error("check digit wrong in group {} (of {})", one_based(bad_groups), format.groups)]
    CheckDigit {
        /// 0-based indices of the failing groups.
        bad_groups: Vec<usize>,
        /// The layout the digits were read in.
        format: IdFormat,
    },
    /// An ID of the other kind (a CID where an IID was wanted, or the reverse).
    #[error("expected {}, found {} ({} digits)", expected.as_str(), found.kind.as_str(), found.digits())]
    WrongKind {
        /// What the caller asked for.
        expected: IdKind,
        /// What the digits are.
        found: IdFormat,
    },
}

fn one_based(groups: &[usize]) -> String {
    groups
        .iter()
        .map(|g| (g + 1).to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

/// The check of one ID text: the record behind `volact id check`.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct IdCheck {
    /// How many ASCII digits the text holds (stray characters included in the read).
    pub digits: usize,
    /// The layout, when the text is all digits and separators and the count fits one.
    pub format: Option<IdFormat>,
    /// 0-based indices of the groups whose check digit fails.
    pub bad_groups: Vec<usize>,
    /// The groups joined by `-`, whenever `format` is known (even with bad groups, so the
    /// user can see which group to re-read).
    pub canonical: Option<String>,
    /// Why the text is not a valid ID.
    pub error: Option<IdError>,
}

impl IdCheck {
    /// Whether the text is a valid ID of a known layout with every check digit right.
    pub fn is_valid(&self) -> bool {
        self.error.is_none()
    }
}

/// Checks an ID text: digits with any spaces, tabs, line breaks or dashes between them.
pub fn check(input: &str) -> IdCheck {
    let mut digits = Vec::with_capacity(63);
    let mut count = 0usize;
    let mut invalid = None;
    for (position, ch) in input.chars().enumerate() {
        match ch {
            '0'..='9' => {
                count += 1;
                if digits.len() < 63 {
                    digits.push(ch as u8 - b'0');
                }
            }
            '-' => {}
            c if c.is_ascii_whitespace() => {}
            found => {
                invalid.get_or_insert(IdError::InvalidCharacter { position, found });
            }
        }
    }
    // A stray character makes the layout unknowable; the digit count is still reported.
    if let Some(error) = invalid {
        return IdCheck {
            digits: count,
            format: None,
            bad_groups: Vec::new(),
            canonical: None,
            error: Some(error),
        };
    }
    let Some(format) = format_for_digits(count) else {
        return IdCheck {
            digits: count,
            format: None,
            bad_groups: Vec::new(),
            canonical: None,
            error: Some(IdError::Length { digits: count }),
        };
    };
    let groups: Vec<&[u8]> = digits.chunks(format.group_len).collect();
    let bad_groups: Vec<usize> = groups
        .iter()
        .enumerate()
        .filter(|(_, g)| !group_check_holds(g))
        .map(|(i, _)| i)
        .collect();
    let canonical = groups
        .iter()
        .map(|g| g.iter().map(|d| char::from(b'0' + d)).collect::<String>())
        .collect::<Vec<_>>()
        .join("-");
    let error = (!bad_groups.is_empty()).then(|| IdError::CheckDigit {
        bad_groups: bad_groups.clone(),
        format,
    });
    IdCheck {
        digits: count,
        format: Some(format),
        bad_groups,
        canonical: Some(canonical),
        error,
    }
}

/// The mod-7 check digit for a group's data digits.
pub fn check_digit(data: &[u8]) -> u8 {
    let sum: u32 = data
        .iter()
        .enumerate()
        .map(|(i, &d)| u32::from(d) * if i % 2 == 0 { 1 } else { 2 })
        .sum();
    (sum % 7) as u8
}

fn group_check_holds(group: &[u8]) -> bool {
    match group.split_last() {
        Some((&last, data)) => check_digit(data) == last,
        None => false,
    }
}

/// The digits of a checked ID, kept as canonical text.
#[derive(Clone, PartialEq, Eq, Hash)]
struct Groups {
    canonical: String,
    format: IdFormat,
}

fn parse_kind(input: &str, kind: IdKind, lenient: bool) -> Result<(Groups, Vec<usize>), IdError> {
    let c = check(input);
    let (Some(format), Some(canonical)) = (c.format, c.canonical) else {
        return Err(c.error.unwrap_or(IdError::Length { digits: c.digits }));
    };
    if format.kind != kind {
        return Err(IdError::WrongKind {
            expected: kind,
            found: format,
        });
    }
    // Leniency applies only where the rule is unconfirmed (48-digit CIDs).
    let tolerated = lenient && !format.rule_confirmed;
    if !c.bad_groups.is_empty() && !tolerated {
        return Err(IdError::CheckDigit {
            bad_groups: c.bad_groups,
            format,
        });
    }
    Ok((Groups { canonical, format }, c.bad_groups))
}

/// A valid Installation ID (54 or 63 digits, every check digit right).
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct InstallationId(Groups);

impl InstallationId {
    /// Parses digits with optional spaces or dashes and verifies every group.
    pub fn parse(input: &str) -> Result<Self, IdError> {
        parse_kind(input, IdKind::InstallationId, false).map(|(g, _)| InstallationId(g))
    }

    /// The layout (9 × 6 or 9 × 7).
    pub fn format(&self) -> IdFormat {
        self.0.format
    }

    /// The digits without separators, as `slmgr /dti` prints them.
    pub fn digits(&self) -> String {
        self.0.canonical.replace('-', "")
    }

    /// Groups joined by `-`.
    pub fn as_str(&self) -> &str {
        &self.0.canonical
    }
}

/// A Confirmation ID (48 or 42 digits).
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct ConfirmationId {
    groups: Groups,
    unconfirmed_bad_groups: Vec<usize>,
}

impl ConfirmationId {
    /// Parses and verifies every group's check digit.
    pub fn parse(input: &str) -> Result<Self, IdError> {
        parse_kind(input, IdKind::ConfirmationId, false).map(|(groups, _)| ConfirmationId {
            groups,
            unconfirmed_bad_groups: Vec::new(),
        })
    }

    /// Like [`ConfirmationId::parse`], but for layouts whose check rule is unconfirmed
    /// (48 digits) a failing check digit is recorded in
    /// [`ConfirmationId::unconfirmed_bad_groups`] instead of refused. For a CID that came
    /// from Microsoft, warn about those groups rather than drop the CID.
    pub fn parse_lenient(input: &str) -> Result<Self, IdError> {
        parse_kind(input, IdKind::ConfirmationId, true).map(|(groups, bad)| ConfirmationId {
            groups,
            unconfirmed_bad_groups: bad,
        })
    }

    /// The layout (8 × 6 or 7 × 6).
    pub fn format(&self) -> IdFormat {
        self.groups.format
    }

    /// Groups (0-based) whose check digit failed under an unconfirmed rule; empty for a
    /// strictly parsed CID.
    pub fn unconfirmed_bad_groups(&self) -> &[usize] {
        &self.unconfirmed_bad_groups
    }

    /// The digits without separators, as `slmgr /atp` takes them.
    pub fn digits(&self) -> String {
        self.groups.canonical.replace('-', "")
    }

    /// Groups joined by `-`.
    pub fn as_str(&self) -> &str {
        &self.groups.canonical
    }
}

macro_rules! id_text_impls {
    ($t:ty) => {
        impl fmt::Display for $t {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
        impl fmt::Debug for $t {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}({})", stringify!($t), self.as_str())
            }
        }
        impl std::str::FromStr for $t {
            type Err = IdError;
            fn from_str(s: &str) -> Result<Self, IdError> {
                <$t>::parse(s)
            }
        }
    };
}
id_text_impls!(InstallationId);
id_text_impls!(ConfirmationId);

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    // Published samples (facts.md §2.1–§2.2).
    const XP_IID: &str = "070846-984606-199354-110900-862045-444713-121295-109842-549701";
    const OFFICE_IID: &str = "020650770493837252929082195773527024195725809211989214";
    const WIN10_IID_A: &str = "253037440405119108201413961093786848722385303726677949056629205";
    const WIN10_IID_B: &str = "508760583450367066786558223034732344271525457574499727444472481";
    const XP_CID: &str = "204455-473963-727110-378854-169136-901266-745572";

    #[test]
    fn published_installation_ids_pass() {
        for (text, len) in [
            (XP_IID, 6),
            (OFFICE_IID, 6),
            (WIN10_IID_A, 7),
            (WIN10_IID_B, 7),
        ] {
            let iid = InstallationId::parse(text).unwrap_or_else(|e| panic!("{text}: {e}"));
            assert_eq!(iid.format().group_len, len);
            assert_eq!(iid.format().groups, 9);
            assert_eq!(iid.digits(), text.replace('-', ""));
        }
    }

    #[test]
    fn published_xp_confirmation_id_passes() {
        let cid = ConfirmationId::parse(XP_CID).unwrap();
        assert_eq!(cid.format().groups, 7);
        assert!(cid.format().rule_confirmed);
        assert_eq!(cid.to_string(), XP_CID);
    }

    #[test]
    fn each_wrong_check_digit_is_named() {
        // Changing a check digit by one breaks exactly that group.
        let mut digits: Vec<u8> = WIN10_IID_A.bytes().collect();
        for g in [0usize, 4, 8] {
            let i = g * 7 + 6;
            digits[i] = if digits[i] == b'0' {
                b'1'
            } else {
                digits[i] - 1
            };
        }
        let text = String::from_utf8(digits).unwrap();
        let c = check(&text);
        assert_eq!(c.bad_groups, vec![0, 4, 8]);
        assert!(!c.is_valid());
        let msg = c.error.unwrap().to_string();
        assert!(msg.contains("group 1, 5, 9 (of 9)"), "{msg}");
    }

    #[test]
    fn separators_are_free_and_other_characters_are_named() {
        let spaced = XP_IID.replace('-', " ");
        assert_eq!(check(&spaced).canonical.as_deref(), Some(XP_IID));
        let odd = format!("  {}\t-\n", XP_IID.replace('-', "--"));
        assert!(check(&odd).is_valid());
        let c = check("070846-98460x");
        assert_eq!(
            c.error,
            Some(IdError::InvalidCharacter {
                position: 12,
                found: 'x'
            })
        );
        assert_eq!(c.format, None);
    }

    #[test]
    fn unknown_lengths_are_refused_with_the_count() {
        let c = check("12345");
        assert_eq!(c.digits, 5);
        assert_eq!(c.error, Some(IdError::Length { digits: 5 }));
        assert_eq!(check("").error, Some(IdError::Length { digits: 0 }));
    }

    #[test]
    fn kinds_are_told_apart() {
        assert!(matches!(
            InstallationId::parse(XP_CID),
            Err(IdError::WrongKind {
                expected: IdKind::InstallationId,
                ..
            })
        ));
        assert!(matches!(
            ConfirmationId::parse(XP_IID),
            Err(IdError::WrongKind { .. })
        ));
    }

    /// A 48-digit text with the given data digits and correct check digits, built here only
    /// to exercise the parser (no Microsoft CID has been published).
    fn cid48(data: &[u8; 40]) -> String {
        data.chunks(5)
            .map(|g| {
                let mut s: String = g.iter().map(|d| char::from(b'0' + d)).collect();
                s.push(char::from(b'0' + check_digit(g)));
                s
            })
            .collect::<Vec<_>>()
            .join("-")
    }

    #[test]
    fn unconfirmed_48_digit_cids_can_be_taken_with_a_warning() {
        let good = cid48(&[3; 40]);
        assert!(ConfirmationId::parse(&good).is_ok());
        let mut bad = good.into_bytes();
        bad[5] = if bad[5] == b'0' { b'1' } else { b'0' };
        let bad = String::from_utf8(bad).unwrap();
        let c = check(&bad);
        assert_eq!(c.bad_groups, vec![0]);
        assert!(!c.format.unwrap().rule_confirmed);
        assert!(ConfirmationId::parse(&bad).is_err());
        let lenient = ConfirmationId::parse_lenient(&bad).unwrap();
        assert_eq!(lenient.unconfirmed_bad_groups(), &[0]);
        // The confirmed 42-digit rule is never relaxed.
        let mut xp = XP_CID.as_bytes().to_vec();
        xp[5] = b'0';
        assert!(ConfirmationId::parse_lenient(std::str::from_utf8(&xp).unwrap()).is_err());
    }

    proptest! {
        #[test]
        fn no_text_panics(text in "[0-9 \\-]{0,80}|\\PC{0,80}") {
            let c = check(&text);
            prop_assert_eq!(c.is_valid(), c.error.is_none());
            if c.is_valid() {
                prop_assert!(c.format.is_some());
            }
        }

        #[test]
        fn canonical_parses_back_to_itself(groups in proptest::collection::vec(proptest::array::uniform5(0u8..10), 8)) {
            let data: Vec<u8> = groups.concat();
            let text = cid48(&data.try_into().unwrap());
            let c = check(&text);
            prop_assert!(c.is_valid());
            let canonical = c.canonical.unwrap();
            prop_assert_eq!(check(&canonical).canonical, Some(canonical.clone()));
            let cid = ConfirmationId::parse(&canonical).unwrap();
            prop_assert_eq!(cid.as_str(), canonical.as_str());
        }
    }
}
