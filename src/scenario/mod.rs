//! Scenario files: TOML text → validated [`Model`]. Every problem in a file is reported at once, each
//! with its line, column, field path and what would be valid.

mod reader;

use std::collections::HashMap;
use std::fmt;
use std::ops::Range;

use toml::de::{DeTable, DeValue};

use crate::dist::Dist;
use crate::model::{
    self, Component, ComponentKind, Graph, Model, Role, RoleKind, Service, Simulation, stream_key,
};
use crate::units::{HOURS_PER_YEAR, Hours, format_duration};
use reader::{
    Errors, Name, Tbl, Val, duration, integer, join, name, names, number, string, type_name,
};

/// Largest accepted number of replications in one run.
pub const MAX_REPLICATIONS: u64 = 10_000_000_000;
/// Longest accepted mission.
pub const MAX_MISSION_YEARS: f64 = 10_000.0;
/// Largest accepted `count` of a node group.
pub const MAX_GROUP_COUNT: u64 = 100_000;

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
            errs.push(
                span,
                "",
                format!("TOML syntax error: {}", e.message().trim()),
            );
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

struct RawNode {
    name: String,
    failure: Option<Dist>,
    repair: Option<Dist>,
}

struct RawRole {
    name: Name,
    description: Option<String>,
    kind: Option<RoleKind>,
    requires: Vec<(usize, Range<usize>)>,
}

struct RawService {
    name: Name,
    description: Option<String>,
    target: Option<f64>,
    expr: Option<Expr>,
}

struct Compiler {
    name: String,
    nodes: Vec<RawNode>,
    /// Node and group names → node indices.
    node_names: HashMap<String, Vec<usize>>,
    roles: Vec<RawRole>,
    services: Vec<RawService>,
    /// Role and service names share one namespace.
    entity_names: HashMap<String, Target>,
}

const ROLE_KINDS: &str = "\"standalone\" (one instance on one node) or \"pool\" (k-of-n instances)";
const DIST_KINDS: &str =
    "exponential, weibull, lognormal, gamma, normal, uniform, fixed, empirical";

impl Compiler {
    fn new(name: String) -> Self {
        Self {
            name,
            nodes: Vec::new(),
            node_names: HashMap::new(),
            roles: Vec::new(),
            services: Vec::new(),
            entity_names: HashMap::new(),
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
        let (default_failure, default_repair) = match root.get("defaults") {
            Some(v) => self.defaults(v, errs),
            None => (None, None),
        };
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
        let acyclic = self.check_cycles(errs);
        let simulation = simulation?;
        if !errs.list.is_empty() || !acyclic {
            return None;
        }
        Some(self.build(simulation))
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
            .and_then(|d| dist(d, &t.path_of("failure"), errs));
        let r = t
            .get("repair")
            .and_then(|d| dist(d, &t.path_of("repair"), errs));
        t.finish(errs);
        (f, r)
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
                Some(d) => dist(d, &t.path_of("failure"), errs),
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
                Some(d) => dist(d, &t.path_of("repair"), errs),
                None => {
                    if dflt_r.is_none() {
                        errs.push(
                            t.span.clone(),
                            path.clone(),
                            "missing field `repair` (time-to-repair distribution, e.g. { dist = \"lognormal\", mean = \"8h\", sigma = 0.8 }), and [defaults] has no `repair`",
                        );
                    }
                    dflt_r.cloned()
                }
            };
            if let Some(d) = t.get("description") {
                string(d, &t.path_of("description"), errs);
            }
            t.finish(errs);
            let members: Vec<String> = if count == 1 {
                vec![key_name.to_string()]
            } else {
                (1..=count).map(|i| format!("{key_name}-{i}")).collect()
            };
            let first = self.nodes.len();
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
                    failure: failure.clone(),
                    repair: repair.clone(),
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

    fn role(&self, v: &Val<'_>, path: &str, name: Name, errs: &mut Errors) -> RawRole {
        let mut role = RawRole {
            name: name.clone(),
            description: None,
            kind: None,
            requires: Vec::new(),
        };
        let Some(t) = Tbl::new(v, path, &format!("role `{}`", name.text), errs) else {
            return role;
        };
        role.description = t
            .get("description")
            .and_then(|d| string(d, &t.path_of("description"), errs));
        let kind = t.req("kind", ROLE_KINDS, errs).and_then(|k| {
            let s = string(k, &t.path_of("kind"), errs)?;
            match s.as_str() {
                "standalone" | "pool" => Some((s, k.span())),
                other => {
                    errs.push(
                        k.span(),
                        t.path_of("kind"),
                        format!("unknown role kind \"{other}\"; expected {ROLE_KINDS}"),
                    );
                    None
                }
            }
        });
        let on_val = t.req("on", "the node or nodes its instances run on", errs);
        let on = on_val.and_then(|o| names(o, &t.path_of("on"), errs));
        let nodes = on
            .as_ref()
            .and_then(|refs| self.resolve_nodes(refs, &t.path_of("on"), errs));
        let min_up_val = t.get("min_up");
        if let Some(refs) = t
            .get("requires")
            .and_then(|r| names(r, &t.path_of("requires"), errs))
        {
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
        }
        if let (Some((kind, kind_span)), Some(nodes), Some(on_val)) = (kind, nodes, on_val) {
            let on_path = t.path_of("on");
            let mut seen = std::collections::HashSet::new();
            for &n in &nodes {
                if !seen.insert(n) {
                    errs.push(
                        on_val.span(),
                        on_path.clone(),
                        format!("node `{}` is listed twice", self.nodes[n].name),
                    );
                }
            }
            match kind.as_str() {
                "standalone" => {
                    if let Some(m) = min_up_val {
                        errs.push(
                            m.span(),
                            t.path_of("min_up"),
                            "`min_up` applies to pools only; a standalone role has one instance",
                        );
                    }
                    if nodes.len() == 1 {
                        role.kind = Some(RoleKind::Standalone { node: nodes[0] });
                    } else {
                        errs.push(
                            on_val.span(),
                            on_path,
                            format!(
                                "a standalone role runs on exactly one node, but `on` names {} nodes; use kind = \"pool\" for several instances",
                                nodes.len()
                            ),
                        );
                    }
                }
                _ => {
                    let min_up = match min_up_val {
                        Some(m) => integer(m, &t.path_of("min_up"), u32::MAX as u64, errs)
                            .map(|x| (x as u32, m.span())),
                        None => Some((1, kind_span)),
                    };
                    if nodes.is_empty() {
                        errs.push(
                            on_val.span(),
                            on_path,
                            "a pool needs at least one node in `on`",
                        );
                    } else if let Some((k, span)) = min_up {
                        if k == 0 {
                            errs.push(span, t.path_of("min_up"), "min_up must be at least 1 (a pool with min_up = 0 could never be down)");
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
            }
        }
        t.finish(errs);
        role
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

    /// Finds dependency cycles among roles (`requires`) and services (references); reports each.
    fn check_cycles(&self, errs: &mut Errors) -> bool {
        let r = self.roles.len();
        let idx = |t: Target| match t {
            Target::Role(i) => i,
            Target::Service(i) => r + i,
        };
        let mut edges: Vec<Vec<(usize, Range<usize>)>> = vec![Vec::new(); r + self.services.len()];
        for (i, role) in self.roles.iter().enumerate() {
            edges[i] = role.requires.clone();
        }
        fn refs(e: &Expr, out: &mut Vec<(Target, Range<usize>)>) {
            match e {
                Expr::Ref(t, s) => out.push((*t, s.clone())),
                Expr::Gate { children, .. } => children.iter().for_each(|c| refs(c, out)),
            }
        }
        for (i, s) in self.services.iter().enumerate() {
            let mut out = Vec::new();
            if let Some(e) = &s.expr {
                refs(e, &mut out);
            }
            edges[r + i] = out.into_iter().map(|(t, s)| (idx(t), s)).collect();
        }
        let label = |i: usize| -> String {
            if i < r {
                self.roles[i].name.text.clone()
            } else {
                self.services[i - r].name.text.clone()
            }
        };
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
                    let (w, span) = edges[v][*next].clone();
                    *next += 1;
                    match state[w] {
                        0 => {
                            state[w] = 1;
                            stack.push((w, 0));
                        }
                        1 => {
                            ok = false;
                            let from = stack.iter().position(|(x, _)| *x == w).unwrap_or(0);
                            let mut cycle: Vec<String> =
                                stack[from..].iter().map(|(x, _)| label(*x)).collect();
                            cycle.push(label(w));
                            let path = if v < r {
                                join(&join("roles", &label(v)), "requires")
                            } else {
                                join("services", &label(v))
                            };
                            errs.push(
                                span,
                                path,
                                format!("dependency cycle: {}", cycle.join(" → ")),
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

    fn build(self, simulation: Simulation) -> Model {
        let components: Vec<Component> = self
            .nodes
            .into_iter()
            .map(|n| Component {
                stream_key: stream_key("node", &n.name),
                name: n.name,
                kind: ComponentKind::Node,
                description: None,
                failure: n.failure.expect("validated"),
                repair: n.repair.expect("validated"),
                crew: None,
                priority: 0,
                within: Vec::new(),
                maintenance: None,
                effective: 0,
            })
            .collect();
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
        let roles = self
            .roles
            .into_iter()
            .map(|r| Role {
                name: r.name.text,
                description: r.description,
                kind: r.kind.expect("validated"),
                machine: None,
                requires: r.requires.iter().map(|(j, _)| *j).collect(),
                site: None,
                own: 0,
                gate: 0,
            })
            .collect();
        let services = self
            .services
            .into_iter()
            .map(|s| Service {
                name: s.name.text,
                description: s.description,
                target: s.target,
                expr: to_model(s.expr.expect("validated")),
                site: None,
                expression: String::new(),
                gate: 0,
                support: Vec::new(),
            })
            .collect();
        let mut model = Model {
            name: self.name,
            simulation,
            components,
            crews: Vec::new(),
            sites: Vec::new(),
            roles,
            services,
            maintenance: Vec::new(),
            graph: Graph::default(),
        };
        model::lower(&mut model);
        model
    }
}

/// Reads a distribution table such as `{ dist = "weibull", shape = 2, mean = "1000h" }`.
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
