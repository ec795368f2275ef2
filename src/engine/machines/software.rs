//! Software failures of a role: when it crashes next, and the restart in place.

use super::Phase;
use crate::base::units::Hours;
use crate::engine::Engine;
use crate::engine::queue::Kind;
use crate::engine::trace::Recorder;

impl<'m, R: Recorder> Engine<'m, R> {
    /// Schedules role `r`'s next software failure, if it has software that fails; `t` is when it
    /// started running. The crash is the role's clock in the queue's tree: it replaces the one set
    /// when the role last started running.
    pub(in crate::engine) fn schedule_crash(&mut self, r: usize, t: Hours) {
        if let Some(sw) = &self.machine(r).software {
            let d = sw.failure.sample(&mut self.role_streams[r]);
            let epoch = self.machines[r].epoch;
            self.crash_clock[r] = (epoch, t);
            self.set_crash(r, t + d);
        }
    }

    /// Sets role `r`'s crash clock to `at` (none at or after the mission end).
    pub(in crate::engine) fn set_crash(&mut self, r: usize, at: Hours) {
        let slot = self.queue.role_clock(r);
        if at < self.mission {
            self.push(at, Kind::RoleCrash, slot, 0);
        } else {
            self.queue.cancel_clock(slot as usize);
        }
    }

    /// Role `r` stopped running: the crash it had pending will not happen.
    pub(in crate::engine) fn cancel_crash(&mut self, r: usize) {
        if self.machine(r).software.is_some() {
            let slot = self.queue.role_clock(r);
            self.queue.cancel_clock(slot as usize);
        }
    }

    /// Role `r`'s software failed: it restarts in place.
    pub(in crate::engine) fn crash(&mut self, r: usize, t: Hours) {
        let m = self.machine(r);
        let Some(sw) = &m.software else { return };
        let host = self.machines[r].host;
        self.machine_stats[r].restarts += 1;
        self.enter(r, Phase::Restarting, host, t);
        self.set_timer(r, &sw.restart, t);
    }
}
