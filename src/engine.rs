//! The event engine: simulates one mission of a compiled model, event by event, and leaves the
//! per-replication measures in its buffers for an accumulator to read.
//!
//! The hot loop allocates nothing, looks up no names and dispatches statically: events are small
//! `Copy` records in a binary heap (ties broken by insertion order), node state changes propagate
//! through the gate graph only as far as some gate actually changes, and time in each state is
//! accumulated exactly when a measured signal changes.

use std::collections::BinaryHeap;

use crate::model::{Model, SignalId};
use crate::rng::{Stream, stream};
use crate::units::{HOURS_PER_YEAR, Hours};

const NONE: u32 = u32::MAX;

/// What an event does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
enum Kind {
    NodeFail,
    NodeRepair,
}

/// A scheduled event. Ordered by time, then by insertion sequence, reversed for a min-heap.
#[derive(Debug, Clone, Copy)]
struct Event {
    /// `f64::to_bits` of a non-negative time: orders like the time itself.
    time: u64,
    seq: u64,
    target: u32,
    kind: Kind,
}

impl PartialEq for Event {
    fn eq(&self, o: &Self) -> bool {
        self.time == o.time && self.seq == o.seq
    }
}
impl Eq for Event {}
impl PartialOrd for Event {
    fn partial_cmp(&self, o: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(o))
    }
}
impl Ord for Event {
    fn cmp(&self, o: &Self) -> std::cmp::Ordering {
        (o.time, o.seq).cmp(&(self.time, self.seq))
    }
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
    down_since: Hours,
    down: bool,
}

/// Why a stateful role's own instance is down: the split reported as downtime by cause.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum Cause {
    /// Switching to another host, or starting after none was up.
    Failover = 0,
    /// Restarting in place after a software failure.
    Restart = 1,
    /// Waiting for an operator.
    Manual = 2,
    /// No replica host up.
    NoHost = 3,
    /// Restoring from backup or reinstalling.
    Recovery = 4,
}

/// Number of [`Cause`]s.
pub const CAUSES: usize = 5;

/// Per-replication counts of a role machine.
#[derive(Debug, Clone, Copy, Default)]
pub struct MachineStats {
    /// Completed automatic moves to another host (failovers, failbacks).
    pub failovers: u32,
    /// Automatic failovers that failed (coverage).
    pub failed_failovers: u32,
    /// Software restarts attempted.
    pub restarts: u32,
    /// Own downtime by [`Cause`], hours.
    pub down_by_cause: [Hours; CAUSES],
    /// Hours of changes lost, summed over incidents.
    pub data_lost: Hours,
    /// Incidents that lost data (restores, failovers to asynchronous replicas).
    pub loss_incidents: u32,
    /// Largest single loss, hours.
    pub worst_loss: Hours,
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

/// Simulates missions of one model. Create one per worker and reuse it for many replications.
pub struct Engine<'m> {
    model: &'m Model,
    mission: Hours,
    seed: u64,
    queue: BinaryHeap<Event>,
    seq: u64,
    streams: Vec<Stream>,
    up: Vec<bool>,
    up_inputs: Vec<u32>,
    initial_up_inputs: Vec<u32>,
    monitor_of: Vec<u32>,
    monitors: Vec<Monitor>,
    stack: Vec<SignalId>,
    node_down_since: Vec<Hours>,
    down_nodes: Vec<u32>,
    down_pos: Vec<u32>,
    /// `support[s * nodes + n]`: node `n` can affect service `s`.
    support: Vec<bool>,
    /// Per service and node: hours the service was down while the node was down.
    overlap: Vec<Hours>,
    years: usize,
    year_len: Hours,
    /// Per monitor and year slot: downtime in that slot, hours.
    year_down: Vec<Hours>,
    events: u64,
    machine_stats: Vec<MachineStats>,
    crew_stats: Vec<CrewStats>,
}

impl<'m> Engine<'m> {
    /// Prepares an engine for `model`; allocates everything the replications will need.
    pub fn new(model: &'m Model) -> Self {
        let g = &model.graph;
        let signals = g.signals();
        let measured = model.measured();
        let mut monitor_of = vec![NONE; signals];
        for (i, (_, _, sig)) in measured.iter().enumerate() {
            monitor_of[*sig as usize] = i as u32;
        }
        let nodes = model.components.len();
        let mut support = vec![false; model.services.len() * nodes];
        for (s, svc) in model.services.iter().enumerate() {
            for &n in &svc.support {
                support[s * nodes + n] = true;
            }
        }
        let mission = model.simulation.mission;
        let (years, year_len) = if mission >= HOURS_PER_YEAR {
            ((mission / HOURS_PER_YEAR) as usize, HOURS_PER_YEAR)
        } else {
            (1, mission)
        };
        let initial_up_inputs: Vec<u32> = g.inputs.iter().map(|i| i.len() as u32).collect();
        Engine {
            model,
            mission,
            seed: model.simulation.seed,
            queue: BinaryHeap::with_capacity(2 * nodes + 16),
            seq: 0,
            streams: model
                .components
                .iter()
                .map(|n| stream(0, 0, n.stream_key))
                .collect(),
            up: vec![true; signals],
            up_inputs: initial_up_inputs.clone(),
            initial_up_inputs,
            monitor_of,
            monitors: vec![Monitor::default(); measured.len()],
            stack: Vec::with_capacity(signals),
            node_down_since: vec![0.0; nodes],
            down_nodes: Vec::with_capacity(nodes),
            down_pos: vec![NONE; nodes],
            support,
            overlap: vec![0.0; model.services.len() * nodes],
            years,
            year_len,
            year_down: vec![0.0; measured.len() * years],
            events: 0,
            machine_stats: vec![MachineStats::default(); model.roles.len()],
            crew_stats: vec![CrewStats::default(); model.crews.len()],
        }
    }

    /// The model being simulated.
    pub fn model(&self) -> &'m Model {
        self.model
    }

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

    /// Hours service `s` was down while node `n` was down, this replication.
    pub fn overlap(&self, s: usize, n: usize) -> Hours {
        self.overlap[s * self.model.components.len() + n]
    }

    /// Per role: its machine's figures this replication (zeros for roles without a machine).
    pub fn machine_stats(&self) -> &[MachineStats] {
        &self.machine_stats
    }

    /// Per crew: its figures this replication.
    pub fn crew_stats(&self) -> &[CrewStats] {
        &self.crew_stats
    }

    /// Events simulated in the last replication.
    pub fn events(&self) -> u64 {
        self.events
    }

    #[inline]
    fn push(&mut self, time: Hours, kind: Kind, target: u32) {
        // Nothing at or after the mission end can change a measure.
        if time < self.mission {
            self.seq += 1;
            self.queue.push(Event {
                time: time.to_bits(),
                seq: self.seq,
                target,
                kind,
            });
        }
    }

    fn reset(&mut self, rep: u64) {
        let model = self.model;
        self.queue.clear();
        self.seq = 0;
        self.events = 0;
        for (s, node) in self.streams.iter_mut().zip(&model.components) {
            *s = stream(self.seed, rep, node.stream_key);
        }
        self.up.fill(true);
        self.up_inputs.copy_from_slice(&self.initial_up_inputs);
        self.monitors.fill(Monitor::default());
        self.down_nodes.clear();
        self.down_pos.fill(NONE);
        self.overlap.fill(0.0);
        self.year_down.fill(0.0);
    }

    /// Simulates replication `rep` of the run (its random streams derive from the seed and `rep`).
    pub fn run(&mut self, rep: u64) {
        self.reset(rep);
        let model = self.model;
        for (n, node) in model.components.iter().enumerate() {
            let t = node.failure.sample(&mut self.streams[n]);
            self.push(t, Kind::NodeFail, n as u32);
        }
        while let Some(ev) = self.queue.pop() {
            let t = f64::from_bits(ev.time);
            self.events += 1;
            let n = ev.target as usize;
            match ev.kind {
                Kind::NodeFail => {
                    let d = model.components[n].repair.sample(&mut self.streams[n]);
                    self.push(t + d, Kind::NodeRepair, ev.target);
                    self.node_down(n, t);
                    self.set_signal(ev.target, false, t);
                }
                Kind::NodeRepair => {
                    let d = model.components[n].failure.sample(&mut self.streams[n]);
                    self.push(t + d, Kind::NodeFail, ev.target);
                    self.node_up(n, t);
                    self.set_signal(ev.target, true, t);
                }
            }
        }
        self.finish();
    }

    fn node_down(&mut self, n: usize, t: Hours) {
        self.node_down_since[n] = t;
        self.down_pos[n] = self.down_nodes.len() as u32;
        self.down_nodes.push(n as u32);
    }

    /// Ends node `n`'s down interval: credits its overlap with services that are down, then forgets it.
    fn node_up(&mut self, n: usize, t: Hours) {
        let nodes = self.model.components.len();
        for s in 0..self.model.services.len() {
            let m = &self.monitors[s];
            if m.down && self.support[s * nodes + n] {
                self.overlap[s * nodes + n] += t - m.down_since.max(self.node_down_since[n]);
            }
        }
        let pos = self.down_pos[n] as usize;
        let last = self.down_nodes.pop().expect("node was down");
        if last as usize != n {
            self.down_nodes[pos] = last;
            self.down_pos[last as usize] = pos as u32;
        }
        self.down_pos[n] = NONE;
    }

    /// Sets a primitive signal and propagates the change through the gates above it.
    fn set_signal(&mut self, s: SignalId, up: bool, t: Hours) {
        if self.up[s as usize] == up {
            return;
        }
        let g = &self.model.graph;
        self.up[s as usize] = up;
        self.flipped(s, up, t);
        self.stack.push(s);
        // One primitive change moves every gate in the same direction (the gates are monotone),
        // so each gate flips at most once and counts can be updated by ±1 as flips arrive.
        while let Some(x) = self.stack.pop() {
            for &p in g.parents_of(x) {
                let gi = p as usize - g.primitives;
                if up {
                    self.up_inputs[gi] += 1;
                } else {
                    self.up_inputs[gi] -= 1;
                }
                let now = self.up_inputs[gi] >= g.need[gi];
                if now != self.up[p as usize] {
                    self.up[p as usize] = now;
                    self.flipped(p, now, t);
                    self.stack.push(p);
                }
            }
        }
    }

    #[inline]
    fn flipped(&mut self, s: SignalId, up: bool, t: Hours) {
        let m = self.monitor_of[s as usize];
        if m == NONE {
            return;
        }
        let m = m as usize;
        if up {
            self.end_outage(m, t);
        } else {
            let mon = &mut self.monitors[m];
            mon.down = true;
            mon.down_since = t;
            mon.outages += 1;
        }
    }

    fn end_outage(&mut self, m: usize, t: Hours) {
        let mon = &mut self.monitors[m];
        let start = mon.down_since;
        let len = t - start;
        mon.down = false;
        mon.downtime += len;
        mon.longest = mon.longest.max(len);
        // Split the outage over the year slots it touches.
        let slots = &mut self.year_down[m * self.years..(m + 1) * self.years];
        let mut y = (start / self.year_len) as usize;
        while y < self.years {
            let lo = start.max(y as f64 * self.year_len);
            let hi = t.min((y + 1) as f64 * self.year_len);
            if hi <= lo {
                break;
            }
            slots[y] += hi - lo;
            y += 1;
        }
        if m < self.model.services.len() {
            let nodes = self.model.components.len();
            for &n in &self.down_nodes {
                let n = n as usize;
                if self.support[m * nodes + n] {
                    self.overlap[m * nodes + n] += t - start.max(self.node_down_since[n]);
                }
            }
        }
    }

    /// Closes every open outage at the mission end.
    fn finish(&mut self) {
        let t = self.mission;
        for m in 0..self.monitors.len() {
            if self.monitors[m].down {
                self.end_outage(m, t);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::compile;

    fn model(text: &str) -> Model {
        compile(text, "test.toml").unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn fixed_durations_give_exact_downtime() {
        // Fails at 100h, repaired at 110h, fails at 210h, ...: in 1000h, down 9 × 10h; the 10th failure is at 1000h.
        let m = model(
            r#"
            [simulation]
            mission = "1000h"
            [nodes.a]
            failure = { dist = "fixed", value = "100h" }
            repair = { dist = "fixed", value = "10h" }
            [roles.r]
            kind = "standalone"
            on = "a"
            [services.s]
            all_of = ["r"]
            "#,
        );
        let mut e = Engine::new(&m);
        e.run(0);
        let mon = e.monitors()[0];
        assert_eq!(mon.outages, 9);
        assert!((mon.downtime - 90.0).abs() < 1e-9);
        assert!((e.overlap(0, 0) - 90.0).abs() < 1e-9);
        assert_eq!(e.events(), 18);
    }

    #[test]
    fn pool_goes_down_only_when_too_few_up() {
        // a: down [100,150); b: down [120,130); both fail again after the mission: the 2-of-2 pool is down 50 h,
        // the 1-of-2 pool 10 h, during which both nodes were down.
        let m = model(
            r#"
            [simulation]
            mission = "200h"
            [nodes.a]
            failure = { dist = "fixed", value = "100h" }
            repair = { dist = "fixed", value = "50h" }
            [nodes.b]
            failure = { dist = "fixed", value = "120h" }
            repair = { dist = "fixed", value = "10h" }
            [roles.any]
            kind = "pool"
            on = ["a", "b"]
            [roles.both]
            kind = "pool"
            on = ["a", "b"]
            min_up = 2
            [services.s_any]
            all_of = ["any"]
            [services.s_both]
            all_of = ["both"]
            "#,
        );
        let mut e = Engine::new(&m);
        e.run(0);
        let any = e.monitors()[0];
        let both = e.monitors()[1];
        assert!((any.downtime - 10.0).abs() < 1e-9);
        assert_eq!(any.outages, 1);
        assert!((both.downtime - 50.0).abs() < 1e-9, "{}", both.downtime);
        assert_eq!(both.outages, 1);
        assert!((e.overlap(0, 0) - 10.0).abs() < 1e-9);
        assert!((e.overlap(0, 1) - 10.0).abs() < 1e-9);
        assert!((e.overlap(1, 0) - 50.0).abs() < 1e-9);
        assert!((e.overlap(1, 1) - 10.0).abs() < 1e-9);
    }

    #[test]
    fn outage_open_at_end_is_cut_and_split_by_year() {
        let m = model(
            r#"
            [simulation]
            mission = "2y"
            [nodes.a]
            failure = { dist = "fixed", value = "8000h" }
            repair = { dist = "fixed", value = "2y" }
            [roles.r]
            kind = "standalone"
            on = "a"
            "#,
        );
        let mut e = Engine::new(&m);
        e.run(0);
        let mon = e.monitors()[0];
        assert_eq!(mon.outages, 1);
        assert!((mon.downtime - (17520.0 - 8000.0)).abs() < 1e-9);
        assert_eq!(e.year_slots().0, 2);
        assert!((e.year_downtime(0)[0] - 760.0).abs() < 1e-9);
        assert!((e.year_downtime(0)[1] - 8760.0).abs() < 1e-9);
    }
}
