use super::*;
use proptest::prelude::*;

fn fields(key: &str) -> Pkey2009 {
    ProductKey::parse(key)
        .unwrap_or_else(|e| panic!("{key}: {e}"))
        .pkey2009()
        .expect("pkey2009")
}

// Every vector of facts.md §1.3.

#[test]
fn enterprise_gvlk_decodes_to_group_3290() {
    let f = fields("NPPR9-FWDCX-D2C8J-H872K-2YT43");
    assert_eq!(
        (f.group_id, f.serial, f.checksum, f.security),
        (3290, 3, 0x033, 0xF99457819D8C6)
    );
    assert!(!f.upgrade && !f.extra);
}

#[test]
fn pro_gvlk_decodes_to_group_3311() {
    let f = fields("W269N-WFGWX-YVC9B-4J6C9-T83GX");
    assert_eq!(
        (f.group_id, f.serial, f.checksum, f.security),
        (3311, 1, 0x25E, 0x1BAF538E714F4D)
    );
}

#[test]
fn server_2022_datacenter_gvlk_decodes_to_group_4546() {
    let f = fields("WX4NM-KYWYW-QJJR4-XV3QB-6VM33");
    assert_eq!((f.group_id, f.serial, f.checksum), (4546, 1, 0x1DA));
}

#[test]
fn office_ltsc_2024_proplus_decodes_to_group_5024() {
    let f = fields("XJ2XN-FW8RK-P4HMP-DKDBV-GCVGB");
    assert_eq!((f.group_id, f.serial, f.checksum), (5024, 0, 0x261));
}

#[test]
fn server_2025_standard_decodes_to_group_4929() {
    let f = fields("TVRH6-WHNXV-R9WG3-9XRFY-MY832");
    assert_eq!((f.group_id, f.serial, f.checksum), (4929, 1, 0x3DD));
}

#[test]
fn office_2013_proplus_decodes_to_group_2164() {
    let f = fields("YC7DK-G2NP3-2QQC3-J6H88-GVGXT");
    assert_eq!((f.group_id, f.serial), (2164, 0));
}

#[test]
fn mistyped_last_symbol_fails_the_checksum_but_still_decodes() {
    let text = "NPPR9-FWDCX-D2C8J-H872K-2YT44";
    assert_eq!(
        ProductKey::parse(text),
        Err(KeyError::Checksum {
            stored: 0x033,
            computed: 0x309
        })
    );
    let r = inspect(text);
    assert_eq!(r.algorithm, Some(Algorithm::Pkey2009));
    assert_eq!(r.fields.map(|f| f.group_id), Some(3291));
    assert!(r.key.is_none() && r.fingerprint.is_some());
}

#[test]
fn twin_keys_share_group_and_serial_and_differ_in_the_extra_bit() {
    let a = fields("NJCF7-PW8QT-3324D-688JX-2YV66");
    let b = fields("VKCF7-HV62C-944TY-YJ9NF-6Q83G");
    assert_eq!((a.group_id, a.serial), (3892, 1));
    assert_eq!((b.group_id, b.serial), (3892, 1));
    assert_eq!((a.checksum, b.checksum), (0x021, 0x188));
    assert!(!a.extra && b.extra);
}

// Syntax rules.

#[test]
fn accepts_any_case_dashes_and_whitespace() {
    let canonical = "NPPR9-FWDCX-D2C8J-H872K-2YT43";
    for text in [
        canonical,
        "nppr9-fwdcx-d2c8j-h872k-2yt43",
        "NPPR9FWDCXD2C8JH872K2YT43",
        "  NPPR9 FWDCX\tD2C8J\nH872K 2YT43\r\n",
        "N-P-P-R-9FWDCXD2C8JH872K2YT43",
    ] {
        let key = ProductKey::parse(text).unwrap_or_else(|e| panic!("{text:?}: {e}"));
        assert_eq!(key.reveal(), canonical);
    }
}

#[test]
fn wrong_lengths_name_the_count() {
    assert_eq!(
        ProductKey::parse("NPPR9-FWDCX-D2C8J-H872K-2YT4"),
        Err(KeyError::Length { found: 24 })
    );
    assert_eq!(
        ProductKey::parse("NPPR9-FWDCX-D2C8J-H872K-2YT433"),
        Err(KeyError::Length { found: 26 })
    );
    assert_eq!(ProductKey::parse(""), Err(KeyError::Length { found: 0 }));
    assert_eq!(ProductKey::parse(" - "), Err(KeyError::Length { found: 0 }));
}

#[test]
fn invalid_characters_name_their_position() {
    // 'A' is no key symbol; it stands at character index 7 of the text.
    let e = ProductKey::parse("NPPR9-FADCX-D2C8J-H872K-2YT43").unwrap_err();
    assert_eq!(
        e,
        KeyError::InvalidCharacter {
            position: 7,
            found: 'A'
        }
    );
    assert!(e.to_string().contains("character 8"), "{e}");
    // Non-ASCII characters are counted as characters, not bytes.
    assert_eq!(
        ProductKey::parse("é NPPR9").unwrap_err().position(),
        Some(0)
    );
    assert_eq!(
        ProductKey::parse("NPPR9é").unwrap_err(),
        KeyError::InvalidCharacter {
            position: 5,
            found: 'é'
        }
    );
}

#[test]
fn a_second_n_is_refused_at_its_position() {
    let e = ProductKey::parse("NPPR9-FWDCN-D2C8J-H872K-2YT43").unwrap_err();
    assert_eq!(e, KeyError::MultipleN { position: 10 });
}

#[test]
fn n_in_the_last_position_is_refused() {
    let e = ProductKey::parse("BBBBB-BBBBB-BBBBB-BBBBB-BBBBN").unwrap_err();
    assert_eq!(e, KeyError::NInLastPosition { position: 28 });
}

#[test]
fn keys_without_n_are_pkey2005_and_checked_for_syntax_only() {
    // Windows 7 Professional GVLK (gvlk.csv, from S1).
    let key = ProductKey::parse("FJ82H-XT6CR-J8D7P-XQJJ2-GPDD4").unwrap();
    assert_eq!(key.algorithm(), Algorithm::Pkey2005);
    assert_eq!(key.pkey2009(), None);
    let r = inspect("FJ82H-XT6CR-J8D7P-XQJJ2-GPDD4");
    assert!(r.is_valid() && r.fields.is_none());
}

// Masking and fingerprints.

#[test]
fn debug_and_display_mask_the_key() {
    let key = ProductKey::parse("NPPR9-FWDCX-D2C8J-H872K-2YT43").unwrap();
    assert_eq!(key.to_string(), "XXXXX-XXXXX-XXXXX-XXXXX-2YT43");
    assert_eq!(format!("{key:#}"), "XXXXX-XXXXX-XXXXX-XXXXX-2YT43");
    let debug = format!("{key:?} {:?}", inspect("NPPR9-FWDCX-D2C8J-H872K-2YT43"));
    assert!(
        !debug.contains("NPPR9") && !debug.contains("FWDCX"),
        "{debug}"
    );
    assert_eq!(key.partial(), "2YT43");
}

#[test]
fn errors_never_carry_the_key() {
    let texts = [
        "NPPR9-FWDCX-D2C8J-H872K-2YT44",
        "NPPR9-FWDCX-D2C8J-H872K-2YT4",
        "NPPR9-FWDCN-D2C8J-H872K-2YT43",
    ];
    for text in texts {
        let e = ProductKey::parse(text).unwrap_err();
        let shown = format!("{e} {e:?}");
        assert!(
            !shown.contains("FWDCX") && !shown.contains("D2C8J"),
            "{shown}"
        );
    }
}

#[test]
fn masked_text_shows_at_most_the_last_five_of_any_text() {
    assert_eq!(
        masked_text("nppr9-fwdcx-d2c8j-h872k-2yt4$"),
        "XXXXX-XXXXX-XXXXX-XXXXX-2YT4$"
    );
    assert_eq!(
        masked_text("NPPR9-FWDCX-D2C8J-H872K-2YT43-BBBBB"),
        "XXXXX-XXXXX-XXXXX-XXXXX-BBBBB"
    );
    assert_eq!(masked_text("abc"), "XXXXX-XXXXX-XXXXX-XXXXX-ABC");
    assert_eq!(masked_text(""), "XXXXX-XXXXX-XXXXX-XXXXX-");
}

#[test]
fn fingerprint_is_sha256_of_the_canonical_form() {
    let key = ProductKey::parse("nppr9fwdcxd2c8jh872k2yt43").unwrap();
    // sha256("NPPR9-FWDCX-D2C8J-H872K-2YT43"), computed with coreutils' sha256sum.
    assert_eq!(
        key.fingerprint(),
        "aa6ab25a2bb1c69f3cc2802003310af8015bce5b69e83c5e6d8367eb9ae368ab"
    );
    assert_eq!(key.fingerprint().len(), 64);
    assert_eq!(
        key.fingerprint(),
        ProductKey::parse("NPPR9-FWDCX-D2C8J-H872K-2YT43")
            .unwrap()
            .fingerprint()
    );
}

// DigitalProductId.

fn blob_with(offset: usize, len: usize, key_bytes: &[u8; 15]) -> Vec<u8> {
    let mut blob = vec![0xAAu8; len];
    blob[offset..offset + 15].copy_from_slice(key_bytes);
    blob
}

const ENTERPRISE_BYTES: [u8; 15] = [
    0xda, 0x0c, 0x30, 0x00, 0x00, 0x00, 0x18, 0x63, 0x67, 0xe0, 0x15, 0x65, 0xbe, 0x19, 0x08,
];

#[test]
fn digital_product_id_decodes_the_documented_bytes() {
    let blob = blob_with(52, 164, &ENTERPRISE_BYTES);
    let key = decode_digital_product_id(&blob, DpidLayout::DigitalProductId).unwrap();
    assert_eq!(key.reveal(), "NPPR9-FWDCX-D2C8J-H872K-2YT43");
    let blob4 = blob_with(808, 1272, &ENTERPRISE_BYTES);
    let key4 = decode_digital_product_id(&blob4, DpidLayout::DigitalProductId4).unwrap();
    assert_eq!(key4, key);
}

#[test]
fn digital_product_id_without_the_flag_is_pkey2005() {
    let key = ProductKey::parse("FJ82H-XT6CR-J8D7P-XQJJ2-GPDD4").unwrap();
    let bytes = key_bytes(&key);
    assert_eq!(bytes[14] & 0x08, 0);
    let blob = blob_with(52, 164, &bytes);
    let back = decode_digital_product_id(&blob, DpidLayout::DigitalProductId).unwrap();
    assert_eq!(back, key);
    assert_eq!(back.algorithm(), Algorithm::Pkey2005);
}

/// The registry encoding of a key, built only here to test the decoder against keys
/// Microsoft publishes (facts.md §1.4).
fn key_bytes(key: &ProductKey) -> [u8; 15] {
    let syntax = key.syntax();
    let mut v = syntax.value();
    if key.algorithm() == Algorithm::Pkey2009 {
        v |= 1 << 115;
    }
    v.to_le_bytes()[..15].try_into().unwrap()
}

#[test]
fn every_gvlk_round_trips_through_its_registry_bytes() {
    for row in crate::catalog::rows() {
        let key = ProductKey::parse(row.key).unwrap();
        let blob = blob_with(52, 164, &key_bytes(&key));
        let back = decode_digital_product_id(&blob, DpidLayout::DigitalProductId).unwrap();
        assert_eq!(back.reveal(), row.key);
    }
}

#[test]
fn digital_product_id_errors() {
    assert!(matches!(
        decode_digital_product_id(&[0; 66], DpidLayout::DigitalProductId),
        Err(DigitalProductIdError::TooShort {
            len: 66,
            needed: 67,
            ..
        })
    ));
    let mut bytes = ENTERPRISE_BYTES;
    bytes[14] |= 0xF0; // bits 116..119 are beyond any key
    let blob = blob_with(52, 164, &bytes);
    assert!(matches!(
        decode_digital_product_id(&blob, DpidLayout::DigitalProductId),
        Err(DigitalProductIdError::OutOfRange { offset: 52 })
    ));
    let mut bytes = ENTERPRISE_BYTES;
    bytes[0] ^= 1; // a different group id, same checksum: mismatch
    let blob = blob_with(52, 164, &bytes);
    assert!(matches!(
        decode_digital_product_id(&blob, DpidLayout::DigitalProductId),
        Err(DigitalProductIdError::Key(KeyError::Checksum { .. }))
    ));
}

// Batch.

#[test]
fn batch_results_line_up_with_lines() {
    let text = "NPPR9-FWDCX-D2C8J-H872K-2YT43\n\nFJ82H-XT6CR-J8D7P-XQJJ2-GPDD4\r\nNPPR9-FWDCX-D2C8J-H872K-2YT44";
    let out = check_batch(text);
    assert_eq!(out.len(), 4 * 5);
    assert_eq!(&out[..4], &[2, 0, 1, 3]);
    let groups: Vec<u32> = out[4..]
        .chunks_exact(4)
        .map(|c| u32::from_le_bytes(c.try_into().unwrap()))
        .collect();
    assert_eq!(groups, vec![3290, 0, 0, 3291]);
    assert!(check_batch("").is_empty());
    assert_eq!(check_batch("\n").len(), 10);
}

// Properties.

fn key_text() -> impl Strategy<Value = String> {
    // Mostly key-shaped texts, with N, separators and stray characters mixed in.
    proptest::collection::vec(
        prop_oneof![
            8 => proptest::sample::select(ALPHABET.to_vec()).prop_map(char::from),
            1 => Just('N'),
            1 => Just('-'),
            1 => proptest::char::any(),
        ],
        0..40,
    )
    .prop_map(|cs| cs.into_iter().collect())
}

proptest! {
    #[test]
    fn no_text_panics_and_inspect_agrees_with_parse(text in key_text()) {
        let report = inspect(&text);
        let parsed = ProductKey::parse(&text);
        prop_assert_eq!(report.error.clone(), parsed.clone().err());
        prop_assert_eq!(report.key.clone(), parsed.ok());
        prop_assert_eq!(ProductKey::is_valid(&text), report.is_valid());
    }

    #[test]
    fn canonical_form_parses_back_to_the_same_key(text in key_text()) {
        if let Ok(key) = ProductKey::parse(&text) {
            let again = ProductKey::parse(&key.reveal()).unwrap();
            prop_assert_eq!(&again, &key);
            prop_assert_eq!(again.reveal(), key.reveal());
        }
    }

    #[test]
    fn a_single_substitution_in_a_gvlk_is_caught_or_is_another_valid_key(
        row in 0usize..167, pos in 0usize..25, sym in 0usize..24
    ) {
        let original = crate::catalog::rows()[row].key;
        let mut chars: Vec<u8> = original.bytes().filter(|&b| b != b'-').collect();
        if chars[pos] != b'N' {
            chars[pos] = ALPHABET[sym];
            let text = String::from_utf8(chars).unwrap();
            let report = inspect(&text);
            // Whatever the verdict, it agrees with a direct recomputation of the checksum.
            if let (Some(f), Ok(syntax)) = (report.fields, Syntax::parse(&text)) {
                let expected = pkey2009::expected_checksum(syntax.value());
                prop_assert_eq!(report.is_valid(), f.checksum == expected);
            }
        }
    }
}
