//! Installation IDs and Confirmation IDs.

use super::*;

/// The check of one ID text (the `volact id check` record).
#[derive(Clone, PartialEq, Eq, uniffi::Record)]
#[uniffi::export(Display, Debug)]
pub struct IdReport {
    /// A known layout with every check digit right.
    pub valid: bool,
    /// `"installation_id"` or `"confirmation_id"` when the layout is known.
    pub kind: Option<String>,
    /// How many digits the text holds (0 when a stray character stops the read).
    pub digits: u32,
    /// Number of groups of the layout.
    pub groups: Option<u32>,
    /// Digits per group, check digit included.
    pub group_len: Option<u32>,
    /// 0-based indices of groups whose check digit fails.
    pub bad_groups: Vec<u32>,
    /// Whether the check rule is confirmed on a published ID of this layout; `None` when
    /// the layout is unknown.
    pub rule_confirmed: Option<bool>,
    /// Groups joined by `-`, whenever the layout is known.
    pub canonical: Option<String>,
    /// Why the text is not a valid ID.
    pub error: Option<String>,
}

py_repr!(IdReport {
    valid,
    kind,
    digits,
    groups,
    group_len,
    bad_groups,
    rule_confirmed,
    canonical,
    error
});

/// Checks an Installation or Confirmation ID text; never raises.
#[uniffi::export]
pub fn check_id(text: String) -> IdReport {
    let c = ids::check(&text);
    let format = c.format;
    IdReport {
        valid: c.is_valid(),
        kind: format.map(|f| f.kind.as_str().to_owned()),
        digits: to_u32(c.digits),
        groups: format.map(|f| to_u32(f.groups)),
        group_len: format.map(|f| to_u32(f.group_len)),
        bad_groups: c.bad_groups.into_iter().map(to_u32).collect(),
        rule_confirmed: format.map(|f| f.rule_confirmed),
        canonical: c.canonical,
        error: c.error.map(|e| e.to_string()),
    }
}

/// An ID layout.
#[derive(Clone, PartialEq, Eq, uniffi::Record)]
#[uniffi::export(Display, Debug)]
pub struct IdFormat {
    /// `"installation_id"` or `"confirmation_id"`.
    pub kind: String,
    /// Number of groups.
    pub groups: u32,
    /// Digits per group, check digit included.
    pub group_len: u32,
    /// Whether the check rule is confirmed on a published ID of this layout.
    pub rule_confirmed: bool,
}

py_repr!(IdFormat {
    kind,
    groups,
    group_len,
    rule_confirmed
});

impl From<ids::IdFormat> for IdFormat {
    fn from(f: ids::IdFormat) -> Self {
        IdFormat {
            kind: f.kind.as_str().to_owned(),
            groups: to_u32(f.groups),
            group_len: to_u32(f.group_len),
            rule_confirmed: f.rule_confirmed,
        }
    }
}

/// A valid Installation ID (54 or 63 digits). `str()` is the dashed canonical form.
#[derive(Clone, PartialEq, Eq, Hash, uniffi::Object)]
#[uniffi::export(Display, Debug, Eq, Hash)]
pub struct InstallationId(ids::InstallationId);

impl fmt::Display for InstallationId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

impl fmt::Debug for InstallationId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.0, f)
    }
}

#[uniffi::export]
impl InstallationId {
    /// `InstallationId(text)`: the same as [`InstallationId::parse`].
    #[uniffi::constructor]
    pub fn new(text: String) -> Result<Arc<Self>, VolactError> {
        Self::parse(text)
    }

    /// Parses digits with optional spaces or dashes; verifies every group. Raises
    /// `VolactError.InvalidId`.
    #[uniffi::constructor]
    pub fn parse(text: String) -> Result<Arc<Self>, VolactError> {
        Ok(Arc::new(InstallationId(ids::InstallationId::parse(&text)?)))
    }

    /// The layout (9 × 6 or 9 × 7).
    pub fn format(&self) -> IdFormat {
        self.0.format().into()
    }

    /// The digits without separators, as `slmgr /dti` prints them.
    pub fn digits(&self) -> String {
        self.0.digits()
    }

    /// Groups joined by `-`.
    pub fn canonical(&self) -> String {
        self.0.as_str().to_owned()
    }
}

/// A Confirmation ID (48 or 42 digits). `str()` is the dashed canonical form.
#[derive(Clone, PartialEq, Eq, Hash, uniffi::Object)]
#[uniffi::export(Display, Debug, Eq, Hash)]
pub struct ConfirmationId(ids::ConfirmationId);

impl fmt::Display for ConfirmationId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

impl fmt::Debug for ConfirmationId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.0, f)
    }
}

#[uniffi::export]
impl ConfirmationId {
    /// `ConfirmationId(text)`: the same as [`ConfirmationId::parse`].
    #[uniffi::constructor]
    pub fn new(text: String) -> Result<Arc<Self>, VolactError> {
        Self::parse(text)
    }

    /// Parses and verifies every group's check digit. Raises `VolactError.InvalidId`.
    #[uniffi::constructor]
    pub fn parse(text: String) -> Result<Arc<Self>, VolactError> {
        Ok(Arc::new(ConfirmationId(ids::ConfirmationId::parse(&text)?)))
    }

    /// Like `parse`, but a 48-digit CID (whose check rule is unconfirmed, facts.md §7)
    /// with failing check digits is accepted and the groups are reported in
    /// `unconfirmed_bad_groups()`.
    #[uniffi::constructor]
    pub fn parse_lenient(text: String) -> Result<Arc<Self>, VolactError> {
        Ok(Arc::new(ConfirmationId(
            ids::ConfirmationId::parse_lenient(&text)?,
        )))
    }

    /// The layout (8 × 6 or 7 × 6).
    pub fn format(&self) -> IdFormat {
        self.0.format().into()
    }

    /// 0-based groups whose check digit failed under an unconfirmed rule.
    pub fn unconfirmed_bad_groups(&self) -> Vec<u32> {
        self.0
            .unconfirmed_bad_groups()
            .iter()
            .copied()
            .map(to_u32)
            .collect()
    }

    /// The digits without separators, as `slmgr /atp` takes them.
    pub fn digits(&self) -> String {
        self.0.digits()
    }

    /// Groups joined by `-`.
    pub fn canonical(&self) -> String {
        self.0.as_str().to_owned()
    }
}
