//! What a node's latent failures did: how many hid, how they were found, how long they stayed hidden
//! and the data restores lost because a backup job had stopped.

use serde::{Deserialize, Serialize};

use crate::base::stats::{MeanAcc, RatioAcc};
use crate::engine::LatentStats;

/// Mergeable statistics of one node whose failures can hide.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub(in crate::estimate) struct LatentAcc {
    pub(in crate::estimate) failures: MeanAcc,
    pub(in crate::estimate) by_inspection: MeanAcc,
    pub(in crate::estimate) when_called: MeanAcc,
    pub(in crate::estimate) mean_hidden: RatioAcc,
    pub(in crate::estimate) hidden: MeanAcc,
    pub(in crate::estimate) data_lost: MeanAcc,
}

impl LatentAcc {
    pub(super) fn record(&mut self, st: &LatentStats, years: f64, w: f64) {
        self.failures.add(st.failures as f64 / years, w);
        self.by_inspection.add(st.by_inspection as f64 / years, w);
        self.when_called.add(st.when_called as f64 / years, w);
        let found = (st.by_inspection + st.when_called) as f64;
        self.mean_hidden.add(st.hidden_found, found, w);
        self.hidden.add(st.hidden / years, w);
        self.data_lost.add(st.data_lost / years, w);
    }

    pub(super) fn merge(&mut self, o: &LatentAcc) {
        self.failures.merge(&o.failures);
        self.by_inspection.merge(&o.by_inspection);
        self.when_called.merge(&o.when_called);
        self.mean_hidden.merge(&o.mean_hidden);
        self.hidden.merge(&o.hidden);
        self.data_lost.merge(&o.data_lost);
    }
}
