//! Cached data of failed requests (`when_all_fail = "cache"`), delivered by the first later request of
//! its client that succeeds.

use std::collections::VecDeque;

use super::probes::probe;
use super::{KindState, entry_at};
use crate::base::dist::unit_f64;
use crate::base::rng::Stream;
use crate::base::units::Hours;
use crate::model::RequestKind;

/// Cached data of failed requests, waiting for a request of its client that succeeds.
///
/// Item i of a request kind goes to track i mod [`CACHE_PROBES`]. The requests after any time are a
/// Poisson process whatever came before, so every item of a track that has given up waits for the
/// same thing: the track's next successful request, simulated once for all of them. The cost thus
/// depends on the number of state changes, not on how many items wait (a long outage, a saturated
/// queue); items of one track are delivered together, which correlates them but leaves every
/// expected figure unbiased.
#[derive(Debug, Clone, Default)]
pub(super) struct Track {
    /// No request before this time delivered the waiting items.
    pub(super) clock: Hours,
    /// Items that gave up by `clock`: (arrival of the failed request, weight).
    pub(super) waiting: Vec<(Hours, f64)>,
    /// Items that give up later: (give-up time, arrival, weight), in give-up order.
    pub(super) joining: VecDeque<(Hours, Hours, f64)>,
}

impl Track {
    #[inline]
    pub(super) fn weight(&self) -> f64 {
        self.waiting.iter().map(|w| w.1).sum::<f64>()
            + self.joining.iter().map(|j| j.2).sum::<f64>()
    }
}

impl KindState {
    /// Caches a failed request that arrived at `born` and gave up at `give_up`.
    #[inline]
    pub(super) fn cache(&mut self, give_up: Hours, born: Hours, weight: f64) {
        self.tracks[self.next_track]
            .joining
            .push_back((give_up, born, weight));
        self.next_track = (self.next_track + 1) % self.tracks.len();
    }
}

/// Moves every track of cached data of kind `q` forward to `upto`, delivering what the first
/// successful request after each item's give-up carries.
#[inline]
pub(super) fn deliver(q: &RequestKind, offsets: &[Hours], k: &mut KindState, upto: Hours) {
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
#[inline]
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
            let factor = k.factors.get(idx).map_or(1.0, |f| f.0);
            let r = t + exp_draw(&mut k.stream, q.rate * factor);
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
