#!/usr/bin/env bash
# Builds the runner (native, release) and every Spin component (wasm32-wasip2, release).
# Usage: scripts/build.sh [--components-only]
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"

# Every component package: the `package.name` of components/*/Cargo.toml.
packages=()
for manifest in components/*/Cargo.toml; do
    name="$(sed -n 's/^name = "\(.*\)"$/\1/p' "$manifest" | head -n1)"
    packages+=(-p "$name")
done

echo "build: $((${#packages[@]} / 2)) components" >&2
cargo build --quiet --target wasm32-wasip2 --release "${packages[@]}"
if [[ "${1:-}" != "--components-only" ]]; then
    echo "build: runner" >&2
    cargo build --quiet --release -p hub-runner
fi
