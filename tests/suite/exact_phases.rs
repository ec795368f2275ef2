//! Phases in exact mode against answers derived here: a service needed only in business hours over one
//! exponential node (its two-state transient integrated over every business stretch of the calendar),
//! a 1-of-2 pool that needs both nodes in the last two days of each month (two independent nodes: the
//! pool's chain in product form, its transient integrated over every month-end stretch), the
//! simulation of the month-end pool against the exact mission figures, and the refusals.
//!
//! One exponential node (failure rate λ, repair rate μ, s = λ + μ, A = μ/s) starting up is down at
//! time t with probability q(t) = (1 − A)(1 − e^{−st}), so over a stretch [a, b)
//! ∫ q = (1 − A)((b − a) − (e^{−sa} − e^{−sb})/s). Two such nodes are independent: both down with
//! probability q², at least one down with 1 − (1 − q)² = 2q − q².

use assert_cmd::Command;

use crate::common;

use common::{Checks, simulate};
use nines::analyses::exact::{self, ExactPhase, Options};
use nines::base::units::HOURS_PER_YEAR;
use nines::scenario::compile;

fn solve(text: &str) -> exact::Exact {
    let model = compile(text, "phases.toml").unwrap_or_else(|e| panic!("{e}"));
    exact::solve(&model, &Options::default()).unwrap_or_else(|e| panic!("{e}"))
}

fn row<'x>(x: &'x exact::Exact, name: &str) -> &'x ExactPhase {
    x.phases
        .iter()
        .find(|p| format!("{}.{}", p.service, p.phase) == name)
        .unwrap_or_else(|| panic!("no phase row {name}"))
}

fn near(what: &str, value: f64, expected: f64, tol: f64) {
    println!("{what}: {value:.12e} vs {expected:.12e}");
    assert!(
        (value - expected).abs() <= tol,
        "{what}: {value} vs {expected} (off by {:e})",
        (value - expected).abs()
    );
}

/// Business hours (Mon–Fri 08:00–18:00) inside `[0, mission)`; day 0 is a Monday, every year the same.
fn business(mission: f64) -> Vec<(f64, f64)> {
    let mut out = Vec::new();
    let mut y = 0.0;
    while y * HOURS_PER_YEAR < mission {
        for d in 0..365 {
            if d % 7 < 5 {
                let a = y * HOURS_PER_YEAR + 24.0 * d as f64;
                if a + 8.0 < mission {
                    out.push((a + 8.0, (a + 18.0).min(mission)));
                }
            }
        }
        y += 1.0;
    }
    out
}

/// The last two days of every month inside `[0, mission)`.
fn month_ends(mission: f64) -> Vec<(f64, f64)> {
    const DAYS: [u32; 12] = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
    let mut out = Vec::new();
    let mut y = 0.0;
    while y * HOURS_PER_YEAR < mission {
        let mut end = 0;
        for d in DAYS {
            end += d;
            let a = y * HOURS_PER_YEAR + 24.0 * (end - 2) as f64;
            if a < mission {
                out.push((a, (a + 48.0).min(mission)));
            }
        }
        y += 1.0;
    }
    out
}

/// Length of `[0, mission)` outside `set`.
fn outside(set: &[(f64, f64)], mission: f64) -> f64 {
    mission - set.iter().map(|(a, b)| b - a).sum::<f64>()
}

#[test]
fn business_hours_over_one_exponential_node_match_the_closed_form() {
    let (mttf, mttr) = (500.0, 100.0);
    let (l, m) = (1.0 / mttf, 1.0 / mttr);
    let s = l + m;
    let a_inf = m / s;
    let u = 1.0 - a_inf;
    // ∫ of the probability of being down over [a, b), from up at 0.
    let down = |a: f64, b: f64| u * ((b - a) - ((-s * a).exp() - (-s * b).exp()) / s);
    // A mission short enough for the start's transient to matter, and one across a year's end.
    for mission in ["1000h", "2y"] {
        let text = format!(
            r#"
            [simulation]
            mission = "{mission}"
            [phases.business]
            days = "mon-fri"
            from = "08:00"
            to = "18:00"
            [nodes.app]
            failure = {{ dist = "exponential", mean = "{mttf}h" }}
            repair = {{ dist = "exponential", mean = "{mttr}h" }}
            [roles.web]
            kind = "standalone"
            on = "app"
            [services.site]
            all_of = ["web"]
            needed_in = ["business"]
            "#
        );
        let x = solve(&text);
        let t = x.mission;
        let bh = business(t);
        let hb: f64 = bh.iter().map(|(a, b)| b - a).sum();
        let db: f64 = bh.iter().map(|&(a, b)| down(a, b)).sum();
        let dall = down(0.0, t);
        let (ub, uo) = (db / hb, (dall - db) / outside(&bh, t));
        println!("mission {mission}: business {ub:.9}, other {uo:.9}, steady {u:.9}");
        let b = row(&x, "site.business");
        assert_eq!(b.hours_per_year, 2610.0);
        assert!(b.counts && !row(&x, "site.other").counts);
        near(
            "business, over the mission",
            b.interval_unavailability.unwrap(),
            ub,
            1e-9,
        );
        near(
            "other, over the mission",
            row(&x, "site.other").interval_unavailability.unwrap(),
            uo,
            1e-9,
        );
        near(
            "needed, over the mission",
            row(&x, "site.needed").interval_unavailability.unwrap(),
            ub,
            1e-9,
        );
        let years = t / HOURS_PER_YEAR;
        near(
            "business downtime per year, over the mission",
            b.interval_downtime_hours_per_year.unwrap(),
            db / years,
            1e-9 * db / years,
        );
        near(
            "whole mission",
            x.entities[0].interval_unavailability.unwrap(),
            dall / t,
            1e-9,
        );
        // The steady state is the same in every phase; outages begin in a phase at its share of time.
        near("business, steady", b.unavailability, u, 1e-12);
        near("business, steady up", b.availability, a_inf, 1e-12);
        near(
            "downtime per year, steady",
            b.downtime_hours_per_year,
            2610.0 * u,
            1e-9,
        );
        near(
            "outages per year beginning in business hours",
            b.outages_per_year.unwrap(),
            a_inf * l * 2610.0,
            1e-9,
        );
        assert!(row(&x, "site.needed").outages_per_year.is_none());
        near("headline, steady", x.entities[0].unavailability, u, 1e-12);
        // The start's transient is what separates the phases in the short mission.
        if mission == "1000h" {
            assert!(
                (ub - u).abs() > 1e-3 && (ub - uo).abs() > 1e-3,
                "{ub} {uo} {u}"
            );
        }
    }
}

/// A 1-of-2 pool that needs both nodes in the last two days of each month.
fn month_end(mttf: f64, mttr: f64, mission: &str, extra: &str) -> String {
    format!(
        r#"
        [simulation]
        mission = "{mission}"
        {extra}
        [phases.month_end]
        month_days = "last 2"
        min_up = {{ web = 2 }}
        [defaults]
        failure = {{ dist = "exponential", mean = "{mttf}h" }}
        repair = {{ dist = "exponential", mean = "{mttr}h" }}
        [nodes.w1]
        [nodes.w2]
        [roles.web]
        kind = "pool"
        on = ["w1", "w2"]
        min_up = 1
        [services.site]
        all_of = ["web"]
        "#
    )
}

#[test]
fn a_pool_needing_both_nodes_at_month_end_matches_its_chain() {
    // Slow repairs: the start's transient lasts weeks, into the first month-ends.
    let (mttf, mttr) = (5000.0, 1000.0);
    let x = solve(&month_end(mttf, mttr, "1y", ""));
    let (l, m) = (1.0 / mttf, 1.0 / mttr);
    let s = l + m;
    let a = m / s;
    let u = 1.0 - a;
    // The pool's chain by nodes down (0, 1, 2), stationary: binomial.
    let pi = [a * a, 2.0 * a * u, u * u];
    let (h_me, h_o) = (24.0 * 24.0, HOURS_PER_YEAR - 24.0 * 24.0);
    let me = row(&x, "site.month_end");
    let other = row(&x, "site.other");
    assert_eq!((me.hours_per_year, other.hours_per_year), (h_me, h_o));
    near(
        "month end, steady (2 of 2)",
        me.unavailability,
        pi[1] + pi[2],
        1e-12,
    );
    near("other, steady (1 of 2)", other.unavailability, pi[2], 1e-12);
    near("month end, steady up", me.availability, pi[0], 1e-12);
    let u_all = (h_me * (pi[1] + pi[2]) + h_o * pi[2]) / HOURS_PER_YEAR;
    near(
        "headline, steady",
        x.entities[0].unavailability,
        u_all,
        1e-12,
    );
    near("role web too", x.entities[1].unavailability, u_all, 1e-12);
    near(
        "headline up",
        x.entities[0].availability,
        1.0 - u_all,
        1e-12,
    );
    // Outages: in the month end the first failure (from 0 down), otherwise the second (from 1 down),
    // and at each of the 12 month-end starts a pool with one node down goes down at once.
    let o_me = h_me * pi[0] * 2.0 * l + 12.0 * pi[1];
    let o_o = h_o * pi[1] * l;
    near(
        "outages beginning at month end",
        me.outages_per_year.unwrap(),
        o_me,
        1e-9,
    );
    near(
        "outages beginning otherwise",
        other.outages_per_year.unwrap(),
        o_o,
        1e-9,
    );
    near(
        "outages per year",
        x.entities[0].outages_per_year,
        o_me + o_o,
        1e-9,
    );
    near(
        "mean outage",
        x.entities[0].mean_outage_hours,
        u_all / (o_me + o_o) * HOURS_PER_YEAR,
        1e-6,
    );
    // Up with no redundancy left: one node down otherwise, both up (and both needed) at month end.
    near(
        "at risk per year",
        x.entities[0].at_risk_hours_per_year,
        h_o * pi[1] + h_me * pi[0],
        1e-7,
    );
    // Over the mission from all up: q(t) per node, independent.
    let e = |t: f64| (-s * t).exp();
    let e2 = |t: f64| (-2.0 * s * t).exp();
    let both =
        |a: f64, b: f64| u * u * ((b - a) - 2.0 * (e(a) - e(b)) / s + (e2(a) - e2(b)) / (2.0 * s));
    let one = |a: f64, b: f64| u * ((b - a) - (e(a) - e(b)) / s);
    let any = |a: f64, b: f64| 2.0 * one(a, b) - both(a, b);
    let t = x.mission;
    let set = month_ends(t);
    let d_me: f64 = set.iter().map(|&(a, b)| any(a, b)).sum();
    let d_me_both: f64 = set.iter().map(|&(a, b)| both(a, b)).sum();
    let d_o = both(0.0, t) - d_me_both;
    near(
        "month end, over the mission",
        me.interval_unavailability.unwrap(),
        d_me / h_me,
        1e-9,
    );
    near(
        "other, over the mission",
        other.interval_unavailability.unwrap(),
        d_o / outside(&set, t),
        1e-9,
    );
    near(
        "month-end downtime per year, over the mission",
        me.interval_downtime_hours_per_year.unwrap(),
        d_me,
        1e-9,
    );
    near(
        "headline, over the mission",
        x.entities[0].interval_unavailability.unwrap(),
        (d_me + d_o) / t,
        1e-9,
    );
    // The transient is far from the steady state in this mission (by 1.8 points at month end).
    assert!(me.interval_unavailability.unwrap() < me.unavailability - 0.01);
}

#[test]
fn simulated_month_end_pool_agrees_with_the_exact_mission_figures() {
    let text = month_end(100.0, 10.0, "10y", "replications = 3000\nseed = 2123");
    let x = solve(&text);
    let (_, sum) = simulate(&text);
    let mut ck = Checks::default();
    for name in ["site.month_end", "site.other"] {
        let sim = sum
            .phases
            .iter()
            .find(|p| format!("{}.{}", p.service, p.phase) == name)
            .unwrap();
        let ex = row(&x, name);
        let flip = nines::base::stats::Estimate {
            value: 1.0 - sim.availability.value,
            ci95_low: 1.0 - sim.availability.ci95_high,
            ci95_high: 1.0 - sim.availability.ci95_low,
            n: sim.availability.n,
        };
        ck.exact(
            &format!("{name} unavailability"),
            &flip,
            ex.interval_unavailability.unwrap(),
        );
        ck.exact(
            &format!("{name} downtime per year"),
            &sim.downtime_hours_per_year,
            ex.interval_downtime_hours_per_year.unwrap(),
        );
    }
    ck.exact(
        "headline unavailability",
        &sum.entities[0].unavailability,
        x.entities[0].interval_unavailability.unwrap(),
    );
    // Outages include those the month end's min_up causes at its start. The exact figure is the steady
    // state's: the start's transient (a day) changes the mission's count by about 1e-4 of it, far
    // below the standard error.
    ck.exact(
        "outages per year",
        &sum.entities[0].outages_per_year,
        x.entities[0].outages_per_year,
    );
    ck.finish();
}

#[test]
fn phases_that_change_the_moves_are_refused_by_key() {
    // app is reinstalled from the pool: the pool's month-end min_up changes when it can be.
    let text = month_end(100.0, 10.0, "1y", "").replace(
        "[services.site]",
        "[nodes.b]\n[roles.app]\nkind = \"standalone\"\non = \"b\"\n\
         recovery = { kind = \"reinstall\", time = { dist = \"exponential\", mean = \"8h\" }, from = \"web\" }\n\
         [services.site]",
    );
    let model = compile(&text, "p.toml").unwrap_or_else(|e| panic!("{e}"));
    let e = exact::solve(&model, &Options::default())
        .map(|_| ())
        .unwrap_err()
        .to_string();
    assert!(
        e.starts_with("phases.month_end.min_up.web:") && e.contains("role `app` reacts"),
        "{e}"
    );
    assert!(e.contains("nines run"), "{e}");
    // The same pool with one min_up in every phase only changes which hours count: solved.
    let same = text.replace("min_up = { web = 2 }", "min_up = { web = 1 }");
    let x = solve(&same);
    assert_eq!(x.phases.len(), 2);
    // The rare-event estimator and the importance measures need one time-homogeneous reward.
    let e = exact::Chain::new(&model, false).map(|_| ()).unwrap_err();
    assert!(e.to_string().contains("phases.month_end"), "{e}");
    let plain = compile(&month_end(100.0, 10.0, "1y", ""), "p.toml").unwrap();
    let e = nines::analyses::importance::exact(&plain, &Options::default(), None)
        .map(|_| ())
        .unwrap_err();
    assert!(
        e.to_string().contains("phases.month_end") && e.to_string().contains("nines exact"),
        "{e}"
    );
}

#[test]
fn exact_command_prints_and_writes_the_phase_rows() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("me.toml");
    std::fs::write(&path, month_end(100.0, 10.0, "1y", "")).unwrap();
    let out = Command::cargo_bin("nines")
        .unwrap()
        .args(["exact", path.to_str().unwrap()])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(out.status.success(), "{text}");
    assert!(text.contains("\nphases ("), "{text}");
    assert!(
        text.contains("site.month_end") && text.contains("site.other"),
        "{text}"
    );
    assert!(text.contains("on the last 2 days of each month"), "{text}");
    let out = Command::cargo_bin("nines")
        .unwrap()
        .args(["exact", path.to_str().unwrap(), "--format", "json"])
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let rows = v["exact"]["phases"].as_array().unwrap();
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0]["phase"], "month_end");
    assert!(rows[0]["interval_unavailability"].as_f64().unwrap() > 0.1);
    // A scenario without phases keeps its JSON as before: no `phases` key.
    let out = Command::cargo_bin("nines")
        .unwrap()
        .args(["exact", "scenarios/exponential-ha.toml", "--format", "json"])
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(v["exact"].get("phases").is_none());
}
