//! The importance function of the splitting: how many failures a state is closer to an outage of
//! the guide entity than the all-up start, read off the gate graph as small cut sets and path
//! counts.

use crate::engine::Engine;
use crate::model::{Model, SignalId};

/// A distance that random failures cannot use up (a maintenance flag).
pub(super) const FAR: u32 = 1 << 20;

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
                machine_of[m.output as usize] = Some(m.replicas.iter().map(|x| x.up).collect());
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
pub(super) struct Levels {
    pub(super) imp: Importance,
    pub(super) full: (u32, u32),
    pub(super) top: usize,
}

impl Levels {
    pub(super) fn level(&mut self, engine: &Engine<'_>) -> usize {
        let (cut, count) = self.imp.distance(engine.levels());
        let i = self.full.0.saturating_sub(cut) + self.full.1.saturating_sub(count);
        (i as usize).min(self.top)
    }
}
