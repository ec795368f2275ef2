//! Copies of a mission between two events (importance splitting): save and restore its state, and
//! make a copy diverge by drawing every pending random duration again.

use crate::base::dist::Dist;
use crate::base::rng::{Stream, mix64, stream};
use crate::base::units::Hours;
use std::collections::VecDeque;

use crate::engine::Engine;
use crate::engine::components::{Clock, Comp, CrewStats};
use crate::engine::hosts::VmState;
use crate::engine::latent::{InspCrew, JobState, LatentStats};
use crate::engine::machines::{Life, MachineState, MachineStats, PoolRun, QuorumState};
use crate::engine::queue::{EventQueue, Kind};
use crate::engine::signals::{Gate, Monitor};
use crate::engine::stocks::StockStats;
use crate::engine::trace::Recorder;

/// Copies every field a [`Snapshot`] shares with the [`Engine`] by name, from `$from` into `$to`: one
/// list for [`Engine::save`] and [`Engine::restore`], so a new field cannot be saved but not restored.
macro_rules! snapshot_fields {
    ($to:ident, $from:ident) => {
        snapshot_fields!(@copy $to, $from; seq, arrivals, events, rep, services_down, order_seq);
        snapshot_fields!(@clone $to, $from; comps, crew_streams, role_streams, level, gates,
            monitors, down_since, down_comps, down_pos, in_maintenance, maint_of, maint_nodes, maint_pos, odd_roles, odd_pos, attr, attr_since, crew_free,
            crew_queue, repair_started, crew_stats, roll_cursor, roll_active, roll_node, roll_deferred, machines,
            machine_stats, quorums, quorum_streams, vms, host_streams, overlap, year_down, year_impact,
            timer_clock, crash_clock, life, balancers, stock_on_hand, stock_line, stock_orders, stock_streams,
            stock_stats, latent_stats, unseen, jobs, insp_streams, pools, phase, insp_crew);
    };
    (@copy $to:ident, $from:ident; $($f:ident),*) => { $( $to.$f = $from.$f; )* };
    (@clone $to:ident, $from:ident; $($f:ident),*) => { $( $to.$f.clone_from(&$from.$f); )* };
}

/// The changing state of an [`Engine`] between two events, saved to copy a mission (importance
/// splitting) and put back later. Reuses its buffers: saving into an old snapshot allocates nothing.
#[derive(Debug, Clone, Default)]
pub struct Snapshot<'m> {
    queue: EventQueue,
    seq: u64,
    comps: Vec<Comp>,
    crew_streams: Vec<Stream>,
    role_streams: Vec<Stream>,
    level: Vec<u8>,
    gates: Vec<Gate>,
    monitors: Vec<Monitor>,
    down_since: Vec<Hours>,
    down_comps: Vec<u32>,
    down_pos: Vec<u32>,
    in_maintenance: Vec<bool>,
    maint_of: Vec<u32>,
    maint_nodes: Vec<u32>,
    maint_pos: Vec<u32>,
    odd_roles: Vec<u32>,
    odd_pos: Vec<u32>,
    attr: Vec<Hours>,
    attr_since: Vec<Hours>,
    services_down: u32,
    crew_free: Vec<u32>,
    crew_queue: Vec<Vec<(u32, u64)>>,
    arrivals: u64,
    repair_started: Vec<Hours>,
    crew_stats: Vec<CrewStats>,
    roll_cursor: Vec<u32>,
    roll_active: Vec<bool>,
    roll_node: Vec<u32>,
    roll_deferred: Vec<u32>,
    machines: Vec<MachineState>,
    machine_stats: Vec<MachineStats>,
    quorums: Vec<QuorumState>,
    quorum_streams: Vec<Stream>,
    vms: Vec<VmState>,
    host_streams: Vec<Stream>,
    overlap: Vec<Hours>,
    year_down: Vec<Hours>,
    year_impact: Vec<Hours>,
    events: u64,
    rep: u64,
    timer_clock: Vec<(u32, Hours, Option<&'m Dist>)>,
    crash_clock: Vec<(u32, Hours)>,
    life: Vec<Life>,
    balancers: crate::engine::clients::Balancers,
    stock_on_hand: Vec<u32>,
    stock_line: Vec<VecDeque<u32>>,
    stock_orders: Vec<Vec<(u32, Hours)>>,
    order_seq: u32,
    stock_streams: Vec<Stream>,
    stock_stats: Vec<StockStats>,
    latent_stats: Vec<LatentStats>,
    unseen: Vec<u32>,
    jobs: Vec<JobState>,
    insp_streams: Vec<Stream>,
    pools: Vec<PoolRun>,
    phase: crate::engine::phases::PhaseState,
    insp_crew: Vec<InspCrew>,
}

impl<'m, R: Recorder> Engine<'m, R> {
    /// Saves the mission's state between two events into `snap`.
    pub fn save(&self, snap: &mut Snapshot<'m>) {
        snap.queue.copy_from(&self.queue);
        snapshot_fields!(snap, self);
    }

    /// Puts back a state saved by [`Engine::save`] (of this engine's model).
    pub fn restore(&mut self, snap: &Snapshot<'m>) {
        debug_assert!(self.model.requests.is_empty(), "client state is not saved");
        self.queue.copy_from(&snap.queue);
        snapshot_fields!(self, snap);
    }

    /// Makes this mission, at time `t` between two events, an independent copy of itself: every
    /// pending random duration is drawn again from its law given how long it has already run, from
    /// new random streams keyed by `salt`. Scheduled maintenance stays as it is. The copy has the same
    /// law of the future as the original, and differs from it.
    pub fn diverge(&mut self, t: Hours, salt: u64) {
        let model = self.model;
        let seed = mix64(self.seed ^ 0x7370_6c69_745f_7631) ^ mix64(salt);
        for (s, c) in self.comps.iter_mut().zip(&model.components) {
            s.stream = stream(seed, self.rep, c.stream_key);
        }
        for (s, c) in self.crew_streams.iter_mut().zip(&model.crews) {
            *s = stream(seed, self.rep, c.stream_key);
        }
        for (s, r) in self.role_streams.iter_mut().zip(&model.roles) {
            if let Some(m) = &r.machine {
                *s = stream(seed, self.rep, m.stream_key);
            }
        }
        for (s, k) in self.stock_streams.iter_mut().zip(&model.stocks) {
            *s = stream(seed, self.rep, k.stream_key);
        }
        for (s, q) in self.quorum_streams.iter_mut().zip(&model.quorums) {
            *s = stream(seed, self.rep, q.stream_key);
        }
        for (s, g) in self.host_streams.iter_mut().zip(&model.host_groups) {
            *s = stream(seed, self.rep, g.stream_key);
        }
        // Maintenance and inspections keep their calendar.
        self.queue.heap.retain(|k| {
            matches!(
                k,
                Kind::Window | Kind::WindowEnd | Kind::RollNext | Kind::Inspect | Kind::Phase
            )
        });
        self.queue.clear_clocks();
        for (c, comp) in model.components.iter().enumerate() {
            let (clock, since) = self.comps[c].clock;
            let age = t - since;
            let (kind, d) = match clock {
                Clock::Fail if comp.standby_of.is_some() => {
                    self.diverge_standby(c, t);
                    continue;
                }
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
                Clock::Ship => {
                    let k = comp.spare.expect("only spare parts ship");
                    let d = model.stocks[k].ship.as_ref().expect("shipment has a time");
                    let r = d.residual(age, &mut self.stock_streams[k]);
                    self.push(t + r, Kind::Shipped, c as u32, 0);
                    continue;
                }
                Clock::Waiting | Clock::Hidden | Clock::Part => continue,
            };
            let r = d.residual(age, &mut self.comps[c].stream);
            self.push(t + r, kind, c as u32, 0);
        }
        self.diverge_stocks(t);
        if !self.pools.is_empty() {
            self.diverge_pools(t, seed);
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
                self.set_crash(r, t + x);
            }
        }
        for (q, c) in model.quorums.iter().enumerate() {
            let st = self.quorums[q];
            if st.pending
                && let Some(d) = &c.adjustment
            {
                let x = d.residual(t - st.since, &mut self.quorum_streams[q]);
                self.push(t + x, Kind::QuorumTimer, q as u32, st.epoch);
            }
        }
        for (g, grp) in model.host_groups.iter().enumerate() {
            for v in 0..grp.vms.len() {
                let i = self.vm_base[g] as usize + v;
                let st = self.vms[i];
                if st.booting {
                    let d = match &grp.migration_pause {
                        Some(p) if st.pause => p,
                        _ => &grp.boot,
                    };
                    let x = d.residual(t - st.since, &mut self.host_streams[g]);
                    self.push(t + x, Kind::VmBoot, i as u32, st.epoch);
                }
            }
        }
    }
}
