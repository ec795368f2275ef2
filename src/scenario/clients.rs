//! `[clients]`: client populations and their request kinds (target, rate, timeout, retries,
//! instance selection, fallback) and how clients hold connections (`reconnect`).

use crate::model::{
    MAX_INSTANCES, OnCut, Population, Reconnect, Refresh, RequestKind, RoleKind, Selection,
    WhenAllFail, stream_key,
};

use super::compile::Compiler;
use super::dist::dist;
use super::reader::{
    self, Errors, Tbl, Val, boolean, duration, integer, join, name, positive_duration, string,
};
use super::{DEFAULT_ATTEMPTS, MAX_ATTEMPTS, MAX_CLIENTS};

const SELECTIONS: &str = "\"random\" (a random order without repeats; the default), \"round_robin\" (the instance list from a random start), \"ordered\" (the instance list as given, first listed first) or \"sticky\" (keep the last instance that answered)";
const SELECTION_NAMES: &[&str] = &["random", "round_robin", "ordered", "sticky"];
/// Longest work in flight, hours.
const MAX_DURATION_HOURS: f64 = 24.0;

impl Compiler {
    /// Reads `[clients.NAME]` populations and their `[clients.NAME.requests.KIND]` request kinds.
    pub(super) fn clients_section(&mut self, v: &Val<'_>, errs: &mut Errors) {
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
            let first_request = self.requests.len();
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
            self.reassign(&t, first_request, errs);
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
        let fallback_after = match t.get("fallback_after") {
            None => Some(0.0),
            Some(_) if !t.has("fallback") => {
                let fv = t.get("fallback_after")?;
                errs.push(
                    fv.span(),
                    t.path_of("fallback_after"),
                    "fallback_after delays the fallback: name the fallback role too, e.g. fallback = \"dp_other_group\"",
                );
                None
            }
            Some(fv) => duration(fv, &t.path_of("fallback_after"), errs),
        };
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
        let (duration, on_cut) = self.in_flight(&t, holds_connections, when_all_fail, errs);
        if let Some(i) = target
            && !self.balanced_request(&t, i, errs)
        {
            ok = false;
        }
        let stale_after = match t.get("stale_after") {
            None => Some(None),
            Some(v) => {
                positive_duration(v, &t.path_of("stale_after"), "stale_after", errs).map(Some)
            }
        };
        let refresh = self.refresh(&t, stale_after, errs);
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
        let (Some(duration), Some(on_cut), Some(fallback_after), Some(stale_after), Some(refresh)) =
            (duration, on_cut, fallback_after, stale_after, refresh)
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
            balanced: false,
            fallback,
            fallback_after,
            primary: 0,
            when_all_fail,
            duration,
            on_cut,
            reassign: None,
            queue: Vec::new(),
            stale_after,
            refresh,
        })
    }

    /// Reads `refresh`: how the requests of a kind with data age come in time.
    fn refresh(
        &self,
        t: &Tbl<'_, '_>,
        stale_after: Option<Option<f64>>,
        errs: &mut Errors,
    ) -> Option<Refresh> {
        let Some(v) = t.get("refresh") else {
            return Some(Refresh::default());
        };
        let p = t.path_of("refresh");
        let r = match string(v, &p, errs).as_deref() {
            Some("poisson") => Refresh::Poisson,
            Some("periodic") => Refresh::Periodic,
            Some(other) => {
                errs.push(
                    v.span(),
                    p,
                    format!("unknown refresh \"{other}\"; expected \"poisson\" (requests at random times, `every` apart on average; the default) or \"periodic\" (each client exactly every `every`, the clients out of phase)"),
                );
                return None;
            }
            None => return None,
        };
        if stale_after == Some(None) {
            errs.push(
                v.span(),
                p,
                "`refresh` says how requests refresh the data whose age `stale_after` reports; add `stale_after` (e.g. \"24h\") or leave `refresh` out",
            );
            return None;
        }
        Some(r)
    }

    /// Reads work in flight: `duration` (how long a request needs its instance after it starts) and
    /// `on_cut` (what a request cut by its instance going down does).
    fn in_flight(
        &self,
        t: &Tbl<'_, '_>,
        holds_connections: bool,
        when_all_fail: Option<WhenAllFail>,
        errs: &mut Errors,
    ) -> (Option<f64>, Option<OnCut>) {
        let duration = match t.get("duration") {
            None => Some(0.0),
            Some(d) => {
                let p = t.path_of("duration");
                let v = duration(d, &p, errs);
                match v {
                    Some(v) if v > MAX_DURATION_HOURS => {
                        errs.push(
                            d.span(),
                            p,
                            "a request in flight can last at most 1d (a longer transfer is a job, not a request)",
                        );
                        None
                    }
                    Some(v) if v > 0.0 && holds_connections => {
                        errs.push(
                            d.span(),
                            p,
                            "work in flight works with selection random, round_robin or ordered and reconnect = \"on_failure\"; clients holding connections (sticky, fresh_connection_only, dns) cannot have a duration yet",
                        );
                        None
                    }
                    Some(v) if v > 0.0 && when_all_fail == Some(WhenAllFail::Cache) => {
                        errs.push(
                            d.span(),
                            p,
                            "work in flight cannot be cached yet: leave out `duration` or `when_all_fail = \"cache\"`",
                        );
                        None
                    }
                    other => other,
                }
            }
        };
        let on_cut = match t.get("on_cut") {
            None => Some(OnCut::Fail),
            Some(cv) => {
                let p = t.path_of("on_cut");
                let mode = match string(cv, &p, errs).as_deref() {
                    Some("fail") => Some(OnCut::Fail),
                    Some("retry") => Some(OnCut::Retry),
                    Some("resume") => Some(OnCut::Resume),
                    Some(other) => {
                        let hint = reader::closest(other, &["fail", "retry", "resume"])
                            .map(|c| format!("did you mean \"{c}\"? "))
                            .unwrap_or_default();
                        errs.push(
                            cv.span(),
                            p.clone(),
                            format!("unknown on_cut \"{other}\"; {hint}expected \"fail\" (the cut request fails; the default), \"retry\" (it starts again with its whole duration) or \"resume\" (it starts again and needs only what was left)"),
                        );
                        None
                    }
                    None => None,
                };
                if mode.is_some() && duration == Some(0.0) {
                    errs.push(
                        cv.span(),
                        p,
                        "on_cut applies only to a request with a `duration` (work in flight), e.g. duration = \"2min\"",
                    );
                    return (duration, None);
                }
                mode
            }
        };
        (duration, on_cut)
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
}
