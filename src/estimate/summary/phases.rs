//! Phases as people read them: per service, its availability and downtime in each phase of the
//! calendar, and over the phases where it is needed (`needed_in`); per request kind whose rate
//! changes by phase, its requests in each phase.

use serde::Serialize;

use crate::base::stats::Estimate;
use crate::base::units::{HOURS_PER_YEAR, Hours};
use crate::estimate::accumulate::RunAcc;
use crate::model::Model;

/// Name of the row over the phases where a service is needed.
pub const NEEDED: &str = "needed";

/// One service in one phase (or, as row `needed`, over the phases where it is needed).
#[derive(Debug, Clone, Serialize)]
pub struct PhaseSummary {
    /// The service.
    pub service: String,
    /// The phase, `other` (time in no named phase) or `needed` (the phases in `needed_in`).
    pub phase: String,
    /// When the phase holds, in words.
    pub when: String,
    /// Hours of each year in the phase.
    pub hours_per_year: Hours,
    /// Whether the service's downtime counts in this phase (`needed_in`).
    pub counts: bool,
    /// Time up in the phase / time in the phase.
    pub availability: Estimate,
    /// Downtime in the phase per year, hours.
    pub downtime_hours_per_year: Estimate,
    /// Percentiles of a calendar year's downtime in the phase, hours.
    pub annual_downtime_hours_p50: Estimate,
    /// 90th percentile.
    pub annual_downtime_hours_p90: Estimate,
    /// 95th percentile.
    pub annual_downtime_hours_p95: Estimate,
    /// 99th percentile.
    pub annual_downtime_hours_p99: Estimate,
}

impl RunAcc {
    /// Per service, one row per phase with time in it, then `needed` for a service with
    /// `needed_in`.
    pub(super) fn phase_summary(&self, model: &Model) -> Vec<PhaseSummary> {
        let ph = &model.phases;
        let n = ph.list.len();
        let mut out = Vec::new();
        for ((s, svc), acc) in model.services.iter().enumerate().zip(&self.phases) {
            let mask = ph.needed[s];
            let partial = ph.partial(s);
            let mut row = |i: usize, phase: String, when: String, hours: Hours, counts: bool| {
                let u = acc.unavailability[i].estimate().nonnegative();
                let h = &acc.annual[i];
                out.push(PhaseSummary {
                    service: svc.name.clone(),
                    phase,
                    when,
                    hours_per_year: hours,
                    counts,
                    availability: Estimate {
                        value: (1.0 - u.value).clamp(0.0, 1.0),
                        ci95_low: (1.0 - u.ci95_high).clamp(0.0, 1.0),
                        ci95_high: (1.0 - u.ci95_low).clamp(0.0, 1.0),
                        n: u.n,
                    },
                    downtime_hours_per_year: acc.downtime[i].estimate().nonnegative(),
                    annual_downtime_hours_p50: h.quantile_estimate(0.50),
                    annual_downtime_hours_p90: h.quantile_estimate(0.90),
                    annual_downtime_hours_p95: h.quantile_estimate(0.95),
                    annual_downtime_hours_p99: h.quantile_estimate(0.99),
                });
            };
            for (p, phase) in ph.list.iter().enumerate() {
                if phase.hours_per_year > 0.0 {
                    row(
                        p,
                        phase.name.clone(),
                        phase.rule.clone(),
                        phase.hours_per_year,
                        mask & (1 << p) != 0,
                    );
                }
            }
            if partial {
                let names: Vec<&str> = (0..n)
                    .filter(|&p| mask & (1 << p) != 0)
                    .map(|p| ph.list[p].name.as_str())
                    .collect();
                let hours = (0..n)
                    .filter(|&p| mask & (1 << p) != 0)
                    .map(|p| ph.list[p].hours_per_year)
                    .sum();
                row(
                    n,
                    NEEDED.into(),
                    format!("up time in {} / time in them", names.join(", ")),
                    hours,
                    true,
                );
            }
        }
        out
    }
}

/// One request kind (whose rate changes by phase) in one phase.
#[derive(Debug, Clone, Serialize)]
pub struct PhaseRequestSummary {
    /// The request kind (`population.kind`).
    pub request: String,
    /// The phase.
    pub phase: String,
    /// The multiplier of the kind's usual rate in the phase.
    pub rate_factor: f64,
    /// Requests arriving in the phase per year of mission (exact).
    pub requests_per_year: f64,
    /// Of them, failed after every attempt, per year.
    pub failed_requests_per_year: Estimate,
    /// Share of the phase's requests that failed.
    pub failed_share: Estimate,
}

impl RunAcc {
    /// Per request kind whose rate changes by phase, one row per phase with time in the mission.
    pub(super) fn phase_request_summary(&self, model: &Model) -> Vec<PhaseRequestSummary> {
        let ph = &model.phases;
        let mission = model.simulation.mission;
        let hours = ph.hours_in(mission);
        let years = mission / HOURS_PER_YEAR;
        let mut out = Vec::new();
        for acc in &self.phase_requests {
            let q = &model.requests[acc.kind];
            let Some(f) = ph.rate_factors(q.population) else {
                continue;
            };
            let count = model.populations[q.population].count as f64;
            for (p, phase) in ph.list.iter().enumerate() {
                if hours[p] <= 0.0 {
                    continue;
                }
                out.push(PhaseRequestSummary {
                    request: q.name.clone(),
                    phase: phase.name.clone(),
                    rate_factor: f[p],
                    requests_per_year: count * q.rate * f[p] * hours[p] / years,
                    failed_requests_per_year: acc.failed_per_year[p].estimate().nonnegative(),
                    failed_share: acc.failed_share[p].estimate().share(),
                });
            }
        }
        out
    }
}
