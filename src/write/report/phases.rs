//! Phases in a run's report: per service and phase of the calendar, the availability and the
//! downtime in it, and over the phases where the service is needed.

use super::page::{Block, Cell, Table, amount, caption, fraction};
use crate::base::format::hours;
use crate::estimate::summary::Summary;

pub(super) fn phases(summary: &Summary) -> Vec<Block> {
    if summary.phases.is_empty() {
        return Vec::new();
    }
    vec![
        Block::Subheading("Phases".into()),
        Block::Table(Table {
            header: vec![
                "service".into(),
                "phase".into(),
                "when".into(),
                "hours per year".into(),
                "availability in it".into(),
                "downtime in it per year".into(),
                "a year's downtime in it: P50".into(),
                "P90".into(),
                "P95".into(),
                "P99".into(),
            ],
            rows: summary
                .phases
                .iter()
                .map(|p| {
                    let phase = if p.counts {
                        p.phase.clone()
                    } else {
                        format!("{} (not needed)", p.phase)
                    };
                    vec![
                        Cell::text(&p.service),
                        Cell::text(phase),
                        Cell::text(&p.when),
                        Cell::number(hours(p.hours_per_year)),
                        fraction(&p.availability),
                        amount(&p.downtime_hours_per_year, hours),
                        amount(&p.annual_downtime_hours_p50, hours),
                        amount(&p.annual_downtime_hours_p90, hours),
                        amount(&p.annual_downtime_hours_p95, hours),
                        amount(&p.annual_downtime_hours_p99, hours),
                    ]
                })
                .collect(),
            caption: Some(caption(
                "Availability in a phase is the time up in it over the time in it. Row `needed`: over the phases the service is needed in (`needed_in`); the service's headline figures count every hour.",
                summary.replications,
            )),
        }),
    ]
}
