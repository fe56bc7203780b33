//! Windows editions: the `EditionID` a machine reports (and pkeyconfig `EditionId` names)
//! against the edition names of Microsoft's published GVLK tables (`data/gvlk.csv`).
//!
//! The table below pairs the two spellings. `EditionID` values are those of pkeyconfig files
//! (facts.md §1.2, S14) and the `EditionID` registry value; the catalog names are the GVLK
//! tables' (facts.md §3). An `EditionID` not in the table is reported as unknown, never
//! guessed.

use crate::catalog;

/// `EditionID` → the names the GVLK tables give that edition (several releases spell it
/// differently: Windows 7 "Professional", Windows 10 "Pro").
const EDITIONS: &[(&str, &[&str])] = &[
    ("Professional", &["Pro", "Professional"]),
    ("ProfessionalN", &["Pro N", "Professional N"]),
    ("ProfessionalE", &["Professional E"]),
    ("ProfessionalWorkstation", &["Pro for Workstations"]),
    ("ProfessionalWorkstationN", &["Pro for Workstations N"]),
    ("ProfessionalEducation", &["Pro Education"]),
    ("ProfessionalEducationN", &["Pro Education N"]),
    ("Education", &["Education"]),
    ("EducationN", &["Education N"]),
    ("Enterprise", &["Enterprise"]),
    ("EnterpriseN", &["Enterprise N"]),
    ("EnterpriseE", &["Enterprise E"]),
    ("EnterpriseG", &["Enterprise G"]),
    ("EnterpriseGN", &["Enterprise G N"]),
    ("EnterpriseS", &["Enterprise LTSC", "Enterprise LTSB"]),
    ("EnterpriseSN", &["Enterprise N LTSC", "Enterprise N LTSB"]),
    ("IoTEnterpriseS", &["IoT Enterprise LTSC"]),
    ("Business", &["Business"]),
    ("BusinessN", &["Business N"]),
    ("Core", &["Core"]),
    ("CoreN", &["Core N"]),
    ("CoreSingleLanguage", &["Core Single Language"]),
    ("CoreCountrySpecific", &["Core Country Specific"]),
    // Retail-only editions of Vista and 7 (the seed's example of a machine a MAK cannot
    // activate): no GVLK table lists them.
    ("Starter", &["Starter"]),
    ("HomeBasic", &["Home Basic"]),
    ("HomePremium", &["Home Premium"]),
    ("Ultimate", &["Ultimate"]),
    ("ServerStandard", &["Standard"]),
    ("ServerDatacenter", &["Datacenter"]),
    ("ServerTurbine", &["Datacenter: Azure Edition"]),
    ("ServerEssentials", &["Essentials"]),
    ("ServerWeb", &["Web"]),
];

/// The GVLK-table names of an `EditionID` (case-insensitive), or `None` when volact does not
/// know the edition.
pub fn catalog_names(edition_id: &str) -> Option<&'static [&'static str]> {
    EDITIONS
        .iter()
        .find(|(id, _)| id.eq_ignore_ascii_case(edition_id))
        .map(|&(_, names)| names)
}

/// Whether an edition of a product family has a volume channel: Microsoft publishes a GVLK
/// for every edition it sells under volume licensing ("KMS client activation and product
/// keys", facts.md §3), and MAK and KMS are the volume channels, so an edition with no
/// published GVLK is a retail edition that a MAK cannot activate (the seed, MAK independent
/// activation step 6.4). This is volact's inference from the published tables, stated as
/// such in `docs/mak-workflows.md`. `None` when the `EditionID` is unknown.
pub fn has_volume_channel(family: &str, edition_id: &str) -> Option<bool> {
    let names = catalog_names(edition_id)?;
    Some(
        catalog::rows()
            .iter()
            .any(|r| same_family(r.family, family) && names.contains(&r.edition)),
    )
}

/// Whether a GVLK table's family covers a machine's: the same name, or a release of it the
/// tables head separately (`Windows 10 LTSC 2021` is a `Windows 10`: long-term servicing
/// editions report the family's name, and their captions do not name the release).
pub(crate) fn same_family(table: &str, machine: &str) -> bool {
    table.eq_ignore_ascii_case(machine)
        || table.len() > machine.len()
            && table.is_char_boundary(machine.len())
            && table[..machine.len()].eq_ignore_ascii_case(machine)
            && table[machine.len()..].starts_with(' ')
            && table[machine.len()..].contains("LTS")
}

/// The published GVLK of an edition of a family, when there is one.
pub fn gvlk_for(family: &str, edition_id: &str) -> Option<&'static catalog::GvlkRow> {
    let names = catalog_names(edition_id)?;
    catalog::rows()
        .iter()
        .find(|r| same_family(r.family, family) && names.contains(&r.edition))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn editions_read_against_the_published_tables() {
        assert_eq!(has_volume_channel("Windows 11", "Professional"), Some(true));
        assert_eq!(has_volume_channel("Windows 7", "Professional"), Some(true));
        // Home is Core on Windows 10/11: no GVLK is published for it.
        assert_eq!(has_volume_channel("Windows 11", "Core"), Some(false));
        assert_eq!(has_volume_channel("Windows 8", "Core"), Some(true));
        assert_eq!(has_volume_channel("Windows Vista", "Ultimate"), Some(false));
        assert_eq!(has_volume_channel("Windows 11", "NoSuchEdition"), None);
        // LTSC editions report their family's name; the tables head them by release.
        assert_eq!(has_volume_channel("Windows 10", "EnterpriseS"), Some(true));
        assert_eq!(
            has_volume_channel("Windows 10 LTSC 2021", "EnterpriseS"),
            Some(true)
        );
        assert_eq!(has_volume_channel("Windows 11", "Core"), Some(false));
        assert_eq!(
            gvlk_for("Windows 11", "enterprise").map(|r| r.key),
            Some("NPPR9-FWDCX-D2C8J-H872K-2YT43")
        );
        assert_eq!(
            gvlk_for("Windows Server 2025", "ServerDatacenter").map(|r| r.edition),
            Some("Datacenter")
        );
    }

    #[test]
    fn every_volume_name_in_the_table_is_in_the_catalog_or_a_retail_edition() {
        let retail = ["Starter", "Home Basic", "Home Premium", "Ultimate"];
        for (id, names) in EDITIONS {
            for n in *names {
                assert!(
                    retail.contains(n) || catalog::rows().iter().any(|r| r.edition == *n),
                    "{id} → {n} is in no GVLK row"
                );
            }
        }
    }
}
