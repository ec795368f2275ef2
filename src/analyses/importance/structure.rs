//! The structure function of a service: whether it is up for given component states, read from the
//! gate graph with every role machine taken as "up while one of its replicas can run" (failover
//! delays, restarts and software failures are timing, not structure), and the minimal cut sets.

use crate::model::{ComponentId, Model, SignalId};

/// What a primitive signal means for the structure function.
#[derive(Debug, Clone)]
enum Prim {
    /// A component's own hardware state.
    Component(ComponentId),
    /// Held up: maintenance flags (a component in maintenance is counted as down itself) and votes in
    /// force (dynamic quorum reads as the static majority).
    Up,
    /// Held down: the complement of a vote in force.
    Down,
    /// A role machine: up while any of these replica signals is up.
    AnyOf(Vec<SignalId>),
}

/// The structure function of every service of a model.
#[derive(Debug, Clone)]
pub struct Structure<'m> {
    model: &'m Model,
    prims: Vec<Prim>,
    /// Per service: the components it depends on, in increasing order.
    pub support: Vec<Vec<ComponentId>>,
}

impl<'m> Structure<'m> {
    /// Reads the structure of `model`'s services.
    pub fn new(model: &'m Model) -> Self {
        let g = &model.graph;
        let mut prims: Vec<Prim> = (0..g.primitives).map(|_| Prim::Up).collect();
        for (c, p) in prims.iter_mut().enumerate().take(g.components) {
            *p = Prim::Component(c);
        }
        for role in &model.roles {
            if let Some(m) = &role.machine {
                prims[m.output as usize] = Prim::AnyOf(m.replicas.iter().map(|r| r.up).collect());
            }
        }
        for q in &model.quorums {
            for &s in &q.out_of_force {
                prims[s as usize] = Prim::Down;
            }
        }
        let support = model.services.iter().map(|s| g.support(s.gate)).collect();
        Structure {
            model,
            prims,
            support,
        }
    }

    /// Whether service `s` is up with component `c` up exactly when `up[c]`. `memo` is scratch space.
    pub fn service_up(&self, s: usize, up: &[bool], memo: &mut Vec<u8>) -> bool {
        memo.clear();
        memo.resize(self.model.graph.signals(), 0);
        self.eval(self.model.services[s].gate, up, memo)
    }

    fn eval(&self, x: SignalId, up: &[bool], memo: &mut [u8]) -> bool {
        let i = x as usize;
        if memo[i] != 0 {
            return memo[i] == 2;
        }
        let g = &self.model.graph;
        let v = if g.is_gate(x) {
            let gi = i - g.primitives;
            let need = g.need[gi] as usize;
            let mut n = 0;
            for &input in &g.inputs[gi] {
                if self.eval(input, up, memo) {
                    n += 1;
                    if n >= need {
                        break;
                    }
                }
            }
            n >= need
        } else {
            match &self.prims[i] {
                Prim::Component(c) => up[*c],
                Prim::Up => true,
                Prim::Down => false,
                Prim::AnyOf(rs) => rs.iter().any(|&r| self.eval(r, up, memo)),
            }
        };
        memo[i] = 1 + v as u8;
        v
    }

    /// Whether component `c` is critical for service `s` in state `up`: the service is up with `c` up
    /// and down with `c` down, the others as they are. `up` is restored before returning.
    pub fn critical(&self, s: usize, c: ComponentId, up: &mut [bool], memo: &mut Vec<u8>) -> bool {
        let was = up[c];
        up[c] = true;
        let with = self.service_up(s, up, memo);
        up[c] = false;
        let without = with && !self.service_up(s, up, memo);
        up[c] = was;
        without
    }

    /// The minimal cut sets of service `s` with at most `order` components, each in increasing
    /// component order, listed by size then lexicographically: every set whose failure alone (all
    /// others up) takes the service down and none of whose proper subsets does.
    pub fn cut_sets(&self, s: usize, order: usize) -> Vec<Vec<ComponentId>> {
        let support = &self.support[s];
        let mut up = vec![true; self.model.components.len()];
        let mut memo = Vec::new();
        let mut cuts: Vec<Vec<ComponentId>> = Vec::new();
        let mut set: Vec<usize> = Vec::new();
        for k in 1..=order.min(support.len()) {
            // Subsets of size k as index combinations into the support.
            set.clear();
            set.extend(0..k);
            loop {
                let members: Vec<ComponentId> = set.iter().map(|&j| support[j]).collect();
                let contains_cut = cuts
                    .iter()
                    .any(|c| c.iter().all(|x| members.binary_search(x).is_ok()));
                if !contains_cut {
                    for &m in &members {
                        up[m] = false;
                    }
                    let down = !self.service_up(s, &up, &mut memo);
                    for &m in &members {
                        up[m] = true;
                    }
                    if down {
                        cuts.push(members);
                    }
                }
                // Next combination.
                let n = support.len();
                let mut j = k;
                while j > 0 && set[j - 1] == n - k + j - 1 {
                    j -= 1;
                }
                if j == 0 {
                    break;
                }
                set[j - 1] += 1;
                for l in j..k {
                    set[l] = set[l - 1] + 1;
                }
            }
        }
        cuts
    }
}
