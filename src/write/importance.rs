//! The importance measures as text: the ranked terminal table (per service, by downtime saved), with
//! the minimal cut sets, `importance.csv` and the JSON object.

use std::fmt::Write as _;

use crate::analyses::importance::{ComponentImportance, Importance};
use crate::base::format::{csv_text, hours, rare, sig3};
use crate::base::stats::Estimate;
use crate::model::Model;

/// Rows shown per service in the terminal table (the CSV has them all).
const TABLE_ROWS: usize = 10;
/// Cut sets shown per service in the terminal table.
const TABLE_CUTS: usize = 10;

fn interval(e: &Estimate, f: impl Fn(f64) -> String) -> String {
    if e.value.is_nan() {
        return "n/a".into();
    }
    if e.n == 0 || e.ci95_low == e.ci95_high {
        return f(e.value);
    }
    format!("{} ({}–{})", f(e.value), f(e.ci95_low), f(e.ci95_high))
}

fn component(model: &Model, c: usize) -> String {
    let comp = &model.components[c];
    format!("{} {}", comp.kind.as_str(), comp.name)
}

/// The ranked table: per service, the components by downtime saved, then the minimal cut sets.
pub fn table(model: &Model, x: &Importance) -> String {
    let mut out = String::new();
    let source = match x.method {
        "exact" => "exact, steady state".to_string(),
        _ => format!("{} replications, 95% intervals", x.replications),
    };
    for (s, service) in model.services.iter().enumerate() {
        let rows: Vec<&ComponentImportance> =
            x.components.iter().filter(|r| r.service == s).collect();
        let _ = writeln!(
            out,
            "\nImportance for service {} ({source}): downtime per year saved if the component never failed",
            service.name
        );
        let mut lines = vec![[
            "component".to_string(),
            "saved/yr".into(),
            "Birnbaum".into(),
            "criticality".into(),
            "RAW".into(),
            "RRW".into(),
        ]];
        for r in rows.iter().take(TABLE_ROWS) {
            lines.push([
                component(model, r.component),
                interval(&r.saved_hours_per_year, hours),
                interval(&r.birnbaum, rare),
                interval(&r.criticality, rare),
                interval(&r.raw, sig3),
                interval(&r.rrw, sig3),
            ]);
        }
        let widths: Vec<usize> = (0..6)
            .map(|i| {
                lines
                    .iter()
                    .map(|l| l[i].chars().count())
                    .max()
                    .unwrap_or(0)
            })
            .collect();
        for l in &lines {
            let mut line = String::from("  ");
            for (i, cell) in l.iter().enumerate() {
                let pad = widths[i] - cell.chars().count();
                if i == 0 {
                    let _ = write!(line, "{cell}{}", " ".repeat(pad));
                } else {
                    let _ = write!(line, "  {}{cell}", " ".repeat(pad));
                }
            }
            let _ = writeln!(out, "{}", line.trim_end());
        }
        let _ = writeln!(
            out,
            "  Birnbaum: unavailability with it always down minus with it never down; criticality: share of the\n  downtime its being down explains; RAW: unavailability always down ÷ as is; RRW: as is ÷ never down\n  (n/a: no downtime would be left)"
        );
        if rows.len() > TABLE_ROWS {
            let _ = writeln!(
                out,
                "  ... {} more in importance.csv",
                rows.len() - TABLE_ROWS
            );
        }
        let cuts: Vec<_> = x.cut_sets.iter().filter(|c| c.service == s).collect();
        let _ = writeln!(
            out,
            "  Minimal cut sets up to order {} ({}), with the time all their members are down together:",
            x.order,
            cuts.len()
        );
        let mut cuts = cuts;
        cuts.sort_by(|a, b| {
            b.hours_per_year
                .value
                .total_cmp(&a.hours_per_year.value)
                .then(a.members.len().cmp(&b.members.len()))
        });
        for c in cuts.iter().take(TABLE_CUTS) {
            let names: Vec<String> = c.members.iter().map(|&m| component(model, m)).collect();
            let _ = writeln!(
                out,
                "    {{{}}}  {}/yr",
                names.join(", "),
                interval(&c.hours_per_year, hours)
            );
        }
        if cuts.len() > TABLE_CUTS {
            let _ = writeln!(
                out,
                "    ... {} more in importance.csv",
                cuts.len() - TABLE_CUTS
            );
        }
    }
    out
}

fn num(v: f64) -> String {
    if v.is_finite() {
        format!("{v}")
    } else {
        String::new()
    }
}

/// `importance.csv`: one row per service and component (`kind` component), then one per minimal cut
/// set (`kind` cut_set, members joined by `+`), with 95% intervals and the replications behind them.
pub fn csv(model: &Model, x: &Importance) -> Result<Vec<u8>, csv::Error> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut header = vec![
        "service".to_string(),
        "kind".into(),
        "component".into(),
        "component_kind".into(),
        "method".into(),
        "replications".into(),
    ];
    for m in [
        "saved_hours_per_year",
        "birnbaum",
        "criticality",
        "raw",
        "rrw",
        "component_unavailability",
    ] {
        header.push(m.into());
        header.push(format!("{m}_ci95_low"));
        header.push(format!("{m}_ci95_high"));
    }
    w.write_record(&header)?;
    let cells = |e: &Estimate| [num(e.value), num(e.ci95_low), num(e.ci95_high)];
    for r in &x.components {
        let comp = &model.components[r.component];
        let mut row = vec![
            csv_text(&model.services[r.service].name).into_owned(),
            "component".into(),
            csv_text(&comp.name).into_owned(),
            comp.kind.as_str().into(),
            x.method.into(),
            x.replications.to_string(),
        ];
        for e in [
            &r.saved_hours_per_year,
            &r.birnbaum,
            &r.criticality,
            &r.raw,
            &r.rrw,
            &r.component_unavailability,
        ] {
            row.extend(cells(e));
        }
        w.write_record(&row)?;
    }
    for c in &x.cut_sets {
        let names: Vec<String> = c
            .members
            .iter()
            .map(|&m| model.components[m].name.clone())
            .collect();
        let mut row = vec![
            csv_text(&model.services[c.service].name).into_owned(),
            "cut_set".into(),
            csv_text(&names.join("+")).into_owned(),
            String::new(),
            x.method.into(),
            x.replications.to_string(),
        ];
        // A cut set's figure is the hours per year with all members down, in the saved column's place.
        row.extend(cells(&c.hours_per_year));
        row.extend(std::iter::repeat_n(String::new(), 15));
        w.write_record(&row)?;
    }
    w.into_inner().map_err(|e| e.into_error().into())
}

/// The measures as JSON, with service and component names.
pub fn json(model: &Model, x: &Importance) -> serde_json::Value {
    let est = |e: &Estimate| {
        serde_json::json!({
            "value": e.value.is_finite().then_some(e.value),
            "ci95_low": e.ci95_low.is_finite().then_some(e.ci95_low),
            "ci95_high": e.ci95_high.is_finite().then_some(e.ci95_high),
        })
    };
    let components: Vec<serde_json::Value> = x
        .components
        .iter()
        .map(|r| {
            let comp = &model.components[r.component];
            serde_json::json!({
                "service": model.services[r.service].name,
                "component": comp.name,
                "component_kind": comp.kind.as_str(),
                "saved_hours_per_year": est(&r.saved_hours_per_year),
                "birnbaum": est(&r.birnbaum),
                "criticality": est(&r.criticality),
                "raw": est(&r.raw),
                "rrw": est(&r.rrw),
                "component_unavailability": est(&r.component_unavailability),
            })
        })
        .collect();
    let cuts: Vec<serde_json::Value> = x
        .cut_sets
        .iter()
        .map(|c| {
            let names: Vec<&str> = c
                .members
                .iter()
                .map(|&m| model.components[m].name.as_str())
                .collect();
            serde_json::json!({
                "service": model.services[c.service].name,
                "members": names,
                "hours_per_year_all_down": est(&c.hours_per_year),
            })
        })
        .collect();
    serde_json::json!({
        "method": x.method,
        "replications": x.replications,
        "order": x.order,
        "components": components,
        "cut_sets": cuts,
    })
}
