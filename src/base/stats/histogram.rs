//! Quantiles without keeping the samples: a weighted histogram on a 1% logarithmic grid whose
//! weights add up exactly, so merged histograms are identical in any grouping.

use serde::{Deserialize, Serialize};

use super::{Estimate, FixedSum};

/// A weighted histogram on a logarithmic grid for quantiles of non-negative values, with exact zeros
/// kept apart. Bucket edges grow by 1%, so any quantile is reported within 0.5% of a value that lies
/// in the same bucket as the true sample quantile. Memory grows with the spread of values, never
/// with their number.
///
/// Weights add up exactly ([`FixedSum`]), so histograms merged in any grouping (threads, batches,
/// shards on a cluster) are identical.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "Unchecked")]
pub struct LogHistogram {
    zero: FixedSum,
    first: i32,
    buckets: Vec<FixedSum>,
    total: FixedSum,
    /// Σ over groups of (group weight)²: with `total`, the effective number of independent samples.
    groups_w2: FixedSum,
    count: u64,
    min: f64,
    max: f64,
    /// Buckets per doubling.
    per_octave: f64,
}

impl Default for LogHistogram {
    fn default() -> Self {
        Self {
            per_octave: BUCKETS_PER_OCTAVE,
            zero: FixedSum::default(),
            first: 0,
            buckets: Vec::new(),
            total: FixedSum::default(),
            groups_w2: FixedSum::default(),
            count: 0,
            // Finite, so that the state serialises; never read while nothing was added.
            min: f64::MAX,
            max: 0.0,
        }
    }
}

/// A histogram as read from a file, before [`LogHistogram::try_from`] checks that it is one this code
/// could have written (a damaged or forged part file must not make a merge allocate without bound).
#[derive(Deserialize)]
struct Unchecked {
    zero: FixedSum,
    first: i32,
    buckets: Vec<FixedSum>,
    total: FixedSum,
    groups_w2: FixedSum,
    count: u64,
    min: f64,
    max: f64,
    per_octave: f64,
}

impl TryFrom<Unchecked> for LogHistogram {
    type Error = String;

    fn try_from(u: Unchecked) -> Result<Self, String> {
        if u.per_octave != BUCKETS_PER_OCTAVE && u.per_octave != 10.0 * BUCKETS_PER_OCTAVE {
            return Err(format!(
                "a histogram with {} buckets per doubling",
                u.per_octave
            ));
        }
        // Positive finite doubles lie between 2^-1075 and 2^1024: their bucket indices are bounded.
        let limit = 1100 * u.per_octave as i64;
        let (first, last) = (u.first as i64, u.first as i64 + u.buckets.len() as i64);
        if first < -limit || last > limit {
            return Err("a histogram whose buckets lie outside the range of numbers".into());
        }
        Ok(LogHistogram {
            zero: u.zero,
            first: u.first,
            buckets: u.buckets,
            total: u.total,
            groups_w2: u.groups_w2,
            count: u.count,
            min: u.min,
            max: u.max,
            per_octave: u.per_octave,
        })
    }
}

/// Buckets per doubling: 2^(1/70) ≈ 1.0100, a 1% bucket width.
const BUCKETS_PER_OCTAVE: f64 = 70.0;

impl LogHistogram {
    /// Relative accuracy of reported quantiles (half a bucket) at the default resolution.
    pub const RELATIVE_ACCURACY: f64 = 0.005;

    /// An empty histogram with buckets 0.1% wide (quantiles within 0.05%), for figures whose
    /// intervals must resolve finer than 1%; memory grows tenfold with the spread of values.
    pub fn fine() -> Self {
        Self {
            per_octave: 10.0 * BUCKETS_PER_OCTAVE,
            ..Self::default()
        }
    }

    fn index(&self, x: f64) -> i32 {
        (x.log2() * self.per_octave).floor() as i32
    }

    fn bucket_mid(&self, i: i32) -> f64 {
        ((i as f64 + 0.5) / self.per_octave).exp2()
    }

    /// Records a value `x ≥ 0` with weight `w`, independent of every other value.
    pub fn add(&mut self, x: f64, w: f64) {
        self.add_value(x, w);
        self.groups_w2.add(w * w);
    }

    /// Records weighted values that are not independent of each other (e.g. those of one replication):
    /// for the intervals of [`LogHistogram::quantile_estimate`] they count as one sample of their
    /// total weight.
    pub fn add_group(&mut self, values: impl IntoIterator<Item = (f64, f64)>) {
        let mut group = 0.0;
        for (x, w) in values {
            self.add_value(x, w);
            group += w;
        }
        self.groups_w2.add(group * group);
    }

    fn add_value(&mut self, x: f64, w: f64) {
        debug_assert!(x >= 0.0 && x.is_finite());
        self.count += 1;
        self.total.add(w);
        self.min = self.min.min(x);
        self.max = self.max.max(x);
        if x <= 0.0 {
            self.zero.add(w);
            return;
        }
        let i = self.index(x);
        self.ensure(i);
        self.buckets[(i - self.first) as usize].add(w);
    }

    fn ensure(&mut self, i: i32) {
        if self.buckets.is_empty() {
            self.first = i;
            self.buckets.push(FixedSum::default());
        } else if i < self.first {
            // Grown at the end (capacity doubles) and shifted up by one move.
            let grow = (self.first - i) as usize;
            let len = self.buckets.len();
            self.buckets.resize(len + grow, FixedSum::default());
            self.buckets.copy_within(0..len, grow);
            self.buckets[..grow].fill(FixedSum::default());
            self.first = i;
        } else if i >= self.first + self.buckets.len() as i32 {
            self.buckets
                .resize((i - self.first + 1) as usize, FixedSum::default());
        }
    }

    /// Adds another histogram of the same resolution.
    pub fn merge(&mut self, o: &LogHistogram) {
        debug_assert_eq!(
            self.per_octave, o.per_octave,
            "histograms of different resolutions"
        );
        // Saturating: a forged file may hold any count; a real one is far from the limit.
        self.count = self.count.saturating_add(o.count);
        self.total.merge(&o.total);
        self.groups_w2.merge(&o.groups_w2);
        self.zero.merge(&o.zero);
        self.min = self.min.min(o.min);
        self.max = self.max.max(o.max);
        if o.buckets.is_empty() {
            return;
        }
        self.ensure(o.first);
        self.ensure(o.first + o.buckets.len() as i32 - 1);
        let off = (o.first - self.first) as usize;
        for (k, w) in o.buckets.iter().enumerate() {
            self.buckets[off + k].merge(w);
        }
    }

    /// Number of values recorded.
    pub fn count(&self) -> u64 {
        self.count
    }

    /// Largest value recorded (exact).
    pub fn max(&self) -> f64 {
        self.max
    }

    /// The value below which a fraction `q` of the weight lies.
    pub fn quantile(&self, q: f64) -> f64 {
        if self.count == 0 {
            return f64::NAN;
        }
        let target = q.clamp(0.0, 1.0) * self.total.value();
        let zero = self.zero.value();
        if zero >= target && zero > 0.0 {
            return 0.0;
        }
        let mut acc = zero;
        for (k, w) in self.buckets.iter().enumerate() {
            let w = w.value();
            acc += w;
            if acc >= target && w > 0.0 {
                return self
                    .bucket_mid(self.first + k as i32)
                    .clamp(self.min, self.max);
            }
        }
        self.max
    }

    /// Effective number of independent samples (Kish): (Σ w)² / Σ over groups of (group weight)²;
    /// the number of values for independent unit weights.
    pub fn effective_count(&self) -> f64 {
        let g = self.groups_w2.value();
        if g > 0.0 {
            let t = self.total.value();
            t * t / g
        } else {
            0.0
        }
    }

    /// Quantile `q` with a distribution-free 95% interval from the binomial distribution of order
    /// statistics over the effective number of independent samples (groups count once each, weighted).
    pub fn quantile_estimate(&self, q: f64) -> Estimate {
        let n = self.count;
        let value = self.quantile(q);
        if n == 0 || self.groups_w2.is_zero() {
            return Estimate {
                value,
                ci95_low: f64::NAN,
                ci95_high: f64::NAN,
                n,
            };
        }
        let nf = self.effective_count();
        let half = 1.959_963_984_540_054 * (nf * q * (1.0 - q)).sqrt();
        let lo_rank = (nf * q - half).floor();
        let hi_rank = (nf * q + half).ceil() + 1.0;
        let at = |rank: f64| {
            if rank < 1.0 {
                self.min
            } else if rank > nf {
                self.max
            } else {
                self.quantile(rank / nf)
            }
        };
        Estimate {
            value,
            ci95_low: at(lo_rank).min(value),
            ci95_high: at(hi_rank).max(value),
            n,
        }
    }

    /// Total weight of the values that were exactly zero.
    pub fn zero_weight(&self) -> f64 {
        self.zero.value()
    }

    /// Total weight of all values.
    pub fn total_weight(&self) -> f64 {
        self.total.value()
    }

    /// The non-empty buckets as `(low, high, weight)`: the weight of the positive values in
    /// `[low, high)`, in increasing order (exact zeros are in [`LogHistogram::zero_weight`]).
    pub fn buckets(&self) -> impl Iterator<Item = (f64, f64, f64)> + '_ {
        self.buckets
            .iter()
            .enumerate()
            .filter(|(_, w)| !w.is_zero())
            .map(|(k, w)| {
                let i = self.first + k as i32;
                let lo = (i as f64 / self.per_octave).exp2();
                let hi = ((i + 1) as f64 / self.per_octave).exp2();
                (lo, hi, w.value())
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn histogram_buckets_hold_their_values() {
        let mut h = LogHistogram::default();
        for x in [0.0, 0.0, 1.0, 2.5, 2.5, 1000.0] {
            h.add(x, 1.0);
        }
        assert_eq!(h.zero_weight(), 2.0);
        assert_eq!(h.total_weight(), 6.0);
        let b: Vec<_> = h.buckets().collect();
        assert_eq!(b.len(), 3);
        assert_eq!(b.iter().map(|x| x.2).sum::<f64>(), 4.0);
        for (x, (lo, hi, _)) in [1.0, 2.5, 1000.0].iter().zip(&b) {
            assert!(lo <= x && x < hi, "{x} in [{lo}, {hi})");
            assert!(hi / lo < 1.011);
        }
    }

    #[test]
    fn histogram_quantiles_within_accuracy() {
        let mut h = LogHistogram::default();
        let mut g = LogHistogram::default();
        for i in 1..=10_000 {
            let target = if i % 2 == 0 { &mut h } else { &mut g };
            target.add(i as f64, 1.0);
        }
        for _ in 0..10_000 {
            g.add(0.0, 1.0);
        }
        h.merge(&g);
        assert_eq!(h.count(), 20_000);
        assert_eq!(h.quantile(0.25), 0.0);
        for (q, exact) in [(0.75, 5000.0), (0.95, 9000.0), (0.99, 9800.0)] {
            let v = h.quantile(q);
            assert!((v / exact - 1.0).abs() < 0.011, "q{q}: {v} vs {exact}");
            let e = h.quantile_estimate(q);
            assert!(e.ci95_low <= v && v <= e.ci95_high);
        }
        assert_eq!(h.max(), 10_000.0);
    }
}
