//! Charts of comparisons and sweeps: availability of each layout side by side (grouped bars with 95%
//! intervals on a nines axis), availability and client latency against a swept parameter (curves with
//! interval bands), and yearly cost against availability with the cheapest layouts that do best.
//!
//! The side-by-side bars are in `layouts`, the curves of a sweep in `sweep`, cost against availability
//! in `cost`; this file chooses which apply and holds what they share (the nines axis, the line under
//! every title, the colour of each layout).

mod cost;
mod layouts;
mod sweep;

use plotters::style::RGBColor;

use super::draw::{count, palette};
use super::{Chart, ChartError};
use crate::analyses::compare::Comparison;
use crate::analyses::sweep::Sweep;
use crate::base::stats::Estimate;
use crate::base::units::format_duration;
use crate::estimate::summary::nines_of;

/// Every chart name [`render`] can produce, in order.
pub const NAMES: [&str; 4] = [
    "compare-availability",
    "sweep-availability",
    "sweep-latency",
    "cost-availability",
];

/// Most layouts drawn side by side in the availability chart (a larger sweep shows its curves).
const MAX_SIDE_BY_SIDE: usize = 12;

/// Draws the charts that apply: side-by-side availability (up to 12 layouts), the sweep curves (for a
/// sweep), and cost against availability (when every layout has a cost).
pub fn render(c: &Comparison, sweep: Option<&Sweep>) -> Result<Vec<Chart>, ChartError> {
    let mut out = Vec::new();
    if c.layouts.len() <= MAX_SIDE_BY_SIDE {
        out.push(layouts::side_by_side(c)?);
    }
    if let Some(s) = sweep {
        out.push(sweep::sweep_availability(c, s)?);
        if s.rows.iter().any(|r| r.latency_p99_hours.is_some()) {
            out.push(sweep::sweep_latency(c, s)?);
        }
    }
    if c.layouts.iter().all(|l| l.yearly_cost.is_some()) {
        out.push(cost::cost_availability(c, sweep)?);
    }
    Ok(out)
}

/// The line under every title.
fn run_line(c: &Comparison) -> String {
    format!(
        "{} layouts · {} replications each · mission {} · seed {} · common random numbers · nines {}",
        c.layouts.len(),
        count(c.replications),
        format_duration(c.mission_hours),
        c.seed,
        env!("CARGO_PKG_VERSION")
    )
}

/// Nines of an availability estimate (value, low, high), with +∞ for no downtime.
fn nines(a: &Estimate) -> (f64, f64, f64) {
    (
        nines_of(1.0 - a.value),
        nines_of(1.0 - a.ci95_low),
        nines_of(1.0 - a.ci95_high),
    )
}

/// A nines axis covering every finite value (and targets), in whole nines, 2 to 12 wide.
fn nines_domain(values: impl Iterator<Item = f64>) -> (f64, f64) {
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    for v in values.filter(|v| v.is_finite()) {
        lo = lo.min(v);
        hi = hi.max(v);
    }
    if !lo.is_finite() {
        return (2.0, 5.0);
    }
    let lo = (lo - 0.15).floor().max(0.0);
    let mut hi = (hi + 0.15).ceil();
    if hi - lo < 2.0 {
        hi = lo + 2.0;
    }
    (lo.max(hi - 12.0), hi)
}

fn layout_color(i: usize) -> RGBColor {
    palette::SERIES[i % palette::SERIES.len()]
}
