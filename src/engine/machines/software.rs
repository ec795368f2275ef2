//! Software failures of a role: when it crashes next, and the restart in place.

use super::Phase;
use crate::base::units::Hours;
use crate::engine::Engine;
use crate::engine::queue::Kind;
use crate::engine::trace::Recorder;

impl<'m, R: Recorder> Engine<'m, R> {
    /// Schedules role `r`'s next software failure, if it has software that fails; `t` is when it
    /// started running.
    pub(in crate::engine) fn schedule_crash(&mut self, r: usize, t: Hours) {
        if let Some(sw) = &self.machine(r).software {
            let d = sw.failure.sample(&mut self.role_streams[r]);
            let epoch = self.machines[r].epoch;
            self.crash_clock[r] = (epoch, t);
            self.push(t + d, Kind::RoleCrash, r as u32, epoch);
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
