//! Parts of a service's downtime, per part hours per year and share of the downtime: where it comes
//! from (one part per cause: component, schedule, role mechanism) and what was down during it (one
//! part per component of its support).
//!
//! Kept sparsely: a service has one part per component (10 000 and more in large models) but only a
//! few of them take part in any one replication. A part that had no downtime adds zeros, so only the
//! replication count and the service's own downtime sums (the shares' shared denominator) are kept
//! for every replication, and a part's sums only once it has had downtime: recording and merging
//! cost what happened, not the size of the model. The estimates are those of a dense mean and ratio
//! per part, bit for bit.

use serde::{Deserialize, Serialize};

use crate::base::stats::{ExactSum, MeanAcc, RatioAcc};

/// One part's sums over the replications in which it had downtime.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct PartSums {
    /// Σ w·hours per year, and of its squares.
    per_year: ExactSum,
    per_year_sq: ExactSum,
    /// Σ w·hours, of its squares, and of its products with w·(the service's downtime).
    hours: ExactSum,
    hours_sq: ExactSum,
    hours_down: ExactSum,
}

/// Mergeable statistics of the parts of one service's downtime.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub(in crate::estimate) struct SharesAcc {
    /// Replications recorded.
    n: u64,
    /// Σ w·downtime and Σ (w·downtime)² of the service.
    down: ExactSum,
    down_sq: ExactSum,
    /// Per part, its sums once it has had downtime.
    parts: Vec<Option<Box<PartSums>>>,
}

impl SharesAcc {
    pub(super) fn new(parts: usize) -> Self {
        SharesAcc {
            parts: vec![None; parts],
            ..SharesAcc::default()
        }
    }

    /// Records one replication: the service's downtime and each part's hours of it, in part order.
    pub(super) fn record(
        &mut self,
        downtime: f64,
        parts: impl IntoIterator<Item = f64>,
        years: f64,
        w: f64,
    ) {
        self.n += 1;
        let down = w * downtime;
        if down == 0.0 {
            // No downtime, so no part of it: every sum gains zero.
            return;
        }
        self.down.add(down);
        self.down_sq.add(down * down);
        for (slot, x) in self.parts.iter_mut().zip(parts) {
            if x != 0.0 {
                // The same products a dense `MeanAcc::add(x / years, w)` and
                // `RatioAcc::add(x, downtime, w)` would form.
                let (y, h) = (w * (x / years), w * x);
                let c = slot.get_or_insert_with(Box::default);
                c.per_year.add(y);
                c.per_year_sq.add(y * y);
                c.hours.add(h);
                c.hours_sq.add(h * h);
                c.hours_down.add(h * down);
            }
        }
    }

    pub(super) fn merge(&mut self, o: &SharesAcc) {
        // Saturating: a forged file may hold any count; a real one is far from the limit.
        self.n = self.n.saturating_add(o.n);
        self.down.merge(&o.down);
        self.down_sq.merge(&o.down_sq);
        for (a, b) in self.parts.iter_mut().zip(&o.parts) {
            if let Some(b) = b {
                let a = a.get_or_insert_with(Box::default);
                a.per_year.merge(&b.per_year);
                a.per_year_sq.merge(&b.per_year_sq);
                a.hours.merge(&b.hours);
                a.hours_sq.merge(&b.hours_sq);
                a.hours_down.merge(&b.hours_down);
            }
        }
    }

    /// The parts that had downtime: index, hours per year, share of the service's downtime.
    pub(in crate::estimate) fn parts(
        &self,
    ) -> impl Iterator<Item = (usize, MeanAcc, RatioAcc)> + '_ {
        self.parts.iter().enumerate().filter_map(|(i, c)| {
            let c = c.as_deref()?;
            let hours = MeanAcc::from_sums(self.n, c.per_year.clone(), c.per_year_sq.clone());
            let share = RatioAcc::from_sums(
                self.n,
                c.hours.clone(),
                self.down.clone(),
                c.hours_sq.clone(),
                self.down_sq.clone(),
                c.hours_down.clone(),
            );
            Some((i, hours, share))
        })
    }

    /// Part `i`'s hours per year, zero in every replication where it had none.
    pub(in crate::estimate) fn part_hours(&self, i: usize) -> MeanAcc {
        match self.parts[i].as_deref() {
            Some(c) => MeanAcc::from_sums(self.n, c.per_year.clone(), c.per_year_sq.clone()),
            None => MeanAcc::from_sums(self.n, ExactSum::default(), ExactSum::default()),
        }
    }
}
