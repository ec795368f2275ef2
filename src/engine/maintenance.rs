//! Maintenance windows: a plain schedule takes all its nodes at once; a rolling one takes them one at
//! a time, and only a node it can spare without making what it guards unavailable. A rolling window
//! over a role drains the role's passive nodes first and its active node last, so the role moves once.

use crate::base::units::Hours;
use crate::engine::machines::Phase;
use crate::engine::queue::Kind;
use crate::engine::signals::{DOWN, SAFE};
use crate::engine::trace::{ComponentEvent, Recorder};
use crate::engine::{Engine, NONE};
use crate::model::{Guard, RoleKind};

impl<'m, R: Recorder> Engine<'m, R> {
    /// A window of schedule `i` opens: the next one is scheduled, and nodes are taken.
    pub(super) fn window(&mut self, i: usize, t: Hours) {
        let m = &self.model.maintenance[i];
        self.push(t + m.every, Kind::Window, i as u32, 0);
        if m.guard == Guard::None {
            for &n in &m.nodes {
                if !self.in_maintenance[n] && self.node_up(n) {
                    self.enter_maintenance(n, i, t);
                    self.push(t + m.duration, Kind::WindowEnd, n as u32, i as u32);
                }
            }
        } else if !self.roll_active[i] {
            self.roll_active[i] = true;
            self.roll_cursor[i] = 0;
            self.roll_deferred[i] = NONE;
            self.roll(i, t);
        }
    }

    /// Takes the next node of rolling schedule `i` that can be spared, or ends the roll. The node that
    /// holds the guarded role waits until the others are done: draining it first would move the role
    /// onto a node that is drained next, and move it again.
    pub(super) fn roll(&mut self, i: usize, t: Hours) {
        let m = &self.model.maintenance[i];
        let holder = self.holder_node(&m.guard);
        while (self.roll_cursor[i] as usize) < m.nodes.len() {
            let n = m.nodes[self.roll_cursor[i] as usize];
            self.roll_cursor[i] += 1;
            if n == holder
                && self.roll_deferred[i] == NONE
                && (self.roll_cursor[i] as usize) < m.nodes.len()
            {
                self.roll_deferred[i] = n as u32;
                continue;
            }
            if self.can_take(i, n) {
                self.take(i, n, t);
                return;
            }
        }
        let last = std::mem::replace(&mut self.roll_deferred[i], NONE);
        if last != NONE && self.can_take(i, last as usize) {
            self.take(i, last as usize, t);
            return;
        }
        self.roll_active[i] = false;
    }

    #[inline]
    fn take(&mut self, i: usize, n: usize, t: Hours) {
        self.roll_node[i] = n as u32;
        self.enter_maintenance(n, i, t);
        let d = self.model.maintenance[i].duration;
        self.push(t + d, Kind::RollNext, i as u32, 0);
    }

    /// The node the role a rolling schedule guards runs on (`NONE` when it guards no role machine or
    /// the role has no host).
    #[inline]
    fn holder_node(&self, guard: &Guard) -> usize {
        if let Guard::Role(r) = *guard
            && let Some(mach) = &self.model.roles[r].machine
        {
            let st = &self.machines[r];
            if st.host != NONE && st.phase != Phase::NoHost {
                return mach.replicas[st.host as usize].node;
            }
        }
        NONE as usize
    }

    #[inline]
    pub(super) fn node_up(&self, n: usize) -> bool {
        self.level[self.model.components[n].effective as usize] != DOWN
    }

    /// Whether rolling schedule `i` may take node `n` now without making what it guards unavailable.
    #[inline]
    fn can_take(&self, i: usize, n: usize) -> bool {
        if self.in_maintenance[n] || !self.node_up(n) {
            return false;
        }
        let model = self.model;
        let m = &model.maintenance[i];
        match m.guard {
            Guard::None => true,
            Guard::KeepOneUp => m.nodes.iter().any(|&x| x != n && self.node_up(x)),
            Guard::Role(r) => {
                let role = &model.roles[r];
                match (&role.machine, &role.kind) {
                    (Some(mach), _) => {
                        let st = &self.machines[r];
                        let holds = st.host != NONE
                            && st.phase != Phase::NoHost
                            && mach.replicas[st.host as usize].node == n;
                        !holds
                            || mach
                                .replicas
                                .iter()
                                .any(|x| x.node != n && self.node_up(x.node))
                    }
                    (None, RoleKind::Pool { nodes, min_up }) => {
                        let up = nodes.iter().filter(|&&x| self.node_up(x)).count() as u32;
                        up > self.pool_need(role.own, *min_up)
                    }
                    (None, _) => false,
                }
            }
        }
    }

    fn enter_maintenance(&mut self, n: usize, i: usize, t: Hours) {
        self.attr_mark(n, t);
        if self.maint_of[n] == NONE {
            self.maint_pos[n] = self.maint_nodes.len() as u32;
            self.maint_nodes.push(n as u32);
        }
        self.maint_of[n] = i as u32;
        if !self.model.quorums.is_empty() {
            self.drain_votes(n, t);
        }
        if !self.model.host_groups.is_empty() {
            self.drain_vms(n, t);
        }
        self.in_maintenance[n] = true;
        if R::ACTIVE {
            self.recorder
                .component(n, ComponentEvent::MaintenanceStart, t);
        }
        if let Some(s) = self.model.components[n].maintenance {
            self.set_level(s, DOWN, t);
        }
    }

    pub(super) fn leave_maintenance(&mut self, n: usize, t: Hours) {
        self.attr_mark(n, t);
        if self.maint_of[n] != NONE {
            let pos = self.maint_pos[n] as usize;
            self.maint_nodes.swap_remove(pos);
            if let Some(&moved) = self.maint_nodes.get(pos) {
                self.maint_pos[moved as usize] = pos as u32;
            }
        }
        self.maint_of[n] = NONE;
        let was = std::mem::replace(&mut self.in_maintenance[n], false);
        if R::ACTIVE && was {
            self.recorder
                .component(n, ComponentEvent::MaintenanceEnd, t);
        }
        if was && let Some(s) = self.model.components[n].maintenance {
            self.set_level(s, SAFE, t);
        }
    }
}
