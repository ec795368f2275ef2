//! Phases in `nines compare`: for a service needed only in some phases (`needed_in`), its
//! availability and downtime in those hours, from each layout's own estimates (not paired: a
//! difference is significant only when the intervals do not overlap).

use crate::estimate::summary::NEEDED;

use super::rows::unpaired_cells;
use super::{LayoutResult, Row, Unit};

/// Rows of service `s` over its needed phases (none when no layout has them).
pub(super) fn rows(layouts: &[LayoutResult], s: &str) -> Vec<Row> {
    let n = layouts.len();
    let needed = |i: usize| {
        layouts[i]
            .summary
            .phases
            .iter()
            .find(|p| p.service == s && p.phase == NEEDED)
    };
    if !(0..n).any(|i| needed(i).is_some()) {
        return Vec::new();
    }
    vec![
        Row {
            measure: "availability in needed hours",
            scope: s.to_string(),
            unit: Unit::Availability,
            higher_is_better: true,
            cells: unpaired_cells(n, |i| needed(i).map(|p| p.availability)),
        },
        Row {
            measure: "downtime per year in needed hours",
            scope: s.to_string(),
            unit: Unit::Hours,
            higher_is_better: false,
            cells: unpaired_cells(n, |i| needed(i).map(|p| p.downtime_hours_per_year)),
        },
    ]
}
