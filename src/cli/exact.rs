//! `nines exact`: the Markov solution of a scenario whose durations are all exponential, with a
//! rare-event estimate and a plain simulation beside it when asked.

use std::path::PathBuf;

use anyhow::{Result, anyhow, bail};

use nines::estimate::runner::{self, RunOptions};
use nines::scenario;

use crate::args::{Format, worker_threads};
use crate::files;

#[derive(clap::Args, Debug)]
pub(crate) struct ExactArgs {
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
    /// Also compute each component's importance for each service and the minimal cut sets, from the
    /// chain's steady state (the same measures as `run --importance`).
    #[arg(long)]
    importance: bool,
    /// What to print on stdout.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
}

/// `nines exact`: the Markov solution, and the rare-event and plain estimates asked for.
pub(crate) fn exact(args: ExactArgs) -> Result<()> {
    use nines::analyses::exact::{self, MarkovError};
    let mut model = files::load(&args.scenario)?;
    if let Some(s) = args.seed {
        model.simulation.seed = s;
    }
    let threads = worker_threads(args.threads)?;
    if let Some(p) = args.precision
        && !(p > 0.0 && p < 1.0)
    {
        bail!(
            "--precision {}: expected a fraction between 0 and 1, e.g. 0.1 for ±10%",
            nines::base::format::short(p)
        );
    }
    if args.max_states == 0 || args.max_states > exact::MAX_STATES_CEILING {
        bail!(
            "--max-states {}: expected 1 to {} (each state costs a few hundred bytes; beyond that the chain outgrows memory)",
            args.max_states,
            exact::MAX_STATES_CEILING
        );
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
    let importance = match (&solved, args.importance) {
        (Some(_), true) => Some(
            nines::analyses::importance::exact(&model, &opts, None)
                .map_err(|e| anyhow!("{}: {e}", args.scenario.display()))?,
        ),
        _ => None,
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
            ) + &importance
                .as_ref()
                .map(|x| nines::write::importance::table(&model, x))
                .unwrap_or_default()
        ),
        Format::Json => {
            let mut v = serde_json::json!({ "exact": solved, "note": note, "rare": rare, "simulation": sim });
            if let (Some(x), Some(map)) = (&importance, v.as_object_mut()) {
                map.insert(
                    "importance".into(),
                    nines::write::importance::json(&model, x),
                );
            }
            println!("{v}")
        }
    }
    Ok(())
}
