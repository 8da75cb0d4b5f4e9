#!/usr/bin/env bash
# Regenerates the PDF and DOCX fixtures of shared/knowledge's extraction tests with independent
# tools (fpdf2 and python-docx, pinned in scripts/requirements-knowledge-fixtures.txt and installed
# into the project's virtual environment .data/venv). The fixtures are committed; run this only to
# change them, then `cargo test --release -p hub-knowledge`.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv=$repo/.data/venv
requirements=$repo/scripts/requirements-knowledge-fixtures.txt
command -v python3 >/dev/null 2>&1 || { echo "knowledge-fixtures: python3 is missing (scripts/setup.sh installs it)" >&2; exit 1; }
[[ -x $venv/bin/pip ]] || python3 -m venv "$venv"
"$venv/bin/pip" install --quiet --disable-pip-version-check -r "$requirements"
"$venv/bin/python" "$repo/shared/knowledge/tests/fixtures/generate.py" "$repo/shared/knowledge/tests/fixtures"
