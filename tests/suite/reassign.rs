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
    assert!(err.contains("unknown crew"), "{err}");
    assert!(err.contains("[crews.ops]"), "{err}");
    let err = refused("reassign = { to = \"mp2\", after = \"1h\", duration = \"10min\" }");
    assert!(err.contains("clients.users.reassign.duration"), "{err}");
    assert!(err.contains("name the crew"), "{err}");
    let err = refused("reassign = { to = \"mp2\", after = \"1h\", crew = 3 }");
    assert!(err.contains("clients.users.reassign.crew"), "{err}");
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

/// The scenario with a crew `ops` (`crew`: its table's lines) and `repair_crew` on the target's node.
fn with_crew(reassign: &str, crew: &str, repair_crew: bool, replications: u32) -> String {
    let text = with_replications(reassign, replications).replacen(
        "[nodes.other]",
        &format!("[crews.ops]\n{crew}\n\n[nodes.other]"),
        1,
    );
    if repair_crew {
        text.replacen(
            &format!("mean = \"{R}h\" }}\n"),
            &format!("mean = \"{R}h\" }}\ncrew = \"ops\"\n"),
            1,
        )
    } else {
        text
    }
}

/// A crew of one technician who only moves clients, dispatched after an exponential delay (mean
/// 1/κ): the move joins the queue δ into an outage and happens after the dispatch D, if the outage
/// lasts that long. With exponential repairs (rate μ = 1/r) an outage outlasts δ + D with probability
/// e = e^{−δ/r}·κ/(κ + μ), and then (memoryless) lasts r more on average, the time moved. The
/// technician is busy from δ until the move or the outage's end: E[min(D, X − δ); X > δ] =
/// e^{−δ/r}/(κ + μ) per outage.
#[test]
fn an_operator_of_a_crew_moves_the_clients_after_its_dispatch() {
    let (delta, dispatch) = (1.0, 0.5);
    let text = with_crew(
        &format!("reassign = {{ to = \"mp2\", after = \"{delta}h\", crew = \"ops\" }}"),
        &format!(
            "technicians = 1\ndispatch = {{ dist = \"exponential\", mean = \"{dispatch}h\" }}"
        ),
        false,
        1024,
    );
    let (_, s) = simulate(&text);
    let mp = TwoState::from_means(M, R);
    let outages = HOURS_PER_YEAR / (M + R);
    let (kappa, mu) = (1.0 / dispatch, 1.0 / R);
    let e = (-delta / R).exp() * kappa / (kappa + mu);
    let r = &s.requests[0];
    let m = r.reassign.as_ref().expect("reassignment figures");
    let mut checks = Checks::default();
    checks.exact(
        "reassignments per year, by a crew",
        &m.reassignments_per_year,
        outages * e,
    );
    checks.exact(
        "hours moved per year, by a crew",
        &m.reassigned_hours_per_year,
        outages * e * R,
    );
    checks.exact(
        "failed requests per year, by a crew",
        &r.failed_requests_per_year,
        HOURS_PER_YEAR * mp.q() - outages * e * R,
    );
    let crew = s.crews.iter().find(|c| c.name == "ops").expect("crew row");
    checks.exact(
        "operator's utilisation",
        &crew.utilisation,
        outages * (-delta / R).exp() / (kappa + mu) / HOURS_PER_YEAR,
    );
    checks.equal("repairs by the crew", crew.repairs_per_year.value, 0.0);
    checks.finish();
}

/// The only technician repairs the target: the move waits behind the repair, which ends the
/// outage, so the move is dropped and nobody ever moves; the crew's figures and the clients' are
/// those of the scenario without reassignment, to the last digit. With a second technician the move
/// is made at δ, as without a crew.
#[test]
fn a_move_waits_behind_the_crews_repairs_and_is_dropped_when_the_target_returns() {
    let reassign = "reassign = { to = \"mp2\", after = \"1h\", crew = \"ops\" }";
    let (_, with) = simulate(&with_crew(reassign, "technicians = 1", true, 64));
    let (_, without) = simulate(&with_crew("", "technicians = 1", true, 64));
    let (a, b) = (&with.requests[0], &without.requests[0]);
    let m = a.reassign.as_ref().expect("reassignment figures");
    assert_eq!(m.reassignments_per_year.value, 0.0);
    assert_eq!(m.reassigned_hours_per_year.value, 0.0);
    assert_eq!(
        a.failed_requests_per_year.value,
        b.failed_requests_per_year.value
    );
    assert_eq!(
        with.crews[0].utilisation.value,
        without.crews[0].utilisation.value
    );
    assert!(with.crews[0].utilisation.value > 0.1);
    // Two technicians: one repairs, the other moves the clients at δ (no dispatch delay).
    let (_, two) = simulate(&with_crew(reassign, "technicians = 2", true, 1024));
    let m = two.requests[0]
        .reassign
        .as_ref()
        .expect("reassignment figures");
    let e = (-1.0 / R).exp();
    let outages = HOURS_PER_YEAR / (M + R);
    let mut checks = Checks::default();
    checks.exact(
        "reassignments per year, a second technician",
        &m.reassignments_per_year,
        outages * e,
    );
    checks.exact(
        "hours moved per year, a second technician",
        &m.reassigned_hours_per_year,
        outages * e * R,
    );
    checks.finish();
}

/// Data age of moved clients (Poisson refresh at rate λ, the whole population moved, back at once):
/// a client's data refreshes at λ except in the first min(X, δ) of each outage X, so the dry spells
/// D = min(X, δ) alternate with wet ones W = (X − δ)⁺ + U (U the next up time, exponential mean m).
/// Over a wet spell of length w the mean age goes from A to (1 − e^{−λw})/λ + e^{−λw}·A and
/// integrates to A·(1 − e^{−λw})/λ + (w − (1 − e^{−λw})/λ)/λ; over a dry one from A to A + D,
/// integrating to A·D + D²/2. Both are linear in A, and the mean age A₀ at the start of a dry spell
/// is independent of that cycle's (D, W), so with the moments of D and W (X exponential, mean r)
/// E[A₀] = (E[1 − e^{−λW}]/λ + E[D·e^{−λW}]) / (1 − E[e^{−λW}]), and the mean age is the cycle's
/// integral over its mean length m + r (renewal–reward).
#[test]
fn the_data_age_of_moved_clients_follows_the_target_they_use() {
    let (delta, lambda, tau) = (1.0, 2.0, 1.5);
    let text = scenario(&format!(
        "reassign = {{ to = \"mp2\", after = \"{delta}h\" }}"
    ))
    .replace(
        "response = { dist = \"fixed\", value = \"1s\" }\n",
        "response = { dist = \"fixed\", value = \"1s\" }\nstale_after = \"1.5h\"\n",
    )
    .replace("every = \"1h\"", "every = \"30min\"");
    let (_, s) = simulate(&text);
    let (mu, up) = (1.0 / R, 1.0 / M);
    let ex = (-mu * delta).exp();
    let u = up / (up + lambda); // E[e^{−λU}]
    let x_wet = 1.0 - ex + ex * mu / (mu + lambda); // E[e^{−λ(X−δ)⁺}]
    let e_w = u * x_wet; // E[e^{−λW}]
    let x_below = (1.0 - ex * (1.0 + mu * delta)) / mu; // E[X; X < δ]
    let e_dw = u * (x_below + delta * ex * mu / (mu + lambda)); // E[D·e^{−λW}]
    let e_d = (1.0 - ex) / mu;
    let e_d2 = 2.0 / (mu * mu) * (1.0 - ex * (1.0 + mu * delta + (mu * delta).powi(2) / 2.0))
        + delta * delta * ex;
    let e_wlen = ex / mu + M;
    let a0 = ((1.0 - e_w) / lambda + e_dw) / (1.0 - e_w);
    let cycle = a0 * (e_d + (1.0 - e_w) / lambda)
        + e_d2 / 2.0
        + (e_d - e_dw) / lambda
        + (e_wlen - (1.0 - e_w) / lambda) / lambda;
    let mean = cycle / (M + R);
    let age = s.requests[0].data_age.as_ref().expect("data age");
    let mut checks = Checks::default();
    checks.exact("mean age of moved clients, hours", &age.mean_hours, mean);
    checks.finish();
    assert!(tau > delta);
}

/// Data age with a move that never comes (periodic and Poisson refresh): the moved clients' kind
/// holds no one, and the figures are those without reassignment to the last digit.
#[test]
fn data_age_is_unchanged_by_a_move_that_never_comes() {
    for refresh in ["poisson", "periodic"] {
        let age = |reassign: &str| {
            let text = with_replications(reassign, 128).replace(
                "response = { dist = \"fixed\", value = \"1s\" }\n",
                &format!(
                    "response = {{ dist = \"fixed\", value = \"1s\" }}\nstale_after = \"1.5h\"\nrefresh = \"{refresh}\"\n"
                ),
            );
            let (_, s) = simulate(&text);
            s.requests[0].data_age.clone().expect("data age")
        };
        let (a, b) = (
            age("reassign = { to = \"mp2\", after = \"2000h\" }"),
            age(""),
        );
        assert_eq!(a.mean_hours.value, b.mean_hours.value, "{refresh}");
        assert_eq!(a.stale_share.value, b.stale_share.value, "{refresh}");
        assert_eq!(a.p90_hours.value, b.p90_hours.value, "{refresh}");
        assert_eq!(
            a.worst_mean_hours.value, b.worst_mean_hours.value,
            "{refresh}"
        );
    }
}

#[test]
fn a_population_moved_in_part_cannot_report_data_age() {
    let text = scenario("reassign = { to = \"mp2\", after = \"1h\", share = 0.5 }").replace(
        "response = { dist = \"fixed\", value = \"1s\" }\n",
        "response = { dist = \"fixed\", value = \"1s\" }\nstale_after = \"1.5h\"\n",
    );
    let err = nines::scenario::compile(&text, "mp.toml")
        .expect_err("refused")
        .to_string();
    assert!(err.contains("clients.users.reassign"), "{err}");
    assert!(err.contains("share = 1.0"), "{err}");
}

/// A move by a crew holds a technician from a fixed delay on: `nines exact` refuses it by name, and
/// `validate` says who moves the clients.
#[test]
fn exact_refuses_a_crew_operator_and_validate_explains_it() {
    let text = with_crew(
        "reassign = { to = \"mp2\", after = \"1h\", crew = \"ops\", duration = \"20min\" }",
        "technicians = 1",
        true,
        8,
    );
    let model = nines::scenario::compile(&text, "mp.toml").expect("valid");
    let e = match nines::analyses::exact::Chain::new(&model, false) {
        Ok(_) => panic!("a crew operator must be refused"),
        Err(e) => e.to_string(),
    };
    assert!(e.contains("clients.users.reassign.crew"), "{e}");
    let d = nines::analyses::explain::describe(&model);
    assert!(d.contains("a technician of crew ops"), "{d}");
    assert!(d.contains("20min of work"), "{d}");
    // Without a crew the services are those without reassignment: nothing about it to refuse.
    let plain = nines::scenario::compile(
        &scenario("reassign = { to = \"mp2\", after = \"1h\" }"),
        "mp.toml",
    )
    .expect("valid");
    if let Err(e) = nines::analyses::exact::Chain::new(&plain, false) {
        assert!(!e.to_string().contains("reassign"), "{e}");
    }
}
