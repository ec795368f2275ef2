//! The command line: outputs written, reproducibility across thread counts, and clear errors for bad input.

use std::fs;
use std::path::Path;

use assert_cmd::Command;

fn nines() -> Command {
    Command::cargo_bin("nines").expect("binary")
}

const EXAMPLE: &str = "scenarios/web-farm.toml";

fn run_to(dir: &Path, threads: &str, seed: &str) -> (Vec<u8>, Vec<u8>) {
    nines()
        .args([
            "run",
            EXAMPLE,
            "-n",
            "700",
            "--quiet",
            "--seed",
            seed,
            "--threads",
            threads,
            "--out",
        ])
        .arg(dir)
        .assert()
        .success();
    (
        fs::read(dir.join("summary.csv")).unwrap(),
        fs::read(dir.join("replications.csv")).unwrap(),
    )
}

#[test]
fn same_seed_is_byte_identical_whatever_the_threads() {
    let tmp = tempfile::tempdir().unwrap();
    let one = run_to(&tmp.path().join("one"), "1", "7");
    let three = run_to(&tmp.path().join("three"), "3", "7");
    assert_eq!(
        one.0, three.0,
        "summary.csv differs between 1 and 3 threads"
    );
    assert_eq!(
        one.1, three.1,
        "replications.csv differs between 1 and 3 threads"
    );
    let other = run_to(&tmp.path().join("other"), "2", "8");
    assert_ne!(
        one.0, other.0,
        "a different seed must give different results"
    );
    // 700 replications × 2 services + header; no temporary files left behind.
    let text = String::from_utf8(one.1).unwrap();
    assert_eq!(text.lines().count(), 1 + 700 * 2);
    assert!(text.starts_with("replication,service,availability,downtime_hours,"));
    let mut leftovers: Vec<_> = fs::read_dir(tmp.path().join("one"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    leftovers.sort();
    assert_eq!(
        leftovers,
        [
            ".nines.lock",
            "charts",
            "manifest.json",
            "replications.csv",
            "report.html",
            "summary.csv"
        ],
        "only the outputs, the manifest and the lock file"
    );
}

#[test]
fn run_prints_table_and_json() {
    let tmp = tempfile::tempdir().unwrap();
    let out = nines()
        .args(["run", EXAMPLE, "-n", "200", "--quiet", "--out"])
        .arg(tmp.path())
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    for needle in [
        "service web_app",
        "availability",
        "downtime per year",
        "annual downtime",
        "outages per year",
        "200 replications",
    ] {
        assert!(text.contains(needle), "missing {needle:?} in\n{text}");
    }
    let out = nines()
        .args([
            "run", EXAMPLE, "-n", "200", "--quiet", "--format", "json", "--out",
        ])
        .arg(tmp.path())
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("valid JSON");
    assert_eq!(v["replications"], 200);
    let a = v["entities"][0]["availability"]["value"].as_f64().unwrap();
    assert!(a > 0.99 && a < 1.0);
    let summary = fs::read_to_string(tmp.path().join("summary.csv")).unwrap();
    assert!(summary.starts_with("scope,name,measure,unit,estimate,ci95_low,ci95_high,n\n"));
    assert!(summary.contains("service,web_app,availability,fraction,"));
}

#[test]
fn validate_describes_the_scenario() {
    let out = nines().args(["validate", EXAMPLE]).output().unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("role frontend: pool, available while 2 of 3 instances are up (web-1, web-2, web-3); requires database, load_balancer"), "{text}");
    assert!(
        !text.contains("warning:"),
        "the bundled example should validate without warnings:\n{text}"
    );
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("w.toml");
    fs::write(
        &file,
        "[simulation]\nmission = \"1y\"\n[defaults]\nfailure = { dist = \"exponential\", mean = \"1y\" }\nrepair = { dist = \"fixed\", value = \"1h\" }\n[nodes.a]\n[nodes.spare]\n[roles.r]\nkind = \"standalone\"\non = \"a\"\n[roles.lonely]\nkind = \"standalone\"\non = \"a\"\n[services.s]\nall_of = [\"r\"]\n",
    )
    .unwrap();
    let text =
        String::from_utf8(nines().arg("validate").arg(&file).output().unwrap().stdout).unwrap();
    assert!(text.contains("warning: node spare hosts no role"), "{text}");
    assert!(
        text.contains("warning: role lonely is used by no service"),
        "{text}"
    );
    assert!(!text.contains("warning: role r "), "{text}");
}

/// Each bad scenario must fail with a message naming the file, the line and column, the field, and what is valid,
/// and must write nothing.
#[test]
fn bad_scenarios_get_clear_errors_and_write_nothing() {
    let good_node = "failure = { dist = \"exponential\", mean = \"1000h\" }\nrepair = { dist = \"exponential\", mean = \"10h\" }";
    let role = "[roles.r]\nkind = \"standalone\"\non = \"a\"";
    let cases: Vec<(&str, String, &str)> = vec![
        (
            "syntax error",
            "[simulation\nmission = \"1y\"".into(),
            ":1:12: TOML syntax error",
        ),
        (
            "unknown key",
            format!(
                "[simulation]\nmission = \"1y\"\nreplicatons = 5\n[nodes.a]\n{good_node}\n{role}"
            ),
            ":3:1: simulation.replicatons: unknown key `replicatons`; did you mean `replications`?",
        ),
        (
            "missing field",
            format!(
                "[simulation]\nmission = \"1y\"\n[nodes.a]\nfailure = {{ dist = \"exponential\", mean = \"1000h\" }}\n{role}"
            ),
            "nodes.a: missing field `repair`",
        ),
        (
            "bare number duration",
            format!("[simulation]\nmission = 8760\n[nodes.a]\n{good_node}\n{role}"),
            ":2:11: simulation.mission: a bare number (8760) is not a duration",
        ),
        (
            "unknown unit",
            format!("[simulation]\nmission = \"3 fortnights\"\n[nodes.a]\n{good_node}\n{role}"),
            "simulation.mission: unknown unit `fortnights`",
        ),
        (
            "bad distribution parameter",
            format!(
                "[simulation]\nmission = \"1y\"\n[nodes.a]\nfailure = {{ dist = \"weibull\", shape = -2, mean = \"1000h\" }}\nrepair = {{ dist = \"fixed\", value = \"1h\" }}\n{role}"
            ),
            "nodes.a.failure: dist = \"weibull\": `shape` must be a positive finite number, got -2",
        ),
        (
            "nan parameter",
            format!(
                "[simulation]\nmission = \"1y\"\n[nodes.a]\nfailure = {{ dist = \"weibull\", shape = nan, mean = \"1000h\" }}\nrepair = {{ dist = \"fixed\", value = \"1h\" }}\n{role}"
            ),
            "nodes.a.failure.shape: expected a finite number, found NaN",
        ),
        (
            "unknown reference",
            format!(
                "[simulation]\nmission = \"1y\"\n[nodes.a]\n{good_node}\n[roles.r]\nkind = \"standalone\"\non = \"b\""
            ),
            ":8:6: roles.r.on: unknown node `b`",
        ),
        (
            "dependency cycle",
            format!(
                "[simulation]\nmission = \"1y\"\n[nodes.a]\n{good_node}\n[roles.x]\nkind = \"standalone\"\non = \"a\"\nrequires = [\"y\"]\n[roles.y]\nkind = \"standalone\"\non = \"a\"\nrequires = [\"x\"]"
            ),
            "dependency cycle: x → y → x",
        ),
        (
            "k larger than n",
            format!(
                "[simulation]\nmission = \"1y\"\n[nodes.a]\n{good_node}\n[roles.p]\nkind = \"pool\"\non = [\"a\"]\nmin_up = 2"
            ),
            "roles.p.min_up: min_up = 2 but the pool has only 1 instance",
        ),
        (
            "empty pool",
            format!(
                "[simulation]\nmission = \"1y\"\n[nodes.a]\n{good_node}\n[roles.p]\nkind = \"pool\"\non = []"
            ),
            "roles.p.on: a pool needs at least one node",
        ),
        (
            "absurd replications",
            format!(
                "[simulation]\nmission = \"1y\"\nreplications = 1_000_000_000_000\n[nodes.a]\n{good_node}\n{role}"
            ),
            "simulation.replications: 1000000000000 is too large; the largest accepted value is 10000000000",
        ),
        (
            "absurd mission",
            format!("[simulation]\nmission = \"1000000y\"\n[nodes.a]\n{good_node}\n{role}"),
            "simulation.mission: a mission of 1000000y is absurdly long",
        ),
        (
            "service k_of out of range",
            format!(
                "[simulation]\nmission = \"1y\"\n[nodes.a]\n{good_node}\n{role}\n[services.s]\nk_of = {{ k = 3, of = [\"r\"] }}"
            ),
            "services.s.k_of.k: k = 3 must be between 1 and the number of items in `of` (1)",
        ),
        (
            "wrong type",
            format!(
                "[simulation]\nmission = \"1y\"\nseed = \"one\"\n[nodes.a]\n{good_node}\n{role}"
            ),
            "simulation.seed: expected an integer, found a string",
        ),
    ];
    let tmp = tempfile::tempdir().unwrap();
    for (what, text, expected) in cases {
        let file = tmp.path().join("bad.toml");
        fs::write(&file, &text).unwrap();
        let out_dir = tmp.path().join("out");
        let out = nines()
            .arg("run")
            .arg(&file)
            .arg("--out")
            .arg(&out_dir)
            .output()
            .unwrap();
        assert!(!out.status.success(), "{what}: should fail");
        let err = String::from_utf8(out.stderr).unwrap();
        assert!(
            err.contains(&format!("{}", file.display())),
            "{what}: error does not name the file:\n{err}"
        );
        assert!(
            err.contains(expected),
            "{what}: expected {expected:?} in\n{err}"
        );
        assert!(!err.contains("panicked"), "{what}: panic\n{err}");
        assert!(
            !out_dir.exists(),
            "{what}: output written for a bad scenario"
        );
    }
}

#[test]
fn all_errors_in_a_file_are_reported_together() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("many.toml");
    fs::write(
        &file,
        "[simulation]\nmission = \"1y\"\nsed = 1\n[nodes.a]\nfailure = { dist = \"exponential\", mean = \"0h\" }\nrepair = { dist = \"exponential\", mean = \"1h\" }\n[roles.r]\nkind = \"pool\"\non = [\"a\", \"zz\"]\n",
    )
    .unwrap();
    let out = nines().arg("validate").arg(&file).output().unwrap();
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("3 errors in"), "{err}");
    assert!(err.contains(":3:1: simulation.sed"), "{err}");
    assert!(err.contains(":5:11: nodes.a.failure: dist = \"exponential\": `mean` must be a positive finite number"), "{err}");
    assert!(
        err.contains(":9:12: roles.r.on: unknown node `zz`\n"),
        "{err}"
    );
}

#[test]
fn unreadable_inputs_are_named() {
    let tmp = tempfile::tempdir().unwrap();
    let bin = tmp.path().join("bin.toml");
    fs::write(&bin, b"[simulation]\nmission = \"1y\xff\"\n").unwrap();
    let err = String::from_utf8(nines().arg("run").arg(&bin).output().unwrap().stderr).unwrap();
    assert!(
        err.contains("bin.toml:2:") && err.contains("not valid UTF-8"),
        "{err}"
    );
    let err =
        String::from_utf8(nines().arg("run").arg(tmp.path()).output().unwrap().stderr).unwrap();
    assert!(err.contains("is a directory"), "{err}");
    let err = String::from_utf8(
        nines()
            .args(["run", "no/such/file.toml"])
            .output()
            .unwrap()
            .stderr,
    )
    .unwrap();
    assert!(
        err.contains("cannot read scenario no/such/file.toml"),
        "{err}"
    );
}

/// Every bundled scenario validates without warnings and runs end to end; the mechanisms tour reports the
/// measures of every mechanism, and is reproducible across thread counts too.
#[test]
fn bundled_scenarios_validate_and_run() {
    let tmp = tempfile::tempdir().unwrap();
    let mut files: Vec<_> = fs::read_dir("scenarios")
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    assert!(files.len() >= 2);
    for f in &files {
        let out = nines().arg("validate").arg(f).output().unwrap();
        let text = String::from_utf8(out.stdout).unwrap();
        assert!(out.status.success(), "{}: {text}", f.display());
        assert!(!text.contains("warning:"), "{}: {text}", f.display());
        let dir = tmp.path().join(f.file_stem().unwrap());
        nines()
            .args(["run", "-n", "200", "-q", "--out"])
            .arg(&dir)
            .arg(f)
            .assert()
            .success();
        assert!(dir.join("summary.csv").exists());
    }
    let summary = fs::read_to_string(tmp.path().join("mechanisms/summary.csv")).unwrap();
    for needle in [
        "service,management_service,planned_downtime_per_year,hours_per_year,",
        "service,management_service,at_risk_per_year,hours_per_year,",
        "role,management,failovers_per_year,per_year,",
        "role,management,failed_failovers_per_year,per_year,",
        "role,management,downtime_switching_per_year,hours_per_year,",
        "role,database,data_lost_per_year,hours_per_year,",
        "role,branch_files,data_lost_per_incident,hours,",
        "crew,ops,utilisation,fraction,",
        "crew,ops,mean_wait,hours,",
        "contribution,branch_service,downtime_share:branch~link,fraction,",
        "requests,branch_desktops.policy_poll,client_visible_downtime_per_year,hours_per_year,",
        "requests,branch_desktops.policy_poll,latency_p99,hours,",
        "requests,branch_desktops.policy_poll,share_succeeded_at_attempt_2,fraction,",
    ] {
        assert!(summary.contains(needle), "missing {needle} in\n{summary}");
    }
    // The failover-partner case: pooled connections to a mirror see far more downtime than the mirror.
    let appv = fs::read_to_string(tmp.path().join("appv-mirroring/summary.csv")).unwrap();
    let estimate = |measure: &str| -> f64 {
        let prefix = format!("requests,management_service.db_query_pooled,{measure},");
        let line = appv
            .lines()
            .find(|l| l.starts_with(&prefix))
            .expect(measure);
        line.split(',').nth(4).unwrap().parse().unwrap()
    };
    let visible = estimate("client_visible_downtime_per_year");
    let server = estimate("server_downtime_per_year");
    assert!(
        visible > 10.0 * server && server > 0.0,
        "pooled clients should see far more downtime than the mirror: {visible} vs {server}"
    );
    let again = tmp.path().join("again");
    nines()
        .args(["run", "-n", "200", "-q", "-j", "1", "--out"])
        .arg(&again)
        .arg("scenarios/mechanisms.toml")
        .assert()
        .success();
    assert_eq!(
        summary,
        fs::read_to_string(again.join("summary.csv")).unwrap(),
        "mechanisms.toml differs between thread counts"
    );
}
