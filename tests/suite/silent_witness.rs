//! A silent file-share witness of a 2-node cluster under static quorum, against a Markov chain
//! derived here. The witness's vote is lost while it is failed (quorum counts the truth), but its
//! repair starts only when it is called on: when a voting node fails (the cluster re-counts its
//! votes and notices the witness missing). Chain state: which nodes are up, and the witness up,
//! failed unseen, or under repair; a node's failure also moves an unseen witness failure to repair.
//! Against it: hours without quorum per year, hidden hours per year, failures found when called on
//! per year; and the same cluster with a watched witness gives measurably less time without quorum.

use crate::common;

use common::Checks;
use common::ctmc::{Explored, explore};
use nines::base::units::HOURS_PER_YEAR;
use nines::scenario::compile;

/// Node failure and repair rates, per hour (means 100 h and 50 h); witness (means 200 h and 50 h).
const LAMBDA: f64 = 1.0 / 100.0;
const MU: f64 = 1.0 / 50.0;
const LAMBDA_W: f64 = 1.0 / 200.0;
const MU_W: f64 = 1.0 / 50.0;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Witness {
    Up,
    Hidden,
    Repair,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct State {
    /// Nodes up, one bit each.
    nodes: u32,
    witness: Witness,
}

/// Static quorum: at least 2 of the 3 votes up.
fn quorum(s: &State) -> bool {
    s.nodes.count_ones() + (s.witness == Witness::Up) as u32 >= 2
}

fn chain(silent: bool) -> Explored<State> {
    let start = State {
        nodes: 0b11,
        witness: Witness::Up,
    };
    explore(start, move |&s| {
        let mut out = Vec::new();
        for i in 0..2 {
            let bit = 1 << i;
            if s.nodes & bit != 0 {
                // A node fails: the cluster notices a hidden witness failure.
                let witness = match s.witness {
                    Witness::Hidden => Witness::Repair,
                    w => w,
                };
                let label = if s.witness == Witness::Hidden {
                    "node fails, witness found"
                } else {
                    "node fails"
                };
                out.push((
                    State {
                        nodes: s.nodes ^ bit,
                        witness,
                    },
                    LAMBDA,
                    label,
                ));
            } else {
                out.push((
                    State {
                        nodes: s.nodes ^ bit,
                        ..s
                    },
                    MU,
                    "node repaired",
                ));
            }
        }
        let (to, rate) = match s.witness {
            Witness::Up if silent => (Witness::Hidden, LAMBDA_W),
            Witness::Up => (Witness::Repair, LAMBDA_W),
            Witness::Hidden => return out,
            Witness::Repair => (Witness::Up, MU_W),
        };
        out.push((State { witness: to, ..s }, rate, "witness"));
        out
    })
}

fn scenario(silent: bool) -> String {
    format!(
        r#"
        [simulation]
        mission = "100y"
        replications = 100
        seed = 1920
        [nodes.h]
        count = 2
        failure = {{ dist = "exponential", mean = "100h" }}
        repair = {{ dist = "exponential", mean = "50h" }}
        [nodes.fsw]
        silent = {silent}
        failure = {{ dist = "exponential", mean = "200h" }}
        repair = {{ dist = "exponential", mean = "50h" }}
        [clusters.c]
        nodes = "h"
        witness = "fsw"
        dynamic = false
        [roles.vm]
        kind = "cluster"
        cluster = "c"
        failover = {{ dist = "exponential", mean = "1h" }}
        [services.s]
        all_of = ["vm"]
        "#
    )
}

#[test]
fn a_silent_witness_against_its_chain_and_the_watched_one() {
    let mut ck = Checks::default();
    let mut without = Vec::new();
    for silent in [true, false] {
        let what = if silent { "silent" } else { "watched" };
        let (model, s) = common::simulate(&scenario(silent));
        let x = chain(silent);
        let hours = model.simulation.mission;
        let years = hours / HOURS_PER_YEAR;
        let occ = x.occupancy(hours);
        let cl = s.clusters.iter().find(|c| c.name == "c").expect("cluster");
        ck.exact(
            &format!("{what}: hours without quorum per year"),
            &cl.hours_without_quorum_per_year,
            x.time_in(&occ, |s| !quorum(s)) / years,
        );
        without.push(cl.hours_without_quorum_per_year);
        if silent {
            let l = s
                .latent
                .iter()
                .find(|l| l.node == "fsw")
                .expect("latent row");
            ck.exact(
                "silent: hidden hours per year",
                &l.hidden_hours_per_year,
                x.time_in(&occ, |s| s.witness == Witness::Hidden) / years,
            );
            ck.exact(
                "silent: found when called on per year",
                &l.found_when_called_per_year,
                x.count(&occ, |label, _, _| label == "node fails, witness found") / years,
            );
        }
    }
    // The unwatched witness costs time without quorum: the difference is many standard errors.
    let diff = without[0].value - without[1].value;
    let se =
        (common::std_error(&without[0]).powi(2) + common::std_error(&without[1]).powi(2)).sqrt();
    println!("silent − watched: {diff:.2} h/y, se {se:.3}");
    assert!(diff > 8.0 * se, "silent {diff} h/y more, se {se}");
    ck.finish();
}

#[test]
fn a_silent_voting_node_is_still_refused() {
    let text = scenario(true).replace(
        "[nodes.h]\n        count = 2",
        "[nodes.h]\n        count = 2\n        silent = true",
    );
    let e = compile(&text, "bad.toml")
        .expect_err("a silent voter")
        .to_string();
    assert!(
        e.contains("nodes.h.silent") && e.contains("seen at once"),
        "{e}"
    );
}
