//! The differences to the first layout: paired (common random numbers) where the measure is paired
//! per replication, otherwise conservative (from the two layouts' own intervals), and the rows of
//! compared figures built from them.

use crate::base::stats::{Estimate, MeanAcc};
use crate::base::units::HOURS_PER_YEAR;
use crate::estimate::summary::{ClusterSummary, EntitySummary, RequestSummary};
use crate::model::Model;

use super::paired::{PairedKind, Plan};
use super::{Cell, Diff, LATENCY_FLOOR_HOURS, LayoutResult, Row, Unit, Verdict};

/// Whether an interval excludes zero.
fn excludes_zero(e: &Estimate) -> bool {
    e.ci95_low > 0.0 || e.ci95_high < 0.0
}

/// The difference of two independent estimates, with the conservative interval (low of one minus high
/// of the other): it excludes zero only when the two intervals do not overlap.
fn unpaired(x: &Estimate, base: &Estimate) -> Diff {
    let value = Estimate {
        value: x.value - base.value,
        ci95_low: x.ci95_low - base.ci95_high,
        ci95_high: x.ci95_high - base.ci95_low,
        n: x.n.min(base.n),
    };
    Diff {
        significant: excludes_zero(&value),
        value,
        paired: false,
        // Set by `judge` once the row's threshold is known.
        verdict: Verdict::Unclear,
    }
}

/// Each layout's own estimate of a figure (none where it lacks it), with the unpaired difference to
/// the first layout's.
fn unpaired_cells(n: usize, pick: impl Fn(usize) -> Option<Estimate>) -> Vec<Option<Cell>> {
    let base = pick(0);
    (0..n)
        .map(|i| {
            let value = pick(i)?;
            let diff = if i == 0 {
                None
            } else {
                base.map(|b| unpaired(&value, &b))
            };
            Some(Cell { value, diff })
        })
        .collect()
}

impl Unit {
    /// The practical threshold of a difference to `base` (the first layout's figure) at `relative`:
    /// a share of the figure, for availability of its unavailability (so that availability and
    /// downtime per year agree), for latency at least 1 ms; costs are exact, so any change counts.
    pub fn threshold(self, base: f64, relative: f64) -> f64 {
        match self {
            Unit::Availability => relative * (1.0 - base).abs(),
            Unit::Hours | Unit::PerYear => relative * base.abs(),
            Unit::Latency => (relative * base.abs()).max(LATENCY_FLOOR_HOURS),
            Unit::Money => 0.0,
        }
    }
}

/// Sets every difference's verdict with its row's practical threshold.
fn judge(rows: &mut [Row], relative: f64) {
    for r in rows {
        let base = r.cells.first().copied().flatten().map(|c| c.value.value);
        let t = base.map_or(0.0, |b| r.unit.threshold(b, relative));
        for cell in r.cells.iter_mut().flatten() {
            let scale = base.unwrap_or(0.0).abs().max(cell.value.value.abs());
            if let Some(d) = &mut cell.diff {
                // A difference of twelve orders below the figures is floating-point rounding of
                // equal sums (`−5.55e-20` outages a year): it is zero.
                if d.value.value.abs() <= 1e-12 * scale {
                    d.value.value = 0.0;
                }
                // A difference that is zero in every replication is "same" even at a zero threshold.
                let identical = d.value.ci95_low == 0.0 && d.value.ci95_high == 0.0;
                d.verdict = if identical {
                    Verdict::Same
                } else {
                    Verdict::judge(&d.value, d.significant, t, r.higher_is_better)
                };
            }
        }
    }
}

/// How a per-kind row reads a request kind's estimate (none: the kind does not have it).
type KindPick = fn(&RequestSummary) -> Option<Estimate>;

/// Issue 20's per-kind figures other than latency, in the table's order: (measure, unit, how to read
/// it). [`Row::is_request_kind`] is derived from this one list, so a row added here is always shown
/// under its kind's heading.
pub(super) const KIND_ROWS: [(&str, Unit, KindPick); 9] = [
    // Kinds with a (delayed) fallback or a reassignment: where it shows.
    ("client-visible downtime per year", Unit::Hours, |q| {
        (q.fallback.is_some() || q.reassign.is_some())
            .then_some(q.client_visible_downtime_hours_per_year)
    }),
    ("requests cut in flight per year", Unit::PerYear, |q| {
        q.in_flight.as_ref().map(|f| f.cut_per_year)
    }),
    ("failed after a cut per year", Unit::PerYear, |q| {
        q.in_flight.as_ref().map(|f| f.failed_after_cut_per_year)
    }),
    ("time a cut added", Unit::Latency, |q| {
        q.in_flight.as_ref().and_then(|f| f.added_mean_hours)
    }),
    ("reassignments per year", Unit::PerYear, |q| {
        q.reassign.as_ref().map(|m| m.reassignments_per_year)
    }),
    ("hours reassigned per year", Unit::Hours, |q| {
        q.reassign.as_ref().map(|m| m.reassigned_hours_per_year)
    }),
    ("data age mean", Unit::Hours, |q| {
        q.data_age.as_ref().map(|g| g.mean_hours)
    }),
    ("data age P99", Unit::Hours, |q| {
        q.data_age.as_ref().map(|g| g.p99_hours)
    }),
    ("stale client-hours per year", Unit::PerYear, |q| {
        q.data_age.as_ref().map(|g| g.stale_client_hours_per_year)
    }),
];

/// The compared figures: per service its availability, downtime and outages, per failover cluster its
/// hours without quorum and quorum losses, then data loss, failed requests and latency, and costs, each with every layout's value and its difference to the first.
pub(super) fn rows(
    models: &[&Model],
    layouts: &[LayoutResult],
    plan: &Plan,
    values: &[Vec<MeanAcc>],
    diffs: &[Vec<MeanAcc>],
    same_within: f64,
) -> Vec<Row> {
    let n = layouts.len();
    let mut rows = Vec::new();
    let paired_diff = |i: usize, key: (&str, PairedKind), scale: f64| -> Option<Diff> {
        if i == 0 {
            return None;
        }
        let k = plan
            .keys
            .iter()
            .position(|(s, kind)| s == key.0 && *kind == key.1)?;
        let acc = &diffs[i][k];
        if acc.count() == 0 {
            return None;
        }
        let e = acc.estimate().map(|v| v * scale);
        // A negative scale flips the interval.
        let value = Estimate {
            ci95_low: e.ci95_low.min(e.ci95_high),
            ci95_high: e.ci95_low.max(e.ci95_high),
            ..e
        };
        Some(Diff {
            significant: excludes_zero(&value),
            value,
            paired: true,
            verdict: Verdict::Unclear,
        })
    };
    let services: Vec<String> = plan
        .keys
        .iter()
        .filter(|(_, k)| *k == PairedKind::Unavailability)
        .map(|(s, _)| s.clone())
        .collect();
    type Pick = fn(&EntitySummary) -> Estimate;
    /// Measure, unit, whether higher is better, the paired measure and its scale, and the estimate.
    type ServiceRow = (&'static str, Unit, bool, Option<(PairedKind, f64)>, Pick);
    let service_rows: [ServiceRow; 5] = [
        (
            "availability",
            Unit::Availability,
            true,
            Some((PairedKind::Unavailability, -1.0)),
            |e| e.availability,
        ),
        (
            "downtime per year",
            Unit::Hours,
            false,
            Some((PairedKind::Unavailability, HOURS_PER_YEAR)),
            |e| e.downtime_hours_per_year,
        ),
        ("annual downtime P50", Unit::Hours, false, None, |e| {
            e.annual_downtime_hours_p50
        }),
        ("annual downtime P90", Unit::Hours, false, None, |e| {
            e.annual_downtime_hours_p90
        }),
        (
            "outages per year",
            Unit::PerYear,
            false,
            Some((PairedKind::Outages, 1.0)),
            |e| e.outages_per_year,
        ),
    ];
    for s in &services {
        let entity = |i: usize| {
            layouts[i]
                .summary
                .entities
                .iter()
                .find(|e| e.kind == crate::model::EntityKind::Service && &e.name == s)
        };
        for (measure, unit, higher, paired, pick) in &service_rows {
            let base = entity(0).map(pick);
            let cells = (0..n)
                .map(|i| {
                    let value = pick(entity(i)?);
                    let diff = if i == 0 {
                        None
                    } else {
                        match paired {
                            Some((kind, scale)) => paired_diff(i, (s, *kind), *scale),
                            None => base.map(|b| unpaired(&value, &b)),
                        }
                    };
                    Some(Cell { value, diff })
                })
                .collect();
            rows.push(Row {
                measure,
                scope: s.clone(),
                unit: *unit,
                higher_is_better: *higher,
                cells,
            });
        }
        for (measure, unit, higher, picks) in super::phases::needed_rows(layouts, s) {
            rows.push(Row {
                measure,
                scope: s.clone(),
                unit,
                higher_is_better: higher,
                cells: unpaired_cells(n, |i| picks[i]),
            });
        }
        // With a tolerance: impactful downtime and outages, by the rule of the first layout that has
        // one (named in the label; a layout counting by the other rule shows no figure).
        let Some(rule) = (0..n).find_map(|i| entity(i)?.tolerance.as_ref().map(|t| t.counts))
        else {
            continue;
        };
        let labels: [(&'static str, Unit); 2] = if rule == "whole" {
            [
                ("impactful downtime per year (whole)", Unit::Hours),
                ("impactful outages per year (whole)", Unit::PerYear),
            ]
        } else {
            [
                ("impactful downtime per year (excess)", Unit::Hours),
                ("impactful outages per year (excess)", Unit::PerYear),
            ]
        };
        for (k, (measure, unit)) in labels.into_iter().enumerate() {
            let pick = |i: usize| {
                let t = entity(i)?.tolerance.as_ref().filter(|t| t.counts == rule)?;
                Some(if k == 0 {
                    t.impactful_downtime_hours_per_year
                } else {
                    t.impactful_outages_per_year
                })
            };
            let cells = unpaired_cells(n, pick);
            rows.push(Row {
                measure,
                scope: s.clone(),
                unit,
                higher_is_better: false,
                cells,
            });
        }
    }
    // Failover clusters with quorum: what the witness question is about. Read from each layout's own
    // estimates (not paired), so a difference is significant only when the intervals do not overlap.
    let mut clusters: Vec<&str> = Vec::new();
    for l in layouts {
        for c in &l.summary.clusters {
            if !clusters.contains(&c.name.as_str()) {
                clusters.push(&c.name);
            }
        }
    }
    type ClusterPick = fn(&ClusterSummary) -> Estimate;
    let cluster_rows: [(&'static str, Unit, ClusterPick); 2] = [
        (Row::HOURS_WITHOUT_QUORUM, Unit::Hours, |c| {
            c.hours_without_quorum_per_year
        }),
        (Row::QUORUM_LOSSES, Unit::PerYear, |c| {
            c.quorum_losses_per_year
        }),
    ];
    for name in clusters {
        for (measure, unit, pick) in cluster_rows {
            let get = |i: usize| {
                let l: &LayoutResult = &layouts[i];
                l.summary.clusters.iter().find(|c| c.name == name).map(pick)
            };
            let cells = unpaired_cells(n, get);
            rows.push(Row {
                measure,
                scope: name.to_string(),
                unit,
                higher_is_better: false,
                cells,
            });
        }
    }
    let own = |i: usize, kind: PairedKind| -> Option<Estimate> {
        let k = plan.keys.iter().position(|(_, x)| *x == kind)?;
        // Data lost and failed requests cannot be negative, and neither can their intervals.
        plan.sources[i][k].map(|_| values[i][k].estimate().nonnegative())
    };
    if plan.keys.iter().any(|(_, k)| *k == PairedKind::DataLoss) {
        let cells = (0..n)
            .map(|i| {
                Some(Cell {
                    value: own(i, PairedKind::DataLoss)?,
                    diff: paired_diff(i, ("", PairedKind::DataLoss), 1.0),
                })
            })
            .collect();
        rows.push(Row {
            measure: "data loss per year",
            scope: String::new(),
            unit: Unit::Hours,
            higher_is_better: false,
            cells,
        });
    }
    if plan.keys.iter().any(|(_, k)| *k == PairedKind::Failed) {
        let cells = (0..n)
            .map(|i| {
                Some(Cell {
                    value: own(i, PairedKind::Failed)?,
                    diff: paired_diff(i, ("", PairedKind::Failed), 1.0),
                })
            })
            .collect();
        rows.push(Row {
            measure: "failed requests per year",
            scope: String::new(),
            unit: Unit::PerYear,
            higher_is_better: false,
            cells,
        });
        let mut kinds: Vec<String> = Vec::new();
        for l in layouts {
            for q in &l.summary.requests {
                if !kinds.contains(&q.name) {
                    kinds.push(q.name.clone());
                }
            }
        }
        for k in &kinds {
            let pick = |i: usize| {
                layouts[i]
                    .summary
                    .requests
                    .iter()
                    .find(|q| &q.name == k)
                    .map(|q| q.latency_p99_hours)
            };
            let cells = unpaired_cells(n, pick);
            rows.push(Row {
                measure: "latency P99",
                scope: k.clone(),
                unit: Unit::Latency,
                higher_is_better: false,
                cells,
            });
        }
        // Issue 20's per-kind figures, read from each layout's own estimates, where some layout has
        // them: the time a new request fails, work cut in flight, reassignment, and data age.
        for k in &kinds {
            for &(measure, unit, get) in &KIND_ROWS {
                let pick = |i: usize| {
                    layouts[i]
                        .summary
                        .requests
                        .iter()
                        .find(|q| &q.name == k)
                        .and_then(get)
                };
                if (0..n).all(|i| pick(i).is_none()) {
                    continue;
                }
                let cells = unpaired_cells(n, pick);
                rows.push(Row {
                    measure,
                    scope: k.clone(),
                    unit,
                    higher_is_better: false,
                    cells,
                });
            }
        }
    }
    if models.iter().any(|m| m.costs.any()) {
        let exact = |v: f64| Estimate {
            value: v,
            ci95_low: v,
            ci95_high: v,
            n: 0,
        };
        let base = layouts[0].yearly_cost;
        let cells = (0..n)
            .map(|i| {
                let c = layouts[i].yearly_cost?;
                Some(Cell {
                    value: exact(c),
                    diff: (i > 0).then_some(()).and(base).map(|b| Diff {
                        value: exact(c - b),
                        paired: true,
                        significant: c != b,
                        verdict: Verdict::Unclear,
                    }),
                })
            })
            .collect();
        rows.push(Row {
            measure: "yearly cost",
            scope: String::new(),
            unit: Unit::Money,
            higher_is_better: false,
            cells,
        });
    }
    judge(&mut rows, same_within);
    rows
}
