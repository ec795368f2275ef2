//! Edge semantics: nodes that are never repaired, zero-length repairs, events exactly at the mission
//! end, missions shorter than a failover; each checked against the figure it must give exactly.

use nines::engine::Engine;
use nines::estimate::runner::{self, RunOptions};
use nines::scenario::compile;

/// Runs one replication and returns the monitors' (downtime, outages, longest) in measured order.
fn one(text: &str, rep: u64) -> Vec<(f64, u32, f64)> {
    let model = compile(text, "edge.toml").unwrap_or_else(|e| panic!("{e}"));
    let mut e = Engine::new(&model);
    e.run(rep);
    e.monitors()
        .iter()
        .map(|m| (m.downtime, m.outages, m.longest))
        .collect()
}

fn standalone(mission: &str, failure: &str, repair: &str) -> String {
    format!(
        "[simulation]\nmission = \"{mission}\"\n[nodes.a]\nfailure = {failure}\nrepair = {repair}\n[roles.r]\nkind = \"standalone\"\non = \"a\"\n"
    )
}

#[test]
fn a_node_that_is_never_repaired_stays_down_for_the_rest_of_the_mission() {
    let text = standalone(
        "1000h",
        "{ dist = \"fixed\", value = \"300h\" }",
        "\"none\"",
    );
    assert_eq!(one(&text, 0), vec![(700.0, 1, 700.0)]);
    // Random failure times: down from the failure to the end, exactly once.
    let text = standalone(
        "1000h",
        "{ dist = \"exponential\", mean = \"500h\" }",
        "\"none\"",
    );
    let model = compile(&text, "edge.toml").unwrap();
    let mut e = Engine::new(&model);
    let mut failed = 0;
    for rep in 0..200 {
        e.run(rep);
        let m = &e.monitors()[0];
        assert!(m.outages <= 1, "never repaired, so at most one outage");
        assert_eq!(m.downtime, m.longest);
        failed += m.outages;
    }
    // P(fail within 1000 h) = 1 − e^−2 ≈ 0.865.
    assert!((150..=195).contains(&failed), "{failed}");
    // In [defaults] too, and a pool of such nodes loses capacity for good.
    let pool = "[simulation]\nmission = \"1000h\"\n[defaults]\nfailure = { dist = \"fixed\", value = \"100h\" }\nrepair = \"none\"\n[nodes.n]\ncount = 3\n[nodes.late]\nfailure = { dist = \"fixed\", value = \"400h\" }\n[roles.p]\nkind = \"pool\"\non = [\"n-1\", \"n-2\", \"late\"]\nmin_up = 1\n";
    assert_eq!(one(pool, 0), vec![(600.0, 1, 600.0)]);
    let model = compile(pool, "edge.toml").unwrap();
    let text = nines::analyses::explain::describe(&model);
    assert!(
        text.contains("never repaired (down for the rest of the mission once failed)"),
        "{text}"
    );
}

#[test]
fn never_repaired_nodes_are_checked() {
    let crew = "[simulation]\nmission = \"1y\"\n[crews.ops]\ntechnicians = 1\n[nodes.a]\nfailure = { dist = \"exponential\", mean = \"1y\" }\nrepair = \"none\"\ncrew = \"ops\"\n[roles.r]\nkind = \"standalone\"\non = \"a\"\n";
    let e = compile(crew, "c.toml").unwrap_err().to_string();
    assert!(
        e.contains("c.toml:8:8: nodes.a.crew: the node is never repaired"),
        "{e}"
    );
    let typo = standalone(
        "1y",
        "{ dist = \"exponential\", mean = \"1y\" }",
        "\"never\"",
    );
    let e = compile(&typo, "t.toml").unwrap_err().to_string();
    assert!(
        e.contains("t.toml:5:10: nodes.a.repair: expected a time-to-repair distribution")
            && e.contains(
                "or \"none\" for a node that is never repaired; found the string \"never\""
            ),
        "{e}"
    );
}

#[test]
fn zero_length_repairs_cost_nothing_and_are_no_outage() {
    let text = standalone(
        "1000h",
        "{ dist = \"fixed\", value = \"100h\" }",
        "{ dist = \"fixed\", value = \"0h\" }",
    );
    assert_eq!(one(&text, 0), vec![(0.0, 0, 0.0)]);
    let text = standalone(
        "10y",
        "{ dist = \"exponential\", mean = \"1y\" }",
        "{ dist = \"fixed\", value = \"0h\" }",
    );
    let mut model = compile(&text, "edge.toml").unwrap();
    model.simulation.replications = 200;
    let out = runner::run(
        &model,
        RunOptions {
            threads: 1,
            rows: None,
            progress: None,
            range: None,
        },
    )
    .unwrap();
    let r = &out.summary.entities[0];
    assert_eq!(r.availability.value, 1.0);
    assert_eq!(r.total_outages, 0);
    assert_eq!(r.outages_per_year.value, 0.0);
}

#[test]
fn a_failure_time_of_zero_is_refused() {
    // It would fail again the instant it is repaired; with a zero repair too, forever at time 0.
    let text = standalone(
        "1y",
        "{ dist = \"fixed\", value = \"0h\" }",
        "{ dist = \"fixed\", value = \"0h\" }",
    );
    let e = compile(&text, "z.toml").unwrap_err().to_string();
    assert!(
        e.contains("z.toml:4:11: nodes.a.failure: a time to failure that is always zero"),
        "{e}"
    );
}

#[test]
fn events_exactly_at_the_mission_end_change_nothing() {
    // A failure exactly at the end is not simulated.
    let at_end = standalone(
        "1000h",
        "{ dist = \"fixed\", value = \"1000h\" }",
        "{ dist = \"fixed\", value = \"10h\" }",
    );
    assert_eq!(one(&at_end, 0), vec![(0.0, 0, 0.0)]);
    // A repair that would end exactly at the end: the outage counts, cut at the end.
    let repaired_at_end = standalone(
        "1000h",
        "{ dist = \"fixed\", value = \"990h\" }",
        "{ dist = \"fixed\", value = \"10h\" }",
    );
    assert_eq!(one(&repaired_at_end, 0), vec![(10.0, 1, 10.0)]);
    // One that would end after it: cut at the end too.
    let open = standalone(
        "1000h",
        "{ dist = \"fixed\", value = \"995h\" }",
        "{ dist = \"fixed\", value = \"10h\" }",
    );
    assert_eq!(one(&open, 0), vec![(5.0, 1, 5.0)]);
}

#[test]
fn a_mission_shorter_than_a_failover_is_down_from_the_failure_to_the_end() {
    let text = "[simulation]\nmission = \"10h\"\n[nodes.a]\nfailure = { dist = \"fixed\", value = \"4h\" }\nrepair = { dist = \"fixed\", value = \"100h\" }\n[nodes.b]\nfailure = { dist = \"fixed\", value = \"1000h\" }\nrepair = { dist = \"fixed\", value = \"1h\" }\n[roles.c]\nkind = \"cluster\"\non = [\"a\", \"b\"]\nfailover = { dist = \"fixed\", value = \"1d\" }\n";
    let model = compile(text, "f.toml").unwrap_or_else(|e| panic!("{e}"));
    let mut e = Engine::new(&model);
    e.run(0);
    let m = &e.monitors()[0];
    assert_eq!((m.downtime, m.outages, m.longest), (6.0, 1, 6.0));
    let st = &e.machine_stats()[0];
    assert_eq!(st.failovers, 0, "the failover never completed");
    let own: f64 = st.down_by_cause.iter().sum();
    assert_eq!(own, 6.0, "the role's own downtime, all switching");
}

/// Only the node's own failure destroys a restored role's data, so validate no longer warns about
/// a maintenance schedule, a domain or a site that can take the node; and one replication with the
/// node never failing and a monthly patch window restores nothing and loses nothing.
#[test]
fn restore_on_a_node_that_maintenance_or_a_domain_takes_is_not_warned_and_keeps_its_data() {
    let base = r#"[simulation]
mission = "1y"

[nodes.db]
failure = { dist = "fixed", value = "100000h" }
repair = { dist = "fixed", value = "4h" }

[roles.sql]
kind = "standalone"
on = "db"
recovery = { kind = "restore", backup_every = "24h", backup_offset = "2h", restore = { dist = "fixed", value = "6h" } }

[services.s]
all_of = ["sql"]
"#;
    let warnings = |text: &str| {
        let m = nines::scenario::compile(text, "w.toml").unwrap_or_else(|e| panic!("{e}"));
        nines::analyses::explain::warnings(&m)
    };
    let maint = format!(
        "{base}\n[maintenance.patch]\nnodes = [\"db\"]\nevery = \"30d\"\nduration = \"30min\"\noffset = \"12d 22h\"\n"
    );
    let domain = base.replace(
        "[nodes.db]\n",
        "[domains.rack]\nfailure = { dist = \"exponential\", mean = \"10y\" }\nrepair = { dist = \"fixed\", value = \"2h\" }\n\n[nodes.db]\nin = [\"rack\"]\n",
    );
    for text in [base, &maint, &domain] {
        let w = warnings(text);
        assert!(w.is_empty(), "{w:?}");
    }
    // Windows at 12d 22h + k × 30d: 12 of them in 365 days, 30 minutes each, every one 20 h after the
    // last backup (02:00). Before, each was a 6 h restore losing 20 h of changes.
    let model = compile(&maint, "w.toml").unwrap();
    let mut e = Engine::new(&model);
    e.run(0);
    let m = &e.monitors()[0];
    assert_eq!((m.downtime, m.planned, m.outages), (6.0, 6.0, 12));
    let st = &e.machine_stats()[0];
    assert_eq!((st.data_lost, st.loss_incidents), (0.0, 0));
    assert_eq!(
        st.down_by_cause[nines::engine::Cause::Recovery as usize],
        0.0
    );
}

/// Rolling maintenance never takes the last instance a pool needs: over a pool that needs every node
/// (a single-node pool, or min_up = count) it patches nothing, which validate warns about.
#[test]
fn rolling_maintenance_over_a_pool_without_spare_is_warned_and_patches_nothing() {
    let text = |count: u32, min_up: u32| {
        format!(
            r#"
[simulation]
mission = "1y"

[nodes.web]
count = {count}
failure = {{ dist = "fixed", value = "20000h" }}
repair = {{ dist = "fixed", value = "1h" }}

[roles.front]
kind = "pool"
on = "web"
min_up = {min_up}

[maintenance.patch]
role = "front"
rolling = true
every = "30d"
duration = "2h"

[services.s]
all_of = ["front"]
"#
        )
    };
    for (count, min_up, warned) in [(1, 1, true), (2, 2, true), (2, 1, false)] {
        let model = nines::scenario::compile(&text(count, min_up), "w.toml")
            .unwrap_or_else(|e| panic!("{e}"));
        let w = nines::analyses::explain::warnings(&model);
        assert_eq!(
            w.iter().any(|x| x.contains("so the roll never takes one")),
            warned,
            "{count} nodes, min_up {min_up}: {w:?}"
        );
        // No failure within the year: only maintenance could take a node. Windows at 0, 30d, ...,
        // 360d: 13, of 2 h per node. A pool with no spare is at risk all year and never down.
        let mut e = nines::engine::Engine::new(&model);
        e.run(0);
        let m = &e.monitors()[0];
        assert_eq!(m.downtime, 0.0, "{count} nodes, min_up {min_up}");
        let at_risk = if warned { 8760.0 } else { 13.0 * 2.0 * 2.0 };
        assert_eq!(m.at_risk, at_risk, "{count} nodes, min_up {min_up}");
    }
}
