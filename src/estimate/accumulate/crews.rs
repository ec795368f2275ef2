//! How a repair crew was used: utilisation, waits for a technician, repairs started.

use serde::{Deserialize, Serialize};

use crate::base::stats::{MeanAcc, RatioAcc};
use crate::engine::CrewStats;

/// Mergeable statistics of a crew.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub(in crate::estimate) struct CrewAcc {
    pub(in crate::estimate) utilisation: MeanAcc,
    pub(in crate::estimate) wait: RatioAcc,
    pub(in crate::estimate) repairs: MeanAcc,
}

impl CrewAcc {
    pub(super) fn record(&mut self, st: &CrewStats, mission: f64, years: f64, w: f64) {
        self.utilisation.add(st.busy / mission, w);
        self.wait.add(st.waited, st.assigned as f64, w);
        self.repairs.add(st.assigned as f64 / years, w);
    }

    pub(super) fn merge(&mut self, o: &CrewAcc) {
        self.utilisation.merge(&o.utilisation);
        self.wait.merge(&o.wait);
        self.repairs.merge(&o.repairs);
    }
}
