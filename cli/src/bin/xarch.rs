//! `tsvm-xarch <repo root> [modules dir]`: prints the cross-architecture digest
//! (`tsvm_cli::xarch`, `spec/determinism.md#across-machines`), one line per execution, for
//! `.ci/cross-arch` to compare between machines.

fn main() {
    let mut args = std::env::args().skip(1);
    let root = std::path::PathBuf::from(args.next().unwrap_or_else(|| ".".into()));
    let modules = args.next().map(std::path::PathBuf::from);
    match tsvm_cli::xarch::digest_all(&root, modules.as_deref()) {
        Ok(text) => print!("{text}"),
        Err(e) => {
            eprintln!("tsvm-xarch: {e}");
            std::process::exit(2);
        }
    }
}
