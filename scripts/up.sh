#!/usr/bin/env bash
# Brings up the whole system on this machine: redis-server, the API with the UI, workers, example workflows.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/bootstrap.sh
exec node packages/cli/dist/main.js up "$@"
