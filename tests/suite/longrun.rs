//! Long runs: precision targets (deterministic whatever the threads), --max-time, Ctrl-C (partial
//! results marked as such, a checkpoint, exit code 130), --resume (byte-identical to an uninterrupted
//! run), and a killed run that leaves no complete-looking file.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Child, Command as Process, Stdio};
use std::time::{Duration, Instant};

use assert_cmd::Command;
use assert_cmd::cargo::cargo_bin;
use nines::estimate::precision::{self, Target};
use nines::estimate::runner::{self, Control, RunOptions, Stop};
use nines::model::Model;
use nines::scenario::compile;

const EXAMPLE: &str = "scenarios/web-farm.toml";

fn nines() -> Command {
    Command::cargo_bin("nines").expect("binary")
}

fn read(p: &Path) -> Vec<u8> {
    fs::read(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

fn text(p: &Path) -> String {
    String::from_utf8(read(p)).unwrap()
}

/// The `run` rows of summary.csv, by measure: (estimate, n).
fn run_rows(summary: &str) -> Vec<(String, String, String)> {
    summary
        .lines()
        .filter(|l| l.starts_with("run,"))
        .map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            (f[2].to_string(), f[4].to_string(), f[7].to_string())
        })
        .collect()
}

fn files_in(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

#[test]
fn precision_runs_stop_at_the_same_replication_whatever_the_threads() {
    let tmp = tempfile::tempdir().unwrap();
    let run = |name: &str, threads: &str| -> PathBuf {
        let dir = tmp.path().join(name);
        let out = nines()
            .args(["run", EXAMPLE, "--precision", "3%", "-q", "--no-charts"])
            .args(["--seed", "11", "-j", threads, "--out"])
            .arg(&dir)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{out:?}");
        let stdout = String::from_utf8(out.stdout).unwrap();
        assert!(
            stdout.contains("precision: web_app unavailability ±")
                && stdout.contains("(target ±3.00%)")
                && stdout.contains("target met"),
            "{stdout}"
        );
        dir
    };
    let one = run("one", "1");
    let three = run("three", "3");
    assert_eq!(
        read(&one.join("summary.csv")),
        read(&three.join("summary.csv"))
    );
    assert_eq!(
        read(&one.join("replications.csv")),
        read(&three.join("replications.csv"))
    );
    let summary = text(&one.join("summary.csv"));
    let rows = run_rows(&summary);
    assert_eq!(rows.len(), 3, "{rows:?}");
    assert_eq!(rows[0].0, "status:target_met");
    let n: u64 = rows[0].1.parse().unwrap();
    assert!(
        n.is_multiple_of(64) && n > 64,
        "stops at a batch boundary: {n}"
    );
    assert_eq!(
        rows[1].0,
        "precision_target:relative_half_width:unavailability"
    );
    assert_eq!(rows[1].1, "0.03");
    let reached: f64 = rows[2].1.parse().unwrap();
    assert!(reached <= 0.03 && reached > 0.0, "{reached}");
    // Every row counted is written, and only those.
    let lines = text(&one.join("replications.csv")).lines().count() as u64;
    assert_eq!(lines, 1 + 2 * n);
    // The estimates say n replications too.
    let avail = summary
        .lines()
        .find(|l| l.starts_with("service,web_app,availability,"))
        .unwrap();
    assert!(avail.ends_with(&format!(",{n}")), "{avail}");
    // A tighter target needs more replications.
    let tight = tmp.path().join("tight");
    nines()
        .args(["run", EXAMPLE, "--precision", "1.5%", "-q", "--no-charts"])
        .args(["--seed", "11", "--no-replications", "--out"])
        .arg(&tight)
        .assert()
        .success();
    let m: u64 = run_rows(&text(&tight.join("summary.csv")))[0]
        .1
        .parse()
        .unwrap();
    assert!(
        m > 2 * n,
        "halving the half-width needs about 4× the replications: {n} then {m}"
    );
}

/// The library's stopping rule: the first batch, in index order, after which the target is met; the
/// state is then exactly that of a plain run of that many replications, whatever the threads.
#[test]
fn the_stopping_point_is_the_first_batch_that_meets_the_target() {
    let source = fs::read_to_string(EXAMPLE).unwrap();
    let mut model = compile(&source, EXAMPLE).unwrap();
    model.simulation.seed = 11;
    model.simulation.replications = 1_000_000;
    let target = Target::Relative(0.03);
    let controlled = |model: &Model, threads: usize| {
        runner::run_controlled(
            model,
            RunOptions {
                threads,
                rows: None,
                progress: None,
                range: None,
            },
            Control {
                target: Some(target),
                ..Control::default()
            },
        )
        .unwrap()
    };
    let plain = |model: &Model, n: u64| {
        let mut m = model.clone();
        m.simulation.replications = n;
        runner::run(
            &m,
            RunOptions {
                threads: 2,
                rows: None,
                progress: None,
                range: None,
            },
        )
        .unwrap()
        .acc
    };
    let a = controlled(&model, 1);
    let b = controlled(&model, 4);
    assert_eq!(a.stop, Stop::TargetMet);
    assert_eq!(b.stop, Stop::TargetMet);
    let n = a.output.acc.replications;
    assert_eq!(a.output.acc, b.output.acc);
    assert!(precision::assess(&a.output.acc, target, &model).met);
    assert_eq!(plain(&model, n), a.output.acc);
    let fewer = plain(&model, n - 64);
    let p = precision::assess(&fewer, target, &model);
    assert!(!p.met && p.half_width > 0.03, "{p:?}");
}

/// A precision run writes what a plain run of as many replications writes, charts included (the
/// timeline's sample is searched among the replications done).
#[test]
fn a_precision_run_writes_what_a_plain_run_of_as_many_writes() {
    let tmp = tempfile::tempdir().unwrap();
    let p = tmp.path().join("precision");
    nines()
        .args([
            "run",
            EXAMPLE,
            "--precision",
            "10%",
            "-q",
            "--seed",
            "2",
            "--out",
        ])
        .arg(&p)
        .assert()
        .success();
    let summary = text(&p.join("summary.csv"));
    let n = run_rows(&summary)[0].1.clone();
    assert!(n.parse::<u64>().unwrap() < 1000, "{n}");
    let plain = tmp.path().join("plain");
    nines()
        .args(["run", EXAMPLE, "-n", &n, "-q", "--seed", "2", "--out"])
        .arg(&plain)
        .assert()
        .success();
    let without_run_rows: String = summary
        .lines()
        .filter(|l| !l.starts_with("run,"))
        .map(|l| format!("{l}\n"))
        .collect();
    assert_eq!(without_run_rows, text(&plain.join("summary.csv")));
    assert_eq!(
        read(&p.join("replications.csv")),
        read(&plain.join("replications.csv"))
    );
    for chart in ["timeline.svg", "downtime-per-year.svg", "availability.svg"] {
        assert_eq!(
            read(&p.join("charts").join(chart)),
            read(&plain.join("charts").join(chart)),
            "{chart}"
        );
    }
}

#[test]
fn absolute_targets_and_targets_not_met() {
    let tmp = tempfile::tempdir().unwrap();
    // Downtime per year within ±30 minutes.
    let dir = tmp.path().join("abs");
    let out = nines()
        .args([
            "run",
            EXAMPLE,
            "--precision",
            "30min/yr",
            "-q",
            "--no-charts",
            "--out",
        ])
        .arg(&dir)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let rows = run_rows(&text(&dir.join("summary.csv")));
    assert_eq!(rows[1].0, "precision_target:half_width:downtime_per_year");
    assert_eq!(rows[1].1, "0.5");
    assert!(rows[2].1.parse::<f64>().unwrap() <= 0.5);
    // A cap that is too small: the run ends with exit code 3 and says so.
    let capped = tmp.path().join("capped");
    let out = nines()
        .args([
            "run",
            EXAMPLE,
            "--precision",
            "0.1%",
            "-n",
            "200",
            "-q",
            "--no-charts",
        ])
        .arg("--out")
        .arg(&capped)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3), "{out:?}");
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(
        stdout.contains("target not met")
            && stdout.contains("stopped at the limit of 200 replications"),
        "{stdout}"
    );
    let rows = run_rows(&text(&capped.join("summary.csv")));
    assert_eq!(
        rows[0],
        ("status:target_not_met".into(), "200".into(), "200".into())
    );
    assert!(!capped.join("checkpoint.json").exists());
    // A service that never fails: no outage, so a relative target cannot be met.
    let never = tmp.path().join("never.toml");
    fs::write(
        &never,
        "[simulation]\nmission = \"1y\"\n[nodes.a]\nfailure = { dist = \"fixed\", value = \"5y\" }\nrepair = { dist = \"fixed\", value = \"1h\" }\n[roles.r]\nkind = \"standalone\"\non = \"a\"\n",
    )
    .unwrap();
    let out = nines()
        .arg("run")
        .arg(&never)
        .args([
            "--precision",
            "5%",
            "-n",
            "640",
            "-q",
            "--no-charts",
            "--out",
        ])
        .arg(tmp.path().join("never"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(
        stdout.contains("no outage of r was seen")
            && stdout.contains("a relative target cannot be met"),
        "{stdout}"
    );
    // JSON says the same.
    let out = nines()
        .arg("run")
        .arg(&never)
        .args([
            "--precision",
            "5%",
            "-n",
            "640",
            "-q",
            "--no-charts",
            "--format",
            "json",
        ])
        .arg("--out")
        .arg(tmp.path().join("never"))
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["run"]["status"], "target_not_met");
    assert_eq!(v["run"]["precision"]["met"], false);
    assert_eq!(v["run"]["precision"]["outages"], 0);
}

#[test]
fn max_time_stops_on_time_and_resume_completes_the_same_run() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("timed");
    let args = [
        "run",
        EXAMPLE,
        "-n",
        "40000",
        "-q",
        "--no-charts",
        "--seed",
        "5",
    ];
    let out = nines()
        .args(args)
        .args(["--max-time", "1ms", "--out"])
        .arg(&dir)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3), "{out:?}");
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(
        stdout.contains("stopped on time (--max-time) after "),
        "{stdout}"
    );
    let rows = run_rows(&text(&dir.join("summary.csv")));
    assert_eq!(rows[0].0, "status:stopped_on_time");
    let done: u64 = rows[0].1.parse().unwrap();
    assert!(
        (64..40000).contains(&done) && done.is_multiple_of(64),
        "{done}"
    );
    assert!(dir.join("checkpoint.json").exists());
    nines()
        .args(args)
        .args(["--resume", "--out"])
        .arg(&dir)
        .assert()
        .success();
    assert!(
        !dir.join("checkpoint.json").exists(),
        "a finished run removes its checkpoint"
    );
    let whole = tmp.path().join("whole");
    nines()
        .args(args)
        .arg("--out")
        .arg(&whole)
        .assert()
        .success();
    assert_same_outputs(&dir, &whole);
}

#[test]
fn a_precision_run_stopped_on_time_resumes_to_the_same_stop() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("timed");
    let args = [
        "run",
        EXAMPLE,
        "--precision",
        "1.5%",
        "-q",
        "--no-charts",
        "--seed",
        "9",
    ];
    let out = nines()
        .args(args)
        .args(["--max-time", "1ms", "--out"])
        .arg(&dir)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3), "{out:?}");
    let rows = run_rows(&text(&dir.join("summary.csv")));
    assert_eq!(rows[0].0, "status:stopped_on_time");
    assert_eq!(
        rows.len(),
        3,
        "the target and the half-width so far: {rows:?}"
    );
    nines()
        .args(args)
        .args(["--resume", "--out"])
        .arg(&dir)
        .assert()
        .success();
    let whole = tmp.path().join("whole");
    nines()
        .args(args)
        .arg("--out")
        .arg(&whole)
        .assert()
        .success();
    let resumed = text(&dir.join("summary.csv"));
    assert_eq!(run_rows(&resumed)[0].0, "status:target_met");
    assert_eq!(resumed, text(&whole.join("summary.csv")));
    assert_eq!(
        read(&dir.join("replications.csv")),
        read(&whole.join("replications.csv"))
    );
}

/// A run long enough to interrupt: web-farm over a 2000-year mission, about 6 ms per replication.
const SLOW: [&str; 9] = [
    "run",
    EXAMPLE,
    "-n",
    "1280",
    "--mission",
    "2000y",
    "--seed",
    "3",
    "--no-charts",
];

/// Starts a slow run into `dir` and waits until it is simulating (its replications.csv is open under
/// a temporary name, which happens after the signal handler is installed).
fn start_slow(dir: &Path) -> Child {
    fs::create_dir_all(dir).unwrap();
    let child = Process::new(cargo_bin("nines"))
        .args(SLOW)
        .args(["-q", "-j", "2", "--out"])
        .arg(dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let started = Instant::now();
    while !files_in(dir)
        .iter()
        .any(|f| f.starts_with(".replications.csv.") && f.ends_with(".partial"))
    {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "the run did not start"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    std::thread::sleep(Duration::from_millis(300));
    child
}

fn signal(child: &Child, sig: &str) {
    let ok = Process::new("kill")
        .args([sig, &child.id().to_string()])
        .status()
        .unwrap();
    assert!(ok.success());
}

#[test]
fn ctrl_c_writes_partial_results_and_resume_matches_an_uninterrupted_run() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("run");
    let child = start_slow(&dir);
    signal(&child, "-INT");
    let out = child.wait_with_output().unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert_eq!(
        out.status.code(),
        Some(130),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("interrupted after "), "{stdout}");
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.contains("stopping after the batches under way (Ctrl-C again to quit at once)"),
        "{stderr}"
    );
    assert!(
        stdout.contains("continue with the same command and --resume"),
        "{stdout}"
    );
    // Partial results, marked as such, with their true count; rows for exactly those; a checkpoint;
    // no temporary files and no charts.
    assert_eq!(
        files_in(&dir),
        [
            ".nines.lock",
            "checkpoint.json",
            "manifest.json",
            "replications.csv",
            "summary.csv"
        ]
    );
    let summary = text(&dir.join("summary.csv"));
    let rows = run_rows(&summary);
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].0, "status:interrupted");
    let done: u64 = rows[0].1.parse().unwrap();
    assert!(done > 0 && done < 1280 && done.is_multiple_of(64), "{done}");
    let avail = summary
        .lines()
        .find(|l| l.starts_with("service,web_app,availability,"))
        .unwrap();
    assert!(avail.ends_with(&format!(",{done}")), "{avail}");
    assert_eq!(
        text(&dir.join("replications.csv")).lines().count() as u64,
        1 + 2 * done
    );
    // Resuming with other options is refused, and changes nothing.
    let before = read(&dir.join("checkpoint.json"));
    let other_seed: Vec<&str> = SLOW
        .iter()
        .map(|&a| if a == "3" { "4" } else { a })
        .collect();
    let out = nines()
        .args(other_seed)
        .args(["-q", "--resume", "--out"])
        .arg(&dir)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains("checkpoint.json: the seed is 3 there but 4 now; resume with the same scenario and options"),
        "{err}"
    );
    assert_eq!(read(&dir.join("checkpoint.json")), before);
    assert_eq!(text(&dir.join("summary.csv")), summary);
    // Resumed, the run ends exactly as one that was never interrupted.
    let out = nines()
        .args(SLOW)
        .args(["-q", "-j", "1", "--resume", "--out"])
        .arg(&dir)
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    assert_eq!(
        files_in(&dir),
        [
            ".nines.lock",
            "manifest.json",
            "replications.csv",
            "report.html",
            "summary.csv"
        ]
    );
    let whole = tmp.path().join("whole");
    nines()
        .args(SLOW)
        .args(["-q", "--out"])
        .arg(&whole)
        .assert()
        .success();
    assert_same_outputs(&dir, &whole);
}

#[test]
fn a_killed_run_leaves_no_complete_looking_file() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("killed");
    let mut child = start_slow(&dir);
    signal(&child, "-KILL");
    let status = child.wait().unwrap();
    assert!(!status.success());
    let left = files_in(&dir);
    assert!(
        left.iter()
            .all(|f| f == ".nines.lock" || (f.starts_with('.') && f.ends_with(".partial"))),
        "only hidden temporary files and the lock may remain: {left:?}"
    );
    // And nothing to resume from.
    let out = nines()
        .args(SLOW)
        .args(["-q", "--resume", "--out"])
        .arg(&dir)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains("cannot resume: there is no checkpoint.json in"),
        "{err}"
    );
}

#[test]
fn damaged_checkpoints_and_rows_are_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("timed");
    let args = ["run", EXAMPLE, "-n", "20000", "-q", "--no-charts"];
    nines()
        .args(args)
        .args(["--max-time", "1ms", "--out"])
        .arg(&dir)
        .assert()
        .code(3);
    let cp = dir.join("checkpoint.json");
    let good = read(&cp);
    // A changed byte in the body.
    let mut bad = good.clone();
    let at = bad.len() / 2;
    bad[at] = if bad[at] == b'1' { b'2' } else { b'1' };
    fs::write(&cp, &bad).unwrap();
    let out = nines()
        .args(args)
        .args(["--resume", "--out"])
        .arg(&dir)
        .output()
        .unwrap();
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        err.contains("not a readable nines checkpoint") && err.contains("truncated or changed"),
        "{err}"
    );
    // Rows that do not match the checkpoint.
    fs::write(&cp, &good).unwrap();
    let rows = text(&dir.join("replications.csv"));
    let cut: String = rows.lines().take(5).map(|l| format!("{l}\n")).collect();
    fs::write(dir.join("replications.csv"), cut).unwrap();
    let out = nines()
        .args(args)
        .args(["--resume", "--out"])
        .arg(&dir)
        .output()
        .unwrap();
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains("replications.csv") && err.contains("is not what the stopped run wrote"),
        "{err}"
    );
    // Another precision target.
    fs::write(dir.join("replications.csv"), &rows).unwrap();
    let out = nines()
        .args(args)
        .args(["--precision", "5%", "--resume", "--out"])
        .arg(&dir)
        .output()
        .unwrap();
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains("--precision is none there but 5% now"),
        "{err}"
    );
}

/// Two runs wrote the same summary.csv and replications.csv, byte for byte.
fn assert_same_outputs(a: &Path, b: &Path) {
    assert_eq!(text(&a.join("summary.csv")), text(&b.join("summary.csv")));
    assert_eq!(
        read(&a.join("replications.csv")),
        read(&b.join("replications.csv"))
    );
}
