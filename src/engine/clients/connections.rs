//! Lasting connections: where clients are connected over time (fresh connections, DNS answers, sticky
//! clients), and the expected outcomes of the requests they send over them.

use std::collections::VecDeque;

use super::closed::target_queue;
use super::{RequestStats, SystemState, full};
use crate::base::units::Hours;
use crate::model::{Reconnect, RequestKind, Selection};

/// Where a client that (re)connects while the instances are `mask` goes: the first live instance for
/// `ordered`, any live one alike otherwise. With none live it keeps its connection (all zero here).
#[inline]
pub(super) fn reconnect_target(q: &RequestKind, mask: u64, target: &mut [f64]) {
    let n = q.instances.len();
    target.fill(0.0);
    let live = (mask & full(n)).count_ones();
    if live == 0 {
        return;
    }
    match q.selection {
        Selection::Ordered => {
            if let Some(i) = (0..n).find(|&i| mask >> i & 1 == 1) {
                target[i] = 1.0;
            }
        }
        Selection::Random | Selection::RoundRobin | Selection::Sticky => {
            for (i, x) in target.iter_mut().enumerate() {
                if mask >> i & 1 == 1 {
                    *x = 1.0 / live as f64;
                }
            }
        }
    }
}

/// Where a DNS answer given while the instances are `mask` sends a client: round robin over the live
/// instances if DNS is health-checked and any is live, else over all of them.
fn dns_target(q: &RequestKind, mask: u64, health_checked: bool, target: &mut [f64]) {
    let n = q.instances.len();
    let live = (mask & full(n)).count_ones();
    if health_checked && live > 0 {
        for (i, x) in target.iter_mut().enumerate() {
            *x = if mask >> i & 1 == 1 {
                1.0 / live as f64
            } else {
                0.0
            };
        }
    } else {
        target.fill(1.0 / n as f64);
    }
}

/// Shares of DNS clients resolved to each instance at `t`: every client re-resolves once per `ttl`, out
/// of phase, so the shares are the DNS answers averaged over the last `ttl`.
#[inline]
pub(super) fn dns_shares_at(
    q: &RequestKind,
    history: &VecDeque<(Hours, u64)>,
    ttl: Hours,
    t: Hours,
    out: &mut [f64],
    target: &mut [f64],
) {
    let Reconnect::Dns { health_checked, .. } = q.reconnect else {
        return;
    };
    out.fill(0.0);
    for (e, &(a, mask)) in history.iter().enumerate() {
        let b = history.get(e + 1).map_or(f64::INFINITY, |h| h.0);
        let overlap = (b.min(t) - a.max(t - ttl)).max(0.0);
        if overlap > 0.0 {
            dns_target(q, mask, health_checked, target);
            for (o, &p) in out.iter_mut().zip(target.iter()) {
                *o += p * overlap / ttl;
            }
        }
    }
}

/// ∫ over arrival times `[x, y)` (absolute) of the share of DNS clients resolved to an instance that is
/// live in `mask`.
#[inline]
pub(super) fn dns_live(
    q: &RequestKind,
    history: &VecDeque<(Hours, u64)>,
    ttl: Hours,
    x: Hours,
    y: Hours,
    mask: u64,
    target: &mut [f64],
) -> Hours {
    let Reconnect::Dns { health_checked, .. } = q.reconnect else {
        return 0.0;
    };
    // ∫ of clamp(t − a, 0, w) dt: the antiderivative of an entry's overlap with [t − ttl, t).
    let ramp = |u: f64, w: f64| {
        if u <= 0.0 {
            0.0
        } else if u <= w {
            u * u / 2.0
        } else {
            w * w / 2.0 + w * (u - w)
        }
    };
    let mut total = 0.0;
    for (e, &(a, m)) in history.iter().enumerate() {
        if a >= y {
            break;
        }
        // An open last entry lasts at least until y, which is all the overlaps below can see.
        let b = history.get(e + 1).map_or(y, |h| h.0.min(y));
        if b <= x - ttl {
            continue;
        }
        let w = b - a;
        let overlap =
            (ramp(y - a, w) - ramp(x - a, w)) - (ramp(y - ttl - a, w) - ramp(x - ttl - a, w));
        if overlap <= 0.0 {
            continue;
        }
        dns_target(q, m, health_checked, target);
        let live: f64 = (0..q.instances.len())
            .filter(|&i| mask >> i & 1 == 1)
            .map(|i| target[i])
            .sum();
        total += live * overlap / ttl;
    }
    total
}

/// Probability that a sticky client whose instance is dead finds a live one among the others (random
/// order, the remaining attempts), with `live` of `n` instances live.
fn sticky_rescue(q: &RequestKind, live: usize) -> f64 {
    let n = q.instances.len();
    // With every instance live nobody is stuck; the rate does not matter then.
    if live == 0 || live >= n {
        return 0.0;
    }
    let (others, dead_others) = (n - 1, n - 1 - live);
    let attempts = q.max_attempts as usize - 1;
    let mut p = 0.0;
    let mut all_dead = 1.0;
    for j in 0..=dead_others {
        if j < attempts {
            p += all_dead * live as f64 / (others - j) as f64;
        }
        if j < dead_others {
            all_dead *= (dead_others - j) as f64 / (others - j) as f64;
        }
    }
    p
}

/// Shares of clients connected to each instance at time `t`, from the shares at the start of history
/// entry `entry` (which began at `start` with instances `mask`).
/// - Fresh connections only: clients reconnect at rate 1/`every` and go to [`reconnect_target`], so the
///   shares relax exponentially towards it.
/// - Sticky: clients on a dead instance leave it at their next request that finds a live one (rate
///   `rate × rescue`), spreading evenly over the live instances; the others stay.
#[allow(clippy::too_many_arguments)]
pub(super) fn shares_at(
    q: &RequestKind,
    conn: &VecDeque<f64>,
    entry: usize,
    start: Hours,
    mask: u64,
    t: Hours,
    out: &mut [f64],
    target: &mut [f64],
) {
    let n = q.instances.len();
    let a0 = conn.range(entry * n..(entry + 1) * n);
    for (o, &a) in out.iter_mut().zip(a0) {
        *o = a;
    }
    let dt = t - start;
    if q.selection == Selection::Sticky {
        let live = (mask & full(n)).count_ones() as usize;
        let k = q.rate * sticky_rescue(q, live);
        if k == 0.0 {
            return;
        }
        let keep = (-k * dt).exp();
        let mut moved = 0.0;
        for (i, o) in out.iter_mut().enumerate() {
            if mask >> i & 1 == 0 {
                moved += *o * (1.0 - keep);
                *o *= keep;
            }
        }
        for (i, o) in out.iter_mut().enumerate() {
            if mask >> i & 1 == 1 {
                *o += moved / live as f64;
            }
        }
        return;
    }
    let Reconnect::FreshConnectionOnly { every } = q.reconnect else {
        return;
    };
    reconnect_target(q, mask, target);
    if target.iter().all(|&x| x == 0.0) {
        return;
    }
    let decay = (-dt / every).exp();
    for (o, &p) in out.iter_mut().zip(target.iter()) {
        *o = p + (*o - p) * decay;
    }
}

/// Adds the expected outcomes of the arrivals in `[x, y)` (times since the entry's start, all seeing
/// `mask` for their whole horizon) of sticky clients whose shares at the entry's start are `a0`.
#[inline]
pub(super) fn sticky_closed_form(
    q: &RequestKind,
    a0: &[f64],
    mask: u64,
    rate: f64,
    (x, y): (Hours, Hours),
    stats: &mut RequestStats,
) {
    let n = q.instances.len();
    let len = y - x;
    let state = SystemState::of(q, mask);
    let live_n = (mask & full(n)).count_ones() as usize;
    let on_live0: f64 = (0..n).filter(|&i| mask >> i & 1 == 1).map(|i| a0[i]).sum();
    let on_dead0: f64 = (0..n).filter(|&i| mask >> i & 1 == 0).map(|i| a0[i]).sum();
    // Time integrals of the shares on live and on dead instances.
    let k = q.rate * sticky_rescue(q, live_n);
    let stuck = if k > 0.0 {
        on_dead0 * ((-k * x).exp() - (-k * y).exp()) / k
    } else {
        on_dead0 * len
    };
    let on_live = len * (on_live0 + on_dead0) - stuck;
    stats.add_success(state, (0, 0), rate * on_live);
    // A stuck client's request: a timeout on its own instance, then the others in a random order.
    let others = n - 1;
    let dead_others = others.saturating_sub(live_n);
    let mut rescued = 0.0;
    if live_n > 0 && others > 0 {
        let mut all_dead = 1.0;
        for j in 0..=dead_others {
            let p = all_dead * live_n as f64 / (others - j) as f64;
            if j + 1 < q.max_attempts as usize {
                stats.add_success(state, (j + 1, 0), rate * stuck * p);
                rescued += p;
            }
            if j < dead_others {
                all_dead *= (dead_others - j) as f64 / (others - j) as f64;
            }
        }
    }
    let fail = (1.0 - rescued).max(0.0);
    stats.add_failure(state, rate * stuck * fail, stuck * fail);
}

/// Adds the expected outcomes of `rate × len` arrivals, all seeing `mask` for their whole horizon, of
/// clients that send every attempt over their connection, `live` (∫ over the arrivals of the share
/// connected to a live instance) of them to a live instance.
pub(super) fn connected_closed_form(
    q: &RequestKind,
    mask: u64,
    rate: f64,
    len: Hours,
    live: Hours,
    stats: &mut RequestStats,
) {
    let state = SystemState::of(q, mask);
    let (c, in_time) = target_queue(q, mask);
    // On a live instance each attempt is served in time independently; on a dead one none is.
    let mut reach = live;
    for j in 0..q.max_attempts as usize {
        if reach <= 0.0 {
            break;
        }
        stats.add_success(state, (j, c), rate * reach * in_time);
        reach *= 1.0 - in_time;
    }
    let failing = (len - live) + reach.max(0.0);
    stats.add_failure(state, rate * failing, failing);
}

/// ∫ over `[x, y)` (times since the entry's start) of the share of clients connected to a live
/// instance, the shares starting at `a0` and relaxing towards `target` at rate 1/`every`.
#[inline]
pub(super) fn connected_live<'a>(
    target: &[f64],
    a0: impl Iterator<Item = &'a f64>,
    mask: u64,
    every: Hours,
    x: Hours,
    y: Hours,
) -> Hours {
    let frozen = target.iter().all(|&p| p == 0.0);
    let mut total = 0.0;
    for (i, (&a, &p)) in a0.zip(target).enumerate() {
        if mask >> i & 1 == 0 {
            continue;
        }
        total += if frozen {
            a * (y - x)
        } else {
            p * (y - x) + (a - p) * every * ((-x / every).exp() - (-y / every).exp())
        };
    }
    total
}
