#!/usr/bin/env bash
# Creates .venv with poflow's pinned dependencies. Sourced by demo.sh and test.sh.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
PYTHON=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --disable-pip-version-check -e ".${POFLOW_EXTRAS:-}"
export PREFECT_SERVER_ANALYTICS_ENABLED=false
