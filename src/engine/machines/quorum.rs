//! Dynamic quorum of a failover cluster: the votes in force, moved to the cluster's membership an
//! adjustment time after it changes, while the cluster has quorum (at once when a node is drained for
//! maintenance). Static quorum is a plain gate and needs nothing here; a scenario without dynamic
//! quorum does no work here.

use crate::base::units::Hours;
use crate::engine::Engine;
use crate::engine::queue::Kind;
use crate::engine::signals::{DOWN, SAFE};
use crate::engine::trace::Recorder;
use crate::model::Quorum;

/// The state of one cluster's quorum in the current replication.
#[derive(Debug, Clone, Copy)]
pub struct QuorumState {
    /// Votes in force, one bit per voter ([`Quorum::voters`] order).
    pub(in crate::engine) votes: u128,
    /// Timers of cancelled adjustments carry older generations and are ignored.
    pub(in crate::engine) epoch: u32,
    /// An adjustment is under way.
    pub(in crate::engine) pending: bool,
    /// When the adjustment under way started (for a copied mission's redraw).
    pub(in crate::engine) since: Hours,
}

impl QuorumState {
    /// At the start of a mission: the votes in force with everything up, nothing under way.
    pub(in crate::engine) fn start(q: &Quorum) -> Self {
        QuorumState {
            votes: q.initial(),
            epoch: 0,
            pending: false,
            since: 0.0,
        }
    }
}

impl<'m, R: Recorder> Engine<'m, R> {
    /// Voters of cluster `q` that are up now, as a mask.
    fn voters_up(&self, q: usize) -> u128 {
        let c = &self.model.quorums[q];
        let mut up = 0u128;
        for (i, &v) in c.voters.iter().enumerate() {
            if self.level[self.model.components[v].effective as usize] != DOWN {
                up |= 1 << i;
            }
        }
        up
    }

    /// A voter of cluster `q` or its quorum changed: an adjustment starts when the cluster has quorum
    /// and its votes differ from its membership's, and is cancelled when either stops being true.
    /// An adjustment under way is not restarted by further changes: it adopts the target of the moment
    /// it completes.
    pub(in crate::engine) fn votes_changed(&mut self, q: usize, t: Hours) {
        let model = self.model;
        let c = &model.quorums[q];
        let Some(d) = &c.adjustment else { return };
        let st = self.quorums[q];
        let want = self.level[c.signal as usize] != DOWN
            && c.target(self.voters_up(q), st.votes) != st.votes;
        if want && !st.pending {
            let x = d.sample(&mut self.quorum_streams[q]);
            let st = &mut self.quorums[q];
            st.pending = true;
            st.epoch = st.epoch.wrapping_add(1);
            st.since = t;
            let epoch = st.epoch;
            self.push(t + x, Kind::QuorumTimer, q as u32, epoch);
        } else if !want && st.pending {
            let st = &mut self.quorums[q];
            st.pending = false;
            st.epoch = st.epoch.wrapping_add(1);
        }
    }

    /// Cluster `q`'s adjustment completes: the votes in force become its membership's.
    pub(in crate::engine) fn adjust_votes(&mut self, q: usize, t: Hours) {
        let c = &self.model.quorums[q];
        let new = c.target(self.voters_up(q), self.quorums[q].votes);
        self.set_votes(q, new, t);
        self.votes_changed(q, t);
    }

    /// Node `n` is about to be drained for maintenance: it leaves gracefully, so every cluster with
    /// dynamic quorum it votes in moves its votes at once, before the node stops (Windows does so for
    /// a node that is shut down or drained; a 2-node cluster without a witness then keeps quorum).
    pub(in crate::engine) fn drain_votes(&mut self, n: usize, t: Hours) {
        let model = self.model;
        for (q, c) in model.quorums.iter().enumerate() {
            let Some(i) = c.voters.iter().position(|&v| v == n) else {
                continue;
            };
            if c.adjustment.is_none() || self.level[c.signal as usize] == DOWN {
                continue;
            }
            let up = self.voters_up(q) & !(1u128 << i);
            let new = c.target(up, self.quorums[q].votes);
            self.set_votes(q, new, t);
        }
    }

    /// Puts cluster `q`'s votes in force to `new`; an adjustment under way is done with.
    fn set_votes(&mut self, q: usize, new: u128, t: Hours) {
        let model = self.model;
        let c = &model.quorums[q];
        let st = &mut self.quorums[q];
        let old = st.votes;
        st.pending = false;
        st.epoch = st.epoch.wrapping_add(1);
        st.votes = new;
        for i in 0..c.voters.len() {
            let bit = 1u128 << i;
            if (old ^ new) & bit == 0 {
                continue;
            }
            let (on, off) = if new & bit != 0 {
                (c.in_force[i], c.out_of_force[i])
            } else {
                (c.out_of_force[i], c.in_force[i])
            };
            self.set_level(on, SAFE, t);
            self.set_level(off, DOWN, t);
        }
    }
}
