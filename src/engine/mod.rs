//! The event engine: simulates one mission of a compiled model, event by event, and leaves the
//! per-replication measures in its buffers for an accumulator to read.
//!
//! Components fail and are repaired (through crews when they have one); maintenance schedules take
//! nodes out; role machines (clusters, availability groups, mirrors, restores) react to the state of
//! their hosts. Every change reaches the gate graph as a primitive signal and propagates only as far as
//! some gate's level changes. The hot loop allocates nothing, looks up no names and dispatches
//! statically: events are small `Copy` records in a binary heap, ties broken by insertion order.

pub mod clients;
pub mod trace;

use std::collections::VecDeque;

use crate::base::dist::{Dist, unit_f64};
use crate::base::rng::{Stream, mix64, stream};
use crate::base::units::{HOURS_PER_YEAR, Hours};
use crate::engine::clients::{ClientEval, RequestStats};
use crate::engine::trace::{ComponentEvent, Level, NoTrace, Recorder};
use crate::model::{CrewPolicy, Guard, Machine, Model, Reconnect, Recovery, RoleKind, SignalId};

const NONE: u32 = u32::MAX;
/// Marks a watcher entry as a request kind rather than a role machine.
const CLIENT: u32 = 1 << 31;

/// Signal levels: down, up with no redundancy left (one more failure takes it down), up and safe.
const DOWN: u8 = 0;
const AT_RISK: u8 = 1;
const SAFE: u8 = 2;

/// What an event does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
enum Kind {
    /// Component `target` fails.
    Fail,
    /// Component `target`'s repair ends.
    RepairDone,
    /// A technician reached component `target`: its repair starts.
    Dispatched,
    /// A window of schedule `target` opens.
    Window,
    /// Node `target` leaves a non-rolling window of schedule `aux`.
    WindowEnd,
    /// The node being patched by rolling schedule `target` is done.
    RollNext,
    /// The timer of role machine `target` fires (valid while its generation is `aux`).
    RoleTimer,
    /// Role machine `target` crashes (valid while its generation is `aux`).
    RoleCrash,
}

impl Kind {
    const ALL: [Kind; 8] = [
        Kind::Fail,
        Kind::RepairDone,
        Kind::Dispatched,
        Kind::Window,
        Kind::WindowEnd,
        Kind::RollNext,
        Kind::RoleTimer,
        Kind::RoleCrash,
    ];
}

/// A scheduled event (24 bytes), ordered by time, then by insertion sequence.
#[derive(Debug, Clone, Copy)]
struct Event {
    /// `f64::to_bits` of a non-negative time: orders like the time itself.
    time: u64,
    /// Insertion sequence number shifted left by 8, with the [`Kind`] in the low byte: unique and
    /// increasing, so it breaks ties in insertion order.
    seq_kind: u64,
    target: u32,
    aux: u32,
}

impl Event {
    #[inline]
    fn kind(&self) -> Kind {
        Kind::ALL[(self.seq_kind & 0xff) as usize]
    }
}

impl Event {
    /// Sort key: time first, then insertion order.
    #[inline]
    fn key(&self) -> u128 {
        ((self.time as u128) << 64) | self.seq_kind as u128
    }
}

/// The future-event list: a 4-ary min-heap on [`Event::key`]. Shallower than a binary heap, so a pop
/// touches fewer cache lines; pops dominate the engine's time.
#[derive(Debug, Default)]
struct EventQueue {
    v: Vec<Event>,
}

impl EventQueue {
    fn with_capacity(n: usize) -> Self {
        EventQueue {
            v: Vec::with_capacity(n),
        }
    }

    fn clear(&mut self) {
        self.v.clear();
    }

    #[inline]
    fn push(&mut self, e: Event) {
        let key = e.key();
        let mut i = self.v.len();
        self.v.push(e);
        while i > 0 {
            let parent = (i - 1) / 4;
            if self.v[parent].key() <= key {
                break;
            }
            self.v[i] = self.v[parent];
            i = parent;
        }
        self.v[i] = e;
    }

    #[inline]
    fn pop(&mut self) -> Option<Event> {
        let last = self.v.pop()?;
        if self.v.is_empty() {
            return Some(last);
        }
        let top = self.v[0];
        let n = self.v.len();
        let key = last.key();
        let mut i = 0;
        loop {
            let first = 4 * i + 1;
            if first >= n {
                break;
            }
            let end = (first + 4).min(n);
            let mut best = first;
            let mut best_key = self.v[first].key();
            for c in first + 1..end {
                let k = self.v[c].key();
                if k < best_key {
                    best = c;
                    best_key = k;
                }
            }
            if key <= best_key {
                break;
            }
            self.v[i] = self.v[best];
            i = best;
        }
        self.v[i] = last;
        Some(top)
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
    since: Hours,
    level: u8,
    outage_planned: bool,
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
    /// Completed moves to a different host (automatic or manual failovers, failbacks).
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

/// Where a role machine is in its life cycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    /// Serving on `host`.
    Running,
    /// Moving to `host` (failover, failback, or start after no host was up).
    Switching,
    /// Restarting in place on `host` after a software failure.
    Restarting,
    /// An operator recovers it (after a failed failover or restart); then it starts on the best host.
    ManualRecovery,
    /// An operator performs a manual failover; then it starts on the best host.
    ManualFailover,
    /// No replica host is up.
    NoHost,
    /// Restoring or reinstalling on `host`.
    Recovering,
    /// Waiting for the role a reinstall copies from.
    WaitSource,
}

impl Phase {
    fn cause(self) -> Option<Cause> {
        match self {
            Phase::Running => None,
            Phase::Switching => Some(Cause::Failover),
            Phase::Restarting => Some(Cause::Restart),
            Phase::ManualRecovery | Phase::ManualFailover => Some(Cause::Manual),
            Phase::NoHost => Some(Cause::NoHost),
            Phase::Recovering | Phase::WaitSource => Some(Cause::Recovery),
        }
    }
}

/// The state of one role machine in the current replication.
#[derive(Debug, Clone, Copy)]
struct MachineState {
    phase: Phase,
    /// Replica index it runs on, moves to or restarts on (`NONE` when it has none).
    host: u32,
    /// Replica that last held the role's data.
    last_host: u32,
    /// Timers of older phases carry older generations and are ignored.
    epoch: u32,
    phase_since: Hours,
    /// Start of the current running period (backups happen only while running).
    up_since: Hours,
    /// Changes up to this time are in a backup.
    protected: Hours,
    /// Time the role last moved to a different host (for clients of a mirrored database).
    moved_at: Hours,
    /// When the role last stopped running: its changes up to then are on `last_host`'s node.
    stopped: Hours,
    /// A restored or reinstalled role's state is gone: the node holding it failed (its own failure, not
    /// a maintenance, domain or site outage) since the role last ran, so it needs a restore or a
    /// reinstall before it runs again.
    wiped: bool,
}

impl MachineState {
    const fn start() -> Self {
        MachineState {
            phase: Phase::Running,
            host: 0,
            last_host: 0,
            epoch: 0,
            phase_since: 0.0,
            up_since: 0.0,
            protected: 0.0,
            moved_at: 0.0,
            stopped: 0.0,
            wiped: false,
        }
    }
}

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
    comp_streams: Vec<Stream>,
    crew_streams: Vec<Stream>,
    role_streams: Vec<Stream>,
    /// Per signal: level (DOWN, AT_RISK, SAFE).
    level: Vec<u8>,
    initial_level: Vec<u8>,
    /// Per gate: inputs up, inputs safe.
    up_count: Vec<u32>,
    safe_count: Vec<u32>,
    initial_up_count: Vec<u32>,
    initial_safe_count: Vec<u32>,
    /// Per signal: index of its monitor or NONE.
    monitor_of: Vec<u32>,
    /// Per signal: whether anything (a monitor or a machine) must hear about its changes.
    noticed: Vec<bool>,
    monitors: Vec<Monitor>,
    /// Per signal: role machines to tell when it changes (CSR).
    watch_start: Vec<u32>,
    watchers: Vec<u32>,
    pending: VecDeque<u32>,
    queued: Vec<bool>,
    clients: ClientEval,
    /// Request kinds whose instances changed during the current event.
    dirty: Vec<u32>,
    dirty_flag: Vec<bool>,
    stack: Vec<(SignalId, u8, u8)>,
    /// Whether the event being handled is a maintenance action (outages it starts are planned).
    planned_now: bool,
    // Components.
    down_since: Vec<Hours>,
    down_comps: Vec<u32>,
    down_pos: Vec<u32>,
    in_maintenance: Vec<bool>,
    // Crews.
    crew_free: Vec<u32>,
    crew_queue: Vec<Vec<(u32, u64)>>,
    arrivals: u64,
    repair_started: Vec<Hours>,
    crew_stats: Vec<CrewStats>,
    // Maintenance.
    roll_cursor: Vec<u32>,
    roll_active: Vec<bool>,
    // Machines (indexed by role).
    machines: Vec<MachineState>,
    machine_stats: Vec<MachineStats>,
    /// `support[s * components + c]`: component `c` can affect service `s`.
    support: Vec<bool>,
    /// Per service and component: hours the service was down while the component was down.
    overlap: Vec<Hours>,
    years: usize,
    year_len: Hours,
    /// Per monitor and year slot: downtime in that slot, hours.
    year_down: Vec<Hours>,
    events: u64,
    /// Replication being simulated.
    rep: u64,
    /// Per component: the clock behind its pending random event ([`Clock`]) and when it started, so
    /// that a copied mission can redraw it ([`Engine::diverge`]).
    clock: Vec<(Clock, Hours)>,
    /// Per role: generation, start and distribution of its pending timer.
    timer_clock: Vec<(u32, Hours, Option<&'m Dist>)>,
    /// Per role: generation and start of its pending software failure.
    crash_clock: Vec<(u32, Hours)>,
    recorder: R,
}

/// Which random duration a component is waiting for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Clock {
    /// Up: its failure.
    Fail,
    /// In its crew's queue: nothing yet.
    Waiting,
    /// A technician is on the way.
    Dispatch,
    /// Being repaired.
    Repair,
}

/// Copies every field a [`Snapshot`] shares with the [`Engine`] by name, from `$from` into `$to`: one
/// list for [`Engine::save`] and [`Engine::restore`], so a new field cannot be saved but not restored.
macro_rules! snapshot_fields {
    ($to:ident, $from:ident) => {
        snapshot_fields!(@copy $to, $from; seq, arrivals, events, rep);
        snapshot_fields!(@clone $to, $from; comp_streams, crew_streams, role_streams, level, up_count,
            safe_count, monitors, down_since, down_comps, down_pos, in_maintenance, crew_free,
            crew_queue, repair_started, crew_stats, roll_cursor, roll_active, machines, machine_stats,
            overlap, year_down, clock, timer_clock, crash_clock);
    };
    (@copy $to:ident, $from:ident; $($f:ident),*) => { $( $to.$f = $from.$f; )* };
    (@clone $to:ident, $from:ident; $($f:ident),*) => { $( $to.$f.clone_from(&$from.$f); )* };
}

/// The changing state of an [`Engine`] between two events, saved to copy a mission (importance
/// splitting) and put back later. Reuses its buffers: saving into an old snapshot allocates nothing.
#[derive(Debug, Clone, Default)]
pub struct Snapshot<'m> {
    queue: Vec<Event>,
    seq: u64,
    comp_streams: Vec<Stream>,
    crew_streams: Vec<Stream>,
    role_streams: Vec<Stream>,
    level: Vec<u8>,
    up_count: Vec<u32>,
    safe_count: Vec<u32>,
    monitors: Vec<Monitor>,
    down_since: Vec<Hours>,
    down_comps: Vec<u32>,
    down_pos: Vec<u32>,
    in_maintenance: Vec<bool>,
    crew_free: Vec<u32>,
    crew_queue: Vec<Vec<(u32, u64)>>,
    arrivals: u64,
    repair_started: Vec<Hours>,
    crew_stats: Vec<CrewStats>,
    roll_cursor: Vec<u32>,
    roll_active: Vec<bool>,
    machines: Vec<MachineState>,
    machine_stats: Vec<MachineStats>,
    overlap: Vec<Hours>,
    year_down: Vec<Hours>,
    events: u64,
    rep: u64,
    clock: Vec<(Clock, Hours)>,
    timer_clock: Vec<(u32, Hours, Option<&'m Dist>)>,
    crash_clock: Vec<(u32, Hours)>,
}

impl<'m> Engine<'m> {
    /// Prepares an engine for `model`; allocates everything the replications will need.
    pub fn new(model: &'m Model) -> Self {
        Self::with_recorder(model, NoTrace)
    }
}

impl<'m, R: Recorder> Engine<'m, R> {
    /// An engine that reports every change of state to `recorder` (see [`crate::engine::trace::trace`]).
    pub fn with_recorder(model: &'m Model, recorder: R) -> Self {
        let g = &model.graph;
        let signals = g.signals();
        let measured = model.measured();
        let mut monitor_of = vec![NONE; signals];
        for (i, (_, _, sig)) in measured.iter().enumerate() {
            monitor_of[*sig as usize] = i as u32;
        }
        let comps = model.components.len();
        let mut support = vec![false; model.services.len() * comps];
        for (s, svc) in model.services.iter().enumerate() {
            for &c in &svc.support {
                support[s * comps + c] = true;
            }
        }
        // Who watches what: a machine watches its replicas' hosts, its witness and its reinstall source.
        let mut watch: Vec<Vec<u32>> = vec![Vec::new(); signals];
        for (r, role) in model.roles.iter().enumerate() {
            if let Some(m) = &role.machine {
                let mut sigs: Vec<SignalId> = m
                    .replicas
                    .iter()
                    .map(|x| model.components[x.node].effective)
                    .collect();
                sigs.extend(m.witness.map(|w| model.components[w].effective));
                if let Recovery::Reinstall { from: Some(j), .. } = m.recovery {
                    sigs.push(model.roles[j].gate);
                }
                // A restored or reinstalled role also hears its node's own failures (hardware signal =
                // component index): one destroys its state even while the node is already down for
                // another reason (maintenance, a domain or site outage).
                if !matches!(m.recovery, Recovery::Repair) {
                    sigs.extend(m.replicas.iter().map(|x| x.node as SignalId));
                }
                sigs.sort_unstable();
                sigs.dedup();
                for s in sigs {
                    watch[s as usize].push(r as u32);
                }
            }
        }
        for (q, kind) in model.requests.iter().enumerate() {
            let mut sigs = kind.instances.clone();
            sigs.sort_unstable();
            sigs.dedup();
            for s in sigs {
                watch[s as usize].push(CLIENT | q as u32);
            }
        }
        let mut watch_start = Vec::with_capacity(signals + 1);
        let mut watchers = Vec::new();
        for w in &watch {
            watch_start.push(watchers.len() as u32);
            watchers.extend_from_slice(w);
        }
        watch_start.push(watchers.len() as u32);

        let mission = model.simulation.mission;
        let (years, year_len) = if mission >= HOURS_PER_YEAR {
            ((mission / HOURS_PER_YEAR) as usize, HOURS_PER_YEAR)
        } else {
            (1, mission)
        };
        let (initial_level, initial_up_count, initial_safe_count) = initial_levels(model);
        let noticed = (0..signals)
            .map(|s| monitor_of[s] != NONE || watch_start[s] != watch_start[s + 1])
            .collect();
        Engine {
            model,
            mission,
            noticed,
            seed: model.simulation.seed,
            queue: EventQueue::with_capacity(2 * comps + 16),
            seq: 0,
            comp_streams: model
                .components
                .iter()
                .map(|c| stream(0, 0, c.stream_key))
                .collect(),
            crew_streams: model
                .crews
                .iter()
                .map(|c| stream(0, 0, c.stream_key))
                .collect(),
            role_streams: model
                .roles
                .iter()
                .map(|r| stream(0, 0, r.machine.as_ref().map_or(0, |m| m.stream_key)))
                .collect(),
            level: initial_level.clone(),
            initial_level,
            up_count: initial_up_count.clone(),
            safe_count: initial_safe_count.clone(),
            initial_up_count,
            initial_safe_count,
            monitor_of,
            monitors: vec![Monitor::default(); measured.len()],
            watch_start,
            watchers,
            pending: VecDeque::with_capacity(model.roles.len()),
            queued: vec![false; model.roles.len()],
            clients: ClientEval::new(model),
            dirty: Vec::with_capacity(model.requests.len()),
            dirty_flag: vec![false; model.requests.len()],
            stack: Vec::with_capacity(signals),
            planned_now: false,
            down_since: vec![0.0; comps],
            down_comps: Vec::with_capacity(comps),
            down_pos: vec![NONE; comps],
            in_maintenance: vec![false; comps],
            crew_free: model.crews.iter().map(|c| c.technicians).collect(),
            crew_queue: model.crews.iter().map(|_| Vec::new()).collect(),
            arrivals: 0,
            repair_started: vec![0.0; comps],
            crew_stats: vec![CrewStats::default(); model.crews.len()],
            roll_cursor: vec![0; model.maintenance.len()],
            roll_active: vec![false; model.maintenance.len()],
            machines: vec![MachineState::start(); model.roles.len()],
            machine_stats: vec![MachineStats::default(); model.roles.len()],
            support,
            overlap: vec![0.0; model.services.len() * comps],
            years,
            year_len,
            year_down: vec![0.0; measured.len() * years],
            events: 0,
            rep: 0,
            clock: vec![(Clock::Fail, 0.0); comps],
            timer_clock: vec![(NONE, 0.0, None); model.roles.len()],
            crash_clock: vec![(NONE, 0.0); model.roles.len()],
            recorder,
        }
    }

    /// The recorder.
    pub fn recorder(&self) -> &R {
        &self.recorder
    }

    /// Gives the recorder back.
    pub fn into_recorder(self) -> R {
        self.recorder
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

    /// Hours service `s` was down while component `c` was down, this replication.
    pub fn overlap(&self, s: usize, c: usize) -> Hours {
        self.overlap[s * self.model.components.len() + c]
    }

    /// Per role: its machine's figures this replication (zeros for roles without a machine).
    pub fn machine_stats(&self) -> &[MachineStats] {
        &self.machine_stats
    }

    /// Per crew: its figures this replication.
    pub fn crew_stats(&self) -> &[CrewStats] {
        &self.crew_stats
    }

    /// The node currently holding role `r`'s data or service (the principal of a mirror, the primary of an
    /// availability group, the active cluster node) and the time it last changed. `None` for roles
    /// without a machine.
    pub fn holder(&self, r: usize) -> Option<(usize, Hours)> {
        let m = self.model.roles[r].machine.as_ref()?;
        let st = &self.machines[r];
        Some((m.replicas[st.last_host as usize].node, st.moved_at))
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
                seq_kind: (self.seq << 8) | kind as u64,
                target,
                aux,
            });
        }
    }

    fn reset(&mut self, rep: u64) {
        let model = self.model;
        self.rep = rep;
        self.clock.fill((Clock::Fail, 0.0));
        self.timer_clock.fill((NONE, 0.0, None));
        self.crash_clock.fill((NONE, 0.0));
        self.queue.clear();
        self.seq = 0;
        self.events = 0;
        for (s, c) in self.comp_streams.iter_mut().zip(&model.components) {
            *s = stream(self.seed, rep, c.stream_key);
        }
        for (s, c) in self.crew_streams.iter_mut().zip(&model.crews) {
            *s = stream(self.seed, rep, c.stream_key);
        }
        for (s, r) in self.role_streams.iter_mut().zip(&model.roles) {
            if let Some(m) = &r.machine {
                *s = stream(self.seed, rep, m.stream_key);
            }
        }
        self.level.copy_from_slice(&self.initial_level);
        self.up_count.copy_from_slice(&self.initial_up_count);
        self.safe_count.copy_from_slice(&self.initial_safe_count);
        self.monitors.fill(Monitor::default());
        for s in 0..self.monitor_of.len() {
            let m = self.monitor_of[s];
            if m != NONE {
                self.monitors[m as usize].level = self.level[s];
            }
        }
        self.pending.clear();
        self.queued.fill(false);
        self.dirty.clear();
        self.dirty_flag.fill(false);
        self.planned_now = false;
        self.down_comps.clear();
        self.down_pos.fill(NONE);
        self.in_maintenance.fill(false);
        for (free, c) in self.crew_free.iter_mut().zip(&model.crews) {
            *free = c.technicians;
        }
        for q in &mut self.crew_queue {
            q.clear();
        }
        self.arrivals = 0;
        self.crew_stats.fill(CrewStats::default());
        self.roll_cursor.fill(0);
        self.roll_active.fill(false);
        self.machines.fill(MachineState::start());
        self.machine_stats.fill(MachineStats::default());
        self.overlap.fill(0.0);
        self.year_down.fill(0.0);
        // Last: the instances' state at time 0 needs the signals and machines reset above.
        for q in 0..model.requests.len() {
            let mask = self.instance_mask(q);
            self.clients.reset_kind(model, q, self.seed, rep, mask);
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
        for (c, comp) in model.components.iter().enumerate() {
            let t = comp.failure.sample(&mut self.comp_streams[c]);
            self.push(t, Kind::Fail, c as u32, 0);
        }
        for (i, m) in model.maintenance.iter().enumerate() {
            self.push(m.offset, Kind::Window, i as u32, 0);
        }
        for r in 0..model.roles.len() {
            if model.roles[r].machine.is_some() {
                self.schedule_crash(r, 0.0);
            }
        }
    }

    /// Handles the next event and everything it sets off; returns its time, or `None` when nothing is
    /// left before the mission end.
    #[inline]
    pub fn step(&mut self) -> Option<Hours> {
        let model = self.model;
        let ev = self.queue.pop()?;
        let t = f64::from_bits(ev.time);
        self.events += 1;
        let i = ev.target as usize;
        self.planned_now = false;
        match ev.kind() {
            Kind::Fail => self.fail(i, t),
            Kind::RepairDone => self.repair_done(i, t),
            Kind::Dispatched => {
                let d = model.components[i].repair.sample(&mut self.comp_streams[i]);
                self.clock[i] = (Clock::Repair, t);
                self.push(t + d, Kind::RepairDone, ev.target, 0);
            }
            Kind::Window => {
                self.planned_now = true;
                self.window(i, t);
            }
            Kind::WindowEnd => {
                self.planned_now = true;
                self.leave_maintenance(i, t);
            }
            Kind::RollNext => {
                self.planned_now = true;
                let m = &model.maintenance[i];
                let node = m.nodes[self.roll_cursor[i] as usize - 1];
                self.leave_maintenance(node, t);
                self.roll(i, t);
            }
            Kind::RoleTimer => {
                if self.machines[i].epoch == ev.aux {
                    self.timer(i, t);
                }
            }
            Kind::RoleCrash => {
                if self.machines[i].epoch == ev.aux {
                    self.crash(i, t);
                }
            }
        }
        self.settle(t);
        Some(t)
    }

    /// Closes the replication at the mission end: open outages and busy periods end there.
    pub fn end(&mut self) {
        self.finish();
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

    /// Saves the mission's state between two events into `snap`.
    pub fn save(&self, snap: &mut Snapshot<'m>) {
        snap.queue.clone_from(&self.queue.v);
        snapshot_fields!(snap, self);
    }

    /// Puts back a state saved by [`Engine::save`] (of this engine's model).
    pub fn restore(&mut self, snap: &Snapshot<'m>) {
        debug_assert!(self.model.requests.is_empty(), "client state is not saved");
        self.queue.v.clone_from(&snap.queue);
        snapshot_fields!(self, snap);
    }

    /// Makes this mission, at time `t` between two events, an independent copy of itself: every
    /// pending random duration is drawn again from its law given how long it has already run, from
    /// new random streams keyed by `salt`. Scheduled maintenance stays as it is. The copy has the same
    /// law of the future as the original, and differs from it.
    pub fn diverge(&mut self, t: Hours, salt: u64) {
        let model = self.model;
        let seed = mix64(self.seed ^ 0x7370_6c69_745f_7631) ^ mix64(salt);
        for (s, c) in self.comp_streams.iter_mut().zip(&model.components) {
            *s = stream(seed, self.rep, c.stream_key);
        }
        for (s, c) in self.crew_streams.iter_mut().zip(&model.crews) {
            *s = stream(seed, self.rep, c.stream_key);
        }
        for (s, r) in self.role_streams.iter_mut().zip(&model.roles) {
            if let Some(m) = &r.machine {
                *s = stream(seed, self.rep, m.stream_key);
            }
        }
        // A sorted array is a valid heap.
        let mut kept = std::mem::take(&mut self.queue.v);
        kept.retain(|e| matches!(e.kind(), Kind::Window | Kind::WindowEnd | Kind::RollNext));
        kept.sort_unstable_by_key(Event::key);
        self.queue.v = kept;
        for (c, comp) in model.components.iter().enumerate() {
            let (clock, since) = self.clock[c];
            let age = t - since;
            let (kind, d) = match clock {
                Clock::Fail => (Kind::Fail, &comp.failure),
                Clock::Repair => (Kind::RepairDone, &comp.repair),
                Clock::Dispatch => {
                    let k = comp.crew.expect("only crews dispatch");
                    let d = model.crews[k]
                        .dispatch
                        .as_ref()
                        .expect("dispatch has a delay");
                    let r = d.residual(age, &mut self.crew_streams[k]);
                    self.push(t + r, Kind::Dispatched, c as u32, 0);
                    continue;
                }
                Clock::Waiting => continue,
            };
            let r = d.residual(age, &mut self.comp_streams[c]);
            self.push(t + r, kind, c as u32, 0);
        }
        for r in 0..model.roles.len() {
            let epoch = self.machines[r].epoch;
            if let (e, since, Some(d)) = self.timer_clock[r]
                && e == epoch
            {
                let x = d.residual(t - since, &mut self.role_streams[r]);
                self.push(t + x, Kind::RoleTimer, r as u32, epoch);
            }
            let (e, since) = self.crash_clock[r];
            if e == epoch
                && let Some(sw) = &model.roles[r]
                    .machine
                    .as_ref()
                    .and_then(|m| m.software.as_ref())
            {
                let x = sw.failure.residual(t - since, &mut self.role_streams[r]);
                self.push(t + x, Kind::RoleCrash, r as u32, epoch);
            }
        }
    }

    // ----- components and crews -----

    fn fail(&mut self, c: usize, t: Hours) {
        let comp = &self.model.components[c];
        self.down_since[c] = t;
        self.down_pos[c] = self.down_comps.len() as u32;
        self.down_comps.push(c as u32);
        if R::ACTIVE {
            self.recorder.component(c, ComponentEvent::Failed, t);
            if comp.crew.is_none() {
                self.recorder.component(c, ComponentEvent::RepairStarted, t);
            }
        }
        match comp.crew {
            Some(k) => {
                self.clock[c] = (Clock::Waiting, t);
                self.arrivals += 1;
                self.crew_queue[k].push((c as u32, self.arrivals));
                self.assign(k, t);
            }
            None => {
                let d = comp.repair.sample(&mut self.comp_streams[c]);
                self.clock[c] = (Clock::Repair, t);
                self.push(t + d, Kind::RepairDone, c as u32, 0);
            }
        }
        self.set_level(c as SignalId, DOWN, t);
    }

    /// Gives free technicians of crew `k` to waiting components, in the crew's order.
    fn assign(&mut self, k: usize, t: Hours) {
        let crew = &self.model.crews[k];
        while self.crew_free[k] > 0 && !self.crew_queue[k].is_empty() {
            let q = &mut self.crew_queue[k];
            let pick = match crew.policy {
                CrewPolicy::Fifo => 0,
                CrewPolicy::Priority => {
                    let comps = &self.model.components;
                    (0..q.len())
                        .min_by_key(|&i| (comps[q[i].0 as usize].priority, q[i].1))
                        .unwrap_or(0)
                }
            };
            let c = q.remove(pick).0 as usize;
            self.crew_free[k] -= 1;
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
                    self.clock[c] = (Clock::Dispatch, t);
                    self.push(t + d, Kind::Dispatched, c as u32, 0);
                }
                None => {
                    let d = self.model.components[c]
                        .repair
                        .sample(&mut self.comp_streams[c]);
                    self.clock[c] = (Clock::Repair, t);
                    self.push(t + d, Kind::RepairDone, c as u32, 0);
                }
            }
        }
    }

    fn repair_done(&mut self, c: usize, t: Hours) {
        let comp = &self.model.components[c];
        if let Some(k) = comp.crew {
            self.crew_free[k] += 1;
            self.crew_stats[k].busy += t - self.repair_started[c];
        }
        let d = comp.failure.sample(&mut self.comp_streams[c]);
        self.clock[c] = (Clock::Fail, t);
        self.push(t + d, Kind::Fail, c as u32, 0);
        self.credit_overlap(c, t);
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
        if let Some(k) = comp.crew {
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

    // ----- maintenance -----

    fn window(&mut self, i: usize, t: Hours) {
        let m = &self.model.maintenance[i];
        self.push(t + m.every, Kind::Window, i as u32, 0);
        if m.guard == Guard::None {
            for &n in &m.nodes {
                if !self.in_maintenance[n] && self.node_up(n) {
                    self.enter_maintenance(n, t);
                    self.push(t + m.duration, Kind::WindowEnd, n as u32, i as u32);
                }
            }
        } else if !self.roll_active[i] {
            self.roll_active[i] = true;
            self.roll_cursor[i] = 0;
            self.roll(i, t);
        }
    }

    /// Takes the next node of rolling schedule `i` that can be spared, or ends the roll.
    fn roll(&mut self, i: usize, t: Hours) {
        let m = &self.model.maintenance[i];
        while (self.roll_cursor[i] as usize) < m.nodes.len() {
            let n = m.nodes[self.roll_cursor[i] as usize];
            self.roll_cursor[i] += 1;
            if self.can_take(i, n) {
                self.enter_maintenance(n, t);
                self.push(t + m.duration, Kind::RollNext, i as u32, 0);
                return;
            }
        }
        self.roll_active[i] = false;
    }

    fn node_up(&self, n: usize) -> bool {
        self.level[self.model.components[n].effective as usize] != DOWN
    }

    /// Whether rolling schedule `i` may take node `n` now without making what it guards unavailable.
    fn can_take(&self, i: usize, n: usize) -> bool {
        if self.in_maintenance[n] || !self.node_up(n) {
            return false;
        }
        let model = self.model;
        let m = &model.maintenance[i];
        match m.guard {
            Guard::None => true,
            Guard::KeepOneUp => m.nodes.iter().any(|&x| x != n && self.node_up(x)),
            Guard::Role(r) => {
                let role = &model.roles[r];
                match (&role.machine, &role.kind) {
                    (Some(mach), _) => {
                        let st = &self.machines[r];
                        let holds = st.host != NONE
                            && st.phase != Phase::NoHost
                            && mach.replicas[st.host as usize].node == n;
                        !holds
                            || mach
                                .replicas
                                .iter()
                                .any(|x| x.node != n && self.node_up(x.node))
                    }
                    (None, RoleKind::Pool { nodes, min_up }) => {
                        let up = nodes.iter().filter(|&&x| self.node_up(x)).count() as u32;
                        up > *min_up
                    }
                    (None, _) => false,
                }
            }
        }
    }

    fn enter_maintenance(&mut self, n: usize, t: Hours) {
        self.in_maintenance[n] = true;
        if R::ACTIVE {
            self.recorder
                .component(n, ComponentEvent::MaintenanceStart, t);
        }
        if let Some(s) = self.model.components[n].maintenance {
            self.set_level(s, DOWN, t);
        }
    }

    fn leave_maintenance(&mut self, n: usize, t: Hours) {
        let was = std::mem::replace(&mut self.in_maintenance[n], false);
        if R::ACTIVE && was {
            self.recorder
                .component(n, ComponentEvent::MaintenanceEnd, t);
        }
        if was && let Some(s) = self.model.components[n].maintenance {
            self.set_level(s, SAFE, t);
        }
    }

    // ----- role machines -----

    fn machine(&self, r: usize) -> &'m Machine {
        self.model.roles[r]
            .machine
            .as_ref()
            .expect("only roles with a machine get machine events")
    }

    fn replica_up(&self, m: &Machine, i: usize) -> bool {
        self.node_up(m.replicas[i].node)
    }

    fn witness_ok(&self, m: &Machine, i: usize) -> bool {
        !m.replicas[i].needs_witness || m.witness.is_some_and(|w| self.node_up(w))
    }

    /// Moves machine `r` into `phase` on `host`, accounting the time spent in the old phase.
    fn enter(&mut self, r: usize, phase: Phase, host: u32, t: Hours) {
        let st = &mut self.machines[r];
        if let Some(c) = st.phase.cause() {
            self.machine_stats[r].down_by_cause[c as usize] += t - st.phase_since;
        }
        let was_running = st.phase == Phase::Running;
        if was_running {
            self.note_backups(r, t);
            self.machines[r].stopped = t;
        }
        let st = &mut self.machines[r];
        st.phase = phase;
        st.host = host;
        st.phase_since = t;
        st.epoch = st.epoch.wrapping_add(1);
        if phase == Phase::Running {
            st.up_since = t;
            self.schedule_crash(r, t);
        }
        self.update_output(r, t);
    }

    /// Backups completed while the role ran protect its changes up to the last of them.
    fn note_backups(&mut self, r: usize, t: Hours) {
        if let Recovery::Restore { every, offset, .. } = self.machine(r).recovery {
            let st = &mut self.machines[r];
            if t >= offset {
                let g = offset + ((t - offset) / every).floor() * every;
                if g >= st.up_since {
                    st.protected = st.protected.max(g);
                }
            }
        }
    }

    fn schedule_crash(&mut self, r: usize, t: Hours) {
        if let Some(sw) = &self.machine(r).software {
            let d = sw.failure.sample(&mut self.role_streams[r]);
            let epoch = self.machines[r].epoch;
            self.crash_clock[r] = (epoch, t);
            self.push(t + d, Kind::RoleCrash, r as u32, epoch);
        }
    }

    fn set_timer(&mut self, r: usize, d: &'m Dist, t: Hours) {
        let x = d.sample(&mut self.role_streams[r]);
        let epoch = self.machines[r].epoch;
        self.timer_clock[r] = (epoch, t, Some(d));
        self.push(t + x, Kind::RoleTimer, r as u32, epoch);
    }

    /// Sets the machine's output signal from its state: up while running, safe when another replica
    /// could take over.
    fn update_output(&mut self, r: usize, t: Hours) {
        let m = self.machine(r);
        let st = self.machines[r];
        let level = if st.phase != Phase::Running {
            DOWN
        } else if (0..m.replicas.len()).any(|i| i != st.host as usize && self.replica_up(m, i)) {
            SAFE
        } else {
            AT_RISK
        };
        self.set_level(m.output, level, t);
    }

    /// Chooses where to go after losing `lost` (a host that failed or could not restart).
    fn fail_over(&mut self, r: usize, lost: u32, t: Hours, draw_coverage: bool) {
        let m = self.machine(r);
        let n = m.replicas.len();
        let auto = (0..n).find(|&i| {
            i != lost as usize
                && m.replicas[i].automatic
                && self.replica_up(m, i)
                && self.witness_ok(m, i)
        });
        if let Some(target) = auto {
            let covered = !draw_coverage
                || self.planned_now
                || m.coverage >= 1.0
                || unit_f64(&mut self.role_streams[r]) < m.coverage;
            if covered {
                self.switch_to(r, target as u32, t);
            } else {
                self.machine_stats[r].failed_failovers += 1;
                self.manual(r, Phase::ManualRecovery, t);
            }
        } else if (0..n).any(|i| i != lost as usize && self.replica_up(m, i)) {
            self.manual(r, Phase::ManualFailover, t);
        } else if self.replica_up(m, lost as usize) {
            // The host is up but the role cannot run there (failed restart) and nowhere else.
            self.manual(r, Phase::ManualRecovery, t);
        } else {
            self.enter(r, Phase::NoHost, NONE, t);
        }
    }

    fn switch_to(&mut self, r: usize, target: u32, t: Hours) {
        let m = self.machine(r);
        self.enter(r, Phase::Switching, target, t);
        match &m.failover {
            Some(d) => self.set_timer(r, d, t),
            None => self.start(r, target, t),
        }
    }

    fn manual(&mut self, r: usize, phase: Phase, t: Hours) {
        let m = self.machine(r);
        self.enter(r, phase, NONE, t);
        let d = match phase {
            Phase::ManualFailover => m.manual_failover.as_ref().or(m.manual_recovery.as_ref()),
            _ => m.manual_recovery.as_ref().or(m.manual_failover.as_ref()),
        };
        match d.or(m.failover.as_ref()) {
            Some(d) => self.set_timer(r, d, t),
            None => self.after_manual(r, t),
        }
    }

    /// The best replica to start on after an operator intervenes. A cluster (shared storage) starts on
    /// its most preferred up node; replicated data starts on the replica holding the latest data if it is
    /// up, else on the first up replica that loses nothing, else on the first up one.
    fn best_replica(&self, r: usize) -> Option<u32> {
        let m = self.machine(r);
        let n = m.replicas.len();
        if matches!(self.model.roles[r].kind, RoleKind::Cluster { .. }) {
            return (0..n).find(|&i| self.replica_up(m, i)).map(|i| i as u32);
        }
        let last = self.machines[r].last_host as usize;
        if self.replica_up(m, last) {
            return Some(last as u32);
        }
        (0..n)
            .find(|&i| m.replicas[i].lag.is_none() && self.replica_up(m, i))
            .or_else(|| (0..n).find(|&i| self.replica_up(m, i)))
            .map(|i| i as u32)
    }

    fn after_manual(&mut self, r: usize, t: Hours) {
        match self.best_replica(r) {
            Some(h) => self.start(r, h, t),
            None => self.enter(r, Phase::NoHost, NONE, t),
        }
    }

    /// The role starts serving on replica `h`: counts the move and any data it loses.
    fn start(&mut self, r: usize, h: u32, t: Hours) {
        let m = self.machine(r);
        let st = &mut self.machines[r];
        if h != st.last_host {
            st.last_host = h;
            st.moved_at = t;
            self.machine_stats[r].failovers += 1;
            if R::ACTIVE {
                self.recorder.moved(r, m.replicas[h as usize].node, t);
            }
            if let Some(lag) = &m.replicas[h as usize].lag {
                let lost = lag.sample(&mut self.role_streams[r]);
                self.lose(r, lost);
            }
        }
        self.enter(r, Phase::Running, h, t);
    }

    fn lose(&mut self, r: usize, hours: Hours) {
        let s = &mut self.machine_stats[r];
        s.data_lost += hours;
        s.loss_incidents += 1;
        s.worst_loss = s.worst_loss.max(hours);
    }

    /// The host of a running (or restarting) role went down. (A restored role's data is lost only if
    /// the node itself failed: [`Engine::wipe`], before this.)
    fn host_lost(&mut self, r: usize, t: Hours) {
        let host = self.machines[r].host;
        self.fail_over(r, host, t, true);
    }

    /// The node holding restored or reinstalled role `r`'s state failed, or the role is to start on
    /// another node: the state is gone. A restored role loses its changes since the last backup up to
    /// when it stopped running (it changed nothing after that).
    fn wipe(&mut self, r: usize, t: Hours) {
        let until = if self.machines[r].phase == Phase::Running {
            self.note_backups(r, t);
            t
        } else {
            self.machines[r].stopped
        };
        if let Recovery::Restore { .. } = self.machine(r).recovery {
            let protected = self.machines[r].protected;
            self.lose(r, until - protected);
        }
        self.machines[r].wiped = true;
    }

    /// The role's host is back after none was up: restart it there the way its recovery says.
    fn host_back(&mut self, r: usize, h: u32, t: Hours) {
        let m = self.machine(r);
        if !matches!(m.recovery, Recovery::Repair) && !self.machines[r].wiped {
            if h == self.machines[r].last_host {
                // Its node was only unavailable (maintenance, a domain or site outage) and kept the
                // state: the role restarts there as if repaired.
                self.switch_to(r, h, t);
                return;
            }
            // Starting on another node than the one holding its state means rebuilding it. (Restored and
            // reinstalled roles are standalone, with one node, so this does not happen today.)
            self.wipe(r, t);
        }
        match &m.recovery {
            Recovery::Repair => self.switch_to(r, h, t),
            Recovery::Restore { restore, .. } => {
                self.enter(r, Phase::Recovering, h, t);
                self.set_timer(r, restore, t);
            }
            Recovery::Reinstall { time, from } => {
                if from.is_some_and(|j| self.level[self.model.roles[j].gate as usize] == DOWN) {
                    self.enter(r, Phase::WaitSource, h, t);
                } else {
                    self.enter(r, Phase::Recovering, h, t);
                    self.set_timer(r, time, t);
                }
            }
        }
    }

    /// Re-examines machine `r` after something it watches changed.
    fn reconsider(&mut self, r: usize, t: Hours) {
        let m = self.machine(r);
        let st = self.machines[r];
        if !matches!(m.recovery, Recovery::Repair)
            && !st.wiped
            && self.level[m.replicas[st.last_host as usize].node] == DOWN
        {
            self.wipe(r, t);
        }
        let host_up = st.host != NONE && self.replica_up(m, st.host as usize);
        match st.phase {
            Phase::Running => {
                if !host_up {
                    self.host_lost(r, t);
                } else if m.failback
                    && let Some(better) = (0..st.host as usize)
                        .find(|&i| self.replica_up(m, i) && self.witness_ok(m, i))
                {
                    self.switch_to(r, better as u32, t);
                } else {
                    self.update_output(r, t);
                }
            }
            Phase::Restarting => {
                if !host_up {
                    self.host_lost(r, t);
                }
            }
            Phase::Switching => {
                if !host_up {
                    self.fail_over(r, st.host, t, false);
                }
            }
            Phase::NoHost => {
                let first = (0..m.replicas.len()).find(|&i| self.replica_up(m, i));
                if let Some(h) = first {
                    self.host_back(r, h as u32, t);
                }
            }
            Phase::Recovering => {
                if !host_up {
                    self.enter(r, Phase::NoHost, NONE, t);
                }
            }
            Phase::WaitSource => {
                if !host_up {
                    self.enter(r, Phase::NoHost, NONE, t);
                } else {
                    self.host_back(r, st.host, t);
                }
            }
            Phase::ManualRecovery | Phase::ManualFailover => {
                // A restored or reinstalled role keeps its state on its node: the node's own failure
                // while an operator works on the software destroys it (wiped above), and the role needs
                // a restore or reinstall once the node is back. Its node merely taken (maintenance, a
                // domain) leaves the operator to finish, as for any role.
                if self.machines[r].wiped {
                    self.enter(r, Phase::NoHost, NONE, t);
                }
            }
        }
    }

    fn timer(&mut self, r: usize, t: Hours) {
        let st = self.machines[r];
        match st.phase {
            Phase::Switching | Phase::Recovering => {
                let m = self.machine(r);
                if st.phase == Phase::Recovering {
                    if let Recovery::Restore { .. } = m.recovery {
                        self.machines[r].protected = t;
                    }
                    self.machines[r].wiped = false;
                }
                self.start(r, st.host, t);
            }
            Phase::Restarting => {
                let m = self.machine(r);
                let p = m.software.as_ref().map_or(1.0, |s| s.restart_success);
                if p >= 1.0 || unit_f64(&mut self.role_streams[r]) < p {
                    self.enter(r, Phase::Running, st.host, t);
                } else {
                    self.fail_over(r, st.host, t, true);
                }
            }
            Phase::ManualRecovery | Phase::ManualFailover => self.after_manual(r, t),
            Phase::Running | Phase::NoHost | Phase::WaitSource => {}
        }
    }

    fn crash(&mut self, r: usize, t: Hours) {
        let m = self.machine(r);
        let Some(sw) = &m.software else { return };
        let host = self.machines[r].host;
        self.machine_stats[r].restarts += 1;
        self.enter(r, Phase::Restarting, host, t);
        self.set_timer(r, &sw.restart, t);
    }

    /// Lets every machine whose inputs changed react, until nothing changes any more.
    fn settle(&mut self, t: Hours) {
        while let Some(r) = self.pending.pop_front() {
            self.queued[r as usize] = false;
            self.reconsider(r as usize, t);
        }
        // Machines are settled, so the instances' state at `t` is final.
        while let Some(q) = self.dirty.pop() {
            let q = q as usize;
            self.dirty_flag[q] = false;
            let mask = self.instance_mask(q);
            self.clients.observe(self.model, q, t, mask);
        }
    }

    /// Which instances of request kind `q` can serve now (bit i = instance i).
    fn instance_mask(&self, q: usize) -> u64 {
        let kind = &self.model.requests[q];
        if kind.per_replica {
            // A mirror's partners: only the one the role runs on serves.
            let st = &self.machines[kind.target];
            let up = self.level[kind.instances[0] as usize] != DOWN;
            let partners = match kind.reconnect {
                // A fresh connection that reaches the partner that is not principal is redirected at
                // once (the failover-partner attribute): both partners serve while the mirror does.
                Reconnect::OnFailure if up => 0b11,
                Reconnect::FreshConnectionOnly { .. }
                    if up && st.phase == Phase::Running && st.host != NONE =>
                {
                    1u64 << st.host
                }
                _ => 0,
            };
            return kind.instances[kind.primary..]
                .iter()
                .enumerate()
                .fold(partners, |m, (i, &s)| {
                    m | (((self.level[s as usize] != DOWN) as u64) << (kind.primary + i))
                });
        }
        self.model.requests[q]
            .instances
            .iter()
            .enumerate()
            .fold(0u64, |m, (i, &s)| {
                m | (((self.level[s as usize] != DOWN) as u64) << i)
            })
    }

    /// Per request kind: its figures this replication.
    pub fn request_stats(&self) -> impl Iterator<Item = &RequestStats> {
        self.clients.stats()
    }

    // ----- signals -----

    /// Sets a primitive signal's level and propagates the change through the gates above it.
    fn set_level(&mut self, s: SignalId, new: u8, t: Hours) {
        let old = self.level[s as usize];
        if old == new {
            return;
        }
        self.level[s as usize] = new;
        self.changed(s, new, t);
        self.stack.push((s, old, new));
        let g = &self.model.graph;
        // One primitive change moves every gate in the same direction (gates are monotone in the
        // levels), so counts can be updated by ±1 as changes arrive.
        while let Some((x, o, n)) = self.stack.pop() {
            let dup = (n != DOWN) as i32 - (o != DOWN) as i32;
            let dsafe = (n == SAFE) as i32 - (o == SAFE) as i32;
            for &p in g.parents_of(x) {
                let gi = p as usize - g.primitives;
                self.up_count[gi] = (self.up_count[gi] as i32 + dup) as u32;
                self.safe_count[gi] = (self.safe_count[gi] as i32 + dsafe) as u32;
                let nl = gate_level(self.up_count[gi], self.safe_count[gi], g.need[gi]);
                let ol = self.level[p as usize];
                if nl != ol {
                    self.level[p as usize] = nl;
                    if self.noticed[p as usize] {
                        self.changed(p, nl, t);
                    }
                    self.stack.push((p, ol, nl));
                }
            }
        }
    }

    #[inline]
    fn changed(&mut self, s: SignalId, level: u8, t: Hours) {
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
        let m = self.monitor_of[s as usize];
        if m != NONE {
            self.monitor_level(m as usize, level, t);
        }
    }

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
        let mon = &mut self.monitors[m];
        if level == DOWN {
            mon.outages += 1;
            mon.outage_planned = self.planned_now;
        }
        mon.level = level;
        mon.since = t;
    }

    fn end_outage(&mut self, m: usize, t: Hours) {
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
    fn finish(&mut self) {
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
            if let Some(k) = self.model.components[c].crew
                && !self.crew_queue[k].iter().any(|&(x, _)| x as usize == c)
            {
                self.crew_stats[k].busy += t - self.repair_started[c];
            }
        }
    }
}

/// The public name of a signal level.
#[inline]
fn level_of(level: u8) -> Level {
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
fn initial_levels(model: &Model) -> (Vec<u8>, Vec<u32>, Vec<u32>) {
    let g = &model.graph;
    let n = g.signals();
    let mut level: Vec<Option<u8>> = vec![None; n];
    level[..g.components].fill(Some(AT_RISK));
    level[g.components..g.primitives].fill(Some(SAFE));
    for role in &model.roles {
        if let Some(m) = &role.machine {
            level[m.output as usize] = Some(if m.replicas.len() > 1 { SAFE } else { AT_RISK });
        }
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
    let mut up = vec![0u32; g.need.len()];
    let mut safe = vec![0u32; g.need.len()];
    for (gi, ins) in g.inputs.iter().enumerate() {
        for &i in ins {
            up[gi] += (level[i as usize] != DOWN) as u32;
            safe[gi] += (level[i as usize] == SAFE) as u32;
        }
    }
    (level, up, safe)
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

/// Deterministic checks of the HA mechanisms with fixed durations: every number is worked out by hand
/// in the comment above it.
#[cfg(test)]
mod mechanism_tests {
    use super::*;
    use crate::scenario::compile;

    fn run_once(text: &str) -> (Model, Vec<Monitor>, Vec<MachineStats>, Vec<CrewStats>) {
        let m = compile(text, "test.toml").unwrap_or_else(|e| panic!("{e}"));
        let (mons, stats, crews) = {
            let mut e = Engine::new(&m);
            e.run(0);
            (
                e.monitors().to_vec(),
                e.machine_stats().to_vec(),
                e.crew_stats().to_vec(),
            )
        };
        (m, mons, stats, crews)
    }

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-9
    }

    const NEVER: &str = r#"failure = { dist = "fixed", value = "100000h" }
repair = { dist = "fixed", value = "1h" }"#;

    fn cluster(extra: &str, a_fail: f64, a_repair: f64, b_fail: f64, b_repair: f64) -> String {
        format!(
            r#"
            [simulation]
            mission = "200h"
            [nodes.a]
            failure = {{ dist = "fixed", value = "{a_fail}h" }}
            repair = {{ dist = "fixed", value = "{a_repair}h" }}
            [nodes.b]
            failure = {{ dist = "fixed", value = "{b_fail}h" }}
            repair = {{ dist = "fixed", value = "{b_repair}h" }}
            [roles.r]
            kind = "cluster"
            on = ["a", "b"]
            failover = {{ dist = "fixed", value = "1h" }}
            {extra}
            "#
        )
    }

    #[test]
    fn cluster_fails_over_and_stays() {
        // a fails at 100: failover to b, down [100, 101]. a is back at 150; no failback.
        let (_, mons, st, _) = run_once(&cluster("", 100.0, 50.0, 1e5, 1.0));
        assert!(close(mons[0].downtime, 1.0), "{}", mons[0].downtime);
        assert_eq!(mons[0].outages, 1);
        assert_eq!(st[0].failovers, 1);
        assert!(close(st[0].down_by_cause[Cause::Failover as usize], 1.0));
        // At risk while a is down after the failover: [101, 150].
        assert!(close(mons[0].at_risk, 49.0), "{}", mons[0].at_risk);
    }

    #[test]
    fn cluster_fails_back_when_configured() {
        // As above, then a is back at 150 and the role moves back: down [150, 151] too.
        let (_, mons, st, _) = run_once(&cluster("failback = true", 100.0, 50.0, 1e5, 1.0));
        assert!(close(mons[0].downtime, 2.0));
        assert_eq!(st[0].failovers, 2);
    }

    #[test]
    fn failed_failover_waits_for_the_operator() {
        // Coverage 0: the failover at 100 fails; an operator brings it up on b after 5 h.
        let extra = r#"coverage = 0.0
            manual_recovery = { dist = "fixed", value = "5h" }"#;
        let (_, mons, st, _) = run_once(&cluster(extra, 100.0, 50.0, 1e5, 1.0));
        assert!(close(mons[0].downtime, 5.0));
        assert_eq!(st[0].failed_failovers, 1);
        assert_eq!(st[0].failovers, 1);
        assert!(close(st[0].down_by_cause[Cause::Manual as usize], 5.0));
    }

    #[test]
    fn failover_target_failing_leaves_the_role_waiting() {
        // Failover takes 10 h. a fails at 100 (back at 150); b, the target, fails at 105 (back at 125):
        // switching [100,105], no host [105,125], starting on b [125,135].
        let extra = r#"failover = { dist = "fixed", value = "10h" }"#;
        let text = cluster("", 100.0, 50.0, 105.0, 20.0)
            .replace(r#"failover = { dist = "fixed", value = "1h" }"#, extra);
        let (_, mons, st, _) = run_once(&text);
        assert!(close(mons[0].downtime, 35.0), "{}", mons[0].downtime);
        assert!(close(st[0].down_by_cause[Cause::Failover as usize], 15.0));
        assert!(close(st[0].down_by_cause[Cause::NoHost as usize], 20.0));
        assert_eq!(st[0].failovers, 1);
    }

    #[test]
    fn software_failures_restart_in_place() {
        // Crash after 50 h of running, restart 1 h: down [50,51], [101,102], [152,153].
        let extra = r#"software = { failure = { dist = "fixed", value = "50h" }, restart = { dist = "fixed", value = "1h" } }"#;
        let (_, mons, st, _) = run_once(&cluster(extra, 1e5, 1.0, 1e5, 1.0));
        assert!(close(mons[0].downtime, 3.0));
        assert_eq!(st[0].restarts, 3);
        assert_eq!(st[0].failovers, 0);
    }

    #[test]
    fn failed_restart_fails_over() {
        // restart_success 0: the crash at 50 restarts [50,51], fails, then fails over to b [51,52].
        let extra = r#"software = { failure = { dist = "fixed", value = "500h" }, restart = { dist = "fixed", value = "1h" }, restart_success = 0.0 }
            manual_recovery = { dist = "fixed", value = "3h" }"#;
        let text = cluster(extra, 1e5, 1.0, 1e5, 1.0).replace("\"500h\"", "\"50h\"");
        let (_, mons, st, _) = run_once(&text);
        // Then on b it crashes again at 102, restart fails at 103, fails over to a [103,104]; again at 154..156.
        assert_eq!(st[0].restarts, 3);
        assert_eq!(st[0].failovers, 3);
        assert!(close(mons[0].downtime, 6.0), "{}", mons[0].downtime);
    }

    #[test]
    fn restore_loses_changes_since_last_backup() {
        // Backups every 24 h from 0. The node fails at 100 (last backup 96: 4 h lost), is repaired at
        // 110 and the role restored by 115 (a backup). The node fails again 100 h after its repair, at
        // 210: last backup 192, 18 h lost.
        let text = r#"
            [simulation]
            mission = "300h"
            [nodes.a]
            failure = { dist = "fixed", value = "100h" }
            repair = { dist = "fixed", value = "10h" }
            [roles.r]
            kind = "standalone"
            on = "a"
            recovery = { kind = "restore", backup_every = "24h", restore = { dist = "fixed", value = "5h" } }
            "#;
        let (_, mons, st, _) = run_once(text);
        assert!(close(st[0].data_lost, 22.0), "{}", st[0].data_lost);
        assert_eq!(st[0].loss_incidents, 2);
        assert!(close(st[0].worst_loss, 18.0));
        // Down [100,115] and [210,225].
        assert!(close(mons[0].downtime, 30.0));
        assert!(close(st[0].down_by_cause[Cause::Recovery as usize], 10.0));
        assert!(close(st[0].down_by_cause[Cause::NoHost as usize], 20.0));
    }

    #[test]
    fn one_technician_repairs_one_at_a_time() {
        // Both nodes fail at 100; one technician: a repaired [100,110], b waits, repaired [110,120].
        let text = r#"
            [simulation]
            mission = "150h"
            [crews.ops]
            technicians = 1
            [defaults]
            failure = { dist = "fixed", value = "100h" }
            repair = { dist = "fixed", value = "10h" }
            [nodes.a]
            crew = "ops"
            [nodes.b]
            crew = "ops"
            [roles.p]
            kind = "pool"
            on = ["a", "b"]
            "#;
        let (_, mons, _, crews) = run_once(text);
        assert!(close(mons[0].downtime, 10.0));
        assert!(close(crews[0].waited, 10.0));
        assert!(close(crews[0].busy, 20.0));
        assert_eq!(crews[0].assigned, 2);
        // At risk while one node is up: [110,120] only (a failed again at 210 > mission).
        assert!(close(mons[0].at_risk, 10.0), "{}", mons[0].at_risk);
    }

    #[test]
    fn domain_takes_its_nodes_down() {
        // The rack fails at 50 for 5 h: both nodes of the pool are down then.
        let text = format!(
            r#"
            [simulation]
            mission = "100h"
            [domains.rack]
            failure = {{ dist = "fixed", value = "50h" }}
            repair = {{ dist = "fixed", value = "5h" }}
            [nodes.a]
            {NEVER}
            in = ["rack"]
            [nodes.b]
            {NEVER}
            in = "rack"
            [roles.p]
            kind = "pool"
            on = ["a", "b"]
            [services.s]
            all_of = ["p"]
            "#
        );
        let (_, mons, _, _) = run_once(&text);
        assert!(close(mons[0].downtime, 5.0));
        assert_eq!(mons[0].outages, 1);
    }

    #[test]
    fn maintenance_windows_are_planned_downtime() {
        // Windows at 20, 120, 220 for 10 h on a standalone node: 30 h planned.
        let text = format!(
            r#"
            [simulation]
            mission = "300h"
            [nodes.a]
            {NEVER}
            [roles.r]
            kind = "standalone"
            on = "a"
            [maintenance.patch]
            every = "100h"
            duration = "10h"
            offset = "20h"
            nodes = ["a"]
            "#
        );
        let (_, mons, _, _) = run_once(&text);
        assert!(close(mons[0].downtime, 30.0));
        assert!(close(mons[0].planned, 30.0));
        assert_eq!(mons[0].outages, 3);
    }

    #[test]
    fn rolling_maintenance_drains_the_active_node() {
        // At 20, a (active) is drained: planned failover to b [20,21]. At 30 a is back and b is drained:
        // failover to a [30,31]. Pool-style roles would see nothing; the cluster pays two failovers.
        let text = format!(
            r#"
            [simulation]
            mission = "100h"
            [nodes.a]
            {NEVER}
            [nodes.b]
            {NEVER}
            [roles.r]
            kind = "cluster"
            on = ["a", "b"]
            failover = {{ dist = "fixed", value = "1h" }}
            coverage = 0.0
            manual_recovery = {{ dist = "fixed", value = "7h" }}
            [maintenance.patch]
            every = "100h"
            duration = "10h"
            offset = "20h"
            role = "r"
            rolling = true
            "#
        );
        let (_, mons, st, _) = run_once(&text);
        // Planned drains are always covered, even with coverage 0.
        assert!(close(mons[0].downtime, 2.0), "{}", mons[0].downtime);
        assert!(close(mons[0].planned, 2.0));
        assert_eq!(st[0].failovers, 2);
        assert_eq!(st[0].failed_failovers, 0);
    }

    #[test]
    fn rolling_maintenance_never_takes_the_last_instance() {
        // b is down [15, 45] and [60, 90]: at 20 taking a would leave no instance, so a is skipped; b is
        // down, skipped. The pool is at risk whenever b is down.
        let text = format!(
            r#"
            [simulation]
            mission = "100h"
            [nodes.a]
            {NEVER}
            [nodes.b]
            failure = {{ dist = "fixed", value = "15h" }}
            repair = {{ dist = "fixed", value = "30h" }}
            [roles.p]
            kind = "pool"
            on = ["a", "b"]
            [maintenance.patch]
            every = "100h"
            duration = "10h"
            offset = "20h"
            role = "p"
            rolling = true
            "#
        );
        let (_, mons, _, _) = run_once(&text);
        assert!(close(mons[0].downtime, 0.0));
        assert!(close(mons[0].at_risk, 60.0));
    }

    #[test]
    fn mirroring_without_witness_needs_an_operator() {
        // The principal fails at 100; no witness: manual failover after 2 h, to the mirror.
        let text = format!(
            r#"
            [simulation]
            mission = "200h"
            [nodes.a]
            failure = {{ dist = "fixed", value = "100h" }}
            repair = {{ dist = "fixed", value = "50h" }}
            [nodes.b]
            {NEVER}
            [roles.db]
            kind = "mirroring"
            principal = "a"
            mirror = "b"
            failover = {{ dist = "fixed", value = "0.1h" }}
            manual_failover = {{ dist = "fixed", value = "2h" }}
            "#
        );
        let (m, mons, st, _) = run_once(&text);
        assert!(close(mons[0].downtime, 2.0));
        assert_eq!(st[0].failovers, 1);
        let mut e = Engine::new(&m);
        e.run(0);
        let b = m.components.iter().position(|c| c.name == "b").unwrap();
        assert_eq!(e.holder(0), Some((b, 102.0)));
    }

    #[test]
    fn mirroring_with_witness_fails_over_automatically() {
        let text = format!(
            r#"
            [simulation]
            mission = "200h"
            [nodes.a]
            failure = {{ dist = "fixed", value = "100h" }}
            repair = {{ dist = "fixed", value = "50h" }}
            [nodes.b]
            {NEVER}
            [nodes.w]
            {NEVER}
            [roles.db]
            kind = "mirroring"
            principal = "a"
            mirror = "b"
            witness = "w"
            failover = {{ dist = "fixed", value = "0.1h" }}
            manual_failover = {{ dist = "fixed", value = "2h" }}
            "#
        );
        let (_, mons, _, _) = run_once(&text);
        assert!(close(mons[0].downtime, 0.1));
    }

    #[test]
    fn asynchronous_secondary_loses_its_lag() {
        let text = format!(
            r#"
            [simulation]
            mission = "200h"
            [nodes.a]
            failure = {{ dist = "fixed", value = "100h" }}
            repair = {{ dist = "fixed", value = "50h" }}
            [nodes.b]
            {NEVER}
            [roles.db]
            kind = "availability_group"
            primary = "a"
            secondaries = [{{ on = "b", commit = "asynchronous", lag = {{ dist = "fixed", value = "0.5h" }} }}]
            failover = {{ dist = "fixed", value = "0.1h" }}
            manual_failover = {{ dist = "fixed", value = "1h" }}
            "#
        );
        let (_, mons, st, _) = run_once(&text);
        assert!(close(mons[0].downtime, 1.0));
        assert!(close(st[0].data_lost, 0.5));
        assert_eq!(st[0].loss_incidents, 1);
    }

    #[test]
    fn reinstall_waits_for_its_source() {
        // The child's node fails at 60 and is back at 65, but the parent it is reinstalled from is down
        // [50, 80]: the reinstall starts at 80 and takes 10 h. Child down [60, 90].
        let text = r#"
            [simulation]
            mission = "100h"
            [nodes.p]
            failure = { dist = "fixed", value = "50h" }
            repair = { dist = "fixed", value = "30h" }
            [nodes.s]
            failure = { dist = "fixed", value = "60h" }
            repair = { dist = "fixed", value = "5h" }
            [roles.parent]
            kind = "standalone"
            on = "p"
            [roles.child]
            kind = "standalone"
            on = "s"
            recovery = { kind = "reinstall", time = { dist = "fixed", value = "10h" }, from = "parent" }
            "#;
        let (_, mons, st, _) = run_once(text);
        assert!(close(mons[1].downtime, 30.0), "{}", mons[1].downtime);
        assert!(close(st[1].down_by_cause[Cause::NoHost as usize], 5.0));
        assert!(close(st[1].down_by_cause[Cause::Recovery as usize], 25.0));
        assert_eq!(st[1].loss_incidents, 0);
    }

    #[test]
    fn node_lost_during_manual_recovery_of_a_restored_role_loses_data() {
        // Software fails at 30; the restart fails, an operator takes 20 h. The node fails at 40 during
        // that, destroying the state: the changes since the last backup, up to when the role stopped,
        // 30 − 24 = 6 h, are lost (nothing changed while it was down); node back at 45, restored by 47.
        let text = r#"
            [simulation]
            mission = "60h"
            [nodes.a]
            failure = { dist = "fixed", value = "40h" }
            repair = { dist = "fixed", value = "5h" }
            [roles.r]
            kind = "standalone"
            on = "a"
            software = { failure = { dist = "fixed", value = "30h" }, restart = { dist = "fixed", value = "1h" }, restart_success = 0.0 }
            manual_recovery = { dist = "fixed", value = "20h" }
            recovery = { kind = "restore", backup_every = "24h", restore = { dist = "fixed", value = "2h" } }
            "#;
        let (_, mons, st, _) = run_once(text);
        assert!(close(st[0].data_lost, 6.0), "{}", st[0].data_lost);
        assert_eq!(st[0].loss_incidents, 1);
        // Down [30, 47]: restart 1, operator 9, no host 5, restore 2.
        assert!(close(mons[0].downtime, 17.0), "{}", mons[0].downtime);
        assert!(close(st[0].down_by_cause[Cause::Manual as usize], 9.0));
        assert!(close(st[0].down_by_cause[Cause::Recovery as usize], 2.0));
    }

    #[test]
    fn maintenance_keeps_a_restored_roles_data() {
        // A monthly 30-minute patch window at 310, 1030 and 1750 h; the node never fails. Patching takes
        // the node but not its disk: the role is down 3 × 0.5 h waiting for its host, then restarts
        // there. No restore, nothing lost.
        let text = format!(
            r#"
            [simulation]
            mission = "2000h"
            [nodes.a]
            {NEVER}
            [roles.r]
            kind = "standalone"
            on = "a"
            recovery = {{ kind = "restore", backup_every = "24h", backup_offset = "2h", restore = {{ dist = "fixed", value = "6h" }} }}
            [maintenance.patch]
            nodes = ["a"]
            every = "720h"
            duration = "30min"
            offset = "310h"
            [services.s]
            all_of = ["r"]
            "#
        );
        let (_, mons, st, _) = run_once(&text);
        assert_eq!(st[0].loss_incidents, 0);
        assert_eq!(st[0].data_lost, 0.0);
        assert_eq!(st[0].down_by_cause[Cause::Recovery as usize], 0.0);
        assert!(close(st[0].down_by_cause[Cause::NoHost as usize], 1.5));
        assert_eq!(st[0].failovers, 0);
        for mon in &mons {
            assert_eq!(mon.outages, 3);
            assert!(close(mon.downtime, 1.5), "{}", mon.downtime);
            assert!(close(mon.planned, 1.5), "{}", mon.planned);
        }
    }

    /// A rack (fails 50 h after it is up, back 5 h later) holding the nodes of a restored and of a
    /// reinstalled role; the nodes themselves fail at `node_fail`, repaired in 5 h.
    fn racked(node_fail: f64, rack_repair: f64) -> String {
        format!(
            r#"
            [simulation]
            mission = "100h"
            [domains.rack]
            failure = {{ dist = "fixed", value = "50h" }}
            repair = {{ dist = "fixed", value = "{rack_repair}h" }}
            [defaults]
            failure = {{ dist = "fixed", value = "{node_fail}h" }}
            repair = {{ dist = "fixed", value = "5h" }}
            [nodes.a]
            in = "rack"
            [nodes.b]
            in = "rack"
            [roles.db]
            kind = "standalone"
            on = "a"
            recovery = {{ kind = "restore", backup_every = "24h", restore = {{ dist = "fixed", value = "5h" }} }}
            [roles.app]
            kind = "standalone"
            on = "b"
            recovery = {{ kind = "reinstall", time = {{ dist = "fixed", value = "8h" }} }}
            "#
        )
    }

    #[test]
    fn domain_outage_keeps_a_restored_roles_data() {
        // The rack is down [50, 55] (next failure at 105, after the end); the nodes never fail. Both
        // roles wait for their host and restart on it: down 5 h each, no restore, no reinstall, nothing
        // lost.
        let (_, mons, st, _) = run_once(&racked(1e5, 5.0));
        for r in 0..2 {
            assert!(close(mons[r].downtime, 5.0), "{}", mons[r].downtime);
            assert_eq!(mons[r].outages, 1);
            assert!(close(st[r].down_by_cause[Cause::NoHost as usize], 5.0));
            assert_eq!(st[r].down_by_cause[Cause::Recovery as usize], 0.0);
            assert_eq!(st[r].loss_incidents, 0);
            assert_eq!(st[r].data_lost, 0.0);
        }
    }

    #[test]
    fn node_failing_during_a_domain_outage_loses_a_restored_roles_data() {
        // The rack is down [50, 70]; the nodes fail at 60, inside it, and are repaired by 65. Their own
        // failure destroys the state: db loses its changes since the backup at 48 up to when it stopped
        // at 50 — 2 h, not the 12 h to the node's failure — and is restored when its host is back at
        // 70, by 75; app is reinstalled by 78. (Next failures: rack 120, nodes 125, after the end.)
        let (_, mons, st, _) = run_once(&racked(60.0, 20.0));
        assert!(close(st[0].data_lost, 2.0), "{}", st[0].data_lost);
        assert_eq!(st[0].loss_incidents, 1);
        assert!(close(st[0].worst_loss, 2.0));
        assert!(close(mons[0].downtime, 25.0), "{}", mons[0].downtime);
        assert!(close(st[0].down_by_cause[Cause::NoHost as usize], 20.0));
        assert!(close(st[0].down_by_cause[Cause::Recovery as usize], 5.0));
        assert!(close(mons[1].downtime, 28.0), "{}", mons[1].downtime);
        assert!(close(st[1].down_by_cause[Cause::Recovery as usize], 8.0));
        assert_eq!(st[1].loss_incidents, 0, "a reinstall keeps nothing to lose");
    }

    #[test]
    fn domain_outage_during_manual_recovery_keeps_a_restored_roles_data() {
        // As `node_lost_during_manual_recovery_of_a_restored_role_loses_data`, but the node stays up and
        // its rack is down [40, 45] while the operator works (until 51): the operator finishes, the role
        // starts on its node at 51 with its state. Down [30, 51], nothing lost, no restore.
        let text = r#"
            [simulation]
            mission = "60h"
            [domains.rack]
            failure = { dist = "fixed", value = "40h" }
            repair = { dist = "fixed", value = "5h" }
            [nodes.a]
            in = "rack"
            failure = { dist = "fixed", value = "100000h" }
            repair = { dist = "fixed", value = "5h" }
            [roles.r]
            kind = "standalone"
            on = "a"
            software = { failure = { dist = "fixed", value = "30h" }, restart = { dist = "fixed", value = "1h" }, restart_success = 0.0 }
            manual_recovery = { dist = "fixed", value = "20h" }
            recovery = { kind = "restore", backup_every = "24h", restore = { dist = "fixed", value = "2h" } }
            "#;
        let (_, mons, st, _) = run_once(text);
        assert_eq!(st[0].loss_incidents, 0);
        assert_eq!(st[0].data_lost, 0.0);
        assert!(close(mons[0].downtime, 21.0), "{}", mons[0].downtime);
        assert!(close(st[0].down_by_cause[Cause::Manual as usize], 20.0));
        assert_eq!(st[0].down_by_cause[Cause::Recovery as usize], 0.0);
    }

    #[test]
    fn clients_integrate_over_the_outage() {
        // One client requesting once an hour on average, one attempt: 200 requests expected in 200 h, of
        // which the 10 arriving during the outage [100, 110] fail.
        let text = r#"
            [simulation]
            mission = "200h"
            [nodes.a]
            failure = { dist = "fixed", value = "100h" }
            repair = { dist = "fixed", value = "10h" }
            [roles.r]
            kind = "standalone"
            on = "a"
            [clients.c]
            count = 1
            [clients.c.requests.q]
            target = "r"
            every = "1h"
            timeout = "1s"
            response = { dist = "fixed", value = "1s" }
            max_attempts = 1
            "#;
        let m = compile(text, "test.toml").unwrap_or_else(|e| panic!("{e}"));
        let mut e = Engine::new(&m);
        e.run(0);
        let st = e.request_stats().next().unwrap().clone();
        assert!(close(st.all.succeeded[0], 190.0), "{:?}", st);
        assert!(close(st.all.failed, 10.0));
        assert!(close(st.failing_time, 10.0));
        assert!(close(st.by_state[0].total(), 190.0));
        assert!(close(st.by_state[2].failed, 10.0));
        assert!(close(st.by_state[1].total(), 0.0));
    }

    #[test]
    fn client_retries_span_the_end_of_an_outage() {
        // Attempts at 0, 1 h and 2 h after arrival (timeout 1 h, no backoff, one instance): arrivals in
        // the last 2 h of the outage [100, 110] succeed at a later attempt; only [100, 108) fail.
        let text = r#"
            [simulation]
            mission = "200h"
            [nodes.a]
            failure = { dist = "fixed", value = "100h" }
            repair = { dist = "fixed", value = "10h" }
            [roles.r]
            kind = "standalone"
            on = "a"
            [clients.c]
            count = 1
            [clients.c.requests.q]
            target = "r"
            every = "1h"
            timeout = "1h"
            response = { dist = "fixed", value = "1s" }
            max_attempts = 3
            "#;
        let m = compile(text, "test.toml").unwrap_or_else(|e| panic!("{e}"));
        let mut e = Engine::new(&m);
        e.run(0);
        let st = e.request_stats().next().unwrap().clone();
        // The straddle [108, 110) is sampled by stratified probes: each stratum's probe lands in a known
        // half, so the split between attempts 2 and 3 is exact up to which strata fall where.
        assert!(close(st.all.failed, 8.0), "{st:?}");
        assert!(
            close(st.all.succeeded[1] + st.all.succeeded[2], 2.0),
            "{st:?}"
        );
        assert!(close(st.all.succeeded[0], 190.0));
        assert!(close(st.failing_time, 8.0));
    }

    #[test]
    fn sticky_clients_pay_one_timeout_then_stay() {
        // Half the clients start on each of a and b. a is down [100, 110]: its clients fail over to b at
        // their next request (rate 1/h), paying one timeout: 0.5 (1 − e^{−10}) requests succeed at the
        // second attempt. Afterwards nobody moves back, and nothing fails.
        let text = r#"
            [simulation]
            mission = "200h"
            [nodes.a]
            failure = { dist = "fixed", value = "100h" }
            repair = { dist = "fixed", value = "10h" }
            [nodes.b]
            failure = { dist = "fixed", value = "100000h" }
            repair = { dist = "fixed", value = "1h" }
            [roles.r]
            kind = "pool"
            on = ["a", "b"]
            [clients.c]
            count = 1
            [clients.c.requests.q]
            target = "r"
            every = "1h"
            selection = "sticky"
            timeout = "1s"
            response = { dist = "fixed", value = "1s" }
            max_attempts = 2
            "#;
        let m = compile(text, "test.toml").unwrap_or_else(|e| panic!("{e}"));
        let mut e = Engine::new(&m);
        e.run(0);
        let st = e.request_stats().next().unwrap().clone();
        let moved = 0.5 * (1.0 - (-10.0f64).exp());
        // Arrivals within one horizon (1 s) of a change are probes; the stuck share there is 0.5 e^{−10}
        // at most near the repair, so they move the figure by less than 1e-8.
        assert!((st.all.succeeded[1] - moved).abs() < 1e-7, "{st:?}");
        assert!(st.all.failed.abs() < 1e-12);
        assert!((st.all.succeeded[0] + st.all.succeeded[1] - 200.0).abs() < 1e-9);
    }

    #[test]
    fn failed_requests_turn_to_the_fallback() {
        // The management point is down [100, 110]; the fallback status point never fails. With one
        // attempt each, the 10 requests of the outage succeed at the fallback's attempt (the second).
        let text = r#"
            [simulation]
            mission = "200h"
            [nodes.a]
            failure = { dist = "fixed", value = "100h" }
            repair = { dist = "fixed", value = "10h" }
            [nodes.f]
            failure = { dist = "fixed", value = "100000h" }
            repair = { dist = "fixed", value = "1h" }
            [roles.mp]
            kind = "standalone"
            on = "a"
            [roles.fsp]
            kind = "standalone"
            on = "f"
            [clients.c]
            count = 1
            [clients.c.requests.status]
            target = "mp"
            fallback = "fsp"
            every = "1h"
            timeout = "1s"
            response = { dist = "fixed", value = "1s" }
            max_attempts = 1
            "#;
        let m = compile(text, "test.toml").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            (m.requests[0].primary, m.requests[0].instances.len()),
            (1, 2)
        );
        let mut e = Engine::new(&m);
        e.run(0);
        let st = e.request_stats().next().unwrap().clone();
        // Arrivals within 1 s before the repair are probes: their fallback attempt starts after it, but
        // the fallback succeeds either way, so the split is exact.
        assert!(close(st.all.succeeded[1], 10.0), "{st:?}");
        assert!(close(st.all.succeeded[0], 190.0), "{st:?}");
        assert!(close(st.all.failed, 0.0));
    }

    #[test]
    fn cross_site_requirement_needs_the_link() {
        // The WAN link fails at 30 for 4 h: the branch role that requires the hub role is down then.
        let text = format!(
            r#"
            [simulation]
            mission = "50h"
            [sites.hub]
            [sites.branch]
            parent = "hub"
            link = {{ failure = {{ dist = "fixed", value = "30h" }}, repair = {{ dist = "fixed", value = "4h" }} }}
            [nodes.h]
            {NEVER}
            site = "hub"
            [nodes.b]
            {NEVER}
            site = "branch"
            [roles.central]
            kind = "standalone"
            on = "h"
            [roles.local]
            kind = "standalone"
            on = "b"
            requires = ["central"]
            "#
        );
        let (_, mons, _, _) = run_once(&text);
        // Monitors: roles only (no services): central, local.
        assert!(close(mons[0].downtime, 0.0));
        assert!(close(mons[1].downtime, 4.0));
    }
}
