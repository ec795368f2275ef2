//! Work in flight (issue 20): a request with a `duration` needs the instance that took it until it is
//! done, and is cut when that instance goes down meanwhile. Checked against exact answers derived here,
//! by the rule of the other `exact*` modules (the exact value within 4 standard errors, 4 standard
//! errors below 1% of it), and the scenario errors that keep the feature to what it models.
//!
//! One server with exponential lifetimes (mean m) and repairs (mean r), one client polling once an
//! hour. A request served on an up instance is cut when the instance fails within its duration d:
//! with no memory in the lifetime, P(cut) = 1 − e^{−d/m} whenever the transfer starts.

use crate::common;

use common::ctmc::TwoState;
use common::{Checks, SingleTarget, simulate};
use nines::base::units::HOURS_PER_YEAR;

const M: f64 = 10.0;
const R: f64 = 2.0;
const D: f64 = 1.0;

fn scenario(replications: u32, attempts: &str, on_cut: &str) -> String {
    let requests = format!(
        r#"[clients.users.requests.stream]
target = "app"
every = "1h"
response = {{ dist = "fixed", value = "1s" }}
{attempts}
duration = "{D}h"
on_cut = "{on_cut}"
"#
    );
    SingleTarget {
        replications,
        node: ("srv", M, R),
        more_nodes: "",
        roles: "[roles.app]\nkind = \"standalone\"\non = \"srv\"",
        target: "app",
        clients: ("users", 1, ""),
        requests: &requests,
    }
    .text()
}

/// One attempt: the served requests are those arriving while the server is up (share 1 − q), and
/// each is cut with probability 1 − e^{−d/m}; a cut request fails.
#[test]
fn a_cut_request_fails_at_the_rate_of_failures_within_its_duration() {
    let (_, s) = simulate(&scenario(512, "timeout = \"1s\"\nmax_attempts = 1", "fail"));
    let q = &s.requests[0];
    let f = q.in_flight.as_ref().expect("in-flight figures");
    let srv = TwoState::from_means(M, R);
    let cut = HOURS_PER_YEAR * (1.0 - srv.q()) * (1.0 - (-D / M).exp());
    let mut checks = Checks::default();
    checks.exact("cut requests per year", &f.cut_per_year, cut);
    checks.exact(
        "failed after a cut per year",
        &f.failed_after_cut_per_year,
        cut,
    );
    assert!(
        f.added_mean_hours.is_none(),
        "no restarts with on_cut = fail"
    );
    checks.finish();
}

/// Three attempts an hour apart (30 min timeout, 30 min backoff): a request fails on arrival when the
/// server is down at all three attempt times; a cut request starts again at the cut, when the server
/// is down, so its restart fails with the same F = P(down after 1 h | down)²; restarted and cut again
/// at most three times.
#[test]
fn a_retried_request_fails_only_when_its_restarts_do() {
    let attempts = "timeout = \"30min\"\nmax_attempts = 3\nbackoff = \"30min\"";
    let (_, s) = simulate(&scenario(1024, attempts, "retry"));
    let q = &s.requests[0];
    let f = q.in_flight.as_ref().expect("in-flight figures");
    let srv = TwoState::from_means(M, R);
    let down_down = srv.q() + (1.0 - srv.q()) * (-srv.sigma() * 1.0).exp();
    let all_down = down_down * down_down;
    let served = HOURS_PER_YEAR * (1.0 - srv.q() * all_down);
    let c = 1.0 - (-D / M).exp();
    let cut = served * c;
    // Cut k (k = 1, 2, 3) is followed by a restart that fails with F or completes and is cut again
    // with c; the fourth cut fails.
    let x = (1.0 - all_down) * c;
    let fail_given_cut = all_down * (1.0 + x + x * x) + x * x * x;
    let mut checks = Checks::default();
    checks.exact("cut requests per year", &f.cut_per_year, cut);
    checks.exact(
        "failed after a cut per year",
        &f.failed_after_cut_per_year,
        cut * fail_given_cut,
    );
    // A completed retry takes at least one attempt interval (the cut finds the server down) plus
    // the part of the first transfer that was lost.
    let added = f.added_mean_hours.as_ref().expect("time added by retries");
    assert!(
        added.value > 1.0 && added.value < 1.0 + D + 2.0 * 1.0,
        "{added:?}"
    );
    checks.finish();
}

/// The errors that keep work in flight to what it models, each located at its field.
#[test]
fn in_flight_keys_are_checked() {
    let base = scenario(16, "timeout = \"1s\"", "fail");
    for (from, to, field, says) in [
        (
            "duration = \"1h\"\n",
            "",
            "on_cut",
            "applies only to a request with a `duration`",
        ),
        (
            "on_cut = \"fail\"",
            "on_cut = \"retyr\"",
            "on_cut",
            "did you mean \"retry\"",
        ),
        (
            "duration = \"1h\"",
            "duration = \"2d\"",
            "duration",
            "at most 1d",
        ),
        (
            "on_cut = \"fail\"",
            "on_cut = \"fail\"\nwhen_all_fail = \"cache\"",
            "duration",
            "cannot be cached yet",
        ),
        (
            "on_cut = \"fail\"",
            "on_cut = \"fail\"\nselection = \"sticky\"",
            "duration",
            "clients holding connections",
        ),
    ] {
        let text = base.replacen(from, to, 1);
        assert_ne!(text, base);
        let err = nines::scenario::compile(&text, "flight.toml")
            .err()
            .unwrap_or_else(|| panic!("{to:?} was accepted"))
            .to_string();
        assert!(err.contains("flight.toml:"), "{err}");
        assert!(
            err.contains(&format!("clients.users.requests.stream.{field}")),
            "{err}"
        );
        assert!(err.contains(says), "{err}");
    }
}
