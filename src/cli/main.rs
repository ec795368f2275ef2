//! The `nines` command line: reads scenario files, runs the library, writes outputs atomically.
//!
//! One file per subcommand (`run`, `validate`, `merge`, `compare` and `sweep` in `layouts`, `exact`,
//! `rare`, `fit`), with what they share: the run settings ([`args`]), reading scenarios and writing files
//! atomically ([`files`]), a run's outputs ([`outputs`]), and the progress bar and Ctrl-C
//! ([`progress`]).

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod args;
mod completions;
mod exact;
mod files;
mod fit;
mod layouts;
mod merge;
mod outdir;
mod outputs;
mod progress;
mod rare;
mod run;
mod validate;

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
    Run(run::RunArgs),
    /// Check scenario files without running them, and summarise what they contain.
    Validate {
        /// Scenario files (TOML).
        #[arg(required = true)]
        scenarios: Vec<PathBuf>,
    },
    /// Merge the parts of a sharded run (`run --shard I/N`) into the outputs of a single run.
    Merge(merge::MergeArgs),
    /// Compare layouts side by side under common random numbers, with the difference to the first and
    /// whether it is significant.
    Compare(layouts::CompareArgs),
    /// Vary one or two scenario fields over a list of values and run each point (e.g. how many
    /// front ends meet the target).
    Sweep(layouts::SweepArgs),
    /// Solve a scenario whose durations are all exponential as a Markov chain (exact steady state),
    /// optionally with a rare-event estimate and a plain simulation side by side.
    Exact(exact::ExactArgs),
    /// Check that an output directory holds one complete run: its manifest, and every file's size and
    /// hash.
    Verify {
        /// Output directory (of run, merge, compare, sweep or fit).
        dir: PathBuf,
    },
    /// Estimate very high availability by rare-event simulation: importance sampling when every
    /// duration is exponential, importance splitting (any distributions) otherwise.
    Rare(rare::RareArgs),
    /// Fit failure and repair laws (exponential, Weibull, lognormal, gamma) to an incident history (a
    /// CSV of outages) by maximum likelihood with censoring, and print the scenario lines to paste.
    Fit(fit::FitArgs),
    /// Print a shell completion script, e.g. `nines completions bash > ~/.local/share/bash-completion/completions/nines`.
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
    /// Print the JSON Schema of the scenario language, for editors (taplo, Even Better TOML).
    Schema,
    /// Print the man page (roff) of nines or of one subcommand, e.g. `nines man | man -l -`.
    Man {
        /// A subcommand whose page to print (default: the page of nines).
        subcommand: Option<String>,
    },
}

fn main() -> ExitCode {
    // Die quietly when stdout is a pipe whose reader has gone (`nines validate *.toml | head`), as
    // command-line tools do, instead of panicking on the failed write: Rust ignores SIGPIPE by default.
    #[cfg(unix)]
    // SAFETY: setting a signal's disposition to its default, before any thread is started.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Run(args) => run::run(args),
        Command::Validate { scenarios } => validate::validate(&scenarios),
        Command::Merge(args) => merge::merge(args),
        Command::Compare(args) => layouts::compare(args),
        Command::Sweep(args) => layouts::sweep(args),
        Command::Exact(args) => exact::exact(args),
        Command::Rare(args) => rare::rare_cmd(args),
        Command::Fit(args) => fit::fit_cmd(args),
        Command::Verify { dir } => outdir::verify(&dir),
        Command::Completions { shell } => completions::completions::<Cli>(shell),
        Command::Man { subcommand } => completions::man::<Cli>(subcommand.as_deref()),
        Command::Schema => completions::schema(),
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
