//! Signal levels and what hears about them: a primitive's change propagates through the gates above
//! it, tells the machines and request kinds watching, and moves the monitors of measured signals
//! (outages, time at risk, year slots).

use crate::base::units::Hours;
use crate::engine::Engine;
use crate::engine::trace::{Level, Recorder};
use crate::model::{Model, SignalId};

/// Marks a watcher entry as a request kind rather than a role machine.
pub(super) const CLIENT: u32 = 1 << 31;

/// Signal levels: down, up with no redundancy left (one more failure takes it down), up and safe.
pub(super) const DOWN: u8 = 0;
pub(super) const AT_RISK: u8 = 1;
pub(super) const SAFE: u8 = 2;

/// A gate's state: how many of its inputs are up and safe, and how many it needs up (one record,
/// so that a change touches one cache line per gate).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(super) struct Gate {
    up: u32,
    safe: u32,
    need: u32,
    /// The gate's level, as in the engine's `level` (read here with the counts, in the same line).
    level: u32,
    /// The gate's wiring word ([`wiring`]), read with its counts when its level changes.
    wiring: u64,
}

/// Copies each gate's wiring word into its record.
pub(super) fn wire_gates(gates: &mut [Gate], wiring: &[u64], model: &Model) {
    for (gate, &w) in gates.iter_mut().zip(&wiring[model.graph.primitives..]) {
        gate.wiring = w;
    }
}

/// What a change of one signal reaches, in one word per signal, so that a change reads one word
/// and not three arrays: bits 0 and 1 say whether watchers (role machines, request kinds) and a
/// monitor must hear about it, bits 2..32 how many parents it has, and the high half is its one
/// parent when it has one (most signals) or where its parents start in the graph's `parents`.
pub(super) fn wiring(
    model: &Model,
    watched: impl Fn(usize) -> bool,
    monitored: impl Fn(usize) -> bool,
) -> Vec<u64> {
    let g = &model.graph;
    (0..g.signals())
        .map(|s| {
            let (a, b) = (g.parent_start[s], g.parent_start[s + 1]);
            let high = if b - a == 1 { g.parents[a as usize] } else { a };
            ((high as u64) << 32)
                | (((b - a) as u64) << 2)
                | ((monitored(s) as u64) << 1)
                | watched(s) as u64
        })
        .collect()
}

/// Wiring bits: watchers must hear about a change; a monitor must.
const WATCHED: u64 = 1;
const MONITORED: u64 = 2;
const HEARD: u64 = WATCHED | MONITORED;

/// The number of parents in a wiring word.
#[inline(always)]
fn parent_count(w: u64) -> usize {
    (w as u32 >> 2) as usize
}

/// Per-replication measures of one measured signal (a service or a role).
#[derive(Debug, Clone, Copy, Default)]
pub struct Monitor {
    /// Total time down in the mission, hours.
    pub downtime: Hours,
    /// Part of `downtime` in outages started by a maintenance action, hours.
    pub planned: Hours,
    /// Time up with no redundancy left, hours.
    pub at_risk: Hours,
    /// Number of outages that started in the mission (one still open at the end counts).
    pub outages: u32,
    /// Longest outage, hours (an outage open at the end is cut at the mission end).
    pub longest: Hours,
    /// Signals with a `tolerance`: impactful downtime (by the tolerance's rule), hours.
    pub impactful: Hours,
    /// Signals with a `tolerance`: outages longer than it (one open at the end counts by its length
    /// up to the mission end).
    pub impactful_outages: u32,
    pub(super) since: Hours,
    pub(super) level: u8,
    pub(super) outage_planned: bool,
}

impl<'m, R: Recorder> Engine<'m, R> {
    /// Per measured signal (services first, then roles, as [`Model::measured`]): this replication's measures.
    pub fn monitors(&self) -> &[Monitor] {
        &self.monitors
    }

    /// Number of year slots per replication (whole years of the mission; 1 for missions under a year).
    pub fn year_slots(&self) -> (usize, Hours) {
        (self.years, self.year_len)
    }

    /// Downtime in each year slot of measured signal `m`, hours.
    pub fn year_downtime(&self, m: usize) -> &[Hours] {
        &self.year_down[m * self.years..(m + 1) * self.years]
    }

    /// Impactful downtime in each year slot of measured signal `m`, hours (empty unless some
    /// measured signal has a tolerance).
    pub fn year_impactful(&self, m: usize) -> &[Hours] {
        self.year_impact
            .get(m * self.years..(m + 1) * self.years)
            .unwrap_or(&[])
    }

    /// Level of every signal now (see [`crate::model::Graph`]): 0 down, 1 up with no redundancy
    /// left, 2 up and safe.
    pub fn levels(&self) -> &[u8] {
        &self.level
    }

    /// Measured signal `m` up to time `t` of a mission still running (outages still open count up to
    /// `t`): downtime, outages begun and time at risk, hours.
    pub fn accrued(&self, m: usize, t: Hours) -> (Hours, u32, Hours) {
        let mon = &self.monitors[m];
        let open = (t - mon.since).max(0.0);
        match mon.level {
            DOWN => (mon.downtime + open, mon.outages, mon.at_risk),
            AT_RISK => (mon.downtime, mon.outages, mon.at_risk + open),
            _ => (mon.downtime, mon.outages, mon.at_risk),
        }
    }

    /// Sets a primitive signal's level and propagates the change through the gates above it.
    pub(super) fn set_level(&mut self, s: SignalId, new: u8, t: Hours) {
        let old = self.level[s as usize];
        if old == new {
            return;
        }
        self.level[s as usize] = new;
        let w = self.wiring[s as usize];
        if w & HEARD != 0 {
            self.changed(s, w, new, t);
        }
        if parent_count(w) != 0 {
            self.propagate(w, old, new, t);
        }
    }

    /// Sets the number of inputs gate `s` needs up (a pool's `min_up` in a new phase) and
    /// propagates a change of its level.
    pub(super) fn set_need(&mut self, s: SignalId, need: u32, t: Hours) {
        let gi = s as usize - self.model.graph.primitives;
        let gate = &mut self.gates[gi];
        gate.need = need;
        let new = gate_level(gate.up, gate.safe, need);
        let old = gate.level as u8;
        if old == new {
            return;
        }
        gate.level = new as u32;
        let w = gate.wiring;
        self.level[s as usize] = new;
        if w & HEARD != 0 {
            self.changed(s, w, new, t);
        }
        if parent_count(w) != 0 {
            self.propagate(w, old, new, t);
        }
    }

    /// The inputs a pool's gate `own` needs up now: its `min_up` in the phase in force (`min_up`
    /// itself for a one-node pool, which has no gate).
    pub(super) fn pool_need(&self, own: SignalId, min_up: u32) -> u32 {
        let g = &self.model.graph;
        if g.is_gate(own) {
            self.gates[own as usize - g.primitives].need
        } else {
            min_up
        }
    }

    /// Tells the gates above a signal (its wiring word `w`, with at least one parent) that its
    /// level went from `old` to `new`.
    #[inline(always)]
    fn propagate(&mut self, w: u64, old: u8, new: u8, t: Hours) {
        let g = &self.model.graph;
        let base = g.primitives;
        // One primitive change moves every gate in the same direction (gates are monotone in the
        // levels), so counts can be updated by ±1 as changes arrive. Gates whose level changed and
        // whose parents are still to hear it are taken last in, first out; the one just changed
        // is carried in `(w, o, n)` rather than pushed and popped at once (usually it is the
        // only one), which hears the gates in the same order as a stack of them all.
        let (mut w, mut o, mut n) = (w, old, new);
        loop {
            let dup = (n != DOWN) as i32 - (o != DOWN) as i32;
            let dsafe = (n == SAFE) as i32 - (o == SAFE) as i32;
            let count = parent_count(w);
            let high = (w >> 32) as u32;
            if count == 1 {
                if let Some(next) = self.bump(high, base, dup, dsafe, t) {
                    (w, o, n) = next;
                    if parent_count(w) != 0 {
                        continue;
                    }
                }
            } else {
                let first = high as usize;
                for &p in &g.parents[first..first + count] {
                    if let Some((pw, ol, nl)) = self.bump(p, base, dup, dsafe, t)
                        && parent_count(pw) != 0
                    {
                        self.stack.push((p, ol, nl));
                    }
                }
            }
            match self.stack.pop() {
                Some((x, ox, nx)) => (w, o, n) = (self.gates[x as usize - base].wiring, ox, nx),
                None => break,
            }
        }
    }

    /// Moves gate `p`'s counts (its record at `p - base`) by `dup` and `dsafe`; when its level changes, records it, tells
    /// what listens, and returns its wiring word and its old and new levels.
    #[inline(always)]
    fn bump(
        &mut self,
        p: SignalId,
        base: usize,
        dup: i32,
        dsafe: i32,
        t: Hours,
    ) -> Option<(u64, u8, u8)> {
        let gate = &mut self.gates[p as usize - base];
        gate.up = gate.up.wrapping_add_signed(dup);
        gate.safe = gate.safe.wrapping_add_signed(dsafe);
        let nl = gate_level(gate.up, gate.safe, gate.need);
        let ol = gate.level as u8;
        if nl == ol {
            return None;
        }
        gate.level = nl as u32;
        let w = gate.wiring;
        self.level[p as usize] = nl;
        if w & HEARD != 0 {
            self.changed(p, w, nl, t);
        }
        Some((w, ol, nl))
    }

    /// Tells what listens to signal `s` (its wiring word `w`) that its level is now `level`.
    #[inline(always)]
    fn changed(&mut self, s: SignalId, w: u64, level: u8, t: Hours) {
        if w & WATCHED != 0 {
            self.tell_watchers(s);
        }
        if w & MONITORED != 0 {
            let m = self.monitor_of[s as usize];
            self.monitor_level(m as usize, level, t);
        }
    }

    /// Queues the role machines and marks the request kinds that watch signal `s`.
    #[inline(never)]
    fn tell_watchers(&mut self, s: SignalId) {
        let (a, b) = (
            self.watch_start[s as usize] as usize,
            self.watch_start[s as usize + 1] as usize,
        );
        for i in a..b {
            let r = self.watchers[i];
            if r & CLIENT != 0 {
                let q = (r & !CLIENT) as usize;
                if !std::mem::replace(&mut self.dirty_flag[q], true) {
                    self.dirty.push(q as u32);
                }
            } else if !std::mem::replace(&mut self.queued[r as usize], true) {
                self.pending.push_back(r);
            }
        }
    }

    #[inline(never)]
    fn monitor_level(&mut self, m: usize, level: u8, t: Hours) {
        if R::ACTIVE {
            self.recorder.level(m, level_of(level), self.planned_now, t);
        }
        let mon = &mut self.monitors[m];
        match mon.level {
            DOWN => self.end_outage(m, t),
            AT_RISK => mon.at_risk += t - mon.since,
            _ => {}
        }
        if level == DOWN && m < self.model.services.len() {
            self.attr_since[m] = t;
            self.services_down += 1;
        }
        let mon = &mut self.monitors[m];
        if level == DOWN {
            mon.outages += 1;
            mon.outage_planned = self.planned_now;
        }
        mon.level = level;
        mon.since = t;
    }

    fn end_outage(&mut self, m: usize, t: Hours) {
        if m < self.model.services.len() {
            self.attr_close(m, t);
            self.services_down -= 1;
        }
        let mon = &mut self.monitors[m];
        let start = mon.since;
        let len = t - start;
        if len <= 0.0 {
            // Down and up again at the same instant (a zero-length repair, or same-time events taken
            // one by one): no time was lost, so it is no outage.
            mon.outages -= 1;
            return;
        }
        mon.downtime += len;
        if mon.outage_planned {
            mon.planned += len;
        }
        mon.longest = mon.longest.max(len);
        // Split the outage over the year slots it touches.
        let slots = &mut self.year_down[m * self.years..(m + 1) * self.years];
        split_years(slots, self.year_len, start, t);
        // One branch per outage end; signals without a tolerance do nothing more.
        if let Some(tol) = self.tolerance[m]
            && len > tol.hours
        {
            let mon = &mut self.monitors[m];
            mon.impactful += tol.impact(len);
            mon.impactful_outages += 1;
            let from = if tol.whole { start } else { start + tol.hours };
            let slots = &mut self.year_impact[m * self.years..(m + 1) * self.years];
            split_years(slots, self.year_len, from, t);
        }
        if m < self.model.services.len() {
            let comps = self.model.components.len();
            for &c in &self.down_comps {
                let c = c as usize;
                if self.support[m * comps + c] {
                    self.overlap[m * comps + c] += t - start.max(self.down_since[c]);
                }
            }
        }
    }

    /// Closes every open interval at the mission end.
    pub(super) fn finish(&mut self) {
        let t = self.mission;
        self.clients.finish(self.model, t);
        for m in 0..self.monitors.len() {
            match self.monitors[m].level {
                DOWN => self.end_outage(m, t),
                AT_RISK => {
                    let mon = &mut self.monitors[m];
                    mon.at_risk += t - mon.since;
                }
                _ => {}
            }
        }
        for (r, st) in self.machines.iter().enumerate() {
            if self.model.roles[r].machine.is_some()
                && let Some(c) = st.phase.cause()
            {
                self.machine_stats[r].down_by_cause[c as usize] += t - st.phase_since;
            }
        }
        // Technicians still at work when the mission ends were busy until the end.
        for &c in &self.down_comps {
            let c = c as usize;
            // A node waiting for its part holds no technician yet.
            if let Some(k) = self.model.components[c].crew
                && !self.crew_queue[k].iter().any(|&(x, _)| x as usize == c)
                && !self.awaiting_part(c)
                && !self.is_hidden(c)
            {
                self.crew_stats[k].busy += t - self.repair_started[c];
            }
        }
    }
}

/// Adds the interval `[start, end)` to the year slots (each `year_len` long) it touches.
fn split_years(slots: &mut [Hours], year_len: Hours, start: Hours, end: Hours) {
    let mut y = (start / year_len) as usize;
    while y < slots.len() {
        let lo = start.max(y as f64 * year_len);
        let hi = end.min((y + 1) as f64 * year_len);
        if hi <= lo {
            break;
        }
        slots[y] += hi - lo;
        y += 1;
    }
}

/// The public name of a signal level.
#[inline]
pub(super) fn level_of(level: u8) -> Level {
    match level {
        DOWN => Level::Down,
        AT_RISK => Level::AtRisk,
        _ => Level::Safe,
    }
}

/// Level of a gate with `up` inputs up, `safe` of them safe, needing `need`.
#[inline]
fn gate_level(up: u32, safe: u32, need: u32) -> u8 {
    if up < need {
        DOWN
    } else if up > need || safe == up {
        SAFE
    } else {
        AT_RISK
    }
}

/// Levels of every signal at the start of a mission (everything up, machines running on their first
/// replica), and the per-gate input counts that go with them.
pub(super) fn initial_levels(model: &Model) -> (Vec<u8>, Vec<Gate>) {
    let g = &model.graph;
    let n = g.signals();
    let mut level: Vec<Option<u8>> = vec![None; n];
    level[..g.components].fill(Some(AT_RISK));
    level[g.components..g.primitives].fill(Some(SAFE));
    // Dynamic quorum: the votes in force at the start.
    for q in &model.quorums {
        let votes = q.initial();
        for (i, (&a, &b)) in q.in_force.iter().zip(&q.out_of_force).enumerate() {
            let on = votes & (1 << i) != 0;
            level[a as usize] = Some(if on { SAFE } else { DOWN });
            level[b as usize] = Some(if on { DOWN } else { SAFE });
        }
    }
    // Quorum does not depend on any machine, so its level is known before the machines' outputs.
    let mut quorum_level = Vec::new();
    for q in &model.quorums {
        let mut scratch = level.clone();
        quorum_level.push(eval(q.signal as usize, g, &mut scratch));
    }
    for role in &model.roles {
        if let Some(m) = &role.machine {
            let l = if m.replicas.len() > 1 { SAFE } else { AT_RISK };
            level[m.output as usize] = Some(match m.quorum {
                Some(q) => l.min(quorum_level[q]),
                None => l,
            });
        }
    }
    // Pools with standby: only the active nodes serve at the start.
    for (s, active) in model.serving_start() {
        level[s as usize] = Some(if active { AT_RISK } else { DOWN });
    }
    fn eval(s: usize, g: &crate::model::Graph, level: &mut Vec<Option<u8>>) -> u8 {
        if let Some(l) = level[s] {
            return l;
        }
        let gi = s - g.primitives;
        let (mut up, mut safe) = (0, 0);
        for &i in &g.inputs[gi] {
            let l = eval(i as usize, g, level);
            up += (l != DOWN) as u32;
            safe += (l == SAFE) as u32;
        }
        let l = gate_level(up, safe, g.need[gi]);
        level[s] = Some(l);
        l
    }
    let level: Vec<u8> = (0..n).map(|s| eval(s, g, &mut level)).collect();
    let gates = g
        .inputs
        .iter()
        .zip(&g.need)
        .enumerate()
        .map(|(gi, (ins, &need))| Gate {
            up: ins.iter().filter(|&&i| level[i as usize] != DOWN).count() as u32,
            safe: ins.iter().filter(|&&i| level[i as usize] == SAFE).count() as u32,
            need,
            level: level[g.primitives + gi] as u32,
            wiring: 0,
        })
        .collect();
    (level, gates)
}
