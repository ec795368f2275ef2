//! Restored and reinstalled roles: backups, the state lost with the node holding it, and the restore or
//! reinstall before the role runs again.

use super::Phase;
use crate::base::units::Hours;
use crate::engine::Engine;
use crate::engine::signals::DOWN;
use crate::engine::trace::Recorder;
use crate::model::Recovery;

impl<'m, R: Recorder> Engine<'m, R> {
    /// Backups completed while the role ran protect its changes up to the last of them.
    pub(in crate::engine) fn note_backups(&mut self, r: usize, t: Hours) {
        if let Recovery::Restore {
            every, offset, job, ..
        } = self.machine(r).recovery
        {
            // A backup job that is not working takes none: backups only between its repair and failure.
            let (from, t) = self.job_span(job, self.machines[r].up_since, t);
            let st = &mut self.machines[r];
            if t >= offset {
                let g = offset + ((t - offset) / every).floor() * every;
                if g >= from {
                    st.protected = st.protected.max(g);
                }
            }
        }
    }

    #[inline]
    pub(super) fn lose(&mut self, r: usize, hours: Hours) {
        let s = &mut self.machine_stats[r];
        s.data_lost += hours;
        s.loss_incidents += 1;
        s.worst_loss = s.worst_loss.max(hours);
    }

    /// The node holding restored or reinstalled role `r`'s state failed, or the role is to start on
    /// another node: the state is gone. A restored role loses its changes since the last backup up to
    /// when it stopped running (it changed nothing after that).
    pub(super) fn wipe(&mut self, r: usize, t: Hours) {
        let until = if self.machines[r].phase == Phase::Running {
            self.note_backups(r, t);
            t
        } else {
            self.machines[r].stopped
        };
        if let Recovery::Restore {
            every, offset, job, ..
        } = self.machine(r).recovery
        {
            let protected = self.machines[r].protected;
            self.lose(r, until - protected);
            if let Some(j) = job {
                let span = (self.machines[r].up_since, until, protected);
                self.backups_called(j, (every, offset), span, t);
            }
        }
        self.machines[r].wiped = true;
    }

    /// The role's host is back after none was up: restart it there the way its recovery says.
    pub(super) fn host_back(&mut self, r: usize, h: u32, t: Hours) {
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
}
