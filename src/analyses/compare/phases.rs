//! Phases in `nines compare`: for a service needed only in some phases (`needed_in`), its
//! availability and downtime in those hours, from each layout's own estimates (not paired: a
//! difference is significant only when the intervals do not overlap).

use crate::base::stats::Estimate;
use crate::estimate::summary::NEEDED;

use super::{LayoutResult, Unit};

/// A compare row of service `s` over its needed phases: measure, unit, whether higher is better, and
/// each layout's estimate.
pub(super) type NeededRow = (&'static str, Unit, bool, Vec<Option<Estimate>>);

/// The rows of service `s` over its needed phases (none when no layout has them).
pub(super) fn needed_rows(layouts: &[LayoutResult], s: &str) -> Vec<NeededRow> {
    let needed = |l: &LayoutResult| {
        l.summary
            .phases
            .iter()
            .find(|p| p.service == s && p.phase == NEEDED)
            .cloned()
    };
    let rows: Vec<_> = layouts.iter().map(needed).collect();
    if rows.iter().all(Option::is_none) {
        return Vec::new();
    }
    vec![
        (
            "availability in needed hours",
            Unit::Availability,
            true,
            rows.iter()
                .map(|p| p.as_ref().map(|p| p.availability))
                .collect(),
        ),
        (
            "downtime per year in needed hours",
            Unit::Hours,
            false,
            rows.iter()
                .map(|p| p.as_ref().map(|p| p.downtime_hours_per_year))
                .collect(),
        ),
    ]
}
