//! The golden test: every bundled scenario, and a `compare` and a `sweep` of one family, run with a fixed
//! seed and a small replication count, must give the very bytes pinned under `tests/golden/`
//! (`summary.csv`, `replications.csv`, the JSON summary and `validate`'s text), with 1 and with 2 threads.
//!
//! A change that moves these bytes on purpose regenerates them with `NINES_BLESS=1 cargo test --test
//! suite golden::` and says why in its commit message. Figures that measure the machine rather than the model
//! (wall time, events per second, thread count, the output path) are left out before comparing.

use std::fs;
use std::path::{Path, PathBuf};

use assert_cmd::Command;

/// Enough replications for three batches, so that two threads really share the work.
const REPLICATIONS: &str = "130";
const SEED: &str = "7";

fn nines() -> Command {
    Command::cargo_bin("nines").expect("binary")
}

fn golden_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden")
}

fn blessing() -> bool {
    std::env::var_os("NINES_BLESS").is_some_and(|v| v != "0")
}

/// Every bundled scenario, relative to the crate root, sorted.
fn scenarios() -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in fs::read_dir(dir).expect("scenarios/") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "toml") {
                out.push(path);
            }
        }
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut out = Vec::new();
    walk(&root.join("scenarios"), &mut out);
    let mut rel: Vec<PathBuf> = out
        .into_iter()
        .map(|p| p.strip_prefix(root).unwrap().to_path_buf())
        .collect();
    rel.sort();
    rel
}

/// `scenarios/vmm/vmm-cluster-2.toml` → `vmm-vmm-cluster-2`.
fn stem(scenario: &Path) -> String {
    let rel = scenario
        .strip_prefix("scenarios")
        .unwrap()
        .with_extension("");
    rel.to_string_lossy().replace(['/', '\\'], "-")
}

/// Leaves out the JSON fields that measure the machine, not the model.
fn model_json(stdout: &[u8]) -> Vec<u8> {
    let mut v: serde_json::Value = serde_json::from_slice(stdout).expect("JSON summary");
    fn strip(v: &mut serde_json::Value) {
        match v {
            serde_json::Value::Object(m) => {
                for k in ["wall_seconds", "events_per_second", "threads"] {
                    m.remove(k);
                }
                m.values_mut().for_each(strip);
            }
            serde_json::Value::Array(a) => a.iter_mut().for_each(strip),
            _ => {}
        }
    }
    strip(&mut v);
    let mut text = serde_json::to_string_pretty(&v).unwrap();
    text.push('\n');
    text.into_bytes()
}

/// Leaves out the lines of a table that measure the machine or name the output folder.
fn model_text(stdout: &[u8]) -> Vec<u8> {
    let text = String::from_utf8_lossy(stdout);
    let mut out = String::new();
    for line in text.lines() {
        if line.starts_with("wrote ") || (line.contains(" events in ") && line.contains(" thread"))
        {
            continue;
        }
        out.push_str(line);
        out.push('\n');
    }
    out.into_bytes()
}

/// Compares `actual` with the pinned file `name` (or writes it when blessing); collects differences.
fn check(name: &str, actual: &[u8], failures: &mut Vec<String>) {
    let path = golden_dir().join(name);
    if blessing() {
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(&path, actual).unwrap();
        return;
    }
    match fs::read(&path) {
        Ok(expected) if expected == actual => {}
        Ok(expected) => {
            let (e, a) = (
                String::from_utf8_lossy(&expected),
                String::from_utf8_lossy(actual),
            );
            let line = e
                .lines()
                .zip(a.lines())
                .position(|(x, y)| x != y)
                .unwrap_or_else(|| e.lines().count().min(a.lines().count()));
            failures.push(format!(
                "{name}: differs from the pinned bytes at line {}:\n  pinned: {}\n  now:    {}",
                line + 1,
                e.lines().nth(line).unwrap_or("<end>"),
                a.lines().nth(line).unwrap_or("<end>")
            ));
        }
        Err(e) => failures.push(format!(
            "{name}: no pinned file ({e}); run NINES_BLESS=1 cargo test --test suite golden::"
        )),
    }
}

fn report(failures: Vec<String>) {
    assert!(
        failures.is_empty(),
        "{} golden file(s) differ:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn every_bundled_scenario_runs_to_the_pinned_bytes_with_one_and_two_threads() {
    let tmp = tempfile::tempdir().unwrap();
    let mut failures = Vec::new();
    let all = scenarios();
    assert!(all.len() >= 20, "bundled scenarios not found: {all:?}");
    for scenario in &all {
        let stem = stem(scenario);
        let validate = nines()
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .arg("validate")
            .arg(scenario)
            .assert()
            .success();
        check(
            &format!("run/{stem}.validate.txt"),
            &validate.get_output().stdout,
            &mut failures,
        );
        for threads in ["1", "2"] {
            let out = tmp.path().join(format!("{stem}-{threads}"));
            let run = nines()
                .current_dir(env!("CARGO_MANIFEST_DIR"))
                .arg("run")
                .arg(scenario)
                .args(["-n", REPLICATIONS, "--seed", SEED, "-j", threads])
                .args([
                    "--quiet",
                    "--no-charts",
                    "--no-report",
                    "--format",
                    "json",
                    "--out",
                ])
                .arg(&out)
                .assert()
                .success();
            check(
                &format!("run/{stem}.json"),
                &model_json(&run.get_output().stdout),
                &mut failures,
            );
            for file in ["summary.csv", "replications.csv"] {
                let bytes =
                    fs::read(out.join(file)).unwrap_or_else(|e| panic!("{stem}: {file}: {e}"));
                check(&format!("run/{stem}.{file}"), &bytes, &mut failures);
            }
        }
    }
    report(failures);
}

/// Every file a layouts command wrote under `dir` (CSV only: the tables behind charts and reports).
fn csv_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in fs::read_dir(&d).unwrap() {
            let p = entry.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|e| e == "csv") {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

fn layouts_command(name: &str, args: &[&str], failures: &mut Vec<String>) {
    let tmp = tempfile::tempdir().unwrap();
    for threads in ["1", "2"] {
        let out = tmp.path().join(threads);
        let cmd = nines()
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .args(args)
            .args(["-n", REPLICATIONS, "--seed", SEED, "-j", threads])
            .args(["--quiet", "--no-charts", "--no-report", "--out"])
            .arg(&out)
            .assert()
            .success();
        check(
            &format!("{name}/stdout.txt"),
            &model_text(&cmd.get_output().stdout),
            failures,
        );
        let files = csv_files(&out);
        assert!(!files.is_empty(), "{name} wrote no CSV");
        for file in files {
            let rel = file
                .strip_prefix(&out)
                .unwrap()
                .to_string_lossy()
                .replace(['/', '\\'], "-");
            check(
                &format!("{name}/{rel}"),
                &fs::read(&file).unwrap(),
                failures,
            );
        }
    }
}

#[test]
fn compare_and_sweep_of_the_appv_family_give_the_pinned_bytes() {
    let mut failures = Vec::new();
    layouts_command(
        "compare-appv",
        &[
            "compare",
            "scenarios/appv/appv-standalone.toml",
            "scenarios/appv/appv-nlb-mirroring.toml",
            "scenarios/appv/appv-nlb-always-on.toml",
        ],
        &mut failures,
    );
    layouts_command(
        "sweep-web-farm",
        &["sweep", "scenarios/web-farm.toml"],
        &mut failures,
    );
    report(failures);
}
