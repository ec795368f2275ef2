//! Phases against exact answers: a service needed only in business hours over one exponential node
//! (the 2-state chain's transient integrated over each business stretch), a 1-of-2 pool that needs
//! both nodes in a month-end phase (the pool's chain in its stationary state, time in phase × state),
//! and the located errors of bad calendars.
//!
//! One exponential node (failure rate λ, repair rate μ) starting up: its availability at time t is
//! A(t) = A∞ + (1 − A∞)·e^{−st}, with A∞ = μ/s and s = λ + μ. A phase's availability over a mission is
//! the average of A(t) over the hours of the phase in the mission: per stretch [a, b),
//! ∫ A = A∞(b − a) + (1 − A∞)(e^{−sa} − e^{−sb})/s. Within a two-day mission with repairs of
//! hours, business hours (08:00–18:00) see the node nearer its start than the night does, so their
//! availability differs from A∞ and from the whole mission's.
//!
//! Nodes of a pool fail and are repaired independently, whatever the pool's `min_up`: in the long run
//! each is up with probability A = μ/(λ + μ), so a 1-of-2 pool is down with probability (1 − A)² and a
//! 2-of-2 one with 1 − A². Over a mission of years the start's transient adds less than a repair time
//! in all, far below the tolerance.

use crate::common;

use common::ctmc::TwoState;
use common::{Checks, simulate};
use nines::base::stats::Estimate;
use nines::scenario::compile;

fn flip(e: &Estimate) -> Estimate {
    Estimate {
        value: 1.0 - e.value,
        ci95_low: 1.0 - e.ci95_high,
        ci95_high: 1.0 - e.ci95_low,
        n: e.n,
    }
}

fn row<'s>(
    s: &'s nines::estimate::summary::Summary,
    name: &str,
) -> &'s nines::estimate::summary::PhaseSummary {
    s.phases
        .iter()
        .find(|p| format!("{}.{}", p.service, p.phase) == name)
        .unwrap_or_else(|| panic!("no phase row {name}"))
}

#[test]
fn business_hours_of_one_exponential_node_match_the_transient() {
    let (mttf, mttr) = (50.0, 20.0);
    let text = format!(
        r#"
        [simulation]
        mission = "48h"
        replications = 400000
        seed = 2121
        [phases.business]
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
    let node = TwoState::from_means(mttf, mttr);
    let a_inf = 1.0 - node.q();
    let up = node.up_up();
    let integral = |a: f64, b: f64| up.integral(a, b);
    let business = [(8.0, 18.0), (32.0, 42.0)];
    let other = [(0.0, 8.0), (18.0, 32.0), (42.0, 48.0)];
    let avg = |set: &[(f64, f64)]| {
        let (up, len) = set.iter().fold((0.0, 0.0), |(u, l), &(a, b)| {
            (u + integral(a, b), l + b - a)
        });
        up / len
    };
    let (ab, ao) = (avg(&business), avg(&other));
    let (_, sum) = simulate(&text);
    let mut ck = Checks::default();
    let b = row(&sum, "site.business");
    ck.equal("business hours per year", b.hours_per_year, 3650.0);
    ck.exact(
        "unavailability in business hours",
        &flip(&b.availability),
        1.0 - ab,
    );
    ck.exact(
        "unavailability in other hours",
        &flip(&row(&sum, "site.other").availability),
        1.0 - ao,
    );
    ck.exact(
        "unavailability over needed hours",
        &flip(&row(&sum, "site.needed").availability),
        1.0 - ab,
    );
    // The answer differs from the stationary one by far more than the estimate's error.
    let se = common::std_error(&b.availability);
    println!("A∞ {a_inf:.6}, business {ab:.6}, other {ao:.6}");
    assert!(
        (ab - a_inf).abs() > 10.0 * se,
        "business hours must differ from A∞"
    );
    assert!(!b.counts || b.phase == "business");
    assert!(!row(&sum, "site.other").counts);
    ck.finish();
}

#[test]
fn a_pool_needing_both_nodes_at_month_end_matches_its_chain() {
    let (mttf, mttr) = (100.0, 10.0);
    let text = format!(
        r#"
        [simulation]
        mission = "10y"
        replications = 3000
        seed = 2122
        [phases.month_end]
        month_days = "last 2"
        min_up = {{ web = 2 }}
        [nodes.w1]
        failure = {{ dist = "exponential", mean = "{mttf}h" }}
        repair = {{ dist = "exponential", mean = "{mttr}h" }}
        [nodes.w2]
        failure = {{ dist = "exponential", mean = "{mttf}h" }}
        repair = {{ dist = "exponential", mean = "{mttr}h" }}
        [roles.web]
        kind = "pool"
        on = ["w1", "w2"]
        min_up = 1
        [services.site]
        all_of = ["web"]
        "#
    );
    let a = 1.0 - TwoState::from_means(mttf, mttr).q();
    let (u_me, u_other) = (1.0 - a * a, (1.0 - a) * (1.0 - a));
    // The last two days of each of the 12 months: 24 days a year.
    let h_me = 24.0 * 24.0;
    let u_all = (h_me * u_me + (8760.0 - h_me) * u_other) / 8760.0;
    let (_, sum) = simulate(&text);
    let mut ck = Checks::default();
    ck.equal(
        "month-end hours per year",
        row(&sum, "site.month_end").hours_per_year,
        h_me,
    );
    ck.exact(
        "unavailability at month end (2 of 2)",
        &flip(&row(&sum, "site.month_end").availability),
        u_me,
    );
    ck.exact(
        "unavailability otherwise (1 of 2)",
        &flip(&row(&sum, "site.other").availability),
        u_other,
    );
    ck.exact(
        "downtime per year at month end",
        &row(&sum, "site.month_end").downtime_hours_per_year,
        h_me * u_me,
    );
    ck.exact(
        "unavailability overall",
        &sum.entities[0].unavailability,
        u_all,
    );
    ck.finish();
}

fn errors(extra: &str, service_extra: &str) -> String {
    let text = format!(
        r#"
        [simulation]
        mission = "1y"
        [nodes.w1]
        failure = {{ dist = "exponential", mean = "100h" }}
        repair = {{ dist = "exponential", mean = "10h" }}
        [nodes.w2]
        failure = {{ dist = "exponential", mean = "100h" }}
        repair = {{ dist = "exponential", mean = "10h" }}
        [roles.web]
        kind = "pool"
        on = ["w1", "w2"]
        min_up = 1
        [roles.one]
        kind = "standalone"
        on = "w1"
        [services.site]
        all_of = ["web"]
        {service_extra}
        {extra}
        "#
    );
    compile(&text, "bad.toml")
        .map(|_| ())
        .unwrap_err()
        .to_string()
}

#[test]
fn bad_calendars_get_located_errors() {
    let e = errors(
        "[phases.day]\nfrom = \"08:00\"\nto = \"18:00\"\n[phases.peak]\ndays = \"mon-fri\"\nfrom = \"17:00\"\nto = \"19:00\"",
        "",
    );
    assert!(
        e.contains("phases.peak") && e.contains("overlaps phase `day`"),
        "{e}"
    );
    let e = errors("[phases.never]\nmonth_days = \"31\"\nmonths = \"feb\"", "");
    assert!(
        e.contains("phases.never") && e.contains("never holds"),
        "{e}"
    );
    let e = errors(
        "[phases.business]\nfrom = \"08:00\"\nto = \"18:00\"",
        "needed_in = [\"busines\"]",
    );
    assert!(
        e.contains("services.site.needed_in[0]") && e.contains("did you mean `business`?"),
        "{e}"
    );
    let e = errors("[phases.peak]\nmonths = \"dec\"\nmin_up = { web = 3 }", "");
    assert!(
        e.contains("phases.peak.min_up.web") && e.contains("between 1 and the pool's 2 nodes"),
        "{e}"
    );
    let e = errors("[phases.peak]\nmonths = \"dec\"\nmin_up = { one = 1 }", "");
    assert!(e.contains("role `one` is not a pool"), "{e}");
    let e = errors("[phases.peak]\nmonths = \"dex\"", "");
    assert!(
        e.contains("phases.peak.months") && e.contains("did you mean `dec`?"),
        "{e}"
    );
    let e = errors("[phases.night]\nfrom = \"22:00\"\nto = \"06:00\"", "");
    assert!(
        e.contains("phases.night.to") && e.contains("must be after `from`"),
        "{e}"
    );
    let e = errors("[phases.other]\nmonths = \"dec\"", "");
    assert!(e.contains("implicit phase"), "{e}");
    let e = errors("[phases.peak]\nmonths = \"dec\"\nlength = \"2h\"", "");
    assert!(
        e.contains("phases.peak.length") && e.contains("unknown key"),
        "{e}"
    );
    // Line numbers: every message is located in the file.
    assert!(e.contains("bad.toml:"), "{e}");
}

/// `Chain::new` (the rare-event estimator and `--importance`, which need one reward for the whole run)
/// refuses phases by name; `nines exact` solves them through `Chain::phased` (tests/suite/exact_phases.rs).
#[test]
fn the_single_reward_chain_refuses_phases_by_name_and_validate_explains_them() {
    let text = r#"
        [simulation]
        mission = "1y"
        [phases.business]
        days = "mon-fri"
        from = "08:00"
        to = "18:00"
        [nodes.a]
        failure = { dist = "exponential", mean = "100h" }
        repair = { dist = "exponential", mean = "10h" }
        [roles.r]
        kind = "standalone"
        on = "a"
        [services.s]
        all_of = ["r"]
        needed_in = ["business"]
    "#;
    let model = compile(text, "p.toml").unwrap();
    let e = match nines::analyses::exact::Chain::new(&model, false) {
        Ok(_) => panic!("phases must be refused"),
        Err(e) => e.to_string(),
    };
    assert!(e.contains("phases.business"), "{e}");
    let d = nines::analyses::explain::describe(&model);
    assert!(d.contains("phase business: mon-fri 08:00-18:00"), "{d}");
    assert!(d.contains("service s is needed only in business"), "{d}");
}
