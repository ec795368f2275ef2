//! Importance measures (`run --importance`): Birnbaum, criticality, RAW, RRW and downtime saved
//! against closed forms derived here for a series–parallel system and a 2-of-3 pool of independent
//! exponential nodes, from simulation (4-SE and 1% rules) and from the exact chain (1e-9), and the
//! minimal cut sets of a known structure listed exactly. The seed is the scenarios' and was not chosen.

use crate::common::Checks;

use nines::analyses::exact::Options;
use nines::analyses::importance::{self, Importance};
use nines::base::units::HOURS_PER_YEAR;
use nines::model::Model;
use nines::scenario::compile;

/// A series with (B parallel C): A, B, C independent nodes with exponential failures and repairs.
const SERIES_PARALLEL: &str = r#"
[simulation]
mission = "80000h"
replications = 500
seed = 7
[nodes.a]
failure = { dist = "exponential", mean = "90h" }
repair = { dist = "exponential", mean = "10h" }
[nodes.b]
failure = { dist = "exponential", mean = "30h" }
repair = { dist = "exponential", mean = "10h" }
[nodes.c]
failure = { dist = "exponential", mean = "30h" }
repair = { dist = "exponential", mean = "10h" }
[roles.front]
kind = "standalone"
on = "a"
[roles.back]
kind = "pool"
on = ["b", "c"]
min_up = 1
[services.s]
all_of = ["front", "back"]
"#;

/// Three identical nodes, two needed.
const TWO_OF_THREE: &str = r#"
[simulation]
mission = "80000h"
replications = 500
seed = 11
[nodes.n]
count = 3
failure = { dist = "exponential", mean = "40h" }
repair = { dist = "exponential", mean = "10h" }
[roles.pool]
kind = "pool"
on = "n"
min_up = 2
[services.s]
all_of = ["pool"]
"#;

/// Closed-form measures of one component: (Birnbaum, criticality, RAW, RRW, hours saved per year).
struct Closed {
    name: &'static str,
    birnbaum: f64,
    criticality: f64,
    raw: f64,
    rrw: f64,
    saved: f64,
}

/// From U, U(i down), U(i up) and q_i: the textbook definitions.
fn closed(name: &'static str, u: f64, u_down: f64, u_up: f64, q: f64) -> Closed {
    let birnbaum = u_down - u_up;
    Closed {
        name,
        birnbaum,
        criticality: birnbaum * q / u,
        raw: u_down / u,
        rrw: u / u_up,
        saved: (u - u_up) * HOURS_PER_YEAR,
    }
}

fn series_parallel() -> (f64, Vec<Closed>) {
    let (qa, qb) = (0.1, 0.25);
    let u = 1.0 - (1.0 - qa) * (1.0 - qb * qb);
    let a = closed("a", u, 1.0, qb * qb, qa);
    // B down leaves A and C in series; B up leaves A alone.
    let b_down = 1.0 - (1.0 - qa) * (1.0 - qb);
    let b = closed("b", u, b_down, qa, qb);
    let c = closed("c", u, b_down, qa, qb);
    (u, vec![a, b, c])
}

fn two_of_three() -> (f64, Vec<Closed>) {
    let q: f64 = 0.2;
    let u = 3.0 * q * q - 2.0 * q * q * q;
    // One node down: the other two in series; one node up: the other two in parallel.
    let down = 1.0 - (1.0 - q) * (1.0 - q);
    let names = ["n-1", "n-2", "n-3"];
    (
        u,
        names.iter().map(|n| closed(n, u, down, q * q, q)).collect(),
    )
}

fn model(text: &str) -> Model {
    compile(text, "importance.toml").unwrap_or_else(|e| panic!("{e}"))
}

fn row<'a>(m: &Model, x: &'a Importance, name: &str) -> &'a importance::ComponentImportance {
    x.components
        .iter()
        .find(|r| m.components[r.component].name == name)
        .unwrap_or_else(|| panic!("no row for {name}"))
}

fn check_simulation(text: &str, exact: (f64, Vec<Closed>)) {
    let m = model(text);
    let x = importance::simulate(&m, m.simulation.replications, 3, 2).unwrap();
    let mut checks = Checks::default();
    checks.exact("U", &x.unavailability[0], exact.0);
    for c in &exact.1 {
        let r = row(&m, &x, c.name);
        checks.exact(&format!("{} Birnbaum", c.name), &r.birnbaum, c.birnbaum);
        checks.exact(
            &format!("{} criticality", c.name),
            &r.criticality,
            c.criticality,
        );
        checks.exact(&format!("{} RAW", c.name), &r.raw, c.raw);
        checks.exact(&format!("{} RRW", c.name), &r.rrw, c.rrw);
        checks.exact(
            &format!("{} saved h/y", c.name),
            &r.saved_hours_per_year,
            c.saved,
        );
    }
    checks.finish();
}

fn check_exact(text: &str, exact: (f64, Vec<Closed>)) {
    let m = model(text);
    let x = importance::exact(&m, &Options::default(), None).unwrap();
    assert_eq!(x.method, "exact");
    let mut checks = Checks::default();
    checks.close("U", x.unavailability[0].value, exact.0);
    for c in &exact.1 {
        let r = row(&m, &x, c.name);
        checks.close(
            &format!("{} Birnbaum", c.name),
            r.birnbaum.value,
            c.birnbaum,
        );
        checks.close(
            &format!("{} criticality", c.name),
            r.criticality.value,
            c.criticality,
        );
        checks.close(&format!("{} RAW", c.name), r.raw.value, c.raw);
        checks.close(&format!("{} RRW", c.name), r.rrw.value, c.rrw);
        checks.close(
            &format!("{} saved h/y", c.name),
            r.saved_hours_per_year.value,
            c.saved,
        );
    }
    checks.finish();
}

#[test]
fn series_parallel_simulation_matches_the_closed_form() {
    check_simulation(SERIES_PARALLEL, series_parallel());
}

#[test]
fn two_of_three_simulation_matches_the_closed_form() {
    check_simulation(TWO_OF_THREE, two_of_three());
}

#[test]
fn series_parallel_exact_matches_the_closed_form() {
    check_exact(SERIES_PARALLEL, series_parallel());
}

#[test]
fn two_of_three_exact_matches_the_closed_form() {
    check_exact(TWO_OF_THREE, two_of_three());
}

#[test]
fn ranking_puts_the_series_component_first() {
    let m = model(SERIES_PARALLEL);
    let x = importance::exact(&m, &Options::default(), None).unwrap();
    let names: Vec<&str> = x
        .components
        .iter()
        .map(|r| m.components[r.component].name.as_str())
        .collect();
    assert_eq!(names, ["a", "b", "c"]);
}

/// A known structure: web (pool of 2 needing 1, both in one rack) requires db (standalone) and a
/// quorum-free cluster on two nodes.
#[test]
fn cut_sets_of_a_known_structure_are_listed_exactly() {
    let text = r#"
[simulation]
mission = "1y"
[defaults]
failure = { dist = "exponential", mean = "1000h" }
repair = { dist = "exponential", mean = "10h" }
[domains.rack]
failure = { dist = "exponential", mean = "10y" }
repair = { dist = "exponential", mean = "6h" }
[nodes.w1]
in = ["rack"]
[nodes.w2]
in = ["rack"]
[nodes.db]
[nodes.n]
count = 3
[roles.db]
kind = "standalone"
on = "db"
[roles.web]
kind = "pool"
on = ["w1", "w2"]
min_up = 1
[roles.three]
kind = "pool"
on = "n"
min_up = 2
[services.s]
all_of = ["web", "db", "three"]
"#;
    let m = model(text);
    let structure = importance::Structure::new(&m);
    let names = |order| -> Vec<Vec<String>> {
        structure
            .cut_sets(0, order)
            .into_iter()
            .map(|c| c.iter().map(|&i| m.components[i].name.clone()).collect())
            .collect()
    };
    let want = |v: &[&[&str]]| -> Vec<Vec<String>> {
        v.iter()
            .map(|c| c.iter().map(|s| s.to_string()).collect())
            .collect()
    };
    // Components are indexed nodes first, then domains.
    assert_eq!(names(1), want(&[&["db"], &["rack"]]), "order 1");
    let two = want(&[
        &["rack"],
        &["db"],
        &["w1", "w2"],
        &["n-1", "n-2"],
        &["n-1", "n-3"],
        &["n-2", "n-3"],
    ]);
    // Listed by size, then by component index (the order components are declared in the model).
    let mut got = names(3);
    assert_eq!(got.len(), two.len(), "{got:?}");
    got.sort();
    let mut two = two;
    two.sort();
    assert_eq!(
        got, two,
        "order 3: no minimal cut of three (every triple contains a pair)"
    );
}

#[test]
fn simulation_does_not_depend_on_threads() {
    let m = model(TWO_OF_THREE);
    let one = importance::simulate(&m, 100, 3, 1).unwrap();
    let four = importance::simulate(&m, 100, 3, 4).unwrap();
    assert_eq!(one, four);
}

fn nines() -> assert_cmd::Command {
    assert_cmd::Command::cargo_bin("nines").expect("binary")
}

#[test]
fn run_importance_writes_the_table_and_files_and_a_plain_run_removes_them() {
    let dir = tempfile::tempdir().unwrap();
    let out = nines()
        .args([
            "run",
            "scenarios/web-farm.toml",
            "--importance",
            "-n",
            "200",
            "-q",
        ])
        .args(["--no-charts", "--no-report", "-j", "2", "-o"])
        .arg(dir.path())
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(out.status.success(), "{text}");
    assert!(
        text.contains("Importance for service web_app (200 replications"),
        "{text}"
    );
    assert!(
        text.contains("Minimal cut sets up to order 3 (5)"),
        "{text}"
    );
    let csv = std::fs::read_to_string(dir.path().join("importance.csv")).unwrap();
    // web_app: 5 components and 5 cut sets; static_pages: 4 and 2; plus the header.
    assert_eq!(csv.lines().count(), 1 + 5 + 5 + 4 + 2, "{csv}");
    assert!(
        csv.lines()
            .nth(1)
            .unwrap()
            .starts_with("web_app,component,sql,node,simulation,200,")
    );
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("importance.json")).unwrap())
            .unwrap();
    assert_eq!(json["components"][0]["component"], "sql");
    let plain = nines()
        .args(["run", "scenarios/web-farm.toml", "-n", "64", "-q"])
        .args(["--no-charts", "--no-report", "-j", "2", "-o"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(plain.status.success());
    assert!(!dir.path().join("importance.csv").exists());
    assert!(!dir.path().join("importance.json").exists());
    let bad = nines()
        .args([
            "run",
            "scenarios/web-farm.toml",
            "--importance",
            "--cut-order",
            "9",
        ])
        .output()
        .unwrap();
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("--cut-order 9: expected 1 to 4"));
}

#[test]
fn exact_importance_prints_the_table() {
    let out = nines()
        .args(["exact", "scenarios/exponential-ha.toml", "--importance"])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(out.status.success(), "{text}");
    assert!(
        text.contains("Importance for service web_app (exact, steady state)"),
        "{text}"
    );
    assert!(text.contains("{domain rack}"), "{text}");
}

/// `run --importance` into `out` with `extra` arguments; its stdout.
fn run_importance(out: &std::path::Path, extra: &[&str]) -> String {
    let o = nines()
        .args([
            "run",
            "scenarios/web-farm.toml",
            "--importance",
            "-n",
            "300",
        ])
        .args(["-q", "--no-replications", "-o"])
        .arg(out)
        .args(extra)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8(o.stdout).unwrap()
}

#[test]
fn importance_charts_and_report_section_are_written_and_removed_when_not_asked() {
    let dir = tempfile::tempdir().unwrap();
    let text = run_importance(dir.path(), &["-j", "2"]);
    let charts = dir.path().join("charts");
    for service in ["web_app", "static_pages"] {
        let svg = std::fs::read_to_string(charts.join(format!("importance-{service}.svg")))
            .unwrap_or_else(|e| panic!("{service}: {e}"));
        assert!(svg.contains(&format!("Which component to improve for {service}")));
        assert!(svg.contains("cumulative share"));
        assert!(charts.join(format!("importance-{service}.png")).is_file());
    }
    // The chart's first bar is the table's first row: sql for web_app, with its interval.
    let csv = std::fs::read_to_string(dir.path().join("importance.csv")).unwrap();
    let first: Vec<&str> = csv.lines().nth(1).unwrap().split(',').collect();
    assert_eq!(first[2], "sql", "{csv}");
    let h = |c: &str| nines::base::format::hours(c.parse().unwrap());
    let shown = format!("{} [{}, {}]", h(first[6]), h(first[7]), h(first[8]));
    let svg = std::fs::read_to_string(charts.join("importance-web_app.svg")).unwrap();
    assert!(svg.contains(&shown), "{shown} not in the chart");
    assert!(text.contains("Importance for service web_app"));
    let html = std::fs::read_to_string(dir.path().join("report.html")).unwrap();
    let section = html
        .find("<h2>Which component to improve</h2>")
        .expect("an importance section");
    assert!(html.find("<h2>Services</h2>").unwrap() < section);
    assert!(html[section..].contains("Which component to improve for web_app"));
    assert!(html[section..].contains("<td>sql</td>"));
    // Without --importance the section, the charts and the files go.
    nines()
        .args(["run", "scenarios/web-farm.toml", "-n", "64", "-q", "-o"])
        .arg(dir.path())
        .assert()
        .success();
    let html = std::fs::read_to_string(dir.path().join("report.html")).unwrap();
    assert!(!html.contains("Which component to improve"));
    assert!(!charts.join("importance-web_app.svg").exists());
    assert!(!charts.join("importance-static_pages.png").exists());
    assert!(!dir.path().join("importance.csv").exists());
}

#[test]
fn merged_shards_give_the_importance_of_the_single_run_bit_for_bit() {
    let dir = tempfile::tempdir().unwrap();
    let single = dir.path().join("single");
    run_importance(&single, &["-j", "2"]);
    let parts = dir.path().join("parts");
    // 300 replications are 5 batches: 3 shards of unequal size.
    for i in 1..=3 {
        nines()
            .args([
                "run",
                "scenarios/web-farm.toml",
                "--importance",
                "-n",
                "300",
            ])
            .args(["-q", "--no-replications", "-j", "1", "--shard"])
            .arg(format!("{i}/3"))
            .arg("-o")
            .arg(&parts)
            .assert()
            .success();
    }
    let merged = dir.path().join("merged");
    nines()
        .args(["merge", "--no-replications", "--importance", "-o"])
        .arg(&merged)
        .arg(&parts)
        .assert()
        .success();
    for f in [
        "importance.csv",
        "importance.json",
        "summary.csv",
        "charts/importance-web_app.svg",
        "charts/importance-static_pages.svg",
    ] {
        let a = std::fs::read(single.join(f)).unwrap();
        let b = std::fs::read(merged.join(f)).unwrap_or_else(|e| panic!("{f}: {e}"));
        assert!(
            a == b,
            "{f} of the merged shards differs from the single run"
        );
    }
    // Parts without the sums: merge --importance says how to get them; a mix is refused.
    let plain = dir.path().join("plain");
    for i in 1..=2 {
        nines()
            .args(["run", "scenarios/web-farm.toml", "-n", "300", "-q"])
            .args(["--no-replications", "--shard"])
            .arg(format!("{i}/2"))
            .arg("-o")
            .arg(&plain)
            .assert()
            .success();
    }
    let asked = nines()
        .args(["merge", "--no-replications", "--importance", "-o"])
        .arg(dir.path().join("m2"))
        .arg(&plain)
        .output()
        .unwrap();
    assert!(!asked.status.success());
    let err = String::from_utf8_lossy(&asked.stderr);
    assert!(
        err.contains("the shards were run without --importance")
            && err.contains("nines run --importance --shard I/N"),
        "{err}"
    );
    assert!(!dir.path().join("m2").join("summary.csv").exists());
    nines()
        .args([
            "run",
            "scenarios/web-farm.toml",
            "--importance",
            "-n",
            "300",
        ])
        .args(["-q", "--no-replications", "--shard", "2/2", "-o"])
        .arg(&plain)
        .assert()
        .success();
    let mixed = nines()
        .args(["merge", "--no-replications", "-o"])
        .arg(dir.path().join("m3"))
        .arg(&plain)
        .output()
        .unwrap();
    assert!(!mixed.status.success());
    let err = String::from_utf8_lossy(&mixed.stderr);
    assert!(
        err.contains("part-1-of-2.json was run without --importance"),
        "{err}"
    );
}
