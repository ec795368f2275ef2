//! How much work a run will be, before it starts: events per replication estimated from the mean
//! failure and repair times and the maintenance windows, so that `validate` can warn about a run of
//! hours (a 1 ms time to failure over a 10 000-year mission) or one too short to see anything.

use crate::base::format::count;
use crate::base::units::format_duration;
use crate::model::Model;

/// Events per second per core that the warning assumes (the README's pools benchmark is faster; the
/// mechanisms of the HA family are slower).
const EVENTS_PER_SECOND: f64 = 5e6;
/// Core-seconds of work beyond which `validate` warns.
const WARN_SECONDS: f64 = 3600.0;
/// Missions shorter than this see too little to estimate yearly figures.
const SHORT_MISSION_HOURS: f64 = 24.0;

/// Expected events of one replication: each component fails and is repaired about mission / (MTBF +
/// MTTR) times (two events each), and each maintenance window takes and returns each of its nodes.
pub fn events_per_replication(model: &Model) -> f64 {
    let mission = model.simulation.mission;
    let failures: f64 = model
        .components
        .iter()
        .filter(|c| !c.failure.is_never())
        .map(|c| {
            let cycle = c.failure.mean()
                + if c.repair.is_never() {
                    0.0
                } else {
                    c.repair.mean()
                };
            if cycle > 0.0 {
                2.0 * mission / cycle
            } else {
                f64::INFINITY
            }
        })
        .sum();
    let windows: f64 = model
        .maintenance
        .iter()
        .filter(|m| m.every > 0.0)
        .map(|m| 2.0 * m.nodes.len() as f64 * mission / m.every)
        .sum();
    failures + windows
}

/// Warnings about the size of the run: hours of work, or a mission too short to mean anything.
pub(super) fn warnings(model: &Model) -> Vec<String> {
    let mut out = Vec::new();
    let sim = &model.simulation;
    if sim.mission < SHORT_MISSION_HOURS {
        out.push(format!(
            "the mission is {}: yearly figures are extrapolated from that window alone and most components will never fail in it; missions are usually years (mission = \"10y\")",
            format_duration(sim.mission)
        ));
    }
    let per_rep = events_per_replication(model);
    let total = per_rep * sim.replications as f64;
    let seconds = total / EVENTS_PER_SECOND;
    if !seconds.is_finite() || seconds > WARN_SECONDS {
        out.push(format!(
            "about {} events per replication, {} in all for {} replications: roughly {} of one core's time; check the failure and repair times and the mission, or run fewer replications",
            count(per_rep),
            count(total),
            sim.replications,
            if seconds.is_finite() {
                format_duration(seconds / 3600.0)
            } else {
                "forever".into()
            }
        ));
    }
    out
}
