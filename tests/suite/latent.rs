//! Latent failures against exact answers: a silent node inspected periodically (mean hidden time in
//! closed form), a backup job that stopped (the older backup a restore falls back on), and the errors.
//!
//! Mean hidden time. A node starts a life at an inspection instant and fails after X ~ Exp(λ); the
//! inspections at I, 2I, ... (each taking D, finding a failure present when it began with probability
//! p) find it. With N = ⌈X / I⌉ the inspection after the failure, P(N = k) = e^{−λI(k−1)}(1 − e^{−λI}),
//! so E[N·I] = I / (1 − e^{−λI}), and the first inspection that detects is a geometric number of
//! inspections later: E[hidden] = I / (1 − e^{−λI}) − 1/λ + I(1 − p)/p + D. (For λI ≪ 1 the first
//! term minus 1/λ tends to I/2.) A repair of fixed length I − D brings the node back exactly at an
//! inspection instant, so every life starts at one and the formula holds for every failure found.

use crate::common;

use common::{Checks, compile_error, simulate};

/// A silent node `gen` (exponential failures, mean `1/λ`), inspected every `i` hours (taking `d`,
/// detecting with `p`), repaired in exactly `i − d`, over missions of `years`.
fn scenario(mean: f64, i: f64, d: f64, p: f64, years: u32, replications: u32) -> String {
    format!(
        r#"
        [simulation]
        mission = "{years}y"
        replications = {replications}
        seed = 2112
        [nodes.app]
        failure = {{ dist = "exponential", mean = "5y" }}
        repair = {{ dist = "fixed", value = "4h" }}
        [nodes.gen]
        silent = true
        failure = {{ dist = "exponential", mean = "{mean}h" }}
        repair = {{ dist = "fixed", value = "{repair}h" }}
        [roles.web]
        kind = "standalone"
        on = "app"
        [services.site]
        all_of = ["web"]
        [inspections.weekly]
        nodes = ["gen"]
        every = "{i}h"
        duration = "{d}h"
        detect = {p}
        "#,
        repair = i - d
    )
}

fn mean_hidden(mean: f64, i: f64, d: f64, p: f64) -> f64 {
    let lambda = 1.0 / mean;
    i / (1.0 - (-lambda * i).exp()) - mean + i * (1.0 - p) / p + d
}

fn check(mean: f64, i: f64, d: f64, p: f64, years: u32, replications: u32) {
    let mut ck = Checks::default();
    let (_, s) = simulate(&scenario(mean, i, d, p, years, replications));
    let l = s
        .latent
        .iter()
        .find(|l| l.node == "gen")
        .expect("latent row");
    ck.exact(
        "mean hidden hours",
        &l.mean_hidden_hours,
        mean_hidden(mean, i, d, p),
    );
    // Every hidden failure is found by an inspection (nothing calls on the node).
    ck.equal(
        "found when called on",
        l.found_when_called_per_year.value,
        0.0,
    );
    assert!(
        l.found_by_inspection_per_year.value > 0.9 * l.hidden_failures_per_year.value,
        "most hidden failures are found within the year"
    );
    ck.finish();
}

#[test]
fn weekly_perfect_inspection_mean_hidden_time() {
    // λI = 1: the exact form (97.8 h) is 16% above the rule of thumb I/2 (84 h).
    check(168.0, 168.0, 0.0, 1.0, 1, 4000);
}

#[test]
fn imperfect_inspection_with_duration_mean_hidden_time() {
    // Half the inspections miss a failure, and each takes a day: 97.8 + 168 + 24 hours. The mean is
    // over the failures found, so one still hidden at the mission end is left out, and the long ones
    // are likelier to be: a short mission biases the mean down (2% at one year, found here). A 50-year
    // mission holds about 700 failures, so that edge weighs under a tenth of a percent.
    check(168.0, 168.0, 24.0, 0.5, 50, 250);
}

#[test]
fn a_stopped_backup_job_makes_the_restore_use_an_older_backup() {
    // The job stops silently at 100 h; the role's node fails at 500 h. Daily backups would have kept
    // changes up to 480 h; the last one taken is at 96 h: 404 h lost, 384 h of them for want of
    // backups, and the restore finds the job failed.
    let text = r#"
        [simulation]
        mission = "1y"
        replications = 20
        seed = 1
        [nodes.db]
        failure = { dist = "fixed", value = "500h" }
        repair = "none"
        [nodes.job]
        silent = true
        failure = { dist = "fixed", value = "100h" }
        repair = { dist = "fixed", value = "1h" }
        [roles.cm]
        kind = "standalone"
        on = "db"
        recovery = { kind = "restore", backup_every = "24h", backup_job = "job", restore = { dist = "fixed", value = "2h" } }
        [services.s]
        all_of = ["cm"]
    "#;
    let (_, s) = simulate(text);
    let l = s
        .latent
        .iter()
        .find(|l| l.node == "job")
        .expect("latent row");
    let lost = l.data_lost_hours_per_year.expect("a backup job");
    assert!((lost.value - 384.0).abs() < 1e-9, "{lost:?}");
    assert_eq!(l.found_when_called_per_year.value, 1.0);
    assert!((l.mean_hidden_hours.value - 400.0).abs() < 1e-9);
    let role = s.entities.iter().find(|e| e.name == "cm").expect("role");
    let d = role.data_loss.as_ref().expect("data loss");
    assert!((d.hours_per_year.value - 404.0).abs() < 1e-9, "{d:?}");
}

#[test]
fn latent_errors_name_the_field_and_the_fix() {
    let base = |node: &str, extra: &str| {
        format!(
            r#"
            [simulation]
            mission = "1y"
            [defaults]
            failure = {{ dist = "exponential", mean = "1y" }}
            repair = {{ dist = "exponential", mean = "1h" }}
            [nodes.a]
            {node}
            [nodes.b]
            [roles.r]
            kind = "standalone"
            on = "a"
            [services.s]
            all_of = ["r"]
            {extra}
            "#
        )
    };
    let err = |text: String| compile_error(&text);
    let e = err(base("silent = true", ""));
    assert!(
        e.contains("nodes.a.silent") && e.contains("role `r` runs on it"),
        "{e}"
    );
    let e = err(base("", "[inspections.i]\nnodes = [\"b\"]\nevery = \"7d\""));
    assert!(
        e.contains("inspections.i.nodes") && e.contains("silent = true"),
        "{e}"
    );
    let e = err(base(
        "",
        "[inspections.i]\nnodes = [\"bb\"]\nevery = \"7d\"",
    ));
    assert!(e.contains("unknown node `bb`"), "{e}");
    let e = err(base(
        "",
        "[inspections.i]\nnodes = [\"b\"]\nevery = \"7d\"\ndetect = 1.5",
    ));
    assert!(
        e.contains("inspections.i.detect") && e.contains("probability"),
        "{e}"
    );
    let e = err(base(
        "",
        "[inspections.i]\nnodes = [\"b\"]\nevery = \"7d\"\nduration = \"8d\"",
    ));
    assert!(e.contains("inspections.i.duration"), "{e}");
    let e = err(base("", "[inspections.i]\nnodes = [\"b\"]\nevry = \"7d\""));
    assert!(e.contains("did you mean `every`"), "{e}");
}

/// Inspections by a crew of one technician that nothing else uses, with a fixed dispatch delay `D`:
/// the inspection due at kI begins at kI + D and ends d later, so it finds a failure present at
/// kI + D. A failure found at kI + D + d is repaired in a fixed R (no crew), so every life starts at
/// the same phase: a = (−(d + R)) mod I before the next inspection begins. The life X ~ Exp(λ); the
/// wait W from the failure to the next beginning is a − X when X ≤ a, and otherwise (memoryless) the
/// wait of an exponential for the next multiple of I: E[W] = a − (1 − e^{−λa})/λ + e^{−λa}(I/(1 −
/// e^{−λI}) − 1/λ), and E[hidden] = E[W] + d. The technician is busy D + d per inspection, a fixed
/// calendar: its utilisation is exact.
#[test]
fn inspections_by_a_crew_mean_hidden_time_and_utilisation() {
    let (mean, i, dispatch, d, repair, years): (f64, f64, f64, f64, f64, f64) =
        (200.0, 168.0, 6.0, 2.0, 30.0, 50.0);
    let text = format!(
        r#"
        [simulation]
        mission = "{years}y"
        replications = 60
        seed = 2113
        [crews.ops]
        technicians = 1
        dispatch = {{ dist = "fixed", value = "{dispatch}h" }}
        [nodes.app]
        failure = {{ dist = "exponential", mean = "5y" }}
        repair = {{ dist = "fixed", value = "4h" }}
        [nodes.gen]
        silent = true
        failure = {{ dist = "exponential", mean = "{mean}h" }}
        repair = {{ dist = "fixed", value = "{repair}h" }}
        [roles.web]
        kind = "standalone"
        on = "app"
        [services.site]
        all_of = ["web"]
        [inspections.weekly]
        nodes = ["gen"]
        every = "{i}h"
        duration = "{d}h"
        crew = "ops"
        "#
    );
    let lambda = 1.0 / mean;
    let a = (-(d + repair)).rem_euclid(i);
    let wait = a - (1.0 - (-lambda * a).exp()) / lambda
        + (-lambda * a).exp() * (i / (1.0 - (-lambda * i).exp()) - mean);
    let mut ck = Checks::default();
    let (model, s) = simulate(&text);
    let l = s
        .latent
        .iter()
        .find(|l| l.node == "gen")
        .expect("latent row");
    ck.exact("mean hidden hours", &l.mean_hidden_hours, wait + d);
    // Busy D + d from each inspection due at kI, cut at the mission end.
    let m = model.simulation.mission;
    let busy: f64 = (0..=(m / i).floor() as u64)
        .map(|k| (dispatch + d).min(m - k as f64 * i))
        .sum();
    let crew = s.crews.iter().find(|c| c.name == "ops").expect("crew row");
    ck.close("utilisation", crew.utilisation.value, busy / m);
    ck.equal("repairs by the crew", crew.repairs_per_year.value, 0.0);
    ck.finish();
}

/// A technician busy with a repair makes a due inspection wait, and a repair that falls due while
/// it waits goes first. Fixed times: `gen` fails silently at 10 h; `a1` fails at 100 h and holds the
/// technician to 150 h; the inspection falls due at 110 h; `a2` fails at 120 h and is repaired
/// 150–200 h; the inspection runs 200–201 h and finds `gen`'s failure: hidden 191 h. The technician
/// is busy 50 + 50 + 1, then 230–231 h (the next inspection, `gen` under repair), then from `a1`'s
/// next failure at 250 h to the mission end at 290 h: 142 h.
#[test]
fn a_crew_inspection_waits_behind_repairs() {
    let text = r#"
        [simulation]
        mission = "290h"
        replications = 2
        seed = 5
        [crews.ops]
        technicians = 1
        [nodes.a1]
        failure = { dist = "fixed", value = "100h" }
        repair = { dist = "fixed", value = "50h" }
        crew = "ops"
        [nodes.a2]
        failure = { dist = "fixed", value = "120h" }
        repair = { dist = "fixed", value = "50h" }
        crew = "ops"
        [nodes.gen]
        silent = true
        failure = { dist = "fixed", value = "10h" }
        repair = { dist = "fixed", value = "1000h" }
        [roles.r]
        kind = "pool"
        on = ["a1", "a2"]
        min_up = 1
        [services.s]
        all_of = ["r"]
        [inspections.i]
        nodes = ["gen"]
        every = "120h"
        offset = "110h"
        duration = "1h"
        crew = "ops"
    "#;
    let (_, s) = simulate(text);
    let l = s
        .latent
        .iter()
        .find(|l| l.node == "gen")
        .expect("latent row");
    assert!((l.mean_hidden_hours.value - 191.0).abs() < 1e-9, "{l:?}");
    let crew = s.crews.iter().find(|c| c.name == "ops").expect("crew row");
    assert!(
        (crew.utilisation.value - 142.0 / 290.0).abs() < 1e-12,
        "{crew:?}"
    );
}

#[test]
fn an_inspection_crew_must_exist() {
    let text = r#"
        [simulation]
        mission = "1y"
        [crews.ops]
        technicians = 1
        [nodes.a]
        failure = { dist = "exponential", mean = "1y" }
        repair = { dist = "exponential", mean = "1h" }
        [nodes.b]
        silent = true
        failure = { dist = "exponential", mean = "1y" }
        repair = { dist = "exponential", mean = "1h" }
        [roles.r]
        kind = "standalone"
        on = "a"
        [services.s]
        all_of = ["r"]
        [inspections.i]
        nodes = ["b"]
        every = "7d"
        crew = "opz"
    "#;
    let e = compile_error(text);
    assert!(
        e.contains("inspections.i.crew") && e.contains("unknown crew `opz`") && e.contains("ops"),
        "{e}"
    );
}
