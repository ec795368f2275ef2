//! Tests of the sweep: points, labels, the answer and the workload estimate.
use super::*;

const TEXT: &str = "[simulation]\nmission = \"1y\" # one year\nreplications = 64\n[nodes.web]\ncount = 3 # three\nfailure = { dist = \"exponential\", mean = \"30d\" }\nrepair = { dist = \"fixed\", value = \"8h\" }\n[roles.r]\nkind = \"pool\"\non = \"web\"\nmin_up = 2\n[services.s]\nall_of = [\"r\"]\n";

#[test]
fn values() {
    assert_eq!(
        parse_values("2..4").unwrap(),
        vec![
            SweepValue::Integer(2),
            SweepValue::Integer(3),
            SweepValue::Integer(4)
        ]
    );
    assert_eq!(
        parse_values("0.9, 0.99,true,8h").unwrap(),
        vec![
            SweepValue::Float(0.9),
            SweepValue::Float(0.99),
            SweepValue::Bool(true),
            SweepValue::Text("8h".into())
        ]
    );
    assert!(parse_values("4..2").unwrap_err().contains("empty"));
    assert!(parse_values("a..b").unwrap_err().contains("integers"));
    assert!(parse_values("1..1000").unwrap_err().contains("at most"));
    assert!(parse_values("1,,2").unwrap_err().contains("empty"));
    assert!(matches!(
        parse_set("nodes.web.count"),
        Err(SweepError::Syntax(_))
    ));
    assert!(matches!(parse_set(".x=1"), Err(SweepError::Syntax(_))));
}

#[test]
fn grid_sets_fields_and_keeps_the_rest() {
    let params = vec![
        parse_set("nodes.web.count=3..4").unwrap(),
        parse_set("nodes.web.repair.value=4h,8h").unwrap(),
    ];
    let pts = points(TEXT, "t.toml", &params).unwrap();
    assert_eq!(pts.len(), 4);
    assert_eq!(pts[1].label, "nodes.web.count=3, nodes.web.repair.value=8h");
    assert_eq!(pts[2].index, vec![1, 0]);
    assert_eq!(pts[2].model.components.len(), 4);
    assert_eq!(pts[0].model.components[0].repair.mean(), 4.0);
    assert_eq!(pts[3].model.components[0].repair.mean(), 8.0);
}

#[test]
fn run_settings_cannot_be_swept() {
    for (path, flag) in [
        ("simulation.mission", "--mission"),
        ("simulation.seed", "--seed"),
        ("simulation.replications", "--replications"),
        ("simulation.threads", "--threads"),
    ] {
        let e = parse_set(&format!("{path}=1,2")).unwrap_err();
        let msg = e.to_string();
        assert!(
            msg.contains("cannot be swept") && msg.contains(flag),
            "{msg}"
        );
        let p = SweepParameter {
            path: path.into(),
            values: vec![SweepValue::Integer(1)],
        };
        assert!(matches!(
            points(TEXT, "t.toml", &[p]),
            Err(SweepError::Unsweepable { .. })
        ));
    }
    assert!(parse_set("sweep.x=1").is_err());
}

#[test]
fn a_large_sweep_is_estimated_and_needs_yes() {
    let base = crate::scenario::compile(TEXT, "t.toml").unwrap();
    let grid = |n: usize| {
        let vals = (0..n as i64).map(SweepValue::Integer).collect::<Vec<_>>();
        vec![
            SweepParameter {
                path: "a.b".into(),
                values: vals.clone(),
            },
            SweepParameter {
                path: "c.d".into(),
                values: vals,
            },
        ]
    };
    let w = Workload::estimate(&grid(64), &base, 10_000);
    assert_eq!((w.points, w.missions()), (4096, 40_960_000));
    let why = w.excess().expect("beyond the limits");
    assert!(
        why.contains("4096 points × 10000 replications = 40960000"),
        "{why}"
    );
    assert!(why.contains("-n 2441") && why.contains("--yes"), "{why}");
    assert!(
        Workload::estimate(&grid(64), &base, 2_441)
            .excess()
            .is_none()
    );
    assert!(
        Workload::estimate(&grid(5), &base, 10_000)
            .excess()
            .is_none()
    );
    // Memory alone: many entities per point.
    let big = Workload {
        points: 4096,
        replications: 10,
        bytes: 5 << 30,
    };
    assert!(big.excess().unwrap().contains("5.0 GB"));
}

#[test]
fn bad_paths_and_points_are_named() {
    let e = points(TEXT, "t.toml", &[parse_set("nodes.wbe.count=2").unwrap()]).unwrap_err();
    assert!(e.to_string().contains("no `nodes.wbe`"), "{e}");
    let e = points(TEXT, "t.toml", &[parse_set("nodes.web.count.x=2").unwrap()]).unwrap_err();
    assert!(e.to_string().contains("is a value"), "{e}");
    let e = points(TEXT, "t.toml", &[parse_set("nodes.web.failure=2").unwrap()]).unwrap_err();
    assert!(e.to_string().contains("is a table"), "{e}");
    let e = points(
        TEXT,
        "t.toml",
        &[parse_set("nodes.web.count=1..3").unwrap()],
    )
    .unwrap_err();
    let msg = e.to_string();
    assert!(msg.contains("nodes.web.count=1"), "{msg}");
    assert!(msg.contains("min_up"), "{msg}");
    let twice = [
        parse_set("nodes.web.count=2").unwrap(),
        parse_set("nodes.web.count=3").unwrap(),
    ];
    assert!(matches!(
        points(TEXT, "t.toml", &twice),
        Err(SweepError::Twice(_))
    ));
    assert!(matches!(
        points(TEXT, "t.toml", &[]),
        Err(SweepError::Nothing(_))
    ));
}

/// A sweep of `meets` (one point each) against a 99.9% target.
fn judged(meets: &[Meets]) -> Sweep {
    let e = |v: f64| Estimate {
        value: v,
        ci95_low: v,
        ci95_high: v,
        n: 64,
    };
    Sweep {
        params: vec![parse_set(&format!("nodes.web.count=1..{}", meets.len())).unwrap()],
        service: "s".into(),
        target: Some(0.999),
        request_kind: None,
        age_kind: None,
        in_flight_kind: None,
        reassign_kind: None,
        phases: Vec::new(),
        target_impactful: false,
        rows: meets
            .iter()
            .enumerate()
            .map(|(i, m)| SweepRow {
                layout: i,
                values: vec![SweepValue::Integer(i as i64 + 1)],
                availability: e(0.99),
                downtime_hours_per_year: e(87.6),
                annual_downtime_hours_p90: e(100.0),
                outages_per_year: e(2.0),
                failed_requests_per_year: None,
                impactful: None,
                latency_p99_hours: None,
                stale_share: None,
                yearly_cost: None,
                meets: Some(*m),
                cut_per_year: None,
                reassigned: None,
                phases: Vec::new(),
            })
            .collect(),
        currency: None,
        replications: 64,
        seed: 1,
        mission_hours: 8760.0,
    }
}

#[test]
fn the_answer_mentions_uncertain_points_only_when_there_are_some() {
    let none = judged(&[Meets::No, Meets::No]).table();
    assert!(
        none.contains("answer: no point is shown to meet the target 99.900% (every point's 95% interval is below it)"),
        "{none}"
    );
    assert!(!none.contains("uncertain"), "{none}");
    let one = judged(&[Meets::No, Meets::Uncertain]).table();
    assert!(
        one.contains("(1 point is uncertain: more replications would tell)"),
        "{one}"
    );
    let two = judged(&[Meets::Uncertain, Meets::Uncertain]).table();
    assert!(two.contains("(2 points are uncertain"), "{two}");
    let yes = judged(&[Meets::No, Meets::Yes]).table();
    assert!(
        yes.contains("answer: nodes.web.count=2 is the first point"),
        "{yes}"
    );
}

#[test]
fn errors_at_a_swept_field_name_the_parameter_not_a_line() {
    let set = |s: &str| [parse_set(s).unwrap()];
    let e = points_from(
        TEXT,
        "t.toml",
        &set("nodes.web.cnt=2..3"),
        Origin::CommandLine,
    )
    .unwrap_err()
    .to_string();
    assert!(
        e.starts_with("--set nodes.web.cnt=2: unknown key `cnt`; did you mean `count`?"),
        "{e}"
    );
    assert!(!e.contains("t.toml:"), "{e}");
    let e = points(TEXT, "t.toml", &set("roles.r.min_upp=2"))
        .unwrap_err()
        .to_string();
    assert!(
        e.starts_with(
            "[sweep] \"roles.r.min_upp\"=2: unknown key `min_upp`; did you mean `min_up`?"
        ),
        "{e}"
    );
    // A value of the wrong type: only that error, not the ones that follow from it.
    let e = points_from(
        TEXT,
        "t.toml",
        &set("nodes.web.count=abc"),
        Origin::CommandLine,
    )
    .unwrap_err()
    .to_string();
    assert_eq!(
        e,
        "--set nodes.web.count=abc: expected an integer, found a string"
    );
    let e = points_from(
        TEXT,
        "t.toml",
        &set("nodes.wbe.count=2"),
        Origin::CommandLine,
    )
    .unwrap_err()
    .to_string();
    assert!(
        e.starts_with("--set nodes.wbe.count: cannot set it in t.toml: the scenario has no `nodes.wbe`; did you mean `nodes.web`?"),
        "{e}"
    );
    let e = parse_set("roles.r.min_up=2-3").unwrap_err().to_string();
    assert!(
        e.contains("`2-3` is not a range: write a range of integers as 2..3"),
        "{e}"
    );
    // A negative number is a value, not a range.
    assert_eq!(parse_values("-3").unwrap(), vec![SweepValue::Integer(-3)]);
    // Abbreviations are suggested when one key fits.
    assert_eq!(
        crate::scenario::closest("cnt", &["count", "crew"]),
        Some("count")
    );
    assert_eq!(
        crate::scenario::closest("rpr", &["repair", "priority"]),
        Some("repair")
    );
    assert_eq!(crate::scenario::closest("c", &["count", "crew"]), None);
    assert_eq!(
        crate::scenario::closest("cr", &["count", "crew"]),
        Some("crew")
    );
}
