#!/usr/bin/env bash
# Benchmarks streamed chat answers: what the hub (runner, `chat` component, PostgreSQL) adds to
# the time to first token and to the end of the answer over the same streaming request sent
# straight to the fake OpenAI provider, at concurrency 1, 16 and 32, with and without a delay
# between the provider's chunks, and whether every stream arrived whole and was stored. Rewrites
# the "Chat streaming" section of docs/benchmarks.md (only the text between its marker
# comments). A benchmark, not a test: scripts/test.sh never runs it (the measuring code is the
# ignored test tests/tests/chat_bench.rs; `hub-bench report chat` renders its samples).
#
# Environment (all optional):
#   CHAT_BENCH_DELAY_MS  the fake provider's delay between chunks in the delayed runs (default 25)
#   CHAT_BENCH_CONCURRENCY  concurrencies, space-separated (default "1 16 32")
#   CHAT_BENCH_STREAMS   streams per run at concurrency 1 (default 100)
#   CHAT_BENCH_ROUNDS    streams per worker at the higher concurrencies (default 20)
#   CHAT_BENCH_UNTITLED  first exchanges of untitled chats, concurrency 1 (default 30; 0 skips)
#   BENCH_SKIP_BUILD=1   use the binaries already in target/
#   BENCH_NO_DOCS=1      do not touch docs/benchmarks.md (samples and tables stay in .data/bench-chat)
#
# The cluster lives in .data/bench-chat (127.0.0.1:54369); the script stops it if it started it.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"

data="$repo/.data/bench-chat"
docs="$repo/docs/benchmarks.md"
section=chat-streaming
samples="$data/chat-bench.json"
tables="$data/chat-bench.md"
bench=target/release/hub-bench
delay_ms=${CHAT_BENCH_DELAY_MS:-25}
streams=${CHAT_BENCH_STREAMS:-100}
rounds=${CHAT_BENCH_ROUNDS:-20}
untitled=${CHAT_BENCH_UNTITLED:-30}
concurrencies=${CHAT_BENCH_CONCURRENCY:-1 16 32}
export CHAT_BENCH_DELAY_MS="$delay_ms" CHAT_BENCH_STREAMS="$streams" CHAT_BENCH_ROUNDS="$rounds" \
    CHAT_BENCH_UNTITLED="$untitled" CHAT_BENCH_CONCURRENCY="$concurrencies"
log() { echo "bench-chat: $*" >&2; }
die() {
    echo "bench-chat: error: $*" >&2
    exit 1
}

export HUB_DATA_DIR="$data" HUB_PG_PORT=54369
pg_started=0
on_exit() {
    local rc=$?
    if ((pg_started)); then scripts/pg.sh stop || true; fi
    exit "$rc"
}
trap on_exit EXIT

if [[ ${BENCH_SKIP_BUILD:-0} != 1 ]]; then
    scripts/build.sh
    log "build: hub-bench"
    cargo build --quiet --release -p hub-bench
fi
[[ -x $bench ]] || die "missing $bench (build first)"

scripts/pg.sh status 2>/dev/null || pg_started=1
scripts/pg.sh start
HUB_TEST_DB_URL="$(scripts/pg.sh url postgres)"
export HUB_TEST_DB_URL
mkdir -p "$data"
# CPU snapshots around each run: the runner (found under the test process), PostgreSQL's
# postmaster and backends, the machine.
export CHAT_BENCH_CPU="$repo/$bench"
if [[ -r $data/pg/postmaster.pid ]]; then
    CHAT_BENCH_DB_PID="$(head -n1 "$data/pg/postmaster.pid")"
    export CHAT_BENCH_DB_PID
fi
# WAL fsync timing in pg_stat_wal (this private cluster only).
scripts/pg.sh psql -XtAqc "ALTER SYSTEM SET track_wal_io_timing = on" >/dev/null
scripts/pg.sh psql -XtAqc "SELECT pg_reload_conf()" >/dev/null
rm -f "$samples" "$tables"

log "build: the benchmark (cargo test --release --no-run -p hub-tests --test chat_bench)"
cargo test --release --quiet --no-run -p hub-tests --test chat_bench 2>&1 | grep -v '^ *Executable' >&2 || true
loadavg_start="$(cut -d' ' -f1-3 /proc/loadavg)"
started_at=$SECONDS
log "measuring (cargo test --release -p hub-tests --test chat_bench -- --ignored)"
test_rc=0
CHAT_BENCH_OUT="$samples" cargo test --release --quiet -p hub-tests --test chat_bench \
    -- --ignored --nocapture >&2 || test_rc=$?
loadavg_end="$(cut -d' ' -f1-3 /proc/loadavg)"
[[ -f $samples ]] || die "the benchmark wrote no samples (exit $test_rc)"
"$bench" report chat "$samples" >"$tables"
cat "$tables" >&2
((test_rc == 0)) || die "streams were lost or failed (exit $test_rc); docs untouched, tables in $tables"
log "measured in $((SECONDS - started_at)) s"

if [[ ${BENCH_NO_DOCS:-0} == 1 ]]; then
    log "tables in $tables (docs untouched)"
    exit 0
fi

commit="$(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
if [[ -n "$(git status --porcelain 2>/dev/null | head -n1)" ]]; then
    commit="$commit (with uncommitted changes)"
fi
if [[ ${BENCH_SKIP_BUILD:-0} == 1 ]]; then
    commit="$commit, binaries not rebuilt (as found in target/)"
fi
cpu="$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n1)"
mem="$(awk '/^MemTotal:/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)"
pg_version="$(scripts/pg.sh psql -XtAc 'SHOW server_version' 2>/dev/null | head -n1 || echo unknown)"
runs_text="concurrency 1: ${streams} streams one after the other"
for c in $concurrencies; do
    if ((c > 1)); then
        runs_text="$runs_text; concurrency $c: $c workers × ${rounds} streams ($((c * rounds)))"
    fi
done
section_file="$(mktemp)"
{
    echo "## Chat streaming: what the hub adds to a streamed answer"
    echo
    echo "Written by \`scripts/bench-chat.sh\` on $(date -u '+%Y-%m-%d %H:%M UTC'); re-run it rather than editing this section."
    echo
    echo "### Method"
    echo
    echo "- Machine: $(nproc) CPUs ($cpu), $mem memory, Linux $(uname -r); load average $loadavg_start before, $loadavg_end after."
    echo "  The client, the fake provider, the runner and PostgreSQL share these CPUs; other work may have been running."
    echo "- Build: commit $commit, $(rustc --version | cut -d' ' -f1-2), release (runner native, components wasm32-wasip2, client native)."
    echo "- Database: private PostgreSQL $pg_version cluster (\`.data/bench-chat\`, 127.0.0.1:54369, default durability"
    echo "  settings), a fresh database with the migrations applied."
    echo "- Runner: \`hub-runner start\` on the project's \`spin.toml\` (defaults: one fresh component instance per request,"
    echo "  16 pooled PostgreSQL connections), every provider's base URL pointed at the fake providers (\`Hub::spawn\`)."
    echo "- Provider: the fake providers (\`tests/src/fake_providers.rs\`, one thread, 127.0.0.1) replay OpenAI's recorded"
    echo "  \`stream.sse\` for \`gpt-4o-mini\`: 11 SSE events (role, 7 text pieces, finish, usage, \`[DONE]\`) carrying"
    echo "  \"The capital of France is Paris.\", with **${delay_ms} ms** between events (so the answer takes 10 × ${delay_ms} ms"
    echo "  on the wire, the first text comes ${delay_ms} ms after the head), then again with **0 ms**."
    echo "- Direct: \`POST /openai/v1/chat/completions\` with \`\"stream\": true\` to the fake, built and parsed by the hub's own"
    echo "  provider client (\`hub-providers\`); TTFT = arrival of the chunk with the first text, total = arrival of the"
    echo "  chunk that ends the answer (\`[DONE]\`)."
    echo "- Through the hub: \`POST /api/chats/{id}/messages\` with a bearer token, read as SSE; TTFT = the first \`delta\`"
    echo "  event, total = the \`done\` event. \`message_start\` is sent after authentication, the chat and model lookups and"
    echo "  the inserts of the question and of the pending answer, just before the provider is called. Each stream is the"
    echo "  first message of its own chat, created before the clock starts **with a title**, so no title request runs"
    echo "  before \`done\`; the row \"untitled chat\" measures first exchanges that do include the title request (the fake"
    echo "  answers it at once). History is the one question; all streams come from one user."
    echo "- Every request opens a new HTTP/1.1 connection (direct and hub alike; so does the hub towards the provider)."
    echo "- Runs: $runs_text; no stream starts after 60 s of a run."
    echo "  Before them, 32 workers × 2 streams direct and through the hub at 0 ms (not recorded: instances, connection pool)."
    echo "  For each delay and concurrency the direct run goes first, then the hub's. streams/s = whole streams / (first"
    echo "  send → end of the last)."
    echo "- Whole: the expected text, then the end marker (direct) or \`done\` with a \`complete\` message (hub). Stored:"
    echo "  answers whose \`chat_messages\` row is \`complete\` with the whole text, counted in the database after each run,"
    echo "  with their \`chat_token_usage\` rows. Lost = streams − stored; the benchmark fails if any stream is lost."
    echo "- Percentiles: nearest rank over all whole streams. **Added** = the hub run's percentile − the direct run's same"
    echo "  percentile at the same delay and concurrency (different runs, not paired request by request)."
    echo "- CPU (from /proc, \`hub-bench cpu-snapshot\` before the first and after the last stream of each run): user+system"
    echo "  CPU of the runner and of PostgreSQL (postmaster and backends) per whole stream (it includes the runner's idle"
    echo "  background, which the direct rows show, where the runner serves nothing); how busy the machine's CPUs were"
    echo "  (client, fake provider and other work included); the time the runner's threads and PostgreSQL's processes"
    echo "  spent runnable but waiting for a CPU, summed over threads/processes (compare it with the run's length)."
    echo "  WAL: PostgreSQL's fsyncs of its write-ahead log per whole stream (the WAL writer's included) and their"
    echo "  mean time (\`pg_stat_wal\`, \`track_wal_io_timing\` on); a commit that wrote waits for one (shared by the"
    echo "  commits that wait together)."
    echo
    echo "### Results"
    echo
    cat "$tables"
    echo
    echo "### Reading the figures"
    echo
    echo "- At concurrency 1 the hub adds its fixed work: before the provider is called (the \`message_start\` column) the"
    echo "  checks and inserts above, and after the provider's last chunk the answer's update, the usage row and the audit"
    echo "  row before \`done\` (added total − added TTFT). Deltas are relayed as their chunks arrive: the delay between"
    echo "  chunks adds nothing of its own (compare the two delays)."
    echo "- With more streams than CPUs, the added time is mostly waiting for a CPU (last two columns of the CPU table):"
    echo "  at 0 ms and concurrency 16 or 32 the hub's runs are CPU-bound, and their streams/s is this machine's ceiling."
    echo "  There PostgreSQL spends more CPU per stream than the runner: an exchange runs about ten statements, five of"
    echo "  them writes committed one by one, plus the pool's \`Clean\` recycle batch (\`CLOSE ALL; … DISCARD SEQUENCES\`)"
    echo "  at each of its two connection checkouts. At concurrency 1 with a delay the runner's CPU per stream is higher:"
    echo "  its idle background and a wake-up per chunk are not shared with other streams. Streams that start together"
    echo "  get their chunks together, so at concurrency 32 work arrives in bursts and the p99 is a stream queued behind"
    echo "  one. Added p99 values compare the tails of two different runs, and other work on the machine lands in them:"
    echo "  read them with the max column and the CPU table (machine CPU busy in the direct rows is mostly other work; a"
    echo "  slow disk shows as a long mean WAL fsync, which each of an exchange's writing commits waits for)."
    echo "- The database pool (16 connections) does not cap concurrent streams: the chat component returns its connection"
    echo "  before calling the provider and takes one again to store the answer (commit e9aa406). Before that change, at"
    echo "  concurrency 32 half the streams waited for a connection held by a streaming answer (a trial run of this"
    echo "  benchmark with 2 streams per worker at 25 ms: \`message_start\` p50 332 ms, added TTFT p50 327 ms,"
    echo "  48 streams/s); with 500 ms between chunks, all 32 streams now start within 0.2 s."
    echo "- The title of an untitled chat is requested after the answer and before \`done\` (not before the first \`delta\`):"
    echo "  against the fake it costs a few milliseconds; against a real provider \`done\` comes a whole non-streamed"
    echo "  completion later."
} >"$section_file"

# shellcheck source=scripts/bench-docs.sh
. "$repo/scripts/bench-docs.sh"
write_bench_section "$docs" "$section" "$section_file"
log "wrote $docs (samples in $samples)"
