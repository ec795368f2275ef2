//! nines: a discrete-event Monte Carlo availability simulator for high-availability layouts.
//!
//! The library is a pipeline, one folder per layer, each using only the layers below it:
//!
//! ```text
//! base      units, distributions, random streams, streaming statistics, number formatting
//! model     the compiled model: components, machines, services, clients, the gate graph
//! scenario  TOML text → Model, with located diagnostics
//! engine    one mission: the event loop and one file per mechanism
//! estimate  many missions: accumulators, estimates with intervals, batches, long runs, shards
//! analyses  exact Markov mode, rare events (importance sampling, splitting), compare, sweep, explain
//! write     results → bytes: tables, CSV, JSON, charts, the HTML report
//! ```
//!
//! The library does no I/O; the command line (`src/cli/`, the `nines` binary) is the only place with
//! files, signals and the terminal.
#![warn(missing_docs)]

pub mod analyses;
pub mod base;
pub mod engine;
pub mod estimate;
pub mod model;
pub mod scenario;
pub mod write;
