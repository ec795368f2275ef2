//! Rare-event simulation by importance splitting (RESTART) on the event engine itself, for any duration
//! distributions: it never changes the law of the system, it only copies missions that come close to
//! an outage, so no likelihood ratio is needed and nothing has to be exponential.
//!
//! The importance of a state is how much closer it is to an outage of the main entity (the first
//! service, or the first role) than the all-up start, read off the gate graph ([`Importance`]): the
//! smallest set of components whose failure would take it down (so a rack under two nodes counts
//! once), plus the count of failures along paths; threshold `i` is importance `i`. A copy that crosses
//! thresholds upwards is split at the highest of them into `R_i` copies (itself and `R_i − 1`
//! retrials); a retrial dies when it falls back below the threshold it was born at, its original goes
//! on, and everything a copy adds counts with weight 1 / (product of the factors of the splits it is
//! inside). Every copy has the law of the original given the past (`Engine::diverge` redraws each
//! pending random duration from its law given its age), so the weighted sums are unbiased for every
//! measure, not only the main one, whatever the factors. Each main mission, with all its copies, is one
//! independent replication: intervals are plain Student-t over missions, `n` = missions.
//!
//! The factors come from a fixed-effort pilot: entry states of threshold 1 from plain missions, then
//! for each threshold, copies of the states that entered exactly there run until they reach the next
//! threshold or fall back; `R_i ≈ 1 / P(reach i + 1 | entered i)`, which keeps the number of copies
//! about level from threshold to threshold. Outages reached in a leap gain less than that assumes, so
//! a first round also tries milder factors and none, and keeps the narrowest interval per event.

use std::time::Instant;

use rayon::prelude::*;

use crate::base::rng::mix64;
use crate::base::stats::{Estimate, MeanAcc, RatioAcc};
use crate::base::units::{HOURS_PER_YEAR, Hours};
use crate::engine::{Engine, Snapshot};
use crate::model::{EntityKind, Model, SignalId};

/// Missions per batch: the unit of parallel work.
pub const BATCH: u64 = 16;
/// Batches per round when running to a target precision (checked between rounds, so the number of
/// missions does not depend on the number of threads).
pub const ROUND: u64 = 16;
/// Most thresholds: distances beyond are merged into the top level.
const MAX_LEVELS: usize = 16;
/// Largest splitting factor.
pub const MAX_FACTOR: u32 = 100_000;
/// Pilot: entry states kept and hits wanted per threshold.
const PILOT_HITS: usize = 64;
/// Pilot: trials per chunk (the unit of parallel work) and at most per threshold.
const PILOT_CHUNK: u64 = 2048;
const PILOT_MAX_TRIALS: u64 = 1 << 22;
/// Pilot missions looking for entries into threshold 1, at most.
const PILOT_MAX_MISSIONS: u64 = 1 << 22;
/// A distance that random failures cannot use up (a maintenance flag).
const FAR: u32 = 1 << 20;
/// Replication numbers of pilot missions (far from those of the main run).
const PILOT_REP: u64 = 1 << 62;

/// How to estimate.
#[derive(Debug, Clone)]
pub struct SplitOptions {
    /// Main missions to run (the most, with `target`); rounded up to whole batches.
    pub missions: u64,
    /// Stop as soon as the 95% half-width of the main entity's unavailability is within this fraction
    /// of the estimate.
    pub target: Option<f64>,
    /// Seed of the run (the scenario's unless overridden).
    pub seed: u64,
    /// Worker threads (results do not depend on it).
    pub threads: usize,
    /// Splitting factors per threshold (1 = no splitting) instead of the pilot's.
    pub factors: Option<Vec<u32>>,
}

impl Default for SplitOptions {
    fn default() -> Self {
        SplitOptions {
            missions: 1 << 16,
            target: None,
            seed: 1,
            threads: 1,
            factors: None,
        }
    }
}

/// One threshold of the importance function.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Threshold {
    /// Failures closer to the outage than the all-up start.
    pub importance: u32,
    /// Copies a mission crossing it becomes.
    pub factor: u32,
    /// Pilot estimate of P(reach the next threshold | crossed this one); `None` for the top one, or
    /// when the factors were given.
    pub up_probability: Option<f64>,
    /// Pilot trials behind it.
    pub pilot_trials: u64,
}

/// Estimates for one service or role, over the mission.
#[derive(Debug, Clone, serde::Serialize)]
pub struct SplitEntity {
    /// Service or role.
    pub kind: EntityKind,
    /// Its name.
    pub name: String,
    /// Expected unavailability over the mission, with its 95% interval; `n` is the number of missions.
    pub unavailability: Estimate,
    /// Expected outages per year.
    pub outages_per_year: Estimate,
    /// Mean outage length, hours (ratio of the two sums).
    pub mean_outage: Estimate,
}

/// The result of a splitting run.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Split {
    /// Main missions simulated.
    pub missions: u64,
    /// Retrials (copies) made over all of them.
    pub copies: u64,
    /// Events handled, copies included.
    pub events: u64,
    /// The entity the importance function is built for.
    pub guide: String,
    /// Failures that take it down from the all-up start (by the gate graph).
    pub distance: u32,
    /// The thresholds and their factors.
    pub thresholds: Vec<Threshold>,
    /// Wall-clock seconds of the pilot and in all.
    pub pilot_seconds: f64,
    /// Wall-clock seconds in all.
    pub seconds: f64,
    /// Per measured entity, services first.
    pub entities: Vec<SplitEntity>,
    /// Why the run went on without copies, when it did.
    pub note: Option<String>,
}

/// Why splitting cannot run.
#[derive(Debug, thiserror::Error)]
pub enum SplitError {
    /// Bad options.
    #[error("{0}")]
    Options(String),
}

/// How one signal's distance to down follows from others.
#[derive(Debug, Clone)]
enum Term {
    /// A component's own hardware: one failure.
    Hardware,
    /// Something random failures do not take down (a maintenance flag, ...).
    Fixed,
    /// A gate needing `need` of its inputs.
    Gate { need: u32, inputs: Vec<SignalId> },
    /// A role machine's output: running while some replica host is up.
    Machine { replicas: Vec<SignalId> },
}

/// Failures still needed to take a signal down, from the current levels.
///
/// Each up signal keeps up to three small sets of components whose failure would take it down
/// (bitsets over the components it depends on), built from its inputs' sets: a gate that must lose
/// `m` more inputs unions the sets of `m` inputs chosen greedily for the smallest union, starting once
/// from each of its best first picks (smallest, and shared by the most inputs); a machine must lose
/// every replica host. Sets rather than counts make a component shared by several inputs (a rack under
/// two nodes of a pool) count once. Beside it, the count along paths (a shared component counted on
/// each path) tells apart states the smallest set does not. With more than 64 components under the
/// target, only the count is kept.
#[derive(Debug, Clone)]
pub struct Importance {
    /// Signals the target depends on, inputs first, with how each is computed.
    order: Vec<(SignalId, Term)>,
    /// Per component signal: its bit in the sets.
    bit: Vec<u64>,
    /// Whether sets are kept.
    sets_on: bool,
    /// Per signal: [`CUTS`] sets and their sizes (`FAR` for none).
    sets: Vec<[u64; CUTS]>,
    size: Vec<[u32; CUTS]>,
    /// Per signal: failures needed counting a shared component once per path.
    count: Vec<u32>,
    scratch: Vec<u32>,
    /// Scratch: up inputs, first picks, inputs used, results.
    up: Vec<usize>,
    firsts: Vec<(u32, u32, usize, usize)>,
    used: Vec<bool>,
    found: Vec<(u32, u64)>,
    target: SignalId,
}

/// Cut sets kept per signal.
const CUTS: usize = 3;

impl Importance {
    /// The distance function of signal `target` of `model`.
    pub fn new(model: &Model, target: SignalId) -> Self {
        let g = &model.graph;
        let n = g.signals();
        let mut machine_of: Vec<Option<Vec<SignalId>>> = vec![None; n];
        for r in &model.roles {
            if let Some(m) = &r.machine {
                machine_of[m.output as usize] = Some(
                    m.replicas
                        .iter()
                        .map(|x| model.components[x.node].effective)
                        .collect(),
                );
            }
        }
        let term = |s: SignalId| -> Term {
            if g.is_gate(s) {
                let gi = s as usize - g.primitives;
                Term::Gate {
                    need: g.need[gi],
                    inputs: g.inputs[gi].clone(),
                }
            } else if (s as usize) < g.components {
                Term::Hardware
            } else if let Some(r) = &machine_of[s as usize] {
                Term::Machine {
                    replicas: r.clone(),
                }
            } else {
                Term::Fixed
            }
        };
        // Depth-first post-order from the target; a signal met again while open would be a cycle,
        // which the graph does not have (it would only make the estimate slower, never wrong).
        let mut state = vec![0u8; n];
        let mut order = Vec::new();
        let mut stack = vec![(target, false)];
        while let Some((s, done)) = stack.pop() {
            if done {
                if state[s as usize] == 1 {
                    state[s as usize] = 2;
                    order.push((s, term(s)));
                }
                continue;
            }
            if state[s as usize] != 0 {
                continue;
            }
            state[s as usize] = 1;
            stack.push((s, true));
            match term(s) {
                Term::Gate { inputs: v, .. } | Term::Machine { replicas: v } => {
                    for &x in v.iter().rev() {
                        if state[x as usize] == 0 {
                            stack.push((x, false));
                        }
                    }
                }
                _ => {}
            }
        }
        let mut bit = vec![0u64; g.components];
        let mut k = 0;
        for (s, t) in &order {
            if let Term::Hardware = t {
                if k < 64 {
                    bit[*s as usize] = 1 << k;
                }
                k += 1;
            }
        }
        Importance {
            order,
            bit,
            sets_on: k <= 64,
            sets: vec![[0; CUTS]; n],
            size: vec![[FAR; CUTS]; n],
            count: vec![0; n],
            scratch: Vec::new(),
            up: Vec::new(),
            firsts: Vec::new(),
            used: Vec::new(),
            found: Vec::new(),
            target,
        }
    }

    /// Greedy unions taking `m` of `inputs`, once from each of the best first picks; leaves the
    /// smallest distinct results in `found`.
    fn combine(&mut self, inputs: &[SignalId], m: usize, level: &[u8]) {
        self.found.clear();
        self.up.clear();
        for &x in inputs {
            let x = x as usize;
            if level[x] != 0 && self.size[x][0] < FAR {
                self.up.push(x);
            }
        }
        if self.up.len() < m || m == 0 {
            return;
        }
        // First picks: the smallest sets, those shared by the most inputs first (a rack under
        // several of them is one failure for all).
        self.firsts.clear();
        for (i, &x) in self.up.iter().enumerate() {
            for j in 0..CUTS {
                let z = self.size[x][j];
                if z >= FAR {
                    break;
                }
                let me = self.sets[x][j];
                let shared = self
                    .up
                    .iter()
                    .filter(|&&y| (0..CUTS).any(|k| self.size[y][k] < FAR && self.sets[y][k] == me))
                    .count() as u32;
                self.firsts.push((z, u32::MAX - shared, i, j));
            }
        }
        self.firsts.sort_unstable();
        self.firsts.truncate(CUTS);
        for f in 0..self.firsts.len() {
            let (_, _, i0, j0) = self.firsts[f];
            self.used.clear();
            self.used.resize(self.up.len(), false);
            self.used[i0] = true;
            let mut acc = self.sets[self.up[i0]][j0];
            for _ in 1..m {
                let mut best: Option<(u32, usize, u64)> = None;
                for (i, &x) in self.up.iter().enumerate() {
                    if self.used[i] {
                        continue;
                    }
                    for j in 0..CUTS {
                        if self.size[x][j] >= FAR {
                            break;
                        }
                        let u = acc | self.sets[x][j];
                        let z = u.count_ones();
                        if best.is_none_or(|b| z < b.0) {
                            best = Some((z, i, u));
                        }
                    }
                }
                let Some((_, i, u)) = best else { break };
                self.used[i] = true;
                acc = u;
            }
            if !self.found.iter().any(|f| f.1 == acc) {
                self.found.push((acc.count_ones(), acc));
            }
        }
        self.found.sort_unstable();
    }

    /// Failures still needed to take the target down, given every signal's level (0 = down):
    /// the smallest cut set, and the count along paths (a shared component counted on each).
    pub fn distance(&mut self, level: &[u8]) -> (u32, u32) {
        let order = std::mem::take(&mut self.order);
        for (s, term) in &order {
            let s = *s as usize;
            if level[s] == 0 {
                self.size[s] = [0, FAR, FAR];
                self.sets[s] = [0; CUTS];
                self.count[s] = 0;
                continue;
            }
            self.found.clear();
            let count = match term {
                Term::Hardware => {
                    self.found.push((1, self.bit[s]));
                    1
                }
                Term::Fixed => FAR,
                Term::Gate { need, inputs } => {
                    let up = inputs.iter().filter(|&&x| level[x as usize] != 0).count();
                    let m = (up + 1).saturating_sub(*need as usize);
                    if self.sets_on {
                        self.combine(inputs, m, level);
                    }
                    self.scratch.clear();
                    self.scratch.extend(
                        inputs
                            .iter()
                            .filter(|&&x| level[x as usize] != 0)
                            .map(|&x| self.count[x as usize]),
                    );
                    if m == 0 || self.scratch.len() < m {
                        1
                    } else {
                        self.scratch.select_nth_unstable(m - 1);
                        self.scratch[..m]
                            .iter()
                            .fold(0u32, |a, &d| a.saturating_add(d))
                    }
                }
                Term::Machine { replicas } => {
                    let up = replicas.iter().filter(|&&x| level[x as usize] != 0).count();
                    if self.sets_on {
                        self.combine(replicas, up, level);
                    }
                    replicas
                        .iter()
                        .filter(|&&x| level[x as usize] != 0)
                        .fold(0u32, |a, &x| a.saturating_add(self.count[x as usize]))
                }
            };
            self.count[s] = count.clamp(1, FAR);
            let mut size = [FAR; CUTS];
            let mut sets = [0; CUTS];
            for (j, &(z, f)) in self.found.iter().take(CUTS).enumerate() {
                size[j] = z;
                sets[j] = f;
            }
            self.size[s] = size;
            self.sets[s] = sets;
        }
        self.order = order;
        let t = self.target as usize;
        let cut = if self.sets_on {
            self.size[t][0]
        } else {
            self.count[t]
        };
        (cut, self.count[t])
    }
}

/// Maps the distance to a level: how many thresholds the state is past.
#[derive(Debug, Clone)]
struct Levels {
    imp: Importance,
    full: (u32, u32),
    top: usize,
}

impl Levels {
    fn level(&mut self, engine: &Engine<'_>) -> usize {
        let (cut, count) = self.imp.distance(engine.levels());
        let i = self.full.0.saturating_sub(cut) + self.full.1.saturating_sub(count);
        (i as usize).min(self.top)
    }
}

/// A model without its client populations: splitting estimates availability, and the client state is
/// not part of an engine snapshot.
fn without_clients(model: &Model) -> Model {
    let mut m = model.clone();
    m.populations.clear();
    m.requests.clear();
    m
}

/// One main mission and all its copies, run depth first, with their weighted sums per entity.
struct Tree<'m> {
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
    fn new(model: &'m Model, levels: Levels, factors: &[u32]) -> Self {
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
struct Acc {
    unavailability: Vec<MeanAcc>,
    outages: Vec<MeanAcc>,
    mean_outage: Vec<RatioAcc>,
    missions: u64,
    copies: u64,
    events: u64,
    /// Missions in which the guide entity was down at some point (in some copy).
    hits: u64,
}

impl Acc {
    fn new(ne: usize) -> Self {
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

    fn merge(&mut self, o: &Acc) {
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

fn batch(tree: &mut Tree<'_>, b: u64) -> Acc {
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

/// An entry state of a threshold, kept by the pilot.
struct Entry<'m> {
    snap: Snapshot<'m>,
    t: Hours,
    level: usize,
}

/// One chunk of pilot trials from the entries of threshold `i`: (trials, hits, new entry states).
fn pilot_chunk<'m>(
    engine: &mut Engine<'m>,
    levels: &mut Levels,
    entries: &[Entry<'m>],
    i: usize,
    chunk: u64,
) -> (u64, u64, Vec<Entry<'m>>) {
    let mut hits = 0;
    let mut found = Vec::new();
    for k in 0..PILOT_CHUNK {
        let trial = chunk * PILOT_CHUNK + k;
        let e = &entries[(trial % entries.len() as u64) as usize];
        engine.restore(&e.snap);
        engine.diverge(
            e.t,
            mix64(((i as u64) << 48) ^ trial ^ 0x7069_6c6f_7400_0000),
        );
        while let Some(now) = engine.step() {
            let l = levels.level(engine);
            if l < i {
                break;
            }
            if l > i {
                hits += 1;
                if found.len() < PILOT_HITS {
                    let mut snap = Snapshot::default();
                    engine.save(&mut snap);
                    found.push(Entry {
                        snap,
                        t: now,
                        level: l,
                    });
                }
                break;
            }
        }
    }
    (PILOT_CHUNK, hits, found)
}

/// Entry states of threshold 1 from plain missions (`chunk` of them at a time).
fn pilot_missions<'m>(
    engine: &mut Engine<'m>,
    levels: &mut Levels,
    chunk: u64,
) -> (u64, Vec<Entry<'m>>) {
    let mut found = Vec::new();
    for k in 0..PILOT_CHUNK {
        engine.begin(PILOT_REP + chunk * PILOT_CHUNK + k);
        let mut level = levels.level(engine);
        while let Some(now) = engine.step() {
            let l = levels.level(engine);
            if l >= 1 && level == 0 && found.len() < PILOT_HITS {
                let mut snap = Snapshot::default();
                engine.save(&mut snap);
                found.push(Entry {
                    snap,
                    t: now,
                    level: l,
                });
            }
            level = l;
        }
        if found.len() >= PILOT_HITS {
            return (k + 1, found);
        }
    }
    (PILOT_CHUNK, found)
}

/// Factors per threshold from a fixed-effort pilot (index 0 unused), with what they rest on.
fn pilot<'m>(
    model: &'m Model,
    levels: &Levels,
    pool: &rayon::ThreadPool,
) -> (Vec<u32>, Vec<Threshold>) {
    let top = levels.top;
    let mut factors = vec![1u32; top + 1];
    let mut out = Vec::new();
    if top == 0 {
        return (factors, out);
    }
    let init = || (Engine::new(model), levels.clone());
    // Entries of threshold 1.
    let mut entries: Vec<Entry<'m>> = Vec::new();
    let mut chunk = 0;
    while entries.len() < PILOT_HITS && chunk * PILOT_CHUNK < PILOT_MAX_MISSIONS {
        let parts: Vec<(u64, Vec<Entry<'m>>)> = pool.install(|| {
            (chunk..chunk + ROUND)
                .into_par_iter()
                .map_init(init, |(e, l), c| pilot_missions(e, l, c))
                .collect()
        });
        chunk += ROUND;
        for (_, found) in parts {
            entries.extend(found);
        }
    }
    entries.truncate(PILOT_HITS);
    #[allow(clippy::needless_range_loop)] // `i` is the threshold, not only an index
    for i in 1..top {
        // Entries past this threshold already (several failures at once) go on to the next one: the
        // factor balances the copies that entered exactly here.
        let (mut above, at): (Vec<Entry<'m>>, Vec<Entry<'m>>) =
            entries.into_iter().partition(|e| e.level > i);
        entries = at;
        if entries.is_empty() {
            // Never entered exactly here: no copies needed at this threshold.
            out.push(Threshold {
                importance: i as u32,
                factor: 1,
                up_probability: None,
                pilot_trials: 0,
            });
            entries = above;
            continue;
        }
        let (mut trials, mut hits) = (0u64, 0u64);
        let mut next: Vec<Entry<'m>> = Vec::new();
        let mut chunk = 0;
        while (hits as usize) < PILOT_HITS && trials < PILOT_MAX_TRIALS {
            let parts: Vec<(u64, u64, Vec<Entry<'m>>)> = pool.install(|| {
                (chunk..chunk + ROUND)
                    .into_par_iter()
                    .map_init(init, |(e, l), c| pilot_chunk(e, l, &entries, i, c))
                    .collect()
            });
            chunk += ROUND;
            for (t, h, found) in parts {
                trials += t;
                hits += h;
                next.extend(found);
            }
        }
        next.truncate(PILOT_HITS);
        above.truncate(PILOT_HITS / 4);
        next.append(&mut above);
        let p = hits as f64 / trials as f64;
        let r = if hits == 0 {
            MAX_FACTOR
        } else {
            (1.0 / p).round().clamp(1.0, MAX_FACTOR as f64) as u32
        };
        factors[i] = r;
        out.push(Threshold {
            importance: i as u32,
            factor: r,
            up_probability: Some(p),
            pilot_trials: trials,
        });
        entries = next;
    }
    out.push(Threshold {
        importance: top as u32,
        factor: 1,
        up_probability: None,
        pilot_trials: 0,
    });
    (factors, out)
}

/// Estimates every entity's expected unavailability and outage frequency over the mission.
pub fn estimate(model: &Model, opts: &SplitOptions) -> Result<Split, SplitError> {
    let began = Instant::now();
    let mut model = without_clients(model);
    model.simulation.seed = opts.seed;
    let model = &model;
    let measured = model.measured();
    let Some(&(_, guide, target)) = measured.first() else {
        return Err(SplitError::Options(
            "the scenario measures nothing (no service and no role)".into(),
        ));
    };
    let mut engine = Engine::new(model);
    engine.begin(0);
    let mut imp = Importance::new(model, target);
    let full = imp.distance(engine.levels());
    let top = if full.0 >= FAR {
        0
    } else {
        ((full.0 + full.1) as usize).min(MAX_LEVELS)
    };
    let levels = Levels { imp, full, top };
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(opts.threads.max(1))
        .build()
        .map_err(|e| SplitError::Options(format!("worker threads: {e}")))?;
    let (factors, thresholds) = match &opts.factors {
        Some(f) => {
            if f.len() != top {
                return Err(SplitError::Options(format!(
                    "{} splitting factors given, but {guide} has {top} thresholds (importance 1 to {top}; it goes down after {} failures from all up); give {top}, e.g. {}",
                    f.len(),
                    full.0,
                    vec!["100"; top].join(",")
                )));
            }
            if let Some(bad) = f.iter().find(|&&r| r == 0 || r > MAX_FACTOR) {
                return Err(SplitError::Options(format!(
                    "splitting factor {bad}: expected 1 to {MAX_FACTOR}"
                )));
            }
            let mut all = vec![1];
            all.extend_from_slice(f);
            let th = f
                .iter()
                .enumerate()
                .map(|(i, &r)| Threshold {
                    importance: i as u32 + 1,
                    factor: r,
                    up_probability: None,
                    pilot_trials: 0,
                })
                .collect();
            (all, th)
        }
        None => pilot(model, &levels, &pool),
    };
    let pilot_seconds = began.elapsed().as_secs_f64();
    let ne = measured.len();
    let batches = opts.missions.div_ceil(BATCH).max(2);
    let run = |factors: &[u32], from: u64, to: u64| -> Acc {
        let parts: Vec<Acc> = pool.install(|| {
            (from..to)
                .into_par_iter()
                .map_init(
                    || Tree::new(model, levels.clone(), factors),
                    |tree, b| batch(tree, b),
                )
                .collect()
        });
        let mut total = Acc::new(ne);
        for p in &parts {
            total.merge(p);
        }
        total
    };
    let mut factors = factors;
    let mut thresholds = thresholds;
    let mut total = Acc::new(ne);
    let mut done = 0;
    let mut note = None;
    // Factors of 1 / P(next) balance the copies from threshold to threshold, which is best when
    // outages are reached step by step. Where they often come in a leap (a failover, a rack taking
    // two nodes), milder factors or none do better. The first round tries the pilot's factors, their
    // square roots and none (on a quarter of the events), and the run goes on with the one whose
    // interval is narrowest for the events spent (events, not seconds, so the choice is reproducible).
    if opts.factors.is_none() && factors.iter().any(|&r| r > 1) {
        let first = ROUND.min(batches);
        let full = run(&factors, 0, first);
        let mild: Vec<u32> = factors
            .iter()
            .map(|&r| (r as f64).sqrt().round().max(1.0) as u32)
            .collect();
        let ones = vec![1; factors.len()];
        let cost = |a: &Acc| {
            let e = a.unavailability[0].estimate();
            if e.value > 0.0 {
                e.relative_half_width().powi(2) * a.events.max(1) as f64
            } else {
                f64::INFINITY
            }
        };
        let full_events = full.events;
        let mut best = (cost(&full), 0usize, full, first);
        for (which, f) in [(1usize, &mild), (2, &ones)] {
            let mut acc = Acc::new(ne);
            let mut k = 0;
            // A quarter of the events: the cost per event does not depend on how many are spent.
            while acc.events < full_events / 4 && k < batches {
                let to = (k + ROUND).min(batches);
                acc.merge(&run(f, k, to));
                k = to;
            }
            // Too few missions that saw an outage make the interval itself unreliable.
            let c = cost(&acc);
            if acc.hits >= 30 && c < best.0 {
                best = (c, which, acc, k);
            }
        }
        let (_, which, acc, k) = best;
        if which > 0 {
            factors = if which == 1 { mild } else { ones };
            for t in &mut thresholds {
                t.factor = factors[t.importance as usize];
            }
            note = Some(format!(
                "{}: outages of {guide} often come in a leap rather than failure by failure, and in a first round they gave a narrower interval per event than the pilot's factors",
                if which == 1 {
                    "milder factors (square roots of the pilot's)"
                } else {
                    "no copies (plain missions)"
                }
            ));
        }
        total = acc;
        done = k;
    }
    while done < batches {
        if let Some(t) = opts.target {
            let e = total.unavailability[0].estimate();
            if total.missions > 0 && e.value > 0.0 && e.relative_half_width() <= t {
                break;
            }
        }
        let end = match opts.target {
            Some(_) => (done + ROUND).min(batches),
            None => batches,
        };
        total.merge(&run(&factors, done, end));
        done = end;
    }
    let entities = measured
        .iter()
        .enumerate()
        .map(|(i, (kind, name, _))| SplitEntity {
            kind: *kind,
            name: name.to_string(),
            unavailability: total.unavailability[i].estimate(),
            outages_per_year: total.outages[i].estimate(),
            mean_outage: total.mean_outage[i].estimate(),
        })
        .collect();
    Ok(Split {
        missions: total.missions,
        copies: total.copies,
        events: total.events,
        guide: guide.to_string(),
        distance: full.0,
        thresholds,
        pilot_seconds,
        seconds: began.elapsed().as_secs_f64(),
        entities,
        note,
    })
}
