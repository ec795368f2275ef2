//! A pool behind a load balancer (issue 19): requests keep going to a failed member until the balancer
//! has noticed and converged, and those requests fail. Checked against exact answers by the rule of
//! `tests/suite/exact.rs` (exact value within 4 standard errors, 4 SE below 1% of it).
//!
//! Two members fail and are repaired independently (exponential, failure rate λ, repair rate μ, no
//! crew). A request makes one attempt on a member the balancer has not dropped, chosen evenly. A
//! member that fails at u is dropped at u + w (w = detection + convergence) unless repaired first, and
//! used again the moment it is back. With each member Up, Not yet dropped (down, its failure younger
//! than w) or dropped (E), and the members independent, a request arriving at t fails with
//!
//! ```text
//!   P_U·P_N·½·2      one up, the other not yet dropped: half the requests go to the dead one
//! + (P_N + P_E)²     both down: the balancer sends everything to a dead member, or has none
//! = P_U(t)·P_N(t) + P_D(t)²,
//! ```
//!
//! where, from the all-up start, P_D(t) = p_D (1 − e^{−(λ+μ)t}) and P_N(t) = ∫_{t−w}^{t} λ P_U(u)
//! e^{−μ(t−u)} du (a failure at u still down at t), in closed form below. With an exponential window
//! of rate ν instead, e^{−μ(t−u)} becomes e^{−(μ+ν)(t−u)} over [0, t]. A pool with no balancer (the
//! client chooses at random and its one attempt fails on a dead member) fails with P_D(t). The
//! shares are mission averages of these, integrated numerically (the transient included).

use crate::common;

use common::{Checks, simulate};
use nines::estimate::summary::Summary;

/// Mean failure and repair times, hours.
const MTBF: f64 = 100.0;
const MTTR: f64 = 10.0;

fn failed_share<'a>(s: &'a Summary, name: &str) -> &'a nines::base::stats::Estimate {
    let r = s
        .requests
        .iter()
        .find(|r| r.name == name)
        .unwrap_or_else(|| panic!("no request kind {name}"));
    assert_eq!(r.outcome_shares.len(), 2, "one attempt, then failures");
    &r.outcome_shares[1]
}

/// Mission average of `f` over [0, t]: Simpson's rule, finely over the transient, then the rest.
fn average(f: impl Fn(f64) -> f64, t: f64, kink: f64) -> f64 {
    fn simpson(f: &dyn Fn(f64) -> f64, a: f64, b: f64, n: usize) -> f64 {
        let h = (b - a) / n as f64;
        let mut s = f(a) + f(b);
        for i in 1..n {
            s += f(a + i as f64 * h) * if i % 2 == 1 { 4.0 } else { 2.0 };
        }
        s * h / 3.0
    }
    // Pieces split where P_N has a kink (t = w), each smooth.
    let cut = 2000.0;
    (simpson(&f, 0.0, kink, 2000) + simpson(&f, kink, cut, 20_000) + simpson(&f, cut, t, 20_000))
        / t
}

#[test]
fn requests_to_a_failed_member_fail_until_the_balancer_converges() {
    let text = r#"
        [simulation]
        mission = "50y"
        replications = 100
        [defaults]
        failure = { dist = "exponential", mean = "100h" }
        repair = { dist = "exponential", mean = "10h" }
        [nodes.web]
        count = 2
        [roles.fixed]
        kind = "pool"
        on = "web"
        detection = "3h"
        convergence = "2h"
        [roles.random]
        kind = "pool"
        on = "web"
        detection = { dist = "exponential", mean = "5h" }
        [roles.plain]
        kind = "pool"
        on = "web"
        [clients.pc]
        count = 1
        [clients.pc.requests.fixed]
        target = "fixed"
        every = "1h"
        timeout = "1s"
        response = { dist = "fixed", value = "0.1s" }
        max_attempts = 1
        [clients.pc.requests.random]
        target = "random"
        every = "1h"
        timeout = "1s"
        response = { dist = "fixed", value = "0.1s" }
        max_attempts = 1
        [clients.pc.requests.plain]
        target = "plain"
        every = "1h"
        timeout = "1s"
        response = { dist = "fixed", value = "0.1s" }
        max_attempts = 1
    "#;
    let (model, s) = simulate(text);
    let t = model.simulation.mission;
    let (l, m) = (1.0 / MTBF, 1.0 / MTTR);
    let a = l + m;
    let p_d = l / a;
    let down = |x: f64| p_d * (1.0 - (-a * x).exp());
    let up = |x: f64| 1.0 - down(x);
    // ∫_s^x λ P_U(u) e^{−r(x−u)} du with P_U(u) = p_U + p_D e^{−a u}; its second part is λ p_D e^{−r x} ∫_s^x e^{(r−a)u} du = λ p_D e^{−r x} (e^{(r−a)x} − e^{(r−a)s})/(r − a).
    let not_dropped = |x: f64, s: f64, r: f64| {
        l * (1.0 - p_d) * (1.0 - (-r * (x - s)).exp()) / r
            + l * p_d * ((-a * x).exp() - (-r * x + (r - a) * s).exp()) / (r - a)
    };
    let w = 5.0;
    let fixed = |x: f64| {
        let n = not_dropped(x, (x - w).max(0.0), m);
        up(x) * n + down(x) * down(x)
    };
    let nu = 1.0 / 5.0;
    let random = |x: f64| {
        let n = not_dropped(x, 0.0, m + nu);
        up(x) * n + down(x) * down(x)
    };
    let mut ck = Checks::default();
    ck.exact(
        "failed share, fixed detection + convergence (5 h)",
        failed_share(&s, "pc.fixed"),
        average(fixed, t, w),
    );
    ck.exact(
        "failed share, exponential detection (mean 5 h)",
        failed_share(&s, "pc.random"),
        average(random, t, w),
    );
    ck.exact(
        "failed share, no balancer",
        failed_share(&s, "pc.plain"),
        average(down, t, w),
    );
    ck.finish();
}

/// The rendered errors of a scenario that must not compile, one `line:col: path: message` each.
fn errors(text: &str) -> Vec<String> {
    match nines::scenario::compile(text, "bad.toml") {
        Ok(_) => panic!("expected errors in\n{text}"),
        Err(e) => e
            .diagnostics
            .iter()
            .map(|d| format!("{}:{}: {}: {}", d.line, d.column, d.path, d.message))
            .collect(),
    }
}

const BASE: &str = r#"
[simulation]
mission = "1y"
[defaults]
failure = { dist = "exponential", mean = "1000h" }
repair = { dist = "exponential", mean = "10h" }
[nodes.web]
count = 2
[nodes.db]
"#;

#[test]
fn balancer_keys_get_located_errors() {
    // On a role that is not a pool.
    let e = errors(&format!(
        "[roles.r]\nkind = \"standalone\"\non = \"db\"\ndetection = \"5s\"\n{BASE}"
    ));
    assert!(
        e.iter()
            .any(|m| m.starts_with("4:1: roles.r.detection:")
                && m.contains("it is for kind = \"pool\"")),
        "{e:?}"
    );
    // A bare number, and a distribution with a typo.
    let e = errors(&format!(
        "[roles.r]\nkind = \"pool\"\non = \"web\"\ndetection = 5\nconvergence = {{ dist = \"exponentail\", mean = \"5s\" }}\n{BASE}"
    ));
    assert!(
        e.iter()
            .any(|m| m.starts_with("4:13: roles.r.detection:") && m.contains("\"5h\"")),
        "{e:?}"
    );
    assert!(
        e.iter()
            .any(|m| m.contains("roles.r.convergence") && m.contains("exponential")),
        "{e:?}"
    );
    // Requests to a pool behind a balancer do not choose the member.
    let e = errors(&format!(
        "[roles.r]\nkind = \"pool\"\non = \"web\"\ndetection = \"5s\"\n[clients.c]\ncount = 1\n[clients.c.requests.q]\ntarget = \"r\"\nevery = \"1h\"\ntimeout = \"1s\"\nresponse = {{ dist = \"fixed\", value = \"0.1s\" }}\nselection = \"ordered\"\n{BASE}"
    ));
    assert!(
        e.iter()
            .any(|m| m.starts_with("12:13: clients.c.requests.q.selection:")
                && m.contains("behind a load balancer")),
        "{e:?}"
    );
    // The defaults are fine, and `validate` explains the balancer in one line.
    let model = nines::scenario::compile(
        &format!(
            "[roles.r]\nkind = \"pool\"\non = \"web\"\nconvergence = {{ dist = \"exponential\", mean = \"5s\" }}\n[clients.c]\ncount = 1\n[clients.c.requests.q]\ntarget = \"r\"\nevery = \"1h\"\ntimeout = \"1s\"\nresponse = {{ dist = \"fixed\", value = \"0.1s\" }}\nselection = \"random\"\n{BASE}"
        ),
        "ok.toml",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert!(model.requests[0].balanced);
    let text = nines::analyses::explain::describe(&model);
    let line = text
        .lines()
        .find(|l| l.contains("role r:"))
        .expect("a line for role r");
    assert!(
        line.contains("behind a load balancer") && line.contains("detection none"),
        "{line}"
    );
    // The request's line says the balancer picks the member, not `selection`.
    let request = text
        .lines()
        .find(|l| l.contains("request c.q:"))
        .expect("a line for the request");
    assert!(
        request
            .contains("the balancer spreads requests evenly over the members it has not dropped")
            && !request.contains("selection random"),
        "{request}"
    );
}
