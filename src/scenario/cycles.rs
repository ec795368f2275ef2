//! The checks across sections that look at the whole graph: dependency cycles among roles and
//! services, domains nested in a cycle, sites that do not form one tree.

use std::ops::Range;

use super::compile::{Compiler, Expr, Place, Target, role_path};
use super::reader::{Errors, join};

/// An edge of a graph that must be acyclic, with where the user wrote it.
pub(super) struct Edge {
    to: usize,
    span: Range<usize>,
    path: String,
}

impl Compiler {
    /// Finds dependency cycles among roles (`requires`, reinstall `from`) and services (references).
    pub(super) fn check_cycles(&self, errs: &mut Errors) -> bool {
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
    pub(super) fn check_domains_and_sites(&self, errs: &mut Errors) -> bool {
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
}

/// Reports every cycle of a graph (one error per back edge, at the edge that closes it).
pub(super) fn find_cycles(
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
