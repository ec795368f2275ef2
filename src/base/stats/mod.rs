//! Streaming statistics whose memory does not grow with replications and whose merges are exact:
//! sums are kept as exact fixed-point superaccumulators, so merging partial results in any grouping
//! (threads, batches, shards on a cluster) gives bit-identical estimates.
//!
//! Every accumulator takes a weight per replication (1 for plain Monte Carlo; a likelihood ratio for
//! rare-event methods). Means are estimated as `Σ w·x / n`, the importance-sampling form.

use serde::{Deserialize, Serialize};

mod histogram;
pub use histogram::LogHistogram;
mod exact_sum;
pub use exact_sum::ExactSum;
use exact_sum::ldexp;

/// A point estimate with its 95% confidence interval and the replications behind it.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Estimate {
    /// The estimate.
    pub value: f64,
    /// Lower bound of the 95% confidence interval.
    pub ci95_low: f64,
    /// Upper bound of the 95% confidence interval.
    pub ci95_high: f64,
    /// Number of replications (or samples) behind it.
    pub n: u64,
}

impl Estimate {
    /// Applies a monotone increasing map to the value and both bounds.
    pub fn map(self, f: impl Fn(f64) -> f64) -> Estimate {
        Estimate {
            value: f(self.value),
            ci95_low: f(self.ci95_low),
            ci95_high: f(self.ci95_high),
            ..self
        }
    }

    /// The interval cut to what the quantity can be: a quantity that cannot be negative (a count, a
    /// duration) or exceed 1 (a share) gets an interval that cannot either. The true value lies in
    /// `[lo, hi]`, so cutting the Student-t interval there keeps every true value it covered: the
    /// coverage stays 95% or more, and the value and the other bound are unchanged. (A log-scale or
    /// Wilson interval would also respect the bounds, but has no form for a value of exactly 0, and
    /// Wilson's is for counts of independent trials, which per-mission fractions are not.)
    pub fn within(self, lo: f64, hi: f64) -> Estimate {
        let cut = |x: f64| if x.is_nan() { x } else { x.clamp(lo, hi) };
        Estimate {
            value: cut(self.value),
            ci95_low: cut(self.ci95_low),
            ci95_high: cut(self.ci95_high),
            n: self.n,
        }
    }

    /// [`Estimate::within`] for a quantity that cannot be negative.
    pub fn nonnegative(self) -> Estimate {
        self.within(0.0, f64::INFINITY)
    }

    /// [`Estimate::within`] for a share or a probability, in `[0, 1]`.
    pub fn share(self) -> Estimate {
        self.within(0.0, 1.0)
    }

    /// Half-width of the interval relative to the value (infinite when the value is zero).
    pub fn relative_half_width(&self) -> f64 {
        (self.ci95_high - self.ci95_low) / 2.0 / self.value.abs()
    }
}

/// Two-sided 95% quantile of Student's t with `df` degrees of freedom.
pub fn t_975(df: u64) -> f64 {
    const SMALL: [f64; 10] = [
        12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
    ];
    if df == 0 {
        return f64::INFINITY;
    }
    if (df as usize) <= SMALL.len() {
        return SMALL[df as usize - 1];
    }
    // Cornish–Fisher expansion around the normal quantile; error below 1e-4 for df > 10.
    let z: f64 = 1.959_963_984_540_054;
    let v = df as f64;
    z + (z.powi(3) + z) / (4.0 * v)
        + (5.0 * z.powi(5) + 16.0 * z.powi(3) + 3.0 * z) / (96.0 * v * v)
        + (3.0 * z.powi(7) + 19.0 * z.powi(5) + 17.0 * z.powi(3) - 15.0 * z) / (384.0 * v * v * v)
}

/// Mean and variance of a per-replication quantity, for a mean with a t-based confidence interval.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct MeanAcc {
    n: u64,
    s1: ExactSum,
    s2: ExactSum,
}

impl MeanAcc {
    /// The accumulator of `n` replications whose weighted values sum to `s1` and their squares to
    /// `s2` (for accumulators that keep the sums of many means sparsely).
    pub fn from_sums(n: u64, s1: ExactSum, s2: ExactSum) -> Self {
        MeanAcc { n, s1, s2 }
    }

    /// Records one replication's value `x` with weight `w`.
    #[inline]
    pub fn add(&mut self, x: f64, w: f64) {
        let y = w * x;
        self.n += 1;
        if y != 0.0 {
            self.s1.add(y);
            self.s2.add(y * y);
        }
    }

    /// Adds another accumulator.
    pub fn merge(&mut self, o: &MeanAcc) {
        // Saturating: a forged file may hold any count; a real one is far from the limit.
        self.n = self.n.saturating_add(o.n);
        self.s1.merge(&o.s1);
        self.s2.merge(&o.s2);
    }

    /// Replications recorded.
    pub fn count(&self) -> u64 {
        self.n
    }

    /// Sum of the weighted values.
    pub fn sum(&self) -> f64 {
        self.s1.value()
    }

    /// The mean with its 95% confidence interval.
    pub fn estimate(&self) -> Estimate {
        let n = self.n;
        if n == 0 {
            return Estimate {
                value: f64::NAN,
                ci95_low: f64::NAN,
                ci95_high: f64::NAN,
                n,
            };
        }
        let nf = n as f64;
        let mean = self.s1.value() / nf;
        if n < 2 {
            return Estimate {
                value: mean,
                ci95_low: f64::NEG_INFINITY,
                ci95_high: f64::INFINITY,
                n,
            };
        }
        let var = ((self.s2.value() - nf * mean * mean) / (nf - 1.0)).max(0.0);
        let half = t_975(n - 1) * (var / nf).sqrt();
        Estimate {
            value: mean,
            ci95_low: mean - half,
            ci95_high: mean + half,
            n,
        }
    }

    /// Standard error of the mean.
    pub fn std_error(&self) -> f64 {
        let e = self.estimate();
        (e.ci95_high - e.value) / t_975(self.n.saturating_sub(1).max(1))
    }
}

/// A ratio of two per-replication sums (e.g. mean outage length = downtime / outages), with a
/// delta-method confidence interval.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RatioAcc {
    n: u64,
    sx: ExactSum,
    sy: ExactSum,
    sxx: ExactSum,
    syy: ExactSum,
    sxy: ExactSum,
}

impl RatioAcc {
    /// The accumulator of `n` replications from its sums of weighted numerators `sx`, denominators
    /// `sy`, their squares and their products (for accumulators that share the denominators).
    pub fn from_sums(
        n: u64,
        sx: ExactSum,
        sy: ExactSum,
        sxx: ExactSum,
        syy: ExactSum,
        sxy: ExactSum,
    ) -> Self {
        RatioAcc {
            n,
            sx,
            sy,
            sxx,
            syy,
            sxy,
        }
    }

    /// Records one replication's numerator `x` and denominator `y` with weight `w`.
    #[inline]
    pub fn add(&mut self, x: f64, y: f64, w: f64) {
        self.n += 1;
        let (x, y) = (w * x, w * y);
        if x != 0.0 || y != 0.0 {
            self.sx.add(x);
            self.sy.add(y);
            self.sxx.add(x * x);
            self.syy.add(y * y);
            self.sxy.add(x * y);
        }
    }

    /// Adds another accumulator.
    pub fn merge(&mut self, o: &RatioAcc) {
        // Saturating: a forged file may hold any count; a real one is far from the limit.
        self.n = self.n.saturating_add(o.n);
        self.sx.merge(&o.sx);
        self.sy.merge(&o.sy);
        self.sxx.merge(&o.sxx);
        self.syy.merge(&o.syy);
        self.sxy.merge(&o.sxy);
    }

    /// Σx / Σy with its 95% confidence interval; NaN when the denominator is zero.
    pub fn estimate(&self) -> Estimate {
        let n = self.n;
        let (sx, sy) = (self.sx.value(), self.sy.value());
        if n == 0 || sy == 0.0 {
            return Estimate {
                value: f64::NAN,
                ci95_low: f64::NAN,
                ci95_high: f64::NAN,
                n,
            };
        }
        let r = sx / sy;
        if n < 2 {
            return Estimate {
                value: r,
                ci95_low: f64::NEG_INFINITY,
                ci95_high: f64::INFINITY,
                n,
            };
        }
        let nf = n as f64;
        let ybar = sy / nf;
        // Residuals d = x − r·y have mean zero by construction of r.
        let sdd = self.sxx.value() - 2.0 * r * self.sxy.value() + r * r * self.syy.value();
        let var = (sdd / (nf - 1.0)).max(0.0);
        let half = t_975(n - 1) * (var / nf).sqrt() / ybar;
        Estimate {
            value: r,
            ci95_low: r - half,
            ci95_high: r + half,
            n,
        }
    }
}

/// An exact sum of non-negative weights in 256-bit fixed point (units of 2^-128, up to 2^128): the sum
/// does not depend on the order of additions or merges, at 32 bytes where [`ExactSum`] takes 64
/// (548 when its values span many magnitudes).
/// Weights below 2^-128 (3e-39) count as zero.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FixedSum([u64; 4]);

impl FixedSum {
    /// Adds a finite weight `x ≥ 0`.
    pub fn add(&mut self, x: f64) {
        debug_assert!(x >= 0.0 && x.is_finite(), "FixedSum::add({x})");
        if x <= 0.0 || !x.is_finite() {
            return;
        }
        let bits = x.to_bits();
        let exp = ((bits >> 52) & 0x7ff) as i32;
        let mut mant = bits & ((1u64 << 52) - 1);
        let e = if exp == 0 {
            -1074
        } else {
            mant |= 1u64 << 52;
            exp - 1075
        };
        // x = mant · 2^e; in units of 2^-128 it is mant · 2^(e + 128).
        let shift = e + 128;
        let (mant, shift) = if shift < 0 {
            if shift <= -64 {
                return;
            }
            (mant >> -shift, 0)
        } else {
            (mant, shift as u32)
        };
        let (word, off) = ((shift / 64) as usize, shift % 64);
        if word >= 4 {
            debug_assert!(false, "FixedSum overflow: {x}");
            return;
        }
        let wide = (mant as u128) << off;
        self.add_at(word, wide as u64);
        if word + 1 < 4 {
            self.add_at(word + 1, (wide >> 64) as u64);
        }
    }

    fn add_at(&mut self, mut word: usize, v: u64) {
        let (sum, mut carry) = self.0[word].overflowing_add(v);
        self.0[word] = sum;
        while carry && word + 1 < 4 {
            word += 1;
            let (sum, c) = self.0[word].overflowing_add(1);
            self.0[word] = sum;
            carry = c;
        }
    }

    /// Adds another sum.
    pub fn merge(&mut self, o: &FixedSum) {
        let mut carry = false;
        for (a, &b) in self.0.iter_mut().zip(&o.0) {
            let (s1, c1) = a.overflowing_add(b);
            let (s2, c2) = s1.overflowing_add(carry as u64);
            *a = s2;
            carry = c1 || c2;
        }
    }

    /// The sum, rounded to `f64` (a deterministic function of the exact value).
    pub fn value(&self) -> f64 {
        let mut acc = 0.0;
        for (i, &w) in self.0.iter().enumerate().rev() {
            acc += ldexp(w as f64, 64 * i as i32 - 128);
        }
        acc
    }

    /// Whether nothing was added.
    pub fn is_zero(&self) -> bool {
        self.0 == [0; 4]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mean_ci_matches_textbook() {
        let mut m = MeanAcc::default();
        for x in [1.0, 2.0, 3.0, 4.0] {
            m.add(x, 1.0);
        }
        let e = m.estimate();
        assert_eq!(e.value, 2.5);
        // sd = 1.290994, se = 0.645497, t(3) = 3.182
        assert!((e.ci95_high - 2.5 - 3.182 * 0.645_497).abs() < 1e-5);
    }

    #[test]
    fn t_quantiles() {
        assert!((t_975(30) - 2.0423).abs() < 1e-3);
        assert!((t_975(100) - 1.9840).abs() < 1e-3);
        assert!((t_975(11) - 2.2010).abs() < 2e-3);
    }

    #[test]
    fn ratio_estimate() {
        let mut r = RatioAcc::default();
        for (x, y) in [(10.0, 2.0), (12.0, 3.0), (3.0, 1.0), (0.0, 0.0)] {
            r.add(x, y, 1.0);
        }
        let e = r.estimate();
        assert!((e.value - 25.0 / 6.0).abs() < 1e-12);
        assert!(e.ci95_low < e.value && e.value < e.ci95_high);
    }
}

#[cfg(test)]
mod fixed_tests {
    use super::*;

    #[test]
    fn fixed_sums_are_exact_and_order_free() {
        let values: Vec<f64> = (0..5000)
            .map(|i| {
                ((i * 7919) % 1000) as f64 * 1e-3
                    + 1e-9 * i as f64
                    + if i % 7 == 0 { 1e12 } else { 0.0 }
            })
            .collect();
        let mut a = FixedSum::default();
        values.iter().for_each(|&v| a.add(v));
        let (mut b, mut c) = (FixedSum::default(), FixedSum::default());
        for (i, &v) in values.iter().rev().enumerate() {
            if i % 3 == 0 { b.add(v) } else { c.add(v) }
        }
        b.merge(&c);
        assert_eq!(a, b);
        let mut exact = ExactSum::default();
        values.iter().for_each(|&v| exact.add(v));
        assert_eq!(a.value(), exact.value());
        let mut tiny = FixedSum::default();
        tiny.add(1e-30);
        tiny.add(3.0);
        assert_eq!(tiny.value(), 3.0 + 1e-30);
    }

    #[test]
    fn accumulators_survive_serialisation() {
        let mut h = LogHistogram::fine();
        h.add_group([(1.5, 0.25), (0.0, 2.0), (1e4, 1e-7)]);
        let mut m = MeanAcc::default();
        m.add(-3.25, 1.0);
        m.add(1e-300, 2.0);
        let text = serde_json::to_string(&(&h, &m)).unwrap();
        let (h2, m2): (LogHistogram, MeanAcc) = serde_json::from_str(&text).unwrap();
        assert_eq!(h, h2);
        assert_eq!(m, m2);
        assert_eq!(
            LogHistogram::default(),
            serde_json::from_str(&serde_json::to_string(&LogHistogram::default()).unwrap())
                .unwrap()
        );
    }
}
