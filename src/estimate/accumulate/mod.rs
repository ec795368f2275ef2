//! The exact, mergeable state of a run: statistics per measured entity, role machine, request kind,
//! client group, crew, spare-part stock and cluster quorum, which replications add to and which merge in any order to the same result.
//!
//! [`RunAcc`] holds it all; [`crate::estimate::summary`] turns it into what people read.

mod age;
mod clients;
mod crews;
mod latent;
mod machines;
mod phases;
mod quorum;
mod shape;
mod shares;
mod stocks;
mod tolerance;

use serde::{Deserialize, Serialize};

use crate::base::stats::{Estimate, LogHistogram, MeanAcc, RatioAcc};
use crate::base::units::HOURS_PER_YEAR;
use crate::engine::Engine;
use crate::model::Model;

pub(in crate::estimate) use age::AgeAcc;
use clients::{GroupAcc, RequestAcc};
use crews::CrewAcc;
use latent::LatentAcc;
use machines::MachineAcc;
pub(in crate::estimate) use phases::{PhaseAcc, PhaseRequestAcc};
use quorum::QuorumAcc;
pub(in crate::estimate) use shares::SharesAcc;
use stocks::StockAcc;
use tolerance::ToleranceAcc;

/// Mergeable statistics of one measured entity.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct EntityAcc {
    pub(in crate::estimate) unavailability: MeanAcc,
    pub(in crate::estimate) outages_per_year: MeanAcc,
    pub(in crate::estimate) outage_length: RatioAcc,
    pub(in crate::estimate) longest: MeanAcc,
    pub(in crate::estimate) worst_outage: f64,
    pub(in crate::estimate) annual_downtime: LogHistogram,
    pub(in crate::estimate) years_missed: MeanAcc,
    pub(in crate::estimate) total_outages: u64,
    pub(in crate::estimate) planned: MeanAcc,
    pub(in crate::estimate) unplanned: MeanAcc,
    pub(in crate::estimate) at_risk: MeanAcc,
    pub(in crate::estimate) machine: Option<MachineAcc>,
    /// Entities with a `tolerance`: impactful downtime. Absent from files of runs without one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(in crate::estimate) tolerance: Option<ToleranceAcc>,
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
        self.total_outages = self.total_outages.saturating_add(o.total_outages);
        self.planned.merge(&o.planned);
        self.unplanned.merge(&o.unplanned);
        self.at_risk.merge(&o.at_risk);
        if let (Some(a), Some(b)) = (&mut self.machine, &o.machine) {
            a.merge(b);
        }
        if let (Some(a), Some(b)) = (&mut self.tolerance, &o.tolerance) {
            a.merge(b);
        }
    }
}

/// The exact, mergeable state of a whole run (or of any part of it).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunAcc {
    /// Per measured entity, in [`Model::measured`] order.
    pub entities: Vec<EntityAcc>,
    /// Per service, per node of its support: hours down while that node was down, against service downtime.
    pub(in crate::estimate) contributions: Vec<SharesAcc>,
    /// Replications recorded.
    pub replications: u64,
    /// Events simulated.
    pub events: u64,
    /// Per measured entity: its availability target (services only).
    targets: Vec<Option<f64>>,
    pub(in crate::estimate) crews: Vec<CrewAcc>,
    /// Per spare-part stock. Absent from files of runs without stocks.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub(in crate::estimate) stocks: Vec<StockAcc>,
    pub(in crate::estimate) requests: Vec<RequestAcc>,
    /// Per population, then all clients (when there are any).
    pub(in crate::estimate) groups: Vec<GroupAcc>,
    /// Per measured entity: the distribution of downtime per year over replications (for charts).
    pub(in crate::estimate) downtime_per_replication: Vec<LogHistogram>,
    /// Per cluster (`[clusters]`): its quorum. Absent from files of runs without clusters.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub(in crate::estimate) quorums: Vec<QuorumAcc>,
    /// Per service: where its downtime comes from, every hour to one cause.
    #[serde(default)]
    pub(in crate::estimate) attribution: Vec<SharesAcc>,
    /// Per node of [`Model::latent_nodes`]: its hidden failures. Absent from files of runs without.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub(in crate::estimate) latent: Vec<LatentAcc>,
    /// Per service: its downtime by phase. Absent from files of runs without phases.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub(in crate::estimate) phases: Vec<PhaseAcc>,
    /// Per request kind whose rate changes by phase: its requests by phase. Absent without.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub(in crate::estimate) phase_requests: Vec<PhaseRequestAcc>,
}

impl RunAcc {
    /// An empty accumulator for `model`.
    pub fn new(model: &Model) -> Self {
        RunAcc {
            entities: model
                .services
                .iter()
                .map(|_| None)
                .chain(model.roles.iter().map(MachineAcc::new))
                .zip(model.tolerances())
                .map(|(machine, tol)| EntityAcc {
                    machine,
                    tolerance: tol.map(|_| ToleranceAcc::default()),
                    ..Default::default()
                })
                .collect(),
            crews: vec![CrewAcc::default(); model.crews.len()],
            stocks: vec![StockAcc::default(); model.stocks.len()],
            requests: model.requests.iter().map(RequestAcc::new).collect(),
            groups: GroupAcc::all(model),
            contributions: model
                .services
                .iter()
                .map(|s| SharesAcc::new(s.support.len()))
                .collect(),
            attribution: model
                .services
                .iter()
                .map(|_| SharesAcc::new(crate::engine::attribution_causes(model).len()))
                .collect(),
            replications: 0,
            events: 0,
            targets: model
                .services
                .iter()
                .map(|s| s.target)
                .chain(model.roles.iter().map(|_| None))
                .collect(),
            downtime_per_replication: vec![LogHistogram::default(); model.measured().len()],
            quorums: vec![QuorumAcc::default(); model.quorums.len()],
            latent: vec![LatentAcc::default(); model.latent_nodes().len()],
            phases: PhaseAcc::all(model),
            phase_requests: PhaseRequestAcc::all(model),
        }
    }

    /// Checks that this accumulator, read from a file, is one of `model` (see [`shape`]); the error
    /// names the first field that differs.
    pub fn check_shape(&self, model: &Model) -> Result<(), String> {
        let fresh = serde_json::to_value(RunAcc::new(model)).map_err(|e| e.to_string())?;
        let found = serde_json::to_value(self).map_err(|e| e.to_string())?;
        shape::same_shape(&fresh, &found, "statistics")
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
            acc.planned.add(mon.planned / years, w);
            acc.unplanned.add((mon.downtime - mon.planned) / years, w);
            acc.at_risk.add(mon.at_risk / years, w);
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
            if let Some(t) = &mut acc.tolerance {
                t.record(
                    mon,
                    engine.year_impactful(m),
                    slot_len,
                    targets[m],
                    years,
                    w,
                );
            }
        }
        let services = model.services.len();
        for (acc, st) in self.entities[services..]
            .iter_mut()
            .zip(engine.machine_stats())
        {
            if let Some(m) = &mut acc.machine {
                m.record(st, years, w);
            }
        }
        for ((acc, st), q) in self
            .requests
            .iter_mut()
            .zip(engine.request_stats())
            .zip(&model.requests)
        {
            acc.record(st, q, years, w);
        }
        for g in &mut self.groups {
            g.record(engine, years, w);
        }
        for (acc, st) in self.crews.iter_mut().zip(engine.crew_stats()) {
            acc.record(st, mission, years, w);
        }
        for (acc, st) in self.stocks.iter_mut().zip(engine.stock_stats()) {
            acc.record(st, years, w);
        }
        for (q, acc) in self.quorums.iter_mut().enumerate() {
            acc.record(&engine.quorum_stats(q), years, w);
        }
        if !self.latent.is_empty() {
            let stats = engine.latent_stats();
            for (acc, c) in self.latent.iter_mut().zip(model.latent_nodes()) {
                acc.record(&stats[c], years, w);
            }
        }
        for (s, svc) in model.services.iter().enumerate() {
            let down = engine.monitors()[s].downtime;
            let overlaps = svc.support.iter().map(|&n| engine.overlap(s, n));
            self.contributions[s].record(down, overlaps, years, w);
            self.attribution[s].record(down, engine.attribution(s).iter().copied(), years, w);
        }
        if !self.phases.is_empty() {
            phases::record(&mut self.phases, engine, w);
            phases::record_requests(&mut self.phase_requests, engine, w);
        }
        for (h, mon) in self
            .downtime_per_replication
            .iter_mut()
            .zip(engine.monitors())
        {
            h.add(mon.downtime / years, w);
        }
    }

    /// Adds another accumulator of the same model.
    pub fn merge(&mut self, o: &RunAcc) {
        for (a, b) in self.entities.iter_mut().zip(&o.entities) {
            a.merge(b);
        }
        for (a, b) in self.contributions.iter_mut().zip(&o.contributions) {
            a.merge(b);
        }
        for (a, b) in self.requests.iter_mut().zip(&o.requests) {
            a.merge(b);
        }
        for (a, b) in self.groups.iter_mut().zip(&o.groups) {
            a.merge(b);
        }
        for (a, b) in self.crews.iter_mut().zip(&o.crews) {
            a.merge(b);
        }
        for (a, b) in self.stocks.iter_mut().zip(&o.stocks) {
            a.merge(b);
        }
        for (a, b) in self.quorums.iter_mut().zip(&o.quorums) {
            a.merge(b);
        }
        for (a, b) in self.attribution.iter_mut().zip(&o.attribution) {
            a.merge(b);
        }
        for (a, b) in self.latent.iter_mut().zip(&o.latent) {
            a.merge(b);
        }
        for (a, b) in self.phases.iter_mut().zip(&o.phases) {
            a.merge(b);
        }
        for (a, b) in self.phase_requests.iter_mut().zip(&o.phase_requests) {
            a.merge(b);
        }
        // Saturating: a forged file may hold any count; a real one is far from the limit.
        self.replications = self.replications.saturating_add(o.replications);
        self.events = self.events.saturating_add(o.events);
        for (a, b) in self
            .downtime_per_replication
            .iter_mut()
            .zip(&o.downtime_per_replication)
        {
            a.merge(b);
        }
    }

    /// The unavailability of measured entity `m` (services, then roles) with its unclamped 95% interval,
    /// and the outages seen so far; `None` when there is no such entity.
    pub fn unavailability_of(&self, m: usize) -> Option<(Estimate, u64)> {
        self.entities
            .get(m)
            .map(|e| (e.unavailability.estimate(), e.total_outages))
    }
}
