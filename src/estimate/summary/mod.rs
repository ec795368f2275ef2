//! Run-level estimates with confidence intervals, drawn from the exact state of a run.
//!
//! [`RunAcc`] (in [`crate::estimate::accumulate`]) holds the exact mergeable state of every statistic;
//! [`Summary`] is what people read.

use serde::Serialize;

use crate::base::stats::{Estimate, LogHistogram};
use crate::base::units::{HOURS_PER_YEAR, Hours};
use crate::engine::Cause;
use crate::engine::clients::SystemState;
use crate::estimate::accumulate::RunAcc;
use crate::model::{ComponentKind, EntityKind, Model, OnCut, RequestKind, WhenAllFail};

mod age;
mod clients;
mod latent;
mod phases;

pub use age::DataAgeSummary;
pub use clients::{
    CacheSummary, ClientGroupSummary, InFlightSummary, QueueRow, ReassignSummary, RequestSummary,
    StateSummary,
};
use clients::{latency_quantile, mixture_quantile};
pub use latent::LatentSummary;
pub use phases::{NEEDED, PhaseRequestSummary, PhaseSummary};

impl RunAcc {
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
            let u = acc.unavailability.estimate().nonnegative();
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
            let planned = acc.planned.estimate().nonnegative();
            let tol = model.tolerances()[m];
            let unplanned = acc.unplanned.estimate().nonnegative();
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
                outages_per_year: acc.outages_per_year.estimate().nonnegative(),
                mean_outage_hours: acc.outage_length.estimate().nonnegative(),
                longest_outage_hours: acc.longest.estimate().nonnegative(),
                worst_outage_hours: acc.worst_outage,
                total_outages: acc.total_outages,
                probability_year_misses_target: target.map(|_| {
                    let e = acc.years_missed.estimate().share();
                    Estimate {
                        ci95_low: e.ci95_low.max(0.0),
                        ci95_high: e.ci95_high.min(1.0),
                        ..e
                    }
                }),
                planned_downtime_hours_per_year: planned,
                unplanned_downtime_hours_per_year: unplanned,
                at_risk_hours_per_year: acc.at_risk.estimate().nonnegative(),
                failover: acc.machine.as_ref().map(|m| FailoverSummary {
                    failovers_per_year: m.failovers.estimate().nonnegative(),
                    failed_failovers_per_year: m.failed_failovers.estimate().nonnegative(),
                    restarts_per_year: m.restarts.estimate().nonnegative(),
                    failover_hours_per_year: m.by_cause[Cause::Failover as usize]
                        .estimate()
                        .nonnegative(),
                    restart_hours_per_year: m.by_cause[Cause::Restart as usize]
                        .estimate()
                        .nonnegative(),
                    manual_hours_per_year: m.by_cause[Cause::Manual as usize]
                        .estimate()
                        .nonnegative(),
                    no_host_hours_per_year: m.by_cause[Cause::NoHost as usize]
                        .estimate()
                        .nonnegative(),
                    recovery_hours_per_year: m.by_cause[Cause::Recovery as usize]
                        .estimate()
                        .nonnegative(),
                    no_quorum_hours_per_year: m.by_quorum.then(|| {
                        m.by_cause[Cause::NoQuorum as usize]
                            .estimate()
                            .nonnegative()
                    }),
                }),
                tolerance: tol.zip(acc.tolerance.as_ref()).map(|(tol, t)| {
                    let down = t.downtime.estimate().nonnegative();
                    ToleranceSummary {
                        tolerance_hours: tol.hours,
                        counts: tol.rule(),
                        judges_target: tol.judges_target,
                        impactful_downtime_hours_per_year: down,
                        impactful_availability: Estimate {
                            value: (1.0 - down.value / HOURS_PER_YEAR).clamp(0.0, 1.0),
                            ci95_low: (1.0 - down.ci95_high / HOURS_PER_YEAR).clamp(0.0, 1.0),
                            ci95_high: (1.0 - down.ci95_low / HOURS_PER_YEAR).clamp(0.0, 1.0),
                            n: down.n,
                        },
                        impactful_outages_per_year: t.outages.estimate().nonnegative(),
                        probability_year_misses_target: target.map(|_| {
                            let e = t.years_missed.estimate().share();
                            Estimate {
                                ci95_low: e.ci95_low.max(0.0),
                                ci95_high: e.ci95_high.min(1.0),
                                ..e
                            }
                        }),
                    }
                }),
                data_loss: acc.machine.as_ref().filter(|m| m.can_lose_data).map(|m| {
                    DataLossSummary {
                        hours_per_year: m.data_lost.estimate().nonnegative(),
                        incidents_per_year: m.loss_incidents.estimate().nonnegative(),
                        mean_per_incident_hours: m.loss_per_incident.estimate().nonnegative(),
                        worst_hours: m.worst_loss,
                    }
                }),
            });
        }
        let mut contributions = Vec::new();
        for (s, svc) in model.services.iter().enumerate() {
            let mut rows: Vec<Contribution> = self.contributions[s]
                .parts()
                .map(|(k, _, share)| {
                    let n = svc.support[k];
                    Contribution {
                        service: svc.name.clone(),
                        component: model.components[n].name.clone(),
                        component_kind: model.components[n].kind,
                        share_of_downtime: share.estimate().share(),
                    }
                })
                .filter(|c| c.share_of_downtime.value > 0.0)
                .collect();
            rows.sort_by(|a, b| {
                b.share_of_downtime
                    .value
                    .total_cmp(&a.share_of_downtime.value)
                    .then_with(|| a.component.cmp(&b.component))
            });
            contributions.extend(rows);
        }
        let crews = model
            .crews
            .iter()
            .zip(&self.crews)
            .map(|(c, acc)| CrewSummary {
                name: c.name.clone(),
                technicians: c.technicians,
                utilisation: acc
                    .utilisation
                    .estimate()
                    .map(|u| u / c.technicians as f64)
                    .share(),
                mean_wait_hours: acc.wait.estimate().nonnegative(),
                repairs_per_year: acc.repairs.estimate().nonnegative(),
            })
            .collect();
        let stocks = model
            .stocks
            .iter()
            .zip(&self.stocks)
            .map(|(k, acc)| StockSummary {
                name: k.name.clone(),
                parts: k.parts,
                demands_per_year: acc.demands.estimate().nonnegative(),
                stockouts_per_year: acc.stockouts.estimate().nonnegative(),
                mean_wait_hours: acc.wait.estimate().nonnegative(),
                hours_waiting_per_year: acc.waiting.estimate().nonnegative(),
            })
            .collect();
        let requests = model
            .requests
            .iter()
            .zip(&self.requests)
            .map(|(q, acc)| {
                let role = model.services.len() + q.target;
                let server = &self.entities[role].unavailability;
                let count = model.populations[q.population].count as f64;
                // The phases' rate multipliers over the mission, on average.
                let rated = count
                    * model
                        .phases
                        .mean_rate_factor(q.population, model.simulation.mission);
                let pct = |p: f64| latency_quantile(q, &acc.success_shares, p);
                // The typical largest latency among a mission's requests: the median of the largest of
                // N independent draws is the quantile 0.5^(1/N).
                let per_mission = rated * q.rate * model.simulation.mission;
                let max_p = if per_mission > 1.0 {
                    0.5f64.powf(1.0 / per_mission)
                } else {
                    0.5
                };
                let with_n = |mut e: Estimate| {
                    e.n = self.replications;
                    e
                };
                let cache = (q.when_all_fail == WhenAllFail::Cache).then(|| CacheSummary {
                    delivered_share: acc.delivered_share.estimate().share(),
                    delay_mean_hours: acc.delay_mean.estimate().nonnegative(),
                    delay_p50_hours: with_n(acc.delays.quantile_estimate(0.5)),
                    delay_p95_hours: with_n(acc.delays.quantile_estimate(0.95)),
                    delay_p99_hours: with_n(acc.delays.quantile_estimate(0.99)),
                    delay_max_hours: acc.delays.max(),
                    undelivered_at_end: acc.undelivered.estimate().nonnegative(),
                });
                let in_flight = (q.duration > 0.0).then(|| InFlightSummary {
                    duration_hours: q.duration,
                    on_cut: q.on_cut.as_str(),
                    cut_per_year: acc.cut_per_year.estimate().nonnegative(),
                    failed_after_cut_per_year: acc.cut_failed_per_year.estimate().nonnegative(),
                    // None too when no cut request completed (a ratio with nothing under it).
                    added_mean_hours: (q.on_cut != OnCut::Fail)
                        .then(|| acc.cut_added.estimate())
                        .filter(|e| e.value.is_finite())
                        .map(Estimate::nonnegative),
                });
                let reassign = q.reassign.as_ref().map(|r| ReassignSummary {
                    to: model.roles[r.to].name.clone(),
                    after_hours: r.after,
                    share: r.share,
                    back_after_hours: r.back_after,
                    reassignments_per_year: acc.moved_per_year.estimate().nonnegative(),
                    reassigned_hours_per_year: acc.moved_hours_per_year.estimate().nonnegative(),
                });
                let load = model.offered_load(q.target);
                let queue = match model.roles[q.target].capacity {
                    Some(mu) => q
                        .queue
                        .iter()
                        .enumerate()
                        .skip(1)
                        .filter(|(c, _)| !q.per_replica || *c == 1)
                        .map(|(c, qu)| QueueRow {
                            live: c as u32,
                            utilisation: load / (c as f64 * mu),
                            p_wait: qu.p_wait,
                            p_timeout: 1.0 - qu.in_time,
                            mean_wait_hours: qu.mean_wait(q.timeout),
                            mean_wait_all_hours: qu.mean_wait_all(q.timeout),
                        })
                        .collect(),
                    None => Vec::new(),
                };
                RequestSummary {
                    name: q.name.clone(),
                    target: model.roles[q.target].name.clone(),
                    requests_per_year: rated * q.rate * HOURS_PER_YEAR,
                    failed_requests_per_year: acc.failed_per_year.estimate().nonnegative(),
                    success_ratio: acc.success.estimate().share(),
                    outcome_shares: acc.shares.iter().map(|a| a.estimate().share()).collect(),
                    attempts_on_target: q.max_attempts,
                    fallback: q.fallback.map(|f| model.roles[f].name.clone()),
                    latency_mean_hours: acc.latency.estimate().nonnegative(),
                    latency_p50_hours: pct(0.5),
                    latency_p90_hours: pct(0.9),
                    latency_p95_hours: pct(0.95),
                    latency_p99_hours: pct(0.99),
                    latency_p999_hours: pct(0.999),
                    latency_max_hours: pct(max_p),
                    capacity_per_hour: model.roles[q.target].capacity,
                    offered_load_per_hour: load,
                    queue,
                    cache,
                    in_flight,
                    data_age: DataAgeSummary::of(q, acc.age.as_ref(), count, self.replications),
                    reassign,
                    client_visible_downtime_hours_per_year: acc
                        .failing_time
                        .estimate()
                        .nonnegative(),
                    server_downtime_hours_per_year: server
                        .estimate()
                        .nonnegative()
                        .map(|u| u * HOURS_PER_YEAR),
                    by_state: SystemState::ALL
                        .iter()
                        .zip(&acc.by_state)
                        .map(|(st, sa)| StateSummary {
                            state: st.as_str(),
                            share_of_requests: sa.share.estimate().share(),
                            success_ratio: sa.success.estimate().share(),
                            latency_mean_hours: sa.latency.estimate().nonnegative(),
                            latency_p99_hours: latency_quantile(q, &sa.success_shares, 0.99),
                        })
                        .collect(),
                }
            })
            .collect();
        let client_groups = self
            .groups
            .iter()
            .enumerate()
            .map(|(p, g)| {
                let parts: Vec<(&RequestKind, usize)> = g
                    .kinds
                    .iter()
                    .flat_map(|&i| {
                        let q = &model.requests[i];
                        (0..q.attempts() as usize * q.classes()).map(move |l| (q, l))
                    })
                    .collect();
                let pct = |p: f64| mixture_quantile(&parts, &g.success_shares, p);
                ClientGroupSummary {
                    name: model
                        .populations
                        .get(p)
                        .map_or_else(|| "all clients".to_string(), |pop| pop.name.clone()),
                    kinds: g.kinds.len(),
                    requests_per_year: g
                        .kinds
                        .iter()
                        .map(|&i| {
                            let q = &model.requests[i];
                            q.rate
                                * model.populations[q.population].count as f64
                                * model
                                    .phases
                                    .mean_rate_factor(q.population, model.simulation.mission)
                                * HOURS_PER_YEAR
                        })
                        .sum(),
                    success_ratio: g.success.estimate().share(),
                    failed_requests_per_year: g.failed_per_year.estimate().nonnegative(),
                    latency_p50_hours: pct(0.5),
                    latency_p95_hours: pct(0.95),
                    latency_p99_hours: pct(0.99),
                    latency_p999_hours: pct(0.999),
                }
            })
            .collect();
        let clusters = model
            .quorums
            .iter()
            .zip(&self.quorums)
            .map(|(q, acc)| ClusterSummary {
                name: q.name.clone(),
                hours_without_quorum_per_year: acc.hours_without.estimate().nonnegative(),
                quorum_losses_per_year: acc.losses.estimate().nonnegative(),
            })
            .collect();
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
            attribution: self.attribution_summary(model),
            crews,
            stocks,
            clusters,
            latent: self.latent_summary(model),
            phases: self.phase_summary(model),
            phase_requests: self.phase_request_summary(model),
            requests,
            client_groups,
            downtime_distributions: measured
                .iter()
                .zip(&self.entities)
                .zip(&self.downtime_per_replication)
                .map(
                    |(((kind, name, _), acc), per_replication)| DowntimeDistribution {
                        kind: *kind,
                        name: name.to_string(),
                        per_replication: per_replication.clone(),
                        per_year: acc.annual_downtime.clone(),
                    },
                )
                .collect(),
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
    /// Downtime per year in outages started by planned maintenance, hours.
    pub planned_downtime_hours_per_year: Estimate,
    /// Downtime per year in all other outages, hours.
    pub unplanned_downtime_hours_per_year: Estimate,
    /// Time per year up but with no redundancy left (one more failure takes it down), hours.
    pub at_risk_hours_per_year: Estimate,
    /// For roles with failover, restart or recovery behaviour.
    pub failover: Option<FailoverSummary>,
    /// For roles that can lose data (restore from backup, asynchronous replicas).
    pub data_loss: Option<DataLossSummary>,
    /// For services and roles with a `tolerance`: impactful downtime.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tolerance: Option<ToleranceSummary>,
}

/// Impactful downtime of a service or role with a grace period (`tolerance`): outages up to the
/// tolerance do not count; an outage still open at the mission end counts by its length up to there.
#[derive(Debug, Clone, Serialize)]
pub struct ToleranceSummary {
    /// The grace period, hours.
    pub tolerance_hours: Hours,
    /// How a longer outage counts: "excess" (only its part beyond the tolerance) or "whole".
    pub counts: &'static str,
    /// Impactful downtime per year, hours.
    pub impactful_downtime_hours_per_year: Estimate,
    /// 1 − impactful downtime per year / hours per year.
    pub impactful_availability: Estimate,
    /// Outages longer than the tolerance per year.
    pub impactful_outages_per_year: Estimate,
    /// Probability that a year's availability, counting impactful downtime only, is below the target.
    pub probability_year_misses_target: Option<Estimate>,
    /// `target_counts = "impactful"`: the target is judged on impactful availability (absent from the
    /// JSON otherwise).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub judges_target: bool,
}

impl EntitySummary {
    /// The availability its target is judged on: impactful availability with `target_counts =
    /// "impactful"`, else availability.
    pub fn judged_availability(&self) -> Estimate {
        match &self.tolerance {
            Some(t) if t.judges_target => t.impactful_availability,
            _ => self.availability,
        }
    }
}

/// What a stateful role's own mechanisms did (its own downtime by cause, ignoring requirements).
#[derive(Debug, Clone, Serialize)]
pub struct FailoverSummary {
    /// Completed automatic failovers (including failbacks and moves after a manual failover) per year.
    pub failovers_per_year: Estimate,
    /// Automatic failovers that failed (coverage) per year.
    pub failed_failovers_per_year: Estimate,
    /// Software restarts per year.
    pub restarts_per_year: Estimate,
    /// Own downtime while switching to another host or starting after none was up, hours/yr.
    pub failover_hours_per_year: Estimate,
    /// Own downtime restarting in place after a software failure, hours/yr.
    pub restart_hours_per_year: Estimate,
    /// Own downtime waiting for an operator (failed failover, failed restart, manual failover), hours/yr.
    pub manual_hours_per_year: Estimate,
    /// Own downtime with no replica host up, hours/yr.
    pub no_host_hours_per_year: Estimate,
    /// Own downtime restoring from backup or reinstalling, hours/yr.
    pub recovery_hours_per_year: Estimate,
    /// Roles of a cluster with quorum: own downtime with no host because the cluster had no quorum,
    /// hours/yr (with every node down too; "no host" is then the rest).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub no_quorum_hours_per_year: Option<Estimate>,
}

/// What a failover cluster's quorum did (`[clusters.NAME]`).
#[derive(Debug, Clone, Serialize)]
pub struct ClusterSummary {
    /// The cluster's name.
    pub name: String,
    /// Hours per year without quorum (every role of the cluster down).
    pub hours_without_quorum_per_year: Estimate,
    /// Times per year the cluster lost quorum.
    pub quorum_losses_per_year: Estimate,
}

/// Data lost by a role: hours of changes that were not yet in a backup or replica.
#[derive(Debug, Clone, Serialize)]
pub struct DataLossSummary {
    /// Hours of changes lost per year.
    pub hours_per_year: Estimate,
    /// Incidents that lost data (or could have: a restore with nothing to lose counts) per year.
    pub incidents_per_year: Estimate,
    /// Mean loss per incident, hours (the RPO actually achieved, on average).
    pub mean_per_incident_hours: Estimate,
    /// Largest loss in any incident of any replication, hours (the worst RPO seen).
    pub worst_hours: Hours,
}

/// How a repair crew was used.
#[derive(Debug, Clone, Serialize)]
pub struct CrewSummary {
    /// Crew name.
    pub name: String,
    /// Technicians.
    pub technicians: u32,
    /// Busy technician-hours / (technicians × mission).
    pub utilisation: Estimate,
    /// Mean wait from failure until a technician is assigned, per repair, hours.
    pub mean_wait_hours: Estimate,
    /// Repairs started per year.
    pub repairs_per_year: Estimate,
}

/// How a spare-part stock served the nodes that take parts from it.
#[derive(Debug, Clone, Serialize)]
pub struct StockSummary {
    /// Stock name.
    pub name: String,
    /// Parts on the shelf when full.
    pub parts: u32,
    /// Parts asked for per year (failures of the nodes that name the stock).
    pub demands_per_year: Estimate,
    /// Demands per year that found the shelf empty.
    pub stockouts_per_year: Estimate,
    /// Mean wait from a failure until its part is taken from the shelf, per part, hours (zero for a
    /// part on the shelf; shipment not included).
    pub mean_wait_hours: Estimate,
    /// Node-hours per year down waiting for a part: the downtime of nodes that waiting for parts caused.
    pub hours_waiting_per_year: Estimate,
}

/// Share of a service's downtime during which a node was down.
#[derive(Debug, Clone, Serialize)]
pub struct Contribution {
    /// The service.
    pub service: String,
    /// The component (node, domain, site or link).
    pub component: String,
    /// What sort of component it is.
    pub component_kind: ComponentKind,
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
    /// Per service, components by decreasing share of its downtime.
    pub contributions: Vec<Contribution>,
    /// Per service, where its downtime comes from: every hour to one cause, largest first; the parts add
    /// up to the service's downtime.
    pub attribution: Vec<crate::estimate::attribution::Attribution>,
    /// Repair crews.
    pub crews: Vec<CrewSummary>,
    /// Spare-part stocks (absent from the JSON when there are none).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub stocks: Vec<StockSummary>,
    /// Failover clusters with quorum (absent from the JSON when there are none).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub clusters: Vec<ClusterSummary>,
    /// Silent and inspected nodes: their hidden failures (absent from the JSON when there are none).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub latent: Vec<LatentSummary>,
    /// Per service and phase of the calendar (`[phases]`): availability and downtime in it.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub phases: Vec<PhaseSummary>,
    /// Per request kind whose rate changes by phase (`rate` of a phase): its requests in each phase.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub phase_requests: Vec<PhaseRequestSummary>,
    /// Client request kinds.
    pub requests: Vec<RequestSummary>,
    /// All the requests of each client population, then of all clients (when there are any).
    pub client_groups: Vec<ClientGroupSummary>,
    /// Per service, then role: how downtime per year is distributed (chart input; not in the JSON output).
    #[serde(skip)]
    pub downtime_distributions: Vec<DowntimeDistribution>,
}

/// How a service's or role's downtime per year is distributed, as streaming histograms (1% buckets,
/// exact zeros apart): memory does not grow with replications, and merging in any order gives the same
/// result.
#[derive(Debug, Clone)]
pub struct DowntimeDistribution {
    /// Service or role.
    pub kind: EntityKind,
    /// Its name.
    pub name: String,
    /// One value per replication: its mission downtime divided by the mission's years, hours per year.
    pub per_replication: LogHistogram,
    /// One value per whole year of each replication's mission: that year's downtime, hours (as the
    /// annual percentiles).
    pub per_year: LogHistogram,
}
