//! Importance measures: which component's failures cost each service most, and what improving it
//! would buy (Birnbaum, criticality, risk achievement and reduction worth, downtime saved), and the
//! service's minimal cut sets. Not to be confused with [`crate::analyses::split`]'s importance
//! *splitting*, a rare-event technique.
//!
//! The measures, for service S with unavailability U and component i with unavailability q_i
//! (Rausand & Høyland, *System Reliability Theory*, 2nd ed., §5.2–5.6):
//!
//! ```text
//! Birnbaum      I_B = U(i down) − U(i up)            (= P(i critical) for independent components)
//! criticality   I_C = I_B · q_i / U                  (share of the downtime i's failures explain)
//! RAW               = U(i down) / U                  (how much worse with i always down)
//! RRW               = U / U(i up)                    (how much better with i never down)
//! saved             = (U − U(i up)) · 8760 h         (downtime per year if i never failed)
//! ```
//!
//! Estimator: no extra run per component. At every instant the service's structure is read with i's
//! state flipped, the other components as they are; i is *critical* when that flips the service.
//! Over time, with X_up the share of time i is up and critical and X_down the share down and critical:
//! U(i down) = U + X_up, U(i up) = U − X_down, I_B = X_up + X_down, I_C = X_down / U. For independent
//! components these equal the textbook definitions exactly (X_down = q_i·I_B); with shared crews or
//! role mechanisms they are the counterfactual "i's state flipped, everything else as it happened".
//! The structure reads a role machine as up while one of its replicas can run: failover times,
//! restarts and software failures are not re-simulated, so U(i up) is the real downtime less the
//! downtime i's being down explains structurally (the "structural importance given the other states").
//! In simulation the flip is evaluated between events of a second pass over the run's replications
//! (same seeds: the same histories); in exact mode, over the chain's states weighted by the steady
//! state. Cut sets come from the structure alone; each one's contribution is the hours per year with
//! all its members down at once (measured, not a product of unavailabilities: crews and common
//! causes make components dependent).

mod exact;
mod simulate;
mod structure;

pub use exact::exact;
pub use structure::Structure;

use crate::base::stats::{Estimate, MeanAcc};
use crate::base::units::HOURS_PER_YEAR;
use crate::model::{ComponentId, Model};

/// Default largest cut set order.
pub const DEFAULT_ORDER: usize = 3;

/// The measures of one component for one service.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ComponentImportance {
    /// Service index.
    pub service: usize,
    /// Component index.
    pub component: ComponentId,
    /// Birnbaum importance.
    pub birnbaum: Estimate,
    /// Criticality importance.
    pub criticality: Estimate,
    /// Risk achievement worth.
    pub raw: Estimate,
    /// Risk reduction worth (NaN when the service has no downtime left with the component never down).
    pub rrw: Estimate,
    /// Downtime per year the service would lose if the component never failed, hours.
    pub saved_hours_per_year: Estimate,
    /// The component's own unavailability.
    pub component_unavailability: Estimate,
}

/// A minimal cut set of a service and the time all its members are down together.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct CutSet {
    /// Service index.
    pub service: usize,
    /// Components, in increasing index order.
    pub members: Vec<ComponentId>,
    /// Hours per year with every member down at once.
    pub hours_per_year: Estimate,
}

/// Importance of every component for every service.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Importance {
    /// "simulation" or "exact".
    pub method: &'static str,
    /// Replications behind the estimates (0 for exact).
    pub replications: u64,
    /// Largest cut set order listed.
    pub order: usize,
    /// Per service: unavailability.
    pub unavailability: Vec<Estimate>,
    /// Per service, ranked by downtime saved (largest first, then by component index).
    pub components: Vec<ComponentImportance>,
    /// Per service, by size then members.
    pub cut_sets: Vec<CutSet>,
}

/// Every service's minimal cut sets up to `order`, as (service, members).
fn all_cuts(structure: &Structure<'_>, services: usize, order: usize) -> Vec<(usize, Vec<usize>)> {
    (0..services)
        .flat_map(|s| {
            structure
                .cut_sets(s, order)
                .into_iter()
                .map(move |c| (s, c))
        })
        .collect()
}

/// Ranks rows within each service by downtime saved, largest first.
fn rank(rows: &mut [ComponentImportance]) {
    rows.sort_by(|a, b| {
        a.service
            .cmp(&b.service)
            .then(
                b.saved_hours_per_year
                    .value
                    .total_cmp(&a.saved_hours_per_year.value),
            )
            .then(a.component.cmp(&b.component))
    });
}

/// Estimates the importance measures from `replications` replications of `model` (those of a run with
/// the same seed: the same histories), on `threads` workers (the result does not depend on them).
pub fn simulate(
    model: &Model,
    replications: u64,
    order: usize,
    threads: usize,
) -> Result<Importance, rayon::ThreadPoolBuildError> {
    let structure = Structure::new(model);
    let cuts = all_cuts(&structure, model.services.len(), order);
    let sums = simulate::simulate(model, &structure, &cuts, 0..replications, threads)?;
    Ok(finish(&structure, cuts, &sums, replications, order))
}

/// The mergeable state of the importance estimates over some of a run's replications: what a shard's
/// part carries, so that `merge` gives the unsharded run's figures bit for bit (the sums are exact).
#[derive(Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Partial {
    /// Largest cut set order.
    pub order: usize,
    /// First replication.
    pub first: u64,
    /// End of the replications (exclusive).
    pub end: u64,
    sums: simulate::Sums,
}

/// The sums of replications `range` of `model`, for a shard's part.
pub fn partial(
    model: &Model,
    range: std::ops::Range<u64>,
    order: usize,
    threads: usize,
) -> Result<Partial, rayon::ThreadPoolBuildError> {
    let structure = Structure::new(model);
    let cuts = all_cuts(&structure, model.services.len(), order);
    let (first, end) = (range.start, range.end);
    let sums = simulate::simulate(model, &structure, &cuts, range, threads)?;
    Ok(Partial {
        order,
        first,
        end,
        sums,
    })
}

/// The measures of `replications` replications from the parts' sums, in the parts' order (the
/// shards'); why not when the parts disagree or do not fit `model`.
pub fn from_partials(
    model: &Model,
    parts: &[&Partial],
    replications: u64,
) -> Result<Importance, String> {
    let Some(first) = parts.first() else {
        return Err("no part has importance sums".into());
    };
    let order = first.order;
    if let Some(p) = parts.iter().find(|p| p.order != order) {
        return Err(format!(
            "the parts were run with different --cut-order ({order} and {}): rerun the shards with one",
            p.order
        ));
    }
    if !(1..=4).contains(&order) {
        return Err(format!("a cut set order of {order}, not 1 to 4"));
    }
    let structure = Structure::new(model);
    let cuts = all_cuts(&structure, model.services.len(), order);
    let pairs: usize = structure.support.iter().map(Vec::len).sum();
    let (services, components) = (model.services.len(), model.components.len());
    let mut sums = simulate::Sums::new(services, pairs, components, cuts.len());
    for p in parts {
        if !p.sums.fits(services, pairs, components, cuts.len()) {
            return Err("its importance sums are not those of its scenario".into());
        }
        sums.merge(&p.sums);
    }
    Ok(finish(&structure, cuts, &sums, replications, order))
}

/// The measures from the sums of `replications` replications.
fn finish(
    structure: &Structure<'_>,
    cuts: Vec<(usize, Vec<usize>)>,
    sums: &simulate::Sums,
    replications: u64,
    order: usize,
) -> Importance {
    let mut rows = Vec::new();
    let mut k = 0;
    for (s, support) in structure.support.iter().enumerate() {
        for &c in support {
            rows.push(ComponentImportance {
                service: s,
                component: c,
                birnbaum: sums.birnbaum[k].estimate().share(),
                criticality: sums.criticality[k].estimate().share(),
                raw: sums.raw[k].estimate().within(1.0, f64::INFINITY),
                rrw: sums.rrw[k].estimate().within(1.0, f64::INFINITY),
                saved_hours_per_year: sums.saved[k].estimate().within(0.0, HOURS_PER_YEAR),
                component_unavailability: sums.q[c].estimate().share(),
            });
            k += 1;
        }
    }
    rank(&mut rows);
    let cut_sets = cuts
        .into_iter()
        .zip(&sums.cuts)
        .map(|((service, members), acc): (_, &MeanAcc)| CutSet {
            service,
            members,
            hours_per_year: acc.estimate().within(0.0, HOURS_PER_YEAR),
        })
        .collect();
    Importance {
        method: "simulation",
        replications,
        order,
        unavailability: sums.u.iter().map(|u| u.estimate().share()).collect(),
        components: rows,
        cut_sets,
    }
}

/// An exact figure as an estimate: both bounds equal to the value, no replications.
fn exactly(value: f64) -> Estimate {
    Estimate {
        value,
        ci95_low: value,
        ci95_high: value,
        n: 0,
    }
}
