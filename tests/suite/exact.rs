//! Statistical tests against exact answers. Each derives the exact value, runs a fixed seed, and
//! asserts (1) the exact value lies within 4 standard errors of the estimate and (2) 4 standard
//! errors are below 1% of the unavailability, so a model that is wrong by 1% would fail.
//! Seeds are fixed and were not chosen: a 4-SE band has a false-alarm rate of 6e-5 per assertion.

use crate::common;

use common::{simulate, std_error};
use nines::base::stats::Estimate;
use nines::estimate::summary::Summary;

/// The foundation issue's acceptance rule.
fn assert_exact(what: &str, e: &Estimate, exact: f64) {
    let se = std_error(e);
    let z = (e.value - exact) / se;
    println!(
        "{what}: estimate {:.6e} exact {exact:.6e} se {se:.3e} ({:.3}% of exact) z {z:+.2}",
        e.value,
        100.0 * se / exact
    );
    assert!(
        z.abs() < 4.0,
        "{what}: estimate {} is {z:.2} standard errors from the exact {exact}",
        e.value
    );
    assert!(
        4.0 * se < 0.01 * exact,
        "{what}: 4 SE = {} cannot catch a 1% error of {exact}",
        4.0 * se
    );
}

fn entity<'a>(s: &'a Summary, name: &str) -> &'a nines::estimate::summary::EntitySummary {
    s.entities.iter().find(|e| e.name == name).expect("entity")
}

/// ∫₀ᵀ (1 − e^{−st})^k dt / T: the mean over the mission of the k-th power of a node's
/// (normalised) probability of being down, for an exponential node that starts up.
fn mean_pow(k: i32, s: f64, t: f64) -> f64 {
    let mut total = t;
    let mut binom = 1.0;
    for j in 1..=k {
        binom *= (k - j + 1) as f64 / j as f64;
        let sign = if j % 2 == 1 { -1.0 } else { 1.0 };
        total += sign * binom * (1.0 - (-(j as f64) * s * t).exp()) / (j as f64 * s);
    }
    total / t
}

/// An exponential node with failure mean 1000 h and repair mean 10 h is down at time t with
/// probability p(t) = q (1 − e^{−st}), q = λ/(λ+μ), s = λ+μ. Returns (q, s).
fn exp_node() -> (f64, f64) {
    let (lambda, mu) = (1.0 / 1000.0, 1.0 / 10.0);
    (lambda / (lambda + mu), lambda + mu)
}

const NODE: &str = r#"failure = { dist = "exponential", mean = "1000h" }
repair = { dist = "exponential", mean = "10h" }"#;

#[test]
fn single_exponential_node() {
    let text = format!(
        r#"
        [simulation]
        mission = "10y"
        replications = 20_000
        seed = 1
        [nodes.a]
        {NODE}
        [roles.r]
        kind = "standalone"
        on = "a"
        [services.s]
        all_of = ["r"]
        "#
    );
    let (model, s) = simulate(&text);
    let t = model.simulation.mission;
    let (q, rate) = exp_node();
    // Interval unavailability of a node that starts up; → 10/1010 for long missions.
    let u = q * mean_pow(1, rate, t);
    assert!((u / (10.0 / 1010.0) - 1.0).abs() < 2e-4);
    let svc = entity(&s, "s");
    assert_exact("unavailability", &svc.unavailability, u);
    // Failures happen at rate λ while up: E[outages] = λ·T·(1 − U).
    let outages_per_year = (1.0 / 1000.0) * 8760.0 * (1.0 - u);
    assert_exact("outages per year", &svc.outages_per_year, outages_per_year);
    // Every outage of the service is an outage of the node: the node's share is exactly 1.
    let c = &s.contributions[0];
    assert_eq!(c.component, "a");
    assert!((c.share_of_downtime.value - 1.0).abs() < 1e-12);
}

#[test]
fn weibull_failures_lognormal_repairs_alternating_renewal() {
    // Steady-state availability of an alternating renewal process depends only on the means:
    // A = 1000 / 1010. The mission is long (1000 y) so the start-up transient, at most about one
    // mean cycle's worth of downtime (~13 h against U·T ≈ 86 700 h), is below 0.02% of U.
    let (model, s) = simulate(
        r#"
        [simulation]
        mission = "1000y"
        replications = 200
        seed = 2
        [nodes.a]
        failure = { dist = "weibull", shape = 2, mean = "1000h" }
        repair = { dist = "lognormal", mean = "10h", sigma = 1.0 }
        [roles.r]
        kind = "standalone"
        on = "a"
        "#,
    );
    assert_eq!(model.simulation.replications, 200);
    assert_exact(
        "unavailability",
        &entity(&s, "r").unavailability,
        10.0 / 1010.0,
    );
}

#[test]
fn one_of_two_pool() {
    let text = format!(
        r#"
        [simulation]
        mission = "10y"
        replications = 300_000
        seed = 3
        [nodes.n]
        count = 2
        {NODE}
        [roles.pool]
        kind = "pool"
        on = "n"
        min_up = 1
        [services.s]
        any_of = ["pool"]
        "#
    );
    let (model, s) = simulate(&text);
    let (q, rate) = exp_node();
    // Independent nodes: down when both are down, p(t)².
    let u = q * q * mean_pow(2, rate, model.simulation.mission);
    assert!((u / (10.0f64 / 1010.0).powi(2) - 1.0).abs() < 1e-3);
    assert_exact("1-of-2 unavailability", &entity(&s, "s").unavailability, u);
}

#[test]
fn two_of_three_pool() {
    let text = format!(
        r#"
        [simulation]
        mission = "10y"
        replications = 100_000
        seed = 4
        [nodes.n]
        count = 3
        {NODE}
        [roles.pool]
        kind = "pool"
        on = "n"
        min_up = 2
        "#
    );
    let (model, s) = simulate(&text);
    let (q, rate) = exp_node();
    let t = model.simulation.mission;
    // Down when two or three are down: 3p²(1−p) + p³ = 3p² − 2p³.
    let u = 3.0 * q * q * mean_pow(2, rate, t) - 2.0 * q * q * q * mean_pow(3, rate, t);
    let a = 1000.0 / 1010.0;
    assert!(((1.0 - u) / (a * a * a + 3.0 * a * a * (1.0 - a)) - 1.0).abs() < 1e-5);
    assert_exact(
        "2-of-3 unavailability",
        &entity(&s, "pool").unavailability,
        u,
    );
}

#[test]
fn pool_requiring_a_database_is_the_product() {
    let text = format!(
        r#"
        [simulation]
        mission = "10y"
        replications = 20_000
        seed = 5
        [nodes.web]
        count = 2
        {NODE}
        [nodes.db]
        {NODE}
        [roles.database]
        kind = "standalone"
        on = "db"
        [roles.frontend]
        kind = "pool"
        on = "web"
        requires = ["database"]
        [services.app]
        all_of = ["frontend"]
        "#
    );
    let (model, s) = simulate(&text);
    let (q, rate) = exp_node();
    let t = model.simulation.mission;
    // Up when the database is up and not both web nodes are down: (1 − p)(1 − p²) = 1 − p − p² + p³.
    let u =
        q * mean_pow(1, rate, t) + q * q * mean_pow(2, rate, t) - q * q * q * mean_pow(3, rate, t);
    let (a1, a2) = (1000.0 / 1010.0, 1.0 - (10.0f64 / 1010.0).powi(2));
    assert!(((1.0 - u) / (a1 * a2) - 1.0).abs() < 1e-5);
    assert_exact(
        "pool × database unavailability",
        &entity(&s, "app").unavailability,
        u,
    );
    // The database node is down during a share U_db / U of the service's downtime.
    let share = q * mean_pow(1, rate, t) / u;
    let db = s
        .contributions
        .iter()
        .find(|c| c.component == "db")
        .expect("db contribution");
    let se = std_error(&db.share_of_downtime);
    assert!(
        (db.share_of_downtime.value - share).abs() < 4.0 * se,
        "db share {} vs {share}",
        db.share_of_downtime.value
    );
}
