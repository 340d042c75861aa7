#!/usr/bin/env bash
# The guard rails, run before the tests (README command 2 and CI): lint, format, types, imports.
# Each stops the run with its own report when it fails.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
echo "== ruff check";        .venv/bin/ruff check --quiet .
echo "== ruff format --check"; .venv/bin/ruff format --check --quiet .
echo "== mypy";              .venv/bin/mypy
echo "== lint-imports";      .venv/bin/lint-imports
