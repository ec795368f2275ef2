//! Grace periods (`tolerance`): impactful downtime and impactful outages of a service over one
//! exponential component, against the alternating-renewal answer derived here.
//!
//! One node fails at rate λ = 1/F and is repaired at rate μ = 1/m (exponential), starting up. An
//! outage starts at s with density λ·P_up(s), P_up(s) = 1 − q + q·e^{−σs} (q = λ/σ, σ = λ + μ). It
//! lasts L ~ Exp(m), cut at the mission end T: its counted length is min(L, T − s). With tolerance τ it
//! is impactful when that exceeds τ (only possible for s < T − τ), with probability e^{−τ/m}; the
//! expected part beyond τ is ∫_τ^{T−s} P(L > x) dx = m(e^{−τ/m} − e^{−(T−s)/m}), and the rule "whole"
//! adds τ·e^{−τ/m}. Integrating over s ∈ [0, A], A = T − τ, in closed form:
//!   ∫ λP_up = λ((1 − q)A + q(1 − e^{−σA})/σ),
//!   ∫ λP_up(s)·e^{−(T−s)/m} ds = λ((1 − q)·m·(e^{−τ/m} − e^{−T/m}) − q·(e^{−τ/m−σA} − e^{−T/m})/λ)
//! (as 1/m − σ = −λ). Over a long mission the edge terms are small, but they are kept exact.
//!
//! Also `failure = "never"`: nodes that never fail beside the same node change none of its figures.

use crate::common;

use common::Checks;
use nines::base::units::HOURS_PER_YEAR;

const F: f64 = 100.0;
const M: f64 = 10.0;
const TAU: f64 = 10.0;
const YEARS: f64 = 100.0;

fn scenario(counts: &str) -> String {
    format!(
        r#"
        [simulation]
        mission = "100y"
        replications = 200
        seed = 2020
        [nodes.a]
        failure = {{ dist = "exponential", mean = "100h" }}
        repair = {{ dist = "exponential", mean = "10h" }}
        [roles.r]
        kind = "standalone"
        on = "a"
        [services.s]
        all_of = ["r"]
        target = 0.9
        tolerance = "10h"
        tolerance_counts = "{counts}"
        "#
    )
}

/// Expected outages, impactful outages and impactful hours (rule "excess", then "whole") per year.
fn exact() -> (f64, f64, f64, f64) {
    let (lambda, mu) = (1.0 / F, 1.0 / M);
    let sigma = lambda + mu;
    let q = lambda / sigma;
    let t = YEARS * HOURS_PER_YEAR;
    let up_integral = |a: f64| (1.0 - q) * a + q * (1.0 - (-sigma * a).exp()) / sigma;
    let outages = lambda * up_integral(t);
    let a = t - TAU;
    let grace = (-TAU / M).exp();
    let started = lambda * up_integral(a);
    let tail = lambda
        * ((1.0 - q) * M * (grace - (-t / M).exp())
            - q * ((-TAU / M - sigma * a).exp() - (-t / M).exp()) / lambda);
    let impactful = started * grace;
    let excess = M * (started * grace - tail);
    let whole = excess + TAU * impactful;
    (
        outages / YEARS,
        impactful / YEARS,
        excess / YEARS,
        whole / YEARS,
    )
}

#[test]
fn impactful_downtime_with_exponential_outages_matches_alternating_renewal() {
    let (outages, impactful, excess, whole) = exact();
    let mut checks = Checks::default();
    for (counts, hours) in [("excess", excess), ("whole", whole)] {
        let (_, s) = common::simulate(&scenario(counts));
        let e = &s.entities[0];
        let t = e.tolerance.as_ref().expect("the service has a tolerance");
        assert_eq!(t.counts, counts);
        assert_eq!(t.tolerance_hours, TAU);
        checks.exact(
            &format!("{counts}: outages/yr"),
            &e.outages_per_year,
            outages,
        );
        checks.exact(
            &format!("{counts}: impactful outages/yr"),
            &t.impactful_outages_per_year,
            impactful,
        );
        checks.exact(
            &format!("{counts}: impactful hours/yr"),
            &t.impactful_downtime_hours_per_year,
            hours,
        );
        // Against a 90% target no year misses: the downtime share is ~9%, the impactful share less.
        let p = t.probability_year_misses_target.expect("target");
        assert!(p.value <= e.probability_year_misses_target.unwrap().value);
        // The role has no tolerance of its own.
        assert!(s.entities[1].tolerance.is_none());
    }
    checks.finish();
}

/// `failure = "never"` (and `{ dist = "never" }`): the same node `a` in a pool that needs every
/// instance, beside two that never fail (one with a repair law, one never repaired), has exactly the
/// alternating-renewal figures of `a` alone, in the simulation and in the exact mode (rate 0).
#[test]
fn never_failing_nodes_add_no_downtime() {
    let text = r#"
        [simulation]
        mission = "100y"
        replications = 200
        seed = 2021
        [nodes.a]
        failure = { dist = "exponential", mean = "100h" }
        repair = { dist = "exponential", mean = "10h" }
        [nodes.b]
        failure = "never"
        repair = { dist = "exponential", mean = "10h" }
        [nodes.w]
        failure = { dist = "never" }
        repair = "none"
        [roles.r]
        kind = "pool"
        on = ["a", "b", "w"]
        min_up = 3
        [services.s]
        all_of = ["r"]
        "#;
    let (outages, ..) = exact();
    let q = M / (F + M);
    let (model, s) = common::simulate(text);
    let e = &s.entities[0];
    let mut checks = Checks::default();
    checks.exact("never: outages/yr", &e.outages_per_year, outages);
    // Starting up, P_down(s) = q(1 − e^{−σs}); its mean over the mission is q(1 − (1 − e^{−σT})/(σT)).
    let sigma = 1.0 / F + 1.0 / M;
    let t = YEARS * HOURS_PER_YEAR;
    let mean_u = q * (1.0 - (1.0 - (-sigma * t).exp()) / (sigma * t));
    checks.exact("never: unavailability", &e.unavailability, mean_u);
    checks.finish();
    // Only `a` is ever down while the service is.
    assert!(s.contributions.iter().all(|c| c.component == "a"));
    let x = nines::analyses::exact::solve(&model, &nines::analyses::exact::Options::default())
        .expect("a never-failing node is Markovian (rate 0)");
    let svc = &x.entities[0];
    assert!(
        (svc.unavailability - q).abs() < 1e-12,
        "{}",
        svc.unavailability
    );
    let per_year = HOURS_PER_YEAR / F * (1.0 - q);
    assert!((svc.outages_per_year - per_year).abs() < 1e-9 * per_year);
}
