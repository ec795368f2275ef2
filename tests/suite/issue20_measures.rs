//! Issue 20's measures where planners compare: `target_counts = "impactful"` flips the verdicts it
//! should, reassignment and work in flight appear in `compare` and `sweep`, and roles with a tolerance
//! show their impactful figures in the table.

use nines::analyses::compare::{self, CompareOptions, Comparison};
use nines::analyses::sweep::{self, Meets};
use nines::model::Model;

/// One server failing every 100 hours on average, repaired in 30 minutes: about 44 hours of downtime a
/// year (99.5%), none of it in an outage longer than the 1-hour tolerance. A client polls it, its
/// clients moved to a spare after 10 minutes; a second kind streams for 5 minutes.
fn scenario(service_keys: &str) -> String {
    format!(
        r#"
[simulation]
mission = "1y"
replications = 64
seed = 7

[nodes.n]
count = 1
failure = {{ dist = "exponential", mean = "100h" }}
repair = {{ dist = "fixed", value = "30min" }}

[nodes.spare]
failure = "never"
repair = {{ dist = "fixed", value = "1h" }}

[roles.app]
kind = "pool"
on = "n"

[roles.app2]
kind = "standalone"
on = "spare"

[services.s]
all_of = ["app"]
target = 0.999
tolerance = "1h"
{service_keys}

[clients.users]
count = 10
reassign = {{ from = "app", to = "app2", requests = ["poll"], after = "10min" }}

[clients.users.requests.poll]
target = "app"
every = "1h"
timeout = "1s"
response = {{ dist = "fixed", value = "1s" }}

[clients.users.requests.stream]
target = "app"
every = "1h"
timeout = "1s"
response = {{ dist = "fixed", value = "1s" }}
duration = "5min"
on_cut = "retry"
"#
    )
}

fn swept(text: &str) -> sweep::Sweep {
    swept_with_comparison(text).1
}

fn swept_with_comparison(text: &str) -> (Comparison, sweep::Sweep) {
    let params = vec![sweep::parse_set("nodes.n.count=1..2").unwrap()];
    let points = sweep::points(text, "s.toml", &params).unwrap();
    let models: Vec<&Model> = points.iter().map(|p| &p.model).collect();
    let c = run(
        &models,
        &points.iter().map(|p| p.label.clone()).collect::<Vec<_>>(),
    );
    let s = sweep::Sweep::new(&c, &points, &params, "s");
    (c, s)
}

fn run(models: &[&Model], names: &[String]) -> Comparison {
    compare::run(
        models,
        names,
        CompareOptions {
            threads: 2,
            progress: None,
            same_within: compare::DEFAULT_SAME_WITHIN,
        },
    )
    .expect("runs")
}

#[test]
fn a_target_judged_on_impactful_downtime_is_met_where_all_downtime_misses_it() {
    // One node: 99.5% misses 99.9%, but no outage outlasts the tolerance, so impactful availability is
    // 100%. Two nodes: both meet it either way.
    let all = swept(&scenario(""));
    let impactful = swept(&scenario("target_counts = \"impactful\""));
    let verdicts = |s: &sweep::Sweep| s.rows.iter().map(|r| r.meets).collect::<Vec<_>>();
    assert_eq!(verdicts(&all), [Some(Meets::No), Some(Meets::Yes)]);
    assert_eq!(verdicts(&impactful), [Some(Meets::Yes), Some(Meets::Yes)]);
    assert!(
        impactful.table().contains("(impactful)"),
        "{}",
        impactful.table()
    );
    assert!(!all.table().contains("(impactful)"));
    // The answer follows the verdicts: the first point that meets the target.
    assert_eq!(impactful.answer().map(|r| r.layout), Some(0));
    assert_eq!(all.answer().map(|r| r.layout), Some(1));
}

#[test]
fn target_counts_needs_a_tolerance_and_a_known_value() {
    let text = scenario("target_counts = \"impactfull\"");
    let err = nines::scenario::compile(&text, "s.toml")
        .expect_err("refused")
        .to_string();
    assert!(err.contains("services.s.target_counts"), "{err}");
    assert!(err.contains("did you mean \"impactful\""), "{err}");
    let text = scenario("target_counts = \"impactful\"").replace("tolerance = \"1h\"\n", "");
    let err = nines::scenario::compile(&text, "s.toml")
        .expect_err("refused")
        .to_string();
    assert!(err.contains("needs a `target` and a `tolerance`"), "{err}");
}

#[test]
fn reassignment_and_cuts_reach_compare_and_sweep() {
    let (c, s) = swept_with_comparison(&scenario(""));
    let table = s.table();
    assert!(table.contains("cut/yr users.stream"), "{table}");
    assert!(table.contains("reassigned/yr users.poll"), "{table}");
    // The report's sweep table has the same columns as the CSV.
    let page = nines::write::report::compare_report(&c, Some(&s), &[], &[], &[]);
    let html = nines::write::report::render(&page);
    for column in [
        "requests cut in flight per year users.stream",
        "reassignments per year users.poll",
        "hours reassigned per year users.poll",
    ] {
        assert!(html.contains(column), "no column {column} in the report");
    }
    let one = &s.rows[0];
    // One node: about 87 outages a year, each longer than 10 minutes with probability 1 (fixed 30 min).
    let (moves, hours) = one.reassigned.expect("reassignment figures");
    assert!(moves.value > 70.0 && moves.value < 105.0, "{moves:?}");
    // Each move lasts the 20 minutes left of its outage (one open at the mission end is cut there).
    assert!(
        hours.value <= moves.value / 3.0 + 1e-9,
        "{hours:?} vs {moves:?}"
    );
    assert!(
        hours.value > 0.99 * moves.value / 3.0,
        "{hours:?} vs {moves:?}"
    );
    assert!(one.cut_per_year.expect("cuts").value > 0.0);
    let csv = String::from_utf8(s.csv().unwrap()).unwrap();
    let header = csv.lines().next().unwrap();
    assert!(
        header.contains("cut_per_year") && header.contains("reassignments_per_year"),
        "{header}"
    );

    let text = scenario("");
    let a = nines::scenario::compile(&text, "a.toml").unwrap();
    let b = nines::scenario::compile(
        &text.replace("after = \"10min\"", "after = \"1h\""),
        "b.toml",
    )
    .unwrap();
    let c = run(&[&a, &b], &["a".into(), "b".into()]);
    let row = |m: &str, k: &str| {
        c.rows
            .iter()
            .find(|r| r.measure == m && r.scope == k)
            .unwrap_or_else(|| panic!("no row {m} {k}"))
    };
    // Reassigned after 1 hour, never: no outage lasts that long.
    let moved = row("reassignments per year", "users.poll");
    assert!(moved.cells[0].unwrap().value.value > 70.0);
    assert_eq!(moved.cells[1].unwrap().value.value, 0.0);
    assert!(moved.cells[1].unwrap().diff.unwrap().significant);
    let visible = row("client-visible downtime per year", "users.poll");
    assert!(visible.cells[1].unwrap().value.value > visible.cells[0].unwrap().value.value);
    row("hours reassigned per year", "users.poll");
    row("requests cut in flight per year", "users.stream");
    row("failed after a cut per year", "users.stream");
    assert!(
        c.rows
            .iter()
            .all(|r| r.scope != "users.stream" || r.measure != "reassignments per year")
    );
}

#[test]
fn roles_with_a_tolerance_show_their_impactful_figures_in_the_table() {
    let text = scenario("").replace(
        "kind = \"pool\"\non = \"n\"",
        "kind = \"pool\"\non = \"n\"\ntolerance = \"10min\"",
    );
    let (model, summary) = crate::common::simulate(&text);
    let table = nines::write::table::table(&summary, &model);
    let line = table
        .lines()
        .find(|l| l.trim_start().starts_with("app ") && l.contains("impactful downtime"))
        .unwrap_or_else(|| panic!("{table}"));
    assert!(line.contains("time beyond 10.0min"), "{line}");
}
