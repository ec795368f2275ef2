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

use crate::model::{Model, RequestKind, Selection};
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

    fn of(mask: u64, n: usize) -> SystemState {
        let live = (mask & full(n)).count_ones() as usize;
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
                    succeeded: vec![0.0; q.max_attempts as usize],
                    failed: 0.0,
                    failing_time: 0.0,
                    by_state: std::array::from_fn(|_| Outcomes::new(q.max_attempts as usize)),
                },
                order: Vec::with_capacity(q.instances.len()),
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
                .map(|q| (0..q.max_attempts).map(|j| q.attempt_offset(j)).collect())
                .collect(),
        }
    }

    /// Starts replication `rep` with the instances' masks at time 0.
    pub fn reset(&mut self, model: &Model, seed: u64, rep: u64, masks: impl Iterator<Item = u64>) {
        for ((k, q), mask) in self.kinds.iter_mut().zip(&model.requests).zip(masks) {
            k.mask = mask;
            k.history.clear();
            k.history.push_back((0.0, mask));
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
                closed_form(q, mask, rate, clean_end - from, &mut k.stats);
            }
            if hi > clean_end {
                let len = hi - clean_end;
                let w = rate * len / PROBES as f64;
                // Arrivals in the straddle all come before the next change: they arrive in `mask`.
                let state = SystemState::of(mask, q.instances.len());
                for p in 0..PROBES {
                    let u: f64 = k.stream.random();
                    let s = clean_end + len * (p as f64 + u) / PROBES as f64;
                    let offsets = &self.offsets[i];
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
    }
}

/// Adds the expected outcomes of `rate × len` arrivals that all see `mask`.
fn closed_form(q: &RequestKind, mask: u64, rate: f64, len: Hours, stats: &mut RequestStats) {
    let n = q.instances.len();
    let attempts = q.max_attempts as usize;
    let live = (mask & full(n)).count_ones() as usize;
    let total = rate * len;
    let state = SystemState::of(mask, n);
    if live == 0 {
        stats.add_failure(state, total, len);
        return;
    }
    let mut p_success = 0.0;
    let mut add = |j: usize, p: f64, stats: &mut RequestStats| {
        if j < attempts {
            stats.add_success(state, j, total * p);
            p_success += p;
        }
    };
    match q.selection {
        Selection::Random => {
            // First live instance at position j of a random order: negative hypergeometric.
            let dead = n - live;
            let mut all_dead_so_far = 1.0;
            for j in 0..=dead {
                let p = all_dead_so_far * live as f64 / (n - j) as f64;
                add(j, p, stats);
                if j < dead {
                    all_dead_so_far *= (dead - j) as f64 / (n - j) as f64;
                }
            }
        }
        Selection::Ordered => {
            let j = (0..n).find(|&i| mask >> i & 1 == 1).unwrap_or(n);
            add(j, 1.0, stats);
        }
        Selection::RoundRobin => {
            for r in 0..n {
                let j = (0..n)
                    .find(|&d| mask >> ((r + d) % n) & 1 == 1)
                    .unwrap_or(n);
                add(j, 1.0 / n as f64, stats);
            }
        }
    }
    let p_fail = (1.0 - p_success).max(0.0);
    stats.add_failure(state, total * p_fail, len * p_fail);
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
    mut idx: usize,
    s: Hours,
    rng: &mut Stream,
    order: &mut Vec<u32>,
) -> Option<usize> {
    let n = q.instances.len();
    order.clear();
    order.extend(0..n as u32);
    match q.selection {
        Selection::Random => {
            // A full shuffle: attempts beyond the first pass reuse the same order.
            for i in (1..n).rev() {
                let j = rng.random_range(0..=i);
                order.swap(i, j);
            }
        }
        Selection::RoundRobin => {
            let r = rng.random_range(0..n);
            order.rotate_left(r);
        }
        Selection::Ordered => {}
    }
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
