//! Data age with periodic refresh (`refresh = "periodic"`): each client polls exactly every P (its
//! `every`), the clients' phases spread uniformly over P, and a poll at t succeeds with the
//! probability s(t) of its stretch (piecewise constant between changes of the instances' state).
//!
//! The time after a poll until the client's next poll is attributed to that poll. If K polls in a row
//! failed going back from it (K = 0: it succeeded), the client's age over that interval runs from K·P
//! to (K + 1)·P, so with F_k = P(K ≥ k), the product of the failure probabilities of the last k polls
//! of that phase, the interval spends (P − r)·F_m + r·F_{m+1} above age a = m·P + r, and its age
//! integrates to P²/2 + P²·Σ_{k≥1} F_k. Polls of one stretch differ only in how many of their last
//! polls fell in it, so their sums are geometric series over the runs of failure probabilities that a
//! phase's earlier polls saw. The state is those runs for each piece of phase of the last period
//! (pieces split where the state changed), so the cost is set by the number of state changes, never
//! by the number of clients. The intervals of the polls before the mission that reach into it are
//! added at the start, and the part of the last polls' intervals beyond the mission end taken off.

use super::{AGE_BINS, AgeFigures, age_edge};
use crate::base::units::Hours;

/// A run of polls this unlikely to have all failed no longer matters.
const NEGLIGIBLE: f64 = 1e-18;

/// The polls of one piece of phase in the last period.
#[derive(Debug, Clone, PartialEq)]
struct Piece {
    /// Width of the piece, hours of poll times.
    w: Hours,
    /// Going back from the piece's latest poll: runs of (probability that a poll failed, polls),
    /// newest first; polls before the last run succeeded (or their failing with all the rest is
    /// negligible).
    runs: Vec<(f64, u64)>,
}

/// Data age of a kind whose clients poll every `period`.
#[derive(Debug, Clone)]
pub(super) struct PeriodicAge {
    period: Hours,
    stale_after: Hours,
    /// Probability that a poll succeeds with every instance up (before the mission).
    initial: f64,
    /// Poll times of the last period `[now − P, now)`, oldest first.
    window: Vec<Piece>,
    scratch: Vec<Piece>,
    /// Stretches are accounted up to here.
    now: Hours,
    /// Start of the current stretch with no possible success, if in one.
    dry_since: Option<Hours>,
    /// Time of polls that surely succeeded (their intervals' age runs from 0 to P).
    sure: Hours,
}

impl PeriodicAge {
    /// Clients polling every `period`, a poll succeeding with probability `initial` with every
    /// instance up; data is stale once older than `stale_after`.
    pub(super) fn new(period: Hours, stale_after: Hours, initial: f64) -> Self {
        PeriodicAge {
            period,
            stale_after,
            initial: initial.clamp(0.0, 1.0),
            window: Vec::new(),
            scratch: Vec::new(),
            now: 0.0,
            dry_since: None,
            sure: 0.0,
        }
    }

    /// Starts a replication: before it, every instance was up for ever.
    pub(super) fn reset(&mut self, f: &mut AgeFigures) {
        let mut runs = Vec::new();
        let fail = 1.0 - self.initial;
        prepend(&mut runs, fail, u64::MAX);
        self.window.clear();
        self.window.push(Piece {
            w: self.period,
            runs,
        });
        self.now = 0.0;
        self.dry_since = None;
        self.sure = 0.0;
        // The polls before the mission reach into it.
        self.beyond(f, 1.0);
    }

    /// Accounts for the polls in `[from, to)`, each succeeding with probability `sigma`.
    pub(super) fn stretch(&mut self, f: &mut AgeFigures, from: Hours, to: Hours, sigma: f64) {
        let len = to - from;
        if len <= 0.0 {
            return;
        }
        self.now = to;
        let sigma = sigma.clamp(0.0, 1.0);
        if sigma <= 0.0 {
            let since = *self.dry_since.get_or_insert(from);
            f.worst = f.worst.max(to - since);
        } else {
            self.dry_since = None;
        }
        let p = self.period;
        let fail = 1.0 - sigma;
        let n = (len / p).floor();
        let rho = (len - n * p).clamp(0.0, p);
        let n = n as u64;
        // The oldest `rho` of the window polls n + 1 times in the stretch, the rest n times.
        self.scratch.clear();
        let mut seen = 0.0;
        let mut first = Vec::new(); // (piece, width) of the first part
        for piece in &self.window {
            let cut = (rho - seen).clamp(0.0, piece.w);
            if cut > 0.0 {
                first.push(Piece {
                    w: cut,
                    runs: piece.runs.clone(),
                });
            }
            if piece.w - cut > 0.0 {
                self.scratch.push(Piece {
                    w: piece.w - cut,
                    runs: piece.runs.clone(),
                });
            }
            seen += piece.w;
        }
        // scratch: the rest (n polls each); first: n + 1 polls each.
        if fail > 0.0 {
            let parts = [(&self.scratch, n), (&first, n + 1)];
            let above = |a: Hours| -> Hours {
                let m = (a / p).floor();
                let r = a - m * p;
                let m = m as u64;
                let mut total = 0.0;
                for (pieces, c) in parts {
                    for pc in pieces.iter() {
                        let fm = poll_sum(&pc.runs, fail, c, m);
                        let fm1 = poll_sum(&pc.runs, fail, c, m + 1);
                        total += pc.w * ((p - r) * fm + r * fm1);
                    }
                }
                total / p
            };
            add_above(f, self.stale_after, len, 1.0, above);
            for (pieces, c) in parts {
                for pc in pieces.iter() {
                    f.age_time +=
                        pc.w * (c as f64 * p / 2.0 + p * w_poll_sum(&pc.runs, fail, sigma, c));
                }
            }
        } else {
            // Every poll of the stretch succeeds: its interval's age runs from 0 to P.
            self.sure += len;
        }
        // The new window: the rest's latest polls come first, then the first part's.
        for pc in &mut self.scratch {
            prepend(&mut pc.runs, fail, n);
        }
        for mut pc in first {
            prepend(&mut pc.runs, fail, n + 1);
            self.scratch.push(pc);
        }
        self.window.clear();
        for pc in self.scratch.drain(..) {
            match self.window.last_mut() {
                Some(last) if last.runs == pc.runs => last.w += pc.w,
                _ => self.window.push(pc),
            }
        }
    }

    /// Takes over the polls of `from` (its clients were moved here), keeping this kind's own sure
    /// time.
    pub(super) fn take_over(&mut self, from: &PeriodicAge) {
        let sure = self.sure;
        self.clone_from(from);
        self.sure = sure;
    }

    /// At the start, this kind's clients are elsewhere: the intervals of the polls before the
    /// mission, added by [`reset`](Self::reset), are the other kind's.
    pub(super) fn release(&mut self, f: &mut AgeFigures) {
        self.beyond(f, -1.0);
    }

    /// Ends the replication at the mission end `now`: the sure polls join the figures, and, if this
    /// kind holds the clients then (`held`), the part of the last polls' intervals beyond the end is
    /// taken off.
    pub(super) fn finish(&mut self, f: &mut AgeFigures, held: bool) {
        let (p, sure) = (self.period, self.sure);
        if sure > 0.0 {
            add_above(f, self.stale_after, sure, 1.0, |a| {
                sure * (1.0 - a / p).max(0.0)
            });
            f.age_time += sure * p / 2.0;
            self.sure = 0.0;
        }
        if held {
            self.beyond(f, -1.0);
        }
    }

    /// Adds (`sign` 1) or takes off (−1) the part after `now` of the intervals of the polls in
    /// `[now − P, now)`, the window's.
    fn beyond(&self, f: &mut AgeFigures, sign: f64) {
        let p = self.period;
        // Pieces as ranges of e = now − q (the poll's distance before `at`), with their runs.
        let mut spans = Vec::with_capacity(self.window.len());
        let mut e_hi = p;
        for pc in &self.window {
            let e_lo = (e_hi - pc.w).max(0.0);
            spans.push((e_lo, e_hi, &pc.runs));
            e_hi = e_lo;
        }
        // ∫ (P − e) de and ∫ (P − max(e, r)) de over [lo, hi].
        let lin = |lo: f64, hi: f64| p * (hi - lo) - (hi * hi - lo * lo) / 2.0;
        let capped = |lo: f64, hi: f64, r: f64| {
            let below = (hi.min(r) - lo).max(0.0) * (p - r);
            below + if hi > r { lin(lo.max(r), hi) } else { 0.0 }
        };
        let total: f64 = spans.iter().map(|&(lo, hi, _)| lin(lo, hi)).sum::<f64>() / p;
        add_above(f, self.stale_after, total, sign, |a| {
            let m = (a / p).floor();
            let r = a - m * p;
            let m = m as u64;
            spans
                .iter()
                .map(|&(lo, hi, runs)| {
                    let (fm, fm1) = (f_at(runs, m), f_at(runs, m + 1));
                    capped(lo, hi, r) * (fm - fm1) + lin(lo, hi) * fm1
                })
                .sum::<f64>()
                / p
        });
        let mean: f64 = spans
            .iter()
            .map(|&(lo, hi, runs)| {
                (p * p * (hi - lo) - (hi * hi * hi - lo * lo * lo) / 3.0) / 2.0
                    + p * w_of(runs) * lin(lo, hi)
            })
            .sum::<f64>()
            / p;
        f.age_time += sign * mean;
    }
}

/// Adds `sign` times the time spent above each edge of the age histogram and above `stale_after`,
/// `above(a)` being the time spent above age a (`total` at 0, decreasing).
fn add_above(
    f: &mut AgeFigures,
    stale_after: Hours,
    total: Hours,
    sign: f64,
    above: impl Fn(Hours) -> Hours,
) {
    f.stale_time += sign * above(stale_after);
    let mut prev = total;
    let mut i = 0;
    // Beyond a negligible tail the rest goes to the next bin (the last is unbounded).
    while i < AGE_BINS - 1 && prev > 1e-13 * total {
        let a = above(age_edge(i));
        f.bins[i] += sign * (prev - a).max(0.0);
        prev = a;
        i += 1;
    }
    f.bins[i] += sign * prev;
}

/// Puts `c` more polls, each failing with probability `fail`, in front of `runs`, dropping what no
/// longer matters.
fn prepend(runs: &mut Vec<(f64, u64)>, fail: f64, c: u64) {
    if c == 0 {
        return;
    }
    if fail <= 0.0 {
        runs.clear();
        return;
    }
    match runs.first_mut() {
        Some(front) if front.0 == fail => front.1 = front.1.saturating_add(c),
        _ => runs.insert(0, (fail, c)),
    }
    let mut log = 0.0;
    for j in 0..runs.len() {
        let (x, n) = runs[j];
        let l = x.ln();
        if l < 0.0 && log + l * n as f64 <= NEGLIGIBLE.ln() {
            let keep = ((NEGLIGIBLE.ln() - log) / l).ceil().max(1.0) as u64;
            runs[j].1 = keep.min(n);
            runs.truncate(j + 1);
            return;
        }
        log += l * n as f64;
    }
}

/// F_k: the probability that the last k polls of `runs` all failed.
fn f_at(runs: &[(f64, u64)], k: u64) -> f64 {
    let (mut prod, mut start) = (1.0, 0u64);
    if k == 0 {
        return 1.0;
    }
    for &(x, n) in runs {
        if k <= start + n {
            return prod * x.powf((k - start) as f64);
        }
        prod *= x.powf(n as f64);
        start += n;
    }
    0.0
}

/// Σ_{k≥1} F_k: the expected number of failed polls in a row going back.
fn w_of(runs: &[(f64, u64)]) -> f64 {
    let (mut prod, mut total) = (1.0, 0.0);
    for &(x, n) in runs {
        total += prod * x * geo(x, 1.0 - x, n);
        prod *= x.powf(n as f64);
    }
    total
}

/// Σ_{t=0}^{n−1} x^t for x in (0, 1], `one_minus` being 1 − x.
fn geo(x: f64, one_minus: f64, n: u64) -> f64 {
    if n == 0 {
        0.0
    } else if x >= 1.0 {
        n as f64
    } else {
        let l = x.ln();
        -(l * n as f64).exp_m1()
            / if one_minus > 1e-3 {
                one_minus
            } else {
                -l.exp_m1()
            }
    }
}

/// Σ_{i=1}^{c} F_k after i polls failing with probability `fail` in front of `runs`.
fn poll_sum(runs: &[(f64, u64)], fail: f64, c: u64, k: u64) -> f64 {
    if c == 0 {
        return 0.0;
    }
    if k == 0 {
        return c as f64;
    }
    if fail <= 0.0 {
        return 0.0;
    }
    // i ≥ k: the last k polls all lie in the stretch.
    let mut total = if c >= k {
        (c - k + 1) as f64 * fail.powf(k as f64)
    } else {
        0.0
    };
    if k < 2 {
        return total;
    }
    // i < k: fail^i · F_{k−i} of the old runs, j = k − i in [max(1, k − c), k − 1].
    let (jl, jh) = (if k > c { k - c } else { 1 }, k - 1);
    let (mut prod, mut start) = (1.0f64, 0u64); // F_start of the old runs
    let ln_fail = fail.ln();
    for &(x, n) in runs {
        if start >= jh {
            break;
        }
        let (a, b) = (jl.max(start + 1), jh.min(start + n));
        if a <= b {
            // term(j) = fail^{k−j} · prod · x^{j−start}: geometric in j with ratio x / fail.
            let ln_x = x.ln();
            let term =
                |j: u64| ((k - j) as f64 * ln_fail + prod.ln() + (j - start) as f64 * ln_x).exp();
            let count = b - a + 1;
            let ratio_ln = ln_x - ln_fail;
            total += if ratio_ln <= 0.0 {
                term(a) * geo(ratio_ln.exp(), -ratio_ln.exp_m1(), count)
            } else {
                term(b) * geo((-ratio_ln).exp(), -(-ratio_ln).exp_m1(), count)
            };
        }
        prod *= x.powf(n as f64);
        start += n;
        if prod <= 0.0 {
            break;
        }
    }
    total
}

/// Σ_{i=1}^{c} Σ_{k≥1} F_k after i polls failing with probability `fail` in front of `runs`.
fn w_poll_sum(runs: &[(f64, u64)], fail: f64, sigma: f64, c: u64) -> f64 {
    if c == 0 || fail <= 0.0 {
        return 0.0;
    }
    let cf = c as f64;
    if sigma <= 0.0 {
        return cf * (cf + 1.0) / 2.0 + cf * w_of(runs);
    }
    // Σ_i f(1 − f^i)/σ and Σ_i f^i = f(1 − f^c)/σ.
    let g = fail * geo(fail, sigma, c);
    fail / sigma * (cf - g) + w_of(runs) * g
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Against a brute-force average over phases: success probabilities 1 for 10 h, 0 for 3.3 h,
    /// 0.4 for 2.05 h, 1 for 0.3 h, 0 for 1.1 h, 0.7 for 20 h, polls every 0.5 h, from
    /// equilibrium at 0.9.
    #[test]
    fn stretches_match_a_phase_average() {
        let (period, tau, initial) = (0.5, 1.3, 0.9);
        let plan = [
            (10.0, 1.0),
            (3.3, 0.0),
            (2.05, 0.4),
            (0.3, 1.0),
            (1.1, 0.0),
            (20.0, 0.7),
        ];
        let mut s = PeriodicAge::new(period, tau, initial);
        let mut f = AgeFigures {
            bins: vec![0.0; AGE_BINS],
            ..Default::default()
        };
        s.reset(&mut f);
        let mut t = 0.0;
        for &(len, sigma) in &plan {
            s.stretch(&mut f, t, t + len, sigma);
            t += len;
        }
        s.finish(&mut f, true);
        let mission = t;
        let succ = |u: f64| -> f64 {
            if u < 0.0 {
                return initial;
            }
            let mut at = 0.0;
            for &(len, sigma) in &plan {
                if u < at + len {
                    return sigma;
                }
                at += len;
            }
            plan[plan.len() - 1].1
        };
        // P(age(t) > a) = mean over phases of Π (1 − s) over the polls in (t − a, t].
        let phases = 400;
        let steps = 4000;
        let dt = mission / steps as f64;
        let edge = 20; // 2^(−6 + 20/8) h ≈ 0.088 h
        let survive = |tt: f64, a: f64| -> f64 {
            let mut sum = 0.0;
            for ph in 0..phases {
                let x = (ph as f64 + 0.5) / phases as f64 * period; // time since the last poll
                let mut prod = 1.0;
                let mut back = x;
                while back < a && prod > 1e-18 {
                    prod *= 1.0 - succ(tt - back);
                    back += period;
                }
                sum += prod;
            }
            sum / phases as f64
        };
        let (mut stale, mut mean, mut above_edge) = (0.0, 0.0, 0.0);
        for i in 0..steps {
            let tt = (i as f64 + 0.5) * dt;
            stale += survive(tt, tau) * dt;
            above_edge += survive(tt, age_edge(edge)) * dt;
            // E[age] = mean over phases of x + P·E[K].
            let mut e = 0.0;
            for ph in 0..phases {
                let x = (ph as f64 + 0.5) / phases as f64 * period;
                let (mut prod, mut back, mut k) = (1.0, x, 0.0);
                loop {
                    prod *= 1.0 - succ(tt - back);
                    if prod < 1e-15 {
                        break;
                    }
                    k += prod;
                    back += period;
                }
                e += x + period * k;
            }
            mean += e / phases as f64 * dt;
        }
        let close = |got: f64, want: f64, what: &str| {
            assert!((got - want).abs() < 3e-3 * want, "{what}: {got} vs {want}");
        };
        close(f.stale_time, stale, "stale");
        close(f.age_time, mean, "mean");
        close(
            f.bins[edge + 1..].iter().sum(),
            above_edge,
            "above the edge",
        );
        let total: f64 = f.bins.iter().sum();
        assert!((total - mission).abs() < 1e-9, "{total}");
        assert!((f.worst - 3.3).abs() < 1e-12, "{}", f.worst);
    }

    /// With every poll succeeding the age is uniform on [0, P).
    #[test]
    fn all_up_age_is_uniform_over_the_period() {
        let mut s = PeriodicAge::new(2.0, 1.5, 1.0);
        let mut f = AgeFigures {
            bins: vec![0.0; AGE_BINS],
            ..Default::default()
        };
        s.reset(&mut f);
        s.stretch(&mut f, 0.0, 7.3, 1.0);
        s.stretch(&mut f, 7.3, 100.0, 1.0);
        s.finish(&mut f, true);
        assert!((f.age_time - 100.0).abs() < 1e-9, "{}", f.age_time);
        assert!((f.stale_time - 25.0).abs() < 1e-9, "{}", f.stale_time);
    }
}
