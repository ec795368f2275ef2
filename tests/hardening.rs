//! Defects found by trying to break nines (the hardening issue), each pinned by a test that failed
//! before its fix: no panic on a closed pipe or on a very long name, and no runaway thread count.

use std::fs;
use std::io::Read;
use std::path::PathBuf;
use std::process::{Command as Std, Stdio};
use std::time::Instant;

use assert_cmd::Command;

fn nines() -> Command {
    Command::cargo_bin("nines").expect("binary")
}

fn bundled() -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![PathBuf::from("scenarios")];
    while let Some(d) = stack.pop() {
        for e in fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "toml") {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// `nines validate *.toml | head`: the reader goes away; nines must end without a panic message
/// (killed by SIGPIPE, as command-line tools are, or exiting on its own).
#[test]
fn a_closed_pipe_is_no_panic() {
    let files = bundled();
    // More than a pipe's buffer (64 KiB) of text, so the write fails whenever the reader closes.
    let mut child = Std::new(assert_cmd::cargo::cargo_bin("nines"))
        .arg("validate")
        .args(&files)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    drop(child.stdout.take());
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    let status = child.wait().unwrap();
    assert!(
        !stderr.contains("panicked"),
        "panic on a closed pipe: {stderr}"
    );
    assert_ne!(status.code(), Some(101), "exit code of a panic: {stderr}");
}

/// A role name of 70 000 bytes: the terminal table used to ask for a column that wide and panic
/// after the outputs were written.
#[test]
fn a_very_long_name_runs_and_prints() {
    let tmp = tempfile::tempdir().unwrap();
    let name = "r".repeat(70_000);
    let text = format!(
        "[simulation]\nmission = \"1y\"\nreplications = 8\n[nodes.a]\nfailure = {{ dist = \"exponential\", mean = \"1000h\" }}\nrepair = {{ dist = \"exponential\", mean = \"10h\" }}\n[roles.{name}]\nkind = \"standalone\"\non = \"a\"\n"
    );
    let file = tmp.path().join("long.toml");
    fs::write(&file, text).unwrap();
    let out = nines()
        .arg("run")
        .arg(&file)
        .args(["--quiet", "--no-charts", "--no-report", "--out"])
        .arg(tmp.path().join("out"))
        .assert()
        .success();
    let stdout = String::from_utf8_lossy(&out.get_output().stdout);
    assert!(stdout.contains(&name), "the table shows the name in full");
}

/// `-j 100000` used to spend about a minute creating threads; it is clamped, with a note, and the
/// results are those of any other thread count.
#[test]
fn an_absurd_thread_count_is_clamped_with_a_note() {
    let tmp = tempfile::tempdir().unwrap();
    let run = |threads: &str, dir: &str| {
        let started = Instant::now();
        let out = nines()
            .args(["run", "scenarios/web-farm.toml", "-n", "200", "--seed", "3"])
            .args([
                "-j",
                threads,
                "--quiet",
                "--no-charts",
                "--no-report",
                "--out",
            ])
            .arg(tmp.path().join(dir))
            .assert()
            .success();
        let stderr = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
        (
            stderr,
            started.elapsed(),
            fs::read(tmp.path().join(dir).join("summary.csv")).unwrap(),
        )
    };
    let (note, took, many) = run("100000", "many");
    assert!(
        note.contains("note: 100000 threads asked for; using "),
        "no note on stderr: {note}"
    );
    assert!(took.as_secs() < 30, "took {took:?}");
    let (_, _, one) = run("1", "one");
    assert_eq!(many, one, "results depend on the thread count");
}

/// A gamma with `shape = 1e-308` used to overflow its scale, so the node silently never failed; it is
/// refused with a located error, as too small Weibull shapes are.
#[test]
fn a_vanishing_gamma_shape_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("gamma.toml");
    fs::write(
        &file,
        "[simulation]\nmission = \"1y\"\n[nodes.a]\nfailure = { dist = \"gamma\", shape = 1e-308, mean = \"1000h\" }\nrepair = { dist = \"exponential\", mean = \"10h\" }\n[roles.r]\nkind = \"standalone\"\non = \"a\"\n",
    )
    .unwrap();
    let out = nines().arg("validate").arg(&file).assert().code(2);
    let stderr = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
    assert!(stderr.contains("gamma.toml:4:"), "not located: {stderr}");
    assert!(
        stderr.contains("is too small") && stderr.contains("use 0.01 or more"),
        "no clear message: {stderr}"
    );
}

/// Names that a spreadsheet would run as formulas (`=`, `+`, `-`, `@` first) reach the CSV files
/// neutralised with a leading `'`, and ordinary names as they are.
#[test]
fn formula_names_are_neutralised_in_csv() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("formula.toml");
    fs::write(
        &file,
        "[simulation]\nmission = \"1y\"\nreplications = 8\n[nodes.\"=HYPERLINK(1)\"]\nfailure = { dist = \"exponential\", mean = \"1000h\" }\nrepair = { dist = \"exponential\", mean = \"10h\" }\n[roles.\"@r\"]\nkind = \"standalone\"\non = \"=HYPERLINK(1)\"\n[services.\"-s\"]\nall_of = [\"@r\"]\n[services.plain]\nall_of = [\"@r\"]\n",
    )
    .unwrap();
    let out = tmp.path().join("out");
    nines()
        .arg("run")
        .arg(&file)
        .args(["--quiet", "--no-charts", "--no-report", "--out"])
        .arg(&out)
        .assert()
        .success();
    let summary = fs::read_to_string(out.join("summary.csv")).unwrap();
    let rows = fs::read_to_string(out.join("replications.csv")).unwrap();
    for text in [&summary, &rows] {
        for line in text.lines().skip(1) {
            let name = line.split(',').nth(1).unwrap().trim_matches('"');
            assert!(
                !name.starts_with(['=', '+', '-', '@']),
                "a formula reaches a CSV cell: {line}"
            );
        }
    }
    assert!(
        summary.contains(",'@r,"),
        "the role's name kept behind a quote"
    );
    assert!(summary.contains(",'-s,") && rows.contains(",'-s,"));
    assert!(summary.contains(",plain,") && rows.contains(",plain,"));
}

/// `merge` has no run time of its own: it used to print "NaN million events/s".
#[test]
fn merge_prints_no_nan_rate() {
    let tmp = tempfile::tempdir().unwrap();
    let parts = tmp.path().join("parts");
    for i in 1..=2 {
        nines()
            .args(["run", "scenarios/web-farm.toml", "-n", "128", "--seed", "5"])
            .args([
                "--shard",
                &format!("{i}/2"),
                "--quiet",
                "--no-charts",
                "--no-report",
                "--out",
            ])
            .arg(&parts)
            .assert()
            .success();
    }
    let out = nines()
        .arg("merge")
        .arg(&parts)
        .args(["--no-charts", "--no-report", "--out"])
        .arg(tmp.path().join("merged"))
        .assert()
        .success();
    let stdout = String::from_utf8_lossy(&out.get_output().stdout).into_owned();
    assert!(!stdout.contains("NaN"), "NaN in merge's table: {stdout}");
    assert!(
        stdout.contains("merged from the parts of a sharded run; run time not recorded"),
        "{stdout}"
    );
}

/// Control characters in names and strings used to pass `validate`, then break rendering late or drive
/// the terminal; they are refused up front with a located error that shows them escaped.
#[test]
fn control_characters_are_refused_and_never_echoed() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("controls.toml");
    fs::write(
        &file,
        "[simulation]\nmission = \"1y\"\n[nodes.a]\nfailure = { dist = \"exponential\", mean = \"1000h\" }\nrepair = { dist = \"exponential\", mean = \"10h\" }\n[roles.\"r\\u001b[31m\"]\nkind = \"standalone\"\non = \"a\\tb\"\n",
    )
    .unwrap();
    let out = nines().arg("validate").arg(&file).assert().code(2);
    let stderr = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
    assert!(
        !stderr.contains('\u{1b}') && !stderr.contains('\t'),
        "echoed raw: {stderr:?}"
    );
    assert!(
        stderr.contains("controls.toml:6:") && stderr.contains("U+001B"),
        "the name's error: {stderr}"
    );
    assert!(
        stderr.contains("controls.toml:8:") && stderr.contains("U+0009"),
        "the string's error: {stderr}"
    );
}
