//! Data age of a request kind with `stale_after`: the mean age and the stale share of client-time, the
//! age histogram on fixed edges (so replications, batches and shards merge exactly) and the worst age.

use serde::{Deserialize, Serialize};

use crate::base::stats::{Estimate, FixedSum, MeanAcc, RatioAcc};
use crate::base::units::Hours;
use crate::engine::clients::{AGE_BINS, AgeFigures, age_edge};

/// Mergeable statistics of data age.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(in crate::estimate) struct AgeAcc {
    /// ∫ age dt against the mission's client-time.
    pub(in crate::estimate) mean: RatioAcc,
    /// Client-time with data older than `stale_after` against all client-time.
    pub(in crate::estimate) stale: RatioAcc,
    /// Client-time per bin of the age histogram (bins as [`age_edge`] sets them), weighted.
    pub(in crate::estimate) bins: Vec<FixedSum>,
    /// Σ over replications of (weighted client-time)²: with the total, the effective number of
    /// independent replications behind the percentiles.
    pub(in crate::estimate) groups_w2: FixedSum,
    /// Per replication: its longest stretch in which no request could succeed.
    pub(in crate::estimate) worst: MeanAcc,
    /// The longest such stretch over all replications.
    pub(in crate::estimate) worst_max: Hours,
}

impl Default for AgeAcc {
    fn default() -> Self {
        AgeAcc {
            mean: RatioAcc::default(),
            stale: RatioAcc::default(),
            bins: vec![FixedSum::default(); AGE_BINS],
            groups_w2: FixedSum::default(),
            worst: MeanAcc::default(),
            worst_max: 0.0,
        }
    }
}

impl AgeAcc {
    /// Records one replication's figures with weight `w`.
    pub(super) fn record(&mut self, f: &AgeFigures, w: f64) {
        let time: f64 = f.bins.iter().sum();
        self.mean.add(f.age_time, time, w);
        self.stale.add(f.stale_time, time, w);
        for (b, &x) in self.bins.iter_mut().zip(&f.bins) {
            b.add((x * w).max(0.0));
        }
        self.groups_w2.add((time * w) * (time * w));
        self.worst.add(f.worst, w);
        self.worst_max = self.worst_max.max(f.worst);
    }

    pub(super) fn merge(&mut self, o: &AgeAcc) {
        self.mean.merge(&o.mean);
        self.stale.merge(&o.stale);
        for (a, b) in self.bins.iter_mut().zip(&o.bins) {
            a.merge(b);
        }
        self.groups_w2.merge(&o.groups_w2);
        self.worst.merge(&o.worst);
        self.worst_max = self.worst_max.max(o.worst_max);
    }

    /// The age below which a share `p` of client-time lies: exact at the histogram's edges, linear
    /// in log-age between them (linear in age in the first bin, from 0).
    pub(in crate::estimate) fn quantile(&self, p: f64) -> Hours {
        let w: Vec<f64> = self.bins.iter().map(FixedSum::value).collect();
        let total: f64 = w.iter().sum();
        if total <= 0.0 {
            return f64::NAN;
        }
        let target = p.clamp(0.0, 1.0) * total;
        let mut acc = 0.0;
        for (i, &x) in w.iter().enumerate() {
            if x > 0.0 && acc + x >= target {
                let frac = ((target - acc) / x).clamp(0.0, 1.0);
                return match i {
                    0 => frac * age_edge(0),
                    _ if i == AGE_BINS - 1 => age_edge(i - 1),
                    _ => {
                        let (lo, hi) = (age_edge(i - 1), age_edge(i));
                        lo * (hi / lo).powf(frac)
                    }
                };
            }
            acc += x;
        }
        age_edge(AGE_BINS - 2)
    }

    /// Percentile `p` of the age with a distribution-free 95% interval: the binomial distribution of
    /// order statistics over the effective number of replications (each counts as one sample of its
    /// client-time, as for the delivery delays).
    pub(in crate::estimate) fn quantile_estimate(&self, p: f64, n: u64) -> Estimate {
        let value = self.quantile(p);
        let total: f64 = self.bins.iter().map(FixedSum::value).sum();
        let g = self.groups_w2.value();
        if g <= 0.0 || !value.is_finite() {
            return Estimate {
                value,
                ci95_low: f64::NAN,
                ci95_high: f64::NAN,
                n,
            };
        }
        let nf = total * total / g;
        let half = 1.959_963_984_540_054 * (nf * p * (1.0 - p)).sqrt();
        let at = |rank: f64| self.quantile((rank / nf).clamp(0.0, 1.0));
        Estimate {
            value,
            ci95_low: at((nf * p - half).floor()).min(value),
            ci95_high: at((nf * p + half).ceil() + 1.0).max(value),
            n,
        }
    }
}
