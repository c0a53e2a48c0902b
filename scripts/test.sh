#!/usr/bin/env bash
# Runs every test of the solution against real PostgreSQL and Redis.
# Installs them from Debian's packages when missing, starts private instances on free loopback
# ports in a temporary directory, runs `dotnet test`, and stops them again, even when tests fail.
# Usage: scripts/test.sh [extra dotnet test arguments, e.g. --filter FullyQualifiedName~Grpc]
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/services.sh

services_install
services_start
trap services_stop EXIT

echo "PostgreSQL on port $IDRES_PG_PORT, Redis on port $IDRES_REDIS_PORT (in $IDRES_SERVICES_DIR)"
log="$IDRES_SERVICES_DIR/dotnet-test.log"
status=0
dotnet test IdResolution.sln --nologo "$@" 2>&1 | tee "$log" || status=$?

# One closing line for CI, summed over the test assemblies.
awk '/(Passed|Failed)! +- +Failed: +[0-9]+, +Passed: +[0-9]+/ {
       gsub(",", "")
       for (i = 1; i <= NF; i++) { if ($i == "Failed:") f += $(i+1); if ($i == "Passed:") p += $(i+1) }
     } END { printf "tests: %d passed, %d failed\n", p, f }' "$log"
exit "$status"
