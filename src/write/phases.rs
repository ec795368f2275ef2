//! Phases in the terminal table and `summary.csv`: per service and phase of the calendar, the
//! availability and the downtime in it (row `needed`: over the phases where the service is needed).

use std::fmt::Write as _;

use crate::base::format::{hours, percent, sig3};
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
    request_lines(out, summary);
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

/// Requests of the kinds whose rate changes by phase, one line per kind and phase.
fn request_lines(out: &mut String, summary: &Summary) {
    if summary.phase_requests.is_empty() {
        return;
    }
    let _ = writeln!(
        out,
        "\nrequests by phase (kinds whose rate changes by phase: `rate` of a phase multiplies the usual rate)"
    );
    for r in &summary.phase_requests {
        let share = &r.failed_share;
        let pct = |x: f64| format!("{}%", sig3(100.0 * x));
        let _ = writeln!(
            out,
            "  {}.{}  rate ×{}: {} requests per year · failed {} {} per year · failed share {} {}",
            r.request,
            r.phase,
            sig3(r.rate_factor),
            sig3(r.requests_per_year),
            sig3(r.failed_requests_per_year.value),
            ci(&r.failed_requests_per_year, sig3),
            pct(share.value),
            ci(share, pct),
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
    for r in &summary.phase_requests {
        let n = format!("{}.{}", r.request, r.phase);
        let exact = |x: f64| Estimate {
            value: x,
            ci95_low: x,
            ci95_high: x,
            n: r.failed_share.n,
        };
        row(
            "phase_requests",
            &n,
            "rate_factor",
            "ratio",
            &exact(r.rate_factor),
        )?;
        row(
            "phase_requests",
            &n,
            "requests_per_year",
            "per_year",
            &exact(r.requests_per_year),
        )?;
        row(
            "phase_requests",
            &n,
            "failed_requests_per_year",
            "per_year",
            &r.failed_requests_per_year,
        )?;
        row(
            "phase_requests",
            &n,
            "failed_share",
            "fraction",
            &r.failed_share,
        )?;
    }
    Ok(())
}
