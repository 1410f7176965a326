//! The `tsvm` command line.
fn main() {}
