//! The event engine: simulates one mission of a compiled model, event by event, and leaves the
//! per-replication measures in its buffers for an accumulator to read.
//!
//! Components fail and are repaired (through crews when they have one); maintenance schedules take
//! nodes out; role machines (clusters, availability groups, mirrors, restores) react to the state of
//! their hosts. Every change reaches the gate graph as a primitive signal and propagates only as far as
//! some gate's level changes. The hot loop allocates nothing, looks up no names and dispatches
//! statically: components' clocks and roles' crashes sit in a tournament tree, other events in a
//! 4-ary heap, ties broken by insertion order.
//!
//! This file holds the engine's state and the event loop; each mechanism is an `impl` block of
//! [`Engine`] in its own file: `queue` (the event list), `components` (failures, repairs, crews),
//! `stocks` (spare-part stocks), `latent` (hidden failures, inspections, backup jobs),
//! `maintenance`, `machines/` (role machines: failover, replicas, restores, software failures;
//! cluster quorum),
//! `signals` (levels, gates, monitors), `snapshot` (copies of a mission), `setup` (building and
//! resetting an engine) and `clients/` (what clients experience).

mod attribution;
pub mod clients;
mod components;
mod hosts;
mod latent;
mod machines;
mod maintenance;
mod phases;
mod queue;
mod reassign;
mod setup;
mod signals;
mod snapshot;
mod stocks;
#[cfg(test)]
mod tests;
pub mod trace;

use std::collections::VecDeque;

use crate::base::dist::Dist;
use crate::base::rng::Stream;
use crate::base::units::Hours;
use crate::engine::clients::{Balancers, ClientEval};
use crate::engine::components::{Clock, Comp};
use crate::engine::hosts::VmState;
use crate::engine::latent::{INSPECTION_DUE, InspCrew, JobState};
use crate::engine::machines::{Life, MachineState, PoolRun, QuorumState};
use crate::engine::queue::{
    ClockKey, EMPTY, Event, EventQueue, Kind, MAX_SEQ, OTHER, seq_kind, slot_of,
};
use crate::engine::signals::{Gate, level_of};
use crate::engine::trace::{NoTrace, Recorder};
use crate::model::{Model, SignalId};

pub use attribution::{Attributed, attribution_causes};
pub use components::CrewStats;
pub use latent::LatentStats;
pub use machines::{CAUSES, Cause, MachineStats, QuorumStats};
pub use signals::Monitor;
pub use snapshot::Snapshot;
pub use stocks::StockStats;

/// No index: a role machine without a host, a signal without a monitor, a component not down.
const NONE: u32 = u32::MAX;

/// Simulates missions of one model. Create one per worker and reuse it for many replications.
///
/// `R` hears about every change of state (see [`crate::engine::trace`]); the default [`NoTrace`] compiles the
/// hooks away.
pub struct Engine<'m, R: Recorder = NoTrace> {
    model: &'m Model,
    mission: Hours,
    seed: u64,
    queue: EventQueue,
    seq: u64,
    /// Per component: what its failures and repairs touch, in one cache line ([`Comp`]).
    comps: Vec<Comp>,
    /// The distinct laws of components, which their `Hot` records index.
    laws: Vec<Dist>,
    crew_streams: Vec<Stream>,
    role_streams: Vec<Stream>,
    /// Per signal: level (DOWN, AT_RISK, SAFE).
    level: Vec<u8>,
    initial_level: Vec<u8>,
    /// Per gate: inputs up, inputs safe, inputs needed.
    gates: Vec<Gate>,
    initial_gates: Vec<Gate>,
    /// Per signal: index of its monitor or NONE.
    monitor_of: Vec<u32>,
    /// Per signal: its parents in the graph and whether anything (a monitor or a machine) must hear
    /// about its changes ([`signals::wiring`]).
    wiring: Vec<u64>,
    monitors: Vec<Monitor>,
    /// Per signal: role machines to tell when it changes (CSR).
    watch_start: Vec<u32>,
    watchers: Vec<u32>,
    pending: VecDeque<u32>,
    queued: Vec<bool>,
    clients: ClientEval,
    /// Pools behind a load balancer: the members each has dropped.
    balancers: Balancers,
    /// Request kinds whose instances changed during the current event.
    dirty: Vec<u32>,
    dirty_flag: Vec<bool>,
    stack: Vec<(SignalId, u8, u8)>,
    /// Whether the event being handled is a maintenance action (outages it starts are planned).
    planned_now: bool,
    /// The schedule of that maintenance action.
    planned_by: u32,
    // Components.
    down_since: Vec<Hours>,
    down_comps: Vec<u32>,
    down_pos: Vec<u32>,
    in_maintenance: Vec<bool>,
    /// Per component: the schedule that holds it in maintenance (`NONE` when none).
    maint_of: Vec<u32>,
    /// Nodes in maintenance now (those with a schedule in `maint_of`), and each one's place in it.
    maint_nodes: Vec<u32>,
    maint_pos: Vec<u32>,
    // Crews.
    crew_free: Vec<u32>,
    crew_queue: Vec<Vec<(u32, u64)>>,
    arrivals: u64,
    repair_started: Vec<Hours>,
    crew_stats: Vec<CrewStats>,
    // Spare-part stocks (empty without stocks).
    stock_on_hand: Vec<u32>,
    /// Per stock: nodes waiting for a part, first come first served.
    stock_line: Vec<VecDeque<u32>>,
    /// Per stock: outstanding reorders (id, time ordered).
    stock_orders: Vec<Vec<(u32, Hours)>>,
    order_seq: u32,
    stock_streams: Vec<Stream>,
    stock_stats: Vec<StockStats>,
    // Maintenance.
    roll_cursor: Vec<u32>,
    roll_active: Vec<bool>,
    /// Per rolling schedule: the node it holds in maintenance now.
    roll_node: Vec<u32>,
    /// Per rolling schedule: the node left for last because it holds the guarded role (`NONE` if none).
    roll_deferred: Vec<u32>,
    // Machines (indexed by role).
    machines: Vec<MachineState>,
    /// Per cluster with quorum: votes in force and the adjustment timer (dynamic quorum).
    quorums: Vec<QuorumState>,
    quorum_streams: Vec<Stream>,
    machine_stats: Vec<MachineStats>,
    /// Virtual machines of every host group, group after group; where each group's start.
    vms: Vec<VmState>,
    vm_base: Vec<u32>,
    /// Per host group: its stream (boot and pause times).
    host_streams: Vec<Stream>,
    /// `support[s * components + c]`: component `c` can affect service `s`.
    support: Vec<bool>,
    /// Per service and component: hours the service was down while the component was down.
    overlap: Vec<Hours>,
    /// Per component: the services it can affect (the inverse of `support`).
    comp_services: Vec<Vec<u32>>,
    /// Per role: the services that depend on its machine (the inverse of `role_support`).
    role_services: Vec<Vec<u32>>,
    /// `role_dep[s * roles + r]`: service `s` depends on role `r`'s machine.
    role_dep: Vec<bool>,
    /// Role machines not running now, and each one's place in the list.
    odd_roles: Vec<u32>,
    odd_pos: Vec<u32>,
    /// Categories per service of the downtime attribution ([`attribution_causes`]).
    attr_len: usize,
    /// Per service and category: hours of downtime attributed.
    attr: Vec<Hours>,
    /// Per service: start of the outage stretch not attributed yet.
    attr_since: Vec<Hours>,
    /// Services down now.
    services_down: u32,
    years: usize,
    year_len: Hours,
    /// Per monitor and year slot: downtime in that slot, hours.
    year_down: Vec<Hours>,
    /// Per monitor: its grace period (`tolerance`), if any.
    tolerance: Vec<Option<crate::model::Tolerance>>,
    /// Per monitor and year slot: impactful downtime, hours; empty when no monitor has a tolerance.
    year_impact: Vec<Hours>,
    events: u64,
    /// Replication being simulated.
    rep: u64,
    /// Per role: generation, start and distribution of its pending timer.
    timer_clock: Vec<(u32, Hours, Option<&'m Dist>)>,
    /// Per role: generation and start of its pending software failure (the crash itself is the
    /// role's clock in the queue; this is for a copied mission to redraw it).
    crash_clock: Vec<(u32, Hours)>,
    /// Per component: the ageing of a cold or warm standby node (unused for other components).
    life: Vec<Life>,
    /// Pools with standby instances (empty in other scenarios).
    pools: Vec<PoolRun>,
    /// Per component: its latent-failure figures ([`LatentStats`]).
    latent_stats: Vec<LatentStats>,
    /// Per component: its state as a backup job (empty when no restore names a `backup_job`).
    jobs: Vec<JobState>,
    /// Per inspection schedule: its stream (detection draws).
    insp_streams: Vec<Stream>,
    /// (voting node, silent witness) of every cluster with a silent witness: the node's failure or
    /// drain finds the witness's hidden failure (empty without silent witnesses).
    witness_calls: Vec<(u32, u32)>,
    /// Per inspection schedule: its inspection by a crew ([`InspCrew`]).
    insp_crew: Vec<InspCrew>,
    /// Whether any failure can hide (silent or dormant standby nodes): the mission end then counts
    /// the hours of those still hidden.
    any_hidden: bool,
    /// Per component: its attribution category while its present failure is one that had been hidden
    /// ([`NONE`] otherwise; empty when no failure can hide).
    unseen: Vec<u32>,
    /// Per component: its "failed unseen" attribution category, for the nodes whose failures can hide.
    unseen_cat: Vec<u32>,
    /// The phases of the calendar (empty without `[phases]`).
    phase: phases::PhaseState,
    /// Reassignments by a crew (empty without one).
    operators: Vec<reassign::Operator>,
    recorder: R,
}

impl<'m, R: Recorder> Engine<'m, R> {
    /// The recorder.
    pub fn recorder(&self) -> &R {
        &self.recorder
    }

    /// The recorder, to read and reset between replications.
    pub fn recorder_mut(&mut self) -> &mut R {
        &mut self.recorder
    }

    /// Gives the recorder back.
    pub fn into_recorder(self) -> R {
        self.recorder
    }

    /// The model being simulated.
    pub fn model(&self) -> &'m Model {
        self.model
    }

    /// Events simulated in the last replication.
    pub fn events(&self) -> u64 {
        self.events
    }

    #[inline]
    fn push(&mut self, time: Hours, kind: Kind, target: u32, aux: u32) {
        // Nothing at or after the mission end can change a measure.
        if time < self.mission {
            self.seq += 1;
            self.queue.push(Event {
                time: time.to_bits(),
                seq_kind: seq_kind(self.seq, kind),
                target,
                aux,
            });
        }
    }

    /// Simulates replication `rep` of the run (its random streams derive from the seed and `rep`).
    pub fn run(&mut self, rep: u64) {
        self.begin(rep);
        while self.step().is_some() {}
        self.end();
    }

    /// Starts replication `rep`: everything up at time 0, first events scheduled. Then [`Engine::step`]
    /// until it returns `None`, then [`Engine::end`].
    pub fn begin(&mut self, rep: u64) {
        self.reset(rep);
        let model = self.model;
        if R::ACTIVE {
            self.recorder.begin(model, rep);
            for m in 0..self.monitors.len() {
                let level = level_of(self.monitors[m].level);
                self.recorder.level(m, level, false, 0.0);
            }
        }
        self.queue.start_bulk();
        for c in 0..model.components.len() {
            let h = self.comps[c].hot;
            let mut t = self.laws[h.failure()].draw(&mut self.comps[c].stream);
            if h.standby() {
                t = self.aged(c, t, 0.0);
            }
            self.push(t, Kind::Fail, c as u32, 0);
        }
        self.queue.end_bulk();
        for (i, m) in model.maintenance.iter().enumerate() {
            self.push(m.offset, Kind::Window, i as u32, 0);
        }
        for r in 0..model.roles.len() {
            if model.roles[r].machine.is_some() {
                self.schedule_crash(r, 0.0);
            }
        }
        for (i, insp) in model.inspections.iter().enumerate() {
            match insp.crew {
                Some(_) => self.push(insp.offset, Kind::Inspect, i as u32, INSPECTION_DUE),
                None => self.push(insp.offset + insp.duration, Kind::Inspect, i as u32, 0),
            }
        }
        if !model.phases.is_empty() {
            self.phases_begin();
        }
        if !self.operators.is_empty() {
            self.begin_operators();
        }
    }

    /// Handles the next event and everything it sets off; returns its time, or `None` when nothing is
    /// left before the mission end.
    // Always: with every mechanism's arm it grew past LLVM's inlining limit, costing a call per event.
    // Clocks (most events) are handled here from their tree key; the other events out of line.
    #[inline(always)]
    pub fn step(&mut self) -> Option<Hours> {
        let key = self.queue.next();
        let t = match key {
            OTHER => self.other_event(),
            EMPTY => return None,
            _ => {
                let t = ClockKey::time(key);
                let slot = slot_of(key);
                let i = slot as usize;
                self.events += 1;
                self.planned_now = false;
                match ClockKey::kind(key) {
                    Kind::Fail => self.fail(i, t),
                    Kind::RepairDone => self.repair_done(i, t),
                    Kind::Dispatched => {
                        let d =
                            self.laws[self.comps[i].hot.repair()].draw(&mut self.comps[i].stream);
                        self.comps[i].clock = (Clock::Repair, t);
                        self.push(t + d, Kind::RepairDone, slot, 0);
                    }
                    Kind::Shipped => self.part_shipped(i, t),
                    Kind::RoleCrash => {
                        // Cancelled when the role stopped running, so never stale.
                        let r = self.queue.role_of(slot);
                        self.crash(r, t);
                    }
                    k => unreachable!("{k:?} is not a clock"),
                }
                t
            }
        };
        self.settle(t);
        self.queue.settle();
        Some(t)
    }

    /// Takes the next event out of the heap (maintenance, timers, the events of mechanisms most
    /// scenarios do not use) and handles it; returns its time.
    #[inline(never)]
    fn other_event(&mut self) -> Hours {
        let ev = self.queue.pop_other();
        let t = f64::from_bits(ev.time);
        self.events += 1;
        self.planned_now = false;
        let i = ev.target as usize;
        match ev.kind() {
            Kind::Window => {
                self.planned_now = true;
                self.planned_by = ev.target;
                self.window(i, t);
            }
            Kind::WindowEnd => {
                self.planned_now = true;
                self.planned_by = ev.aux;
                self.leave_maintenance(i, t);
            }
            Kind::RollNext => {
                self.planned_now = true;
                self.planned_by = ev.target;
                let node = self.roll_node[i] as usize;
                self.leave_maintenance(node, t);
                self.roll(i, t);
            }
            Kind::RoleTimer => {
                if self.machines[i].epoch == ev.aux {
                    self.timer(i, t);
                }
            }
            Kind::QuorumTimer => {
                if self.quorums[i].epoch == ev.aux {
                    self.adjust_votes(i, t);
                }
            }
            Kind::VmBoot => {
                if self.vms[i].epoch == ev.aux {
                    self.vm_booted(i, t);
                }
            }
            Kind::Dropped => self.member_dropped(i, ev.aux),
            Kind::PartArrives => self.part_arrives(i, ev.aux, t),
            Kind::Inspect => self.inspect(i, ev.aux, t),
            Kind::Switched => self.pool_switched(i, ev.aux, t),
            Kind::Phase => self.phase_boundary(i, ev.aux, t),
            Kind::Reassign => self.operator_event(i, ev.aux, t),
            k => unreachable!("{k:?} is a clock"),
        }
        t
    }

    /// Closes the replication at the mission end: open outages and busy periods end there.
    pub fn end(&mut self) {
        // Once a replication rather than at every push: past it, ties between events at the same
        // instant would have been broken in a wrong order.
        assert!(
            self.seq < MAX_SEQ,
            "a mission scheduled more than 2^35 events, more than the event queue can order"
        );
        if self.any_hidden {
            self.finish_latent();
        }
        if !self.model.phases.is_empty() {
            self.phases_end();
        }
        if !self.insp_crew.is_empty() {
            self.finish_inspections();
        }
        if !self.operators.is_empty() {
            self.finish_operators();
        }
        self.finish();
        if !self.stock_line.is_empty() {
            self.close_stocks();
        }
    }

    /// Lets every machine whose inputs changed react, until nothing changes any more.
    fn settle(&mut self, t: Hours) {
        let roles = self.machines.len();
        while let Some(r) = self.pending.pop_front() {
            self.queued[r as usize] = false;
            let clusters = roles + self.quorums.len();
            let hosts = clusters + self.model.host_groups.len();
            // Watchers past the roles are clusters with quorum, then host groups, then pools behind
            // a load balancer, then pools with standby (none in other scenarios).
            if (r as usize) < roles {
                self.reconsider(r as usize, t);
            } else if (r as usize) < clusters {
                self.votes_changed(r as usize - roles, t);
            } else if (r as usize) < hosts {
                self.hosts_changed(r as usize - clusters, t);
            } else if (r as usize) < hosts + self.balancers.len() {
                self.members_changed(r as usize - hosts, t);
            } else {
                self.pool_changed(r as usize - hosts - self.balancers.len(), t);
            }
        }
        // Machines are settled, so the instances' state at `t` is final.
        while let Some(q) = self.dirty.pop() {
            let q = q as usize;
            self.dirty_flag[q] = false;
            let mask = self.instance_mask(q);
            self.clients.observe(self.model, q, t, mask);
            if let Some(r) = &self.model.requests[q].reassign {
                let moved = self.mask_of(r.moved());
                self.clients.observe_moved(self.model, q, t, moved);
                if r.crew.is_some() {
                    self.operator_watch(q, t);
                }
            }
        }
    }
}
