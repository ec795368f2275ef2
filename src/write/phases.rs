//! Phases in the terminal table and `summary.csv`: per service and phase of the calendar, the
//! availability and the downtime in it (row `needed`: over the phases where the service is needed).

use std::fmt::Write as _;

use crate::base::format::{hours, percent};
use crate::base::stats::Estimate;
use crate::estimate::summary::{NEEDED, PhaseSummary, Summary};

fn ci(e: &Estimate, f: impl Fn(f64) -> String) -> String {
    if e.ci95_low.is_finite() && e.ci95_high.is_finite() {
        format!("[{}, {}]", f(e.ci95_low), f(e.ci95_high))
    } else {
        "[n/a]".into()
    }
}

/// The availability of a phase row, as a percentage with its interval.
fn avail(p: &PhaseSummary) -> String {
    let a = p.availability.value;
    let f = |x: f64| percent(x, 1.0 - a);
    format!("{} {}", f(a), ci(&p.availability, f))
}

/// The phases block of the terminal table (nothing without phases).
pub fn table(out: &mut String, summary: &Summary) {
    if summary.phases.is_empty() {
        return;
    }
    let _ = writeln!(
        out,
        "\nphases (availability = time up in the phase / time in it; `needed` = over the phases the service is needed in, which its headline figures do not single out)"
    );
    let w = summary
        .phases
        .iter()
        .map(|p| p.service.len() + p.phase.len() + 1)
        .max()
        .unwrap_or(0)
        .min(60);
    for p in &summary.phases {
        let name = format!("{}.{}", p.service, p.phase);
        let counts = if p.counts || p.phase == NEEDED {
            ""
        } else {
            " (not needed)"
        };
        let _ = writeln!(
            out,
            "  {name:<w$}  {} per year, {}{counts}: availability {} · downtime {} {} per year · a year's downtime in it P50 {} · P90 {} · P95 {} · P99 {}",
            hours(p.hours_per_year),
            p.when,
            avail(p),
            hours(p.downtime_hours_per_year.value),
            ci(&p.downtime_hours_per_year, hours),
            hours(p.annual_downtime_hours_p50.value),
            hours(p.annual_downtime_hours_p90.value),
            hours(p.annual_downtime_hours_p95.value),
            hours(p.annual_downtime_hours_p99.value),
        );
    }
}

/// The phase rows of `summary.csv`: scope `phase`, name `service.phase`.
pub fn csv_rows<E>(
    summary: &Summary,
    row: &mut impl FnMut(&str, &str, &str, &str, &Estimate) -> Result<(), E>,
) -> Result<(), E> {
    for p in &summary.phases {
        let n = format!("{}.{}", p.service, p.phase);
        let exact = Estimate {
            value: p.hours_per_year,
            ci95_low: p.hours_per_year,
            ci95_high: p.hours_per_year,
            n: p.availability.n,
        };
        row(
            "phase",
            &n,
            "hours_in_phase_per_year",
            "hours_per_year",
            &exact,
        )?;
        row("phase", &n, "availability", "fraction", &p.availability)?;
        row(
            "phase",
            &n,
            "downtime_per_year",
            "hours_per_year",
            &p.downtime_hours_per_year,
        )?;
        let pct: [(&str, &Estimate); 4] = [
            ("annual_downtime_p50", &p.annual_downtime_hours_p50),
            ("annual_downtime_p90", &p.annual_downtime_hours_p90),
            ("annual_downtime_p95", &p.annual_downtime_hours_p95),
            ("annual_downtime_p99", &p.annual_downtime_hours_p99),
        ];
        for (m, e) in pct {
            row("phase", &n, m, "hours", e)?;
        }
    }
    Ok(())
}
