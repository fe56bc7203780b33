//! Extended product IDs.

use super::*;

/// A parsed extended product ID (`PPPPP-GGGGG-SSS-SSSSSS-CC-LLLL-B.B-DDDYYYY`).
#[derive(Clone, PartialEq, Eq, uniffi::Record)]
#[uniffi::export(Display, Debug)]
pub struct Epid {
    /// `PPPPP`: platform id.
    pub platform: u32,
    /// `GGGGG`: key group id.
    pub group_id: u32,
    /// `SSS-SSSSSS` as one number.
    pub serial: u32,
    /// `CC`: channel code.
    pub channel: u8,
    /// The channel's name for known codes (`Retail`, `CCP`, `OEM`, `Volume`).
    pub channel_name: Option<String>,
    /// `LLLL`: locale id.
    pub lcid: u32,
    /// Build, before the dot.
    pub build: u32,
    /// Build revision, after the dot.
    pub build_revision: u32,
    /// `DDD`: day of the year.
    pub install_day: u16,
    /// `YYYY`.
    pub install_year: u16,
    /// The canonical, zero-padded text.
    pub canonical: String,
}

py_repr!(Epid {
    platform,
    group_id,
    serial,
    channel,
    channel_name,
    lcid,
    build,
    build_revision,
    install_day,
    install_year,
    canonical
});

/// Parses an extended product ID. Raises `VolactError.InvalidEpid`.
#[uniffi::export]
pub fn parse_epid(text: String) -> Result<Epid, VolactError> {
    let e = epid::Epid::parse(&text)?;
    Ok(Epid {
        platform: e.platform,
        group_id: e.group_id,
        serial: e.serial,
        channel: e.channel,
        channel_name: e.channel_name().map(str::to_owned),
        lcid: e.lcid,
        build: e.build,
        build_revision: e.build_revision,
        install_day: e.install_day,
        install_year: e.install_year,
        canonical: e.to_string(),
    })
}
