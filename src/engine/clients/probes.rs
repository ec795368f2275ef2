//! Probe requests: single requests simulated exactly against the recorded history of instance states,
//! for arrivals whose attempts straddle a change.

use std::collections::VecDeque;

use rand::RngExt;

use super::closed::live_targets;
use crate::base::dist::unit_f64;
use crate::base::rng::Stream;
use crate::base::units::Hours;
use crate::model::{RequestKind, Selection};

/// An instance drawn with the given shares (the last one if rounding leaves a remainder).
#[inline]
pub(super) fn pick_share(shares: &[f64], rng: &mut Stream) -> usize {
    let mut u: f64 = rng.random();
    for (c, &a) in shares.iter().enumerate() {
        if u < a {
            return c;
        }
        u -= a;
    }
    shares.len() - 1
}

/// Simulates one request arriving at `s` against the recorded history (starting at entry `idx`, which
/// covers `s`); returns the attempt that succeeded, its latency class and the instance that took it.
pub(super) fn probe(
    q: &RequestKind,
    offsets: &[Hours],
    history: &VecDeque<(Hours, u64)>,
    idx: usize,
    s: Hours,
    rng: &mut Stream,
    order: &mut Vec<u32>,
) -> Option<(usize, usize, u32)> {
    if q.balanced {
        return balanced(q, offsets, history, idx, s, rng, order);
    }
    // The target's order, then the fallback's (its instances follow the target's).
    let n1 = q.primary;
    order.clear();
    for (lo, hi) in [(0, n1), (n1, q.instances.len())] {
        let start = order.len();
        order.extend(lo as u32..hi as u32);
        let part = &mut order[start..];
        let n = part.len();
        if n == 0 {
            continue;
        }
        match q.selection {
            Selection::Random | Selection::Sticky => {
                // A full shuffle: attempts beyond the first pass reuse the same order.
                for i in (1..n).rev() {
                    let j = rng.random_range(0..=i);
                    part.swap(i, j);
                }
            }
            Selection::RoundRobin => {
                let r = rng.random_range(0..n);
                part.rotate_left(r);
            }
            Selection::Ordered => {}
        }
    }
    let attempts = q.max_attempts as usize;
    let n2 = q.instances.len() - n1;
    let order = &*order;
    walk(q, offsets, history, idx, s, rng, |j| {
        if j < attempts {
            order[j % n1]
        } else {
            order[n1 + (j - attempts) % n2]
        }
    })
}

/// [`probe`] behind a load balancer: one random order of the members, walked attempt after attempt
/// and pass after pass, skipping the members the balancer has dropped at each attempt's time (bits
/// above 32 of the mask); with every member dropped the attempt fails. In one state this is a random
/// order of the members not dropped, as the closed form has it.
fn balanced(
    q: &RequestKind,
    offsets: &[Hours],
    history: &VecDeque<(Hours, u64)>,
    mut idx: usize,
    s: Hours,
    rng: &mut Stream,
    order: &mut Vec<u32>,
) -> Option<(usize, usize, u32)> {
    let n = q.primary;
    order.clear();
    order.extend(0..n as u32);
    for i in (1..n).rev() {
        let j = rng.random_range(0..=i);
        order.swap(i, j);
    }
    let mut cursor = 0;
    for (j, &off) in offsets.iter().enumerate() {
        let at = s + off;
        while idx + 1 < history.len() && history[idx + 1].0 <= at {
            idx += 1;
        }
        let mask = history[idx].1;
        let dropped = mask >> 32;
        if dropped.count_ones() as usize >= n {
            continue;
        }
        while dropped >> order[cursor % n] & 1 == 1 {
            cursor += 1;
        }
        let i = order[cursor % n];
        cursor += 1;
        if mask >> i & 1 == 0 {
            continue;
        }
        if q.queue.is_empty() {
            return Some((j, 0, i));
        }
        let c = live_targets(q, mask);
        if unit_f64(rng) < q.queue[c].in_time {
            return Some((j, c, i));
        }
    }
    None
}

/// Tries the instances `instance(j)` at the attempt times of a request arriving at `s`; an attempt on a
/// live target instance with a queue is served in time with the queue's probability. Returns the
/// attempt that succeeded, its latency class and the instance.
#[inline]
pub(super) fn walk(
    q: &RequestKind,
    offsets: &[Hours],
    history: &VecDeque<(Hours, u64)>,
    mut idx: usize,
    s: Hours,
    rng: &mut Stream,
    instance: impl Fn(usize) -> u32,
) -> Option<(usize, usize, u32)> {
    for (j, &off) in offsets.iter().enumerate() {
        let at = s + off;
        while idx + 1 < history.len() && history[idx + 1].0 <= at {
            idx += 1;
        }
        let mask = history[idx].1;
        let i = instance(j);
        if mask >> i & 1 == 0 {
            continue;
        }
        if (i as usize) >= q.primary || q.queue.is_empty() {
            return Some((j, 0, i));
        }
        let c = live_targets(q, mask);
        if unit_f64(rng) < q.queue[c].in_time {
            return Some((j, c, i));
        }
    }
    None
}
