//! What a run (or a merge of shards) leaves behind: summary.csv, the charts, report.html, and the
//! table or JSON on stdout.

use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};

use anyhow::Result;

use nines::analyses::importance::Importance;
use nines::estimate::checkpoint;
use nines::estimate::summary::Summary;
use nines::model::Model;
use nines::write::charts;

use crate::args::Format;
use crate::outdir::OutDir;

/// Everything a run (or a merge of shards) writes, made in memory before the first file is touched, so
/// that an error (a chart that cannot be drawn) writes nothing.
pub(crate) struct Prepared {
    /// Files relative to the output directory, with their bytes.
    files: Vec<(String, Vec<u8>)>,
    /// Outputs an earlier run may have left that this one does not write.
    stale: Vec<String>,
    /// What to print once everything is written (without the final "wrote" line).
    stdout: String,
}

/// Prepares the summary of a run (or of merged parts), its charts unless `charts` is `None` (else the
/// threads to draw them with), its HTML report unless `report` is `None` (else the scenario file), and
/// what to print, saying how the run ended when it was not a plain complete run (see
/// [`checkpoint::Status`]).
pub(crate) fn prepare(
    model: &Model,
    summary: &Summary,
    format: Format,
    charts: Option<usize>,
    report: Option<nines::write::report::Source>,
    status: Option<&checkpoint::Status>,
    importance: Option<&Importance>,
) -> Result<Prepared> {
    let mut files = Vec::new();
    let mut stale = Vec::new();
    let mut csv = nines::write::csv::summary_csv(summary)?;
    if let Some(s) = status {
        s.append_to_csv(&mut csv, &model.name)?;
    }
    files.push(("summary.csv".to_string(), csv));
    let drawn = match charts {
        Some(threads) => {
            let drawn = draw_charts(model, summary)?;
            files.extend(chart_files(&drawn, threads)?);
            drawn
        }
        None => Vec::new(),
    };
    stale.extend(stale_charts(&drawn, &charts::NAMES));
    // One Pareto chart per service with `--importance`; those an earlier run left are removed.
    let importance_drawn = match (charts, importance) {
        (Some(threads), Some(x)) => {
            let drawn = charts::importance::charts(model, x, summary)?;
            files.extend(chart_files(&drawn, threads)?);
            drawn
        }
        _ => Vec::new(),
    };
    let known: Vec<String> = model
        .services
        .iter()
        .map(|s| charts::importance::name(&s.name))
        .collect();
    let known: Vec<&str> = known.iter().map(String::as_str).collect();
    stale.extend(stale_charts(&importance_drawn, &known));
    match report {
        Some(source) => {
            let mut page = nines::write::report::run_report(model, summary, &drawn, &source);
            if let Some(x) = importance {
                nines::write::report::add_importance(&mut page, model, x, &importance_drawn);
            }
            files.push((
                "report.html".to_string(),
                nines::write::report::render(&page).into_bytes(),
            ));
        }
        None => stale.push("report.html".to_string()),
    }
    let status = status.filter(|s| !s.csv_rows(&model.name).is_empty());
    let stdout = match format {
        Format::Table => {
            let mut out = nines::write::table::table(summary, model);
            if let Some(s) = status {
                out.push_str(&s.describe());
            }
            out
        }
        Format::Json => match status {
            None => format!("{}\n", nines::write::json::json(summary)),
            Some(s) => {
                let mut v: serde_json::Value =
                    serde_json::from_str(&nines::write::json::json(summary))?;
                if let Some(map) = v.as_object_mut() {
                    map.insert("run".into(), s.json());
                }
                format!("{}\n", serde_json::to_string_pretty(&v)?)
            }
        },
    };
    let mut prepared = Prepared {
        files,
        stale,
        stdout,
    };
    match importance {
        Some(x) => prepared.add_importance(model, x, format)?,
        None => prepared.stale.extend(IMPORTANCE_FILES.map(String::from)),
    }
    Ok(prepared)
}

/// The files of `run --importance`.
const IMPORTANCE_FILES: [&str; 2] = ["importance.csv", "importance.json"];

impl Prepared {
    /// Adds the importance measures: importance.csv and importance.json, and the ranked table (or a
    /// JSON key) on stdout.
    fn add_importance(&mut self, model: &Model, x: &Importance, format: Format) -> Result<()> {
        let json = nines::write::importance::json(model, x);
        self.files.push((
            "importance.csv".to_string(),
            nines::write::importance::csv(model, x)?,
        ));
        self.files.push((
            "importance.json".to_string(),
            format!("{}\n", serde_json::to_string_pretty(&json)?).into_bytes(),
        ));
        match format {
            Format::Table => self
                .stdout
                .push_str(&nines::write::importance::table(model, x)),
            Format::Json => {
                let mut v: serde_json::Value = serde_json::from_str(&self.stdout)?;
                if let Some(map) = v.as_object_mut() {
                    map.insert("importance".into(), json);
                }
                self.stdout = format!("{}\n", serde_json::to_string_pretty(&v)?);
            }
        }
        Ok(())
    }

    /// Writes the files into `out` and removes what an earlier run left that this one did not write.
    pub(crate) fn write(self, out: &mut OutDir) -> Result<Printed> {
        for (rel, bytes) in &self.files {
            out.write(rel, bytes)?;
        }
        for rel in &self.stale {
            out.remove_stale(rel)?;
        }
        Ok(Printed {
            stdout: self.stdout,
        })
    }
}

/// What to print once the manifest is written.
pub(crate) struct Printed {
    stdout: String,
}

impl Printed {
    /// Prints it; with a table, ends with where the outputs are.
    pub(crate) fn print(self, format: Format, dir: &Path) {
        print!("{}", self.stdout);
        if let Format::Table = format {
            println!("wrote {}", dir.display());
        }
    }
}

/// Replications searched for one in which the main service has an outage, for the timeline.
const SAMPLE_SEARCH: u64 = 1000;

/// Draws every chart of a run. The timeline shows the first replication in which the main service
/// has an outage.
fn draw_charts(model: &Model, summary: &Summary) -> Result<Vec<charts::Chart>> {
    let sample = nines::engine::trace::sample(model, SAMPLE_SEARCH);
    let trace = nines::engine::trace::trace(model, sample.replication);
    Ok(charts::render(summary, Some(&trace))?)
}

/// The chart files under `charts/` of the charts named in `known` that are not among `drawn` (left by
/// an earlier run: the client latency chart of a scenario that no longer has clients).
pub(crate) fn stale_charts(drawn: &[charts::Chart], known: &[&str]) -> Vec<String> {
    known
        .iter()
        .filter(|name| !drawn.iter().any(|c| c.name == **name))
        .flat_map(|name| ["svg", "png"].map(|ext| format!("charts/{name}.{ext}")))
        .collect()
}

/// The SVG and PNG files of `charts` (under `charts/`), rasterised on up to `threads` threads.
pub(crate) fn chart_files(
    charts: &[charts::Chart],
    threads: usize,
) -> Result<Vec<(String, Vec<u8>)>> {
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
    let mut files = Vec::with_capacity(2 * charts.len());
    for (chart, (_, png)) in charts.iter().zip(pngs) {
        files.push((
            format!("charts/{}.svg", chart.name),
            chart.svg.clone().into_bytes(),
        ));
        files.push((format!("charts/{}.png", chart.name), png?));
    }
    Ok(files)
}
