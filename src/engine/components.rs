//! Components fail and are repaired (after taking a spare part, when they need one: `stocks`), through
//! their crew's technicians when they have one; a repair
//! credits the hours its component was down with each service that was down too.

use std::collections::HashMap;

use crate::base::dist::Dist;
use crate::base::rng::Stream;
use crate::base::units::Hours;
use crate::engine::queue::Kind;
use crate::engine::signals::{AT_RISK, DOWN};
use crate::engine::trace::{ComponentEvent, Recorder};
use crate::engine::{Engine, NONE};
use crate::model::{CrewPolicy, Model, SignalId};

/// What a component's failures and repairs read on every event, in 16 bytes: its laws as indices
/// into the engine's table of distinct laws, its crew and its stock. The model's component record
/// is some 300 bytes over several cache lines, which at 10 000 components missed the cache on
/// every event; components with the same law share one entry of the table (same draws, same order).
#[derive(Debug, Clone, Copy)]
pub(super) struct Hot {
    /// Index of its failure law, with the [`LATENT`] and [`STANDBY`] flags in the top bits.
    failure: u32,
    /// Index of its repair law.
    repair: u32,
    /// Its crew, or `NONE`.
    crew: u32,
    /// The stock whose part its repair needs, or `NONE`.
    spare: u32,
}

/// What a component's failure or repair reads and writes of its own, in one 64-byte cache line: its
/// random stream, its [`Hot`] record and its [`Clock`]. Three arrays, as these were, cost three cache
/// misses an event once the components' state outgrows the cache (about a thousand components).
#[derive(Debug, Clone)]
#[repr(C, align(64))]
pub(super) struct Comp {
    pub(super) stream: Stream,
    pub(super) hot: Hot,
    /// The clock behind its pending random event and when it started, so that a copied mission
    /// can redraw it ([`Engine::diverge`]).
    pub(super) clock: (Clock, Hours),
}

const _: () = assert!(std::mem::size_of::<Comp>() == 64);

/// [`Hot::failure`]: the latent-failure bookkeeping hears of its failures and repairs.
const LATENT: u32 = 1 << 31;
/// [`Hot::failure`]: a cold or warm standby node (it ages and may fail hidden).
const STANDBY: u32 = 1 << 30;
const LAW: u32 = STANDBY - 1;

impl Hot {
    #[inline(always)]
    pub(super) fn failure(self) -> usize {
        (self.failure & LAW) as usize
    }
    #[inline(always)]
    pub(super) fn repair(self) -> usize {
        self.repair as usize
    }
    #[inline(always)]
    fn crew(self) -> Option<usize> {
        (self.crew != NONE).then_some(self.crew as usize)
    }
    #[inline(always)]
    fn spare(self) -> Option<usize> {
        (self.spare != NONE).then_some(self.spare as usize)
    }
    #[inline(always)]
    fn latent(self) -> bool {
        self.failure & LATENT != 0
    }
    #[inline(always)]
    pub(super) fn standby(self) -> bool {
        self.failure & STANDBY != 0
    }
}

/// Per component its [`Hot`] record, and the table of distinct laws they index ([`Dist::law_key`]).
pub(super) fn hot_laws(model: &Model) -> (Vec<Hot>, Vec<Dist>) {
    let mut laws: Vec<Dist> = Vec::new();
    let mut seen: HashMap<(u8, Vec<u64>), u32> = HashMap::new();
    let mut law = |d: &Dist| -> u32 {
        *seen.entry(d.law_key()).or_insert_with(|| {
            laws.push(d.clone());
            (laws.len() - 1) as u32
        })
    };
    let hot = model
        .components
        .iter()
        .map(|c| {
            let index = |x: Option<usize>| x.map_or(NONE, |x| x as u32);
            let failure = law(&c.failure);
            assert!(failure <= LAW, "fewer distinct laws than components");
            Hot {
                failure: failure
                    | if c.latent { LATENT } else { 0 }
                    | if c.standby_of.is_some() { STANDBY } else { 0 },
                repair: law(&c.repair),
                crew: index(c.crew),
                spare: index(c.spare),
            }
        })
        .collect();
    (hot, laws)
}

/// Per-replication figures of a repair crew.
#[derive(Debug, Clone, Copy, Default)]
pub struct CrewStats {
    /// Technician-hours busy (dispatch and repair) within the mission.
    pub busy: Hours,
    /// Hours components waited for a technician, summed over repairs started.
    pub waited: Hours,
    /// Repairs started (technicians assigned).
    pub assigned: u32,
}

/// Which random duration a component is waiting for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Clock {
    /// Up: its failure.
    Fail,
    /// In its crew's queue: nothing yet.
    Waiting,
    /// A technician is on the way.
    Dispatch,
    /// Being repaired.
    Repair,
    /// Failed unseen (a silent node, or idle as a cold or warm standby): nothing pending until an
    /// inspection finds it or it is called on.
    Hidden,
    /// In its stock's line for a spare part: nothing yet.
    Part,
    /// Its part is being shipped to it.
    Ship,
}

impl<'m, R: Recorder> Engine<'m, R> {
    /// Per crew: its figures this replication.
    pub fn crew_stats(&self) -> &[CrewStats] {
        &self.crew_stats
    }

    /// Hours service `s` was down while component `c` was down, this replication.
    pub fn overlap(&self, s: usize, c: usize) -> Hours {
        self.overlap[s * self.model.components.len() + c]
    }

    /// Component `c` fails: it waits for a technician of its crew, or its repair starts at once.
    pub(super) fn fail(&mut self, c: usize, t: Hours) {
        let h = self.comps[c].hot;
        if h.latent() && self.latent_fail(c, t) {
            return;
        }
        if h.standby() && self.hide(c, t) {
            return;
        }
        self.fail_now(c, t);
    }

    /// Component `c` is down from `t`, known to be: its repair is queued or starts.
    pub(super) fn fail_now(&mut self, c: usize, t: Hours) {
        self.mark_down(c, t);
        self.begin_repair(c, t);
        self.set_level(c as SignalId, DOWN, t);
        if !self.witness_calls.is_empty() {
            self.call_witnesses(c, t);
        }
    }

    /// Component `c` is down from `t` (known or not: a silent witness's vote is lost at once).
    #[inline(always)]
    pub(super) fn mark_down(&mut self, c: usize, t: Hours) {
        self.attr_mark(c, t);
        self.down_since[c] = t;
        self.down_pos[c] = self.down_comps.len() as u32;
        self.down_comps.push(c as u32);
        if R::ACTIVE {
            self.recorder.component(c, ComponentEvent::Failed, t);
        }
    }

    /// Component `c`'s failure is known at `t`: it takes a part first if it needs one, then repair.
    #[inline(always)]
    pub(super) fn begin_repair(&mut self, c: usize, t: Hours) {
        match self.comps[c].hot.spare() {
            Some(s) => self.need_part(s, c, t),
            None => self.start_repair(c, t),
        }
    }

    /// Component `c`'s repair can start (it has its part, if it needs one): it waits for a technician
    /// of its crew, or its repair starts at once.
    #[inline(always)]
    pub(super) fn start_repair(&mut self, c: usize, t: Hours) {
        let h = self.comps[c].hot;
        match h.crew() {
            Some(k) => {
                self.comps[c].clock = (Clock::Waiting, t);
                self.arrivals += 1;
                self.crew_queue[k].push((c as u32, self.arrivals));
                self.assign(k, t);
            }
            None => {
                if R::ACTIVE {
                    self.recorder.component(c, ComponentEvent::RepairStarted, t);
                }
                let d = self.laws[h.repair()].draw(&mut self.comps[c].stream);
                self.comps[c].clock = (Clock::Repair, t);
                self.push(t + d, Kind::RepairDone, c as u32, 0);
            }
        }
    }

    /// Gives free technicians of crew `k` to waiting components, in the crew's order.
    pub(super) fn assign(&mut self, k: usize, t: Hours) {
        let crew = &self.model.crews[k];
        while self.crew_free[k] > 0 && !self.crew_queue[k].is_empty() {
            let q = &mut self.crew_queue[k];
            let pick = match crew.policy {
                // Inspections and moves (entries past the components) wait behind every repair.
                CrewPolicy::Fifo => q
                    .iter()
                    .position(|e| (e.0 as usize) < self.model.components.len())
                    .unwrap_or(0),
                CrewPolicy::Priority => {
                    let comps = &self.model.components;
                    let rank = |x: u32| {
                        comps
                            .get(x as usize)
                            .map_or(u64::MAX, |c| c.priority as u64)
                    };
                    (0..q.len())
                        .min_by_key(|&i| (rank(q[i].0), q[i].1))
                        .unwrap_or(0)
                }
            };
            let c = q.remove(pick).0 as usize;
            self.crew_free[k] -= 1;
            // Past the components: inspections, then reassignments by an operator.
            if c >= self.model.components.len() {
                let j = c - self.model.components.len();
                match j.checked_sub(self.model.inspections.len()) {
                    None => self.inspection_assigned(k, j, t),
                    Some(o) => self.operator_assigned(k, o, t),
                }
                continue;
            }
            let st = &mut self.crew_stats[k];
            st.waited += t - self.down_since[c];
            st.assigned += 1;
            self.repair_started[c] = t;
            if R::ACTIVE {
                self.recorder.component(c, ComponentEvent::RepairStarted, t);
            }
            match &crew.dispatch {
                Some(d) => {
                    let d = d.sample(&mut self.crew_streams[k]);
                    self.comps[c].clock = (Clock::Dispatch, t);
                    self.push(t + d, Kind::Dispatched, c as u32, 0);
                }
                None => {
                    let d = self.laws[self.comps[c].hot.repair()].draw(&mut self.comps[c].stream);
                    self.comps[c].clock = (Clock::Repair, t);
                    self.push(t + d, Kind::RepairDone, c as u32, 0);
                }
            }
        }
    }

    /// Component `c` is repaired: it is up (with no redundancy of its own) until its next failure.
    pub(super) fn repair_done(&mut self, c: usize, t: Hours) {
        let h = self.comps[c].hot;
        if let Some(k) = h.crew() {
            self.crew_free[k] += 1;
            self.crew_stats[k].busy += t - self.repair_started[c];
        }
        if h.latent() {
            self.latent_repaired(c, t);
        }
        let d = self.laws[h.failure()].draw(&mut self.comps[c].stream);
        self.comps[c].clock = (Clock::Fail, t);
        let due = if h.standby() {
            self.aged(c, d, t)
        } else {
            t + d
        };
        self.push(due, Kind::Fail, c as u32, 0);
        self.credit_overlap(c, t);
        self.attr_mark(c, t);
        if !self.unseen.is_empty() {
            self.unseen[c] = NONE;
        }
        let pos = self.down_pos[c] as usize;
        let last = self.down_comps.pop().expect("component was down");
        if last as usize != c {
            self.down_comps[pos] = last;
            self.down_pos[last as usize] = pos as u32;
        }
        self.down_pos[c] = NONE;
        if R::ACTIVE {
            self.recorder.component(c, ComponentEvent::Repaired, t);
        }
        self.set_level(c as SignalId, AT_RISK, t);
        if let Some(k) = h.crew() {
            self.assign(k, t);
        }
    }

    /// Ends component `c`'s down interval: credits its overlap with services that are down.
    fn credit_overlap(&mut self, c: usize, t: Hours) {
        let comps = self.model.components.len();
        for s in 0..self.model.services.len() {
            let m = &self.monitors[s];
            if m.level == DOWN && self.support[s * comps + c] {
                self.overlap[s * comps + c] += t - m.since.max(self.down_since[c]);
            }
        }
    }
}
