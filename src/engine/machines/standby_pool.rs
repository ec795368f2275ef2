//! Standby instances of a pool: `n` active nodes serve, `m` standby nodes wait (hot, or cold and warm
//! through the dormant ageing and hiding of `standby`). An active node that goes down gives its place
//! up; the first standby node that is up is called on: found failed if it failed unseen (its repair
//! starts), sent to repair if the switch-over fails, else active after the switch time. A node that
//! comes back becomes a standby (no failback). Only pools with `standby` reach this file.

use crate::base::dist::unit_f64;
use crate::base::rng::{Stream, stream};
use crate::base::units::Hours;
use crate::engine::components::Clock;
use crate::engine::latent::Found;
use crate::engine::queue::Kind;
use crate::engine::signals::{AT_RISK, DOWN};
use crate::engine::trace::Recorder;
use crate::engine::{Engine, NONE};
use crate::model::{Model, PoolStandby, RoleKind};

/// What a node of a pool with standby does now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Duty {
    Active,
    Standby,
    /// Called on, taking over (its switch-over's token is in `token`).
    Switching,
}

/// The state of one pool with standby in the current replication.
#[derive(Debug, Clone)]
pub(in crate::engine) struct PoolRun {
    role: u32,
    duty: Vec<Duty>,
    /// Per node: the token of its pending switch-over and when it began.
    token: Vec<u32>,
    since: Vec<Hours>,
    /// Per node taking over: the maintenance schedule whose drain called it (`NONE`: not a drain).
    planned: Vec<u32>,
    /// Nodes active, and nodes taking over (for the downtime attribution).
    active: u32,
    switching: u32,
    next_token: u32,
    stream: Stream,
}

/// The pools with standby of `model`, in [`PoolStandby::index`] order.
pub(in crate::engine) fn pool_runs(model: &Model) -> Vec<PoolRun> {
    model
        .roles
        .iter()
        .enumerate()
        .filter_map(|(r, role)| {
            let sb = role.standby.as_ref()?;
            let n = role.kind.nodes().len();
            Some(PoolRun {
                role: r as u32,
                duty: start_duty(sb, n),
                token: vec![NONE; n],
                since: vec![0.0; n],
                planned: vec![NONE; n],
                active: sb.active(n) as u32,
                switching: 0,
                next_token: 0,
                stream: stream(0, 0, sb.stream_key),
            })
        })
        .collect()
}

fn start_duty(sb: &PoolStandby, n: usize) -> Vec<Duty> {
    (0..n)
        .map(|i| {
            if i < sb.active(n) {
                Duty::Active
            } else {
                Duty::Standby
            }
        })
        .collect()
}

impl<'m, R: Recorder> Engine<'m, R> {
    /// Puts every pool with standby back to its start for replication `rep`.
    pub(in crate::engine) fn reset_pools(&mut self, rep: u64) {
        let model = self.model;
        for p in &mut self.pools {
            let sb = standby(model, p.role as usize);
            p.duty = start_duty(sb, p.duty.len());
            p.token.fill(NONE);
            p.planned.fill(NONE);
            p.active = sb.active(p.duty.len()) as u32;
            p.switching = 0;
            p.next_token = 0;
            p.stream = stream(self.seed, rep, sb.stream_key);
        }
    }

    /// The pace a dormant pool node `c` of role `r` ages at when it starts a mission.
    pub(super) fn pool_start_pace(&self, r: usize, c: usize) -> Option<f64> {
        let role = &self.model.roles[r];
        let sb = role.standby.as_ref()?;
        let nodes = role.kind.nodes();
        let i = nodes.iter().position(|&n| n == c)?;
        Some(if i < sb.active(nodes.len()) {
            1.0
        } else {
            sb.dormant.unwrap_or(1.0)
        })
    }

    /// A node of pool `p` changed: active nodes that went down give their places up, and standby
    /// nodes are called on for the places free.
    pub(in crate::engine) fn pool_changed(&mut self, p: usize, t: Hours) {
        let model = self.model;
        let r = self.pools[p].role as usize;
        let nodes = pool_nodes(model, r);
        for (i, &c) in nodes.iter().enumerate() {
            let up = self.level[model.components[c].effective as usize] != DOWN;
            if !up && self.pools[p].duty[i] != Duty::Standby {
                self.set_duty(p, i, Duty::Standby, t);
            }
        }
        self.fill(p, t);
    }

    /// Calls standby nodes of pool `p` until every place is taken or none is left to call.
    fn fill(&mut self, p: usize, t: Hours) {
        let model = self.model;
        let r = self.pools[p].role as usize;
        let sb = standby(model, r);
        let nodes = pool_nodes(model, r);
        let places = sb.active(nodes.len());
        loop {
            let taken = self.pools[p]
                .duty
                .iter()
                .filter(|&&d| d != Duty::Standby)
                .count();
            if taken >= places {
                return;
            }
            let Some(i) = (0..nodes.len()).find(|&i| {
                self.pools[p].duty[i] == Duty::Standby
                    && self.level[model.components[nodes[i]].effective as usize] != DOWN
            }) else {
                return;
            };
            let c = nodes[i];
            if self.comps[c].clock.0 == Clock::Hidden {
                // Failed unseen while idle: found now; its repair starts.
                self.found(c, Found::Called, t);
                continue;
            }
            if sb.switch_fails > 0.0 && unit_f64(&mut self.pools[p].stream) < sb.switch_fails {
                // The switch-over failed: the node it called goes to repair.
                self.machine_stats[r].failed_failovers += 1;
                self.queue.cancel_clock(c);
                self.fail_now(c, t);
                continue;
            }
            self.set_duty(p, i, Duty::Switching, t);
            // Like a cluster's switch, one a maintenance drain started goes to that schedule.
            self.pools[p].planned[i] = if self.planned_now {
                self.planned_by
            } else {
                NONE
            };
            match &sb.switch {
                Some(d) => {
                    let x = d.sample(&mut self.pools[p].stream);
                    let run = &mut self.pools[p];
                    run.next_token = run.next_token.wrapping_add(1);
                    run.token[i] = run.next_token;
                    run.since[i] = t;
                    let token = run.next_token;
                    self.push(t + x, Kind::Switched, p as u32, token);
                }
                None => self.switched_in(p, i, t),
            }
        }
    }

    /// The switch-over with token `token` of pool `p` ends (if that node is still switching).
    pub(in crate::engine) fn pool_switched(&mut self, p: usize, token: u32, t: Hours) {
        let run = &self.pools[p];
        if let Some(i) =
            (0..run.duty.len()).find(|&i| run.duty[i] == Duty::Switching && run.token[i] == token)
        {
            self.switched_in(p, i, t);
        }
    }

    fn switched_in(&mut self, p: usize, i: usize, t: Hours) {
        let r = self.pools[p].role as usize;
        self.machine_stats[r].failovers += 1;
        self.set_duty(p, i, Duty::Active, t);
    }

    /// Node `i` of pool `p` takes `duty`: its "active and up" signal and, for a dormant pool, its pace.
    fn set_duty(&mut self, p: usize, i: usize, duty: Duty, t: Hours) {
        let model = self.model;
        let r = self.pools[p].role as usize;
        let sb = standby(model, r);
        // The stretch so far goes to the causes before the change (a switch-over ending brings the
        // pool back: its last stretch is the switching's).
        self.attr_mark_role(r, t);
        let run = &mut self.pools[p];
        let count = |d: Duty| {
            (
                u32::from(d == Duty::Active),
                u32::from(d == Duty::Switching),
            )
        };
        let (a0, s0) = count(run.duty[i]);
        let (a1, s1) = count(duty);
        run.active = run.active - a0 + a1;
        run.switching = run.switching - s0 + s1;
        run.duty[i] = duty;
        run.token[i] = NONE;
        run.planned[i] = NONE;
        if let Some(d) = sb.dormant {
            let c = pool_nodes(model, r)[i];
            let pace = if duty == Duty::Standby { d } else { 1.0 };
            self.set_pace(c, pace, t);
        }
        let level = if duty == Duty::Active { AT_RISK } else { DOWN };
        self.set_level(sb.serving[i], level, t);
    }

    /// The causes of pool run `p`'s downtime now, if its role is one of `dep` and is below its
    /// `min_up` only because nodes are taking over (they would bring it back): per such node, the
    /// role and the maintenance schedule whose drain called it, or `NONE` for a switch-over of the
    /// pool's own (its "switching"). Empty otherwise.
    pub(in crate::engine) fn pool_switch_causes(
        &self,
        p: usize,
        dep: &[bool],
    ) -> impl Iterator<Item = (usize, u32)> + '_ {
        let run = &self.pools[p];
        let r = run.role as usize;
        let role = &self.model.roles[r];
        let short = run.switching > 0 && dep[r] && self.level[role.own as usize] == DOWN && {
            let RoleKind::Pool { min_up, .. } = role.kind else {
                unreachable!("only pools have standby")
            };
            run.active + run.switching >= self.pool_need(role.own, min_up)
        };
        (0..run.duty.len())
            .filter(move |&i| short && run.duty[i] == Duty::Switching)
            .map(move |i| (r, run.planned[i]))
    }

    /// A copied mission redraws the pending switch-overs of every pool.
    pub(in crate::engine) fn diverge_pools(&mut self, t: Hours, seed: u64) {
        let model = self.model;
        for p in 0..self.pools.len() {
            let r = self.pools[p].role as usize;
            let sb = standby(model, r);
            self.pools[p].stream = stream(seed, self.rep, sb.stream_key);
            let Some(d) = &sb.switch else { continue };
            for i in 0..self.pools[p].duty.len() {
                let run = &mut self.pools[p];
                if run.duty[i] == Duty::Switching {
                    let x = d.residual(t - run.since[i], &mut run.stream);
                    let token = run.token[i];
                    self.push(t + x, Kind::Switched, p as u32, token);
                }
            }
        }
    }
}

fn standby(model: &Model, r: usize) -> &PoolStandby {
    model.roles[r]
        .standby
        .as_ref()
        .expect("only pools with standby have a pool run")
}

fn pool_nodes(model: &Model, r: usize) -> &[usize] {
    match &model.roles[r].kind {
        RoleKind::Pool { nodes, .. } => nodes,
        _ => unreachable!("only pools have standby"),
    }
}
