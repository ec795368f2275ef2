//! The four laws fitted, parameterised as the scenario language gives them: by their mean, and a
//! shape (Weibull and gamma `shape`, lognormal `sigma`). Log-density and log-survival for the
//! likelihood, the CDF for plots and goodness of fit, and the scenario line to paste.

use std::f64::consts::{PI, SQRT_2};

use statrs::function::erf::erfc;
use statrs::function::gamma::{checked_gamma_lr, checked_gamma_ur, ln_gamma};

use crate::base::dist::{Dist, MIN_GAMMA_SHAPE};
use crate::base::format::sig3;
use crate::base::units::{Hours, format_duration};

/// A law fitted to durations.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Law {
    /// Exponential (constant hazard): the mean alone.
    Exponential,
    /// Weibull: mean and shape `k` (hazard falling for k < 1, rising for k > 1).
    Weibull,
    /// Lognormal: mean and `sigma`, the standard deviation of ln(duration).
    Lognormal,
    /// Gamma: mean and shape `k`.
    Gamma,
}

impl Law {
    /// Every law, in the order they are listed when tied.
    pub const ALL: [Law; 4] = [Law::Exponential, Law::Weibull, Law::Lognormal, Law::Gamma];

    /// The name the scenario language uses (`dist = "..."`).
    pub fn name(self) -> &'static str {
        match self {
            Law::Exponential => "exponential",
            Law::Weibull => "weibull",
            Law::Lognormal => "lognormal",
            Law::Gamma => "gamma",
        }
    }

    /// Number of free parameters.
    pub fn parameters(self) -> usize {
        match self {
            Law::Exponential => 1,
            _ => 2,
        }
    }

    /// The name of the second parameter (`shape` or `sigma`); `None` for the exponential.
    pub fn shape_name(self) -> Option<&'static str> {
        match self {
            Law::Exponential => None,
            Law::Lognormal => Some("sigma"),
            Law::Weibull | Law::Gamma => Some("shape"),
        }
    }

    /// The range the shape is searched in, as the scenario language accepts it (Weibull shape at
    /// least 0.05, gamma shape at least [`MIN_GAMMA_SHAPE`], lognormal sigma at most 10).
    pub fn shape_bounds(self) -> (f64, f64) {
        match self {
            Law::Exponential => (1.0, 1.0),
            Law::Weibull => (0.05, 50.0),
            Law::Gamma => (MIN_GAMMA_SHAPE, 1000.0),
            Law::Lognormal => (0.01, 10.0),
        }
    }
}

/// A law with its parameters: `mean` in hours and `shape` (ignored by the exponential).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Params {
    /// The law.
    pub law: Law,
    /// Mean, hours.
    pub mean: Hours,
    /// Weibull or gamma shape, lognormal sigma; 1 for the exponential.
    pub shape: f64,
}

/// ln Φ̄(z) = ln P(Z > z) for a standard normal, accurate far into the upper tail.
pub fn ln_norm_sf(z: f64) -> f64 {
    if z < 30.0 {
        (0.5 * erfc(z / SQRT_2)).ln()
    } else {
        // Mills ratio: Φ̄(z) ≈ φ(z)/z · (1 − 1/z² + 3/z⁴).
        let z2 = z * z;
        -z2 / 2.0 - (z * (2.0 * PI).sqrt()).ln() + (1.0 - 1.0 / z2 + 3.0 / (z2 * z2)).ln()
    }
}

impl Params {
    /// The Weibull scale, or gamma scale, for the mean.
    pub fn scale(&self) -> f64 {
        match self.law {
            Law::Weibull => self.mean / ln_gamma(1.0 + 1.0 / self.shape).exp(),
            Law::Gamma => self.mean / self.shape,
            Law::Exponential => self.mean,
            Law::Lognormal => self.mu().exp(),
        }
    }

    /// The lognormal `mu` (mean of ln hours).
    pub fn mu(&self) -> f64 {
        self.mean.ln() - self.shape * self.shape / 2.0
    }

    /// ln f(t) for t > 0.
    pub fn ln_pdf(&self, t: f64) -> f64 {
        let (m, k) = (self.mean, self.shape);
        match self.law {
            Law::Exponential => -m.ln() - t / m,
            Law::Weibull => {
                let lam = self.scale();
                let z = t / lam;
                k.ln() - lam.ln() + (k - 1.0) * z.ln() - z.powf(k)
            }
            Law::Lognormal => {
                let z = (t.ln() - self.mu()) / k;
                -(t * k * (2.0 * PI).sqrt()).ln() - z * z / 2.0
            }
            Law::Gamma => {
                let th = m / k;
                -ln_gamma(k) - k * th.ln() + (k - 1.0) * t.ln() - t / th
            }
        }
    }

    /// ln S(t) = ln P(T > t) for t ≥ 0.
    pub fn ln_sf(&self, t: f64) -> f64 {
        if t <= 0.0 {
            return 0.0;
        }
        let k = self.shape;
        match self.law {
            Law::Exponential => -t / self.mean,
            Law::Weibull => -(t / self.scale()).powf(k),
            Law::Lognormal => ln_norm_sf((t.ln() - self.mu()) / k),
            Law::Gamma => {
                let x = t / self.scale();
                match checked_gamma_ur(k, x) {
                    Ok(q) if q > 1e-300 => q.ln(),
                    // Far in the tail: the leading term of the asymptotic expansion.
                    _ => (k - 1.0) * x.ln() - x - ln_gamma(k),
                }
            }
        }
    }

    /// F(t) = P(T ≤ t).
    pub fn cdf(&self, t: f64) -> f64 {
        if t <= 0.0 {
            return 0.0;
        }
        match self.law {
            Law::Gamma => checked_gamma_lr(self.shape, t / self.scale()).unwrap_or(f64::NAN),
            _ => -self.ln_sf(t).exp_m1(),
        }
    }

    /// The scenario language's distribution (checked by the same constructors as a scenario's).
    pub fn to_dist(&self) -> Result<Dist, String> {
        match self.law {
            Law::Exponential => Dist::exponential(self.mean),
            Law::Weibull => Dist::weibull_mean(self.shape, self.mean),
            Law::Lognormal => Dist::lognormal_mean(self.mean, self.shape),
            Law::Gamma => Dist::gamma_mean(self.shape, self.mean),
        }
    }

    /// The inline table to paste after `failure =` or `repair =`, e.g.
    /// `{ dist = "weibull", shape = 1.32, mean = "412.5d" }`.
    pub fn toml(&self) -> String {
        let mean = format_duration(self.mean);
        let name = self.law.name();
        match self.law.shape_name() {
            None => format!("{{ dist = \"{name}\", mean = \"{mean}\" }}"),
            Some(s) => format!(
                "{{ dist = \"{name}\", {s} = {}, mean = \"{mean}\" }}",
                sig3(self.shape)
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The densities integrate to their CDFs and their means are the `mean` given.
    #[test]
    fn densities_agree_with_cdfs_and_means() {
        for law in Law::ALL {
            let p = Params {
                law,
                mean: 10.0,
                shape: 1.7,
            };
            let d = p.to_dist().unwrap();
            assert!((d.mean() - 10.0).abs() < 1e-9, "{law:?}");
            // Trapezoid on a fine grid (the densities are smooth and finite for shape 1.7).
            let (mut acc, mut prev_t, mut prev_f) = (0.0, 1e-9, p.ln_pdf(1e-9).exp());
            for i in 1..=20_000 {
                let t = i as f64 * 0.002;
                let f = p.ln_pdf(t).exp();
                acc += 0.5 * (f + prev_f) * (t - prev_t);
                (prev_t, prev_f) = (t, f);
                if i % 2500 == 0 {
                    assert!((acc - p.cdf(t)).abs() < 1e-5, "{law:?} at {t}");
                    assert!((p.cdf(t) - d.cdf(t)).abs() < 1e-6, "{law:?} at {t}");
                    assert!((p.ln_sf(t).exp() - (1.0 - p.cdf(t))).abs() < 1e-12);
                }
            }
        }
        assert!((ln_norm_sf(31.0) - (0.5 * erfc(31.0 / SQRT_2)).ln()).abs() < 1e-3);
        assert!(ln_norm_sf(100.0).is_finite());
    }

    #[test]
    fn paste_lines_use_the_scenario_syntax() {
        let p = Params {
            law: Law::Weibull,
            mean: 9900.0,
            shape: 1.3217,
        };
        assert_eq!(
            p.toml(),
            "{ dist = \"weibull\", shape = 1.32, mean = \"1.13y\" }"
        );
        let e = Params {
            law: Law::Exponential,
            mean: 2.5,
            shape: 1.0,
        };
        assert_eq!(e.toml(), "{ dist = \"exponential\", mean = \"2.5h\" }");
    }
}
