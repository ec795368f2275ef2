//! What is asked of a model beyond one run: the exact Markov solution, rare-event estimates
//! (importance sampling on the chain, importance splitting on the engine), layouts compared side by
//! side, parameter sweeps, and validate's plain-words description.

pub mod compare;
pub mod exact;
pub mod explain;
pub mod fit;
pub mod importance;
pub mod rare;
pub mod split;
pub mod sweep;
