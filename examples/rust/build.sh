#!/usr/bin/env bash
# Builds the Rust example token scripts with the SDK's recommended build (sdk/README.md) and writes
# each to <out>/<name>.wasm (default: next to this script, where they are committed).
#
#   examples/rust/build.sh [OUT_DIR]
#
# Needs `rustup target add wasm32-unknown-unknown`. Reproducible: the same toolchain gives the same
# bytes wherever the checkout is (its path is remapped, and checked absent from the output);
# .ci/guests rebuilds and compares with the committed files.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
out=$(mkdir -p "${1:-$here}" && cd "${1:-$here}" && pwd)
names=(limit counter escrow vesting fee policy)

cd "$here"
# Merged after .cargo/config.toml's rustflags (arrays from --config are appended).
cargo build --release --locked \
  --config "target.wasm32-unknown-unknown.rustflags=['--remap-path-prefix=$root=/tsvm']"

target_dir=${CARGO_TARGET_DIR:-$here/target}
for n in "${names[@]}"; do
  wasm="$target_dir/wasm32-unknown-unknown/release/$n.wasm"
  if grep -qF "$root" "$wasm" || grep -qF "$HOME" "$wasm"; then
    echo "build.sh: $n.wasm contains a local path: the build is not reproducible" >&2
    exit 1
  fi
  cp "$wasm" "$out/$n.wasm"
  printf '%-8s %6d bytes\n' "$n" "$(wc -c < "$out/$n.wasm")"
done
