//! Data age (`stale_after`): how old the data a client keeps (a policy, an inventory) is, the data
//! being refreshed by each of its requests that succeeds.
//!
//! A client's requests are a Poisson process (rate λ, `every` being their mean interval); between two
//! changes of the instances' state a request succeeds with a fixed probability p, so its successful
//! requests are a Poisson process of intensity μ = λ·p, piecewise constant in time. The age at t then
//! exceeds a with probability exp(−∫_{t−a}^t μ), the same for every client: the client-time spent at
//! each age is integrated in closed form per stretch of constant μ, at a cost set by the number of
//! state changes, never by the number of clients. p of a stretch is the share of its requests that
//! succeeded as the evaluation counted them (closed form, or the probe requests near a change), so
//! retries, the fallback (delayed or not), connections and work in flight refresh the data as they
//! make requests succeed; the refresh is dated at the request's arrival.

use std::collections::VecDeque;
use std::sync::LazyLock;

use super::age_periodic::PeriodicAge;
use crate::base::units::Hours;

/// Lowest bin edge of the age histogram, as a power of two of hours (2⁻⁶ h ≈ 56 s).
pub const AGE_MIN_OCTAVE: i32 = -6;
/// Bins per doubling of the age histogram (edges 9% apart; quantiles interpolate between them).
pub const AGE_PER_OCTAVE: i32 = 8;
/// Doublings the age histogram spans (up to 2¹⁶ h ≈ 7.5 years).
pub const AGE_OCTAVES: i32 = 22;
/// Bins of the age histogram: below the lowest edge, one per step between edges, above the highest.
pub const AGE_BINS: usize = (AGE_OCTAVES * AGE_PER_OCTAVE + 2) as usize;

/// Edge `i` (0 ..= `AGE_OCTAVES · AGE_PER_OCTAVE`) of the age histogram, hours: bin 0 is
/// `[0, edge 0)`, bin i + 1 is `[edge i, edge i+1)`, the last bin is `[last edge, ∞)`.
#[inline]
pub fn age_edge(i: usize) -> Hours {
    ((AGE_MIN_OCTAVE as f64) + i as f64 / AGE_PER_OCTAVE as f64).exp2()
}

/// Every edge of the age histogram, [`age_edge`] computed once: the loops over the edges at each
/// state change then cost one exponential less per edge, with the same values to the bit.
static EDGES: LazyLock<Vec<Hours>> = LazyLock::new(|| (0..AGE_BINS - 1).map(age_edge).collect());

/// The edges of the age histogram (see [`age_edge`]).
#[inline]
pub(super) fn age_edges() -> &'static [Hours] {
    &EDGES
}

/// Survival beyond which older stretches no longer matter: e^−40 ≈ 4·10⁻¹⁸.
const FORGET: f64 = 40.0;

/// What one replication's clients of a request kind saw of data age (per client: every client sees
/// the same distribution).
#[derive(Debug, Clone, Default)]
pub struct AgeFigures {
    /// ∫ E[age] dt over the mission, hours².
    pub age_time: f64,
    /// ∫ P(age > stale_after) dt over the mission, hours.
    pub stale_time: Hours,
    /// Time spent in each bin of the age histogram (see [`age_edge`]), hours.
    pub bins: Vec<Hours>,
    /// Longest stretch in which no request could succeed (every client's data got at least that old).
    pub worst: Hours,
}

/// The age distribution of one request kind's clients as the replication goes on.
#[derive(Debug, Clone)]
pub(super) struct AgeState {
    stale_after: Hours,
    /// Success intensity before the mission (every instance up), per hour.
    initial: f64,
    /// Past stretches, newest first: (length, success intensity); the oldest may be infinitely long.
    past: VecDeque<(Hours, f64)>,
    /// E[age] now.
    mean: Hours,
    /// Stretches are accounted up to here.
    now: Hours,
    /// Start of the current stretch with no possible success, if in one.
    dry_since: Option<Hours>,
    /// Time spent with the age distribution at equilibrium, per success intensity.
    steady: Vec<(f64, Hours)>,
    /// With periodic refresh (`refresh = "periodic"`): the polls' state, and the poll interval.
    periodic: Option<(PeriodicAge, Hours)>,
    /// Whether this kind's clients are its own now (false for the moved clients of a reassigned
    /// kind while they are home, and for that kind while they are away).
    held: bool,
}

impl AgeState {
    /// The data-age state of a kind whose requests refresh at rate `initial` per hour with every
    /// instance up, data being stale after `stale_after`.
    pub(super) fn new(stale_after: Hours, initial: f64) -> Self {
        AgeState {
            stale_after,
            initial,
            past: VecDeque::new(),
            mean: 0.0,
            now: 0.0,
            dry_since: None,
            steady: Vec::new(),
            periodic: None,
            held: true,
        }
    }

    /// The data-age state of a kind whose clients poll exactly every `every` (phases spread evenly),
    /// a poll succeeding with probability `initial` with every instance up.
    pub(super) fn periodic(stale_after: Hours, every: Hours, initial: f64) -> Self {
        AgeState {
            periodic: Some((PeriodicAge::new(every, stale_after, initial), every)),
            ..AgeState::new(stale_after, 0.0)
        }
    }

    /// Empty figures for this kind.
    pub(super) fn figures() -> AgeFigures {
        AgeFigures {
            bins: vec![0.0; AGE_BINS],
            ..Default::default()
        }
    }

    /// Starts a replication: before it, every instance was up for ever.
    pub(super) fn reset(&mut self, f: &mut AgeFigures) {
        f.age_time = 0.0;
        f.stale_time = 0.0;
        f.bins.fill(0.0);
        f.worst = 0.0;
        self.held = true;
        if let Some((p, _)) = &mut self.periodic {
            return p.reset(f);
        }
        self.past.clear();
        if self.initial > 0.0 {
            self.past.push_back((f64::INFINITY, self.initial));
            self.mean = 1.0 / self.initial;
        } else {
            self.mean = 0.0;
        }
        self.now = 0.0;
        self.dry_since = None;
        self.steady.clear();
    }

    /// Accounts for `[from, to)`, in which a client's requests succeed at rate `mu` per hour.
    pub(super) fn stretch(&mut self, f: &mut AgeFigures, from: Hours, to: Hours, mu: f64) {
        if let Some((p, every)) = &mut self.periodic {
            // A poll succeeds with probability μ / λ, λ = 1 / every.
            return p.stretch(f, from, to, mu * *every);
        }
        debug_assert!((from - self.now).abs() <= 1e-9 * from.abs().max(1.0));
        let len = to - from;
        if len <= 0.0 {
            return;
        }
        self.now = to;
        if mu <= 0.0 {
            let since = *self.dry_since.get_or_insert(from);
            f.worst = f.worst.max(to - since);
        } else {
            self.dry_since = None;
        }
        // E[age(from + x)] = (1 − e^{−μx})/μ + e^{−μx}·E[age(from)].
        let (decay, held) = if mu > 0.0 {
            let held = -(-mu * len).exp_m1() / mu; // ∫₀^len e^{−μx} dx
            ((-mu * len).exp(), held)
        } else {
            (1.0, len)
        };
        let fresh_time = if mu > 0.0 {
            if mu * len < 1e-4 {
                len * len / 2.0 - mu * len * len * len / 6.0
            } else {
                (len - held) / mu
            }
        } else {
            len * len / 2.0
        };
        f.age_time += fresh_time + self.mean * held;
        self.mean = if mu > 0.0 {
            -(-mu * len).exp_m1() / mu + decay * self.mean
        } else {
            self.mean + len
        };
        // After FORGET/μ the start no longer shows: the rest is at equilibrium, e^{−μa}.
        let transient = if mu > 0.0 { len.min(FORGET / mu) } else { len };
        if len > transient {
            match self.steady.iter_mut().find(|s| s.0 == mu) {
                Some(s) => s.1 += len - transient,
                None => self.steady.push((mu, len - transient)),
            }
        }
        if !self.at_equilibrium(mu) {
            f.stale_time += self.above(self.stale_after, transient, mu);
            let mut prev = transient; // above(0)
            let edges = age_edges();
            let mut i = 0;
            // Beyond a negligible tail the rest goes to the next bin (the last is unbounded).
            while i < AGE_BINS - 1 && prev > 1e-13 * transient {
                let above = self.above(edges[i], transient, mu);
                f.bins[i] += (prev - above).max(0.0);
                prev = above;
                i += 1;
            }
            f.bins[i] += prev;
        } else {
            match self.steady.iter_mut().find(|s| s.0 == mu) {
                Some(s) => s.1 += transient,
                None => self.steady.push((mu, transient)),
            }
        }
        self.push(len, mu);
    }

    /// Whether the age distribution is already e^{−μa} (a long enough stretch at `mu` just before).
    fn at_equilibrium(&self, mu: f64) -> bool {
        mu > 0.0 && self.past.len() == 1 && self.past[0] == (f64::INFINITY, mu)
    }

    /// ∫₀^len P(age(now + x) > a) dx for a stretch of rate `mu` starting now (before `push`).
    fn above(&self, a: Hours, len: Hours, mu: f64) -> Hours {
        // x ≥ a: the last a hours lie inside the stretch, so P(age > a) = e^{−μa}.
        let mut total = if a < len {
            (len - a) * (-mu * a).exp()
        } else {
            0.0
        };
        // x < min(a, len): P = e^{−μx}·S₀(a − x), S₀ the survival at the stretch's start.
        let xmax = a.min(len);
        let mut start = 0.0; // age at which past stretch j begins
        let mut log_k = 0.0; // ln S₀(start)
        for &(d, m) in &self.past {
            let end = start + d;
            // Ages y = a − x in [start, end), x in [0, xmax).
            let x_lo = (a - end).max(0.0);
            let x_hi = xmax.min(a - start);
            if x_hi > x_lo {
                let e = |x: f64| log_k - m * (a - x - start) - mu * x;
                total += exp_integral(e(x_lo), e(x_hi), x_hi - x_lo);
            }
            if end >= a || !end.is_finite() {
                break;
            }
            log_k -= m * d;
            start = end;
        }
        total
    }

    /// Records the stretch just accounted as the newest past one, forgetting what no longer shows.
    fn push(&mut self, len: Hours, mu: f64) {
        if mu * len >= FORGET {
            self.past.clear();
            self.past.push_back((f64::INFINITY, mu));
            return;
        }
        match self.past.front_mut() {
            Some(front) if front.1 == mu && front.0.is_finite() => front.0 += len,
            _ => self.past.push_front((len, mu)),
        }
        let mut log_k = 0.0;
        let mut keep = self.past.len();
        for (j, &(d, m)) in self.past.iter().enumerate() {
            log_k -= m * d;
            if log_k < -FORGET {
                keep = j + 1;
                break;
            }
        }
        self.past.truncate(keep);
    }

    /// At the start, this kind's clients are elsewhere (the moved clients of a reassigned kind):
    /// their age is the other kind's until it hands it over.
    pub(super) fn release(&mut self, f: &mut AgeFigures) {
        self.held = false;
        if let Some((p, _)) = &mut self.periodic {
            p.release(f);
        }
    }

    /// The clients of `from` are moved here: their age distribution comes with them, this kind's
    /// figures and the time it spent at equilibrium stay its own, and `from` no longer holds them.
    pub(super) fn take_over(&mut self, from: &mut AgeState) {
        let steady = std::mem::take(&mut self.steady);
        match (&mut self.periodic, &from.periodic) {
            (Some((p, _)), Some((q, _))) => p.take_over(q),
            _ => {
                self.past.clone_from(&from.past);
                self.mean = from.mean;
                self.now = from.now;
                self.dry_since = from.dry_since;
            }
        }
        self.steady = steady;
        self.held = true;
        from.held = false;
    }

    /// Ends the replication: the time at equilibrium joins the figures.
    pub(super) fn finish(&mut self, f: &mut AgeFigures) {
        if let Some((p, _)) = &mut self.periodic {
            return p.finish(f, self.held);
        }
        let tau = self.stale_after;
        let edges = age_edges();
        for &(mu, time) in &self.steady {
            f.stale_time += time * (-mu * tau).exp();
            let mut prev = 1.0;
            let mut i = 0;
            while i < AGE_BINS - 1 && prev > 1e-13 {
                let s = (-mu * edges[i]).exp();
                f.bins[i] += time * (prev - s).max(0.0);
                prev = s;
                i += 1;
            }
            f.bins[i] += time * prev;
        }
        self.steady.clear();
    }
}

/// ∫ e^{E(x)} dx over an interval of width `w` on which E is linear, from `e0` to `e1` (stable for
/// any slope).
#[inline]
fn exp_integral(e0: f64, e1: f64, w: f64) -> f64 {
    let top = e0.max(e1);
    let z = (e0 - e1).abs();
    let shape = if z < 1e-12 { 1.0 } else { -(-z).exp_m1() / z };
    top.exp() * w * shape
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The age histogram and the share above a threshold against a brute-force age process: rate 1
    /// for 10 h, nothing for 3 h, rate 0.5 for 20 h, from equilibrium at rate 1.
    #[test]
    fn stretches_match_numerical_integration() {
        let mut s = AgeState::new(2.5, 1.0);
        let mut f = AgeState::figures();
        s.reset(&mut f);
        let plan = [(10.0, 1.0), (3.0, 0.0), (20.0, 0.5)];
        let mut t = 0.0;
        for &(len, mu) in &plan {
            s.stretch(&mut f, t, t + len, mu);
            t += len;
        }
        s.finish(&mut f);
        // Numerically: S_t(a) = exp(−∫_{t−a}^t μ), μ = 1 before 0.
        // M(u) = ∫₀^u μ, extended before 0 at rate 1.
        let m = |u: f64| -> f64 {
            if u < 10.0 {
                u
            } else if u < 13.0 {
                10.0
            } else {
                10.0 + 0.5 * (u - 13.0)
            }
        };
        let cum = |from: f64, to: f64| m(to) - m(from);
        let steps = 3300;
        let dt = 33.0 / steps as f64;
        let (mut stale, mut mean) = (0.0, 0.0);
        for i in 0..steps {
            let tt = (i as f64 + 0.5) * dt;
            stale += (-cum(tt - 2.5, tt)).exp() * dt;
            // E[age] = ∫ S(a) da
            let da = 0.01;
            let e: f64 = (0..6000)
                .map(|j| (-cum(tt - (j as f64 + 0.5) * da, tt)).exp() * da)
                .sum();
            mean += e * dt;
        }
        assert!(
            (f.stale_time - stale).abs() < 2e-3 * stale,
            "{} vs {stale}",
            f.stale_time
        );
        assert!(
            (f.age_time - mean).abs() < 2e-3 * mean,
            "{} vs {mean}",
            f.age_time
        );
        let total: f64 = f.bins.iter().sum();
        assert!((total - 33.0).abs() < 1e-9, "{total}");
        // The histogram's mass above an edge is the time spent above it.
        let edge = 10; // 2^(−6 + 10/8) h ≈ 0.037 h
        let above_edge: f64 = f.bins[edge + 1..].iter().sum();
        let mut exact = 0.0;
        for i in 0..steps {
            let tt = (i as f64 + 0.5) * dt;
            exact += (-cum(tt - age_edge(edge), tt)).exp() * dt;
        }
        assert!(
            (above_edge - exact).abs() < 2e-3 * exact,
            "{above_edge} vs {exact}"
        );
        assert_eq!(f.worst, 3.0);
    }
}
