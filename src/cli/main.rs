//! The `nines` command line: reads scenario files, runs the library, writes outputs atomically.

use std::fs;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use anyhow::{Context, Result, anyhow, bail};
use clap::{Parser, Subcommand, ValueEnum};

use nines::estimate::{checkpoint, precision};
use nines::write::charts;

mod layouts;
mod rare;
use layouts::{compare, sweep};
use nines::base::units::parse_duration;
use nines::estimate::runner::{self, RepRow, RunOptions};
use nines::estimate::shards;
use nines::model::Model;
use nines::scenario;
use nines::write::output;

#[derive(Parser, Debug)]
#[command(
    name = "nines",
    version,
    about = "Monte Carlo availability simulator for high-availability layouts"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Simulate a scenario and report availability, downtime and outages with 95% confidence intervals.
    Run(RunArgs),
    /// Check scenario files without running them, and summarise what they contain.
    Validate {
        /// Scenario files (TOML).
        #[arg(required = true)]
        scenarios: Vec<PathBuf>,
    },
    /// Merge the parts of a sharded run (`run --shard I/N`) into the outputs of a single run.
    Merge(MergeArgs),
    /// Compare layouts side by side under common random numbers, with the difference to the first and
    /// whether it is significant.
    Compare(CompareArgs),
    /// Vary one or two scenario fields over a list of values and run each point (e.g. how many
    /// front ends meet the target).
    Sweep(SweepArgs),
    /// Solve a scenario whose durations are all exponential as a Markov chain (exact steady state),
    /// optionally with a rare-event estimate and a plain simulation side by side.
    Exact(ExactArgs),
    /// Estimate very high availability by rare-event simulation: importance sampling when every
    /// duration is exponential, importance splitting (any distributions) otherwise.
    Rare(RareArgs),
}

#[derive(clap::Args, Debug)]
struct RareArgs {
    /// Scenario file (TOML).
    scenario: PathBuf,
    /// How to estimate.
    #[arg(long, value_enum, default_value_t = rare::Method::Auto)]
    method: rare::Method,
    /// Stop once the first entity's 95% interval is within this relative half-width.
    #[arg(long, value_name = "FRACTION", default_value_t = 0.1)]
    precision: f64,
    /// At most this many regenerative cycles (importance sampling; default 2^26) or missions
    /// (splitting; default 2^20), whatever the precision reached.
    #[arg(long, value_name = "N")]
    budget: Option<u64>,
    /// Importance sampling: probability of taking a failure where a repair is possible too.
    #[arg(long, default_value_t = 0.5)]
    bias: f64,
    /// Splitting: copies per threshold, e.g. 600,1200 (default: from a pilot run).
    #[arg(long, value_delimiter = ',', value_name = "R1,R2,...")]
    factors: Option<Vec<u32>>,
    /// Override the seed.
    #[arg(long)]
    seed: Option<u64>,
    /// Worker threads (default: all cores). Results do not depend on it.
    #[arg(short = 'j', long)]
    threads: Option<usize>,
    /// What to print on stdout.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
}

/// Run settings shared by `compare` and `sweep`: they apply to every layout.
#[derive(clap::Args, Debug)]
struct SimArgs {
    /// Override the number of replications (of every layout).
    #[arg(short = 'n', long)]
    replications: Option<u64>,
    /// Override the seed.
    #[arg(long)]
    seed: Option<u64>,
    /// Override the mission length, e.g. "10y".
    #[arg(long)]
    mission: Option<String>,
    /// Worker threads (default: all cores). Results do not depend on it.
    #[arg(short = 'j', long)]
    threads: Option<usize>,
    /// Output directory.
    #[arg(short, long)]
    out: Option<PathBuf>,
    /// No progress bar.
    #[arg(short, long)]
    quiet: bool,
    /// Do not draw the charts.
    #[arg(long)]
    no_charts: bool,
    /// Do not write report.html.
    #[arg(long)]
    no_report: bool,
}

#[derive(clap::Args, Debug)]
struct CompareArgs {
    /// Scenario files of the layouts (TOML); differences are to the first. Its [simulation] settings
    /// (mission, replications, seed) apply to all.
    #[arg(required = true, num_args = 2..)]
    scenarios: Vec<PathBuf>,
    #[command(flatten)]
    sim: SimArgs,
}

#[derive(clap::Args, Debug)]
struct SweepArgs {
    /// Scenario file (TOML).
    scenario: PathBuf,
    /// A field and its values, e.g. nodes.web.count=2..6 or nodes.sql.repair.mean=4h,8h,16h; twice for
    /// a grid. Default: the scenario's [sweep] section.
    #[arg(long = "set", value_name = "PATH=VALUES")]
    set: Vec<String>,
    /// The service whose target decides which points meet it (default: the first with a target, else
    /// the first service).
    #[arg(long)]
    service: Option<String>,
    #[command(flatten)]
    sim: SimArgs,
}

#[derive(clap::Args, Debug)]
struct ExactArgs {
    /// Scenario file (TOML).
    scenario: PathBuf,
    /// Replace every non-exponential duration by an exponential with the same mean.
    #[arg(long)]
    approximate: bool,
    /// Give up on the exact solution beyond this many states.
    #[arg(long, default_value_t = nines::analyses::exact::DEFAULT_MAX_STATES)]
    max_states: usize,
    /// Also estimate by rare-event simulation (importance sampling), with at most this many cycles.
    #[arg(long, value_name = "CYCLES")]
    rare: Option<u64>,
    /// With --rare: stop once the first entity's 95% interval is within this relative half-width.
    #[arg(long, value_name = "FRACTION")]
    precision: Option<f64>,
    /// With --rare: probability of taking a failure where a repair is possible too (0 < b < 1).
    #[arg(long, default_value_t = 0.5)]
    bias: f64,
    /// Also run a plain simulation with this many replications and compare.
    #[arg(long, value_name = "REPLICATIONS")]
    simulate: Option<u64>,
    /// Override the seed (rare-event and plain simulation).
    #[arg(long)]
    seed: Option<u64>,
    /// Worker threads (default: all cores). Results do not depend on it.
    #[arg(short = 'j', long)]
    threads: Option<usize>,
    /// What to print on stdout.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
}

#[derive(clap::Args, Debug)]
struct MergeArgs {
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

#[derive(clap::Args, Debug)]
struct RunArgs {
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

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq)]
enum Format {
    /// A readable table.
    Table,
    /// The full summary as JSON.
    Json,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Run(args) => run(args),
        Command::Validate { scenarios } => validate(&scenarios),
        Command::Merge(args) => merge(args),
        Command::Compare(args) => compare(args),
        Command::Sweep(args) => sweep(args),
        Command::Exact(args) => exact(args),
        Command::Rare(args) => rare::rare_cmd(args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if e.downcast_ref::<EarlyStop>().is_some() => {
            ExitCode::from(e.downcast_ref::<EarlyStop>().map_or(2, |s| s.0))
        }
        Err(e) => {
            let _ = std::io::stdout().flush();
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
    }
}

/// Reads and compiles a scenario file; every error names the file.
fn load(path: &Path) -> Result<Model> {
    let (text, shown) = read_scenario(path)?;
    scenario::compile(&text, &shown).map_err(|e| anyhow!("{e}"))
}

/// Reads a scenario file's text, and the name to show for it.
fn read_scenario(path: &Path) -> Result<(String, String)> {
    let shown = path.display().to_string();
    if path.is_dir() {
        bail!("{shown} is a directory; expected a scenario file (.toml)");
    }
    let bytes = fs::read(path).map_err(|e| anyhow!("cannot read scenario {shown}: {e}"))?;
    let text = match String::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            let at = e.utf8_error().valid_up_to();
            let valid = String::from_utf8_lossy(&e.as_bytes()[..at]).into_owned();
            let (line, col) = scenario::line_col(&valid, valid.len());
            bail!(
                "{shown}:{line}:{col}: the file is not valid UTF-8 (byte {at}); save it as UTF-8"
            );
        }
    };
    Ok((text, shown))
}

fn validate(paths: &[PathBuf]) -> Result<()> {
    let mut failed = 0;
    for p in paths {
        match load(p) {
            Ok(model) => print!("{}", nines::analyses::explain::describe(&model)),
            Err(e) => {
                eprintln!("{e:#}");
                failed += 1;
            }
        }
    }
    if failed > 0 {
        bail!("{failed} of {} scenario files are invalid", paths.len());
    }
    Ok(())
}

fn run(args: RunArgs) -> Result<()> {
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
    if long.target.is_some() && args.replications.is_none() {
        model.simulation.replications = scenario::MAX_REPLICATIONS;
    }
    let out_dir = args.out.clone().unwrap_or_else(|| match shard {
        Some(_) => Path::new("output").join(&model.name).join("parts"),
        None => Path::new("output").join(&model.name),
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
    fs::create_dir_all(&out_dir)
        .with_context(|| format!("cannot create output directory {}", out_dir.display()))?;

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
            w.write_record(output::REPLICATIONS_HEADER)?;
        }
        Some(w)
    };
    let mut write_error: Option<csv::Error> = None;
    let bar = (!args.quiet && std::io::stderr().is_terminal()).then(|| {
        let bar = indicatif::ProgressBar::new(
            range
                .as_ref()
                .map_or(model.simulation.replications, |r| r.end - r.start),
        );
        bar.set_style(
            indicatif::ProgressStyle::with_template(if long.target.is_some() {
                "{spinner} {pos} replications {elapsed} (until the precision target is met)"
            } else {
                "{spinner} {bar:40} {pos}/{len} replications {elapsed} (eta {eta})"
            })
            .expect("valid template"),
        );
        bar
    });
    let progress = |done: u64| {
        if let Some(b) = &bar {
            b.set_position(done);
        }
    };
    let mut sink = |rows: &[RepRow]| {
        if let (Some(w), None) = (rep_writer.as_mut(), write_error.as_ref())
            && let Err(e) = output::write_rows(w, &model, rows)
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
            stop: Some(&long.interrupted),
            resume: resume.map(|c| c.acc),
        },
    )?;
    let result = controlled.output;
    if controlled.stop == runner::Stop::Interrupted {
        announce(&long.announced);
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
    let checkpoint = out_dir.join(checkpoint::CHECKPOINT_FILE);
    if shard.is_none() && status.resumable() {
        // The checkpoint first: rows without it could not be resumed, it without rows is refused.
        let c = checkpoint::Checkpoint {
            format: checkpoint::CHECKPOINT_FORMAT.to_string(),
            key: key.clone(),
            target: long.target,
            rows: !args.no_replications,
            acc: result.acc.clone(),
        };
        write_atomic(&checkpoint, c.to_text().as_bytes())?;
    }
    if let Some(w) = rep_writer {
        w.into_inner()
            .map_err(|e| anyhow!("writing replications.csv: {}", e.error()))?
            .commit()?;
    }
    if shard.is_none() && !status.resumable() && checkpoint.exists() {
        fs::remove_file(&checkpoint)
            .with_context(|| format!("cannot remove {}", checkpoint.display()))?;
    }
    if let (Some((i, n)), Some(range)) = (shard, range) {
        let sim = &model.simulation;
        let part = shards::Part {
            format: shards::FORMAT.to_string(),
            key,
            shard: i,
            first: range.start,
            end: range.end,
            rows: !args.no_replications,
            scenario_text: text,
            acc: result.acc,
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
    // The charts (the timeline's sample replication) see the replications done, as a plain run of as
    // many would.
    model.simulation.replications = status.done;
    let complete = status.stop != runner::Stop::Interrupted;
    let charts = (!args.no_charts && complete).then_some(threads);
    let report = (!args.no_report && complete).then_some(nines::write::report::Source {
        file: &shown,
        text: &text,
    });
    finish_with(
        &model,
        &result.summary,
        &out_dir,
        args.format,
        charts,
        report,
        Some(&status),
    )?;
    match status.exit_code() {
        0 => Ok(()),
        code => Err(EarlyStop(code).into()),
    }
}

/// Applies the command line's `-n`, `--seed`, `--mission` and `-j` to a scenario's run settings;
/// returns the threads to use (the scenario's `threads`, else every core, unless `-j` says).
fn override_simulation(
    sim: &mut nines::model::Simulation,
    replications: Option<u64>,
    seed: Option<u64>,
    mission: Option<&str>,
    threads: Option<usize>,
) -> Result<usize> {
    if let Some(n) = replications {
        if n == 0 || n > scenario::MAX_REPLICATIONS {
            bail!(
                "--replications {n}: expected 1 to {}",
                scenario::MAX_REPLICATIONS
            );
        }
        sim.replications = n;
    }
    if let Some(s) = seed {
        sim.seed = s;
    }
    if let Some(m) = mission {
        let h = parse_duration(m).map_err(|e| anyhow!("--mission: {e}"))?;
        if h <= 0.0 || h > scenario::MAX_MISSION_YEARS * nines::base::units::HOURS_PER_YEAR {
            bail!(
                "--mission {m}: expected more than zero and at most {}y",
                scenario::MAX_MISSION_YEARS
            );
        }
        sim.mission = h;
    }
    match threads.or(sim.threads) {
        Some(0) => bail!("--threads 0: expected at least 1"),
        Some(t) => Ok(t),
        None => Ok(std::thread::available_parallelism().map_or(1, |n| n.get())),
    }
}

/// Writes the summary of a run (or of merged parts), its charts unless `charts` is `None` (else the
/// threads to draw them with) and its HTML report unless `report` is `None` (else the scenario file),
/// and prints it.
fn finish(
    model: &Model,
    summary: &nines::estimate::summary::Summary,
    out_dir: &Path,
    format: Format,
    charts: Option<usize>,
    report: Option<nines::write::report::Source>,
) -> Result<()> {
    finish_with(model, summary, out_dir, format, charts, report, None)
}

/// [`finish`], saying how the run ended when it was not a plain complete run (see
/// [`checkpoint::Status`]).
fn finish_with(
    model: &Model,
    summary: &nines::estimate::summary::Summary,
    out_dir: &Path,
    format: Format,
    charts: Option<usize>,
    report: Option<nines::write::report::Source>,
    status: Option<&checkpoint::Status>,
) -> Result<()> {
    let mut csv = output::summary_csv(summary)?;
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
            print!("{}", output::table(summary, model));
            if let Some(s) = status {
                print!("{}", s.describe());
            }
            println!("wrote {}", out_dir.display());
        }
        Format::Json => match status {
            None => println!("{}", output::json(summary)),
            Some(s) => {
                let mut v: serde_json::Value = serde_json::from_str(&output::json(summary))?;
                if let Some(map) = v.as_object_mut() {
                    map.insert("run".into(), s.json());
                }
                println!("{}", serde_json::to_string_pretty(&v)?);
            }
        },
    }
    Ok(())
}

/// `nines exact`: the Markov solution, and the rare-event and plain estimates asked for.
fn exact(args: ExactArgs) -> Result<()> {
    use nines::analyses::exact::{self, MarkovError};
    let mut model = load(&args.scenario)?;
    if let Some(s) = args.seed {
        model.simulation.seed = s;
    }
    let threads = match args.threads {
        Some(0) => bail!("--threads 0: expected at least 1"),
        Some(t) => t,
        None => std::thread::available_parallelism().map_or(1, |n| n.get()),
    };
    if let Some(p) = args.precision
        && !(p > 0.0 && p < 1.0)
    {
        bail!("--precision {p}: expected a fraction between 0 and 1, e.g. 0.1 for ±10%");
    }
    let opts = exact::Options {
        approximate: args.approximate,
        max_states: args.max_states,
        ..exact::Options::default()
    };
    let (solved, note) = match exact::solve(&model, &opts) {
        Ok(x) => (Some(x), None),
        // Too large to solve: the rare-event estimate still works on the same chain.
        Err(e @ MarkovError::TooManyStates { .. }) if args.rare.is_some() => {
            (None, Some(e.to_string()))
        }
        Err(e) => return Err(anyhow!("{}: {e}", args.scenario.display())),
    };
    let rare = match args.rare {
        Some(cycles) => Some(nines::analyses::rare::estimate(
            &model,
            &nines::analyses::rare::RareOptions {
                cycles,
                target: args.precision,
                seed: model.simulation.seed,
                threads,
                bias: Some(args.bias),
                approximate: args.approximate,
            },
        )?),
        None => None,
    };
    let sim = match args.simulate {
        Some(n) => {
            if n == 0 || n > scenario::MAX_REPLICATIONS {
                bail!(
                    "--simulate {n}: expected 1 to {}",
                    scenario::MAX_REPLICATIONS
                );
            }
            model.simulation.replications = n;
            let opts = RunOptions {
                threads,
                rows: None,
                progress: None,
                range: None,
            };
            Some(runner::run(&model, opts)?.summary)
        }
        None => None,
    };
    match args.format {
        Format::Table => print!(
            "{}",
            nines::write::exact::table(
                "exact mode",
                &model,
                solved.as_ref(),
                note.as_deref(),
                rare.as_ref().map(|r| (r, threads)),
                sim.as_ref()
            )
        ),
        Format::Json => println!(
            "{}",
            serde_json::json!({ "exact": solved, "note": note, "rare": rare, "simulation": sim })
        ),
    }
    Ok(())
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

/// Merges the parts of a sharded run and writes what the single run would have written.
fn merge(args: MergeArgs) -> Result<()> {
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
    fs::create_dir_all(&out_dir)
        .with_context(|| format!("cannot create output directory {}", out_dir.display()))?;
    let mut rows_out = None;
    if !args.no_replications {
        let mut out = AtomicFile::create(&out_dir.join("replications.csv"))?;
        let mut header = csv::Writer::from_writer(Vec::new());
        header.write_record(output::REPLICATIONS_HEADER)?;
        out.write_all(&header.into_inner().map_err(|e| anyhow!("{}", e.error()))?)?;
        for rows in &rows_files {
            let mut f =
                fs::File::open(rows).with_context(|| format!("cannot read {}", rows.display()))?;
            std::io::copy(&mut f, &mut out)
                .with_context(|| format!("copying {}", rows.display()))?;
        }
        rows_out = Some(out);
    }
    let mut acc = nines::estimate::summary::RunAcc::new(&model);
    for (_, p) in &parts {
        acc.merge(&p.acc);
    }
    let summary = acc.summarize(
        &model,
        nines::estimate::summary::RunInfo {
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
    finish(&model, &summary, &out_dir, args.format, charts, report)
}

/// Replications searched for one in which the main service has an outage, for the timeline.
const SAMPLE_SEARCH: u64 = 1000;

/// Draws every chart as SVG and PNG into `dir` (rasterising on up to `threads` threads), and removes
/// charts of an earlier run that this run does not draw (the client latency chart of a scenario that no
/// longer has clients). The timeline shows the first replication in which the main service has an
/// outage. Returns the charts drawn.
fn write_charts(
    model: &Model,
    summary: &nines::estimate::summary::Summary,
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
fn write_chart_files(
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

/// A file written under a temporary name and renamed into place only when complete, so a crash or
/// Ctrl-C never leaves a complete-looking but truncated output.
struct AtomicFile {
    tmp: PathBuf,
    dest: PathBuf,
    file: Option<std::io::BufWriter<fs::File>>,
}

impl AtomicFile {
    fn create(dest: &Path) -> Result<Self> {
        let name = dest.file_name().and_then(|n| n.to_str()).unwrap_or("out");
        let tmp = dest.with_file_name(format!(".{name}.partial-{}", std::process::id()));
        let file =
            fs::File::create(&tmp).with_context(|| format!("cannot write {}", dest.display()))?;
        Ok(Self {
            tmp,
            dest: dest.to_path_buf(),
            file: Some(std::io::BufWriter::new(file)),
        })
    }

    fn commit(mut self) -> Result<()> {
        let file = self.file.take().expect("open");
        let file = file
            .into_inner()
            .map_err(|e| e.into_error())
            .with_context(|| format!("writing {}", self.dest.display()))?;
        file.sync_all().ok();
        fs::rename(&self.tmp, &self.dest)
            .with_context(|| format!("cannot write {}", self.dest.display()))?;
        Ok(())
    }
}

impl Write for AtomicFile {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.file.as_mut().expect("open").write(buf)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.file.as_mut().expect("open").flush()
    }
}

impl Drop for AtomicFile {
    fn drop(&mut self) {
        if self.file.is_some() {
            let _ = fs::remove_file(&self.tmp);
        }
    }
}

fn write_atomic(dest: &Path, bytes: &[u8]) -> Result<()> {
    let mut f = AtomicFile::create(dest)?;
    f.write_all(bytes)
        .with_context(|| format!("writing {}", dest.display()))?;
    f.commit()
}

/// A run that ended without doing all that was asked (interrupted, stopped on time, precision target
/// not met): its outputs and report are written; the process exits with this code.
#[derive(Debug)]
struct EarlyStop(u8);

impl std::fmt::Display for EarlyStop {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "the run stopped early (exit code {})", self.0)
    }
}

impl std::error::Error for EarlyStop {}

/// The checked long-run options of a run, and the flag that Ctrl-C sets.
struct LongRun {
    target: Option<precision::Target>,
    deadline: Option<std::time::Instant>,
    interrupted: Arc<AtomicBool>,
    /// Whether the interruption was acknowledged on stderr.
    announced: Arc<AtomicBool>,
}

/// Acknowledges Ctrl-C on stderr, once.
fn announce(done: &AtomicBool) {
    if !done.swap(true, Ordering::Relaxed) {
        eprintln!("stopping after the batches under way (Ctrl-C again to quit at once)");
    }
}

impl LongRun {
    /// Checks the options and installs the Ctrl-C (and SIGTERM) handler: the first signal asks the run
    /// to stop after the batches under way, a second one ends the process at once (exit code 130).
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
        let interrupted = Arc::new(AtomicBool::new(false));
        for signal in [signal_hook::consts::SIGINT, signal_hook::consts::SIGTERM] {
            signal_hook::flag::register_conditional_shutdown(
                signal,
                checkpoint::EXIT_INTERRUPTED as i32,
                Arc::clone(&interrupted),
            )
            .and_then(|_| signal_hook::flag::register(signal, Arc::clone(&interrupted)))
            .context("cannot install the Ctrl-C handler")?;
        }
        // Say at once that the signal was heard (the run itself stops at the next batch boundary).
        let announced = Arc::new(AtomicBool::new(false));
        let (heard, said) = (Arc::clone(&interrupted), Arc::clone(&announced));
        std::thread::spawn(move || {
            while !heard.load(Ordering::Relaxed) {
                std::thread::sleep(std::time::Duration::from_millis(50));
            }
            announce(&said);
        });
        Ok(LongRun {
            target,
            deadline,
            interrupted,
            announced,
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
    let text = fs::read_to_string(&file).map_err(|e| anyhow!("cannot read {shown}: {e}"))?;
    let found = checkpoint::Checkpoint::from_text(&text, &shown)?;
    let ours = checkpoint::Checkpoint {
        format: checkpoint::CHECKPOINT_FORMAT.to_string(),
        key: key.clone(),
        target,
        rows,
        acc: nines::estimate::summary::RunAcc::new(model),
    };
    found.check_matches(&ours, &shown)?;
    if rows {
        let csv = out_dir.join("replications.csv");
        let bytes = fs::read(&csv).map_err(|e| {
            anyhow!(
                "cannot resume: cannot read {} (the rows of the stopped run): {e}",
                csv.display()
            )
        })?;
        let lines = bytes.iter().filter(|&&b| b == b'\n').count() as u64;
        let expected = 1 + found.acc.replications * model.services.len() as u64;
        if lines != expected || !bytes.starts_with(output::REPLICATIONS_HEADER[0].as_bytes()) {
            bail!(
                "cannot resume: {} has {lines} lines but the checkpoint counts {} replications ({expected} lines with the header); it was changed since the run stopped",
                csv.display(),
                found.acc.replications
            );
        }
    }
    Ok(found)
}
