//! Engine throughput in events per second on one core (criterion reports "elem/s" = events/s):
//! pure failure/repair pools of 100 to 1000 nodes, and failover clusters with racks, a shared crew,
//! rolling maintenance and software failures. Run with `cargo bench --bench engine`.

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use nines::engine::Engine;
use nines::estimate::accumulate::RunAcc;
use nines::model::Model;

/// `pools` pools of 10 nodes each (8-of-10), all required by one service.
fn scenario(pools: usize) -> Model {
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
fn ha_scenario(clusters: usize) -> Model {
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

fn measure(c: &mut Criterion, group: &str, sizes: &[usize], build: fn(usize) -> Model) {
    let mut group = c.benchmark_group(group);
    for &n in sizes {
        let model = build(n);
        let components = model.components.len();
        let mut e = Engine::new(&model);
        let sample = 50;
        let events: u64 = (0..sample)
            .map(|r| {
                e.run(r);
                e.events()
            })
            .sum();
        group.throughput(Throughput::Elements(events / sample));
        let id = if model.requests.is_empty() {
            BenchmarkId::new("replication_1y", components)
        } else {
            BenchmarkId::new("replication_10y_clients", n)
        };
        group.bench_with_input(id, &model, |b, model| {
            let mut e = Engine::new(model);
            let mut acc = RunAcc::new(model);
            let mut rep = 0;
            b.iter(|| {
                e.run(rep);
                acc.record(&e, 1.0);
                rep += 1;
            });
        });
    }
    group.finish();
}

/// A 5-node pool behind a load balancer with three request kinds, for `clients` clients polling every hour
/// over 10 years: the cost must not depend on the number of clients. The pool's instances serve 400
/// requests per second each (a million clients offer 1400 per second: they queue, and saturate the
/// pool with three instances up or fewer), and failed policy polls are cached until a later poll
/// delivers them.
fn clients_scenario(clients: usize) -> Model {
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

fn clients(c: &mut Criterion) {
    measure(c, "client_events", &[100, 1_000_000], clients_scenario);
}

fn ha(c: &mut Criterion) {
    measure(c, "ha_events", &[25, 250], ha_scenario);
}

fn engine(c: &mut Criterion) {
    measure(c, "node_events", &[10, 30, 100], scenario);
}

criterion_group!(benches, engine, ha, clients);
criterion_main!(benches);
