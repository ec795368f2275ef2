//! Engine throughput in events per second on one core (criterion reports "elem/s" = events/s):
//! pure failure/repair pools of 100 to 1000 nodes, and failover clusters with racks, a shared crew,
//! rolling maintenance and software failures. Run with `cargo bench --bench engine`.

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use nines::engine::Engine;
use nines::estimate::accumulate::RunAcc;
use nines::model::Model;

// Each bench uses only some of the shared scenarios.
#[allow(dead_code)]
mod scenarios;

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

fn clients(c: &mut Criterion) {
    measure(c, "client_events", &[100, 1_000_000], scenarios::clients);
}

fn ha(c: &mut Criterion) {
    measure(c, "ha_events", &[25, 250], scenarios::ha);
}

fn engine(c: &mut Criterion) {
    measure(c, "node_events", &[10, 30, 100], scenarios::pools);
}

criterion_group!(benches, engine, ha, clients);
criterion_main!(benches);
