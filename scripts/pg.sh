#!/usr/bin/env bash
# Manages a private PostgreSQL cluster for development and tests (never the system service).
#
# Usage:
#   scripts/pg.sh start            initialise (first time) and start the cluster; ensure database "hub"
#   scripts/pg.sh stop             fast shutdown (no-op when not running)
#   scripts/pg.sh status           exit 0 when running, 3 when not running, 4 when not initialised
#   scripts/pg.sh url [DBNAME]     print postgres://hub:<password>@127.0.0.1:<port>/<db> (default db hub)
#   scripts/pg.sh createdb NAME    create a database (no-op when it exists)
#   scripts/pg.sh dropdb NAME      drop a database, closing its connections (no-op when missing)
#   scripts/pg.sh psql [ARGS...]   run psql as superuser "hub" (default database hub)
#
# Environment:
#   HUB_DATA_DIR   where everything lives (default: <repo>/.data):
#                    pg/            the cluster      pg-run/   its Unix socket
#                    pg.log         server log       pg-password  the superuser's password (mode 600)
#   HUB_PG_PORT    TCP port on 127.0.0.1 (default 54329)
#   HUB_PG_FAST=1  start with fsync, synchronous_commit and full_page_writes off (tests only:
#                  a crash can corrupt the cluster); read at start, so restart to change it
#   HUB_PG_VERSION PostgreSQL major version (default: newest under /usr/lib/postgresql)
#   HUB_PG_MEMORY_MB  memory the cluster is sized for (default: the machine's, from
#                  /proc/meminfo): shared_buffers a quarter of it (at most 8 GB, so that the
#                  knowledge search's HNSW index stays in PostgreSQL's own cache),
#                  effective_cache_size half, maintenance_work_mem a sixteenth (at most 2 GB:
#                  an HNSW index is built in memory when it fits); read at start
# Another HUB_DATA_DIR plus another HUB_PG_PORT gives a second, independent cluster.
#
# As root, initdb/pg_ctl run as the OS user "postgres" (PostgreSQL refuses to run as root), or as
# the owner of an existing cluster directory; otherwise they run as the current user.
set -euo pipefail

REPO_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
DATA_DIR=${HUB_DATA_DIR:-$REPO_DIR/.data}
[[ $DATA_DIR == /* ]] || DATA_DIR=$PWD/$DATA_DIR
DATA_DIR=${DATA_DIR%/}
PGDATA_DIR=$DATA_DIR/pg
RUN_DIR=$DATA_DIR/pg-run
LOG_FILE=$DATA_DIR/pg.log
PW_FILE=$DATA_DIR/pg-password
PORT=${HUB_PG_PORT:-54329}
SUPERUSER=hub
DEFAULT_DB=hub

log() { echo "pg: $*" >&2; }
die() { echo "pg: error: $*" >&2; exit 1; }

if ! [[ $PORT =~ ^[0-9]+$ ]] || ((PORT < 1 || PORT > 65535)); then die "invalid HUB_PG_PORT: $PORT"; fi
# The socket dir is passed to the server through a shell command line (pg_ctl -o).
[[ $DATA_DIR != *"'"* ]] || die "HUB_DATA_DIR must not contain a single quote: $DATA_DIR"

# Server binaries: the requested or newest installed major version.
find_pg_bin() {
    local f v best=""
    if [[ -n ${HUB_PG_VERSION:-} ]]; then
        best=$HUB_PG_VERSION
    else
        for f in /usr/lib/postgresql/*/bin/initdb; do
            [[ -x $f ]] || continue
            v=${f#/usr/lib/postgresql/}
            v=${v%%/*}
            if [[ -z $best ]] || ((v > best)); then best=$v; fi
        done
    fi
    [[ -n $best && -x /usr/lib/postgresql/$best/bin/initdb ]] \
        || die "PostgreSQL server binaries not found under /usr/lib/postgresql; run scripts/setup.sh"
    echo "/usr/lib/postgresql/$best/bin"
}
PG_BIN=$(find_pg_bin)

# The OS user that owns and runs the cluster.
if ((EUID == 0)); then
    if [[ -d $PGDATA_DIR ]] && [[ $(stat -c %U "$PGDATA_DIR") != root ]]; then
        PG_USER=$(stat -c %U "$PGDATA_DIR")
    else
        PG_USER=postgres
    fi
    id "$PG_USER" >/dev/null 2>&1 || die "OS user '$PG_USER' does not exist (is the postgresql package installed?)"
else
    PG_USER=$(id -un)
fi

# As root, the cluster runs as $PG_USER, who must be able to reach its folders. When the checkout
# lies below a folder that user cannot search (e.g. /root), the cluster, its socket and its log
# live under /var/tmp instead, and $DATA_DIR/pg links there (the password stays in $DATA_DIR).
if ((EUID == 0)) && [[ $PG_USER != root ]]; then
    probe=$DATA_DIR
    while [[ ! -e $probe ]]; do probe=$(dirname "$probe"); done
    if ! (cd / && runuser -u "$PG_USER" -- test -x "$probe"); then
        outside="/var/tmp/hub-pg-$(printf '%s' "$DATA_DIR" | cksum | cut -d' ' -f1)"
        mkdir -p "$outside"
        chmod 755 "$outside"
        PGDATA_DIR=$outside/pg
        RUN_DIR=$outside/run
        LOG_FILE=$outside/pg.log
        mkdir -p "$DATA_DIR"
        ln -sfn "$PGDATA_DIR" "$DATA_DIR/pg"
    fi
fi

# as_pg CMD...: run a command as $PG_USER, from / so that an unreadable current directory
# does not matter.
as_pg() {
    if ((EUID == 0)); then
        (cd / && runuser -u "$PG_USER" -- "$@")
    else
        (cd / && "$@")
    fi
}

# mkdir -p that makes every directory it creates mode 755, so $PG_USER can reach the data dir.
make_dirs() {
    local d=$1 missing=()
    while [[ ! -e $d ]]; do
        missing+=("$d")
        d=$(dirname "$d")
    done
    mkdir -p "$1"
    for d in "${missing[@]}"; do chmod 755 "$d"; done
}

password() {
    [[ -r $PW_FILE ]] || die "no password file $PW_FILE (run: scripts/pg.sh start)"
    local pw
    pw=$(<"$PW_FILE")
    [[ -n $pw ]] || die "empty password file $PW_FILE"
    echo "$pw"
}

# psql_admin ARGS...: psql as the superuser over TCP; -X ignores any ~/.psqlrc.
psql_admin() {
    PGPASSWORD=$(password) PGSSLMODE=disable PGCONNECT_TIMEOUT=10 PGOPTIONS="-c client_min_messages=warning" \
        "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PORT" -U "$SUPERUSER" "$@"
}

# Exit status of `pg_ctl status`: 0 running, 3 not running, 4 no valid data directory.
pg_status() {
    [[ -f $PGDATA_DIR/PG_VERSION ]] || return 4
    local rc=0
    as_pg "$PG_BIN/pg_ctl" status -D "$PGDATA_DIR" >/dev/null 2>&1 || rc=$?
    return "$rc"
}

# Port the running server listens on (line 4 of postmaster.pid).
running_port() {
    as_pg sed -n 4p "$PGDATA_DIR/postmaster.pid" 2>/dev/null || true
}

# True when something accepts TCP connections on 127.0.0.1:$PORT.
port_in_use() {
    timeout 2 bash -c "exec 3<>/dev/tcp/127.0.0.1/$PORT" 2>/dev/null
}

ensure_password_file() {
    [[ -s $PW_FILE ]] && return 0
    # Hex digits only: the password needs no URL encoding.
    (
        umask 077
        od -An -tx1 -N24 /dev/urandom | tr -d ' \n' >"$PW_FILE"
    )
    chmod 600 "$PW_FILE"
}

init_cluster() {
    local tmp_pw locale=C
    [[ -f $PGDATA_DIR/PG_VERSION ]] && return 0
    if [[ -d $PGDATA_DIR ]] && [[ -n $(ls -A "$PGDATA_DIR" 2>/dev/null) ]]; then
        die "$PGDATA_DIR exists but is not a cluster; remove it and start again"
    fi
    # C.UTF-8 (glibc >= 2.35, Debian 12) gives Unicode-aware upper()/lower()/ILIKE with C ordering.
    if locale -a 2>/dev/null | grep -qiE '^c\.utf-?8$'; then locale=C.UTF-8; fi

    # initdb runs as $PG_USER, which may not read $PW_FILE (mode 600, owned by the script user):
    # hand it a private copy that $PG_USER owns, deleted right after.
    tmp_pw=$(mktemp "$RUN_DIR/initdb-pw.XXXXXX")
    cat "$PW_FILE" >"$tmp_pw"
    ((EUID == 0)) && chown "$PG_USER" "$tmp_pw"
    log "initdb $PGDATA_DIR (PostgreSQL $(basename "$(dirname "$PG_BIN")"), superuser $SUPERUSER)"
    if ! as_pg "$PG_BIN/initdb" -D "$PGDATA_DIR" -U "$SUPERUSER" --pwfile="$tmp_pw" \
        --auth-local=scram-sha-256 --auth-host=scram-sha-256 \
        -E UTF8 --locale="$locale" >"$DATA_DIR/initdb.log" 2>&1; then
        rm -f "$tmp_pw"
        cat "$DATA_DIR/initdb.log" >&2
        die "initdb failed"
    fi
    rm -f "$tmp_pw" "$DATA_DIR/initdb.log"
}

ensure_database() {
    local db=$1 err
    # \gexec runs the generated statement only when the database is missing; %I quotes the name.
    local sql="SELECT format('CREATE DATABASE %I', :'db')
               WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = :'db') \\gexec"
    if ! err=$(psql_admin -d postgres -v "db=$db" <<<"$sql" 2>&1 >/dev/null); then
        # Lost a race with a concurrent createdb of the same name? Then it exists now.
        [[ $(psql_admin -d postgres -tA -v "db=$db" \
            <<<"SELECT 1 FROM pg_database WHERE datname = :'db'" 2>/dev/null) == 1 ]] \
            || die "could not create database $db: $err"
    fi
}

cmd_start() {
    local rc=0 opts running
    pg_status || rc=$?
    if ((rc == 0)); then
        running=$(running_port)
        [[ $running == "$PORT" ]] \
            || die "the cluster in $PGDATA_DIR is running on port $running, not $PORT; stop it first"
        ensure_database "$DEFAULT_DB"
        return 0
    fi

    port_in_use && die "port $PORT on 127.0.0.1 is already in use by another process; set HUB_PG_PORT to a free port"
    # Unix socket paths are limited to 107 bytes.
    ((${#RUN_DIR} + 20 < 107)) || die "HUB_DATA_DIR path too long for a Unix socket: $RUN_DIR"

    make_dirs "$DATA_DIR"
    mkdir -p "$PGDATA_DIR" "$RUN_DIR"
    chmod 700 "$PGDATA_DIR"
    chmod 755 "$RUN_DIR"
    touch "$LOG_FILE"
    if ((EUID == 0)); then
        chown "$PG_USER:" "$PGDATA_DIR" "$RUN_DIR" "$LOG_FILE"
        runuser -u "$PG_USER" -- test -w "$RUN_DIR" \
            || die "user $PG_USER cannot reach $DATA_DIR (a parent directory is not searchable); set HUB_DATA_DIR elsewhere"
    fi
    if [[ -f $PGDATA_DIR/PG_VERSION && ! -s $PW_FILE ]]; then
        die "password file $PW_FILE is missing for the existing cluster; remove $PGDATA_DIR to start afresh"
    fi
    ensure_password_file
    init_cluster

    opts="-p $PORT -k '$RUN_DIR' -c listen_addresses=127.0.0.1 -c max_connections=200 $(memory_options)"
    if [[ ${HUB_PG_FAST:-0} == 1 ]]; then
        opts+=" -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
    fi
    log "starting on 127.0.0.1:$PORT (data $PGDATA_DIR, log $LOG_FILE)"
    if ! as_pg "$PG_BIN/pg_ctl" start -D "$PGDATA_DIR" -w -t 60 -l "$LOG_FILE" -o "$opts" >/dev/null; then
        tail -n 20 "$LOG_FILE" >&2
        die "could not start PostgreSQL (see $LOG_FILE)"
    fi
    ensure_database "$DEFAULT_DB"
}

# memory_options: the memory settings for HUB_PG_MEMORY_MB or the machine's memory. PostgreSQL's
# defaults (128 MB of shared buffers) fit a laptop's demo, not an HNSW index of 100,000 vectors
# of 1,536 dimensions (800 MB): every page of it would be copied in from the OS cache on each
# search.
memory_options() {
    local mb=${HUB_PG_MEMORY_MB:-}
    if [[ -z $mb ]]; then
        mb=$(awk '/^MemTotal:/ {print int($2 / 1024)}' /proc/meminfo 2>/dev/null || true)
    fi
    [[ $mb =~ ^[0-9]+$ ]] || die "HUB_PG_MEMORY_MB must be a number of megabytes: $mb"
    ((mb >= 512)) || mb=512
    local shared=$((mb / 4)) cache=$((mb / 2)) maintenance=$((mb / 16))
    ((shared <= 8192)) || shared=8192
    ((maintenance <= 2048)) || maintenance=2048
    echo "-c shared_buffers=${shared}MB -c effective_cache_size=${cache}MB -c maintenance_work_mem=${maintenance}MB"
}

cmd_stop() {
    local rc=0
    pg_status || rc=$?
    if ((rc != 0)); then
        log "not running"
        return 0
    fi
    log "stopping ($PGDATA_DIR)"
    as_pg "$PG_BIN/pg_ctl" stop -D "$PGDATA_DIR" -m fast -w -t 60 >/dev/null
}

cmd_status() {
    local rc=0
    pg_status || rc=$?
    case $rc in
        0) log "running on 127.0.0.1:$(running_port) (data $PGDATA_DIR)" ;;
        4) log "not initialised ($PGDATA_DIR)" ;;
        *) log "not running ($PGDATA_DIR)" ;;
    esac
    return "$rc"
}

check_db_name() {
    [[ -n ${1:-} ]] || die "missing database name"
    ((${#1} <= 63)) || die "database name longer than 63 bytes: $1"
}

cmd_url() {
    local db=${1:-$DEFAULT_DB}
    echo "postgres://$SUPERUSER:$(password)@127.0.0.1:$PORT/$db"
}

cmd_createdb() {
    check_db_name "${1:-}"
    ensure_database "$1"
}

cmd_dropdb() {
    check_db_name "${1:-}"
    # WITH (FORCE) closes the database's connections first (PostgreSQL 13+).
    psql_admin -d postgres -v "db=$1" \
        <<<"SELECT format('DROP DATABASE IF EXISTS %I WITH (FORCE)', :'db') \\gexec" >/dev/null
}

cmd_psql() {
    PGDATABASE=$DEFAULT_DB PGPASSWORD=$(password) PGSSLMODE=disable \
        exec "$PG_BIN/psql" -h 127.0.0.1 -p "$PORT" -U "$SUPERUSER" "$@"
}

usage() {
    sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "${BASH_SOURCE[0]}" >&2
    exit 2
}

cmd=${1:-}
[[ $# -gt 0 ]] && shift
case $cmd in
    start) cmd_start ;;
    stop) cmd_stop ;;
    status) cmd_status ;;
    url) cmd_url "$@" ;;
    createdb) cmd_createdb "$@" ;;
    dropdb) cmd_dropdb "$@" ;;
    psql) cmd_psql "$@" ;;
    *) usage ;;
esac
