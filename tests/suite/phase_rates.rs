//! Request rates by phase (`rate = { population = x }` on a phase) against exact answers derived
//! here: one exponential node (failure rate λ, repair rate μ) starting up serves a population whose
//! requests make one attempt, so a request fails exactly when it arrives while the node is down.
//! Arrivals are Poisson with the rate in force, independent of the node, so the expected failed
//! requests are Σ over the phase stretches of rate·∫ P(down at t) dt, with
//! P(down at t | up at 0) = q − q·e^{−(λ+μ)t}, q = λ/(λ+μ) (the node's two-state transient). In a
//! two-day mission the node is far from its long-run state, so business hours (08:00–18:00, at three
//! times the usual rate) and the rest weigh different unavailabilities: a rate put on the wrong
//! hours, or not at all, moves the answer by far more than the tolerance.

use crate::common;

use common::ctmc::TwoState;
use common::{Checks, simulate};
use nines::scenario::compile;

pub(crate) const SCENARIO: &str = r#"
    [simulation]
    mission = "48h"
    replications = 400000
    seed = 2131
    [phases.business]
    from = "08:00"
    to = "18:00"
    rate = { staff = 3.0 }
    [nodes.app]
    failure = { dist = "exponential", mean = "50h" }
    repair = { dist = "exponential", mean = "20h" }
    [roles.web]
    kind = "standalone"
    on = "app"
    [services.site]
    all_of = ["web"]
    [clients.staff]
    count = 200
    [clients.staff.requests.page]
    target = "web"
    every = "30min"
    timeout = "1s"
    max_attempts = 1
    response = { dist = "fixed", value = "1s" }
"#;

#[test]
fn failed_requests_follow_the_rate_of_each_phase() {
    let node = TwoState::from_means(50.0, 20.0);
    let down = node.up_down();
    // 200 clients, one request each every 30 minutes; three times that in business hours.
    let base = 200.0 * 2.0;
    let stretches = [
        (0.0, 8.0, 1.0),
        (8.0, 18.0, 3.0),
        (18.0, 32.0, 1.0),
        (32.0, 42.0, 3.0),
        (42.0, 48.0, 1.0),
    ];
    let years = 48.0 / 8760.0;
    let failed: f64 = stretches
        .iter()
        .map(|&(a, b, f)| base * f * down.integral(a, b))
        .sum();
    let requests: f64 = stretches.iter().map(|&(a, b, f)| base * f * (b - a)).sum();
    // The same with the usual rate all the time: what ignoring the phase would give.
    let flat: f64 = base * down.integral(0.0, 48.0);
    let (_, sum) = simulate(SCENARIO);
    let r = &sum.requests[0];
    let mut ck = Checks::default();
    ck.close("requests per year", r.requests_per_year, requests / years);
    ck.exact(
        "failed requests per year",
        &r.failed_requests_per_year,
        failed / years,
    );
    ck.exact(
        "share of requests that failed",
        &nines::base::stats::Estimate {
            value: 1.0 - r.success_ratio.value,
            ci95_low: 1.0 - r.success_ratio.ci95_high,
            ci95_high: 1.0 - r.success_ratio.ci95_low,
            n: r.success_ratio.n,
        },
        failed / requests,
    );
    for (phase, f) in [("business", 3.0), ("other", 1.0)] {
        let row = sum
            .phase_requests
            .iter()
            .find(|x| x.request == "staff.page" && x.phase == phase)
            .unwrap_or_else(|| panic!("no requests row for {phase}"));
        let mine = stretches.iter().filter(|s| s.2 == f);
        let (n, failed): (f64, f64) = mine.fold((0.0, 0.0), |(n, x), &(a, b, f)| {
            (n + base * f * (b - a), x + base * f * down.integral(a, b))
        });
        ck.close(
            &format!("requests per year in {phase}"),
            row.requests_per_year,
            n / years,
        );
        ck.equal(&format!("rate multiplier in {phase}"), row.rate_factor, f);
        ck.exact(
            &format!("failed requests per year in {phase}"),
            &row.failed_requests_per_year,
            failed / years,
        );
        ck.exact(
            &format!("failed share in {phase}"),
            &row.failed_share,
            failed / n,
        );
    }
    let se = common::std_error(&r.failed_requests_per_year);
    let scaled_flat = flat * requests / (base * 48.0) / years;
    println!(
        "exact {:.1}, rate ignored {:.1}",
        failed / years,
        scaled_flat
    );
    assert!(
        (failed / years - scaled_flat).abs() > 10.0 * se,
        "the phase's weighting must matter"
    );
    ck.finish();
}

fn error(phase: &str, clients: &str, role: &str) -> String {
    let text = format!(
        r#"
        [simulation]
        mission = "1y"
        [nodes.a]
        failure = {{ dist = "exponential", mean = "100h" }}
        repair = {{ dist = "exponential", mean = "10h" }}
        [nodes.b]
        failure = {{ dist = "exponential", mean = "100h" }}
        repair = {{ dist = "exponential", mean = "10h" }}
        [roles.web]
        kind = "standalone"
        on = "a"
        {role}
        [roles.other]
        kind = "standalone"
        on = "b"
        [services.site]
        all_of = ["web"]
        [phases.peak]
        month_days = "last 2"
        {phase}
        [clients.staff]
        count = 10
        {clients}
        [clients.staff.requests.page]
        target = "web"
        every = "1h"
        timeout = "1s"
        response = {{ dist = "fixed", value = "1s" }}
        "#
    );
    compile(&text, "bad.toml")
        .map(|_| ())
        .unwrap_err()
        .to_string()
}

#[test]
fn bad_phase_rates_get_located_errors() {
    let e = error("rate = { staf = 2.0 }", "", "");
    assert!(
        e.contains("phases.peak.rate.staf") && e.contains("did you mean `staff`?"),
        "{e}"
    );
    let e = error("rate = { staff = 0 }", "", "");
    assert!(
        e.contains("phases.peak.rate.staff") && e.contains("must be a positive number"),
        "{e}"
    );
    let e = error("rate = { staff = \"2x\" }", "", "");
    assert!(e.contains("phases.peak.rate.staff"), "{e}");
    let e = error("rate = 2.0", "", "");
    assert!(e.contains("phases.peak.rate"), "{e}");
    let e = error("rate = { staff = 2.0 }", "", "capacity = \"100/s\"");
    assert!(
        e.contains("phases.peak.rate.staff") && e.contains("roles.web.capacity"),
        "{e}"
    );
    let e = error(
        "rate = { staff = 2.0 }",
        "reassign = { to = \"other\", after = \"1h\" }",
        "",
    );
    assert!(
        e.contains("phases.peak.rate.staff") && e.contains("clients.staff.reassign"),
        "{e}"
    );
    assert!(e.contains("bad.toml:"), "{e}");
}

#[test]
fn periodic_refresh_is_refused_with_a_phase_rate() {
    let text = r#"
        [simulation]
        mission = "1y"
        [nodes.a]
        failure = { dist = "exponential", mean = "100h" }
        repair = { dist = "exponential", mean = "10h" }
        [roles.web]
        kind = "standalone"
        on = "a"
        [services.site]
        all_of = ["web"]
        [phases.peak]
        months = "dec"
        rate = { staff = 2.0 }
        [clients.staff]
        count = 10
        [clients.staff.requests.poll]
        target = "web"
        every = "1h"
        timeout = "1s"
        response = { dist = "fixed", value = "1s" }
        stale_after = "4h"
        refresh = "periodic"
    "#;
    let e = compile(text, "bad.toml")
        .map(|_| ())
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("phases.peak.rate.staff") && e.contains("clients.staff.requests.poll.refresh"),
        "{e}"
    );
}

#[test]
fn validate_explains_the_rate_and_sweep_shows_each_phase() {
    use nines::analyses::compare::{self, CompareOptions};
    use nines::analyses::sweep;
    let text = r#"
        [simulation]
        mission = "1y"
        replications = 32
        seed = 5
        [phases.business]
        days = "mon-fri"
        from = "08:00"
        to = "18:00"
        rate = { staff = 3.0 }
        [nodes.n]
        failure = { dist = "exponential", mean = "100h" }
        repair = { dist = "exponential", mean = "5h" }
        [roles.web]
        kind = "pool"
        on = "n"
        [services.site]
        all_of = ["web"]
        needed_in = ["business"]
        [clients.staff]
        count = 10
        [clients.staff.requests.page]
        target = "web"
        every = "1h"
        timeout = "1s"
        response = { dist = "fixed", value = "1s" }
    "#;
    let model = compile(text, "p.toml").unwrap();
    let d = nines::analyses::explain::describe(&model);
    assert!(
        d.contains("phase business: mon-fri 08:00-18:00")
            && d.contains("clients staff make 3× their usual requests"),
        "{d}"
    );
    let params = vec![sweep::parse_set("nodes.n.count=1..2").unwrap()];
    let points = sweep::points(text, "s.toml", &params).unwrap();
    let models: Vec<&nines::model::Model> = points.iter().map(|p| &p.model).collect();
    let labels: Vec<String> = points.iter().map(|p| p.label.clone()).collect();
    let c = compare::run(
        &models,
        &labels,
        CompareOptions {
            threads: 2,
            progress: None,
            same_within: compare::DEFAULT_SAME_WITHIN,
        },
    )
    .expect("runs");
    let s = sweep::Sweep::new(&c, &points, &params, "site");
    assert_eq!(s.phases, ["business", "other", "needed"]);
    for (r, l) in s.rows.iter().zip(&c.layouts) {
        let row = l
            .summary
            .phases
            .iter()
            .find(|p| p.service == "site" && p.phase == "business")
            .unwrap();
        assert_eq!(r.phases[0].map(|a| a.value), Some(row.availability.value));
        assert_eq!(r.phases.len(), 3);
    }
    let table = s.table();
    assert!(
        table.contains("avail business") && table.contains("avail needed"),
        "{table}"
    );
    let csv = String::from_utf8(s.csv().unwrap()).unwrap();
    let header = csv.lines().next().unwrap();
    assert!(
        header.contains(
            "availability_business,availability_business_ci95_low,availability_business_ci95_high"
        ) && header.contains("availability_needed"),
        "{header}"
    );
}

/// Data age with `refresh = "poisson"` and a target that never fails: a client's successful requests
/// are a Poisson process of the rate in force λ(t) (before time 0 the first phase's, as the engine
/// assumes every instance was up for ever), so its data is older than τ at t with probability
/// exp(−Λ(t)), Λ(t) = ∫_{t−τ}^{t} λ. Λ is linear between the phase boundaries and those shifted by
/// τ, so the stale share (1/T)∫₀ᵀ exp(−Λ) is a sum of exact exponential integrals. Nothing here is
/// random: the engine integrates the same expectation, so the figures agree to rounding.
#[test]
fn data_age_follows_the_rate_of_each_phase() {
    let text = r#"
        [simulation]
        mission = "48h"
        replications = 4
        seed = 3
        [phases.business]
        from = "08:00"
        to = "18:00"
        rate = { staff = 3.0 }
        [nodes.n]
        failure = "never"
        repair = { dist = "fixed", value = "1h" }
        [roles.web]
        kind = "standalone"
        on = "n"
        [services.site]
        all_of = ["web"]
        [clients.staff]
        count = 50
        [clients.staff.requests.poll]
        target = "web"
        every = "2h"
        timeout = "1s"
        max_attempts = 1
        response = { dist = "fixed", value = "1s" }
        stale_after = "3h"
    "#;
    let (base, tau, t_end) = (0.5, 3.0, 48.0);
    let rate = |t: f64| {
        let h = t.rem_euclid(24.0);
        if t >= 0.0 && (8.0..18.0).contains(&h) {
            3.0 * base
        } else {
            base
        }
    };
    // ∫₀ᵗ λ (negative t: before the mission, at the first phase's rate).
    let cum = |t: f64| -> f64 {
        if t <= 0.0 {
            return base * t;
        }
        let day = (t / 24.0).floor();
        let h = t - 24.0 * day;
        let within = base * h + 2.0 * base * (h.clamp(8.0, 18.0) - 8.0);
        day * (base * 24.0 + 2.0 * base * 10.0) + within
    };
    let mut cuts: Vec<f64> = vec![0.0, t_end];
    for d in 0..2 {
        for b in [8.0, 18.0, 24.0] {
            for s in [0.0, tau] {
                let x = 24.0 * d as f64 + b + s;
                if x < t_end {
                    cuts.push(x);
                }
            }
        }
    }
    cuts.sort_by(f64::total_cmp);
    cuts.dedup();
    let stale: f64 = cuts
        .windows(2)
        .map(|w| {
            let (a, b) = (w[0], w[1]);
            let mid = 0.5 * (a + b);
            let k = rate(mid) - rate(mid - tau);
            let g = cum(a) - cum(a - tau);
            if k == 0.0 {
                (-g).exp() * (b - a)
            } else {
                (-g).exp() * -(-k * (b - a)).exp_m1() / k
            }
        })
        .sum::<f64>()
        / t_end;
    let flat = (-base * tau).exp();
    let (_, sum) = simulate(text);
    let age = sum.requests[0].data_age.as_ref().expect("data age");
    println!(
        "stale share: estimate {:.9} exact {stale:.9} (rate ignored {flat:.6})",
        age.stale_share.value
    );
    assert!(
        (age.stale_share.value - stale).abs() < 1e-9,
        "stale share {} against the exact {stale}",
        age.stale_share.value
    );
    assert!((stale - flat).abs() > 0.01, "the phase's rate must matter");
}
