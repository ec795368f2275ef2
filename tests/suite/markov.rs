//! The exact Markov mode against closed forms, and against the simulator on the structures of the
//! exact-answer tests (`tests/suite/exact.rs`, `tests/suite/exact_ha.rs`): the same scenarios, now solved by
//! `nines::analyses::exact` instead of a hand-built chain. The rule is the project's: the exact figure within
//! 4 standard errors of the simulated estimate (fixed seed, never chosen) and 4 SE below 1% of it.

use crate::common;

use common::{Checks, simulate};
use nines::analyses::exact::{Exact, Options, solve};
use nines::base::units::HOURS_PER_YEAR;
use nines::scenario::compile;

fn exact(text: &str) -> Exact {
    let model = compile(text, "markov.toml").unwrap_or_else(|e| panic!("{e}"));
    solve(&model, &Options::default()).unwrap_or_else(|e| panic!("{e}"))
}

fn figure<'a>(x: &'a Exact, name: &str) -> &'a nines::analyses::exact::ExactEntity {
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

    // The interval figure of one exponential node over 10 years (tests/suite/exact.rs).
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

/// A restored role on a node in a rack, every duration exponential: a rack outage takes the node but
/// leaves its disk, so the role restarts when the rack is back; only the node's own failure (also one
/// while the rack is down) destroys the state and means a restore once the host is back.
const RACKED_RESTORE: &str = r#"
        [simulation]
        mission = "1000y"
        replications = 200
        [domains.rack]
        failure = { dist = "exponential", mean = "300h" }
        repair = { dist = "exponential", mean = "20h" }
        [nodes.a]
        in = "rack"
        failure = { dist = "exponential", mean = "500h" }
        repair = { dist = "exponential", mean = "10h" }
        [roles.db]
        kind = "standalone"
        on = "a"
        recovery = { kind = "restore", backup_every = "24h", restore = { dist = "exponential", mean = "30h" } }
        "#;

/// The chain of [`RACKED_RESTORE`] built by hand: (rack up, node up, role) with the role running (0),
/// waiting with its state intact (1), waiting with it destroyed (2) or restoring (3). With
/// `every_loss_wipes`, the engine's former rule: any loss of the host destroyed the state.
fn racked_restore_chain(every_loss_wipes: bool) -> common::ctmc::Explored<(bool, bool, u8)> {
    let (lr, mr, ln, mn, rho) = (1.0 / 300.0, 1.0 / 20.0, 1.0 / 500.0, 1.0 / 10.0, 1.0 / 30.0);
    common::ctmc::explore((true, true, 0u8), move |&(rack, node, role)| {
        let mut out = Vec::new();
        if rack {
            let role = match role {
                0 if every_loss_wipes => 2,
                0 => 1,
                3 => 2,
                r => r,
            };
            out.push(((false, node, role), lr, "rack fails"));
        } else {
            let role = match role {
                1 if node => 0,
                2 if node => 3,
                r => r,
            };
            out.push(((true, node, role), mr, "rack repaired"));
        }
        if node {
            out.push(((rack, false, 2), ln, "node fails"));
        } else {
            let role = if rack && role == 2 { 3 } else { role };
            out.push(((rack, true, role), mn, "node repaired"));
        }
        if role == 3 {
            out.push(((rack, node, 0), rho, "restored"));
        }
        out
    })
}

#[test]
fn restore_in_a_rack_agrees_with_simulation_and_a_hand_built_chain() {
    let mut ck = Checks::default();
    let x = exact(RACKED_RESTORE);
    let e = figure(&x, "db");
    let mission = 1000.0 * HOURS_PER_YEAR;
    let chain = racked_restore_chain(false);
    let old = racked_restore_chain(true);
    println!(
        "{} states (hand-built: {}, {} with every loss wiping)",
        x.states,
        chain.states.len(),
        old.states.len()
    );
    // The exact mode builds the same chain as the hand: states, steady state and interval figure.
    assert_eq!(x.states, chain.states.len());
    let down = |s: &(bool, bool, u8)| s.2 != 0;
    let pi = chain.chain.steady_state();
    let u: f64 = chain
        .states
        .iter()
        .zip(&pi)
        .filter(|(s, _)| down(s))
        .map(|(_, p)| p)
        .sum();
    ck.close("steady-state unavailability", e.unavailability, u);
    let occ = chain.occupancy(mission);
    let iu = chain.time_in(&occ, down) / mission;
    ck.close(
        "interval unavailability",
        e.interval_unavailability.expect("interval"),
        iu,
    );
    // The simulator agrees with both, on the downtime and on the time spent restoring.
    let (_, s) = simulate(RACKED_RESTORE);
    let sim = s.entities.iter().find(|e| e.name == "db").expect("db");
    ck.exact("db unavailability", &sim.unavailability, iu);
    let restoring = chain.time_in(&occ, |s| s.2 == 3) / mission * HOURS_PER_YEAR;
    let f = sim.failover.as_ref().expect("failover measures");
    ck.exact("restore hours/yr", &f.recovery_hours_per_year, restoring);
    // The old rule (a restore after every rack outage too) is far off: the test tells them apart.
    let old_occ = old.occupancy(mission);
    let old_iu = old.time_in(&old_occ, down) / mission;
    let se = common::std_error(&sim.unavailability);
    println!(
        "every loss wiping: unavailability {old_iu:.6e}, {:.0} standard errors away",
        (old_iu - sim.unavailability.value) / se
    );
    assert!(old_iu > 1.2 * iu, "{old_iu} vs {iu}");
    assert!((old_iu - sim.unavailability.value).abs() > 40.0 * se);
    ck.finish();
}

#[test]
fn restore_and_reinstall_in_a_rack_with_software_failures_agree_with_simulation() {
    // Both roles' nodes in the rack; db also crashes, and a failed restart (half of them) waits for an
    // operator, during which a rack outage leaves it be and a node failure sends it to a restore. app is
    // reinstalled from db after its node's own failures only.
    agrees(
        r#"
        [simulation]
        mission = "1000y"
        replications = 300
        [domains.rack]
        failure = { dist = "exponential", mean = "300h" }
        repair = { dist = "exponential", mean = "20h" }
        [defaults]
        failure = { dist = "exponential", mean = "500h" }
        repair = { dist = "exponential", mean = "10h" }
        [nodes.a]
        in = "rack"
        [nodes.b]
        in = "rack"
        [roles.db]
        kind = "standalone"
        on = "a"
        software = { failure = { dist = "exponential", mean = "200h" }, restart = { dist = "exponential", mean = "0.5h" }, restart_success = 0.5 }
        manual_recovery = { dist = "exponential", mean = "8h" }
        recovery = { kind = "restore", backup_every = "24h", restore = { dist = "exponential", mean = "30h" } }
        [roles.app]
        kind = "standalone"
        on = "b"
        recovery = { kind = "reinstall", time = { dist = "exponential", mean = "8h" }, from = "db" }
        "#,
        &["db", "app"],
    );
}
