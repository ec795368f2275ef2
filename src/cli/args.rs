//! What the subcommands share on the command line: the output format, the run settings of `compare`
//! and `sweep`, and how `-n`, `--seed`, `--mission` and `-j` apply to a scenario.

use std::path::PathBuf;

use anyhow::{Result, anyhow, bail};
use clap::ValueEnum;

use nines::base::units::parse_duration;
use nines::scenario;

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq)]
pub(crate) enum Format {
    /// A readable table.
    Table,
    /// The full summary as JSON.
    Json,
}

/// Run settings shared by `compare` and `sweep`: they apply to every layout.
#[derive(clap::Args, Debug)]
pub(crate) struct SimArgs {
    /// Override the number of replications (of every layout).
    #[arg(short = 'n', long)]
    pub(crate) replications: Option<u64>,
    /// Override the seed.
    #[arg(long)]
    pub(crate) seed: Option<u64>,
    /// Override the mission length, e.g. "10y".
    #[arg(long)]
    pub(crate) mission: Option<String>,
    /// Worker threads (default: all cores). Results do not depend on it.
    #[arg(short = 'j', long)]
    pub(crate) threads: Option<usize>,
    /// Output directory.
    #[arg(short, long)]
    pub(crate) out: Option<PathBuf>,
    /// No progress bar.
    #[arg(short, long)]
    pub(crate) quiet: bool,
    /// Do not draw the charts.
    #[arg(long)]
    pub(crate) no_charts: bool,
    /// Do not write report.html.
    #[arg(long)]
    pub(crate) no_report: bool,
    /// Practical threshold: a difference smaller than this share of the first layout's figure (of its
    /// downtime, for availability) reads "same" however significant, e.g. 0.5% or 0 (default 1%).
    #[arg(long, value_name = "PERCENT", value_parser = parse_same_within)]
    pub(crate) same_within: Option<f64>,
}

/// `--same-within`: a percentage (`1%`, `0.5 %`, `0`) as a fraction.
fn parse_same_within(text: &str) -> Result<f64, String> {
    let number = text.trim().trim_end_matches('%').trim();
    match number.parse::<f64>() {
        Ok(p) if (0.0..=100.0).contains(&p) => Ok(p / 100.0),
        _ => Err(format!(
            "expected a percentage from 0 to 100, e.g. 1% or 0.5%, not {text:?}"
        )),
    }
}

/// The most worker threads per core a run starts.
const MAX_THREADS_PER_CORE: usize = 4;

fn max_threads(cores: usize) -> usize {
    MAX_THREADS_PER_CORE * cores.max(1)
}

/// The worker threads `-j` asks for, else every core.
pub(crate) fn worker_threads(given: Option<usize>) -> Result<usize> {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    match given {
        Some(0) => bail!("--threads 0: expected at least 1"),
        // Results do not depend on the thread count, so more threads than can help are clamped rather
        // than refused: thousands of threads only cost minutes to create.
        Some(t) if t > max_threads(cores) => {
            let max = max_threads(cores);
            eprintln!(
                "note: {t} threads asked for; using {max} ({MAX_THREADS_PER_CORE} per core on {cores} cores; results do not depend on it)"
            );
            Ok(max)
        }
        Some(t) => Ok(t),
        None => Ok(cores),
    }
}

/// Applies the command line's `-n`, `--seed`, `--mission` and `-j` to a scenario's run settings;
/// returns the threads to use (the scenario's `threads`, else every core, unless `-j` says).
pub(crate) fn override_simulation(
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
    worker_threads(threads.or(sim.threads))
}
