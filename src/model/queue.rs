//! Waiting at a role with a capacity: the M/M/c queue of its live instances (Erlang C), the law of
//! the wait cut at the timeout, and the latency CDF (by adaptive Simpson where it has no closed
//! form).

use crate::base::dist::Dist;
use crate::base::units::Hours;

/// Waiting in the queue of a role's live instances (M/M/c), for one number of live instances.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Queue {
    /// Probability that a request waits at all (Erlang C); 1 when saturated.
    pub p_wait: f64,
    /// Rate of the exponential tail of the wait, per hour (c·μ − λ); 0 when saturated.
    pub theta: f64,
    /// Probability that an attempt on a live instance is served before its timeout.
    pub in_time: f64,
}

impl Queue {
    /// No queueing: every attempt on a live instance is served at once.
    pub const NONE: Queue = Queue {
        p_wait: 0.0,
        theta: 0.0,
        in_time: 1.0,
    };

    /// The M/M/c queue of `c` servers each serving `mu` per hour, offered `lambda` per hour, for
    /// attempts that give up after `timeout`.
    pub fn mmc(c: usize, mu: f64, lambda: f64, timeout: Hours) -> Queue {
        let a = lambda / mu;
        if c == 0 || a >= c as f64 {
            return Queue {
                p_wait: 1.0,
                theta: 0.0,
                in_time: 0.0,
            };
        }
        // Erlang B by its stable recursion, then Erlang C from it.
        let mut b = 1.0;
        for k in 1..=c {
            b = a * b / (k as f64 + a * b);
        }
        let cf = c as f64;
        let p_wait = (cf * b / (cf - a * (1.0 - b))).clamp(0.0, 1.0);
        let theta = cf * mu - lambda;
        Queue {
            p_wait,
            theta,
            in_time: 1.0 - p_wait * (-theta * timeout).exp(),
        }
    }

    /// P(wait ≤ w) of an attempt that was served in time (the wait is cut at the timeout `t`).
    pub fn wait_cdf(&self, w: Hours, t: Hours) -> f64 {
        if w < 0.0 || self.in_time <= 0.0 {
            return 0.0;
        }
        let served_by = 1.0 - self.p_wait * (-self.theta * w.min(t)).exp();
        (served_by / self.in_time).min(1.0)
    }

    /// Mean wait of an attempt that was served in time (timeout `t`).
    pub fn mean_wait(&self, t: Hours) -> Hours {
        if self.p_wait <= 0.0 || self.in_time <= 0.0 || self.theta <= 0.0 {
            return 0.0;
        }
        let th = self.theta;
        self.p_wait * (1.0 / th - (-th * t).exp() * (t + 1.0 / th)) / self.in_time
    }

    /// Mean wait over all attempts (timeout `t`): E[min(W, t)] = C·(1 − e^{−θt})/θ, an attempt that
    /// times out having waited `t`.
    pub fn mean_wait_all(&self, t: Hours) -> Hours {
        if self.p_wait <= 0.0 || self.theta <= 0.0 {
            return 0.0;
        }
        let th = self.theta;
        self.p_wait * (1.0 - (-th * t).exp()) / th
    }

    /// P(wait + response ≤ y) of an attempt that was served in time (timeout `t`).
    pub fn latency_cdf(&self, response: &Dist, t: Hours, y: Hours) -> f64 {
        if y < 0.0 {
            return 0.0;
        }
        if self.p_wait <= 0.0 || self.in_time <= 0.0 || self.theta <= 0.0 {
            return response.cdf(y);
        }
        // With u = 1 − e^(−θw) the waiting part is uniform on [0, u_max] and its integrand monotone.
        let th = self.theta;
        let u_max = 1.0 - (-th * t.min(y)).exp();
        let waited = match response {
            Dist::Fixed { value } => {
                if y < *value {
                    0.0
                } else {
                    u_max.min(1.0 - (-th * (y - value)).exp())
                }
            }
            Dist::Empirical { samples } => {
                samples
                    .iter()
                    .map(|r| {
                        if y < *r {
                            0.0
                        } else {
                            u_max.min(1.0 - (-th * (y - r)).exp())
                        }
                    })
                    .sum::<f64>()
                    / samples.len() as f64
            }
            _ => {
                // Where 1 − u underflows, the wait is at its cut.
                let w_max = t.min(y);
                let f = |u: f64| response.cdf(y - (-(1.0 - u).ln() / th).min(w_max));
                adaptive_simpson(&f, 0.0, u_max, 1e-9)
            }
        };
        (((1.0 - self.p_wait) * response.cdf(y) + self.p_wait * waited) / self.in_time).min(1.0)
    }
}

/// ∫ f over [a, b] by adaptive Simpson to an absolute tolerance (f bounded and monotone here).
fn adaptive_simpson(f: &dyn Fn(f64) -> f64, a: f64, b: f64, tol: f64) -> f64 {
    fn step(
        f: &dyn Fn(f64) -> f64,
        (a, fa): (f64, f64),
        (m, fm): (f64, f64),
        (b, fb): (f64, f64),
        whole: f64,
        tol: f64,
        depth: u32,
    ) -> f64 {
        let (lm, rm) = (0.5 * (a + m), 0.5 * (m + b));
        let (flm, frm) = (f(lm), f(rm));
        let left = (m - a) / 6.0 * (fa + 4.0 * flm + fm);
        let right = (b - m) / 6.0 * (fm + 4.0 * frm + fb);
        let delta = left + right - whole;
        if depth == 0 || delta.abs() <= 15.0 * tol {
            return left + right + delta / 15.0;
        }
        step(f, (a, fa), (lm, flm), (m, fm), left, tol / 2.0, depth - 1)
            + step(f, (m, fm), (rm, frm), (b, fb), right, tol / 2.0, depth - 1)
    }
    if b <= a {
        return 0.0;
    }
    let fa = f(a);
    // Start from a few panels so that a step near one end is not missed by the first estimate.
    const PANELS: usize = 8;
    let h = (b - a) / PANELS as f64;
    let mut total = 0.0;
    let mut x0 = a;
    let mut f0 = fa;
    for i in 1..=PANELS {
        let x1 = if i == PANELS { b } else { a + h * i as f64 };
        let f1 = f(x1);
        let xm = 0.5 * (x0 + x1);
        let fxm = f(xm);
        let whole = (x1 - x0) / 6.0 * (f0 + 4.0 * fxm + f1);
        total += step(
            f,
            (x0, f0),
            (xm, fxm),
            (x1, f1),
            whole,
            tol / PANELS as f64,
            40,
        );
        x0 = x1;
        f0 = f1;
    }
    total
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn erlang_c_matches_textbook_values() {
        // c = 2, a = 1 Erlang: C = 1/3; c = 1: C = ρ (M/M/1).
        let q = Queue::mmc(2, 1.0, 1.0, 1.0);
        assert!((q.p_wait - 1.0 / 3.0).abs() < 1e-12, "{q:?}");
        assert!((q.theta - 1.0).abs() < 1e-12);
        let m1 = Queue::mmc(1, 4.0, 3.0, 0.5);
        assert!((m1.p_wait - 0.75).abs() < 1e-12);
        assert!((m1.in_time - (1.0 - 0.75 * (-0.5f64).exp())).abs() < 1e-12);
        // Saturated, and no server at all: nothing is served in time.
        assert_eq!(Queue::mmc(2, 1.0, 2.0, 1.0).in_time, 0.0);
        assert_eq!(Queue::mmc(0, 1.0, 0.5, 1.0).in_time, 0.0);
    }

    #[test]
    fn latency_cdf_is_the_convolution_of_wait_and_response() {
        // Exponential response (rate ν) after a wait that is 0 with probability 1 − C and Exp(θ)
        // otherwise (a timeout far beyond the tail): P(W + R ≤ y) = (1 − C)(1 − e^{−νy})
        // + C[1 − (ν e^{−θy} − θ e^{−νy}) / (ν − θ)].
        let q = Queue::mmc(3, 10.0, 24.0, 1e3);
        let nu = 7.0;
        let r = Dist::exponential(1.0 / nu).unwrap();
        let (c, th) = (q.p_wait, q.theta);
        for y in [0.01, 0.1, 0.3, 1.0, 3.0] {
            let exact = (1.0 - c) * (1.0 - (-nu * y).exp())
                + c * (1.0 - (nu * (-th * y).exp() - th * (-nu * y).exp()) / (nu - th));
            let got = q.latency_cdf(&r, 1e3, y);
            assert!((got - exact).abs() < 1e-8, "y = {y}: {got} vs {exact}");
        }
        // A fixed response shifts the cut wait: P(W' ≤ y − r).
        let t = 0.2;
        let q = Queue::mmc(2, 10.0, 15.0, t);
        let fixed = Dist::fixed(0.05).unwrap();
        for y in [0.0, 0.05, 0.1, 0.2, 0.25, 1.0] {
            let exact = q.wait_cdf(y - 0.05, t);
            assert!(
                (q.latency_cdf(&fixed, t, y) - exact).abs() < 1e-12,
                "y = {y}"
            );
        }
        assert_eq!(q.latency_cdf(&fixed, t, 0.25 + 1e-9), 1.0);
    }

    #[test]
    fn mean_wait_integrates_the_cut_law() {
        let t = 0.3;
        let q = Queue::mmc(2, 10.0, 15.0, t);
        // ∫_0^t (1 − F(w)) dw for the law of the wait given it ended by t.
        let steps = 100_000;
        let h = t / steps as f64;
        let numeric: f64 = (0..steps)
            .map(|i| 1.0 - q.wait_cdf((i as f64 + 0.5) * h, t))
            .sum::<f64>()
            * h;
        assert!(
            (q.mean_wait(t) - numeric).abs() < 1e-9,
            "{} vs {numeric}",
            q.mean_wait(t)
        );
        // Over all attempts: served in time with their mean wait, or timed out after t.
        let all = q.in_time * q.mean_wait(t) + (1.0 - q.in_time) * t;
        assert!(
            (q.mean_wait_all(t) - all).abs() < 1e-12,
            "{} vs {all}",
            q.mean_wait_all(t)
        );
    }
}
