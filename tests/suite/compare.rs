//! `compare` and `sweep`: common random numbers, paired differences against exact answers, costs,
//! and reproducibility whatever the threads.

#[allow(dead_code)] // shared helpers; this file needs only some
use crate::common;

use common::std_error;
use nines::analyses::compare::{self, CompareOptions, Comparison};
use nines::analyses::sweep;
use nines::base::stats::Estimate;
use nines::model::Model;
use nines::scenario::compile;

fn model(text: &str, file: &str) -> Model {
    compile(text, file).unwrap_or_else(|e| panic!("{e}"))
}

fn run(models: &[&Model], threads: usize) -> Comparison {
    let names = compare::unique_names(&models.iter().map(|m| m.name.clone()).collect::<Vec<_>>());
    compare::run(
        models,
        &names,
        CompareOptions {
            threads,
            progress: None,
            same_within: compare::DEFAULT_SAME_WITHIN,
        },
    )
    .expect("runs")
}

fn row<'a>(c: &'a Comparison, measure: &str, scope: &str) -> &'a compare::Row {
    c.rows
        .iter()
        .find(|r| r.measure == measure && r.scope == scope)
        .unwrap_or_else(|| panic!("no row {measure} {scope}"))
}

/// The exact value within 4 SE, and 4 SE below 1% of it.
fn assert_exact(what: &str, e: &Estimate, exact: f64) {
    let se = std_error(e);
    let z = (e.value - exact) / se;
    println!(
        "{what}: estimate {:.6e} exact {exact:.6e} se {se:.3e} ({:.3}% of exact) z {z:+.2}",
        e.value,
        100.0 * se / exact.abs()
    );
    assert!(
        z.abs() < 4.0,
        "{what}: {} is {z:.2} SE from {exact}",
        e.value
    );
    assert!(
        4.0 * se < 0.01 * exact.abs(),
        "{what}: 4 SE = {} cannot catch a 1% error of {exact}",
        4.0 * se
    );
}

/// 1 − availability, with its interval.
fn unavailability(a: &Estimate) -> Estimate {
    Estimate {
        value: 1.0 - a.value,
        ci95_low: 1.0 - a.ci95_high,
        ci95_high: 1.0 - a.ci95_low,
        n: a.n,
    }
}

/// ∫₀ᵀ (1 − e^{−st})^k dt / T.
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

/// A pool of `count` exponential nodes (failure mean 20 h, repair mean 10 h) needing `min_up`.
fn pool(count: u32, min_up: u32, replications: u64) -> String {
    format!(
        r#"[simulation]
mission = "5000h"
replications = {replications}
seed = 99

[nodes.n]
count = {count}
failure = {{ dist = "exponential", mean = "20h" }}
repair = {{ dist = "exponential", mean = "10h" }}

[roles.r]
kind = "pool"
on = "n"
min_up = {min_up}

[services.s]
all_of = ["r"]
"#
    )
}

/// A layout compared with itself differs by exactly nothing, and each layout's figures are those a
/// plain run gives.
#[test]
fn a_layout_against_itself_differs_by_nothing_and_matches_run() {
    let text = std::fs::read_to_string("scenarios/web-farm.toml").unwrap();
    let mut m = model(&text, "web-farm.toml");
    m.simulation.replications = 640;
    let c = run(&[&m, &m], 2);
    assert_eq!(c.layouts[1].name, "web-farm#2");
    for r in &c.rows {
        let d = r.cells[1].unwrap().diff.expect("a difference");
        assert_eq!(d.value.value, 0.0, "{} {}", r.measure, r.scope);
        assert!(!d.significant, "{} {}", r.measure, r.scope);
    }
    let plain = nines::estimate::runner::run(
        &m,
        nines::estimate::runner::RunOptions {
            threads: 1,
            rows: None,
            progress: None,
            range: None,
        },
    )
    .unwrap();
    let csv = |s| nines::write::csv::summary_csv(s).unwrap();
    assert_eq!(csv(&c.layouts[0].summary), csv(&plain.summary));
    assert_eq!(csv(&c.layouts[1].summary), csv(&plain.summary));
}

/// The same comparison on 1 and 2 threads writes the same bytes.
#[test]
fn comparisons_do_not_depend_on_threads() {
    let a = model(&pool(2, 1, 300), "two.toml");
    let b = model(&pool(3, 1, 300), "three.toml");
    let one = compare::csv(&run(&[&a, &b], 1)).unwrap();
    let two = compare::csv(&run(&[&a, &b], 2)).unwrap();
    assert_eq!(one, two);
}

/// Going from a 1-of-2 to a 1-of-3 pool of exponential nodes that start up: the paired difference of
/// unavailability is c²·m₂ − c³·m₃ (c = λ/(λ+μ), mₖ the mission mean of (1 − e^{−st})^k), and the
/// layouts' own unavailabilities are exact too.
#[test]
fn paired_difference_is_exact() {
    let a = model(&pool(2, 1, 10_000), "two.toml");
    let b = model(&pool(3, 1, 10_000), "three.toml");
    let c = run(&[&a, &b], 2);
    let (lambda, mu): (f64, f64) = (1.0 / 20.0, 1.0 / 10.0);
    let (q, s, t) = (lambda / (lambda + mu), lambda + mu, 5000.0);
    let u2 = q.powi(2) * mean_pow(2, s, t);
    let u3 = q.powi(3) * mean_pow(3, s, t);
    let avail = row(&c, "availability", "s");
    let cell = |i: usize| avail.cells[i].unwrap();
    assert_exact("1-of-2 unavailability", &unavailability(&cell(0).value), u2);
    assert_exact("1-of-3 unavailability", &unavailability(&cell(1).value), u3);
    let d = cell(1).diff.unwrap();
    assert!(d.paired && d.significant);
    assert_exact("availability gained", &d.value, u2 - u3);
}

/// A database and a pool of front ends; `db` names the database node.
fn shop(web: u32, db: &str) -> String {
    format!(
        r#"[simulation]
mission = "1y"
replications = 2000
seed = 5

[nodes.{db}]
failure = {{ dist = "exponential", mean = "300h" }}
repair = {{ dist = "exponential", mean = "10h" }}

[nodes.web]
count = {web}
failure = {{ dist = "exponential", mean = "300h" }}
repair = {{ dist = "exponential", mean = "10h" }}

[roles.db]
kind = "standalone"
on = "{db}"

[roles.web]
kind = "pool"
on = "web"
min_up = 1

[services.s]
all_of = ["db", "web"]
"#
    )
}

/// Common random numbers: when layouts share the component that dominates downtime, the paired
/// interval of their difference is far narrower than their own intervals together; renaming the
/// shared node in one layout (so it draws other failures) loses that.
#[test]
fn common_random_numbers_narrow_the_difference() {
    let hw = |e: &Estimate| (e.ci95_high - e.ci95_low) / 2.0;
    let ratio = |a: &Model, b: &Model| {
        let c = run(&[a, b], 2);
        let cells = &row(&c, "availability", "s").cells;
        let (x, y) = (cells[0].unwrap(), cells[1].unwrap());
        let d = x.diff.or(y.diff).unwrap();
        let r = hw(&d.value) / (hw(&x.value).powi(2) + hw(&y.value).powi(2)).sqrt();
        println!(
            "paired half-width / unpaired = {r:.3} (diff {:.3e})",
            d.value.value
        );
        r
    };
    let two = model(&shop(2, "sql"), "two.toml");
    let three = model(&shop(3, "sql"), "three.toml");
    let renamed = model(&shop(3, "sql2"), "renamed.toml");
    assert!(ratio(&two, &three) < 0.2);
    assert!(ratio(&two, &renamed) > 0.5);
}

/// A sweep of the pool size: the points are the layouts a file with that count would give, and with
/// common random numbers adding a node never adds downtime in any replication, so availability rises
/// strictly; each point is exact.
#[test]
fn sweep_points_are_exact_and_monotone() {
    let text = pool(1, 1, 8000);
    let params = vec![sweep::parse_set("nodes.n.count=1..3").unwrap()];
    let points = sweep::points(&text, "pool.toml", &params).unwrap();
    assert_eq!(points.len(), 3);
    for (i, p) in points.iter().enumerate() {
        assert_eq!(p.model.components.len(), i + 1);
        assert_eq!(p.label, format!("nodes.n.count={}", i + 1));
    }
    let models: Vec<&Model> = points.iter().map(|p| &p.model).collect();
    let names: Vec<String> = points.iter().map(|p| p.label.clone()).collect();
    let c = compare::run(
        &models,
        &names,
        CompareOptions {
            threads: 2,
            progress: None,
            same_within: compare::DEFAULT_SAME_WITHIN,
        },
    )
    .unwrap();
    let s = sweep::Sweep::new(&c, &points, &params, "s");
    let (lambda, mu): (f64, f64) = (1.0 / 20.0, 1.0 / 10.0);
    let (q, rate) = (lambda / (lambda + mu), lambda + mu);
    let mut last = 0.0;
    for (k, r) in s.rows.iter().enumerate() {
        let n = k as i32 + 1;
        let exact = q.powi(n) * mean_pow(n, rate, 5000.0);
        assert_exact(
            &format!("1-of-{n} unavailability"),
            &unavailability(&r.availability),
            exact,
        );
        assert!(r.availability.value > last);
        last = r.availability.value;
    }
}

const COSTED: &str = r#"[simulation]
mission = "1y"
replications = 64

[nodes.web]
count = 3
yearly_cost = 2_500
failure = { dist = "exponential", mean = "30d" }
repair = { dist = "fixed", value = "8h" }

[nodes.sql]
yearly_cost = 4000
failure = { dist = "exponential", mean = "1y" }
repair = { dist = "fixed", value = "8h" }

[roles.db]
kind = "standalone"
on = "sql"
yearly_cost = 1000.5

[roles.web]
kind = "pool"
on = "web"
min_up = 1
yearly_cost = 100

[services.app]
all_of = ["web", "db"]
target = 0.99

[costs]
currency = "EUR"
support = 12_000
"#;

#[test]
fn yearly_costs_add_up() {
    let m = model(COSTED, "costed.toml");
    let (total, parts) = m.yearly_cost().expect("costs");
    assert_eq!(
        total,
        3.0 * 2500.0 + 4000.0 + 1000.5 + 3.0 * 100.0 + 12_000.0
    );
    assert_eq!(parts.len(), 5);
    assert!(
        parts
            .iter()
            .any(|(l, v)| l == "nodes web (3 × 2 500)" && *v == 7500.0)
    );
    assert!(parts.iter().any(|(l, v)| l == "role db" && *v == 1000.5));
    assert!(
        parts
            .iter()
            .any(|(l, v)| l == "role web (3 × 100)" && *v == 300.0)
    );
    assert_eq!(m.costs.currency.as_deref(), Some("EUR"));
    let plain = model(&pool(2, 1, 64), "p.toml");
    assert!(plain.yearly_cost().is_none());
}

#[test]
fn bad_costs_and_sweeps_are_located() {
    let cases: [(&str, &str, &str); 6] = [
        (
            "yearly_cost = 2_500",
            "yearly_cost = -5",
            "nodes.web.yearly_cost",
        ),
        (
            "yearly_cost = 2_500",
            "yearly_cost = \"cheap\"",
            "expected a number",
        ),
        (
            "yearly_cost = 1000.5",
            "yearly_cost = 1e13",
            "from 0 to 1e12",
        ),
        ("support = 12_000", "support = \"x\"", "costs.support"),
        (
            "currency = \"EUR\"",
            "currency = \"\"",
            "short currency label",
        ),
        (
            "support = 12_000",
            "support = 1\n[sweep]\n\"nodes.web.count\" = \"3..1\"",
            "is empty",
        ),
    ];
    for (from, to, want) in cases {
        let text = COSTED.replacen(from, to, 1);
        let err = compile(&text, "costed.toml").expect_err(to).to_string();
        assert!(err.contains(want), "{to}: {err}");
        assert!(err.starts_with("costed.toml:"), "{err}");
    }
    let text = format!(
        "{COSTED}\n[sweep]\n\"nodes.web.count\" = [1, 2]\n\"nodes.sql.yearly_cost\" = [1.5, 2]\n"
    );
    let m = model(&text, "costed.toml");
    assert_eq!(m.sweep.len(), 2);
    assert_eq!(
        m.sweep[1].values,
        vec![
            nines::model::SweepValue::Float(1.5),
            nines::model::SweepValue::Integer(2)
        ]
    );
    let three = format!("{text}\"nodes.web.yearly_cost\" = [1]\n");
    let err = compile(&three, "costed.toml").unwrap_err().to_string();
    assert!(err.contains("at most 2 parameters"), "{err}");
}

/// The sweep's answer is the cheapest point shown to meet the target.
#[test]
fn sweep_answer_is_the_cheapest_point_that_meets_the_target() {
    let mut text = COSTED.replace("replications = 64", "replications = 640");
    text = text.replace("target = 0.99", "target = 0.995");
    let params = vec![sweep::parse_set("nodes.web.count=1..3").unwrap()];
    let points = sweep::points(&text, "costed.toml", &params).unwrap();
    let models: Vec<&Model> = points.iter().map(|p| &p.model).collect();
    let names: Vec<String> = points.iter().map(|p| p.label.clone()).collect();
    let c = compare::run(
        &models,
        &names,
        CompareOptions {
            threads: 2,
            progress: None,
            same_within: compare::DEFAULT_SAME_WITHIN,
        },
    )
    .unwrap();
    let s = sweep::Sweep::new(&c, &points, &params, "app");
    let costs: Vec<f64> = s.rows.iter().map(|r| r.yearly_cost.unwrap()).collect();
    assert!(costs.windows(2).all(|w| w[1] - w[0] == 2600.0), "{costs:?}");
    let meets: Vec<_> = s.rows.iter().map(|r| r.meets.unwrap()).collect();
    println!("{}", s.table());
    // One web node (down 1.1% of the time) misses 99.5%; two or three meet it.
    assert_eq!(meets[0], sweep::Meets::No);
    assert_eq!(meets[1], sweep::Meets::Yes);
    let answer = s.answer().expect("an answer");
    assert_eq!(s.label(answer), "nodes.web.count=2");
    assert!(
        s.table()
            .contains("answer: nodes.web.count=2 is the cheapest point")
    );
    let row = row(&c, "yearly cost", "");
    assert_eq!(row.cells[2].unwrap().diff.unwrap().value.value, 5200.0);
}
