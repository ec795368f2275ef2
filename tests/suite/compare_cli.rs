//! `nines compare` and `nines sweep` on the command line: what they write, and clear errors that
//! leave nothing behind.

use std::fs;
use std::path::Path;

use assert_cmd::Command;

fn nines() -> Command {
    Command::cargo_bin("nines").expect("binary")
}

const EXAMPLE: &str = "scenarios/web-farm.toml";

/// The example with four front ends instead of three.
fn four_front_ends(dir: &Path) -> std::path::PathBuf {
    let text = fs::read_to_string(EXAMPLE).unwrap();
    let four = text.replacen("count = 3 ", "count = 4 ", 1);
    assert_ne!(text, four);
    let p = dir.join("web-farm-4.toml");
    fs::write(&p, four).unwrap();
    p
}

fn assert_chart(dir: &Path, name: &str) {
    for ext in ["svg", "png"] {
        let p = dir.join("charts").join(format!("{name}.{ext}"));
        let len = fs::metadata(&p)
            .unwrap_or_else(|_| panic!("missing {}", p.display()))
            .len();
        assert!(len > 5_000, "{} has only {len} bytes", p.display());
    }
}

#[test]
fn compare_writes_the_table_csv_and_charts() {
    let tmp = tempfile::tempdir().unwrap();
    let b = four_front_ends(tmp.path());
    let out = tmp.path().join("cmp");
    let assert = nines()
        .args(["compare", EXAMPLE])
        .arg(&b)
        .args(["-n", "256", "--quiet", "--out"])
        .arg(&out)
        .assert()
        .success();
    let stdout = String::from_utf8(assert.get_output().stdout.clone()).unwrap();
    assert!(stdout.contains("Δ vs web-farm"), "{stdout}");
    assert!(stdout.contains("service web_app"), "{stdout}");
    assert!(stdout.contains("yearly cost"), "{stdout}");
    assert!(stdout.contains("+2 500 EUR"), "{stdout}");
    let csv = fs::read_to_string(out.join("comparison.csv")).unwrap();
    let mut lines = csv.lines();
    assert_eq!(
        lines.next().unwrap(),
        nines::analyses::compare::CSV_HEADER.join(",")
    );
    assert!(csv.contains("web-farm-4,web_app,availability,fraction,"));
    assert!(out.join("layouts/web-farm/summary.csv").is_file());
    assert!(out.join("layouts/web-farm-4/summary.csv").is_file());
    assert_chart(&out, "compare-availability");
    assert_chart(&out, "cost-availability");
    // Same bytes on one thread.
    let again = tmp.path().join("again");
    nines()
        .args(["compare", EXAMPLE])
        .arg(&b)
        .args(["-n", "256", "--quiet", "-j", "1", "--no-charts", "--out"])
        .arg(&again)
        .assert()
        .success();
    assert_eq!(
        fs::read(again.join("comparison.csv")).unwrap(),
        csv.as_bytes()
    );
    assert!(!again.join("charts").exists());
}

#[test]
fn sweep_runs_the_scenarios_own_sweep_section() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("sweep");
    let assert = nines()
        .args(["sweep", EXAMPLE, "-n", "256", "--quiet", "--out"])
        .arg(&out)
        .assert()
        .success();
    let stdout = String::from_utf8(assert.get_output().stdout.clone()).unwrap();
    assert!(stdout.contains("answer:"), "{stdout}");
    let csv = fs::read_to_string(out.join("sweep.csv")).unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 1 + 4, "{csv}");
    assert!(lines[0].starts_with("nodes.web.count,service,replications,availability,"));
    for (i, l) in lines[1..].iter().enumerate() {
        assert!(l.starts_with(&format!("{},web_app,256,", i + 2)), "{l}");
    }
    assert_chart(&out, "sweep-availability");
    assert_chart(&out, "cost-availability");
    assert_chart(&out, "compare-availability");
}

#[test]
fn sweep_of_two_parameters_is_a_grid() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("grid");
    nines()
        .args([
            "sweep",
            EXAMPLE,
            "--set",
            "nodes.web.count=3,4",
            "--set",
            "nodes.sql.repair.mean=8h,16h,32h",
            "-n",
            "128",
            "--quiet",
            "--out",
        ])
        .arg(&out)
        .assert()
        .success();
    let csv = fs::read_to_string(out.join("sweep.csv")).unwrap();
    let rows: Vec<&str> = csv.lines().skip(1).collect();
    assert_eq!(rows.len(), 6);
    assert!(rows[0].starts_with("3,8h,"), "{}", rows[0]);
    assert!(rows[5].starts_with("4,32h,"), "{}", rows[5]);
    assert_chart(&out, "sweep-availability");
}

#[test]
fn bad_sweeps_and_comparisons_say_why_and_write_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let cases: [(&[&str], &str); 9] = [
        (
            &["sweep", EXAMPLE, "--set", "nodes.web.count=1..3"],
            "at the sweep point nodes.web.count=1",
        ),
        (
            &["sweep", EXAMPLE, "--set", "nodes.wbe.count=2"],
            "--set nodes.wbe.count: cannot set it in scenarios/web-farm.toml: the scenario has no `nodes.wbe`; did you mean `nodes.web`?",
        ),
        // A misspelt field blames the argument, not a line of the file, and suggests the field.
        (
            &["sweep", EXAMPLE, "--set", "nodes.web.cnt=2..3"],
            "error: --set nodes.web.cnt=2: unknown key `cnt`; did you mean `count`?",
        ),
        (
            &["sweep", EXAMPLE, "--set", "roles.frontend.min_up=2-3"],
            "`2-3` is not a range: write a range of integers as 2..3",
        ),
        (
            &["sweep", EXAMPLE, "--set", "nodes.web.count=abc"],
            "error: --set nodes.web.count=abc: expected an integer, found a string\n",
        ),
        (
            &["sweep", EXAMPLE, "--set", "nodes.web.count"],
            "expected PATH=VALUES",
        ),
        (
            &["sweep", EXAMPLE, "--set", "nodes.web.count=5..2"],
            "is empty",
        ),
        (
            &["sweep", EXAMPLE, "--service", "nope"],
            "has no such service; its services: web_app, static_pages",
        ),
        (
            &["compare", EXAMPLE, "no/such/file.toml"],
            "cannot read scenario no/such/file.toml",
        ),
    ];
    for (i, (args, want)) in cases.iter().enumerate() {
        let out = tmp.path().join(format!("case{i}"));
        let assert = nines()
            .args(*args)
            .args(["-n", "64", "--quiet", "--out"])
            .arg(&out)
            .assert()
            .code(2);
        let stderr = String::from_utf8(assert.get_output().stderr.clone()).unwrap();
        assert!(stderr.contains(want), "{args:?}: {stderr}");
        assert!(!out.exists(), "{args:?} created {}", out.display());
    }
    // The point that fails names the scenario's own complaint.
    let assert = nines()
        .args(["sweep", EXAMPLE, "--set", "nodes.web.count=1..3", "--quiet"])
        .assert()
        .code(2);
    let stderr = String::from_utf8(assert.get_output().stderr.clone()).unwrap();
    assert!(stderr.contains("min_up"), "{stderr}");
}

/// The report of a comparison and of a sweep: self-contained, every chart inline, the tables and
/// the sweep's answer; `--no-report` writes none.
#[test]
fn compare_and_sweep_write_self_contained_reports() {
    let tmp = tempfile::tempdir().unwrap();
    let b = four_front_ends(tmp.path());
    let cmp = tmp.path().join("cmp");
    nines()
        .args(["compare", EXAMPLE])
        .arg(&b)
        .args(["-n", "128", "--quiet", "--out"])
        .arg(&cmp)
        .assert()
        .success();
    let sw = tmp.path().join("sweep");
    nines()
        .args(["sweep", EXAMPLE, "-n", "128", "--quiet", "--out"])
        .arg(&sw)
        .assert()
        .success();
    for (dir, title, must, delta) in [
        (
            &cmp,
            "nines report · web-farm vs web-farm-4",
            "Layouts side by side",
            "Δ vs web-farm",
        ),
        (
            &sw,
            "nines report · sweep of web_app over nodes.web.count",
            "Answer: nodes.web.count=",
            "Δ vs nodes.web.count=2",
        ),
    ] {
        let html = fs::read_to_string(dir.join("report.html")).unwrap();
        assert!(
            html.contains(&format!("<title>{}", nines::write::report::escape(title))),
            "{title}"
        );
        assert!(html.contains(must), "{must}");
        assert!(html.contains(delta), "{delta}");
        // The answer opens the page, before the assumptions.
        let short = html.find("<h2>In short</h2>").expect("a headline");
        let end = short + html[short..].find("</section>").unwrap();
        assert!(html.find("<h2>Assumptions</h2>").unwrap() > end);
        let short = &html[short..end];
        assert!(
            short.contains("Recommended: ") || short.contains("Answer: nodes.web.count="),
            "{short}"
        );
        assert!(short.contains("<td>web_app</td>"), "{short}");
        assert!(short.contains("met: the 95% interval"), "{short}");
        for forbidden in ["<script", "<link", "<img", "https://", "src="] {
            assert!(
                !html.contains(forbidden),
                "{forbidden} in {}",
                dir.display()
            );
        }
        let mut charts = 0;
        for entry in fs::read_dir(dir.join("charts")).unwrap() {
            let p = entry.unwrap().path();
            if p.extension().is_some_and(|e| e == "svg") {
                let svg = fs::read_to_string(&p).unwrap();
                let body = &svg[svg.find("<svg").unwrap()..];
                assert!(html.contains(body.trim_end()), "{} not inline", p.display());
                charts += 1;
            }
        }
        assert!(charts >= 2);
    }
    let none = tmp.path().join("none");
    nines()
        .args([
            "sweep",
            EXAMPLE,
            "-n",
            "64",
            "--quiet",
            "--no-report",
            "--out",
        ])
        .arg(&none)
        .assert()
        .success();
    assert!(none.join("sweep.csv").is_file());
    assert!(!none.join("report.html").exists());
}

/// A sweep whose scenario has eight request kinds: the report's latency figures are cut into tables
/// a page wide (at most five figures each, under one heading), not one table of eight columns.
#[test]
fn many_request_kinds_make_several_narrow_tables() {
    let tmp = tempfile::tempdir().unwrap();
    let mut text = fs::read_to_string(EXAMPLE).unwrap();
    text.push_str("\n[clients.users]\ncount = 100\n");
    for k in 1..=8 {
        text.push_str(&format!(
            "\n[clients.users.requests.kind{k}]\ntarget = \"frontend\"\nevery = \"60min\"\n\
             timeout = \"30s\"\nresponse = {{ dist = \"fixed\", value = \"{k}00ms\" }}\n"
        ));
    }
    let scenario = tmp.path().join("many-kinds.toml");
    fs::write(&scenario, text).unwrap();
    let out = tmp.path().join("sweep");
    nines()
        .arg("sweep")
        .arg(&scenario)
        .args(["-n", "16", "--quiet", "--out"])
        .arg(&out)
        .assert()
        .success();
    let html = fs::read_to_string(out.join("report.html")).unwrap();
    let start = html
        .find("<h2>Layouts side by side</h2>")
        .expect("the section");
    let section = &html[start..start + html[start..].find("</section>").unwrap()];
    let latency = section.find("Client latency").expect("a latency heading");
    assert_eq!(section.matches("Client latency").count(), 1, "one heading");
    let widths: Vec<usize> = section[latency..]
        .split("<table>")
        .skip(1)
        .map_while(|t| {
            let head = &t[..t.find("</tr>")?];
            head.contains("users.")
                .then(|| head.matches("<th scope").count())
        })
        .collect();
    // A layout column and four figures in each of two tables.
    assert_eq!(widths, vec![5, 5], "{section}");
}

/// The witness question in `compare`: each layout's failover cluster has its hours without quorum
/// and quorum losses per year under a "cluster" heading, the same figures as the layout's own
/// summary, with the difference to the first layout.
#[test]
fn compare_shows_each_clusters_quorum_figures() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("cmp");
    let stdout = nines()
        .args([
            "compare",
            "scenarios/vmm/vmm-quorum-2.toml",
            "scenarios/vmm/vmm-quorum-2-fsw.toml",
            "-n",
            "200",
            "--out",
        ])
        .arg(&out)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let stdout = String::from_utf8(stdout).unwrap();
    assert!(stdout.contains("\ncluster vmm_cluster"), "{stdout}");
    let csv = fs::read_to_string(out.join("comparison.csv")).unwrap();
    for (layout, diff) in [("vmm-quorum-2", false), ("vmm-quorum-2-fsw", true)] {
        let summary =
            fs::read_to_string(out.join("layouts").join(layout).join("summary.csv")).unwrap();
        for (compared, own) in [
            ("hours_without_quorum_per_year", "without_quorum_per_year"),
            ("quorum_losses_per_year", "quorum_losses_per_year"),
        ] {
            let row: Vec<&str> = csv
                .lines()
                .find(|l| l.starts_with(&format!("{layout},vmm_cluster,{compared},")))
                .unwrap_or_else(|| panic!("no {compared} of {layout} in {csv}"))
                .split(',')
                .collect();
            let mine: Vec<&str> = summary
                .lines()
                .find(|l| l.starts_with(&format!("cluster,vmm_cluster,{own},")))
                .unwrap()
                .split(',')
                .collect();
            // value and interval equal to the layout's own summary
            assert_eq!(&row[4..7], &mine[4..7], "{layout} {compared}");
            assert_eq!(!row[8].is_empty(), diff, "{layout} {compared}: {row:?}");
        }
    }
    // Two nodes and no witness lose quorum more often than with a file share witness.
    let value = |layout: &str| -> f64 {
        csv.lines()
            .find(|l| l.starts_with(&format!("{layout},vmm_cluster,quorum_losses_per_year,")))
            .unwrap()
            .split(',')
            .nth(4)
            .unwrap()
            .parse()
            .unwrap()
    };
    assert!(value("vmm-quorum-2") > value("vmm-quorum-2-fsw"));
}
