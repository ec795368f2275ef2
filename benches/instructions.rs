//! The workload of the instruction-count gate: `instructions BENCH REPS` simulates replications 0..REPS
//! of a bench scenario exactly as a run does (each replication recorded into its batch's accumulator,
//! batches merged in order) and prints the events simulated. `benches/instructions.sh` runs it under
//! valgrind's callgrind twice (REPS and 2 × REPS) and divides the difference in instructions by the
//! difference in events, so that building the model and the engine does not count.

use nines::engine::Engine;
use nines::estimate::accumulate::RunAcc;
use nines::estimate::runner::BATCH;

// Each bench uses only some of the shared scenarios.
#[allow(dead_code)]
mod scenarios;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    // `cargo bench` passes `--bench`; a bench that only prints its usage then is harmless.
    let (Some(name), Some(reps)) = (
        args.first(),
        args.get(1).and_then(|r| r.parse::<u64>().ok()),
    ) else {
        eprintln!("usage: instructions BENCH REPS   (BENCH: pools/N, ha/N, clients/N, availsim50)");
        return;
    };
    let Some(model) = scenarios::by_name(name) else {
        eprintln!("unknown bench {name}");
        std::process::exit(2);
    };
    let mut engine = Engine::new(&model);
    let mut total = RunAcc::new(&model);
    let mut batch = RunAcc::new(&model);
    for rep in 0..reps {
        engine.run(rep);
        batch.record(&engine, 1.0);
        if (rep + 1) % BATCH == 0 || rep + 1 == reps {
            total.merge(&batch);
            batch = RunAcc::new(&model);
        }
    }
    println!("events {}", total.events);
}
