//! Streaming statistics whose memory does not grow with replications and whose merges are exact:
//! sums are kept as exact fixed-point superaccumulators, so merging partial results in any grouping
//! (threads, batches, shards on a cluster) gives bit-identical estimates.
//!
//! Every accumulator takes a weight per replication (1 for plain Monte Carlo; a likelihood ratio for
//! rare-event methods). Means are estimated as `Σ w·x / n`, the importance-sampling form.

use serde::{Deserialize, Serialize};

mod histogram;
pub use histogram::LogHistogram;

/// Number of 32-bit chunks: enough for every finite `f64` (2^-1074 .. 2^1024) summed 2^64 times, plus sign.
const CHUNKS: usize = 68;
/// Carries are propagated after this many additions, well before an `i64` chunk could overflow.
const NORMALIZE_EVERY: u32 = 1 << 30;

/// Chunks kept inline: the sums of values of a few magnitudes fit in a window this wide, so that a
/// sum takes one cache line; a wider one moves its chunks to the heap.
const WINDOW: usize = 6;
/// `base` of a sum with no window yet.
const NO_BASE: u16 = u16::MAX;

/// An exact sum of `f64` values: the result does not depend on the order of additions or merges.
///
/// The value is held as a two's-complement fixed-point integer in units of 2^-1074 (the smallest
/// subnormal), split into 32-bit chunks stored in `i64` so that carries can be deferred. Most sums
/// touch a few neighbouring chunks: they are kept in a window of `WINDOW` chunks from `base` (64
/// bytes in all, so that an accumulator of many sums is dense and cheap to create and merge), and
/// all `CHUNKS` of them on the heap once a value falls outside it.
#[derive(Clone)]
pub struct ExactSum {
    small: [i64; WINDOW],
    /// All chunks, once they do not fit the window (`small` is then zero and unused).
    big: Option<Box<[i64; CHUNKS]>>,
    /// Additions (or normalised sums) since the carries were last propagated: each adds less than
    /// 2^32 in magnitude to a chunk, so no chunk can overflow before `NORMALIZE_EVERY` of them.
    pending: u32,
    /// Chunk index of `small[0]`, or `NO_BASE`.
    base: u16,
}

impl Default for ExactSum {
    fn default() -> Self {
        Self {
            small: [0; WINDOW],
            big: None,
            pending: 0,
            base: NO_BASE,
        }
    }
}

impl std::fmt::Debug for ExactSum {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "ExactSum({})", self.value())
    }
}

/// Serialised as its normalised chunks without the zero ones at either end: `(first, chunks)`.
impl Serialize for ExactSum {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let c = self.normalized();
        let first = c.iter().position(|&v| v != 0).unwrap_or(0);
        let last = c.iter().rposition(|&v| v != 0).map_or(first, |l| l + 1);
        (first as u32, &c[first..last]).serialize(s)
    }
}

impl<'de> Deserialize<'de> for ExactSum {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let (first, chunks): (u32, Vec<i64>) = Deserialize::deserialize(d)?;
        let first = first as usize;
        if first + chunks.len() > CHUNKS {
            return Err(serde::de::Error::custom("exact sum with too many chunks"));
        }
        // Normalised chunks are below 2^32 in magnitude; bounding them keeps a damaged or forged file
        // from overflowing the sums it is merged into.
        if chunks.iter().any(|c| c.unsigned_abs() >= 1 << 33) {
            return Err(serde::de::Error::custom(
                "exact sum with an out-of-range chunk",
            ));
        }
        let mut all = [0; CHUNKS];
        all[first..first + chunks.len()].copy_from_slice(&chunks);
        let mut out = ExactSum::from_chunks(&all);
        // Chunks up to 2^33 in magnitude: as two additions' worth.
        out.pending = 2;
        Ok(out)
    }
}

impl PartialEq for ExactSum {
    fn eq(&self, other: &Self) -> bool {
        self.normalized() == other.normalized()
    }
}

/// Nonzero range `[lo, hi)` of chunks that start at chunk `base`; `None` when all are zero.
fn nonzero(chunks: &[i64], base: usize) -> Option<(usize, usize)> {
    let lo = chunks.iter().position(|&v| v != 0)?;
    let hi = chunks.iter().rposition(|&v| v != 0)? + 1;
    Some((base + lo, base + hi))
}

/// Propagates the carries of a full set of chunks.
fn propagate(c: &mut [i64; CHUNKS]) {
    for i in 0..CHUNKS - 1 {
        let carry = c[i] >> 32;
        c[i] -= carry << 32;
        c[i + 1] += carry;
    }
}

impl ExactSum {
    /// A sum holding `chunks`, in the window when they fit it.
    fn from_chunks(chunks: &[i64; CHUNKS]) -> Self {
        let mut out = ExactSum::default();
        match nonzero(chunks, 0) {
            None => {}
            Some((lo, hi)) if hi - lo <= WINDOW => {
                let base = lo.min(CHUNKS - WINDOW);
                out.small.copy_from_slice(&chunks[base..base + WINDOW]);
                out.base = base as u16;
            }
            Some(_) => out.big = Some(Box::new(*chunks)),
        }
        out
    }

    /// All chunks, carries not propagated.
    fn chunks(&self) -> [i64; CHUNKS] {
        match &self.big {
            Some(b) => **b,
            None => {
                let mut c = [0; CHUNKS];
                if self.base != NO_BASE {
                    let base = self.base as usize;
                    c[base..base + WINDOW].copy_from_slice(&self.small);
                }
                c
            }
        }
    }

    /// All chunks, carries propagated (a canonical form of the value).
    fn normalized(&self) -> [i64; CHUNKS] {
        let mut c = self.chunks();
        propagate(&mut c);
        c
    }

    /// The chunks `at..at + n` to add to: the window's, moved if need be, or the heap's.
    #[inline(always)]
    fn slots(&mut self, at: usize, n: usize) -> &mut [i64] {
        // `NO_BASE` is above every chunk index: a sum with no window takes the slow way.
        let base = self.base as usize;
        if at >= base && at + n <= base + WINDOW {
            return &mut self.small[at - base..at - base + n];
        }
        self.widen(at, n)
    }

    /// [`ExactSum::slots`] outside the window: the heap's chunks, or a window set or moved, or
    /// the chunks moved to the heap.
    #[inline(never)]
    fn widen(&mut self, at: usize, n: usize) -> &mut [i64] {
        if self.big.is_none() {
            if self.base == NO_BASE && n <= WINDOW {
                let base = at.min(CHUNKS - WINDOW);
                self.base = base as u16;
                return &mut self.small[at - base..at - base + n];
            }
            if let Some(new) = self.rebase(at, n) {
                return &mut self.small[at - new..at - new + n];
            }
            let all = self.chunks();
            self.small = [0; WINDOW];
            self.base = NO_BASE;
            self.big = Some(Box::new(all));
        }
        match &mut self.big {
            Some(b) => &mut b[at..at + n],
            None => unreachable!("the chunks were just moved to the heap"),
        }
    }

    /// Moves the window so that it holds chunks `at..at + n` and every nonzero chunk, if it can;
    /// returns its new base.
    fn rebase(&mut self, at: usize, n: usize) -> Option<usize> {
        let (lo, hi) = match (self.base != NO_BASE)
            .then(|| nonzero(&self.small, self.base as usize))
            .flatten()
        {
            Some((lo, hi)) => (lo.min(at), hi.max(at + n)),
            None => (at, at + n),
        };
        if hi - lo > WINDOW {
            return None;
        }
        let new = lo.min(CHUNKS - WINDOW);
        let mut moved = [0; WINDOW];
        if self.base != NO_BASE {
            // Every nonzero chunk lies in `new..new + WINDOW`.
            let base = self.base as usize;
            for (k, &v) in self.small.iter().enumerate() {
                if v != 0 {
                    moved[base + k - new] = v;
                }
            }
        }
        self.small = moved;
        self.base = new as u16;
        Some(new)
    }

    /// Adds a finite value exactly. Non-finite values are a bug in the caller.
    #[inline]
    pub fn add(&mut self, x: f64) {
        debug_assert!(x.is_finite(), "ExactSum::add({x})");
        if x == 0.0 || !x.is_finite() {
            return;
        }
        let bits = x.to_bits();
        let negative = bits >> 63 != 0;
        let exp = ((bits >> 52) & 0x7ff) as usize;
        let mut mant = bits & ((1u64 << 52) - 1);
        let pos = if exp == 0 {
            0
        } else {
            mant |= 1u64 << 52;
            exp - 1
        };
        let (idx, off) = (pos / 32, pos % 32);
        let wide = (mant as u128) << off;
        let parts = [
            (wide & 0xffff_ffff) as i64,
            ((wide >> 32) & 0xffff_ffff) as i64,
            (wide >> 64) as i64,
        ];
        let slots = self.slots(idx, 3);
        if negative {
            for (s, p) in slots.iter_mut().zip(parts) {
                *s -= p;
            }
        } else {
            for (s, p) in slots.iter_mut().zip(parts) {
                *s += p;
            }
        }
        self.pending += 1;
        if self.pending >= NORMALIZE_EVERY {
            self.normalize();
        }
    }

    /// Adds another exact sum: its chunks are added as they are and the carries deferred, so the
    /// cost is that of the chunks it holds (a normalised chunk is below 2^32, like one addition's).
    pub fn merge(&mut self, other: &ExactSum) {
        // Near the limit (never in practice), propagate both sides' carries first.
        let normalised;
        let other = if self.pending.saturating_add(other.pending) >= NORMALIZE_EVERY - 1 {
            self.normalize();
            let mut o = other.clone();
            o.normalize();
            normalised = o;
            &normalised
        } else {
            other
        };
        match &other.big {
            Some(b) => {
                let Some((lo, hi)) = nonzero(&b[..], 0) else {
                    return;
                };
                for (a, v) in self.slots(lo, hi - lo).iter_mut().zip(&b[lo..hi]) {
                    *a += v;
                }
            }
            None => {
                if other.base == NO_BASE {
                    return;
                }
                let base = other.base as usize;
                let Some((lo, hi)) = nonzero(&other.small, base) else {
                    return;
                };
                let from = &other.small[lo - base..hi - base];
                for (a, v) in self.slots(lo, hi - lo).iter_mut().zip(from) {
                    *a += v;
                }
            }
        }
        // Each side's chunks are bounded by its pending count plus one addition's worth.
        self.pending += other.pending + 1;
    }

    fn normalize(&mut self) {
        let mut c = self.chunks();
        propagate(&mut c);
        *self = ExactSum::from_chunks(&c);
    }

    /// The sum, rounded to `f64` (a deterministic function of the exact value).
    pub fn value(&self) -> f64 {
        let mut c = self.normalized();
        let negative = c[CHUNKS - 1] < 0;
        if negative {
            for v in c.iter_mut() {
                *v = -*v;
            }
            propagate(&mut c);
        }
        let Some(top) = c.iter().rposition(|&v| v != 0) else {
            return 0.0;
        };
        let mut acc = 0.0;
        for i in (top.saturating_sub(2)..=top).rev() {
            acc += ldexp(c[i] as f64, 32 * i as i32 - 1074);
        }
        if negative { -acc } else { acc }
    }
}

/// `x · 2^e` without intermediate overflow or underflow for the exponents used here.
fn ldexp(mut x: f64, mut e: i32) -> f64 {
    while e > 1000 {
        x *= 2f64.powi(1000);
        e -= 1000;
    }
    while e < -1000 {
        x *= 2f64.powi(-1000);
        e += 1000;
    }
    x * 2f64.powi(e)
}

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
    fn exact_sum_is_order_independent() {
        let values: Vec<f64> = (0..10_000)
            .map(|i| ((i * 7919) % 1000) as f64 * 1e-3 + 1e-17 * i as f64)
            .collect();
        let mut a = ExactSum::default();
        for v in &values {
            a.add(*v);
        }
        let mut b = ExactSum::default();
        let mut c = ExactSum::default();
        for (i, v) in values.iter().rev().enumerate() {
            if i % 3 == 0 { b.add(*v) } else { c.add(*v) }
        }
        b.merge(&c);
        assert_eq!(a, b);
        assert_eq!(a.value().to_bits(), b.value().to_bits());
    }

    #[test]
    fn exact_sum_cancels_exactly() {
        let mut s = ExactSum::default();
        s.add(1e300);
        s.add(1.0);
        s.add(-1e300);
        s.add(1e-300);
        s.add(-1e-300);
        assert_eq!(s.value(), 1.0);
        let mut n = ExactSum::default();
        n.add(-2.5);
        n.add(0.5);
        assert_eq!(n.value(), -2.0);
        let mut tiny = ExactSum::default();
        tiny.add(f64::MIN_POSITIVE / 4.0);
        assert_eq!(tiny.value(), f64::MIN_POSITIVE / 4.0);
        let mut big = ExactSum::default();
        big.add(f64::MAX);
        big.add(-f64::MAX / 2.0);
        assert_eq!(big.value(), f64::MAX / 2.0);
    }

    #[test]
    fn exact_sum_survives_many_additions() {
        let mut s = ExactSum {
            pending: NORMALIZE_EVERY - 5,
            ..Default::default()
        };
        for _ in 0..10 {
            s.add(0.1);
        }
        let expect = (0..10).fold(ExactSum::default(), |mut acc, _| {
            acc.add(0.1);
            acc
        });
        assert_eq!(s, expect);
    }

    #[test]
    fn exact_sum_window_moves_and_spills() {
        assert_eq!(std::mem::size_of::<ExactSum>(), 64);
        // Against a sum kept on the heap from the start: values that move the window down and up,
        // cancel, and at last spread too wide for it.
        let mut heap = ExactSum {
            big: Some(Box::new([0; CHUNKS])),
            ..Default::default()
        };
        let mut s = ExactSum::default();
        let values = [
            1.0, 3.0, 1e-3, 1e3, -2.0, -1e3, 1e-6, 7e5, 1e12, 1e-12, -1e-12, 1e300,
        ];
        for (k, &v) in values.iter().enumerate() {
            s.add(v);
            heap.add(v);
            assert_eq!(s, heap, "after {k} values");
            assert_eq!(s.value().to_bits(), heap.value().to_bits());
            // Up to 7e5 the values span less than the window (1e-6 to 7e5: 40 bits and the
            // 3 chunks of one value).
            assert!(k >= 8 || s.big.is_none(), "after {k} values");
        }
        assert!(s.big.is_some(), "1e-12 to 1e300 do not fit a window");
        // A narrow sum merged into a wide one and the reverse.
        let mut narrow = ExactSum::default();
        narrow.add(0.25);
        narrow.add(-0.125);
        let mut a = s.clone();
        a.merge(&narrow);
        let mut b = narrow.clone();
        b.merge(&s);
        assert_eq!(a, b);
        assert!(narrow.big.is_none());
        let mut back = ExactSum::default();
        back.add(0.125);
        back.merge(&heap);
        assert_eq!(back, a);
    }

    #[test]
    fn exact_sum_merges_with_deferred_carries() {
        // Values of every sign and many magnitudes, split over parts merged in two groupings,
        // one of them with the carries' limit reached mid-way: the same exact sum as one by one.
        let values: Vec<f64> = (0..3000)
            .map(|i| {
                let x = ((i * 7919) % 1000) as f64 * 10f64.powi(i % 40 - 20);
                if i % 7 == 0 { -x } else { x }
            })
            .collect();
        let mut one = ExactSum::default();
        values.iter().for_each(|&v| one.add(v));
        let parts: Vec<ExactSum> = values
            .chunks(64)
            .map(|c| {
                let mut p = ExactSum::default();
                c.iter().for_each(|&v| p.add(v));
                p
            })
            .collect();
        let mut a = ExactSum::default();
        parts.iter().for_each(|p| a.merge(p));
        let mut b = ExactSum {
            pending: NORMALIZE_EVERY - 40,
            ..Default::default()
        };
        for p in parts.iter().rev() {
            let mut q = ExactSum::default();
            q.merge(p);
            b.merge(&q);
        }
        assert_eq!(a, one);
        assert_eq!(b, one);
        assert_eq!(a.value().to_bits(), one.value().to_bits());
        // An empty sum adds nothing, and a sum cancelled to zero merges as zero.
        let mut z = ExactSum::default();
        z.add(1.5);
        z.add(-1.5);
        a.merge(&z);
        a.merge(&ExactSum::default());
        assert_eq!(a, one);
        // Read back from a file, a sum merges as the one written.
        let back: ExactSum = serde_json::from_str(&serde_json::to_string(&one).unwrap()).unwrap();
        let mut c = ExactSum::default();
        c.merge(&back);
        c.merge(&parts[0]);
        let mut d = one.clone();
        d.merge(&parts[0]);
        assert_eq!(c, d);
    }

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
