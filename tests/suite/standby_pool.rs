//! Standby instances of a pool (issue 21) against exact answers: `n` active and `m` standby nodes, a
//! standby ageing at a fraction δ of its failure rate while idle and failing unseen, a switch-over that
//! takes an exponential time and fails with probability p. The chain is derived here from the rules the
//! README states; the simulation must agree with it by the project's rule (the exact value within 4
//! standard errors, 4 SE under 1% of it).
//!
//! The rules (the README's "Standby instances of a pool"):
//! - an active node, or one taking over, fails at rate λ, and its place is free at once; a standby node
//!   fails at δλ, unseen (it still looks up, no repair starts) when δ < 1;
//! - whenever fewer than `n` nodes are active or taking over, the standby nodes that look up are called
//!   in `on` order: one failed unseen is found (its repair starts) and the next is tried; otherwise the
//!   switch-over fails with probability p (the node goes to repair, the next is tried), or the node takes
//!   over, active after an exponential time of rate φ;
//! - repairs are independent (no crew), rate μ; a repaired node is a standby (no failback);
//! - the pool is available while at least `min_up` nodes are active.

use crate::common;

use common::ctmc::{Explored, explore};
use common::{Checks, Node, simulate};
use nines::analyses::exact::{Options, solve};
use nines::base::units::HOURS_PER_YEAR;
use nines::scenario::compile;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Duty {
    Active,
    Standby,
    Switching,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct State {
    node: Vec<Node>,
    duty: Vec<Duty>,
}

#[derive(Debug, Clone, Copy)]
struct Pool {
    nodes: usize,
    standby: usize,
    min_up: usize,
    lambda: f64,
    mu: f64,
    dormant: f64,
    switch: f64,
    switch_fails: f64,
}

/// The outcomes of calling standby nodes until the free places are taken: (state, probability, failed
/// switch-overs, the nodes whose hidden failures were found as a bit mask: each is found at most once,
/// as it is down then).
fn fill(p: &Pool, s: State) -> Vec<(State, f64, u32, u32)> {
    let taken = s.duty.iter().filter(|&&d| d != Duty::Standby).count();
    if taken >= p.nodes - p.standby {
        return vec![(s, 1.0, 0, 0)];
    }
    let Some(i) = (0..p.nodes).find(|&i| s.duty[i] == Duty::Standby && s.node[i] != Node::Down)
    else {
        return vec![(s, 1.0, 0, 0)];
    };
    let mut out = Vec::new();
    if s.node[i] == Node::Hidden {
        let mut next = s.clone();
        next.node[i] = Node::Down;
        for (st, q, f, h) in fill(p, next) {
            out.push((st, q, f, h | 1 << i));
        }
        return out;
    }
    let mut failed = s.clone();
    failed.node[i] = Node::Down;
    for (st, q, f, h) in fill(p, failed) {
        out.push((st, q * p.switch_fails, f + 1, h));
    }
    let mut called = s;
    called.duty[i] = Duty::Switching;
    for (st, q, f, h) in fill(p, called) {
        out.push((st, q * (1.0 - p.switch_fails), f, h));
    }
    out
}

/// A transition label carrying how many switch-overs failed and which hidden failures were found in it.
fn label(what: &str, f: u32, h: u32) -> &'static str {
    Box::leak(format!("{what} f{f} h{h}").into_boxed_str())
}

/// (failed switch-overs, mask of the nodes found failed) of a label.
fn counts(l: &str) -> (u32, u32) {
    let mut it = l.split(' ').skip(1);
    let f = it.next().unwrap()[1..].parse().unwrap();
    let h = it.next().unwrap()[1..].parse().unwrap();
    (f, h)
}

fn chain(p: Pool) -> Explored<State> {
    let active = p.nodes - p.standby;
    let initial = State {
        node: vec![Node::Up; p.nodes],
        duty: (0..p.nodes)
            .map(|i| {
                if i < active {
                    Duty::Active
                } else {
                    Duty::Standby
                }
            })
            .collect(),
    };
    explore(initial, move |s| {
        let mut out = Vec::new();
        let mut push = |next: State, rate: f64, what: &str| {
            for (st, q, f, h) in fill(&p, next) {
                out.push((st, rate * q, label(what, f, h)));
            }
        };
        for i in 0..p.nodes {
            match (s.node[i], s.duty[i]) {
                (Node::Up, Duty::Active | Duty::Switching) => {
                    let mut next = s.clone();
                    next.node[i] = Node::Down;
                    next.duty[i] = Duty::Standby;
                    push(next, p.lambda, "fail");
                }
                (Node::Up, Duty::Standby) => {
                    let mut next = s.clone();
                    next.node[i] = Node::Hidden;
                    push(next, p.lambda * p.dormant, "hide");
                }
                (Node::Down, _) => {
                    let mut next = s.clone();
                    next.node[i] = Node::Up;
                    push(next, p.mu, "repair");
                }
                (Node::Hidden, _) => {}
            }
            if s.duty[i] == Duty::Switching {
                let mut next = s.clone();
                next.duty[i] = Duty::Active;
                push(next, p.switch, "switch");
            }
        }
        out
    })
}

fn available(p: &Pool, s: &State) -> bool {
    s.duty.iter().filter(|&&d| d == Duty::Active).count() >= p.min_up
}

/// Down only because nodes are taking over: they would bring the pool back (its "switching").
fn switching(p: &Pool, s: &State) -> bool {
    let taken = s.duty.iter().filter(|&&d| d != Duty::Standby).count();
    !available(p, s) && taken >= p.min_up
}

fn scenario(p: &Pool, replications: u32) -> String {
    let nodes: Vec<String> = (1..=p.nodes).map(|i| format!("\"n-{i}\"")).collect();
    format!(
        r#"
        [simulation]
        mission = "1000y"
        replications = {replications}
        [defaults]
        failure = {{ dist = "exponential", mean = "{}h" }}
        repair = {{ dist = "exponential", mean = "{}h" }}
        [nodes.n]
        count = {}
        [roles.web]
        kind = "pool"
        on = [{}]
        min_up = {}
        standby = {}
        dormant = {}
        switch = {{ dist = "exponential", mean = "{}h" }}
        switch_fails = {}
        [services.s]
        all_of = ["web"]
        "#,
        1.0 / p.lambda,
        1.0 / p.mu,
        p.nodes,
        nodes.join(", "),
        p.min_up,
        p.standby,
        p.dormant,
        1.0 / p.switch,
        p.switch_fails,
    )
}

/// The simulation against the chain over the mission, from the all-up start.
fn check(p: Pool, replications: u32) {
    let mut ck = Checks::default();
    let text = scenario(&p, replications);
    let c = chain(p);
    println!("chain: {} states", c.states.len());

    // Exact mode: the same chain, solved by the library.
    let model = compile(&text, "pool.toml").unwrap_or_else(|e| panic!("{e}"));
    let x = solve(&model, &Options::default()).unwrap_or_else(|e| panic!("{e}"));
    let role = x.entities.iter().find(|e| e.name == "web").expect("role");
    let pi = c.chain.steady_state();
    let steady_down: f64 = c
        .states
        .iter()
        .zip(&pi)
        .filter(|(s, _)| !available(&p, s))
        .map(|(_, q)| q)
        .sum();
    ck.close(
        "exact mode: unavailability",
        role.unavailability,
        steady_down,
    );
    let outages = c.count(&pi, |_, a, b| available(&p, a) && !available(&p, b)) * HOURS_PER_YEAR;
    ck.close("exact mode: outages/yr", role.outages_per_year, outages);
    if x.states != c.states.len() {
        ck.failures.push(format!(
            "exact mode's state count: {} (the test's chain has {})",
            x.states,
            c.states.len()
        ));
    }

    let (model, s) = simulate(&text);
    let t = model.simulation.mission;
    let years = t / HOURS_PER_YEAR;
    let occ = c.occupancy(t);
    let e = s
        .entities
        .iter()
        .find(|e| e.name == "web")
        .expect("role web");
    let f = e.failover.as_ref().expect("switch-over measures");
    ck.exact(
        "pool unavailability",
        &e.unavailability,
        c.time_in(&occ, |s| !available(&p, s)) / t,
    );
    ck.exact(
        "outages/yr",
        &e.outages_per_year,
        c.count(&occ, |_, a, b| available(&p, a) && !available(&p, b)) / years,
    );
    ck.exact(
        "switch-overs/yr",
        &f.failovers_per_year,
        c.count(&occ, |l, _, _| l.starts_with("switch ")) / years,
    );
    let failed: f64 = (1..4)
        .map(|k| k as f64 * c.count(&occ, |l, _, _| counts(l).0 == k))
        .sum();
    ck.exact(
        "failed switch-overs/yr",
        &f.failed_failovers_per_year,
        failed / years,
    );

    // Where the downtime comes from: the stretches the pool is short only while nodes take over go
    // to the pool's switching.
    let sw = s
        .attribution
        .iter()
        .find(|a| a.service == "s" && a.cause == "web switching")
        .expect("switching row");
    ck.exact(
        "switching downtime hours/yr",
        &sw.hours_per_year,
        c.time_in(&occ, |s| switching(&p, s)) / years,
    );

    // Hidden failures of the idle standby nodes: per node, how many, found when called on (the
    // fill's mask), hours failed unseen; a cold or hot standby hides nothing and has no row.
    if p.dormant == 0.0 || p.dormant >= 1.0 {
        assert!(s.latent.is_empty(), "{:?}", s.latent);
    } else {
        assert_eq!(s.latent.len(), p.nodes);
        for i in 0..p.nodes {
            let name = format!("n-{}", i + 1);
            let l = s.latent.iter().find(|l| l.node == name).expect("row");
            ck.exact(
                &format!("{name}: hidden failures/yr"),
                &l.hidden_failures_per_year,
                c.count(&occ, |_, a, b| {
                    a.node[i] == Node::Up && b.node[i] == Node::Hidden
                }) / years,
            );
            ck.exact(
                &format!("{name}: found when called/yr"),
                &l.found_when_called_per_year,
                c.count(&occ, |l, _, _| counts(l).1 & 1 << i != 0) / years,
            );
            ck.exact(
                &format!("{name}: hidden hours/yr"),
                &l.hidden_hours_per_year,
                c.time_in(&occ, |s| s.node[i] == Node::Hidden) / years,
            );
            ck.equal(
                &format!("{name}: found by inspection"),
                l.found_by_inspection_per_year.value,
                0.0,
            );
            // With one standby, an idle node is called at the first failure among the places' holders
            // (all up: a free place is filled at once), each failing at λ: hidden Exp(nλ), n active.
            // (The failures still hidden at the mission end are left out of the mean; over a
            // 1000-year mission they weigh about 1e-5 of it.)
            if p.standby == 1 {
                let active = (p.nodes - p.standby) as f64;
                ck.exact(
                    &format!("{name}: mean hidden hours"),
                    &l.mean_hidden_hours,
                    1.0 / (active * p.lambda),
                );
            }
        }
    }
    ck.finish();
}

/// A hot standby taking over at once, never failing to, is the plain pool: same availability and
/// outages, draw for draw (the pool's stream is never used and no event is added).
#[test]
fn hot_standby_switching_at_once_is_the_plain_pool() {
    let plain = r#"
        [simulation]
        mission = "100y"
        replications = 40
        [defaults]
        failure = { dist = "weibull", shape = 1.5, mean = "300h" }
        repair = { dist = "lognormal", mean = "30h", sigma = 0.8 }
        [nodes.n]
        count = 3
        [roles.web]
        kind = "pool"
        on = "n"
        min_up = 2
        [services.s]
        all_of = ["web"]
        "#;
    let standby = plain.replace("min_up = 2", "min_up = 2\n        standby = 1");
    let (_, a) = simulate(plain);
    let (_, b) = simulate(&standby);
    for name in ["web", "s"] {
        let x = a.entities.iter().find(|e| e.name == name).expect("entity");
        let y = b.entities.iter().find(|e| e.name == name).expect("entity");
        assert_eq!(x.unavailability.value, y.unavailability.value, "{name}");
        assert_eq!(x.outages_per_year.value, y.outages_per_year.value, "{name}");
        assert!(x.unavailability.value > 0.0);
    }
}

/// The exact mode needs an exponential switch time: another law is refused naming the key.
#[test]
fn exact_mode_refuses_a_fixed_switch_time_naming_the_key() {
    let p = Pool {
        nodes: 2,
        standby: 1,
        min_up: 1,
        lambda: 1.0 / 400.0,
        mu: 1.0 / 40.0,
        dormant: 0.0,
        switch: 1.0 / 0.5,
        switch_fails: 0.0,
    };
    let text = scenario(&p, 10).replace(
        r#"switch = { dist = "exponential", mean = "0.5h" }"#,
        r#"switch = "30min""#,
    );
    let model = compile(&text, "pool.toml").unwrap_or_else(|e| panic!("{e}"));
    let e = solve(&model, &Options::default()).expect_err("a fixed switch time is not Markovian");
    let msg = e.to_string();
    assert!(
        msg.contains("role web switch") && msg.contains("not exponential"),
        "{msg}"
    );
}

/// (a) One active node and one cold standby: the standby never fails idle; the pool is lost while a
/// standby takes over, after a failed switch-over until a repair, and with both nodes down.
#[test]
fn one_active_one_cold_standby_with_imperfect_switching() {
    check(
        Pool {
            nodes: 2,
            standby: 1,
            min_up: 1,
            lambda: 1.0 / 400.0,
            mu: 1.0 / 40.0,
            dormant: 0.0,
            switch: 1.0 / 0.5,
            switch_fails: 0.1,
        },
        150,
    );
}

/// (c) One active node and one warm standby (δ = 0.5): the standby that failed unseen is found when the
/// active node fails, and the pool is then down until a repair.
#[test]
fn one_active_one_warm_standby_hidden_failures() {
    check(
        Pool {
            nodes: 2,
            standby: 1,
            min_up: 1,
            lambda: 1.0 / 400.0,
            mu: 1.0 / 40.0,
            dormant: 0.5,
            switch: 1.0 / 0.5,
            switch_fails: 0.1,
        },
        150,
    );
}

/// (b) Two active nodes and one warm standby (δ = 0.3), min_up = 2: every loss of an active node is an
/// outage until the standby takes over, and a standby that failed unseen is found only then. Each node
/// idles a third of the time: 250 replications bring its hidden hours' 4 SE under 1% (150 gave 1.1%).
#[test]
fn two_active_one_warm_standby() {
    check(
        Pool {
            nodes: 3,
            standby: 1,
            min_up: 2,
            lambda: 1.0 / 400.0,
            mu: 1.0 / 40.0,
            dormant: 0.3,
            switch: 1.0 / 0.5,
            switch_fails: 0.1,
        },
        250,
    );
}

/// Where a pool's switch-over downtime goes, with fixed times. `a` is active, `b` a hot standby that
/// never fails, the switch takes exactly 2 h. A failure of `a` at 100 h calls `b`: the pool is down
/// 100–102 h, the pool's switching (not `a`, which is down too); `a` comes back at 150 h as the
/// standby and no later failure of it needs a switch-over. A maintenance window taking `a` at 100 h
/// instead drains it: the same 2 h go to that schedule, as a cluster's planned switch does.
#[test]
fn switch_over_downtime_goes_to_switching_or_the_drain() {
    let text = |a: &str, extra: &str| {
        format!(
            r#"
            [simulation]
            mission = "1000h"
            replications = 3
            seed = 7
            [nodes.a]
            {a}
            repair = {{ dist = "fixed", value = "50h" }}
            [nodes.b]
            failure = "never"
            repair = {{ dist = "fixed", value = "1h" }}
            [roles.web]
            kind = "pool"
            on = ["a", "b"]
            min_up = 1
            standby = 1
            switch = "2h"
            [services.s]
            all_of = ["web"]
            {extra}
            "#
        )
    };
    let per_year = 2.0 * HOURS_PER_YEAR / 1000.0;
    let rows = |text: String| {
        let (_, s) = simulate(&text);
        let svc = s.entities.iter().find(|e| e.name == "s").expect("service");
        assert!(
            (svc.downtime_hours_per_year.value - per_year).abs() < 1e-9,
            "{svc:?}"
        );
        s.attribution
            .iter()
            .filter(|a| a.service == "s")
            .map(|a| (a.cause.clone(), a.hours_per_year.value))
            .collect::<Vec<_>>()
    };
    let failed = rows(text(r#"failure = { dist = "fixed", value = "100h" }"#, ""));
    assert_eq!(failed.len(), 1, "{failed:?}");
    assert_eq!(failed[0].0, "web switching");
    assert!((failed[0].1 - per_year).abs() < 1e-9, "{failed:?}");
    let drained = rows(text(
        r#"failure = "never""#,
        "[maintenance.patch]\nevery = \"2000h\"\nduration = \"10h\"\noffset = \"100h\"\nnodes = [\"a\"]",
    ));
    assert_eq!(drained.len(), 1, "{drained:?}");
    assert_eq!(drained[0].0, "maintenance patch");
    assert!((drained[0].1 - per_year).abs() < 1e-9, "{drained:?}");
}

/// A pool with standby behind a load balancer, with fixed times: the balancer's members are the
/// active instances. `a` is active, `b` a standby that never fails; the switch takes 2 h, the
/// balancer notices a failed member after 3 h and converges in 2 h; one request an hour, one attempt.
/// `b` is out of the balancer until it is active (else half the requests before any failure would
/// fail). `a` fails at 100 h: 100–102 h every request goes to `a` and fails; 102–105 h `b` is active
/// and used at once, `a` not yet dropped: half fail; then none. `a` is back at 150 h as the standby,
/// out of the balancer: 3.5 failed requests in 1000 h. Drained for maintenance at 100 h instead, `a`
/// is dropped at once: only the 2 h of the switch-over fail.
#[test]
fn a_balancer_sends_requests_to_active_instances_only() {
    let text = |a: &str, extra: &str| {
        format!(
            r#"
            [simulation]
            mission = "1000h"
            replications = 3
            seed = 7
            [nodes.a]
            {a}
            repair = {{ dist = "fixed", value = "50h" }}
            [nodes.b]
            failure = "never"
            repair = {{ dist = "fixed", value = "1h" }}
            [roles.web]
            kind = "pool"
            on = ["a", "b"]
            min_up = 1
            standby = 1
            switch = "2h"
            detection = "3h"
            convergence = "2h"
            [services.s]
            all_of = ["web"]
            [clients.pc]
            count = 1
            [clients.pc.requests.get]
            target = "web"
            every = "1h"
            timeout = "1s"
            response = {{ dist = "fixed", value = "0.1s" }}
            max_attempts = 1
            {extra}
            "#
        )
    };
    let failed = |text: String| {
        let (_, s) = simulate(&text);
        let r = s
            .requests
            .iter()
            .find(|r| r.name == "pc.get")
            .expect("kind");
        r.outcome_shares[1].value
    };
    let f = failed(text(r#"failure = { dist = "fixed", value = "100h" }"#, ""));
    assert!((f - 3.5 / 1000.0).abs() < 1e-12, "{f}");
    let f = failed(text(
        r#"failure = "never""#,
        "[maintenance.patch]\nevery = \"2000h\"\nduration = \"10h\"\noffset = \"100h\"\nnodes = [\"a\"]",
    ));
    assert!((f - 2.0 / 1000.0).abs() < 1e-12, "{f}");
}
