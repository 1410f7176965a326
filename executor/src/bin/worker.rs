//! `tsvm-worker`: the sandboxed executor process (`spec/executor.md#worker`). It runs the VM and
//! nothing else; the node's pool (`tsvm_executor::Pool`) spawns it.

fn main() {
    std::process::exit(tsvm_executor::worker::main());
}
