//! What a run (or a merge of shards) leaves behind: summary.csv, the charts, report.html, and the
//! table or JSON on stdout.

use std::fs;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};

use anyhow::{Context, Result};

use nines::estimate::checkpoint;
use nines::estimate::summary::Summary;
use nines::model::Model;
use nines::write::charts;

use crate::args::Format;
use crate::files::write_atomic;

/// Writes the summary of a run (or of merged parts), its charts unless `charts` is `None` (else the
/// threads to draw them with) and its HTML report unless `report` is `None` (else the scenario file),
/// and prints it.
pub(crate) fn finish(
    model: &Model,
    summary: &Summary,
    out_dir: &Path,
    format: Format,
    charts: Option<usize>,
    report: Option<nines::write::report::Source>,
) -> Result<()> {
    finish_with(model, summary, out_dir, format, charts, report, None)
}

/// [`finish`], saying how the run ended when it was not a plain complete run (see
/// [`checkpoint::Status`]).
pub(crate) fn finish_with(
    model: &Model,
    summary: &Summary,
    out_dir: &Path,
    format: Format,
    charts: Option<usize>,
    report: Option<nines::write::report::Source>,
    status: Option<&checkpoint::Status>,
) -> Result<()> {
    let mut csv = nines::write::csv::summary_csv(summary)?;
    if let Some(s) = status {
        s.append_to_csv(&mut csv, &model.name)?;
    }
    write_atomic(&out_dir.join("summary.csv"), &csv)?;
    let drawn = match charts {
        Some(threads) => write_charts(model, summary, &out_dir.join("charts"), threads)?,
        None => Vec::new(),
    };
    if let Some(source) = report {
        let page = nines::write::report::run_report(model, summary, &drawn, &source);
        write_atomic(
            &out_dir.join("report.html"),
            nines::write::report::render(&page).as_bytes(),
        )?;
    }
    let status = status.filter(|s| !s.csv_rows(&model.name).is_empty());
    match format {
        Format::Table => {
            print!("{}", nines::write::table::table(summary, model));
            if let Some(s) = status {
                print!("{}", s.describe());
            }
            println!("wrote {}", out_dir.display());
        }
        Format::Json => match status {
            None => println!("{}", nines::write::json::json(summary)),
            Some(s) => {
                let mut v: serde_json::Value =
                    serde_json::from_str(&nines::write::json::json(summary))?;
                if let Some(map) = v.as_object_mut() {
                    map.insert("run".into(), s.json());
                }
                println!("{}", serde_json::to_string_pretty(&v)?);
            }
        },
    }
    Ok(())
}

/// Replications searched for one in which the main service has an outage, for the timeline.
const SAMPLE_SEARCH: u64 = 1000;

/// Draws every chart as SVG and PNG into `dir` (rasterising on up to `threads` threads), and removes
/// charts of an earlier run that this run does not draw (the client latency chart of a scenario that no
/// longer has clients). The timeline shows the first replication in which the main service has an
/// outage. Returns the charts drawn.
fn write_charts(
    model: &Model,
    summary: &Summary,
    dir: &Path,
    threads: usize,
) -> Result<Vec<charts::Chart>> {
    let sample = nines::engine::trace::sample(model, SAMPLE_SEARCH);
    let trace = nines::engine::trace::trace(model, sample.replication);
    let charts = charts::render(summary, Some(&trace))?;
    write_chart_files(dir, &charts, threads, &charts::NAMES)?;
    Ok(charts)
}

/// Writes charts as SVG and PNG into `dir` (rasterising on up to `threads` threads), and removes the
/// files of charts named in `known` that are not among them (left by an earlier run).
pub(crate) fn write_chart_files(
    dir: &Path,
    charts: &[charts::Chart],
    threads: usize,
    known: &[&str],
) -> Result<()> {
    fs::create_dir_all(dir)
        .with_context(|| format!("cannot create chart directory {}", dir.display()))?;
    // Rasterising dominates: workers take the next chart until none is left.
    let next = AtomicUsize::new(0);
    let mut pngs: Vec<(usize, Result<Vec<u8>, charts::ChartError>)> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads.clamp(1, charts.len().max(1)))
            .map(|_| {
                scope.spawn(|| {
                    let mut done = Vec::new();
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some(chart) = charts.get(i) else {
                            break done;
                        };
                        done.push((i, charts::png(&chart.svg)));
                    }
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|w| w.join().expect("a chart worker panicked"))
            .collect()
    });
    pngs.sort_by_key(|p| p.0);
    for (chart, (_, png)) in charts.iter().zip(pngs) {
        write_atomic(
            &dir.join(format!("{}.svg", chart.name)),
            chart.svg.as_bytes(),
        )?;
        write_atomic(&dir.join(format!("{}.png", chart.name)), &png?)?;
    }
    for name in known {
        if !charts.iter().any(|c| c.name == *name) {
            for ext in ["svg", "png"] {
                let stale = dir.join(format!("{name}.{ext}"));
                if stale.exists() {
                    fs::remove_file(&stale)
                        .with_context(|| format!("cannot remove {}", stale.display()))?;
                }
            }
        }
    }
    Ok(())
}
