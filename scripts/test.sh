#!/usr/bin/env bash
# README command 2: set up everything the test suite needs, then run it:
# the pinned Python packages, PostgreSQL server binaries, Chromium and node (Debian packages), the
# test OpenID provider (tests/oidc: `npm ci`, from its package-lock.json) and axe-core for the
# browser tests (tests/axe), then the guard rails
# (scripts/check.sh: ruff, mypy, import contracts), then pytest with any arguments.
# POFLOW_SKIP_CHECKS=1 skips the guard rails (for a quick run of a few tests).
set -euo pipefail
POFLOW_EXTRAS="[test]" source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"

missing=()
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing+=(postgresql)
[ -x /usr/bin/chromium ] || missing+=(chromium)
command -v node >/dev/null || missing+=(nodejs npm)
if [ ${#missing[@]} -gt 0 ]; then
  echo "Installing Debian packages: ${missing[*]}"
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
# The login tests start a real OpenID provider (tests/auth/oidc_support.py): npm's oidc-provider.
if [ ! -d tests/oidc/node_modules ] && command -v npm >/dev/null; then
  echo "Installing the test OpenID provider (npm ci --prefix tests/oidc)"
  npm ci --prefix tests/oidc --no-audit --no-fund --loglevel=error
fi
# The browser tests check every page with axe-core (tests/web/test_browser.py).
if [ ! -d tests/axe/node_modules ] && command -v npm >/dev/null; then
  echo "Installing axe-core for the browser tests (npm ci --prefix tests/axe)"
  npm ci --prefix tests/axe --no-audit --no-fund --loglevel=error
fi
if [ "${POFLOW_SKIP_CHECKS:-0}" != 1 ]; then
  bash "$(dirname "${BASH_SOURCE[0]}")/check.sh"
fi
exec .venv/bin/python -m pytest "$@"
