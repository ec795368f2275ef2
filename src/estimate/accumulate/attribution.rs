//! Where each service's downtime comes from: per service and cause, hours per year and the share of
//! the service's downtime (the engine gives every hour of an outage to one cause).

use serde::{Deserialize, Serialize};

use crate::base::stats::{MeanAcc, RatioAcc};
use crate::engine::Engine;

/// Mergeable statistics of one service's downtime attribution.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub(in crate::estimate) struct AttributionAcc {
    /// Per category: hours per year.
    pub(in crate::estimate) hours: Vec<MeanAcc>,
    /// Per category: its hours over the service's downtime.
    pub(in crate::estimate) share: Vec<RatioAcc>,
}

impl AttributionAcc {
    pub(super) fn new(categories: usize) -> Self {
        AttributionAcc {
            hours: vec![MeanAcc::default(); categories],
            share: vec![RatioAcc::default(); categories],
        }
    }

    pub(super) fn record(&mut self, engine: &Engine<'_>, s: usize, years: f64, w: f64) {
        let down = engine.monitors()[s].downtime;
        let parts = engine.attribution(s);
        for ((h, sh), &x) in self.hours.iter_mut().zip(&mut self.share).zip(parts) {
            h.add(x / years, w);
            sh.add(x, down, w);
        }
    }

    pub(super) fn merge(&mut self, o: &AttributionAcc) {
        for (a, b) in self.hours.iter_mut().zip(&o.hours) {
            a.merge(b);
        }
        for (a, b) in self.share.iter_mut().zip(&o.share) {
            a.merge(b);
        }
    }
}
