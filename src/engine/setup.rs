//! Building an engine for a model (streams, watch lists, initial levels, buffers) and putting it back
//! to time 0 before each replication.

use std::collections::VecDeque;

use crate::base::rng::stream;
use crate::base::units::HOURS_PER_YEAR;
use crate::engine::clients::{Balancers, ClientEval};
use crate::engine::components::{Clock, Comp, CrewStats, hot_laws};
use crate::engine::hosts::VmState;
use crate::engine::latent::{InspCrew, JobState, LatentStats};
use crate::engine::machines::{Life, MachineState, MachineStats, QuorumState};
use crate::engine::queue::EventQueue;
use crate::engine::signals::{CLIENT, Monitor, initial_levels, wire_gates, wiring};
use crate::engine::stocks::StockStats;
use crate::engine::trace::{NoTrace, Recorder};
use crate::engine::{Engine, NONE};
use crate::model::{Model, Recovery, SignalId};

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
        // The inverse: per component and per role, the services it can affect (attribution closes
        // only their stretches when it changes).
        let mut comp_services: Vec<Vec<u32>> = vec![Vec::new(); comps];
        for (s, svc) in model.services.iter().enumerate() {
            for &c in &svc.support {
                comp_services[c].push(s as u32);
            }
        }
        let role_support: Vec<Vec<u32>> = model
            .services
            .iter()
            .map(|svc| {
                let seen = g.reach(&[svc.gate]);
                (0..model.roles.len() as u32)
                    .filter(|&r| {
                        // Role machines, and pools with standby (their switch-overs are causes too).
                        let role = &model.roles[r as usize];
                        match (&role.machine, &role.standby) {
                            (Some(m), _) => seen[m.output as usize],
                            (None, Some(_)) => seen[role.own as usize],
                            (None, None) => false,
                        }
                    })
                    .collect()
            })
            .collect();
        let attr_len = super::attribution::attribution_len(model);
        let hiding = model.hiding_nodes();
        let unseen_cat = if hiding.is_empty() {
            Vec::new()
        } else {
            let first = attr_len - 2 - hiding.len();
            let mut cat = vec![NONE; comps];
            for (i, &c) in hiding.iter().enumerate() {
                cat[c] = (first + i) as u32;
            }
            cat
        };
        // Who watches what: a machine watches where its replicas can run, its witness and its reinstall
        // source.
        let mut watch: Vec<Vec<u32>> = vec![Vec::new(); signals];
        for (r, role) in model.roles.iter().enumerate() {
            if let Some(m) = &role.machine {
                let mut sigs: Vec<SignalId> = m.replicas.iter().map(|x| x.up).collect();
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
        // A cluster with dynamic quorum watches its voters and its quorum, one with static quorum its
        // quorum alone (for its figures); it is numbered after the roles in the machines' queue.
        for (q, c) in model.quorums.iter().enumerate() {
            if c.adjustment.is_some() {
                let mut sigs: Vec<SignalId> = c
                    .voters
                    .iter()
                    .map(|&v| model.components[v].effective)
                    .collect();
                sigs.push(c.signal);
                sigs.sort_unstable();
                sigs.dedup();
                for s in sigs {
                    watch[s as usize].push((model.roles.len() + q) as u32);
                }
            } else {
                watch[c.signal as usize].push((model.roles.len() + q) as u32);
            }
        }
        // A host group watches where its VMs can run; numbered after the clusters.
        for (h, grp) in model.host_groups.iter().enumerate() {
            let mut sigs = grp.host_up.clone();
            sigs.sort_unstable();
            sigs.dedup();
            for s in sigs {
                watch[s as usize].push((model.roles.len() + model.quorums.len() + h) as u32);
            }
        }
        // A pool behind a load balancer watches its members; numbered after the host groups.
        let balancers = Balancers::new(model);
        for p in 0..balancers.len() {
            let base = model.roles.len() + model.quorums.len() + model.host_groups.len();
            for s in balancers.watched(p) {
                watch[s as usize].push((base + p) as u32);
            }
        }
        // A pool with standby watches its nodes; numbered after the balanced pools.
        let pools = super::machines::pool_runs(model);
        for role in &model.roles {
            if let Some(sb) = &role.standby {
                let base = model.roles.len() + model.quorums.len() + model.host_groups.len();
                for n in role.kind.nodes() {
                    let s = model.components[n].effective;
                    watch[s as usize].push((base + balancers.len() + sb.index) as u32);
                }
            }
        }
        for (q, kind) in model.requests.iter().enumerate() {
            let mut sigs = kind.instances.clone();
            // A reassigned kind watches the instances its moved clients use too.
            if let Some(r) = &kind.reassign {
                sigs.extend_from_slice(&r.moved().instances);
            }
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
        let (initial_level, mut initial_gates) = initial_levels(model);
        let tolerance = model.tolerances();
        let wiring = wiring(
            model,
            |s| watch_start[s] != watch_start[s + 1],
            |s| monitor_of[s] != NONE,
        );
        wire_gates(&mut initial_gates, &wiring, model);
        let (hot, laws) = hot_laws(model);
        Engine {
            model,
            mission,
            wiring,
            laws,
            seed: model.simulation.seed,
            queue: EventQueue::new(comps, model.roles.len(), 2 * comps + 16),
            seq: 0,
            comps: model
                .components
                .iter()
                .zip(hot)
                .map(|(c, hot)| Comp {
                    stream: stream(0, 0, c.stream_key),
                    hot,
                    clock: (Clock::Fail, 0.0),
                })
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
            gates: initial_gates.clone(),
            initial_gates,
            monitor_of,
            monitors: vec![Monitor::default(); measured.len()],
            watch_start,
            watchers,
            pending: VecDeque::with_capacity(model.roles.len()),
            queued: vec![
                false;
                model.roles.len()
                    + model.quorums.len()
                    + model.host_groups.len()
                    + balancers.len()
                    + pools.len()
            ],
            clients: ClientEval::new(model),
            balancers,
            dirty: Vec::with_capacity(model.requests.len()),
            dirty_flag: vec![false; model.requests.len()],
            stack: Vec::with_capacity(signals),
            planned_now: false,
            planned_by: NONE,
            down_since: vec![0.0; comps],
            down_comps: Vec::with_capacity(comps),
            down_pos: vec![NONE; comps],
            in_maintenance: vec![false; comps],
            maint_of: vec![NONE; comps],
            maint_nodes: Vec::new(),
            maint_pos: vec![0; comps],
            crew_free: model.crews.iter().map(|c| c.technicians).collect(),
            crew_queue: model.crews.iter().map(|_| Vec::new()).collect(),
            arrivals: 0,
            repair_started: vec![0.0; comps],
            crew_stats: vec![CrewStats::default(); model.crews.len()],
            stock_on_hand: model.stocks.iter().map(|s| s.parts).collect(),
            stock_line: model.stocks.iter().map(|_| VecDeque::new()).collect(),
            stock_orders: model.stocks.iter().map(|_| Vec::new()).collect(),
            order_seq: 0,
            stock_streams: model
                .stocks
                .iter()
                .map(|s| stream(0, 0, s.stream_key))
                .collect(),
            stock_stats: vec![StockStats::default(); model.stocks.len()],
            roll_cursor: vec![0; model.maintenance.len()],
            roll_active: vec![false; model.maintenance.len()],
            roll_node: vec![NONE; model.maintenance.len()],
            roll_deferred: vec![NONE; model.maintenance.len()],
            machines: vec![MachineState::start(); model.roles.len()],
            quorums: model.quorums.iter().map(QuorumState::start).collect(),
            quorum_streams: model
                .quorums
                .iter()
                .map(|q| stream(0, 0, q.stream_key))
                .collect(),
            machine_stats: vec![MachineStats::default(); model.roles.len()],
            vms: VmState::start(&model.host_groups),
            vm_base: model
                .host_groups
                .iter()
                .scan(0u32, |b, g| {
                    let here = *b;
                    *b += g.vms.len() as u32;
                    Some(here)
                })
                .collect(),
            host_streams: model
                .host_groups
                .iter()
                .map(|g| stream(0, 0, g.stream_key))
                .collect(),
            support,
            overlap: vec![0.0; model.services.len() * comps],
            role_services: {
                let mut by_role: Vec<Vec<u32>> = vec![Vec::new(); model.roles.len()];
                for (s, roles) in role_support.iter().enumerate() {
                    for &r in roles {
                        by_role[r as usize].push(s as u32);
                    }
                }
                by_role
            },
            comp_services,
            role_dep: {
                let roles = model.roles.len();
                let mut dep = vec![false; model.services.len() * roles];
                for (s, rs) in role_support.iter().enumerate() {
                    for &r in rs {
                        dep[s * roles + r as usize] = true;
                    }
                }
                dep
            },
            odd_roles: Vec::new(),
            odd_pos: vec![0; model.roles.len()],
            attr_len,
            attr: vec![0.0; model.services.len() * attr_len],
            attr_since: vec![0.0; model.services.len()],
            services_down: 0,
            years,
            year_len,
            year_down: vec![0.0; measured.len() * years],
            tolerance: tolerance.clone(),
            year_impact: if tolerance.iter().any(Option::is_some) {
                vec![0.0; measured.len() * years]
            } else {
                Vec::new()
            },
            events: 0,
            rep: 0,
            timer_clock: vec![(NONE, 0.0, None); model.roles.len()],
            crash_clock: vec![(NONE, 0.0); model.roles.len()],
            life: vec![Life::ACTIVE; comps],
            pools,
            latent_stats: vec![LatentStats::default(); comps],
            jobs: if model.roles.iter().any(|r| {
                r.machine
                    .as_ref()
                    .is_some_and(|m| matches!(m.recovery, Recovery::Restore { job: Some(_), .. }))
            }) {
                vec![JobState::START; comps]
            } else {
                Vec::new()
            },
            insp_streams: model
                .inspections
                .iter()
                .map(|i| stream(model.simulation.seed, 0, i.stream_key))
                .collect(),
            witness_calls: model
                .quorums
                .iter()
                .filter(|q| q.witness)
                .filter_map(|q| q.voters.split_last())
                .filter(|(w, _)| model.components[**w].silent)
                .flat_map(|(w, nodes)| nodes.iter().map(move |n| (*n as u32, *w as u32)))
                .collect(),
            insp_crew: if model.inspections.iter().any(|i| i.crew.is_some()) {
                vec![InspCrew::IDLE; model.inspections.len()]
            } else {
                Vec::new()
            },
            any_hidden: model
                .components
                .iter()
                .any(|c| c.silent || c.standby_of.is_some()),
            unseen: if unseen_cat.is_empty() {
                Vec::new()
            } else {
                vec![NONE; comps]
            },
            unseen_cat,
            phase: super::phases::PhaseState::new(model, years),
            operators: super::reassign::operators(model),
            recorder,
        }
    }

    pub(super) fn reset(&mut self, rep: u64) {
        let model = self.model;
        self.rep = rep;
        self.timer_clock.fill((NONE, 0.0, None));
        self.crash_clock.fill((NONE, 0.0));
        self.queue.clear();
        self.seq = 0;
        self.events = 0;
        for (s, c) in self.comps.iter_mut().zip(&model.components) {
            s.stream = stream(self.seed, rep, c.stream_key);
            s.clock = (Clock::Fail, 0.0);
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
        self.gates.copy_from_slice(&self.initial_gates);
        self.phase.reset();
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
        self.maint_of.fill(NONE);
        self.maint_nodes.clear();
        self.attr.fill(0.0);
        self.attr_since.fill(0.0);
        self.services_down = 0;
        for (free, c) in self.crew_free.iter_mut().zip(&model.crews) {
            *free = c.technicians;
        }
        for q in &mut self.crew_queue {
            q.clear();
        }
        self.arrivals = 0;
        self.crew_stats.fill(CrewStats::default());
        if !model.stocks.is_empty() {
            for (i, st) in model.stocks.iter().enumerate() {
                self.stock_on_hand[i] = st.parts;
                self.stock_line[i].clear();
                self.stock_orders[i].clear();
                self.stock_streams[i] = stream(self.seed, rep, st.stream_key);
            }
            self.order_seq = 0;
            self.stock_stats.fill(StockStats::default());
        }
        self.roll_cursor.fill(0);
        self.roll_active.fill(false);
        self.roll_node.fill(NONE);
        self.roll_deferred.fill(NONE);
        self.machines.fill(MachineState::start());
        self.odd_roles.clear();
        self.reset_standby();
        if !self.pools.is_empty() {
            self.reset_pools(rep);
        }
        self.latent_stats.fill(LatentStats::default());
        self.unseen.fill(NONE);
        self.jobs.fill(JobState::START);
        self.insp_crew.fill(InspCrew::IDLE);
        self.reset_operators();
        for (s, i) in self.insp_streams.iter_mut().zip(&model.inspections) {
            *s = stream(self.seed, rep, i.stream_key);
        }
        for ((st, s), q) in self
            .quorums
            .iter_mut()
            .zip(&mut self.quorum_streams)
            .zip(&model.quorums)
        {
            *st = QuorumState::start(q);
            *s = stream(self.seed, rep, q.stream_key);
        }
        self.machine_stats.fill(MachineStats::default());
        if !model.host_groups.is_empty() {
            self.vms = VmState::start(&model.host_groups);
            for (s, g) in self.host_streams.iter_mut().zip(&model.host_groups) {
                *s = stream(self.seed, rep, g.stream_key);
            }
        }
        self.overlap.fill(0.0);
        self.year_down.fill(0.0);
        self.year_impact.fill(0.0);
        self.balancers.reset(model, self.seed, rep);
        // Last: the instances' state at time 0 needs the signals and machines reset above.
        for q in 0..model.requests.len() {
            let mask = self.instance_mask(q);
            self.clients.reset_kind(model, q, self.seed, rep, mask);
            if let Some(r) = &model.requests[q].reassign {
                let moved = self.mask_of(r.moved());
                self.clients
                    .reset_reassigned(model, q, (self.seed, rep), mask, moved);
            }
        }
    }
}
