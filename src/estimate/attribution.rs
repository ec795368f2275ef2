//! Where each service's downtime comes from, as people read it: every hour of downtime attributed to
//! one cause (a failed component, a maintenance schedule, a role's own mechanism, several at once),
//! parts adding up to the service's downtime.

use serde::Serialize;

use crate::base::stats::Estimate;
use crate::engine::{Attributed, Cause, attribution_causes};
use crate::estimate::accumulate::RunAcc;
use crate::model::Model;

/// One cause's part of a service's downtime.
#[derive(Debug, Clone, Serialize)]
pub struct Attribution {
    /// The service.
    pub service: String,
    /// The cause, as shown: a component's name, `maintenance NAME`, `ROLE switching` (restart,
    /// operator, no host, restore, no quorum), `NODE failed unseen`, `several causes at once`, `unexplained`.
    pub cause: String,
    /// `component`, `maintenance`, `role`, `stock`, `unseen`, `several` or `unexplained`.
    pub kind: &'static str,
    /// Downtime per year attributed to it, hours.
    pub hours_per_year: Estimate,
    /// Its share of the service's downtime.
    pub share_of_downtime: Estimate,
}

/// A role's own cause as shown.
pub fn cause_name(c: Cause) -> &'static str {
    match c {
        Cause::Failover => "switching",
        Cause::Restart => "restart",
        Cause::Manual => "operator",
        Cause::NoHost => "no host",
        Cause::Recovery => "restore",
        Cause::NoQuorum => "no quorum",
    }
}

impl RunAcc {
    /// Per service, the causes with downtime, largest first.
    pub(super) fn attribution_summary(&self, model: &Model) -> Vec<Attribution> {
        let causes = attribution_causes(model);
        let mut out = Vec::new();
        for (svc, acc) in model.services.iter().zip(&self.attribution) {
            let mut rows: Vec<Attribution> = acc
                .parts()
                .filter(|(_, h, _)| h.sum() > 0.0)
                .map(|(i, h, sh)| {
                    let (cause, kind) = match causes[i] {
                        Attributed::Component(c) => (model.components[c].name.clone(), "component"),
                        Attributed::Maintenance(i) => (
                            format!("maintenance {}", model.maintenance[i].name),
                            "maintenance",
                        ),
                        Attributed::Role(r, c) => {
                            (format!("{} {}", model.roles[r].name, cause_name(c)), "role")
                        }
                        Attributed::Stock(k) => (
                            format!("waiting for a part from stock {}", model.stocks[k].name),
                            "stock",
                        ),
                        Attributed::Unseen(c) => (
                            format!("{} failed unseen", model.components[c].name),
                            "unseen",
                        ),
                        Attributed::Several => ("several causes at once".to_string(), "several"),
                        Attributed::Unexplained => ("unexplained".to_string(), "unexplained"),
                    };
                    Attribution {
                        service: svc.name.clone(),
                        cause,
                        kind,
                        hours_per_year: h.estimate().nonnegative(),
                        share_of_downtime: sh.estimate().share(),
                    }
                })
                .collect();
            rows.sort_by(|a, b| {
                b.hours_per_year
                    .value
                    .total_cmp(&a.hours_per_year.value)
                    .then_with(|| a.cause.cmp(&b.cause))
            });
            out.extend(rows);
        }
        out
    }
}
