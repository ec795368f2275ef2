//! Phases of the calendar: at each boundary the pools' `min_up` and the populations' request rates
//! of the new phase take effect, and each service's downtime since the last boundary goes to the
//! phase (and year) that just ended.
//! A scenario without phases has no boundary events and pays nothing.

use crate::base::units::Hours;
use crate::engine::Engine;
use crate::engine::queue::Kind;
use crate::engine::trace::Recorder;
use crate::model::{Model, RoleKind, SignalId};

/// Per-replication state and measures of the phases (empty without phases).
#[derive(Debug, Clone, Default)]
pub(super) struct PhaseState {
    /// Phases (0: none).
    count: usize,
    /// The phase in force.
    cur: usize,
    /// When the stretch since the last boundary began.
    since: Hours,
    /// Per service: its downtime up to the last boundary.
    mark: Vec<Hours>,
    /// Per service and phase: downtime in the phase, hours.
    down: Vec<Hours>,
    /// Per service, year slot and phase: downtime in the phase, hours.
    year_down: Vec<Hours>,
    /// Per phase: the pools' gates and the `min_up` each needs in it (every pool that any phase
    /// changes, so that each boundary sets them all).
    needs: Vec<Vec<(SignalId, u32)>>,
    /// Whether some population's request rate changes by phase.
    rates: bool,
}

impl PhaseState {
    pub(super) fn new(model: &Model, years: usize) -> Self {
        let ph = &model.phases;
        if ph.is_empty() {
            return PhaseState::default();
        }
        let count = ph.list.len();
        let services = model.services.len();
        let mut pools: Vec<usize> = ph
            .list
            .iter()
            .flat_map(|p| p.min_up.iter().map(|&(r, _)| r))
            .collect();
        pools.sort_unstable();
        pools.dedup();
        let needs = ph
            .list
            .iter()
            .map(|p| {
                pools
                    .iter()
                    .filter_map(|&r| {
                        let role = &model.roles[r];
                        let RoleKind::Pool { min_up, .. } = role.kind else {
                            return None;
                        };
                        let need = p
                            .min_up
                            .iter()
                            .find(|&&(x, _)| x == r)
                            .map_or(min_up, |&(_, n)| n);
                        // A one-node pool has no gate of its own (and only one possible min_up).
                        model.graph.is_gate(role.own).then_some((role.own, need))
                    })
                    .collect()
            })
            .collect();
        PhaseState {
            count,
            cur: 0,
            since: 0.0,
            mark: vec![0.0; services],
            down: vec![0.0; services * count],
            year_down: vec![0.0; services * years * count],
            needs,
            rates: ph.list.iter().any(|p| !p.rates.is_empty()),
        }
    }

    pub(super) fn reset(&mut self) {
        self.cur = 0;
        self.since = 0.0;
        self.mark.fill(0.0);
        self.down.fill(0.0);
        self.year_down.fill(0.0);
    }
}

impl<'m, R: Recorder> Engine<'m, R> {
    /// Per service and phase ([`crate::model::Phases::list`]): downtime in the phase in this
    /// replication, hours (empty without phases).
    pub fn phase_downtime(&self, s: usize) -> &[Hours] {
        let n = self.phase.count;
        self.phase.down.get(s * n..(s + 1) * n).unwrap_or(&[])
    }

    /// Downtime of service `s` in phase `p` in each year slot ([`Engine::year_slots`]), hours.
    pub fn phase_year_downtime(&self, s: usize, p: usize) -> impl Iterator<Item = Hours> + '_ {
        let n = self.phase.count;
        (0..self.years).map(move |y| self.phase.year_down[(s * self.years + y) * n + p])
    }

    /// Starts the calendar: the first phase's `min_up`, and the next boundary.
    pub(super) fn phases_begin(&mut self) {
        let first = self.model.phases.calendar[0].1;
        self.enter_phase(first, 0.0);
        self.next_boundary(0, 0);
    }

    /// Calendar entry `i` of year `year` begins.
    pub(super) fn phase_boundary(&mut self, i: usize, year: u32, t: Hours) {
        self.close_stretch(t);
        let p = self.model.phases.calendar[i].1;
        self.enter_phase(p, t);
        self.next_boundary(i, year);
    }

    /// Closes the last stretch at the mission end (after outages are closed).
    pub(super) fn phases_end(&mut self) {
        let t = self.mission;
        self.close_stretch(t);
    }

    fn next_boundary(&mut self, i: usize, year: u32) {
        let cal = &self.model.phases.calendar;
        let (j, y) = if i + 1 < cal.len() {
            (i + 1, year)
        } else {
            (0, year + 1)
        };
        let t = y as f64 * crate::base::units::HOURS_PER_YEAR + cal[j].0;
        self.push(t, Kind::Phase, j as u32, y);
    }

    fn enter_phase(&mut self, p: usize, t: Hours) {
        self.phase.cur = p;
        self.phase.since = t;
        for k in 0..self.phase.needs[p].len() {
            let (s, need) = self.phase.needs[p][k];
            self.set_need(s, need, t);
        }
        if self.phase.rates {
            self.clients.enter_phase(self.model, t, p);
        }
    }

    /// Gives each service's downtime since the last boundary to the phase in force.
    fn close_stretch(&mut self, t: Hours) {
        let (n, p) = (self.phase.count, self.phase.cur);
        let y = (self.phase.since / self.year_len) as usize;
        for s in 0..self.phase.mark.len() {
            let d = self.accrued(s, t).0;
            let st = &mut self.phase;
            let delta = d - st.mark[s];
            st.mark[s] = d;
            st.down[s * n + p] += delta;
            if y < self.years {
                st.year_down[(s * self.years + y) * n + p] += delta;
            }
        }
    }
}
