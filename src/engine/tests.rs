//! Unit tests of the engine: exact figures of simple missions with fixed durations.

mod mechanisms;

use super::*;
use crate::scenario::compile;

fn model(text: &str) -> Model {
    compile(text, "test.toml").unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn fixed_durations_give_exact_downtime() {
    // Fails at 100h, repaired at 110h, fails at 210h, ...: in 1000h, down 9 × 10h; the 10th failure is at 1000h.
    let m = model(
        r#"
            [simulation]
            mission = "1000h"
            [nodes.a]
            failure = { dist = "fixed", value = "100h" }
            repair = { dist = "fixed", value = "10h" }
            [roles.r]
            kind = "standalone"
            on = "a"
            [services.s]
            all_of = ["r"]
            "#,
    );
    let mut e = Engine::new(&m);
    e.run(0);
    let mon = e.monitors()[0];
    assert_eq!(mon.outages, 9);
    assert!((mon.downtime - 90.0).abs() < 1e-9);
    assert!((e.overlap(0, 0) - 90.0).abs() < 1e-9);
    assert_eq!(e.events(), 18);
}

#[test]
fn pool_goes_down_only_when_too_few_up() {
    // a: down [100,150); b: down [120,130); both fail again after the mission: the 2-of-2 pool is down 50 h,
    // the 1-of-2 pool 10 h, during which both nodes were down.
    let m = model(
        r#"
            [simulation]
            mission = "200h"
            [nodes.a]
            failure = { dist = "fixed", value = "100h" }
            repair = { dist = "fixed", value = "50h" }
            [nodes.b]
            failure = { dist = "fixed", value = "120h" }
            repair = { dist = "fixed", value = "10h" }
            [roles.any]
            kind = "pool"
            on = ["a", "b"]
            [roles.both]
            kind = "pool"
            on = ["a", "b"]
            min_up = 2
            [services.s_any]
            all_of = ["any"]
            [services.s_both]
            all_of = ["both"]
            "#,
    );
    let mut e = Engine::new(&m);
    e.run(0);
    let any = e.monitors()[0];
    let both = e.monitors()[1];
    assert!((any.downtime - 10.0).abs() < 1e-9);
    assert_eq!(any.outages, 1);
    assert!((both.downtime - 50.0).abs() < 1e-9, "{}", both.downtime);
    assert_eq!(both.outages, 1);
    assert!((e.overlap(0, 0) - 10.0).abs() < 1e-9);
    assert!((e.overlap(0, 1) - 10.0).abs() < 1e-9);
    assert!((e.overlap(1, 0) - 50.0).abs() < 1e-9);
    assert!((e.overlap(1, 1) - 10.0).abs() < 1e-9);
}

#[test]
fn outage_open_at_end_is_cut_and_split_by_year() {
    let m = model(
        r#"
            [simulation]
            mission = "2y"
            [nodes.a]
            failure = { dist = "fixed", value = "8000h" }
            repair = { dist = "fixed", value = "2y" }
            [roles.r]
            kind = "standalone"
            on = "a"
            "#,
    );
    let mut e = Engine::new(&m);
    e.run(0);
    let mon = e.monitors()[0];
    assert_eq!(mon.outages, 1);
    assert!((mon.downtime - (17520.0 - 8000.0)).abs() < 1e-9);
    assert_eq!(e.year_slots().0, 2);
    assert!((e.year_downtime(0)[0] - 760.0).abs() < 1e-9);
    assert!((e.year_downtime(0)[1] - 8760.0).abs() < 1e-9);
}

#[test]
fn tolerance_counts_only_outages_longer_than_it() {
    // Down [100,110), [210,220), ... 8 whole outages of 10 h, and [980,985) open at the end, cut
    // there at 5 h. A 4 h tolerance: all 9 are impactful; "excess" counts 8 × 6 + 1 h, "whole"
    // 8 × 10 + 5 h. A 6 h tolerance forgives the cut one.
    let run = |tolerance: &str, counts: &str| {
        let m = model(&format!(
            r#"
            [simulation]
            mission = "985h"
            [nodes.a]
            failure = {{ dist = "fixed", value = "100h" }}
            repair = {{ dist = "fixed", value = "10h" }}
            [roles.r]
            kind = "standalone"
            on = "a"
            [services.s]
            all_of = ["r"]
            tolerance = "{tolerance}"
            tolerance_counts = "{counts}"
            "#
        ));
        let mut e = Engine::new(&m);
        e.run(0);
        let mon = e.monitors()[0];
        assert_eq!(mon.outages, 9);
        assert!((mon.downtime - 85.0).abs() < 1e-9);
        // The role has no tolerance: nothing is counted for it.
        assert_eq!(e.monitors()[1].impactful_outages, 0);
        (mon.impactful, mon.impactful_outages, e.year_impactful(0)[0])
    };
    let (h, n, y) = run("4h", "excess");
    assert!(
        (h - 49.0).abs() < 1e-9 && n == 9 && (y - 49.0).abs() < 1e-9,
        "{h} {n} {y}"
    );
    let (h, n, y) = run("4h", "whole");
    assert!(
        (h - 85.0).abs() < 1e-9 && n == 9 && (y - 85.0).abs() < 1e-9,
        "{h} {n} {y}"
    );
    let (h, n, _) = run("6h", "excess");
    assert!((h - 32.0).abs() < 1e-9 && n == 8, "{h} {n}");
    let (h, n, _) = run("10h", "whole");
    assert!(h == 0.0 && n == 0, "{h} {n}");
}
