//! Unix seconds as RFC 3339 UTC text, for lists and JSON (the core reads no clock and needs
//! no calendar library for this one conversion).

/// Formats Unix seconds as RFC 3339 UTC, e.g. `2023-11-14T22:13:20Z`.
///
/// The civil-from-days conversion is Howard Hinnant's ("chrono-Compatible Low-Level Date
/// Algorithms", `civil_from_days`), exact for the whole proleptic Gregorian calendar.
///
/// ```
/// assert_eq!(volact::mak::format_utc(0), "1970-01-01T00:00:00Z");
/// assert_eq!(volact::mak::format_utc(1_700_000_000), "2023-11-14T22:13:20Z");
/// assert_eq!(volact::mak::format_utc(-1), "1969-12-31T23:59:59Z");
/// ```
pub fn format_utc(unix_seconds: i64) -> String {
    let days = unix_seconds.div_euclid(86_400);
    let secs = unix_seconds.rem_euclid(86_400);
    let (year, month, day) = civil_from_days(days);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        secs / 3600,
        secs % 3600 / 60,
        secs % 60
    )
}

fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}
