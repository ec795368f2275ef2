//! Duration distributions for failures, repairs and other delays, parameterised the way planners think
//! (by mean), compiled once into samplers that cost one `match` per draw.

use rand::Rng;
use rand_distr::{Distribution, Exp, Gamma, LogNormal, Normal, Weibull};

use std::f64::consts::SQRT_2;

use statrs::function::erf::{erfc, erfc_inv};
use statrs::function::gamma::checked_gamma_ur;

use crate::base::exp1::{exp1, layers};
use crate::base::format::short;
use crate::base::rng::Stream;
use crate::base::units::{Hours, format_duration};

/// A validated duration distribution, in hours. Build one with the constructors; they check parameters.
/// Field names are the usual parameter names; `sampler` is the prepared `rand_distr` sampler.
#[allow(missing_docs)]
#[derive(Debug, Clone)]
pub enum Dist {
    /// Exponential with the given mean; `scale` is what `sampler` multiplies a standard draw by
    /// (`1 / (1 / mean)`, which may differ from `mean` in its last bit).
    Exponential {
        mean: Hours,
        scale: Hours,
        sampler: Exp<f64>,
    },
    /// Weibull with shape `k` and scale `lambda`.
    Weibull {
        shape: f64,
        scale: Hours,
        sampler: Weibull<f64>,
    },
    /// Lognormal: `ln(duration in hours)` is normal with `mu` and `sigma`.
    LogNormal {
        mu: f64,
        sigma: f64,
        sampler: LogNormal<f64>,
    },
    /// Gamma with shape `k` and scale `theta`.
    Gamma {
        shape: f64,
        scale: Hours,
        sampler: Gamma<f64>,
    },
    /// Normal with `mean` and `sd`, truncated at zero (negative draws are redrawn).
    TruncNormal {
        mean: Hours,
        sd: Hours,
        sampler: Normal<f64>,
    },
    /// Uniform on `[min, max)`.
    Uniform { min: Hours, max: Hours },
    /// Always the same duration; infinite for a repair that never happens ([`Dist::never`]).
    Fixed { value: Hours },
    /// Observed durations, drawn with replacement.
    Empirical { samples: Vec<Hours> },
}

/// The smallest gamma shape accepted (a coefficient of variation of 10).
pub const MIN_GAMMA_SHAPE: f64 = 0.01;

fn positive(name: &str, v: f64) -> Result<f64, String> {
    if v.is_finite() && v > 0.0 {
        Ok(v)
    } else {
        Err(format!(
            "`{name}` must be a positive finite number, got {}",
            short(v)
        ))
    }
}

impl Dist {
    /// Exponential with the given mean (> 0).
    pub fn exponential(mean: Hours) -> Result<Self, String> {
        let mean = positive("mean", mean)?;
        let rate = 1.0 / mean;
        Ok(Dist::Exponential {
            mean,
            // As `Exp::new(rate)` computes its multiplier, so that `draw` equals `sample`.
            scale: 1.0 / rate,
            sampler: Exp::new(rate).map_err(|e| e.to_string())?,
        })
    }

    /// Weibull from shape and mean: the scale is `mean / Γ(1 + 1/shape)`.
    pub fn weibull_mean(shape: f64, mean: Hours) -> Result<Self, String> {
        let shape = positive("shape", shape)?;
        let mean = positive("mean", mean)?;
        Self::weibull_scale(shape, mean / ln_gamma(1.0 + 1.0 / shape).exp())
    }

    /// Weibull from shape and scale.
    pub fn weibull_scale(shape: f64, scale: Hours) -> Result<Self, String> {
        let shape = positive("shape", shape)?;
        let scale = positive("scale", scale)?;
        if shape < 0.05 {
            return Err(format!(
                "`shape` {} is too small (below 0.05 the mean overflows); use 0.05 or more",
                short(shape)
            ));
        }
        let sampler = Weibull::new(scale, shape).map_err(|e| e.to_string())?;
        Ok(Dist::Weibull {
            shape,
            scale,
            sampler,
        })
    }

    /// Lognormal from its mean and the sigma of the underlying normal: `mu = ln(mean) − sigma²/2`.
    pub fn lognormal_mean(mean: Hours, sigma: f64) -> Result<Self, String> {
        let mean = positive("mean", mean)?;
        let sigma = positive("sigma", sigma)?;
        Self::lognormal_mu(mean.ln() - sigma * sigma / 2.0, sigma)
    }

    /// Lognormal from `mu` (mean of ln(hours)) and `sigma`.
    pub fn lognormal_mu(mu: f64, sigma: f64) -> Result<Self, String> {
        if !mu.is_finite() {
            return Err(format!("`mu` must be finite, got {}", short(mu)));
        }
        let sigma = positive("sigma", sigma)?;
        if sigma > 10.0 {
            return Err(format!(
                "`sigma` {sigma} is absurdly large for a duration; expected at most 10"
            ));
        }
        if !(mu + sigma * sigma / 2.0).exp().is_finite() {
            return Err(format!(
                "lognormal mu {mu} with sigma {sigma} has an infinite mean"
            ));
        }
        let sampler = LogNormal::new(mu, sigma).map_err(|e| e.to_string())?;
        Ok(Dist::LogNormal { mu, sigma, sampler })
    }

    /// Gamma from shape and mean: the scale is `mean / shape`.
    pub fn gamma_mean(shape: f64, mean: Hours) -> Result<Self, String> {
        let shape = positive("shape", shape)?;
        let mean = positive("mean", mean)?;
        // Below this shape nearly every draw underflows to zero and the scale `mean / shape` heads for
        // infinity: the node would silently never fail (or never be repaired).
        if shape < MIN_GAMMA_SHAPE {
            return Err(format!(
                "`shape` {} is too small (below {MIN_GAMMA_SHAPE} almost every draw is zero and the scale overflows); use {MIN_GAMMA_SHAPE} or more",
                short(shape)
            ));
        }
        let scale = mean / shape;
        let sampler = Gamma::new(shape, scale).map_err(|e| e.to_string())?;
        Ok(Dist::Gamma {
            shape,
            scale,
            sampler,
        })
    }

    /// Normal with `mean` > 0 and `sd` > 0, truncated at zero.
    pub fn trunc_normal(mean: Hours, sd: Hours) -> Result<Self, String> {
        let mean = positive("mean", mean)?;
        let sd = positive("sd", sd)?;
        let sampler = Normal::new(mean, sd).map_err(|e| e.to_string())?;
        Ok(Dist::TruncNormal { mean, sd, sampler })
    }

    /// Uniform on `[min, max)` with `0 ≤ min < max`.
    pub fn uniform(min: Hours, max: Hours) -> Result<Self, String> {
        if !(min.is_finite() && min >= 0.0) {
            return Err(format!("`min` must be zero or more, got {}", short(min)));
        }
        if !(max.is_finite() && max > min) {
            return Err(format!(
                "`max` ({}) must be larger than `min` ({}); for a constant use dist = \"fixed\"",
                format_duration(max),
                format_duration(min)
            ));
        }
        Ok(Dist::Uniform { min, max })
    }

    /// A constant duration (zero allowed).
    pub fn fixed(value: Hours) -> Result<Self, String> {
        if !(value.is_finite() && value >= 0.0) {
            return Err(format!(
                "`value` must be zero or more, got {}",
                short(value)
            ));
        }
        Ok(Dist::Fixed { value })
    }

    /// A duration that never ends: the repair of a component that is never repaired. Its samples are
    /// infinite, so the event they would schedule falls after every mission's end.
    pub fn never() -> Self {
        Dist::Fixed {
            value: f64::INFINITY,
        }
    }

    /// Whether this is [`Dist::never`].
    pub fn is_never(&self) -> bool {
        matches!(self, Dist::Fixed { value } if value.is_infinite())
    }

    /// Observed durations, sampled with replacement; at least one, none negative.
    pub fn empirical(samples: Vec<Hours>) -> Result<Self, String> {
        if samples.is_empty() {
            return Err("`samples` must hold at least one observed duration".into());
        }
        if let Some(bad) = samples.iter().find(|v| !(v.is_finite() && **v >= 0.0)) {
            return Err(format!(
                "`samples` must be zero or more, got {}",
                short(*bad)
            ));
        }
        if samples.iter().all(|&v| v == 0.0) {
            return Err("`samples` are all zero".into());
        }
        Ok(Dist::Empirical { samples })
    }

    /// Which law this is, exactly: the variant and the bits of its parameters (each sampler is built
    /// from them alone), so that two distributions with the same key draw the same durations from
    /// the same stream. The engine shares one copy between components with the same law.
    pub fn law_key(&self) -> (u8, Vec<u64>) {
        let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect();
        match self {
            Dist::Exponential { mean, .. } => (0, bits(&[*mean])),
            Dist::Weibull { shape, scale, .. } => (1, bits(&[*shape, *scale])),
            Dist::LogNormal { mu, sigma, .. } => (2, bits(&[*mu, *sigma])),
            Dist::Gamma { shape, scale, .. } => (3, bits(&[*shape, *scale])),
            Dist::TruncNormal { mean, sd, .. } => (4, bits(&[*mean, *sd])),
            Dist::Uniform { min, max } => (5, bits(&[*min, *max])),
            Dist::Fixed { value } => (6, bits(&[*value])),
            Dist::Empirical { samples } => (7, bits(samples)),
        }
    }

    /// Draws one duration in hours (never negative).
    // The exponential law, most components' and the engine's commonest draw, is tested for at the
    // call site and goes straight to its sampler; the other laws' arms need enough registers that
    // one function for all saved and restored six on every exponential draw too.
    #[inline(always)]
    pub fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> Hours {
        match self {
            Dist::Exponential { sampler, .. } => sampler.sample(rng),
            _ => self.sample_other(rng),
        }
    }

    /// [`Dist::sample`] from a component's stream, the exponential law's common case inline
    /// ([`exp1`]): the same draws, and the same state of the stream after them.
    #[inline(always)]
    pub fn draw(&self, rng: &mut Stream) -> Hours {
        match self {
            Dist::Exponential { scale, .. } => exp1(rng, layers()) * scale,
            _ => self.sample_other(rng),
        }
    }

    /// [`Dist::sample`] for every law but the exponential one.
    #[inline(never)]
    fn sample_other<R: Rng + ?Sized>(&self, rng: &mut R) -> Hours {
        match self {
            Dist::Exponential { sampler, .. } => sampler.sample(rng),
            Dist::Weibull { sampler, .. } => sampler.sample(rng),
            Dist::LogNormal { sampler, .. } => sampler.sample(rng),
            Dist::Gamma { sampler, .. } => sampler.sample(rng),
            Dist::TruncNormal { sampler, .. } => loop {
                let v = sampler.sample(rng);
                if v >= 0.0 {
                    break v;
                }
            },
            Dist::Uniform { min, max } => min + (max - min) * unit_f64(rng),
            Dist::Fixed { value } => *value,
            Dist::Empirical { samples } => {
                let i = (unit_f64(rng) * samples.len() as f64) as usize;
                samples[i.min(samples.len() - 1)]
            }
        }
    }

    /// Draws the remaining duration of one that has already lasted `age` hours: a draw from the
    /// distribution conditioned on exceeding `age`, minus `age`. Importance splitting resamples the
    /// clocks of a copied mission with it, so that copies diverge while keeping the right law.
    pub fn residual<R: Rng + ?Sized>(&self, age: Hours, rng: &mut R) -> Hours {
        if age <= 0.0 {
            return self.sample(rng);
        }
        // A survival fraction drawn uniformly from (0, S(age)]: inverting S gives the conditional law.
        let v = 1.0 - unit_f64(rng);
        let total = match self {
            Dist::Exponential { sampler, .. } => return sampler.sample(rng),
            Dist::Weibull { shape, scale, .. } => {
                scale * ((age / scale).powf(*shape) - v.ln()).powf(1.0 / shape)
            }
            Dist::LogNormal { mu, sigma, .. } => {
                let q = 0.5 * erfc((age.ln() - mu) / (sigma * SQRT_2)) * v;
                if q <= 0.0 {
                    return 0.0;
                }
                (mu + sigma * SQRT_2 * erfc_inv(2.0 * q)).exp()
            }
            Dist::TruncNormal { mean, sd, .. } => {
                let q = 0.5 * erfc((age - mean) / (sd * SQRT_2)) * v;
                if q <= 0.0 {
                    return 0.0;
                }
                mean + sd * SQRT_2 * erfc_inv(2.0 * q)
            }
            Dist::Gamma { shape, scale, .. } => {
                let s_age = checked_gamma_ur(*shape, age / scale).unwrap_or(0.0);
                if s_age >= 0.1 {
                    // Rejection needs at most ten draws on average here.
                    loop {
                        let x = self.sample(rng);
                        if x > age {
                            break x;
                        }
                    }
                } else if s_age <= 0.0 {
                    return 0.0;
                } else {
                    let target = s_age * v;
                    // S is decreasing: bisect for S(x) = target above `age`.
                    let (mut lo, mut hi) = (age, age.max(*scale) * 2.0);
                    while checked_gamma_ur(*shape, hi / scale).unwrap_or(0.0) > target {
                        lo = hi;
                        hi *= 2.0;
                    }
                    for _ in 0..100 {
                        let mid = 0.5 * (lo + hi);
                        if checked_gamma_ur(*shape, mid / scale).unwrap_or(0.0) > target {
                            lo = mid;
                        } else {
                            hi = mid;
                        }
                        if hi - lo <= 1e-12 * hi {
                            break;
                        }
                    }
                    0.5 * (lo + hi)
                }
            }
            Dist::Uniform { min, max } => {
                let lo = age.max(*min);
                if lo >= *max {
                    return 0.0;
                }
                lo + (max - lo) * unit_f64(rng)
            }
            Dist::Fixed { value } => *value,
            Dist::Empirical { samples } => {
                let later = samples.iter().filter(|&&x| x > age).count();
                if later == 0 {
                    return 0.0;
                }
                let k = ((unit_f64(rng) * later as f64) as usize).min(later - 1);
                *samples
                    .iter()
                    .filter(|&&x| x > age)
                    .nth(k)
                    .expect("k is below the count")
            }
        };
        (total - age).max(0.0)
    }

    /// P(duration ≤ x).
    pub fn cdf(&self, x: Hours) -> f64 {
        if x < 0.0 {
            return 0.0;
        }
        match self {
            Dist::Exponential { mean, .. } => 1.0 - (-x / mean).exp(),
            Dist::Weibull { shape, scale, .. } => 1.0 - (-(x / scale).powf(*shape)).exp(),
            Dist::LogNormal { mu, sigma, .. } => {
                if x == 0.0 {
                    0.0
                } else {
                    std_normal_cdf((x.ln() - mu) / sigma)
                }
            }
            Dist::Gamma { shape, scale, .. } => regularized_gamma_p(*shape, x / scale),
            Dist::TruncNormal { mean, sd, .. } => {
                let below_zero = std_normal_cdf(-mean / sd);
                ((std_normal_cdf((x - mean) / sd) - below_zero) / (1.0 - below_zero))
                    .clamp(0.0, 1.0)
            }
            Dist::Uniform { min, max } => ((x - min) / (max - min)).clamp(0.0, 1.0),
            Dist::Fixed { value } => {
                if x >= *value {
                    1.0
                } else {
                    0.0
                }
            }
            Dist::Empirical { samples } => {
                samples.iter().filter(|&&v| v <= x).count() as f64 / samples.len() as f64
            }
        }
    }

    /// The distribution's mean in hours (for the truncated normal, the mean after truncation).
    pub fn mean(&self) -> Hours {
        match self {
            Dist::Exponential { mean, .. } => *mean,
            Dist::Weibull { shape, scale, .. } => scale * ln_gamma(1.0 + 1.0 / shape).exp(),
            Dist::LogNormal { mu, sigma, .. } => (mu + sigma * sigma / 2.0).exp(),
            Dist::Gamma { shape, scale, .. } => shape * scale,
            Dist::TruncNormal { mean, sd, .. } => {
                let a = -mean / sd;
                let phi = (-a * a / 2.0).exp() / (2.0 * std::f64::consts::PI).sqrt();
                mean + sd * phi / (1.0 - std_normal_cdf(a))
            }
            Dist::Uniform { min, max } => (min + max) / 2.0,
            Dist::Fixed { value } => *value,
            Dist::Empirical { samples } => samples.iter().sum::<f64>() / samples.len() as f64,
        }
    }

    /// True for the exponential distribution (memoryless; the exact Markov mode needs it).
    pub fn is_exponential(&self) -> bool {
        matches!(self, Dist::Exponential { .. })
    }

    /// A short human description, e.g. `weibull(shape 2, mean 1000h)`.
    pub fn describe(&self) -> String {
        if self.is_never() {
            return "never".into();
        }
        let m = format_duration(self.mean());
        match self {
            Dist::Exponential { .. } => format!("exponential(mean {m})"),
            Dist::Weibull { shape, .. } => format!("weibull(shape {shape}, mean {m})"),
            Dist::LogNormal { sigma, .. } => format!("lognormal(mean {m}, sigma {sigma})"),
            Dist::Gamma { shape, .. } => format!("gamma(shape {shape}, mean {m})"),
            Dist::TruncNormal { sd, .. } => {
                format!("normal(mean {m}, sd {})", format_duration(*sd))
            }
            Dist::Uniform { min, max } => format!(
                "uniform({}..{})",
                format_duration(*min),
                format_duration(*max)
            ),
            Dist::Fixed { value } => format!("fixed({})", format_duration(*value)),
            Dist::Empirical { samples } => {
                format!("empirical({} samples, mean {m})", samples.len())
            }
        }
    }
}

/// A uniform draw in `[0, 1)` with 53 random bits.
#[inline]
pub fn unit_f64<R: Rng + ?Sized>(rng: &mut R) -> f64 {
    (rng.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
}

/// ln Γ(x) for x > 0 (Lanczos, g = 7, 9 terms; relative error below 1e-13 in the range used here).
pub fn ln_gamma(x: f64) -> f64 {
    const G: f64 = 7.0;
    const C: [f64; 9] = [
        0.999_999_999_999_809_9,
        676.520_368_121_885_1,
        -1_259.139_216_722_402_8,
        771.323_428_777_653_1,
        -176.615_029_162_140_6,
        12.507_343_278_686_905,
        -0.138_571_095_265_720_12,
        9.984_369_578_019_572e-6,
        1.505_632_735_149_311_6e-7,
    ];
    if x < 0.5 {
        // Reflection keeps accuracy for small arguments.
        let pi = std::f64::consts::PI;
        return (pi / (pi * x).sin()).ln() - ln_gamma(1.0 - x);
    }
    let x = x - 1.0;
    let mut a = C[0];
    let t = x + G + 0.5;
    for (i, c) in C.iter().enumerate().skip(1) {
        a += c / (x + i as f64);
    }
    0.5 * (2.0 * std::f64::consts::PI).ln() + (x + 0.5) * t.ln() - t + a.ln()
}

/// Standard normal CDF (Abramowitz–Stegun 7.1.26 via erfc; absolute error below 1.5e-7).
pub fn std_normal_cdf(x: f64) -> f64 {
    let z = x / std::f64::consts::SQRT_2;
    let t = 1.0 / (1.0 + 0.327_591_1 * z.abs());
    let poly = t
        * (0.254_829_592
            + t * (-0.284_496_736
                + t * (1.421_413_741 + t * (-1.453_152_027 + t * 1.061_405_429))));
    let erfc = poly * (-z * z).exp();
    if z >= 0.0 {
        1.0 - erfc / 2.0
    } else {
        erfc / 2.0
    }
}

/// The regularized lower incomplete gamma function P(a, x): a series for x < a + 1, a continued fraction
/// (modified Lentz) beyond.
pub fn regularized_gamma_p(a: f64, x: f64) -> f64 {
    if x <= 0.0 {
        return 0.0;
    }
    let log_front = a * x.ln() - x - ln_gamma(a);
    if x < a + 1.0 {
        let (mut term, mut sum, mut n) = (1.0 / a, 1.0 / a, a);
        for _ in 0..1000 {
            n += 1.0;
            term *= x / n;
            sum += term;
            if term.abs() < sum.abs() * 1e-15 {
                break;
            }
        }
        (sum * log_front.exp()).clamp(0.0, 1.0)
    } else {
        let tiny = 1e-300;
        let mut b = x + 1.0 - a;
        let mut c = 1.0 / tiny;
        let mut d = 1.0 / b;
        let mut h = d;
        for i in 1..1000 {
            let an = -(i as f64) * (i as f64 - a);
            b += 2.0;
            d = an * d + b;
            if d.abs() < tiny {
                d = tiny;
            }
            c = b + an / c;
            if c.abs() < tiny {
                c = tiny;
            }
            d = 1.0 / d;
            let delta = d * c;
            h *= delta;
            if (delta - 1.0).abs() < 1e-15 {
                break;
            }
        }
        (1.0 - log_front.exp() * h).clamp(0.0, 1.0)
    }
}

#[cfg(test)]
mod tests {

    /// The residual after an age has the conditional law: P(residual > x) = S(age + x) / S(age),
    /// far into the tail too (where S(age) is 1e-6 and rejection sampling would not do).
    #[test]
    fn residuals_have_the_conditional_law() {
        use rand::SeedableRng;
        let mut rng = crate::base::rng::Stream::seed_from_u64(11);
        let cases = [
            (Dist::exponential(3.0).unwrap(), 2.0),
            (Dist::weibull_mean(1.7, 3.0).unwrap(), 2.5),
            (Dist::weibull_mean(0.6, 3.0).unwrap(), 40.0),
            (Dist::lognormal_mean(3.0, 0.8).unwrap(), 1.0),
            (Dist::lognormal_mean(3.0, 0.8).unwrap(), 40.0),
            (Dist::gamma_mean(2.5, 3.0).unwrap(), 2.0),
            (Dist::gamma_mean(2.5, 3.0).unwrap(), 25.0),
            (Dist::trunc_normal(2.0, 1.5).unwrap(), 1.0),
            (Dist::trunc_normal(2.0, 1.5).unwrap(), 8.0),
            (Dist::uniform(1.0, 4.0).unwrap(), 2.0),
            (Dist::empirical(vec![1.0, 2.0, 2.0, 7.0]).unwrap(), 1.5),
        ];
        let n = 200_000;
        for (d, age) in &cases {
            let s_age = 1.0 - d.cdf(*age);
            assert!(s_age > 0.0, "{d:?} at {age}");
            let r: Vec<f64> = (0..n).map(|_| d.residual(*age, &mut rng)).collect();
            assert!(r.iter().all(|&x| x >= 0.0 && x.is_finite()), "{d:?}");
            let mean = r.iter().sum::<f64>() / n as f64;
            for q in [0.25, 0.5, 1.0, 2.0] {
                let x = q * mean;
                let want = (1.0 - d.cdf(age + x)) / s_age;
                let got = r.iter().filter(|&&v| v > x).count() as f64 / n as f64;
                let se = (want * (1.0 - want) / n as f64).sqrt().max(1e-9);
                assert!(
                    (got - want).abs() < 4.0 * se + 1e-12,
                    "{d:?} after {age}h, P(> {x}): {got} vs {want}"
                );
            }
        }
        let fixed = Dist::fixed(5.0).unwrap();
        assert_eq!(fixed.residual(2.0, &mut rng), 3.0);
        assert_eq!(Dist::never().residual(2.0, &mut rng), f64::INFINITY);
    }

    #[test]
    fn cdfs_match_closed_forms_and_samples() {
        for x in [0.1, 0.5, 1.0, 2.0, 5.0, 20.0] {
            let p1 = regularized_gamma_p(1.0, x);
            assert!((p1 - (1.0 - (-x).exp())).abs() < 1e-12, "P(1,{x})");
            let p2 = regularized_gamma_p(2.0, x);
            assert!(
                (p2 - (1.0 - (-x).exp() * (1.0 + x))).abs() < 1e-12,
                "P(2,{x})"
            );
        }
        // Every distribution's cdf agrees with the share of its samples below a few points.
        use rand::SeedableRng;
        let mut rng = crate::base::rng::Stream::seed_from_u64(7);
        let dists = [
            Dist::exponential(3.0).unwrap(),
            Dist::weibull_mean(1.7, 3.0).unwrap(),
            Dist::lognormal_mean(3.0, 0.8).unwrap(),
            Dist::gamma_mean(2.5, 3.0).unwrap(),
            Dist::trunc_normal(2.0, 1.5).unwrap(),
            Dist::uniform(1.0, 4.0).unwrap(),
            Dist::empirical(vec![1.0, 2.0, 2.0, 7.0]).unwrap(),
        ];
        for d in &dists {
            let samples: Vec<f64> = (0..200_000).map(|_| d.sample(&mut rng)).collect();
            for x in [0.5, 1.5, 2.5, 3.0, 6.0] {
                let share = samples.iter().filter(|&&v| v <= x).count() as f64 / 2e5;
                // 4 binomial standard errors at most 0.0045.
                assert!(
                    (share - d.cdf(x)).abs() < 0.0045,
                    "{d:?} at {x}: {share} vs {}",
                    d.cdf(x)
                );
            }
        }
        let f = Dist::fixed(2.0).unwrap();
        assert_eq!((f.cdf(1.999), f.cdf(2.0)), (0.0, 1.0));
    }
    use super::*;
    use rand::SeedableRng;
    use rand_xoshiro::Xoshiro256PlusPlus;

    #[test]
    fn ln_gamma_known_values() {
        assert!((ln_gamma(1.0)).abs() < 1e-12);
        assert!((ln_gamma(5.0) - 24f64.ln()).abs() < 1e-12);
        assert!((ln_gamma(1.5) - (std::f64::consts::PI.sqrt() / 2.0).ln()).abs() < 1e-12);
        assert!((ln_gamma(0.1) - 2.252_712_651_734_206).abs() < 1e-10);
    }

    #[test]
    fn means_match_parameters() {
        let w = Dist::weibull_mean(2.0, 1000.0).unwrap();
        assert!((w.mean() - 1000.0).abs() < 1e-9);
        let l = Dist::lognormal_mean(10.0, 0.8).unwrap();
        assert!((l.mean() - 10.0).abs() < 1e-9);
        let g = Dist::gamma_mean(3.0, 12.0).unwrap();
        assert!((g.mean() - 12.0).abs() < 1e-12);
        let n = Dist::trunc_normal(4.0, 1.0).unwrap();
        assert!((n.mean() - 4.0).abs() < 1e-3);
    }

    #[test]
    fn sample_means_converge() {
        // 200 000 draws: the standard error of each mean is below 0.5% of it, so 4 SE is under 2%.
        let dists = [
            Dist::exponential(10.0).unwrap(),
            Dist::weibull_mean(2.0, 10.0).unwrap(),
            Dist::lognormal_mean(10.0, 0.5).unwrap(),
            Dist::gamma_mean(2.0, 10.0).unwrap(),
            Dist::trunc_normal(10.0, 3.0).unwrap(),
            Dist::uniform(5.0, 15.0).unwrap(),
            Dist::empirical(vec![5.0, 10.0, 15.0]).unwrap(),
        ];
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(7);
        for d in &dists {
            let n = 200_000;
            let (mut s, mut s2) = (0.0, 0.0);
            for _ in 0..n {
                let x = d.sample(&mut rng);
                assert!(x >= 0.0);
                s += x;
                s2 += x * x;
            }
            let mean = s / n as f64;
            let se = ((s2 / n as f64 - mean * mean) / n as f64).sqrt();
            assert!(
                (mean - d.mean()).abs() < 4.0 * se,
                "{}: {mean} vs {}",
                d.describe(),
                d.mean()
            );
        }
    }

    #[test]
    fn rejects_bad_parameters() {
        assert!(Dist::exponential(0.0).is_err());
        assert!(Dist::exponential(f64::NAN).is_err());
        assert!(Dist::exponential(f64::INFINITY).is_err());
        assert!(Dist::weibull_mean(-1.0, 5.0).is_err());
        assert!(Dist::uniform(5.0, 5.0).is_err());
        assert!(Dist::empirical(vec![]).is_err());
        assert!(Dist::fixed(-1.0).is_err());
        assert!(Dist::fixed(0.0).is_ok());
    }

    /// Laws with the same key draw the same durations from the same stream; different laws (or
    /// parameters) have different keys.
    #[test]
    fn law_keys_tell_laws_apart_and_equal_keys_draw_alike() {
        let laws = [
            Dist::exponential(10.0).unwrap(),
            Dist::exponential(11.0).unwrap(),
            Dist::weibull_mean(2.0, 10.0).unwrap(),
            Dist::lognormal_mean(10.0, 0.5).unwrap(),
            Dist::gamma_mean(2.0, 10.0).unwrap(),
            Dist::trunc_normal(10.0, 3.0).unwrap(),
            Dist::uniform(5.0, 15.0).unwrap(),
            Dist::fixed(10.0).unwrap(),
            Dist::empirical(vec![5.0, 10.0]).unwrap(),
            Dist::empirical(vec![5.0, 10.0, 15.0]).unwrap(),
        ];
        for (i, a) in laws.iter().enumerate() {
            for (j, b) in laws.iter().enumerate() {
                assert_eq!(a.law_key() == b.law_key(), i == j, "{a:?} {b:?}");
            }
        }
        let (a, b) = (
            Dist::weibull_mean(1.5, 100.0).unwrap(),
            Dist::weibull_mean(1.5, 100.0).unwrap(),
        );
        assert_eq!(a.law_key(), b.law_key());
        let mut r1 = Xoshiro256PlusPlus::seed_from_u64(3);
        let mut r2 = Xoshiro256PlusPlus::seed_from_u64(3);
        for _ in 0..100 {
            assert_eq!(a.sample(&mut r1).to_bits(), b.sample(&mut r2).to_bits());
        }
    }
}
