//! Cold and warm standby: a node of a `dormant` cluster that does not hold the role ages at a fraction
//! of its pace (accelerated life: its failure clock runs slower, exact for any law), and a failure while
//! it idles stays hidden until the role is called onto it; then its repair starts and the next node is
//! tried. Pools with dormant standby instances (`standby_pool`) use the same ageing and hiding. Only
//! nodes of such clusters and pools reach this file: other scenarios pay nothing.

use crate::base::units::Hours;
use crate::engine::components::Clock;
use crate::engine::latent::Found;
use crate::engine::queue::Kind;
use crate::engine::trace::Recorder;
use crate::engine::{Engine, NONE};

/// The ageing of a standby node's pending failure, in active hours: `left` of its drawn life remained
/// at `since`, `used` had passed, and it ages at `pace` active hours per hour since.
#[derive(Debug, Clone, Copy)]
pub(in crate::engine) struct Life {
    since: Hours,
    left: Hours,
    used: Hours,
    pace: f64,
}

impl Life {
    pub(in crate::engine) const ACTIVE: Life = Life {
        since: 0.0,
        left: 0.0,
        used: 0.0,
        pace: 1.0,
    };

    /// When the failure falls due at the current pace (never while a cold node idles).
    fn due(&self) -> Hours {
        if self.pace > 0.0 {
            self.since + self.left / self.pace
        } else {
            f64::INFINITY
        }
    }
}

impl<'m, R: Recorder> Engine<'m, R> {
    /// Paces of the standby nodes at the start of a mission: each dormant cluster runs on its first node.
    pub(in crate::engine) fn reset_standby(&mut self) {
        let model = self.model;
        for (c, comp) in model.components.iter().enumerate() {
            if let Some(r) = comp.standby_of {
                if let Some(pace) = self.pool_start_pace(r, c) {
                    self.life[c] = Life {
                        pace,
                        ..Life::ACTIVE
                    };
                    continue;
                }
                let m = self.machine(r);
                let first = m.replicas[0].node == c;
                self.life[c] = Life {
                    pace: if first { 1.0 } else { m.dormant.unwrap_or(1.0) },
                    ..Life::ACTIVE
                };
            }
        }
    }

    /// Standby node `c` drew a life of `d` active hours at `t`: the time its failure falls due.
    pub(in crate::engine) fn aged(&mut self, c: usize, d: Hours, t: Hours) -> Hours {
        let l = &mut self.life[c];
        l.since = t;
        l.left = d;
        l.used = 0.0;
        l.due()
    }

    /// Standby node `c` ages at `pace` from `t` on: its pending failure, if any, moves accordingly.
    pub(super) fn set_pace(&mut self, c: usize, pace: f64, t: Hours) {
        let l = &mut self.life[c];
        if l.pace == pace {
            return;
        }
        let ran = (t - l.since) * l.pace;
        l.used += ran;
        l.left -= ran;
        l.since = t;
        l.pace = pace;
        let due = l.due();
        if self.comps[c].clock.0 == Clock::Fail {
            if due < self.mission {
                self.push(due, Kind::Fail, c as u32, 0);
            } else {
                self.queue.cancel_clock(c);
            }
        }
    }

    /// The role of dormant cluster `r` moves from replica `old` to replica `new` (either may be `NONE`):
    /// the node it leaves idles, the node it takes works.
    pub(super) fn standby_moved(&mut self, r: usize, old: u32, new: u32, t: Hours) {
        let m = self.machine(r);
        let dormant = m.dormant.unwrap_or(1.0);
        if old != NONE {
            self.set_pace(m.replicas[old as usize].node, dormant, t);
        }
        if new != NONE {
            self.set_pace(m.replicas[new as usize].node, 1.0, t);
        }
    }

    /// Standby node `c` fails at `t`: hidden (and `true`) if it idles, else an ordinary failure.
    pub(in crate::engine) fn hide(&mut self, c: usize, t: Hours) -> bool {
        // A silent node of a hot cluster idles (and ages at full pace) while it does not hold the role.
        let idle = if self.model.components[c].silent {
            !self.holds(c)
        } else {
            self.life[c].pace < 1.0
        };
        if !idle {
            return false;
        }
        self.hidden(c, t);
        true
    }

    /// Whether standby node `c` holds its cluster's role (runs it, restarts it, or is being switched to).
    fn holds(&self, c: usize) -> bool {
        let Some(r) = self.model.components[c].standby_of else {
            return false;
        };
        let host = self.machines[r].host;
        host != NONE && self.machine(r).replicas[host as usize].node == c
    }

    /// Whether replica `i` of dormant cluster `r` can take the role now: up, and not failed unseen. A
    /// hidden failure is found here: its repair starts (the machine hears of it and reconsiders).
    pub(super) fn callable(&mut self, r: usize, i: usize, t: Hours) -> bool {
        let m = self.machine(r);
        if !self.replica_up(m, i) {
            return false;
        }
        let c = m.replicas[i].node;
        if self.comps[c].clock.0 == Clock::Hidden {
            self.found(c, Found::Called, t);
            return false;
        }
        true
    }

    /// The first replica of dormant cluster `r` other than `skip` that can take the role, trying them
    /// in preference order (each found failed on the way starts its repair).
    pub(super) fn first_callable(&mut self, r: usize, skip: u32, t: Hours) -> Option<u32> {
        let n = self.machine(r).replicas.len();
        (0..n as u32).find(|&i| i != skip && self.callable(r, i as usize, t))
    }

    /// A copied mission redraws standby node `c`'s pending failure given its age in active hours.
    pub(in crate::engine) fn diverge_standby(&mut self, c: usize, t: Hours) {
        let l = self.life[c];
        let age = l.used + (t - l.since) * l.pace;
        let left = self.model.components[c]
            .failure
            .residual(age, &mut self.comps[c].stream);
        self.life[c] = Life {
            since: t,
            left,
            used: age,
            pace: l.pace,
        };
        let due = self.life[c].due();
        self.push(due, Kind::Fail, c as u32, 0);
    }
}
