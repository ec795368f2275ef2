//! The simulation estimator: the replications are simulated again with a recorder that follows every
//! component's state and, between events, which components are critical for each service (the
//! service's structure flips with the component's state, the others' states as simulated). The
//! random streams derive from (seed, replication), so this pass sees exactly the histories of the run.

use rayon::prelude::*;

use crate::base::stats::{MeanAcc, RatioAcc};
use crate::base::units::{HOURS_PER_YEAR, Hours};
use crate::engine::Engine;
use crate::engine::trace::{ComponentEvent, Recorder};
use crate::model::{ComponentId, Model};

use super::structure::Structure;

/// Replications per parallel batch (results are merged exactly, so they do not depend on it).
const BATCH: u64 = 64;

/// Follows one replication: component states and the time each component spends critical.
struct Watch<'s, 'm> {
    structure: &'s Structure<'m>,
    cuts: &'s [(usize, Vec<ComponentId>)],
    up: Vec<bool>,
    failed: Vec<bool>,
    maintained: Vec<bool>,
    last: Hours,
    /// Per (service, supporting component), flattened: critical now.
    critical: Vec<bool>,
    /// Per pair: hours critical while the component was up / down.
    crit_up: Vec<Hours>,
    crit_down: Vec<Hours>,
    /// Per component: hours down.
    down: Vec<Hours>,
    /// Per cut set: hours with every member down.
    cut_down: Vec<Hours>,
    memo: Vec<u8>,
}

impl<'s, 'm> Watch<'s, 'm> {
    fn new(structure: &'s Structure<'m>, cuts: &'s [(usize, Vec<ComponentId>)], n: usize) -> Self {
        let pairs: usize = structure.support.iter().map(Vec::len).sum();
        Watch {
            structure,
            cuts,
            up: vec![true; n],
            failed: vec![false; n],
            maintained: vec![false; n],
            last: 0.0,
            critical: vec![false; pairs],
            crit_up: vec![0.0; pairs],
            crit_down: vec![0.0; pairs],
            down: vec![0.0; n],
            cut_down: vec![0.0; cuts.len()],
            memo: Vec::new(),
        }
    }

    /// Adds the time since the last change to every measure that holds now.
    fn close(&mut self, t: Hours) {
        let dt = t - self.last;
        self.last = t;
        if dt <= 0.0 {
            return;
        }
        let mut k = 0;
        for support in &self.structure.support {
            for &c in support {
                if self.critical[k] {
                    if self.up[c] {
                        self.crit_up[k] += dt;
                    } else {
                        self.crit_down[k] += dt;
                    }
                }
                k += 1;
            }
        }
        for (c, &u) in self.up.iter().enumerate() {
            if !u {
                self.down[c] += dt;
            }
        }
        for (i, (_, members)) in self.cuts.iter().enumerate() {
            if members.iter().all(|&m| !self.up[m]) {
                self.cut_down[i] += dt;
            }
        }
    }

    /// Which components are critical now: one evaluation per service, one per (service, component).
    fn refresh(&mut self) {
        let mut k = 0;
        for (s, support) in self.structure.support.iter().enumerate() {
            let base = self.structure.service_up(s, &self.up, &mut self.memo);
            for &c in support {
                let was = self.up[c];
                self.up[c] = !was;
                let flipped = self.structure.service_up(s, &self.up, &mut self.memo);
                self.up[c] = was;
                self.critical[k] = base != flipped;
                k += 1;
            }
        }
    }
}

impl Recorder for Watch<'_, '_> {
    const ACTIVE: bool = true;

    fn begin(&mut self, _model: &Model, _replication: u64) {
        self.up.fill(true);
        self.failed.fill(false);
        self.maintained.fill(false);
        self.last = 0.0;
        self.critical.fill(false);
        self.crit_up.fill(0.0);
        self.crit_down.fill(0.0);
        self.down.fill(0.0);
        self.cut_down.fill(0.0);
        self.refresh();
    }

    fn component(&mut self, c: usize, event: ComponentEvent, t: Hours) {
        match event {
            ComponentEvent::Failed => self.failed[c] = true,
            ComponentEvent::Repaired => self.failed[c] = false,
            ComponentEvent::MaintenanceStart => self.maintained[c] = true,
            ComponentEvent::MaintenanceEnd => self.maintained[c] = false,
            ComponentEvent::RepairStarted => return,
        }
        let up = !self.failed[c] && !self.maintained[c];
        if up != self.up[c] {
            self.close(t);
            self.up[c] = up;
            self.refresh();
        }
    }
}

/// Mergeable sums over replications.
#[derive(Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub(super) struct Sums {
    /// Per service: unavailability.
    pub(super) u: Vec<MeanAcc>,
    /// Per pair: Birnbaum, downtime saved (hours per year), criticality, RAW, RRW.
    pub(super) birnbaum: Vec<MeanAcc>,
    pub(super) saved: Vec<MeanAcc>,
    pub(super) criticality: Vec<RatioAcc>,
    pub(super) raw: Vec<RatioAcc>,
    pub(super) rrw: Vec<RatioAcc>,
    /// Per component: unavailability.
    pub(super) q: Vec<MeanAcc>,
    /// Per cut set: hours per year with every member down.
    pub(super) cuts: Vec<MeanAcc>,
}

impl Sums {
    pub(super) fn new(services: usize, pairs: usize, components: usize, cuts: usize) -> Self {
        Sums {
            u: vec![MeanAcc::default(); services],
            birnbaum: vec![MeanAcc::default(); pairs],
            saved: vec![MeanAcc::default(); pairs],
            criticality: vec![RatioAcc::default(); pairs],
            raw: vec![RatioAcc::default(); pairs],
            rrw: vec![RatioAcc::default(); pairs],
            q: vec![MeanAcc::default(); components],
            cuts: vec![MeanAcc::default(); cuts],
        }
    }

    pub(super) fn merge(&mut self, o: &Sums) {
        fn m(a: &mut [MeanAcc], b: &[MeanAcc]) {
            a.iter_mut().zip(b).for_each(|(x, y)| x.merge(y));
        }
        fn r(a: &mut [RatioAcc], b: &[RatioAcc]) {
            a.iter_mut().zip(b).for_each(|(x, y)| x.merge(y));
        }
        m(&mut self.u, &o.u);
        m(&mut self.birnbaum, &o.birnbaum);
        m(&mut self.saved, &o.saved);
        r(&mut self.criticality, &o.criticality);
        r(&mut self.raw, &o.raw);
        r(&mut self.rrw, &o.rrw);
        m(&mut self.q, &o.q);
        m(&mut self.cuts, &o.cuts);
    }

    /// Whether the sums have the lengths `model`'s structure and cut sets give them: a part file's
    /// sums are checked before they are merged.
    pub(super) fn fits(
        &self,
        services: usize,
        pairs: usize,
        components: usize,
        cuts: usize,
    ) -> bool {
        self.u.len() == services
            && [&self.birnbaum, &self.saved]
                .iter()
                .all(|v| v.len() == pairs)
            && [&self.criticality, &self.raw, &self.rrw]
                .iter()
                .all(|v| v.len() == pairs)
            && self.q.len() == components
            && self.cuts.len() == cuts
    }
}

/// Simulates replications `range` of `model` (a shard's, or `0..n`) with the watch and sums their
/// measures. `threads` workers; the result does not depend on their number nor, once the sums of
/// ranges are merged, on how the replications were cut into ranges (the sums are exact).
pub(super) fn simulate(
    model: &Model,
    structure: &Structure<'_>,
    cuts: &[(usize, Vec<ComponentId>)],
    range: std::ops::Range<u64>,
    threads: usize,
) -> Result<Sums, rayon::ThreadPoolBuildError> {
    let n = model.components.len();
    let pairs: usize = structure.support.iter().map(Vec::len).sum();
    let mission = model.simulation.mission;
    let replications = range.end;
    let batches: Vec<u64> = (range.start / BATCH..replications.div_ceil(BATCH)).collect();
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads.max(1))
        .build()?;
    let parts: Vec<Sums> = pool.install(|| {
        batches
            .par_iter()
            .map(|&b| {
                let mut sums = Sums::new(model.services.len(), pairs, n, cuts.len());
                let mut engine = Engine::with_recorder(model, Watch::new(structure, cuts, n));
                for rep in (b * BATCH).max(range.start)..((b + 1) * BATCH).min(replications) {
                    engine.run(rep);
                    let u: Vec<f64> = engine.monitors()[..model.services.len()]
                        .iter()
                        .map(|m| m.downtime / mission)
                        .collect();
                    let w = engine.recorder_mut();
                    w.close(mission);
                    for (s, x) in u.iter().enumerate() {
                        sums.u[s].add(*x, 1.0);
                    }
                    let mut k = 0;
                    for (s, support) in structure.support.iter().enumerate() {
                        for _ in support {
                            let (xu, xd) = (w.crit_up[k] / mission, w.crit_down[k] / mission);
                            sums.birnbaum[k].add(xu + xd, 1.0);
                            sums.saved[k].add(xd * HOURS_PER_YEAR, 1.0);
                            sums.criticality[k].add(xd, u[s], 1.0);
                            sums.raw[k].add(u[s] + xu, u[s], 1.0);
                            sums.rrw[k].add(u[s], (u[s] - xd).max(0.0), 1.0);
                            k += 1;
                        }
                    }
                    for (c, d) in w.down.iter().enumerate() {
                        sums.q[c].add(d / mission, 1.0);
                    }
                    for (i, d) in w.cut_down.iter().enumerate() {
                        sums.cuts[i].add(d / mission * HOURS_PER_YEAR, 1.0);
                    }
                }
                sums
            })
            .collect()
    });
    let mut total = Sums::new(model.services.len(), pairs, n, cuts.len());
    for p in &parts {
        total.merge(p);
    }
    Ok(total)
}
