//! Hints for the violations toolchains produce by default: what most likely caused one and how to
//! build without it. Display text only: a hint is never consensus data, and its wording may change
//! (`spec/determinism.md#toolchain-hints`).

/// A start section: nothing runs one, and toolchains add it silently.
pub(crate) const START_FUNCTION: &str = "your toolchain added a start function: AssemblyScript's \
    allocator, C constructors; tsvm runs none, so build without it (no C/C++ constructors, \
    AssemblyScript's --exportStart)";

/// The hint for a forbidden function import `module.name`, if a toolchain is its likely source.
pub(crate) fn import(module: &str, name: &str) -> Option<&'static str> {
    if module != "env" {
        return None;
    }
    Some(match name {
        "memcpy" | "memmove" | "memset" | "memcmp" => {
            "the compiler called a libc memory function: use -mbulk-memory (memory.copy and \
             memory.fill are allowed) or define memcpy/memset in the module"
        }
        "__multi3" | "__udivti3" | "__umodti3" | "__divti3" | "__modti3" | "__udivmodti4" => {
            "u128 multiply/divide needs the SDK helper: tsvm_kit.h u128_mul and u128_div (C) or \
             tsvm-sdk's Amount (Rust), not compiler-rt"
        }
        "abort" => {
            "AssemblyScript's abort handler: pass --use abort= (or define abort) so it is not imported"
        }
        _ => {
            "an `env` import is a symbol your toolchain left undefined (a libc or compiler-rt \
             function): define it in the module; only host functions from `tsvm` may be imported"
        }
    })
}

/// The hint for an exported global `name`, if a toolchain is its likely source.
pub(crate) fn exported_global(name: &str) -> Option<&'static str> {
    matches!(name, "__data_end" | "__heap_base" | "__stack_pointer" | "__dso_handle" | "__global_base")
        .then_some(
            "the linker exported its layout globals: use the SDK's recommended build: it drops them \
             (lld: no --export-dynamic, no --export=__heap_base; rustc: the SDK's profile)",
        )
}
