//! The exact Markov mode against closed forms, and against the simulator on the structures of the
//! exact-answer tests (`tests/exact.rs`, `tests/exact_ha.rs`): the same scenarios, now solved by
//! `nines::markov` instead of a hand-built chain. The rule is the project's: the exact figure within
//! 4 standard errors of the simulated estimate (fixed seed, never chosen) and 4 SE below 1% of it.

mod common;

use common::{Checks, simulate};
use nines::markov::{Exact, Options, solve};
use nines::scenario::compile;
use nines::units::HOURS_PER_YEAR;

fn exact(text: &str) -> Exact {
    let model = compile(text, "markov.toml").unwrap_or_else(|e| panic!("{e}"));
    solve(&model, &Options::default()).unwrap_or_else(|e| panic!("{e}"))
}

fn figure<'a>(x: &'a Exact, name: &str) -> &'a nines::markov::ExactEntity {
    x.entities
        .iter()
        .find(|e| e.name == name)
        .unwrap_or_else(|| panic!("no entity {name}"))
}

fn rel(a: f64, b: f64) -> f64 {
    (a / b - 1.0).abs()
}

#[test]
fn closed_forms() {
    // A shared crew with one technician for two nodes: births 2λ, λ; deaths μ, μ.
    let x = exact(
        r#"
        [simulation]
        mission = "1000y"
        [crews.ops]
        technicians = 1
        [defaults]
        failure = { dist = "exponential", mean = "1000h" }
        repair = { dist = "exponential", mean = "100h" }
        [nodes.a]
        crew = "ops"
        [nodes.b]
        crew = "ops"
        [roles.pool]
        kind = "pool"
        on = ["a", "b"]
        min_up = 1
        "#,
    );
    let r = 1000.0f64.recip() / 100.0f64.recip();
    let z = 1.0 + 2.0 * r + 2.0 * r * r;
    let e = figure(&x, "pool");
    assert!(rel(e.unavailability, 2.0 * r * r / z) < 1e-12, "{e:?}");
    // Outages start at rate λ from the one-down state; they last 1/μ.
    assert!(rel(e.outages_per_year, 2.0 * r / z / 1000.0 * HOURS_PER_YEAR) < 1e-12);
    assert!(rel(e.mean_outage_hours, 100.0) < 1e-12);
    assert!(rel(e.at_risk_hours_per_year, 2.0 * r / z * HOURS_PER_YEAR) < 1e-12);

    // A rack in series with a 1-of-2 pool of independent nodes.
    let x = exact(
        r#"
        [simulation]
        mission = "1000y"
        [domains.rack]
        failure = { dist = "exponential", mean = "20000h" }
        repair = { dist = "exponential", mean = "4h" }
        [defaults]
        failure = { dist = "exponential", mean = "1000h" }
        repair = { dist = "exponential", mean = "10h" }
        [nodes.a]
        in = ["rack"]
        [nodes.b]
        in = "rack"
        [roles.pool]
        kind = "pool"
        on = ["a", "b"]
        min_up = 1
        "#,
    );
    let (qr, qn) = (4.0 / 20004.0, 10.0 / 1010.0);
    let u = 1.0 - (1.0 - qr) * (1.0 - qn * qn);
    assert!(rel(figure(&x, "pool").unavailability, u) < 1e-12);

    // The interval figure of one exponential node over 10 years (tests/exact.rs).
    let x = exact(
        r#"
        [simulation]
        mission = "10y"
        [nodes.a]
        failure = { dist = "exponential", mean = "1000h" }
        repair = { dist = "exponential", mean = "10h" }
        [roles.r]
        kind = "standalone"
        on = "a"
        "#,
    );
    let (q, s, t): (f64, f64, f64) = (10.0 / 1010.0, 1.0 / 1000.0 + 0.1, 87600.0);
    let interval = q * (1.0 - (1.0 - (-s * t).exp()) / (s * t));
    let e = figure(&x, "r");
    assert!(
        rel(e.interval_unavailability.unwrap(), interval) < 1e-9,
        "{e:?}"
    );
}

/// Simulates `text` and checks every service's and role's unavailability against the exact mode's
/// figure over the mission.
fn agrees(text: &str, names: &[&str]) {
    let mut ck = Checks::default();
    let x = exact(text);
    println!("{} states, {}", x.states, x.method);
    let (_, s) = simulate(text);
    for name in names {
        let sim = s.entities.iter().find(|e| e.name == *name).expect("entity");
        let iu = figure(&x, name).interval_unavailability.expect("interval");
        ck.exact(&format!("{name} unavailability"), &sim.unavailability, iu);
    }
    ck.finish();
}

const CLUSTER_NODES: &str = r#"
        [defaults]
        failure = { dist = "exponential", mean = "400h" }
        repair = { dist = "exponential", mean = "40h" }
        [nodes.a]
        [nodes.b]
"#;

#[test]
fn priority_crew_with_dispatch_delay_agrees_with_simulation() {
    agrees(common::PRIORITY_CREW, &["ra", "rb", "rc"]);
}

#[test]
fn failover_cluster_with_coverage_agrees_with_simulation() {
    agrees(
        &format!(
            r#"
        [simulation]
        mission = "1000y"
        replications = 300
        {CLUSTER_NODES}
        [roles.vm]
        kind = "cluster"
        on = ["a", "b"]
        failover = {{ dist = "exponential", mean = "0.5h" }}
        coverage = 0.9
        manual_recovery = {{ dist = "exponential", mean = "4h" }}
        "#
        ),
        &["vm"],
    );
}

#[test]
fn failover_cluster_with_software_failures_and_failback_agrees_with_simulation() {
    agrees(
        &format!(
            r#"
        [simulation]
        mission = "1000y"
        replications = 300
        {CLUSTER_NODES}
        [roles.vm]
        kind = "cluster"
        on = ["a", "b"]
        failover = {{ dist = "exponential", mean = "0.5h" }}
        coverage = 0.9
        failback = true
        manual_recovery = {{ dist = "exponential", mean = "4h" }}
        software = {{ failure = {{ dist = "exponential", mean = "500h" }}, restart = {{ dist = "exponential", mean = "0.1h" }}, restart_success = 0.8 }}
        "#
        ),
        &["vm"],
    );
}

#[test]
fn bundled_exponential_scenario_agrees_with_simulation() {
    // Long missions, so that the 1% rule can be met: the figures over 1000 years.
    let text = std::fs::read_to_string("scenarios/exponential-ha.toml")
        .expect("bundled scenario")
        .replace("mission = \"10y\"", "mission = \"1000y\"")
        .replace("replications = 10_000", "replications = 4000");
    let model = compile(&text, "exponential-ha.toml").expect("valid");
    let names: Vec<String> = model.measured().iter().map(|m| m.1.to_string()).collect();
    let names: Vec<&str> = names.iter().map(|s| s.as_str()).collect();
    agrees(&text, &names);
}
