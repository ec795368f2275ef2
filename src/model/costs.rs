//! Yearly costs of a layout, and their sum with its parts.

use super::{ComponentId, Model};

/// Yearly costs of a layout, as the scenario gives them: per node, per WAN link, per role instance and
/// flat items.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Costs {
    /// Per `[nodes.X]` section with a `yearly_cost`: its name, its nodes and the cost of each.
    pub nodes: Vec<(String, Vec<ComponentId>, f64)>,
    /// Per role index: `yearly_cost` per instance (each node it can run on; a mirror's witness is not an
    /// instance).
    pub roles: Vec<(usize, f64)>,
    /// Per WAN link with a `yearly_cost`: its name, its component and its cost.
    pub links: Vec<(String, ComponentId, f64)>,
    /// Items of the `[costs]` section, in file order.
    pub items: Vec<(String, f64)>,
    /// Currency label for output, e.g. `EUR` (none given: amounts are shown without one).
    pub currency: Option<String>,
}

impl Costs {
    /// Whether the scenario gives any cost.
    pub fn any(&self) -> bool {
        !(self.nodes.is_empty()
            && self.roles.is_empty()
            && self.links.is_empty()
            && self.items.is_empty())
    }
}

impl Model {
    /// `yearly cost 22 000 EUR: ...` with the parts, when the scenario gives costs.
    pub fn cost_line(&self) -> Option<String> {
        let (total, parts) = self.yearly_cost()?;
        let cur = self.costs.currency.as_deref();
        let parts: Vec<String> = parts
            .iter()
            .map(|(label, v)| format!("{label} {}", crate::base::format::money(*v, None)))
            .collect();
        Some(format!(
            "yearly cost {} ({})",
            crate::base::format::money(total, cur),
            parts.join(" · ")
        ))
    }

    /// Total yearly cost and its parts (label, amount) in file order: nodes, WAN links, role licences,
    /// other items.
    /// `None` when the scenario gives no cost.
    pub fn yearly_cost(&self) -> Option<(f64, Vec<(String, f64)>)> {
        if !self.costs.any() {
            return None;
        }
        let mut parts: Vec<(String, f64)> = Vec::new();
        let each = |what: &str, name: &str, n: usize, cost: f64| {
            let label = if n == 1 {
                format!("{what} {name}")
            } else {
                format!(
                    "{what} {name} ({n} × {})",
                    crate::base::format::money(cost, None)
                )
            };
            (label, cost * n as f64)
        };
        for (name, nodes, cost) in &self.costs.nodes {
            parts.push(each("nodes", name, nodes.len(), *cost));
        }
        for (name, _, cost) in &self.costs.links {
            parts.push((format!("link {name}"), *cost));
        }
        for &(r, cost) in &self.costs.roles {
            let role = &self.roles[r];
            parts.push(each("role", &role.name, role.kind.nodes().len(), cost));
        }
        parts.extend(self.costs.items.iter().cloned());
        // Summed exactly so the total does not depend on the order of the parts.
        let mut total = crate::base::stats::ExactSum::default();
        for (_, v) in &parts {
            total.add(*v);
        }
        Some((total.value(), parts))
    }
}
