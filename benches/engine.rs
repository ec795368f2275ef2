//! Engine throughput on pure failure/repair scenarios of 100 to 1000 nodes, in node events per second
//! on one core (criterion reports "elem/s" = events/s). Run with `cargo bench --bench engine`.

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use nines::engine::Engine;
use nines::model::Model;
use nines::summary::RunAcc;

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

fn engine(c: &mut Criterion) {
    let mut group = c.benchmark_group("node_events");
    for nodes in [100usize, 300, 1000] {
        let model = scenario(nodes / 10);
        let mut e = Engine::new(&model);
        let sample = 50;
        let events: u64 = (0..sample)
            .map(|r| {
                e.run(r);
                e.events()
            })
            .sum();
        group.throughput(Throughput::Elements(events / sample));
        group.bench_with_input(
            BenchmarkId::new("replication_1y", nodes),
            &model,
            |b, model| {
                let mut e = Engine::new(model);
                let mut acc = RunAcc::new(model);
                let mut rep = 0;
                b.iter(|| {
                    e.run(rep);
                    acc.record(&e, 1.0);
                    rep += 1;
                });
            },
        );
    }
    group.finish();
}

criterion_group!(benches, engine);
criterion_main!(benches);
