//! Exact mode: when every duration is exponential, the compiled model is a continuous-time Markov
//! chain; its reachable states are enumerated and solved sparsely (no I/O, no simulation).
//!
//! A state holds what the engine's future depends on once every clock is memoryless: each
//! component's status (up, repairing, technician travelling, waiting in its crew's queue with its
//! place, waiting for a spare part with its place, its part being shipped), each stock's reorders
//! outstanding, and each role machine's phase, host, last host and whether its state was wiped (a
//! restored or reinstalled role whose node failed), and the votes in force of each cluster with
//! dynamic quorum (its adjustment is a move). Transitions replay the engine's own rules
//! ([`crate::engine`]): a component fails or is repaired, a crew assigns technicians, and the role
//! machines watching a signal that changed react in order until nothing changes; random branches
//! inside a reaction (coverage, restart success) split a transition by their probabilities.
//! Services and roles are up or down per state through the model's gate graph.
//!
//! The parts, one file each:
//!
//! ```text
//! chain     the state key's layout, the resolved rates (specs), signal levels in a state
//! machines  the moves out of a state: each event replayed through the crews and the role machines
//! hosts     virtual machines on host groups: their host and boot in the state, the placement rule
//! space     the reachable states, enumerated breadth first into sparse rows
//! stocks    spare-part stocks: outstanding reorders in the state, the line for a part, shipment
//! phases    the calendar: each phase's rules for up, per-phase figures, the transient across it
//! solve     the steady state (GTH, Gauss–Seidel) and the interval unavailability (uniformisation)
//! ```

use thiserror::Error;

use crate::base::units::{HOURS_PER_YEAR, Hours};
use crate::model::{EntityKind, Model};

mod chain;
mod hosts;
mod machines;
mod order;
mod phases;
mod solve;
mod space;
mod standby;
mod standby_moves;
mod stocks;

pub use chain::{Chain, Entity, Move};
pub use phases::ExactPhase;
pub use solve::{DENSE_LIMIT, Stationary, stationary};
pub use space::Space;

use chain::{AT_RISK, DOWN};
use solve::interval_unavailability;

/// Default limit on the number of states explored.
pub const DEFAULT_MAX_STATES: usize = 2_000_000;

/// Most states `--max-states` may allow: the chain then takes tens of GiB (a state's key, index entry,
/// transitions and solver vectors are a few hundred bytes), more than any machine it runs on should
/// give it without being asked in code.
pub const MAX_STATES_CEILING: usize = 100_000_000;

/// Why a scenario cannot be solved exactly.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum MarkovError {
    /// A duration that is not exponential, named by where it is in the scenario.
    #[error(
        "{what} is {dist}, not exponential: the exact mode needs every duration exponential \
         (memoryless); rerun with --approximate to replace each by an exponential with the same mean"
    )]
    NotExponential {
        /// Where the duration is, e.g. `node web-1 repair`.
        what: String,
        /// The distribution as written.
        dist: String,
    },
    /// A duration with mean zero cannot be approximated by an exponential.
    #[error("{what} is {dist} with mean zero: no exponential has that mean")]
    ZeroMean {
        /// Where the duration is.
        what: String,
        /// The distribution.
        dist: String,
    },
    /// A feature the chain cannot represent.
    #[error("{feature}: {why}")]
    Unsupported {
        /// The feature, e.g. `maintenance.patch_night`.
        feature: String,
        /// Why, and what to do instead.
        why: String,
    },
    /// The reachable state space is larger than the limit.
    #[error(
        "the state space is too large: more than {limit} states ({reached} found, {queued} still \
         to explore); raise --max-states, simplify the scenario, or use the rare-event estimator"
    )]
    TooManyStates {
        /// The limit.
        limit: usize,
        /// States found when exploration stopped.
        reached: usize,
        /// States found but not yet expanded.
        queued: usize,
    },
    /// Some reachable states never return to the all-up start: no unique steady state.
    #[error(
        "{stuck} of {states} reachable states can never return to the all-up start, so there is no \
         single steady state (a role that can deadlock, e.g. reinstalls that wait on each other)"
    )]
    Reducible {
        /// States that cannot reach the start.
        stuck: usize,
        /// Reachable states.
        states: usize,
    },
    /// The iterative solver did not converge.
    #[error(
        "the steady-state solver did not converge on {states} states: relative residual \
         {residual:.2e} after {sweeps} sweeps"
    )]
    NoConvergence {
        /// Chain size.
        states: usize,
        /// Sweeps done.
        sweeps: usize,
        /// Largest relative balance residual left.
        residual: f64,
    },
}

/// How to build and solve the chain.
#[derive(Debug, Clone)]
pub struct Options {
    /// Replace every non-exponential duration by an exponential with the same mean.
    pub approximate: bool,
    /// Give up beyond this many states.
    pub max_states: usize,
    /// Also compute the expected interval availability over the mission (transient, from all up).
    pub interval: bool,
    /// Force the sparse iterative solver even for small chains (for cross-checks).
    pub force_iterative: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            approximate: false,
            max_states: DEFAULT_MAX_STATES,
            interval: true,
            force_iterative: false,
        }
    }
}

/// Exact figures of one service or role.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ExactEntity {
    /// Service or role.
    pub kind: EntityKind,
    /// Its name.
    pub name: String,
    /// Steady-state availability.
    pub availability: f64,
    /// Steady-state unavailability (summed over down states, not 1 − availability).
    pub unavailability: f64,
    /// Outages per year in steady state: Σ over up states of π times the rate into down states.
    pub outages_per_year: f64,
    /// Mean outage, hours: unavailability / outage frequency (NaN when it never goes down).
    pub mean_outage_hours: Hours,
    /// Hours per year up with no redundancy left.
    pub at_risk_hours_per_year: Hours,
    /// Expected unavailability over the mission starting all up (the simulator's figure), when
    /// computed.
    pub interval_unavailability: Option<f64>,
}

/// The exact solution of a scenario.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Exact {
    /// Reachable states.
    pub states: usize,
    /// Transitions between distinct states.
    pub transitions: usize,
    /// Solver used.
    pub method: &'static str,
    /// Sweeps of the iterative solver.
    pub sweeps: usize,
    /// Largest relative balance residual of the solution.
    pub residual: f64,
    /// Mission over which interval unavailability is computed, hours.
    pub mission: Hours,
    /// Why the interval figures are missing, when they are.
    pub interval_note: Option<String>,
    /// Durations that were replaced by exponentials (with `approximate`).
    pub approximated: Vec<String>,
    /// Per measured entity, services first.
    pub entities: Vec<ExactEntity>,
    /// Per cluster with quorum (`[clusters]`), in steady state.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub clusters: Vec<ExactCluster>,
    /// Per service and phase of the calendar (`[phases]`), as `nines run`'s phase rows.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub phases: Vec<ExactPhase>,
}

/// Exact steady-state figures of one failover cluster's quorum.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ExactCluster {
    /// The cluster's name.
    pub name: String,
    /// Hours per year without quorum.
    pub hours_without_quorum_per_year: f64,
    /// Quorum losses per year: Σ over states with quorum of π times the rate into states without.
    pub quorum_losses_per_year: f64,
}

/// Builds the chain of `model`, solves it and derives every entity's figures (and, with phases,
/// each service's figures per phase).
pub fn solve(model: &Model, opts: &Options) -> Result<Exact, MarkovError> {
    let chain = Chain::phased(model, opts.approximate)?;
    let space = chain.explore(opts.max_states)?;
    let st = stationary(&space, opts.force_iterative)?;
    let ne = space.entities;
    let mut entities: Vec<ExactEntity> = chain
        .entities()
        .iter()
        .map(|e| ExactEntity {
            kind: e.kind,
            name: e.name.clone(),
            availability: 0.0,
            unavailability: 0.0,
            outages_per_year: 0.0,
            mean_outage_hours: f64::NAN,
            at_risk_hours_per_year: 0.0,
            interval_unavailability: None,
        })
        .collect();
    let mut up = vec![0.0; ne];
    for i in 0..space.n {
        let p = st.pi[i];
        for (e, x) in entities.iter_mut().enumerate() {
            match space.level[i * ne + e] {
                DOWN => x.unavailability += p,
                AT_RISK => {
                    up[e] += p;
                    x.at_risk_hours_per_year += p * HOURS_PER_YEAR;
                }
                _ => up[e] += p,
            }
            if !space.down(i, e) {
                let into_down: f64 = space
                    .out(i)
                    .filter(|&(j, _)| space.down(j, e))
                    .map(|(_, r)| r)
                    .sum();
                x.outages_per_year += p * into_down * HOURS_PER_YEAR;
            }
        }
    }
    for (e, x) in entities.iter_mut().enumerate() {
        x.availability = up[e];
        if x.outages_per_year > 0.0 {
            x.mean_outage_hours = x.unavailability / x.outages_per_year * HOURS_PER_YEAR;
        }
    }
    let nq = model.quorums.len();
    let mut clusters: Vec<ExactCluster> = model
        .quorums
        .iter()
        .map(|q| ExactCluster {
            name: q.name.clone(),
            hours_without_quorum_per_year: 0.0,
            quorum_losses_per_year: 0.0,
        })
        .collect();
    for i in 0..space.n {
        let p = st.pi[i] * HOURS_PER_YEAR;
        for (q, c) in clusters.iter_mut().enumerate() {
            if space.no_quorum[i * nq + q] {
                c.hours_without_quorum_per_year += p;
            } else {
                let into: f64 = space
                    .out(i)
                    .filter(|&(j, _)| space.no_quorum[j * nq + q])
                    .map(|(_, r)| r)
                    .sum();
                c.quorum_losses_per_year += p * into;
            }
        }
    }
    let mission = model.simulation.mission;
    let mut interval_note = None;
    let mut phase_rows = Vec::new();
    if !model.phases.is_empty() {
        let (rows, note) = phases::figures(model, &space, &st.pi, opts.interval, &mut entities);
        (phase_rows, interval_note) = (rows, note);
    } else if opts.interval {
        let u: Vec<f64> = entities.iter().map(|x| x.unavailability).collect();
        match interval_unavailability(&space, &u, mission) {
            Ok(iu) => {
                for (x, v) in entities.iter_mut().zip(iu) {
                    x.interval_unavailability = Some(v);
                }
            }
            Err(why) => interval_note = Some(why),
        }
    }
    Ok(Exact {
        states: space.n,
        transitions: space.to.len(),
        method: st.method,
        sweeps: st.sweeps,
        residual: st.residual,
        mission,
        interval_note,
        approximated: chain.approximated.clone(),
        entities,
        clusters,
        phases: phase_rows,
    })
}

/// The steady state with each state's component states, for measures over the components
/// (importance): per state its probability, and which components are down in it.
#[derive(Debug, Clone)]
pub struct ComponentStates {
    /// Number of components.
    pub components: usize,
    /// Steady-state probability of each state.
    pub pi: Vec<f64>,
    /// Per state and component (`state * components + c`): the component is down.
    pub down: Vec<bool>,
    /// Per service: steady-state unavailability.
    pub unavailability: Vec<f64>,
    /// Reachable states.
    pub states: usize,
}

/// Builds and solves the chain of `model`, keeping each state's component states.
pub fn component_states(model: &Model, opts: &Options) -> Result<ComponentStates, MarkovError> {
    let chain = Chain::new(model, opts.approximate)?;
    let space = chain.explore_with(opts.max_states, true)?;
    let st = stationary(&space, opts.force_iterative)?;
    let unavailability = (0..model.services.len())
        .map(|e| {
            (0..space.n)
                .filter(|&i| space.down(i, e))
                .map(|i| st.pi[i])
                .sum()
        })
        .collect();
    Ok(ComponentStates {
        components: model.components.len(),
        states: space.n,
        pi: st.pi,
        down: space.component_down,
        unavailability,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::compile;

    fn model(text: &str) -> Model {
        compile(text, "test.toml").unwrap_or_else(|e| panic!("{e}"))
    }

    const POOL: &str = r#"
        [simulation]
        mission = "10y"
        [nodes.n]
        count = 3
        failure = { dist = "exponential", mean = "1000h" }
        repair = { dist = "exponential", mean = "10h" }
        [roles.pool]
        kind = "pool"
        on = "n"
        min_up = 2
    "#;

    #[test]
    fn two_of_three_pool_matches_the_binomial() {
        let m = model(POOL);
        let x = solve(&m, &Options::default()).unwrap();
        assert_eq!(x.states, 8);
        let a = 1000.0 / 1010.0;
        let u = 1.0 - (a * a * a + 3.0 * a * a * (1.0 - a));
        let e = &x.entities[0];
        assert!((e.unavailability / u - 1.0).abs() < 1e-12, "{e:?}");
        // Outages start when a second node fails with exactly one down: 3·q(1−q)²·2λ.
        let q = 1.0 - a;
        let f = 3.0 * q * a * a * 2.0 / 1000.0 * HOURS_PER_YEAR;
        assert!((e.outages_per_year / f - 1.0).abs() < 1e-12);
        // The interval figure is below the steady state (the mission starts all up).
        let iu = e.interval_unavailability.unwrap();
        assert!(iu < u && iu > 0.999 * u, "{iu} vs {u}");
    }

    #[test]
    fn iterative_solver_agrees_with_gth() {
        let text = r#"
            [simulation]
            mission = "1y"
            [crews.ops]
            technicians = 1
            dispatch = { dist = "exponential", mean = "2h" }
            policy = "priority"
            [defaults]
            failure = { dist = "exponential", mean = "300h" }
            repair = { dist = "exponential", mean = "30h" }
            [nodes.a]
            crew = "ops"
            priority = 1
            [nodes.n]
            count = 3
            crew = "ops"
            [roles.vm]
            kind = "cluster"
            on = ["a", "n-1", "n-2"]
            failover = { dist = "exponential", mean = "0.2h" }
            coverage = 0.9
            manual_recovery = { dist = "exponential", mean = "2h" }
            [roles.web]
            kind = "pool"
            on = "n"
            min_up = 2
            requires = ["vm"]
        "#;
        let m = model(text);
        let dense = solve(&m, &Options::default()).unwrap();
        let opts = Options {
            force_iterative: true,
            interval: false,
            ..Options::default()
        };
        let it = solve(&m, &opts).unwrap();
        assert_eq!(dense.method, "dense GTH");
        assert_eq!(it.method, "Gauss–Seidel");
        for (a, b) in dense.entities.iter().zip(&it.entities) {
            assert!(
                (a.unavailability / b.unavailability - 1.0).abs() < 1e-8,
                "{a:?} vs {b:?}"
            );
        }
    }

    #[test]
    fn non_exponential_durations_are_named() {
        let text = POOL.replace(
            r#"repair = { dist = "exponential", mean = "10h" }"#,
            r#"repair = { dist = "lognormal", mean = "10h", sigma = 0.5 }"#,
        );
        let m = model(&text);
        let err = solve(&m, &Options::default()).unwrap_err();
        assert!(
            err.to_string().starts_with("node n-1 repair is lognormal"),
            "{err}"
        );
        let opts = Options {
            approximate: true,
            ..Options::default()
        };
        let x = solve(&m, &opts).unwrap();
        assert_eq!(x.approximated.len(), 3);
        let exact = solve(&model(POOL), &Options::default()).unwrap();
        assert!(
            (x.entities[0].unavailability / exact.entities[0].unavailability - 1.0).abs() < 1e-12
        );
    }

    #[test]
    fn state_limit_reports_the_count() {
        let m = model(POOL);
        let opts = Options {
            max_states: 5,
            ..Options::default()
        };
        match solve(&m, &opts) {
            Err(MarkovError::TooManyStates { limit, reached, .. }) => {
                assert_eq!((limit, reached), (5, 5))
            }
            other => panic!("{other:?}"),
        }
    }
}
