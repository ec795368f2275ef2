//! Scenario files: TOML text → validated [`Model`]. Every problem in a file is reported at once, each
//! with its line, column, field path and what would be valid.
//!
//! `compile` reads the spanned TOML tree with one `Compiler` (compile.rs holds its state, the section
//! order, the checks across sections and the final build); each section or mechanism has its own file
//! that turns its part of the text into its part of the model:
//!
//! ```text
//! reader       spanned tree, typed value readers, diagnostics collected with paths
//! dist         distributions: failure, repair and any other duration distribution
//! simulation   [simulation] and [defaults]
//! crews        [crews] and a component's crew and priority
//! stocks       [stocks] and a node's spare
//! sites        [sites] with their WAN links; the place names (domains and sites) of `in`
//! components   [nodes] and [domains]; node names and groups
//! quorum       [clusters]: failover clusters with quorum (votes, witness, dynamic quorum)
//! hosts        [hosts]: virtual machines on host groups (boot, live migration, anti-affinity)
//! roles/       [roles]: one file per kind, recovery, software failures, failover parameters
//! services     [services] and their expressions
//! maintenance  [maintenance] schedules
//! clients      [clients]: populations, request kinds, reconnect
//! costs        [costs] and yearly costs of nodes and roles
//! sweep        [sweep] and `--set` value lists
//! ```

mod balancer;
mod clients;
mod compile;
mod components;
mod costs;
mod crews;
mod cycles;
mod dist;
mod hosts;
mod latent;
mod maintenance;
mod phases;
mod quorum;
mod reader;
mod reassign;
mod roles;
pub mod schema;
mod services;
mod simulation;
mod sites;
mod stocks;
pub mod sweep;

use std::fmt;

use toml::de::DeTable;

use crate::model::Model;
use compile::Compiler;
pub use reader::closest;
use reader::{Errors, Tbl};

/// Largest accepted number of replications in one run.
pub const MAX_REPLICATIONS: u64 = 10_000_000_000;
/// Longest accepted mission.
pub const MAX_MISSION_YEARS: f64 = 10_000.0;
/// Largest accepted `count` of a node group.
pub const MAX_GROUP_COUNT: u64 = 100_000;
/// Largest accepted number of nodes in all (the engine keeps one clock per component in a tree of
/// at most 2^24 leaves; domains, sites and links add a few).
pub const MAX_NODES: usize = 10_000_000;
/// Largest accepted number of parts on a stock's shelf.
pub const MAX_PARTS: u64 = 10_000;
/// Largest accepted number of technicians in a crew.
pub const MAX_TECHNICIANS: u64 = 10_000;
/// Largest accepted failover cluster (Windows Server failover clustering supports 64 nodes).
pub const MAX_CLUSTER_NODES: usize = 64;
/// Most secondary replicas of an availability group.
pub const MAX_AG_SECONDARIES: usize = 8;
/// Most windows one maintenance schedule may open in a mission.
pub const MAX_WINDOWS: f64 = 1_000_000.0;
/// Crew priority of a component that gives none.
pub const DEFAULT_PRIORITY: u32 = 100;
/// Largest accepted `count` of a client population.
pub const MAX_CLIENTS: u64 = 100_000_000;
/// Largest accepted `max_attempts` of a request kind.
pub const MAX_ATTEMPTS: u64 = 16;
/// `max_attempts` of a request kind that gives none.
pub const DEFAULT_ATTEMPTS: u32 = 3;
/// Largest accepted yearly cost (of one item).
pub const MAX_COST: f64 = 1e12;
/// Most parameters a sweep varies together (a grid over them).
pub const MAX_SWEEP_PARAMETERS: usize = 2;
/// Most values of one swept parameter.
pub const MAX_SWEEP_VALUES: usize = 64;

/// One problem in a scenario file, located for people.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Diagnostic {
    /// 1-based line.
    pub line: usize,
    /// 1-based column (in characters).
    pub column: usize,
    /// Dotted path of the field, e.g. `nodes.web1.failure.mean`; empty for syntax errors.
    pub path: String,
    /// What is wrong and what would be valid.
    pub message: String,
}

/// A scenario that could not be compiled, with every problem found in it.
#[derive(Debug, Clone, thiserror::Error)]
pub struct ScenarioError {
    /// The file as named by the user.
    pub file: String,
    /// All problems, in file order.
    pub diagnostics: Vec<Diagnostic>,
}

impl fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for d in &self.diagnostics {
            write!(f, "{}:{}:{}: ", self.file, d.line, d.column)?;
            if !d.path.is_empty() {
                write!(f, "{}: ", d.path)?;
            }
            writeln!(f, "{}", d.message)?;
        }
        let n = self.diagnostics.len();
        write!(
            f,
            "{n} error{} in {}",
            if n == 1 { "" } else { "s" },
            self.file
        )
    }
}

/// Turns a byte offset into a 1-based (line, column).
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = &text[..floor_char_boundary(text, offset)];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, col)
}

fn floor_char_boundary(s: &str, mut i: usize) -> usize {
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// The scenario name for a file path: its stem, e.g. `scenarios/web.toml` → `web`.
pub fn name_from_path(file: &str) -> String {
    let base = file.rsplit(['/', '\\']).next().unwrap_or(file);
    base.strip_suffix(".toml").unwrap_or(base).to_string()
}

/// Compiles scenario text. `file` names it in error messages; the scenario name is its stem.
pub fn compile(text: &str, file: &str) -> Result<Model, ScenarioError> {
    let (doc, syntax) = DeTable::parse_recoverable(text);
    let mut errs = Errors::default();
    if !syntax.is_empty() {
        for e in syntax {
            let span = e.span().unwrap_or(0..0);
            let message = e.message().trim();
            // Name the key a duplicate-key error points at: the line alone may hold several.
            let key = text
                .get(span.clone())
                .map(|k| k.trim().trim_matches(|c| matches!(c, '[' | ']' | '"')))
                .filter(|k| {
                    message == "duplicate key"
                        && !k.is_empty()
                        && k.len() <= 80
                        && !k.contains('\n')
                });
            let message = match key {
                Some(k) => format!(
                    "TOML syntax error: duplicate key `{k}`: a key (or table) may be given only once"
                ),
                None => format!("TOML syntax error: {message}"),
            };
            errs.push(span, "", message);
        }
        return Err(render(text, file, errs));
    }
    reader::reject_control_characters(doc.get_ref(), "", &mut errs);
    if !errs.list.is_empty() {
        return Err(render(text, file, errs));
    }
    let root = Tbl::from_table(doc.get_ref(), doc.span(), "");
    let model = Compiler::new(name_from_path(file)).run(&root, &mut errs);
    root.finish(&mut errs);
    match model {
        Some(m) if errs.list.is_empty() => Ok(m),
        _ => Err(render(text, file, errs)),
    }
}

fn render(text: &str, file: &str, errs: Errors) -> ScenarioError {
    let mut list = errs.list;
    list.sort_by_key(|d| (d.span.start, d.path.clone()));
    list.dedup_by(|a, b| a.span == b.span && a.message == b.message);
    let diagnostics = list
        .into_iter()
        .map(|d| {
            let (line, column) = line_col(text, d.span.start);
            Diagnostic {
                line,
                column,
                path: d.path,
                message: d.message,
            }
        })
        .collect();
    ScenarioError {
        file: file.to_string(),
        diagnostics,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_chars() {
        let text = "a\nbé c\n";
        assert_eq!(line_col(text, 0), (1, 1));
        assert_eq!(line_col(text, 2), (2, 1));
        assert_eq!(line_col(text, 6), (2, 4));
    }

    #[test]
    fn names_from_paths() {
        assert_eq!(name_from_path("scenarios/web.toml"), "web");
        assert_eq!(name_from_path("c:\\x\\y.toml"), "y");
        assert_eq!(name_from_path("plain"), "plain");
    }
}
