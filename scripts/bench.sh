#!/usr/bin/env bash
# Benchmarks GET /api/health through hub-runner (closed-loop load at a few concurrencies, then
# startup time) against a private PostgreSQL cluster, and rewrites the "Health endpoint through
# the runner" section of docs/benchmarks.md (only the text between its marker comments).
# A benchmark, not a test: scripts/test.sh never runs it.
#
# Usage: scripts/bench.sh
#
# Environment (all optional):
#   BENCH_WARMUP        warm-up seconds before each load run (default 3)
#   BENCH_DURATION      measured seconds of each load run (default 15)
#   BENCH_CONCURRENCY   concurrencies to run, space-separated (default "1 16")
#   BENCH_STARTUP_RUNS  measured warm-cache startups (default 5)
#   BENCH_COLD_RUNS     measured empty-cache startups (default 1; 0 skips them)
#   BENCH_SKIP_BUILD=1  use the binaries already in target/
#   BENCH_NO_DOCS=1     do not touch docs/benchmarks.md (results stay in .data/bench/results)
#   HUB_LOG             the runner's log filter (default info: one line per request, to a file)
#
# Everything lives in .data/bench (cluster on 127.0.0.1:54349, compile cache, results, runner log);
# the script stops what it started (runner, and the cluster unless it was already running).
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"

warmup=${BENCH_WARMUP:-3}
duration=${BENCH_DURATION:-15}
concurrencies=${BENCH_CONCURRENCY:-1 16}
startup_runs=${BENCH_STARTUP_RUNS:-5}
cold_runs=${BENCH_COLD_RUNS:-1}
pg_port=54349
data="$repo/.data/bench"
results="$data/results"
docs="$repo/docs/benchmarks.md"
section=health-runner
runner=target/release/hub-runner
bench=target/release/hub-bench

log() { echo "bench: $*" >&2; }
die() {
    echo "bench: error: $*" >&2
    exit 1
}

export HUB_DATA_DIR="$data" HUB_PG_PORT="$pg_port"

runner_pid=""
pg_started=0
cleanup() {
    local rc=$?
    if [[ -n $runner_pid ]] && kill -0 "$runner_pid" 2>/dev/null; then
        kill -TERM "$runner_pid" 2>/dev/null || true
        for _ in $(seq 100); do kill -0 "$runner_pid" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$runner_pid" 2>/dev/null || true
        wait "$runner_pid" 2>/dev/null || true
    fi
    if ((pg_started)); then scripts/pg.sh stop || true; fi
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---- build -------------------------------------------------------------------------------------
if [[ ${BENCH_SKIP_BUILD:-0} != 1 ]]; then
    scripts/build.sh
    log "build: hub-bench"
    cargo build --quiet --release -p hub-bench
fi
[[ -x $runner && -x $bench ]] || die "missing $runner or $bench (build first)"

# ---- database ----------------------------------------------------------------------------------
pg_rc=0
scripts/pg.sh status 2>/dev/null || pg_rc=$?
if ((pg_rc != 0)); then pg_started=1; fi
scripts/pg.sh start
SPIN_VARIABLE_DB_URL="$(scripts/pg.sh url)"
export SPIN_VARIABLE_DB_URL SPIN_VARIABLE_DB_HOST="127.0.0.1:$pg_port"
# The app requires a token signing key; any 32+ random bytes do for measuring.
SPIN_VARIABLE_JWT_SECRET="$(od -An -tx1 -N32 /dev/urandom | tr -d ' \n')"
export SPIN_VARIABLE_JWT_SECRET
"$runner" migrate --dir migrations >&2
pg_pid="$(head -n1 "$data/pg/postmaster.pid")"

# ---- runner ------------------------------------------------------------------------------------
mkdir -p "$results"
rm -f "$results"/*.json
log "starting: hub-runner start -f spin.toml --listen 127.0.0.1:0 --cache-dir $data/wasm-cache"
# shellcheck source=scripts/bench-docs.sh
. "$repo/scripts/bench-docs.sh"
bench_start_runner "$data" || die "no runner"
url="http://$addr/api/health"
log "runner pid $runner_pid on $addr"

status="$(curl -sS -o "$results/health.json" -w '%{http_code}' "$url")" || die "GET $url failed"
[[ $status == 200 ]] || die "GET $url answered $status: $(cat "$results/health.json")"
log "health: $(cat "$results/health.json")"

# ---- load --------------------------------------------------------------------------------------
load_files=()
loadavg_start="$(cut -d' ' -f1-3 /proc/loadavg)"
for c in $concurrencies; do
    log "load: concurrency $c, ${warmup} s warm-up + ${duration} s"
    "$bench" load --url "$url" --concurrency "$c" --duration "$duration" --warmup "$warmup" \
        --server-pid "$runner_pid" --db-pid "$pg_pid" >"$results/load-c$c.json"
    load_files+=("$results/load-c$c.json")
    "$bench" report load "$results/load-c$c.json" | tail -n1 >&2
done
kill -0 "$runner_pid" 2>/dev/null || die "the runner died during the load (see $data/runner.log)"
loadavg_end="$(cut -d' ' -f1-3 /proc/loadavg)"
runner_errors="$(grep -cE ' (ERROR|WARN) ' "$data/runner.log" || true)"

log "stopping the runner"
kill -TERM "$runner_pid"
wait "$runner_pid" 2>/dev/null || true
runner_pid=""

# ---- startup -----------------------------------------------------------------------------------
log "startup: $startup_runs warm + $cold_runs cold runs"
"$bench" startup --runner "$runner" --manifest spin.toml --url-path /api/health \
    --runs "$startup_runs" --cold-runs "$cold_runs" --cache-dir "$data/wasm-cache" \
    >"$results/startup.json"

# ---- docs --------------------------------------------------------------------------------------
if [[ ${BENCH_NO_DOCS:-0} == 1 ]]; then
    log "results in $results (docs untouched)"
    exit 0
fi

mem="$(awk '/^MemTotal:/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)"
cpu="$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n1)"
commit="$(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
if [[ -n "$(git status --porcelain 2>/dev/null | head -n1)" ]]; then
    commit="$commit (with uncommitted changes)"
fi
if [[ ${BENCH_SKIP_BUILD:-0} == 1 ]]; then
    commit="$commit, binaries not rebuilt (as found in target/, built $(date -u -r "$runner" '+%H:%M UTC'))"
fi
pg_version="$(scripts/pg.sh psql -XtAc 'SHOW server_version' 2>/dev/null | head -n1 || echo unknown)"
body_bytes="$(sed -n 's/^ *"mean_body_bytes": \([0-9]*\).*/\1/p' "${load_files[0]}" | head -n1)"

section_file="$(mktemp)"
{
    echo "## Health endpoint through the runner"
    echo
    echo "Written by \`scripts/bench.sh\` on $(date -u '+%Y-%m-%d %H:%M UTC'); re-run it rather than editing this section."
    echo
    echo "### Method"
    echo
    echo "- Machine: $(nproc) CPUs ($cpu), $mem memory, Linux $(uname -r); load average $loadavg_start before the load runs, $loadavg_end after."
    echo "  The load generator, the runner and PostgreSQL share these CPUs, and other work may have been running on the machine."
    echo "- Build: commit $commit, $(rustc --version | cut -d' ' -f1-2), release profile (runner native, components wasm32-wasip2)."
    echo "- Database: private PostgreSQL $pg_version cluster (\`.data/bench\`, 127.0.0.1:$pg_port, default durability settings), migrations applied."
    echo "- Runner: \`hub-runner ${runner_flags[*]/#$data/.data/bench}\` (other flags at their defaults;"
    echo "  log filter \`${HUB_LOG:-info}\`, i.e. one log line per request, written to a file)."
    echo "- Request: \`GET /api/health\`: the runner routes it to a fresh instance of the \`admin\` component, which takes a"
    echo "  connection from the runner's pool (16 per address; deadpool's \`Clean\` recycling, as Spin does) and runs one"
    echo "  \`SELECT\` (latest \`schema_migrations\` version, pgvector's version) through \`spin:postgres\`: three round trips to"
    echo "  PostgreSQL (the recycle batch \`CLOSE ALL; … DISCARD SEQUENCES\`, prepare, bind/execute). It answers 200 with a"
    echo "  JSON body of ${body_bytes:-?} bytes."
    echo "- Load: \`hub-bench load\`, closed loop: N workers, one keep-alive HTTP/1.1 connection each, each sending the next"
    echo "  request as soon as the previous body is read; ${warmup} s warm-up (not recorded), then ${duration} s measured."
    echo "  A request counts in the window it starts in; req/s = requests / (window start → last response)."
    echo "  Latency is send → last body byte of 2xx responses; percentiles are exact (nearest rank over all samples)."
    echo "  Errors are non-2xx answers, transport errors and timeouts (30 s)."
    echo "- CPU (from /proc, over the measured window): user+system CPU time of the runner process and of PostgreSQL"
    echo "  (postmaster and its children) per request; the load generator's own use; how busy all the machine's CPUs were"
    echo "  (what exceeds the sum of the three is other work on the machine); and the time the runner's threads and"
    echo "  PostgreSQL's processes spent runnable but waiting for a CPU (summed over threads/processes; the window is"
    echo "  ${duration} s), which is what CPU contention adds to latency."
    echo
    echo "### Results"
    echo
    "$bench" report load "${load_files[@]}"
    echo
    "$bench" report load-cpu "${load_files[@]}"
    echo
    echo "The runner logged $runner_errors warning/error lines while it served these runs. With more requests in flight"
    echo "than CPUs, the tail (p99, max) mostly measures how long the runner's threads and PostgreSQL's backends wait"
    echo "for a CPU; compare the last two columns between runs before reading a change in it as a regression."
    echo
    echo "### Startup"
    echo
    echo "\`hub-bench startup\` spawns \`hub-runner start -f spin.toml --listen 127.0.0.1:0 --cache-dir DIR\`, times the"
    echo "\`hub-runner listening on http://ADDR\` line on its stdout (the components are compiled or loaded from the cache,"
    echo "linked and pre-instantiated by then), then sends \`GET /api/health\` every 5 ms until the first 200; both times"
    echo "are measured from the spawn. Warm: the persistent cache \`.data/bench/wasm-cache\`, primed by one unmeasured run;"
    echo "cold: a new, empty cache folder per run (every component compiled). Each run is stopped with SIGTERM."
    echo
    "$bench" report startup "$results/startup.json"
} >"$section_file"

# shellcheck source=scripts/bench-docs.sh
. "$repo/scripts/bench-docs.sh"
write_bench_section "$docs" "$section" "$section_file"
log "wrote $docs (raw results in $results)"
