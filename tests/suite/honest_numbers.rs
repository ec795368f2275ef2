//! Numbers a planner can trust at a glance: the practical threshold of `compare` (a difference too
//! small to matter reads "same"), intervals that respect a quantity's bounds, no exponents in
//! planner-facing text, and a timeline that says where a row's lack of redundancy comes from.

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

/// Every estimate in a JSON summary: (path, object).
fn estimates<'a>(
    v: &'a serde_json::Value,
    path: &str,
    out: &mut Vec<(String, &'a serde_json::Map<String, serde_json::Value>)>,
) {
    match v {
        serde_json::Value::Object(m) => {
            if m.contains_key("ci95_low") {
                out.push((path.to_string(), m));
            }
            for (k, x) in m {
                estimates(x, &format!("{path}.{k}"), out);
            }
        }
        serde_json::Value::Array(a) => {
            for (i, x) in a.iter().enumerate() {
                estimates(x, &format!("{path}[{i}]"), out);
            }
        }
        _ => {}
    }
}

/// Whether the estimate at `path` is a share or probability (at most 1).
fn is_share(path: &str) -> bool {
    let last = path.rsplit('.').next().unwrap_or(path);
    let last = last.split('[').next().unwrap_or(last);
    [
        "availability",
        "unavailability",
        "success_ratio",
        "probability_year_misses_target",
        "utilisation",
        "share_of_downtime",
        "share_of_requests",
        "delivered_share",
        "outcome_shares",
    ]
    .contains(&last)
}

/// No figure of a run can be negative (counts, durations, shares) and no share can exceed 1, so no
/// interval may either: checked on the pinned JSON summary of every bundled scenario (the golden test
/// keeps those equal to what `nines run --format json` prints). Before intervals were cut to their
/// bounds, ten of these files held negative lower bounds.
#[test]
fn no_interval_of_a_bundled_scenario_leaves_its_quantitys_bounds() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/run");
    let mut files = 0;
    let mut checked = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let p = entry.unwrap().path();
        if p.extension().is_none_or(|e| e != "json") {
            continue;
        }
        files += 1;
        let v: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&p).unwrap()).unwrap();
        let mut found = Vec::new();
        estimates(&v, "", &mut found);
        for (path, e) in found {
            let num = |k: &str| e.get(k).and_then(|x| x.as_f64());
            let (Some(low), Some(value), Some(high)) =
                (num("ci95_low"), num("value"), num("ci95_high"))
            else {
                continue; // NaN (nothing observed) is written as null
            };
            checked += 1;
            assert!(
                low >= 0.0 && low <= value && value <= high,
                "{}: {path}: [{low}, {high}] around {value}",
                p.display()
            );
            if is_share(&path) {
                assert!(high <= 1.0, "{}: {path}: high {high}", p.display());
            }
        }
    }
    assert!(
        files >= 20 && checked > 1000,
        "{files} files, {checked} estimates"
    );
}

/// With two replications Student's t has 1 degree of freedom (t = 12.7), so almost every symmetric
/// interval would reach below zero: the terminal table, the CSV and the JSON all show the cut ones.
#[test]
fn two_replications_give_no_negative_bound_anywhere() {
    let text = std::fs::read_to_string("scenarios/web-farm.toml").unwrap();
    let mut m = compile(&text, "web-farm.toml").unwrap();
    m.simulation.replications = 2;
    let out = nines::estimate::runner::run(
        &m,
        nines::estimate::runner::RunOptions {
            threads: 1,
            rows: None,
            progress: None,
            range: None,
        },
    )
    .unwrap();
    let s = &out.summary;
    let json: serde_json::Value = serde_json::from_str(&nines::write::json::json(s)).unwrap();
    let mut found = Vec::new();
    estimates(&json, "", &mut found);
    // The uncut interval is symmetric about the value: its low would be 2·value − high.
    let cut = found
        .iter()
        .filter(|(_, e)| {
            let num = |k: &str| e.get(k).and_then(|x| x.as_f64()).unwrap_or(f64::NAN);
            num("ci95_low") == 0.0 && 2.0 * num("value") - num("ci95_high") < 0.0
        })
        .count();
    assert!(cut >= 3, "only {cut} intervals were cut: {json}");
    for (path, e) in &found {
        let low = e.get("ci95_low").and_then(|x| x.as_f64());
        assert!(low.is_none_or(|l| l >= 0.0), "{path}: {low:?}");
    }
    let table = nines::write::table::table(s, &m);
    for bad in ["[-", "[−", "±-", "±−"] {
        assert!(!table.contains(bad), "{bad} in\n{table}");
    }
    let csv = String::from_utf8(nines::write::csv::summary_csv(s).unwrap()).unwrap();
    for line in csv.lines().skip(1) {
        for cell in line.split(',') {
            if let Ok(x) = cell.parse::<f64>() {
                assert!(x >= 0.0, "{cell} in {line}");
            }
        }
    }
}

/// Numbers written with an exponent (`3.15e7`, `6.0072e-1`, `−5.55e-20`) in `text`, with their line.
fn exponents(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    for line in text.lines() {
        let b = line.as_bytes();
        for i in 1..b.len() {
            if !matches!(b[i], b'e' | b'E') || !b[i - 1].is_ascii_digit() {
                continue;
            }
            // A digit before the `e` that is part of a word (`vmm2e`) is not a number.
            let start = b[..i]
                .iter()
                .rposition(|c| !(c.is_ascii_digit() || *c == b'.'))
                .map_or(0, |p| p + 1);
            if start > 0 && b[start - 1].is_ascii_alphabetic() {
                continue;
            }
            let rest = &b[i + 1..];
            let rest = rest
                .strip_prefix(b"-")
                .or(rest.strip_prefix(b"+"))
                .unwrap_or(rest);
            if rest.first().is_some_and(u8::is_ascii_digit) {
                found.push(line.to_string());
                break;
            }
        }
    }
    found
}

#[test]
fn the_exponent_scan_finds_exponents() {
    assert_eq!(exponents("a 3.15e7 requests/yr").len(), 1);
    assert_eq!(exponents("Δ −5.55e-20 ±0.0008").len(), 1);
    assert_eq!(exponents("6.0072E-1").len(), 1);
    assert!(exponents("node vmm2e3 · 12 events · mission 10y · 1e").is_empty());
}

/// Every file under `dir`, recursively.
fn files(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let p = entry.unwrap().path();
        if p.is_dir() {
            files(&p, out);
        } else {
            out.push(p);
        }
    }
}

/// No planner-facing text or CSV file holds a number with an exponent: the terminal table of a run
/// of every bundled scenario (made here), and the pinned `validate` text, CSV files and `compare` and
/// `sweep` tables of the golden test (which keeps them equal to what the commands print).
#[test]
fn no_exponents_in_the_outputs_of_the_bundled_scenarios() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut all = Vec::new();
    files(&root.join("scenarios"), &mut all);
    all.sort();
    let mut bad = Vec::new();
    let mut runs = 0;
    for p in all
        .iter()
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
    {
        let text = std::fs::read_to_string(p).unwrap();
        let mut m = compile(&text, &p.display().to_string()).unwrap();
        m.simulation.replications = 64;
        let out = nines::estimate::runner::run(
            &m,
            nines::estimate::runner::RunOptions {
                threads: 2,
                rows: None,
                progress: None,
                range: None,
            },
        )
        .unwrap();
        runs += 1;
        let table = nines::write::table::table(&out.summary, &m);
        let csv = String::from_utf8(nines::write::csv::summary_csv(&out.summary).unwrap()).unwrap();
        for line in exponents(&table).into_iter().chain(exponents(&csv)) {
            bad.push(format!("{}: {line}", p.display()));
        }
    }
    assert!(runs >= 20, "{runs} scenarios");
    let mut pinned = Vec::new();
    files(&root.join("tests/golden"), &mut pinned);
    let mut scanned = 0;
    for p in pinned
        .iter()
        .filter(|p| p.extension().is_some_and(|e| e == "txt" || e == "csv"))
    {
        scanned += 1;
        for line in exponents(&std::fs::read_to_string(p).unwrap()) {
            bad.push(format!("{}: {line}", p.display()));
        }
    }
    assert!(scanned >= 60, "{scanned} pinned files");
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

/// Plain numbers: thousands separated, words for millions, decimals for small figures, noise as 0.
#[test]
fn plain_numbers_and_one_duration_rule() {
    use nines::base::format::{hours, rare, sig3};
    use nines::base::units::format_duration;
    assert_eq!(sig3(31_536_000.0), "31.5 million");
    assert_eq!(sig3(19_020.4), "19 020");
    assert_eq!(sig3(0.60072), "0.601");
    assert_eq!(sig3(0.0000150), "0.0000150");
    assert_eq!(sig3(-5.55e-20), "0");
    assert_eq!(sig3(0.999_999), "1.00");
    assert_eq!(sig3(9.9999), "10.0");
    assert_eq!(sig3(99.99), "100");
    assert_eq!(rare(7.5899e-5), "75.9 per million");
    assert_eq!(rare(4.9891e-12), "4.99 per trillion");
    // One rule for durations: years from one year, days from two days.
    assert_eq!(format_duration(8760.0), "1y");
    assert_eq!(format_duration(4.0 * 8760.0), "4y");
    assert_eq!(hours(8760.0), "1.00y");
    assert_eq!(hours(24.0 * 364.0), "364d");
    // Rounded to 365 days, it is a year.
    assert_eq!(hours(8759.9), "1.00y");
    assert_eq!(format_duration(8759.9), "1y");
    assert_eq!(format_duration(36.0), "36h");
    assert_eq!(hours(36.0), "36.0h");
}

/// In the example a pool of three front ends needs a single load balancer, so its timeline row is
/// "no redundancy left" while all three front ends are up: the chart's legend and notes say the state
/// is inherited from what a row needs, so the yellow strip is not read as the pool's own.
#[test]
fn the_timeline_says_a_row_inherits_its_redundancy_from_what_it_needs() {
    use nines::engine::trace::{self, State};
    let text = std::fs::read_to_string("scenarios/web-farm.toml").unwrap();
    let mut m = compile(&text, "web-farm.toml").unwrap();
    m.simulation.replications = 256;
    let sample = trace::sample(&m, 200);
    let t = trace::trace(&m, sample.replication);
    let row = |name: &str| t.rows.iter().find(|r| r.name == name).unwrap();
    let frontend = row("frontend");
    let webs: Vec<_> = t
        .rows
        .iter()
        .filter(|r| r.name.starts_with("web-"))
        .collect();
    assert_eq!(webs.len(), 3);
    let inherited = frontend.intervals(t.mission).any(|(a, b, st)| {
        let mid = 0.5 * (a + b);
        st == State::AtRisk && webs.iter().all(|w| w.state_at(mid) == State::Up)
    });
    assert!(
        inherited,
        "the front ends are never at risk with all three up"
    );
    let mut out = nines::estimate::runner::run(
        &m,
        nines::estimate::runner::RunOptions {
            threads: 1,
            rows: None,
            progress: None,
            range: None,
        },
    )
    .unwrap();
    out.summary.wall_seconds = 0.0;
    let charts = nines::write::charts::render(&out.summary, Some(&t)).unwrap();
    let svg = &charts.iter().find(|c| c.name == "timeline").unwrap().svg;
    assert!(svg.contains("no redundancy left in it or in what it needs"));
    assert!(
        svg.contains("a row inherits this from what it needs"),
        "{svg}"
    );
}
