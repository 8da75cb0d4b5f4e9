#!/usr/bin/env bash
# Benchmarks streamed chat answers: what the hub (runner, `chat` component, PostgreSQL) and what
# the LiteLLM proxy add to the time to first token and to the end of the answer over the same
# streaming request sent straight to the fake OpenAI provider, their requests alternating within
# each run, at concurrency 1 and 32, with and without a delay between the provider's chunks, and
# whether every stream arrived whole and was stored; then the hub alone at full speed (its
# throughput) and 500 hub streams held open at once (the runner's memory per open stream). Rewrites the "Chat streaming" section of
# docs/benchmarks.md (only the text between its marker comments). A benchmark, not a test:
# scripts/test.sh never runs it (the measuring code is the ignored test
# tests/tests/chat_bench.rs; `hub-bench report chat` renders its samples).
#
# LiteLLM (`litellm[proxy]`, pinned in scripts/requirements-litellm.txt) is installed from PyPI
# into its own virtual environment, .data/venv-litellm (reinstalled only when that file changed);
# the benchmark starts and stops the proxy itself.
#
# Environment (all optional):
#   CHAT_BENCH_DELAY_MS  the fake provider's delay between chunks in the delayed runs (default 25)
#   CHAT_BENCH_CONCURRENCY  concurrencies, space-separated (default "1 32")
#   CHAT_BENCH_STREAMS   streams per route at concurrency 1 (default 100)
#   CHAT_BENCH_ROUNDS    streams per route and worker at the higher concurrencies (default 20)
#   CHAT_BENCH_UNTITLED  first exchanges of untitled chats, concurrency 1 (default 30; 0 skips)
#   CHAT_BENCH_THROUGHPUT_CONCURRENCY  workers of the hub-alone throughput run (default 32)
#   CHAT_BENCH_THROUGHPUT_ROUNDS  its streams per worker (default 30; 0 skips)
#   CHAT_BENCH_OPEN_STREAMS  hub streams held open at once (default 500; 0 skips)
#   CHAT_BENCH_OPEN_DELAY_MS  the fake provider's delay between chunks for those (default 1000)
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
concurrencies=${CHAT_BENCH_CONCURRENCY:-1 32}
throughput_workers=${CHAT_BENCH_THROUGHPUT_CONCURRENCY:-32}
throughput_rounds=${CHAT_BENCH_THROUGHPUT_ROUNDS:-30}
open_streams=${CHAT_BENCH_OPEN_STREAMS:-500}
open_delay_ms=${CHAT_BENCH_OPEN_DELAY_MS:-1000}
export CHAT_BENCH_DELAY_MS="$delay_ms" CHAT_BENCH_STREAMS="$streams" CHAT_BENCH_ROUNDS="$rounds" \
    CHAT_BENCH_UNTITLED="$untitled" CHAT_BENCH_CONCURRENCY="$concurrencies" \
    CHAT_BENCH_THROUGHPUT_CONCURRENCY="$throughput_workers" CHAT_BENCH_THROUGHPUT_ROUNDS="$throughput_rounds" \
    CHAT_BENCH_OPEN_STREAMS="$open_streams" CHAT_BENCH_OPEN_DELAY_MS="$open_delay_ms"
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

# The LiteLLM proxy in its own virtual environment, at the version of the requirements file (a
# copy of it inside the environment is the stamp of the last successful install).
venv="$repo/.data/venv-litellm"
requirements="$repo/scripts/requirements-litellm.txt"
stamp="$venv/.hub-requirements.txt"
if ! [[ -x $venv/bin/litellm && -f $stamp ]] || ! cmp -s "$requirements" "$stamp"; then
    command -v python3 >/dev/null 2>&1 || die "python3 is missing (apt-get install python3 python3-venv)"
    # Debian's python3 creates environments only with python3-venv (ensurepip).
    python3 -c 'import ensurepip, venv' >/dev/null 2>&1 ||
        die "python3 cannot create virtual environments (apt-get install python3-venv)"
    if [[ ! -x $venv/bin/pip ]]; then
        log "python3 -m venv $venv"
        rm -rf "$venv"
        python3 -m venv "$venv"
    fi
    log "pip install -r scripts/requirements-litellm.txt into $venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$requirements" ||
        die "pip could not install LiteLLM (scripts/requirements-litellm.txt)"
    cp "$requirements" "$stamp"
fi
[[ -x $venv/bin/litellm ]] || die "missing $venv/bin/litellm"
export CHAT_BENCH_LITELLM="$venv/bin/litellm"
litellm_versions="$("$venv/bin/python" - <<'PY'
import importlib.metadata as m
print(", ".join(f"{p} {m.version(p)}" for p in ("litellm", "uvicorn", "fastapi", "openai", "httpx", "aiohttp")))
PY
)"
python_version="$("$venv/bin/python" -c 'import platform; print(platform.python_version())')"
log "LiteLLM: $litellm_versions (Python $python_version)"

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
runs_text="concurrency 1: ${streams} streams per route, one after the other"
for c in $concurrencies; do
    if ((c > 1)); then
        runs_text="$runs_text; concurrency $c: $c workers × ${rounds} streams per route ($((c * rounds)) per route)"
    fi
done
litellm_requirement="$(grep -v '^#' "$requirements" | grep -m1 litellm)"
section_file="$(mktemp)"
{
    echo "## Chat streaming: what the hub adds to a streamed answer, next to LiteLLM"
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
    echo "- LiteLLM: \`$litellm_requirement\` from PyPI (\`scripts/requirements-litellm.txt\`) in its own virtual environment"
    echo "  (\`.data/venv-litellm\`; $litellm_versions; Python $python_version). The benchmark starts"
    echo "  \`litellm --config FILE --host 127.0.0.1 --port P --num_workers 1\` (uvicorn, one worker process) and waits for"
    echo "  \`GET /health/readiness\`. The configuration routes \`gpt-4o-mini\` to \`openai/gpt-4o-mini\` with \`api_base\` = the"
    echo "  fake's OpenAI base URL and the fake's key, and sets a random \`master_key\` (this version refuses to start"
    echo "  without one; every request carries it as its bearer token); nothing else: no database (\`DATABASE_URL\` unset),"
    echo "  no callbacks, no cache, the default retries and timeouts. Environment: \`LITELLM_TELEMETRY=False\`,"
    echo "  \`LITELLM_TELEMETRY_DISABLED=true\`, \`LITELLM_LOCAL_MODEL_COST_MAP=True\` (no download at start),"
    echo "  \`LITELLM_LOG=ERROR\`; its output (uvicorn's access line per request included) goes to a file. Streams are"
    echo "  \`POST /v1/chat/completions\` with \`\"stream\": true\`, sent, timed and checked exactly as the direct ones."
    echo "- Through the hub: \`POST /api/chats/{id}/messages\` with a bearer token, read as SSE; TTFT = the first \`delta\`"
    echo "  event, total = the \`done\` event. \`message_start\` is sent after authentication, the chat and model lookups and"
    echo "  the inserts of the question and of the pending answer, just before the provider is called. Each stream is the"
    echo "  first message of its own chat, created before the clock starts **with a title**, so no title request runs"
    echo "  beside it; the row \"untitled chat\" measures first exchanges that do send the title request (beside the"
    echo "  answer; the fake answers it at once). History is the one question; all streams come from one user."
    echo "- Every request of the client opens a new HTTP/1.1 connection (direct, hub and LiteLLM alike); the hub's runner"
    echo "  keeps its connections to the provider open for the next request (as Spin pools them), as LiteLLM's HTTP client may."
    echo "- Runs: $runs_text; no stream starts after 60 s per route of a run."
    echo "  For each delay and concurrency one run alternates the routes request by request (direct, hub, LiteLLM, direct,"
    echo "  …): at concurrency 1 one stream after the other cycling through them; at concurrency N each worker cycles"
    echo "  through them starting at its own (worker w at route w mod 3), so about a third of the streams in flight take"
    echo "  each route and all three share the machine's state. The untitled chats run alone, after those at ${delay_ms} ms."
    echo "  Before them, 32 workers × 2 streams per route at 0 ms, alternating (not recorded: instances, connection pools)."
    echo "  streams/s (runs table) = all routes' whole streams / (first send → end of the last)."
    if ((throughput_rounds > 0)); then
        echo "- Hub alone (throughput): after the 0 ms runs, $throughput_workers workers × ${throughput_rounds} streams through the hub only"
        echo "  (titled chats, 0 ms, no other route beside them): its streams/s is the hub's own ceiling on this machine. It has"
        echo "  its own rows in the runs and CPU tables and is compared with no direct route (none ran beside it)."
    fi
    if ((open_streams > 0)); then
        echo "- Open streams: last, **${open_streams}** streams through the hub sent at once, each the first message of its own titled"
        echo "  chat (created before the clock), with **${open_delay_ms} ms** between the fake's events, so that each answer stays"
        echo "  open 10 × ${open_delay_ms} ms after its \`message_start\`. Runner memory: its resident set (\`VmRSS\`, from"
        echo "  \`hub-bench cpu-snapshot\`) right before the first send (idle), once every stream has received \`message_start\`"
        echo "  (all open) and after the last ended; per open stream = (all open − idle) / streams. Every stream must arrive"
        echo "  whole and be stored \`complete\` with its usage row, as in the other runs."
    fi
    echo "- Whole: the expected text, then the end marker (direct) or \`done\` with a \`complete\` message (hub). Stored:"
    echo "  answers whose \`chat_messages\` row is \`complete\` with the whole text, counted in the database after each run,"
    echo "  with their \`chat_token_usage\` rows. Lost = streams − stored; the benchmark fails if any stream is lost."
    echo "- Percentiles: nearest rank over all whole streams of a route. **Added** = the route's percentile − the direct"
    echo "  route's same percentile in the same run (same delay and concurrency, interleaved, but not paired request by"
    echo "  request; the untitled chats are compared with the direct streams of the run at concurrency 1). **hub / LiteLLM**"
    echo "  = the hub's added time ÷ LiteLLM's added time for the same percentile (below 1: the hub adds less); \"–\" where"
    echo "  LiteLLM's added time is 0 or less."
    echo "- CPU (from /proc, \`hub-bench cpu-snapshot\` before the first and after the last stream of each run, so per"
    echo "  combined run, not per route): user+system CPU of the runner and of PostgreSQL (postmaster and backends) per whole"
    echo "  hub stream (it includes the runner's idle background while the other routes' streams run), of LiteLLM's"
    echo "  process per whole LiteLLM stream; how busy the machine's CPUs were (client, fake provider and other work"
    echo "  included); the time the runner's threads, PostgreSQL's processes and LiteLLM's threads spent runnable but"
    echo "  waiting for a CPU, summed over the threads/processes alive at both snapshots (compare it with the run's length;"
    echo "  \"–\" where threads that ended in between, as LiteLLM's worker threads do, made the sum fall). WAL: PostgreSQL's fsyncs"
    echo "  of its write-ahead log per whole hub stream (the WAL writer's included) and their mean time (\`pg_stat_wal\`,"
    echo "  \`track_wal_io_timing\` on); a commit that wrote waits for one (shared by the commits that wait together)."
    echo
    echo "### Results"
    echo
    cat "$tables"
    echo
    echo "### Reading the figures"
    echo
    echo "- At concurrency 1 the hub adds its fixed work: before the provider is called (the \`message_start\` column) the"
    echo "  checks and the insert above, and after the provider's last chunk the answer's update with its usage row (one"
    echo "  statement) before \`done\` (added total − added TTFT); the audit row is written after \`done\`. Deltas are"
    echo "  relayed as their chunks arrive: the delay between chunks adds nothing of its own. With 25 ms between chunks"
    echo "  at concurrency 1 the machine is idle between events, and each of the hub's round trips to PostgreSQL pays a"
    echo "  wake-up: its added time to the first token is higher there than at 0 ms (LiteLLM's too, less so)."
    echo "- The hub / LiteLLM table compares what each adds in the same runs: both relay the same provider stream to the"
    echo "  same client, the hub with authentication, its inserts before the provider call and its updates before \`done\`,"
    echo "  LiteLLM with its master-key check and no database."
    echo "- With more streams than CPUs, the added time is mostly waiting for a CPU (the waiting columns of the CPU table):"
    echo "  at 0 ms and concurrency 32 the runs are CPU-bound, and their streams/s is this machine's ceiling for the mix."
    echo "  An exchange runs the pool's \`Clean\` recycle batch (\`CLOSE ALL; … DISCARD SEQUENCES\`) at each of its two"
    echo "  connection checkouts, four statements before the provider is called (the session, the chat, the model, then"
    echo "  the question, the pending answer and the history in one statement, committed without waiting for the WAL"
    echo "  fsync), one after it (the answer and its usage row, committed synchronously) and the audit row's transaction;"
    echo "  the runner keeps each connection's prepared statements, so each is one round trip and, once PostgreSQL has"
    echo "  settled on a generic plan, not planned again. At concurrency 1 with a delay the runner's CPU per stream is higher:"
    echo "  its idle background and a wake-up per chunk are not shared with other streams. Streams that start together"
    echo "  get their chunks together, so at concurrency 32 work arrives in bursts and the p99 is a stream queued behind"
    echo "  one. Added p99 values compare the tails of two routes' streams, and other work on the machine lands in them:"
    echo "  read them with the max column and the CPU table (a slow disk shows as a long mean WAL fsync, which each of an"
    echo "  exchange's writing commits waits for)."
    echo "- The database pool (16 connections) does not cap concurrent streams: the chat component returns its connection"
    echo "  before calling the provider and takes one again to store the answer (commit e9aa406). Before that change, at"
    echo "  concurrency 32 half the streams waited for a connection held by a streaming answer (a trial run of this"
    echo "  benchmark with 2 streams per worker at 25 ms: \`message_start\` p50 332 ms, added TTFT p50 327 ms,"
    echo "  48 streams/s); with 500 ms between chunks, all 32 streams now start within 0.2 s."
    echo "- How the hot path got here (zero-delay runs at concurrency 1 of this script with \`BENCH_NO_DOCS=1\`, one change"
    echo "  at a time; added TTFT p50 / added total p50): 4.7 / 7.7 ms before (4.3 / 7.0 ms in the run documented at commit"
    echo "  a9478a2, hub / LiteLLM 0.54); the question, pending answer and history in one statement with an asynchronous"
    echo "  commit, the answer with its usage row in one statement and the audit row after \`done\`: 3.3 / 5.2 ms; the"
    echo "  runner keeping prepared statements per connection: 1.7 / 3.0 ms (runner CPU per stream 2.4 → 1.8 ms,"
    echo "  PostgreSQL 3.7 → 2.0 ms); the pool handing out its most recently used connection: 1.6 / 2.7 ms (1.4 / 2.5 ms"
    echo "  in the next full run); answers and history read without the files lookup: 1.4 / 2.4 ms (within noise). Pooled outbound connections changed nothing measurable"
    echo "  here (a TCP connect on the loopback costs about 0.1 ms); against a provider over TLS they save a handshake per"
    echo "  request. Tried and dropped: the session check and the chat read in one statement (1.7 → 1.8 ms, within"
    echo "  noise). The hub alone at 0 ms and concurrency 32 served 255.6 streams/s in the run documented at commit"
    echo "  b824570, with 3.6 ms runner CPU and 3.7 ms PostgreSQL CPU per stream at concurrency 16."
    echo "- Machines differ: the figures of this bullet until commit 8fb221d were measured on 2 CPUs of an Intel Xeon"
    echo "  (the zero-delay run at concurrency 1: direct TTFT p50 0.2 ms, the hub's added 1.5 ms, LiteLLM's 7.8 ms; the hub"
    echo "  alone 530.9 streams/s); from commit dd65411 on, on 2 CPUs of an AMD EPYC where the same hot path measured"
    echo "  2.1–3.1 ms added TTFT p50 in four runs besides the one above, LiteLLM 12–17 ms, direct 0.4–0.6 ms. Compare the routes within one"
    echo "  run, and runs on one machine only."
    echo "- The title of an untitled chat is requested beside the answer, from the question, when the provider is called:"
    echo "  \`done\` waits for it only when it takes longer than the whole streamed answer (before commit dd65411 it was"
    echo "  requested after the answer, so that against a real provider \`done\` came a whole non-streamed completion"
    echo "  later). The \"untitled chat\" row shows what the second request costs the first token and the end."
} >"$section_file"

# shellcheck source=scripts/bench-docs.sh
. "$repo/scripts/bench-docs.sh"
write_bench_section "$docs" "$section" "$section_file"
log "wrote $docs (samples in $samples)"
