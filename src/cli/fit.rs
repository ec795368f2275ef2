//! `nines fit`: fits failure and repair laws to an incident history (a CSV of outages), writes
//! `fits.csv` and a Weibull plot per fit, and prints the scenario lines to paste. Everything is made in
//! memory first: a bad row or a chart that cannot be drawn writes nothing.

use std::path::{Path, PathBuf};

use anyhow::{Result, anyhow, bail};
use clap::ValueEnum;

use nines::analyses::fit::{self, By, incidents};

use crate::args::{Format, worker_threads};
use crate::files::{path_safe, read_limited};
use crate::outdir::OutDir;
use crate::outputs::chart_files;

/// Largest incident file read.
const MAX_INCIDENT_BYTES: u64 = 64 << 20;

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq)]
pub(crate) enum ByArg {
    /// Each component on its own.
    Component,
    /// Each group pooled (a component without a group on its own).
    Group,
    /// Every component pooled.
    All,
}

#[derive(clap::Args, Debug)]
pub(crate) struct FitArgs {
    /// Incident history (CSV: component, group, start, end, window_start, window_end, note).
    incidents: PathBuf,
    /// Fit each component, each group, or all pooled (default: by group when the file has a group
    /// column with values, else by component).
    #[arg(long, value_enum)]
    by: Option<ByArg>,
    /// Output directory (default: output/fit-<file name>).
    #[arg(short, long)]
    out: Option<PathBuf>,
    /// Do not draw the charts.
    #[arg(long)]
    no_charts: bool,
    /// What to print on stdout.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
    /// Worker threads for drawing the charts (default: all cores).
    #[arg(short = 'j', long)]
    threads: Option<usize>,
}

/// `nines fit FILE`.
pub(crate) fn fit_cmd(args: FitArgs) -> Result<()> {
    let path = &args.incidents;
    let shown = path.display().to_string();
    if path.is_dir() {
        bail!("{shown} is a directory; expected an incident file (.csv)");
    }
    let bytes = read_limited(path, MAX_INCIDENT_BYTES)
        .map_err(|e| anyhow!("cannot read incidents {shown}: {e}"))?;
    let text = match String::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            let at = e.utf8_error().valid_up_to();
            let line = e.as_bytes()[..at].iter().filter(|b| **b == b'\n').count() + 1;
            bail!("{shown}:{line}: the file is not valid UTF-8 (byte {at}); save it as UTF-8");
        }
    };
    let threads = worker_threads(args.threads)?;
    let inc = incidents::parse(&text, &shown).map_err(|e| anyhow!("{e}"))?;
    let by = match args.by {
        Some(ByArg::Component) => By::Component,
        Some(ByArg::Group) => By::Group,
        Some(ByArg::All) => By::All,
        None => fit::default_by(&inc),
    };
    let report = fit::fit_all(&inc, by, &shown);
    // Everything in memory before the first file is touched.
    let mut files = vec![("fits.csv".to_string(), nines::write::fit::csv(&report)?)];
    let drawn = if args.no_charts {
        Vec::new()
    } else {
        nines::write::charts::fit::charts(&report.subjects, &shown)?
    };
    files.extend(chart_files(&drawn, threads)?);
    let charted = nines::write::charts::fit::MAX_SUBJECTS;
    if !args.no_charts && report.subjects.len() > charted {
        eprintln!(
            "note: charts drawn for the {charted} of {} subjects with the most events; fits.csv has every fit",
            report.subjects.len()
        );
    }
    let stdout = match args.format {
        Format::Table => nines::write::fit::table(&report),
        Format::Json => format!("{}\n", serde_json::to_string_pretty(&report)?),
    };
    let stem = path
        .file_stem()
        .map_or("incidents".into(), |s| s.to_string_lossy().into_owned());
    let dir = args
        .out
        .clone()
        .unwrap_or_else(|| Path::new("output").join(path_safe(&format!("fit-{stem}"))));
    let mut out = OutDir::open(&dir)?;
    // Charts an earlier fit left in the directory that this one did not draw.
    let stale: Vec<String> = std::fs::read_dir(dir.join("charts"))
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| e.file_name().into_string().ok())
        .filter(|n| n.starts_with("fit-") && (n.ends_with(".svg") || n.ends_with(".png")))
        .map(|n| format!("charts/{n}"))
        .filter(|rel| !files.iter().any(|f| &f.0 == rel))
        .collect();
    for (rel, bytes) in &files {
        out.write(rel, bytes)?;
    }
    for rel in &stale {
        out.remove_stale(rel)?;
    }
    out.finish(
        "fit",
        serde_json::json!({
            "incidents": shown,
            "incidents_hash": format!("{:016x}", nines::estimate::shards::fnv1a(text.as_bytes())),
            "by": by.as_str(),
        }),
    )?;
    print!("{stdout}");
    if let Format::Table = args.format {
        println!("wrote {}", dir.display());
    }
    Ok(())
}
