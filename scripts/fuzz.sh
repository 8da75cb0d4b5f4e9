#!/usr/bin/env bash
# Fuzzes the parsers that read outside input with cargo-fuzz (libFuzzer), one target after the
# other, each for a bounded time. Each corpus lives in fuzz/corpus/<target>/: seeded from the
# project's own fixtures when empty, minimised after every run (`cargo fuzz cmin`) so that what
# is committed stays small. A crash's reproducer is copied to fuzz/regressions/<target>/ and the
# script exits non-zero. `cargo test` replays both folders (fuzz/targets/tests/replay.rs).
#
# Usage: scripts/fuzz.sh [TARGET|all] [SECONDS]   every target (default) or one, SECONDS each (60)
#        scripts/fuzz.sh --list                   the targets
#
# cargo-fuzz needs nightly flags (-Zsanitizer=address); RUSTC_BOOTSTRAP=1 lets the stable
# toolchain take them. scripts/setup.sh installs g++ and the pinned cargo-fuzz first.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"

fixtures=shared/providers/tests/fixtures
# Where the fixtures of each provider kind are (the suffix of its targets' names).
declare -A fixture_dir=(
    [openai]=openai [anthropic]=anthropic [gemini]=gemini [mistral]=mistral
    [xai]=xai [azure]=azure [compatible]=compatible
)

# The targets: the [[bin]]s of fuzz/Cargo.toml.
mapfile -t all_targets < <(awk '/^\[\[bin\]\]/ { bin = 1; next }
    bin && /^name = / { gsub(/"/, "", $3); print $3; bin = 0 }' fuzz/Cargo.toml)

if [[ ${1:-} == --list ]]; then
    printf '%s\n' "${all_targets[@]}"
    exit 0
fi
target_arg=${1:-all}
seconds=${2:-60}
[[ $seconds =~ ^[1-9][0-9]*$ ]] || { echo "fuzz: SECONDS must be a positive number" >&2; exit 2; }
if [[ $target_arg == all ]]; then
    targets=("${all_targets[@]}")
elif printf '%s\n' "${all_targets[@]}" | grep -qx -- "$target_arg"; then
    targets=("$target_arg")
else
    echo "fuzz: unknown target $target_arg; the targets are: ${all_targets[*]}" >&2
    exit 2
fi

HUB_SETUP_FUZZ=1 HUB_SETUP_FRONTEND=0 scripts/setup.sh
export RUSTC_BOOTSTRAP=1
# The clippy wrapper of scripts/test.sh has no business here.
unset RUSTC_WORKSPACE_WRAPPER CLIPPY_ARGS
fuzz_dir=(--fuzz-dir fuzz)
# Release code with debug assertions (overflow checks) and AddressSanitizer: cargo-fuzz's default.
build_flags=(--release --debug-assertions)

# seed TARGET DIR: writes the starting inputs of TARGET into DIR.
seed() {
    local target=$1 dir=$2 i=0 f line
    case $target in
        sse)
            for f in "$fixtures"/*/*.sse; do
                cp "$f" "$dir/seed-$(basename "$(dirname "$f")")-$(basename "$f")"
            done ;;
        stream_*)
            for f in "$fixtures/${fixture_dir[${target#stream_}]}"/*.sse; do
                cp "$f" "$dir/seed-$(basename "$f")"
            done ;;
        response_*)
            for f in "$fixtures/${fixture_dir[${target#response_}]}"/*; do
                case $f in *.sse | */expected.json) continue ;; esac
                cp "$f" "$dir/seed-$(basename "$f")"
            done ;;
        manifest)
            cp spin.toml "$dir/seed-spin.toml"
            seed_lines manifest >"$dir/seed-small.toml" ;;
        extract)
            # The extraction tests' PDF and DOCX fixtures that fit max_len, and texts.
            for f in shared/knowledge/tests/fixtures/*.pdf shared/knowledge/tests/fixtures/minimal.docx; do
                cp "$f" "$dir/seed-$(basename "$f")"
            done
            printf '# Title\n\nA paragraph. Another sentence!\n\n```\n# code\n```\n## Sub\ntext' \
                >"$dir/seed-markdown"
            printf '\xff\xfeh\0i\0\n\0\n\0x\0' >"$dir/seed-utf16"
            printf '\xef\xbb\xbfline\r\nbell\a tab\t end' >"$dir/seed-controls" ;;
        json_body | query | static_path | template)
            # One input per line.
            while IFS= read -r line; do
                i=$((i + 1))
                printf '%s' "$line" >"$dir/seed-$i"
            done < <(seed_lines "$target") ;;
        *)
            echo "fuzz: no seeds for $target: add them to seed() in scripts/fuzz.sh" >&2
            return 1 ;;
    esac
}

seed_lines() {
    case $1 in
        json_body) cat <<'EOF'
{"email":"ada@example.com","password":"correct horse battery","display_name":"Ada"}
{"email":"ada@example.com","password":"correct horse battery","display_name":null,"is_admin":true}
{"email":"ada@example.com","password":"secret-password"}
{"display_name":"Ada L.","password":"new password 123","current_password":"old password 123"}
{"title":"Trip planning","model":"gpt-4o-mini","temperature":0.7}
{"title":"Renamed","model":null,"temperature":null}
{"content":"Hello, who are you?","model":"claude-sonnet-4-20250514","temperature":1.5}
{"regenerate":true}
{"content":"caf\u00e9 \ud83d\ude00","unknown":[1,2,{"a":{}}]}
 [ {"title": 1e400} ]
EOF
            ;;
        query) cat <<'EOF'
limit=20&cursor=eyJpZCI6IjEyMyJ9%3D%3D
q=J%C3%BCrgen+M&limit=5&x&=&&bad=%zz&end=%4
name=%2B%25%26%3D&name=second
EOF
            ;;
        manifest) cat <<'EOF'
spin_manifest_version = 2
[application]
name = "seed"
version = "1.0.0"
[application.trigger.http]
base = "/"
[variables]
db_url = { required = true, secret = true }
region = { default = "eu" }
[[trigger.http]]
route = "/api/chats/:id/..."
component = "api"
[[trigger.http]]
route = { private = true }
component = "worker"
[[trigger.http]]
route = "/..."
component = "site"
[component.api]
source = "api.wasm"
allowed_outbound_hosts = ["https://{{ region }}.example.com:443", "postgres://*:5432", "http://10.0.0.0/8:1..9"]
[component.api.variables]
db = "postgres://{{ db_url }}"
[component.worker]
source = "worker.wasm"
environment = { A = "1" }
[component.site]
source = "site.wasm"
files = [{ source = "static/site", destination = "/" }, "README.md"]
[component.site.build]
command = "cargo build"
watch = ["src/**/*.rs"]
EOF
            ;;
        static_path) cat <<'EOF'
/
/index.html
/assets/app-1a2b3c4d.js?v=1#top
/chats/42/
/.well-known/security.txt
/%C3%A4pfel/my%20file.txt
/a/./b//c
/%2e%2e/secret
/a%2F..%2Fb
/..%5Csecret
/index.html%00.png
/api/nope
/%61pi/x
EOF
            ;;
        template) cat <<'EOF'
Translate {{ text }} into {{language}}; answer only in {{language}}.
Dear {{name}},\tthanks for {{	item	}} — café 😀 {{name}}
\{{literal}} \\{{backslash}} \\\{{ {{{braced}}} {{{{x}} C:\temp\ }} {"a": {"b": 1}}
{{}} {{ 1x }} {{a-b}} {{a b}} {{_ok_1}} {{unclosed
EOF
            ;;
    esac
}

# The longest input libFuzzer makes (longer seeds are cut): short inputs keep the corpora small
# and the runs fast, and reach every branch of these parsers; a manifest needs a little more.
max_len() {
    case $1 in
        manifest) echo 2048 ;;
        # The seed PDFs are 1.4 to 2.4 KiB.
        extract) echo 4096 ;;
        *) echo 1024 ;;
    esac
}

count_files() { find "$1" -maxdepth 1 -type f ! -name '.*' | wc -l; }
# Bytes of the files (not of the disk blocks) in KiB, rounded up.
size_kib() { find "$1" -type f ! -name ".*" -printf "%s\n" | awk "{ s += \$1 } END { print int((s + 1023) / 1024) }"; }

echo "fuzz: building ${#targets[@]} target(s)" >&2
cargo fuzz build "${fuzz_dir[@]}" "${build_flags[@]}" >&2

log_dir=$(mktemp -d /tmp/hub-fuzz.XXXXXX)
trap 'rm -rf "$log_dir"' EXIT
failed=()
report=()
for target in "${targets[@]}"; do
    corpus=fuzz/corpus/$target
    artifacts=fuzz/artifacts/$target
    mkdir -p "$corpus" "$artifacts"
    if [[ $(count_files "$corpus") == 0 ]]; then
        seed "$target" "$corpus"
    fi
    before=$(count_files "$corpus")
    stamp=$log_dir/$target.stamp
    touch "$stamp"
    log=$log_dir/$target.log
    echo "fuzz: $target for ${seconds} s ($before corpus files)" >&2
    status=0
    cargo fuzz run "${fuzz_dir[@]}" "${build_flags[@]}" "$target" "$corpus" -- \
        -max_total_time="$seconds" -max_len="$(max_len "$target")" -timeout=10 -print_final_stats=1 \
        >"$log" 2>&1 || status=$?
    execs=$(awk -F': *' '/^stat::number_of_executed_units/ { print $2 }' "$log" | tail -n1)
    # No final statistics after a crash: the last progress line's count.
    [[ -n $execs ]] || execs=$(grep -oE '^#[0-9]+' "$log" | tail -n1 | tr -d '#')
    if [[ $status != 0 ]]; then
        mkdir -p "fuzz/regressions/$target"
        found=0
        while IFS= read -r f; do
            cp "$f" "fuzz/regressions/$target/"
            echo "fuzz: $target: reproducer fuzz/regressions/$target/$(basename "$f")" >&2
            found=1
        done < <(find "$artifacts" -type f -newer "$stamp" \( -name 'crash-*' -o -name 'oom-*' \
            -o -name 'timeout-*' -o -name 'leak-*' \))
        grep -A 30 -m1 -E '^(thread .* panicked|==[0-9]+==ERROR)' "$log" >&2 || tail -n 40 "$log" >&2
        ((found)) || echo "fuzz: $target failed without a reproducer (log above)" >&2
        failed+=("$target")
    fi
    # Keep only the inputs that add an edge (not a new hit count of one: -use_counters=0), which
    # halves the corpus for the same coverage.
    cargo fuzz cmin "${fuzz_dir[@]}" "${build_flags[@]}" "$target" "$corpus" -- \
        -max_len="$(max_len "$target")" -use_counters=0 >"$log_dir/$target.cmin.log" 2>&1 \
        || { tail -n 20 "$log_dir/$target.cmin.log" >&2; failed+=("$target (cmin)"); }
    report+=("$(printf '%-22s %5ss %12s execs  corpus %4s -> %4s files %6s KiB  %s' "$target" \
        "$seconds" "${execs:-?}" "$before" "$(count_files "$corpus")" "$(size_kib "$corpus")" \
        "$([[ $status == 0 ]] && echo ok || echo CRASH)")")
    echo "fuzz: ${report[-1]}" >&2
done

echo
printf '%s\n' "${report[@]}"
echo "corpora: $(size_kib fuzz/corpus) KiB in $(find fuzz/corpus -type f ! -name '.*' | wc -l) files"
if ((${#failed[@]} > 0)); then
    echo "fuzz: failed: ${failed[*]} (reproducers in fuzz/regressions/; fix, then replay with" \
        "cargo test --release -p hub-fuzz-targets)" >&2
    exit 1
fi
