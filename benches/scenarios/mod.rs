//! The benchmark scenarios, shared by the timed benches (`engine.rs`) and the instruction-count gate
//! (`instructions.rs`), so that both measure the same models.

use nines::model::Model;

/// `pools` pools of 10 nodes each (8-of-10), all required by one service.
pub fn pools(pools: usize) -> Model {
    let mut t = String::from(
        "[simulation]\nmission = \"1y\"\nseed = 1\n[defaults]\nfailure = { dist = \"exponential\", mean = \"1000h\" }\nrepair = { dist = \"exponential\", mean = \"10h\" }\n",
    );
    let mut names = Vec::new();
    for p in 0..pools {
        t += &format!(
            "[nodes.n{p}]\ncount = 10\n[roles.pool{p}]\nkind = \"pool\"\non = \"n{p}\"\nmin_up = 8\n"
        );
        names.push(format!("\"pool{p}\""));
    }
    t += &format!("[services.all]\nall_of = [{}]\n", names.join(", "));
    nines::scenario::compile(&t, "bench.toml").expect("valid bench scenario")
}

/// `clusters` 4-node failover clusters, nodes in racks of 4 (one rack per cluster), repaired by a crew
/// (4 technicians per 100 nodes) with a dispatch delay, patched monthly one node at a time; each cluster role has
/// software failures and imperfect coverage, and a service needs all clusters.
pub fn ha(clusters: usize) -> Model {
    let mut t = String::from(
        r#"[simulation]
mission = "1y"
seed = 1
[defaults]
failure = { dist = "exponential", mean = "1000h" }
repair = { dist = "exponential", mean = "10h" }
[crews.ops]
dispatch = { dist = "exponential", mean = "1h" }
"#,
    );
    // Four technicians per 100 nodes keep the crew's load (about 1.1 busy per 100 nodes) the same at
    // every size, so that events per component do not change with the size.
    t += &format!("technicians = {}\n", 4 * clusters.div_ceil(25));
    let mut names = Vec::new();
    for c in 0..clusters {
        t += &format!(
            r#"[domains.rack{c}]
failure = {{ dist = "exponential", mean = "5y" }}
repair = {{ dist = "exponential", mean = "4h" }}
[nodes.h{c}]
count = 4
in = "rack{c}"
crew = "ops"
[roles.vm{c}]
kind = "cluster"
on = "h{c}"
failover = {{ dist = "lognormal", mean = "3min", sigma = 0.5 }}
coverage = 0.98
manual_recovery = {{ dist = "exponential", mean = "1h" }}
software = {{ failure = {{ dist = "exponential", mean = "60d" }}, restart = {{ dist = "fixed", value = "2min" }}, restart_success = 0.9 }}
[maintenance.patch{c}]
every = "30d"
duration = "2h"
offset = "{}h"
role = "vm{c}"
rolling = true
"#,
            c % 24
        );
        names.push(format!("\"vm{c}\""));
    }
    t += &format!("[services.all]\nall_of = [{}]\n", names.join(", "));
    nines::scenario::compile(&t, "bench-ha.toml").unwrap_or_else(|e| panic!("{e}"))
}

/// A 5-node pool behind a load balancer with three request kinds, for `clients` clients polling every hour
/// over 10 years: the cost must not depend on the number of clients. The pool's instances serve 400
/// requests per second each (a million clients offer 1400 per second: they queue, and saturate the
/// pool with three instances up or fewer), and failed policy polls are cached until a later poll
/// delivers them.
pub fn clients(clients: usize) -> Model {
    let t = format!(
        r#"[simulation]
mission = "10y"
seed = 1
[defaults]
failure = {{ dist = "exponential", mean = "2000h" }}
repair = {{ dist = "lognormal", mean = "8h", sigma = 0.8 }}
[nodes.mp]
count = 5
[nodes.lb]
[roles.balancer]
kind = "standalone"
on = "lb"
[roles.management_points]
kind = "pool"
on = "mp"
requires = ["balancer"]
capacity = "400/s"
[clients.desktops]
count = {clients}
[clients.desktops.requests.policy]
target = "management_points"
every = "1h"
selection = "random"
timeout = "30s"
response = {{ dist = "lognormal", mean = "200ms", sigma = 0.5 }}
max_attempts = 3
backoff = "1min"
when_all_fail = "cache"
[clients.desktops.requests.status]
target = "management_points"
every = "15min"
selection = "round_robin"
timeout = "10s"
response = {{ dist = "exponential", mean = "50ms" }}
[clients.desktops.requests.inventory]
target = "management_points"
every = "1d"
selection = "ordered"
timeout = "1min"
response = {{ dist = "fixed", value = "2s" }}
max_attempts = 5
"#
    );
    nines::scenario::compile(&t, "bench-clients.toml").unwrap_or_else(|e| panic!("{e}"))
}

/// The 50-component scenario of the comparison with CERN's AvailSim4 (issue 17): ten 2-of-3 pools and
/// five 1-of-4 pools in series, exponential failures (mean 1000 h) and repairs (mean 10 h), 10-year
/// missions.
pub fn availsim50() -> Model {
    let mut t = String::from(
        "[simulation]\nmission = \"10y\"\nseed = 1\n[defaults]\nfailure = { dist = \"exponential\", mean = \"1000h\" }\nrepair = { dist = \"exponential\", mean = \"10h\" }\n",
    );
    let mut names = Vec::new();
    for (p, (count, min_up)) in std::iter::repeat_n((3, 2), 10)
        .chain(std::iter::repeat_n((4, 1), 5))
        .enumerate()
    {
        t += &format!(
            "[nodes.n{p}]\ncount = {count}\n[roles.pool{p}]\nkind = \"pool\"\non = \"n{p}\"\nmin_up = {min_up}\n"
        );
        names.push(format!("\"pool{p}\""));
    }
    t += &format!("[services.all]\nall_of = [{}]\n", names.join(", "));
    nines::scenario::compile(&t, "bench-availsim50.toml").expect("valid bench scenario")
}

/// A bench scenario by name (`pools/1000`, `ha/1250`, `clients/100`, `availsim50`), for the command-line
/// tools of the benches.
pub fn by_name(name: &str) -> Option<Model> {
    let (family, size) = name.split_once('/').unwrap_or((name, ""));
    let size: usize = if size.is_empty() {
        0
    } else {
        size.parse().ok()?
    };
    match family {
        "pools" if size.is_multiple_of(10) && size > 0 => Some(pools(size / 10)),
        "ha" if size.is_multiple_of(5) && size > 0 => Some(ha(size / 5)),
        "clients" if size > 0 => Some(clients(size)),
        "availsim50" => Some(availsim50()),
        _ => None,
    }
}
