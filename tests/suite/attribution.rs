//! Where downtime comes from: every hour of a service's downtime goes to one cause, so the parts add
//! up to the downtime, on bundled scenarios; and on a small scenario whose split between a failing
//! node, a maintenance schedule and both at once follows in closed form.

use crate::common;

use common::Checks;
use nines::base::units::HOURS_PER_YEAR;
use nines::estimate::runner::{RunOptions, run};
use nines::estimate::summary::Summary;
use nines::scenario::compile;

fn run_file(path: &str, replications: u64) -> Summary {
    let full = format!("{}/{path}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&full).expect("scenario");
    let mut model = compile(&text, path).unwrap_or_else(|e| panic!("{e}"));
    model.simulation.replications = replications;
    run(
        &model,
        RunOptions {
            threads: 2,
            rows: None,
            progress: None,
            range: None,
        },
    )
    .expect("run")
    .summary
}

#[test]
fn parts_add_up_to_the_downtime_on_bundled_scenarios() {
    for path in [
        "scenarios/vmm/vmm-cluster-2.toml",
        "scenarios/vmm/vmm-quorum-2-fsw.toml",
        "scenarios/configmgr/cm-ha-roles.toml",
        "scenarios/appv/appv-nlb-always-on.toml",
        "scenarios/mechanisms.toml",
        "scenarios/web-farm.toml",
    ] {
        let s = run_file(path, 100);
        for e in s.entities.iter().take_while(|e| {
            s.attribution.iter().any(|a| a.service == e.name)
                || e.downtime_hours_per_year.value == 0.0
        }) {
            let parts: Vec<_> = s
                .attribution
                .iter()
                .filter(|a| a.service == e.name)
                .collect();
            let sum: f64 = parts.iter().map(|a| a.hours_per_year.value).sum();
            let total = e.downtime_hours_per_year.value;
            println!(
                "{path} {}: {sum} of {total} h/yr in {} causes",
                e.name,
                parts.len()
            );
            assert!(
                (sum - total).abs() <= 1e-9 * total.max(1.0),
                "{path} {}: parts {sum} h/yr, downtime {total} h/yr",
                e.name
            );
            let shares: f64 = parts.iter().map(|a| a.share_of_downtime.value).sum();
            if total > 0.0 {
                assert!(
                    (shares - 1.0).abs() < 1e-9,
                    "{path} {}: shares {shares}",
                    e.name
                );
            }
        }
        if path.contains("vmm-cluster-2") {
            let m: Vec<_> = s
                .attribution
                .iter()
                .filter(|a| a.service == "vmm_management")
                .collect();
            let find = |c: &str| {
                m.iter()
                    .find(|a| a.cause == c)
                    .map(|a| a.hours_per_year.value)
            };
            // The database server's patch nights, and the VMM nodes' drains (a switch each).
            assert!(
                find("maintenance patch_standalone").is_some_and(|h| h > 5.0),
                "{m:?}"
            );
            assert!(
                find("maintenance patch_vmm_server").is_some_and(|h| h > 0.1),
                "{m:?}"
            );
            assert!(find("unexplained").is_none(), "{m:?}");
        }
    }
}

/// Node `a` fails at rate 1/100 h and is repaired at rate 1/10 h; node `b` never fails and is patched
/// for 10 h every 100 h from hour 50. The service needs the role on each. With q = λ/(λ+μ) and
/// s = λ+μ, `a` is down at time t with probability p(t) = q (1 − e^(−s t)) (up at 0): the service's
/// downtime in a window is "maintenance" while `a` is up and "several causes" while it is down, and
/// outside windows it is `a`'s.
#[test]
fn maintenance_share_is_exact() {
    const LAMBDA: f64 = 1.0 / 100.0;
    const MU: f64 = 1.0 / 10.0;
    const EVERY: f64 = 100.0;
    const W: f64 = 10.0;
    const OFFSET: f64 = 50.0;
    const YEARS: f64 = 20.0;
    let text = format!(
        r#"
        [simulation]
        mission = "{YEARS}y"
        replications = 800
        seed = 23
        [nodes.a]
        failure = {{ dist = "exponential", mean = "100h" }}
        repair = {{ dist = "exponential", mean = "10h" }}
        [nodes.b]
        failure = {{ dist = "fixed", value = "100000000h" }}
        repair = {{ dist = "fixed", value = "1h" }}
        [roles.ra]
        kind = "standalone"
        on = "a"
        [roles.rb]
        kind = "standalone"
        on = "b"
        [maintenance.patch]
        every = "{EVERY}h"
        duration = "{W}h"
        offset = "{OFFSET}h"
        nodes = ["b"]
        [services.s]
        all_of = ["ra", "rb"]
        "#
    );
    let (_, s) = common::simulate(&text);
    let mission = YEARS * HOURS_PER_YEAR;
    let rate = LAMBDA + MU;
    let q = LAMBDA / rate;
    // ∫ p over [x, y].
    let integral = |x: f64, y: f64| q * ((y - x) - ((-rate * x).exp() - (-rate * y).exp()) / rate);
    let mut in_windows = 0.0;
    let mut window_hours = 0.0;
    let mut start = OFFSET;
    while start < mission {
        let end = (start + W).min(mission);
        in_windows += integral(start, end);
        window_hours += end - start;
        start += EVERY;
    }
    let exact_maintenance = (window_hours - in_windows) / YEARS;
    let exact_several = in_windows / YEARS;
    let exact_a = (integral(0.0, mission) - in_windows) / YEARS;
    let get = |c: &str| {
        s.attribution
            .iter()
            .find(|a| a.service == "s" && a.cause == c)
            .unwrap_or_else(|| panic!("no {c} in {:?}", s.attribution))
    };
    let mut c = Checks::default();
    c.exact(
        "maintenance h/yr",
        &get("maintenance patch").hours_per_year,
        exact_maintenance,
    );
    c.exact("node a h/yr", &get("a").hours_per_year, exact_a);
    c.exact(
        "several causes h/yr",
        &get("several causes at once").hours_per_year,
        exact_several,
    );
    c.exact(
        "downtime h/yr",
        &s.entities[0].downtime_hours_per_year,
        exact_maintenance + exact_a + exact_several,
    );
    c.finish();
}

/// The downtime-sources chart draws the attribution: one bar per cause with its hours a year and
/// interval as the table shows them, largest first, the overlap tagged as such; the report's headline
/// names the largest cause.
#[test]
fn the_chart_and_the_headline_tell_the_attribution() {
    let s = run_file("scenarios/vmm/vmm-cluster-2.toml", 100);
    let charts = nines::write::charts::render(&s, None).unwrap();
    let svg = &charts
        .iter()
        .find(|c| c.name == "downtime-sources")
        .unwrap()
        .svg;
    let texts: Vec<String> = nines::write::charts::layout::svg_texts(svg)
        .into_iter()
        .map(|t| t.text)
        .collect();
    let h = nines::base::format::hours;
    let mut last = 0;
    for a in s
        .attribution
        .iter()
        .filter(|a| a.service == "vmm_management")
    {
        let e = &a.hours_per_year;
        let value = format!("{} [{}, {}]", h(e.value), h(e.ci95_low), h(e.ci95_high));
        let at = texts
            .iter()
            .position(|t| *t == a.cause)
            .unwrap_or_else(|| panic!("{} not drawn in {texts:?}", a.cause));
        // Its tag and its value on its row, after the row of every larger cause.
        let row = &texts[at..at + 3];
        assert!(
            row[2].starts_with(&value),
            "{}: {value} not drawn: {row:?}",
            a.cause
        );
        assert_eq!(
            row[1],
            if a.kind == "several" {
                "overlap"
            } else {
                a.kind
            },
            "{}",
            a.cause
        );
        assert!(at > last, "{} drawn before a larger cause", a.cause);
        last = at;
    }
    assert!(!texts.iter().any(|t| t == "share of the service's downtime"));
    let m = {
        let full = format!(
            "{}/scenarios/vmm/vmm-cluster-2.toml",
            env!("CARGO_MANIFEST_DIR")
        );
        compile(
            &std::fs::read_to_string(&full).unwrap(),
            "vmm-cluster-2.toml",
        )
        .unwrap()
    };
    let page = nines::write::report::run_report(
        &m,
        &s,
        &[],
        &nines::write::report::Source {
            file: "vmm-cluster-2.toml",
            text: "",
        },
    );
    let html = nines::write::report::render(&page);
    let top = s
        .attribution
        .iter()
        .find(|a| a.service == "vmm_management")
        .unwrap();
    assert_eq!(top.cause, "maintenance patch_standalone");
    let short = &html[..html.find("<h2>Services</h2>").unwrap()];
    assert!(
        short.contains(&format!(
            "{} ({}/yr",
            top.cause,
            h(top.hours_per_year.value)
        )),
        "the headline does not name {}",
        top.cause
    );
}
