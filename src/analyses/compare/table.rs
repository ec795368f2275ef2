//! The comparison for people and for tools: values and differences formatted in their unit, the
//! side-by-side table `nines compare` prints, and `comparison.csv`.

use crate::base::format::csv_text;
use crate::base::format::money;
use crate::base::stats::Estimate;

use super::{Comparison, Unit, Verdict};

/// A latency with three significant digits and a unit that reads: `135 ms`, `1.75 s`, `0.0000231 ms`.
fn latency(hours: f64) -> String {
    let s = hours * 3600.0;
    let a = s.abs();
    if a == 0.0 {
        "0".into()
    } else if a < 1.0 {
        format!("{} ms", crate::base::format::sig3(s * 1000.0))
    } else if a < 120.0 {
        format!("{} s", crate::base::format::sig3(s))
    } else {
        crate::base::format::hours(hours)
    }
}

impl Unit {
    /// A value in this unit, for people.
    pub fn format(self, v: f64, currency: Option<&str>) -> String {
        match self {
            Unit::Availability => crate::base::format::percent(v, 1.0 - v),
            Unit::Hours => crate::base::format::hours(v),
            Unit::PerYear => crate::base::format::sig3(v),
            Unit::Latency => latency(v),
            Unit::Money => money(v, currency),
        }
    }

    /// A difference in this unit, with its sign: `+1.2h`, `−0.0012 pp`.
    pub fn format_diff(self, d: f64, currency: Option<&str>) -> String {
        let sign = if d > 0.0 {
            "+"
        } else if d < 0.0 {
            "−"
        } else {
            ""
        };
        let a = d.abs();
        let body = match self {
            Unit::Availability => format!("{} pp", crate::base::format::sig3(a * 100.0)),
            Unit::Money => money(a, currency),
            _ => self.format(a, currency),
        };
        // A difference that rounds to nothing has no sign.
        if body.trim_start_matches(['0', '.']).is_empty() || body.starts_with("0 ") {
            return body;
        }
        format!("{sign}{body}")
    }

    /// A half-width, without sign: `±1.2h`.
    fn format_half(self, h: f64, currency: Option<&str>) -> String {
        match self {
            Unit::Availability => format!("±{}", crate::base::format::sig3(h * 100.0)),
            _ => format!("±{}", self.format(h, currency)),
        }
    }
}

/// The relative threshold as a percentage: `1%`, `0.5%`.
pub fn same_within_text(relative: f64) -> String {
    format!("{}%", crate::base::format::num(relative * 100.0))
}

/// The larger half of an interval around its estimate (conservative for asymmetric intervals).
fn half_width(e: &Estimate) -> f64 {
    (e.ci95_high - e.value).max(e.value - e.ci95_low).max(0.0)
}

/// The side-by-side table `nines compare` prints.
pub fn table(c: &Comparison) -> String {
    use std::fmt::Write as _;
    let cur = c.currency.as_deref();
    let n = c.layouts.len();
    let mut header = vec![String::new()];
    for (i, l) in c.layouts.iter().enumerate() {
        header.push(l.name.clone());
        if i > 0 {
            header.push(format!("Δ vs {}", c.layouts[0].name));
        }
    }
    let mut lines: Vec<Vec<String>> = Vec::new();
    let mut scope = None;
    for r in &c.rows {
        let heading = if r.measure == "failed requests per year" {
            "clients, all request kinds".to_string()
        } else if r.unit == Unit::Money {
            "cost".to_string()
        } else if r.scope.is_empty() {
            "layout".to_string()
        } else if r.unit == Unit::Latency || r.is_request_kind() {
            format!("clients {}", r.scope)
        } else if r.is_cluster() {
            format!("cluster {}", r.scope)
        } else {
            format!("service {}", r.scope)
        };
        if scope.as_ref() != Some(&heading) {
            let mut l = vec![heading.clone()];
            l.resize(header.len(), String::new());
            lines.push(l);
            scope = Some(heading);
        }
        let mut l = vec![format!("  {}", r.measure)];
        for (i, cell) in r.cells.iter().enumerate() {
            let exact = r.unit == Unit::Money;
            match cell {
                Some(cell) => {
                    let v = r.unit.format(cell.value.value, cur);
                    l.push(if exact {
                        v
                    } else {
                        format!("{v} {}", r.unit.format_half(half_width(&cell.value), cur))
                    });
                    if i > 0 {
                        l.push(match &cell.diff {
                            Some(d) => {
                                let mut s = r.unit.format_diff(d.value.value, cur);
                                if !exact {
                                    s = format!(
                                        "{s} {}",
                                        r.unit.format_half(half_width(&d.value), cur)
                                    );
                                    let word = match d.verdict {
                                        Verdict::Unclear if d.paired => "~",
                                        Verdict::Unclear => "≈",
                                        v => v.as_str(),
                                    };
                                    s = format!("{s} {word}");
                                }
                                s
                            }
                            None => "n/a".into(),
                        });
                    }
                }
                None => {
                    l.push("—".into());
                    if i > 0 {
                        l.push(String::new());
                    }
                }
            }
        }
        lines.push(l);
    }
    let cols = header.len();
    let width = |s: &str| s.chars().count();
    let widths: Vec<usize> = (0..cols)
        .map(|k| {
            lines
                .iter()
                .filter(|l| l[0].starts_with(' '))
                .map(|l| width(&l[k]))
                .chain([width(&header[k])])
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut out = String::new();
    let _ = writeln!(
        out,
        "nines {} · compare {n} layouts · mission {} · {} replications each · seed {} · common random numbers\n",
        env!("CARGO_PKG_VERSION"),
        crate::base::units::format_duration(c.mission_hours),
        c.replications,
        c.seed
    );
    let pad = |s: &str, w: usize| format!("{s}{}", " ".repeat(w.saturating_sub(width(s))));
    let row = |l: &[String]| {
        let mut s = String::new();
        for (k, cell) in l.iter().enumerate() {
            s.push_str(&pad(cell, widths[k]));
            if k + 1 < l.len() {
                s.push_str("   ");
            }
        }
        s.trim_end().to_string()
    };
    let _ = writeln!(out, "{}", row(&header));
    for l in &lines {
        if l[0].starts_with(' ') {
            let _ = writeln!(out, "{}", row(l));
        } else {
            let _ = writeln!(out, "{}", l[0]);
        }
    }
    let _ = writeln!(
        out,
        "\n± 95% interval (the larger side; percentage points for availability). Δ: difference to {} over {} paired replications (common random numbers);",
        c.layouts[0].name, c.replications
    );
    let _ = writeln!(
        out,
        "better/worse: significant at 95% and at least {} of {}'s figure (of its downtime for availability; at least 1 ms for latency); same: smaller than that;",
        same_within_text(c.same_within),
        c.layouts[0].name
    );
    let _ = writeln!(
        out,
        "~ not significant; ≈ not paired (percentiles, latency): significant only if the intervals do not overlap. --same-within sets the threshold."
    );
    for l in &c.layouts {
        if l.acc.replications > 0
            && l.summary
                .entities
                .iter()
                .any(|e| e.kind == crate::model::EntityKind::Service && e.total_outages < 10)
        {
            let _ = writeln!(
                out,
                "note: {} saw fewer than 10 outages of a service; its intervals are not reliable.",
                l.name
            );
        }
    }
    let _ = writeln!(
        out,
        "{} events in {:.2}s on {} threads",
        c.events, c.wall_seconds, c.threads
    );
    out
}

/// Header of `comparison.csv`.
pub const CSV_HEADER: [&str; 15] = [
    "layout",
    "scope",
    "measure",
    "unit",
    "value",
    "ci95_low",
    "ci95_high",
    "replications",
    "diff",
    "diff_ci95_low",
    "diff_ci95_high",
    "paired",
    "significant",
    "verdict",
    "yearly_cost",
];

/// A number for a CSV cell, in full precision; a difference of two equal figures can be a negative
/// zero, which reads as `-0`, so zero is written `0` whatever its sign.
pub fn csv_number(v: f64) -> String {
    format!("{}", if v == 0.0 { 0.0 } else { v })
}

/// `comparison.csv`: one row per layout and compared figure.
pub fn csv(c: &Comparison) -> Result<Vec<u8>, csv::Error> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(CSV_HEADER)?;
    let unit = |u: Unit| match u {
        Unit::Availability => "fraction",
        Unit::Hours => "hours",
        Unit::PerYear => "per_year",
        Unit::Latency => "hours",
        Unit::Money => "per_year",
    };
    let f = csv_number;
    for r in &c.rows {
        for (l, cell) in c.layouts.iter().zip(&r.cells) {
            let Some(cell) = cell else { continue };
            let (d, dl, dh, paired, sig, verdict) = match &cell.diff {
                Some(d) => (
                    f(d.value.value),
                    f(d.value.ci95_low),
                    f(d.value.ci95_high),
                    d.paired.to_string(),
                    d.significant.to_string(),
                    d.verdict.as_str().to_string(),
                ),
                None => Default::default(),
            };
            w.write_record([
                csv_text(&l.name).into_owned(),
                csv_text(&r.scope).into_owned(),
                r.measure.replace(' ', "_"),
                unit(r.unit).to_string(),
                f(cell.value.value),
                f(cell.value.ci95_low),
                f(cell.value.ci95_high),
                cell.value.n.to_string(),
                d,
                dl,
                dh,
                paired,
                sig,
                verdict,
                l.yearly_cost.map(f).unwrap_or_default(),
            ])?;
        }
    }
    w.into_inner().map_err(|e| e.into_error().into())
}
