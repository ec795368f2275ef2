//! Phases: per service and phase, the downtime in the phase (availability in it, hours per year,
//! per-year percentiles), and over the phases where the service is needed (`needed_in`); per request
//! kind whose rate changes by phase, its failed requests in each phase.

use serde::{Deserialize, Serialize};

use crate::base::stats::{LogHistogram, MeanAcc, RatioAcc};
use crate::base::units::{HOURS_PER_YEAR, Hours};
use crate::engine::Engine;
use crate::model::Model;

/// Mergeable statistics of one service's downtime by phase.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub(in crate::estimate) struct PhaseAcc {
    /// Per phase ([`crate::model::Phases::list`]), then the needed phases: downtime in it / its
    /// hours in the mission.
    pub(in crate::estimate) unavailability: Vec<MeanAcc>,
    /// The same rows: downtime in it per year of mission, hours.
    pub(in crate::estimate) downtime: Vec<MeanAcc>,
    /// The same rows: downtime in it per year slot, scaled to a year, hours.
    pub(in crate::estimate) annual: Vec<LogHistogram>,
}

impl PhaseAcc {
    /// One per service of `model` (none without phases).
    pub(super) fn all(model: &Model) -> Vec<PhaseAcc> {
        let rows = model.phases.list.len() + 1;
        model
            .services
            .iter()
            .map(|_| PhaseAcc {
                unavailability: vec![MeanAcc::default(); rows],
                downtime: vec![MeanAcc::default(); rows],
                annual: vec![LogHistogram::default(); rows],
            })
            .filter(|_| !model.phases.is_empty())
            .collect()
    }

    pub(super) fn merge(&mut self, o: &PhaseAcc) {
        for (a, b) in self.unavailability.iter_mut().zip(&o.unavailability) {
            a.merge(b);
        }
        for (a, b) in self.downtime.iter_mut().zip(&o.downtime) {
            a.merge(b);
        }
        for (a, b) in self.annual.iter_mut().zip(&o.annual) {
            a.merge(b);
        }
    }
}

/// Records the replication's phase figures of every service.
pub(super) fn record(accs: &mut [PhaseAcc], engine: &Engine<'_>, w: f64) {
    let model = engine.model();
    let ph = &model.phases;
    let mission = model.simulation.mission;
    let years = mission / HOURS_PER_YEAR;
    let hours = ph.hours_in(mission);
    let (slots, slot_len) = engine.year_slots();
    let year_scale = HOURS_PER_YEAR / slot_len;
    let n = ph.list.len();
    let mut slot = vec![0.0; slots];
    for (s, acc) in accs.iter_mut().enumerate() {
        let down = engine.phase_downtime(s);
        let mask = ph.needed[s];
        let (mut nd, mut nh): (Hours, Hours) = (0.0, 0.0);
        slot.fill(0.0);
        for p in 0..n {
            if hours[p] > 0.0 {
                acc.unavailability[p].add(down[p] / hours[p], w);
            }
            acc.downtime[p].add(down[p] / years, w);
            for (y, d) in engine.phase_year_downtime(s, p).enumerate() {
                acc.annual[p].add(d * year_scale, w);
                if mask & (1 << p) != 0 {
                    slot[y] += d;
                }
            }
            if mask & (1 << p) != 0 {
                nd += down[p];
                nh += hours[p];
            }
        }
        if nh > 0.0 {
            acc.unavailability[n].add(nd / nh, w);
        }
        acc.downtime[n].add(nd / years, w);
        for &d in &slot {
            acc.annual[n].add(d * year_scale, w);
        }
    }
}

/// Mergeable statistics of one request kind's requests by phase (kinds whose rate changes by phase).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub(in crate::estimate) struct PhaseRequestAcc {
    /// The request kind.
    pub(in crate::estimate) kind: usize,
    /// Per phase: failed requests arriving in it per year of mission.
    pub(in crate::estimate) failed_per_year: Vec<MeanAcc>,
    /// Per phase: failed requests / requests arriving in it.
    pub(in crate::estimate) failed_share: Vec<RatioAcc>,
}

impl PhaseRequestAcc {
    /// One per request kind of `model` whose rate changes by phase.
    pub(super) fn all(model: &Model) -> Vec<PhaseRequestAcc> {
        let n = model.phases.list.len();
        (0..model.requests.len())
            .filter(|&i| {
                model
                    .phases
                    .rate_factors(model.requests[i].population)
                    .is_some()
            })
            .map(|kind| PhaseRequestAcc {
                kind,
                failed_per_year: vec![MeanAcc::default(); n],
                failed_share: vec![RatioAcc::default(); n],
            })
            .collect()
    }

    pub(super) fn merge(&mut self, o: &PhaseRequestAcc) {
        for (a, b) in self.failed_per_year.iter_mut().zip(&o.failed_per_year) {
            a.merge(b);
        }
        for (a, b) in self.failed_share.iter_mut().zip(&o.failed_share) {
            a.merge(b);
        }
    }
}

/// Records the replication's requests by phase of every kind whose rate changes by phase.
pub(super) fn record_requests(accs: &mut [PhaseRequestAcc], engine: &Engine<'_>, w: f64) {
    if accs.is_empty() {
        return;
    }
    let years = engine.model().simulation.mission / HOURS_PER_YEAR;
    let stats: Vec<_> = engine.request_stats().collect();
    for acc in accs {
        let by = &stats[acc.kind].by_phase;
        for (p, &[n, failed]) in by.iter().enumerate() {
            acc.failed_per_year[p].add(failed / years, w);
            acc.failed_share[p].add(failed, n, w);
        }
    }
}
