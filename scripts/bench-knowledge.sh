#!/usr/bin/env bash
# Benchmarks knowledge search and ingest: hybrid search (`GET /api/knowledge/search`) through
# hub-runner (the real `upload` component, PostgreSQL with pgvector) on a large seeded corpus
# against a p95 target, the recall of the HNSW vector search against exact search, and the
# throughput of uploads (extraction, chunking) and of the background embedding step
# (`POST /api/knowledge/tick`), with the tests' fake embedding provider; then EXPLAIN (ANALYZE,
# BUFFERS) of the search statement (auto_explain). Rewrites the "Knowledge search" section of
# docs/benchmarks.md (only the text between its marker comments). A benchmark, not a test:
# scripts/test.sh never runs it (the load is `hub-bench load`, the corpus and the fake provider
# `hub-bench knowledge`).
#
# Environment (all optional):
#   KNOWLEDGE_BENCH_CHUNKS     chunks seeded (default 100000), 1536 dimensions each
#   KNOWLEDGE_BENCH_PER_FILE   chunks per seeded file (default 20)
#   KNOWLEDGE_BENCH_QUERIES    questions (default 100): the load takes them in turn, the recall
#                              is averaged over them
#   KNOWLEDGE_BENCH_SECONDS    measured seconds per concurrency (default 5; 1 s warm-up)
#   KNOWLEDGE_BENCH_CONCURRENCY  concurrencies, space-separated (default "1 4")
#   KNOWLEDGE_BENCH_P95_MS     the p95 target of a search (default 15)
#   KNOWLEDGE_BENCH_RECALL     the recall@10 target (default 0.95)
#   KNOWLEDGE_BENCH_FILES      files uploaded for the ingest (default 200)
#   KNOWLEDGE_BENCH_FILE_PAGES pages per uploaded file, a page being 3,000 characters (default 5)
#   KNOWLEDGE_BENCH_KEEP_DATA=1  reuse the corpus seeded by the previous run (same sizes)
#   BENCH_SKIP_BUILD=1    use the binaries already in target/
#   BENCH_NO_DOCS=1       do not touch docs/benchmarks.md (tables stay in .data/bench-knowledge)
#
# The cluster lives in .data/bench-knowledge (127.0.0.1:54419); the script stops what it started.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"

data="$repo/.data/bench-knowledge"
docs="$repo/docs/benchmarks.md"
section=knowledge-search
results="$data/results"
tables="$data/search.md"
plan_file="$data/plan.txt"
runner=target/release/hub-runner
hub=target/release/hub
bench=target/release/hub-bench
chunks=${KNOWLEDGE_BENCH_CHUNKS:-100000}
per_file=${KNOWLEDGE_BENCH_PER_FILE:-20}
queries=${KNOWLEDGE_BENCH_QUERIES:-100}
seconds=${KNOWLEDGE_BENCH_SECONDS:-5}
concurrencies=${KNOWLEDGE_BENCH_CONCURRENCY:-1 4}
p95_ms=${KNOWLEDGE_BENCH_P95_MS:-15}
recall_target=${KNOWLEDGE_BENCH_RECALL:-0.95}
ingest_files=${KNOWLEDGE_BENCH_FILES:-200}
file_pages=${KNOWLEDGE_BENCH_FILE_PAGES:-5}
page_chars=3000
model=text-embedding-3-small
dimension=1536
corpus_collection=00000000-0000-4000-8000-000000000000
admin_email=bench-admin@bench.example
user_email=bench-reader@bench.example
password="bench-password-$RANDOM$RANDOM$RANDOM"
tick_secret="bench-tick-$(od -An -tx1 -N16 /dev/urandom | tr -d ' \n')"
log() { echo "bench-knowledge: $(date -u +%H:%M:%S) $*" >&2; }
die() {
    echo "bench-knowledge: error: $*" >&2
    exit 1
}

# shellcheck source=scripts/bench-docs.sh
. "$repo/scripts/bench-docs.sh"
bench_build
[[ -x $runner && -x $hub ]] || die "missing $runner or $hub (build first)"
bench_cluster "$data" 54419
runner_pid="" fake_pid=""
stop_runner() {
    bench_stop_process "$runner_pid"
    runner_pid=""
}
trap 'bench_rc=$?; stop_runner; bench_stop_process "$fake_pid"; if ((bench_pg_started)); then scripts/pg.sh stop || true; fi; exit "$bench_rc"' EXIT
psql_db() { PGOPTIONS='-c client_min_messages=warning' scripts/pg.sh psql -X -v ON_ERROR_STOP=1 "$@"; }
mkdir -p "$results"

# ---- the fake provider -------------------------------------------------------------------------
# The tests' fake providers (tests/src/fake_providers.rs) in a process of their own; every
# provider's base URL points at them.
"$bench" knowledge fake-providers </dev/null >"$data/fake.out" 2>"$data/fake.log" &
fake_pid=$!
fake_url=""
for _ in $(seq 100); do
    fake_url="$(sed -n 's/.*"url":"\([^"]*\)".*/\1/p' "$data/fake.out" | head -n1)"
    [[ -n $fake_url ]] && break
    kill -0 "$fake_pid" 2>/dev/null || die "the fake providers exited: $(cat "$data/fake.log")"
    sleep 0.1
done
[[ -n $fake_url ]] || die "the fake providers did not start"
fake_key="$(sed -n 's/.*"key":"\([^"]*\)".*/\1/p' "$data/fake.out" | head -n1)"
log "fake providers on $fake_url"

SPIN_VARIABLE_DB_URL="$(scripts/pg.sh url)"
SPIN_VARIABLE_JWT_SECRET="$(od -An -tx1 -N32 /dev/urandom | tr -d ' \n')"
export SPIN_VARIABLE_DB_URL SPIN_VARIABLE_DB_HOST="127.0.0.1:$HUB_PG_PORT" SPIN_VARIABLE_JWT_SECRET \
    SPIN_VARIABLE_TICK_SECRET="$tick_secret" SPIN_VARIABLE_LLM_EXTRA_HOST="$fake_url" \
    SPIN_VARIABLE_OPENAI_BASE_URL="$fake_url/openai/v1" SPIN_VARIABLE_OPENAI_API_KEY="$fake_key"

# ---- seed --------------------------------------------------------------------------------------
seed_files=$(((chunks + per_file - 1) / per_file))
# About 12 files a topic (400 topics for 100,000 chunks of 20 a file).
topics=$(((seed_files * 2 + 24) / 25))
seeded="$chunks chunks, $per_file per file, $topics topics"
"$bench" knowledge queries --topics "$topics" --count "$queries" >"$data/queries.tsv"
# The questions as request paths (their words are letters only).
awk -F'\t' '{ gsub(/ /, "+", $2); print "/api/knowledge/search?q=" $2 }' "$data/queries.tsv" >"$data/paths.txt"
if [[ ${KNOWLEDGE_BENCH_KEEP_DATA:-0} == 1 && "$(cat "$data/seeded" 2>/dev/null)" == "$seeded" ]]; then
    log "reusing the seeded database ($seeded)"
    "$runner" migrate --dir migrations >&2
    HUB_ADMIN_PASSWORD="$password" "$hub" create-admin --email "$admin_email" >&2
else
    rm -f "$data/seeded"
    scripts/pg.sh psql -XqAc "DROP DATABASE IF EXISTS hub" -d postgres
    scripts/pg.sh createdb hub
    "$runner" migrate --dir migrations >&2
    HUB_ADMIN_PASSWORD="$password" "$hub" create-admin --email "$admin_email" >&2
    log "seeding $seeded ($seed_files files)"
    seed_started=$SECONDS
    # The files (ready, embedded with the model) in one global collection of the admin's; their
    # bytes are not stored (nothing reads them but a download).
    psql_db -q -v files="$seed_files" -v collection="$corpus_collection" -v model="$model" \
        -v admin="$admin_email" <<'SQL'
SET synchronous_commit = off;
INSERT INTO knowledge_collections (id, owner_id, name, description, created_by)
SELECT :'collection', NULL, 'Bench corpus', 'Seeded by scripts/bench-knowledge.sh', id
FROM app_users WHERE email = :'admin';
INSERT INTO knowledge_files (id, owner_id, collection_id, name, kind, size_bytes, sha256, content,
                             status, char_count, chunk_count, embedding_model)
SELECT ('00000000-0000-4000-8000-' || lpad(to_hex(g), 12, '0'))::uuid, u.id, :'collection',
       'bench-' || g || '.md', 'markdown', 0, encode(sha256(convert_to('bench' || g, 'UTF8')), 'hex'),
       ''::bytea, 'ready', 0, 0, :'model'
FROM generate_series(1, :files) g, (SELECT id FROM app_users WHERE email = :'admin') u;
SQL
    # The chunks' indexes are built after the load (the same definitions, as the migrations
    # made them), which is much faster than inserting into them row by row.
    psql_db -tAc "SELECT indexdef || ';' FROM pg_indexes WHERE tablename = 'knowledge_chunks'
                  AND indexname <> 'knowledge_chunks_pkey' ORDER BY indexname" >"$data/indexes.sql"
    psql_db -qtAc "SELECT format('DROP INDEX %I;', indexname) FROM pg_indexes
                   WHERE tablename = 'knowledge_chunks' AND indexname <> 'knowledge_chunks_pkey'" \
        | psql_db -q
    log "loading the chunks (text and the fake provider's vector of it)"
    "$bench" knowledge chunks --topics "$topics" --count "$chunks" --per-file "$per_file" \
        | psql_db -qc "COPY knowledge_chunks (file_id, ordinal, text, token_estimate, embedding) FROM STDIN"
    log "building the indexes"
    { echo "SET maintenance_work_mem = '2GB';"; echo "SET max_parallel_maintenance_workers = 1;"
      cat "$data/indexes.sql"; } | psql_db -q
    psql_db -q -v model="$model" <<'SQL'
UPDATE knowledge_files f SET chunk_count = c.n, char_count = c.chars
FROM (SELECT file_id, count(*) AS n, sum(length(text)) AS chars FROM knowledge_chunks GROUP BY file_id) c
WHERE c.file_id = f.id;
UPDATE embedding_models SET active = (model_id = :'model');
SQL
    log "vacuum analyze"
    psql_db -qc "VACUUM (ANALYZE)"
    seed_s=$((SECONDS - seed_started))
    echo "$seeded" >"$data/seeded"
    echo "$seed_s" >"$data/seed-seconds"
    log "seeded in $seed_s s"
fi
seed_s="$(cat "$data/seed-seconds" 2>/dev/null || echo '?')"
# A reused database: the previous run's ingest removed (and vacuumed away, out of the HNSW graph).
if [[ -n "$(psql_db -tAc "SELECT 1 FROM knowledge_collections WHERE name = 'Bench ingest'")" ]]; then
    psql_db -qc "DELETE FROM knowledge_collections WHERE name = 'Bench ingest'"
    psql_db -qc "VACUUM (ANALYZE) knowledge_files, knowledge_chunks"
fi
read -r corpus_files corpus_chunks corpus_chars < <(psql_db -tA -F' ' -c "
    SELECT count(DISTINCT f.id), count(*), sum(length(c.text))
    FROM knowledge_files f JOIN knowledge_chunks c ON c.file_id = f.id
    WHERE f.collection_id = '$corpus_collection'")
((corpus_chunks == chunks)) || die "the corpus has $corpus_chunks chunks, not $chunks"
sizes="$(psql_db -tAc "SELECT 'table ' || pg_size_pretty(pg_table_size('knowledge_chunks'))
    || ', HNSW index (1536) ' || pg_size_pretty(pg_relation_size('knowledge_chunks_embedding_1536_idx'))
    || ', full-text indexes ' || pg_size_pretty(pg_relation_size('knowledge_chunks_tsv_simple_idx')
       + pg_relation_size('knowledge_chunks_tsv_german_idx') + pg_relation_size('knowledge_chunks_tsv_english_idx'))")"
# (pgvector's settings are known once its library is loaded.)
iterative_scan="$(psql_db -qtA -c "LOAD 'vector'" -c "SHOW hnsw.iterative_scan")"
ef_default="$(psql_db -qtA -c "LOAD 'vector'" -c "SHOW hnsw.ef_search")"
index_params="$(psql_db -tAc "SELECT coalesce(array_to_string(reloptions, ', '), 'defaults (m = 16, ef_construction = 64)')
    FROM pg_class WHERE relname = 'knowledge_chunks_embedding_1536_idx'")"
log "corpus: $corpus_files files, $corpus_chunks chunks; $sizes; iterative_scan $iterative_scan, ef_search $ef_default"

# ---- runner and accounts -----------------------------------------------------------------------
start_runner() {
    bench_start_runner "$data" || die "no runner"
    base="http://$addr"
    log "runner pid $runner_pid on $addr"
}
# login EMAIL: prints an access token.
login() {
    local answer token
    answer="$(curl -sS -H 'content-type: application/json' \
        -d "{\"email\":\"$1\",\"password\":\"$password\"}" "$base/api/auth/login")"
    token="$(sed -n 's/.*"access_token":"\([^"]*\)".*/\1/p' <<<"$answer")"
    [[ -n $token ]] || die "login of $1 failed: $answer"
    echo "$token"
}
start_runner
# The reader: a user without admin rights (open registration); on a reused database the account
# exists, so its password is set anew.
psql_db -qc "DELETE FROM app_users WHERE email = '$user_email'"
curl -sS -o /dev/null -H 'content-type: application/json' \
    -d "{\"email\":\"$user_email\",\"password\":\"$password\"}" "$base/api/auth/register"
auth="Authorization: Bearer $(login "$user_email")"

# Every question answers in hybrid mode (the fake provider embedded it) with passages.
while read -r path; do
    status="$(curl -sS -o "$data/check.json" -w '%{http_code}' -H "$auth" "$base$path")"
    [[ $status == 200 ]] || die "GET $path answered $status: $(head -c 300 "$data/check.json")"
    grep -q '"mode":"hybrid"' "$data/check.json" \
        || die "GET $path did not search with vectors: $(head -c 300 "$data/check.json")"
    grep -q '"file_id"' "$data/check.json" || die "GET $path found nothing"
done <"$data/paths.txt"

# ---- search load -------------------------------------------------------------------------------
rm -f "$results"/*.json
pg_pid="$(head -n1 "$data/pg/postmaster.pid")"
loadavg_start="$(cut -d' ' -f1-3 /proc/loadavg)"
label="search: $queries questions in turn"
rows=()
# load_search NAME CONCURRENCY: one run of the questions in turn into $results/NAME.json.
load_search() {
    log "load: $1, concurrency $2, 1 s warm-up + $seconds s"
    "$bench" load --url "$base/api/knowledge/search" --paths "$data/paths.txt" --header "$auth" \
        --concurrency "$2" --threads 1 --warmup 1 --duration "$seconds" --server-pid "$runner_pid" \
        --db-pid "$pg_pid" >"$results/$1.json"
}
for c in $concurrencies; do
    load_search "search-c$c" "$c"
    rows+=("$label=$results/search-c$c.json")
done
loadavg_end="$(cut -d' ' -f1-3 /proc/loadavg)"
# The target is one user's search (concurrency 1), as for the admin lists; the other
# concurrencies are reported, not checked.
check_rc=0
"$bench" report targets --p95-ms "$p95_ms" "${rows[@]}" >"$tables"
target_rows=()
for row in "${rows[@]}"; do [[ $row == *-c1.json ]] && target_rows+=("$row"); done
"$bench" report targets --p95-ms "$p95_ms" --check "${target_rows[@]}" >/dev/null || check_rc=$?
"$bench" report load-cpu "$results"/search-c*.json >"$data/cpu.md"
cat "$tables" "$data/cpu.md" >&2

# ---- recall ------------------------------------------------------------------------------------
# The vector side of the search as hub_db::knowledge's `fused` runs it (the `scope` and `vec`
# CTEs: the reader's ready files, their chunks of the model's length nearest first, 50
# candidates), run for every question with its vector as the fake provider gives it; once with
# the HNSW index at several ef_search, once exactly (no index scan: every chunk compared).
reader_id="$(psql_db -tAc "SELECT id FROM app_users WHERE email = '$user_email'")"
# \$1 the reader, \$2 the question's vector (text), \$3 the collection (none), \$4 the model.
vec_sql="WITH scope AS NOT MATERIALIZED (
    SELECT f.id, f.name, f.collection_id, f.embedding_model, f.chunk_count
    FROM knowledge_files f
    WHERE (f.owner_id = \$1 OR EXISTS (SELECT 1 FROM knowledge_collections g
                                       WHERE g.id = f.collection_id AND g.owner_id IS NULL))
      AND f.status = 'ready' AND (\$3::uuid IS NULL OR f.collection_id = \$3::uuid)
), vscope AS NOT MATERIALIZED (
    SELECT id, chunk_count FROM scope WHERE embedding_model = \$4
), vsize AS (
    SELECT count(*) AS n FROM (SELECT FROM vscope s, generate_series(1, s.chunk_count) LIMIT 1001) x
), ann AS (
    SELECT c.file_id, c.ordinal, (c.embedding::halfvec($dimension)) <=> \$2::text::halfvec($dimension) AS d
    FROM knowledge_chunks c
    WHERE (SELECT n FROM vsize) > 1000 AND vector_dims(c.embedding) = $dimension
      AND (SELECT true FROM vscope s WHERE s.id = c.file_id) IS TRUE
    ORDER BY d LIMIT 50
), exact AS (
    SELECT c.file_id, c.ordinal, ((c.embedding::vector($dimension)) <=> \$2::text::vector($dimension)) + 0 AS d
    FROM knowledge_chunks c JOIN vscope s ON s.id = c.file_id
    WHERE (SELECT n FROM vsize) <= 1000 AND vector_dims(c.embedding) = $dimension
    ORDER BY d LIMIT 50
)
SELECT file_id, ordinal, d, row_number() OVER (ORDER BY d, file_id, ordinal) AS rank
FROM (SELECT * FROM ann UNION ALL SELECT * FROM exact) v"
# The same ordering without the scope join (all the model's chunks: here exactly the reader's),
# the form whose plan reads the HNSW index whatever the planner thinks of the join; its recall is
# that of the index itself.
index_sql="SELECT file_id, ordinal, d, row_number() OVER (ORDER BY d, file_id, ordinal) AS rank
FROM (
    SELECT c.file_id, c.ordinal, (c.embedding::halfvec($dimension)) <=> \$2::text::halfvec($dimension) AS d
    FROM knowledge_chunks c
    WHERE vector_dims(c.embedding) = $dimension
    ORDER BY d LIMIT 50
) v"
# Exact search: every chunk of the model compared with its full-precision vector (the index
# holds half-precision ones), the reference of the recall.
exact_sql="SELECT file_id, ordinal, d, row_number() OVER (ORDER BY d, file_id, ordinal) AS rank
FROM (
    SELECT c.file_id, c.ordinal, ((c.embedding::vector($dimension)) <=> \$2::text::vector($dimension)) + 0 AS d
    FROM knowledge_chunks c
    WHERE vector_dims(c.embedding) = $dimension
    ORDER BY d LIMIT 50
) v"
psql_db -q <<SQL
DROP SCHEMA IF EXISTS bench_knowledge CASCADE;
CREATE SCHEMA bench_knowledge;
CREATE TABLE bench_knowledge.queries (no int PRIMARY KEY, text text NOT NULL, q vector($dimension) NOT NULL);
CREATE TABLE bench_knowledge.found (ef int, form text, no int, rank int, file_id uuid, ordinal int, d float8);
CREATE TABLE bench_knowledge.timing (ef int, form text, no int, ms float8);
-- form: 'hub' (the hub's statement), 'index' (without the scope join) or 'exact' (ef 0).
CREATE FUNCTION bench_knowledge.vector_side(ef int, form text) RETURNS void LANGUAGE plpgsql AS \$\$
DECLARE
    r record;
    started timestamptz;
BEGIN
    IF ef > 0 THEN
        PERFORM set_config('hnsw.ef_search', ef::text, true);
    END IF;
    FOR r IN SELECT no, q::text AS q FROM bench_knowledge.queries ORDER BY no LOOP
        started := clock_timestamp();
        EXECUTE 'INSERT INTO bench_knowledge.found SELECT ' || ef || ', ' || quote_literal(form)
            || ', ' || r.no || ', rank, file_id, ordinal, d FROM ('
            || CASE form WHEN 'hub' THEN '${vec_sql//\'/\'\'}' WHEN 'index' THEN '${index_sql//\'/\'\'}'
                         ELSE '${exact_sql//\'/\'\'}' END || ') x'
        USING '$reader_id'::uuid, r.q, NULL::uuid, '$model';
        INSERT INTO bench_knowledge.timing VALUES (ef, form, r.no,
            extract(epoch FROM clock_timestamp() - started) * 1000);
    END LOOP;
END
\$\$;
SQL
cut -f1,2,3 "$data/queries.tsv" | psql_db -qc "COPY bench_knowledge.queries FROM STDIN"
log "recall: exact search of $queries questions"
psql_db -qc "SELECT bench_knowledge.vector_side(0, 'exact')" >/dev/null
# recall_row EF FORM: "ef|recall@10|recall@50|p50 ms|p95 ms" of the vector side at EF against
# exact.
recall_row() {
    psql_db -tA -F'|' -c "
    WITH exact AS (SELECT * FROM bench_knowledge.found WHERE ef = 0),
    ann AS (SELECT * FROM bench_knowledge.found WHERE ef = $1 AND form = '$2'),
    per_query AS (
        SELECT q.no,
               (SELECT count(*) FROM ann a JOIN exact e USING (no, file_id, ordinal)
                 WHERE a.no = q.no AND a.rank <= 10 AND e.rank <= 10) AS hits10,
               (SELECT count(*) FROM ann a JOIN exact e USING (no, file_id, ordinal)
                 WHERE a.no = q.no AND e.rank <= 50) AS hits50,
               (SELECT count(*) FROM exact e WHERE e.no = q.no) AS exact50
        FROM bench_knowledge.queries q)
    SELECT $1, round(avg(hits10) / 10.0, 3), round(avg(hits50::numeric / nullif(exact50, 0)), 3),
           (SELECT round(percentile_cont(0.5) WITHIN GROUP (ORDER BY ms)::numeric, 2)
              FROM bench_knowledge.timing WHERE ef = $1 AND form = '$2'),
           (SELECT round(percentile_cont(0.95) WITHIN GROUP (ORDER BY ms)::numeric, 2)
              FROM bench_knowledge.timing WHERE ef = $1 AND form = '$2')
    FROM per_query"
}
# at_least VALUE TARGET: whether VALUE >= TARGET (decimals).
at_least() { awk -v r="$1" -v t="$2" 'BEGIN { exit !(r >= t) }'; }
recall_rows=()
recall_at_40="" recall_at_hub="" reaching_ef=""
# pgvector's default, the hub's setting (the migrations'), and larger ones until the target is met.
for ef in $(printf '%s\n' 40 100 "$ef_default" 300 400 600 | sort -nu); do
    log "recall: HNSW with ef_search $ef"
    met=1
    for form in hub index; do
        psql_db -qc "SELECT bench_knowledge.vector_side($ef, '$form')" >/dev/null
        row="$(recall_row "$ef" "$form")"
        recall_rows+=("$form|$row")
        recall="$(cut -d'|' -f2 <<<"$row")"
        at_least "$recall" "$recall_target" || met=0
        if [[ $ef == 40 ]] && { [[ -z $recall_at_40 ]] || ! at_least "$recall" "$recall_at_40"; }; then
            recall_at_40=$recall
        fi
        if [[ $ef == "$ef_default" ]] && { [[ -z $recall_at_hub ]] || ! at_least "$recall" "$recall_at_hub"; }; then
            recall_at_hub=$recall
        fi
    done
    # The hub's setting is always measured.
    if ((met)) && [[ -z $reaching_ef ]]; then
        reaching_ef=$ef
    fi
    if [[ -n $reaching_ef && $ef -ge $ef_default ]]; then
        break
    fi
done
# Whether the vector side's plan reads the HNSW index (the planner may prefer to compare every
# chunk of a small corpus).
first_vector="$(sed -n 1p "$data/queries.tsv" | cut -f3)"
vec_plan="$(psql_db -qtA -c "PREPARE vec_side(uuid, text, uuid, text) AS $vec_sql" \
    -c "EXPLAIN (COSTS OFF) EXECUTE vec_side('$reader_id', '$first_vector', NULL, '$model')")"
index_plan="$(psql_db -qtA -c "PREPARE index_side(text) AS ${index_sql//\$2/\$1}" \
    -c "EXPLAIN (COSTS OFF) EXECUTE index_side('$first_vector')")"
# uses_index PLAN: "reads" or "does **not** read" the HNSW index.
uses_index() {
    if grep -q "Index Scan using knowledge_chunks_embedding_${dimension}_idx" <<<"$1"; then
        echo "reads"
    else
        echo "does **not** read"
    fi
}
vec_index="The hub's statement $(uses_index "$vec_plan") the HNSW index, the one without the scope join $(uses_index "$index_plan") it"
if [[ $(uses_index "$vec_plan") != reads ]]; then
    vec_index="$vec_index: for the hub's statement the planner compares the query with every chunk of the scope's files (a nested loop over them, then a top-N sort), so its rows are exact search whatever the ef_search, and its time grows with the corpus"
fi
exact_ms="$(psql_db -tAc "SELECT round(percentile_cont(0.5) WITHIN GROUP (ORDER BY ms)::numeric, 1)
    FROM bench_knowledge.timing WHERE ef = 0")"
# Ties: questions whose 10th and 11th exact distances are equal (an id-based recall would then
# depend on the order among equals).
ties="$(psql_db -tAc "SELECT count(*) FROM bench_knowledge.found a JOIN bench_knowledge.found b
    USING (ef, no) WHERE ef = 0 AND a.rank = 10 AND b.rank = 11 AND abs(a.d - b.d) < 1e-7")"
exact_d10="$(psql_db -tAc "SELECT round(percentile_cont(0.5) WITHIN GROUP (ORDER BY d)::numeric, 3)
    FROM bench_knowledge.found WHERE ef = 0 AND rank = 10")"
exact_d1="$(psql_db -tAc "SELECT round(percentile_cont(0.5) WITHIN GROUP (ORDER BY d)::numeric, 3)
    FROM bench_knowledge.found WHERE ef = 0 AND rank = 1")"
{
    echo "| statement | ef_search | recall@10 | recall@50 (the 50 candidates) | p50 ms | p95 ms | recall@10 ≥ $recall_target |"
    echo "|---|---:|---:|---:|---:|---:|---|"
    for row in "${recall_rows[@]}"; do
        IFS='|' read -r form ef r10 r50 p50 p95 <<<"$row"
        met="**no**"
        at_least "$r10" "$recall_target" && met=yes
        [[ $form == hub ]] && form="the hub's" || form="without the scope join"
        echo "| $form | $ef | $r10 | $r50 | $p50 | $p95 | $met |"
    done
    echo "| exact (full-precision vectors, no index) | – | 1 | 1 | $exact_ms | | |"
} >"$data/recall.md"
cat "$data/recall.md" >&2
# When the hub's setting (the migrations' ef_search) misses the target: the search through
# the runner at the ef_search that reaches it (set for the database; a new runner, so new
# connections), then the hub's setting again.
ef_tables=""
if [[ -n $reaching_ef ]] && ((reaching_ef > ef_default)); then
    stop_runner
    psql_db -qc "ALTER DATABASE hub SET hnsw.ef_search = $reaching_ef"
    start_runner
    auth="Authorization: Bearer $(login "$user_email")"
    load_search "search-ef$reaching_ef-c1" 1
    psql_db -qc "ALTER DATABASE hub SET hnsw.ef_search = $ef_default"
    ef_tables="$("$bench" report targets --p95-ms "$p95_ms" \
        "$label, ef_search $reaching_ef=$results/search-ef$reaching_ef-c1.json")"
    echo "$ef_tables" >&2
fi
psql_db -qc "DROP SCHEMA bench_knowledge CASCADE"

# ---- plan --------------------------------------------------------------------------------------
# auto_explain on new sessions, then a new runner (new pool connections): one search after a
# warming one; the plan of its statement that reads the chunks (the `vec` CTE) from the log.
stop_runner
bench_explain_on "$data"
pg_log=$bench_pg_log
start_runner
auth="Authorization: Bearer $(login "$user_email")"
explained="$(sed -n 2p "$data/paths.txt")"
curl -sS -o /dev/null -H "$auth" "$base$(sed -n 1p "$data/paths.txt")"
offset="$(stat -c %s "$pg_log")"
curl -sS -o /dev/null -H "$auth" "$base$explained"
sleep 0.3
# The log's plans after the offset (a plan runs from its "duration: … plan:" line to the next
# line with a timestamp); the last one of a statement with the `vec` CTE.
tail -c +"$((offset + 1))" "$pg_log" | awk '
    /duration: [0-9.]+ ms +plan:/ { if (cur ~ /vec AS \(/) plan = cur; cur = $0; next }
    /^[0-9]{4}-[0-9]{2}-[0-9]{2} / { if (cur ~ /vec AS \(/) plan = cur; cur = ""; next }
    cur != "" { sub(/^\t/, ""); cur = cur "\n" $0 }
    END { if (cur ~ /vec AS \(/) plan = cur; print plan }' \
    | sed -E -e 's/^.*(duration: )/\1/' -e "s/'\[[-0-9.,e]+\]'/'[…the question's $dimension numbers…]'/g" >"$plan_file"
stop_runner
bench_explain_off
[[ -s $plan_file ]] || log "warning: no plan of the search statement found in $pg_log"

# ---- ingest ------------------------------------------------------------------------------------
# Files uploaded one after the other into a global collection (extraction and chunking happen in
# the upload request), then the background step called until it has embedded them all.
start_runner
admin_auth="Authorization: Bearer $(login "$admin_email")"
ingest_dir="$data/ingest"
rm -rf "$ingest_dir"
"$bench" knowledge files --count "$ingest_files" --chars $((file_pages * page_chars)) \
    --dir "$ingest_dir"
collection="$(curl -sS -H "$admin_auth" -H 'content-type: application/json' \
    -d '{"name":"Bench ingest","scope":"global"}' "$base/api/knowledge/collections" \
    | grep -o '"id":"[^"]*"' | head -n1 | cut -d'"' -f4)"
[[ -n $collection ]] || die "no collection for the ingest"
# One curl for all uploads (one keep-alive connection), as a config file of requests.
uploads="$data/uploads.curl"
: >"$uploads"
first=1
for file in "$ingest_dir"/*.md; do
    ((first)) || echo next >>"$uploads"
    first=0
    cat >>"$uploads" <<EOF
url = "$base/api/knowledge/files?name=$(basename "$file")&collection_id=$collection"
data-binary = "@$file"
header = "content-type: application/octet-stream"
header = "$admin_auth"
output = "/dev/null"
write-out = "%{http_code}\n"
EOF
done
log "ingest: uploading $ingest_files files"
upload_started=$(date +%s%N)
curl -sS -K "$uploads" >"$data/uploads.out"
upload_ns=$(($(date +%s%N) - upload_started))
created="$(grep -c '^201$' "$data/uploads.out" || true)"
((created == ingest_files)) || die "$created of $ingest_files uploads answered 201: $(sort "$data/uploads.out" | uniq -c | tr '\n' ' ')"
read -r ready ingest_chunks ingest_chars pending < <(psql_db -tA -F' ' -c "
    SELECT count(*) FILTER (WHERE status = 'ready'), sum(chunk_count), sum(char_count),
           count(*) FILTER (WHERE embedding_model IS NULL)
    FROM knowledge_files WHERE collection_id = '$collection'")
((ready == ingest_files)) || die "$ready of $ingest_files uploaded files are ready"
status="$(curl -sS -o "$data/check.json" -w '%{http_code}' -X POST -H "$admin_auth" \
    "$base/api/admin/embedding-models/$model/activate")"
[[ $status == 2* ]] || die "activating $model answered $status: $(head -c 300 "$data/check.json")"
log "ingest: embedding ($ingest_chunks chunks) with POST /api/knowledge/tick"
ticks=0 embedded=0
embed_started=$(date +%s%N)
while :; do
    answer="$(curl -sS --max-time 120 -X POST -H "Authorization: Bearer $tick_secret" "$base/api/knowledge/tick")"
    ticks=$((ticks + 1))
    n="$(sed -n 's/.*"embedded":\([0-9]*\).*/\1/p' <<<"$answer")"
    [[ -n $n ]] || die "the tick answered: $answer"
    embedded=$((embedded + n))
    grep -q '"more":true' <<<"$answer" || break
done
embed_ns=$(($(date +%s%N) - embed_started))
read -r done_files failed_files < <(psql_db -tA -F' ' -c "
    SELECT count(*) FILTER (WHERE embedding_model = '$model'), count(*) FILTER (WHERE embed_error IS NOT NULL)
    FROM knowledge_files WHERE collection_id = '$collection'")
((done_files == ingest_files)) || die "$done_files of $ingest_files files embedded ($failed_files failed)"
stop_runner
# rates SECONDS_NS: "files/s | chunks/s | pages/s" over that time.
rates() {
    awk -v ns="$1" -v f="$ingest_files" -v c="$ingest_chunks" -v p="$ingest_chars" -v pc="$page_chars" \
        'BEGIN { s = ns / 1e9; printf "%.2f | %.1f | %.1f | %.1f", s, f / s, c / s, p / pc / s }'
}
ingest_pages="$(awk -v p="$ingest_chars" -v pc="$page_chars" 'BEGIN { printf "%.0f", p / pc }')"
{
    echo "| step | seconds | files/s | chunks/s | pages/s |"
    echo "|---|---:|---:|---:|---:|"
    echo "| upload (extraction, chunking, storing) | $(rates "$upload_ns") |"
    echo "| embedding (background step, fake provider) | $(rates "$embed_ns") |"
    echo "| upload to embedded | $(rates $((upload_ns + embed_ns))) |"
} >"$data/ingest.md"
cat "$data/ingest.md" >&2
log "ingest: $ingest_files files, $ingest_chunks chunks, $ingest_chars characters ($ingest_pages pages), $ticks tick calls"

if [[ ${BENCH_NO_DOCS:-0} == 1 ]]; then
    log "tables in $data (docs untouched)"
    exit "$check_rc"
fi
bench_facts
recall_verdict="meets the target of $recall_target at the hub's ef_search $ef_default (recall@10 $recall_at_hub; $recall_at_40 at pgvector's default 40)"
if ! at_least "$recall_at_hub" "$recall_target"; then
    if [[ -n $reaching_ef ]]; then
        recall_verdict="misses the target of $recall_target at the hub's ef_search $ef_default ($recall_at_hub); ef_search $reaching_ef reaches it"
    else
        recall_verdict="misses the target of $recall_target at every ef_search tried (up to 600)"
    fi
fi
section_file="$(mktemp)"
{
    echo "## Knowledge search: hybrid search, recall and ingest"
    echo
    echo "Written by \`scripts/bench-knowledge.sh\` on $(date -u '+%Y-%m-%d %H:%M UTC'); re-run it rather than editing this section."
    echo
    echo "### Method"
    echo
    echo "- Machine: $(nproc) CPUs ($bench_cpu), $bench_mem memory, Linux $(uname -r); load average $loadavg_start before"
    echo "  the search load, $loadavg_end after. The client, the fake provider, the runner and PostgreSQL share these"
    echo "  CPUs, and other work may have been running on the machine."
    echo "- Build: commit $bench_commit, $(rustc --version | cut -d' ' -f1-2), release (runner native, components wasm32-wasip2)."
    echo "- Database: private PostgreSQL $bench_pg_version cluster (\`.data/bench-knowledge\`, 127.0.0.1:54419, sized by"
    echo "  \`scripts/pg.sh\` for the machine's memory: shared_buffers $(psql_db -tAc 'SHOW shared_buffers'), effective_cache_size"
    echo "  $(psql_db -tAc 'SHOW effective_cache_size')), the migrations applied, then seeded in $seed_s s:"
    echo "  **$corpus_chunks chunks** of $corpus_files markdown files ($per_file chunks each, $((corpus_chars / 1000000)) million characters) in one"
    echo "  global collection, every file \`ready\` and embedded with the active model \`$model\` ($dimension"
    echo "  dimensions); the chunks loaded with \`COPY\`, their indexes (as the migrations define them) built afterwards,"
    echo "  then \`VACUUM (ANALYZE)\`. Sizes: $sizes. HNSW index: half-precision vectors (\`halfvec\`), $index_params;"
    echo "  \`hnsw.iterative_scan\` = $iterative_scan, \`hnsw.ef_search\` = $ef_default (both set for the database by the migrations)."
    echo "- Corpus (\`hub-bench knowledge\`, seeded generator): text of made-up words (syllables, so that the full-text"
    echo "  search tokenises them as words) in $topics topics of 200 words each; every file has a"
    echo "  topic and a second one, and each of its chunks (170–240 words, about 1,600 characters like the hub's"
    echo "  400-token chunks) draws 55 % of its words from the first, 15 % from the second and 30 % from 500 common"
    echo "  words, each Zipf-distributed. A chunk's vector is the fake provider's embedding of its text"
    echo "  (\`fake_embedding\` in \`tests/src/fake_providers.rs\`: every word adds ±1 at an index chosen by its hash, the"
    echo "  sum scaled to length 1), exactly what the fake answers for that text. The questions are 3–6 distinct words of"
    echo "  one topic (so the keyword side matches), embedded by the hub through the fake provider for the load. The"
    echo "  recall's query vectors are the fake's vectors of held-out passages of each question's topic (generated like"
    echo "  the chunks, not in the corpus): where a real embedding model puts a question about a topic, and how ANN"
    echo "  benchmarks draw their queries; the fake's vector of a few hashed words lies far from every chunk, a case no"
    echo "  real model produces (on it HNSW's recall@10 was 0.41 at ef_search 40 and 0.47 at 100 in an earlier run)."
    echo "  $queries questions; the exact nearest chunk of a recall query lies at cosine distance $exact_d1 (median),"
    echo "  the 10th at $exact_d10."
    echo "- Runner: \`hub-runner start\` on the project's \`spin.toml\` (one fresh component instance per request, 16 pooled"
    echo "  PostgreSQL connections), OpenAI's base URL and key pointed at the tests' fake providers"
    echo "  (\`hub-bench knowledge fake-providers\`, one thread, 127.0.0.1, no delay), allowed as \`llm_extra_host\`."
    echo "- Search: \`GET /api/knowledge/search?q=…\` (default limit 10) by a user without admin rights who reads the"
    echo "  collection, with a bearer token: session check, the question embedded through the fake provider (its usage"
    echo "  row stored), then one statement: the reader's ready files, the keyword ranking (\`simple\`, \`german\` and"
    echo "  \`english\` full text, 50 candidates) and the vector ranking (HNSW, 50 candidates), fused by reciprocal rank;"
    echo "  the component then marks the snippets (\`hub_knowledge::headline\`). Every question was checked to answer in \`hybrid\` mode with passages."
    echo "- Load: \`hub-bench load\`, closed loop on keep-alive connections, the $queries questions in turn (each worker"
    echo "  from its own), per concurrency ($concurrencies) 1 s warm-up then ${seconds} s measured. Percentiles: nearest rank"
    echo "  over every response of the window. Target: p95 ≤ ${p95_ms} ms with no errors for one user's searches"
    echo "  (concurrency 1); higher concurrencies are reported, not part of the target. The time includes the fake"
    echo "  provider's answer on the same machine (a real provider adds its own latency, typically tens to hundreds"
    echo "  of milliseconds, which no index can save)."
    echo "- Recall: for every question, the vector side as \`hub_db::knowledge\` runs it (the \`scope\`, \`vscope\`, \`ann\` and \`exact\` CTEs of"
    echo "  \`fused\`; the scope has over 1,000 chunks, so \`ann\`: \`ORDER BY (embedding::halfvec($dimension)) <=> q LIMIT 50\` filtered by the reader's files, through the partial"
    echo "  HNSW index, in PL/pgSQL \`EXECUTE … USING\` like the hub's parameters), and the same ordering without the"
    echo "  scope join (all the model's chunks, here exactly the reader's: the form whose plan reads the HNSW index"
    echo "  whatever the planner makes of the join), each against exact search (every chunk's full-precision vector"
    echo "  compared, no index). recall@10 = |top 10 ∩ exact top 10| / 10, averaged; recall@50 likewise over"
    echo "  the 50 candidates the fusion receives; times are the statement alone in PostgreSQL. ef_search 40 (pgvector's"
    echo "  default), 100, the hub's $ef_default, then larger until both reach recall@10 $recall_target. Questions whose exact 10th and 11th distances tie: $ties."
    echo "- Ingest: $ingest_files Markdown files of ~$file_pages pages (a page = $page_chars characters; headings and paragraphs"
    echo "  of the same made-up words) uploaded one after the other on one connection (\`POST /api/knowledge/files\` into a"
    echo "  global collection: the text is extracted, chunked and stored with its full-text columns in the request),"
    echo "  then the model activated and \`POST /api/knowledge/tick\` (the background step, bearer \`tick_secret\`) called"
    echo "  until it answered \`more: false\` (calls: $ticks), every file then embedded: each call claims one file at"
    echo "  a time, embeds its chunks 256 at a time through the fake provider (no delay) and stores the vectors (into"
    echo "  the HNSW index of the $corpus_chunks seeded chunks) and the usage. In all $ingest_chunks chunks, $ingest_chars"
    echo "  characters = $ingest_pages pages."
    echo "- Plan: after the load, \`auto_explain\` (\`log_analyze\`, \`log_buffers\`) on a new runner's connections; one search"
    echo "  after a warming one; below, the plan of its search statement."
    echo
    echo "### Results"
    echo
    echo "Search through the runner:"
    echo
    cat "$tables"
    echo
    cat "$data/cpu.md"
    if [[ -n $ef_tables ]]; then
        echo
        echo "The same search at concurrency 1 with \`hnsw.ef_search = $reaching_ef\` (set for the database):"
        echo
        echo "$ef_tables"
    fi
    echo
    echo "Recall of the vector side against exact search:"
    echo
    cat "$data/recall.md"
    echo
    echo "Recall@10 $recall_verdict."
    echo
    echo "Plans (\`EXPLAIN\` of both statements for the first question): $vec_index."
    echo
    echo "Ingest:"
    echo
    cat "$data/ingest.md"
    echo
    echo "### Plan of the search statement"
    echo
    echo "For \`$explained\`:"
    echo
    echo '```text'
    cat "$plan_file"
    echo '```'
} >"$section_file"
write_bench_section "$docs" "$section" "$section_file"
log "wrote $docs"
exit "$check_rc"
