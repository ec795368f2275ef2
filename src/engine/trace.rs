//! A trace of one replication: every change of state of the components, roles and services, for the
//! timeline chart.
//!
//! The engine reports changes to a [`Recorder`]. The normal runs use [`NoTrace`], whose
//! [`Recorder::ACTIVE`] is `false`: every call site is behind `if R::ACTIVE`, so the untraced engine is
//! compiled exactly as if the hooks were not there (no allocation, no extra work per event).
//! [`trace`] simulates one replication with a [`Tracer`] and returns a [`Trace`]; [`sample`] picks the
//! replication to show.

use crate::base::units::Hours;
use crate::engine::Engine;
use crate::model::{ComponentKind, EntityKind, Model};

/// Level of a measured signal (a service or a role).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    /// Down.
    Down,
    /// Up with no redundancy left: one more failure takes it down.
    AtRisk,
    /// Up with redundancy.
    Safe,
}

/// What happened to a component.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ComponentEvent {
    /// It failed (its repair starts at once unless it waits for a crew).
    Failed,
    /// A technician of its crew was assigned: dispatch and repair start.
    RepairStarted,
    /// It is repaired and up again.
    Repaired,
    /// A maintenance action took it out.
    MaintenanceStart,
    /// The maintenance action ended.
    MaintenanceEnd,
}

/// Hears about the changes of state during one replication. Every method is called only when
/// [`Recorder::ACTIVE`] is true.
pub trait Recorder {
    /// Whether the engine reports to this recorder at all. `false` compiles every hook away.
    const ACTIVE: bool;

    /// A replication starts at time 0 with every component up.
    fn begin(&mut self, _model: &Model, _replication: u64) {}

    /// Measured signal `m` (in [`Model::measured`] order) is at `level` from time `t`; `planned` when a
    /// maintenance action caused the change. Also called at time 0 with every initial level.
    fn level(&mut self, _m: usize, _level: Level, _planned: bool, _t: Hours) {}

    /// Something happened to component `c` at time `t`.
    fn component(&mut self, _c: usize, _event: ComponentEvent, _t: Hours) {}

    /// Role `r`'s machine started on a different node `node` at time `t` (a failover, failback or
    /// manual recovery on another host).
    fn moved(&mut self, _r: usize, _node: usize, _t: Hours) {}
}

/// The recorder of normal runs: records nothing and costs nothing.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoTrace;

impl Recorder for NoTrace {
    const ACTIVE: bool = false;
}

/// What a row of a trace describes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RowKind {
    /// A service.
    Service,
    /// A role.
    Role,
    /// A component (node, domain, site or WAN link).
    Component(ComponentKind),
}

impl RowKind {
    /// Lower-case name for labels.
    pub fn as_str(self) -> &'static str {
        match self {
            RowKind::Service => "service",
            RowKind::Role => "role",
            RowKind::Component(k) => k.as_str(),
        }
    }
}

/// The state of a row over an interval.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    /// A service or role up with redundancy, or a component up.
    Up,
    /// A service or role up with no redundancy left.
    AtRisk,
    /// A service or role down in an outage started by a failure.
    Down,
    /// A service or role down in an outage started by planned maintenance.
    PlannedDown,
    /// A component failed and waiting for a technician of its crew.
    Waiting,
    /// A component failed and in repair (a technician's dispatch included).
    Repair,
    /// A component taken out by planned maintenance.
    Maintenance,
}

impl State {
    /// Whether the row is down in this state.
    pub fn is_down(self) -> bool {
        matches!(
            self,
            State::Down | State::PlannedDown | State::Waiting | State::Repair | State::Maintenance
        )
    }
}

/// One row of a trace: a service, role or component and its changes of state.
#[derive(Debug, Clone, PartialEq)]
pub struct TraceRow {
    /// Its name.
    pub name: String,
    /// What it is.
    pub kind: RowKind,
    /// `(time, state)` from time 0 on, in increasing time; each state lasts until the next change or the
    /// mission end.
    pub changes: Vec<(Hours, State)>,
    /// For roles with a machine: `(time, node name)` of each move to a different node.
    pub moves: Vec<(Hours, String)>,
}

impl TraceRow {
    /// The intervals `(start, end, state)` of this row, cut at the mission end `mission`.
    pub fn intervals(&self, mission: Hours) -> impl Iterator<Item = (Hours, Hours, State)> + '_ {
        self.changes.iter().enumerate().map(move |(i, &(t, s))| {
            let end = self.changes.get(i + 1).map_or(mission, |c| c.0);
            (t, end, s)
        })
    }

    /// The state at time `t`.
    pub fn state_at(&self, t: Hours) -> State {
        let i = self.changes.partition_point(|c| c.0 <= t);
        self.changes[i.saturating_sub(1)].1
    }
}

/// Every change of state in one replication.
#[derive(Debug, Clone, PartialEq)]
pub struct Trace {
    /// The scenario name.
    pub scenario: String,
    /// The replication traced.
    pub replication: u64,
    /// Mission length, hours.
    pub mission: Hours,
    /// Services, then roles (as [`Model::measured`]), then components (as `Model::components`).
    pub rows: Vec<TraceRow>,
}

/// A [`Recorder`] that keeps every change: the recorder behind [`trace`].
#[derive(Debug, Clone, Default)]
pub struct Tracer {
    rows: Vec<TraceRow>,
    measured: usize,
    services: usize,
    node_names: Vec<String>,
    failed: Vec<bool>,
    repairing: Vec<bool>,
    maintained: Vec<bool>,
    replication: u64,
}

impl Tracer {
    /// The trace recorded so far.
    pub fn finish(self, model: &Model) -> Trace {
        Trace {
            scenario: model.name.clone(),
            replication: self.replication,
            mission: model.simulation.mission,
            rows: self.rows,
        }
    }

    fn push(&mut self, row: usize, state: State, t: Hours) {
        let changes = &mut self.rows[row].changes;
        match changes.last_mut() {
            Some(last) if last.1 == state => {}
            // Several changes at one instant: only the last one lasts.
            Some(last) if last.0 == t => {
                last.1 = state;
                let n = changes.len();
                if n >= 2 && changes[n - 2].1 == state {
                    changes.pop();
                }
            }
            _ => changes.push((t, state)),
        }
    }
}

impl Recorder for Tracer {
    const ACTIVE: bool = true;

    fn begin(&mut self, model: &Model, replication: u64) {
        self.replication = replication;
        self.measured = model.services.len() + model.roles.len();
        self.services = model.services.len();
        self.node_names = model.components.iter().map(|c| c.name.clone()).collect();
        let entities = model
            .measured()
            .into_iter()
            .map(|(kind, name, _)| TraceRow {
                name: name.to_string(),
                kind: match kind {
                    EntityKind::Service => RowKind::Service,
                    EntityKind::Role => RowKind::Role,
                },
                changes: Vec::new(),
                moves: Vec::new(),
            });
        let comps = model.components.iter().map(|c| TraceRow {
            name: c.name.clone(),
            kind: RowKind::Component(c.kind),
            changes: vec![(0.0, State::Up)],
            moves: Vec::new(),
        });
        self.rows = entities.chain(comps).collect();
        let n = model.components.len();
        self.failed = vec![false; n];
        self.repairing = vec![false; n];
        self.maintained = vec![false; n];
    }

    fn level(&mut self, m: usize, level: Level, planned: bool, t: Hours) {
        let state = match level {
            Level::Safe => State::Up,
            Level::AtRisk => State::AtRisk,
            Level::Down => {
                // An outage keeps the class it started with.
                match self.rows[m].changes.last() {
                    Some(&(_, s @ (State::Down | State::PlannedDown))) => s,
                    _ if planned => State::PlannedDown,
                    _ => State::Down,
                }
            }
        };
        self.push(m, state, t);
    }

    fn component(&mut self, c: usize, event: ComponentEvent, t: Hours) {
        match event {
            ComponentEvent::Failed => {
                self.failed[c] = true;
                self.repairing[c] = false;
            }
            ComponentEvent::RepairStarted => self.repairing[c] = true,
            ComponentEvent::Repaired => {
                self.failed[c] = false;
                self.repairing[c] = false;
            }
            ComponentEvent::MaintenanceStart => self.maintained[c] = true,
            ComponentEvent::MaintenanceEnd => self.maintained[c] = false,
        }
        let state = match (self.failed[c], self.repairing[c], self.maintained[c]) {
            (true, true, _) => State::Repair,
            (true, false, _) => State::Waiting,
            (false, _, true) => State::Maintenance,
            (false, _, false) => State::Up,
        };
        self.push(self.measured + c, state, t);
    }

    fn moved(&mut self, r: usize, node: usize, t: Hours) {
        let name = self.node_names[node].clone();
        self.rows[self.services + r].moves.push((t, name));
    }
}

/// Simulates replication `rep` of the model and records every change of state. The replication is the
/// same as in a normal run: the same seed and index give the same history.
pub fn trace(model: &Model, rep: u64) -> Trace {
    let mut engine = Engine::with_recorder(model, Tracer::default());
    engine.run(rep);
    engine.into_recorder().finish(model)
}

/// The replication a timeline shows, and why.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Sample {
    /// Replication index.
    pub replication: u64,
    /// Whether the main entity (the first service, or the first role without services) has an outage in
    /// it; `false` when none of the replications searched had one (then it is replication 0).
    pub has_outage: bool,
}

/// Picks the replication to trace: the first of replications `0..limit` in which the main entity (the
/// first service, or the first role when there are no services) has an outage, else replication 0.
pub fn sample(model: &Model, limit: u64) -> Sample {
    let mut engine = Engine::new(model);
    for rep in 0..limit.min(model.simulation.replications) {
        engine.run(rep);
        if engine.monitors().first().is_some_and(|m| m.outages > 0) {
            return Sample {
                replication: rep,
                has_outage: true,
            };
        }
    }
    Sample {
        replication: 0,
        has_outage: false,
    }
}

/// A stretch of mission time to show, and what it shows.
#[derive(Debug, Clone, PartialEq)]
pub struct Window {
    /// Start, hours since the mission start.
    pub start: Hours,
    /// End, hours.
    pub end: Hours,
    /// Row of the outage it was chosen for, if any.
    pub focus: Option<usize>,
    /// That outage: start and end, hours.
    pub outage: Option<(Hours, Hours)>,
}

/// Shortest window shown: a few days, so that repairs and patch nights around an outage are visible.
pub const MIN_WINDOW: Hours = 72.0;
/// How far before an outage a failure that led to it is still shown.
pub const MAX_LEAD: Hours = 7.0 * 24.0;

impl Trace {
    /// The window to show: around the longest outage of row `main` (the earliest of equally long
    /// ones), from the earliest failure or maintenance still in progress when it started (at most
    /// [`MAX_LEAD`] before) to its end, at least [`MIN_WINDOW`] wide with 40% of the spare time before
    /// and 60% after. Without an outage: the first
    /// [`MIN_WINDOW`] hours that contain a change of any component, else the start of the mission.
    pub fn window(&self, main: usize) -> Window {
        let mission = self.mission;
        let width_for = |core_start: Hours, core_end: Hours| {
            let len = core_end - core_start;
            let width = (len * 1.25).max(MIN_WINDOW).min(mission);
            let start = (core_start - 0.4 * (width - len)).clamp(0.0, (mission - width).max(0.0));
            (start, start + width)
        };
        let outage = self.rows.get(main).and_then(|row| {
            row.intervals(mission)
                .filter(|&(_, _, s)| s.is_down())
                .map(|(a, b, _)| (a, b))
                .fold(None, |best: Option<(Hours, Hours)>, o| match best {
                    Some(b) if b.1 - b.0 >= o.1 - o.0 => Some(b),
                    _ => Some(o),
                })
        });
        if let Some((a, b)) = outage {
            // What was already down when the outage started, and since when.
            let lead = self
                .rows
                .iter()
                .filter(|r| matches!(r.kind, RowKind::Component(_)))
                .filter_map(|r| {
                    r.intervals(mission)
                        .find(|&(s, e, st)| st.is_down() && s <= a && e >= a)
                        .map(|(s, _, _)| s)
                })
                .fold(a, f64::min)
                .max(a - MAX_LEAD);
            let (start, end) = width_for(lead, b.min(lead + mission));
            return Window {
                start,
                end,
                focus: Some(main),
                outage: Some((a, b)),
            };
        }
        let first_change = self
            .rows
            .iter()
            .filter_map(|r| r.changes.get(1).map(|c| c.0))
            .fold(f64::INFINITY, f64::min);
        let (start, end) = if first_change.is_finite() {
            width_for(first_change, first_change)
        } else {
            (0.0, MIN_WINDOW.min(mission))
        };
        Window {
            start,
            end,
            focus: None,
            outage: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(changes: Vec<(Hours, State)>) -> TraceRow {
        TraceRow {
            name: "x".into(),
            kind: RowKind::Service,
            changes,
            moves: Vec::new(),
        }
    }

    #[test]
    fn changes_at_one_instant_leave_only_the_last() {
        let mut t = Tracer {
            rows: vec![row(vec![(0.0, State::Up)])],
            ..Default::default()
        };
        t.push(0, State::Down, 5.0);
        t.push(0, State::AtRisk, 5.0);
        t.push(0, State::Up, 5.0);
        assert_eq!(t.rows[0].changes, vec![(0.0, State::Up)]);
        t.push(0, State::Down, 6.0);
        t.push(0, State::Down, 7.0);
        assert_eq!(
            t.rows[0].changes,
            vec![(0.0, State::Up), (6.0, State::Down)]
        );
        assert_eq!(t.rows[0].state_at(6.5), State::Down);
        assert_eq!(t.rows[0].state_at(1.0), State::Up);
    }

    #[test]
    fn window_is_centred_on_the_longest_outage_and_clamped() {
        let trace = |changes| Trace {
            scenario: "s".into(),
            replication: 0,
            mission: 1000.0,
            rows: vec![row(changes)],
        };
        let t = trace(vec![
            (0.0, State::Up),
            (100.0, State::Down),
            (101.0, State::Up),
            (500.0, State::Down),
            (510.0, State::Up),
        ]);
        let w = t.window(0);
        assert_eq!(w.outage, Some((500.0, 510.0)));
        assert!((w.end - w.start - MIN_WINDOW).abs() < 1e-9);
        assert!((w.start - (500.0 - 0.4 * (MIN_WINDOW - 10.0))).abs() < 1e-9);
        // Near the mission end the window slides back inside it.
        let t = trace(vec![(0.0, State::Up), (990.0, State::Down)]);
        let w = t.window(0);
        assert_eq!(w.end, 1000.0);
        assert_eq!(w.outage, Some((990.0, 1000.0)));
        // No outage: the mission start.
        let w = trace(vec![(0.0, State::Up)]).window(0);
        assert_eq!((w.start, w.end, w.outage), (0.0, MIN_WINDOW, None));
    }
}
