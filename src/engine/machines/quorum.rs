//! Quorum of a failover cluster: the time without quorum and the losses of each cluster, and under
//! dynamic quorum the votes in force, moved to the cluster's membership an adjustment time after it
//! changes, while the cluster has quorum (at once when a node is drained for maintenance). Static
//! quorum is a plain gate; this file hears only its changes. A scenario without clusters does no work
//! here.

use crate::base::units::Hours;
use crate::engine::queue::Kind;
use crate::engine::signals::{DOWN, SAFE};
use crate::engine::trace::Recorder;
use crate::engine::{Engine, NONE};
use crate::model::Quorum;

use super::Phase;

/// Per-replication figures of one cluster's quorum.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct QuorumStats {
    /// Hours without quorum.
    pub hours_without: Hours,
    /// Times the cluster lost quorum.
    pub losses: u32,
}

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
    /// The cluster is without quorum, since `lost_at`.
    pub(in crate::engine) without: bool,
    pub(in crate::engine) lost_at: Hours,
    /// Closed periods without quorum, and losses.
    pub(in crate::engine) stats: QuorumStats,
}

impl QuorumState {
    /// At the start of a mission: the votes in force with everything up, nothing under way.
    pub(in crate::engine) fn start(q: &Quorum) -> Self {
        QuorumState {
            votes: q.initial(),
            epoch: 0,
            pending: false,
            since: 0.0,
            // A cluster whose votes cannot make quorum with everything up never has it.
            without: !Quorum::has_quorum(q.initial(), q.all_mask()),
            lost_at: 0.0,
            stats: QuorumStats::default(),
        }
    }
}

impl<'m, R: Recorder> Engine<'m, R> {
    /// Cluster `q`'s quorum figures this replication, read at the mission end (a period without
    /// quorum still open then counts up to the end).
    pub fn quorum_stats(&self, q: usize) -> QuorumStats {
        let st = &self.quorums[q];
        let mut s = st.stats;
        if st.without {
            s.hours_without += self.mission - st.lost_at;
        }
        s
    }

    /// Cluster `q`'s quorum signal changed level (every cluster watches it): a loss or a regain is
    /// counted, and the roles of the cluster with no host move between "no host" and "no quorum" so
    /// that their downtime by cause follows the cluster.
    fn quorum_moved(&mut self, q: usize, t: Hours) {
        let model = self.model;
        let without = self.level[model.quorums[q].signal as usize] == DOWN;
        let st = &mut self.quorums[q];
        if without == st.without {
            return;
        }
        st.without = without;
        if without {
            st.lost_at = t;
            st.stats.losses += 1;
        } else {
            st.stats.hours_without += t - st.lost_at;
        }
        let (from, to) = if without {
            (Phase::NoHost, Phase::NoQuorum)
        } else {
            (Phase::NoQuorum, Phase::NoHost)
        };
        for (r, role) in model.roles.iter().enumerate() {
            if role.machine.as_ref().is_some_and(|m| m.quorum == Some(q))
                && self.machines[r].phase == from
            {
                self.enter(r, to, NONE, t);
            }
        }
    }

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

    /// A voter of cluster `q` or its quorum changed (only the quorum is watched under static quorum):
    /// the quorum's figures first; then, under dynamic quorum, an adjustment starts when the cluster has quorum
    /// and its votes differ from its membership's, and is cancelled when either stops being true.
    /// An adjustment under way is not restarted by further changes: it adopts the target of the moment
    /// it completes.
    pub(in crate::engine) fn votes_changed(&mut self, q: usize, t: Hours) {
        self.quorum_moved(q, t);
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
        if !self.witness_calls.is_empty() {
            self.call_witnesses(n, t);
        }
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
