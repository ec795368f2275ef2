//! Impactful downtime of a service or role with a grace period (`tolerance`): the downtime and
//! outages that count once outages up to the tolerance are forgiven, and years below target by it.

use serde::{Deserialize, Serialize};

use crate::base::stats::MeanAcc;
use crate::base::units::Hours;
use crate::engine::Monitor;

/// Mergeable statistics of impactful downtime.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub(in crate::estimate) struct ToleranceAcc {
    /// Impactful hours per year.
    pub(in crate::estimate) downtime: MeanAcc,
    /// Outages longer than the tolerance per year.
    pub(in crate::estimate) outages: MeanAcc,
    /// Share of year slots whose availability, counting impactful downtime only, is below target.
    pub(in crate::estimate) years_missed: MeanAcc,
}

impl ToleranceAcc {
    pub(super) fn merge(&mut self, o: &ToleranceAcc) {
        self.downtime.merge(&o.downtime);
        self.outages.merge(&o.outages);
        self.years_missed.merge(&o.years_missed);
    }

    /// Records a replication: its monitor, the impactful downtime of each year slot (`slot_len`
    /// hours long) and the target, if any.
    pub(super) fn record(
        &mut self,
        mon: &Monitor,
        slots: &[Hours],
        slot_len: Hours,
        target: Option<f64>,
        years: f64,
        w: f64,
    ) {
        self.downtime.add(mon.impactful / years, w);
        self.outages.add(mon.impactful_outages as f64 / years, w);
        if let Some(target) = target {
            let missed = slots
                .iter()
                .filter(|&&d| 1.0 - d / slot_len < target)
                .count();
            self.years_missed.add(missed as f64 / slots.len() as f64, w);
        }
    }
}
