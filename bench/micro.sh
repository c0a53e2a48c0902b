#!/usr/bin/env bash
# Runs the BenchmarkDotNet suite (Release) with private PostgreSQL and Redis for the benchmarks that need them.
# Usage: bench/micro.sh [BenchmarkDotNet arguments]   e.g. bench/micro.sh --filter '*ResolveHit*'
#        (default: every benchmark, default job). CI uses: bench/micro.sh --job dry
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/services.sh
services_install
services_start
trap services_stop EXIT
[ $# -gt 0 ] || set -- --filter '*'
cd bench/IdResolution.Benchmarks
dotnet run -c Release -- --artifacts "${BENCH_ARTIFACTS:-$PWD/BenchmarkDotNet.Artifacts}" "$@"
