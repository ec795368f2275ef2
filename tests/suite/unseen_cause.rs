//! The downtime a hidden failure causes (issue 21: "the downtime it caused when the component was
//! needed"), against a chain derived here. One active and one warm standby node in a pool (`min_up =
//! 1`, instant perfect switch-over, independent repairs): the standby idles at δλ and its failure
//! hides; when the active node fails, the hidden failure is found and both are down. The attribution
//! gives each stretch to the hidden failure while it is down (it outranks the visible one), so "NODE
//! failed unseen" is the time in the state "both down, one of them found failed when called".
//!
//! A state is the pair of node statuses (web-1, web-2): `U` active and up, `S` idle standby, `H`
//! failed unseen while idle, `R` under repair after a seen failure, `F` under repair after being found
//! failed when called. Built from these rules, for either node as the active one:
//! (U,S) → (R,U) at λ, → (U,H) at δλ; (U,R) → (R,R) at λ, → (U,S) at μ; (U,H) → (R,F) at λ;
//! (R,R) → (U,R) or (R,U) at μ each; (R,F) → (U,F) at μ, → (R,U) at μ; (U,F) → (R,F) at λ, → (U,S) at μ.

use crate::common;

use common::ctmc::Chain;
use common::{Checks, simulate};
use nines::base::units::HOURS_PER_YEAR;

#[test]
fn downtime_caused_by_a_standby_found_failed_when_called() {
    let (mttf, mttr, dormant) = (1000.0, 10.0, 0.5);
    let (l, m) = (1.0 / mttf, 1.0 / mttr);
    let states: Vec<[u8; 2]> = [
        b"US", b"SU", b"UR", b"RU", b"UH", b"HU", b"RR", b"RF", b"FR", b"UF", b"FU",
    ]
    .iter()
    .map(|s| [s[0], s[1]])
    .collect();
    let at = |s: [u8; 2]| states.iter().position(|&x| x == s).expect("state");
    // The rules for web-1 active; web-2 active is the mirror image.
    let rules: [(&[u8; 2], &[u8; 2], f64); 11] = [
        (b"US", b"RU", l),
        (b"US", b"UH", dormant * l),
        (b"UR", b"RR", l),
        (b"UR", b"US", m),
        (b"UH", b"RF", l),
        (b"RR", b"UR", m),
        (b"RR", b"RU", m),
        (b"RF", b"UF", m),
        (b"RF", b"RU", m),
        (b"UF", b"RF", l),
        (b"UF", b"US", m),
    ];
    let mut moves = Vec::new();
    for (from, to, rate) in rules {
        moves.push((at(*from), at(*to), rate));
        // The mirror image swaps the nodes; RR is its own mirror, and both its moves are listed.
        let (mf, mt) = ([from[1], from[0]], [to[1], to[0]]);
        if mf != *from {
            moves.push((at(mf), at(mt), rate));
        }
    }
    let chain = Chain::new(states.len(), &moves);
    let years = 100.0;
    let t = years * HOURS_PER_YEAR;
    let mut p0 = vec![0.0; states.len()];
    p0[at(*b"US")] = 1.0;
    let occ = chain.occupancy(&p0, t);
    let per_year = |s: &[u8; 2]| occ[at(*s)] / years;
    let text = format!(
        r#"
[simulation]
mission = "{years}y"
replications = 2400
seed = 77

[nodes.web]
count = 2
failure = {{ dist = "exponential", mean = "{mttf}h" }}
repair = {{ dist = "exponential", mean = "{mttr}h" }}

[roles.web]
kind = "pool"
on = "web"
min_up = 1
standby = 1
dormant = {dormant}

[services.portal]
all_of = ["web"]
"#
    );
    let (_, s) = simulate(&text);
    let mut ck = Checks::default();
    let cause = |name: &str| {
        s.attribution
            .iter()
            .find(|a| a.service == "portal" && a.cause == name)
            .unwrap_or_else(|| panic!("no attribution row {name}"))
    };
    let web1 = cause("web-1 failed unseen");
    assert_eq!(web1.kind, "unseen");
    ck.exact(
        "downtime caused by web-1 failed unseen (h/yr)",
        &web1.hours_per_year,
        per_year(b"FR"),
    );
    ck.exact(
        "downtime caused by web-2 failed unseen (h/yr)",
        &cause("web-2 failed unseen").hours_per_year,
        per_year(b"RF"),
    );
    // Both failures seen ("several causes at once", state RR) is forty times rarer: the service's
    // downtime checks it with the rest (a separate check would need forty times the replications).
    ck.exact(
        "downtime (h/yr)",
        &s.entities
            .iter()
            .find(|e| e.name == "portal")
            .expect("portal")
            .downtime_hours_per_year,
        per_year(b"RR") + per_year(b"RF") + per_year(b"FR"),
    );
    ck.finish();
}
