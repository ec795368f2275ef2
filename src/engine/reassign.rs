//! Reassignment by an operator of a crew (`reassign = { crew = "..." }`): once the target has had no
//! live instance for `after`, the move joins the crew's queue behind its repairs; a technician then
//! takes the crew's dispatch delay and the move's `duration`, and the clients move. Only scenarios
//! with such a reassignment reach this file.

use crate::base::units::Hours;
use crate::engine::Engine;
use crate::engine::queue::Kind;
use crate::engine::trace::Recorder;
use crate::model::Model;

/// `aux` of a move falling due (`after` since the target's outage began): it joins the crew's queue.
const MOVE_DUE: u32 = 0;
/// `aux` of a move done: the clients move, the technician is free again.
const MOVE_DONE: u32 = 1;

/// Where one reassignment by a crew stands.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Operator {
    /// The reassigned request kind.
    kind: u32,
    crew: u32,
    /// Idle, waiting for `after`, queued for a technician, or under way.
    state: u8,
    /// Events of an abandoned move carry an older generation.
    epoch: u32,
    /// When its technician was assigned (under way).
    assigned: Hours,
}

const IDLE: u8 = 0;
const WAITING: u8 = 1;
const QUEUED: u8 = 2;
const WORKING: u8 = 3;

/// The reassignments by a crew of `model` (empty when none has a crew).
pub(super) fn operators(model: &Model) -> Vec<Operator> {
    model
        .requests
        .iter()
        .enumerate()
        .filter_map(|(q, k)| {
            let crew = k.reassign.as_ref()?.crew?;
            Some(Operator {
                kind: q as u32,
                crew: crew as u32,
                state: IDLE,
                epoch: 0,
                assigned: 0.0,
            })
        })
        .collect()
}

impl<'m, R: Recorder> Engine<'m, R> {
    /// Puts every operator back to idle (a new replication; its events are gone with the queue).
    pub(super) fn reset_operators(&mut self) {
        for o in &mut self.operators {
            o.state = IDLE;
            o.epoch = 0;
        }
    }

    /// At time 0: a target down from the start needs its operator from the start.
    pub(super) fn begin_operators(&mut self) {
        for o in 0..self.operators.len() {
            let q = self.operators[o].kind as usize;
            self.operator_watch(q, 0.0);
        }
    }

    /// Request kind `q` was just observed at `t`: if its clients need moving (the target down, the
    /// clients home), the operator's move falls due `after` the outage began; if they no longer do,
    /// a move not yet made is dropped, and a technician on it is free again.
    pub(super) fn operator_watch(&mut self, q: usize, t: Hours) {
        let Some(o) = self.operators.iter().position(|o| o.kind as usize == q) else {
            return;
        };
        let op = self.operators[o];
        let k = op.crew as usize;
        match (self.clients.move_wanted(q), op.state) {
            (Some(since), IDLE) => {
                let after = self.model.requests[q]
                    .reassign
                    .as_ref()
                    .map_or(0.0, |r| r.after);
                self.operators[o].state = WAITING;
                self.push(
                    since + after,
                    Kind::Reassign,
                    o as u32,
                    op.epoch << 1 | MOVE_DUE,
                );
            }
            (Some(_), _) | (None, IDLE) => {}
            (None, state) => {
                let entry = self.operator_entry(o);
                if state == QUEUED {
                    self.crew_queue[k].retain(|e| e.0 != entry);
                }
                let o = &mut self.operators[o];
                o.state = IDLE;
                o.epoch = o.epoch.wrapping_add(1);
                if state == WORKING {
                    self.crew_free[k] += 1;
                    self.crew_stats[k].busy += t - op.assigned;
                    self.assign(k, t);
                }
            }
        }
    }

    /// The crew-queue entry of operator `o`: after the components and the inspections.
    fn operator_entry(&self, o: usize) -> u32 {
        (self.model.components.len() + self.model.inspections.len() + o) as u32
    }

    /// A move event of operator `o` at `t` (`aux`: its generation and what falls due).
    pub(super) fn operator_event(&mut self, o: usize, aux: u32, t: Hours) {
        let op = self.operators[o];
        if aux >> 1 != op.epoch {
            return;
        }
        let k = op.crew as usize;
        if aux & 1 == MOVE_DUE {
            self.operators[o].state = QUEUED;
            self.arrivals += 1;
            let entry = self.operator_entry(o);
            self.crew_queue[k].push((entry, self.arrivals));
            self.assign(k, t);
        } else {
            let o = &mut self.operators[o];
            o.state = IDLE;
            o.epoch = o.epoch.wrapping_add(1);
            self.crew_free[k] += 1;
            self.crew_stats[k].busy += t - op.assigned;
            self.clients.move_now(self.model, op.kind as usize, t);
            self.assign(k, t);
        }
    }

    /// A technician of crew `k` takes operator `o`'s move at `t`: the clients move after the crew's
    /// dispatch delay and the move's duration.
    pub(super) fn operator_assigned(&mut self, k: usize, o: usize, t: Hours) {
        let q = self.operators[o].kind as usize;
        let work = self.model.requests[q]
            .reassign
            .as_ref()
            .map_or(0.0, |r| r.duration);
        let d = match &self.model.crews[k].dispatch {
            Some(d) => d.sample(&mut self.crew_streams[k]),
            None => 0.0,
        };
        let op = &mut self.operators[o];
        op.state = WORKING;
        op.assigned = t;
        let aux = op.epoch << 1 | MOVE_DONE;
        self.push(t + d + work, Kind::Reassign, o as u32, aux);
    }

    /// At the mission end, technicians still on a move were busy until it.
    pub(super) fn finish_operators(&mut self) {
        for o in &self.operators {
            if o.state == WORKING {
                self.crew_stats[o.crew as usize].busy += self.mission - o.assigned;
            }
        }
    }
}
