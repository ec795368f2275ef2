//! Durations with units: parsing `"90s"`, `"5min"`, `"8h"`, `"30d"`, `"1y"` into hours, and formatting back.
//!
//! Simulation time is measured in hours (`f64`); one year is 8760 h (365 days, no leap years), so that
//! "downtime per year" means the same thing in every output.

/// Simulation time and durations, in hours.
pub type Hours = f64;

/// Hours in one year (365 days).
pub const HOURS_PER_YEAR: Hours = 8760.0;

/// Accepted unit suffixes and their length in hours, longest names first so that `min` wins over `m...`.
const UNITS: &[(&str, f64)] = &[
    ("minutes", 1.0 / 60.0),
    ("minute", 1.0 / 60.0),
    ("seconds", 1.0 / 3600.0),
    ("second", 1.0 / 3600.0),
    ("hours", 1.0),
    ("hour", 1.0),
    ("years", HOURS_PER_YEAR),
    ("year", HOURS_PER_YEAR),
    ("weeks", 168.0),
    ("week", 168.0),
    ("days", 24.0),
    ("day", 24.0),
    ("mins", 1.0 / 60.0),
    ("min", 1.0 / 60.0),
    ("sec", 1.0 / 3600.0),
    ("ms", 1.0 / 3_600_000.0),
    ("hr", 1.0),
    ("s", 1.0 / 3600.0),
    ("h", 1.0),
    ("d", 24.0),
    ("w", 168.0),
    ("y", HOURS_PER_YEAR),
];

/// What a valid duration looks like, for error messages.
pub const DURATION_HELP: &str = "a number with a unit, e.g. \"90s\", \"5min\", \"8h\", \"30d\", \"2w\", \"1y\" or \"1h 30min\" (units: ms, s, min, h, d, w, y; 1y = 8760h)";

/// Parses a duration such as `"8h"`, `"1.5d"` or `"1h 30min"` into hours.
///
/// Several number–unit pairs add up. A number without a unit is an error: a bare `1000` could mean
/// hours or seconds, and guessing wrong changes the answer by a factor of 3600.
pub fn parse_duration(text: &str) -> Result<Hours, String> {
    let s = text.trim();
    if s.is_empty() {
        return Err(format!("empty duration; expected {DURATION_HELP}"));
    }
    let mut rest = s;
    let mut total = 0.0;
    while !rest.is_empty() {
        let num_len = number_len(rest);
        let num_text = &rest[..num_len];
        if num_text.is_empty() {
            let what = if rest.starts_with('-') {
                "a negative duration".to_string()
            } else {
                format!("`{rest}` does not start with a number")
            };
            return Err(format!(
                "invalid duration \"{text}\": {what}; expected {DURATION_HELP}"
            ));
        }
        let value: f64 = num_text.replace('_', "").parse().map_err(|_| {
            format!("invalid number `{num_text}` in duration \"{text}\"; expected {DURATION_HELP}")
        })?;
        rest = rest[num_len..].trim_start();
        let unit_len = rest
            .find(|c: char| !c.is_ascii_alphabetic())
            .unwrap_or(rest.len());
        let unit = &rest[..unit_len];
        if unit.is_empty() {
            return Err(format!(
                "duration \"{text}\" has no unit after {num_text}; expected {DURATION_HELP}"
            ));
        }
        let Some(&(_, hours)) = UNITS
            .iter()
            .find(|(name, _)| name.eq_ignore_ascii_case(unit))
        else {
            return Err(format!(
                "unknown unit `{unit}` in duration \"{text}\"; expected {DURATION_HELP}"
            ));
        };
        total += value * hours;
        rest = rest[unit_len..].trim_start();
    }
    if !total.is_finite() {
        return Err(format!("duration \"{text}\" is too large"));
    }
    Ok(total)
}

/// What a valid rate looks like, for error messages.
pub const RATE_HELP: &str =
    "a number of requests per unit of time, e.g. \"200/s\", \"1500/min\" or \"90000/h\"";

/// Parses a rate such as `"200/s"` or `"1500 / min"` into events per hour.
///
/// The unit after the slash is any duration (`"/s"`, `"/5min"`); a bare number is an error for the
/// same reason as for durations.
pub fn parse_rate(text: &str) -> Result<f64, String> {
    let Some((count, per)) = text.split_once('/') else {
        return Err(format!(
            "rate \"{text}\" has no `/unit`; expected {RATE_HELP}"
        ));
    };
    let count = count.trim();
    let n: f64 = count.replace('_', "").parse().map_err(|_| {
        format!("invalid number `{count}` in rate \"{text}\"; expected {RATE_HELP}")
    })?;
    let per = per.trim();
    // "/s" means per one second: a unit without a number counts once.
    let starts_with_digit = per.starts_with(|c: char| c.is_ascii_digit() || c == '.');
    let span = if starts_with_digit {
        parse_duration(per)
    } else {
        parse_duration(&format!("1{per}"))
    }
    .map_err(|_| format!("invalid unit `/{per}` in rate \"{text}\"; expected {RATE_HELP}"))?;
    if !(n.is_finite() && n > 0.0) {
        return Err(format!(
            "rate \"{text}\" must be positive and finite; expected {RATE_HELP}"
        ));
    }
    if span <= 0.0 {
        return Err(format!(
            "rate \"{text}\" is per zero time; expected {RATE_HELP}"
        ));
    }
    let rate = n / span;
    if !rate.is_finite() {
        return Err(format!("rate \"{text}\" is too large"));
    }
    Ok(rate)
}

/// Length of the number at the start of `s`: digits, `.` and `_`, then an exponent (`e3`, `e-3`,
/// `E+2`) only when digits follow it, so that "1e-3h" is a thousandth of an hour and "1ed" is not.
fn number_len(s: &str) -> usize {
    let b = s.as_bytes();
    let mut i = b
        .iter()
        .take_while(|c| c.is_ascii_digit() || **c == b'.' || **c == b'_')
        .count();
    if i > 0 && matches!(b.get(i), Some(b'e' | b'E')) {
        let mut j = i + 1;
        if matches!(b.get(j), Some(b'+' | b'-')) {
            j += 1;
        }
        let digits = b[j..].iter().take_while(|c| c.is_ascii_digit()).count();
        if digits > 0 {
            i = j + digits;
        }
    }
    i
}

/// Formats hours with the most readable unit, e.g. `8760.0` → `"1y"`, `0.5` → `"30min"`.
pub fn format_duration(hours: Hours) -> String {
    if !hours.is_finite() {
        return format!("{hours}");
    }
    let abs = hours.abs();
    let (value, unit) = if abs == 0.0 {
        (0.0, "h")
    } else if abs < 1.0 / 60.0 {
        (hours * 3600.0, "s")
    } else if abs < 1.0 {
        (hours * 60.0, "min")
    } else if abs < 48.0 {
        (hours, "h")
    } else if abs / 24.0 < 364.95 {
        // The rule `base::format::hours` follows too: years from one year (after rounding the days),
        // so 1y is never 365d.
        (hours / 24.0, "d")
    } else {
        (hours / HOURS_PER_YEAR, "y")
    };
    format!("{}{unit}", trim_float(value))
}

/// Prints a float with at most 4 significant decimals and no trailing zeros.
pub fn trim_float(v: f64) -> String {
    // Beyond 1e15 the digits are noise, and there can be 309 of them (an error echoing `1e300y`).
    if v.is_finite() && v.abs() >= 1e15 {
        return crate::base::format::short(v);
    }
    let s = if v.abs() >= 100.0 {
        format!("{v:.1}")
    } else {
        format!("{v:.3}")
    };
    let s = if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    };
    if s == "-0" { "0".into() } else { s }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_units() {
        assert_eq!(parse_duration("90s").unwrap(), 90.0 / 3600.0);
        assert_eq!(parse_duration("5min").unwrap(), 5.0 / 60.0);
        assert_eq!(parse_duration("8h").unwrap(), 8.0);
        assert_eq!(parse_duration("30d").unwrap(), 720.0);
        assert_eq!(parse_duration("1y").unwrap(), 8760.0);
        assert_eq!(parse_duration("2w").unwrap(), 336.0);
        assert_eq!(parse_duration("1.5 h").unwrap(), 1.5);
        assert_eq!(parse_duration("1h 30min").unwrap(), 1.5);
        assert_eq!(parse_duration("1e3h").unwrap(), 1000.0);
        // A negative exponent is part of the number (it was read as 1 of the unit `e`).
        assert_eq!(parse_duration("1e-3h").unwrap(), 1e-3);
        assert_eq!(parse_duration("2.5E+1min").unwrap(), 25.0 / 60.0);
        assert_eq!(parse_duration("10_000h").unwrap(), 10000.0);
        assert_eq!(parse_duration("0s").unwrap(), 0.0);
    }

    #[test]
    fn rejects_bad_durations() {
        for bad in [
            "",
            "1000",
            "h",
            "-5h",
            "5 parsecs",
            "1.2.3h",
            "5h 3",
            "1e999y",
        ] {
            assert!(parse_duration(bad).is_err(), "{bad:?} should be rejected");
        }
        let msg = parse_duration("1000").unwrap_err();
        assert!(msg.contains("no unit"), "{msg}");
        assert!(
            parse_duration("5 parsecs")
                .unwrap_err()
                .contains("unknown unit `parsecs`")
        );
    }

    #[test]
    fn parses_rates() {
        assert_eq!(parse_rate("200/s").unwrap(), 200.0 * 3600.0);
        assert_eq!(parse_rate("1500 / min").unwrap(), 1500.0 * 60.0);
        assert_eq!(parse_rate("90_000/h").unwrap(), 90000.0);
        assert_eq!(parse_rate("10/5min").unwrap(), 120.0);
        for (bad, why) in [
            ("200", "no `/unit`"),
            ("200/", "invalid unit"),
            ("200/parsec", "invalid unit"),
            ("x/s", "invalid number"),
            ("0/s", "positive"),
            ("-3/s", "positive"),
            ("5/0s", "per zero time"),
            ("inf/s", "positive"),
        ] {
            let msg = parse_rate(bad).expect_err(bad);
            assert!(msg.contains(why), "{bad:?}: {msg}");
        }
    }

    #[test]
    fn formats_readably() {
        assert_eq!(format_duration(8760.0), "1y");
        assert_eq!(format_duration(8760.0 * 4.0), "4y");
        assert_eq!(format_duration(364.0 * 24.0), "364d");
        assert_eq!(format_duration(87600.0), "10y");
        assert_eq!(format_duration(0.5), "30min");
        assert_eq!(format_duration(10.0), "10h");
        assert_eq!(format_duration(1.0 / 3600.0), "1s");
    }
}
