//! What a failover cluster's quorum did: hours without quorum and quorum losses, per year.

use serde::{Deserialize, Serialize};

use crate::base::stats::MeanAcc;
use crate::engine::QuorumStats;

/// Mergeable statistics of one cluster's quorum.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub(in crate::estimate) struct QuorumAcc {
    pub(in crate::estimate) hours_without: MeanAcc,
    pub(in crate::estimate) losses: MeanAcc,
}

impl QuorumAcc {
    pub(super) fn record(&mut self, st: &QuorumStats, years: f64, w: f64) {
        self.hours_without.add(st.hours_without / years, w);
        self.losses.add(st.losses as f64 / years, w);
    }

    pub(super) fn merge(&mut self, o: &QuorumAcc) {
        self.hours_without.merge(&o.hours_without);
        self.losses.merge(&o.losses);
    }
}
