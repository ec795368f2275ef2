//! `[services]`: what users need, as expressions over roles and other services (`all_of`, `any_of`,
//! `k_of`), with an availability target.

use toml::de::DeValue;

use super::compile::{Compiler, Expr, RawService};
use super::reader::{
    self, Errors, Name, Tbl, Val, integer, join, name, number, positive_duration, string, type_name,
};
use crate::model::Tolerance;

impl Compiler {
    pub(super) fn service(
        &self,
        v: &Val<'_>,
        path: &str,
        name: Name,
        errs: &mut Errors,
    ) -> RawService {
        let mut svc = RawService {
            name: name.clone(),
            description: None,
            target: None,
            tolerance: None,
            expr: None,
            site: None,
            needed_in: None,
        };
        let Some(t) = Tbl::new(v, path, &format!("service `{}`", name.text), errs) else {
            return svc;
        };
        svc.description = t
            .get("description")
            .and_then(|d| string(d, &t.path_of("description"), errs));
        if let Some(tv) = t.get("target") {
            let p = t.path_of("target");
            if let Some(x) = number(tv, &p, errs) {
                if x > 0.0 && x < 1.0 {
                    svc.target = Some(x);
                } else {
                    errs.push(tv.span(), p, format!("target {} must be an availability between 0 and 1 (exclusive), e.g. 0.999", crate::base::format::short(x)));
                }
            }
        }
        svc.tolerance = tolerance(&t, errs);
        if let Some(v) = t.get("target_counts") {
            let p = t.path_of("target_counts");
            match string(v, &p, errs).as_deref() {
                Some("all") => {}
                Some("impactful") => match (&mut svc.tolerance, svc.target) {
                    (Some(tol), Some(_)) => tol.judges_target = true,
                    _ => errs.push(
                        v.span(),
                        p,
                        "target_counts = \"impactful\" judges the target on impactful downtime: the service needs a `target` and a `tolerance`, e.g. target = 0.999 and tolerance = \"15min\"",
                    ),
                },
                Some(other) => {
                    let hint = reader::closest(other, &["all", "impactful"])
                        .map(|c| format!("did you mean \"{c}\"? "))
                        .unwrap_or_default();
                    errs.push(
                        v.span(),
                        p,
                        format!("unknown target_counts \"{other}\"; {hint}expected \"all\" (the target is judged on all downtime; the default) or \"impactful\" (on impactful downtime, by the tolerance)"),
                    );
                }
                None => {}
            }
        }
        svc.site = t.get("site").and_then(|s| {
            let n = reader::name(s, &t.path_of("site"), errs)?;
            self.lookup_site(&n, &t.path_of("site"), errs)
        });
        if let Some(v) = t.get("needed_in") {
            let p = t.path_of("needed_in");
            if let Some(list) = reader::names(v, &p, errs) {
                if list.is_empty() {
                    errs.push(v.span(), p, "the list is empty: name the phases in which the service is needed, e.g. [\"business\"]");
                } else {
                    svc.needed_in = Some((list, p));
                }
            }
        }
        svc.expr = self.expr(&t, errs);
        t.finish(errs);
        svc
    }

    /// Reads `all_of`, `any_of` or `k_of` from a table (a service or a nested expression).
    fn expr(&self, t: &Tbl<'_, '_>, errs: &mut Errors) -> Option<Expr> {
        let present: Vec<(&'static str, &Val<'_>)> = ["all_of", "any_of", "k_of"]
            .into_iter()
            .filter_map(|k| t.get(k).map(|v| (k, v)))
            .collect();
        match present.as_slice() {
            [] => {
                errs.push(
                    t.span.clone(),
                    t.path.clone(),
                    "missing expression: give one of `all_of = [...]`, `any_of = [...]` or `k_of = { k = 2, of = [...] }`",
                );
                None
            }
            [(op, v)] => {
                let path = t.path_of(op);
                if *op == "k_of" {
                    let inner = Tbl::new(v, &path, "`k_of` (a table { k = 2, of = [...] })", errs)?;
                    let k = inner
                        .req("k", "how many must be available", errs)
                        .and_then(|k| {
                            integer(k, &inner.path_of("k"), u32::MAX as u64, errs)
                                .map(|x| (x, k.span()))
                        });
                    let of = inner
                        .req("of", "the roles or services", errs)
                        .and_then(|o| self.expr_list(o, &inner.path_of("of"), errs));
                    inner.finish(errs);
                    let ((k, kspan), children) = (k?, of?);
                    if k == 0 || k as usize > children.len() {
                        errs.push(
                            kspan,
                            join(&path, "k"),
                            format!(
                                "k = {k} must be between 1 and the number of items in `of` ({})",
                                children.len()
                            ),
                        );
                        return None;
                    }
                    Some(Expr::Gate {
                        op: "k_of",
                        need: k as u32,
                        children,
                    })
                } else {
                    let children = self.expr_list(v, &path, errs)?;
                    let need = if *op == "all_of" {
                        children.len() as u32
                    } else {
                        1
                    };
                    Some(Expr::Gate { op, need, children })
                }
            }
            _ => {
                let keys: Vec<&str> = present.iter().map(|(k, _)| *k).collect();
                errs.push(
                    t.span.clone(),
                    t.path.clone(),
                    format!("give exactly one of all_of, any_of, k_of, not {}; nest them with inline tables, e.g. all_of = [\"db\", {{ any_of = [\"a\", \"b\"] }}]", keys.join(" and ")),
                );
                None
            }
        }
    }

    fn expr_list(&self, v: &Val<'_>, path: &str, errs: &mut Errors) -> Option<Vec<Expr>> {
        let DeValue::Array(items) = v.get_ref() else {
            errs.push(
                v.span(),
                path,
                format!(
                    "expected an array of role or service names, found {}",
                    type_name(v.get_ref())
                ),
            );
            return None;
        };
        if items.is_empty() {
            errs.push(
                v.span(),
                path,
                "the list is empty: name at least one role or service",
            );
            return None;
        }
        let mut out = Vec::new();
        let mut ok = true;
        for (i, item) in items.iter().enumerate() {
            let ipath = format!("{path}[{i}]");
            let e = match item.get_ref() {
                DeValue::String(_) => {
                    name(item, &ipath, errs).and_then(|n| match self.entity_names.get(&n.text) {
                        Some(t) => Some(Expr::Ref(*t, n.span)),
                        None => {
                            errs.push(
                                n.span.clone(),
                                ipath.clone(),
                                format!(
                                    "unknown role or service `{}`{}",
                                    n.text,
                                    self.entity_hint(&n.text)
                                ),
                            );
                            None
                        }
                    })
                }
                DeValue::Table(_) => {
                    let t = Tbl::new(item, &ipath, "a nested expression", errs)?;
                    let e = self.expr(&t, errs);
                    t.finish(errs);
                    e
                }
                other => {
                    errs.push(item.span(), ipath, format!("expected a role or service name or a nested {{ any_of = [...] }}, found {}", type_name(other)));
                    None
                }
            };
            match e {
                Some(e) => out.push(e),
                None => ok = false,
            }
        }
        ok.then_some(out)
    }
}

/// Reads `tolerance` (a grace period, of a service or a role) and `tolerance_counts` (how a longer outage counts).
pub(super) fn tolerance(t: &Tbl<'_, '_>, errs: &mut Errors) -> Option<Tolerance> {
    let whole = match t.get("tolerance_counts") {
        None => false,
        Some(v) => {
            let p = t.path_of("tolerance_counts");
            if !t.has("tolerance") {
                errs.push(
                    v.span(),
                    p.clone(),
                    "tolerance_counts needs a `tolerance`, e.g. tolerance = \"15min\"",
                );
            }
            match string(v, &p, errs).as_deref() {
                Some("excess") => false,
                Some("whole") => true,
                Some(other) => {
                    errs.push(
                        v.span(),
                        p,
                        format!("unknown tolerance_counts \"{other}\"; expected \"excess\" (only the part of an outage beyond the tolerance counts; the default) or \"whole\" (an outage longer than the tolerance counts whole)"),
                    );
                    false
                }
                None => false,
            }
        }
    };
    let v = t.get("tolerance")?;
    let hours = positive_duration(v, &t.path_of("tolerance"), "tolerance", errs)?;
    Some(Tolerance {
        hours,
        whole,
        judges_target: false,
    })
}
