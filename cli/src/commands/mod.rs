//! The subcommands of `tsvm`, one file each: a clap `Args` struct whose `run()` returns what to
//! print and the exit code ([`Output`](crate::exit::Output)), or a [`Failure`](crate::exit::Failure).
//!
//! To add a command: a file here with its struct and `run()`, a variant of `Command` in `main.rs`,
//! and a row in the README's command table.

pub mod bisect;
pub mod block;
pub mod diff;
pub mod executor;
pub mod gen_bundles;
pub mod inspect;
pub mod profile;
pub mod replay;
pub mod run;
pub mod test;
pub mod validate;

pub use bisect::BisectCmd;
pub use diff::DiffCmd;
pub use executor::ExecutorCmd;
pub use gen_bundles::GenBundlesCmd;
pub use inspect::InspectCmd;
pub use profile::ProfileCmd;
pub use replay::ReplayCmd;
pub use run::RunCmd;
pub use test::TestCmd;
pub use validate::ValidateCmd;
