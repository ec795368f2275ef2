//! The engine's side of the client evaluation: which instances of a request kind can serve, read off
//! the signals and role machines, and the figures the evaluation leaves.

use super::RequestStats;
use crate::engine::machines::Phase;
use crate::engine::signals::DOWN;
use crate::engine::trace::Recorder;
use crate::engine::{Engine, NONE};
use crate::model::{Reconnect, RequestKind};

impl<'m, R: Recorder> Engine<'m, R> {
    /// Which instances of request kind `q` can serve now (bit i = instance i).
    pub(in crate::engine) fn instance_mask(&self, q: usize) -> u64 {
        let kind = &self.model.requests[q];
        let live = self.mask_of(kind);
        if kind.balanced {
            // Behind a load balancer: the members it has dropped ride above the instance bits.
            live | self.balancers.dropped(q)
        } else {
            live
        }
    }

    /// Which instances of `kind` (a model's request kind, or the moved clients' of one) can serve now.
    pub(in crate::engine) fn mask_of(&self, kind: &RequestKind) -> u64 {
        if kind.per_replica {
            // A mirror's partners: only the one the role runs on serves.
            let st = &self.machines[kind.target];
            let up = self.level[kind.instances[0] as usize] != DOWN;
            let partners = match kind.reconnect {
                // A fresh connection that reaches the partner that is not principal is redirected at
                // once (the failover-partner attribute): both partners serve while the mirror does.
                Reconnect::OnFailure if up => 0b11,
                Reconnect::FreshConnectionOnly { .. }
                    if up && st.phase == Phase::Running && st.host != NONE =>
                {
                    1u64 << st.host
                }
                _ => 0,
            };
            return kind.instances[kind.primary..]
                .iter()
                .enumerate()
                .fold(partners, |m, (i, &s)| {
                    m | (((self.level[s as usize] != DOWN) as u64) << (kind.primary + i))
                });
        }
        kind.instances.iter().enumerate().fold(0u64, |m, (i, &s)| {
            m | (((self.level[s as usize] != DOWN) as u64) << i)
        })
    }

    /// Per request kind: its figures this replication.
    pub fn request_stats(&self) -> impl Iterator<Item = &RequestStats> {
        self.clients.stats()
    }
}
