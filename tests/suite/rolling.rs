//! Rolling maintenance of a cluster role: passive nodes are drained first and the active node last,
//! so a patch night moves the role once; `failback = "after_maintenance"` moves it back to the node
//! the drain took it from, and `failback = true` to the most preferred node. Checked on a cluster whose
//! nodes never fail, where every figure follows from the calendar.

use crate::common;

use common::Checks;
use nines::base::units::HOURS_PER_YEAR;
use nines::estimate::summary::EntitySummary;

const MISSION_Y: f64 = 10.0;
const EVERY: f64 = 720.0;
const DURATION: f64 = 1.0;
const OFFSET: f64 = 24.0;
/// Fixed failover time, hours (6 minutes).
const FAILOVER: f64 = 0.1;

fn scenario(nodes: usize, failback: &str) -> String {
    format!(
        r#"
        [simulation]
        mission = "{MISSION_Y}y"
        replications = 4
        seed = 5
        [nodes.h]
        count = {nodes}
        failure = {{ dist = "fixed", value = "1000000h" }}
        repair = {{ dist = "fixed", value = "1h" }}
        [roles.vm]
        kind = "cluster"
        on = "h"
        failover = {{ dist = "fixed", value = "6min" }}
        {failback}
        [maintenance.patch]
        every = "{EVERY}h"
        duration = "{DURATION}h"
        offset = "{OFFSET}h"
        role = "vm"
        rolling = true
        [services.s]
        all_of = ["vm"]
        "#
    )
}

fn role<'a>(s: &'a nines::estimate::summary::Summary, name: &str) -> &'a EntitySummary {
    s.entities.iter().find(|e| e.name == name).expect("role")
}

/// Windows whose `move_at`-th hour move (a drain or return at that offset into the window, plus the
/// switch) completes before the mission ends.
fn windows_completing(move_at: f64) -> f64 {
    let mission = MISSION_Y * HOURS_PER_YEAR;
    (0..)
        .map(|k| OFFSET + k as f64 * EVERY)
        .take_while(|&t| t < mission)
        .filter(|&t| t + move_at + FAILOVER < mission)
        .count() as f64
}

fn check(nodes: usize, failback: &str, moves_per_window: usize, c: &mut Checks) {
    let (_, s) = common::simulate(&scenario(nodes, failback));
    let vm = role(&s, "vm");
    let m = vm.failover.as_ref().expect("failover figures");
    // The active node is drained last: after the (nodes - 1) passive ones.
    let drain = (nodes - 1) as f64 * DURATION;
    let mut moves = windows_completing(drain);
    if moves_per_window == 2 {
        moves += windows_completing(drain + DURATION);
    }
    let years = MISSION_Y;
    let what = format!("{nodes} nodes, {failback:?}");
    c.close(
        &format!("{what}: failovers per year"),
        m.failovers_per_year.value,
        moves / years,
    );
    // Each move is a fixed switch; the last window's switch may run past the mission end, but the
    // offset and duration keep every switch inside it here.
    c.close(
        &format!("{what}: planned downtime per year"),
        vm.planned_downtime_hours_per_year.value,
        moves * FAILOVER / years,
    );
    c.equal(
        &format!("{what}: unplanned downtime"),
        vm.unplanned_downtime_hours_per_year.value,
        0.0,
    );
}

#[test]
fn passive_nodes_first_then_the_active_one() {
    let mut c = Checks::default();
    // A month: 2 nodes drained one after the other; the role moves once, from the active node last.
    check(2, "", 1, &mut c);
    check(3, "", 1, &mut c);
    // Back to the drained node when it returns: twice a window.
    check(2, "failback = \"after_maintenance\"", 2, &mut c);
    check(3, "failback = \"after_maintenance\"", 2, &mut c);
    // Back to the most preferred node (the first), which was the active one: twice a window too.
    check(2, "failback = true", 2, &mut c);
    c.finish();
}

#[test]
fn failback_after_maintenance_explained_and_checked() {
    let m = nines::scenario::compile(&scenario(2, "failback = \"after_maintenance\""), "r.toml")
        .unwrap_or_else(|e| panic!("{e}"));
    let text = nines::analyses::explain::describe(&m);
    assert!(
        text.contains("fails back to the node a planned drain took it from"),
        "{text}"
    );
    let err = nines::scenario::compile(&scenario(2, "failback = \"after_patch\""), "r.toml")
        .expect_err("unknown failback");
    let msg = err.to_string();
    assert!(
        msg.contains("failback")
            && msg.contains("after_maintenance")
            && msg.contains("after_patch"),
        "{msg}"
    );
}
