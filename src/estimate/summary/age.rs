//! What a run reports about data age (request kinds with `stale_after`): how old the data clients
//! kept was over all clients and mission time, and how much of that client-time it was stale.

use serde::Serialize;

use crate::base::stats::Estimate;
use crate::base::units::{HOURS_PER_YEAR, Hours};
use crate::estimate::accumulate::AgeAcc;
use crate::model::RequestKind;

/// Data age of one request kind's clients: the time since each client's last successful request,
/// over all clients and mission time.
#[derive(Debug, Clone, Serialize)]
pub struct DataAgeSummary {
    /// Data older than this is stale, hours.
    pub stale_after_hours: Hours,
    /// Mean age over client-time, hours.
    pub mean_hours: Estimate,
    /// Age percentiles over client-time, hours (from a histogram with edges 9% apart, interpolated
    /// between them).
    pub p50_hours: Estimate,
    /// 90th percentile.
    pub p90_hours: Estimate,
    /// 95th percentile.
    pub p95_hours: Estimate,
    /// 99th percentile.
    pub p99_hours: Estimate,
    /// Share of client-time with data older than `stale_after`.
    pub stale_share: Estimate,
    /// Clients with stale data, on average over the mission (the share times the population).
    pub stale_clients: Estimate,
    /// Client-hours per year with stale data.
    pub stale_client_hours_per_year: Estimate,
    /// Longest stretch of a mission in which no request could succeed, so that every client's data
    /// got at least that old: the mean over replications, hours.
    pub worst_mean_hours: Estimate,
    /// The longest such stretch over all replications (an observed maximum), hours.
    pub worst_max_hours: Hours,
}

impl DataAgeSummary {
    /// The data-age figures of kind `q` (of a population of `count` clients), if it has `stale_after`.
    pub(super) fn of(
        q: &RequestKind,
        acc: Option<&AgeAcc>,
        count: f64,
        replications: u64,
    ) -> Option<DataAgeSummary> {
        let (tau, a) = (q.stale_after?, acc?);
        let stale = a.stale.estimate().share();
        let pct = |p: f64| a.quantile_estimate(p, replications);
        Some(DataAgeSummary {
            stale_after_hours: tau,
            mean_hours: a.mean.estimate().nonnegative(),
            p50_hours: pct(0.5),
            p90_hours: pct(0.9),
            p95_hours: pct(0.95),
            p99_hours: pct(0.99),
            stale_share: stale,
            stale_clients: stale.map(|s| s * count),
            stale_client_hours_per_year: stale.map(|s| s * count * HOURS_PER_YEAR),
            worst_mean_hours: a.worst.estimate().nonnegative(),
            worst_max_hours: a.worst_max,
        })
    }
}
