//! A small dense continuous-time Markov chain (CTMC) toolkit for exact answers, and closed forms for
//! independent two-state (up/down) components.
//!
//! A chain is a number of states and a list of transitions (from, to, rate), each with a label so that
//! expected counts of particular kinds of events can be computed. Everything is dense and solved by
//! Gaussian elimination with partial pivoting: plenty for the few hundred states the tests need.
//!
//! **Steady state.** πQ = 0 with Σπ = 1: the transposed balance equations with one of them replaced by
//! the normalisation (valid when the chain has a single recurrent class, as every chain built by
//! [`explore`] from one initial state of an irreducible model has).
//!
//! **Interval measures.** With p(t) = p₀e^{Qt}, the expected time spent in each state during [0, T] is
//! the row vector ∫₀ᵀ p(t) dt. Let Π = 1π (every row is π) and Z = (Π − Q)⁻¹ (the fundamental matrix).
//! Because p(t)·1 = 1, (∫₀ᵀ p dt)·Π = Tπ; because p′ = pQ, (∫₀ᵀ p dt)·Q = p(T) − p₀. Subtracting,
//! (∫₀ᵀ p dt)(Π − Q) = Tπ + p₀ − p(T), and as πZ = π:
//!
//! ```text
//!     ∫₀ᵀ p(t) dt = Tπ + (p₀ − p(T))·Z                      (exact)
//!                 = Tπ + (p₀ − π)·D + (π − p(T))·Z,   D = Z − Π the deviation matrix.
//! ```
//!
//! The last term decays like e^{−T·gap} (gap = the smallest non-zero |Re λ| of Q): for the missions of
//! hundreds of years used by the tests it is far below rounding, so Tπ + (p₀ − π)D is the whole answer.
//! [`Chain::occupancy`] nevertheless evaluates the exact form, with p(T) from a matrix exponential by
//! scaling and squaring (no uniformization), and [`Chain::occupancy_asymptotic`] the deviation-matrix
//! form; the unit tests below check both against closed forms.
//!
//! **Rate measures.** The expected number of i → j transitions in [0, T] is q_ij ∫₀ᵀ p_i(t) dt (the
//! compensator of the counting process), so counts of labelled transitions follow from the occupancy.

use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::hash::Hash;

/// A dense matrix, by rows.
pub type Matrix = Vec<Vec<f64>>;

/// One transition of a chain: `from` → `to` at `rate`, with a label naming the kind of event.
#[derive(Debug, Clone, PartialEq)]
pub struct Transition {
    pub from: usize,
    pub to: usize,
    pub rate: f64,
    pub label: &'static str,
}

/// A continuous-time Markov chain on states 0..n.
#[derive(Debug, Clone)]
pub struct Chain {
    pub n: usize,
    /// The generator: off-diagonal rates, diagonal minus the row's total rate.
    pub q: Vec<Vec<f64>>,
    /// Every transition as given (several may join the same pair of states; self-loops count as
    /// events but do not enter the generator).
    pub transitions: Vec<Transition>,
}

impl Chain {
    /// A chain from unlabelled transitions (from, to, rate).
    pub fn new(n: usize, transitions: &[(usize, usize, f64)]) -> Chain {
        Chain::labelled(
            n,
            transitions
                .iter()
                .map(|&(from, to, rate)| Transition {
                    from,
                    to,
                    rate,
                    label: "",
                })
                .collect(),
        )
    }

    /// A chain from labelled transitions.
    pub fn labelled(n: usize, transitions: Vec<Transition>) -> Chain {
        let mut q = vec![vec![0.0; n]; n];
        for t in &transitions {
            assert!(t.from < n && t.to < n, "transition {t:?} outside 0..{n}");
            assert!(
                t.rate.is_finite() && t.rate >= 0.0,
                "bad rate in {t:?} (rates must be finite and non-negative)"
            );
            if t.from != t.to {
                q[t.from][t.to] += t.rate;
                q[t.from][t.from] -= t.rate;
            }
        }
        Chain { n, q, transitions }
    }

    /// The steady-state distribution π (πQ = 0, Σπ = 1).
    pub fn steady_state(&self) -> Vec<f64> {
        let n = self.n;
        // Qᵀ πᵀ = 0, with the last equation replaced by Σπ = 1.
        let mut a: Vec<Vec<f64>> = (0..n)
            .map(|i| (0..n).map(|j| self.q[j][i]).collect())
            .collect();
        a[n - 1] = vec![1.0; n];
        let mut b = vec![0.0; n];
        b[n - 1] = 1.0;
        solve(a, b)
    }

    /// x·Z for the fundamental matrix Z = (1π − Q)⁻¹: solves x′(1π − Q) = x.
    fn times_fundamental(&self, pi: &[f64], x: &[f64]) -> Vec<f64> {
        let n = self.n;
        // (1π − Q)ᵀ has entries π_i − Q_ji at (i, j).
        let a = (0..n)
            .map(|i| (0..n).map(|j| pi[i] - self.q[j][i]).collect())
            .collect();
        solve(a, x.to_vec())
    }

    /// The deviation matrix D = Z − 1π (row i: ∫₀^∞ (P_i·(t) − π) dt).
    pub fn deviation(&self) -> Vec<Vec<f64>> {
        let pi = self.steady_state();
        (0..self.n)
            .map(|i| {
                let mut e = vec![0.0; self.n];
                e[i] = 1.0;
                let z = self.times_fundamental(&pi, &e);
                z.iter().zip(&pi).map(|(z, p)| z - p).collect()
            })
            .collect()
    }

    /// The distribution at time t from p0: p0·e^{Qt}.
    pub fn transient(&self, p0: &[f64], t: f64) -> Vec<f64> {
        let e = expm(&self.q, t);
        (0..self.n)
            .map(|j| (0..self.n).map(|i| p0[i] * e[i][j]).sum())
            .collect()
    }

    /// Expected time in each state during [0, t] from p0, exactly: tπ + (p0 − p(t))·Z.
    pub fn occupancy(&self, p0: &[f64], t: f64) -> Vec<f64> {
        let pi = self.steady_state();
        let pt = self.transient(p0, t);
        let diff: Vec<f64> = p0.iter().zip(&pt).map(|(a, b)| a - b).collect();
        let corr = self.times_fundamental(&pi, &diff);
        pi.iter().zip(&corr).map(|(p, c)| t * p + c).collect()
    }

    /// tπ + (p0 − π)·D: the occupancy without the term that decays like e^{−t·gap}.
    pub fn occupancy_asymptotic(&self, p0: &[f64], t: f64) -> Vec<f64> {
        let pi = self.steady_state();
        let z = self.times_fundamental(&pi, p0);
        // (p0 − π)D = p0·Z − π (since p0·1π = π, πZ = π and πΠ = π).
        pi.iter().zip(&z).map(|(p, z)| t * p + z - p).collect()
    }

    /// ∫₀^∞ P_π(the chain stays in `set` throughout [0, a]) da = π_W(−Q_W)⁻¹1, W = `set`: in steady
    /// state, the expected time since the chain last entered W, counted as 0 outside W (by time
    /// reversal, the probability of having stayed in W throughout [T − a, T] is the same). Used for
    /// the age of an interval still open at the mission end.
    pub fn stationary_stay(&self, set: &[bool]) -> f64 {
        let pi = self.steady_state();
        let w: Vec<usize> = (0..self.n).filter(|&i| set[i]).collect();
        if w.is_empty() {
            return 0.0;
        }
        // (−Q_W) y = 1.
        let a = w
            .iter()
            .map(|&i| w.iter().map(|&j| -self.q[i][j]).collect())
            .collect();
        let y = solve(a, vec![1.0; w.len()]);
        w.iter().zip(&y).map(|(&i, y)| pi[i] * y).sum()
    }

    /// Expected number of transitions accepted by `pick` given the occupancy `occ` of an interval.
    pub fn expected_transitions(&self, occ: &[f64], pick: impl Fn(&Transition) -> bool) -> f64 {
        self.transitions
            .iter()
            .filter(|t| pick(t))
            .map(|t| t.rate * occ[t.from])
            .sum()
    }
}

/// A chain generated from an initial state by a successor function, with its states.
#[derive(Debug, Clone)]
pub struct Explored<S> {
    /// States in discovery order; the initial state is 0.
    pub states: Vec<S>,
    pub chain: Chain,
}

/// Builds the chain reachable from `initial`: `next(s)` lists (successor, rate, label). Zero-rate
/// transitions are dropped, so states reachable only through them do not appear.
pub fn explore<S, F>(initial: S, next: F) -> Explored<S>
where
    S: Clone + Eq + Hash,
    F: FnMut(&S) -> Vec<(S, f64, &'static str)>,
{
    explore_with(initial, next, |_| Vec::new())
}

/// [`explore`], also closing the state set under instantaneous maps: `also(s)` lists states reached
/// from s by events outside the chain (deterministic maintenance actions, say), which become states
/// of the chain without transitions to them.
pub fn explore_with<S, F, G>(initial: S, mut next: F, also: G) -> Explored<S>
where
    S: Clone + Eq + Hash,
    F: FnMut(&S) -> Vec<(S, f64, &'static str)>,
    G: Fn(&S) -> Vec<S>,
{
    let mut index: HashMap<S, usize> = HashMap::new();
    let mut states = vec![initial.clone()];
    index.insert(initial, 0);
    let mut transitions = Vec::new();
    let mut i = 0;
    while i < states.len() {
        let s = states[i].clone();
        for (to, rate, label) in next(&s) {
            assert!(rate.is_finite() && rate >= 0.0, "bad rate {rate} ({label})");
            if rate == 0.0 {
                continue;
            }
            let j = match index.get(&to) {
                Some(&j) => j,
                None => {
                    states.push(to.clone());
                    index.insert(to, states.len() - 1);
                    states.len() - 1
                }
            };
            transitions.push(Transition {
                from: i,
                to: j,
                rate,
                label,
            });
        }
        for to in also(&s) {
            if let Entry::Vacant(e) = index.entry(to.clone()) {
                e.insert(states.len());
                states.push(to);
            }
        }
        i += 1;
    }
    Explored {
        chain: Chain::labelled(states.len(), transitions),
        states,
    }
}

impl<S: Eq> Explored<S> {
    /// Index of a state.
    pub fn index_of(&self, s: &S) -> usize {
        self.states
            .iter()
            .position(|x| x == s)
            .expect("state not in the chain")
    }
}

impl<S> Explored<S> {
    /// Expected time in each state during [0, t], starting in the initial state.
    pub fn occupancy(&self, t: f64) -> Vec<f64> {
        let mut p0 = vec![0.0; self.chain.n];
        p0[0] = 1.0;
        self.chain.occupancy(&p0, t)
    }

    /// Expected time in states satisfying `pred`, given an occupancy.
    pub fn time_in(&self, occ: &[f64], pred: impl Fn(&S) -> bool) -> f64 {
        self.states
            .iter()
            .zip(occ)
            .filter(|(s, _)| pred(s))
            .map(|(_, o)| o)
            .sum()
    }

    /// [`Chain::stationary_stay`] of the states satisfying `pred`.
    pub fn stationary_stay(&self, pred: impl Fn(&S) -> bool) -> f64 {
        let set: Vec<bool> = self.states.iter().map(pred).collect();
        self.chain.stationary_stay(&set)
    }

    /// Expected number of transitions accepted by `pick(label, from, to)`, given an occupancy.
    pub fn count(&self, occ: &[f64], pick: impl Fn(&str, &S, &S) -> bool) -> f64 {
        self.chain.expected_transitions(occ, |t| {
            pick(t.label, &self.states[t.from], &self.states[t.to])
        })
    }
}

/// Solves A x = b by Gaussian elimination with partial pivoting.
pub fn solve(mut a: Vec<Vec<f64>>, mut b: Vec<f64>) -> Vec<f64> {
    let n = b.len();
    for k in 0..n {
        let p = (k..n)
            .max_by(|&i, &j| a[i][k].abs().total_cmp(&a[j][k].abs()))
            .expect("non-empty");
        assert!(a[p][k].abs() > 1e-300, "singular matrix at column {k}");
        a.swap(k, p);
        b.swap(k, p);
        let (top, rest) = a.split_at_mut(k + 1);
        let pivot_row = &top[k];
        for (r, row) in rest.iter_mut().enumerate() {
            let f = row[k] / pivot_row[k];
            if f != 0.0 {
                for (x, y) in row[k..].iter_mut().zip(&pivot_row[k..]) {
                    *x -= f * y;
                }
                b[k + 1 + r] -= f * b[k];
            }
        }
    }
    let mut x = vec![0.0; n];
    for k in (0..n).rev() {
        let s: f64 = (k + 1..n).map(|j| a[k][j] * x[j]).sum();
        x[k] = (b[k] - s) / a[k][k];
    }
    x
}

fn mat_mul(a: &[Vec<f64>], b: &[Vec<f64>]) -> Vec<Vec<f64>> {
    let n = a.len();
    let mut c = vec![vec![0.0; n]; n];
    for (ci, ai) in c.iter_mut().zip(a) {
        for (k, &aik) in ai.iter().enumerate() {
            if aik != 0.0 {
                for (x, y) in ci.iter_mut().zip(&b[k]) {
                    *x += aik * y;
                }
            }
        }
    }
    c
}

/// e^{Qt} by scaling and squaring: a Taylor series for e^{Qh} with ‖Qh‖∞ ≤ 1/2, squared k times.
pub fn expm(q: &[Vec<f64>], t: f64) -> Vec<Vec<f64>> {
    let n = q.len();
    let norm = q
        .iter()
        .map(|r| r.iter().map(|x| x.abs()).sum::<f64>())
        .fold(0.0, f64::max);
    let (mut h, mut k) = (t, 0);
    while h * norm > 0.5 {
        h /= 2.0;
        k += 1;
    }
    let identity: Vec<Vec<f64>> = (0..n)
        .map(|i| (0..n).map(|j| if i == j { 1.0 } else { 0.0 }).collect())
        .collect();
    let a: Vec<Vec<f64>> = q
        .iter()
        .map(|r| r.iter().map(|x| x * h).collect())
        .collect();
    let mut sum = identity.clone();
    let mut term = identity;
    for j in 1..40 {
        term = mat_mul(&term, &a);
        let mut biggest: f64 = 0.0;
        for (sr, tr) in sum.iter_mut().zip(term.iter_mut()) {
            for (s, x) in sr.iter_mut().zip(tr.iter_mut()) {
                *x /= j as f64;
                *s += *x;
                biggest = biggest.max(x.abs());
            }
        }
        if biggest < 1e-18 {
            break;
        }
    }
    for _ in 0..k {
        sum = mat_mul(&sum, &sum);
    }
    sum
}

/// (e^{Qt}, ∫₀ᵗ e^{Qu} du) from one exponential of the block matrix [[Q, I], [0, 0]] (Van Loan):
/// its top-left block is e^{Qt} and its top-right block the integral. Row i of the integral is the
/// expected time in each state during [0, t] from state i, for any chain (reducible or not).
pub fn expm_integral(q: &[Vec<f64>], t: f64) -> (Matrix, Matrix) {
    let n = q.len();
    let mut big = vec![vec![0.0; 2 * n]; 2 * n];
    for i in 0..n {
        big[i][..n].copy_from_slice(&q[i]);
        big[i][n + i] = 1.0;
    }
    let e = expm(&big, t);
    let p = e[..n].iter().map(|r| r[..n].to_vec()).collect();
    let integral = e[..n].iter().map(|r| r[n..].to_vec()).collect();
    (p, integral)
}

/// Row vector times matrix.
pub fn vec_mat(p: &[f64], m: &[Vec<f64>]) -> Vec<f64> {
    let mut out = vec![0.0; m.first().map_or(0, |r| r.len())];
    for (&x, row) in p.iter().zip(m) {
        if x != 0.0 {
            for (o, y) in out.iter_mut().zip(row) {
                *o += x * y;
            }
        }
    }
    out
}

/// A function of time Σ c·e^{−r·t}, stored as (c, r) pairs: the transition probabilities of
/// independent two-state components and their products are of this form, and integrate exactly.
#[derive(Debug, Clone, PartialEq)]
pub struct ExpSum(pub Vec<(f64, f64)>);

impl ExpSum {
    /// The constant c.
    pub fn constant(c: f64) -> ExpSum {
        ExpSum(vec![(c, 0.0)])
    }

    /// a + b·e^{−r·t}.
    pub fn affine(a: f64, b: f64, r: f64) -> ExpSum {
        ExpSum(vec![(a, 0.0), (b, r)])
    }

    /// Value at t.
    pub fn at(&self, t: f64) -> f64 {
        self.0.iter().map(|&(c, r)| c * (-r * t).exp()).sum()
    }

    /// The product of two sums (terms with equal rates are merged).
    pub fn times(&self, o: &ExpSum) -> ExpSum {
        let mut out: Vec<(f64, f64)> = Vec::new();
        for &(c1, r1) in &self.0 {
            for &(c2, r2) in &o.0 {
                let r = r1 + r2;
                match out.iter_mut().find(|(_, x)| *x == r) {
                    Some(e) => e.0 += c1 * c2,
                    None => out.push((c1 * c2, r)),
                }
            }
        }
        ExpSum(out)
    }

    /// self + k·o.
    pub fn plus_scaled(&self, k: f64, o: &ExpSum) -> ExpSum {
        let mut out = self.0.clone();
        for &(c, r) in &o.0 {
            match out.iter_mut().find(|(_, x)| *x == r) {
                Some(e) => e.0 += k * c,
                None => out.push((k * c, r)),
            }
        }
        ExpSum(out)
    }

    /// k·self.
    pub fn scaled(&self, k: f64) -> ExpSum {
        ExpSum(self.0.iter().map(|&(c, r)| (k * c, r)).collect())
    }

    /// The function shifted by d: t ↦ f(t + d).
    pub fn shifted(&self, d: f64) -> ExpSum {
        ExpSum(
            self.0
                .iter()
                .map(|&(c, r)| (c * (-r * d).exp(), r))
                .collect(),
        )
    }

    /// ∫ₐᵇ f(t) dt, exactly.
    pub fn integral(&self, a: f64, b: f64) -> f64 {
        self.0
            .iter()
            .map(|&(c, r)| {
                if r == 0.0 {
                    c * (b - a)
                } else {
                    // e^{−ra}(1 − e^{−r(b−a)})/r, without cancellation for small r(b − a).
                    c * (-r * a).exp() * -(-r * (b - a)).exp_m1() / r
                }
            })
            .sum()
    }
}

/// A two-state component with failure rate λ and repair rate μ (exponential times).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TwoState {
    pub lambda: f64,
    pub mu: f64,
}

impl TwoState {
    /// From the mean time to failure and mean time to repair, hours.
    pub fn from_means(mttf: f64, mttr: f64) -> TwoState {
        TwoState {
            lambda: 1.0 / mttf,
            mu: 1.0 / mttr,
        }
    }

    /// Steady-state probability of being down, q = λ/(λ+μ).
    pub fn q(&self) -> f64 {
        self.lambda / (self.lambda + self.mu)
    }

    /// Relaxation rate σ = λ + μ.
    pub fn sigma(&self) -> f64 {
        self.lambda + self.mu
    }

    /// P(up at τ | up at 0) = 1 − q + q·e^{−στ}.
    pub fn up_up(&self) -> ExpSum {
        ExpSum::affine(1.0 - self.q(), self.q(), self.sigma())
    }

    /// P(down at τ | up at 0) = q − q·e^{−στ}.
    pub fn up_down(&self) -> ExpSum {
        ExpSum::affine(self.q(), -self.q(), self.sigma())
    }

    /// P(up at τ | down at 0) = (1 − q)(1 − e^{−στ}).
    pub fn down_up(&self) -> ExpSum {
        ExpSum::affine(1.0 - self.q(), -(1.0 - self.q()), self.sigma())
    }

    /// P(down at τ | down at 0) = q + (1 − q)·e^{−στ}.
    pub fn down_down(&self) -> ExpSum {
        ExpSum::affine(self.q(), 1.0 - self.q(), self.sigma())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64, rel: f64) -> bool {
        (a - b).abs() <= rel * b.abs().max(1e-300)
    }

    /// State 0 up, 1 down: the closed form of exact.rs, p_down(t) = q(1 − e^{−st}), so
    /// ∫₀ᵀ p_down = qT − q(1 − e^{−sT})/s.
    #[test]
    fn two_state_chain_matches_closed_form() {
        let (lambda, mu) = (1.0 / 1000.0, 1.0 / 10.0);
        let c = Chain::new(2, &[(0, 1, lambda), (1, 0, mu)]);
        let (q, s) = (lambda / (lambda + mu), lambda + mu);
        let pi = c.steady_state();
        assert!(close(pi[1], q, 1e-13) && close(pi[0], 1.0 - q, 1e-13));
        for t in [0.5, 5.0, 50.0, 1000.0, 8.76e6] {
            let exact_down = q * t - q * (1.0 - (-s * t).exp()) / s;
            let occ = c.occupancy(&[1.0, 0.0], t);
            assert!(
                close(occ[1], exact_down, 1e-9),
                "t {t}: {} vs {exact_down}",
                occ[1]
            );
            assert!(close(occ[0] + occ[1], t, 1e-12));
            let p = c.transient(&[1.0, 0.0], t);
            assert!(close(p[1], q * (1.0 - (-s * t).exp()), 1e-9));
            // Expected failures: λ·∫p_up.
            let fails = c.expected_transitions(&occ, |tr| tr.from == 0);
            assert!(close(fails, lambda * (t - exact_down), 1e-9));
            // The closed form through ExpSum.
            let ts = TwoState { lambda, mu };
            assert!(close(ts.up_down().integral(0.0, t), exact_down, 1e-9));
        }
        // Long missions: the asymptotic form is the exact one to rounding; the correction is −q/s.
        let t = 8.76e6;
        let a = c.occupancy_asymptotic(&[1.0, 0.0], t);
        assert!(close(a[1], q * t - q / s, 1e-12));
        // Van Loan: the integral of e^{Qu} from the up state is the occupancy.
        for t in [3.0, 300.0] {
            let (p, integral) = expm_integral(&c.q, t);
            let occ = c.occupancy(&[1.0, 0.0], t);
            assert!(close(integral[0][1], occ[1], 1e-9) && close(integral[0][0], occ[0], 1e-9));
            assert!(close(p[0][1], q * (1.0 - (-s * t).exp()), 1e-9));
            assert!(close(
                vec_mat(&[0.25, 0.75], &p)[1],
                0.25 * p[0][1] + 0.75 * p[1][1],
                1e-14
            ));
        }
        // Age of a repair in progress at a stationary time: π_down·(1/μ).
        assert!(close(c.stationary_stay(&[false, true]), q / mu, 1e-12));
        let d = c.deviation();
        assert!(close(d[0][1], -q / s, 1e-9));
        assert!(close(d[1][1], (1.0 - q) / s, 1e-9));
    }

    /// A three-state birth–death chain: occupancy against a fine RK4 integration of p′ = pQ, and
    /// steady state against detailed balance.
    #[test]
    fn three_state_chain_matches_numerical_integration() {
        let c = Chain::new(
            3,
            &[
                (0, 1, 0.3),
                (1, 0, 1.0),
                (1, 2, 0.2),
                (2, 1, 2.0),
                (2, 0, 0.5),
            ],
        );
        let pi = c.steady_state();
        let res: Vec<f64> = (0..3)
            .map(|j| (0..3).map(|i| pi[i] * c.q[i][j]).sum())
            .collect();
        assert!(res.iter().all(|r| r.abs() < 1e-15), "{res:?}");
        let t_end = 7.0;
        let steps = 7_000;
        let h = t_end / steps as f64;
        // RK4 on the augmented system y = (p, ∫p): p′ = pQ, (∫p)′ = p.
        let deriv = |y: &[f64]| -> Vec<f64> {
            let mut d: Vec<f64> = (0..3)
                .map(|j| (0..3).map(|i| y[i] * c.q[i][j]).sum())
                .collect();
            d.extend_from_slice(&y[..3]);
            d
        };
        let p0 = vec![0.2, 0.3, 0.5];
        let mut y = vec![0.2, 0.3, 0.5, 0.0, 0.0, 0.0];
        let add = |a: &[f64], k: &[f64], f: f64| -> Vec<f64> {
            a.iter().zip(k).map(|(x, d)| x + f * d).collect()
        };
        for _ in 0..steps {
            let k1 = deriv(&y);
            let k2 = deriv(&add(&y, &k1, h / 2.0));
            let k3 = deriv(&add(&y, &k2, h / 2.0));
            let k4 = deriv(&add(&y, &k3, h));
            for i in 0..6 {
                y[i] += h / 6.0 * (k1[i] + 2.0 * k2[i] + 2.0 * k3[i] + k4[i]);
            }
        }
        let occ = c.occupancy(&p0, t_end);
        let pt = c.transient(&p0, t_end);
        for i in 0..3 {
            assert!(close(pt[i], y[i], 1e-11), "{pt:?} vs {y:?}");
            assert!(close(occ[i], y[3 + i], 1e-11), "{occ:?} vs {y:?}");
        }
    }

    /// ExpSum products against the binomial expansion used by exact.rs (mean of p(t)^k).
    #[test]
    fn exp_sums_integrate_products() {
        let ts = TwoState::from_means(1000.0, 10.0);
        let (q, s) = (ts.q(), ts.sigma());
        let t = 3000.0;
        let p = ts.up_down();
        let p3 = p.times(&p).times(&p);
        // ∫(q(1 − e^{−st}))³ = q³[t − 3(1−e^{−st})/s + 3(1−e^{−2st})/(2s) − (1−e^{−3st})/(3s)].
        let e = |k: f64| (1.0 - (-k * s * t).exp()) / (k * s);
        let exact = q.powi(3) * (t - 3.0 * e(1.0) + 3.0 * e(2.0) - e(3.0));
        assert!(close(p3.integral(0.0, t), exact, 1e-10));
        // Shifting and splitting intervals.
        let a = p3.integral(0.0, 1000.0) + p3.shifted(1000.0).integral(0.0, 2000.0);
        assert!(close(a, exact, 1e-10));
        // Chapman–Kolmogorov: P_ud(τ1 + τ2) = P_uu(τ1)P_ud(τ2) + P_ud(τ1)P_dd(τ2).
        let (t1, t2) = (7.0, 13.0);
        let lhs = ts.up_down().at(t1 + t2);
        let rhs =
            ts.up_up().at(t1) * ts.up_down().at(t2) + ts.up_down().at(t1) * ts.down_down().at(t2);
        assert!(close(lhs, rhs, 1e-12));
        assert!(close(
            ts.down_up().at(t1) + ts.down_down().at(t1),
            1.0,
            1e-14
        ));
    }
}
