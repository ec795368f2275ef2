//! Replicas of a role's data (availability groups, mirroring): the witness a replica may need, which
//! replica to start on, and the changes lost when an asynchronous one takes over.

use super::Phase;
use crate::base::units::Hours;
use crate::engine::Engine;
use crate::engine::trace::Recorder;
use crate::model::{Machine, RoleKind};

impl<'m, R: Recorder> Engine<'m, R> {
    #[inline]
    pub(super) fn witness_ok(&self, m: &Machine, i: usize) -> bool {
        !m.replicas[i].needs_witness || m.witness.is_some_and(|w| self.node_up(w))
    }

    /// The best replica to start on after an operator intervenes. A cluster (shared storage) starts on
    /// its most preferred up node; replicated data starts on the replica holding the latest data if it is
    /// up, else on the first up replica that loses nothing, else on the first up one.
    pub(super) fn best_replica(&self, r: usize) -> Option<u32> {
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

    /// The role starts serving on replica `h`: counts the move and any data it loses.
    pub(super) fn start(&mut self, r: usize, h: u32, t: Hours) {
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
}
