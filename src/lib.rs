//! nines: a discrete-event Monte Carlo availability simulator for high-availability layouts.
//!
//! The library holds the whole model and engine and does no I/O: [`scenario::compile`] turns scenario
//! text into a [`model::Model`], [`runner::run`] simulates it in parallel and returns [`summary::Summary`]
//! figures with confidence intervals, [`output`] turns results into bytes (tables, CSV, JSON),
//! [`charts`] into SVG and PNG charts and [`report`] into a self-contained HTML report; [`trace`]
//! records one replication's history for the timeline. [`markov`] solves scenarios whose durations are
//! all exponential exactly, and [`rare`] estimates very small unavailabilities by importance sampling
//! on the same chain.
#![warn(missing_docs)]

pub mod charts;
pub mod clients;
pub mod compare;
pub mod dist;
pub mod engine;
pub mod exact_output;
pub mod explain;
pub mod longrun;
pub mod markov;
pub mod model;
pub mod output;
pub mod partial;
pub mod rare;
pub mod report;
pub mod rng;
pub mod runner;
pub mod scenario;
pub mod split;
pub mod stats;
pub mod summary;
pub mod sweep;
pub mod trace;
pub mod units;
