//! Work in flight: a request that needs its instance for a while after it starts (a package stream, a
//! content download) is cut when that instance goes down meanwhile (a failure, a failover, a drain for
//! maintenance); it then fails, or starts again at the cut as a new request, from scratch (`retry`) or
//! needing only what was left (`resume`).
//!
//! Only probe requests can be cut: a request whose whole look-ahead lies in one state of the
//! instances finds its instance up to the end, so the closed form of that stretch stays exact.

use std::collections::VecDeque;

use super::probes::probe;
use crate::base::rng::Stream;
use crate::base::units::Hours;
use crate::model::{MAX_RESTARTS, OnCut, RequestKind};

/// What cuts did to one request kind's requests in a replication (expected counts, like the outcomes).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Cuts {
    /// Requests cut at least once.
    pub cut: f64,
    /// Cut requests that failed in the end (at once with `on_cut = "fail"`; otherwise when a restart
    /// found no live instance, or after the last restart was cut too).
    pub failed: f64,
    /// Cut requests that completed after one or more restarts.
    pub completed: f64,
    /// Of those, the time the cuts added: the end of the work against the end it would have had
    /// without a cut, summed with the requests' weights.
    pub added: Hours,
}

/// Serves one probe request arriving at `s` (history entry `idx` covers `s`): its attempts as
/// [`probe`] makes them and, with a duration, the work in flight on the instance that took it. Returns
/// the attempt that answered first and its latency class, or `None` if the request failed; `cuts`
/// gathers what cuts did, with the probe's weight.
#[allow(clippy::too_many_arguments)]
pub(super) fn serve(
    q: &RequestKind,
    offsets: &[Hours],
    history: &VecDeque<(Hours, u64)>,
    idx: usize,
    s: Hours,
    rng: &mut Stream,
    order: &mut Vec<u32>,
    (cuts, w): (&mut Cuts, f64),
) -> Option<(usize, usize)> {
    let (j0, c0, mut instance) = probe(q, offsets, history, idx, s, rng, order)?;
    if q.duration <= 0.0 {
        return Some((j0, c0));
    }
    let mut at = s + offsets[j0];
    let planned_end = at + q.duration;
    let mut left = q.duration;
    let mut idx = idx;
    let mut cut_before = false;
    for restart in 0..=MAX_RESTARTS {
        let Some(tc) = cut_at(history, &mut idx, at, left, instance) else {
            if cut_before {
                cuts.completed += w;
                cuts.added += w * (at + left - planned_end);
            }
            return Some((j0, c0));
        };
        if !cut_before {
            cuts.cut += w;
            cut_before = true;
        }
        if q.on_cut == OnCut::Fail || restart == MAX_RESTARTS {
            cuts.failed += w;
            return None;
        }
        if q.on_cut == OnCut::Resume {
            left -= tc - at;
        }
        // A new request at the cut: it tries the instances afresh.
        while idx + 1 < history.len() && history[idx + 1].0 <= tc {
            idx += 1;
        }
        let Some((j, _, i)) = probe(q, offsets, history, idx, tc, rng, order) else {
            cuts.failed += w;
            return None;
        };
        instance = i;
        at = tc + offsets[j];
    }
    unreachable!("the last restart returns")
}

/// When instance `i`, live at `at`, goes down before `at + len`, if it does. `idx` is moved to the
/// history entry in force at `at`.
#[inline]
fn cut_at(
    history: &VecDeque<(Hours, u64)>,
    idx: &mut usize,
    at: Hours,
    len: Hours,
    i: u32,
) -> Option<Hours> {
    while *idx + 1 < history.len() && history[*idx + 1].0 <= at {
        *idx += 1;
    }
    let end = at + len;
    history
        .range(*idx + 1..)
        .take_while(|&&(t, _)| t < end)
        .find(|&&(_, mask)| mask >> i & 1 == 0)
        .map(|&(t, _)| t)
}
