//! Accumulation of per-replication measures into run-level estimates with confidence intervals.
//!
//! [`RunAcc`] holds the exact mergeable state of every statistic; [`Summary`] is what people read.

use serde::Serialize;

use crate::engine::Engine;
use crate::model::{EntityKind, Model};
use crate::stats::{Estimate, LogHistogram, MeanAcc, RatioAcc};
use crate::units::{HOURS_PER_YEAR, Hours};

/// Mergeable statistics of one measured entity.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct EntityAcc {
    unavailability: MeanAcc,
    outages_per_year: MeanAcc,
    outage_length: RatioAcc,
    longest: MeanAcc,
    worst_outage: f64,
    annual_downtime: LogHistogram,
    years_missed: MeanAcc,
    total_outages: u64,
}

impl EntityAcc {
    fn merge(&mut self, o: &EntityAcc) {
        self.unavailability.merge(&o.unavailability);
        self.outages_per_year.merge(&o.outages_per_year);
        self.outage_length.merge(&o.outage_length);
        self.longest.merge(&o.longest);
        self.worst_outage = self.worst_outage.max(o.worst_outage);
        self.annual_downtime.merge(&o.annual_downtime);
        self.years_missed.merge(&o.years_missed);
        self.total_outages += o.total_outages;
    }
}

/// The exact, mergeable state of a whole run (or of any part of it).
#[derive(Debug, Clone, PartialEq)]
pub struct RunAcc {
    /// Per measured entity, in [`Model::measured`] order.
    pub entities: Vec<EntityAcc>,
    /// Per service, per node of its support: hours down while that node was down, against service downtime.
    contributions: Vec<Vec<RatioAcc>>,
    /// Replications recorded.
    pub replications: u64,
    /// Events simulated.
    pub events: u64,
    /// Per measured entity: its availability target (services only).
    targets: Vec<Option<f64>>,
}

impl RunAcc {
    /// An empty accumulator for `model`.
    pub fn new(model: &Model) -> Self {
        RunAcc {
            entities: vec![EntityAcc::default(); model.measured().len()],
            contributions: model
                .services
                .iter()
                .map(|s| vec![RatioAcc::default(); s.support.len()])
                .collect(),
            replications: 0,
            events: 0,
            targets: model
                .services
                .iter()
                .map(|s| s.target)
                .chain(model.roles.iter().map(|_| None))
                .collect(),
        }
    }

    /// Records the replication the engine just simulated, with weight `w` (1 for plain Monte Carlo).
    pub fn record(&mut self, engine: &Engine<'_>, w: f64) {
        let model = engine.model();
        let mission = model.simulation.mission;
        let years = mission / HOURS_PER_YEAR;
        let (slots, slot_len) = engine.year_slots();
        let year_scale = HOURS_PER_YEAR / slot_len;
        self.replications += 1;
        self.events += engine.events();
        let targets = &self.targets;
        for (m, (acc, mon)) in self.entities.iter_mut().zip(engine.monitors()).enumerate() {
            acc.unavailability.add(mon.downtime / mission, w);
            acc.outages_per_year.add(mon.outages as f64 / years, w);
            acc.outage_length.add(mon.downtime, mon.outages as f64, w);
            acc.longest.add(mon.longest, w);
            acc.worst_outage = acc.worst_outage.max(mon.longest);
            acc.total_outages += mon.outages as u64;
            let mut missed = 0;
            for &d in engine.year_downtime(m) {
                acc.annual_downtime.add(d * year_scale, w);
                if targets[m].is_some_and(|target| 1.0 - d / slot_len < target) {
                    missed += 1;
                }
            }
            if targets[m].is_some() {
                acc.years_missed.add(missed as f64 / slots as f64, w);
            }
        }
        for (s, svc) in model.services.iter().enumerate() {
            let down = engine.monitors()[s].downtime;
            for (k, &n) in svc.support.iter().enumerate() {
                self.contributions[s][k].add(engine.overlap(s, n), down, w);
            }
        }
    }

    /// Adds another accumulator of the same model.
    pub fn merge(&mut self, o: &RunAcc) {
        for (a, b) in self.entities.iter_mut().zip(&o.entities) {
            a.merge(b);
        }
        for (a, b) in self.contributions.iter_mut().zip(&o.contributions) {
            for (x, y) in a.iter_mut().zip(b) {
                x.merge(y);
            }
        }
        self.replications += o.replications;
        self.events += o.events;
    }

    /// Turns the state into estimates.
    pub fn summarize(&self, model: &Model, info: RunInfo) -> Summary {
        let measured = model.measured();
        let mut entities = Vec::new();
        for (m, ((kind, name, _), acc)) in measured.iter().zip(&self.entities).enumerate() {
            let target = if m < model.services.len() {
                model.services[m].target
            } else {
                None
            };
            let u = acc.unavailability.estimate();
            let clamp01 = |x: f64| x.clamp(0.0, 1.0);
            let unavailability = Estimate {
                ci95_low: clamp01(u.ci95_low),
                ci95_high: clamp01(u.ci95_high),
                ..u
            };
            let availability = Estimate {
                value: 1.0 - unavailability.value,
                ci95_low: 1.0 - unavailability.ci95_high,
                ci95_high: 1.0 - unavailability.ci95_low,
                n: u.n,
            };
            let nines = Estimate {
                value: nines_of(unavailability.value),
                ci95_low: nines_of(unavailability.ci95_high),
                ci95_high: nines_of(unavailability.ci95_low),
                n: u.n,
            };
            let downtime_per_year = unavailability.map(|x| x * HOURS_PER_YEAR);
            let h = &acc.annual_downtime;
            entities.push(EntitySummary {
                kind: *kind,
                name: name.to_string(),
                target,
                availability,
                unavailability,
                nines,
                downtime_hours_per_year: downtime_per_year,
                annual_downtime_hours_p50: h.quantile_estimate(0.50),
                annual_downtime_hours_p90: h.quantile_estimate(0.90),
                annual_downtime_hours_p99: h.quantile_estimate(0.99),
                annual_downtime_hours_max: h.max(),
                years_observed: h.count(),
                outages_per_year: acc.outages_per_year.estimate(),
                mean_outage_hours: acc.outage_length.estimate(),
                longest_outage_hours: acc.longest.estimate(),
                worst_outage_hours: acc.worst_outage,
                total_outages: acc.total_outages,
                probability_year_misses_target: target.map(|_| {
                    let e = acc.years_missed.estimate();
                    Estimate {
                        ci95_low: e.ci95_low.max(0.0),
                        ci95_high: e.ci95_high.min(1.0),
                        ..e
                    }
                }),
            });
        }
        let mut contributions = Vec::new();
        for (s, svc) in model.services.iter().enumerate() {
            let mut rows: Vec<Contribution> = svc
                .support
                .iter()
                .zip(&self.contributions[s])
                .map(|(&n, acc)| Contribution {
                    service: svc.name.clone(),
                    node: model.components[n].name.clone(),
                    share_of_downtime: acc.estimate(),
                })
                .filter(|c| c.share_of_downtime.value > 0.0)
                .collect();
            rows.sort_by(|a, b| {
                b.share_of_downtime
                    .value
                    .total_cmp(&a.share_of_downtime.value)
                    .then_with(|| a.node.cmp(&b.node))
            });
            contributions.extend(rows);
        }
        let seconds = info.wall_seconds;
        Summary {
            scenario: model.name.clone(),
            nines_version: env!("CARGO_PKG_VERSION").to_string(),
            mission_hours: model.simulation.mission,
            seed: model.simulation.seed,
            replications: self.replications,
            events: self.events,
            wall_seconds: seconds,
            events_per_second: if seconds > 0.0 {
                self.events as f64 / seconds
            } else {
                f64::NAN
            },
            threads: info.threads,
            entities,
            contributions,
        }
    }
}

/// "Number of nines": −log10(unavailability); infinite when no downtime was seen.
pub fn nines_of(unavailability: f64) -> f64 {
    if unavailability <= 0.0 {
        f64::INFINITY
    } else {
        -unavailability.log10()
    }
}

/// Facts about how a run was executed (not part of the statistics).
#[derive(Debug, Clone, Copy, Default)]
pub struct RunInfo {
    /// Wall-clock seconds.
    pub wall_seconds: f64,
    /// Worker threads.
    pub threads: usize,
}

/// Estimates for one service or role.
#[derive(Debug, Clone, Serialize)]
pub struct EntitySummary {
    /// Service or role.
    pub kind: EntityKind,
    /// Its name.
    pub name: String,
    /// Availability target, for services that have one.
    pub target: Option<f64>,
    /// Fraction of mission time available (mean over replications).
    pub availability: Estimate,
    /// 1 − availability.
    pub unavailability: Estimate,
    /// −log10(unavailability).
    pub nines: Estimate,
    /// Mean downtime per year, hours.
    pub downtime_hours_per_year: Estimate,
    /// Median downtime of a calendar year of the mission, hours.
    pub annual_downtime_hours_p50: Estimate,
    /// 90th percentile of annual downtime, hours.
    pub annual_downtime_hours_p90: Estimate,
    /// 99th percentile of annual downtime: the planner's bad year, hours.
    pub annual_downtime_hours_p99: Estimate,
    /// Worst single year seen, hours.
    pub annual_downtime_hours_max: Hours,
    /// Mission years behind the annual figures.
    pub years_observed: u64,
    /// Outages per year.
    pub outages_per_year: Estimate,
    /// Mean outage length, hours (total downtime / outages).
    pub mean_outage_hours: Estimate,
    /// Mean over replications of the longest outage in the mission, hours.
    pub longest_outage_hours: Estimate,
    /// Longest outage seen in any replication, hours.
    pub worst_outage_hours: Hours,
    /// Outages seen in all replications.
    pub total_outages: u64,
    /// Probability that a year's availability is below the target.
    pub probability_year_misses_target: Option<Estimate>,
}

/// Share of a service's downtime during which a node was down.
#[derive(Debug, Clone, Serialize)]
pub struct Contribution {
    /// The service.
    pub service: String,
    /// The node.
    pub node: String,
    /// (Hours the service was down while the node was down) / (service downtime).
    pub share_of_downtime: Estimate,
}

/// Everything a run reports.
#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    /// Scenario name.
    pub scenario: String,
    /// Version of nines that produced it.
    pub nines_version: String,
    /// Mission length, hours.
    pub mission_hours: Hours,
    /// Seed of the run.
    pub seed: u64,
    /// Replications simulated.
    pub replications: u64,
    /// Events simulated.
    pub events: u64,
    /// Wall-clock seconds.
    pub wall_seconds: f64,
    /// Events per second of wall time.
    pub events_per_second: f64,
    /// Worker threads.
    pub threads: usize,
    /// Services, then roles.
    pub entities: Vec<EntitySummary>,
    /// Per service, nodes by decreasing share of its downtime.
    pub contributions: Vec<Contribution>,
}
