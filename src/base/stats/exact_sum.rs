//! Exact sums of `f64` values: a fixed-point superaccumulator whose result does not depend on the
//! order of additions or merges, so that threads, batches and shards give bit-identical estimates.

use serde::{Deserialize, Serialize};

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
pub(super) fn ldexp(mut x: f64, mut e: i32) -> f64 {
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
}
