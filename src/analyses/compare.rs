//! Comparison of layouts under common random numbers: every layout runs the same replications with the
//! same seed, and components that share a name draw the same failures, so differences between layouts
//! are estimated from paired replications and are far more precise than the layouts' own intervals.

use std::time::Instant;

use rayon::prelude::*;
use serde::Serialize;

use crate::base::format::money;
use crate::base::stats::{Estimate, MeanAcc};
use crate::base::units::HOURS_PER_YEAR;
use crate::engine::Engine;
use crate::estimate::runner::{BATCH, RunError};
use crate::estimate::summary::{RunAcc, RunInfo, Summary};
use crate::model::Model;

/// A measure of one replication that is paired across layouts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Paired {
    /// A service's downtime / mission.
    Unavailability(usize),
    /// A service's outages per year.
    Outages(usize),
    /// Hours of changes lost per year, all roles.
    DataLoss,
    /// Requests that failed after every attempt, per year, all clients.
    Failed,
}

/// What each layout measures per replication, in the comparison's paired-measure order.
struct Plan {
    /// Per paired measure, its key (scope name and kind).
    keys: Vec<(String, PairedKind)>,
    /// Per layout, per paired measure: how to read it from that layout's engine.
    sources: Vec<Vec<Option<Paired>>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum PairedKind {
    Unavailability,
    Outages,
    DataLoss,
    Failed,
}

impl Plan {
    fn new(models: &[&Model]) -> Self {
        let mut services: Vec<String> = Vec::new();
        for m in models {
            for s in &m.services {
                if !services.contains(&s.name) {
                    services.push(s.name.clone());
                }
            }
        }
        let mut keys = Vec::new();
        for s in &services {
            keys.push((s.clone(), PairedKind::Unavailability));
            keys.push((s.clone(), PairedKind::Outages));
        }
        let loses_data = |m: &Model| {
            m.roles.iter().any(|r| {
                r.machine.as_ref().is_some_and(|mc| {
                    matches!(mc.recovery, crate::model::Recovery::Restore { .. })
                        || mc.replicas.iter().any(|r| r.lag.is_some())
                })
            })
        };
        if models.iter().any(|m| loses_data(m)) {
            keys.push((String::new(), PairedKind::DataLoss));
        }
        if models.iter().any(|m| !m.requests.is_empty()) {
            keys.push((String::new(), PairedKind::Failed));
        }
        let sources = models
            .iter()
            .map(|m| {
                keys.iter()
                    .map(|(scope, kind)| {
                        let service = || m.services.iter().position(|s| &s.name == scope);
                        match kind {
                            PairedKind::Unavailability => service().map(Paired::Unavailability),
                            PairedKind::Outages => service().map(Paired::Outages),
                            PairedKind::DataLoss => Some(Paired::DataLoss),
                            PairedKind::Failed => {
                                (!m.requests.is_empty()).then_some(Paired::Failed)
                            }
                        }
                    })
                    .collect()
            })
            .collect();
        Plan { keys, sources }
    }

    /// Reads layout `i`'s paired measures from its engine after a replication.
    fn observe(&self, i: usize, engine: &Engine<'_>, out: &mut Vec<Option<f64>>) {
        let model = engine.model();
        let mission = model.simulation.mission;
        let years = mission / HOURS_PER_YEAR;
        out.clear();
        for src in &self.sources[i] {
            out.push(src.map(|p| {
                match p {
                    Paired::Unavailability(s) => engine.monitors()[s].downtime / mission,
                    Paired::Outages(s) => engine.monitors()[s].outages as f64 / years,
                    Paired::DataLoss => {
                        engine
                            .machine_stats()
                            .iter()
                            .map(|m| m.data_lost)
                            .sum::<f64>()
                            / years
                    }
                    Paired::Failed => {
                        engine.request_stats().map(|q| q.all.failed).sum::<f64>() / years
                    }
                }
            }));
        }
    }
}

/// The mergeable state of a comparison.
struct CompareAcc {
    runs: Vec<RunAcc>,
    /// Per layout, per paired measure: its value.
    values: Vec<Vec<MeanAcc>>,
    /// Per layout, per paired measure: the difference to the first layout.
    diffs: Vec<Vec<MeanAcc>>,
}

impl CompareAcc {
    fn new(models: &[&Model], plan: &Plan) -> Self {
        CompareAcc {
            runs: models.iter().map(|m| RunAcc::new(m)).collect(),
            values: models
                .iter()
                .map(|_| vec![MeanAcc::default(); plan.keys.len()])
                .collect(),
            diffs: models
                .iter()
                .map(|_| vec![MeanAcc::default(); plan.keys.len()])
                .collect(),
        }
    }

    fn merge(&mut self, o: &CompareAcc) {
        for (a, b) in self.runs.iter_mut().zip(&o.runs) {
            a.merge(b);
        }
        for (a, b) in self
            .values
            .iter_mut()
            .zip(&o.values)
            .chain(self.diffs.iter_mut().zip(&o.diffs))
        {
            for (x, y) in a.iter_mut().zip(b) {
                x.merge(y);
            }
        }
    }
}

/// How to run a comparison.
pub struct CompareOptions<'a> {
    /// Worker threads (at least 1).
    pub threads: usize,
    /// Called with the number of replications done so far (of each layout).
    pub progress: Option<&'a dyn Fn(u64)>,
}

/// How a row's values read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Unit {
    /// A fraction of time up (shown as a percentage).
    Availability,
    /// Hours (per year or per outage).
    Hours,
    /// A count per year.
    PerYear,
    /// A latency, hours.
    Latency,
    /// Money per year, in the scenario's currency.
    Money,
}

/// A difference to the first layout.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Diff {
    /// The difference (this layout minus the first) with its 95% interval.
    pub value: Estimate,
    /// Whether the interval comes from paired replications (common random numbers); otherwise it is
    /// the conservative interval from the two layouts' own intervals.
    pub paired: bool,
    /// Whether the interval excludes zero.
    pub significant: bool,
}

/// One layout's figure in a row.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Cell {
    /// The figure with its 95% interval (an input such as a cost has an empty interval).
    pub value: Estimate,
    /// Difference to the first layout (none for the first layout itself).
    pub diff: Option<Diff>,
}

/// One compared figure across layouts.
#[derive(Debug, Clone, Serialize)]
pub struct Row {
    /// What it is, e.g. `availability`.
    pub measure: &'static str,
    /// The service or request kind it is about (empty: the whole layout).
    pub scope: String,
    /// How it reads.
    pub unit: Unit,
    /// Whether a larger value is better.
    pub higher_is_better: bool,
    /// Per layout (none: the layout does not have it).
    pub cells: Vec<Option<Cell>>,
}

/// One layout's results.
#[derive(Debug, Clone)]
pub struct LayoutResult {
    /// Its name (unique in the comparison).
    pub name: String,
    /// Exact state.
    pub acc: RunAcc,
    /// Its own estimates, as `run` would give them.
    pub summary: Summary,
    /// Total yearly cost, if the scenario gives costs.
    pub yearly_cost: Option<f64>,
}

/// The result of a comparison.
#[derive(Debug, Clone)]
pub struct Comparison {
    /// Layouts in the order given; differences are to the first.
    pub layouts: Vec<LayoutResult>,
    /// Compared figures.
    pub rows: Vec<Row>,
    /// Replications of each layout.
    pub replications: u64,
    /// Seed shared by all layouts.
    pub seed: u64,
    /// Mission, hours.
    pub mission_hours: f64,
    /// Events simulated, all layouts.
    pub events: u64,
    /// Wall-clock seconds.
    pub wall_seconds: f64,
    /// Threads used.
    pub threads: usize,
    /// Currency label of the costs (of the first layout that gives one).
    pub currency: Option<String>,
}

/// Names for layouts: their scenario names, with `#2`, `#3` appended to repeats.
pub fn unique_names(names: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::with_capacity(names.len());
    for n in names {
        let mut name = n.clone();
        let mut k = 2;
        while out.contains(&name) {
            name = format!("{n}#{k}");
            k += 1;
        }
        out.push(name);
    }
    out
}

/// Runs every layout for the replications of the first one (its seed, mission and replication count
/// apply to all), pairing replication `r` of each layout with replication `r` of the first.
/// `names` label the layouts (see [`unique_names`]).
pub fn run(
    models: &[&Model],
    names: &[String],
    opts: CompareOptions<'_>,
) -> Result<Comparison, RunError> {
    assert!(!models.is_empty() && names.len() == models.len());
    let first = &models[0].simulation;
    let plan = Plan::new(models);
    let threads = opts.threads.max(1);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .map_err(|source| RunError::ThreadPool { threads, source })?;
    let start = Instant::now();
    let total = first.replications;
    let batches = total.div_ceil(BATCH);
    let per_round = (threads as u64 * 4).max(1);
    let mut acc = CompareAcc::new(models, &plan);
    let mut b = 0;
    while b < batches {
        let end = (b + per_round).min(batches);
        let results: Vec<CompareAcc> = pool.install(|| {
            (b..end)
                .into_par_iter()
                .map_init(
                    || {
                        let engines: Vec<Engine<'_>> =
                            models.iter().map(|m| Engine::new(m)).collect();
                        (engines, Vec::new(), Vec::new())
                    },
                    |(engines, base, obs), batch| {
                        let mut a = CompareAcc::new(models, &plan);
                        let lo = batch * BATCH;
                        for rep in lo..(lo + BATCH).min(total) {
                            for (i, engine) in engines.iter_mut().enumerate() {
                                engine.run(rep);
                                a.runs[i].record(engine, 1.0);
                                let out = if i == 0 { &mut *base } else { &mut *obs };
                                plan.observe(i, engine, out);
                                for (k, x) in out.iter().enumerate() {
                                    if let Some(x) = x {
                                        a.values[i][k].add(*x, 1.0);
                                    }
                                }
                                if i == 0 {
                                    continue;
                                }
                                for (k, (x, y)) in obs.iter().zip(base.iter()).enumerate() {
                                    if let (Some(x), Some(y)) = (x, y) {
                                        a.diffs[i][k].add(x - y, 1.0);
                                    }
                                }
                            }
                        }
                        a
                    },
                )
                .collect()
        });
        for r in &results {
            acc.merge(r);
        }
        b = end;
        if let Some(p) = opts.progress {
            p(acc.runs[0].replications);
        }
    }
    let wall = start.elapsed().as_secs_f64();
    let info = RunInfo {
        wall_seconds: wall,
        threads,
    };
    let layouts: Vec<LayoutResult> = acc
        .runs
        .into_iter()
        .zip(models)
        .zip(names)
        .map(|((acc, m), name)| LayoutResult {
            name: name.clone(),
            summary: acc.summarize(m, info),
            acc,
            yearly_cost: m.yearly_cost().map(|c| c.0),
        })
        .collect();
    let rows = rows(models, &layouts, &plan, &acc.values, &acc.diffs);
    Ok(Comparison {
        events: layouts.iter().map(|l| l.acc.events).sum(),
        replications: total,
        seed: first.seed,
        mission_hours: first.mission,
        wall_seconds: wall,
        threads,
        currency: models.iter().find_map(|m| m.costs.currency.clone()),
        layouts,
        rows,
    })
}

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
    }
}

fn rows(
    models: &[&Model],
    layouts: &[LayoutResult],
    plan: &Plan,
    values: &[Vec<MeanAcc>],
    diffs: &[Vec<MeanAcc>],
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
        })
    };
    let services: Vec<String> = plan
        .keys
        .iter()
        .filter(|(_, k)| *k == PairedKind::Unavailability)
        .map(|(s, _)| s.clone())
        .collect();
    type Pick = fn(&crate::estimate::summary::EntitySummary) -> Estimate;
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
    }
    let own = |i: usize, kind: PairedKind| -> Option<Estimate> {
        let k = plan.keys.iter().position(|(_, x)| *x == kind)?;
        plan.sources[i][k].map(|_| values[i][k].estimate())
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
            let base = pick(0);
            let cells = (0..n)
                .map(|i| {
                    let value = pick(i)?;
                    let diff = if i == 0 {
                        None
                    } else {
                        base.map(|b| unpaired(&value, &b))
                    };
                    Some(Cell { value, diff })
                })
                .collect();
            rows.push(Row {
                measure: "latency P99",
                scope: k.clone(),
                unit: Unit::Latency,
                higher_is_better: false,
                cells,
            });
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
    rows
}

/// A latency with three significant digits and a unit that reads: `135 ms`, `1.75 s`, `2.31e-5 ms`.
fn latency(hours: f64) -> String {
    let s = hours * 3600.0;
    let a = s.abs();
    if a == 0.0 {
        "0".into()
    } else if a < 1.0 {
        format!("{} ms", crate::base::format::sig3(s * 1000.0))
    } else if a < 120.0 {
        format!("{} s", crate::base::format::sig3(s))
    } else {
        crate::base::format::hours(hours)
    }
}

impl Unit {
    /// A value in this unit, for people.
    pub fn format(self, v: f64, currency: Option<&str>) -> String {
        match self {
            Unit::Availability => crate::base::format::percent(v, 1.0 - v),
            Unit::Hours => crate::base::format::hours(v),
            Unit::PerYear => crate::base::format::sig3(v),
            Unit::Latency => latency(v),
            Unit::Money => money(v, currency),
        }
    }

    /// A difference in this unit, with its sign: `+1.2h`, `−0.0012 pp`.
    pub fn format_diff(self, d: f64, currency: Option<&str>) -> String {
        let sign = if d > 0.0 {
            "+"
        } else if d < 0.0 {
            "−"
        } else {
            ""
        };
        let a = d.abs();
        let body = match self {
            Unit::Availability => format!("{} pp", crate::base::format::sig3(a * 100.0)),
            Unit::Money => money(a, currency),
            _ => self.format(a, currency),
        };
        format!("{sign}{body}")
    }

    /// A half-width, without sign: `±1.2h`.
    fn format_half(self, h: f64, currency: Option<&str>) -> String {
        match self {
            Unit::Availability => format!("±{}", crate::base::format::sig3(h * 100.0)),
            _ => format!("±{}", self.format(h, currency)),
        }
    }
}

/// The larger half of an interval around its estimate (conservative for asymmetric intervals).
fn half_width(e: &Estimate) -> f64 {
    (e.ci95_high - e.value).max(e.value - e.ci95_low).max(0.0)
}

/// The side-by-side table `nines compare` prints.
pub fn table(c: &Comparison) -> String {
    use std::fmt::Write as _;
    let cur = c.currency.as_deref();
    let n = c.layouts.len();
    let mut header = vec![String::new()];
    for (i, l) in c.layouts.iter().enumerate() {
        header.push(l.name.clone());
        if i > 0 {
            header.push(format!("Δ vs {}", c.layouts[0].name));
        }
    }
    let mut lines: Vec<Vec<String>> = Vec::new();
    let mut scope = None;
    for r in &c.rows {
        let heading = if r.measure == "failed requests per year" {
            "clients, all request kinds".to_string()
        } else if r.unit == Unit::Money {
            "cost".to_string()
        } else if r.scope.is_empty() {
            "layout".to_string()
        } else if r.unit == Unit::Latency {
            format!("clients {}", r.scope)
        } else {
            format!("service {}", r.scope)
        };
        if scope.as_ref() != Some(&heading) {
            let mut l = vec![heading.clone()];
            l.resize(header.len(), String::new());
            lines.push(l);
            scope = Some(heading);
        }
        let mut l = vec![format!("  {}", r.measure)];
        for (i, cell) in r.cells.iter().enumerate() {
            let exact = r.unit == Unit::Money;
            match cell {
                Some(cell) => {
                    let v = r.unit.format(cell.value.value, cur);
                    l.push(if exact {
                        v
                    } else {
                        format!("{v} {}", r.unit.format_half(half_width(&cell.value), cur))
                    });
                    if i > 0 {
                        l.push(match &cell.diff {
                            Some(d) => {
                                let mut s = r.unit.format_diff(d.value.value, cur);
                                if !exact {
                                    s = format!(
                                        "{s} {}",
                                        r.unit.format_half(half_width(&d.value), cur)
                                    );
                                    if d.significant {
                                        let better = (d.value.value > 0.0) == r.higher_is_better;
                                        s.push_str(if better { " better" } else { " worse" });
                                    } else {
                                        s.push_str(if d.paired { " ~" } else { " ≈" });
                                    }
                                }
                                s
                            }
                            None => "n/a".into(),
                        });
                    }
                }
                None => {
                    l.push("—".into());
                    if i > 0 {
                        l.push(String::new());
                    }
                }
            }
        }
        lines.push(l);
    }
    let cols = header.len();
    let width = |s: &str| s.chars().count();
    let widths: Vec<usize> = (0..cols)
        .map(|k| {
            lines
                .iter()
                .filter(|l| l[0].starts_with(' '))
                .map(|l| width(&l[k]))
                .chain([width(&header[k])])
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut out = String::new();
    let _ = writeln!(
        out,
        "nines {} · compare {n} layouts · mission {} · {} replications each · seed {} · common random numbers\n",
        env!("CARGO_PKG_VERSION"),
        crate::base::units::format_duration(c.mission_hours),
        c.replications,
        c.seed
    );
    let pad = |s: &str, w: usize| format!("{s}{}", " ".repeat(w.saturating_sub(width(s))));
    let row = |l: &[String]| {
        let mut s = String::new();
        for (k, cell) in l.iter().enumerate() {
            s.push_str(&pad(cell, widths[k]));
            if k + 1 < l.len() {
                s.push_str("   ");
            }
        }
        s.trim_end().to_string()
    };
    let _ = writeln!(out, "{}", row(&header));
    for l in &lines {
        if l[0].starts_with(' ') {
            let _ = writeln!(out, "{}", row(l));
        } else {
            let _ = writeln!(out, "{}", l[0]);
        }
    }
    let _ = writeln!(
        out,
        "\n± 95% interval (the larger side; percentage points for availability). Δ: difference to {} over {} paired replications (common random numbers);",
        c.layouts[0].name, c.replications
    );
    let _ = writeln!(
        out,
        "better/worse: significant at 95%; ~ not significant; ≈ not paired (percentiles, latency): significant only if the intervals do not overlap."
    );
    for l in &c.layouts {
        if l.acc.replications > 0
            && l.summary
                .entities
                .iter()
                .any(|e| e.kind == crate::model::EntityKind::Service && e.total_outages < 10)
        {
            let _ = writeln!(
                out,
                "note: {} saw fewer than 10 outages of a service; its intervals are not reliable.",
                l.name
            );
        }
    }
    let _ = writeln!(
        out,
        "{} events in {:.2}s on {} threads",
        c.events, c.wall_seconds, c.threads
    );
    out
}

/// Header of `comparison.csv`.
pub const CSV_HEADER: [&str; 14] = [
    "layout",
    "scope",
    "measure",
    "unit",
    "value",
    "ci95_low",
    "ci95_high",
    "replications",
    "diff",
    "diff_ci95_low",
    "diff_ci95_high",
    "paired",
    "significant",
    "yearly_cost",
];

/// `comparison.csv`: one row per layout and compared figure.
pub fn csv(c: &Comparison) -> Result<Vec<u8>, csv::Error> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(CSV_HEADER)?;
    let unit = |u: Unit| match u {
        Unit::Availability => "fraction",
        Unit::Hours => "hours",
        Unit::PerYear => "per_year",
        Unit::Latency => "hours",
        Unit::Money => "per_year",
    };
    let f = |v: f64| format!("{v}");
    for r in &c.rows {
        for (l, cell) in c.layouts.iter().zip(&r.cells) {
            let Some(cell) = cell else { continue };
            let (d, dl, dh, paired, sig) = match &cell.diff {
                Some(d) => (
                    f(d.value.value),
                    f(d.value.ci95_low),
                    f(d.value.ci95_high),
                    d.paired.to_string(),
                    d.significant.to_string(),
                ),
                None => Default::default(),
            };
            w.write_record([
                l.name.clone(),
                r.scope.clone(),
                r.measure.replace(' ', "_"),
                unit(r.unit).to_string(),
                f(cell.value.value),
                f(cell.value.ci95_low),
                f(cell.value.ci95_high),
                cell.value.n.to_string(),
                d,
                dl,
                dh,
                paired,
                sig,
                l.yearly_cost.map(f).unwrap_or_default(),
            ])?;
        }
    }
    w.into_inner().map_err(|e| e.into_error().into())
}
