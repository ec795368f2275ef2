//! What a run reports about clients: per request kind (outcomes, latency, queue, cached data, work in
//! flight, the state requests arrived in) and per group of kinds, and the latency percentiles of a
//! mixture of latency classes.

use serde::Serialize;

use crate::base::stats::{Estimate, RatioAcc};
use crate::base::units::Hours;
use crate::model::RequestKind;

/// What clients of one request kind experienced.
#[derive(Debug, Clone, Serialize)]
pub struct RequestSummary {
    /// `population.kind`.
    pub name: String,
    /// The role serving it.
    pub target: String,
    /// Requests per year of the whole population (exact: count / mean interval).
    pub requests_per_year: f64,
    /// Requests that failed after all attempts, per year.
    pub failed_requests_per_year: Estimate,
    /// Share of requests that succeeded.
    pub success_ratio: Estimate,
    /// Per attempt j (0-based): share of requests that succeeded at attempt j; the last entry is the share
    /// that failed. Attempts from `attempts_on_target` on went to the fallback role.
    pub outcome_shares: Vec<Estimate>,
    /// Attempts a request makes on its target before it turns to the fallback (if any).
    pub attempts_on_target: u32,
    /// The fallback role, if any.
    pub fallback: Option<String>,
    /// Mean latency of successful requests, hours.
    pub latency_mean_hours: Estimate,
    /// Latency percentiles of successful requests, hours: p50, p90, p99, p99.9.
    pub latency_p50_hours: Estimate,
    /// 90th percentile.
    pub latency_p90_hours: Estimate,
    /// 95th percentile.
    pub latency_p95_hours: Estimate,
    /// 99th percentile.
    pub latency_p99_hours: Estimate,
    /// 99.9th percentile.
    pub latency_p999_hours: Estimate,
    /// Typical largest latency among one mission's successful requests (the median of the maximum of
    /// that many latencies), hours.
    pub latency_max_hours: Estimate,
    /// Requests per hour one instance of the target serves, if it has a capacity.
    pub capacity_per_hour: Option<f64>,
    /// Requests per hour offered to the target by every population.
    pub offered_load_per_hour: f64,
    /// With a capacity: the target's queue for each number of live instances.
    pub queue: Vec<QueueRow>,
    /// With `when_all_fail = "cache"`: what became of the cached data of failed requests.
    pub cache: Option<CacheSummary>,
    /// With a `duration`: what cuts did to the requests in flight (absent from the JSON otherwise).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub in_flight: Option<InFlightSummary>,
    /// With `stale_after`: how old the data the requests refresh was (absent from the JSON otherwise).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data_age: Option<super::DataAgeSummary>,
    /// With `reassign` on the population: when its clients moved to another role (absent from the JSON
    /// otherwise).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reassign: Option<ReassignSummary>,
    /// Time per year during which a new request fails (∫ P(fail) over arrival times), hours.
    pub client_visible_downtime_hours_per_year: Estimate,
    /// Downtime of the serving role per year, hours, for comparison.
    pub server_downtime_hours_per_year: Estimate,
    /// The requests split by the state of the instances when they arrived: all up, degraded, down.
    pub by_state: Vec<StateSummary>,
}

/// The M/M/c queue of a target with a capacity, with some number of its instances live (exact, from
/// the inputs).
#[derive(Debug, Clone, Serialize)]
pub struct QueueRow {
    /// Live instances.
    pub live: u32,
    /// Offered load over their capacity (at least 1: saturated, every attempt times out).
    pub utilisation: f64,
    /// Probability that a request waits (Erlang C).
    pub p_wait: f64,
    /// Probability that an attempt times out waiting.
    pub p_timeout: f64,
    /// Mean wait of the attempts served within their timeout, hours.
    pub mean_wait_hours: Hours,
    /// Mean wait over all attempts, hours (an attempt that times out waited the whole timeout).
    pub mean_wait_all_hours: Hours,
}

/// What became of the data of failed requests that clients cached.
#[derive(Debug, Clone, Serialize)]
pub struct CacheSummary {
    /// Share of the cached data delivered before the mission end.
    pub delivered_share: Estimate,
    /// Mean delay from the failed request to the request that delivered its data, hours.
    pub delay_mean_hours: Estimate,
    /// Median delivery delay, hours.
    pub delay_p50_hours: Estimate,
    /// 95th percentile delivery delay, hours.
    pub delay_p95_hours: Estimate,
    /// 99th percentile delivery delay, hours.
    pub delay_p99_hours: Estimate,
    /// Longest delivery delay seen, hours.
    pub delay_max_hours: Hours,
    /// Failed requests per mission whose data was still undelivered at its end.
    pub undelivered_at_end: Estimate,
}

/// Work in flight: requests cut because their instance went down while they ran.
#[derive(Debug, Clone, Serialize)]
pub struct InFlightSummary {
    /// How long a request needs its instance after it starts, hours.
    pub duration_hours: Hours,
    /// What a cut request does: `fail`, `retry` or `resume`.
    pub on_cut: &'static str,
    /// Requests cut at least once, per year.
    pub cut_per_year: Estimate,
    /// Cut requests that failed in the end, per year (also counted in the failed requests).
    pub failed_after_cut_per_year: Estimate,
    /// With `retry` or `resume`: mean time the cuts added to a cut request that completed, hours (none
    /// when no cut request completed).
    pub added_mean_hours: Option<Estimate>,
}

/// Reassignment: the population's share moved to another role while the target was down.
#[derive(Debug, Clone, Serialize)]
pub struct ReassignSummary {
    /// The role the moved clients use.
    pub to: String,
    /// How long the target is down before the operator moves them, hours.
    pub after_hours: Hours,
    /// Share of the population moved.
    pub share: f64,
    /// How long after the target returns they move back, hours.
    pub back_after_hours: Hours,
    /// Moves to the other role, per year.
    pub reassignments_per_year: Estimate,
    /// Hours per year the moved share spent on the other role (client-hours: times the share and the
    /// population's count).
    pub reassigned_hours_per_year: Estimate,
}

/// What requests arriving in one state of the instances experienced.
#[derive(Debug, Clone, Serialize)]
pub struct StateSummary {
    /// `all_up`, `degraded` or `down`.
    pub state: &'static str,
    /// Share of all requests that arrived in this state.
    pub share_of_requests: Estimate,
    /// Share of them that succeeded.
    pub success_ratio: Estimate,
    /// Mean latency of the successful ones, hours.
    pub latency_mean_hours: Estimate,
    /// 99th percentile latency of the successful ones, hours.
    pub latency_p99_hours: Estimate,
}

/// What all the requests of a group of request kinds (a population, or all clients) experienced.
#[derive(Debug, Clone, Serialize)]
pub struct ClientGroupSummary {
    /// The population's name, or `all clients`.
    pub name: String,
    /// Request kinds in the group.
    pub kinds: usize,
    /// Requests per year (exact).
    pub requests_per_year: f64,
    /// Share of requests that succeeded.
    pub success_ratio: Estimate,
    /// Requests that failed after all attempts, per year.
    pub failed_requests_per_year: Estimate,
    /// Latency percentiles of successful requests, hours.
    pub latency_p50_hours: Estimate,
    /// 95th percentile.
    pub latency_p95_hours: Estimate,
    /// 99th percentile.
    pub latency_p99_hours: Estimate,
    /// 99.9th percentile.
    pub latency_p999_hours: Estimate,
}

/// A latency percentile of successful requests: the latency is the offset of the attempt that succeeded
/// plus its wait in the queue (with a capacity) plus a response time, so its distribution is a mixture
/// over latency classes (attempt × live instances) weighted by the estimated shares. The interval is
/// conservative: it moves every share to the end of its own 95% interval that shifts the quantile most
/// (a union bound over the shares).
pub(super) fn latency_quantile(q: &RequestKind, shares: &[RatioAcc], p: f64) -> Estimate {
    let parts: Vec<(&RequestKind, usize)> = (0..shares.len()).map(|l| (q, l)).collect();
    mixture_quantile(&parts, shares, p)
}

/// [`latency_quantile`] over a mixture of latency classes of several request kinds: `parts[i]` is the
/// kind and class whose share of the successes `shares[i]` estimates.
pub(super) fn mixture_quantile(
    parts: &[(&RequestKind, usize)],
    shares: &[RatioAcc],
    p: f64,
) -> Estimate {
    let est: Vec<Estimate> = shares.iter().map(RatioAcc::estimate).collect();
    let n = est.first().map_or(0, |e| e.n);
    let weights = |pick: &dyn Fn(&Estimate) -> f64| -> Vec<f64> {
        est.iter()
            .map(|e| {
                let v = pick(e);
                if v.is_finite() {
                    v.clamp(0.0, 1.0)
                } else {
                    0.0
                }
            })
            .collect()
    };
    let point = weights(&|e| e.value);
    if point.iter().sum::<f64>() <= 0.0 {
        return Estimate {
            value: f64::NAN,
            ci95_low: f64::NAN,
            ci95_high: f64::NAN,
            n,
        };
    }
    let low_w = weights(&|e| e.ci95_low);
    let high_w = weights(&|e| e.ci95_high);
    // Share of the mixture at or below x, with the classes' weights for "below" and for "above"
    // taken from `up` and `down` (the same for the point estimate).
    let mixture = |up: &[f64], down: &[f64], x: f64| -> f64 {
        let (mut below, mut above) = (0.0, 0.0);
        for (l, (u, d)) in up.iter().zip(down).enumerate() {
            if *u == 0.0 && *d == 0.0 {
                continue;
            }
            let (q, class) = parts[l];
            let f = q.latency_cdf(class, x);
            below += u * f;
            above += d * (1.0 - f);
        }
        if below + above <= 0.0 {
            0.0
        } else {
            (below / (below + above)).clamp(0.0, 1.0)
        }
    };
    let quantile = |f: &dyn Fn(f64) -> f64| -> f64 {
        let mut hi = parts
            .iter()
            .map(|(q, _)| q.horizon() + q.timeout + q.response.mean())
            .fold(1e-9, f64::max);
        let mut guard = 0;
        while f(hi) < p && guard < 200 {
            hi *= 2.0;
            guard += 1;
        }
        let mut lo = 0.0;
        // Bisection to a relative precision far below the histogram-free accuracy that matters.
        for _ in 0..100 {
            let mid = 0.5 * (lo + hi);
            if f(mid) >= p {
                hi = mid;
            } else {
                lo = mid;
            }
            if hi - lo <= 1e-9 * hi {
                break;
            }
        }
        hi
    };
    Estimate {
        value: quantile(&|x| mixture(&point, &point, x)),
        // Fastest: early mass at its high ends, the rest at its low ends (and the opposite).
        ci95_low: quantile(&|x| mixture(&high_w, &low_w, x)),
        ci95_high: quantile(&|x| mixture(&low_w, &high_w, x)),
        n,
    }
}
