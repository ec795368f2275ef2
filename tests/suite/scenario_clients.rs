//! The scenario language for clients: populations and their request kinds compile to the expected model
//! (names, rates, selections, instances after lowering), `validate` describes them in plain words, and
//! bad input gets located, specific errors.

use nines::analyses::explain::{describe, warnings};
use nines::model::{ComponentKind, MAX_INSTANCES, Model, Selection, SignalId, stream_key};
use nines::scenario::compile;

fn ok(text: &str) -> Model {
    compile(text, "clients.toml").unwrap_or_else(|e| panic!("{e}"))
}

/// The rendered errors, one `line:col: path: message` per entry.
fn errors(text: &str) -> Vec<String> {
    match compile(text, "bad.toml") {
        Ok(_) => panic!("expected errors in\n{text}"),
        Err(e) => e
            .diagnostics
            .iter()
            .map(|d| format!("{}:{}: {}: {}", d.line, d.column, d.path, d.message))
            .collect(),
    }
}

/// The rest of a scenario. Snippets come first (sections may appear in any order), so their line
/// numbers start at 1. Roles: `web` (a pool of 3 nodes at hq, requiring `db`), `db` (a 2-node cluster),
/// `farm` (a pool of 65 nodes); service `shop`; sites `hq` and `branch` (under hq, with a WAN link).
const BASE: &str = r#"
[simulation]
mission = "1y"
[defaults]
failure = { dist = "exponential", mean = "1000h" }
repair = { dist = "exponential", mean = "10h" }
[sites.hq]
[sites.branch]
parent = "hq"
link = { failure = { dist = "exponential", mean = "1y" }, repair = { dist = "exponential", mean = "4h" } }
[domains.rack]
failure = { dist = "exponential", mean = "20y" }
repair = { dist = "exponential", mean = "6h" }
[nodes.w]
count = 3
site = "hq"
[nodes.big]
count = 65
[nodes.sql1]
site = "hq"
in = "rack"
[nodes.sql2]
site = "hq"
[roles.web]
kind = "pool"
on = "w"
requires = ["db"]
[roles.db]
kind = "cluster"
on = ["sql1", "sql2"]
failover = { dist = "fixed", value = "2min" }
[roles.farm]
kind = "pool"
on = "big"
[services.shop]
all_of = ["web", "farm"]
"#;

fn with_base(snippet: &str) -> String {
    format!("{snippet}{BASE}")
}

/// The required keys of a valid request kind aimed at `web` (four lines).
const REQ: &str = r#"target = "web"
every = "1h"
timeout = "30s"
response = { dist = "fixed", value = "1s" }
"#;

/// Two populations, three request kinds; the population's own section comes after one of its kinds.
const TWO_POPULATIONS: &str = r#"[clients.desktops.requests.policy]
target = "web"
every = "60min"
timeout = "30s"
response = { dist = "lognormal", mean = "200ms", sigma = 0.5 }
backoff = "1min"
description = "policy poll"

[clients.desktops]
count = 40_000
site = "branch"
description = "office PCs"

[clients.desktops.requests.status]
target = "db"
every = "15min"
selection = "ordered"
timeout = "10s"
max_attempts = 1
response = { dist = "fixed", value = "50ms" }

[clients.servers]
count = 200

[clients.servers.requests.sync]
target = "web"
every = "4h"
selection = "round_robin"
timeout = "1min"
max_attempts = 16
response = { dist = "exponential", mean = "1s" }
"#;

fn comp(m: &Model, name: &str) -> usize {
    m.components
        .iter()
        .position(|c| c.name == name)
        .unwrap_or_else(|| panic!("no component {name}"))
}

fn inputs(m: &Model, s: SignalId) -> Vec<SignalId> {
    assert!(m.graph.is_gate(s), "signal {s} is not a gate");
    m.graph.inputs[s as usize - m.graph.primitives].clone()
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-12 * b.abs().max(1.0)
}

#[test]
fn populations_and_request_kinds_compile_to_the_model() {
    let m = ok(&with_base(TWO_POPULATIONS));
    let branch = m.sites.iter().position(|s| s.name == "branch");
    let pops: Vec<(&str, u64, Option<usize>)> = m
        .populations
        .iter()
        .map(|p| (p.name.as_str(), p.count, p.site))
        .collect();
    assert_eq!(
        pops,
        vec![("desktops", 40_000, branch), ("servers", 200, None)]
    );
    assert_eq!(m.populations[0].description.as_deref(), Some("office PCs"));
    assert_eq!(m.populations[1].description, None);

    let web = m.roles.iter().position(|r| r.name == "web").unwrap();
    let db = m.roles.iter().position(|r| r.name == "db").unwrap();
    let names: Vec<&str> = m.requests.iter().map(|q| q.name.as_str()).collect();
    assert_eq!(
        names,
        ["desktops.policy", "desktops.status", "servers.sync"]
    );
    let shape: Vec<(usize, usize, Selection, u32, usize)> = m
        .requests
        .iter()
        .map(|q| {
            (
                q.population,
                q.target,
                q.selection,
                q.max_attempts,
                q.instances.len(),
            )
        })
        .collect();
    assert_eq!(
        shape,
        vec![
            // A pool target has one instance per node; a cluster target has one.
            (0, web, Selection::Random, 3, 3),
            (0, db, Selection::Ordered, 1, 1),
            (1, web, Selection::RoundRobin, 16, 3),
        ]
    );
    let [policy, status, sync] = &m.requests[..] else {
        panic!("three request kinds")
    };
    // Rates are per hour of one client: 1 / every.
    assert!(close(policy.rate, 1.0), "{}", policy.rate);
    assert!(close(status.rate, 4.0), "{}", status.rate);
    assert!(close(sync.rate, 0.25), "{}", sync.rate);
    assert!(close(policy.timeout, 30.0 / 3600.0));
    assert!(close(policy.backoff, 1.0 / 60.0));
    assert_eq!((status.backoff, sync.backoff), (0.0, 0.0));
    assert!(close(sync.timeout, 1.0 / 60.0));
    assert!(close(policy.response.mean(), 0.2 / 3600.0));
    assert!(close(status.response.mean(), 0.05 / 3600.0));
    assert_eq!(policy.description.as_deref(), Some("policy poll"));
    assert_eq!(status.description, None);
    for q in &m.requests {
        assert_eq!(q.stream_key, stream_key("request", &q.name));
    }
    // Attempt offsets: a backoff after each full pass over the three instances.
    assert!(close(policy.attempt_offset(2), 2.0 * policy.timeout));
    assert!(close(
        policy.attempt_offset(3),
        3.0 * policy.timeout + policy.backoff
    ));
    assert!(close(policy.horizon(), 2.0 * policy.timeout));
    assert_eq!(status.horizon(), 0.0);

    // A pool instance is its node (in `on` order) with the role's requirement; the branch clients also
    // need the WAN link to hq. The servers have no site, so no WAN path.
    let link = m.components[comp(&m, "branch~link")].effective;
    let db_gate = m.roles[db].gate;
    for (i, &inst) in policy.instances.iter().enumerate() {
        let node = m.components[comp(&m, &format!("w-{}", i + 1))].effective;
        let ins = inputs(&m, inst);
        assert!(ins.contains(&node), "instance {i}: {ins:?}");
        assert!(ins.contains(&link), "instance {i}: {ins:?}");
        assert!(ins.contains(&db_gate), "instance {i}: {ins:?}");
    }
    for (i, &inst) in sync.instances.iter().enumerate() {
        let node = m.components[comp(&m, &format!("w-{}", i + 1))].effective;
        let ins = inputs(&m, inst);
        assert!(ins.contains(&node) && !ins.contains(&link), "{ins:?}");
    }
    // The cluster is one instance: the role itself, through the WAN.
    let ins = inputs(&m, status.instances[0]);
    assert!(ins.contains(&db_gate) && ins.contains(&link), "{ins:?}");
    // A requirement link is part of a service's support, the clients' WAN link is not.
    let shop = &m.services[0];
    assert!(!shop.support.contains(&comp(&m, "branch~link")));
    assert!(
        m.components
            .iter()
            .filter(|c| c.kind == ComponentKind::Link)
            .count()
            == 1
    );
}

#[test]
fn defaults_and_a_pool_of_the_largest_size() {
    let m = ok(&with_base(&format!(
        "[clients.one]\ncount = 1\n[clients.one.requests.get]\n{REQ}[nodes.many]\ncount = {MAX_INSTANCES}\n[roles.wide]\nkind = \"pool\"\non = \"many\"\n[clients.many]\ncount = 100_000_000\n[clients.many.requests.get]\ntarget = \"wide\"\nevery = \"1d\"\ntimeout = \"1s\"\nresponse = {{ dist = \"fixed\", value = \"1s\" }}\n"
    )));
    let q = &m.requests[0];
    assert_eq!(q.name, "one.get");
    assert_eq!(
        (q.selection, q.max_attempts, q.backoff),
        (Selection::Random, 3, 0.0)
    );
    assert_eq!(m.populations[1].count, 100_000_000);
    assert_eq!(m.requests[1].instances.len(), MAX_INSTANCES);
}

#[test]
fn scenarios_without_clients_have_none() {
    let m = ok(BASE);
    assert!(m.populations.is_empty() && m.requests.is_empty());
    let text = describe(&m);
    assert!(
        !text.contains("client population") && !text.contains("request kind"),
        "{text}"
    );
}

#[test]
fn validate_describes_populations_and_request_kinds() {
    let m = ok(&with_base(TWO_POPULATIONS));
    let text = describe(&m);
    let expect = [
        "2 client populations:",
        "  clients desktops: 40000 clients at site branch",
        "  clients servers: 200 clients",
        "3 request kinds:",
        "  request desktops.policy: to role web over the WAN from site branch to site hq, each client every 1h on average: 1 per client per hour, 40000 per hour in total; selection random: tries 3 instances (w-1, w-2, w-3) in a random order; timeout 30s, at most 3 attempts, backoff 1min after each pass over the instances; response lognormal(mean 0.2s, sigma 0.5)",
        "  request desktops.status: to role db over the WAN from site branch to site hq, each client every 15min on average: 4 per client per hour, 160000 per hour in total; selection ordered: tries 1 instance (role db itself); timeout 10s, at most 1 attempt, no backoff; response fixed(0.05s)",
        "  request servers.sync: to role web, each client every 4h on average: 0.25 per client per hour, 50 per hour in total; selection round_robin: tries 3 instances (w-1, w-2, w-3) round robin from a random start; timeout 1min, at most 16 attempts, no backoff; response exponential(mean 1s)",
    ];
    let lines: Vec<&str> = text.lines().collect();
    for e in expect {
        assert!(lines.contains(&e), "missing line {e:?} in\n{text}");
    }
    assert!(!text.contains("warning:"), "{text}");
}

#[test]
fn warnings_for_requests_that_overlap_and_roles_only_clients_use() {
    let m = ok(&with_base(
        r#"[nodes.solo]
[roles.api]
kind = "standalone"
on = "solo"
[clients.bots]
count = 10
[clients.bots.requests.poll]
target = "api"
every = "1min"
timeout = "30s"
response = { dist = "fixed", value = "1s" }
[clients.bots.requests.exact]
target = "api"
every = "90s"
timeout = "30s"
response = { dist = "fixed", value = "1s" }
"#,
    ));
    let w = warnings(&m);
    assert_eq!(
        w,
        vec![
            "request bots.poll: timeout 30s × 3 attempts = 1.5min exceeds every = 1min: a client would start new requests while its earlier ones are still retrying (clients would overlap their own requests)"
        ],
        "timeout × attempts equal to `every` is no overlap; a role only clients use is used"
    );
    assert!(describe(&m).contains("warning: request bots.poll: timeout 30s × 3 attempts"));
}

/// A pool's `min_up` does not change what clients see unless the pool has a capacity: `validate`
/// says so, once per role, and not when the pool has a capacity or `min_up` is 1.
#[test]
fn min_up_without_capacity_is_explained_for_client_pools() {
    let requests = |pool: &str| {
        format!(
            "[clients.desk]\ncount = 100\n[clients.desk.requests.a]\ntarget = \"{pool}\"\nevery = \"1h\"\ntimeout = \"30s\"\nresponse = {{ dist = \"fixed\", value = \"1s\" }}\n[clients.desk.requests.b]\ntarget = \"{pool}\"\nevery = \"1d\"\ntimeout = \"30s\"\nresponse = {{ dist = \"fixed\", value = \"1s\" }}\n"
        )
    };
    let m = ok(&with_base(&format!(
        "[nodes.m]\ncount = 4\n[roles.mp]\nkind = \"pool\"\non = \"m\"\nmin_up = 2\n{}",
        requests("mp")
    )));
    let w: Vec<String> = warnings(&m)
        .into_iter()
        .filter(|w| w.contains("min_up"))
        .collect();
    assert_eq!(w.len(), 1, "once per role: {w:?}");
    assert!(
        w[0].starts_with("role mp needs min_up = 2") && w[0].contains("not what clients see"),
        "{w:?}"
    );
    for quiet in [
        "[nodes.m]\ncount = 4\n[roles.mp]\nkind = \"pool\"\non = \"m\"\nmin_up = 2\ncapacity = \"400/s\"\n",
        "[nodes.m]\ncount = 4\n[roles.mp]\nkind = \"pool\"\non = \"m\"\n",
    ] {
        let m = ok(&with_base(&format!("{quiet}{}", requests("mp"))));
        assert!(
            !warnings(&m).iter().any(|w| w.contains("min_up")),
            "{quiet}: {:?}",
            warnings(&m)
        );
    }
}

/// Each bad snippet (placed before [`BASE`], so it starts on line 1) must give this exact error line.
#[test]
fn bad_inputs_get_located_specific_errors() {
    let kind =
        |extra: &str| format!("[clients.pc]\ncount = 10\n[clients.pc.requests.get]\n{REQ}{extra}");
    let cases: Vec<(&str, String, String)> = vec![
        (
            "zero clients",
            format!("[clients.pc]\ncount = 0\n[clients.pc.requests.get]\n{REQ}"),
            "2:9: clients.pc.count: count must be at least 1 (leave the population out if it has no clients)".into(),
        ),
        (
            "too many clients",
            format!("[clients.pc]\ncount = 200_000_000\n[clients.pc.requests.get]\n{REQ}"),
            "2:9: clients.pc.count: 200000000 is too large; the largest accepted value is 100000000".into(),
        ),
        (
            "count missing",
            format!("[clients.pc]\nsite = \"hq\"\n[clients.pc.requests.get]\n{REQ}"),
            "1:1: clients.pc: missing field `count` (number of clients, 1 to 100000000, e.g. 40_000)".into(),
        ),
        (
            "count not an integer",
            format!("[clients.pc]\ncount = \"many\"\n[clients.pc.requests.get]\n{REQ}"),
            "2:9: clients.pc.count: expected an integer, found a string".into(),
        ),
        (
            "population without request kinds",
            "[clients.pc]\ncount = 10\n".into(),
            "1:1: clients.pc: a client population needs at least one request kind: add a [clients.pc.requests.NAME] section with `target`, `every`, `timeout` and `response`".into(),
        ),
        (
            "empty request kinds",
            "[clients.pc]\ncount = 10\nrequests = {}\n".into(),
            "3:12: clients.pc.requests: a client population needs at least one request kind: add a [clients.pc.requests.NAME] section with `target`, `every`, `timeout` and `response`".into(),
        ),
        (
            "unknown site",
            format!("[clients.pc]\ncount = 10\nsite = \"brnch\"\n[clients.pc.requests.get]\n{REQ}"),
            "3:8: clients.pc.site: unknown site `brnch`; did you mean `branch`?".into(),
        ),
        (
            "site names a domain",
            format!("[clients.pc]\ncount = 10\nsite = \"rack\"\n[clients.pc.requests.get]\n{REQ}"),
            "3:8: clients.pc.site: `rack` is a failure domain, not a site; put a node in a domain with `in = [\"rack\"]`".into(),
        ),
        (
            "unknown population key",
            format!("[clients.pc]\ncount = 10\nsticky = true\n[clients.pc.requests.get]\n{REQ}"),
            "3:1: clients.pc.sticky: unknown key `sticky`; valid keys here: count, description, reassign, requests, site".into(),
        ),
        (
            "target is a service",
            "[clients.pc]\ncount = 10\n[clients.pc.requests.get]\ntarget = \"shop\"\nevery = \"1h\"\ntimeout = \"30s\"\nresponse = { dist = \"fixed\", value = \"1s\" }\n".into(),
            "4:10: clients.pc.requests.get.target: `shop` is a service; `target` names the role whose instances serve the requests".into(),
        ),
        (
            "target misspelt",
            "[clients.pc]\ncount = 10\n[clients.pc.requests.get]\ntarget = \"webb\"\nevery = \"1h\"\ntimeout = \"30s\"\nresponse = { dist = \"fixed\", value = \"1s\" }\n".into(),
            "4:10: clients.pc.requests.get.target: unknown role `webb`; did you mean `web`?".into(),
        ),
        (
            "target unknown",
            "[clients.pc]\ncount = 10\n[clients.pc.requests.get]\ntarget = \"ldap\"\nevery = \"1h\"\ntimeout = \"30s\"\nresponse = { dist = \"fixed\", value = \"1s\" }\n".into(),
            "4:10: clients.pc.requests.get.target: unknown role `ldap`; defined: db, farm, web".into(),
        ),
        (
            "target missing",
            "[clients.pc]\ncount = 10\n[clients.pc.requests.get]\nevery = \"1h\"\ntimeout = \"30s\"\nresponse = { dist = \"fixed\", value = \"1s\" }\n".into(),
            "3:1: clients.pc.requests.get: missing field `target` (the role that serves the requests, e.g. target = \"web\")".into(),
        ),
        (
            "target pool too wide",
            "[clients.pc]\ncount = 10\n[clients.pc.requests.get]\ntarget = \"farm\"\nevery = \"1h\"\ntimeout = \"30s\"\nresponse = { dist = \"fixed\", value = \"1s\" }\n".into(),
            format!("4:10: clients.pc.requests.get.target: role `farm` is a pool of 65 nodes, one instance each, but a request chooses among at most {MAX_INSTANCES} instances"),
        ),
        (
            "every zero",
            "[clients.pc]\ncount = 10\n[clients.pc.requests.get]\ntarget = \"web\"\nevery = \"0s\"\ntimeout = \"30s\"\nresponse = { dist = \"fixed\", value = \"1s\" }\n".into(),
            "5:9: clients.pc.requests.get.every: every must be longer than zero".into(),
        ),
        (
            "every without a unit",
            "[clients.pc]\ncount = 10\n[clients.pc.requests.get]\ntarget = \"web\"\nevery = 60\ntimeout = \"30s\"\nresponse = { dist = \"fixed\", value = \"1s\" }\n".into(),
            "5:9: clients.pc.requests.get.every: a bare number (60) is not a duration: say which unit, e.g. \"60h\"; expected a number with a unit, e.g. \"90s\", \"5min\", \"8h\", \"30d\", \"2w\", \"1y\" or \"1h 30min\" (units: ms, s, min, h, d, w, y; 1y = 8760h)".into(),
        ),
        (
            "timeout zero",
            "[clients.pc]\ncount = 10\n[clients.pc.requests.get]\ntarget = \"web\"\nevery = \"1h\"\ntimeout = \"0ms\"\nresponse = { dist = \"fixed\", value = \"1s\" }\n".into(),
            "6:11: clients.pc.requests.get.timeout: timeout must be longer than zero".into(),
        ),
        (
            "response missing",
            "[clients.pc]\ncount = 10\n[clients.pc.requests.get]\ntarget = \"web\"\nevery = \"1h\"\ntimeout = \"30s\"\n".into(),
            "3:1: clients.pc.requests.get: missing field `response` (response time of a live instance, e.g. { dist = \"lognormal\", mean = \"200ms\", sigma = 0.5 })".into(),
        ),
        (
            "response distribution misspelt",
            "[clients.pc]\ncount = 10\n[clients.pc.requests.get]\ntarget = \"web\"\nevery = \"1h\"\ntimeout = \"30s\"\nresponse = { dist = \"lognormol\", mean = \"1s\", sigma = 0.5 }\n".into(),
            "7:21: clients.pc.requests.get.response.dist: unknown distribution \"lognormol\"; did you mean \"lognormal\"? expected one of exponential, weibull, lognormal, gamma, normal, uniform, fixed, empirical".into(),
        ),
        (
            "zero attempts",
            kind("max_attempts = 0\n"),
            "8:16: clients.pc.requests.get.max_attempts: max_attempts must be from 1 to 16 (the first try counts as an attempt)".into(),
        ),
        (
            "too many attempts",
            kind("max_attempts = 17\n"),
            "8:16: clients.pc.requests.get.max_attempts: 17 is too large; the largest accepted value is 16".into(),
        ),
        (
            "negative backoff",
            kind("backoff = \"-1min\"\n"),
            "8:11: clients.pc.requests.get.backoff: invalid duration \"-1min\": a negative duration; expected a number with a unit, e.g. \"90s\", \"5min\", \"8h\", \"30d\", \"2w\", \"1y\" or \"1h 30min\" (units: ms, s, min, h, d, w, y; 1y = 8760h)".into(),
        ),
        (
            "selection misspelt",
            kind("selection = \"roundrobin\"\n"),
            "8:13: clients.pc.requests.get.selection: unknown selection \"roundrobin\"; did you mean \"round_robin\"? expected \"random\" (a random order without repeats; the default), \"round_robin\" (the instance list from a random start), \"ordered\" (the instance list as given, first listed first) or \"sticky\" (keep the last instance that answered)".into(),
        ),
        (
            "selection that does not exist",
            kind("selection = \"least_connections\"\n"),
            "8:13: clients.pc.requests.get.selection: unknown selection \"least_connections\"; expected \"random\" (a random order without repeats; the default), \"round_robin\" (the instance list from a random start), \"ordered\" (the instance list as given, first listed first) or \"sticky\" (keep the last instance that answered)".into(),
        ),
        (
            "key that is not a request setting",
            kind("cache = true\n"),
            "8:1: clients.pc.requests.get.cache: unknown key `cache`; valid keys here: backoff, description, duration, every, fallback, fallback_after, health_checked, max_attempts, on_cut, reconnect, reconnect_every, refresh, response, selection, stale_after, target, timeout, ttl, when_all_fail".into(),
        ),
        (
            "key misspelt",
            kind("max_atempts = 2\n"),
            "8:1: clients.pc.requests.get.max_atempts: unknown key `max_atempts`; did you mean `max_attempts`? valid keys here: backoff, description, duration, every, fallback, fallback_after, health_checked, max_attempts, on_cut, reconnect, reconnect_every, refresh, response, selection, stale_after, target, timeout, ttl, when_all_fail".into(),
        ),
        (
            "reconnect misspelt",
            kind("reconnect = \"fresh_connection\"\n"),
            "8:13: clients.pc.requests.get.reconnect: unknown reconnect \"fresh_connection\"; did you mean \"fresh_connection_only\"? expected \"on_failure\" (a failed attempt moves on to the next instance; the default), \"fresh_connection_only\" (clients keep their connection until they reconnect, with reconnect_every) or \"dns\" (DNS round robin: clients keep a resolved address for ttl)".into(),
        ),
        (
            "fresh connections without a reconnect interval",
            kind("reconnect = \"fresh_connection_only\"\n"),
            "3:1: clients.pc.requests.get: missing field `reconnect_every` (mean interval between reconnects of one client, e.g. \"30min\")".into(),
        ),
        (
            "reconnect interval without fresh connections",
            kind("reconnect_every = \"1h\"\n"),
            "8:19: clients.pc.requests.get.reconnect_every: reconnect_every applies only with reconnect = \"fresh_connection_only\"".into(),
        ),
        (
            "sticky with fresh connections only",
            kind("selection = \"sticky\"\nreconnect = \"fresh_connection_only\"\nreconnect_every = \"1h\"\n"),
            "9:13: clients.pc.requests.get.reconnect: selection = \"sticky\" already keeps a connection and moves it when the instance fails; fresh_connection_only would never move it: use one or the other".into(),
        ),
        (
            "fallback is the target",
            kind("fallback = \"web\"\n"),
            "8:12: clients.pc.requests.get.fallback: the fallback is the target itself; name another role (e.g. a fallback status point)".into(),
        ),
        (
            "fallback unknown",
            kind("fallback = \"fsp\"\n"),
            "8:12: clients.pc.requests.get.fallback: unknown role `fsp`; defined: db, farm, web".into(),
        ),
        (
            "request kind not a table",
            "[clients.pc]\ncount = 10\nrequests = { get = \"web\" }\n".into(),
            "3:20: clients.pc.requests.get: expected request kind `get` (a table), found a string".into(),
        ),
        (
            "dot in a kind's name",
            format!("[clients.pc]\ncount = 10\n[clients.pc.requests.\"a.b\"]\n{REQ}"),
            "3:22: clients.pc.requests.\"a.b\": a request kind's name cannot contain `.`: it is named pc.a.b, which would be ambiguous".into(),
        ),
        (
            "dot in a population's name",
            format!("[clients.\"p.c\"]\ncount = 10\n[clients.\"p.c\".requests.get]\n{REQ}"),
            "1:10: clients.\"p.c\": a population name cannot contain `.`: its request kinds are named population.kind, and `p.c` would make those names ambiguous".into(),
        ),
        (
            "capacity without a unit",
            "[roles.mp]\nkind = \"pool\"\non = \"w\"\ncapacity = 200\n".into(),
            "4:12: roles.mp.capacity: a bare number (200) is not a rate: say per what, e.g. \"200/s\"; expected a number of requests per unit of time, e.g. \"200/s\", \"1500/min\" or \"90000/h\"".into(),
        ),
        (
            "capacity per an unknown unit",
            "[roles.mp]\nkind = \"pool\"\non = \"w\"\ncapacity = \"200/sec2\"\n".into(),
            "4:12: roles.mp.capacity: invalid unit `/sec2` in rate \"200/sec2\"; expected a number of requests per unit of time, e.g. \"200/s\", \"1500/min\" or \"90000/h\"".into(),
        ),
        (
            "zero capacity",
            "[roles.mp]\nkind = \"pool\"\non = \"w\"\ncapacity = \"0/s\"\n".into(),
            "4:12: roles.mp.capacity: rate \"0/s\" must be positive and finite; expected a number of requests per unit of time, e.g. \"200/s\", \"1500/min\" or \"90000/h\"".into(),
        ),
        (
            "sticky clients of a role with a capacity",
            "[roles.mp]\nkind = \"pool\"\non = \"w\"\ncapacity = \"20/s\"\n[clients.pc]\ncount = 10\n[clients.pc.requests.get]\ntarget = \"mp\"\nevery = \"1h\"\ntimeout = \"30s\"\nresponse = { dist = \"fixed\", value = \"1s\" }\nselection = \"sticky\"\n".into(),
            "12:13: clients.pc.requests.get.selection: role `mp` has a capacity, and queueing is not modelled for sticky clients yet; use selection random, round_robin or ordered, or leave out the role's capacity".into(),
        ),
        (
            "unknown when_all_fail",
            kind("when_all_fail = \"retry\"\n"),
            "8:17: clients.pc.requests.get.when_all_fail: unknown when_all_fail \"retry\"; expected \"fail\" (the request is lost; the default) or \"cache\" (the client keeps the data and sends it with its next request that succeeds)".into(),
        ),
        (
            "cache with lasting connections",
            kind("when_all_fail = \"cache\"\nselection = \"sticky\"\n"),
            "8:17: clients.pc.requests.get.when_all_fail: when_all_fail = \"cache\" works with selection random, round_robin or ordered and reconnect = \"on_failure\"; clients holding connections (sticky, fresh_connection_only, dns) cannot cache yet".into(),
        ),
        (
            "dns without a ttl",
            kind("reconnect = \"dns\"\n"),
            "3:1: clients.pc.requests.get: missing field `ttl` (how long a client keeps a resolved address, e.g. \"5min\")".into(),
        ),
        (
            "ttl without dns",
            kind("ttl = \"5min\"\n"),
            "8:7: clients.pc.requests.get.ttl: ttl applies only with reconnect = \"dns\"".into(),
        ),
        (
            "health check without dns",
            kind("reconnect = \"fresh_connection_only\"\nreconnect_every = \"1h\"\nhealth_checked = true\n"),
            "10:18: clients.pc.requests.get.health_checked: health_checked applies only with reconnect = \"dns\"".into(),
        ),
        (
            "dns with an ordered selection",
            kind("reconnect = \"dns\"\nttl = \"5min\"\nselection = \"ordered\"\n"),
            "10:13: clients.pc.requests.get.selection: with reconnect = \"dns\" the DNS answer chooses the instance (round robin); leave `selection` out".into(),
        ),
        (
            "zero ttl",
            kind("reconnect = \"dns\"\nttl = \"0s\"\n"),
            "9:7: clients.pc.requests.get.ttl: ttl must be longer than zero".into(),
        ),
        (
            "section misspelt",
            format!("[client.pc]\ncount = 10\n[client.pc.requests.get]\n{REQ}"),
            "1:2: client: unknown key `client`; did you mean `clients`? valid keys here: clients, clusters, costs, crews, defaults, domains, hosts, inspections, maintenance, nodes, phases, roles, services, simulation, sites, stocks, sweep".into(),
        ),
    ];
    let mut seen = std::collections::HashSet::new();
    for (what, snippet, expected) in &cases {
        assert!(seen.insert(snippet.clone()), "duplicate case {what}");
        let errs = errors(&with_base(snippet));
        assert!(
            errs.iter().any(|e| e == expected),
            "{what}: expected\n  {expected}\ngot\n  {}",
            errs.join("\n  ")
        );
        assert_eq!(errs.len(), 1, "{what}: one error expected, got {errs:#?}");
    }
}

#[test]
fn every_error_in_the_clients_section_is_reported_together() {
    let errs = errors(&with_base(
        r#"[clients.pc]
count = 0
[clients.pc.requests.a]
target = "shop"
every = "0s"
timeout = "30s"
response = { dist = "fixed", value = "1s" }
[clients.pc.requests.b]
target = "web"
every = "1h"
timeout = "30s"
max_attempts = 99
[clients.empty]
count = 5
"#,
    ));
    let located: Vec<&str> = errs.iter().map(|e| e.split(": ").next().unwrap()).collect();
    assert_eq!(
        located,
        ["2:9", "4:10", "5:9", "8:1", "12:16", "13:1"],
        "{errs:#?}"
    );
}
