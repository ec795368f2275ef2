//! Defects found by trying to break nines (the hardening issue), each pinned by a test that failed
//! before its fix: no panic on a closed pipe or on a very long name, and no runaway thread count.

use std::fs;
use std::io::Read;
use std::path::PathBuf;
use std::process::{Command as Std, Stdio};
use std::time::{Duration, Instant};

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

/// A scenario of one node group `nodes` (TOML of `[nodes]` tables) behind one pool role, with
/// `extra` appended.
fn scenario_with(nodes: &str, on: &str, extra: &str) -> String {
    format!(
        "[simulation]\nmission = \"1y\"\nreplications = 10\n\n[defaults]\nfailure = {{ dist = \"exponential\", mean = \"1y\" }}\nrepair = {{ dist = \"exponential\", mean = \"8h\" }}\n\n{nodes}\n[roles.r]\nkind = \"pool\"\non = {on}\nmin_up = 1\n\n[services.s]\nall_of = [\"r\"]\n{extra}"
    )
}

/// A node named like a domain gave two rows no reader could tell apart: one namespace for everything
/// that fails. Names equal but for case or look-alike letters are valid, with a warning.
#[test]
fn names_of_things_that_fail_are_distinct_and_look_alikes_are_flagged() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("clash.toml");
    fs::write(
        &file,
        scenario_with(
            "[domains.rack]\n[nodes.rack]\nin = [\"rack\"]\n[nodes.b]\n",
            "[\"rack\", \"b\"]",
            "",
        ),
    )
    .unwrap();
    let out = nines().arg("validate").arg(&file).assert().code(2);
    let err = String::from_utf8_lossy(&out.get_output().stdout).into_owned()
        + &String::from_utf8_lossy(&out.get_output().stderr);
    assert!(
        err.contains("node name `rack` is already a failure domain"),
        "{err}"
    );
    let file = tmp.path().join("alike.toml");
    // `wеb` with a Cyrillic е, and `Web`.
    fs::write(
        &file,
        scenario_with(
            "[nodes.web]\n[nodes.Web]\n[nodes.\"w\u{435}b\"]\n",
            "[\"web\", \"Web\", \"w\u{435}b\"]",
            "",
        ),
    )
    .unwrap();
    let out = nines().arg("validate").arg(&file).assert().success();
    let text = String::from_utf8_lossy(&out.get_output().stdout).into_owned();
    assert!(
        text.contains("differ only by case or by look-alike characters")
            && text.contains("\"Web\"")
            && text.contains("\"w\u{435}b\""),
        "{text}"
    );
}

/// No bound on input or work: `validate /dev/zero` read forever, a 10^14-event run passed with no
/// warning, a 1 ms mission too, splitting factors multiplying to 10^30 ran without end, and
/// `--max-states` at its maximum grew until killed.
#[test]
fn input_and_work_are_bounded() {
    let tmp = tempfile::tempdir().unwrap();
    let huge = tmp.path().join("huge.toml");
    fs::write(&huge, vec![b'#'; 17 << 20]).unwrap();
    let began = Instant::now();
    let out = nines().arg("validate").arg(&huge).assert().code(2);
    let err = String::from_utf8_lossy(&out.get_output().stderr).into_owned()
        + &String::from_utf8_lossy(&out.get_output().stdout);
    assert!(err.contains("larger than 16 MiB"), "{err}");
    assert!(began.elapsed() < Duration::from_secs(20));

    let busy = tmp.path().join("busy.toml");
    let fast = "[nodes.a]\nfailure = { dist = \"exponential\", mean = \"1ms\" }\nrepair = { dist = \"exponential\", mean = \"1ms\" }\n";
    fs::write(
        &busy,
        scenario_with(fast, "\"a\"", "").replace("\"1y\"", "\"10000y\""),
    )
    .unwrap();
    let out = nines().arg("validate").arg(&busy).assert().success();
    let text = String::from_utf8_lossy(&out.get_output().stdout).into_owned();
    assert!(
        text.contains("events per replication") && text.contains("of one core's time"),
        "{text}"
    );
    assert!(!text.contains("e14"), "no exponent for planners: {text}");

    let short = tmp.path().join("short.toml");
    fs::write(
        &short,
        scenario_with("[nodes.a]\n", "\"a\"", "").replace("\"1y\"", "\"1ms\""),
    )
    .unwrap();
    let out = nines().arg("validate").arg(&short).assert().success();
    let text = String::from_utf8_lossy(&out.get_output().stdout).into_owned();
    assert!(text.contains("the mission is"), "{text}");

    let out = nines()
        .args(["exact", "scenarios/pool-3-of-5.toml", "--max-states"])
        .arg(usize::MAX.to_string())
        .assert()
        .code(2);
    let err = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
    assert!(
        err.contains("--max-states") && err.contains("expected 1 to"),
        "{err}"
    );

    let out = nines()
        .args([
            "rare",
            "scenarios/pool-3-of-5.toml",
            "--method",
            "splitting",
            "--factors",
        ])
        .arg(["100000"; 6].join(","))
        .assert()
        .code(2);
    let err = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
    assert!(err.contains("copies"), "{err}");
}
