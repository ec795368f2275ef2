//! `nines fit`: laws fitted from incident histories recover the laws the data were drawn from, their
//! intervals cover at the stated rate, the exponential is its closed form, bad rows are located
//! errors that write nothing, garbage never panics, and the printed lines compile as scenario laws.

use std::fs;

use assert_cmd::Command;
use nines::analyses::fit::incidents;
use nines::analyses::fit::laws::{Law, Params};
use nines::analyses::fit::mle::{self, Obs};
use nines::base::dist::Dist;
use proptest::prelude::*;
use rand::SeedableRng;

fn nines() -> Command {
    Command::cargo_bin("nines").expect("binary")
}

const EXAMPLE: &str = "scenarios/incidents/example-incidents.csv";

/// `n` durations drawn from `law` (mean 100 h), right-censored at a uniform time on (0, 300 h) when
/// `censor` (about a third censored).
fn draw(law: &Params, n: usize, censor: bool, seed: u64) -> Vec<Obs> {
    let d = law.to_dist().unwrap();
    let mut rng = nines::base::rng::Stream::seed_from_u64(seed);
    (0..n)
        .map(|_| {
            let t = d.sample(&mut rng);
            let c = if censor {
                300.0 * (1.0 - nines::base::dist::unit_f64(&mut rng))
            } else {
                f64::INFINITY
            };
            if t <= c {
                Obs { t, event: true }
            } else {
                Obs { t: c, event: false }
            }
        })
        .collect()
}

/// Coverage of the 95% intervals of the mean and of the shape over 400 data sets of 60 durations,
/// for each law, with and without censoring. Each coverage is a binomial share of 400 trials: its
/// standard error at the nominal 95% is sqrt(0.95 · 0.05 / 400) = 1.09 points, and a share within 4
/// of them (90.6% to 99.4%) is accepted, so the check fails by chance about once in 16 000 shares.
/// The intervals are asymptotic (Wald on the log scale); at 60 durations their own error is a
/// point or two (measured: 93.0% to 96.5% here), well inside the tolerance.
#[test]
fn intervals_cover_the_true_parameters_at_the_stated_rate() {
    let seeds = 400u64;
    let se = (0.95f64 * 0.05 / seeds as f64).sqrt();
    let laws = [
        (Law::Exponential, 1.0),
        (Law::Weibull, 1.6),
        (Law::Lognormal, 0.8),
        (Law::Gamma, 2.5),
    ];
    let mut report = Vec::new();
    for (law, shape) in laws {
        for censor in [false, true] {
            let truth = Params {
                law,
                mean: 100.0,
                shape,
            };
            let (mut mean_in, mut shape_in) = (0u64, 0u64);
            for seed in 0..seeds {
                let obs = draw(&truth, 60, censor, 1000 * seed + 7);
                let f = mle::fit(law, &obs).unwrap();
                if f.mean_ci.0 <= 100.0 && 100.0 <= f.mean_ci.1 {
                    mean_in += 1;
                }
                match f.shape_ci {
                    Some((lo, hi)) if lo <= shape && shape <= hi => shape_in += 1,
                    Some(_) => {}
                    None => shape_in += 1,
                }
            }
            let checks: &[(&str, u64)] = if law == Law::Exponential {
                &[("mean", mean_in)]
            } else {
                &[("mean", mean_in), ("shape", shape_in)]
            };
            for &(what, k) in checks {
                let cov = k as f64 / seeds as f64;
                report.push(format!("{law:?} censored={censor} {what}: {cov:.4}"));
                assert!(
                    (cov - 0.95).abs() <= 4.0 * se,
                    "{law:?} (censored: {censor}) {what}: coverage {cov} outside 0.95 ± {:.4}\n{}",
                    4.0 * se,
                    report.join("\n")
                );
            }
        }
    }
    // No wall-clock limit here: a loaded machine would fail it by chance (how fast fitting is
    // belongs in a benchmark, not a test).
    eprintln!("{}", report.join("\n"));
}

/// The best fit by AIC is the law drawn from, when the laws differ clearly (500 durations).
#[test]
fn the_law_drawn_from_wins_on_aic() {
    for (law, shape) in [
        (Law::Weibull, 3.0),
        (Law::Lognormal, 1.2),
        (Law::Exponential, 1.0),
    ] {
        let truth = Params {
            law,
            mean: 100.0,
            shape,
        };
        let obs = draw(&truth, 500, true, 99);
        let q = nines::analyses::fit::fit_quantity(nines::analyses::fit::Quantity::Failure, obs);
        let best = q.best().unwrap();
        // The exponential is nested in the Weibull and the gamma: a tie within 2 AIC counts.
        assert!(
            best.law == law
                || q.fits
                    .iter()
                    .any(|f| f.law == law && f.aic - best.aic < 2.0),
            "{law:?}: {:?}",
            q.fits.iter().map(|f| (f.law, f.aic)).collect::<Vec<_>>()
        );
    }
}

/// With censoring, the exponential MLE of the mean is total exposure / failures, exactly (integer
/// hours, so the sums are exact in binary).
#[test]
fn exponential_mle_is_exposure_over_failures() {
    let text = "component,start,end,window_start,window_end\n\
                a,100,110,0,1000\n\
                a,400,403,0,1000\n\
                a,900,,0,1000\n\
                b,,,0,1000\n\
                c,250,260,0,1000\n";
    let inc = incidents::parse(text, "t.csv").unwrap();
    let r = nines::analyses::fit::fit_all(&inc, nines::analyses::fit::By::All, "t.csv");
    let s = &r.subjects[0];
    // Failures: a at 100, 400, 900; c at 250. Exposure up: a 100 + 290 + 497, b 1000, c 250 + 740.
    let f = s
        .failure
        .fits
        .iter()
        .find(|f| f.law == Law::Exponential)
        .unwrap();
    assert_eq!(s.failure.events, 4);
    assert_eq!(s.failure.censored, 2);
    assert_eq!(
        f.mean,
        (100.0 + 290.0 + 497.0 + 1000.0 + 250.0 + 740.0) / 4.0
    );
    // Repairs: 10, 3 and 10 h, and one still going on after 100 h (censored).
    let r = s
        .repair
        .fits
        .iter()
        .find(|f| f.law == Law::Exponential)
        .unwrap();
    assert_eq!((s.repair.events, s.repair.censored), (3, 1));
    assert_eq!(r.mean, (10.0 + 3.0 + 10.0 + 100.0) / 3.0);
}

/// Each bad row is an error that names the file, the line, the column and what would be valid.
#[test]
fn bad_rows_are_located_errors() {
    let cases: [(&str, &str); 9] = [
        (
            "component,start,end\na,2024-01-02 10:00,2024-01-02 09:00\n",
            "t.csv:2:3: column `end`: `2024-01-02 09:00` is before the start",
        ),
        (
            "component,start,end\na,2024-01-32 10:00,2024-02-02 09:00\n",
            "t.csv:2:2: column `start`: `2024-01-32 10:00` is not a time (invalid date, expected day between 01 and 31)",
        ),
        (
            "component,start,end\na,yesterday,2024-02-02 09:00\n",
            "expected an RFC 3339 time such as",
        ),
        (
            "component,start,end\na,10,20\na,15,30\n",
            "t.csv:3:2: column `start`: overlaps the outage of a on line 2",
        ),
        (
            "component,start,end,owner\na,10,20,me\n",
            "t.csv:1:4: column `owner`: unknown column `owner`; valid columns: component, group, start, end, window_start, window_end, note",
        ),
        (
            "component,end\na,20\n",
            "t.csv:1: the header has no `start` column",
        ),
        (
            "component,start,end\na,10,20\nb,2024-01-01,2024-01-02\n",
            "t.csv:3:2: column `start`: `2024-01-01` is a calendar time, but line 2 has plain numbers of hours",
        ),
        (
            "component,start,end\na,10,\na,30,40\n",
            "t.csv:2:3: column `end`: empty (still going on), but component a has a later outage on line 3",
        ),
        (
            "component,start,end,window_start,window_end\na,10,20,0,15\n",
            "t.csv:2:3: column `end`: after the end of component a's window",
        ),
    ];
    for (text, want) in cases {
        let err = incidents::parse(text, "t.csv").unwrap_err().to_string();
        assert!(err.contains(want), "{text:?}:\n{err}\nwanted {want:?}");
    }
    // Through the command line: the error, and nothing written.
    let tmp = tempfile::tempdir().unwrap();
    let csv = tmp.path().join("bad.csv");
    fs::write(
        &csv,
        "component,start,end\nweb-1,2024-03-01 10:00,2024-03-01 09:00\n",
    )
    .unwrap();
    let out = tmp.path().join("out");
    let a = nines()
        .arg("fit")
        .arg(&csv)
        .arg("--out")
        .arg(&out)
        .assert()
        .failure();
    let stderr = String::from_utf8_lossy(&a.get_output().stderr).to_string();
    assert!(
        stderr.contains("bad.csv:2:3: column `end`") && stderr.contains("before the start"),
        "{stderr}"
    );
    assert!(!out.exists(), "an error wrote {}", out.display());
}

/// Fitting the example writes the fits CSV, a chart per fit and the manifest, and prints lines that
/// compile as the scenario's laws (pasted into a scenario, checked by `validate`).
#[test]
fn the_command_writes_charts_and_csv_and_prints_lines_that_compile() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("fit");
    let a = nines()
        .args(["fit", EXAMPLE, "--out"])
        .arg(&out)
        .assert()
        .success();
    let stdout = String::from_utf8_lossy(&a.get_output().stdout).to_string();
    for want in [
        "AIC",
        "KS",
        "weibull",
        "lognormal",
        "gamma",
        "exponential",
        "95% CI",
    ] {
        assert!(stdout.contains(want), "missing {want:?}:\n{stdout}");
    }
    let csv = fs::read_to_string(out.join("fits.csv")).unwrap();
    assert!(csv.starts_with("subject,by,quantity,rank,law,"), "{csv}");
    assert!(
        fs::read_to_string(out.join("manifest.json"))
            .unwrap()
            .contains("\"fit\"")
    );
    let charts: Vec<String> = fs::read_dir(out.join("charts"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    assert!(
        charts.iter().any(|c| c == "fit-web-failure.svg"),
        "{charts:?}"
    );
    assert!(
        charts.iter().any(|c| c == "fit-web-repair.png"),
        "{charts:?}"
    );
    // Every printed failure/repair line, pasted into a scenario, compiles to the fitted law.
    let lines: Vec<&str> = stdout
        .lines()
        .map(str::trim)
        .filter(|l| l.starts_with("failure = {") || l.starts_with("repair = {"))
        .collect();
    assert!(lines.len() >= 4, "{stdout}");
    let mut pairs = Vec::new();
    let mut failure = None;
    for l in &lines {
        if l.starts_with("failure") {
            failure = Some(*l);
        } else if let Some(f) = failure.take() {
            pairs.push((f, *l));
        }
    }
    assert!(!pairs.is_empty(), "{stdout}");
    for (i, (f, r)) in pairs.iter().enumerate() {
        let scenario = format!(
            "[simulation]\nmission = \"1y\"\nreplications = 10\n[nodes.a]\n{f}\n{r}\n[roles.r]\nkind = \"standalone\"\non = \"a\"\n[services.s]\nall_of = [\"r\"]\n"
        );
        let path = tmp.path().join(format!("pasted-{i}.toml"));
        fs::write(&path, &scenario).unwrap();
        nines().arg("validate").arg(&path).assert().success();
        let m = nines::scenario::compile(&scenario, "pasted.toml").unwrap();
        assert!(m.components[0].failure.mean() > 0.0);
    }
}

/// Random garbage lines never panic the reader: each is a located error or a valid file.
fn garbage_line() -> impl Strategy<Value = String> {
    let cell = prop_oneof![
        Just(String::new()),
        Just("2024-02-30 10:00".to_string()),
        Just("2024-03-01T10:00:00+25:00".to_string()),
        Just("9999-12-31T23:59:59.999999999Z".to_string()),
        Just("-1e308".to_string()),
        Just("1e300".to_string()),
        Just("NaN".to_string()),
        Just("\"a,b\"".to_string()),
        Just("\"unclosed".to_string()),
        Just("0000-01-01".to_string()),
        "[0-9]{1,6}(\\.[0-9]{1,3})?",
        "[ -~]{0,12}",
        "\\PC{0,8}",
    ];
    prop::collection::vec(cell, 0..8).prop_map(|cells| cells.join(","))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]
    #[test]
    fn garbage_never_panics(lines in prop::collection::vec(garbage_line(), 0..12), header in 0usize..3) {
        let head = ["component,group,start,end,window_start,window_end,note", "component,start,end", "start,component"][header];
        let text = format!("{head}\n{}\n", lines.join("\n"));
        match incidents::parse(&text, "g.csv") {
            Ok(inc) => {
                let r = nines::analyses::fit::fit_all(&inc, nines::analyses::fit::By::Component, "g.csv");
                // The charts draw whatever was fitted (SVG only: rasterising is the slow part).
                let charts = nines::write::charts::fit::charts(&r.subjects, "g.csv");
                prop_assert!(charts.is_ok(), "{:?}", charts.err());
                let _ = nines::write::fit::table(&r);
                prop_assert!(nines::write::fit::csv(&r).is_ok());
                for s in &r.subjects {
                    for q in [&s.failure, &s.repair] {
                        for f in &q.fits {
                            prop_assert!(f.mean > 0.0 && f.log_likelihood.is_finite() || f.log_likelihood.is_nan());
                            let _ = f.params().toml();
                        }
                    }
                }
            }
            Err(e) => {
                let msg = e.to_string();
                prop_assert!(msg.starts_with("g.csv:"), "{}", msg);
            }
        }
    }
}

/// A law printed for pasting is the law fitted, to the precision printed.
#[test]
fn printed_laws_are_the_fitted_laws() {
    for law in Law::ALL {
        let p = Params {
            law,
            mean: 1234.5,
            shape: 0.731,
        };
        let text = format!(
            "[simulation]\nmission = \"1y\"\n[nodes.a]\nfailure = {}\nrepair = {}\n[roles.r]\nkind = \"standalone\"\non = \"a\"\n[services.s]\nall_of = [\"r\"]\n",
            p.toml(),
            p.toml()
        );
        let m = nines::scenario::compile(&text, "x.toml").unwrap_or_else(|e| panic!("{e}"));
        let d: &Dist = &m.components[0].failure;
        assert!(
            (d.mean() / 1234.5 - 1.0).abs() < 1e-3,
            "{law:?}: {}",
            d.describe()
        );
        assert!((d.cdf(800.0) - p.cdf(800.0)).abs() < 2e-3, "{law:?}");
    }
}

/// Without `window_start` the time to the first outage is unknown and not counted; without
/// `window_end` the window ends at the file's latest time; an open outage is censored there.
#[test]
fn missing_windows_count_only_what_was_seen() {
    let text = "component,start,end\na,10,12\na,20,25\nb,30,\nb,5,8\n";
    let inc = incidents::parse(text, "t.csv").unwrap();
    let a = &inc.histories[0];
    assert_eq!(
        nines::analyses::fit::failure_times(a),
        [
            Obs {
                t: 8.0,
                event: true
            },
            // From the last repair (25) to the file's latest time (30).
            Obs {
                t: 5.0,
                event: false
            }
        ]
    );
    let b = &inc.histories[1];
    assert_eq!(
        nines::analyses::fit::failure_times(b),
        [Obs {
            t: 22.0,
            event: true
        }]
    );
    // b's outage at 30 is still going on at the file's last time: censored at zero, so left out.
    assert_eq!(
        nines::analyses::fit::repair_times(b),
        [Obs {
            t: 3.0,
            event: true
        }]
    );
}
