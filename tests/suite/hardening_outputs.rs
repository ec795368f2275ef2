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
    // A probability, and --precision on the command line.
    let file = write(
        dir.path(),
        "coverage.toml",
        "[simulation]\nmission = \"1y\"\n\n[nodes.a]\ncount = 2\nfailure = { dist = \"exponential\", mean = \"1y\" }\nrepair = { dist = \"fixed\", value = \"1h\" }\n\n[roles.r]\nkind = \"cluster\"\non = \"a\"\ncoverage = -1e300\n\n[services.s]\nall_of = [\"r\"]\n",
    );
    let out = nines().arg("validate").arg(&file).output().unwrap();
    let err =
        String::from_utf8_lossy(&out.stderr).into_owned() + &String::from_utf8_lossy(&out.stdout);
    assert!(err.contains("-1e300 is not a probability"), "{err}");
    assert!(longest_digits(&err) < 20, "a long number: {err}");
    let ok = write(dir.path(), "small.toml", SMALL);
    for cmd in ["rare", "exact"] {
        let out = nines()
            .args([cmd, "--precision", "1e300"])
            .arg(&ok)
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{err}");
        assert!(err.contains("--precision 1e300:"), "{cmd}: {err}");
    }
    // The same from the command line.
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

/// A scenario with `n` nodes, each under its own role and service.
fn many(n: usize) -> String {
    let mut s = format!(
        "[simulation]\nmission = \"1y\"\nreplications = 2\nseed = 3\n\n[nodes.n]\ncount = {n}\nfailure = {{ dist = \"exponential\", mean = \"30d\" }}\nrepair = {{ dist = \"fixed\", value = \"8h\" }}\n\n"
    );
    for i in 0..n {
        s += &format!(
            "[roles.r{i}]\nkind = \"standalone\"\non = \"n-{}\"\n\n",
            i + 1
        );
    }
    for i in 0..n {
        s += &format!("[services.s{i}]\nall_of = [\"r{i}\"]\n\n");
    }
    s
}

/// A PNG's height in pixels (from its header).
fn png_height(path: &Path) -> u32 {
    let b = fs::read(path).unwrap();
    assert_eq!(&b[1..4], b"PNG", "{}", path.display());
    u32::from_be_bytes([b[20], b[21], b[22], b[23]])
}

/// Charts grew without bound with the number of services and roles (2 000 of them: a PNG 516 216
/// pixels tall, 12.9 GB): each chart now draws the most relevant and says how many more there are.
#[test]
fn charts_are_bounded_whatever_the_number_of_entities() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "many.toml", &many(300));
    let out = nines()
        .args(["run", "-q", "--no-report", "-j", "2", "-o"])
        .arg(dir.path().join("run"))
        .arg(&file)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let charts = dir.path().join("run").join("charts");
    let mut pngs = 0;
    for e in fs::read_dir(&charts).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_some_and(|x| x == "png") {
            pngs += 1;
            let h = png_height(&p);
            assert!(h <= 10_000, "{} is {h} pixels tall", p.display());
        }
    }
    assert!(pngs >= 4, "{pngs} charts");
    let svg = fs::read_to_string(charts.join("availability.svg")).unwrap();
    assert!(
        svg.contains("and 270 more services"),
        "no 'and M more' line"
    );
    assert!(svg.contains("and 270 more roles"), "no 'and M more' line");
    let svg = fs::read_to_string(charts.join("downtime-per-year.svg")).unwrap();
    assert!(
        svg.contains("and 288 more services"),
        "no 'and M more' line"
    );
    let svg = fs::read_to_string(charts.join("timeline.svg")).unwrap();
    assert!(svg.contains("more rows, not drawn"), "no 'and M more' line");
    // Every service is still in the table.
    let csv = fs::read_to_string(dir.path().join("run").join("summary.csv")).unwrap();
    assert!(csv.contains("service,s299,") && csv.contains("role,r299,"));
    // And a comparison of two such layouts.
    let out = nines()
        .args(["compare", "-q", "--no-report", "-j", "2", "-o"])
        .arg(dir.path().join("cmp"))
        .arg(&file)
        .arg(&file)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let p = dir
        .path()
        .join("cmp")
        .join("charts")
        .join("compare-availability.png");
    let h = png_height(&p);
    assert!(h <= 10_000, "{} is {h} pixels tall", p.display());
}

/// A 64×64 sweep at the scenario's replications passed 12 GB in 85 s with no warning: the work is
/// estimated before anything is compiled or run, and a sweep beyond the limits needs --yes.
#[test]
fn a_large_sweep_is_refused_without_yes_naming_the_estimate() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(
        dir.path(),
        "small.toml",
        &SMALL.replace("replications = 16", "replications = 10_000"),
    );
    let hours: Vec<String> = (1..=64).map(|h| format!("{h}h")).collect();
    let t = std::time::Instant::now();
    let out = nines()
        .args([
            "sweep",
            "-q",
            "--no-charts",
            "--no-report",
            "--set",
            "nodes.web.count=3..66",
        ])
        .arg("--set")
        .arg(format!("nodes.web.repair.value={}", hours.join(",")))
        .arg("-o")
        .arg(dir.path().join("big"))
        .arg(&file)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("4096 points × 10000 replications = 40960000 simulated missions"),
        "{err}"
    );
    assert!(
        err.contains("-n 2441") && err.contains("--yes") && err.contains("memory"),
        "{err}"
    );
    assert!(
        t.elapsed().as_secs_f64() < 10.0,
        "refusing took {:?}",
        t.elapsed()
    );
    assert!(!dir.path().join("big").exists(), "outputs written");
    // Two points at many replications are beyond the limit too; --yes lets the sweep through the
    // gate (it then stops at the unknown service, before running anything).
    let small = |yes: bool| {
        let mut cmd = nines();
        cmd.args([
            "sweep",
            "-q",
            "--no-charts",
            "--no-report",
            "--set",
            "nodes.web.count=3..4",
        ])
        .args(["-n", "5000001", "--service", "nope", "-o"])
        .arg(dir.path().join("two"))
        .arg(&file);
        if yes {
            cmd.arg("--yes");
        }
        let out = cmd.output().unwrap();
        assert_eq!(out.status.code(), Some(2));
        String::from_utf8_lossy(&out.stderr).into_owned()
    };
    let refused = small(false);
    assert!(
        refused.contains("2 points × 5000001 replications") && refused.contains("--yes"),
        "{refused}"
    );
    let through = small(true);
    assert!(
        !through.contains("this sweep is large") && through.contains("nope"),
        "{through}"
    );
}

/// Layouts now run in pieces that merge as they finish (at most one accumulator per thread in
/// flight, instead of four per thread of every layout): the pieces depend on the thread count, the
/// results must not.
#[test]
fn sweep_results_do_not_depend_on_threads() {
    let dir = tempfile::tempdir().unwrap();
    let run = |j: &str| {
        let d = dir.path().join(format!("j{j}"));
        let out = nines()
            .args([
                "sweep",
                "scenarios/web-farm.toml",
                "-n",
                "200",
                "-q",
                "--no-charts",
                "--no-report",
            ])
            .args(["-j", j, "-o"])
            .arg(&d)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        ["comparison.csv", "sweep.csv"].map(|f| fs::read(d.join(f)).unwrap())
    };
    let one = run("1");
    assert!(one == run("3"), "-j 1 and -j 3 differ");
}
