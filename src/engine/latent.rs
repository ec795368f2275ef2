//! Latent failures: a silent node's failure (or a dormant standby's) stays hidden until an inspection
//! or a call on the node finds it, then its repair starts; a backup job takes a restore's backups only
//! while it works. Only components marked `latent` in the model and `[inspections]` reach this file:
//! other scenarios pay nothing.

use crate::base::dist::unit_f64;
use crate::base::units::Hours;
use crate::engine::components::Clock;
use crate::engine::queue::Kind;
use crate::engine::signals::DOWN;
use crate::engine::trace::Recorder;
use crate::engine::{Engine, NONE};
use crate::model::{Recovery, SignalId};

/// Per-replication figures of a node whose failures can hide.
#[derive(Debug, Clone, Copy, Default)]
pub struct LatentStats {
    /// Failures that stayed hidden when they happened.
    pub failures: u32,
    /// Hidden failures an inspection found.
    pub by_inspection: u32,
    /// Hidden failures found when the node was called on (a restore needing its backups, a failover
    /// onto a dormant standby).
    pub when_called: u32,
    /// Hours hidden, summed over the hidden failures found.
    pub hidden_found: Hours,
    /// Hours hidden within the mission, found or not (one still hidden at the end counts up to it).
    pub hidden: Hours,
    /// Hours of changes restores lost beyond what they would have lost had this backup job worked.
    pub data_lost: Hours,
}

/// Per component: whether it works as a backup job, and since when (only for scenarios with
/// `backup_job`; empty otherwise).
#[derive(Debug, Clone, Copy)]
pub(super) struct JobState {
    pub(super) working: bool,
    pub(super) since: Hours,
}

impl JobState {
    pub(super) const START: JobState = JobState {
        working: true,
        since: 0.0,
    };
}

/// `aux` of an inspection by a crew falling due (it joins the crew's queue).
pub(super) const INSPECTION_DUE: u32 = 1;
/// `aux` of an inspection by a crew ending (its technician is free again).
pub(super) const INSPECTION_ENDS: u32 = 2;

/// Per inspection schedule: where its inspection by a crew stands (idle without a crew).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct InspCrew {
    /// Idle, queued for a technician, or under way.
    pub(super) state: u8,
    /// When its technician was assigned (under way).
    pub(super) assigned: Hours,
    /// When the inspection itself began, after the dispatch delay (under way).
    pub(super) began: Hours,
}

impl InspCrew {
    const WORKING: u8 = 2;
    pub(super) const IDLE: InspCrew = InspCrew {
        state: 0,
        assigned: 0.0,
        began: 0.0,
    };
    const QUEUED: InspCrew = InspCrew {
        state: 1,
        assigned: 0.0,
        began: 0.0,
    };
}

/// How a hidden failure came to light.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Found {
    Inspection,
    Called,
}

impl<'m, R: Recorder> Engine<'m, R> {
    /// Per component: its latent-failure figures this replication.
    pub fn latent_stats(&self) -> &[LatentStats] {
        &self.latent_stats
    }

    /// Latent component `c` (silent, or a backup job) fails at `t`: a backup job stops taking backups;
    /// a silent node's failure hides (`true`: nothing else happens now).
    pub(super) fn latent_fail(&mut self, c: usize, t: Hours) -> bool {
        if !self.jobs.is_empty() && self.jobs[c].working {
            self.job_stops(c, t);
        }
        if self.model.components[c].silent {
            if self.witness_calls.iter().any(|&(_, w)| w as usize == c) {
                // A silent witness: its vote is lost at once, its repair waits to be found.
                self.mark_down(c, t);
                self.hidden(c, t);
                self.set_level(c as SignalId, DOWN, t);
            } else {
                self.hidden(c, t);
            }
            return true;
        }
        false
    }

    /// Whether component `c`'s failure is hidden now (a silent witness is down but holds no technician).
    pub(super) fn is_hidden(&self, c: usize) -> bool {
        self.comps[c].clock.0 == Clock::Hidden
    }

    /// Voting node `n` fails or leaves at `t`: each cluster it votes in re-counts its votes, and
    /// finds its silent witness failed if it is.
    pub(super) fn call_witnesses(&mut self, n: usize, t: Hours) {
        for i in 0..self.witness_calls.len() {
            let (node, w) = self.witness_calls[i];
            if node as usize == n && self.comps[w as usize].clock.0 == Clock::Hidden {
                self.found(w as usize, Found::Called, t);
            }
        }
    }

    /// Latent component `c` is repaired at `t`: as a backup job, it takes backups again.
    pub(super) fn latent_repaired(&mut self, c: usize, t: Hours) {
        if !self.jobs.is_empty() {
            self.jobs[c] = JobState {
                working: true,
                since: t,
            };
        }
    }

    /// Component `c`'s failure at `t` hides: nothing is pending for it until it is found.
    pub(super) fn hidden(&mut self, c: usize, t: Hours) {
        self.comps[c].clock = (Clock::Hidden, t);
        self.latent_stats[c].failures += 1;
        // Until its repair ends, the downtime this failure takes part in is its own cause.
        self.unseen[c] = self.unseen_cat[c];
    }

    /// Component `c`'s hidden failure is found at `t`: its repair starts.
    pub(super) fn found(&mut self, c: usize, how: Found, t: Hours) {
        let st = &mut self.latent_stats[c];
        let hid = t - self.comps[c].clock.1;
        st.hidden_found += hid;
        st.hidden += hid;
        match how {
            Found::Inspection => st.by_inspection += 1,
            Found::Called => st.when_called += 1,
        }
        if self.down_pos[c] == NONE {
            self.fail_now(c, t);
        } else {
            // A silent witness was down already (its vote lost): only its repair starts.
            self.begin_repair(c, t);
        }
    }

    /// Backup job `c` stops at `t`: each running role it backs up keeps the backups taken so far.
    fn job_stops(&mut self, c: usize, t: Hours) {
        let model = self.model;
        for (r, role) in model.roles.iter().enumerate() {
            if let Some(m) = &role.machine
                && let Recovery::Restore { job: Some(j), .. } = m.recovery
                && j == c
                && self.machines[r].phase == super::machines::Phase::Running
            {
                self.note_backups(r, t);
            }
        }
        self.jobs[c] = JobState {
            working: false,
            since: t,
        };
    }

    /// The span `[from, until]` in which backup job `j` took backups, narrowed from `[from, until]`.
    pub(super) fn job_span(&self, j: Option<usize>, from: Hours, until: Hours) -> (Hours, Hours) {
        match j {
            Some(j) if self.jobs[j].working => (from.max(self.jobs[j].since), until),
            Some(j) => (from, until.min(self.jobs[j].since)),
            None => (from, until),
        }
    }

    /// A restore of role `r` needs the backups of job `j` at `t`, having kept changes up to
    /// `protected` and stopped at `until` after running from `up_since`: a hidden failure of the job is
    /// found, and the changes lost because its backups were missing are charged to it.
    pub(super) fn backups_called(
        &mut self,
        j: usize,
        (every, offset): (Hours, Hours),
        (up_since, until, protected): (Hours, Hours, Hours),
        t: Hours,
    ) {
        if until >= offset {
            let g = offset + ((until - offset) / every).floor() * every;
            if g >= up_since && g > protected {
                self.latent_stats[j].data_lost += g - protected;
            }
        }
        if self.comps[j].clock.0 == Clock::Hidden {
            self.found(j, Found::Called, t);
        }
    }

    /// An inspection event of schedule `i` at `t`: without a crew (`aux` 0) an inspection ends; with
    /// one, an inspection is due ([`INSPECTION_DUE`]: it joins the crew's queue) or ends
    /// ([`INSPECTION_ENDS`]: its technician is free again).
    pub(super) fn inspect(&mut self, i: usize, aux: u32, t: Hours) {
        let insp = &self.model.inspections[i];
        match (aux, insp.crew) {
            (INSPECTION_DUE, Some(k)) => {
                self.push(t + insp.every, Kind::Inspect, i as u32, INSPECTION_DUE);
                // One inspection of a schedule at a time: a due one finding the last still queued or
                // under way is skipped.
                if self.insp_crew[i] == InspCrew::IDLE {
                    self.insp_crew[i] = InspCrew::QUEUED;
                    self.arrivals += 1;
                    let entry = (self.model.components.len() + i) as u32;
                    self.crew_queue[k].push((entry, self.arrivals));
                    self.assign(k, t);
                }
            }
            (INSPECTION_ENDS, Some(k)) => {
                let st = self.insp_crew[i];
                self.insp_crew[i] = InspCrew::IDLE;
                self.crew_free[k] += 1;
                self.crew_stats[k].busy += t - st.assigned;
                self.find_hidden(i, st.began, t);
                self.assign(k, t);
            }
            _ => {
                self.push(t + insp.every, Kind::Inspect, i as u32, 0);
                self.find_hidden(i, t - insp.duration, t);
            }
        }
    }

    /// A technician of crew `k` is assigned to inspection schedule `i` at `t`: after the crew's
    /// dispatch delay the inspection begins, and it ends `duration` later.
    pub(super) fn inspection_assigned(&mut self, k: usize, i: usize, t: Hours) {
        let d = match &self.model.crews[k].dispatch {
            Some(d) => d.sample(&mut self.crew_streams[k]),
            None => 0.0,
        };
        self.insp_crew[i] = InspCrew {
            state: InspCrew::WORKING,
            assigned: t,
            began: t + d,
        };
        let end = t + d + self.model.inspections[i].duration;
        self.push(end, Kind::Inspect, i as u32, INSPECTION_ENDS);
    }

    /// An inspection of schedule `i` that began at `began` ends at `t`: it finds each hidden failure
    /// that was there when it began, with its probability of detection.
    fn find_hidden(&mut self, i: usize, began: Hours, t: Hours) {
        let insp = &self.model.inspections[i];
        for &c in &insp.nodes {
            let (clock, since) = self.comps[c].clock;
            if clock == Clock::Hidden
                && since <= began
                && (insp.detect >= 1.0 || unit_f64(&mut self.insp_streams[i]) < insp.detect)
            {
                self.found(c, Found::Inspection, t);
            }
        }
    }

    /// At the mission end, technicians still inspecting were busy until it.
    pub(super) fn finish_inspections(&mut self) {
        for (i, st) in self.insp_crew.iter().enumerate() {
            if st.state == InspCrew::WORKING
                && let Some(k) = self.model.inspections[i].crew
            {
                self.crew_stats[k].busy += self.mission - st.assigned;
            }
        }
    }

    /// At the mission end, failures still hidden count as hidden up to it.
    pub(super) fn finish_latent(&mut self) {
        let t = self.mission;
        for (c, comp) in self.comps.iter().enumerate() {
            let (clock, since) = comp.clock;
            if clock == Clock::Hidden {
                self.latent_stats[c].hidden += t - since;
            }
        }
    }
}
