//! Bench helpers: fixtures and the baselines tsvm is compared with, shared by the criterion benches
//! in `benches/benches/` and the `memory` binary. Run the benches with `cargo bench -p tsvm-benches`
//! (see `benches/README.md`).
//!
//! Every baseline here does the same work as the tsvm path it is compared with, and the crate's
//! tests check that it computes the same result (events and diff), so a ratio compares like with like.

mod engine;
pub mod fairness;
pub mod fixtures;
pub mod generate;
pub mod kernels;
pub mod native;
pub mod plain;
pub mod rss;

pub use engine::{plain_engine, tsvm_like_config};

#[cfg(test)]
mod tests;
