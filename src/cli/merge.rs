//! `nines merge`: the parts of a sharded run (`run --shard I/N`) merged into the outputs of a single
//! run, byte for byte.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, anyhow, bail};

use nines::estimate::accumulate::RunAcc;
use nines::estimate::shards;
use nines::estimate::summary::RunInfo;
use nines::scenario;

use crate::args::Format;
use crate::files::{AtomicFile, create_dir};
use crate::outputs;

#[derive(clap::Args, Debug)]
pub(crate) struct MergeArgs {
    /// Part files (part-I-of-N.json), or directories holding them.
    #[arg(required = true)]
    parts: Vec<PathBuf>,
    /// Output directory (default: output/<scenario name>).
    #[arg(short, long)]
    out: Option<PathBuf>,
    /// What to print on stdout.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
    /// Do not write replications.csv.
    #[arg(long)]
    no_replications: bool,
    /// Do not draw the charts.
    #[arg(long)]
    no_charts: bool,
    /// Do not write report.html.
    #[arg(long)]
    no_report: bool,
}

/// Merges the parts of a sharded run and writes what the single run would have written.
pub(crate) fn merge(args: MergeArgs) -> Result<()> {
    let mut files = Vec::new();
    for p in &args.parts {
        if p.is_dir() {
            let mut found: Vec<PathBuf> = fs::read_dir(p)
                .with_context(|| format!("cannot read directory {}", p.display()))?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|f| {
                    f.file_name()
                        .and_then(|n| n.to_str())
                        .is_some_and(|n| n.starts_with("part-") && n.ends_with(".json"))
                })
                .collect();
            if found.is_empty() {
                bail!("{}", shards::PartError::None(p.display().to_string()));
            }
            found.sort();
            files.extend(found);
        } else {
            files.push(p.clone());
        }
    }
    let mut parts = Vec::with_capacity(files.len());
    for f in &files {
        let shown = f.display().to_string();
        let text = fs::read_to_string(f).map_err(|e| anyhow!("cannot read part {shown}: {e}"))?;
        parts.push((shown.clone(), shards::from_text(&text, &shown)?));
    }
    let parts = shards::check(parts, !args.no_replications)?;
    let (_, first) = &parts[0];
    let key = &first.key;
    let mut model = scenario::compile(&first.scenario_text, &key.file).map_err(|e| {
        anyhow!(
            "the scenario inside {} no longer compiles with this nines: {e}",
            parts[0].0
        )
    })?;
    model.simulation.seed = key.seed;
    model.simulation.replications = key.replications;
    model.simulation.mission = key.mission_hours;
    let rows_files: Vec<PathBuf> = parts
        .iter()
        .map(|(file, p)| {
            Path::new(file).with_file_name(shards::rows_file_name(p.shard, key.shards))
        })
        .collect();
    if !args.no_replications
        && let Some((rows, (file, _))) = rows_files.iter().zip(&parts).find(|(r, _)| !r.is_file())
    {
        bail!(
            "cannot find {} (the rows of {file}); merge with --no-replications to do without them",
            rows.display()
        );
    }
    let out_dir = args
        .out
        .clone()
        .unwrap_or_else(|| Path::new("output").join(&model.name));
    create_dir(&out_dir)?;
    let mut rows_out = None;
    if !args.no_replications {
        let mut out = AtomicFile::create(&out_dir.join("replications.csv"))?;
        let mut header = csv::Writer::from_writer(Vec::new());
        header.write_record(nines::write::csv::REPLICATIONS_HEADER)?;
        out.write_all(&header.into_inner().map_err(|e| anyhow!("{}", e.error()))?)?;
        for rows in &rows_files {
            let mut f =
                fs::File::open(rows).with_context(|| format!("cannot read {}", rows.display()))?;
            std::io::copy(&mut f, &mut out)
                .with_context(|| format!("copying {}", rows.display()))?;
        }
        rows_out = Some(out);
    }
    let mut acc = RunAcc::new(&model);
    for (_, p) in &parts {
        acc.merge(&p.acc);
    }
    let summary = acc.summarize(
        &model,
        RunInfo {
            wall_seconds: 0.0,
            threads: 1,
        },
    );
    if let Some(out) = rows_out {
        out.commit()?;
    }
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let charts = (!args.no_charts).then_some(threads);
    let report = (!args.no_report).then_some(nines::write::report::Source {
        file: &key.file,
        text: &first.scenario_text,
    });
    outputs::finish(&model, &summary, &out_dir, args.format, charts, report)
}
