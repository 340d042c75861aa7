#!/usr/bin/env bash
# README command 1: set up, then run poflow's main job on the embedded defaults
# (SQLite in .poflow/, a local Prefect server and UI, a local SMTP sink writing .eml files).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
exec .venv/bin/poflow demo "$@"
