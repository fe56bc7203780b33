//! Which computers an action applies to, and why the others are skipped: VAMT marks such
//! actions with an asterisk and "the action will apply only to applicable computers" (the
//! seed, MAK independent step 6.4 and proxy step 5.4). Each rule is a documented check with
//! its source; a skipped computer is listed with the rule and the reason.

use super::edition;
use super::target::{TargetProduct, WINDOWS_APPLICATION_ID};
use crate::catalog::{self, Channel};
use crate::key::ProductKey;
use crate::license::product::{ClientProduct, Csvlk};
use crate::mak::{KeyKind, MakEntry};

/// A key about to be installed, with what volact knows of it.
#[derive(Clone, Debug)]
pub struct KeyToInstall {
    key: ProductKey,
    /// The key's channel.
    pub channel: Channel,
    /// The key's `EditionID` (pkeyconfig `EditionId`), when a catalog knows it.
    pub edition: Option<String>,
}

impl KeyToInstall {
    /// A key from the MAK store (its kind is known or was declared: the store refuses keys
    /// of unknown type, so an undeclared unknown key never reaches a plan).
    pub fn from_entry(entry: &MakEntry) -> Self {
        KeyToInstall {
            key: entry.key().clone(),
            channel: match entry.kind {
                KeyKind::Mak => Channel::VolumeMak,
                KeyKind::Csvlk => Channel::VolumeCsvlk,
                _ => Channel::Retail,
            },
            edition: entry.edition.clone(),
        }
    }

    /// A published GVLK (KMS client setup key); `None` when the key is not in the catalog.
    pub fn gvlk(key: &ProductKey) -> Option<Self> {
        catalog::channel(key).map(|_| KeyToInstall {
            key: key.clone(),
            channel: Channel::VolumeGvlk,
            edition: None,
        })
    }

    /// The key (its `Display` masks it).
    pub fn key(&self) -> &ProductKey {
        &self.key
    }
}

/// The rules, each with a stable name (used in JSON and by the bindings) and its source.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum Rule {
    /// No current license status: VAMT needs it before any action (the seed, step 4.1 /
    /// proxy step 3.1).
    StatusUnknown,
    /// No Windows product with a key on the machine.
    NoWindowsProduct,
    /// The edition has no volume channel, so a MAK cannot activate it (the seed's retail
    /// Vista example; [`edition::has_volume_channel`]).
    MakOnRetailEdition,
    /// The key's edition is not the machine's ("mismatched key type/edition makes install
    /// fail per product", research/vamt.md §7).
    KeyEditionMismatch,
    /// A GVLK must be the published one of the machine's family and edition (facts.md §3).
    GvlkEditionMismatch,
    /// volact does not know the machine's `EditionID` (and, for a MAK, the key's pkeyconfig
    /// does not name it either); not guessed.
    EditionUnknown,
}

impl Rule {
    /// The stable name, e.g. `mak-on-retail-edition`.
    pub fn name(self) -> &'static str {
        match self {
            Rule::StatusUnknown => "status-unknown",
            Rule::NoWindowsProduct => "no-windows-product",
            Rule::MakOnRetailEdition => "mak-on-retail-edition",
            Rule::KeyEditionMismatch => "key-edition-mismatch",
            Rule::GvlkEditionMismatch => "gvlk-edition-mismatch",
            Rule::EditionUnknown => "edition-unknown",
        }
    }

    /// Where the rule comes from.
    pub fn source(self) -> &'static str {
        match self {
            Rule::StatusUnknown => "the seed, MAK independent step 4.1 and proxy step 3.1",
            Rule::NoWindowsProduct => "WMI SoftwareLicensingProduct (facts.md §5.2)",
            Rule::MakOnRetailEdition => {
                "the seed, MAK independent step 6.4; published GVLK tables (facts.md §3)"
            }
            Rule::KeyEditionMismatch => "VAMT product keys (research/vamt.md §7)",
            Rule::GvlkEditionMismatch => "KMS client activation and product keys (facts.md §3)",
            Rule::EditionUnknown => "volact never guesses an edition",
        }
    }
}

/// Whether an action applies to one computer.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "verdict", rename_all = "snake_case")]
pub enum Verdict {
    /// It applies, to this product.
    Applicable {
        /// The product's Activation ID.
        activation_id: String,
        /// A note, e.g. that the key's edition is not known so Windows checks it at install.
        note: Option<String>,
    },
    /// Skipped, with the rule and the reason.
    Skipped {
        /// The rule.
        rule: Rule,
        /// Why, for this computer.
        reason: String,
    },
}

impl Verdict {
    /// The product's Activation ID when applicable.
    pub fn activation_id(&self) -> Option<&str> {
        match self {
            Verdict::Applicable { activation_id, .. } => Some(activation_id),
            Verdict::Skipped { .. } => None,
        }
    }
}

/// The machine's Windows product (the one a Windows key replaces).
pub fn windows_product(products: &[TargetProduct]) -> Option<&TargetProduct> {
    products.iter().find(|p| {
        p.application_id
            .eq_ignore_ascii_case(WINDOWS_APPLICATION_ID)
    })
}

/// Whether installing `key` applies to a machine with these products (`None`: status not
/// collected).
pub fn check_install(key: &KeyToInstall, products: Option<&[TargetProduct]>) -> Verdict {
    let skip = |rule: Rule, reason: String| Verdict::Skipped { rule, reason };
    let Some(products) = products else {
        return skip(
            Rule::StatusUnknown,
            "license status not collected: refresh the computer's status first".into(),
        );
    };
    let Some(p) = windows_product(products) else {
        return skip(
            Rule::NoWindowsProduct,
            "no Windows product with a key installed".into(),
        );
    };
    let applicable = |note: Option<String>| Verdict::Applicable {
        activation_id: p.activation_id.clone(),
        note,
    };
    match &key.channel {
        Channel::VolumeGvlk => {
            let rows = catalog::rows_for_key(&key.key);
            let Some(names) = edition::catalog_names(&p.edition_id) else {
                return skip(
                    Rule::EditionUnknown,
                    format!(
                        "edition {:?} is not in volact's edition table",
                        p.edition_id
                    ),
                );
            };
            if rows
                .iter()
                .any(|r| edition::same_family(r.family, &p.family) && names.contains(&r.edition))
            {
                applicable(None)
            } else {
                let expected = edition::gvlk_for(&p.family, &p.edition_id)
                    .map(|r| format!("; the published GVLK for it ends {}", &r.key[24..]))
                    .unwrap_or_else(|| "; no GVLK is published for it".into());
                let published: Vec<String> = rows
                    .iter()
                    .map(|r| format!("{} {}", r.family, r.edition))
                    .collect();
                skip(
                    Rule::GvlkEditionMismatch,
                    format!(
                        "the key is the GVLK of {} but the machine runs {} {}{expected}",
                        published.join(" / "),
                        p.family,
                        p.edition_id
                    ),
                )
            }
        }
        Channel::VolumeMak | Channel::Retail | Channel::VolumeCsvlk => {
            if key.channel == Channel::VolumeMak {
                // The key's own pkeyconfig naming exactly the machine's EditionID is direct
                // evidence that the edition has a volume channel: an edition volact's table
                // does not know is then not a guess (a known retail edition still is refused).
                let named_by_key = key
                    .edition
                    .as_deref()
                    .is_some_and(|e| e.eq_ignore_ascii_case(&p.edition_id));
                match edition::has_volume_channel(&p.family, &p.edition_id) {
                    Some(false) => {
                        return skip(
                            Rule::MakOnRetailEdition,
                            format!(
                                "{} {} is a retail edition: a MAK cannot activate it",
                                p.family, p.edition_id
                            ),
                        );
                    }
                    None if !named_by_key => {
                        return skip(
                            Rule::EditionUnknown,
                            format!(
                                "edition {:?} is not in volact's edition table",
                                p.edition_id
                            ),
                        );
                    }
                    None | Some(true) => {}
                }
            }
            if key.channel == Channel::VolumeCsvlk {
                // A KMS host key goes on the host OS editions of its support matrix (facts.md
                // §4.1, S5 tables), not on one edition: volact does not model that matrix,
                // so the edition is not checked here; the group check is `deploy_plan`'s.
                return applicable(Some(
                    "CSVLK: the host OS is not checked against the key's support matrix (S5)"
                        .into(),
                ));
            }
            match &key.edition {
                Some(e) if !e.eq_ignore_ascii_case(&p.edition_id) => skip(
                    Rule::KeyEditionMismatch,
                    format!(
                        "the key is for edition {e}, the machine runs {}",
                        p.edition_id
                    ),
                ),
                Some(_) => applicable(None),
                None => applicable(Some(
                    "the key's edition is not known (declared type): Windows checks it at install"
                        .into(),
                )),
            }
        }
        other => skip(
            Rule::KeyEditionMismatch,
            format!("volact does not install {} keys", other.product_key_type()),
        ),
    }
}

/// The products a KMS host key does not cover: "the KMS host key group must cover the client
/// product" (facts.md §5.4, S5). Empty when every product is covered.
pub fn uncovered_by_csvlk(csvlk: Csvlk, served: &[ClientProduct]) -> Vec<ClientProduct> {
    served
        .iter()
        .copied()
        .filter(|p| !csvlk.activates(*p))
        .collect()
}
