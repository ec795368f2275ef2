//! The importance measures from the exact chain: the same flip of one component's state, weighted by
//! the steady-state probability of each state instead of by simulated time.

use crate::analyses::exact::{self, MarkovError, Options};
use crate::base::units::HOURS_PER_YEAR;
use crate::model::Model;

use super::{
    ComponentImportance, CutSet, DEFAULT_ORDER, Importance, Structure, all_cuts, exactly, rank,
};

/// Importance of every component for every service of a Markovian `model`, in steady state, with
/// cut sets up to `order` (default [`DEFAULT_ORDER`]).
pub fn exact(
    model: &Model,
    opts: &Options,
    order: Option<usize>,
) -> Result<Importance, MarkovError> {
    let order = order.unwrap_or(DEFAULT_ORDER);
    let st = exact::component_states(model, opts)?;
    let structure = Structure::new(model);
    let cuts = all_cuts(&structure, model.services.len(), order);
    let nc = st.components;
    let pairs: usize = structure.support.iter().map(Vec::len).sum();
    let (mut x_up, mut x_down) = (vec![0.0; pairs], vec![0.0; pairs]);
    let mut q = vec![0.0; nc];
    let mut cut_p = vec![0.0; cuts.len()];
    let mut up = vec![true; nc];
    let mut memo = Vec::new();
    for i in 0..st.states {
        let p = st.pi[i];
        let down = &st.down[i * nc..(i + 1) * nc];
        for c in 0..nc {
            up[c] = !down[c];
            if down[c] {
                q[c] += p;
            }
        }
        let mut k = 0;
        for (s, support) in structure.support.iter().enumerate() {
            let base = structure.service_up(s, &up, &mut memo);
            for &c in support {
                up[c] = !up[c];
                let flipped = structure.service_up(s, &up, &mut memo);
                up[c] = !up[c];
                if base != flipped {
                    if up[c] {
                        x_up[k] += p;
                    } else {
                        x_down[k] += p;
                    }
                }
                k += 1;
            }
        }
        for (j, (_, members)) in cuts.iter().enumerate() {
            if members.iter().all(|&m| down[m]) {
                cut_p[j] += p;
            }
        }
    }
    let mut rows = Vec::new();
    let mut k = 0;
    for (s, support) in structure.support.iter().enumerate() {
        let u = st.unavailability[s];
        for &c in support {
            let (xu, xd) = (x_up[k], x_down[k]);
            let left = u - xd;
            rows.push(ComponentImportance {
                service: s,
                component: c,
                birnbaum: exactly(xu + xd),
                criticality: exactly(xd / u),
                raw: exactly((u + xu) / u),
                rrw: exactly(if left > 0.0 { u / left } else { f64::NAN }),
                saved_hours_per_year: exactly(xd * HOURS_PER_YEAR),
                component_unavailability: exactly(q[c]),
            });
            k += 1;
        }
    }
    rank(&mut rows);
    let cut_sets = cuts
        .into_iter()
        .zip(cut_p)
        .map(|((service, members), p)| CutSet {
            service,
            members,
            hours_per_year: exactly(p * HOURS_PER_YEAR),
        })
        .collect();
    Ok(Importance {
        method: "exact",
        replications: 0,
        order,
        unavailability: st.unavailability.iter().map(|&u| exactly(u)).collect(),
        components: rows,
        cut_sets,
    })
}
