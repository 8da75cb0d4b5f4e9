#!/usr/bin/env bash
# Benchmarks login (Argon2id inside the wasm component) and an authenticated request through
# hub-runner against a private PostgreSQL cluster, and rewrites the "Auth" section of
# docs/benchmarks.md (only the text between its marker comments). A benchmark, not a test:
# scripts/test.sh never runs it (the measuring code is the ignored test tests/tests/auth_bench.rs).
#
# Environment (all optional):
#   AUTH_BENCH_LOGINS    logins measured per worker (default 40)
#   AUTH_BENCH_SECONDS   measured seconds of the authenticated request per concurrency (default 10)
#   BENCH_SKIP_BUILD=1   use the binaries already in target/
#   BENCH_NO_DOCS=1      do not touch docs/benchmarks.md (the table stays in .data/bench-auth)
#
# The cluster lives in .data/bench-auth (127.0.0.1:54359); the script stops it if it started it.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"

data="$repo/.data/bench-auth"
docs="$repo/docs/benchmarks.md"
section=auth
table="$data/auth-bench.md"
log() { echo "bench-auth: $*" >&2; }

export HUB_DATA_DIR="$data" HUB_PG_PORT=54359
pg_started=0
cleanup() {
    local rc=$?
    if ((pg_started)); then scripts/pg.sh stop || true; fi
    exit "$rc"
}
trap cleanup EXIT

if [[ ${BENCH_SKIP_BUILD:-0} != 1 ]]; then
    scripts/build.sh
fi
pg_rc=0
scripts/pg.sh status 2>/dev/null || pg_rc=$?
if ((pg_rc != 0)); then pg_started=1; fi
scripts/pg.sh start
HUB_TEST_DB_URL="$(scripts/pg.sh url postgres)"
export HUB_TEST_DB_URL
mkdir -p "$data"

loadavg_start="$(cut -d' ' -f1-3 /proc/loadavg)"
log "measuring (cargo test -p hub-tests --test auth_bench -- --ignored)"
AUTH_BENCH_OUT="$table" cargo test --quiet -p hub-tests --test auth_bench -- --ignored --nocapture >&2
loadavg_end="$(cut -d' ' -f1-3 /proc/loadavg)"

if [[ ${BENCH_NO_DOCS:-0} == 1 ]]; then
    log "table in $table (docs untouched)"
    exit 0
fi

commit="$(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
if [[ -n "$(git status --porcelain 2>/dev/null | head -n1)" ]]; then
    commit="$commit (with uncommitted changes)"
fi
cpu="$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n1)"
pg_version="$(scripts/pg.sh psql -XtAc 'SHOW server_version' 2>/dev/null | head -n1 || echo unknown)"
section_file="$(mktemp)"
{
    echo "## Auth: login and an authenticated request"
    echo
    echo "Written by \`scripts/bench-auth.sh\` on $(date -u '+%Y-%m-%d %H:%M UTC'); re-run it rather than editing this section."
    echo
    echo "- Machine: $(nproc) CPUs ($cpu), Linux $(uname -r); load average $loadavg_start before, $loadavg_end after."
    echo "  The client, the runner and PostgreSQL share these CPUs; other work may have been running."
    echo "- Build: commit $commit, $(rustc --version | cut -d' ' -f1-2), release (runner native, components wasm32-wasip2)."
    echo "- Database: private PostgreSQL $pg_version cluster (\`.data/bench-auth\`), a fresh database with the migrations applied."
    echo "- Runner: \`hub-runner start -f spin.toml\` (defaults), one fresh component instance per request."
    echo "- \`POST /api/auth/login\`: throttle check, account lookup, Argon2id verification (19 MiB, t=2, p=1) inside"
    echo "  the wasm component, session + refresh token insert (one transaction), JWT signing, audit row."
    echo "  ${AUTH_BENCH_LOGINS:-40} logins per worker (N workers for concurrency N), each on a new connection, after 3 warm-up logins."
    echo "- \`GET /api/auth/me\` with a bearer token: JWT verification (HS256, all claims), the per-request check that"
    echo "  the user is active and the session live (one indexed SELECT), then the account's SELECT."
    echo "  Closed loop for ${AUTH_BENCH_SECONDS:-10} s per concurrency on pooled keep-alive connections, after 50 warm-up requests."
    echo "- Latency: send → complete response, nearest-rank percentiles over all samples."
    echo
    cat "$table"
} >"$section_file"

# shellcheck source=scripts/bench-docs.sh
. "$repo/scripts/bench-docs.sh"
write_bench_section "$docs" "$section" "$section_file"
log "wrote $docs"
