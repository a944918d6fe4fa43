//! The two date formats Huawei uses (the clock itself is [`crate::clock`]).
//!
//! Dates are formatted by hand (no date crate): `X-Sdk-Date` is `YYYYMMDDTHHMMSSZ` in UTC, and
//! IAM's `expires_at` is RFC 3339 (`2024-06-12T09:36:24.123000Z`).

use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Formats `time` as an `X-Sdk-Date` value: UTC `YYYYMMDDTHHMMSSZ` (times before 1970 are
/// clamped to 1970-01-01T00:00:00Z).
pub fn format_sdk_date(time: SystemTime) -> String {
    let secs = time
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let (year, month, day) = civil_from_days((secs / 86_400) as i64);
    let rem = secs % 86_400;
    format!(
        "{year:04}{month:02}{day:02}T{:02}{:02}{:02}Z",
        rem / 3600,
        (rem % 3600) / 60,
        rem % 60
    )
}

/// Parses an `X-Sdk-Date` value (`YYYYMMDDTHHMMSSZ`).
pub fn parse_sdk_date(value: &str) -> Option<SystemTime> {
    let b = value.as_bytes();
    if b.len() != 16 || b[8] != b'T' || b[15] != b'Z' {
        return None;
    }
    let num = |range: std::ops::Range<usize>| -> Option<u32> { value.get(range)?.parse().ok() };
    from_civil(
        num(0..4)? as i64,
        num(4..6)?,
        num(6..8)?,
        num(9..11)?,
        num(11..13)?,
        num(13..15)?,
        0,
    )
}

/// Parses an RFC 3339 timestamp as IAM writes `expires_at`: `YYYY-MM-DDTHH:MM:SS`, optional
/// fraction, then `Z` or `±HH:MM`.
pub(crate) fn parse_rfc3339(value: &str) -> Option<SystemTime> {
    let b = value.as_bytes();
    if b.len() < 20 || b[4] != b'-' || b[7] != b'-' || !matches!(b[10], b'T' | b't' | b' ') {
        return None;
    }
    if b[13] != b':' || b[16] != b':' {
        return None;
    }
    let num = |range: std::ops::Range<usize>| -> Option<u32> {
        let digits = value
            .get(range)
            .filter(|s| s.bytes().all(|c| c.is_ascii_digit()))?;
        digits.parse().ok()
    };
    let mut rest = value.get(19..)?;
    let mut nanos = 0u32;
    if let Some(frac) = rest.strip_prefix('.') {
        let digits = frac.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            return None;
        }
        // Nanosecond precision is plenty; extra digits are dropped.
        let kept = &frac[..digits.min(9)];
        nanos = kept.parse::<u32>().ok()? * 10u32.pow(9 - kept.len() as u32);
        rest = &frac[digits..];
    }
    let offset_secs: i64 = match rest {
        "Z" | "z" => 0,
        _ => {
            let sign = match rest.as_bytes().first()? {
                b'+' => 1,
                b'-' => -1,
                _ => return None,
            };
            let (h, m) = rest.get(1..)?.split_once(':')?;
            if h.len() != 2 || m.len() != 2 {
                return None;
            }
            sign * (h.parse::<i64>().ok()? * 3600 + m.parse::<i64>().ok()? * 60)
        }
    };
    let local = from_civil(
        num(0..4)? as i64,
        num(5..7)?,
        num(8..10)?,
        num(11..13)?,
        num(14..16)?,
        num(17..19)?,
        nanos,
    )?;
    if offset_secs >= 0 {
        local.checked_sub(Duration::from_secs(offset_secs as u64))
    } else {
        local.checked_add(Duration::from_secs(offset_secs.unsigned_abs()))
    }
}

/// Formats `time` as RFC 3339 in UTC with microseconds, the way IAM writes `expires_at`.
#[cfg(test)]
fn format_rfc3339(time: SystemTime) -> String {
    let since = time.duration_since(UNIX_EPOCH).unwrap_or_default();
    let secs = since.as_secs();
    let (year, month, day) = civil_from_days((secs / 86_400) as i64);
    let rem = secs % 86_400;
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{:06}Z",
        rem / 3600,
        (rem % 3600) / 60,
        rem % 60,
        since.subsec_micros()
    )
}

fn from_civil(
    year: i64,
    month: u32,
    day: u32,
    hour: u32,
    minute: u32,
    second: u32,
    nanos: u32,
) -> Option<SystemTime> {
    if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
        return None;
    }
    // 60 allows a leap second, which lands on the next second like most parsers do.
    if hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    let days = days_from_civil(year, month, day);
    let secs = days * 86_400 + i64::from(hour) * 3600 + i64::from(minute) * 60 + i64::from(second);
    let secs = u64::try_from(secs).ok()?;
    UNIX_EPOCH.checked_add(Duration::new(secs, nanos))
}

fn is_leap(year: i64) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

// Howard Hinnant's days-from-civil and civil-from-days algorithms (proleptic Gregorian).
fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(month);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // Tests may unwrap.
mod tests {
    use super::*;

    #[test]
    fn sdk_date_round_trips() {
        let t = parse_sdk_date("20191115T033655Z").unwrap();
        assert_eq!(
            t.duration_since(UNIX_EPOCH).unwrap().as_secs(),
            1_573_789_015
        );
        assert_eq!(format_sdk_date(t), "20191115T033655Z");
        assert_eq!(format_sdk_date(UNIX_EPOCH), "19700101T000000Z");
        assert_eq!(
            format_sdk_date(parse_sdk_date("20240229T235959Z").unwrap()),
            "20240229T235959Z"
        );
        assert!(parse_sdk_date("20230229T000000Z").is_none());
        assert!(parse_sdk_date("2019-11-15T03:36:55Z").is_none());
    }

    #[test]
    fn rfc3339_as_iam_writes_it() {
        let t = parse_rfc3339("2019-11-15T03:36:55.123000Z").unwrap();
        assert_eq!(
            t.duration_since(UNIX_EPOCH).unwrap().as_millis(),
            1_573_789_015_123
        );
        assert_eq!(format_rfc3339(t), "2019-11-15T03:36:55.123000Z");
        assert_eq!(
            parse_rfc3339("2019-11-15T11:36:55+08:00"),
            parse_rfc3339("2019-11-15T03:36:55Z")
        );
        assert_eq!(
            parse_rfc3339("2019-11-14T22:36:55-05:00"),
            parse_rfc3339("2019-11-15T03:36:55Z")
        );
        for bad in [
            "",
            "2019-11-15",
            "2019-13-15T03:36:55Z",
            "2019-11-15T03:36:55",
            "2019-11-15T03:36:55.Z",
        ] {
            assert!(parse_rfc3339(bad).is_none(), "{bad}");
        }
    }
}
