#!/usr/bin/env bash
# The linker of the recommended build (.cargo/config.toml): rust-lld as wasm-ld, minus the two
# `--export=__data_end --export=__heap_base` rustc always passes for wasm32-unknown-unknown. The
# determinism profile refuses exported globals (spec/determinism.md#exports), and wasm-ld has no
# option that takes an export back, so the build drops them here (sdk/README.md#the-recommended-build).
set -euo pipefail
args=()
for a in "$@"; do
  case "$a" in
    --export=__data_end | --export=__heap_base) ;;
    *) args+=("$a") ;;
  esac
done
host=$(rustc -vV | sed -n 's/^host: //p')
exec "$(rustc --print sysroot)/lib/rustlib/$host/bin/rust-lld" "${args[@]}"
