#!/usr/bin/env bash
# Measures the cold and warm image build and the default scenario's wall time on this machine.
# Cold: an empty cache directory and --force, so debootstrap, apt and docker import all run.
# Warm: the images already exist, so the build only checks their tags.
# Prints a Markdown table row set; copy it into docs/benchmarks.md with the machine's details.
set -euo pipefail
cd "$(dirname "$0")/../.."

cold_cache=$(mktemp -d /tmp/mailha-bench-cache.XXXXXX)
trap 'rm -rf "$cold_cache"' EXIT

seconds() { awk "BEGIN { printf \"%.1f\", ($2 - $1) / 1000000000 }"; }

start=$(date +%s%N)
MAILHA_CACHE_DIR=$cold_cache node harness/cli/bin.js images build --force >/dev/null
cold=$(seconds "$start" "$(date +%s%N)")

start=$(date +%s%N)
node harness/cli/bin.js images build >/dev/null
warm=$(seconds "$start" "$(date +%s%N)")

out=$(mktemp -d /tmp/mailha-bench-runs.XXXXXX)
node harness/cli/bin.js run scenarios/site-a-lost-manual-failover.yaml --out "$out" >/dev/null || true
result="$out/latest/result.json"
scenario=$(node -e "const r=require('$result'); const t=r.timings; console.log([t.wallMs, t.bedStartMs, t.seedMs, r.verdict].join(' '))")
read -r wall bed seed verdict <<<"$scenario"

echo "| cold image build (courier + bind) | ${cold} s |"
echo "| warm image build (both cached) | ${warm} s |"
echo "| default scenario wall time | $(awk "BEGIN { printf \"%.1f\", $wall / 1000 }") s (bed start $(awk "BEGIN { printf \"%.1f\", $bed / 1000 }") s, seeding $(awk "BEGIN { printf \"%.1f\", $seed / 1000 }") s; verdict $verdict) |"
rm -rf "$out"
