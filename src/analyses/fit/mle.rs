//! Maximum likelihood with right-censoring, Wald intervals from the observed information, and the
//! Kaplan–Meier estimate behind the goodness of fit and the probability plot.
//!
//! The log-likelihood of durations `t_i` (events) and `c_j` (right-censored: the duration was at
//! least `c_j`) is `Σ ln f(t_i) + Σ ln S(c_j)`. It is maximised over `(ln mean, ln shape)`:
//! - the exponential in closed form (mean = total exposure / events);
//! - the others by Nelder–Mead from `argmin` (two parameters, a smooth surface, no gradient needed;
//!   restarted once from its answer so that a collapsed simplex does not stop it early), then polished
//!   by Newton steps on a finite-difference Hessian, each kept only if it raises the likelihood.
//!
//! Intervals are Wald intervals on the log scale: `exp(ln θ̂ ± 1.96 · se)`, with `se` from the inverse
//! of the observed information (the negated Hessian of the log-likelihood at the maximum, by central
//! differences; exact for the exponential, where it is the number of events).

use argmin::core::{CostFunction, Error as ArgminError, Executor, State};
use argmin::solver::neldermead::NelderMead;

use super::laws::{Law, Params};

/// One duration: `t` hours, ended by an event (a failure, a repair) or right-censored (`event` false:
/// it had lasted `t` when observation stopped).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Obs {
    /// Hours.
    pub t: f64,
    /// Whether the duration ended in view (else it is right-censored at `t`).
    pub event: bool,
}

/// z for a two-sided 95% interval.
pub const Z95: f64 = 1.959_963_984_540_054;

/// A law fitted to durations by maximum likelihood.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Fit {
    /// The law.
    pub law: Law,
    /// Mean, hours.
    pub mean: f64,
    /// 95% interval of the mean.
    pub mean_ci: (f64, f64),
    /// Shape (Weibull, gamma) or sigma (lognormal); `None` for the exponential.
    pub shape: Option<f64>,
    /// 95% interval of the shape.
    pub shape_ci: Option<(f64, f64)>,
    /// Maximised log-likelihood (durations in hours).
    pub log_likelihood: f64,
    /// Akaike's information criterion: 2·parameters − 2·log-likelihood.
    pub aic: f64,
    /// Largest distance between the fitted CDF and the Kaplan–Meier estimate, over the events.
    pub ks: f64,
    /// Why the fit is doubtful, if it is (a shape at the edge of its range, no interval).
    pub note: Option<String>,
}

impl Fit {
    /// The fitted law's parameters.
    pub fn params(&self) -> Params {
        Params {
            law: self.law,
            mean: self.mean,
            shape: self.shape.unwrap_or(1.0),
        }
    }
}

/// Why a law could not be fitted.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum FitError {
    /// Too few events to fit this law.
    #[error("{0}")]
    TooFew(String),
    /// A duration that is not positive and finite.
    #[error("a duration of {0} hours; every duration must be positive and finite")]
    BadDuration(f64),
}

/// The log-likelihood of `p` for `obs`.
pub fn log_likelihood(p: &Params, obs: &[Obs]) -> f64 {
    obs.iter()
        .map(|o| if o.event { p.ln_pdf(o.t) } else { p.ln_sf(o.t) })
        .sum()
}

/// Events and total exposure (the sum of every duration, events and censored).
pub fn exposure(obs: &[Obs]) -> (usize, f64) {
    let d = obs.iter().filter(|o| o.event).count();
    (d, obs.iter().map(|o| o.t).sum())
}

/// Fits `law` to `obs` by maximum likelihood.
pub fn fit(law: Law, obs: &[Obs]) -> Result<Fit, FitError> {
    if let Some(o) = obs.iter().find(|o| !(o.t.is_finite() && o.t > 0.0)) {
        return Err(FitError::BadDuration(o.t));
    }
    let (d, total) = exposure(obs);
    if obs.is_empty() {
        return Err(FitError::TooFew("no durations: nothing to fit".into()));
    }
    if d == 0 {
        // With no event in `total` hours, a mean below total / ln(20) would have shown one with
        // probability above 95% (exponential: P(no event) = exp(−total / mean)).
        return Err(FitError::TooFew(format!(
            "no event in {} of exposure, so the mean has no finite estimate; under an exponential law it is at least {} (95% one-sided bound: exposure / ln 20)",
            crate::base::format::hours(total),
            crate::base::format::hours(total / 20f64.ln())
        )));
    }
    if law == Law::Exponential {
        let mean = total / d as f64;
        let se = 1.0 / (d as f64).sqrt();
        let p = Params {
            law,
            mean,
            shape: 1.0,
        };
        let ll = log_likelihood(&p, obs);
        return Ok(Fit {
            law,
            mean,
            mean_ci: (mean * (-Z95 * se).exp(), mean * (Z95 * se).exp()),
            shape: None,
            shape_ci: None,
            log_likelihood: ll,
            aic: 2.0 - 2.0 * ll,
            ks: ks_distance(&p, obs),
            note: None,
        });
    }
    let mut events: Vec<f64> = obs.iter().filter(|o| o.event).map(|o| o.t).collect();
    events.sort_by(f64::total_cmp);
    events.dedup();
    if events.len() < 2 {
        return Err(FitError::TooFew(format!(
            "{} needs at least two different event durations (has {})",
            law.name(),
            events.len()
        )));
    }
    let (lo, hi) = law.shape_bounds();
    let problem = Problem {
        law,
        obs,
        bounds: (lo.ln(), hi.ln()),
    };
    let start = [
        (total / d as f64).ln(),
        start_shape(law, obs).clamp(lo, hi).ln(),
    ];
    let mut x = nelder_mead(&problem, start, 0.5);
    x = nelder_mead(&problem, x, 0.05);
    // Newton polish on the finite-difference Hessian.
    for _ in 0..5 {
        let Some((g, h)) = derivatives(&problem, x) else {
            break;
        };
        let Some(inv) = invert(neg(h)) else {
            break;
        };
        let step = [
            inv[0][0] * g[0] + inv[0][1] * g[1],
            inv[1][0] * g[0] + inv[1][1] * g[1],
        ];
        let next = [x[0] + step[0], x[1] + step[1]];
        if problem.ll(next) > problem.ll(x) {
            x = next;
        } else {
            break;
        }
        if step[0].abs().max(step[1].abs()) < 1e-10 {
            break;
        }
    }
    let p = problem.params(x);
    let ll = problem.ll(x);
    let mut note = None;
    let at_edge = (x[1] - problem.bounds.0).abs() < 1e-3 || (problem.bounds.1 - x[1]).abs() < 1e-3;
    if at_edge {
        note = Some(format!(
            "{} at the edge of its range ({}..{}): the data do not pin it down",
            law.shape_name().unwrap_or("shape"),
            lo,
            hi
        ));
    }
    let cov = derivatives(&problem, x).and_then(|(_, h)| invert(neg(h)));
    let (mean_ci, shape_ci) = match cov {
        Some(c) if c[0][0] > 0.0 && c[1][1] > 0.0 && !at_edge => {
            let ci = |v: f64, var: f64| {
                let se = var.sqrt();
                (v * (-Z95 * se).exp(), v * (Z95 * se).exp())
            };
            (ci(p.mean, c[0][0]), Some(ci(p.shape, c[1][1])))
        }
        _ => {
            note.get_or_insert_with(|| {
                "the observed information is not positive definite: no interval".into()
            });
            ((f64::NAN, f64::NAN), Some((f64::NAN, f64::NAN)))
        }
    };
    Ok(Fit {
        law,
        mean: p.mean,
        mean_ci,
        shape: Some(p.shape),
        shape_ci,
        log_likelihood: ll,
        aic: 2.0 * law.parameters() as f64 - 2.0 * ll,
        ks: ks_distance(&p, obs),
        note,
    })
}

/// A starting shape from the events' spread: the method of moments on their coefficient of
/// variation (Weibull and gamma), the standard deviation of their logarithms (lognormal).
fn start_shape(law: Law, obs: &[Obs]) -> f64 {
    let ev: Vec<f64> = obs.iter().filter(|o| o.event).map(|o| o.t).collect();
    let n = ev.len() as f64;
    let m = ev.iter().sum::<f64>() / n;
    let var = ev.iter().map(|t| (t - m).powi(2)).sum::<f64>() / (n - 1.0).max(1.0);
    let cv = (var.sqrt() / m).max(1e-3);
    let s = match law {
        Law::Exponential => 1.0,
        Law::Weibull => cv.powf(-1.086),
        Law::Gamma => 1.0 / (cv * cv),
        Law::Lognormal => {
            let lm = ev.iter().map(|t| t.ln()).sum::<f64>() / n;
            (ev.iter().map(|t| (t.ln() - lm).powi(2)).sum::<f64>() / (n - 1.0).max(1.0)).sqrt()
        }
    };
    if s.is_finite() && s > 0.0 { s } else { 1.0 }
}

struct Problem<'a> {
    law: Law,
    obs: &'a [Obs],
    /// ln of the shape's range.
    bounds: (f64, f64),
}

impl Problem<'_> {
    fn params(&self, x: [f64; 2]) -> Params {
        Params {
            law: self.law,
            mean: x[0].exp(),
            shape: x[1].exp(),
        }
    }

    /// The log-likelihood at `(ln mean, ln shape)`; −∞ outside the shape's range or where it is not
    /// finite.
    fn ll(&self, x: [f64; 2]) -> f64 {
        if !(x[1] >= self.bounds.0 && x[1] <= self.bounds.1 && x[0].abs() < 700.0) {
            return f64::NEG_INFINITY;
        }
        let v = log_likelihood(&self.params(x), self.obs);
        if v.is_nan() { f64::NEG_INFINITY } else { v }
    }
}

/// The cost given to argmin where the likelihood is zero or undefined: finite, so that its
/// convergence test (the spread of the simplex's costs) stays a number.
const PENALTY: f64 = 1e30;

impl CostFunction for Problem<'_> {
    type Param = Vec<f64>;
    type Output = f64;

    fn cost(&self, p: &Vec<f64>) -> Result<f64, ArgminError> {
        let x = [
            p.first().copied().unwrap_or(0.0),
            p.get(1).copied().unwrap_or(0.0),
        ];
        let v = -self.ll(x);
        Ok(if v.is_finite() {
            v.min(PENALTY)
        } else {
            PENALTY
        })
    }
}

/// Nelder–Mead from `x` with a first simplex of side `step` (in log units); `x` itself if it fails.
fn nelder_mead(problem: &Problem, x: [f64; 2], step: f64) -> [f64; 2] {
    let simplex = vec![
        vec![x[0], x[1]],
        vec![x[0] + step, x[1]],
        vec![x[0], x[1] + step.copysign(problem.bounds.1 - x[1] - step)],
    ];
    let Ok(solver) = NelderMead::new(simplex).with_sd_tolerance(1e-11) else {
        return x;
    };
    let res = Executor::new(
        Problem {
            law: problem.law,
            obs: problem.obs,
            bounds: problem.bounds,
        },
        solver,
    )
    .configure(|s| s.max_iters(2000))
    .run();
    match res {
        Ok(r) => match r.state().get_best_param() {
            Some(b) if b.len() == 2 && problem.ll([b[0], b[1]]) >= problem.ll(x) => [b[0], b[1]],
            _ => x,
        },
        Err(_) => x,
    }
}

/// Gradient and Hessian of the log-likelihood at `x` by central differences; `None` where it is
/// not finite.
fn derivatives(p: &Problem, x: [f64; 2]) -> Option<([f64; 2], [[f64; 2]; 2])> {
    let h = 1e-4;
    let f = |a: f64, b: f64| p.ll([x[0] + a, x[1] + b]);
    let f0 = f(0.0, 0.0);
    let (fa, fa_) = (f(h, 0.0), f(-h, 0.0));
    let (fb, fb_) = (f(0.0, h), f(0.0, -h));
    let (fpp, fpm, fmp, fmm) = (f(h, h), f(h, -h), f(-h, h), f(-h, -h));
    let g = [(fa - fa_) / (2.0 * h), (fb - fb_) / (2.0 * h)];
    let haa = (fa - 2.0 * f0 + fa_) / (h * h);
    let hbb = (fb - 2.0 * f0 + fb_) / (h * h);
    let hab = (fpp - fpm - fmp + fmm) / (4.0 * h * h);
    let all = [g[0], g[1], haa, hbb, hab];
    all.iter()
        .all(|v| v.is_finite())
        .then_some((g, [[haa, hab], [hab, hbb]]))
}

fn neg(m: [[f64; 2]; 2]) -> [[f64; 2]; 2] {
    [[-m[0][0], -m[0][1]], [-m[1][0], -m[1][1]]]
}

/// The inverse of a positive definite 2×2 matrix; `None` otherwise.
fn invert(m: [[f64; 2]; 2]) -> Option<[[f64; 2]; 2]> {
    let det = m[0][0] * m[1][1] - m[0][1] * m[1][0];
    if !(det > 0.0 && m[0][0] > 0.0 && det.is_finite()) {
        return None;
    }
    Some([
        [m[1][1] / det, -m[0][1] / det],
        [-m[1][0] / det, m[0][0] / det],
    ])
}

/// The Kaplan–Meier estimate of the CDF at each distinct event duration: `(t, F(t⁻), F(t))`.
pub fn kaplan_meier(obs: &[Obs]) -> Vec<(f64, f64, f64)> {
    let mut sorted: Vec<Obs> = obs.to_vec();
    // Events before censorings at the same duration (a unit censored at t was at risk at t).
    sorted.sort_by(|a, b| a.t.total_cmp(&b.t).then(b.event.cmp(&a.event)));
    let mut at_risk = sorted.len() as f64;
    let mut s = 1.0;
    let mut out = Vec::new();
    let mut i = 0;
    while i < sorted.len() {
        let t = sorted[i].t;
        let mut d = 0.0;
        let mut n = 0.0;
        while i < sorted.len() && sorted[i].t == t {
            if sorted[i].event {
                d += 1.0;
            }
            n += 1.0;
            i += 1;
        }
        if d > 0.0 {
            let before = s;
            s *= 1.0 - d / at_risk;
            out.push((t, 1.0 - before, 1.0 - s));
        }
        at_risk -= n;
    }
    out
}

/// Plotting positions for a probability plot: each event duration with the midpoint of the
/// Kaplan–Meier step there (so that no point sits at F = 1).
pub fn plotting_positions(obs: &[Obs]) -> Vec<(f64, f64)> {
    kaplan_meier(obs)
        .into_iter()
        .map(|(t, before, after)| (t, 0.5 * (before + after)))
        .collect()
}

/// The Kolmogorov–Smirnov distance adapted to censoring: the largest gap between the fitted CDF and
/// the Kaplan–Meier estimate, on both sides of each of its steps. Without censoring, the usual
/// KS statistic. No p-value: with estimated parameters and censoring its tables do not apply.
pub fn ks_distance(p: &Params, obs: &[Obs]) -> f64 {
    kaplan_meier(obs)
        .into_iter()
        .map(|(t, before, after)| {
            let f = p.cdf(t);
            (f - before).abs().max((f - after).abs())
        })
        .fold(0.0, f64::max)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exponential_is_events_over_exposure() {
        let obs = [
            Obs {
                t: 3.0,
                event: true,
            },
            Obs {
                t: 5.0,
                event: false,
            },
            Obs {
                t: 4.0,
                event: true,
            },
        ];
        let f = fit(Law::Exponential, &obs).unwrap();
        assert_eq!(f.mean, 12.0 / 2.0);
        // The Weibull with shape 1 is the exponential: its fit is at least as likely.
        let w = fit(Law::Weibull, &obs).unwrap();
        assert!(w.log_likelihood >= f.log_likelihood - 1e-9);
    }

    #[test]
    fn kaplan_meier_steps() {
        let obs = [
            Obs {
                t: 1.0,
                event: true,
            },
            Obs {
                t: 2.0,
                event: false,
            },
            Obs {
                t: 3.0,
                event: true,
            },
            Obs {
                t: 4.0,
                event: true,
            },
        ];
        let km = kaplan_meier(&obs);
        assert_eq!(km[0], (1.0, 0.0, 0.25));
        // After the censoring at 2, two at risk at 3: S = 0.75 · 1/2.
        assert_eq!(km[1], (3.0, 0.25, 0.625));
        assert_eq!(km[2], (4.0, 0.625, 1.0));
    }

    #[test]
    fn degenerate_inputs_are_errors_not_panics() {
        assert!(fit(Law::Gamma, &[]).is_err());
        assert!(
            fit(
                Law::Weibull,
                &[Obs {
                    t: 2.0,
                    event: true
                }]
            )
            .is_err()
        );
        assert!(
            fit(
                Law::Lognormal,
                &[Obs {
                    t: 0.0,
                    event: true
                }]
            )
            .is_err()
        );
        let same = [
            Obs {
                t: 2.0,
                event: true,
            },
            Obs {
                t: 2.0,
                event: true,
            },
        ];
        assert!(fit(Law::Lognormal, &same).is_err());
        assert!(fit(Law::Exponential, &same).is_ok());
    }
}
