#!/usr/bin/env bash
# Quickstart: set up, index the sample knowledge base, search it and draft a reply, all offline.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export CRISIS_DATA_DIR=${CRISIS_DATA_DIR:-$PWD/.crisis-desk}
desk() { .venv/bin/crisis-desk "$@"; }
echo "== ingest the sample knowledge base (knowledge/)"
desk ingest knowledge
echo "== search: remboursement"
desk search "remboursement" --k 3
echo "== draft a reply to a worried customer on X"
desk draft "My kids ate the granola from batch L4822 this morning, is it dangerous?? And how do I get my money back" \
  --author "Sarah Martin" --handle sarah_m --platform x
