//! Precision targets ("run until the interval is this narrow"): how they are written and how far a
//! run's state is from one.
//!
//! The stopping rule itself lives in [`crate::estimate::runner::run_controlled`]: it is checked after every batch
//! in index order, so the replication count at which a target is met depends on the seed alone.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::base::units::{HOURS_PER_YEAR, Hours, format_duration, parse_duration, trim_float};
use crate::estimate::accumulate::RunAcc;
use crate::model::Model;

/// Outages of the main service that must be seen before its interval is trusted to meet a target (the
/// report warns below this number too).
pub const MIN_OUTAGES: u64 = 10;

/// What `--precision` accepts, for error messages.
pub const PRECISION_HELP: &str = "a relative half-width of the 95% interval of the main service's unavailability such as 5%, an absolute half-width of its downtime per year such as 1min/yr, or of its availability such as 0.0001";

/// How precise the main service's estimate must be: the half-width of its 95% confidence interval.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Target {
    /// Half-width relative to the estimated unavailability (0.05 for `5%`).
    Relative(f64),
    /// Absolute half-width of availability, a fraction (`0.0001`).
    Availability(f64),
    /// Absolute half-width of downtime per year, hours (`1min/yr`).
    DowntimePerYear(Hours),
}

impl Target {
    /// Reads `5%`, `0.0001` or `1min/yr` (also `/y`, `/year`).
    pub fn parse(text: &str) -> Result<Target, String> {
        let s = text.trim();
        let bad = |why: &str| format!("{why}; expected {PRECISION_HELP}");
        if let Some(pct) = s.strip_suffix('%') {
            let v: f64 = pct
                .trim()
                .parse()
                .map_err(|_| bad(&format!("`{pct}` is not a number")))?;
            if !(v.is_finite() && v > 0.0 && v <= 100.0) {
                return Err(bad(&format!(
                    "a relative half-width must be more than 0% and at most 100%, got {s}"
                )));
            }
            return Ok(Target::Relative(v / 100.0));
        }
        if let Some((amount, per)) = s.split_once('/') {
            if !matches!(per.trim(), "y" | "yr" | "year") {
                return Err(bad(&format!(
                    "`/{per}`: downtime is measured per year; write e.g. 1min/yr"
                )));
            }
            let h = parse_duration(amount).map_err(|e| bad(&e))?;
            if !(h.is_finite() && h > 0.0 && h < HOURS_PER_YEAR) {
                return Err(bad(&format!(
                    "a half-width of downtime per year must be more than zero and less than a year, got {s}"
                )));
            }
            return Ok(Target::DowntimePerYear(h));
        }
        let v: f64 = s
            .parse()
            .map_err(|_| bad(&format!("`{s}` is not a target")))?;
        if !(v.is_finite() && v > 0.0 && v < 1.0) {
            return Err(bad(&format!(
                "a bare number is a half-width of availability, between 0 and 1 (exclusive), got {s}; for a relative target write {s}%"
            )));
        }
        Ok(Target::Availability(v))
    }

    /// The target as a number in the unit of [`Target::unit`].
    pub fn value(self) -> f64 {
        match self {
            Target::Relative(v) | Target::Availability(v) | Target::DowntimePerYear(v) => v,
        }
    }

    /// The measure in `summary.csv`: what the half-width is of.
    pub fn measure(self) -> &'static str {
        match self {
            Target::Relative(_) => "relative_half_width:unavailability",
            Target::Availability(_) => "half_width:availability",
            Target::DowntimePerYear(_) => "half_width:downtime_per_year",
        }
    }

    /// The unit of [`Target::value`] in `summary.csv`.
    pub fn unit(self) -> &'static str {
        match self {
            Target::Relative(_) | Target::Availability(_) => "fraction",
            Target::DowntimePerYear(_) => "hours_per_year",
        }
    }

    /// A half-width in this target's terms, for people.
    pub fn show(self, half_width: f64) -> String {
        if !half_width.is_finite() {
            return "n/a".into();
        }
        match self {
            Target::Relative(_) => format!("±{}%", sig(half_width * 100.0)),
            Target::Availability(_) => format!("±{}", sig(half_width)),
            Target::DowntimePerYear(_) => format!("±{}/yr", format_duration(half_width)),
        }
    }
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Target::Relative(v) => write!(f, "{}%", trim_float(v * 100.0)),
            Target::Availability(v) => write!(f, "{v}"),
            Target::DowntimePerYear(h) => write!(f, "{}/yr", format_duration(h)),
        }
    }
}

fn sig(v: f64) -> String {
    crate::base::format::sig3(v)
}

/// How far a run's state is from a target.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Assessment {
    /// The main service (the first service, else the first role).
    pub entity: String,
    /// The target.
    pub target: Target,
    /// Its unavailability estimate.
    pub unavailability: f64,
    /// The half-width reached, in the target's terms (infinite when it cannot be computed: fewer than
    /// two replications, or a relative target with a zero estimate).
    pub half_width: f64,
    /// Outages of the main service seen.
    pub outages: u64,
    /// Replications behind it.
    pub replications: u64,
    /// Whether the target is met: the half-width is at most the target and at least [`MIN_OUTAGES`]
    /// outages were seen.
    pub met: bool,
}

/// Assesses `acc` against `target` on the model's main service (first service, else first role).
pub fn assess(acc: &RunAcc, target: Target, model: &Model) -> Assessment {
    let entity = model
        .measured()
        .first()
        .map_or_else(String::new, |m| m.1.to_string());
    let (u, outages) = acc
        .unavailability_of(0)
        .unwrap_or((crate::base::stats::MeanAcc::default().estimate(), 0));
    let abs = (u.ci95_high - u.ci95_low) / 2.0;
    let half_width = match target {
        Target::Relative(_) if u.value > 0.0 => abs / u.value,
        Target::Relative(_) => f64::INFINITY,
        Target::Availability(_) => abs,
        Target::DowntimePerYear(_) => abs * HOURS_PER_YEAR,
    };
    let half_width = if half_width.is_nan() {
        f64::INFINITY
    } else {
        half_width
    };
    Assessment {
        entity,
        target,
        unavailability: u.value,
        half_width,
        outages,
        replications: u.n,
        met: outages >= MIN_OUTAGES && half_width <= target.value(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_parse_in_three_forms() {
        assert_eq!(Target::parse("5%"), Ok(Target::Relative(0.05)));
        assert_eq!(Target::parse(" 0.5 %"), Ok(Target::Relative(0.005)));
        assert_eq!(Target::parse("0.0001"), Ok(Target::Availability(0.0001)));
        assert_eq!(Target::parse("1e-5"), Ok(Target::Availability(1e-5)));
        assert_eq!(
            Target::parse("1min/yr"),
            Ok(Target::DowntimePerYear(1.0 / 60.0))
        );
        assert_eq!(Target::parse("2h/year"), Ok(Target::DowntimePerYear(2.0)));
        for bad in [
            "", "5", "0%", "-1%", "101%", "nan%", "inf", "0", "1", "x", "1min/d", "1y/yr", "1/yr",
        ] {
            let e = Target::parse(bad).unwrap_err();
            assert!(e.contains("expected a relative half-width"), "{bad}: {e}");
        }
        assert!(Target::parse("5").unwrap_err().contains("write 5%"));
    }

    #[test]
    fn targets_display_as_they_are_written() {
        for t in ["5%", "0.0001", "1min/yr", "2h/yr"] {
            assert_eq!(Target::parse(t).unwrap().to_string(), t);
        }
    }
}
