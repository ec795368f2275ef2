//! What all the requests of a group of request kinds (a client population, or all clients)
//! experienced together.

use serde::{Deserialize, Serialize};

use crate::base::stats::{MeanAcc, RatioAcc};
use crate::engine::Engine;
use crate::engine::clients::RequestStats;
use crate::model::Model;

/// Mergeable statistics of all the requests of a group of request kinds (a population, or all).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub(in crate::estimate) struct GroupAcc {
    /// Request kinds in the group.
    pub(in crate::estimate) kinds: Vec<usize>,
    pub(in crate::estimate) success: RatioAcc,
    pub(in crate::estimate) failed_per_year: MeanAcc,
    /// Per kind of the group and latency class: successes against the group's successes.
    pub(in crate::estimate) success_shares: Vec<RatioAcc>,
}

impl GroupAcc {
    /// The groups of `model`: one per population, then all clients (when there are any).
    pub(super) fn all(model: &Model) -> Vec<GroupAcc> {
        let group = |kinds: Vec<usize>| GroupAcc {
            success_shares: vec![
                RatioAcc::default();
                kinds
                    .iter()
                    .map(|&i| {
                        let q = &model.requests[i];
                        q.attempts() as usize * q.classes()
                    })
                    .sum()
            ],
            kinds,
            ..Default::default()
        };
        let mut groups: Vec<GroupAcc> = (0..model.populations.len())
            .map(|p| {
                group(
                    (0..model.requests.len())
                        .filter(|&i| model.requests[i].population == p)
                        .collect(),
                )
            })
            .collect();
        if !model.requests.is_empty() {
            groups.push(group((0..model.requests.len()).collect()));
        }
        groups
    }

    /// Records the requests of the group's kinds in the replication the engine just simulated.
    pub(super) fn record(&mut self, engine: &Engine<'_>, years: f64, w: f64) {
        // Kinds are listed in index order.
        let member = |(i, _): &(usize, &RequestStats)| self.kinds.binary_search(i).is_ok();
        let (mut ok, mut failed) = (0.0, 0.0);
        for (_, st) in engine.request_stats().enumerate().filter(member) {
            ok += st.all.succeeded.iter().sum::<f64>();
            failed += st.all.failed;
        }
        self.success.add(ok, ok + failed, w);
        self.failed_per_year.add(failed / years, w);
        let classes = engine
            .request_stats()
            .enumerate()
            .filter(member)
            .flat_map(|(_, st)| st.all.by_class.iter());
        for (a, &x) in self.success_shares.iter_mut().zip(classes) {
            a.add(x, ok, w);
        }
    }

    pub(super) fn merge(&mut self, o: &GroupAcc) {
        self.success.merge(&o.success);
        self.failed_per_year.merge(&o.failed_per_year);
        for (a, b) in self.success_shares.iter_mut().zip(&o.success_shares) {
            a.merge(b);
        }
    }
}
