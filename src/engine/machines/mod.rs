//! Role machines: the life cycle of a clustered, replicated or restored role on its hosts ([`Phase`]),
//! and how it reacts when something it watches changes. The mechanisms are in the files below.

mod cluster;
mod quorum;
mod replicas;
mod restore;
mod software;
mod standby;
mod standby_pool;

pub(super) use quorum::QuorumState;
pub use quorum::QuorumStats;
pub(super) use standby::Life;
pub(super) use standby_pool::{PoolRun, pool_runs};

use crate::base::dist::{Dist, unit_f64};
use crate::base::units::Hours;
use crate::engine::queue::Kind;
use crate::engine::signals::{AT_RISK, DOWN, SAFE};
use crate::engine::trace::Recorder;
use crate::engine::{Engine, NONE};
use crate::model::{Machine, Recovery};

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
    /// No host because its cluster has no quorum (with every node down too: the cluster has no
    /// quorum then either).
    NoQuorum = 5,
}

/// Number of [`Cause`]s.
pub const CAUSES: usize = 6;

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

/// Where a role machine is in its life cycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Phase {
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
    /// No replica host is up because its cluster has no quorum (kept apart for the downtime by cause).
    NoQuorum,
    /// Restoring or reinstalling on `host`.
    Recovering,
    /// Waiting for the role a reinstall copies from.
    WaitSource,
}

impl Phase {
    #[inline]
    pub(super) fn cause(self) -> Option<Cause> {
        match self {
            Phase::Running => None,
            Phase::Switching => Some(Cause::Failover),
            Phase::Restarting => Some(Cause::Restart),
            Phase::ManualRecovery | Phase::ManualFailover => Some(Cause::Manual),
            Phase::NoHost => Some(Cause::NoHost),
            Phase::NoQuorum => Some(Cause::NoQuorum),
            Phase::Recovering | Phase::WaitSource => Some(Cause::Recovery),
        }
    }
}

/// The state of one role machine in the current replication.
#[derive(Debug, Clone, Copy)]
pub(super) struct MachineState {
    pub(super) phase: Phase,
    /// Replica index it runs on, moves to or restarts on (`NONE` when it has none).
    pub(super) host: u32,
    /// Replica that last held the role's data.
    pub(super) last_host: u32,
    /// Timers of older phases carry older generations and are ignored.
    pub(super) epoch: u32,
    pub(super) phase_since: Hours,
    /// Start of the current running period (backups happen only while running).
    pub(super) up_since: Hours,
    /// Changes up to this time are in a backup.
    pub(super) protected: Hours,
    /// Time the role last moved to a different host (for clients of a mirrored database).
    pub(super) moved_at: Hours,
    /// When the role last stopped running: its changes up to then are on `last_host`'s node.
    pub(super) stopped: Hours,
    /// A restored or reinstalled role's state is gone: the node holding it failed (its own failure, not
    /// a maintenance, domain or site outage) since the role last ran, so it needs a restore or a
    /// reinstall before it runs again.
    pub(super) wiped: bool,
    /// Replica a planned drain took the role from, to return to when it is back (failback after
    /// maintenance; `NONE` otherwise).
    pub(super) home: u32,
    /// The maintenance schedule whose drain started the current switch (`NONE` otherwise).
    pub(super) planned_by: u32,
}

impl MachineState {
    pub(super) const fn start() -> Self {
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
            home: NONE,
            planned_by: NONE,
        }
    }
}

impl<'m, R: Recorder> Engine<'m, R> {
    /// Per role: its machine's figures this replication (zeros for roles without a machine).
    pub fn machine_stats(&self) -> &[MachineStats] {
        &self.machine_stats
    }

    /// The node currently holding role `r`'s data or service (the principal of a mirror, the primary of an
    /// availability group, the active cluster node) and the time it last changed. `None` for roles
    /// without a machine.
    pub fn holder(&self, r: usize) -> Option<(usize, Hours)> {
        let m = self.model.roles[r].machine.as_ref()?;
        let st = &self.machines[r];
        Some((m.replicas[st.last_host as usize].node, st.moved_at))
    }

    /// Role `r`'s machine.
    #[inline]
    fn machine(&self, r: usize) -> &'m Machine {
        self.model.roles[r]
            .machine
            .as_ref()
            .expect("only roles with a machine get machine events")
    }

    #[inline]
    fn replica_up(&self, m: &Machine, i: usize) -> bool {
        // The node's effective signal, or the node with its cluster's quorum.
        self.level[m.replicas[i].up as usize] != DOWN
    }

    /// Moves machine `r` into `phase` on `host`, accounting the time spent in the old phase. No host
    /// while its cluster has no quorum is "no quorum".
    fn enter(&mut self, r: usize, mut phase: Phase, host: u32, t: Hours) {
        // The machine is looked up once: every role machine event passes here.
        let m = self.machine(r);
        if phase == Phase::NoHost
            && let Some(q) = m.quorum
            && self.level[self.model.quorums[q].signal as usize] == DOWN
        {
            phase = Phase::NoQuorum;
        }
        self.attr_mark_role(r, t);
        let planned_by = if phase == Phase::Switching && self.planned_now {
            self.planned_by
        } else {
            NONE
        };
        let old = self.machines[r];
        if let Some(c) = old.phase.cause() {
            self.machine_stats[r].down_by_cause[c as usize] += t - old.phase_since;
        }
        let was_running = old.phase == Phase::Running;
        let running = phase == Phase::Running;
        // Only restored roles take backups.
        if was_running && matches!(m.recovery, Recovery::Restore { .. }) {
            self.note_backups(r, t);
        }
        let st = &mut self.machines[r];
        st.planned_by = planned_by;
        if was_running {
            st.stopped = t;
        }
        st.phase = phase;
        st.host = host;
        st.phase_since = t;
        st.epoch = st.epoch.wrapping_add(1);
        // The machines not running, for the downtime attribution.
        if was_running != running {
            if was_running {
                self.odd_pos[r] = self.odd_roles.len() as u32;
                self.odd_roles.push(r as u32);
            } else {
                let pos = self.odd_pos[r] as usize;
                self.odd_roles.swap_remove(pos);
                if let Some(&moved) = self.odd_roles.get(pos) {
                    self.odd_pos[moved as usize] = pos as u32;
                }
            }
        }
        if old.host != host && m.dormant.is_some() {
            self.standby_moved(r, old.host, host, t);
        }
        if running {
            self.machines[r].up_since = t;
            self.schedule_crash(r, t);
        } else if was_running {
            self.cancel_crash(r);
        }
        self.update_output(r, t);
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
        self.set_output(self.machine(r), self.machines[r], t);
    }

    /// [`Engine::update_output`] for a machine and state already looked up.
    #[inline(always)]
    fn set_output(&mut self, m: &'m Machine, st: MachineState, t: Hours) {
        let mut level = if st.phase != Phase::Running {
            DOWN
        } else if (0..m.replicas.len()).any(|i| i != st.host as usize && self.replica_up(m, i)) {
            SAFE
        } else {
            AT_RISK
        };
        // One more failure that takes quorum away takes the role too.
        if let Some(q) = m.quorum {
            level = level.min(self.level[self.model.quorums[q].signal as usize]);
        }
        self.set_level(m.output, level, t);
    }

    /// Re-examines machine `r` after something it watches changed.
    pub(super) fn reconsider(&mut self, r: usize, t: Hours) {
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
                    && let Some(better) = self.better_host(r, st.host, t)
                {
                    self.switch_to(r, better, t);
                } else if st.home != NONE {
                    self.return_home(r, t);
                } else {
                    // The most common case: another replica came or went.
                    self.set_output(m, st, t);
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
            Phase::NoHost | Phase::NoQuorum => {
                let first = if m.dormant.is_some() {
                    self.first_callable(r, NONE, t)
                } else {
                    (0..m.replicas.len() as u32).find(|&i| self.replica_up(m, i as usize))
                };
                if let Some(h) = first {
                    self.host_back(r, h, t);
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

    /// The timer of machine `r`'s current phase fired: the phase ends.
    pub(super) fn timer(&mut self, r: usize, t: Hours) {
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
            Phase::Running | Phase::NoHost | Phase::NoQuorum | Phase::WaitSource => {}
        }
    }
}
