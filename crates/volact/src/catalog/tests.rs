use super::*;
use crate::key::{Algorithm, ProductKey};

#[test]
fn all_167_rows_are_valid_keys_in_canonical_form() {
    assert_eq!(rows().len(), 167);
    for row in rows() {
        let key = ProductKey::parse(row.key).unwrap_or_else(|e| panic!("{}: {e}", row.key));
        assert_eq!(key.reveal(), row.key);
        assert_eq!(channel(&key), Some(GVLK_CHANNEL));
        assert!(rows_for_key(&key).contains(&row));
    }
}

#[test]
fn pkey2009_and_pkey2005_counts_match_the_research() {
    // facts.md §3: 142 pkey2009 keys, 25 Vista/7/2008/2008 R2 keys in pkey2005.
    let n2009 = rows()
        .iter()
        .filter(|r| ProductKey::parse(r.key).unwrap().algorithm() == Algorithm::Pkey2009)
        .count();
    assert_eq!((n2009, rows().len() - n2009), (142, 25));
}

#[test]
fn shared_keys_return_every_row() {
    let ent = ProductKey::parse("NPPR9-FWDCX-D2C8J-H872K-2YT43").unwrap();
    let families: Vec<&str> = rows_for_key(&ent).iter().map(|r| r.family).collect();
    assert_eq!(families, vec!["Windows 11", "Windows 10"]);
    let ltsc = ProductKey::parse("M7XTQ-FN8P6-TTKYV-9D4CC-J462D").unwrap();
    let families: Vec<&str> = rows_for_key(&ltsc).iter().map(|r| r.family).collect();
    assert_eq!(families.len(), 3, "{families:?}");
    assert!(families.iter().all(|f| f.contains("LTSC")));
}

#[test]
fn unknown_keys_have_no_rows_and_no_channel() {
    // A valid pkey2009 key that Microsoft does not publish as a GVLK: the Enterprise GVLK's
    // "twin" (facts.md §1.3), which decodes but is not in the catalog.
    let key = ProductKey::parse("VKCF7-HV62C-944TY-YJ9NF-6Q83G").unwrap();
    assert!(rows_for_key(&key).is_empty());
    assert_eq!(channel(&key), None);
}

#[test]
fn decoded_group_ids_agree_with_the_group_labels() {
    // Every GVLK whose group volact can name decodes to a group whose label fits its row.
    let mut named = 0;
    for row in rows() {
        let key = ProductKey::parse(row.key).unwrap();
        let Some(f) = key.pkey2009() else { continue };
        let label = group_label(f.group_id).unwrap_or_else(|| {
            panic!(
                "{} {}: group {} unnamed",
                row.family, row.edition, f.group_id
            )
        });
        assert!(
            label.contains("Volume:GVLK")
                || label.contains("volume group")
                || label.contains("KMS_Client"),
            "{} {} → {label}",
            row.family,
            row.edition
        );
        named += 1;
    }
    assert_eq!(named, 142);
}

#[test]
fn edition_queries_put_exact_names_first() {
    let hits = gvlk("Windows 11 Enterprise");
    assert_eq!(hits[0].key, "NPPR9-FWDCX-D2C8J-H872K-2YT43");
    assert!(hits.len() > 1 && hits.iter().all(|r| r.edition.contains("Enterprise")));
    let hits = gvlk("server 2022 datacenter");
    assert_eq!(hits[0].family, "Windows Server 2022");
    assert!(gvlk("no such product").is_empty());
    assert!(gvlk("   ").is_empty());
}
