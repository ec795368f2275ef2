//! How a spare-part stock served its nodes: stock-outs, waits for a part, node-hours down waiting.

use serde::{Deserialize, Serialize};

use crate::base::stats::{MeanAcc, RatioAcc};
use crate::engine::StockStats;

/// Mergeable statistics of a stock.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub(in crate::estimate) struct StockAcc {
    pub(in crate::estimate) demands: MeanAcc,
    pub(in crate::estimate) stockouts: MeanAcc,
    pub(in crate::estimate) wait: RatioAcc,
    pub(in crate::estimate) waiting: MeanAcc,
}

impl StockAcc {
    pub(super) fn record(&mut self, st: &StockStats, years: f64, w: f64) {
        self.demands.add(st.demands as f64 / years, w);
        self.stockouts.add(st.stockouts as f64 / years, w);
        self.wait.add(st.waited, st.supplied as f64, w);
        self.waiting.add(st.waiting / years, w);
    }

    pub(super) fn merge(&mut self, o: &StockAcc) {
        self.demands.merge(&o.demands);
        self.stockouts.merge(&o.stockouts);
        self.wait.merge(&o.wait);
        self.waiting.merge(&o.waiting);
    }
}
