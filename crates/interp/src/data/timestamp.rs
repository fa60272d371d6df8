//! Timestamps as AWS Step Functions reads and writes them.
//!
//! AWS accepts RFC 3339 date-times with an uppercase `T` and a zone designator (`Z` or a numeric
//! offset); fractional seconds of any length are allowed (docs/semantics/choice.md §5.4, §9;
//! <https://docs.aws.amazon.com/step-functions/latest/dg/state-wait.html>). Values without a zone,
//! with a space instead of `T`, or with out-of-range fields are not timestamps.
//!
//! Virtual time is kept as milliseconds since the Unix epoch (`i64`).

use chrono::{DateTime, SecondsFormat, Utc};

/// Milliseconds since the Unix epoch, UTC.
pub type Millis = i64;

/// Parses an AWS timestamp into nanoseconds since the epoch (kept at full precision so that
/// comparisons of `…000001Z` and `…000002Z` still differ). `None` when the text is not a timestamp.
pub fn parse_nanos(text: &str) -> Option<i128> {
    let bytes = text.as_bytes();
    // Shape checks chrono's RFC 3339 parser is lenient about: `T` must be uppercase and present,
    // `Z` uppercase, and the date part exactly `YYYY-MM-DD`.
    if bytes.len() < 20 || bytes.get(10) != Some(&b'T') {
        return None;
    }
    if !bytes[..4].iter().all(u8::is_ascii_digit) || bytes[4] != b'-' || bytes[7] != b'-' {
        return None;
    }
    if text.ends_with('z') {
        return None;
    }
    let parsed = DateTime::parse_from_rfc3339(text).ok()?;
    let utc = parsed.with_timezone(&Utc);
    Some(i128::from(utc.timestamp()) * 1_000_000_000 + i128::from(utc.timestamp_subsec_nanos()))
}

/// Parses an AWS timestamp into milliseconds since the epoch (rounded down).
pub fn parse_millis(text: &str) -> Option<Millis> {
    let nanos = parse_nanos(text)?;
    i64::try_from(nanos.div_euclid(1_000_000)).ok()
}

/// True when `text` is a timestamp AWS accepts.
pub fn is_timestamp(text: &str) -> bool {
    parse_nanos(text).is_some()
}

/// Formats virtual time the way AWS shows it in the context object and in history:
/// ISO-8601 UTC with `Z` and millisecond precision.
/// AWS strips trailing zeros of the fraction, so `…00.000Z` prints as `…00Z` and `…00.100Z` as
/// `…00.1Z` (<https://docs.aws.amazon.com/step-functions/latest/dg/input-output-contextobject.html>).
pub fn format_millis(millis: Millis) -> String {
    let text = match DateTime::<Utc>::from_timestamp_millis(millis) {
        Some(t) => t.to_rfc3339_opts(SecondsFormat::Millis, true),
        None => return "1970-01-01T00:00:00Z".to_string(),
    };
    match text.strip_suffix('Z').and_then(|t| t.split_once('.')) {
        Some((whole, fraction)) => {
            let fraction = fraction.trim_end_matches('0');
            if fraction.is_empty() {
                format!("{whole}Z")
            } else {
                format!("{whole}.{fraction}Z")
            }
        }
        None => text,
    }
}

/// The current wall-clock time in milliseconds.
pub fn now_millis() -> Millis {
    Utc::now().timestamp_millis()
}

#[cfg(test)]
mod tests {
    use super::*;

    // Accepted and rejected forms recorded against AWS (docs/semantics/wait.md §9).
    #[test]
    fn accepted_forms() {
        for ok in [
            "2016-03-14T01:59:00Z",
            "2016-12-05T21:29:29.000000Z",
            "2016-12-05T21:29:29.00Z",
            "2023-02-24T12:15:56.243167252Z",
            "2016-03-14T01:59:00+01:00",
        ] {
            assert!(is_timestamp(ok), "{ok}");
        }
    }

    #[test]
    fn rejected_forms() {
        for bad in [
            "2016-12-05T21:29:29",
            "2016-12-05T21:29:29.000000",
            "2016-12-05 21:29:29Z",
            "2016-13-05T21:29:29Z",
            "2016-12-05T25:29:29Z",
            "05-12-2016T21:29:29Z",
            "2016-12-05t21:29:29Z",
            "2016-12-05T21:29:29z",
            "",
            "not a time",
        ] {
            assert!(!is_timestamp(bad), "{bad}");
        }
    }

    #[test]
    fn precision_is_kept_for_comparison() {
        let a = parse_nanos("2023-02-24T12:15:56.000000001Z").unwrap();
        let b = parse_nanos("2023-02-24T12:15:56.000000002Z").unwrap();
        assert!(a < b);
        let z = parse_nanos("2016-03-14T01:59:00Z").unwrap();
        let off = parse_nanos("2016-03-14T02:59:00+01:00").unwrap();
        assert_eq!(z, off);
    }

    #[test]
    fn formats_with_millis_and_z() {
        assert_eq!(format_millis(0), "1970-01-01T00:00:00Z");
        assert_eq!(format_millis(1_500), "1970-01-01T00:00:01.5Z");
        assert_eq!(format_millis(1_020), "1970-01-01T00:00:01.02Z");
    }
}
