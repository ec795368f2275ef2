//! Request rates that change by phase (`rate = { population = x }` on a phase): a boundary where a
//! kind's rate changes splits its history like a change of state, with the same instances, so the
//! per-stretch integration uses the rate in force and cost stays independent of client count. Kinds
//! whose rate never changes keep an empty list of multipliers and pay nothing.

use crate::base::units::Hours;
use crate::model::{Model, RequestKind};

use super::{ClientEval, RequestStats};

/// The multiplier of `q`'s rate at time 0 (1 where no phase changes it).
pub(super) fn initial_factor(model: &Model, q: &RequestKind) -> f64 {
    match model.phases.rate_factors(q.population) {
        Some(f) => f[model.phases.calendar[0].1],
        None => 1.0,
    }
}

/// Requests and failed requests counted so far.
#[inline]
pub(super) fn counted(st: &RequestStats) -> [f64; 2] {
    [st.all.total(), st.all.failed]
}

/// Gives the requests counted since `before` to phase `p`.
#[inline]
pub(super) fn count(st: &mut RequestStats, p: usize, before: [f64; 2]) {
    let now = counted(st);
    let b = &mut st.by_phase[p];
    b[0] += now[0] - before[0];
    b[1] += now[1] - before[1];
}

impl ClientEval {
    /// Per kind (the moved clients' kinds included): the multipliers of its rate by phase.
    pub(super) fn prepare_phases(&mut self, model: &Model, all: &[&RequestKind]) {
        self.phase_factors = all
            .iter()
            .map(|q| model.phases.rate_factors(q.population).unwrap_or_default())
            .collect();
        for (k, f) in self.kinds.iter_mut().zip(&self.phase_factors) {
            if !f.is_empty() {
                k.stats.by_phase = vec![[0.0; 2]; f.len()];
            }
        }
    }

    /// Whether some kind's rate changes by phase.
    pub fn has_phase_rates(&self) -> bool {
        self.phase_factors.iter().any(|f| !f.is_empty())
    }

    /// Phase `p` begins at `t`: every kind whose rate changes by phase splits its history there,
    /// its instances as they are.
    pub fn enter_phase(&mut self, model: &Model, t: Hours, p: usize) {
        for i in 0..self.kinds.len() {
            self.set_phase(model, i, t, p);
        }
    }

    fn set_phase(&mut self, model: &Model, i: usize, t: Hours, p: usize) {
        let Some(&factor) = self.phase_factors[i].get(p) else {
            return;
        };
        if self.kinds[i].phase == p {
            return;
        }
        // A delayed fallback that opened before `t` is a change of its own, first.
        if let Some(mut g) = self.kinds[i].gate
            && let Some(at) = g.due(t)
        {
            g.open();
            self.kinds[i].gate = Some(g);
            self.record(model, i, at, g.mask());
        }
        let k = &mut self.kinds[i];
        (k.factor, k.phase) = (factor, p);
        self.split(model, i, t);
    }
}
