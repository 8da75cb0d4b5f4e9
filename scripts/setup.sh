#!/usr/bin/env bash
# Installs what this project needs on a Debian machine (Debian 12 "bookworm" is the reference):
#   - the Rust target wasm32-wasip2 (the components are built for it);
#   - PostgreSQL server binaries and the pgvector extension for that server version;
#   - optionally the frontend's npm dependencies and Debian's chromium for browser tests;
#   - optionally schemathesis (property-based API tests) in a Python virtual environment;
#   - optionally the fuzzing tools: g++ (libFuzzer is C++) and cargo-fuzz (scripts/fuzz.sh).
#
# Idempotent: when everything is present it prints nothing and returns quickly.
# Needs root for the Debian packages (runs apt-get through sudo when not root).
#
# Usage: scripts/setup.sh
# Environment:
#   HUB_SETUP_FRONTEND=0   skip `npm ci` in static/ (default 1; skipped anyway without static/package.json)
#   HUB_SETUP_BROWSER=1    also install chromium (default 0)
#   HUB_SETUP_SCHEMATHESIS=1  also install schemathesis and the other Python test tools (cryptography,
#                          for the Fernet interoperability test) into .data/venv from PyPI, at the
#                          versions of scripts/requirements-schemathesis.txt (default 0)
#   HUB_SETUP_FUZZ=1       also install g++ and cargo-fuzz at CARGO_FUZZ_VERSION (default 0; scripts/fuzz.sh sets it)
#   HUB_PG_VERSION=NN      PostgreSQL major version to use (default: newest installed, else Debian's default)
#   HUB_PGVECTOR_SRC_SUITE Debian suite whose pgvector source package is built when no binary package
#                          exists (default trixie)
set -euo pipefail

REPO_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PGVECTOR_SRC_SUITE=${HUB_PGVECTOR_SRC_SUITE:-trixie}
# Temporary deb-src entry for the pgvector source package; removed again after use.
PGVECTOR_SRC_LIST=/etc/apt/sources.list.d/hub-pgvector-src.sources
export DEBIAN_FRONTEND=noninteractive

log() { echo "setup: $*"; }
die() { echo "setup: error: $*" >&2; exit 1; }

# Output of long commands (apt-get, make, npm) goes to this file and is only shown on failure.
CMD_LOG=$(mktemp /tmp/hub-setup.XXXXXX.log)
# Directory for the pgvector source build (set while building).
BUILD_DIR=""
# 1 while the temporary deb-src list file may exist.
SRC_LIST_ADDED=0

cleanup() {
    local rc=$?
    if [[ $SRC_LIST_ADDED == 1 ]]; then
        log "removing temporary deb-src entry $PGVECTOR_SRC_LIST"
        "${ROOT_CMD[@]}" rm -f "$PGVECTOR_SRC_LIST" || true
        "${ROOT_CMD[@]}" apt-get update -q >>"$CMD_LOG" 2>&1 \
            || echo "setup: warning: apt-get update after removing $PGVECTOR_SRC_LIST failed" >&2
    fi
    [[ -n $BUILD_DIR ]] && rm -rf "$BUILD_DIR"
    rm -f "$CMD_LOG"
    exit "$rc"
}
trap cleanup EXIT
# Turn signals into a normal exit so that the EXIT trap cleans up.
trap 'exit 130' INT
trap 'exit 143' TERM

# How to run a command as root: directly, through sudo, or not at all.
if ((EUID == 0)); then
    ROOT_CMD=()
    HAVE_ROOT=1
elif command -v sudo >/dev/null 2>&1; then
    ROOT_CMD=(sudo)
    HAVE_ROOT=1
else
    ROOT_CMD=()
    HAVE_ROOT=0
fi

# need_root WHAT: stop with instructions when root is needed but not available.
need_root() {
    [[ $HAVE_ROOT == 1 ]] && return 0
    die "$1
  This needs root, and sudo is not available. As root, run:  bash $REPO_DIR/scripts/setup.sh"
}

# run_quiet CMD...: run an external command with its output in $CMD_LOG; show the tail on failure.
run_quiet() {
    : >"$CMD_LOG"
    if ! "$@" >>"$CMD_LOG" 2>&1; then
        echo "setup: command failed: $*" >&2
        tail -n 40 "$CMD_LOG" >&2
        exit 1
    fi
}

APT_UPDATED=0
apt_update_once() {
    [[ $APT_UPDATED == 1 ]] && return 0
    need_root "apt-get update is needed."
    log "apt-get update"
    run_quiet "${ROOT_CMD[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q
    APT_UPDATED=1
}

# apt_install PKG...: install those of the Debian packages that are not installed yet.
apt_install() {
    local pkg missing=()
    for pkg in "$@"; do
        dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'ok installed' || missing+=("$pkg")
    done
    ((${#missing[@]} > 0)) || return 0
    set -- "${missing[@]}"
    need_root "Missing Debian packages: $*  (apt-get install -y $*)"
    apt_update_once
    log "apt-get install $*"
    run_quiet "${ROOT_CMD[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$@"
}

# apt_candidate PKG: print the installable version of PKG, or nothing.
apt_candidate() {
    apt-cache policy "$1" 2>/dev/null | awk '$1 == "Candidate:" && $2 != "(none)" { print $2 }'
}

# ---------------------------------------------------------------------------------------------
# Rust: wasm32-wasip2 target
# ---------------------------------------------------------------------------------------------
setup_rust_target() {
    command -v rustup >/dev/null 2>&1 \
        || die "rustup not found. Install Rust with rustup, then run this script again."
    if ! rustup target list --installed | grep -qx 'wasm32-wasip2'; then
        log "rustup target add wasm32-wasip2"
        run_quiet rustup target add wasm32-wasip2
    fi
}

# ---------------------------------------------------------------------------------------------
# PostgreSQL server
# ---------------------------------------------------------------------------------------------
PG_VERSION=""

# Newest PostgreSQL major version whose server binaries are installed (empty when none).
installed_pg_version() {
    local f v best=""
    for f in /usr/lib/postgresql/*/bin/initdb; do
        [[ -x $f ]] || continue
        v=${f#/usr/lib/postgresql/}
        v=${v%%/*}
        if [[ -z $best ]] || ((v > best)); then best=$v; fi
    done
    echo "$best"
}

setup_postgres() {
    if [[ -n ${HUB_PG_VERSION:-} ]]; then
        PG_VERSION=$HUB_PG_VERSION
        [[ -x /usr/lib/postgresql/$PG_VERSION/bin/initdb ]] || apt_install "postgresql-$PG_VERSION"
    else
        PG_VERSION=$(installed_pg_version)
        if [[ -z $PG_VERSION ]]; then
            apt_install postgresql
            PG_VERSION=$(installed_pg_version)
        fi
    fi
    [[ -n $PG_VERSION && -x /usr/lib/postgresql/$PG_VERSION/bin/initdb ]] \
        || die "PostgreSQL server binaries not found under /usr/lib/postgresql/*/bin after installing"
}

# ---------------------------------------------------------------------------------------------
# pgvector
# ---------------------------------------------------------------------------------------------
pg_config_bin() { echo "/usr/lib/postgresql/$PG_VERSION/bin/pg_config"; }

pgvector_installed() {
    local pgc share lib
    pgc=$(pg_config_bin)
    share=$("$pgc" --sharedir)
    lib=$("$pgc" --pkglibdir)
    [[ -f $share/extension/vector.control && -f $lib/vector.so ]]
}

# This machine's Debian release name (bookworm, trixie, ...).
os_codename() {
    # shellcheck source=/dev/null
    (. /etc/os-release && echo "${VERSION_CODENAME:-}")
}

# Print "URI<TAB>SIGNED-BY" of the main Debian archive configured for this machine's release,
# read from deb822 .sources files (debian.sources first), else from classic sources.list files.
debian_archive_source() {
    local codename files=() f
    codename=$(os_codename)
    [[ -n $codename ]] || die "cannot read VERSION_CODENAME from /etc/os-release"

    [[ -f /etc/apt/sources.list.d/debian.sources ]] && files+=(/etc/apt/sources.list.d/debian.sources)
    for f in /etc/apt/sources.list.d/*.sources; do
        [[ -f $f && $f != /etc/apt/sources.list.d/debian.sources && $f != "$PGVECTOR_SRC_LIST" ]] \
            && files+=("$f")
    done
    if ((${#files[@]} > 0)); then
        # deb822: stanzas are separated by blank lines; continuation lines start with a space.
        # Take the first enabled stanza of type deb whose Suites contain the release's codename
        # (not -updates/-security) and whose Components contain main; print its first URI.
        awk -v suite="$codename" '
            BEGIN { RS = ""; FS = "\n" }
            {
                delete v; key = ""
                for (i = 1; i <= NF; i++) {
                    line = $i
                    if (line ~ /^#/) continue
                    if (line ~ /^[ \t]/ && key != "") { v[key] = v[key] " " line; continue }
                    if (match(line, /^[A-Za-z0-9-]+:/)) {
                        key = tolower(substr(line, 1, RLENGTH - 1))
                        v[key] = substr(line, RLENGTH + 1)
                    }
                }
                if (tolower(v["enabled"]) ~ /no/) next
                if ((" " v["types"] " ") !~ /[ \t]deb[ \t]/) next
                if ((" " v["suites"] " ") !~ ("[ \t]" suite "[ \t]")) next
                if ((" " v["components"] " ") !~ /[ \t]main[ \t]/) next
                split(v["uris"], u, /[ \t]+/)
                uri = (u[1] != "") ? u[1] : u[2]
                sb = v["signed-by"]; gsub(/^[ \t]+|[ \t]+$/, "", sb)
                if (sb !~ /^\//) sb = ""   # only reuse a keyring path, not an inline key
                if (uri != "") { print uri "\t" sb; found = 1; exit }
            }
            END { if (!found) exit 1 }
        ' "${files[@]}" && return 0
    fi

    # Classic one-line format: "deb [options] URI SUITE COMPONENT...".
    files=()
    [[ -f /etc/apt/sources.list ]] && files+=(/etc/apt/sources.list)
    for f in /etc/apt/sources.list.d/*.list; do [[ -f $f ]] && files+=("$f"); done
    if ((${#files[@]} > 0)); then
        awk -v suite="$codename" '
            $1 == "deb" {
                i = 2
                if ($i ~ /^\[/) { while (i <= NF && $i !~ /\]$/) i++; i++ }
                uri = $i; s = $(i + 1)
                if (s != suite) next
                for (j = i + 2; j <= NF; j++) if ($j == "main") { print uri "\t"; found = 1; exit }
            }
            END { if (!found) exit 1 }
        ' "${files[@]}" && return 0
    fi
    return 1
}

# Build pgvector from the Debian source package of $PGVECTOR_SRC_SUITE (used where the release has
# no postgresql-NN-pgvector binary package, e.g. bookworm).
build_pgvector_from_source() {
    local pgc=$1 src uri signed_by srcdir
    apt_install "postgresql-server-dev-$PG_VERSION" build-essential dpkg-dev

    src=$(debian_archive_source) \
        || die "no 'deb ... $(os_codename) main' entry found in /etc/apt/sources.list.d/*.sources or sources.list"
    uri=${src%%$'\t'*}
    signed_by=${src#*$'\t'}

    log "adding temporary deb-src entry for $PGVECTOR_SRC_SUITE main ($uri)"
    SRC_LIST_ADDED=1
    {
        echo "Types: deb-src"
        echo "URIs: $uri"
        echo "Suites: $PGVECTOR_SRC_SUITE"
        echo "Components: main"
        [[ -n $signed_by ]] && echo "Signed-By: $signed_by"
    } | "${ROOT_CMD[@]}" tee "$PGVECTOR_SRC_LIST" >/dev/null
    log "apt-get update (with $PGVECTOR_SRC_SUITE sources)"
    run_quiet "${ROOT_CMD[@]}" apt-get update -q

    BUILD_DIR=$(mktemp -d /tmp/hub-pgvector.XXXXXX)
    # apt downloads as the unprivileged _apt user when it can; let it write here.
    chmod 755 "$BUILD_DIR"
    log "apt-get source pgvector"
    (cd "$BUILD_DIR" && run_quiet apt-get source -q pgvector)
    srcdir=$(find "$BUILD_DIR" -mindepth 1 -maxdepth 1 -type d -name 'pgvector-*' | head -n 1)
    [[ -n $srcdir ]] || die "apt-get source pgvector did not unpack a pgvector-* directory"

    # OPTFLAGS="" drops pgvector's default -march=native, as Debian's own package does, so the
    # library does not depend on this machine's CPU.
    log "building $(basename "$srcdir") for PostgreSQL $PG_VERSION"
    run_quiet make -C "$srcdir" -j"$(nproc)" PG_CONFIG="$pgc" OPTFLAGS=""
    log "installing $(basename "$srcdir")"
    run_quiet "${ROOT_CMD[@]}" make -C "$srcdir" install PG_CONFIG="$pgc" OPTFLAGS=""

    # Remove the temporary source entry now (the EXIT trap does the same on failure).
    log "removing temporary deb-src entry $PGVECTOR_SRC_LIST"
    "${ROOT_CMD[@]}" rm -f "$PGVECTOR_SRC_LIST"
    SRC_LIST_ADDED=0
    log "apt-get update (without $PGVECTOR_SRC_SUITE sources)"
    run_quiet "${ROOT_CMD[@]}" apt-get update -q
    rm -rf "$BUILD_DIR"
    BUILD_DIR=""
}

setup_pgvector() {
    local pgc pkg
    pgc=$(pg_config_bin)
    [[ -x $pgc ]] || apt_install "postgresql-server-dev-$PG_VERSION"
    pgvector_installed && return 0
    need_root "pgvector for PostgreSQL $PG_VERSION is missing (package postgresql-$PG_VERSION-pgvector where it exists)."

    pkg="postgresql-$PG_VERSION-pgvector"
    # A stale or empty package index may hide the binary package: refresh once before deciding.
    [[ -n $(apt_candidate "$pkg") ]] || apt_update_once
    if [[ -n $(apt_candidate "$pkg") ]]; then
        apt_install "$pkg"
    else
        log "no $pkg package for this release; building pgvector from Debian's $PGVECTOR_SRC_SUITE source package"
        build_pgvector_from_source "$pgc"
    fi
    pgvector_installed \
        || die "pgvector still missing: $("$pgc" --sharedir)/extension/vector.control or $("$pgc" --pkglibdir)/vector.so"
    log "pgvector installed for PostgreSQL $PG_VERSION"
}

# ---------------------------------------------------------------------------------------------
# Frontend (optional hooks)
# ---------------------------------------------------------------------------------------------
# npm dependencies of static/: `npm ci` when package.json or package-lock.json changed since the
# last successful install (tracked with a stamp file inside node_modules).
setup_frontend_deps() {
    [[ ${HUB_SETUP_FRONTEND:-1} == 1 ]] || return 0
    local dir=$REPO_DIR/static stamp
    [[ -f $dir/package.json ]] || return 0
    stamp=$dir/node_modules/.hub-setup-stamp
    if [[ -f $stamp && ! $dir/package.json -nt $stamp ]] \
        && [[ ! -f $dir/package-lock.json || ! $dir/package-lock.json -nt $stamp ]]; then
        return 0
    fi
    command -v npm >/dev/null 2>&1 || die "npm not found: install Node.js 20 with npm, then run this script again."
    if [[ -f $dir/package-lock.json ]]; then
        log "npm ci in static/"
        (cd "$dir" && run_quiet npm ci --no-audit --no-fund)
    else
        log "npm install in static/ (no package-lock.json yet)"
        (cd "$dir" && run_quiet npm install --no-audit --no-fund)
    fi
    mkdir -p "$dir/node_modules"
    touch "$stamp"
}

# Debian's chromium, driven by playwright-core in the browser tests.
setup_browser() {
    [[ ${HUB_SETUP_BROWSER:-0} == 1 ]] || return 0
    [[ -x /usr/bin/chromium ]] && return 0
    apt_install chromium
}

# schemathesis and the other Python test tools in their own virtual environment, .data/venv
# (git-ignored), at the exact versions of
# scripts/requirements-schemathesis.txt; reinstalled when that file changed since the last
# successful install (a copy of it inside the environment is the stamp).
setup_schemathesis() {
    [[ ${HUB_SETUP_SCHEMATHESIS:-0} == 1 ]] || return 0
    local venv=$REPO_DIR/.data/venv requirements=$REPO_DIR/scripts/requirements-schemathesis.txt
    local stamp=$REPO_DIR/.data/venv/.hub-requirements.txt
    if [[ -x $venv/bin/schemathesis && -f $stamp ]] && cmp -s "$requirements" "$stamp"; then
        return 0
    fi
    command -v python3 >/dev/null 2>&1 || apt_install python3 python3-venv
    # Debian's python3 creates environments only with python3-venv (ensurepip).
    python3 -c 'import ensurepip, venv' >/dev/null 2>&1 || apt_install python3-venv
    if [[ ! -x $venv/bin/pip ]]; then
        log "python3 -m venv $venv"
        rm -rf "$venv"
        run_quiet python3 -m venv "$venv"
    fi
    log "pip install schemathesis, cryptography into $venv"
    run_quiet "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$requirements"
    cp "$requirements" "$stamp"
}

# The fuzzing tools of scripts/fuzz.sh: g++, with which libfuzzer-sys compiles libFuzzer, and
# cargo-fuzz from crates.io at a pinned version (reinstalled when another version is found).
CARGO_FUZZ_VERSION=0.13.2
setup_fuzz() {
    [[ ${HUB_SETUP_FUZZ:-0} == 1 ]] || return 0
    command -v g++ >/dev/null 2>&1 || apt_install g++
    if [[ $(cargo fuzz --version 2>/dev/null) != "cargo-fuzz $CARGO_FUZZ_VERSION" ]]; then
        log "cargo install cargo-fuzz@$CARGO_FUZZ_VERSION"
        run_quiet env -u RUSTC_WORKSPACE_WRAPPER -u CLIPPY_ARGS \
            cargo install --locked --force "cargo-fuzz@$CARGO_FUZZ_VERSION"
    fi
}

main() {
    setup_rust_target
    setup_postgres
    setup_pgvector
    setup_frontend_deps
    setup_browser
    setup_schemathesis
    setup_fuzz
}

main "$@"
