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

use crate::base::dist::unit_f64;
use crate::base::rng::{Stream, stream};
use crate::base::units::Hours;
use crate::model::{Model, Reconnect, RequestKind, Selection, WhenAllFail};

/// Probe requests per stretch of arrivals that straddle a state change.
pub const PROBES: usize = 8;

/// Cached items that stand for the failed requests of one stretch of constant state.
pub const CACHE_PROBES: usize = 8;

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
    /// `by_class[j × classes + c]`: requests that succeeded at attempt `j` in latency class `c` (the
    /// number of live target instances, which sets the wait in their queue; see
    /// [`RequestKind::classes`]).
    pub by_class: Vec<f64>,
    /// Requests that failed after every attempt.
    pub failed: f64,
}

impl Outcomes {
    fn new(attempts: usize, classes: usize) -> Self {
        Outcomes {
            succeeded: vec![0.0; attempts],
            by_class: vec![0.0; attempts * classes],
            failed: 0.0,
        }
    }

    fn clear(&mut self) {
        self.succeeded.fill(0.0);
        self.by_class.fill(0.0);
        self.failed = 0.0;
    }

    fn add_success(&mut self, j: usize, c: usize, w: f64) {
        let classes = self.by_class.len() / self.succeeded.len();
        self.succeeded[j] += w;
        self.by_class[j * classes + c] += w;
    }

    /// All requests.
    pub fn total(&self) -> f64 {
        self.succeeded.iter().sum::<f64>() + self.failed
    }
}

/// Per-replication figures of one request kind.
#[derive(Debug, Clone, Default)]
pub struct RequestStats {
    /// Outcomes of all requests.
    pub all: Outcomes,
    /// Arrival time during which a request would fail, hours (∫ P(fail) over arrival times).
    pub failing_time: Hours,
    /// The same outcomes split by the [`SystemState`] at arrival.
    pub by_state: [Outcomes; 3],
    /// With `when_all_fail = "cache"`: (delay, weight) of each cached item delivered in this
    /// replication, the delay from the failed request's arrival to the arrival of the request that
    /// delivered it; the weights add up to the expected number of failed requests delivered.
    pub delivered: Vec<(Hours, f64)>,
    /// Expected number of failed requests whose data was still undelivered at the mission end.
    pub undelivered: f64,
}

impl RequestStats {
    fn new(attempts: usize, classes: usize) -> Self {
        RequestStats {
            all: Outcomes::new(attempts, classes),
            failing_time: 0.0,
            by_state: std::array::from_fn(|_| Outcomes::new(attempts, classes)),
            delivered: Vec::new(),
            undelivered: 0.0,
        }
    }

    fn clear(&mut self) {
        self.all.clear();
        self.failing_time = 0.0;
        for o in &mut self.by_state {
            o.clear();
        }
        self.delivered.clear();
        self.undelivered = 0.0;
    }

    fn add_success(&mut self, state: SystemState, (j, c): (usize, usize), w: f64) {
        self.all.add_success(j, c, w);
        self.by_state[state as usize].add_success(j, c, w);
    }

    fn add_failure(&mut self, state: SystemState, w: f64, time: Hours) {
        self.all.failed += w;
        self.failing_time += time;
        self.by_state[state as usize].failed += w;
    }
}

/// Cached data of failed requests, waiting for a request of its client that succeeds.
///
/// Item i of a request kind goes to track i mod [`CACHE_PROBES`]. The requests after any time are a
/// Poisson process whatever came before, so every item of a track that has given up waits for the
/// same thing: the track's next successful request, simulated once for all of them. The cost thus
/// depends on the number of state changes, not on how many items wait (a long outage, a saturated
/// queue); items of one track are delivered together, which correlates them but leaves every
/// expected figure unbiased.
#[derive(Debug, Clone, Default)]
struct Track {
    /// No request before this time delivered the waiting items.
    clock: Hours,
    /// Items that gave up by `clock`: (arrival of the failed request, weight).
    waiting: Vec<(Hours, f64)>,
    /// Items that give up later: (give-up time, arrival, weight), in give-up order.
    joining: VecDeque<(Hours, Hours, f64)>,
}

impl Track {
    fn weight(&self) -> f64 {
        self.waiting.iter().map(|w| w.1).sum::<f64>()
            + self.joining.iter().map(|j| j.2).sum::<f64>()
    }
}

/// State of one request kind during a replication.
#[derive(Debug, Clone)]
struct KindState {
    /// Liveness of the instances (bit i = instance i can serve).
    mask: u64,
    /// Changes of `mask` not yet consumed: (time, new mask); the first entry covers `done` (with DNS
    /// answers, also the `ttl` before it).
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
    /// With caching: per history entry, the rate at which one client's requests that see only
    /// that entry's state succeed.
    success_rate: VecDeque<f64>,
    /// Cached data of failed requests not yet delivered.
    tracks: Vec<Track>,
    /// Track of the next cached item.
    next_track: usize,
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
                stats: RequestStats::new(q.attempts() as usize, q.classes()),
                order: Vec::with_capacity(q.instances.len()),
                conn: VecDeque::new(),
                shares: vec![0.0; q.instances.len()],
                target: vec![0.0; q.instances.len()],
                probs: vec![0.0; q.max_attempts as usize],
                success_rate: VecDeque::new(),
                tracks: vec![Track::default(); CACHE_PROBES],
                next_track: 0,
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
        k.mask = mask;
        k.history.clear();
        // DNS answers given before time 0 were for the state at time 0.
        let since = match q.reconnect {
            Reconnect::Dns { ttl, .. } => -ttl,
            _ => 0.0,
        };
        k.history.push_back((since, mask));
        k.success_rate.clear();
        if q.when_all_fail == WhenAllFail::Cache {
            let rate = q.rate * (1.0 - outcome_probs(q, mask, &mut k.probs));
            k.success_rate.push_back(rate);
        }
        k.conn.clear();
        if matches!(q.reconnect, Reconnect::FreshConnectionOnly { .. })
            || q.selection == Selection::Sticky
        {
            // Everyone starts connected where a fresh connection would go.
            reconnect_target(q, mask, &mut k.target);
            k.conn.extend(k.target.iter().copied());
        }
        k.done = 0.0;
        k.stream = stream(seed, rep, q.stream_key);
        k.stats.clear();
        for t in &mut k.tracks {
            t.clock = 0.0;
            t.waiting.clear();
            t.joining.clear();
        }
        k.next_track = 0;
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
        let q = &model.requests[i];
        if !k.conn.is_empty() {
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
        if q.when_all_fail == WhenAllFail::Cache {
            let rate = q.rate * (1.0 - outcome_probs(q, mask, &mut k.probs));
            k.success_rate.push_back(rate);
        }
        let upto = t - q.horizon();
        self.advance(model, i, upto);
    }

    /// Accounts for every remaining arrival before the mission end (the state after it is taken as
    /// unchanged); data still cached then is undelivered.
    pub fn finish(&mut self, model: &Model, mission: Hours) {
        for i in 0..self.kinds.len() {
            self.advance(model, i, mission);
            let k = &mut self.kinds[i];
            k.stats.undelivered = k.tracks.iter().map(Track::weight).sum();
        }
    }

    /// Accounts for the arrivals in `[done, upto)` of kind `i`, and for cached data the requests among
    /// them deliver.
    fn advance(&mut self, model: &Model, i: usize, upto: Hours) {
        let q = &model.requests[i];
        let rate = self.rates[i];
        let horizon = q.horizon();
        let offsets = &self.offsets[i];
        let k = &mut self.kinds[i];
        if upto <= k.done {
            return;
        }
        let caches = q.when_all_fail == WhenAllFail::Cache;
        let mut from = k.done;
        let mut idx = entry_at(&k.history, from);
        while from < upto {
            let (start, mask) = k.history[idx];
            let end = k.history.get(idx + 1).map_or(f64::INFINITY, |h| h.0);
            let hi = upto.min(end);
            // Arrivals in [from, clean_end) see `mask` for their whole horizon.
            let clean_end = hi.min(end - horizon).max(from);
            if clean_end > from {
                let failed = match q.reconnect {
                    _ if q.selection == Selection::Sticky => {
                        let n = q.instances.len();
                        let a0 = k.conn.range(idx * n..(idx + 1) * n);
                        for (a, &c) in k.shares.iter_mut().zip(a0) {
                            *a = c;
                        }
                        sticky_closed_form(
                            q,
                            &k.shares,
                            mask,
                            rate,
                            (from - start, clean_end - start),
                            &mut k.stats,
                        );
                        0.0
                    }
                    Reconnect::FreshConnectionOnly { every } => {
                        let n = q.instances.len();
                        reconnect_target(q, mask, &mut k.target);
                        let a0 = k.conn.range(idx * n..(idx + 1) * n);
                        let live = connected_live(
                            &k.target,
                            a0,
                            mask,
                            every,
                            from - start,
                            clean_end - start,
                        );
                        connected_closed_form(q, mask, rate, clean_end - from, live, &mut k.stats);
                        0.0
                    }
                    Reconnect::Dns { ttl, .. } => {
                        let live =
                            dns_live(q, &k.history, ttl, from, clean_end, mask, &mut k.target);
                        connected_closed_form(q, mask, rate, clean_end - from, live, &mut k.stats);
                        0.0
                    }
                    Reconnect::OnFailure => {
                        closed_form(q, mask, rate, clean_end - from, &mut k.probs, &mut k.stats)
                    }
                };
                if caches && failed > 0.0 {
                    // Stratified arrivals stand for the failed requests of the stretch.
                    let len = clean_end - from;
                    let w = failed / CACHE_PROBES as f64;
                    for p in 0..CACHE_PROBES {
                        let born =
                            from + len * (p as f64 + unit_f64(&mut k.stream)) / CACHE_PROBES as f64;
                        k.cache(born + q.give_up(), born, w);
                    }
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
                    let outcome = if q.selection == Selection::Sticky
                        || !matches!(q.reconnect, Reconnect::OnFailure)
                    {
                        // The probe's client is connected where a share of clients is at `s`.
                        match q.reconnect {
                            Reconnect::Dns { ttl, .. } => {
                                dns_shares_at(q, &k.history, ttl, s, &mut k.shares, &mut k.target)
                            }
                            _ => shares_at(
                                q,
                                &k.conn,
                                idx,
                                start,
                                mask,
                                s,
                                &mut k.shares,
                                &mut k.target,
                            ),
                        }
                        let pick = pick_share(&k.shares, &mut k.stream);
                        let n = q.instances.len();
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
                        let order = &k.order;
                        walk(q, offsets, &k.history, idx, s, &mut k.stream, |j| {
                            order[j % n]
                        })
                    } else {
                        probe(q, offsets, &k.history, idx, s, &mut k.stream, &mut k.order)
                    };
                    match outcome {
                        Some(jc) => k.stats.add_success(state, jc, w),
                        None => {
                            k.stats.add_failure(state, w, len / PROBES as f64);
                            if caches {
                                k.cache(s + q.give_up(), s, w);
                            }
                        }
                    }
                }
            }
            from = hi;
            if hi >= end {
                idx += 1;
            }
        }
        k.done = upto;
        if caches {
            deliver(q, offsets, k, upto);
        }
        // Forget states that no remaining arrival can see.
        let mut keep_from = entry_at(&k.history, k.done);
        if let Reconnect::Dns { ttl, .. } = q.reconnect {
            keep_from = entry_at(&k.history, k.done - ttl);
        }
        // Cached data needs nothing older: every track's clock is at `done` or later now.
        k.history.drain(..keep_from);
        if !k.success_rate.is_empty() {
            k.success_rate.drain(..keep_from);
        }
        if !k.conn.is_empty() {
            k.conn.drain(..keep_from * q.instances.len());
        }
    }
}

/// Index of the history entry in force at `t` (the first one if `t` comes before it).
fn entry_at(history: &VecDeque<(Hours, u64)>, t: Hours) -> usize {
    let mut idx = 0;
    while idx + 1 < history.len() && history[idx + 1].0 <= t {
        idx += 1;
    }
    idx
}

impl KindState {
    /// Caches a failed request that arrived at `born` and gave up at `give_up`.
    fn cache(&mut self, give_up: Hours, born: Hours, weight: f64) {
        self.tracks[self.next_track]
            .joining
            .push_back((give_up, born, weight));
        self.next_track = (self.next_track + 1) % self.tracks.len();
    }
}

/// Moves every track of cached data of kind `q` forward to `upto`, delivering what the first
/// successful request after each item's give-up carries.
fn deliver(q: &RequestKind, offsets: &[Hours], k: &mut KindState, upto: Hours) {
    for ti in 0..k.tracks.len() {
        loop {
            let track = &mut k.tracks[ti];
            while let Some(&(g, born, w)) = track.joining.front()
                && g <= track.clock
            {
                track.waiting.push((born, w));
                track.joining.pop_front();
            }
            let next_join = track.joining.front().map(|j| j.0);
            if track.waiting.is_empty() {
                match next_join {
                    Some(g) if g < upto => {
                        track.clock = g;
                        continue;
                    }
                    _ => {
                        track.clock = track.clock.max(upto);
                        break;
                    }
                }
            }
            // Simulate no further than the next item joining, so that it shares what comes after.
            let stop = next_join.map_or(upto, |g| g.min(upto));
            let from = track.clock;
            if from >= stop {
                break;
            }
            let found = next_success(q, offsets, k, from, stop);
            let track = &mut k.tracks[ti];
            match found {
                Some(at) => {
                    k.stats
                        .delivered
                        .extend(track.waiting.drain(..).map(|(born, w)| (at - born, w)));
                    track.clock = at;
                }
                None => track.clock = stop,
            }
        }
    }
}

/// The first request of one client in `[from, stop)` that succeeds, if any: the client's requests
/// are a Poisson process of its own rate. While the state stays constant for a request's whole
/// horizon the successful ones are a thinned Poisson process (closed form); near a change each
/// request is simulated exactly against the history.
fn next_success(
    q: &RequestKind,
    offsets: &[Hours],
    k: &mut KindState,
    from: Hours,
    stop: Hours,
) -> Option<Hours> {
    let horizon = q.horizon();
    let mut t = from;
    let mut idx = entry_at(&k.history, t);
    while t < stop {
        let start = k.history[idx].0;
        let end = k.history.get(idx + 1).map_or(f64::INFINITY, |h| h.0);
        let clean_end = (end - horizon).max(start);
        let seg_end = clean_end.min(stop);
        if t < seg_end {
            let rate = k.success_rate[idx];
            if rate > 0.0 {
                let at = t + exp_draw(&mut k.stream, rate);
                if at < seg_end {
                    return Some(at);
                }
            }
            t = seg_end;
        }
        let hi = end.min(stop);
        while t < hi {
            let r = t + exp_draw(&mut k.stream, q.rate);
            if r >= hi {
                t = hi;
                break;
            }
            t = r;
            if probe(q, offsets, &k.history, idx, r, &mut k.stream, &mut k.order).is_some() {
                return Some(r);
            }
        }
        if t >= end {
            idx += 1;
        }
    }
    None
}

/// An exponential draw with the given rate.
fn exp_draw(rng: &mut Stream, rate: f64) -> Hours {
    -(1.0 - unit_f64(rng)).ln() / rate
}

/// An instance drawn with the given shares (the last one if rounding leaves a remainder).
fn pick_share(shares: &[f64], rng: &mut Stream) -> usize {
    let mut u: f64 = rng.random();
    for (c, &a) in shares.iter().enumerate() {
        if u < a {
            return c;
        }
        u -= a;
    }
    shares.len() - 1
}

/// Live target instances in `mask` (which sets the wait in their queue).
fn live_targets(q: &RequestKind, mask: u64) -> usize {
    (mask & full(q.primary)).count_ones() as usize
}

/// The latency class of a success on the target in state `mask` (its live instances, or 0 without a
/// queue) and the probability that an attempt on a live instance is served in time.
fn target_queue(q: &RequestKind, mask: u64) -> (usize, f64) {
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
fn outcome_probs(q: &RequestKind, mask: u64, probs: &mut [f64]) -> f64 {
    let n1 = q.primary;
    let (_, in_time) = target_queue(q, mask);
    let mut p_fail = first_success(q.selection, n1, mask, in_time, probs);
    if q.fallback.is_some() && p_fail > 0.0 {
        let n2 = q.instances.len() - n1;
        p_fail *= first_success(q.selection, n2, mask >> n1, 1.0, probs);
    }
    p_fail
}

/// Adds the expected outcomes of `rate × len` arrivals that all see `mask`; returns the expected number
/// of them that failed.
fn closed_form(
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
    let mut p_fail = first_success(q.selection, n1, mask, in_time, probs);
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
fn first_success(
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

fn full(n: usize) -> u64 {
    if n >= 64 { u64::MAX } else { (1u64 << n) - 1 }
}

/// Simulates one request arriving at `s` against the recorded history (starting at entry `idx`, which
/// covers `s`); returns the attempt that succeeded and its latency class.
fn probe(
    q: &RequestKind,
    offsets: &[Hours],
    history: &VecDeque<(Hours, u64)>,
    idx: usize,
    s: Hours,
    rng: &mut Stream,
    order: &mut Vec<u32>,
) -> Option<(usize, usize)> {
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

/// Tries the instances `instance(j)` at the attempt times of a request arriving at `s`; an attempt on a
/// live target instance with a queue is served in time with the queue's probability. Returns the
/// attempt that succeeded and its latency class.
fn walk(
    q: &RequestKind,
    offsets: &[Hours],
    history: &VecDeque<(Hours, u64)>,
    mut idx: usize,
    s: Hours,
    rng: &mut Stream,
    instance: impl Fn(usize) -> u32,
) -> Option<(usize, usize)> {
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
            return Some((j, 0));
        }
        let c = live_targets(q, mask);
        if unit_f64(rng) < q.queue[c].in_time {
            return Some((j, c));
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
fn dns_shares_at(
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
fn dns_live(
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
/// `mask` for their whole horizon) of sticky clients whose shares at the entry's start are `a0`.
fn sticky_closed_form(
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
fn connected_closed_form(
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
