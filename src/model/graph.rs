//! The gate graph: threshold gates over signals, with parent lists and reachability.

use super::{ComponentId, SignalId};

/// The dependency graph: threshold gates over signals, stored as flat arrays.
#[derive(Debug, Clone, Default)]
pub struct Graph {
    /// Number of component hardware signals (they come first).
    pub components: usize,
    /// Number of primitive signals (components, then maintenance flags and machine outputs).
    pub primitives: usize,
    /// Per gate (index `signal − primitives`): how many inputs must be up.
    pub need: Vec<u32>,
    /// Per gate: its inputs.
    pub inputs: Vec<Vec<SignalId>>,
    /// Per primitive: signals its value depends on although it is not a gate (a machine's replicas),
    /// used for reachability only.
    pub depends: Vec<Vec<SignalId>>,
    /// Per signal: start of its parent list in `parents` (CSR layout, `len = signals + 1`).
    pub parent_start: Vec<u32>,
    /// Parents of all signals, concatenated.
    pub parents: Vec<SignalId>,
}

impl Graph {
    /// Number of signals (primitives and gates).
    pub fn signals(&self) -> usize {
        self.primitives + self.need.len()
    }

    /// Adds a gate with no inputs yet and returns its signal id. All primitives must exist first.
    pub fn add_gate(&mut self, need: u32) -> SignalId {
        self.need.push(need);
        self.inputs.push(Vec::new());
        (self.primitives + self.need.len() - 1) as SignalId
    }

    /// Adds a gate over `inputs` needing `need` of them; a 1-input gate needing 1 is the input itself.
    pub fn gate_over(&mut self, need: u32, inputs: Vec<SignalId>) -> SignalId {
        if inputs.len() == 1 && need == 1 {
            return inputs[0];
        }
        let g = self.add_gate(need);
        self.inputs[g as usize - self.primitives] = inputs;
        g
    }

    /// Whether a signal is a gate.
    #[inline]
    pub fn is_gate(&self, s: SignalId) -> bool {
        s as usize >= self.primitives
    }

    /// Builds the parent lists from the gates' inputs.
    pub fn finish(&mut self) {
        let n = self.signals();
        let mut counts = vec![0u32; n + 1];
        for ins in &self.inputs {
            for &i in ins {
                counts[i as usize + 1] += 1;
            }
        }
        for i in 0..n {
            counts[i + 1] += counts[i];
        }
        let mut fill = counts.clone();
        self.parents = vec![0; counts[n] as usize];
        for (g, ins) in self.inputs.iter().enumerate() {
            for &i in ins {
                let slot = &mut fill[i as usize];
                self.parents[*slot as usize] = (self.primitives + g) as SignalId;
                *slot += 1;
            }
        }
        self.parent_start = counts;
    }

    /// Parents of a signal.
    #[inline]
    pub fn parents_of(&self, s: SignalId) -> &[SignalId] {
        let s = s as usize;
        &self.parents[self.parent_start[s] as usize..self.parent_start[s + 1] as usize]
    }

    /// Everything a signal depends on (gate inputs and machine dependencies), including itself.
    pub fn reach(&self, from: &[SignalId]) -> Vec<bool> {
        let mut seen = vec![false; self.signals()];
        let mut stack = from.to_vec();
        while let Some(x) = stack.pop() {
            if std::mem::replace(&mut seen[x as usize], true) {
                continue;
            }
            if self.is_gate(x) {
                stack.extend(self.inputs[x as usize - self.primitives].iter().copied());
            } else {
                stack.extend(self.depends[x as usize].iter().copied());
            }
        }
        seen
    }

    /// The components a signal depends on, in increasing order.
    pub fn support(&self, s: SignalId) -> Vec<ComponentId> {
        let seen = self.reach(&[s]);
        (0..self.components).filter(|&c| seen[c]).collect()
    }
}
