//! What clients experience, at a cost independent of how many clients there are.
//!
//! Requests are never simulated one by one. Between two changes of the instances a request kind can use,
//! the system is in one state; a request whose whole attempt horizon lies in one state has outcome
//! probabilities in closed form, so the expected number of requests with each outcome is integrated
//! over the interval. Requests arriving within one horizon before a change may see several states: a
//! fixed number of stratified probe requests is simulated exactly against the recorded state history and
//! weighted by the arrivals they stand for. Both parts are unbiased, so per-replication figures are
//! unbiased estimates of the expected counts, and cost depends on the number of state changes only.

mod age;
mod age_periodic;
mod balancer;
mod cache;
mod closed;
mod connections;
mod delayed;
mod inflight;
mod instances;
mod phases;
mod probes;
mod reassign;

use std::collections::VecDeque;

use rand::RngExt;

use crate::base::dist::unit_f64;
use crate::base::rng::{Stream, stream};
use crate::base::units::Hours;
use crate::model::{Model, Reconnect, Refresh, RequestKind, Selection, WhenAllFail};
use age::AgeState;
pub use age::{AGE_BINS, AgeFigures, age_edge};
pub(in crate::engine) use balancer::Balancers;
use cache::{Track, deliver};
use closed::{closed_form, outcome_probs};
use connections::{
    connected_closed_form, connected_live, dns_live, dns_shares_at, reconnect_target, shares_at,
    sticky_closed_form,
};
use delayed::FallbackGate;
pub use inflight::Cuts;
use inflight::serve;
use phases::initial_factor;
use probes::{pick_share, walk};
pub use reassign::Moves;
use reassign::{Reassigned, request};

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

    #[inline]
    pub(super) fn of(q: &RequestKind, mask: u64) -> SystemState {
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

    #[inline]
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
    /// Work in flight (request kinds with a `duration`): what cuts did.
    pub cuts: Cuts,
    /// Data age (request kinds with `stale_after`).
    pub age: Option<AgeFigures>,
    /// Reassignment (populations with `reassign`): the moves and the time moved.
    pub moves: Moves,
    /// Populations whose rate changes by phase: per phase, (requests, failed requests) arriving in
    /// it (empty otherwise).
    pub by_phase: Vec<[f64; 2]>,
}

impl RequestStats {
    fn new(attempts: usize, classes: usize) -> Self {
        RequestStats {
            all: Outcomes::new(attempts, classes),
            failing_time: 0.0,
            by_state: std::array::from_fn(|_| Outcomes::new(attempts, classes)),
            delivered: Vec::new(),
            undelivered: 0.0,
            cuts: Cuts::default(),
            age: None,
            moves: Moves::default(),
            by_phase: Vec::new(),
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
        self.cuts = Cuts::default();
        self.moves = Moves::default();
        self.by_phase.fill([0.0; 2]);
    }

    #[inline]
    fn add_success(&mut self, state: SystemState, (j, c): (usize, usize), w: f64) {
        self.all.add_success(j, c, w);
        self.by_state[state as usize].add_success(j, c, w);
    }

    #[inline]
    fn add_failure(&mut self, state: SystemState, w: f64, time: Hours) {
        self.all.failed += w;
        self.failing_time += time;
        self.by_state[state as usize].failed += w;
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
    /// With `fallback_after`: whether the fallback is open yet.
    gate: Option<FallbackGate>,
    /// With `stale_after`: the clients' data age.
    age: Option<AgeState>,
    /// With reassignment: the share of the population whose arrivals this kind accounts for now, and
    /// per history entry the share in force then (empty without reassignment).
    scale: f64,
    scales: VecDeque<f64>,
    /// With reassignment: its index in `ClientEval::moves`.
    reassign: Option<usize>,
    /// With a rate that changes by phase: the multiplier and phase in force now, and per history
    /// entry those in force then (empty otherwise).
    factor: f64,
    phase: usize,
    factors: VecDeque<(f64, usize)>,
}

/// Evaluates every request kind of a model over one replication.
#[derive(Debug, Clone)]
pub struct ClientEval {
    kinds: Vec<KindState>,
    /// Per kind: arrival rate of the whole population, per hour.
    rates: Vec<f64>,
    /// Per kind: start offset of each attempt.
    offsets: Vec<Vec<Hours>>,
    /// Reassigned kinds: when their clients move.
    moves: Vec<Reassigned>,
    /// Per kind after the model's: the reassigned kind whose moved clients it stands for.
    shadows: Vec<usize>,
    /// Per kind: the multiplier of its rate in each phase (empty where no phase changes it).
    phase_factors: Vec<Vec<f64>>,
}

impl ClientEval {
    /// Prepares the evaluator for `model`.
    pub fn new(model: &Model) -> Self {
        // The moved clients of reassigned kinds are kinds of their own, after the model's.
        let shadows: Vec<usize> = (0..model.requests.len())
            .filter(|&i| model.requests[i].reassign.is_some())
            .collect();
        let all: Vec<&RequestKind> = model
            .requests
            .iter()
            .chain(shadows.iter().map(|&i| {
                model.requests[i]
                    .reassign
                    .as_ref()
                    .map_or(&model.requests[i], |r| r.moved())
            }))
            .collect();
        let kinds = all
            .iter()
            .map(|q| KindState {
                age: q.stale_after.map(|tau| {
                    let all_up = full(q.instances.len());
                    let mut probs = vec![0.0; q.max_attempts as usize];
                    let success = 1.0 - outcome_probs(q, all_up, &mut probs);
                    // Before time 0 the rate was the first phase's.
                    let f = initial_factor(model, q);
                    match q.refresh {
                        Refresh::Poisson => AgeState::new(tau, q.rate * f * success),
                        Refresh::Periodic => AgeState::periodic(tau, 1.0 / q.rate, success),
                    }
                }),
                mask: 0,
                history: VecDeque::new(),
                done: 0.0,
                stream: stream(0, 0, q.stream_key),
                stats: RequestStats {
                    age: q.stale_after.map(|_| AgeState::figures()),
                    ..RequestStats::new(q.attempts() as usize, q.classes())
                },
                order: Vec::with_capacity(q.instances.len()),
                conn: VecDeque::new(),
                shares: vec![0.0; q.instances.len()],
                target: vec![0.0; q.instances.len()],
                probs: vec![0.0; q.max_attempts as usize],
                success_rate: VecDeque::new(),
                tracks: vec![Track::default(); CACHE_PROBES],
                next_track: 0,
                gate: FallbackGate::of(q),
                scale: 1.0,
                scales: VecDeque::new(),
                reassign: None,
                factor: 1.0,
                phase: 0,
                factors: VecDeque::new(),
            })
            .collect();
        let mut eval = ClientEval {
            kinds,
            rates: all
                .iter()
                .map(|q| q.rate * model.populations[q.population].count as f64)
                .collect(),
            offsets: all
                .iter()
                .map(|q| (0..q.attempts()).map(|j| q.attempt_offset(j)).collect())
                .collect(),
            moves: Vec::new(),
            shadows,
            phase_factors: Vec::new(),
        };
        eval.prepare_reassigned(model);
        eval.prepare_phases(model, &all);
        eval
    }

    /// Starts replication `rep` of request kind `i`, whose instances are `mask` at time 0.
    pub fn reset_kind(&mut self, model: &Model, i: usize, seed: u64, rep: u64, mask: u64) {
        let q = request(model, &self.shadows, i);
        let k = &mut self.kinds[i];
        let mask = match &mut k.gate {
            Some(g) => {
                g.reset(mask);
                g.mask()
            }
            None => mask,
        };
        k.mask = mask;
        k.history.clear();
        // DNS answers given before time 0 were for the state at time 0.
        let since = match q.reconnect {
            Reconnect::Dns { ttl, .. } => -ttl,
            _ => 0.0,
        };
        k.history.push_back((since, mask));
        k.factors.clear();
        if let Some(f) = self.phase_factors.get(i).filter(|f| !f.is_empty()) {
            let p = model.phases.calendar[0].1;
            (k.factor, k.phase) = (f[p], p);
            k.factors.push_back((k.factor, p));
        }
        k.success_rate.clear();
        if q.when_all_fail == WhenAllFail::Cache {
            let rate = q.rate * k.factor * (1.0 - outcome_probs(q, mask, &mut k.probs));
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
        if let (Some(a), Some(f)) = (&mut k.age, &mut k.stats.age) {
            a.reset(f);
        }
        for t in &mut k.tracks {
            t.clock = 0.0;
            t.waiting.clear();
            t.joining.clear();
        }
        k.next_track = 0;
        k.scales.clear();
    }

    /// Figures of the last replication, per request kind.
    pub fn stats(&self) -> impl Iterator<Item = &RequestStats> {
        self.kinds[..self.kinds.len() - self.shadows.len()]
            .iter()
            .map(|k| &k.stats)
    }

    /// Records that kind `i`'s instances are `mask` from time `t` on, and accounts for every arrival whose
    /// attempts all start before `t`.
    pub fn observe(&mut self, model: &Model, i: usize, t: Hours, mask: u64) {
        if self.kinds[i].reassign.is_some() {
            self.move_due(model, i, t);
        }
        self.observe_raw(model, i, t, mask);
        if self.kinds[i].reassign.is_some() {
            self.moved_target(model, i, t, mask);
        }
    }

    /// [`observe`](Self::observe) without reassignment: the delayed fallback, then the change.
    fn observe_raw(&mut self, model: &Model, i: usize, t: Hours, mask: u64) {
        let Some(mut g) = self.kinds[i].gate else {
            return self.record(model, i, t, mask);
        };
        // A delayed fallback that opened since the last change is a change of its own.
        if let Some(at) = g.due(t) {
            g.open();
            self.record(model, i, at, g.mask());
        }
        g.set(t, mask);
        self.kinds[i].gate = Some(g);
        self.record(model, i, t, g.mask());
    }

    /// [`observe`](Self::observe) with the liveness requests see.
    fn record(&mut self, model: &Model, i: usize, t: Hours, mask: u64) {
        let k = &mut self.kinds[i];
        if mask == k.mask {
            return;
        }
        k.mask = mask;
        self.split(model, i, t);
    }

    /// Kind `i`'s stretch of constant state ends at `t` (its instances changed, or its rate with
    /// the phase): the connections' shares of the last stretch are closed, and a new stretch opens
    /// with the kind's mask and rate in force.
    pub(super) fn split(&mut self, model: &Model, i: usize, t: Hours) {
        let k = &mut self.kinds[i];
        let mask = k.mask;
        let q = request(model, &self.shadows, i);
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
        if !k.scales.is_empty() {
            k.scales.push_back(k.scale);
        }
        if !k.factors.is_empty() {
            k.factors.push_back((k.factor, k.phase));
        }
        if q.when_all_fail == WhenAllFail::Cache {
            let rate = q.rate * k.factor * (1.0 - outcome_probs(q, mask, &mut k.probs));
            k.success_rate.push_back(rate);
        }
        let upto = t - q.lookahead();
        self.advance(model, i, upto);
    }

    /// Accounts for every remaining arrival before the mission end (the state after it is taken as
    /// unchanged); data still cached then is undelivered.
    pub fn finish(&mut self, model: &Model, mission: Hours) {
        self.finish_moves(model, mission);
        for i in 0..self.kinds.len() {
            if let Some(mut g) = self.kinds[i].gate
                && let Some(at) = g.due(mission)
            {
                g.open();
                self.kinds[i].gate = Some(g);
                self.record(model, i, at, g.mask());
            }
            self.advance(model, i, mission);
            let k = &mut self.kinds[i];
            k.stats.undelivered = k.tracks.iter().map(Track::weight).sum();
            if let (Some(a), Some(f)) = (&mut k.age, &mut k.stats.age) {
                a.finish(f);
            }
        }
        self.merge_moved();
    }

    /// Accounts for the arrivals in `[done, upto)` of kind `i`, and for cached data the requests among
    /// them deliver; the moved clients' data age changes hands first where they moved before `upto`.
    fn advance(&mut self, model: &Model, i: usize, upto: Hours) {
        if let Some(m) = self.kinds[i].reassign {
            self.hand_over(model, m, upto);
        }
        self.advance_kind(model, i, upto);
    }

    /// [`advance`](Self::advance) of one kind alone.
    fn advance_kind(&mut self, model: &Model, i: usize, upto: Hours) {
        let q = request(model, &self.shadows, i);
        let base_rate = self.rates[i];
        // With work in flight a request depends on the states after its attempts too.
        let horizon = q.lookahead();
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
            // With reassignment, only the share of the population this kind accounts for then.
            let scale = k.scales.get(idx).copied().unwrap_or(1.0);
            // With a rate that changes by phase, the phase's multiplier (never 0).
            let (factor, phase) = k.factors.get(idx).copied().unwrap_or((1.0, 0));
            let rate = base_rate * scale * factor;
            if rate == 0.0 {
                from = hi;
                if hi >= end {
                    idx += 1;
                }
                continue;
            }
            let failing_before = k.stats.failing_time;
            let counted_before = (!k.factors.is_empty()).then(|| phases::counted(&k.stats));
            // Arrivals in [from, clean_end) see `mask` for their whole horizon.
            let clean_end = hi.min(end - horizon).max(from);
            let failed_before = k.stats.all.failed;
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
                if let (Some(a), Some(f)) = (&mut k.age, &mut k.stats.age) {
                    let failed = k.stats.all.failed - failed_before;
                    a.stretch(
                        f,
                        from,
                        clean_end,
                        refresh(q.rate * factor, rate, clean_end - from, failed),
                    );
                }
            }
            if hi > clean_end {
                let failed_before = k.stats.all.failed;
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
                        .map(|(j, c, _)| (j, c))
                    } else {
                        serve(
                            q,
                            offsets,
                            &k.history,
                            idx,
                            s,
                            &mut k.stream,
                            &mut k.order,
                            (&mut k.stats.cuts, w),
                        )
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
                if let (Some(a), Some(f)) = (&mut k.age, &mut k.stats.age) {
                    let failed = k.stats.all.failed - failed_before;
                    a.stretch(
                        f,
                        clean_end,
                        hi,
                        refresh(q.rate * factor, rate, len, failed),
                    );
                }
            }
            if scale != 1.0 {
                // Failing time is per client: only the share counts.
                k.stats.failing_time =
                    failing_before + (k.stats.failing_time - failing_before) * scale;
            }
            if let Some(before) = counted_before {
                phases::count(&mut k.stats, phase, before);
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
        if !k.scales.is_empty() {
            k.scales.drain(..keep_from);
        }
        if !k.factors.is_empty() {
            k.factors.drain(..keep_from);
        }
        if !k.conn.is_empty() {
            k.conn.drain(..keep_from * q.instances.len());
        }
    }
}

/// Rate per hour at which one client's requests refresh its data in a stretch of length `len` in which
/// `failed` of the population's requests (arriving at `rate`) failed; one client makes `per_client`
/// requests an hour.
#[inline]
fn refresh(per_client: f64, rate: f64, len: Hours, failed: f64) -> f64 {
    let p = 1.0 - failed / (rate * len);
    // Rounding leaves a trace of success where none is possible.
    if p < 1e-12 {
        0.0
    } else {
        per_client * p.min(1.0)
    }
}

/// Index of the history entry in force at `t` (the first one if `t` comes before it).
#[inline]
pub(super) fn entry_at(history: &VecDeque<(Hours, u64)>, t: Hours) -> usize {
    let mut idx = 0;
    while idx + 1 < history.len() && history[idx + 1].0 <= t {
        idx += 1;
    }
    idx
}

/// The mask of the first `n` instances.
#[inline]
pub(super) fn full(n: usize) -> u64 {
    if n >= 64 { u64::MAX } else { (1u64 << n) - 1 }
}
