//! Property tests of the engine and the runner on random layouts: estimates and their intervals lie
//! in [0, 1], every replication's downtime fits in the mission, identical seeds give identical results
//! (whatever the threads), and adding a redundant instance never lowers availability: replication by
//! replication (nodes draw from streams keyed by their names, so shared nodes fail at the same times)
//! and so in expectation.

use nines::engine::Engine;
use nines::estimate::runner::{self, RepRow, RunOptions};
use nines::model::Model;
use nines::scenario::compile;
use proptest::prelude::*;

/// A pool of `n` named nodes with `min_up` of them needed, required by a front role and measured by a
/// service; `extra` adds one more instance to the pool.
fn layout(n: usize, min_up: usize, fail: f64, repair: f64, shape: f64, extra: bool) -> String {
    let mut nodes: Vec<String> = (1..=n).map(|i| format!("\"db{i}\"")).collect();
    let mut text = format!(
        "[simulation]\nmission = \"2000h\"\n[defaults]\nfailure = {{ dist = \"weibull\", shape = {shape}, mean = \"{fail}h\" }}\nrepair = {{ dist = \"lognormal\", mean = \"{repair}h\", sigma = 0.9 }}\n"
    );
    for i in 1..=n {
        text.push_str(&format!("[nodes.db{i}]\n"));
    }
    if extra {
        text.push_str("[nodes.spare]\n");
        nodes.push("\"spare\"".into());
    }
    text.push_str(&format!(
        "[nodes.fe]\n[roles.db]\nkind = \"pool\"\non = [{}]\nmin_up = {min_up}\n[roles.front]\nkind = \"standalone\"\non = \"fe\"\nrequires = [\"db\"]\n[services.app]\nall_of = [\"front\"]\n",
        nodes.join(", ")
    ));
    text
}

fn run(model: &Model, threads: usize) -> (nines::estimate::runner::RunOutput, Vec<RepRow>) {
    let mut rows = Vec::new();
    let mut sink = |r: &[RepRow]| rows.extend_from_slice(r);
    let out = runner::run(
        model,
        RunOptions {
            threads,
            rows: Some(&mut sink),
            progress: None,
            range: None,
        },
    )
    .unwrap();
    (out, rows)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    /// Availability and its interval lie in [0, 1] for every service and role; every replication's
    /// downtime lies in [0, mission] and its longest outage within its downtime; identical seeds give
    /// identical state whatever the threads, and another seed another one.
    #[test]
    fn estimates_are_bounded_and_reproducible(
        n in 1usize..5,
        k in 1usize..5,
        fail in 5.0f64..3000.0,
        repair in 0.1f64..500.0,
        shape in 0.5f64..3.0,
        seed in any::<u64>(),
        reps in 1u64..200,
    ) {
        let k = k.min(n);
        let mut model = compile(&layout(n, k, fail, repair, shape, false), "p.toml").unwrap();
        model.simulation.seed = seed;
        model.simulation.replications = reps;
        let (a, rows) = run(&model, 1);
        for e in &a.summary.entities {
            for x in [e.availability.value, e.unavailability.value] {
                prop_assert!((0.0..=1.0).contains(&x), "{}: {x}", e.name);
            }
            if reps > 1 {
                for x in [e.availability.ci95_low, e.availability.ci95_high] {
                    prop_assert!((0.0..=1.0).contains(&x), "{}: interval {x}", e.name);
                }
                prop_assert!(e.availability.ci95_low <= e.availability.value);
                prop_assert!(e.availability.value <= e.availability.ci95_high);
            }
        }
        prop_assert_eq!(rows.len() as u64, reps);
        for r in &rows {
            prop_assert!(r.downtime >= 0.0 && r.downtime <= 2000.0 + 1e-9, "{r:?}");
            prop_assert!(r.longest <= r.downtime + 1e-9, "{r:?}");
            prop_assert!((r.outages == 0) == (r.downtime == 0.0), "{r:?}");
        }
        let (b, rows_b) = run(&model, 3);
        prop_assert_eq!(&a.acc, &b.acc);
        prop_assert_eq!(rows, rows_b);
        model.simulation.seed = seed.wrapping_add(1);
        let (c, _) = run(&model, 2);
        // With outages in both, another seed gives another sample path.
        if a.acc.unavailability_of(0).unwrap().1 > 0 && c.acc.unavailability_of(0).unwrap().1 > 0 {
            prop_assert_ne!(&a.acc, &c.acc);
        }
    }

    /// One more instance in the pool never adds downtime, replication by replication, to the pool, to
    /// the role that requires it, or to the service; so neither in expectation.
    #[test]
    fn a_redundant_instance_never_lowers_availability(
        n in 1usize..5,
        k in 1usize..5,
        fail in 5.0f64..3000.0,
        repair in 0.1f64..500.0,
        shape in 0.5f64..3.0,
        seed in any::<u64>(),
    ) {
        let k = k.min(n);
        let mut small = compile(&layout(n, k, fail, repair, shape, false), "s.toml").unwrap();
        let mut big = compile(&layout(n, k, fail, repair, shape, true), "b.toml").unwrap();
        small.simulation.seed = seed;
        big.simulation.seed = seed;
        let (mut es, mut eb) = (Engine::new(&small), Engine::new(&big));
        let (mut sum_s, mut sum_b) = (0.0, 0.0);
        for rep in 0..40 {
            es.run(rep);
            eb.run(rep);
            // Measured in order: service app, roles db, front.
            for (m, (s, b)) in es.monitors().iter().zip(eb.monitors()).enumerate() {
                prop_assert!(b.downtime <= s.downtime + 1e-9,
                    "replication {rep}, monitor {m}: {} with the spare, {} without", b.downtime, s.downtime);
            }
            sum_s += es.monitors()[0].downtime;
            sum_b += eb.monitors()[0].downtime;
        }
        prop_assert!(sum_b <= sum_s + 1e-6);
    }
}
