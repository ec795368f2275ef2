//! The rare-event estimator (importance sampling with balanced failure biasing) against the exact
//! Markov mode on three structures whose unavailability plain Monte Carlo could not resolve: a k-of-n
//! pool with a shared crew, a failover cluster with imperfect coverage, and a common-cause domain.
//! The rule is the project's: the exact value within 4 standard errors of the estimate (default
//! seed, never chosen) and 4 SE below 1% of the value.

#[allow(dead_code)]
use crate::common;

use common::Checks;
use nines::analyses::exact::{Options, solve};
use nines::analyses::rare::{RareOptions, estimate};
use nines::scenario::compile;

/// Checks every entity of `text` whose unavailability is positive; returns the exact figures.
fn agrees(text: &str, cycles: u64) -> Vec<f64> {
    let model = compile(text, "rare.toml").unwrap_or_else(|e| panic!("{e}"));
    let exact = solve(&model, &Options::default()).unwrap_or_else(|e| panic!("{e}"));
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get());
    let opts = RareOptions {
        cycles,
        threads,
        ..RareOptions::default()
    };
    let r = estimate(&model, &opts).unwrap_or_else(|e| panic!("{e}"));
    println!(
        "{} states; {} cycles, {} jumps, {:.2}s",
        exact.states, r.cycles, r.steps, r.seconds
    );
    let mut ck = Checks::default();
    for (x, e) in exact.entities.iter().zip(&r.entities) {
        ck.exact(
            &format!("{} unavailability", x.name),
            &e.unavailability,
            x.unavailability,
        );
        ck.exact(
            &format!("{} outages/yr", x.name),
            &e.outages_per_year,
            x.outages_per_year,
        );
    }
    ck.finish();
    exact.entities.iter().map(|x| x.unavailability).collect()
}

#[test]
fn two_of_four_pool_with_one_technician() {
    // Repairs wait for the one technician (with a dispatch delay): about 3e-9.
    let u = agrees(
        r#"
        [simulation]
        mission = "10y"
        [crews.ops]
        technicians = 1
        dispatch = { dist = "exponential", mean = "2h" }
        [nodes.n]
        count = 4
        crew = "ops"
        failure = { dist = "exponential", mean = "20000h" }
        repair = { dist = "exponential", mean = "8h" }
        [roles.pool]
        kind = "pool"
        on = "n"
        min_up = 2
        "#,
        1 << 21,
    );
    assert!(u[0] < 1e-8 && u[0] > 1e-10, "{u:?}");
}

#[test]
fn failover_cluster_with_coverage() {
    // Three-node cluster without failback: the role is down while it fails over (1 min), when a
    // failover fails (coverage 0.99: an operator, 30 min) and when all three nodes are down. The
    // role rarely returns to its first node, so only the first excursion of a cycle is biased.
    let u = agrees(
        r#"
        [simulation]
        mission = "10y"
        [defaults]
        failure = { dist = "exponential", mean = "30000h" }
        repair = { dist = "exponential", mean = "6h" }
        [nodes.h]
        count = 3
        [roles.db]
        kind = "cluster"
        on = "h"
        failover = { dist = "exponential", mean = "1min" }
        coverage = 0.99
        manual_recovery = { dist = "exponential", mean = "30min" }
        [services.app]
        all_of = ["db"]
        "#,
        1 << 22,
    );
    assert!(u[0] < 1e-6, "{u:?}");
}

#[test]
fn common_cause_domain_over_two_racks() {
    // Two racks of one node each under one power feed: the 1-of-2 pool is lost with the feed or
    // both racks/nodes; the feed dominates but the pair term is not negligible.
    let u = agrees(
        r#"
        [simulation]
        mission = "10y"
        [domains.feed]
        failure = { dist = "exponential", mean = "2000000h" }
        repair = { dist = "exponential", mean = "2h" }
        [domains.rack1]
        in = ["feed"]
        failure = { dist = "exponential", mean = "100000h" }
        repair = { dist = "exponential", mean = "4h" }
        [domains.rack2]
        in = ["feed"]
        failure = { dist = "exponential", mean = "100000h" }
        repair = { dist = "exponential", mean = "4h" }
        [defaults]
        failure = { dist = "exponential", mean = "20000h" }
        repair = { dist = "exponential", mean = "8h" }
        [nodes.a]
        in = ["rack1"]
        [nodes.b]
        in = ["rack2"]
        [roles.pool]
        kind = "pool"
        on = ["a", "b"]
        min_up = 1
        "#,
        1 << 21,
    );
    assert!(u[0] < 1e-5, "{u:?}");
}

#[test]
fn benchmark_target_three_of_five() {
    // The issue's target: 3-of-5, failure mean 50 000 h, repair 4 h (about 5e-12), to ±10% with the
    // exact value inside the interval; this takes a fraction of a second.
    let model = compile(
        &std::fs::read_to_string("scenarios/pool-3-of-5.toml").expect("bundled"),
        "pool-3-of-5.toml",
    )
    .expect("valid");
    let exact = solve(&model, &Options::default())
        .expect("solvable")
        .entities[0]
        .unavailability;
    assert!(
        (exact / 5.118157212803411e-12 - 1.0).abs() < 1e-9,
        "{exact}"
    );
    let r = estimate(
        &model,
        &RareOptions {
            cycles: 1 << 24,
            target: Some(0.1),
            threads: 2,
            ..RareOptions::default()
        },
    )
    .expect("estimate");
    let e = r.entities[0].unavailability;
    println!("{e:?} in {:.3}s ({} cycles)", r.seconds, r.cycles);
    assert!(e.relative_half_width() <= 0.1);
    assert!(
        e.ci95_low <= exact && exact <= e.ci95_high,
        "{e:?} vs {exact}"
    );
    assert!(r.seconds < 60.0);
}
