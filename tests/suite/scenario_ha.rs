//! The scenario language for HA mechanisms: crews, failure domains, sites and WAN links, clusters,
//! availability groups, mirroring, standalone recovery, software failures and maintenance compile to
//! the expected model, and bad input gets located, specific errors.

use nines::analyses::explain::{describe, warnings};
use nines::model::{Commit, ComponentKind, CrewPolicy, Guard, Model, Recovery, RoleKind, SignalId};
use nines::scenario::compile;

fn ok(text: &str) -> Model {
    compile(text, "ha.toml").unwrap_or_else(|e| panic!("{e}"))
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

fn comp(m: &Model, name: &str) -> usize {
    m.components
        .iter()
        .position(|c| c.name == name)
        .unwrap_or_else(|| panic!("no component {name}"))
}

fn role<'m>(m: &'m Model, name: &str) -> &'m nines::model::Role {
    m.roles.iter().find(|r| r.name == name).expect("role")
}

/// Nine lines: [simulation], [defaults] and nodes a, b, c, d. Snippets start on line 10.
const BASE: &str = r#"[simulation]
mission = "1y"
[defaults]
failure = { dist = "exponential", mean = "1000h" }
repair = { dist = "exponential", mean = "10h" }
[nodes.a]
[nodes.b]
[nodes.c]
[nodes.d]
"#;

fn with_base(snippet: &str) -> String {
    format!("{BASE}{snippet}")
}

const FIX: &str = r#"{ dist = "fixed", value = "1h" }"#;

#[test]
fn crews_and_priorities() {
    let m = ok(&with_base(
        r#"[crews.ops]
technicians = 2
dispatch = { dist = "fixed", value = "2h" }
policy = "priority"
[crews.night]
technicians = 1
[nodes.e]
crew = "ops"
priority = 3
[nodes.f]
crew = "night"
[roles.r]
kind = "pool"
on = ["a", "b", "c", "d", "e", "f"]
"#,
    ));
    assert_eq!(m.crews.len(), 2);
    let ops = &m.crews[0];
    assert_eq!((ops.name.as_str(), ops.technicians), ("ops", 2));
    assert_eq!(ops.policy, CrewPolicy::Priority);
    assert!(ops.dispatch.is_some());
    assert_eq!(ops.stream_key, nines::model::stream_key("crew", "ops"));
    assert_eq!(m.crews[1].policy, CrewPolicy::Fifo);
    assert!(m.crews[1].dispatch.is_none());
    let e = &m.components[comp(&m, "e")];
    assert_eq!((e.crew, e.priority), (Some(0), 3));
    let f = &m.components[comp(&m, "f")];
    assert_eq!((f.crew, f.priority), (Some(1), 100));
    let a = &m.components[comp(&m, "a")];
    assert_eq!((a.crew, a.priority), (None, 100));
    assert_eq!(a.stream_key, nines::model::stream_key("node", "a"));
}

#[test]
fn domains_nest_and_take_their_nodes_down() {
    let m = ok(&with_base(
        r#"[domains.rack]
failure = { dist = "exponential", mean = "20y" }
repair = { dist = "exponential", mean = "6h" }
in = "room"
crew = "ops"
[domains.room]
description = "server room"
failure = { dist = "exponential", mean = "50y" }
repair = { dist = "exponential", mean = "1d" }
[crews.ops]
technicians = 1
[nodes.web]
count = 2
in = ["rack", "room"]
[roles.p]
kind = "pool"
on = ["web", "a", "b", "c", "d"]
"#,
    ));
    // Nodes first (file order, groups expanded), then domains.
    let kinds: Vec<(&str, ComponentKind)> = m
        .components
        .iter()
        .map(|c| (c.name.as_str(), c.kind))
        .collect();
    assert_eq!(
        kinds,
        vec![
            ("a", ComponentKind::Node),
            ("b", ComponentKind::Node),
            ("c", ComponentKind::Node),
            ("d", ComponentKind::Node),
            ("web-1", ComponentKind::Node),
            ("web-2", ComponentKind::Node),
            ("rack", ComponentKind::Domain),
            ("room", ComponentKind::Domain),
        ]
    );
    let (rack, room) = (comp(&m, "rack"), comp(&m, "room"));
    assert_eq!(m.components[comp(&m, "web-2")].within, vec![rack, room]);
    assert_eq!(m.components[rack].within, vec![room]);
    assert_eq!(m.components[rack].crew, Some(0));
    assert_eq!(
        m.components[room].description.as_deref(),
        Some("server room")
    );
    assert_eq!(
        m.components[rack].stream_key,
        nines::model::stream_key("domain", "rack")
    );
    // web-1's effective signal depends on the rack and the room.
    let support = m.graph.support(m.components[comp(&m, "web-1")].effective);
    assert_eq!(support, vec![comp(&m, "web-1"), rack, room]);
    assert!(warnings(&m).is_empty(), "{:?}", warnings(&m));
}

/// Inputs of a gate (empty for a primitive).
fn inputs(m: &Model, s: SignalId) -> Vec<SignalId> {
    if m.graph.is_gate(s) {
        m.graph.inputs[s as usize - m.graph.primitives].clone()
    } else {
        Vec::new()
    }
}

#[test]
fn sites_links_and_wan_paths() {
    let m = ok(r#"[simulation]
mission = "1y"
[defaults]
failure = { dist = "exponential", mean = "1000h" }
repair = { dist = "exponential", mean = "10h" }
[crews.wan]
technicians = 1
[sites.cas]
failure = { dist = "exponential", mean = "30y" }
repair = { dist = "exponential", mean = "1d" }
[sites.primary]
parent = "cas"
link = { failure = { dist = "exponential", mean = "1y" }, repair = { dist = "exponential", mean = "4h" }, crew = "wan" }
[sites.branch]
parent = "primary"
[nodes.central]
site = "cas"
[nodes.p1]
site = "primary"
[nodes.b1]
site = "branch"
[nodes.b2]
site = "branch"
[roles.hub]
kind = "standalone"
on = "central"
[roles.mid]
kind = "standalone"
on = "p1"
requires = ["hub"]
[roles.edge]
kind = "pool"
on = ["b1", "b2"]
requires = ["mid", "hub"]
[roles.spread]
kind = "pool"
on = ["p1", "b1"]
site = "branch"
[services.users]
all_of = ["hub"]
site = "branch"
[services.local]
all_of = ["edge", "spread"]
"#);
    let names: Vec<(&str, ComponentKind)> = m
        .components
        .iter()
        .map(|c| (c.name.as_str(), c.kind))
        .collect();
    assert_eq!(
        &names[4..],
        &[
            ("cas", ComponentKind::Site),
            ("primary~link", ComponentKind::Link)
        ]
    );
    let (cas, link) = (comp(&m, "cas"), comp(&m, "primary~link"));
    assert_eq!(m.components[link].crew, Some(0));
    assert_eq!(
        m.components[link].stream_key,
        nines::model::stream_key("link", "primary~link")
    );
    assert_eq!(m.sites.len(), 3);
    assert_eq!(
        (m.sites[0].parent, m.sites[0].component, m.sites[0].link),
        (None, Some(cas), None)
    );
    assert_eq!(
        (m.sites[1].parent, m.sites[1].component, m.sites[1].link),
        (Some(0), None, Some(link))
    );
    assert_eq!(
        (m.sites[2].parent, m.sites[2].component, m.sites[2].link),
        (Some(1), None, None)
    );
    // A node at a site that can fail is within it; the site's own component is within nothing.
    assert_eq!(m.components[comp(&m, "central")].within, vec![cas]);
    assert!(m.components[comp(&m, "p1")].within.is_empty());
    assert!(m.components[cas].within.is_empty());
    // Role sites: common site of the nodes, or explicit.
    let site_of = |r: &str| role(&m, r).site;
    assert_eq!(site_of("hub"), Some(0));
    assert_eq!(site_of("mid"), Some(1));
    assert_eq!(site_of("edge"), Some(2));
    assert_eq!(site_of("spread"), Some(2));
    assert_eq!(m.services[0].site, Some(2));
    assert_eq!(m.services[1].site, None);
    // mid (primary) requires hub (cas): through the link only (no intermediate site).
    let hub = role(&m, "hub").gate;
    let link_sig = m.components[link].effective;
    let mid_in = inputs(&m, role(&m, "mid").gate);
    assert_eq!(mid_in.len(), 2);
    assert_eq!(inputs(&m, mid_in[1]), vec![hub, link_sig]);
    // edge (branch) requires mid (primary): the branch link never fails, so no path gate.
    let edge_in = inputs(&m, role(&m, "edge").gate);
    assert_eq!(edge_in[1], role(&m, "mid").gate);
    // edge requires hub: the primary link, and primary (an intermediate site that cannot fail).
    assert_eq!(inputs(&m, edge_in[2]), vec![hub, link_sig]);
    // The users, seen from the branch, depend on the WAN link and the central site.
    let support = &m.services[0].support;
    assert!(
        support.contains(&link) && support.contains(&cas),
        "{support:?}"
    );
    // The service seen from the branch reaches hub through the primary link too.
    let users_in = inputs(&m, m.services[0].gate);
    assert_eq!(users_in.len(), 1);
    assert_eq!(inputs(&m, users_in[0]), vec![hub, link_sig]);
    // The local service, seen from nowhere, references its roles directly.
    assert_eq!(
        inputs(&m, m.services[1].gate),
        vec![role(&m, "edge").gate, role(&m, "spread").gate]
    );
    let w = warnings(&m);
    assert!(
        !w.iter().any(|x| x.contains("cas") || x.contains("link")),
        "sites and links are not unused nodes: {w:?}"
    );
}

#[test]
fn cluster_machine() {
    let m = ok(&with_base(&format!(
        r#"[roles.vmm]
kind = "cluster"
on = ["b", "a", "c"]
failover = {FIX}
coverage = 0.98
manual_recovery = {FIX}
failback = true
max_nodes = 16
software = {{ failure = {FIX}, restart = {FIX}, restart_success = 0.9 }}
[roles.plain]
kind = "cluster"
on = "d"
failover = {FIX}
"#
    )));
    let r = role(&m, "vmm");
    let (a, b, c) = (comp(&m, "a"), comp(&m, "b"), comp(&m, "c"));
    assert_eq!(
        r.kind,
        RoleKind::Cluster {
            nodes: vec![b, a, c],
            max_nodes: Some(16)
        }
    );
    let mc = r.machine.as_ref().expect("a cluster has a machine");
    let nodes: Vec<usize> = mc.replicas.iter().map(|x| x.node).collect();
    assert_eq!(nodes, vec![b, a, c]);
    assert!(
        mc.replicas
            .iter()
            .all(|x| x.automatic && !x.needs_witness && x.lag.is_none())
    );
    assert!(mc.failover.is_some() && mc.manual_recovery.is_some());
    assert!(mc.manual_failover.is_none() && mc.witness.is_none());
    assert_eq!(mc.coverage, 0.98);
    assert!(mc.failback);
    assert_eq!(mc.software.as_ref().unwrap().restart_success, 0.9);
    assert!(matches!(mc.recovery, Recovery::Repair));
    assert_eq!(mc.stream_key, nines::model::stream_key("role", "vmm"));
    assert_eq!(r.own, mc.output);
    assert!(!m.graph.is_gate(mc.output));
    let plain = role(&m, "plain").machine.as_ref().unwrap();
    assert_eq!((plain.coverage, plain.failback), (1.0, false));
    assert!(plain.software.is_none());
}

#[test]
fn availability_group_machine() {
    let m = ok(&with_base(
        r#"[roles.db]
kind = "availability_group"
primary = "a"
secondaries = [ { on = "b", commit = "synchronous" },
                { on = "c", commit = "asynchronous", lag = { dist = "exponential", mean = "30s" } } ]
failover = { dist = "fixed", value = "30s" }
manual_failover = { dist = "exponential", mean = "30min" }
"#,
    ));
    let r = role(&m, "db");
    let (a, b, c) = (comp(&m, "a"), comp(&m, "b"), comp(&m, "c"));
    assert_eq!(
        r.kind,
        RoleKind::AvailabilityGroup {
            primary: a,
            secondaries: vec![(b, Commit::Synchronous), (c, Commit::Asynchronous)]
        }
    );
    let mc = r.machine.as_ref().unwrap();
    let reps: Vec<(usize, bool, bool)> = mc
        .replicas
        .iter()
        .map(|x| (x.node, x.automatic, x.lag.is_some()))
        .collect();
    assert_eq!(
        reps,
        vec![(a, true, false), (b, true, false), (c, false, true)]
    );
    assert!(mc.replicas.iter().all(|x| !x.needs_witness));
    assert!(mc.manual_failover.is_some() && mc.failover.is_some());
    assert!(!mc.failback);
}

#[test]
fn mirroring_machines() {
    let m = ok(&with_base(&format!(
        r#"[roles.witnessed]
kind = "mirroring"
principal = "a"
mirror = "b"
witness = "c"
failover = {FIX}
manual_failover = {FIX}
[roles.bare]
kind = "mirroring"
principal = "c"
mirror = "d"
commit = "asynchronous"
lag = {{ dist = "exponential", mean = "1min" }}
failover = {FIX}
manual_failover = {FIX}
"#
    )));
    let (a, b, c, d) = (comp(&m, "a"), comp(&m, "b"), comp(&m, "c"), comp(&m, "d"));
    let w = role(&m, "witnessed");
    assert_eq!(
        w.kind,
        RoleKind::Mirroring {
            principal: a,
            mirror: b,
            witness: Some(c),
            commit: Commit::Synchronous
        }
    );
    let mc = w.machine.as_ref().unwrap();
    assert_eq!(mc.witness, Some(c));
    assert!(
        mc.replicas
            .iter()
            .all(|x| x.automatic && x.needs_witness && x.lag.is_none())
    );
    assert_eq!(mc.replicas[0].node, a);
    assert_eq!(mc.replicas[1].node, b);
    let bare = role(&m, "bare");
    assert_eq!(
        bare.kind,
        RoleKind::Mirroring {
            principal: c,
            mirror: d,
            witness: None,
            commit: Commit::Asynchronous
        }
    );
    let mc = bare.machine.as_ref().unwrap();
    assert_eq!(mc.witness, None);
    assert!(
        mc.replicas
            .iter()
            .all(|x| !x.automatic && !x.needs_witness && x.lag.is_some())
    );
    // The witness counts as a use of node c; its signal feeds the machine.
    assert!(!warnings(&m).iter().any(|x| x.contains("node c")));
    assert!(
        m.graph.depends[w.machine.as_ref().unwrap().output as usize]
            .contains(&m.components[c].effective)
    );
}

#[test]
fn standalone_recovery_and_software() {
    let m = ok(&with_base(&format!(
        r#"[roles.plain]
kind = "standalone"
on = "a"
[roles.repaired]
kind = "standalone"
on = "a"
recovery = {{ kind = "repair" }}
[roles.backed_up]
kind = "standalone"
on = "b"
recovery = {{ kind = "restore", backup_every = "24h", backup_offset = "2h", restore = {{ dist = "lognormal", mean = "6h", sigma = 0.5 }} }}
[roles.rebuilt]
kind = "standalone"
on = "c"
recovery = {{ kind = "reinstall", time = {{ dist = "fixed", value = "8h" }}, from = "backed_up" }}
[roles.crashy]
kind = "standalone"
on = "d"
software = {{ failure = {{ dist = "exponential", mean = "90d" }}, restart = {FIX}, restart_success = 0.95 }}
manual_recovery = {FIX}
"#
    )));
    assert!(role(&m, "plain").machine.is_none());
    assert!(role(&m, "repaired").machine.is_none());
    let b = role(&m, "backed_up").machine.as_ref().unwrap();
    match &b.recovery {
        Recovery::Restore { every, offset, .. } => assert_eq!((*every, *offset), (24.0, 2.0)),
        other => panic!("{other:?}"),
    }
    assert_eq!(b.replicas.len(), 1);
    assert_eq!(b.replicas[0].node, comp(&m, "b"));
    assert!(!b.replicas[0].automatic && b.failover.is_none());
    let r = role(&m, "rebuilt").machine.as_ref().unwrap();
    match &r.recovery {
        Recovery::Reinstall { from, .. } => assert_eq!(*from, Some(2)),
        other => panic!("{other:?}"),
    }
    // The reinstall source is a reachability dependency of the machine.
    assert!(m.graph.depends[r.output as usize].contains(&role(&m, "backed_up").gate));
    let c = role(&m, "crashy").machine.as_ref().unwrap();
    assert!(matches!(c.recovery, Recovery::Repair));
    assert_eq!(c.software.as_ref().unwrap().restart_success, 0.95);
    assert!(c.manual_recovery.is_some() && c.failover.is_none());
}

#[test]
fn maintenance_schedules() {
    let m = ok(&with_base(&format!(
        r#"[nodes.web]
count = 3
[nodes.spare]
[roles.pool]
kind = "pool"
on = "web"
min_up = 2
[roles.vmm]
kind = "cluster"
on = ["a", "b"]
failover = {FIX}
[roles.single]
kind = "standalone"
on = "c"
[maintenance.patch_night]
every = "30d"
duration = "4h"
offset = "12d 22h"
nodes = ["web", "d"]
[maintenance.rolling_nodes]
every = "7d"
duration = "1h"
nodes = ["web-3", "web-1"]
rolling = true
[maintenance.rolling_role]
every = "30d"
duration = "2h"
role = "vmm"
rolling = true
[maintenance.single]
every = "90d"
duration = "1h"
role = "single"
"#
    )));
    let ms = &m.maintenance;
    assert_eq!(ms.len(), 4);
    let web: Vec<usize> = ["web-1", "web-2", "web-3"]
        .iter()
        .map(|n| comp(&m, n))
        .collect();
    assert_eq!(ms[0].name, "patch_night");
    assert_eq!(ms[0].nodes, vec![web[0], web[1], web[2], comp(&m, "d")]);
    assert_eq!(ms[0].guard, Guard::None);
    assert_eq!(
        (ms[0].every, ms[0].duration, ms[0].offset),
        (720.0, 4.0, 310.0)
    );
    assert_eq!(ms[1].nodes, vec![web[2], web[0]]);
    assert_eq!(ms[1].guard, Guard::KeepOneUp);
    assert_eq!(ms[2].nodes, vec![comp(&m, "a"), comp(&m, "b")]);
    assert_eq!(ms[2].guard, Guard::Role(1));
    assert_eq!(ms[3].nodes, vec![comp(&m, "c")]);
    assert_eq!(ms[3].guard, Guard::None);
    // Maintained nodes get a maintenance signal in their effective gate; others do not.
    let a = &m.components[comp(&m, "a")];
    let flag = a.maintenance.expect("a is maintained");
    assert!(inputs(&m, a.effective).contains(&flag));
    assert!(m.components[comp(&m, "spare")].maintenance.is_none());
    assert!(
        m.components
            .iter()
            .filter(|c| c.name != "spare")
            .all(|c| c.maintenance.is_some())
    );
}

#[test]
fn describe_mentions_every_mechanism() {
    let m = ok(&with_base(&format!(
        r#"[crews.ops]
technicians = 2
policy = "priority"
dispatch = {FIX}
[domains.rack]
failure = {FIX}
repair = {FIX}
crew = "ops"
[sites.hq]
failure = {FIX}
repair = {FIX}
[sites.branch]
parent = "hq"
link = {{ failure = {FIX}, repair = {FIX} }}
[nodes.h]
count = 3
in = "rack"
site = "hq"
crew = "ops"
priority = 1
[nodes.sqlw]
[nodes.bs]
site = "branch"
[roles.vmm]
kind = "cluster"
on = "h"
failover = {FIX}
coverage = 0.98
manual_recovery = {FIX}
software = {{ failure = {FIX}, restart = {FIX}, restart_success = 0.9 }}
[roles.db]
kind = "availability_group"
primary = "a"
secondaries = [{{ on = "b", commit = "synchronous" }}, {{ on = "c", commit = "asynchronous", lag = {FIX} }}]
failover = {FIX}
manual_failover = {FIX}
[roles.mirror]
kind = "mirroring"
principal = "a"
mirror = "b"
witness = "sqlw"
failover = {FIX}
manual_failover = {FIX}
[roles.lonely_mirror]
kind = "mirroring"
principal = "c"
mirror = "d"
failover = {FIX}
manual_failover = {FIX}
[roles.ss]
kind = "standalone"
on = "d"
recovery = {{ kind = "restore", backup_every = "24h", restore = {FIX} }}
[roles.branch_ss]
kind = "standalone"
on = "bs"
recovery = {{ kind = "reinstall", time = {FIX}, from = "ss" }}
requires = ["ss"]
[maintenance.patch]
every = "30d"
duration = "4h"
role = "vmm"
rolling = true
[services.users]
all_of = ["vmm", "db", "mirror", "lonely_mirror", "branch_ss"]
site = "branch"
"#
    )));
    let text = describe(&m);
    for needle in [
        "node h-1: fails after exponential(mean 41.667d), repaired in exponential(mean 10h) by crew ops (priority 1); down while domain rack or site hq is down",
        "domain rack: fails after fixed(1h), repaired in fixed(1h) by crew ops (priority 100); takes down h-1, h-2, h-3",
        "site hq: fails after fixed(1h), repaired in fixed(1h); takes down h-1, h-2, h-3",
        "link branch~link: fails after fixed(1h), repaired in fixed(1h); WAN link branch – hq",
        "crew ops: 2 technicians, most urgent priority first, dispatch fixed(1h); repairs 4 components (h-1, h-2, h-3, rack)",
        "site hq: root site; the whole site fails after fixed(1h), repaired in fixed(1h)",
        "site branch: under hq (WAN link branch~link can fail); the site itself never fails",
        "role vmm: failover cluster on h-1, h-2, h-3 (preferred h-1); failover takes fixed(1h), succeeds with probability 0.98, otherwise manual recovery in fixed(1h); no failback; software failures every fixed(1h), restart in fixed(1h) (90% succeed, otherwise it fails over); at site hq",
        "role db: availability group, primary a; synchronous b takes over automatically, no data lost (failover takes fixed(1h) and always succeeds); asynchronous c needs an operator (manual failover after fixed(1h)) and loses up to a lag of fixed(1h) of transactions",
        "role mirror: database mirroring, principal a, mirror b, witness sqlw: automatic failover while the witness is up (failover takes fixed(1h) and always succeeds), otherwise manual failover after fixed(1h); synchronous commit (high safety, no data lost)",
        "role lonely_mirror: database mirroring, principal c, mirror d, no witness: every failover is manual, after fixed(1h)",
        "role ss: standalone on d; after its node fails it is restored from the last backup: backups every 24h, restore in fixed(1h); data since the last backup is lost",
        "role branch_ss: standalone on bs; after its node fails it is reinstalled in fixed(1h) once role ss is available; no data is kept; requires ss; at site branch",
        "maintenance patch: every 30d, rolling over role vmm's nodes h-1, h-2, h-3 one at a time, 4h each, skipping a node whose loss would make the role unavailable",
        "service users = all_of(vmm, db, mirror, lonely_mirror, branch_ss); seen from site branch",
    ] {
        assert!(text.contains(needle), "missing {needle:?} in\n{text}");
    }
    assert!(!text.contains("warning:"), "{text}");
}

#[test]
fn warnings_for_suspicious_layouts() {
    let m = ok(&with_base(&format!(
        r#"[crews.idle]
technicians = 1
[crews.fifo]
technicians = 1
[domains.empty]
failure = {FIX}
repair = {FIX}
[domains.outer]
failure = {FIX}
repair = {FIX}
[domains.inner]
failure = {FIX}
repair = {FIX}
in = "outer"
[nodes.h]
count = 17
in = "inner"
crew = "fifo"
priority = 2
[roles.vmm]
kind = "cluster"
on = "h"
failover = {FIX}
max_nodes = 16
[roles.p]
kind = "pool"
on = ["a", "b", "c", "d"]
[maintenance.slow]
every = "10h"
duration = "3h"
role = "p"
rolling = true
"#
    )));
    let w = warnings(&m);
    let expect = [
        "domain empty contains no node (directly or through nested domains), so it cannot affect any result",
        "crew idle is named by no component, so it repairs nothing",
        "node h-1 has priority 2, but crew fifo serves first come, first served; set policy = \"priority\" on the crew for priorities to count",
        "role vmm runs on 17 cluster nodes but max_nodes = 16",
        "maintenance slow rolls over 4 nodes × 3h = 12h, not less than every = 10h: a window that starts while the previous roll is still running is skipped",
    ];
    for e in expect {
        assert!(w.iter().any(|x| x == e), "missing {e:?} in {w:#?}");
    }
    // The outer domain holds nodes through the inner one.
    assert!(!w.iter().any(|x| x.contains("domain outer")), "{w:#?}");
    assert!(!w.iter().any(|x| x.contains("domain inner")), "{w:#?}");
    assert!(!w.iter().any(|x| x.contains("hosts no role")), "{w:#?}");
    assert!(describe(&m).contains("warning: role vmm runs on 17 cluster nodes but max_nodes = 16"));
}

/// Each bad snippet (appended to [`BASE`], so it starts on line 10) must give this exact error line.
#[test]
fn bad_inputs_get_located_specific_errors() {
    let cases: Vec<(&str, String, &str)> = vec![
        (
            "unknown crew",
            "[crews.ops]\ntechnicians = 1\n[nodes.e]\ncrew = \"opz\"\n".into(),
            "13:8: nodes.e.crew: unknown crew `opz`; did you mean `ops`?",
        ),
        (
            "no crews defined",
            "[nodes.e]\ncrew = \"ops\"\n".into(),
            "11:8: nodes.e.crew: unknown crew `ops`: none is defined; define it in a [crews.ops] section with `technicians = 1`",
        ),
        (
            "zero technicians",
            "[crews.ops]\ntechnicians = 0\n".into(),
            "11:15: crews.ops.technicians: technicians must be at least 1 (for unlimited independent repair, name no crew)",
        ),
        (
            "absurd technicians",
            "[crews.ops]\ntechnicians = 20000\n".into(),
            "11:15: crews.ops.technicians: 20000 is too large; the largest accepted value is 10000",
        ),
        (
            "unknown crew policy",
            "[crews.ops]\ntechnicians = 1\npolicy = \"lifo\"\n".into(),
            "12:10: crews.ops.policy: unknown policy \"lifo\"; did you mean \"fifo\"? expected \"fifo\" (first come, first served) or \"priority\" (smallest component `priority` first)",
        ),
        (
            "priority without crew",
            "[nodes.e]\npriority = 1\n".into(),
            "11:12: nodes.e.priority: `priority` orders a crew's queue, but no `crew` is named here (without a crew, repair starts at once)",
        ),
        (
            "priority not an integer",
            "[crews.ops]\ntechnicians = 1\n[nodes.e]\ncrew = \"ops\"\npriority = 1.5\n".into(),
            "14:12: nodes.e.priority: expected an integer, found a float",
        ),
        (
            "domain without repair",
            format!("[domains.rack]\nfailure = {FIX}\n"),
            "10:1: domains.rack: missing field `repair` (time-to-repair distribution, e.g. { dist = \"exponential\", mean = \"6h\" }); a domain does not use [defaults]: a rack failing as often as a server would be a silent surprise",
        ),
        (
            "domain cycle",
            format!(
                "[domains.rack]\nfailure = {FIX}\nrepair = {FIX}\nin = \"row\"\n[domains.row]\nfailure = {FIX}\nrepair = {FIX}\nin = [\"rack\"]\n"
            ),
            "17:7: domains.row.in: domain cycle: rack → row → rack: a domain cannot be inside itself",
        ),
        (
            "unknown domain",
            format!("[domains.rack1]\nfailure = {FIX}\nrepair = {FIX}\n[nodes.e]\nin = [\"rack2\"]\n"),
            "14:7: nodes.e.in: unknown domain or site `rack2`; did you mean `rack1`?",
        ),
        (
            "domain and site with one name",
            "[domains.x]\nfailure = { dist = \"fixed\", value = \"1h\" }\nrepair = { dist = \"fixed\", value = \"1h\" }\n[sites.x]\n".into(),
            "13:8: sites.x: `x` is already a domain; domains and sites are both named in `in = [...]`, so they need distinct names",
        ),
        (
            "site parent cycle",
            "[sites.root]\n[sites.a]\nparent = \"b\"\n[sites.b]\nparent = \"a\"\n".into(),
            "14:10: sites.b.parent: parent cycle: a → b → a: sites form a tree, from the root (central) site down",
        ),
        (
            "two root sites",
            "[sites.cas]\n[sites.other]\n".into(),
            "11:8: sites.other: site `other` has no `parent`, but `cas` is already the root site; sites form one tree: give it a parent, e.g. parent = \"cas\"",
        ),
        (
            "link without parent",
            format!("[sites.cas]\nlink = {{ failure = {FIX}, repair = {FIX} }}\n"),
            "11:8: sites.cas.link: a WAN link joins a site to its parent, but site `cas` has no `parent`; give `parent = \"...\"` or remove `link`",
        ),
        (
            "site failure without repair",
            format!("[sites.cas]\nfailure = {FIX}\n"),
            "10:1: sites.cas: site `cas` gives `failure` but no `repair`: give both (the whole site fails and is repaired) or neither (the site itself never fails)",
        ),
        (
            "unknown site",
            "[sites.hub]\n[nodes.e]\nsite = \"hubb\"\n".into(),
            "12:8: nodes.e.site: unknown site `hubb`; did you mean `hub`?",
        ),
        (
            "role nodes at different sites",
            "[sites.hub]\n[sites.br]\nparent = \"hub\"\n[nodes.e]\nsite = \"hub\"\n[nodes.f]\nsite = \"br\"\n[roles.p]\nkind = \"pool\"\non = [\"e\", \"f\"]\n".into(),
            "17:1: roles.p: the role's nodes are at different sites (e at hub, f at br); say which site the role is at with `site = \"...\"`",
        ),
        (
            "coverage out of range",
            format!("[roles.c]\nkind = \"cluster\"\non = [\"a\", \"b\"]\nfailover = {FIX}\ncoverage = 1.5\nmanual_recovery = {FIX}\n"),
            "14:12: roles.c.coverage: 1.5 is not a probability: expected a number from 0 to 1, e.g. 0.98",
        ),
        (
            "coverage without manual recovery",
            format!("[roles.c]\nkind = \"cluster\"\non = [\"a\", \"b\"]\nfailover = {FIX}\ncoverage = 0.9\n"),
            "10:1: roles.c: missing field `manual_recovery` (operator recovery time, e.g. { dist = \"exponential\", mean = \"1h\" }): needed because coverage = 0.9 < 1, and a failed failover needs an operator",
        ),
        (
            "restart success without manual recovery",
            format!("[roles.s]\nkind = \"standalone\"\non = \"a\"\nsoftware = {{ failure = {FIX}, restart = {FIX}, restart_success = 0.5 }}\n"),
            "10:1: roles.s: missing field `manual_recovery` (operator recovery time, e.g. { dist = \"exponential\", mean = \"1h\" }): needed because software.restart_success = 0.5 < 1, and a failed restart needs an operator",
        ),
        (
            "restart success out of range",
            format!("[roles.s]\nkind = \"standalone\"\non = \"a\"\nsoftware = {{ failure = {FIX}, restart = {FIX}, restart_success = -0.1 }}\n"),
            "13:120: roles.s.software.restart_success: -0.1 is not a probability: expected a number from 0 to 1, e.g. 0.98",
        ),
        (
            "cluster without failover",
            "[roles.c]\nkind = \"cluster\"\non = [\"a\", \"b\"]\n".into(),
            "10:1: roles.c: missing field `failover` (time of an automatic failover, e.g. { dist = \"lognormal\", mean = \"2min\", sigma = 0.5 })",
        ),
        (
            "cluster too large",
            format!("[nodes.h]\ncount = 65\n[roles.c]\nkind = \"cluster\"\non = \"h\"\nfailover = {FIX}\n"),
            "14:6: roles.c.on: a cluster has 1 to 64 nodes, but `on` names 65",
        ),
        (
            "cluster failback neither a boolean nor after_maintenance",
            format!("[roles.c]\nkind = \"cluster\"\non = [\"a\", \"b\"]\nfailover = {FIX}\nfailback = \"yes\"\n"),
            "14:12: roles.c.failback: expected true, false or \"after_maintenance\" (back to the node a planned drain took the role from), found \"yes\"",
        ),
        (
            "asynchronous secondary without manual failover",
            format!("[roles.db]\nkind = \"availability_group\"\nprimary = \"a\"\nsecondaries = [{{ on = \"b\", commit = \"asynchronous\", lag = {FIX} }}]\nfailover = {FIX}\n"),
            "10:1: roles.db: missing field `manual_failover` (operator delay before a manual failover, e.g. { dist = \"exponential\", mean = \"30min\" }): needed because a secondary is asynchronous, and failing over to it takes an operator",
        ),
        (
            "lag on a synchronous secondary",
            format!("[roles.db]\nkind = \"availability_group\"\nprimary = \"a\"\nsecondaries = [{{ on = \"b\", commit = \"synchronous\", lag = {FIX} }}]\nfailover = {FIX}\n"),
            "13:58: roles.db.secondaries[0].lag: `lag` applies to asynchronous commit only; with commit = \"synchronous\" a failover loses no transactions",
        ),
        (
            "asynchronous secondary without lag",
            format!("[roles.db]\nkind = \"availability_group\"\nprimary = \"a\"\nsecondaries = [{{ on = \"b\", commit = \"asynchronous\" }}]\nfailover = {FIX}\nmanual_failover = {FIX}\n"),
            "13:16: roles.db.secondaries[0]: missing field `lag` (hours of transactions lost by a failover, e.g. { dist = \"exponential\", mean = \"30s\" }): needed because commit = \"asynchronous\"",
        ),
        (
            "unknown commit mode",
            format!("[roles.db]\nkind = \"availability_group\"\nprimary = \"a\"\nsecondaries = [{{ on = \"b\", commit = \"sync\" }}]\nfailover = {FIX}\n"),
            "13:37: roles.db.secondaries[0].commit: unknown commit mode \"sync\"; did you mean \"synchronous\"? expected \"synchronous\" (no data loss on failover) or \"asynchronous\" (a failover loses the transactions not yet replicated; needs `lag`)",
        ),
        (
            "too many secondaries",
            format!("[nodes.s]\ncount = 9\n[roles.db]\nkind = \"availability_group\"\nprimary = \"a\"\nsecondaries = [{}]\nfailover = {FIX}\n",
                (1..=9).map(|i| format!("{{ on = \"s-{i}\", commit = \"synchronous\" }}")).collect::<Vec<_>>().join(", ")),
            "15:15: roles.db.secondaries: an availability group has 1 to 8 secondary replicas, but `secondaries` lists 9",
        ),
        (
            "replica node used twice",
            format!("[roles.db]\nkind = \"availability_group\"\nprimary = \"a\"\nsecondaries = [{{ on = \"b\", commit = \"synchronous\" }}, {{ on = \"a\", commit = \"synchronous\" }}]\nfailover = {FIX}\n"),
            "13:61: roles.db.secondaries[1].on: node `a` already holds a replica of this role; each replica needs its own node",
        ),
        (
            "primary names a group",
            format!("[nodes.sql]\ncount = 2\n[roles.db]\nkind = \"availability_group\"\nprimary = \"sql\"\nsecondaries = [{{ on = \"b\", commit = \"synchronous\" }}]\nfailover = {FIX}\n"),
            "14:11: roles.db.primary: `sql` is a group of 2 nodes; name one node here, e.g. `sql-1`",
        ),
        (
            "mirroring without manual failover",
            format!("[roles.m]\nkind = \"mirroring\"\nprincipal = \"a\"\nmirror = \"b\"\nwitness = \"c\"\nfailover = {FIX}\n"),
            "10:1: roles.m: missing field `manual_failover` (operator delay before a manual failover, e.g. { dist = \"exponential\", mean = \"30min\" }): needed because mirroring fails over by hand when there is no witness or the witness is down",
        ),
        (
            "witness is the mirror",
            format!("[roles.m]\nkind = \"mirroring\"\nprincipal = \"a\"\nmirror = \"b\"\nwitness = \"b\"\nfailover = {FIX}\nmanual_failover = {FIX}\n"),
            "14:11: roles.m.witness: the witness must be a third node, not the principal or the mirror (`b`)",
        ),
        (
            "mirror is the principal",
            format!("[roles.m]\nkind = \"mirroring\"\nprincipal = \"a\"\nmirror = \"a\"\nfailover = {FIX}\nmanual_failover = {FIX}\n"),
            "13:10: roles.m.mirror: the mirror must be another node than the principal `a`",
        ),
        (
            "lag with synchronous mirroring",
            format!("[roles.m]\nkind = \"mirroring\"\nprincipal = \"a\"\nmirror = \"b\"\nlag = {FIX}\nfailover = {FIX}\nmanual_failover = {FIX}\n"),
            "14:7: roles.m.lag: `lag` applies to asynchronous commit only; with commit = \"synchronous\" (the default) a failover loses no transactions",
        ),
        (
            "recovery on a cluster",
            format!("[roles.c]\nkind = \"cluster\"\non = [\"a\", \"b\"]\nfailover = {FIX}\nrecovery = {{ kind = \"repair\" }}\n"),
            "14:1: roles.c.recovery: `recovery` is only for standalone roles; a cluster role recovers by failing over",
        ),
        (
            "pool key on a cluster",
            format!("[roles.c]\nkind = \"cluster\"\non = [\"a\", \"b\"]\nfailover = {FIX}\nmin_up = 1\n"),
            "14:1: roles.c.min_up: `min_up` does not apply to a cluster role; it is for kind = \"pool\"",
        ),
        (
            "on for an availability group",
            format!("[roles.db]\nkind = \"availability_group\"\non = [\"a\", \"b\"]\nprimary = \"a\"\nsecondaries = [{{ on = \"b\", commit = \"synchronous\" }}]\nfailover = {FIX}\n"),
            "12:1: roles.db.on: an availability group names its replicas with `primary` and `secondaries`, not `on`",
        ),
        (
            "misspelt role kind",
            "[roles.c]\nkind = \"clustr\"\non = \"a\"\n".into(),
            "11:8: roles.c.kind: unknown role kind \"clustr\"; did you mean \"cluster\"? expected \"standalone\" (one instance on one node), \"pool\" (k-of-n instances), \"cluster\" (active/passive failover cluster), \"availability_group\" (SQL Server AlwaysOn) or \"mirroring\" (SQL Server database mirroring)",
        ),
        (
            "reinstall from an unknown role",
            format!("[roles.s]\nkind = \"standalone\"\non = \"a\"\nrecovery = {{ kind = \"reinstall\", time = {FIX}, from = \"parnet\" }}\n[roles.parent]\nkind = \"standalone\"\non = \"b\"\n"),
            "13:82: roles.s.recovery.from: unknown role `parnet`; did you mean `parent`?",
        ),
        (
            "reinstall from itself",
            format!("[roles.s]\nkind = \"standalone\"\non = \"a\"\nrecovery = {{ kind = \"reinstall\", time = {FIX}, from = \"s\" }}\n"),
            "13:82: roles.s.recovery.from: role `s` cannot be reinstalled from itself; `from` names the role it is rebuilt from, e.g. its parent site's server",
        ),
        (
            "reinstall cycle through requires",
            format!("[roles.s]\nkind = \"standalone\"\non = \"a\"\nrecovery = {{ kind = \"reinstall\", time = {FIX}, from = \"t\" }}\n[roles.t]\nkind = \"standalone\"\non = \"b\"\nrequires = [\"s\"]\n"),
            "17:13: roles.t.requires: dependency cycle: s → t → s",
        ),
        (
            "restore key on reinstall",
            format!("[roles.s]\nkind = \"standalone\"\non = \"a\"\nrecovery = {{ kind = \"reinstall\", time = {FIX}, backup_every = \"24h\" }}\n"),
            "13:75: roles.s.recovery.backup_every: `backup_every` applies to kind = \"restore\", not kind = \"reinstall\"",
        ),
        (
            "restore without backups",
            format!("[roles.s]\nkind = \"standalone\"\non = \"a\"\nrecovery = {{ kind = \"restore\", restore = {FIX} }}\n"),
            "13:12: roles.s.recovery: missing field `backup_every` (interval between backups, e.g. \"24h\")",
        ),
        (
            "maintenance with nodes and role",
            "[roles.p]\nkind = \"pool\"\non = [\"a\", \"b\"]\n[maintenance.m]\nevery = \"30d\"\nduration = \"4h\"\nnodes = [\"a\"]\nrole = \"p\"\n".into(),
            "17:8: maintenance.m.role: give `nodes` or `role`, not both: a schedule covers a node list or a role's nodes",
        ),
        (
            "maintenance with neither",
            "[maintenance.m]\nevery = \"30d\"\nduration = \"4h\"\n".into(),
            "10:1: maintenance.m: missing field `nodes` (nodes or node groups, e.g. [\"web\", \"db1\"]) or `role` (a role whose nodes are maintained)",
        ),
        (
            "maintenance every zero",
            "[maintenance.m]\nevery = \"0h\"\nduration = \"4h\"\nnodes = [\"a\"]\n".into(),
            "11:9: maintenance.m.every: every must be longer than zero",
        ),
        (
            "maintenance too frequent",
            "[maintenance.m]\nevery = \"1s\"\nduration = \"0.1s\"\nnodes = [\"a\"]\n".into(),
            "11:9: maintenance.m.every: every = 1s opens 31536000 windows in a 1y mission; at most 1000000 are accepted (maintenance is planned in days or weeks)",
        ),
        (
            "maintenance window as long as the period",
            "[maintenance.m]\nevery = \"4h\"\nduration = \"4h\"\nnodes = [\"a\"]\n".into(),
            "12:12: maintenance.m.duration: duration 4h must be shorter than every = 4h: the nodes would never leave maintenance",
        ),
        (
            "rolling over a standalone role",
            "[roles.s]\nkind = \"standalone\"\non = \"a\"\n[maintenance.m]\nevery = \"30d\"\nduration = \"4h\"\nrole = \"s\"\nrolling = true\n".into(),
            "16:8: maintenance.m.role: rolling maintenance needs redundancy to roll over, but role `s` is standalone (one node); drop `rolling` to take its node down in each window",
        ),
        (
            "maintenance of an unknown node",
            "[maintenance.m]\nevery = \"30d\"\nduration = \"4h\"\nnodes = [\"a\", \"e\"]\n".into(),
            "13:15: maintenance.m.nodes: unknown node `e`",
        ),
        (
            "service seen from an unknown site",
            "[sites.hub]\n[roles.r]\nkind = \"standalone\"\non = \"a\"\n[services.s]\nall_of = [\"r\"]\nsite = \"hbu\"\n".into(),
            "16:8: services.s.site: unknown site `hbu`; did you mean `hub`?",
        ),
        (
            "unknown key in a link",
            format!("[sites.hub]\n[sites.br]\nparent = \"hub\"\nlink = {{ failure = {FIX}, repair = {FIX}, crw = \"x\" }}\n"),
            "13:97: sites.br.link.crw: unknown key `crw`; did you mean `crew`? valid keys here: crew, description, failure, name, priority, repair, yearly_cost",
        ),
        (
            "software on a pool",
            format!("[roles.p]\nkind = \"pool\"\non = [\"a\", \"b\"]\nsoftware = {{ failure = {FIX}, restart = {FIX} }}\n"),
            "13:1: roles.p.software: `software` does not apply to a pool role; it is for kind = \"standalone\", \"cluster\", \"availability_group\" or \"mirroring\"",
        ),
        (
            "misspelt section",
            "[crew.ops]\ntechnicians = 1\n".into(),
            "10:2: crew: unknown key `crew`; did you mean `crews`? valid keys here: clients, clusters, costs, crews, defaults, domains, hosts, inspections, maintenance, nodes, phases, roles, services, simulation, sites, stocks, sweep",
        ),
        (
            "crew without technicians",
            "[crews.ops]\npolicy = \"fifo\"\n".into(),
            "10:1: crews.ops: missing field `technicians` (how many technicians repair in parallel, 1 to 10000)",
        ),
        (
            "site crew without site failures",
            "[crews.ops]\ntechnicians = 1\n[sites.hq]\ncrew = \"ops\"\n".into(),
            "13:1: sites.hq.crew: `crew` repairs the site's own failures, but site `hq` has no `failure`/`repair`; a link's crew goes inside `link = { ..., crew = \"...\" }`",
        ),
        (
            "a domain named as a site",
            format!("[domains.rack]\nfailure = {FIX}\nrepair = {FIX}\n[nodes.e]\nsite = \"rack\"\n"),
            "14:8: nodes.e.site: `rack` is a failure domain, not a site; put a node in a domain with `in = [\"rack\"]`",
        ),
        (
            "maintenance of an unknown role",
            "[roles.web]\nkind = \"pool\"\non = [\"a\", \"b\"]\n[maintenance.m]\nevery = \"30d\"\nduration = \"4h\"\nrole = \"db\"\n".into(),
            "16:8: maintenance.m.role: unknown role `db`; defined: web",
        ),
    ];
    assert!(cases.len() >= 20);
    let mut failures = Vec::new();
    for (what, snippet, expected) in &cases {
        let text = with_base(snippet);
        let errs = errors(&text);
        if !errs.iter().any(|e| e == expected) {
            failures.push(format!(
                "{what}:\n  expected {expected}\n  got      {errs:#?}"
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn every_error_in_a_file_is_reported_together() {
    let text = with_base(&format!(
        "[crews.ops]\ntechnicians = 0\n[nodes.e]\ncrew = \"opz\"\n[roles.c]\nkind = \"cluster\"\non = [\"a\", \"b\"]\nfailover = {FIX}\ncoverage = 2\n[maintenance.m]\nevery = \"0h\"\nduration = \"1h\"\nrole = \"c\"\n"
    ));
    let errs = errors(&text);
    assert_eq!(errs.len(), 4, "{errs:#?}");
}

#[test]
fn clusters_with_quorum_compile_explain_and_warn() {
    let m = ok(&format!(
        r#"{BASE}
[clusters.two]
nodes = ["a", "b"]
[clusters.three]
nodes = ["c", "d"]
witness = "e"
no_vote = "d"
dynamic = false
[nodes.e]
[roles.vm]
kind = "cluster"
cluster = "two"
failover = {{ dist = "fixed", value = "1min" }}
[roles.lib]
kind = "cluster"
cluster = "two"
on = ["b"]
failover = {{ dist = "fixed", value = "1min" }}
[roles.db]
kind = "cluster"
cluster = "three"
failover = {{ dist = "fixed", value = "1min" }}
"#
    ));
    let (a, b, c, d, e) = (
        comp(&m, "a"),
        comp(&m, "b"),
        comp(&m, "c"),
        comp(&m, "d"),
        comp(&m, "e"),
    );
    assert_eq!(m.quorums.len(), 2);
    let two = &m.quorums[0];
    assert_eq!((two.voters.clone(), two.witness), (vec![a, b], false));
    // Dynamic by default, with the default adjustment; two nodes: the second gives its vote up.
    assert!(two.adjustment.as_ref().is_some_and(|d| d.is_exponential()));
    assert_eq!(two.initial(), 0b01);
    let three = &m.quorums[1];
    assert_eq!(three.nodes, vec![c, d]);
    assert_eq!((three.voters.clone(), three.witness), (vec![c, e], true));
    assert!(three.adjustment.is_none());
    // Roles share a cluster; `on` defaults to its nodes.
    let q = |r: &str| role(&m, r).machine.as_ref().unwrap().quorum;
    assert_eq!((q("vm"), q("lib"), q("db")), (Some(0), Some(0), Some(1)));
    assert_eq!(role(&m, "vm").kind.nodes(), vec![a, b]);
    assert_eq!(role(&m, "lib").kind.nodes(), vec![b]);
    let text = describe(&m);
    assert!(
        text.contains("cluster two: 2 votes (a, b); dynamic quorum"),
        "{text}"
    );
    assert!(
        text.contains("cluster three: 2 votes (c; witness e); d without a vote; static quorum"),
        "{text}"
    );
    assert!(
        text.contains("losing quorum stops vm, lib at once"),
        "{text}"
    );
    let w = warnings(&m);
    assert!(
        w.iter().any(|x| x.starts_with(
            "cluster two has 2 voting nodes and no witness: dynamic quorum leaves the only vote with a, so losing a stops vm, lib"
        )),
        "{w:?}"
    );
    // The witness is used (by the cluster): no "hosts no role" warning; one voting node plus a
    // witness is not the two-node case.
    assert!(
        !w.iter()
            .any(|x| x.contains("node e") || x.contains("cluster three")),
        "{w:?}"
    );
}
