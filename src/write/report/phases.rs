//! Phases in a run's report: per service and phase of the calendar, the availability and the
//! downtime in it, and over the phases where the service is needed; per request kind whose rate
//! changes by phase, its requests and failures in each phase.

use super::page::{Block, Cell, Table, amount, caption, fraction};
use crate::base::format::{hours, sig3};
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

/// The requests of the kinds whose rate changes by phase (`rate` on a phase), one row per kind and
/// phase, as the terminal table's "requests by phase" (nothing without such kinds).
pub(super) fn phase_requests(summary: &Summary) -> Vec<Block> {
    if summary.phase_requests.is_empty() {
        return Vec::new();
    }
    vec![
        Block::Subheading("Requests by phase".into()),
        Block::Table(Table {
            header: vec![
                "request".into(),
                "phase".into(),
                "rate multiplier".into(),
                "requests per year".into(),
                "failed requests per year".into(),
                "failed share".into(),
            ],
            rows: summary
                .phase_requests
                .iter()
                .map(|r| {
                    vec![
                        Cell::text(&r.request),
                        Cell::text(&r.phase),
                        Cell::number(format!("×{}", sig3(r.rate_factor))),
                        Cell::number(sig3(r.requests_per_year)).detail("exact"),
                        amount(&r.failed_requests_per_year, sig3),
                        fraction(&r.failed_share),
                    ]
                })
                .collect(),
            caption: Some(caption(
                "Kinds whose rate changes by phase: a phase's `rate` multiplies the kind's usual rate while it is in force. Requests per year in a phase count its arrivals over a year of mission; the failed share is of the phase's requests.",
                summary.replications,
            )),
        }),
    ]
}
