//! Modules for the cross-architecture digest (`.ci/cross-arch`, `spec/determinism.md#across-machines`):
//! the modules the `execute` and `validate` seed corpora generate (as their oracles derive them) and
//! modules generated for the profile from seeded bytes, written as `.wasm` files once, natively, so
//! every machine executes the same bytes.

use crate::oracles::{generate, FUZZ_GAS};
use arbitrary::Unstructured;
use std::path::Path;

/// Writes the corpus modules and `count` seeded ones into `out`; returns how many it wrote.
///
/// # Errors
/// If a corpus cannot be read or a module cannot be written.
pub fn write_modules(root: &Path, out: &Path, count: u64) -> std::io::Result<usize> {
    std::fs::create_dir_all(out)?;
    let mut written = 0;
    for target in ["execute", "validate"] {
        let mut files: Vec<_> = std::fs::read_dir(root.join("tests/corpus").join(target))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .collect();
        files.sort();
        for path in files {
            let data = std::fs::read(&path)?;
            let module = if target == "execute" {
                let mut u = Unstructured::new(&data);
                let _gas: arbitrary::Result<u64> = u.int_in_range(0..=FUZZ_GAS);
                generate::profile_module(&mut u).ok()
            } else {
                match data.split_first() {
                    Some((b, rest)) if b % 2 == 1 => generate::any_module(&mut Unstructured::new(rest)).ok(),
                    Some((_, rest)) => Some(rest.to_vec()),
                    None => None,
                }
            };
            if let Some(code) = module {
                let name = path.file_name().unwrap_or_default().to_string_lossy();
                std::fs::write(out.join(format!("corpus-{target}-{name}.wasm")), code)?;
                written += 1;
            }
        }
    }
    for seed in 0..count {
        let mut bytes = vec![0u8; 4096];
        blake3::Hasher::new().update(&seed.to_le_bytes()).finalize_xof().fill(&mut bytes);
        if let Ok(code) = generate::profile_module(&mut Unstructured::new(&bytes)) {
            std::fs::write(out.join(format!("gen-{seed:05}.wasm")), code)?;
            written += 1;
        }
    }
    Ok(written)
}
