//! The integration tests, one binary with a module per area: one link instead of thirty, which is
//! most of a fresh `cargo test`'s build time. Run one area with `cargo test --test suite AREA::`,
//! e.g. `cargo test --test suite golden::`; the slowest statistical checks are `#[ignore]`d and run
//! with `-- --include-ignored` (CI runs them).

mod common;

mod attribution;
mod bad_input;
mod balancer;
mod charts;
mod cli;
mod cli_exact;
mod cli_rare;
mod cli_tools;
mod compare;
mod compare_cli;
mod data_age;
mod delayed_fallback;
mod edge;
mod engine_properties;
mod exact;
mod exact_clients;
mod exact_clients_more;
mod exact_ha;
mod exact_phases;
mod exact_quorum;
mod exact_vmhost;
mod fit;
mod fuzz;
mod fuzz_state;
mod golden;
mod hardening;
mod hardening_outputs;
mod honest_numbers;
mod importance;
mod in_flight;
mod integrity;
mod issue20_measures;
mod latent;
mod links;
mod longrun;
mod markov;
mod phase_rates;
mod phases;
mod properties;
mod quorum_measures;
mod rare;
mod reassign;
mod report;
mod rolling;
mod scenario_clients;
mod scenario_ha;
mod scenario_library;
mod shards;
mod silent_witness;
mod spares;
mod split;
mod standby;
mod standby_pool;
mod tolerance;
mod unseen_cause;
mod visual;
