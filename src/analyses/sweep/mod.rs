//! Parameter sweeps: a scenario's text with one or two fields set to each value of a list, compiled
//! into one layout per point of the grid. The fields are dotted paths into the TOML document
//! (`nodes.web.count`, `nodes.sql.repair.mean`), so any number in a scenario can be swept.

use toml_edit::{DocumentMut, Item, Value};

use crate::analyses::compare::Comparison;
use crate::base::stats::Estimate;
use crate::model::{EntityKind, Model, SweepParameter, SweepValue};
use crate::scenario::sweep::{parse_values, unsweepable};
use crate::scenario::{self, MAX_SWEEP_PARAMETERS, ScenarioError};

/// A swept value as a TOML value.
fn to_toml(value: &SweepValue) -> Value {
    match value {
        SweepValue::Integer(i) => Value::from(*i),
        SweepValue::Float(x) => Value::from(*x),
        SweepValue::Bool(b) => Value::from(*b),
        SweepValue::Text(s) => Value::from(s.as_str()),
    }
}

/// Why a sweep could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum SweepError {
    /// `--set` text that is not `path=values`.
    #[error(
        "--set {0}: expected PATH=VALUES, e.g. nodes.web.count=2..6, roles.db.coverage=0.9,0.99 or nodes.sql.repair.mean=4h,8h,16h"
    )]
    Syntax(String),
    /// A value list that cannot be read.
    #[error("--set {text}: {message}")]
    Values {
        /// The argument.
        text: String,
        /// What is wrong.
        message: String,
    },
    /// No parameter given and no `[sweep]` section.
    #[error(
        "nothing to sweep: give --set PATH=VALUES (e.g. --set nodes.web.count=2..6) or a [sweep] section in {0}"
    )]
    Nothing(String),
    /// Too many parameters.
    #[error("a sweep varies at most {MAX_SWEEP_PARAMETERS} parameters; {0} were given")]
    TooMany(usize),
    /// A field that is the same for every point (the run settings), or the sweep itself.
    #[error("--set: {reason}")]
    Unsweepable {
        /// The dotted path.
        path: String,
        /// Why, and what to do instead.
        reason: String,
    },
    /// The same field twice.
    #[error("{0} is swept twice")]
    Twice(String),
    /// A path that does not lead to a field of the scenario.
    #[error("{arg}: cannot set it in {file}: {reason}")]
    Path {
        /// Scenario file.
        file: String,
        /// The dotted path.
        path: String,
        /// The argument or `[sweep]` entry that gave it, e.g. `--set nodes.webb.count`.
        arg: String,
        /// Why.
        reason: String,
    },
    /// A swept value the field does not accept, or a field the scenario language does not have: the
    /// argument is at fault, not a line of the file.
    #[error("{arg}={value}: {message}")]
    Field {
        /// The argument or `[sweep]` entry, e.g. `--set nodes.web.cnt`.
        arg: String,
        /// The value that was set.
        value: String,
        /// The scenario's error about the field (`unknown key ...; did you mean ...`).
        message: String,
    },
    /// The file is not valid TOML (compile it for the located error).
    #[error("{0}")]
    Scenario(#[from] ScenarioError),
    /// A point of the grid gives an invalid scenario.
    #[error("at the sweep point {point}:\n{error}")]
    Point {
        /// The point, e.g. `nodes.web.count=1`.
        point: String,
        /// The scenario's errors with that setting.
        error: ScenarioError,
    },
}

/// Most simulated missions (points × replications) a sweep runs without `--yes`.
pub const MAX_MISSIONS: u64 = 10_000_000;
/// Most memory, bytes, a sweep's results may take (by [`Workload::estimate`]) without `--yes`.
pub const MAX_BYTES: u64 = 4 << 30;
/// Memory the results of one point take per service or role it measures, bytes (its accumulator and
/// summary: the exact sums behind every figure; measured at 60 to 70 KiB).
const BYTES_PER_ENTITY: u64 = 64 << 10;

/// What a sweep asks for, estimated before any point is compiled or run: a 64×64 grid at 10 000
/// replications ran for minutes and passed 12 GB with no warning.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Workload {
    /// Points of the grid.
    pub points: u64,
    /// Replications of each point.
    pub replications: u64,
    /// Memory the points' results take, bytes (about; it does not depend on the replications).
    pub bytes: u64,
}

impl Workload {
    /// The workload of sweeping `params` over `base` (whose services and roles each point measures)
    /// at `replications` per point.
    pub fn estimate(params: &[SweepParameter], base: &Model, replications: u64) -> Self {
        let points = params
            .iter()
            .fold(1u64, |n, p| n.saturating_mul(p.values.len() as u64));
        let entities = (base.services.len() + base.roles.len()) as u64;
        Workload {
            points,
            replications,
            bytes: points.saturating_mul((entities + 1).saturating_mul(BYTES_PER_ENTITY)),
        }
    }

    /// Simulated missions: points × replications.
    pub fn missions(&self) -> u64 {
        self.points.saturating_mul(self.replications)
    }

    /// Why the sweep is beyond the limits that hold without `--yes`, with the estimate and how to
    /// shrink it; `None` within them.
    pub fn excess(&self) -> Option<String> {
        let missions = self.missions();
        if missions <= MAX_MISSIONS && self.bytes <= MAX_BYTES {
            return None;
        }
        let mut shrink = Vec::new();
        if missions > MAX_MISSIONS {
            shrink.push(format!(
                "fewer replications (-n {} or less at {} points)",
                (MAX_MISSIONS / self.points).max(1),
                self.points
            ));
        }
        shrink.push("fewer values per parameter (--set or [sweep])".to_string());
        Some(format!(
            "this sweep is large: {} points × {} replications = {} simulated missions (the limit is {}), whose results take about {} of memory (the limit is {}); make it smaller with {}, or give --yes to run it as it is",
            self.points,
            self.replications,
            missions,
            MAX_MISSIONS,
            gib(self.bytes),
            gib(MAX_BYTES),
            shrink.join(" or ")
        ))
    }
}

/// Bytes in GB (2^30) with one decimal, or MB below one GB.
fn gib(bytes: u64) -> String {
    let g = bytes as f64 / (1u64 << 30) as f64;
    if g >= 1.0 {
        format!("{g:.1} GB")
    } else {
        format!("{:.0} MB", bytes as f64 / (1u64 << 20) as f64)
    }
}

/// Reads a `--set PATH=VALUES` argument.
pub fn parse_set(text: &str) -> Result<SweepParameter, SweepError> {
    let (path, values) = text
        .split_once('=')
        .ok_or_else(|| SweepError::Syntax(text.to_string()))?;
    let path = path.trim();
    if path.is_empty() || path.split('.').any(|s| s.trim().is_empty()) {
        return Err(SweepError::Syntax(text.to_string()));
    }
    if let Some(reason) = unsweepable(path) {
        return Err(SweepError::Unsweepable {
            path: path.to_string(),
            reason,
        });
    }
    let values = parse_values(values).map_err(|message| SweepError::Values {
        text: text.to_string(),
        message,
    })?;
    Ok(SweepParameter {
        path: path.to_string(),
        values,
    })
}

/// One point of a sweep: its settings and the layout they give.
#[derive(Debug, Clone)]
pub struct Point {
    /// Per parameter, the index of its value.
    pub index: Vec<usize>,
    /// `path=value` for each parameter, joined by ", ".
    pub label: String,
    /// The compiled layout.
    pub model: Model,
}

/// Where a sweep's parameters were given, to name them in errors.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// `--set PATH=VALUES` on the command line.
    CommandLine,
    /// The scenario's `[sweep]` section.
    Section,
}

impl Origin {
    /// How an error names the parameter at `path`: `--set nodes.web.count`, `[sweep] "nodes.web.count"`.
    pub fn name(self, path: &str) -> String {
        match self {
            Origin::CommandLine => format!("--set {path}"),
            Origin::Section => format!("[sweep] \"{path}\""),
        }
    }
}

/// [`points_from`] for the parameters of the scenario's `[sweep]` section.
pub fn points(text: &str, file: &str, params: &[SweepParameter]) -> Result<Vec<Point>, SweepError> {
    points_from(text, file, params, Origin::Section)
}

/// Every point of the grid over `params` (the last parameter varies fastest), each compiled from
/// `text` with the fields set. `file` names the scenario in errors. Fails on the first point that
/// does not compile, naming it; an error about a swept field itself names the parameter as `origin`
/// gave it rather than a line of the file.
pub fn points_from(
    text: &str,
    file: &str,
    params: &[SweepParameter],
    origin: Origin,
) -> Result<Vec<Point>, SweepError> {
    if params.is_empty() {
        return Err(SweepError::Nothing(file.to_string()));
    }
    if params.len() > MAX_SWEEP_PARAMETERS {
        return Err(SweepError::TooMany(params.len()));
    }
    for (i, p) in params.iter().enumerate() {
        if let Some(reason) = unsweepable(&p.path) {
            return Err(SweepError::Unsweepable {
                path: p.path.clone(),
                reason,
            });
        }
        if params[..i].iter().any(|q| q.path == p.path) {
            return Err(SweepError::Twice(p.path.clone()));
        }
    }
    // The unmodified scenario must compile first, so its own errors are reported as such.
    scenario::compile(text, file)?;
    let doc: DocumentMut = text
        .parse()
        .map_err(|e: toml_edit::TomlError| SweepError::Path {
            file: file.to_string(),
            path: params[0].path.clone(),
            arg: origin.name(&params[0].path),
            reason: e.to_string(),
        })?;
    let mut grid: Vec<Vec<usize>> = vec![Vec::new()];
    for p in params {
        grid = grid
            .into_iter()
            .flat_map(|g| {
                (0..p.values.len()).map(move |i| {
                    let mut g = g.clone();
                    g.push(i);
                    g
                })
            })
            .collect();
    }
    let mut out = Vec::with_capacity(grid.len());
    for index in grid {
        let mut d = doc.clone();
        let mut label = Vec::new();
        for (p, &i) in params.iter().zip(&index) {
            set(&mut d, &p.path, &p.values[i]).map_err(|reason| SweepError::Path {
                file: file.to_string(),
                path: p.path.clone(),
                arg: origin.name(&p.path),
                reason,
            })?;
            label.push(format!("{}={}", p.path, p.values[i]));
        }
        let label = label.join(", ");
        let model = scenario::compile(&d.to_string(), file).map_err(|error| {
            // The file compiled without the settings, so an error at a swept field is the
            // parameter's (a misspelt key, a value of the wrong type); the others follow from it.
            for (p, &i) in params.iter().zip(&index) {
                if let Some(d) = error.diagnostics.iter().find(|d| d.path == p.path) {
                    return SweepError::Field {
                        arg: origin.name(&p.path),
                        value: p.values[i].to_string(),
                        message: d.message.clone(),
                    };
                }
            }
            SweepError::Point {
                point: label.clone(),
                error,
            }
        })?;
        out.push(Point {
            index,
            label,
            model,
        });
    }
    Ok(out)
}

/// Sets the field at a dotted path, keeping its comments; the tables on the way must exist, the field
/// itself may be new.
fn set(doc: &mut DocumentMut, path: &str, value: &SweepValue) -> Result<(), String> {
    let segs: Vec<&str> = path.split('.').map(str::trim).collect();
    let (last, parents) = segs.split_last().expect("paths are not empty");
    let mut item: &mut Item = doc.as_item_mut();
    let mut walked = String::new();
    for seg in parents {
        let table = item
            .as_table_like_mut()
            .ok_or_else(|| format!("`{walked}` is a value, not a table"))?;
        walked = if walked.is_empty() {
            seg.to_string()
        } else {
            format!("{walked}.{seg}")
        };
        let keys: Vec<String> = table.iter().map(|(k, _)| k.to_string()).collect();
        let parent = walked.strip_suffix(seg).unwrap_or_default().to_string();
        item = table.get_mut(seg).ok_or_else(|| {
            let keys: Vec<&str> = keys.iter().map(String::as_str).collect();
            let hint = crate::scenario::closest(seg, &keys)
                .map(|c| format!("; did you mean `{parent}{c}`?"))
                .unwrap_or_default();
            format!("the scenario has no `{walked}`{hint}")
        })?;
    }
    let table = item
        .as_table_like_mut()
        .ok_or_else(|| format!("`{walked}` is a value, not a table"))?;
    let mut new = to_toml(value);
    match table.get_mut(last) {
        Some(Item::Value(old)) if !old.is_inline_table() && !old.is_array() => {
            *new.decor_mut() = old.decor().clone();
            *old = new;
        }
        Some(Item::Value(v)) if v.is_array() => {
            return Err(format!("`{path}` is a list; sweep a number or a string"));
        }
        Some(_) => {
            return Err(format!(
                "`{path}` is a table; sweep one of its fields, e.g. `{path}.mean`"
            ));
        }
        None => {
            table.insert(last, Item::Value(new));
        }
    }
    Ok(())
}

/// Whether a point meets the service's availability target, judged by its 95% interval.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Meets {
    /// The whole interval is at or above the target.
    Yes,
    /// The whole interval is below the target.
    No,
    /// The interval straddles the target: more replications would tell.
    Uncertain,
}

impl Meets {
    /// Judges an availability estimate against a target.
    pub fn judge(a: &Estimate, target: f64) -> Meets {
        if a.ci95_low >= target {
            Meets::Yes
        } else if a.ci95_high < target {
            Meets::No
        } else {
            Meets::Uncertain
        }
    }

    fn as_str(self) -> &'static str {
        match self {
            Meets::Yes => "yes",
            Meets::No => "no",
            Meets::Uncertain => "uncertain",
        }
    }
}

/// One point of a sweep, as a row of its table.
#[derive(Debug, Clone)]
pub struct SweepRow {
    /// Index of the point's layout in the comparison.
    pub layout: usize,
    /// The point's value of each parameter.
    pub values: Vec<SweepValue>,
    /// Availability of the swept service.
    pub availability: Estimate,
    /// Its downtime per year, hours.
    pub downtime_hours_per_year: Estimate,
    /// Its 90th percentile of annual downtime, hours.
    pub annual_downtime_hours_p90: Estimate,
    /// Its outages per year.
    pub outages_per_year: Estimate,
    /// With a tolerance: its rule ("excess" or "whole") and impactful downtime per year, hours.
    pub impactful: Option<(&'static str, Estimate)>,
    /// Requests of all clients that failed, per year (with clients).
    pub failed_requests_per_year: Option<Estimate>,
    /// P99 latency of the first request kind (with clients), hours.
    pub latency_p99_hours: Option<Estimate>,
    /// Share of client-time with stale data, of the first request kind with `stale_after`.
    pub stale_share: Option<Estimate>,
    /// Total yearly cost (with costs).
    pub yearly_cost: Option<f64>,
    /// Against the service's target (if it has one).
    pub meets: Option<Meets>,
    /// Work in flight: requests of [`Sweep::in_flight_kind`] cut per year.
    pub cut_per_year: Option<Estimate>,
    /// Reassignment: moves per year and hours moved per year of [`Sweep::reassign_kind`].
    pub reassigned: Option<(Estimate, Estimate)>,
    /// Phases: the service's availability in each of [`Sweep::phases`].
    pub phases: Vec<Option<Estimate>>,
}

/// A sweep's results: one row per point, for the swept service.
#[derive(Debug, Clone)]
pub struct Sweep {
    /// The parameters.
    pub params: Vec<SweepParameter>,
    /// The service the table is about.
    pub service: String,
    /// Its availability target, if any.
    pub target: Option<f64>,
    /// The request kind whose P99 latency is shown (the first one), if any.
    pub request_kind: Option<String>,
    /// The request kind whose stale share is shown (the first with `stale_after`), if any.
    pub age_kind: Option<String>,
    /// The first request kind with work in flight, whose cut requests are shown.
    pub in_flight_kind: Option<String>,
    /// The first reassigned request kind, whose moves are shown.
    pub reassign_kind: Option<String>,
    /// The service's phase rows (`[phases]`, with `other` and `needed`), whose availability is shown.
    pub phases: Vec<String>,
    /// The service's target is judged on impactful downtime (`target_counts = "impactful"`).
    pub target_impactful: bool,
    /// Rows in grid order.
    pub rows: Vec<SweepRow>,
    /// Currency of the costs.
    pub currency: Option<String>,
    /// Replications per point.
    pub replications: u64,
    /// Seed shared by the points.
    pub seed: u64,
    /// Mission, hours.
    pub mission_hours: f64,
}

impl Sweep {
    /// The sweep's view of a comparison of its points (in the same order).
    pub fn new(c: &Comparison, points: &[Point], params: &[SweepParameter], service: &str) -> Self {
        let request_kind = c
            .layouts
            .iter()
            .find_map(|l| l.summary.requests.first().map(|q| q.name.clone()));
        let first = |has: fn(&crate::estimate::summary::RequestSummary) -> bool| {
            c.layouts.iter().find_map(|l| {
                l.summary
                    .requests
                    .iter()
                    .find(|q| has(q))
                    .map(|q| q.name.clone())
            })
        };
        let age_kind = first(|q| q.data_age.is_some());
        let in_flight_kind = first(|q| q.in_flight.is_some());
        let reassign_kind = first(|q| q.reassign.is_some());
        let phase_rows = phases::names(c, service);
        let mut target_impactful = false;
        let mut target = None;
        let rows = points
            .iter()
            .enumerate()
            .filter_map(|(i, p)| {
                let l = &c.layouts[i];
                let e = l
                    .summary
                    .entities
                    .iter()
                    .find(|e| e.kind == EntityKind::Service && e.name == service)?;
                target = target.or(e.target);
                target_impactful |= e.tolerance.as_ref().is_some_and(|t| t.judges_target);
                let kind = |name: &Option<String>| {
                    l.summary
                        .requests
                        .iter()
                        .find(|q| Some(&q.name) == name.as_ref())
                };
                let failed = c
                    .rows
                    .iter()
                    .find(|r| r.measure == "failed requests per year")
                    .and_then(|r| r.cells[i].map(|x| x.value));
                Some(SweepRow {
                    layout: i,
                    values: params
                        .iter()
                        .zip(&p.index)
                        .map(|(q, &k)| q.values[k].clone())
                        .collect(),
                    availability: e.availability,
                    downtime_hours_per_year: e.downtime_hours_per_year,
                    annual_downtime_hours_p90: e.annual_downtime_hours_p90,
                    outages_per_year: e.outages_per_year,
                    impactful: e
                        .tolerance
                        .as_ref()
                        .map(|t| (t.counts, t.impactful_downtime_hours_per_year)),
                    failed_requests_per_year: failed,
                    latency_p99_hours: request_kind.as_ref().and_then(|k| {
                        l.summary
                            .requests
                            .iter()
                            .find(|q| &q.name == k)
                            .map(|q| q.latency_p99_hours)
                    }),
                    stale_share: age_kind.as_ref().and_then(|k| {
                        l.summary
                            .requests
                            .iter()
                            .find(|q| &q.name == k)
                            .and_then(|q| q.data_age.as_ref())
                            .map(|g| g.stale_share)
                    }),
                    yearly_cost: l.yearly_cost,
                    meets: e.target.map(|t| Meets::judge(&e.judged_availability(), t)),
                    cut_per_year: kind(&in_flight_kind)
                        .and_then(|q| q.in_flight.as_ref())
                        .map(|f| f.cut_per_year),
                    reassigned: kind(&reassign_kind)
                        .and_then(|q| q.reassign.as_ref())
                        .map(|m| (m.reassignments_per_year, m.reassigned_hours_per_year)),
                    phases: phases::availability(&l.summary, service, &phase_rows),
                })
            })
            .collect();
        Sweep {
            params: params.to_vec(),
            service: service.to_string(),
            target,
            request_kind,
            age_kind,
            in_flight_kind,
            reassign_kind,
            phases: phase_rows,
            target_impactful,
            rows,
            currency: c.currency.clone(),
            replications: c.replications,
            seed: c.seed,
            mission_hours: c.mission_hours,
        }
    }

    /// The answer to "which point meets the target": the cheapest point whose interval is above the
    /// target when costs are given, else the first such point in sweep order.
    pub fn answer(&self) -> Option<&SweepRow> {
        let ok = self.rows.iter().filter(|r| r.meets == Some(Meets::Yes));
        if self.rows.iter().all(|r| r.yearly_cost.is_some()) && !self.rows.is_empty() {
            ok.min_by(|a, b| {
                a.yearly_cost
                    .partial_cmp(&b.yearly_cost)
                    .unwrap_or(std::cmp::Ordering::Equal)
            })
        } else {
            ok.into_iter().next()
        }
    }

    /// A point's settings, e.g. `nodes.web.count=3`.
    pub fn label(&self, r: &SweepRow) -> String {
        self.params
            .iter()
            .zip(&r.values)
            .map(|(p, v)| format!("{}={v}", p.path))
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// The table `nines sweep` prints.
    pub fn table(&self) -> String {
        use crate::base::format::money;
        use crate::base::format::{hours, percent, sig3};
        let cur = self.currency.as_deref();
        let mut header: Vec<String> = self.params.iter().map(|p| p.path.clone()).collect();
        header.extend(
            [
                "availability [95% CI]",
                "downtime/yr",
                "P90 year",
                "outages/yr",
            ]
            .map(String::from),
        );
        let rule = self.rows.iter().find_map(|r| r.impactful.map(|(k, _)| k));
        if let Some(k) = rule {
            header.push(format!("impactful/yr ({k})"));
        }
        let clients = self
            .rows
            .iter()
            .any(|r| r.failed_requests_per_year.is_some());
        if clients {
            header.push("failed req/yr".into());
            header.push(format!(
                "P99 {}",
                self.request_kind.as_deref().unwrap_or("latency")
            ));
        }
        if let Some(k) = &self.age_kind {
            header.push(format!("stale {k}"));
        }
        if let Some(k) = &self.in_flight_kind {
            header.push(format!("cut/yr {k}"));
        }
        if let Some(k) = &self.reassign_kind {
            header.push(format!("reassigned/yr {k}"));
            header.push("moved/yr".into());
        }
        header.extend(self.phases.iter().map(|p| format!("avail {p}")));
        let costs = self.rows.iter().any(|r| r.yearly_cost.is_some());
        if costs {
            header.push("yearly cost".into());
        }
        if let Some(t) = self.target {
            let on = if self.target_impactful {
                " (impactful)"
            } else {
                ""
            };
            header.push(format!("meets {}{on}", percent(t, 1.0 - t)));
        }
        let mut lines = vec![header];
        for r in &self.rows {
            let a = &r.availability;
            let u = 1.0 - a.value;
            let mut l: Vec<String> = r.values.iter().map(|v| v.to_string()).collect();
            l.push(format!(
                "{} [{}, {}]",
                percent(a.value, u),
                percent(a.ci95_low, u),
                percent(a.ci95_high, u)
            ));
            l.push(format!(
                "{} ±{}",
                hours(r.downtime_hours_per_year.value),
                hours(
                    (r.downtime_hours_per_year.ci95_high - r.downtime_hours_per_year.value)
                        .max(0.0)
                )
            ));
            l.push(hours(r.annual_downtime_hours_p90.value));
            l.push(sig3(r.outages_per_year.value));
            if rule.is_some() {
                l.push(r.impactful.map_or("—".into(), |(_, e)| hours(e.value)));
            }
            if clients {
                l.push(
                    r.failed_requests_per_year
                        .map_or("—".into(), |e| sig3(e.value)),
                );
                l.push(
                    r.latency_p99_hours
                        .map_or("—".into(), |e| crate::base::format::latency(e.value)),
                );
            }
            if self.age_kind.is_some() {
                l.push(
                    r.stale_share
                        .map_or("—".into(), |e| format!("{}%", sig3(e.value * 100.0))),
                );
            }
            if self.in_flight_kind.is_some() {
                l.push(r.cut_per_year.map_or("—".into(), |e| sig3(e.value)));
            }
            if self.reassign_kind.is_some() {
                l.push(r.reassigned.map_or("—".into(), |(e, _)| sig3(e.value)));
                l.push(r.reassigned.map_or("—".into(), |(_, e)| hours(e.value)));
            }
            l.extend(
                r.phases
                    .iter()
                    .map(|a| a.map_or("—".into(), |a| percent(a.value, 1.0 - a.value))),
            );
            if costs {
                l.push(r.yearly_cost.map_or("—".into(), |c| money(c, cur)));
            }
            if self.target.is_some() {
                l.push(r.meets.map_or("—", Meets::as_str).to_string());
            }
            lines.push(l);
        }
        let width = |s: &str| s.chars().count();
        let cols = lines[0].len();
        let widths: Vec<usize> = (0..cols)
            .map(|k| lines.iter().map(|l| width(&l[k])).max().unwrap_or(0))
            .collect();
        let mut out = format!(
            "nines {} · sweep of service {} · {} points · mission {} · {} replications each · seed {} · common random numbers\n\n",
            env!("CARGO_PKG_VERSION"),
            self.service,
            self.rows.len(),
            crate::base::units::format_duration(self.mission_hours),
            self.replications,
            self.seed
        );
        for l in &lines {
            let mut s = String::new();
            for (k, cell) in l.iter().enumerate() {
                // Text columns (parameters) left, figures right.
                let pad = " ".repeat(widths[k] - width(cell));
                if k < self.params.len() {
                    s.push_str(cell);
                    s.push_str(&pad);
                } else {
                    s.push_str(&pad);
                    s.push_str(cell);
                }
                s.push_str("   ");
            }
            out.push_str(s.trim_end());
            out.push('\n');
        }
        out.push('\n');
        match (self.target, self.answer()) {
            (Some(t), Some(r)) => out.push_str(&format!(
                "answer: {} is the {} point whose 95% interval of availability is at or above the target {}{}\n",
                self.label(r),
                if costs { "cheapest" } else { "first" },
                percent(t, 1.0 - t),
                r.yearly_cost
                    .map(|c| format!(" (yearly cost {})", money(c, cur)))
                    .unwrap_or_default()
            )),
            (Some(t), None) => {
                let uncertain = self
                    .rows
                    .iter()
                    .filter(|r| r.meets == Some(Meets::Uncertain))
                    .count();
                // Only points whose interval straddles the target can be settled by more replications.
                let why = match uncertain {
                    0 => "every point's 95% interval is below it".to_string(),
                    1 => "1 point is uncertain: more replications would tell".to_string(),
                    k => format!("{k} points are uncertain: more replications would tell"),
                };
                out.push_str(&format!(
                    "answer: no point is shown to meet the target {} ({why})\n",
                    percent(t, 1.0 - t)
                ));
            }
            (None, _) => out.push_str(&format!(
                "service {} has no target; give it `target = 0.999` to have the sweep say which points meet it\n",
                self.service
            )),
        }
        out
    }
}

mod csv_out;
mod phases;

#[cfg(test)]
mod tests;
