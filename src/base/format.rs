//! Numbers for people: durations with a readable unit, significant digits, availability as a
//! percentage with its nines, money with thousands separated. Writers, analyses and charts share these.

/// `base::units::HOURS_PER_YEAR`, repeated: units already uses this file, and two files of a layer
/// never use each other.
const HOURS_PER_YEAR: f64 = 8760.0;

/// Formats hours with a readable unit and three significant digits, e.g. `2.52h`, `35.1min`, `4.2d`,
/// `1y`. The rule, shared with [`crate::base::units::format_duration`]: seconds below a minute,
/// minutes below an hour, hours below two days, days below a year, years from one year.
pub fn hours(h: f64) -> String {
    if !h.is_finite() {
        return if h.is_nan() {
            "n/a".into()
        } else {
            format!("{h}")
        };
    }
    let a = h.abs();
    let (v, unit) = if a == 0.0 {
        return "0".into();
    } else if a < 1.0 / 60.0 {
        (h * 3600.0, "s")
    } else if a < 1.0 {
        (h * 60.0, "min")
    } else if a < 48.0 {
        (h, "h")
    } else if a / 24.0 < 364.5 {
        // Days below a year, counted after rounding: 364.99 days would print as "365d".
        (h / 24.0, "d")
    } else {
        (h / HOURS_PER_YEAR, "y")
    };
    format!("{}{unit}", sig3(v))
}

/// A number for an error message: as written when ordinary, else in exponent form, so that a huge
/// input such as `1e300` is echoed as `1e300` and not as its 301 digits.
pub fn short(v: f64) -> String {
    if v == 0.0 || !v.is_finite() || (1e-4..1e7).contains(&v.abs()) {
        format!("{v}")
    } else {
        format!("{v:e}")
    }
}

/// Three significant digits and never an exponent, for planners: `0.324`, `0.0000150`, `19 020`,
/// `31.5 million` (from a thousand up as [`count`] writes it).
pub fn sig3(v: f64) -> String {
    if v == 0.0 || !v.is_finite() {
        return format!("{v}");
    }
    let a = v.abs();
    if a >= 999.5 {
        return count(v);
    }
    // Below 1e-15 a planner-facing figure is rounding noise (a difference of two equal sums), and
    // three digits of it would take twenty decimals.
    if a < 1e-15 {
        return "0".into();
    }
    let magnitude = a.log10().floor() as i32;
    let digits = (2 - magnitude).max(0) as usize;
    let s = format!("{v:.digits$}");
    // Rounding can carry into the next power of ten (0.99999 → 1.000): three digits are then one
    // decimal fewer (1.00).
    if digits > 0
        && s.trim_start_matches('-').parse::<f64>().unwrap_or(0.0) >= 10f64.powi(magnitude + 1)
    {
        let digits = digits - 1;
        return format!("{v:.digits$}");
    }
    s
}

/// A small rate or probability in words a planner reads without an exponent: `75.9 per million`,
/// `4.99 per trillion`; from one in ten thousand up, [`sig3`].
pub fn rare(v: f64) -> String {
    let a = v.abs();
    if a == 0.0 || !a.is_finite() || a >= 1e-4 {
        return sig3(v);
    }
    let (scale, word) = if a >= 1e-6 {
        (1e6, "million")
    } else if a >= 1e-9 {
        (1e9, "billion")
    } else if a >= 1e-12 {
        (1e12, "trillion")
    } else {
        (1e15, "quadrillion")
    };
    format!("{} per {word}", sig3(v * scale))
}

/// A large count in words a planner reads without an exponent: `950 000`, `3.15 million`,
/// `42.0 billion`, `315 trillion`.
pub fn count(v: f64) -> String {
    let a = v.abs();
    if !a.is_finite() {
        return format!("{v}");
    }
    if a < 1e6 {
        return money(v, None);
    }
    let (scaled, word) = if a < 1e9 {
        (v / 1e6, "million")
    } else if a < 1e12 {
        (v / 1e9, "billion")
    } else {
        (v / 1e12, "trillion")
    };
    let shown = if scaled.abs() >= 1000.0 {
        money(scaled, None)
    } else {
        sig3(scaled)
    };
    format!("{shown} {word}")
}

/// Availability as a percentage with enough decimals to show its nines.
pub fn percent(a: f64, unavailability: f64) -> String {
    if !a.is_finite() {
        return "n/a".into();
    }
    if a == 1.0 {
        return "100%".into();
    }
    let nines = if unavailability > 0.0 {
        -unavailability.log10()
    } else {
        6.0
    };
    let decimals = (nines.floor() as i64 + 1).clamp(2, 12) as usize;
    format!("{:.*}%", decimals, a * 100.0)
}

/// A yearly amount with thousands separated, e.g. `12 000 EUR`.
pub fn money(v: f64, currency: Option<&str>) -> String {
    let rounded = v.round();
    let digits = format!("{}", rounded.abs() as u128);
    let mut out = String::new();
    if rounded < 0.0 {
        out.push('−');
    }
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(' ');
        }
        out.push(ch);
    }
    match currency {
        Some(c) => format!("{out} {c}"),
        None => out,
    }
}

/// A tick number without trailing zeros: `0.5`, `10`, `2.5`.
pub fn num(v: f64) -> String {
    if v == 0.0 {
        return "0".into();
    }
    let a = v.abs();
    let digits = if a >= 100.0 {
        0
    } else if a >= 10.0 {
        1
    } else if a >= 1.0 {
        2
    } else {
        (2.0 - a.log10().floor()) as usize + 1
    };
    let s = format!("{v:.digits$}");
    let s = if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    };
    if s == "-0" { "0".into() } else { s }
}

/// A short latency label: `40 ms`, `1.5 s`, `2 min`.
pub fn latency(hours: f64) -> String {
    let s = hours * 3600.0;
    if s < 1.0 {
        format!("{} ms", num(s * 1000.0))
    } else if s < 120.0 {
        format!("{} s", num(s))
    } else if s < 7200.0 {
        format!("{} min", num(s / 60.0))
    } else {
        format!("{} h", num(s / 3600.0))
    }
}

/// A name as a CSV text cell that a spreadsheet shows rather than runs: a cell starting with `=`, `+`,
/// `-`, `@`, a tab or a carriage return is a formula to Excel, LibreOffice and Google Sheets, so such a
/// name gets a leading `'` (as OWASP's guidance on CSV injection says). Numbers never pass through here.
pub fn csv_text(text: &str) -> std::borrow::Cow<'_, str> {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}").into()
    } else {
        text.into()
    }
}
