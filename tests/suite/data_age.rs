//! Data age (issue 20, `stale_after`): the time since a client's last successful request, over all
//! clients and mission time. Checked against the exact answer derived here, by the rule of the other
//! `exact*` modules (within 4 standard errors, 4 standard errors below 1%).
//!
//! A client's requests are Poisson (rate λ). With the target's instances a Markov chain (generator Q)
//! and a request succeeding with probability pᵢ in state i, the successful requests are a Poisson
//! process modulated by the chain, of intensity rᵢ = λ·pᵢ. At a stationary moment the age exceeds a
//! when no success fell in the last a hours: by Feynman–Kac, P(age > a) = π·exp((Q − R)a)·1 with
//! R = diag(r), so the mean age is π·(R − Q)⁻¹·1 and the stale share is P(age > stale_after).

use crate::common;

use common::ctmc::{expm, solve};
use common::{Checks, SingleTarget, simulate};

/// Stationary distribution of the generator `q`.
fn stationary(q: &[Vec<f64>]) -> Vec<f64> {
    let n = q.len();
    // πQ = 0 with Σπ = 1: the transpose's last equation replaced by the normalisation.
    let mut a: Vec<Vec<f64>> = (0..n).map(|i| (0..n).map(|j| q[j][i]).collect()).collect();
    a[n - 1] = vec![1.0; n];
    let mut b = vec![0.0; n];
    b[n - 1] = 1.0;
    solve(a, b)
}

/// (mean age, P(age > tau), the age's quantile function) for generator `q` and success rates `r`.
fn exact(q: &[Vec<f64>], r: &[f64], tau: f64) -> (f64, f64, impl Fn(f64) -> f64 + use<>) {
    let n = q.len();
    let pi = stationary(q);
    let g: Vec<Vec<f64>> = (0..n)
        .map(|i| {
            (0..n)
                .map(|j| q[i][j] - if i == j { r[i] } else { 0.0 })
                .collect()
        })
        .collect();
    let neg: Vec<Vec<f64>> = g
        .iter()
        .map(|row| row.iter().map(|x| -x).collect())
        .collect();
    let x = solve(neg, vec![1.0; n]);
    let mean: f64 = pi.iter().zip(&x).map(|(p, v)| p * v).sum();
    let survival = move |a: f64| -> f64 {
        let e = expm(&g, a);
        (0..n)
            .map(|i| pi[i] * e[i].iter().sum::<f64>())
            .sum::<f64>()
    };
    let stale = survival(tau);
    let quantile = move |p: f64| -> f64 {
        let (mut lo, mut hi) = (0.0, 1.0);
        while survival(hi) > 1.0 - p {
            hi *= 2.0;
        }
        for _ in 0..60 {
            let mid = 0.5 * (lo + hi);
            if survival(mid) > 1.0 - p {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        hi
    };
    (mean, stale, quantile)
}

fn scenario(role: &str, replications: u32) -> String {
    with_node(role, replications, 10.0)
}

/// Management point `mp` (`role`) on node a (exponential, mean time to failure `mttf` hours, repairs
/// 1 h) or on a and b; 40 000 clients poll it every 30 minutes, one attempt.
fn with_node(role: &str, replications: u32, mttf: f64) -> String {
    SingleTarget {
        replications,
        node: ("a", mttf, 1.0),
        more_nodes: "[nodes.b]\nfailure = { dist = \"exponential\", mean = \"10h\" }\nrepair = { dist = \"exponential\", mean = \"1h\" }",
        roles: role,
        target: "mp",
        clients: ("pcs", 40_000, ""),
        requests: r#"[clients.pcs.requests.policy]
target = "mp"
every = "30min"
timeout = "1s"
max_attempts = 1
response = { dist = "fixed", value = "1s" }
stale_after = "90min"
"#,
    }
    .text()
}

/// One management point (up ⇄ down, exponential): requests succeed at rate λ while it is up.
#[test]
fn data_age_against_an_alternating_target() {
    let text = scenario("[roles.mp]\nkind = \"standalone\"\non = \"a\"", 200);
    let (fail, repair, lambda, tau) = (0.1, 1.0, 2.0, 1.5);
    let q = vec![vec![-fail, fail], vec![repair, -repair]];
    let (mean, stale, quantile) = exact(&q, &[lambda, 0.0], tau);
    let (_, s) = simulate(&text);
    let age = s.requests[0].data_age.as_ref().expect("data age");
    let mut checks = Checks::default();
    checks.exact("mean age, hours", &age.mean_hours, mean);
    checks.exact("share of client-time stale", &age.stale_share, stale);
    checks.exact(
        "clients stale on average",
        &age.stale_clients,
        40_000.0 * stale,
    );
    checks.finish();
    // Percentiles: the exact value within the reported interval widened by the histogram's
    // resolution (edges 9% apart).
    for (p, e) in [
        (0.5, &age.p50_hours),
        (0.9, &age.p90_hours),
        (0.95, &age.p95_hours),
        (0.99, &age.p99_hours),
    ] {
        let x = quantile(p);
        println!(
            "P{p}: {} [{}, {}] exact {x}",
            e.value, e.ci95_low, e.ci95_high
        );
        assert!(
            e.ci95_low / 1.09 <= x && x <= e.ci95_high * 1.09,
            "P{p}: exact {x} outside [{}, {}]",
            e.ci95_low,
            e.ci95_high
        );
    }
    // The longest outage of a year of ~800 exponential ones (mean 1 h) is about ln 800 ≈ 6.7 h.
    assert!(
        (4.0..12.0).contains(&age.worst_mean_hours.value),
        "{:?}",
        age.worst_mean_hours
    );
    assert!(age.worst_max_hours >= age.worst_mean_hours.value);
}

/// Two instances of which a request tries one at random (one attempt): with one of them down, half
/// the requests fail, so the data refreshes at λ/2: a state where the success probability is neither
/// 0 nor 1.
#[test]
fn data_age_when_some_requests_fail() {
    let text = scenario("[roles.mp]\nkind = \"pool\"\non = [\"a\", \"b\"]", 50);
    let (f, r, lambda, tau) = (0.1, 1.0, 2.0, 1.5);
    // States: both up, one up, none up.
    let q = vec![
        vec![-2.0 * f, 2.0 * f, 0.0],
        vec![r, -(r + f), f],
        vec![0.0, 2.0 * r, -2.0 * r],
    ];
    let (mean, stale, _) = exact(&q, &[lambda, lambda / 2.0, 0.0], tau);
    let (_, s) = simulate(&text);
    let age = s.requests[0].data_age.as_ref().expect("data age");
    let mut checks = Checks::default();
    checks.exact("mean age, hours", &age.mean_hours, mean);
    checks.exact("share of client-time stale", &age.stale_share, stale);
    checks.finish();
}

#[test]
fn stale_after_must_be_a_positive_duration() {
    let text = scenario("[roles.mp]\nkind = \"standalone\"\non = \"a\"", 10)
        .replace("stale_after = \"90min\"", "stale_after = \"0h\"");
    let err = nines::scenario::compile(&text, "age.toml")
        .expect_err("refused")
        .to_string();
    assert!(err.contains("age.toml:"), "{err}");
    assert!(
        err.contains("clients.pcs.requests.policy.stale_after"),
        "{err}"
    );
    assert!(err.contains("longer than zero"), "{err}");
}

#[test]
fn kinds_without_stale_after_report_no_data_age() {
    let text = scenario("[roles.mp]\nkind = \"standalone\"\non = \"a\"", 10)
        .replace("stale_after = \"90min\"\n", "");
    let (_, s) = simulate(&text);
    assert!(s.requests[0].data_age.is_none());
}

/// Periodic polls (`refresh = "periodic"`): each client polls exactly every P = 30 min, the clients
/// out of phase, against one exponential instance (up ⇄ down, failure rate f, repair rate r). A
/// client whose last poll was x ago (x uniform on [0, P)) has age above a when every poll in
/// (t − a, t] found the instance down: n = #{j ≥ 0 : x + jP < a} polls, which is m + 1 for x < ρ
/// and m otherwise (a = mP + ρ). Sampled every P the instance is a two-state Markov chain, so at a
/// stationary moment n polls back to back all find it down with probability
/// Qₙ = π_d·p_dd^{n−1}, p_dd = π_d + π_u·e^{−(f+r)P}. Hence P(age > a) = (ρ/P)·Q_{m+1} +
/// (1 − ρ/P)·Q_m, and the mean age is E[x] + P·E[failed polls in a row] = P/2 + P·Σ_{n≥1} Qₙ =
/// P/2 + P·π_d/(1 − p_dd).
#[test]
fn data_age_with_periodic_polls_against_an_alternating_target() {
    let text = scenario("[roles.mp]\nkind = \"standalone\"\non = \"a\"", 500).replace(
        "stale_after = \"90min\"",
        "stale_after = \"48min\"\nrefresh = \"periodic\"",
    );
    let (fail, repair, period, tau) = (0.1f64, 1.0, 0.5f64, 0.8f64);
    let pi_d = fail / (fail + repair);
    let p_dd = pi_d + (1.0 - pi_d) * (-(fail + repair) * period).exp();
    let q = |n: u32| {
        if n == 0 {
            1.0
        } else {
            pi_d * p_dd.powi(n as i32 - 1)
        }
    };
    let m = (tau / period).floor();
    let rho = tau - m * period;
    let stale = rho / period * q(m as u32 + 1) + (1.0 - rho / period) * q(m as u32);
    let mean = period / 2.0 + period * pi_d / (1.0 - p_dd);
    let (_, s) = simulate(&text);
    let age = s.requests[0].data_age.as_ref().expect("data age");
    let mut checks = Checks::default();
    checks.exact("mean age, hours", &age.mean_hours, mean);
    checks.exact("share of client-time stale", &age.stale_share, stale);
    checks.finish();
}

/// With every poll succeeding (an instance that never fails) the age is uniform on [0, P): mean
/// P/2, and a share 1 − τ/P of client-time above τ < P; Poisson refresh would give 1/λ = P and e^{−τ/P}.
#[test]
fn periodic_polls_with_every_instance_up() {
    let text = with_node(
        "[roles.mp]\nkind = \"standalone\"\non = \"a\"",
        4,
        f64::INFINITY,
    )
    .replace(
        "stale_after = \"90min\"",
        "stale_after = \"12min\"\nrefresh = \"periodic\"",
    );
    let (_, s) = simulate(&text);
    let age = s.requests[0].data_age.as_ref().expect("data age");
    assert!(
        (age.mean_hours.value - 0.25).abs() < 1e-9,
        "{:?}",
        age.mean_hours
    );
    assert!(
        (age.stale_share.value - 0.6).abs() < 1e-9,
        "{:?}",
        age.stale_share
    );
}

#[test]
fn refresh_is_checked() {
    let base = scenario("[roles.mp]\nkind = \"standalone\"\non = \"a\"", 10);
    let bad = base.replace(
        "stale_after = \"90min\"",
        "stale_after = \"90min\"\nrefresh = \"hourly\"",
    );
    let err = nines::scenario::compile(&bad, "age.toml")
        .expect_err("refused")
        .to_string();
    assert!(err.contains("clients.pcs.requests.policy.refresh"), "{err}");
    assert!(err.contains("\"periodic\""), "{err}");
    let alone = base.replace("stale_after = \"90min\"", "refresh = \"periodic\"");
    let err = nines::scenario::compile(&alone, "age.toml")
        .expect_err("refused")
        .to_string();
    assert!(err.contains("age.toml:"), "{err}");
    assert!(err.contains("add `stale_after`"), "{err}");
}
