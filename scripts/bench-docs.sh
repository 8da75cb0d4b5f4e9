# shellcheck shell=bash
# Sourced by the benchmark scripts: their private cluster and build, the facts a section records,
# and writing one section of docs/benchmarks.md. Run from the repository's root.

# bench_cluster DATA PORT: starts the private PostgreSQL cluster in DATA on 127.0.0.1:PORT
# (exports HUB_DATA_DIR, HUB_PG_PORT and HUB_TEST_DB_URL, its admin URL) and stops it when the
# script exits if it was not running before.
bench_cluster() {
    export HUB_DATA_DIR=$1 HUB_PG_PORT=$2
    bench_pg_started=0
    trap 'bench_rc=$?; if ((bench_pg_started)); then scripts/pg.sh stop || true; fi; exit "$bench_rc"' EXIT
    scripts/pg.sh status 2>/dev/null || bench_pg_started=1
    scripts/pg.sh start
    HUB_TEST_DB_URL="$(scripts/pg.sh url postgres)"
    export HUB_TEST_DB_URL
    mkdir -p "$1"
}

# bench_build: the components, the runner, the CLI and hub-bench (release), unless
# BENCH_SKIP_BUILD=1; fails when target/release/hub-bench is missing.
bench_build() {
    if [[ ${BENCH_SKIP_BUILD:-0} != 1 ]]; then
        scripts/build.sh
        echo "build: hub-bench" >&2
        cargo build --quiet --release -p hub-bench
    fi
    [[ -x target/release/hub-bench ]] || {
        echo "error: missing target/release/hub-bench (build first)" >&2
        return 1
    }
}

# bench_start_runner DATA: starts target/release/hub-runner on the project's spin.toml on a free
# port (compilation cache DATA/wasm-cache, output DATA/runner.out, log DATA/runner.log) and waits
# until it listens; sets runner_pid and addr (host:port). Fails when it exits or does not listen
# within 180 s.
bench_start_runner() {
    local data=$1
    # Emptied first: the background job truncates it only once it runs.
    : >"$data/runner.out"
    target/release/hub-runner start -f spin.toml --listen 127.0.0.1:0 --cache-dir "$data/wasm-cache" \
        </dev/null >"$data/runner.out" 2>"$data/runner.log" &
    runner_pid=$!
    addr=""
    for _ in $(seq 1800); do
        addr="$(sed -n 's|^hub-runner listening on http://||p' "$data/runner.out" | head -n1)"
        [[ -n $addr ]] && return 0
        if ! kill -0 "$runner_pid" 2>/dev/null; then
            tail -n 20 "$data/runner.log" >&2
            echo "error: the runner exited" >&2
            return 1
        fi
        sleep 0.1
    done
    echo "error: the runner did not listen within 180 s (see $data/runner.log)" >&2
    return 1
}

# bench_facts: sets bench_commit (with "(with uncommitted changes)" and whether the binaries
# were rebuilt), bench_cpu, bench_mem and bench_pg_version (of the running cluster).
bench_facts() {
    bench_commit="$(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
    if [[ -n "$(git status --porcelain 2>/dev/null | head -n1)" ]]; then
        bench_commit="$bench_commit (with uncommitted changes)"
    fi
    if [[ ${BENCH_SKIP_BUILD:-0} == 1 ]]; then
        bench_commit="$bench_commit, binaries not rebuilt (as found in target/)"
    fi
    bench_cpu="$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n1)"
    bench_mem="$(awk '/^MemTotal:/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)"
    bench_pg_version="$(scripts/pg.sh psql -XtAc 'SHOW server_version' 2>/dev/null | head -n1 || echo unknown)"
}

# write_bench_section DOCS SECTION FILE: replaces what stands between DOCS's
# `<!-- bench:SECTION:begin -->` / `<!-- bench:SECTION:end -->` markers with FILE's content (appends
# the section when it is not there yet, creates DOCS when missing), then removes FILE.
write_bench_section() {
    local docs=$1 section=$2 section_file=$3
    local begin="<!-- bench:$section:begin -->" end="<!-- bench:$section:end -->" new_docs
    mkdir -p "$(dirname "$docs")"
    if [[ ! -f $docs ]]; then
        cat >"$docs" <<'HEADER'
# Benchmarks

Measured performance of the hub. Each section is written by the script it names, between its own
`<!-- bench:NAME:begin -->` / `<!-- bench:NAME:end -->` marker comments: re-running a script
rewrites only its section, so benchmarks can be added as new sections (with their own markers)
without touching the others. Numbers depend on the machine and on what else ran on it; each
section records both.
HEADER
    fi
    new_docs="$(mktemp)"
    if grep -qF "$begin" "$docs" && grep -qF "$end" "$docs"; then
        awk -v begin="$begin" -v end="$end" -v file="$section_file" '
            $0 == begin { print; while ((getline line < file) > 0) print line; skip = 1; next }
            $0 == end { skip = 0 }
            !skip { print }
        ' "$docs" >"$new_docs"
    else
        { cat "$docs"; echo; echo "$begin"; cat "$section_file"; echo "$end"; } >"$new_docs"
    fi
    mv "$new_docs" "$docs"
    chmod 644 "$docs"
    rm -f "$section_file"
}

# bench_stop_process PID: TERM, up to 10 s, then KILL (nothing when PID is empty or gone).
bench_stop_process() {
    local pid=$1
    [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null || return 0
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
}

# The settings bench_explain_on sets for the cluster.
bench_explain_settings=(session_preload_libraries auto_explain.log_min_duration auto_explain.log_analyze
    auto_explain.log_buffers)

# bench_explain_on DATA: auto_explain (`log_analyze`, `log_buffers`, every statement) for the cluster's
# new sessions (start a new runner after it: new pool connections); sets bench_pg_log, the
# server's log file (DATA/pg.log when pg.sh does not name one; DATA as given).
bench_explain_on() {
    local data=$1
    # (auto_explain's settings are known to a session that loaded it.)
    scripts/pg.sh psql -X -q -c "LOAD 'auto_explain'" \
        -c "ALTER SYSTEM SET session_preload_libraries = 'auto_explain'" \
        -c "ALTER SYSTEM SET auto_explain.log_min_duration = 0" \
        -c "ALTER SYSTEM SET auto_explain.log_analyze = on" \
        -c "ALTER SYSTEM SET auto_explain.log_buffers = on"
    scripts/pg.sh psql -X -qtAc "SELECT pg_reload_conf()" >/dev/null
    bench_pg_log="$(scripts/pg.sh status 2>&1 | sed -n 's/.*log \([^)]*\)).*/\1/p')"
    [[ -n $bench_pg_log && -f $bench_pg_log ]] || bench_pg_log="$data/pg.log"
}

# bench_explain_off: the cluster's settings as before bench_explain_on.
bench_explain_off() {
    local setting
    for setting in "${bench_explain_settings[@]}"; do
        scripts/pg.sh psql -X -q -c "LOAD 'auto_explain'" -c "ALTER SYSTEM RESET $setting"
    done
    scripts/pg.sh psql -X -qtAc "SELECT pg_reload_conf()" >/dev/null
}
