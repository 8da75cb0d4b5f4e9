#!/usr/bin/env bash
# Soak: SOAK_CONCURRENCY streamed answers at a time for SOAK_MINUTES through the hub (the real
# runner, the `chat` component, PostgreSQL), every provider pointed at the fake providers, each
# request given a seeded random behaviour (a normal answer, one without usage, a provider error
# 429/500/503, a stream broken mid-way, a slow answer) across several provider kinds, models,
# users and chats. It then accounts for every stream, as the client saw it and as the database
# stored it, and reports the runner's resident memory over time. Exits non-zero when a stream is
# unaccounted for, a 5xx occurred or the runner's memory grew steadily. Rewrites the "Soak"
# section of docs/benchmarks.md (only the text between its marker comments). A benchmark, not a
# test: scripts/test.sh never runs it (the measuring code is the ignored test tests/tests/soak.rs;
# `hub-bench report soak` renders and judges what it records).
#
# Environment (all optional):
#   SOAK_MINUTES         how long new streams are started (default 30)
#   SOAK_CONCURRENCY     streams in flight (default 200)
#   SOAK_USERS           users the workers share (default 40)
#   SOAK_CHUNK_DELAY_MS  the fake providers' delay between the events of an answer (default 200)
#   SOAK_SLOW_MS         the delay between the events of a slow answer (default 1000)
#   SOAK_SEED            the draws' seed (default 1)
#   SOAK_SAMPLE_SECS     seconds between memory samples (default 10)
#   BENCH_SKIP_BUILD=1   use the binaries already in target/
#   BENCH_NO_DOCS=1      do not touch docs/benchmarks.md (results stay in .data/soak)
#
# The cluster lives in .data/soak (127.0.0.1:54379); the script stops it if it started it.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"

data="$repo/.data/soak"
docs="$repo/docs/benchmarks.md"
section=soak
results="$data/soak.json"
tables="$data/soak.md"
bench=target/release/hub-bench
minutes=${SOAK_MINUTES:-30}
concurrency=${SOAK_CONCURRENCY:-200}
users=${SOAK_USERS:-40}
delay_ms=${SOAK_CHUNK_DELAY_MS:-200}
slow_ms=${SOAK_SLOW_MS:-1000}
seed=${SOAK_SEED:-1}
sample_secs=${SOAK_SAMPLE_SECS:-10}
export SOAK_MINUTES="$minutes" SOAK_CONCURRENCY="$concurrency" SOAK_USERS="$users" \
    SOAK_CHUNK_DELAY_MS="$delay_ms" SOAK_SLOW_MS="$slow_ms" SOAK_SEED="$seed" \
    SOAK_SAMPLE_SECS="$sample_secs"
log() { echo "soak: $(date -u +%H:%M:%S) $*" >&2; }
die() {
    echo "soak: error: $*" >&2
    exit 1
}

# shellcheck source=scripts/bench-docs.sh
. "$repo/scripts/bench-docs.sh"
bench_build
bench_cluster "$data" 54379
# Memory, descriptors and CPU of the runner (found under the test process) every few seconds,
# with PostgreSQL's (postmaster and backends) CPU.
export SOAK_BENCH="$repo/$bench"
if [[ -r $data/pg/postmaster.pid ]]; then
    SOAK_DB_PID="$(head -n1 "$data/pg/postmaster.pid")"
    export SOAK_DB_PID
fi
rm -f "$results" "$tables"

log "build: the soak (cargo test --release --no-run -p hub-tests --test soak)"
cargo test --release --quiet --no-run -p hub-tests --test soak 2>&1 | grep -v '^ *Executable' >&2 || true
loadavg_start="$(cut -d' ' -f1-3 /proc/loadavg)"
started_at=$SECONDS
started_utc="$(date -u '+%Y-%m-%d %H:%M UTC')"
log "running: $concurrency streams at a time for $minutes min (cargo test --release -p hub-tests --test soak -- --ignored)"
test_rc=0
SOAK_OUT="$results" cargo test --release --quiet -p hub-tests --test soak \
    -- --ignored --nocapture >&2 || test_rc=$?
loadavg_end="$(cut -d' ' -f1-3 /proc/loadavg)"
[[ -f $results ]] || die "the soak wrote no results (exit $test_rc)"
check_rc=0
"$bench" report soak --check "$results" >"$tables" || check_rc=$?
cat "$tables" >&2
log "done in $((SECONDS - started_at)) s (soak test exit $test_rc, verdict exit $check_rc)"

if [[ ${BENCH_NO_DOCS:-0} == 1 ]]; then
    log "tables in $tables (docs untouched)"
else
    bench_facts
    section_file="$(mktemp)"
    {
        echo "## Soak: $concurrency concurrent streams for $minutes minutes, with injected failures"
        echo
        echo "Written by \`scripts/soak.sh\` on $started_utc (start); re-run it rather than editing this section."
        echo
        echo "### Method"
        echo
        echo "- Machine: $(nproc) CPUs ($bench_cpu), $bench_mem memory, Linux $(uname -r); load average $loadavg_start before,"
        echo "  $loadavg_end after. The client, the fake providers, the runner and PostgreSQL share these CPUs, and other"
        echo "  engineers' builds and tests ran on the machine during the soak: it measures that nothing is lost and"
        echo "  that memory stays flat, not speed (latency and rate below include that contention)."
        echo "- Build: commit $bench_commit, $(rustc --version | cut -d' ' -f1-2), release (runner native, components wasm32-wasip2)."
        echo "- Database: private PostgreSQL $bench_pg_version cluster (\`.data/soak\`, 127.0.0.1:54379, default durability"
        echo "  settings), a fresh database with the migrations applied."
        echo "- Runner: \`hub-runner start\` on the project's \`spin.toml\` (defaults: a fresh component instance per request,"
        echo "  16 pooled PostgreSQL connections), every provider's base URL pointed at the fake providers (\`Hub::spawn\`;"
        echo "  \`tests/src/fake_providers.rs\`: one thread replaying each provider's recorded stream, **${delay_ms} ms** between"
        echo "  events)."
        echo "- Load (\`tests/tests/soak.rs\`, closed loop): **$concurrency workers**, each sending its next message as soon as"
        echo "  the previous stream ended, for **$minutes min** (streams in flight then finish). $users users (each worker"
        echo "  acts for one, several workers per user); each worker keeps a chat for 1–8 messages (uniform) before it"
        echo "  opens another; 20 % of chats are created with a title, the others get theirs from their first exchange's"
        echo "  title request; 10 % of later messages switch the chat's model; a quarter of finished chats are read back"
        echo "  (\`GET /api/chats/{id}\`) and must hold every stored question and answer. Models: gpt-4o-mini, gpt-5-mini"
        echo "  (OpenAI), claude-sonnet-4-5, claude-haiku-4-5 (Anthropic), gemini-2.5-flash, gemini-2.5-pro (Gemini),"
        echo "  mistral-small-latest (Mistral), grok-3-mini (xAI). Every user's tokens are refreshed every 10 min."
        echo "- Failures injected: each message carries a fake-provider marker drawn with fixed probabilities (seed"
        echo "  $seed, SplitMix64 per worker): normal 62 %, no usage reported 5 %, provider error 429 / 500 / 503 5 % each,"
        echo "  stream cut after 1 to half of its events 10 %, slow (${slow_ms} ms between events) 8 %. The title request"
        echo "  of a first exchange behaves like its answer."
        echo "- Accounting, per stream: the client's outcome (\`done\`, \`error\` event, 4xx, 5xx, no answer) and the stored"
        echo "  answer must be as the scenario implies: normal, no-usage and slow answers \`done\` and \`complete\` with the"
        echo "  recorded text and one usage row (estimated exactly when no usage was reported); provider errors an"
        echo "  \`error\` event with the status's code and \`error\` with no text and no usage row; cut streams an"
        echo "  \`error\` event (\`provider_incomplete\`) and \`partial\` with exactly the streamed text and a usage row, or"
        echo "  \`error\` when no text had come; a \`usage\` event exactly where a usage row is stored; a \`title\` event"
        echo "  exactly for complete first exchanges of untitled chats, stored as the chat's title. Totals: streams sent"
        echo "  = questions stored = answers stored (the same ids), no answer left \`partial\` without an error, no 5xx."
        echo "- Memory: the runner's \`VmRSS\` (/proc/<pid>/status) and open descriptors every ${sample_secs} s (\`hub-bench"
        echo "  cpu-snapshot\`). Flat = the least-squares slope over the samples of the second half of the load (while new"
        echo "  streams were started; the first half is the warm-up), times that half's length, stays within 5 % of its"
        echo "  mean RSS (at least 16 MiB). \"After the run\": the last sample, once the streams in flight had finished."
        echo "- Latency: send → \`message_start\`, first \`delta\`, last event (\`done\` or \`error\`), nearest-rank percentiles."
        echo
        echo "### Results"
        echo
        cat "$tables"
    } >"$section_file"
    write_bench_section "$docs" "$section" "$section_file"
    log "wrote $docs (results in $results)"
fi

((test_rc == 0)) || die "streams were not accounted for (soak test exit $test_rc); tables in $tables"
((check_rc == 0)) || die "the soak failed its verdict (see above); tables in $tables"
log "passed"
