//! Scenario files: TOML text → validated [`Model`]. Every problem in a file is reported at once, each
//! with its line, column, field path and what would be valid.

mod reader;
pub mod sweep;

use std::collections::HashMap;
use std::fmt;
use std::ops::Range;

use toml::de::{DeTable, DeValue};

use crate::base::dist::Dist;
use crate::base::units::{HOURS_PER_YEAR, Hours, format_duration};
use crate::model::{
    self, Commit, Component, ComponentKind, Costs, Crew, CrewPolicy, Graph, Guard, MAX_INSTANCES,
    Machine, Maintenance, Model, Population, Reconnect, Recovery, Replica, RequestKind, Role,
    RoleKind, Selection, Service, Simulation, Site, Software, WhenAllFail, stream_key,
};
use crate::model::{SweepParameter, SweepValue};
use reader::{
    Errors, Name, Tbl, Val, boolean, duration, integer, join, name, names, number, rate, string,
    type_name,
};

/// Largest accepted number of replications in one run.
pub const MAX_REPLICATIONS: u64 = 10_000_000_000;
/// Longest accepted mission.
pub const MAX_MISSION_YEARS: f64 = 10_000.0;
/// Largest accepted `count` of a node group.
pub const MAX_GROUP_COUNT: u64 = 100_000;
/// Largest accepted number of technicians in a crew.
pub const MAX_TECHNICIANS: u64 = 10_000;
/// Largest accepted failover cluster (Windows Server failover clustering supports 64 nodes).
pub const MAX_CLUSTER_NODES: usize = 64;
/// Most secondary replicas of an availability group.
pub const MAX_AG_SECONDARIES: usize = 8;
/// Most windows one maintenance schedule may open in a mission.
pub const MAX_WINDOWS: f64 = 1_000_000.0;
/// Crew priority of a component that gives none.
pub const DEFAULT_PRIORITY: u32 = 100;
/// Largest accepted `count` of a client population.
pub const MAX_CLIENTS: u64 = 100_000_000;
/// Largest accepted `max_attempts` of a request kind.
pub const MAX_ATTEMPTS: u64 = 16;
/// `max_attempts` of a request kind that gives none.
pub const DEFAULT_ATTEMPTS: u32 = 3;

/// One problem in a scenario file, located for people.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Diagnostic {
    /// 1-based line.
    pub line: usize,
    /// 1-based column (in characters).
    pub column: usize,
    /// Dotted path of the field, e.g. `nodes.web1.failure.mean`; empty for syntax errors.
    pub path: String,
    /// What is wrong and what would be valid.
    pub message: String,
}

/// A scenario that could not be compiled, with every problem found in it.
#[derive(Debug, Clone, thiserror::Error)]
pub struct ScenarioError {
    /// The file as named by the user.
    pub file: String,
    /// All problems, in file order.
    pub diagnostics: Vec<Diagnostic>,
}

impl fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for d in &self.diagnostics {
            write!(f, "{}:{}:{}: ", self.file, d.line, d.column)?;
            if !d.path.is_empty() {
                write!(f, "{}: ", d.path)?;
            }
            writeln!(f, "{}", d.message)?;
        }
        let n = self.diagnostics.len();
        write!(
            f,
            "{n} error{} in {}",
            if n == 1 { "" } else { "s" },
            self.file
        )
    }
}

/// Turns a byte offset into a 1-based (line, column).
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = &text[..floor_char_boundary(text, offset)];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, col)
}

fn floor_char_boundary(s: &str, mut i: usize) -> usize {
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// The scenario name for a file path: its stem, e.g. `scenarios/web.toml` → `web`.
pub fn name_from_path(file: &str) -> String {
    let base = file.rsplit(['/', '\\']).next().unwrap_or(file);
    base.strip_suffix(".toml").unwrap_or(base).to_string()
}

/// Compiles scenario text. `file` names it in error messages; the scenario name is its stem.
pub fn compile(text: &str, file: &str) -> Result<Model, ScenarioError> {
    let (doc, syntax) = DeTable::parse_recoverable(text);
    let mut errs = Errors::default();
    if !syntax.is_empty() {
        for e in syntax {
            let span = e.span().unwrap_or(0..0);
            let message = e.message().trim();
            // Name the key a duplicate-key error points at: the line alone may hold several.
            let key = text
                .get(span.clone())
                .map(|k| k.trim().trim_matches(|c| matches!(c, '[' | ']' | '"')))
                .filter(|k| {
                    message == "duplicate key"
                        && !k.is_empty()
                        && k.len() <= 80
                        && !k.contains('\n')
                });
            let message = match key {
                Some(k) => format!(
                    "TOML syntax error: duplicate key `{k}`: a key (or table) may be given only once"
                ),
                None => format!("TOML syntax error: {message}"),
            };
            errs.push(span, "", message);
        }
        return Err(render(text, file, errs));
    }
    let root = Tbl::from_table(doc.get_ref(), doc.span(), "");
    let model = Compiler::new(name_from_path(file)).run(&root, &mut errs);
    root.finish(&mut errs);
    match model {
        Some(m) if errs.list.is_empty() => Ok(m),
        _ => Err(render(text, file, errs)),
    }
}

fn render(text: &str, file: &str, errs: Errors) -> ScenarioError {
    let mut list = errs.list;
    list.sort_by_key(|d| (d.span.start, d.path.clone()));
    list.dedup_by(|a, b| a.span == b.span && a.message == b.message);
    let diagnostics = list
        .into_iter()
        .map(|d| {
            let (line, column) = line_col(text, d.span.start);
            Diagnostic {
                line,
                column,
                path: d.path,
                message: d.message,
            }
        })
        .collect();
    ScenarioError {
        file: file.to_string(),
        diagnostics,
    }
}

/// What a reference in an expression points at.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Target {
    Role(usize),
    Service(usize),
}

/// A service expression before it becomes gates.
#[derive(Debug, Clone)]
enum Expr {
    Ref(Target, Range<usize>),
    Gate {
        op: &'static str,
        need: u32,
        children: Vec<Expr>,
    },
}

/// What a name in `in = [...]` points at: domains and sites share that namespace.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Place {
    Domain(usize),
    Site(usize),
}

/// How a component fails and who repairs it, before component indices exist.
#[derive(Clone)]
struct RawComp {
    description: Option<String>,
    failure: Option<Dist>,
    repair: Option<Dist>,
    crew: Option<usize>,
    priority: u32,
}

impl Default for RawComp {
    fn default() -> Self {
        Self {
            description: None,
            failure: None,
            repair: None,
            crew: None,
            priority: DEFAULT_PRIORITY,
        }
    }
}

struct RawNode {
    name: String,
    comp: RawComp,
    /// Domains and sites from `in`.
    within: Vec<Place>,
    /// Site from `site`.
    site: Option<usize>,
}

struct RawDomain {
    name: String,
    comp: RawComp,
    /// Enclosing domains and sites, with where each was named (for cycle errors).
    within: Vec<(Place, Range<usize>)>,
}

struct RawSite {
    name: String,
    /// Span of the section key.
    span: Range<usize>,
    description: Option<String>,
    parent: Option<(usize, Range<usize>)>,
    /// The site's own failures, when it has `failure` and `repair`.
    own: Option<RawComp>,
    /// The WAN link to the parent, when it has `link`.
    link: Option<RawComp>,
}

struct RawRole {
    name: Name,
    description: Option<String>,
    kind: Option<RoleKind>,
    machine: Option<Machine>,
    requires: Vec<(usize, Range<usize>)>,
    /// The role a reinstall waits for, and where it was named.
    from: Option<(usize, Range<usize>)>,
    site: Option<usize>,
    capacity: Option<f64>,
    /// `yearly_cost` per instance.
    yearly_cost: Option<f64>,
}

struct RawService {
    name: Name,
    description: Option<String>,
    target: Option<f64>,
    expr: Option<Expr>,
    site: Option<usize>,
}

/// An edge of a graph that must be acyclic, with where the user wrote it.
struct Edge {
    to: usize,
    span: Range<usize>,
    path: String,
}

struct Compiler {
    name: String,
    /// Mission from [simulation], when valid (for limits that depend on it).
    mission: Option<Hours>,
    crews: Vec<Crew>,
    crew_names: HashMap<String, usize>,
    nodes: Vec<RawNode>,
    /// Node and group names → node indices.
    node_names: HashMap<String, Vec<usize>>,
    domains: Vec<RawDomain>,
    sites: Vec<RawSite>,
    /// Domain and site names (they share one namespace, used by `in`).
    places: HashMap<String, Place>,
    roles: Vec<RawRole>,
    services: Vec<RawService>,
    /// Role and service names share one namespace.
    entity_names: HashMap<String, Target>,
    maintenance: Vec<Maintenance>,
    populations: Vec<Population>,
    requests: Vec<RequestKind>,
    costs: Costs,
    /// The `[sweep]` section, when present.
    sweep: Vec<SweepParameter>,
}

const ROLE_KINDS: &str = "\"standalone\" (one instance on one node), \"pool\" (k-of-n instances), \"cluster\" (active/passive failover cluster), \"availability_group\" (SQL Server AlwaysOn) or \"mirroring\" (SQL Server database mirroring)";
const ROLE_KIND_NAMES: &[&str] = &[
    "standalone",
    "pool",
    "cluster",
    "availability_group",
    "mirroring",
];
const HA_KINDS: &[&str] = &["cluster", "availability_group", "mirroring"];
const STATEFUL_KINDS: &[&str] = &["standalone", "cluster", "availability_group", "mirroring"];
/// Role keys that only some kinds accept.
const ROLE_KEYS: &[(&str, &[&str])] = &[
    ("on", &["standalone", "pool", "cluster"]),
    ("min_up", &["pool"]),
    ("recovery", &["standalone"]),
    ("software", STATEFUL_KINDS),
    ("manual_recovery", STATEFUL_KINDS),
    ("failover", HA_KINDS),
    ("coverage", HA_KINDS),
    ("failback", &["cluster"]),
    ("max_nodes", &["cluster"]),
    ("primary", &["availability_group"]),
    ("secondaries", &["availability_group"]),
    ("manual_failover", &["availability_group", "mirroring"]),
    ("principal", &["mirroring"]),
    ("mirror", &["mirroring"]),
    ("witness", &["mirroring"]),
    ("commit", &["mirroring"]),
    ("lag", &["mirroring"]),
];
const SELECTIONS: &str = "\"random\" (a random order without repeats; the default), \"round_robin\" (the instance list from a random start), \"ordered\" (the instance list as given, first listed first) or \"sticky\" (keep the last instance that answered)";
const SELECTION_NAMES: &[&str] = &["random", "round_robin", "ordered", "sticky"];
const DIST_KINDS: &str =
    "exponential, weibull, lognormal, gamma, normal, uniform, fixed, empirical";
const COMMIT_MODES: &str = "\"synchronous\" (no data loss on failover) or \"asynchronous\" (a failover loses the transactions not yet replicated; needs `lag`)";
const RECOVERY_KINDS: &str = "\"repair\" (the role comes back with its node; the default), \"restore\" (from the last backup) or \"reinstall\" (rebuilt, no data kept)";
const FAILURE_EXAMPLE: &str =
    "time-to-failure distribution, e.g. { dist = \"exponential\", mean = \"20y\" }";
const REPAIR_EXAMPLE: &str =
    "time-to-repair distribution, e.g. { dist = \"exponential\", mean = \"6h\" }";

/// The unknown-name message: a likely intended name, or the defined ones, or how to define one.
fn unknown(what: &str, text: &str, known: &[&str], define: &str) -> String {
    if let Some(c) = reader::closest(text, known) {
        return format!("unknown {what} `{text}`; did you mean `{c}`?");
    }
    if known.is_empty() {
        return format!("unknown {what} `{text}`: none is defined; {define}");
    }
    let mut sorted = known.to_vec();
    sorted.sort_unstable();
    if sorted.len() <= 12 {
        format!("unknown {what} `{text}`; defined: {}", sorted.join(", "))
    } else {
        format!("unknown {what} `{text}`")
    }
}

/// Dotted path of a role key.
fn role_path(role: &str, key: &str) -> String {
    join(&join("roles", role), key)
}

/// Reads a probability in [0, 1].
fn probability(v: &Val<'_>, path: &str, errs: &mut Errors) -> Option<f64> {
    let x = number(v, path, errs)?;
    if (0.0..=1.0).contains(&x) {
        Some(x)
    } else {
        errs.push(
            v.span(),
            path,
            format!("{x} is not a probability: expected a number from 0 to 1, e.g. 0.98"),
        );
        None
    }
}

/// Reads a duration that must be longer than zero.
fn positive_duration(v: &Val<'_>, path: &str, what: &str, errs: &mut Errors) -> Option<Hours> {
    let h = duration(v, path, errs)?;
    if h > 0.0 {
        Some(h)
    } else {
        errs.push(v.span(), path, format!("{what} must be longer than zero"));
        None
    }
}

/// Reads a commit mode.
fn commit(v: &Val<'_>, path: &str, errs: &mut Errors) -> Option<Commit> {
    let s = string(v, path, errs)?;
    match s.as_str() {
        "synchronous" => Some(Commit::Synchronous),
        "asynchronous" => Some(Commit::Asynchronous),
        other => {
            let hint = reader::closest(other, &["synchronous", "asynchronous"])
                .map(|c| format!("did you mean \"{c}\"? "))
                .unwrap_or_default();
            errs.push(
                v.span(),
                path,
                format!("unknown commit mode \"{other}\"; {hint}expected {COMMIT_MODES}"),
            );
            None
        }
    }
}

/// Reads `software = { failure, restart, restart_success }`.
fn software(v: &Val<'_>, path: &str, errs: &mut Errors) -> Option<Software> {
    let t = Tbl::new(
        v,
        path,
        "software failures such as { failure = { dist = \"exponential\", mean = \"90d\" }, restart = { dist = \"fixed\", value = \"5min\" } }",
        errs,
    )?;
    let failure = t
        .req(
            "failure",
            "running time until the role crashes or hangs, e.g. { dist = \"exponential\", mean = \"90d\" }",
            errs,
        )
        .and_then(|d| failure_dist(d, &t.path_of("failure"), errs));
    let restart = t
        .req(
            "restart",
            "time to restart in place, e.g. { dist = \"fixed\", value = \"5min\" }",
            errs,
        )
        .and_then(|d| dist(d, &t.path_of("restart"), errs));
    let success = match t.get("restart_success") {
        Some(p) => probability(p, &t.path_of("restart_success"), errs),
        None => Some(1.0),
    };
    t.finish(errs);
    Some(Software {
        failure: failure?,
        restart: restart?,
        restart_success: success?,
    })
}

/// The parameters shared by the failover kinds (cluster, availability group, mirroring).
struct Failover {
    failover: Option<Dist>,
    coverage: f64,
    manual_recovery: Option<Dist>,
    manual_failover: Option<Dist>,
    software: Option<Software>,
}
impl Compiler {
    fn new(name: String) -> Self {
        Self {
            name,
            mission: None,
            crews: Vec::new(),
            crew_names: HashMap::new(),
            nodes: Vec::new(),
            node_names: HashMap::new(),
            domains: Vec::new(),
            sites: Vec::new(),
            places: HashMap::new(),
            roles: Vec::new(),
            services: Vec::new(),
            entity_names: HashMap::new(),
            maintenance: Vec::new(),
            populations: Vec::new(),
            requests: Vec::new(),
            costs: Costs::default(),
            sweep: Vec::new(),
        }
    }

    fn run(mut self, root: &Tbl<'_, '_>, errs: &mut Errors) -> Option<Model> {
        let simulation = match root.get("simulation") {
            Some(v) => self.simulation(v, errs),
            None => {
                errs.push(
                    0..0,
                    "simulation",
                    "missing section [simulation] (at least `mission = \"10y\"`)",
                );
                None
            }
        };
        self.mission = simulation.as_ref().map(|s| s.mission);
        let (default_failure, default_repair) = match root.get("defaults") {
            Some(v) => self.defaults(v, errs),
            None => (None, None),
        };
        if let Some(v) = root.get("crews") {
            self.crews_section(v, errs);
        }
        // Domain and site names first: nodes, domains and sites refer to them in any order.
        let domain_tables = self.register_places("domains", root.get("domains"), errs);
        let site_tables = self.register_places("sites", root.get("sites"), errs);
        for (i, (v, path)) in domain_tables.iter().enumerate() {
            self.domain(i, v, path, errs);
        }
        for (i, (v, path)) in site_tables.iter().enumerate() {
            self.site(i, v, path, errs);
        }
        if let Some(v) = root.get("nodes") {
            self.nodes_section(v, default_failure.as_ref(), default_repair.as_ref(), errs);
        } else {
            errs.push(
                0..0,
                "nodes",
                "missing section [nodes]: a scenario needs at least one node",
            );
        }
        // Register role and service names first: they may refer to each other in any order.
        let role_tables = self.register("roles", root.get("roles"), errs, true);
        let service_tables = self.register("services", root.get("services"), errs, false);
        for (v, path, n) in &role_tables {
            let role = self.role(v, path, n.clone(), errs);
            self.roles.push(role);
        }
        for (v, path, n) in &service_tables {
            let svc = self.service(v, path, n.clone(), errs);
            self.services.push(svc);
        }
        if self.roles.is_empty() && root.get("roles").is_none() {
            errs.push(
                0..0,
                "roles",
                "missing section [roles]: define at least one role placed on nodes",
            );
        }
        if let Some(v) = root.get("maintenance") {
            self.maintenance_section(v, errs);
        }
        if let Some(v) = root.get("clients") {
            self.clients_section(v, errs);
        }
        if let Some(v) = root.get("costs") {
            self.costs_section(v, errs);
        }
        if let Some(v) = root.get("sweep") {
            self.sweep = sweep_section(v, errs);
        }
        let acyclic = self.check_cycles(errs);
        let places_ok = self.check_domains_and_sites(errs);
        let simulation = simulation?;
        if !errs.list.is_empty() || !acyclic || !places_ok {
            return None;
        }
        self.build(simulation)
    }
    fn simulation(&self, v: &Val<'_>, errs: &mut Errors) -> Option<Simulation> {
        let t = Tbl::new(v, "simulation", "the [simulation] section", errs)?;
        let mission = t.req("mission", "mission length, e.g. \"10y\"", errs).and_then(|m| {
            let p = t.path_of("mission");
            let h = duration(m, &p, errs)?;
            if h <= 0.0 {
                errs.push(m.span(), p, "mission must be longer than zero");
                None
            } else if h > MAX_MISSION_YEARS * HOURS_PER_YEAR {
                errs.push(
                    m.span(),
                    p,
                    format!(
                        "a mission of {} is absurdly long; the longest accepted is {MAX_MISSION_YEARS}y (use more replications instead)",
                        format_duration(h)
                    ),
                );
                None
            } else {
                Some(h)
            }
        });
        let replications = match t.get("replications") {
            Some(r) => {
                let p = t.path_of("replications");
                match integer(r, &p, MAX_REPLICATIONS, errs) {
                    Some(0) => {
                        errs.push(r.span(), p, "replications must be at least 1");
                        None
                    }
                    other => other,
                }
            }
            None => Some(10_000),
        };
        let seed = match t.get("seed") {
            Some(s) => integer(s, &t.path_of("seed"), i64::MAX as u64, errs),
            None => Some(1),
        };
        let threads = match t.get("threads") {
            Some(th) => {
                let p = t.path_of("threads");
                match integer(th, &p, 4096, errs) {
                    Some(0) => {
                        errs.push(
                            th.span(),
                            p,
                            "threads must be at least 1 (leave it out to use all cores)",
                        );
                        None
                    }
                    Some(n) => Some(Some(n as usize)),
                    None => None,
                }
            }
            None => Some(None),
        };
        t.finish(errs);
        Some(Simulation {
            mission: mission?,
            replications: replications?,
            seed: seed?,
            threads: threads?,
        })
    }

    fn defaults(&self, v: &Val<'_>, errs: &mut Errors) -> (Option<Dist>, Option<Dist>) {
        let Some(t) = Tbl::new(v, "defaults", "the [defaults] section", errs) else {
            return (None, None);
        };
        let f = t
            .get("failure")
            .and_then(|d| failure_dist(d, &t.path_of("failure"), errs));
        let r = t
            .get("repair")
            .and_then(|d| repair_dist(d, &t.path_of("repair"), errs));
        t.finish(errs);
        (f, r)
    }

    fn crews_section(&mut self, v: &Val<'_>, errs: &mut Errors) {
        let Some(section) = Tbl::new(v, "crews", "the [crews] section", errs) else {
            return;
        };
        for (key, val) in section.entries() {
            let key_name: &str = key.get_ref();
            let path = join("crews", key_name);
            self.crew_names
                .insert(key_name.to_string(), self.crews.len());
            let mut crew = Crew {
                name: key_name.to_string(),
                technicians: 1,
                dispatch: None,
                policy: CrewPolicy::Fifo,
                stream_key: stream_key("crew", key_name),
            };
            if let Some(t) = Tbl::new(val, &path, &format!("crew `{key_name}`"), errs) {
                if let Some(tv) = t.req(
                    "technicians",
                    "how many technicians repair in parallel, 1 to 10000",
                    errs,
                ) {
                    let p = t.path_of("technicians");
                    match integer(tv, &p, MAX_TECHNICIANS, errs) {
                        Some(0) => errs.push(
                            tv.span(),
                            p,
                            "technicians must be at least 1 (for unlimited independent repair, name no crew)",
                        ),
                        Some(n) => crew.technicians = n as u32,
                        None => {}
                    }
                }
                if let Some(d) = t.get("dispatch") {
                    crew.dispatch = dist(d, &t.path_of("dispatch"), errs);
                }
                if let Some(pv) = t.get("policy") {
                    let p = t.path_of("policy");
                    match string(pv, &p, errs).as_deref() {
                        Some("fifo") => crew.policy = CrewPolicy::Fifo,
                        Some("priority") => crew.policy = CrewPolicy::Priority,
                        Some(other) => {
                            let hint = reader::closest(other, &["fifo", "priority"])
                                .map(|c| format!("did you mean \"{c}\"? "))
                                .unwrap_or_default();
                            errs.push(
                                pv.span(),
                                p,
                                format!("unknown policy \"{other}\"; {hint}expected \"fifo\" (first come, first served) or \"priority\" (smallest component `priority` first)"),
                            );
                        }
                        None => {}
                    }
                }
                t.finish(errs);
            }
            self.crews.push(crew);
        }
    }

    /// Registers the names of `[domains]` or `[sites]` and returns their tables with their paths.
    fn register_places<'a, 'i>(
        &mut self,
        section: &str,
        v: Option<&'a Val<'i>>,
        errs: &mut Errors,
    ) -> Vec<(&'a Val<'i>, String)> {
        let Some(v) = v else { return Vec::new() };
        let Some(t) = Tbl::new(v, section, &format!("the [{section}] section"), errs) else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for (key, val) in t.entries() {
            let text: &str = key.get_ref();
            let place = if section == "domains" {
                self.domains.push(RawDomain {
                    name: text.to_string(),
                    comp: RawComp::default(),
                    within: Vec::new(),
                });
                Place::Domain(self.domains.len() - 1)
            } else {
                self.sites.push(RawSite {
                    name: text.to_string(),
                    span: key.span(),
                    description: None,
                    parent: None,
                    own: None,
                    link: None,
                });
                Place::Site(self.sites.len() - 1)
            };
            if self.places.insert(text.to_string(), place).is_some() {
                errs.push(
                    key.span(),
                    join(section, text),
                    format!("`{text}` is already a domain; domains and sites are both named in `in = [...]`, so they need distinct names"),
                );
            }
            out.push((val, join(section, text)));
        }
        out
    }

    fn lookup_crew(&self, n: &Name, path: &str, errs: &mut Errors) -> Option<usize> {
        if let Some(&i) = self.crew_names.get(&n.text) {
            return Some(i);
        }
        let known: Vec<&str> = self.crews.iter().map(|c| c.name.as_str()).collect();
        errs.push(
            n.span.clone(),
            path,
            unknown(
                "crew",
                &n.text,
                &known,
                &format!(
                    "define it in a [crews.{}] section with `technicians = 1`",
                    n.text
                ),
            ),
        );
        None
    }

    fn lookup_site(&self, n: &Name, path: &str, errs: &mut Errors) -> Option<usize> {
        if let Some(Place::Site(i)) = self.places.get(&n.text) {
            return Some(*i);
        }
        let msg = if let Some(Place::Domain(_)) = self.places.get(&n.text) {
            format!(
                "`{}` is a failure domain, not a site; put a node in a domain with `in = [\"{}\"]`",
                n.text, n.text
            )
        } else {
            let known: Vec<&str> = self.sites.iter().map(|s| s.name.as_str()).collect();
            unknown(
                "site",
                &n.text,
                &known,
                &format!("define it in a [sites.{}] section", n.text),
            )
        };
        errs.push(n.span.clone(), path, msg);
        None
    }

    fn lookup_place(&self, n: &Name, path: &str, errs: &mut Errors) -> Option<Place> {
        if let Some(&p) = self.places.get(&n.text) {
            return Some(p);
        }
        let known: Vec<&str> = self.places.keys().map(String::as_str).collect();
        errs.push(
            n.span.clone(),
            path,
            unknown(
                "domain or site",
                &n.text,
                &known,
                &format!(
                    "define it in a [domains.{}] or [sites.{}] section",
                    n.text, n.text
                ),
            ),
        );
        None
    }

    /// Reads `crew` and `priority` of a component.
    fn crew_fields(&self, t: &Tbl<'_, '_>, errs: &mut Errors) -> (Option<usize>, u32) {
        let crew = t
            .get("crew")
            .and_then(|c| name(c, &t.path_of("crew"), errs))
            .and_then(|n| self.lookup_crew(&n, &t.path_of("crew"), errs));
        let priority = match t.get("priority") {
            Some(pv) => {
                let p = t.path_of("priority");
                let x = integer(pv, &p, u32::MAX as u64, errs);
                if x.is_some() && !t.has("crew") {
                    errs.push(
                        pv.span(),
                        p,
                        "`priority` orders a crew's queue, but no `crew` is named here (without a crew, repair starts at once)",
                    );
                }
                x.map_or(DEFAULT_PRIORITY, |x| x as u32)
            }
            None => DEFAULT_PRIORITY,
        };
        (crew, priority)
    }

    /// Reads `failure` and `repair` that must both be given (no [defaults]).
    fn own_dists(
        &self,
        t: &Tbl<'_, '_>,
        why: &str,
        errs: &mut Errors,
    ) -> (Option<Dist>, Option<Dist>) {
        let read = |key: &'static str, example: &str, errs: &mut Errors| match t.get(key) {
            Some(d) if key == "failure" => failure_dist(d, &t.path_of(key), errs),
            Some(d) => dist(d, &t.path_of(key), errs),
            None => {
                errs.push(
                    t.span.clone(),
                    t.path.clone(),
                    format!("missing field `{key}` ({example}){why}"),
                );
                None
            }
        };
        let f = read("failure", FAILURE_EXAMPLE, errs);
        let r = read("repair", REPAIR_EXAMPLE, errs);
        (f, r)
    }

    fn domain(&mut self, i: usize, v: &Val<'_>, path: &str, errs: &mut Errors) {
        let key_name = self.domains[i].name.clone();
        let Some(t) = Tbl::new(v, path, &format!("domain `{key_name}`"), errs) else {
            return;
        };
        let (failure, repair) = self.own_dists(
            &t,
            "; a domain does not use [defaults]: a rack failing as often as a server would be a silent surprise",
            errs,
        );
        let description = t
            .get("description")
            .and_then(|d| string(d, &t.path_of("description"), errs));
        let mut within = Vec::new();
        if let Some(refs) = t.get("in").and_then(|x| names(x, &t.path_of("in"), errs)) {
            for n in refs {
                if let Some(p) = self.lookup_place(&n, &t.path_of("in"), errs) {
                    within.push((p, n.span.clone()));
                }
            }
        }
        let (crew, priority) = self.crew_fields(&t, errs);
        t.finish(errs);
        self.domains[i].comp = RawComp {
            description,
            failure,
            repair,
            crew,
            priority,
        };
        self.domains[i].within = within;
    }

    fn site(&mut self, i: usize, v: &Val<'_>, path: &str, errs: &mut Errors) {
        let key_name = self.sites[i].name.clone();
        let Some(t) = Tbl::new(v, path, &format!("site `{key_name}`"), errs) else {
            return;
        };
        let description = t
            .get("description")
            .and_then(|d| string(d, &t.path_of("description"), errs));
        let parent = t.get("parent").and_then(|p| {
            let n = name(p, &t.path_of("parent"), errs)?;
            let s = self.lookup_site(&n, &t.path_of("parent"), errs)?;
            Some((s, n.span))
        });
        let link = t.get("link").and_then(|lv| {
            let lp = t.path_of("link");
            let lt = Tbl::new(
                lv,
                &lp,
                "a WAN link such as { failure = { dist = \"exponential\", mean = \"1y\" }, repair = { dist = \"exponential\", mean = \"4h\" } }",
                errs,
            )?;
            let (failure, repair) = self.own_dists(&lt, "", errs);
            let description = lt
                .get("description")
                .and_then(|d| string(d, &lt.path_of("description"), errs));
            let (crew, priority) = self.crew_fields(&lt, errs);
            lt.finish(errs);
            if !t.has("parent") {
                errs.push(
                    lv.span(),
                    lp,
                    format!("a WAN link joins a site to its parent, but site `{key_name}` has no `parent`; give `parent = \"...\"` or remove `link`"),
                );
            }
            Some(RawComp {
                description,
                failure,
                repair,
                crew,
                priority,
            })
        });
        let own = match (t.get("failure"), t.get("repair")) {
            (None, None) => None,
            (Some(f), Some(r)) => Some((
                failure_dist(f, &t.path_of("failure"), errs),
                dist(r, &t.path_of("repair"), errs),
            )),
            (Some(_), None) | (None, Some(_)) => {
                let (has, lacks) = if t.has("failure") {
                    ("failure", "repair")
                } else {
                    ("repair", "failure")
                };
                errs.push(
                    t.span.clone(),
                    t.path.clone(),
                    format!("site `{key_name}` gives `{has}` but no `{lacks}`: give both (the whole site fails and is repaired) or neither (the site itself never fails)"),
                );
                None
            }
        };
        let (crew, priority) = self.crew_fields(&t, errs);
        if own.is_none()
            && let Some((span, _)) = t.peek("crew")
        {
            errs.push(
                span,
                t.path_of("crew"),
                format!("`crew` repairs the site's own failures, but site `{key_name}` has no `failure`/`repair`; a link's crew goes inside `link = {{ ..., crew = \"...\" }}`"),
            );
        }
        t.finish(errs);
        let s = &mut self.sites[i];
        s.description = description;
        s.parent = parent;
        s.link = link;
        s.own = own.map(|(failure, repair)| RawComp {
            description: None,
            failure,
            repair,
            crew,
            priority,
        });
    }

    fn nodes_section(
        &mut self,
        v: &Val<'_>,
        dflt_f: Option<&Dist>,
        dflt_r: Option<&Dist>,
        errs: &mut Errors,
    ) {
        let Some(section) = Tbl::new(v, "nodes", "the [nodes] section", errs) else {
            return;
        };
        let mut any = false;
        for (key, val) in section.entries() {
            any = true;
            let key_name: &str = key.get_ref();
            let path = join("nodes", key_name);
            let Some(t) = Tbl::new(val, &path, &format!("node `{key_name}`"), errs) else {
                continue;
            };
            let count = match t.get("count") {
                Some(c) => match integer(c, &t.path_of("count"), MAX_GROUP_COUNT, errs) {
                    Some(0) => {
                        errs.push(c.span(), t.path_of("count"), "count must be at least 1");
                        1
                    }
                    Some(n) => n as usize,
                    None => 1,
                },
                None => 1,
            };
            let failure = match t.get("failure") {
                Some(d) => failure_dist(d, &t.path_of("failure"), errs),
                None => {
                    if dflt_f.is_none() {
                        errs.push(
                            t.span.clone(),
                            path.clone(),
                            "missing field `failure` (time-to-failure distribution, e.g. { dist = \"exponential\", mean = \"5y\" }), and [defaults] has no `failure`",
                        );
                    }
                    dflt_f.cloned()
                }
            };
            let repair = match t.get("repair") {
                Some(d) => repair_dist(d, &t.path_of("repair"), errs),
                None => {
                    if dflt_r.is_none() {
                        errs.push(
                            t.span.clone(),
                            path.clone(),
                            "missing field `repair` (time-to-repair distribution, e.g. { dist = \"lognormal\", mean = \"8h\", sigma = 0.8 }, or \"none\" for a node that is never repaired), and [defaults] has no `repair`",
                        );
                    }
                    dflt_r.cloned()
                }
            };
            let description = t
                .get("description")
                .and_then(|d| string(d, &t.path_of("description"), errs));
            let mut within = Vec::new();
            if let Some(refs) = t.get("in").and_then(|x| names(x, &t.path_of("in"), errs)) {
                for n in refs {
                    within.extend(self.lookup_place(&n, &t.path_of("in"), errs));
                }
            }
            let site = t
                .get("site")
                .and_then(|s| name(s, &t.path_of("site"), errs))
                .and_then(|n| self.lookup_site(&n, &t.path_of("site"), errs));
            let (crew, priority) = self.crew_fields(&t, errs);
            if let (Some(_), Some(r), Some(c)) = (crew, &repair, t.peek("crew"))
                && r.is_never()
            {
                errs.push(
                    c.1.span(),
                    t.path_of("crew"),
                    "the node is never repaired (repair = \"none\"), so no crew works on it; remove `crew`, or give a repair distribution",
                );
            }
            let cost = t
                .get("yearly_cost")
                .and_then(|c| yearly_cost(c, &t.path_of("yearly_cost"), errs));
            t.finish(errs);
            let comp = RawComp {
                description,
                failure,
                repair,
                crew,
                priority,
            };
            let members: Vec<String> = if count == 1 {
                vec![key_name.to_string()]
            } else {
                (1..=count).map(|i| format!("{key_name}-{i}")).collect()
            };
            let first = self.nodes.len();
            if let Some(cost) = cost {
                self.costs.nodes.push((
                    key_name.to_string(),
                    (first..first + members.len()).collect(),
                    cost,
                ));
            }
            for m in &members {
                if self.node_names.contains_key(m) {
                    errs.push(
                        key.span(),
                        path.clone(),
                        format!("node name `{m}` is defined twice"),
                    );
                }
                self.node_names.insert(m.clone(), vec![self.nodes.len()]);
                self.nodes.push(RawNode {
                    name: m.clone(),
                    comp: comp.clone(),
                    within: within.clone(),
                    site,
                });
            }
            if count > 1 {
                if self.node_names.contains_key(key_name) {
                    errs.push(
                        key.span(),
                        path.clone(),
                        format!("node name `{key_name}` is defined twice"),
                    );
                }
                self.node_names
                    .insert(key_name.to_string(), (first..first + count).collect());
            }
        }
        if !any {
            errs.push(
                section.span.clone(),
                "nodes",
                "[nodes] is empty: a scenario needs at least one node",
            );
        }
    }

    /// Registers the names of a `[roles]` or `[services]` section and returns their tables.
    fn register<'a, 'i>(
        &mut self,
        section: &str,
        v: Option<&'a Val<'i>>,
        errs: &mut Errors,
        roles: bool,
    ) -> Vec<(&'a Val<'i>, String, Name)> {
        let Some(v) = v else { return Vec::new() };
        let Some(t) = Tbl::new(v, section, &format!("the [{section}] section"), errs) else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for (i, (key, val)) in t.entries().enumerate() {
            let text: &str = key.get_ref();
            let name = Name {
                text: text.to_string(),
                span: key.span(),
            };
            let target = if roles {
                Target::Role(i)
            } else {
                Target::Service(i)
            };
            if let Some(prev) = self.entity_names.insert(text.to_string(), target) {
                let what = match prev {
                    Target::Role(_) => "a role",
                    Target::Service(_) => "a service",
                };
                errs.push(
                    key.span(),
                    join(section, text),
                    format!("`{text}` is already {what}; roles and services need distinct names"),
                );
            }
            out.push((val, join(section, text), name));
        }
        out
    }

    fn resolve_nodes(&self, refs: &[Name], path: &str, errs: &mut Errors) -> Option<Vec<usize>> {
        let mut out = Vec::new();
        let mut ok = true;
        for r in refs {
            match self.node_names.get(&r.text) {
                Some(ids) => out.extend(ids.iter().copied()),
                None => {
                    ok = false;
                    let known: Vec<&str> = self.node_names.keys().map(String::as_str).collect();
                    let hint = reader::closest(&r.text, &known)
                        .map(|c| format!("; did you mean `{c}`?"))
                        .unwrap_or_default();
                    errs.push(
                        r.span.clone(),
                        path,
                        format!("unknown node `{}`{hint}", r.text),
                    );
                }
            }
        }
        ok.then_some(out)
    }

    /// Resolves a name that must be exactly one node (not a group).
    fn one_node(&self, v: &Val<'_>, path: &str, errs: &mut Errors) -> Option<(usize, Name)> {
        let n = name(v, path, errs)?;
        let ids = self.resolve_nodes(std::slice::from_ref(&n), path, errs)?;
        if ids.len() == 1 {
            Some((ids[0], n))
        } else {
            errs.push(
                n.span.clone(),
                path,
                format!(
                    "`{}` is a group of {} nodes; name one node here, e.g. `{}`",
                    n.text,
                    ids.len(),
                    self.nodes[ids[0]].name
                ),
            );
            None
        }
    }

    /// Reads `on` (a node, a group or a list), reporting nodes listed twice.
    fn on_nodes(&self, t: &Tbl<'_, '_>, errs: &mut Errors) -> Option<(Vec<usize>, Range<usize>)> {
        let on_val = t.req("on", "the node or nodes its instances run on", errs)?;
        let path = t.path_of("on");
        let refs = names(on_val, &path, errs)?;
        let nodes = self.resolve_nodes(&refs, &path, errs)?;
        let mut seen = std::collections::HashSet::new();
        for &n in &nodes {
            if !seen.insert(n) {
                errs.push(
                    on_val.span(),
                    path.clone(),
                    format!("node `{}` is listed twice", self.nodes[n].name),
                );
            }
        }
        Some((nodes, on_val.span()))
    }

    /// Reports keys of another role kind with a message saying which kinds take them.
    fn reject_foreign_keys(&self, t: &Tbl<'_, '_>, kind: &str, errs: &mut Errors) {
        for (key, kinds) in ROLE_KEYS {
            if kinds.contains(&kind) {
                continue;
            }
            let Some((span, _)) = t.peek(key) else {
                continue;
            };
            t.handled(key);
            let msg = match (*key, kind) {
                ("min_up", "standalone") => {
                    "`min_up` applies to pools only; a standalone role has one instance".to_string()
                }
                ("on", "availability_group") => "an availability group names its replicas with `primary` and `secondaries`, not `on`".to_string(),
                ("on", "mirroring") => "a mirrored database names `principal`, `mirror` and optionally `witness`, not `on`".to_string(),
                ("recovery", _) => format!("`recovery` is only for standalone roles; a {kind} role recovers by failing over"),
                _ => {
                    let quoted: Vec<String> = kinds.iter().map(|k| format!("\"{k}\"")).collect();
                    let list = match quoted.split_last() {
                        Some((last, rest)) if !rest.is_empty() => {
                            format!("{} or {last}", rest.join(", "))
                        }
                        _ => quoted.join(""),
                    };
                    format!("`{key}` does not apply to a {kind} role; it is for kind = {list}")
                }
            };
            errs.push(span, t.path_of(key), msg);
        }
    }

    fn role(&self, v: &Val<'_>, path: &str, name: Name, errs: &mut Errors) -> RawRole {
        let mut role = RawRole {
            name: name.clone(),
            description: None,
            kind: None,
            machine: None,
            requires: Vec::new(),
            from: None,
            site: None,
            capacity: None,
            yearly_cost: None,
        };
        let Some(t) = Tbl::new(v, path, &format!("role `{}`", name.text), errs) else {
            return role;
        };
        role.yearly_cost = t
            .get("yearly_cost")
            .and_then(|c| yearly_cost(c, &t.path_of("yearly_cost"), errs));
        role.description = t
            .get("description")
            .and_then(|d| string(d, &t.path_of("description"), errs));
        role.capacity = t
            .get("capacity")
            .and_then(|c| rate(c, &t.path_of("capacity"), errs));
        let kind = t.req("kind", ROLE_KINDS, errs).and_then(|k| {
            let s = string(k, &t.path_of("kind"), errs)?;
            if ROLE_KIND_NAMES.contains(&s.as_str()) {
                Some((s, k.span()))
            } else {
                let hint = reader::closest(&s, ROLE_KIND_NAMES)
                    .map(|c| format!("did you mean \"{c}\"? "))
                    .unwrap_or_default();
                errs.push(
                    k.span(),
                    t.path_of("kind"),
                    format!("unknown role kind \"{s}\"; {hint}expected {ROLE_KINDS}"),
                );
                None
            }
        });
        if let Some(refs) = t
            .get("requires")
            .and_then(|r| names(r, &t.path_of("requires"), errs))
        {
            for n in refs {
                match self.entity_names.get(&n.text) {
                    Some(Target::Role(i)) => role.requires.push((*i, n.span.clone())),
                    Some(Target::Service(_)) => errs.push(
                        n.span.clone(),
                        t.path_of("requires"),
                        format!("`{}` is a service; `requires` names roles", n.text),
                    ),
                    None => {
                        let hint = self.entity_hint(&n.text);
                        errs.push(
                            n.span.clone(),
                            t.path_of("requires"),
                            format!("unknown role `{}`{hint}", n.text),
                        );
                    }
                }
            }
        }
        let explicit_site = t.get("site").and_then(|s| {
            let n = reader::name(s, &t.path_of("site"), errs)?;
            self.lookup_site(&n, &t.path_of("site"), errs)
        });
        let Some((kind, kind_span)) = kind else {
            // Without a valid kind the other keys cannot be judged; report only the kind.
            t.allow(&ROLE_KEYS.iter().map(|(k, _)| *k).collect::<Vec<_>>());
            t.finish(errs);
            return role;
        };
        self.reject_foreign_keys(&t, &kind, errs);
        match kind.as_str() {
            "standalone" => self.standalone(&t, &mut role, errs),
            "pool" => self.pool(&t, kind_span, &mut role, errs),
            "cluster" => self.cluster(&t, &mut role, errs),
            "availability_group" => self.availability_group(&t, &mut role, errs),
            _ => self.mirroring(&t, &mut role, errs),
        }
        role.site = explicit_site;
        if let (Some(k), None) = (&role.kind, explicit_site) {
            let mut at: Vec<(usize, usize)> = Vec::new();
            for n in k.nodes() {
                if let Some(s) = self.nodes[n].site
                    && !at.iter().any(|(_, x)| *x == s)
                {
                    at.push((n, s));
                }
            }
            match at.as_slice() {
                [] => {}
                [(_, s)] => role.site = Some(*s),
                _ => errs.push(
                    t.span.clone(),
                    t.path.clone(),
                    format!(
                        "the role's nodes are at different sites ({}); say which site the role is at with `site = \"...\"`",
                        at.iter()
                            .map(|(n, s)| format!("{} at {}", self.nodes[*n].name, self.sites[*s].name))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                ),
            }
        }
        t.finish(errs);
        role
    }

    fn standalone(&self, t: &Tbl<'_, '_>, role: &mut RawRole, errs: &mut Errors) {
        let on = self.on_nodes(t, errs);
        let software = t
            .get("software")
            .and_then(|s| software(s, &t.path_of("software"), errs));
        let recovery = t
            .get("recovery")
            .and_then(|r| self.recovery(r, &t.path_of("recovery"), role, errs));
        let manual_recovery = t
            .get("manual_recovery")
            .and_then(|d| dist(d, &t.path_of("manual_recovery"), errs));
        match (&software, t.peek("manual_recovery")) {
            (Some(sw), None) if sw.restart_success < 1.0 => errs.push(
                t.span.clone(),
                t.path.clone(),
                format!(
                    "missing field `manual_recovery` (operator recovery time, e.g. {{ dist = \"exponential\", mean = \"1h\" }}): needed because software.restart_success = {} < 1, and a failed restart needs an operator",
                    sw.restart_success
                ),
            ),
            (None, Some((span, _))) if !t.has("software") => errs.push(
                span,
                t.path_of("manual_recovery"),
                "`manual_recovery` follows a failed software restart, but this role has no `software`; a standalone role comes back with its node (see `recovery`)",
            ),
            _ => {}
        }
        let Some((nodes, on_span)) = on else { return };
        if nodes.len() != 1 {
            errs.push(
                on_span,
                t.path_of("on"),
                format!(
                    "a standalone role runs on exactly one node, but `on` names {} nodes; use kind = \"pool\" for several instances, or kind = \"cluster\" for failover",
                    nodes.len()
                ),
            );
            return;
        }
        let node = nodes[0];
        role.kind = Some(RoleKind::Standalone { node });
        let recovery = recovery.unwrap_or(Recovery::Repair);
        if software.is_some() || !matches!(recovery, Recovery::Repair) {
            role.machine = Some(Machine {
                replicas: vec![Replica {
                    node,
                    automatic: false,
                    needs_witness: false,
                    lag: None,
                }],
                witness: None,
                failover: None,
                coverage: 1.0,
                manual_recovery,
                manual_failover: None,
                failback: false,
                software,
                recovery,
                stream_key: stream_key("role", &role.name.text),
                output: 0,
            });
        }
    }

    /// Reads `recovery = { kind = ..., ... }` of a standalone role; records a reinstall source.
    fn recovery(
        &self,
        v: &Val<'_>,
        path: &str,
        role: &mut RawRole,
        errs: &mut Errors,
    ) -> Option<Recovery> {
        let t = Tbl::new(
            v,
            path,
            "a recovery such as { kind = \"restore\", backup_every = \"24h\", restore = { dist = \"fixed\", value = \"6h\" } }",
            errs,
        )?;
        let kind_val = t.req("kind", RECOVERY_KINDS, errs);
        let kind = kind_val.and_then(|k| string(k, &t.path_of("kind"), errs));
        const KEYS: &[(&str, &str)] = &[
            ("backup_every", "restore"),
            ("backup_offset", "restore"),
            ("restore", "restore"),
            ("time", "reinstall"),
            ("from", "reinstall"),
        ];
        let result = match kind.as_deref() {
            Some(k @ ("repair" | "restore" | "reinstall")) => {
                for (key, owner) in KEYS {
                    if *owner != k
                        && let Some((span, _)) = t.peek(key)
                    {
                        t.handled(key);
                        errs.push(
                            span,
                            t.path_of(key),
                            format!("`{key}` applies to kind = \"{owner}\", not kind = \"{k}\""),
                        );
                    }
                }
                match k {
                    "repair" => Some(Recovery::Repair),
                    "restore" => {
                        let every = t
                            .req(
                                "backup_every",
                                "interval between backups, e.g. \"24h\"",
                                errs,
                            )
                            .and_then(|x| {
                                positive_duration(
                                    x,
                                    &t.path_of("backup_every"),
                                    "backup_every",
                                    errs,
                                )
                            });
                        let offset = match t.get("backup_offset") {
                            Some(x) => duration(x, &t.path_of("backup_offset"), errs),
                            None => Some(0.0),
                        };
                        let restore = t
                            .req(
                                "restore",
                                "time to restore, e.g. { dist = \"lognormal\", mean = \"6h\", sigma = 0.5 }",
                                errs,
                            )
                            .and_then(|d| dist(d, &t.path_of("restore"), errs));
                        match (every, offset, restore) {
                            (Some(every), Some(offset), Some(restore)) => Some(Recovery::Restore {
                                every,
                                offset,
                                restore,
                            }),
                            _ => None,
                        }
                    }
                    _ => {
                        let time = t
                            .req(
                                "time",
                                "time to reinstall, e.g. { dist = \"fixed\", value = \"8h\" }",
                                errs,
                            )
                            .and_then(|d| dist(d, &t.path_of("time"), errs));
                        let from = t.get("from").and_then(|f| {
                            let p = t.path_of("from");
                            let n = reader::name(f, &p, errs)?;
                            let j = self.role_ref(
                                &n,
                                &p,
                                "`from` names the role it is reinstalled from",
                                errs,
                            )?;
                            if n.text == role.name.text {
                                errs.push(
                                    n.span.clone(),
                                    p,
                                    format!("role `{}` cannot be reinstalled from itself; `from` names the role it is rebuilt from, e.g. its parent site's server", n.text),
                                );
                                return None;
                            }
                            role.from = Some((j, n.span.clone()));
                            Some(j)
                        });
                        time.map(|time| Recovery::Reinstall { time, from })
                    }
                }
            }
            Some(other) => {
                let hint = reader::closest(other, &["repair", "restore", "reinstall"])
                    .map(|c| format!("did you mean \"{c}\"? "))
                    .unwrap_or_default();
                errs.push(
                    kind_val.map_or(t.span.clone(), |k| k.span()),
                    t.path_of("kind"),
                    format!("unknown recovery kind \"{other}\"; {hint}expected {RECOVERY_KINDS}"),
                );
                t.allow(&["backup_every", "backup_offset", "restore", "time", "from"]);
                None
            }
            None => {
                t.allow(&["backup_every", "backup_offset", "restore", "time", "from"]);
                None
            }
        };
        t.finish(errs);
        result
    }

    fn pool(
        &self,
        t: &Tbl<'_, '_>,
        kind_span: Range<usize>,
        role: &mut RawRole,
        errs: &mut Errors,
    ) {
        let on = self.on_nodes(t, errs);
        let min_up = match t.get("min_up") {
            Some(m) => integer(m, &t.path_of("min_up"), u32::MAX as u64, errs)
                .map(|x| (x as u32, m.span())),
            None => Some((1, kind_span)),
        };
        let Some((nodes, on_span)) = on else { return };
        if nodes.is_empty() {
            errs.push(
                on_span,
                t.path_of("on"),
                "a pool needs at least one node in `on`",
            );
        } else if let Some((k, span)) = min_up {
            if k == 0 {
                errs.push(
                    span,
                    t.path_of("min_up"),
                    "min_up must be at least 1 (a pool with min_up = 0 could never be down)",
                );
            } else if k as usize > nodes.len() {
                errs.push(
                    span,
                    t.path_of("min_up"),
                    format!(
                        "min_up = {k} but the pool has only {} instance{}: it could never be available; use at most {}",
                        nodes.len(),
                        if nodes.len() == 1 { "" } else { "s" },
                        nodes.len()
                    ),
                );
            } else {
                role.kind = Some(RoleKind::Pool { nodes, min_up: k });
            }
        }
    }

    /// Reads the failover parameters shared by clusters, availability groups and mirroring.
    /// `manual_failover`: `None` when the kind has none, else why it is required (if it is).
    fn failover_fields(
        &self,
        t: &Tbl<'_, '_>,
        manual_failover: Option<Option<String>>,
        errs: &mut Errors,
    ) -> Failover {
        let failover = t
            .req(
                "failover",
                "time of an automatic failover, e.g. { dist = \"lognormal\", mean = \"2min\", sigma = 0.5 }",
                errs,
            )
            .and_then(|d| dist(d, &t.path_of("failover"), errs));
        let coverage = t
            .get("coverage")
            .and_then(|c| probability(c, &t.path_of("coverage"), errs));
        let software = t
            .get("software")
            .and_then(|s| software(s, &t.path_of("software"), errs));
        let manual_recovery = t
            .get("manual_recovery")
            .and_then(|d| dist(d, &t.path_of("manual_recovery"), errs));
        if !t.has("manual_recovery") {
            let why = match (coverage, &software) {
                (Some(c), _) if c < 1.0 => Some(format!(
                    "coverage = {c} < 1, and a failed failover needs an operator"
                )),
                (_, Some(sw)) if sw.restart_success < 1.0 => Some(format!(
                    "software.restart_success = {} < 1, and a failed restart may need an operator",
                    sw.restart_success
                )),
                _ => None,
            };
            if let Some(why) = why {
                errs.push(
                    t.span.clone(),
                    t.path.clone(),
                    format!("missing field `manual_recovery` (operator recovery time, e.g. {{ dist = \"exponential\", mean = \"1h\" }}): needed because {why}"),
                );
            }
        }
        let manual_failover = match manual_failover {
            None => None,
            Some(required) => match t.get("manual_failover") {
                Some(d) => dist(d, &t.path_of("manual_failover"), errs),
                None => {
                    if let Some(why) = required {
                        errs.push(
                            t.span.clone(),
                            t.path.clone(),
                            format!("missing field `manual_failover` (operator delay before a manual failover, e.g. {{ dist = \"exponential\", mean = \"30min\" }}): needed because {why}"),
                        );
                    }
                    None
                }
            },
        };
        Failover {
            failover,
            coverage: coverage.unwrap_or(1.0),
            manual_recovery,
            manual_failover,
            software,
        }
    }

    fn machine(&self, role: &RawRole, replicas: Vec<Replica>, f: Failover) -> Machine {
        Machine {
            replicas,
            witness: None,
            failover: f.failover,
            coverage: f.coverage,
            manual_recovery: f.manual_recovery,
            manual_failover: f.manual_failover,
            failback: false,
            software: f.software,
            recovery: Recovery::Repair,
            stream_key: stream_key("role", &role.name.text),
            output: 0,
        }
    }

    fn cluster(&self, t: &Tbl<'_, '_>, role: &mut RawRole, errs: &mut Errors) {
        let on = self.on_nodes(t, errs);
        let f = self.failover_fields(t, None, errs);
        let failback = t
            .get("failback")
            .and_then(|b| boolean(b, &t.path_of("failback"), errs))
            .unwrap_or(false);
        let max_nodes = t.get("max_nodes").and_then(|m| {
            let p = t.path_of("max_nodes");
            match integer(m, &p, u32::MAX as u64, errs)? {
                0 => {
                    errs.push(
                        m.span(),
                        p,
                        "max_nodes must be at least 1 (leave it out when the product has no limit)",
                    );
                    None
                }
                n => Some(n as u32),
            }
        });
        let Some((nodes, on_span)) = on else { return };
        if nodes.is_empty() || nodes.len() > MAX_CLUSTER_NODES {
            errs.push(
                on_span,
                t.path_of("on"),
                format!(
                    "a cluster has 1 to {MAX_CLUSTER_NODES} nodes, but `on` names {}",
                    nodes.len()
                ),
            );
            return;
        }
        let replicas = nodes
            .iter()
            .map(|&node| Replica {
                node,
                automatic: true,
                needs_witness: false,
                lag: None,
            })
            .collect();
        let mut m = self.machine(role, replicas, f);
        m.failback = failback;
        role.machine = Some(m);
        role.kind = Some(RoleKind::Cluster { nodes, max_nodes });
    }

    fn availability_group(&self, t: &Tbl<'_, '_>, role: &mut RawRole, errs: &mut Errors) {
        let primary = t
            .req("primary", "the node of the initial primary replica", errs)
            .and_then(|p| self.one_node(p, &t.path_of("primary"), errs));
        let mut used: Vec<usize> = primary.iter().map(|(n, _)| *n).collect();
        let mut secondaries: Vec<(usize, Commit, Option<Dist>)> = Vec::new();
        let mut any_async = false;
        let mut ok = true;
        let sv = t.req(
            "secondaries",
            "secondary replicas, e.g. [{ on = \"sql2\", commit = \"synchronous\" }]",
            errs,
        );
        if let Some(sv) = sv {
            let sp = t.path_of("secondaries");
            match sv.get_ref() {
                DeValue::Array(items) if items.is_empty() || items.len() > MAX_AG_SECONDARIES => {
                    ok = false;
                    errs.push(
                        sv.span(),
                        sp,
                        format!(
                            "an availability group has 1 to {MAX_AG_SECONDARIES} secondary replicas, but `secondaries` lists {}",
                            items.len()
                        ),
                    );
                }
                DeValue::Array(items) => {
                    for (i, item) in items.iter().enumerate() {
                        let ip = format!("{sp}[{i}]");
                        let Some(it) = Tbl::new(
                            item,
                            &ip,
                            "a secondary replica such as { on = \"sql2\", commit = \"synchronous\" }",
                            errs,
                        ) else {
                            ok = false;
                            continue;
                        };
                        let node = it
                            .req("on", "the replica's node", errs)
                            .and_then(|o| self.one_node(o, &it.path_of("on"), errs));
                        let mode = it
                            .req("commit", COMMIT_MODES, errs)
                            .and_then(|c| commit(c, &it.path_of("commit"), errs));
                        let lag = self.lag(&it, mode, "", errs);
                        let on_path = it.path_of("on");
                        it.finish(errs);
                        match (node, mode) {
                            (Some((n, name)), Some(mode)) => {
                                if used.contains(&n) {
                                    ok = false;
                                    errs.push(
                                        name.span,
                                        on_path,
                                        format!("node `{}` already holds a replica of this role; each replica needs its own node", name.text),
                                    );
                                }
                                used.push(n);
                                any_async |= mode == Commit::Asynchronous;
                                secondaries.push((n, mode, lag));
                            }
                            _ => ok = false,
                        }
                    }
                }
                other => {
                    ok = false;
                    errs.push(
                        sv.span(),
                        sp,
                        format!(
                            "expected an array of secondary replicas such as [{{ on = \"sql2\", commit = \"synchronous\" }}], found {}",
                            type_name(other)
                        ),
                    );
                }
            }
        }
        let why = any_async.then(|| {
            "a secondary is asynchronous, and failing over to it takes an operator".to_string()
        });
        let f = self.failover_fields(t, Some(why), errs);
        let (Some((primary, _)), true) = (primary, ok) else {
            return;
        };
        let mut replicas = vec![Replica {
            node: primary,
            automatic: true,
            needs_witness: false,
            lag: None,
        }];
        replicas.extend(secondaries.iter().map(|(node, mode, lag)| Replica {
            node: *node,
            automatic: *mode == Commit::Synchronous,
            needs_witness: false,
            lag: lag.clone(),
        }));
        role.machine = Some(self.machine(role, replicas, f));
        role.kind = Some(RoleKind::AvailabilityGroup {
            primary,
            secondaries: secondaries.into_iter().map(|(n, c, _)| (n, c)).collect(),
        });
    }

    /// Reads `lag`: required for asynchronous commit, rejected for synchronous.
    fn lag(
        &self,
        t: &Tbl<'_, '_>,
        mode: Option<Commit>,
        default_note: &str,
        errs: &mut Errors,
    ) -> Option<Dist> {
        let lag = t.get("lag");
        match (mode, lag) {
            (Some(Commit::Asynchronous), Some(d)) => dist(d, &t.path_of("lag"), errs),
            (Some(Commit::Asynchronous), None) => {
                errs.push(
                    t.span.clone(),
                    t.path.clone(),
                    "missing field `lag` (hours of transactions lost by a failover, e.g. { dist = \"exponential\", mean = \"30s\" }): needed because commit = \"asynchronous\"",
                );
                None
            }
            (Some(Commit::Synchronous), Some(d)) => {
                errs.push(
                    d.span(),
                    t.path_of("lag"),
                    format!("`lag` applies to asynchronous commit only; with commit = \"synchronous\"{default_note} a failover loses no transactions"),
                );
                None
            }
            _ => None,
        }
    }

    fn mirroring(&self, t: &Tbl<'_, '_>, role: &mut RawRole, errs: &mut Errors) {
        let principal = t
            .req("principal", "the node of the initial principal", errs)
            .and_then(|p| self.one_node(p, &t.path_of("principal"), errs));
        let mirror = t
            .req("mirror", "the mirror's node", errs)
            .and_then(|p| self.one_node(p, &t.path_of("mirror"), errs));
        let witness = t
            .get("witness")
            .and_then(|p| self.one_node(p, &t.path_of("witness"), errs));
        let (mode, note) = match t.get("commit") {
            Some(c) => (commit(c, &t.path_of("commit"), errs), ""),
            None => (Some(Commit::Synchronous), " (the default)"),
        };
        let lag = self.lag(t, mode, note, errs);
        let f = self.failover_fields(
            t,
            Some(Some(
                "mirroring fails over by hand when there is no witness or the witness is down"
                    .to_string(),
            )),
            errs,
        );
        let mut ok = true;
        if let (Some((p, _)), Some((m, mn))) = (&principal, &mirror)
            && p == m
        {
            ok = false;
            errs.push(
                mn.span.clone(),
                t.path_of("mirror"),
                format!(
                    "the mirror must be another node than the principal `{}`",
                    mn.text
                ),
            );
        }
        if let Some((w, wn)) = &witness
            && [&principal, &mirror]
                .iter()
                .any(|x| x.as_ref().is_some_and(|(n, _)| n == w))
        {
            ok = false;
            errs.push(
                wn.span.clone(),
                t.path_of("witness"),
                format!(
                    "the witness must be a third node, not the principal or the mirror (`{}`)",
                    wn.text
                ),
            );
        }
        let (Some((principal, _)), Some((mirror, _)), Some(mode), true) =
            (principal, mirror, mode, ok)
        else {
            return;
        };
        let auto = witness.is_some();
        let replicas = [principal, mirror]
            .into_iter()
            .map(|node| Replica {
                node,
                automatic: auto,
                needs_witness: auto,
                lag: lag.clone(),
            })
            .collect();
        let mut m = self.machine(role, replicas, f);
        m.witness = witness.as_ref().map(|(w, _)| *w);
        role.machine = Some(m);
        role.kind = Some(RoleKind::Mirroring {
            principal,
            mirror,
            witness: witness.map(|(w, _)| w),
            commit: mode,
        });
    }

    /// The unknown-role message, with a likely intended role or the defined ones.
    /// Resolves a field that must name a role. A service or an unknown name gets a located error;
    /// `what` says what the field is for.
    fn role_ref(&self, n: &Name, path: &str, what: &str, errs: &mut Errors) -> Option<usize> {
        match self.entity_names.get(&n.text) {
            Some(Target::Role(i)) => Some(*i),
            Some(Target::Service(_)) => {
                errs.push(
                    n.span.clone(),
                    path,
                    format!("`{}` is a service; {what}", n.text),
                );
                None
            }
            None => {
                errs.push(n.span.clone(), path, self.unknown_role(&n.text));
                None
            }
        }
    }

    fn unknown_role(&self, text: &str) -> String {
        let known: Vec<&str> = self.roles_named();
        unknown(
            "role",
            text,
            &known,
            &format!("define it in a [roles.{text}] section"),
        )
    }

    /// Names of all roles (registered before any role is read).
    fn roles_named(&self) -> Vec<&str> {
        self.entity_names
            .iter()
            .filter(|(_, t)| matches!(t, Target::Role(_)))
            .map(|(n, _)| n.as_str())
            .collect()
    }

    fn entity_hint(&self, text: &str) -> String {
        let known: Vec<&str> = self.entity_names.keys().map(String::as_str).collect();
        reader::closest(text, &known)
            .map(|c| format!("; did you mean `{c}`?"))
            .unwrap_or_default()
    }

    fn service(&self, v: &Val<'_>, path: &str, name: Name, errs: &mut Errors) -> RawService {
        let mut svc = RawService {
            name: name.clone(),
            description: None,
            target: None,
            expr: None,
            site: None,
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
                    errs.push(tv.span(), p, format!("target {x} must be an availability between 0 and 1 (exclusive), e.g. 0.999"));
                }
            }
        }
        svc.site = t.get("site").and_then(|s| {
            let n = reader::name(s, &t.path_of("site"), errs)?;
            self.lookup_site(&n, &t.path_of("site"), errs)
        });
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

    fn maintenance_section(&mut self, v: &Val<'_>, errs: &mut Errors) {
        let Some(section) = Tbl::new(v, "maintenance", "the [maintenance] section", errs) else {
            return;
        };
        for (key, val) in section.entries() {
            let key_name: &str = key.get_ref();
            let path = join("maintenance", key_name);
            let Some(t) = Tbl::new(
                val,
                &path,
                &format!("maintenance schedule `{key_name}`"),
                errs,
            ) else {
                continue;
            };
            let every_val = t.req(
                "every",
                "interval between window starts, e.g. \"30d\"",
                errs,
            );
            let every = every_val.and_then(|e| {
                let p = t.path_of("every");
                let h = positive_duration(e, &p, "every", errs)?;
                if let Some(mission) = self.mission
                    && mission / h > MAX_WINDOWS
                {
                    errs.push(
                        e.span(),
                        p,
                        format!(
                            "every = {} opens {:.0} windows in a {} mission; at most {MAX_WINDOWS:.0} are accepted (maintenance is planned in days or weeks)",
                            format_duration(h),
                            mission / h,
                            format_duration(mission)
                        ),
                    );
                    return None;
                }
                Some(h)
            });
            let duration_val = t.req(
                "duration",
                "time each node spends in maintenance, e.g. \"4h\"",
                errs,
            );
            let dur = duration_val
                .and_then(|d| positive_duration(d, &t.path_of("duration"), "duration", errs));
            let offset = match t.get("offset") {
                Some(o) => duration(o, &t.path_of("offset"), errs),
                None => Some(0.0),
            };
            let rolling = t
                .get("rolling")
                .and_then(|r| boolean(r, &t.path_of("rolling"), errs))
                .unwrap_or(false);
            let nodes_val = t.get("nodes");
            let role_val = t.get("role");
            let target: Option<(Vec<usize>, Guard)> = match (nodes_val, role_val) {
                (Some(_), Some(r)) => {
                    errs.push(
                        r.span(),
                        t.path_of("role"),
                        "give `nodes` or `role`, not both: a schedule covers a node list or a role's nodes",
                    );
                    None
                }
                (None, None) => {
                    errs.push(
                        t.span.clone(),
                        path.clone(),
                        "missing field `nodes` (nodes or node groups, e.g. [\"web\", \"db1\"]) or `role` (a role whose nodes are maintained)",
                    );
                    None
                }
                (Some(nv), None) => {
                    let p = t.path_of("nodes");
                    names(nv, &p, errs)
                        .and_then(|refs| self.resolve_nodes(&refs, &p, errs))
                        .and_then(|nodes| {
                            if nodes.is_empty() {
                                errs.push(
                                    nv.span(),
                                    p,
                                    "the list is empty: name at least one node",
                                );
                                return None;
                            }
                            let mut seen = std::collections::HashSet::new();
                            for &n in &nodes {
                                if !seen.insert(n) {
                                    errs.push(
                                        nv.span(),
                                        p.clone(),
                                        format!("node `{}` is listed twice", self.nodes[n].name),
                                    );
                                    return None;
                                }
                            }
                            let guard = if rolling {
                                Guard::KeepOneUp
                            } else {
                                Guard::None
                            };
                            Some((nodes, guard))
                        })
                }
                (None, Some(rv)) => {
                    let p = t.path_of("role");
                    reader::name(rv, &p, errs).and_then(|n| {
                        let i = self.role_ref(
                            &n,
                            &p,
                            "`role` names a role whose nodes are maintained",
                            errs,
                        )?;
                        let kind = self.roles.get(i).and_then(|r| r.kind.as_ref())?;
                        if rolling && matches!(kind, RoleKind::Standalone { .. }) {
                            errs.push(
                                n.span,
                                p,
                                format!("rolling maintenance needs redundancy to roll over, but role `{}` is standalone (one node); drop `rolling` to take its node down in each window", n.text),
                            );
                            return None;
                        }
                        let guard = if rolling { Guard::Role(i) } else { Guard::None };
                        Some((kind.nodes(), guard))
                    })
                }
            };
            if let (Some(e), Some(d), Some(dv), false) = (every, dur, duration_val, rolling)
                && d >= e
            {
                errs.push(
                    dv.span(),
                    t.path_of("duration"),
                    format!(
                        "duration {} must be shorter than every = {}: the nodes would never leave maintenance",
                        format_duration(d),
                        format_duration(e)
                    ),
                );
            }
            t.finish(errs);
            if let (Some(every), Some(duration), Some(offset), Some((nodes, guard))) =
                (every, dur, offset, target)
            {
                self.maintenance.push(Maintenance {
                    name: key_name.to_string(),
                    every,
                    duration,
                    offset,
                    nodes,
                    guard,
                });
            }
        }
    }

    /// Reads `[clients.NAME]` populations and their `[clients.NAME.requests.KIND]` request kinds.
    fn clients_section(&mut self, v: &Val<'_>, errs: &mut Errors) {
        let Some(section) = Tbl::new(v, "clients", "the [clients] section", errs) else {
            return;
        };
        for (key, val) in section.entries() {
            let key_name: &str = key.get_ref();
            let path = join("clients", key_name);
            if key_name.contains('.') {
                errs.push(
                    key.span(),
                    path.clone(),
                    format!("a population name cannot contain `.`: its request kinds are named population.kind, and `{key_name}` would make those names ambiguous"),
                );
            }
            let Some(t) = Tbl::new(val, &path, &format!("client population `{key_name}`"), errs)
            else {
                continue;
            };
            let count = t
                .req(
                    "count",
                    "number of clients, 1 to 100000000, e.g. 40_000",
                    errs,
                )
                .and_then(|c| {
                    let p = t.path_of("count");
                    match integer(c, &p, MAX_CLIENTS, errs)? {
                        0 => {
                            errs.push(
                                c.span(),
                                p,
                                "count must be at least 1 (leave the population out if it has no clients)",
                            );
                            None
                        }
                        n => Some(n),
                    }
                });
            let site = t
                .get("site")
                .and_then(|s| name(s, &t.path_of("site"), errs))
                .and_then(|n| self.lookup_site(&n, &t.path_of("site"), errs));
            let description = t
                .get("description")
                .and_then(|d| string(d, &t.path_of("description"), errs));
            let population = self.populations.len();
            let none_msg = format!(
                "a client population needs at least one request kind: add a [clients.{}] section with `target`, `every`, `timeout` and `response`",
                join(&join(key_name, "requests"), "NAME")
            );
            match t.get("requests") {
                None => errs.push(t.span.clone(), path.clone(), none_msg),
                Some(rv) => {
                    let rp = t.path_of("requests");
                    if let Some(rt) = Tbl::new(
                        rv,
                        &rp,
                        &format!("request kinds, each a [{}] section", join(&rp, "NAME")),
                        errs,
                    ) {
                        let mut any = false;
                        // Every key is a request kind's name: there are no fixed keys to check.
                        for (k, kv) in rt.entries() {
                            any = true;
                            let kind = self.request_kind(population, key_name, k, kv, &rp, errs);
                            self.requests.extend(kind);
                        }
                        if !any {
                            errs.push(rv.span(), rp, none_msg);
                        }
                    }
                }
            }
            t.finish(errs);
            self.populations.push(Population {
                name: key_name.to_string(),
                description,
                count: count.unwrap_or(1),
                site,
            });
        }
    }

    /// Reads one request kind `[clients.POPULATION.requests.KIND]`.
    fn request_kind(
        &self,
        population: usize,
        population_name: &str,
        key: &toml::Spanned<std::borrow::Cow<'_, str>>,
        v: &Val<'_>,
        section: &str,
        errs: &mut Errors,
    ) -> Option<RequestKind> {
        let kind_name: &str = key.get_ref();
        let path = join(section, kind_name);
        let mut ok = true;
        if kind_name.contains('.') {
            ok = false;
            errs.push(
                key.span(),
                path.clone(),
                format!("a request kind's name cannot contain `.`: it is named {population_name}.{kind_name}, which would be ambiguous"),
            );
        }
        let t = Tbl::new(v, &path, &format!("request kind `{kind_name}`"), errs)?;
        let target = t
            .req(
                "target",
                "the role that serves the requests, e.g. target = \"web\"",
                errs,
            )
            .and_then(|tv| {
                let p = t.path_of("target");
                let n = name(tv, &p, errs)?;
                let i = self.role_ref(
                    &n,
                    &p,
                    "`target` names the role whose instances serve the requests",
                    errs,
                )?;
                if let Some(RoleKind::Pool { nodes, .. }) =
                    self.roles.get(i).and_then(|r| r.kind.as_ref())
                    && nodes.len() > MAX_INSTANCES
                {
                    errs.push(
                        n.span,
                        p,
                        format!(
                            "role `{}` is a pool of {} nodes, one instance each, but a request chooses among at most {MAX_INSTANCES} instances",
                            n.text,
                            nodes.len()
                        ),
                    );
                    return None;
                }
                Some(i)
            });
        let every = t
            .req(
                "every",
                "mean interval between requests of one client, e.g. \"60min\"",
                errs,
            )
            .and_then(|e| positive_duration(e, &t.path_of("every"), "every", errs));
        let selection = match t.get("selection") {
            Some(sv) => {
                let p = t.path_of("selection");
                match string(sv, &p, errs).as_deref() {
                    Some("random") => Some(Selection::Random),
                    Some("round_robin") => Some(Selection::RoundRobin),
                    Some("ordered") => Some(Selection::Ordered),
                    Some("sticky") => Some(Selection::Sticky),
                    Some(other) => {
                        let hint = reader::closest(other, SELECTION_NAMES)
                            .map(|c| format!("did you mean \"{c}\"? "))
                            .unwrap_or_default();
                        errs.push(
                            sv.span(),
                            p,
                            format!("unknown selection \"{other}\"; {hint}expected {SELECTIONS}"),
                        );
                        None
                    }
                    None => None,
                }
            }
            None => Some(Selection::Random),
        };
        let timeout = t
            .req(
                "timeout",
                "what an attempt on a dead instance costs, e.g. \"30s\"",
                errs,
            )
            .and_then(|d| positive_duration(d, &t.path_of("timeout"), "timeout", errs));
        let response = t
            .req(
                "response",
                "response time of a live instance, e.g. { dist = \"lognormal\", mean = \"200ms\", sigma = 0.5 }",
                errs,
            )
            .and_then(|d| dist(d, &t.path_of("response"), errs));
        let max_attempts = match t.get("max_attempts") {
            Some(a) => {
                let p = t.path_of("max_attempts");
                match integer(a, &p, MAX_ATTEMPTS, errs) {
                    Some(0) => {
                        errs.push(
                            a.span(),
                            p,
                            format!("max_attempts must be from 1 to {MAX_ATTEMPTS} (the first try counts as an attempt)"),
                        );
                        None
                    }
                    other => other.map(|n| n as u32),
                }
            }
            None => Some(DEFAULT_ATTEMPTS),
        };
        let backoff = match t.get("backoff") {
            Some(b) => duration(b, &t.path_of("backoff"), errs),
            None => Some(0.0),
        };
        let reconnect = self.reconnect(&t, errs);
        let holds_connections = selection == Some(Selection::Sticky)
            || matches!(
                reconnect,
                Some(Reconnect::FreshConnectionOnly { .. } | Reconnect::Dns { .. })
            );
        if let (Some(Reconnect::Dns { .. }), Some(sv)) = (reconnect, t.get("selection"))
            && !matches!(selection, Some(Selection::Random | Selection::RoundRobin))
        {
            ok = false;
            errs.push(
                sv.span(),
                t.path_of("selection"),
                "with reconnect = \"dns\" the DNS answer chooses the instance (round robin); leave `selection` out",
            );
        }
        let when_all_fail = match t.get("when_all_fail") {
            None => Some(WhenAllFail::Fail),
            Some(wv) => {
                let p = t.path_of("when_all_fail");
                match string(wv, &p, errs).as_deref() {
                    Some("fail") => Some(WhenAllFail::Fail),
                    Some("cache") if holds_connections => {
                        errs.push(
                            wv.span(),
                            p,
                            "when_all_fail = \"cache\" works with selection random, round_robin or ordered and reconnect = \"on_failure\"; clients holding connections (sticky, fresh_connection_only, dns) cannot cache yet",
                        );
                        None
                    }
                    Some("cache") => Some(WhenAllFail::Cache),
                    Some(other) => {
                        errs.push(
                            wv.span(),
                            p,
                            format!("unknown when_all_fail \"{other}\"; expected \"fail\" (the request is lost; the default) or \"cache\" (the client keeps the data and sends it with its next request that succeeds)"),
                        );
                        None
                    }
                    None => None,
                }
            }
        };
        let fallback = t.get("fallback").and_then(|fv| {
            let p = t.path_of("fallback");
            let n = name(fv, &p, errs)?;
            let role = self.role_ref(
                &n,
                &p,
                "`fallback` names the role tried when every attempt on the target failed",
                errs,
            )?;
            if target == Some(role) {
                errs.push(
                    n.span.clone(),
                    p,
                    "the fallback is the target itself; name another role (e.g. a fallback status point)",
                );
                return None;
            }
            if holds_connections {
                errs.push(
                    n.span.clone(),
                    p,
                    "a fallback works with selection random, round_robin or ordered and reconnect = \"on_failure\"; clients holding connections (sticky, fresh_connection_only, dns) have no fallback yet",
                );
                return None;
            }
            let count = |r: usize| match self.roles.get(r).and_then(|r| r.kind.as_ref()) {
                Some(RoleKind::Pool { nodes, .. }) => nodes.len(),
                Some(RoleKind::Mirroring { .. }) => 2,
                _ => 1,
            };
            let total = target.map_or(0, count) + count(role);
            if total > MAX_INSTANCES {
                errs.push(
                    n.span,
                    p,
                    format!(
                        "the target and the fallback have {total} instances together; a request chooses among at most {MAX_INSTANCES}"
                    ),
                );
                return None;
            }
            Some(role)
        });
        if t.has("fallback") && fallback.is_none() {
            ok = false;
        }
        if selection == Some(Selection::Sticky)
            && let Some(Reconnect::FreshConnectionOnly { .. }) = reconnect
            && let Some(rv) = t.get("reconnect")
        {
            ok = false;
            errs.push(
                rv.span(),
                t.path_of("reconnect"),
                "selection = \"sticky\" already keeps a connection and moves it when the instance fails; fresh_connection_only would never move it: use one or the other",
            );
        }
        if selection == Some(Selection::Sticky)
            && let Some(role) = target.and_then(|i| self.roles.get(i))
            && role.capacity.is_some()
            && let Some(sv) = t.get("selection")
        {
            ok = false;
            errs.push(
                sv.span(),
                t.path_of("selection"),
                format!(
                    "role `{}` has a capacity, and queueing is not modelled for sticky clients yet; use selection random, round_robin or ordered, or leave out the role's capacity",
                    role.name.text
                ),
            );
        }
        let description = t
            .get("description")
            .and_then(|d| string(d, &t.path_of("description"), errs));
        t.finish(errs);
        let name = format!("{population_name}.{kind_name}");
        let (Some(target), Some(every), Some(selection), Some(timeout), Some(response)) =
            (target, every, selection, timeout, response)
        else {
            return None;
        };
        let (Some(max_attempts), Some(backoff), Some(reconnect), Some(when_all_fail), true) =
            (max_attempts, backoff, reconnect, when_all_fail, ok)
        else {
            return None;
        };

        Some(RequestKind {
            stream_key: stream_key("request", &name),
            name,
            description,
            population,
            target,
            rate: 1.0 / every,
            selection,
            timeout,
            response,
            max_attempts,
            backoff,
            reconnect,
            instances: Vec::new(),
            per_replica: false,
            fallback,
            primary: 0,
            when_all_fail,
            queue: Vec::new(),
        })
    }

    /// Reads how clients of a request kind hold connections (`reconnect` and the keys that go with it).
    fn reconnect(&self, t: &Tbl<'_, '_>, errs: &mut Errors) -> Option<Reconnect> {
        const OWN_KEYS: [(&str, &str); 3] = [
            ("reconnect_every", "fresh_connection_only"),
            ("ttl", "dns"),
            ("health_checked", "dns"),
        ];
        let mode = match t.get("reconnect") {
            None => "on_failure".to_string(),
            Some(rv) => string(rv, &t.path_of("reconnect"), errs)?,
        };
        for (key, owner) in OWN_KEYS {
            if owner != mode
                && let Some(e) = t.get(key)
            {
                errs.push(
                    e.span(),
                    t.path_of(key),
                    format!("{key} applies only with reconnect = \"{owner}\""),
                );
            }
        }
        match mode.as_str() {
            "on_failure" => Some(Reconnect::OnFailure),
            "fresh_connection_only" => t
                .req(
                    "reconnect_every",
                    "mean interval between reconnects of one client, e.g. \"30min\"",
                    errs,
                )
                .and_then(|e| {
                    positive_duration(e, &t.path_of("reconnect_every"), "reconnect_every", errs)
                })
                .map(|every| Reconnect::FreshConnectionOnly { every }),
            "dns" => {
                let ttl = t
                    .req(
                        "ttl",
                        "how long a client keeps a resolved address, e.g. \"5min\"",
                        errs,
                    )
                    .and_then(|e| positive_duration(e, &t.path_of("ttl"), "ttl", errs));
                let health_checked = match t.get("health_checked") {
                    Some(h) => boolean(h, &t.path_of("health_checked"), errs),
                    None => Some(false),
                };
                Some(Reconnect::Dns {
                    ttl: ttl?,
                    health_checked: health_checked?,
                })
            }
            other => {
                let rv = t.get("reconnect")?;
                let hint = reader::closest(other, &["on_failure", "fresh_connection_only", "dns"])
                    .map(|c| format!("did you mean \"{c}\"? "))
                    .unwrap_or_default();
                errs.push(
                    rv.span(),
                    t.path_of("reconnect"),
                    format!("unknown reconnect \"{other}\"; {hint}expected \"on_failure\" (a failed attempt moves on to the next instance; the default), \"fresh_connection_only\" (clients keep their connection until they reconnect, with reconnect_every) or \"dns\" (DNS round robin: clients keep a resolved address for ttl)"),
                );
                None
            }
        }
    }

    /// Finds dependency cycles among roles (`requires`, reinstall `from`) and services (references).
    fn check_cycles(&self, errs: &mut Errors) -> bool {
        let r = self.roles.len();
        let idx = |t: Target| match t {
            Target::Role(i) => i,
            Target::Service(i) => r + i,
        };
        let mut edges: Vec<Vec<Edge>> = Vec::new();
        for role in &self.roles {
            let requires = role_path(&role.name.text, "requires");
            let mut out: Vec<Edge> = role
                .requires
                .iter()
                .map(|(j, span)| Edge {
                    to: *j,
                    span: span.clone(),
                    path: requires.clone(),
                })
                .collect();
            if let Some((j, span)) = &role.from {
                out.push(Edge {
                    to: *j,
                    span: span.clone(),
                    path: join(&role_path(&role.name.text, "recovery"), "from"),
                });
            }
            edges.push(out);
        }
        fn refs(e: &Expr, out: &mut Vec<(Target, Range<usize>)>) {
            match e {
                Expr::Ref(t, s) => out.push((*t, s.clone())),
                Expr::Gate { children, .. } => children.iter().for_each(|c| refs(c, out)),
            }
        }
        for s in &self.services {
            let mut out = Vec::new();
            if let Some(e) = &s.expr {
                refs(e, &mut out);
            }
            let path = join("services", &s.name.text);
            edges.push(
                out.into_iter()
                    .map(|(t, span)| Edge {
                        to: idx(t),
                        span,
                        path: path.clone(),
                    })
                    .collect(),
            );
        }
        let label = |i: usize| -> String {
            if i < r {
                self.roles[i].name.text.clone()
            } else {
                self.services[i - r].name.text.clone()
            }
        };
        find_cycles(&edges, &label, "dependency cycle", "", errs)
    }

    /// Domains must not nest in a cycle; sites form one tree.
    fn check_domains_and_sites(&self, errs: &mut Errors) -> bool {
        let edges: Vec<Vec<Edge>> = self
            .domains
            .iter()
            .map(|d| {
                let path = join(&join("domains", &d.name), "in");
                d.within
                    .iter()
                    .filter_map(|(p, span)| match p {
                        Place::Domain(j) => Some(Edge {
                            to: *j,
                            span: span.clone(),
                            path: path.clone(),
                        }),
                        Place::Site(_) => None,
                    })
                    .collect()
            })
            .collect();
        let domains_ok = find_cycles(
            &edges,
            &|i| self.domains[i].name.clone(),
            "domain cycle",
            ": a domain cannot be inside itself",
            errs,
        );
        let edges: Vec<Vec<Edge>> = self
            .sites
            .iter()
            .map(|s| {
                s.parent
                    .iter()
                    .map(|(p, span)| Edge {
                        to: *p,
                        span: span.clone(),
                        path: join(&join("sites", &s.name), "parent"),
                    })
                    .collect()
            })
            .collect();
        let sites_ok = find_cycles(
            &edges,
            &|i| self.sites[i].name.clone(),
            "parent cycle",
            ": sites form a tree, from the root (central) site down",
            errs,
        );
        let mut roots = self.sites.iter().filter(|s| s.parent.is_none());
        let mut roots_ok = true;
        if sites_ok && let Some(root) = roots.next() {
            for extra in roots {
                roots_ok = false;
                errs.push(
                    extra.span.clone(),
                    join("sites", &extra.name),
                    format!(
                        "site `{}` has no `parent`, but `{}` is already the root site; sites form one tree: give it a parent, e.g. parent = \"{}\"",
                        extra.name, root.name, root.name
                    ),
                );
            }
        }
        domains_ok && sites_ok && roots_ok
    }

    fn build(self, simulation: Simulation) -> Option<Model> {
        let n_nodes = self.nodes.len();
        let mut next = n_nodes + self.domains.len();
        let mut site_comp = vec![None; self.sites.len()];
        let mut link_comp = vec![None; self.sites.len()];
        for (i, s) in self.sites.iter().enumerate() {
            if s.own.is_some() {
                site_comp[i] = Some(next);
                next += 1;
            }
            if s.link.is_some() {
                link_comp[i] = Some(next);
                next += 1;
            }
        }
        let place = |p: &Place| match p {
            Place::Domain(i) => Some(n_nodes + i),
            Place::Site(j) => site_comp[*j],
        };
        let component = |name: String,
                         kind: ComponentKind,
                         comp: RawComp,
                         within: Vec<usize>|
         -> Option<Component> {
            let mut inside: Vec<usize> = Vec::new();
            for c in within {
                if !inside.contains(&c) {
                    inside.push(c);
                }
            }
            Some(Component {
                stream_key: stream_key(kind.as_str(), &name),
                name,
                kind,
                description: comp.description,
                failure: comp.failure?,
                repair: comp.repair?,
                crew: comp.crew,
                priority: comp.priority,
                within: inside,
                maintenance: None,
                effective: 0,
            })
        };
        let mut components = Vec::with_capacity(next);
        for n in self.nodes {
            let mut within: Vec<usize> = n.within.iter().filter_map(place).collect();
            within.extend(n.site.and_then(|s| site_comp[s]));
            components.push(component(n.name, ComponentKind::Node, n.comp, within)?);
        }
        for d in self.domains {
            let within = d.within.iter().filter_map(|(p, _)| place(p)).collect();
            components.push(component(d.name, ComponentKind::Domain, d.comp, within)?);
        }
        let mut sites = Vec::with_capacity(self.sites.len());
        for (i, s) in self.sites.into_iter().enumerate() {
            if let Some(own) = s.own {
                components.push(component(
                    s.name.clone(),
                    ComponentKind::Site,
                    own,
                    Vec::new(),
                )?);
            }
            if let Some(link) = s.link {
                components.push(component(
                    format!("{}~link", s.name),
                    ComponentKind::Link,
                    link,
                    Vec::new(),
                )?);
            }
            sites.push(Site {
                name: s.name,
                description: s.description,
                parent: s.parent.map(|(p, _)| p),
                component: site_comp[i],
                link: link_comp[i],
            });
        }
        fn to_model(e: Expr) -> model::Expr {
            match e {
                Expr::Ref(Target::Role(i), _) => model::Expr::Role(i),
                Expr::Ref(Target::Service(i), _) => model::Expr::Service(i),
                Expr::Gate { op, need, children } => model::Expr::Gate {
                    op,
                    need,
                    children: children.into_iter().map(to_model).collect(),
                },
            }
        }
        let mut roles = Vec::with_capacity(self.roles.len());
        let mut costs = self.costs;
        for (i, r) in self.roles.into_iter().enumerate() {
            if let Some(c) = r.yearly_cost {
                costs.roles.push((i, c));
            }
            roles.push(Role {
                name: r.name.text,
                description: r.description,
                kind: r.kind?,
                machine: r.machine,
                requires: r.requires.iter().map(|(j, _)| *j).collect(),
                site: r.site,
                capacity: r.capacity,
                own: 0,
                gate: 0,
            });
        }
        let mut services = Vec::with_capacity(self.services.len());
        for s in self.services {
            services.push(Service {
                name: s.name.text,
                description: s.description,
                target: s.target,
                expr: to_model(s.expr?),
                site: s.site,
                expression: String::new(),
                gate: 0,
                support: Vec::new(),
            });
        }
        let mut model = Model {
            name: self.name,
            simulation,
            components,
            crews: self.crews,
            sites,
            roles,
            services,
            maintenance: self.maintenance,
            populations: self.populations,
            requests: self.requests,
            graph: Graph::default(),
            costs,
            sweep: self.sweep,
        };
        model::lower(&mut model);
        Some(model)
    }
}

/// Largest accepted yearly cost (of one item).
pub const MAX_COST: f64 = 1e12;

/// Reads a yearly cost: a number from 0 to [`MAX_COST`], in the scenario's currency.
fn yearly_cost(v: &Val<'_>, path: &str, errs: &mut Errors) -> Option<f64> {
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
    fn costs_section(&mut self, v: &Val<'_>, errs: &mut Errors) {
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

/// Most parameters a sweep varies together (a grid over them).
pub const MAX_SWEEP_PARAMETERS: usize = 2;
/// Most values of one swept parameter.
pub const MAX_SWEEP_VALUES: usize = 64;

/// Reads `[sweep]`: `"dotted.path" = [values]` or `"dotted.path" = "lo..hi"`, at most two parameters.
fn sweep_section(v: &Val<'_>, errs: &mut Errors) -> Vec<SweepParameter> {
    let Some(t) = Tbl::new(
        v,
        "sweep",
        "the [sweep] section, e.g. `\"nodes.web.count\" = \"2..6\"` or `\"nodes.sql.repair.mean\" = [\"4h\", \"8h\"]`",
        errs,
    ) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (key, val) in t.entries() {
        let k: &str = key.get_ref();
        let path = t.path_of(k);
        if out.len() == MAX_SWEEP_PARAMETERS {
            errs.push(
                key.span(),
                path,
                format!("a sweep varies at most {MAX_SWEEP_PARAMETERS} parameters"),
            );
            continue;
        }
        if k.starts_with("sweep") || k.starts_with("simulation") || k.split('.').any(str::is_empty)
        {
            errs.push(
                key.span(),
                path,
                "expected the dotted path of a scenario field, e.g. \"nodes.web.count\"",
            );
            continue;
        }
        let values = match val.get_ref() {
            DeValue::String(s) => match sweep::parse_values(s) {
                Ok(v) => v,
                Err(e) => {
                    errs.push(val.span(), path, e);
                    continue;
                }
            },
            DeValue::Array(items) => {
                let mut vals = Vec::new();
                for item in items.iter() {
                    let value = match item.get_ref() {
                        DeValue::String(s) => SweepValue::Text(s.to_string()),
                        DeValue::Integer(i) => {
                            match reader::integer_value(i.as_str(), i.radix())
                                .and_then(|x| i64::try_from(x).ok())
                            {
                                Some(x) => SweepValue::Integer(x),
                                None => {
                                    errs.push(item.span(), &path, "integer out of range");
                                    continue;
                                }
                            }
                        }
                        DeValue::Float(_) => match number(item, &path, errs) {
                            Some(x) => SweepValue::Float(x),
                            None => continue,
                        },
                        DeValue::Boolean(b) => SweepValue::Bool(*b),
                        other => {
                            errs.push(
                                item.span(),
                                &path,
                                format!(
                                    "expected numbers, strings or booleans, found {}",
                                    type_name(other)
                                ),
                            );
                            continue;
                        }
                    };
                    vals.push(value);
                }
                vals
            }
            other => {
                errs.push(
                    val.span(),
                    path,
                    format!(
                        "expected a list of values, e.g. [2, 3, 4], or a range \"2..6\", found {}",
                        type_name(other)
                    ),
                );
                continue;
            }
        };
        if values.is_empty() || values.len() > MAX_SWEEP_VALUES {
            errs.push(
                val.span(),
                path,
                format!("expected 1 to {MAX_SWEEP_VALUES} values"),
            );
            continue;
        }
        out.push(SweepParameter {
            path: k.to_string(),
            values,
        });
    }
    out
}

/// Reports every cycle of a graph (one error per back edge, at the edge that closes it).
fn find_cycles(
    edges: &[Vec<Edge>],
    label: &dyn Fn(usize) -> String,
    what: &str,
    note: &str,
    errs: &mut Errors,
) -> bool {
    // 0 = unvisited, 1 = on the stack, 2 = done.
    let mut state = vec![0u8; edges.len()];
    let mut ok = true;
    for start in 0..edges.len() {
        if state[start] != 0 {
            continue;
        }
        let mut stack: Vec<(usize, usize)> = vec![(start, 0)];
        state[start] = 1;
        while let Some(&mut (v, ref mut next)) = stack.last_mut() {
            if *next < edges[v].len() {
                let e = &edges[v][*next];
                *next += 1;
                match state[e.to] {
                    0 => {
                        state[e.to] = 1;
                        stack.push((e.to, 0));
                    }
                    1 => {
                        ok = false;
                        let from = stack.iter().position(|(x, _)| *x == e.to).unwrap_or(0);
                        let mut cycle: Vec<String> =
                            stack[from..].iter().map(|(x, _)| label(*x)).collect();
                        cycle.push(label(e.to));
                        errs.push(
                            e.span.clone(),
                            e.path.clone(),
                            format!("{what}: {}{note}", cycle.join(" → ")),
                        );
                    }
                    _ => {}
                }
            } else {
                state[v] = 2;
                stack.pop();
            }
        }
    }
    ok
}

/// Reads a distribution table such as `{ dist = "weibull", shape = 2, mean = "1000h" }`.
/// A time to failure: a distribution whose mean is more than zero (one that is always zero would
/// fail again the instant it is repaired, forever).
fn failure_dist(v: &Val<'_>, path: &str, errs: &mut Errors) -> Option<Dist> {
    let d = dist(v, path, errs)?;
    if d.mean() <= 0.0 {
        errs.push(
            v.span(),
            path,
            "a time to failure that is always zero would fail again the instant it is repaired; expected a positive duration, e.g. { dist = \"exponential\", mean = \"5y\" }",
        );
        return None;
    }
    Some(d)
}

/// A time to repair: a distribution, or `"none"` for a component that is never repaired (down for the
/// rest of the mission once it fails).
fn repair_dist(v: &Val<'_>, path: &str, errs: &mut Errors) -> Option<Dist> {
    if let DeValue::String(s) = v.get_ref() {
        if s.as_ref() == "none" {
            return Some(Dist::never());
        }
        errs.push(
            v.span(),
            path,
            format!(
                "expected a time-to-repair distribution such as {{ dist = \"exponential\", mean = \"8h\" }}, or \"none\" for a node that is never repaired; found the string \"{s}\""
            ),
        );
        return None;
    }
    dist(v, path, errs)
}

fn dist(v: &Val<'_>, path: &str, errs: &mut Errors) -> Option<Dist> {
    let t = Tbl::new(
        v,
        path,
        "a distribution such as { dist = \"exponential\", mean = \"5y\" }",
        errs,
    )?;
    let kind_val = t.req("dist", DIST_KINDS, errs)?;
    let kind = string(kind_val, &t.path_of("dist"), errs)?;
    let dur = |key: &'static str, errs: &mut Errors| {
        t.get(key).and_then(|x| duration(x, &t.path_of(key), errs))
    };
    let num = |key: &'static str, errs: &mut Errors| {
        t.get(key).and_then(|x| number(x, &t.path_of(key), errs))
    };
    let need = |key: &'static str, what: &str, errs: &mut Errors| {
        if !t.has(key) {
            errs.push(
                t.span.clone(),
                path,
                format!("missing field `{key}` for dist = \"{kind}\" ({what})"),
            );
        }
    };
    let fail = |msg: String, errs: &mut Errors| {
        errs.push(v.span(), path, format!("dist = \"{kind}\": {msg}"));
    };
    let result = match kind.as_str() {
        "exponential" => {
            need("mean", "a duration", errs);
            dur("mean", errs).map(Dist::exponential)
        }
        "weibull" => {
            need("shape", "a number, e.g. 1.5", errs);
            let shape = num("shape", errs);
            match (t.has("mean"), t.has("scale")) {
                (true, true) => {
                    fail("give `mean` or `scale`, not both".into(), errs);
                    None
                }
                (false, false) => {
                    need("mean", "a duration; or give `scale`", errs);
                    None
                }
                (true, false) => match (shape, dur("mean", errs)) {
                    (Some(s), Some(m)) => Some(Dist::weibull_mean(s, m)),
                    _ => None,
                },
                (false, true) => match (shape, dur("scale", errs)) {
                    (Some(s), Some(c)) => Some(Dist::weibull_scale(s, c)),
                    _ => None,
                },
            }
        }
        "lognormal" => {
            need(
                "sigma",
                "a number: the standard deviation of ln(duration)",
                errs,
            );
            let sigma = num("sigma", errs);
            match (t.has("mean"), t.has("mu")) {
                (true, true) => {
                    fail("give `mean` or `mu`, not both".into(), errs);
                    None
                }
                (false, false) => {
                    need(
                        "mean",
                        "a duration; or give `mu`, the mean of ln(hours)",
                        errs,
                    );
                    None
                }
                (true, false) => match (dur("mean", errs), sigma) {
                    (Some(m), Some(s)) => Some(Dist::lognormal_mean(m, s)),
                    _ => None,
                },
                (false, true) => match (num("mu", errs), sigma) {
                    (Some(m), Some(s)) => Some(Dist::lognormal_mu(m, s)),
                    _ => None,
                },
            }
        }
        "gamma" => {
            need("shape", "a number", errs);
            need("mean", "a duration", errs);
            match (num("shape", errs), dur("mean", errs)) {
                (Some(s), Some(m)) => Some(Dist::gamma_mean(s, m)),
                _ => None,
            }
        }
        "normal" => {
            need("mean", "a duration", errs);
            need("sd", "a duration", errs);
            match (dur("mean", errs), dur("sd", errs)) {
                (Some(m), Some(s)) => Some(Dist::trunc_normal(m, s)),
                _ => None,
            }
        }
        "uniform" => {
            need("min", "a duration", errs);
            need("max", "a duration", errs);
            match (dur("min", errs), dur("max", errs)) {
                (Some(a), Some(b)) => Some(Dist::uniform(a, b)),
                _ => None,
            }
        }
        "fixed" => {
            need("value", "a duration", errs);
            dur("value", errs).map(Dist::fixed)
        }
        "empirical" => {
            need("samples", "an array of observed durations", errs);
            t.get("samples").and_then(|s| {
                let sp = t.path_of("samples");
                let DeValue::Array(items) = s.get_ref() else {
                    errs.push(
                        s.span(),
                        sp,
                        format!(
                            "expected an array of durations, found {}",
                            type_name(s.get_ref())
                        ),
                    );
                    return None;
                };
                let vals: Vec<Option<Hours>> = items
                    .iter()
                    .enumerate()
                    .map(|(i, x)| duration(x, &format!("{sp}[{i}]"), errs))
                    .collect();
                vals.into_iter()
                    .collect::<Option<Vec<_>>>()
                    .map(Dist::empirical)
            })
        }
        other => {
            let hint = reader::closest(other, &DIST_KINDS.split(", ").collect::<Vec<_>>())
                .map(|c| format!("did you mean \"{c}\"? "))
                .unwrap_or_default();
            errs.push(
                kind_val.span(),
                t.path_of("dist"),
                format!("unknown distribution \"{other}\"; {hint}expected one of {DIST_KINDS}"),
            );
            t.allow(&[
                "mean", "shape", "scale", "sigma", "mu", "sd", "min", "max", "value", "samples",
            ]);
            None
        }
    };
    t.finish(errs);
    match result {
        Some(Ok(d)) => Some(d),
        Some(Err(msg)) => {
            fail(msg, errs);
            None
        }
        None => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_chars() {
        let text = "a\nbé c\n";
        assert_eq!(line_col(text, 0), (1, 1));
        assert_eq!(line_col(text, 2), (2, 1));
        assert_eq!(line_col(text, 6), (2, 4));
    }

    #[test]
    fn names_from_paths() {
        assert_eq!(name_from_path("scenarios/web.toml"), "web");
        assert_eq!(name_from_path("c:\\x\\y.toml"), "y");
        assert_eq!(name_from_path("plain"), "plain");
    }
}
