//! `rand_distr`'s standard exponential draw (`Exp1`), bit for bit, with its common case inline: every
//! published figure rests on its draws, and the crate's sampler is a function call that saves and
//! restores six registers around a draw of about fifteen instructions.
//!
//! `Exp1` is a ziggurat: a draw takes 64 random bits, picks layer `i` from the low 8 and a uniform `u`
//! from the top 52, and returns `u · X[i]` when that is below `X[i + 1]` (about 98% of draws); anything
//! else takes the slow path. [`exp1`] does the common case itself and hands every other draw to
//! `Exp1` from the same generator state, so its results are `Exp1`'s exactly. The layer table is not
//! public, so it is read back through `Exp1` itself ([`layers`]).

use std::convert::Infallible;
use std::sync::OnceLock;

use rand::{Rng, RngExt, TryRng};
use rand_distr::Exp1;

use crate::base::rng::Stream;

/// The ziggurat's layer edges `X[0..=256]`, as `Exp1` uses them.
type Layers = [f64; 257];

/// `Exp1`'s layer edges, read back once. Feeding it the bits for layer `i` and the least uniform,
/// `u = 2^-53` exactly, makes it return `2^-53 · X[i]`, a product by a power of two and so exact:
/// `X[i]` is that times `2^53`. For layers whose first test fails with such a `u` (the last: `X[256]`
/// is 0), `Exp1`'s slow path is fed the greatest uniform, which accepts, and returns the same product.
/// `X[256]` cannot be read so; it is 0 in the ziggurat for a law on `[0, ∞)`, and a wrong value there
/// would only send more draws to `Exp1` (the test that `exp1` and `Exp1` agree would show it).
pub fn layers() -> &'static Layers {
    static LAYERS: OnceLock<Layers> = OnceLock::new();
    LAYERS.get_or_init(|| {
        let mut x = [0.0; 257];
        for (i, edge) in x.iter_mut().enumerate().take(256) {
            let mut feed = Feed {
                words: [i as u64, u64::MAX],
                next: 0,
            };
            *edge = feed.sample::<f64, _>(Exp1) * 2f64.powi(53);
        }
        x
    })
}

/// A generator that returns the given words, then the last one again.
struct Feed {
    words: [u64; 2],
    next: usize,
}

impl TryRng for Feed {
    type Error = Infallible;
    fn try_next_u32(&mut self) -> Result<u32, Infallible> {
        self.try_next_u64().map(|w| w as u32)
    }
    fn try_next_u64(&mut self) -> Result<u64, Infallible> {
        let w = self.words[self.next];
        self.next = (self.next + 1).min(self.words.len() - 1);
        Ok(w)
    }
    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Infallible> {
        for b in dst {
            *b = self.try_next_u64()? as u8;
        }
        Ok(())
    }
}

/// One standard exponential draw from `rng`, equal to `rng.sample(Exp1)` bit for bit and leaving
/// `rng` in the same state. `x` is [`layers`]'s table.
#[inline(always)]
pub fn exp1(rng: &mut Stream, x: &Layers) -> f64 {
    let mut ahead = rng.clone();
    let bits = ahead.next_u64();
    let i = (bits & 0xff) as usize;
    // As `Exp1`: a float in [1, 2) from the top 52 bits, less 1 - 2^-53: in (0, 1).
    let u = f64::from_bits((bits >> 12) | 0x3ff0_0000_0000_0000) - (1.0 - f64::EPSILON / 2.0);
    let v = u * x[i];
    if v < x[i + 1] {
        *rng = ahead;
        v
    } else {
        rng.sample(Exp1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::base::rng::stream;

    /// The inline draw and `Exp1` agree bit for bit and leave the generator in the same state, over
    /// enough draws that every layer and the slow path (about 2% of draws) are taken many times.
    #[test]
    fn exp1_is_rand_distrs_exp1_bit_for_bit() {
        let x = layers();
        assert!(x[..256].iter().all(|&e| e > 0.0 && e.is_finite()));
        assert!(x.windows(2).all(|w| w[0] > w[1]), "layer edges decrease");
        let (mut a, mut b) = (stream(7, 1, 3), stream(7, 1, 3));
        let mut slow = 0;
        for _ in 0..2_000_000 {
            let before = a.clone();
            let fast = exp1(&mut a, x);
            let want: f64 = b.sample(Exp1);
            assert_eq!(fast.to_bits(), want.to_bits());
            let mut one = before;
            one.next_u64();
            if one != a {
                slow += 1;
            }
        }
        assert_eq!(a.next_u64(), b.next_u64());
        assert!(slow > 10_000, "the slow path was taken {slow} times");
    }
}
