//! Solving the chain: the steady-state distribution (dense GTH for small chains, Gauss–Seidel
//! sweeps for large ones, both free of subtractions) and the expected interval unavailability over
//! the mission by uniformisation.

use crate::base::units::Hours;

use super::MarkovError;
use super::chain::DOWN;
use super::space::Space;

/// Chains up to this size are solved densely (GTH, no subtractions); larger ones by Gauss–Seidel.
pub const DENSE_LIMIT: usize = 1000;

/// The steady-state distribution and how it was found.
#[derive(Debug, Clone)]
pub struct Stationary {
    /// π, by state.
    pub pi: Vec<f64>,
    /// "dense GTH" or "Gauss–Seidel".
    pub method: &'static str,
    /// Sweeps of the iterative solver (0 for the dense one).
    pub sweeps: usize,
    /// Largest relative balance residual |(πQ)_j| / (π_j q_j) over states.
    pub residual: f64,
}

/// Checks that every state can return to the start (the chain is irreducible).
fn check_irreducible(s: &Space) -> Result<(), MarkovError> {
    let mut incoming: Vec<Vec<u32>> = vec![Vec::new(); s.n];
    for i in 0..s.n {
        for (j, _) in s.out(i) {
            incoming[j].push(i as u32);
        }
    }
    let mut seen = vec![false; s.n];
    seen[0] = true;
    let mut stack = vec![0usize];
    while let Some(j) = stack.pop() {
        for &i in &incoming[j] {
            if !std::mem::replace(&mut seen[i as usize], true) {
                stack.push(i as usize);
            }
        }
    }
    let stuck = seen.iter().filter(|&&x| !x).count();
    if stuck > 0 {
        return Err(MarkovError::Reducible { stuck, states: s.n });
    }
    Ok(())
}

/// Largest relative balance residual of `pi`.
fn residual(s: &Space, incoming: &[(Vec<u32>, Vec<f64>)], pi: &[f64]) -> f64 {
    let mut worst: f64 = 0.0;
    for j in 0..s.n {
        let outflow = pi[j] * s.exit[j];
        let inflow: f64 = incoming[j]
            .0
            .iter()
            .zip(&incoming[j].1)
            .map(|(&i, &r)| pi[i as usize] * r)
            .sum();
        let scale = outflow.max(inflow);
        if scale > 0.0 {
            worst = worst.max((inflow - outflow).abs() / scale);
        }
    }
    worst
}

fn incoming(s: &Space) -> Vec<(Vec<u32>, Vec<f64>)> {
    let mut inc: Vec<(Vec<u32>, Vec<f64>)> = vec![(Vec::new(), Vec::new()); s.n];
    for i in 0..s.n {
        for (j, r) in s.out(i) {
            inc[j].0.push(i as u32);
            inc[j].1.push(r);
        }
    }
    inc
}

/// Solves πQ = 0, Σπ = 1: densely by the Grassmann–Taksar–Heyman algorithm for small chains (it never
/// subtracts, so tiny probabilities keep their relative accuracy), else by Gauss–Seidel sweeps in
/// breadth-first order (also subtraction-free) until the balance residual is below 1e-11.
pub fn stationary(s: &Space, force_iterative: bool) -> Result<Stationary, MarkovError> {
    check_irreducible(s)?;
    let inc = incoming(s);
    if s.n <= DENSE_LIMIT && !force_iterative {
        let pi = gth(s);
        let residual = residual(s, &inc, &pi);
        return Ok(Stationary {
            pi,
            method: "dense GTH",
            sweeps: 0,
            residual,
        });
    }
    const TOL: f64 = 1e-11;
    const MAX_SWEEPS: usize = 200_000;
    let mut pi = vec![1.0 / s.n as f64; s.n];
    let mut sweeps = 0;
    let mut res = f64::INFINITY;
    while sweeps < MAX_SWEEPS {
        // Forward then backward sweeps: flows run both ways (failures deeper, repairs back).
        for pass in 0..2 {
            for jj in 0..s.n {
                let j = if pass == 0 { jj } else { s.n - 1 - jj };
                let (from, rates) = &inc[j];
                let inflow: f64 = from
                    .iter()
                    .zip(rates)
                    .map(|(&i, &r)| pi[i as usize] * r)
                    .sum();
                if s.exit[j] > 0.0 {
                    pi[j] = inflow / s.exit[j];
                }
            }
        }
        let total: f64 = pi.iter().sum();
        for p in &mut pi {
            *p /= total;
        }
        sweeps += 1;
        if sweeps % 10 == 0 || sweeps < 10 {
            res = residual(s, &inc, &pi);
            if res < TOL {
                return Ok(Stationary {
                    pi,
                    method: "Gauss–Seidel",
                    sweeps,
                    residual: res,
                });
            }
        }
    }
    Err(MarkovError::NoConvergence {
        states: s.n,
        sweeps,
        residual: res,
    })
}

/// Grassmann–Taksar–Heyman state reduction on the dense rate matrix.
fn gth(s: &Space) -> Vec<f64> {
    let n = s.n;
    let mut a = vec![0.0; n * n];
    for i in 0..n {
        for (j, r) in s.out(i) {
            a[i * n + j] += r;
        }
    }
    for k in (1..n).rev() {
        let sum: f64 = a[k * n..k * n + k].iter().sum();
        // Irreducibility (checked) guarantees a way down from every state after reduction.
        let sum = if sum > 0.0 { sum } else { f64::MIN_POSITIVE };
        for i in 0..k {
            a[i * n + k] /= sum;
        }
        for i in 0..k {
            let aik = a[i * n + k];
            if aik == 0.0 {
                continue;
            }
            for j in 0..k {
                if i != j {
                    a[i * n + j] += aik * a[k * n + j];
                }
            }
        }
    }
    let mut pi = vec![0.0; n];
    pi[0] = 1.0;
    for j in 1..n {
        pi[j] = (0..j).map(|i| pi[i] * a[i * n + j]).sum();
    }
    let total: f64 = pi.iter().sum();
    pi.iter().map(|p| p / total).collect()
}

/// Work limit of the transient computation (transitions visited).
const INTERVAL_WORK: f64 = 4e9;

/// Expected unavailability over [0, T] from the all-up start, per entity, by uniformisation:
/// ∫₀ᵀ p(t) dt = (1/Λ) Σₖ P(N_T > k) pₖ with pₖ = p₀Pᵏ, P = I + Q/Λ and N_T Poisson(ΛT). Written as
/// T·U + (1/Λ) Σₖ wₖ (pₖ·down − U), the sum stops once pₖ·down has reached U for every entity (its
/// terms then vanish) or the Poisson tail is negligible. Every step adds non-negative terms, so tiny probabilities stay accurate.
pub(super) fn interval_unavailability(s: &Space, u: &[f64], t: Hours) -> Result<Vec<f64>, String> {
    let ne = s.entities;
    let lambda = 1.02 * s.exit.iter().cloned().fold(0.0, f64::max);
    if lambda <= 0.0 {
        return Ok(u.to_vec());
    }
    let m = lambda * t;
    let kmax = (m + 12.0 * m.sqrt() + 50.0).ceil();
    let nnz = (s.to.len() + s.n) as f64;
    let mut p = vec![0.0; s.n];
    p[0] = 1.0;
    let mut next = vec![0.0; s.n];
    let mut acc = vec![0.0; ne];
    let mut poisson = Poisson::new(m);
    let mut cdf = 0.0;
    let mut k: u64 = 0;
    let mut calm: u64 = 0;
    loop {
        if (k as f64) * nnz > INTERVAL_WORK {
            return Err(format!(
                "interval availability skipped: the chain mixes too slowly for its size ({} states, \
                 {k} uniformised steps without reaching steady state)",
                s.n
            ));
        }
        let pmf = poisson.next_pmf();
        cdf += pmf;
        let w = (1.0 - cdf).max(0.0);
        let mut worst: f64 = 0.0;
        for e in 0..ne {
            let down: f64 = (0..s.n)
                .filter(|&i| s.level[i * ne + e] == DOWN)
                .map(|i| p[i])
                .sum();
            let d = down - u[e];
            acc[e] += w * d;
            if u[e] > 0.0 {
                worst = worst.max(d.abs() / u[e]);
            }
        }
        // Converged once every entity has stayed at its steady state for a while: parts of the chain
        // that no entity sees (which node a cluster runs on) may mix far more slowly.
        calm = if worst < 1e-10 { calm + 1 } else { 0 };
        if calm > 2000 && calm > k / 10 || k as f64 > kmax || w == 0.0 && k as f64 > m {
            break;
        }
        uniformised_step(s, &p, &mut next, lambda);
        std::mem::swap(&mut p, &mut next);
        k += 1;
    }
    Ok((0..ne).map(|e| (u[e] + acc[e] / m).max(0.0)).collect())
}

/// The probabilities P(N = 0), P(N = 1), ... of a Poisson(m) count, one per call, computed in log
/// space (m, the uniformised steps of a mission, can be in the millions, where e^-m underflows).
pub(super) struct Poisson {
    m: f64,
    ln_m: f64,
    ln_fact: f64,
    k: u64,
}

impl Poisson {
    pub(super) fn new(m: f64) -> Self {
        Poisson {
            m,
            ln_m: m.ln(),
            ln_fact: 0.0,
            k: 0,
        }
    }

    /// P(N = k) for the next k.
    pub(super) fn next_pmf(&mut self) -> f64 {
        let k = self.k;
        self.k += 1;
        if k > 0 {
            self.ln_fact += (k as f64).ln();
            (-self.m + k as f64 * self.ln_m - self.ln_fact).exp()
        } else {
            (-self.m).exp()
        }
    }
}

/// One step of the uniformised chain: `next = p (I + Q/Λ)`.
pub(super) fn uniformised_step(s: &Space, p: &[f64], next: &mut [f64], lambda: f64) {
    for i in 0..s.n {
        next[i] = p[i] * (1.0 - s.exit[i] / lambda);
    }
    for (i, &pi) in p.iter().enumerate() {
        if pi == 0.0 {
            continue;
        }
        for (j, r) in s.out(i) {
            next[j] += pi * r / lambda;
        }
    }
}
