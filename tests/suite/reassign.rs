//! Reassignment (issue 20): once the target has had no live instance for `after` (a fixed operator
//! delay), a share of the population moves to another role, and back `back_after` after the target
//! returns. Checked against the exact answer derived here, by the rule of the other `exact*` modules
//! (within 4 standard errors, 4 standard errors below 1%).
//!
//! The target runs on one node with exponential lifetimes (mean m) and repairs (mean r); the other role
//! never fails. With exponential repairs the age of an outage in progress is exponential with mean r,
//! and an outage lasts past δ with probability e^{−δ/r}. A request fails when it finds the target down
//! and its client not moved. With `back_after = 0` the clients are moved exactly while the current
//! outage is older than δ: a share s·e^{−δ/r} of the down time is served. With `back_after = b`, the
//! clients are still moved when an outage starts within b of the end of one they were moved in: with
//! u = 1 − e^{−b/m} (an up time shorter than b) and e = e^{−δ/r}, the chance π of starting an outage
//! moved solves p = π + (1 − π)·e (moved at its end), π = u·p.

use crate::common;

use common::ctmc::TwoState;
use common::{Checks, SingleTarget, simulate};
use nines::base::units::HOURS_PER_YEAR;

const M: f64 = 10.0;
const R: f64 = 2.0;

fn scenario(reassign: &str) -> String {
    with_replications(reassign, 1024)
}

fn with_replications(reassign: &str, replications: u32) -> String {
    SingleTarget {
        replications,
        node: ("mp", M, R),
        more_nodes: "[nodes.other]\nfailure = \"never\"\nrepair = { dist = \"fixed\", value = \"1h\" }",
        roles: "[roles.mp1]\nkind = \"standalone\"\non = \"mp\"\n\n[roles.mp2]\nkind = \"standalone\"\non = \"other\"",
        target: "mp1",
        clients: ("users", 1, reassign),
        requests: r#"[clients.users.requests.policy]
target = "mp1"
every = "1h"
timeout = "1s"
max_attempts = 1
response = { dist = "fixed", value = "1s" }
"#,
    }
    .text()
}

#[test]
fn a_moved_share_is_served_once_the_outage_is_older_than_the_delay() {
    let mp = TwoState::from_means(M, R);
    let outages = HOURS_PER_YEAR / (M + R);
    let mut checks = Checks::default();
    // Outages longer than 3 hours are rarer: twice the replications keep 4 SE under 1%.
    for (delta, share, replications) in [(1.0, 0.5, 1024), (3.0, 1.0, 2048)] {
        let (_, s) = simulate(&with_replications(
            &format!("reassign = {{ to = \"mp2\", after = \"{delta}h\", share = {share} }}"),
            replications,
        ));
        let r = &s.requests[0];
        let e = (-delta / R).exp();
        let failed = HOURS_PER_YEAR * mp.q() * (1.0 - share * e);
        let what = |x: &str| format!("{x}, after {delta}h, share {share}");
        checks.exact(
            &what("failed requests per year"),
            &r.failed_requests_per_year,
            failed,
        );
        checks.exact(
            &what("client-visible downtime"),
            &r.client_visible_downtime_hours_per_year,
            failed,
        );
        let m = r.reassign.as_ref().expect("reassignment figures");
        checks.exact(
            &what("reassignments per year"),
            &m.reassignments_per_year,
            outages * e,
        );
        // Moved for the part of each long outage beyond δ: E[(D − δ)⁺] = r·e^{−δ/r}.
        checks.exact(
            &what("hours moved per year"),
            &m.reassigned_hours_per_year,
            outages * R * e,
        );
    }
    checks.finish();
}

#[test]
fn clients_moved_back_late_are_still_away_when_the_next_outage_starts() {
    let (delta, back, share) = (1.0, 2.0, 1.0);
    let (_, s) = simulate(&scenario(&format!(
        "reassign = {{ to = \"mp2\", after = \"{delta}h\", share = {share}, back_after = \"{back}h\" }}"
    )));
    let mp = TwoState::from_means(M, R);
    let e = (-delta / R).exp();
    let u = 1.0 - (-back / M).exp();
    let p = e / (1.0 - u * (1.0 - e));
    let pi = u * p;
    let not_moved = (1.0 - pi) * (1.0 - e);
    let failed = HOURS_PER_YEAR * mp.q() * (1.0 - share * (1.0 - not_moved));
    let r = &s.requests[0];
    let m = r.reassign.as_ref().expect("reassignment figures");
    let mut checks = Checks::default();
    checks.exact(
        "failed requests per year, back after 2h",
        &r.failed_requests_per_year,
        failed,
    );
    checks.exact(
        "reassignments per year, back after 2h",
        &m.reassignments_per_year,
        HOURS_PER_YEAR / (M + R) * (1.0 - pi) * e,
    );
    checks.finish();
}

#[test]
fn without_an_outage_long_enough_nobody_moves_and_nothing_changes() {
    // The delay is longer than any outage can plausibly last in a year (repairs of 2h on average):
    // the figures are those of the same scenario without reassignment, to the last digit.
    let (_, with) = simulate(&scenario(
        "reassign = { to = \"mp2\", after = \"2000h\", share = 1.0 }",
    ));
    let (_, without) = simulate(&scenario(""));
    let (a, b) = (&with.requests[0], &without.requests[0]);
    assert_eq!(
        a.failed_requests_per_year.value,
        b.failed_requests_per_year.value
    );
    assert_eq!(a.latency_mean_hours.value, b.latency_mean_hours.value);
    let m = a.reassign.as_ref().unwrap();
    assert_eq!(m.reassignments_per_year.value, 0.0);
    assert_eq!(m.reassigned_hours_per_year.value, 0.0);
    assert!(b.reassign.is_none());
}

fn refused(reassign: &str) -> String {
    nines::scenario::compile(&scenario(reassign), "mp.toml")
        .expect_err("refused")
        .to_string()
}

#[test]
fn bad_reassignments_are_refused_with_the_field_and_what_is_valid() {
    let err = refused("reassign = { to = \"mp2\", after = \"1h\", crew = \"ops\" }");
    assert!(err.contains("mp.toml:"), "{err}");
    assert!(err.contains("clients.users.reassign.crew"), "{err}");
    assert!(err.contains("not modelled yet"), "{err}");
    let err = refused("reassign = { to = \"mp2\", after = \"1h\", share = 1.5 }");
    assert!(err.contains("clients.users.reassign.share"), "{err}");
    assert!(err.contains("at most 1"), "{err}");
    let err = refused("reassign = { to = \"mp3\", after = \"1h\" }");
    assert!(err.contains("clients.users.reassign.to"), "{err}");
    let err = refused("reassign = { to = \"mp2\" }");
    assert!(err.contains("missing field `after`"), "{err}");
    let err = refused("reassign = { to = \"mp1\", after = \"1h\" }");
    assert!(err.contains("already targets `mp1`"), "{err}");
    let err = refused("reassign = { to = \"mp2\", after = \"1h\", requests = [\"polcy\"] }");
    assert!(err.contains("its request kinds: policy"), "{err}");
    let err = refused("reassign = { to = \"mp2\", after = \"1h\", sahre = 0.5 }");
    assert!(err.contains("did you mean `share`"), "{err}");
}
