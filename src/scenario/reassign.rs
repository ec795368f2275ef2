//! `reassign` on a client population: after the target has had no live instance for a while, an
//! operator (optionally a technician of a crew) moves a share of the population's requests to another
//! role, and moves them back a while after the target returns.

use crate::model::{MAX_INSTANCES, Reassign, Reconnect, RoleKind, Selection, WhenAllFail};

use super::compile::Compiler;
use super::reader::{Errors, Tbl, duration, name, names, number, positive_duration};

const EXAMPLE: &str =
    "e.g. reassign = { to = \"mp_site2\", after = \"4h\", share = 1.0, back_after = \"1h\" }";

impl Compiler {
    /// Reads `[clients.NAME] reassign = { ... }` and gives it to the population's request kinds it
    /// moves (`self.requests[first..]`).
    pub(super) fn reassign(&mut self, t: &Tbl<'_, '_>, first: usize, errs: &mut Errors) {
        let Some(v) = t.get("reassign") else {
            return;
        };
        let path = t.path_of("reassign");
        let Some(r) = Tbl::new(v, &path, &format!("a reassignment, {EXAMPLE}"), errs) else {
            return;
        };
        let to = r
            .req(
                "to",
                "the role the moved clients use instead, e.g. to = \"mp_site2\"",
                errs,
            )
            .and_then(|tv| {
                let n = name(tv, &r.path_of("to"), errs)?;
                self.role_ref(
                    &n,
                    &r.path_of("to"),
                    "`to` names the role the moved clients use",
                    errs,
                )
                .map(|i| (i, n))
            });
        let from = r.get("from").and_then(|fv| {
            let n = name(fv, &r.path_of("from"), errs)?;
            self.role_ref(
                &n,
                &r.path_of("from"),
                "`from` names the target whose outage moves the clients",
                errs,
            )
            .map(|i| (i, n))
        });
        let after = r
            .req("after", "how long the target must have been down before the operator moves the clients, e.g. after = \"4h\"", errs)
            .and_then(|a| positive_duration(a, &r.path_of("after"), "after", errs));
        let share = match r.get("share") {
            None => Some(1.0),
            Some(sv) => number(sv, &r.path_of("share"), errs).and_then(|x| {
                if x > 0.0 && x <= 1.0 {
                    Some(x)
                } else {
                    errs.push(sv.span(), r.path_of("share"), format!("share must be more than 0 and at most 1 (the part of the population moved), found {x}"));
                    None
                }
            }),
        };
        let back_after = match r.get("back_after") {
            None => Some(0.0),
            Some(b) => duration(b, &r.path_of("back_after"), errs),
        };
        let crew = r
            .get("crew")
            .and_then(|c| name(c, &r.path_of("crew"), errs))
            .map(|n| self.lookup_crew(&n, &r.path_of("crew"), errs));
        let work = match r.get("duration") {
            None => Some(0.0),
            Some(d) => {
                let x = duration(d, &r.path_of("duration"), errs);
                if x.is_some() && crew.is_none() {
                    errs.push(d.span(), r.path_of("duration"), "`duration` is how long a crew's technician works on the move: name the crew with `crew = \"NAME\"`, or leave `duration` out (without a crew, `after` is the operator's whole delay)");
                    None
                } else {
                    x
                }
            }
        };
        let kinds = r
            .get("requests")
            .and_then(|kv| names(kv, &r.path_of("requests"), errs));
        let requests_path = r.path_of("requests");
        r.finish(errs);
        let (Some((to, to_name)), Some(after), Some(share), Some(back_after), Some(work)) =
            (to, after, share, back_after, work)
        else {
            return;
        };
        let crew = match crew {
            Some(None) => return,
            Some(Some(k)) => Some(k),
            None => None,
        };
        let mine: Vec<usize> = (first..self.requests.len()).collect();
        let short = |i: usize| {
            self.requests[i]
                .name
                .split_once('.')
                .map_or("", |(_, k)| k)
                .to_string()
        };
        // Which request kinds move: those named, else those whose target is `from`, else all (when they
        // share one target).
        let chosen: Vec<usize> = match &kinds {
            Some(list) => {
                let mut out = Vec::new();
                for n in list {
                    match mine.iter().find(|&&i| short(i) == n.text) {
                        Some(&i) => out.push(i),
                        None => {
                            let known: Vec<String> = mine.iter().map(|&i| short(i)).collect();
                            errs.push(n.span.clone(), requests_path.clone(), format!("the population has no request kind `{}`; its request kinds: {}", n.text, known.join(", ")));
                            return;
                        }
                    }
                }
                out
            }
            None => match &from {
                Some((f, _)) => mine
                    .iter()
                    .copied()
                    .filter(|&i| self.requests[i].target == *f)
                    .collect(),
                None => {
                    let mut targets: Vec<usize> =
                        mine.iter().map(|&i| self.requests[i].target).collect();
                    targets.sort_unstable();
                    targets.dedup();
                    if targets.len() > 1 {
                        let listed: Vec<&str> = targets
                            .iter()
                            .map(|&i| self.roles[i].name.text.as_str())
                            .collect();
                        errs.push(v.span(), path, format!("the population's request kinds have several targets ({}): say which one's outage moves the clients with `from`, or list the request kinds that move with `requests`", listed.join(", ")));
                        return;
                    }
                    mine.clone()
                }
            },
        };
        if chosen.is_empty() {
            errs.push(v.span(), path, "no request kind of the population has the target named by `from`: name a role some of its request kinds target");
            return;
        }
        let count = |r: usize| match self.roles.get(r).and_then(|r| r.kind.as_ref()) {
            Some(RoleKind::Pool { nodes, .. }) => nodes.len(),
            Some(RoleKind::Mirroring { .. }) => 2,
            _ => 1,
        };
        for i in chosen {
            let q = &self.requests[i];
            let problem = if q.target == to {
                Some(format!(
                    "request kind `{}` already targets `{}`: name another role",
                    q.name, to_name.text
                ))
            } else if q.selection == Selection::Sticky
                || !matches!(q.reconnect, Reconnect::OnFailure)
            {
                Some(format!(
                    "request kind `{}` holds connections (sticky, fresh_connection_only or dns); reassignment works with selection random, round_robin or ordered and reconnect = \"on_failure\"",
                    q.name
                ))
            } else if self.roles[q.target].balancer.is_some() || self.roles[to].balancer.is_some() {
                Some(format!(
                    "request kind `{}`: reassignment from or to a pool behind a load balancer (`detection`/`convergence`) is not modelled yet: name roles without a balancer",
                    q.name
                ))
            } else if q.stale_after.is_some() && share < 1.0 {
                Some(format!(
                    "request kind `{}` has `stale_after`: the data age of a population moved in part (share {share}) is not modelled; move it whole (share = 1.0), or leave the kind out with `requests = [...]`",
                    q.name
                ))
            } else if q.when_all_fail == WhenAllFail::Cache {
                Some(format!(
                    "request kind `{}` caches (when_all_fail = \"cache\"), which reassignment does not model yet: leave it out with `requests = [...]`",
                    q.name
                ))
            } else if (self.roles[q.target].capacity.is_some() || self.roles[to].capacity.is_some())
                && (self.roles[q.target].capacity != self.roles[to].capacity
                    || count(q.target) != count(to))
            {
                Some(format!(
                    "request kind `{}`: with a capacity, the moved requests queue at `{}` as they did at `{}`, which needs the same capacity and as many instances on both",
                    q.name, to_name.text, self.roles[q.target].name.text
                ))
            } else if q.backoff > 0.0 && count(q.target) != count(to) {
                Some(format!(
                    "request kind `{}` has a backoff and `{}` has {} instances against the target's {}: the moved requests would pass over the instances at other times; use a role with as many instances, or no backoff",
                    q.name,
                    to_name.text,
                    count(to),
                    count(q.target)
                ))
            } else if count(to) + q.fallback.map_or(0, count) > MAX_INSTANCES {
                Some(format!(
                    "`{}` and the fallback of `{}` have more than {MAX_INSTANCES} instances together",
                    to_name.text, q.name
                ))
            } else {
                None
            };
            if let Some(msg) = problem {
                errs.push(v.span(), path.clone(), msg);
                return;
            }
            self.requests[i].reassign = Some(Reassign {
                to,
                after,
                crew,
                duration: work,
                share,
                back_after,
                moved: None,
            });
        }
    }
}
