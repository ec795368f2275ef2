//! Failover: where a role goes when its host is lost (automatically, with coverage, or through an
//! operator), and the switch to the new host.

use super::Phase;
use crate::base::dist::unit_f64;
use crate::base::units::Hours;
use crate::engine::trace::Recorder;
use crate::engine::{Engine, NONE};

impl<'m, R: Recorder> Engine<'m, R> {
    /// Chooses where to go after losing `lost` (a host that failed or could not restart).
    pub(super) fn fail_over(&mut self, r: usize, lost: u32, t: Hours, draw_coverage: bool) {
        let m = self.machine(r);
        let n = m.replicas.len();
        // A dormant cluster's nodes are all automatic and need no witness; one found failed on the way
        // starts its repair, and the next is tried.
        let auto = if m.dormant.is_some() {
            self.first_callable(r, lost, t).map(|i| i as usize)
        } else {
            (0..n).find(|&i| {
                i != lost as usize
                    && m.replicas[i].automatic
                    && self.replica_up(m, i)
                    && self.witness_ok(m, i)
            })
        };
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

    pub(super) fn switch_to(&mut self, r: usize, target: u32, t: Hours) {
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

    pub(super) fn after_manual(&mut self, r: usize, t: Hours) {
        let best = if self.machine(r).dormant.is_some() {
            self.first_callable(r, NONE, t)
        } else {
            self.best_replica(r)
        };
        match best {
            Some(h) => self.start(r, h, t),
            None => self.enter(r, Phase::NoHost, NONE, t),
        }
    }

    /// A more preferred replica than `host` to fail back to, if one is up (and, for a dormant cluster,
    /// not found failed when called on).
    pub(super) fn better_host(&mut self, r: usize, host: u32, t: Hours) -> Option<u32> {
        let m = self.machine(r);
        if m.dormant.is_some() {
            return (0..host).find(|&i| self.callable(r, i as usize, t));
        }
        (0..host).find(|&i| self.replica_up(m, i as usize) && self.witness_ok(m, i as usize))
    }

    /// The host of a running (or restarting) role went down. (A restored role's data is lost only if
    /// the node itself failed: [`Engine::wipe`], before this.)
    pub(super) fn host_lost(&mut self, r: usize, t: Hours) {
        let host = self.machines[r].host;
        if self.planned_now && self.machine(r).failback_after_maintenance {
            self.machines[r].home = host;
        }
        self.fail_over(r, host, t, true);
    }

    /// Failback after maintenance: a running role goes back to the replica a planned drain took it
    /// from once that replica is up again (and forgets it once there).
    pub(super) fn return_home(&mut self, r: usize, t: Hours) {
        let m = self.machine(r);
        let st = self.machines[r];
        let home = st.home as usize;
        if home == st.host as usize {
            self.machines[r].home = NONE;
            self.update_output(r, t);
        } else if self.replica_up(m, home) && self.witness_ok(m, home) {
            self.machines[r].home = NONE;
            self.switch_to(r, home as u32, t);
        } else {
            self.update_output(r, t);
        }
    }
}
