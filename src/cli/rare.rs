//! `nines rare`: very high availability by rare-event simulation, with the method chosen from the
//! scenario (importance sampling on the Markov chain when every duration is exponential, importance
//! splitting on the event engine otherwise), and the exact figures beside it when the chain solves.

use std::path::PathBuf;

use anyhow::{Result, anyhow, bail};
use clap::ValueEnum;

use nines::analyses::exact::{self, Chain, MarkovError};
use nines::analyses::rare::{self, RareOptions};
use nines::analyses::split::{self, SplitOptions};
use nines::model::Model;

use crate::args::{Format, worker_threads};
use crate::files::load;

/// Rare-event methods.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq)]
pub enum Method {
    /// Importance sampling when every duration is exponential (and no maintenance calendar), else
    /// importance splitting.
    Auto,
    /// Importance sampling with balanced failure biasing on the Markov chain (exponential durations).
    Importance,
    /// Importance splitting (RESTART) on the event engine: any durations, maintenance included.
    Splitting,
}

#[derive(clap::Args, Debug)]
pub(crate) struct RareArgs {
    /// Scenario file (TOML).
    scenario: PathBuf,
    /// How to estimate.
    #[arg(long, value_enum, default_value_t = Method::Auto)]
    method: Method,
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

/// States beyond which the exact figures are not computed beside a rare-event estimate.
const EXACT_STATES: usize = 200_000;

/// Why the Markov chain cannot be built for `model`, or `None` if it can.
pub fn not_markovian(model: &Model) -> Option<String> {
    Chain::new(model, false).err().map(|e| e.to_string())
}

/// The method `auto` picks for `model`, and why.
pub fn choose(model: &Model) -> (Method, String) {
    match not_markovian(model) {
        None => (
            Method::Importance,
            "every duration is exponential: importance sampling on the Markov chain".into(),
        ),
        Some(why) => (
            Method::Splitting,
            format!("importance splitting, since {why}"),
        ),
    }
}

pub fn rare_cmd(args: RareArgs) -> Result<()> {
    let mut model = load(&args.scenario)?;
    if let Some(s) = args.seed {
        model.simulation.seed = s;
    }
    let threads = worker_threads(args.threads)?;
    if !(args.precision > 0.0 && args.precision < 1.0) {
        bail!(
            "--precision {}: expected a fraction between 0 and 1, e.g. 0.1 for ±10%",
            nines::base::format::short(args.precision)
        );
    }
    if args.budget == Some(0) {
        bail!("--budget 0: expected at least 1 (cycles or missions)");
    }
    let (method, why) = match args.method {
        Method::Auto => choose(&model),
        Method::Importance => {
            if let Some(e) = not_markovian(&model) {
                bail!(
                    "{}: importance sampling needs the Markov chain: {e}; use --method splitting (any durations)",
                    args.scenario.display()
                );
            }
            (
                Method::Importance,
                "importance sampling on the Markov chain (--method importance)".into(),
            )
        }
        Method::Splitting => (
            Method::Splitting,
            "importance splitting (--method splitting)".into(),
        ),
    };
    if method == Method::Importance && args.factors.is_some() {
        bail!("--factors: only for --method splitting");
    }
    // The exact figures, when the chain is small enough to solve quickly.
    let (exact, note) = if not_markovian(&model).is_none() {
        let opts = exact::Options {
            max_states: EXACT_STATES,
            ..exact::Options::default()
        };
        match exact::solve(&model, &opts) {
            Ok(x) => (Some(x), None),
            Err(e @ MarkovError::TooManyStates { .. }) => {
                (None, Some(format!("no exact figures beside it: {e}")))
            }
            Err(e) => return Err(anyhow!("{}: {e}", args.scenario.display())),
        }
    } else {
        (None, None)
    };
    match method {
        Method::Importance | Method::Auto => {
            let r = rare::estimate(
                &model,
                &RareOptions {
                    cycles: args.budget.unwrap_or(1 << 26),
                    target: Some(args.precision),
                    seed: model.simulation.seed,
                    threads,
                    bias: Some(args.bias),
                    approximate: false,
                },
            )
            .map_err(|e| anyhow!("{}: {e}", args.scenario.display()))?;
            match args.format {
                Format::Table => {
                    println!("method: {why}");
                    print!(
                        "{}",
                        nines::write::exact::table(
                            "rare events",
                            &model,
                            exact.as_ref(),
                            note.as_deref(),
                            Some((&r, threads)),
                            None
                        )
                    );
                }
                Format::Json => println!(
                    "{}",
                    serde_json::json!({ "method": "importance", "why": why, "exact": exact, "note": note, "rare": r })
                ),
            }
        }
        Method::Splitting => {
            let r = split::estimate(
                &model,
                &SplitOptions {
                    missions: args.budget.unwrap_or(1 << 20),
                    target: Some(args.precision),
                    seed: model.simulation.seed,
                    threads,
                    factors: args.factors.clone(),
                },
            )
            .map_err(|e| anyhow!("{}: {e}", args.scenario.display()))?;
            match args.format {
                Format::Table => {
                    println!("method: {why}");
                    print!(
                        "{}",
                        nines::write::exact::split_table(
                            &model,
                            &r,
                            threads,
                            exact.as_ref(),
                            note.as_deref()
                        )
                    );
                }
                Format::Json => println!(
                    "{}",
                    serde_json::json!({ "method": "splitting", "why": why, "exact": exact, "note": note, "splitting": r })
                ),
            }
        }
    }
    Ok(())
}
