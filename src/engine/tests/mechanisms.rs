//! Deterministic checks of the HA mechanisms with fixed durations: every number is worked out by hand
//! in the comment above it.

use crate::engine::{Cause, CrewStats, Engine, MachineStats, Monitor};
use crate::model::Model;
use crate::scenario::compile;

fn run_once(text: &str) -> (Model, Vec<Monitor>, Vec<MachineStats>, Vec<CrewStats>) {
    let m = compile(text, "test.toml").unwrap_or_else(|e| panic!("{e}"));
    let (mons, stats, crews) = {
        let mut e = Engine::new(&m);
        e.run(0);
        (
            e.monitors().to_vec(),
            e.machine_stats().to_vec(),
            e.crew_stats().to_vec(),
        )
    };
    (m, mons, stats, crews)
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-9
}

const NEVER: &str = r#"failure = { dist = "fixed", value = "100000h" }
repair = { dist = "fixed", value = "1h" }"#;

fn cluster(extra: &str, a_fail: f64, a_repair: f64, b_fail: f64, b_repair: f64) -> String {
    format!(
        r#"
            [simulation]
            mission = "200h"
            [nodes.a]
            failure = {{ dist = "fixed", value = "{a_fail}h" }}
            repair = {{ dist = "fixed", value = "{a_repair}h" }}
            [nodes.b]
            failure = {{ dist = "fixed", value = "{b_fail}h" }}
            repair = {{ dist = "fixed", value = "{b_repair}h" }}
            [roles.r]
            kind = "cluster"
            on = ["a", "b"]
            failover = {{ dist = "fixed", value = "1h" }}
            {extra}
            "#
    )
}

#[test]
fn cluster_fails_over_and_stays() {
    // a fails at 100: failover to b, down [100, 101]. a is back at 150; no failback.
    let (_, mons, st, _) = run_once(&cluster("", 100.0, 50.0, 1e5, 1.0));
    assert!(close(mons[0].downtime, 1.0), "{}", mons[0].downtime);
    assert_eq!(mons[0].outages, 1);
    assert_eq!(st[0].failovers, 1);
    assert!(close(st[0].down_by_cause[Cause::Failover as usize], 1.0));
    // At risk while a is down after the failover: [101, 150].
    assert!(close(mons[0].at_risk, 49.0), "{}", mons[0].at_risk);
}

#[test]
fn cluster_fails_back_when_configured() {
    // As above, then a is back at 150 and the role moves back: down [150, 151] too.
    let (_, mons, st, _) = run_once(&cluster("failback = true", 100.0, 50.0, 1e5, 1.0));
    assert!(close(mons[0].downtime, 2.0));
    assert_eq!(st[0].failovers, 2);
}

#[test]
fn failed_failover_waits_for_the_operator() {
    // Coverage 0: the failover at 100 fails; an operator brings it up on b after 5 h.
    let extra = r#"coverage = 0.0
            manual_recovery = { dist = "fixed", value = "5h" }"#;
    let (_, mons, st, _) = run_once(&cluster(extra, 100.0, 50.0, 1e5, 1.0));
    assert!(close(mons[0].downtime, 5.0));
    assert_eq!(st[0].failed_failovers, 1);
    assert_eq!(st[0].failovers, 1);
    assert!(close(st[0].down_by_cause[Cause::Manual as usize], 5.0));
}

#[test]
fn failover_target_failing_leaves_the_role_waiting() {
    // Failover takes 10 h. a fails at 100 (back at 150); b, the target, fails at 105 (back at 125):
    // switching [100,105], no host [105,125], starting on b [125,135].
    let extra = r#"failover = { dist = "fixed", value = "10h" }"#;
    let text = cluster("", 100.0, 50.0, 105.0, 20.0)
        .replace(r#"failover = { dist = "fixed", value = "1h" }"#, extra);
    let (_, mons, st, _) = run_once(&text);
    assert!(close(mons[0].downtime, 35.0), "{}", mons[0].downtime);
    assert!(close(st[0].down_by_cause[Cause::Failover as usize], 15.0));
    assert!(close(st[0].down_by_cause[Cause::NoHost as usize], 20.0));
    assert_eq!(st[0].failovers, 1);
}

#[test]
fn software_failures_restart_in_place() {
    // Crash after 50 h of running, restart 1 h: down [50,51], [101,102], [152,153].
    let extra = r#"software = { failure = { dist = "fixed", value = "50h" }, restart = { dist = "fixed", value = "1h" } }"#;
    let (_, mons, st, _) = run_once(&cluster(extra, 1e5, 1.0, 1e5, 1.0));
    assert!(close(mons[0].downtime, 3.0));
    assert_eq!(st[0].restarts, 3);
    assert_eq!(st[0].failovers, 0);
}

#[test]
fn failed_restart_fails_over() {
    // restart_success 0: the crash at 50 restarts [50,51], fails, then fails over to b [51,52].
    let extra = r#"software = { failure = { dist = "fixed", value = "500h" }, restart = { dist = "fixed", value = "1h" }, restart_success = 0.0 }
            manual_recovery = { dist = "fixed", value = "3h" }"#;
    let text = cluster(extra, 1e5, 1.0, 1e5, 1.0).replace("\"500h\"", "\"50h\"");
    let (_, mons, st, _) = run_once(&text);
    // Then on b it crashes again at 102, restart fails at 103, fails over to a [103,104]; again at 154..156.
    assert_eq!(st[0].restarts, 3);
    assert_eq!(st[0].failovers, 3);
    assert!(close(mons[0].downtime, 6.0), "{}", mons[0].downtime);
}

#[test]
fn restore_loses_changes_since_last_backup() {
    // Backups every 24 h from 0. The node fails at 100 (last backup 96: 4 h lost), is repaired at
    // 110 and the role restored by 115 (a backup). The node fails again 100 h after its repair, at
    // 210: last backup 192, 18 h lost.
    let text = r#"
            [simulation]
            mission = "300h"
            [nodes.a]
            failure = { dist = "fixed", value = "100h" }
            repair = { dist = "fixed", value = "10h" }
            [roles.r]
            kind = "standalone"
            on = "a"
            recovery = { kind = "restore", backup_every = "24h", restore = { dist = "fixed", value = "5h" } }
            "#;
    let (_, mons, st, _) = run_once(text);
    assert!(close(st[0].data_lost, 22.0), "{}", st[0].data_lost);
    assert_eq!(st[0].loss_incidents, 2);
    assert!(close(st[0].worst_loss, 18.0));
    // Down [100,115] and [210,225].
    assert!(close(mons[0].downtime, 30.0));
    assert!(close(st[0].down_by_cause[Cause::Recovery as usize], 10.0));
    assert!(close(st[0].down_by_cause[Cause::NoHost as usize], 20.0));
}

#[test]
fn one_technician_repairs_one_at_a_time() {
    // Both nodes fail at 100; one technician: a repaired [100,110], b waits, repaired [110,120].
    let text = r#"
            [simulation]
            mission = "150h"
            [crews.ops]
            technicians = 1
            [defaults]
            failure = { dist = "fixed", value = "100h" }
            repair = { dist = "fixed", value = "10h" }
            [nodes.a]
            crew = "ops"
            [nodes.b]
            crew = "ops"
            [roles.p]
            kind = "pool"
            on = ["a", "b"]
            "#;
    let (_, mons, _, crews) = run_once(text);
    assert!(close(mons[0].downtime, 10.0));
    assert!(close(crews[0].waited, 10.0));
    assert!(close(crews[0].busy, 20.0));
    assert_eq!(crews[0].assigned, 2);
    // At risk while one node is up: [110,120] only (a failed again at 210 > mission).
    assert!(close(mons[0].at_risk, 10.0), "{}", mons[0].at_risk);
}

#[test]
fn domain_takes_its_nodes_down() {
    // The rack fails at 50 for 5 h: both nodes of the pool are down then.
    let text = format!(
        r#"
            [simulation]
            mission = "100h"
            [domains.rack]
            failure = {{ dist = "fixed", value = "50h" }}
            repair = {{ dist = "fixed", value = "5h" }}
            [nodes.a]
            {NEVER}
            in = ["rack"]
            [nodes.b]
            {NEVER}
            in = "rack"
            [roles.p]
            kind = "pool"
            on = ["a", "b"]
            [services.s]
            all_of = ["p"]
            "#
    );
    let (_, mons, _, _) = run_once(&text);
    assert!(close(mons[0].downtime, 5.0));
    assert_eq!(mons[0].outages, 1);
}

#[test]
fn maintenance_windows_are_planned_downtime() {
    // Windows at 20, 120, 220 for 10 h on a standalone node: 30 h planned.
    let text = format!(
        r#"
            [simulation]
            mission = "300h"
            [nodes.a]
            {NEVER}
            [roles.r]
            kind = "standalone"
            on = "a"
            [maintenance.patch]
            every = "100h"
            duration = "10h"
            offset = "20h"
            nodes = ["a"]
            "#
    );
    let (_, mons, _, _) = run_once(&text);
    assert!(close(mons[0].downtime, 30.0));
    assert!(close(mons[0].planned, 30.0));
    assert_eq!(mons[0].outages, 3);
}

#[test]
fn rolling_maintenance_drains_the_active_node_last() {
    // At 20, b (passive) is drained first: nothing moves. At 30 b is back and a (active) is drained:
    // planned failover to b [30,31]. The role moves once, not twice.
    let text = format!(
        r#"
            [simulation]
            mission = "100h"
            [nodes.a]
            {NEVER}
            [nodes.b]
            {NEVER}
            [roles.r]
            kind = "cluster"
            on = ["a", "b"]
            failover = {{ dist = "fixed", value = "1h" }}
            coverage = 0.0
            manual_recovery = {{ dist = "fixed", value = "7h" }}
            [maintenance.patch]
            every = "100h"
            duration = "10h"
            offset = "20h"
            role = "r"
            rolling = true
            "#
    );
    let (_, mons, st, _) = run_once(&text);
    // Planned drains are always covered, even with coverage 0.
    assert!(close(mons[0].downtime, 1.0), "{}", mons[0].downtime);
    assert!(close(mons[0].planned, 1.0));
    assert_eq!(st[0].failovers, 1);
    assert_eq!(st[0].failed_failovers, 0);
}

#[test]
fn rolling_maintenance_never_takes_the_last_instance() {
    // b is down [15, 45] and [60, 90]: at 20 taking a would leave no instance, so a is skipped; b is
    // down, skipped. The pool is at risk whenever b is down.
    let text = format!(
        r#"
            [simulation]
            mission = "100h"
            [nodes.a]
            {NEVER}
            [nodes.b]
            failure = {{ dist = "fixed", value = "15h" }}
            repair = {{ dist = "fixed", value = "30h" }}
            [roles.p]
            kind = "pool"
            on = ["a", "b"]
            [maintenance.patch]
            every = "100h"
            duration = "10h"
            offset = "20h"
            role = "p"
            rolling = true
            "#
    );
    let (_, mons, _, _) = run_once(&text);
    assert!(close(mons[0].downtime, 0.0));
    assert!(close(mons[0].at_risk, 60.0));
}

#[test]
fn mirroring_without_witness_needs_an_operator() {
    // The principal fails at 100; no witness: manual failover after 2 h, to the mirror.
    let text = format!(
        r#"
            [simulation]
            mission = "200h"
            [nodes.a]
            failure = {{ dist = "fixed", value = "100h" }}
            repair = {{ dist = "fixed", value = "50h" }}
            [nodes.b]
            {NEVER}
            [roles.db]
            kind = "mirroring"
            principal = "a"
            mirror = "b"
            failover = {{ dist = "fixed", value = "0.1h" }}
            manual_failover = {{ dist = "fixed", value = "2h" }}
            "#
    );
    let (m, mons, st, _) = run_once(&text);
    assert!(close(mons[0].downtime, 2.0));
    assert_eq!(st[0].failovers, 1);
    let mut e = Engine::new(&m);
    e.run(0);
    let b = m.components.iter().position(|c| c.name == "b").unwrap();
    assert_eq!(e.holder(0), Some((b, 102.0)));
}

#[test]
fn mirroring_with_witness_fails_over_automatically() {
    let text = format!(
        r#"
            [simulation]
            mission = "200h"
            [nodes.a]
            failure = {{ dist = "fixed", value = "100h" }}
            repair = {{ dist = "fixed", value = "50h" }}
            [nodes.b]
            {NEVER}
            [nodes.w]
            {NEVER}
            [roles.db]
            kind = "mirroring"
            principal = "a"
            mirror = "b"
            witness = "w"
            failover = {{ dist = "fixed", value = "0.1h" }}
            manual_failover = {{ dist = "fixed", value = "2h" }}
            "#
    );
    let (_, mons, _, _) = run_once(&text);
    assert!(close(mons[0].downtime, 0.1));
}

#[test]
fn asynchronous_secondary_loses_its_lag() {
    let text = format!(
        r#"
            [simulation]
            mission = "200h"
            [nodes.a]
            failure = {{ dist = "fixed", value = "100h" }}
            repair = {{ dist = "fixed", value = "50h" }}
            [nodes.b]
            {NEVER}
            [roles.db]
            kind = "availability_group"
            primary = "a"
            secondaries = [{{ on = "b", commit = "asynchronous", lag = {{ dist = "fixed", value = "0.5h" }} }}]
            failover = {{ dist = "fixed", value = "0.1h" }}
            manual_failover = {{ dist = "fixed", value = "1h" }}
            "#
    );
    let (_, mons, st, _) = run_once(&text);
    assert!(close(mons[0].downtime, 1.0));
    assert!(close(st[0].data_lost, 0.5));
    assert_eq!(st[0].loss_incidents, 1);
}

#[test]
fn reinstall_waits_for_its_source() {
    // The child's node fails at 60 and is back at 65, but the parent it is reinstalled from is down
    // [50, 80]: the reinstall starts at 80 and takes 10 h. Child down [60, 90].
    let text = r#"
            [simulation]
            mission = "100h"
            [nodes.p]
            failure = { dist = "fixed", value = "50h" }
            repair = { dist = "fixed", value = "30h" }
            [nodes.s]
            failure = { dist = "fixed", value = "60h" }
            repair = { dist = "fixed", value = "5h" }
            [roles.parent]
            kind = "standalone"
            on = "p"
            [roles.child]
            kind = "standalone"
            on = "s"
            recovery = { kind = "reinstall", time = { dist = "fixed", value = "10h" }, from = "parent" }
            "#;
    let (_, mons, st, _) = run_once(text);
    assert!(close(mons[1].downtime, 30.0), "{}", mons[1].downtime);
    assert!(close(st[1].down_by_cause[Cause::NoHost as usize], 5.0));
    assert!(close(st[1].down_by_cause[Cause::Recovery as usize], 25.0));
    assert_eq!(st[1].loss_incidents, 0);
}

#[test]
fn node_lost_during_manual_recovery_of_a_restored_role_loses_data() {
    // Software fails at 30; the restart fails, an operator takes 20 h. The node fails at 40 during
    // that, destroying the state: the changes since the last backup, up to when the role stopped,
    // 30 − 24 = 6 h, are lost (nothing changed while it was down); node back at 45, restored by 47.
    let text = r#"
            [simulation]
            mission = "60h"
            [nodes.a]
            failure = { dist = "fixed", value = "40h" }
            repair = { dist = "fixed", value = "5h" }
            [roles.r]
            kind = "standalone"
            on = "a"
            software = { failure = { dist = "fixed", value = "30h" }, restart = { dist = "fixed", value = "1h" }, restart_success = 0.0 }
            manual_recovery = { dist = "fixed", value = "20h" }
            recovery = { kind = "restore", backup_every = "24h", restore = { dist = "fixed", value = "2h" } }
            "#;
    let (_, mons, st, _) = run_once(text);
    assert!(close(st[0].data_lost, 6.0), "{}", st[0].data_lost);
    assert_eq!(st[0].loss_incidents, 1);
    // Down [30, 47]: restart 1, operator 9, no host 5, restore 2.
    assert!(close(mons[0].downtime, 17.0), "{}", mons[0].downtime);
    assert!(close(st[0].down_by_cause[Cause::Manual as usize], 9.0));
    assert!(close(st[0].down_by_cause[Cause::Recovery as usize], 2.0));
}

#[test]
fn maintenance_keeps_a_restored_roles_data() {
    // A monthly 30-minute patch window at 310, 1030 and 1750 h; the node never fails. Patching takes
    // the node but not its disk: the role is down 3 × 0.5 h waiting for its host, then restarts
    // there. No restore, nothing lost.
    let text = format!(
        r#"
            [simulation]
            mission = "2000h"
            [nodes.a]
            {NEVER}
            [roles.r]
            kind = "standalone"
            on = "a"
            recovery = {{ kind = "restore", backup_every = "24h", backup_offset = "2h", restore = {{ dist = "fixed", value = "6h" }} }}
            [maintenance.patch]
            nodes = ["a"]
            every = "720h"
            duration = "30min"
            offset = "310h"
            [services.s]
            all_of = ["r"]
            "#
    );
    let (_, mons, st, _) = run_once(&text);
    assert_eq!(st[0].loss_incidents, 0);
    assert_eq!(st[0].data_lost, 0.0);
    assert_eq!(st[0].down_by_cause[Cause::Recovery as usize], 0.0);
    assert!(close(st[0].down_by_cause[Cause::NoHost as usize], 1.5));
    assert_eq!(st[0].failovers, 0);
    for mon in &mons {
        assert_eq!(mon.outages, 3);
        assert!(close(mon.downtime, 1.5), "{}", mon.downtime);
        assert!(close(mon.planned, 1.5), "{}", mon.planned);
    }
}

/// A rack (fails 50 h after it is up, back 5 h later) holding the nodes of a restored and of a
/// reinstalled role; the nodes themselves fail at `node_fail`, repaired in 5 h.
fn racked(node_fail: f64, rack_repair: f64) -> String {
    format!(
        r#"
            [simulation]
            mission = "100h"
            [domains.rack]
            failure = {{ dist = "fixed", value = "50h" }}
            repair = {{ dist = "fixed", value = "{rack_repair}h" }}
            [defaults]
            failure = {{ dist = "fixed", value = "{node_fail}h" }}
            repair = {{ dist = "fixed", value = "5h" }}
            [nodes.a]
            in = "rack"
            [nodes.b]
            in = "rack"
            [roles.db]
            kind = "standalone"
            on = "a"
            recovery = {{ kind = "restore", backup_every = "24h", restore = {{ dist = "fixed", value = "5h" }} }}
            [roles.app]
            kind = "standalone"
            on = "b"
            recovery = {{ kind = "reinstall", time = {{ dist = "fixed", value = "8h" }} }}
            "#
    )
}

#[test]
fn domain_outage_keeps_a_restored_roles_data() {
    // The rack is down [50, 55] (next failure at 105, after the end); the nodes never fail. Both
    // roles wait for their host and restart on it: down 5 h each, no restore, no reinstall, nothing
    // lost.
    let (_, mons, st, _) = run_once(&racked(1e5, 5.0));
    for r in 0..2 {
        assert!(close(mons[r].downtime, 5.0), "{}", mons[r].downtime);
        assert_eq!(mons[r].outages, 1);
        assert!(close(st[r].down_by_cause[Cause::NoHost as usize], 5.0));
        assert_eq!(st[r].down_by_cause[Cause::Recovery as usize], 0.0);
        assert_eq!(st[r].loss_incidents, 0);
        assert_eq!(st[r].data_lost, 0.0);
    }
}

#[test]
fn node_failing_during_a_domain_outage_loses_a_restored_roles_data() {
    // The rack is down [50, 70]; the nodes fail at 60, inside it, and are repaired by 65. Their own
    // failure destroys the state: db loses its changes since the backup at 48 up to when it stopped
    // at 50 — 2 h, not the 12 h to the node's failure — and is restored when its host is back at
    // 70, by 75; app is reinstalled by 78. (Next failures: rack 120, nodes 125, after the end.)
    let (_, mons, st, _) = run_once(&racked(60.0, 20.0));
    assert!(close(st[0].data_lost, 2.0), "{}", st[0].data_lost);
    assert_eq!(st[0].loss_incidents, 1);
    assert!(close(st[0].worst_loss, 2.0));
    assert!(close(mons[0].downtime, 25.0), "{}", mons[0].downtime);
    assert!(close(st[0].down_by_cause[Cause::NoHost as usize], 20.0));
    assert!(close(st[0].down_by_cause[Cause::Recovery as usize], 5.0));
    assert!(close(mons[1].downtime, 28.0), "{}", mons[1].downtime);
    assert!(close(st[1].down_by_cause[Cause::Recovery as usize], 8.0));
    assert_eq!(st[1].loss_incidents, 0, "a reinstall keeps nothing to lose");
}

#[test]
fn domain_outage_during_manual_recovery_keeps_a_restored_roles_data() {
    // As `node_lost_during_manual_recovery_of_a_restored_role_loses_data`, but the node stays up and
    // its rack is down [40, 45] while the operator works (until 51): the operator finishes, the role
    // starts on its node at 51 with its state. Down [30, 51], nothing lost, no restore.
    let text = r#"
            [simulation]
            mission = "60h"
            [domains.rack]
            failure = { dist = "fixed", value = "40h" }
            repair = { dist = "fixed", value = "5h" }
            [nodes.a]
            in = "rack"
            failure = { dist = "fixed", value = "100000h" }
            repair = { dist = "fixed", value = "5h" }
            [roles.r]
            kind = "standalone"
            on = "a"
            software = { failure = { dist = "fixed", value = "30h" }, restart = { dist = "fixed", value = "1h" }, restart_success = 0.0 }
            manual_recovery = { dist = "fixed", value = "20h" }
            recovery = { kind = "restore", backup_every = "24h", restore = { dist = "fixed", value = "2h" } }
            "#;
    let (_, mons, st, _) = run_once(text);
    assert_eq!(st[0].loss_incidents, 0);
    assert_eq!(st[0].data_lost, 0.0);
    assert!(close(mons[0].downtime, 21.0), "{}", mons[0].downtime);
    assert!(close(st[0].down_by_cause[Cause::Manual as usize], 20.0));
    assert_eq!(st[0].down_by_cause[Cause::Recovery as usize], 0.0);
}

#[test]
fn clients_integrate_over_the_outage() {
    // One client requesting once an hour on average, one attempt: 200 requests expected in 200 h, of
    // which the 10 arriving during the outage [100, 110] fail.
    let text = r#"
            [simulation]
            mission = "200h"
            [nodes.a]
            failure = { dist = "fixed", value = "100h" }
            repair = { dist = "fixed", value = "10h" }
            [roles.r]
            kind = "standalone"
            on = "a"
            [clients.c]
            count = 1
            [clients.c.requests.q]
            target = "r"
            every = "1h"
            timeout = "1s"
            response = { dist = "fixed", value = "1s" }
            max_attempts = 1
            "#;
    let m = compile(text, "test.toml").unwrap_or_else(|e| panic!("{e}"));
    let mut e = Engine::new(&m);
    e.run(0);
    let st = e.request_stats().next().unwrap().clone();
    assert!(close(st.all.succeeded[0], 190.0), "{:?}", st);
    assert!(close(st.all.failed, 10.0));
    assert!(close(st.failing_time, 10.0));
    assert!(close(st.by_state[0].total(), 190.0));
    assert!(close(st.by_state[2].failed, 10.0));
    assert!(close(st.by_state[1].total(), 0.0));
}

#[test]
fn client_retries_span_the_end_of_an_outage() {
    // Attempts at 0, 1 h and 2 h after arrival (timeout 1 h, no backoff, one instance): arrivals in
    // the last 2 h of the outage [100, 110] succeed at a later attempt; only [100, 108) fail.
    let text = r#"
            [simulation]
            mission = "200h"
            [nodes.a]
            failure = { dist = "fixed", value = "100h" }
            repair = { dist = "fixed", value = "10h" }
            [roles.r]
            kind = "standalone"
            on = "a"
            [clients.c]
            count = 1
            [clients.c.requests.q]
            target = "r"
            every = "1h"
            timeout = "1h"
            response = { dist = "fixed", value = "1s" }
            max_attempts = 3
            "#;
    let m = compile(text, "test.toml").unwrap_or_else(|e| panic!("{e}"));
    let mut e = Engine::new(&m);
    e.run(0);
    let st = e.request_stats().next().unwrap().clone();
    // The straddle [108, 110) is sampled by stratified probes: each stratum's probe lands in a known
    // half, so the split between attempts 2 and 3 is exact up to which strata fall where.
    assert!(close(st.all.failed, 8.0), "{st:?}");
    assert!(
        close(st.all.succeeded[1] + st.all.succeeded[2], 2.0),
        "{st:?}"
    );
    assert!(close(st.all.succeeded[0], 190.0));
    assert!(close(st.failing_time, 8.0));
}

#[test]
fn sticky_clients_pay_one_timeout_then_stay() {
    // Half the clients start on each of a and b. a is down [100, 110]: its clients fail over to b at
    // their next request (rate 1/h), paying one timeout: 0.5 (1 − e^{−10}) requests succeed at the
    // second attempt. Afterwards nobody moves back, and nothing fails.
    let text = r#"
            [simulation]
            mission = "200h"
            [nodes.a]
            failure = { dist = "fixed", value = "100h" }
            repair = { dist = "fixed", value = "10h" }
            [nodes.b]
            failure = { dist = "fixed", value = "100000h" }
            repair = { dist = "fixed", value = "1h" }
            [roles.r]
            kind = "pool"
            on = ["a", "b"]
            [clients.c]
            count = 1
            [clients.c.requests.q]
            target = "r"
            every = "1h"
            selection = "sticky"
            timeout = "1s"
            response = { dist = "fixed", value = "1s" }
            max_attempts = 2
            "#;
    let m = compile(text, "test.toml").unwrap_or_else(|e| panic!("{e}"));
    let mut e = Engine::new(&m);
    e.run(0);
    let st = e.request_stats().next().unwrap().clone();
    let moved = 0.5 * (1.0 - (-10.0f64).exp());
    // Arrivals within one horizon (1 s) of a change are probes; the stuck share there is 0.5 e^{−10}
    // at most near the repair, so they move the figure by less than 1e-8.
    assert!((st.all.succeeded[1] - moved).abs() < 1e-7, "{st:?}");
    assert!(st.all.failed.abs() < 1e-12);
    assert!((st.all.succeeded[0] + st.all.succeeded[1] - 200.0).abs() < 1e-9);
}

#[test]
fn failed_requests_turn_to_the_fallback() {
    // The management point is down [100, 110]; the fallback status point never fails. With one
    // attempt each, the 10 requests of the outage succeed at the fallback's attempt (the second).
    let text = r#"
            [simulation]
            mission = "200h"
            [nodes.a]
            failure = { dist = "fixed", value = "100h" }
            repair = { dist = "fixed", value = "10h" }
            [nodes.f]
            failure = { dist = "fixed", value = "100000h" }
            repair = { dist = "fixed", value = "1h" }
            [roles.mp]
            kind = "standalone"
            on = "a"
            [roles.fsp]
            kind = "standalone"
            on = "f"
            [clients.c]
            count = 1
            [clients.c.requests.status]
            target = "mp"
            fallback = "fsp"
            every = "1h"
            timeout = "1s"
            response = { dist = "fixed", value = "1s" }
            max_attempts = 1
            "#;
    let m = compile(text, "test.toml").unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        (m.requests[0].primary, m.requests[0].instances.len()),
        (1, 2)
    );
    let mut e = Engine::new(&m);
    e.run(0);
    let st = e.request_stats().next().unwrap().clone();
    // Arrivals within 1 s before the repair are probes: their fallback attempt starts after it, but
    // the fallback succeeds either way, so the split is exact.
    assert!(close(st.all.succeeded[1], 10.0), "{st:?}");
    assert!(close(st.all.succeeded[0], 190.0), "{st:?}");
    assert!(close(st.all.failed, 0.0));
}

#[test]
fn cross_site_requirement_needs_the_link() {
    // The WAN link fails at 30 for 4 h: the branch role that requires the hub role is down then.
    let text = format!(
        r#"
            [simulation]
            mission = "50h"
            [sites.hub]
            [sites.branch]
            parent = "hub"
            link = {{ failure = {{ dist = "fixed", value = "30h" }}, repair = {{ dist = "fixed", value = "4h" }} }}
            [nodes.h]
            {NEVER}
            site = "hub"
            [nodes.b]
            {NEVER}
            site = "branch"
            [roles.central]
            kind = "standalone"
            on = "h"
            [roles.local]
            kind = "standalone"
            on = "b"
            requires = ["central"]
            "#
    );
    let (_, mons, _, _) = run_once(&text);
    // Monitors: roles only (no services): central, local.
    assert!(close(mons[0].downtime, 0.0));
    assert!(close(mons[1].downtime, 4.0));
}

#[test]
fn a_crash_pending_when_the_role_stops_running_never_happens() {
    // Crashes 60 h after each start. a fails at 40 (repaired after the mission): failover to b
    // [40, 41]; the crash due at 60 went with the run on a. On b: crashes at 101 and 162, each
    // restarting for 1 h; the next is due at 223, after the mission. Six events, each doing
    // something: a's failure, the failover's end, two crashes, two restarts' ends.
    let extra = r#"software = { failure = { dist = "fixed", value = "60h" }, restart = { dist = "fixed", value = "1h" }, restart_success = 1.0 }"#;
    let m = compile(&cluster(extra, 40.0, 1000.0, 1e5, 1.0), "test.toml").unwrap();
    let mut e = Engine::new(&m);
    e.run(0);
    assert_eq!(e.machine_stats()[0].restarts, 2);
    assert!(
        close(e.monitors()[0].downtime, 3.0),
        "{}",
        e.monitors()[0].downtime
    );
    assert_eq!(e.events(), 6);
}
