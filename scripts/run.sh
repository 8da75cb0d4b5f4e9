#!/usr/bin/env bash
# Quick start, part one: installs what is missing, builds everything, starts a local PostgreSQL
# (with pgvector), applies the migrations and serves the hub on http://127.0.0.1:3000.
#
# Environment (all optional):
#   SPIN_VARIABLE_DB_URL  use this database instead of the local cluster (any Postgres with pgvector)
#   HUB_LISTEN            address to listen on (default 127.0.0.1:3000)
#   HUB_TICK_SECS         seconds between the background steps (embeddings of uploads; default 5)
#   HUB_DATA_DIR          local state: cluster, secrets, compile cache (default <repo>/.data)
#   SPIN_VARIABLE_JWT_SECRET  the access tokens' signing key (default: generated once into
#                         $HUB_DATA_DIR/secrets.env, mode 600, and reused on every start)
#   SPIN_VARIABLE_PROVIDER_KEYS_MASTER_KEY  the master key of the provider keys stored in the
#                         database (default: generated once into secrets.env, like the JWT secret)
#   HUB_ADMIN_EMAIL       the first admin's email on a database without an admin (default
#                         admin@hub.localhost); its generated password is kept in secrets.env
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"
export HUB_DATA_DIR="${HUB_DATA_DIR:-$repo/.data}"

scripts/setup.sh
scripts/build.sh

if [[ -z "${SPIN_VARIABLE_DB_URL:-}" ]]; then
    scripts/pg.sh start
    SPIN_VARIABLE_DB_URL="$(scripts/pg.sh url)"
    export SPIN_VARIABLE_DB_URL
fi
# The database's host:port, for the components' outbound allow-list.
if [[ -z "${SPIN_VARIABLE_DB_HOST:-}" ]]; then
    hostport="${SPIN_VARIABLE_DB_URL#*://}"
    hostport="${hostport##*@}"
    hostport="${hostport%%/*}"
    hostport="${hostport%%\?*}"
    [[ "$hostport" == *:* ]] || hostport="$hostport:5432"
    export SPIN_VARIABLE_DB_HOST="$hostport"
fi

# The JWT secret: generated once (256 random bits, hex) and kept, so that tokens survive restarts.
if [[ -z "${SPIN_VARIABLE_JWT_SECRET:-}" ]]; then
    secrets="$HUB_DATA_DIR/secrets.env"
    if ! grep -q '^SPIN_VARIABLE_JWT_SECRET=.' "$secrets" 2>/dev/null; then
        mkdir -p "$HUB_DATA_DIR"
        (
            umask 077
            echo "SPIN_VARIABLE_JWT_SECRET=$(od -An -tx1 -N32 /dev/urandom | tr -d ' \n')" >>"$secrets"
        )
        echo "run: generated a JWT secret in $secrets" >&2
    fi
    chmod 600 "$secrets"
    SPIN_VARIABLE_JWT_SECRET="$(sed -n 's/^SPIN_VARIABLE_JWT_SECRET=//p' "$secrets" | tail -n1)"
    export SPIN_VARIABLE_JWT_SECRET
fi

# The bearer token of the background step (embeddings of uploaded files), which the runner's
# timer calls every few seconds: generated once and kept.
if [[ -z "${SPIN_VARIABLE_TICK_SECRET:-}" ]]; then
    secrets="$HUB_DATA_DIR/secrets.env"
    if ! grep -q '^SPIN_VARIABLE_TICK_SECRET=.' "$secrets" 2>/dev/null; then
        mkdir -p "$HUB_DATA_DIR"
        (
            umask 077
            echo "SPIN_VARIABLE_TICK_SECRET=$(od -An -tx1 -N32 /dev/urandom | tr -d ' \n')" >>"$secrets"
        )
    fi
    chmod 600 "$secrets"
    SPIN_VARIABLE_TICK_SECRET="$(sed -n 's/^SPIN_VARIABLE_TICK_SECRET=//p' "$secrets" | tail -n1)"
    export SPIN_VARIABLE_TICK_SECRET
fi

# The master key of the provider keys stored in the database (Fernet, from `hub keys
# generate-master-key`): generated once and kept, so that stored keys stay readable.
if [[ -z "${SPIN_VARIABLE_PROVIDER_KEYS_MASTER_KEY:-}" ]]; then
    secrets="$HUB_DATA_DIR/secrets.env"
    if ! grep -q '^SPIN_VARIABLE_PROVIDER_KEYS_MASTER_KEY=.' "$secrets" 2>/dev/null; then
        mkdir -p "$HUB_DATA_DIR"
        master_key="$(target/release/hub keys generate-master-key)"
        (
            umask 077
            echo "SPIN_VARIABLE_PROVIDER_KEYS_MASTER_KEY=$master_key" >>"$secrets"
        )
        unset master_key
        echo "run: generated the provider keys' master key in $secrets" >&2
    fi
    chmod 600 "$secrets"
    SPIN_VARIABLE_PROVIDER_KEYS_MASTER_KEY="$(sed -n 's/^SPIN_VARIABLE_PROVIDER_KEYS_MASTER_KEY=//p' "$secrets" | tail -n1)"
    export SPIN_VARIABLE_PROVIDER_KEYS_MASTER_KEY
fi

target/release/hub-runner migrate --dir migrations

# The first admin, on a database without one: its email from HUB_ADMIN_EMAIL (default
# admin@hub.localhost), its password generated once and kept with the other generated secrets, printed
# when the account is created; it must be changed at the first login.
secrets="$HUB_DATA_DIR/secrets.env"
if ! grep -q '^HUB_ADMIN_PASSWORD=.' "$secrets" 2>/dev/null; then
    mkdir -p "$HUB_DATA_DIR"
    (
        umask 077
        echo "HUB_ADMIN_EMAIL=${HUB_ADMIN_EMAIL:-admin@hub.localhost}" >>"$secrets"
        echo "HUB_ADMIN_PASSWORD=$(od -An -tx1 -N12 /dev/urandom | tr -d ' \n')" >>"$secrets"
    )
fi
chmod 600 "$secrets"
admin_email="$(sed -n 's/^HUB_ADMIN_EMAIL=//p' "$secrets" | tail -n1)"
admin_password="$(sed -n 's/^HUB_ADMIN_PASSWORD=//p' "$secrets" | tail -n1)"
created="$(HUB_ADMIN_PASSWORD="$admin_password" target/release/hub create-admin \
    --email "$admin_email" --if-no-admin --must-change-password </dev/null)"
if [[ "$created" == "admin created:"* ]]; then
    echo "run: created the first admin; change its password at the first login:" >&2
    echo "       email:    $admin_email" >&2
    echo "       password: $admin_password" >&2
    echo "     (kept in $secrets; \`target/release/hub create-admin\` makes more admins)" >&2
fi
unset admin_password

echo "run: serving on http://${HUB_LISTEN:-127.0.0.1:3000} (Ctrl-C stops it)" >&2
exec target/release/hub-runner start -f spin.toml --listen "${HUB_LISTEN:-127.0.0.1:3000}" \
    --cache-dir "$HUB_DATA_DIR/wasm-cache" \
    --tick-path /api/knowledge/tick --tick-every-secs "${HUB_TICK_SECS:-5}"
