//! `xarch-gen <repo root> <out dir> <count>`: writes the modules of the cross-architecture digest
//! (`tsvm_tests::xarch_gen`).

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [root, out, count] = args.as_slice() else {
        eprintln!("usage: xarch-gen <repo root> <out dir> <count>");
        std::process::exit(2);
    };
    let count = count.parse().unwrap_or(0);
    match tsvm_tests::xarch_gen::write_modules(root.as_ref(), out.as_ref(), count) {
        Ok(n) => eprintln!("xarch-gen: {n} modules in {out}"),
        Err(e) => {
            eprintln!("xarch-gen: {e}");
            std::process::exit(2);
        }
    }
}
