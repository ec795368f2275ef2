//! The engine's side of a pool's load balancer: which members it has dropped. A member that goes down
//! still gets its share of requests until the balancer has noticed (detection) and converged; then it
//! gets none. A member drained for maintenance is dropped at once (taken out of the balancer first,
//! as NLB's drainstop does); a member that comes back is used again at once. In a pool with standby
//! the members are the active instances: a standby is out of the balancer (dropped) from the start
//! and until it is active, and an active node that goes down is dropped as any member is. Scenarios
//! without a balancer have no pools here and never reach this code.

use crate::base::rng::{Stream, stream};
use crate::base::units::Hours;
use crate::engine::queue::Kind;
use crate::engine::signals::DOWN;
use crate::engine::trace::Recorder;
use crate::engine::{Engine, NONE};
use crate::model::{Model, SignalId};

/// Per pool behind a balancer: its members and what the balancer believes of them.
#[derive(Debug, Clone, Default)]
pub(in crate::engine) struct Balancers {
    /// Per pool behind a balancer (role order): its role, its members' range in `members`, and the
    /// members it has dropped (bit i = member i).
    pools: Vec<(u32, std::ops::Range<u32>, u64)>,
    /// Per member: its node, the signal the balancer watches (the node's), its timer's generation,
    /// and whether a timer is pending.
    members: Vec<(u32, SignalId, u32, bool)>,
    /// Per pool: its detection and convergence stream.
    streams: Vec<Stream>,
    /// Per pool: the members dropped at the start (its standby instances).
    start: Vec<u64>,
    /// Per request kind: the pool it targets (index into `pools`), or `NONE`.
    of_kind: Vec<u32>,
}

impl Balancers {
    /// The balancers of `model`'s pools.
    pub(in crate::engine) fn new(model: &Model) -> Self {
        let mut b = Balancers::default();
        let mut index = vec![NONE; model.roles.len()];
        for (r, role) in model.roles.iter().enumerate() {
            let (Some(bal), crate::model::RoleKind::Pool { nodes, .. }) =
                (&role.balancer, &role.kind)
            else {
                continue;
            };
            index[r] = b.pools.len() as u32;
            let first = b.members.len() as u32;
            let mut start = 0;
            for (i, &n) in nodes.iter().enumerate() {
                // With standby the balancer watches whether the node serves as an active instance.
                let signal = match &role.standby {
                    Some(sb) => {
                        if i >= sb.active(nodes.len()) {
                            start |= 1u64 << i;
                        }
                        sb.serving[i]
                    }
                    None => model.components[n].effective,
                };
                b.members.push((n as u32, signal, 0, false));
            }
            b.pools
                .push((r as u32, first..b.members.len() as u32, start));
            b.start.push(start);
            b.streams.push(stream(0, 0, bal.stream_key));
        }
        b.of_kind = model.requests.iter().map(|q| index[q.target]).collect();
        b
    }

    /// Pools behind a balancer.
    pub(in crate::engine) fn len(&self) -> usize {
        self.pools.len()
    }

    /// Per pool: the signals it watches.
    pub(in crate::engine) fn watched(&self, p: usize) -> impl Iterator<Item = SignalId> + '_ {
        let r = self.pools[p].1.clone();
        self.members[r.start as usize..r.end as usize]
            .iter()
            .map(|m| m.1)
    }

    /// Starts replication `rep`: every member in use but the standby instances.
    pub(in crate::engine) fn reset(&mut self, model: &Model, seed: u64, rep: u64) {
        for ((p, s), &start) in self
            .pools
            .iter_mut()
            .zip(&mut self.streams)
            .zip(&self.start)
        {
            p.2 = start;
            let bal = model.roles[p.0 as usize]
                .balancer
                .as_ref()
                .expect("a balancer");
            *s = stream(seed, rep, bal.stream_key);
        }
        for m in &mut self.members {
            m.2 = 0;
            m.3 = false;
        }
    }

    /// The members request kind `q`'s balancer has dropped, as bits above the 32 instance bits (none
    /// when it targets no balancer).
    #[inline]
    pub(in crate::engine) fn dropped(&self, q: usize) -> u64 {
        match self.of_kind[q] {
            NONE => 0,
            p => self.pools[p as usize].2 << 32,
        }
    }
}

impl<'m, R: Recorder> Engine<'m, R> {
    /// Members of balanced pool `p` changed: a member that went down is dropped after detection and
    /// convergence (at once when drained for maintenance); one that came back is used again.
    pub(in crate::engine) fn members_changed(&mut self, p: usize, t: Hours) {
        let model = self.model;
        let (role, range, _) = self.balancers.pools[p].clone();
        let mut changed = false;
        for (bit, m) in (range.start..range.end).enumerate() {
            let (node, signal, epoch, pending) = self.balancers.members[m as usize];
            let up = self.level[signal as usize] != DOWN;
            let dropped = self.balancers.pools[p].2 >> bit & 1 == 1;
            if up {
                if dropped || pending {
                    self.balancers.members[m as usize] =
                        (node, signal, epoch.wrapping_add(1), false);
                    self.balancers.pools[p].2 &= !(1u64 << bit);
                    changed |= dropped;
                }
            } else if !dropped && !pending {
                if self.in_maintenance[node as usize] {
                    self.balancers.pools[p].2 |= 1u64 << bit;
                    changed = true;
                    continue;
                }
                let bal = model.roles[role as usize]
                    .balancer
                    .as_ref()
                    .expect("a balancer");
                let s = &mut self.balancers.streams[p];
                let d = bal.detection.sample(s) + bal.convergence.sample(s);
                self.balancers.members[m as usize].3 = true;
                self.push(t + d, Kind::Dropped, m, epoch);
            }
        }
        if changed {
            self.balancer_moved(p);
        }
    }

    /// The balancer's timer for member `m` (flat index) fired: it stops sending requests there.
    pub(in crate::engine) fn member_dropped(&mut self, m: usize, epoch: u32) {
        let (_, _, e, pending) = self.balancers.members[m];
        if e != epoch || !pending {
            return;
        }
        self.balancers.members[m].3 = false;
        let p = self
            .balancers
            .pools
            .iter()
            .position(|x| x.1.contains(&(m as u32)))
            .expect("a member of a pool");
        let bit = m as u32 - self.balancers.pools[p].1.start;
        self.balancers.pools[p].2 |= 1u64 << bit;
        self.balancer_moved(p);
    }

    /// The request kinds to pool `p` must hear that its balancer changed.
    fn balancer_moved(&mut self, p: usize) {
        for q in 0..self.balancers.of_kind.len() {
            if self.balancers.of_kind[q] == p as u32
                && !std::mem::replace(&mut self.dirty_flag[q], true)
            {
                self.dirty.push(q as u32);
            }
        }
    }
}
