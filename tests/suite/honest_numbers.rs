//! Numbers a planner can trust at a glance: the practical threshold of `compare` (a difference too
//! small to matter reads "same"), intervals that respect a quantity's bounds, and no exponents in
//! planner-facing text.

use nines::analyses::compare::{self, CompareOptions, Comparison, Verdict};
use nines::base::stats::Estimate;
use nines::model::Model;
use nines::scenario::compile;

fn model(text: &str) -> Model {
    compile(text, "pool.toml").unwrap_or_else(|e| panic!("{e}"))
}

fn run(models: &[&Model], same_within: f64) -> Comparison {
    let names = compare::unique_names(&models.iter().map(|m| m.name.clone()).collect::<Vec<_>>());
    compare::run(
        models,
        &names,
        CompareOptions {
            threads: 2,
            progress: None,
            same_within,
        },
    )
    .expect("runs")
}

/// A pool of `count` exponential nodes (failure mean 20 h, repair mean 10 h) needing one.
fn pool(count: u32) -> String {
    format!(
        r#"[simulation]
mission = "5000h"
replications = 4000
seed = 99

[nodes.n]
count = {count}
failure = {{ dist = "exponential", mean = "20h" }}
repair = {{ dist = "exponential", mean = "10h" }}

[roles.r]
kind = "pool"
on = "n"

[services.s]
all_of = ["r"]
"#
    )
}

fn est(value: f64, low: f64, high: f64) -> Estimate {
    Estimate {
        value,
        ci95_low: low,
        ci95_high: high,
        n: 100,
    }
}

/// The verdict's four readings, at a threshold of 1.
#[test]
fn a_significant_difference_below_the_threshold_is_same() {
    let j = |v, l, h, sig| Verdict::judge(&est(v, l, h), sig, 1.0, true);
    // Significant and at least the threshold: better or worse by direction.
    assert_eq!(j(2.0, 1.5, 2.5, true), Verdict::Better);
    assert_eq!(j(-2.0, -2.5, -1.5, true), Verdict::Worse);
    // Significant but smaller than the threshold: same, however narrow its interval.
    assert_eq!(j(0.5, 0.49, 0.51, true), Verdict::Same);
    assert_eq!(j(-0.9, -1.2, -0.6, true), Verdict::Same);
    // Not significant, its interval within the threshold: same; reaching beyond it: unclear.
    assert_eq!(j(0.1, -0.5, 0.7, false), Verdict::Same);
    assert_eq!(j(0.1, -0.5, 1.7, false), Verdict::Unclear);
    // A lower figure is better when lower is better.
    assert_eq!(
        Verdict::judge(&est(-2.0, -2.5, -1.5), true, 1.0, false),
        Verdict::Better
    );
}

/// Default thresholds per unit: a share of the figure (of the unavailability for availability, so that
/// availability and downtime agree), latency at least 1 ms, costs exact.
#[test]
fn thresholds_per_unit() {
    use compare::Unit;
    let close = |a: f64, b: f64| (a - b).abs() <= 1e-12 * b.abs().max(1e-300);
    assert!(close(Unit::Availability.threshold(0.999, 0.01), 1e-5));
    assert!(close(Unit::Hours.threshold(8.76, 0.01), 0.0876));
    assert!(close(Unit::PerYear.threshold(19_020.0, 0.01), 190.2));
    assert!(close(
        Unit::Latency.threshold(0.5 / 3600.0, 0.01),
        0.005 / 3600.0
    ));
    assert!(close(
        Unit::Latency.threshold(0.01 / 3600.0, 0.01),
        compare::LATENCY_FLOOR_HOURS
    ));
    assert_eq!(Unit::Money.threshold(20_000.0, 0.01), 0.0);
}

/// From a 1-of-2 to a 1-of-3 pool the unavailability falls by u₂ − u₃, a third or more of u₂ (exact:
/// c²·m₂ − c³·m₃ with c = 1/3). It is "better" at a threshold of half that share and "same" at twice
/// it; the estimate is within 1% of the exact value (checked), so neither verdict is near the edge.
#[test]
fn the_threshold_turns_a_real_difference_into_same_only_above_it() {
    let (a, b) = (model(&pool(2)), model(&pool(3)));
    let (lambda, mu): (f64, f64) = (1.0 / 20.0, 1.0 / 10.0);
    let (q, s, t) = (lambda / (lambda + mu), lambda + mu, 5000.0);
    let mean_pow = |k: i32| {
        let mut total = t;
        let mut binom = 1.0;
        for j in 1..=k {
            binom *= (k - j + 1) as f64 / j as f64;
            let sign = if j % 2 == 1 { -1.0 } else { 1.0 };
            total += sign * binom * (1.0 - (-(j as f64) * s * t).exp()) / (j as f64 * s);
        }
        total / t
    };
    let (u2, u3) = (q.powi(2) * mean_pow(2), q.powi(3) * mean_pow(3));
    let share = (u2 - u3) / u2;
    for (within, expected) in [(share / 2.0, Verdict::Better), (share * 2.0, Verdict::Same)] {
        let c = run(&[&a, &b], within);
        for measure in ["availability", "downtime per year"] {
            let r = c
                .rows
                .iter()
                .find(|r| r.measure == measure && r.scope == "s")
                .unwrap();
            let d = r.cells[1].unwrap().diff.unwrap();
            let gained = if measure == "availability" {
                d.value.value
            } else {
                -d.value.value / 8760.0
            };
            assert!(
                (gained - (u2 - u3)).abs() < 0.01 * (u2 - u3),
                "{measure}: {gained} vs exact {}",
                u2 - u3
            );
            assert!(d.significant);
            assert_eq!(d.verdict, expected, "{measure} at {within}");
        }
        let table = compare::table(&c);
        let word = expected.as_str();
        assert!(
            table
                .lines()
                .any(|l| l.contains("availability") && l.ends_with(word)),
            "{table}"
        );
        assert!(
            table.contains(&format!(
                "at least {} of",
                compare::same_within_text(within)
            )),
            "{table}"
        );
        let csv = String::from_utf8(compare::csv(&c).unwrap()).unwrap();
        assert!(csv.contains(&format!(",true,true,{word},")), "{csv}");
    }
}
