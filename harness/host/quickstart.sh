#!/usr/bin/env bash
# First run on a fresh host: installs what is missing (npm packages, Debian's Docker engine,
# debootstrap), builds the bed's images and runs the default scenario.
set -euo pipefail
cd "$(dirname "$0")/../.."

bash harness/host/ensure-docker.sh
if [[ ! -d node_modules ]] || [[ package-lock.json -nt node_modules ]]; then
  echo "quickstart: installing npm packages"
  npm ci --no-audit --no-fund --loglevel=error
fi
node harness/cli/bin.js images build
node harness/cli/bin.js run scenarios/site-a-lost-manual-failover.yaml
