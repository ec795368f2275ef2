//! The HTML report: written by `run` and `merge`, self-contained (no script, stylesheet, font or image
//! to fetch), every chart inline, the tables and the assumptions, well-formed, text from scenario files
//! escaped, the same bytes for the same inputs (but the timing line) whatever the threads, and for a
//! merged sharded run as for the single run.

use std::fs;
use std::path::Path;

use assert_cmd::Command;

fn nines() -> Command {
    Command::cargo_bin("nines").expect("binary")
}

const EXAMPLE: &str = "scenarios/web-farm.toml";

const SCENARIOS: [&str; 3] = [
    "scenarios/web-farm.toml",
    "scenarios/mechanisms.toml",
    "scenarios/appv-mirroring.toml",
];

fn run(scenario: &str, out: &Path, extra: &[&str]) -> String {
    nines()
        .args(["run", scenario, "-n", "200", "--quiet", "--out"])
        .arg(out)
        .args(extra)
        .assert()
        .success();
    read_report(out)
}

fn read_report(dir: &Path) -> String {
    fs::read_to_string(dir.join("report.html"))
        .unwrap_or_else(|e| panic!("{}/report.html: {e}", dir.display()))
}

/// Elements that have no end tag in HTML.
const VOID: [&str; 4] = ["meta", "br", "hr", "img"];

/// Checks that every element the report opens is closed, in order (HTML and the inline SVG alike), and
/// that no `<` or `>` stands alone in text (all text is escaped). Returns the element names seen.
fn check_well_formed(html: &str) -> Vec<String> {
    let mut stack: Vec<String> = Vec::new();
    let mut seen = Vec::new();
    let mut rest = html
        .strip_prefix("<!DOCTYPE html>\n")
        .expect("starts with the doctype");
    while let Some(at) = rest.find(['<', '>']) {
        let text = &rest[..at];
        assert!(!text.contains('>'), "stray '>' in text {text:?}");
        rest = &rest[at..];
        assert!(
            rest.starts_with('<'),
            "stray '>' near {:?}",
            &rest[..40.min(rest.len())]
        );
        let end = rest.find('>').expect("tag closed");
        let tag = &rest[1..end];
        rest = &rest[end + 1..];
        if let Some(name) = tag.strip_prefix('/') {
            let open = stack
                .pop()
                .unwrap_or_else(|| panic!("</{name}> closes nothing"));
            assert_eq!(open, name, "<{open}> closed by </{name}>");
            continue;
        }
        let name: String = tag
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '-')
            .collect();
        assert!(!name.is_empty(), "not a tag: <{tag}>");
        let quotes = tag.matches('"').count();
        assert_eq!(quotes % 2, 0, "unbalanced quotes in <{tag}>");
        seen.push(name.clone());
        if tag.ends_with('/') || VOID.contains(&name.as_str()) {
            continue;
        }
        if name == "style" {
            // CSS is not markup: skip to its end tag.
            let close = rest.find("</style>").expect("style closed");
            assert!(!rest[..close].contains('<'), "'<' in the stylesheet");
            rest = &rest[close + "</style>".len()..];
            continue;
        }
        stack.push(name);
    }
    assert!(stack.is_empty(), "never closed: {stack:?}");
    assert_eq!(rest.trim(), "", "text after </html>");
    seen
}

/// Checks that nothing in the page can fetch or run anything: no script, stylesheet link, image,
/// frame, object or CSS `url()`/`@import`; links only to fragments of the page; the only absolute
/// URLs are the SVG namespace.
fn check_self_contained(html: &str) {
    for banned in [
        "<script", "<link", "<img", "<iframe", "<object", "<embed", "url(", "@import",
    ] {
        assert!(!html.contains(banned), "the report contains {banned:?}");
    }
    for attr in ["src=\"", "href=\""] {
        for (at, _) in html.match_indices(attr) {
            let value = &html[at + attr.len()..];
            assert!(
                value.starts_with('#'),
                "{attr}{} is not a link inside the page",
                &value[..value.find('"').unwrap()]
            );
        }
    }
    let urls = html.matches("http://").count() + html.matches("https://").count();
    let namespaces = html.matches("xmlns=\"http://www.w3.org/2000/svg\"").count();
    assert_eq!(
        urls, namespaces,
        "absolute URLs other than the SVG namespace"
    );
    assert!(html.contains("Content-Security-Policy\" content=\"default-src 'none'"));
}

/// The report without its timing line (the one line that may differ between runs of the same inputs).
fn without_timing(html: &str) -> String {
    let timing: Vec<&str> = html
        .lines()
        .filter(|l| l.starts_with("<p class=\"timing\">"))
        .collect();
    assert_eq!(timing.len(), 1, "one timing line");
    html.lines()
        .filter(|l| !l.starts_with("<p class=\"timing\">"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The estimate and 95% interval in summary.csv of one measure.
fn csv_value(dir: &Path, scope: &str, name: &str, measure: &str) -> (f64, f64, f64) {
    let text = fs::read_to_string(dir.join("summary.csv")).unwrap();
    let prefix = format!("{scope},{name},{measure},");
    let line = text
        .lines()
        .find(|l| l.starts_with(&prefix))
        .unwrap_or_else(|| panic!("no {prefix} in summary.csv"));
    let field = |i: usize| line.split(',').nth(i).unwrap().parse().unwrap();
    (field(4), field(5), field(6))
}

#[test]
fn run_writes_a_self_contained_report_with_the_charts_tables_and_assumptions() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("web-farm");
    let html = run(EXAMPLE, &out, &[]);
    assert!(html.ends_with("</html>\n"));
    check_self_contained(&html);
    let tags = check_well_formed(&html);
    let count = |t: &str| tags.iter().filter(|n| *n == t).count();

    // Every chart file, inline, byte for byte; and no other SVG.
    let mut charts: Vec<_> = fs::read_dir(out.join("charts"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "svg"))
        .collect();
    charts.sort();
    assert_eq!(charts.len(), 4, "{charts:?}");
    for c in &charts {
        let svg = fs::read_to_string(c).unwrap();
        assert!(svg.len() > 5000, "{} is nearly empty", c.display());
        assert!(
            html.contains(svg.trim_end()),
            "{} is not inline in the report",
            c.display()
        );
    }
    assert_eq!(count("svg"), charts.len());
    assert_eq!(count("figure"), charts.len());
    for (i, title) in [
        "Downtime per year across replications",
        "Availability with 95% confidence intervals",
        "Where downtime comes from",
        "Timeline of replication",
    ]
    .iter()
    .enumerate()
    {
        let caption = format!("<figcaption>Figure {}. {title}", i + 1);
        assert!(html.contains(&caption), "no {caption:?}");
    }

    // The assumptions.
    for kv in [
        "<dt>Scenario</dt><dd>web-farm</dd>",
        "<dt>Scenario file</dt><dd>scenarios/web-farm.toml</dd>",
        "<dt>Mission</dt><dd>10y per replication",
        "<dt>Replications</dt><dd>200</dd>",
        "<dt>Seed</dt><dd>2026</dd>",
        "<dt>Events simulated</dt><dd>",
        &format!(
            "<dt>nines version</dt><dd>{}</dd>",
            env!("CARGO_PKG_VERSION")
        ),
    ] {
        assert!(html.contains(kv), "assumptions lack {kv:?}");
    }
    // The scenario, explained and as written.
    assert!(html.contains("role frontend: pool, available while 2 of 3 instances are up"));
    let lines = fs::read_to_string(EXAMPLE).unwrap().lines().count();
    assert!(html.contains(&format!(
        "<details>\n<summary>Scenario file scenarios/web-farm.toml ({lines} lines)"
    )));
    // The web farm gives costs: an input, among the assumptions.
    assert!(html.contains("<dt>Yearly cost</dt><dd>22 000 EUR ("));
    assert!(html.contains("[roles.frontend_nodes_any]"));

    // The tables: services, bad years, contributions, roles; each figure with its interval.
    assert!(count("table") >= 4, "{} tables", count("table"));
    for section in [
        "Assumptions",
        "Scenario",
        "Services",
        "Roles",
        "Charts",
        "How to read this report",
    ] {
        assert!(
            html.contains(&format!("<h2>{section}</h2>")),
            "no section {section}"
        );
    }
    for header in [
        "availability",
        "nines",
        "downtime per year",
        "outages per year",
        "mean outage",
        "years below target",
        "P99 year",
        "down while the service is down",
        "redundancy",
    ] {
        assert!(
            html.contains(&format!(">{header}</th>")),
            "no column {header:?}"
        );
    }
    for name in [
        "web_app",
        "static_pages",
        "database",
        "load_balancer",
        "frontend",
        "sql",
    ] {
        assert!(html.contains(&format!("<td>{name}")), "no row {name}");
    }
    // The figures are summary.csv's: web_app's availability and downtime, with their intervals.
    let (a, low, high) = csv_value(&out, "service", "web_app", "availability");
    let p = |x: f64| nines::base::format::percent(x, 1.0 - a);
    let cell = format!(
        "<td class=\"num\">{}<span class=\"ci\">[{}, {}]</span></td>",
        p(a),
        p(low),
        p(high)
    );
    assert!(html.contains(&cell), "web_app's availability: {cell}");
    let (d, low, high) = csv_value(&out, "service", "web_app", "downtime_per_year");
    let h = nines::base::format::hours;
    let cell = format!(
        "<td class=\"num\">{}<span class=\"ci\">[{}, {}]</span></td>",
        h(d),
        h(low),
        h(high)
    );
    assert!(html.contains(&cell), "web_app's downtime per year: {cell}");
    assert!(html.contains("n = 200 replications"));
    assert!(html.contains("<p class=\"timing\">Run time: "));

    // The answer comes first: every service with its availability (as summary.csv has it) and its
    // verdict against the target, the biggest source, the cost, before the assumptions and the
    // scenario as understood.
    let headline = html.find("<h2>In short</h2>").expect("a headline section");
    let end = headline + html[headline..].find("</section>").unwrap();
    for later in [
        "<h2>Assumptions</h2>",
        "<h2>Scenario</h2>",
        "<h2>Services</h2>",
    ] {
        assert!(
            html.find(later).unwrap() > end,
            "{later} before the headline"
        );
    }
    let short = &html[headline..end];
    for name in ["web_app", "static_pages"] {
        let (a, _, _) = csv_value(&out, "service", name, "availability");
        let shown = format!(">{}<span", nines::base::format::percent(a, 1.0 - a));
        assert!(
            short.contains(&format!("<td>{name}</td>")),
            "{name} not in {short}"
        );
        assert!(
            short.contains(&shown),
            "{name}'s availability {shown} not in {short}"
        );
    }
    assert!(
        short.contains("met: the 95% interval is at or above 99.900%"),
        "{short}"
    );
    assert!(short.contains("biggest source of downtime"), "{short}");
    assert!(short.contains("Yearly cost: 22 000 EUR"), "{short}");
}

#[test]
fn text_from_the_scenario_is_escaped() {
    let tmp = tempfile::tempdir().unwrap();
    let text = fs::read_to_string(EXAMPLE).unwrap().replace(
        "description = \"users can load pages and submit orders\"",
        "description = \"<script>alert('x')</script> & <b>bold</b> \\\"q\\\"\"",
    );
    assert!(text.contains("<script>"));
    let file = tmp.path().join("farm & <co>.toml");
    fs::write(&file, &text).unwrap();
    let out = tmp.path().join("out");
    let html = run(file.to_str().unwrap(), &out, &["--no-charts"]);
    check_self_contained(&html);
    check_well_formed(&html);
    assert!(!html.contains("<b>"));
    let escaped = "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &lt;b&gt;bold&lt;/b&gt; &quot;q&quot;";
    // In the services table, and in the scenario file (as written, with its TOML escapes).
    assert!(
        html.contains(&format!(
            "<td>web_app<span class=\"ci\">{escaped}</span></td>"
        )),
        "the description, escaped, under the service's name"
    );
    assert!(html.contains("description = &quot;&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &lt;b&gt;bold&lt;/b&gt; \\&quot;q\\&quot;&quot;"));
    assert!(html.contains("<title>nines report: farm &amp; &lt;co&gt;</title>"));
    assert!(html.contains("farm &amp; &lt;co&gt;.toml"));
    // --no-charts: no chart, and the report says why.
    assert!(!html.contains("<svg"));
    assert!(html.contains("The charts were not drawn for this run (--no-charts)."));
}

#[test]
fn report_is_the_same_whatever_the_threads_and_can_be_skipped() {
    let tmp = tempfile::tempdir().unwrap();
    let one = run(EXAMPLE, &tmp.path().join("one"), &["-j", "1"]);
    let two = run(EXAMPLE, &tmp.path().join("two"), &["-j", "2"]);
    assert!(one.contains("on 1 thread;"));
    assert!(two.contains("on 2 threads;"));
    assert_eq!(
        without_timing(&one),
        without_timing(&two),
        "the report depends on the threads"
    );
    let none = tmp.path().join("none");
    nines()
        .args([
            "run",
            EXAMPLE,
            "-n",
            "200",
            "--quiet",
            "--no-report",
            "--out",
        ])
        .arg(&none)
        .assert()
        .success();
    assert!(none.join("summary.csv").exists());
    assert!(!none.join("report.html").exists());
}

#[test]
fn merged_shards_give_the_report_of_the_single_run() {
    let tmp = tempfile::tempdir().unwrap();
    let single = run(EXAMPLE, &tmp.path().join("single"), &["--no-replications"]);
    let parts = tmp.path().join("parts");
    for shard in ["1/2", "2/2"] {
        nines()
            .args(["run", EXAMPLE, "-n", "200", "--quiet", "--no-replications"])
            .args(["--shard", shard, "--out"])
            .arg(&parts)
            .assert()
            .success();
    }
    assert!(
        !parts.join("report.html").exists(),
        "a shard writes no report"
    );
    let merged = tmp.path().join("merged");
    nines()
        .args(["merge", "--no-replications", "--out"])
        .arg(&merged)
        .arg(&parts)
        .assert()
        .success();
    let html = read_report(&merged);
    assert!(html.contains("Run time: not recorded (merged from the parts of a sharded run)."));
    assert_eq!(without_timing(&html), without_timing(&single));
    nines()
        .args(["merge", "--no-replications", "--no-report", "--out"])
        .arg(tmp.path().join("merged-quiet"))
        .arg(&parts)
        .assert()
        .success();
    assert!(!tmp.path().join("merged-quiet/report.html").exists());
}

#[test]
fn every_bundled_scenario_has_every_chart_in_its_report() {
    let tmp = tempfile::tempdir().unwrap();
    for scenario in SCENARIOS {
        let out = tmp.path().join(Path::new(scenario).file_stem().unwrap());
        let html = run(scenario, &out, &["--no-replications"]);
        check_self_contained(&html);
        let tags = check_well_formed(&html);
        let mut svgs = 0;
        for e in fs::read_dir(out.join("charts")).unwrap() {
            let path = e.unwrap().path();
            if path.extension().is_some_and(|x| x == "svg") {
                svgs += 1;
                let svg = fs::read_to_string(&path).unwrap();
                assert!(
                    html.contains(svg.trim_end()),
                    "{scenario}: {} not inline",
                    path.display()
                );
            }
        }
        assert!(svgs >= 4, "{scenario}: {svgs} charts");
        assert_eq!(
            tags.iter().filter(|t| *t == "svg").count(),
            svgs,
            "{scenario}"
        );
        let model = nines::scenario::compile(&fs::read_to_string(scenario).unwrap(), scenario)
            .unwrap_or_else(|e| panic!("{e}"));
        if !model.requests.is_empty() {
            assert!(
                html.contains("<h2>Clients</h2>"),
                "{scenario}: no clients section"
            );
            assert!(html.contains(">success ratio</th>"));
            assert!(html.contains(&format!("<td>{}", model.requests[0].name)));
        }
        if !model.crews.is_empty() {
            assert!(
                html.contains("<h2>Repair crews</h2>"),
                "{scenario}: no crews section"
            );
            assert!(html.contains(&format!("<td>{}</td>", model.crews[0].name)));
        }
    }
}

#[test]
#[should_panic(expected = "closed by")]
fn the_checker_rejects_misnested_tags() {
    check_well_formed("<!DOCTYPE html>\n<html><p><b>x</p></b></html>");
}

#[test]
#[should_panic(expected = "not a tag")]
fn the_checker_rejects_unescaped_text() {
    check_well_formed("<!DOCTYPE html>\n<html><p>a < b</p></html>");
}

#[test]
#[should_panic(expected = "never closed")]
fn the_checker_rejects_unclosed_tags() {
    check_well_formed("<!DOCTYPE html>\n<html><p>a</p>");
}

#[test]
#[should_panic(expected = "is not a link inside the page")]
fn the_checker_rejects_external_links() {
    check_self_contained("<a href=\"https://example.org/\">x</a>");
}

/// A sweep whose points all clearly miss the target says so, without telling the planner that
/// uncertain points need more replications when none is uncertain (issue 23).
#[test]
fn a_sweep_with_no_uncertain_point_does_not_ask_for_more_replications() {
    let tmp = tempfile::tempdir().unwrap();
    let text = fs::read_to_string(EXAMPLE)
        .unwrap()
        .replace("target = 0.999\n", "target = 0.99999\n");
    assert!(text.contains("target = 0.99999\n"));
    let file = tmp.path().join("strict.toml");
    fs::write(&file, text).unwrap();
    let out = tmp.path().join("sweep");
    assert_cmd::Command::cargo_bin("nines")
        .unwrap()
        .arg("sweep")
        .arg(&file)
        .args(["--set", "nodes.web.count=2..3", "-n", "200", "--quiet"])
        .args(["--no-charts", "--out"])
        .arg(&out)
        .assert()
        .success();
    let html = fs::read_to_string(out.join("report.html")).unwrap();
    assert!(
        html.contains("No point is shown to meet the target 99.999000%."),
        "no answer in the report"
    );
    assert!(!html.contains("uncertain</td>"), "a point is uncertain");
    assert!(!html.contains("need more replications"));
}

/// A kind whose rate changes by phase has the terminal table's "requests by phase" in the report
/// too: one row per phase, its figures those of `summary.csv`.
#[test]
fn requests_by_phase_are_in_the_report() {
    use nines::base::format::sig3;
    let tmp = tempfile::tempdir().unwrap();
    let scenario = tmp.path().join("phase-rates.toml");
    fs::write(&scenario, crate::phase_rates::SCENARIO).unwrap();
    let out = tmp.path().join("out");
    let html = run(scenario.to_str().unwrap(), &out, &[]);
    check_well_formed(&html);
    assert!(html.contains("<h3>Requests by phase</h3>"));
    for (phase, factor) in [("business", "×3.00"), ("other", "×1.00")] {
        let name = format!("staff.page.{phase}");
        let (failed, lo, hi) = csv_value(&out, "phase_requests", &name, "failed_requests_per_year");
        let (per_year, _, _) = csv_value(&out, "phase_requests", &name, "requests_per_year");
        let row = format!(
            "<tr><td>staff.page</td><td>{phase}</td><td class=\"num\">{factor}</td><td class=\"num\">{}<span class=\"ci\">exact</span></td><td class=\"num\">{}<span class=\"ci\">[{}, {}]</span></td>",
            sig3(per_year),
            sig3(failed),
            sig3(lo),
            sig3(hi)
        );
        assert!(html.contains(&row), "no row {row}");
    }
}
