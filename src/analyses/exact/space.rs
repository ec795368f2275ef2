//! The reachable state space: every state found from the all-up start, breadth first, with its
//! moves merged into compressed sparse rows.

use std::collections::HashMap;

use super::MarkovError;
use super::chain::{Chain, DOWN, UP};

/// The reachable chain in compressed sparse rows.
#[derive(Debug, Clone)]
pub struct Space {
    /// Number of states; state 0 is the all-up start.
    pub n: usize,
    /// Row starts into `to`/`rate` (length n + 1).
    pub row: Vec<usize>,
    /// Target state of each transition.
    pub to: Vec<u32>,
    /// Rate of each transition, per hour.
    pub rate: Vec<f64>,
    /// Total exit rate of each state.
    pub exit: Vec<f64>,
    /// Per state and measured entity (`state * entities + e`): the entity's level.
    pub level: Vec<u8>,
    /// Number of measured entities.
    pub entities: usize,
    /// Per state, phase and entity (`(state * phases + p) * entities + e`): the entity's level in
    /// the phase; empty when no phase changes a pool's `min_up` (then `level` holds in every phase).
    pub phase_level: Vec<u8>,
    /// Per state and cluster with quorum (`state * clusters + q`): the cluster has no quorum.
    pub no_quorum: Vec<bool>,
    /// Per state and component (`state * components + c`): the component is down; empty unless
    /// asked for ([`Chain::explore_with`]).
    pub component_down: Vec<bool>,
}

impl Space {
    /// Transitions out of state `i` as (target, rate).
    pub fn out(&self, i: usize) -> impl Iterator<Item = (usize, f64)> + '_ {
        (self.row[i]..self.row[i + 1]).map(|k| (self.to[k] as usize, self.rate[k]))
    }

    /// Level of entity `e` in state `i` during phase `p` of `phases` (the model's phases).
    pub fn level_in(&self, i: usize, p: usize, phases: usize, e: usize) -> u8 {
        if self.phase_level.is_empty() {
            self.level[i * self.entities + e]
        } else {
            self.phase_level[(i * phases + p) * self.entities + e]
        }
    }

    /// Whether entity `e` is down in state `i`.
    pub fn down(&self, i: usize, e: usize) -> bool {
        self.level[i * self.entities + e] == DOWN
    }
}

impl Chain<'_> {
    /// Enumerates the states reachable from the start, breadth first.
    pub fn explore(&self, max_states: usize) -> Result<Space, MarkovError> {
        self.explore_with(max_states, false)
    }

    /// [`Chain::explore`], also keeping each state's component states when `components`.
    pub fn explore_with(&self, max_states: usize, components: bool) -> Result<Space, MarkovError> {
        let mut index: HashMap<Box<[u16]>, u32> = HashMap::new();
        let mut keys: Vec<Box<[u16]>> = Vec::new();
        let start = self.initial();
        index.insert(start.clone(), 0);
        keys.push(start);
        let (mut row, mut to, mut rate, mut exit) =
            (vec![0usize], Vec::new(), Vec::new(), Vec::new());
        let ne = self.entities.len();
        let mut level = Vec::new();
        let (mut phase_level, mut phase_levels) = (Vec::new(), Vec::new());
        let mut no_quorum = Vec::new();
        let mut component_down = Vec::new();
        let nc = self.model.components.len();
        let mut levels = Vec::new();
        let mut moves = Vec::new();
        let mut merged: Vec<(u32, f64)> = Vec::new();
        let mut i = 0;
        while i < keys.len() {
            let key = keys[i].clone();
            self.levels(&key, &mut levels);
            level.extend(self.entities.iter().map(|e| levels[e.gate as usize]));
            for need in &self.phase_needs {
                self.levels_with(&key, need, &mut phase_levels);
                phase_level.extend(self.entities.iter().map(|e| phase_levels[e.gate as usize]));
            }
            no_quorum.extend(
                self.model
                    .quorums
                    .iter()
                    .map(|q| levels[q.signal as usize] == DOWN),
            );
            if components {
                component_down.extend(key[..nc].iter().map(|&c| c != UP));
            }
            self.moves(&key, &mut moves)?;
            merged.clear();
            for mv in moves.drain(..) {
                let j = match index.get(&mv.to) {
                    Some(&j) => j,
                    None => {
                        if keys.len() >= max_states {
                            return Err(MarkovError::TooManyStates {
                                limit: max_states,
                                reached: keys.len(),
                                queued: keys.len() - i,
                            });
                        }
                        let j = keys.len() as u32;
                        index.insert(mv.to.clone(), j);
                        keys.push(mv.to);
                        j
                    }
                };
                merged.push((j, mv.rate));
            }
            merged.sort_unstable_by_key(|m| m.0);
            let mut total = 0.0;
            for (k, &(j, r)) in merged.iter().enumerate() {
                total += r;
                if k > 0 && merged[k - 1].0 == j {
                    *rate.last_mut().expect("a previous entry") += r;
                } else {
                    to.push(j);
                    rate.push(r);
                }
            }
            exit.push(total);
            row.push(to.len());
            i += 1;
        }
        let _ = ne;
        Ok(Space {
            n: keys.len(),
            row,
            to,
            rate,
            exit,
            level,
            entities: self.entities.len(),
            phase_level,
            no_quorum,
            component_down,
        })
    }
}
