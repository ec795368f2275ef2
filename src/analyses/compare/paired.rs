//! The measures paired across layouts: what each layout reads from its engine after a replication,
//! and the mergeable state of a comparison (each layout's run, and the paired values and differences
//! to the first layout).

use crate::base::stats::MeanAcc;
use crate::base::units::HOURS_PER_YEAR;
use crate::engine::Engine;
use crate::estimate::accumulate::RunAcc;
use crate::model::Model;

/// A measure of one replication that is paired across layouts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Paired {
    /// A service's downtime / mission.
    Unavailability(usize),
    /// A service's outages per year.
    Outages(usize),
    /// Hours of changes lost per year, all roles.
    DataLoss,
    /// Requests that failed after every attempt, per year, all clients.
    Failed,
}

/// What each layout measures per replication, in the comparison's paired-measure order.
pub(super) struct Plan {
    /// Per paired measure, its key (scope name and kind).
    pub(super) keys: Vec<(String, PairedKind)>,
    /// Per layout, per paired measure: how to read it from that layout's engine.
    pub(super) sources: Vec<Vec<Option<Paired>>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum PairedKind {
    Unavailability,
    Outages,
    DataLoss,
    Failed,
}

impl Plan {
    pub(super) fn new(models: &[&Model]) -> Self {
        let mut services: Vec<String> = Vec::new();
        for m in models {
            for s in &m.services {
                if !services.contains(&s.name) {
                    services.push(s.name.clone());
                }
            }
        }
        let mut keys = Vec::new();
        for s in &services {
            keys.push((s.clone(), PairedKind::Unavailability));
            keys.push((s.clone(), PairedKind::Outages));
        }
        let loses_data = |m: &Model| {
            m.roles.iter().any(|r| {
                r.machine.as_ref().is_some_and(|mc| {
                    matches!(mc.recovery, crate::model::Recovery::Restore { .. })
                        || mc.replicas.iter().any(|r| r.lag.is_some())
                })
            })
        };
        if models.iter().any(|m| loses_data(m)) {
            keys.push((String::new(), PairedKind::DataLoss));
        }
        if models.iter().any(|m| !m.requests.is_empty()) {
            keys.push((String::new(), PairedKind::Failed));
        }
        let sources = models
            .iter()
            .map(|m| {
                keys.iter()
                    .map(|(scope, kind)| {
                        let service = || m.services.iter().position(|s| &s.name == scope);
                        match kind {
                            PairedKind::Unavailability => service().map(Paired::Unavailability),
                            PairedKind::Outages => service().map(Paired::Outages),
                            PairedKind::DataLoss => Some(Paired::DataLoss),
                            PairedKind::Failed => {
                                (!m.requests.is_empty()).then_some(Paired::Failed)
                            }
                        }
                    })
                    .collect()
            })
            .collect();
        Plan { keys, sources }
    }

    /// Reads layout `i`'s paired measures from its engine after a replication.
    pub(super) fn observe(&self, i: usize, engine: &Engine<'_>, out: &mut Vec<Option<f64>>) {
        let model = engine.model();
        let mission = model.simulation.mission;
        let years = mission / HOURS_PER_YEAR;
        out.clear();
        for src in &self.sources[i] {
            out.push(src.map(|p| {
                match p {
                    Paired::Unavailability(s) => engine.monitors()[s].downtime / mission,
                    Paired::Outages(s) => engine.monitors()[s].outages as f64 / years,
                    Paired::DataLoss => {
                        engine
                            .machine_stats()
                            .iter()
                            .map(|m| m.data_lost)
                            .sum::<f64>()
                            / years
                    }
                    Paired::Failed => {
                        engine.request_stats().map(|q| q.all.failed).sum::<f64>() / years
                    }
                }
            }));
        }
    }
}

/// The mergeable state of one layout in a comparison: its run, and its paired values and their
/// differences to the first layout. One per layout, so that what is in flight while the layouts run
/// does not grow with their number.
pub(super) struct LayoutAcc {
    pub(super) run: RunAcc,
    /// Per paired measure: its value.
    pub(super) values: Vec<MeanAcc>,
    /// Per paired measure: the difference to the first layout (empty for the first itself).
    pub(super) diffs: Vec<MeanAcc>,
}

impl LayoutAcc {
    pub(super) fn new(model: &Model, plan: &Plan) -> Self {
        LayoutAcc {
            run: RunAcc::new(model),
            values: vec![MeanAcc::default(); plan.keys.len()],
            diffs: vec![MeanAcc::default(); plan.keys.len()],
        }
    }

    /// Records the replication layout `i`'s engine just simulated; `out` receives its paired values,
    /// and `base` holds the first layout's for the same replication (none for the first layout).
    pub(super) fn record(
        &mut self,
        i: usize,
        engine: &Engine<'_>,
        plan: &Plan,
        base: Option<&[Option<f64>]>,
        out: &mut Vec<Option<f64>>,
    ) {
        self.run.record(engine, 1.0);
        plan.observe(i, engine, out);
        for (acc, x) in self.values.iter_mut().zip(out.iter()) {
            if let Some(x) = x {
                acc.add(*x, 1.0);
            }
        }
        if let Some(base) = base {
            for (acc, (x, y)) in self.diffs.iter_mut().zip(out.iter().zip(base)) {
                if let (Some(x), Some(y)) = (x, y) {
                    acc.add(x - y, 1.0);
                }
            }
        }
    }

    /// Adds another accumulator of the same layout (every sum is exact, so the order of merges does
    /// not change the result).
    pub(super) fn merge(&mut self, o: &LayoutAcc) {
        self.run.merge(&o.run);
        for (a, b) in self
            .values
            .iter_mut()
            .zip(&o.values)
            .chain(self.diffs.iter_mut().zip(&o.diffs))
        {
            a.merge(b);
        }
    }
}
