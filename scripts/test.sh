#!/usr/bin/env bash
# Runs every test of the solution against real PostgreSQL and Redis.
# Installs them from Debian's packages when missing, starts private instances on free loopback
# ports in a temporary directory, runs `dotnet test`, and stops them again, even when tests fail.
# Usage: scripts/test.sh [extra dotnet test arguments, e.g. --filter FullyQualifiedName~Grpc]
# (with no arguments it also runs every benchmark once, dry, so they keep working)
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/services.sh

services_install
# The dashboard's browser test drives Debian's Chromium (never a downloaded browser).
command -v chromium >/dev/null 2>&1 || {
  echo "Installing chromium from Debian's packages"
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium >/dev/null; }
services_start
trap services_stop EXIT

echo "PostgreSQL on port $IDRES_PG_PORT (standby on $IDRES_PG_STANDBY_PORT), Redis on port $IDRES_REDIS_PORT (in $IDRES_SERVICES_DIR)"
log="$IDRES_SERVICES_DIR/dotnet-test.log"
status=0
# deploy/ is checked as CI checks it: lint and schemas (no Docker engine or cluster runs here).
if [ $# -eq 0 ]; then
  scripts/validate-deploy.sh || { status=1; echo "deploy/ validation failed"; }
fi
dotnet test IdResolution.sln --nologo "$@" 2>&1 | tee "$log" || status=$?

# The benchmarks must keep compiling and running: one dry pass of each (a full run is bench/micro.sh).
if [ $# -eq 0 ]; then
  echo "Benchmarks, dry run"
  (cd bench/IdResolution.Benchmarks && dotnet run -c Release -- --job dry --filter '*' \
     --artifacts "$IDRES_SERVICES_DIR/bench" > "$IDRES_SERVICES_DIR/bench.log" 2>&1) \
    || { status=1; tail -50 "$IDRES_SERVICES_DIR/bench.log"; echo "benchmark dry run failed"; }
  grep -E '^\|' "$IDRES_SERVICES_DIR/bench.log" || true
fi

# One closing line for CI, summed over the test assemblies.
# A build or run failure with no failed test still counts as one failure, so the line never reads green.
awk -v status="$status" '/(Passed|Failed)! +- +Failed: +[0-9]+, +Passed: +[0-9]+/ {
       gsub(",", "")
       for (i = 1; i <= NF; i++) { if ($i == "Failed:") f += $(i+1); if ($i == "Passed:") p += $(i+1) }
     } END { if (status != 0 && f == 0) f = 1; printf "tests: %d passed, %d failed\n", p, f }' "$log"
exit "$status"
