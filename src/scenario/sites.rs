//! `[sites]` (a tree of sites, each with optional failures of its own and a WAN link to its parent)
//! and the place names of `in = [...]`, shared by domains and sites.

use super::compile::{Compiler, Place, RawComp, RawDomain, RawSite};
use super::costs::yearly_cost;
use super::dist::{dist, failure_dist, own_dists};
use super::reader::{Errors, Name, Tbl, Val, join, name, string, unknown};

impl Compiler {
    /// Registers the names of `[domains]` or `[sites]` and returns their tables with their paths.
    pub(super) fn register_places<'a, 'i>(
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
                    link_name: None,
                    link_cost: None,
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

    /// A link's `name` shares the namespace of everything that fails: nodes, domains, sites and the
    /// other links (a shared name would also share a random stream with a like-named link elsewhere).
    pub(super) fn check_link_names(&self, errs: &mut Errors) {
        let mut seen: Vec<&str> = Vec::new();
        for s in &self.sites {
            let Some(n) = &s.link_name else { continue };
            let what = if self.nodes.iter().any(|x| x.name == n.text) {
                Some("a node")
            } else {
                match self.places.get(&n.text) {
                    Some(Place::Domain(_)) => Some("a failure domain"),
                    Some(Place::Site(_)) => Some("a site"),
                    None if seen.contains(&n.text.as_str()) => Some("another link"),
                    None => None,
                }
            };
            if let Some(what) = what {
                errs.push(
                    n.span.clone(),
                    format!("sites.{}.link.name", s.name),
                    format!("link name `{}` is already {what}; nodes, domains, sites and links (everything that fails) need distinct names", n.text),
                );
            }
            seen.push(&n.text);
        }
    }

    pub(super) fn lookup_site(&self, n: &Name, path: &str, errs: &mut Errors) -> Option<usize> {
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

    pub(super) fn lookup_place(&self, n: &Name, path: &str, errs: &mut Errors) -> Option<Place> {
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

    pub(super) fn site(&mut self, i: usize, v: &Val<'_>, path: &str, errs: &mut Errors) {
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
            let (failure, repair) = own_dists(&lt, "", errs);
            let description = lt
                .get("description")
                .and_then(|d| string(d, &lt.path_of("description"), errs));
            let (crew, priority) = self.crew_fields(&lt, errs);
            let link_name = lt
                .get("name")
                .and_then(|n| name(n, &lt.path_of("name"), errs));
            let cost = lt
                .get("yearly_cost")
                .and_then(|c| yearly_cost(c, &lt.path_of("yearly_cost"), errs));
            lt.finish(errs);
            if !t.has("parent") {
                errs.push(
                    lv.span(),
                    lp,
                    format!("a WAN link joins a site to its parent, but site `{key_name}` has no `parent`; give `parent = \"...\"` or remove `link`"),
                );
            }
            Some((
                RawComp {
                    description,
                    failure,
                    repair,
                    crew,
                    priority,
                    spare: None,
                },
                link_name,
                cost,
            ))
        });
        let (link, link_name, link_cost) = match link {
            Some((c, n, cost)) => (Some(c), n, cost),
            None => (None, None, None),
        };
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
        s.link_name = link_name;
        s.link_cost = link_cost;
        s.own = own.map(|(failure, repair)| RawComp {
            description: None,
            failure,
            repair,
            crew,
            priority,
            spare: None,
        });
    }
}
