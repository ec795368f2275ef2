//! Failover-cluster quorum against exact answers derived here: static majority in closed form
//! (independent node and witness states), dynamic quorum and the dynamic witness as small Markov
//! chains whose state is the voters, the votes in force and the role's phase, with the adjustment
//! time as an exponential rate. The exact mode must agree with those chains to solver precision, and
//! the simulation with the exact mode (the project's rule: within 4 standard errors, fixed seed, 4 SE
//! below 1% of the figure).
//!
//! The rules, written again from the scenario reference rather than taken from the library: the
//! cluster runs while more than half of the votes in force are up; under dynamic quorum, while the
//! cluster has quorum and its votes differ from its membership's, they move there at the adjustment
//! rate: every up voting node holds a vote, and with an even number of them the witness votes when it
//! is up, else the last up node in order gives its vote up.

use crate::common;

use common::Checks;
use common::ctmc::{Explored, explore};
use nines::analyses::exact::{Options, solve};
use nines::scenario::compile;

/// Node failure and repair rates, per hour.
const LAMBDA: f64 = 1.0 / 1000.0;
const MU: f64 = 1.0 / 100.0;
/// Witness failure and repair rates.
const LAMBDA_W: f64 = 1.0 / 500.0;
const MU_W: f64 = 1.0 / 50.0;
/// Adjustment rate of dynamic quorum, and the role's failover rate (in the exact scenarios).
const ALPHA: f64 = 1.0 / 10.0;
const PHI: f64 = 1.0;

#[derive(Debug, Clone, Copy)]
struct Cfg {
    nodes: usize,
    witness: bool,
    dynamic: bool,
}

impl Cfg {
    fn voters(&self) -> usize {
        self.nodes + self.witness as usize
    }

    /// The scenario; `failover` is the role's failover time.
    fn scenario(&self, failover: &str, replications: u32) -> String {
        let mut s = format!(
            r#"
            [simulation]
            mission = "1000y"
            replications = {replications}
            seed = 19
            [nodes.h]
            count = {}
            failure = {{ dist = "exponential", mean = "1000h" }}
            repair = {{ dist = "exponential", mean = "100h" }}
            "#,
            self.nodes
        );
        if self.witness {
            s += r#"
            [nodes.fsw]
            failure = { dist = "exponential", mean = "500h" }
            repair = { dist = "exponential", mean = "50h" }
            "#;
        }
        s += "\n[clusters.c]\nnodes = \"h\"\n";
        if self.witness {
            s += "witness = \"fsw\"\n";
        }
        if self.dynamic {
            s += "adjustment = { dist = \"exponential\", mean = \"10h\" }\n";
        } else {
            s += "dynamic = false\n";
        }
        s + &format!("[roles.vm]\nkind = \"cluster\"\ncluster = \"c\"\nfailover = {failover}\n")
    }
}

/// The role's phase: running or failing over to a node, or no node it can run on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Phase {
    Run(usize),
    Switch(usize),
    NoHost,
    /// Not tracked: the chain of quorum alone.
    Untracked,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct State {
    /// Voters up: nodes 0..n, then the witness.
    up: u32,
    /// Votes in force.
    votes: u32,
    phase: Phase,
}

fn quorum(votes: u32, up: u32) -> bool {
    2 * (votes & up).count_ones() > votes.count_ones()
}

/// The votes dynamic quorum moves to.
fn target(c: Cfg, up: u32, current: u32) -> u32 {
    let nodes: Vec<usize> = (0..c.nodes).filter(|&i| up >> i & 1 == 1).collect();
    let Some(&last) = nodes.last() else {
        return current;
    };
    let mut v: u32 = nodes.iter().map(|&i| 1 << i).sum();
    if nodes.len().is_multiple_of(2) {
        if c.witness && up >> c.nodes & 1 == 1 {
            v |= 1 << c.nodes;
        } else {
            v &= !(1 << last);
        }
    }
    v
}

/// The role's reaction to a change: a host it cannot run on (node down or no quorum) sends it to the
/// first node it can run on, else it waits for one.
fn react(c: Cfg, s: State) -> State {
    let ok = |i: usize| s.up >> i & 1 == 1 && quorum(s.votes, s.up);
    let first = |skip: Option<usize>| (0..c.nodes).find(|&i| Some(i) != skip && ok(i));
    let phase = match s.phase {
        Phase::Run(h) | Phase::Switch(h) if !ok(h) => {
            first(Some(h)).map_or(Phase::NoHost, Phase::Switch)
        }
        Phase::NoHost => first(None).map_or(Phase::NoHost, Phase::Switch),
        p => p,
    };
    State { phase, ..s }
}

fn chain(c: Cfg, track_role: bool) -> Explored<State> {
    let all = (1u32 << c.voters()) - 1;
    let start = State {
        up: all,
        votes: if c.dynamic { target(c, all, all) } else { all },
        phase: if track_role {
            Phase::Run(0)
        } else {
            Phase::Untracked
        },
    };
    explore(start, |&s| {
        let mut out = Vec::new();
        for i in 0..c.voters() {
            let (l, m) = if i < c.nodes {
                (LAMBDA, MU)
            } else {
                (LAMBDA_W, MU_W)
            };
            let up = s.up ^ (1 << i);
            let rate = if s.up >> i & 1 == 1 { l } else { m };
            out.push((react(c, State { up, ..s }), rate, "voter"));
        }
        if c.dynamic && quorum(s.votes, s.up) {
            let votes = target(c, s.up, s.votes);
            if votes != s.votes {
                out.push((react(c, State { votes, ..s }), ALPHA, "adjust"));
            }
        }
        if let Phase::Switch(h) = s.phase {
            out.push((
                State {
                    phase: Phase::Run(h),
                    ..s
                },
                PHI,
                "failover",
            ));
        }
        out
    })
}

/// Steady-state unavailability of the role (or of quorum, untracked).
fn steady(x: &Explored<State>) -> f64 {
    let pi = x.chain.steady_state();
    x.states
        .iter()
        .zip(&pi)
        .filter(|(s, _)| down(s))
        .map(|(_, p)| p)
        .sum()
}

fn down(s: &State) -> bool {
    match s.phase {
        Phase::Untracked => !quorum(s.votes, s.up),
        p => !matches!(p, Phase::Run(_)),
    }
}

/// Checks one configuration: the exact mode against the chain with the role (exponential failover),
/// the simulation against the exact mode; and, given, quorum's closed form against the chain of
/// quorum alone. Returns the quorum chain's steady unavailability.
fn check(ck: &mut Checks, what: &str, c: Cfg, replications: u32) -> f64 {
    let text = c.scenario("{ dist = \"exponential\", mean = \"1h\" }", replications);
    let model = compile(&text, "quorum.toml").unwrap_or_else(|e| panic!("{e}"));
    let x = solve(&model, &Options::default()).unwrap_or_else(|e| panic!("{e}"));
    let role = x.entities.iter().find(|e| e.name == "vm").expect("role");
    let by_chain = chain(c, true);
    let u = steady(&by_chain);
    println!(
        "{what}: chain {} states, role unavailability {u:.10e}; exact mode {} states {:.10e}",
        by_chain.states.len(),
        x.states,
        role.unavailability
    );
    ck.close(
        &format!("{what}: exact mode = chain"),
        role.unavailability,
        u,
    );
    let (_, s) = common::simulate(&text);
    let sim = s.entities.iter().find(|e| e.name == "vm").expect("role");
    ck.exact(
        &format!("{what}: role unavailability, simulated vs exact"),
        &sim.unavailability,
        role.interval_unavailability.expect("interval"),
    );
    steady(&chain(c, false))
}

#[test]
fn static_majority_with_and_without_a_witness() {
    let mut ck = Checks::default();
    let q = LAMBDA / (LAMBDA + MU);
    let qw = LAMBDA_W / (LAMBDA_W + MU_W);
    // Three nodes: quorum lost while two or three are down.
    let c = Cfg {
        nodes: 3,
        witness: false,
        dynamic: false,
    };
    let u = check(&mut ck, "3 nodes", c, 300);
    ck.close(
        "3 nodes: quorum chain = closed form",
        u,
        3.0 * q * q * (1.0 - q) + q * q * q,
    );
    // Two nodes and a witness: lost while two of the three voters are down.
    let c = Cfg {
        nodes: 2,
        witness: true,
        dynamic: false,
    };
    let u = check(&mut ck, "2 nodes + witness", c, 300);
    ck.close(
        "2 nodes + witness: quorum chain = closed form",
        u,
        q * q + 2.0 * q * (1.0 - q) * qw,
    );
    // With the failover instantaneous, the role is down exactly while quorum is: the combinational
    // figure itself, simulated (over the mission, from all up: the chain's occupancy).
    let text = c.scenario("{ dist = \"fixed\", value = \"0h\" }", 300);
    let (model, s) = common::simulate(&text);
    let occ = chain(c, false).occupancy(model.simulation.mission);
    let x = chain(c, false);
    let interval = x.time_in(&occ, down) / model.simulation.mission;
    let sim = s.entities.iter().find(|e| e.name == "vm").expect("role");
    ck.exact(
        "2 nodes + witness, instant failover: simulated vs quorum's figure",
        &sim.unavailability,
        interval,
    );
    ck.finish();
}

#[test]
fn dynamic_quorum_on_two_and_three_nodes() {
    let mut ck = Checks::default();
    // Two nodes without a witness: the second gives its vote up, so the cluster runs while the first
    // node is up, whatever the second does.
    let c = Cfg {
        nodes: 2,
        witness: false,
        dynamic: true,
    };
    let u = check(&mut ck, "2 nodes dynamic", c, 300);
    ck.close(
        "2 nodes dynamic: quorum = the first node",
        u,
        LAMBDA / (LAMBDA + MU),
    );
    // Three nodes: the cluster can shrink to the last node when failures are slower than the
    // adjustment, but two failing within one adjustment take quorum away.
    let c = Cfg {
        nodes: 3,
        witness: false,
        dynamic: true,
    };
    let u = check(&mut ck, "3 nodes dynamic", c, 300);
    let stat = chain(
        Cfg {
            dynamic: false,
            ..c
        },
        false,
    );
    println!(
        "3 nodes: quorum unavailable {u:.6e} dynamic, {:.6e} static",
        steady(&stat)
    );
    ck.finish();
}

#[test]
fn dynamic_witness_on_two_nodes() {
    let mut ck = Checks::default();
    let c = Cfg {
        nodes: 2,
        witness: true,
        dynamic: true,
    };
    let u = check(&mut ck, "2 nodes + dynamic witness", c, 300);
    // Two roles sharing the cluster: quorum is the cluster's, so each role alone behaves as the one
    // role of the chain (their states are correlated through quorum, not through each other).
    let text = c.scenario("{ dist = \"exponential\", mean = \"1h\" }", 10)
        + "[roles.lib]\nkind = \"cluster\"\ncluster = \"c\"\non = [\"h-1\", \"h-2\"]\nfailover = { dist = \"exponential\", mean = \"1h\" }\n";
    let model = compile(&text, "shared.toml").unwrap_or_else(|e| panic!("{e}"));
    let x = solve(&model, &Options::default()).unwrap_or_else(|e| panic!("{e}"));
    let single = steady(&chain(c, true));
    for name in ["vm", "lib"] {
        let e = x.entities.iter().find(|e| e.name == name).expect("role");
        ck.close(
            &format!("shared cluster: exact mode, role {name} = chain"),
            e.unavailability,
            single,
        );
    }
    let stat = chain(
        Cfg {
            dynamic: false,
            ..c
        },
        false,
    );
    println!(
        "2 nodes + witness: quorum unavailable {u:.6e} dynamic, {:.6e} static",
        steady(&stat)
    );
    ck.finish();
}

#[test]
fn a_drained_node_leaves_gracefully() {
    // Two nodes, no witness, dynamic quorum, nodes that never fail within the year: a rolling patch
    // moves the only vote before it drains its holder, so quorum holds and each window costs the role
    // one failover (the passive node is drained first, the active one last), one minute, in each of
    // the 13 windows that open in 8760 h (every 720 h from 0).
    let text = r#"
        [simulation]
        mission = "1y"
        replications = 4
        [nodes.h]
        count = 2
        failure = { dist = "fixed", value = "100y" }
        repair = { dist = "fixed", value = "1h" }
        [clusters.c]
        nodes = "h"
        [roles.vm]
        kind = "cluster"
        cluster = "c"
        failover = { dist = "fixed", value = "1min" }
        [maintenance.patch]
        every = "30d"
        duration = "1h"
        role = "vm"
        rolling = true
    "#;
    let mut ck = Checks::default();
    let (model, s) = common::simulate(text);
    let vm = s.entities.iter().find(|e| e.name == "vm").expect("role");
    ck.close(
        "role downtime, hours per mission",
        vm.unavailability.value * model.simulation.mission,
        13.0 / 60.0,
    );
    ck.finish();
}
