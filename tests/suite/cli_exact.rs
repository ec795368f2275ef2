//! `nines exact` from the command line: the table, the side-by-side estimates, and clear errors.

use assert_cmd::Command;

fn nines() -> Command {
    Command::cargo_bin("nines").expect("binary")
}

#[test]
fn exact_table_with_rare_and_plain_estimates() {
    let out = nines()
        .args(["exact", "scenarios/pool-3-of-5.toml", "--rare", "100000"])
        .args(["--precision", "0.1", "--simulate", "200", "-j", "2"])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(out.status.success(), "{text}");
    assert!(text.contains("Markov chain: 32 states"), "{text}");
    assert!(
        text.contains("service web_app") && text.contains("11.29"),
        "{text}"
    );
    assert!(text.contains("rare-event simulation"), "{text}");
    assert!(text.contains("exact inside the interval"), "{text}");
    assert!(
        text.contains("plain Monte Carlo would need about"),
        "{text}"
    );
    assert!(text.contains("simulation: 200 replications"), "{text}");
    let json = nines()
        .args(["exact", "scenarios/exponential-ha.toml", "--format", "json"])
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(v["exact"]["entities"][0]["name"], "web_app");
    assert!(v["rare"].is_null());
}

#[test]
fn exact_errors_name_the_problem() {
    let out = nines()
        .args(["exact", "scenarios/web-farm.toml"])
        .output()
        .unwrap();
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        err.contains("node web-1 repair is lognormal(mean 8h, sigma 0.8), not exponential")
            && err.contains("--approximate"),
        "{err}"
    );
    let out = nines()
        .args(["exact", "scenarios/mechanisms.toml", "--approximate"])
        .output()
        .unwrap();
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("maintenance.patch_night"), "{err}");
    let out = nines()
        .args([
            "exact",
            "scenarios/exponential-ha.toml",
            "--max-states",
            "100",
        ])
        .output()
        .unwrap();
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("more than 100 states (100 found"), "{err}");
    // Too large to solve, the rare-event estimate still runs.
    let out = nines()
        .args([
            "exact",
            "scenarios/exponential-ha.toml",
            "--max-states",
            "100",
        ])
        .args(["--rare", "20000"])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        out.status.success() && text.contains("note: the state space is too large"),
        "{text}"
    );
    assert!(text.contains("rare-event simulation"), "{text}");
}
