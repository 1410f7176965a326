//! Integration tests: one binary, one module per concern (`spec/` sections named in each).

mod battery;
mod block;
mod block_bundle;
mod c_kit;
mod canonical;
mod checkpoints;
mod conformance;
mod determinism;
mod engine_agreement;
mod examples;
mod fuzz_corpus;
mod gas;
mod host;
mod host_steps;
mod isolation;
mod properties;
mod script_abi;
mod sdk_host;
mod session;
mod spec_sync;
mod token_script;
mod trace;
mod vectors;
