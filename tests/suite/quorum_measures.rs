//! The quorum measures of a failover cluster (hours without quorum per year, quorum losses per year)
//! against a Markov chain of the voters and the votes in force derived here, and a role's downtime
//! by cause, "no quorum" included, adding up to its downtime (at random, and on a fixed timeline
//! worked out by hand).
//!
//! The chain is the cluster's alone: each voter fails and is repaired at exponential rates; under
//! dynamic quorum, while the cluster has quorum and its votes in force differ from its membership's,
//! they move there at the adjustment rate (every up voting node holds a vote; with an even number of
//! them the witness votes when it is up, else the last up node in order gives its vote up). The
//! simulation starts with everything up, so the exact figures are the chain's expected occupancy of
//! the states without quorum over the mission, and its expected transitions from quorum to none,
//! per year. Rates are fast (a node is down a third of the time) so that a cheap run sees many
//! losses: 4 standard errors stay below 1% of each figure.

use crate::common;

use common::Checks;
use common::ctmc::{Explored, explore};
use nines::analyses::exact::{Options, solve};
use nines::base::units::HOURS_PER_YEAR;
use nines::estimate::summary::{EntitySummary, Summary};
use nines::scenario::compile;

/// Node failure and repair rates, per hour (means 100 h and 50 h).
const LAMBDA: f64 = 1.0 / 100.0;
const MU: f64 = 1.0 / 50.0;
/// Witness failure and repair rates (means 200 h and 50 h).
const LAMBDA_W: f64 = 1.0 / 200.0;
const MU_W: f64 = 1.0 / 50.0;
/// Adjustment rate of dynamic quorum (mean 10 h).
const ALPHA: f64 = 1.0 / 10.0;

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

    /// The cluster and a role `vm` that can run on every node; `roles` adds more.
    fn scenario(&self, replications: u32, roles: &str) -> String {
        let mut s = format!(
            r#"
            [simulation]
            mission = "100y"
            replications = {replications}
            seed = 1919
            [nodes.h]
            count = {}
            failure = {{ dist = "exponential", mean = "100h" }}
            repair = {{ dist = "exponential", mean = "50h" }}
            "#,
            self.nodes
        );
        if self.witness {
            s += r#"
            [nodes.fsw]
            failure = { dist = "exponential", mean = "200h" }
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
        s + "[roles.vm]\nkind = \"cluster\"\ncluster = \"c\"\nfailover = { dist = \"exponential\", mean = \"1h\" }\n"
            + roles
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct State {
    /// Voters up: nodes 0..n, then the witness.
    up: u32,
    /// Votes in force.
    votes: u32,
}

fn quorum(s: &State) -> bool {
    2 * (s.votes & s.up).count_ones() > s.votes.count_ones()
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

fn chain(c: Cfg) -> Explored<State> {
    let all = (1u32 << c.voters()) - 1;
    let start = State {
        up: all,
        votes: if c.dynamic { target(c, all, all) } else { all },
    };
    explore(start, |&s| {
        let mut out = Vec::new();
        for i in 0..c.voters() {
            let (l, m) = if i < c.nodes {
                (LAMBDA, MU)
            } else {
                (LAMBDA_W, MU_W)
            };
            let rate = if s.up >> i & 1 == 1 { l } else { m };
            out.push((
                State {
                    up: s.up ^ (1 << i),
                    ..s
                },
                rate,
                "voter",
            ));
        }
        if c.dynamic && quorum(&s) {
            let votes = target(c, s.up, s.votes);
            if votes != s.votes {
                out.push((State { votes, ..s }, ALPHA, "adjust"));
            }
        }
        out
    })
}

/// The exact figures over a mission of `hours` from all up: (hours without quorum per year, losses
/// per year), and the steady-state pair.
fn exact(c: Cfg, hours: f64) -> ([f64; 2], [f64; 2]) {
    let x = chain(c);
    let years = hours / HOURS_PER_YEAR;
    let occ = x.occupancy(hours);
    let without = x.time_in(&occ, |s| !quorum(s)) / years;
    let losses = x.count(&occ, |_, a, b| quorum(a) && !quorum(b)) / years;
    let pi = x.chain.steady_state();
    let (mut u, mut f) = (0.0, 0.0);
    for (s, p) in x.states.iter().zip(&pi) {
        if !quorum(s) {
            u += p;
        }
    }
    for tr in &x.chain.transitions {
        if quorum(&x.states[tr.from]) && !quorum(&x.states[tr.to]) {
            f += pi[tr.from] * tr.rate;
        }
    }
    ([without, losses], [u * HOURS_PER_YEAR, f * HOURS_PER_YEAR])
}

fn role<'a>(s: &'a Summary, name: &str) -> &'a EntitySummary {
    s.entities.iter().find(|e| e.name == name).expect("role")
}

/// Simulates configuration `c` and checks both cluster figures against the chain, and the exact
/// mode's steady-state figures against the chain's.
fn check(ck: &mut Checks, what: &str, c: Cfg) {
    let text = c.scenario(200, "");
    let (model, s) = common::simulate(&text);
    let ([without, losses], [su, sf]) = exact(c, model.simulation.mission);
    let cl = s.clusters.iter().find(|x| x.name == "c").expect("cluster");
    ck.exact(
        &format!("{what}: hours without quorum per year"),
        &cl.hours_without_quorum_per_year,
        without,
    );
    ck.exact(
        &format!("{what}: quorum losses per year"),
        &cl.quorum_losses_per_year,
        losses,
    );
    // The role can run on every node: it is without a host exactly while the cluster is without
    // quorum (every node down leaves no vote up either).
    let f = role(&s, "vm").failover.as_ref().expect("failover figures");
    ck.close(
        &format!("{what}: role's no-quorum hours = cluster's"),
        f.no_quorum_hours_per_year.expect("no quorum").value,
        cl.hours_without_quorum_per_year.value,
    );
    ck.equal(
        &format!("{what}: role's no-host hours"),
        f.no_host_hours_per_year.value,
        0.0,
    );
    let m = compile(&text, "q.toml").unwrap_or_else(|e| panic!("{e}"));
    let x = solve(&m, &Options::default()).unwrap_or_else(|e| panic!("{e}"));
    let q = x.clusters.iter().find(|q| q.name == "c").expect("cluster");
    ck.close(
        &format!("{what}: exact mode hours without quorum = chain"),
        q.hours_without_quorum_per_year,
        su,
    );
    ck.close(
        &format!("{what}: exact mode quorum losses = chain"),
        q.quorum_losses_per_year,
        sf,
    );
}

#[test]
fn static_quorum_measures() {
    let mut ck = Checks::default();
    let cfg = |nodes, witness| Cfg {
        nodes,
        witness,
        dynamic: false,
    };
    check(&mut ck, "3 nodes static", cfg(3, false));
    check(&mut ck, "2 nodes + witness static", cfg(2, true));
    ck.finish();
}

#[test]
fn dynamic_quorum_measures() {
    let mut ck = Checks::default();
    let cfg = |nodes, witness| Cfg {
        nodes,
        witness,
        dynamic: true,
    };
    check(&mut ck, "2 nodes dynamic", cfg(2, false));
    check(&mut ck, "3 nodes dynamic", cfg(3, false));
    check(&mut ck, "2 nodes + dynamic witness", cfg(2, true));
    ck.finish();
}

#[test]
fn a_roles_causes_add_up_with_no_quorum() {
    // Three nodes, dynamic quorum; `lib` runs on the last two only, so it also waits with no host while
    // the cluster keeps quorum on the first (the tie-breaker leaves the vote of two up nodes on the
    // first of them, so the cluster can shrink to h-1 but not to h-3); and its failovers fail one time in ten (so it also waits
    // for an operator, who may still be at work when quorum goes).
    let c = Cfg {
        nodes: 3,
        witness: false,
        dynamic: true,
    };
    let text = c.scenario(
        20,
        r#"
        [roles.lib]
        kind = "cluster"
        cluster = "c"
        on = ["h-2", "h-3"]
        failover = { dist = "exponential", mean = "1h" }
        coverage = 0.9
        manual_recovery = { dist = "exponential", mean = "3h" }
        "#,
    );
    let mut ck = Checks::default();
    let (_, s) = common::simulate(&text);
    for name in ["vm", "lib"] {
        let e = role(&s, name);
        let f = e.failover.as_ref().expect("failover figures");
        let parts = [
            ("switching", f.failover_hours_per_year.value),
            ("restarting", f.restart_hours_per_year.value),
            ("operator", f.manual_hours_per_year.value),
            ("no host", f.no_host_hours_per_year.value),
            ("recovery", f.recovery_hours_per_year.value),
            (
                "no quorum",
                f.no_quorum_hours_per_year.expect("no quorum").value,
            ),
        ];
        println!("{name}: {parts:?}");
        let sum: f64 = parts.iter().map(|p| p.1).sum();
        ck.close(
            &format!("{name}: causes add up to its downtime"),
            sum,
            e.downtime_hours_per_year.value,
        );
        if name == "lib" {
            for (what, h) in [parts[0], parts[2], parts[3], parts[5]] {
                if h <= 0.0 {
                    ck.failures.push(format!("lib: no {what} time seen"));
                }
            }
        }
    }
    ck.finish();
}

#[test]
fn a_deterministic_timeline_splits_no_host_and_no_quorum() {
    // Fixed times, static quorum on three nodes: c is down over [10, 40] h, a over [20, 30] h, b over
    // [25, 35] h (their next failures fall after the 45 h mission). Two of three are down over
    // [20, 35] h: one loss, 15 h without quorum. `lib` runs on c alone: no host over [10, 20] h (the
    // cluster has quorum), no quorum over [20, 35] h, no host again over [35, 40] h (quorum is back,
    // c is not), then a 1 h failover. `vm` runs on a first: no quorum over [20, 35] h (a fails as
    // quorum goes), then a 1 h failover back to a. A 30 h mission ends without quorum: the open
    // period counts up to the end (10 h).
    let scenario = |mission: &str| {
        format!(
            r#"
        [simulation]
        mission = "{mission}"
        replications = 2
        [nodes.a]
        failure = {{ dist = "fixed", value = "20h" }}
        repair = {{ dist = "fixed", value = "10h" }}
        [nodes.b]
        failure = {{ dist = "fixed", value = "25h" }}
        repair = {{ dist = "fixed", value = "10h" }}
        [nodes.c]
        failure = {{ dist = "fixed", value = "10h" }}
        repair = {{ dist = "fixed", value = "30h" }}
        [clusters.k]
        nodes = ["a", "b", "c"]
        dynamic = false
        [roles.vm]
        kind = "cluster"
        cluster = "k"
        failover = {{ dist = "fixed", value = "1h" }}
        [roles.lib]
        kind = "cluster"
        cluster = "k"
        on = ["c"]
        failover = {{ dist = "fixed", value = "1h" }}
    "#
        )
    };
    let mut ck = Checks::default();
    // (mission, hours without quorum, per role: no host, no quorum, switching)
    let cases = [
        (
            "45h",
            15.0,
            [("lib", 15.0, 15.0, 1.0), ("vm", 0.0, 15.0, 1.0)],
        ),
        (
            "30h",
            10.0,
            [("lib", 10.0, 10.0, 0.0), ("vm", 0.0, 10.0, 0.0)],
        ),
    ];
    for (mission, without, roles) in cases {
        let (model, s) = common::simulate(&scenario(mission));
        let per_mission = model.simulation.mission / HOURS_PER_YEAR;
        let h = |e: &nines::base::stats::Estimate| e.value * per_mission;
        let cl = &s.clusters[0];
        let at = |what: &str| format!("{mission}: {what}");
        ck.close(
            &at("hours without quorum"),
            h(&cl.hours_without_quorum_per_year),
            without,
        );
        ck.close(&at("quorum losses"), h(&cl.quorum_losses_per_year), 1.0);
        for (name, no_host, no_quorum, switching) in roles {
            let e = role(&s, name);
            let f = e.failover.as_ref().expect("failover figures");
            let no_q = f.no_quorum_hours_per_year.as_ref().expect("no quorum");
            for (what, g, want) in [
                ("no host", h(&f.no_host_hours_per_year), no_host),
                ("no quorum", h(no_q), no_quorum),
                ("switching", h(&f.failover_hours_per_year), switching),
            ] {
                if want == 0.0 {
                    ck.equal(&at(&format!("{name}: {what} hours")), g, 0.0);
                } else {
                    ck.close(&at(&format!("{name}: {what} hours")), g, want);
                }
            }
            ck.close(
                &at(&format!("{name}: downtime")),
                h(&e.downtime_hours_per_year),
                no_host + no_quorum + switching,
            );
        }
    }
    ck.finish();
}
