//! Product keys stored in the registry as `DigitalProductId` blobs (read-only inventory).
//!
//! `HKLM\SOFTWARE\Microsoft\Windows NT\CurrentVersion\DigitalProductId` (REG_BINARY) holds
//! the key as a 15-byte little-endian number at offset 52; bit 0x08 of byte 66 (bit 115 of
//! that number) flags a pkey2009 key, whose most significant base-24 digit is then the index
//! of `N` (facts.md §1.4, S15; round trip checked on four keys). Peers test `(b66 / 6) & 1`,
//! which misreads other bits of byte 66; volact tests the bit.
//!
//! `DigitalProductId4` holds the same 15 bytes at offset 808 (0x328), flag in byte 822.
//! **That layout rests on third-party decoders only** (GLPI agent, dissect.target); no
//! Microsoft document describes it.

use super::{KeyError, ProductKey, Syntax, alphabet::N, pkey2009};

/// Which registry value a blob came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DpidLayout {
    /// `DigitalProductId`: key bytes at 52..67.
    DigitalProductId,
    /// `DigitalProductId4`: key bytes at 808..823 (third-party sources only).
    DigitalProductId4,
}

impl DpidLayout {
    /// Offset of the 15 key bytes.
    pub fn key_offset(self) -> usize {
        match self {
            DpidLayout::DigitalProductId => 52,
            DpidLayout::DigitalProductId4 => 808,
        }
    }
}

/// Why a blob does not hold a readable key.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DigitalProductIdError {
    /// The blob ends before the key bytes do.
    #[error("blob too short: {len} bytes, the key ends at byte {needed} ({layout:?})")]
    TooShort {
        /// The blob's length.
        len: usize,
        /// The length the layout needs.
        needed: usize,
        /// The layout asked for.
        layout: DpidLayout,
    },
    /// The key bytes (bits above the flag, or a number of more than 25 base-24 digits)
    /// cannot be a key: usually the wrong layout or a damaged value.
    #[error("key bytes at offset {offset} are out of range for a product key")]
    OutOfRange {
        /// Offset of the key bytes.
        offset: usize,
    },
    /// The bytes decode to a key that fails the key rules (a pkey2009 checksum).
    #[error("the stored key is not valid: {0}")]
    Key(#[from] KeyError),
}

const PKEY2009_FLAG: u128 = 1 << 115;

/// Decodes the product key in a `DigitalProductId` or `DigitalProductId4` blob.
///
/// ```
/// use volact::key::{decode_digital_product_id, DpidLayout};
/// let mut blob = vec![0u8; 164];
/// let key_bytes = [0xda, 0x0c, 0x30, 0, 0, 0, 0x18, 0x63, 0x67, 0xe0, 0x15, 0x65, 0xbe, 0x19, 0x08];
/// blob[52..67].copy_from_slice(&key_bytes); // facts.md §1.4: the Enterprise GVLK
/// let key = decode_digital_product_id(&blob, DpidLayout::DigitalProductId)?;
/// assert_eq!(key.reveal(), "NPPR9-FWDCX-D2C8J-H872K-2YT43");
/// # Ok::<(), volact::key::DigitalProductIdError>(())
/// ```
pub fn decode_digital_product_id(
    blob: &[u8],
    layout: DpidLayout,
) -> Result<ProductKey, DigitalProductIdError> {
    let offset = layout.key_offset();
    let needed = offset + 15;
    let bytes = blob
        .get(offset..needed)
        .ok_or(DigitalProductIdError::TooShort {
            len: blob.len(),
            needed,
            layout,
        })?;
    let mut le = [0u8; 16];
    le[..15].copy_from_slice(bytes);
    let raw = u128::from_le_bytes(le);
    let is_2009 = raw & PKEY2009_FLAG != 0;
    let digits = pkey2009::unfold(raw & !PKEY2009_FLAG)
        .ok_or(DigitalProductIdError::OutOfRange { offset })?;
    let syntax = if is_2009 {
        // The top digit is the index of N; the other 24 digits are the symbols around it.
        let idx = usize::from(digits[0]);
        let mut classes = [0u8; 25];
        for (i, slot) in classes.iter_mut().enumerate() {
            *slot = match i.cmp(&idx) {
                std::cmp::Ordering::Less => digits[i + 1],
                std::cmp::Ordering::Equal => N,
                std::cmp::Ordering::Greater => digits[i],
            };
        }
        Syntax {
            classes,
            n_index: Some(idx),
        }
    } else {
        Syntax {
            classes: digits,
            n_index: None,
        }
    };
    if let Some((fields, computed)) = syntax.decode()
        && fields.checksum != computed
    {
        return Err(KeyError::Checksum {
            stored: fields.checksum,
            computed,
        }
        .into());
    }
    Ok(syntax.into_key())
}
