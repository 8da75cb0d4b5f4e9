#!/usr/bin/env bash
# Quick start, part two: the whole test suite. Installs what is missing, checks formatting and
# lints, builds the runner and components, starts a private test database (its own cluster, so a
# running dev hub is not disturbed), runs every test and prints "N passed, N failed".
set -uo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"

log_dir="$repo/tests/output"
mkdir -p "$log_dir"
failures=0
step() { echo "== $*" >&2; }

set -e
# Chromium and schemathesis too: the browser tests (tests/tests/browser.rs) and the property-based
# API tests (tests/tests/schemathesis.rs) are part of the suite.
HUB_SETUP_BROWSER=1 HUB_SETUP_SCHEMATHESIS=1 scripts/setup.sh
set +e

step "cargo fmt --check"
cargo fmt --all --check || failures=$((failures + 1))
step "frontend: tsc --noEmit, eslint"
if [[ -f static/package.json ]]; then
    (cd static && npm run --silent typecheck) || failures=$((failures + 1))
    (cd static && npm run --silent lint) || failures=$((failures + 1))
fi

step "build, with clippy's lints (-D warnings) on every workspace crate"
# One compile of the dependency tree: clippy-driver wraps rustc for the workspace's own crates
# (RUSTC_WORKSPACE_WRAPPER, exactly what `cargo clippy` sets), so the release build that the
# tests run is also the lint pass, for the wasm components and every native target `cargo test`
# builds (libraries, binaries, tests). A lint error fails the build like a compile error.
RUSTC_WORKSPACE_WRAPPER="$(rustup which clippy-driver)"
CLIPPY_ARGS="-D__CLIPPY_HACKERY__warnings__CLIPPY_HACKERY__"
export RUSTC_WORKSPACE_WRAPPER CLIPPY_ARGS
if ! { scripts/build.sh && cargo build --quiet --target wasm32-wasip2 --release -p hub-conformance; }; then
    echo
    echo "0 passed, $((failures + 1)) failed"
    exit 1
fi
set -e

step "test database"
export HUB_DATA_DIR="$repo/.data/test"
export HUB_PG_FAST=1
# The port: HUB_TEST_PG_PORT if set; else the port this checkout's test cluster already runs on;
# else the first free one from 54339 (another checkout's tests may hold 54339).
port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
if [[ -n "${HUB_TEST_PG_PORT:-}" ]]; then
    HUB_PG_PORT="$HUB_TEST_PG_PORT"
elif scripts/pg.sh status >/dev/null 2>&1 && [[ -r "$HUB_DATA_DIR/pg/postmaster.pid" ]]; then
    HUB_PG_PORT="$(sed -n 4p "$HUB_DATA_DIR/pg/postmaster.pid")"
else
    HUB_PG_PORT=54339
    while port_in_use "$HUB_PG_PORT" && ((HUB_PG_PORT < 54399)); do
        HUB_PG_PORT=$((HUB_PG_PORT + 1))
    done
fi
export HUB_PG_PORT
scripts/pg.sh start >/dev/null
HUB_TEST_DB_URL="$(scripts/pg.sh url postgres)"
export HUB_TEST_DB_URL
set +e

step "cargo test"
# --release reuses what scripts/build.sh compiled (wasmtime is the bulk of the build): the same
# optimised code the hub runs, and a CI run well inside its budget.
cargo test --release --workspace --no-fail-fast 2>&1 | tee "$log_dir/cargo-test.log"
test_status=${PIPESTATUS[0]}

# Sum the "test result: ... N passed; M failed; ..." lines of every test binary.
read -r passed failed < <(awk '/^test result:/ {
        for (i = 1; i <= NF; i++) {
            if ($(i) ~ /^passed;?$/) p += $(i - 1)
            if ($(i) ~ /^failed;?$/) f += $(i - 1)
        }
    } END { print p + 0, f + 0 }' "$log_dir/cargo-test.log")
if [[ $test_status -ne 0 && $failed -eq 0 ]]; then
    # A build error or crash: no "test result" line for it.
    failed=1
fi
failed=$((failed + failures))
echo
echo "${passed} passed, ${failed} failed"
[[ $failed -eq 0 ]]
