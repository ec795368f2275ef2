//! The rare-event benchmark of issue 9: a 3-of-5 pool (failure mean 50 000 h, repair 4 h;
//! unavailability about 5e-12) estimated to ±10% (95%) by importance sampling, on 2 threads, and the
//! exact Markov solution of the same scenario; and the same pool with lognormal repairs (no Markov
//! chain) by importance splitting to ±10%, with the events per second it simulates, copies included.
//! Run with `cargo bench --bench rare`.

use criterion::{Criterion, criterion_group, criterion_main};
use nines::analyses::exact::{Options, solve};
use nines::analyses::rare::{RareOptions, estimate};
use nines::analyses::split::{self, SplitOptions};
use nines::model::Model;

fn model() -> Model {
    let text = include_str!("../scenarios/pool-3-of-5.toml");
    nines::scenario::compile(text, "pool-3-of-5.toml").expect("valid bench scenario")
}

fn bench(c: &mut Criterion) {
    let m = model();
    let exact = solve(&m, &Options::default()).expect("solvable").entities[0].unavailability;
    let opts = RareOptions {
        cycles: 1 << 26,
        target: Some(0.1),
        threads: 2,
        ..RareOptions::default()
    };
    // The figure the bench stands for: ±10% with the exact value inside the interval.
    let r = estimate(&m, &opts).expect("estimate");
    let e = r.entities[0].unavailability;
    assert!(e.relative_half_width() <= 0.1 && e.ci95_low <= exact && exact <= e.ci95_high);
    let mut g = c.benchmark_group("pool-3-of-5");
    g.sample_size(20);
    g.bench_function("rare-event to ±10% on 2 threads", |b| {
        b.iter(|| estimate(&m, &opts).expect("estimate"))
    });
    g.bench_function("exact Markov solution", |b| {
        b.iter(|| solve(&m, &Options::default()).expect("solvable"))
    });
    g.finish();

    // Splitting: each estimate takes seconds, so a few samples.
    let text = include_str!("../scenarios/pool-3-of-5-lognormal.toml");
    let m = nines::scenario::compile(text, "pool-3-of-5-lognormal.toml").expect("valid");
    let opts = SplitOptions {
        missions: 1 << 16,
        target: Some(0.1),
        threads: 2,
        seed: m.simulation.seed,
        factors: None,
    };
    let r = split::estimate(&m, &opts).expect("estimate");
    let e = r.entities[0].unavailability;
    assert!(e.relative_half_width() <= 0.1 && e.ci95_low <= exact && exact <= e.ci95_high);
    println!(
        "splitting, lognormal repairs: {:.4e} ±{:.1}% from {} missions, {} copies, {} events in {:.2}s ({:.2e} events/s)",
        e.value,
        100.0 * e.relative_half_width(),
        r.missions,
        r.copies,
        r.events,
        r.seconds,
        r.events as f64 / r.seconds
    );
    let mut g = c.benchmark_group("pool-3-of-5-lognormal");
    g.sample_size(10);
    g.bench_function("splitting to ±10% on 2 threads", |b| {
        b.iter(|| split::estimate(&m, &opts).expect("estimate"))
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
