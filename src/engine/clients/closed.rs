//! Closed forms for requests without lasting connections: the probability that each attempt is the
//! first to succeed while the instances stay in one state, and the expected outcomes of a stretch.

use super::{RequestStats, SystemState, full};
use crate::base::units::Hours;
use crate::model::{RequestKind, Selection};

/// Live target instances in `mask` (which sets the wait in their queue).
#[inline]
pub(super) fn live_targets(q: &RequestKind, mask: u64) -> usize {
    (mask & full(q.primary)).count_ones() as usize
}

/// The latency class of a success on the target in state `mask` (its live instances, or 0 without a
/// queue) and the probability that an attempt on a live instance is served in time.
#[inline]
pub(super) fn target_queue(q: &RequestKind, mask: u64) -> (usize, f64) {
    if q.queue.is_empty() {
        return (0, 1.0);
    }
    let live = live_targets(q, mask);
    (live, q.queue_at(live).in_time)
}

/// Outcome probabilities of a request (without lasting connections) whose attempts all see `mask`:
/// `probs[j]` for success at target attempt j, then the fallback's; returns the probability that every
/// attempt fails. `probs` must hold `max_attempts` values; with a fallback its values are the
/// fallback's, scaled by the target's failure, on return.
#[inline]
pub(super) fn outcome_probs(q: &RequestKind, mask: u64, probs: &mut [f64]) -> f64 {
    let n1 = q.primary;
    let (_, in_time) = target_queue(q, mask);
    let (n, seen) = target_view(q, mask);
    let mut p_fail = first_success(q.selection, n, seen, in_time, probs);
    if q.fallback.is_some() && p_fail > 0.0 {
        let n2 = q.instances.len() - n1;
        p_fail *= first_success(q.selection, n2, mask >> n1, 1.0, probs);
    }
    p_fail
}

/// The target's instances as a request sees them, as (how many, mask): all of them, or behind a load
/// balancer only the members it has not dropped (their bits ride above bit 32), tried in a random
/// order, where only their number and how many of them are live matter.
#[inline]
fn target_view(q: &RequestKind, mask: u64) -> (usize, u64) {
    if !q.balanced {
        return (q.primary, mask);
    }
    let dropped = (mask >> 32).count_ones() as usize;
    (q.primary - dropped, full(live_targets(q, mask)))
}

/// Adds the expected outcomes of `rate × len` arrivals that all see `mask`; returns the expected number
/// of them that failed.
#[inline]
pub(super) fn closed_form(
    q: &RequestKind,
    mask: u64,
    rate: f64,
    len: Hours,
    probs: &mut [f64],
    stats: &mut RequestStats,
) -> f64 {
    let total = rate * len;
    let state = SystemState::of(q, mask);
    let attempts = q.max_attempts as usize;
    let n1 = q.primary;
    let (c, in_time) = target_queue(q, mask);
    let (n, seen) = target_view(q, mask);
    let mut p_fail = first_success(q.selection, n, seen, in_time, probs);
    for (j, &p) in probs.iter().enumerate() {
        if p > 0.0 {
            stats.add_success(state, (j, c), total * p);
        }
    }
    if q.fallback.is_some() && p_fail > 0.0 {
        // The fallback's instances see the same state: its outcome is independent of which target
        // instances were tried.
        let n2 = q.instances.len() - n1;
        let fail2 = first_success(q.selection, n2, mask >> n1, 1.0, probs);
        for (i, &p) in probs.iter().enumerate() {
            if p > 0.0 {
                stats.add_success(state, (attempts + i, 0), total * p_fail * p);
            }
        }
        p_fail *= fail2;
    }
    stats.add_failure(state, total * p_fail, len * p_fail);
    total * p_fail
}

/// For `n` instances in state `mask` tried in the order `selection` gives, up to `probs.len()` times,
/// where an attempt on a live instance is served in time with probability `in_time`: fills `probs[j]`
/// with the probability that attempt j is the first to succeed, and returns the probability that none
/// does.
pub(super) fn first_success(
    selection: Selection,
    n: usize,
    mask: u64,
    in_time: f64,
    probs: &mut [f64],
) -> f64 {
    let attempts = probs.len();
    probs.fill(0.0);
    let live = (mask & full(n)).count_ones() as usize;
    if live == 0 || in_time <= 0.0 {
        return 1.0;
    }
    let miss = 1.0 - in_time;
    match selection {
        // Sticky clients hold connections and never get here; alone they would choose at random.
        Selection::Random | Selection::Sticky if in_time >= 1.0 => {
            // First live instance at position j of a random order: negative hypergeometric.
            let dead = n - live;
            let mut all_dead_so_far = 1.0;
            for (j, slot) in probs.iter_mut().enumerate().take(dead + 1) {
                *slot = all_dead_so_far * live as f64 / (n - j) as f64;
                all_dead_so_far *= (dead - j.min(dead)) as f64 / (n - j) as f64;
            }
        }
        Selection::Random | Selection::Sticky => {
            // One random order, repeated pass after pass. `seen[x]`: probability that x of the first
            // j positions are live; position j is then live with probability (live − x)/(n − j).
            let mut seen = [0.0; crate::model::MAX_INSTANCES + 2];
            seen[0] = 1.0;
            let mut first_pass = [0.0; crate::model::MAX_INSTANCES];
            for (j, slot) in first_pass.iter_mut().enumerate().take(n.min(attempts)) {
                let left = (n - j) as f64;
                let mut p = 0.0;
                for x in (0..=j.min(live)).rev() {
                    let here = seen[x] * (live - x) as f64 / left;
                    p += here * miss.powi(x as i32);
                    seen[x + 1] += here;
                    seen[x] -= here;
                }
                *slot = p;
            }
            for (a, slot) in probs.iter_mut().enumerate() {
                let pass = (a / n) as i32;
                *slot = in_time * miss.powi(live as i32 * pass) * first_pass[a % n];
            }
        }
        Selection::Ordered => ordered_from(0, n, mask, in_time, probs, 1.0),
        Selection::RoundRobin => {
            for r in 0..n {
                ordered_from(r, n, mask, in_time, probs, 1.0 / n as f64);
            }
        }
    }
    (1.0 - probs.iter().sum::<f64>()).max(0.0)
}

/// Adds `weight ×` the first-success probabilities of the instances tried in list order from `start`.
fn ordered_from(start: usize, n: usize, mask: u64, in_time: f64, probs: &mut [f64], weight: f64) {
    let miss = 1.0 - in_time;
    let mut reach = weight;
    for (a, slot) in probs.iter_mut().enumerate() {
        if mask >> ((start + a) % n) & 1 == 1 {
            *slot += reach * in_time;
            reach *= miss;
            if reach == 0.0 {
                return;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// P(first success at attempt j) by enumerating every order of the instances (random: all n!
    /// orders; ordered: the identity; round robin: the n rotations), each attempt on a live instance
    /// succeeding with probability `in_time`, the order repeated pass after pass.
    fn brute(selection: Selection, n: usize, mask: u64, in_time: f64, attempts: usize) -> Vec<f64> {
        fn perms(n: usize) -> Vec<Vec<usize>> {
            if n == 0 {
                return vec![vec![]];
            }
            let mut out = Vec::new();
            for p in perms(n - 1) {
                for i in 0..=p.len() {
                    let mut q = p.clone();
                    q.insert(i, n - 1);
                    out.push(q);
                }
            }
            out
        }
        let orders: Vec<Vec<usize>> = match selection {
            Selection::Random | Selection::Sticky => perms(n),
            Selection::Ordered => vec![(0..n).collect()],
            Selection::RoundRobin => (0..n)
                .map(|r| (0..n).map(|i| (r + i) % n).collect())
                .collect(),
        };
        let mut out = vec![0.0; attempts];
        for order in &orders {
            let mut reach = 1.0 / orders.len() as f64;
            for (j, slot) in out.iter_mut().enumerate() {
                if mask >> order[j % n] & 1 == 1 {
                    *slot += reach * in_time;
                    reach *= 1.0 - in_time;
                }
            }
        }
        out
    }

    #[test]
    fn first_success_matches_enumeration_over_orders() {
        let n = 4;
        for selection in [Selection::Random, Selection::Ordered, Selection::RoundRobin] {
            for mask in 0..(1u64 << n) {
                for in_time in [1.0, 0.7, 0.2] {
                    for attempts in [1, 3, 4, 9] {
                        let mut probs = vec![0.0; attempts];
                        let fail = first_success(selection, n, mask, in_time, &mut probs);
                        let exact = brute(selection, n, mask, in_time, attempts);
                        for (j, (a, b)) in probs.iter().zip(&exact).enumerate() {
                            assert!(
                                (a - b).abs() < 1e-12,
                                "{selection:?} mask {mask:04b} s {in_time} attempt {j}: {a} vs {b}"
                            );
                        }
                        let exact_fail = 1.0 - exact.iter().sum::<f64>();
                        assert!((fail - exact_fail).abs() < 1e-12);
                    }
                }
            }
        }
    }
}
