//! Phases in the chain: with exponential laws a calendar that changes only which states count as up
//! (a pool's `min_up`, a service's `needed_in`) leaves the moves alone, so the steady state holds in
//! every phase and the mission figures follow the transient across the calendar's stretches.

use serde::Serialize;

use crate::base::units::{HOURS_PER_YEAR, Hours};
use crate::model::{Model, RoleKind, SignalId};

use super::chain::{AT_RISK, Chain, DOWN};
use super::solve::{Poisson, uniformised_step};
use super::space::Space;
use super::{ExactEntity, MarkovError};

/// Name of the row over the phases where a service is needed (as `nines run`'s).
const NEEDED: &str = "needed";

/// Most transitions visited by the transient across the calendar.
const WORK: f64 = 4e9;

/// Exact figures of one service in one phase (or, as row `needed`, over the phases in its
/// `needed_in`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ExactPhase {
    /// The service.
    pub service: String,
    /// The phase, `other` (time in no named phase) or `needed`.
    pub phase: String,
    /// When the phase holds, in words.
    pub when: String,
    /// Hours of each year in the phase.
    pub hours_per_year: Hours,
    /// Whether the service's downtime counts in this phase (`needed_in`).
    pub counts: bool,
    /// Steady state: time up in the phase / time in it.
    pub availability: f64,
    /// Steady state: time down in the phase / time in it (summed over down states).
    pub unavailability: f64,
    /// Steady state: downtime in the phase per year, hours.
    pub downtime_hours_per_year: Hours,
    /// Steady state: outages per year that begin in the phase (in it, or at its start when its
    /// `min_up` is stricter than the phase before); none for row `needed`.
    pub outages_per_year: Option<f64>,
    /// Over the mission from all up (what `nines run` reports as the phase's availability, as an
    /// unavailability): expected downtime in the phase / the mission's hours in it.
    pub interval_unavailability: Option<f64>,
    /// Over the mission from all up: expected downtime in the phase per year of mission, hours (as
    /// `nines run`'s `downtime_hours_per_year`).
    pub interval_downtime_hours_per_year: Option<Hours>,
}

impl<'m> Chain<'m> {
    /// [`Chain::new`], also for a scenario with phases whose calendar changes only which states
    /// count as up; the chain then knows each phase's gate needs.
    pub fn phased(model: &'m Model, approximate: bool) -> Result<Self, MarkovError> {
        let mut chain = Self::build(model, approximate, true)?;
        chain.phase_needs = needs(model);
        check(&chain)?;
        Ok(chain)
    }
}

/// Per phase, every gate's need in it (a pool's `min_up` in force there, as the engine sets it at
/// each boundary); empty when every phase keeps the model's needs.
fn needs(model: &Model) -> Vec<Vec<u32>> {
    let g = &model.graph;
    let out: Vec<Vec<u32>> = model
        .phases
        .list
        .iter()
        .map(|p| {
            let mut need = g.need.clone();
            for &(r, n) in &p.min_up {
                let own = model.roles[r].own;
                if g.is_gate(own) {
                    need[own as usize - g.primitives] = n;
                }
            }
            need
        })
        .collect();
    if out.iter().all(|n| *n == g.need) {
        Vec::new()
    } else {
        out
    }
}

/// Refuses phases that change the moves: a pool whose `min_up` changes with the phase, read (through
/// the signals above it) by a role machine, a host group, a standby pool or a cluster's quorum.
fn check(chain: &Chain) -> Result<(), MarkovError> {
    let model = chain.model;
    let g = &model.graph;
    for (r, role) in model.roles.iter().enumerate() {
        if !matches!(role.kind, RoleKind::Pool { .. }) || !g.is_gate(role.own) {
            continue;
        }
        let gi = role.own as usize - g.primitives;
        let Some((p, phase)) = chain
            .phase_needs
            .iter()
            .zip(&model.phases.list)
            .enumerate()
            .find(|(_, (need, _))| need[gi] != g.need[gi])
            .map(|(p, (_, ph))| (p, ph))
        else {
            continue;
        };
        let mut above = vec![false; g.signals()];
        above[role.own as usize] = true;
        for &s in &chain.order {
            if deps(chain, s as usize).iter().any(|&d| above[d as usize]) {
                above[s as usize] = true;
            }
        }
        let reader = (0..g.signals())
            .filter(|&s| above[s])
            .find_map(|s| reader(chain, s as SignalId));
        if let Some(who) = reader {
            let need = chain.phase_needs[p][gi];
            return Err(MarkovError::Unsupported {
                feature: format!("phases.{}.min_up.{}", phase.name, model.roles[r].name),
                why: format!(
                    "in phase `{}` pool `{}` needs {need} of its nodes up, and {who} reacts to a \
                     signal that depends on it, so the chain's moves change with the calendar, which \
                     no time-homogeneous Markov chain represents; simulate with `nines run`, or give \
                     the pool one `min_up` in every phase for the exact mode",
                    phase.name, model.roles[r].name
                ),
            });
        }
    }
    Ok(())
}

/// The signals the level of signal `s` is computed from (as the chain's evaluation order).
fn deps(chain: &Chain, s: usize) -> Vec<SignalId> {
    super::chain::signal_inputs(
        chain.model,
        &chain.machine_of,
        &chain.machines,
        &chain.pools,
        &chain.serving_of,
        s,
    )
}

/// What reacts to the level of signal `s`, in words, if anything does.
fn reader(chain: &Chain, s: SignalId) -> Option<String> {
    let model = chain.model;
    if let Some(&w) = chain.watch[s as usize].first() {
        let w = w as usize;
        let (nm, ng) = (chain.machines.len(), chain.groups.len());
        return Some(if w < nm {
            let role = model.roles.iter().filter(|r| r.machine.is_some()).nth(w);
            format!("role `{}`", role.map_or("?", |r| r.name.as_str()))
        } else if w < nm + ng {
            format!("host group `{}`", model.host_groups[w - nm].name)
        } else {
            let role = model
                .roles
                .iter()
                .filter(|r| r.standby.is_some())
                .nth(w - nm - ng);
            format!(
                "the standby switching of pool `{}`",
                role.map_or("?", |r| r.name.as_str())
            )
        });
    }
    model
        .quorums
        .iter()
        .find(|q| q.signal == s || q.voters.iter().any(|&v| model.components[v].effective == s))
        .map(|q| format!("the quorum of cluster `{}`", q.name))
}

/// Per phase and entity (`p * entities + e`) the steady-state probabilities of being down, up and
/// at risk under the phase's rules.
struct Steady {
    down: Vec<f64>,
    up: Vec<f64>,
    risk: Vec<f64>,
}

fn steady(space: &Space, pi: &[f64], np: usize) -> Steady {
    let ne = space.entities;
    let mut st = Steady {
        down: vec![0.0; np * ne],
        up: vec![0.0; np * ne],
        risk: vec![0.0; np * ne],
    };
    for (i, &p) in pi.iter().enumerate() {
        for ph in 0..np {
            for e in 0..ne {
                let k = ph * ne + e;
                match space.level_in(i, ph, np, e) {
                    DOWN => st.down[k] += p,
                    AT_RISK => {
                        st.up[k] += p;
                        st.risk[k] += p;
                    }
                    _ => st.up[k] += p,
                }
            }
        }
    }
    st
}

/// Steady-state outages per year of each entity that begin in each phase (`p * entities + e`): the
/// flow into its down states while the phase holds, and the states up under the phase before and
/// down under it at each of its starts.
fn outages(model: &Model, space: &Space, pi: &[f64]) -> Vec<f64> {
    let ph = &model.phases;
    let (np, ne) = (ph.list.len(), space.entities);
    let mut out = vec![0.0; np * ne];
    for (i, &p) in pi.iter().enumerate() {
        for q in 0..np {
            let h = ph.list[q].hours_per_year;
            for e in 0..ne {
                if space.level_in(i, q, np, e) == DOWN {
                    continue;
                }
                let into: f64 = space
                    .out(i)
                    .filter(|&(j, _)| space.level_in(j, q, np, e) == DOWN)
                    .map(|(_, r)| r)
                    .sum();
                out[q * ne + e] += p * into * h;
            }
        }
    }
    if !space.phase_level.is_empty() {
        let cal = &ph.calendar;
        for (k, &(_, b)) in cal.iter().enumerate() {
            let a = cal[if k == 0 { cal.len() - 1 } else { k - 1 }].1;
            if a == b {
                continue;
            }
            for (i, &p) in pi.iter().enumerate() {
                for e in 0..ne {
                    if space.level_in(i, a, np, e) != DOWN && space.level_in(i, b, np, e) == DOWN {
                        out[b * ne + e] += p;
                    }
                }
            }
        }
    }
    out
}

/// The calendar's stretches inside `[0, mission)`: (start, end, phase), in time order.
fn stretches(model: &Model, mission: Hours) -> Vec<(Hours, Hours, usize)> {
    let ph = &model.phases;
    let mut out = Vec::new();
    let mut y = 0.0;
    while y * HOURS_PER_YEAR < mission {
        let base = y * HOURS_PER_YEAR;
        for (k, &(start, p)) in ph.calendar.iter().enumerate() {
            let (a, b) = (base + start, (base + ph.entry_end(k)).min(mission));
            if b > a {
                out.push((a, b, p));
            }
        }
        y += 1.0;
    }
    out
}

/// Expected downtime over the mission from the all-up start, per phase and entity
/// (`p * entities + e`), hours: each stretch's integral of the transient by uniformisation,
/// ∫₀ᴸ p(t₀+s) ds = (1/Λ) Σₖ P(N_L > k) p(t₀)Pᵏ, its end vector carried to the next stretch; once
/// the transient has reached the steady state, each stretch adds its length times π's figure.
fn transient(
    model: &Model,
    space: &Space,
    pi: &[f64],
    st: &Steady,
    mission: Hours,
) -> Result<Vec<f64>, String> {
    let np = model.phases.list.len();
    let (n, ne) = (space.n, space.entities);
    let lambda = 1.02 * space.exit.iter().cloned().fold(0.0, f64::max);
    let nnz = (space.to.len() + 3 * n) as f64;
    let mut down = vec![0.0; np * ne];
    let mut p = vec![0.0; n];
    p[0] = 1.0;
    let mut settled = lambda <= 0.0;
    let (mut next, mut acc, mut end) = (vec![0.0; n], vec![0.0; n], vec![0.0; n]);
    let mut work = 0.0;
    let (mut steps, mut calm) = (0u64, 0u64);
    for (t0, t1, ph) in stretches(model, mission) {
        let len = t1 - t0;
        if settled {
            for e in 0..ne {
                down[ph * ne + e] += len * st.down[ph * ne + e];
            }
            continue;
        }
        let m = lambda * len;
        let kmax = (m + 12.0 * m.sqrt() + 50.0).ceil() as u64;
        let mut poisson = Poisson::new(m);
        let mut cdf = 0.0;
        acc.fill(0.0);
        end.fill(0.0);
        let mut k: u64 = 0;
        loop {
            let pmf = poisson.next_pmf();
            cdf += pmf;
            let w = (1.0 - cdf).max(0.0);
            for i in 0..n {
                end[i] += pmf * p[i];
                acc[i] += w * p[i];
            }
            if (k as f64 > m && pmf < 1e-20) || k >= kmax {
                break;
            }
            work += nnz;
            if work > WORK {
                return Err(format!(
                    "interval figures skipped: the transient across the calendar takes too long for \
                     this chain ({n} states, {} uniformised steps in the first {:.0} hours without \
                     reaching steady state)",
                    (work / nnz) as u64,
                    t1
                ));
            }
            uniformised_step(space, &p, &mut next, lambda);
            std::mem::swap(&mut p, &mut next);
            k += 1;
        }
        // p was advanced k times; the stretch's end is the Poisson mixture of those steps.
        std::mem::swap(&mut p, &mut end);
        for (i, &a) in acc.iter().enumerate() {
            for e in 0..ne {
                if space.level_in(i, ph, np, e) == DOWN {
                    down[ph * ne + e] += a / lambda;
                }
            }
        }
        // Settled once the whole vector is at π, or once every entity's figures have stayed at π's
        // for a while: parts of the chain no entity sees (which node a cluster runs on) may mix far
        // more slowly (as in the interval figure without phases).
        steps += k;
        let (whole, seen) = converged(space, pi, &p, st, np);
        calm = if seen { calm + k } else { 0 };
        settled = whole || calm > 2000 && calm > steps / 10;
    }
    Ok(down)
}

/// Whether the transient `p` has reached the steady state: the whole vector (within 1e-10, L1, and
/// every figure), and every entity's probability of being down in every phase (within 1e-10 of π's,
/// relative).
fn converged(space: &Space, pi: &[f64], p: &[f64], st: &Steady, np: usize) -> (bool, bool) {
    let l1: f64 = p.iter().zip(pi).map(|(a, b)| (a - b).abs()).sum();
    let ne = space.entities;
    let mut d = vec![0.0; np * ne];
    for (i, &x) in p.iter().enumerate() {
        for ph in 0..np {
            for e in 0..ne {
                if space.level_in(i, ph, np, e) == DOWN {
                    d[ph * ne + e] += x;
                }
            }
        }
    }
    let seen = d
        .iter()
        .zip(&st.down)
        .all(|(&a, &b)| (a - b).abs() <= 1e-10 * b);
    (seen && l1 <= 1e-10, seen)
}

/// Per service and phase the exact figures, and each entity's headline figures over the calendar
/// where a phase changes a pool's `min_up` (then the headline averages the phases by their hours).
/// The second value says why the mission figures are missing, when they are.
pub(super) fn figures(
    model: &Model,
    space: &Space,
    pi: &[f64],
    interval: bool,
    entities: &mut [ExactEntity],
) -> (Vec<ExactPhase>, Option<String>) {
    let ph = &model.phases;
    let (np, ne) = (ph.list.len(), space.entities);
    let mission = model.simulation.mission;
    let years = mission / HOURS_PER_YEAR;
    let st = steady(space, pi, np);
    let outs = outages(model, space, pi);
    let (mission_down, note) = if interval {
        match transient(model, space, pi, &st, mission) {
            Ok(d) => (Some(d), None),
            Err(why) => (None, Some(why)),
        }
    } else {
        (None, None)
    };
    let h: Vec<Hours> = ph.list.iter().map(|p| p.hours_per_year).collect();
    let hm = ph.hours_in(mission);
    for (e, x) in entities.iter_mut().enumerate() {
        if !space.phase_level.is_empty() {
            let over = |v: &[f64]| (0..np).map(|q| h[q] * v[q * ne + e]).sum::<f64>();
            x.unavailability = over(&st.down) / HOURS_PER_YEAR;
            x.availability = over(&st.up) / HOURS_PER_YEAR;
            x.at_risk_hours_per_year = over(&st.risk);
            x.outages_per_year = (0..np).map(|q| outs[q * ne + e]).sum();
            x.mean_outage_hours = if x.outages_per_year > 0.0 {
                x.unavailability / x.outages_per_year * HOURS_PER_YEAR
            } else {
                f64::NAN
            };
        }
        x.interval_unavailability = mission_down
            .as_ref()
            .map(|d| ((0..np).map(|q| d[q * ne + e]).sum::<f64>() / mission).max(0.0));
    }
    let mut rows = Vec::new();
    for (s, svc) in model.services.iter().enumerate() {
        let mask = ph.needed[s];
        let in_mask = |q: usize| mask & (1 << q) != 0;
        let per_hour = |n: f64, d: f64| if d > 0.0 { n / d } else { f64::NAN };
        let mut row = |phase: String, when: String, qs: &[usize], counts: bool, outages| {
            let hours: Hours = qs.iter().map(|&q| h[q]).sum();
            let sum = |v: &[f64]| qs.iter().map(|&q| h[q] * v[q * ne + s]).sum::<f64>();
            let mh: Hours = qs.iter().map(|&q| hm[q]).sum();
            let md = mission_down
                .as_ref()
                .map(|d| qs.iter().map(|&q| d[q * ne + s]).sum::<f64>());
            rows.push(ExactPhase {
                service: svc.name.clone(),
                phase,
                when,
                hours_per_year: hours,
                counts,
                availability: per_hour(sum(&st.up), hours),
                unavailability: per_hour(sum(&st.down), hours),
                downtime_hours_per_year: sum(&st.down),
                outages_per_year: outages,
                interval_unavailability: md.map(|d| per_hour(d, mh)),
                interval_downtime_hours_per_year: md.map(|d| d / years),
            });
        };
        for (q, phase) in ph.list.iter().enumerate() {
            if phase.hours_per_year > 0.0 {
                row(
                    phase.name.clone(),
                    phase.rule.clone(),
                    &[q],
                    in_mask(q),
                    Some(outs[q * ne + s]),
                );
            }
        }
        if ph.partial(s) {
            let qs: Vec<usize> = (0..np).filter(|&q| in_mask(q)).collect();
            let names: Vec<&str> = qs.iter().map(|&q| ph.list[q].name.as_str()).collect();
            row(
                NEEDED.into(),
                format!("up time in {} / time in them", names.join(", ")),
                &qs,
                true,
                None,
            );
        }
    }
    (rows, note)
}
