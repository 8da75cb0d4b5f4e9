#!/usr/bin/env bash
# Benchmarks the admin console's lists and reports on a large seeded database: the users list,
# the cost report and the audit list, each with a filter, through hub-runner (the real `admin`
# component, PostgreSQL), against a p95 target; then EXPLAIN (ANALYZE, BUFFERS) of each request's
# slowest statement (auto_explain). Rewrites the "Admin lists" section of docs/benchmarks.md (only
# the text between its marker comments). A benchmark, not a test: scripts/test.sh never runs it
# (the load is `hub-bench load`; `hub-bench report targets` renders and judges it).
#
# Environment (all optional):
#   ADMIN_BENCH_USERS     accounts seeded (default 100000)
#   ADMIN_BENCH_USAGE     chat_token_usage rows seeded (default 1000000)
#   ADMIN_BENCH_AUDIT     audit_logs rows seeded (default 1000000)
#   ADMIN_BENCH_SECONDS   measured seconds per request and concurrency (default 5; 1 s warm-up)
#   ADMIN_BENCH_CONCURRENCY  concurrencies, space-separated (default "1 4")
#   ADMIN_BENCH_P95_MS    the p95 target (default 100)
#   ADMIN_BENCH_KEEP_DATA=1  reuse the database seeded by the previous run (same sizes)
#   BENCH_SKIP_BUILD=1    use the binaries already in target/
#   BENCH_NO_DOCS=1       do not touch docs/benchmarks.md (tables stay in .data/bench-admin)
#
# The cluster lives in .data/bench-admin (127.0.0.1:54389); the script stops what it started.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"

data="$repo/.data/bench-admin"
docs="$repo/docs/benchmarks.md"
section=admin-lists
results="$data/results"
tables="$data/admin-bench.md"
plans="$data/plans.md"
runner=target/release/hub-runner
hub=target/release/hub
bench=target/release/hub-bench
users=${ADMIN_BENCH_USERS:-100000}
usage=${ADMIN_BENCH_USAGE:-1000000}
audit=${ADMIN_BENCH_AUDIT:-1000000}
seconds=${ADMIN_BENCH_SECONDS:-5}
concurrencies=${ADMIN_BENCH_CONCURRENCY:-1 4}
p95_ms=${ADMIN_BENCH_P95_MS:-100}
admin_email=bench-admin@bench.example
admin_password="bench-admin-password-$RANDOM$RANDOM"
log() { echo "bench-admin: $(date -u +%H:%M:%S) $*" >&2; }
die() {
    echo "bench-admin: error: $*" >&2
    exit 1
}

# shellcheck source=scripts/bench-docs.sh
. "$repo/scripts/bench-docs.sh"
bench_build
[[ -x $runner && -x $hub ]] || die "missing $runner or $hub (build first)"
bench_cluster "$data" 54389
runner_pid=""
stop_runner() {
    bench_stop_process "$runner_pid"
    runner_pid=""
}
trap 'bench_rc=$?; stop_runner; if ((bench_pg_started)); then scripts/pg.sh stop || true; fi; exit "$bench_rc"' EXIT
psql_db() { scripts/pg.sh psql -X "$@"; }
SPIN_VARIABLE_DB_URL="$(scripts/pg.sh url)"
SPIN_VARIABLE_JWT_SECRET="$(od -An -tx1 -N32 /dev/urandom | tr -d ' \n')"
export SPIN_VARIABLE_DB_URL SPIN_VARIABLE_DB_HOST="127.0.0.1:$HUB_PG_PORT" SPIN_VARIABLE_JWT_SECRET
seeded="$users users, $usage usage rows in sessions, $audit audit rows"

# ---- seed --------------------------------------------------------------------------------------
if [[ ${ADMIN_BENCH_KEEP_DATA:-0} == 1 && "$(cat "$data/seeded" 2>/dev/null)" == "$seeded" ]]; then
    log "reusing the seeded database ($seeded)"
    "$runner" migrate --dir migrations >&2
else
    rm -f "$data/seeded"
    scripts/pg.sh psql -XqAc "DROP DATABASE IF EXISTS hub" -d postgres
    scripts/pg.sh createdb hub
    "$runner" migrate --dir migrations >&2
    log "seeding $seeded"
    seed_started=$SECONDS
    psql_db -q -v users="$users" -v usage="$usage" -v audit="$audit" <<'SQL'
\set ON_ERROR_STOP on
SET synchronous_commit = off;
-- Users: created over the last two years, a third never logged in, 5 % inactive, 0.1 % admins.
INSERT INTO app_users (id, email, display_name, password_hash, is_admin, is_active, created_at,
                       updated_at, last_login_at, password_changed_at)
SELECT md5('user' || g)::uuid, 'user' || g || '@bench.example', 'Bench User ' || g, 'not-a-hash',
       g % 1000 = 0, g % 20 <> 0,
       now() - interval '730 days' + g * (interval '730 days' / :users),
       now() - interval '730 days' + g * (interval '730 days' / :users),
       CASE WHEN g % 3 <> 0 THEN now() - (g % 5000) * interval '17 minutes' END,
       now() - interval '730 days' + g * (interval '730 days' / :users)
FROM generate_series(1, :users) g;
-- Usage: sessions of 8 requests, 3 minutes apart, each by one user on one day; the sessions
-- evenly over the last 90 days; users drawn with a skew (session s goes to user
-- 1 + floor(users * x^3), x running through [0, 1) by the golden ratio), so that a few users
-- chat daily and many seldom or never, as in a company; 5 providers, 8 models.
INSERT INTO chat_token_usage (id, user_id, provider, model, input_tokens, output_tokens,
                              cached_tokens, cost, latency_ms, ttft_ms, created_at)
SELECT md5('usage' || g)::uuid,
       md5('user' || (1 + floor(:users * power(x, 3))::int))::uuid,
       (ARRAY['openai', 'anthropic', 'gemini', 'mistral', 'xai'])[1 + g % 5],
       (ARRAY['gpt-4o-mini', 'claude-sonnet-4-5', 'gemini-2.5-flash', 'mistral-small-latest',
              'grok-3-mini', 'gpt-5-mini', 'claude-haiku-4-5', 'gemini-2.5-pro'])[1 + g % 8],
       100 + g % 900, 50 + g % 700, g % 100, (g % 1000) * 0.00001, 200 + g % 800, 50 + g % 300,
       now() - interval '90 days' - interval '30 minutes'
           + s * (interval '90 days' / ceil(:usage / 8.0)) + (g % 8) * interval '3 minutes'
FROM generate_series(1, :usage) g,
     LATERAL (SELECT (g - 1) / 8 AS s) AS session,
     LATERAL (SELECT s * 0.6180339887498949 - floor(s * 0.6180339887498949) AS x) AS draw;
-- Audit: in time order over the last 90 days, appended to the hash chain as the app appends
-- (seq after the head, prev_hash = the previous row's hash, hash = the migration's
-- audit_row_hash), so that `hub audit verify` holds.
SELECT set_config('bench.audit_rows', :'audit', false), set_config('bench.users', :'users', false) \gset
DO $$
DECLARE
    n int := current_setting('bench.audit_rows')::int;
    users int := current_setting('bench.users')::int;
    actions text[] := ARRAY['auth.login', 'chat.created', 'chat.message_answered', 'auth.logout',
        'chat.renamed', 'auth.login_failed', 'chat.deleted', 'auth.password_changed',
        'auth.session_revoked', 'admin.user_updated', 'auth.register', 'admin.model_updated'];
    head_seq bigint;
    prev bytea;
    start timestamptz := now() - interval '90 days';
    r record;
BEGIN
    SELECT seq, hash INTO head_seq, prev FROM audit_chain_head WHERE singleton FOR UPDATE;
    FOR r IN
        SELECT head_seq + g AS seq, md5('audit' || g)::uuid AS id,
               CASE WHEN g % 10 <> 0 THEN md5('user' || (1 + (g::int8 * 104729) % users))::uuid END AS actor_id,
               actions[1 + g % array_length(actions, 1)] AS action,
               md5('target' || g % 50000)::uuid::text AS target,
               '10.0.' || (g % 250) || '.' || (g % 200) AS client_addr,
               'bench-agent/1.0' AS user_agent,
               jsonb_build_object('n', g % 100) AS details,
               date_trunc('milliseconds', start + g * (interval '90 days' / n)) AS created_at
        FROM generate_series(1, n) g ORDER BY g
    LOOP
        INSERT INTO audit_logs (seq, id, actor_id, action, target, client_addr, user_agent, details,
                                created_at, prev_hash, hash)
        VALUES (r.seq, r.id, r.actor_id, r.action, r.target, r.client_addr, r.user_agent, r.details,
                r.created_at, prev,
                audit_row_hash(r.seq, r.id, r.actor_id, r.action, r.target, r.client_addr,
                               r.user_agent, r.details, r.created_at, prev))
        RETURNING hash INTO prev;
    END LOOP;
    UPDATE audit_chain_head SET seq = head_seq + n, hash = prev WHERE singleton;
END
$$;
SQL
    log "vacuum analyze"
    # The seed wrote every rollup row several times in one transaction, which leaves its table
    # several times its size (the app writes them one request at a time, and pruning and
    # autovacuum reuse the space): compact them as a running hub's would be.
    psql_db -qc "VACUUM (FULL) usage_daily_models, usage_daily_users"
    psql_db -qc "VACUUM (ANALYZE)"
    seed_s=$((SECONDS - seed_started))
    echo "$seeded" >"$data/seeded"
    echo "$seed_s" >"$data/seed-seconds"
    log "seeded in $seed_s s"
fi
seed_s="$(cat "$data/seed-seconds" 2>/dev/null || echo '?')"
log "hub audit verify"
verify_out="$("$hub" audit verify)" || die "the seeded audit chain does not verify: $verify_out"
log "$verify_out"
HUB_ADMIN_PASSWORD="$admin_password" "$hub" create-admin --email "$admin_email" >&2

# ---- runner ------------------------------------------------------------------------------------
start_runner() {
    bench_start_runner "$data" || die "no runner"
    base="http://$addr"
    log "runner pid $runner_pid on $addr"
}
start_runner
login="$(curl -sS -H 'content-type: application/json' \
    -d "{\"email\":\"$admin_email\",\"password\":\"$admin_password\"}" "$base/api/auth/login")"
token="$(sed -n 's/.*"access_token":"\([^"]*\)".*/\1/p' <<<"$login")"
[[ -n $token ]] || die "login failed: $login"
auth="Authorization: Bearer $token"
get() { curl -sS -H "$auth" "$base$1"; }
next_cursor() { sed -n 's/.*"next_cursor":"\([^"]*\)".*/\1/p'; }

# The requests: a label and a path each.
day() { date -u -d "$1" +%Y-%m-%d; }
actor="$(psql_db -tAc "SELECT md5('user' || 4242)::uuid")"
cursor=""
for _ in $(seq 10); do
    cursor="$(get "/api/admin/users?limit=50${cursor:+&cursor=$cursor}" | next_cursor)"
    [[ -n $cursor ]] || die "the users list gave no next_cursor"
done
requests=(
    "users: first page|/api/admin/users"
    "users: q=user4242 (search)|/api/admin/users?q=user4242"
    "users: 11th page (cursor)|/api/admin/users?cursor=$cursor"
    "users: active=false, sort=email|/api/admin/users?active=false&sort=email"
    "costs: period=month|/api/admin/costs?period=month"
    "costs: custom 30 days|/api/admin/costs?period=custom&from=$(day '-45 days')&until=$(day '-15 days')"
    "audit: action=chat.deleted|/api/admin/audit?action=chat.deleted"
    "audit: actor (one user)|/api/admin/audit?actor=$actor"
    "audit: from/until (one day, 30 days ago)|/api/admin/audit?from=$(day '-30 days')&until=$(day '-29 days')"
)
range_from="$(day '-45 days')" range_until="$(day '-15 days')"
read -r range_usage range_models range_users range_people < <(psql_db -tA -F' ' -c "
    SELECT (SELECT count(*) FROM chat_token_usage
             WHERE created_at >= '$range_from' AND created_at < '$range_until'),
           (SELECT count(*) FROM usage_daily_models WHERE day >= '$range_from' AND day < '$range_until'),
           (SELECT count(*) FROM usage_daily_users WHERE day >= '$range_from' AND day < '$range_until'),
           (SELECT count(DISTINCT user_id) FROM usage_daily_users
             WHERE day >= '$range_from' AND day < '$range_until')")
for r in "${requests[@]}"; do
    path="${r#*|}"
    status="$(curl -sS -o "$data/check.json" -w '%{http_code}' -H "$auth" "$base$path")"
    [[ $status == 200 ]] || die "GET $path answered $status: $(head -c 300 "$data/check.json")"
done

# ---- load --------------------------------------------------------------------------------------
mkdir -p "$results"
rm -f "$results"/*.json
pg_pid="$(head -n1 "$data/pg/postmaster.pid")"
loadavg_start="$(cut -d' ' -f1-3 /proc/loadavg)"
rows=()
i=0
for r in "${requests[@]}"; do
    i=$((i + 1))
    label="${r%%|*}" path="${r#*|}"
    for c in $concurrencies; do
        log "load: $label, concurrency $c, 1 s warm-up + $seconds s"
        "$bench" load --url "$base$path" --header "$auth" --concurrency "$c" --threads 1 \
            --warmup 1 --duration "$seconds" --server-pid "$runner_pid" --db-pid "$pg_pid" \
            >"$results/r$i-c$c.json"
        rows+=("$label=$results/r$i-c$c.json")
    done
done
loadavg_end="$(cut -d' ' -f1-3 /proc/loadavg)"
# The target is one admin's request (concurrency 1); the other concurrencies show the same requests
# under load (the client, the runner and PostgreSQL on the same CPUs) and are reported, not checked.
check_rc=0
"$bench" report targets --p95-ms "$p95_ms" "${rows[@]}" >"$tables"
target_rows=()
for row in "${rows[@]}"; do [[ $row == *-c1.json ]] && target_rows+=("$row"); done
"$bench" report targets --p95-ms "$p95_ms" --check "${target_rows[@]}" >/dev/null || check_rc=$?
cat "$tables" >&2

# ---- plans -------------------------------------------------------------------------------------
# auto_explain on new sessions, then a new runner (new pool connections): one request of each
# kind, and the plan of its slowest statement from the server's log.
stop_runner
bench_explain_on "$data"
pg_log=$bench_pg_log
start_runner
token="$(curl -sS -H 'content-type: application/json' \
    -d "{\"email\":\"$admin_email\",\"password\":\"$admin_password\"}" "$base/api/auth/login" \
    | sed -n 's/.*"access_token":"\([^"]*\)".*/\1/p')"
auth="Authorization: Bearer $token"
: >"$plans"
for r in "${requests[@]}"; do
    label="${r%%|*}" path="${r#*|}"
    get "$path" >/dev/null # warm
    offset="$(stat -c %s "$pg_log")"
    get "$path" >/dev/null
    sleep 0.3
    {
        echo "#### $label"
        echo
        echo '```text'
        # The log's statements after the offset; the one with the longest duration.
        tail -c +"$((offset + 1))" "$pg_log" | awk '
            /duration: [0-9.]+ ms +plan:/ {
                if (cur != "" && d > best) { best = d; plan = cur }
                match($0, /duration: [0-9.]+/); d = substr($0, RSTART + 10, RLENGTH - 10) + 0
                cur = "duration: " d " ms"; next
            }
            /^[0-9]{4}-[0-9]{2}-[0-9]{2} / { if (cur != "" && d > best) { best = d; plan = cur }; cur = ""; next }
            cur != "" { sub(/^\t/, ""); cur = cur "\n" $0 }
            END { if (cur != "" && d > best) { plan = cur }; print plan }'
        echo '```'
        echo
    } >>"$plans"
done
stop_runner
bench_explain_off
indexes="$(psql_db -tAc "SELECT indexname || ': ' || regexp_replace(indexdef, '^CREATE (UNIQUE )?INDEX \S+ ON public\.', '') FROM pg_indexes WHERE tablename IN ('app_users', 'chat_token_usage', 'usage_daily_models', 'usage_daily_users', 'audit_logs') ORDER BY tablename, indexname")"

if [[ ${BENCH_NO_DOCS:-0} == 1 ]]; then
    log "tables in $tables, plans in $plans (docs untouched)"
    exit "$check_rc"
fi
bench_facts
section_file="$(mktemp)"
{
    echo "## Admin lists: users, costs and audit on a large database"
    echo
    echo "Written by \`scripts/bench-admin.sh\` on $(date -u '+%Y-%m-%d %H:%M UTC'); re-run it rather than editing this section."
    echo
    echo "### Method"
    echo
    echo "- Machine: $(nproc) CPUs ($bench_cpu), $bench_mem memory, Linux $(uname -r); load average $loadavg_start before,"
    echo "  $loadavg_end after. The client, the runner and PostgreSQL share these CPUs, and other work (builds, a CI"
    echo "  run) may have been running on the machine."
    echo "- Build: commit $bench_commit, $(rustc --version | cut -d' ' -f1-2), release (runner native, components wasm32-wasip2)."
    echo "- Database: private PostgreSQL $bench_pg_version cluster (\`.data/bench-admin\`, 127.0.0.1:54389, default"
    echo "  settings), the migrations applied, then seeded with SQL (\`generate_series\`, in $seed_s s) and \`VACUUM (ANALYZE)\`:"
    echo "  **$users users** (created over two years, a third never logged in, 5 % inactive), **$usage"
    echo "  \`chat_token_usage\` rows** (sessions of 8 requests by one user, evenly over the last 90 days, users drawn with a skew: a few chat daily, many seldom or never; 5 providers, 8 models; the daily rollups kept by their triggers)"
    echo "  and **$audit \`audit_logs\` rows** (evenly over the last 90 days, 12 actions, 90 % with an actor),"
    echo "  appended to the hash chain as the app appends (\`prev_hash\` = the previous row's hash, \`hash\` = the"
    echo "  migration's \`audit_row_hash\`); \`hub audit verify\` then said: \`$verify_out\`."
    echo "- Runner: \`hub-runner start\` on the project's \`spin.toml\` (defaults: one fresh component instance per request,"
    echo "  16 pooled PostgreSQL connections); an admin made with \`hub create-admin\`, logged in once; every request"
    echo "  carries its bearer token (each request checks the session in the database)."
    echo "- Load: \`hub-bench load\`, closed loop on keep-alive connections, per request and concurrency ($concurrencies)"
    echo "  1 s warm-up then ${seconds} s measured. Percentiles: nearest rank over every response of the window. Target:"
    echo "  p95 ≤ ${p95_ms} ms with no errors for one admin's requests (concurrency 1); the rows at higher concurrency"
    echo "  are the same requests under load on the same $(nproc) CPUs, reported with the same column but not part of the target."
    echo "- Requests: the users list's first page (50, newest first), a search (\`q\`, substring of email or name),"
    echo "  the 11th page (the \`next_cursor\` of ten pages), inactive accounts sorted by email; the cost report"
    echo "  (totals and the breakdowns by user, model, provider and day) for this month and for a custom 30-day"
    echo "  range; the audit list's first page (50, newest first) for one action, for one actor, and for a one-day"
    echo "  range 30 days ago."
    echo "- Plans: after the load, \`auto_explain\` (\`log_analyze\`, \`log_buffers\`) on a new runner's connections; one"
    echo "  request of each kind after a warming one; below, the plan of the statement that took longest in it."
    echo
    echo "### Results"
    echo
    cat "$tables"
    echo
    echo "### Indexes"
    echo
    echo '```text'
    echo "$indexes"
    echo '```'
    echo
    echo "### Reading the figures"
    echo
    echo "- Users: every sort and filter reads an index in key order and stops after the page (\`app_users_*_id_idx\`"
    echo "  for the keyset, the trigram indexes for \`q\`). Before a query fix in \`hub-db\` (\`users::list\`:"
    echo "  \`ORDER BY app_users.created_at\`), the default order named the output column \`created_at\` (\`created_at AT"
    echo "  TIME ZONE 'UTC'\`), which no index serves: every first or later page sorted all accounts (a trial run of"
    echo "  this benchmark: p95 58 ms at concurrency 1, 179 ms at 4)."
    echo "- Audit: every page is read newest first and stops at the page: an actor through"
    echo "  \`audit_logs_actor_id_seq_idx\`; an action through \`audit_logs_action_seq_idx\` or, for an action as common"
    echo "  as here (one row in 12), \`audit_logs_seq_key\` backwards with a filter; a time range first finds its \`seq\`"
    echo "  bounds on \`audit_logs_created_at_idx\`. The actor's email is one primary-key lookup per row of the page."
    echo "- Costs: the report reads the daily rollups that triggers on \`chat_token_usage\` keep (migration"
    echo "  \`create_usage_daily_rollups\`): the whole UTC days of the range from them, the partial first and last"
    echo "  days from the usage rows (\`chat_token_usage_created_at_cover_idx\`). Two statements: the total and the"
    echo "  breakdowns by model, provider and day in one pass over \`usage_daily_models\` (\`GROUPING SETS\`; a few"
    echo "  rows a day whatever the number of users), and the top 100 users over \`usage_daily_users\` (one row per"
    echo "  user and active day). For the custom 30 days here: $range_usage usage rows, read as $range_models rows"
    echo "  of \`usage_daily_models\` and $range_users rows of \`usage_daily_users\` ($range_people users). The by-user"
    echo "  breakdown is the one that grows: with one row per user and day it does not shrink when every request"
    echo "  is by another user on another day (an earlier version of this benchmark drew users by a fixed stride,"
    echo "  one request per user and day: the custom 30 days took p50 549 ms at concurrency 1 reading the usage"
    echo "  rows, about 250 ms of it the by-user aggregate over 100,000 groups, which a rollup by user and day"
    echo "  cannot reduce). Before the rollups (same seed as that run): month p95 76 / 183 ms, custom 30 days"
    echo "  565 / 1,672 ms at concurrency 1 / 4. A report is CPU work in PostgreSQL, most of it the by-user hash"
    echo "  aggregate (tried and not kept: ranking users on a float8 copy of the cost and summing exactly only"
    echo "  for the top, and a larger \`work_mem\`, were no faster here); four reports at once on $(nproc) CPUs wait for"
    echo "  each other, which the concurrency-4 rows show."
    echo
    echo "### Plans of each request's slowest statement"
    echo
    cat "$plans"
} >"$section_file"
write_bench_section "$docs" "$section" "$section_file"
log "wrote $docs"
exit "$check_rc"
