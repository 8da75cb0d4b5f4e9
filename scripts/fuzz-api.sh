#!/usr/bin/env bash
# The long profile of the property-based API tests: schemathesis against every operation of
# docs/openapi.yaml, every phase (stateful included), many examples, until a time budget is
# spent; with the checks and the seeded resources of the bounded run in scripts/test.sh
# (tests/src/schemathesis.rs has both). Writes its reports (output.txt, report.json, junit.xml,
# the schemathesis.toml it ran with) to .data/fuzz-api/<time>-seed<seed>/ and exits non-zero
# when a check failed.
#
# Usage: scripts/fuzz-api.sh [SEED]
# Environment:
#   HUB_FUZZ_SEED       the seed (default: the argument, else a random one; printed, to replay a run)
#   HUB_FUZZ_MAX_TIME   seconds the run may generate requests (default 600)
#   HUB_FUZZ_EXAMPLES   test cases per operation and phase (default 200)
#   HUB_FUZZ_WORKERS    concurrent requests (default 2)
#   HUB_FUZZ_URL        a running hub (e.g. http://127.0.0.1:3000 from scripts/run.sh) instead of a
#                       freshly spawned one; a new user registers there (open registration), or
#   HUB_FUZZ_EMAIL, HUB_FUZZ_PASSWORD  an existing account logs in
#   HUB_TEST_DB_URL     for a spawned hub: the PostgreSQL to create its database on (default: the
#                       test cluster, .data/test on port HUB_PG_PORT or 54339, started if needed)
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"

seed=${HUB_FUZZ_SEED:-${1:-}}
if [[ -z $seed ]]; then
    seed=$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')
fi
[[ $seed =~ ^[0-9]+$ ]] || { echo "fuzz-api: the seed must be a whole number: $seed" >&2; exit 2; }
report_dir="$repo/.data/fuzz-api/$(date -u +%Y%m%dT%H%M%SZ)-seed$seed"

HUB_SETUP_SCHEMATHESIS=1 scripts/setup.sh

# The same lint wrapper as scripts/test.sh, so that both share one build.
RUSTC_WORKSPACE_WRAPPER="$(rustup which clippy-driver)"
CLIPPY_ARGS="-D__CLIPPY_HACKERY__warnings__CLIPPY_HACKERY__"
export RUSTC_WORKSPACE_WRAPPER CLIPPY_ARGS

if [[ -z ${HUB_FUZZ_URL:-} ]]; then
    scripts/build.sh
    if [[ -z ${HUB_TEST_DB_URL:-} ]]; then
        export HUB_DATA_DIR="$repo/.data/test" HUB_PG_FAST=1 HUB_PG_PORT=${HUB_PG_PORT:-54339}
        scripts/pg.sh start >/dev/null
        HUB_TEST_DB_URL="$(scripts/pg.sh url postgres)"
        export HUB_TEST_DB_URL
    fi
fi

echo "fuzz-api: seed $seed, up to ${HUB_FUZZ_MAX_TIME:-600} s, against ${HUB_FUZZ_URL:-a fresh hub}; reports in $report_dir" >&2
status=0
HUB_FUZZ_SEED=$seed HUB_FUZZ_REPORT_DIR=$report_dir \
    cargo test --release -p hub-tests --test schemathesis -- --ignored --exact fuzz_api --nocapture \
    || status=$?
if ((status == 0)); then
    echo "fuzz-api: passed (seed $seed); reports in $report_dir" >&2
else
    echo "fuzz-api: FAILED (seed $seed; replay with scripts/fuzz-api.sh $seed); reports in $report_dir" >&2
fi
exit "$status"
