//! The spare-part stocks in plain words: parts on the shelf, reorder lead time, shipment, and whose
//! repairs take parts from them.

use std::fmt::Write as _;

use crate::model::{ComponentId, Model};

use super::{plural, served_by};

/// The spare-part stocks: parts, lead time, shipment, and the nodes whose repairs take their parts.
pub(super) fn write_stocks(model: &Model, out: &mut String) {
    if model.stocks.is_empty() {
        return;
    }
    let _ = writeln!(
        out,
        "{}:",
        plural(model.stocks.len(), "spare-part stock", "spare-part stocks")
    );
    for (k, stock) in model.stocks.iter().enumerate() {
        let served: Vec<ComponentId> = (0..model.components.len())
            .filter(|&c| model.components[c].spare == Some(k))
            .collect();
        let _ = writeln!(
            out,
            "  stock {}: {} on the shelf, each part asked for reordered at once (lead {}){}; a repair waits for a part when the shelf is empty, first come first served, before its repair or crew queue starts; parts for {}",
            stock.name,
            plural(stock.parts as usize, "part", "parts"),
            stock.lead.describe(),
            stock
                .ship
                .as_ref()
                .map(|d| format!(", then shipped to the node ({})", d.describe()))
                .unwrap_or_default(),
            served_by(model, &served, "node", "nodes")
        );
    }
}
