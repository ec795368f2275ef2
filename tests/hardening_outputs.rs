//! Defects of the hardening issue in what nines writes and how much work it takes on: sweeps of run
//! settings, chart sizes, sweep sizes, label fitting and cosmetic numbers. Each test failed before its
//! fix.

use std::fs;
use std::path::Path;

use assert_cmd::Command;

fn nines() -> Command {
    Command::cargo_bin("nines").expect("binary")
}

/// A small scenario: a pool of three nodes under one service.
const SMALL: &str = "[simulation]\nmission = \"1y\"\nreplications = 16\nseed = 7\n\n[nodes.web]\ncount = 3\nfailure = { dist = \"exponential\", mean = \"30d\" }\nrepair = { dist = \"fixed\", value = \"8h\" }\n\n[roles.r]\nkind = \"pool\"\non = \"web\"\nmin_up = 2\n\n[services.s]\nall_of = [\"r\"]\n";

fn write(dir: &Path, name: &str, text: &str) -> std::path::PathBuf {
    let p = dir.join(name);
    fs::write(&p, text).unwrap();
    p
}

/// Sweeping a run setting gave every row the first point's result under another label: it is
/// refused, naming the flag that sets it for every point.
#[test]
fn sweeping_a_run_setting_is_refused_naming_the_flag() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "small.toml", SMALL);
    for (set, flag) in [
        ("simulation.mission=1y,2y", "--mission"),
        ("simulation.seed=1,2", "--seed"),
        ("simulation.replications=8,16", "--replications"),
        ("simulation.threads=1,2", "--threads"),
    ] {
        let out = nines()
            .args([
                "sweep",
                "-q",
                "--no-charts",
                "--no-report",
                "--set",
                set,
                "-o",
            ])
            .arg(dir.path().join("out"))
            .arg(&file)
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{set}: {err}");
        assert!(
            err.contains("cannot be swept") && err.contains(flag),
            "{set}: {err}"
        );
        assert!(!dir.path().join("out").exists(), "{set}: outputs written");
    }
    // The same in a [sweep] section, located.
    let file = write(
        dir.path(),
        "section.toml",
        &format!("{SMALL}\n[sweep]\n\"simulation.mission\" = [\"1y\", \"2y\"]\n"),
    );
    let out = nines()
        .args(["sweep", "-q", "--no-charts", "--no-report", "-o"])
        .arg(dir.path().join("out"))
        .arg(&file)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("cannot be swept") && err.contains("--mission"),
        "{err}"
    );
    assert!(err.contains("section.toml:"), "located: {err}");
}

/// The longest run of decimal digits in `text`.
fn longest_digits(text: &str) -> usize {
    text.split(|c: char| !c.is_ascii_digit())
        .map(str::len)
        .max()
        .unwrap_or(0)
}

/// Huge numbers were echoed in error messages with all their 301 to 309 digits.
#[test]
fn huge_numbers_in_errors_are_short() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(
        dir.path(),
        "huge.toml",
        "[simulation]\nmission = \"1e300y\"\n\n[nodes.a]\nfailure = { dist = \"weibull\", shape = -1e300, scale = \"1y\" }\nrepair = { dist = \"lognormal\", mu = -1e300, sigma = 1 }\n\n[roles.r]\nkind = \"pool\"\non = \"a\"\nmin_up = 1\n\n[services.s]\nall_of = [\"r\"]\ntarget = -1e300\n",
    );
    let out = nines().arg("validate").arg(&file).output().unwrap();
    let err =
        String::from_utf8_lossy(&out.stderr).into_owned() + &String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("1e300"), "the number is still shown: {err}");
    assert!(
        err.contains("mission") && err.contains("target") && err.contains("shape"),
        "{err}"
    );
    assert!(longest_digits(&err) < 20, "a long number: {err}");
    // The same from the command line.
    let ok = write(dir.path(), "small.toml", SMALL);
    let out = nines()
        .args([
            "run",
            "-q",
            "--no-charts",
            "--no-report",
            "--mission",
            "1e300y",
        ])
        .arg(&ok)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(longest_digits(&err) < 20, "a long number: {err}");
}

/// A difference of two equal figures was written `-0` in comparison.csv (and sweep.csv).
#[test]
fn no_negative_zero_in_comparison_csv() {
    let dir = tempfile::tempdir().unwrap();
    let out = nines()
        .args([
            "sweep",
            "scenarios/web-farm.toml",
            "-n",
            "16",
            "-q",
            "--no-charts",
            "--no-report",
            "-o",
        ])
        .arg(dir.path().join("s"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for f in ["comparison.csv", "sweep.csv"] {
        let text = fs::read_to_string(dir.path().join("s").join(f)).unwrap();
        let cells = text.lines().flat_map(|l| l.split(','));
        assert!(cells.clone().all(|c| c != "-0"), "{f}: {text}");
        // The differences that were -0 are there, as 0.
        if f == "comparison.csv" {
            assert!(
                text.lines()
                    .any(|l| l.contains(",static_pages,availability,") && l.contains(",0,0,0,")),
                "{text}"
            );
        }
    }
}
