//! What clients experienced: per request kind (outcomes per attempt, latency classes, the system state
//! requests arrived in, delivery of cached data), and per group of kinds (a population, or all clients).

use serde::{Deserialize, Serialize};

use super::age::AgeAcc;
use crate::base::stats::{LogHistogram, MeanAcc, RatioAcc};
use crate::engine::Engine;
use crate::engine::clients::{Outcomes, RequestStats, SystemState};
use crate::model::{Model, RequestKind, WhenAllFail};

/// Mergeable statistics of a request kind.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub(in crate::estimate) struct RequestAcc {
    pub(in crate::estimate) failed_per_year: MeanAcc,
    pub(in crate::estimate) success: RatioAcc,
    /// Per attempt: successes at that attempt against all requests; the last entry is the failed share.
    pub(in crate::estimate) shares: Vec<RatioAcc>,
    /// Per attempt: successes at that attempt against all successes (for latency percentiles).
    pub(in crate::estimate) success_shares: Vec<RatioAcc>,
    pub(in crate::estimate) latency: RatioAcc,
    pub(in crate::estimate) failing_time: MeanAcc,
    pub(in crate::estimate) by_state: Vec<StateAcc>,
    /// With caching: delays of delivered items, per replication a group (for honest intervals).
    pub(in crate::estimate) delays: LogHistogram,
    pub(in crate::estimate) delay_mean: RatioAcc,
    pub(in crate::estimate) delivered_share: RatioAcc,
    pub(in crate::estimate) undelivered: MeanAcc,
    /// Work in flight: requests cut per year, cut requests that failed per year, and the time cuts
    /// added to the cut requests that completed.
    #[serde(default)]
    pub(in crate::estimate) cut_per_year: MeanAcc,
    #[serde(default)]
    pub(in crate::estimate) cut_failed_per_year: MeanAcc,
    #[serde(default)]
    pub(in crate::estimate) cut_added: RatioAcc,
    /// Data age (kinds with `stale_after`); absent from files of runs without it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(in crate::estimate) age: Option<AgeAcc>,
    /// Reassignment: moves per year, and hours per year the moved share spent on the other role.
    #[serde(default)]
    pub(in crate::estimate) moved_per_year: MeanAcc,
    #[serde(default)]
    pub(in crate::estimate) moved_hours_per_year: MeanAcc,
}

/// Mergeable statistics of the requests that arrived in one system state.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub(in crate::estimate) struct StateAcc {
    pub(in crate::estimate) share: RatioAcc,
    pub(in crate::estimate) success: RatioAcc,
    pub(in crate::estimate) success_shares: Vec<RatioAcc>,
    pub(in crate::estimate) latency: RatioAcc,
}

impl StateAcc {
    fn merge(&mut self, o: &StateAcc) {
        self.share.merge(&o.share);
        self.success.merge(&o.success);
        for (a, b) in self.success_shares.iter_mut().zip(&o.success_shares) {
            a.merge(b);
        }
        self.latency.merge(&o.latency);
    }
}

impl RequestAcc {
    /// An empty accumulator for request kind `q`.
    pub(super) fn new(q: &RequestKind) -> Self {
        RequestAcc {
            shares: vec![RatioAcc::default(); q.attempts() as usize + 1],
            success_shares: vec![RatioAcc::default(); q.attempts() as usize * q.classes()],
            by_state: SystemState::ALL
                .iter()
                .map(|_| StateAcc {
                    success_shares: vec![RatioAcc::default(); q.attempts() as usize * q.classes()],
                    ..Default::default()
                })
                .collect(),
            delays: LogHistogram::fine(),
            age: q.stale_after.map(|_| AgeAcc::default()),
            ..Default::default()
        }
    }

    /// Records one replication's requests of kind `q`, with weight `w`.
    pub(super) fn record(&mut self, st: &RequestStats, q: &RequestKind, years: f64, w: f64) {
        let all = &st.all;
        let ok: f64 = all.succeeded.iter().sum();
        let total = ok + all.failed;
        self.failed_per_year.add(all.failed / years, w);
        self.success.add(ok, total, w);
        for (j, &x) in all.succeeded.iter().enumerate() {
            self.shares[j].add(x, total, w);
        }
        self.shares[all.succeeded.len()].add(all.failed, total, w);
        let latency = |o: &Outcomes| -> f64 {
            o.by_class
                .iter()
                .enumerate()
                .map(|(l, &x)| x * q.latency_mean(l))
                .sum()
        };
        for (l, &x) in all.by_class.iter().enumerate() {
            self.success_shares[l].add(x, ok, w);
        }
        self.latency.add(latency(all), ok, w);
        self.failing_time.add(st.failing_time / years, w);
        for (sa, o) in self.by_state.iter_mut().zip(&st.by_state) {
            let n_state = o.total();
            let ok_state = n_state - o.failed;
            sa.share.add(n_state, total, w);
            sa.success.add(ok_state, n_state, w);
            for (l, &x) in o.by_class.iter().enumerate() {
                sa.success_shares[l].add(x, ok_state, w);
            }
            sa.latency.add(latency(o), ok_state, w);
        }
        if q.when_all_fail == WhenAllFail::Cache {
            self.delays
                .add_group(st.delivered.iter().map(|&(d, x)| (d, x * w)));
            let delivered: f64 = st.delivered.iter().map(|(_, x)| x).sum();
            let delay: f64 = st.delivered.iter().map(|(d, x)| d * x).sum();
            self.delay_mean.add(delay, delivered, w);
            self.delivered_share
                .add(delivered, delivered + st.undelivered, w);
            self.undelivered.add(st.undelivered, w);
        }
        if q.duration > 0.0 {
            let c = &st.cuts;
            self.cut_per_year.add(c.cut / years, w);
            self.cut_failed_per_year.add(c.failed / years, w);
            self.cut_added.add(c.added, c.completed, w);
        }
        if let (Some(a), Some(f)) = (&mut self.age, &st.age) {
            a.record(f, w);
        }
        if q.reassign.is_some() {
            self.moved_per_year.add(st.moves.moved / years, w);
            self.moved_hours_per_year.add(st.moves.hours / years, w);
        }
    }

    pub(super) fn merge(&mut self, o: &RequestAcc) {
        self.failed_per_year.merge(&o.failed_per_year);
        self.success.merge(&o.success);
        for (a, b) in self.shares.iter_mut().zip(&o.shares) {
            a.merge(b);
        }
        for (a, b) in self.success_shares.iter_mut().zip(&o.success_shares) {
            a.merge(b);
        }
        self.latency.merge(&o.latency);
        self.failing_time.merge(&o.failing_time);
        for (a, b) in self.by_state.iter_mut().zip(&o.by_state) {
            a.merge(b);
        }
        self.delays.merge(&o.delays);
        self.delay_mean.merge(&o.delay_mean);
        self.delivered_share.merge(&o.delivered_share);
        self.undelivered.merge(&o.undelivered);
        self.cut_per_year.merge(&o.cut_per_year);
        self.cut_failed_per_year.merge(&o.cut_failed_per_year);
        self.cut_added.merge(&o.cut_added);
        if let (Some(a), Some(b)) = (&mut self.age, &o.age) {
            a.merge(b);
        }
        self.moved_per_year.merge(&o.moved_per_year);
        self.moved_hours_per_year.merge(&o.moved_hours_per_year);
    }
}

/// Mergeable statistics of all the requests of a group of request kinds (a population, or all).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub(in crate::estimate) struct GroupAcc {
    /// Request kinds in the group.
    pub(in crate::estimate) kinds: Vec<usize>,
    pub(in crate::estimate) success: RatioAcc,
    pub(in crate::estimate) failed_per_year: MeanAcc,
    /// Per kind of the group and latency class: successes against the group's successes.
    pub(in crate::estimate) success_shares: Vec<RatioAcc>,
}

impl GroupAcc {
    /// The groups of `model`: one per population, then all clients (when there are any).
    pub(super) fn all(model: &Model) -> Vec<GroupAcc> {
        let group = |kinds: Vec<usize>| GroupAcc {
            success_shares: vec![
                RatioAcc::default();
                kinds
                    .iter()
                    .map(|&i| {
                        let q = &model.requests[i];
                        q.attempts() as usize * q.classes()
                    })
                    .sum()
            ],
            kinds,
            ..Default::default()
        };
        let mut groups: Vec<GroupAcc> = (0..model.populations.len())
            .map(|p| {
                group(
                    (0..model.requests.len())
                        .filter(|&i| model.requests[i].population == p)
                        .collect(),
                )
            })
            .collect();
        if !model.requests.is_empty() {
            groups.push(group((0..model.requests.len()).collect()));
        }
        groups
    }

    /// Records the requests of the group's kinds in the replication the engine just simulated.
    pub(super) fn record(&mut self, engine: &Engine<'_>, years: f64, w: f64) {
        // Kinds are listed in index order.
        let member = |(i, _): &(usize, &RequestStats)| self.kinds.binary_search(i).is_ok();
        let (mut ok, mut failed) = (0.0, 0.0);
        for (_, st) in engine.request_stats().enumerate().filter(member) {
            ok += st.all.succeeded.iter().sum::<f64>();
            failed += st.all.failed;
        }
        self.success.add(ok, ok + failed, w);
        self.failed_per_year.add(failed / years, w);
        let classes = engine
            .request_stats()
            .enumerate()
            .filter(member)
            .flat_map(|(_, st)| st.all.by_class.iter());
        for (a, &x) in self.success_shares.iter_mut().zip(classes) {
            a.add(x, ok, w);
        }
    }

    pub(super) fn merge(&mut self, o: &GroupAcc) {
        self.success.merge(&o.success);
        self.failed_per_year.merge(&o.failed_per_year);
        for (a, b) in self.success_shares.iter_mut().zip(&o.success_shares) {
            a.merge(b);
        }
    }
}
