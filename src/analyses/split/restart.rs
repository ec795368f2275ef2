//! The RESTART run: one main mission with all its copies, depth first, each copy charging what it
//! accrues at the weight of the splits it is inside; and the per-batch sums over missions.

use crate::base::rng::mix64;
use crate::base::stats::{MeanAcc, RatioAcc};
use crate::base::units::{HOURS_PER_YEAR, Hours};
use crate::engine::{Engine, Snapshot};
use crate::model::Model;

use super::BATCH;
use super::importance::Levels;

/// One main mission and all its copies, run depth first, with their weighted sums per entity.
pub(super) struct Tree<'m> {
    engine: Engine<'m>,
    levels: Levels,
    factors: Vec<u32>,
    /// Per threshold: the state at the crossing, while its copies run.
    snaps: Vec<Snapshot<'m>>,
    /// The splits the running copy is inside: (threshold, factor). Its weight is 1 / Π factors.
    stack: Vec<(usize, u32)>,
    /// Per depth of copy: the accrued measures at the last charge, per entity.
    bases: Vec<Vec<(Hours, u32)>>,
    /// Per entity: weighted downtime and outages of the main mission so far.
    sums: Vec<(f64, f64)>,
    mission: Hours,
    copies: u64,
    events: u64,
    salt: u64,
}

impl<'m> Tree<'m> {
    pub(super) fn new(model: &'m Model, levels: Levels, factors: &[u32]) -> Self {
        let ne = model.measured().len();
        Tree {
            engine: Engine::new(model),
            levels,
            factors: factors.to_vec(),
            snaps: vec![Snapshot::default(); factors.len()],
            stack: Vec::with_capacity(factors.len()),
            bases: vec![vec![(0.0, 0); ne]; factors.len() + 1],
            sums: vec![(0.0, 0.0); ne],
            mission: model.simulation.mission,
            copies: 0,
            events: 0,
            salt: 0,
        }
    }

    /// Runs main mission `rep` with all its copies; leaves its weighted sums in `sums`.
    fn mission(&mut self, rep: u64) {
        self.sums.fill((0.0, 0.0));
        self.stack.clear();
        self.salt = mix64(rep ^ 0x6d69_7373_696f_6e31);
        self.engine.begin(rep);
        let l = self.levels.level(&self.engine);
        self.run(0, l, 0.0, 0);
    }

    fn weight(&self) -> f64 {
        self.stack.iter().fold(1.0, |w, &(_, r)| w / r as f64)
    }

    fn mark(&mut self, depth: usize, t: Hours) {
        for (m, b) in self.bases[depth].iter_mut().enumerate() {
            let (d, o, _) = self.engine.accrued(m, t);
            *b = (d, o);
        }
    }

    /// Adds what the copy at `depth` accrued since its last charge, at weight `w`.
    fn charge(&mut self, depth: usize, t: Hours, w: f64) {
        for m in 0..self.sums.len() {
            let (d, o, _) = self.engine.accrued(m, t);
            let (bd, bo) = self.bases[depth][m];
            self.sums[m].0 += w * (d - bd);
            self.sums[m].1 += w * (o as f64 - bo as f64);
            self.bases[depth][m] = (d, o);
        }
    }

    /// The copy at `depth` has just crossed threshold `thr` at time `t` (the highest of those it
    /// crossed: thresholds jumped over make no copies, which keeps a common-cause failure from
    /// multiplying the factors of every level it skips): makes its retrials and runs them, then
    /// leaves the engine in the copy's state, inside the new split.
    fn split(&mut self, thr: usize, t: Hours, depth: usize) {
        let r = self.factors[thr];
        self.stack.push((thr, r));
        if r <= 1 {
            return;
        }
        let len = self.stack.len();
        self.engine.save(&mut self.snaps[thr]);
        for _ in 1..r {
            self.engine.restore(&self.snaps[thr]);
            self.copies += 1;
            self.salt = self.salt.wrapping_add(1);
            self.engine.diverge(t, self.salt);
            self.run(thr, thr, t, depth + 1);
            self.stack.truncate(len);
        }
        self.engine.restore(&self.snaps[thr]);
    }

    /// Runs a copy born at threshold `birth`, now at `level` at time `t`, until it falls below
    /// `birth` (a retrial dies there; its original goes on) or the mission ends.
    fn run(&mut self, birth: usize, mut level: usize, t: Hours, depth: usize) {
        if level > birth {
            self.split(level, t, depth);
        }
        self.mark(depth, t);
        let mut w = self.weight();
        while let Some(now) = self.engine.step() {
            self.events += 1;
            let l = self.levels.level(&self.engine);
            if l == level {
                continue;
            }
            self.charge(depth, now, w);
            if l < birth {
                return;
            }
            if l > level {
                self.split(l, now, depth);
            } else {
                // Back below some splits: their retrials die there, this copy is their original.
                while self.stack.last().is_some_and(|&(thr, _)| thr > l) {
                    self.stack.pop();
                }
            }
            level = l;
            w = self.weight();
        }
        self.charge(depth, self.mission, w);
    }
}

/// Per-batch sums.
#[derive(Clone)]
pub(super) struct Acc {
    pub(super) unavailability: Vec<MeanAcc>,
    pub(super) outages: Vec<MeanAcc>,
    pub(super) mean_outage: Vec<RatioAcc>,
    pub(super) missions: u64,
    pub(super) copies: u64,
    pub(super) events: u64,
    /// Missions in which the guide entity was down at some point (in some copy).
    pub(super) hits: u64,
}

impl Acc {
    pub(super) fn new(ne: usize) -> Self {
        Acc {
            unavailability: vec![MeanAcc::default(); ne],
            outages: vec![MeanAcc::default(); ne],
            mean_outage: vec![RatioAcc::default(); ne],
            missions: 0,
            copies: 0,
            events: 0,
            hits: 0,
        }
    }

    pub(super) fn merge(&mut self, o: &Acc) {
        for (a, b) in self.unavailability.iter_mut().zip(&o.unavailability) {
            a.merge(b);
        }
        for (a, b) in self.outages.iter_mut().zip(&o.outages) {
            a.merge(b);
        }
        for (a, b) in self.mean_outage.iter_mut().zip(&o.mean_outage) {
            a.merge(b);
        }
        self.missions += o.missions;
        self.copies += o.copies;
        self.events += o.events;
        self.hits += o.hits;
    }
}

pub(super) fn batch(tree: &mut Tree<'_>, b: u64) -> Acc {
    let ne = tree.sums.len();
    let mut acc = Acc::new(ne);
    let (c0, e0) = (tree.copies, tree.events);
    let years = tree.mission / HOURS_PER_YEAR;
    for rep in b * BATCH..(b + 1) * BATCH {
        tree.mission(rep);
        for m in 0..ne {
            let (d, o) = tree.sums[m];
            acc.unavailability[m].add(d / tree.mission, 1.0);
            acc.outages[m].add(o / years, 1.0);
            acc.mean_outage[m].add(d, o, 1.0);
        }
        acc.hits += (tree.sums[0].0 > 0.0) as u64;
        acc.missions += 1;
    }
    acc.copies = tree.copies - c0;
    acc.events = tree.events - e0;
    acc
}
