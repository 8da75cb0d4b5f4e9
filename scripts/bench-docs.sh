# shellcheck shell=bash
# Sourced by the benchmark scripts: writes one section of docs/benchmarks.md.

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
