//! The swept service's availability in each phase of the calendar (and over the phases where it is
//! needed), as columns of the sweep: one per phase row of the run summary.

use crate::analyses::compare::Comparison;
use crate::base::stats::Estimate;
use crate::estimate::summary::Summary;

/// The phase rows the points have for `service` (`other` and `needed` included), in the order of
/// the first point that has them.
pub(super) fn names(c: &Comparison, service: &str) -> Vec<String> {
    c.layouts
        .iter()
        .map(|l| {
            l.summary
                .phases
                .iter()
                .filter(|p| p.service == service)
                .map(|p| p.phase.clone())
                .collect::<Vec<_>>()
        })
        .find(|v| !v.is_empty())
        .unwrap_or_default()
}

/// The service's availability in each of the phase rows `names` at one point (a point without the
/// row gets an empty estimate, shown as a dash).
pub(super) fn availability(s: &Summary, service: &str, names: &[String]) -> Vec<Option<Estimate>> {
    names
        .iter()
        .map(|n| {
            s.phases
                .iter()
                .find(|p| p.service == service && &p.phase == n)
                .map(|p| p.availability)
        })
        .collect()
}
