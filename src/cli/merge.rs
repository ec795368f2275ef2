//! `nines merge`: the parts of a sharded run (`run --shard I/N`) merged into the outputs of a single
//! run, byte for byte.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, anyhow, bail};

use nines::analyses::importance::{self, Importance, Partial};
use nines::estimate::accumulate::RunAcc;
use nines::estimate::shards;
use nines::estimate::summary::RunInfo;
use nines::scenario;

use crate::args::Format;
use crate::files::{AtomicFile, MAX_STATE_BYTES, digest_file, path_safe, read_text_limited};
use crate::outdir::{self, OutDir};
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
    /// Require the importance measures: an error unless the shards were run with --importance (whose
    /// parts are merged into importance.csv, importance.json and the charts in any case).
    #[arg(long)]
    importance: bool,
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
        let text = read_text_limited(f, MAX_STATE_BYTES)?;
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
    for (file, p) in &parts {
        p.acc
            .check_shape(&model)
            .map_err(|why| shards::PartError::Corrupt {
                file: file.clone(),
                why: format!("its statistics are not those of its scenario: {why}"),
            })?;
    }
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
        .unwrap_or_else(|| Path::new("output").join(path_safe(&model.name)));
    if !args.no_replications {
        // Every rows file is checked before anything is written: a merge that fails writes nothing.
        for (rows, (file, part)) in rows_files.iter().zip(&parts) {
            let found = digest_file(rows, |_| Ok(()))
                .with_context(|| format!("cannot read {}", rows.display()))?;
            if Some(found) != part.rows_digest {
                bail!(
                    "{} ({found}) is not the rows {file} wrote ({}): it was truncated, changed or swapped; rerun that shard",
                    rows.display(),
                    part.rows_digest
                        .map_or_else(|| "none".to_string(), |d| d.to_string())
                );
            }
        }
    }
    let mut out = OutDir::open(&out_dir)?;
    let mut rows_out = None;
    if !args.no_replications {
        let mut rows_file = AtomicFile::create(&out_dir.join("replications.csv"))?;
        let mut header = csv::Writer::from_writer(Vec::new());
        header.write_record(nines::write::csv::REPLICATIONS_HEADER)?;
        rows_file.write_all(&header.into_inner().map_err(|e| anyhow!("{}", e.error()))?)?;
        for (rows, (_, part)) in rows_files.iter().zip(&parts) {
            let copied = digest_file(rows, |b| rows_file.write_all(b))
                .with_context(|| format!("cannot copy {}", rows.display()))?;
            if Some(copied) != part.rows_digest {
                bail!(
                    "{} changed while it was merged; merge again",
                    rows.display()
                );
            }
        }
        rows_out = Some(rows_file);
    }
    let importance = merged_importance(&model, &parts, args.importance)?;
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
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let charts = (!args.no_charts).then_some(threads);
    let report = (!args.no_report).then_some(nines::write::report::Source {
        file: &key.file,
        text: &first.scenario_text,
    });
    let prepared = outputs::prepare(
        &model,
        &summary,
        args.format,
        charts,
        report,
        None,
        importance.as_ref(),
    )?;
    match rows_out {
        Some(f) => out.commit(f)?,
        None => out.remove_stale("replications.csv")?,
    }
    let printed = prepared.write(&mut out)?;
    let status = nines::estimate::checkpoint::Status {
        stop: nines::estimate::runner::Stop::Exhausted,
        done: key.replications,
        asked: key.replications,
        precision: None,
    };
    out.finish("merge", outdir::run_identity(key, &status))?;
    printed.print(args.format, &out_dir);
    Ok(())
}

/// The importance measures of the whole run from the parts' sums (those of `run --importance
/// --shard`), bit for bit those of the unsharded run; none when no part has them; an error when only
/// some have them, or when `asked` and none has.
fn merged_importance(
    model: &nines::model::Model,
    parts: &[(String, shards::Part)],
    asked: bool,
) -> Result<Option<Importance>> {
    let with: Vec<&(String, shards::Part)> = parts
        .iter()
        .filter(|(_, p)| p.importance.is_some())
        .collect();
    if with.is_empty() {
        if asked {
            bail!(
                "--importance: the parts carry no importance sums (the shards were run without --importance); rerun them with `nines run --importance --shard I/N`"
            );
        }
        return Ok(None);
    }
    if let Some((file, _)) = parts.iter().find(|(_, p)| p.importance.is_none()) {
        bail!(
            "{file} was run without --importance and {} with it: rerun every shard with `nines run --importance --shard I/N`, or none",
            with[0].0
        );
    }
    let mut sums = Vec::with_capacity(with.len());
    for (file, p) in &with {
        let corrupt = |why: String| shards::PartError::Corrupt {
            file: file.clone(),
            why,
        };
        let x: Partial = serde_json::from_value(p.importance.clone().unwrap_or_default())
            .map_err(|e| corrupt(format!("its importance sums cannot be read: {e}")))?;
        if (x.first, x.end) != (p.first, p.end) {
            bail!(corrupt(format!(
                "its importance sums cover replications {}..{}, its statistics {}..{}",
                x.first, x.end, p.first, p.end
            )));
        }
        sums.push(x);
    }
    let refs: Vec<&Partial> = sums.iter().collect();
    let replications = parts[0].1.key.replications;
    importance::from_partials(model, &refs, replications)
        .map(Some)
        .map_err(|why| anyhow!("merging the importance sums: {why}"))
}
