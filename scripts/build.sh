#!/usr/bin/env bash
# Builds the runner and the hub's command-line tool `hub` (native, release) and every Spin
# component (wasm32-wasip2, release).
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

# The web app (static/ -> static/site/, the folder the static component serves): rebuilt when a
# source, the lockfile or the build configuration is newer than the last build. Its npm
# dependencies come from scripts/setup.sh (npm ci), installed here when missing.
build_frontend() {
    local dir=static stamp=static/site/index.html
    [[ -f $dir/package.json ]] || return 0
    if [[ ! -d $dir/node_modules ]]; then
        HUB_SETUP_BROWSER=0 scripts/setup.sh
    fi
    if [[ -f $stamp ]] && [[ -z $(find "$dir/src" "$dir/public" "$dir/index.html" "$dir/package.json" \
        "$dir/package-lock.json" "$dir/vite.config.ts" "$dir/tsconfig.json" -newer "$stamp" -print -quit 2>/dev/null) ]]; then
        return 0
    fi
    echo "build: web app (static/ -> static/site/)" >&2
    (cd "$dir" && npm run --silent build -- --logLevel warn)
}
build_frontend

echo "build: $((${#packages[@]} / 2)) components" >&2
cargo build --quiet --target wasm32-wasip2 --release "${packages[@]}"
if [[ "${1:-}" != "--components-only" ]]; then
    echo "build: runner, hub tool" >&2
    cargo build --quiet --release -p hub-runner -p hub-cli
fi
