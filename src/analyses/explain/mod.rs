//! Plain-language explanations of a compiled model: what `nines validate` prints (one line per
//! component and mechanism) and warnings about valid but suspicious scenarios.
//!
//! One file per part of a scenario: components, crews, spare-part stocks, sites, roles, quorum (clusters),
//! hosts (virtual machines), maintenance, latent failures (silent nodes, inspections), services, clients,
//! and the warnings.

mod balancer;
mod clients;
mod components;
mod crews;
mod hosts;
mod latent;
mod maintenance;
mod names;
mod phases;
mod quorum;
mod roles;
mod services;
mod sites;
mod standby;
mod stocks;
mod warnings;
mod work;

use std::fmt::Write as _;

use crate::base::units::{format_duration, trim_float};
use crate::model::{ComponentId, Model};

pub use roles::redundancy;
pub use warnings::warnings;
pub use work::events_per_replication;

/// `n` and the noun in the right number: `1 node`, `3 nodes`.
fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// Names of components, at most `max` of them, then "and N more".
fn list(model: &Model, ids: &[ComponentId], max: usize) -> String {
    let mut s = names(model, &ids[..ids.len().min(max)]);
    let more = ids.len().saturating_sub(max);
    if more > 0 {
        let _ = write!(s, " and {more} more");
    }
    s
}

/// What a shared resource (a crew, a stock) serves: "nothing", or "3 nodes (a, b, c)".
fn served_by(model: &Model, ids: &[ComponentId], one: &str, many: &str) -> String {
    if ids.is_empty() {
        "nothing".to_string()
    } else {
        format!("{} ({})", plural(ids.len(), one, many), list(model, ids, 8))
    }
}

/// A fraction as a percentage: `99.5%`.
fn pct(p: f64) -> String {
    format!("{}%", trim_float(p * 100.0))
}

/// Names of components, separated by commas.
fn names(model: &Model, ids: &[ComponentId]) -> String {
    ids.iter()
        .map(|&n| model.components[n].name.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// What `nines validate` prints: one line per component, crew, site, role, maintenance schedule
/// and service, then warnings.
pub fn describe(model: &Model) -> String {
    let mut out = String::new();
    let sim = &model.simulation;
    let _ = writeln!(
        out,
        "scenario {}: mission {}, {} replications, seed {}{}",
        model.name,
        format_duration(sim.mission),
        sim.replications,
        sim.seed,
        sim.threads
            .map(|t| format!(", {t} threads"))
            .unwrap_or_default()
    );
    components::write_components(model, &mut out);
    crews::write_crews(model, &mut out);
    stocks::write_stocks(model, &mut out);
    sites::write_sites(model, &mut out);
    roles::write_roles(model, &mut out);
    quorum::write_clusters(model, &mut out);
    hosts::write_hosts(model, &mut out);
    maintenance::write_maintenance(model, &mut out);
    latent::write_latent(model, &mut out);
    phases::write_phases(model, &mut out);
    services::write_services(model, &mut out);
    clients::write_clients(model, &mut out);
    if let Some(cost) = model.cost_line() {
        let _ = writeln!(out, "{cost}");
    }
    if !model.sweep.is_empty() {
        let params: Vec<String> = model
            .sweep
            .iter()
            .map(|p| {
                let v: Vec<String> = p.values.iter().map(|v| v.to_string()).collect();
                format!("{} over {}", p.path, v.join(", "))
            })
            .collect();
        let _ = writeln!(out, "sweep (nines sweep): {}", params.join("; "));
    }
    for w in warnings(model) {
        let _ = writeln!(out, "warning: {w}");
    }
    out
}
