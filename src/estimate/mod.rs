//! Many missions: per-replication accumulators and the estimates with intervals drawn from them, the
//! batch runner, long runs (precision targets, checkpoints, resume), shards and their merge.

pub mod accumulate;
pub mod attribution;
pub mod checkpoint;
pub mod precision;
pub mod runner;
pub mod shards;
pub mod summary;
