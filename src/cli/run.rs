//! `nines run`: simulate a scenario, with long-run controls (precision target, time limit, Ctrl-C,
//! resume from a checkpoint) and shards for `nines merge`.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, anyhow, bail};

use nines::base::units::parse_duration;
use nines::estimate::accumulate::RunAcc;
use nines::estimate::runner::{self, RepRow, RunOptions};
use nines::estimate::{checkpoint, precision, shards};
use nines::model::Model;
use nines::scenario;

use crate::EarlyStop;
use crate::args::{Format, override_simulation};
use crate::files::{
    AtomicFile, MAX_STATE_BYTES, create_dir, path_safe, read_scenario, read_text_limited,
    write_atomic,
};
use crate::outdir::{self, OutDir};
use crate::outputs;
use crate::progress::{self, Interrupt};

#[derive(clap::Args, Debug)]
pub(crate) struct RunArgs {
    /// Scenario file (TOML).
    scenario: PathBuf,
    /// Override the number of replications.
    #[arg(short = 'n', long)]
    replications: Option<u64>,
    /// Override the seed.
    #[arg(long)]
    seed: Option<u64>,
    /// Override the mission length, e.g. "10y".
    #[arg(long)]
    mission: Option<String>,
    /// Worker threads (default: the scenario's `threads`, else all cores). Results do not depend on it.
    #[arg(short = 'j', long)]
    threads: Option<usize>,
    /// Output directory (default: output/<scenario name>).
    #[arg(short, long)]
    out: Option<PathBuf>,
    /// What to print on stdout.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
    /// Do not write replications.csv (one row per replication and service).
    #[arg(long)]
    no_replications: bool,
    /// No progress bar.
    #[arg(short, long)]
    quiet: bool,
    /// Run only block I of N of the replications (e.g. 3/16) and write its exact partial result to the
    /// output directory, for `nines merge` (a Slurm array task per shard).
    #[arg(long, value_name = "I/N")]
    shard: Option<String>,
    /// Do not draw the charts (SVG and PNG files under <output dir>/charts/).
    #[arg(long)]
    no_charts: bool,
    /// Do not write report.html (the self-contained HTML report: tables, charts, assumptions).
    #[arg(long)]
    no_report: bool,
    /// Also estimate each component's importance for each service (Birnbaum, criticality, RAW, RRW,
    /// downtime saved if it never failed) and the minimal cut sets, from a second pass over the same
    /// replications: a ranked table, importance.csv, importance.json, a Pareto chart per service
    /// (charts/importance-SERVICE.png) and a section of the report. With --shard, each part carries
    /// its sums and `nines merge` gives the unsharded figures.
    #[arg(long)]
    importance: bool,
    /// With --importance: the largest minimal cut sets listed (1 to 4).
    #[arg(long, value_name = "ORDER", default_value_t = nines::analyses::importance::DEFAULT_ORDER)]
    cut_order: usize,
    #[command(flatten)]
    long: LongRunArgs,
}

/// Options of long runs: precision targets, a time limit, resuming a stopped run.
#[derive(clap::Args, Debug, Default)]
struct LongRunArgs {
    /// Run batches until the 95% interval of the main service's unavailability is this narrow: a
    /// relative half-width (5%), a half-width of downtime per year (1min/yr) or of availability
    /// (0.0001). -n is then the most replications to run (default: no limit but --max-time).
    #[arg(long, value_name = "TARGET")]
    precision: Option<String>,
    /// Start no batch after this much time (e.g. 30min, 2h); the run then reports that it stopped on
    /// time and can be continued with --resume.
    #[arg(long, value_name = "DURATION")]
    max_time: Option<String>,
    /// Continue the run stopped (Ctrl-C or --max-time) in the output directory from its checkpoint;
    /// give the same scenario and options. Ends with the same results as an uninterrupted run.
    #[arg(long)]
    resume: bool,
}

pub(crate) fn run(args: RunArgs) -> Result<()> {
    let (text, shown) = read_scenario(&args.scenario)?;
    let mut model = scenario::compile(&text, &shown).map_err(|e| anyhow!("{e}"))?;
    let shard = args.shard.as_deref().map(parse_shard).transpose()?;
    let threads = override_simulation(
        &mut model.simulation,
        args.replications,
        args.seed,
        args.mission.as_deref(),
        args.threads,
    )?;
    let sim = &mut model.simulation;
    sim.threads = Some(threads);
    let long = LongRun::from_args(&args.long, shard.is_some())?;
    if !(1..=4).contains(&args.cut_order) {
        bail!(
            "--cut-order {}: expected 1 to 4 (cut sets of more components are rarely the ones that matter, and their number grows fast)",
            args.cut_order
        );
    }
    if long.target.is_some() && args.replications.is_none() {
        model.simulation.replications = scenario::MAX_REPLICATIONS;
    }
    let out_dir = args.out.clone().unwrap_or_else(|| match shard {
        Some(_) => Path::new("output")
            .join(path_safe(&model.name))
            .join("parts"),
        None => Path::new("output").join(path_safe(&model.name)),
    });
    let range = shard.map(|(i, n)| shards::shard_range(model.simulation.replications, i, n));
    let key = shards::RunKey {
        nines_version: env!("CARGO_PKG_VERSION").to_string(),
        scenario: model.name.clone(),
        file: shown.clone(),
        scenario_hash: format!("{:016x}", shards::fnv1a(text.as_bytes())),
        seed: model.simulation.seed,
        replications: model.simulation.replications,
        mission_hours: model.simulation.mission,
        shards: shard.map_or(1, |s| s.1),
    };
    // A run locks its directory before reading a checkpoint from it; shards write their parts side by
    // side in one directory, each file on its own (parts carry their own checks).
    let out = match shard {
        Some(_) => None,
        None if args.long.resume && !out_dir.is_dir() => bail!(
            checkpoint::CheckpointError::Missing(out_dir.display().to_string())
        ),
        None => Some(OutDir::open(&out_dir)?),
    };
    let resume = if args.long.resume {
        Some(load_checkpoint(
            &out_dir,
            &model,
            &key,
            long.target,
            !args.no_replications,
        )?)
    } else {
        None
    };
    if out.is_none() {
        create_dir(&out_dir)?;
    }

    let mut rep_writer = if args.no_replications {
        None
    } else {
        let (name, header) = match shard {
            // A shard's rows are the body of the merged file: no header.
            Some((i, n)) => (shards::rows_file_name(i, n), false),
            None => ("replications.csv".to_string(), true),
        };
        let mut file = AtomicFile::create(&out_dir.join(&name))?;
        let mut header = header;
        if resume.is_some() {
            // The rows of the replications done so far, checked against the checkpoint.
            let done = fs::read(out_dir.join(&name))
                .with_context(|| format!("cannot read {}", out_dir.join(&name).display()))?;
            file.write_all(&done)
                .with_context(|| format!("writing {}", out_dir.join(&name).display()))?;
            header = false;
        }
        let mut w = csv::WriterBuilder::new().from_writer(file);
        if header {
            w.write_record(nines::write::csv::REPLICATIONS_HEADER)?;
        }
        Some(w)
    };
    let mut write_error: Option<csv::Error> = None;
    let bar = progress::bar(
        args.quiet,
        range
            .as_ref()
            .map_or(model.simulation.replications, |r| r.end - r.start),
        if long.target.is_some() {
            "{spinner} {pos} replications {elapsed} (until the precision target is met)"
        } else {
            "{spinner} {bar:40} {pos}/{len} replications {elapsed} (eta {eta})"
        },
    );
    let progress = |done: u64| {
        if let Some(b) = &bar {
            b.set_position(done);
        }
    };
    let mut sink = |rows: &[RepRow]| {
        if let (Some(w), None) = (rep_writer.as_mut(), write_error.as_ref())
            && let Err(e) = nines::write::csv::write_rows(w, &model, rows)
        {
            write_error = Some(e);
        }
    };
    let resume_done = resume.as_ref().map(|c| c.acc.replications);
    let controlled = runner::run_controlled(
        &model,
        RunOptions {
            threads,
            rows: if args.no_replications {
                None
            } else {
                Some(&mut sink)
            },
            progress: Some(&progress),
            range: range.clone(),
        },
        runner::Control {
            target: long.target,
            deadline: long.deadline,
            stop: Some(&long.interrupt.interrupted),
            resume: resume.map(|c| c.acc),
        },
    )?;
    let result = controlled.output;
    if controlled.stop == runner::Stop::Interrupted {
        long.interrupt.announce();
    }
    if let Some(b) = &bar {
        b.finish_and_clear();
    }
    if let Some(e) = write_error {
        return Err(e).context("writing replications.csv");
    }
    if shard.is_some() && controlled.stop != runner::Stop::Exhausted {
        eprintln!("interrupted: the shard's part was not written; run the shard again");
        return Err(EarlyStop(checkpoint::EXIT_INTERRUPTED).into());
    }
    if controlled.stop == runner::Stop::Interrupted
        && (result.acc.replications == 0 || resume_done == Some(result.acc.replications))
    {
        // Nothing new to write: the outputs (and any checkpoint) stay as they were.
        eprintln!("interrupted before a batch finished; nothing written");
        return Err(EarlyStop(checkpoint::EXIT_INTERRUPTED).into());
    }
    let status = checkpoint::Status {
        stop: controlled.stop,
        done: result.acc.replications,
        asked: model.simulation.replications,
        precision: long
            .target
            .map(|t| precision::assess(&result.acc, t, &model)),
    };
    let rows_file = match rep_writer {
        Some(w) => Some(
            w.into_inner()
                .map_err(|e| anyhow!("writing replications.csv: {}", e.error()))?,
        ),
        None => None,
    };
    if let (Some((i, n)), Some(range)) = (shard, range) {
        // The importance sums of this shard's replications, merged by `nines merge`.
        let importance = if args.importance {
            let p = nines::analyses::importance::partial(
                &model,
                range.clone(),
                args.cut_order,
                threads,
            )?;
            Some(serde_json::to_value(&p)?)
        } else {
            None
        };
        let sim = &model.simulation;
        let part = shards::Part {
            format: shards::FORMAT.to_string(),
            key,
            shard: i,
            first: range.start,
            end: range.end,
            rows: rows_file.is_some(),
            rows_digest: rows_file.map(|f| f.commit()).transpose()?,
            scenario_text: text,
            acc: result.acc,
            importance,
        };
        let dest = out_dir.join(shards::file_name(i, n));
        write_atomic(&dest, shards::to_text(&part).as_bytes())?;
        if !args.quiet {
            eprintln!(
                "shard {i}/{n}: replications {}..{} of {} in {:.2}s; wrote {}",
                range.start,
                range.end,
                sim.replications,
                result.summary.wall_seconds,
                dest.display()
            );
        }
        return Ok(());
    }
    let mut out = out.expect("a run that is not a shard holds its directory");
    // The charts (the timeline's sample replication) see the replications done, as a plain run of as
    // many would.
    model.simulation.replications = status.done;
    let complete = status.stop != runner::Stop::Interrupted;
    let charts = (!args.no_charts && complete).then_some(threads);
    let report = (!args.no_report && complete).then_some(nines::write::report::Source {
        file: &shown,
        text: &text,
    });
    long.interrupt.writing();
    // Everything is made before the first file is replaced: an error writes nothing.
    let importance = if args.importance && status.done > 0 {
        Some(nines::analyses::importance::simulate(
            &model,
            status.done,
            args.cut_order,
            threads,
        )?)
    } else {
        None
    };
    let prepared = outputs::prepare(
        &model,
        &result.summary,
        args.format,
        charts,
        report,
        Some(&status),
        importance.as_ref(),
    )?;
    if status.resumable() {
        // The checkpoint first: rows without it could not be resumed, it without rows is refused.
        let c = checkpoint::Checkpoint {
            format: checkpoint::CHECKPOINT_FORMAT.to_string(),
            key: key.clone(),
            target: long.target,
            rows: rows_file.is_some(),
            rows_digest: rows_file.as_ref().map(|f| f.digest()),
            acc: result.acc.clone(),
        };
        out.write(checkpoint::CHECKPOINT_FILE, c.to_text().as_bytes())?;
    } else {
        out.remove_stale(checkpoint::CHECKPOINT_FILE)?;
    }
    match rows_file {
        Some(f) => out.commit(f)?,
        None => out.remove_stale("replications.csv")?,
    }
    let printed = prepared.write(&mut out)?;
    out.finish("run", outdir::run_identity(&key, &status))?;
    printed.print(args.format, &out_dir);
    match status.exit_code() {
        0 => Ok(()),
        code => Err(EarlyStop(code).into()),
    }
}

/// Reads `I/N` (1 ≤ I ≤ N).
fn parse_shard(text: &str) -> Result<(u64, u64)> {
    let bad = || {
        anyhow!(
            "--shard {text}: expected I/N with 1 ≤ I ≤ N, e.g. 3/16 (shard 3 of 16; Slurm: --shard $SLURM_ARRAY_TASK_ID/$SLURM_ARRAY_TASK_COUNT with --array=1-16)"
        )
    };
    let (i, n) = text.split_once('/').ok_or_else(bad)?;
    let (i, n): (u64, u64) = (
        i.trim().parse().map_err(|_| bad())?,
        n.trim().parse().map_err(|_| bad())?,
    );
    if i == 0 || i > n || n > shards::MAX_SHARDS {
        return Err(bad());
    }
    Ok((i, n))
}

/// The checked long-run options of a run, and the flag that Ctrl-C sets.
struct LongRun {
    target: Option<precision::Target>,
    deadline: Option<std::time::Instant>,
    interrupt: Interrupt,
}

impl LongRun {
    /// Checks the options and installs the Ctrl-C (and SIGTERM) handler (see [`Interrupt::install`]).
    fn from_args(args: &LongRunArgs, sharded: bool) -> Result<Self> {
        let target = args
            .precision
            .as_deref()
            .map(|p| precision::Target::parse(p).map_err(|e| anyhow!("--precision {p}: {e}")))
            .transpose()?;
        let deadline = match args.max_time.as_deref() {
            None => None,
            Some(m) => {
                let h = parse_duration(m).map_err(|e| anyhow!("--max-time {m}: {e}"))?;
                if !(h > 0.0
                    && h <= scenario::MAX_MISSION_YEARS * nines::base::units::HOURS_PER_YEAR)
                {
                    bail!(
                        "--max-time {m}: expected a duration of more than zero, e.g. 30min or 2h"
                    );
                }
                Some(std::time::Instant::now() + std::time::Duration::from_secs_f64(h * 3600.0))
            }
        };
        if sharded {
            for (given, flag) in [
                (target.is_some(), "--precision"),
                (deadline.is_some(), "--max-time"),
                (args.resume, "--resume"),
            ] {
                if given {
                    bail!(
                        "{flag} cannot be combined with --shard: a shard runs a fixed block of replications (run the shard again if it was stopped)"
                    );
                }
            }
        }
        Ok(LongRun {
            target,
            deadline,
            interrupt: Interrupt::install()?,
        })
    }
}

/// Reads and checks the checkpoint of the stopped run in `out_dir`, and that replications.csv there
/// holds exactly the rows of the replications it counts.
fn load_checkpoint(
    out_dir: &Path,
    model: &Model,
    key: &shards::RunKey,
    target: Option<precision::Target>,
    rows: bool,
) -> Result<checkpoint::Checkpoint> {
    let file = out_dir.join(checkpoint::CHECKPOINT_FILE);
    let shown = file.display().to_string();
    if !file.is_file() {
        bail!(checkpoint::CheckpointError::Missing(
            out_dir.display().to_string()
        ));
    }
    let text = read_text_limited(&file, MAX_STATE_BYTES)?;
    let found = checkpoint::Checkpoint::from_text(&text, &shown)?;
    let ours = checkpoint::Checkpoint {
        format: checkpoint::CHECKPOINT_FORMAT.to_string(),
        key: key.clone(),
        target,
        rows,
        rows_digest: None,
        acc: RunAcc::new(model),
    };
    found.check_matches(&ours, &shown)?;
    found
        .acc
        .check_shape(model)
        .map_err(|why| checkpoint::CheckpointError::Corrupt {
            file: shown.clone(),
            why,
        })?;
    if rows {
        let csv = out_dir.join("replications.csv");
        let bytes = fs::read(&csv).map_err(|e| {
            anyhow!(
                "cannot resume: cannot read {} (the rows of the stopped run): {e}",
                csv.display()
            )
        })?;
        let mut digest = shards::Fnv1a::default();
        digest.update(&bytes);
        if Some(digest.digest()) != found.rows_digest {
            bail!(
                "cannot resume: {} ({}) is not what the stopped run wrote ({}); it was changed since the run stopped",
                csv.display(),
                digest.digest(),
                found
                    .rows_digest
                    .map_or_else(|| "nothing".to_string(), |d| d.to_string())
            );
        }
    }
    Ok(found)
}
