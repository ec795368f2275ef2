//! What clients experience, at a cost independent of how many clients there are.
//!
//! Requests are never simulated one by one. Between two changes of the instances a request kind can use,
//! the system is in one state; a request whose whole attempt horizon lies in one state has outcome
//! probabilities in closed form, so the expected number of requests with each outcome is integrated
//! over the interval. Requests arriving within one horizon before a change may see several states: a
//! fixed number of stratified probe requests is simulated exactly against the recorded state history and
//! weighted by the arrivals they stand for. Both parts are unbiased, so per-replication figures are
//! unbiased estimates of the expected counts, and cost depends on the number of state changes only.

use std::collections::VecDeque;

use rand::RngExt;

use crate::model::{Model, Reconnect, RequestKind, Selection};
use crate::rng::{Stream, stream};
use crate::units::Hours;

/// Probe requests per stretch of arrivals that straddle a state change.
pub const PROBES: usize = 8;

/// State of a request kind's instances when a request arrives: where its latency comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SystemState {
    /// Every instance can serve.
    AllUp = 0,
    /// Some instances can serve, some cannot.
    Degraded = 1,
    /// No instance can serve (outage, failover in progress).
    Down = 2,
}

impl SystemState {
    /// All states, in index order.
    pub const ALL: [SystemState; 3] =
        [SystemState::AllUp, SystemState::Degraded, SystemState::Down];

    /// Name for tables and CSV.
    pub fn as_str(self) -> &'static str {
        match self {
            SystemState::AllUp => "all_up",
            SystemState::Degraded => "degraded",
            SystemState::Down => "down",
        }
    }

    fn of(q: &RequestKind, mask: u64) -> SystemState {
        let n = q.primary;
        let live = (mask & full(n)).count_ones() as usize;
        if q.per_replica {
            // A mirror serves from one partner at a time: that is all up.
            return if live > 0 {
                SystemState::AllUp
            } else {
                SystemState::Down
            };
        }
        if live == n {
            SystemState::AllUp
        } else if live > 0 {
            SystemState::Degraded
        } else {
            SystemState::Down
        }
    }
}

/// Expected numbers of requests by outcome.
#[derive(Debug, Clone, Default)]
pub struct Outcomes {
    /// `succeeded[j]`: requests that succeeded at attempt `j`.
    pub succeeded: Vec<f64>,
    /// Requests that failed after every attempt.
    pub failed: f64,
}

impl Outcomes {
    fn new(attempts: usize) -> Self {
        Outcomes {
            succeeded: vec![0.0; attempts],
            failed: 0.0,
        }
    }

    fn clear(&mut self) {
        self.succeeded.fill(0.0);
        self.failed = 0.0;
    }

    /// All requests.
    pub fn total(&self) -> f64 {
        self.succeeded.iter().sum::<f64>() + self.failed
    }
}

/// Per-replication figures of one request kind.
#[derive(Debug, Clone, Default)]
pub struct RequestStats {
    /// `succeeded[j]`: requests that succeeded at attempt `j`.
    pub succeeded: Vec<f64>,
    /// Requests that failed after every attempt.
    pub failed: f64,
    /// Arrival time during which a request would fail, hours (∫ P(fail) over arrival times).
    pub failing_time: Hours,
    /// The same outcomes split by the [`SystemState`] at arrival.
    pub by_state: [Outcomes; 3],
}

impl RequestStats {
    fn add_success(&mut self, state: SystemState, j: usize, w: f64) {
        self.succeeded[j] += w;
        self.by_state[state as usize].succeeded[j] += w;
    }

    fn add_failure(&mut self, state: SystemState, w: f64, time: Hours) {
        self.failed += w;
        self.failing_time += time;
        self.by_state[state as usize].failed += w;
    }
}

/// State of one request kind during a replication.
#[derive(Debug, Clone)]
struct KindState {
    /// Liveness of the instances (bit i = instance i can serve).
    mask: u64,
    /// Changes of `mask` not yet consumed: (time, new mask); the first entry covers `done`.
    history: VecDeque<(Hours, u64)>,
    /// Arrivals before this time have been accounted for.
    done: Hours,
    stream: Stream,
    stats: RequestStats,
    /// Scratch: a probe's order of instances.
    order: Vec<u32>,
    /// With lasting connections: per history entry, the expected share of clients connected to each
    /// instance at the entry's start (n values per entry, flat).
    conn: VecDeque<f64>,
    /// Scratch: shares at some time, and where reconnecting clients go.
    shares: Vec<f64>,
    target: Vec<f64>,
    /// Scratch: outcome probabilities by attempt, so state changes allocate nothing.
    probs: Vec<f64>,
}

/// Evaluates every request kind of a model over one replication.
#[derive(Debug, Clone)]
pub struct ClientEval {
    kinds: Vec<KindState>,
    /// Per kind: arrival rate of the whole population, per hour.
    rates: Vec<f64>,
    /// Per kind: start offset of each attempt.
    offsets: Vec<Vec<Hours>>,
}

impl ClientEval {
    /// Prepares the evaluator for `model`.
    pub fn new(model: &Model) -> Self {
        let kinds = model
            .requests
            .iter()
            .map(|q| KindState {
                mask: 0,
                history: VecDeque::new(),
                done: 0.0,
                stream: stream(0, 0, q.stream_key),
                stats: RequestStats {
                    succeeded: vec![0.0; q.attempts() as usize],
                    failed: 0.0,
                    failing_time: 0.0,
                    by_state: std::array::from_fn(|_| Outcomes::new(q.attempts() as usize)),
                },
                order: Vec::with_capacity(q.instances.len()),
                conn: VecDeque::new(),
                shares: vec![0.0; q.instances.len()],
                target: vec![0.0; q.instances.len()],
                probs: vec![0.0; q.max_attempts as usize],
            })
            .collect();
        ClientEval {
            kinds,
            rates: model
                .requests
                .iter()
                .map(|q| q.rate * model.populations[q.population].count as f64)
                .collect(),
            offsets: model
                .requests
                .iter()
                .map(|q| (0..q.attempts()).map(|j| q.attempt_offset(j)).collect())
                .collect(),
        }
    }

    /// Starts replication `rep` of request kind `i`, whose instances are `mask` at time 0.
    pub fn reset_kind(&mut self, model: &Model, i: usize, seed: u64, rep: u64, mask: u64) {
        let q = &model.requests[i];
        let k = &mut self.kinds[i];
        {
            k.mask = mask;
            k.history.clear();
            k.history.push_back((0.0, mask));
            k.conn.clear();
            if holds_connections(q) {
                // Everyone starts connected where a fresh connection would go.
                reconnect_target(q, mask, &mut k.target);
                k.conn.extend(k.target.iter().copied());
            }
            k.done = 0.0;
            k.stream = stream(seed, rep, q.stream_key);
            k.stats.succeeded.fill(0.0);
            k.stats.failed = 0.0;
            k.stats.failing_time = 0.0;
            for o in &mut k.stats.by_state {
                o.clear();
            }
        }
    }

    /// Figures of the last replication, per request kind.
    pub fn stats(&self) -> impl Iterator<Item = &RequestStats> {
        self.kinds.iter().map(|k| &k.stats)
    }

    /// Records that kind `i`'s instances are `mask` from time `t` on, and accounts for every arrival whose
    /// attempts all start before `t`.
    pub fn observe(&mut self, model: &Model, i: usize, t: Hours, mask: u64) {
        let k = &mut self.kinds[i];
        if mask == k.mask {
            return;
        }
        k.mask = mask;
        if holds_connections(&model.requests[i]) {
            let q = &model.requests[i];
            let last = k.history.len() - 1;
            let (start, old_mask) = k.history[last];
            shares_at(
                q,
                &k.conn,
                last,
                start,
                old_mask,
                t,
                &mut k.shares,
                &mut k.target,
            );
            k.conn.extend(k.shares.iter().copied());
        }
        k.history.push_back((t, mask));
        let upto = t - model.requests[i].horizon();
        self.advance(model, i, upto);
    }

    /// Accounts for every remaining arrival before the mission end (the state after it is taken as
    /// unchanged).
    pub fn finish(&mut self, model: &Model, mission: Hours) {
        for i in 0..self.kinds.len() {
            self.advance(model, i, mission);
        }
    }

    /// Accounts for the arrivals in `[done, upto)` of kind `i`.
    fn advance(&mut self, model: &Model, i: usize, upto: Hours) {
        let q = &model.requests[i];
        let rate = self.rates[i];
        let horizon = q.horizon();
        let k = &mut self.kinds[i];
        if upto <= k.done {
            return;
        }
        let mut from = k.done;
        let mut idx = 0;
        while from < upto {
            let (start, mask) = k.history[idx];
            debug_assert!(start <= from);
            let end = k.history.get(idx + 1).map_or(f64::INFINITY, |h| h.0);
            let hi = upto.min(end);
            // Arrivals in [from, clean_end) see `mask` for their whole horizon.
            let clean_end = hi.min(end - horizon).max(from);
            if clean_end > from {
                if holds_connections(q) {
                    let n = q.instances.len();
                    for (a, &c) in k
                        .shares
                        .iter_mut()
                        .zip(k.conn.range(idx * n..(idx + 1) * n))
                    {
                        *a = c;
                    }
                    connected_closed_form(
                        q,
                        &k.shares,
                        &mut k.target,
                        mask,
                        rate,
                        (from - start, clean_end - start),
                        &mut k.stats,
                    );
                } else {
                    let len = clean_end - from;
                    closed_form(q, mask, rate, len, &mut k.probs, &mut k.stats);
                }
            }
            if hi > clean_end {
                let len = hi - clean_end;
                let w = rate * len / PROBES as f64;
                // Arrivals in the straddle all come before the next change: they arrive in `mask`.
                let state = SystemState::of(q, mask);
                for p in 0..PROBES {
                    let u: f64 = k.stream.random();
                    let s = clean_end + len * (p as f64 + u) / PROBES as f64;
                    let offsets = &self.offsets[i];
                    if holds_connections(q) {
                        // The probe's client is connected where a share of clients is at `s`.
                        shares_at(
                            q,
                            &k.conn,
                            idx,
                            start,
                            mask,
                            s,
                            &mut k.shares,
                            &mut k.target,
                        );
                        let mut u: f64 = k.stream.random();
                        let n = q.instances.len();
                        let mut pick = n - 1;
                        for (c, &a) in k.shares.iter().enumerate() {
                            if u < a {
                                pick = c;
                                break;
                            }
                            u -= a;
                        }
                        k.order.clear();
                        if q.selection == Selection::Sticky {
                            // Its instance first, then the others in a random order.
                            k.order.push(pick as u32);
                            k.order.extend((0..n as u32).filter(|&x| x != pick as u32));
                            for a in (2..n).rev() {
                                let b = k.stream.random_range(1..=a);
                                k.order.swap(a, b);
                            }
                        } else {
                            k.order.resize(n, pick as u32);
                        }
                        match walk(offsets, &k.history, idx, s, &k.order) {
                            Some(j) => k.stats.add_success(state, j, w),
                            None => k.stats.add_failure(state, w, len / PROBES as f64),
                        }
                        continue;
                    }
                    match probe(q, offsets, &k.history, idx, s, &mut k.stream, &mut k.order) {
                        Some(j) => k.stats.add_success(state, j, w),
                        None => k.stats.add_failure(state, w, len / PROBES as f64),
                    }
                }
            }
            from = hi;
            if hi >= end {
                idx += 1;
            }
        }
        k.done = upto;
        // Forget states that no remaining arrival can see.
        let keep_from = idx.min(k.history.len() - 1);
        k.history.drain(..keep_from);
        if !k.conn.is_empty() {
            k.conn.drain(..keep_from * q.instances.len());
        }
    }
}

/// Adds the expected outcomes of `rate × len` arrivals that all see `mask`.
fn closed_form(
    q: &RequestKind,
    mask: u64,
    rate: f64,
    len: Hours,
    probs: &mut [f64],
    stats: &mut RequestStats,
) {
    let total = rate * len;
    let state = SystemState::of(q, mask);
    let attempts = q.max_attempts as usize;
    let n1 = q.primary;
    let mut p_fail = first_success(q.selection, n1, mask, probs);
    for (j, &p) in probs.iter().enumerate() {
        if p > 0.0 {
            stats.add_success(state, j, total * p);
        }
    }
    if q.fallback.is_some() && p_fail > 0.0 {
        // The fallback's instances see the same state: its outcome is independent of which target
        // instances were tried.
        let n2 = q.instances.len() - n1;
        let fail2 = first_success(q.selection, n2, mask >> n1, probs);
        for (i, &p) in probs.iter().enumerate() {
            if p > 0.0 {
                stats.add_success(state, attempts + i, total * p_fail * p);
            }
        }
        p_fail *= fail2;
    }
    stats.add_failure(state, total * p_fail, len * p_fail);
}

/// For `n` instances in state `mask` tried in the order `selection` gives, up to `probs.len()` times:
/// fills `probs[j]` with the probability that attempt j is the first to find a live instance, and
/// returns the probability that none does.
fn first_success(selection: Selection, n: usize, mask: u64, probs: &mut [f64]) -> f64 {
    let attempts = probs.len();
    probs.fill(0.0);
    let live = (mask & full(n)).count_ones() as usize;
    if live == 0 {
        return 1.0;
    }
    let mut p_success = 0.0;
    let mut add = |j: usize, p: f64| {
        if j < attempts {
            probs[j] += p;
            p_success += p;
        }
    };
    match selection {
        // Sticky clients hold connections and never get here; alone they would choose at random.
        Selection::Random | Selection::Sticky => {
            // First live instance at position j of a random order: negative hypergeometric.
            let dead = n - live;
            let mut all_dead_so_far = 1.0;
            for j in 0..=dead {
                add(j, all_dead_so_far * live as f64 / (n - j) as f64);
                if j < dead {
                    all_dead_so_far *= (dead - j) as f64 / (n - j) as f64;
                }
            }
        }
        Selection::Ordered => {
            let j = (0..n).find(|&i| mask >> i & 1 == 1).unwrap_or(n);
            add(j, 1.0);
        }
        Selection::RoundRobin => {
            for r in 0..n {
                let j = (0..n)
                    .find(|&d| mask >> ((r + d) % n) & 1 == 1)
                    .unwrap_or(n);
                add(j, 1.0 / n as f64);
            }
        }
    }
    (1.0 - p_success).max(0.0)
}

fn full(n: usize) -> u64 {
    if n >= 64 { u64::MAX } else { (1u64 << n) - 1 }
}

/// Simulates one request arriving at `s` against the recorded history (starting at entry `idx`, which
/// covers `s`); returns the attempt that succeeded.
fn probe(
    q: &RequestKind,
    offsets: &[Hours],
    history: &VecDeque<(Hours, u64)>,
    idx: usize,
    s: Hours,
    rng: &mut Stream,
    order: &mut Vec<u32>,
) -> Option<usize> {
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
    if q.fallback.is_none() {
        return walk(offsets, history, idx, s, order);
    }
    let attempts = q.max_attempts as usize;
    let n2 = q.instances.len() - n1;
    let mut idx = idx;
    for (j, &off) in offsets.iter().enumerate() {
        let at = s + off;
        while idx + 1 < history.len() && history[idx + 1].0 <= at {
            idx += 1;
        }
        let instance = if j < attempts {
            order[j % n1]
        } else {
            order[n1 + (j - attempts) % n2]
        };
        if history[idx].1 >> instance & 1 == 1 {
            return Some(j);
        }
    }
    None
}

/// Tries the instances of `order` (cycling) at the attempt times of a request arriving at `s`.
fn walk(
    offsets: &[Hours],
    history: &VecDeque<(Hours, u64)>,
    mut idx: usize,
    s: Hours,
    order: &[u32],
) -> Option<usize> {
    let n = order.len();
    for (j, &off) in offsets.iter().enumerate() {
        let at = s + off;
        while idx + 1 < history.len() && history[idx + 1].0 <= at {
            idx += 1;
        }
        let mask = history[idx].1;
        if mask >> order[j % n] & 1 == 1 {
            return Some(j);
        }
    }
    None
}

/// Where a client that (re)connects while the instances are `mask` goes: the first live instance for
/// `ordered`, any live one alike otherwise. With none live it keeps its connection (all zero here).
fn reconnect_target(q: &RequestKind, mask: u64, target: &mut [f64]) {
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

/// Whether clients of this kind hold connections (so the engine tracks where they are connected).
fn holds_connections(q: &RequestKind) -> bool {
    q.selection == Selection::Sticky || matches!(q.reconnect, Reconnect::FreshConnectionOnly { .. })
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
fn shares_at(
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
/// `mask` for their whole horizon) of clients holding connections whose shares at the entry's start
/// are `a0`.
fn connected_closed_form(
    q: &RequestKind,
    a0: &[f64],
    target: &mut [f64],
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
    if q.selection == Selection::Sticky {
        // Time integrals of the shares on live and on dead instances.
        let k = q.rate * sticky_rescue(q, live_n);
        let stuck = if k > 0.0 {
            on_dead0 * ((-k * x).exp() - (-k * y).exp()) / k
        } else {
            on_dead0 * len
        };
        let on_live = len * (on_live0 + on_dead0) - stuck;
        stats.add_success(state, 0, rate * on_live);
        // A stuck client's request: a timeout on its own instance, then the others in a random order.
        let others = n - 1;
        let dead_others = others.saturating_sub(live_n);
        let mut rescued = 0.0;
        if live_n > 0 && others > 0 {
            let mut all_dead = 1.0;
            for j in 0..=dead_others {
                let p = all_dead * live_n as f64 / (others - j) as f64;
                if j + 1 < q.max_attempts as usize {
                    stats.add_success(state, j + 1, rate * stuck * p);
                    rescued += p;
                }
                if j < dead_others {
                    all_dead *= (dead_others - j) as f64 / (others - j) as f64;
                }
            }
        }
        let fail = (1.0 - rescued).max(0.0);
        stats.add_failure(state, rate * stuck * fail, stuck * fail);
        return;
    }
    let Reconnect::FreshConnectionOnly { every } = q.reconnect else {
        return;
    };
    reconnect_target(q, mask, target);
    let live = connected_live(target, a0.iter(), mask, every, x, y);
    stats.add_success(state, 0, rate * live);
    stats.add_failure(state, rate * (len - live), len - live);
}

/// ∫ over `[x, y)` (times since the entry's start) of the share of clients connected to a live
/// instance, the shares starting at `a0` and relaxing towards `target` at rate 1/`every`.
fn connected_live<'a>(
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
