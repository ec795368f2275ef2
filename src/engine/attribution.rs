//! Where a service's downtime comes from: each stretch of an outage goes to exactly one cause, so the
//! parts add up to the downtime. Stretches end when the service comes back or when a cause starts or
//! ends while it is down; nothing is done while every service is up.
//!
//! Precedence, per stretch: a role's own mechanism (switching, restart, operator, restore; a pool
//! with standby short only while nodes take over is switching too; a switch a maintenance drain
//! started goes to that schedule); else a failure that had been hidden (a silent node or a dormant
//! standby found failed: it is what turned the visible failures into downtime); else the failed
//! components and maintenance
//! schedules among what the service depends on (a component waiting for a spare part counts as its
//! stock); else a role with no host (or no quorum) up; else
//! "unexplained". Two or more different causes in the same tier at once are "several causes".

use crate::base::units::Hours;
use crate::engine::machines::{CAUSES, Cause, Phase};
use crate::engine::signals::DOWN;
use crate::engine::trace::Recorder;
use crate::engine::{Engine, NONE};
use crate::model::Model;

/// What one attribution category stands for (see [`attribution_causes`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Attributed {
    /// A failed component.
    Component(usize),
    /// A maintenance schedule: its nodes taken, or a switch its drain started.
    Maintenance(usize),
    /// A role machine's own cause.
    Role(usize, Cause),
    /// Waiting for a part from a spare-part stock (shipment included): a failed component's
    /// stretch before its repair can start.
    Stock(usize),
    /// A failure of this node that had been hidden (silent, or a dormant standby), until its repair.
    Unseen(usize),
    /// Two or more causes of the same tier at once.
    Several,
    /// Nothing found (a mechanism not attributed above).
    Unexplained,
}

/// The attribution categories of `model`, in the order of [`Engine::attribution`]: components,
/// maintenance schedules, each role's causes, stocks, the nodes whose failures can hide, several,
/// unexplained.
pub fn attribution_causes(model: &Model) -> Vec<Attributed> {
    const ALL: [Cause; CAUSES] = [
        Cause::Failover,
        Cause::Restart,
        Cause::Manual,
        Cause::NoHost,
        Cause::Recovery,
        Cause::NoQuorum,
    ];
    (0..model.components.len())
        .map(Attributed::Component)
        .chain((0..model.maintenance.len()).map(Attributed::Maintenance))
        .chain(
            (0..model.roles.len()).flat_map(|r| ALL.iter().map(move |&c| Attributed::Role(r, c))),
        )
        .chain((0..model.stocks.len()).map(Attributed::Stock))
        .chain(model.hiding_nodes().into_iter().map(Attributed::Unseen))
        .chain([Attributed::Several, Attributed::Unexplained])
        .collect()
}

/// Number of attribution categories of `model`.
pub(super) fn attribution_len(model: &Model) -> usize {
    model.components.len()
        + model.maintenance.len()
        + model.roles.len() * CAUSES
        + model.stocks.len()
        + model.hiding_nodes().len()
        + 2
}

impl<'m, R: Recorder> Engine<'m, R> {
    /// Hours service `s` was down this replication, per category of [`attribution_causes`].
    pub fn attribution(&self, s: usize) -> &[Hours] {
        let k = self.attr_len;
        &self.attr[s * k..(s + 1) * k]
    }

    /// Component `c` is about to fail, be repaired, or enter or leave maintenance: every service it
    /// can affect that is down closes its current stretch (no other service's cause changes).
    #[inline]
    pub(super) fn attr_mark(&mut self, c: usize, t: Hours) {
        if self.services_down > 0 {
            for i in 0..self.comp_services[c].len() {
                let s = self.comp_services[c][i] as usize;
                if self.monitors[s].level == DOWN {
                    self.attr_close(s, t);
                }
            }
        }
    }

    /// Role machine `r` is about to change phase: the same for the services that depend on it.
    #[inline]
    pub(super) fn attr_mark_role(&mut self, r: usize, t: Hours) {
        if self.services_down > 0 {
            for i in 0..self.role_services[r].len() {
                let s = self.role_services[r][i] as usize;
                if self.monitors[s].level == DOWN {
                    self.attr_close(s, t);
                }
            }
        }
    }

    /// Gives service `s`'s stretch since its last mark to its cause now.
    pub(super) fn attr_close(&mut self, s: usize, t: Hours) {
        // A stretch of no length adds nothing (`x + 0.0 == x`): a role coming back closes its
        // service's stretch, then the service's outage ends at the same instant and closes it again.
        if t == self.attr_since[s] {
            return;
        }
        let k = self.attr_cause(s);
        let len = self.attr_len;
        self.attr[s * len + k] += t - self.attr_since[s];
        self.attr_since[s] = t;
    }

    fn attr_cause(&self, s: usize) -> usize {
        let model = self.model;
        let comps = model.components.len();
        let roles_at = comps + model.maintenance.len();
        let several = self.attr_len - 2;
        let mut one = Single::default();
        // Only machines that are not running can give a role cause: a service that needs a thousand
        // roles is not scanned a thousand times per stretch.
        let roles = model.roles.len();
        let dep = &self.role_dep[s * roles..(s + 1) * roles];
        for &r in &self.odd_roles {
            if !dep[r as usize] {
                continue;
            }
            let st = &self.machines[r as usize];
            let k = match st.phase {
                Phase::Running | Phase::NoHost | Phase::NoQuorum => continue,
                Phase::Switching if st.planned_by != NONE => comps + st.planned_by as usize,
                p => roles_at + r as usize * CAUSES + p.cause().map_or(0, |c| c as usize),
            };
            // Two causes in a tier make it "several" whatever else is seen: stop there, so that a
            // stretch costs the same with a hundred components down as with two.
            if one.see(k) {
                return several;
            }
        }
        // Pools with standby short only while nodes take over (no pools in other scenarios).
        for p in 0..self.pools.len() {
            for (r, by) in self.pool_switch_causes(p, dep) {
                let k = match by {
                    NONE => roles_at + r * CAUSES + Cause::Failover as usize,
                    i => comps + i as usize,
                };
                if one.see(k) {
                    return several;
                }
            }
        }
        if let Some(k) = one.get(several) {
            return k;
        }
        let support = &self.support[s * comps..(s + 1) * comps];
        // A failure found only when called on (or by an inspection) outranks the visible ones.
        if !self.unseen.is_empty() {
            for &c in &self.down_comps {
                let c = c as usize;
                if support[c] && self.unseen[c] != NONE && one.see(self.unseen[c] as usize) {
                    return several;
                }
            }
            if let Some(k) = one.get(several) {
                return k;
            }
        }
        // A component waiting for its spare part is down for want of the part: its stock's cause.
        let stocks_at = roles_at + roles * CAUSES;
        let stocks = !self.stock_line.is_empty();
        for &c in &self.down_comps {
            let c = c as usize;
            if support[c] {
                // The component's record is read only in scenarios with stocks.
                let k = match stocks {
                    true => match self.model.components[c].spare {
                        Some(k) if self.awaiting_part(c) => stocks_at + k,
                        _ => c,
                    },
                    false => c,
                };
                if one.see(k) {
                    return several;
                }
            }
        }
        // The nodes in maintenance now, not all nodes: a pass over every node per stretch would cost
        // each event of a large scenario with maintenance.
        for &n in &self.maint_nodes {
            if support[n as usize] && one.see(comps + self.maint_of[n as usize] as usize) {
                return several;
            }
        }
        if let Some(k) = one.get(several) {
            return k;
        }
        for &r in &self.odd_roles {
            if !dep[r as usize] {
                continue;
            }
            let st = &self.machines[r as usize];
            if let Phase::NoHost | Phase::NoQuorum = st.phase
                && one.see(
                    roles_at + r as usize * CAUSES + st.phase.cause().map_or(0, |c| c as usize),
                )
            {
                return several;
            }
        }
        one.get(several).unwrap_or(self.attr_len - 1)
    }
}

/// The one category seen, or "several" once two different ones were.
#[derive(Default)]
struct Single {
    first: Option<usize>,
    more: bool,
}

impl Single {
    /// Sees category `k`; true once two different categories were seen.
    #[inline]
    fn see(&mut self, k: usize) -> bool {
        match self.first {
            None => self.first = Some(k),
            Some(f) if f != k => self.more = true,
            _ => {}
        }
        self.more
    }

    fn get(&self, several: usize) -> Option<usize> {
        if self.more { Some(several) } else { self.first }
    }
}
