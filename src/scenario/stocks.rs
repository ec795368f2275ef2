//! `[stocks]` (spare parts on a shelf, reordered with a lead time) and the `spare` that makes a node's
//! repair take a part from one.

use toml::de::DeValue;

use crate::model::{Stock, stream_key};

use super::MAX_PARTS;
use super::compile::Compiler;
use super::dist::dist;
use super::reader::{Errors, Name, Tbl, Val, integer, join, name, unknown};

impl Compiler {
    pub(super) fn stocks_section(&mut self, v: &Val<'_>, errs: &mut Errors) {
        let Some(section) = Tbl::new(v, "stocks", "the [stocks] section", errs) else {
            return;
        };
        for (key, val) in section.entries() {
            let key_name: &str = key.get_ref();
            let path = join("stocks", key_name);
            self.stock_names
                .insert(key_name.to_string(), self.stocks.len());
            let mut stock = Stock {
                name: key_name.to_string(),
                parts: 0,
                lead: crate::base::dist::Dist::Fixed { value: 0.0 },
                ship: None,
                stream_key: stream_key("stock", key_name),
            };
            if let Some(t) = Tbl::new(val, &path, &format!("stock `{key_name}`"), errs) {
                if let Some(pv) = t.req(
                    "parts",
                    "how many spare parts the shelf holds when full, 0 to 10000",
                    errs,
                ) && let Some(n) = integer(pv, &t.path_of("parts"), MAX_PARTS, errs)
                {
                    stock.parts = n as u32;
                }
                if let Some(lv) = t.req(
                    "lead",
                    "the reorder lead time, a distribution such as { dist = \"exponential\", mean = \"5d\" }",
                    errs,
                ) && let Some(d) = dist(lv, &t.path_of("lead"), errs)
                {
                    stock.lead = d;
                }
                if let Some(sv) = t.get("ship") {
                    stock.ship = dist(sv, &t.path_of("ship"), errs);
                }
                t.finish(errs);
            }
            self.stocks.push(stock);
        }
    }

    pub(super) fn lookup_stock(&self, n: &Name, path: &str, errs: &mut Errors) -> Option<usize> {
        if let Some(&i) = self.stock_names.get(&n.text) {
            return Some(i);
        }
        let known: Vec<&str> = self.stocks.iter().map(|s| s.name.as_str()).collect();
        errs.push(
            n.span.clone(),
            path,
            unknown(
                "stock",
                &n.text,
                &known,
                &format!(
                    "define it in a [stocks.{}] section with `parts = 2` and a `lead` time",
                    n.text
                ),
            ),
        );
        None
    }

    /// Reads a node's `spare`: the stock its repairs take a part from; without one, `[defaults]`'s
    /// `spare` (`default`) for a node that is repaired; `spare = false` takes none.
    pub(super) fn spare_field(
        &self,
        t: &Tbl<'_, '_>,
        default: Option<usize>,
        repaired: bool,
        errs: &mut Errors,
    ) -> Option<usize> {
        let p = t.path_of("spare");
        match t.get("spare") {
            None => default.filter(|_| repaired),
            Some(s) if matches!(s.get_ref(), DeValue::Boolean(false)) => None,
            Some(s) if matches!(s.get_ref(), DeValue::Boolean(true)) => {
                errs.push(
                    s.span(),
                    p,
                    "spare = true names no stock: give a stock's name, e.g. spare = \"disks\", or false for no part",
                );
                None
            }
            Some(s) => name(s, &p, errs).and_then(|n| self.lookup_stock(&n, &p, errs)),
        }
    }
}
