//! The simulation's fictitious identifiers: Installation IDs, Confirmation IDs, Activation
//! IDs (GUIDs), hardware ids, MAC addresses and extended product IDs, each a deterministic
//! function of what it stands for.
//!
//! They have the *layout* of the real ones — so volact's own parsers and check-digit
//! validation ([`volact_core::ids`], [`volact_core::epid`]) accept them — and nothing else:
//! the digits are SHA-256 output turned into decimal, not the encoding Windows uses. They
//! mean nothing to Windows or to Microsoft's activation services, and nothing here can make
//! an ID that does.

use sha2::{Digest, Sha256};
use volact_core::ids::check_digit;

/// Decimal digits drawn from SHA-256 over a domain and length-prefixed parts (counter mode).
/// Bytes of 250 and above are skipped, so every digit is equally likely.
fn digits(domain: &str, parts: &[&[u8]], count: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(count);
    let mut block = 0u32;
    while out.len() < count {
        let mut h = Sha256::new();
        h.update(b"volact-sim\0");
        h.update(domain.as_bytes());
        for p in parts {
            h.update((p.len() as u64).to_le_bytes());
            h.update(p);
        }
        h.update(block.to_le_bytes());
        for b in h.finalize() {
            if b < 250 && out.len() < count {
                out.push(b % 10);
            }
        }
        block += 1;
    }
    out
}

/// `groups` groups of `data_len` digits, each followed by its mod-7 check digit
/// ([`check_digit`], the rule of facts.md §2.1), joined by `-`.
fn checked_groups(domain: &str, parts: &[&[u8]], groups: usize, data_len: usize) -> String {
    digits(domain, parts, groups * data_len)
        .chunks(data_len)
        .map(|data| {
            let mut g: String = data.iter().map(|d| char::from(b'0' + d)).collect();
            g.push(char::from(b'0' + check_digit(data)));
            g
        })
        .collect::<Vec<_>>()
        .join("-")
}

/// A fictitious 63-digit Installation ID (9 groups of 7, the pkey2009 layout) for a machine's
/// hardware and installed key: the same inputs give the same IID, a change of either gives
/// another.
pub fn installation_id(hardware_id: &str, key_id: &str) -> String {
    checked_groups(
        "installation id",
        &[hardware_id.as_bytes(), key_id.as_bytes()],
        9,
        6,
    )
}

/// A fictitious 48-digit Confirmation ID (8 groups of 6, the Vista-and-later layout) for an
/// IID, keyed by the simulated service's secret: only that service can issue it.
pub(crate) fn confirmation_id(secret: &[u8], iid_digits: &str) -> String {
    checked_groups("confirmation id", &[secret, iid_digits.as_bytes()], 8, 5)
}

/// A fictitious GUID (RFC 9562 version 8), lowercase without braces as WMI shows
/// Activation IDs.
pub fn guid(domain: &str, parts: &[&str]) -> String {
    let mut h = Sha256::new();
    h.update(b"volact-sim guid\0");
    h.update(domain.as_bytes());
    for p in parts {
        h.update((p.len() as u64).to_le_bytes());
        h.update(p.as_bytes());
    }
    let d = h.finalize();
    let mut b = [0u8; 16];
    b.copy_from_slice(&d[..16]);
    b[6] = (b[6] & 0x0F) | 0x80; // version 8
    b[8] = (b[8] & 0x3F) | 0x80; // variant 10
    let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

/// A fictitious hardware id for a machine's name and hardware generation.
pub fn hardware_id(name: &str, generation: u32) -> String {
    let g = generation.to_string();
    let d = digits(
        "hardware id",
        &[name.to_ascii_lowercase().as_bytes(), g.as_bytes()],
        16,
    );
    let text: String = d.iter().map(|x| char::from(b'0' + x)).collect();
    format!("SIMHW-{text}")
}

/// A fictitious MAC address for a computer name: locally administered (`02-…`), so it can
/// belong to no real network card, in the dashed form Windows shows.
pub fn mac_address(name: &str) -> String {
    let mut h = Sha256::new();
    h.update(b"volact-sim mac\0");
    h.update(name.to_ascii_lowercase().as_bytes());
    let d = h.finalize();
    let mut parts = vec!["02".to_owned()];
    parts.extend(d[..5].iter().map(|b| format!("{b:02X}")));
    parts.join("-")
}

/// Five fictitious key symbols for a label: the `PartialProductKey` of a simulated image key
/// that is no product key at all.
pub fn partial_key(label: &str) -> String {
    digits("partial key", &[label.as_bytes()], 10)
        .chunks(2)
        .map(|p| {
            let i = usize::from(p[0] * 10 + p[1]) % volact_core::key::ALPHABET.len();
            char::from(volact_core::key::ALPHABET[i])
        })
        .collect()
}

/// An extended product ID in the `PPPPP-GGGGG-SSS-SSSSSS-CC-LLLL-B.B-DDDYYYY` layout
/// (facts.md §2.3): a fictitious platform `00000`, the key's group and serial, the channel
/// code (`00` retail, `03` volume), LCID 1033 (en-US), the OS build and a fixed install date.
pub fn extended_pid(group: u32, serial: u32, channel: u8, build: u32) -> String {
    format!(
        "00000-{group:05}-{:03}-{:06}-{channel:02}-1033-{build}.0000-1002025",
        serial / 1_000_000,
        serial % 1_000_000
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use volact_core::epid::Epid;
    use volact_core::ids::{ConfirmationId, InstallationId};

    #[test]
    fn iids_have_the_63_digit_layout_with_valid_check_digits_and_follow_their_inputs() {
        let a = installation_id("SIMHW-1", "key-a");
        let parsed = InstallationId::parse(&a).expect("volact accepts the simulated IID");
        assert_eq!(parsed.format().digits(), 63);
        assert_eq!(a.split('-').count(), 9);
        assert!(a.split('-').all(|g| g.len() == 7));
        assert_eq!(a, installation_id("SIMHW-1", "key-a"));
        assert_ne!(a, installation_id("SIMHW-2", "key-a"));
        assert_ne!(a, installation_id("SIMHW-1", "key-b"));
        // Length-prefixed parts: moving a character from one input to the other changes it.
        assert_ne!(
            installation_id("SIMHW-1k", "ey-a"),
            installation_id("SIMHW-1", "key-a")
        );
    }

    #[test]
    fn cids_have_the_48_digit_layout_with_valid_check_digits_and_depend_on_the_secret() {
        let c = confirmation_id(b"secret", "123");
        let parsed = ConfirmationId::parse(&c).expect("strict parse: every check digit holds");
        assert_eq!(parsed.format().digits(), 48);
        assert!(parsed.unconfirmed_bad_groups().is_empty());
        assert_eq!(c, confirmation_id(b"secret", "123"));
        assert_ne!(c, confirmation_id(b"other", "123"));
        assert_ne!(c, confirmation_id(b"secret", "124"));
    }

    #[test]
    fn guids_macs_partials_and_epids_have_their_layouts() {
        let g = guid("activation id", &["Windows 11", "Enterprise"]);
        assert_eq!(g.len(), 36);
        assert_eq!(&g[14..15], "8", "version 8");
        assert_ne!(g, guid("activation id", &["Windows 11", "Core"]));
        let mac = mac_address("LAB-PC01");
        assert!(mac.starts_with("02-") && mac.len() == 17);
        assert_eq!(mac, mac_address("lab-pc01"));
        let p = partial_key("image");
        assert_eq!(p.len(), 5);
        assert!(p.bytes().all(|b| volact_core::key::ALPHABET.contains(&b)));
        let e = extended_pid(3892, 1, 3, 22631);
        let parsed = Epid::parse(&e).expect("volact reads the simulated ePID");
        assert_eq!(parsed.group_id, 3892);
        assert_eq!(parsed.serial, 1);
        assert_eq!(parsed.channel_name(), Some("Volume"));
        assert_ne!(hardware_id("PC", 0), hardware_id("PC", 1));
        assert_eq!(hardware_id("PC", 0), hardware_id("pc", 0));
    }
}
