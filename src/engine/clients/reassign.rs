//! Reassignment: once a request kind's target has had no live instance for `after` (with a crew: when
//! the engine's operator has made the move), an operator moves a share of the population to another
//! role; they move back `back_after` after the target returns. The moved clients are a kind of their
//! own (the model's moved request kind, after the model's kinds); each kind accounts, per stretch of its
//! history, only for the arrivals of the share it stands for then, so the closed form and the probes
//! need nothing else. With data age (the whole population moves), the age distribution changes hands
//! at each move. Kinds without reassignment keep an empty list of shares and pay nothing.

use std::collections::VecDeque;

use crate::base::units::Hours;
use crate::model::{Model, RequestKind};

use super::{ClientEval, full};

/// Per replication: what reassignment did for one request kind.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Moves {
    /// Times the clients were moved to the other role.
    pub moved: f64,
    /// Hours the moved share spent on the other role.
    pub hours: Hours,
}

/// The request kind evaluated as kind `i`: the model's, or after them the moved clients' of a
/// reassigned kind.
#[inline]
pub(super) fn request<'m>(model: &'m Model, shadows: &[usize], i: usize) -> &'m RequestKind {
    match i.checked_sub(model.requests.len()) {
        None => &model.requests[i],
        Some(s) => model.requests[shadows[s]]
            .reassign
            .as_ref()
            .map_or(&model.requests[shadows[s]], |r| r.moved()),
    }
}

/// When the clients of one reassigned kind move.
#[derive(Debug, Clone)]
pub(super) struct Reassigned {
    /// The kind (its index) and the kind of its moved clients.
    kind: usize,
    shadow: usize,
    after: Hours,
    back_after: Hours,
    share: f64,
    /// The target's instances in the kind's mask.
    target_bits: u64,
    /// Since when the target has had no live instance, if it has none.
    down_since: Option<Hours>,
    /// While moved: since when the target has been back, if it is.
    up_since: Option<Hours>,
    /// When the clients were moved, while they are.
    moved_at: Option<Hours>,
    /// Whether an operator of a crew makes the move out (the engine says when: [`ClientEval::move_now`]).
    crewed: bool,
    /// With data age: moves whose age distribution has not changed hands yet, oldest first (time,
    /// to the moved clients' kind or back).
    handovers: VecDeque<(Hours, bool)>,
    moves: Moves,
}

impl Reassigned {
    /// The next move (time, to the other role or not), if one is due at or before `t`.
    fn due(&self, t: Hours) -> Option<(Hours, bool)> {
        match (self.moved_at, self.down_since, self.up_since) {
            (None, Some(t0), _) if !self.crewed && t0 + self.after <= t => {
                Some((t0 + self.after, true))
            }
            (Some(_), _, Some(t1)) if t1 + self.back_after <= t => {
                Some((t1 + self.back_after, false))
            }
            _ => None,
        }
    }

    /// The target's instances are `raw` from `t` on.
    fn set(&mut self, t: Hours, raw: u64) {
        if raw & self.target_bits != 0 {
            self.down_since = None;
            if self.moved_at.is_some() && self.up_since.is_none() {
                self.up_since = Some(t);
            }
        } else {
            self.up_since = None;
            self.down_since.get_or_insert(t);
        }
    }
}

impl ClientEval {
    /// Links each reassigned kind to the kind of its moved clients.
    pub(super) fn prepare_reassigned(&mut self, model: &Model) {
        let n = model.requests.len();
        for (s, &i) in self.shadows.iter().enumerate() {
            let q = &model.requests[i];
            let Some(r) = &q.reassign else { continue };
            self.kinds[i].reassign = Some(self.moves.len());
            // The moved clients' kind hands their data age over too.
            self.kinds[n + s].reassign = Some(self.moves.len());
            self.moves.push(Reassigned {
                kind: i,
                shadow: n + s,
                after: r.after,
                back_after: r.back_after,
                share: r.share,
                target_bits: full(q.primary),
                down_since: None,
                up_since: None,
                moved_at: None,
                crewed: r.crew.is_some(),
                handovers: VecDeque::new(),
                moves: Moves::default(),
            });
        }
    }

    /// Starts replication `rep` of reassigned kind `i` (after [`reset_kind`](Self::reset_kind)): its
    /// instances are `mask` at time 0, and the moved clients' are `moved_mask`.
    pub fn reset_reassigned(
        &mut self,
        model: &Model,
        i: usize,
        (seed, rep): (u64, u64),
        mask: u64,
        moved_mask: u64,
    ) {
        let Some(m) = self.kinds[i].reassign else {
            return;
        };
        let shadow = self.moves[m].shadow;
        self.reset_kind(model, shadow, seed, rep, moved_mask);
        let r = &mut self.moves[m];
        r.down_since = None;
        r.up_since = None;
        r.moved_at = None;
        r.handovers.clear();
        r.moves = Moves::default();
        r.set(0.0, mask);
        let k = &mut self.kinds[shadow];
        if let (Some(a), Some(f)) = (&mut k.age, &mut k.stats.age) {
            a.release(f);
        }
        for (k, scale) in [(i, 1.0), (shadow, 0.0)] {
            let k = &mut self.kinds[k];
            k.scale = scale;
            k.scales.clear();
            k.scales.extend(std::iter::repeat_n(scale, k.history.len()));
        }
    }

    /// Records that the moved clients of reassigned kind `i` would find their instances `moved_mask`
    /// from `t` on (call after [`observe`](Self::observe) at `t`).
    pub fn observe_moved(&mut self, model: &Model, i: usize, t: Hours, moved_mask: u64) {
        if let Some(m) = self.kinds[i].reassign {
            let shadow = self.moves[m].shadow;
            self.observe_raw(model, shadow, t, moved_mask);
        }
    }

    /// Since when the target of reassigned kind `i` has had no live instance, if it has none and the
    /// clients are home (an operator of a crew is needed).
    pub fn move_wanted(&self, i: usize) -> Option<Hours> {
        let r = &self.moves[self.kinds[i].reassign?];
        match r.moved_at {
            None => r.down_since,
            Some(_) => None,
        }
    }

    /// The operator moves the clients of reassigned kind `i` at `t` (the engine asks only while
    /// [`move_wanted`](Self::move_wanted)).
    pub fn move_now(&mut self, model: &Model, i: usize, t: Hours) {
        let Some(m) = self.kinds[i].reassign else {
            return;
        };
        if self.moves[m].moved_at.is_none() {
            self.carry_out(model, m, t, true);
        }
    }

    /// Carries out the move of kind `i`'s clients due before `t`, if any.
    pub(super) fn move_due(&mut self, model: &Model, i: usize, t: Hours) {
        let Some(m) = self.kinds[i].reassign else {
            return;
        };
        if let Some((at, out)) = self.moves[m].due(t) {
            self.carry_out(model, m, at, out);
        }
    }

    /// After kind `i`'s instances became `mask` at `t`: the target's outage starts or ends, and a move
    /// due at once (`back_after = 0`) is carried out.
    pub(super) fn moved_target(&mut self, model: &Model, i: usize, t: Hours, mask: u64) {
        let Some(m) = self.kinds[i].reassign else {
            return;
        };
        self.moves[m].set(t, mask);
        if let Some((at, out)) = self.moves[m].due(t) {
            self.carry_out(model, m, at, out);
        }
    }

    /// Moves reassignment `m`'s clients at `at`, to the other role (`out`) or back.
    fn carry_out(&mut self, model: &Model, m: usize, at: Hours, out: bool) {
        let r = &mut self.moves[m];
        let (kind, shadow, share) = (r.kind, r.shadow, r.share);
        if out {
            r.moved_at = Some(at);
            r.up_since = None;
            r.moves.moved += 1.0;
        } else if let Some(t0) = r.moved_at.take() {
            r.moves.hours += at - t0;
            r.up_since = None;
        }
        let (home, away) = if out {
            (1.0 - share, share)
        } else {
            (1.0, 0.0)
        };
        self.rescale(model, kind, at, home);
        self.rescale(model, shadow, at, away);
        if self.kinds[kind].age.is_some() {
            self.moves[m].handovers.push_back((at, out));
        }
    }

    /// The data age of reassignment `m`'s clients changes hands at each move before `upto`: each
    /// kind is first accounted up to the move (the one left then accounts for no one, so its age
    /// stays there).
    pub(super) fn hand_over(&mut self, model: &Model, m: usize, upto: Hours) {
        while let Some(&(at, out)) = self.moves[m].handovers.front()
            && at <= upto
        {
            self.moves[m].handovers.pop_front();
            let (kind, shadow) = (self.moves[m].kind, self.moves[m].shadow);
            let (from, to) = if out { (kind, shadow) } else { (shadow, kind) };
            self.advance_kind(model, from, at);
            self.advance_kind(model, to, at);
            let (a, b) = if from < to {
                let (lo, hi) = self.kinds.split_at_mut(to);
                (&mut lo[from], &mut hi[0])
            } else {
                let (lo, hi) = self.kinds.split_at_mut(from);
                (&mut hi[0], &mut lo[to])
            };
            if let (Some(x), Some(y)) = (&mut a.age, &mut b.age) {
                y.take_over(x);
            }
        }
    }

    /// Kind `i` accounts for the share `scale` of the population's arrivals from `t` on.
    fn rescale(&mut self, model: &Model, i: usize, t: Hours, scale: f64) {
        let q = request(model, &self.shadows, i);
        let k = &mut self.kinds[i];
        k.scale = scale;
        let mask = k.mask;
        k.history.push_back((t, mask));
        k.scales.push_back(scale);
        if !k.conn.is_empty() || !k.success_rate.is_empty() {
            unreachable!("reassignment is refused for clients holding connections or caching");
        }
        let upto = t - q.lookahead();
        self.advance(model, i, upto);
    }

    /// At the mission end: the moves due before it, and the time still moved.
    pub(super) fn finish_moves(&mut self, model: &Model, mission: Hours) {
        for m in 0..self.moves.len() {
            if let Some((at, out)) = self.moves[m].due(mission) {
                self.carry_out(model, m, at, out);
            }
            let r = &mut self.moves[m];
            if let Some(t0) = r.moved_at {
                r.moves.hours += mission - t0;
            }
        }
    }

    /// Adds the moved clients' figures to their kind's, with the moves.
    pub(super) fn merge_moved(&mut self) {
        for r in &self.moves {
            let (home, away) = split(&mut self.kinds, r.kind, r.shadow);
            let (a, b) = (&mut home.stats, &away.stats);
            add(&mut a.all, &b.all);
            for (x, y) in a.by_state.iter_mut().zip(&b.by_state) {
                add(x, y);
            }
            a.failing_time += b.failing_time;
            a.cuts.cut += b.cuts.cut;
            a.cuts.failed += b.cuts.failed;
            a.cuts.completed += b.cuts.completed;
            a.cuts.added += b.cuts.added;
            if let (Some(x), Some(y)) = (&mut a.age, &b.age) {
                x.age_time += y.age_time;
                x.stale_time += y.stale_time;
                for (p, q) in x.bins.iter_mut().zip(&y.bins) {
                    *p += q;
                }
                x.worst = x.worst.max(y.worst);
            }
            a.moves = r.moves;
        }
    }
}

/// Two distinct kinds' states, mutably.
fn split(
    kinds: &mut [super::KindState],
    a: usize,
    b: usize,
) -> (&mut super::KindState, &super::KindState) {
    debug_assert!(a < b, "the moved clients' kind comes after the model's");
    let (lo, hi) = kinds.split_at_mut(b);
    (&mut lo[a], &hi[0])
}

/// Adds outcomes `b` to `a` (same attempts and latency classes: reassignment refuses queues).
fn add(a: &mut super::Outcomes, b: &super::Outcomes) {
    for (x, y) in a.succeeded.iter_mut().zip(&b.succeeded) {
        *x += y;
    }
    for (x, y) in a.by_class.iter_mut().zip(&b.by_class) {
        *x += y;
    }
    a.failed += b.failed;
}
