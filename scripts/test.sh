#!/usr/bin/env bash
# Runs every test: installs what is missing, builds, then one jest run over the workspace
# (unit tests, end-to-end tests on a real redis-server they start themselves, browser tests), with
# coverage: jest.config.js holds packages/engine to 100% of its branches.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
FLOWGATE_NEED_BROWSER=1 source scripts/bootstrap.sh
exec pnpm exec jest --ci --coverage "$@"
