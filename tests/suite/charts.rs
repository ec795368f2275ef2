//! Charts: every chart file is written for each bundled scenario, as valid SVG and non-trivial PNG; the
//! trace behind the timeline agrees with the engine and is deterministic; charts do not depend on the
//! number of threads.

use std::fs;
use std::path::Path;

use assert_cmd::Command;
use nines::engine::Engine;
use nines::engine::trace::{self, RowKind, State};
use nines::write::charts;

fn nines() -> Command {
    Command::cargo_bin("nines").expect("binary")
}

const SCENARIOS: [&str; 3] = [
    "scenarios/web-farm.toml",
    "scenarios/mechanisms.toml",
    "scenarios/appv-mirroring.toml",
];

fn run(scenario: &str, out: &Path, extra: &[&str]) {
    nines()
        .args(["run", scenario, "--replications", "200", "--quiet", "--out"])
        .arg(out)
        .args(extra)
        .assert()
        .success();
}

fn model(path: &str) -> nines::model::Model {
    let text = fs::read_to_string(path).unwrap();
    nines::scenario::compile(&text, path).unwrap_or_else(|e| panic!("{e}"))
}

/// Checks a PNG: signature, size and that it is not blank (several colours, some ink).
fn check_png(bytes: &[u8], what: &str) {
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n", "{what}: not a PNG");
    let decoder = png::Decoder::new(std::io::Cursor::new(bytes));
    let mut reader = decoder.read_info().expect("PNG header");
    let mut buf = vec![0; reader.output_buffer_size().expect("size")];
    let info = reader.next_frame(&mut buf).expect("PNG data");
    let (w, h) = (info.width, info.height);
    assert_eq!(w, 2000, "{what}: width");
    assert!((300..=8000).contains(&h), "{what}: height {h}");
    let channels = info.color_type.samples();
    let pixels: Vec<&[u8]> = buf[..info.buffer_size()].chunks_exact(channels).collect();
    let mut colours: Vec<[u8; 3]> = pixels.iter().map(|p| [p[0], p[1], p[2]]).collect();
    let ink = colours.iter().filter(|c| **c != [255, 255, 255]).count();
    assert!(
        ink * 100 > pixels.len(),
        "{what}: less than 1% of the pixels are not white ({ink} of {})",
        pixels.len()
    );
    colours.sort_unstable();
    colours.dedup();
    assert!(colours.len() > 20, "{what}: only {} colours", colours.len());
}

/// Checks an SVG: a well-formed document (parsed by the same SVG parser that renders the PNG) that
/// names the embedded font and contains `texts`.
fn check_svg(text: &str, texts: &[&str], what: &str) {
    assert!(text.starts_with("<svg"), "{what}: does not start with <svg");
    assert!(text.trim_end().ends_with("</svg>"), "{what}: not closed");
    resvg::usvg::Tree::from_str(text, &resvg::usvg::Options::default())
        .unwrap_or_else(|e| panic!("{what}: not valid SVG: {e}"));
    assert!(text.contains("DejaVu Sans"), "{what}: font not named");
    for t in texts {
        assert!(text.contains(t), "{what}: missing {t:?}");
    }
}

#[test]
fn every_chart_is_written_for_every_bundled_scenario() {
    let tmp = tempfile::tempdir().unwrap();
    for scenario in SCENARIOS {
        let m = model(scenario);
        let out = tmp.path().join(&m.name);
        run(scenario, &out, &[]);
        let dir = out.join("charts");
        let first_service = &m.services[0].name;
        let mut expected: Vec<(&str, Vec<&str>)> = vec![
            (
                "downtime-per-year",
                vec![
                    "Downtime per year across replications",
                    "share of replications",
                ],
            ),
            (
                "availability",
                vec![
                    "Availability with 95% confidence intervals",
                    "99.9%",
                    "nines",
                ],
            ),
            (
                "downtime-sources",
                vec![
                    "Where downtime comes from",
                    "downtime per year from each cause",
                ],
            ),
            (
                "timeline",
                vec!["Timeline of replication", "outage", "day "],
            ),
        ];
        if !m.requests.is_empty() {
            expected.push(("client-latency", vec!["Client latency", "P99.9", "P50"]));
        }
        for (name, texts) in &expected {
            let svg = fs::read_to_string(dir.join(format!("{name}.svg")))
                .unwrap_or_else(|e| panic!("{scenario}: {name}.svg: {e}"));
            let mut texts = texts.clone();
            texts.push(&m.name);
            if *name == "client-latency" {
                texts.push(&m.requests[0].name);
            } else {
                texts.push(first_service);
            }
            check_svg(&svg, &texts, &format!("{scenario} {name}.svg"));
            let png = fs::read(dir.join(format!("{name}.png"))).unwrap();
            check_png(&png, &format!("{scenario} {name}.png"));
        }
        let files: Vec<String> = fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        assert_eq!(
            files.len(),
            2 * expected.len(),
            "{scenario}: unexpected files {files:?}"
        );
        let latency = dir.join("client-latency.svg").exists();
        assert_eq!(
            latency,
            !m.requests.is_empty(),
            "{scenario}: a latency chart exactly when there are clients"
        );
    }
}

#[test]
fn charts_are_identical_whatever_the_threads_and_can_be_skipped() {
    let tmp = tempfile::tempdir().unwrap();
    let (a, b, none) = (
        tmp.path().join("a"),
        tmp.path().join("b"),
        tmp.path().join("none"),
    );
    run(SCENARIOS[1], &a, &["-j", "1"]);
    run(SCENARIOS[1], &b, &["-j", "2"]);
    for name in charts::NAMES {
        let file = format!("{name}.svg");
        assert_eq!(
            fs::read(a.join("charts").join(&file)).unwrap(),
            fs::read(b.join("charts").join(&file)).unwrap(),
            "{file} differs between 1 and 2 threads"
        );
    }
    run(SCENARIOS[0], &none, &["--no-charts"]);
    assert!(none.join("summary.csv").exists());
    assert!(!none.join("charts").exists(), "--no-charts wrote charts");
}

#[test]
fn a_stale_latency_chart_is_removed() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("x");
    run(SCENARIOS[2], &out, &[]);
    assert!(out.join("charts/client-latency.png").exists());
    run(SCENARIOS[0], &out, &[]);
    assert!(!out.join("charts/client-latency.png").exists());
    assert!(!out.join("charts/client-latency.svg").exists());
    assert!(out.join("charts/timeline.svg").exists());
}

#[test]
fn trace_is_deterministic_and_agrees_with_the_engine() {
    for scenario in SCENARIOS {
        let m = model(scenario);
        let sample = trace::sample(&m, 200);
        assert!(
            sample.has_outage,
            "{scenario}: no outage in 200 replications"
        );
        let a = trace::trace(&m, sample.replication);
        let b = trace::trace(&m, sample.replication);
        assert_eq!(a, b, "{scenario}: trace not deterministic");
        assert_ne!(a, trace::trace(&m, sample.replication + 1));
        // The same replication untraced: every measured row's time down equals the monitor's.
        let mut e = Engine::new(&m);
        e.run(sample.replication);
        assert!(e.monitors()[0].outages > 0);
        for (row, mon) in a.rows.iter().zip(e.monitors()) {
            let down: f64 = row
                .intervals(a.mission)
                .filter(|iv| matches!(iv.2, State::Down | State::PlannedDown))
                .map(|(s, t, _)| t - s)
                .sum();
            assert!(
                (down - mon.downtime).abs() < 1e-6,
                "{scenario}: {} down {down} in the trace, {} in the engine",
                row.name,
                mon.downtime
            );
            let outages = row.intervals(a.mission).filter(|iv| iv.2.is_down()).count() as u32;
            assert!(outages <= mon.outages, "{}", row.name);
        }
        // Components: rows after the measured ones, one per component, starting up.
        let comps = &a.rows[m.measured().len()..];
        assert_eq!(comps.len(), m.components.len());
        for r in comps {
            assert!(matches!(r.kind, RowKind::Component(_)));
            assert_eq!(r.changes[0], (0.0, State::Up));
            assert!(
                r.changes
                    .windows(2)
                    .all(|w| w[0].0 < w[1].0 && w[0].1 != w[1].1)
            );
        }
        // The window holds the longest outage of the main service and is a few days wide.
        let w = a.window(0);
        let (s, t) = w.outage.expect("an outage");
        assert!(w.start <= s && t <= w.end, "{scenario}: {w:?}");
        assert!(w.end - w.start >= trace::MIN_WINDOW - 1e-9);
        let longest = a.rows[0]
            .intervals(a.mission)
            .filter(|iv| iv.2.is_down())
            .map(|(s, t, _)| t - s)
            .fold(0.0, f64::max);
        assert!((t - s - longest).abs() < 1e-9);
    }
}

#[test]
fn maintenance_and_crews_appear_in_the_trace() {
    // mechanisms.toml has monthly rolling patch nights and a one-technician crew.
    let m = model(SCENARIOS[1]);
    let t = trace::trace(&m, 0);
    let states: Vec<State> = t
        .rows
        .iter()
        .flat_map(|r| r.changes.iter().map(|c| c.1))
        .collect();
    for s in [State::Maintenance, State::Repair, State::PlannedDown] {
        assert!(states.contains(&s), "{s:?} never seen in ten years");
    }
    let moves: usize = t.rows.iter().map(|r| r.moves.len()).sum();
    assert!(moves > 0, "a cluster that never failed over in ten years");
}

#[test]
fn no_clients_no_latency_chart_and_long_names_are_cut() {
    let long = "a_component_with_a_really_remarkably_long_name_that_goes_on_and_on_forever";
    let text = format!(
        r#"[simulation]
mission = "2y"
replications = 64
seed = 3
[nodes.{long}]
failure = {{ dist = "exponential", mean = "60d" }}
repair = {{ dist = "fixed", value = "12h" }}
[nodes.b]
failure = {{ dist = "exponential", mean = "90d" }}
repair = {{ dist = "fixed", value = "6h" }}
[roles.r]
kind = "pool"
on = ["{long}", "b"]
[services.s]
all_of = ["r"]
target = 0.9999
"#
    );
    let m = nines::scenario::compile(&text, "long.toml").unwrap_or_else(|e| panic!("{e}"));
    let out = nines::estimate::runner::run(
        &m,
        nines::estimate::runner::RunOptions {
            threads: 1,
            rows: None,
            progress: None,
            range: None,
        },
    )
    .unwrap();
    let sample = trace::sample(&m, 64);
    let t = trace::trace(&m, sample.replication);
    let all = charts::render(&out.summary, Some(&t)).unwrap();
    let names: Vec<&str> = all.iter().map(|c| c.name.as_ref()).collect();
    assert_eq!(
        names,
        [
            "downtime-per-year",
            "availability",
            "downtime-sources",
            "timeline"
        ]
    );
    let timeline = &all[3].svg;
    assert!(
        timeline.contains('…'),
        "a long name is cut with an ellipsis"
    );
    assert!(!timeline.contains(long));
    // Without a trace there is no timeline.
    assert_eq!(charts::render(&out.summary, None).unwrap().len(), 3);
}

#[test]
fn text_is_drawn_with_the_embedded_font_only() {
    let db = charts::font::database();
    let families: Vec<String> = db
        .faces()
        .flat_map(|f| f.families.iter().map(|(n, _)| n.clone()))
        .collect();
    assert_eq!(families, ["DejaVu Sans"], "only the embedded font is used");
    // A text-only SVG renders ink: the glyphs come from the embedded font.
    let svg = r#"<svg xmlns="http://www.w3.org/2000/svg" width="200" height="40"><rect width="200" height="40" fill="white"/><text x="10" y="28" font-family="sans-serif" font-size="20">nines 99.9%</text></svg>"#;
    let png = charts::png(svg).unwrap();
    let decoder = png::Decoder::new(std::io::Cursor::new(png));
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut buf).unwrap();
    let dark = buf[..info.buffer_size()]
        .chunks_exact(info.color_type.samples())
        .filter(|p| p[0] < 128)
        .count();
    assert!(dark > 200, "text was not rendered ({dark} dark pixels)");
}

/// `nines fit` draws a Weibull plot per fitted subject and quantity, checked like the run's charts:
/// valid SVG naming the embedded font, with its title, laws and axis, and a non-blank PNG. A subject
/// with no event (the example's load balancers never failed) has no chart.
#[test]
fn fit_charts_are_written_and_valid() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("fit");
    nines()
        .args(["fit", "scenarios/incidents/example-incidents.csv", "--out"])
        .arg(&out)
        .assert()
        .success();
    let dir = out.join("charts");
    let mut names: Vec<String> = fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    let stems = [
        "fit-db-failure",
        "fit-db-repair",
        "fit-web-failure",
        "fit-web-repair",
    ];
    let want: Vec<String> = stems
        .iter()
        .flat_map(|s| [format!("{s}.png"), format!("{s}.svg")])
        .collect();
    assert_eq!(names, want);
    for stem in stems {
        let svg = fs::read_to_string(dir.join(format!("{stem}.svg"))).unwrap();
        let what = if stem.ends_with("failure") {
            "time to failure"
        } else {
            "time to repair"
        };
        check_svg(
            &svg,
            &[
                "Weibull plot",
                what,
                "weibull",
                "lognormal",
                "gamma",
                "exponential",
                "best · ",
                "63.2%",
                "Kaplan–Meier",
            ],
            stem,
        );
        check_png(&fs::read(dir.join(format!("{stem}.png"))).unwrap(), stem);
    }
    // --no-charts: the earlier fit's charts are removed, the CSV stays.
    nines()
        .args([
            "fit",
            "scenarios/incidents/example-incidents.csv",
            "--no-charts",
            "--out",
        ])
        .arg(&out)
        .assert()
        .success();
    assert_eq!(fs::read_dir(&dir).unwrap().count(), 0);
    assert!(out.join("fits.csv").is_file());
    nines().arg("verify").arg(&out).assert().success();
}
