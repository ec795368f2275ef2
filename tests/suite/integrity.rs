//! What an output directory, a part and a checkpoint guarantee (the hardening issue's integrity
//! defects), each pinned by a test that failed before its fix: forged parts and checkpoints are
//! refused without a crash, `merge` and `--resume` take only the rows their run wrote, temporary files
//! never follow planted links, a directory is locked while written and says by its manifest whether it
//! holds one complete run.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command as Std, Stdio};
use std::time::{Duration, Instant};

use assert_cmd::Command;
use nines::estimate::shards::fnv1a;
use serde_json::Value;

fn nines() -> Command {
    Command::cargo_bin("nines").expect("binary")
}

fn stderr(a: &assert_cmd::assert::Assert) -> String {
    String::from_utf8_lossy(&a.get_output().stderr).into_owned()
}

const POOL: &str = "scenarios/pool-3-of-5.toml";

/// Runs shard `i` of `n` of a small run of `scenario` into `dir`, with extra arguments.
fn shard_of(scenario: &str, dir: &Path, i: u64, n: u64, extra: &[&str]) {
    nines()
        .args(["run", scenario, "-n", "256", "-q", "--no-charts", "-j", "1"])
        .args(["--shard", &format!("{i}/{n}"), "--out"])
        .arg(dir)
        .args(extra)
        .assert()
        .success();
}

fn shard(dir: &Path, i: u64, n: u64, extra: &[&str]) {
    shard_of(POOL, dir, i, n, extra);
}

/// A part or checkpoint file's body as JSON, and a function writing an edited body back with its
/// checksum recomputed, as a forger would.
fn forge(file: &Path, edit: impl FnOnce(&mut Value)) {
    let text = fs::read_to_string(file).unwrap();
    let (head, body) = text.split_once('\n').unwrap();
    let format = head.split(' ').next().unwrap();
    let mut v: Value = serde_json::from_str(body.trim_end()).unwrap();
    edit(&mut v);
    let body = serde_json::to_string(&v).unwrap();
    fs::write(
        file,
        format!("{format} {:016x}\n{body}\n", fnv1a(body.as_bytes())),
    )
    .unwrap();
}

/// Merging `parts` into `out` fails with a message containing `expect`, without a panic, and writes
/// nothing.
fn merge_refused(parts: &Path, out: &Path, expect: &str) {
    let a = nines()
        .arg("merge")
        .arg(parts)
        .args(["--no-charts", "--no-report", "--out"])
        .arg(out)
        .assert()
        .code(2);
    let err = stderr(&a);
    assert!(err.contains(expect), "expected `{expect}` in: {err}");
    assert!(!err.contains("panicked"), "{err}");
    assert!(!out.exists(), "a refused merge wrote {}", out.display());
}

#[test]
fn forged_parts_are_refused_without_a_crash() {
    let tmp = tempfile::tempdir().unwrap();
    let good = tmp.path().join("good");
    for i in 1..=2 {
        shard(&good, i, 2, &[]);
    }
    let out = tmp.path().join("out");
    type Edit = fn(&mut Value);
    let edits: [(&str, Edit, &str); 6] = [
        (
            "no entities",
            |v| v["acc"]["entities"] = Value::Array(Vec::new()),
            "statistics.entities has 0 entries",
        ),
        (
            "a histogram at the end of the numbers",
            |v| {
                let h = &mut v["acc"]["downtime_per_replication"][0];
                h["first"] = Value::from(i32::MIN);
                h["buckets"] = serde_json::json!([[1, 0, 0, 0]]);
            },
            "outside the range of numbers",
        ),
        (
            "an edited scenario",
            |v| {
                let t = v["scenario_text"].as_str().unwrap().replace("3", "2");
                v["scenario_text"] = Value::from(t);
            },
            "it was edited",
        ),
        (
            "an impossible number of replications",
            |v| v["key"]["replications"] = Value::from(u64::MAX),
            "where a run has 1 to",
        ),
        (
            "an exact sum with a huge chunk",
            |v| v["acc"]["entities"][0]["unavailability"] = serde_json::json!([0, [i64::MAX]]),
            "not a readable nines part file",
        ),
        (
            "a role's statistics where the scenario has none",
            |v| v["acc"]["targets"] = serde_json::json!([0.5, null]),
            "statistics.targets differs",
        ),
    ];
    for (what, edit, expect) in edits {
        let dir = tmp.path().join(what.replace(' ', "-"));
        fs::create_dir_all(&dir).unwrap();
        for f in fs::read_dir(&good).unwrap() {
            let f = f.unwrap().path();
            fs::copy(&f, dir.join(f.file_name().unwrap())).unwrap();
        }
        forge(&dir.join("part-2-of-2.json"), edit);
        merge_refused(&dir, &out, expect);
    }
}

#[test]
fn merge_takes_only_the_rows_each_part_wrote() {
    let tmp = tempfile::tempdir().unwrap();
    // A scenario with outages, so that the rows of another seed differ.
    let farm = "scenarios/web-farm.toml";
    let parts = tmp.path().join("parts");
    for i in 1..=2 {
        shard_of(farm, &parts, i, 2, &[]);
    }
    let other = tmp.path().join("other");
    shard_of(farm, &other, 1, 2, &["--seed", "99"]);
    let out = tmp.path().join("out");
    let rows1 = parts.join("part-1-of-2.replications.csv");
    let rows2 = parts.join("part-2-of-2.replications.csv");
    let (a, b) = (fs::read(&rows1).unwrap(), fs::read(&rows2).unwrap());

    // Truncated by a line.
    let cut = a[..a.len() - 1].rsplitn(2, |&c| c == b'\n').nth(1).unwrap();
    fs::write(&rows1, [cut, b"\n"].concat()).unwrap();
    merge_refused(&parts, &out, "part-1-of-2.replications.csv");
    // Swapped between the parts.
    fs::write(&rows1, &b).unwrap();
    fs::write(&rows2, &a).unwrap();
    merge_refused(&parts, &out, "truncated, changed or swapped");
    // Rows of another seed.
    fs::write(&rows2, &b).unwrap();
    fs::copy(other.join("part-1-of-2.replications.csv"), &rows1).unwrap();
    merge_refused(&parts, &out, "is not the rows");
    // Restored: merges.
    fs::write(&rows1, &a).unwrap();
    nines()
        .arg("merge")
        .arg(&parts)
        .args(["--no-charts", "--no-report", "--out"])
        .arg(&out)
        .assert()
        .success();
}

/// A run of `POOL` into `dir` that stops on time after its first batches, leaving a checkpoint.
fn stopped_run(dir: &Path) {
    nines()
        .args(["run", POOL, "-n", "100000", "--max-time", "1ms", "-q"])
        .args(["--no-charts", "--no-report", "-j", "1", "--out"])
        .arg(dir)
        .assert()
        .code(3);
    assert!(dir.join("checkpoint.json").is_file());
}

fn resume(dir: &Path) -> assert_cmd::assert::Assert {
    nines()
        .args([
            "run",
            POOL,
            "-n",
            "100000",
            "-q",
            "--no-charts",
            "--no-report",
        ])
        .args(["-j", "1", "--resume", "--max-time", "1ms", "--out"])
        .arg(dir)
        .assert()
}

#[test]
fn resume_takes_only_the_rows_and_state_the_stopped_run_wrote() {
    let tmp = tempfile::tempdir().unwrap();
    // A row changed in place: same number of lines, so counting lines could not see it.
    let dir = tmp.path().join("rows");
    stopped_run(&dir);
    let csv = dir.join("replications.csv");
    let text = fs::read_to_string(&csv).unwrap();
    let line = text.lines().nth(5).unwrap().to_string();
    let changed = line.replacen(',', ",x", 1);
    fs::write(&csv, text.replacen(&line, &changed, 1)).unwrap();
    let a = resume(&dir).code(2);
    assert!(
        stderr(&a).contains("is not what the stopped run wrote"),
        "{}",
        stderr(&a)
    );
    // A checkpoint forged to have no statistics.
    let dir = tmp.path().join("state");
    stopped_run(&dir);
    forge(&dir.join("checkpoint.json"), |v| {
        v["acc"]["entities"] = Value::Array(Vec::new())
    });
    let a = resume(&dir).code(2);
    assert!(
        stderr(&a).contains("statistics.entities has 0 entries")
            && !stderr(&a).contains("panicked"),
        "{}",
        stderr(&a)
    );
    // Untouched: resumes.
    let dir = tmp.path().join("fine");
    stopped_run(&dir);
    let code = resume(&dir).get_output().status.code();
    assert!(matches!(code, Some(0 | 3)), "resume ended with {code:?}");
}

#[cfg(unix)]
#[test]
fn planted_links_are_never_followed() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    fs::create_dir_all(&out).unwrap();
    let victim = tmp.path().join("precious.txt");
    fs::write(&victim, "precious").unwrap();
    std::os::unix::fs::symlink(&victim, out.join("summary.csv")).unwrap();
    nines()
        .args(["run", POOL, "-n", "64", "-q", "--no-charts", "--out"])
        .arg(&out)
        .assert()
        .success();
    assert_eq!(fs::read_to_string(&victim).unwrap(), "precious");
    let meta = fs::symlink_metadata(out.join("summary.csv")).unwrap();
    assert!(meta.is_file(), "summary.csv should be a file of its own");

    // A link planted as the lock file: refused, and its target untouched.
    let out = tmp.path().join("locked");
    fs::create_dir_all(&out).unwrap();
    std::os::unix::fs::symlink(&victim, out.join(".nines.lock")).unwrap();
    let a = nines()
        .args(["run", POOL, "-n", "64", "-q", "--no-charts", "--out"])
        .arg(&out)
        .assert()
        .code(2);
    assert!(stderr(&a).contains("lock file"), "{}", stderr(&a));
    assert_eq!(fs::read_to_string(&victim).unwrap(), "precious");
}

/// Starts a long run into `dir` and returns once it holds the directory's lock.
fn long_run(dir: &Path, seed: &str) -> std::process::Child {
    let child = Std::new(assert_cmd::cargo::cargo_bin("nines"))
        .args(["run", "scenarios/web-farm.toml", "-n", "50000000", "-q"])
        .args(["--no-charts", "-j", "1", "--seed", seed, "--out"])
        .arg(dir)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let began = Instant::now();
    // The rows file is opened (under a temporary name) once the lock is held.
    while !fs::read_dir(dir).is_ok_and(|d| {
        d.filter_map(|e| e.ok())
            .any(|e| e.file_name().to_string_lossy().ends_with(".partial"))
    }) {
        assert!(
            began.elapsed() < Duration::from_secs(30),
            "the run never started"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    child
}

fn verify(dir: &Path) -> assert_cmd::assert::Assert {
    nines().arg("verify").arg(dir).assert()
}

#[test]
fn one_directory_holds_one_run() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("out");
    nines()
        .args(["run", POOL, "-n", "64", "-q", "--seed", "5", "--out"])
        .arg(&dir)
        .assert()
        .success();
    let ok = verify(&dir).success();
    let said = String::from_utf8_lossy(&ok.get_output().stdout).into_owned();
    assert!(
        said.contains("seed 5") && said.contains("complete"),
        "{said}"
    );

    // A second run into the directory while one writes it is refused.
    let mut first = long_run(&dir, "6");
    let a = nines()
        .args(["run", POOL, "-n", "64", "-q", "--out"])
        .arg(&dir)
        .assert()
        .code(2);
    assert!(
        stderr(&a).contains("being written by another nines run"),
        "{}",
        stderr(&a)
    );
    // Killed (kill -9) while simulating: the earlier run's outputs are still whole.
    first.kill().unwrap();
    first.wait().unwrap();
    let said = String::from_utf8_lossy(&verify(&dir).success().get_output().stdout).into_owned();
    assert!(said.contains("seed 5"), "{said}");

    // A rerun without the report takes the earlier report away: nothing of two runs.
    nines()
        .args([
            "run",
            POOL,
            "-n",
            "64",
            "-q",
            "--seed",
            "7",
            "--no-report",
            "--out",
        ])
        .arg(&dir)
        .assert()
        .success();
    assert!(!dir.join("report.html").exists());
    verify(&dir).success();

    // A changed output is found, and named.
    let summary = dir.join("summary.csv");
    let mut text = fs::read(&summary).unwrap();
    text.push(b'\n');
    fs::write(&summary, text).unwrap();
    let a = verify(&dir).code(2);
    assert!(stderr(&a).contains("summary.csv"), "{}", stderr(&a));
    // No manifest: not a complete run.
    fs::remove_file(dir.join("manifest.json")).unwrap();
    let a = verify(&dir).code(2);
    assert!(
        stderr(&a).contains("does not hold a complete run"),
        "{}",
        stderr(&a)
    );
}

#[test]
fn odd_scenario_file_names_write_inside_output() {
    let tmp = tempfile::tempdir().unwrap();
    let scenario = fs::read_to_string(POOL).unwrap();
    for name in ["...toml", ".toml"] {
        fs::write(tmp.path().join(name), &scenario).unwrap();
        nines()
            .current_dir(tmp.path())
            .args(["run", name, "-n", "64", "-q", "--no-charts", "--no-report"])
            .assert()
            .success();
    }
    assert!(
        !tmp.path().join("summary.csv").exists(),
        "wrote above output/"
    );
    assert!(!tmp.path().join("output").join("summary.csv").exists());
    let dirs: Vec<PathBuf> = fs::read_dir(tmp.path().join("output"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(dirs.len(), 2, "{dirs:?}");
    assert!(
        dirs.iter().all(|d| d.join("summary.csv").is_file()),
        "{dirs:?}"
    );
    // compare put a layout named `..` at `layouts/..`, i.e. beside `layouts/`.
    let cmp = tmp.path().join("cmp");
    nines()
        .current_dir(tmp.path())
        .args([
            "compare",
            "...toml",
            ".toml",
            "-n",
            "64",
            "-q",
            "--no-charts",
        ])
        .args(["--no-report", "--out"])
        .arg(&cmp)
        .assert()
        .success();
    assert!(
        !cmp.join("summary.csv").exists(),
        "a layout wrote beside layouts/"
    );
    let layouts: Vec<String> = fs::read_dir(cmp.join("layouts"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        layouts.len() == 2 && layouts.iter().all(|l| !l.starts_with('.')),
        "{layouts:?}"
    );
}

/// A rename that fails (an output's name taken by a directory) used to leave its temporary file
/// behind; the run fails, names the file, leaves no temporary file and no manifest.
#[test]
fn a_failed_rename_leaves_no_temporary_file() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    fs::create_dir_all(out.join("summary.csv").join("taken")).unwrap();
    let a = nines()
        .args(["run", POOL, "-n", "64", "-q", "--no-charts", "--out"])
        .arg(&out)
        .assert()
        .code(2);
    assert!(stderr(&a).contains("summary.csv"), "{}", stderr(&a));
    let left: Vec<String> = fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        !left.iter().any(|f| f.ends_with(".partial")) && !left.contains(&"manifest.json".into()),
        "{left:?}"
    );
}
