//! `nines rare` from the command line: the method it picks, the table and JSON, and clear errors.

use assert_cmd::Command;

fn nines() -> Command {
    Command::cargo_bin("nines").expect("binary")
}

fn run(args: &[&str]) -> (Option<i32>, String, String) {
    let out = nines().args(args).output().unwrap();
    (
        out.status.code(),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

#[test]
fn exponential_scenario_gets_importance_sampling_beside_the_exact_figures() {
    let (code, text, err) = run(&["rare", "scenarios/pool-3-of-5.toml", "-j", "2"]);
    assert_eq!(code, Some(0), "{err}");
    assert!(
        text.contains("method: every duration is exponential"),
        "{text}"
    );
    assert!(text.contains("Markov chain: 32 states"), "{text}");
    assert!(text.contains("balanced failure biasing"), "{text}");
    assert!(text.contains("exact inside the interval"), "{text}");
}

#[test]
fn other_distributions_get_importance_splitting() {
    let (code, text, err) = run(&[
        "rare",
        "scenarios/web-farm.toml",
        "--budget",
        "64",
        "-j",
        "2",
        "--format",
        "json",
    ]);
    assert_eq!(code, Some(0), "{err}");
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(v["method"], "splitting");
    assert!(
        v["why"].as_str().unwrap().contains("not exponential"),
        "{v}"
    );
    assert_eq!(v["splitting"]["missions"], 64);
    let e = &v["splitting"]["entities"][0];
    assert_eq!(e["name"], "web_app");
    assert!(e["unavailability"]["value"].as_f64().unwrap() > 0.0, "{e}");
    assert_eq!(e["unavailability"]["n"], 64);
    let (code, text, err) = run(&[
        "rare",
        "scenarios/pool-3-of-5.toml",
        "--method",
        "splitting",
        "--factors",
        "1,1,1,1,1,1",
        "--budget",
        "32",
    ]);
    assert_eq!(code, Some(0), "{err}");
    assert!(text.contains("importance splitting (RESTART)"), "{text}");
    assert!(text.contains("none (plain simulation)"), "{text}");
    assert!(text.contains("32 missions of 10y"), "{text}");
}

#[test]
fn rare_errors_name_the_problem() {
    let (code, _, err) = run(&["rare", "scenarios/web-farm.toml", "--method", "importance"]);
    assert_eq!(code, Some(2));
    assert!(
        err.contains("not exponential") && err.contains("--method splitting"),
        "{err}"
    );
    let (code, _, err) = run(&["rare", "scenarios/pool-3-of-5.toml", "--precision", "1.5"]);
    assert_eq!(code, Some(2));
    assert!(
        err.contains("--precision 1.5: expected a fraction"),
        "{err}"
    );
    let (code, _, err) = run(&["rare", "scenarios/pool-3-of-5.toml", "--budget", "0"]);
    assert_eq!(code, Some(2));
    assert!(err.contains("--budget 0"), "{err}");
    let (code, _, err) = run(&[
        "rare",
        "scenarios/pool-3-of-5.toml",
        "--method",
        "splitting",
        "--factors",
        "10,10",
    ]);
    assert_eq!(code, Some(2));
    assert!(
        err.contains("2 splitting factors given") && err.contains("has 6 thresholds"),
        "{err}"
    );
    let (code, _, err) = run(&["rare", "scenarios/pool-3-of-5.toml", "--factors", "10"]);
    assert_eq!(code, Some(2));
    assert!(err.contains("only for --method splitting"), "{err}");
}

#[test]
fn run_suggests_the_rare_event_method_for_the_scenario() {
    let tmp = tempfile::tempdir().unwrap();
    for (file, method) in [
        ("scenarios/pool-3-of-5.toml", "importance sampling"),
        (
            "scenarios/pool-3-of-5-lognormal.toml",
            "importance splitting",
        ),
    ] {
        let out = nines()
            .args([
                "run",
                "-n",
                "100",
                "-q",
                "--no-charts",
                "--no-report",
                "--out",
            ])
            .arg(tmp.path().join(method.replace(' ', "-")))
            .arg(file)
            .output()
            .unwrap();
        let text = String::from_utf8(out.stdout).unwrap();
        assert!(out.status.success(), "{text}");
        assert!(
            text.contains("run `nines rare SCENARIO --precision 0.1`") && text.contains(method),
            "{file}: {text}"
        );
    }
}
