//! `[costs]` (currency and flat yearly items) and the `yearly_cost` of nodes and roles.

use super::MAX_COST;
use super::compile::Compiler;
use super::reader::{Errors, Tbl, Val, number, string};

/// Reads a yearly cost: a number from 0 to [`MAX_COST`], in the scenario's currency.
pub(super) fn yearly_cost(v: &Val<'_>, path: &str, errs: &mut Errors) -> Option<f64> {
    let x = number(v, path, errs)?;
    if (0.0..=MAX_COST).contains(&x) {
        Some(x)
    } else {
        errs.push(
            v.span(),
            path,
            format!(
                "{} is not a yearly cost: expected an amount per year from 0 to 1e12, e.g. 4000",
                crate::base::units::trim_float(x)
            ),
        );
        None
    }
}

impl Compiler {
    /// Reads `[costs]`: `currency` and flat yearly items such as `support = 12000`.
    pub(super) fn costs_section(&mut self, v: &Val<'_>, errs: &mut Errors) {
        let Some(t) = Tbl::new(
            v,
            "costs",
            "the [costs] section: yearly amounts such as `support_contract = 12000`, and optionally `currency = \"EUR\"`",
            errs,
        ) else {
            return;
        };
        for (key, val) in t.entries() {
            let k: &str = key.get_ref();
            let path = t.path_of(k);
            if k == "currency" {
                if let Some(c) = string(val, &path, errs) {
                    if c.trim().is_empty() || c.chars().count() > 8 {
                        errs.push(
                            val.span(),
                            path,
                            "expected a short currency label such as \"EUR\", \"USD\" or \"£\"",
                        );
                    } else {
                        self.costs.currency = Some(c);
                    }
                }
            } else if let Some(x) = yearly_cost(val, &path, errs) {
                self.costs.items.push((k.to_string(), x));
            }
        }
    }
}
